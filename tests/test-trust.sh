#!/bin/bash
# SPDX-License-Identifier: MIT
# Trust (issue 14): a failed command destroys nothing, a target that is not a
# regular file is streamed to, write errors are errors, exit codes and error
# lines say what happened, --discreet means the same everywhere, and human
# output reads as times people use.
source "$(dirname "$0")/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# out_err CMD...: runs it; sets OUT, ERR and RC.
out_err() {
        local e
        e=$(mktemp)
        OUT=$("$@" 2>"$e")
        RC=$?
        ERR=$(cat "$e")
        rm -f "$e"
}

new_world trust
start_daemon
D=$W/files
mkdir -p "$D"
ctl set me.name Alex >/dev/null
for t in one two three; do ctl list add "$t" >/dev/null; done

# ===== 1. Nothing is destroyed =====

for cmd in "export-ics" "list export"; do
        f=$D/old.$RANDOM
        echo precious >"$f"
        chmod 0644 "$f"
        before=$(sha "$f")
        # shellcheck disable=SC2086
        out_err env DBUS_SESSION_BUS_ADDRESS=unix:path=/nope "$CLOSERCTL" $cmd "$f"
        is "$cmd, no bus: exit 1" "$RC" 1
        like "$cmd, no bus: one line" "$ERR" "^closerctl: cannot connect to the session bus"
        is "$cmd, no bus: the old file byte for byte" "$(sha "$f")" "$before"
        is "$cmd, no bus: its mode kept" "$(stat -c %a "$f")" 644
        # shellcheck disable=SC2086
        out_err "$CLOSERCTL" $cmd "$f"
        is "$cmd over an old 0644 file: exit 0" "$RC" 0
        is "$cmd: the new file is 0600" "$(stat -c %a "$f")" 600
        like "$cmd: the new content" "$(head -1 "$f")" "BEGIN:VCALENDAR"
        like "$cmd: the confirmation on stdout" "$OUT" "$(basename "$f")"
        is "$cmd: nothing on stderr" "$ERR" ""
        is "$cmd: no temporary file left" "$(find "$D" -name '*closerctl*' | wc -l)" 0
done

f=$D/umask.ics
(umask 000 && "$CLOSERCTL" list export "$f" >/dev/null)
is "umask 000: still 0600" "$(stat -c %a "$f")" 600

# Through a symlink the file is replaced, the link stays a link.
echo old >"$D/real.ics"
ln -s real.ics "$D/link.ics"
check "export through a symlink" "$CLOSERCTL" list export "$D/link.ics"
[[ -L $D/link.ics ]] && ok "the symlink is still a symlink" || not_ok "the symlink is still a symlink"
like "... and the file it points to has the list" "$(head -1 "$D/real.ics")" "BEGIN:VCALENDAR"

# A directory, and a path in a missing directory: refused, nothing made.
refuses "a directory is refused" "is a directory" "$CLOSERCTL" export-ics "$D"
refuses "a missing directory is refused" "cannot write .*: No such file or directory" \
        "$CLOSERCTL" list export "$D/missing/x.ics"
[[ ! -e $D/missing ]] && ok "... and nothing is made" || not_ok "... and nothing is made"

