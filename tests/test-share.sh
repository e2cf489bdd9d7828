#!/bin/bash
# SPDX-License-Identifier: MIT
# Sharing through a synced folder (issue 17) between two private worlds,
# with the test itself as the sync engine: Alex's copy of the folder ($SA)
# and Sam's ($SB) are carried over by carry(), file by file, atomically,
# the way a sync engine renames a finished file into place. Not carrying
# is being offline. Every fault case places its file at will: half-written,
# hostile, conflict copies, temp files, a third member, my own folder
# edited, the partner's folder gone, closerd killed while publishing.
# Sam's closerd runs in another time zone and, for the concurrent plan
# changes, with a clock hours off.
. "$(dirname "$0")/lib.sh"

SA=$(mktemp -d /tmp/closer-share-a.XXXXXX)
SB=$(mktemp -d /tmp/closer-share-b.XXXXXX)
trap '_cleanup; rm -rf "$SA" "$SB"' EXIT

new_world alex
A=$W
enable_activation
# Sam lives in New York: their closerd (activated by their bus) too.
TZ=America/New_York new_world sam
S=$W
enable_activation
export TZ=Europe/Berlin

in_a() { enter_world "$A"; "$@"; }
in_s() { enter_world "$S"; "$@"; }

# carry: what each member wrote reaches the other copy of the folder (only
# the member folders that exist; each file through a temporary name).
carry() {
        local from to d f name
        for pair in "$SA:$SB" "$SB:$SA"; do
                from=${pair%%:*} to=${pair#*:}
                for d in "$from"/*/; do
                        d=${d%/}
                        name=${d##*/}
                        [[ $name =~ ^[0-9a-f]{32}$ ]] || continue
                        # Each side carries only its own member's folder.
                        [[ $from == "$SA" && $name != "$IDA" ]] && continue
                        [[ $from == "$SB" && $name != "$IDS" ]] && continue
                        mkdir -p "$to/$name"
                        for f in "$d"/*; do
                                [[ -f $f ]] || continue
                                cmp -s "$f" "$to/$name/${f##*/}" && continue
                                cp "$f" "$to/$name/.syncthing.${f##*/}.tmp" && mv "$to/$name/.syncthing.${f##*/}.tmp" "$to/$name/${f##*/}"
                        done
                done
        done
}

# eventually (lib.sh) within 30 s: closerd reacts to inotify, nothing is
# asked of it. With EVENTUALLY_EACH=carry, the folders are carried over
# before each try, as an engine keeps doing (what a closerd publishes after
# its request was answered goes over too).
EVENTUALLY_S=30
jtrue() { [[ $(jget "$1" "$2") == True ]]; }
share_json() { json share; }
has_problem() { jget "$(json share)" "any(__import__('re').search(r'''$1''', p) for p in d['problems'])" | grep -q True; }
no_problem() { jget "$(json share)" "len(d['problems'])" | grep -qx 0; }

# --- Alex turns sharing on ---
enter_world "$A"
check "set my name" ctl set me.name Alex
out=$(ctl share)
like "share without DIR says it is off" "$out" "Sharing is off"
refuses "share of a missing folder" "cannot open the folder" ctl share /nonexistent/folder
refuses "share of my data folder" "database never goes into" ctl share "$XDG_DATA_HOME"
refuses "share of / (it holds my data folder)" "holds my data folder" ctl share /
touch "$A/afile"
refuses "share of a file" "cannot open the folder|not a folder" ctl share "$A/afile"
refuses "share DIR --off" "not both" ctl share "$SA" --off
refuses "share of an empty name" "must not be empty" ctl share ""
out=$(ctl share "$SA")
like "share DIR turns it on" "$out" "Sharing through $SA as member [0-9a-f]{32}"
sj=$(json share)
IDA=$(jget "$sj" 'd["member_id"]')
is "share --json: enabled, the folder, my name" "$(jget "$sj" '[d["enabled"], d["dir"], d["name"], d["partner_id"]]')" \
        "[True, '$SA', 'Alex', None]"
is "share --json has every field" "$(jget "$sj" 'sorted(d)')" \
        "['dir', 'enabled', 'follow_dir', 'follow_last_read', 'follow_problems', 'follow_tasks', 'following', 'last_published', 'last_received', 'member_id', 'name', 'partner_id', 'partner_name', 'partner_present', 'problems']"
