# SPDX-License-Identifier: MIT
# Shared by the integration tests: a private world (dbus-daemon, XDG dirs,
# HOME) per test, the real closerd and closerctl, and TAP output.
set -u
B=${B:-build}
# Tests preload a fake clock into closerd; a sanitizer build must accept a
# library ahead of its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLOSERD=$TOP/$B/closerd
CLOSERCTL=$TOP/$B/closerctl
TESTS=$TOP/tests
PY=/usr/bin/python3
_n=0
_failed=0
_worlds=()

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
diag() { echo "# $*"; }
done_testing() { echo "1..$_n"; exit $((_failed > 0)); }

# check DESC CMD...: the command succeeds.
check() {
        local desc=$1
        shift
        local out
        if out=$("$@" 2>&1); then ok "$desc"; else
                not_ok "$desc"
                diag "command: $*"
                printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
        fi
}

# is DESC GOT WANT
is() {
        if [[ $2 == "$3" ]]; then ok "$1"; else
                not_ok "$1"
                diag "got:  $(printf %q "$2")"
                diag "want: $(printf %q "$3")"
        fi
}

# like DESC TEXT REGEX
like() {
        if [[ $2 =~ $3 ]]; then ok "$1"; else
                not_ok "$1"
                diag "got:  $2"
                diag "want: /$3/"
        fi
}

# refuses DESC REGEX CMD...: fails with a non-zero status and one line on
# stderr, "closerctl: ..." matching REGEX, and nothing on stdout.
refuses() {
        local desc=$1 re=$2
        shift 2
        local err out rc
        err=$(mktemp)
        out=$("$@" 2>"$err")
        rc=$?
        local e
        e=$(cat "$err")
        rm -f "$err"
        if ((rc != 0)) && [[ $(printf '%s\n' "$e" | wc -l) == 1 && $e == "closerctl: "* && $e =~ $re && -z $out ]]; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "rc=$rc stdout=$(printf %q "$out")"
                diag "stderr: $e"
                diag "want: one line 'closerctl: ...' matching /$re/"
        fi
}

# eventually DESC CMD...: CMD succeeds within EVENTUALLY_S seconds (default
# 10), tried every 50 ms: for what closerd does after it answered (inotify,
# its helper's writes). With EVENTUALLY_EACH set, that command runs before
# each try (a test that carries files as a sync engine would).
EVENTUALLY_S=10
EVENTUALLY_EACH=
eventually() {
        local desc=$1 i
        shift
        for ((i = 0; i < EVENTUALLY_S * 20; i++)); do
                [[ -n $EVENTUALLY_EACH ]] && $EVENTUALLY_EACH
                if "$@" >/dev/null 2>&1; then ok "$desc"; return 0; fi
                sleep 0.05
        done
        not_ok "$desc"
        diag "command: $*"
        return 1
}

