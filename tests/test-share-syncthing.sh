#!/bin/bash
# SPDX-License-Identifier: MIT
# Sharing (issue 17) end to end, on two worlds: two session buses, two
# closerd (Alex's in Berlin, Sam's bus-activated in New York), two real
# Syncthing instances on 127.0.0.1 (tests/syncthing.sh) carrying the shared
# folder between them. Nobody carries a file by hand; closerd is never asked
# to look (no command on the receiving side but reading).
#   Alex writes a list -> Sam has it, and a PartnerChanged(list), by itself;
#   Sam reviews        -> Alex sees the reviews;
#   Sam declines Alex's advance with a rain check -> Alex sees it owed to them;
#   Alex changes the date night -> Sam's plan and calendar follow, the same
#                         nights at the same instants with the same UIDs;
#   both go offline (Syncthing stopped), both change the plan, reconnect ->
#                         the same plan on both, the one overruled warned.
# The first steps (sharing on, the list, the reviews) run on Syncthing's file
# watcher alone, each with a 30 s deadline; later ones hurry it with
# POST /rest/db/scan (st_scan) once closerd has written its file. At the end:
# no *.sync-conflict-* anywhere (each file has one writer), Syncthing's own
# .stfolder and .syncthing.*.tmp files seen by closerd and no problem to
# `closerctl share`, nothing off loopback (strace from `syncthing generate`
# on, and ss).
# Benchmark: one list change end to end (A's list.ics renamed into place
# until Sam's PartnerChanged) beside Syncthing's own latency for a file,
# medians of 5 samples each, in $B/test-logs/share-syncthing-latency.txt.
# Runs in about 30 s.
. "$(dirname "$0")/lib.sh"
. "$TESTS/syncthing.sh"
st_require

start=$(date +%s%N)
T=$(mktemp -d /tmp/closer-test.share-st.XXXXXX)
_worlds+=("$T")
# shellcheck disable=SC2034 # read by st_setup
ST_ROOT=$T/st
ST_TIMEOUT=30
if ptrace_allowed; then
        ST_STRACE="a b"
fi
LATENCY=$TOP/$B/test-logs/share-syncthing-latency.txt
rm -f "$LATENCY"

# --- two worlds: Alex (A) in Berlin, Sam (B) in New York ---
export TZ=Europe/Berlin
new_world alex
WA=$W
enable_activation
# Sam's closerd is activated by Sam's bus: the bus gets Sam's zone.
TZ=America/New_York new_world sam
WB=$W
enable_activation
export TZ=Europe/Berlin
in_a() { enter_world "$WA"; TZ=Europe/Berlin "$@"; }
in_b() { enter_world "$WB"; TZ=America/New_York "$@"; }

