#!/bin/bash
# SPDX-License-Identifier: MIT
# Look back (issue 16): closerctl history over a designed four-week history
# built day by day with the real closerd and closerctl on a faked clock, and
# checked entry by entry in JSON and in the human form; --since, --until,
# --item and --discreet; the limits. list show of my items and my
# partner's; the stats fixes (the streak's window, a month per column past
# 32 weeks, plurals, the day's mood is its last).
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin

GEN_FIXTURE=$TOP/$B/tests/gen-fixture
SHIM=$(mktemp -d /tmp/closer-test.history-shim.XXXXXX)
_worlds+=("$SHIM")
if ! faketime_preload "$SHIM"; then
        skip "libfaketime and a C compiler are needed for a fake clock"
        done_testing
fi
command -v sqlite3 >/dev/null || { skip "sqlite3 is needed to read IDs"; done_testing; }

TODAY=2026-12-09 # a Wednesday: the default window is 2026-11-12 .. 2026-12-09
day() { date -d "$TODAY $1 days" +%F; }
# at DAY HH:MM: closerd (again) with its clock at that time on that day.
at() {
        stop_daemon
        start_daemon env LD_PRELOAD="$FAKETIME_PRELOAD" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME="@$(day "$1") $2:00"
}
jfile() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
db() { sqlite3 "$XDG_DATA_HOME/closer/closer.db" "$1" | paste -sd' '; }
night() { db "SELECT id FROM datenights WHERE date(start, 'unixepoch', 'localtime') = '$(day "$1")'"; }
# The newest rain check (the store is read through closerd while it runs).
last_promise() { jget "$(json promise --all)" 'max(p["id"] for p in d)'; }
act_item() { jget "$(json today)" 'd["act"]["item"]'; }

new_world history
HW=$W
"$GEN_FIXTURE" "$XDG_DATA_HOME/closer" "$(day -40)" >"$W/fixture.out" 2>&1 <<'FX' ||
start warm -5
phase steady
setting pick.seed 7
item affection 1 ok Breakfast in bed
item love 1 ok A long hug at the door
item fun 1 ok Dance in the kitchen
item lust 3 ok Something explicit
item love 1 ok Hold hands in public
FX
        diag "gen-fixture: $(cat "$W/fixture.out")"

# The expected entries, one line each: date|time|kind|what (see the check below).
EXP=$W/expected.txt
: >"$EXP"
e() { printf '%s\n' "$*" >>"$EXP"; }

# Outside the default window: four weeks and two days ago.
at -29 09:00
ctl done --response 3 >/dev/null
OLD="$(day -29)|09:00|act|$(act_item)|done|3|"

# The first day of the window.
at -27 09:00
ctl done --response 4 --mood 3 --note "a good start" >/dev/null
i=$(act_item)
e "$(day -27)|09:00|act|$i|done|4|a good start"
e "$(day -27)|09:00|mood|3|0|"
at -27 21:30
ctl mood 5 --note "later: happy" >/dev/null
e "$(day -27)|21:30|mood|5|1|later: happy"

# A reroll, then the new act done; the Friday's date night happened.
at -25 08:30
i=$(act_item)
ctl reroll >/dev/null
e "$(day -25)||act|$i|rerolled||"
j=$(act_item)
ctl done --response 2 >/dev/null
e "$(day -25)|08:30|act|$j|done|2|"
ctl datenight log "$(night -26)" happened >/dev/null
FIRST_ITEM=$j

# Extras, one of a private item; today's act left open.
at -24 10:00
i=$(act_item)
ctl extra 4 --response 5 --note "our secret" >/dev/null
e "$(day -24)||act|$i|open||"
e "$(day -24)|10:00|extra|4|done|5|our secret"
ctl extra "A walk in the rain" --response 3 >/dev/null
e "$(day -24)|10:00|extra|0|done|3|"

# My partner declines my advance... the rain check is mine
at -20 18:00
i=$(act_item)
ctl datenight skip "$(night -19)" >/dev/null
e "$(day -20)||act|$i|open||"
ctl advance --by partner declined --raincheck "sat 20:00" --what dinner --where home >/dev/null
P1=$(last_promise)
e "$(day -20)|18:00|advance|partner|declined|$P1|"
e "$(day -20)|18:00|promise|$P1|made|$(day -18) 20:00|dinner|home"

