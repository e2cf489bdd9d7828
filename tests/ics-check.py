#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Cross-check the closer date nights calendar with independent parsers.

Usage: /usr/bin/python3 tests/ics-check.py [--khal] FILE

Parses FILE with python3-icalendar and with python3-vobject (Debian packages;
/usr/bin/python3 is the interpreter that has them) and prints one JSON
document on stdout:

    {"icalendar": [EVENT...], "vobject": [EVENT...], "khal": [...], "khal_local": [...]}

    EVENT = {"uid": U, "start": "2024-06-14T18:00:00Z", "end": ..., "status": S|null,
             "summary": T|null, "sequence": N|null, "alarm_trigger_seconds": -3600|null}

Every DTSTART/DTEND must be a DATE-TIME with a time zone (the export writes UTC);
start and end are given as UTC instants whatever the TZ of the caller.

--khal also runs `khal printics` on FILE, with a throw-away configuration
(XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME in a temporary directory):
  "khal":       TZ=UTC and local_timezone=UTC;
  "khal_local": when the caller's TZ names another zone (an IANA name such
                as Europe/Berlin; any other TZ value fails): TZ and
                local_timezone set to it, so khal converts every UTC instant
                into that zone; the offsets it prints are converted back.
khal's own line format is set with --format to "{uid} TAB {start-long-full}
TAB {end-long-full} TAB {status}" with longdatetimeformat "%Y-%m-%d %H:%M:%S %z",
so the comparison is to the second and carries the UTC offset khal applied.
khal entries have uid, start, end and status only.

It also fails on what SPEC 7 forbids but parsers would agree on anyway:
METHOD, RRULE, RDATE, EXDATE, RECURRENCE-ID, or a TZID of libical's built-in
zones ("/freeassociation.sourceforge.net/...").

Exit status 0 when every parser read the file without complaint and all agree
on uid, start, end and status of every event (icalendar and vobject also on
summary, sequence and alarm_trigger_seconds); 1 (with a message on stderr) on
any parse failure or disagreement; 2 on bad usage.
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile

import icalendar
import vobject

UTC = dt.timezone.utc


def fail(msg):
    print(f"ics-check: {msg}", file=sys.stderr)
    sys.exit(1)


def text_or_none(v):
    return None if v is None else str(v)


def utc_iso(where, v):
    if not isinstance(v, dt.datetime):
        fail(f"{where}: not a DATE-TIME: {v!r}")
    if v.tzinfo is None or v.utcoffset() is None:
        fail(f"{where}: a floating time without a zone: {v!r}")
    return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds(where, v):
    if not isinstance(v, dt.timedelta):
        fail(f"{where}: TRIGGER is not a duration: {v!r}")
    s = v.total_seconds()
    if s != int(s):
        fail(f"{where}: TRIGGER of a fraction of a second: {v!r}")
    return int(s)


# ---- python3-icalendar ------------------------------------------------------------------

def read_icalendar(text):
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as e:  # noqa: BLE001: any failure of the parser counts
        fail(f"icalendar: {e.__class__.__name__}: {e}")
    if cal.name != "VCALENDAR":
        fail(f"icalendar: top-level component is {cal.name}")
    for comp in cal.walk():
        if comp.errors:
            fail(f"icalendar: errors in {comp.name}: {comp.errors}")
    # SPEC 7 rules that parsers would happily agree on anyway.
    if "METHOD" in cal:
        fail("icalendar: METHOD in the VCALENDAR")
    events = []
    for ev in cal.walk("VEVENT"):
        uid = text_or_none(ev.get("UID"))
        where = f"icalendar: event {uid}"
        for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
            if name in ev:
                fail(f"{where}: {name} (SPEC 7: one VEVENT per night, no recurrence)")
        for name in ("DTSTART", "DTEND"):
            tzid = ev[name].params.get("TZID") if name in ev else None
            if tzid is not None and str(tzid).startswith("/"):
                fail(f"{where}: {name} with libical's built-in TZID {tzid}")
        for name in ("DTSTART", "DTEND"):
            if name not in ev:
                fail(f"{where}: no {name}")
        alarms = ev.walk("VALARM")
        if len(alarms) > 1:
            fail(f"{where}: more than one VALARM")
        trigger = None
        if alarms:
            if "TRIGGER" not in alarms[0]:
                fail(f"{where}: VALARM without TRIGGER")
            trigger = seconds(where, alarms[0]["TRIGGER"].dt)
        seq = ev.get("SEQUENCE")
        events.append({
            "uid": uid,
            "start": utc_iso(where, ev["DTSTART"].dt),
            "end": utc_iso(where, ev["DTEND"].dt),
            "status": text_or_none(ev.get("STATUS")),
            "summary": text_or_none(ev.get("SUMMARY")),
            "sequence": None if seq is None else int(seq),
            "alarm_trigger_seconds": trigger,
        })
    return events


