#!/bin/bash
# SPDX-License-Identifier: MIT
# Stats and the creative phase (issue 7) through the real closerd on a
# private bus, at fake dates: a designed history checked figure by figure
# (counts, averages, streaks, top and flat items, the heat map cells of a
# known week, the mood sparkline levels), a generated history (gen-history)
# checked against figures computed from its raw rows, the phase rules at
# their edges, twists only in the creative phase and within the rules,
# PhaseChanged once per change, and stats in a terminal, with NO_COLOR and
# piped.
#
# The fake clock: libfaketime (FAKETIME=@...) with tests/data/faketime-timerfd.c
# in front of it (faketime_preload in lib.sh; see there why).
# The faketime wrapper is not used: it does not pass SIGTERM on.
. "$(dirname "$0")/lib.sh"

GEN_FIXTURE=$TOP/$B/tests/gen-fixture
GEN_HISTORY=$TOP/$B/tests/gen-history


# The helpers live in a world of their own, removed at exit like the others.
new_world tools
T=$W
cat >"$T/stats.py" <<'PY'
"""The stats test's own arithmetic: the documented figures of GetStats
(dbus/io.github.closer.Closer1.xml) computed independently of the daemon,
from a fixture this script designs or from the raw rows of a database.

  stats.py fixture TODAY RECORDS        writes gen-fixture's script on stdout
                                        and the records as JSON to RECORDS
  stats.py records-from-db DB RECORDS   the rows of a closer.db as records
  stats.py check RECORDS TODAY NOW WEEKS GOT_JSON [HUMAN]
                                        compares; prints PASS|desc or
                                        FAIL|desc|got|want lines
"""
import datetime
import json
import os
import sqlite3
import sys
from zoneinfo import ZoneInfo

TZ = ZoneInfo(os.environ.get("TZ", "Europe/Berlin"))
EPOCH = datetime.date(1970, 1, 1)
CATEGORIES = ["affection", "love", "lust", "fun"]
MODES = ["in-person", "remote", "makeup"]
DN_STATUS = ["planned", "happened", "missed", "skipped"]
P_STATUS = ["open", "kept", "broken", "moved"]
BLOCKS = "▁▂▃▄▅▆▇█"


def dnum(s):
    return (datetime.date.fromisoformat(s) - EPOCH).days


def dstr(n):
    return (EPOCH + datetime.timedelta(days=n)).isoformat()


def weekday(n):  # ISO, 1 Monday; 1970-01-01 was a Thursday
    return (n + 3) % 7 + 1


def epoch(day, minute):
    d = EPOCH + datetime.timedelta(days=day)
    t = datetime.datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=TZ)
    return int(t.timestamp())


def level(v):
    """The sparkline block of a 1-5 value: (v-1)/4*7 rounded half up."""
    i = int((v - 1.0) / 4.0 * 7.0 + 0.5)
    return BLOCKS[max(0, min(7, i))]


def avg(xs):
    return sum(xs) / len(xs) if xs else None


# --- a designed history -------------------------------------------------------

