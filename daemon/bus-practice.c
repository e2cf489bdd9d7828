/* SPDX-License-Identifier: MIT */
/*
 * bus-practice.c: the daily practice: GetToday, Done, Reroll, AddExtra,
 * AddMood, Pause, Resume.
 */

#include "bus-dict.h"
#include "bus-util.h"
#include "echo.h"
#include "log.h"
#include "timeutil.h"

/* --- the daily practice --- */

static int append_promises_today(sd_bus_message *reply, const Today *t, time_t now);
static int append_datenights_today(sd_bus_message *reply, const Today *t, time_t now);

/* What Done, AddExtra and AddMood may say about an act: a response and a
 * mood (1-5), a note. */
typedef struct Observation {
        int response, mood;
        const char *note;
} Observation;

static int parse_score(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        if (v->x < 1 || v->x > 5)
                return bus_invalid(error, f->key, "must be 1 (low) to 5 (high)");
        *(int *) bus_field_ptr(f, target) = (int) v->x;
        return 0;
}

#define FIELD_RESPONSE BUS_FIELD("response", 'x', parse_score, Observation, response)
#define FIELD_MOOD BUS_FIELD("mood", 'x', parse_score, Observation, mood)
#define FIELD_NOTE BUS_FIELD("note", 's', bus_parse_note, Observation, note)
static const BusField done_fields[] = { FIELD_RESPONSE, FIELD_MOOD, FIELD_NOTE };
static const BusField extra_fields[] = { FIELD_RESPONSE, FIELD_NOTE };
static const BusField mood_fields[] = { FIELD_NOTE };

int bus_append_act(sd_bus_message *reply, const Act *a) {
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "id", "t", (uint64_t) a->id,
                                          "item", "t", (uint64_t) a->item_id,
                                          "title", "s", a->title ? a->title : "",
                                          "intensity", "u", (uint32_t) a->intensity,
                                          "private", "b", (int) a->private_,
                                          "done", "b", a->status == ACT_DONE);
        if (r >= 0 && a->category >= 0)
                r = sd_bus_message_append(reply, "{sv}", "category", "s", category_to_string(a->category));
        if (r >= 0 && a->response > 0)
                r = sd_bus_message_append(reply, "{sv}", "response", "u", (uint32_t) a->response);
        if (r >= 0 && a->note)
                r = sd_bus_message_append(reply, "{sv}", "note", "s", a->note);
        if (r >= 0 && a->twist)
                r = sd_bus_message_append(reply, "{sv}", "twist", "s", a->twist);
        if (r >= 0 && a->twist && a->twist_item > 0 && a->twist_category >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "twist_item", "t", (uint64_t) a->twist_item,
                                          "twist_private", "b", (int) a->twist_private,
                                          "twist_category", "s", category_to_string(a->twist_category));
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int practice_failure(Manager *m, int r, sd_bus_error *error) {
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_ACT, "no act today: %s",
                                         "nothing on my partner's list can be picked");
        return bus_reply_failure(m, r, "", error);
}

static int append_for_me_today(sd_bus_message *reply, const Today *t);

static int method_get_today(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        const Today *t;
        time_t now = manager_now();
        int r = today_load(m, now, &t);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        m->act_unseen = 0; /* shown now */

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "date", "s", t->date);
        if (r >= 0 && t->have_act) {
                r = bus_open_entry(reply, "act", "a{sv}");
                if (r >= 0)
                        r = bus_append_act(reply, &t->act);
                if (r >= 0)
                        r = bus_close_entry(reply);
        }
        if (r >= 0 && !t->have_act)
                /* Shared, the list comes through the folder, not a file. */
                r = sd_bus_message_append(reply, "{sv}", "no_act", "s",
                                          m->share && t->why == PICK_EMPTY_NO_LIST
                                                  ? "no partner list yet: my partner's closerd has not shared one in the folder"
                                                  : pick_empty_reason_to_string(t->why));
        if (r >= 0 && t->practice.paused) {
                char until[16];
                (void) format_date(t->practice.paused_until, until);
                r = sd_bus_message_append(reply, "{sv}", "paused_until", "s", until);
        }
        if (r >= 0)
                r = append_datenights_today(reply, t, now);
        if (r >= 0)
                r = append_promises_today(reply, t, now);
        if (r >= 0)
                r = append_for_me_today(reply, t);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* A list of records (aa{sv}) in an a{sv} being built, opened at its first
 * element: an empty list is left out, like every key without a value. */
typedef struct ListEntry {
        const char *key;
        bool open;
} ListEntry;

static int list_entry_next(sd_bus_message *m, ListEntry *l) {
        if (l->open)
                return 0;
        l->open = true;
        return bus_open_records(m, l->key);
}

static int list_entry_end(sd_bus_message *m, const ListEntry *l) {
        return l->open ? bus_close_records(m) : 0;
}

/* GetToday's date nights: "date_night" (tonight's, or one under way),
 * "makeups" (make-up nights owed), "unlogged" (past nights without an
 * outcome, to ask about). */
static int append_datenights_today(sd_bus_message *reply, const Today *t, time_t now) {
        int r = 0;
        ssize_t tonight = today_tonight(t, now);
        if (tonight >= 0) {
                r = bus_open_entry(reply, "date_night", "a{sv}");
                if (r >= 0)
                        r = bus_append_datenight(reply, &t->nights[tonight]);
                if (r >= 0)
                        r = bus_close_entry(reply);
        }
        for (int k = 0; k < 2 && r >= 0; k++) {
                ListEntry l = { .key = k == 0 ? "makeups" : "unlogged" };
                for (size_t i = 0; r >= 0 && i < t->n_nights; i++)
                        if (k == 0 ? today_makeup_owed(t, i, now) : today_unlogged(t, i, now)) {
                                r = list_entry_next(reply, &l);
                                if (r >= 0)
                                        r = bus_append_datenight(reply, &t->nights[i]);
                        }
                if (r >= 0)
                        r = list_entry_end(reply, &l);
        }
        return r;
}