eventually "my member folder is made, mode 0700" bash -c "[[ \$(stat -c %a '$SA/$IDA') == 700 ]]"
eventually "member.json is published" test -f "$SA/$IDA/member.json"
is "published files are mode 0600" "$(stat -c %a "$SA/$IDA/member.json")" 600
cat >"$A/list.txt" <<'LIST'
Kiss me every morning
Bring me coffee in bed
[love]
Write me a note **
[fun]
Dance with me in the kitchen
! A secret of ours ***
LIST
check "Alex writes a list" ctl list add --from "$A/list.txt"
eventually "my list is published as list.ics" grep -q "Bring me coffee in bed" "$SA/$IDA/list.ics"
like "the published list has no observations and no settings" "$(cat "$SA/$IDA"/*.json)" '^[^@]*$'
[[ -z $(find "$SA" -name '*.db*') ]] && ok "the database never goes into the folder" || not_ok "a database file in the folder"
[[ -z $(find "$SA" -name '.syncthing.*') ]] && ok "no temporary file is left" || not_ok "a temporary file left"

# --- Sam joins ---
enter_world "$S"
check "Sam sets a name" ctl set me.name Sam
"$CLOSERCTL" --json monitor >"$S/monitor.log" 2>&1 &
MON=$!
sleep 0.3
# A desktop notification server for Sam (tests/tools/notifyd).
NOTIFYD=$TOP/$B/tests/notifyd
NPID=
if [[ -x $NOTIFYD ]]; then
        mkfifo "$S/notifyd.in"
        "$NOTIFYD" <"$S/notifyd.in" >"$S/notify.log" 2>&1 &
        NPID=$!
        exec 7<>"$S/notifyd.in"
        for _ in $(seq 100); do grep -q READY "$S/notify.log" 2>/dev/null && break; sleep 0.05; done
fi
check "Sam shares" ctl share "$SB"
IDS=$(jget "$(json share)" 'd["member_id"]')
EVENTUALLY_EACH=carry
carry
eventually "Sam has Alex's list without a command" bash -c "[[ \$($CLOSERCTL --json list partner | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == 5 ]]"
eventually "PartnerChanged(list) was emitted" grep -q '"PartnerChanged"' "$S/monitor.log"
like "its summary names Alex and the new items" "$(cat "$S/monitor.log")" 'Alex updated their list: 5 new'
if [[ -n $NPID ]]; then
        eventually "a discreet notification tells Sam" grep -q 'body=Alex updated their list: 5 new' "$S/notify.log"
else
        skip "no $B/tests/notifyd"
fi
sj=$(json share)
is "Sam's share shows Alex" "$(jget "$sj" '[d["partner_id"], d["partner_name"], d["partner_present"]]')" \
        "['$IDA', 'Alex', True]"
[[ $(jget "$sj" 'd["last_received"]') != None ]] && ok "last_received is set" || not_ok "last_received is not set"
ctl share >"$S/share.txt"
like "share shows the partner in words" "$(cat "$S/share.txt")" "Partner: +Alex, member $IDA"
carry
in_a eventually "Alex sees Sam as the partner" bash -c "$CLOSERCTL --json share | grep -q '\"partner_name\": \"Sam\"'"
enter_world "$S"

# --- Sam reviews, Alex sees it ---
pid=$(jget "$(json list partner)" '[i["id"] for i in d if i["title"].startswith("Dance")][0]')
check "Sam reviews an item: discuss, with a note" ctl partner review "$pid" discuss --note "what do you mean by dance?"
pid2=$(jget "$(json list partner)" '[i["id"] for i in d if i["title"].startswith("Kiss")][0]')
check "Sam reviews another: ok" ctl partner review "$pid2" ok
carry
enter_world "$A"
eventually "Alex's list mine shows Sam's review" bash -c "$CLOSERCTL --json list mine | grep -q 'what do you mean by dance'"
mine=$(json list mine)
is "the review and note of my item" "$(jget "$mine" '[(i["review"], i["note"]) for i in d if i["title"].startswith("Dance")][0]')" \
        "('discuss', 'what do you mean by dance?')"
like "list mine in words: Sam: discuss — note" "$(ctl list mine)" "Sam: discuss — what do you mean by dance\?"

# --- a rain check Sam owes Alex ---
enter_world "$S"
check "Sam declines Alex's advance with a rain check" ctl advance --by partner declined --raincheck "sat 20:00"
carry
enter_world "$A"
eventually "Alex sees the rain check owed to them" bash -c "$CLOSERCTL --json promise | grep -q '\"owed_by\": \"partner\"'"
pr=$(json promise)
is "one rain check, owed by my partner, open" "$(jget "$pr" '[(p["owed_by"], p["status"]) for p in d]')" "[('partner', 'open')]"
enter_world "$S"
check "Sam notes a rain check Alex gave Sam (Sam's advance, declined by Alex)" \
        ctl advance --by me declined --raincheck "sun 18:00"
