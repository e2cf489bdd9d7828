#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The following row of bench/run.sh (issue 18): how long closer takes from
one task renamed into the vdir it follows (`closerctl partner follow DIR`,
a folder of VTODO files as vdirsyncer writes them for a phone's task app)
to PartnerChanged("list", ...) on the session bus.

  follow-prop.py make DIR N
      Writes N task files, DIR/<n>.ics (n = 1..N), one VTODO each.

  follow-prop.py run WARMUP OUT SET...
      SET is LABEL:SAMPLES:WORLD:DIR (a world of tests/lib.sh's new_world
      whose closerd, run with -v, follows DIR, made by `make`). Each sample:
      one task's SUMMARY is changed, written into DIR as .tmp-x (a name
      closer skips, as vdirsyncer's temporary files); once the closerd is
      quiet again, the clock starts right before rename() onto <n>.ics and
      stops when PartnerChanged("list", ...) arrives on WORLD's bus, in this
      process (dbus-python, GLib main loop, CLOCK_MONOTONIC), as in
      bench/share-prop.py. The sets are sampled in turn, WARMUP untimed
      samples each first. Prints one line per set:
        LABEL N MEDIAN P99 MIN MAX START HELPER CALLER CALLER_MAX REST   (ms)
      START: encoding the request and fork+exec of the iCalendar helper
      (median); HELPER: from there (START included) to its result, parsing
      the changed file (median); CALLER: closerd's own work on the result
      (the import of the whole list by content, its transaction,
      PartnerChanged; median, max); REST: the total minus HELPER, decoding
      and CALLER (median): inotify, the scan of the folder, reading the
      file, the signal's way through the bus. Every sample is written to OUT.
"""
import importlib.util
import os
import statistics
import sys
import time

# share-prop.py's Listener, poll() and stats(): the same clock and bus listener.
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("share_prop", os.path.join(_here, "share-prop.py"))
sp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sp)


def die(msg):
    print("follow-prop: " + msg, file=sys.stderr)
    sys.exit(1)


def task(n, summary):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:+//IDN tasks.org//android-130804//EN\r\nBEGIN:VTODO\r\n"
            "UID:%d\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:%s\r\nCATEGORIES:intimate\r\nSTATUS:NEEDS-ACTION\r\n"
            "END:VTODO\r\nEND:VCALENDAR\r\n" % (n, summary)).encode()


def make(argv):
    d, n = argv[0], int(argv[1])
    os.makedirs(d, exist_ok=True)
    for i in range(1, n + 1):
        with open(os.path.join(d, "%d.ics" % i), "wb") as f:
            f.write(task(i, "Task %d" % i))


def log_breakdown(log, pos):
    """start, helper, decode, caller (ms) of the parse of the changed file."""
    return sp.log_breakdown(log, pos, op=5)


def run(argv):
    warmup, out = int(argv[0]), argv[1]
    sets = []
    for spec in argv[2:]:
        label, n, world, d = spec.split(":")
        tasks = sorted(int(f[:-4]) for f in os.listdir(d) if f.endswith(".ics") and f[:-4].isdigit())
        if not tasks:
            die("no task files in " + d)
        sets.append(dict(label=label, n=warmup + int(n), world=world, dir=d, tasks=tasks,
                         listener=sp.Listener(world), t=[], start=[], helper=[], decode=[], caller=[], rest=[], k=0))
    with open(out, "w") as fh:
        fh.write("# label sample total_ms start_ms helper_ms decode_ms caller_ms rest_ms summary\n")
        for rnd in range(max(s["n"] for s in sets)):
            for s in sets:
                if rnd >= s["n"]:
                    continue
                k = s["k"]
                s["k"] += 1
                t = s["tasks"][(k * 7919) % len(s["tasks"])]
                tmp = os.path.join(s["dir"], ".tmp-x")
                with open(tmp, "wb") as f:
                    f.write(task(t, "Task %d, edited on the phone, bench sample %d" % (t, k)))
                # The temporary file woke closerd (a scan that skips it): let it go quiet.
                s["listener"].drain(0.3)
                log = os.path.join(s["world"], "closerd.log")
                pos = os.path.getsize(log)
                t0 = time.monotonic()
                os.rename(tmp, os.path.join(s["dir"], "%d.ics" % t))
                t1, summary = s["listener"].wait()
                ms = (t1 - t0) * 1000
                start, helper, decode, caller = log_breakdown(log, pos)
                rest = ms - helper - decode - caller
                timed = rnd >= warmup
                fh.write("%s%s %d %.3f %.1f %.1f %.1f %.1f %.1f %s\n" % ("" if timed else "# warm-up ", s["label"], k,
                                                                        ms, start, helper, decode, caller, rest, summary))
                fh.flush()
                if "1 changed" not in summary:
                    die("%s: unexpected PartnerChanged summary: %s" % (s["label"], summary))
                if timed:
                    for key, v in (("t", ms), ("start", start), ("helper", helper), ("decode", decode),
                                   ("caller", caller), ("rest", rest)):
                        s[key].append(v)
    for s in sets:
        print("%s %s %.1f %.1f %.1f %.1f %.1f" % (s["label"], sp.stats(s["t"]), statistics.median(s["start"]),
                                                  statistics.median(s["helper"]), statistics.median(s["caller"]),
                                                  max(s["caller"]), statistics.median(s["rest"])))


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("make", "run"):
        die("usage: follow-prop.py make DIR N | run WARMUP OUT SET... (see its header)")
    (make if sys.argv[1] == "make" else run)(sys.argv[2:])