# within SECS DESC CMD...: CMD succeeds before SECS seconds have passed
# (polled; nothing is asked of closerd or Syncthing); says how long it took.
within() {
        local secs=$1 desc=$2
        shift 2
        local t0
        t0=$(date +%s%N)
        while :; do
                if "$@" >/dev/null 2>&1; then
                        ok "$desc ($(ms_since "$t0") ms)"
                        return 0
                fi
                (($(date +%s%N) - t0 > secs * 1000000000)) && break
                sleep 0.1
        done
        not_ok "$desc (not within $secs s)"
        diag "command: $*"
        "$@" 2>&1 | head -5 | sed 's/^/#   /'
        return 1
}
lines() { wc -l <"$1"; }
# signalled LOG FROM WHAT [REGEX]: a monitor's LOG has, after its line FROM,
# a PartnerChanged of WHAT whose summary matches REGEX.
signalled() {
        python3 - "$@" <<'PY'
import json, re, sys
log, start, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rx = sys.argv[4] if len(sys.argv) > 4 else ""
for line in open(log).read().splitlines()[start:]:
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("signal") == "PartnerChanged" and d.get("what") == what and re.search(rx, d.get("summary", "")):
        sys.exit(0)
print("no PartnerChanged(%s) /%s/ after line %d of %s" % (what, rx, start, log))
sys.exit(1)
PY
}
# The partner as this world's closerd sees them, and its sharing problems.
partner_of() { jget "$(json share)" '(d["partner_id"], d["partner_name"], d["partner_present"])'; }
partner_is() { [[ $(partner_of) == "('$1', '$2', True)" ]]; }
problems_of() { jget "$(json share)" 'd["problems"]'; }
# nights: the first 6 nights of this world's plan: (instant, end, status,
# moved), the instants as seconds since the epoch (the two are in other zones).
nights() {
        json datenight | python3 -c '
import datetime, json, sys
ts = lambda s: int(datetime.datetime.fromisoformat(s).timestamp())
print([(ts(n["start"]), ts(n["end"]), n["status"], n["moved"]) for n in json.load(sys.stdin)[:6]])'
}
same_nights() { [[ $(in_a nights) == "$(in_b nights)" && $(in_a nights) != "[]" ]]; }
# rule_nights ZONE WEEKDAY HH:MM MINUTES: the nights not moved by hand are
# on WEEKDAY (Mon=0) at HH:MM in ZONE, for MINUTES.
rule_nights() {
        json datenight | python3 -c '
import datetime, json, sys, zoneinfo
z, wd, hm, mins = zoneinfo.ZoneInfo(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ns = [n for n in json.load(sys.stdin) if not n["moved"]]
bad = []
for n in ns:
    s = datetime.datetime.fromisoformat(n["start"]).astimezone(z)
    e = datetime.datetime.fromisoformat(n["end"]).astimezone(z)
    if (s.weekday(), s.strftime("%H:%M"), (e - s).total_seconds() // 60) != (wd, hm, mins):
        bad.append((n["start"], n["end"]))
print(bad)
sys.exit(1 if bad or not ns else 0)' "$@"
}
# uids: the UID:dn lines of this world's calendar (datenights.ics), sorted;
# events: its first 6 events by start, (UID, DTSTART, DTEND, STATUS), in UTC.
uids() { grep '^UID:dn' "$XDG_DATA_HOME/closer/datenights.ics" | tr -d '\r' | sort; }
events() {
        python3 - "$XDG_DATA_HOME/closer/datenights.ics" <<'PY'
import sys
text = open(sys.argv[1], newline="").read().replace("\r\n ", "").replace("\r\n", "\n")
evs, cur = [], None
for line in text.splitlines():
    if line == "BEGIN:VEVENT":
        cur = {}
    elif line == "END:VEVENT":
        evs.append((cur.get("DTSTART"), cur.get("UID"), cur.get("DTEND"), cur.get("STATUS")))
        cur = None
    elif cur is not None and ":" in line:
        k, v = line.split(":", 1)
        cur.setdefault(k.split(";")[0], v)
print(sorted(evs)[:6])
PY
}
# rule_entry FILE: the "rule" entry of a published plan.json: "LC SEEN MEMBER VALUE".
rule_entry() {
        python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(*[(e["lc"], e["seen"], d["member"], e["value"]) for e in d["entries"] if e["key"] == "rule"][0])' "$1"
}
rule_is() { [[ $(rule_entry "$1") == *" $2" ]]; }
enter_world_do() { enter_world "$1"; shift; "$@"; }
# last_summary LOG FROM WHAT: the summary of the last PartnerChanged(WHAT) after line FROM.
last_summary() {
        python3 -c '
import json, sys
s = ""
for line in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]:
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("signal") == "PartnerChanged" and d.get("what") == sys.argv[3]:
        s = d["summary"]
print(s)' "$@"
}
# in_local_time WORLD ZONE TEXT ZONE-REGEX DESC: TEXT, which tells of the
# rule, gives the weekday and time of the world's nights (those not moved)
# as its own clock (ZONE) reads them ("sat" and "13:30"), or else names the
# zone the rule is in (ZONE-REGEX).
in_local_time() {
        local wd hm
        read -r wd hm <<<"$(enter_world "$1"; json datenight | python3 -c '
import datetime, json, sys, zoneinfo
n = [n for n in json.load(sys.stdin) if not n["moved"]][0]
print(datetime.datetime.fromisoformat(n["start"]).astimezone(zoneinfo.ZoneInfo(sys.argv[1])).strftime("%a %H:%M").lower())' "$2")"
        if [[ -n $hm && ${3,,} == *"$wd"* && $3 == *"$hm"* ]] || [[ $3 =~ $4 ]]; then ok "$5: $3"; else
                not_ok "$5"
                diag "got:  $3"
                diag "want: '$wd' and '$hm' (the nights as $2 reads them), or the zone /$4/ named"
        fi
}
warned() { jget "$(json status)" '[w for w in d["warnings"] if "won over yours" in w]'; }

# --- two Syncthing instances, one folder: Alex's copy and Sam's ---
t0=$(date +%s%N)
st_setup "$T/alex" "$T/sam" || { echo "Bail out! the two Syncthing instances do not connect"; exit 1; }
ok "two Syncthing instances on loopback, connected, the folder idle ($(ms_since "$t0") ms)"
[[ -d $ST_A_DIR/.stfolder && -d $ST_B_DIR/.stfolder ]] && ok "each copy has Syncthing's .stfolder" ||
        not_ok "each copy has Syncthing's .stfolder"

# --- both turn sharing on; they find each other through Syncthing ---
check "Alex sets a name" in_a ctl set me.name Alex
check "Sam sets a name" in_b ctl set me.name Sam
enter_world "$WA"
"$CLOSERCTL" --json monitor >"$WA/monitor.log" 2>&1 &
MON_A=$!
enter_world "$WB"
TZ=America/New_York "$CLOSERCTL" --json monitor >"$WB/monitor.log" 2>&1 &
MON_B=$!
sleep 0.5
like "Alex shares the folder Syncthing syncs" "$(in_a ctl share "$ST_A_DIR")" "Sharing through $ST_A_DIR as member [0-9a-f]{32}"
like "Sam shares their copy of it" "$(in_b ctl share "$ST_B_DIR")" "Sharing through $ST_B_DIR as member [0-9a-f]{32}"
IDA=$(jget "$(in_a json share)" 'd["member_id"]')
IDB=$(jget "$(in_b json share)" 'd["member_id"]')
[[ $IDA != "$IDB" ]] && ok "two members, two IDs" || not_ok "two members, two IDs"
within 30 "Sam's closerd finds Alex's member folder, name and all (watcher alone)" in_b partner_is "$IDA" Alex
within 30 "Alex's closerd finds Sam's (watcher alone)" in_a partner_is "$IDB" Sam
is "Sam's closerd runs in New York, Alex's in Berlin" \
        "$(for w in "$WA" "$WB"; do
                enter_world "$w"
                pid=$(busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                        GetConnectionUnixProcessID s io.github.closer.Closer1 | awk '{print $2}')
                tr '\0' '\n' <"/proc/$pid/environ" | grep '^TZ='
        done | tr '\n' ' ')" "TZ=Europe/Berlin TZ=America/New_York "