enter_world "$A"
eventually "Alex sees the rain check they owe, noted by Sam" \
        bash -c "$CLOSERCTL --json promise | grep -q '\"owed_by\": \"me\"'"
is "two rain checks now: one each way" "$(jget "$(json promise)" 'sorted(p["owed_by"] for p in d)')" "['me', 'partner']"
enter_world "$S"
eventually "Sam does not get it back as a second one" \
        bash -c "[[ \$($CLOSERCTL --json promise | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == 2 ]]"
enter_world "$A"
is "status asks for no export: sharing carries my list" "$(jget "$(json status)" '[w for w in d["warnings"] if "export" in w]')" "[]"

# --- the date night: one plan, the same UIDs ---
enter_world "$A"
check "Alex sets the date night" ctl datenight set --weekday sat --time 19:30 --duration 2h
check "Alex moves the next one" ctl datenight move "+3d"
carry
enter_world "$S"
plan_of() { json datenight | python3 -c 'import json,sys; print([(n["start"], n["status"]) for n in json.load(sys.stdin)[:6]])'; }
# Saturdays 19:30 in Berlin are Saturdays 13:30 in New York.
eventually "Sam's plan follows: Saturdays 13:30 New York time, for 2h" bash -c "$CLOSERCTL --json datenight | grep -q 'T13:30:00-05:00'"
uids_of() { grep '^UID:dn' "$XDG_DATA_HOME/closer/datenights.ics" | sort | head -6; }
# The two are in other time zones: compare instants.
inst_of() {
        python3 -c 'import sys,datetime,ast; print([(datetime.datetime.fromisoformat(s).timestamp(), st) for s, st in ast.literal_eval(sys.argv[1])])' \
                "$(plan_of)"
}
plans_agree() { local a s; a=$(in_a inst_of) && s=$(in_s inst_of) && [[ -n $a && $a == "$s" ]]; }
uids_agree() {
        local a s
        in_a ics_settled && in_s ics_settled && a=$(in_a uids_of) && s=$(in_s uids_of) && [[ -n $a && $a == "$s" ]]
}
eventually "both plans have the same nights at the same instants" plans_agree
eventually "the same nights have the same UIDs in both calendars" uids_agree
enter_world "$S"
like "PartnerChanged(plan) says what Alex did" "$(cat "$S/monitor.log")" '"plan"'

# --- acts from my list: Sam did one today ---
enter_world "$S"
xid=$(jget "$(json list partner)" '[i["id"] for i in d if i["title"].startswith("Bring")][0]')
check "Sam does an extra from Alex's list" ctl extra "$xid"
carry
enter_world "$A"
# An act is shared with the doer's day: between 23:00 and 05:00 UTC, Sam's
# day in New York is not Alex's in Berlin, and it is not Alex's today.
if [[ $(TZ=America/New_York date +%F) == $(TZ=Europe/Berlin date +%F) ]]; then
        eventually "Alex's today shows what Sam did" bash -c "$CLOSERCTL today | grep -q 'Sam did for you today: Bring me coffee in bed'"
        is "today --json: done_for_me" "$(jget "$(json today)" '[i["title"] for i in d["done_for_me"]]')" "['Bring me coffee in bed']"
else
        skip "Alex's today shows what Sam did (Sam's day in New York is not Alex's in Berlin at this hour)"
        skip "today --json: done_for_me (the same)"
fi

# --- advances: both record the same one: it counts once ---
check "Alex records an advance of Sam's, accepted" in_a ctl advance --by partner accepted
check "Sam records the same (by me, accepted)" in_s ctl advance --by me accepted
eventually "Sam publishes the advance" bash -c "[[ \$(grep -c '\"id\":' '$SB/$IDS/advances.json') == 3 ]]"
carry
sleep $([[ -n ${CLOSER_VALGRIND:-} ]] && echo 5 || echo 1)
enter_world "$A"
st=$(json stats)
is "the initiation counts once on Alex's side" "$(jget "$st" 'd["initiations"]["by_partner_accepted"]')" 1

