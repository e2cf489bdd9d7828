/* SPDX-License-Identifier: MIT */
/* closerctl: calendar [--vdirsyncer]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bus-client.h"
#include "helpers.h"
#include "macro.h"
#include "output.h"
#include "verbs-calendar.h"

static const char *const CALENDAR_NULLS[] = { "last_write", NULL };

/* A stanza for ~/.config/vdirsyncer/config: closerd's folder, read-only to
 * vdirsyncer, to a CalDAV calendar, with placeholders for the server. */
static void print_vdirsyncer(FILE *f, const char *path) {
        fprintf(f, "# closer's date nights and rain checks for vdirsyncer, to any CalDAV server\n"
               "# (Nextcloud, Radicale, Baikal, Fastmail, mailbox.org, iCloud), where\n"
               "# DAVx5 on Android or an iOS CalDAV account shows them. Put this in\n"
               "# ~/.config/vdirsyncer/config (leave out [general] if yours has one), set\n"
               "# url (and username and password, unless the server needs none), then run\n"
               "#   vdirsyncer discover closer_calendar && vdirsyncer sync closer_calendar\n"
               "# and sync again from a timer (vdirsyncer.timer). closerd writes the folder:\n"
               "# vdirsyncer only reads it, and reverts what a phone changes on the server.\n"
               "\n"
               "[general]\n"
               "status_path = \"~/.local/share/vdirsyncer/status/\"\n"
               "\n"
               "[pair closer_calendar]\n"
               "a = \"closer_calendar_local\"\n"
               "b = \"closer_calendar_remote\"\n"
               "collections = null\n"
               "conflict_resolution = \"a wins\"\n"
               "partial_sync = \"revert\"\n"
               "\n"
               "[storage closer_calendar_local]\n"
               "type = \"filesystem\"\n"
               "path = \"%s\"\n"
               "fileext = \".ics\"\n"
               "read_only = true\n"
               "\n"
               "[storage closer_calendar_remote]\n"
               "type = \"caldav\"\n"
               "# The calendar's own URL (make an empty calendar \"Date nights\" first):\n"
               "url = \"https://caldav.example.com/calendars/USER/date-nights/\"\n"
               "#username = \"USER\"\n"
               "#password.fetch = [\"command\", \"secret-tool\", \"lookup\", \"service\", \"caldav\"]\n",
               path);
}

int verb_calendar(int argc, char **argv) {
        (void) argc;
        (void) argv;
        _cleanup_json_ json_object *j = NULL;
        int r = call_json("GetCalendar", &j, NULL);
        if (r < 0)
                return r;
        const char *path = jstr(j, "path"), *last = jstr(j, "last_write"), *file = jstr(j, "file");
        if (arg.vdirsyncer) {
                if (!arg.json) {
                        print_vdirsyncer(stdout, path ? path : "");
                        return 0;
                }
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&text, &len);
                if (!f)
                        return fail("out of memory");
                print_vdirsyncer(f, path ? path : "");
                if (fclose(f) != 0)
                        return fail("out of memory");
                return print_json_pairs("path", json_object_new_string(path ? path : ""), "vdirsyncer",
                                        json_object_new_string(text), PAIRS_END);
        }
        if (arg.json) {
                json_fill_nulls(j, CALENDAR_NULLS);
                return print_json(j);
        }
        int64_t n = jint(j, "events", 0);
        printf("%sCalendar:%s   %s/ (a vdir: one file per event)\n", BOLD, RESET, path ? path : "");
        printf("%sEvents:%s     %" PRId64 "\n", BOLD, RESET, n);
        printf("%sWritten:%s    %s\n", BOLD, RESET, last ? human_time(last) : "not yet");
        printf("%sOne file:%s   %s\n", BOLD, RESET, file ? file : "");
        printf("To a CalDAV server (and a phone): closerctl calendar --vdirsyncer\n");
        return 0;
}
