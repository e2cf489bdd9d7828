#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# vdir-check.py DIR: reads closerd's calendar vdir (issue 18) with
# python3-icalendar and prints one JSON object: {"files": {UID: {...}},
# "problems": [...]}. Each *.ics must be one complete VCALENDAR with one
# VEVENT whose UID names the file; each file's status, sequence, DTSTART,
# DTEND and DTSTAMP (UTC, ISO), whether it has a VALARM, its inode, mtime
# (ns) and mode are given.
import json
import os
import sys

import icalendar


def iso(v):
    return v.dt.isoformat() if v is not None else None


def main():
    d = sys.argv[1]
    out = {"files": {}, "problems": [], "others": []}
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if not name.endswith(".ics"):
            out["others"].append(name)
            continue
        st = os.lstat(path)
        with open(path, "rb") as f:
            data = f.read()
        try:
            cal = icalendar.Calendar.from_ical(data)
        except Exception as e:  # noqa: BLE001 - any parse failure is a problem
            out["problems"].append("%s: %s" % (name, e))
            continue
        if cal.name != "VCALENDAR" or not data.endswith(b"END:VCALENDAR\r\n"):
            out["problems"].append("%s: not one complete VCALENDAR" % name)
        events = [c for c in cal.walk("VEVENT")]
        if len(events) != 1:
            out["problems"].append("%s: %d VEVENTs" % (name, len(events)))
            continue
        e = events[0]
        uid = str(e.get("UID"))
        if name != uid + ".ics":
            out["problems"].append("%s: the UID is %s" % (name, uid))
        out["files"][uid] = {
            "status": str(e.get("STATUS")),
            "sequence": int(e.get("SEQUENCE", 0)),
            "start": iso(e.get("DTSTART")),
            "end": iso(e.get("DTEND")),
            "dtstamp": iso(e.get("DTSTAMP")),
            "summary": str(e.get("SUMMARY")),
            "alarm": any(True for _ in e.walk("VALARM")),
            "inode": st.st_ino,
            "mtime": st.st_mtime_ns,
            "mode": "%o" % (st.st_mode & 0o777),
        }
    json.dump(out, sys.stdout, sort_keys=True)
    print()


main()