# --- offline, both change the plan, then reconnect ---
EVENTUALLY_EACH=
# Sam's closerd from now on with a clock 5 hours fast: it must not win for that.
daemon_pid() {
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s io.github.closer.Closer1 2>/dev/null | awk '{print $2}'
}
enter_world "$S"
if faketime_preload "$S"; then
        printf '#!/bin/sh\nFAKETIME=+5h FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="%s" exec %s "$@"\n' \
                "$FAKETIME_PRELOAD" "$CLOSERD" >"$S/closerd-skewed"
        chmod +x "$S/closerd-skewed"
        printf '[D-BUS Service]\nName=io.github.closer.Closer1\nExec=%s\n' "$S/closerd-skewed" \
                >"$S/services/io.github.closer.Closer1.service"
        busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null
        kill "$(daemon_pid)"
        sleep 0.5
        skew=$(( $(jget "$(json status)" "int(__import__('datetime').datetime.fromisoformat(d['next_daily_act']).timestamp())") ))
        ok "Sam's closerd runs with a clock 5 h fast"
else
        skip "no libfaketime: Sam's clock is not skewed"
fi
check "Alex adds to their list while offline" in_a ctl list add "Read to me in bed"
check "Alex changes the time (offline)" in_a ctl datenight set --weekday sat --time 21:00 --duration 2h
check "Sam changes it too, with a clock 5 h fast" in_s ctl datenight set --weekday fri --time 18:00 --duration 3h
warned() { # how many of the two were told, once all is carried
        local n=0
        carry
        in_a bash -c "$CLOSERCTL --json status | grep -q 'won over yours'" && n=$((n + 1))
        in_s bash -c "$CLOSERCTL --json status | grep -q 'won over yours'" && n=$((n + 1))
        echo $n
}
for _ in $(seq 100); do [[ $(warned) == 1 ]] && break; sleep 0.1; done
is "exactly one of the two is told their change was overruled" "$(warned)" 1
if [[ -n $NPID ]] && in_s bash -c "$CLOSERCTL --json status | grep -q 'won over yours'"; then
        eventually "the overruled one is notified too" grep -q "won over yours" "$S/notify.log"
elif [[ -n $NPID ]]; then
        [[ $(grep -c "won over yours" "$S/notify.log") == 0 ]] && ok "the one who won is not notified" ||
                not_ok "the winner got an overruled notification"
fi
EVENTUALLY_EACH=carry
eventually "the same nights after reconnecting" plans_agree
in_s eventually "no list change lost: Sam has Alex's new item" bash -c "$CLOSERCTL --json list partner | grep -q 'Read to me in bed'"

