/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * calendar.h: proleptic Gregorian calendar arithmetic on day numbers (days
 * since 1970-01-01), valid for any year an int holds. Pure: no time zone,
 * no state. Shared by closerd (timeutil.h) and closerctl (human dates).
 */

#include <stdbool.h>
#include <stdint.h>

int64_t day_from_ymd(int y, int m, int d);
void ymd_from_day(int64_t day, int *y, int *m, int *d);
int weekday_of_day(int64_t day); /* ISO: 1 Monday .. 7 Sunday */
bool ymd_valid(int y, int m, int d);
