#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs unit tests (cmocka, TAP output), fuzz corpus replays and integration
# scripts (TAP), counts every "ok"/"not ok", and ends with the line
# "N passed, N failed" (", N skipped" when any were skipped). TAP_OUT=1
# prints each test's own TAP output too (make check-deb).
set -u
B=${B:-build}
logdir=$B/test-logs
mkdir -p "$logdir"
rm -f "$logdir/human-output.log"
passed=0 failed=0 skipped=0
failed_names=()

for t in "$@"; do
        name=$(basename "$t")
        log=$logdir/$name.log
        case $t in
        *.sh) cmd=(bash "$t") ;;
        */fuzz/fuzz-*) cmd=("$t" "fuzz/corpus/${name#fuzz-}") ;;
        *) cmd=("$t") ;;
        esac
        # make valgrind: the unit tests run under memcheck themselves.
        if [[ -n ${CLOSER_VALGRIND:-} && $t != *.sh && $t != */fuzz/* ]]; then
                cmd=(valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 "${cmd[@]}")
        fi
        start=$SECONDS
        CMOCKA_MESSAGE_OUTPUT=TAP B=$B timeout 1200 "${cmd[@]}" >"$log" 2>&1
        rc=$?
        [[ -n ${TAP_OUT:-} ]] && cat "$log"
        p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
        s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$log" | head -1)
        f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
        p=$((p - s))
        case $t in */fuzz/fuzz-*) [[ $rc == 0 ]] && p=1 ;; esac
        if [[ $rc == 77 ]]; then
                s=$((s + 1))
        elif [[ $rc != 0 && $f == 0 ]]; then
                f=1 # died without saying which case
        fi
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
        status=PASS
        ((f > 0)) && status=FAIL && failed_names+=("$name")
        [[ $rc == 77 ]] && status=SKIP
        printf '%-4s %-36s %3d passed, %d failed, %d skipped (%ds)\n' "$status" "$name" "$p" "$f" "$s" \
                $((SECONDS - start))
        if [[ $status == FAIL ]]; then
                grep -E '^not ok|^#' "$log" | head -40 | sed 's/^/     /'
                echo "     (rc=$rc; full log: $log)"
                tail -15 "$log" | sed 's/^/     | /'
        fi
done

# What people read never shows a raw ISO time with seconds (closerctl
# writes "Thu 3 Dec 08:00"): every human output the suites printed
# through ctl (tests/lib.sh) is checked here, after them all.
human=$B/test-logs/human-output.log
if [[ -s $human ]]; then
        iso=$(grep -nE '[0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}' "$human" | head -5)
        if [[ -z $iso ]]; then
                passed=$((passed + 1))
                printf '%-4s %-36s %3d passed, %d failed, %d skipped\n' PASS "human output: no ISO times" 1 0 0
        else
                failed=$((failed + 1))
                failed_names+=("human-output")
                printf '%-4s %-36s %3d passed, %d failed, %d skipped\n' FAIL "human output: no ISO times" 0 1 0
                printf '%s\n' "$iso" | sed 's/^/     /'
        fi
fi

((${#failed_names[@]})) && echo "failed: ${failed_names[*]}"
if ((skipped)); then
        echo "$passed passed, $failed failed, $skipped skipped"
else
        echo "$passed passed, $failed failed"
fi
((failed == 0))
