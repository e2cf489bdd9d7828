#!/bin/bash
# SPDX-License-Identifier: MIT
# The iCalendar helper (daemon/icaljob.h): closerd never maps libical (nor
# ICU, nor libstdc++), yet exports and imports work; datenights.ics is not
# rendered again while nothing changed; the helper gets no descriptor of
# closerd's but its pipes; a helper that is missing, of another build,
# crashing or hanging costs one clear error, never the daemon, and closerd
# answers other calls while one hangs.
. "$(dirname "$0")/lib.sh"

new_world icalproc
A=$W

# A copy of closerd with its helper next to it: the helper can be swapped
# under the running daemon, as each piece of work runs it anew.
mkdir -p "$W/bin"
cp "$CLOSERD" "$TOP/$B/closerd-ical" "$W/bin/"
MOD=$W/bin/closerd-ical
cp "$MOD" "$W/good"
CLOSERD=$W/bin/closerd start_daemon
PID=$DAEMON_PID

# --- the working module ------------------------------------------------
check "list add" ctl list add "Kiss me every morning"
check "datenight set" ctl datenight set --weekday fri --time 20:00
like "export-ics - writes a calendar" "$(ctl export-ics - | head -1)" '^BEGIN:VCALENDAR'
check "list export" ctl list export "$W/mine.ics"
as_partner "$W/mine.ics"
out=$(ctl partner import "$W/mine.ics")
like "partner import of that file" "$out" "1 added"
# (A sanitizer runtime brings libstdc++ of its own.)
libs='libical|libicu|libstdc\+\+'
ldd "$CLOSERD" | grep -qE 'libasan|libubsan' && libs='libical|libicu'
maps=$(grep -oE "[^/ ]*($libs)[^/ ]*\$" "/proc/$PID/maps" | sort -u | tr '\n' ' ')
is "after exports and an import, closerd maps none of $libs" "$maps" ""
is "the library list of closerd names none of them" "$(ldd "$CLOSERD" | grep -cE "$libs")" 0

# datenights.ics: rendered by a helper only when its content changes.
ICS=$A/data/closer/datenights.ics
ics_settled
[[ -f $ICS ]] && ok "datenights.ics exists" || not_ok "datenights.ics exists"
fileid() { stat -c '%i %Y.%y' "$ICS" 2>/dev/null; }
before=$(fileid)
sleep 1.1
check "set daily.time (the schedule runs again, the calendar is the same)" settled ctl set daily.time 09:15
is "... datenights.ics is not rewritten" "$(fileid)" "$before"
rm -f "$ICS"
check "set daily.time again" settled ctl set daily.time 09:30
ics_settled
[[ -s $ICS ]] && ok "a removed datenights.ics is written again on the next run" ||
        not_ok "a removed datenights.ics is written again on the next run"
before=$(fileid)
sleep 1.1
check "datenight skip (the calendar changes)" settled ctl datenight skip
ics_settled
[[ $(fileid) != "$before" ]] && ok "... datenights.ics is rewritten" || not_ok "... datenights.ics is rewritten"
grep -q 'STATUS:CANCELLED' "$ICS" && ok "... with the skipped night cancelled" ||
        not_ok "... with the skipped night cancelled"
printf 'garbage\n' >"$ICS"
check "set daily.time once more" ctl set daily.time 09:45
ics_settled
like "a datenights.ics changed by someone else is written again" "$(head -1 "$ICS")" '^BEGIN:VCALENDAR'

# What the helper gets: stdin and stdout pipes, closerd's stderr, nothing
# else; no signal blocked or ignored. A stand-in that writes that down (and
# then fails the work: nothing changes).
# (fd 3 is the probe's own output, 255 the script bash reads.)
printf '%s\n' '#!/bin/bash' "exec 3>'$W/probe.out'" \
        "ls -l /proc/\$\$/fd/ >&3" \
        "grep -E '^Sig(Blk|Ign)' /proc/self/status >&3" 'cat >/dev/null' 'exit 3' >"$MOD"
refuses "probe: partner import fails" 'helper process died' ctl partner import "$W/mine.ics"
probe=$(awk '$1 ~ /^l/ { print $9, $11; next } { print }' "$W/probe.out" 2>/dev/null)
diag "the helper's descriptors and signals: $(tr '\n' ';' <<<"$probe")"
like "the helper's stdin is a pipe" "$probe" '(^|
)0 pipe:'
like "the helper's stdout is a pipe" "$probe" '
1 pipe:'
is "the helper has no descriptor above 2 of closerd's" \
        "$(grep -E '^[0-9]+ ' <<<"$probe" | awk '$1 > 3 && $1 != 255' | wc -l)" 0
like "no signal blocked in the helper" "$probe" 'SigBlk:[[:space:]]+0+($|
)'
like "no signal ignored in the helper" "$probe" 'SigIgn:[[:space:]]+0+($|
)'
cp "$W/good" "$MOD"

# --- broken helpers ------------------------------------------------------
partner_titles() { json list partner | "$PY" -c 'import json,sys; print(sorted(i["title"] for i in json.load(sys.stdin)))'; }
good_partner=$(partner_titles)
printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\nBEGIN:VTODO\nUID:new-1@x\nSUMMARY:Something new\nEND:VTODO\nEND:VCALENDAR\n' \
        >"$W/new.ics"

