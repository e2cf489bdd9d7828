/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "core.h"
#include "daily.h"
#include "history.h"
#include "datenight.h"
#include "schedule.h"
#include "timeutil.h"
#include "when.h"
#include "today.h"
#include "ideas.h"
#include "dncal.h"
#include "icaljob.h"
#include "listfile.h"
#include "listtext.h"
#include "partner.h"
#include "promise.h"
#include "settings.h"
#include "stats.h"
#include "log.h"
#include "echo.h"
#include "macro.h"

#define ERROR_NO_SUCH_ITEM "io.github.closer.Error.NoSuchItem"
#define ERROR_NOT_PERMITTED "io.github.closer.Error.NotPermitted"
#define ERROR_LIMIT "io.github.closer.Error.LimitExceeded"
#define ERROR_STORAGE "io.github.closer.Error.StorageFailed"
#define ERROR_BAD_FILE "io.github.closer.Error.BadFile"
#define ERROR_NO_ACT "io.github.closer.Error.NoAct"
#define ERROR_CALENDAR "io.github.closer.Error.CalendarFailed"

static const sd_bus_error_map closer_errors[] = {
        SD_BUS_ERROR_MAP(ERROR_NO_SUCH_ITEM, ENOENT),
        SD_BUS_ERROR_MAP(ERROR_NOT_PERMITTED, EPERM),
        SD_BUS_ERROR_MAP(ERROR_LIMIT, E2BIG),
        SD_BUS_ERROR_MAP(ERROR_STORAGE, EIO),
        SD_BUS_ERROR_MAP(ERROR_BAD_FILE, EBADMSG),
        SD_BUS_ERROR_MAP(ERROR_NO_ACT, ENOMEDIUM),
        SD_BUS_ERROR_MAP_END,
};

/* A failure of the core as the D-Bus error a client can act on. The store's
 * own words are logged once here: they never contain item text. */
static int reply_failure(Manager *m, int r, const char *what, sd_bus_error *error) {
        if (icaljob_failed(r))
                /* icaljob.c logged the details. */
                return sd_bus_error_setf(error, ERROR_CALENDAR, "closerd cannot %s: %s; nothing was changed",
                                         "read or write iCalendar files",
                                         r == -ENOPKG      ? "its helper closerd-ical is missing or does not match "
                                                             "(reinstall closer)"
                                         : r == -ECHILD    ? "the iCalendar helper process died"
                                         : r == -ECANCELED ? "closerd is stopping"
                                                           : "the iCalendar helper process took too long");
        switch (r) {
        case -ENOENT:
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "%s", what);
        case -EPERM:
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "%s", what);
        case -E2BIG:
                return sd_bus_error_setf(error, ERROR_LIMIT, "%s", what);
        case -ENOMEM:
                return r;
        default:
                log_error_errno(r, "Failed to use the database: %s", store_last_error(m->store));
                return sd_bus_error_setf(error, ERROR_STORAGE, "closerd cannot use its database: %s",
                                         r == -ENOSPC  ? "the disk is full"
                                         : r == -EROFS ? "the data directory is read-only"
                                         : r == -EBADMSG ? "the database is damaged"
                                         : r == -EBUSY   ? "the database is locked"
                                         : r == -EEXIST  ? "the database refused it"
                                                         : strerror(-r));
        }
}

static int invalid(sd_bus_error *error, const char *field, const char *reason) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s %s", field, reason);
}

