#!/bin/bash
# SPDX-License-Identifier: MIT
# D-Bus robustness: every method of io.github.closer.Closer1 (read from the
# live introspection, so a new method is covered too) called with missing,
# extra and wrongly typed arguments, out-of-range numbers, unknown IDs,
# empty, huge (1 MiB) and odd Unicode strings, bad a{sv} fields and bad
# file descriptors; properties and unknown members. Each call must get an
# answer (an error where the input is wrong), the daemon never crashes
# (same PID, same bus connection), and it keeps serving.
#
# What cannot be sent: invalid UTF-8, an embedded NUL, noncharacters and
# lone surrogates are refused by the client libraries (python-dbus and
# sd-bus check strings before sending). Sent anyway, as hand-made bytes on a
# raw socket, dbus-daemon validates the whole message and disconnects the
# sender: closerd never sees them. The last part of this test proves that;
# fuzz/fuzz-bus.c feeds such bytes straight to closerd's sd-bus instead.
. "$(dirname "$0")/lib.sh"

if ! "$PY" -c 'import dbus' 2>/dev/null; then
        echo "1..0 # SKIP python3-dbus is not installed"
        exit 77
fi

new_world robust
start_daemon
pid=$DAEMON_PID

# Something to point at: items on both lists, a promise, today's act.
for i in 1 2 3; do ctl list add "robust seed $i" >/dev/null; done
ctl list export "$W/mine.ics" >/dev/null 2>&1
# My partner's list (my own export is refused): written in a tasks app.
{
        printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//robust//EN\r\n'
        for i in 1 2 3; do
                printf 'BEGIN:VTODO\r\nUID:robust-partner-%s\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:partner seed %s\r\nEND:VTODO\r\n' "$i" "$i"
        done
        printf 'END:VCALENDAR\r\n'
} >"$W/seed.ics"
ctl partner import "$W/seed.ics" >/dev/null
ctl raincheck +3h --what "seed" >/dev/null

export ROBUST_DIR=$W
"$PY" - >"$W/robust.out" 2>"$W/robust.err" <<'PY'
import os, socket, struct, sys, time, traceback
import xml.etree.ElementTree as ET
import dbus, dbus.lowlevel as ll

NAME = "io.github.closer.Closer1"
PATH = "/io/github/closer/Closer1"
IFACE = "io.github.closer.Closer1"
W = os.environ["ROBUST_DIR"]
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
NO_SUCH = "io.github.closer.Error.NoSuchItem"

bus = dbus.SessionBus()
owner = bus.get_name_owner(NAME)
dead = False


def out(status, desc, detail=""):
    print("%s\t%s\t%s" % (status, desc, detail.replace("\n", " ")[:300]), flush=True)


def call(member, sig, args, iface=IFACE, path=PATH, timeout=60):
    """("ok", values) or (error name, message)."""
    m = ll.MethodCallMessage(NAME, path, iface, member)
    if sig or args:
        m.append(*args, signature=sig)
    try:
        r = bus.send_message_with_reply_and_block(m, timeout * 1000)
        return "ok", r.get_args_list()
    except dbus.exceptions.DBusException as e:
        return e.get_dbus_name(), e.get_dbus_message() or ""


def alive():
    global dead
    if dead:
        return False
    try:
        now = bus.get_name_owner(NAME)
    except dbus.exceptions.DBusException:
        now = None
    if now != owner:
        dead = True
        out("not ok", "closerd is still the same connection", "owner was %s, now %s" % (owner, now))
        return False
    return True


# --- the methods, from the live introspection ---
xml = dbus.Interface(bus.get_object(NAME, PATH), "org.freedesktop.DBus.Introspectable").Introspect()
methods = {}
for iface in ET.fromstring(str(xml)).findall("interface"):
    if iface.get("name") != IFACE:
        continue
    for meth in iface.findall("method"):
        methods[meth.get("name")] = [a.get("type") for a in meth.findall("arg") if a.get("direction", "in") == "in"]
out("ok" if len(methods) >= 30 else "not ok", "introspection lists the methods (%d)" % len(methods))


def memfd(data=b""):
    fd = os.memfd_create("robust")
    os.write(fd, data)
    return fd


def fd_value(fd):
    return dbus.types.UnixFd(fd)


TEXT = b"from robust\n"
ICS = open(os.path.join(W, "seed.ics"), "rb").read()


