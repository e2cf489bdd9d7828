# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Two real Syncthing instances, "a" and "b", that share one folder: the
# transport of the sharing tests (two partners' closerd daemons exchange
# files through a synced folder). Source it after tests/lib.sh. st_setup and
# st_start run in the test's main shell, never in a subshell such as $(...) or
# lib.sh's check: the instances are its children, and die with their parent.
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/syncthing.sh"
#   st_require                 # skip the test (exit 77) without syncthing
#   st_setup "$A/share" "$B/share" || { echo "Bail out! no syncthing"; exit 1; }
#   ... write into $ST_A_DIR, st_wait_file "$ST_B_DIR/x" "$ST_A_DIR/x" ...
#
# Nothing leaves 127.0.0.1: each instance gets its own --home under $ST_ROOT,
# generated and edited before its first start, so that from then on global
# and local discovery, relays, NAT traversal, usage and crash reports and
# upgrades are off, it listens on tcp://127.0.0.1:PORT only and its GUI/REST
# API on 127.0.0.1:PORT with a known API key. Devices and the folder are added
# through the REST API, each device with the other's explicit address. The
# folder is sendreceive, watched (fsWatcherDelayS 1) and rescanned only
# hourly: the watcher is what carries a change.
#
# Functions (NAME is a or b; TIMEOUT in seconds, default $ST_TIMEOUT = 60).
# Every wait polls until its deadline and says (as "# " lines) what was still
# missing when it gives up; each returns non-zero on failure.
#   st_available               syncthing is installed
#   st_require                 prints "1..0 # SKIP ..." and exits 77 unless it is
#   st_setup A_DIR B_DIR       two instances sharing folder $ST_FOLDER at A_DIR (a)
#                              and B_DIR (b), made when missing; returns once they
#                              are connected and idle
#   st_start NAME              starts an instance again (its config persists)
#   st_stop NAME               shuts it down (REST, then SIGTERM, then SIGKILL)
#   st_running NAME            it is running
#   st_pid NAME                prints the PID of its syncthing process
#   st_wait_connected [TIMEOUT]  each instance is connected to the other
#   st_connected NAME          it is connected to the other, now
#   st_wait_disconnected NAME [TIMEOUT]  it sees the other gone (st_stop)
#   st_wait_idle [TIMEOUT]     both folders idle, nothing needed on either side
#                              (what the watcher has not scanned yet is unknown
#                              to Syncthing: st_wait_same also compares files)
#   st_wait_same [TIMEOUT]     both folders hold the same files (bytes, names,
#                              directories) and are idle
#   st_wait_file PATH [SRC [TIMEOUT]]  PATH exists, with SRC's bytes when given
#   st_wait_gone PATH [TIMEOUT]  PATH no longer exists
#   st_put DEST [SRC]          writes DEST atomically, from SRC or stdin: through
#                              DEST's dir/.syncthing.NAME.tmp, a name Syncthing
#                              ignores, renamed into place
#   st_scan NAME [SUBPATH]     asks for a scan now (POST /rest/db/scan); the
#                              watcher makes this unnecessary, it only hurries
#   st_api NAME METHOD PATH [JSON]  one REST call, prints the answer
#   st_conflicts               prints the *.sync-conflict-* files of both folders
#   st_propagation_ms FROM_DIR TO_DIR NAME  writes FROM_DIR/NAME atomically,
#                              prints how many ms until TO_DIR/NAME has its bytes
#   st_check_trace NAME|LOG    its strace log (ST_STRACE; or the file LOG) names
#                              no address off loopback, and some on it; prints
#                              a summary line
#   st_check_sockets           ss: every socket of the running instances is on
#                              loopback; prints a summary line
#   st_teardown                stops both (also run by the EXIT trap)
#
# Set before st_setup, all optional:
#   ST_ROOT     where the homes go (default: a new /tmp/closer-test.syncthing.*,
#               removed at exit by lib.sh's _cleanup like its worlds)
#   ST_FOLDER   the folder ID (closer-share)
#   ST_TIMEOUT  default deadline of the waits (60)
#   ST_STRACE   names run under strace -f (e.g. "a b"), from `syncthing
#               generate` on: their network calls are logged to
#               $ST_X_HOME/strace.log for st_check_trace
# Set by st_setup (X is A or B):
#   ST_A_DIR ST_B_DIR  the synced folders (absolute paths)
#   ST_X_ID     device ID           ST_X_URL   REST base, http://127.0.0.1:PORT
#   ST_X_KEY    API key             ST_X_PORT  sync (BEP) listen port
#   ST_X_HOME   --home: config.xml, database, syncthing.log (its output)
#
# A file written in place can be scanned, and sent, half-written: writers
# rename into place from a name Syncthing ignores, .syncthing.NAME.tmp (as
# st_put does). Syncthing keeps a .stfolder directory in each folder, and
# makes its own .syncthing.*.tmp files there while it pulls.

