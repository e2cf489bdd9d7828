#!/bin/bash
# SPDX-License-Identifier: MIT
# Date nights (issue 5; SPEC 3 "Date night", 4, 6, 7 "iCalendar export"):
# the weekly plan through the command line (varied weekdays, the same plan in
# two worlds, away periods and make-up nights, outcomes, DST), the calendar
# file and export read by libical, python3-icalendar, vobject and khal in
# four time zones, re-import into a khal vdir after a move and a skip, and
# the DateNightSoon/DateNight signals across several weeks of faked time.
#
# The daemon runs under tests/data/fakeclock.c (LD_PRELOAD, built here), not
# libfaketime: Debian's libfaketime 0.9.10 shifts sd-event's monotonic
# timerfds as if they were wall-clock ones and closerd stops answering calls
# (see fakeclock.c). A world's clock is the file $W/clock/now; set_clock
# rewrites it, and a running daemon sees the jump at once (as a clock change).
# Fake times are local wall-clock times of the world's TZ.
. "$(dirname "$0")/lib.sh"

ICSLINT=$TOP/$B/tests/icslint
TMPD=$(mktemp -d /tmp/closer-test.datenight.XXXXXX)
_worlds+=("$TMPD")

# --- tools: the libical checker and the fake clock ---
if ! make --no-print-directory -s -C "$TOP" B="$B" "$B/tests/icslint" >"$TMPD/make.log" 2>&1; then
        not_ok "build $B/tests/icslint"
        sed 's/^/#   /' "$TMPD/make.log" | head -20
        done_testing
fi
# shellcheck source=tests/fakeclock.sh
. "$TESTS/fakeclock.sh"

# wait_wakeup N: until the daemon has logged more than N wake-ups (10 s at most).
wait_wakeup() {
        for _ in $(seq 200); do (($(wakeups) > $1)) && return 0; sleep 0.05; done
        diag "closerd did not wake up"
        return 1
}

# Python helpers (the interpreter that has icalendar and vobject).
cat >"$TMPD/rules.py" <<'PY'
"""rules.py FILE NIGHTS.json TRIGGER: SPEC 7 rules on the octets of an export.
Problems on stderr (exit 1); on stdout a JSON object per UID with sequence,
status, dtstart, summary, alarm (the TRIGGER value or null)."""
import json, re, sys

path, nights_path, trigger = sys.argv[1:4]
nights = {n["uid"]: n for n in json.load(open(nights_path))}
raw = open(path, "rb").read()
probs = []
bad = probs.append

if not raw.endswith(b"\r\n"):
    bad("the file does not end with CRLF")
phys = raw.split(b"\r\n")[:-1]
for i, l in enumerate(phys, 1):
    if b"\n" in l or b"\r" in l:
        bad(f"line {i}: a bare LF or CR")
    if len(l) > 75:
        bad(f"line {i}: {len(l)} octets, more than 75")
    try:
        l.decode("utf-8")
    except UnicodeDecodeError:
        bad(f"line {i}: folding split a UTF-8 character")
text = raw.decode("utf-8")
if "freeassociation.sourceforge.net" in text:
    bad("libical's built-in VTIMEZONE (/freeassociation.sourceforge.net/)")

lines = []
for l in text.split("\r\n")[:-1]:
    if l[:1] in (" ", "\t") and lines:
        lines[-1] += l[1:]
    else:
        lines.append(l)

def prop(l):
    inq = False
    for i, c in enumerate(l):
        if c == '"':
            inq = not inq
        elif c == ":" and not inq:
            break
    else:
        return l.upper(), {}, ""
    parts = l[:i].split(";")
    params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    return parts[0].upper(), {k.upper(): v for k, v in params.items()}, l[i + 1:]

root = {"name": None, "props": [], "children": []}
stack = [root]
for l in lines:
    name, params, value = prop(l)
    if name == "BEGIN":
        c = {"name": value.upper(), "props": [], "children": []}
        stack[-1]["children"].append(c)
        stack.append(c)
    elif name == "END":
        if len(stack) < 2 or stack[-1]["name"] != value.upper():
            bad(f"END:{value} does not close {stack[-1]['name']}")
        else:
            stack.pop()
    else:
        stack[-1]["props"].append((name, params, value))
if len(stack) != 1:
    bad("unclosed components")

def get(c, name):
    v = [p for p in c["props"] if p[0] == name]
    if len(v) > 1:
        bad(f"{c['name']}: {name} {len(v)} times")
    return v[0] if v else None

def val(c, name):
    p = get(c, name)
    return None if p is None else p[2]

if [c["name"] for c in root["children"]] != ["VCALENDAR"]:
    bad(f"not one VCALENDAR: {[c['name'] for c in root['children']]}")
cal = root["children"][0] if root["children"] else {"props": [], "children": [], "name": "?"}
if val(cal, "VERSION") != "2.0":
    bad("VERSION is not 2.0")
if not val(cal, "PRODID"):
    bad("no PRODID")
if get(cal, "METHOD"):
    bad("METHOD in the VCALENDAR (no ORGANIZER: SPEC 7 forbids it)")

zones = {}
for tz in [c for c in cal["children"] if c["name"] == "VTIMEZONE"]:
    tzid = val(tz, "TZID") or ""
    zones[tzid] = tz
    if tzid.startswith("/"):
        bad(f"VTIMEZONE {tzid}: not a bare IANA name")
    kinds = [c["name"] for c in tz["children"]]
    if kinds.count("STANDARD") != 1 or kinds.count("DAYLIGHT") > 1:
        bad(f"VTIMEZONE {tzid}: {kinds} (one STANDARD and at most one DAYLIGHT)")
    for c in tz["children"]:
        if "UNTIL=" in (val(c, "RRULE") or ""):
            bad(f"VTIMEZONE {tzid}: a rule with UNTIL")

