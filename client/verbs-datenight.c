/* SPDX-License-Identifier: MIT */
/* closerctl: date nights and time apart: datenight ..., away ..., export-ics. */
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
#include "verbs-datenight.h"

/* --- date nights --- */

static void print_datenight(const DateNightInfo *d) {
        const char *st = d->status ?: "";
        char when[64];
        /* "2026-11-27T20:00:00+01:00" as "Fri 27 Nov 20:00-23:00". */
        (void) snprintf(when, sizeof(when), "%s-%s", human_time(d->start) ?: "", human_clock(d->end) ?: "");
        printf("%4" PRIi64 "  %-27s  %-9s  %s%-8s%s", d->id, when, d->mode ?: "", streq(st, "skipped") ? DIM : "",
               st, streq(st, "skipped") ? RESET : "");
        if (d->moved)
                printf("  moved");
        if (d->makeup_for > 0)
                printf("  makes up for %" PRIi64, d->makeup_for);
        putchar('\n');
}

int verb_datenight(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *rule_reply = NULL;
        _cleanup_json_ json_object *all = NULL;
        DateNightRule rule = {};
        int r = call_json("ListDateNights", &all, NULL);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json(all);
        r = call("GetDateNightRule", &rule_reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *rj = reply_to_json(rule_reply);
        if (bus_map_reply(rj, datenight_rule_map, &rule) >= 0) {
                const char *zone = jstr(rj, "zone");
                if (rule.vary)
                        printf("Date night: varied over %s at %s%s%s for %s.\n", rule.weekdays ?: "", rule.time ?: "",
                               zone ? " " : "", zone ?: "", rule.duration ?: "");
                else
                        printf("Date night: every %s at %s%s%s for %s.\n", rule.weekday ?: "", rule.time ?: "",
                               zone ? " " : "", zone ?: "", rule.duration ?: "");
        }
        printf("%s%4s  %-27s  %-9s  %-8s%s\n", BOLD, "ID", "WHEN", "MODE", "STATUS", RESET);
        for (size_t i = 0; i < bus_list_length(all); i++) {
                DateNightInfo d = {};
                (void) bus_map_entry(all, i, datenight_map, &d);
                print_datenight(&d);
        }
        return 0;
}

int verb_datenight_set(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        if (arg.weekday && (arg.vary || arg.weekdays))
                return usage_error("datenight set takes --weekday D or --vary [--weekdays D,D], not both");
        if (!(arg.given & (OPT_WEEKDAY | OPT_TIME | OPT_VARY | OPT_WEEKDAYS | OPT_DURATION)))
                return usage_error("datenight set needs --weekday D --time HH:MM, or --vary [--weekdays D,D]");
        int r = new_call("SetDateNightRule", &m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && arg.weekday)
                r = sd_bus_message_append(m, "{sv}", "weekday", "s", arg.weekday);
        if (r >= 0 && arg.vary)
                r = sd_bus_message_append(m, "{sv}", "vary", "b", 1);
        if (r >= 0 && arg.weekdays)
                r = sd_bus_message_append(m, "{sv}", "weekdays", "s", arg.weekdays);
        if (r >= 0 && arg.time)
                r = sd_bus_message_append(m, "{sv}", "time", "s", arg.time);
        if (r >= 0 && arg.duration)
                r = sd_bus_message_append(m, "{sv}", "duration", "s", arg.duration);
        r = close_and_send(m, r, &reply);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("set", json_object_new_boolean(true), PAIRS_END);
        puts("Date night set; the coming nights not moved by hand are planned anew (closerctl datenight).");
        return 0;
}


static int print_datenight_done(const char *what, uint64_t id) {
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "result", json_object_new_string(what), PAIRS_END);
        printf("Date night %" PRIu64 " %s.\n", id, what);
        return 0;
}

int verb_datenight_move(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        int first = 1;
        if (argc > 2 && all_digits(argv[1])) {
                if (parse_uint(argv[1], INT64_MAX, &id) < 0)
                        return usage_error("'%.*s%s' is not a date night ID", ECHO(argv[1]));
                first = 2;
        }
        _cleanup_(freep) char *when = join_words(argc - first, argv + first);
        _cleanup_(when_clear) When w = {};
        if (!when)
                return fail("out of memory");
        int r = resolve_when("when", when, &w);
        if (r >= 0)
                r = call("MoveDateNight", &reply, "ts", id, w.instant);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        if (r < 0)
                return r;
        if (arg.json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_int64((int64_t) done));
                json_object_object_add(j, "result", json_object_new_string("moved"));
                json_add_when(j, "start", &w);
                return print_json(j);
        }
        char what[64];
        (void) snprintf(what, sizeof(what), "Date night %" PRIu64 " moved to", done);
        print_resolved(what, &w);
        return 0;
}


