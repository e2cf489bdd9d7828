#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The propagation rows of bench/run.sh (issue 17): how long closer takes
from my partner's file arriving in my copy of the shared folder to
PartnerChanged on my session bus.

  share-prop.py closer WARMUP OUT PAIR...
      PAIR is LABEL:SAMPLES:A_WORLD:P_WORLD:P_MINE:A_THEIRS (worlds of tests/lib.sh's
      new_world; P_MINE is P's own member folder, where P's closerd publishes
      list.ics; A_THEIRS is P's member folder in A's copy of the folder).
      Each sample: one item of P's list is edited (`closerctl list edit` in
      P), P's closerd publishes its new list.ics, which is written into
      A_THEIRS under .syncthing.list.ics.tmp (a name closer ignores, as a
      sync engine does); once A is quiet again, the clock starts right before
      rename() into list.ics and stops when PartnerChanged("list", ...)
      arrives on A's bus, in this process (dbus-python, GLib main loop,
      CLOCK_MONOTONIC). The pairs are sampled in turn (round robin, each
      until it has its SAMPLES), WARMUP untimed samples each first. A's closerd runs with -v: the iCalendar
      helper's lines in A_WORLD/closerd.log give where the time went.
      Prints one line per pair:
        LABEL N MEDIAN P99 MIN MAX START HELPER CALLER CALLER_MAX REST   (ms)
      START: encoding the request and fork+exec of the helper (median);
      HELPER: from there (START included) to the helper's result (median);
      CALLER: closerd's own work on the result (decoding excluded): the
      import's transaction, PartnerChanged (median, max); REST: the total
      minus HELPER, decoding and CALLER (median): inotify, reading the file,
      starting the helper, the signal's way through the bus. Every sample is
      written to OUT.

  share-prop.py syncthing SAMPLES OUT A_WORLD P_WORLD P_MINE B_PROBE A_PROBE
      Through two Syncthing instances (tests/syncthing.sh): A's and P's
      copies of the folder are the two synced folders. Samples alternate:
      closer+syncthing, from right before `closerctl list edit` in P to
      PartnerChanged on A's bus (P's closerd publishing, Syncthing carrying,
      A's closerd reading); syncthing alone, from rename() of a file of the
      size of P's list.ics into B_PROBE (a folder of P's copy that closer
      does not read) to its bytes in A_PROBE. Prints
        closer+syncthing N MEDIAN P99 MIN MAX
        syncthing N MEDIAN P99 MIN MAX
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time

import dbus
import dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "io.github.closer.Closer1"
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOSERCTL = os.path.join(TOP, os.environ.get("B", "build"), "closerctl")
LOOP = DBusGMainLoop()
CTX = GLib.MainContext.default()


def die(msg):
    print("share-prop: " + msg, file=sys.stderr)
    sys.exit(1)


def wenv(world):
    e = dict(os.environ)
    e.update(XDG_DATA_HOME=world + "/data", XDG_CONFIG_HOME=world + "/config", XDG_RUNTIME_DIR=world + "/run",
             HOME=world + "/home", DBUS_SESSION_BUS_ADDRESS="unix:path=" + world + "/bus")
    return e


