/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * busloop.h: the frame of the test tools that serve on the session bus
 * (siglog, notifyd): SIGTERM and SIGINT end the loop, "READY" on stdout
 * once the bus daemon has everything set up before the loop, exit status
 * 0 for a clean end, 1 when the bus went away or something failed.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* An event loop that SIGTERM and SIGINT end, and a session bus connection. */
static int busloop_open(const char *tool, sd_event **ret_event, sd_bus **ret_bus) {
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
                fprintf(stderr, "%s: sigprocmask: %m\n", tool);
                return -1;
        }
        r = sd_event_default(ret_event);
        if (r >= 0)
                r = sd_event_add_signal(*ret_event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(*ret_event, NULL, SIGINT, NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "%s: event loop: %s\n", tool, strerror(-r));
                return r;
        }
        r = sd_bus_open_user(ret_bus);
        if (r < 0)
                fprintf(stderr, "%s: cannot connect to the session bus: %s\n", tool, strerror(-r));
        return r;
}

/* Attaches the bus, says READY and runs the loop; the exit status. */
static int busloop_run(const char *tool, sd_event *event, sd_bus *bus) {
        int r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", tool, strerror(-r));
                return 1;
        }
        puts("READY");
        (void) fflush(stdout);

        r = sd_event_loop(event);
        if (r < 0)
                fprintf(stderr, "%s: event loop failed: %s\n", tool, strerror(-r));
        else if (r != 0)
                fprintf(stderr, "%s: the bus went away\n", tool);
        return r == 0 ? 0 : 1;
}