/* Reads any integer type from a variant, so callers in any language work. */
static int read_variant_integer(sd_bus_message *msg, int64_t *ret) {
        char type;
        const char *contents;
        int r = sd_bus_message_peek_type(msg, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT || !contents || strlen(contents) != 1)
                return -EINVAL;
        union {
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
        } v;
        r = sd_bus_message_enter_container(msg, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        switch (contents[0]) {
        case 'y': r = sd_bus_message_read_basic(msg, 'y', &v.y); *ret = v.y; break;
        case 'n': r = sd_bus_message_read_basic(msg, 'n', &v.n); *ret = v.n; break;
        case 'q': r = sd_bus_message_read_basic(msg, 'q', &v.q); *ret = v.q; break;
        case 'i': r = sd_bus_message_read_basic(msg, 'i', &v.i); *ret = v.i; break;
        case 'u': r = sd_bus_message_read_basic(msg, 'u', &v.u); *ret = v.u; break;
        case 'x': r = sd_bus_message_read_basic(msg, 'x', &v.x); *ret = v.x; break;
        case 't':
                r = sd_bus_message_read_basic(msg, 't', &v.t);
                *ret = v.t > INT64_MAX ? INT64_MAX : (int64_t) v.t;
                break;
        default: r = -EINVAL;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* The a{sv} of item fields of AddItem and EditItem, validated. Strings
 * point into the message. */
static int read_item_fields(sd_bus_message *msg, ItemChange *ch, sd_bus_error *error) {
        const char *reason;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                if (streq(key, "title") || streq(key, "details") || streq(key, "category")) {
                        const char *s;
                        r = sd_bus_message_read(msg, "v", "s", &s);
                        if (r < 0)
                                return invalid(error, key, "must be a string");
                        if (streq(key, "title")) {
                                if (validate_title(s, &reason) < 0)
                                        return invalid(error, "title", reason);
                                ch->title = s;
                                ch->mask |= CHANGE_TITLE;
                        } else if (streq(key, "details")) {
                                if (validate_details(s, &reason) < 0)
                                        return invalid(error, "details", reason);
                                ch->details = s;
                                ch->mask |= CHANGE_DETAILS;
                        } else {
                                ch->category = category_from_string(s);
                                if (ch->category < 0)
                                        return invalid(error, "category",
                                                       "must be affection, love, lust or fun");
                                ch->mask |= CHANGE_CATEGORY;
                        }
                } else if (streq(key, "intensity")) {
                        int64_t v;
                        if (read_variant_integer(msg, &v) < 0)
                                return invalid(error, "intensity", "must be an integer");
                        if (validate_intensity(v, &reason) < 0)
                                return invalid(error, "intensity", reason);
                        ch->intensity = (int) v;
                        ch->mask |= CHANGE_INTENSITY;
                } else if (streq(key, "private")) {
                        int b;
                        r = sd_bus_message_read(msg, "v", "b", &b);
                        if (r < 0)
                                return invalid(error, "private", "must be a boolean");
                        ch->private_ = b;
                        ch->mask |= CHANGE_PRIVATE;
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown field '%.*s%s' (known: title, details, category, "
                                                 "intensity, private)", ECHO(key));
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* An item; with use (GetItem), how it was used: "done" (acts done),
 * "response" (their average, when one was observed), "last_done" (the
 * day, when ever). */
static int append_item(sd_bus_message *reply, const Item *it, Side side, const ItemUsage *use) {
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
        if (r >= 0 && side == SIDE_PARTNER)
                r = sd_bus_message_append(reply, "{sv}", "review", "s", review_to_string(it->review));
        if (r >= 0 && side == SIDE_PARTNER && it->note && it->note[0])
                r = sd_bus_message_append(reply, "{sv}", "note", "s", it->note);
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
                return invalid(error, "title", reason);
        r = read_item_fields(msg, &ch, error);
        if (r < 0)
                return r;
        ch.title = title;
        ch.mask |= CHANGE_TITLE;

        r = core_item_add(m, &ch, &id);
        if (r < 0)
                return reply_failure(m, r, "my list is full: at most 10000 items", error);
        log_debug("Added item %" PRIi64 " to my list", id);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int read_item_id(sd_bus_message *msg, int64_t *ret, sd_bus_error *error) {
        uint64_t id;
        int r = sd_bus_message_read(msg, "t", &id);
        if (r < 0)
                return r;
        if (id == 0 || id > INT64_MAX)
                return invalid(error, "id", "must be a positive item ID");
        *ret = (int64_t) id;
        return 0;
}

static int item_failure(Manager *m, int r, int64_t id, sd_bus_error *error) {
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64 " in my list", id);
        if (r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "item %" PRIi64 " is on my partner's list: only its review "
                                         "can change (closerctl partner review)", id);
        return reply_failure(m, r, "", error);
}

static int method_edit_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        ItemChange ch = {};
        int64_t id = 0;
        int r;

        r = read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = read_item_fields(msg, &ch, error);
        if (r < 0)
                return r;
        if (ch.mask == 0)
                return invalid(error, "changes", "must name at least one field");

        r = core_item_edit(m, id, &ch);
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

        r = read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = core_item_remove(m, id);
        if (r < 0)
                return item_failure(m, r, id, error);
        log_debug("Removed item %" PRIi64, id);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(item_done) Item it = {};
        Manager *m = userdata;
        Side side;
        int64_t id = 0;
        int r;

        r = read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = store_item_get(m->store, id, &side, &it);
        if (r >= 0 && it.removed)
                r = -ENOENT;
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64, id);
        if (r < 0)
                return reply_failure(m, r, "", error);
        ItemUsage use = {};
        r = store_item_usage(m->store, id, &use);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_item(reply, &it, side, &use);
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
                return invalid(error, "list", "must be 'mine', 'partner' or 'discuss'");
        bool discuss = streq(which, "discuss");
        r = store_item_list(m->store, side, false, &items, &n);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                /* What is left to talk about: not yet read, or under discussion. */
                if (!discuss || items[i].review == REVIEW_NEW || items[i].review == REVIEW_DISCUSS)
                        r = append_item(reply, &items[i], side, NULL);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        item_array_free(items, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The next moment DailyAct is due: today's if still ahead, else the next
 * day that is not paused. */
static int next_daily_act(Manager *m, const Practice *p, time_t now, time_t *ret) {
        for (int64_t day = p->today; day <= p->today + 400; day++) {
                bool paused;
                time_t due;
                int r = practice_paused_on(m, day, &paused, NULL);
                if (r < 0)
                        return r;
                if (paused || daily_due(p, day, &due) < 0 || due <= now)
                        continue;
                *ret = due;
                return 0;
        }
        return -ENOENT;
}

static int append_overdue_warnings(Manager *m, sd_bus_message *reply, time_t now) {
        Promise *p = NULL;
        size_t n = 0;
        int r = store_promise_list(m->store, true, &p, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (p[i].due > now)
                        continue;
                char due[32];
                _cleanup_free_ char *w = NULL, *whose = NULL;
                (void) format_human_local(p[i].due, true, due);
                if (p[i].owed_by_partner)
                        /* Owed to me: nothing for me to keep, only to note. */
                        r = promise_partner_possessive(m, false, &whose) < 0 ||
                                            asprintf(&w, "%s rain check %" PRIi64 " of %s is still to come: once you had "
                                                     "it, closerctl promise kept %" PRIi64 "; or move it (closerctl "
                                                     "promise move %" PRIi64 " WHEN --by-partner)",
                                                     whose, p[i].id, due, p[i].id, p[i].id) < 0
                                    ? -ENOMEM
                                    : 0;
                else
                        r = asprintf(&w, "rain check %" PRIi64 " is overdue since %s: keep it (closerctl promise kept %" PRIi64
                                     ") or say what happened", p[i].id, due, p[i].id) < 0
                                    ? -ENOMEM
                                    : 0;
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", w);
        }
        promise_array_free(p, n);
        return r;
}

/* Opens "key": v(TYPE) in an a{sv} being built; close with close_entry. */
static int open_entry(sd_bus_message *m, const char *key, const char *type) {
        int r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', type);
        return r;
}

static int close_entry(sd_bus_message *m) {
        int r = sd_bus_message_close_container(m);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* A list of records (aa{sv}) under key in the a{sv} being built. */
static int open_records(sd_bus_message *m, const char *key) {
        int r = open_entry(m, key, "aa{sv}");
        return r < 0 ? r : sd_bus_message_open_container(m, 'a', "a{sv}");
}

static int close_records(sd_bus_message *m) {
        int r = sd_bus_message_close_container(m);
        return r < 0 ? r : close_entry(m);
}

static int append_datenight_warnings(Manager *m, sd_bus_message *reply, time_t now) {
        DateNight *d = NULL;
        size_t n = 0;
        int r = store_dn_list(m->store, now - TODAY_NIGHTS_BACK, &d, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const DnNight *x = &d[i].night;
                if (!dn_unlogged(x, now))
                        continue;
                char start[32];
                _cleanup_free_ char *w = NULL;
                (void) format_human_local(x->start, false, start);
                if (asprintf(&w, "date night %" PRIi64 " of %s: how did it go? closerctl datenight log %" PRIi64
                             " happened|missed", x->id, start, x->id) < 0)
                        r = -ENOMEM;
                else
                        r = sd_bus_message_append(reply, "s", w);
        }
        datenight_array_free(d, n);
        return r;
}

static int next_date_night(Manager *m, time_t now, time_t *ret) {
        DateNight *d = NULL;
        size_t n = 0;
        int r = store_dn_list(m->store, now, &d, &n);
        *ret = 0;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (d[i].night.status == DN_PLANNED) {
                        *ret = d[i].night.start;
                        break;
                }
        datenight_array_free(d, n);
        return r;
}

static int method_get_status(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *progress = NULL;
        Manager *m = userdata;
        int64_t mine = 0, partner = 0, streak = 0, rerolls = 0;
        time_t now = manager_now(), next = 0;
        CopyState copy = COPY_NONE;
        Practice p;
        int r;

        schedule_update_phase(m, now);
        r = store_item_count(m->store, SIDE_MINE, &mine);
        if (r >= 0)
                r = store_item_count(m->store, SIDE_PARTNER, &partner);
        if (r >= 0)
                r = partner_copy_state(m, &copy);
        if (r >= 0)
                r = practice_load(m, now, &p);
        if (r >= 0)
                r = daily_streak(m, &p, &streak);
        if (r >= 0)
                r = store_act_rerolls(m->store, p.today, &rerolls);
        if (r >= 0)
                r = daily_phase_progress(m, now, &progress);
        if (r >= 0) {
                r = next_daily_act(m, &p, now, &next);
                if (r == -ENOENT)
                        r = 0;
        }
        if (r < 0)
                return reply_failure(m, r, "", error);

        char iso[32] = "", widen[16] = "";
        if (next > 0)
                (void) format_iso_local(next, iso);
        if (p.next_widen_day >= 0)
                (void) format_date(p.next_widen_day, widen);

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "phase", "s", phase_to_string(p.phase),
                                          "phase_progress", "s", progress ? progress : "",
                                          "start", "s", start_kind_to_string(p.start),
                                          "ramp_intensity", "u", (uint32_t) p.cap,
                                          "streak_days", "u", (uint32_t) streak,
                                          "my_items", "u", (uint32_t) mine,
                                          "partner_items", "u", (uint32_t) partner);
        if (r >= 0 && widen[0])
                r = sd_bus_message_append(reply, "{sv}", "ramp_widens", "s", widen);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "rerolls_today", "u", (uint32_t) rerolls);
        if (r >= 0 && iso[0])
                r = sd_bus_message_append(reply, "{sv}", "next_daily_act", "s", iso);
        if (r >= 0) {
                time_t dn;
                r = next_date_night(m, now, &dn);
                if (r >= 0 && dn > 0) {
                        char dn_iso[32];
                        (void) format_iso_local(dn, dn_iso);
                        r = sd_bus_message_append(reply, "{sv}", "next_date_night", "s", dn_iso);
                }
        }
        if (r >= 0)
                r = open_entry(reply, "warnings", "as");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        if (r >= 0 && partner < 30)
                r = sd_bus_message_append(reply, "s",
                                          partner == 0 ? "no partner list yet: import one with closerctl "
                                                         "partner import FILE"
                                                       : "the partner list is short: the method asks for "
                                                         "30-50 items to start");
        if (r >= 0 && copy == COPY_NEVER)
                r = sd_bus_message_append(reply, "s", "my partner has not got my list yet: closerctl list export");
        if (r >= 0 && copy == COPY_STALE)
                r = sd_bus_message_append(reply, "s",
                                          "my list changed since my last export: my partner's copy is stale "
                                          "(closerctl list export FILE)");
        if (r >= 0 && p.lapse) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "lapse: nothing done for %" PRIi64 " days; don't fall back into old habits",
                             p.today - p.lapse_since - 1) < 0)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "s", w);
        }
        if (r >= 0)
                r = append_overdue_warnings(m, reply, now);
        if (r >= 0)
                r = append_datenight_warnings(m, reply, now);
        if (r >= 0 && p.paused) {
                char until[16];
                _cleanup_free_ char *w = NULL;
                (void) format_date(p.paused_until, until);
                if (asprintf(&w, "paused until %s (closerctl resume ends it)", until) < 0)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "s", w);
        }
        for (int i = 0; i < 4 && r >= 0; i++)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* --- files: they cross the bus as descriptors, never as paths --- */

/* Reads a whole regular file (or memfd) from a client's descriptor, at most
 * max bytes. pread: the client's file offset is left alone. */
static int read_fd(int fd, size_t max, char **ret, size_t *ret_len, sd_bus_error *error) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "file must be a regular file (send other input as a memfd)");
        if ((uint64_t) st.st_size > max)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "file is larger than %zu KiB", max / 1024);
        _cleanup_free_ char *buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        for (;;) {
                ssize_t k = pread(fd, buf + len, max + 1 - len, (off_t) len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot read the file: %s",
                                                 strerror(errno));
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > max)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "file is larger than %zu KiB",
                                                 max / 1024);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* Writes text into a client's regular file (or memfd), from offset 0. */
static int write_fd(int fd, const char *text, sd_bus_error *error) {
        struct stat st;
        size_t len = strlen(text), done = 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "file must be a regular file (use a memfd for a pipe)");
        while (done < len) {
                ssize_t k = pwrite(fd, text + done, len - done, (off_t) done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot write the file: %s",
                                                 strerror(errno));
                done += (size_t) k;
        }
        if (ftruncate(fd, (off_t) len) < 0 && errno != EINVAL)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot write the file: %s", strerror(errno));
        return 0;
}

/* A call answered once its iCalendar job is done (icaljob.h): the message
 * (which keeps the client's descriptor open) and what the reply needs. */
typedef struct Deferred {
        sd_bus_message *msg;
        int fd;              /* ExportList, ExportCalendar: the client's file */
        ImportOptions opts;  /* ImportPartnerList */
        int64_t revision;    /* ExportList: of my list, as exported */
        uint32_t n_exported; /* ExportList: the items in the file */
} Deferred;