def generic(t, member="", pos=0):
    """A valid-looking value of type t."""
    if t == "s":
        return "x"
    if t in ("t", "u", "x", "i", "y", "n", "q"):
        return 1
    if t == "b":
        return False
    if t == "d":
        return 1.0
    if t == "o":
        return dbus.ObjectPath("/")
    if t == "g":
        return dbus.Signature("s")
    if t == "h":
        return fd_value(memfd(ICS if "Import" in member else TEXT))
    if t == "a{sv}":
        return dbus.Dictionary({}, signature="sv")
    if t == "a{ss}":
        return dbus.Dictionary({}, signature="ss")
    if t.startswith("a"):
        return dbus.Array([], signature=t[1:])
    return None


VALID = {
    "AddItem": lambda: ["robust item", {}],
    "EditItem": lambda: [1, {"title": "robust edited"}],
    "ReviewItem": lambda: [4, "ok", {}],
    "SetSetting": lambda: ["me.name", "Robin"],
    "ListItems": lambda: ["mine"],
    "ListIdeas": lambda: [""],
    "Pause": lambda: [time.strftime("%Y-%m-%d", time.localtime(time.time() + 3 * 86400))],
    "RecordAdvance": lambda: ["me", "accepted", {}],
    "AddPromise": lambda: ["+1h", {}],
    "ResolvePromise": lambda: [1, "kept"],
    "MovePromise": lambda: [1, "+2h", False],
    "SetDateNightRule": lambda: [{"time": "20:00"}],
    "MoveDateNight": lambda: [0, "+1d"],
    "LogDateNight": lambda: [0, "happened"],
    "Away": lambda: [time.strftime("%Y-%m-%d", time.localtime(time.time() + 20 * 86400))] * 2,
    "AddMood": lambda: [3, {}],
    "AddExtra": lambda: ["a hug", {}],
    "GetStats": lambda: [4],
}


def valid_args(member):
    if member in VALID:
        return VALID[member]()
    return [generic(t, member, i) for i, t in enumerate(methods[member])]


def wrong_of(t):
    """(type, value) of another type than t."""
    if t == "s":
        return "u", 7
    if t in ("t", "u", "x", "i"):
        return "s", "1"
    if t == "b":
        return "s", "true"
    if t == "h":
        return "s", "/etc/passwd"
    if t == "a{sv}":
        return "as", dbus.Array(["title"], signature="s")
    return "s", "wrong"


def expect(desc, cases, want):
    """cases: list of (label, member, sig, args). want: "error", "answer",
    a D-Bus error name, or a function(name, msg) -> bool."""
    bad = []
    for label, member, sig, args in cases:
        if dead:
            return
        try:
            name, msg = call(member, sig, args)
        except Exception as e:  # could not even send it
            bad.append("%s: not sent: %s" % (label, e))
            continue
        seen[name] = seen.get(name, 0) + 1
        if name in ("org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout"):
            bad.append("%s: no reply: %s" % (label, msg))
        elif name == "io.github.closer.Error.StorageFailed":
            # Bad input is never a storage failure: that is the daemon failing.
            bad.append("%s: %s %s" % (label, name, msg))
        elif want == "error" and name == "ok":
            bad.append("%s: succeeded" % label)
        elif want == "error" and name.startswith("org.freedesktop.DBus.Error.") and name not in (
                INVALID_ARGS, "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownObject",
                "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.UnknownProperty",
                "org.freedesktop.DBus.Error.PropertyReadOnly"):
            bad.append("%s: %s %s" % (label, name, msg))
        elif want not in ("error", "answer") and not callable(want) and name != want:
            bad.append("%s: %s %s (want %s)" % (label, name, msg, want))
        elif callable(want) and not want(name, msg):
            bad.append("%s: %s %s" % (label, name, msg))
        if not alive():
            bad.append("%s: closerd died" % label)
            break
    if bad:
        out("not ok", desc, "; ".join(bad))
    else:
        out("ok", desc, "%d calls" % len(cases))


seen = {}
HUGE = "a" * (1 << 20)
ODD = ["\u202eevil", "e\u0301\u0301\u0301", "\U0010fffd", "\u2028line", "💋" * 150, "\x7f", "\t", " ",
       "\u00a0", "x" * 200, "x" * 201]
ID_KINDS = {"EditItem", "RemoveItem", "GetItem", "ReviewItem", "ResolvePromise", "MovePromise", "MoveDateNight",
            "SkipDateNight", "UnskipDateNight", "LogDateNight", "CancelAway"}