out = {}
for ev in [c for c in cal["children"] if c["name"] == "VEVENT"]:
    uid = val(ev, "UID")
    if not uid:
        bad("a VEVENT without UID")
        continue
    where = f"VEVENT {uid}"
    if uid in out:
        bad(f"{where}: twice")
    for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
        if get(ev, name):
            bad(f"{where}: {name}")
    stamp = val(ev, "DTSTAMP") or ""
    if not re.fullmatch(r"\d{8}T\d{6}Z", stamp):
        bad(f"{where}: DTSTAMP {stamp!r} is not in UTC")
    for name in ("DTSTART", "DTEND"):
        p = get(ev, name)
        if not p:
            bad(f"{where}: no {name}")
        elif not p[2].endswith("Z"):
            tzid = p[1].get("TZID")
            if not tzid or tzid not in zones:
                bad(f"{where}: {name} {p[2]} is neither UTC nor in a VTIMEZONE of the file")
    if val(ev, "CLASS") != "PRIVATE":
        bad(f"{where}: CLASS is {val(ev, 'CLASS')!r}, not PRIVATE")
    seq = val(ev, "SEQUENCE")
    if seq is None or not seq.isdigit():
        bad(f"{where}: SEQUENCE {seq!r}")
    summary = val(ev, "SUMMARY") or ""
    status = val(ev, "STATUS")
    n = nights.get(uid)
    if n is None:
        if summary != "Rain check":
            bad(f"{where}: a rain check's SUMMARY is {summary!r}, not 'Rain check'")
    elif n["mode"] == "makeup":
        if not re.search(r"make-?up", summary, re.I) or len(summary) > 40:
            bad(f"{where}: a make-up night's SUMMARY is {summary!r}")
    elif n["mode"] == "remote":
        if not summary.startswith("Date night") or len(summary) > 40:
            bad(f"{where}: a remote night's SUMMARY is {summary!r}")
    elif summary != "Date night":
        bad(f"{where}: SUMMARY is {summary!r}, not 'Date night'")
    if n is not None and (status == "CANCELLED") != (n["status"] == "skipped"):
        bad(f"{where}: STATUS {status} for a {n['status']} night")
    alarms = [c for c in ev["children"] if c["name"] == "VALARM"]
    alarm = None
    if len(alarms) > 1:
        bad(f"{where}: {len(alarms)} VALARMs")
    if alarms:
        a = alarms[0]
        if val(a, "ACTION") != "DISPLAY":
            bad(f"{where}: VALARM ACTION {val(a, 'ACTION')!r}")
        if not (val(a, "DESCRIPTION") or "").strip():
            bad(f"{where}: VALARM without DESCRIPTION")
        alarm = val(a, "TRIGGER")
        if not alarm or not alarm.startswith("-P"):
            bad(f"{where}: VALARM TRIGGER {alarm!r}")
        if status == "CANCELLED":
            bad(f"{where}: an alarm on a cancelled event")
    if n is not None and n["status"] == "planned" and alarm != trigger:
        bad(f"{where}: TRIGGER {alarm!r}, want {trigger!r}")
    out[uid] = {"sequence": int(seq) if seq and seq.isdigit() else None, "status": status,
                "dtstart": val(ev, "DTSTART"), "summary": summary, "alarm": alarm}
for uid in nights:
    if uid not in out:
        bad(f"night {nights[uid]['id']} ({uid}) is not in the calendar")
for p in probs:
    print(p, file=sys.stderr)
json.dump(out, sys.stdout)
sys.exit(1 if probs else 0)
PY

cat >"$TMPD/agree.py" <<'PY'
"""agree.py CHECK.json ICSLINT.txt NIGHTS.json: the four parsers and the
daemon's own list agree on every instant (ics-check.py already compared
icalendar, vobject and khal with each other)."""
import datetime as dt, json, sys

chk = json.load(open(sys.argv[1]))
lint = {}
for line in open(sys.argv[2]):
    uid, epoch = line.split()
    lint[uid] = int(epoch)
nights = json.load(open(sys.argv[3]))
probs = []
ev = {e["uid"]: e for e in chk["icalendar"]}

def epoch(s):
    return int(dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())

if set(lint) != set(ev):
    probs.append(f"libical and python3-icalendar disagree on the UIDs: {sorted(set(lint) ^ set(ev))}")
for uid, e in ev.items():
    if uid in lint and lint[uid] != epoch(e["start"]):
        probs.append(f"{uid}: libical starts at {lint[uid]}, python3-icalendar at {e['start']}")
for k in ("vobject", "khal", "khal_local"):
    if k not in chk and k != "khal_local":
        probs.append(f"no {k} result")
for n in nights:
    e = ev.get(n["uid"])
    if e is None:
        probs.append(f"night {n['id']} is not in the export")
        continue
    for key in ("start", "end"):
        if epoch(n[key]) != epoch(e[key]):
            probs.append(f"night {n['id']}: {key} {n[key]} in closerctl, {e[key]} in the export")
    if (e["status"] == "CANCELLED") != (n["status"] == "skipped"):
        probs.append(f"night {n['id']}: {n['status']} but STATUS {e['status']}")
for p in probs:
    print(p)
sys.exit(1 if probs else 0)
PY