REMIND=30
# broken NAME REGEX LOGREGEX: every iCalendar call fails with one line
# matching REGEX, the log says LOGREGEX, nothing changes, the daemon serves.
broken() {
        local name=$1 re=$2 logre=$3
        local lines
        lines=$(wc -l <"$W/closerd.log")
        # A new calendar (the last one's text is kept and needs no child).
        REMIND=$((REMIND + 1))
        check "$name: set datenight.remind ${REMIND}min" ctl set datenight.remind "${REMIND}min"
        refuses "$name: export-ics" "$re" ctl export-ics -
        refuses "$name: list export" "$re" ctl list export "$W/out.ics"
        refuses "$name: partner import" "$re" ctl partner import "$W/new.ics"
        is "$name: the partner list is unchanged" "$(partner_titles)" "$good_partner"
        [[ ! -e $W/out.ics ]] && ok "$name: no export file was written" || not_ok "$name: no export file was written"
        like "$name: the log says why" "$(tail -n +$((lines + 1)) "$W/closerd.log")" "$logre"
        kill -0 "$PID" 2>/dev/null && ok "$name: closerd is still running" || not_ok "$name: closerd is still running"
        like "$name: closerd still answers" "$(ctl today 2>&1)" '^Today'
}

if [[ -e /usr/local/lib/closer/closerd-ical || -e $(dirname "$W")/lib/closer/closerd-ical ]]; then
        skip "helper missing: an installed closerd-ical would be found"
else
        rm -f "$MOD"
        broken "helper missing" 'CalendarFailed|closerd-ical is missing' 'closerd-ical is missing'
fi

cc_helper() {
        cc -std=gnu11 "$@" "$TESTS/data/badical.c" -o "$W/bad" 2>"$W/cc.err" && mv -f "$W/bad" "$MOD"
}
if cc_helper -DMODE_ABI; then
        broken "helper of another build" 'does not match' 'not the helper of this closerd'
else
        not_ok "cc badical.c -DMODE_ABI: $(head -3 "$W/cc.err")"
fi
if cc_helper -DMODE_CRASH; then
        broken "helper crashing" 'helper process died' 'iCalendar helper [0-9]+ was killed by signal 11'
else
        not_ok "cc badical.c -DMODE_CRASH: $(head -3 "$W/cc.err")"
fi
if cc_helper -DMODE_HANG; then
        start=$SECONDS
        ctl partner import "$W/new.ics" >"$W/hang.out" 2>&1 &
        hang=$!
        sleep 0.5
        # The loop does not wait for the helper: other calls are answered.
        t0=$(date +%s%N)
        like "helper hanging: closerd answers meanwhile" "$(ctl today 2>&1)" '^Today'
        ms=$((($(date +%s%N) - t0) / 1000000))
        ((ms < 3000)) && ok "helper hanging: ... at once ($ms ms)" || not_ok "helper hanging: ... at once ($ms ms)"
        wait "$hang"
        rc=$?
        ((rc != 0)) && ok "helper hanging: partner import fails after the time limit" ||
                not_ok "helper hanging: partner import fails after the time limit"
        like "helper hanging: ... saying so" "$(cat "$W/hang.out")" 'took too long'
        diag "the hanging helper was killed after $((SECONDS - start)) s"
        like "helper hanging: the log says so" "$(grep -v "^<7>" "$W/closerd.log" | tail -3)" 'took more than 10 s: killed'
        is "helper hanging: the partner list is unchanged" "$(partner_titles)" "$good_partner"
        like "helper hanging: closerd still answers" "$(ctl today 2>&1)" '^Today'
        sleep 0.2
        is "helper hanging: the helper is gone" "$(pgrep -P "$PID" | wc -l)" 0
        # closerd stopping with a helper hanging: the helper goes with it,
        # the caller gets an answer.
        REMIND=$((REMIND + 1))
        check "set datenight.remind ${REMIND}min (a new calendar)" ctl set datenight.remind "${REMIND}min"
        sleep 0.2
        ctl export-ics - >"$W/stop.out" 2>&1 &
        caller=$!
        sleep 0.5
        helpers=$(pgrep -P "$PID" | tr '\n' ' ')
        [[ -n $helpers ]] && ok "helper hanging: helpers run for datenights.ics and export-ics" ||
                not_ok "helper hanging: helpers run for datenights.ics and export-ics"
        stop_daemon
        wait "$caller"
        like "closerd stopped: the caller was answered" "$(cat "$W/stop.out")" 'closerd is stopping'
        left=0
        for h in $helpers; do kill -0 "$h" 2>/dev/null && left=$((left + 1)); done
        is "closerd stopped: its helpers are gone" "$left" 0
        cp "$W/good" "$MOD"
        CLOSERD=$W/bin/closerd start_daemon
        PID=$DAEMON_PID
else
        not_ok "cc badical.c -DMODE_HANG: $(head -3 "$W/cc.err")"
fi

# The helper back: everything works again.
cp "$W/good" "$MOD"
out=$(ctl partner import "$W/new.ics")
like "the helper back: partner import works" "$out" "1 added"
like "... and export-ics" "$(ctl export-ics - | head -1)" '^BEGIN:VCALENDAR'
stop_daemon
done_testing