# What Syncthing creates in the member folders each closerd watches for
# the other's files (only Syncthing writes there): its temporary files.
cat >"$T/inotify-log.py" <<'PY'
import ctypes, os, select, struct, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
log, ready, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
parent = os.getppid()
fd = libc.inotify_init1(0)
wds = {}
for p in paths:
    wd = libc.inotify_add_watch(fd, p.encode(), 0x100 | 0x80)  # IN_CREATE | IN_MOVED_TO
    if wd < 0:
        sys.exit("inotify_add_watch %s: errno %d" % (p, ctypes.get_errno()))
    wds[wd] = p
out = open(log, "a", buffering=1)
open(ready, "w").close()
while os.getppid() == parent:  # ends with the test, however it ends
    if not select.select([fd], [], [], 1)[0]:
        continue
    buf = os.read(fd, 65536)
    i = 0
    while i < len(buf):
        wd, mask, _, n = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + n].rstrip(b"\0").decode(errors="replace")
        out.write("%s %s %s\n" % (wds.get(wd, "?"), "create" if mask & 0x100 else "moved_to", name))
        i += 16 + n
PY
python3 "$T/inotify-log.py" "$T/inotify.log" "$T/inotify.ready" "$ST_B_DIR/$IDA" "$ST_A_DIR/$IDB" 2>"$T/inotify.err" &
INO=$!
for _ in $(seq 100); do [[ -e $T/inotify.ready ]] && break; sleep 0.02; done

