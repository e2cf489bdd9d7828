#!/bin/bash
# SPDX-License-Identifier: MIT
# Second chances in the daily practice (issue 16): a setting given its
# current value changes nothing and says so, the ramp restarts only when
# asked, done twice says what it replaced, rerolls are visible in status.
source "$(dirname "$0")/lib.sh"

new_world practice
start_daemon
db="$XDG_DATA_HOME/closer/closer.db"
start_day() { sqlite3 "$db" "SELECT value FROM settings WHERE key = 'start.day'"; }

# ===== set KEY VALUE with the current value =====

is "start: the default, said so" "$(ctl set start cold)" \
        "start is already cold (closerctl ramp restart starts the ramp again)"
is "--json says nothing changed" "$(jget "$(json set start cold)" '(d["start"], d["changed"])')" "('cold', False)"
is "daily.time: the same value in another spelling" "$(ctl set daily.time 8:00)" "daily.time is already 08:00"
is "notify: yes is on" "$(ctl set notify yes)" "notify is already on"
is "a real change still says the value" "$(ctl set daily.time 09:30)" "daily.time = 09:30"
is "... and --json says it changed" "$(jget "$(json set daily.time 10:00)" 'd["changed"]')" True

# The ramp does not restart for the same start kind.
stop_daemon
sqlite3 "$db" "UPDATE settings SET value = value - 14 WHERE key = 'start.day'"
before=$(start_day)
start_daemon
check "set start cold again" ctl set start cold
stop_daemon
is "... the ramp did not restart" "$(start_day)" "$before"
start_daemon
is "... status still two weeks in" "$(jget "$(json status)" 'd["ramp_intensity"]')" 1

# ===== ramp restart =====

out=$(ctl ramp restart)
like "ramp restart says from when it widens" "$out" \
        "^The ramp starts again today \(start cold\): intensity up to 1; it widens again on [A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2}\.$"
# (closerd's database is read only while it is stopped: a running closerd
# keeps its write-ahead log to itself.)
is "... status: the cap widens three weeks from today (cold)" "$(jget "$(json status)" 'd["ramp_widens"]')" \
        "$(date -d '+21 days' +%F)"
stop_daemon
is "... the ramp's start is today" "$(start_day)" "$(($(date -u -d "$(date +%F)" +%s) / 86400))"
start_daemon
j=$(json ramp restart)
is "ramp restart --json" "$(jget "$j" '(d["intensity_cap"], d["start"], len(d["widens"]))')" "(1, 'cold', 10)"
is "... the day it widens, as status has it" "$(jget "$j" 'd["widens"]')" "$(jget "$(json status)" 'd["ramp_widens"]')"
check "set start warm" ctl set start warm
like "ramp restart with no ramp says so" "$(ctl ramp restart)" "^Start warm has no ramp"
is "... --json widens null" "$(jget "$(json ramp restart)" 'd["widens"]')" None
like "a bare ramp lists its commands" "$(ctl ramp)" "ramp restart"
refuses "ramp takes no arguments" "wrong number of arguments" ctl ramp restart now

# ===== done twice, rerolls in status =====

new_world partner
start_daemon
for t in "coffee in bed" "a long hug" "a walk" "a note in my bag"; do ctl list add "$t" >/dev/null; done
ctl list export "$W/list.ics" >/dev/null
enter_world "${_worlds[0]}"
check "import the partner's list" ctl partner import "${_worlds[1]}/list.ics"
check "today's act is picked" ctl today
is "no rerolls yet: status is quiet about them" "$(ctl status | grep -c Rerolls)" 0
is "... and --json says 0" "$(jget "$(json status)" 'd["rerolls_today"]')" 0
check "reroll" ctl reroll
is "status: 1 reroll today" "$(ctl status | grep Rerolls)" "Rerolls:     1 reroll today"
check "reroll again" ctl reroll
check "and again" ctl reroll
is "status: 3 rerolls today" "$(ctl status | grep Rerolls)" "Rerolls:     3 rerolls today"
is "--json: rerolls_today 3" "$(jget "$(json status)" 'd["rerolls_today"]')" 3

is "done" "$(ctl done --response 3)" "Done. Keep observing how it lands."
is "done again replaces the response, and says so" "$(ctl done --response 4)" "Response changed from 3 to 4."
is "done again with no response keeps it" "$(ctl done)" "Already done today; nothing else changed."
j=$(json done --response 5)
is "--json done again: what it replaced" "$(jget "$j" '(d["done"], d["again"], d["previous_response"], d["response"])')" \
        "(True, True, 4, 5)"
is "the act has the last response" "$(jget "$(json today)" 'd["act"]["response"]')" 5
refuses "reroll after done" "already done" ctl reroll

done_testing
