#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end under a real systemd: `make install` into a scratch root, boot
# systemd with sdci (PID 1 of private namespaces on a throw-away overlay of /)
# with the installed files and closerd.service enabled globally, log a test
# user in, and run tests/sdci/user-session.sh as that user: closerd starts
# with the user manager, serves closerctl, keeps its files private, emits
# signals that `closerctl monitor` (--json and readable) shows before and
# after it comes back from kill -9 (Restart=on-failure), is D-Bus activated
# through systemd after a stop, pings the watchdog, logs with levels, and the
# unit verifies.
# Needs root and sdci; skipped for sanitizer builds (their runtime does not
# fit MemoryDenyWriteExecute= and the seccomp filter of the unit).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/sdci/host.sh
. "$TESTS/sdci/host.sh"

sdci_find || skip_all "$SDCI_MISSING"
[[ -x $CLOSERD && -x $CLOSERCTL ]] || skip_all "no $B/closerd and $B/closerctl: run make first"
if { nm "$CLOSERD"; nm -D "$CLOSERD"; } 2>/dev/null | grep -qE '__(asan|tsan|msan)_init|__ubsan_handle_' ||
        ldd "$CLOSERD" 2>/dev/null | grep -qE 'lib(a|ub|t|m)san'; then
        skip_all "$B/closerd is a sanitizer build"
fi

T=$(mktemp -d /tmp/closer-test.systemd.XXXXXX)
trap 'if [[ -n ${KEEP_WORLD:-} ]]; then echo "# kept $T"; else rm -rf "$T"; fi; _cleanup' EXIT
start=$SECONDS

# --- install exactly what `make install` installs ---
if make -C "$TOP" --no-print-directory install B="$B" DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1; then
        ok "make install DESTDIR=... PREFIX=/usr"
else
        not_ok "make install DESTDIR=... PREFIX=/usr"
        sed 's/^/#   /' "$T/install.log" | tail -20
        done_testing
fi
left=$(grep -rlIE '@[A-Z_]+@' "$T/root" 2>/dev/null | sed "s|^$T/root||")
is "no @PLACEHOLDER@ left in the installed files" "$left" ""

SPECS=()
sdci_scripts "$TESTS/sdci/user-session.sh"
while IFS= read -r -d '' f; do
        rel=${f#"$T/root"}
        [[ $rel == *:* ]] && { not_ok "installed path without ':' ($rel)"; continue; }
        SPECS+=(-i "$f:$rel:$(stat -L -c %04a "$f")")
done < <(find "$T/root" \( -type f -o -type l \) -print0 | sort -z)
for f in /usr/bin/closerd /usr/bin/closerctl /usr/lib/closer/closerd-ical /usr/lib/systemd/user/closerd.service \
        /usr/share/dbus-1/services/io.github.closer.Closer1.service; do
        [[ -e $T/root$f ]] || not_ok "make install installs $f"
done
is "binaries installed 0755" "$(stat -c %a "$T/root/usr/bin/closerd" "$T/root/usr/bin/closerctl" | tr '\n' ' ')" "755 755 "

man_sources=no
compgen -G "$TOP/man/closer*" >/dev/null && man_sources=yes

# --- boot, log in, run the checks as the user ---
timeout -k 10 100 "$SDCI" "${SPECS[@]}" -e closerd.service -- bash "$SDCI_LIBEXEC/user-session.sh" "$man_sources" \
        >"$T/out" 2>"$T/err"
sdci_report "$T/out" "$T/err" $? "$start"
done_testing
