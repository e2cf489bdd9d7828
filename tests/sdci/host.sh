# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # SDCI_MISSING and SPECS are for the caller
# Sourced (after tests/lib.sh) by the tests that boot a real systemd with
# sdci and run a script in it as the logged-in test user: finding sdci, the
# -i options for the scripts, and their output turned into TAP.

SDCI_LIBEXEC=/usr/local/libexec/closer-test

skip_all() {
        echo "1..0 # SKIP $*"
        exit 77
}

# sdci_find: sets SDCI (../shared/tools/sdci next to the repository, as in
# CI, or /work/shared/tools/sdci); fails with the reason in SDCI_MISSING when
# systemd cannot be booted here.
sdci_find() {
        SDCI='' SDCI_MISSING=''
        if ((EUID != 0)); then
                SDCI_MISSING="needs root: sdci boots systemd in private namespaces"
                return 1
        fi
        local c
        for c in "$TOP/../shared/tools/sdci" /work/shared/tools/sdci; do
                [[ -x $c ]] && SDCI=$c && break
        done
        if [[ -z $SDCI ]]; then
                SDCI_MISSING="sdci not found at $TOP/../shared/tools/sdci or /work/shared/tools/sdci"
        elif [[ ! -x /lib/systemd/systemd ]]; then
                SDCI_MISSING="no /lib/systemd/systemd to boot"
        else
                return 0
        fi
        return 1
}

# sdci_scripts SCRIPT...: appends to the array SPECS the -i options that put
# tests/sdci/session-lib.sh and each SCRIPT into $SDCI_LIBEXEC in the booted tree.
sdci_scripts() {
        local f
        for f in "$TESTS/sdci/session-lib.sh" "$@"; do
                SPECS+=(-i "$f:$SDCI_LIBEXEC/${f##*/}:0755")
        done
}

# sdci_report OUT ERR RC START: numbers the lines the in-systemd script
# printed to OUT into TAP, checks that it ran to the end, and shows sdci's
# stderr ERR when the script could not explain a failure itself.
sdci_report() {
        local out=$1 err=$2 rc=$3 start=$4 line done_seen=0 state
        state=$(sed -n 's/^sdci: system manager state: //p' "$err")
        diag "sdci: $SDCI, system manager state: ${state:-?}, exit $rc, $((SECONDS - start)) s"
        while IFS= read -r line; do
                case $line in
                "ok - "*) ok "${line#ok - }" ;;
                "not ok - "*) not_ok "${line#not ok - }" ;;
                "ok # SKIP "*) skip "${line#ok # SKIP }" ;;
                "#"*) echo "$line" ;;
                __done__) done_seen=1 ;;
                *) diag "  $line" ;;
                esac
        done <"$out"
        if ((done_seen)); then ok "the in-systemd checks ran to the end"; else
                not_ok "the in-systemd checks ran to the end (sdci exit $rc)"
        fi
        # shellcheck disable=SC2154 # _failed: tests/lib.sh
        if ((!done_seen || (rc != 0 && _failed == 0))) || [[ $state != running ]]; then
                diag "sdci stderr (tail):"
                tail -30 "$err" | sed 's/^/#   /'
        fi
}
