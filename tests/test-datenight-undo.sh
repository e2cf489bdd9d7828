#!/bin/bash
# SPDX-License-Identifier: MIT
# Second chances for date nights (issue 16): datenight unskip, datenight log
# given again (the last outcome counts, every change an event), away
# listed and cancelled (its nights in person again, the make-ups it owed no
# longer owed), and a lowered ics.weeks trimming the plan and the calendar.
# Over the faked clock of tests/fakeclock.sh across days, TZ=Europe/Berlin;
# datenights.ics is read by tests/ics-check.py (python3-icalendar, vobject).
. "$(dirname "$0")/lib.sh"

TMPD=$(mktemp -d /tmp/closer-test.dnundo.XXXXXX)
_worlds+=("$TMPD")
# shellcheck source=tests/fakeclock.sh
. "$TESTS/fakeclock.sh"
export TZ=Europe/Berlin

# cal: datenights.ics as python3-icalendar reads it, {uid: [status, sequence]},
# once closerd's helper has rendered it;
# ics-check.py also makes sure vobject agrees.
cal() {
        ics_settled
        "$PY" "$TESTS/ics-check.py" "$XDG_DATA_HOME/closer/datenights.ics" |
                "$PY" -c 'import json, sys; print(json.dumps({e["uid"]: [e["status"], e["sequence"]] for e in json.load(sys.stdin)["icalendar"]}))'
}
db() { sqlite3 "$XDG_DATA_HOME/closer/closer.db" "$1" | paste -sd' '; }

###############################################################################
diag "--- away: the list, cancel, the make-ups no longer owed ---"
new_world away
start_at "2026-03-20 12:00:00"
check "datenight set --weekday fri --time 20:00" ctl datenight set --weekday fri --time 20:00
is "away with no period: an empty list" "$(jget "$(json away)" d)" "[]"
like "away with no period says so" "$(ctl away)" "No time apart"
like "away FROM TO prints the new period's ID" "$(ctl away 2026-03-25 2026-04-05)" "^Away period 1: apart from 2026-03-25 to 2026-04-05"
is "away --json FROM TO gives the ID" "$(jget "$(json away 2026-05-04 2026-05-06)" '(d["id"], d["from"], d["to"])')" \
        "(2, '2026-05-04', '2026-05-06')"
is "away --json lists the periods: ID, from, to, nights, make-ups owed" \
        "$(jget "$(json away)" '[(a["id"], a["from"], a["to"], a["nights"], a["makeups"]) for a in d]')" \
        "[(1, '2026-03-25', '2026-04-05', 2, 2), (2, '2026-05-04', '2026-05-06', 0, 0)]"
out=$(ctl away)
like "away lists them for people too" "$out" "Wed 25 Mar +Sun 5 Apr +2 +2"
refuses "away with one date" "FROM TO" ctl away 2026-03-25
refuses "away cancel of an unknown period" "no away period 99" ctl away cancel 99
refuses "away cancel of no ID" "not an away period ID" ctl away cancel x
r1=$(night 'n["start"].startswith("2026-03-27")' id)
r2=$(night 'n["start"].startswith("2026-04-03")' id)
m1=$(night "n.get('makeup_for') == $r1" uid)
m2=$(night "n.get('makeup_for') == $r2" uid)
c=$(cal)
is "the calendar has both make-ups" "$(jget "$c" "[d['$m1'][0], d['$m2'][0]]")" "['CONFIRMED', 'CONFIRMED']"
seq1=$(jget "$c" "d['$m1'][1]")
seq2=$(jget "$c" "d['$m2'][1]")

# A day later than the first remote night: that one is past and stays
# remote; its make-up has not happened, so it is no longer owed either.
clock_jump "2026-03-28 10:00:00"
check "the first remote night happened" ctl datenight log "$r1" happened
is "away cancel 1 --json: 1 night in person again, 2 make-ups no longer owed" \
        "$(jget "$(json away cancel 1)" '(d["id"], d["nights"], d["makeups"])')" "(1, 1, 2)"
