/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * pick.h: the decisions of the daily practice (SPEC 3): how far the ramp has
 * widened, which partner item is today's act, which phase the practice is
 * in, whether a lapse is due, and the creative phase's twist.
 *
 * Everything here is a pure function of its arguments: no I/O, no logging,
 * no clock, no global state. "Days" are day numbers, days since 1970-01-01
 * in the local calendar (negative before it); the caller converts. INT64_MIN
 * stands for "never". The same inputs (seed and today included) give the
 * same answer whatever the order of the candidate array, so a pick can be
 * recomputed after a restart and still agree with the stored one.
 * Errors are negative errno values (-EINVAL for bad arguments).
 *
 * Ramp ("start slow"). week = (today - start_day) / 7, and days before
 * start_day count as week 0. The intensity cap by start and week:
 *
 *      start    | cap 1      | cap 2      | cap 3          | whole list after
 *      ---------+------------+------------+----------------+-----------------
 *      cold     | weeks 0-2  | weeks 3-5  | week 6 on      | 42 days
 *      cooling  | week 0     | weeks 1-2  | week 3 on      | 21 days
 *      warm     | -          | -          | from day 0     | at once
 *
 * so the cap widens on start_day + 21 and + 42 (cold) or + 7 and + 21
 * (cooling).
 *
 * Daily pick. Eligible: review new or ok, not removed, intensity <= cap,
 * id not in the exclude list (today's earlier picks that were rerolled).
 * "Recent" means last_day in today-6..today (or later, should the clock
 * have gone back). The pool is the eligible items that are not recent;
 * only when that is empty do recent items come back (least recently used
 * first), so nothing repeats within a week while the list allows it.
 * From the pool:
 *   1. an item never done (times_done == 0, last_day == INT64_MIN) first,
 *      the one with the lowest hash when there are several;
 *   2. unweighted (ramp): the least recently used, ties by lowest hash;
 *   3. weighted (steady, creative): a draw with probability proportional to
 *
 *          w = r * r * s
 *          r = avg_response clamped to 1..5 (3, neutral, when none observed)
 *          s = days since last use - 6, i.e. 1 on the first day it is
 *              allowed again, growing by 1 a day, at most 365 (365 too for
 *              an item done but with no last day)
 *
 *      A response-5 item weighs 25 times a response-1 item of the same
 *      staleness, but a waiting item gains weight every day without bound
 *      (within the 365-day cap, far beyond any realistic list), so every
 *      eligible item keeps coming up. The draw is Efraimidis-Spirakis:
 *      every item gets key = ln(u) / w with u in (0,1) from its own hash,
 *      and the largest key wins, which needs no ordering of the array.
 * The hash is splitmix64 over (seed, today, id), distinct for distinct ids
 * on a given day.
 *
 * Phase. In order:
 *   - ramp      while ramp_cap() < 3;
 *   - creative  when the stored phase is creative and there was no lapse
 *               of a week (an act done within today-6..today): once
 *               creative it stays so, even if acts_done_28d drops below 21;
 *   - creative  when acts_done_28d >= 21, today - start_day >= 28 and there
 *               was no lapse of a week (so it cannot be entered only to be
 *               left again at once);
 *   - steady    otherwise; in particular creative falls back to steady once
 *               today - last_done_day >= 7 (or nothing was ever done).
 * A pause (SPEC 3) is the caller's business: it shifts the days it passes.
 *
 * Lapse. Due when the two days before today had nothing done:
 * last_done_day < today - 2 (or never) and start_day <= today - 2. The
 * caller emits it once per lapse.
 *
 * Twist (creative phase). At most every other day (today - last_twist_day
 * >= 2), and then only when the day's coin says so (about half of those
 * days). A second coin chooses between combining with another item and a
 * change of time or place; combining needs an item that is eligible (as
 * above, not the act itself) with avg_response >= 4.0 and times_done >= 3,
 * the best response winning and ties going to the lowest hash; without one
 * it is a change from a fixed list of phrases, picked by the day's hash.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "item.h"

typedef enum StartKind {
        START_COLD,
        START_COOLING,
        START_WARM,
        _START_MAX,
        _START_INVALID = -1,
} StartKind;

const char *start_kind_to_string(StartKind s);  /* NULL when invalid */
StartKind start_kind_from_string(const char *s); /* _START_INVALID when unknown */

