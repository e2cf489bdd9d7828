#!/bin/bash
# SPDX-License-Identifier: MIT
# Rain checks through the real closerd: a declined advance of my partner is
# refused without one and recorded with its promise in one transaction;
# PromiseSoon and PromiseDue once each under a faked clock, late after a
# daemon that was down; overdue in today and status across days until
# resolved; moves by my partner and by me; every WHEN form on both DST-change
# days in Europe/Berlin; rejected WHENs with clear errors; reopen and cancel
# across days with the stats of each side, and rain checks owed to me
# (owed_by in JSON and human output, status and today worded for that side).
#
# The faked clock is libfaketime with tests/data/faketime-timerfd.c in front
# of it (see there why). Without libfaketime or a C compiler those parts are
# skipped; without sqlite3 the checks of the database are.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin

SIGLOG=$TOP/$B/tests/siglog
SHIM=$(mktemp -d /tmp/closer-test.promise-shim.XXXXXX)
_worlds+=("$SHIM")
faked=
faketime_preload "$SHIM" && faked=1
have_sqlite=
command -v sqlite3 >/dev/null && have_sqlite=1

# start_at FAKETIME: closerd with a faked wall clock; "YYYY-MM-DD HH:MM:SS"
# stands still, "@YYYY-MM-DD HH:MM:SS [xRATE]" runs from there.
start_at() {
        start_daemon env LD_PRELOAD="$FAKETIME_PRELOAD" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME="$1"
}

# db SQL: the daemon's database, read while the daemon is stopped.
db() { sqlite3 "$XDG_DATA_HOME/closer/closer.db" "$1" | paste -sd' '; }
# db_is DESC SQL WANT
db_is() {
        if [[ -n $have_sqlite ]]; then is "$1" "$(db "$2")" "$3"; else skip "$1 (no sqlite3)"; fi
}

# wait_for SECONDS CMD...: polls CMD until it succeeds or the deadline passes.
wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                ((SECONDS < deadline)) || return 1
                sleep 0.1
        done
}

# stop: stop_daemon, counting unclean exits (a crash, or valgrind's errors
# under CLOSER_VALGRIND=1) for the last check.
unclean=0
stop() {
        stop_daemon || {
                local rc=$?
                unclean=$((unclean + 1))
                diag "closerd exited with status $rc in $W"
        }
}

promise_count() { jget "$(json promise)" 'len(d)'; }
# due ID: the due time of promise ID
due() { jget "$(json promise)" "[p['due'] for p in d if p['id'] == $1]"; }
status_of() { jget "$(json promise)" "[p['status'] for p in d if p['id'] == $1]"; }
# The rain checks in today, as (id, overdue) pairs.
today_promises() { jget "$(json today)" '[(p["id"], p["overdue"]) for p in d["promises"]]'; }
overdue_warnings() { jget "$(json status)" '[w.split(" is overdue")[0] for w in d["warnings"] if "rain check" in w]'; }

# --- signals: siglog if it was built, else closerctl monitor --json ---

start_signals() {
        if [[ -x $SIGLOG ]]; then
                "$SIGLOG" >"$W/signals.log" 2>&1 &
                SIG_PID=$!
                wait_for 20 grep -q '^READY' "$W/signals.log" || diag "siglog is not ready"
        else
                diag "no $SIGLOG: closerctl monitor --json instead"
                "$CLOSERCTL" --json monitor >"$W/signals.log" 2>&1 &
                SIG_PID=$!
                sleep 1
        fi
}
stop_signals() { kill "$SIG_PID" 2>/dev/null && wait "$SIG_PID" 2>/dev/null; SIG_PID=; }

# The rain check signals so far, one line each: MEMBER ID LATE ("-" for PromiseSoon).
signals() {
        if [[ -x $SIGLOG ]]; then
                awk '$1 ~ /^Promise/ { print $1, $2, ($1 == "PromiseDue" ? $(NF - 1) : "-") }' "$W/signals.log"
        else
                python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try: s = json.loads(line)
    except ValueError: continue
    if s.get("signal", "").startswith("Promise"):
        late = ("true" if s["late"] else "false") if s["signal"] == "PromiseDue" else "-"
        print(s["signal"], s["id"], late)' "$W/signals.log"
        fi
}
# count MEMBER ID
count() { signals | awk -v m="$1" -v id="$2" '$1 == m && $2 == id' | wc -l; }
has_signal() { (($(count "$1" "$2") > 0)); }
late_flags() { signals | awk -v id="$1" '$1 == "PromiseDue" && $2 == id { print $3 }' | paste -sd,; }
# flush_signals: a rain check due in 10 minutes is announced at once; once
# its PromiseSoon is here, every signal the daemon sent before is too.
flush_signals() {
        local id
        id=$(jget "$(json raincheck +10min --what sentinel)" 'd["promise"]')
        wait_for 30 has_signal PromiseSoon "$id" || diag "no PromiseSoon for the sentinel rain check $id"
        SENTINEL=$id
}
# once DESC MEMBER ID [LATE]: exactly one MEMBER signal for ID (with that late flag)
once() {
        local n
        n=$(count "$2" "$3")
        if [[ $n == 1 && (-z ${4:-} || $(late_flags "$3") == "$4") ]]; then ok "$1"; else
                not_ok "$1"
                diag "$2 $3: $n signals, late flags '$(late_flags "$3")'${4:+, want $4}"
                signals | sed 's/^/#   /'
        fi
}