ST_BIN=${ST_BIN:-syncthing}
ST_TIMEOUT=${ST_TIMEOUT:-60}
ST_FOLDER=${ST_FOLDER:-closer-share}
ST_STRACE=${ST_STRACE:-}
_ST_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/syncthing.py
export ST_FOLDER
# Every call that names a network address (seccomp-bpf: only those stop).
# shellcheck disable=SC2054 # the commas are strace's
_ST_STRACE=(strace -f --seccomp-bpf -qq -e signal=none -e trace=connect,sendto,sendmsg,sendmmsg,bind)

st_available() { command -v "$ST_BIN" >/dev/null 2>&1; }
st_require() {
        st_available && return 0
        echo "1..0 # SKIP syncthing is not installed (make deps)"
        exit 77
}

# _st_n NAME: prints A or B.
_st_n() {
        case $1 in
        a | A) echo A ;;
        b | B) echo B ;;
        *)
                echo "# syncthing.sh: no instance '$1' (a or b)" >&2
                return 1
                ;;
        esac
}
_st_var() { local v="ST_$1_$2"; printf '%s' "${!v:-}"; }
_st_py() { "${PY:-python3}" "$_ST_PY" "$@"; }
# _st_alive PID: running, and not a zombie waiting for us.
_st_alive() {
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        stat=${stat##*) }
        [[ ${stat%% *} != Z ]]
}

st_api() {
        local N
        N=$(_st_n "$1") || return 1
        shift
        _st_py api "$N" "$@"
}
st_pid() {
        local N v
        N=$(_st_n "$1") || return 1
        v=_ST_PID_$N
        [[ -n ${!v:-} ]] && echo "${!v}"
}
st_running() {
        local N v
        N=$(_st_n "$1") || return 1
        v=_ST_JOB_$N
        [[ -n ${!v:-} ]] && _st_alive "${!v}"
}

st_start() {
        local N n home job pid
        N=$(_st_n "$1") || return 1
        n=${N,}
        st_running "$n" && return 0
        if [[ $BASHPID != "$$" ]]; then
                echo "# st_start $n: call it in the test's main shell, not in \$(...), a pipe or check" >&2
                return 1
        fi
        home=$(_st_var "$N" HOME)
        [[ -n $home ]] || { echo "# st_start $n: no st_setup yet" >&2; return 1; }
        # Syncthing 1.19 runs a monitor process above the real one (even with
        # --no-restart) unless STMONITORED says it is the real one: then one
        # process, whose PID is $! and whose sockets are its own. Its output
        # is its log (--logfile=-, syncthing.log). STHASHING=minio skips the
        # second of SHA-256 benchmarks at each start.
        local cmd=("$ST_BIN" serve --home="$home" --no-browser --no-restart --no-upgrade
                --logfile=- --logflags=7)
        # Killed with the test shell, were it killed without its EXIT trap.
        command -v setpriv >/dev/null && cmd=(setpriv --pdeathsig KILL "${cmd[@]}")
        local traced=
        if [[ " $ST_STRACE " == *" $n "* ]]; then
                traced=1
                cmd=("${_ST_STRACE[@]}" -A -o "$home/strace.log" "${cmd[@]}")
                command -v setpriv >/dev/null && cmd=(setpriv --pdeathsig KILL "${cmd[@]}")
        fi
        echo "=== start $(date '+%F %T.%N')" >>"$home/syncthing.log"
        STMONITORED=yes STHASHING=minio STNOUPGRADE=1 STNODEFAULTFOLDER=1 STNORESTART=1 "${cmd[@]}" >>"$home/syncthing.log" 2>&1 &
        job=$!
        printf -v "_ST_JOB_$N" %s "$job"
        printf -v "_ST_PID_$N" %s "$job"
        if ! _st_py wait-up "$N" "$ST_TIMEOUT"; then
                echo "# syncthing $n did not come up; the end of $home/syncthing.log:" >&2
                tail -8 "$home/syncthing.log" | sed 's/^/#   /' >&2
                return 1
        fi
        # Under strace, syncthing is the child of strace that runs it (strace
        # forks others first, to probe the kernel).
        if [[ -n $traced ]]; then
                for pid in $(cat "/proc/$job/task/"*/children 2>/dev/null); do
                        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == syncthing ]] && break
                        pid=
                done
                [[ -n $pid ]] || { echo "# st_start $n: no syncthing under strace $job" >&2; return 1; }
                printf -v "_ST_PID_$N" %s "$pid"
        fi
}