at -19 12:00
i=$(act_item)
e "$(day -19)||act|$i|open||"
ctl promise move "$P1" "sun 19:00" --by-partner >/dev/null
e "$(day -19)|12:00|promise|$P1|moved|$(day -18) 20:00|$(day -17) 19:00|partner|dinner|home"

at -16 09:00
i=$(act_item)
e "$(day -16)||act|$i|open||"
ctl advance --by me accepted --note "in the kitchen" >/dev/null
e "$(day -16)|09:00|advance|me|accepted||in the kitchen"
ctl promise kept "$P1" >/dev/null
e "$(day -16)|09:00|promise|$P1|kept|$(day -17) 19:00|dinner|home"

at -13 20:00
i=$(act_item)
ctl done >/dev/null
e "$(day -13)|20:00|act|$i|done||"
ctl raincheck "tomorrow 19:00" --what "a massage" >/dev/null
P2=$(last_promise)
e "$(day -13)|20:00|promise|$P2|made|$(day -12) 19:00|a massage|"

at -11 09:00
i=$(act_item)
ctl datenight log "$(night -12)" missed >/dev/null
e "$(day -11)||pause|$(day -9)"
e "$(day -11)||act|$i|open||"
ctl promise broken "$P2" >/dev/null
e "$(day -11)|09:00|promise|$P2|broken|$(day -12) 19:00|a massage|"
ctl pause --until "$(day -9)" >/dev/null

at 0 09:00
e "$(day -26)|20:00|date_night|in-person|happened"
e "$(day -19)|20:00|date_night|in-person|skipped"
e "$(day -12)|20:00|date_night|in-person|missed"
e "$(day -5)|20:00|date_night|in-person|planned"
i=$(act_item)
e "$(day 0)||act|$i|open||"
ctl mood 2 >/dev/null
e "$(day 0)|09:00|mood|2|1|"
sort -s -t'|' -k1,1 "$EXP" >"$EXP.sorted"

# check.py EXPECTED JSON [HUMAN]: PASS|desc or FAIL|desc|got|want, entry by entry.
cat >"$W/check.py" <<'PY'
import datetime, json, sys
TITLES = {1: "Breakfast in bed", 2: "A long hug at the door", 3: "Dance in the kitchen",
          4: "Something explicit", 5: "Hold hands in public", 0: "A walk in the rain"}
exp = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
got = json.load(open(sys.argv[2]))
hm = lambda iso: iso[11:16] if iso else ""
ymd = lambda iso: iso[:10] + " " + iso[11:16]

def line(x):
    k = x["kind"]
    base = [x["date"], hm(x.get("time")), k]
    if k in ("act", "extra"):
        return base + [str(x["item"]), x["outcome"], str(x.get("response", "")), x.get("note", "")]
    if k == "mood":
        return base + [str(x["mood"]), "1" if x["last"] else "0", x.get("note", "")]
    if k == "date_night":
        return base + [x["mode"], x["status"]]
    if k == "advance":
        return base + [x["by"], "accepted" if x["accepted"] else "declined", str(x.get("promise", "")),
                       x.get("note", "")]
    if k == "promise":
        if x["event"] == "moved":
            return base + [str(x["id"]), "moved", ymd(x["from"]), ymd(x["to"]), x["by"], x.get("what", ""),
                           x.get("where", "")]
        return base + [str(x["id"]), x["event"], ymd(x["due"]), x.get("what", ""), x.get("where", "")]
    if k == "pause":
        return base + [x["until"]]
    return base

def res(desc, ok, g="", w=""):
    print(f"PASS|{desc}" if ok else f"FAIL|{desc}|{g}|{w}")

label = sys.argv[4] if len(sys.argv) > 4 else ""
res(f"{label}as many entries as designed", len(got) == len(exp), len(got), len(exp))
for k, (g, w) in enumerate(zip(got, exp)):
    res(f"{label}entry {k + 1}: {' '.join(w[:3])}", line(g) == w, ";".join(line(g)), ";".join(w))