# nights_by_week JSON: the regular nights, "MONDAY WEEKDAY HH:MM" each, by start.
nights_by_week() {
        "$PY" -c '
import datetime as dt, json, sys
for n in sorted(json.loads(sys.argv[1]), key=lambda n: n["start"]):
    if n["mode"] == "makeup":
        continue
    s = dt.datetime.fromisoformat(n["start"])
    mon = s.date() - dt.timedelta(days=s.weekday())
    print(mon, s.strftime("%a").lower(), s.strftime("%H:%M"))' "$1"
}

# night_field JSON PREDICATE FIELD: FIELD of the first night for which the
# Python expression PREDICATE (over n) holds; empty when none.
night_field() {
        "$PY" -c '
import json, sys
for n in json.loads(sys.argv[1]):
    if eval(sys.argv[2]):
        print(n[sys.argv[3]]); break' "$1" "$2" "$3"
}

# export_checks NAME TRIGGER: exports to $W/NAME.ics and runs the four
# parsers and the rules on it; leaves $W/NAME.nights.json, $W/NAME.rules.json,
# $W/NAME.check.json.
export_checks() {
        local name=$1 trigger=$2 f=$W/$1.ics out
        json datenight >"$W/$name.nights.json"
        if ! ctl export-ics "$f" 2>/dev/null; then
                not_ok "$name: export-ics FILE"
                return
        fi
        if out=$("$ICSLINT" "$f" 2>&1 >"$W/$name.lint"); then ok "$name: libical reads it without X-LIC-ERROR"; else
                not_ok "$name: libical reads it without X-LIC-ERROR"
                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
        fi
        if out=$("$PY" "$TESTS/ics-check.py" --khal "$f" 2>&1 >"$W/$name.check.json"); then
                ok "$name: python3-icalendar, vobject and khal (TZ=UTC and TZ=$TZ) read it and agree"
        else
                not_ok "$name: python3-icalendar, vobject and khal (TZ=UTC and TZ=$TZ) read it and agree"
                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
        fi
        if out=$("$PY" "$TMPD/agree.py" "$W/$name.check.json" "$W/$name.lint" "$W/$name.nights.json" 2>&1); then
                ok "$name: libical, the other parsers and closerctl datenight agree on every instant"
        else
                not_ok "$name: libical, the other parsers and closerctl datenight agree on every instant"
                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
        fi
        if out=$("$PY" "$TMPD/rules.py" "$f" "$W/$name.nights.json" "$trigger" 2>&1 >"$W/$name.rules.json"); then
                ok "$name: SPEC 7 rules (CRLF, 75 octets, no METHOD/RRULE/EXDATE/RECURRENCE-ID, no libical zone, CLASS:PRIVATE, discreet SUMMARY, DTSTAMP in UTC, VALARM $trigger)"
        else
                not_ok "$name: SPEC 7 rules"
                printf '%s\n' "$out" | head -15 | sed 's/^/#   /'
        fi
}

# file_is_current DESC: datenights.ics is the export, byte for byte (the
# daemon stamps DTSTAMP with the last change, not the time of writing),
# once the helper that renders it after the last change is done.
file_is_current() {
        local f=$XDG_DATA_HOME/closer/datenights.ics
        if ics_settled; then ok "$1"; else
                not_ok "$1"
                diff <(ctl export-ics - | tr -d '\r') <(tr -d '\r' <"$f") | head -10 | sed 's/^/#   /'
        fi
}

###############################################################################
diag "--- varied weekdays: each allowed one, never twice in a row, the same in two worlds ---"
export TZ=Europe/Berlin
new_world vary1
start_at "2026-03-20 12:00:00"
check "datenight set --vary --weekdays fri,sat,sun --time 20:00" \
        ctl datenight set --vary --weekdays fri,sat,sun --time 20:00
dn=$(json datenight)
weeks=$(nights_by_week "$dn")
is "12 weeks planned, one night each, from the current week" \
        "$(cut -d' ' -f1 <<<"$weeks" | uniq | wc -l) $(wc -l <<<"$weeks") $(head -1 <<<"$weeks" | cut -d' ' -f1)" \
        "12 12 2026-03-16"
is "every night on fri, sat or sun at 20:00" "$(cut -d' ' -f2,3 <<<"$weeks" | sort -u | tr '\n' ' ')" \
        "fri 20:00 sat 20:00 sun 20:00 "
is "never the same weekday twice in a row" \
        "$(cut -d' ' -f2 <<<"$weeks" | uniq -d | head -3; cut -d' ' -f2 <<<"$weeks" | uniq | wc -l)" "12"
like "datenight shows the varied rule" "$(ctl datenight)" "varied over fri,sat,sun at 20:00"
is "every night in person, planned, 3 hours" \
        "$(jget "$dn" 'sorted({(n["mode"], n["status"], n["moved"]) for n in d})')" "[('in-person', 'planned', False)]"
is "durations are 3 h" "$("$PY" -c '
import datetime as d, json, sys
print({(d.datetime.fromisoformat(n["end"]) - d.datetime.fromisoformat(n["start"])).seconds for n in json.loads(sys.argv[1])})' "$dn")" \
        "{10800}"
vary_weeks=$weeks
stop_daemon
start_at "2026-03-20 12:05:00"
is "the same nights after a restart (ids, UIDs, starts)" \
        "$(jget "$(json datenight)" '[(n["id"], n["uid"], n["start"]) for n in d]')" \
        "$(jget "$dn" '[(n["id"], n["uid"], n["start"]) for n in d]')"

