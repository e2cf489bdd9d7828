/* SPDX-License-Identifier: MIT */
/*
 * test-pick: the daily practice's decisions (daemon/pick.c): ramp table,
 * daily pick (order independence, fairness, exclusions, weighting), empty
 * reasons, phase edges, lapse edges and twists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "pick.h"

#define DAY0 INT64_C(19723) /* 2024-01-01 */

static PickCandidate cand(int64_t id, int intensity, Review review) {
        return (PickCandidate) {
                .id = id,
                .intensity = intensity,
                .review = review,
                .last_day = INT64_MIN,
        };
}

/* A fixed permutation source for the shuffles, independent of libc rand(). */
static uint64_t rng_next(uint64_t *s) {
        uint64_t x = (*s += 0x9e3779b97f4a7c15ULL);

        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
}

static void shuffle(PickCandidate *c, size_t n, uint64_t *s) {
        for (size_t i = n; i > 1; i--) {
                size_t j = rng_next(s) % i;
                PickCandidate t = c[i - 1];

                c[i - 1] = c[j];
                c[j] = t;
        }
}

static PickCandidate *find(PickCandidate *c, size_t n, int64_t id) {
        for (size_t i = 0; i < n; i++)
                if (c[i].id == id)
                        return c + i;
        return NULL;
}

static void mark_done(PickCandidate *c, size_t n, int64_t id, int64_t day) {
        PickCandidate *p = find(c, n, id);

        assert_non_null(p);
        p->last_day = day;
        p->times_done++;
}

static void test_strings(void **state) {
        (void) state;

        for (StartKind s = 0; s < _START_MAX; s++)
                assert_int_equal(start_kind_from_string(start_kind_to_string(s)), s);
        assert_string_equal(start_kind_to_string(START_COLD), "cold");
        assert_string_equal(start_kind_to_string(START_COOLING), "cooling");
        assert_string_equal(start_kind_to_string(START_WARM), "warm");
        assert_null(start_kind_to_string(_START_MAX));
        assert_null(start_kind_to_string(_START_INVALID));
        assert_int_equal(start_kind_from_string("hot"), _START_INVALID);
        assert_int_equal(start_kind_from_string(NULL), _START_INVALID);

        for (Phase p = 0; p < _PHASE_MAX; p++)
                assert_int_equal(phase_from_string(phase_to_string(p)), p);
        assert_string_equal(phase_to_string(PHASE_RAMP), "ramp");
        assert_string_equal(phase_to_string(PHASE_STEADY), "steady");
        assert_string_equal(phase_to_string(PHASE_CREATIVE), "creative");
        assert_null(phase_to_string(_PHASE_MAX));
        assert_int_equal(phase_from_string("Creative"), _PHASE_INVALID);
}

static void test_ramp(void **state) {
        struct {
                StartKind start;
                int64_t offset;
                int cap;
                int64_t next; /* offset from start, -1 for none */
        } t[] = {
                { START_COLD, -100, 1, 21 },
                { START_COLD, -1, 1, 21 },
                { START_COLD, 0, 1, 21 },
                { START_COLD, 20, 1, 21 },
                { START_COLD, 21, 2, 42 },
                { START_COLD, 41, 2, 42 },
                { START_COLD, 42, 3, -1 },
                { START_COLD, 1000, 3, -1 },
                { START_COOLING, -1, 1, 7 },
                { START_COOLING, 0, 1, 7 },
                { START_COOLING, 6, 1, 7 },
                { START_COOLING, 7, 2, 21 },
                { START_COOLING, 20, 2, 21 },
                { START_COOLING, 21, 3, -1 },
                { START_WARM, -5, 3, -1 },
                { START_WARM, 0, 3, -1 },
                { START_WARM, 100, 3, -1 },
        };
        int64_t next;

        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                next = 12345;
                assert_int_equal(ramp_cap(t[i].start, DAY0, DAY0 + t[i].offset, &next), t[i].cap);
                assert_int_equal(next, t[i].next < 0 ? -1 : DAY0 + t[i].next);
                /* The out parameter is optional. */
                assert_int_equal(ramp_cap(t[i].start, DAY0, DAY0 + t[i].offset, NULL), t[i].cap);
        }

        /* Negative day numbers (before 1970) follow the same weeks. */
        assert_int_equal(ramp_cap(START_COLD, -30, -10, &next), 1);
        assert_int_equal(next, -9);
        assert_int_equal(ramp_cap(START_COLD, -30, -9, &next), 2);
        assert_int_equal(next, 12);

        /* Extreme day numbers saturate instead of overflowing. */
        assert_int_equal(ramp_cap(START_COLD, INT64_MIN, INT64_MAX, &next), 3);
        assert_int_equal(ramp_cap(START_COLD, INT64_MAX, INT64_MIN, &next), 1);
        assert_int_equal(next, INT64_MAX);

        assert_int_equal(ramp_cap(_START_MAX, DAY0, DAY0, &next), -EINVAL);
        assert_int_equal(ramp_cap(_START_INVALID, DAY0, DAY0, NULL), -EINVAL);
}