# ---- python3-vobject --------------------------------------------------------------------

def vobject_line(comp, name, where):
    lines = comp.contents.get(name.lower())
    if not lines:
        return None
    if len(lines) > 1:
        fail(f"{where}: more than one {name}")
    return lines[0]


def vobject_value(comp, name, where):
    line = vobject_line(comp, name, where)
    return None if line is None else line.value


def read_vobject(text):
    try:
        comps = list(vobject.readComponents(text, validate=True))
    except Exception as e:  # noqa: BLE001
        fail(f"vobject: {e.__class__.__name__}: {e}")
    if len(comps) != 1 or comps[0].name != "VCALENDAR":
        fail(f"vobject: expected one VCALENDAR, got {[c.name for c in comps]}")
    events = []
    for ev in comps[0].contents.get("vevent", []):
        uid = text_or_none(vobject_value(ev, "UID", "vobject"))
        where = f"vobject: event {uid}"
        start = vobject_value(ev, "DTSTART", where)
        end = vobject_value(ev, "DTEND", where)
        if start is None or end is None:
            fail(f"{where}: no DTSTART or DTEND")
        alarms = ev.contents.get("valarm", [])
        if len(alarms) > 1:
            fail(f"{where}: more than one VALARM")
        trigger = None
        if alarms:
            t = vobject_value(alarms[0], "TRIGGER", where)
            if t is None:
                fail(f"{where}: VALARM without TRIGGER")
            trigger = seconds(where, t)
        seq = vobject_value(ev, "SEQUENCE", where)
        events.append({
            "uid": uid,
            "start": utc_iso(where, start),
            "end": utc_iso(where, end),
            "status": text_or_none(vobject_value(ev, "STATUS", where)),
            "summary": text_or_none(vobject_value(ev, "SUMMARY", where)),
            "sequence": None if seq is None else int(seq),
            "alarm_trigger_seconds": trigger,
        })
    return events


# ---- khal -------------------------------------------------------------------------------

KHAL_FORMAT = "{uid}\t{start-long-full}\t{end-long-full}\t{status}"
KHAL_LONGDATETIME = "%Y-%m-%d %H:%M:%S %z"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FOUND = re.compile(r"^(\d+) events found in ")


def khal_config(calendar_dir, zone):
    return (
        "[calendars]\n"
        "[[c]]\n"
        f"path = {calendar_dir}\n"
        "[locale]\n"
        "timeformat=%H:%M\n"
        "dateformat=%Y-%m-%d\n"
        "longdateformat=%Y-%m-%d\n"
        "datetimeformat=%Y-%m-%d %H:%M\n"
        f"longdatetimeformat={KHAL_LONGDATETIME}\n"
        f"default_timezone={zone}\n"
        f"local_timezone={zone}\n"
    )