def day(s):
    d = datetime.date.fromisoformat(s)
    return d.strftime("%a ") + str(d.day) + d.strftime(" %b")

def when(s):  # "YYYY-MM-DD HH:MM"
    return day(s[:10]) + " " + s[11:]

def human(w):
    date, time, k = w[:3]
    kind = {"date_night": "date night", "promise": "rain check"}.get(k, k)
    head = f"  {time:>5}  {kind:<10} "
    if k in ("act", "extra"):
        item, outcome, resp, note = w[3:]
        t = TITLES[int(item)] + (f" (item {item})" if item != "0" else "") + f": {outcome}"
        t += f", response {resp}/5" if resp else ""
        t += f", note: {note}" if note else ""
    elif k == "mood":
        v, last, note = w[3:]
        t = f"{v}/5" + (" (the day's mood)" if last == "1" else "") + (f", note: {note}" if note else "")
    elif k == "date_night":
        t = f"{w[3]}, {w[4]}, until 23:00"
    elif k == "advance":
        by, acc, pr, note = w[3:]
        t = ("by my partner" if by == "partner" else "by me") + f", {acc}"
        t += f", rain check {pr}" if pr else ""
        t += f", note: {note}" if note else ""
    elif k == "promise":
        if w[4] == "moved":
            t = f"{w[3]} moved by {'my partner' if w[7] == 'partner' else 'me'} from {when(w[5])} to {when(w[6])}"
            t += (f", {w[8]}" if w[8] else "") + (f", at {w[9]}" if w[9] else "")
        else:
            t = f"{w[3]} {w[4]}, due {when(w[5])}" + (f", {w[6]}" if w[6] else "") + (f", at {w[7]}" if w[7] else "")
    else:
        t = f"until {day(w[3])}"
    return head + t

if len(sys.argv) > 3 and sys.argv[3]:
    lines = open(sys.argv[3]).read().splitlines()
    want, last = [], None
    for w in exp:
        if w[0] != last:
            want += ([""] if last else []) + [day(w[0])]
            last = w[0]
        want.append(human(w))
    res(f"{label}human: as many lines as designed", len(lines) == len(want), len(lines), len(want))
    for k, w in enumerate(want):
        g = lines[k] if k < len(lines) else "(missing)"
        res(f"{label}human line {k + 1}: {w.strip()[:40]}", g == w, g, w)
PY
check_history() { # EXPECTED LABEL HISTORY-ARGS...
        local exp=$1 label=$2
        shift 2
        json history "$@" >"$W/h.json"
        ctl history "$@" >"$W/h.txt"
        report < <(python3 "$W/check.py" "$exp" "$W/h.json" "$W/h.txt" "$label")
}

check_history "$EXP.sorted" "the last 4 weeks: "
like "the day's header is a human date" "$(head -1 "$W/h.txt")" "^Thu 12 Nov$"
is "--json: one document, a flat list of entries with their date" \
        "$(jget "$(cat "$W/h.json")" 'type(d).__name__, sorted({e["kind"] for e in d})')" \
        "('list', ['act', 'advance', 'date_night', 'extra', 'mood', 'pause', 'promise'])"

# --since and --until: two days before the window and its first day.
{ echo "$OLD"; grep "^$(day -27)|" "$EXP.sorted"; } >"$W/since.txt"
check_history "$W/since.txt" "--since, --until: " --since "$(day -29)" --until "$(day -27)"
grep -v "^$(day 0)|" "$EXP.sorted" >"$W/until.txt"
check_history "$W/until.txt" "--until alone, four weeks up to it: " --until "$(day -1)"
# --item: the acts and extras of one item, nothing else.
awk -F'|' '($3 == "act" || $3 == "extra") && $4 == 2' "$EXP.sorted" >"$W/item.txt"
check_history "$W/item.txt" "--item 2: " --item 2
awk -F'|' '($3 == "act" || $3 == "extra") && $4 == 4' "$EXP.sorted" >"$W/item4.txt"
json history --item 4 --no-discreet >/dev/null
is "--item 4: a private item's act and extra" "$(json history --item 4 | jget "$(cat)" 'len(d)')" \
        "$(wc -l <"$W/item4.txt")"

