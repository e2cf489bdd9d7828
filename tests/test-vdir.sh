#!/bin/bash
# SPDX-License-Identifier: MIT
# The calendar as a vdir (issue 18): $XDG_DATA_HOME/closer/calendar/, one
# <UID>.ics per date night and rain check, each a complete VCALENDAR read by
# python3-icalendar (tests/vdir-check.py), written atomically and only when
# its event changed: the other files keep their inode, mtime and DTSTAMP.
# Skipped nights and resolved rain checks stay (CANCELLED, or as they were);
# past nights stay; nights a re-plan removes lose their file; a stranger's
# file goes. closerctl calendar [--vdirsyncer]. On the faked clock of
# tests/fakeclock.sh, TZ=Europe/Berlin (the DST change of 29 March inside).
. "$(dirname "$0")/lib.sh"

TMPD=$(mktemp -d /tmp/closer-test.vdir.XXXXXX)
_worlds+=("$TMPD")
# shellcheck source=tests/fakeclock.sh
. "$TESTS/fakeclock.sh"
export TZ=Europe/Berlin

vd() { "$PY" "$TESTS/vdir-check.py" "$V"; }
# agree: the vdir holds every night of closerctl --json datenight and every
# rain check given (UIDs), at their times, SEQUENCE and status; prints what
# differs, nothing when all agree. Extra files are allowed (past nights).
agree() {
        "$PY" - "$(json datenight)" "$(json promise)" "$(vd)" "${1:-}" <<'EOF'
import json, sys
from datetime import datetime
nights, promises, v, want = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
files = v["files"]
bad = list(v["problems"])
def same(a, b):
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)
for n in nights:
    f = files.get(n["uid"])
    if not f:
        bad.append("night %s: no file" % n["uid"]); continue
    if not same(f["start"], n["start"]) or not same(f["end"], n["end"]):
        bad.append("night %s: %s-%s, not %s-%s" % (n["uid"], f["start"], f["end"], n["start"], n["end"]))
    if f["sequence"] != n["sequence"]:
        bad.append("night %s: SEQUENCE %s, not %s" % (n["uid"], f["sequence"], n["sequence"]))
    if (f["status"] == "CANCELLED") != (n["status"] == "skipped"):
        bad.append("night %s: %s but %s" % (n["uid"], f["status"], n["status"]))
for p in promises:
    if want and p["uid"] not in want.split():
        continue
    f = files.get(p["uid"])
    if not f:
        bad.append("rain check %s: no file" % p["uid"]); continue
    if not same(f["start"], p["due"]):
        bad.append("rain check %s: at %s, not %s" % (p["uid"], f["start"], p["due"]))
    if f["sequence"] != p["sequence"]:
        bad.append("rain check %s: SEQUENCE %s, not %s" % (p["uid"], f["sequence"], p["sequence"]))
    cancelled = p["status"] in ("broken", "cancelled")
    if (f["status"] == "CANCELLED") != cancelled:
        bad.append("rain check %s: %s but %s" % (p["uid"], f["status"], p["status"]))
for b in bad:
    print(b)
EOF
}
agrees() { [[ -z $(agree "$@") ]]; }
# snap: UID inode mtime dtstamp, a line each, for what changed since.
snap() { jget "$(vd)" '"\n".join("%s %s %s %s" % (u, f["inode"], f["mtime"], f["dtstamp"]) for u, f in sorted(d["files"].items()))'; }
# changed BEFORE AFTER: the UIDs whose line differs (a file written, made or gone).
changed() { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed -n 's/^[<>] \([^ ]*\) .*/\1/p' | sort -u | paste -sd' '; }
field() { jget "$(vd)" "d['files']['$1']['$2']"; }
# after CMD...: CMD, then until closerd settled and the vdir agrees.
after() { settled "$@" >/dev/null && for _ in $(seq 100); do agrees && break; sleep 0.05; done; }

new_world vdir
V=$XDG_DATA_HOME/closer/calendar
start_at "2026-03-02 12:00:00"

diag "--- the vdir after datenight set ---"
check "datenight set --weekday fri --time 20:00" ctl datenight set --weekday fri --time 20:00
eventually "the vdir holds every night of closerctl datenight" agrees
n_nights=$(jget "$(json datenight)" 'len(d)')
is "one file per night (${n_nights}), nothing else" "$(jget "$(vd)" '(len(d["files"]), d["others"], d["problems"])')" \
        "($n_nights, [], [])"
is "the folder is 0700" "$(stat -c %a "$V")" 700
is "each file is 0600" "$(jget "$(vd)" 'sorted(set(f["mode"] for f in d["files"].values()))')" "['600']"
is "a planned night rings (VALARM), at its own DTSTAMP" "$(field "$(night 'True' uid)" alarm)" True

