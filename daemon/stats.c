/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "daily.h"
#include "macro.h"
#include "stats.h"
#include "timeutil.h"

void stats_clear(Stats *s) {
        free(s->days);
        free(s->week);
        free(s->month);
        stats_items_free(s->items, s->n_items);
        stats_items_free(s->categories, s->n_categories);
        memset(s, 0, sizeof(*s));
}

/* The longest run of days with something done inside the period. */
static int64_t longest_run(const StatsDay *d, size_t n) {
        int64_t best = 0, run = 0;
        for (size_t i = 0; i < n; i++) {
                run = d[i].acts > 0 ? run + 1 : 0;
                best = MAX(best, run);
        }
        return best;
}

/* The longest streak of all time walks the whole history: it is read once
 * per write generation. */
static int longest_streak_all(Manager *m, int64_t *ret) {
        uint64_t generation = store_generation(m->store) + 1;
        if (m->streak_generation != generation) {
                int r = store_longest_streak(m->store, &m->streak_longest_all);
                if (r < 0)
                        return r;
                m->streak_generation = generation;
        }
        *ret = m->streak_longest_all;
        return 0;
}

/* The days of the period by calendar month (a week's mood is the average
 * of its days' last moods, and so is a month's). */
static int collect_months(Stats *s) {
        int last_y = 0, last_m = 0;
        s->month = calloc(s->n_days / 28 + 2, sizeof(StatsMonth));
        if (!s->month)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_days; i++) {
                const StatsDay *d = &s->days[i];
                int y, mo, dd;
                ymd_from_day(d->day, &y, &mo, &dd);
                if (y != last_y || mo != last_m) {
                        s->month[s->n_months++] = (StatsMonth){ .first = d->day };
                        last_y = y;
                        last_m = mo;
                }
                StatsMonth *x = &s->month[s->n_months - 1];
                x->days++;
                x->active_days += d->acts > 0;
                x->acts += d->acts;
                x->response_sum += d->response_sum;
                x->responses += d->responses;
                x->mood_sum += d->mood_sum;
                x->moods += d->moods;
        }
        return 0;
}

int stats_collect(Manager *m, time_t now, int weeks, Stats *ret) {
        _cleanup_(stats_clear) Stats s = { .weeks = weeks };
        Practice p;
        int r;

        if (weeks < 1 || weeks > STATS_WEEKS_MAX)
                return -EINVAL;
        r = practice_load(m, now, &p);
        if (r < 0)
                return r;
        s.to_day = p.today;
        s.from_day = p.today - (weekday_of_day(p.today) - 1) - 7 * (int64_t) (weeks - 1);
        s.n_days = (size_t) (s.to_day - s.from_day + 1);
        s.days = calloc(s.n_days, sizeof(StatsDay));
        s.week = calloc((size_t) weeks, sizeof(StatsWeek));
        if (!s.days || !s.week)
                /* cppcheck-suppress memleak ; s is freed by its cleanup attribute */
                return -ENOMEM;

        r = store_stats_days(m->store, s.from_day, s.to_day, s.days);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s.n_days; i++) {
                StatsWeek *w = &s.week[i / 7];
                w->monday = s.from_day + (int64_t) (i / 7) * 7;
                w->acts += s.days[i].acts;
                w->response_sum += s.days[i].response_sum;
                w->responses += s.days[i].responses;
                w->mood_sum += s.days[i].mood_sum;
                w->moods += s.days[i].moods;
        }
        s.streak_longest = longest_run(s.days, s.n_days);
        r = collect_months(&s);
        if (r < 0)
                return r;

        time_t from;
        r = local_resolve(s.from_day, 0, &from);
        if (r < 0)
                return r;
        r = daily_streak(m, &p, &s.streak_current);
        if (r < 0)
                return r;
        r = longest_streak_all(m, &s.streak_longest_all);
        if (r < 0)
                return r;
        r = store_stats_acts(m->store, s.from_day, s.to_day, &s.acts);
        if (r < 0)
                return r;
        r = store_stats_items(m->store, s.from_day, s.to_day, false, &s.items, &s.n_items);
        if (r < 0)
                return r;
        r = store_stats_items(m->store, s.from_day, s.to_day, true, &s.categories, &s.n_categories);
        if (r < 0)
                return r;
        r = store_stats_datenights(m->store, from, now, s.datenights);
        if (r < 0)
                return r;
        r = store_promise_counters(m->store, (int64_t) from, &s.promises);
        if (r < 0)
                return r;
        *ret = s;
        memset(&s, 0, sizeof(s));
        return 0;
}