# ics_get UID PROPERTY: the property of the VEVENT with that UID in the
# iCalendar text on stdin; "-" when there is no such event.
ics_get() {
        python3 -c '
import sys
uid, prop = sys.argv[1], sys.argv[2]
text = sys.stdin.read().replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "")
for block in text.split("BEGIN:VEVENT")[1:]:
    props = {}
    for line in block.split("END:VEVENT")[0].split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            props.setdefault(key.split(";")[0], value)
    if props.get("UID") == uid:
        print(props.get(prop, ""))
        break
else:
    print("-")' "$1" "$2"
}

# ===== 1. No decline without a rain check; the advance and its promise are one transaction =====

new_world advance
start_daemon

refuses "declining my partner's advance needs a rain check" "needs a rain check.*nothing was recorded" \
        ctl advance --by partner declined
refuses "--what and --where are no rain check" "raincheck" ctl advance --by partner declined --what dinner --where home
refuses "an invalid rain check refuses the advance" "raincheck '25:00' is not a valid time of day" \
        ctl advance --by partner declined --raincheck 25:00
refuses "a rain check in the past refuses the advance" "is in the past" \
        ctl advance --by partner declined --raincheck "2020-01-01 10:00"
refuses "an empty rain check refuses the advance" "is empty" ctl advance --by partner declined --raincheck ""
refuses "a rain check goes with a declined advance only" "declined advance only" \
        ctl advance --by me accepted --raincheck "tomorrow 21:00"
refuses "an unknown outcome" "accepted.*declined" ctl advance --by partner maybe
refuses "an unknown initiator" "'me' or 'partner'" ctl advance --by them declined
refuses "advance needs --by" "--by me or --by partner" ctl advance declined
refuses "--what over 200 characters" "what is too long|what must be at most" \
        ctl advance --by partner declined --raincheck "tomorrow 21:00" --what "$(printf 'w%.0s' $(seq 201))"
refuses "--where with a control character" "where must not contain control characters" \
        ctl advance --by partner declined --raincheck "tomorrow 21:00" --where $'a\tb'
refuses "--note over 4000 characters" "note is too long \(at most 4000 characters\)" \
        ctl advance --by partner declined --raincheck "tomorrow 21:00" --note "$(printf 'n%.0s' $(seq 4001))"
bus() { busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 "$@" 2>&1; }
like "bus: a rain check of the wrong type" "$(bus RecordAdvance 'ssa{sv}' partner declined 1 raincheck u 5)" \
        "raincheck must be a string"
like "bus: AddPromise takes no raincheck field" "$(bus AddPromise 'sa{sv}' "tomorrow 20:00" 1 raincheck s x)" \
        "unknown field 'raincheck'"
like "bus: RecordAdvance refuses an unknown initiator" "$(bus RecordAdvance 'ssa{sv}' them declined 0)" "'me' or 'partner'"
is "no promise from the refused advances" "$(promise_count)" 0
stop
db_is "no advance recorded by the refused ones" "select count(*) from advances" 0

start_daemon
out=$(json advance --by partner declined --raincheck "tomorrow 21:00" --what "dinner out" \
        --where "the Italian place" --note "too tired tonight")
is "a declined advance with a rain check records both" "$(jget "$out" '(d["advance"], d["promise"])')" "(1, 1)"
is "the promise: its time, what, where, open" \
        "$(jget "$(json promise)" '[(p["id"], p["due"], p["what"], p["where"], p["status"], p["overdue"]) for p in d]')" \
        "[(1, '$(date -d "tomorrow 21:00" +%FT%T%:z)', 'dinner out', 'the Italian place', 'open', False)]"
is "an accepted advance makes no promise" "$(jget "$(json advance --by me accepted)" '(d["advance"], d["promise"])')" \
        "(2, None)"
