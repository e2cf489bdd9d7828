/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * promise.h: initiations and rain checks (SPEC 2, 3). Declining my
 * partner's advance requires a rain check, recorded with the advance in one
 * transaction. A promise is kept, broken, or moved (still to be kept: moved
 * by my partner it does not count against me, moved by me it does), or
 * cancelled when it was made by mistake. A promise is owed by me, or by my
 * partner when they declined my advance. Nothing is deleted: a resolution
 * can be undone (reopened), and each resolution and undo is an event of its
 * own (promise_events), so the counters read the current state.
 */

#include "manager.h"
#include "store.h"

/* A rain check as given: its time and what and where (NULL when not given),
 * and who owes it (for RecordAdvance: whoever declined). */
typedef struct RainCheck {
        time_t due;
        const char *what, *where;
        bool owed_by_partner;
} RainCheck;

/* -EDESTADDRREQ: my partner's advance was declined without a rain check.
 * -EINVAL: a rain check on an accepted advance. */
int promise_record_advance(Manager *m, time_t now, bool by_partner, bool accepted, const char *note,
                           const RainCheck *rc, int64_t *ret_advance, int64_t *ret_promise);
int promise_add(Manager *m, time_t now, const RainCheck *rc, int64_t *ret_id);
/* kept, broken or cancelled: -EALREADY when already resolved; open
 * (reopen): -EALREADY when not resolved. *ret_current: the status found. */
int promise_resolve(Manager *m, time_t now, int64_t id, PromiseStatus status, PromiseStatus *ret_current);
bool promise_active(const Promise *p); /* open or moved */
/* "Sam's", or "my partner's" (capital: "My partner's") without partner.name. */
int promise_partner_possessive(Manager *m, bool capital, char **ret);
int promise_move(Manager *m, time_t now, int64_t id, time_t due, bool by_partner);

const char *promise_status_to_string(PromiseStatus s);
/* The status named s, or -1 when s names none (PromiseStatus has no invalid
 * value of its own). */
int promise_status_from_string(const char *s);
