/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * when.h: the one parser of the WHEN a user types (SPEC 6), shared by every
 * command that takes one so they all agree.
 *
 * Forms, keywords in any case, blanks around and between tokens tolerated:
 *   YYYY-MM-DD HH:MM        that local time
 *   HH:MM, today HH:MM      today
 *   tomorrow HH:MM
 *   WEEKDAY HH:MM           (mon, saturday, ...) the next such day on which
 *                           that time is still ahead: today or up to 7 days on
 *   +2h, +30min, +1h30min   now plus that many seconds
 *   +1d                     the same wall-clock time that many days later
 *   @SECONDS                that exact instant, seconds since the epoch: how
 *                           a time resolved once (ResolveWhen) is passed on
 * Local wall-clock times resolve by SPEC 4 (local_resolve): a time in a
 * spring-forward gap moves forward by the gap, a repeated one is the first.
 *
 * Returns 0 and the instant in *ret, or a negative errno value and, when
 * reason is not NULL, a static English phrase for the caller to put after
 * the text ("'25:00' is not a valid time of day: use 00:00-23:59"):
 *   -EINVAL  it does not parse, names no real date or time, or is longer
 *            than WHEN_TEXT_MAX bytes
 *   -ERANGE  it is before now, or more than WHEN_AHEAD_MAX_SEC after now
 *            (when_parse only; when_parse_unbounded takes any time it can
 *            represent, for logging what already happened)
 * Never logs, never allocates.
 */

#include <stdbool.h>
#include <time.h>

#define WHEN_TEXT_MAX 64
#define WHEN_AHEAD_MAX_SEC ((time_t) 366 * 86400)

int when_parse(const char *text, time_t now, time_t *ret, const char **reason);

/* How a WHEN was resolved, for telling the user. */
typedef struct WhenNote {
        bool next_week;   /* a weekday whose time had passed today: a week on */
        bool gap;         /* the wall-clock time asked for did not exist that
                           * day (clocks go forward) and was moved on */
        int asked_minute; /* with gap: the minute of the day asked for */
} WhenNote;

/* when_parse(), and how it resolved the time. */
int when_parse_noted(const char *text, time_t now, time_t *ret, WhenNote *note, const char **reason);
int when_parse_unbounded(const char *text, time_t now, time_t *ret, const char **reason);
