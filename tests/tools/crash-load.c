/* SPDX-License-Identifier: MIT */
/*
 * crash-load: many concurrent clients of closerd for a while, for the load
 * test (tests/test-load.sh).
 *
 *   crash-load [CLIENTS [SECONDS [MIX]]]   (default 64 clients, 30 seconds)
 *
 * MIX is "mixed" (the default) or "read" (no writes: GetToday, ListItems,
 * GetStatus, GetStats and the intended errors that change nothing).
 *
 * Each client is its own bus connection with one call in flight at a time,
 * all driven by one sd-event loop: GetToday, ListItems, GetStatus,
 * GetStats, AddItem, EditItem and RemoveItem of its own items, AddMood,
 * and a few calls that must fail (an unknown ID, a mood of 0, an edit that
 * changes nothing) with their intended errors. Prints one line per method
 * (calls, errors, slowest reply) and a summary line
 *
 *   calls N ok N intended N unexpected N
 *
 * and the first unexpected errors. Exits 0 when there were none, 1 when
 * there were, 2 when it could not run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#define NAME "io.github.closer.Closer1"
#define PATH "/io/github/closer/Closer1"
#define IFACE "io.github.closer.Closer1"
#define MAX_CLIENTS 1024
#define OWN_MAX 8

typedef enum Kind {
        K_TODAY,
        K_LIST_MINE,
        K_LIST_PARTNER,
        K_STATUS,
        K_STATS,
        K_ADD,
        K_EDIT,
        K_REMOVE,
        K_MOOD,
        K_BAD_ID,   /* GetItem of an unknown ID: NoSuchItem */
        K_BAD_MOOD, /* AddMood 0: InvalidArgs */
        K_BAD_EDIT, /* EditItem without a change: InvalidArgs */
        _K_MAX,
} Kind;

static const char *const kind_name[_K_MAX] = {
        "GetToday", "ListItems mine", "ListItems partner", "GetStatus", "GetStats",
        "AddItem", "EditItem", "RemoveItem", "AddMood", "GetItem unknown",
        "AddMood 0", "EditItem nothing",
};

/* The error each kind must get, or NULL: it must succeed. */
static const char *const kind_want[_K_MAX] = {
        [K_BAD_ID] = "io.github.closer.Error.NoSuchItem",
        [K_BAD_MOOD] = SD_BUS_ERROR_INVALID_ARGS,
        [K_BAD_EDIT] = SD_BUS_ERROR_INVALID_ARGS,
};

typedef struct Client {
        sd_bus *bus;
        unsigned index;
        uint64_t rng;
        uint64_t n;
        uint64_t own[OWN_MAX];
        size_t n_own;
        Kind kind;
        uint64_t sent_usec;
} Client;

static struct {
        uint64_t calls[_K_MAX], errors[_K_MAX], max_usec[_K_MAX];
        uint64_t ok, intended, unexpected;
        char first_unexpected[10][256];
        size_t n_first;
        bool stopping;
        unsigned in_flight;
        uint64_t seed_item;
} stats;

