/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * daily.h: the daily practice (SPEC 3): today's act, picked once a day from
 * my partner's list and stored; done, reroll, extras and moods; the ramp,
 * the phase, the streak, pauses and lapses. The decisions themselves are the
 * pure functions of pick.h; this module gathers their data from the store
 * and keeps each change in one transaction.
 */

#include "manager.h"
#include "pick.h"
#include "store.h"

typedef struct Practice {
        int64_t today;
        StartKind start;
        int64_t start_day;
        int daily_minute;       /* daily.time as minutes after midnight */
        int cap;                /* the ramp's intensity cap today */
        int64_t next_widen_day; /* -1 when the whole list is in play */
        Phase phase;            /* now: what status and today show */
        Phase phase_stored;     /* as stored (and last announced) */
        int64_t phase_day;      /* the day it was stored, INT64_MIN before */
        bool paused;
        int64_t paused_until;   /* when paused */
        int64_t last_done_day;  /* INT64_MIN when never */
        int64_t lapse_since;    /* the last day that counts as active, for a lapse */
        bool lapse;             /* two days with nothing done, not paused */
        uint64_t seed;
} Practice;

/* Reads the settings and history "now" needs. */
int practice_load(Manager *m, time_t now, Practice *ret);
/* Whether a day falls in a pause. */
int practice_paused_on(Manager *m, int64_t day, bool *ret, int64_t *ret_until);

/* Today's daily act, picking it when it is not picked yet. -ENOENT when
 * nothing is eligible; *ret_why then says why. */
int daily_ensure(Manager *m, const Practice *p, Act *ret, PickEmptyReason *ret_why);
/* response, mood: 0 when not given. */
/* What Done did: the act's item, and whether it was done before (then the
 * response it had, 0 when none). */
typedef struct DoneResult {
        int64_t item_id;
        bool again;
        int previous_response;
        int response;
} DoneResult;

int daily_done(Manager *m, time_t now, int response, int mood, const char *note, DoneResult *ret);
int daily_reroll(Manager *m, time_t now, Act *ret, PickEmptyReason *ret_why);
/* Inside a transaction, after my review made item_id ineligible (no,
 * discuss): today's act, when it is that item and still open, gives way to
 * another pick, counted neither as a reroll nor as a skip. Returns 1 when
 * it did (*ret: the new act, or id 0 when nothing else can be picked), 0
 * when today's act is another one or done already. */
int daily_replace_locked(Manager *m, time_t now, int64_t item_id, Act *ret);
/* The ramp starts again today (the start kind stays); *ret: the practice then. */
int daily_ramp_restart(Manager *m, time_t now, Practice *ret);
/* what: a partner item's ID or a text. */
int daily_extra(Manager *m, time_t now, const char *what, int response, const char *note, int64_t *ret_id);
int daily_mood(Manager *m, time_t now, int mood, const char *note);
int daily_pause(Manager *m, time_t now, int64_t until_day);
int daily_resume(Manager *m, time_t now);
/* Consecutive days with something done, up to today (or yesterday while
 * today is still open); paused days neither count nor break it. */
int daily_streak(Manager *m, const Practice *p, int64_t *ret);
/* Recomputes the phase and stores it: 1 when it changed (*ret_old/new). */
int daily_phase_update(Manager *m, time_t now, Phase *ret_old, Phase *ret_new);
/* The same when anything was written or the day changed since the last
 * refresh, announcing a change (EVENT_PHASE_CHANGED): for the run queue. */
void daily_phase_refresh(Manager *m, time_t now);
/* The phase explained for status. */
int daily_phase_progress(Manager *m, time_t now, char **ret);
/* When the daily act of a day is due. */
int daily_due(const Practice *p, int64_t day, time_t *ret);
