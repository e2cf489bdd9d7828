/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * output.h: where closerctl's words and files go.
 *
 * - Errors: one line on stderr starting "closerctl: ". fail() is a refusal or
 *   a failure (exit 1), usage_error() a command typed wrong (exit 2). main()
 *   makes sure no command exits non-zero without a message.
 * - Files the daemon writes (list export, export-ics): output_open() before
 *   the call, output_commit() only after the daemon's reply succeeded. A
 *   regular file (or a new one) is written as a new 0600 file in the
 *   target's directory and renamed into place; a failure at any step leaves
 *   what was there byte for byte. Anything else (-, a pipe, a FIFO, a
 *   device, a socket, a path under /dev or /proc) is streamed to, never
 *   truncated, unlinked or replaced.
 * - Standard output is checked and closed at exit (close_stdout()): a write
 *   error is an error; a reader that stops early ends closerctl quietly
 *   (SIGPIPE, as in other Unix tools).
 * - Times: the daemon sends ISO 8601 with offsets; people read
 *   "Thu 3 Dec 08:00".
 */

#include <stdbool.h>

#define ERR_USAGE (-10000)

int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether fail() or usage_error() has printed anything. */
bool failure_reported(void);

typedef enum OutputKind {
        OUTPUT_STDOUT, /* no FILE, or "-" */
        OUTPUT_STREAM, /* not a regular file: written to as it is */
        OUTPUT_FILE,   /* a regular file or a new one: replaced by rename */
} OutputKind;

typedef struct Output {
        OutputKind kind;
        const char *path;   /* as typed, for messages */
        char *target;       /* OUTPUT_FILE: the file to replace (symlinks resolved) */
        int fd;             /* what the daemon writes into: a memfd, or the new file */
        bool named_temp;    /* OUTPUT_FILE: fd has a temporary name (no O_TMPFILE here) */
        char *temp;         /* that name */
} Output;

#define OUTPUT_INIT { .fd = -1 }

int output_open(Output *o, const char *path);
int output_commit(Output *o);
/* Forgets what was not committed: the new file is removed, nothing else. */
void output_clear(Output *o);
/* Whether the data goes to standard output, where a confirmation would mix in. */
bool output_is_stdout(const Output *o);

int close_stdout(void);

/* "2026-12-03T08:00:00+01:00" as "Thu 3 Dec 08:00" ("Sat 5 Dec 2027 20:00"
 * more than about ten months from today); text that is not such a time
 * comes back as it is. The result lives until the fourth call after. */
const char *human_time(const char *iso);
/* "2026-12-03" as "Thu 3 Dec" (with the year as for human_time). */
const char *human_date(const char *ymd);
/* "20:00" of an ISO time, or the text as it is. */
const char *human_clock(const char *iso);