/* A list with a bit of everything, including history. */
static size_t mixed_list(PickCandidate *c) {
        size_t n = 0;

        for (int i = 0; i < 30; i++) {
                PickCandidate p = cand(100 + i * 7, 1 + i % 3, i % 5 == 4 ? REVIEW_NEW : REVIEW_OK);

                if (i % 4 != 0) {
                        p.last_day = DAY0 - 1 - (i * 3) % 20;
                        p.times_done = 1 + i % 4;
                        p.avg_response = 1.0 + (i % 9) * 0.5;
                }
                if (i == 13)
                        p.review = REVIEW_DISCUSS;
                if (i == 17)
                        p.review = REVIEW_NO;
                if (i == 19)
                        p.removed = true;
                c[n++] = p;
        }
        return n;
}

static void test_determinism(void **state) {
        PickCandidate base[40], copy[40];
        size_t n = mixed_list(base);
        uint64_t rng = 42;
        int64_t exclude[] = { 107, 100 + 5 * 7 };

        (void) state;

        for (int w = 0; w < 2; w++)
                for (int cap = 1; cap <= 3; cap++)
                        for (int64_t day = DAY0; day < DAY0 + 40; day++)
                                for (uint64_t seed = 0; seed < 3; seed++) {
                                        int64_t want, got;
                                        int r;

                                        r = pick_daily(base, n, day, cap, w, seed, exclude, ELEMENTSOF(exclude), &want);
                                        assert_int_equal(r, 0);
                                        assert_int_not_equal(want, exclude[0]);
                                        assert_int_not_equal(want, exclude[1]);

                                        for (int k = 0; k < 4; k++) {
                                                memcpy(copy, base, sizeof(PickCandidate) * n);
                                                shuffle(copy, n, &rng);
                                                r = pick_daily(copy, n, day, cap, w, seed, exclude,
                                                               ELEMENTSOF(exclude), &got);
                                                assert_int_equal(r, 0);
                                                assert_int_equal(got, want);
                                        }
                                }

        /* Different days or seeds are allowed to differ, and do: the pick is
         * not a constant. */
        {
                PickCandidate c[12];
                int64_t first = 0, id;
                bool differs = false;

                for (int i = 0; i < 12; i++)
                        c[i] = cand(i + 1, 1, REVIEW_OK);
                for (uint64_t seed = 0; seed < 20; seed++) {
                        assert_int_equal(pick_daily(c, 12, DAY0, 1, false, seed, NULL, 0, &id), 0);
                        if (seed == 0)
                                first = id;
                        else if (id != first)
                                differs = true;
                }
                assert_true(differs);
        }
}

static void run_fairness(bool weighted, uint64_t seed) {
        PickCandidate c[20];
        int64_t last[20];
        int count[20] = {};
        size_t n = 0;

        /* 12 eligible items, and some that must never come up. */
        for (int i = 0; i < 12; i++)
                c[n++] = cand(i + 1, 1 + i % 2, i % 3 ? REVIEW_OK : REVIEW_NEW);
        c[n++] = cand(101, 1, REVIEW_DISCUSS);
        c[n++] = cand(102, 1, REVIEW_NO);
        c[n] = cand(103, 1, REVIEW_OK);
        c[n++].removed = true;
        c[n++] = cand(104, 3, REVIEW_OK);

        for (size_t i = 0; i < n; i++)
                last[i] = INT64_MIN;

        for (int64_t day = DAY0; day < DAY0 + 60; day++) {
                int64_t id;
                size_t k;

                assert_int_equal(pick_daily(c, n, day, 2, weighted, seed, NULL, 0, &id), 0);
                assert_in_range(id, 1, 12);
                k = (size_t) (id - 1);
                if (last[k] != INT64_MIN)
                        assert_true(day - last[k] >= 7);
                last[k] = day;
                count[k]++;
                mark_done(c, n, id, day);
                find(c, n, id)->avg_response = 3.0;
        }

        for (int i = 0; i < 12; i++)
                assert_true(count[i] >= 1);
}

