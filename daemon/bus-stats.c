/* SPDX-License-Identifier: MIT */
/*
 * bus-stats.c: GetStats and GetHistory.
 */

#include "bus-dict.h"
#include "bus-util.h"
#include "echo.h"
#include "history.h"
#include "macro.h"
#include "promise.h"
#include "stats.h"
#include "timeutil.h"

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
        int r = bus_open_records(m, key);
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
        return r < 0 ? r : bus_close_records(m);
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
                r = bus_open_records(m, "days");
        for (size_t i = 0; r >= 0 && i < s->n_days; i++) {
                const StatsDay *d = &s->days[i];
                r = append_bucket(m, "date", d->day, d->acts, d->mood_sum, d->moods, d->response_sum, d->responses,
                                  NULL);
        }
        if (r >= 0)
                r = bus_close_records(m);
        if (r >= 0)
                r = bus_open_records(m, "weekly");
        for (int i = 0; r >= 0 && i < s->weeks; i++) {
                const StatsWeek *w = &s->week[i];
                r = append_bucket(m, "week", w->monday, w->acts, w->mood_sum, w->moods, w->response_sum, w->responses,
                                  NULL);
        }
        if (r >= 0)
                r = bus_close_records(m);
        if (r >= 0)
                r = bus_open_records(m, "monthly");
        for (size_t i = 0; r >= 0 && i < s->n_months; i++) {
                const StatsMonth *x = &s->month[i];
                r = append_bucket(m, "month", x->first, x->acts, x->mood_sum, x->moods, x->response_sum, x->responses,
                                  x);
        }
        if (r >= 0)
                r = bus_close_records(m);
        if (r >= 0)
                r = append_stats_items(m, "top_items", s->items, s->n_items, true, 5);
        if (r >= 0)
                r = append_stats_items(m, "flat_items", s->items, s->n_items, false, 5);
        if (r >= 0)
                r = bus_open_records(m, "categories");
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
                r = bus_close_records(m);
        const int64_t (*dn)[4] = s->datenights;
        int64_t happened = dn[0][1] + dn[1][1] + dn[2][1], missed = dn[0][2] + dn[1][2] + dn[2][2];
        int64_t skipped = dn[0][3] + dn[1][3] + dn[2][3], planned = dn[0][0] + dn[1][0] + dn[2][0];
        if (r >= 0)
                r = bus_open_entry(m, "date_nights", "a{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}", 6,
                                          "happened", "u", (uint32_t) happened,
                                          "remote", "u", (uint32_t) (dn[1][0] + dn[1][1] + dn[1][2]),
                                          "makeup", "u", (uint32_t) (dn[2][0] + dn[2][1] + dn[2][2]),
                                          "missed", "u", (uint32_t) missed,
                                          "skipped", "u", (uint32_t) skipped,
                                          "unlogged", "u", (uint32_t) planned);
        if (r >= 0)
                r = bus_close_entry(m);
        const PromiseCounters *p = &s->promises;
        /* The ones I owe, then the ones owed to me: the same figures. */
        for (int side = 0; side < 2; side++) {
                const PromiseSide *c = side == 0 ? &p->mine : &p->owed_to_me;
                if (r >= 0)
                        r = bus_open_entry(m, side == 0 ? "promises" : "promises_owed_to_me", "a{sv}");
                if (r >= 0)
                        r = sd_bus_message_append(m, "a{sv}", 6,
                                                  "kept", "u", (uint32_t) c->kept,
                                                  "broken", "u", (uint32_t) c->broken,
                                                  "open", "u", (uint32_t) c->open,
                                                  "moved_by_me", "u", (uint32_t) c->moved_by_me,
                                                  "moved_by_partner", "u", (uint32_t) c->moved_by_partner,
                                                  "kept_on_time", "u", (uint32_t) c->kept_on_time);
                if (r >= 0)
                        r = bus_close_entry(m);
        }
        if (r >= 0)
                r = bus_open_entry(m, "initiations", "a{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}", 4,
                                          "by_me", "u", (uint32_t) p->advances_by_me,
                                          "by_me_accepted", "u", (uint32_t) p->advances_by_me_accepted,
                                          "by_partner", "u", (uint32_t) p->advances_by_partner,
                                          "by_partner_accepted", "u", (uint32_t) p->advances_by_partner_accepted);
        if (r >= 0)
                r = bus_close_entry(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* --- history --- */

/* GetHistory's options: since, until (YYYY-MM-DD), item. */
typedef struct HistoryOptions {
        int64_t from_day, to_day, item_id;
} HistoryOptions;

static int parse_day(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        if (parse_date(v->s, bus_field_ptr(f, target)) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be a date YYYY-MM-DD, not '%.*s%s'",
                                         f->key, ECHO(v->s));
        return 0;
}

static int parse_item_id(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        if (v->x <= 0)
                return bus_invalid(error, f->key, "must be a positive item ID");
        *(int64_t *) bus_field_ptr(f, target) = v->x;
        return 0;
}

static const BusField history_fields[] = {
        BUS_FIELD("since", 's', parse_day, HistoryOptions, from_day),
        BUS_FIELD("until", 's', parse_day, HistoryOptions, to_day),
        BUS_FIELD("item", 'x', parse_item_id, HistoryOptions, item_id),
};

static int read_history_options(sd_bus_message *msg, int64_t today, HistoryOptions *o, sd_bus_error *error) {
        uint64_t seen;
        *o = (HistoryOptions){ .to_day = today };
        int r = BUS_READ_DICT(msg, history_fields, o, &seen, error);
        if (r < 0)
                return r;
        if (!(seen & 1))
                o->from_day = o->to_day - (HISTORY_DAYS_DEFAULT - 1);
        if (o->from_day > o->to_day)
                return bus_invalid(error, "since", "is after until");
        if (o->to_day - o->from_day >= HISTORY_DAYS_MAX)
                return bus_invalid(error, "since", "is more than 10 years (3660 days) before until");
        return 0;
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
        HistoryOptions o;
        bool truncated = false;
        size_t n = 0;
        int r = read_history_options(msg, local_day_of(manager_now()), &o, error);
        if (r < 0)
                return r;
        r = history_collect(m, o.from_day, o.to_day, o.item_id, &rows, &n, &truncated);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
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
        _cleanup_(stats_clear) Stats s = {};
        Manager *m = userdata;
        uint32_t weeks;
        int r = sd_bus_message_read(msg, "u", &weeks);
        if (r < 0)
                return r;
        if (weeks < 1 || weeks > STATS_WEEKS_MAX)
                return bus_invalid(error, "weeks", "must be 1 to 520");
        r = stats_collect(m, manager_now(), (int) weeks, &s);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_stats(reply, &s);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable bus_stats_vtable[] = {
        SD_BUS_VTABLE_START(0),
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
