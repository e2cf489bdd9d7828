#!/bin/bash
# SPDX-License-Identifier: MIT
# The benchmark of issue 9 (and the rows of issues 15, 17 and 18: stalls,
# sharing, the calendar vdir and a followed folder of tasks), run by `make bench` (which builds closerd,
# closerctl and tests/tools/*.c first). Prints a table and writes it, with the
# machine it came from, into bench/RESULTS.md between the "bench:begin" and
# "bench:end" markers (the rest of that file is kept as it is).
#
# Every ratio is measured in this run, on this machine; none is asserted:
# the exit status says only whether the benchmark could run.
#
# Environment: B (build dir, default build); BENCH_QUICK=1 for a short smoke
# run (fewer repetitions, 3 s idle window; its figures are not for the README);
# BENCH_ONLY=share for the sharing rows (issue 17) and the footprint rows they
# are read against only; BENCH_ONLY=phone for the rows of issue 18 only (the
# calendar vdir on the 50-year history, a followed 1,000-task folder): either
# way the table is printed, bench/RESULTS.md left alone.
set -u -o pipefail
B=${B:-build}
export B # bench/share-prop.py runs $B/closerctl
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1
# shellcheck source=tests/lib.sh
source tests/lib.sh
T=$TOP/$B/tests
RESULTS=$TOP/bench/RESULTS.md
NAME=io.github.closer.Closer1

if [[ -n ${BENCH_QUICK:-} ]]; then
        N_LAT=30 N_GROW=10 N_START=5 N_IMPORT=3 LOAD_S=0.5 ROUNDS=1 IDLE_S=3 STALL_S=3
        N_PROP=5 N_PROP_BIG=3 N_ST=2 N_MOVE=5 N_FOLLOW=5
else
        N_LAT=200 N_GROW=50 N_START=21 N_IMPORT=7 LOAD_S=1 ROUNDS=5 IDLE_S=30 STALL_S=15
        N_PROP=30 N_PROP_BIG=10 N_ST=5 N_MOVE=21 N_FOLLOW=30
fi
ONLY=${BENCH_ONLY:-}
[[ -z $ONLY || $ONLY == share || $ONLY == phone ]] ||
        { echo "bench: BENCH_ONLY is empty, share or phone, not '$ONLY'" >&2; exit 1; }
# all: the rows of issues 9 and 15, left out by BENCH_ONLY=share and phone;
# share_on: the sharing rows (issue 17) and the footprint rows (4);
# phone_on: the rows of issue 18.
all() { [[ -z $ONLY ]]; }
share_on() { [[ -z $ONLY || $ONLY == share ]]; }
phone_on() { [[ -z $ONLY || $ONLY == phone ]]; }

die() {
        echo "bench: $*" >&2
        exit 1
}
say() { echo "bench: $*" >&2; }

for tool in bench-run bench-ping bench-load bench-floor bench-stall bench-renamed gen-history; do
        [[ -x $T/$tool ]] || die "$T/$tool is missing: run make bench"
done
command -v remind >/dev/null || die "remind is missing (Debian package remind; make deps)"

# --- daemons: several worlds at once, so each keeps its own PID ---------------
declare -A DPID=()
bench_cleanup() {
        local w
        for w in "${!DPID[@]}"; do kill -TERM "${DPID[$w]}" 2>/dev/null && wait "${DPID[$w]}" 2>/dev/null; done
        _cleanup
}
trap bench_cleanup EXIT
# Two Syncthing instances for the sharing rows; its EXIT trap runs ours after it.
# shellcheck source=tests/syncthing.sh
source tests/syncthing.sh

# dstart WORLD [ARG...]: closerd as it runs for a user (no -v unless given),
# waits for its name.
dstart() {
        enter_world "$1"
        "$CLOSERD" "${@:2}" >>"$1/closerd.log" 2>&1 &
        DPID[$1]=$!
        wait_name || die "closerd did not take its name in $1: $(tail -3 "$1/closerd.log")"
}
dstop() {
        enter_world "$1"
        local pid=${DPID[$1]:-}
        [[ -n $pid ]] || return 0
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null
        unset "DPID[$1]"
        local _
        for _ in $(seq 100); do name_owned || break; sleep 0.02; done
}
# wenv WORLD: the environment words of bench-run for a command in WORLD.
wenv() {
        echo "XDG_DATA_HOME=$1/data XDG_CONFIG_HOME=$1/config XDG_RUNTIME_DIR=$1/run HOME=$1/home" \
                "DBUS_SESSION_BUS_ADDRESS=unix:path=$1/bus"
}

# --- arithmetic ---------------------------------------------------------------
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict RATIO OP LIMIT
verdict() { awk -v r="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "le" ? r <= l : r >= l; print ok ? "met" : "**missed**" }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }

start_time=$SECONDS
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the worlds -----------------------------------------------------------------
if all; then
        say "generating 1 and 50 years of history"
        new_world bench1y
        W1=$W
        H1=$("$T/gen-history" "$W1/data/closer" 1) || die "gen-history 1 failed"
        cp -a "$W1/data/closer" "$W1/pristine"
else
        say "generating 50 years of history"
        W1="" H1="(not made: BENCH_ONLY=$ONLY)"
fi
new_world bench50y
W50=$W
H50=$("$T/gen-history" "$W50/data/closer" 50) || die "gen-history 50 failed"
cp -a "$W50/data/closer" "$W50/pristine"
DB50_KB=$(du -k "$W50/data/closer/closer.db" | cut -f1)

# gen_list N FILE: a text list of N items for `list add --from`, a quarter
# per category, some marked, some explicit.
gen_list() {
        awk -v n="$1" 'BEGIN {
                split("affection love lust fun", cat, " ")
                for (c = 1; c <= 4; c++) {
                        printf "[%s]\n", cat[c]
                        for (i = 1; i <= int(n / 4) + (c <= n % 4); i++)
                                printf "%sA %s moment number %d, the way we like it%s\n", (i % 10 == 0 ? "!" : ""),
                                        cat[c], i, (i % 3 == 0 ? " **" : "")
                }
        }' >"$2"
}
# list_file N: a new world whose closerd exports a list of N items into
# $W/list.ics.
list_file() {
        new_world benchlist
        gen_list "$1" "$W/list.txt"
        dstart "$W"
        "$CLOSERCTL" list add --from "$W/list.txt" >/dev/null || die "list add --from ($1 items) failed"
        "$CLOSERCTL" list export "$W/list.ics" >/dev/null || die "list export ($1 items) failed"
        dstop "$W"
}
if all; then
        say "making a 1,000-item list exchange file"
        list_file 1000
        WL=$W
        LIST=$WL/list.ics
        N_LIST=$(grep -c '^BEGIN:VTODO' "$LIST")

        # A daily and a weekly reminder, as closer keeps them: the daily act at
        # 08:00 and the date night on Fridays at 20:00, reminded an hour before.
        cat >"$W1/reminders" <<'EOF'