static void test_fairness(void **state) {
        (void) state;

        for (uint64_t seed = 1; seed <= 10; seed++) {
                run_fairness(false, seed);
                run_fairness(true, seed);
        }
}

static void test_order_rules(void **state) {
        PickCandidate c[4];
        int64_t id;

        (void) state;

        /* Never done beats anything, also in weighted mode. */
        c[0] = cand(1, 1, REVIEW_OK);
        c[0].last_day = DAY0 - 300;
        c[0].times_done = 9;
        c[0].avg_response = 5;
        c[1] = cand(2, 1, REVIEW_NEW);
        for (int w = 0; w < 2; w++)
                for (uint64_t seed = 0; seed < 20; seed++) {
                        assert_int_equal(pick_daily(c, 2, DAY0, 1, w, seed, NULL, 0, &id), 0);
                        assert_int_equal(id, 2);
                }

        /* Then the least recently used (unweighted). */
        c[1].last_day = DAY0 - 30;
        c[1].times_done = 1;
        c[2] = cand(3, 1, REVIEW_OK);
        c[2].last_day = DAY0 - 8;
        c[2].times_done = 1;
        for (uint64_t seed = 0; seed < 20; seed++) {
                assert_int_equal(pick_daily(c, 3, DAY0, 1, false, seed, NULL, 0, &id), 0);
                assert_int_equal(id, 1);
        }

        /* Within the last 7 days (today-6..today): only when nothing else is
         * left. today-7 is allowed again. */
        c[0] = cand(1, 1, REVIEW_OK);
        c[0].last_day = DAY0 - 6;
        c[0].times_done = 1;
        c[1] = cand(2, 1, REVIEW_OK);
        c[1].last_day = DAY0 - 7;
        c[1].times_done = 1;
        c[1].avg_response = 1;
        c[2] = cand(3, 1, REVIEW_OK);
        c[2].last_day = DAY0;
        c[2].times_done = 1;
        c[2].avg_response = 5;
        for (int w = 0; w < 2; w++)
                for (uint64_t seed = 0; seed < 20; seed++) {
                        assert_int_equal(pick_daily(c, 3, DAY0, 1, w, seed, NULL, 0, &id), 0);
                        assert_int_equal(id, 2);
                }

        /* Nothing but recent items: the least recently used of them. */
        for (int w = 0; w < 2; w++) {
                assert_int_equal(pick_daily(c, 3, DAY0, 1, w, 0, (int64_t[]) { 2 }, 1, &id), 0);
                assert_int_equal(id, 1);
        }

        /* A last day in the future (the clock went back) counts as recent. */
        c[1].last_day = DAY0 + 3;
        assert_int_equal(pick_daily(c, 3, DAY0, 1, false, 0, NULL, 0, &id), 0);
        assert_int_equal(id, 1);

        /* Done but without a last day: as old as it gets, never a crash. */
        c[0].last_day = INT64_MIN;
        for (int w = 0; w < 2; w++) {
                assert_int_equal(pick_daily(c, 3, DAY0, 1, w, 0, NULL, 0, &id), 0);
                assert_int_equal(id, 1);
        }
}

static void test_exclusions(void **state) {
        PickCandidate c[6];
        int64_t id;

        (void) state;

        c[0] = cand(1, 1, REVIEW_DISCUSS);
        c[1] = cand(2, 1, REVIEW_NO);
        c[2] = cand(3, 1, REVIEW_OK);
        c[2].removed = true;
        c[3] = cand(4, 2, REVIEW_OK);
        c[4] = cand(5, 3, REVIEW_NEW);
        c[5] = cand(6, 1, REVIEW_NEW);

        for (int64_t day = DAY0; day < DAY0 + 30; day++)
                for (int w = 0; w < 2; w++) {
                        assert_int_equal(pick_daily(c, 6, day, 1, w, (uint64_t) day, NULL, 0, &id), 0);
                        assert_int_equal(id, 6);
                }

        /* Only the ineligible: nothing, even as a fallback. */
        assert_int_equal(pick_daily(c, 5, DAY0, 1, false, 0, NULL, 0, &id), -ENOENT);
        assert_int_equal(pick_daily(c, 5, DAY0, 1, true, 0, NULL, 0, &id), -ENOENT);
        assert_int_equal(pick_daily(c, 3, DAY0, 3, true, 0, NULL, 0, &id), -ENOENT);

        /* Widening the cap brings the others in. */
        assert_int_equal(pick_daily(c, 5, DAY0, 2, false, 0, NULL, 0, &id), 0);
        assert_int_equal(id, 4);
        assert_int_equal(pick_daily(c, 5, DAY0, 3, false, 0, (int64_t[]) { 4 }, 1, &id), 0);
        assert_int_equal(id, 5);

        /* Bad arguments. */
        assert_int_equal(pick_daily(c, 6, DAY0, 0, false, 0, NULL, 0, &id), -EINVAL);
        assert_int_equal(pick_daily(c, 6, DAY0, 4, false, 0, NULL, 0, &id), -EINVAL);
        assert_int_equal(pick_daily(NULL, 6, DAY0, 1, false, 0, NULL, 0, &id), -EINVAL);
        assert_int_equal(pick_daily(c, 6, DAY0, 1, false, 0, NULL, 1, &id), -EINVAL);
        assert_int_equal(pick_daily(c, 6, DAY0, 1, false, 0, NULL, 0, NULL), -EINVAL);
        assert_int_equal(pick_daily(NULL, 0, DAY0, 1, false, 0, NULL, 0, &id), -ENOENT);
}