/* datenight skip|unskip [ID]: method takes the ID (0: the next one). */
static int datenight_by_id(int argc, char **argv, const char *method, const char *what) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        int r = argc > 1 ? parse_id(argv[1], "a date night ID", "datenight", &id) : 0;
        if (r >= 0)
                r = call(method, &reply, "t", id);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        return r < 0 ? r : print_datenight_done(what, done);
}

int verb_datenight_skip(int argc, char **argv) {
        return datenight_by_id(argc, argv, "SkipDateNight", "skipped");
}

int verb_datenight_unskip(int argc, char **argv) {
        return datenight_by_id(argc, argv, "UnskipDateNight", "planned again");
}

int verb_datenight_log(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        const char *outcome = argv[argc - 1];
        if (argc > 2 && (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0))
                return usage_error("'%.*s%s' is not a date night ID (see closerctl datenight)", ECHO(argv[1]));
        int r = call("LogDateNight", &reply, "ts", id, outcome);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        if (r < 0)
                return r;
        return print_datenight_done(streq(outcome, "happened") ? "happened" : "missed", done);
}


static int verb_away_list(void) {
        _cleanup_json_ json_object *all = NULL;
        int r = call_json("ListAway", &all, NULL);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json(all);
        size_t n = bus_list_length(all);
        if (n == 0) {
                puts("No time apart recorded. closerctl away FROM TO records some.");
                return 0;
        }
        printf("%s%4s  %-14s  %-14s  %6s  %8s%s\n", BOLD, "ID", "FROM", "TO", "NIGHTS", "MAKE-UPS", RESET);
        for (size_t i = 0; i < n; i++) {
                AwayInfo a = {};
                (void) bus_map_entry(all, i, away_map, &a);
                char from[32];
                (void) snprintf(from, sizeof(from), "%s", human_date(a.from) ?: "");
                printf("%4" PRIi64 "  %-14s  %-14s  %6" PRIi64 "  %8" PRIi64 "\n", a.id, from, human_date(a.to) ?: "",
                       a.nights, a.makeups);
        }
        return 0;
}

int verb_away(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id;
        if (argc == 1)
                return verb_away_list();
        if (argc != 3)
                return usage_error("away takes FROM TO (YYYY-MM-DD), or nothing to list the periods");
        int r = call("Away", &reply, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "from", json_object_new_string(argv[1]),
                                        "to", json_object_new_string(argv[2]), PAIRS_END);
        printf("Away period %" PRIu64 ": apart from %s to %s. Date nights in between are by phone,\n"
               "and each is made up in person from the evening after %s on (closerctl datenight).\n",
               id, argv[1], argv[2], argv[2]);
        return 0;
}

int verb_away_cancel(int argc, char **argv) {
        _cleanup_json_ json_object *j = NULL;
        AwayInfo a = {};
        uint64_t id;
        int r = parse_id(argv[1], "an away period ID", "away", &id);
        if (r >= 0)
                r = call_json("CancelAway", &j, "t", id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json(j);
        (void) bus_map_reply(j, away_map, &a);
        int64_t nights = a.nights, makeups = a.makeups;
        printf("Away period %" PRIu64 " cancelled: %" PRIi64 " date %s in person again, %" PRIi64 " %s no longer owed.\n",
               id, nights, plural(nights, "night", "nights"), makeups, plural(makeups, "make-up", "make-ups"));
        return 0;
}

int verb_export_ics(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(output_clearp) Output out = OUTPUT_INIT;
        int r = output_open(&out, argc > 1 ? argv[1] : NULL);
        if (r < 0)
                return r;
        r = call_with_output("ExportCalendar", &out, &reply);
        if (r < 0)
                return r;
        if (!output_is_stdout(&out))
                printf("Wrote the date nights to %.*s%s.\n", ECHO(out.path));
        return 0;
}
