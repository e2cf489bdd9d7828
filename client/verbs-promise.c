/* SPDX-License-Identifier: MIT */
/* closerctl: initiations and rain checks: advance, raincheck, promise .... */
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
#include "verbs-promise.h"

/* --- rain checks --- */
static int append_promise_options(sd_bus_message *m, const char *raincheck) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && raincheck)
                r = sd_bus_message_append(m, "{sv}", "raincheck", "s", raincheck);
        if (r >= 0 && arg.what)
                r = sd_bus_message_append(m, "{sv}", "what", "s", arg.what);
        if (r >= 0 && arg.where)
                r = sd_bus_message_append(m, "{sv}", "where", "s", arg.where);
        if (r >= 0 && arg.note)
                r = sd_bus_message_append(m, "{sv}", "note", "s", arg.note);
        if (r >= 0 && arg.owed_by)
                r = sd_bus_message_append(m, "{sv}", "owed_by", "s", arg.owed_by);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

static const char *const PROMISE_NULLS[] = { "what", "where", NULL };

/* "I owe" or "Sam owes me". */
static const char *owed_label(const PromiseInfo *p, char *buf, size_t size) {
        if (!streq_ptr(p->owed_by, "partner"))
                return "I owe";
        (void) snprintf(buf, size, "%s owes me", partner_name());
        return buf;
}

static void print_promise_line(const PromiseInfo *p) {
        const char *status = p->status ?: "";
        char owed[160];
        printf("%4" PRIi64 "  %-21s  %s%-9s%s  %-14s", p->id, human_time(p->due) ?: "", p->overdue ? RED : "",
               p->overdue ? "overdue" : status, p->overdue ? RESET : "", owed_label(p, owed, sizeof(owed)));
        if (p->what)
                printf("  %s", p->what);
        if (p->where)
                printf("%s%s", p->what ? ", " : "  ", p->where);
        putchar('\n');
}

static int print_new_promise(uint64_t advance, uint64_t promise, bool owed_to_me, const When *w) {
        if (arg.json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                if (advance)
                        json_object_object_add(j, "advance", json_object_new_int64((int64_t) advance));
                json_object_object_add(j, "promise", promise ? json_object_new_int64((int64_t) promise) : NULL);
                if (promise)
                        json_object_object_add(j, "owed_by", json_object_new_string(owed_to_me ? "partner" : "me"));
                if (promise && w->time)
                        json_add_when(j, "due", w);
                return print_json(j);
        }
        if (advance)
                printf("Advance %" PRIu64 " recorded.\n", advance);
        if (promise) {
                char what[64];
                (void) snprintf(what, sizeof(what), "Rain check %" PRIu64 ":", promise);
                print_resolved(what, w);
                if (owed_to_me)
                        printf("%s%s owes me this one. Once you had it: closerctl promise kept %" PRIu64 "%s\n", DIM,
                               partner_name(), promise, RESET);
                else
                        printf("%sKeep it: closerctl promise kept %" PRIu64 "%s\n", DIM, promise, RESET);
        }
        return 0;
}

int verb_advance(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(freep) char *when = NULL;
        _cleanup_(when_clear) When w = {};
        uint64_t advance, promise;
        if (!arg.by)
                return usage_error("advance needs --by me or --by partner");
        if (arg.raincheck) {
                /* "--raincheck tomorrow 21:00" unquoted: the rest of the words. */
                char *words[9];
                int n = 0;
                words[n++] = (char *) arg.raincheck;
                for (int i = 2; i < argc && n < (int) ELEMENTSOF(words); i++)
                        words[n++] = argv[i];
                when = join_words(n, words);
                if (!when)
                        return fail("out of memory");
        } else if (argc > 2)
                return usage_error("advance: unexpected '%.*s%s'; usage: closerctl advance --by me|partner accepted|declined",
                                   ECHO(argv[2]));
        int r = when ? resolve_when("raincheck", when, &w) : 0;
        if (r < 0)
                return r;
        r = new_call("RecordAdvance", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", arg.by, argv[1]);
        if (r >= 0)
                r = append_promise_options(m, when ? w.instant : NULL);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "tt", &advance, &promise);
        if (r < 0)
                return r;
        /* Whoever declined owes it: my partner, when the advance was mine. */
        return print_new_promise(advance, promise, streq(arg.by, "me"), &w);
}

