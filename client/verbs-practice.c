/* SPDX-License-Identifier: MIT */
/* closerctl: the daily practice and its settings: status, today, done, reroll, extra, mood, pause, resume, ramp restart, set, get. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "replies.h"
#include "verbs-practice.h"

static const char *const STATUS_NULLS[] = { "phase", "ramp_intensity", "streak_days", "partner_items",
                                             "my_items", "next_daily_act", "next_date_night", NULL };

int verb_status(int argc, char **argv) {
        _cleanup_json_ json_object *j = NULL;
        StatusInfo st = {};
        int r = call_json("GetStatus", &j, NULL);
        if (r < 0)
                return r;
        if (arg.json) {
                json_fill_nulls(j, STATUS_NULLS);
                if (!json_object_object_get_ex(j, "warnings", NULL))
                        json_object_object_add(j, "warnings", json_object_new_array());
                return print_json(j);
        }
        (void) bus_map_reply(j, status_map, &st);
        if (st.phase) {
                printf("%sPhase:%s       %s", BOLD, RESET, st.phase);
                if (st.ramp_intensity > 0)
                        printf(" (intensity cap %" PRIi64 ")", st.ramp_intensity);
                putchar('\n');
                if (st.ramp_widens)
                        printf("%sRamp:%s        start %s; the cap widens on %s\n", BOLD, RESET, st.start ?: "",
                               human_date(st.ramp_widens));
                else if (st.start)
                        printf("%sRamp:%s        start %s; the whole list is in play\n", BOLD, RESET, st.start);
        }
        if (st.phase_progress)
                printf("             %s\n", st.phase_progress);
        if (st.has_streak_days)
                printf("%sStreak:%s      %" PRIi64 " day%s\n", BOLD, RESET, st.streak_days, st.streak_days == 1 ? "" : "s");
        printf("%sMy list:%s     %" PRIi64 " items\n", BOLD, RESET, st.my_items);
        printf("%sPartner:%s     %" PRIi64 " items\n", BOLD, RESET, st.partner_items);
        if (st.followed)
                printf("%sFollowing:%s   %s, read %s\n", BOLD, RESET, st.followed,
                       st.followed_read ? human_time(st.followed_read) : "not yet");
        if (st.next_daily_act)
                printf("%sNext act:%s    %s\n", BOLD, RESET, human_time(st.next_daily_act));
        /* Rerolls are unlimited, and visible. */
        if (st.rerolls_today > 0)
                printf("%sRerolls:%s     %" PRIi64 " reroll%s today\n", BOLD, RESET, st.rerolls_today,
                       st.rerolls_today == 1 ? "" : "s");
        if (st.has_next_date_night)
                printf("%sDate night:%s  %s\n", BOLD, RESET,
                       st.next_date_night ? human_time(st.next_date_night) : "none planned");
        for (size_t i = 0; i < bus_list_length(st.warnings); i++)
                printf("%s%s!%s %s\n", YELLOW, BOLD, RESET,
                       json_object_get_string(json_object_array_get_idx(st.warnings, i)));
        return 0;
}