# --- A writes a list: B has it without a command ---
cat >"$WA/list.txt" <<'LIST'
Kiss me every morning
Bring me coffee in bed
[love]
Write me a note **
[fun]
Dance with me in the kitchen
! A secret of ours ***
LIST
nb=$(lines "$WB/monitor.log")
t0=$(date +%s%N)
check "Alex writes a list" in_a ctl list add --from "$WA/list.txt"
within 30 "Sam is told, by the watcher alone: PartnerChanged(list) 'Alex updated their list: 5 new'" \
        signalled "$WB/monitor.log" "$nb" list '^Alex updated their list: 5 new$'
diag "list written on Alex's side until Sam's signal: $(ms_since "$t0") ms"
is "Sam has Alex's list, every item" \
        "$(jget "$(in_b json list partner)" 'sorted(i["title"] for i in d)')" \
        "['A secret of ours', 'Bring me coffee in bed', 'Dance with me in the kitchen', 'Kiss me every morning', 'Write me a note']"
is "Alex's copy of the list and Sam's copy of the file are the same bytes" \
        "$(cmp "$ST_A_DIR/$IDA/list.ics" "$ST_B_DIR/$IDA/list.ics" && echo same)" same

# --- B reviews: A sees the reviews ---
pid=$(jget "$(in_b json list partner)" '[i["id"] for i in d if i["title"].startswith("Dance")][0]')
pid2=$(jget "$(in_b json list partner)" '[i["id"] for i in d if i["title"].startswith("Kiss")][0]')
na=$(lines "$WA/monitor.log")
check "Sam reviews an item: discuss, with a note" in_b ctl partner review "$pid" discuss --note "what do you mean by dance?"
check "Sam reviews another: ok" in_b ctl partner review "$pid2" ok
within 30 "Alex is told, by the watcher alone: PartnerChanged(reviews) 'Sam reviewed your list: 1 to talk about'" \
        signalled "$WA/monitor.log" "$na" reviews '^Sam reviewed your list: 1 to talk about$'
reviews_mine() { jget "$(json list mine)" 'sorted((i["title"], i["review"], i["note"]) for i in d if i["review"] not in (None, "new"))'; }
want_reviews="[('Dance with me in the kitchen', 'discuss', 'what do you mean by dance?'), ('Kiss me every morning', 'ok', None)]"
reviews_are() { [[ $(reviews_mine) == "$want_reviews" ]]; }
within 30 "Alex's list shows both of Sam's reviews" in_a reviews_are
is "the reviews and the note, on Alex's items" "$(in_a reviews_mine)" "$want_reviews"
diag "watcher-only steps done at $(ms_since "$start") ms"

# From here on the scans are asked for (POST /rest/db/scan): each once the
# writer's closerd has written the file, so that the test goes faster.
# published DIR FILE PYTHON-EXPR: DIR/FILE is JSON for which the expression holds.
published() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1/$2" "$3"; }

