/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * plan.h: which date nights should exist (SPEC 3 "Date night", issue 5).
 *
 * The daemon stores the date nights; this module only decides. Everything
 * here is a pure function of its arguments: no store, no logging, no global
 * state. The clock is an argument ("now"); the one outside input is the
 * process time zone, read through timeutil's local_resolve() and
 * local_day_of() (SPEC 4: a start time in a spring-forward gap moves forward
 * by the gap, one that exists twice is the first of the two). Days are day
 * numbers (days since 1970-01-01 in the local calendar), weekdays are ISO
 * (1 Monday .. 7 Sunday), a week is an ISO week named by its Monday.
 * Errors are negative errno values: -EINVAL for bad arguments, -ENOMEM,
 * and what local_resolve()/local_day_of() report (-ERANGE, -EOVERFLOW).
 *
 * Weekday choice (dn_weekday_for_week)
 * ------------------------------------
 * A fixed rule (!vary) gives rule->weekday every week.
 *
 * A varied rule chooses among the k allowed weekdays of weekdays_mask. It is
 * a function of the mask and the week alone: no seed, no clock, no time zone,
 * so it is the same after a restart and on both partners' machines given the
 * same settings. The weeks are numbered from the Monday 1970-01-05 (day 4):
 * week_index = (monday - 4) / 7, negative before it. Then:
 *   - k = 1: that weekday every week;
 *   - k = 2: the two alternate, the earlier weekday on even week indexes
 *     (strict alternation is the only order that never repeats);
 *   - k >= 3: the weeks fall into cycles of k, cycle = floor(week_index / k),
 *     and cycle c uses a permutation of the allowed weekdays, a Fisher-Yates
 *     shuffle driven by splitmix64 over (salt, mask, c). Where the first
 *     weekday of cycle c equals the last of cycle c - 1, the first two of
 *     cycle c are swapped (that never touches a cycle's last entry, so no
 *     chain of fixes runs back in time).
 * Hence, whenever two or more weekdays are allowed, no weekday comes twice
 * in a row; each allowed weekday comes exactly once in every aligned cycle
 * of k weeks, so any 2k - 1 consecutive weeks hold all of them.
 *
 * Plan (dn_plan)
 * --------------
 * A "regular" night is one whose mode is in-person or remote (not makeup);
 * its week is its week_monday_day field, whatever its start (a night moved
 * by hand into another week still belongs to its own). "Past" means
 * start <= now; "future" start > now. "Its day" is local_day_of(start).
 * The rule's slot of week W: local_resolve(W + dn_weekday_for_week(W) - 1,
 * rule->minute) for rule->duration seconds.
 *
 *   1. Horizon. The weeks kept are the current week (the one that holds
 *      local_day_of(now)) and the weeks - 1 after it: `weeks` weeks in all.
 *      Nothing before the current week is ever created.
 *   2. Creation. A week of the horizon with no regular night at all (of any
 *      status: a skipped night keeps its week) gets a DN_CHANGE_CREATE of
 *      its slot: id 0, status planned, not moved, makeup_for 0, mode remote
 *      when its day is inside an away period, else in-person. Never a night that
 *      starts in the past: this week's slot, once begun, is not created
 *      after the fact; one later this week is.
 *   3. Re-plan. A regular night that is planned, not moved by hand and in the
 *      future is brought to its week's slot (start and duration; a
 *      DN_CHANGE_UPDATE when they differ), wherever it lies, also beyond the
 *      horizon: a changed setting re-plans the future nights. Unless the new slot is
 *      in the past (the rule moved this week's night to a day already
 *      gone): then the night keeps its time and the week keeps its night.
 *   4. Away. A planned future regular night (moved ones too) is remote when
 *      its day (after step 3) is inside an away period (from_day <= day <=
 *      to_day), in-person otherwise; a DN_CHANGE_UPDATE of the mode when it
 *      differs.
 *   5. Never changed: past nights, and nights with an outcome (happened,
 *      missed, skipped), whatever the rule or the away periods say. A night
 *      moved by hand keeps its time (only its mode follows step 4).
 *   6. Make-up. Away periods that overlap or touch (the next one begins on
 *      the day after the previous TO) are merged first. Every remote regular
 *      night (any status, past ones included) whose day is inside a merged
 *      period owes exactly one make-up: mode makeup, status planned, the same
 *      week_monday_day, makeup_for = its id, at rule->minute for
 *      rule->duration, on the first evening after the return (day TO + 1)
 *      that has no make-up yet. The remote nights that still owe one take
 *      their evenings in order (by start, then week, then id), so several
 *      remote nights of a period get consecutive days TO + 1, TO + 2, ...
 *      in the order of the nights. A make-up is created only when no
 *      existing night has makeup_for equal to that id (whatever its status:
 *      a skipped make-up is not made again), and, like every creation, only
 *      when it starts in the future (an evening in the past is used up all
 *      the same, so the next night's make-up does not take it). The evening
 *      is not checked against anything but other make-ups: it may be that of
 *      a regular night (TO + n being that week's slot day) or lie in a later
 *      away period; it stays in person.
 *   7. Make-up re-plan. A make-up that is planned, not moved and in the
 *      future keeps its day and takes rule->minute and rule->duration
 *      (unless that would put it in the past). If its night exists and is
 *      in person after step 4 (say, a new rule took it out of the away
 *      period), the planned future make-up (moved or not) is no longer
 *      owed: a DN_CHANGE_UPDATE to status skipped (kept, as STATUS:CANCELLED
 *      in the calendar). Should the night later turn remote again, that
 *      skipped make-up still counts as its one make-up (step 6).
 *   8. Nothing is ever deleted, and the plan never changes an id, a week,
 *      the moved flag or makeup_for.
 *      (Trimming, dn_trim below, is the one exception, and it is no part
 *      of dn_plan.)
 *
 * Two rounds. A night created in this plan has no id yet, so dn_plan never
 * emits a make-up for a night whose id is 0. The caller applies the changes
 * (creating rows, which assigns ids) and calls dn_plan again with the same
 * inputs: the second call creates the make-ups of the new remote nights, and
 * a third call returns nothing. In general the plan converges in at most two
 * rounds: applying a plan and planning again at the same "now" gives no
 * changes, or only make-up creations, after which it gives none.
 *
 * What to pass. "All nights" is what the rules speak of, but a window is
 * enough: every night that starts from a month before now on (the current
 * week's, the remote nights of an away period that ended up to a month ago
 * and their make-ups), with the away periods that end from a month and two
 * days before now on (every period that holds one of those nights: step 7
 * reads a remote night outside all periods as cancelled). Make-ups of a long away period stay on distinct evenings then too,
 * as the evenings taken are read off the make-ups themselves, which lie
 * after the return.
 *
 * Output order: the DN_CHANGE_UPDATEs in the order of the existing array,
 * then the DN_CHANGE_CREATEs: regular nights by week, then make-ups by
 * start.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DN_DURATION_DEFAULT ((int64_t) 3 * 3600)
#define DN_WEEKS_DEFAULT 12
#define DN_WEEKS_MAX 520
#define DN_WEEKDAYS_ALL 0x7fU

typedef enum DnMode {
        DN_IN_PERSON,
        DN_REMOTE,
        DN_MAKEUP,
        _DN_MODE_MAX,
        _DN_MODE_INVALID = -1,
} DnMode;

typedef enum DnStatus {
        DN_PLANNED,
        DN_HAPPENED,
        DN_MISSED,
        DN_SKIPPED,
        _DN_STATUS_MAX,
        _DN_STATUS_INVALID = -1,
} DnStatus;

/* The names of SPEC 2 and 6: "in-person", "remote", "makeup"; "planned",
 * "happened", "missed", "skipped". to_string: NULL when invalid; from_string:
 * exact match only, _DN_*_INVALID when unknown or NULL. */
const char *dn_mode_to_string(DnMode m);
DnMode dn_mode_from_string(const char *s);
const char *dn_status_to_string(DnStatus s);
DnStatus dn_status_from_string(const char *s);

typedef struct DnRule {
        bool vary;              /* false: every week on weekday; true: one of weekdays_mask, varied */
        int weekday;            /* 1..7 when !vary */
        unsigned weekdays_mask; /* bit (wd-1) for each allowed weekday when vary; at least one; bits 0..6 */
        int minute;             /* local start time, minutes after midnight, 0..1439 */
        int64_t duration;       /* seconds, 1..DURATION_MAX_SEC (timeutil.h); default DN_DURATION_DEFAULT */
} DnRule;

/* Whether the rule is usable: the ranges above (the unused one of weekday
 * and weekdays_mask is not looked at). */
bool dn_rule_is_valid(const DnRule *r);

/* The weekday (1..7) of the regular date night of the ISO week that starts
 * (Monday) on week_monday_day; any other day is taken as the week holding it.
 * -EINVAL for a NULL or invalid rule. */
int dn_weekday_for_week(const DnRule *r, int64_t week_monday_day);

typedef struct DnAway {
        int64_t from_day, to_day; /* both days apart, inclusive; from_day <= to_day */
} DnAway;

/* Whether day lies inside one of away[0..n) (away may be NULL when n is 0). */
bool dn_in_away(const DnAway *away, size_t n, int64_t day);

typedef struct DnNight {         /* what exists or should exist */
        int64_t id;              /* > 0 for an existing one; 0 for a new one (in a plan) */
        int64_t week_monday_day; /* a regular night: its week; a make-up: its night's week */
        time_t start;            /* instant */
        int64_t duration;        /* seconds */
        DnMode mode;
        DnStatus status;
        bool moved;              /* moved by hand (datenight move): the plan keeps its time */
        int64_t makeup_for;      /* for a make-up: the id of the remote night it makes up; else 0 */
} DnNight;

/* A planned night that is over: its outcome is to be logged. */
static inline bool dn_unlogged(const DnNight *n, time_t now) {
        return n->status == DN_PLANNED && n->start + n->duration <= now;
}

/* Not DN_CREATE/DN_UPDATE: <fcntl.h> defines DN_CREATE (dnotify) under
 * _GNU_SOURCE. */
typedef enum DnChangeKind {
        DN_CHANGE_CREATE,
        DN_CHANGE_UPDATE,
} DnChangeKind;

typedef struct DnChange {
        DnChangeKind kind;
        DnNight night; /* CREATE: the new night, id 0. UPDATE: night.id is the existing one, every
                        * other field its new value (fields the plan does not change are copied) */
} DnChange;

/* Given the rule, the away periods (may be NULL when n_away is 0), the
 * nights that exist (all of them, past and future, any status; may be NULL
 * when n_existing is 0), "now", and how many weeks to keep (ics.weeks,
 * 1..DN_WEEKS_MAX): the changes that make the plan current, by the rules
 * above. On success returns 0, *ret is an array of *ret_n changes to be
 * freed with free(), NULL when there are none. -EINVAL for an invalid rule,
 * weeks out of range, an away period with from_day > to_day, an existing
 * night with id <= 0, a week_monday_day that is not a Monday (or is beyond
 * +-10^9 days), or an unknown mode or status; -ENOMEM; the errors of
 * local_resolve()/local_day_of() (a now or a night the C library cannot
 * convert). Nothing is returned on error. */
int dn_plan(const DnRule *rule, const DnAway *away, size_t n_away,
            const DnNight *existing, size_t n_existing,
            time_t now, int weeks, DnChange **ret, size_t *ret_n);

/* Trimming (issue 16): when ics.weeks is lowered, the regular nights beyond
 * the new horizon (their week at or after the current week's Monday + 7 *
 * weeks) that are planned, in the future and not moved by hand are no
 * longer wanted, with their make-ups. A night is kept when one of its
 * make-ups is not planned or was moved by hand (a person decided it).
 * Returns in *ret the ids of the regular nights to delete (free() it; NULL
 * when none); the caller deletes each with its make-ups. Pure, as above;
 * -EINVAL for weeks out of range, -ENOMEM, the errors of local_day_of(). */
int dn_trim(const DnNight *existing, size_t n_existing, time_t now, int weeks, int64_t **ret, size_t *ret_n);