/* The intensity cap 1..3 on today; *ret_next_widen_day (may be NULL) gets
 * the day the cap next widens, -1 when it already is 3. -EINVAL for an
 * unknown start. */
int ramp_cap(StartKind start, int64_t start_day, int64_t today, int64_t *ret_next_widen_day);

typedef struct PickCandidate {
        int64_t id;
        int intensity;        /* 1..3 */
        Review review;        /* only REVIEW_NEW/REVIEW_OK are eligible */
        bool removed;         /* tombstoned: never eligible */
        int64_t last_day;     /* most recent day it was the daily act or was done; INT64_MIN if never */
        int64_t times_done;
        double avg_response;  /* 1..5 average of observed responses, 0 if none */
} PickCandidate;

/* Today's act among c[0..n). weighted: steady and creative phases. exclude:
 * ids not to pick again today (may be NULL when n_exclude is 0). Returns 0
 * and *ret_id, -ENOENT when nothing is eligible, -EINVAL when cap is not
 * 1..3 or a pointer is missing. */
int pick_daily(const PickCandidate *c, size_t n, int64_t today, int cap, bool weighted, uint64_t seed,
               const int64_t *exclude, size_t n_exclude, int64_t *ret_id);

typedef enum PickEmptyReason {
        PICK_EMPTY_NO_LIST,
        PICK_EMPTY_ALL_REMOVED,
        PICK_EMPTY_ALL_UNDER_REVIEW, /* every active item is discuss or no */
        PICK_EMPTY_ABOVE_CAP,
        PICK_EMPTY_ALL_REROLLED,
        _PICK_EMPTY_MAX,
        _PICK_EMPTY_INVALID = -1,   /* not empty: something is eligible */
} PickEmptyReason;

/* Why pick_daily() found nothing, checked in the order of the enum: the
 * first condition that empties the list is the one to fix first. */
PickEmptyReason pick_explain_empty(const PickCandidate *c, size_t n, int cap,
                                   const int64_t *exclude, size_t n_exclude);
/* A sentence for status and today, what to do included; NULL when invalid. */
const char *pick_empty_reason_to_string(PickEmptyReason r);

typedef enum Phase {
        PHASE_RAMP,
        PHASE_STEADY,
        PHASE_CREATIVE,
        _PHASE_MAX,
        _PHASE_INVALID = -1,
} Phase;

const char *phase_to_string(Phase p);   /* NULL when invalid */
Phase phase_from_string(const char *s); /* _PHASE_INVALID when unknown */

#define PHASE_CREATIVE_ACTS 21  /* acts done ... */
#define PHASE_CREATIVE_WINDOW 28 /* ... in this many days, today included */
#define PHASE_CREATIVE_DAYS 28  /* days since the start */
#define PHASE_LAPSE_DAYS 7      /* days with nothing done that end the creative phase */

typedef struct PhaseInput {
        StartKind start;
        int64_t start_day;
        int64_t today;
        int acts_done_28d;          /* acts done in the 28 days today-27..today */
        int64_t last_done_day;      /* INT64_MIN if never */
        Phase current;              /* the stored phase */
} PhaseInput;

/* The phase for today; _PHASE_INVALID for a NULL input or unknown start. */
Phase phase_compute(const PhaseInput *in);

/* One sentence for status, starting with the phase name: in ramp, the cap
 * and "the ramp widens to intensity N on YYYY-MM-DD"; in steady, only the
 * unmet conditions ("14 of 21 acts in the last 28 days", "day 20 of 28
 * since the start", "nothing done for N days"); in creative, what unlocked
 * it ("21 of 21 acts in the last 28 days and 4 weeks since the start") or
 * what keeps it. *ret_text is allocated. 0, -EINVAL or -ENOMEM. */
int phase_progress(const PhaseInput *in, char **ret_text);

bool lapse_due(int64_t today, int64_t last_done_day, int64_t start_day);

/* The twist for today's act act_id. Returns 0 with *ret_combine_id = 0
 * and *ret_change = NULL when there is none, 1 with exactly one of them set
 * (*ret_change is a static string) when there is, -EINVAL for bad
 * arguments. The caller asks only in the creative phase. */
int twist_pick(const PickCandidate *c, size_t n, int64_t today, int cap, uint64_t seed, int64_t act_id,
               int64_t last_twist_day, int64_t *ret_combine_id, const char **ret_change);
