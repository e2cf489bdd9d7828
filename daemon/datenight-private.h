/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * datenight-private.h: what datenight.c and datenight-share.c (the
 * couple's shared plan) share, and nothing else includes.
 */

#include "datenight.h"

#define DAY (24 * 3600)

/* Stores a new night (its UID the couple's when shared, else random). */
int datenight_create(Manager *m, time_t now, const DnNight *night, int64_t *ret_id);
/* The couple's UID of a night: 1 and *ret, or 0 when not shared (no couple yet). */
int datenight_couple_uid(Manager *m, const DnNight *night, char **ret);
/* Inside a transaction: brings the plan up to date. */
int datenight_replan_locked(Manager *m, time_t now, bool *changed);
/* Stores the rule's settings (nothing else). */
int datenight_rule_store(Manager *m, const DnRule *rule);
