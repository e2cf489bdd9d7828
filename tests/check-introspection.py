#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares the introspection document in dbus/ with what the running
daemon reports: the same methods, arguments, properties and signals."""
import sys
import xml.etree.ElementTree as ET

IFACE = "io.github.closer.Closer1"


def members(text):
    root = ET.fromstring(text)
    for iface in root.iter("interface"):
        if iface.get("name") != IFACE:
            continue
        out = set()
        for m in iface:
            if m.tag in ("method", "signal"):
                args = tuple((a.get("name"), a.get("type"), a.get("direction", "out"))
                             for a in m.iter("arg"))
                out.add((m.tag, m.get("name"), args))
            elif m.tag == "property":
                out.add((m.tag, m.get("name"), (m.get("type"), m.get("access"))))
        return out
    sys.exit(f"no interface {IFACE}")


def main():
    documented = members(open(sys.argv[1], encoding="utf-8").read())
    live = members(sys.stdin.read())
    ok = True
    for m in sorted(live - documented, key=str):
        print(f"not documented in {sys.argv[1]}: {m}")
        ok = False
    for m in sorted(documented - live, key=str):
        print(f"documented but not served: {m}")
        ok = False
    sys.exit(0 if ok else 1)


main()
