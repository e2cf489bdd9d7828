#!/bin/bash
# SPDX-License-Identifier: MIT
# Partner lists between private worlds: write a list from a text file,
# export it, import it on the other side, review, update, and refuse every
# bad file without changing anything: my own export, a file with no list
# items, another partner's list (unless --replace). Tombstones carry no
# text, and an item removed before any export leaves no trace.
. "$(dirname "$0")/lib.sh"

new_world alex
A=$W
enable_activation
new_world sam
S=$W
enable_activation

# --- Alex writes a list ---
enter_world "$A"
cat >"$A/list.txt" <<'LIST'
# What makes me feel loved
Kiss me every morning
Hold my hand when we walk *

[love]
Write me a note, leave it where I'll find it **
Cook my favourite meal, just for me

[ Lust ]
! Something only the two of us know ***
Küsse 💋 am Morgen, with "quotes", commas; semicolons \ backslash **

[fun]
Dance with me in the kitchen
LIST
out=$(ctl list add --from "$A/list.txt")
like "list add --from adds every line" "$out" "Added 7 items"
mine=$(json list mine)
is "sections set the category" "$(jget "$mine" '[i["category"] for i in d]')" \
        "['affection', 'affection', 'love', 'love', 'lust', 'lust', 'fun']"
is "stars set the intensity" "$(jget "$mine" '[i["intensity"] for i in d]')" "[1, 1, 2, 1, 3, 2, 1]"
is "! makes an item private" "$(jget "$mine" 'd[4]["private"]')" True

printf 'Fine item\n[romance]\nAnother\n' >"$A/bad.txt"
refuses "a bad line is reported with its number" "line 2: unknown category" ctl list add --from "$A/bad.txt"
printf 'Fine item\n%s\n' "$(printf 'y%.0s' $(seq 201))" >"$A/long.txt"
refuses "an overlong title is reported with its line" "line 2: .*200 characters" ctl list add --from "$A/long.txt"
is "nothing added from bad files" "$(json list mine)" "$mine"
out=$(printf 'From stdin\n[fun]\nAlso from stdin *\n' | ctl list add --from -)
like "list add --from - reads stdin" "$out" "Added 2 items"
never_exported=$(jget "$(json list mine)" '" ".join(i["uid"] for i in d if i["id"] in (8, 9))')
check "remove the stdin items again" bash -c "$CLOSERCTL list rm 8 && $CLOSERCTL list rm 9"
warnings=$(jget "$(json status)" 'd["warnings"]')
like "before the first export: my partner has not got my list" "$warnings" \
        "my partner has not got my list yet: closerctl list export"
[[ $warnings != *stale* ]] && ok "before the first export: no stale warning" ||
        not_ok "before the first export: no stale warning ($warnings)"

ideas=$(json list ideas)
n=$(jget "$ideas" 'len(d)')
((n >= 60)) && ok "at least 60 ideas ($n)" || not_ok "at least 60 ideas ($n)"
is "ideas cover every category and intensity" \
        "$(jget "$ideas" 'sorted({(i["category"], i["intensity"]) for i in d if i["intensity"] < 3} | {("lust", 3)} )==sorted({(i["category"], i["intensity"]) for i in d if i["intensity"] < 3 or i["category"]=="lust"} )')" True
is "ideas by category" "$(jget "$(json list ideas --category fun)" '{i["category"] for i in d}')" "{'fun'}"
out=$(ctl list add --idea 1)
like "list add --idea adds one" "$out" "Added idea 1 as item"
idea_title=$(jget "$ideas" 'd[0]["title"]')
is "the idea's title" "$(jget "$(json list mine)" 'd[-1]["title"]')" "$idea_title"
refuses "an unknown idea" "idea must be a number from 1 to" ctl list add --idea 100000

check "set me.name" ctl set me.name Alex
ctl list export "$A/alex.ics" >/dev/null
check "export writes a file" test -s "$A/alex.ics"
is "export file is private" "$(stat -c %a "$A/alex.ics")" 600
json list export >"$A/stdout.ics"
check "export to stdout is the same list" cmp -s <(grep -v DTSTAMP "$A/alex.ics") <(grep -v DTSTAMP "$A/stdout.ics")
check "python3-icalendar and vobject parse the export" "$PY" "$TESTS/listfile-check.py" "$A/alex.ics"
like "my name is in the export" "$(cat "$A/alex.ics")" "Alex"
like "the export names its owner by ID" "$(cat "$A/alex.ics")" "X-CLOSER-OWNER-ID:[0-9a-f]{32}"
left=0
for u in $never_exported; do grep -q "$u" "$A/alex.ics" && left=$((left + 1)); done
is "items added and removed before any export leave no trace in the file" "$left/$(grep -c CANCELLED "$A/alex.ics")" 0/0
warnings=$(jget "$(json status)" 'd["warnings"]')
[[ $warnings != *"has not got"* && $warnings != *stale* ]] && ok "after the export: no copy warning" ||
        not_ok "after the export: no copy warning ($warnings)"

