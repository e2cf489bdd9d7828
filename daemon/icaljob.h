/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * icaljob.h: iCalendar work, done by a helper process that closerd does
 * not wait for.
 *
 * Every use of libical (ical/ics.c, ical/listfile.c, ical/icalutil.c) is in
 * one small executable, closerd-ical, that closerd never loads. For each
 * piece of work (render the calendar, render my list, parse a partner's
 * list) icaljob_start() encodes the request (ical/icalwire.h), forks and
 * execs the helper with a fresh address space: only its stdin and stdout
 * pipes and closerd's stderr open, the signal mask and dispositions reset,
 * PR_SET_PDEATHSIG(SIGKILL) so that it dies with closerd. The event loop
 * then feeds the request into the helper's stdin as the pipe takes it,
 * reads its stdout (at most ICALWIRE_OUTPUT_MAX bytes), watches its exit
 * (SIGCHLD, which must be blocked) and a ICALJOB_TIMEOUT_MS timer, and calls the job's callback once all is
 * in: closerd answers other calls meanwhile. So libical and what Debian's
 * libical pulls in (ICU and libstdc++, about 3 MiB of resident pages) never
 * count in the daemon's memory, and a crash inside libical on a hostile
 * file ends the helper, not closerd.
 *
 * The helper is looked up next to the closerd executable (the build tree),
 * in ../lib/closer from it (an installed closerd, whatever the prefix), then
 * in CLOSER_PKGLIBDIR (where make install puts it).
 */

#include <errno.h>
#include <stdbool.h>

#include "icalwire.h"
#include "manager.h"

#define ICALJOB_TIMEOUT_MS 10000 /* a helper that takes longer is killed: -ETIMEDOUT */

/* What a job gives back; the callback may take any of it (TAKE_PTR),
 * the rest is freed after it returns. */
typedef struct IcalResult {
        char *text;     /* *_WRITE: the text, NUL-terminated */
        ListFile list;  /* LISTFILE_PARSE: the list */
        char *err_text; /* LISTFILE_PARSE failing with its own error: the parser's message, or NULL */
        char **texts;   /* ICS_WRITE_EACH: one text per event, in the request's order */
        size_t n_texts;
        /* LISTFILE_PARSE_EACH: one outcome per file, in the request's order
         * (IcalParsed, icalwire.h: each file's own result, message and list). */
        IcalParsed *parsed;
        size_t n_parsed;
} IcalResult;

/* r: 0, or the work's own error (as ics_write(), ics_write_each(),
 * listfile_write() and listfile_parse() return them; a LISTFILE_PARSE_EACH
 * fails as a whole only with -ENOMEM, its files each in res->parsed), or
 *   -ENOPKG     the helper is missing, cannot be run or is of another build
 *   -ECHILD     the helper died, sent too much or what does not decode
 *   -ETIMEDOUT  it took longer than ICALJOB_TIMEOUT_MS (it was killed)
 *   -ECANCELED  closerd is shutting down (icaljob_cancel_all())
 *   -ENOMEM
 * Each failure of the helper is logged. */
typedef void (*IcalJobDone)(Manager *m, int r, IcalResult *res, void *userdata);

/* Starts the work of req (copied: the caller's data may go once this
 * returns). 0: done() will be called exactly once, from the event loop,
 * never from within this call. < 0 (-ENOPKG with the helper missing,
 * -E2BIG, -ENOMEM, a failure to fork): done() is never called. */
int icaljob_start(Manager *m, const IcalRequest *req, IcalJobDone done, void *userdata);

/* Ends every job (each helper killed and reaped), calling each done() with
 * -ECANCELED: on shutdown, before the bus and the event loop go. */
void icaljob_cancel_all(Manager *m);
/* Makes the exit of m->event do that first, before sd-bus closes the bus
 * (its exit source), so that the replies of the callers get out. */
int icaljob_setup(Manager *m);

/* How many jobs are running (for the fuzzers' and tests' loops). */
unsigned icaljob_running(const Manager *m);

/* Whether r is a failure of the helper itself rather than of its work. */
static inline bool icaljob_failed(int r) {
        return r == -ENOPKG || r == -ECHILD || r == -ETIMEDOUT || r == -ECANCELED;
}

/* Uses this helper executable instead of looking for one (for the fuzzers
 * and tools that run closerd's code outside closerd); NULL: look again. */
void icaljob_set_helper(const char *path);

/* For tests, tools and fuzzers only, never in closerd (icaljob-sync.c):
 * runs req on a private event loop and waits for it. Returns r as done()
 * would get it, and the result in *ret (icaljob_result_clear()). */
int icaljob_run(const IcalRequest *req, IcalResult *ret);

void icaljob_result_clear(IcalResult *res);
