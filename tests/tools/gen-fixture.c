/* SPDX-License-Identifier: MIT */
/*
 * gen-fixture: writes a KNOWN history into a closer data directory, through
 * the store (so the schema is the daemon's own), for tests that check the
 * figures one by one. Run it before the daemon starts.
 *
 *   gen-fixture DATA_DIR TODAY < SCRIPT
 *
 * TODAY is YYYY-MM-DD: the day the test's (fake) clock will show. The
 * script has one command a line; blank lines and lines starting with '#'
 * are ignored. A DAY is YYYY-MM-DD or a signed offset from TODAY (0, -1,
 * +3). Everything is written in one transaction.
 *
 *   setting KEY VALUE...            any setting (pick.seed, daily.time, ...)
 *   start KIND DAY                  start (cold|cooling|warm) and start.day
 *   phase PHASE                     the stored phase (ramp|steady|creative)
 *   item CATEGORY INTENSITY REVIEW TITLE...
 *                                   a partner item; prints "item ID TITLE"
 *   act DAY daily|extra ITEM|- done|open|skipped [RESPONSE]
 *                                   an act at noon (ITEM "-": an extra with
 *                                   a text of its own); RESPONSE 0 or absent:
 *                                   none observed
 *   acts FROM TO ITEM [RESPONSE]    a daily act done on each day FROM..TO
 *   mood DAY N                      a mood at noon (another entry each time)
 *   dn DAY HH:MM MODE STATUS        a date night of 3 h
 *   advance DAY HH:MM me|partner accepted|declined
 *   promise DAY HH:MM DUE_DAY DUE_HH:MM STATUS [me|partner]...
 *                                   a rain check made on DAY at HH:MM, its
 *                                   status (open|kept|broken|moved) and its
 *                                   moves (by me or by my partner)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "macro.h"
#include "plan.h"
#include "store.h"
#include "timeutil.h"

static int64_t today;
static unsigned line_no;

static int bad(const char *what, const char *arg) {
        fprintf(stderr, "gen-fixture: line %u: %s: '%s'\n", line_no, what, arg ? arg : "(missing)");
        return -EINVAL;
}

static int parse_day(const char *s, int64_t *ret) {
        if (!s)
                return bad("missing day", s);
        if (parse_date(s, ret) >= 0)
                return 0;
        char *end;
        errno = 0;
        long long off = strtoll(s, &end, 10);
        if (errno || *end || end == s)
                return bad("not a day", s);
        *ret = today + off;
        return 0;
}

static int parse_int(const char *s, long long min, long long max, long long *ret) {
        if (!s)
                return bad("missing number", s);
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || end == s || v < min || v > max)
                return bad("bad number", s);
        *ret = v;
        return 0;
}

static int at(const char *day, const char *hhmm, time_t *ret) {
        int64_t d;
        int minute;
        int r = parse_day(day, &d);
        if (r < 0)
                return r;
        if (!hhmm || parse_hhmm(hhmm, &minute) < 0)
                return bad("not HH:MM", hhmm);
        return local_resolve(d, minute, ret);
}

#define MAX_WORDS 32

static int run_line(Store *s, char **w, size_t n, const char *rest_after[]) {
        const char *cmd = w[0];
        long long v;
        int r;

        if (streq(cmd, "setting")) {
                if (n < 3)
                        return bad("setting needs KEY VALUE", NULL);
                return store_setting_set(s, w[1], rest_after[2]);
        }
        if (streq(cmd, "start")) {
                int64_t d;
                char buf[32];
                if (n != 3 || start_kind_from_string(w[1]) < 0)
                        return bad("start KIND DAY", w[1]);
                r = parse_day(w[2], &d);
                if (r < 0)
                        return r;
                (void) snprintf(buf, sizeof(buf), "%" PRIi64, d);
                r = store_setting_set(s, "start", w[1]);
                return r < 0 ? r : store_setting_set(s, "start.day", buf);
        }
        if (streq(cmd, "phase")) {
                if (n != 2 || phase_from_string(w[1]) < 0)
                        return bad("phase PHASE", w[1]);
                return store_setting_set(s, "phase", w[1]);
        }
        if (streq(cmd, "item")) {
                char uid[64];
                if (n < 5)
                        return bad("item CATEGORY INTENSITY REVIEW TITLE", NULL);
                Category c = category_from_string(w[1]);
                Review rv = review_from_string(w[3]);
                if (c < 0)
                        return bad("category", w[1]);
                if (rv < 0)
                        return bad("review", w[3]);
                r = parse_int(w[2], 1, 3, &v);
                if (r < 0)
                        return r;
                time_t now;
                r = local_resolve(today, 0, &now);
                if (r < 0)
                        return r;
                (void) snprintf(uid, sizeof(uid), "fixture-%u@closer", line_no);
                Item it = { .uid = uid, .title = (char *) rest_after[4], .category = c, .intensity = (int) v,
                            .private_ = item_default_private((int) v), .review = rv, .modified = now };
                r = store_item_insert(s, SIDE_PARTNER, &it, now);
                if (r >= 0)
                        printf("item %" PRIi64 " %s\n", it.id, rest_after[4]);
                return r;
        }
        if (streq(cmd, "act")) {
                int64_t d;
                long long item = 0, resp = 0;
                if (n < 5 || n > 6)
                        return bad("act DAY daily|extra ITEM|- STATUS [RESPONSE]", NULL);
                r = parse_day(w[1], &d);
                if (r < 0)
                        return r;
                ActKind kind = streq(w[2], "daily") ? ACT_DAILY : streq(w[2], "extra") ? ACT_EXTRA : (ActKind) -1;
                if ((int) kind < 0)
                        return bad("kind", w[2]);
                if (!streq(w[3], "-") && (r = parse_int(w[3], 1, INT64_MAX, &item)) < 0)
                        return r;
                ActStatus st = streq(w[4], "done") ? ACT_DONE : streq(w[4], "open") ? ACT_OPEN
                             : streq(w[4], "skipped") ? ACT_SKIPPED : (ActStatus) -1;
                if ((int) st < 0)
                        return bad("status", w[4]);
                if (n == 6 && (r = parse_int(w[5], 0, 5, &resp)) < 0)
                        return r;
                time_t noon;
                r = local_resolve(d, 12 * 60, &noon);
                if (r < 0)
                        return r;
                Act a = { .day = d, .kind = kind, .item_id = item, .status = st, .response = (int) resp,
                          .title = item ? NULL : (char *) "an extra of its own" };
                return store_act_insert(s, &a, noon);
        }
        if (streq(cmd, "acts")) {
                int64_t from, to;
                long long item, resp = 0;
                if (n < 4 || n > 5)
                        return bad("acts FROM TO ITEM [RESPONSE]", NULL);
                if ((r = parse_day(w[1], &from)) < 0 || (r = parse_day(w[2], &to)) < 0 ||
                    (r = parse_int(w[3], 1, INT64_MAX, &item)) < 0)
                        return r;
                if (n == 5 && (r = parse_int(w[4], 0, 5, &resp)) < 0)
                        return r;
                for (int64_t d = from; d <= to; d++) {
                        time_t noon;
                        r = local_resolve(d, 12 * 60, &noon);
                        if (r < 0)
                                return r;
                        Act a = { .day = d, .kind = ACT_DAILY, .item_id = item, .status = ACT_DONE,
                                  .response = (int) resp };
                        r = store_act_insert(s, &a, noon);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (streq(cmd, "mood")) {
                int64_t d;
                time_t noon;
                if (n != 3)
                        return bad("mood DAY N", NULL);
                if ((r = parse_day(w[1], &d)) < 0 || (r = parse_int(w[2], 1, 5, &v)) < 0)
                        return r;
                r = local_resolve(d, 12 * 60, &noon);
                return r < 0 ? r : store_mood_insert(s, d, (int) v, NULL, noon);
        }
        if (streq(cmd, "dn")) {
                int64_t d;
                time_t start;
                char uid[64];
                if (n != 5)
                        return bad("dn DAY HH:MM MODE STATUS", NULL);
                DnMode mode = dn_mode_from_string(w[3]);
                DnStatus st = dn_status_from_string(w[4]);
                if (mode < 0)
                        return bad("mode", w[3]);
                if (st < 0)
                        return bad("status", w[4]);
                if ((r = parse_day(w[1], &d)) < 0 || (r = at(w[1], w[2], &start)) < 0)
                        return r;
                (void) snprintf(uid, sizeof(uid), "fixture-dn-%u@closer", line_no);
                DateNight dn = { .night = { .week_monday_day = d - (weekday_of_day(d) - 1), .start = start,
                                            .duration = 3 * 3600, .mode = mode, .status = st },
                                 .uid = uid, .modified = start };
                return store_dn_insert(s, &dn, start);
        }
        if (streq(cmd, "advance")) {
                int64_t d, id;
                time_t t;
                if (n != 5 || !(streq(w[3], "me") || streq(w[3], "partner")) ||
                    !(streq(w[4], "accepted") || streq(w[4], "declined")))
                        return bad("advance DAY HH:MM me|partner accepted|declined", NULL);
                if ((r = parse_day(w[1], &d)) < 0 || (r = at(w[1], w[2], &t)) < 0)
                        return r;
                return store_advance_insert(s, d, t, streq(w[3], "partner"), streq(w[4], "accepted"), NULL, &id);
        }
        if (streq(cmd, "promise")) {
                time_t created, due;
                char uid[64];
                if (n < 6)
                        return bad("promise DAY HH:MM DUE_DAY DUE_HH:MM STATUS [me|partner]...", NULL);
                if ((r = at(w[1], w[2], &created)) < 0 || (r = at(w[3], w[4], &due)) < 0)
                        return r;
                PromiseStatus st = streq(w[5], "open") ? PROMISE_OPEN : streq(w[5], "kept") ? PROMISE_KEPT
                                 : streq(w[5], "broken") ? PROMISE_BROKEN : streq(w[5], "moved") ? PROMISE_MOVED
                                 : (PromiseStatus) -1;
                if ((int) st < 0)
                        return bad("promise status", w[5]);
                (void) snprintf(uid, sizeof(uid), "fixture-rc-%u@closer", line_no);
                Promise p = { .uid = uid, .due = due, .status = PROMISE_OPEN, .created = created,
                              .modified = created };
                r = store_promise_insert(s, &p);
                if (r < 0)
                        return r;
                time_t cur = due;
                for (size_t i = 6; i < n; i++) {
                        if (!streq(w[i], "me") && !streq(w[i], "partner"))
                                return bad("a move is by me or partner", w[i]);
                        r = store_promise_move_insert(s, p.id, cur, cur + 3600, streq(w[i], "partner"), created);
                        if (r < 0)
                                return r;
                        cur += 3600;
                        p.sequence++;
                }
                p.due = cur;
                p.status = st;
                p.resolved = st == PROMISE_KEPT || st == PROMISE_BROKEN ? cur : 0;
                return store_promise_update(s, &p);
        }
        return bad("unknown command", cmd);
}

int main(int argc, char *argv[]) {
        Store *s = NULL;
        char *error = NULL, *line = NULL;
        size_t size = 0;
        int r = 0;

        if (argc != 3) {
                fprintf(stderr, "usage: gen-fixture DATA_DIR TODAY < SCRIPT\n");
                return 2;
        }
        if (parse_date(argv[2], &today) < 0) {
                fprintf(stderr, "gen-fixture: TODAY must be YYYY-MM-DD, not '%s'\n", argv[2]);
                return 2;
        }
        if (store_open(argv[1], &s, &error) < 0) {
                fprintf(stderr, "gen-fixture: %s\n", error);
                return 1;
        }
        r = store_begin(s);
        while (r >= 0 && getline(&line, &size, stdin) >= 0) {
                char *w[MAX_WORDS];
                const char *rest[MAX_WORDS];
                size_t n = 0;
                line_no++;
                line[strcspn(line, "\n")] = '\0';
                /* Words split on blanks; rest[i] is the text of the line from
                 * word i on, for titles and values with blanks in them. */
                char *orig = strdup(line);
                if (!orig) {
                        r = -ENOMEM;
                        break;
                }
                char *p = line;
                while (n < MAX_WORDS) {
                        p += strspn(p, " \t");
                        if (!*p)
                                break;
                        rest[n] = orig + (p - line);
                        w[n++] = p;
                        p += strcspn(p, " \t");
                        if (*p)
                                *p++ = '\0';
                }
                if (n > 0 && w[0][0] != '#')
                        r = run_line(s, w, n, rest);
                free(orig);
        }
        free(line);
        if (r >= 0)
                r = store_commit(s);
        else
                store_rollback(s);
        if (r < 0 && r != -EINVAL)
                fprintf(stderr, "gen-fixture: line %u: %s (%s)\n", line_no, strerror(-r), store_last_error(s));
        store_free(s);
        return r < 0 ? 1 : 0;
}
