#!/bin/bash
# SPDX-License-Identifier: MIT
# Disk faults: a read-only data directory, a full disk (a 1 MiB tmpfs), a
# database truncated in the middle, garbage over its header and over a page
# in the middle, a schema version from the future, a missing directory.
# closerd starts or refuses with a one-line reason, never overwrites or
# deletes the existing file (sha256 before and after), and a write that
# cannot be stored gets a D-Bus error (StorageFailed) instead of a lost
# change.
#
# The mounts need root: as root the script runs itself again in a private
# mount namespace (unshare -m), so nothing is mounted outside it. Without
# root, or without unshare, the read-only case falls back to chmod and the
# full disk is skipped.

if [[ -z ${CLOSER_FAULTS_NS:-} ]] && ((EUID == 0)) && unshare -m --propagation private true 2>/dev/null; then
        CLOSER_FAULTS_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

MOUNTS=()
umount_all() {
        local i
        for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2>/dev/null; done
        MOUNTS=()
}
trap 'umount_all; _cleanup' EXIT
can_mount=false
[[ -n ${CLOSER_FAULTS_NS:-} ]] && can_mount=true

sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

# attempt: runs closerd (without -v) in this world until it either exits or
# takes its name. Sets ATT ("started", "hung" or its exit status) and
# ATT_ERR (its stderr); a started daemon is DAEMON_PID, for stop_daemon.
ATT_N=0
attempt() {
        ATT_N=$((ATT_N + 1))
        local errf=$W/attempt.$ATT_N.err
        "$CLOSERD" >"$W/attempt.out" 2>"$errf" &
        local pid=$! i
        ATT=hung
        for i in $(seq 300); do
                if ! kill -0 "$pid" 2>/dev/null; then
                        wait "$pid"
                        ATT=$?
                        break
                fi
                if name_owned; then
                        ATT=started
                        DAEMON_PID=$pid
                        break
                fi
                sleep 0.05
        done
        [[ $ATT == hung ]] && { kill -KILL "$pid"; wait "$pid"; }
        ATT_ERR=$(cat "$errf")
}

# refused DESC REGEX: the last attempt exited non-zero with one line on
# stderr matching REGEX.
refused() {
        local lines
        lines=$(printf '%s\n' "$ATT_ERR" | grep -c .)
        if [[ $ATT != started && $ATT != hung && $ATT != 0 && $lines == 1 && $ATT_ERR =~ $2 ]]; then
                ok "$1"
                diag "  $ATT_ERR"
        else
                not_ok "$1"
                diag "outcome: $ATT; stderr ($lines lines):"
                printf '%s\n' "$ATT_ERR" | head -5 | sed 's/^/#   /'
                diag "want: exit non-zero, one line matching /$2/"
                [[ $ATT == started ]] && stop_daemon
        fi
}

# pycall METHOD ARGS-PYTHON-LITERAL: calls the daemon directly; prints
# "ok RESULT" or "ERROR-NAME message".
pycall() {
        "$PY" - "$@" <<'PY'
import dbus, sys
i = dbus.Interface(dbus.SessionBus().get_object("io.github.closer.Closer1", "/io/github/closer/Closer1"),
                   "io.github.closer.Closer1")
try:
    print("ok", getattr(i, sys.argv[1])(*eval(sys.argv[2])))
except dbus.exceptions.DBusException as e:
    print(e.get_dbus_name(), e.get_dbus_message())
PY
}

# A database with something in it, closed cleanly: the pristine copy every
# case starts from.
new_world faults
DIR=$XDG_DATA_HOME/closer
DB=$DIR/closer.db
start_daemon
for i in $(seq 60); do
        ctl list add "kept $i" --details "$(printf 'd%.0s' $(seq 1500))" >/dev/null || not_ok "seed item $i"
done
want_list=$(json list mine)
stop_daemon
cp "$DB" "$W/pristine.db"
pristine_sha=$(sha "$W/pristine.db")
size=$(stat -c %s "$W/pristine.db")
diag "pristine database: $size bytes"
restore() {
        rm -f "$DB" "$DB-wal" "$DB-shm"
        cp "$W/pristine.db" "$DB"
        chmod 600 "$DB"
}

# intact DESC: the database is the pristine one, through the daemon.
intact() {
        attempt
        if [[ $ATT == started ]]; then
                is "$1" "$(json list mine)" "$want_list"
                stop_daemon
        else
                not_ok "$1"
                diag "closerd does not start: $ATT_ERR"
        fi
}