# --- faults: my partner's files (placed by hand: no carrying) ---
enter_world "$S"
printf 'Hold me when I come home\nCall me at lunch\n[fun]\nA walk in the rain\n' >"$S/list.txt"
check "Sam writes a list too" ctl list add --from "$S/list.txt"
eventually "Sam publishes it" test -f "$SB/$IDS/list.ics"
carry
enter_world "$A"
eventually "Alex has Sam's list" bash -c "[[ \$($CLOSERCTL --json list partner | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == 3 ]]"
EVENTUALLY_EACH=
before=$(json list partner)
before_mine=$(json list mine)
before_promises=$(json promise)
put() { # put FILE CONTENT: into Sam's folder on Alex's side, as an engine would
        printf '%s' "$2" >"$SA/$IDS/.syncthing.$1.tmp" && mv "$SA/$IDS/.syncthing.$1.tmp" "$SA/$IDS/$1"
}
put reviews.json '{"closer":"reviews","format":1,'
eventually "a truncated reviews.json is a problem" has_problem 'reviews.json'
like "status shows the problem as a warning" "$(jget "$(json status)" 'd["warnings"]')" "sharing: my partner's reviews.json"
is "and nothing changed" "$(json list mine)" "$before_mine"
put reviews.json '{"closer":"reviews","format":99,"member":"'"$IDS"'","reviews":[]}'
eventually "a future format is a problem that says so" has_problem 'newer closer'
printf 'not json at all\x00\xff' >"$SA/$IDS/.syncthing.reviews.json.tmp" && mv "$SA/$IDS/.syncthing.reviews.json.tmp" "$SA/$IDS/reviews.json"
eventually "garbage is a problem" has_problem 'reviews.json'
head -c 9000000 /dev/zero | tr '\0' ' ' >"$SA/$IDS/.syncthing.plan.json.tmp" && mv "$SA/$IDS/.syncthing.plan.json.tmp" "$SA/$IDS/plan.json"
eventually "an oversized file is a problem" has_problem 'plan.json: too large'
# The hostile exchange files of test-partner.sh, made from Sam's real list.
good=$SB/$IDS/list.ics
hostile=$A/hostile
mkdir -p "$hostile"
sed '0,/^UID:/{/^UID:/d}' "$good" >"$hostile/no-uid"
sed '0,/^SUMMARY:/{/^SUMMARY:/d}' "$good" >"$hostile/no-summary"
uid1=$(grep -m1 '^UID:' "$good" | tr -d '\r')
awk -v u="$uid1" 'BEGIN{c=0} /^UID:/{c++; if (c==2) {print u "\r"; next}} {print}' "$good" >"$hostile/dup-uid"
sed '0,/^SUMMARY:/s/^SUMMARY:\(.*\)/SUMMARY:\xff\xfe \1/' "$good" >"$hostile/bad-utf8"
head -c $(($(stat -c %s "$good") / 2)) "$good" >"$hostile/truncated"
head -c 4096 /dev/urandom >"$hostile/binary"
"$PY" - "$hostile/many" "$IDS" <<'PY'
import sys
with open(sys.argv[1], "w", newline="") as f:
    f.write(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-CLOSER-OWNER-ID:{sys.argv[2]}\r\n")
    for i in range(10001):
        f.write(f"BEGIN:VTODO\r\nUID:u{i}@t\r\nSUMMARY:item {i}\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\n")
    f.write("END:VCALENDAR\r\n")
PY
head -c 6000000 /dev/zero | tr '\0' 'x' >"$hostile/huge"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-CLOSER-OWNER-ID:%s\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20260101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$IDS" >"$hostile/event"
sed "s/^X-CLOSER-OWNER-ID:.*/X-CLOSER-OWNER-ID:$IDA\r/" "$good" >"$hostile/my-own"
sed '/^X-CLOSER-OWNER-ID:/d' "$good" >"$hostile/no-owner"
before_list=$(json list partner)
for f in no-uid no-summary dup-uid bad-utf8 truncated binary many huge event my-own no-owner; do
        cp "$hostile/$f" "$SA/$IDS/.syncthing.list.ics.tmp" && mv "$SA/$IDS/.syncthing.list.ics.tmp" "$SA/$IDS/list.ics"
        eventually "a hostile list.ics ($f) is a problem" has_problem "list.ics"
        is "nothing changed by $f" "$(json list partner)" "$before_list"
        # The good one again between two: each problem is the file's own.
        cp "$good" "$SA/$IDS/.syncthing.list.ics.tmp" && mv "$SA/$IDS/.syncthing.list.ics.tmp" "$SA/$IDS/list.ics"
        eventually "the good list.ics again after $f: no problem" bash -c "! $CLOSERCTL --json share | grep -q 'list.ics'"
done
put promises.json '{"closer":"promises","format":1,"member":"'"$IDS"'","promises":[{"uid":"x","due":-5,"what":null,"where":null,"status":"open","sequence":0}]}'
eventually "a hostile promise is refused whole" has_problem 'promises.json'
is "the rain checks are as they were" "$(json promise)" "$before_promises"
is "the partner list is as it was" "$(json list partner)" "$before"
mkdir -p "$SA/$IDS/.stversions"
printf 'junk' >"$SA/$IDS/.stversions/reviews~20261203.json"
printf 'junk' >"$SA/$IDS/reviews.sync-conflict-20261203-101010-ABCDEFG.json"
printf 'junk' >"$SA/$IDS/~syncthing~reviews.json.tmp"
sleep 0.5
is "conflict copies, temp files and .stversions are never read" "$(json list mine)" "$before_mine"
rm -f "$SA/$IDS/reviews.json"
ln -s /etc/passwd "$SA/$IDS/reviews.json"
eventually "a link made in place is a problem, never followed" has_problem 'reviews.json: a symbolic link'
rm -f "$SA/$IDS/acts.json"
mkdir "$SA/$IDS/acts.json"
eventually "a folder made in place is a problem" has_problem 'acts.json: not a regular file'
is "and nothing changed" "$(json list mine)" "$before_mine"
rm -f "$SA/$IDS/reviews.json"
rmdir "$SA/$IDS/acts.json"
# Sam's real files again: the problems go.
rm -f "$SA/$IDS"/*.json "$SA/$IDS/list.ics"
for f in "$SB/$IDS"/*; do cp "$f" "$SA/$IDS/.syncthing.x.tmp" && mv "$SA/$IDS/.syncthing.x.tmp" "$SA/$IDS/${f##*/}"; done
eventually "the good files again: no problem left" no_problem