st_stop() {
        local N n job _
        N=$(_st_n "$1") || return 1
        n=${N,}
        local v=_ST_JOB_$N
        job=${!v:-}
        [[ -n $job ]] || return 0
        if _st_alive "$job"; then
                st_api "$n" POST /rest/system/shutdown >/dev/null 2>&1
                for _ in $(seq 200); do _st_alive "$job" || break; sleep 0.05; done
        fi
        if _st_alive "$job"; then
                echo "# syncthing $n ignored /rest/system/shutdown: SIGTERM" >&2
                kill -TERM "$(st_pid "$n")" "$job" 2>/dev/null
                for _ in $(seq 100); do _st_alive "$job" || break; sleep 0.05; done
                _st_alive "$job" && kill -KILL "$(st_pid "$n")" "$job" 2>/dev/null
        fi
        wait "$job" 2>/dev/null
        printf -v "_ST_JOB_$N" %s ""
        printf -v "_ST_PID_$N" %s ""
        return 0
}

st_teardown() {
        st_stop a
        st_stop b
}

st_setup() {
        if (($# != 2)); then
                echo "# usage: st_setup A_DIR B_DIR" >&2
                return 1
        fi
        st_available || { echo "# syncthing is not installed" >&2; return 1; }
        if [[ -z ${ST_ROOT:-} ]]; then
                ST_ROOT=$(mktemp -d /tmp/closer-test.syncthing.XXXXXX) || return 1
                # lib.sh removes its worlds at exit (or keeps them: KEEP_WORLD).
                declare -p _worlds >/dev/null 2>&1 && _worlds+=("$ST_ROOT")
        fi
        mkdir -p "$ST_ROOT" || return 1
        local ports
        # Free ports now, from the kernel: all bound at once, so distinct.
        ports=$("${PY:-python3}" -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))') || return 1
        read -r ST_A_PORT ST_B_PORT _st_gui_a _st_gui_b <<<"$ports"
        ST_A_URL=http://127.0.0.1:$_st_gui_a ST_B_URL=http://127.0.0.1:$_st_gui_b
        ST_A_HOME=$ST_ROOT/a ST_B_HOME=$ST_ROOT/b
        ST_A_KEY=closer-test-key-a ST_B_KEY=closer-test-key-b
        mkdir -p "$1" "$2" || return 1
        ST_A_DIR=$(realpath "$1") ST_B_DIR=$(realpath "$2")
        export ST_ROOT ST_A_PORT ST_B_PORT ST_A_URL ST_B_URL ST_A_HOME ST_B_HOME ST_A_KEY ST_B_KEY ST_A_DIR ST_B_DIR
        local N n home
        for N in A B; do
                n=${N,}
                home=$(_st_var $N HOME)
                if [[ -e $home ]]; then
                        echo "# st_setup: $home exists already" >&2
                        return 1
                fi
                local pre=()
                [[ " $ST_STRACE " == *" $n "* ]] && pre=("${_ST_STRACE[@]}" -A -o "$ST_ROOT/strace-generate-$n.log")
                if ! STNODEFAULTFOLDER=1 "${pre[@]}" "$ST_BIN" generate --home="$home" --no-default-folder \
                        --skip-port-probing >"$ST_ROOT/generate-$n.log" 2>&1; then
                        echo "# syncthing generate failed: $(tail -1 "$ST_ROOT/generate-$n.log")" >&2
                        return 1
                fi
                _st_py configure "$home/config.xml" "$n" "$(_st_var $N PORT)" \
                        "$(_st_var $N URL | sed 's/.*://')" "$(_st_var $N KEY)" || return 1
                printf -v "ST_${N}_ID" %s "$("${pre[@]}" "$ST_BIN" serve --device-id --home="$home" 2>/dev/null)"
                export "ST_${N}_ID"
                # The trace of the start follows those of generate and --device-id.
                [[ -n ${pre[*]} ]] && cat "$ST_ROOT/strace-generate-$n.log" >>"$home/strace.log"
        done
        st_start a || return 1
        st_start b || return 1
        local M dir
        for N in A B; do
                M=$([[ $N == A ]] && echo B || echo A)
                dir=$("${PY:-python3}" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$(_st_var $N DIR)")
                st_api $N POST /rest/config/devices "$(printf '{"deviceID": "%s", "name": "%s",
                        "addresses": ["tcp://127.0.0.1:%s"], "autoAcceptFolders": false}' \
                        "$(_st_var "$M" ID)" "${M,}" "$(_st_var "$M" PORT)")" >/dev/null || return 1
                st_api $N POST /rest/config/folders "$(printf '{"id": "%s", "label": "%s", "path": %s,
                        "type": "sendreceive", "fsWatcherEnabled": true, "fsWatcherDelayS": 1,
                        "rescanIntervalS": 3600, "devices": [{"deviceID": "%s"}, {"deviceID": "%s"}]}' \
                        "$ST_FOLDER" "$ST_FOLDER" "$dir" "$ST_A_ID" "$ST_B_ID")" >/dev/null || return 1
        done
        st_wait_connected "$ST_TIMEOUT" && st_wait_idle "$ST_TIMEOUT"
}