static Deferred *deferred_new(sd_bus_message *msg, int fd) {
        Deferred *d = calloc(1, sizeof(*d));
        if (d)
                *d = (Deferred) { .msg = sd_bus_message_ref(msg), .fd = fd };
        return d;
}

static void deferred_free(Deferred *d) {
        sd_bus_message_unref(d->msg);
        free(d);
}

/* Sends the error reply for r and error, as sd-bus does for a handler's
 * return (a reply, when one was sent, came with r >= 0), and frees d. */
static void deferred_end(Deferred *d, int r, sd_bus_error *error) {
        if (r < 0)
                (void) sd_bus_reply_method_errno(d->msg, r, error);
        sd_bus_error_free(error);
        deferred_free(d);
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
        r = read_fd(fd, LISTTEXT_SIZE_MAX, &buf, &len, error);
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
        r = core_items_add(m, items, n);
        if (r < 0) {
                item_array_free(items, n);
                return reply_failure(m, r, "my list would hold more than 10000 items; nothing was added",
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
                        return invalid(error, "category", "must be affection, love, lust or fun");
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
        r = core_item_add(m, &ch, &id);
        if (r < 0)
                return reply_failure(m, r, "my list is full: at most 10000 items", error);
        bus_lists_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int export_list_finish(Manager *m, int r, const char *text, const Deferred *d, sd_bus_error *error) {
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = write_fd(d->fd, text, error);
        if (r < 0)
                return r;
        /* Only a file that was written makes my partner's copy current. */
        r = partner_exported(m, d->revision);
        if (r < 0)
                return reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(d->msg, "u", d->n_exported);
}

static void export_list_rendered(Manager *m, int r, IcalResult *res, void *userdata) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = export_list_finish(m, r, res->text, userdata, &error);
        deferred_end(userdata, r, &error);
}

/* My items are read in one transaction, the file is rendered outside it
 * and written (and marked exported) when the helper is done. */
static int method_export_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(partner_export_clear) PartnerExport x = {};
        int fd = -1, r;

        r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        r = partner_export(m, &x);
        if (r < 0)
                return reply_failure(m, r, "", error);
        Deferred *d = deferred_new(msg, fd);
        if (!d)
                return -ENOMEM;
        d->revision = x.revision;
        for (size_t i = 0; i < x.n_items; i++)
                d->n_exported += !x.items[i].removed;
        IcalRequest req = { .op = ICAL_OP_LISTFILE_WRITE, .items = x.items, .n_items = x.n_items,
                            .owner_name = x.owner_name, .owner_id = x.owner_id, .now = x.now };
        r = icaljob_start(m, &req, export_list_rendered, d);
        if (r < 0) {
                deferred_free(d);
                return reply_failure(m, r, "", error);
        }
        return 1;
}

/* Calls read_entry for each key of an a{sv}, with the message at the
 * variant; read_entry reads the variant (or fails). */
typedef int (*DictEntryReader)(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error);

static int read_dict(sd_bus_message *msg, DictEntryReader read_entry, void *userdata, sd_bus_error *error) {
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r >= 0)
                        r = read_entry(msg, key, userdata, error);
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* One option of ImportPartnerListWithOptions. */
static int read_import_option(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error) {
        ImportOptions *opts = userdata;
        int b;

        if (!streq(key, "replace"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%.80s' (known: replace)",
                                         key);
        if (sd_bus_message_read(msg, "v", "b", &b) < 0)
                return invalid(error, "replace", "must be a boolean");
        opts->replace = b;
        return 0;
}

static int append_import_summary(sd_bus_message *reply, const ImportSummary *sum) {
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "added", "u", sum->added,
                                          "updated", "u", sum->updated,
                                          "removed", "u", sum->removed,
                                          "unchanged", "u", sum->unchanged,
                                          "older", "u", sum->older,
                                          "skipped", "u", sum->skipped,
                                          "forgotten", "u", sum->forgotten);
        if (r >= 0)
                r = open_entry(reply, "review_again", "a(tssb)");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(tssb)");
        for (size_t i = 0; r >= 0 && i < sum->n_review_again; i++)
                r = sd_bus_message_append(reply, "(tssb)", (uint64_t) sum->review_again[i].id,
                                          sum->review_again[i].title,
                                          review_to_string(sum->review_again[i].previous),
                                          (int) sum->review_again[i].private_);
        for (int i = 0; i < 4 && r >= 0; i++)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* The file parsed (or not) by the helper: applied, and the reply. */
static int import_partner_list_finish(Manager *m, int r, const IcalResult *res, const Deferred *d,
                                      sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(import_summary_done) ImportSummary sum = {};
        _cleanup_free_ char *why = NULL;

        if (r == -ENOMEM || icaljob_failed(r))
                return reply_failure(m, r, "", error);
        if (r < 0)
                /* The parser names places by line and UID, never by text. */
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "partner list: %s; nothing was imported",
                                         res->err_text ? res->err_text : strerror(-r));
        struct timespec t0, t1;
        (void) clock_gettime(CLOCK_MONOTONIC, &t0);
        r = partner_import(m, &res->list, &d->opts, &sum, &why);
        (void) clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r == -EBADMSG && why)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "partner list: %s; nothing was imported", why);
        if (r == -EPERM && why)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "%s", why);
        if (r < 0)
                return reply_failure(m, r, "the partner list would hold more than 10000 items; "
                                           "nothing was imported", error);
        log_info("Imported the partner list: %u added, %u updated, %u removed, %u unchanged, %u older, "
                 "%u forgotten, %zu to review again (%.1f ms in the database)",
                 sum.added, sum.updated, sum.removed, sum.unchanged, sum.older, sum.forgotten,
                 sum.n_review_again, (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        bus_lists_changed(m);
        (void) schedule_run(m);
        r = sd_bus_message_new_method_return(d->msg, &reply);
        if (r >= 0)
                r = append_import_summary(reply, &sum);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static void import_partner_list_parsed(Manager *m, int r, IcalResult *res, void *userdata) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = import_partner_list_finish(m, r, res, userdata, &error);
        deferred_end(userdata, r, &error);
}

/* The file is read here, parsed by the helper, and applied when it is done. */
static int import_partner_list(sd_bus_message *msg, Manager *m, const ImportOptions *opts, int fd,
                               sd_bus_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_fd(fd, LISTFILE_SIZE_MAX, &buf, &len, error);
        if (r < 0)
                return r;
        Deferred *d = deferred_new(msg, -1);
        if (!d)
                return -ENOMEM;
        d->opts = *opts;
        r = icaljob_start(m, &(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = buf, .len = len },
                          import_partner_list_parsed, d);
        if (r < 0) {
                deferred_free(d);
                return reply_failure(m, r, "", error);
        }
        return 1;
}

static int method_import_partner_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        return import_partner_list(msg, userdata, &(ImportOptions) {}, fd, error);
}

static int method_import_partner_list_with_options(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ImportOptions opts = {};
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        r = read_dict(msg, read_import_option, &opts, error);
        if (r < 0)
                return r;
        return import_partner_list(msg, userdata, &opts, fd, error);
}

static int append_act(sd_bus_message *reply, const Act *a);

static int method_forget_partner_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int64_t n = 0;
        int r = partner_forget(m, &n);
        if (r < 0)
                return reply_failure(m, r, "", error);
        (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, "u", (uint32_t) n);
}

