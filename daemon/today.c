/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "timeutil.h"
#include "today.h"

static void today_free(Today *t) {
        if (!t)
                return;
        act_clear(&t->act);
        datenight_array_free(t->nights, t->n_nights);
        promise_array_free(t->promises, t->n_promises);
        item_array_free(t->for_me, t->n_for_me);
        free(t->night_day);
        free(t->due_day);
        free(t);
}

void today_forget(Manager *m) {
        today_free(m->today);
        m->today = NULL;
}

time_t today_valid_until(const Today *t, time_t now) {
        time_t until = TIME_T_MAX, midnight;
        if (local_resolve(t->practice.today + 1, 0, &midnight) >= 0)
                until = midnight;
        for (size_t i = 0; i < t->n_nights; i++) {
                const DnNight *x = &t->nights[i].night;
                time_t leaves = x->start + x->duration + TODAY_NIGHTS_BACK;
                if (leaves > now)
                        until = MIN(until, leaves);
        }
        return until;
}

static int today_read(Manager *m, time_t now, Today *t) {
        int r = practice_load(m, now, &t->practice);
        if (r < 0)
                return r;
        (void) format_date(t->practice.today, t->date);
        t->why = _PICK_EMPTY_INVALID;
        r = daily_ensure(m, &t->practice, &t->act, &t->why);
        if (r < 0 && r != -ENOENT)
                return r;
        t->have_act = r >= 0;
        r = store_dn_list(m->store, now - TODAY_NIGHTS_BACK, &t->nights, &t->n_nights);
        if (r < 0)
                return r;
        r = store_promise_list(m->store, true, &t->promises, &t->n_promises);
        if (r < 0)
                return r;
        r = store_partner_acts_on(m->store, t->practice.today, &t->for_me, &t->n_for_me);
        if (r < 0)
                return r;
        t->night_day = calloc(t->n_nights + 1, sizeof(int64_t));
        t->due_day = calloc(t->n_promises + 1, sizeof(int64_t));
        if (!t->night_day || !t->due_day)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_nights; i++)
                t->night_day[i] = local_day_of(t->nights[i].night.start);
        for (size_t i = 0; i < t->n_promises; i++)
                t->due_day[i] = local_day_of(t->promises[i].due);
        return 0;
}

ssize_t today_tonight(const Today *t, time_t now) {
        for (size_t i = 0; i < t->n_nights; i++) {
                const DnNight *x = &t->nights[i].night;
                bool today = t->night_day[i] == t->practice.today;
                bool ongoing = x->start <= now && now < x->start + x->duration;
                if ((today || ongoing) && x->status != DN_SKIPPED)
                        return (ssize_t) i;
        }
        return -1;
}

bool today_makeup_owed(const Today *t, size_t i, time_t now) {
        const DnNight *x = &t->nights[i].night;
        return x->mode == DN_MAKEUP && x->status == DN_PLANNED && x->start > now;
}

bool today_unlogged(const Today *t, size_t i, time_t now) {
        return dn_unlogged(&t->nights[i].night, now);
}

bool today_promise_due(const Today *t, size_t i) {
        const Promise *p = &t->promises[i];
        return (p->status == PROMISE_OPEN || p->status == PROMISE_MOVED) && t->due_day[i] <= t->practice.today;
}

int today_load(Manager *m, time_t now, const Today **ret) {
        if (m->today && m->today_generation == store_generation(m->store) &&
            m->today_epoch == m->clock_epoch && m->today_from <= now && now < m->today_until) {
                *ret = m->today;
                return 0;
        }
        today_forget(m);
        Today *t = calloc(1, sizeof(Today));
        if (!t)
                return -ENOMEM;
        int r = today_read(m, now, t);
        if (r < 0) {
                today_free(t);
                return r;
        }
        /* Read after the reads: picking today's act is a write of its own. */
        m->today = t;
        m->today_generation = store_generation(m->store);
        m->today_epoch = m->clock_epoch;
        m->today_from = now;
        m->today_until = today_valid_until(t, now);
        *ret = t;
        return 0;
}
