#!/bin/bash
# SPDX-License-Identifier: MIT
# The daily act and its schedule (issue 4; SPEC 3 "Daily act", "Lapse",
# "Pause", SPEC 4): the real closerd on a private bus, on a faked clock, its
# signals watched with tests/tools/siglog. Several faked days, restarts, a
# daemon down for a day, clock jumps both ways, DST in Berlin and New York,
# a time zone change under a private mount namespace, pause and resume,
# lapses, the ramp, today/done/reroll/extra/mood on the command line, and an
# idle daemon that makes no system call at all.
#
# Faked time, what was found (Debian bookworm, libfaketime 0.9.10):
# - libfaketime cannot drive closerd. Its timerfd_settime maps every absolute
#   deadline as if it were CLOCK_REALTIME ("only CLOCK_REALTIME is handled";
#   it does not hook timerfd_create, so it cannot know a timerfd's clock;
#   upstream: wolfcw/libfaketime#378, open).
#   sd-event also arms CLOCK_MONOTONIC timerfds: sd-bus's call timeouts and its
#   "dispatch now" (an absolute deadline of 1 ns). With a fake time in the past
#   that deadline lands months ahead and the daemon never reads its bus again
#   (it takes its name, then every call times out after 25 s); with a fake time
#   in the future it is negative and timerfd_settime fails with EINVAL; with a
#   rate ("+0 x60") it is garbage. Only FAKETIME="+0" works, i.e. no fake.
#   FAKETIME_DONT_FAKE_MONOTONIC=1 does not change this (it only affects
#   clock_gettime), nor does the wrapper vs LD_PRELOAD+FAKETIME.
# - What does work in libfaketime: CLOCK_REALTIME timerfds are translated
#   correctly, also with a rate ("@2026-03-28 20:00:00 x60": a deadline 600
#   fake seconds ahead fires after 10 real seconds); time(), clock_gettime()
#   and sd_event_now() agree. FAKETIME_FMT=%s with "@EPOCH x60" avoids any
#   time zone reading of the start time.
# - TFD_TIMER_CANCEL_ON_SET: never fires for a faked jump (the kernel clock
#   does not move). closerd arms it at TIME_T_MAX: under a fake time in the
#   past libfaketime overflows that to EINVAL (no clock watch); with a rate it
#   overflows to "already expired" (read() returns 8, not ECANCELED).
# - The faketime wrapper forks: it does not forward SIGTERM, so stopping
#   `faketime ... closerd` by the wrapper's PID orphans the daemon (and leaves
#   /dev/shm/faketime_* behind). FAKETIME_NO_CACHE=1 + FAKETIME_TIMESTAMP_FILE
#   ("@..." in the file) moves a running process's clock, but nothing tells a
#   sleeping daemon, and a "@" start is per process, so two processes (daemon,
#   signal logger) never share one faked clock; sleeps under a rate are scaled
#   too, so the test shell itself must never run faked.
# So closerd runs under tests/data/fakeclock.c (LD_PRELOAD, built here): it
# fakes CLOCK_REALTIME only, from a file "REAL FAKE RATE" ($W/clock/now) that
# every process of a world shares (closerd and siglog agree to the
# nanosecond), maps CLOCK_REALTIME timerfd deadlines, and when the file is
# replaced re-arms them and emulates TFD_TIMER_CANCEL_ON_SET (read() fails with
# ECANCELED), so a jump, forward or back, reaches a running daemon as a real
# clock change would. closerctl runs unfaked: it has no time logic.
#
# No assertion on real time: only counts, order and content; every wait is a
# poll with a generous deadline. Faked times carry their UTC offset.
. "$(dirname "$0")/lib.sh"

SIGLOG=$TOP/$B/tests/siglog
TMPD=$(mktemp -d /tmp/closer-test.daily.XXXXXX)
_worlds+=("$TMPD")
_pids=()
_daily_cleanup() {
        local p
        for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
        _cleanup
}
trap _daily_cleanup EXIT

# --- tools ---
if ! make --no-print-directory -s -C "$TOP" B="$B" "$B/tests/siglog" >"$TMPD/make.log" 2>&1; then
        not_ok "build $B/tests/siglog"
        sed 's/^/#   /' "$TMPD/make.log" | head -20
        done_testing
fi
# shellcheck source=tests/fakeclock.sh
. "$TESTS/fakeclock.sh"

# --- the faked clock of the current world ---

# set_rate RATE: the same faked time, another speed (not a jump).
set_rate() {
        local n
        n=$(date +%s.%N)
        awk -v n="$n" -v r="$1" '{ printf "%s %.6f %s\n", n, $2 + (n - $1) * $3, r }' "$W/clock/now" \
                >"$W/clock/.next" && mv -f "$W/clock/.next" "$W/clock/now"
}