static sd_event *event;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t rnd(Client *c) {
        uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static bool read_only;

static Kind pick(Client *c) {
        /* Per 100: reads 58, writes 39, intended errors 3. */
        unsigned x = (unsigned) (rnd(c) % 100);
        if (read_only && x >= 58 && x < 97)
                x %= 58;
        if (read_only && x == 98)
                x = 97;
        if (x < 16)
                return K_TODAY;
        if (x < 28)
                return K_LIST_MINE;
        if (x < 33)
                return K_LIST_PARTNER;
        if (x < 46)
                return K_STATUS;
        if (x < 58)
                return K_STATS;
        if (x < 70)
                return K_ADD;
        if (x < 80)
                return K_EDIT;
        if (x < 85)
                return c->n_own > 2 ? K_REMOVE : K_ADD;
        if (x < 97)
                return K_MOOD;
        return x == 97 ? K_BAD_ID : x == 98 ? K_BAD_MOOD : K_BAD_EDIT;
}

static int send_next(Client *c);

static void record_unexpected(Client *c, const char *what) {
        stats.unexpected++;
        if (stats.n_first < 10)
                (void) snprintf(stats.first_unexpected[stats.n_first++], sizeof(stats.first_unexpected[0]),
                                "client %u call %" PRIu64 " %s: %s", c->index, c->n, kind_name[c->kind], what);
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Client *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uint64_t took = now_usec() - c->sent_usec;
        Kind k = c->kind;

        stats.in_flight--;
        stats.calls[k]++;
        if (took > stats.max_usec[k])
                stats.max_usec[k] = took;
        if (e) {
                stats.errors[k]++;
                if (kind_want[k] && sd_bus_error_has_name(e, kind_want[k]))
                        stats.intended++;
                else {
                        char what[200];
                        (void) snprintf(what, sizeof(what), "%s: %s", e->name, e->message ? e->message : "");
                        record_unexpected(c, what);
                }
        } else if (kind_want[k])
                record_unexpected(c, "succeeded");
        else {
                stats.ok++;
                if (k == K_ADD) {
                        uint64_t id;
                        if (sd_bus_message_read(reply, "t", &id) > 0 && c->n_own < OWN_MAX)
                                c->own[c->n_own++] = id;
                } else if (k == K_REMOVE && c->n_own > 0) {
                        memmove(c->own, c->own + 1, (c->n_own - 1) * sizeof(c->own[0]));
                        c->n_own--;
                }
        }
        if (stats.stopping) {
                if (stats.in_flight == 0)
                        (void) sd_event_exit(event, 0);
                return 0;
        }
        if (send_next(c) < 0)
                record_unexpected(c, "could not send the next call");
        return 0;
}

static int send_next(Client *c) {
        sd_bus_message *m = NULL;
        const char *member;
        char text[64];
        int r;

        c->n++;
        c->kind = pick(c);
        if (c->kind == K_ADD && c->n_own >= OWN_MAX)
                c->kind = K_REMOVE;
        if (c->kind == K_REMOVE && c->n_own == 0)
                c->kind = K_ADD;
        switch (c->kind) {
        case K_TODAY: member = "GetToday"; break;
        case K_LIST_MINE:
        case K_LIST_PARTNER: member = "ListItems"; break;
        case K_STATUS: member = "GetStatus"; break;
        case K_STATS: member = "GetStats"; break;
        case K_ADD: member = "AddItem"; break;
        case K_EDIT:
        case K_BAD_EDIT: member = "EditItem"; break;
        case K_REMOVE: member = "RemoveItem"; break;
        case K_MOOD:
        case K_BAD_MOOD: member = "AddMood"; break;
        case K_BAD_ID: member = "GetItem"; break;
        default: return -EINVAL;
        }
        r = sd_bus_message_new_method_call(c->bus, &m, NAME, PATH, IFACE, member);
        if (r < 0)
                return r;
        (void) snprintf(text, sizeof(text), "load %u-%" PRIu64, c->index, c->n);
        switch (c->kind) {
        case K_LIST_MINE: r = sd_bus_message_append(m, "s", "mine"); break;
        case K_LIST_PARTNER: r = sd_bus_message_append(m, "s", "partner"); break;
        case K_STATS: r = sd_bus_message_append(m, "u", (uint32_t) (rnd(c) % 4 == 0 ? 52 : 4)); break;
        case K_ADD: r = sd_bus_message_append(m, "sa{sv}", text, 1, "category", "s", "fun"); break;
        case K_EDIT:
                r = sd_bus_message_append(m, "ta{sv}", c->n_own ? c->own[rnd(c) % c->n_own] : stats.seed_item, 1,
                                          "details", "s", text);
                break;
        case K_BAD_EDIT: r = sd_bus_message_append(m, "ta{sv}", stats.seed_item, 0); break;
        case K_REMOVE: r = sd_bus_message_append(m, "t", c->own[0]); break;
        case K_MOOD: r = sd_bus_message_append(m, "ua{sv}", (uint32_t) (c->n % 5 + 1), 1, "note", "s", text); break;
        case K_BAD_MOOD: r = sd_bus_message_append(m, "ua{sv}", (uint32_t) 0, 0); break;
        case K_BAD_ID: r = sd_bus_message_append(m, "t", (uint64_t) 999999999); break;
        default: break;
        }
        if (r >= 0) {
                c->sent_usec = now_usec();
                r = sd_bus_call_async(c->bus, NULL, m, on_reply, c, 60 * 1000000ULL);
        }
        sd_bus_message_unref(m);
        if (r >= 0)
                stats.in_flight++;
        return r;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        stats.stopping = true;
        if (stats.in_flight == 0)
                (void) sd_event_exit(event, 0);
        return 0;
}

int main(int argc, char *argv[]) {
        static Client clients[MAX_CLIENTS];
        unsigned n = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 64;
        unsigned secs = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10) : 30;
        sd_bus *probe = NULL;
        sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        read_only = argc > 3 && strcmp(argv[3], "read") == 0;
        if (n == 0 || n > MAX_CLIENTS || secs == 0 || (argc > 3 && !read_only && strcmp(argv[3], "mixed") != 0)) {
                fprintf(stderr, "usage: crash-load [CLIENTS (1-%d) [SECONDS [mixed|read]]]\n", MAX_CLIENTS);
                return 2;
        }
        r = sd_event_default(&event);
        if (r < 0) {
                fprintf(stderr, "crash-load: sd_event_default: %s\n", strerror(-r));
                return 2;
        }

        /* An item every client may edit. */
        r = sd_bus_open_user(&probe);
        if (r >= 0)
                r = sd_bus_call_method(probe, NAME, PATH, IFACE, "AddItem", &error, &reply, "sa{sv}", "load seed", 0);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &stats.seed_item);
        if (r < 0) {
                fprintf(stderr, "crash-load: cannot add the seed item: %s\n",
                        error.message ? error.message : strerror(-r));
                return 2;
        }
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(probe);

        for (unsigned i = 0; i < n; i++) {
                Client *c = &clients[i];
                c->index = i;
                c->rng = 0x1234567ULL * (i + 1);
                r = sd_bus_open_user(&c->bus);
                if (r >= 0)
                        r = sd_bus_attach_event(c->bus, event, 0);
                if (r < 0) {
                        fprintf(stderr, "crash-load: client %u: %s\n", i, strerror(-r));
                        return 2;
                }
        }
        r = sd_event_add_time_relative(event, NULL, CLOCK_MONOTONIC, (uint64_t) secs * 1000000, 0, on_deadline,
                                       NULL);
        if (r < 0) {
                fprintf(stderr, "crash-load: timer: %s\n", strerror(-r));
                return 2;
        }
        for (unsigned i = 0; i < n; i++)
                if (send_next(&clients[i]) < 0) {
                        fprintf(stderr, "crash-load: client %u cannot send\n", i);
                        return 2;
                }
        r = sd_event_loop(event);
        if (r < 0) {
                fprintf(stderr, "crash-load: event loop: %s\n", strerror(-r));
                return 2;
        }

        uint64_t total = 0;
        for (int k = 0; k < _K_MAX; k++) {
                printf("%-18s %8" PRIu64 " calls %6" PRIu64 " errors  slowest %6.1f ms\n", kind_name[k],
                       stats.calls[k], stats.errors[k], stats.max_usec[k] / 1000.0);
                total += stats.calls[k];
        }
        printf("calls %" PRIu64 " ok %" PRIu64 " intended %" PRIu64 " unexpected %" PRIu64 "\n", total, stats.ok,
               stats.intended, stats.unexpected);
        for (size_t i = 0; i < stats.n_first; i++)
                printf("unexpected: %s\n", stats.first_unexpected[i]);
        for (unsigned i = 0; i < n; i++)
                sd_bus_flush_close_unref(clients[i].bus);
        sd_event_unref(event);
        return stats.unexpected > 0 ? 1 : 0;
}
