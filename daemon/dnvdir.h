/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * dnvdir.h: the date nights calendar as a vdir (pimutils' vdir storage
 * format, what khal reads and vdirsyncer syncs with a CalDAV server):
 * $data_dir/calendar/ (0700), one <UID>.ics per event of the calendar
 * (datenight_calendar_read(): the same events as datenights.ics), each a
 * complete VCALENDAR of that one event.
 *
 * A file is written only when its event changed (a fingerprint per event,
 * and the file as last written: its inode and mtime), atomically (a
 * temporary "<UID>.ics.tmp" in the folder, fsync, rename, mode 0600), so
 * an unchanged event keeps its file, and vdirsyncer uploads only what
 * changed. Its DTSTAMP is its LAST-MODIFIED (ics.h), so the same event is
 * the same bytes forever. An event that leaves the calendar because it is
 * past keeps its file; a file whose UID is no longer any night's or rain
 * check's (removed by a re-plan, given the couple's UID) is deleted. The
 * folder is closer's own: any other .ics file in it is deleted, and with
 * it a .tmp leftover of a crash.
 *
 * One rendering (ICAL_OP_ICS_WRITE_EACH, of the changed events only) is in
 * flight at most; a change meanwhile makes one more run when it is done.
 */

#include <time.h>

#include "datenight.h"
#include "manager.h"

#define DNVDIR_NAME "calendar"

/* Brings the folder up to date with c (datenight_calendar_read()). */
int dnvdir_update(Manager *m, const DnCalendar *c);
void dnvdir_free(Manager *m);

typedef struct DnVdirStatus {
        char *path;
        unsigned events;  /* .ics files in the folder */
        time_t last_write; /* the folder's last change (a file written or deleted), 0: none yet */
} DnVdirStatus;

int dnvdir_status(Manager *m, DnVdirStatus *ret);
void dnvdir_status_clear(DnVdirStatus *s);