# --- a read-only data directory ---
restore
ro=
if $can_mount; then
        if mount --bind "$DIR" "$DIR" && MOUNTS+=("$DIR") && mount -o remount,bind,ro "$DIR"; then
                ro=mount
        fi
elif ((EUID != 0)); then
        chmod 555 "$DIR" && chmod 444 "$DB" && ro=chmod
fi
if [[ -n $ro ]] && ! touch "$DIR/probe" 2>/dev/null; then
        diag "read-only by $ro"
        attempt
        refused "read-only data directory: refused" "closer.db.*(Read-only|Permission denied|read-only|readonly)"
        is "read-only data directory: the file is unchanged" "$(sha "$DB")" "$pristine_sha"
        umount_all
        chmod 700 "$DIR" 2>/dev/null
        intact "read-only data directory: all there once writable again"
else
        rm -f "$DIR/probe"
        umount_all
        skip "read-only data directory: cannot make one here"
        skip "read-only data directory: the file is unchanged"
        skip "read-only data directory: all there once writable again"
fi

# --- an immutable database file (chattr +i: root cannot write it either) ---
restore
if chattr +i "$DB" 2>/dev/null; then
        attempt
        refused "immutable database file: refused" "closer.db.*(Operation not permitted|Permission denied|read-only|readonly)"
        chattr -i "$DB"
        is "immutable database file: unchanged" "$(sha "$DB")" "$pristine_sha"
else
        skip "immutable database file: chattr +i does not work here"
        skip "immutable database file: unchanged"
fi

# --- a full disk: a 1 MiB tmpfs as the data directory ---
if $can_mount && mkdir -p "$W/full" && mount -t tmpfs -o size=1m,mode=700 tmpfs "$W/full"; then
        MOUNTS+=("$W/full")
        export XDG_DATA_HOME=$W/full
        FDB=$W/full/closer/closer.db
        start_daemon
        pid=$DAEMON_PID
        acked=()
        for i in $(seq 10); do ctl list add "before-full-$i" >/dev/null && acked+=("before-full-$i"); done
        is "full disk: ten items before the disk fills" "${#acked[@]}" 10
        # Fill it to the last block.
        dd if=/dev/zero of="$W/full/filler" bs=4k 2>/dev/null
        dd if=/dev/zero of="$W/full/filler2" bs=512 2>/dev/null
        diag "free: $(df -k --output=avail "$W/full" | tail -1 | tr -d ' ') KiB"
        # Pages the WAL already has can still take a change: write until one
        # is refused, each acknowledged one counted as kept.
        refused_at= err= rc=0
        for i in $(seq 200); do
                errf=$W/full.err
                if "$CLOSERCTL" list add "full-$i" --details "$(printf 'f%.0s' $(seq 3000))" >/dev/null 2>"$errf"; then
                        acked+=("full-$i")
                else
                        rc=$?
                        refused_at=$i
                        err=$(cat "$errf")
                        break
                fi
        done
        diag "acknowledged while full: $((${#acked[@]} - 10)); refused at $refused_at"
        if [[ -n $refused_at ]]; then
                ok "full disk: a write is refused"
                ((rc != 0)) && [[ $(grep -c . <<<"$err") == 1 && $err == "closerctl: "* ]] &&
                        ok "full disk: closerctl prints one line and exits $rc" ||
                        { not_ok "full disk: closerctl prints one line and exits non-zero"; diag "rc=$rc: $err"; }
                like "full disk: the reason is the full disk" "$err" "disk is full|No space"
                out=$(pycall AddItem '("full-bus", {})')
                like "full disk: AddItem gets io.github.closer.Error.StorageFailed" "$out" \
                        "^io.github.closer.Error.StorageFailed "
                out=$(pycall AddMood '(3, {"note": "full-mood"})')
                like "full disk: AddMood gets StorageFailed" "$out" "^io.github.closer.Error.StorageFailed "
                out=$(pycall SetSetting '("me.name", "full-setting")')
                like "full disk: SetSetting gets StorageFailed" "$out" "^io.github.closer.Error.StorageFailed "
        else
                not_ok "full disk: a write is refused"
                skip "full disk: closerctl prints one line"
                skip "full disk: the reason"
                skip "full disk: AddItem gets StorageFailed"
                skip "full disk: AddMood gets StorageFailed"
                skip "full disk: SetSetting gets StorageFailed"
        fi
        kill -0 "$pid" 2>/dev/null && ok "full disk: closerd still runs (same PID)" ||
                not_ok "full disk: closerd still runs (same PID)"
        check "full disk: reading still works" ctl list
        titles=$(jget "$(json list mine)" '"\n".join(i["title"] for i in d)')
        is "full disk: every acknowledged item is listed while full" \
                "$(comm -23 <(printf '%s\n' "${acked[@]}" | sort) <(sort <<<"$titles"))" ""
        # Free the space: the daemon carries on.
        rm -f "$W/full/filler" "$W/full/filler2"
        check "full disk: a write works again once space is freed" ctl list add "after-free"
        acked+=("after-free")
        titles=$(jget "$(json list mine)" '"\n".join(i["title"] for i in d)')
        is "full disk: every acknowledged item is kept" \
                "$(comm -23 <(printf '%s\n' "${acked[@]}" | sort) <(sort <<<"$titles"))" ""
        is "full disk: the refused writes left nothing behind" \
                "$(grep -cE "^full-${refused_at:-x}$|^full-bus$" <<<"$titles")" 0
        is "full disk: the refused mood left nothing behind" \
                "$(sqlite3 "$FDB" "SELECT count(*) FROM moods WHERE note = 'full-mood'" 2>&1)" 0
        kill -0 "$pid" 2>/dev/null && ok "full disk: same closerd after freeing" || not_ok "full disk: same closerd"
        stop_daemon
        is "full disk: integrity_check" "$(sqlite3 "$FDB" 'PRAGMA integrity_check' 2>&1)" ok
        start_daemon
        titles=$(jget "$(json list mine)" '"\n".join(i["title"] for i in d)')
        is "full disk: every acknowledged item is there after a restart" \
                "$(comm -23 <(printf '%s\n' "${acked[@]}" | sort) <(sort <<<"$titles"))" ""
        stop_daemon
        # Full before the start: no room for the WAL.
        sqlite3 "$FDB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1
        fsha=$(sha "$FDB")
        dd if=/dev/zero of="$W/full/filler" bs=4k 2>/dev/null
        dd if=/dev/zero of="$W/full/filler2" bs=512 2>/dev/null
        attempt
        if [[ $ATT == started ]]; then
                ok "full disk at start: closerd starts"
                out=$(pycall AddItem '("full-at-start", {})')
                like "full disk at start: a write gets StorageFailed or is stored" "$out" \
                        "^(io.github.closer.Error.StorageFailed |ok )"
                check "full disk at start: reading works" ctl list
                stop_daemon
                [[ $out == ok* ]] && fsha=$(sha "$FDB")
        else
                refused "full disk at start: closerd refuses with one line" "closer.db|space|full"
                skip "full disk at start: a write"
                skip "full disk at start: reading"
        fi
        is "full disk at start: the database is not rewritten" "$(sha "$FDB")" "$fsha"
        rm -f "$W/full/filler" "$W/full/filler2"
        umount_all
        export XDG_DATA_HOME=$W/data