static void test_reroll(void **state) {
        PickCandidate c[8];
        int64_t exclude[8], id;
        size_t n_exclude = 0;

        (void) state;

        for (int i = 0; i < 8; i++) {
                c[i] = cand(10 + i, 1, REVIEW_OK);
                c[i].times_done = 2;
                c[i].last_day = DAY0 - 10 - i;
                c[i].avg_response = 2 + i % 3;
        }
        /* Two recent ones come back only once all the others are rerolled. */
        c[0].last_day = DAY0 - 1;
        c[1].last_day = DAY0 - 2;

        for (int w = 0; w < 2; w++) {
                n_exclude = 0;
                for (int k = 0; k < 8; k++) {
                        assert_int_equal(pick_daily(c, 8, DAY0, 1, w, 7, exclude, n_exclude, &id), 0);
                        for (size_t j = 0; j < n_exclude; j++)
                                assert_int_not_equal(id, exclude[j]);
                        if (k < 6)
                                assert_true(id != 10 && id != 11);
                        else
                                assert_int_equal(id, k == 6 ? 11 : 10);
                        assert_int_equal(pick_explain_empty(c, 8, 1, exclude, n_exclude), _PICK_EMPTY_INVALID);
                        exclude[n_exclude++] = id;
                }
                assert_int_equal(pick_daily(c, 8, DAY0, 1, w, 7, exclude, n_exclude, &id), -ENOENT);
                assert_int_equal(pick_explain_empty(c, 8, 1, exclude, n_exclude), PICK_EMPTY_ALL_REROLLED);
        }
}

static void test_weighted(void **state) {
        (void) state;

        for (uint64_t seed = 1; seed <= 5; seed++) {
                PickCandidate c[12];
                int count[12] = {};
                int64_t last[12];
                int hi = 0, lo = 0;

                /* Six loved items and six lukewarm ones, all done before. */
                for (int i = 0; i < 12; i++) {
                        c[i] = cand(i + 1, 1 + i % 3, REVIEW_OK);
                        c[i].times_done = 3;
                        c[i].last_day = DAY0 - 8 - i;
                        c[i].avg_response = i % 2 ? 5.0 : 1.0;
                        last[i] = INT64_MIN;
                }

                for (int64_t day = DAY0; day < DAY0 + 200; day++) {
                        int64_t id;

                        assert_int_equal(pick_daily(c, 12, day, 3, true, seed, NULL, 0, &id), 0);
                        assert_in_range(id, 1, 12);
                        if (last[id - 1] != INT64_MIN)
                                assert_true(day - last[id - 1] >= 7);
                        last[id - 1] = day;
                        count[id - 1]++;
                        mark_done(c, 12, id, day);
                }

                for (int i = 0; i < 12; i++) {
                        assert_true(count[i] >= 1);
                        if (i % 2)
                                hi += count[i];
                        else
                                lo += count[i];
                }
                /* Clearly more often: at least half as often again. */
                assert_int_equal(hi + lo, 200);
                assert_true(hi * 2 >= lo * 3);

                /* Unweighted, the same list goes round evenly. */
                for (int i = 0; i < 12; i++) {
                        c[i].times_done = 3;
                        c[i].last_day = DAY0 - 8 - i;
                        count[i] = 0;
                }
                for (int64_t day = DAY0; day < DAY0 + 120; day++) {
                        int64_t id;

                        assert_int_equal(pick_daily(c, 12, day, 3, false, seed, NULL, 0, &id), 0);
                        count[id - 1]++;
                        mark_done(c, 12, id, day);
                }
                for (int i = 0; i < 12; i++)
                        assert_int_equal(count[i], 10);
        }
}

