/* SPDX-License-Identifier: MIT */
/*
 * bus-items.c: my list: AddItem, EditItem, RemoveItem, GetItem, ListItems,
 * AddItemsFromText, ListIdeas, AddIdea.
 */

#include "bus-dict.h"
#include "bus-util.h"
#include "bus.h"
#include "ideas.h"
#include "listtext.h"
#include "log.h"
#include "timeutil.h"

static int parse_title(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        const char *reason;
        if (validate_title(v->s, &reason) < 0)
                return bus_invalid(error, f->key, reason);
        *(const char **) bus_field_ptr(f, target) = v->s;
        return 0;
}

static int parse_details(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        const char *reason;
        if (validate_details(v->s, &reason) < 0)
                return bus_invalid(error, f->key, reason);
        *(const char **) bus_field_ptr(f, target) = v->s;
        return 0;
}

static int parse_category(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        Category c = category_from_string(v->s);
        if (c < 0)
                return bus_invalid(error, f->key, "must be affection, love, lust or fun");
        *(Category *) bus_field_ptr(f, target) = c;
        return 0;
}

static int parse_intensity(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        const char *reason;
        if (validate_intensity(v->x, &reason) < 0)
                return bus_invalid(error, f->key, reason);
        *(int *) bus_field_ptr(f, target) = (int) v->x;
        return 0;
}

/* The a{sv} of item fields of AddItem and EditItem, in the order of the
 * CHANGE_* bits. */
static const BusField item_fields[] = {
        BUS_FIELD("title", 's', parse_title, ItemChange, title),
        BUS_FIELD("details", 's', parse_details, ItemChange, details),
        BUS_FIELD("category", 's', parse_category, ItemChange, category),
        BUS_FIELD("intensity", 'x', parse_intensity, ItemChange, intensity),
        BUS_FIELD("private", 'b', NULL, ItemChange, private_),
};

static int read_item_fields(sd_bus_message *msg, ItemChange *ch, sd_bus_error *error) {
        uint64_t seen;
        int r = BUS_READ_DICT(msg, item_fields, ch, &seen, error);
        if (r < 0)
                return r;
        ch->mask |= (unsigned) seen;
        return 0;
}

/* An item; with use (GetItem), how it was used: "done" (acts done),
 * "response" (their average, when one was observed), "last_done" (the
 * day, when ever). */
int bus_append_item(sd_bus_message *reply, const Item *it, Side side, const ItemUsage *use) {
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                  "id", "t", (uint64_t) it->id,
                                  "uid", "s", it->uid,
                                  "list", "s", side == SIDE_MINE ? "mine" : "partner",
                                  "title", "s", it->title,
                                  "details", "s", it->details ? it->details : "",
                                  "category", "s", category_to_string(it->category),
                                  "intensity", "u", (uint32_t) it->intensity,
                                  "private", "b", (int) it->private_,
                                  "sequence", "t", (uint64_t) it->sequence,
                                  "modified", "x", it->modified);
        /* Mine: my partner's review, when their shared folder has one,
         * and whether it was of an older version. */
        bool reviewed = side == SIDE_PARTNER ||
                        (it->reviewed_sequence >= 0 && (it->review != REVIEW_NEW || (it->note && it->note[0])));
        if (r >= 0 && reviewed)
                r = sd_bus_message_append(reply, "{sv}", "review", "s", review_to_string(it->review));
        if (r >= 0 && reviewed && it->note && it->note[0])
                r = sd_bus_message_append(reply, "{sv}", "note", "s", it->note);
        if (r >= 0 && side == SIDE_MINE && reviewed)
                r = sd_bus_message_append(reply, "{sv}", "review_stale", "b",
                                          (int) (it->reviewed_sequence < it->sequence));
        if (r >= 0 && use)
                r = sd_bus_message_append(reply, "{sv}", "done", "u", (uint32_t) use->done);
        if (r >= 0 && use && use->responses > 0)
                r = sd_bus_message_append(reply, "{sv}", "response", "d", use->response);
        if (r >= 0 && use && use->last_day != INT64_MIN) {
                char last[16];
                (void) format_date(use->last_day, last);
                r = sd_bus_message_append(reply, "{sv}", "last_done", "s", last);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int method_add_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        ItemChange ch = {};
        const char *title, *reason;
        int64_t id = 0;
        int r;

        r = sd_bus_message_read(msg, "s", &title);
        if (r < 0)
                return r;
        if (validate_title(title, &reason) < 0)
                return bus_invalid(error, "title", reason);
        r = read_item_fields(msg, &ch, error);
        if (r < 0)
                return r;
        ch.title = title;
        ch.mask |= CHANGE_TITLE;

        r = mylist_add(m, &ch, &id);
        if (r < 0)
                return bus_reply_failure(m, r, "my list is full: at most 10000 items", error);
        log_debug("Added item %" PRIi64 " to my list", id);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}


static int item_failure(Manager *m, int r, int64_t id, sd_bus_error *error) {
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64 " in my list", id);
        if (r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "item %" PRIi64 " is on my partner's list: only its review "
                                         "can change (closerctl partner review)", id);
        return bus_reply_failure(m, r, "", error);
}

static int method_edit_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        ItemChange ch = {};
        int64_t id = 0;
        int r;

        r = bus_read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = read_item_fields(msg, &ch, error);
        if (r < 0)
                return r;
        if (ch.mask == 0)
                return bus_invalid(error, "changes", "must name at least one field");

        r = mylist_edit(m, id, &ch);
        if (r < 0)
                return item_failure(m, r, id, error);
        if (r > 0)
                log_debug("Edited item %" PRIi64, id);
        return sd_bus_reply_method_return(msg, "b", r > 0);
}