# --discreet: a private item's title and notes are not shown.
no_secret() {
        if [[ $2 == *"Something explicit"* || $2 == *"our secret"* ]]; then not_ok "$1"; diag "$2"; else ok "$1"; fi
}
no_secret "history --discreet" "$(ctl history --discreet)"
no_secret "history --json --discreet" "$(json history --discreet)"
is "--discreet: the category stands in for the title, the note is null" \
        "$(jget "$(json history --discreet --item 4)" '[(e["title"], e["note"], e["discreet"]) for e in d if e["kind"] == "extra"]')" \
        "[('lust', None, True)]"
like "history --discreet: the line of the private extra" "$(ctl history --discreet --item 4)" \
        "10:00  extra      lust \(item 4\): done, response 5/5"$'\n'
ctl set discreet on >/dev/null
no_secret "the setting discreet makes history discreet" "$(ctl history)"
like "--no-discreet shows it once" "$(ctl history --no-discreet)" "Something explicit"
ctl set discreet off >/dev/null

# Limits: strict dates, a window of at most 10 years, item IDs.
refuses "--since not a date" "--since must be a date YYYY-MM-DD, not 'last week'" ctl history --since "last week"
refuses "--until not a date" "--until must be a date YYYY-MM-DD, not '2026-12-9'" ctl history --until 2026-12-9
refuses "--since not a real date" "since must be a date YYYY-MM-DD, not '2026-02-30'" ctl history --since 2026-02-30
refuses "--since after --until" "since is after until" ctl history --since "$(day 0)" --until "$(day -1)"
refuses "more than 10 years" "more than 10 years" ctl history --since 2016-12-01 --until "$(day 0)"
check "10 years are answered" ctl history --since 2016-12-10 --until "$(day 0)"
refuses "--item not an ID" "'x' is not an item ID" ctl history --item x
refuses "history takes no arguments" "wrong number of arguments" ctl history now
rc=0; ctl history --since "last week" >/dev/null 2>&1 || rc=$?
is "a date typed wrong is a usage error (exit 2)" "$rc" 2
is "an empty window says so" "$(ctl history --since 2020-01-01 --until 2020-01-31)" "Nothing recorded in these days."
is "... and is an empty list in JSON" "$(json history --since 2020-01-01 --until 2020-01-31 | tr -d ' \n')" "[]"

# --- a long history: the reply is capped, and says so ---------------------------

stop_daemon
new_world long
"$GEN_FIXTURE" "$XDG_DATA_HOME/closer" "$TODAY" >"$W/fixture.out" 2>&1 <<'FX' || diag "gen-fixture: $(cat "$W/fixture.out")"
start warm -3600
phase steady
item affection 1 ok One
acts -3000 -1 1
FX
at 0 09:00
start=$(date +%s%N)
json history --since "$(day -3000)" --until "$(day -1)" >"$W/long.json" 2>"$W/long.err"
ms=$((($(date +%s%N) - start) / 1000000))
is "3000 days of acts: the first 2000 entries" \
        "$(jfile "$W/long.json" 'len(d), d[0]["date"], d[-1]["date"]')" "(2000, '$(day -3000)', '$(day -1001)')"
like "... and stderr says more were left out" "$(cat "$W/long.err")" \
        "^closerctl: only the first 2000 entries: narrow the window with --since and --until$"
if ((ms < 5000)); then ok "... in ${ms} ms"; else not_ok "... in ${ms} ms (want < 5 s)"; fi
json history --since "$(day -1000)" --until "$(day -1)" >"$W/rest.json" 2>"$W/rest.err"
is "the rest with --since, and nothing on stderr" "$(jfile "$W/rest.json" 'len(d)') $(cat "$W/rest.err")" "1000 "
stop_daemon
enter_world "$HW"
at 0 09:30

# --- list show: mine and my partner's -----------------------------------------

