/* SPDX-License-Identifier: MIT */
/*
 * badical.c: stand-ins for closerd-ical.so in test-icalproc.sh, built with
 * one of -DMODE_ABI (a module of another build), -DMODE_CRASH (every call
 * dies of SIGSEGV) or -DMODE_HANG (every call sleeps for good).
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "icalproc.h"

static int fail(void) {
#if defined(MODE_CRASH)
        (void) raise(SIGSEGV);
#elif defined(MODE_HANG)
        for (;;)
                (void) pause();
#endif
        return -EIO;
}

static int bad_ics_write(const IcsEvent *events, size_t n, time_t now, char **ret_text) {
        return fail();
}

static int bad_listfile_write(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                              char **ret_text) {
        return fail();
}

static int bad_listfile_parse(const char *buf, size_t len, ListFile *ret, char **err_text) {
        return fail();
}

const IcalModule closer_ical_module = {
#ifdef MODE_ABI
        .abi = "closer-ical/0 0.0.1",
#else
        .abi = ICALPROC_ABI,
#endif
        .size_item = sizeof(Item),
        .size_event = sizeof(IcsEvent),
        .size_listfile = sizeof(ListFile),
        .ics_write = bad_ics_write,
        .listfile_write = bad_listfile_write,
        .listfile_parse = bad_listfile_parse,
};
