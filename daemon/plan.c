/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "plan.h"
#include "timeutil.h"

/* Salt of the weekday shuffle. Changing it changes every varied schedule on
 * every machine: don't. */
#define SALT_VARY 0x6461746576617279ULL

/* 1970-01-05, the first Monday after the epoch: week index 0. */
#define WEEK_EPOCH_MONDAY INT64_C(4)

static const char *const mode_names[_DN_MODE_MAX] = {
        [DN_IN_PERSON] = "in-person",
        [DN_REMOTE] = "remote",
        [DN_MAKEUP] = "makeup",
};

static const char *const status_names[_DN_STATUS_MAX] = {
        [DN_PLANNED] = "planned",
        [DN_HAPPENED] = "happened",
        [DN_MISSED] = "missed",
        [DN_SKIPPED] = "skipped",
};

DEFINE_STRING_TABLE_LOOKUP(dn_mode, DnMode, mode_names, _DN_MODE_MAX)

DEFINE_STRING_TABLE_LOOKUP(dn_status, DnStatus, status_names, _DN_STATUS_MAX)

static uint64_t splitmix64(uint64_t x) {
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
}

/* Floor division and the matching non-negative remainder, for week indexes
 * before 1970-01-05. b > 0. */
static int64_t div_floor(int64_t a, int64_t b) {
        int64_t q = a / b;

        if (a % b != 0 && a < 0)
                q--;
        return q;
}

static int64_t mod_floor(int64_t a, int64_t b) {
        return a - div_floor(a, b) * b;
}

static int64_t monday_of(int64_t day) {
        return day - (weekday_of_day(day) - 1);
}

bool dn_rule_is_valid(const DnRule *r) {
        if (!r)
                return false;
        if (r->vary) {
                if (r->weekdays_mask == 0 || (r->weekdays_mask & ~DN_WEEKDAYS_ALL) != 0)
                        return false;
        } else if (r->weekday < 1 || r->weekday > 7)
                return false;
        if (r->minute < 0 || r->minute >= 24 * 60)
                return false;
        return r->duration >= 1 && r->duration <= DURATION_MAX_SEC;
}

/* The permutation of the allowed weekdays a[0..k) for one cycle, before the
 * fix at the cycle boundary. */
static void cycle_permutation(const int *a, int k, unsigned mask, int64_t cycle, int *ret) {
        uint64_t h = splitmix64(splitmix64(SALT_VARY ^ (uint64_t) mask) ^ (uint64_t) cycle);

        memcpy(ret, a, sizeof(int) * (size_t) k);
        for (int i = k - 1; i > 0; i--) {
                int j, t;

                h = splitmix64(h ^ (uint64_t) i);
                j = (int) (h % (uint64_t) (i + 1));
                t = ret[i];
                ret[i] = ret[j];
                ret[j] = t;
        }
}

int dn_weekday_for_week(const DnRule *r, int64_t week_monday_day) {
        int a[7], cur[7], prev[7], k = 0;
        int64_t week, cycle, pos;

        if (!dn_rule_is_valid(r))
                return -EINVAL;
        if (!r->vary)
                return r->weekday;

        for (int wd = 1; wd <= 7; wd++)
                if (r->weekdays_mask & (1U << (wd - 1)))
                        a[k++] = wd;
        if (k == 1)
                return a[0];

        /* Monday to Monday: an exact multiple of 7, which keeps the
         * subtraction away from the edges of int64_t for any day number a
         * weekday_of_day() can take. */
        week = div_floor(monday_of(week_monday_day) - WEEK_EPOCH_MONDAY, 7);
        if (k == 2)
                return a[mod_floor(week, 2)];

        cycle = div_floor(week, k);
        pos = week - cycle * k;
        cycle_permutation(a, k, r->weekdays_mask, cycle, cur);
        if (pos <= 1) {
                /* The last entry of the previous cycle is never touched by
                 * its own fix (k >= 3), so the raw permutation tells it. */
                cycle_permutation(a, k, r->weekdays_mask, cycle - 1, prev);
                if (cur[0] == prev[k - 1]) {
                        int t = cur[0];

                        cur[0] = cur[1];
                        cur[1] = t;
                }
        }
        return cur[pos];
}

bool dn_in_away(const DnAway *away, size_t n, int64_t day) {
        if (!away)
                return false;
        for (size_t i = 0; i < n; i++)
                if (away[i].from_day <= day && day <= away[i].to_day)
                        return true;
        return false;
}