# in_shell DESC CMD...: like check, but CMD runs in this shell (functions
# that keep state here: dav_start, st_start, vs_sync).
in_shell() {
        local desc=$1
        shift
        if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# ms_since NANOSECONDS: milliseconds since that date +%s%N.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ptrace_allowed: strace can trace here (no container forbids ptrace): the
# loopback tests then trace every engine's network calls.
ptrace_allowed() { strace -f --seccomp-bpf -qq -e trace=connect -o /dev/null true 2>/dev/null; }

# night EXPR FIELD: FIELD of the first night of closerctl --json datenight
# for which the Python expression EXPR (over n) holds.
night() {
        "$PY" -c '
import json, sys
for n in json.loads(sys.argv[1]):
    if eval(sys.argv[2]):
        print(n[sys.argv[3]]); break' "$(json datenight)" "$1" "$2"
}

# ics_settled: waits (at most 5 s) until datenights.ics is the calendar as
# export-ics renders it. closerd answers the call that changed the calendar
# first; its iCalendar helper renders the file meanwhile (daemon/dncal.h).
ics_settled() {
        local _
        for _ in $(seq 100); do
                cmp -s "$XDG_DATA_HOME/closer/datenights.ics" <("$CLOSERCTL" export-ics - 2>/dev/null) && return 0
                sleep 0.05
        done
        return 1
}

# Every human output of the suites is kept: tests/run.sh checks that none of
# it shows an ISO time with seconds. --json, monitor (it runs in the
# background) and exports (iCalendar) go through as they are.
HUMAN_LOG=$TOP/$B/test-logs/human-output.log
mkdir -p "${HUMAN_LOG%/*}"
ctl() {
        case " $* " in
        *" --json "* | *" -j "* | *" monitor "* | *" export-ics "* | *" export "*) "$CLOSERCTL" "$@" ;;
        *)
                "$CLOSERCTL" "$@" | tee -a "$HUMAN_LOG"
                return "${PIPESTATUS[0]}"
                ;;
        esac
}
json() { "$CLOSERCTL" --json "$@"; }
# report < <(python3 ...): PASS|desc and FAIL|desc|got|want lines as TAP.
report() {
        local st desc g w
        while IFS='|' read -r st desc g w; do
                if [[ $st == PASS ]]; then ok "$desc"; else
                        not_ok "$desc"
                        diag "got:  $g"
                        diag "want: $w"
                fi
        done
}
# jq-like access without jq: jget JSON PYTHON-EXPR (d is the document)
jget() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
# as_partner FILE: my export made into a file of my partner's (my own export
# is refused): no owner ID, and UIDs that are not mine.
as_partner() { sed -i -e '/^X-CLOSER-OWNER-ID:/d' -e 's/^UID:/UID:partner-/' "$1"; }

# new_world NAME: a private session bus and XDG dirs; exports the
# environment for this shell. The bus activates closerd from $W/services.
new_world() {
        W=$(mktemp -d "/tmp/closer-test.${1:-w}.XXXXXX")
        _worlds+=("$W")
        mkdir -p "$W/data" "$W/config" "$W/run" "$W/home" "$W/services"
        chmod 700 "$W/run"
        export XDG_DATA_HOME=$W/data XDG_CONFIG_HOME=$W/config XDG_RUNTIME_DIR=$W/run HOME=$W/home
        export TZ=${TZ:-Europe/Berlin}
        cat >"$W/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$W/bus</listen>
  <servicedir>$W/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
        dbus-daemon --config-file="$W/bus.conf" --fork --print-pid=3 3>"$W/bus.pid" >>"$W/bus.log" 2>&1
        export DBUS_SESSION_BUS_ADDRESS=unix:path=$W/bus
        local i
        for i in $(seq 100); do [[ -S $W/bus ]] && break; sleep 0.05; done
}

# enter_world DIR: switch this shell to another world made by new_world.
enter_world() {
        W=$1
        export XDG_DATA_HOME=$W/data XDG_CONFIG_HOME=$W/config XDG_RUNTIME_DIR=$W/run HOME=$W/home
        export DBUS_SESSION_BUS_ADDRESS=unix:path=$W/bus
}

# valgrind memcheck around closerd when CLOSER_VALGRIND is set (make valgrind):
# any error, or a definite leak, fails the test at its end (see _cleanup).
VALGRIND=(valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99)

# The activation file for this world's bus.
enable_activation() {
        local exec=$CLOSERD
        if [[ -n ${CLOSER_VALGRIND:-} ]]; then
                exec="$W/closerd-valgrind"
                printf '#!/bin/sh\nexec %s --log-file=%s/valgrind.%%p.log %s "$@"\n' "${VALGRIND[*]}" "$W" "$CLOSERD" \
                        >"$exec"
                chmod +x "$exec"
        fi
        printf '[D-BUS Service]\nName=io.github.closer.Closer1\nExec=%s\n' "$exec" \
                >"$W/services/io.github.closer.Closer1.service"
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null
}

name_owned() {
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s io.github.closer.Closer1 2>/dev/null | grep -q true
}