check "--vary --weekdays sat,sun" ctl datenight set --vary --weekdays sat,sun --time 20:00
weeks=$(nights_by_week "$(json datenight)")
is "two weekdays strictly alternate" \
        "$(cut -d' ' -f2 <<<"$weeks" | uniq | wc -l) $(cut -d' ' -f2 <<<"$weeks" | sort -u | tr '\n' ' ')" "12 sat sun "
before=$(json datenight)
refuses "an unknown weekday" "weekday" ctl datenight set --weekday funday --time 20:00
refuses "an unknown weekday in --weekdays" "weekdays" ctl datenight set --vary --weekdays fri,xyz
refuses "a bad time" "HH:MM" ctl datenight set --weekday fri --time 25:00
refuses "a duration over 24 h" "duration" ctl datenight set --weekday fri --time 20:00 --duration 25h
refuses "--weekday and --vary together" "not both" ctl datenight set --weekday fri --vary
refuses "move a night that does not exist" "no date night 999" ctl datenight move 999 sat 20:00
is "nothing changed by the refused commands" "$(json datenight)" "$before"
check "set ics.weeks 20" ctl set ics.weeks 20
check "--vary over all seven weekdays" ctl datenight set --vary --weekdays mon,tue,wed,thu,fri,sat,sun --time 19:30
# From next week on: this week's night keeps its time when the new rule's
# day is already gone (plan.h step 3).
weeks=$(nights_by_week "$(json datenight)" | tail -n +2)
is "seven weekdays: 19 weeks after this one, all seven used" \
        "$(wc -l <<<"$weeks") $(cut -d' ' -f2 <<<"$weeks" | sort -u | wc -l)" "19 7"
is "seven weekdays: never the same twice in a row" "$(cut -d' ' -f2 <<<"$weeks" | uniq | wc -l)" 19
stop_daemon

# A second machine with the same settings, planning on another day (the
# Wednesday after): the same weekday in every week both have.
new_world vary2
start_at "2026-03-25 09:00:00"
check "second world: the same --vary rule" ctl datenight set --vary --weekdays fri,sat,sun --time 20:00
weeks2=$(nights_by_week "$(json datenight)")
common=$(comm -12 <(sort <<<"$vary_weeks") <(sort <<<"$weeks2") | wc -l)
is "second world: 12 weeks from its own current week" "$(wc -l <<<"$weeks2") $(head -1 <<<"$weeks2" | cut -d' ' -f1)" \
        "12 2026-03-23"
is "both worlds chose the same weekday in the 11 weeks they share" "$common" 11
stop_daemon

###############################################################################
diag "--- away and make-up nights, tonight, outcomes ---"
export TZ=Europe/Berlin
new_world away
start_at "2026-03-20 12:00:00"
check "datenight set --weekday fri --time 20:00" ctl datenight set --weekday fri --time 20:00
t=$(json today)
is "today shows tonight's date night" "$(jget "$t" '(d["date_night"]["start"], d["date_night"]["mode"], d["date_night"]["status"])')" \
        "('2026-03-20T20:00:00+01:00', 'in-person', 'planned')"
is "no make-up owed yet" "$(jget "$t" 'd["makeups"]')" "[]"
is "status shows the next date night" "$(jget "$(json status)" 'd["next_date_night"]')" "2026-03-20T20:00:00+01:00"
refuses "away that ended before today" "in the past" ctl away 2026-03-01 2026-03-05
refuses "away with TO before FROM" "before" ctl away 2026-04-05 2026-03-25
refuses "away with a bad date" "YYYY-MM-DD" ctl away 2026-13-01 2026-14-01
check "away 2026-03-25 2026-04-05" ctl away 2026-03-25 2026-04-05
dn=$(json datenight)
modes=$(jget "$dn" '" ".join(n["start"][:10] + "=" + n["mode"] for n in d[:6])')
is "the two Fridays inside are remote, the others in person, a make-up after each" "$modes" \
        "2026-03-20=in-person 2026-03-27=remote 2026-04-03=remote 2026-04-06=makeup 2026-04-07=makeup 2026-04-10=in-person"
r1=$(night_field "$dn" 'n["start"].startswith("2026-03-27")' id)
r2=$(night_field "$dn" 'n["start"].startswith("2026-04-03")' id)
mk=$(jget "$dn" '[(n["start"], n["end"], n["makeup_for"], n["status"]) for n in d if n["mode"] == "makeup"]')
is "one make-up per remote night, the evenings after TO at the usual time, for 3 h" "$mk" \
        "[('2026-04-06T20:00:00+02:00', '2026-04-06T23:00:00+02:00', $r1, 'planned'), ('2026-04-07T20:00:00+02:00', '2026-04-07T23:00:00+02:00', $r2, 'planned')]"
is "today --json shows the make-ups owed" "$(jget "$(json today)" '[(n["mode"], n["makeup_for"]) for n in d["makeups"]]')" \
        "[('makeup', $r1), ('makeup', $r2)]"
ics_settled
is "the calendar file has both make-ups" "$(grep -c '^SUMMARY:Make-up' "$XDG_DATA_HOME/closer/datenights.ics")" 2
check "the same away period again" ctl away 2026-03-25 2026-04-05
is "no make-up twice" "$(jget "$(json datenight)" 'len([n for n in d if n["mode"] == "makeup"])')" 2
m1=$(night_field "$dn" 'n["mode"] == "makeup"' id)
check "skip a make-up" ctl datenight skip "$m1"
is "a skipped make-up is not made again" \
        "$(jget "$(json datenight)" 'sorted((n["makeup_for"], n["status"]) for n in d if n["mode"] == "makeup")')" \
        "[($r1, 'skipped'), ($r2, 'planned')]"