def khal_instant(where, s):
    try:
        t = dt.datetime.strptime(s, KHAL_LONGDATETIME)
    except ValueError:
        fail(f"{where}: cannot read khal's time {s!r}")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_khal(path, zone):
    label = f"khal (TZ={zone})"
    with tempfile.TemporaryDirectory(prefix="ics-check-khal-") as tmp:
        cal_dir = os.path.join(tmp, "calendar")
        cfg_dir = os.path.join(tmp, "config", "khal")
        os.makedirs(cal_dir)
        os.makedirs(cfg_dir)
        with open(os.path.join(cfg_dir, "config"), "w", encoding="utf-8") as f:
            f.write(khal_config(cal_dir, zone))
        env = dict(os.environ)
        env.update({
            "TZ": zone,
            "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
            "XDG_DATA_HOME": os.path.join(tmp, "data"),
            "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
            "LC_ALL": "C.UTF-8",
        })
        try:
            p = subprocess.run(["khal", "printics", "--format", KHAL_FORMAT, path], env=env,
                               capture_output=True, text=True, encoding="utf-8", timeout=120)
        except (OSError, subprocess.SubprocessError) as e:
            fail(f"{label}: {e}")
    if p.returncode != 0:
        fail(f"{label}: exit status {p.returncode}: {p.stderr.strip()}")
    if p.stderr.strip():
        fail(f"{label}: complained: {p.stderr.strip()}")

    lines = ANSI.sub("", p.stdout).splitlines()
    m = FOUND.match(lines[0]) if lines else None
    if not m:
        fail(f"{label}: no 'N events found' line: {p.stdout[:200]!r}")
    events = []
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) != 4:
            fail(f"{label}: cannot read line {line!r}")
        uid, start, end, status = fields
        where = f"{label}: event {uid}"
        events.append({
            "uid": uid,
            "start": khal_instant(where, start),
            "end": khal_instant(where, end),
            "status": status.strip() or None,
        })
    if len(events) != int(m.group(1)):
        fail(f"{label}: says {m.group(1)} events, printed {len(events)}")
    return events


# ---- comparing --------------------------------------------------------------------------

KEYS = ("uid", "start", "end", "status")


def by_uid(name, events):
    out = {}
    for e in events:
        if e["uid"] in out:
            fail(f"{name}: UID {e['uid']!r} twice")
        out[e["uid"]] = e
    return out


def compare(name_a, a, name_b, b, keys):
    if len(a) != len(b):
        fail(f"{name_a} found {len(a)} events, {name_b} {len(b)}")
    ma, mb = by_uid(name_a, a), by_uid(name_b, b)
    if set(ma) != set(mb):
        fail(f"{name_a} and {name_b} disagree on the UIDs: {sorted(set(ma) ^ set(mb))}")
    for uid, x in ma.items():
        y = mb[uid]
        for k in keys:
            if x[k] != y[k]:
                fail(f"event {uid}: {name_a} and {name_b} disagree on {k}: {x[k]!r} != {y[k]!r}")


def main(argv):
    args = argv[1:]
    use_khal = False
    if args and args[0] == "--khal":
        use_khal = True
        args = args[1:]
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = args[0]
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        fail(str(e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"not UTF-8: {e}")

    out = {"icalendar": read_icalendar(text), "vobject": read_vobject(text)}
    compare("icalendar", out["icalendar"], "vobject", out["vobject"],
            KEYS + ("summary", "sequence", "alarm_trigger_seconds"))

    if use_khal:
        out["khal"] = read_khal(os.path.abspath(path), "UTC")
        compare("icalendar", out["icalendar"], "khal", out["khal"], KEYS)
        zone = os.environ.get("TZ", "").lstrip(":")
        if zone in ("", "UTC", "Etc/UTC", "UTC0"):
            pass
        elif not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", zone) or \
                not os.path.isfile(os.path.join("/usr/share/zoneinfo", zone)):
            fail(f"TZ={zone!r} is not an IANA zone name that khal could be given")
        else:
            out["khal_local"] = read_khal(os.path.abspath(path), zone)
            compare("icalendar", out["icalendar"], "khal_local", out["khal_local"], KEYS)

    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