static int method_remove_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int64_t id = 0;
        int r;

        r = bus_read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = mylist_remove(m, id);
        if (r < 0)
                return item_failure(m, r, id, error);
        log_debug("Removed item %" PRIi64, id);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(item_clear) Item it = {};
        Manager *m = userdata;
        Side side;
        int64_t id = 0;
        int r;

        r = bus_read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = store_item_get(m->store, id, &side, &it);
        if (r >= 0 && it.removed)
                r = -ENOENT;
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64, id);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        ItemUsage use = {};
        r = store_item_usage(m->store, id, &use);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = bus_append_item(reply, &it, side, &use);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int parse_side(const char *s, Side *ret) {
        if (streq(s, "mine") || streq(s, ""))
                *ret = SIDE_MINE;
        else if (streq(s, "partner") || streq(s, "discuss"))
                *ret = SIDE_PARTNER;
        else
                return -EINVAL;
        return 0;
}

static int method_list_items(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        const char *which;
        Item *items = NULL;
        size_t n = 0;
        Side side;
        int r;

        r = sd_bus_message_read(msg, "s", &which);
        if (r < 0)
                return r;
        if (parse_side(which, &side) < 0)
                return bus_invalid(error, "list", "must be 'mine', 'partner' or 'discuss'");
        bool discuss = streq(which, "discuss");
        r = store_item_list(m->store, side, false, &items, &n);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                /* What is left to talk about: not yet read, or under discussion. */
                if (!discuss || items[i].review == REVIEW_NEW || items[i].review == REVIEW_DISCUSS)
                        r = bus_append_item(reply, &items[i], side, NULL);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        item_array_free(items, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_ids(sd_bus_message *msg, const Item *items, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "t");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "t", (uint64_t) items[i].id);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_add_items_from_text(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *buf = NULL;
        ListTextError e = {};
        Item *items = NULL;
        size_t len = 0, n = 0;
        int fd = -1, r;

        r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        r = bus_read_fd(fd, LISTTEXT_SIZE_MAX, &buf, &len, error);
        if (r < 0)
                return r;
        r = listtext_parse(buf, len, ITEM_COUNT_MAX, &items, &n, &e);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (e.line > 0)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "line %zu: %s; nothing was added",
                                                 e.line, e.reason);
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "%s; nothing was added", e.reason);
        }
        r = mylist_add_items(m, items, n);
        if (r < 0) {
                item_array_free(items, n);
                return bus_reply_failure(m, r, "my list would hold more than 10000 items; nothing was added",
                                     error);
        }
        log_debug("Added %zu items to my list from a text file", n);
        bus_lists_changed(m);
        r = reply_ids(msg, items, n);
        item_array_free(items, n);
        return r;
}

static int append_idea(sd_bus_message *reply, size_t number, const Idea *idea) {
        return sd_bus_message_append(reply, "a{sv}", 4,
                                     "number", "u", (uint32_t) number,
                                     "title", "s", idea->title,
                                     "category", "s", category_to_string(idea->category),
                                     "intensity", "u", (uint32_t) idea->intensity);
}

static int method_list_ideas(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *cat;
        Category c = _CATEGORY_INVALID;
        int r;

        r = sd_bus_message_read(msg, "s", &cat);
        if (r < 0)
                return r;
        if (cat[0]) {
                c = category_from_string(cat);
                if (c < 0)
                        return bus_invalid(error, "category", "must be affection, love, lust or fun");
        }
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 1; r >= 0 && i <= ideas_count(); i++) {
                const Idea *idea = idea_get(i);
                if (c < 0 || idea->category == c)
                        r = append_idea(reply, i, idea);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_add_idea(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint32_t number;
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "u", &number);
        if (r < 0)
                return r;
        const Idea *idea = idea_get(number);
        if (!idea)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "idea must be a number from 1 to %zu (see closerctl list ideas)",
                                         ideas_count());
        ItemChange ch = {
                .mask = CHANGE_TITLE | CHANGE_CATEGORY | CHANGE_INTENSITY,
                .title = idea->title,
                .category = idea->category,
                .intensity = idea->intensity,
        };
        r = mylist_add(m, &ch, &id);
        if (r < 0)
                return bus_reply_failure(m, r, "my list is full: at most 10000 items", error);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

const sd_bus_vtable bus_items_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("AddItem",
                                SD_BUS_ARGS("s", title, "a{sv}", fields),
                                SD_BUS_RESULT("t", id),
                                method_add_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("EditItem",
                                SD_BUS_ARGS("t", id, "a{sv}", changes),
                                SD_BUS_RESULT("b", changed),
                                method_edit_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveItem",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_NO_RESULT,
                                method_remove_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetItem",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT("a{sv}", item),
                                method_get_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListItems",
                                SD_BUS_ARGS("s", list),
                                SD_BUS_RESULT("aa{sv}", items),
                                method_list_items, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddItemsFromText",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_RESULT("at", ids),
                                method_add_items_from_text, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListIdeas",
                                SD_BUS_ARGS("s", category),
                                SD_BUS_RESULT("aa{sv}", ideas),
                                method_list_ideas, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddIdea",
                                SD_BUS_ARGS("u", number),
                                SD_BUS_RESULT("t", id),
                                method_add_idea, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
