#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs INSIDE the systemd that tests/test-systemd.sh boots with sdci, as the
# logged-in test user, against the installed closerd.service; prints what
# tests/sdci/session-lib.sh says.
# usage: user-session.sh MAN_SOURCES   (yes: the tree ships man pages)
# shellcheck disable=SC2317 # helpers run through wait_for
# shellcheck disable=SC2016 # wait_for eval '...' expands later, on purpose
# shellcheck source=tests/sdci/session-lib.sh
. "$(dirname "$0")/session-lib.sh"
MAN_SOURCES=${1:-no}
TITLE="Kiss me every morning"

# count_items: how many items titled $TITLE `closerctl --json list mine` has.
count_items() {
        local out
        out=$(timeout 10 closerctl --json list mine 2>&1) || { echo "closerctl failed: $out"; return; }
        python3 -c 'import json,sys; print(sum(i["title"] == sys.argv[1] for i in json.load(sys.stdin)))' \
                "$TITLE" <<<"$out" 2>&1
}
new_main_pid() {
        local p
        p=$(prop MainPID)
        [[ $p != 0 && $p != "$1" ]] && active
}
jmsgs() { journalctl --user -u closerd.service --no-pager -o cat "$@" 2>/dev/null; }

# --- closerctl monitor: started once, checked against the daemon before
# and after its restart ---
MON_JSON=$HOME/monitor.json MON_TEXT=$HOME/monitor.txt
MON_PIDS=()
probe_through() { grep -q Probe "$MON_JSON" 2>/dev/null && grep -q Probe "$MON_TEXT" 2>/dev/null; }
# start_monitors: `closerctl --json monitor` and `closerctl monitor` in the
# background, listening for sure: a signal of closer's interface sent by
# busctl (member Probe, not one of the daemon's) has reached both.
start_monitors() {
        closerctl --json monitor >"$MON_JSON" 2>&1 &
        MON_PIDS+=($!)
        closerctl monitor >"$MON_TEXT" 2>&1 &
        MON_PIDS+=($!)
        local i
        for ((i = 0; i < 100; i++)); do
                busctl --user emit /io/github/closer/Closer1 "$NAME" Probe 2>/dev/null
                probe_through && break
                sleep 0.1
        done
        if probe_through; then ok "closerctl monitor and monitor --json listen"; else
                not_ok "closerctl monitor and monitor --json listen"
                diag "json: $(cat "$MON_JSON")"
                diag "text: $(cat "$MON_TEXT")"
                return 1
        fi
}
stop_monitors() {
        local p
        for p in "${MON_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        MON_PIDS=()
}
# json_signal ID: the PromiseSoon line of rain check ID in the JSON output, checked.
json_signal() {
        python3 - "$MON_JSON" "$1" <<'PY' 2>&1
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)   # every line one JSON object
    if d.get("signal") == "PromiseSoon" and d.get("id") == int(sys.argv[2]):
        assert isinstance(d.get("due"), str) and d["due"], "no due time"
        print("found")
PY
}
text_signal() { grep -E "PromiseSoon.*id=$1([^0-9]|$)" "$MON_TEXT"; }
# monitor_shows WHAT: a rain check made now (PromiseSoon at once, being
# within half an hour) shows in both monitors.
monitor_shows() {
        local id out
        out=$(timeout 10 closerctl --json raincheck +5min 2>&1)
        id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["promise"])' <<<"$out" 2>/dev/null)
        if [[ -z $id ]]; then
                not_ok "closerctl raincheck +5min ($1)"
                diag "$out"
                return 1
        fi
        if wait_for 10 eval '[[ $(json_signal "$id") == found ]]'; then
                ok "closerctl monitor --json shows PromiseSoon from $1"
        else
                not_ok "closerctl monitor --json shows PromiseSoon from $1"
                diag "rain check $id; monitor --json printed:"
                diag "$(cat "$MON_JSON")"
                diag "$(json_signal "$id")"
        fi
        if wait_for 5 text_signal "$id" >/dev/null; then
                ok "closerctl monitor shows PromiseSoon from $1 as a readable line"
                diag "$(text_signal "$id" | head -1)"
        else
                not_ok "closerctl monitor shows PromiseSoon from $1 as a readable line"
                diag "$(cat "$MON_TEXT")"
        fi
}