is "the coming night of the period is in person again" "$(night "n['id'] == $r2" mode)" in-person
is "the past one stays as it was" "$(night "n['id'] == $r1" mode)/$(night "n['id'] == $r1" status)" remote/happened
is "both make-ups are no longer owed (skipped, as a re-plan does)" \
        "$(jget "$(json datenight)" 'sorted(n["status"] for n in d if n["mode"] == "makeup")')" "['skipped', 'skipped']"
is "today owes no make-up" "$(jget "$(json today)" 'd["makeups"]')" "[]"
c=$(cal)
is "in the calendar they are cancelled (kept, as for nights a re-plan removes)" \
        "$(jget "$c" "[d['$m1'][0], d['$m2'][0]]")" "['CANCELLED', 'CANCELLED']"
is "... with a higher SEQUENCE" "$(jget "$c" "d['$m1'][1] > $seq1 and d['$m2'][1] > $seq2")" True
is "the period is gone from the list" "$(jget "$(json away)" '[a["id"] for a in d]')" "[2]"
is "... and kept in the database, cancelled" "$(db 'SELECT id FROM aways WHERE cancelled IS NOT NULL')" 1
refuses "away cancel twice" "no away period 1" ctl away cancel 1
like "away cancel for people" "$(ctl away cancel 2)" "^Away period 2 cancelled: 0 date nights in person again, 0 make-ups no longer owed"
refuses "a make-up no longer owed is not unskipped" "no longer owed" ctl datenight unskip "$(night "n.get('makeup_for') == $r2" id)"
check "away FROM TO still works after a cancel" ctl away 2026-04-08 2026-04-12
is "its night is remote again and owes a make-up" \
        "$(jget "$(json datenight)" '[(n["start"][:10], n["mode"], n["status"]) for n in d if n["start"] >= "2026-04-09"][:2]')" \
        "[('2026-04-10', 'remote', 'planned'), ('2026-04-13', 'makeup', 'planned')]"
stop_daemon

###############################################################################
diag "--- datenight unskip ---"
new_world unskip
start_at "2026-03-20 12:00:00"
n1=$(night 'n["start"].startswith("2026-03-27")' id)
u1=$(night "n['id'] == $n1" uid)
refuses "unskip with nothing skipped" "no skipped date night ahead" ctl datenight unskip
refuses "unskip of a planned night" "is not skipped" ctl datenight unskip "$n1"
refuses "unskip of an unknown night" "no date night 9999" ctl datenight unskip 9999
refuses "unskip of no ID" "not a date night ID" ctl datenight unskip x
check "skip the night of 27 Mar" ctl datenight skip "$n1"
s_skip=$(jget "$(cal)" "d['$u1'][1]")
is "skipped: cancelled in the calendar" "$(jget "$(cal)" "d['$u1'][0]")" CANCELLED
is "datenight unskip (the next skipped one ahead)" "$(ctl datenight unskip)" "Date night $n1 planned again."
is "planned again" "$(night "n['id'] == $n1" status)" planned
c=$(cal)
is "no longer cancelled in the calendar" "$(jget "$c" "d['$u1'][0]")" CONFIRMED
is "... and its SEQUENCE is higher" "$(jget "$c" "d['$u1'][1] > $s_skip")" True
is "the skip and the undo are both recorded" "$(db "SELECT from_status || '>' || to_status FROM datenight_events WHERE night_id = $n1 ORDER BY id")" "0>3 3>0"
refuses "unskip again" "no skipped date night ahead" ctl datenight unskip
check "skip it again by ID" ctl datenight skip "$n1"
is "unskip --json ID" "$(jget "$(json datenight unskip "$n1")" '(d["id"], d["result"])')" "($n1, 'planned again')"
check "skip it once more" ctl datenight skip "$n1"
# Across days: once the night is over, the skip stands.
clock_jump "2026-03-28 09:00:00"
refuses "a skipped night that is over cannot be unskipped" "over or already decided" ctl datenight unskip "$n1"
is "it stays skipped" "$(night "n['id'] == $n1" status)" skipped
stop_daemon