static int method_review_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *review, *note = NULL, *reason;
        int64_t id = 0;
        int r;

        r = read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "s", &review);
        if (r < 0)
                return r;
        Review rv = review_from_string(review);
        if (rv < 0 || rv == REVIEW_NEW)
                return invalid(error, "review", "must be ok, discuss or no");
        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                if (!streq(key, "note"))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown field '%.*s%s' (known: note)", ECHO(key));
                if (sd_bus_message_read(msg, "v", "s", &note) < 0)
                        return invalid(error, "note", "must be a string");
                if (validate_note(note, &reason) < 0)
                        return invalid(error, "note", reason);
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;

        _cleanup_(act_done) Act act = {};
        r = partner_review(m, id, rv, note, &act);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64 " in my partner's list", id);
        if (r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "item %" PRIi64 " is on my own list: reviews are for my partner's items",
                                         id);
        if (r < 0)
                return reply_failure(m, r, "", error);
        bool replaced = r > 0;
        (void) schedule_run(m);

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "replaced", "b", (int) replaced);
        if (r >= 0 && act.id > 0) {
                r = open_entry(reply, "act", "a{sv}");
                if (r >= 0)
                        r = append_act(reply, &act);
                if (r >= 0)
                        r = close_entry(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* --- settings --- */

static int method_set_setting(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *value = NULL;
        const char *key, *raw, *reason = NULL;
        int r;

        r = sd_bus_message_read(msg, "ss", &key, &raw);
        if (r < 0)
                return r;
        r = setting_normalize(key, raw, &value, &reason);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown setting '%.*s%s' (see closerctl get)", ECHO(key));
        if (r == -EINVAL)
                return invalid(error, key, reason);
        if (r < 0)
                return r;
        r = core_setting_set(m, key, value);
        if (r < 0)
                return reply_failure(m, r, "", error);
        (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, "s", value);
}

static int method_restart_ramp(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Practice p;
        char widen[16] = "";
        int r = daily_ramp_restart(m, manager_now(), &p);
        if (r < 0)
                return reply_failure(m, r, "", error);
        (void) schedule_run(m);
        if (p.next_widen_day >= 0)
                (void) format_date(p.next_widen_day, widen);
        return sd_bus_reply_method_return(msg, "uss", (uint32_t) p.cap, start_kind_to_string(p.start), widen);
}

static int method_get_settings(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        size_t n;
        const SettingInfo *t = setting_table(&n);
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{ss}");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *v = NULL;
                r = store_setting_get(m->store, t[i].key, &v);
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        return reply_failure(m, r, "", error);
                r = sd_bus_message_append(reply, "{ss}", t[i].key, v ? v : t[i].default_value);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}


static int append_promise(sd_bus_message *reply, const Promise *p, time_t now);
static int append_datenight(sd_bus_message *reply, const DateNight *d);
static int append_promises_today(sd_bus_message *reply, const Today *t, time_t now);
static int append_datenights_today(sd_bus_message *reply, const Today *t, time_t now);

/* --- the daily practice --- */

/* Reads an a{sv} of observation options: response, mood (1-5), note. Only
 * the keys in allowed are accepted. */
static int read_observation(sd_bus_message *msg, const char *allowed, int *response, int *mood,
                            const char **note, sd_bus_error *error) {
        const char *reason;
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                if (!strstr(allowed, key) || strchr(key, ' '))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown field '%.*s%s' (known: %s)", ECHO(key), allowed);
                if (streq(key, "note")) {
                        if (sd_bus_message_read(msg, "v", "s", note) < 0)
                                return invalid(error, "note", "must be a string");
                        if (validate_note(*note, &reason) < 0)
                                return invalid(error, "note", reason);
                } else if (streq(key, "response") || streq(key, "mood")) {
                        int64_t v;
                        if (read_variant_integer(msg, &v) < 0)
                                return invalid(error, key, "must be an integer");
                        if (v < 1 || v > 5)
                                return invalid(error, key, "must be 1 (low) to 5 (high)");
                        *(streq(key, "response") ? response : mood) = (int) v;
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown field '%.*s%s'", ECHO(key));
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static int append_act(sd_bus_message *reply, const Act *a) {
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
        return reply_failure(m, r, "", error);
}

static int method_get_today(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        const Today *t;
        time_t now = manager_now();
        int r = today_load(m, now, &t);
        if (r < 0)
                return reply_failure(m, r, "", error);
        m->act_unseen = 0; /* shown now */

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "date", "s", t->date);
        if (r >= 0 && t->have_act) {
                r = open_entry(reply, "act", "a{sv}");
                if (r >= 0)
                        r = append_act(reply, &t->act);
                if (r >= 0)
                        r = close_entry(reply);
        }
        if (r >= 0 && !t->have_act)
                r = sd_bus_message_append(reply, "{sv}", "no_act", "s", pick_empty_reason_to_string(t->why));
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
        return open_records(m, l->key);
}

static int list_entry_end(sd_bus_message *m, const ListEntry *l) {
        return l->open ? close_records(m) : 0;
}

/* GetToday's date nights: "date_night" (tonight's, or one under way),
 * "makeups" (make-up nights owed), "unlogged" (past nights without an
 * outcome, to ask about). */
static int append_datenights_today(sd_bus_message *reply, const Today *t, time_t now) {
        int r = 0;
        ssize_t tonight = today_tonight(t, now);
        if (tonight >= 0) {
                r = open_entry(reply, "date_night", "a{sv}");
                if (r >= 0)
                        r = append_datenight(reply, &t->nights[tonight]);
                if (r >= 0)
                        r = close_entry(reply);
        }
        for (int k = 0; k < 2 && r >= 0; k++) {
                ListEntry l = { .key = k == 0 ? "makeups" : "unlogged" };
                for (size_t i = 0; r >= 0 && i < t->n_nights; i++)
                        if (k == 0 ? today_makeup_owed(t, i, now) : today_unlogged(t, i, now)) {
                                r = list_entry_next(reply, &l);
                                if (r >= 0)
                                        r = append_datenight(reply, &t->nights[i]);
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
                                r = append_promise(reply, &t->promises[i], now);
                }
        return r < 0 ? r : list_entry_end(reply, &l);
}

static void after_practice_change(Manager *m) {
        /* A done act can end a lapse or move the phase. */
        (void) schedule_run(m);
}

static int method_done(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *note = NULL;
        int response = 0, mood = 0;
        int r = read_observation(msg, "response mood note", &response, &mood, &note, error);
        if (r < 0)
                return r;
        DoneResult d;
        r = daily_done(m, manager_now(), response, mood, note, &d);
        if (r == -ESTALE)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "today's act changed after my review of item %" PRIi64
                                         ": the one I may have done is no longer today's act; "
                                         "see the new one with closerctl today",
                                         m->act_unseen_was_item);
        if (r < 0)
                return practice_failure(m, r, error);
        after_practice_change(m);

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
        _cleanup_(act_done) Act a = {};
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
                return reply_failure(m, r, "", error);
        m->act_unseen = 0; /* the reply shows the act */
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_act(reply, &a);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_add_extra(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *what, *note = NULL, *reason;
        int response = 0, mood = 0;
        int64_t id;
        int r = sd_bus_message_read(msg, "s", &what);
        if (r < 0)
                return r;
        if (validate_title(what, &reason) < 0)
                return invalid(error, "what", reason);
        r = read_observation(msg, "response note", &response, &mood, &note, error);
        if (r < 0)
                return r;
        r = daily_extra(m, manager_now(), what, response, note, &id);
        if (r == -ENOENT || r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %.*s%s on my partner's list", ECHO(what));
        if (r < 0)
                return reply_failure(m, r, "", error);
        after_practice_change(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int method_add_mood(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *note = NULL;
        int response = 0, mood = 0;
        uint32_t v;
        int r = sd_bus_message_read(msg, "u", &v);
        if (r < 0)
                return r;
        if (v < 1 || v > 5)
                return invalid(error, "mood", "must be 1 (low) to 5 (high)");
        r = read_observation(msg, "note", &response, &mood, &note, error);
        if (r < 0)
                return r;
        r = daily_mood(m, manager_now(), (int) v, note);
        if (r < 0)
                return reply_failure(m, r, "", error);
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
                return invalid(error, "until", "must be a date YYYY-MM-DD");
        if (day < local_day_of(now))
                return invalid(error, "until", "is in the past");
        if (day > local_day_of(now) + 366)
                return invalid(error, "until", "is more than a year ahead");
        r = daily_pause(m, now, day);
        if (r < 0)
                return reply_failure(m, r, "", error);
        log_info("Paused until %s", until);
        (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_resume(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = daily_resume(m, manager_now());
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "the practice is not paused");
        if (r < 0)
                return reply_failure(m, r, "", error);
        log_info("Resumed");
        (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, NULL);
}

void bus_emit_daily_act(Manager *m, const char *date, const Act *a, bool late) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "DailyAct", "stssbb", date,
                                   (uint64_t) a->item_id, a->title ? a->title : "",
                                   a->category >= 0 ? category_to_string(a->category) : "", (int) a->private_,
                                   (int) late);
        if (r < 0)
                log_warning_errno(r, "Failed to emit DailyAct: %m");
        else
                log_info("Daily act of %s is due%s (item %" PRIi64 ")", date, late ? ", late" : "", a->item_id);
}

void bus_emit_lapse(Manager *m, const char *since, uint32_t days) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "Lapse", "su", since, days);
        if (r < 0)
                log_warning_errno(r, "Failed to emit Lapse: %m");
        else
                log_info("Lapse: nothing done since %s", since);
}

void bus_emit_phase_changed(Manager *m, const char *old, const char *new) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "PhaseChanged", "ss", old, new);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PhaseChanged: %m");
}


/* --- rain checks and initiations --- */

static int read_when(const char *field, const char *text, time_t now, time_t *ret, sd_bus_error *error) {
        const char *reason = NULL;
        int r = when_parse(text, now, ret, &reason);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s '%.*s%s' %s", field, ECHO(text),
                                         reason ? reason : "is not a time");
        return 0;
}

static int method_resolve_when(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *text, *reason = NULL;
        WhenNote note;
        time_t t;
        char iso[32], asked[8];
        int r = sd_bus_message_read(msg, "s", &text);
        if (r < 0)
                return r;
        r = when_parse_noted(text, manager_now(), &t, &note, &reason);
        if (r < 0)
                /* Without a field name: the caller knows what it asked for. */
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.*s%s' %s", ECHO(text),
                                         reason ? reason : "is not a time");
        r = format_iso_local(t, iso);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.*s%s' cannot be shown as a local time",
                                         ECHO(text));

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}", "time", "s", iso, "instant", "x", (int64_t) t);
        if (r >= 0 && note.next_week)
                r = sd_bus_message_append(reply, "{sv}", "next_week", "b", 1);
        if (r >= 0 && note.gap) {
                format_hhmm(note.asked_minute, asked);
                r = sd_bus_message_append(reply, "{sv}", "gap", "s", asked);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_promise(sd_bus_message *reply, const Promise *p, time_t now) {
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
        if (r >= 0 && p->what)
                r = sd_bus_message_append(reply, "{sv}", "what", "s", p->what);
        if (r >= 0 && p->where)
                r = sd_bus_message_append(reply, "{sv}", "where", "s", p->where);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* Reads what/where/raincheck/note/owed_by of RecordAdvance and AddPromise. */
static int read_promise_options(sd_bus_message *msg, const char *allowed, const char **when, const char **what,
                                const char **where, const char **note, const char **owed_by, sd_bus_error *error) {
        const char *reason;
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key, *v;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                const char **dst = streq(key, "raincheck") ? when
                                   : streq(key, "what")    ? what
                                   : streq(key, "where")   ? where
                                   : streq(key, "note")    ? note
                                   : streq(key, "owed_by") ? owed_by
                                                           : NULL;
                if (!dst || !strstr(allowed, key))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown field '%.*s%s' (known: %s)",
                                                 ECHO(key), allowed);
                if (sd_bus_message_read(msg, "v", "s", &v) < 0)
                        return invalid(error, key, "must be a string");
                if (dst == owed_by && !streq(v, "me") && !streq(v, "partner"))
                        return invalid(error, key, "must be 'me' or 'partner'");
                if (dst == note ? validate_note(v, &reason) < 0
                                : dst != when && dst != owed_by &&
                                          validate_text(v, 0, ITEM_TITLE_MAX, false, &reason) < 0)
                        return invalid(error, key, reason);
                *dst = v;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static int method_record_advance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *by, *outcome, *when = NULL, *what = NULL, *where = NULL, *note = NULL;
        time_t now = manager_now();
        int64_t advance = 0, promise = 0;
        RainCheck rc = {};
        int r;

        r = sd_bus_message_read(msg, "ss", &by, &outcome);
        if (r < 0)
                return r;
        if (!streq(by, "me") && !streq(by, "partner"))
                return invalid(error, "by", "must be 'me' or 'partner'");
        if (!streq(outcome, "accepted") && !streq(outcome, "declined"))
                return invalid(error, "outcome", "must be 'accepted' or 'declined'");
        r = read_promise_options(msg, "raincheck what where note", &when, &what, &where, &note, NULL, error);
        if (r < 0)
                return r;
        if (!when && (what || where))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "what and where belong to a rain check: give its time too (raincheck)");
        if (when) {
                r = read_when("raincheck", when, now, &rc.due, error);
                if (r < 0)
                        return r;
                rc.what = what;
                rc.where = where;
        }

        r = promise_record_advance(m, now, streq(by, "partner"), streq(outcome, "accepted"), note,
                                   when ? &rc : NULL, &advance, &promise);
        if (r == -EDESTADDRREQ)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "declining my partner's advance needs a rain check: a time for it "
                                        "(and, if you like, what and where); nothing was recorded");
        if (r == -EINVAL)
                return invalid(error, "raincheck", "goes with a declined advance only");
        if (r < 0)
                return reply_failure(m, r, "", error);
        if (promise > 0)
                (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, "tt", (uint64_t) advance, (uint64_t) promise);
}

