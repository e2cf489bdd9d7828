/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * shareplan.h: the couple's one date-night plan (issue 17, SPEC 9). Pure:
 * no store, no clock.
 *
 * The plan is a set of entries, each a key with a value, written by one of
 * the two members with a logical clock (a Lamport clock): a member's new
 * entry takes lc = 1 + the highest lc it has seen, its own and its
 * partner's, and records in seen the highest lc of its partner's entries
 * it had merged when it wrote. Per key, the entry with the higher lc wins,
 * and on equal lc the one of the higher member ID: both machines hold the
 * same entries once the folder is synced, so both pick the same winners,
 * and a clock set hours wrong wins nothing. A change made after seeing the
 * other's always has the higher lc; two changes made while the machines
 * were apart are concurrent: the loser's writer was overruled when the
 * winner's seen is below the loser's lc and the values differ.
 *
 * Keys and values (printable ASCII, SHAREFILE_KEY_MAX/SHAREFILE_VALUE_MAX):
 *   "rule"                   "fixed WD MINUTE DURATION REMIND [ZONE]" or
 *                            "vary MASK MINUTE DURATION REMIND [ZONE]"
 *                            (ZONE: the IANA time zone of MINUTE, so that
 *                            partners in two zones meet at one instant)
 *   "night:YYYY-MM-DD"       the regular night of the week of that Monday:
 *   "makeup:YYYY-MM-DD"      the make-up of that week's night:
 *                            "STATUS START DURATION MOVED" (status by name,
 *                            start in seconds since the epoch, moved 0/1)
 *   "away:YYYY-MM-DD:YYYY-MM-DD"  an away period: "on" or "cancelled"
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "plan.h"
#include "timeutil.h"

typedef struct PlanEntry {
        char *key, *member, *value;
        uint64_t lc, seen;
} PlanEntry;

void plan_entry_clear(PlanEntry *e);
void plan_entries_free(PlanEntry *e, size_t n);

typedef enum PlanKeyKind {
        PLAN_KEY_RULE,
        PLAN_KEY_NIGHT,
        PLAN_KEY_MAKEUP,
        PLAN_KEY_AWAY,
        _PLAN_KEY_MAX,
        _PLAN_KEY_INVALID = -1,
} PlanKeyKind;

typedef struct PlanKey {
        PlanKeyKind kind;
        int64_t day, day2; /* night, makeup: the week's Monday; away: from, to */
} PlanKey;

typedef struct PlanNightValue {
        DnStatus status;
        time_t start;
        int64_t duration;
        bool moved;
} PlanNightValue;

#define PLAN_TEXT_MAX 96 /* bytes of a key or value, NUL included */

/* -EINVAL: not a key of the list above (a night's day not a Monday, an
 * away period backwards). */
int plan_key_parse(const char *key, PlanKey *ret);
int plan_key_format(const PlanKey *k, char buf[static PLAN_TEXT_MAX]);

/* zone: the IANA zone the rule's times are in (the one of whoever set it);
 * NULL or "" when unknown, then each machine reads it in its own. */
int plan_rule_format(const DnRule *rule, int64_t remind, const char *zone, char buf[static PLAN_TEXT_MAX]);
int plan_rule_parse(const char *value, DnRule *ret, int64_t *ret_remind, char ret_zone[static LOCAL_ZONE_MAX]);
int plan_night_format(const PlanNightValue *v, char buf[static PLAN_TEXT_MAX]);
int plan_night_parse(const char *value, PlanNightValue *ret);
/* away: "on" (true) or "cancelled" (false); -EINVAL otherwise. */
int plan_away_parse(const char *value, bool *ret_on);

/* Whether a's (lc, member) is above b's: a wins. */
bool plan_entry_wins(const PlanEntry *a, const PlanEntry *b);
/* Whether theirs, winning over mine, overruled it: written without having
 * seen mine, to another value. */
bool plan_entry_overrules(const PlanEntry *theirs, const PlanEntry *mine);
/* Whether an entry is well formed: a key above and a value of its kind. */
bool plan_entry_is_valid(const char *key, const char *value);