is "today lists only the make-up still owed" "$(jget "$(json today)" '[n["makeup_for"] for n in d["makeups"]]')" "[$r2]"
tonight=$(night_field "$dn" 'n["start"].startswith("2026-03-20")' id)
refuses "log of a night that has not begun" "has not begun" ctl datenight log "$tonight" happened
clock_jump "2026-03-21 10:00:00"
is "a past night without an outcome is asked about in today" \
        "$(jget "$(json today)" '[n["id"] for n in d["unlogged"]]')" "[$tonight]"
like "... and in status" "$(jget "$(json status)" 'd["warnings"]')" "date night $tonight of Fri 20 Mar"
refuses "a past night cannot be skipped" "over or already decided" ctl datenight skip "$tonight"
is "datenight log happened (the latest begun night)" "$(jget "$(json datenight log happened)" '(d["id"], d["result"])')" \
        "($tonight, 'happened')"
is "logged: no longer asked about" "$(jget "$(json today)" 'd["unlogged"]')" "[]"
is "its status is happened" "$(night_field "$(json datenight)" "n['id'] == $tonight" status)" happened
refuses "a logged night cannot be skipped" "over or already decided" ctl datenight skip "$tonight"
stop_daemon

###############################################################################
diag "--- the calendar: DST, the file, SPEC 7, a move, a skip, a rain check, khal re-import ---"
export TZ=Europe/Berlin
new_world cal
C=$W
start_at "2026-03-20 12:00:00"
check "datenight set --weekday sun --time 02:30" ctl datenight set --weekday sun --time 02:30
dn=$(json datenight)
is "spring forward: 02:30 on 2026-03-29 is 03:30 CEST" \
        "$(night_field "$dn" 'n["start"][:10] == "2026-03-29"' start) $(night_field "$dn" 'n["start"][:10] == "2026-03-29"' end)" \
        "2026-03-29T03:30:00+02:00 2026-03-29T06:30:00+02:00"
is "the Sunday before is at 02:30 CET" "$(night_field "$dn" 'n["start"][:10] == "2026-03-22"' start)" "2026-03-22T02:30:00+01:00"
ics=$XDG_DATA_HOME/closer/datenights.ics
ics_settled
is "the data directory is 0700" "$(stat -c %a "$XDG_DATA_HOME/closer")" 700
is "datenights.ics is 0600" "$(stat -c %a "$ics")" 600
file_is_current "datenights.ics is the export (export-ics -), byte for byte"
export_checks cal-1 -PT1H
is "the spring-forward night in the export is 01:30Z" \
        "$(jget "$(cat "$W/cal-1.check.json")" '[e["start"] for e in d["icalendar"] if e["start"].startswith("2026-03-29")]')" \
        "['2026-03-29T01:30:00Z']"
(umask 022 && ctl export-ics "$W/umask.ics" 2>/dev/null)
is "export-ics FILE is 0600 whatever the umask" "$(stat -c %a "$W/umask.ics")" 600

# khal: a fresh vdir calendar, the first import.
mkdir -p "$W/khal/cal"
cat >"$W/khal/config" <<KHAL
[calendars]
[[dates]]
path = $W/khal/cal
[sqlite]
path = $W/khal/khal.db
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = $TZ
local_timezone = $TZ
KHAL
khal_() {
        env XDG_CONFIG_HOME="$C/khal" XDG_DATA_HOME="$C/khal" XDG_CACHE_HOME="$C/khal" LC_ALL=C.UTF-8 \
                khal -c "$C/khal/config" "$@"
}
# khal_uids: "UID|START|STATUS" per event that khal lists, sorted.
khal_uids() {
        khal_ list --day-format "" --format "{uid}|{start-long}|{status}" 2026-03-16 200d 2>&1 | grep '|' | sort
}
check "khal import --batch the first export" khal_ import --batch -a dates "$W/cal-1.ics"
n1=$(grep -c '^BEGIN:VEVENT' "$W/cal-1.ics")
is "khal: one file per event" "$(find "$W/khal/cal" -name '*.ics' | wc -l)" "$n1"
is "khal list: each UID once" "$(khal_uids | cut -d'|' -f1 | uniq -d | wc -l) $(khal_uids | wc -l)" "0 $n1"

# The reminder lead: TRIGGER follows datenight.remind.
before=$(cat "$ics")
ino=$(stat -c %i "$ics")
check "set an unrelated setting" settled ctl set me.name Alex
is "nothing changed: the file is not rewritten" "$(stat -c %i "$ics")" "$ino"
check "set datenight.remind 30min" settled ctl set datenight.remind 30min
ics_settled
[[ $(cat "$ics") != "$before" ]] && ok "the file was rewritten after the change" ||
        not_ok "the file was rewritten after the change"
[[ $(stat -c %i "$ics") != "$ino" ]] && ok "... by a rename (a new inode: atomic)" || not_ok "... by a rename (a new inode: atomic)"
is "no temporary file left beside it" "$(find "$XDG_DATA_HOME/closer" -name 'datenights.ics?*' | wc -l)" 0
file_is_current "... and is the export again"
is "every planned night's alarm is -PT30M" \
        "$(grep -a '^TRIGGER' "$ics" | tr -d '\r' | sort | uniq -c | sed 's/^ *//')" \
        "$(grep -c '^BEGIN:VEVENT' "$ics") TRIGGER;RELATED=START:-PT30M"
export_checks cal-2 -PT30M
# SPEC 7: "SEQUENCE raised whenever it changes": each VEVENT's VALARM just
# changed, and an app that honours UID and SEQUENCE keeps its old copy (and
# the old alarm) on re-import unless SEQUENCE went up.
is "SEQUENCE raised on every night whose alarm changed" \
        "$("$PY" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
