/* SPDX-License-Identifier: MIT */
/*
 * bus-status.c: GetStatus, the settings (SetSetting, GetSettings,
 * RestartRamp) and ResolveWhen.
 */

#include "bus-util.h"
#include "datenight.h"
#include "echo.h"
#include "log.h"
#include "partner.h"
#include "promise.h"
#include "settings.h"
#include "follow.h"
#include "share.h"
#include "timeutil.h"
#include "when.h"

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

/* Each line, as "PREFIX: LINE". */
static int append_prefixed(sd_bus_message *reply, const char *prefix, char **lines, size_t n) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *w = NULL;
                r = asprintf(&w, "%s: %s", prefix, lines[i]) < 0 ? -ENOMEM : sd_bus_message_append(reply, "s", w);
        }
        return r;
}

/* Sharing's problems, a plan change of mine overruled in the last week, and
 * following's problems. */
static int append_share_warnings(Manager *m, sd_bus_message *reply, const FollowStatus *fs) {
        _cleanup_(share_status_clear) ShareStatus st = {};
        int r = share_status(m, &st);
        if (r >= 0)
                r = append_prefixed(reply, "sharing", st.problems, st.n_problems);
        for (size_t i = 0; r >= 0 && i < st.n_overruled; i++)
                r = sd_bus_message_append(reply, "s", st.overruled[i]);
        return r >= 0 ? append_prefixed(reply, "following my partner's list", fs->problems, fs->n_problems) : r;
}

/* followed (s: the folder my partner's list is followed in) and
 * followed_read (s, ISO 8601: when it was last read). */
static int append_follow(sd_bus_message *reply, const FollowStatus *fs) {
        char read[32] = "";
        if (!fs->enabled)
                return 0;
        int r = sd_bus_message_append(reply, "{sv}", "followed", "s", fs->dir);
        if (r >= 0 && fs->last_read > 0 && format_iso_local(fs->last_read, read) >= 0)
                r = sd_bus_message_append(reply, "{sv}", "followed_read", "s", read);
        return r;
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

/* What GetStatus reports, gathered before its reply is built. */
typedef struct StatusData {
        int64_t mine, partner, streak, rerolls;
        time_t next, next_night;
        CopyState copy;
        Practice p;
        char *progress;
} StatusData;

static int status_read(Manager *m, time_t now, StatusData *st) {
        int r;

        r = store_item_count(m->store, SIDE_MINE, &st->mine);
        if (r < 0)
                return r;
        r = store_item_count(m->store, SIDE_PARTNER, &st->partner);
        if (r < 0)
                return r;
        r = partner_copy_state(m, &st->copy);
        if (r < 0)
                return r;
        r = practice_load(m, now, &st->p);
        if (r < 0)
                return r;
        r = daily_streak(m, &st->p, &st->streak);
        if (r < 0)
                return r;
        r = store_act_rerolls(m->store, st->p.today, &st->rerolls);
        if (r < 0)
                return r;
        r = daily_phase_progress(m, now, &st->progress);
        if (r < 0)
                return r;
        r = next_daily_act(m, &st->p, now, &st->next);
        if (r < 0 && r != -ENOENT)
                return r;
        return next_date_night(m, now, &st->next_night);
}

static int method_get_status(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        time_t now = manager_now();
        _cleanup_(follow_status_clear) FollowStatus fs = {};
        StatusData st = {};
        int r = status_read(m, now, &st);
        _cleanup_free_ char *progress = st.progress;
        const Practice *p = &st.p;
        if (r >= 0)
                r = follow_status(m, &fs);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);

        char iso[32] = "", widen[16] = "";
        if (st.next > 0)
                (void) format_iso_local(st.next, iso);
        if (p->next_widen_day >= 0)
                (void) format_date(p->next_widen_day, widen);

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "phase", "s", phase_to_string(p->phase),
                                          "phase_progress", "s", progress ? progress : "",
                                          "start", "s", start_kind_to_string(p->start),
                                          "ramp_intensity", "u", (uint32_t) p->cap,
                                          "streak_days", "u", (uint32_t) st.streak,
                                          "my_items", "u", (uint32_t) st.mine,
                                          "partner_items", "u", (uint32_t) st.partner);
        if (r >= 0 && widen[0])
                r = sd_bus_message_append(reply, "{sv}", "ramp_widens", "s", widen);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "rerolls_today", "u", (uint32_t) st.rerolls);
        if (r >= 0 && iso[0])
                r = sd_bus_message_append(reply, "{sv}", "next_daily_act", "s", iso);
        if (r >= 0 && st.next_night > 0) {
                char dn_iso[32];
                (void) format_iso_local(st.next_night, dn_iso);
                r = sd_bus_message_append(reply, "{sv}", "next_date_night", "s", dn_iso);
        }
        if (r >= 0)
                r = append_follow(reply, &fs);
        if (r >= 0)
                r = bus_open_entry(reply, "warnings", "as");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        if (r >= 0 && st.partner < 30)
                r = sd_bus_message_append(reply, "s",
                                          st.partner > 0 ? "the partner list is short: the method asks for "
                                                           "30-50 items to start"
                                          : m->follow    ? "no partner list yet: the followed folder holds no "
                                                           "tasks"
                                          : m->share     ? "no partner list yet: my partner's closerd has not "
                                                           "shared one in the folder"
                                                         : "no partner list yet: import one with closerctl "
                                                           "partner import FILE");
        if (r >= 0 && st.copy == COPY_NEVER)
                r = sd_bus_message_append(reply, "s", "my partner has not got my list yet: closerctl list export");
        if (r >= 0 && st.copy == COPY_STALE)
                r = sd_bus_message_append(reply, "s",
                                          "my list changed since my last export: my partner's copy is stale "
                                          "(closerctl list export FILE)");
        if (r >= 0 && p->lapse) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "lapse: nothing done for %" PRIi64 " days; don't fall back into old habits",
                             p->today - p->lapse_since - 1) < 0)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "s", w);
        }
        if (r >= 0)
                r = append_share_warnings(m, reply, &fs);
        if (r >= 0)
                r = append_overdue_warnings(m, reply, now);
        if (r >= 0)
                r = append_datenight_warnings(m, reply, now);
        if (r >= 0 && p->paused) {
                char until[16];
                _cleanup_free_ char *w = NULL;
                (void) format_date(p->paused_until, until);
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
                return bus_invalid(error, key, reason);
        if (r < 0)
                return r;
        r = settings_change(m, key, value);
        /* The reminder is part of the couple's plan (datenight.h). */
        if (r > 0 && streq(key, "datenight.remind"))
                r = datenight_record_rule(m);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "s", value);
}

static int method_restart_ramp(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Practice p;
        char widen[16] = "";
        int r = daily_ramp_restart(m, manager_now(), &p);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
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
                r = settings_get_string(m->store, t[i].key, t[i].default_value, &v);
                if (r < 0)
                        return bus_reply_failure(m, r, "", error);
                r = sd_bus_message_append(reply, "{ss}", t[i].key, v);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
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

const sd_bus_vtable bus_status_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("GetStatus",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", status),
                                method_get_status, SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_METHOD_WITH_ARGS("ResolveWhen",
                                SD_BUS_ARGS("s", when),
                                SD_BUS_RESULT("a{sv}", result),
                                method_resolve_when, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