# --- my own export is refused, and nothing changes ---
partner_before=$(json list partner)
refuses "my own export is refused" "^closerctl: this is my own list \(exported by Alex\): import my partner's file$" \
        ctl partner import "$A/alex.ics"
grep -v '^X-CLOSER-OWNER' "$A/alex.ics" >"$A/alex-anonymous.ics"
refuses "my own export without its owner is refused by its UIDs" \
        "^closerctl: this is my own list \(exported by Alex\): import my partner's file$" \
        ctl partner import "$A/alex-anonymous.ics"
refuses "my own export is refused with --replace too" "this is my own list" ctl partner import --replace "$A/alex.ics"
is "nothing changed by my own export" "$(json list partner)" "$partner_before"

# --- Sam imports it ---
enter_world "$S"
out=$(json partner import "$A/alex.ics")
is "import adds every item" "$(jget "$out" 'd["added"]')" 8
partner=$(json list partner)
mine=$(enter_world "$A"; json list mine)
is "partner list matches field for field" \
        "$(jget "$partner" '[(i["uid"], i["title"], i["category"], i["intensity"], i["private"]) for i in d]')" \
        "$(jget "$mine" '[(i["uid"], i["title"], i["category"], i["intensity"], i["private"]) for i in d]')"
is "every item starts as new" "$(jget "$partner" '{i["review"] for i in d}')" "{'new'}"
is "the partner's name comes from the file" "$(ctl get partner.name)" "Alex"
out=$(json partner import "$A/alex.ics")
is "the same file twice changes nothing" "$(jget "$out" '(d["added"], d["updated"], d["removed"], d["unchanged"])')" "(0, 0, 0, 8)"
is "list unchanged by the second import" "$(json list partner)" "$partner"

ids=($(jget "$partner" '" ".join(str(i["id"]) for i in d)'))
check "review ok with a note" ctl partner review "${ids[0]}" ok --note "mornings before work"
check "review discuss" ctl partner review "${ids[1]}" discuss
check "review no" ctl partner review "${ids[6]}" no --note "not the kitchen, the living room"
check "review ok (unchanged later)" ctl partner review "${ids[3]}" ok
check "review ok (its text changes later)" ctl partner review "${ids[5]}" ok
refuses "review with a bad verdict" "review must be ok, discuss or no" ctl partner review "${ids[0]}" maybe
refuses "review of a missing item" "no item 999" ctl partner review 999 ok
discuss=$(json partner discuss)
is "partner discuss lists new and discuss" "$(jget "$discuss" 'sorted({i["review"] for i in d})')" "['discuss', 'new']"
is "partner discuss leaves out ok and no" "$(jget "$discuss" 'len(d)')" 4
human=$(ctl list partner --discreet)
[[ $human != *"Something only the two of us know"* ]] && ok "--discreet hides private titles" ||
        not_ok "--discreet hides private titles"
like "--discreet shows the category instead" "$human" "lust +3 +yes +new +lust"
like "list partner shows private titles without --discreet" "$(ctl list partner)" "Something only the two of us know"
st=$(json status)
like "status warns about a short list" "$(jget "$st" 'd["warnings"]')" "short"
is "status counts partner items" "$(jget "$st" 'd["partner_items"]')" 8

# --- Alex changes the list: edit one, remove one, add one ---
enter_world "$A"
st=$(json status)
[[ $(jget "$st" 'd["warnings"]') != *stale* ]] && ok "no stale warning right after export" ||
        not_ok "no stale warning right after export"
