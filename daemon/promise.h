/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * promise.h: initiations and rain checks (SPEC 2, 3). Declining my
 * partner's advance requires a rain check, recorded with the advance in one
 * transaction. A promise is kept, broken, or moved (still to be kept: moved
 * by my partner it does not count against me, moved by me it does). An open
 * promise is never deleted, only resolved.
 */

#include "manager.h"
#include "store.h"

/* A rain check as given: its time and what and where (NULL when not given). */
typedef struct RainCheck {
        time_t due;
        const char *what, *where;
} RainCheck;

/* -EDESTADDRREQ: my partner's advance was declined without a rain check.
 * -EINVAL: a rain check on an accepted advance. */
int promise_record_advance(Manager *m, time_t now, bool by_partner, bool accepted, const char *note,
                           const RainCheck *rc, int64_t *ret_advance, int64_t *ret_promise);
int promise_add(Manager *m, time_t now, const RainCheck *rc, int64_t *ret_id);
/* kept or broken; -EALREADY when already resolved. */
int promise_resolve(Manager *m, time_t now, int64_t id, PromiseStatus status);
int promise_move(Manager *m, time_t now, int64_t id, time_t due, bool by_partner);

const char *promise_status_to_string(PromiseStatus s);
