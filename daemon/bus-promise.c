/* SPDX-License-Identifier: MIT */
/*
 * bus-promise.c: initiations and rain checks: RecordAdvance, AddPromise,
 * ListPromises, ResolvePromise, MovePromise.
 */

#include "bus-dict.h"
#include "bus-util.h"
#include "log.h"
#include "promise.h"
#include "timeutil.h"

int bus_append_promise(sd_bus_message *reply, const Promise *p, time_t now) {
        char due[32];
        (void) format_iso_local(p->due, due);
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "id", "t", (uint64_t) p->id,
                                          "uid", "s", p->uid,
                                          "due", "s", due,
                                          "status", "s", promise_status_to_string(p->status),
                                          "overdue", "b", promise_active(p) && p->due <= now,
                                          "owed_by", "s", p->owed_by_partner ? "partner" : "me");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "sequence", "t", (uint64_t) p->sequence);
        if (r >= 0 && p->what)
                r = sd_bus_message_append(reply, "{sv}", "what", "s", p->what);
        if (r >= 0 && p->where)
                r = sd_bus_message_append(reply, "{sv}", "where", "s", p->where);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* The options of RecordAdvance and AddPromise. */
typedef struct PromiseOptions {
        const char *when, *what, *where, *note, *owed_by;
} PromiseOptions;

static int parse_short_text(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        const char *reason;
        if (validate_text(v->s, 0, ITEM_TITLE_MAX, false, &reason) < 0)
                return bus_invalid(error, f->key, reason);
        *(const char **) bus_field_ptr(f, target) = v->s;
        return 0;
}

static int parse_owed_by(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        if (!streq(v->s, "me") && !streq(v->s, "partner"))
                return bus_invalid(error, f->key, "must be 'me' or 'partner'");
        *(const char **) bus_field_ptr(f, target) = v->s;
        return 0;
}

#define FIELD_WHAT BUS_FIELD("what", 's', parse_short_text, PromiseOptions, what)
#define FIELD_WHERE BUS_FIELD("where", 's', parse_short_text, PromiseOptions, where)
static const BusField advance_fields[] = {
        BUS_FIELD("raincheck", 's', NULL, PromiseOptions, when), FIELD_WHAT, FIELD_WHERE,
        BUS_FIELD("note", 's', bus_parse_note, PromiseOptions, note),
};
static const BusField promise_fields[] = {
        FIELD_WHAT, FIELD_WHERE, BUS_FIELD("owed_by", 's', parse_owed_by, PromiseOptions, owed_by),
};

static int method_record_advance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *by, *outcome;
        PromiseOptions o = {};
        time_t now = manager_now();
        int64_t advance = 0, promise = 0;
        RainCheck rc = {};
        int r;

        r = sd_bus_message_read(msg, "ss", &by, &outcome);
        if (r < 0)
                return r;
        if (!streq(by, "me") && !streq(by, "partner"))
                return bus_invalid(error, "by", "must be 'me' or 'partner'");
        if (!streq(outcome, "accepted") && !streq(outcome, "declined"))
                return bus_invalid(error, "outcome", "must be 'accepted' or 'declined'");
        r = BUS_READ_DICT(msg, advance_fields, &o, NULL, error);
        if (r < 0)
                return r;
        if (!o.when && (o.what || o.where))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "what and where belong to a rain check: give its time too (raincheck)");
        if (o.when) {
                r = bus_read_when("raincheck", o.when, now, &rc.due, error);
                if (r < 0)
                        return r;
                rc.what = o.what;
                rc.where = o.where;
        }

        r = promise_record_advance(m, now, streq(by, "partner"), streq(outcome, "accepted"), o.note,
                                   o.when ? &rc : NULL, &advance, &promise);
        if (r == -EDESTADDRREQ)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "declining my partner's advance needs a rain check: a time for it "
                                        "(and, if you like, what and where); nothing was recorded");
        if (r == -EINVAL)
                return bus_invalid(error, "raincheck", "goes with a declined advance only");
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "tt", (uint64_t) advance, (uint64_t) promise);
}