fake_now() { awk -v n="$(date +%s.%N)" '{ printf "%.3f\n", $2 + (n - $1) * $3 }' "$W/clock/now"; }

# wait_until WHEN [TIMEOUT]: waits (real time) until the faked clock is past WHEN.
wait_until() {
        local t deadline=$((SECONDS + ${2:-60}))
        t=$(date -d "$1" +%s) || return 1
        while awk -v f="$(fake_now)" -v t="$t" 'BEGIN { exit !(f < t) }'; do
                if ((SECONDS > deadline)); then
                        diag "the faked clock did not reach $1 (it reads $(date -d "@$(fake_now)"))"
                        return 1
                fi
                sleep 0.05
        done
}

# jump WHEN [RATE]: moves the running daemon's clock and waits until it has
# recomputed its schedule (it logs its next wake-up each time).
jump() {
        local before i
        before=$(wakeups)
        set_clock "$@"
        for i in $(seq 100); do (($(wakeups) > before)) && return 0; sleep 0.05; done
        diag "closerd did not react to the clock jump to $1"
        return 1
}

# A sanitizer build's runtime wants to come first; fakeclock.so does not
# mind coming before it.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

restart_faked() {
        stop_daemon || not_ok "closerd exits with status 0 on SIGTERM (got $?)"
        start_faked
}

# --- the signals of the current world ---

start_siglog() {
        env LD_PRELOAD="$FAKECLOCK" FAKECLOCK_FILE="$W/clock/now" "$SIGLOG" >"$W/sig.log" 2>"$W/siglog.err" &
        SIGLOG_PID=$!
        _pids+=("$SIGLOG_PID")
        local i
        for i in $(seq 100); do grep -q '^READY$' "$W/sig.log" && return 0; sleep 0.05; done
        diag "siglog did not start: $(cat "$W/siglog.err")"
        return 1
}

stop_siglog() { kill "$SIGLOG_PID" 2>/dev/null && wait "$SIGLOG_PID" 2>/dev/null; }

# count REGEX: signal lines matching
count() { grep -cE "$1" "$W/sig.log"; }
acts() { count "^DailyAct ${1:-}"; }
lapses() { count '^Lapse '; }

# wait_count REGEX N [TIMEOUT]: until N signal lines match.
wait_count() {
        local deadline=$((SECONDS + ${3:-30}))
        while (($(count "$1") < $2)); do
                if ((SECONDS > deadline)); then
                        diag "waited in vain for $2 signal(s) /$1/; the log:"
                        grep -v READY "$W/sig.log" | tail -5 | sed 's/^/#   /'
                        return 1
                fi
                sleep 0.05
        done
}

# After the faked clock passed a moment: one round trip to the daemon, then
# a moment for siglog to print what went out before it.
settle() {
        ctl get daily.time >/dev/null 2>&1
        sleep 0.3
}

