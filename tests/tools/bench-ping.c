/* SPDX-License-Identifier: MIT */
/*
 * bench-ping: the floor of a closerctl command for the benchmark: connect to
 * the session bus as closerctl does, call org.freedesktop.DBus.Peer.Ping on
 * closerd once, exit. Linked like closerctl, so process start-up costs the
 * same.
 */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

int main(void) {
        sd_bus *bus = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_open_user(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-ping: cannot connect to the session bus: %s\n", strerror(-r));
                return 1;
        }
        r = sd_bus_call_method(bus, "io.github.closer.Closer1", "/io/github/closer/Closer1",
                               "org.freedesktop.DBus.Peer", "Ping", &error, NULL, NULL);
        if (r < 0)
                fprintf(stderr, "bench-ping: %s\n", error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return r < 0;
}
