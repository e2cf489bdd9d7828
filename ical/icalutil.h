/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * icalutil.h: what the two iCalendar writers (listfile.c, ics.c) share
 * about libical: its global error state, a new VCALENDAR with its header,
 * adding properties with their allocation checked, and rendering to text.
 */

#include <libical/ical.h>
#include <time.h>

/* 3000-12-31T23:59:59Z: libical silently writes a null time for any later one. */
#define ICAL_TIME_MAX INT64_C(32535215999)

/* libical's process-wide error settings and icalerrno, saved by
 * ical_enter() (which makes every error non-fatal) and given back by
 * ical_leave(). libical must not be used concurrently in between. */
typedef struct IcalState {
        int errors_are_fatal;
        icalerrorstate states[10];
        icalerrorenum errno_saved;
} IcalState;

void ical_enter(IcalState *s);
void ical_leave(const IcalState *s);

void icalcomponent_freep(icalcomponent **c);

/* Adds p to c, taking it; -ENOMEM when p or its value is missing. */
int ical_add_property(icalcomponent *c, icalproperty *p);
int ical_add_x_property(icalcomponent *c, const char *name, const char *value);

/* A VCALENDAR with VERSION:2.0, PRODID, CALSCALE (unless NULL) and
 * X-WR-CALNAME, in that order. */
int ical_new_calendar(const char *prodid, const char *calscale, const char *calname, icalcomponent **ret);
/* The text of cal (CRLF, folded), in memory of our own allocator. */
int ical_render(icalcomponent *cal, char **ret_text);
