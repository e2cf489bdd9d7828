/* SPDX-License-Identifier: MIT */
/*
 * bench-load: bus throughput for the benchmark.
 *
 *   bench-load METHOD CLIENTS SECONDS [WARMUP_SECONDS]
 *
 * Opens CLIENTS connections to the session bus, each its own client with one
 * call in flight at a time (the next call is sent when the reply arrives,
 * like a loop of synchronous calls), all driven from one event loop, and
 * calls METHOD on closerd for SECONDS after a warm-up: "Ping" is
 * org.freedesktop.DBus.Peer.Ping (the floor: the bus and the dispatch), any
 * other name a method of io.github.closer.Closer1 without arguments (e.g.
 * GetToday). Prints "CALLS_PER_SECOND CALLS ERRORS REPLIES": the rate and
 * the calls answered in the measured SECONDS, the error replies, and every
 * reply including the warm-up (to divide the daemon's CPU time by).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#define NAME "io.github.closer.Closer1"
#define PATH "/io/github/closer/Closer1"

static const char *iface, *method;
static sd_event *event;
static long calls, errors, replies;
static int counting;
static double t_start, t_end;

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int send_one(sd_bus *bus);

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        replies++;
        if (sd_bus_message_is_method_error(m, NULL)) {
                if (errors++ == 0)
                        fprintf(stderr, "bench-load: %s: %s\n", method,
                                sd_bus_message_get_error(m)->message);
        } else if (counting)
                calls++;
        if (send_one(sd_bus_message_get_bus(m)) < 0)
                return sd_event_exit(event, 1);
        return 0;
}

static int send_one(sd_bus *bus) {
        int r = sd_bus_call_method_async(bus, NULL, NAME, PATH, iface, method, on_reply, NULL, NULL);
        if (r < 0)
                fprintf(stderr, "bench-load: cannot send %s: %s\n", method, strerror(-r));
        return r;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        if (!counting) {
                counting = 1; /* warm-up over */
                t_start = now_s();
                return sd_event_source_set_time_relative(s, (uint64_t)(*(double *)userdata * 1e6)) < 0
                               ? sd_event_exit(event, 1)
                               : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }
        counting = 0;
        t_end = now_s();
        return sd_event_exit(event, 0);
}

int main(int argc, char *argv[]) {
        if (argc < 4) {
                fprintf(stderr, "usage: bench-load METHOD CLIENTS SECONDS [WARMUP_SECONDS]\n");
                return 2;
        }
        method = argv[1];
        iface = strcmp(method, "Ping") == 0 ? "org.freedesktop.DBus.Peer" : NAME;
        int n = atoi(argv[2]);
        double seconds = atof(argv[3]), warmup = argc > 4 ? atof(argv[4]) : 0.5;
        if (n < 1 || seconds <= 0)
                return 2;
        sd_bus **buses = calloc((size_t)n, sizeof(sd_bus *));
        int r = sd_event_default(&event);
        if (r < 0 || !buses)
                return 1;
        for (int i = 0; i < n; i++) {
                r = sd_bus_open_user(&buses[i]);
                if (r >= 0)
                        r = sd_bus_attach_event(buses[i], event, 0);
                if (r < 0) {
                        fprintf(stderr, "bench-load: cannot connect client %d: %s\n", i, strerror(-r));
                        return 1;
                }
        }
        sd_event_source *timer;
        r = sd_event_add_time_relative(event, &timer, CLOCK_MONOTONIC, (uint64_t)(warmup * 1e6), 0, on_timer,
                                       &seconds);
        if (r < 0)
                return 1;
        for (int i = 0; i < n; i++)
                if (send_one(buses[i]) < 0)
                        return 1;
        r = sd_event_loop(event); /* returns after the warm-up and the measured SECONDS */
        if (r != 0)
                return 1;
        printf("%.0f %ld %ld %ld\n", (double)calls / (t_end - t_start), calls, errors, replies);
        for (int i = 0; i < n; i++)
                sd_bus_flush_close_unref(buses[i]);
        sd_event_source_unref(timer);
        sd_event_unref(event);
        free(buses);
        return errors > 0;
}
