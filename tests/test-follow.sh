#!/bin/bash
# SPDX-License-Identifier: MIT
# My partner's list followed in a vdir of tasks (issue 18), with the test
# as vdirsyncer: it writes tasks the way phone apps do (tasks.org: no X-
# properties, SEQUENCE never raised, tags as CATEGORIES), each through a
# temporary name and a rename, and deletes them for real. closerd follows
# by inotify; the list follows each step, reviews kept where the text
# stayed, changed text back to review; conflict copies, temporary and
# other files, duplicate UIDs, hostile files, an emptied folder: skipped
# and reported, nothing lost.
. "$(dirname "$0")/lib.sh"

F=$(mktemp -d /tmp/closer-follow.XXXXXX)
trap '_cleanup; rm -rf "$F" "$F.save" "$F.monitor" "$F.big" "$F.1005"' EXIT
export TZ=Europe/Berlin

# task FILE UID SUMMARY [LINE...]: a VTODO as tasks.org writes it, put in
# place atomically (temp name, rename), as vdirsyncer does.
task() {
        local file=$1 uid=$2 summary=$3
        shift 3
        local dir=${file%/*}
        {
                printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:+//IDN tasks.org//android-130804//EN\r\n'
                printf 'BEGIN:VTODO\r\nDTSTAMP:20261201T100000Z\r\nUID:%s\r\nCREATED:20261201T095900Z\r\n' "$uid"
                printf 'LAST-MODIFIED:20261201T100000Z\r\nSUMMARY:%s\r\nPRIORITY:9\r\n' "$summary"
                local l
                for l in "$@"; do printf '%s\r\n' "$l"; done
                printf 'X-APPLE-SORT-ORDER:123456\r\nEND:VTODO\r\nEND:VCALENDAR\r\n'
        } >"$dir/.tmp-$$" && mv "$dir/.tmp-$$" "$file"
}
# plist: my partner's list as {title: [category, intensity, private, review]}.
plist() { jget "$(json list partner)" 'json.dumps({i["title"]: [i["category"], i["intensity"], i["private"], i["review"]] for i in d})'; }
plist_is() { [[ $(jget "$(plist)" "$1") == "$2" ]]; }
titles() { jget "$(json list partner)" 'sorted(i["title"] for i in d)'; }
has_titles() { [[ $(titles) == "$1" ]]; }
pid() { jget "$(json list partner)" "[i['id'] for i in d if i['title'] == '$1'][0]"; }
problems() { jget "$(json partner follow)" '" | ".join(d["follow_problems"])'; }
has_problem() { [[ $(problems) =~ $1 ]]; }
no_problems() { [[ -z $(problems) ]]; }

new_world follow
start_daemon

diag "--- before following ---"
like "partner follow without DIR: not followed" "$(ctl partner follow)" "is not followed"
is "partner follow --json: following false, no folder" \
        "$(jget "$(json partner follow)" '(d["following"], d["follow_dir"], d["follow_last_read"], d["follow_problems"])')" \
        "(False, None, None, [])"
refuses "follow of a missing folder" "cannot open the folder" ctl partner follow /nonexistent/tasks
refuses "follow of a file" "cannot open the folder" ctl partner follow /etc/hostname
refuses "follow of my data folder" "data folder.*never reads its own files" ctl partner follow "$XDG_DATA_HOME"
refuses "follow of / (it holds my data folder)" "holds my data folder" ctl partner follow /
refuses "follow with a folder and --off" "not both" ctl partner follow "$F" --off
refuses "follow with an empty name" "must not be empty" ctl partner follow ""

diag "--- tasks as tasks.org writes them ---"
task "$F/1001.ics" 1001 "Breakfast in bed" "CATEGORIES:intimate" "STATUS:NEEDS-ACTION"
task "$F/1002.ics" 1002 "A long walk" "STATUS:COMPLETED" "COMPLETED:20261202T180000Z" "PERCENT-COMPLETE:100"
task "$F/1003.ics" 1003 "Dance in the kitchen" "CATEGORIES:Fun,explicit" "STATUS:IN-PROCESS"
task "$F/1004.ics" 1004 "Cancelled idea" "STATUS:CANCELLED"
task "$F/1005.ics" 1005 "Secret" "CATEGORIES:private,LOVE,2" "DESCRIPTION:only for us"
task "$F/1006.ics" 1006 "Due with a zone" "DUE;TZID=Europe/Berlin:20261224T180000" \
        "BEGIN:VALARM" "ACTION:DISPLAY" "DESCRIPTION:reminder" "TRIGGER:-PT1H" "END:VALARM"
printf 'Love list\n' >"$F/displayname"
out=$(ctl partner follow "$F")
like "partner follow DIR says so" "$out" "Following my partner's list in $F"
like "... and shows it read, with its tasks" "$out" "Read: +[A-Za-z0-9 ]+ [0-9]+:[0-9]+: 5 tasks"
is "the list is in place when the command returns: every task but the cancelled one" "$(titles)" \
        "['A long walk', 'Breakfast in bed', 'Dance in the kitchen', 'Due with a zone', 'Secret']"
p=$(plist)
is "a tag names the intensity; no category: affection" "$(jget "$p" 'd["Breakfast in bed"][:3]')" "['affection', 2, False]"
is "a ticked-off wish is still a wish, gentle by default" "$(jget "$p" 'd["A long walk"][:3]')" "['affection', 1, False]"
is "category in any case, explicit by tag (private by default)" "$(jget "$p" 'd["Dance in the kitchen"][:3]')" "['fun', 3, True]"
is "a tag private; category LOVE; 2 is intimate" "$(jget "$p" 'd["Secret"][:3]')" "['love', 2, True]"
is "every task new to review" "$(jget "$p" 'sorted(set(v[3] for v in d.values()))')" "['new']"
j=$(json partner follow)
is "partner follow --json: the folder, 5 tasks, no problems" \
        "$(jget "$j" '(d["following"], d["follow_dir"], d["follow_tasks"], d["follow_problems"])')" "(True, '$F', 5, [])"
like "... read at an ISO time" "$(jget "$j" 'd["follow_last_read"]')" '^20[0-9-]+T[0-9:]+[+-][0-9:]+$'
like "share shows what is followed" "$(ctl share)" "Following: +$F"
is "share --json has the follow fields" "$(jget "$(json share)" '(d["following"], d["follow_dir"], d["follow_tasks"])')" \
        "(True, '$F', 5)"
like "status --json shows what is followed" "$(jget "$(json status)" 'd["followed"]')" "^$F$"
like "status --json: when it was last read" "$(jget "$(json status)" 'd["followed_read"]')" '^20[0-9-]+T[0-9:]+[+-][0-9:]+$'
like "status shows what is followed and when it was read" "$(ctl status)" "Following: +$F, read [A-Za-z0-9 ]+ [0-9]+:[0-9]+"
refuses "share while following" "partner follow --off first" ctl share "$F"

diag "--- my partner edits on the phone ---"
"$CLOSERCTL" --json monitor >"$F.monitor" 2>&1 &
MON=$!
sleep 0.3
check "review Breakfast in bed: ok" ctl partner review "$(pid 'Breakfast in bed')" ok
check "review A long walk: no" ctl partner review "$(pid 'A long walk')" no
check "review Secret: ok" ctl partner review "$(pid 'Secret')" ok
task "$F/1001.ics" 1001 "Breakfast in bed, with coffee" "CATEGORIES:intimate"
eventually "an edited title (SEQUENCE never raised) follows" has_titles \
        "['A long walk', 'Breakfast in bed, with coffee', 'Dance in the kitchen', 'Due with a zone', 'Secret']"
is "the changed text is back to review" "$(jget "$(plist)" 'd["Breakfast in bed, with coffee"][3]')" new
task "$F/1005.ics" 1005 "Secret" "CATEGORIES:private,LOVE,explicit" "DESCRIPTION:only for us"
eventually "an intensity changed by tag follows" plist_is 'd["Secret"][1]' 3
is "... and the review stays (the text did not change)" "$(jget "$(plist)" 'd["Secret"][3]')" ok
task "$F/1002.ics" 1002 "A long walk, by the river" "STATUS:COMPLETED"
eventually "a text I had said no to comes back to discuss" plist_is 'd.get("A long walk, by the river", [0,0,0,0])[3]' discuss
rm "$F/1003.ics"
eventually "a task whose file is gone is removed" has_titles \
        "['A long walk, by the river', 'Breakfast in bed, with coffee', 'Due with a zone', 'Secret']"
task "$F/1006.ics" 1006 "Due with a zone" "STATUS:CANCELLED"
eventually "a task CANCELLED on the phone is removed" has_titles \
        "['A long walk, by the river', 'Breakfast in bed, with coffee', 'Secret']"
touch "$F/1001.ics"
sleep 0.5
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null
n_sig=$(grep -c '"PartnerChanged"' "$F.monitor")
is "each change is one PartnerChanged signal (a touch is none)" "$n_sig" 5
like "PartnerChanged says what: list" "$(grep -m1 '"PartnerChanged"' "$F.monitor")" '"list"'
check "the removed task's history is kept (a tombstone)" \
        sqlite3 "$XDG_DATA_HOME/closer/closer.db" "SELECT 1 FROM items WHERE uid = '1003' AND removed = 1" 

diag "--- what is never read as a task ---"
cp "$F/1001.ics" "$F/1001.sync-conflict-20261204-101010-ABCDEFG.ics"
eventually "a conflict copy is reported" has_problem "1001.sync-conflict-20261204-101010-ABCDEFG.ics \(a conflict copy\)"
task "$F/copy.ics" 1005 "Secret twice"
eventually "a second file with a UID taken is reported" has_problem "copy.ics has the UID of 1005.ics: skipped"
is "... neither is imported twice" "$(titles)" "['A long walk, by the river', 'Breakfast in bed, with coffee', 'Secret']"
printf 'notes\n' >"$F/notes.txt"
printf 'x' >"$F/.hidden.ics"
eventually "a file that is not .ics is reported" has_problem "notes.txt \(not .ics\)"
like "... and a temporary one" "$(problems)" "\.hidden\.ics \(a temporary file\)"
is "vdirsyncer's displayname is not reported" "$(problems | grep -c displayname)" 0
ln -s /etc/passwd "$F/link.ics"
eventually "a link is never followed" has_problem "link.ics \(a link: never followed\)"
rm -f "$F"/*.sync-conflict-* "$F/copy.ics" "$F/notes.txt" "$F/.hidden.ics" "$F/link.ics"
eventually "the problems go with the files" no_problems

diag "--- hostile files: the last good state is kept ---"
printf 'BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:1005\r\nSUMMARY:broken\r\n' >"$F/.t" && mv "$F/.t" "$F/1005.ics"
eventually "a file that does not parse is reported, by name" has_problem "^1005.ics: "
is "... and its task stays as it was" "$(jget "$(plist)" 'd["Secret"]')" "['love', 3, True, 'ok']"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' 'x' >"$F/.t" && mv "$F/.t" "$F/big.ics"
eventually "a file over 1 MiB is skipped" has_problem "big.ics \(larger than 1 MiB\)"
rm "$F/big.ics"
task "$F/1005.ics" 1005 "Secret" "CATEGORIES:private,LOVE,explicit" "DESCRIPTION:only for us"
eventually "mended, the file reads again, the review kept" plist_is 'd["Secret"]' "['love', 3, True, 'ok']"
mv "$F/1005.ics" "$F.1005" && sleep 0.3 && mv "$F.1005" "$F/1005.ics"
eventually "a file gone and back as it was: the task is back" plist_is 'd.get("Secret")' "['love', 3, True, 'ok']"
is "... with my review: its tombstone kept it" "$(jget "$(plist)" 'd["Secret"][3]')" ok
before=$(plist)
mkdir "$F.big"
"$PY" -c 'import sys
for i in range(10001):
    open("%s/%d.ics" % (sys.argv[1], 90000 + i), "w").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:big%d\r\nSUMMARY:big %d\r\nEND:VTODO\r\nEND:VCALENDAR\r\n" % (i, i))' "$F.big"
mv "$F.big" "$F/big"
EVENTUALLY_S=30 eventually "a folder of more than 10000 tasks is reported" has_problem "more than 10000 tasks: nothing was read"
is "... and nothing changed" "$(plist)" "$before"
mv "$F/big" "$F.big"
eventually "without them the folder reads again" no_problems
is "every task is still there, with its review (the failed reading lost nothing)" "$(plist)" "$before"
rm -rf "$F.big"
mv "$F" "$F.save" && mkdir "$F"
eventually "a folder made anew, empty, is reported" has_problem "holds no tasks"
is "... and changes nothing: the list stays" "$(titles)" "['A long walk, by the river', 'Breakfast in bed, with coffee', 'Secret']"
rmdir "$F"
eventually "a folder gone is reported" has_problem "cannot be read"
is "... and changes nothing" "$(titles)" "['A long walk, by the river', 'Breakfast in bed, with coffee', 'Secret']"
mv "$F.save" "$F"
eventually "the folder back in its place is read again" no_problems

diag "--- a list per subfolder, as vdirsyncer keeps collections ---"
mkdir "$F/fun"
task "$F/fun/2001.ics" 2001 "Board games night"
task "$F/fun/2002.ics" 2002 "Pillow fight" "CATEGORIES:affection"
eventually "a subfolder's tasks are read" plist_is 'd.get("Board games night", [0])[0]' fun
is "a list named fun gives its tasks the category fun, unless they name one" "$(jget "$(plist)" 'd["Pillow fight"][0]')" affection

diag "--- a restart, --off ---"
stop_daemon
start_daemon
task "$F/1007.ics" 1007 "Stargazing" "CATEGORIES:love"
eventually "after a restart the folder is followed again" plist_is 'd.get("Stargazing", [0])[0]' love
like "partner follow --off" "$(ctl partner follow --off)" "no longer followed"
like "partner follow --off again" "$(ctl partner follow --off)" "was not followed"
task "$F/1008.ics" 1008 "Not followed any more"
sleep 0.5
is "unfollowed, the folder's changes do not come in; the list stays" \
        "$(jget "$(plist)" '("Not followed any more" in d, "Stargazing" in d)')" "(False, True)"
is "partner follow --json after --off" "$(jget "$(json partner follow)" '(d["following"], d["follow_dir"])')" "(False, None)"

done_testing
