/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * timeutil.h: the local calendar (SPEC 4) and the strict parsers for the
 * times, dates and durations a user types.
 *
 * Day numbers count days since 1970-01-01 in the proleptic Gregorian
 * calendar; they are pure arithmetic and know nothing of time zones. The
 * local_* and format_iso_local helpers read the process time zone (TZ, else
 * /etc/localtime) and call tzset() first, so a changed TZ is seen at once.
 *
 * Everything returns 0 (or the documented value) or a negative errno value:
 * -EINVAL for input that does not parse, -ERANGE for a value outside what the
 * function can represent, -EOVERFLOW when the C library cannot convert an
 * instant. Nothing here logs, allocates or keeps state.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define DURATION_MAX_SEC ((int64_t) 400 * 86400) /* what parse_duration accepts */

#include "calendar.h"

/* The instant of a local wall-clock time (minute_of_day 0..1439) by SPEC 4:
 * a time in a spring-forward gap moves forward by the gap, a time that
 * exists twice is the first of the two. Years 1..9999; -ERANGE outside,
 * -EINVAL for a bad minute_of_day. */
int local_resolve(int64_t day, int minute_of_day, time_t *ret);

/* The local calendar day, minute of the day (0..1439) and UTC offset
 * (seconds east) at an instant. For an instant the C library cannot convert
 * (years beyond an int), local_day_of returns INT64_MIN, local_minute_of
 * -EOVERFLOW and local_utc_offset 0. */
int64_t local_day_of(time_t t);
int local_minute_of(time_t t);
int local_utc_offset(time_t t);

/* Time zones by IANA name (issue 17: the couple's plan is in the zone of
 * whoever set its rule). local_zone_name: this process's zone (TZ, else
 * /etc/localtime's link), -ENOENT when it has no name. zone_push: this
 * process in zone until zone_pop(saved) puts the old one back (closerd is
 * single-threaded). */
#define LOCAL_ZONE_MAX 64
int local_zone_name(char buf[static LOCAL_ZONE_MAX]);
bool zone_name_is_valid(const char *s);
int zone_push(const char *zone, char **ret_saved);
void zone_pop(char *saved);

/* "YYYY-MM-DDTHH:MM:SS+HH:MM": the local time and its offset at that instant
 * (an offset with seconds, only seen in local mean time before ~1900, is cut
 * to whole minutes). Years 0..9999, else -ERANGE. */
int format_iso_local(time_t t, char buf[static 32]);
/* "Thu 3 Dec 08:00" (or "Thu 3 Dec" without the time): what people read
 * in closerd's own sentences, such as status warnings. */
int format_human_local(time_t t, bool with_time, char buf[static 32]);
/* "YYYY-MM-DD"; years 0..9999, else -ERANGE. */
int format_date(int64_t day, char buf[static 16]);

/* Strict parsers: the whole string must match, no surrounding blanks;
 * -EINVAL for anything else. */
int parse_hhmm(const char *s, int *minute_of_day);  /* "HH:MM" or "H:MM", 00:00-23:59 */
/* "HH:MM" of a minute of the day (taken modulo a day). */
void format_hhmm(int minute_of_day, char buf[static 8]);
int parse_date(const char *s, int64_t *day);        /* "YYYY-MM-DD", a real date, 1970-9999 */
int parse_weekday(const char *s);                   /* mon..sun, monday..sunday, any case: 1..7 */
const char *weekday_to_string(int wd);              /* 1..7 -> "mon".."sun", else NULL */
/* "fri,sat,sun" as a mask, bit (wd - 1) per weekday; at least one. */
int parse_weekdays(const char *s, unsigned *ret_mask);
/* The mask as "fri,sat,sun". */
void format_weekdays(unsigned mask, char buf[static 32]);

/* "3h", "30min", "90m", "1h30min", "1h 30min", "2d", "45s": one or more
 * NUMBER UNIT groups, blanks allowed between groups and between a number
 * and its unit; units s sec second(s), m min minute(s), h hour(s), d day(s),
 * any case. The total must be 1s..400 days. */
int parse_duration(const char *s, int64_t *seconds);
/* The same grammar split in two: the d/day(s) groups as whole calendar days
 * and the rest as seconds, so that "+1d" can keep the wall-clock time while
 * "+24h" adds absolute seconds. The total may be 0; -ERANGE when it exceeds
 * 10000 days. */
int parse_duration_parts(const char *s, int64_t *ret_days, int64_t *ret_seconds);
/* "1d2h", "3h", "1h30min", "30min", "45s"; seconds must be > 0. The result
 * parses back with parse_duration to the same value (up to 400 days). */
int format_duration(int64_t seconds, char buf[static 32]);
