#!/bin/bash
# SPDX-License-Identifier: MIT
# Date nights out to a CalDAV server, and my partner's list in from one
# (issue 18), through the real engines of tests/caldav.sh: Radicale on
# 127.0.0.1 and vdirsyncer, one-shot (discover, sync).
# Out: closerd's vdir, synced with the config closerctl calendar --vdirsyncer
# prints (only the URL and status path filled in), puts exactly the events
# of closerctl --json datenight and promise on the server; a second sync
# uploads nothing; a move updates one resource; the server's copy parses in
# libical (tests/tools/icslint.c) and python3-icalendar.
# In: tasks PUT to Radicale as tasks.org writes them (no X- properties,
# SEQUENCE never raised, tags), pulled read-only by vdirsyncer into a vdir
# that closerd follows: the partner list follows each step, reviews kept,
# changed text back to review.
. "$(dirname "$0")/lib.sh"
. "$TESTS/caldav.sh"
dav_require

T=$(mktemp -d /tmp/closer-test.caldav-e2e.XXXXXX)
_worlds+=("$T")
export TZ=Europe/Berlin
ICSLINT=$TOP/$B/tests/icslint
make --no-print-directory -s -C "$TOP" B="$B" "$B/tests/icslint" >"$T/make.log" 2>&1 ||
        { echo "Bail out! cannot build $ICSLINT"; exit 1; }


new_world caldav
V=$XDG_DATA_HOME/closer/calendar
start_daemon
in_shell "Radicale starts" dav_start || { echo "Bail out! Radicale does not start"; exit 1; }
CAL=$(dav_mkcol date-nights calendar "Date nights")
TASKS=$(dav_mkcol love-list tasks "Love list")

# server: what the server holds, each resource fetched and parsed by
# python3-icalendar: {UID: [start, end, status, sequence]} (UTC ISO).
server() {
        local href
        mkdir -p "$T/server" && rm -f "$T/server"/*
        while read -r href _; do
                dav_get "$DAV_URL$href" >"$T/server/${href##*/}" || return 1
        done < <(dav_list "$CAL")
        "$PY" - "$T/server" <<'EOF'
import json, os, sys, icalendar
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    c = icalendar.Calendar.from_ical(open(os.path.join(sys.argv[1], name), "rb").read())
    for e in c.walk("VEVENT"):
        out[str(e["UID"])] = [e["DTSTART"].dt.isoformat(), e["DTEND"].dt.isoformat(), str(e.get("STATUS")), int(e.get("SEQUENCE", 0))]
print(json.dumps(out, sort_keys=True))
EOF
}
# want: the same from closerctl --json datenight and promise --all.
want() {
        "$PY" - "$(json datenight)" "$(json promise)" <<'EOF'
import json, sys
from datetime import datetime, timedelta, timezone
out = {}
utc = lambda s: datetime.fromisoformat(s).astimezone(timezone.utc).isoformat()
for n in json.loads(sys.argv[1]):
    out[n["uid"]] = [utc(n["start"]), utc(n["end"]), "CANCELLED" if n["status"] == "skipped" else "CONFIRMED", n["sequence"]]
for p in json.loads(sys.argv[2]):
    due = datetime.fromisoformat(p["due"])
    out[p["uid"]] = [utc(p["due"]), (due + timedelta(hours=1)).astimezone(timezone.utc).isoformat(),
                     "CANCELLED" if p["status"] in ("broken", "cancelled") else "CONFIRMED", p["sequence"]]
print(json.dumps(out, sort_keys=True))
EOF
}
vdir_has() { [[ $(ls "$V" 2>/dev/null | grep -c '\.ics$') == "$1" ]]; }
# settled_vdir N: the vdir holds N files, as closerd has them now.
calendar_settled() { settle "$(settled_mark)" >/dev/null; local _; for _ in $(seq 100); do [[ $(jget "$(json calendar)" 'd["events"]') == "$1" ]] && return 0; sleep 0.05; done; return 1; }
etags() { dav_list "$CAL"; }
changed_etags() { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | grep -c '^>'; }

diag "--- date nights out ---"
check "datenight set --weekday sat --time 19:30" ctl datenight set --weekday sat --time 19:30
n=$(jget "$(json datenight)" 'len(d)')
eventually "the vdir holds the $n nights" vdir_has "$n"
# The config closerctl prints, with the server's URL and a status path of
# the test's: nothing else changed.
mkdir -p "$DAV_ROOT/vs/out/status"
ctl calendar --vdirsyncer |
        sed -e "s|^status_path = .*|status_path = \"$DAV_ROOT/vs/out/status/\"|" \
                -e "s|^url = .*|url = \"$CAL\"|" \
                -e 's/closer_calendar/out/g' >"$DAV_ROOT/vs/out/config"
in_shell "vdirsyncer discover and sync with closerctl calendar --vdirsyncer's config" vs_sync out
is "the first sync uploads every event" "$(vs_count_uploads out remote)" "$n"
is "the server holds exactly the vdir's events, at the instants of closerctl datenight" "$(server)" "$(want)"
e0=$(etags)
in_shell "a second sync" vs_sync out
is "a second sync with nothing changed uploads nothing" \
        "$(vs_count_uploads out) $(vs_count_updates out) $(vs_count_deletes out)" "0 0 0"
is "... and no resource on the server changed" "$(changed_etags "$e0" "$(etags)")" 0

