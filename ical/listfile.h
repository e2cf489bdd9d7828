/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * listfile.h: the list exchange file (SPEC 7): one VCALENDAR with one VTODO
 * per item of my list, written for my partner and read back from theirs.
 *
 * Export: listfile_write() renders items (validated again here, so what it
 * writes always parses back) as RFC 5545 text with CRLF line ends, folded at
 * 75 octets by libical. Removed items become STATUS:CANCELLED tombstones that
 * carry only UID, DTSTAMP, SEQUENCE, LAST-MODIFIED and STATUS: never a text,
 * a category, a class or an intensity. The calendar names its owner:
 * X-CLOSER-OWNER-ID (a stable random ID, made once per user) and
 * X-CLOSER-OWNER (the display name, me.name), each only when known.
 *
 * Import: listfile_parse() reads an UNTRUSTED file, all or nothing. On error
 * nothing is returned but a negative errno and a one-line message that names
 * the place by item index (1-based), line number (1-based, physical lines)
 * and UID only: never a title, a description or any other text of the file.
 *   -EFBIG    larger than LISTFILE_SIZE_MAX
 *   -E2BIG    more than ITEM_COUNT_MAX items, or more than LISTFILE_LINES_MAX
 *             content lines, or a line longer than LISTFILE_LINE_MAX bytes
 *   -EBADMSG  anything else wrong with the content
 *   -ENOMEM   out of memory (*err_text may then be NULL)
 *
 * What an item is, for closer's own files and for a VTODO written by another
 * tasks app (tasks.org, jtx Board, OpenTasks, Apple Reminders: no X-CLOSER-*
 * property, SEQUENCE never raised), by the same rules:
 *   category   the first CATEGORIES value that names one (affection, love,
 *              lust, fun; any case, blanks around it ignored), else the
 *              options' default category. Values are those of every
 *              CATEGORIES property, in file order, split at the commas that
 *              no backslash escapes ("a\,b" is one value, and no tag).
 *   intensity  X-CLOSER-INTENSITY (strictly 1, 2 or 3) when present, else
 *              the first CATEGORIES value gentle, intimate or explicit (any
 *              case) or 1, 2 or 3, else 1: never explicit by accident.
 *   private    a CATEGORIES value "private" (any case) makes it private,
 *              whatever CLASS says; else CLASS PUBLIC is public, any other
 *              CLASS (PRIVATE, CONFIDENTIAL, one not known) private, and no
 *              CLASS the default of its intensity (item_default_private()).
 *   removed    STATUS:CANCELLED only; NEEDS-ACTION, IN-PROCESS, COMPLETED
 *              and no STATUS are all on the list.
 *   sequence   SEQUENCE, 0 without one; modified: LAST-MODIFIED, 0 without.
 * The other properties those apps write (DTSTAMP, CREATED, PRIORITY, DUE and
 * DTSTART as DATE or with a TZID, COMPLETED, PERCENT-COMPLETE, RELATED-TO,
 * RRULE, X-APPLE-*, X-MOZ-*, ...) and components (VALARM inside a VTODO, a
 * VTIMEZONE in the calendar) are read past; UIDs are any printable ASCII
 * without spaces (tasks.org's long decimal numbers, UUIDs).
 *
 * Titles, details and the owner name come back with leading and trailing
 * blanks (space, tab) removed: libical drops them from property values, so
 * they would not survive an exchange anyway. title and details are never
 * NULL ("" for no DESCRIPTION). A tombstone read from a file keeps no text
 * either: its title and details are "", its category the default category,
 * its intensity 1 and its private flag off, whatever the file said.
 *
 * Both functions drive libical, which keeps global state (icalerrno, the
 * error-fatality switches): they set what they need for the duration of the
 * call and restore it, and they must not run concurrently with any other
 * libical use in the process. They never log and never print.
 */

#include <stddef.h>
#include <time.h>

#include "item.h"

#define LISTFILE_SIZE_MAX (5u * 1024 * 1024)
#define LISTFILE_LINE_MAX (32u * 1024)  /* bytes in one unfolded content line */
#define LISTFILE_LINES_MAX 200000u      /* content lines plus list separators (commas) */
#define LISTFILE_DEPTH_MAX 8u           /* nesting of BEGIN/END */

typedef struct ListFile {
        Item *items;                /* in file order; review REVIEW_NEW, id 0, note NULL */
        size_t n_items;             /* includes tombstones (removed = true) */
        size_t skipped_components;  /* components other than VTODO inside the VCALENDAR (VEVENT, VJOURNAL, VTIMEZONE, ...) */
        char *owner_name;           /* X-CLOSER-OWNER or NULL */
        char *owner_id;             /* X-CLOSER-OWNER-ID or NULL */
} ListFile;

void listfile_clear(ListFile *f);

/* Renders n items (n <= ITEM_COUNT_MAX, UIDs unique) into *ret_text, a NUL-terminated
 * string to free(). owner_name and owner_id may be NULL or "". now is the DTSTAMP.
 * Returns 0, -EINVAL for an item, owner name or owner ID that would not pass
 * listfile_parse(), -ERANGE for a time or sequence out of range, -E2BIG, or -ENOMEM. */
int listfile_write(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                   char **ret_text);

typedef struct ListParseOptions {
        /* The category of an item whose CATEGORIES name none (e.g. each file of
         * a folder the user filed under one category). */
        Category default_category;
} ListParseOptions;

/* All or nothing: on error returns negative errno, fills *err_text (when err_text is not
 * NULL) with an allocated one-line message that says what and where, and leaves *ret empty.
 * opts NULL: the defaults (CATEGORY_AFFECTION); -EINVAL (no message) for a default
 * category out of range. */
int listfile_parse_with(const char *buf, size_t len, const ListParseOptions *opts, ListFile *ret, char **err_text);
/* listfile_parse_with() with the default options. */
int listfile_parse(const char *buf, size_t len, ListFile *ret, char **err_text);