static void test_empty_reasons(void **state) {
        PickCandidate c[4];
        const char *s;

        (void) state;

        assert_int_equal(pick_explain_empty(NULL, 0, 1, NULL, 0), PICK_EMPTY_NO_LIST);

        c[0] = cand(1, 1, REVIEW_OK);
        c[0].removed = true;
        c[1] = cand(2, 2, REVIEW_NEW);
        c[1].removed = true;
        assert_int_equal(pick_explain_empty(c, 2, 3, NULL, 0), PICK_EMPTY_ALL_REMOVED);

        c[2] = cand(3, 1, REVIEW_DISCUSS);
        c[3] = cand(4, 1, REVIEW_NO);
        assert_int_equal(pick_explain_empty(c, 4, 3, NULL, 0), PICK_EMPTY_ALL_UNDER_REVIEW);

        c[3] = cand(4, 3, REVIEW_OK);
        assert_int_equal(pick_explain_empty(c, 4, 2, NULL, 0), PICK_EMPTY_ABOVE_CAP);
        assert_int_equal(pick_explain_empty(c, 4, 3, NULL, 0), _PICK_EMPTY_INVALID);
        assert_int_equal(pick_explain_empty(c, 4, 3, (int64_t[]) { 4 }, 1), PICK_EMPTY_ALL_REROLLED);

        /* The explanation agrees with the pick. */
        for (int cap = 1; cap <= 3; cap++) {
                int64_t id;
                int r = pick_daily(c, 4, DAY0, cap, false, 0, NULL, 0, &id);

                assert_int_equal(r == -ENOENT, pick_explain_empty(c, 4, cap, NULL, 0) != _PICK_EMPTY_INVALID);
        }

        for (PickEmptyReason r = 0; r < _PICK_EMPTY_MAX; r++) {
                s = pick_empty_reason_to_string(r);
                assert_non_null(s);
                assert_true(strlen(s) > 10);
        }
        assert_non_null(strstr(pick_empty_reason_to_string(PICK_EMPTY_NO_LIST), "closerctl partner import FILE"));
        assert_non_null(strstr(pick_empty_reason_to_string(PICK_EMPTY_ALL_UNDER_REVIEW), "closerctl partner discuss"));
        assert_non_null(strstr(pick_empty_reason_to_string(PICK_EMPTY_ABOVE_CAP), "intensity cap"));
        assert_non_null(strstr(pick_empty_reason_to_string(PICK_EMPTY_ALL_REROLLED), "rerolled"));
        assert_null(pick_empty_reason_to_string(_PICK_EMPTY_INVALID));
        assert_null(pick_empty_reason_to_string(_PICK_EMPTY_MAX));
}

static PhaseInput phase_in(StartKind start, int64_t since_start, int acts, int64_t since_done, Phase current) {
        return (PhaseInput) {
                .start = start,
                .start_day = DAY0,
                .today = DAY0 + since_start,
                .acts_done_28d = acts,
                .last_done_day = since_done < 0 ? INT64_MIN : DAY0 + since_start - since_done,
                .current = current,
        };
}

