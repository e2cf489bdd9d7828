# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # NAME, UNIT_PATH: for the scripts that source it
# Sourced INSIDE a systemd booted with sdci by the scripts that run there as
# the logged-in test user (tests/sdci/user-session.sh, tests/deb/session.sh).
# They print "ok - DESC", "not ok - DESC", "ok # SKIP DESC" and "# DIAG"
# lines, which the host numbers into TAP (sdci_report in tests/sdci/host.sh),
# and "__done__" at the very end (finish).
# shellcheck disable=SC2317 # helpers run through wait_for
set -u
NAME=io.github.closer.Closer1
UNIT_PATH=/usr/lib/systemd/user/closerd.service
fails=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
skip() { echo "ok # SKIP $*"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
finish() {
        echo __done__
        exit $((fails > 0))
}
# is DESC GOT WANT
is() {
        if [[ $2 == "$3" ]]; then ok "$1"; else
                not_ok "$1"
                diag "got:  $2"
                diag "want: $3"
        fi
}
# check DESC CMD...: the command succeeds within 10 s; its output on failure.
check() {
        local d=$1 out
        shift
        if out=$(timeout 10 "$@" 2>&1); then ok "$d"; else
                not_ok "$d"
                diag "command: $* (exit $?)"
                diag "$out"
        fi
}
prop() { systemctl --user show closerd.service -P "$1"; }
active() { [[ $(systemctl --user is-active closerd.service) == active ]]; }
# settled: active, or given up (failed/inactive), not on the way.
settled() { [[ $(systemctl --user is-active closerd.service) =~ ^(active|failed|inactive)$ ]]; }
name_owned() {
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$NAME" 2>/dev/null | grep -q true
}
name_free() { ! name_owned; }
# wait_for SECONDS CMD...
wait_for() {
        local i
        for ((i = 0; i < $1 * 20; i++)); do "${@:2}" && return 0; sleep 0.05; done
        return 1
}
unit_diag() {
        diag "$(systemctl --user status closerd.service --no-pager -n 0 2>&1)"
        diag "$(journalctl --user -u closerd.service --no-pager -n 15 -o short-monotonic 2>&1)"
}
