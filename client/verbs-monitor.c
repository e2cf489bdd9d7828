/* SPDX-License-Identifier: MIT */
/* closerctl: closerd's signals as they arrive: monitor. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "verbs-monitor.h"

/* --- monitor --- */

/* The argument names of each signal, for the JSON lines. */
static const struct {
        const char *member;
        const char *args[7];
} signal_args[] = {
        { "DailyAct", { "date", "item", "title", "category", "private", "late" } },
        { "Lapse", { "since", "days" } },
        { "PhaseChanged", { "old", "new" } },
        { "PartnerChanged", { "what", "summary" } },
        { "DateNightSoon", { "id", "start", "mode", "late" } },
        { "DateNight", { "id", "start", "mode", "late" } },
        { "PromiseSoon", { "id", "due", "what", "where" } },
        { "PromiseDue", { "id", "due", "what", "where", "late" } },
};

static int monitor_error = 0;

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(m);
        const char *const *names = NULL;
        for (size_t i = 0; i < ELEMENTSOF(signal_args); i++)
                if (streq(signal_args[i].member, member))
                        names = signal_args[i].args;
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object_object_add(o, "signal", json_object_new_string(member));
        for (size_t i = 0;; i++) {
                char t;
                const char *c;
                if (sd_bus_message_peek_type(m, &t, &c) <= 0)
                        break;
                json_object *v = value_to_json(m, t, c);
                if (!v) {
                        monitor_error = fail("cannot read the signal %s", member);
                        return 0;
                }
                const char *name = names && i < 7 && names[i] ? names[i] : NULL;
                char fallback[16];
                if (!name) {
                        (void) snprintf(fallback, sizeof(fallback), "arg%zu", i);
                        name = fallback;
                }
                json_object_object_add(o, name, v);
        }
        hide_private(o);
        if (arg.json)
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        else {
                printf("%s%s%s", BOLD, member, RESET);
                json_object_object_foreach(o, key, v) {
                        if (streq(key, "signal") || streq(key, "discreet"))
                                continue;
                        /* Strings quoted as in JSON; times as people read them. */
                        _cleanup_json_ json_object *h = json_object_is_type(v, json_type_string)
                                                                ? json_object_new_string(human_time(json_object_get_string(v)))
                                                                : json_object_get(v);
                        printf(" %s=%s", key, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
                                                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
                }
                putchar('\n');
        }
        if (fflush(stdout) != 0)
                monitor_error = fail("cannot write standard output: %s", strerror(errno));
        return 0;
}

int verb_monitor(int argc, char **argv) {
        int r = connect_bus();
        if (r < 0)
                return r;
        (void) discreet(); /* known before the first signal */
        r = sd_bus_match_signal(bus, NULL, NULL, OBJECT_PATH, INTERFACE, NULL, on_signal, NULL);
        if (r < 0)
                return fail("cannot listen for signals: %s", strerror(-r));
        if (!arg.json) {
                printf("%sListening for closerd's signals (Ctrl-C stops).%s\n", DIM, RESET);
                fflush(stdout);
        }
        while (monitor_error == 0) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fail("lost the bus: %s", strerror(-r));
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return fail("lost the bus: %s", strerror(-r));
        }
        return monitor_error;
}