static int method_add_promise(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *when, *what = NULL, *where = NULL, *note = NULL, *dummy = NULL, *owed_by = NULL;
        time_t now = manager_now();
        RainCheck rc = {};
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "s", &when);
        if (r < 0)
                return r;
        r = read_promise_options(msg, "what where owed_by", &dummy, &what, &where, &note, &owed_by, error);
        if (r < 0)
                return r;
        r = read_when("when", when, now, &rc.due, error);
        if (r < 0)
                return r;
        rc.what = what;
        rc.where = where;
        rc.owed_by_partner = owed_by && streq(owed_by, "partner");
        r = promise_add(m, now, &rc, &id);
        if (r < 0)
                return reply_failure(m, r, "", error);
        (void) schedule_run(m);
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
                return reply_failure(m, r, "", error);
        time_t now = manager_now();
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append_promise(reply, &p[i], now);
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
        return reply_failure(m, r, "", error);
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
                return invalid(error, "status", "must be 'kept', 'broken', 'cancelled' or 'open' (reopen)");
        if (id == 0 || id > INT64_MAX)
                return invalid(error, "id", "must be a positive ID");
        PromiseStatus current = PROMISE_OPEN;
        r = promise_resolve(m, manager_now(), (int64_t) id, to, &current);
        if (r < 0)
                return promise_failure(m, r, id, (int) current, error);
        (void) schedule_run(m);
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
                return invalid(error, "id", "must be a positive ID");
        r = read_when("when", when, now, &due, error);
        if (r < 0)
                return r;
        r = promise_move(m, now, (int64_t) id, due, by_partner);
        if (r < 0)
                return promise_failure(m, r, id, -1, error);
        (void) schedule_run(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static void emit_promise(Manager *m, const char *member, const Promise *p, bool late) {
        char due[32];
        (void) format_iso_local(p->due, due);
        int r = streq(member, "PromiseDue")
                        ? sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tsssb",
                                             (uint64_t) p->id, due, p->what ? p->what : "",
                                             p->where ? p->where : "", (int) late)
                        : sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tsss",
                                             (uint64_t) p->id, due, p->what ? p->what : "",
                                             p->where ? p->where : "");
        if (r < 0)
                log_warning_errno(r, "Failed to emit %s: %m", member);
        else
                log_info("Rain check %" PRIi64 ": %s%s", p->id, member, late ? ", late" : "");
}

void bus_emit_promise_soon(Manager *m, const Promise *p) {
        emit_promise(m, "PromiseSoon", p, false);
}

void bus_emit_promise_due(Manager *m, const Promise *p, bool late) {
        emit_promise(m, "PromiseDue", p, late);
}


/* --- date nights --- */

static int append_datenight(sd_bus_message *reply, const DateNight *d) {
        char start[32], end[32];
        (void) format_iso_local(d->night.start, start);
        (void) format_iso_local(d->night.start + d->night.duration, end);
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "id", "t", (uint64_t) d->night.id,
                                          "uid", "s", d->uid,
                                          "start", "s", start,
                                          "end", "s", end,
                                          "mode", "s", dn_mode_to_string(d->night.mode),
                                          "status", "s", dn_status_to_string(d->night.status),
                                          "moved", "b", (int) d->night.moved,
                                          "sequence", "t", (uint64_t) d->sequence);
        if (r >= 0 && d->night.makeup_for > 0)
                r = sd_bus_message_append(reply, "{sv}", "makeup_for", "t", (uint64_t) d->night.makeup_for);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* After any change of the plan or the promises: signals and the calendar. */
static void datenights_changed(Manager *m) {
        (void) schedule_run(m);
}

/* Replies with an aa{sv}: append() each of the n items of size bytes. */
static int reply_dicts(sd_bus_message *msg, const void *items, size_t n, size_t size,
                       int (*append)(sd_bus_message *reply, const void *item)) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append(reply, (const char *) items + i * size);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_datenight_item(sd_bus_message *reply, const void *item) {
        return append_datenight(reply, item);
}

static int method_list_datenights(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DateNight *d = NULL;
        size_t n = 0;
        int r = datenight_list(m, manager_now(), &d, &n);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = reply_dicts(msg, d, n, sizeof(DateNight), append_datenight_item);
        datenight_array_free(d, n);
        return r;
}

static int method_get_datenight_rule(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DnRule rule;
        char time[8], duration[32], days[32] = "";
        int r = datenight_rule(m, &rule);
        if (r < 0)
                return reply_failure(m, r, "", error);
        format_hhmm(rule.minute, time);
        (void) format_duration(rule.duration, duration);
        format_weekdays(rule.weekdays_mask, days);
        return sd_bus_reply_method_return(msg, "a{sv}", 5,
                                          "vary", "b", (int) rule.vary,
                                          "weekday", "s", weekday_to_string(rule.weekday),
                                          "weekdays", "s", days,
                                          "time", "s", time,
                                          "duration", "s", duration);
}