# UnskipDateNight 0 finds the night SkipDateNight 0 skipped (they run in
# alphabetical order).
ZERO_IS_NEXT = {"MoveDateNight", "SkipDateNight", "UnskipDateNight", "LogDateNight"}
EMPTY_OK = {("ListItems", 0), ("ListIdeas", 0), ("SetSetting", 1)}
FIELDS = {
    "AddItem": {"title": "s", "details": "s", "category": "s", "intensity": "i", "private": "b"},
    "EditItem": {"title": "s", "details": "s", "category": "s", "intensity": "i", "private": "b"},
    "ReviewItem": {"note": "s"},
    "Done": {"response": "i", "mood": "i", "note": "s"},
    "AddExtra": {"response": "i", "note": "s"},
    "AddMood": {"note": "s"},
    "RecordAdvance": {"raincheck": "s", "what": "s", "where": "s", "note": "s"},
    "AddPromise": {"what": "s", "where": "s", "owed_by": "s"},
    "SetDateNightRule": {"weekday": "s", "weekdays": "s", "vary": "b", "time": "s", "duration": "s"},
    "ImportPartnerListWithOptions": {"replace": "b"},
    "GetHistory": {"since": "s", "until": "s", "item": "t"},
}

for member in sorted(methods):
    sig = methods[member]
    full = "".join(sig)
    base = valid_args(member)

    # Missing: nothing, and all but the last.
    cases = []
    if sig:
        cases.append(("no arguments", member, "", []))
        if len(sig) > 1:
            cases.append(("all but the last", member, "".join(sig[:-1]), base[:-1]))
    if cases:
        expect("%s: missing arguments are refused" % member, cases, INVALID_ARGS)

    # Extra: the valid arguments and one more.
    expect("%s: an extra argument is refused" % member,
           [("extra s", member, full + "s", base + ["extra"]), ("extra a{sv}", member, full + "a{sv}",
                                                                 base + [dbus.Dictionary({}, signature="sv")])],
           INVALID_ARGS)

    # Wrong types, one position at a time, and all at once.
    cases = []
    for i, t in enumerate(sig):
        wt, wv = wrong_of(t)
        s2 = sig[:i] + [wt] + sig[i + 1:]
        cases.append(("arg %d as %s" % (i, wt), member, "".join(s2), base[:i] + [wv] + base[i + 1:]))
    if sig:
        cases.append(("everything a variant", member, "v" * len(sig), [dbus.String("x", variant_level=1)] * len(sig)))
    if cases:
        expect("%s: wrong types are refused" % member, cases, INVALID_ARGS)

    # Integers out of range.
    cases = []
    zero_ok = []
    for i, t in enumerate(sig):
        vals = {"t": [0, 2 ** 63, 2 ** 64 - 1], "u": [0, 2 ** 32 - 1]}.get(t, [])
        for v in vals:
            c = ("arg %d = %d" % (i, v), member, full, base[:i] + [v] + base[i + 1:])
            (zero_ok if v == 0 and member in ZERO_IS_NEXT else cases).append(c)
    if cases:
        expect("%s: out-of-range numbers are refused" % member, cases, "error")
    if zero_ok:
        expect("%s: ID 0 (the next one) is answered" % member, zero_ok, "answer")

    # Unknown IDs.
    cases = [("arg %d = 999999" % i, member, full, base[:i] + [999999] + base[i + 1:])
             for i, t in enumerate(sig) if t == "t"]
    if cases and member in ID_KINDS:
        expect("%s: an unknown ID is NoSuchItem" % member, cases, NO_SUCH)
    elif cases:
        expect("%s: an unknown ID is refused" % member, cases, "error")

    # Strings: empty, 1 MiB, odd Unicode.
    spos = [i for i, t in enumerate(sig) if t == "s"]
    refused = [("arg %d empty" % i, member, full, base[:i] + [""] + base[i + 1:]) for i in spos
               if (member, i) not in EMPTY_OK]
    allowed = [("arg %d empty" % i, member, full, base[:i] + [""] + base[i + 1:]) for i in spos
               if (member, i) in EMPTY_OK]
    if refused:
        expect("%s: empty strings are refused" % member, refused, "error")
    if allowed:
        expect("%s: empty strings where they mean something are answered" % member, allowed, "answer")
    if spos:
        expect("%s: 1 MiB strings are refused" % member,
               [("arg %d 1 MiB" % i, member, full, base[:i] + [HUGE] + base[i + 1:]) for i in spos], "error")
        expect("%s: odd Unicode is answered" % member,
               [("arg %d %r" % (i, o[:12]), member, full, base[:i] + [o] + base[i + 1:]) for i in spos for o in ODD],
               "answer")

    # a{sv}: unknown, empty and many keys; each known key with a wrong type,
    # a nested variant, a container, a huge value; integers out of range.
    for i, t in enumerate(sig):
        if t != "a{sv}":
            continue

        def with_dict(d, sigv="sv"):
            return base[:i] + [dbus.Dictionary(d, signature=sigv)] + base[i + 1:]
        cases = [("unknown key", member, full, with_dict({"bogus": "x"})),
                 ("empty key", member, full, with_dict({"": "x"})),
                 ("10000 unknown keys", member, full, with_dict({"k%d" % k: k for k in range(10000)}))]
        ints = []
        for key, kt in FIELDS.get(member, {}).items():
            wrong = dbus.Int32(5) if kt == "s" else dbus.String("3")
            cases.append(("%s of the wrong type" % key, member, full, with_dict({key: wrong})))
            cases.append(("%s a nested variant" % key, member, full,
                          with_dict({key: dbus.String("1", variant_level=2)})))
            cases.append(("%s an array" % key, member, full, with_dict({key: dbus.Array(["x"], signature="s")})))
            if kt == "s":
                cases.append(("%s 1 MiB" % key, member, full, with_dict({key: HUGE})))
            if kt == "i":
                for v in (dbus.Int32(0), dbus.Int32(-1), dbus.Int32(6), dbus.UInt64(2 ** 64 - 1),
                          dbus.Int64(-2 ** 63), dbus.Double(2.0)):
                    cases.append(("%s = %r" % (key, v), member, full, with_dict({key: v})))
        expect("%s: bad fields in a{sv} are refused" % member, cases, "error")