def design(today):
    """Twelve weeks (and two before) where each figure is known by design."""
    mon = today - (weekday(today) - 1)
    frm = mon - 77  # --weeks 12
    items = {}
    script = []

    def item(i, cat, inten, review, title):
        items[i] = {"category": cat, "title": title}
        script.append(f"item {cat} {inten} {review} {title}")

    item(1, "affection", 1, "ok", "Breakfast in bed")
    item(2, "love", 1, "ok", "A long hug at the door")
    item(3, "fun", 2, "ok", "Dance in the kitchen")
    item(4, "lust", 3, "ok", "Something explicit")
    item(5, "affection", 2, "ok", "A handwritten note")
    item(6, "love", 1, "new", "Tell me why you love me")
    item(7, "fun", 1, "ok", "A silly game")
    item(8, "affection", 1, "ok", "Warm my side of the bed")
    item(9, "love", 2, "ok", "Hold hands in public")
    item(10, "fun", 1, "ok", "Pick me up from work")
    item(11, "lust", 2, "ok", "Küsse am Morgen ♥")
    item(12, "fun", 1, "ok", "Filler item")

    acts, moods, dns, promises, advances = [], [], [], [], []

    def act(day, kind, it, status, resp=None):
        acts.append({"day": day, "kind": kind, "item": it, "status": status, "response": resp})
        script.append(f"act {dstr(day)} {kind} {it if it else '-'} {status} {resp or 0}")

    def mood(day, v):
        moods.append({"day": day, "mood": v})
        script.append(f"mood {dstr(day)} {v}")

    def dn(day, hhmm, mode, status):
        h, m = map(int, hhmm.split(":"))
        dns.append({"start": epoch(day, h * 60 + m), "mode": mode, "status": status})
        script.append(f"dn {dstr(day)} {hhmm} {mode} {status}")

    def promise(day, status, moves=()):
        promises.append({"created": epoch(day, 12 * 60), "status": status, "moves": list(moves)})
        script.append(f"promise {dstr(day)} 12:00 {dstr(day + 3)} 19:00 {status} {' '.join(moves)}".rstrip())

    def advance(day, by, outcome):
        advances.append({"at": epoch(day, 13 * 60), "by": by, "accepted": outcome == "accepted"})
        script.append(f"advance {dstr(day)} 13:00 {by} {outcome}")

    script.append(f"start warm {dstr(frm - 200)}")
    script.append("phase steady")

    gaps = {frm + 5, frm + 19, frm + 40, frm + 63}  # 09-26, 10-10, 10-31, 11-23
    known = mon - 14  # the heat map's known week: Monday 11-23
    known_counts = [0, 1, 2, 3, 4, 5, 1]

    # Two weeks before the period: a run that crosses its start, item 10's
    # good responses, and one of everything that must not be counted.
    for d in range(frm - 14, frm):
        if d in (frm - 13, frm - 12, frm - 11):
            act(d, "daily", 10, "done", 5)
        else:
            act(d, "daily", 12, "done")
        mood(d, 5)
    act(frm - 2, "daily", 7, "skipped")
    act(frm - 1, "extra", None, "done", 1)
    dn(frm - 1, "23:00", "in-person", "happened")  # ends inside the period
    promise(frm - 1, "kept")
    advance(frm - 1, "me", "accepted")

    # Responses by design: item -> responses (None: done, not observed).
    designed = [
        (1, [5, 5, 5]), (11, [5, 5, 5, 5]), (2, [5, 5, 4]), (3, [4, 5, 4, 4]),
        (4, [4, 4, 4]), (5, [3, 4, 3, 4]), (6, [3, 3, 3]), (7, [2, 3, 2]),
        (8, [1, 2, 1, 2]), (9, [1, 1]), (10, [1]),
    ]
    queue = [(i, r) for i, rs in designed for r in rs]
    reroll_days = {frm + 2, frm + 30, frm + 50}
    extra_days = {frm + 8: (9, None), frm + 9: (9, None), frm + 10: (9, None),
                  frm + 25: (None, 4), frm + 45: (3, None)}
    for d in range(frm, today):
        if known <= d < known + 7:
            continue
        if d in gaps:
            if d == frm + 19:
                act(d, "daily", 12, "open")
            elif d == frm + 40:
                act(d, "daily", 12, "skipped")
            continue
        if d in reroll_days:
            act(d, "daily", 7, "skipped")
        if queue:
            it, r = queue.pop(0)
            act(d, "daily", it, "done", r)
        else:
            act(d, "daily", 12, "done")
        if d in extra_days:
            it, r = extra_days[d]
            act(d, "extra", it, "done", r)
    assert not queue
    # The known week: 0, 1, 2, 3, 4, 5 and 1 acts done from Monday on.
    for k, n in enumerate(known_counts):
        d = known + k
        for j in range(n):
            if j == 0:
                act(d, "daily", 12, "done", 3 if k == 3 else None)
            elif j == 1:
                act(d, "extra", None, "done", 2 if k in (2, 3) else None)
            else:
                act(d, "extra", 12, "done", 4 if j == 2 else None)
    act(today, "daily", 12, "done", 3)

    # Moods: a weekly average for each level of the sparkline (and none).
    weekly = [[1] * 7, [1, 2] * 3, [2] * 7, [2, 3] * 3, "3", None, [4] * 7, [4, 5] * 3, [5] * 5,
              [3, 4] * 3, [2] * 4, None]
    for w, spec in enumerate(weekly):
        base = frm + 7 * w
        if spec == "3":  # a day with two entries (4, then 3): the day's mood is the last, 3
            for k in range(6):
                mood(base + k, 3)
            mood(base + 6, 4)
            mood(base + 6, 3)
        elif spec:
            for k, v in enumerate(spec):
                mood(base + k, v)
    mood(mon, 4)
    mood(mon + 1, 5)
    mood(today, 4)

    # Date nights, Fridays at 20:00 (a make-up on a Saturday).
    fri = frm + 4
    dn(fri, "20:00", "in-person", "happened")
    dn(fri + 7, "20:00", "remote", "happened")
    dn(fri + 14, "20:00", "in-person", "missed")
    dn(fri + 15, "20:00", "makeup", "happened")
    dn(fri + 21, "20:00", "in-person", "skipped")
    dn(fri + 28, "20:00", "in-person", "happened")
    dn(fri + 35, "20:00", "remote", "missed")
    dn(fri + 42, "20:00", "in-person", "planned")
    dn(fri + 49, "20:00", "in-person", "happened")
    dn(fri + 56, "20:00", "in-person", "happened")
    dn(fri + 63, "20:00", "in-person", "missed")
    dn(fri + 70, "20:00", "in-person", "happened")

    promise(frm + 1, "kept")
    promise(frm + 8, "kept", ["partner"])
    promise(frm + 15, "kept", ["me"])
    promise(frm + 22, "broken")
    promise(frm + 29, "broken", ["me", "partner"])
    promise(frm + 43, "open")
    promise(frm + 50, "moved", ["partner"])
    promise(today - 8, "open")
    for k, (by, out) in enumerate([("me", "accepted"), ("me", "accepted"), ("me", "declined"),
                                   ("me", "accepted"), ("partner", "accepted"), ("partner", "declined"),
                                   ("partner", "declined"), ("partner", "accepted")]):
        advance(frm + 3 + 9 * k, by, out)

    rec = {"items": {str(k): v for k, v in items.items()}, "acts": acts, "moods": moods, "dns": dns,
           "promises": promises, "advances": advances, "known_week": dstr(known), "known_counts": known_counts}
    return script, rec


