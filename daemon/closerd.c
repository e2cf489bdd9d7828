/* SPDX-License-Identifier: MIT */
/*
 * closerd: the closer daemon. One per user login; the only process that
 * opens the database. Exports its object, then takes its bus name, so a
 * client that sees the name can always call it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bus.h"
#include "icaljob.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "notify.h"
#include "schedule.h"
#include "dnvdir.h"
#include "follow.h"
#include "share.h"
#include "today.h"

static int data_dir(char **ret) {
        const char *xdg = getenv("XDG_DATA_HOME");
        if (xdg && xdg[0] == '/')
                return asprintf(ret, "%s/closer", xdg) < 0 ? -ENOMEM : 0;
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
                return -ENXIO;
        return asprintf(ret, "%s/.local/share/closer", home) < 0 ? -ENOMEM : 0;
}

static void manager_free(Manager *m) {
        /* The iCalendar helpers killed, their callers answered. */
        icaljob_cancel_all(m);
        schedule_stop(m);
        share_stop(m);
        follow_stop(m);
        dnvdir_free(m);
        notify_free(m);
        today_forget(m);
        manager_clear(m);
}

static int help(void) {
        printf("Usage: closerd [OPTIONS]\n\n"
               "The closer daemon: keeps the love lists, the daily act, date nights and\n"
               "rain checks, and serves closerctl on the session bus as %s.\n\n"
               "  -h --help      Show this help\n"
               "     --version   Show the version\n"
               "  -v --verbose   Log debug messages\n\n"
               "Data: $XDG_DATA_HOME/closer/ (default ~/.local/share/closer/).\n"
               "See closerd(8).\n",
               CLOSER_BUS_NAME);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "verbose", no_argument, NULL, 'v' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("closerd %s\n", VERSION);
                        return 0;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "closerd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int run(int argc, char *argv[]) {
        _cleanup_(manager_free) Manager m = { .version = VERSION, .clock_fd = -1, .tz_fd = -1, .tz_file_wd = -1 };
        _cleanup_free_ char *error = NULL;
        int r;

        log_setup();
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        /* Private files whatever the caller's umask (SPEC 8). */
        umask(0077);

        r = data_dir(&m.data_dir);
        if (r < 0)
                return log_error_errno(r, "Cannot find the data directory: set HOME or XDG_DATA_HOME");
        r = store_open(m.data_dir, &m.store, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : "Failed to open the database");

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGCHLD); /* the iCalendar helpers' exits, through sd-event */
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");

        r = sd_event_default(&m.event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");
        (void) sd_event_add_signal(m.event, NULL, SIGTERM, NULL, NULL);
        (void) sd_event_add_signal(m.event, NULL, SIGINT, NULL, NULL);
        r = icaljob_setup(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the iCalendar helpers: %m");
        r = sd_event_set_watchdog(m.event, true);
        if (r < 0)
                log_warning_errno(r, "Failed to enable the watchdog: %m");

        r = sd_bus_open_user(&m.bus);
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the session bus (is DBUS_SESSION_BUS_ADDRESS set?): %m");
        r = bus_setup(&m);
        if (r < 0)
                return r;
        r = notify_setup(&m);
        if (r < 0)
                return r;
        /* Where the core's events go: signals first, then notifications. */
        r = manager_add_sink(&m, bus_event_sink, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to add the event sinks: %m");
        r = manager_add_sink(&m, notify_event_sink, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to add the event sinks: %m");
        r = sd_bus_attach_event(m.bus, m.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* Losing the bus ends the daemon: nobody could reach it any more. */
        (void) sd_bus_set_exit_on_disconnect(m.bus, true);

        r = sd_bus_request_name(m.bus, CLOSER_BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "Another closerd already owns %s on this session bus; "
                                          "not starting a second one", CLOSER_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", CLOSER_BUS_NAME);

        /* Sharing is a step of every run, before the schedule's. */
        r = share_start(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up sharing: %m");
        r = follow_start(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up following my partner's list: %m");
        /* Due signals go out once the name is ours, so listeners see them. */
        r = schedule_start(&m);
        if (r < 0)
                return r;

        log_info("closerd %s serving %s, data in %s", VERSION, CLOSER_BUS_NAME, m.data_dir);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving " CLOSER_BUS_NAME);

        r = sd_event_loop(m.event);
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        /* The loop ends with 1 when the bus went away (exit on disconnect):
         * a failure, so that Restart=on-failure brings closerd back. */
        if (r > 0)
                return log_error_errno(ENOTCONN, "Lost the session bus, exiting");
        log_info("closerd stopped");
        return 0;
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