static int method_set_datenight_rule(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DnRule rule;
        bool any = false;
        int r = datenight_rule(m, &rule);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key, *v;
                int b;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                any = true;
                if (streq(key, "vary")) {
                        if (sd_bus_message_read(msg, "v", "b", &b) < 0)
                                return invalid(error, "vary", "must be a boolean");
                        rule.vary = b;
                } else if (streq(key, "weekday") || streq(key, "weekdays") || streq(key, "time") ||
                           streq(key, "duration")) {
                        if (sd_bus_message_read(msg, "v", "s", &v) < 0)
                                return invalid(error, key, "must be a string");
                        if (streq(key, "weekday")) {
                                int wd = parse_weekday(v);
                                if (wd < 0)
                                        return invalid(error, "weekday", "must be a weekday: mon, tue, ... sun");
                                rule.weekday = wd;
                                rule.vary = false;
                        } else if (streq(key, "weekdays")) {
                                if (parse_weekdays(v, &rule.weekdays_mask) < 0)
                                        return invalid(error, "weekdays",
                                                       "must be weekdays separated by commas, e.g. fri,sat,sun");
                                rule.vary = true;
                        } else if (streq(key, "time")) {
                                if (parse_hhmm(v, &rule.minute) < 0)
                                        return invalid(error, "time", "must be a time HH:MM, e.g. 20:00");
                        } else if (parse_duration(v, &rule.duration) < 0 || rule.duration > 24 * 3600)
                                return invalid(error, "duration", "must be a duration up to 24h, e.g. 3h or 90min");
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown field '%.*s%s' (known: weekday, weekdays, vary, time, duration)",
                                                 ECHO(key));
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        if (!any)
                return invalid(error, "rule", "must name at least one field");
        r = datenight_set_rule(m, manager_now(), &rule);
        if (r < 0)
                return reply_failure(m, r, "", error);
        datenights_changed(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static int datenight_failure(Manager *m, int r, uint64_t id, sd_bus_error *error) {
        if (r == -ENOENT)
                return id ? sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no date night %" PRIu64, id)
                          : sd_bus_error_set(error, ERROR_NO_SUCH_ITEM, "no date night to change: see closerctl datenight");
        if (r == -EALREADY)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "date night %" PRIu64 " is over or already decided", id);
        if (r == -EINPROGRESS)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "date night %" PRIu64 " has not begun yet", id);
        if (r == -ENOMSG)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "date night %" PRIu64 " is not skipped", id);
        if (r == -ESTALE)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "make-up %" PRIu64 " is no longer owed: its night is in person,"
                                         " or its away period was cancelled", id);
        return reply_failure(m, r, "", error);
}

static int method_move_datenight(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *when;
        time_t now = manager_now(), start;
        int64_t done_id = 0;
        uint64_t id;
        int r = sd_bus_message_read(msg, "ts", &id, &when);
        if (r < 0)
                return r;
        if (id > INT64_MAX)
                return invalid(error, "id", "must be a date night ID, or 0 for the next one");
        r = read_when("when", when, now, &start, error);
        if (r < 0)
                return r;
        r = datenight_move(m, now, (int64_t) id, start, &done_id);
        if (r < 0)
                return datenight_failure(m, r, id, error);
        datenights_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) done_id);
}

/* SkipDateNight and UnskipDateNight: one night by ID, 0 for the next. */
static int datenight_by_id(sd_bus_message *msg, Manager *m, bool unskip, sd_bus_error *error) {
        int64_t done_id = 0;
        uint64_t id;
        int r = sd_bus_message_read(msg, "t", &id);
        if (r < 0)
                return r;
        if (id > INT64_MAX)
                return invalid(error, "id", unskip ? "must be a date night ID, or 0 for the next skipped one"
                                                   : "must be a date night ID, or 0 for the next one");
        r = (unskip ? datenight_unskip : datenight_skip)(m, manager_now(), (int64_t) id, &done_id);
        if (r == -ENOENT && id == 0 && unskip)
                return sd_bus_error_set(error, ERROR_NO_SUCH_ITEM, "no skipped date night ahead: see closerctl datenight");
        if (r < 0)
                return datenight_failure(m, r, id, error);
        datenights_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) done_id);
}

static int method_skip_datenight(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return datenight_by_id(msg, userdata, false, error);
}

static int method_unskip_datenight(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return datenight_by_id(msg, userdata, true, error);
}

static int method_log_datenight(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *outcome;
        int64_t done_id = 0;
        uint64_t id;
        int r = sd_bus_message_read(msg, "ts", &id, &outcome);
        if (r < 0)
                return r;
        if (id > INT64_MAX)
                return invalid(error, "id", "must be a date night ID, or 0 for the latest");
        if (!streq(outcome, "happened") && !streq(outcome, "missed"))
                return invalid(error, "outcome", "must be 'happened' or 'missed'");
        r = datenight_log(m, manager_now(), (int64_t) id, dn_status_from_string(outcome), &done_id);
        if (r < 0)
                return datenight_failure(m, r, id, error);
        datenights_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) done_id);
}

static int method_away(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *from, *to;
        int64_t from_day, to_day;
        int r = sd_bus_message_read(msg, "ss", &from, &to);
        if (r < 0)
                return r;
        if (parse_date(from, &from_day) < 0)
                return invalid(error, "from", "must be a date YYYY-MM-DD");
        if (parse_date(to, &to_day) < 0)
                return invalid(error, "to", "must be a date YYYY-MM-DD");
        if (to_day < from_day)
                return invalid(error, "to", "is before from");
        if (to_day - from_day > 366)
                return invalid(error, "to", "is more than a year after from");
        int64_t id = 0;
        r = datenight_away(m, manager_now(), from_day, to_day, &id);
        if (r == -ERANGE)
                return invalid(error, "to", "is in the past");
        if (r < 0)
                return reply_failure(m, r, "", error);
        datenights_changed(m);
        return sd_bus_reply_method_return(msg, "t", (uint64_t) id);
}

static int append_away(sd_bus_message *reply, const AwayInfo *a) {
        char from[16], to[16];
        (void) format_date(a->away.from_day, from);
        (void) format_date(a->away.to_day, to);
        return sd_bus_message_append(reply, "a{sv}", 5,
                                     "id", "t", (uint64_t) a->id,
                                     "from", "s", from,
                                     "to", "s", to,
                                     "nights", "u", (uint32_t) a->nights,
                                     "makeups", "u", (uint32_t) a->makeups);
}

static int append_away_item(sd_bus_message *reply, const void *item) {
        return append_away(reply, item);
}

static int method_list_away(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_free_ AwayInfo *a = NULL;
        Manager *m = userdata;
        size_t n = 0;
        int r = datenight_away_list(m, &a, &n);
        if (r < 0)
                return reply_failure(m, r, "", error);
        return reply_dicts(msg, a, n, sizeof(AwayInfo), append_away_item);
}

static int method_cancel_away(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        AwayInfo a = {};
        uint64_t id;
        int r = sd_bus_message_read(msg, "t", &id);
        if (r < 0)
                return r;
        if (id == 0 || id > INT64_MAX)
                return invalid(error, "id", "must be an away period ID (see closerctl away)");
        r = datenight_away_cancel(m, manager_now(), (int64_t) id, &a);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no away period %" PRIu64 " (see closerctl away)", id);
        if (r < 0)
                return reply_failure(m, r, "", error);
        datenights_changed(m);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_away(reply, &a);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int export_calendar_finish(Manager *m, int r, const char *text, sd_bus_message *msg, int fd,
                                  sd_bus_error *error) {
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = write_fd(fd, text, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, NULL);
}

static void export_calendar_rendered(Manager *m, int r, const char *text, void *userdata) {
        Deferred *d = userdata;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = export_calendar_finish(m, r, text, d->msg, d->fd, &error);
        deferred_end(d, r, &error);
}

/* The last text when the calendar is the same, else rendered by the
 * helper and written when it is done. */
static int method_export_calendar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *text = NULL;
        int fd = -1, r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        Deferred *d = deferred_new(msg, fd);
        if (!d)
                return -ENOMEM;
        r = dncal_text(m, manager_now(), &text, export_calendar_rendered, d);
        if (r == 0)
                return 1;
        deferred_free(d);
        return export_calendar_finish(m, r, text, msg, fd, error);
}

void bus_emit_datenight(Manager *m, const char *member, const DateNight *d, bool late) {
        char start[32];
        (void) format_iso_local(d->night.start, start);
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tssb",
                                   (uint64_t) d->night.id, start, dn_mode_to_string(d->night.mode), (int) late);
        if (r < 0)
                log_warning_errno(r, "Failed to emit %s: %m", member);
        else
                log_info("Date night %" PRIi64 ": %s%s", d->night.id, member, late ? ", late" : "");
}


/* --- stats --- */

/* An average as a double, left out when there is nothing to average. */
static int append_average(sd_bus_message *m, const char *key, int sum, int count) {
        if (count == 0)
                return 0;
        return sd_bus_message_append(m, "{sv}", key, "d", (double) sum / count);
}

/* A day, a week or a month of the stats: its date, acts done, average mood
 * and response (left out when none was observed); a month has its days
 * (in the period) and the days with something done. */
static int append_bucket(sd_bus_message *m, const char *date_key, int64_t day, int acts, int mood_sum, int moods,
                         int response_sum, int responses, const StatsMonth *month) {
        char date[16];
        (void) format_date(day, date);
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}{sv}", date_key, "s", date, "acts", "u", (uint32_t) acts);
        if (r >= 0 && month)
                r = sd_bus_message_append(m, "{sv}{sv}", "days", "u", (uint32_t) month->days, "active_days", "u",
                                          (uint32_t) month->active_days);
        if (r >= 0)
                r = append_average(m, "mood", mood_sum, moods);
        if (r >= 0)
                r = append_average(m, "response", response_sum, responses);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_stats_items(sd_bus_message *m, const char *key, const StatsItem *it, size_t n, bool best,
                              size_t max) {
        int r = open_records(m, key);
        /* The best from the top; the ones that fall flat from the bottom,
         * at most 2.5 and never an item already among the best. */
        for (size_t k = 0; r >= 0 && k < MIN(n, max); k++) {
                const StatsItem *x = best ? &it[k] : &it[n - 1 - k];
                if (!best && (x->response > 2.5 || n - 1 - k < max))
                        break;
                r = sd_bus_message_append(m, "a{sv}", 6,
                                          "item", "t", (uint64_t) x->item_id,
                                          "title", "s", x->title ? x->title : "",
                                          "category", "s", category_to_string(x->category),
                                          "private", "b", (int) x->private_,
                                          "acts", "u", (uint32_t) x->acts,
                                          "response", "d", x->response);
        }
        return r < 0 ? r : close_records(m);
}

