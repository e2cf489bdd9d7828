/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pick.h"

/* Different salts keep the day's pick, its coins and its phrase from being
 * correlated with one another. */
#define SALT_PICK 0x7069636b00000001ULL
#define SALT_TWIST_COIN 0x7477697374000002ULL
#define SALT_TWIST_KIND 0x7477697374000003ULL
#define SALT_TWIST_PHRASE 0x7477697374000004ULL
#define SALT_TWIST_COMBINE 0x7477697374000005ULL

#define STALENESS_MAX 365

static const char *const start_names[_START_MAX] = {
        [START_COLD] = "cold",
        [START_COOLING] = "cooling",
        [START_WARM] = "warm",
};

static const char *const phase_names[_PHASE_MAX] = {
        [PHASE_RAMP] = "ramp",
        [PHASE_STEADY] = "steady",
        [PHASE_CREATIVE] = "creative",
};

static const char *const empty_reasons[_PICK_EMPTY_MAX] = {
        [PICK_EMPTY_NO_LIST] = "no partner list yet: import one with closerctl partner import FILE",
        [PICK_EMPTY_ALL_REMOVED] = "every item of the partner list has been removed: import a newer one with closerctl partner import FILE",
        [PICK_EMPTY_ALL_UNDER_REVIEW] = "every item is under discussion or off the table: talk them through with closerctl partner discuss",
        [PICK_EMPTY_ABOVE_CAP] = "every item is above today's intensity cap while the ramp starts slow",
        [PICK_EMPTY_ALL_REROLLED] = "every item has been rerolled today",
};

/* After the seed: "go out, stay in, make it a quickie, make it long and
 * romantic, do it in the morning, do it at lunch, do it in the middle of
 * the night". */
static const char *const twist_changes[] = {
        "in the morning",
        "at lunch",
        "in the middle of the night",
        "out of the house",
        "stay in with the phones off",
        "make it a quickie",
        "make it long and slow",
        "make it long and romantic",
        "somewhere you have never done it",
        "as a surprise",
};

DEFINE_STRING_TABLE_LOOKUP(start_kind, StartKind, start_names, _START_MAX)

DEFINE_STRING_TABLE_LOOKUP(phase, Phase, phase_names, _PHASE_MAX)

const char *pick_empty_reason_to_string(PickEmptyReason r) {
        return r >= 0 && r < _PICK_EMPTY_MAX ? empty_reasons[r] : NULL;
}

/* Day numbers come from outside (the database, a fuzzer): saturate rather
 * than overflow. INT64_MIN ("never") is infinitely long ago. */
static int64_t days_since(int64_t today, int64_t day) {
        int64_t d;

        if (day == INT64_MIN)
                return INT64_MAX;
        if (__builtin_sub_overflow(today, day, &d))
                return today > day ? INT64_MAX : INT64_MIN;
        return d;
}

static int64_t day_add(int64_t day, int64_t delta) {
        int64_t r;

        if (__builtin_add_overflow(day, delta, &r))
                return delta > 0 ? INT64_MAX : INT64_MIN;
        return r;
}

static uint64_t splitmix64(uint64_t x) {
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
}

/* Chained rather than one XOR of all inputs, so that (today, id) pairs do
 * not alias across days; still a bijection in id for a fixed day. */
static uint64_t day_hash(uint64_t seed, uint64_t salt, int64_t today, int64_t id) {
        return splitmix64(splitmix64(splitmix64(seed ^ salt) ^ (uint64_t) today) ^ (uint64_t) id);
}

int ramp_cap(StartKind start, int64_t start_day, int64_t today, int64_t *ret_next_widen_day) {
        /* Day offsets from start_day at which the cap reaches 2 and 3. */
        static const int64_t widen[_START_MAX][2] = {
                [START_COLD] = { 21, 42 },
                [START_COOLING] = { 7, 21 },
                [START_WARM] = { 0, 0 },
        };
        int64_t d, next = -1;
        int cap;

        if (start < 0 || start >= _START_MAX)
                return -EINVAL;

        d = days_since(today, start_day);
        if (d < 0)
                d = 0;

        if (d < widen[start][0]) {
                cap = 1;
                next = day_add(start_day, widen[start][0]);
        } else if (d < widen[start][1]) {
                cap = 2;
                next = day_add(start_day, widen[start][1]);
        } else
                cap = 3;

        if (ret_next_widen_day)
                *ret_next_widen_day = next;
        return cap;
}