else
        umount_all
        export XDG_DATA_HOME=$W/data
        for d in "a write is refused" "closerctl prints one line" "the reason" "AddItem gets StorageFailed" \
                "AddMood gets StorageFailed" "SetSetting gets StorageFailed" "closerd still runs" "reading works" \
                "acknowledged items listed" "a write works again" "every item kept" "nothing left behind" \
                "refused mood" "same closerd" "integrity_check" "after a restart" "start when full" \
                "write when full at start" "read when full at start" "not rewritten"; do
                skip "full disk: $d (needs root and a private mount namespace)"
        done
fi

# --- a database truncated in the middle ---
restore
truncate -s $((size / 2)) "$DB"
before=$(sha "$DB")
attempt
refused "truncated in the middle: refused" "closer.db.*(malformed|corrupt|damaged|not a database)"
is "truncated in the middle: not rewritten" "$(sha "$DB")" "$before"
is "truncated in the middle: not grown back or replaced" "$(stat -c %s "$DB")" $((size / 2))

restore
truncate -s 10 "$DB"
before=$(sha "$DB")
attempt
refused "truncated inside the header: refused" "closer.db.*(not an SQLite database|malformed|not a database)"
is "truncated inside the header: not rewritten" "$(sha "$DB")" "$before"

# --- garbage over the header ---
restore
head -c 100 /dev/urandom | dd of="$DB" conv=notrunc status=none
before=$(sha "$DB")
attempt
refused "garbage over the header: refused" "closer.db.*not an SQLite database"
is "garbage over the header: not rewritten" "$(sha "$DB")" "$before"

restore
head -c 84 /dev/urandom | dd of="$DB" bs=1 seek=16 conv=notrunc status=none
before=$(sha "$DB")
attempt
refused "garbage after the magic string: refused" "closer.db.*(not a database|malformed|corrupt)"
is "garbage after the magic string: not rewritten" "$(sha "$DB")" "$before"

