#!/bin/bash
# SPDX-License-Identifier: MIT
# The Syncthing harness of the sharing tests (tests/syncthing.sh): two real
# instances on 127.0.0.1 sharing one folder. A file renamed into place in one
# folder arrives in the other with the same bytes, carried by the file
# watcher alone (no scan is asked for), both ways; a change and a removal
# too. With b stopped, each side changes its own files; once b is back both
# folders converge, and no *.sync-conflict-* file appears (each file has one
# writer). Both instances run under strace throughout (unless ptrace is
# refused here: then that check is skipped): no connect, send or bind names an
# address off loopback, from `syncthing generate` on; and ss sees only
# loopback sockets. Runs in about 20 s.
# Prints the propagation latency (fsWatcherDelayS 1), also written to
# $B/test-logs/syncthing-propagation.txt.
. "$(dirname "$0")/lib.sh"
. "$TESTS/syncthing.sh"
st_require

T=$(mktemp -d /tmp/closer-test.syncthing.XXXXXX)
_worlds+=("$T")
# shellcheck disable=SC2034 # read by st_setup
ST_ROOT=$T/st
if ptrace_allowed; then
        ST_STRACE="a b"
fi
start=$(date +%s%N)

t0=$(date +%s%N)
st_setup "$T/alex" "$T/sam" || { echo "Bail out! the two Syncthing instances do not connect"; exit 1; }
ok "two instances, connected, the folder idle on both ($(ms_since "$t0") ms)"
is "ST_A_DIR and ST_B_DIR are the folders" "$ST_A_DIR $ST_B_DIR" "$T/alex $T/sam"

# What the instances run with, as they say themselves.
var() { echo "${!1}"; } # var ST_${N}_PORT: the variable named so
for n in a b; do
        N=${n^}
        M=$([[ $N == A ]] && echo B || echo A)
        cfg=$(st_api $n GET /rest/config)
        is "$n: discovery, relays, NAT, reports and upgrades off" "$(jget "$cfg" '[d["options"][k] for k in
                ("globalAnnounceEnabled", "localAnnounceEnabled", "relaysEnabled", "natEnabled",
                 "urAccepted", "crashReportingEnabled", "autoUpgradeIntervalH", "startBrowser")]')" \
                "[False, False, False, False, -1, False, 0, False]"
        is "$n: listens on loopback only, GUI on loopback with its key" \
                "$(jget "$cfg" '(d["options"]["listenAddresses"], d["gui"]["address"], d["gui"]["apiKey"])')" \
                "(['tcp://127.0.0.1:$(var ST_${N}_PORT)'], '$(var ST_${N}_URL | sed 's,^http://,,')', '$(var ST_${N}_KEY)')"
        is "$n: the other device, at its explicit address" \
                "$(jget "$cfg" '[(x["name"], x["addresses"]) for x in d["devices"] if x["deviceID"] == "'"$(var ST_${M}_ID)"'"]')" \
                "[('${M,}', ['tcp://127.0.0.1:$(var ST_${M}_PORT)'])]"
        is "$n: one folder, sendreceive, watched, shared by both" \
                "$(jget "$cfg" '[(f["id"], f["path"], f["type"], f["fsWatcherEnabled"], f["fsWatcherDelayS"], f["rescanIntervalS"],
                        sorted(x["deviceID"] for x in f["devices"]) == sorted(["'"$ST_A_ID"'", "'"$ST_B_ID"'"])) for f in d["folders"]]')" \
                "[('closer-share', '$(var ST_${N}_DIR)', 'sendreceive', True, 1, 3600, True)]"
done

# --- The watcher alone carries a new file, both ways ---
head -c 1048576 /dev/urandom >"$T/big"
printf 'from alex\n' >"$T/small-a"
st_put "$ST_A_DIR/alex.json" "$T/small-a"
st_put "$ST_A_DIR/big.bin" "$T/big"
check "a new file of a's reaches b, same bytes" st_wait_file "$ST_B_DIR/alex.json" "$T/small-a" 20
check "a 1 MiB file of a's reaches b, same bytes" st_wait_file "$ST_B_DIR/big.bin" "$T/big" 20
printf 'from sam\n' >"$T/small-b"
mkdir -p "$ST_B_DIR/sub"
st_put "$ST_B_DIR/sub/sam.json" "$T/small-b"
check "a new file of b's (in a new directory) reaches a" st_wait_file "$ST_A_DIR/sub/sam.json" "$T/small-b" 20
printf 'from alex, changed\n' >"$T/small-a"
st_put "$ST_A_DIR/alex.json" "$T/small-a"
check "a's change reaches b" st_wait_file "$ST_B_DIR/alex.json" "$T/small-a" 20
rm "$ST_B_DIR/big.bin"
check "b's removal reaches a" st_wait_gone "$ST_A_DIR/big.bin" 20
check "both folders the same and idle" st_wait_same 20
tmps=$(find "$ST_A_DIR" "$ST_B_DIR" -name '.syncthing.*')
is "no temporary file is left" "$tmps" ""

