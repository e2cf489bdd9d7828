/* SPDX-License-Identifier: MIT */
/*
 * bus-datenight.c: date nights: ListDateNights, Get/SetDateNightRule,
 * Move/Skip/Unskip/LogDateNight, Away, ListAway, CancelAway, ExportCalendar,
 * GetCalendar.
 */

#include "bus-dict.h"
#include "bus-util.h"
#include "datenight.h"
#include "dncal.h"
#include "dnvdir.h"
#include "log.h"
#include "timeutil.h"

/* --- date nights --- */

int bus_append_datenight(sd_bus_message *reply, const DateNight *d) {
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

static int append_datenight_item(sd_bus_message *reply, const void *item) {
        return bus_append_datenight(reply, item);
}

static int method_list_datenights(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DateNight *d = NULL;
        size_t n = 0;
        int r = datenight_list(m, manager_now(), &d, &n);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = bus_reply_dicts(msg, d, n, sizeof(DateNight), append_datenight_item);
        datenight_array_free(d, n);
        return r;
}

static int method_get_datenight_rule(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DnRule rule;
        char time[8], duration[32], days[32] = "";
        int r = datenight_rule(m, &rule);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        format_hhmm(rule.minute, time);
        (void) format_duration(rule.duration, duration);
        format_weekdays(rule.weekdays_mask, days);
        /* Set by my partner in another zone: its times are that zone's. */
        char zone[LOCAL_ZONE_MAX];
        r = datenight_foreign_zone(m, zone);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "a{sv}", r > 0 ? 6 : 5,
                                          "vary", "b", (int) rule.vary,
                                          "weekday", "s", weekday_to_string(rule.weekday),
                                          "weekdays", "s", days,
                                          "time", "s", time,
                                          "duration", "s", duration,
                                          "zone", "s", zone);
}

static int parse_weekday_field(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        DnRule *rule = target;
        int wd = parse_weekday(v->s);
        if (wd < 0)
                return bus_invalid(error, f->key, "must be a weekday: mon, tue, ... sun");
        rule->weekday = wd;
        rule->vary = false;
        return 0;
}

static int parse_weekdays_field(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        DnRule *rule = target;
        if (parse_weekdays(v->s, &rule->weekdays_mask) < 0)
                return bus_invalid(error, f->key, "must be weekdays separated by commas, e.g. fri,sat,sun");
        rule->vary = true;
        return 0;
}

static int parse_time_field(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        if (parse_hhmm(v->s, &((DnRule *) target)->minute) < 0)
                return bus_invalid(error, f->key, "must be a time HH:MM, e.g. 20:00");
        return 0;
}

static int parse_duration_field(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        int64_t *d = &((DnRule *) target)->duration;
        if (parse_duration(v->s, d) < 0 || *d > 24 * 3600)
                return bus_invalid(error, f->key, "must be a duration up to 24h, e.g. 3h or 90min");
        return 0;
}

/* SetDateNightRule's fields, applied in the order given: weekday and
 * weekdays also say whether the night varies. */
static const BusField rule_fields[] = {
        { "weekday", 's', parse_weekday_field, 0 },
        { "weekdays", 's', parse_weekdays_field, 0 },
        BUS_FIELD("vary", 'b', NULL, DnRule, vary),
        { "time", 's', parse_time_field, 0 },
        { "duration", 's', parse_duration_field, 0 },
};