check "my partner's advance accepted" ctl advance --by partner accepted
check "my advance declined needs no rain check from me" ctl advance --by me declined --note "next time"
out=$(json advance --by partner declined --raincheck sat 20:00 --what walk)
is "--raincheck takes the unquoted words of WHEN" "$(jget "$out" '(d["advance"], d["promise"])')" "(5, 2)"
is "... due the next Saturday at 20:00" "$(jget "$(json promise)" "[(t.isoweekday(), t.strftime('%H:%M'),
        0 < (t - dt.datetime.now(t.tzinfo)).total_seconds() <= 7 * 86400) for dt in [__import__('datetime')]
        for p in d if p['id'] == 2 for t in [dt.datetime.fromisoformat(p['due'])]]")" "[(6, '20:00', True)]"
like "human output of an advance with a rain check" "$(ctl advance --by partner declined --raincheck +1d)" \
        "Advance 6 recorded.*Rain check 3: [A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2} [0-9]{2}:[0-9]{2}.*Keep it: closerctl promise kept 3"
stop
db_is "six advances recorded" "select count(*) from advances" 6
db_is "who initiated, and whether accepted" "select by_partner || accepted from advances order by id" "10 01 11 00 10 10"
db_is "the note stays with its advance" "select note from advances where id in (1, 4) order by id" "too tired tonight next time"
db_is "each promise is linked to its advance" "select id || ':' || advance_id from promises order by id" "1:1 2:5 3:6"

# A store that fails on the promise: the advance goes back with it.
if [[ -n $have_sqlite ]]; then
        db "CREATE TRIGGER test_promise_fails BEFORE INSERT ON promises BEGIN SELECT RAISE(ABORT, 'injected'); END;" >/dev/null
        start_daemon
        refuses "a promise that cannot be stored fails the advance" "." \
                ctl advance --by partner declined --raincheck "tomorrow 20:00"
        is "no promise from the failed advance" "$(promise_count)" 3
        stop
        db_is "the advance was rolled back with its promise" "select count(*) from advances" 6
        db "DROP TRIGGER test_promise_fails" >/dev/null
        start_daemon
        is "the same advance once the store works" \
                "$(jget "$(json advance --by partner declined --raincheck "tomorrow 20:00")" '(d["advance"], d["promise"])')" \
                "(7, 4)"
        stop
else
        skip "the transaction under a failing store (no sqlite3)"
fi

# ===== 2. Every WHEN form in Europe/Berlin on the DST-change days =====

# when_is WHEN WANT: raincheck WHEN makes a promise due at WANT.
when_is() {
        local out id
        if out=$(json raincheck "$1" --what "when test" 2>&1) && id=$(jget "$out" 'd["promise"]' 2>/dev/null); then
                is "'$1' is $2" "$(due "$id")" "['$2']"
        else
                not_ok "'$1' is $2"
                diag "raincheck '$1': $out"
        fi
}
# rejects WHEN REGEX: raincheck WHEN fails with one clear line and makes nothing.
rejects() {
        local n
        n=$(promise_count)
        refuses "'$1' is refused: $2" "when '.*' $2" ctl raincheck "$1"
        is "... and no promise made" "$(promise_count)" "$n"
}

