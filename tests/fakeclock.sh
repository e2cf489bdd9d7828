# SPDX-License-Identifier: MIT
# The fake clock of test-daily.sh and test-datenight.sh, sourced after
# lib.sh with TMPD set: tests/data/fakeclock.c built into $TMPD (LD_PRELOAD;
# why not libfaketime: see fakeclock.c and test-daily.sh), and the helpers
# that read and move the faked clock of the current world, the file
# $W/clock/now ("REAL FAKE RATE") that every process of the world shares.

FAKECLOCK_SRC=$TESTS/data/fakeclock.c
FAKECLOCK=$TMPD/fakeclock.so
if ! ${CC:-cc} -shared -fPIC -O1 -o "$FAKECLOCK" "$FAKECLOCK_SRC" -ldl -lpthread >"$TMPD/cc.log" 2>&1; then
        not_ok "build the fake clock from $FAKECLOCK_SRC (every case here runs on faked time)"
        sed 's/^/#   /' "$TMPD/cc.log" | head -20
        done_testing
fi

# set_clock WHEN [RATE]: the faked clock reads WHEN (anything date -d takes;
# give the UTC offset, or a local time of the world's TZ) now and runs RATE
# (default 1) times as fast.
set_clock() {
        local fake
        fake=$(date -d "$1" +%s) || return 1
        mkdir -p "$W/clock"
        printf '%s %s %s\n' "$(date +%s.%N)" "$fake" "${2:-1}" >"$W/clock/.next" &&
                mv -f "$W/clock/.next" "$W/clock/now"
}

# start_faked: closerd on the world's faked clock.
start_faked() { start_daemon env LD_PRELOAD="$FAKECLOCK" FAKECLOCK_FILE="$W/clock/now"; }

# wakeups: how many times closerd has computed its next wake-up (it logs
# each one): a running daemon has seen a clock jump once this grows.
wakeups() { grep -c 'Next wake-up' "$W/closerd.log"; }

# start_at "YYYY-MM-DD HH:MM:SS": closerd on the faked clock from that time on.
start_at() { set_clock "$1" && start_faked; }

# clock_jump "YYYY-MM-DD HH:MM:SS": moves the running daemon's clock and
# waits until the daemon has run its schedule for the new time (it logs its
# next wake-up each time), then makes one call so that what it emitted is out.
clock_jump() {
        local before
        before=$(wakeups)
        set_clock "$1"
        for _ in $(seq 200); do (($(wakeups) > before)) && break; sleep 0.05; done
        (($(wakeups) > before)) || diag "closerd did not react to the clock jump to $1"
        "$CLOSERCTL" get datenight.remind >/dev/null
}