static int method_set_datenight_rule(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        DnRule rule;
        uint64_t seen;
        int r = datenight_rule(m, &rule);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = BUS_READ_DICT(msg, rule_fields, &rule, &seen, error);
        if (r < 0)
                return r;
        if (!seen)
                return bus_invalid(error, "rule", "must name at least one field");
        r = datenight_set_rule(m, manager_now(), &rule);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
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
        return bus_reply_failure(m, r, "", error);
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
                return bus_invalid(error, "id", "must be a date night ID, or 0 for the next one");
        r = bus_read_when("when", when, now, &start, error);
        if (r < 0)
                return r;
        r = datenight_move(m, now, (int64_t) id, start, &done_id);
        if (r < 0)
                return datenight_failure(m, r, id, error);
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
                return bus_invalid(error, "id", unskip ? "must be a date night ID, or 0 for the next skipped one"
                                                   : "must be a date night ID, or 0 for the next one");
        r = (unskip ? datenight_unskip : datenight_skip)(m, manager_now(), (int64_t) id, &done_id);
        if (r == -ENOENT && id == 0 && unskip)
                return sd_bus_error_set(error, ERROR_NO_SUCH_ITEM, "no skipped date night ahead: see closerctl datenight");
        if (r < 0)
                return datenight_failure(m, r, id, error);
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
                return bus_invalid(error, "id", "must be a date night ID, or 0 for the latest");
        if (!streq(outcome, "happened") && !streq(outcome, "missed"))
                return bus_invalid(error, "outcome", "must be 'happened' or 'missed'");
        r = datenight_log(m, manager_now(), (int64_t) id, dn_status_from_string(outcome), &done_id);
        if (r < 0)
                return datenight_failure(m, r, id, error);
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
                return bus_invalid(error, "from", "must be a date YYYY-MM-DD");
        if (parse_date(to, &to_day) < 0)
                return bus_invalid(error, "to", "must be a date YYYY-MM-DD");
        if (to_day < from_day)
                return bus_invalid(error, "to", "is before from");
        if (to_day - from_day > 366)
                return bus_invalid(error, "to", "is more than a year after from");
        int64_t id = 0;
        r = datenight_away(m, manager_now(), from_day, to_day, &id);
        if (r == -ERANGE)
                return bus_invalid(error, "to", "is in the past");
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
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
                return bus_reply_failure(m, r, "", error);
        return bus_reply_dicts(msg, a, n, sizeof(AwayInfo), append_away_item);
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
                return bus_invalid(error, "id", "must be an away period ID (see closerctl away)");
        r = datenight_away_cancel(m, manager_now(), (int64_t) id, &a);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no away period %" PRIu64 " (see closerctl away)", id);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
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
                return bus_reply_failure(m, r, "", error);
        r = bus_write_fd(fd, text, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, NULL);
}

static void export_calendar_rendered(Manager *m, int r, const char *text, void *userdata) {
        Deferred *d = userdata;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = export_calendar_finish(m, r, text, d->msg, d->fd, &error);
        bus_deferred_end(d, r, &error);
}

/* The last text when the calendar is the same, else rendered by the
 * helper and written when it is done. */
static int method_export_calendar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *text = NULL;
        int fd = -1, r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        Deferred *d = bus_deferred_new(msg, fd);
        if (!d)
                return -ENOMEM;
        r = dncal_text(m, manager_now(), &text, export_calendar_rendered, d);
        if (r == 0)
                return 1;
        bus_deferred_free(d);
        return export_calendar_finish(m, r, text, msg, fd, error);
}

/* The vdir of the calendar (dnvdir.h) and the single file. */
static int method_get_calendar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *file = NULL;
        DnVdirStatus st = {};
        char last[32] = "";
        int r = dnvdir_status(m, &st);
        if (r < 0) {
                dnvdir_status_clear(&st);
                return bus_reply_failure(m, r, "", error);
        }
        if (st.last_write > 0)
                (void) format_iso_local(st.last_write, last);
        if (asprintf(&file, "%s/datenights.ics", m->data_dir) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "path", "s", st.path, "events", "u", st.events,
                                          "file", "s", file);
        if (r >= 0 && last[0])
                r = sd_bus_message_append(reply, "{sv}", "last_write", "s", last);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        dnvdir_status_clear(&st);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable bus_datenight_vtable[] = {
        SD_BUS_VTABLE_START(0),
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
        SD_BUS_METHOD_WITH_ARGS("GetCalendar",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", calendar),
                                method_get_calendar, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