if [[ -n $faked ]]; then
        # Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
        new_world when-spring
        start_at "2026-03-29 00:30:00"
        is "closerd runs on the faked day" "$(jget "$(json today)" 'd["date"]')" 2026-03-29
        when_is "2026-03-29 02:30" 2026-03-29T03:30:00+02:00
        when_is "02:30" 2026-03-29T03:30:00+02:00
        when_is "01:59" 2026-03-29T01:59:00+01:00
        when_is "03:00" 2026-03-29T03:00:00+02:00
        when_is "today 23:00" 2026-03-29T23:00:00+02:00
        when_is "tomorrow 21:00" 2026-03-30T21:00:00+02:00
        when_is "sun 20:00" 2026-03-29T20:00:00+02:00
        when_is "sun 00:15" 2026-04-05T00:15:00+02:00
        when_is "sat 20:00" 2026-04-04T20:00:00+02:00
        when_is "Saturday 20:00" 2026-04-04T20:00:00+02:00
        when_is "TOMORROW 21:00" 2026-03-30T21:00:00+02:00
        when_is "+2h" 2026-03-29T03:30:00+02:00
        when_is "+30min" 2026-03-29T01:00:00+01:00
        when_is "+1d" 2026-03-30T00:30:00+02:00
        when_is "2027-03-28 02:30" 2027-03-28T03:30:00+02:00
        out=$(json raincheck tomorrow 21:00 --what unquoted)
        is "raincheck takes the unquoted words of WHEN" "$(due "$(jget "$out" 'd["promise"]')")" "['2026-03-30T21:00:00+02:00']"

        rejects garbage "is not a time: use YYYY-MM-DD HH:MM, HH:MM, tomorrow HH:MM"
        rejects 25:00 "is not a valid time of day"
        rejects 12:60 "is not a valid time of day"
        rejects "feb 30" "is not a time"
        rejects "2026-02-30 10:00" "is not a valid date"
        rejects "2026-13-01 10:00" "is not a valid date"
        rejects "2020-01-01 10:00" "is in the past"
        rejects "00:15" "is in the past"
        rejects "2028-03-29 10:00" "is more than a year ahead"
        rejects "+730d" "is more than a year ahead"
        rejects "" "is empty"
        rejects "   " "is empty"
        rejects "tomorrow" "is not a time"
        rejects "+0min" "is not a time"
        refuses "a 100-character WHEN is refused" "is too long" ctl raincheck "$(printf '1%.0s' $(seq 100))"
        refuses "raincheck without WHEN" "usage|WHEN|argument" ctl raincheck
        n=$(promise_count)
        for w in garbage 25:00 "feb 30" "2026-02-30 10:00" "2020-01-01 10:00" "2028-03-29 10:00" ""; do
                refuses "advance --raincheck '$w' is refused" "raincheck '.*' (is not|is in the past|is more|is empty)" \
                        ctl advance --by partner declined --raincheck "$w"
        done
        refuses "promise move to 25:00 is refused" "is not a valid time of day" ctl promise move 1 25:00
        refuses "promise move into the past is refused" "is in the past" ctl promise move 1 "2026-03-28 20:00"
        is "no promise from the refused advances" "$(promise_count)" "$n"
        is "the refused moves changed nothing" "$(due 1):$(status_of 1)" "['2026-03-29T03:30:00+02:00']:['open']"
        stop
        db_is "no advance from the refused ones" "select count(*) from advances" 0
        db_is "no move from the refused ones" "select count(*) from promise_moves" 0

        # Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 is twice.
        new_world when-fall
        start_at "2026-10-25 00:30:00"
        is "closerd runs on the faked day" "$(jget "$(json today)" 'd["date"]')" 2026-10-25
        when_is "02:30" 2026-10-25T02:30:00+02:00
        when_is "2026-10-25 02:30" 2026-10-25T02:30:00+02:00
        when_is "sun 02:30" 2026-10-25T02:30:00+02:00
        when_is "03:00" 2026-10-25T03:00:00+01:00
        when_is "+2h" 2026-10-25T02:30:00+02:00
        when_is "+3h" 2026-10-25T02:30:00+01:00
        when_is "+1d" 2026-10-26T00:30:00+01:00
        when_is "tomorrow 02:30" 2026-10-26T02:30:00+01:00
        stop
else
        skip "WHEN forms on the DST-change days (no faked clock)"
        skip "rejected WHENs (no faked clock)"
fi

# ===== 3. PromiseSoon and PromiseDue: once each, late after a daemon that was down =====

if [[ -n $faked ]]; then
        new_world signals
        start_signals

        # Wednesday 10 June 2026, the clock three times as fast: 12:01 is
        # about 10 s away, and "late" (more than a minute) 20 s after it.
        start_at "@2026-06-10 12:00:30 x3"
        a=$(jget "$(json raincheck 12:01 --what walk)" 'd["promise"]')
        wait_for 30 has_signal PromiseSoon "$a" && soon=yes || soon=no
        is "PromiseSoon at once for a promise within half an hour" "$soon" yes
        wait_for 60 has_signal PromiseDue "$a" && due_a=yes || due_a=no
        is "PromiseDue at the promise's time" "$due_a" yes
        if [[ -x $SIGLOG ]]; then
                like "PromiseDue carries the promise" "$(grep "^PromiseDue $a " "$W/signals.log")" \
                        "^PromiseDue $a 2026-06-10T12:01:00\+02:00 walk \"\" false @"
        fi
        b=$(jget "$(json raincheck 12:45 --what dinner)" 'd["promise"]')
        c=$(jget "$(json raincheck 13:00 --what cinema)" 'd["promise"]')
        flush_signals
        once "PromiseSoon once" PromiseSoon "$a"
        once "PromiseDue once, on time" PromiseDue "$a" false
        is "nothing yet for the later promises" "$(count PromiseSoon "$b")$(count PromiseSoon "$c")" 00
        stop

        # Just before 12:15, when B is half an hour away.
        start_at "@2026-06-10 12:14:57"
        wait_for 40 has_signal PromiseSoon "$b" && soon=yes || soon=no
        is "PromiseSoon half an hour before the time" "$soon" yes
        is "... and no PromiseDue yet" "$(count PromiseDue "$b")" 0
        flush_signals
        once "PromiseSoon once after a restart" PromiseSoon "$b"
        once "A's PromiseDue not again after a restart" PromiseDue "$a" false
        once "A's PromiseSoon not again after a restart" PromiseSoon "$a"
        check "B is kept before its time" ctl promise kept "$b"
        stop

        # Down from about 12:15 to 14:00: C (13:00) is announced late, once; B was kept.
        start_at "@2026-06-10 14:00:00"
        wait_for 30 has_signal PromiseDue "$c"
        flush_signals
        s3=$SENTINEL
        once "a daemon down over the due time sends PromiseDue late on start" PromiseDue "$c" true
        is "no PromiseDue for a kept promise" "$(count PromiseDue "$b")" 0
        once "A's PromiseDue still once" PromiseDue "$a" false
        stop

        start_at "@2026-06-10 14:05:00"
        flush_signals
        once "the late PromiseDue not again after another restart" PromiseDue "$c" true
        once "a sentinel's PromiseSoon not again within its half hour" PromiseSoon "$s3"
        is "still no PromiseDue for the kept promise" "$(count PromiseDue "$b")" 0
        stop
        stop_signals
        ! grep -q '<[0-3]>' "$W/closerd.log" && ok "no errors in the daemon's log" || {
                not_ok "no errors in the daemon's log"
                grep '<[0-3]>' "$W/closerd.log" | head -5 | sed 's/^/#   /'
        }