static bool id_in(int64_t id, const int64_t *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (list[i] == id)
                        return true;
        return false;
}

static bool reviewed_in(const PickCandidate *c) {
        return !c->removed && (c->review == REVIEW_NEW || c->review == REVIEW_OK);
}

static bool eligible(const PickCandidate *c, int cap, const int64_t *exclude, size_t n_exclude) {
        return reviewed_in(c) && c->intensity <= cap && !id_in(c->id, exclude, n_exclude);
}

static bool never_done(const PickCandidate *c) {
        return c->times_done == 0 && c->last_day == INT64_MIN;
}

static bool recent(const PickCandidate *c, int64_t today) {
        return c->last_day != INT64_MIN && days_since(today, c->last_day) <= 6;
}

/* Deterministic order for ties: the day's hash, then the id in the (only
 * theoretical) case of a collision between duplicate ids. */
static bool hash_before(const PickCandidate *a, const PickCandidate *b, uint64_t seed, int64_t today) {
        uint64_t ha = day_hash(seed, SALT_PICK, today, a->id), hb = day_hash(seed, SALT_PICK, today, b->id);

        if (ha != hb)
                return ha < hb;
        return a->id < b->id;
}

static bool lru_before(const PickCandidate *a, const PickCandidate *b, uint64_t seed, int64_t today) {
        if (a->last_day != b->last_day)
                return a->last_day < b->last_day;
        return hash_before(a, b, seed, today);
}

static double pick_weight(const PickCandidate *c, int64_t today) {
        double r = c->avg_response;
        int64_t s;

        /* An item nobody has observed yet is treated as average, so it is
         * neither starved nor favoured. The negated test catches NaN too. */
        if (!(r >= 1.0))
                r = 3.0;
        else if (r > 5.0)
                r = 5.0;

        s = days_since(today, c->last_day);
        s = s > STALENESS_MAX + 6 ? STALENESS_MAX : s - 6;
        if (s < 1)
                s = 1;

        return r * r * (double) s;
}

/* Efraimidis-Spirakis key: the largest ln(u)/w over the pool is a draw
 * proportional to w, computed per item so array order does not matter. */
static double draw_key(const PickCandidate *c, uint64_t seed, int64_t today) {
        uint64_t h = day_hash(seed, SALT_PICK, today, c->id);
        double u = ((double) (h >> 11) + 0.5) / 9007199254740992.0; /* (0,1) */

        return log(u) / pick_weight(c, today);
}

int pick_daily(const PickCandidate *c, size_t n, int64_t today, int cap, bool weighted, uint64_t seed,
               const int64_t *exclude, size_t n_exclude, int64_t *ret_id) {
        const PickCandidate *best_new = NULL, *best_lru = NULL, *best_recent = NULL, *best_draw = NULL;
        double best_key = 0;

        if ((!c && n > 0) || (!exclude && n_exclude > 0) || !ret_id)
                return -EINVAL;
        if (cap < 1 || cap > 3)
                return -EINVAL;

        /* One pass keeps the best of each category; which category wins is
         * decided afterwards. */
        for (size_t i = 0; i < n; i++) {
                const PickCandidate *p = c + i;

                if (!eligible(p, cap, exclude, n_exclude))
                        continue;

                if (recent(p, today)) {
                        if (!best_recent || lru_before(p, best_recent, seed, today))
                                best_recent = p;
                        continue;
                }

                if (never_done(p)) {
                        if (!best_new || hash_before(p, best_new, seed, today))
                                best_new = p;
                        continue;
                }

                if (!best_lru || lru_before(p, best_lru, seed, today))
                        best_lru = p;

                if (weighted) {
                        double k = draw_key(p, seed, today);

                        if (!best_draw || k > best_key || (k == best_key && p->id < best_draw->id)) {
                                best_draw = p;
                                best_key = k;
                        }
                }
        }

        if (best_new)
                *ret_id = best_new->id;
        else if (weighted && best_draw)
                *ret_id = best_draw->id;
        else if (best_lru)
                *ret_id = best_lru->id;
        else if (best_recent)
                *ret_id = best_recent->id;
        else
                return -ENOENT;

        return 0;
}

