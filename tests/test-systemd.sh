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

skip_all() {
        echo "1..0 # SKIP $*"
        exit 77
}

((EUID == 0)) || skip_all "needs root: sdci boots systemd in private namespaces"
SDCI=
for c in "$TOP/../shared/tools/sdci" /work/shared/tools/sdci; do
        [[ -x $c ]] && SDCI=$c && break
done
[[ -n $SDCI ]] || skip_all "sdci not found at $TOP/../shared/tools/sdci or /work/shared/tools/sdci"
[[ -x /lib/systemd/systemd ]] || skip_all "no /lib/systemd/systemd to boot"
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

INNER=/usr/local/libexec/closer-test/user-session.sh
specs=(-i "$TESTS/sdci/user-session.sh:$INNER:0755")
while IFS= read -r -d '' f; do
        rel=${f#"$T/root"}
        [[ $rel == *:* ]] && { not_ok "installed path without ':' ($rel)"; continue; }
        specs+=(-i "$f:$rel:$(stat -L -c %04a "$f")")
done < <(find "$T/root" \( -type f -o -type l \) -print0 | sort -z)
for f in /usr/bin/closerd /usr/bin/closerctl /usr/lib/closer/closerd-ical.so /usr/lib/systemd/user/closerd.service \
        /usr/share/dbus-1/services/io.github.closer.Closer1.service; do
        [[ -e $T/root$f ]] || not_ok "make install installs $f"
done
is "binaries installed 0755" "$(stat -c %a "$T/root/usr/bin/closerd" "$T/root/usr/bin/closerctl" | tr '\n' ' ')" "755 755 "

man_sources=no
compgen -G "$TOP/man/closer*" >/dev/null && man_sources=yes

# --- boot, log in, run the checks as the user ---
timeout -k 10 100 "$SDCI" "${specs[@]}" -e closerd.service -- bash "$INNER" "$man_sources" \
        >"$T/out" 2>"$T/err"
rc=$?
state=$(sed -n 's/^sdci: system manager state: //p' "$T/err")
diag "sdci: $SDCI, system manager state: ${state:-?}, exit $rc, $((SECONDS - start)) s"

done_seen=0
while IFS= read -r line; do
        case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        "ok # SKIP "*) skip "${line#ok # SKIP }" ;;
        "#"*) echo "$line" ;;
        __done__) done_seen=1 ;;
        *) diag "  $line" ;;
        esac
done <"$T/out"

if ((done_seen)); then ok "the in-systemd checks ran to the end"; else
        not_ok "the in-systemd checks ran to the end (sdci exit $rc)"
fi
# The in-systemd script explains its own failures; say more only when it could not.
if ((!done_seen || (rc != 0 && _failed == 0))) || [[ $state != running ]]; then
        diag "sdci stderr (tail):"
        tail -30 "$T/err" | sed 's/^/#   /'
fi
done_testing