int verb_raincheck(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(freep) char *when = join_words(argc - 1, argv + 1);
        _cleanup_(when_clear) When w = {};
        uint64_t id;
        if (!when)
                return fail("out of memory");
        if (arg.owed_by && !streq(arg.owed_by, "me") && !streq(arg.owed_by, "partner"))
                return usage_error("--owed-by must be 'me' or 'partner', not '%.*s%s'", ECHO(arg.owed_by));
        int r = resolve_when("when", when, &w);
        if (r < 0)
                return r;
        r = new_call("AddPromise", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", w.instant);
        if (r >= 0)
                r = append_promise_options(m, NULL);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        return print_new_promise(0, id, streq_ptr(arg.owed_by, "partner"), &w);
}

int verb_promise(int argc, char **argv) {
        _cleanup_json_ json_object *all = NULL;
        if (argc > 1)
                return usage_error("unknown promise command '%.*s%s': use promise, promise kept|broken|reopen|cancel ID, "
                                   "promise move ID WHEN",
                                   ECHO(argv[1]));
        int r = call_json("ListPromises", &all, "b", 1);
        if (r < 0)
                return r;
        if (arg.json) {
                json_fill_nulls_each(all, PROMISE_NULLS);
                return print_json(all);
        }
        size_t n = bus_list_length(all), shown = 0, hidden = 0;
        if (n == 0) {
                puts("No rain checks. A declined advance always comes with one: closerctl advance --by partner declined --raincheck WHEN");
                return 0;
        }
        printf("%s%4s  %-21s  %-9s  %-14s  %s%s\n", BOLD, "ID", "DUE", "STATUS", "OWED", "WHAT, WHERE", RESET);
        for (size_t i = 0; i < n; i++) {
                PromiseInfo p = {};
                (void) bus_map_entry(all, i, promise_map, &p);
                const char *st = p.status ?: "";
                bool active = streq(st, "open") || streq(st, "moved");
                /* A lifetime of kept promises: the resolved ones only with --all. */
                if (!active && !arg.all && n - i > 20) {
                        hidden++;
                        continue;
                }
                print_promise_line(&p);
                shown++;
        }
        if (hidden)
                printf("%s%zu older resolved rain checks not shown (--all shows them)%s\n", DIM, hidden, RESET);
        return 0;
}

int verb_promise_resolve(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id;
        if (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0)
                return usage_error("'%.*s%s' is not a rain check ID (see closerctl promise)", ECHO(argv[1]));
        /* The verb as ResolvePromise's status: reopen is "open" again. */
        const char *status = streq(argv[0], "reopen") ? "open" : streq(argv[0], "cancel") ? "cancelled" : argv[0];
        int r = call("ResolvePromise", &reply, "ts", id, status);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "status", json_object_new_string(status), PAIRS_END);
        if (streq(status, "kept"))
                printf("Rain check %" PRIu64 " kept.\n", id);
        else if (streq(status, "broken"))
                printf("Rain check %" PRIu64 " broken. Make it up soon: closerctl raincheck WHEN\n", id);
        else if (streq(status, "open"))
                printf("Rain check %" PRIu64 " is open again: neither kept nor broken.\n", id);
        else
                printf("Rain check %" PRIu64 " cancelled: it counts neither as kept nor as broken.\n", id);
        return 0;
}

int verb_promise_move(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(freep) char *when = join_words(argc - 2, argv + 2);
        _cleanup_(when_clear) When w = {};
        uint64_t id;
        if (!when)
                return fail("out of memory");
        if (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0)
                return usage_error("'%.*s%s' is not a rain check ID (see closerctl promise)", ECHO(argv[1]));
        int r = resolve_when("when", when, &w);
        if (r >= 0)
                r = call("MovePromise", &reply, "tsb", id, w.instant, (int) arg.by_partner);
        if (r < 0)
                return r;
        if (arg.json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_int64((int64_t) id));
                json_object_object_add(j, "status", json_object_new_string("moved"));
                json_object_object_add(j, "by_partner", json_object_new_boolean(arg.by_partner));
                json_add_when(j, "due", &w);
                return print_json(j);
        }
        char what[96];
        (void) snprintf(what, sizeof(what), "Rain check %" PRIu64 " moved%s to", id, arg.by_partner ? " by my partner" : "");
        print_resolved(what, &w);
        return 0;
}