PickEmptyReason pick_explain_empty(const PickCandidate *c, size_t n, int cap,
                                   const int64_t *exclude, size_t n_exclude) {
        bool active = false, reviewed = false, within_cap = false;

        if (!c)
                n = 0;
        if (!exclude)
                n_exclude = 0;

        for (size_t i = 0; i < n; i++) {
                if (c[i].removed)
                        continue;
                active = true;
                if (!reviewed_in(c + i))
                        continue;
                reviewed = true;
                if (c[i].intensity > cap)
                        continue;
                within_cap = true;
                if (!id_in(c[i].id, exclude, n_exclude))
                        return _PICK_EMPTY_INVALID;
        }

        if (n == 0)
                return PICK_EMPTY_NO_LIST;
        if (!active)
                return PICK_EMPTY_ALL_REMOVED;
        if (!reviewed)
                return PICK_EMPTY_ALL_UNDER_REVIEW;
        if (!within_cap)
                return PICK_EMPTY_ABOVE_CAP;
        return PICK_EMPTY_ALL_REROLLED;
}

static bool lapsed_week(const PhaseInput *in) {
        return days_since(in->today, in->last_done_day) >= PHASE_LAPSE_DAYS;
}

static bool creative_unlocked(const PhaseInput *in) {
        return in->acts_done_28d >= PHASE_CREATIVE_ACTS &&
                days_since(in->today, in->start_day) >= PHASE_CREATIVE_DAYS &&
                !lapsed_week(in);
}

Phase phase_compute(const PhaseInput *in) {
        int cap;

        if (!in)
                return _PHASE_INVALID;

        cap = ramp_cap(in->start, in->start_day, in->today, NULL);
        if (cap < 0)
                return _PHASE_INVALID;
        if (cap < 3)
                return PHASE_RAMP;

        if (in->current == PHASE_CREATIVE && !lapsed_week(in))
                return PHASE_CREATIVE;
        if (creative_unlocked(in))
                return PHASE_CREATIVE;
        return PHASE_STEADY;
}

/* Proleptic Gregorian date of a day number (H. Hinnant's civil_from_days),
 * valid for negative days too. */
static void format_day(int64_t day, char buf[static 64]) {
        int64_t z, era, doe, yoe, doy, mp, y;
        int m, d;

        /* Far outside any calendar the practice will see; keeps the
         * arithmetic below clear of overflow. */
        if (day < -(INT64_C(1) << 40) || day > (INT64_C(1) << 40)) {
                snprintf(buf, 64, "day %" PRId64, day);
                return;
        }

        z = day + 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = z - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d = (int) (doy - (153 * mp + 2) / 5 + 1);
        m = (int) (mp < 10 ? mp + 3 : mp - 9);
        y = yoe + era * 400 + (m <= 2);

        snprintf(buf, 64, "%04" PRId64 "-%02d-%02d", y, m, d);
}

