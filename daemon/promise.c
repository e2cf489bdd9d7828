/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "macro.h"
#include "promise.h"
#include "timeutil.h"

const char *promise_status_to_string(PromiseStatus s) {
        static const char *const names[] = { "open", "kept", "broken", "moved" };
        return s >= 0 && (size_t) s < ELEMENTSOF(names) ? names[s] : NULL;
}

static int promise_insert(Manager *m, time_t now, const RainCheck *rc, int64_t advance_id, int64_t *ret_id) {
        char uid[64];
        sd_id128_t id;
        int r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        (void) snprintf(uid, sizeof(uid), "rc-" SD_ID128_FORMAT_STR "@closer", SD_ID128_FORMAT_VAL(id));
        Promise p = {
                .uid = uid,
                .due = rc->due,
                .what = (char *) (rc->what && rc->what[0] ? rc->what : NULL),
                .where = (char *) (rc->where && rc->where[0] ? rc->where : NULL),
                .status = PROMISE_OPEN,
                .advance_id = advance_id,
                .created = now,
                .modified = now,
        };
        r = store_promise_insert(m->store, &p);
        if (r >= 0 && ret_id)
                *ret_id = p.id;
        return r;
}

int promise_record_advance(Manager *m, time_t now, bool by_partner, bool accepted, const char *note,
                           const RainCheck *rc, int64_t *ret_advance, int64_t *ret_promise) {
        /* The seed: "If you have to say no to an advance ... you absolutely
         * must follow through with the promise": no decline without one. */
        if (by_partner && !accepted && !rc)
                return -EDESTADDRREQ;
        if (accepted && rc)
                return -EINVAL;

        int r = store_begin(m->store);
        if (r < 0)
                return r;
        r = store_advance_insert(m->store, local_day_of(now), now, by_partner, accepted,
                                 note && note[0] ? note : NULL, ret_advance);
        *ret_promise = 0;
        if (r >= 0 && rc)
                r = promise_insert(m, now, rc, *ret_advance, ret_promise);
        if (r >= 0)
                r = store_commit(m->store);
        if (r < 0)
                store_rollback(m->store);
        return r;
}

int promise_add(Manager *m, time_t now, const RainCheck *rc, int64_t *ret_id) {
        return promise_insert(m, now, rc, 0, ret_id);
}

/* Loads an active promise for a change, inside a transaction. */
static int promise_load_active(Manager *m, int64_t id, Promise *ret) {
        int r = store_promise_get(m->store, id, ret);
        if (r < 0)
                return r;
        if (ret->status != PROMISE_OPEN && ret->status != PROMISE_MOVED) {
                promise_done(ret);
                return -EALREADY;
        }
        return 0;
}

static int resolve_locked(Manager *m, time_t now, int64_t id, PromiseStatus status) {
        _cleanup_(promise_done) Promise p = {};
        int r = promise_load_active(m, id, &p);
        if (r < 0)
                return r;
        p.status = status;
        p.resolved = now;
        p.modified = now;
        p.sequence++;
        return store_promise_update(m->store, &p);
}

int promise_resolve(Manager *m, time_t now, int64_t id, PromiseStatus status) {
        return STORE_TRANSACTION(m->store, resolve_locked(m, now, id, status));
}

static int move_locked(Manager *m, time_t now, int64_t id, time_t due, bool by_partner) {
        _cleanup_(promise_done) Promise p = {};
        int r = promise_load_active(m, id, &p);
        if (r >= 0)
                r = store_promise_move_insert(m->store, id, p.due, due, by_partner, now);
        if (r < 0)
                return r;
        p.due = due;
        p.status = PROMISE_MOVED;
        p.modified = now;
        p.sequence++;
        return store_promise_update(m->store, &p);
}

int promise_move(Manager *m, time_t now, int64_t id, time_t due, bool by_partner) {
        return STORE_TRANSACTION(m->store, move_locked(m, now, id, due, by_partner));
}