/* The rule's start for the regular night of week week_monday. */
static int slot_of_week(const DnRule *rule, int64_t week_monday, time_t *ret) {
        int wd = dn_weekday_for_week(rule, week_monday);

        if (wd < 0)
                return wd;
        return local_resolve(week_monday + wd - 1, rule->minute, ret);
}

static int day_of(time_t t, int64_t *ret) {
        int64_t d = local_day_of(t);

        if (d == INT64_MIN)
                return -EOVERFLOW;
        *ret = d;
        return 0;
}

static bool is_regular(const DnNight *n) {
        return n->mode == DN_IN_PERSON || n->mode == DN_REMOTE;
}

static int cmp_away(const void *a, const void *b) {
        const DnAway *x = a, *y = b;

        if (x->from_day != y->from_day)
                return x->from_day < y->from_day ? -1 : 1;
        if (x->to_day != y->to_day)
                return x->to_day < y->to_day ? -1 : 1;
        return 0;
}

/* A remote night that owes a make-up, in the order the make-ups are given
 * their evenings. */
typedef struct Remote {
        time_t start;
        int64_t week;
        int64_t id;
        size_t index;
        int64_t to_day; /* the last day of its (merged) away period */
} Remote;

static int cmp_remote(const void *a, const void *b) {
        const Remote *x = a, *y = b;

        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        if (x->week != y->week)
                return x->week < y->week ? -1 : 1;
        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

static int cmp_change(const void *a, const void *b) {
        const DnNight *x = &((const DnChange *) a)->night, *y = &((const DnChange *) b)->night;

        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        if (x->week_monday_day != y->week_monday_day)
                return x->week_monday_day < y->week_monday_day ? -1 : 1;
        return x->makeup_for < y->makeup_for ? -1 : (x->makeup_for > y->makeup_for ? 1 : 0);
}

static bool has_makeup(const DnNight *existing, size_t n, int64_t id) {
        for (size_t i = 0; i < n; i++)
                if (existing[i].makeup_for == id)
                        return true;
        return false;
}

static bool day_taken(const int64_t *taken, size_t n, int64_t day) {
        for (size_t i = 0; i < n; i++)
                if (taken[i] == day)
                        return true;
        return false;
}

static bool has_regular_in_week(const DnNight *existing, size_t n, int64_t week) {
        for (size_t i = 0; i < n; i++)
                if (is_regular(existing + i) && existing[i].week_monday_day == week)
                        return true;
        return false;
}

static int validate(const DnRule *rule, const DnAway *away, size_t n_away, const DnNight *existing,
                    size_t n_existing, int weeks) {
        if (!dn_rule_is_valid(rule))
                return -EINVAL;
        if (weeks < 1 || weeks > DN_WEEKS_MAX)
                return -EINVAL;
        if ((n_away > 0 && !away) || (n_existing > 0 && !existing))
                return -EINVAL;
        for (size_t i = 0; i < n_away; i++)
                if (away[i].from_day > away[i].to_day)
                        return -EINVAL;
        for (size_t i = 0; i < n_existing; i++) {
                const DnNight *e = existing + i;

                if (e->id <= 0)
                        return -EINVAL;
                if (e->mode < 0 || e->mode >= _DN_MODE_MAX || e->status < 0 || e->status >= _DN_STATUS_MAX)
                        return -EINVAL;
                /* A bound far beyond the years local_resolve() takes
                 * (about +-3 million days) keeps the day arithmetic away
                 * from overflow. */
                if (e->week_monday_day < -INT64_C(1000000000) || e->week_monday_day > INT64_C(1000000000) ||
                    weekday_of_day(e->week_monday_day) != 1)
                        return -EINVAL;
        }
        return 0;
}

/* Steps 3 and 4 of plan.h for one existing regular night. */
static int replan_regular(const DnRule *rule, const DnAway *away, size_t n_away, DnNight *n, time_t now) {
        int64_t day;
        int r;

        if (n->status != DN_PLANNED || n->start <= now)
                return 0;

        if (!n->moved) {
                time_t slot;

                r = slot_of_week(rule, n->week_monday_day, &slot);
                if (r < 0)
                        return r;
                if (slot > now) {
                        n->start = slot;
                        n->duration = rule->duration;
                }
        }

        r = day_of(n->start, &day);
        if (r < 0)
                return r;
        n->mode = dn_in_away(away, n_away, day) ? DN_REMOTE : DN_IN_PERSON;
        return 0;
}

/* Step 7 of plan.h for one existing make-up; st[0..n_st) is the planned
 * state, regular nights included. */
static int replan_makeup(const DnRule *rule, const DnAway *away, size_t n_away, const DnNight *st, size_t n_st,
                         DnNight *m, time_t now) {
        time_t slot, slot_before;
        int64_t day;
        int r;

        if (m->status != DN_PLANNED || m->start <= now)
                return 0;

        for (size_t i = 0; m->makeup_for > 0 && i < n_st; i++)
                if (st[i].id == m->makeup_for && is_regular(st + i)) {
                        if (st[i].mode == DN_IN_PERSON) {
                                m->status = DN_SKIPPED;
                                return 0;
                        }
                        /* A remote night outside every away period: its
                         * period was cancelled. */
                        r = day_of(st[i].start, &day);
                        if (r < 0)
                                return r;
                        if (!dn_in_away(away, n_away, day)) {
                                m->status = DN_SKIPPED;
                                return 0;
                        }
                        break;
                }

        if (m->moved)
                return 0;

        r = day_of(m->start, &day);
        if (r < 0)
                return r;
        r = local_resolve(day, rule->minute, &slot);
        if (r < 0)
                return r;
        /* A start in a gap just before midnight lands on the next day; it
         * already is its day's slot then, and must stay put. */
        r = local_resolve(day - 1, rule->minute, &slot_before);
        if (r < 0)
                return r;
        if (m->start != slot && m->start != slot_before) {
                if (slot <= now)
                        return 0; /* keeps its time rather than go to the past */
                m->start = slot;
        }
        m->duration = rule->duration;
        return 0;
}

static bool night_equal(const DnNight *a, const DnNight *b) {
        return a->start == b->start && a->duration == b->duration && a->mode == b->mode &&
               a->status == b->status;
}

int dn_plan(const DnRule *rule, const DnAway *away, size_t n_away,
            const DnNight *existing, size_t n_existing,
            time_t now, int weeks, DnChange **ret, size_t *ret_n) {
        _cleanup_free_ DnNight *st = NULL;
        _cleanup_free_ DnAway *merged = NULL;
        _cleanup_free_ Remote *rem = NULL;
        _cleanup_free_ int64_t *taken = NULL;
        _cleanup_free_ DnChange *out = NULL;
        size_t n_st, n_merged = 0, n_out = 0, n_cap, n_rem = 0, n_taken = 0;
        int64_t today, monday;
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        r = validate(rule, away, n_away, existing, n_existing, weeks);
        if (r < 0)
                return r;

        r = day_of(now, &today);
        if (r < 0)
                return r;
        monday = monday_of(today);

        /* The planned state: the existing nights as they will be, then the
         * new regular nights. */
        st = calloc(n_existing + (size_t) weeks, sizeof(DnNight));
        if (!st)
                return -ENOMEM;
        if (n_existing > 0)
                memcpy(st, existing, n_existing * sizeof(DnNight));
        n_st = n_existing;

        for (size_t i = 0; i < n_existing; i++)
                if (is_regular(st + i)) {
                        r = replan_regular(rule, away, n_away, st + i, now);
                        if (r < 0)
                                return r;
                }

        for (int w = 0; w < weeks; w++) {
                int64_t week = monday + 7 * (int64_t) w, day;
                time_t slot;

                if (has_regular_in_week(existing, n_existing, week))
                        continue;
                r = slot_of_week(rule, week, &slot);
                if (r < 0)
                        return r;
                if (slot <= now)
                        continue;
                r = day_of(slot, &day);
                if (r < 0)
                        return r;
                st[n_st++] = (DnNight) {
                        .week_monday_day = week,
                        .start = slot,
                        .duration = rule->duration,
                        .mode = dn_in_away(away, n_away, day) ? DN_REMOTE : DN_IN_PERSON,
                        .status = DN_PLANNED,
                };
        }

        for (size_t i = 0; i < n_existing; i++)
                if (st[i].mode == DN_MAKEUP) {
                        r = replan_makeup(rule, away, n_away, st, n_st, st + i, now);
                        if (r < 0)
                                return r;
                }

        /* Changes: every update, every new regular night, and at most one
         * make-up per remote night of the planned state. */
        n_cap = n_st * 2;
        out = calloc(n_cap > 0 ? n_cap : 1, sizeof(DnChange));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_existing; i++)
                if (!night_equal(st + i, existing + i))
                        out[n_out++] = (DnChange) { .kind = DN_CHANGE_UPDATE, .night = st[i] };
        for (size_t i = n_existing; i < n_st; i++)
                out[n_out++] = (DnChange) { .kind = DN_CHANGE_CREATE, .night = st[i] };

        /* Make-ups. */
        if (n_away > 0) {
                size_t first_makeup = n_out;

                merged = malloc(n_away * sizeof(DnAway));
                rem = malloc((n_st > 0 ? n_st : 1) * sizeof(Remote));
                if (!merged || !rem)
                        return -ENOMEM;
                memcpy(merged, away, n_away * sizeof(DnAway));
                qsort(merged, n_away, sizeof(DnAway), cmp_away);
                for (size_t i = 0; i < n_away; i++) {
                        /* Overlapping or touching (the next one begins
                         * the day after TO): one period. */
                        if (n_merged > 0 && merged[n_merged - 1].to_day < INT64_MAX &&
                            merged[i].from_day <= merged[n_merged - 1].to_day + 1) {
                                if (merged[i].to_day > merged[n_merged - 1].to_day)
                                        merged[n_merged - 1].to_day = merged[i].to_day;
                        } else
                                merged[n_merged++] = merged[i];
                }

                /* The remote nights that owe a make-up not made yet, with
                 * the return of their period. */
                for (size_t i = 0; i < n_st; i++) {
                        int64_t day;
                        size_t p;

                        if (st[i].mode != DN_REMOTE || st[i].id == 0 ||
                            has_makeup(existing, n_existing, st[i].id))
                                continue;
                        r = day_of(st[i].start, &day);
                        if (r < 0)
                                return r;
                        for (p = 0; p < n_merged; p++)
                                if (merged[p].from_day <= day && day <= merged[p].to_day)
                                        break;
                        if (p == n_merged)
                                continue;
                        rem[n_rem++] = (Remote) {
                                .start = st[i].start,
                                .week = st[i].week_monday_day,
                                .id = st[i].id,
                                .index = i,
                                .to_day = merged[p].to_day,
                        };
                }
                qsort(rem, n_rem, sizeof(Remote), cmp_remote);

                /* The evenings that already have a make-up. */
                taken = malloc((n_existing + n_rem + 1) * sizeof(int64_t));
                if (!taken)
                        return -ENOMEM;
                for (size_t i = 0; i < n_existing; i++)
                        if (st[i].mode == DN_MAKEUP) {
                                r = day_of(st[i].start, &taken[n_taken]);
                                if (r < 0)
                                        return r;
                                n_taken++;
                        }

                for (size_t k = 0; k < n_rem; k++) {
                        int64_t day = rem[k].to_day;
                        time_t start;

                        /* The first evening after the return that is free;
                         * at most n_taken are not. */
                        do {
                                if (day == INT64_MAX)
                                        return -ERANGE;
                                day++;
                        } while (day_taken(taken, n_taken, day));
                        taken[n_taken++] = day;

                        r = local_resolve(day, rule->minute, &start);
                        if (r < 0)
                                return r;
                        if (start <= now)
                                continue;
                        out[n_out++] = (DnChange) {
                                .kind = DN_CHANGE_CREATE,
                                .night = {
                                        .week_monday_day = rem[k].week,
                                        .start = start,
                                        .duration = rule->duration,
                                        .mode = DN_MAKEUP,
                                        .status = DN_PLANNED,
                                        .makeup_for = rem[k].id,
                                },
                        };
                }
                qsort(out + first_makeup, n_out - first_makeup, sizeof(DnChange), cmp_change);
        }
        if (n_out == 0) {
                free(out);
                out = NULL;
        }
        *ret = TAKE_PTR(out);
        *ret_n = n_out;
        return 0;
}

