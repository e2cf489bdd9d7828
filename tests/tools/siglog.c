/* SPDX-License-Identifier: MIT */
/*
 * siglog: prints the signals of closerd's interface as they arrive, one line
 * each, for the integration tests (tests/test-daily.sh).
 *
 *   siglog [INTERFACE]
 *
 * Connects to the session bus (DBUS_SESSION_BUS_ADDRESS), matches every
 * signal of INTERFACE (default io.github.closer.Closer1) whoever sends it
 * (a match on the well-known name would miss a daemon that takes the name
 * later, and sd-bus cannot resolve it client-side), prints "READY" once the
 * match is installed on the bus, then one line per signal:
 *
 *   DailyAct 2026-03-29 12 "Kiss me every morning" affection false false @2026-11-24T21:30:01.123+01:00
 *
 * The member name, the arguments in order, then "@" and this process's own
 * wall clock when the signal was read (the faked one when siglog runs under
 * libfaketime). Strings made only of [A-Za-z0-9_.:/+-] are printed bare,
 * others in double quotes with \" \\ \n \t and \xNN escapes; booleans as
 * true/false; arrays as [a, b], structs as (a, b), dictionary entries as
 * k=v, variants as <v>. Every line is flushed. Exits 0 on SIGTERM or
 * SIGINT, 1 when the bus goes away or on an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "busloop.h"

#define DEFAULT_INTERFACE "io.github.closer.Closer1"

static bool is_bare(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/+-", *s))
                        return false;
        return true;
}

static void print_string(const char *s) {
        if (is_bare(s)) {
                fputs(s, stdout);
                return;
        }
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '"': fputs("\\\"", stdout); break;
                case '\\': fputs("\\\\", stdout); break;
                case '\n': fputs("\\n", stdout); break;
                case '\t': fputs("\\t", stdout); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                printf("\\x%02x", *p);
                        else
                                putchar(*p);
                }
        putchar('"');
}

static int print_basic(sd_bus_message *m, char type) {
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                const char *s;
                int h;
        } v;
        int r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        switch (type) {
        case 'y': printf("%" PRIu8, v.y); break;
        case 'b': fputs(v.b ? "true" : "false", stdout); break;
        case 'n': printf("%" PRIi16, v.n); break;
        case 'q': printf("%" PRIu16, v.q); break;
        case 'i': printf("%" PRIi32, v.i); break;
        case 'u': printf("%" PRIu32, v.u); break;
        case 'x': printf("%" PRIi64, v.x); break;
        case 't': printf("%" PRIu64, v.t); break;
        case 'd': printf("%g", v.d); break;
        case 'h': printf("fd:%d", v.h); break;
        case 's':
        case 'o':
        case 'g': print_string(v.s); break;
        default: return -EBADMSG;
        }
        return 0;
}

/* Prints the values left in the current container, separated by sep. */
static int print_values(sd_bus_message *m, const char *sep) {
        for (bool first = true;; first = false) {
                char type;
                const char *contents;
                int r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 0;
                if (!first)
                        fputs(sep, stdout);
                if (type != SD_BUS_TYPE_ARRAY && type != SD_BUS_TYPE_STRUCT &&
                    type != SD_BUS_TYPE_DICT_ENTRY && type != SD_BUS_TYPE_VARIANT) {
                        r = print_basic(m, type);
                        if (r < 0)
                                return r;
                        continue;
                }
                const char *lbrace = "", *rbrace = "";
                if (type == SD_BUS_TYPE_ARRAY)
                        lbrace = "[", rbrace = "]";
                else if (type == SD_BUS_TYPE_STRUCT)
                        lbrace = "(", rbrace = ")";
                else if (type == SD_BUS_TYPE_VARIANT)
                        lbrace = "<", rbrace = ">";
                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                fputs(lbrace, stdout);
                r = print_values(m, type == SD_BUS_TYPE_DICT_ENTRY ? "=" : ", ");
                if (r < 0)
                        return r;
                fputs(rbrace, stdout);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
}

static void print_clock(void) {
        struct timespec ts;
        struct tm tm;
        char buf[64], zone[8];
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !localtime_r(&ts.tv_sec, &tm)) {
                fputs("@?", stdout);
                return;
        }
        (void) strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        (void) strftime(zone, sizeof zone, "%z", &tm);
        /* %z is +hhmm; print +hh:mm like the daemon's ISO times. */
        printf("@%s.%03ld%.3s:%s", buf, ts.tv_nsec / 1000000, zone, zone + 3);
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) userdata;
        (void) ret_error;
        fputs(sd_bus_message_get_member(m) ?: "?", stdout);
        int r = sd_bus_message_peek_type(m, NULL, NULL);
        if (r > 0) {
                putchar(' ');
                r = print_values(m, " ");
        }
        if (r < 0)
                printf(" <unreadable: %s>", strerror(-r));
        putchar(' ');
        print_clock();
        putchar('\n');
        (void) fflush(stdout);
        return 0;
}

int main(int argc, char *argv[]) {
        const char *interface = argc > 1 ? argv[1] : DEFAULT_INTERFACE;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        int r;

        if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
                fprintf(stderr, "Usage: siglog [INTERFACE]\n");
                return 2;
        }
        r = busloop_open("siglog", &event, &bus);
        if (r < 0)
                goto finish;
        /* Synchronous: once it returns, the bus daemon has the match. */
        r = sd_bus_match_signal(bus, NULL, NULL, NULL, interface, NULL, on_signal, NULL);
        if (r < 0) {
                fprintf(stderr, "siglog: cannot add the match: %s\n", strerror(-r));
                goto finish;
        }
        r = busloop_run("siglog", event, bus);
finish:
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r == 0 ? 0 : 1;
}