else
        skip "PromiseSoon and PromiseDue (no faked clock)"
fi

# ===== 4. Overdue, every day, until resolved =====

if [[ -n $faked ]]; then
        new_world overdue
        start_at "2026-06-10 12:00:00"
        e=$(jget "$(json raincheck 18:00 --what "a long walk" --where "the park")" 'd["promise"]')
        h=$(jget "$(json raincheck 19:00 --what dinner)" 'd["promise"]')
        is "due today: in today, not overdue" "$(today_promises)" "[($e, False), ($h, False)]"
        is "no overdue warning before the time" "$(overdue_warnings)" "[]"
        stop

        start_at "2026-06-11 10:00:00"
        is "the next day: overdue in today" "$(today_promises)" "[($e, True), ($h, True)]"
        is "... and warned about in status" "$(overdue_warnings)" "['rain check $e', 'rain check $h']"
        like "the warning says since when and what to do" "$(json status)" \
            "rain check $e is overdue since Wed 10 Jun 18:00: keep it \(closerctl promise kept $e\)"
        is "promise lists it open and overdue" "$(jget "$(json promise)" "[(p['status'], p['overdue']) for p in d if p['id'] == $e]")" \
                "[('open', True)]"
        like "the human list says overdue" "$(ctl promise)" "$e +Wed 10 Jun 18:00 +overdue +I owe +a long walk, the park"
        g=$(jget "$(json raincheck 21:00)" 'd["promise"]')
        t=$(jget "$(json raincheck tomorrow 10:00)" 'd["promise"]')
        check "my partner moves one overdue promise" ctl promise move "$h" "+2d" --by-partner
        is "today: the overdue one and tonight's, not tomorrow's or the moved one" "$(today_promises)" \
                "[($e, True), ($g, False)]"
        is "status: only the overdue one" "$(overdue_warnings)" "['rain check $e']"
        stop

        start_at "2026-06-13 09:00:00"
        is "two days on: still overdue, and the moved one is due today" "$(today_promises)" \
                "[($e, True), ($g, True), ($t, True), ($h, False)]"
        is "status warns about each overdue one" "$(overdue_warnings)" \
                "['rain check $e', 'rain check $g', 'rain check $t']"
        check "promise kept" ctl promise kept "$e"
        check "promise broken" ctl promise broken "$g"
        is "resolved ones leave today" "$(today_promises)" "[($t, True), ($h, False)]"
        is "... and status" "$(overdue_warnings)" "['rain check $t']"
        is "resolved ones keep their status in promise" \
                "$(jget "$(json promise)" "[(p['id'], p['status'], p['overdue']) for p in d if p['id'] in ($e, $g)]")" \
                "[($e, 'kept', False), ($g, 'broken', False)]"
        stop

        start_at "2026-06-14 09:00:00"
        is "the next day: only the unresolved ones" "$(today_promises)" "[($t, True), ($h, True)]"
        is "... in status too" "$(overdue_warnings)" "['rain check $t', 'rain check $h']"
        stop
else
        skip "overdue across days (no faked clock)"
fi

# ===== 5. Moves by my partner and by me; resolving; no deleting =====

new_world move
if [[ -n $faked ]]; then start_at "2026-06-10 12:00:00"; else start_daemon; fi
p1=$(jget "$(json raincheck "tomorrow 20:00" --what massage)" 'd["promise"]')
p2=$(jget "$(json raincheck "tomorrow 21:00" --what bath)" 'd["promise"]')
mapfile -t uids < <(jget "$(json promise)" '"\n".join(p["uid"] for p in sorted(d, key=lambda p: p["id"]))')
ics1=$(ctl export-ics -)
is "open promises are in the calendar, discreetly" \
        "$(ics_get "${uids[0]}" SUMMARY <<<"$ics1"):$(ics_get "${uids[1]}" SUMMARY <<<"$ics1")" "Rain check:Rain check"
