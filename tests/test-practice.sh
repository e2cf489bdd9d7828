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

# ===== today's act reviewed no or discuss after it was picked =====

new_world replace
start_daemon
check "import the partner's list again, elsewhere" ctl partner import "${_worlds[1]}/list.ics"
old=$(jget "$(json today)" 'd["act"]["item"]')
out=$(ctl partner review "$old" no)
like "a no on today's act picks another at once, and says so" "$out" \
        "^Item $old: no.
It was today's act: today's act is now item [0-9]+, .* \(closerctl today\)\.$"
j=$(json partner review "$old" no --note "after talking")
is "... a second review of it changes nothing more" "$(jget "$j" 'd["replaced"]')" False
refuses "done on the old act is refused until the new one was seen" "today's act changed after my review of item $old" \
        ctl done --response 4
new=$(jget "$(json today)" 'd["act"]["item"]')
[[ $new != "$old" ]] && ok "today shows another item ($old -> $new)" || not_ok "today shows another item"
is "not counted as a reroll" "$(jget "$(json status)" 'd["rerolls_today"]')" 0
check "done, now that it was seen" ctl done --response 4
is "the new act is the one done" "$(jget "$(json today)" '(d["act"]["item"], d["act"]["done"])')" "($new, True)"
other=$(jget "$(json list partner)" "[i['id'] for i in d if i['id'] not in ($old, $new)][0]")
is "a review of an item that is not today's act replaces nothing" \
        "$(jget "$(json partner review "$other" discuss)" 'd["replaced"]')" False
is "a done act stays when its item is reviewed no" "$(jget "$(json partner review "$new" no)" 'd["replaced"]')" False
stop_daemon
is "the replaced act left no skip behind" \
        "$(sqlite3 "$XDG_DATA_HOME/closer/closer.db" "SELECT count(*) FROM acts WHERE status = 2")" 0
start_daemon

# ===== partner forget =====

refuses "partner forget off a terminal needs --yes" "give --yes" ctl partner forget </dev/null
"$CLOSERCTL" partner forget </dev/null >/dev/null 2>&1
is "... exit 2" "$?" 2
is "... nothing forgotten" "$(jget "$(json list partner)" 'len(d)')" 4
like "partner forget --yes" "$(ctl partner forget --yes)" "^Forgot my partner's list \(4 items\); the acts done keep their titles"
is "list partner is empty" "$(jget "$(json list partner)" 'len(d)')" 0
is "the act done keeps its title" "$(jget "$(json today)" '(d["act"]["item"], d["act"]["done"], len(d["act"]["title"]) > 0)')" \
        "($new, True, True)"
is "status: no partner items" "$(jget "$(json status)" 'd["partner_items"]')" 0
is "partner forget --json with nothing left" "$(jget "$(json partner forget --yes)" 'd["forgotten"]')" 0
like "a list may come next, without --replace" "$(ctl partner import "${_worlds[1]}/list.ics")" "^Imported"

# ===== an undo is an event of its own, in history =====

rc=$(jget "$(json raincheck sat 18:00 --what walk)" 'd["promise"]')
for v in kept reopen cancel; do check "promise $v" ctl promise $v "$rc"; done
check "datenight skip" ctl datenight skip
check "datenight unskip" ctl datenight unskip
h=$(json history)
is "history: each resolution of the rain check and its undo, in order" \
        "$(jget "$h" "[e['event'] for e in d if e['kind'] == 'promise' and e['id'] == $rc]")" \
        "['made', 'kept', 'reopened', 'cancelled']"
is "history: the unskip of the night (its skip is the night's own entry)" \
        "$(jget "$h" "[(e['from'], e['to']) for e in d if e['kind'] == 'date_night_change']")" \
        "[('skipped', 'planned')]"
like "history, human: the undo" "$(ctl history)" "rain check $rc reopened, due .*walk"
like "history, human: the unskip" "$(ctl history)" "date night [0-9]+ planned \(was skipped\)"

done_testing
