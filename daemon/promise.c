/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "macro.h"
#include "promise.h"
#include "settings.h"
#include "timeutil.h"

static const char *const promise_status_names[] = { "open", "kept", "broken", "moved", "cancelled" };

const char *promise_status_to_string(PromiseStatus s) {
        return s >= 0 && (size_t) s < ELEMENTSOF(promise_status_names) ? promise_status_names[s] : NULL;
}

int promise_status_from_string(const char *s) {
        return string_table_lookup(promise_status_names, (int) ELEMENTSOF(promise_status_names), s);
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
                .owed_by_partner = rc->owed_by_partner,
        };
        r = store_promise_insert(m->store, &p);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = p.id;
        return 0;
}

static int advance_locked(Manager *m, time_t now, bool by_partner, bool accepted, const char *note,
                          const RainCheck *rc, int64_t *ret_advance, int64_t *ret_promise) {
        int r = store_advance_insert(m->store, local_day_of(now), now, by_partner, accepted,
                                     note && note[0] ? note : NULL, ret_advance);
        *ret_promise = 0;
        if (r < 0 || !rc)
                return r;
        /* Whoever declined owes the rain check: my partner, when it was my
         * advance. */
        RainCheck owed = *rc;
        owed.owed_by_partner = !by_partner;
        return promise_insert(m, now, &owed, *ret_advance, ret_promise);
}

int promise_record_advance(Manager *m, time_t now, bool by_partner, bool accepted, const char *note,
                           const RainCheck *rc, int64_t *ret_advance, int64_t *ret_promise) {
        /* The seed: "If you have to say no to an advance ... you absolutely
         * must follow through with the promise": no decline without one. */
        if (by_partner && !accepted && !rc)
                return -EDESTADDRREQ;
        if (accepted && rc)
                return -EINVAL;

        return STORE_TRANSACTION(m->store,
                                 advance_locked(m, now, by_partner, accepted, note, rc, ret_advance, ret_promise));
}

int promise_add(Manager *m, time_t now, const RainCheck *rc, int64_t *ret_id) {
        return promise_insert(m, now, rc, 0, ret_id);
}

int promise_partner_possessive(Manager *m, bool capital, char **ret) {
        _cleanup_free_ char *name = NULL;
        int r = settings_get_string(m->store, "partner.name", NULL, &name);
        if (r < 0)
                return r;
        if (asprintf(ret, "%s's", name && name[0] ? name : capital ? "My partner" : "my partner") < 0)
                return -ENOMEM;
        return 0;
}

bool promise_active(const Promise *p) {
        return p->status == PROMISE_OPEN || p->status == PROMISE_MOVED;
}

/* Loads an active promise for a change, inside a transaction. */
static int promise_load_active(Manager *m, int64_t id, Promise *ret) {
        int r = store_promise_get(m->store, id, ret);
        if (r < 0)
                return r;
        if (!promise_active(ret))
                return -EALREADY;
        return 0;
}

static int resolve_locked(Manager *m, time_t now, int64_t id, PromiseStatus status, PromiseStatus *ret_current) {
        _cleanup_(promise_clear) Promise p = {};
        int r = store_promise_get(m->store, id, &p);
        if (r < 0)
                return r;
        if (ret_current)
                *ret_current = p.status;
        /* Reopening undoes a resolution; anything else resolves an active one. */
        if (status == PROMISE_OPEN ? promise_active(&p) : !promise_active(&p))
                return -EALREADY;
        p.status = status;
        p.resolved = status == PROMISE_OPEN ? 0 : now;
        p.modified = now;
        p.sequence++;
        r = store_promise_update(m->store, &p);
        if (r < 0)
                return r;
        return store_promise_event_insert(m->store, id, status, now);
}

int promise_resolve(Manager *m, time_t now, int64_t id, PromiseStatus status, PromiseStatus *ret_current) {
        if (status == PROMISE_MOVED)
                return -EINVAL;
        return STORE_TRANSACTION(m->store, resolve_locked(m, now, id, status, ret_current));
}

static int move_locked(Manager *m, time_t now, int64_t id, time_t due, bool by_partner) {
        _cleanup_(promise_clear) Promise p = {};
        int r = promise_load_active(m, id, &p);
        if (r < 0)
                return r;
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