# --- and B's list, the other way ---
printf 'Hold my hand on walks\nCook with me on Sundays\n' >"$WB/list.txt"
na=$(lines "$WA/monitor.log")
check "Sam writes a list too" in_b ctl list add --from "$WB/list.txt"
within 10 "Sam's closerd publishes it" grep -q "Cook with me on Sundays" "$ST_B_DIR/$IDB/list.ics"
check "st_scan b (Sam's member folder)" st_scan b "$IDB"
within 30 "Alex is told: PartnerChanged(list) 'Sam updated their list: 2 new'" \
        signalled "$WA/monitor.log" "$na" list '^Sam updated their list: 2 new$'
is "Alex has Sam's list" "$(jget "$(in_a json list partner)" 'sorted(i["title"] for i in d)')" \
        "['Cook with me on Sundays', 'Hold my hand on walks']"

# --- B declines A's advance with a rain check: A sees it owed to them ---
na=$(lines "$WA/monitor.log")
check "Sam declines Alex's advance with a rain check" in_b ctl advance --by partner declined --raincheck "sat 20:00"
within 10 "Sam's closerd publishes the rain check" published "$ST_B_DIR/$IDB" promises.json 'len(d["promises"]) == 1'
check "st_scan b (Sam's member folder) again" st_scan b "$IDB"
within 30 "Alex is told: PartnerChanged(promises) 'Sam owes you a rain check'" \
        signalled "$WA/monitor.log" "$na" promises '^Sam owes you a rain check'
