/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * today.h: what GetToday shows, read once and kept until it can change:
 * until the next write, the next local midnight, the moment a date night
 * leaves the 14-day window, or a clock or time-zone change. Everything in
 * GetToday that depends on the exact "now" (tonight's night, owed make-ups,
 * unlogged nights, rain checks due) is decided from this data and "now" at
 * each call, so a kept Today answers exactly as a fresh read would.
 */

#include "daily.h"
#include "manager.h"
#include "store.h"

#define TODAY_NIGHTS_BACK (14 * 24 * 3600) /* unlogged nights are asked about this long */

typedef struct Today {
        Practice practice;
        char date[16];        /* practice.today, YYYY-MM-DD */
        bool have_act;
        Act act;              /* when have_act */
        PickEmptyReason why;  /* when not */
        DateNight *nights;    /* ending after now - TODAY_NIGHTS_BACK, by start */
        size_t n_nights;
        Promise *promises;    /* the active rain checks */
        size_t n_promises;
        Item *for_me;         /* my items my partner did for me today (shared, share.h) */
        size_t n_for_me;
        /* Local days, computed once (a time-zone change starts a new Today):
         * each night's start and each rain check's due time. */
        int64_t *night_day, *due_day;
} Today;

/* The data of today at now (bringing the phase up to date and picking
 * today's act when that is not done yet);
 * owned by the Manager, good until the next call that modifies the store. */
int today_load(Manager *m, time_t now, const Today **ret);
void today_forget(Manager *m);

/* GetToday's decisions at now, each a pure function of t and now:
 * tonight's night (or one under way) or -1; whether night i is a make-up
 * still owed, or past and not logged; whether rain check i is due today
 * or overdue. */
ssize_t today_tonight(const Today *t, time_t now);
bool today_makeup_owed(const Today *t, size_t i, time_t now);
bool today_unlogged(const Today *t, size_t i, time_t now);
bool today_promise_due(const Today *t, size_t i);

/* The end of a Today read at now: the next local midnight, or earlier
 * when a night ends its 14 days in the window before. Pure. */
time_t today_valid_until(const Today *t, time_t now);