static int method_add_promise(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *when;
        PromiseOptions o = {};
        time_t now = manager_now();
        RainCheck rc = {};
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "s", &when);
        if (r < 0)
                return r;
        r = BUS_READ_DICT(msg, promise_fields, &o, NULL, error);
        if (r < 0)
                return r;
        r = bus_read_when("when", when, now, &rc.due, error);
        if (r < 0)
                return r;
        rc.what = o.what;
        rc.where = o.where;
        rc.owed_by_partner = o.owed_by && streq(o.owed_by, "partner");
        r = promise_add(m, now, &rc, &id);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int method_list_promises(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        Promise *p = NULL;
        size_t n = 0;
        int all, r;

        r = sd_bus_message_read(msg, "b", &all);
        if (r < 0)
                return r;
        r = store_promise_list(m->store, !all, &p, &n);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        time_t now = manager_now();
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = bus_append_promise(reply, &p[i], now);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        promise_array_free(p, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* current: the status found, -1 when not known. */
static int promise_failure(Manager *m, int r, uint64_t id, int current, sd_bus_error *error) {
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no rain check %" PRIu64, id);
        if (r == -EALREADY && (current == PROMISE_OPEN || current == PROMISE_MOVED))
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "rain check %" PRIu64 " is %s, not resolved: nothing to reopen", id,
                                         promise_status_to_string(current));
        if (r == -EALREADY && current < 0)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "rain check %" PRIu64 " is already resolved",
                                         id);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "rain check %" PRIu64 " is already resolved (%s): reopen it first "
                                         "(closerctl promise reopen %" PRIu64 ")",
                                         id, promise_status_to_string(current), id);
        return bus_reply_failure(m, r, "", error);
}

static int method_resolve_promise(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *status;
        uint64_t id;
        int r = sd_bus_message_read(msg, "ts", &id, &status);
        if (r < 0)
                return r;
        PromiseStatus to = streq(status, "kept")        ? PROMISE_KEPT
                           : streq(status, "broken")    ? PROMISE_BROKEN
                           : streq(status, "cancelled") ? PROMISE_CANCELLED
                           : streq(status, "open")      ? PROMISE_OPEN
                                                        : PROMISE_MOVED;
        if (to == PROMISE_MOVED)
                return bus_invalid(error, "status", "must be 'kept', 'broken', 'cancelled' or 'open' (reopen)");
        if (id == 0 || id > INT64_MAX)
                return bus_invalid(error, "id", "must be a positive ID");
        PromiseStatus current = PROMISE_OPEN;
        r = promise_resolve(m, manager_now(), (int64_t) id, to, &current);
        if (r < 0)
                return promise_failure(m, r, id, (int) current, error);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_move_promise(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *when;
        time_t now = manager_now(), due;
        int by_partner;
        uint64_t id;
        int r = sd_bus_message_read(msg, "tsb", &id, &when, &by_partner);
        if (r < 0)
                return r;
        if (id == 0 || id > INT64_MAX)
                return bus_invalid(error, "id", "must be a positive ID");
        r = bus_read_when("when", when, now, &due, error);
        if (r < 0)
                return r;
        r = promise_move(m, now, (int64_t) id, due, by_partner);
        if (r < 0)
                return promise_failure(m, r, id, -1, error);
        return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable bus_promise_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("RecordAdvance",
                                SD_BUS_ARGS("s", by, "s", outcome, "a{sv}", options),
                                SD_BUS_RESULT("t", advance, "t", promise),
                                method_record_advance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddPromise",
                                SD_BUS_ARGS("s", when, "a{sv}", options),
                                SD_BUS_RESULT("t", id),
                                method_add_promise, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPromises",
                                SD_BUS_ARGS("b", all),
                                SD_BUS_RESULT("aa{sv}", promises),
                                method_list_promises, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ResolvePromise",
                                SD_BUS_ARGS("t", id, "s", status),
                                SD_BUS_NO_RESULT,
                                method_resolve_promise, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("MovePromise",
                                SD_BUS_ARGS("t", id, "s", when, "b", by_partner),
                                SD_BUS_NO_RESULT,
                                method_move_promise, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