due_of() { json promise | python3 -c '
import datetime, json, sys
print([(p["owed_by"], p["status"], int(datetime.datetime.fromisoformat(p["due"]).timestamp())) for p in json.load(sys.stdin)])'; }
b_pr=$(in_b due_of)
a_pr=$(in_a due_of)
like "Sam owes one rain check, open" "$b_pr" "^\[\('me', 'open', [0-9]+\)\]$"
is "Alex sees it owed to them, open, due at the same instant" "$a_pr" "$(sed "s/'me'/'partner'/" <<<"$b_pr")"
# Sam's "sat 20:00" in New York is Sunday 02:00 in Berlin (or 01:00, the
# weeks the two change their clocks apart): Alex is told in Alex's time.
is "the signal gives the due time as Alex's clock reads it" "$(last_summary "$WA/monitor.log" "$na" promises)" \
        "Sam owes you a rain check: $(python3 -c '
import ast, datetime, sys, zoneinfo
due = ast.literal_eval(sys.argv[1])[0][2]
t = datetime.datetime.fromtimestamp(due, zoneinfo.ZoneInfo("Europe/Berlin"))
print(t.strftime("%a ") + str(t.day) + t.strftime(" %b %H:%M"))' "$a_pr")"
initiations() { jget "$(json stats)" '(d["initiations"]["by_me"], d["initiations"]["by_me_accepted"], d["initiations"]["by_partner"])'; }
initiations_are() { [[ $(initiations) == "$1" ]]; }
within 30 "Alex's stats count the advance as Alex's, declined" in_a initiations_are "(1, 0, 0)"
is "Sam's count it as Alex's too" "$(in_b initiations)" "(0, 0, 1)"

# --- A changes the date night: B's plan and calendar follow, same UIDs ---
nb=$(lines "$WB/monitor.log")
check "Alex sets the date night: Saturdays 19:30 for 2h" in_a ctl datenight set --weekday sat --time 19:30 --duration 2h
check "Alex moves the next one by three days" in_a ctl datenight move "+3d"
within 10 "Alex's closerd publishes the plan, the move included" \
        published "$ST_A_DIR/$IDA" plan.json 'any(e["key"] == "rule" for e in d["entries"]) and any(e["key"].startswith("night:") for e in d["entries"])'
check "st_scan a (Alex's member folder)" st_scan a "$IDA"
within 30 "Sam's plan follows: the same nights at the same instants" same_nights
within 10 "Sam is told: PartnerChanged(plan)" signalled "$WB/monitor.log" "$nb" plan
is "Sam's plan, night by night, is Alex's" "$(in_b nights)" "$(in_a nights)"
check "Sam's nights are Alex's Saturdays 19:30 Berlin time, 2 h" in_b rule_nights Europe/Berlin 5 19:30 120
# The rule is kept in the zone of whoever set it (shareplan.h); told to the
# other, in a signal or by closerctl, it reads in the other's own time, or
# says in whose zone it is: "sat 19:30" is not when Sam, in New York, meets.
in_local_time "$WB" America/New_York "$(last_summary "$WB/monitor.log" "$nb" plan)" Berlin \
        "Sam's PartnerChanged(plan) gives the new time as Sam's clock reads it, or names Alex's zone"
in_local_time "$WB" America/New_York "$(in_b ctl datenight | head -1)" Berlin \
        "Sam's closerctl datenight gives the rule as Sam's clock reads it, or names Alex's zone"
is "the night Alex moved is moved on Sam's side too" "$(jget "$(in_b json datenight)" '[n["moved"] for n in d].count(True)')" 1
check "Alex's calendar is rendered" in_a ics_settled
check "Sam's calendar is rendered" in_b ics_settled
is "the same UIDs in both calendars (datenights.ics)" "$(in_b uids)" "$(in_a uids)"
[[ $(in_a uids | wc -l) -ge 6 ]] && ok "Alex's calendar has nights ($(in_a uids | wc -l))" || not_ok "Alex's calendar has nights"
is "the same events: UID, start, end, status" "$(in_b events)" "$(in_a events)"

diag "the loop done at $(ms_since "$start") ms"

# --- the benchmark: one list change end to end, and Syncthing's own ---
# A sample: the moment Alex's closerd renames list.ics into place (seen by
# polling its inode, mtime and size) until Sam's monitor prints
# PartnerChanged(list); beside it, a file renamed into Alex's copy until it
# is in Sam's (st_propagation_ms), the same watcher and delay.
cat >"$T/sample.py" <<'PY'
# sample SRC DST LOG READY TIMEOUT: once SRC is replaced (another inode,
# mtime or size than when READY was made), the ms until DST has its bytes
# and until LOG has one more PartnerChanged(list) line: "SIGNAL_MS FILE_MS".
import json, os, sys, time
src, dst, log, ready, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
def key():
    try:
        s = os.stat(src)
        return (s.st_ino, s.st_mtime_ns, s.st_size)
    except FileNotFoundError:
        return None
def count():
    n = 0
    with open(log) as fh:
        for line in fh:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            n += d.get("signal") == "PartnerChanged" and d.get("what") == "list"
    return n
def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
k0, n0 = key(), count()
open(ready, "w").close()
deadline = time.monotonic() + timeout
while key() == k0:
    if time.monotonic() > deadline:
        sys.exit("# %s was not replaced" % src)
    time.sleep(0.0005)
t0 = time.monotonic()
want, signal_ms, file_ms = read(src), None, None
while signal_ms is None or file_ms is None:
    if time.monotonic() > deadline:
        sys.exit("# no PartnerChanged(list) in %s, or %s not there" % (log, dst))
    now = time.monotonic()
    if file_ms is None and read(dst) == want:
        file_ms = round((now - t0) * 1000)
    if signal_ms is None and count() > n0:
        signal_ms = round((now - t0) * 1000)
    time.sleep(0.002)
print(signal_ms, file_ms)
PY
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2))}'; }
cs=() fs=() ss=()
for i in 1 2 3 4 5; do
        rm -f "$T/ready"
        python3 "$T/sample.py" "$ST_A_DIR/$IDA/list.ics" "$ST_B_DIR/$IDA/list.ics" "$WB/monitor.log" "$T/ready" 30 \
                >"$T/sample.out" 2>&1 &
        spid=$!
        for _ in $(seq 200); do [[ -e $T/ready ]] && break; sleep 0.01; done
        in_a "$CLOSERCTL" list add "Bench $i" >/dev/null
        if wait "$spid"; then
                read -r v f <"$T/sample.out"
                cs+=("$v") fs+=("$f")
        else diag "sample $i: $(cat "$T/sample.out")"; fi
        if v=$(st_propagation_ms "$ST_A_DIR" "$ST_B_DIR" "bench-$i.txt" 2>&1); then ss+=("$v"); else diag "syncthing sample $i: $v"; fi