# --- faults: the folder ---
mkdir -p "$SA/0123456789abcdef0123456789abcdef"
eventually "a third member folder is reported" has_problem 'third member'
rmdir "$SA/0123456789abcdef0123456789abcdef"
printf 'garbage' >"$SA/$IDA/member.json"
eventually "my own file edited by someone else is written again" grep -q '"closer":"member"' "$SA/$IDA/member.json"
cp "$SA/$IDA/reviews.json" "$SA/$IDA/reviews.sync-conflict-20261203-111111-XYZ.json"
eventually "a conflict copy in my own folder is reported" has_problem 'conflict copy'
rm -f "$SA/$IDA/"*.sync-conflict-*
mv "$SA/$IDS" "$SA/gone"
eventually "my partner's folder gone: share says so" bash -c "$CLOSERCTL --json share | grep -q '\"partner_present\": false'"
is "and nothing is deleted here" "$(json list partner)" "$before"
mv "$SA/gone" "$SA/$IDS"
eventually "the folder back: present again" bash -c "$CLOSERCTL --json share | grep -q '\"partner_present\": true'"

# --- closerd killed while publishing: the files are whole ---
for i in 1 2 3; do
        "$CLOSERCTL" list add "Kill test $i" >/dev/null 2>&1 &
        adder=$!
        sleep 0.0$i
        kill -KILL "$(daemon_pid)" 2>/dev/null
        wait "$adder"
done
"$CLOSERCTL" status >/dev/null 2>&1 || "$CLOSERCTL" status >/dev/null
eventually "after the kills closerd publishes again" grep -q "Kill test" "$SA/$IDA/list.ics"
ok=1
for f in "$SA/$IDA"/*.json; do python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || ok=0; done
is "every published file is whole JSON" "$ok" 1

# --- closerd killed while importing: all of one version, then the new one ---
enter_world "$S"
seq 1 2000 | sed 's/^/Little thing number /' >"$S/big.txt"
check "Sam adds 2000 items" ctl list add --from "$S/big.txt"
eventually "Sam publishes the long list" grep -q "Little thing number 2000" "$SB/$IDS/list.ics"
enter_world "$A"
count() { # (the first call may reach the closerd being killed)
        local out _
        for _ in $(seq 20); do out=$(json list partner 2>/dev/null) && break; sleep 0.1; done
        printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
n_before=$(count)
cp "$SB/$IDS/list.ics" "$SA/$IDS/.syncthing.list.ics.tmp" && mv "$SA/$IDS/.syncthing.list.ics.tmp" "$SA/$IDS/list.ics"
sleep 0.05
kill -KILL "$(daemon_pid)" 2>/dev/null
n_mid=$(count)
[[ $n_mid == "$n_before" || $n_mid == $((n_before + 2000)) ]] && ok "after a kill during the import: one version ($n_mid items)" ||
        not_ok "after a kill during the import: $n_mid items, neither $n_before nor $((n_before + 2000))"
eventually "the restarted closerd imports the new version" bash -c "[[ \$($CLOSERCTL --json list partner | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == $((n_before + 2000)) ]]"

# --- a member folder that is a link someone put there: nothing written through it ---
new_world kim
K=$W
enable_activation
IDK=$(jget "$(json share)" 'd["member_id"]')
SK=$(mktemp -d /tmp/closer-share-k.XXXXXX)
mkdir -p "$K/elsewhere"
ln -s "$K/elsewhere" "$SK/$IDK"
check "Kim shares through a folder where a link stands for Kim's member folder" ctl share "$SK"
eventually "the link is a problem" has_problem 'not a folder of mine'
check "and nothing is written through it" bash -c "[[ -z \$(ls -A '$K/elsewhere') ]]"
rm -rf "$SK"
enter_world "$A"

# --- off ---
out=$(ctl share --off)
like "share --off stops" "$out" "Sharing is off; the files in the folder stay"
[[ -f $SA/$IDA/member.json ]] && ok "--off leaves the files alone" || not_ok "--off removed files"
is "share --json after --off" "$(jget "$(json share)" 'd["enabled"]')" False
out=$(ctl share --off)
like "share --off again" "$out" "off already"
check "shared again" ctl share "$SA"
eventually "my partner is seen again (a partner with a new ID would be too)" \
        bash -c "$CLOSERCTL --json share | grep -q '\"partner_id\": \"$IDS\"'"
check "and off" ctl share --off
kill "$MON" $NPID 2>/dev/null
done_testing