changed = [u for u in a if u in b and a[u]["alarm"] != b[u]["alarm"]]
kept = [u for u in changed if b[u]["sequence"] <= a[u]["sequence"]]
print("ok" if changed and not kept else "%d of %d kept their SEQUENCE (e.g. %s: %s -> %s)" % (
    len(kept), len(changed), kept[0], a[kept[0]]["sequence"], b[kept[0]]["sequence"]) if kept else "no alarm changed")' \
                "$W/cal-1.rules.json" "$W/cal-2.rules.json")" "ok"

# A rain check with long, multi-byte, special text: it is in the calendar as
# a discreet "Rain check" and its words are not (SPEC 8).
what='Küsse 💋 und Massage, mit Öl; danach \ Wein, "unser" Spiel — lange Beschreibung über 75 Oktette'
where='Unser Geheimplatz am See 🌊🌊🌊, Bucht Nr. 7'
check "raincheck +2h --what ... --where ..." ctl raincheck +2h --what "$what" --where "$where"
export_checks cal-3 -PT30M
is "the rain check is in the calendar as 'Rain check'" \
        "$(jget "$(cat "$W/cal-3.rules.json")" 'sorted(v["summary"] for v in d.values() if v["summary"] == "Rain check")')" \
        "['Rain check']"
leak=$("$PY" -c '
import sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\r\n ", "").replace("\\", "")
print(" ".join(w for w in ("Küsse", "Massage", "Öl", "Wein", "Spiel", "Geheimplatz", "See", "Bucht", "💋", "🌊") if w in text))' \
        "$W/cal-3.ics")
is "neither what nor where is in the calendar" "$leak" ""
file_is_current "datenights.ics has the rain check too"
is "the file stays 0600 after rewrites" "$(stat -c %a "$ics")" 600

# Move one night, skip another.
dn=$(json datenight)
mv_id=$(night_field "$dn" 'n["start"][:10] == "2026-04-05"' id)
mv_uid=$(night_field "$dn" 'n["start"][:10] == "2026-04-05"' uid)
sk_id=$(night_field "$dn" 'n["start"][:10] == "2026-04-12"' id)
sk_uid=$(night_field "$dn" 'n["start"][:10] == "2026-04-12"' uid)
is "datenight move ID WHEN" "$(jget "$(json datenight move "$mv_id" 2026-04-04 19:00)" '(d["id"], d["result"])')" \
        "($mv_id, 'moved')"
is "datenight skip ID" "$(jget "$(json datenight skip "$sk_id")" '(d["id"], d["result"])')" "($sk_id, 'skipped')"
dn=$(json datenight)
is "the moved night: new time, moved, planned" \
        "$(jget "$dn" "[(n['start'], n['end'], n['moved'], n['status']) for n in d if n['id'] == $mv_id]")" \
        "[('2026-04-04T19:00:00+02:00', '2026-04-04T22:00:00+02:00', True, 'planned')]"
is "the skipped night: still listed, skipped" "$(night_field "$dn" "n['id'] == $sk_id" status)" skipped
file_is_current "datenights.ics after the move and the skip"
export_checks cal-4 -PT30M
r2=$(cat "$W/cal-3.rules.json")
r3=$(cat "$W/cal-4.rules.json")
seqof() { jget "$1" "d['$2']['sequence']"; }
(($(seqof "$r3" "$mv_uid") > $(seqof "$r2" "$mv_uid"))) && ok "SEQUENCE raised by the move ($(seqof "$r2" "$mv_uid") -> $(seqof "$r3" "$mv_uid"))" ||
        not_ok "SEQUENCE raised by the move ($(seqof "$r2" "$mv_uid") -> $(seqof "$r3" "$mv_uid"))"
(($(seqof "$r3" "$sk_uid") > $(seqof "$r2" "$sk_uid"))) && ok "SEQUENCE raised by the skip ($(seqof "$r2" "$sk_uid") -> $(seqof "$r3" "$sk_uid"))" ||
        not_ok "SEQUENCE raised by the skip ($(seqof "$r2" "$sk_uid") -> $(seqof "$r3" "$sk_uid"))"
is "other nights keep their SEQUENCE" \
        "$(jget "$r3" "sorted((u, v['sequence']) for u, v in d.items() if u not in ('$mv_uid', '$sk_uid'))")" \
        "$(jget "$r2" "sorted((u, v['sequence']) for u, v in d.items() if u not in ('$mv_uid', '$sk_uid'))")"
is "the moved night's DTSTART" "$(jget "$r3" "d['$mv_uid']['dtstart']")" "20260404T170000Z"
is "the skipped night: STATUS:CANCELLED, no alarm" "$(jget "$r3" "(d['$sk_uid']['status'], d['$sk_uid']['alarm'])")" \
        "('CANCELLED', None)"

# Re-import into khal: updated in place, no duplicates.
check "khal import --batch the new export" khal_ import --batch -a dates "$W/cal-4.ics"
n3=$(grep -c '^BEGIN:VEVENT' "$W/cal-4.ics")
is "khal: still one file per event (no duplicates)" "$(find "$W/khal/cal" -name '*.ics' | wc -l)" "$n3"
kl=$(khal_uids)
is "khal list: each UID once" "$(cut -d'|' -f1 <<<"$kl" | uniq -d | wc -l) $(wc -l <<<"$kl")" "0 $n3"
is "khal: the moved night at its new time" "$(grep "^$mv_uid|" <<<"$kl" | cut -d'|' -f2)" "2026-04-04 19:00"
is "khal: the skipped night cancelled" "$(grep "^$sk_uid|" <<<"$kl" | cut -d'|' -f3 | tr -d ' ')" "CANCELLED"
# What khal does with an older export (diagnostic for the README: it takes
# the last import whatever its SEQUENCE).
khal_ import --batch -a dates "$W/cal-1.ics" >/dev/null 2>&1
diag "khal after re-importing the OLDER export: moved night at $(khal_uids | grep "^$mv_uid|" | cut -d'|' -f2) (khal ignores SEQUENCE)"

# Later exports keep the skipped night.
check "set ics.weeks 13" ctl set ics.weeks 13
export_checks cal-5 -PT30M
is "a later export still has the skipped night, cancelled" "$(jget "$(cat "$W/cal-5.rules.json")" "d['$sk_uid']['status']")" CANCELLED
is "ics.weeks 13: one more week" \
        "$(($(jget "$(cat "$W/cal-5.nights.json")" 'len(d)') - $(jget "$(cat "$W/cal-4.nights.json")" 'len(d)')))" 1
file_is_current "datenights.ics after ics.weeks"
# Not a rule of SPEC 7 (it exports "open promises"), but what re-importing
# apps will show: a kept rain check leaves the calendar rather than staying
# as CANCELLED (ics.h names "a resolved promise" as a cancelled event).
rc_uid=$(jget "$(json promise)" 'd[0]["uid"]')
ctl promise kept "$(jget "$(json promise)" 'd[0]["id"]')" >/dev/null
diag "a kept rain check in the export: $(ctl export-ics - | grep -c "^UID:$rc_uid") VEVENT(s) (0: gone, so re-imports keep it as confirmed)"
stop_daemon

###############################################################################
diag "--- four time zones: DST gaps and overlaps, half-hour and 45-minute offsets ---"
# TZ  fake-start  rule  the-night's-date  its-start
zones=(
        "Europe/Berlin|2026-10-18 12:00:00|--weekday sun --time 02:30|2026-10-25|2026-10-25T02:30:00+02:00"
        "America/New_York|2026-02-27 12:00:00|--weekday sun --time 02:30|2026-03-08|2026-03-08T03:30:00-04:00"
        "Australia/Lord_Howe|2026-09-25 12:00:00|--weekday sun --time 02:15|2026-10-04|2026-10-04T02:45:00+11:00"
        "Asia/Kathmandu|2026-03-20 12:00:00|--weekday fri --time 20:00|2026-03-20|2026-03-20T20:00:00+05:45"
)
for z in "${zones[@]}"; do
        IFS='|' read -r zone start rule day want <<<"$z"
        export TZ=$zone
        new_world "tz-${zone//\//-}"
        start_at "$start"
        # shellcheck disable=SC2086 # the rule is words
        check "$zone: datenight set $rule" ctl datenight set $rule
        dn=$(json datenight)
        is "$zone: the night of $day starts at $want" "$(night_field "$dn" "n['start'][:10] == '$day'" start)" "$want"
        if [[ $zone == Europe/Berlin ]]; then
                is "$zone: fall back: it ends 3 h later, at 04:30 CET" \
                        "$(night_field "$dn" "n['start'][:10] == '$day'" end)" "2026-10-25T04:30:00+01:00"
        fi
        # Every kind of event: remote, make-up, skipped, moved, a rain check.
        check "$zone: away for a week" ctl away "$(date -d "${start% *} + 8 days" +%F)" "$(date -d "${start% *} + 15 days" +%F)"
        check "$zone: skip the next night" ctl datenight skip
        last=$(jget "$dn" 'd[-1]["id"]')
        check "$zone: move the last night" ctl datenight move "$last" "$(date -d "${start% *} + 90 days" +%F) 21:15"
        check "$zone: a rain check" ctl raincheck "tomorrow 21:00" --what "picnic"
        export_checks "${zone//\//-}" -PT1H
        stop_daemon
done

###############################################################################
diag "--- signals across four weeks of faked time ---"
export TZ=Europe/Berlin
new_world signals
start_at "2026-12-03 12:00:00"
check "datenight set --weekday fri --time 20:00" ctl datenight set --weekday fri --time 20:00
check "set datenight.remind 30min" ctl set datenight.remind 30min
dn=$(json datenight)
id_on() { night_field "$(json datenight)" "n['start'][:10] == '$1'" id; }
N1=$(id_on 2026-12-04) N2=$(id_on 2026-12-11) N3=$(id_on 2026-12-18) N4=$(id_on 2026-12-25)
N5=$(id_on 2027-01-01) N6=$(id_on 2027-01-08)
check "skip the second Friday" ctl datenight skip "$N2"
check "away 2026-12-15 2026-12-18 (the third Friday)" ctl away 2026-12-15 2026-12-18
M3=$(night_field "$(json datenight)" "n['mode'] == 'makeup'" id)
is "the make-up is on Saturday 2026-12-19 at 20:00" "$(night_field "$(json datenight)" "n['id'] == ${M3:-0}" start)" \
        "2026-12-19T20:00:00+01:00"

"$CLOSERCTL" --json monitor >"$W/monitor.jsonl" 2>"$W/monitor.err" &
MON_PID=$!
_barrier=0
# barrier: a marker signal through the bus after everything sent so far;
# returns once the monitor printed it.
barrier() {
        _barrier=$((_barrier + 1))
        local tag=barrier$_barrier
        for _ in $(seq 100); do
                busctl --user emit /io/github/closer/Closer1 io.github.closer.Closer1 TestBarrier s "$tag" 2>/dev/null
                for _ in 1 2 3 4; do
                        grep -q "\"$tag\"" "$W/monitor.jsonl" && return 0
                        sleep 0.05
                done
        done
        diag "the monitor never showed $tag"
        return 1
}
# wait_signal NAME ID: until the monitor printed it (20 s at most).
wait_signal() {
        for _ in $(seq 400); do
                grep -q "\"signal\":\"$1\",\"id\":$2," "$W/monitor.jsonl" && return 0
                sleep 0.05
        done
        diag "no $1 for night $2"
        return 1
}
# signals: the date night signals so far, "NAME ID MODE late=B START" each.
signals() {
        "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    if s["signal"].startswith("DateNight"):
        print(s["signal"], s["id"], s["mode"], "late=%s" % str(s["late"]).lower(), s["start"])' "$W/monitor.jsonl"
}
barrier
check "monitor --json runs" kill -0 "$MON_PID"

# Night 1, in person: the reminder 30 min before, then the start.
clock_jump "2026-12-04 19:29:58"
wait_signal DateNightSoon "$N1"
clock_jump "2026-12-04 19:59:58"
wait_signal DateNight "$N1"
# The clock set back before the reminder, then forward again: the daemon's
# timers fire again (it logs each wake-up), and nothing is emitted twice.
clock_jump "2026-12-04 19:29:59"
wait_wakeup "$(wakeups)"
clock_jump "2026-12-04 19:59:59"
wait_wakeup "$(wakeups)"
# A restart during the night emits nothing again.
stop_daemon
start_at "2026-12-04 20:30:00"
ctl get datenight.remind >/dev/null
barrier
is "night 1: one DateNightSoon and one DateNight, also after the clock went back and after a restart" \
        "$(signals | grep -c " $N1 ")" 2
# Night 2 is skipped: nothing at its reminder time nor during it.
clock_jump "2026-12-11 19:45:00"
clock_jump "2026-12-11 20:30:00"
barrier
is "night 2 (skipped): no signal" "$(signals | grep -c " $N2 ")" 0
# Night 3, remote (away).
clock_jump "2026-12-18 19:29:58"
wait_signal DateNightSoon "$N3"
clock_jump "2026-12-18 19:59:58"
wait_signal DateNight "$N3"
# The make-up: the daemon starts after the reminder time, before the start.
stop_daemon
start_at "2026-12-19 19:45:00"
wait_signal DateNightSoon "$M3"
stop_daemon
start_at "2026-12-19 19:50:00"
ctl get datenight.remind >/dev/null
barrier
is "make-up: one late DateNightSoon, not again after a restart" "$(signals | grep -c "DateNightSoon $M3 ")" 1
clock_jump "2026-12-19 19:59:58"
wait_signal DateNight "$M3"
# Night 4: the daemon starts during it.
stop_daemon
start_at "2026-12-25 21:00:00"
wait_signal DateNight "$N4"
stop_daemon
start_at "2026-12-25 21:30:00"
ctl get datenight.remind >/dev/null
barrier
is "night 4: one late DateNight, not again after a restart" "$(signals | grep -c " $N4 ")" 1
# Night 5: the clock jumps past its reminder and start while the daemon runs.
clock_jump "2027-01-01 20:05:00"
wait_signal DateNight "$N5"
# Night 6: the clock jumps past its end: it is over, nothing to announce.
clock_jump "2027-01-08 23:30:00"
barrier
got=$(signals | sort)
want=$(sort <<EOF
DateNightSoon $N1 in-person late=false 2026-12-04T20:00:00+01:00
DateNight $N1 in-person late=false 2026-12-04T20:00:00+01:00
DateNightSoon $N3 remote late=false 2026-12-18T20:00:00+01:00
DateNight $N3 remote late=false 2026-12-18T20:00:00+01:00
DateNightSoon $M3 makeup late=true 2026-12-19T20:00:00+01:00
DateNight $M3 makeup late=false 2026-12-19T20:00:00+01:00
DateNight $N4 in-person late=true 2026-12-25T20:00:00+01:00
DateNight $N5 in-person late=true 2027-01-01T20:00:00+01:00
EOF
)
if [[ $got == "$want" ]]; then ok "exactly these signals over the five weeks (one of each per night, none for the skipped one)"; else
        not_ok "exactly these signals over the five weeks (one of each per night, none for the skipped one)"
        diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
fi
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null

t=$(json today)
unlogged=$(jget "$t" 'sorted(n["id"] for n in d["unlogged"])')
like "today asks about the last nights without an outcome" "$unlogged" "$N5, $N6\]$"
like "status asks about night 6" "$(jget "$(json status)" 'd["warnings"]')" "date night $N6 of Fri 8 Jan"
is "datenight log ID missed" "$(jget "$(json datenight log "$N6" missed)" '(d["id"], d["result"])')" "($N6, 'missed')"
is "datenight log happened: the latest begun one without an outcome" \
        "$(jget "$(json datenight log happened)" 'd["id"]')" "$N5"
is "outcomes stored" "$(jget "$(json datenight)" "sorted((n['id'], n['status']) for n in d if n['id'] in ($N5, $N6))")" \
        "[($N5, 'happened'), ($N6, 'missed')]"
last=$(jget "$(json datenight)" 'd[-1]["start"][:10]')
[[ $last > 2027-03-25 ]] && ok "after five weeks the plan still reaches 12 weeks ahead (last night $last)" ||
        not_ok "after five weeks the plan still reaches 12 weeks ahead (last night $last)"
file_is_current "datenights.ics is current after the weeks went by"
stop_daemon

done_testing