# --- garbage over a page in the middle: the header is fine, so closerd may
# start; then each call is answered (data or an error), it never crashes,
# and it never replaces the file.
restore
pages=$((size / 4096))
head -c 4096 /dev/urandom | dd of="$DB" bs=4096 seek=$((pages / 2)) conv=notrunc status=none
attempt
if [[ $ATT == started ]]; then
        ok "garbage in a middle page: closerd starts"
        pid=$DAEMON_PID
        for cmd in "list" "status" "today" "stats" "get" "promise" "datenight"; do
                out=$("$CLOSERCTL" $cmd 2>&1)
                rc=$?
                ((rc == 0)) || [[ $(grep -c . <<<"$out") == 1 && $out == "closerctl: "* ]] &&
                        ok "garbage in a middle page: '$cmd' answers (rc=$rc)" ||
                        { not_ok "garbage in a middle page: '$cmd' answers"; diag "rc=$rc: $(head -3 <<<"$out")"; }
        done
        diag "list on the damaged database: $("$CLOSERCTL" list 2>&1 | tail -1)"
        out=$("$CLOSERCTL" list add "into-damaged" 2>&1)
        rc=$?
        diag "a write into the damaged database: rc=$rc $out"
        kill -0 "$pid" 2>/dev/null && ok "garbage in a middle page: closerd still runs" ||
                not_ok "garbage in a middle page: closerd still runs"
        stop_daemon
else
        refused "garbage in a middle page: refused" "closer.db.*(malformed|corrupt|damaged)"
fi
[[ -s $DB ]] && ok "garbage in a middle page: the file is still there" || not_ok "garbage in a middle page: file kept"
cnt=$(sqlite3 "$DB" "SELECT count(*) FROM items" 2>/dev/null)
[[ $cnt != 0 ]] && ok "garbage in a middle page: not replaced by an empty database ($cnt)" ||
        not_ok "garbage in a middle page: not replaced by an empty database"

# --- a schema version from the future ---
restore
sqlite3 "$DB" 'PRAGMA user_version = 999'
before=$(sha "$DB")
attempt
refused "schema version 999: refused" "schema version 999, newer"
is "schema version 999: not rewritten" "$(sha "$DB")" "$before"
is "schema version 999: still 999" "$(sqlite3 "$DB" 'PRAGMA user_version')" 999
is "schema version 999: no WAL content left" "$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)" 0

# --- the database is a symlink, or a directory ---
restore
mv "$DB" "$W/elsewhere.db"
ln -s "$W/elsewhere.db" "$DB"
attempt
refused "closer.db is a symlink: refused" "closer.db"
is "closer.db is a symlink: its target is unchanged" "$(sha "$W/elsewhere.db")" "$pristine_sha"
[[ -L $DB ]] && ok "closer.db is a symlink: still a symlink" || not_ok "closer.db is a symlink: still a symlink"
rm -f "$DB"
mkdir "$DB"
attempt
refused "closer.db is a directory: refused" "closer.db"
rmdir "$DB"

# --- a missing directory: made (0700), and a new database in it ---
rm -rf "$DIR"
attempt
is "missing data directory: closerd starts" "$ATT" started
[[ $ATT == started ]] && check "missing data directory: a write works" ctl list add "fresh"
is "missing data directory: made 0700" "$(stat -c %a "$DIR" 2>&1)" 700
stop_daemon
rm -rf "$XDG_DATA_HOME"
attempt
is "missing XDG_DATA_HOME: closerd starts" "$ATT" started
[[ -f $DB ]] && ok "missing XDG_DATA_HOME: the database is made" || not_ok "missing XDG_DATA_HOME: database made"
stop_daemon

# --- the data directory is a file ---
rm -rf "$DIR"
echo "not a directory" >"$DIR"
before=$(sha "$DIR")
attempt
refused "data directory is a file: refused" "Not a directory|not a directory"
is "data directory is a file: unchanged" "$(sha "$DIR")" "$before"
rm -f "$DIR"

# --- after all that, the pristine database still works ---
mkdir -p "$DIR" && chmod 700 "$DIR"
restore
intact "the pristine database opens with all its items"
is "the pristine database is unchanged by its checks" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok

is "no sanitizer reports" "$(cat "$W"/attempt.*.err "$W/closerd.log" 2>/dev/null |
        grep -E 'AddressSanitizer|LeakSanitizer|runtime error' | head -3)" ""

umount_all
done_testing
