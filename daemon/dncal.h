/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * dncal.h: the date nights calendar (datenight_calendar_read()) as
 * iCalendar text, for ExportCalendar and for the file kept at
 * $data_dir/datenights.ics. The helper (icaljob.h) renders it, and only
 * when its content changed: the last text is kept with its fingerprint.
 */

#include "datenight.h"
#include "manager.h"

/* text: the calendar, owned by m (good until the callback returns); NULL
 * when r < 0 (r as icaljob.h's IcalJobDone gets it). */
typedef void (*DncalTextDone)(Manager *m, int r, const char *text, void *userdata);

/* The calendar's text at now. 1: it is ready, in *ret_text (owned by m,
 * good until closerd returns to its event loop), and done() is never
 * called; 0: it is being rendered, done() gets it from the event loop;
 * < 0: failed, done() is never called. */
int dncal_text(Manager *m, time_t now, const char **ret_text, DncalTextDone done, void *userdata);

/* Brings datenights.ics up to date with c (atomically, mode 0600): nothing
 * at all, no helper either, when the content and the file are as last
 * written. At most one rendering is in flight: a call meanwhile makes one
 * more run, of the calendar then, once it is done. Errors of the rendering
 * are logged; those before it are returned. */
int dncal_file_update(Manager *m, const DnCalendar *c);