REM AT 08:00 MSG Today's act from the love list
REM Fri AT 20:00 +60 MSG Date night
EOF
fi

# --- sharing (issue 17): the partner's world and mine -----------------------------
# vtodos FILE: how many items the exchange file holds (0 when missing).
vtodos() { grep -c '^BEGIN:VTODO' "$1" 2>/dev/null || true; }
# wait_for SECONDS DESC CMD...: CMD succeeds within SECONDS, or the bench ends.
wait_for() {
        local end=$((SECONDS + $1)) desc=$2
        shift 2
        until "$@" >/dev/null 2>&1; do
                ((SECONDS < end)) || die "$desc: not within the time allowed"
                sleep 0.1
        done
}
has_vtodos() { [[ $(vtodos "$1") == "$2" ]]; }
member_id() { "$CLOSERCTL" --json share | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["member_id"])'; }
partner_items() { "$CLOSERCTL" --json list partner | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
has_partner_items() { [[ $(partner_items) == "$1" ]]; }
# share_partner N [DIR]: a new world, "Sam", whose closerd shares DIR (default:
# share/ in the world) and has published its list of N items there. Sets PW
# (the world), PID_P (Sam's member ID) and P_MINE (Sam's member folder);
# leaves its closerd running.
share_partner() {
        new_world benchsharep
        PW=$W
        local dir=${2:-$W/share}
        mkdir -p "$dir"
        gen_list "$1" "$W/list.txt"
        dstart "$W"
        "$CLOSERCTL" set me.name Sam >/dev/null || die "set me.name failed"
        "$CLOSERCTL" list add --from "$W/list.txt" >/dev/null || die "list add --from ($1 items) failed"
        "$CLOSERCTL" share "$dir" >/dev/null || die "share $dir failed"
        PID_P=$(member_id) || die "no member ID in $PW"
        P_MINE=$(realpath "$dir")/$PID_P
        wait_for 120 "Sam's closerd publishing $1 items" has_vtodos "$P_MINE/list.ics" "$1"
}
# share_me DIR [ARG...]: a new world, "Alex", whose closerd (with ARGs) shares
# DIR (empty: share/ in the world). Sets AW and A_DIR.
share_me() {
        new_world benchsharea
        AW=$W
        A_DIR=${1:-$W/share}
        mkdir -p "$A_DIR"
        A_DIR=$(realpath "$A_DIR")
        dstart "$W" "${@:2}"
        "$CLOSERCTL" set me.name Alex >/dev/null || die "set me.name failed"
        "$CLOSERCTL" share "$A_DIR" >/dev/null || die "share $A_DIR failed"
}
# carry_partner DIR: Sam's member folder ($P_MINE) into my copy DIR, whole:
# copied beside it, then renamed into place.
carry_partner() {
        cp -a "$P_MINE" "$1/.bench.$PID_P.tmp" || die "cannot copy $P_MINE into $1"
        mv "$1/.bench.$PID_P.tmp" "$1/$PID_P" || die "cannot rename $PID_P into place in $1"
}

if all; then
        # --- 3. start-up to name acquired (closerd not running) ---------------------------
        say "start-up: $N_START starts of closerd on each history, interleaved"
        # shellcheck disable=SC2046
        out=$("$T/bench-run" -n "$N_START" -w 2 -a "$NAME" -e "$W1/closerd.log" -- $(wenv "$W1") "$CLOSERD" \
                :: $(wenv "$W50") "$CLOSERD") || die "start-up benchmark failed"
        read -r S1 S1P _ <<<"$(sed -n 1p <<<"$out")"
        read -r S50 S50P _ <<<"$(sed -n 2p <<<"$out")"
        r=$(ratio "$S50" "$S1")
        row "3" "closerd start-up to name acquired, median (p90) of $N_START" "$(ms "$S50") ($(ms "$S50P"))" \
                "$(ms "$S1") ($(ms "$S1P"))" "$r" "≤ 1.5" "$(verdict "$r" le 1.5)"

fi

all && dstart "$W1"
if share_on; then
        dstart "$W50"
        RSS_START=$(status_kb "${DPID[$W50]}" VmRSS)
        RSS_START_ANON=$(status_kb "${DPID[$W50]}" RssAnon)
fi

if all; then
        # --- 1. and 5. latency: closerctl today, the Ping floor, remind -------------------
        say "latency: closerctl today, bench-ping and remind, $N_LAT each, interleaved"
        enter_world "$W1"
        "$CLOSERCTL" today >/dev/null || die "closerctl today failed"
        out=$("$T/bench-run" -n "$N_LAT" -w 5 -- "$CLOSERCTL" today :: "$T/bench-ping" :: remind -q "$W1/reminders") ||
                die "latency benchmark failed"
        read -r L_T L_TP _ <<<"$(sed -n 1p <<<"$out")"
        read -r L_P L_PP _ <<<"$(sed -n 2p <<<"$out")"
        read -r L_R L_RP _ <<<"$(sed -n 3p <<<"$out")"
        r=$(ratio "$L_T" "$L_P")
        LAT_ROW="| 1 | latency: \`closerctl today\` vs a Peer.Ping client (\`bench-ping\`), whole processes, median (p90) of $N_LAT, 1-year database | $(ms "$L_T") ($(ms "$L_TP")) | $(ms "$L_P") ($(ms "$L_PP")) | $r | ≤ 1.3 | $(verdict "$r" le 1.3) |"
        r5=$(ratio "$L_T" "$L_R")
        PEER_ROW="| 5 | a peer: \`closerctl today\` vs \`remind -q\` on a daily and a weekly reminder, median (p90) of $N_LAT | $(ms "$L_T") ($(ms "$L_TP")) | $(ms "$L_R") ($(ms "$L_RP")) | $r5 | (none) | - |"

        # --- 3. growth: today, stats, export-ics on 50 years vs 1 year ---------------------
        say "growth: today, stats, export-ics, $N_GROW each on both histories, interleaved"
        # shellcheck disable=SC2046
        out=$("$T/bench-run" -n "$N_GROW" -w 3 -- \
                $(wenv "$W1") "$CLOSERCTL" today :: $(wenv "$W50") "$CLOSERCTL" today :: \
                $(wenv "$W1") "$CLOSERCTL" stats :: $(wenv "$W50") "$CLOSERCTL" stats :: \
                $(wenv "$W1") "$CLOSERCTL" export-ics - :: $(wenv "$W50") "$CLOSERCTL" export-ics -) ||
                die "growth benchmark failed"
        GROW=()
        mapfile -t GROW <<<"$out"
        grow_row() {
                local what=$1 a b
                a=$(cut -d' ' -f1 <<<"${GROW[$2]}")
                b=$(cut -d' ' -f1 <<<"${GROW[$3]}")
                local rr
                rr=$(ratio "$b" "$a")
                row "3" "$what, median of $N_GROW" "$(ms "$b")" "$(ms "$a")" "$rr" "≤ 2" "$(verdict "$rr" le 2)"
        }
        grow_row "\`closerctl today\`" 0 1
        grow_row "\`closerctl stats\`" 2 3
        grow_row "\`closerctl export-ics -\`" 4 5

        # --- 2. throughput -------------------------------------------------------------------
        # Rounds alternate Ping and GetToday so both see the same machine; the
        # daemon's CPU time (utime + stime from /proc) over all replies of a method
        # gives its cost per call.
        #
        # The load generator gets a CPU of its own (the last one allowed), closerd
        # and its dbus-daemon the others, as a load generator belongs on another
        # machine: left to the scheduler, three busy processes on two cores land
        # wherever it puts them, and where closerd lands (with the bus or with the
        # client) moves both rates by a third from one second to the next. The
        # same rounds are also run unpinned and reported beside.
        cpu_list() { # expands "0-2,5" into "0 1 2 5"
                local part out=()
                for part in ${1//,/ }; do
                        if [[ $part == *-* ]]; then mapfile -t -O "${#out[@]}" out < <(seq "${part%-*}" "${part#*-}"); else out+=("$part"); fi
                done
                echo "${out[@]}"
        }
        ALLOWED=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)
        read -r -a CPUS <<<"$(cpu_list "$ALLOWED")"
        if ((${#CPUS[@]} >= 2)); then
                LOADGEN_CPU=${CPUS[-1]}
                SUT_CPUS=$(IFS=,; echo "${CPUS[*]:0:${#CPUS[@]}-1}")
                PINNINGS="pinned unpinned"
        else
                PINNINGS="unpinned" # one CPU: nothing to keep apart
        fi
        # pin WORLD pinned|unpinned: where the world's closerd and dbus-daemon may run.
        pin() {
                local cpus=$ALLOWED pid
                [[ $2 == pinned ]] && cpus=$SUT_CPUS
                for pid in "${DPID[$1]}" "$(cat "$1/bus.pid")"; do
                        taskset -a -p -c "$cpus" "$pid" >/dev/null || die "taskset $cpus $pid failed"
                done
        }
        say "throughput: GetToday vs Peer.Ping at 1, 8, 64 clients on both daemons ($ROUNDS rounds of ${LOAD_S} s; ${PINNINGS/ / and })"
        CLK_TCK=$(getconf CLK_TCK)
        cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
        # per_call KEY: closerd's CPU time per reply; med KEY: the median rate.
        per_call() { awk -v t="${used[$1]}" -v r="${replies[$1]}" -v h="$CLK_TCK" 'BEGIN { printf "%.0f", t * 1e6 / h / r }'; }
        # shellcheck disable=SC2086
        med() { printf '%s\n' ${rates[$1]} | median; }
        for w in "$W1" "$W50"; do
                enter_world "$w"
                pid=${DPID[$w]}
                [[ $w == "$W1" ]] && label="1-year" || label="50-year"
                for n in 1 8 64; do
                        declare -A rates=() used=() replies=()
                        for ((k = 0; k < ROUNDS; k++)); do
                                for p in $PINNINGS; do
                                        pin "$w" "$p"
                                        where=()
                                        [[ $p == pinned ]] && where=(taskset -c "$LOADGEN_CPU")
                                        for m in Ping GetToday; do
                                                a=$(cpu_ticks "$pid")
                                                read -r rate _ err rep < <("${where[@]}" "$T/bench-load" "$m" "$n" "$LOAD_S" 0.3)
                                                [[ -n ${rate:-} ]] || die "bench-load $m $n failed"
                                                [[ $err == 0 ]] || die "$err error replies to $m under load"
                                                b=$(cpu_ticks "$pid")
                                                used[$p$m]=$((${used[$p$m]:-0} + b - a))
                                                replies[$p$m]=$((${replies[$p$m]:-0} + rep))
                                                rates[$p$m]+="$rate "
                                        done
                                done
                        done
                        pin "$w" unpinned
                        p=${PINNINGS%% *}
                        ping=$(med "${p}Ping") today=$(med "${p}GetToday")
                        r=$(ratio "$today" "$ping")
                        what="throughput, $n client$([[ $n == 1 ]] || echo s), $label database: GetToday vs Peer.Ping, calls/s, median of $ROUNDS"
                        if [[ $p == pinned ]]; then
                                u_ping=$(med unpinnedPing) u_today=$(med unpinnedGetToday)
                                what+=", load generator on CPU $LOADGEN_CPU, closerd and the bus on CPU $SUT_CPUS (closerd CPU per call: $(per_call pinnedGetToday) µs vs $(per_call pinnedPing) µs); unpinned, all on CPU $ALLOWED: $u_today vs $u_ping, $(ratio "$u_today" "$u_ping") ($(per_call unpinnedGetToday) µs vs $(per_call unpinnedPing) µs)"
                        else
                                what+=" (closerd CPU per call: $(per_call unpinnedGetToday) µs vs $(per_call unpinnedPing) µs)"
                        fi
                        row "2" "$what" "$today" "$ping" "$r" "≥ 0.7" "$(verdict "$r" ge 0.7)"
                done
        done

fi

if share_on; then
        # --- 4. footprint: an idle closerd on 50 years -----------------------------------------
        say "footprint: memory and system calls of the idle 50-year closerd (${IDLE_S} s)"
        enter_world "$W50"
        PID50=${DPID[$W50]}
        # Nothing due for hours: the daily act 3 h from now, the date night 3 days on.
        "$CLOSERCTL" set daily.time "$(date -d '+3 hours' +%H:%M)" >/dev/null || die "set daily.time failed"
        "$CLOSERCTL" datenight set --weekday "$(LC_ALL=C date -d '+3 days' +%a | tr '[:upper:]' '[:lower:]')" --time 20:00 >/dev/null ||
                die "datenight set failed"
        # closerd wakes at local midnight on Mondays (the plan reaches a week
        # further): keep the window clear of any midnight.
        secs_to_midnight=$(($(date -d 'tomorrow 00:00' +%s) - $(date +%s)))
        # Two windows: this one and the one with sharing on (section 7) after it.
        if ((secs_to_midnight < 2 * IDLE_S + 60)); then
                say "waiting $((secs_to_midnight + 5)) s for midnight to pass"
                sleep $((secs_to_midnight + 5))
        fi
        sleep 1
        RSS=$(status_kb "$PID50" VmRSS)
        RSS_ANON=$(status_kb "$PID50" RssAnon)
        RSS_FILE=$(status_kb "$PID50" RssFile)
        PSS=$(awk '$1 == "Pss:" { print $2 }' "/proc/$PID50/smaps_rollup")
        r=$(calc "$RSS <= 8192 ? \"met\" : \"**missed**\"")
        read -r FLOOR FLOOR_ICAL < <("$T/bench-floor") || die "bench-floor failed"
        row "4" "resident memory (VmRSS) of the idle closerd on 50 years after the runs above: $(kib "$RSS_ANON") anonymous, $(kib "$RSS_FILE") library pages (PSS $(kib "$PSS")); just after start $(kib "$RSS_START"), $(kib "$RSS_START_ANON") anonymous. Reference: a process that only loads closerd's libraries, libsystemd and libsqlite3 (\`bench-floor\`): $(kib "$FLOOR"); with libical, which only closerd's iCalendar helper loads: $(kib "$FLOOR_ICAL")" \
                "$(kib "$RSS")" "$(kib "$FLOOR")" "-" "≤ 8 MiB" "$r"
        # idle_syscalls PID TRACE: the system calls PID makes in IDLE_S seconds, into
        # SYSCALLS; HOW says how they were counted.
        idle_syscalls() {
                if perf trace -s -p "$1" -o "$2" -- sleep "$IDLE_S" 2>/dev/null; then
                        how="perf trace -s -p PID"
                        SYSCALLS=$(awk '$1 ~ /^[a-z_0-9]+$/ && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { n += $2 } END { print n + 0 }' "$2")
                else
                        # strace's attach interrupts the epoll_wait closerd sleeps in, so
                        # the count includes the attach's own wake-up (one or two calls).
                        how="strace -f -c -p PID, the attach's own wake-up included"
                        timeout -s INT "$IDLE_S" strace -f -c -p "$1" -o "$2" 2>/dev/null
                        SYSCALLS=$(awk '$NF == "total" { print $(NF - 1) }' "$2")
                fi
                [[ $SYSCALLS == 0 ]] || { say "system calls while idle:"; cat "$2" >&2; }
        }
        idle_syscalls "$PID50" "$B/bench-idle-trace.txt"
        r=$([[ $SYSCALLS == 0 ]] && echo met || echo "**missed**")
        row "4" "system calls of the idle closerd over $IDLE_S s, nothing due ($how)" "$SYSCALLS" "-" "-" "0" "$r"

        # --- 7. sharing (issue 17): the same closerd with sharing on ---------------------------
        # Sam (another world) publishes a 1,000-item list into their copy of a
        # folder; their member folder is carried whole into the 50-year closerd's
        # copy, which then turns sharing on: it finds Sam's folder, watches it,
        # imports the list and publishes its own files. Sam's closerd is stopped
        # before the window: nothing changes in the folder.
        say "footprint with sharing on: the 50-year closerd with a partner's folder (${IDLE_S} s)"
        share_partner 1000
        PW50=$PW
        enter_world "$W50"
        S50=$W50/share
        mkdir -p "$S50"
        carry_partner "$S50"
        dstop "$PW50"
        enter_world "$W50"
        "$CLOSERCTL" --json monitor >"$W50/monitor.log" 2>&1 &
        mon=$!
        sleep 0.3
        # The peak from here on: clear_refs 5 sets VmHWM to the current VmRSS.
        echo 5 >"/proc/$PID50/clear_refs" 2>/dev/null && hwm_reset=1 || hwm_reset=
        "$CLOSERCTL" share "$S50" >/dev/null ||
                die "share $S50 failed on the 50-year closerd (bus $(ls -l "$W50/bus" 2>&1), dbus-daemon $(cat "$W50/bus.pid") $(ps -o stat= -p "$(cat "$W50/bus.pid")" || echo gone), closerd $(ps -o stat= -p "$PID50" || echo gone))"
        wait_for 120 "the 50-year closerd importing Sam's list" grep -q '"PartnerChanged".*"list"' "$W50/monitor.log"
        kill "$mon" 2>/dev/null
        wait "$mon" 2>/dev/null
        sleep 3
        # Memory first: the calls below (a 2,000-item list partner reply) cost some.
        RSS_SH=$(status_kb "$PID50" VmRSS)
        RSS_SH_ANON=$(status_kb "$PID50" RssAnon)
        HWM_SH=$(status_kb "$PID50" VmHWM)
        SH_JSON=$("$CLOSERCTL" --json share)
        SH_STATE=$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print("partner present" if d["partner_present"] else "**partner absent**", "%d problems" % len(d["problems"]))' "$SH_JSON")
        SH_ITEMS=$(partner_items)
        SH_LIST=$(vtodos "$S50/$PID_P/list.ics")
        # The idle window starts quiet again.
        sleep 2
        WATCHES=$(cat "/proc/$PID50/fdinfo/"* 2>/dev/null | grep -c '^inotify wd:')
        r=$(calc "$RSS_SH <= 8192 && $HWM_SH <= 8192 ? \"met\" : \"**missed**\"")
        row "7" "sharing on (issue 17): resident memory (VmRSS) of the idle closerd on 50 years, after it imported a partner's list of $SH_LIST items from their member folder (now $SH_ITEMS partner items, the history's included) and published its own files: $(kib "$RSS_SH_ANON") anonymous; the peak (VmHWM) $(if [[ -n $hwm_reset ]]; then echo "since sharing was turned on"; else echo "of its whole life"; fi): $(kib "$HWM_SH"). Reference: the same closerd just before, sharing off (row 4)" \
                "$(kib "$RSS_SH") (peak $(kib "$HWM_SH"))" "$(kib "$RSS")" "$(ratio "$RSS_SH" "$RSS")" "≤ 8 MiB" "$r"
        idle_syscalls "$PID50" "$B/bench-idle-share-trace.txt"
        r=$([[ $SYSCALLS == 0 && $SH_STATE == "partner present 0 problems" ]] && echo met || echo "**missed**")
        row "7" "sharing on: system calls of the idle closerd over $IDLE_S s, its folder and the partner's watched ($WATCHES inotify watches in all, the time zone's 2 included), $SH_STATE, nothing changing ($how)" \
                "$SYSCALLS" "-" "-" "0" "$r"

fi
all && dstop "$W1"
share_on && dstop "$W50"

if all; then
        # --- 6. stalls: the longest unanswered Ping while iCalendar work runs ---------------------
        # A client pings every 2 ms (bench-stall) while another imports a 10,000-item
        # partner list and exports the calendar in a loop, against the same with
        # nothing running. closerd runs with -v here: its log times what the event
        # loop does itself (the import's database transaction, the caller's work after
        # the helper, the helper's own time).
        say "stalls: Peer.Ping every 2 ms for $STALL_S s, idle and during 10,000-item imports and export-ics"
        list_file 10000
        WSS=$W
        N_STALL=$(grep -c '^BEGIN:VTODO' "$WSS/list.ics")
        new_world benchstall
        WS=$W
        "$CLOSERD" -v >>"$WS/closerd.log" 2>&1 &
        DPID[$WS]=$!
        wait_name || die "closerd did not take its name in $WS"
        "$CLOSERCTL" datenight set --weekday fri --time 20:00 >/dev/null || die "datenight set failed"
        "$CLOSERCTL" partner import "$WSS/list.ics" >/dev/null || die "partner import (10,000 items) failed"
        read -r ST_IDLE ST_IDLE99 _ ST_IDLE_N < <("$T/bench-stall" "$STALL_S") || die "bench-stall failed"
        : >"$WS/rounds"
        (
                while :; do
                        "$CLOSERCTL" partner import "$WSS/list.ics" >/dev/null || exit 1
                        "$CLOSERCTL" export-ics - >/dev/null || exit 1
                        echo >>"$WS/rounds"
                done
        ) &
        loop=$!
        log_from=$(($(wc -l <"$WS/closerd.log") + 1))
        read -r ST_LOAD ST_LOAD99 _ ST_LOAD_N < <("$T/bench-stall" "$STALL_S") || die "bench-stall failed"
        kill "$loop" 2>/dev/null
        wait "$loop" 2>/dev/null
        ST_ROUNDS=$(wc -l <"$WS/rounds")
        dstop "$WS"
        # stat_ms REGEX: "max (median)" of the numbers the log gives after REGEX.
        stat_ms() {
                tail -n +"$log_from" "$WS/closerd.log" | grep -oE "$1 [0-9.]+" | awk '{ print $NF }' | sort -n |
                        awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } printf "%.1f ms (median %.1f ms)", v[NR], v[int((NR + 1) / 2)] }'
        }
        ST_DB=$(tail -n +"$log_from" "$WS/closerd.log" | grep -oE '\([0-9.]+ ms in the database\)' | tr -d '(' |
                awk '{ print $1 }' | sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } printf "%.1f ms (median %.1f ms)", v[NR], v[int((NR + 1) / 2)] }')
        ST_CALLER=$(stat_ms "its caller's work took")
        ST_HELPER=$(stat_ms "op 3 done after")
        ST_START=$(tail -n +"$log_from" "$WS/closerd.log" | grep 'started: op 3' | grep -oE 'in [0-9.]+ ms' | awk '{ print $2 }' |
                sort -n | tail -1)
        r=$(awk -v s="$ST_LOAD" 'BEGIN { print s <= 30000 ? "met" : "**missed**" }')
        row "6" "the longest a \`Peer.Ping\` (sent every 2 ms, $ST_LOAD_N pings over $STALL_S s) waits for closerd while \`partner import\` of a $N_STALL-item list and \`export-ics -\` run in a loop ($ST_ROUNDS rounds), against the same with nothing running ($ST_IDLE_N pings); p99 $(ms "$ST_LOAD99") vs $(ms "$ST_IDLE99"). What the event loop still does itself per import: the import's database transaction $ST_DB, the whole work after the helper (decoding, the transaction, re-planning, the reply) $ST_CALLER, reading the file and starting the helper at most ${ST_START:-?} ms; the helper's own time, off the loop: $ST_HELPER" \
                "$(ms "$ST_LOAD")" "$(ms "$ST_IDLE")" "-" "≤ 30 ms" "$r"

        # --- 3. partner import of the 1,000-item list into a fresh copy each time -------------
        say "growth: partner import of $N_LIST items, $N_IMPORT times into fresh copies of each history"
        I1=() I50=()
        for ((k = 0; k < N_IMPORT; k++)); do
                for w in "$W1" "$W50"; do
                        rm -rf "$w/data/closer"
                        cp -a "$w/pristine" "$w/data/closer"
                        dstart "$w"
                        sleep 0.2
                        # shellcheck disable=SC2046
                        t=$("$T/bench-run" -n 1 -w 0 -- $(wenv "$w") "$CLOSERCTL" partner import "$LIST" | cut -d' ' -f1) ||
                                die "partner import failed"
                        dstop "$w"
                        [[ $w == "$W1" ]] && I1+=("$t") || I50+=("$t")
                done
        done
        IM1=$(printf '%s\n' "${I1[@]}" | median)
        IM50=$(printf '%s\n' "${I50[@]}" | median)
        r=$(ratio "$IM50" "$IM1")
        row "3" "\`closerctl partner import\` of a $N_LIST-item list, fresh copy each time, median of $N_IMPORT" \
                "$(ms "$IM50")" "$(ms "$IM1")" "$r" "≤ 2" "$(verdict "$r" le 2)"

fi

if share_on; then
        # --- 7. propagation: my partner's list.ics renamed into place to PartnerChanged ------------
        # Three couples, Sam's list of 10, 1,000 and 10,000 items; Alex's closerd runs
        # with -v, for the iCalendar helper's timings in its log. Each sample changes
        # one item in Sam's list (`list edit`), Sam's closerd publishes it, and
        # bench/share-prop.py carries the new list.ics into Alex's copy of the folder
        # and times the rename to PartnerChanged on Alex's bus, the couples in turn.
        say "sharing: propagation of a one-item change in lists of 10, 1,000 and 10,000 items"
        PAIRS=() SHARE_WORLDS=()
        for n in 10 1000 10000; do
                share_partner "$n"
                share_me "" -v
                SHARE_WORLDS+=("$PW" "$AW")
                carry_partner "$A_DIR"
                wait_for 300 "Alex's closerd importing Sam's $n items" has_partner_items "$n"
                PAIRS+=("$n:$( ((n == 10000)) && echo "$N_PROP_BIG" || echo "$N_PROP"):$AW:$PW:$P_MINE:$A_DIR/$PID_P")
        done
        prop_out=$("$PY" bench/share-prop.py closer 2 "$B/bench-share-propagation.txt" "${PAIRS[@]}") ||
                die "the propagation benchmark failed (bench/share-prop.py)"
        declare -A PROP=()
        while read -r label rest; do PROP[$label]=$rest; done <<<"$prop_out"
        for w in "${SHARE_WORLDS[@]}"; do dstop "$w"; done
        # prop_row N TARGET-TEXT VERDICT REFERENCE RATIO
        prop_row() {
                local n med p99 _mn _mx start helper caller callermax rest
                read -r n med p99 _mn _mx start helper caller callermax rest <<<"${PROP[$1]}"
                row "7" "sharing, propagation (closer's own share): my partner's list.ics of $1 items, one item changed, renamed into my copy of the folder → \`PartnerChanged\` on my bus, median (p99, here the highest) of $n; of it (medians): the iCalendar helper parsing the file $helper ms (its start, fork and exec included: $start ms), closerd's own work on the result (the import's transaction, the signal) $caller ms (at most $callermax ms), the rest (inotify, reading the file, starting the helper, the bus) $rest ms" \
                        "$med ms ($p99 ms)" "$4" "$5" "$2" "$3"
        }
        read -r _ PM1K P991K _ <<<"${PROP[1000]}"
        read -r _ PM10K _ <<<"${PROP[10000]}"
        prop_row 10 "(none)" "-" "-" "-"
        prop_row 1000 "≤ 50 ms" "$(awk -v m="$PM1K" -v p="$P991K" 'BEGIN { print m <= 50 && p <= 50 ? "met" : "**missed**" }')" "-" "-"
        r=$(ratio "$PM10K" "$PM1K")
        prop_row 10000 "≤ 10 (the lists' ratio)" "$(verdict "$r" le 10)" "$PM1K ms (1,000 items)" "$r"

        # --- 7. the same through two real Syncthing instances ------------------------------------
        if st_available; then
                say "sharing through two Syncthing instances: $N_ST changes of a 1,000-item list, and the same bytes alone"
                sy_dirs=$(mktemp -d /tmp/closer-test.bench-syncthing-dirs.XXXXXX)
                _worlds+=("$sy_dirs")
                if st_setup "$sy_dirs/sam" "$sy_dirs/alex"; then
                        # Syncthing "a" holds Sam's copy, "b" Alex's.
                        share_partner 1000 "$ST_A_DIR"
                        SY_P=$PW
                        share_me "$ST_B_DIR" -v
                        SY_A=$AW
                        wait_for 180 "Alex's closerd receiving Sam's list through Syncthing" has_partner_items 1000
                        mkdir "$ST_A_DIR/bench-probe"
                        wait_for 60 "Syncthing carrying a folder" test -d "$ST_B_DIR/bench-probe"
                        prop_out=$("$PY" bench/share-prop.py syncthing "$N_ST" "$B/bench-share-syncthing.txt" "$SY_A" "$SY_P" \
                                "$P_MINE" "$ST_A_DIR/bench-probe" "$ST_B_DIR/bench-probe") ||
                                die "the Syncthing propagation benchmark failed (bench/share-prop.py)"
                        read -r _ n med p99 _ <<<"$(grep '^closer+syncthing ' <<<"$prop_out")"
                        read -r _ n2 med2 p992 _ <<<"$(grep '^syncthing ' <<<"$prop_out")"
                        sy_v=$(syncthing --version 2>/dev/null | awk '{ print $2; exit }')
                        row "7" "sharing through two real Syncthing $sy_v instances on loopback (tests/syncthing.sh: watcher on, fsWatcherDelayS 1), 1,000 items: from \`closerctl list edit\` in my partner's world to \`PartnerChanged\` on my bus (their closerd publishing, Syncthing carrying, mine reading), median (p99, here the highest) of $n; reference: Syncthing alone carrying a file of the same size renamed into their copy, $n2 samples, interleaved. The difference, $(awk -v a="$med" -v b="$med2" 'BEGIN { printf "%.0f", a - b }') ms, is closer's share at both ends" \
                                "$med ms ($p99 ms)" "$med2 ms ($p992 ms)" "$(ratio "$med" "$med2")" "(none)" "-"
                        dstop "$SY_A"
                        dstop "$SY_P"
                        st_teardown
                else
                        row "7" "sharing through two real Syncthing instances: **not measured**, the two instances did not come up (st_setup)" "-" "-" "-" "(none)" "-"
                fi
        else
                row "7" "sharing through two real Syncthing instances: **not measured**, syncthing is not installed (make deps)" "-" "-" "-" "(none)" "-"
        fi
fi

if phone_on; then
        # --- 8. the calendar vdir (issue 18): one datenight move, a short and a long horizon -----
        # Two copies of the 50-year history, each in a world of its own with its
        # closerd (-v) and date nights on Fridays at 20:00, one at ics.weeks 12,
        # one at the highest ics.weeks closerd takes (520 if it does; it says its
        # range when it refuses). Two worlds, not one closerd set from one horizon
        # to the other: the nights of the past stay in the vdir once written
        # there, so a lowered horizon keeps the long one's past. Each: the vdir
        # settled (its .ics files as many as `calendar --json` counts, which
        # are what closerd reads there, no temporary file, nothing changing over
        # 0.5 s), then N_MOVE moves of one planned night
        # about 6 weeks ahead, to the Saturday and back in turn, each timed by
        # bench-renamed from spawning `closerctl datenight move` to the night's
        # <UID>.ics renamed into the folder (inotify); the files written by a move
        # are those whose inode or mtime changed once the vdir settled again. The
        # two worlds alternate move by move, one untimed warm-up each.
        declare -A VW=() VDIR=() MV_ID=() MV_UID=() MV_DAY=() MV_NEXT=() VD_N=()
        declare -A MV_T=() MV_CMD=() MV_W=() MV_R=() MV_GONE=() MV_HELPER=() MV_CALLER=()
        vdir_snap() { find "$VD" -maxdepth 1 -type f -printf '%f %i %T@\n' | sort; }
        vdir_events() { "$CLOSERCTL" --json calendar | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["events"])'; }
        # vdir_settle: until the folder VD holds .ics files only, as many as
        # `calendar --json` counts, and stays so for 0.5 s. Sets VD_FILES.
        vdir_settle() {
                local end=$((SECONDS + 120)) a b n
                a=$(vdir_snap)
                while :; do
                        sleep 0.5
                        b=$(vdir_snap)
                        n=$(grep -c '\.ics ' <<<"$b")
                        if [[ $a == "$b" && $n == "$(vdir_events)" && $n == $(grep -c . <<<"$b") ]]; then
                                VD_FILES=$n
                                return 0
                        fi
                        ((SECONDS < end)) || die "the calendar vdir did not settle ($n files, $(vdir_events) events)"
                        a=$b
                done
        }
        WEEKS_MAX=""
        for weeks in 12 max; do
                new_world "benchvdir$weeks"
                rm -rf "$W/data/closer"
                cp -a "$W50/pristine" "$W/data/closer"
                dstart "$W" -v
                "$CLOSERCTL" datenight set --weekday fri --time 20:00 >/dev/null || die "datenight set failed"
                if [[ $weeks == max ]]; then
                        if err=$("$CLOSERCTL" set ics.weeks 520 2>&1 >/dev/null); then
                                WEEKS_MAX=520 WEEKS_NOTE="ics.weeks takes 520"
                        else
                                WEEKS_MAX=$(grep -oE 'to [0-9]+' <<<"$err" | grep -oE '[0-9]+$') ||
                                        die "ics.weeks 520 refused: $err"
                                "$CLOSERCTL" set ics.weeks "$WEEKS_MAX" >/dev/null || die "set ics.weeks $WEEKS_MAX failed"
                                WEEKS_NOTE="ics.weeks is at most $WEEKS_MAX (\`set ics.weeks 520\`: \"${err#closerctl: }\"), so the long horizon is $WEEKS_MAX weeks back and ahead and its vdir not the history's 2,600 nights"
                        fi
                        weeks=$WEEKS_MAX
                else
                        "$CLOSERCTL" set ics.weeks 12 >/dev/null || die "set ics.weeks 12 failed"
                fi
                VW[$weeks]=$W
                VDIR[$weeks]=$("$CLOSERCTL" --json calendar | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["path"])') ||
                        die "calendar --json failed"
                # The night to move: planned, not moved, the first at least 6 weeks
                # ahead (inside both horizons).
                read -r id uid day < <("$CLOSERCTL" --json datenight | "$PY" -c '
import json, sys, datetime
soon = datetime.datetime.now().astimezone() + datetime.timedelta(weeks=6)
for n in json.load(sys.stdin):
    if n["status"] == "planned" and not n["moved"] and datetime.datetime.fromisoformat(n["start"]) >= soon:
        print(n["id"], n["uid"], n["start"][:10]); break')
                MV_ID[$weeks]=${id:-} MV_UID[$weeks]=${uid:-} MV_DAY[$weeks]=${day:-}
                [[ -n ${MV_ID[$weeks]} ]] || die "no planned night 6 weeks ahead at $weeks weeks"
                MV_NEXT[$weeks]=$(date -d "${MV_DAY[$weeks]} +1 day" +%F)
        done
        say "calendar vdir: $N_MOVE datenight moves at 12 and at $WEEKS_MAX weeks of horizon, 50-year history"
        for ((i = 0; i < N_MOVE + 1; i++)); do # the first of each: warm-up
                for weeks in 12 "$WEEKS_MAX"; do
                        enter_world "${VW[$weeks]}"
                        VD=${VDIR[$weeks]}
                        vdir_settle
                        VD_N[$weeks]=$VD_FILES
                        before=$(vdir_snap)
                        ((i % 2)) && when="${MV_DAY[$weeks]} 20:00" || when="${MV_NEXT[$weeks]} 20:00"
                        pos=$(($(stat -c %s "$W/closerd.log") + 1))
                        mv_out=$("$T/bench-renamed" "$VD" "${MV_UID[$weeks]}.ics" -- \
                                "$CLOSERCTL" datenight move "${MV_ID[$weeks]}" "$when") ||
                                die "datenight move at $weeks weeks: no rename of ${MV_UID[$weeks]}.ics"
                        read -r us cmd_us renames _ <<<"$mv_out"
                        vdir_settle
                        after=$(vdir_snap)
                        written=$(diff <(echo "$before") <(echo "$after") | grep -c '^>')
                        gone=$(comm -23 <(cut -d' ' -f1 <<<"$before") <(cut -d' ' -f1 <<<"$after") | grep -c .)
                        # The iCalendar helper writing the night's file (op 4) and closerd's work after it.
                        read -r helper caller < <(tail -c +"$pos" "$W/closerd.log" | awk '
                                /started: op 4,/ { pid = $3 }
                                pid && $0 ~ ("helper " pid ": op 4 done after") { h = $(NF - 5) }
                                pid && $0 ~ ("helper " pid ": its caller") { c = $(NF - 1) }
                                END { print (h == "" ? "-" : h), (c == "" ? "-" : c) }')
                        ((i == 0)) && continue
                        MV_T[$weeks]+="$us " MV_CMD[$weeks]+="$cmd_us " MV_W[$weeks]+="$written "
                        MV_R[$weeks]+="$renames " MV_GONE[$weeks]+="$gone "
                        MV_HELPER[$weeks]+="$helper " MV_CALLER[$weeks]+="$caller "
                done
        done
        dstop "${VW[12]}"
        dstop "${VW[$WEEKS_MAX]}"
        # shellcheck disable=SC2086
        mv_med() { printf '%s\n' ${1} | median; }
        # shellcheck disable=SC2086
        mv_set() { printf '%s\n' ${1} | sort -n | uniq -c | awk '{ printf "%s%s×%s", (NR > 1 ? ", " : ""), $1, $2 }'; }
        m12=$(mv_med "${MV_T[12]}") mmax=$(mv_med "${MV_T[$WEEKS_MAX]}")
        r=$(ratio "$mmax" "$m12")
        # shellcheck disable=SC2086
        ones=$(printf '%s\n' ${MV_W[12]} ${MV_W[$WEEKS_MAX]} | sort -u | paste -sd' ')
        v=$(awk -v r="$r" -v o="$ones" 'BEGIN { print r <= 2 && o == "1" ? "met" : "**missed**" }')
        row "8" "calendar vdir (issue 18) of the 50-year history: one \`datenight move\` of a planned night, from spawning closerctl to the night's <UID>.ics renamed into the folder (inotify), median of $N_MOVE at $WEEKS_MAX weeks of horizon (${VD_N[$WEEKS_MAX]} files) vs 12 weeks (${VD_N[12]} files), a closerd on a copy of the history each, the two alternating; $WEEKS_NOTE. Files written per move (inode or mtime changed, the folder settled again): $(mv_set "${MV_W[$WEEKS_MAX]}") at $WEEKS_MAX weeks, $(mv_set "${MV_W[12]}") at 12 (renames seen by inotify: $(mv_set "${MV_R[$WEEKS_MAX]}"), $(mv_set "${MV_R[12]}"); files deleted: $(mv_set "${MV_GONE[$WEEKS_MAX]}"), $(mv_set "${MV_GONE[12]}")). closerctl's own exit (closerd replies first, writes after): $(ms "$(mv_med "${MV_CMD[$WEEKS_MAX]}")") vs $(ms "$(mv_med "${MV_CMD[12]}")"); of it (medians): the iCalendar helper rendering and writing the file (op 4, its start included) $(mv_med "${MV_HELPER[$WEEKS_MAX]}") vs $(mv_med "${MV_HELPER[12]}") ms, closerd's work after it $(mv_med "${MV_CALLER[$WEEKS_MAX]}") vs $(mv_med "${MV_CALLER[12]}") ms" \
                "$(ms "$mmax")" "$(ms "$m12")" "$r" "≤ 2, 1 file" "$v"

        # --- 8. following a vdir of 1,000 tasks: one task renamed → PartnerChanged -------------------
        # A folder of 1,000 VTODO files as vdirsyncer writes a phone's task app
        # (bench/follow-prop.py make), followed by a fresh closerd and by a copy of
        # the 50-year one (both with -v); per sample one task's SUMMARY changes,
        # written as .tmp-x in the folder and renamed onto <n>.ics, timed to
        # PartnerChanged("list", ...) on that bus (bench/follow-prop.py), the two in
        # turn, two untimed warm-ups each.
        say "following a folder of 1,000 tasks: $N_FOLLOW renames each, a fresh closerd and the 50-year one"
        FSETS=() FWORLDS=()
        declare -A F_FIRST=()
        for which in fresh 50y; do
                new_world "benchfollow$which"
                if [[ $which == 50y ]]; then
                        rm -rf "$W/data/closer"
                        cp -a "$W50/pristine" "$W/data/closer"
                fi
                "$PY" bench/follow-prop.py make "$W/tasks" 1000 || die "follow-prop.py make failed"
                dstart "$W" -v
                # shellcheck disable=SC2046
                F_FIRST[$which]=$("$T/bench-run" -n 1 -w 0 -- $(wenv "$W") "$CLOSERCTL" partner follow "$W/tasks" |
                        cut -d' ' -f1) || die "partner follow $W/tasks failed"
                n=$("$CLOSERCTL" --json partner follow | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["follow_tasks"], len(d["follow_problems"]))')
                [[ $n == "1000 0" ]] || die "partner follow: $n (tasks, problems), not 1000 0"
                FSETS+=("$which:$N_FOLLOW:$W:$W/tasks")
                FWORLDS+=("$W")
        done
        follow_out=$("$PY" bench/follow-prop.py run 2 "$B/bench-follow-propagation.txt" "${FSETS[@]}") ||
                die "the following benchmark failed (bench/follow-prop.py)"
        for w in "${FWORLDS[@]}"; do dstop "$w"; done
        declare -A FOL=()
        while read -r label rest; do FOL[$label]=$rest; done <<<"$follow_out"
        # follow_row LABEL WHAT TARGET VERDICT REFERENCE RATIO
        follow_row() {
                local n med p99 _mn _mx start helper caller callermax rest
                read -r n med p99 _mn _mx start helper caller callermax rest <<<"${FOL[$1]}"
                row "8" "following a vdir of 1,000 tasks (issue 18, \`partner follow DIR\`), $2: one task's file changed, renamed onto <n>.ics in the folder → \`PartnerChanged(\"list\", ...)\` on my bus, median (p99, here the highest) of $n; of it (medians): the iCalendar helper parsing the changed file $helper ms (its start, fork and exec included: $start ms), closerd's own work on the result (the whole list imported by content, its transaction, the signal) $caller ms (at most $callermax ms), the rest (inotify, the scan of the folder, reading the file, the bus) $rest ms. The first read (\`partner follow\` until it returns): $(ms "${F_FIRST[$1]}")" \
                        "$med ms ($p99 ms)" "$5" "$6" "$3" "$4"
        }
        read -r _ FM _ <<<"${FOL[fresh]}"
        read -r _ FM50 _ <<<"${FOL[50y]}"
        follow_row fresh "a fresh closerd" "≤ 50 ms" "$(awk -v m="$FM" 'BEGIN { print m <= 50 ? "met" : "**missed**" }')" "-" "-"
        follow_row 50y "the 50-year closerd (its history's 1,000 partner items replaced)" "≤ 50 ms" \
                "$(awk -v m="$FM50" 'BEGIN { print m <= 50 ? "met" : "**missed**" }')" "$FM ms (fresh)" "$(ratio "$FM50" "$FM")"
fi

# --- the table ---------------------------------------------------------------------------
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
vm=$(systemd-detect-virt --vm 2>/dev/null || true)
ct=$(systemd-detect-virt --container 2>/dev/null || true)
virt=""
[[ -n $vm && $vm != none ]] && virt="$vm virtual machine"
[[ -n $ct && $ct != none ]] && virt="${virt:+$virt, }$ct container"
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$TOP" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
sqlite_v=$(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null)
systemd_v=$(dpkg-query -W -f='${Version}' libsystemd0 2>/dev/null)
dbus_v=$(dpkg-query -W -f='${Version}' dbus-daemon 2>/dev/null)
remind_v=$(dpkg-query -W -f='${Version}' remind 2>/dev/null)
syncthing_v=$(dpkg-query -W -f='${Version}' syncthing 2>/dev/null || echo "not installed")

sorted=()
# Order: 1, 2, 3, 4, 5, 6, 7, 8 (the rows were made in the order the runs needed).
[[ -n ${LAT_ROW:-} ]] && sorted+=("$LAT_ROW")
for r in "${ROWS[@]}"; do [[ $r == "| 2 |"* ]] && sorted+=("$r"); done
for r in "${ROWS[@]}"; do [[ $r == "| 3 |"* ]] && sorted+=("$r"); done
for r in "${ROWS[@]}"; do [[ $r == "| 4 |"* ]] && sorted+=("$r"); done
[[ -n ${PEER_ROW:-} ]] && sorted+=("$PEER_ROW")
for r in "${ROWS[@]}"; do [[ $r == "| 6 |"* ]] && sorted+=("$r"); done
for r in "${ROWS[@]}"; do [[ $r == "| 7 |"* ]] && sorted+=("$r"); done
for r in "${ROWS[@]}"; do [[ $r == "| 8 |"* ]] && sorted+=("$r"); done

section=$(mktemp)
{
        echo "<!-- bench:begin: written by bench/run.sh (make bench); edit outside the markers -->"
        echo "## Latest run"
        echo
        echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "- Machine: $cpu_model, $(nproc) cores${virt:+ ($virt)}, $mem RAM"
        echo "- Load average (1, 5, 15 min) before the run: $load_start; after: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- System: Debian $(cat /etc/debian_version), Linux $(uname -r); SQLite $sqlite_v, libsystemd $systemd_v, dbus-daemon $dbus_v, remind $remind_v, syncthing $syncthing_v"
        echo "- closer: $commit, built with \`CFLAGS=${CFLAGS:--O2 -g}\` into \`$B/\`"
        echo "- Histories (gen-history): 1 year: $H1; 50 years: $H50 ($(kib "$DB50_KB") database)"
        echo "- Reproduce: \`make bench\` (this run took $((SECONDS - start_time)) s)"
        [[ -n ${BENCH_QUICK:-} ]] && echo "- **BENCH_QUICK run: fewer repetitions, not for the README**"
        [[ $ONLY == share ]] && echo "- **BENCH_ONLY=share run: only the sharing rows and the footprint rows beside them**"
        [[ $ONLY == phone ]] && echo "- **BENCH_ONLY=phone run: only the rows of issue 18 (the calendar vdir, a followed folder of tasks)**"
        echo
        echo "| # | measure | closer | reference | ratio | target | |"
        echo "|---|---|---|---|---|---|---|"
        printf '%s\n' "${sorted[@]}"
        echo
        echo "Growth rows: closer = 50 years, reference = 1 year. Each daemon is the real"
        echo "closerd on a private dbus-daemon; times are whole processes (spawn to exit) on"
        echo "CLOCK_MONOTONIC, the compared commands interleaved in the same run. Sharing"
        echo "rows (7): one process renames the file and receives the signal, on"
        echo "CLOCK_MONOTONIC (bench/share-prop.py, bench/follow-prop.py). Calendar vdir"
        echo "rows (8): from spawning \`closerctl datenight move\` to the night's file renamed"
        echo "into the folder, seen by inotify (tests/tools/bench-renamed.c)."
        echo "<!-- bench:end -->"
} >"$section"

# Keep everything outside the markers (fuzzing results, the analysis).
if [[ -n $ONLY ]]; then
        say "BENCH_ONLY=$ONLY: bench/RESULTS.md is left as it is"
elif [[ -f $RESULTS ]] && grep -q '^<!-- bench:begin' "$RESULTS"; then
        awk -v f="$section" '
                /^<!-- bench:begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
                /^<!-- bench:end/ { skip = 0; next }
                !skip { print }' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
else
        { echo "# closer: benchmark results"; echo; cat "$section"; } >"$RESULTS"
fi
echo
grep -v '^<!--' "$section"
rm -f "$section"
echo
[[ -n $ONLY ]] || say "written to bench/RESULTS.md"