wait_name() {
        local i
        for i in $(seq 200); do name_owned && return 0; sleep 0.05; done
        return 1
}

# start_daemon [PREFIX-CMD...]: closerd in the background (PREFIX e.g.
# faketime ...), logging to $W/closerd.log; waits for the bus name.
# closerd answers first and re-plans after, from its run queue (and writes
# datenights.ics through its helper): a test that looks at what a change
# led to waits for closerd's "Settled" (debug log) after the change.
# mark=$(settled_mark); CHANGE; settle "$mark"
settled_mark() { grep -c ' Settled at generation' "$W/closerd.log" 2>/dev/null || true; }
settle() {
        local i
        for i in $(seq 400); do
                (( $(settled_mark) > $1 )) && return 0
                sleep 0.05
        done
        diag "closerd did not settle in 20 s"
        return 1
}
# settled CMD...: runs CMD, then waits until closerd settled.
settled() {
        local mark rc=0
        mark=$(settled_mark)
        "$@" || rc=$?
        settle "$mark"
        return $rc
}

start_daemon() {
        local pre=()
        [[ -n ${CLOSER_VALGRIND:-} ]] && pre=("${VALGRIND[@]}" --log-file="$W/valgrind.%p.log")
        "$@" "${pre[@]}" "$CLOSERD" -v >>"$W/closerd.log" 2>&1 &
        DAEMON_PID=$!
        echo $DAEMON_PID >"$W/closerd.pid"
        wait_name || { diag "closerd did not take its name"; tail -5 "$W/closerd.log" | sed 's/^/#   /'; return 1; }
}

# faketime_preload DIR: finds libfaketime and builds tests/data/faketime-timerfd.c
# (why: see there) into DIR; sets FAKETIME_LIB and FAKETIME_PRELOAD (the
# LD_PRELOAD of a closerd on libfaketime; run it with
# FAKETIME_DONT_FAKE_MONOTONIC=1). Fails, with a diagnostic, when either is
# missing.
faketime_preload() {
        local f
        FAKETIME_LIB= FAKETIME_PRELOAD=
        for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
                /usr/local/lib/faketime/libfaketime.so.1; do
                [[ -f $f ]] && FAKETIME_LIB=$f && break
        done
        if [[ -z $FAKETIME_LIB ]] || ! ${CC:-cc} -shared -fPIC -O2 -o "$1/faketime-timerfd.so" \
                "$TESTS/data/faketime-timerfd.c" -ldl >"$1/cc.log" 2>&1; then
                diag "no faked clock: libfaketime '${FAKETIME_LIB:-missing}', $(head -1 "$1/cc.log" 2>/dev/null)"
                return 1
        fi
        FAKETIME_PRELOAD="$1/faketime-timerfd.so $FAKETIME_LIB"
}

stop_daemon() {
        [[ -n ${DAEMON_PID:-} ]] || return 0
        kill -TERM "$DAEMON_PID" 2>/dev/null
        local rc=0
        wait "$DAEMON_PID" 2>/dev/null || rc=$?
        DAEMON_PID=
        local i
        for i in $(seq 100); do name_owned || break; sleep 0.05; done
        return $rc
}

_cleanup() {
        local w
        [[ -n ${DAEMON_PID:-} ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
        for w in "${_worlds[@]}"; do
                [[ -f $w/bus.pid ]] && kill "$(cat "$w/bus.pid")" 2>/dev/null
        done
        # Activated daemons end with their bus: give valgrind a moment to write.
        [[ -n ${CLOSER_VALGRIND:-} ]] && sleep 1
        for w in "${_worlds[@]}"; do
                local log
                for log in "$w"/valgrind.*.log; do
                        [[ -s $log ]] || continue
                        not_ok "valgrind reported errors in closerd ($(basename "$log"))"
                        head -30 "$log" | sed 's/^/#   /'
                done
                if [[ -n ${KEEP_WORLD:-} ]]; then echo "# kept $w"; else rm -rf "$w"; fi
        done
}
trap _cleanup EXIT
