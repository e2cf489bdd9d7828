#!/bin/bash
# SPDX-License-Identifier: MIT
# Load: 64 concurrent clients for 30 seconds of mixed calls (today, list,
# status, stats, add, edit and remove items, mood, and a few calls that
# must fail) through tests/tools/crash-load.c, then 10 seconds of reads
# only. No error replies but the intended ones, the daemon keeps its PID,
# and its memory is flat after warm-up: under reads it does not grow at
# all; under writes by no more than the pages written (SQLite's page cache
# fills up to its 2000 KiB as the database grows, then stays: allowed 1.5
# times the growth of the database and its WAL plus 512 KiB, at most 3 MiB).
# No timing is asserted; the figures are printed.
#
# LOAD_CLIENTS and LOAD_SECONDS change the defaults. Under a sanitizer or
# valgrind the memory check is skipped (ASan's quarantine holds freed
# memory by design); LeakSanitizer checks leaks at exit instead.
. "$(dirname "$0")/lib.sh"

CLIENTS=${LOAD_CLIENTS:-64}
SECONDS_RUN=${LOAD_SECONDS:-30}
WARMUP=$((SECONDS_RUN / 3))

new_world load

# The load tool: the one make built, or built here from its source (it
# needs only libsystemd).
LOAD=$TOP/$B/tests/crash-load
if [[ ! -x $LOAD ]]; then
        LOAD=$W/crash-load
        if ! ${CC:-cc} -std=gnu11 -O2 -o "$LOAD" "$TESTS/tools/crash-load.c" \
                $(pkg-config --cflags --libs libsystemd) 2>"$W/cc.log"; then
                echo "1..0 # SKIP cannot build tests/tools/crash-load.c: $(head -1 "$W/cc.log")"
                exit 77
        fi
fi

start_daemon
pid=$DAEMON_PID
# A partner list so that today has an act, and some items on my list.
for i in $(seq 40); do ctl list add "load item $i" --category love >/dev/null; done
ctl list export "$W/seed.ics" >/dev/null 2>&1
as_partner "$W/seed.ics"
ctl partner import "$W/seed.ics" >/dev/null
check "today has an act" bash -c "'$CLOSERCTL' --json today | grep -q '\"item\"'"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
sanitized=false
if [[ -n ${CLOSER_VALGRIND:-} ]] || grep -qE 'libasan|libtsan|libmsan|valgrind' "/proc/$pid/maps" 2>/dev/null ||
        nm "$CLOSERD" 2>/dev/null | grep -q __asan_init; then
        sanitized=true
fi

dbkib() {
        local f t=0
        for f in "$XDG_DATA_HOME"/closer/closer.db "$XDG_DATA_HOME"/closer/closer.db-wal; do
                [[ -f $f ]] && t=$((t + $(stat -c %s "$f") / 1024))
        done
        echo $t
}

# run_load MIX SECONDS WARMUP: the load in the background, resident memory
# and the database size every second; sets RC, SUMMARY, WARM_RSS, END_RSS,
# WARM_DB, END_DB and SAMPLES.
run_load() {
        local mix=$1 secs=$2 warmup=$3 t lp
        "$LOAD" "$CLIENTS" "$secs" "$mix" >"$W/load.$mix.out" 2>"$W/load.$mix.err" &
        lp=$!
        SAMPLES=() WARM_RSS= WARM_DB=
        for ((t = 1; t <= secs + 120; t++)); do
                sleep 1
                kill -0 "$lp" 2>/dev/null || break
                SAMPLES+=("$(rss "$pid")")
                ((t == warmup)) && WARM_RSS=$(rss "$pid") WARM_DB=$(dbkib)
        done
        wait "$lp"
        RC=$?
        END_RSS=$(rss "$pid") END_DB=$(dbkib)
        sed 's/^/# /' "$W/load.$mix.out"
        [[ -s $W/load.$mix.err ]] && sed 's/^/# stderr: /' "$W/load.$mix.err"
        SUMMARY=$(grep '^calls ' "$W/load.$mix.out")
}

# --- mixed: reads and writes ---
run_load mixed "$SECONDS_RUN" "$WARMUP"
read -r _ calls _ _ _ intended _ unexpected <<<"$SUMMARY"
is "the load ran to its end" "$RC" 0
((${calls:-0} > CLIENTS)) && ok "calls were answered ($calls in ${SECONDS_RUN}s by $CLIENTS clients)" ||
        not_ok "calls were answered (${calls:-none})"
is "no unexpected errors" "${unexpected:-missing}" 0
((${intended:-0} > 0)) && ok "the intended errors came as intended ($intended)" ||
        not_ok "the intended errors came as intended (${intended:-none})"
kill -0 "$pid" 2>/dev/null && ok "closerd still runs with the same PID" || not_ok "closerd still runs with the same PID"

# SQLite's page cache (2000 KiB by default) fills as the database grows:
# resident memory may grow by the pages written, and by nothing else.
diag "RSS KiB, one a second: ${SAMPLES[*]}"
if [[ -z $WARM_RSS ]]; then
        skip "memory flat after warm-up (mixed): too few samples"
elif $sanitized; then
        skip "memory flat after warm-up (mixed): under a sanitizer or valgrind ($WARM_RSS -> $END_RSS KiB)"
else
        growth=$((END_RSS - WARM_RSS)) db_growth=$((END_DB - WARM_DB))
        ((db_growth < 0)) && db_growth=0
        allowed=$((db_growth * 3 / 2 + 512))
        ((allowed > 3072)) && allowed=3072
        desc="memory flat after warm-up (mixed): RSS $WARM_RSS -> $END_RSS KiB (+$growth) while the database grew by $db_growth KiB (allowed +$allowed)"
        ((growth <= allowed)) && ok "$desc" || not_ok "$desc"
fi

# --- read-only: nothing grows, so memory must not either ---
run_load read 10 3
read -r _ calls _ _ _ intended _ unexpected <<<"$SUMMARY"
is "read-only load: no unexpected errors" "${unexpected:-missing}" 0
diag "RSS KiB, one a second: ${SAMPLES[*]}"
if [[ -z $WARM_RSS ]]; then
        skip "memory flat after warm-up (read-only): too few samples"
elif $sanitized; then
        skip "memory flat after warm-up (read-only): under a sanitizer or valgrind ($WARM_RSS -> $END_RSS KiB)"
else
        growth=$((END_RSS - WARM_RSS))
        desc="memory flat after warm-up (read-only, $calls calls): RSS $WARM_RSS -> $END_RSS KiB (+$growth, allowed +128)"
        ((growth <= 128)) && ok "$desc" || not_ok "$desc"
fi

# It still serves, and its answers are consistent.
check "closerctl status works after the load" ctl status
n_items=$(json list mine | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))')
prop=$(busctl --user get-property io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 MyItems)
is "MyItems agrees with the list" "$prop" "u $n_items"
is "integrity_check after the load" \
        "$(sqlite3 "$XDG_DATA_HOME/closer/closer.db" 'PRAGMA integrity_check' 2>&1)" ok
stop_daemon && ok "closerd stops cleanly" || not_ok "closerd stops cleanly"
errs=$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error|Failed to use the database' "$W/closerd.log" | head -3)
is "no sanitizer reports or storage failures in the log" "$errs" ""

done_testing