cp "$A/alex.ics" "$A/alex-v1.ics"
mine_ids=($(jget "$(json list mine)" '" ".join(str(i["id"]) for i in d)'))
check "edit the discussed item's title" ctl list edit "${mine_ids[1]}" --title "Hold my hand, anywhere"
check "change only the category of an ok item" ctl list edit "${mine_ids[3]}" --category affection
check "edit the text of an ok item" ctl list edit "${mine_ids[5]}" --title "Küsse am Abend"
check "edit the text of an item I said no to" ctl list edit "${mine_ids[6]}" --details "in the living room"
removed_title=$(jget "$(json list mine)" "[i['title'] for i in d if i['id'] == ${mine_ids[2]}][0]")
check "remove an item" ctl list rm "${mine_ids[2]}"
check "add an item" ctl list add "Watch the sunrise together" --category love
tmp_id=$(jget "$(json list add "Added after the export, removed before the next")" 'd["id"]')
tmp_uid=$(jget "$(json list mine)" "[i['uid'] for i in d if i['id'] == $tmp_id][0]")
check "remove it again" ctl list rm "$tmp_id"
like "status says the partner's copy is stale" "$(jget "$(json status)" 'd["warnings"]')" "stale"
ctl list export "$A/alex.ics" >/dev/null
tombstones=$("$PY" - "$A/alex.ics" <<'PY'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for c in cal.walk("VTODO"):
    if str(c.get("STATUS", "")) == "CANCELLED":
        print(" ".join(sorted(c.keys())))
PY
)
is "a tombstone carries only UID, DTSTAMP, SEQUENCE, LAST-MODIFIED and STATUS" "$tombstones" \
        "DTSTAMP LAST-MODIFIED SEQUENCE STATUS UID"
! grep -qF "$removed_title" "$A/alex.ics" && ok "no text of the removed item in the file" ||
        not_ok "no text of the removed item in the file"
! grep -qF "$tmp_uid" "$A/alex.ics" && ok "an item added and removed between exports leaves no trace" ||
        not_ok "an item added and removed between exports leaves no trace"

enter_world "$S"
out=$(ctl partner import "$A/alex.ics")
like "second import: exactly the changes" "$out" "^Imported: 1 added, 4 updated, 1 removed, 3 unchanged; "
like "the summary names the items back to review" "$out" \
        "back to review: ${ids[1]} 'Hold my hand, anywhere' \(you said discuss\), ${ids[5]} 'Küsse am Abend' \(you said ok\), ${ids[6]} '[^']*' \(you said no\)\.$"
is "the summary is one line" "$(printf '%s\n' "$out" | wc -l)" 1
partner=$(json list partner)
rev() { jget "$partner" "[i['review'] for i in d if i['id'] == $1][0]"; }
is "review kept where the text did not change" "$(rev "${ids[0]}")" ok
is "note kept" "$(jget "$partner" "[i['note'] for i in d if i['id'] == ${ids[0]}][0]")" "mornings before work"
is "changed text goes back to new" "$(rev "${ids[1]}")" new
is "a category change keeps the review" "$(rev "${ids[3]}")" ok
is "changed text of an ok item goes back to new" "$(rev "${ids[5]}")" new
is "changed text of an item I said no to comes back as discuss" "$(rev "${ids[6]}")" discuss
is "the removed item left the list" "$(jget "$partner" "len([i for i in d if i['id'] == ${ids[2]}])")" 0
is "the new item is there" "$(jget "$partner" "[i['title'] for i in d][-1]")" "Watch the sunrise together"
out=$(json partner import "$A/alex-v1.ics")
is "an older export is ignored with a note" "$(jget "$out" 'd["older"] > 0 and d["added"] == 0 and d["updated"] == 0')" True
is "nothing changed by the older export" "$(json list partner)" "$partner"

# --- bad files: each refused, nothing changes ---
good=$A/alex.ics
bad() { # bad NAME REGEX: import $S/NAME.ics must fail with REGEX and change nothing
        refuses "refuses $1" "$2" ctl partner import "$S/$1.ics"
        is "nothing imported from $1" "$(json list partner)" "$partner"
}
sed '0,/^UID:/{/^UID:/d}' "$good" >"$S/no-uid.ics"
bad no-uid "missing UID|UID"
sed '0,/^SUMMARY:/{/^SUMMARY:/d}' "$good" >"$S/no-summary.ics"
bad no-summary "SUMMARY"
uid1=$(grep -m1 '^UID:' "$good" | tr -d '\r')
awk -v u="$uid1" 'BEGIN{c=0} /^UID:/{c++; if (c==2) {print u "\r"; next}} {print}' "$good" >"$S/dup-uid.ics"
bad dup-uid "duplicate UID"
sed '0,/^SUMMARY:/s/^SUMMARY:\(.*\)/SUMMARY:\xff\xfe \1/' "$good" >"$S/bad-utf8.ics"
bad bad-utf8 "UTF-8"
head -c $(($(stat -c %s "$good") / 2)) "$good" >"$S/truncated.ics"
bad truncated "truncated|END"
head -c 4096 /dev/urandom >"$S/binary.ics"
bad binary "not an iCalendar|UTF-8|NUL"
"$PY" - "$S/many.ics" <<'PY'
import sys
with open(sys.argv[1], "w", newline="") as f:
    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
    for i in range(10001):
        f.write(f"BEGIN:VTODO\r\nUID:u{i}@t\r\nSUMMARY:item {i}\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\n")
    f.write("END:VCALENDAR\r\n")