st_wait_connected() { _st_py wait-connected "${1:-$ST_TIMEOUT}"; }
st_connected() { _st_py connected "$(_st_n "$1")"; }
st_wait_disconnected() { _st_py wait-disconnected "$(_st_n "$1")" "${2:-$ST_TIMEOUT}"; }
st_wait_idle() { _st_py wait-idle "${1:-$ST_TIMEOUT}"; }
st_wait_same() { _st_py wait-same "${1:-$ST_TIMEOUT}"; }
st_wait_file() {
        case $# in
        1) _st_py wait-file "$1" "$ST_TIMEOUT" ;;
        2) _st_py wait-file "$1" "$2" "$ST_TIMEOUT" ;;
        *) _st_py wait-file "$1" "$2" "$3" ;;
        esac
}
st_wait_gone() { _st_py wait-gone "$1" "${2:-$ST_TIMEOUT}"; }
st_put() {
        local tmp
        tmp=$(dirname "$1")/.syncthing.$(basename "$1").tmp
        if [[ -n ${2:-} ]]; then cat -- "$2" >"$tmp"; else cat >"$tmp"; fi && mv -f -- "$tmp" "$1"
}
st_scan() {
        local sub=
        [[ -n ${2:-} ]] && sub="&sub=$("${PY:-python3}" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$2")"
        st_api "$1" POST "/rest/db/scan?folder=$ST_FOLDER$sub" >/dev/null
}
st_conflicts() { find "$ST_A_DIR" "$ST_B_DIR" -name '*.sync-conflict-*' 2>/dev/null; }
st_propagation_ms() { _st_py propagate "$1" "$2" "$3" "$ST_TIMEOUT"; }
st_check_trace() {
        local N log=$1
        if [[ $1 != */* ]]; then
                N=$(_st_n "$1") || return 1
                log=$(_st_var "$N" HOME)/strace.log
        fi
        _st_py check-trace "$log"
}
st_check_sockets() {
        local pids=() n
        for n in a b; do st_running $n && pids+=("$(st_pid $n)"); done
        ((${#pids[@]})) || { echo "# no instance is running" >&2; return 1; }
        _st_py check-sockets "${pids[@]}"
}

# Both instances end with the test, failed or not: before lib.sh's _cleanup
# (which removes $ST_ROOT), whatever EXIT trap was set before.
_st_prev_exit=$(trap -p EXIT)
_st_prev_exit=${_st_prev_exit#trap -- }
_st_prev_exit=${_st_prev_exit% EXIT}
[[ -n $_st_prev_exit ]] && eval "_st_prev_exit=$_st_prev_exit"
# shellcheck disable=SC2064 # the previous trap is expanded now, on purpose
trap "st_teardown; $_st_prev_exit" EXIT

# st_assert_loopback: the test's assertions that nothing left the loopback:
# each instance's trace (when run under strace, ST_STRACE) and the sockets
# of both (ss). Needs tests/lib.sh's ok/not_ok/skip.
st_assert_loopback() {
        local n out
        if [[ -n ${ST_STRACE:-} ]]; then
                for n in a b; do
                        if out=$(st_check_trace $n 2>&1); then ok "$n: strace, from generate to now: $out"; else
                                not_ok "$n: strace: an address off loopback"
                                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
                        fi
                done
        else
                skip "strace cannot trace here (ptrace refused)"
        fi
        if out=$(st_check_sockets 2>&1); then ok "ss: $out"; else
                not_ok "ss: a socket off loopback"
                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
        fi
}
