#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The REST calls, waits and checks of tests/syncthing.sh (read that first).

Usage: python3 tests/syncthing.py COMMAND ARGS...

The two instances are described by the environment that st_setup exports:
ST_{A,B}_URL (http://127.0.0.1:PORT), ST_{A,B}_KEY (API key), ST_{A,B}_ID
(device ID), ST_{A,B}_DIR (the synced folder) and ST_FOLDER (its folder ID).
Every wait polls until a deadline (TIMEOUT seconds); on timeout it says on
stderr, as "# " lines, what was still missing, and exits 1.

  configure CONFIG NAME LISTEN_PORT GUI_PORT APIKEY   edit a generated config.xml
  api NAME METHOD PATH [JSON]    one REST call; prints the answer's body
  wait-up NAME TIMEOUT           the REST API answers and names the right device
  wait-connected TIMEOUT         each instance is connected to the other
  connected NAME                 exit status 0 when NAME is connected to the other
  wait-disconnected NAME TIMEOUT NAME sees no connection to the other
  wait-idle TIMEOUT              both folders idle and complete on both sides
  wait-same TIMEOUT              the two folders hold the same tree, and idle
  wait-file PATH [SRC] TIMEOUT   PATH exists (with SRC's bytes, when given)
  wait-gone PATH TIMEOUT         PATH no longer exists
  propagate FROM TO NAME TIMEOUT writes FROM/NAME atomically, prints the ms
                                 until TO/NAME has the same bytes
  check-trace FILE               strace log: every address is loopback or local
  check-sockets PID...           ss: every socket of the PIDs is on loopback
"""

import fnmatch
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

NAMES = ("A", "B")
# What Syncthing keeps in a folder for itself, and its temporary files (a
# writer that renames from such a name is never seen half-written).
OWN = (".stfolder", ".stignore", ".stversions")
TEMP = (".syncthing.*.tmp", "~syncthing~*.tmp")


def env(name, what):
    return os.environ["ST_%s_%s" % (name, what)]


def other(name):
    return "B" if name == "A" else "A"


def api(name, method, path, body=None, timeout=10):
    """The decoded JSON answer (or text) of one call; raises on HTTP errors."""
    data = None if body is None else body.encode()
    req = urllib.request.Request(env(name, "URL") + path, data=data, method=method)
    req.add_header("X-API-Key", env(name, "KEY"))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read().decode()
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def poll(timeout, probe, interval=0.1):
    """Calls probe() until it returns None (done) or the deadline passes;
    probe returns what is still missing. Exits 1 with that on timeout."""
    deadline = time.monotonic() + float(timeout)
    while True:
        try:
            missing = probe()
        except (OSError, urllib.error.URLError, ValueError, KeyError) as e:
            missing = "REST: %s" % e
        if missing is None:
            return
        if time.monotonic() > deadline:
            for line in str(missing).splitlines():
                print("# " + line, file=sys.stderr)
            sys.exit(1)
        time.sleep(interval)


def configure(path, name, listen_port, gui_port, apikey):
    """Discovery, relays, NAT, usage and crash reports and upgrades off; one
    loopback listen address; the GUI on loopback with a known key."""
    tree = ET.parse(path)
    root = tree.getroot()
    opts = root.find("options")
    settings = {
        "globalAnnounceEnabled": "false",
        "localAnnounceEnabled": "false",
        "relaysEnabled": "false",
        "natEnabled": "false",
        "urAccepted": "-1",
        "urSeen": "999",
        "crashReportingEnabled": "false",
        "autoUpgradeIntervalH": "0",
        "startBrowser": "false",
        "announceLANAddresses": "false",
        "setLowPriority": "false",
        # A stopped partner is dialled again soon after it is back (1.19
        # raises anything lower to 5; a started instance dials at once).
        "reconnectionIntervalS": "5",
    }
    for key, value in settings.items():
        el = opts.find(key)
        if el is None:
            el = ET.SubElement(opts, key)
        el.text = value
    for el in opts.findall("listenAddress"):
        opts.remove(el)
    el = ET.Element("listenAddress")
    el.text = "tcp://127.0.0.1:%s" % listen_port
    opts.insert(0, el)
    gui = root.find("gui")
    gui.set("enabled", "true")
    gui.set("tls", "false")
    gui.find("address").text = "127.0.0.1:%s" % gui_port
    gui.find("apikey").text = apikey
    for dev in root.findall("device"):  # only this instance's own, so far
        dev.set("name", name)
    tree.write(path)


def wait_up(name, timeout):
    def probe():
        st = api(name, "GET", "/rest/system/status")
        if st["myID"] != env(name, "ID"):
            return "%s: myID %s, want %s" % (name, st["myID"], env(name, "ID"))
        errs = {a: s.get("error") for a, s in st.get("connectionServiceStatus", {}).items()}
        if any(errs.values()):
            return "%s: listener: %s" % (name, errs)
        return None

    poll(timeout, probe)


def connected(name):
    conns = api(name, "GET", "/rest/system/connections")["connections"]
    c = conns.get(env(other(name), "ID"), {})
    return c.get("connected", False)


def wait_connected(timeout):
    def probe():
        missing = [n for n in NAMES if not connected(n)]
        return "not connected: %s" % missing if missing else None

    poll(timeout, probe)


def idle_problems():
    """What keeps the two folders from being idle and in sync, or []."""
    folder = os.environ["ST_FOLDER"]
    problems = []
    for n in NAMES:
        if not connected(n):
            problems.append("%s: not connected to %s" % (n, other(n)))
            continue
        st = api(n, "GET", "/rest/db/status?folder=" + folder)
        if st["state"] != "idle" or st["needTotalItems"] or st.get("pullErrors"):
            problems.append("%s: state %s, need %s, pull errors %s"
                            % (n, st["state"], st["needTotalItems"], st.get("pullErrors")))
        comp = api(n, "GET", "/rest/db/completion?folder=%s&device=%s" % (folder, env(other(n), "ID")))
        if comp["completion"] < 100 or comp["needItems"] or comp["needDeletes"]:
            problems.append("%s: %s is %.1f%% complete (needs %d items, %d deletes)"
                            % (n, other(n), comp["completion"], comp["needItems"], comp["needDeletes"]))
    return problems


def wait_idle(timeout):
    poll(timeout, lambda: "\n".join(idle_problems()) or None)


def ignored(rel):
    base = os.path.basename(rel)
    return rel.split("/")[0] in OWN or any(fnmatch.fnmatch(base, p) for p in TEMP)


def tree(top):
    """{relative path: bytes, or "dir", or "link:TARGET"} of a folder."""
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for d in list(dirs):
            p = os.path.join(dirpath, d)
            rel = os.path.relpath(p, top)
            if ignored(rel):
                dirs.remove(d)
            elif os.path.islink(p):
                out[rel] = "link:" + os.readlink(p)
            else:
                out[rel] = "dir"
        for f in files:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, top)
            if ignored(rel):
                continue
            try:
                if os.path.islink(p):
                    out[rel] = "link:" + os.readlink(p)
                else:
                    with open(p, "rb") as fh:
                        out[rel] = fh.read()
            except FileNotFoundError:
                pass  # renamed away while we walked: the next poll sees it
    return out


def wait_same(timeout):
    def probe():
        a, b = tree(env("A", "DIR")), tree(env("B", "DIR"))
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if diff:
            return "trees differ: %s" % diff[:10]
        return "\n".join(idle_problems()) or None

    poll(timeout, probe)


def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def wait_file(path, src, timeout):
    want = read(src) if src else None

    def probe():
        got = read(path)
        if got is None:
            return "%s: missing" % path
        if want is not None and got != want:
            return "%s: %d bytes differ from %s's %d" % (path, len(got), src, len(want))
        return None

    poll(timeout, probe, interval=0.02)


def wait_gone(path, timeout):
    poll(timeout, lambda: "%s: still there" % path if os.path.lexists(path) else None, interval=0.02)


def propagate(src_dir, dst_dir, name, timeout):
    data = ("%s %s\n" % (name, time.time_ns())).encode() + os.urandom(64).hex().encode()
    tmp = os.path.join(src_dir, ".syncthing.%s.tmp" % name)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    t0 = time.monotonic()
    os.rename(tmp, os.path.join(src_dir, name))
    dst = os.path.join(dst_dir, name)
    poll(timeout, lambda: None if read(dst) == data else "%s: not there yet" % dst, interval=0.01)
    print(round((time.monotonic() - t0) * 1000))


def loopback(ip):
    ip = ip.strip("[]")
    if ip.startswith("::ffff:"):
        ip = ip[7:]
    return ip.startswith("127.") or ip == "::1"


ADDR = re.compile(r'sa_family=(AF_\w+)(.*?)\}')
IPV4 = re.compile(r'inet_addr\("([^"]+)"\)')
IPV6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
LOCAL_FAMILIES = ("AF_UNIX", "AF_NETLINK", "AF_UNSPEC")


def check_trace(path):
    """Every address that a connect, sendto, sendmsg, sendmmsg or bind of the
    log names is loopback (or a unix, netlink or unspecified one). Prints a
    summary; exits 1 on any other address or when the log shows no inet
    call at all (then the trace saw nothing)."""
    calls = bad = inet = 0
    with open(path, errors="replace") as fh:
        for line in fh:
            m = re.search(r'\b(connect|sendto|sendmsg|sendmmsg|bind)\(', line)
            if not m:
                continue
            calls += 1
            for fam, rest in ADDR.findall(line):
                if fam in LOCAL_FAMILIES:
                    continue
                ips = IPV4.findall(rest) if fam == "AF_INET" else IPV6.findall(rest) if fam == "AF_INET6" else []
                if fam in ("AF_INET", "AF_INET6") and ips and all(loopback(ip) for ip in ips):
                    inet += 1
                    continue
                bad += 1
                print("# off loopback: " + line.strip(), file=sys.stderr)
    print("%d calls, %d on loopback inet addresses, %d elsewhere" % (calls, inet, bad))
    sys.exit(1 if bad or not inet else 0)


def check_sockets(pids):
    out = subprocess.run(["ss", "-tunapH"], capture_output=True, text=True, check=True).stdout
    mine = [l for l in out.splitlines() if any("pid=%s," % p in l for p in pids)]
    bad = []
    for line in mine:
        f = line.split()
        state, local, peer = f[1], f[4], f[5]
        ok = loopback(local.rsplit(":", 1)[0])
        if state not in ("LISTEN", "UNCONN"):
            ok = ok and loopback(peer.rsplit(":", 1)[0])
        if not ok:
            bad.append(line)
    for line in bad:
        print("# off loopback: " + line, file=sys.stderr)
    print("%d sockets, %d off loopback" % (len(mine), len(bad)))
    sys.exit(1 if bad or not mine else 0)


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "configure":
        configure(*args)
    elif cmd == "api":
        body = api(args[0], args[1], args[2], args[3] if len(args) > 3 else None)
        if body is not None:
            print(body if isinstance(body, str) else json.dumps(body, indent=1))
    elif cmd == "wait-up":
        wait_up(args[0], args[1])
    elif cmd == "wait-connected":
        wait_connected(args[0])
    elif cmd == "connected":
        sys.exit(0 if connected(args[0]) else 1)
    elif cmd == "wait-disconnected":
        poll(args[1], lambda: "%s: still connected to %s" % (args[0], other(args[0])) if connected(args[0]) else None)
    elif cmd == "wait-idle":
        wait_idle(args[0])
    elif cmd == "wait-same":
        wait_same(args[0])
    elif cmd == "wait-file":
        wait_file(args[0], args[1] if len(args) > 2 else None, args[-1])
    elif cmd == "wait-gone":
        wait_gone(args[0], args[1])
    elif cmd == "propagate":
        propagate(*args)
    elif cmd == "check-trace":
        check_trace(args[0])
    elif cmd == "check-sockets":
        check_sockets(args)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except urllib.error.HTTPError as e:
        print("syncthing.py: %s: %s" % (e, e.read().decode(errors="replace").strip()), file=sys.stderr)
        sys.exit(1)
    except (urllib.error.URLError, OSError) as e:
        print("syncthing.py: %s" % e, file=sys.stderr)
        sys.exit(1)
    except (IndexError, TypeError) as e:
        print("syncthing.py: bad usage (%s); see the top of tests/syncthing.py" % e, file=sys.stderr)
        sys.exit(2)