def ctl(world, *args):
    p = subprocess.run([CLOSERCTL, *args], env=wenv(world), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        die("closerctl %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p.stdout


def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def poll(what, fn, timeout=120, interval=0.002):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v is not None:
            return v
        if time.monotonic() > end:
            die("timed out waiting for " + what)
        time.sleep(interval)


def p99(v):
    s = sorted(v)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]


def stats(v):
    return "%d %.2f %.2f %.2f %.2f" % (len(v), statistics.median(v), p99(v), min(v), max(v))


class Listener:
    """PartnerChanged("list", ...) on one world's bus, timed on arrival."""

    def __init__(self, world):
        self.bus = dbus.bus.BusConnection("unix:path=" + world + "/bus", mainloop=LOOP)
        self.got = []
        self.bus.add_signal_receiver(self.on_signal, signal_name="PartnerChanged", dbus_interface=IFACE)
        self.drain(0.2)

    def on_signal(self, what, summary):
        self.got.append((time.monotonic(), str(what), str(summary)))

    def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            CTX.iteration(False) or time.sleep(0.005)
        self.got.clear()

    def wait(self, timeout=120):
        """The arrival time of the next PartnerChanged("list")."""
        fired = []
        tid = GLib.timeout_add(int(timeout * 1000), lambda: fired.append(1) and False)
        try:
            while True:
                for t, what, summary in self.got:
                    if what == "list":
                        self.got.clear()
                        return t, summary
                self.got.clear()
                if fired:
                    die("no PartnerChanged(list) within %d s" % timeout)
                CTX.iteration(True)
        finally:
            if not fired:
                GLib.source_remove(tid)


def my_ids(world):
    return [i["id"] for i in json.loads(ctl(world, "--json", "list", "mine"))]


def edit(world, iid, k):
    ctl(world, "list", "edit", str(iid), "--title", "An edited moment, bench sample %d" % k)


def published(path, old):
    """P's next list.ics: it differs from old and is whole (P renames it into place)."""
    def fn():
        b = read(path)
        return b if b is not None and b != old and b.endswith(b"END:VCALENDAR\r\n") else None
    return poll(path + " to change", fn)


CALLER = re.compile(r"iCalendar helper (\d+): its caller's work took ([0-9.]+) ms")


def log_breakdown(log, pos, op=3):
    """start, helper, decode, caller (ms) of the helper run of op (3: the
    list's parse; 5: a vdir's files) logged after pos."""
    started = re.compile(r"iCalendar helper (\d+) started: op %d, \d+ bytes in, in ([0-9.]+) ms" % op)
    finished = re.compile(r"iCalendar helper (\d+): op %d done after ([0-9.]+) ms, decoded in ([0-9.]+) ms" % op)

    def fn():
        with open(log, errors="replace") as fh:
            fh.seek(pos)
            text = fh.read()
        pids = started.findall(text)
        if not pids:
            return None
        pid, start = pids[-1][0], float(pids[-1][1])
        done = [(float(a), float(b)) for p, a, b in finished.findall(text) if p == pid]
        caller = [float(c) for p, c in CALLER.findall(text) if p == pid]
        if not done or not caller:
            return None
        return start, done[-1][0], done[-1][1], caller[-1]
    return poll("closerd's log in " + log, fn, timeout=10, interval=0.01)


def closer_mode(argv):
    warmup, out = int(argv[0]), argv[1]
    pairs = []
    for spec in argv[2:]:
        label, n, a, p, pmine, atheirs = spec.split(":")
        pairs.append(dict(label=label, n=warmup + int(n), a=a, p=p, pmine=pmine, atheirs=atheirs, listener=Listener(a),
                          ids=my_ids(p), t=[], start=[], helper=[], decode=[], caller=[], rest=[], k=0))
    with open(out, "w") as fh:
        fh.write("# label sample total_ms start_ms helper_ms decode_ms caller_ms rest_ms summary\n")
        for rnd in range(max(pr["n"] for pr in pairs)):
            for pr in pairs:
                if rnd >= pr["n"]:
                    continue
                k = pr["k"]
                pr["k"] += 1
                src = os.path.join(pr["pmine"], "list.ics")
                old = read(src)
                edit(pr["p"], pr["ids"][(k * 7919) % len(pr["ids"])], k)
                new = published(src, old)
                tmp = os.path.join(pr["atheirs"], ".syncthing.list.ics.tmp")
                with open(tmp, "wb") as f:
                    f.write(new)
                # The temporary file woke A (a run step): let it go quiet.
                pr["listener"].drain(0.3)
                log = os.path.join(pr["a"], "closerd.log")
                pos = os.path.getsize(log)
                t0 = time.monotonic()
                os.rename(tmp, os.path.join(pr["atheirs"], "list.ics"))
                t1, summary = pr["listener"].wait()
                ms = (t1 - t0) * 1000
                start, helper, decode, caller = log_breakdown(log, pos)
                rest = ms - helper - decode - caller
                timed = rnd >= warmup
                fh.write("%s%s %d %.3f %.1f %.1f %.1f %.1f %.1f %s\n" % ("" if timed else "# warm-up ", pr["label"], k,
                                                                        ms, start, helper, decode, caller, rest, summary))
                fh.flush()
                if "1 changed" not in summary:
                    die("%s: unexpected PartnerChanged summary: %s" % (pr["label"], summary))
                if timed:
                    pr["t"].append(ms)
                    pr["start"].append(start)
                    pr["helper"].append(helper)
                    pr["decode"].append(decode)
                    pr["caller"].append(caller)
                    pr["rest"].append(rest)
    for pr in pairs:
        print("%s %s %.1f %.1f %.1f %.1f %.1f" % (pr["label"], stats(pr["t"]), statistics.median(pr["start"]),
                                                  statistics.median(pr["helper"]),
                                             statistics.median(pr["caller"]), max(pr["caller"]),
                                             statistics.median(pr["rest"])))


def syncthing_mode(argv):
    samples, out, a, p, pmine, bprobe, aprobe = int(argv[0]), argv[1], *argv[2:7]
    listener = Listener(a)
    ids = my_ids(p)
    src = os.path.join(pmine, "list.ics")
    both, alone = [], []
    with open(out, "w") as fh:
        fh.write("# kind sample ms\n")
        for k in range(samples + 1):  # the first of each: warm-up
            # closer + syncthing: P's edit to A's signal.
            listener.drain(0.5)
            t0 = time.monotonic()
            edit(p, ids[(k * 7919) % len(ids)], k)
            t1, summary = listener.wait()
            ms = (t1 - t0) * 1000
            fh.write("%scloser+syncthing %d %.1f %s\n" % ("# warm-up " if k == 0 else "", k, ms, summary))
            if k:
                both.append(ms)
            time.sleep(2)  # Syncthing done with the list (and A's answer) before the probe
            # syncthing alone: a file as large as P's list, renamed into P's copy.
            data = (read(src) or b"")[:-64] + os.urandom(32).hex().encode()
            name = "probe-%d.ics" % k
            tmp = os.path.join(bprobe, ".syncthing.%s.tmp" % name)
            with open(tmp, "wb") as f:
                f.write(data)
            t0 = time.monotonic()
            os.rename(tmp, os.path.join(bprobe, name))
            dst = os.path.join(aprobe, name)
            poll(dst, lambda: True if read(dst) == data else None, timeout=120, interval=0.005)
            ms = (time.monotonic() - t0) * 1000
            fh.write("%ssyncthing %d %.1f\n" % ("# warm-up " if k == 0 else "", k, ms))
            fh.flush()
            if k:
                alone.append(ms)
            time.sleep(1)
    print("closer+syncthing " + stats(both))
    print("syncthing " + stats(alone))


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("closer", "syncthing"):
        die("usage: share-prop.py closer|syncthing ... (see its header)")
    (closer_mode if sys.argv[1] == "closer" else syncthing_mode)(sys.argv[2:])
