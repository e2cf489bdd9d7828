/* SPDX-License-Identifier: MIT */
/*
 * gen-history: writes a generated history into a closer data directory,
 * through the store (so the schema is the daemon's own), for the stats
 * tests and the benchmark. Deterministic for a seed.
 *
 *   gen-history DATA_DIR YEARS [SEED]
 *
 * Per year, ending today: about 360 acts (one a day, some extras, some
 * days missed), 365 moods, 52 date nights, 91 advances and 61 rain checks
 * (every declined advance and half the accepted ones come with one); 20
 * partner items per year (at least 40), every one reviewed ok. 50 years:
 * about 18,800 acts, 18,250 moods, 2,600 date nights, 1,000 items, 4,500
 * advances and 3,000 promises.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "store.h"
#include "timeutil.h"

static uint64_t state;

static uint64_t rnd(void) {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static int below(int n) {
        return (int) (rnd() % (uint64_t) n);
}

#define CHECK(expr)                                                                                  \
        do {                                                                                         \
                int _r = (expr);                                                                     \
                if (_r < 0) {                                                                        \
                        fprintf(stderr, "gen-history: %s: %s (%s)\n", #expr, strerror(-_r),          \
                                store_last_error(s));                                                \
                        return 1;                                                                    \
                }                                                                                    \
        } while (0)

int main(int argc, char *argv[]) {
        Store *s = NULL;
        char *error = NULL;
        if (argc < 3) {
                fprintf(stderr, "usage: gen-history DATA_DIR YEARS [SEED]\n");
                return 2;
        }
        int years = atoi(argv[2]);
        state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
        if (years < 1 || years > 100) {
                fprintf(stderr, "gen-history: YEARS must be 1-100\n");
                return 2;
        }
        if (store_open(argv[1], &s, &error) < 0) {
                fprintf(stderr, "gen-history: %s\n", error);
                return 1;
        }
        time_t now = time(NULL);
        int64_t today = local_day_of(now), first = today - (int64_t) years * 365;
        int n_items = MAX(40, 20 * years);
        int64_t *ids = calloc((size_t) n_items, sizeof(int64_t));
        if (!ids)
                return 1;

        CHECK(store_begin(s));
        for (int i = 0; i < n_items; i++) {
                char uid[64], title[64];
                (void) snprintf(uid, sizeof(uid), "gen-%d@closer", i);
                (void) snprintf(title, sizeof(title), "Generated item %d", i);
                Item it = { .uid = uid, .title = title, .category = (Category) (i % 4), .intensity = 1 + i % 3,
                            .private_ = i % 3 == 2, .review = REVIEW_OK, .modified = now };
                CHECK(store_item_insert(s, SIDE_PARTNER, &it, now));
                ids[i] = it.id;
        }
        char buf[32];
        (void) snprintf(buf, sizeof(buf), "%" PRIi64, first);
        CHECK(store_setting_set(s, "start.day", buf));
        CHECK(store_setting_set(s, "start", "warm"));

        int64_t acts = 0, moods = 0, nights = 0, advances = 0, promises = 0;
        for (int64_t day = first; day < today; day++) {
                time_t noon;
                CHECK(local_resolve(day, 12 * 60, &noon));
                /* Most days the daily act is done, some days skipped, now
                 * and then an extra. */
                int64_t item = ids[below(n_items)];
                int roll = below(100);
                Act a = { .day = day, .kind = ACT_DAILY, .item_id = item,
                          .status = roll < 90 ? ACT_DONE : ACT_OPEN,
                          .response = roll < 90 ? 1 + (int) ((item * 7 + day) % 5) : 0 };
                CHECK(store_act_insert(s, &a, noon));
                acts++;
                if (below(30) == 0) {
                        Act e = { .day = day, .kind = ACT_EXTRA, .item_id = ids[below(n_items)], .status = ACT_DONE,
                                  .response = 1 + below(5) };
                        CHECK(store_act_insert(s, &e, noon));
                        acts++;
                }
                CHECK(store_mood_insert(s, day, 1 + below(5), NULL, noon));
                moods++;
                if (weekday_of_day(day) == 5) {
                        time_t start;
                        CHECK(local_resolve(day, 20 * 60, &start));
                        char uid[64];
                        (void) snprintf(uid, sizeof(uid), "gen-dn-%" PRIi64 "@closer", day);
                        DateNight d = { .night = { .week_monday_day = day - 4, .start = start, .duration = 3 * 3600,
                                                   .mode = below(20) == 0 ? DN_REMOTE : DN_IN_PERSON,
                                                   .status = below(10) == 0 ? DN_MISSED : DN_HAPPENED },
                                        .uid = uid, .modified = start };
                        CHECK(store_dn_insert(s, &d, start));
                        nights++;
                }
                if (below(4) == 0) {
                        int64_t adv;
                        bool partner = below(2), accepted = below(3) > 0;
                        CHECK(store_advance_insert(s, day, noon, partner, accepted, NULL, &adv));
                        advances++;
                        if (!accepted || below(2) == 0) {
                                char uid[64];
                                (void) snprintf(uid, sizeof(uid), "gen-rc-%" PRIi64 "@closer", day);
                                Promise p = { .uid = uid, .due = noon + 86400, .status = below(8) ? PROMISE_KEPT
                                                                                                  : PROMISE_BROKEN,
                                              .advance_id = adv, .created = noon, .modified = noon };
                                CHECK(store_promise_insert(s, &p));
                                p.resolved = noon + 86400;
                                CHECK(store_promise_update(s, &p));
                                if (below(5) == 0)
                                        CHECK(store_promise_move_insert(s, p.id, p.due, p.due + 3600, below(2),
                                                                        noon));
                                promises++;
                        }
                }
        }
        CHECK(store_commit(s));
        printf("%d items, %" PRIi64 " acts, %" PRIi64 " moods, %" PRIi64 " date nights, %" PRIi64
               " advances, %" PRIi64 " promises\n",
               n_items, acts, moods, nights, advances, promises);
        free(ids);
        store_free(s);
        return 0;
}