# --- Propagation latency: a file renamed into place until it is there ---
samples=()
for i in 1 2 3 4; do
        samples+=("$(st_propagation_ms "$ST_A_DIR" "$ST_B_DIR" "lat-a-$i")")
        samples+=("$(st_propagation_ms "$ST_B_DIR" "$ST_A_DIR" "lat-b-$i")")
done
read -r median lo hi <<<"$(printf '%s\n' "${samples[@]}" | sort -n |
        awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)), v[1], v[NR]}')"
diag "propagation with fsWatcherDelayS 1: median $median ms of ${#samples[@]} (min $lo, max $hi): ${samples[*]}"
printf 'syncthing %s fsWatcherDelayS=1 median_ms=%s min_ms=%s max_ms=%s samples=%s\n' \
        "$("$ST_BIN" --version | awk '{print $2}')" "$median" "$lo" "$hi" "${samples[*]}" \
        >"$TOP/$B/test-logs/syncthing-propagation.txt"
((median > 0 && median < 5000)) && ok "a change propagates in ${median} ms (median), by the watcher" ||
        not_ok "a change propagates in ${median} ms (median), want under 5000"

# --- b goes offline, both sides change their own files, b comes back ---
in_shell "b stops" st_stop b
st_running b && not_ok "b is not running" || ok "b is not running"
check "a sees b disconnected" st_wait_disconnected a 10
printf 'alex while sam was away\n' >"$T/away-a"
st_put "$ST_A_DIR/away-alex.json" "$T/away-a"
printf 'alex, changed again while sam was away\n' >"$T/small-a"
st_put "$ST_A_DIR/alex.json" "$T/small-a"
printf 'sam while offline\n' >"$T/away-b"
st_put "$ST_B_DIR/away-sam.json" "$T/away-b"
rm "$ST_B_DIR/sub/sam.json"
t0=$(date +%s%N)
in_shell "b starts again" st_start b
check "b reconnects" st_wait_connected 30
check "both folders converge" st_wait_same 30
diag "back online to converged: $(ms_since "$t0") ms"
check "a's offline file is on b" cmp "$ST_B_DIR/away-alex.json" "$T/away-a"
check "a's offline change is on b" cmp "$ST_B_DIR/alex.json" "$T/small-a"
check "b's offline file is on a" cmp "$ST_A_DIR/away-sam.json" "$T/away-b"
check "b's offline removal is on a" test ! -e "$ST_A_DIR/sub/sam.json"
is "no sync-conflict files (each file has one writer)" "$(st_conflicts)" ""

# st_scan answers (nothing above needed it).
check "st_scan a" st_scan a
check "st_scan b with a subpath" st_scan b sub

# --- Nothing leaves loopback ---
st_assert_loopback
if [[ -n ${ST_STRACE:-} ]]; then
        # The check itself sees an address off loopback (a made-up line).
        printf '%s\n' '42 connect(7, {sa_family=AF_INET, sin_port=htons(22000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0' \
                '43 sendto(9, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(21027), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "ff12::8384", &sin6_addr), sin6_scope_id=0}, 28) = 1' \
                >"$T/fake.strace"
        st_check_trace "$T/fake.strace" >/dev/null 2>&1 && not_ok "the trace check fails on ff12::8384" ||
                ok "the trace check fails on ff12::8384"
fi

pids="$(st_pid a) $(st_pid b)"
st_teardown
left=
for p in $pids; do [[ -e /proc/$p ]] && left="$left $p"; done
is "st_teardown ends both instances" "$left" ""
diag "run time: $(ms_since "$start") ms"
done_testing