[[ $ics1 != *massage* ]] && ok "what a promise is stays out of the calendar" ||
        not_ok "what a promise is stays out of the calendar"
out=$(json promise move "$p1" "tomorrow 22:00" --by-partner)
is "move by my partner" "$(jget "$out" '(d["status"], d["by_partner"])')" "('moved', True)"
like "human output of a move by me" "$(ctl promise move "$p2" +2d)" "^Rain check $p2 moved to [A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2} [0-9]{2}:[0-9]{2}$"
check "move by me again" ctl promise move "$p1" "+3d"
is "moved: the status" "$(jget "$(json promise)" 'sorted((p["id"], p["status"]) for p in d)')" \
        "[($p1, 'moved'), ($p2, 'moved')]"
if [[ -n $faked ]]; then
        is "the last move sets the time" "$(due "$p1"):$(due "$p2")" \
                "['2026-06-13T12:00:00+02:00']:['2026-06-12T12:00:00+02:00']"
else
        skip "the times after the moves (no faked clock)"
fi
ics2=$(ctl export-ics -)
before="$(ics_get "${uids[0]}" DTSTART <<<"$ics1") $(ics_get "${uids[0]}" SEQUENCE <<<"$ics1")"
after="$(ics_get "${uids[0]}" DTSTART <<<"$ics2") $(ics_get "${uids[0]}" SEQUENCE <<<"$ics2")"
if [[ ${after% *} != - && ${after% *} != "${before% *}" && ${after#* } -gt ${before#* } ]]; then
        ok "a moved promise keeps its UID in the calendar, with its new time and a higher SEQUENCE"
else
        not_ok "a moved promise keeps its UID in the calendar, with its new time and a higher SEQUENCE"
        diag "DTSTART SEQUENCE before: $before, after: $after"
fi
[[ -n $faked ]] && is "... the new time in UTC" "$(ics_get "${uids[0]}" DTSTART <<<"$ics2")" 20260613T100000Z
refuses "move of a missing rain check" "no rain check 999" ctl promise move 999 "tomorrow 10:00"
refuses "move to a bad time" "is not a valid time of day" ctl promise move "$p1" 25:00
check "a moved promise can be kept" ctl promise kept "$p1"
check "a moved promise can be broken" ctl promise broken "$p2"
is "kept and broken" "$(jget "$(json promise)" 'sorted((p["id"], p["status"]) for p in d)')" \
        "[($p1, 'kept'), ($p2, 'broken')]"
ics3=$(ctl export-ics -)
is "resolved rain checks stay in the calendar: the kept one as it was, the broken one CANCELLED" \
        "$(ics_get "${uids[0]}" STATUS <<<"$ics3"):$(ics_get "${uids[1]}" STATUS <<<"$ics3")" "CONFIRMED:CANCELLED"
is "... neither rings any more" "$("$PY" -c 'import sys, icalendar
c = icalendar.Calendar.from_ical(sys.stdin.read())
print(sum(1 for e in c.walk("VEVENT") if str(e["UID"]) in sys.argv[1:] for _ in e.walk("VALARM")))' "${uids[0]}" "${uids[1]}" <<<"$ics3")" 0
refuses "kept twice" "rain check $p1 is already resolved" ctl promise kept "$p1"
refuses "broken after kept" "rain check $p1 is already resolved" ctl promise broken "$p1"
refuses "kept after broken" "rain check $p2 is already resolved" ctl promise kept "$p2"
refuses "a resolved one cannot be moved" "rain check $p2 is already resolved" ctl promise move "$p2" "tomorrow 10:00"
refuses "kept: a missing ID" "no rain check 999" ctl promise kept 999
refuses "broken: a missing ID" "no rain check 999" ctl promise broken 999
refuses "kept: not an ID" "'abc' is not a rain check ID" ctl promise kept abc
refuses "kept: ID 0" "'0' is not a rain check ID" ctl promise kept 0
refuses "no promise rm" "usage|unknown" ctl promise rm "$p1"
refuses "no promise delete" "unknown promise command 'delete'" ctl promise delete
methods=$(busctl --user introspect io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 |
        awk '$2 == "method" && $1 ~ /Promise/ { print $1 }' | sort | paste -sd' ')
is "the bus can make, list, resolve and move a promise, not delete one" "$methods" \
        ".AddPromise .ListPromises .MovePromise .ResolvePromise"
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        ResolvePromise ts "$p1" deleted 2>&1)
like "bus: ResolvePromise takes kept, broken, cancelled or open only" "$err" \
        "must be 'kept', 'broken', 'cancelled' or 'open' \\(reopen\\)"
is "both still listed" "$(promise_count)" 2
stop
db_is "every move recorded, by whom" "select promise_id || ':' || by_partner from promise_moves order by id" \
        "$p1:1 $p2:0 $p1:0"
db_is "each move from the old time to the new" \
        "select count(*) from promise_moves m where to_due > from_due" 3

# ===== 6. Undo (reopen, cancel) and rain checks owed to me, across days =====

# counts SIDE: kept broken open moved_by_me moved_by_partner of GetStats' SIDE.
counts() {
        jget "$(json stats)" "' '.join(str(d['$1'][k]) for k in ('kept', 'broken', 'open', 'moved_by_me', 'moved_by_partner'))"
}
# unlike DESC TEXT REGEX
unlike() {
        if ! [[ $2 =~ $3 ]]; then ok "$1"; else
                not_ok "$1"
                diag "got:  $2"
                diag "not:  /$3/"
        fi
}
owed_of() { jget "$(json promise)" "[p['owed_by'] for p in d if p['id'] == $1][0]"; }
warning_of() { jget "$(json status)" "[w for w in d['warnings'] if 'rain check $1 ' in w]"; }

if [[ -n $faked ]]; then
        new_world undo
        start_at "2026-06-10 12:00:00"
        a=$(jget "$(json raincheck 18:00 --what "a long walk")" 'd["promise"]')
        b=$(jget "$(json raincheck 19:00)" 'd["promise"]')
        c=$(jget "$(json raincheck 20:00)" 'd["promise"]')
        out=$(json advance --by me declined --raincheck 21:00)
        d=$(jget "$out" 'd["promise"]')
        is "advance --by me declined --raincheck: owed by my partner (JSON)" "$(jget "$out" 'd["owed_by"]')" partner
        out=$(json advance --by partner declined --raincheck 21:30)
        e=$(jget "$out" 'd["promise"]')
        is "advance --by partner declined --raincheck: owed by me (JSON)" "$(jget "$out" 'd["owed_by"]')" me
        f=$(jget "$(json raincheck tomorrow 20:00 --owed-by partner)" 'd["promise"]')
        g=$(jget "$(json raincheck tomorrow 21:00 --owed-by me)" 'd["promise"]')
        is "owed_by in promise --json" "$(jget "$(json promise)" '[(p["id"], p["owed_by"]) for p in d]')" \
                "[($a, 'me'), ($b, 'me'), ($c, 'me'), ($d, 'partner'), ($e, 'me'), ($f, 'partner'), ($g, 'me')]"
        like "human: without partner.name, my partner owes me" "$(ctl promise | grep -E "^ +$d ")" \
                "$d +Wed 10 Jun 21:00 +open +my partner owes me"
        like "human: the advance says who owes it" "$(ctl advance --by me declined --raincheck 22:00)" \
                "my partner owes me this one. Once you had it: closerctl promise kept"
        h=$(jget "$(json promise)" 'd[-3]["id"]')
        check "set partner.name Sam" ctl set partner.name Sam
        like "human: Sam owes me" "$(ctl promise | grep -E "^ +$d ")" "$d +Wed 10 Jun 21:00 +open +Sam owes me"
        like "human: I owe" "$(ctl promise | grep -E "^ +$e ")" "$e +Wed 10 Jun 21:30 +open +I owe"
        refuses "raincheck --owed-by nobody" "--owed-by must be 'me' or 'partner', not 'nobody'" \
                ctl raincheck 23:00 --owed-by nobody
        refuses "advance takes no --owed-by (whoever declined owes it)" "owed-by" \
                ctl advance --by me declined --raincheck 23:00 --owed-by me
        is "today --json: owed_by on today's promises" \
                "$(jget "$(json today)" '[(p["id"], p["owed_by"]) for p in d["promises"]]')" \
                "[($a, 'me'), ($b, 'me'), ($c, 'me'), ($d, 'partner'), ($e, 'me'), ($h, 'partner')]"
        is "stats, before anything: 5 open I owe, 3 owed to me" "$(counts promises) / $(counts promises_owed_to_me)" \
                "0 0 5 0 0 / 0 0 3 0 0"
        stop

        start_at "2026-06-11 10:00:00"
        like "status: mine overdue, keep it" "$(warning_of "$a")" "rain check $a is overdue since Wed 10 Jun 18:00: keep it"
        w=$(warning_of "$d")
        like "status: Sam's worded for that side" "$w" \
                "Sam's rain check $d of Wed 10 Jun 21:00 is still to come: once you had it, closerctl promise kept $d"
        unlike "... and not 'keep it'" "$w" "keep it"
        t=$(ctl today)
        like "today: Sam's rain check" "$t" "Sam's rain check $d: Wed 10 Jun 21:00 \\(still to come\\)"
        like "today: mine as before" "$t" "Rain check $a: Wed 10 Jun 18:00 \\(overdue\\), a long walk"
        check "promise kept (mine)" ctl promise kept "$a"
        check "promise broken (mine)" ctl promise broken "$b"
        check "promise kept (owed to me)" ctl promise kept "$d"
        check "promise move (owed to me) by my partner" ctl promise move "$f" +1d --by-partner
        is "stats per side: I owe / owed to me" "$(counts promises) / $(counts promises_owed_to_me)" \
                "1 1 3 0 0 / 1 0 2 0 1"
        like "human stats: the line of the ones owed to me" "$(ctl stats | grep '^Owed to me')" \
                "1 kept \\(1 on time\\), 0 broken, moved 0 by me and 1 by my partner, 2 open: 100% kept"
        like "human stats: mine" "$(ctl stats | grep '^Rain checks')" "1 kept \\(1 on time\\), 1 broken.*3 open: 50% kept"

        is "promise reopen says so" "$(ctl promise reopen "$a")" \
                "Rain check $a is open again: neither kept nor broken."
        is "reopened: open in the list" "$(status_of "$a")" "['open']"
        is "a reopened promise is not counted as kept" "$(counts promises)" "0 1 4 0 0"
        refuses "reopen an open one" "rain check $a is open, not resolved: nothing to reopen" ctl promise reopen "$a"
        refuses "reopen a moved one" "rain check $f is moved, not resolved: nothing to reopen" ctl promise reopen "$f"
        is "promise cancel says so" "$(ctl promise cancel "$c")" \
                "Rain check $c cancelled: it counts neither as kept nor as broken."
        is "cancelled: in promise --json" "$(status_of "$c")" "['cancelled']"
        like "cancelled: in promise --all" "$(ctl promise --all)" "$c +Wed 10 Jun 20:00 +cancelled +I owe"
        is "a cancelled one counts neither as kept, nor broken, nor open" "$(counts promises)" "0 1 3 0 0"
        is "a cancelled one is not in today" "$(jget "$(json today)" "$c in [p['id'] for p in d['promises']]")" False
        unlike "... nor warned about" "$(json status)" "rain check $c "
        refuses "cancel a cancelled one" "rain check $c is already resolved \\(cancelled\\): reopen it first" \
                ctl promise cancel "$c"
        refuses "keep a cancelled one" "already resolved \\(cancelled\\)" ctl promise kept "$c"
        refuses "cancel a broken one" "rain check $b is already resolved \\(broken\\): reopen it first \\(closerctl promise reopen $b\\)" \
                ctl promise cancel "$b"
        check "reopen the broken one" ctl promise reopen "$b"
        check "... then cancel it: a rain check made by mistake" ctl promise cancel "$b"
        is "neither kept nor broken now" "$(counts promises)" "0 0 3 0 0"
        refuses "reopen an unknown ID" "no rain check 999" ctl promise reopen 999
        refuses "cancel an unknown ID" "no rain check 999" ctl promise cancel 999
        refuses "reopen needs an ID" "is not a rain check ID" ctl promise reopen x
        is "promise reopen --json" "$(jget "$(json promise reopen "$d")" '(d["id"], d["status"])')" "($d, 'open')"
        is "the one owed to me, reopened: open again" "$(counts promises_owed_to_me)" "0 0 3 0 1"
        is "owed_by stays what it was" "$(owed_of "$d") $(owed_of "$e")" "partner me"
        stop

        start_at "2026-06-12 10:00:00"
        is "the next day: the same figures" "$(counts promises) / $(counts promises_owed_to_me)" \
                "0 0 3 0 0 / 0 0 3 0 1"
        check "the reopened one kept after all" ctl promise kept "$a"
        check "the one owed to me kept" ctl promise kept "$d"
        is "kept now: counted once each" "$(counts promises) / $(counts promises_owed_to_me)" \
                "1 0 2 0 0 / 1 0 2 0 1"
        is "promise --all: every one, the cancelled included" "$(jget "$(json promise)" 'len(d)')" 8
        stop
        db_is "history of $a: kept, reopened, kept" \
                "select status from promise_events where promise_id = $a order by id" "1 0 1"
        db_is "history of $b: broken, reopened, cancelled" \
                "select status from promise_events where promise_id = $b order by id" "2 0 4"
        db_is "history of $d: kept, reopened, kept" \
                "select status from promise_events where promise_id = $d order by id" "1 0 1"
        db_is "nothing deleted" "select count(*) from promises" 8
else
        skip "undo and rain checks owed to me across days (no faked clock)"
fi

is "closerd exited cleanly every time" "$unclean" 0

done_testing
