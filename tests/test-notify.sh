#!/bin/bash
# SPDX-License-Identifier: MIT
# Desktop notifications end to end: the real closerd against a recording
# notification server (tests/tools/notifyd) on a private session bus.
#
# - at daily.time the daily act's notification arrives, discreet for a
#   private item ("Today's act is ready: closerctl today"), with Done and
#   Another; a rain check's with Kept; date night and rain check
#   notifications never carry the what/where or an item's text;
# - the actions go through the core: Done marks the act done, Another
#   rerolls (and notifies again), Kept keeps the promise; actions of another
#   app's notification, of a notification a restarted server reused the ID
#   of, sent by a connection that is not the server, of yesterday's daily
#   act or of one superseded by `closerctl reroll` change nothing;
# - `set notify off`: no notifications, the D-Bus signals still go out; a
#   server without "actions": no actions offered;
# - no server at all: closerd carries on, says so once at debug level, and
#   the signals still go out (watched with `closerctl monitor --json`);
# - notify.reveal on: the late daily act's notification shows the title;
# - a public item of intensity 2 is as discreet as a private one, unless
#   notify.reveal is on.
#
# The clock is not faked: libfaketime's timerfd handling breaks sd-event
# (closerd exits with "Event loop failed: Invalid argument"). Each world
# gets instead a POSIX TZ whose offset (to the second) puts the local wall
# clock a few seconds before the moment under test: 08:59:50 before a
# daily.time of 09:00, 23:59:50 before midnight.
# shellcheck disable=SC2317 # helpers run through wait_for
# shellcheck disable=SC2119 # start_daemon without a prefix command
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

NOTIFYD=$TOP/$B/tests/notifyd
if [[ ! -x $NOTIFYD ]]; then
        echo "1..0 # SKIP no $B/tests/notifyd: make $B/tests/notifyd"
        exit 77
fi

NOTIFYD_PID='' MONITOR_PID=''
_notify_cleanup() {
        [[ -n $MONITOR_PID ]] && kill "$MONITOR_PID" 2>/dev/null
        [[ -n $NOTIFYD_PID ]] && kill "$NOTIFYD_PID" 2>/dev/null
        _cleanup
}
trap _notify_cleanup EXIT

# The partner's list: private items only (! lines), gentle enough for the
# first week of a cold start.
TITLES=("Undress me slowly by candlelight" "Whisper what you want tonight"
        "Oil massage, all of me" "Shower together before breakfast")
WHAT="explicit text"
WHERE="secret place"

# --- helpers ---

# wait_for SECONDS CMD...: until CMD succeeds; 1 when it never did.
wait_for() {
        local i
        for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
        return 1
}