diag "--- closerctl calendar ---"
c=$(json calendar)
is "calendar --json: path, events, file" "$(jget "$c" '(d["path"], d["events"], d["file"])')" \
        "('$V', $n_nights, '$XDG_DATA_HOME/closer/datenights.ics')"
like "calendar --json: last_write, ISO 8601" "$(jget "$c" 'd["last_write"]')" '^2026-03-02T12:[0-9:]+\+01:00$'
out=$(ctl calendar)
like "calendar names the folder" "$out" "Calendar: +$V/"
like "calendar counts the events" "$out" "Events: +$n_nights"
like "calendar says when it last wrote" "$out" "Written: +Mon 2 Mar 12:00"
s=$(ctl calendar --vdirsyncer)
like "calendar --vdirsyncer: a filesystem storage of the folder" "$s" \
        "type = \"filesystem\""$'\n'"path = \"$V\""$'\n'"fileext = \".ics\""
like "calendar --vdirsyncer: read-only to vdirsyncer" "$s" 'read_only = true'
like "calendar --vdirsyncer: a caldav storage with a placeholder URL" "$s" $'type = "caldav"\n(#[^\n]*\n)?url = "https://'
like "calendar --vdirsyncer: a pair of the two" "$s" $'\\[pair closer_calendar\\]\na = "closer_calendar_local"\nb = "closer_calendar_remote"'
is "calendar --vdirsyncer --json: the stanza in one field" "$(jget "$(json calendar --vdirsyncer)" 'd["vdirsyncer"] == open(0).read()' <<<"$s")" True
refuses "calendar takes no argument" "" ctl calendar extra

diag "--- one change rewrites one file ---"
s0=$(snap)
id2=$(night 'n["start"].startswith("2026-03-13")' id)
u2=$(night "n['id'] == $id2" uid)
seq2=$(night "n['id'] == $id2" sequence)
after ctl datenight move "$id2" "2026-03-14 19:00"
s1=$(snap)
is "datenight move: exactly the moved night's file is written" "$(changed "$s0" "$s1")" "$u2"
is "its file: the new time, SEQUENCE raised" "$(jget "$(vd)" "(d['files']['$u2']['start'], d['files']['$u2']['sequence'] > $seq2)")" \
        "('2026-03-14T18:00:00+00:00', True)"
ok_agree=$(agree)
is "the vdir agrees with closerctl datenight" "$ok_agree" ""
id3=$(night 'n["start"].startswith("2026-03-20")' id)
u3=$(night "n['id'] == $id3" uid)
after ctl datenight skip "$id3"
s2=$(snap)
is "datenight skip: one file written" "$(changed "$s1" "$s2")" "$u3"
is "a skipped night stays, CANCELLED, without its alarm" "$(jget "$(vd)" "(d['files']['$u3']['status'], d['files']['$u3']['alarm'])")" \
        "('CANCELLED', False)"
id4=$(night 'n["start"].startswith("2026-04-03")' id)
u4=$(night "n['id'] == $id4" uid)
after ctl datenight move "$id4" "2026-04-04 20:00"
is "a move across the DST change: 20:00 CEST is 18:00 UTC" "$(field "$u4" start)" "2026-04-04T18:00:00+00:00"

diag "--- rain checks: kept, broken, moved, all stay ---"
s3=$(snap)
after ctl raincheck "2026-03-05 21:00" --what "massage"
rc1=$(jget "$(json promise)" '[p["uid"] for p in d if p["status"] == "open"][0]')
pid1=$(jget "$(json promise)" "[p['id'] for p in d if p['uid'] == '$rc1'][0]")
is "a new rain check: one new file" "$(changed "$s3" "$(snap)")" "$rc1"
is "the rain check's file: Rain check, with its alarm" "$(jget "$(vd)" "(d['files']['$rc1']['summary'], d['files']['$rc1']['alarm'])")" \
        "('Rain check', True)"
after ctl raincheck "2026-03-06 21:00"
rc2=$(jget "$(json promise)" "[p['uid'] for p in d if p['status'] == 'open' and p['uid'] != '$rc1'][0]")
pid2=$(jget "$(json promise)" "[p['id'] for p in d if p['uid'] == '$rc2'][0]")
after ctl raincheck "2026-03-07 21:00"
rc3=$(jget "$(json promise)" "[p['uid'] for p in d if p['status'] == 'open' and p['uid'] not in ('$rc1', '$rc2')][0]")
pid3=$(jget "$(json promise)" "[p['id'] for p in d if p['uid'] == '$rc3'][0]")
s4=$(snap)
after ctl promise kept "$pid1"
is "promise kept: its file is written once" "$(changed "$s4" "$(snap)")" "$rc1"
is "a kept rain check stays as it was: CONFIRMED at its time, no alarm any more" \
        "$(jget "$(vd)" "(d['files']['$rc1']['status'], d['files']['$rc1']['start'], d['files']['$rc1']['alarm'])")" \
        "('CONFIRMED', '2026-03-05T20:00:00+00:00', False)"