###############################################################################
diag "--- datenight log, given again: the last one counts ---"
new_world log
start_at "2026-03-20 12:00:00"
n1=$(night 'n["start"].startswith("2026-03-20")' id)
n2=$(night 'n["start"].startswith("2026-03-27")' id)
clock_jump "2026-03-21 10:00:00"
check "log happened (the latest without an outcome)" ctl datenight log happened
is "happened" "$(night "n['id'] == $n1" status)" happened
is "log missed again, no ID: the latest with an outcome" "$(ctl datenight log missed)" "Date night $n1 missed."
is "the last one counts" "$(night "n['id'] == $n1" status)" missed
seq=$(night "n['id'] == $n1" sequence)
check "log missed a third time (the same: nothing changes)" ctl datenight log "$n1" missed
is "the same outcome again changes nothing" "$(night "n['id'] == $n1" sequence)" "$seq"
is "stats count the last outcome" "$(jget "$(json stats)" '(d["date_nights"]["happened"], d["date_nights"]["missed"])')" "(0, 1)"
# A week later, the next night: it is logged first, then the earlier one
# changes its mind again, by ID.
clock_jump "2026-03-28 10:00:00"
is "the next night is the default once it is over" "$(jget "$(json datenight log happened)" 'd["id"]')" "$n2"
check "the first one happened after all (by ID)" ctl datenight log "$n1" happened
is "stats: both happened" "$(jget "$(json stats)" '(d["date_nights"]["happened"], d["date_nights"]["missed"])')" "(2, 0)"
is "every change is an event, nothing deleted" \
        "$(db "SELECT night_id || ':' || from_status || '>' || to_status FROM datenight_events ORDER BY id")" \
        "$n1:0>1 $n1:1>2 $n2:0>1 $n1:2>1"
stop_daemon

###############################################################################
diag "--- a lowered ics.weeks trims the plan and the calendar ---"
new_world trim
start_at "2026-03-20 12:00:00"
check "ics.weeks 104" ctl set ics.weeks 104
regular() { jget "$(json datenight)" 'len([n for n in d if n["mode"] != "makeup"])'; }
is "104 weeks planned" "$(regular)" 104
far=$(night 'n["start"].startswith("2026-11-27")' id)
check "move a night far ahead by hand" ctl datenight move "$far" 2026-11-28 19:00
check "away far ahead (make-ups beyond the new horizon)" ctl away 2026-10-05 2026-10-11
mkuid=$(night 'n["mode"] == "makeup"' uid)
test -n "$mkuid" && ok "the far away period owes a make-up" || not_ok "the far away period owes a make-up"
trimmed=$(night 'n["start"].startswith("2027-06-04")' uid)
like "the calendar has the far nights" "$(jget "$(cal)" "'$trimmed' in d and '$mkuid' in d")" True
check "ics.weeks 4" ctl set ics.weeks 4
dn=$(json datenight)
is "the plan is 4 weeks long, and the night moved by hand stays" \
        "$(jget "$dn" '[(n["start"][:10], n["moved"]) for n in d]')" \
        "[('2026-03-20', False), ('2026-03-27', False), ('2026-04-03', False), ('2026-04-10', False), ('2026-11-28', True)]"
c=$(cal)
is "the calendar has exactly the nights of the plan" "$(jget "$c" 'sorted(d)')" "$(jget "$dn" 'sorted(n["uid"] for n in d)')"
is "the trimmed nights and make-ups are gone from it" "$(jget "$c" "'$trimmed' in d or '$mkuid' in d")" False
is "the away period has no nights in the plan any more" "$(jget "$(json away)" '[(a["nights"], a["makeups"]) for a in d]')" "[(0, 0)]"
# Across days: the horizon moves on by a week, and no further.
clock_jump "2026-03-30 09:00:00"
is "a week later: the next week is added, nothing beyond" \
        "$(jget "$(json datenight)" '[n["start"][:10] for n in d if n["start"] > "2026-03-30"]')" \
        "['2026-04-03', '2026-04-10', '2026-04-17', '2026-04-24', '2026-11-28']"
check "ics.weeks 30" ctl set ics.weeks 30
is "raised again: the weeks are planned anew, the away period remote again" \
        "$(jget "$(json datenight)" '[(n["start"][:10], n["mode"]) for n in d if "2026-10-05" < n["start"] < "2026-10-20"]')" \
        "[('2026-10-09', 'remote'), ('2026-10-12', 'makeup'), ('2026-10-16', 'in-person')]"
stop_daemon

done_testing