static void test_phase(void **state) {
        PhaseInput in;

        (void) state;

        /* Ramp while the cap is below 3, whatever else holds. */
        in = phase_in(START_COLD, 41, 28, 0, PHASE_CREATIVE);
        assert_int_equal(phase_compute(&in), PHASE_RAMP);
        in = phase_in(START_COLD, 42, 0, -1, PHASE_RAMP);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_COOLING, 20, 21, 0, PHASE_RAMP);
        assert_int_equal(phase_compute(&in), PHASE_RAMP);
        in = phase_in(START_COOLING, 21, 0, 0, PHASE_RAMP);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_WARM, 0, 0, -1, PHASE_RAMP);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);

        /* 20 vs 21 acts. */
        in = phase_in(START_WARM, 30, 20, 0, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_WARM, 30, 21, 0, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);

        /* 27 vs 28 days since the start. */
        in = phase_in(START_WARM, 27, 25, 0, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_WARM, 28, 25, 0, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);
        in = phase_in(START_COOLING, 28, 21, 1, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);

        /* Enough acts, but all of them more than a week ago: not unlocked,
         * or it would be left again at once. */
        in = phase_in(START_WARM, 60, 21, 7, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_WARM, 60, 21, 6, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);

        /* No flapping: creative stays with fewer acts ... */
        in = phase_in(START_WARM, 60, 20, 0, PHASE_CREATIVE);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);
        in = phase_in(START_WARM, 60, 3, 6, PHASE_CREATIVE);
        assert_int_equal(phase_compute(&in), PHASE_CREATIVE);
        /* ... until a week with nothing done: 6 days keeps it, 7 ends it. */
        in = phase_in(START_WARM, 60, 3, 7, PHASE_CREATIVE);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        in = phase_in(START_WARM, 60, 0, -1, PHASE_CREATIVE);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);
        /* and once back to steady, fewer than 21 acts keep it steady. */
        in = phase_in(START_WARM, 61, 20, 0, PHASE_STEADY);
        assert_int_equal(phase_compute(&in), PHASE_STEADY);

        /* 120 days of a warm start, done every day but for a 20-day break. */
        {
                Phase p = PHASE_RAMP;
                int64_t changes = 0;

                for (int64_t d = 0; d < 120; d++) {
                        Phase q;
                        bool done = d < 80 || d >= 100; /* a 20-day break */
                        int acts = 0;

                        for (int64_t k = d - 27; k <= d; k++)
                                if (k >= 0 && (k < 80 || k >= 100))
                                        acts++;
                        in = (PhaseInput) {
                                .start = START_WARM,
                                .start_day = DAY0,
                                .today = DAY0 + d,
                                .acts_done_28d = acts,
                                .last_done_day = done ? DAY0 + d : DAY0 + 79,
                                .current = p,
                        };
                        q = phase_compute(&in);
                        if (q != p)
                                changes++;
                        if (d < 28)
                                assert_int_equal(q, PHASE_STEADY);
                        else if (d < 86)
                                assert_int_equal(q, PHASE_CREATIVE);
                        else
                                assert_int_equal(q, PHASE_STEADY);
                        p = q;
                }
                /* ramp -> steady, -> creative, -> steady: no flapping. */
                assert_int_equal(changes, 3);
        }

        in = phase_in(_START_INVALID, 0, 0, -1, PHASE_RAMP);
        assert_int_equal(phase_compute(&in), _PHASE_INVALID);
        assert_int_equal(phase_compute(NULL), _PHASE_INVALID);
}

static void expect_progress(const PhaseInput *in, const char *const *parts, const char *const *absent) {
        _cleanup_free_ char *text = NULL;

        assert_int_equal(phase_progress(in, &text), 0);
        assert_non_null(text);
        for (; parts && *parts; parts++)
                if (!strstr(text, *parts))
                        fail_msg("\"%s\" not in \"%s\"", *parts, text);
        for (; absent && *absent; absent++)
                if (strstr(text, *absent))
                        fail_msg("\"%s\" in \"%s\"", *absent, text);
}

static void test_phase_progress(void **state) {
        PhaseInput in;
        char *text = NULL;

        (void) state;

        in = phase_in(START_COLD, 0, 0, -1, PHASE_RAMP);
        expect_progress(&in, (const char *const[]) { "ramp", "the ramp widens to intensity 2 on 2024-01-22", NULL },
                        NULL);
        in = phase_in(START_COLD, 21, 0, -1, PHASE_RAMP);
        expect_progress(&in, (const char *const[]) { "the ramp widens to intensity 3 on 2024-02-12", NULL }, NULL);
        in = (PhaseInput) { .start = START_COOLING, .start_day = -10, .today = -5, .last_done_day = INT64_MIN };
        expect_progress(&in, (const char *const[]) { "the ramp widens to intensity 2 on 1969-12-29", NULL }, NULL);

        in = phase_in(START_WARM, 20, 14, 0, PHASE_STEADY);
        expect_progress(&in,
                        (const char *const[]) { "steady", "14 of 21 acts in the last 28 days",
                                                "day 20 of 28 since the start", NULL },
                        NULL);
        in = phase_in(START_WARM, 40, 14, 0, PHASE_STEADY);
        expect_progress(&in, (const char *const[]) { "14 of 21 acts in the last 28 days", NULL },
                        (const char *const[]) { "since the start,", "day 40", NULL });
        in = phase_in(START_WARM, 20, 21, 0, PHASE_STEADY);
        expect_progress(&in, (const char *const[]) { "day 20 of 28 since the start", NULL },
                        (const char *const[]) { "21 of 21", NULL });
        in = phase_in(START_WARM, 60, 21, 7, PHASE_STEADY);
        expect_progress(&in, (const char *const[]) { "nothing done for 7 days", NULL },
                        (const char *const[]) { "of 21", "of 28", NULL });
        in = phase_in(START_WARM, 60, 0, -1, PHASE_STEADY);
        expect_progress(&in, (const char *const[]) { "0 of 21 acts", NULL },
                        (const char *const[]) { "nothing done", NULL });
        in = phase_in(START_WARM, 60, 21, -1, PHASE_STEADY); /* inconsistent, still a sentence */
        expect_progress(&in, (const char *const[]) { "nothing done yet", NULL }, NULL);

        in = phase_in(START_WARM, 28, 21, 0, PHASE_STEADY);
        expect_progress(&in,
                        (const char *const[]) { "creative", "21 of 21 acts in the last 28 days and 4 weeks since the start",
                                                NULL },
                        NULL);
        in = phase_in(START_WARM, 35, 25, 0, PHASE_STEADY);
        expect_progress(&in, (const char *const[]) { "25 acts in the last 28 days (21 needed) and 5 weeks", NULL },
                        (const char *const[]) { "25 of 21", NULL });
        in = phase_in(START_WARM, 60, 10, 2, PHASE_CREATIVE);
        expect_progress(&in, (const char *const[]) { "creative", "10 acts", "2 days ago", NULL }, NULL);

        assert_int_equal(phase_progress(NULL, &text), -EINVAL);
        assert_int_equal(phase_progress(&in, NULL), -EINVAL);
        in.start = _START_MAX;
        assert_int_equal(phase_progress(&in, &text), -EINVAL);
        assert_null(text);
}