after ctl promise broken "$pid2"
is "a broken rain check stays, CANCELLED" "$(field "$rc2" status)" CANCELLED
seq3=$(field "$rc3" sequence)
s5=$(snap)
after ctl promise move "$pid3" "2026-03-08 20:30"
is "promise move: one file" "$(changed "$s5" "$(snap)")" "$rc3"
is "a moved rain check: at its new time, SEQUENCE raised" "$(jget "$(vd)" "(d['files']['$rc3']['start'], d['files']['$rc3']['sequence'] > $seq3)")" \
        "('2026-03-08T19:30:00+00:00', True)"
is "the vdir agrees with datenight and promise" "$(agree)" ""
is "datenights.ics has the same events as the vdir" \
        "$(ics_settled; "$PY" "$TESTS/ics-check.py" "$XDG_DATA_HOME/closer/datenights.ics" | "$PY" -c 'import json,sys; print(sorted(e["uid"] for e in json.load(sys.stdin)["icalendar"]))')" \
        "$(jget "$(vd)" 'sorted(d["files"])')"

diag "--- nothing changed, nothing written: a setting, a restart ---"
s6=$(snap)
settled ctl set me.name Alex >/dev/null
is "a change elsewhere writes no file" "$(changed "$s6" "$(snap)")" ""
stop_daemon
start_faked
settled ctl get me.name >/dev/null
sleep 0.5
is "a restart writes no file (same inodes, mtimes, DTSTAMPs)" "$(changed "$s6" "$(snap)")" ""
is "closerd leaves no temporary file" "$(ls -A "$V" | grep -cv '\.ics$')" 0

diag "--- the folder is closerd's own ---"
chmod 755 "$V"
printf 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' >"$V/stranger.ics"
printf 'half' >"$V/$u2.ics.tmp"
cp "$V/$u3.ics" "$TMPD/u3.ics"
printf 'garbage\r\n' >>"$V/$u3.ics"
after ctl set me.name Alex2
for _ in $(seq 100); do [[ ! -e $V/stranger.ics ]] && cmp -s "$V/$u3.ics" "$TMPD/u3.ics" && break; sleep 0.05; done
is "a stranger's .ics file is deleted" "$(ls "$V/stranger.ics" 2>&1 >/dev/null | grep -c 'No such')" 1
is "a leftover .tmp is deleted" "$(ls -A "$V" | grep -c '\.tmp$')" 0
check "a file of mine edited by someone is written again as it was" cmp "$V/$u3.ics" "$TMPD/u3.ics"
is "a folder made 0755 by someone else is made 0700 again" "$(stat -c %a "$V")" 700

diag "--- past nights stay; nights a re-plan removes go ---"
n_before=$(jget "$(vd)" 'len(d["files"])')
last=$(jget "$(json datenight)" '[n["uid"] for n in d][-1]')
after ctl set ics.weeks 4
is "the nights past the new horizon are gone from datenight" "$(jget "$(json datenight)" "'$last' in [n['uid'] for n in d]")" False
is "their files are deleted" "$(jget "$(vd)" "'$last' in d['files']")" False
is "the vdir agrees after the re-plan" "$(agree)" ""
first=$(jget "$(vd)" "sorted(d['files'].items(), key=lambda x: x[1]['start'])[0][0]")
clock_jump "2026-04-27 12:00:00"
settled ctl get me.name >/dev/null
for _ in $(seq 100); do agrees && break; sleep 0.05; done
is "six weeks on, the first night left the horizon (datenight)" "$(jget "$(json datenight)" "'$first' in [n['uid'] for n in d]")" False
is "... and datenights.ics" "$(ics_settled; grep -c "UID:$first" "$XDG_DATA_HOME/closer/datenights.ics")" 0
is "... but its file stays in the vdir" "$(jget "$(vd)" "'$first' in d['files']")" True
is "the vdir agrees with the new horizon's nights" "$(agree)" ""
is "calendar counts every file" "$(jget "$(json calendar)" 'd["events"]')" "$(ls "$V" | grep -c '\.ics$')"
diag "files: $n_before before the re-plan, $(ls "$V" | grep -c '\.ics$') now"

done_testing
