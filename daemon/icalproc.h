/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * icalproc.h: iCalendar work, done in a child process.
 *
 * Every use of libical (ics.c, listfile.c, icalutil.c) lives in a module,
 * closerd-ical.so, that closerd itself never loads. For each piece of work
 * (write the calendar, write my list, parse a partner's list) closerd forks;
 * the child loads the module, does the work on the data it inherited, sends
 * the result back through a pipe and exits. So libical and what Debian's
 * libical pulls in (ICU and libstdc++, about 3 MiB of resident pages) never
 * count in the daemon's memory, and a crash inside libical on a hostile file
 * ends the child, not closerd: the caller gets -ECHILD.
 *
 * The module is looked up next to the closerd executable (the build tree),
 * then in CLOSER_MODULEDIR (where make install puts it).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ics.h"
#include "listfile.h"

#define ICALPROC_MODULE "closerd-ical.so"
#define ICALPROC_SYMBOL "closer_ical_module"
#define ICALPROC_ABI "closer-ical/2 " VERSION
#define ICALPROC_TIMEOUT_MS 10000        /* a child that takes longer is killed: -ETIMEDOUT */
#define ICALPROC_OUTPUT_MAX (256u << 20) /* bytes a child may send back (10,000 items of 4,000 characters) */

/* The module's one exported symbol. */
typedef struct IcalModule {
        const char *abi;                 /* ICALPROC_ABI of the build */
        size_t size_item, size_event, size_listfile;
        int (*ics_write)(const IcsEvent *events, size_t n, time_t now, char **ret_text);
        int (*listfile_write)(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                              char **ret_text);
        int (*listfile_parse)(const char *buf, size_t len, ListFile *ret, char **err_text);
} IcalModule;

/* The same contracts as ics_write(), listfile_write() and listfile_parse(),
 * plus: -ENOPKG when the module is missing or does not match this closerd,
 * -ECHILD when the child died, sent too much or what does not decode, -ETIMEDOUT
 * when it took too long (it is killed). Each is logged. */
int icalproc_ics_write(const IcsEvent *events, size_t n, time_t now, char **ret_text);
int icalproc_listfile_write(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                            char **ret_text);
int icalproc_listfile_parse(const char *buf, size_t len, ListFile *ret, char **err_text);

/* Whether r is a failure of the child itself rather than of its work. */
static inline bool icalproc_failed(int r) {
        return r == -ENOPKG || r == -ECHILD || r == -ETIMEDOUT;
}

/* Uses this module file instead of looking for one (for the fuzzers and
 * tools that run closerd's code outside closerd); NULL: look again. */
void icalproc_set_module(const char *path);

/* A 64-bit FNV-1a hash of everything ics_write() would read: equal
 * fingerprints, equal text. */
uint64_t icalproc_fingerprint(const IcsEvent *events, size_t n, time_t now);

/* Encoding of a parsed list, as the child sends it (exported for the tests). */
int icalproc_encode_listfile(const ListFile *f, char **ret, size_t *ret_len);
int icalproc_decode_listfile(const char *buf, size_t len, ListFile *ret);
