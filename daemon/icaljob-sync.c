/* SPDX-License-Identifier: MIT */
/*
 * icaljob-sync.c: icaljob_run(), a helper run that waits, for the tests,
 * tools and fuzzers that use closerd's code outside closerd. closerd itself
 * never links this file (it never waits for the helper).
 */
#include <signal.h>

#include "icaljob.h"

typedef struct Sync {
        bool done;
        int r;
        IcalResult *res;
} Sync;

static void sync_done(Manager *m, int r, IcalResult *res, void *userdata) {
        Sync *s = userdata;
        s->done = true;
        s->r = r;
        *s->res = *res; /* all of it taken */
        *res = (IcalResult) {};
}

int icaljob_run(const IcalRequest *req, IcalResult *ret) {
        Manager m = {};
        Sync s = { .res = ret };
        sigset_t chld, old;

        *ret = (IcalResult) {};
        /* sd-event watches children with SIGCHLD blocked. */
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &chld, &old) < 0)
                return -errno;
        int r = sd_event_new(&m.event);
        if (r >= 0)
                r = icaljob_start(&m, req, sync_done, &s);
        while (r >= 0 && !s.done)
                r = sd_event_run(m.event, UINT64_MAX);
        icaljob_cancel_all(&m);
        sd_event_unref(m.event);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        return r < 0 ? r : s.r;
}
