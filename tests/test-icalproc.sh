#!/bin/bash
# SPDX-License-Identifier: MIT
# The iCalendar child (daemon/icalproc.h): closerd never maps libical (nor
# ICU, nor libstdc++), yet exports and imports work; datenights.ics is not
# rendered again while nothing changed; and a module that is missing, of
# another build, crashing or hanging costs one clear error, never the daemon.
. "$(dirname "$0")/lib.sh"

new_world icalproc
A=$W

# A copy of closerd with its module next to it: the module can be swapped
# under the running daemon, as each piece of work loads it anew.
mkdir -p "$W/bin"
cp "$CLOSERD" "$TOP/$B/closerd-ical.so" "$W/bin/"
MOD=$W/bin/closerd-ical.so
cp "$MOD" "$W/good.so"
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

# datenights.ics: rendered by a child only when its content changes.
ICS=$A/data/closer/datenights.ics
[[ -f $ICS ]] && ok "datenights.ics exists" || not_ok "datenights.ics exists"
fileid() { stat -c '%i %Y.%y' "$ICS" 2>/dev/null; }
before=$(fileid)
sleep 1.1
check "set daily.time (the schedule runs again, the calendar is the same)" settled ctl set daily.time 09:15
is "... datenights.ics is not rewritten" "$(fileid)" "$before"
rm -f "$ICS"
check "set daily.time again" settled ctl set daily.time 09:30
[[ -s $ICS ]] && ok "a removed datenights.ics is written again on the next run" ||
        not_ok "a removed datenights.ics is written again on the next run"
before=$(fileid)
sleep 1.1
check "datenight skip (the calendar changes)" settled ctl datenight skip
[[ $(fileid) != "$before" ]] && ok "... datenights.ics is rewritten" || not_ok "... datenights.ics is rewritten"
grep -q 'STATUS:CANCELLED' "$ICS" && ok "... with the skipped night cancelled" ||
        not_ok "... with the skipped night cancelled"
printf 'garbage\n' >"$ICS"
check "set daily.time once more" ctl set daily.time 09:45
like "a datenights.ics changed by someone else is written again" "$(head -1 "$ICS")" '^BEGIN:VCALENDAR'

# --- broken modules ------------------------------------------------------
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

if [[ -e /usr/local/lib/closer/closerd-ical.so || -e $(dirname "$W")/lib/closer/closerd-ical.so ]]; then
        skip "module missing: an installed closerd-ical.so would be found"
else
        rm -f "$MOD"
        broken "module missing" 'CalendarFailed|closerd-ical.so is missing' 'closerd-ical.so is missing'
fi

cc_module() {
        cc -shared -fPIC -std=gnu11 -D_GNU_SOURCE -DVERSION="\"$("$CLOSERD" --version | cut -d' ' -f2)\"" \
                -I"$TOP/daemon" "$@" "$TESTS/data/badical.c" -o "$W/bad.so" 2>"$W/cc.err" &&
                mv -f "$W/bad.so" "$MOD"
}
if cc_module -DMODE_ABI; then
        broken "module of another build" 'does not match' 'not the module of this closerd'
else
        not_ok "cc badical.c -DMODE_ABI: $(head -3 "$W/cc.err")"
fi
if cc_module -DMODE_CRASH; then
        # (A sanitizer's SIGSEGV handler makes it an exit instead.)
        broken "module crashing" 'child process died' 'iCalendar child [0-9]+ (was killed by signal 11|failed)'
        # Under valgrind, the children's deaths are in their own logs: expected.
        for log in "$W"/valgrind.*.log; do
                [[ -s $log ]] && grep -q 'signal 11' "$log" && rm -f "$log"
        done
else
        not_ok "cc badical.c -DMODE_CRASH: $(head -3 "$W/cc.err")"
fi
if cc_module -DMODE_HANG; then
        start=$SECONDS
        refuses "module hanging: partner import fails after the time limit" 'took too long' \
                ctl partner import "$W/new.ics"
        diag "the hanging child was killed after $((SECONDS - start)) s"
        like "module hanging: the log says so" "$(tail -3 "$W/closerd.log")" 'took more than 10 s: killed'
        is "module hanging: the partner list is unchanged" "$(partner_titles)" "$good_partner"
        like "module hanging: closerd still answers" "$(ctl today 2>&1)" '^Today'
        sleep 0.2
        is "module hanging: the child is gone" "$(pgrep -P "$PID" | wc -l)" 0
else
        not_ok "cc badical.c -DMODE_HANG: $(head -3 "$W/cc.err")"
fi

# The module back: everything works again, in the same daemon.
cp "$W/good.so" "$MOD"
out=$(ctl partner import "$W/new.ics")
like "the module back: partner import works in the same daemon" "$out" "1 added"
like "... and export-ics" "$(ctl export-ics - | head -1)" '^BEGIN:VCALENDAR'
is "... same closerd" "$DAEMON_PID" "$PID"
stop_daemon
done_testing