MINE=$(ctl --json list add "Coffee in the morning" --details "with oat milk" --category love | jget "$(cat)" 'd["id"]')
show=$(ctl list show "$MINE")
is "list show, mine" "$show" "Item $MINE on my list
  Title      Coffee in the morning
  Details    with oat milk
  Category   love, intensity 1 (gentle)
  Private    no
  Done       never"
is "list show --json, mine" \
        "$(jget "$(json list show "$MINE")" 'd["list"], d["title"], d["details"], d["done"], d["review"], d["response"], d["last_done"]')" \
        "('mine', 'Coffee in the morning', 'with oat milk', 0, None, None, None)"
ctl partner review 2 ok --note "at the door, not in the hall" >/dev/null
is "list show, my partner's: done, the average response, when last" "$(ctl list show 2)" "Item 2 on my partner's list
  Title      A long hug at the door
  Category   love, intensity 1 (gentle)
  Private    no
  Review     ok, note: at the door, not in the hall
  Done       2 times, average response 2.0/5, last on Thu 26 Nov"
is "list show --json, my partner's" \
        "$(jget "$(json list show 2)" 'd["list"], d["review"], d["note"], d["done"], d["response"], d["last_done"]')" \
        "('partner', 'ok', 'at the door, not in the hall', 2, 2.0, '2026-11-26')"
is "list show: once done, its average of the responses observed" \
        "$(jget "$(json list show 4 --no-discreet)" 'd["title"], d["done"], d["response"], d["last_done"], d["private"]')" \
        "('Something explicit', 2, 4.0, '2026-11-15', True)"
no_secret "list show --discreet" "$(ctl list show 4 --discreet)"
like "list show --discreet: the category stands in" "$(ctl list show 4 --discreet)" "Title      lust"
refuses "list show of an unknown item" "no item 999" ctl list show 999
refuses "list show needs an ID" "'x' is not an item ID" ctl list show x

# --- stats: the streak's window, plurals, the day's last mood, months ------------

st=$(json stats --weeks 1)
like "stats: the streak says its window and all time" "$(ctl stats --weeks 1)" \
        "Streak +0 days now, longest 0 days in this week, 2 all time"
is "stats --json: streak_longest_all" "$(jget "$st" 'd["streak_longest"], d["streak_longest_all"]')" "(0, 2)"
like "stats: in these 5 weeks" "$(ctl stats --weeks 5)" \
        "Streak +0 days now, longest 2 days in these 5 weeks, 2 all time"
like "stats: 1 week" "$(ctl stats --weeks 1)" "^The last 1 week, Mon 7 Dec to Wed 9 Dec"
like "stats: the acts line" "$(ctl stats --weeks 5)" \
        "Acts +6 done \(4 daily, 2 extras\), 1 rerolled, on 5 of 31 days"
like "stats: 1 extra, 1 day" "$(ctl stats --weeks 1 | grep '^Acts')" "0 done \(0 daily, 0 extras\), 0 rerolled, on 0 of 3 days"
like "stats: 1 act of a category" "$(ctl stats --weeks 4)" "love +1 act"$'\n'
like "stats: 2 acts of a category" "$(ctl stats --weeks 5)" "lust +2 acts  4.0"
is "stats: the day's mood is the last one recorded (3, then 5)" \
        "$(jget "$(json stats --weeks 5)" '[x.get("mood") for x in d["days"] if x["date"] == "'"$(day -27)"'"]')" "[5.0]"
like "stats --weeks 32: a column per week" "$(ctl stats --weeks 32)" $'\n'" +Mon "
m33=$(ctl stats --weeks 33)
like "stats --weeks 33: a column per month" "$m33" $'\nActs done +Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec\n +2026 +(·   ){7}░   · *\n'
[[ $m33 != *$'\n'"           Mon "* ]] && ok "... and no weekday rows" || not_ok "... and no weekday rows"
is "stats --weeks 33: monthly in JSON, the first month in part" \
        "$(jget "$(json stats --weeks 33)" '[(x["month"], x["days"], x["active_days"], x["acts"]) for x in d["monthly"]][-2:]')" \
        "[('2026-11-01', 30, 5, 6), ('2026-12-01', 9, 0, 0)]"