def records_from_db(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    items = {str(i): {"category": CATEGORIES[c], "title": t}
             for i, c, t in db.execute("SELECT id, category, title FROM items")}
    acts = [{"day": d, "kind": "daily" if k == 0 else "extra", "item": it,
             "status": ["open", "done", "skipped"][s], "response": r}
            for d, k, it, s, r in db.execute("SELECT day, kind, item_id, status, response FROM acts")]
    moods = [{"day": d, "mood": m} for d, m in db.execute("SELECT day, mood FROM moods ORDER BY id")]
    dns = [{"start": s, "mode": MODES[m], "status": DN_STATUS[st]}
           for s, m, st in db.execute("SELECT start, mode, status FROM datenights")]
    moves = {}
    for pid, bp in db.execute("SELECT promise_id, by_partner FROM promise_moves"):
        moves.setdefault(pid, []).append("partner" if bp else "me")
    promises = [{"created": c, "status": P_STATUS[s], "moves": moves.get(i, [])}
                for i, c, s in db.execute("SELECT id, created, status FROM promises")]
    advances = [{"at": a, "by": "partner" if bp else "me", "accepted": bool(acc)}
                for a, bp, acc in db.execute("SELECT at, by_partner, accepted FROM advances")]
    return {"items": items, "acts": acts, "moods": moods, "dns": dns, "promises": promises,
            "advances": advances}


# --- the figures ----------------------------------------------------------------

def expect(rec, today, now, weeks):
    frm = today - (weekday(today) - 1) - 7 * (weeks - 1)
    in_period = lambda d: frm <= d <= today
    from_epoch = epoch(frm, 0)
    acts = [a for a in rec["acts"] if in_period(a["day"])]
    done = [a for a in acts if a["status"] == "done"]
    e = {"from": dstr(frm), "to": dstr(today), "weeks": weeks,
         "acts_done": len(done),
         "daily_done": sum(a["kind"] == "daily" for a in done),
         "extras": sum(a["kind"] == "extra" for a in done),
         "rerolled": sum(a["kind"] == "daily" and a["status"] == "skipped" for a in acts),
         "days_with_acts": len({a["day"] for a in done})}
    all_done_days = {a["day"] for a in rec["acts"] if a["status"] == "done"}
    d = today if today in all_done_days else today - 1
    streak = 0
    while d in all_done_days:
        streak, d = streak + 1, d - 1
    e["streak_current"] = streak
    best = run = 0
    for d in range(frm, today + 1):
        run = run + 1 if d in all_done_days else 0
        best = max(best, run)
    e["streak_longest"] = best

    # The day's mood is the last one recorded that day; a week's, the
    # average of its days' moods.
    last_mood = {}
    for m in rec["moods"]:
        last_mood[m["day"]] = m["mood"]

    def bucket(days):
        dd = [a for a in done if a["day"] in days]
        ms = [last_mood[d] for d in sorted(days) if d in last_mood]
        rs = [a["response"] for a in dd if a["response"]]
        return {"acts": len(dd), "mood": avg(ms), "response": avg(rs)}

    e["days"] = [dict(date=dstr(d), **bucket({d})) for d in range(frm, today + 1)]
    e["weekly"] = [dict(week=dstr(frm + 7 * w), **bucket(set(range(frm + 7 * w, min(frm + 7 * w + 7, today + 1)))))
                   for w in range(weeks)]
    months = {}
    for d in range(frm, today + 1):
        months.setdefault(dstr(d)[:7], []).append(d)
    e["monthly"] = [dict(month=dstr(ds[0]), days=len(ds), active_days=sum(d in {a["day"] for a in done} for d in ds),
                         **bucket(set(ds))) for ds in months.values()]
    e["streak_longest_all"] = 0
    run = 0
    for d in range(min(all_done_days, default=0), max(all_done_days, default=-1) + 1):
        run = run + 1 if d in all_done_days else 0
        e["streak_longest_all"] = max(e["streak_longest_all"], run)
    per = {}
    for a in done:
        if a["item"]:
            per.setdefault(a["item"], []).append(a["response"])
    ranked = []
    for it, rs in per.items():
        obs = [r for r in rs if r]
        if len(rs) >= 3 and obs:  # issue 7: at least 3 acts, averaged over the responses observed
            info = rec["items"][str(it)]
            ranked.append({"item": it, "title": info["title"], "category": info["category"], "acts": len(rs),
                           "response": avg(obs)})
    ranked.sort(key=lambda x: (-x["response"], x["item"]))
    e["top_items"] = ranked[:5]
    # The ones that fall flat: from the bottom, at most 2.5, never one of the top five.
    e["flat_items"] = [x for x in reversed(ranked[5:]) if x["response"] <= 2.5][:5]
    cats = []
    for c in CATEGORIES:
        cs = [a for a in done if a["item"] and rec["items"][str(a["item"])]["category"] == c]
        if cs:
            cats.append({"category": c, "acts": len(cs), "response": avg([a["response"] for a in cs if a["response"]])})
    e["categories"] = cats
    nights = [n for n in rec["dns"] if from_epoch <= n["start"] < now]
    e["date_nights"] = {"happened": sum(n["status"] == "happened" for n in nights),
                        "remote": sum(n["mode"] == "remote" and n["status"] != "skipped" for n in nights),
                        "makeup": sum(n["mode"] == "makeup" and n["status"] != "skipped" for n in nights),
                        "missed": sum(n["status"] == "missed" for n in nights),
                        "skipped": sum(n["status"] == "skipped" for n in nights),
                        "unlogged": sum(n["status"] == "planned" for n in nights)}
    ps = [p for p in rec["promises"] if p["created"] >= from_epoch]
    e["promises"] = {"kept": sum(p["status"] == "kept" for p in ps),
                     "broken": sum(p["status"] == "broken" for p in ps),
                     "open": sum(p["status"] in ("open", "moved") for p in ps),
                     "moved_by_me": sum(p["moves"].count("me") for p in ps),
                     "moved_by_partner": sum(p["moves"].count("partner") for p in ps),
                     "kept_on_time": sum(p["status"] == "kept" and "me" not in p["moves"] for p in ps)}
    ad = [a for a in rec["advances"] if a["at"] >= from_epoch]
    e["initiations"] = {"by_me": sum(a["by"] == "me" for a in ad),
                        "by_me_accepted": sum(a["by"] == "me" and a["accepted"] for a in ad),
                        "by_partner": sum(a["by"] == "partner" for a in ad),
                        "by_partner_accepted": sum(a["by"] == "partner" and a["accepted"] for a in ad)}
    return e


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-9
    return a == b


def check_months(e, lines, res):
    """Past 32 weeks: a row per year, a column per month (4 characters, the
    cell in the second): the heat map by the share of days with an act, the
    mood and the responses by their level."""
    def grid(label_):
        k = next((i for i, l in enumerate(lines) if l.startswith(label_ + " ")), None)
        if k is None:
            return {}
        g = {}
        for l in lines[k + 1:]:
            if len(l) < 20 or not l[15:19].isdigit() or l[:15].strip():
                break
            cells = l[20:]
            for m in range(12):
                c = cells[4 * m + 1:4 * m + 2] if len(cells) > 4 * m + 1 else ""
                if c.strip():
                    g[f"{l[15:19]}-{m + 1:02d}"] = c
        return g
    shades = "·░▒▓█"

    def shade(x):
        return shades[0 if x["active_days"] == 0 else 1 + (x["active_days"] * 4 - 1) // x["days"]]
    for lab, f in (("Acts done", shade), ("Mood", lambda x: level(x["mood"]) if x["mood"] is not None else "·"),
                   ("Responses", lambda x: level(x["response"]) if x["response"] is not None else "·")):
        want = {x["month"][:7]: f(x) for x in e["monthly"]}
        g = grid(lab)
        res(f"human: {lab.lower()} by month, every cell", g == want,
            "".join(g.values())[-40:], "".join(want.values())[-40:])
    a = next((i for i, l in enumerate(lines) if l.startswith("Acts done")), 0)
    b = next((i for i, l in enumerate(lines) if "(per month, 1-5)" in l), len(lines))
    res("human: the months as columns fit 80 columns", b > a and all(len(l) <= 80 for l in lines[a:b + 1]),
        max(len(l) for l in lines[a:b + 1]), 80)
    return None


def check(rec, today, now, weeks, got, human, label):
    e = expect(rec, today, now, weeks)
    out = []

    def res(desc, ok, g="", w=""):
        out.append(f"PASS|{label}{desc}" if ok else f"FAIL|{label}{desc}|{g}|{w}")

    for k in ("from", "to", "weeks", "acts_done", "daily_done", "extras", "rerolled", "days_with_acts",
              "streak_current", "streak_longest", "streak_longest_all"):
        res(k, got.get(k) == e[k], got.get(k), e[k])

    def rows(name, key, fields):
        g, w = got.get(name, []), e[name]
        if len(g) != len(w):
            return res(f"{name}: {len(w)} entries", False, len(g), len(w))
        for f in fields:
            bad = [(x[key], x.get(f), y[f]) for x, y in zip(g, w) if x.get(key) != y[key] or not same(x.get(f), y[f])]
            res(f"{name}: {f} of each", not bad, bad[:3], "")

    rows("days", "date", ("acts", "mood", "response"))
    rows("weekly", "week", ("acts", "mood", "response"))
    rows("monthly", "month", ("acts", "days", "active_days", "mood", "response"))
    for name in ("top_items", "flat_items"):
        g, w = got.get(name, []), e[name]
        res(f"{name}: the items in order", [x.get("item") for x in g] == [x["item"] for x in w],
            [x.get("item") for x in g], [x["item"] for x in w])
        bad = [(x, y) for x, y in zip(g, w)
               if not all(same(x.get(f), y[f]) for f in ("title", "category", "acts", "response"))]
        res(f"{name}: title, category, acts, response", not bad and len(g) == len(w), bad[:2], "")
    g, w = got.get("categories", []), e["categories"]
    res("categories", len(g) == len(w) and all(x.get("category") == y["category"] and x.get("acts") == y["acts"]
                                               and same(x.get("response"), y["response"]) for x, y in zip(g, w)),
        g, w)
    for name in ("date_nights", "promises", "initiations"):
        res(name, got.get(name) == e[name], got.get(name), e[name])

    if human is not None:
        lines = human.splitlines()

        def line(label_):
            return next((l for l in lines if l.startswith(label_)), "")

        if weeks > 32:
            return check_months(e, lines, res) or out
        for lab, key in (("Mood", "mood"), ("Responses", "response")):
            want = "".join(level(x[key]) if x[key] is not None else "·" for x in e["weekly"])
            l = line(lab)
            got_s = l[15:15 + len(want)] if len(l) > 15 else l
            res(f"human: the {lab.lower()} sparkline", got_s == want, got_s, want)
        pl = lambda n, one, many: f"{n} {one if n == 1 else many}"
        res("human: the streak line",
            f"{pl(e['streak_current'], 'day', 'days')} now, longest {pl(e['streak_longest'], 'day', 'days')} in "
            f"{'this week' if weeks == 1 else f'these {weeks} weeks'}, {e['streak_longest_all']} all time"
            in line("Streak"),
            line("Streak"), "")
        res("human: the acts line",
            f"{e['acts_done']} done ({e['daily_done']} daily, {pl(e['extras'], 'extra', 'extras')}), "
            f"{e['rerolled']} rerolled, on {e['days_with_acts']} of {pl(len(e['days']), 'day', 'days')}"
            in line("Acts  "), line("Acts  "), "")
        dn_ = e["date_nights"]
        res("human: the date nights line",
            f"{dn_['happened']} happened, {dn_['remote']} remote, {pl(dn_['makeup'], 'make-up', 'make-ups')}, "
            f"{dn_['missed']} missed, "
            f"{dn_['skipped']} skipped" in line("Date nights"), line("Date nights"), "")
        # The heat map: one row per weekday, one cell per week.
        shades = "·░▒▓█"
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        grid = {}
        for l in lines:
            if len(l) >= 15 and l[:14].strip() in names:
                grid[l[:14].strip()] = l[15:].split()
        want_grid = {n: [shades[min(4, x["acts"])] for x in e["days"][k::7]] for k, n in enumerate(names)}
        res("human: the heat map, every cell", grid == want_grid,
            {k: "".join(v) for k, v in grid.items()}, {k: "".join(v) for k, v in want_grid.items()})
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "fixture":
        script, rec = design(dnum(sys.argv[2]))
        print("\n".join(script))
        with open(sys.argv[3], "w") as f:
            json.dump(rec, f)
    elif cmd == "records-from-db":
        with open(sys.argv[3], "w") as f:
            json.dump(records_from_db(sys.argv[2]), f)
    elif cmd == "check":
        rec = json.load(open(sys.argv[2]))
        today, now, weeks = dnum(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        got = json.load(open(sys.argv[6]))
        human = open(sys.argv[7]).read() if len(sys.argv) > 7 else None
        label = sys.argv[8] if len(sys.argv) > 8 else ""
        print("\n".join(check(rec, today, now, weeks, got, human, label)))
    elif cmd == "epoch":
        print(epoch(dnum(sys.argv[2]), int(sys.argv[3])))
    elif cmd == "levels":  # the expected weekly mood levels of a stats JSON
        got = json.load(open(sys.argv[2]))
        print("".join(level(w["mood"]) if "mood" in w else "·" for w in got["weekly"]))


if __name__ == "__main__":
    main()
PY
faketime_preload "$T" || {
        skip "libfaketime and a C compiler are needed for a fake clock"
        done_testing
}
if [[ ! -x $GEN_FIXTURE || ! -x $GEN_HISTORY ]]; then
        not_ok "the test tools are built (make $B/tests/gen-fixture $B/tests/gen-history)"
        done_testing
fi

# start_at "YYYY-MM-DD HH:MM:SS": closerd with its clock starting there.
start_at() {
        start_daemon env LD_PRELOAD="$FAKETIME_PRELOAD" FAKETIME="@$1" FAKETIME_DONT_FAKE_MONOTONIC=1
}
restart_at() {
        stop_daemon
        start_at "$1"
}
# fixture TODAY < SCRIPT: gen-fixture into this world's data dir.
fixture() {
        "$GEN_FIXTURE" "$XDG_DATA_HOME/closer" "$1" >"$W/fixture.out" 2>&1 ||
                { diag "gen-fixture failed: $(cat "$W/fixture.out")"; return 1; }
}
py() { python3 "$T/stats.py" "$@"; }
# Strips the colour codes and the pty's carriage returns.
plain() { sed -e $'s/\033\\[[0-9;]*m//g' -e $'s/\r$//'; }

# --- a designed history, figure by figure -------------------------------------

TODAY=2026-12-09 # a Wednesday; the 12 weeks run from Monday 2026-09-21
NOW=$(($(py epoch $TODAY 450) + 120))
new_world stats
py fixture $TODAY "$W/records.json" >"$W/fixture.txt"
check "gen-fixture writes the designed history" fixture $TODAY <"$W/fixture.txt"
is "the items have the IDs the design numbers them by" "$(awk '{printf "%s ", $2}' "$W/fixture.out")" \
        "1 2 3 4 5 6 7 8 9 10 11 12 "
start_at "$TODAY 07:30:00"

json stats >"$W/s12.json"
ctl stats >"$W/s12.txt"
report < <(py check "$W/records.json" $TODAY $NOW 12 "$W/s12.json" "$W/s12.txt" "12 weeks: ")
for weeks in 4 1 520; do
        json stats --weeks $weeks >"$W/s$weeks.json"
        ctl stats --weeks $weeks >"$W/s$weeks.txt"
        report < <(py check "$W/records.json" $TODAY $NOW $weeks "$W/s$weeks.json" "$W/s$weeks.txt" "$weeks weeks: ")
done

# The same figures, spelled out by design.
s=$(cat "$W/s12.json")
is "default period is 12 weeks" "$(jget "$s" 'd["weeks"], d["from"], d["to"], len(d["days"]), len(d["weekly"])')" \
        "(12, '2026-09-21', '2026-12-09', 80, 12)"
is "counts: done, daily, extras, rerolled, days" \
        "$(jget "$s" '[d[k] for k in ("acts_done","daily_done","extras","rerolled","days_with_acts")]')" \
        "[91, 76, 15, 4, 76]"
is "streaks: 16 now (Nov 24 on), longest 22 in the period (Nov 1-22)" \
        "$(jget "$s" 'd["streak_current"], d["streak_longest"]')" "(16, 22)"
is "a run that began before the period counts only its days inside" \
        "$(jget "$(json stats --weeks 1)" 'd["streak_current"], d["streak_longest"]')" "(16, 3)"
is "heat map: acts of the known week Nov 23-29" \
        "$(jget "$s" '[x["acts"] for x in d["days"] if "2026-11-23" <= x["date"] <= "2026-11-29"]')" \
        "[0, 1, 2, 3, 4, 5, 1]"
is "heat map: responses of the known week (extras without an item count)" \
        "$(jget "$s" '[x.get("response") for x in d["days"] if "2026-11-23" <= x["date"] <= "2026-11-29"]')" \
        "[None, None, 2.0, 3.0, 4.0, 4.0, None]"
is "heat map: the known week's column in the terminal" \
        "$(for day in Mon Tue Wed Thu Fri Sat Sun; do
                grep -E "^ +$day " "$W/s12.txt" | cut -c16- | awk '{printf "%s", $10}'
        done)" "·░▒▓██░"
is "a day with two moods (4, then 3): the day's mood is the last" \
        "$(jget "$s" '[x.get("mood") for x in d["days"] if x["date"] == "2026-10-25"]')" "[3.0]"
is "weekly mood: one week for each level, and one without" \
        "$(jget "$s" '[round(w["mood"], 3) if "mood" in w else None for w in d["weekly"]]')" \
        "[1.0, 1.5, 2.0, 2.5, 3.0, None, 4.0, 4.5, 5.0, 3.5, 2.0, 4.333]"
is "mood levels of the JSON values: (v-1)/4*7 rounded half up" "$(py levels "$W/s12.json")" "▁▂▃▄▅·▆▇█▅▃▇"
is "mood sparkline in the terminal output" "$(grep '^Mood' "$W/s12.txt" | cut -c16- | awk '{print $1}')" \
        "▁▂▃▄▅·▆▇█▅▃▇"
is "top items: best average first, ties by ID, five at most" "$(jget "$s" '[x["item"] for x in d["top_items"]]')" \
        "[1, 11, 2, 3, 4]"
is "top items: acts and average of the third" \
        "$(jget "$s" 'd["top_items"][2]["acts"], round(d["top_items"][2]["response"], 4)')" "(3, 4.6667)"
is "flat items: at most 2.5, the flattest first, none of the top five" \
        "$(jget "$s" '[(x["item"], round(x["response"], 2)) for x in d["flat_items"]]')" "[(9, 1.0), (8, 1.5), (7, 2.33)]"
is "an item with 5 acts but 2 observed responses is ranked by those two" \
        "$(jget "$s" '[(x["acts"]) for x in d["top_items"] + d["flat_items"] if x["item"] == 9]')" "[5]"
is "responses before the period do not rank an item (item 10)" \
        "$(jget "$s" '[x for x in d["top_items"] + d["flat_items"] if x["item"] == 10]')" "[]"
is "date nights by outcome" "$(jget "$s" 'sorted(d["date_nights"].items())')" \
        "[('happened', 7), ('makeup', 1), ('missed', 3), ('remote', 2), ('skipped', 1), ('unlogged', 1)]"
is "rain checks" "$(jget "$s" 'sorted(d["promises"].items())')" \
        "[('broken', 2), ('kept', 3), ('kept_on_time', 2), ('moved_by_me', 2), ('moved_by_partner', 3), ('open', 3)]"
is "initiations" "$(jget "$s" 'sorted(d["initiations"].items())')" \
        "[('by_me', 4), ('by_me_accepted', 3), ('by_partner', 4), ('by_partner_accepted', 2)]"
like "human: rain checks kept ratio" "$(grep '^Rain checks' "$W/s12.txt")" "3 kept \\(2 on time\\), 2 broken.*: 60% kept"
like "human: initiations" "$(grep '^Initiations' "$W/s12.txt")" "me 4 \\(3 accepted\\), my partner 4 \\(2 accepted\\)"
like "human: best received" "$(grep '^Best received' "$W/s12.txt")" "5\\.0  Breakfast in bed \\(affection, 3 acts\\)"

# --- in a terminal, with NO_COLOR, and piped ------------------------------------

piped=$(cat "$W/s12.txt")
[[ $piped != *$'\033'* ]] && ok "piped: no escape codes" || not_ok "piped: no escape codes"
[[ $piped == *"▁"* && $piped == *"█"* && $piped == *"░"* ]] && ok "piped: still the unicode blocks" ||
        not_ok "piped: still the unicode blocks"
CTL_Q=$(printf '%q' "$CLOSERCTL")
tty=$(script -qc "$CTL_Q stats" /dev/null </dev/null)
[[ $tty == *$'\033['*m* ]] && ok "terminal: ANSI colour codes" || not_ok "terminal: ANSI colour codes"
is "terminal: the same text once the colour is taken out" "$(printf '%s\n' "$tty" | plain)" "$piped"
nocolor=$(NO_COLOR=1 script -qc "$CTL_Q stats" /dev/null </dev/null)
[[ $nocolor != *$'\033'* ]] && ok "terminal with NO_COLOR=1: no escape codes" ||
        not_ok "terminal with NO_COLOR=1: no escape codes"
is "terminal with NO_COLOR=1: the piped text" "$(printf '%s\n' "$nocolor" | plain)" "$piped"
tjson=$(script -qc "$CTL_Q --json stats" /dev/null </dev/null)
[[ $tjson != *$'\033'* ]] && ok "terminal --json: no escape codes" || not_ok "terminal --json: no escape codes"
is "terminal --json: the same document" "$(jget "$tjson" 'json.dumps(d, sort_keys=True)')" \
        "$(jget "$s" 'json.dumps(d, sort_keys=True)')"

refuses "--weeks 0" "weeks" ctl stats --weeks 0
refuses "--weeks 521" "520" ctl stats --weeks 521
refuses "--weeks not a number" "weeks" ctl stats --weeks many
err=$(busctl --user call io.github.closer.Closer1 /io/github/closer/Closer1 io.github.closer.Closer1 \
        GetStats u 0 2>&1)
like "bus: GetStats 0 weeks refused" "$err" "weeks must be 1 to 520"
stop_daemon

# --- a generated history against its own rows ---------------------------------

new_world history
if env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$TODAY 07:00:00" "$GEN_HISTORY" "$XDG_DATA_HOME/closer" 1 7 >"$W/gen.out" 2>&1
then
        ok "gen-history writes a year"
        start_at "$TODAY 07:30:00"
        for weeks in 12 52; do
                json stats --weeks $weeks >"$W/h$weeks.json"
                ctl stats --weeks $weeks >"$W/h$weeks.txt"
        done
        stop_daemon
        py records-from-db "$XDG_DATA_HOME/closer/closer.db" "$W/records.json"
        for weeks in 12 52; do
                report < <(py check "$W/records.json" $TODAY $NOW $weeks "$W/h$weeks.json" "$W/h$weeks.txt" \
                        "generated, $weeks weeks: ")
        done
else
        not_ok "gen-history writes a year"
        diag "$(cat "$W/gen.out")"
fi

# --- the phase at its edges, through the daemon ----------------------------------

# phase_case DESC PHASE PROGRESS-REGEX < FIXTURE: a fresh data dir with the
# fixture, the daemon started on $TODAY, the phase and its explanation.
phase_case() {
        new_world phase
        fixture $TODAY || { not_ok "$1: fixture"; return; }
        start_at "$TODAY 07:30:00"
        local st
        st=$(json status)
        is "$1: phase $2" "$(jget "$st" 'd["phase"]')" "$2"
        like "$1: status explains" "$(jget "$st" 'd["phase_progress"]')" "$3"
}

phase_case "21 acts in the last 28 days, 28 days since the start" creative \
        "^creative: 21 of 21 acts in the last 28 days and 4 weeks since the start" <<'FX'
start warm -28
phase steady
item affection 1 ok One
acts -21 -1 1
FX
restart_at "$TODAY 07:45:00"
is "creative kept after a restart" "$(jget "$(json status)" 'd["phase"]')" creative
like "human status: the phase and what unlocked it" "$(ctl status)" \
        "Phase: +creative.*"$'\n'" +creative: 21 of 21 acts in the last 28 days"
stop_daemon

phase_case "20 acts in the last 28 days" steady "^steady: .*now 20 of 21 acts in the last 28 days\$" <<'FX'
start warm -28
phase steady
item affection 1 ok One
acts -20 -1 1
FX
stop_daemon

phase_case "27 days since the start" steady "^steady: .*now day 27 of 28 since the start\$" <<'FX'
start warm -27
phase steady
item affection 1 ok One
acts -21 -1 1
FX
stop_daemon

phase_case "the 21st act on the first day of the window (today - 27)" creative "^creative: 21 of 21" <<'FX'
start warm -40
phase steady
item affection 1 ok One
acts -20 -1 1
act -27 daily 1 done
FX
stop_daemon

phase_case "the 21st act a day before the window (today - 28)" steady "now 20 of 21 acts in the last 28 days\$" <<'FX'
start warm -40
phase steady
item affection 1 ok One
acts -20 -1 1
act -28 daily 1 done
FX
stop_daemon

phase_case "today's act counts" creative "^creative: 21 of 21" <<'FX'
start warm -40
phase steady
item affection 1 ok One
acts -20 0 1
FX
stop_daemon

phase_case "creative, nothing done for 6 days" creative \
        "^creative: kept while something is done every week \\(3 acts in the last 28 days, the last one 6 days ago\\)" <<'FX'
start warm -60
phase creative
item affection 1 ok One
acts -8 -6 1
FX
stop_daemon

phase_case "creative, nothing done for 7 days" steady "nothing done for 7 days\$" <<'FX'
start warm -60
phase creative
item affection 1 ok One
acts -40 -7 1
FX
stop_daemon

phase_case "enough acts but none in the last 7 days" steady "^steady: .*now nothing done for 7 days\$" <<'FX'
start warm -60
phase steady
item affection 1 ok One
acts -40 -7 1
FX
stop_daemon

phase_case "cold start, day 41: the ramp" ramp "^ramp: intensity up to 2 .* widens to intensity 3 on 2026-12-10" <<'FX'
start cold -41
phase ramp
item affection 1 ok One
acts -41 -1 1
FX
stop_daemon

phase_case "cold start, day 42: the ramp is over" creative "^creative: 27 acts in the last 28 days \\(21 needed\\) and 6 weeks since the start" <<'FX'
start cold -42
phase ramp
item affection 1 ok One
acts -42 -1 1
FX
stop_daemon

phase_case "cooling start, day 21: steady" steady "now 0 of 21 acts in the last 28 days, day 21 of 28 since the start\$" <<'FX'
start cooling -21
phase ramp
item affection 1 ok One
FX
stop_daemon

# --- twists: only in the creative phase, and within the rules ------------------

# Items 9 (discuss) and 10 (no) have the best responses of all; 11 is the
# one item a combination may use (ok, average 4.0, done 3 times); 12 has
# a higher average but was never done (two skipped acts with responses);
# 13 was done ten times at an average of 3.8.
twist_fixture() { # PHASE SEED
        cat <<FX
start warm -60
phase $1
setting pick.seed $2
item affection 1 ok Filler one
item love 1 ok Filler two
item fun 2 ok Filler three
item lust 3 ok Filler four
item affection 2 new Filler five
item love 1 ok Filler six
item fun 1 ok Filler seven
item affection 1 ok Filler eight
item love 1 discuss Under discussion
item fun 1 no Said no
item affection 1 ok Well received
item love 1 ok Liked twice
item fun 1 ok Liked but plain
acts -50 -47 9 5
acts -46 -43 10 5
acts -40 -38 11 4
act -37 daily 12 skipped 5
act -36 daily 12 skipped 4
acts -35 -28 13 4
acts -27 -26 13 3
acts -6 -1 8
FX
}

new_world twist
twist_fixture creative 3 | fixture 2026-12-01
days_with_twist=() combined=0 changed=0 bad_item=() bad_combine=() prev=
for k in 0 1 2 3 4 5 6 7 8 9; do
        day=$(printf '2026-12-%02d' $((1 + k)))
        start_at "$day 09:00:00"
        t=$(json today)
        st=$(json status)
        item=$(jget "$t" 'd["act"]["item"]')
        twist=$(jget "$t" 'd["act"].get("twist") or ""')
        [[ $(jget "$st" 'd["phase"]') == creative ]] || bad_item+=("$day: phase $(jget "$st" 'd["phase"]')")
        [[ $item == 9 || $item == 10 ]] && bad_item+=("$day: act $item")
        if [[ -n $twist ]]; then
                days_with_twist+=("$k")
                if [[ $twist =~ ^combine\ it\ with\ item\ ([0-9]+):\ (.*)$ ]]; then
                        combined=$((combined + 1))
                        [[ ${BASH_REMATCH[1]} == 11 && $item != 11 && ${BASH_REMATCH[2]} == "Well received" ]] ||
                                bad_combine+=("$day: act $item, $twist")
                else
                        changed=$((changed + 1))
                        [[ $twist == *item* ]] && bad_combine+=("$day: $twist")
                fi
                [[ -n $prev && $prev == $((k - 1)) ]] && bad_combine+=("$day: a twist the day before too")
                prev=$k
        fi
        if ((k == 0)); then
                first_today=$t
                restart_at "$day 10:00:00"
                is "the same act and twist after a restart" "$(json today)" "$t"
        fi
        ctl done >/dev/null
        stop_daemon
done
is "creative phase all ten days, never an act under discuss or no" "${bad_item[*]}" ""
is "twists: combinations only with item 11, never the act itself; never two days running" "${bad_combine[*]}" ""
((${#days_with_twist[@]} >= 2)) && ok "twists on ${#days_with_twist[@]} of 10 days" ||
        not_ok "twists on ${#days_with_twist[@]} of 10 days"
((combined > 0 && changed > 0)) && ok "both kinds: $combined combinations, $changed changes of time or place" ||
        not_ok "both kinds: $combined combinations, $changed changes of time or place"

# Deterministic: the same history and seed elsewhere give the same day.
new_world twist2
twist_fixture creative 3 | fixture 2026-12-01
start_at "2026-12-01 09:00:00"
is "the same act and twist from the same history and seed" "$(jget "$(json today)" 'd["act"]')" \
        "$(jget "$first_today" 'd["act"]')"
stop_daemon

# Steady: never a twist.
new_world steady
twist_fixture steady 3 | fixture 2026-12-01
twists=
for k in 0 1 2 3 4; do
        day=$(printf '2026-12-%02d' $((1 + k)))
        start_at "$day 09:00:00"
        t=$(json today)
        ((k == 0)) && is "today --json: \"twist\": null when there is none" "$(jget "$t" '"twist" in d["act"]')" True
        twists+="$(jget "$(json status)" 'd["phase"]'):$(jget "$t" 'd["act"].get("twist")') "
        ctl done >/dev/null
        stop_daemon
done
is "steady for five days, and not one twist" "$twists" \
        "steady:None steady:None steady:None steady:None steady:None "

# The day a lapse ends the creative phase: the act picked that day must
# not have a twist. Started after daily.time (the act is picked at start)
# and, with daily.time 00:00, by the daemon's own timer at midnight (an
# open act the day before, so no twist then stands in the way).
for seed in 1 2 3 4; do
        new_world lapse
        fixture 2026-12-08 <<FX
start warm -60
phase creative
setting pick.seed $seed
item affection 1 ok Filler one
item love 1 ok Filler two
item fun 1 ok Filler three
item fun 1 ok Filler four
acts -30 -7 1
FX
        start_at "2026-12-08 09:00:00"
        is "lapse day, started at 09:00 (seed $seed): steady, no twist" \
                "$(jget "$(json status)" 'd["phase"]') $(jget "$(json today)" 'd["act"].get("twist")')" "steady None"
        stop_daemon
done
for seed in 1 2; do
        new_world lapse
        fixture 2026-12-08 <<FX
start warm -60
phase creative
setting pick.seed $seed
setting daily.time 00:00
item affection 1 ok Filler one
item love 1 ok Filler two
item fun 1 ok Filler three
item fun 1 ok Filler four
acts -30 -7 1
act -1 daily 2 open
FX
        start_at "2026-12-07 23:59:58"
        for i in $(seq 100); do grep -q 'Daily act of 2026-12-08' "$W/closerd.log" && break; sleep 0.1; done
        is "lapse day, the act picked by the midnight timer (seed $seed): steady, no twist" \
                "$(jget "$(json status)" 'd["phase"]') $(jget "$(json today)" 'd["act"].get("twist")')" "steady None"
        stop_daemon
done

# Between midnight and the next wake-up the phase status shows must agree
# with the sentence that explains it.
new_world midnight
fixture 2026-12-08 <<'FX'
start warm -60
phase creative
item affection 1 ok Filler one
item love 1 ok Filler two
acts -30 -7 1
act -1 daily 2 open
FX
# Eight seconds before midnight: room for a closerd under valgrind to start
# and answer while it is still the day before.
start_at "2026-12-07 23:59:52"
st=$(json status)
is "before midnight, nothing done for 6 days: creative" \
        "$(jget "$st" 'd["phase"], d["phase_progress"].split(":")[0]')" "('creative', 'creative')"
for i in $(seq 300); do
        st=$(json status)
        [[ $(jget "$st" 'd["phase_progress"]') == steady:* ]] && break
        sleep 0.1
done
is "after midnight, 7 days: the phase in status agrees with its explanation" \
        "$(jget "$st" 'd["phase"], d["phase_progress"].split(":")[0]')" "('steady', 'steady')"
stop_daemon

# --- PhaseChanged, once per change ---------------------------------------------

new_world signals
fixture 2026-12-01 <<'FX'
start warm -40
phase steady
item affection 1 ok One
item love 1 ok Two
item fun 1 ok Three
acts -20 -1 1
FX
"$CLOSERCTL" monitor >"$W/monitor.txt" 2>&1 &
MONITOR_PID=$!
for i in $(seq 100); do grep -q Listening "$W/monitor.txt" && break; sleep 0.05; done
phase_changes() { grep -c '^PhaseChanged' "$W/monitor.txt"; }
# wait_changes N: until N PhaseChanged have arrived (5 s at most), then a
# round trip through the daemon and a moment for a stray one to show.
wait_changes() {
        local i
        for i in $(seq 50); do (($(phase_changes) >= $1)) && break; sleep 0.1; done
        json status >/dev/null
        sleep 0.3
}

start_at "2026-12-01 09:00:00"
wait_changes 0
is "20 acts: steady, no PhaseChanged at start" "$(jget "$(json status)" 'd["phase"]'):$(phase_changes)" "steady:0"
check "the 21st act is done" ctl done
wait_changes 1
is "21 acts: creative" "$(jget "$(json status)" 'd["phase"]')" creative
is "one PhaseChanged steady -> creative" "$(grep '^PhaseChanged' "$W/monitor.txt")" \
        'PhaseChanged old="steady" new="creative"'
restart_at "2026-12-01 10:00:00"
wait_changes 1
is "restart the same day: creative, no PhaseChanged again" "$(jget "$(json status)" 'd["phase"]'):$(phase_changes)" \
        "creative:1"
restart_at "2026-12-02 09:00:00"
wait_changes 1
is "the next day: creative, no PhaseChanged" "$(jget "$(json status)" 'd["phase"]'):$(phase_changes)" "creative:1"
restart_at "2026-12-07 09:00:00"
wait_changes 1
is "nothing done for 6 days: creative, no PhaseChanged" "$(jget "$(json status)" 'd["phase"]'):$(phase_changes)" \
        "creative:1"
restart_at "2026-12-08 09:00:00"
wait_changes 2
is "nothing done for 7 days: steady" "$(jget "$(json status)" 'd["phase"]')" steady
is "one PhaseChanged creative -> steady" "$(grep '^PhaseChanged' "$W/monitor.txt" | tail -n +2)" \
        'PhaseChanged old="creative" new="steady"'
restart_at "2026-12-08 10:00:00"
wait_changes 2
is "restart after the lapse: steady, no PhaseChanged again" \
        "$(jget "$(json status)" 'd["phase"]'):$(phase_changes)" "steady:2"
is "the daemon logged two changes" "$(grep -c 'Phase changed' "$W/closerd.log")" 2
stop_daemon
kill "$MONITOR_PID" 2>/dev/null
wait "$MONITOR_PID" 2>/dev/null

done_testing