static int append_stats(sd_bus_message *m, const Stats *s) {
        char from[16], to[16];
        (void) format_date(s->from_day, from);
        (void) format_date(s->to_day, to);
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "from", "s", from, "to", "s", to, "weeks", "u", (uint32_t) s->weeks,
                                          "acts_done", "u", (uint32_t) (s->acts.daily_done + s->acts.extras),
                                          "daily_done", "u", (uint32_t) s->acts.daily_done,
                                          "extras", "u", (uint32_t) s->acts.extras,
                                          "rerolled", "u", (uint32_t) s->acts.rerolled,
                                          "days_with_acts", "u", (uint32_t) s->acts.days_with_acts);
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}{sv}{sv}", "streak_current", "u", (uint32_t) s->streak_current,
                                          "streak_longest", "u", (uint32_t) s->streak_longest,
                                          "streak_longest_all", "u", (uint32_t) s->streak_longest_all);
        /* days: the heat map and the daily mood; weeks: the sparklines;
         * months: both, past 32 weeks */
        if (r >= 0)
                r = open_records(m, "days");
        for (size_t i = 0; r >= 0 && i < s->n_days; i++) {
                const StatsDay *d = &s->days[i];
                r = append_bucket(m, "date", d->day, d->acts, d->mood_sum, d->moods, d->response_sum, d->responses,
                                  NULL);
        }
        if (r >= 0)
                r = close_records(m);
        if (r >= 0)
                r = open_records(m, "weekly");
        for (int i = 0; r >= 0 && i < s->weeks; i++) {
                const StatsWeek *w = &s->week[i];
                r = append_bucket(m, "week", w->monday, w->acts, w->mood_sum, w->moods, w->response_sum, w->responses,
                                  NULL);
        }
        if (r >= 0)
                r = close_records(m);
        if (r >= 0)
                r = open_records(m, "monthly");
        for (size_t i = 0; r >= 0 && i < s->n_months; i++) {
                const StatsMonth *x = &s->month[i];
                r = append_bucket(m, "month", x->first, x->acts, x->mood_sum, x->moods, x->response_sum, x->responses,
                                  x);
        }
        if (r >= 0)
                r = close_records(m);
        if (r >= 0)
                r = append_stats_items(m, "top_items", s->items, s->n_items, true, 5);
        if (r >= 0)
                r = append_stats_items(m, "flat_items", s->items, s->n_items, false, 5);
        if (r >= 0)
                r = open_records(m, "categories");
        for (size_t i = 0; r >= 0 && i < s->n_categories; i++) {
                const StatsItem *c = &s->categories[i];
                r = sd_bus_message_open_container(m, 'a', "{sv}");
                if (r >= 0)
                        r = sd_bus_message_append(m, "{sv}{sv}", "category", "s", category_to_string(c->category),
                                                  "acts", "u", (uint32_t) c->acts);
                if (r >= 0 && c->responses > 0)
                        r = sd_bus_message_append(m, "{sv}", "response", "d", c->response);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = close_records(m);
        const int64_t (*dn)[4] = s->datenights;
        int64_t happened = dn[0][1] + dn[1][1] + dn[2][1], missed = dn[0][2] + dn[1][2] + dn[2][2];
        int64_t skipped = dn[0][3] + dn[1][3] + dn[2][3], planned = dn[0][0] + dn[1][0] + dn[2][0];
        if (r >= 0)
                r = open_entry(m, "date_nights", "a{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}", 6,
                                          "happened", "u", (uint32_t) happened,
                                          "remote", "u", (uint32_t) (dn[1][0] + dn[1][1] + dn[1][2]),
                                          "makeup", "u", (uint32_t) (dn[2][0] + dn[2][1] + dn[2][2]),
                                          "missed", "u", (uint32_t) missed,
                                          "skipped", "u", (uint32_t) skipped,
                                          "unlogged", "u", (uint32_t) planned);
        if (r >= 0)
                r = close_entry(m);
        const PromiseCounters *p = &s->promises;
        /* The ones I owe, then the ones owed to me: the same figures. */
        for (int side = 0; side < 2; side++) {
                const PromiseSide *c = side == 0 ? &p->mine : &p->owed_to_me;
                if (r >= 0)
                        r = open_entry(m, side == 0 ? "promises" : "promises_owed_to_me", "a{sv}");
                if (r >= 0)
                        r = sd_bus_message_append(m, "a{sv}", 6,
                                                  "kept", "u", (uint32_t) c->kept,
                                                  "broken", "u", (uint32_t) c->broken,
                                                  "open", "u", (uint32_t) c->open,
                                                  "moved_by_me", "u", (uint32_t) c->moved_by_me,
                                                  "moved_by_partner", "u", (uint32_t) c->moved_by_partner,
                                                  "kept_on_time", "u", (uint32_t) c->kept_on_time);
                if (r >= 0)
                        r = close_entry(m);
        }
        if (r >= 0)
                r = open_entry(m, "initiations", "a{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}", 4,
                                          "by_me", "u", (uint32_t) p->advances_by_me,
                                          "by_me_accepted", "u", (uint32_t) p->advances_by_me_accepted,
                                          "by_partner", "u", (uint32_t) p->advances_by_partner,
                                          "by_partner_accepted", "u", (uint32_t) p->advances_by_partner_accepted);
        if (r >= 0)
                r = close_entry(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* --- history --- */

/* Reads GetHistory's options: since, until (YYYY-MM-DD), item. */
static int read_history_options(sd_bus_message *msg, int64_t today, int64_t *from_day, int64_t *to_day,
                                int64_t *item_id, sd_bus_error *error) {
        bool have_since = false;
        *to_day = today;
        *item_id = 0;
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                if (streq(key, "since") || streq(key, "until")) {
                        const char *v;
                        if (sd_bus_message_read(msg, "v", "s", &v) < 0)
                                return invalid(error, key, "must be a string");
                        if (parse_date(v, streq(key, "since") ? from_day : to_day) < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "%s must be a date YYYY-MM-DD, not '%.*s%s'", key, ECHO(v));
                        have_since = have_since || streq(key, "since");
                } else if (streq(key, "item")) {
                        if (read_variant_integer(msg, item_id) < 0)
                                return invalid(error, "item", "must be an integer");
                        if (*item_id <= 0)
                                return invalid(error, "item", "must be a positive item ID");
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown field '%.*s%s' (known: since, until, item)", ECHO(key));
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (!have_since)
                *from_day = *to_day - (HISTORY_DAYS_DEFAULT - 1);
        if (*from_day > *to_day)
                return invalid(error, "since", "is after until");
        if (*to_day - *from_day >= HISTORY_DAYS_MAX)
                return invalid(error, "since", "is more than 10 years (3660 days) before until");
        return sd_bus_message_exit_container(msg);
}

static const char *const history_kinds[_HISTORY_KIND_MAX] = {
        [HISTORY_ACT] = "act",
        [HISTORY_EXTRA] = "extra",
        [HISTORY_MOOD] = "mood",
        [HISTORY_DATENIGHT] = "date_night",
        [HISTORY_ADVANCE] = "advance",
        [HISTORY_PROMISE_MADE] = "promise",
        [HISTORY_PROMISE_MOVED] = "promise",
        [HISTORY_PROMISE_RESOLVED] = "promise",
        [HISTORY_PAUSE] = "pause",
        [HISTORY_DATENIGHT_CHANGE] = "date_night_change",
};

static int append_iso(sd_bus_message *m, const char *key, int64_t t) {
        char buf[32];
        (void) format_iso_local((time_t) t, buf);
        return sd_bus_message_append(m, "{sv}", key, "s", buf);
}

static int append_text(sd_bus_message *m, const char *key, const char *text) {
        return text ? sd_bus_message_append(m, "{sv}", key, "s", text) : 0;
}

/* The fields of one entry after its date, kind, time and id. */
static int append_history_fields(sd_bus_message *m, const HistoryRow *h) {
        static const char *const outcomes[] = { "open", "done", "rerolled" };
        static const char *const events[] = { "made", "moved", NULL };
        int r = 0;
        switch (h->kind) {
        case HISTORY_ACT:
        case HISTORY_EXTRA:
                r = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}", "item", "t", (uint64_t) h->item_id, "title", "s",
                                          h->title ?: "", "private", "b", (int) h->private_, "outcome", "s",
                                          outcomes[h->status >= 0 && h->status < 3 ? h->status : 0]);
                if (r >= 0 && h->category >= 0)
                        r = sd_bus_message_append(m, "{sv}", "category", "s", category_to_string(h->category));
                if (r >= 0 && h->value > 0)
                        r = sd_bus_message_append(m, "{sv}", "response", "u", (uint32_t) h->value);
                if (r >= 0)
                        r = append_text(m, "note", h->note);
                return r;
        case HISTORY_MOOD:
                r = sd_bus_message_append(m, "{sv}{sv}", "mood", "u", (uint32_t) h->value, "last", "b",
                                          h->status != 0);
                return r < 0 ? r : append_text(m, "note", h->note);
        case HISTORY_DATENIGHT:
                r = sd_bus_message_append(m, "{sv}{sv}{sv}", "mode", "s", dn_mode_to_string((DnMode) h->value),
                                          "status", "s", dn_status_to_string((DnStatus) h->status), "moved", "b",
                                          (int) h->flag);
                if (r >= 0)
                        r = append_iso(m, "end", h->at + h->t1);
                if (r >= 0 && h->ref > 0)
                        r = sd_bus_message_append(m, "{sv}", "makeup_for", "t", (uint64_t) h->ref);
                return r;
        case HISTORY_ADVANCE:
                r = sd_bus_message_append(m, "{sv}{sv}", "by", "s", h->flag ? "partner" : "me", "accepted", "b",
                                          (int) h->flag2);
                if (r >= 0 && h->ref > 0)
                        r = sd_bus_message_append(m, "{sv}", "promise", "t", (uint64_t) h->ref);
                return r < 0 ? r : append_text(m, "note", h->note);
        case HISTORY_PROMISE_MADE:
        case HISTORY_PROMISE_MOVED:
        case HISTORY_PROMISE_RESOLVED: {
                const char *event = events[h->kind - HISTORY_PROMISE_MADE] ?:
                                    h->status == PROMISE_OPEN ? "reopened"
                                                              : promise_status_to_string((PromiseStatus) h->status);
                r = sd_bus_message_append(m, "{sv}{sv}", "event", "s", event, "status", "s",
                                          promise_status_to_string((PromiseStatus) h->status));
                if (r >= 0 && h->kind == HISTORY_PROMISE_MOVED) {
                        r = append_iso(m, "from", h->t1);
                        if (r >= 0)
                                r = append_iso(m, "to", h->t2);
                        if (r >= 0)
                                r = sd_bus_message_append(m, "{sv}", "by", "s", h->flag ? "partner" : "me");
                } else if (r >= 0)
                        r = append_iso(m, "due", h->t1);
                if (r >= 0 && h->kind == HISTORY_PROMISE_MADE && h->ref > 0)
                        r = sd_bus_message_append(m, "{sv}", "advance", "t", (uint64_t) h->ref);
                if (r >= 0)
                        r = append_text(m, "what", h->what);
                return r < 0 ? r : append_text(m, "where", h->where);
        }
        case HISTORY_DATENIGHT_CHANGE:
                return sd_bus_message_append(m, "{sv}{sv}", "from", "s", dn_status_to_string((DnStatus) h->value),
                                             "to", "s", dn_status_to_string((DnStatus) h->status));
        case HISTORY_PAUSE: {
                char until[16];
                (void) format_date(h->t1, until);
                return sd_bus_message_append(m, "{sv}", "until", "s", until);
        }
        default:
                return 0;
        }
}

static int append_history_entry(sd_bus_message *m, const HistoryRow *h) {
        char date[16];
        (void) format_date(h->day, date);
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}{sv}{sv}", "date", "s", date, "kind", "s", history_kinds[h->kind],
                                          "id", "t", (uint64_t) h->id);
        /* An act has a time once done; a pause has none. */
        bool timed = h->kind == HISTORY_ACT || h->kind == HISTORY_EXTRA ? h->status == ACT_DONE && h->at > 0
                                                                          : h->kind != HISTORY_PAUSE;
        if (r >= 0 && timed)
                r = append_iso(m, "time", h->at);
        if (r >= 0)
                r = append_history_fields(m, h);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int method_get_history(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        HistoryRow *rows = NULL;
        int64_t from_day = 0, to_day = 0, item_id = 0;
        bool truncated = false;
        size_t n = 0;
        int r = read_history_options(msg, local_day_of(manager_now()), &from_day, &to_day, &item_id, error);
        if (r < 0)
                return r;
        r = history_collect(m, from_day, to_day, item_id, &rows, &n, &truncated);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append_history_entry(reply, &rows[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "b", (int) truncated);
        history_rows_free(rows, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_stats(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(stats_done) Stats s = {};
        Manager *m = userdata;
        uint32_t weeks;
        int r = sd_bus_message_read(msg, "u", &weeks);
        if (r < 0)
                return r;
        if (weeks < 1 || weeks > STATS_WEEKS_MAX)
                return invalid(error, "weeks", "must be 1 to 520");
        r = stats_collect(m, manager_now(), (int) weeks, &s);
        if (r < 0)
                return reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_stats(reply, &s);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int property_get_count(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        Manager *m = userdata;
        int64_t n = 0;
        int r = store_item_count(m->store, streq(property, "MyItems") ? SIDE_MINE : SIDE_PARTNER, &n);
        if (r < 0)
                return reply_failure(m, r, "", error);
        return sd_bus_message_append(reply, "u", (uint32_t) n);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MyItems", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PartnerItems", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

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
        SD_BUS_METHOD_WITH_ARGS("GetStatus",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", status),
                                method_get_status, SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_METHOD_WITH_ARGS("ExportList",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_RESULT("u", items),
                                method_export_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportPartnerList",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_RESULT("a{sv}", summary),
                                method_import_partner_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportPartnerListWithOptions",
                                SD_BUS_ARGS("h", file, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", summary),
                                method_import_partner_list_with_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ReviewItem",
                                SD_BUS_ARGS("t", id, "s", review, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", result),
                                method_review_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ForgetPartnerList",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("u", forgotten),
                                method_forget_partner_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetSetting",
                                SD_BUS_ARGS("s", key, "s", value),
                                SD_BUS_RESULT("s", value),
                                method_set_setting, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RestartRamp",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("u", cap, "s", start, "s", widens),
                                method_restart_ramp, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetSettings",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{ss}", settings),
                                method_get_settings, SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_SIGNAL_WITH_ARGS("DailyAct",
                                SD_BUS_ARGS("s", date, "t", item, "s", title, "s", category, "b", private, "b", late),
                                0),
        SD_BUS_SIGNAL_WITH_ARGS("Lapse", SD_BUS_ARGS("s", since, "u", days), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PhaseChanged", SD_BUS_ARGS("s", old, "s", new), 0),
        SD_BUS_METHOD_WITH_ARGS("RecordAdvance",
                                SD_BUS_ARGS("s", by, "s", outcome, "a{sv}", options),
                                SD_BUS_RESULT("t", advance, "t", promise),
                                method_record_advance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ResolveWhen",
                                SD_BUS_ARGS("s", when),
                                SD_BUS_RESULT("a{sv}", result),
                                method_resolve_when, SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_SIGNAL_WITH_ARGS("PromiseSoon", SD_BUS_ARGS("t", id, "s", due, "s", what, "s", where), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PromiseDue", SD_BUS_ARGS("t", id, "s", due, "s", what, "s", where, "b", late), 0),
        SD_BUS_METHOD_WITH_ARGS("ListDateNights",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("aa{sv}", nights),
                                method_list_datenights, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetDateNightRule",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", rule),
                                method_get_datenight_rule, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetDateNightRule",
                                SD_BUS_ARGS("a{sv}", rule),
                                SD_BUS_NO_RESULT,
                                method_set_datenight_rule, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("MoveDateNight",
                                SD_BUS_ARGS("t", id, "s", when),
                                SD_BUS_RESULT("t", id),
                                method_move_datenight, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SkipDateNight",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT("t", id),
                                method_skip_datenight, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnskipDateNight",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT("t", id),
                                method_unskip_datenight, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("LogDateNight",
                                SD_BUS_ARGS("t", id, "s", outcome),
                                SD_BUS_RESULT("t", id),
                                method_log_datenight, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Away",
                                SD_BUS_ARGS("s", from, "s", to),
                                SD_BUS_RESULT("t", id),
                                method_away, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListAway",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("aa{sv}", periods),
                                method_list_away, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CancelAway",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT("a{sv}", cancelled),
                                method_cancel_away, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExportCalendar",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_NO_RESULT,
                                method_export_calendar, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("DateNightSoon", SD_BUS_ARGS("t", id, "s", start, "s", mode, "b", late), 0),
        SD_BUS_SIGNAL_WITH_ARGS("DateNight", SD_BUS_ARGS("t", id, "s", start, "s", mode, "b", late), 0),
        SD_BUS_METHOD_WITH_ARGS("GetHistory",
                                SD_BUS_ARGS("a{sv}", options),
                                SD_BUS_RESULT("aa{sv}", entries, "b", truncated),
                                method_get_history, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetStats",
                                SD_BUS_ARGS("u", weeks),
                                SD_BUS_RESULT("a{sv}", stats),
                                method_get_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

void bus_lists_changed(Manager *m) {
        int r = sd_bus_emit_properties_changed(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "MyItems",
                                               "PartnerItems", NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged: %m");
}

int bus_setup(Manager *m) {
        int r;

        r = sd_bus_error_add_map(closer_errors);
        if (r < 0)
                return log_error_errno(r, "Failed to add the error map: %m");
        r = sd_bus_add_object_vtable(m->bus, &m->vtable_slot, CLOSER_OBJECT_PATH, CLOSER_INTERFACE,
                                     manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to export the object: %m");
        return 0;
}