int verb_ramp_restart(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *start, *widens;
        uint32_t cap;
        int r = call("RestartRamp", &reply, NULL);
        if (r >= 0 && sd_bus_message_read(reply, "uss", &cap, &start, &widens) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("intensity_cap", json_object_new_int64(cap), "start", json_object_new_string(start),
                                        "widens", widens[0] ? json_object_new_string(widens) : NULL, PAIRS_END);
        if (widens[0])
                printf("The ramp starts again today (start %s): intensity up to %" PRIu32
                       "; it widens again on %s.\n", start, cap, human_date(widens));
        else
                printf("Start %s has no ramp: the whole list is in play (closerctl set start cold|cooling).\n",
                       start);
        return 0;
}

int verb_set(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *old = setting_value(argv[1]);
        const char *v;
        int r = call("SetSetting", &reply, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &v);
        if (r < 0)
                return r;
        /* closerd changes nothing for the same value (the ramp does not restart). */
        bool changed = !old || !streq(old, v);
        if (arg.json)
                return print_json_pairs(argv[1], json_object_new_string(v), "changed", json_object_new_boolean(changed),
                                        PAIRS_END);
        if (!changed)
                printf("%s is already %s%s\n", argv[1], v,
                       streq(argv[1], "start") ? " (closerctl ramp restart starts the ramp again)" : "");
        else
                printf("%s = %s\n", argv[1], v);
        return 0;
}

int verb_get(int argc, char **argv) {
        /* The settings are a dictionary of their own (a{ss}): read as one. */
        _cleanup_json_ json_object *all = NULL;
        int r = call_json("GetSettings", &all, NULL);
        if (r < 0)
                return r;
        if (argc > 1) {
                json_object *v;
                if (!json_object_object_get_ex(all, argv[1], &v))
                        return fail("unknown setting '%.*s%s' (closerctl get lists them)", ECHO(argv[1]));
                if (arg.json)
                        return print_json_pairs(argv[1], json_object_get(v), PAIRS_END);
                puts(json_object_get_string(v));
                return 0;
        }
        if (arg.json)
                return print_json(all);
        for (struct json_object_iterator it = json_object_iter_begin(all), end = json_object_iter_end(all);
             !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                printf("%-17s %s\n", json_object_iter_peek_name(&it),
                       json_object_get_string(json_object_iter_peek_value(&it)));
        return 0;
}

/* --- the daily practice --- */

/* --response, --mood and --note as the a{sv} of Done/AddExtra/AddMood. */
static int append_observation(sd_bus_message *m) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        const char *const names[] = { "response", "mood" };
        const char *const values[] = { arg.response, arg.mood };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(names); i++) {
                uint64_t v;
                if (!values[i])
                        continue;
                if (parse_uint(values[i], UINT32_MAX, &v) < 0)
                        return usage_error("--%s must be a number from 1 to 5, not '%.*s%s'", names[i], ECHO(values[i]));
                r = sd_bus_message_append(m, "{sv}", names[i], "u", (uint32_t) v);
        }
        if (r >= 0 && arg.note)
                r = sd_bus_message_append(m, "{sv}", "note", "s", arg.note);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

static const char *const ACT_NULLS[] = { "twist", NULL };
static const char *const TODAY_NULLS[] = { "act", "date_night", NULL };

static void print_act(json_object *j, const char *label) {
        ActInfo act = {};
        (void) bus_map_reply(j, act_map, &act);
        printf("%s%s%s %s%s\n", BOLD, label, RESET, act.title ?: "", act.private ? " (private)" : "");
        printf("   %s%s, intensity %" PRIi64 ", item %" PRIi64 "%s\n", DIM, act.category ?: "", act.intensity,
               act.item, RESET);
        if (act.twist)
                printf("   twist: %s\n", act.twist);
        if (act.done) {
                printf("   %sdone%s", BOLD, RESET);
                if (act.response > 0)
                        printf(", response %" PRIi64 "/5", act.response);
                if (act.note)
                        printf(", note: %s", act.note);
                putchar('\n');
        } else
                printf("   %swhen done: closerctl done --response 1-5; another: closerctl reroll%s\n", DIM, RESET);
}

int verb_today(int argc, char **argv) {
        _cleanup_json_ json_object *t = NULL;
        TodayInfo today = {};
        int r = call_json("GetToday", &t, NULL);
        if (r < 0)
                return r;
        (void) bus_map_reply(t, today_map, &today);
        hide_private(today.act);
        hide_private_each(today.done_for_me);
        if (arg.json) {
                json_fill_nulls(t, TODAY_NULLS);
                if (today.act)
                        json_fill_nulls(today.act, ACT_NULLS);
                /* GetToday leaves empty lists out. */
                const char *const lists[] = { "promises", "makeups", "unlogged", "done_for_me" };
                for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                        if (!json_object_object_get_ex(t, lists[i], NULL))
                                json_object_object_add(t, lists[i], json_object_new_array());
                return print_json(t);
        }
        printf("%sToday, %s%s\n", BOLD, human_date(today.date) ?: "", RESET);
        if (today.paused_until)
                printf("The practice is paused until %s.\n", human_date(today.paused_until));
        if (today.act)
                print_act(today.act, "Act:");
        else
                printf("%sNo act today:%s %s\n", BOLD, RESET, today.no_act ?: "nothing to pick");
        DateNightInfo dn = {};
        if (bus_map_reply(today.date_night, datenight_map, &dn) >= 0)
                printf("%sDate night:%s %s-%s (%s)\n", BOLD, RESET, human_time(dn.start) ?: "",
                       human_clock(dn.end) ?: "", dn.mode ?: "");
        for (size_t i = 0; i < bus_list_length(today.done_for_me); i++)
                printf("%s%s did for you today:%s %s\n", BOLD, partner_name(), RESET,
                       jstr(json_object_array_get_idx(today.done_for_me, i), "title") ?: "");
        for (size_t i = 0; i < bus_list_length(today.promises); i++) {
                PromiseInfo pr = {};
                (void) bus_map_entry(today.promises, i, promise_map, &pr);
                /* One my partner owes me is still to come, not overdue of mine. */
                bool owed_to_me = streq_ptr(pr.owed_by, "partner");
                char label[160] = "Rain check";
                if (owed_to_me)
                        (void) snprintf(label, sizeof(label), "%s's rain check", partner_name());
                printf("%s%s%s %" PRIi64 ":%s %s%s%s%s\n", YELLOW, BOLD, label, pr.id, RESET, human_time(pr.due) ?: "",
                       pr.overdue ? (owed_to_me ? " (still to come)" : " (overdue)") : "", pr.what ? ", " : "",
                       pr.what ?: "");
        }
        return 0;
}

int verb_done(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r = new_call("Done", &m);
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *d = NULL;
        DoneResult done = {};
        r = reply_json(reply, &d);
        if (r < 0)
                return r;
        if (arg.json) {
                json_object_object_add(d, "done", json_object_new_boolean(true));
                return print_json(d);
        }
        (void) bus_map_reply(d, done_result_map, &done);
        int64_t before = done.previous_response, now = done.response;
        if (!done.again)
                puts("Done. Keep observing how it lands.");
        else if (before > 0 && now != before)
                printf("Response changed from %" PRIi64 " to %" PRIi64 ".\n", before, now);
        else if (now > 0 && !before)
                printf("Already done; response %" PRIi64 " recorded.\n", now);
        else
                puts("Already done today; nothing else changed.");
        return 0;
}

int verb_reroll(int argc, char **argv) {
        _cleanup_json_ json_object *act = NULL;
        int r = call_json("Reroll", &act, NULL);
        if (r < 0)
                return r;
        hide_private(act);
        if (arg.json) {
                json_fill_nulls(act, ACT_NULLS);
                return print_json(act);
        }
        print_act(act, "Another act:");
        return 0;
}

int verb_extra(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id;
        if (arg.mood)
                return usage_error("extra does not take --mood (see closerctl mood)");
        int r = new_call("AddExtra", &m);
        if (r >= 0) {
                r = sd_bus_message_append(m, "s", argv[1]);
                if (r < 0)
                        append_failed(r);
        }
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        puts("Noted: an extra moment today.");
        return 0;
}

int verb_mood(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t v;
        if (parse_uint(argv[1], UINT32_MAX, &v) < 0)
                return usage_error("mood must be a number from 1 to 5, not '%.*s%s'", ECHO(argv[1]));
        int r = new_call("AddMood", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "u", (uint32_t) v);
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("mood", json_object_new_int64((int64_t) v), PAIRS_END);
        printf("Mood %" PRIu64 "/5 noted for today.\n", v);
        return 0;
}

int verb_pause(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (!arg.until)
                return usage_error("pause needs --until DATE (YYYY-MM-DD)");
        int r = call("Pause", &reply, "s", arg.until);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("paused_until", json_object_new_string(arg.until), PAIRS_END);
        printf("Paused until %s: no daily act and no lapse until then; the streak is kept.\n", arg.until);
        return 0;
}

int verb_resume(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("Resume", &reply, NULL);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("paused", json_object_new_boolean(false), PAIRS_END);
        puts("Resumed.");
        return 0;
}