int phase_progress(const PhaseInput *in, char **ret_text) {
        char buf[512], date[64];
        Phase p;
        int64_t since_start, since_done;

        if (!in || !ret_text)
                return -EINVAL;

        p = phase_compute(in);
        if (p < 0)
                return -EINVAL;

        since_start = days_since(in->today, in->start_day);
        since_done = days_since(in->today, in->last_done_day);

        if (p == PHASE_RAMP) {
                int64_t next = -1;
                int cap = ramp_cap(in->start, in->start_day, in->today, &next);

                format_day(next, date);
                snprintf(buf, sizeof buf,
                         "ramp: intensity up to %d while the practice starts slow; "
                         "the ramp widens to intensity %d on %s",
                         cap, cap + 1, date);

        } else if (p == PHASE_CREATIVE) {
                /* "25 of 21" would read like a mistake. */
                if (in->acts_done_28d == PHASE_CREATIVE_ACTS)
                        snprintf(buf, sizeof buf,
                                 "creative: %d of %d acts in the last %d days and %" PRId64 " weeks since the start; "
                                 "a week with nothing done returns to steady",
                                 in->acts_done_28d, PHASE_CREATIVE_ACTS, PHASE_CREATIVE_WINDOW, since_start / 7);
                else if (in->acts_done_28d > PHASE_CREATIVE_ACTS)
                        snprintf(buf, sizeof buf,
                                 "creative: %d acts in the last %d days (%d needed) and %" PRId64 " weeks since the start; "
                                 "a week with nothing done returns to steady",
                                 in->acts_done_28d, PHASE_CREATIVE_WINDOW, PHASE_CREATIVE_ACTS, since_start / 7);
                else
                        snprintf(buf, sizeof buf,
                                 "creative: kept while something is done every week "
                                 "(%d acts in the last %d days, the last one %" PRId64 " day%s ago); "
                                 "a week with nothing done returns to steady",
                                 in->acts_done_28d, PHASE_CREATIVE_WINDOW, since_done,
                                 since_done == 1 ? "" : "s");

        } else {
                char missing[384] = "";
                size_t l = 0;

                /* Only the conditions not yet met, so the sentence says what
                 * to work on. */
                if (in->acts_done_28d < PHASE_CREATIVE_ACTS)
                        l += snprintf(missing + l, sizeof missing - l, "%s%d of %d acts in the last %d days",
                                      l > 0 ? ", " : "", in->acts_done_28d < 0 ? 0 : in->acts_done_28d,
                                      PHASE_CREATIVE_ACTS, PHASE_CREATIVE_WINDOW);
                if (since_start < PHASE_CREATIVE_DAYS && l < sizeof missing)
                        l += snprintf(missing + l, sizeof missing - l, "%sday %" PRId64 " of %d since the start",
                                      l > 0 ? ", " : "", since_start < 0 ? 0 : since_start,
                                      PHASE_CREATIVE_DAYS);
                /* Enough acts can all lie more than a week back; that alone
                 * keeps the phase steady, so say it. */
                if (since_done >= PHASE_LAPSE_DAYS && l < sizeof missing) {
                        if (in->last_done_day != INT64_MIN)
                                (void) snprintf(missing + l, sizeof missing - l, "%snothing done for %" PRId64 " days",
                                                l > 0 ? ", " : "", since_done);
                        else if (l == 0)
                                (void) snprintf(missing, sizeof missing, "nothing done yet");
                }

                snprintf(buf, sizeof buf,
                         "steady: the creative phase opens at %d acts in the last %d days and %d weeks since the start; "
                         "now %s",
                         PHASE_CREATIVE_ACTS, PHASE_CREATIVE_WINDOW, PHASE_CREATIVE_DAYS / 7, missing);
        }

        *ret_text = strdup(buf);
        return *ret_text ? 0 : -ENOMEM;
}

bool lapse_due(int64_t today, int64_t last_done_day, int64_t start_day) {
        int64_t cutoff;

        if (__builtin_sub_overflow(today, 2, &cutoff))
                return false;
        if (start_day > cutoff)
                return false;
        return last_done_day == INT64_MIN || last_done_day < cutoff;
}

int twist_pick(const PickCandidate *c, size_t n, int64_t today, int cap, uint64_t seed, int64_t act_id,
               int64_t last_twist_day, int64_t *ret_combine_id, const char **ret_change) {
        const PickCandidate *best = NULL;
        uint64_t best_hash = 0;

        if ((!c && n > 0) || !ret_combine_id || !ret_change)
                return -EINVAL;

        *ret_combine_id = 0;
        *ret_change = NULL;

        /* A twist every day would stop being a surprise. */
        if (last_twist_day != INT64_MIN && days_since(today, last_twist_day) < 2)
                return 0;
        if (day_hash(seed, SALT_TWIST_COIN, today, 0) & 1)
                return 0;

        /* Combine only what has been seen to work: the seed's "by now you
         * will know which things create which responses". */
        if (!(day_hash(seed, SALT_TWIST_KIND, today, 0) & 1))
                for (size_t i = 0; i < n; i++) {
                        const PickCandidate *p = c + i;
                        uint64_t h;

                        if (p->id == act_id || !eligible(p, cap, NULL, 0))
                                continue;
                        if (!(p->avg_response >= 4.0) || p->times_done < 3)
                                continue;

                        h = day_hash(seed, SALT_TWIST_COMBINE, today, p->id);
                        if (!best || p->avg_response > best->avg_response ||
                            (p->avg_response == best->avg_response &&
                             (h < best_hash || (h == best_hash && p->id < best->id)))) {
                                best = p;
                                best_hash = h;
                        }
                }

        if (best)
                *ret_combine_id = best->id;
        else
                *ret_change = twist_changes[day_hash(seed, SALT_TWIST_PHRASE, today, 0) % ELEMENTSOF(twist_changes)];
        return 1;
}
