/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * ics.h: the date nights calendar (SPEC 7, iCalendar export): one VCALENDAR
 * with one VEVENT per date night or promise, for `closerctl export-ics` and
 * the file kept at $XDG_DATA_HOME/closer/datenights.ics.
 *
 * Every time is written in UTC (DATE-TIME with 'Z'): no TZID, no VTIMEZONE,
 * so every parser (libical, python3-icalendar, vobject, khal, the calendar
 * apps) reads the same instants. No RRULE, EXDATE, RECURRENCE-ID or METHOD.
 * Built with libical, which escapes TEXT values and folds lines at 75 octets;
 * the text comes back with CRLF line ends.
 *
 * The caller decides what the texts say (SPEC 8: discreet, never the text of a
 * private item); this module only renders them.
 *
 * ics_write() drives libical, which keeps global state (icalerrno, the
 * error-fatality switches): it sets what it needs for the duration of the call
 * and restores it, and must not run concurrently with any other libical use in
 * the process. It never logs, never prints and keeps nothing between calls.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define ICS_PRODID "-//closer//closer date nights//EN"
#define ICS_CALNAME "closer"
#define ICS_UID_MAX 255                   /* bytes, printable ASCII without spaces */
#define ICS_ALARM_BEFORE_MAX (28 * 86400) /* seconds */

typedef struct IcsEvent {
        const char *uid;          /* stable per date night / promise, e.g. "dn-<random>@closer" */
        time_t start, end;        /* end > start */
        int64_t sequence;         /* 0..INT_MAX, raised by the daemon on each change */
        time_t last_modified;
        /* STATUS:CANCELLED (a skipped night, a resolved promise), kept in later exports. */
        bool cancelled;
        /* Discreet: "Date night", "Make-up date night", "Date night (remote)", "Rain check". */
        const char *summary;
        const char *description;  /* optional, NULL or "": none. Discreet text only */
        /* Seconds before start for the VALARM, 0 = none; never on a cancelled event. */
        int64_t alarm_before;
        /* The VALARM DESCRIPTION, discreet, e.g. "Date night in 1 hour"; NULL or "": the summary. */
        const char *alarm_text;
} IcsEvent;

/*
 * Renders n events (in the order given) into *ret_text, a NUL-terminated
 * string to free():
 *
 *   VCALENDAR: VERSION:2.0, PRODID:ICS_PRODID, CALSCALE:GREGORIAN,
 *              X-WR-CALNAME:ICS_CALNAME, no METHOD
 *   VEVENT:    UID, DTSTAMP (= last_modified), DTSTART, DTEND, SEQUENCE, LAST-MODIFIED,
 *              SUMMARY, DESCRIPTION (if any), CLASS:PRIVATE,
 *              STATUS:CONFIRMED or CANCELLED, TRANSP:OPAQUE
 *   VALARM:    (alarm_before > 0 and not cancelled) ACTION:DISPLAY,
 *              DESCRIPTION, TRIGGER;RELATED=START:-PT1H (the negative lead)
 *
 * Zero events give a valid, empty VCALENDAR. The text depends on the events
 * only, never on the time of the call: each DTSTAMP is the event's own
 * last_modified, so an unchanged event renders byte for byte the same.
 *
 * Texts (summary, description, alarm_text) must be valid UTF-8 without
 * control characters other than '\n' and '\t' (a '\r' would not survive
 * libical). Leading and trailing blanks are written as given, but libical's
 * own parser drops them when reading back.
 *
 * Returns 0, or:
 *   -EINVAL  ret_text NULL, events NULL with n > 0, a UID that is empty,
 *            longer than ICS_UID_MAX or not printable ASCII, two events with
 *            the same UID, a summary NULL or empty, a text that is not valid
 *            UTF-8 or has control characters, end <= start, alarm_before < 0
 *   -ERANGE  a time (start, end, last_modified) before 1970 or after
 *            3000-12-31T23:59:59Z, sequence outside 0..INT_MAX,
 *            alarm_before > ICS_ALARM_BEFORE_MAX
 *   -ENOMEM
 */
int ics_write(const IcsEvent *events, size_t n, char **ret_text);

/* Each event alone, for a vdir (one file per event): (*ret_texts)[i] is what
 * ics_write(&events[i], 1, ...) gives. The events are checked as ics_write()
 * checks them all (a duplicate UID too): any error fails the whole call, with
 * ics_write()'s error, and *ret_texts is NULL. n = 0: 0 and NULL. Free the
 * array with ics_texts_free(*ret_texts, n). */
int ics_write_each(const IcsEvent *events, size_t n, char ***ret_texts);

/* Here, not in ics.c: closerd frees the texts it gets from its helper. */
static inline void ics_texts_free(char **texts, size_t n) {
        for (size_t i = 0; texts && i < n; i++)
                free(texts[i]);
        free(texts);
}