# tz_at HH:MM:SS: a POSIX TZ in which the local time is HH:MM:SS now.
tz_at() {
        python3 - "$1" <<'PY'
import sys, time
h, m, s = map(int, sys.argv[1].split(":"))
off = (h * 3600 + m * 60 + s - int(time.time())) % 86400
if off > 43200:
    off -= 86400
a = abs(off)
# POSIX TZ: the offset is what to add to local time to get UTC.
print("TST%s%02d:%02d:%02d" % ("-" if off >= 0 else "+", a // 3600, a // 60 % 60, a % 60))
PY
}

# world NAME HH:MM:SS: a new world whose local clock reads HH:MM:SS now.
world() {
        new_world "$1"
        TZ=$(tz_at "$2")
        export TZ
        : >"$W/notify.log"
}

# start_notifyd [ARGS]: the recording server, commands through fd 7.
start_notifyd() {
        local n
        n=$(grep -c '^READY$' "$W/notify.log")
        rm -f "$W/notifyd.in"
        mkfifo "$W/notifyd.in"
        # Read-write: opening the FIFO does not wait for the other end.
        exec 7<>"$W/notifyd.in"
        "$NOTIFYD" "$@" <"$W/notifyd.in" >>"$W/notify.log" 2>>"$W/notifyd.err" &
        NOTIFYD_PID=$!
        wait_for 10 count_over '^READY$' "$n" ||
                { diag "notifyd did not start: $(cat "$W/notifyd.err")"; return 1; }
}

stop_notifyd() {
        [[ -n $NOTIFYD_PID ]] || return 0
        kill "$NOTIFYD_PID" 2>/dev/null
        wait "$NOTIFYD_PID" 2>/dev/null
        NOTIFYD_PID=
        exec 7>&-
        local i
        for i in $(seq 100); do server_owned || break; sleep 0.05; done
}

server_owned() {
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s org.freedesktop.Notifications 2>/dev/null | grep -q true
}

# count_over REGEX N: more than N lines of the notify log match.
count_over() { (($(grep -cE "$1" "$W/notify.log") > $2)); }

# nd COMMAND: a command to notifyd, done (its signals on the bus) on return.
nd() {
        local n
        n=$(grep -c '^PONG$' "$W/notify.log")
        printf '%s\nping\n' "$*" >&7
        wait_for 10 count_over '^PONG$' "$n" || diag "notifyd did not answer '$*'"
}

# notes SUMMARY: the NOTIFY lines of closer's notifications with SUMMARY.
notes() { grep -E "^NOTIFY id=[0-9]+ app=closer summary=$1 body=" "$W/notify.log"; }
n_notes() { notes "$1" | wc -l; }
notes_over() { (($(n_notes "$1") > $2)); }
note_id() { sed -E 's/^NOTIFY id=([0-9]+) .*/\1/' <<<"$1"; }
note_body() { sed -E 's/^.* body=(.*) actions=[^ ]*$/\1/' <<<"$1"; }
note_actions() { sed -E 's/^.* actions=([^ ]*)$/\1/' <<<"$1"; }
# rc_note ID: the last notification about rain check ID (it names the ID
# in the command to keep it).
rc_note() { notes "Rain check" | grep -E "kept $1([^0-9]|$)" | tail -1; }
has_rc_note() { [[ -n $(rc_note "$1") ]]; }
rc_notes_over() { (($(notes "Rain check" | grep -cE "kept $1([^0-9]|$)") > $2)); }

# foreign_notify ACTION...: another app's notification (busctl); its ID.
foreign_notify() {
        local out
        out=$(busctl --user call org.freedesktop.Notifications /org/freedesktop/Notifications \
                org.freedesktop.Notifications Notify -- 'susssasa{sv}i' other-app 0 "" "Other" "Not ours" \
                $# "$@" 0 -1 2>&1)
        echo "${out#u }"
}

# start_monitor: `closerctl monitor --json` into $W/monitor.log, listening
# for sure: a signal of closer's interface sent by busctl has come through.
start_monitor() {
        "$CLOSERCTL" --json monitor >"$W/monitor.log" 2>"$W/monitor.err" &
        MONITOR_PID=$!
        local i
        for i in $(seq 100); do
                busctl --user emit /io/github/closer/Closer1 io.github.closer.Closer1 Probe 2>/dev/null
                grep -q '"signal":"Probe"' "$W/monitor.log" 2>/dev/null && return 0
                sleep 0.1
        done
        diag "closerctl monitor does not listen: $(cat "$W/monitor.err")"
        return 1
}

stop_monitor() {
        [[ -n $MONITOR_PID ]] || return 0
        kill "$MONITOR_PID" 2>/dev/null
        wait "$MONITOR_PID" 2>/dev/null
        MONITOR_PID=
}

# signals PYTHON-EXPR: how many monitor lines d satisfy the expression.
signals() {
        python3 - "$W/monitor.log" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2]):
        n += 1
print(n)
PY
}
signal_seen() { (($(signals "$1") > 0)); }

today_field() { jget "$(json today)" "$1" 2>&1; }
act_clear() { [[ $(today_field 'd["act"]["done"]') == True ]]; }
item_not() { [[ $(today_field 'd["act"]["item"]') != "$1" ]]; }
promise_status() { jget "$(json promise)" "[p['status'] for p in d if p['id'] == $1][0]" 2>&1; }
promise_is() { [[ $(promise_status "$1") == "$2" ]]; }
raincheck() { jget "$(json raincheck "$@")" 'd["promise"]'; }
local_hms() { date +%H%M%S; }

# free_of DESC TEXT: no item title, no rain check what/where in TEXT.
free_of() {
        local t bad=
        for t in "${TITLES[@]}" "$WHAT" "$WHERE"; do [[ $1 == *"$t"* ]] && bad=$t; done
        if [[ -z $bad ]]; then ok "$2"; else
                not_ok "$2"
                diag "found: $bad"
                diag "in: $1"
        fi
}

log_free_of_titles() {
        local t bad=
        for t in "${TITLES[@]}"; do grep -qF "$t" "$W/closerd.log" && bad=$t; done
        if [[ -z $bad ]]; then ok "$1"; else
                not_ok "$1"
                diag "$(grep -F "$bad" "$W/closerd.log" | head -3)"
        fi
}

# import_list: the partner list into this world's daemon.
import_list() { ctl partner import "$LIST" >/dev/null; }

# partner_file FILE CLASS INTENSITY TITLE...: my partner's exchange file
# (my own export would be refused), one item per title.
partner_file() {
        local f=$1 class=$2 intensity=$3 i=0 t
        shift 3
        {
                printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//closer//closer list//EN\r\n'
                for t in "$@"; do
                        i=$((i + 1))
                        printf 'BEGIN:VTODO\r\nUID:notify-%s-%s@partner\r\nDTSTAMP:20260101T000000Z\r\n' "$class" "$i"
                        printf 'SUMMARY:%s\r\nCLASS:%s\r\nX-CLOSER-INTENSITY:%s\r\nEND:VTODO\r\n' "$t" "$class" "$intensity"
                done
                printf 'END:VCALENDAR\r\n'
        } >"$f"
}

# ===================== at daily.time, actions ==================
world notify 08:59:50
start_notifyd || { echo "Bail out! notifyd does not start"; exit 1; }
start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
start_monitor || { echo "Bail out! closerctl monitor does not listen"; exit 1; }
diag "local time at the start: $(date '+%F %T') (TZ=$TZ)"

LIST=$W/partner.ics
partner_file "$LIST" PRIVATE 1 "${TITLES[@]}"
check "set daily.time 09:00" ctl set daily.time 09:00
check "a date night at 09:00 today" ctl datenight set --weekday "$(LC_ALL=C date +%a)" --time 09:00
RC1=$(raincheck 09:00 --what "$WHAT" --where "$WHERE")
like "a rain check due at 09:00 with an explicit what and where" "$RC1" '^[0-9]+$'
check "import the partner list" import_list
partner=$(json list partner)
is "the partner list is private items only" "$(jget "$partner" '[i["private"] for i in d]')" \
        "[True, True, True, True]"

before=$(n_notes "Today's act")
if ((10#$(local_hms) < 90000)); then
        is "no daily act notification before daily.time" "$before" 0
else
        skip "setting up took past 09:00: cannot check that nothing came before daily.time"
fi

if wait_for 40 notes_over "Today's act" 0; then
        ok "the daily act's notification arrives at daily.time"
else
        not_ok "the daily act's notification arrives at daily.time"
        diag "notify log: $(cat "$W/notify.log")"
        tail -5 "$W/closerd.log" | sed 's/^/#   /'
fi
D1=$(notes "Today's act" | head -1)
D1_ID=$(note_id "$D1")
is "discreet text for a private item" "$(note_body "$D1")" "Today's act is ready: closerctl today"
free_of "$D1" "no item title in the daily act's notification"
like "app_name closer" "$D1" " app=closer "
is "Done and Another offered" "$(note_actions "$D1")" "done,Done,reroll,Another"
caps=$(grep -c '^CAPABILITIES$' "$W/notify.log") ours=$(grep -c '^NOTIFY id=[0-9]* app=closer ' "$W/notify.log")
if ((caps >= ours)); then ok "GetCapabilities before each Notify ($caps, $ours)"; else
        not_ok "GetCapabilities before each Notify ($caps calls, $ours notifications)"
fi
wait_for 10 signal_seen 'd["signal"] == "DailyAct"'
is "DailyAct went out on the bus, on time" "$(signals 'd["signal"] == "DailyAct" and d["late"] is False')" 1
ITEM1=$(today_field 'd["act"]["item"]')
is "today --json: the act is not done yet" "$(today_field 'd["act"]["done"]')" False

# Date night and rain check: nothing explicit, ever.
wait_for 10 notes_over "Date night" 1
dn=$(notes "Date night")
is "date night: the reminder and the start are notified" "$(wc -l <<<"$dn")" 2
free_of "$dn" "date night notifications: no item text, no what or where"
is "date night notifications offer no actions" "$(sed -E 's/^.* actions=//' <<<"$dn" | sort -u)" ""
wait_for 10 rc_notes_over "$RC1" 1
rc1=$(notes "Rain check" | grep -E "kept $RC1([^0-9]|$)")
is "rain check: PromiseSoon and PromiseDue are notified" "$(wc -l <<<"$rc1")" 2
free_of "$rc1" "rain check notifications: no what, no where"
is "rain check notifications offer Kept" "$(note_actions "$(tail -1 <<<"$rc1")")" "kept,Kept"
is "the signals do carry the what" "$(signals "d['signal'] in ('PromiseSoon', 'PromiseDue') and d['what'] == '$WHAT'")" 2

# Another app's notification with the same action keys changes nothing.
RC2=$(raincheck +20min)
wait_for 10 has_rc_note "$RC2" || diag "no notification for rain check $RC2"
RC2_ID=$(note_id "$(rc_note "$RC2")")
FOREIGN=$(foreign_notify "done" Done reroll Another kept Kept)
like "another app's notification" "$FOREIGN" '^[0-9]+$'
nd invoke "$FOREIGN" "done"
nd invoke "$FOREIGN" reroll
nd invoke "$FOREIGN" kept
# The sentinel: the same sender's later signal, so closerd has seen the above.
nd invoke "$RC2_ID" kept
if wait_for 10 promise_is "$RC2" kept; then ok "Kept on a rain check's notification keeps it"; else
        not_ok "Kept on a rain check's notification keeps it"
        diag "promise $RC2: $(promise_status "$RC2")"
fi
is "another app's done: the act is not done" "$(today_field 'd["act"]["done"]')" False
is "another app's reroll: the same act" "$(today_field 'd["act"]["item"]')" "$ITEM1"
is "another app's kept: the other rain check stays open" "$(promise_status "$RC1")" open
is "another app's reroll: no new daily act notification" "$(n_notes "Today's act")" 1

# ActionInvoked for our IDs, but not from the server that gave them.
RC2B=$(raincheck +21min)
wait_for 10 has_rc_note "$RC2B" || diag "no notification for rain check $RC2B"
emit_action() {
        busctl --user emit /org/freedesktop/Notifications org.freedesktop.Notifications ActionInvoked us "$1" "$2"
}
check "another connection sends ActionInvoked(daily act, done)" emit_action "$D1_ID" "done"
check "another connection sends ActionInvoked(rain check, kept)" emit_action "$(note_id "$(rc_note "$RC1")")" kept
nd invoke "$(note_id "$(rc_note "$RC2B")")" kept
wait_for 10 promise_is "$RC2B" kept || diag "the sentinel rain check $RC2B was not kept"
is "not from the server: the act is not done" "$(today_field 'd["act"]["done"]')" False
is "not from the server: the rain check stays open" "$(promise_status "$RC1")" open

nd invoke "$(note_id "$(rc_note "$RC1")")" kept
if wait_for 10 promise_is "$RC1" kept; then ok "Kept on the due rain check's notification"; else
        not_ok "Kept on the due rain check's notification"
        diag "promise $RC1: $(promise_status "$RC1")"
fi

# Another: a new act, notified again; then Done on that one.
nd invoke "$D1_ID" reroll
if wait_for 10 item_not "$ITEM1"; then ok "Another rerolls: today --json has another item"; else
        not_ok "Another rerolls: today --json has another item"
        diag "today: $(json today | tr -s ' \n' ' ')"
        tail -5 "$W/closerd.log" | sed 's/^/#   /'
fi
ITEM2=$(today_field 'd["act"]["item"]')
if wait_for 10 notes_over "Today's act" 1; then ok "the rerolled act is notified"; else
        not_ok "the rerolled act is notified"
fi
D2=$(notes "Today's act" | sed -n 2p)
is "the rerolled act's notification is discreet too" "$(note_body "$D2")" "Today's act is ready: closerctl today"
is "the rerolled act's notification offers Done and Another" "$(note_actions "$D2")" "done,Done,reroll,Another"
nd invoke "$(note_id "$D2")" "done"
if wait_for 10 act_clear; then ok "Done marks the act done (today --json act.done)"; else
        not_ok "Done marks the act done (today --json act.done)"
        diag "today: $(json today | tr -s ' \n' ' ')"
fi
is "Done marked the rerolled act" "$(today_field 'd["act"]["item"]')" "$ITEM2"

# notify off: the signal, no notification; on again: notified again.
check "set notify off" ctl set notify off
RC3=$(raincheck +15min)
wait_for 10 signal_seen "d['signal'] == 'PromiseSoon' and d['id'] == $RC3"
is "notify off: PromiseSoon still goes out" "$(signals "d['signal'] == 'PromiseSoon' and d['id'] == $RC3")" 1
check "set notify on" ctl set notify on
RC4=$(raincheck +25min)
if wait_for 10 has_rc_note "$RC4"; then ok "notify on again: notified"; else not_ok "notify on again: notified"; fi
# Asked for in order: had RC3 been notified, it would have come first.
is "notify off: no notification for that rain check" "$(rc_note "$RC3")" ""

# A restarted server hands out the IDs again: its ID N is not our old N.
RC4_ID=$(note_id "$(rc_note "$RC4")")
stop_notifyd
start_notifyd --first-id "$RC4_ID"
is "a new server gives another app the ID of our last notification" "$(foreign_notify kept Kept)" "$RC4_ID"
nd invoke "$RC4_ID" kept
RC5=$(raincheck +26min)
wait_for 10 has_rc_note "$RC5"
nd invoke "$(note_id "$(rc_note "$RC5")")" kept
wait_for 10 promise_is "$RC5" kept || diag "the sentinel rain check $RC5 was not kept"
is "a new server's notification with a reused ID: our rain check stays open" "$(promise_status "$RC4")" open

# A server without actions: none offered.
stop_notifyd
start_notifyd --no-actions --first-id 1000
RC6=$(raincheck +27min)
if wait_for 10 has_rc_note "$RC6"; then
        is "no actions capability: no actions offered" "$(note_actions "$(rc_note "$RC6")")" ""
else not_ok "no actions capability: still notified"; fi

# The server goes away: closerd carries on.
stop_notifyd
n0=$(grep -c 'No desktop notifications' "$W/closerd.log")
RC7=$(raincheck +28min)
RC8=$(raincheck +29min)
wait_for 10 signal_seen "d['signal'] == 'PromiseSoon' and d['id'] == $RC8"
is "server gone: PromiseSoon still goes out" \
        "$(signals "d['signal'] == 'PromiseSoon' and d['id'] in ($RC7, $RC8)")" 2
check "server gone: closerd still runs" kill -0 "$DAEMON_PID"
check "server gone: closerctl today works" ctl today
is "server gone: said once" "$(($(grep -c 'No desktop notifications' "$W/closerd.log") - n0))" 1
like "... at debug level" "$(grep 'No desktop notifications' "$W/closerd.log" | tail -1)" '^<7>'

log_free_of_titles "no private item's text in the log"
stop_monitor
if stop_daemon; then ok "closerd exits cleanly"; else not_ok "closerd exits cleanly"; fi

# ===================== rain checks owed to me: a gentle word ==================
world owed 12:00:00
start_notifyd || { echo "Bail out! notifyd does not start"; exit 1; }
start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
check "set partner.name Sam" ctl set partner.name Sam
# due_clock ID: the HH:MM a rain check is due at.
due_clock() { jget "$(json promise)" "[p['due'][11:16] for p in d if p['id'] == $1][0]"; }
MINE=$(raincheck +20min)
OWED=$(raincheck +21min --owed-by partner)
ADV=$(jget "$(json advance --by me declined --raincheck +22min)" 'd["promise"]')
wait_for 10 has_rc_note "$ADV" || diag "no notification for rain check $ADV"
wait_for 10 has_rc_note "$OWED" || diag "no notification for rain check $OWED"
wait_for 10 has_rc_note "$MINE" || diag "no notification for rain check $MINE"
is "mine: reminded as before" "$(note_body "$(rc_note "$MINE")")" \
        "A rain check is due in 30 minutes: closerctl promise kept $MINE once it is kept"
is "owed to me (raincheck --owed-by partner): gently, with the time" "$(note_body "$(rc_note "$OWED")")" \
        "Sam's rain check is at $(due_clock "$OWED"): closerctl promise kept $OWED once you had it"
is "owed to me (my advance declined): the same" "$(note_body "$(rc_note "$ADV")")" \
        "Sam's rain check is at $(due_clock "$ADV"): closerctl promise kept $ADV once you had it"
is "owed to me: Kept is offered too (it is kept together)" "$(note_actions "$(rc_note "$OWED")")" "kept,Kept"
check "partner.name unset" ctl set partner.name ""
NONAME=$(raincheck +23min --owed-by partner)
wait_for 10 has_rc_note "$NONAME" || diag "no notification for rain check $NONAME"
like "without partner.name: my partner's" "$(note_body "$(rc_note "$NONAME")")" "^My partner's rain check is at "
nd invoke "$(note_id "$(rc_note "$OWED")")" kept
if wait_for 10 promise_is "$OWED" kept; then ok "Kept on a rain check owed to me keeps it"; else
        not_ok "Kept on a rain check owed to me keeps it"
fi
stop_notifyd
if stop_daemon; then ok "closerd exits cleanly (owed)"; else not_ok "closerd exits cleanly (owed)"; fi

# ===================== no notification server at all ==================
world noserver 12:00:00
start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
start_monitor || { echo "Bail out! closerctl monitor does not listen"; exit 1; }
check "import the partner list (no notification server)" import_list
if wait_for 10 signal_seen 'd["signal"] == "DailyAct"'; then ok "no server: DailyAct still goes out"; else
        not_ok "no server: DailyAct still goes out"
fi
RC=$(raincheck +10min)
wait_for 10 signal_seen "d['signal'] == 'PromiseSoon' and d['id'] == $RC"
is "no server: PromiseSoon still goes out" "$(signals "d['signal'] == 'PromiseSoon'")" 1
check "no server: closerd still runs" kill -0 "$DAEMON_PID"
check "no server: closerctl today works" ctl today
is "no server: said once, at debug level" "$(grep -c '^<7>No desktop notifications' "$W/closerd.log")" 1
is "no server: nothing above debug about it" "$(grep -i 'notif' "$W/closerd.log" | grep -vc '^<7>')" 0
log_free_of_titles "no private item's text in the log (no server)"
stop_monitor
if stop_daemon; then ok "closerd exits cleanly (no server)"; else not_ok "closerd exits cleanly (no server)"; fi

# ===================== notify.reveal; yesterday's notification ==================
world reveal 23:59:50
start_notifyd || { echo "Bail out! notifyd does not start"; exit 1; }
start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
check "set notify.reveal on" ctl set notify.reveal on
check "import the partner list (daily.time long past)" import_list
if wait_for 10 notes_over "Today's act" 0; then ok "the late daily act is notified at once"; else
        not_ok "the late daily act is notified at once"
fi
N1=$(notes "Today's act" | head -1)
t=$(json today)
DAY1=$(jget "$t" 'd["date"]')
is "notify.reveal on: the real title" "$(note_body "$N1")" "$(jget "$t" 'd["act"]["title"]')"
like "... of a private item" "$(jget "$t" 'd["act"]["title"]')" "^($(IFS='|'; echo "${TITLES[*]}"))\$"

# Midnight: the notification of yesterday's act is still on the screen.
new_day() { [[ $(today_field 'd["date"]') != "$DAY1" ]]; }
if wait_for 30 new_day; then
        nd invoke "$(note_id "$N1")" "done"
        RC=$(raincheck +10min)
        wait_for 10 has_rc_note "$RC"
        free_of "$(rc_note "$RC")" "notify.reveal on: still no what or where in a rain check"
        nd invoke "$(note_id "$(rc_note "$RC")")" kept
        wait_for 10 promise_is "$RC" kept || diag "the sentinel rain check $RC was not kept"
        is "Done on yesterday's notification does not mark today's act done" \
                "$(today_field '(d["date"], d["act"] is not None and d["act"]["done"])')" "('$(date +%F)', False)"
else
        not_ok "midnight came (today --json date changed from $DAY1)"
fi
if stop_daemon; then ok "closerd exits cleanly (reveal)"; else not_ok "closerd exits cleanly (reveal)"; fi
stop_notifyd

# ===================== a public item above intensity 1 ==================
# The title only of a public item of intensity 1, unless notify.reveal.
GENTLE_TITLE="Kiss my neck in the kitchen"
for reveal in off on; do
        world "intimate-$reveal" 12:00:00
        start_notifyd || { echo "Bail out! notifyd does not start"; exit 1; }
        start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
        ctl set start warm >/dev/null # no ramp: intensity 2 may be picked
        ctl set notify.reveal "$reveal" >/dev/null
        partner_file "$W/intimate.ics" PUBLIC 2 "$GENTLE_TITLE"
        check "import a public intensity 2 item (notify.reveal $reveal)" ctl partner import "$W/intimate.ics"
        wait_for 10 notes_over "Today's act" 0 || diag "no daily act notification: $(cat "$W/notify.log")"
        body=$(note_body "$(notes "Today's act" | head -1)")
        if [[ $reveal == off ]]; then
                is "a public intensity 2 item: no title in the notification" "$body" \
                        "Today's act is ready: closerctl today"
        else
                is "a public intensity 2 item with notify.reveal on: the title" "$body" "$GENTLE_TITLE"
        fi
        if stop_daemon; then ok "closerd exits cleanly (intimate, $reveal)"; else
                not_ok "closerd exits cleanly (intimate, $reveal)"
        fi
        stop_notifyd
done

# ===================== a notification superseded by closerctl reroll ==================
world superseded 12:00:00
start_notifyd || { echo "Bail out! notifyd does not start"; exit 1; }
start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
ctl set notify.reveal on >/dev/null
check "import the partner list (superseded)" import_list
wait_for 10 notes_over "Today's act" 0 || diag "no daily act notification"
N1=$(notes "Today's act" | head -1)
ITEM1=$(today_field 'd["act"]["item"]')
check "closerctl reroll" ctl reroll
ITEM2=$(today_field 'd["act"]["item"]')
nd invoke "$(note_id "$N1")" "done"
RC=$(raincheck +10min)
wait_for 10 has_rc_note "$RC"
nd invoke "$(note_id "$(rc_note "$RC")")" kept
wait_for 10 promise_is "$RC" kept || diag "the sentinel rain check $RC was not kept"
diag "notified: item $ITEM1 (\"$(note_body "$N1")\"); after closerctl reroll: item $ITEM2"
is "Done on a notification superseded by closerctl reroll does not mark the new act done" \
        "$(today_field '(d["act"]["item"], d["act"]["done"])')" "($ITEM2, False)"
if stop_daemon; then ok "closerd exits cleanly (superseded)"; else not_ok "closerd exits cleanly (superseded)"; fi
stop_notifyd

done_testing