# A read-only directory: the old file stays (as root through a read-only
# bind mount, since root writes anywhere else).
ro=$D/ro
mkdir -p "$ro"
echo precious >"$ro/cal.ics"
before=$(sha "$ro/cal.ics")
if [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null; then
        out_err unshare -m bash -c "mount --bind -o ro '$ro' '$ro' && exec '$CLOSERCTL' export-ics '$ro/cal.ics'"
else
        chmod 0555 "$ro"
        out_err "$CLOSERCTL" export-ics "$ro/cal.ics"
        chmod 0755 "$ro"
fi
is "read-only directory: exit 1" "$RC" 1
like "read-only directory: the reason" "$ERR" "^closerctl: cannot write .*cal.ics: (Read-only file system|Permission denied)$"
is "read-only directory: the old file byte for byte" "$(sha "$ro/cal.ics")" "$before"

# A full disk (a small tmpfs): the daemon's write fails, the old file stays.
if [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null; then
        out_err unshare -m bash -c "
                mount -t tmpfs -o size=64k tmpfs '$ro' || exit 99
                echo precious >'$ro/cal.ics'
                sha256sum '$ro/cal.ics' >'$D/full.before'
                dd if=/dev/zero of='$ro/fill' bs=1k count=200 2>/dev/null
                '$CLOSERCTL' export-ics '$ro/cal.ics'; rc=\$?
                sha256sum '$ro/cal.ics' >'$D/full.after'
                exit \$rc"
        is "full disk: exit 1" "$RC" 1
        like "full disk: No space left on device" "$ERR" "No space left on device"
        is "full disk: the old file byte for byte" "$(cat "$D/full.after")" "$(cat "$D/full.before")"
else
        skip "full disk: needs root for a tmpfs"
fi

# Not regular files: streamed to, never replaced.
mkfifo "$D/fifo"
cat "$D/fifo" >"$D/fifo.out" &
reader=$!
check "a FIFO is written to" "$CLOSERCTL" list export "$D/fifo"
wait "$reader"
[[ -p $D/fifo ]] && ok "... and stays a FIFO" || not_ok "... and stays a FIFO"
like "... the reader got the list" "$(head -1 "$D/fifo.out")" "BEGIN:VCALENDAR"

# A socket is connected to, and stays a socket.
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    for b in iter(lambda: c.recv(65536), b""):
        f.write(b)
' "$D/sock" "$D/sock.out" &
listener=$!
for _ in $(seq 50); do [[ -S $D/sock ]] && break; sleep 0.1; done
check "a socket is written to" "$CLOSERCTL" export-ics "$D/sock"
wait "$listener"
[[ -S $D/sock ]] && ok "... and stays a socket" || not_ok "... and stays a socket"
like "... the listener got the calendar" "$(head -1 "$D/sock.out")" "BEGIN:VCALENDAR"

if [[ $(id -u) == 0 ]]; then
        mknod "$D/null" c 1 3
        check "a character device is written to" "$CLOSERCTL" export-ics "$D/null"
        [[ -c $D/null ]] && ok "... and stays a device" || not_ok "... and stays a device"
        is "/dev/null is still /dev/null" "$(stat -c %F /dev/null)" "character special file"
else
        skip "mknod needs root"
fi
check "list export /dev/null" "$CLOSERCTL" list export /dev/null
is "... /dev/null is still a character device" "$(stat -c %F /dev/null)" "character special file"

out=$("$CLOSERCTL" export-ics /dev/stdout | head -1 | tr -d '\r')
is "export-ics /dev/stdout | head" "$out" "BEGIN:VCALENDAR"
err=$( { "$CLOSERCTL" export-ics /dev/stdout | head -1 >/dev/null; } 2>&1)
is "... a reader that stops early: quiet" "$err" ""
is "list export - | gzip" "$("$CLOSERCTL" list export - | gzip | gunzip | head -1 | tr -d '\r')" "BEGIN:VCALENDAR"
out_err "$CLOSERCTL" list export -
is "list export -: no confirmation mixed into the data" "$(printf '%s\n' "$OUT" | grep -c '^Exported')" 0
out_err bash -c "'$CLOSERCTL' export-ics /dev/stdout >'$D/stdout.ics'"
like "/dev/stdout redirected to a file gets the calendar" "$(head -1 "$D/stdout.ics")" "BEGIN:VCALENDAR"
is "... with nothing else in it" "$(grep -c '^Wrote' "$D/stdout.ics")" 0

# Write errors are errors, for every command, --json included.
refuses "export-ics /dev/full" "^closerctl: cannot write /dev/full: No space left on device$" \
        "$CLOSERCTL" export-ics /dev/full
for cmd in "status" "--json status" "list" "--json list" "today" "--json today" "export-ics" "datenight" "get"; do
        # shellcheck disable=SC2086
        out_err "$CLOSERCTL" $cmd
        want_rc=$RC
        # shellcheck disable=SC2086
        err=$("$CLOSERCTL" $cmd 2>&1 >/dev/full)
        rc=$?
        if ((want_rc == 0 && rc == 1)) && [[ $err == "closerctl: cannot write standard output: No space left on device" ]]; then
                ok "$cmd >/dev/full: one line, exit 1"
        else
                not_ok "$cmd >/dev/full: one line, exit 1"
                diag "rc=$rc err=$err"
        fi
done

# ===== 2. Exit codes and error lines =====

usage() { # usage DESC REGEX CMD...: exit 2 and one line
        local desc=$1 re=$2
        shift 2
        out_err "$@"
        if ((RC == 2)) && [[ $(printf '%s\n' "$ERR" | wc -l) == 1 && $ERR == "closerctl: "* && $ERR =~ $re && -z $OUT ]]; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "rc=$RC out=$OUT err=$ERR"
        fi
}
usage "list add without a title: exit 2" "needs a TITLE" "$CLOSERCTL" list add
usage "pause without --until: exit 2" "--until" "$CLOSERCTL" pause
usage "list edit ID with nothing to change: exit 2" "at least one of" "$CLOSERCTL" list edit 1
usage "an unknown command: exit 2" "unknown command" "$CLOSERCTL" frobnicate
usage "an unknown option: exit 2" "unknown option '--frob'" "$CLOSERCTL" status --frob
usage "an option the command does not take, as typed" "status does not take --public" "$CLOSERCTL" status --public
usage "a missing value names the option and its values" \
        "^closerctl: option --category needs a value \(affection, love, lust, fun\)$" "$CLOSERCTL" list add x --category
usage "a missing --intensity value" "option --intensity needs a value" "$CLOSERCTL" list add x --intensity
usage "a value that looks like an option gets a hint about --" \
        "unknown option '-1h'.*closerctl set datenight.remind -- -1h" "$CLOSERCTL" set datenight.remind -1h
out_err "$CLOSERCTL" list add x --category
[[ $ERR != *"option -"[^-]* ]] && ok "never 'option -'" || not_ok "never 'option -': $ERR"
check "a value after -- is taken" "$CLOSERCTL" set datenight.remind -- 45min
refuses "a refusal exits 1" "no item 999" "$CLOSERCTL" list rm 999
out_err "$CLOSERCTL" list rm 999
is "... with status 1" "$RC" 1
refuses "a bad setting value exits 1" "start must be cold, cooling or warm" "$CLOSERCTL" set start lukewarm

big=$(head -c 128000 /dev/zero | tr '\0' x) # the kernel's limit is 128 KiB an argument
for cmd in "set $big x" "list rm $big" "raincheck $big" "list add x --category $big"; do
        # shellcheck disable=SC2086
        out_err "$CLOSERCTL" $cmd
        # Cut to 80 characters and "..." where it is echoed at all.
        if ((RC != 0 && ${#ERR} < 400)) && [[ $(printf '%s\n' "$ERR" | wc -l) == 1 && $ERR != *xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx* ]]; then
                ok "a 128 KB argument: a short error line (${cmd%% *}: ${#ERR} bytes)"
        else
                not_ok "a 128 KB argument: a short error line (${cmd%% *}: ${#ERR} bytes)"
        fi
done
refuses "one wording for a length limit" "^closerctl: title is too long \(at most 200 characters\)$" \
        "$CLOSERCTL" list add "$(head -c 201 /dev/zero | tr '\0' t)"

# Command families answer --help; a bare family lists its subcommands.
for fam in partner datenight list promise; do
        out_err "$CLOSERCTL" $fam --help
        if ((RC == 0)) && [[ $OUT == *"Usage: closerctl [--json] $fam COMMAND"* && $OUT == *"$fam "* ]]; then
                ok "$fam --help shows the family"
        else
                not_ok "$fam --help shows the family"
                diag "rc=$RC $OUT $ERR"
        fi
done
out_err "$CLOSERCTL" partner
like "a bare partner lists its subcommands" "$OUT" "partner import.*partner review.*partner discuss"
is "... on stdout, exit 0" "$RC:$ERR" "0:"
usage "an unknown subcommand of a family" "unknown command 'partner frob'" "$CLOSERCTL" partner frob
like "closerctl --help tells the exit codes" "$("$CLOSERCTL" --help)" "1 when the daemon refused or failed, 2 on a usage error"

# ===== 3. Every reply says what happened, in local, human form =====

export TZ=Europe/Berlin
out=$(ctl raincheck "2027-03-28 02:30")
like "a time in the spring-forward gap: the confirmation" "$out" "^Rain check [0-9]+: Sun 28 Mar 03:30"
like "... and the gap said" "$out" "02:30 does not exist on Sun 28 Mar \(clocks go forward\): 03:30"
j=$(json raincheck "2027-03-28 02:30")
is "--json keeps ISO 8601 with the offset" "$(jget "$j" 'd["due"], d["gap"]')" "('2027-03-28T03:30:00+02:00', '02:30')"
wd=$(date +%a)
past=$(date -d '-1 min' +%H:%M)
if [[ $(date -d '-1 min' +%F) == $(date +%F) ]]; then
        like "a weekday whose time passed today: next week, said" "$(ctl raincheck "$wd $past")" \
                "^Rain check [0-9]+: $wd [0-9]+ [A-Z][a-z]{2} $past \(next week: today's $past has passed\)"
else
        skip "just after midnight"
fi
like "a date night moved: said where to" "$(ctl datenight move sat 21:00)" \
        "^Date night [0-9]+ moved to Sat [0-9]+ [A-Z][a-z]{2} 21:00$"
like "promise move: said where to" "$(ctl promise move 1 tomorrow 10:00)" \
        "^Rain check 1 moved to [A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2} 10:00$"
like "status: the next act with its weekday" "$(ctl status)" "Next act: +[A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2}( [0-9]{4})? [0-9]{2}:[0-9]{2}"
like "promise: the due time with its weekday" "$(ctl promise)" "[A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2} 10:00"
like "datenight: the nights with their weekday" "$(ctl datenight)" "[A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2} 20:00-23:00"
for cmd in status today promise datenight "promise --all" stats; do
        # shellcheck disable=SC2086
        out=$(ctl $cmd)
        if [[ $out =~ [0-9]{2}:[0-9]{2}:[0-9]{2} || $out =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]]; then
                not_ok "$cmd: no ISO time with seconds"
                diag "$out"
        else
                ok "$cmd: no ISO time with seconds"
        fi
done

# ===== 4. --discreet, the same everywhere =====

new_world partner
start_daemon
ctl set me.name Sam >/dev/null
ctl list add "coffee in bed" >/dev/null
ctl list add "the secret one" --private --details "hidden details" >/dev/null
ctl list add "the other secret" --private --category lust >/dev/null
ctl list export "$D/sam.ics" >/dev/null
enter_world "${_worlds[0]}"
# Today's act is not announced before the monitor below asks for it.
late=$([[ $(date +%H%M) < 2358 ]] && echo yes)
ctl set daily.time 23:59 >/dev/null
check "import the partner's list" ctl partner import "$D/sam.ics"
secret=$(jget "$(json list partner)" '[i["id"] for i in d if i["title"] == "the secret one"][0]')
check "a note on a private item" ctl partner review "$secret" discuss --note "the private middle ground"

no_secret() { # no_secret DESC TEXT
        if [[ $2 == *secret* || $2 == *"hidden details"* || $2 == *"private middle ground"* ]]; then
                not_ok "$1"
                diag "$2"
        else ok "$1"; fi
}
no_secret "list partner --discreet" "$(ctl list partner --discreet)"
like "... shows the private item by its category and ID" "$(ctl list partner --discreet)" "$secret +affection .* affection"
no_secret "--json list partner --discreet" "$(json list partner --discreet)"
is "... the private item's JSON: category as title, note null, marked" \
        "$(jget "$(json list partner --discreet)" "[(i['title'], i['note'], i['discreet']) for i in d if i['id'] == $secret]")" \
        "[('affection', None, True)]"
no_secret "partner discuss --discreet (the note too)" "$(ctl partner discuss --discreet)"
no_secret "--json partner discuss --discreet" "$(json partner discuss --discreet)"
like "without --discreet the text is there" "$(ctl list partner)" "the secret one"
check "set discreet on" ctl set discreet on
is "get discreet" "$(ctl get discreet)" on
no_secret "the setting makes list partner discreet" "$(ctl list partner)"
no_secret "... and list partner --json" "$(json list partner)"
no_secret "... and partner discuss" "$(ctl partner discuss)"
like "--no-discreet overrides it once" "$(ctl list partner --no-discreet)" "the secret one"
no_secret "... once" "$(ctl list partner)"
check "--discreet is taken by every command" ctl status --discreet

# today: an act picked among private items only.
for id in $(jget "$(json list partner --no-discreet)" "' '.join(str(i['id']) for i in d if not i['private'])"); do
        ctl partner review "$id" no >/dev/null
done
ctl set start warm >/dev/null
no_secret "today, discreet" "$(ctl today)"
no_secret "today --json, discreet" "$(json today)"
like "today shows the act's category" "$(ctl today)" "Act: (affection|lust)"
like "today --no-discreet shows it" "$(ctl today --no-discreet)" "secret"
no_secret "reroll, discreet" "$(ctl reroll 2>&1)"

# monitor: the daily act, a private one, discreet: emitted as soon as its
# time has passed.
"$CLOSERCTL" monitor --json >"$D/monitor.json" &
mon=$!
"$CLOSERCTL" monitor >"$D/monitor.txt" &
mon2=$!
for _ in $(seq 50); do grep -q Listening "$D/monitor.txt" && break; sleep 0.1; done
sleep 0.3
ctl set daily.time 00:00 >/dev/null
for _ in $(seq 50); do grep -q DailyAct "$D/monitor.json" && grep -q DailyAct "$D/monitor.txt" && break; sleep 0.1; done
kill "$mon" "$mon2"
wait "$mon" "$mon2" 2>/dev/null
if [[ -n $late ]]; then
        like "monitor saw DailyAct" "$(cat "$D/monitor.json")" "DailyAct"
else
        skip "monitor: too close to midnight for a daily act at 23:59"
fi
no_secret "monitor --json, discreet" "$(cat "$D/monitor.json")"
no_secret "monitor, discreet" "$(cat "$D/monitor.txt")"
if grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2}' "$D/monitor.txt"; then not_ok "monitor: no ISO times with seconds"; else
        ok "monitor: no ISO times with seconds"; fi

# stats: the best items, private ones by their category.
stop_daemon
db="$XDG_DATA_HOME/closer/closer.db"
today=$(( $(date +%s) / 86400 ))
for k in 1 2 3 4; do
        sqlite3 "$db" "INSERT INTO acts (day, kind, item_id, status, response, created, done_at)
                VALUES ($((today - 20 - k)), 0, $secret, 1, 5, 0, 0)" || not_ok "an act written into the database"
done
start_daemon
no_secret "stats, discreet" "$(ctl stats)"
no_secret "stats --json, discreet" "$(json stats)"
like "stats --no-discreet shows the best item" "$(ctl stats --no-discreet)" "the secret one"

# The import summary names the items back to review, a private one by its ID only.
stop_daemon
enter_world "${_worlds[1]}"
start_daemon
ctl list edit 2 --title "the secret, rewritten" >/dev/null
ctl list edit 1 --title "coffee in bed, with a croissant" >/dev/null
ctl list export "$D/sam2.ics" >/dev/null
stop_daemon
enter_world "${_worlds[0]}"
start_daemon
out=$(ctl partner import --discreet "$D/sam2.ics")
no_secret "partner import --discreet: the summary" "$out"
like "... names the private item by its ID" "$out" "back to review: .*$secret \(you said discuss\)"
like "... and the public one by its title" "$out" "'coffee in bed, with a croissant' \(you said no\)"

done_testing