service_checks() {
        # --- started with the user manager ("at login") ---
        wait_for 15 settled
        if active; then ok "closerd.service is active after login"; else
                not_ok "closerd.service is active after login"
                unit_diag
                return 1
        fi
        is "unit loaded from $UNIT_PATH" "$(prop FragmentPath)" "$UNIT_PATH"
        is "unit enabled (systemctl --global enable)" "$(prop UnitFileState)" enabled
        is "Type=dbus with BusName=$NAME" "$(prop Type) $(prop BusName)" "dbus $NAME"
        is "sd_notify status reaches systemd" "$(prop StatusText)" "Serving $NAME"

        local pid
        pid=$(prop MainPID)
        local st
        st=$(timeout 10 busctl --user status "$NAME" 2>&1)
        if [[ $st == *"PID=$pid"$'\n'* && $st == *"UserUnit=closerd.service"* && $st == *"Exe=/usr/bin/closerd"* ]]; then
                ok "busctl --user status $NAME: the unit's MainPID owns the name"
        else
                not_ok "busctl --user status $NAME: the unit's MainPID owns the name"
                diag "MainPID=$pid"
                diag "$st"
        fi
        local ps
        ps=$(grep -E '^(NoNewPrivs|Seccomp):' "/proc/$pid/status" | tr -s '\t ' ' ' | tr '\n' ' ')
        is "hardening in effect (NoNewPrivileges, seccomp filter)" "$ps" "NoNewPrivs: 1 Seccomp: 2 "

        # --- the client works against it ---
        check "closerctl list add" closerctl list add "$TITLE"
        is "closerctl --json list mine has the item" "$(count_items)" 1
        # The iCalendar work runs in the installed helper closerd-ical
        # (found from /usr/bin/closerd as ../lib/closer).
        is "closerctl export-ics - writes a calendar (the installed helper)" \
                "$(timeout 10 closerctl export-ics - 2>&1 | head -1 | tr -d '\r')" BEGIN:VCALENDAR
        is "... and the list export too" \
                "$(timeout 10 closerctl list export - 2>&1 | grep -c "^SUMMARY:$TITLE")" 1

        local d=$HOME/.local/share/closer
        is "data dir ~/.local/share/closer is 0700" "$(stat -c %a "$d" 2>&1)" 700
        is "closer.db is 0600" "$(stat -c %a "$d/closer.db" 2>&1)" 600
        local f
        for f in "$d"/closer.db-*; do
                [[ -e $f ]] && is "${f##*/} is 0600" "$(stat -c %a "$f")" 600
        done

        # --- closerctl monitor: a signal the daemon emits ---
        local monitoring=no
        start_monitors && monitoring=yes
        [[ $monitoring == yes ]] && monitor_shows "the daemon"

        # --- Restart=on-failure: SIGKILL the main process ---
        local n0
        n0=$(prop NRestarts)
        kill -9 "$pid"
        local t0=$SECONDS
        if wait_for 10 new_main_pid "$pid"; then
                ok "restarted after kill -9 (new MainPID $(prop MainPID), ~$((SECONDS - t0)) s)"
        else
                not_ok "restarted after kill -9"
                unit_diag
                return 1
        fi
        is "NRestarts went up by one" "$(prop NRestarts)" $((n0 + 1))
        is "the item survived the SIGKILL" "$(count_items)" 1
        # The same monitors: no sender filter that a restart would break.
        [[ $monitoring == yes ]] && monitor_shows "the restarted daemon"
        stop_monitors

        # --- stop, then D-Bus activation through SystemdService= ---
        check "systemctl --user stop closerd" systemctl --user stop closerd.service
        is "stopped cleanly (Result, exit code, status)" "$(prop Result) $(prop ExecMainCode) $(prop ExecMainStatus)" \
                "success 1 0"
        if wait_for 5 name_free; then
                ok "name released after stop"
        else not_ok "name released after stop"; fi
        if timeout 10 busctl --user list --activatable --no-legend 2>&1 | grep -q "^$NAME "; then
                ok "$NAME is activatable on the session bus"
        else not_ok "$NAME is activatable on the session bus"; fi
        is "closerctl activates it again; the item is there" "$(count_items)" 1
        if active; then ok "activated through systemd: closerd.service is active again"; else
                not_ok "activated through systemd: closerd.service is active again"
                unit_diag
        fi
        st=$(timeout 10 busctl --user status "$NAME" 2>&1)
        if [[ $st == *"UserUnit=closerd.service"* && $st == *"PID=$(prop MainPID)"$'\n'* ]]; then
                ok "the activated daemon runs in closerd.service"
        else
                not_ok "the activated daemon runs in closerd.service"
                diag "$st"
        fi

        # --- the journal keeps the daemon's levels ---
        local serving="serving $NAME"
        if wait_for 3 eval 'jmsgs -p info | grep -q "$serving"'; then
                ok "journalctl -p info shows the serving line"
        else
                not_ok "journalctl -p info shows the serving line"
                diag "$(journalctl --user -u closerd.service --no-pager -n 10 2>&1)"
        fi
        if jmsgs -p notice | grep -q "$serving"; then not_ok "serving is logged at info, not above"; else
                ok "serving is logged at info, not above"
        fi
        if jmsgs | grep -q '^<[0-7]>'; then
                not_ok "no raw <N> prefixes in the journal"
                diag "$(jmsgs | grep '^<[0-7]>' | head -3)"
        else ok "no raw <N> prefixes in the journal"; fi
        # A second daemon logs its refusal at err.
        timeout 10 systemd-run --user --wait -q --unit=closerd-second /usr/bin/closerd >/dev/null 2>&1
        if wait_for 3 eval 'journalctl --user -u closerd-second --no-pager -o cat -p err 2>/dev/null |
                grep -q "Another closerd already owns"'; then
                ok "a second closerd's refusal is in the journal at err"
        else
                not_ok "a second closerd's refusal is in the journal at err"
                diag "$(journalctl --user -u closerd-second --no-pager -o cat 2>&1 | tail -5)"
        fi
        active || { not_ok "the first closerd survived the second one"; unit_diag; }

        # --- the watchdog: WatchdogSec=2s in a drop-in, the daemon must ping ---
        local dd=$HOME/.config/systemd/user/closerd.service.d
        mkdir -p "$dd"
        printf '[Service]\nWatchdogSec=2s\n' >"$dd/watchdog.conf"
        systemctl --user daemon-reload
        check "restart with WatchdogSec=2s" systemctl --user restart closerd.service
        pid=$(prop MainPID)
        local w0 n1
        w0=$(prop WatchdogTimestampMonotonic)
        n1=$(prop NRestarts)
        sleep 4.5
        if active && [[ $(prop MainPID) == "$pid" && $(prop NRestarts) == "$n1" ]]; then
                ok "alive after 4.5 s with WatchdogSec=2s (same MainPID)"
        else
                not_ok "alive after 4.5 s with WatchdogSec=2s (same MainPID)"
                unit_diag
        fi
        if [[ $(prop MainPID) == "$pid" && $(prop WatchdogTimestampMonotonic) != "$w0" ]]; then
                ok "watchdog pings arrive"
        else
                not_ok "watchdog pings arrive"
        fi
        rm -rf "$dd"
        systemctl --user daemon-reload
        return 0
}

service_checks || diag "closerd.service is not running: skipped the checks that need it"
stop_monitors

# --- systemd-analyze verify on the installed unit ---
out=$(timeout 20 systemd-analyze --user verify "$UNIT_PATH" 2>&1)
rc=$?
# Documentation=man:... is checked by running man(1); keep those lines apart.
manlines=$(grep -E "Command 'man [^']*' failed" <<<"$out")
rest=$(grep -vE "Command 'man [^']*' failed" <<<"$out")
if [[ -z $rest ]]; then ok "systemd-analyze --user verify: nothing about the unit itself"; else
        not_ok "systemd-analyze --user verify: nothing about the unit itself"
        diag "exit $rc"
        diag "$rest"
fi
if [[ -z $manlines ]]; then
        ok "systemd-analyze --user verify: Documentation= man pages found"
elif ! command -v man >/dev/null; then
        skip "man(1) not installed: verify cannot check Documentation="
elif [[ $MAN_SOURCES == yes ]]; then
        not_ok "systemd-analyze --user verify: Documentation= man pages found"
        diag "$manlines"
        diag "the tree has man pages, but make install did not put them where man(1) finds them"
else
        skip "Documentation= names man pages the tree does not have yet"
        diag "$manlines"
fi

finish
