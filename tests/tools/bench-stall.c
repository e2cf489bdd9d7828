/* SPDX-License-Identifier: MIT */
/*
 * bench-stall: how long closerd leaves a client waiting, for the
 * benchmark's stall row: for SECONDS, calls org.freedesktop.DBus.Peer.Ping
 * on closerd every 2 ms (the next one 2 ms after the last was sent, or at
 * once when its reply took longer), and times each from send to reply.
 * Stops early on SIGTERM or SIGINT.
 *
 *   bench-stall SECONDS
 *
 * Prints "MAX_US P99_US MEDIAN_US PINGS": the longest a Ping went
 * unanswered, the 99th percentile and the median, in microseconds.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

static uint64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        stop = 1;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        double seconds = argc == 2 ? strtod(argv[1], NULL) : 0;
        if (seconds <= 0 || seconds > 3600) {
                fprintf(stderr, "usage: bench-stall SECONDS\n");
                return 2;
        }
        (void) signal(SIGTERM, on_signal);
        (void) signal(SIGINT, on_signal);
        int r = sd_bus_open_user(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-stall: cannot connect to the session bus: %s\n", strerror(-r));
                return 1;
        }
        size_t n = 0, size = (size_t) (seconds * 500) + 16;
        uint64_t *lat = calloc(size, sizeof(uint64_t));
        if (!lat)
                return 1;
        const uint64_t end = now_us() + (uint64_t) (seconds * 1e6);
        for (uint64_t next = now_us(); !stop && now_us() < end && n < size; next += 2000) {
                uint64_t t = now_us();
                if (next > t) {
                        struct timespec ts = { 0, (long) (next - t) * 1000 };
                        (void) nanosleep(&ts, NULL);
                } else
                        next = t; /* late: no catching up with a burst */
                sd_bus_error error = SD_BUS_ERROR_NULL;
                uint64_t sent = now_us();
                r = sd_bus_call_method(bus, "io.github.closer.Closer1", "/io/github/closer/Closer1",
                                       "org.freedesktop.DBus.Peer", "Ping", &error, NULL, NULL);
                uint64_t got = now_us();
                if (r < 0) {
                        fprintf(stderr, "bench-stall: Ping: %s\n", error.message ? error.message : strerror(-r));
                        sd_bus_error_free(&error);
                        return 1;
                }
                lat[n++] = got - sent;
        }
        if (n == 0)
                return 1;
        qsort(lat, n, sizeof(uint64_t), cmp_u64);
        printf("%llu %llu %llu %zu\n", (unsigned long long) lat[n - 1], (unsigned long long) lat[n * 99 / 100],
               (unsigned long long) lat[n / 2], n);
        free(lat);
        sd_bus_flush_close_unref(bus);
        return 0;
}
