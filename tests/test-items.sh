#!/bin/bash
# SPDX-License-Identifier: MIT
# My list through the real closerd on a private bus: add, edit, remove, list,
# --json, unicode, restart, file modes, bad input, a second daemon.
. "$(dirname "$0")/lib.sh"

umask 000
new_world items
start_daemon

check "add an item" ctl list add "Kiss me every morning" --category affection
check "add with all fields" ctl list add "Dance in the kitchen" --category fun --intensity 2 --details "our song" --public
check "add a unicode title" ctl list add "Küsse 💋 am Morgen — ♥" --category love
check "add an explicit item" ctl list add "Something explicit" --category lust --intensity 3

out=$(json list mine)
is "four items listed" "$(jget "$out" 'len(d)')" 4
is "unicode title round-trips" "$(jget "$out" 'd[2]["title"]')" "Küsse 💋 am Morgen — ♥"
is "explicit is private by default" "$(jget "$out" 'd[3]["private"]')" True
is "gentle is public by default" "$(jget "$out" 'd[0]["private"]')" False
is "details kept" "$(jget "$out" 'd[1]["details"]')" "our song"
is "JSON fields of SPEC 6" "$(jget "$out" 'sorted(k for k in d[0] if k in ("id","uid","title","category","intensity","private","review","note"))')" \
        "['category', 'id', 'intensity', 'note', 'private', 'review', 'title', 'uid']"
is "review is null on my list" "$(jget "$out" 'd[0]["review"]')" None
uid0=$(jget "$out" 'd[0]["uid"]')

check "edit title and intensity" ctl list edit 1 --title "Kiss me each morning" --intensity 2
out=$(json list mine)
is "edit applied" "$(jget "$out" 'd[0]["title"], d[0]["intensity"]')" "('Kiss me each morning', 2)"
is "UID stable across edits" "$(jget "$out" 'd[0]["uid"]')" "$uid0"
check "make it private" ctl list edit 1 --private
is "private now" "$(jget "$(json list mine)" 'd[0]["private"]')" True

check "remove an item" ctl list rm 2
is "three items after removal" "$(jget "$(json list mine)" 'len(d)')" 3

human=$(ctl list)
like "human list has a header" "$human" "ID +CATEGORY +INT +PRIV +TITLE"
like "human list shows the unicode title" "$human" "Küsse 💋"
[[ $human != *$'\033'* ]] && ok "no colour when piped" || not_ok "no colour when piped"

# Bad input: a clear one-line error, non-zero status, and nothing changes.
before=$(json list mine)
refuses "empty title" "title" ctl list add ""
refuses "blank title" "title" ctl list add "   "
refuses "201-character title" "title is too long \(at most 200 characters\)" ctl list add "$(printf 'x%.0s' $(seq 201))"
refuses "100 KB title" "title" ctl list add "$(head -c 102400 /dev/zero | tr '\0' 'a')"
refuses "control character in title" "control characters" ctl list add $'bell\aring'
refuses "newline in title" "control characters" ctl list add $'two\nlines'
refuses "invalid UTF-8 title" "UTF-8" ctl list add $'bad \xff\xfe utf8'
refuses "unknown category" "category must be affection, love, lust or fun" ctl list add "x" --category romance
refuses "intensity 0" "intensity must be 1" ctl list add "x" --intensity 0
refuses "intensity 4" "intensity must be 1" ctl list add "x" --intensity 4
refuses "intensity not a number" "intensity" ctl list add "x" --intensity lots
refuses "details over 4000 characters" "details is too long \(at most 4000 characters\)" ctl list add "x" --details "$(printf 'd%.0s' $(seq 4001))"
refuses "edit a missing ID" "no item 999" ctl list edit 999 --title "x"
refuses "remove a missing ID" "no item 999" ctl list rm 999
refuses "remove a removed item" "no item 2" ctl list rm 2
refuses "ID not a number" "not an item ID" ctl list rm abc
refuses "ID zero" "not an item ID" ctl list rm 0
refuses "edit with nothing to change" "at least one" ctl list edit 1
refuses "edit to an invalid title" "title" ctl list edit 1 --title ""
refuses "unknown command" "unknown command" ctl frobnicate
refuses "unknown option" "unknown option" ctl list --frobnicate
refuses "option of another command" "does not take --category" ctl status --category fun
is "list unchanged after all bad input" "$(json list mine)" "$before"

# The same through the bus directly: wrong types and unknown keys.
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        AddItem sa{sv} "x" 1 intensity s "three" 2>&1)
like "bus: intensity of the wrong type" "$err" "intensity must be an integer"
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        AddItem sa{sv} "x" 1 colour s "red" 2>&1)
like "bus: unknown field refused" "$err" "unknown field 'colour'"
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        EditItem ta{sv} 0 0 2>&1)
like "bus: ID 0 refused" "$err" "id must be a positive item ID"
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        GetItem t 4242 2>&1)
like "bus: NoSuchItem" "$err" "no item 4242"
is "list unchanged after bad bus calls" "$(json list mine)" "$before"

# Modes under umask 000.
is "data directory 0700" "$(stat -c %a "$XDG_DATA_HOME/closer")" 700
is "database 0600" "$(stat -c %a "$XDG_DATA_HOME/closer/closer.db")" 600
for f in "$XDG_DATA_HOME"/closer/closer.db-*; do
        [[ -e $f ]] && is "$(basename "$f") 0600" "$(stat -c %a "$f")" 600
done

# A second daemon on the same bus refuses and the first keeps serving.
err=$("$CLOSERD" 2>&1)
rc=$?
((rc != 0)) && ok "second closerd exits non-zero" || not_ok "second closerd exits non-zero"
like "second closerd says why" "$err" "Another closerd already owns io.github.closer.Closer1"
is "first closerd still serves" "$(jget "$(json list mine)" 'len(d)')" 3

# Introspection matches the document in dbus/.
busctl --user introspect --xml-interface io.github.closer.Closer1 /io/github/closer/Closer1 >"$W/live.xml"
check "introspection matches dbus/io.github.closer.Closer1.xml" \
        python3 "$TESTS/check-introspection.py" "$TOP/dbus/io.github.closer.Closer1.xml" <"$W/live.xml"

# Data survives a restart; SIGTERM is a clean exit.
stop_daemon && ok "SIGTERM exits cleanly" || not_ok "SIGTERM exits cleanly"
start_daemon
is "data survives a restart" "$(json list mine)" "$before"

# D-Bus activation: no daemon running, the first call starts one.
stop_daemon
enable_activation
name_owned && not_ok "no daemon before activation" || ok "no daemon before activation"
is "activation on the first closerctl call" "$(jget "$(json list mine)" 'len(d)')" 3
name_owned && ok "activated daemon owns the name" || not_ok "activated daemon owns the name"

done_testing