id=$(night 'n["status"] == "planned"' id)
next_day=$("$PY" -c 'import sys; from datetime import datetime, timedelta
print((datetime.fromisoformat(sys.argv[1]) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))' "$(night "n['id'] == $id" start)")
check "datenight move" ctl datenight move "$id" "$next_day"
sleep 0.3
settle "$(settled_mark)" >/dev/null
in_shell "sync after the move" vs_sync out
is "a move updates one resource" "$(vs_count_uploads out) $(vs_count_updates out remote)" "0 1"
e1=$(etags)
is "... one ETag on the server changed" "$(changed_etags "$e0" "$e1")" 1
is "the server agrees with closerctl datenight after the move" "$(server)" "$(want)"

id2=$(night "n['status'] == 'planned' and n['id'] != $id" id)
check "datenight skip" ctl datenight skip "$id2"
check "raincheck" ctl raincheck "$(date -d 'tomorrow 21:00' '+%Y-%m-%d %H:%M')" --what "massage"
calendar_settled $((n + 1))
in_shell "sync after a skip and a new rain check" vs_sync out
is "one update, one upload" "$(vs_count_updates out remote) $(vs_count_uploads out remote)" "1 1"
pid=$(jget "$(json promise)" 'd[0]["id"]')
check "promise kept" ctl promise kept "$pid"
sleep 0.3
settle "$(settled_mark)" >/dev/null
in_shell "sync after the rain check was kept" vs_sync out
is "a kept rain check: one update, nothing deleted" "$(vs_count_updates out remote) $(vs_count_deletes out)" "1 0"
is "the server holds the skipped night CANCELLED and the kept rain check CONFIRMED, as closerctl has them" "$(server)" "$(want)"
lint=0
for f in "$T/server"/*; do "$ICSLINT" "$f" >/dev/null 2>"$T/lint.err" || { lint=1; diag "$(cat "$T/lint.err")"; }; done
is "every resource on the server parses in libical" "$lint" 0

diag "--- a change on the phone is reverted: the folder is closerd's ---"
href=$(etags | head -1 | cut -d' ' -f1)
dav_get "$DAV_URL$href" | sed 's/^SUMMARY:.*/SUMMARY:Changed on the phone/' >"$T/phone.ics"
dav_put "$CAL" "${href##*/}" "$T/phone.ics" >/dev/null
in_shell "sync" vs_sync out
in_shell "sync" vs_sync out
is "the server's copy is closerd's again" "$(dav_get "$DAV_URL$href" | grep -c 'Changed on the phone')" 0
is "closerd's file was not touched" "$(grep -lc 'Changed on the phone' "$V"/*.ics 2>/dev/null | wc -l)" 0

diag "--- my partner's list in, from a phone ---"
P=$T/partner-list
vs_pull_config love "$P" "$TASKS"
put_task() { # put_task NAME KEY=VALUE...: a task PUT to the server as tasks.org does
        local name=$1
        shift
        vtodo_tasksorg "$T/$name.ics" "$@" >/dev/null && dav_put "$TASKS" "$name.ics" "$T/$name.ics" >/dev/null
}
put_task a uid=4101 summary="Breakfast in bed" categories=intimate
put_task b uid=4102 summary="A long walk" status=COMPLETED
put_task c uid=4103 summary="Dance in the kitchen" categories=fun
put_task d uid=4104 summary="Massage" categories=lust,explicit
in_shell "vdirsyncer pulls the task list" vs_sync love
is "four tasks arrive in the local vdir" "$(ls "$P" | grep -c '\.ics$')" 4
out=$(ctl partner follow "$P")
like "partner follow the pulled folder" "$out" "Following my partner's list in $P"
plist() { jget "$(json list partner)" 'dict(sorted((i["title"], [i["category"], i["intensity"], i["review"]]) for i in d))'; }
is "the partner list holds the four tasks: tags for category and intensity, a completed one too" "$(plist)" \
        "{'A long walk': ['affection', 1, 'new'], 'Breakfast in bed': ['affection', 2, 'new'], 'Dance in the kitchen': ['fun', 1, 'new'], 'Massage': ['lust', 3, 'new']}"
pid_of() { jget "$(json list partner)" "[i['id'] for i in d if i['title'] == '$1'][0]"; }
check "review Breakfast in bed ok" ctl partner review "$(pid_of 'Breakfast in bed')" ok
check "review Massage ok" ctl partner review "$(pid_of 'Massage')" ok
check "review A long walk ok" ctl partner review "$(pid_of 'A long walk')" ok

put_task a uid=4101 summary="Breakfast in bed, with coffee" categories=intimate
put_task d uid=4104 summary="Massage" categories=lust,explicit status=COMPLETED
dav_delete "${TASKS}c.ics"
in_shell "vdirsyncer pulls an edit, a completion and a deletion" vs_sync love
has() { [[ $(plist) == "$1" ]]; }
eventually "the partner list follows: edited text back to review, completed kept with its review, deleted removed" has \
        "{'A long walk': ['affection', 1, 'ok'], 'Breakfast in bed, with coffee': ['affection', 2, 'new'], 'Massage': ['lust', 3, 'ok']}"
grep -h '^SEQUENCE' "$P"/*.ics >"$T/seq" || true
is "the phone never raised SEQUENCE (the tasks carry none)" "$(wc -l <"$T/seq")" 0
is "the removed task keeps its history (a tombstone)" \
        "$(sqlite3 "$XDG_DATA_HOME/closer/closer.db" "SELECT removed FROM items WHERE uid = '4103'")" 1
j=$(json partner follow)
is "partner follow --json: 3 tasks, no problems" "$(jget "$j" '(d["follow_tasks"], d["follow_problems"])')" "(3, [])"
dav_assert_loopback

done_testing