int dn_trim(const DnNight *existing, size_t n_existing, time_t now, int weeks, int64_t **ret, size_t *ret_n) {
        _cleanup_free_ int64_t *out = NULL;
        size_t n_out = 0;
        int64_t today;
        int r;

        if (!ret || !ret_n || weeks < 1 || weeks > DN_WEEKS_MAX || (n_existing > 0 && !existing))
                return -EINVAL;
        r = day_of(now, &today);
        if (r < 0)
                return r;
        int64_t end = monday_of(today) + 7 * (int64_t) weeks;

        out = calloc(n_existing > 0 ? n_existing : 1, sizeof(int64_t));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_existing; i++) {
                const DnNight *n = existing + i;
                bool keep = false;

                if (!is_regular(n) || n->status != DN_PLANNED || n->moved || n->start <= now ||
                    n->week_monday_day < end)
                        continue;
                for (size_t k = 0; k < n_existing; k++)
                        if (existing[k].makeup_for == n->id && (existing[k].status != DN_PLANNED || existing[k].moved))
                                keep = true;
                if (!keep)
                        out[n_out++] = n->id;
        }
        if (n_out == 0) {
                free(out);
                out = NULL;
        }
        *ret = TAKE_PTR(out);
        *ret_n = n_out;
        return 0;
}