PY
bad many "10000 items"
"$PY" - "$S/huge.ics" <<'PY'
import sys
with open(sys.argv[1], "w", newline="") as f:
    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
    i = 0
    while f.tell() < 6 * 1024 * 1024:
        f.write(f"BEGIN:VTODO\r\nUID:u{i}@t\r\nSUMMARY:item {i}\r\nDESCRIPTION:{'x' * 3000}\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\n")
        i += 1
    f.write("END:VCALENDAR\r\n")
PY
bad huge "larger than"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20260101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$S/event.ics"
bad event "the file holds no list items, only 1 other calendar components"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n' >"$S/empty.ics"
bad empty "the file holds no list items: import my partner's list file"
check "a date night rule" ctl datenight set --weekday fri --time 20:00
ctl export-ics "$S/datenights.ics" 2>/dev/null
check "the date nights calendar has events" grep -q BEGIN:VEVENT "$S/datenights.ics"
bad datenights "no list items"
refuses "a missing file" "No such file" ctl partner import "$S/nope.ics"

# --- extra N: a number that is not an item of my partner's list ---
acts_before=$(json stats)
refuses "extra with an unknown item number" "^closerctl: no item 9999 on my partner's list$" ctl extra 9999
refuses "extra with a number too large for an ID" "no item 99999999999999999999 on my partner's list" \
        ctl extra 99999999999999999999
is "nothing recorded by a refused extra" "$(json stats)" "$acts_before"
check "extra with a partner item number" ctl extra "${ids[0]}"

# --- another partner's list: refused, then --replace forgets the old one ---
act_before=$(jget "$(json today)" 'd["act"]["item"] if d["act"] else None')
[[ $act_before != None ]] && ok "today's act comes from Alex's list" || not_ok "today's act comes from Alex's list"
new_world kim
K=$W
enable_activation
enter_world "$K"
check "Kim's name" ctl set me.name Kim
printf 'Tea in the garden\nRead to me\n' | ctl list add --from - >/dev/null
ctl list export "$K/kim.ics" >/dev/null
enter_world "$S"
partner=$(json list partner)
refuses "another partner's list is refused" \
        "^closerctl: this is the list of another partner \(Kim\) than the one imported before \(Alex\): closerctl partner import --replace FILE forgets the old list$" \
        ctl partner import "$K/kim.ics"
is "nothing changed by another partner's list" "$(json list partner)" "$partner"
out=$(ctl partner import --replace "$K/kim.ics")
like "--replace forgets the old list" "$out" "^Forgot the old partner list \(8 items\)\."
like "--replace imports the new one" "$out" "Imported: 2 added, 0 updated, 0 removed, 0 unchanged\.$"
partner=$(json list partner)
is "only Kim's items are left" "$(jget "$partner" '[i["title"] for i in d]')" "['Tea in the garden', 'Read to me']"
is "the partner's name is Kim's now" "$(ctl get partner.name)" "Kim"
kim_ids=$(jget "$partner" '[i["id"] for i in d]')
act=$(jget "$(json today)" 'd["act"]["item"] if d["act"] else None')
is "the old list left the pick" "$(jget "$kim_ids" "$act in d or '$act' == 'None'")" True
out=$(json partner import "$K/kim.ics")
is "Kim's file twice changes nothing" "$(jget "$out" '(d["added"], d["updated"], d["removed"], d["unchanged"], d["forgotten"], d["review_again"])')" "(0, 0, 0, 2, 0, [])"
is "the list is the same after the second import" "$(json list partner)" "$partner"
refuses "Alex's list is now the other partner's" "another partner \(Alex\) than the one imported before \(Kim\)" \
        ctl partner import "$A/alex.ics"

# --- a to-do list from another tasks app is a list ---
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//Tasks//EN\r\nBEGIN:VTODO\r\nUID:other-1@tasks\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Bring me flowers\r\nCATEGORIES:love\r\nEND:VTODO\r\nEND:VCALENDAR\r\n' >"$S/tasks.ics"
out=$(json partner import "$S/tasks.ics")
is "a VTODO without closer's properties is accepted" "$(jget "$out" 'd["added"]')" 1
like "it is in the partner list" "$(jget "$(json list partner)" '[(i["title"], i["category"], i["intensity"]) for i in d]')" \
        "\('Bring me flowers', 'love', 1\)"

private="Something only the two of us know"
! cat "$S"/*.log "$A"/*.log 2>/dev/null | grep -q "$private" && ok "no private text in the daemon's log" ||
        not_ok "no private text in the daemon's log"

done_testing
