#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Cross-check a closer list exchange file with two independent parsers.

Usage: /usr/bin/python3 tests/listfile-check.py FILE

Parses FILE with python3-icalendar and with python3-vobject (Debian packages;
/usr/bin/python3 is the interpreter that has them). Prints one JSON document
on stdout:

    {"vtodos": N, "items": [{"uid": U, "summary": S|null, "categories": [C...],
                             "class": K|null, "intensity": I|null, "status": T|null}, ...]}

Exit status 0 when both parsers read the file without complaint and agree on
every field above; 1 (with a message on stderr) on any parse failure or
disagreement; 2 on bad usage.
"""

import json
import sys

import icalendar
import vobject


def fail(msg):
    print(f"listfile-check: {msg}", file=sys.stderr)
    sys.exit(1)


def text_or_none(v):
    return None if v is None else str(v)


def icalendar_categories(v):
    if v is None:
        return []
    values = v if isinstance(v, list) else [v]
    out = []
    for c in values:
        cats = getattr(c, "cats", None)
        if cats is None:
            cats = [c]
        out.extend(str(x) for x in cats)
    return out


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
    items = []
    for todo in cal.walk("VTODO"):
        items.append({
            "uid": text_or_none(todo.get("UID")),
            "summary": text_or_none(todo.get("SUMMARY")),
            "categories": icalendar_categories(todo.get("CATEGORIES")),
            "class": text_or_none(todo.get("CLASS")),
            "intensity": text_or_none(todo.get("X-CLOSER-INTENSITY")),
            "status": text_or_none(todo.get("STATUS")),
        })
    return items


def vobject_value(comp, name):
    lines = comp.contents.get(name.lower())
    if not lines:
        return None
    if len(lines) > 1:
        fail(f"vobject: more than one {name} in a VTODO")
    return lines[0].value


def read_vobject(text):
    try:
        comps = list(vobject.readComponents(text, validate=True))
    except Exception as e:  # noqa: BLE001
        fail(f"vobject: {e.__class__.__name__}: {e}")
    if len(comps) != 1 or comps[0].name != "VCALENDAR":
        fail(f"vobject: expected one VCALENDAR, got {[c.name for c in comps]}")
    items = []
    for todo in comps[0].contents.get("vtodo", []):
        cats = []
        for line in todo.contents.get("categories", []):
            v = line.value
            cats.extend(v if isinstance(v, list) else [v])
        items.append({
            "uid": text_or_none(vobject_value(todo, "UID")),
            "summary": text_or_none(vobject_value(todo, "SUMMARY")),
            "categories": [str(c) for c in cats],
            "class": text_or_none(vobject_value(todo, "CLASS")),
            "intensity": text_or_none(vobject_value(todo, "X-CLOSER-INTENSITY")),
            "status": text_or_none(vobject_value(todo, "STATUS")),
        })
    return items


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            raw = f.read()
    except OSError as e:
        fail(str(e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"not UTF-8: {e}")

    a = read_icalendar(text)
    b = read_vobject(text)
    if len(a) != len(b):
        fail(f"icalendar found {len(a)} VTODOs, vobject {len(b)}")
    for i, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            fail(f"VTODO {i}: icalendar and vobject disagree: {x!r} != {y!r}")

    json.dump({"vtodos": len(a), "items": a}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