# GetHistory: dates that are not dates, windows the wrong way round or too
# long, items that are not IDs.
if "GetHistory" in methods:
    def hist(**kw):
        return ("%r" % kw, "GetHistory", "a{sv}", [dbus.Dictionary(kw, signature="sv")])
    expect("GetHistory: bad dates, windows and items are refused",
           [hist(since="2026-02-30"), hist(since="26-01-01"), hist(until="2026-1-1"), hist(since="today"),
            hist(since="2026-12-02", until="2026-12-01"), hist(since="2010-01-01", until="2026-01-01"),
            hist(item=dbus.Int32(0)), hist(item=dbus.Int64(-5)), hist(since=dbus.UInt32(20261201)),
            hist(until=dbus.Boolean(True))], INVALID_ARGS)
    expect("GetHistory: a window of 10 years and an unknown item are answered",
           [hist(since="2016-12-01", until="2026-11-28"), hist(item=dbus.UInt64(999999)),
            hist(since="2026-12-01", until="2026-12-01")], "ok")

# --- file descriptors of the wrong kind ---
readers = [m for m in ("AddItemsFromText", "ImportPartnerList", "ImportPartnerListWithOptions") if m in methods]
writers = [m for m in ("ExportList", "ExportCalendar") if m in methods]
r_pipe, w_pipe = os.pipe()
sock_a, sock_b = socket.socketpair()
dirfd = os.open(W, os.O_RDONLY | os.O_DIRECTORY)
devnull = os.open("/dev/null", os.O_RDWR)
wronly = os.open(os.path.join(W, "wronly"), os.O_WRONLY | os.O_CREAT, 0o600)
sparse = os.open(os.path.join(W, "sparse"), os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(sparse, 64 << 20)
toobig = memfd(b"x" * ((5 << 20) + 1))
rdonly_path = os.path.join(W, "rdonly")
open(rdonly_path, "w").close()
rdonly = os.open(rdonly_path, os.O_RDONLY)
sealed = os.memfd_create("sealed", os.MFD_ALLOW_SEALING)
import fcntl
fcntl.fcntl(sealed, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK)
for member in readers:
    expect("%s: descriptors that are not readable regular files are refused" % member,
           [(label, member, "".join(methods[member]),
             [fd_value(fd)] + [dbus.Dictionary({}, signature="sv")] * (len(methods[member]) - 1)) for label, fd in
            (("pipe", r_pipe), ("socket", sock_a.fileno()), ("directory", dirfd), ("/dev/null", devnull),
             ("write-only file", wronly), ("64 MiB sparse file", sparse), ("5 MiB + 1 memfd", toobig))], "error")
for member in writers:
    expect("%s: descriptors that are not writable regular files are refused" % member,
           [(label, member, "h", [fd_value(fd)]) for label, fd in
            (("pipe", w_pipe), ("socket", sock_a.fileno()), ("directory", dirfd), ("/dev/null", devnull),
             ("read-only file", rdonly), ("sealed memfd", sealed))], "error")
    out("ok" if os.path.getsize(rdonly_path) == 0 else "not ok",
        "%s: nothing was written to the read-only file" % member)

# ImportPartnerListWithOptions: an unknown key is InvalidArgs naming it,
# and neither a refused call nor a bad file changes the partner list.
if "ImportPartnerListWithOptions" in methods:
    def partner_list():
        return call("ListItems", "s", ["partner"])

    before = partner_list()
    name, msg = call("ImportPartnerListWithOptions", "ha{sv}",
                     [fd_value(memfd(ICS)), dbus.Dictionary({"overwrite": True}, signature="sv")])
    out("ok" if name == INVALID_ARGS and "overwrite" in msg else "not ok",
        "ImportPartnerListWithOptions: an unknown option is InvalidArgs naming it", "%s %s" % (name, msg))
    for label, opts in (("replace as a string", {"replace": dbus.String("yes")}),
                        ("replace as an integer", {"replace": dbus.Int32(1)}),
                        ("replace in a nested variant", {"replace": dbus.Boolean(True, variant_level=2)})):
        name, msg = call("ImportPartnerListWithOptions", "ha{sv}",
                         [fd_value(memfd(ICS)), dbus.Dictionary(opts, signature="sv")])
        out("ok" if name == INVALID_ARGS and "replace" in msg else "not ok",
            "ImportPartnerListWithOptions: %s is InvalidArgs" % label, "%s %s" % (name, msg))
    name, msg = call("ImportPartnerListWithOptions", "ha{sv}",
                     [fd_value(memfd(open(os.path.join(W, "mine.ics"), "rb").read())),
                      dbus.Dictionary({"replace": True}, signature="sv")])
    out("ok" if name == "io.github.closer.Error.NotPermitted" and "my own list" in msg else "not ok",
        "ImportPartnerListWithOptions: my own export is refused, also with replace", "%s %s" % (name, msg))
    out("ok" if partner_list() == before else "not ok", "ImportPartnerListWithOptions: refusals changed nothing")

# A failed export must not mark my partner's copy current.
if "ExportList" in methods:
    call("AddItem", "sa{sv}", ["makes the copy stale", dbus.Dictionary({}, signature="sv")])

    def stale():
        name, v = call("GetStatus", "", [])
        return name == "ok" and any("stale" in w for w in v[0].get("warnings", []))
    before = stale()
    name, msg = call("ExportList", "h", [fd_value(rdonly)])
    after = stale()
    if before and name != "ok" and after:
        out("ok", "a failed ExportList leaves my partner's copy stale")
    else:
        out("not ok", "a failed ExportList leaves my partner's copy stale",
            "stale before: %s; ExportList: %s %s; stale after: %s" % (before, name, msg, after))

# Rain checks undone and owed to me: every status of ResolvePromise in the
# wrong state, owed_by of the wrong value or where it does not belong.
if "ResolvePromise" in methods:
    NOT_PERMITTED = "io.github.closer.Error.NotPermitted"
    name, v = call("AddPromise", "sa{sv}", ["+3h", dbus.Dictionary({"owed_by": "partner"}, signature="sv")])
    pid = int(v[0]) if name == "ok" else 1
    expect("ResolvePromise: reopening an open rain check is NotPermitted",
           [("open", "ResolvePromise", "ts", [pid, "open"])], NOT_PERMITTED)
    expect("ResolvePromise: cancelled", [("cancelled", "ResolvePromise", "ts", [pid, "cancelled"])], "ok")
    expect("ResolvePromise: resolving a cancelled one is NotPermitted",
           [(st, "ResolvePromise", "ts", [pid, st]) for st in ("kept", "broken", "cancelled")], NOT_PERMITTED)
    expect("ResolvePromise: a cancelled one reopened", [("open", "ResolvePromise", "ts", [pid, "open"])], "ok")
    expect("ResolvePromise: other statuses are InvalidArgs",
           [(st, "ResolvePromise", "ts", [pid, st]) for st in ("moved", "reopen", "cancel", "OPEN", "kept ", "")],
           INVALID_ARGS)
    expect("ResolvePromise: an unknown ID is NoSuchItem whatever the status",
           [(st, "ResolvePromise", "ts", [999999, st]) for st in ("open", "cancelled")], NO_SUCH)
    expect("AddPromise: owed_by other than me or partner is InvalidArgs",
           [(repr(o), "AddPromise", "sa{sv}", ["+3h", dbus.Dictionary({"owed_by": o}, signature="sv")])
            for o in ("", "both", "Partner", "me ", "x" * 201)], INVALID_ARGS)
    expect("RecordAdvance: owed_by is not one of its fields (whoever declined owes it)",
           [("owed_by", "RecordAdvance", "ssa{sv}",
             ["me", "declined", dbus.Dictionary({"raincheck": "+3h", "owed_by": "me"}, signature="sv")])],
           INVALID_ARGS)

# --- properties, unknown members and objects ---
P = "org.freedesktop.DBus.Properties"
expect("properties: writing a read-only property is refused",
       [("Set Version", "Set", "ssv", [IFACE, "Version", dbus.String("9.9", variant_level=1)]),
        ("Set MyItems", "Set", "ssv", [IFACE, "MyItems", dbus.UInt32(0, variant_level=1)])], "error")
for label, member, sig, args, want in (
        ("Get an unknown property", "Get", "ss", [IFACE, "Nope"], "error"),
        ("Get of another interface", "Get", "ss", ["org.example.Nope", "Version"], "error"),
        ("Get with wrong types", "Get", "su", [IFACE, 1], "error"),
        ("GetAll", "GetAll", "s", [IFACE], "ok"),
        ("GetAll of another interface", "GetAll", "s", ["org.example.Nope"], "answer")):
    name, msg = call(member, sig, args, iface=P)
    good = (want == "answer" and "NoReply" not in name) or (want == "ok" and name == "ok") or (
        want == "error" and name != "ok")
    out("ok" if good and alive() else "not ok", "properties: %s" % label, "%s %s" % (name, msg))
for label, member, iface, path in (("an unknown method", "NoSuchMethod", IFACE, PATH),
                                   ("an unknown interface", "GetStatus", "org.example.Nope", PATH),
                                   ("an unknown object", "GetStatus", IFACE, "/io/github/closer/Nope"),
                                   ("a method of another object", "GetStatus", IFACE, "/")):
    name, msg = call(member, "", [], iface=iface, path=path)
    out("ok" if name != "ok" and alive() else "not ok", "%s is refused" % label, "%s %s" % (name, msg))
name, msg = call("Ping", "", [], iface="org.freedesktop.DBus.Peer")
out("ok" if name == "ok" else "not ok", "Peer.Ping answers", name)

# --- what cannot be sent: invalid UTF-8 and friends, on a raw socket ---
for label, value in (("invalid UTF-8", b"bad \xff\xfe utf8"), ("a lone surrogate", b"\xed\xa0\x80"),
                     ("an overlong NUL", b"\xc0\x80"), ("an embedded NUL", b"a\x00b")):
    try:
        m = ll.MethodCallMessage(NAME, PATH, IFACE, "AddItem")
        m.append(value, {}, signature="sa{sv}")
        out("not ok", "python-dbus refuses to send %s" % label, "it sent it")
    except (UnicodeError, ValueError, TypeError) as e:
        out("ok", "python-dbus refuses to send %s" % label, str(e))


def pad(buf, n):
    while len(buf) % n:
        buf.append(0)


def put_u32(buf, v):
    pad(buf, 4)
    buf += struct.pack("<I", v)


def put_str(buf, s):
    put_u32(buf, len(s))
    buf += s + b"\0"


def put_sig(buf, s):
    buf.append(len(s))
    buf += s + b"\0"


def raw_message(serial, dest, path, iface, member, sig, body):
    fields = bytearray()

    def field(code, t, v):
        pad(fields, 8)
        fields.append(code)
        put_sig(fields, t)
        (put_sig if t == b"g" else put_str)(fields, v)
    field(1, b"o", path)
    field(2, b"s", iface)
    field(3, b"s", member)
    if dest:
        field(6, b"s", dest)
    if sig:
        field(8, b"g", sig)
    hdr = bytearray(b"l\x01\x00\x01") + struct.pack("<III", len(body), serial, len(fields)) + fields
    pad(hdr, 8)
    return bytes(hdr) + bytes(body)


def raw_connect():
    path = os.environ["DBUS_SESSION_BUS_ADDRESS"].split("path=", 1)[1].split(",")[0]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(10)
    s.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\nBEGIN\r\n")
    s.sendall(raw_message(1, b"org.freedesktop.DBus", b"/org/freedesktop/DBus", b"org.freedesktop.DBus", b"Hello",
                          b"", b""))
    return s


def read_all(s, secs):
    """What arrives within secs; None when the peer closed the connection."""
    data = bytearray()
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def additem_body(title, key=None, value=None):
    body = bytearray()
    put_str(body, title)
    if key is None:
        put_u32(body, 0)
        pad(body, 8)
    else:
        e = bytearray()  # one dict entry, 8-aligned like its place in the body
        put_str(e, key)
        e.append(1)
        e += b"s\0"
        put_u32(e, len(value))
        e += value + b"\0"
        put_u32(body, len(e))
        pad(body, 8)
        body += e
    return body


# The raw marshalling works: a valid AddItem gets its method return.
s = raw_connect()
read_all(s, 0.3)
s.sendall(raw_message(2, NAME.encode(), PATH.encode(), IFACE.encode(), b"AddItem", b"sa{sv}",
                      additem_body(b"raw but valid")))
got = read_all(s, 2)
ok_raw = got is not None and b"\x08\x01g\x00\x01t\x00" in got
out("ok" if ok_raw else "not ok", "raw socket: a valid hand-made AddItem is answered", repr(got)[:120])
s.close()
s = raw_connect()
read_all(s, 0.3)
s.sendall(raw_message(2, NAME.encode(), PATH.encode(), IFACE.encode(), b"AddItem", b"sa{sv}",
                      additem_body(b"raw with details", b"details", b"fine")))
got = read_all(s, 2)
out("ok" if got is not None and b"\x08\x01g\x00\x01t\x00" in got else "not ok",
    "raw socket: a valid hand-made AddItem with a field is answered", repr(got)[:120])
s.close()

for label, body in (("invalid UTF-8 in the title", additem_body(b"bad \xff\xfe utf8")),
                    ("a lone surrogate in the title", additem_body(b"\xed\xa0\x80")),
                    ("an embedded NUL in the title", additem_body(b"a\x00b")),
                    ("invalid UTF-8 in a field key", additem_body(b"t", b"ti\xfftle", b"x")),
                    ("invalid UTF-8 in a field value", additem_body(b"t", b"details", b"\xc3\x28")),
                    ("a body shorter than its signature", bytearray(b"\x05\x00\x00\x00ab"))):
    s = raw_connect()
    read_all(s, 0.2)
    s.sendall(raw_message(3, NAME.encode(), PATH.encode(), IFACE.encode(), b"AddItem", b"sa{sv}", body))
    got = read_all(s, 3)
    s.close()
    desc = "raw socket: %s never reaches closerd (dbus-daemon drops the sender)" % label
    out("ok" if got is None and alive() else "not ok", desc,
        "connection %s" % ("closed" if got is None else "open, got %r" % got[:80]))

print("diag\treplies: %s\t" % ", ".join("%s %d" % (k.split(".")[-1], v) for k, v in sorted(seen.items())))
out("ok" if alive() else "not ok", "closerd is the same connection after everything")
PY
rc=$?
while IFS=$'\t' read -r status desc detail; do
        case $status in
        ok) ok "$desc" ;;
        "not ok")
                not_ok "$desc"
                diag "$detail"
                ;;
        diag) diag "$desc" ;;
        *) diag "$status $desc $detail" ;;
        esac
done <"$W/robust.out"
if ((rc != 0)); then
        not_ok "the robustness script ran to its end (rc=$rc)"
        sed 's/^/#   /' "$W/robust.err" | tail -20
fi

kill -0 "$pid" 2>/dev/null && ok "closerd still runs with the same PID ($pid)" || not_ok "closerd still runs with the same PID"
check "closerctl status works at the end" ctl status
check "closerctl list works at the end" ctl list
errs=$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$W/closerd.log" | head -3)
is "no sanitizer reports" "$errs" ""
stop_daemon && ok "closerd stops cleanly" || not_ok "closerd stops cleanly"

done_testing