# act DATE: parses the last DailyAct of DATE into A_ITEM A_TITLE A_CATEGORY
# A_PRIVATE A_LATE A_TIME (the faked time siglog read it at).
ACT_RE='^DailyAct ([0-9-]+) ([0-9]+) ("([^"\\]|\\.)*"|[^ ]+) ([a-z]+) (true|false) (true|false) @([^ ]+)$'
act() {
        local line
        line=$(grep -E "^DailyAct $1 " "$W/sig.log" | tail -1)
        A_ITEM='' A_TITLE='' A_CATEGORY='' A_PRIVATE='' A_LATE='' A_TIME=''
        [[ $line =~ $ACT_RE ]] || return 1
        A_ITEM=${BASH_REMATCH[2]} A_TITLE=${BASH_REMATCH[3]} A_CATEGORY=${BASH_REMATCH[5]}
        A_PRIVATE=${BASH_REMATCH[6]} A_LATE=${BASH_REMATCH[7]} A_TIME=${BASH_REMATCH[8]}
        A_TITLE=${A_TITLE#\"} A_TITLE=${A_TITLE%\"}
}

# mkics N1 N2 N3: a partner's list exchange file (SPEC 7) with N1 items of
# intensity 1, N2 of 2 and N3 of 3 (private).
mkics() {
        local cats=(affection love fun lust) i=0 n k
        printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//closer tests//daily//EN\r\n'
        for n in 1 2 3; do
                for ((k = 0; k < ${!n}; k++)); do
                        i=$((i + 1))
                        printf 'BEGIN:VTODO\r\nUID:daily-%d@closer.test\r\nDTSTAMP:20260101T000000Z\r\n' "$i"
                        printf 'SUMMARY:Act %d of intensity %d\r\nCATEGORIES:%s\r\nCLASS:%s\r\n' \
                                "$i" "$n" "${cats[$((i % 4))]}" "$([[ $n == 3 ]] && echo PRIVATE || echo PUBLIC)"
                        printf 'SEQUENCE:0\r\nLAST-MODIFIED:20260101T000000Z\r\nX-CLOSER-INTENSITY:%d\r\nEND:VTODO\r\n' "$n"
                done
        done
        printf 'END:VCALENDAR\r\n'
}
mkics 14 3 2 >"$TMPD/partner.ics"

# ======================================================================
# Idle: nothing due for an hour, no system call at all over 20 seconds.
# Started first and traced in the background while the rest runs.
# ======================================================================
export TZ=Europe/Berlin
new_world idle
IDLE_W=$W
TRACER_PID='' TRACER=''
start_daemon
IDLE_PID=$DAEMON_PID
DAEMON_PID=
_pids+=("$IDLE_PID")
ctl set daily.time "$(date -d '+3 hours' +%H:%M)" >/dev/null
ctl datenight set --weekday "$(LC_ALL=C date -d '+3 days' +%a | tr '[:upper:]' '[:lower:]')" --time 20:00 >/dev/null
st=$(json status)
far=$(jget "$st" '[k for k in ("next_daily_act", "next_date_night") if d.get(k) and __import__("datetime").datetime.fromisoformat(d[k]).timestamp() - __import__("time").time() < 7200]')
is "idle: nothing is due in the next two hours (status)" "$far" "[]"
sleep 1
# DAILY_TRACER=strace forces the fallback.
if [[ ${DAILY_TRACER:-perf} == perf ]] && perf trace -o /dev/null -- true >/dev/null 2>&1; then
        TRACER=perf
        timeout -s INT 20 perf trace -p "$IDLE_PID" -o "$TMPD/idle.trace" 2>"$TMPD/idle.err" &
        TRACER_PID=$!
elif command -v strace >/dev/null; then
        TRACER=strace
        TRACE_START=$(date +%s.%N)
        timeout -s INT 20 strace -f -ttt -p "$IDLE_PID" -o "$TMPD/idle.trace" 2>"$TMPD/idle.err" &
        TRACER_PID=$!
fi

# ======================================================================
# One world in Berlin through April 2026: the act, its commands, days,
# restarts, jumps, pause and lapse.
# ======================================================================
new_world daily
set_clock "2026-04-06 07:00:00 +0200"
start_faked
start_siglog

out=$(ctl today)
like "today without a partner list says why instead of an act" "$out" "No act today:.*partner list"
t=$(json today)
is "today --json without a partner list: act is null" "$(jget "$t" '(d["date"], d["act"])')" "('2026-04-06', None)"
check "import the partner's list" ctl partner import "$TMPD/partner.ics"
st=$(json status)
is "status: the default start (cold) caps the ramp at intensity 1" "$(jget "$st" '(d["start"], d["ramp_intensity"])')" "('cold', 1)"

t=$(json today)
is "today --json has the SPEC 6 keys" \
        "$(jget "$t" '[k for k in ("date", "act", "date_night", "promises") if k not in d]')" "[]"
is "today --json act has item, title, category, intensity, done, twist" \
        "$(jget "$t" '[k for k in ("item", "title", "category", "intensity", "done", "twist") if k not in d["act"]]')" "[]"
is "today --json field types and values" \
        "$(jget "$t" '(d["date"], type(d["act"]["item"]).__name__, type(d["act"]["title"]).__name__, d["act"]["category"] in ("affection", "love", "lust", "fun"), d["act"]["intensity"], d["act"]["done"], d["act"]["twist"], type(d["promises"]).__name__)')" \
        "('2026-04-06', 'int', 'str', True, 1, False, None, 'list')"
A=$(jget "$t" 'd["act"]["item"]')
A_T=$(jget "$t" 'd["act"]["title"]')
A_C=$(jget "$t" 'd["act"]["category"]')
partner=$(json list partner)
is "the act is an item of the partner's list, with its title and category" \
        "$(jget "$partner" "[(i['title'], i['category']) for i in d if i['id'] == $A]")" "[('$A_T', '$A_C')]"
restart_faked
is "the act is the same after a restart" "$(jget "$(json today)" 'd["act"]["item"]')" "$A"
is "no DailyAct before daily.time (08:00)" "$(acts)" 0

# closerctl monitor alongside siglog.
"$CLOSERCTL" --json monitor >"$W/monitor.json" 2>"$W/monitor.err" &
MON_PID=$!
_pids+=("$MON_PID")
sleep 0.5

jump "2026-04-06 07:59:50 +0200" 5
if wait_count '^DailyAct 2026-04-06 ' 1 && act 2026-04-06; then
        is "DailyAct at daily.time: date, item, title, category, private" \
                "$A_ITEM|$A_TITLE|$A_CATEGORY|$A_PRIVATE" "$A|$A_T|$A_C|false"
        is "DailyAct at daily.time is not late" "$A_LATE" false
        like "DailyAct went out at 08:00 (faked clock of the listener)" "$A_TIME" '^2026-04-06T08:00:[0-9.]+\+02:00$'
else
        not_ok "DailyAct at daily.time"
fi
settle
like "closerctl monitor --json prints the DailyAct" "$(grep DailyAct "$W/monitor.json")" \
        "\"signal\":\"DailyAct\".*\"date\":\"2026-04-06\".*\"item\":$A"
kill "$MON_PID" 2>/dev/null

# A backward jump of two hours after the emission: 08:00 comes again.
set_rate 60
wait_until "2026-04-06 08:01:00 +0200"
jump "2026-04-06 06:01:00 +0200" 3600
like "after the backward jump the daemon recomputed its wake-up (log)" \
        "$(grep 'Next wake-up' "$W/closerd.log" | tail -1)" "2026-04-06T08:00:00\+02:00"
wait_until "2026-04-06 08:15:00 +0200"
set_rate 1
settle
is "a backward jump of 2 hours after the emission: still one DailyAct" "$(acts 2026-04-06)" 1

set_clock "2026-04-06 08:20:00 +0200"
restart_faked
settle
sleep 0.5
is "a restart after daily.time on the same day emits none again" "$(acts 2026-04-06)" 1
is "today's act is still the same after that restart" "$(jget "$(json today)" 'd["act"]["item"]')" "$A"

# done, extra, mood
check "done --response 4 --mood 5 --note x" ctl "done" --response 4 --mood 5 --note x
t=$(json today)
is "today --json: the act is done, with its response and note" \
        "$(jget "$t" '(d["act"]["item"], d["act"]["done"], d["act"].get("response"), d["act"].get("note"))')" \
        "($A, True, 4, 'x')"
refuses "done with a response out of range" "response must be" ctl "done" --response 9
refuses "reroll of a done act" "already done" ctl reroll
other=$(jget "$partner" "[i['id'] for i in d if i['id'] != $A][0]")
out=$(json extra "$other")
like "extra ITEM_ID records an unscheduled act" "$(jget "$out" 'd["id"]')" '^[0-9]+$'
out=$(json extra "a walk in the rain, unplanned")
like "extra TEXT records an unscheduled act" "$(jget "$out" 'd["id"]')" '^[0-9]+$'
refuses "extra of an item that is not on the partner's list" "no item 99999" ctl extra 99999
check "mood 3" ctl mood 3
refuses "mood out of range" "mood must be" ctl mood 6
stats=$(json stats)
is "stats: one daily act done and two extras today" "$(jget "$stats" '(d["daily_done"], d["extras"])')" "(1, 2)"
is "stats: the day's mood is the last one recorded (5 with done, then 3 with mood)" \
        "$(jget "$stats" '[float(x["mood"]) for x in d["days"] if x["date"] == "2026-04-06"]')" "[3.0]"
is "done, extra and mood emit no DailyAct" "$(acts)" 1

# 2026-04-07: the daemon starts at 10:00 and never ran that day.
stop_daemon
set_clock "2026-04-07 10:00:00 +0200"
start_faked
if wait_count '^DailyAct 2026-04-07 ' 1 && act 2026-04-07; then
        is "a daemon started at 10:00 emits the missed DailyAct at once, late" "$A_LATE" true
        B1=$A_ITEM
else
        not_ok "a daemon started at 10:00 emits the missed DailyAct at once, late"
        B1=
fi
is "... with today's act" "$(jget "$(json today)" 'd["act"]["item"]')" "$B1"
r=$(json reroll)
B2=$(jget "$r" 'd["item"]')
[[ $B2 =~ ^[0-9]+$ && $B2 != "$B1" ]] && ok "reroll gives another item ($B1 -> $B2)" ||
        not_ok "reroll gives another item ($B1 -> $B2)"
r=$(json reroll)
B3=$(jget "$r" 'd["item"]')
[[ $B3 =~ ^[0-9]+$ && $B3 != "$B1" && $B3 != "$B2" ]] && ok "a second reroll gives a third item ($B3)" ||
        not_ok "a second reroll gives a third item ($B1, $B2 -> $B3)"
is "today shows the rerolled act" "$(jget "$(json today)" 'd["act"]["item"]')" "$B3"
is "stats: both skips are recorded" "$(jget "$(json stats)" 'd["rerolled"]')" 2
restart_faked
is "the rerolled act stays after a restart" "$(jget "$(json today)" 'd["act"]["item"]')" "$B3"
settle
is "reroll and restart emit no second DailyAct" "$(acts 2026-04-07)" 1

# Two days straight through at 8 h per second: one DailyAct a day, and a
# Lapse once (nothing done on the 7th and the 8th).
jump "2026-04-07 10:05:00 +0200" 28800
wait_until "2026-04-09 08:10:00 +0200"
set_rate 1
settle
is "running across days: exactly one DailyAct on each day" \
        "$(acts 2026-04-07) $(acts 2026-04-08) $(acts 2026-04-09)" "1 1 1"
is "the days' DailyActs came in order" "$(grep -oE '^DailyAct [0-9-]+' "$W/sig.log" | tr '\n' ' ')" \
        "DailyAct 2026-04-06 DailyAct 2026-04-07 DailyAct 2026-04-08 DailyAct 2026-04-09 "
is "Lapse once after two days with nothing done" "$(lapses)" 1
like "Lapse since the last day something was done, 3 days ago" "$(grep '^Lapse ' "$W/sig.log" | head -1)" \
        '^Lapse 2026-04-06 3 @2026-04-09T'
like "status says so" "$(jget "$(json status)" 'd["warnings"]')" "lapse"

# Down for all of 2026-04-10: that day's act is not emitted later.
stop_daemon
set_clock "2026-04-11 07:59:50 +0200" 5
start_faked
if wait_count '^DailyAct 2026-04-11 ' 1 && act 2026-04-11; then
        is "after a day down, the next day's DailyAct at its time, not late" "$A_LATE" false
else
        not_ok "after a day down, the next day's DailyAct at its time"
fi
settle
is "a daemon down for a whole day does not emit that day's" "$(acts 2026-04-10)" 0
is "no second Lapse for the same lapse" "$(lapses)" 1
check "set daily.time 08:30 after today's DailyAct" ctl set daily.time 08:30
set_rate 1800
wait_until "2026-04-11 08:31:00 +0200"
set_rate 1
settle
is "a later daily.time the same day does not emit twice" "$(acts 2026-04-11)" 1
check "set daily.time 08:00 again" ctl set daily.time 08:00

# A forward jump past daily.time: emitted at once, late.
jump "2026-04-12 07:00:00 +0200"
is "no DailyAct of 2026-04-12 before its time" "$(acts 2026-04-12)" 0
jump "2026-04-12 09:00:00 +0200"
if wait_count '^DailyAct 2026-04-12 ' 1 && act 2026-04-12; then
        is "a clock jump past daily.time: DailyAct at once, late" "$A_LATE" true
else
        not_ok "a clock jump past daily.time: DailyAct at once"
fi

# Pause and resume.
refuses "pause without --until" "needs --until" ctl pause
refuses "pause until a day in the past" "past" ctl pause --until 2026-04-01
check "pause --until 2026-04-14" ctl pause --until 2026-04-14
is "today --json says until when the practice is paused" "$(jget "$(json today)" 'd.get("paused_until")')" 2026-04-14
jump "2026-04-13 07:59:50 +0200" 30
wait_until "2026-04-13 08:00:40 +0200"
settle
is "no DailyAct while paused" "$(acts 2026-04-13)" 0
jump "2026-04-14 07:59:00 +0200"
check "resume (before daily.time on the last paused day)" ctl resume
jump "2026-04-14 07:59:50 +0200" 5
if wait_count '^DailyAct 2026-04-14 ' 1 && act 2026-04-14; then
        is "after resume, DailyAct at daily.time again" "$A_LATE" false
else
        not_ok "after resume, DailyAct at daily.time again"
fi
refuses "resume when not paused" "not paused" ctl resume
is "today --json: no longer paused" "$(jget "$(json today)" 'd.get("paused_until")')" None

# A lapse does not count while paused, and comes once after the pause.
set_rate 1
check "done (2026-04-14)" ctl "done"
check "pause --until 2026-04-17" ctl pause --until 2026-04-17
stop_daemon
set_clock "2026-04-17 07:59:50 +0200" 30
start_faked
wait_until "2026-04-17 08:00:40 +0200"
settle
is "paused: no DailyAct" "$(acts 2026-04-17)" 0
is "paused: no Lapse although nothing was done on the 15th and 16th" "$(lapses)" 1
[[ $(jget "$(json status)" 'd["warnings"]') != *lapse* ]] && ok "paused: status warns of no lapse" ||
        not_ok "paused: status warns of no lapse"
stop_daemon
set_clock "2026-04-20 07:59:50 +0200" 5
start_faked
wait_count '^Lapse ' 2
like "after the pause, two days with nothing done: Lapse once, since the pause ended" \
        "$(grep '^Lapse ' "$W/sig.log" | sed -n 2p)" '^Lapse 2026-04-17 3 '
wait_count '^DailyAct 2026-04-20 ' 1
set_clock "2026-04-20 09:00:00 +0200"
restart_faked
settle
is "the Lapse is not repeated after a restart" "$(lapses)" 2
is "one DailyAct on 2026-04-20 across the restart" "$(acts 2026-04-20)" 1

# Suspended across daily.time (the process stopped, the clock going on):
# emitted once on resume, late.
jump "2026-04-21 07:59:00 +0200" 5
kill -STOP "$DAEMON_PID"
set_rate 600
wait_until "2026-04-21 08:10:00 +0200"
set_rate 1
kill -CONT "$DAEMON_PID"
if wait_count '^DailyAct 2026-04-21 ' 1 && act 2026-04-21; then
        is "suspended across daily.time: DailyAct on resume, late" "$A_LATE" true
else
        not_ok "suspended across daily.time: DailyAct on resume"
fi
settle
is "... once" "$(acts 2026-04-21)" 1

# A backward jump to a day that never had its act: the next wake-up is
# recomputed at once, so that day's DailyAct comes at its time.
jump "2026-04-23 09:00:00 +0200"
wait_count '^DailyAct 2026-04-23 ' 1
is "today on 2026-04-23" "$(jget "$(json today)" 'd["date"]')" 2026-04-23
jump "2026-04-22 07:59:50 +0200" 5
is "after a backward jump, today is the earlier day at once" "$(jget "$(json today)" 'd["date"]')" 2026-04-22
if wait_count '^DailyAct 2026-04-22 ' 1 && act 2026-04-22; then
        is "after a backward jump to a day not yet emitted: DailyAct at its time" "$A_LATE" false
else
        not_ok "after a backward jump to a day not yet emitted: DailyAct at its time"
fi
set_rate 1
settle
is "one DailyAct a day around the jumps" "$(acts 2026-04-21) $(acts 2026-04-22) $(acts 2026-04-23)" "1 1 1"

# The ramp: status follows set start.
ramp() { jget "$(json status)" 'd["ramp_intensity"]'; }
set_clock "2026-05-01 12:00:00 +0200"
check "set start cooling" ctl set start cooling
is "cooling: intensity 1 in the first week" "$(ramp)" 1
check "set start warm" ctl set start warm
is "warm: no ramp, intensity 3" "$(ramp)" 3
check "set start cold" ctl set start cold
is "cold: intensity 1" "$(ramp)" 1
refuses "set start with an unknown value" "start must be cold, cooling or warm" ctl set start hot
set_clock "2026-05-22 12:00:00 +0200"
is "cold, three weeks later: intensity 2" "$(ramp)" 2
check "set start cooling (the ramp starts again today)" ctl set start cooling
is "cooling restarts at intensity 1" "$(ramp)" 1
set_clock "2026-05-29 12:00:00 +0200"
is "cooling, a week later: intensity 2" "$(ramp)" 2
set_clock "2026-06-12 12:00:00 +0200"
is "cooling, three weeks later: intensity 3" "$(ramp)" 3

# Only items reviewed new or ok are picked: all but one private item are
# reviewed no (one discuss), so the next DailyAct is that item, flagged private.
last=$(jget "$partner" '[i["id"] for i in d if i["private"]][-1]')
last_t=$(jget "$partner" "[i['title'] for i in d if i['id'] == $last][0]")
for id in $(jget "$partner" "' '.join(str(i['id']) for i in d if i['id'] != $last)"); do
        ctl partner review "$id" "$([[ $id == "$other" ]] && echo discuss || echo no)" >/dev/null ||
                diag "partner review $id failed"
done
jump "2026-06-13 07:59:50 +0200" 5
if wait_count '^DailyAct 2026-06-13 ' 1 && act 2026-06-13; then
        is "the one item left (reviews no and discuss are never picked): a private DailyAct" \
                "$A_ITEM|$A_TITLE|$A_PRIVATE|$A_LATE" "$last|$last_t|true|false"
else
        not_ok "the one item left: a private DailyAct"
fi
stop_daemon
stop_siglog

# ======================================================================
# DST: daily.time 02:30 on the change days in Berlin and New York.
# ======================================================================

# dst_day DESC DAY START NEXT FAST_TO NEAR WANT [AFTER]: at START (before any
# wrong candidate instant) status shows NEXT; at x1800 up to FAST_TO (half an
# hour before NEXT: the margin for polling at that speed) nothing is emitted;
# from NEAR (20 s before NEXT) at x10 exactly one DailyAct comes, not late
# (an earlier wrong due time would make it late at once), whose faked time
# matches WANT; at x1800 up to AFTER (if given) and across the day's end no
# second one.
dst_day() {
        local desc=$1 day=$2
        jump "$3"
        is "$desc: status shows the next DailyAct at ${4#*T}" "$(jget "$(json status)" 'd["next_daily_act"]')" "$4"
        set_rate 1800
        wait_until "$5"
        set_rate 1
        settle
        is "$desc: nothing before ${5#* }" "$(acts "$day")" 0
        jump "$6" 10
        if wait_count "^DailyAct $day " 1 && act "$day"; then
                like "$desc: DailyAct at ${4#*T}, on time" "$A_TIME late=$A_LATE" "$7.* late=false"
        else
                not_ok "$desc: DailyAct at ${4#*T}"
        fi
        if [[ -n ${8:-} ]]; then
                set_rate 1800
                wait_until "$8"
        fi
        jump "$day 23:59:50" 10
        wait_until "$(date -d "$day + 1 day" +%F) 00:00:10"
        settle
        is "$desc: exactly one DailyAct that day" "$(acts "$day")" 1
}

dst_world() {
        export TZ=$1
        new_world dst
        set_clock "$2"
        start_faked
        start_siglog
        ctl partner import "$TMPD/partner.ics" >/dev/null
        check "$1: set daily.time 02:30" ctl set daily.time 02:30
}

dst_world Europe/Berlin "2026-03-28 12:00:00 +0100"
dst_day "Berlin spring-forward" 2026-03-29 "2026-03-29 01:20:00 +0100" 2026-03-29T03:30:00+02:00 \
        "2026-03-29 03:00:00 +0200" "2026-03-29 03:29:40 +0200" '^2026-03-29T03:30:[0-9.]+\+02:00'
dst_day "Berlin fall-back" 2026-10-25 "2026-10-25 00:50:00 +0200" 2026-10-25T02:30:00+02:00 \
        "2026-10-25 02:00:00 +0200" "2026-10-25 02:29:40 +0200" '^2026-10-25T02:30:[0-9.]+\+02:00' \
        "2026-10-25 02:45:00 +0100"
stop_daemon
stop_siglog

dst_world America/New_York "2026-03-07 12:00:00 -0500"
dst_day "New York spring-forward" 2026-03-08 "2026-03-08 01:20:00 -0500" 2026-03-08T03:30:00-04:00 \
        "2026-03-08 03:00:00 -0400" "2026-03-08 03:29:40 -0400" '^2026-03-08T03:30:[0-9.]+-04:00'
dst_day "New York fall-back" 2026-11-01 "2026-11-01 00:50:00 -0400" 2026-11-01T02:30:00-05:00 \
        "2026-11-01 02:00:00 -0500" "2026-11-01 02:29:40 -0500" '^2026-11-01T02:30:[0-9.]+-05:00'
stop_daemon
stop_siglog
export TZ=Europe/Berlin

# ======================================================================
# A time zone change: TZ unset, /etc/localtime in a private mount
# namespace (/etc an overlay on a tmpfs). First the zone file bind-mounted
# on /etc/localtime is rewritten in place (Berlin -> New York), then the
# bind mount goes and /etc/localtime is replaced by a symlink to Tokyo the
# way timedated does it (rename).
# ======================================================================
# shellcheck disable=SC2016 # expanded by the sh inside the namespace
NS_SETUP='set -e
w=$1
shift
mkdir -p "$w/ns"
mount -t tmpfs tmpfs "$w/ns"
mkdir "$w/ns/up" "$w/ns/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$w/ns/up,workdir=$w/ns/work" /etc
cp /usr/share/zoneinfo/Europe/Berlin /etc/.localtime.new
mv -f /etc/.localtime.new /etc/localtime
mount --bind "$w/zone" /etc/localtime
exec "$@"'
new_world tz
cp /usr/share/zoneinfo/Europe/Berlin "$W/zone"
if ((EUID != 0)) || ! unshare -m --propagation private sh -c "$NS_SETUP" ns "$W" true 2>"$W/ns.err"; then
        skip "time zone change: no private mount namespace with an overlay /etc here ($(head -1 "$W/ns.err"))"
else
        set_clock "2026-04-10 07:59:00 +0200"
        start_daemon unshare -m --propagation private sh -c "$NS_SETUP" ns "$W" \
                env -u TZ LD_PRELOAD="$FAKECLOCK" FAKECLOCK_FILE="$W/clock/now"
        start_siglog
        ctl partner import "$TMPD/partner.ics" >/dev/null
        is "TZ unset, /etc/localtime Berlin: next DailyAct" "$(jget "$(json status)" 'd["next_daily_act"]')" \
                2026-04-10T08:00:00+02:00
        before=$(wakeups)
        cat /usr/share/zoneinfo/America/New_York >"$W/zone"
        touch -d '2001-01-01 00:00:00 UTC' "$W/zone"
        for i in $(seq 100); do (($(wakeups) > before)) && break; sleep 0.05; done
        (($(wakeups) > before)) && ok "the zone file rewritten in place: the daemon recomputes (log)" ||
                not_ok "the zone file rewritten in place: the daemon recomputes (log)"
        is "... the next DailyAct moves to 08:00 New York time" \
                "$(jget "$(json status)" 'd["next_daily_act"]')" 2026-04-10T08:00:00-04:00
        # Past 08:00 Berlin time without a jump: only the zone change moved it.
        set_rate 30
        wait_until "2026-04-10 08:00:40 +0200"
        set_rate 1
        settle
        is "... and nothing is emitted at 08:00 Berlin time" "$(acts)" 0
        before=$(wakeups)
        nsenter -t "$DAEMON_PID" -m sh -c 'umount /etc/localtime &&
                ln -s /usr/share/zoneinfo/Asia/Tokyo /etc/.localtime.new && mv -T /etc/.localtime.new /etc/localtime'
        if wait_count '^DailyAct 2026-04-10 ' 1 && act 2026-04-10; then
                is "/etc/localtime replaced by Tokyo (15:00 there): DailyAct at once, late" "$A_LATE" true
        else
                not_ok "/etc/localtime replaced by Tokyo (15:00 there): DailyAct at once"
        fi
        is "... and the next one is tomorrow 08:00 Tokyo time" "$(jget "$(json status)" 'd["next_daily_act"]')" \
                2026-04-11T08:00:00+09:00
        settle
        is "... once" "$(acts)" 1
        # 23:30 in New York is tomorrow in Tokyo: today follows the zone.
        jump "2026-04-10 23:30:00 -0400"
        is "Tokyo, 12:30 on the 11th: today is 2026-04-11" "$(jget "$(json today)" 'd["date"]')" 2026-04-11
        before=$(wakeups)
        nsenter -t "$DAEMON_PID" -m sh -c 'ln -s /usr/share/zoneinfo/America/New_York /etc/.localtime.new &&
                mv -T /etc/.localtime.new /etc/localtime'
        for i in $(seq 100); do (($(wakeups) > before)) && break; sleep 0.05; done
        is "... /etc/localtime back to New York (23:30 on the 10th): today is 2026-04-10 at once" \
                "$(jget "$(json today)" 'd["date"]')" 2026-04-10
        stop_daemon
        stop_siglog
fi

# ======================================================================
# Idle: the trace started at the beginning.
# ======================================================================
if [[ -z $TRACER ]]; then
        skip "idle: neither perf trace nor strace is usable here"
else
        wait "$TRACER_PID" 2>/dev/null
        if [[ $TRACER == perf ]]; then
                calls=$(grep -cv '^\s*$' "$TMPD/idle.trace")
        else
                # strace's attach interrupts epoll_wait once: drop the first second.
                calls=$(awk -v s="$TRACE_START" '$2 + 0 > s + 1 && !/detached|attached|resumed>/' \
                        "$TMPD/idle.trace" | wc -l)
        fi
        grep -v 'attached\|detached' "$TMPD/idle.err" | head -3 | sed 's/^/# tracer: /'
        if kill -0 "$IDLE_PID" 2>/dev/null; then
                is "idle: no system call over 20 s with nothing due ($TRACER)" "$calls" 0
                ((calls == 0)) || head -5 "$TMPD/idle.trace" | sed 's/^/#   /'
                # Control: the same tracer sees the daemon answer a call.
                enter_world "$IDLE_W"
                if [[ $TRACER == perf ]]; then
                        timeout -s INT 2 perf trace -p "$IDLE_PID" -o "$TMPD/control.trace" 2>/dev/null &
                else
                        timeout -s INT 2 strace -f -p "$IDLE_PID" -o "$TMPD/control.trace" 2>/dev/null &
                fi
                sleep 1
                ctl get daily.time >/dev/null
                wait $!
                (($(grep -c 'sendmsg\|recvmsg\|epoll_wait' "$TMPD/control.trace") > 0)) &&
                        ok "control: $TRACER sees the daemon's system calls when it answers a call" ||
                        not_ok "control: $TRACER sees the daemon's system calls when it answers a call"
        else
                not_ok "idle: the daemon died"
        fi
        kill "$IDLE_PID" 2>/dev/null
fi

done_testing