done
if ((${#cs[@]} >= 3 && ${#ss[@]} >= 3)); then
        printf 'closer+syncthing_ms %s\nsyncthing_ms %s\n' "$(median "${cs[@]}")" "$(median "${ss[@]}")" >"$LATENCY"
        ok "latency: a list change, renamed on Alex's side until Sam's PartnerChanged: median $(median "${cs[@]}") ms (${cs[*]}); Syncthing alone: median $(median "${ss[@]}") ms (${ss[*]})"
        diag "of the list change, until list.ics was in Sam's copy: median $(median "${fs[@]}") ms (${fs[*]})"
else
        not_ok "latency: too few samples (${cs[*]:-none} / ${ss[*]:-none})"
fi
partner_items() { [[ $(jget "$(json list partner)" 'len(d)') == "$1" ]]; }
within 30 "Sam has the 5 bench items too" in_b partner_items 10

diag "benchmark done at $(ms_since "$start") ms"

# --- both offline: both change the plan; reconnect: one plan, the overruled warned ---
a_rule0=$(rule_entry "$ST_A_DIR/$IDA/plan.json")
check "both copies the same before going offline" st_wait_same 30
in_shell "Alex's Syncthing stops" st_stop a
in_shell "Sam's Syncthing stops" st_stop b
! st_running a && ! st_running b && ok "both offline" || not_ok "both offline"
check "Alex changes the date night offline: Saturdays 21:00, 2h" in_a ctl datenight set --weekday sat --time 21:00 --duration 2h
check "Sam changes it too: Fridays 18:00 New York time, 3h" in_b ctl datenight set --weekday fri --time 18:00 --duration 3h
# (Weekdays from Sunday = 0, minutes of the day, seconds; the zone of who set it.)
within 10 "Alex's closerd publishes its new rule" rule_is "$ST_A_DIR/$IDA/plan.json" "fixed 6 1260 7200 3600 Europe/Berlin"
within 10 "Sam's closerd publishes its own" rule_is "$ST_B_DIR/$IDB/plan.json" "fixed 5 1080 10800 3600 America/New_York"
read -r a_lc a_seen a_member a_value <<<"$(rule_entry "$ST_A_DIR/$IDA/plan.json")"
read -r b_lc b_seen b_member b_value <<<"$(rule_entry "$ST_B_DIR/$IDB/plan.json")"
diag "offline rules: Alex lc $a_lc seen $a_seen ($a_value); Sam lc $b_lc seen $b_seen ($b_value); before: $a_rule0"
((a_seen < b_lc && b_seen < a_lc)) && ok "the two changes are concurrent (neither saw the other)" ||
        not_ok "the two changes are concurrent (Alex lc $a_lc seen $a_seen, Sam lc $b_lc seen $b_seen)"
check "apart, Alex plans by Alex's change" in_a rule_nights Europe/Berlin 5 21:00 120
check "apart, Sam plans by Sam's change" in_b rule_nights America/New_York 4 18:00 180
# The winner: the higher logical clock, then the higher member ID (shareplan.h).
if ((a_lc > b_lc)) || { ((a_lc == b_lc)) && [[ $a_member > $b_member ]]; }; then
        winner=Alex loser=Sam win_rule=(Europe/Berlin 5 21:00 120)
else
        winner=Sam loser=Alex win_rule=(America/New_York 4 18:00 180)
fi
diag "expected: $winner's change wins (lc, then member ID)"
na=$(lines "$WA/monitor.log") nb=$(lines "$WB/monitor.log")
t0=$(date +%s%N)
in_shell "Alex's Syncthing starts again" st_start a
in_shell "Sam's Syncthing starts again" st_start b
check "they reconnect" st_wait_connected 30
check "st_scan a" st_scan a
check "st_scan b" st_scan b
within 40 "the same plan on both again" same_nights
diag "reconnected to the same plan: $(ms_since "$t0") ms"
check "both copies of the folder the same, and idle" st_wait_same 30
is "the same plan on both, night by night" "$(in_b nights)" "$(in_a nights)"
check "Alex plans by $winner's change" in_a rule_nights "${win_rule[@]}"
check "Sam plans by $winner's change" in_b rule_nights "${win_rule[@]}"
check "Alex's calendar is rendered again" in_a ics_settled
check "Sam's calendar is rendered again" in_b ics_settled
is "the same UIDs in both calendars after reconnecting" "$(in_b uids)" "$(in_a uids)"
is "the same events after reconnecting" "$(in_b events)" "$(in_a events)"
if [[ $winner == Alex ]]; then wl=$WA ll=$WB; else wl=$WB ll=$WA; fi
is_warned() { [[ $(warned) == *"won over yours"* ]]; }
within 10 "$loser, overruled, is warned" enter_world_do "$ll" is_warned
is "the warning names $winner and the plan" "$(enter_world "$ll"; warned)" \
        "[\"$winner's change to the date-night plan, made while you were apart, won over yours\"]"

# --- the end: no conflicts, Syncthing's own files no problem, loopback only ---
is "no *.sync-conflict-* anywhere (each file has one writer)" "$(find "$T" -name '*.sync-conflict-*')" ""
is "no temporary file is left in either copy" "$(find "$ST_A_DIR" "$ST_B_DIR" -name '.syncthing.*')" ""
like "Syncthing made its .syncthing.*.tmp files in the member folders closerd watches" \
        "$(cat "$T/inotify.log" "$T/inotify.err" 2>&1)" "$ST_B_DIR/$IDA create \.syncthing\.list\.ics\.tmp"
like "...both ways" "$(cat "$T/inotify.log")" "$ST_A_DIR/$IDB create \.syncthing\.[a-z]+\.json\.tmp"
is "share: no problem on Alex's side" "$(in_a problems_of)" "[]"
is "share: no problem on Sam's side" "$(in_b problems_of)" "[]"
# (but that the lists are short: the method's, not the sharing's)
other_warnings() { jget "$(json status)" '[w for w in d["warnings"] if "won over yours" not in w and "list is short" not in w]'; }
is "status: no other warning on Alex's side" "$(in_a other_warnings)" "[]"
is "status: none on Sam's side" "$(in_b other_warnings)" "[]"
if [[ $loser == Alex ]]; then
        in_local_time "$WA" Europe/Berlin "$(last_summary "$WA/monitor.log" "$na" plan)" "New.York" \
                "Alex's PartnerChanged(plan) gives Sam's time as Alex's clock reads it, or names Sam's zone"
else
        in_local_time "$WB" America/New_York "$(last_summary "$WB/monitor.log" "$nb" plan)" Berlin \
                "Sam's PartnerChanged(plan) gives Alex's time as Sam's clock reads it, or names Alex's zone"
fi
is "$winner, who won, is not warned" "$(enter_world "$wl"; warned)" "[]"
is "$loser still is" "$(enter_world "$ll"; warned | grep -c 'won over yours')" 1
is "only the two member folders, .stfolder and the bench files are in the folder" \
        "$(cd "$ST_A_DIR" && ls -A | sort | tr '\n' ' ')" \
        "$(printf '%s\n' .stfolder "$IDA" "$IDB" bench-{1..5}.txt | sort | tr '\n' ' ')"
st_assert_loopback
for w in "$WA" "$WB"; do
        enter_world "$w"
        name_owned && ok "closerd of $(basename "$w") still runs" || not_ok "closerd of $(basename "$w") still runs"
done

kill "$MON_A" "$MON_B" "$INO" 2>/dev/null
wait "$MON_A" "$MON_B" "$INO" 2>/dev/null
st_teardown
diag "run time: $(ms_since "$start") ms"
done_testing
