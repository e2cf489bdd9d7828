/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * datenight.h: the weekly date night (SPEC 3, 7). The plan itself is the
 * pure dn_plan() of plan.h; this module keeps it current in the store (one
 * transaction per change), applies what a person does to a night (move,
 * skip, log, away), and reads the calendar of the date nights and the open
 * rain checks (dncal.h renders it and keeps datenights.ics current).
 */

#include "ics.h"
#include "manager.h"
#include "plan.h"
#include "timeutil.h"
#include "store.h"

/* The rule as stored by datenight set (defaults: fri 20:00, 3 h). */
int datenight_rule(Manager *m, DnRule *ret);
/* Stores a new rule and re-plans the future nights not moved by hand. */
int datenight_set_rule(Manager *m, time_t now, const DnRule *rule);
/* Brings the stored plan up to date: 1 when it changed anything. */
int datenight_replan(Manager *m, time_t now);
/* id 0: the next planned night. -ENOENT none, -EALREADY over or decided. */
int datenight_move(Manager *m, time_t now, int64_t id, time_t start, int64_t *ret_id);
int datenight_skip(Manager *m, time_t now, int64_t id, int64_t *ret_id);
/* id 0: the next skipped night ahead; planned again. -ENOENT none,
 * -ENOMSG not skipped, -EALREADY over, -ESTALE a make-up no longer owed. */
int datenight_unskip(Manager *m, time_t now, int64_t id, int64_t *ret_id);
/* id 0: the latest started night without an outcome, else the latest with
 * one (given again, the last outcome counts). -EINPROGRESS not begun yet. */
int datenight_log(Manager *m, time_t now, int64_t id, DnStatus outcome, int64_t *ret_id);
/* -EINVAL when to < from, -ERANGE when it ends before today. */
int datenight_away(Manager *m, time_t now, int64_t from_day, int64_t to_day, int64_t *ret_id);

typedef struct AwayInfo {
        int64_t id;
        DnAway away;
        int64_t nights;  /* remote nights in it */
        int64_t makeups; /* make-ups still owed (planned) for them */
} AwayInfo;
/* The away periods not cancelled, by from_day; free() the array. */
int datenight_away_list(Manager *m, AwayInfo **ret, size_t *ret_n);
/* Cancels one (the row stays): its future nights in person again, their
 * make-ups no longer owed (skipped, plan.h step 7). *ret counts what that
 * gave back. -ENOENT: no such period (or already cancelled). */
int datenight_away_cancel(Manager *m, time_t now, int64_t id, AwayInfo *ret);

/* The nights shown by closerctl datenight: those that ended within the
 * last weeks weeks, and all to come. */
int datenight_list(Manager *m, time_t now, DateNight **ret, size_t *ret_n);

/* The calendar: the nights from ics.weeks weeks ago on and the open rain
 * checks, as the events ics_write() renders (dncal.h renders them). */
typedef struct DnCalendar {
        DateNight *nights;
        size_t n_nights;
        Promise *promises;
        size_t n_promises;
        IcsEvent *events;
        size_t n_events;
        char alarm[64];
        uint64_t fingerprint; /* icalwire_fingerprint() of the events */
} DnCalendar;

int datenight_calendar_read(Manager *m, time_t now, DnCalendar *c);
void datenight_calendar_clear(DnCalendar *c);
/* The calendar at manager_now(), handed to write (a file's writer running
 * again after a change during its rendering). */
int datenight_calendar_now(Manager *m, int (*write)(Manager *m, const DnCalendar *c));

/* The zone of the rule's times when it is not this machine's (my partner
 * set the rule elsewhere): 1 and the IANA name, else 0. */
int datenight_foreign_zone(Manager *m, char buf[static LOCAL_ZONE_MAX]);

/* For the scheduler: the reminder lead (datenight.remind) in seconds. */
int datenight_remind(Manager *m, int64_t *ret);

/* The couple's one plan (issue 17, shareplan.h; datenight-share.c).
 *
 * Every change a person makes here (the rule and the reminder, a night
 * moved, skipped, unskipped or logged, an away period or its cancel) is
 * also my entry of the shared plan, written with the logical clock, inside
 * the change's own transaction. datenight_record_rule() is for a changed
 * datenight.remind (the bus layer calls it after settings_change()). */
int datenight_record_rule(Manager *m);
int datenight_record_night(Manager *m, const DnNight *night);
int datenight_record_away(Manager *m, const DnAway *away, bool on);

/* What my partner's plan entries did here. */
typedef struct PlanMerge {
        unsigned changed;        /* their entries that now win and changed my plan */
        char summary[160];       /* the first such change, in words: "moved Friday's date night to Sat 21:00" */
        unsigned overruled;      /* my entries they overruled (concurrent, another value) */
        char overruled_what[160];/* the first of those: "the date night of Fri 11 Dec" */
} PlanMerge;

/* Inside a transaction: takes my partner's entries (already validated:
 * plan_entry_is_valid), keeps them, and applies each that wins over what
 * I had, then re-plans. Entries that changed nothing are no change. */
int datenight_merge_locked(Manager *m, time_t now, const char *partner, const PlanEntry *theirs, size_t n,
                           PlanMerge *ret);
/* Inside a transaction: once my partner is known, the nights of this week
 * on take the couple's UIDs (the same on both machines). */
int datenight_adopt_couple_locked(Manager *m, time_t now);