static void test_lapse(void **state) {
        (void) state;

        /* Done yesterday or the day before: no lapse. */
        assert_false(lapse_due(DAY0 + 10, DAY0 + 9, DAY0));
        assert_false(lapse_due(DAY0 + 10, DAY0 + 8, DAY0));
        assert_false(lapse_due(DAY0 + 10, DAY0 + 10, DAY0));
        /* today-1 and today-2 empty. */
        assert_true(lapse_due(DAY0 + 10, DAY0 + 7, DAY0));
        assert_true(lapse_due(DAY0 + 10, INT64_MIN, DAY0));
        /* The practice must have started two days ago. */
        assert_true(lapse_due(DAY0 + 2, INT64_MIN, DAY0));
        assert_false(lapse_due(DAY0 + 1, INT64_MIN, DAY0));
        assert_false(lapse_due(DAY0, INT64_MIN, DAY0));
        assert_false(lapse_due(DAY0 - 5, INT64_MIN, DAY0));
        assert_true(lapse_due(DAY0 + 2, DAY0 - 1, DAY0));
        assert_false(lapse_due(DAY0 + 2, DAY0, DAY0));
        /* Negative days, and nothing overflows at the edges. */
        assert_true(lapse_due(-5, -8, -10));
        assert_false(lapse_due(-5, -7, -10));
        assert_false(lapse_due(INT64_MIN, INT64_MIN, INT64_MIN));
        assert_true(lapse_due(INT64_MAX, INT64_MIN, INT64_MIN));
}

static size_t twist_list(PickCandidate *c) {
        size_t n = 0;

        /* Qualified: 10 (5.0), 11 (4.5), 12 (4.0) */
        c[n] = cand(10, 1, REVIEW_OK), c[n].avg_response = 5.0, c[n].times_done = 3, n++;
        c[n] = cand(11, 2, REVIEW_NEW), c[n].avg_response = 4.5, c[n].times_done = 8, n++;
        c[n] = cand(12, 2, REVIEW_OK), c[n].avg_response = 4.0, c[n].times_done = 4, n++;
        /* Not qualified, each for one reason. */
        c[n] = cand(20, 1, REVIEW_DISCUSS), c[n].avg_response = 5.0, c[n].times_done = 9, n++;
        c[n] = cand(21, 1, REVIEW_NO), c[n].avg_response = 5.0, c[n].times_done = 9, n++;
        c[n] = cand(22, 1, REVIEW_OK), c[n].avg_response = 5.0, c[n].times_done = 9, c[n].removed = true, n++;
        c[n] = cand(23, 3, REVIEW_OK), c[n].avg_response = 5.0, c[n].times_done = 9, n++;
        c[n] = cand(24, 1, REVIEW_OK), c[n].avg_response = 3.9, c[n].times_done = 9, n++;
        c[n] = cand(25, 1, REVIEW_OK), c[n].avg_response = 5.0, c[n].times_done = 2, n++;
        return n;
}