/* The "promises" entry of GetToday: active rain checks due today or overdue. */
static int append_promises_today(sd_bus_message *reply, const Today *t, time_t now) {
        ListEntry l = { .key = "promises" };
        int r = 0;
        for (size_t i = 0; r >= 0 && i < t->n_promises; i++)
                if (today_promise_due(t, i)) {
                        r = list_entry_next(reply, &l);
                        if (r >= 0)
                                r = bus_append_promise(reply, &t->promises[i], now);
                }
        return r < 0 ? r : list_entry_end(reply, &l);
}

/* "done_for_me": what my partner did for me today from my list, as their
 * shared folder says (share.h). */
static int append_for_me_today(sd_bus_message *reply, const Today *t) {
        ListEntry l = { .key = "done_for_me" };
        int r = 0;
        for (size_t i = 0; r >= 0 && i < t->n_for_me; i++) {
                const Item *it = &t->for_me[i];
                r = list_entry_next(reply, &l);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "a{sv}", 5, "item", "t", (uint64_t) it->id, "uid", "s",
                                                  it->uid, "title", "s", it->title, "category", "s",
                                                  category_to_string(it->category), "private", "b",
                                                  (int) it->private_);
        }
        return r < 0 ? r : list_entry_end(reply, &l);
}

static int method_done(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Observation o = {};
        int r = BUS_READ_DICT(msg, done_fields, &o, NULL, error);
        if (r < 0)
                return r;
        DoneResult d;
        r = daily_done(m, manager_now(), o.response, o.mood, o.note, &d);
        if (r == -ESTALE)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "today's act changed after my review of item %" PRIi64
                                         ": the one I may have done is no longer today's act; "
                                         "see the new one with closerctl today",
                                         m->act_unseen_was_item);
        if (r < 0)
                return practice_failure(m, r, error);

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}", "item", "t", (uint64_t) d.item_id, "again", "b",
                                          (int) d.again);
        if (r >= 0 && d.response > 0)
                r = sd_bus_message_append(reply, "{sv}", "response", "u", (uint32_t) d.response);
        if (r >= 0 && d.previous_response > 0)
                r = sd_bus_message_append(reply, "{sv}", "previous_response", "u", (uint32_t) d.previous_response);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_reroll(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(act_clear) Act a = {};
        PickEmptyReason why = _PICK_EMPTY_INVALID;
        Manager *m = userdata;
        int r = daily_reroll(m, manager_now(), &a, &why);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "today's act is already done");
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_ACT, "nothing else to pick today: %s",
                                         why == PICK_EMPTY_ALL_REROLLED || why < 0
                                                 ? "every other eligible item was rerolled today"
                                                 : pick_empty_reason_to_string(why));
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        m->act_unseen = 0; /* the reply shows the act */
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = bus_append_act(reply, &a);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_add_extra(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *what, *reason;
        Observation o = {};
        int64_t id;
        int r = sd_bus_message_read(msg, "s", &what);
        if (r < 0)
                return r;
        if (validate_title(what, &reason) < 0)
                return bus_invalid(error, "what", reason);
        r = BUS_READ_DICT(msg, extra_fields, &o, NULL, error);
        if (r < 0)
                return r;
        r = daily_extra(m, manager_now(), what, o.response, o.note, &id);
        if (r == -ENOENT || r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %.*s%s on my partner's list", ECHO(what));
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int method_add_mood(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Observation o = {};
        uint32_t v;
        int r = sd_bus_message_read(msg, "u", &v);
        if (r < 0)
                return r;
        if (v < 1 || v > 5)
                return bus_invalid(error, "mood", "must be 1 (low) to 5 (high)");
        r = BUS_READ_DICT(msg, mood_fields, &o, NULL, error);
        if (r < 0)
                return r;
        r = daily_mood(m, manager_now(), (int) v, o.note);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_pause(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *until;
        int64_t day;
        time_t now = manager_now();
        int r = sd_bus_message_read(msg, "s", &until);
        if (r < 0)
                return r;
        if (parse_date(until, &day) < 0)
                return bus_invalid(error, "until", "must be a date YYYY-MM-DD");
        if (day < local_day_of(now))
                return bus_invalid(error, "until", "is in the past");
        if (day > local_day_of(now) + 366)
                return bus_invalid(error, "until", "is more than a year ahead");
        r = daily_pause(m, now, day);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        log_info("Paused until %s", until);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_resume(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = daily_resume(m, manager_now());
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "the practice is not paused");
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        log_info("Resumed");
        return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable bus_practice_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("GetToday",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", today),
                                method_get_today, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Done",
                                SD_BUS_ARGS("a{sv}", options),
                                SD_BUS_RESULT("a{sv}", result),
                                method_done, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reroll",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", act),
                                method_reroll, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddExtra",
                                SD_BUS_ARGS("s", what, "a{sv}", options),
                                SD_BUS_RESULT("t", id),
                                method_add_extra, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddMood",
                                SD_BUS_ARGS("u", mood, "a{sv}", options),
                                SD_BUS_NO_RESULT,
                                method_add_mood, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pause",
                                SD_BUS_ARGS("s", until),
                                SD_BUS_NO_RESULT,
                                method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resume",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