static void test_twist(void **state) {
        PickCandidate c[16], copy[16];
        size_t n = twist_list(c);
        int64_t last = INT64_MIN, combine;
        const char *change;
        int twists = 0, combines = 0, changes = 0, days = 0;
        uint64_t rng = 5;

        (void) state;

        for (int64_t day = DAY0; day < DAY0 + 400; day++, days++) {
                int64_t act = (day % 2) ? 10 : 30;
                int r = twist_pick(c, n, day, 2, 99, act, last, &combine, &change);

                assert_in_range(r, 0, 1);
                if (r == 0) {
                        assert_int_equal(combine, 0);
                        assert_null(change);
                        continue;
                }

                /* At most every other day. */
                assert_true(last == INT64_MIN || day - last >= 2);
                last = day;
                twists++;

                /* Exactly one of the two. */
                assert_true((combine != 0) != (change != NULL));
                if (combine) {
                        combines++;
                        assert_true(combine == 10 || combine == 11 || combine == 12);
                        assert_int_not_equal(combine, act);
                        /* The best response wins. */
                        assert_int_equal(combine, act == 10 ? 11 : 10);
                } else {
                        changes++;
                        assert_true(strlen(change) > 3);
                }

                /* Deterministic, whatever the order. */
                for (int k = 0; k < 3; k++) {
                        int64_t combine2;
                        const char *change2;

                        memcpy(copy, c, sizeof(PickCandidate) * n);
                        shuffle(copy, n, &rng);
                        assert_int_equal(twist_pick(copy, n, day, 2, 99, act, day - 2, &combine2, &change2), 1);
                        assert_int_equal(combine2, combine);
                        assert_ptr_equal(change2, change);
                }
        }
        /* About half of the allowed days; both kinds show up. */
        assert_in_range(twists, days / 5, days / 2);
        assert_true(combines > 10);
        assert_true(changes > 10);

        /* The day after a twist, never; two days after, it may. */
        {
                int allowed = 0;

                for (int64_t day = DAY0; day < DAY0 + 100; day++) {
                        assert_int_equal(twist_pick(c, n, day, 3, 1, 10, day - 1, &combine, &change), 0);
                        assert_int_equal(twist_pick(c, n, day, 3, 1, 10, day, &combine, &change), 0);
                        assert_int_equal(twist_pick(c, n, day, 3, 1, 10, day + 5, &combine, &change), 0);
                        allowed += twist_pick(c, n, day, 3, 1, 10, day - 2, &combine, &change);
                }
                assert_in_range(allowed, 30, 70);
        }

        /* Nothing qualifies (cap 1 leaves only 10, and it is the act):
         * always a change, and the phrases vary by day. */
        {
                const char *seen = NULL;
                bool varied = false;

                for (int64_t day = DAY0; day < DAY0 + 100; day++)
                        if (twist_pick(c, n, day, 1, 3, 10, INT64_MIN, &combine, &change) == 1) {
                                assert_int_equal(combine, 0);
                                assert_non_null(change);
                                if (seen && seen != change)
                                        varied = true;
                                seen = change;
                        }
                assert_true(varied);
        }

        /* Only unqualified items (23 is above cap 2): never a combination. */
        for (int64_t day = DAY0; day < DAY0 + 100; day++)
                if (twist_pick(c + 3, n - 3, day, 2, 3, 99, INT64_MIN, &combine, &change) == 1)
                        assert_int_equal(combine, 0);

        /* With cap 3 the same list has one to offer. */
        {
                int found = 0;

                for (int64_t day = DAY0; day < DAY0 + 100; day++)
                        if (twist_pick(c + 3, n - 3, day, 3, 3, 99, INT64_MIN, &combine, &change) == 1 && combine) {
                                assert_int_equal(combine, 23);
                                found++;
                        }
                assert_true(found > 0);
        }

        assert_int_equal(twist_pick(c, n, DAY0, 3, 1, 10, INT64_MIN, NULL, &change), -EINVAL);
        assert_int_equal(twist_pick(c, n, DAY0, 3, 1, 10, INT64_MIN, &combine, NULL), -EINVAL);
        assert_int_equal(twist_pick(NULL, 3, DAY0, 3, 1, 10, INT64_MIN, &combine, &change), -EINVAL);
        assert_in_range(twist_pick(NULL, 0, DAY0, 3, 1, 10, INT64_MIN, &combine, &change), 0, 1);
        assert_int_equal(combine, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_ramp),
                cmocka_unit_test(test_determinism),
                cmocka_unit_test(test_fairness),
                cmocka_unit_test(test_order_rules),
                cmocka_unit_test(test_exclusions),
                cmocka_unit_test(test_reroll),
                cmocka_unit_test(test_weighted),
                cmocka_unit_test(test_empty_reasons),
                cmocka_unit_test(test_phase),
                cmocka_unit_test(test_phase_progress),
                cmocka_unit_test(test_lapse),
                cmocka_unit_test(test_twist),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
