/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for closerd's D-Bus object: the daemon's own vtable
 * (bus_setup) on the server end of a socketpair connection, a real store
 * on a temporary directory (tmpfs when there is one), and messages built
 * from the input on the client end. Built with -fsanitize=fuzzer for
 * libFuzzer, or with replay.c to run a corpus without it.
 *
 * Each input runs against a fresh copy of one seeded database (items on
 * both lists, today's act, a rain check, settings) and a fresh connection,
 * so a crash replays alone. The scheduler's timer is never run: nothing
 * fires between calls. An input is up to 8 steps; each starts with an
 * opcode byte (missing bytes read as 0):
 *
 *   0x00-0xef  a method call, the method's own signature: per argument a
 *              mode byte (0xfd: stop here, a missing argument; 0xfe: one
 *              of another type; anything else: a value of the right type,
 *              from the bytes that follow), then 0xee for an extra argument
 *   0xf0-0xf7  a method call with a hand-made header and a raw body from
 *              the input (a method byte, a length byte, the body): bytes
 *              the client libraries would never send, like invalid UTF-8
 *   0xf8-0xfb  raw bytes on the socket (two length bytes, the bytes); ends
 *              the input, as the stream may be out of step afterwards
 *   0xfc-0xff  org.freedesktop.DBus.Properties Get, GetAll or Set
 *
 * Strings: a byte below 0x80 picks a word (methods' keywords, settings,
 * WHEN forms), 0x80-0xfe takes that many bytes minus 0x80 from the input
 * (made valid UTF-8), 0xff makes a long string (the next byte times 1 KiB).
 *
 * Checked: every method call gets a reply (a return or an error), the
 * server connection stays open after a well-formed call, and sanitizers
 * find nothing.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "bus.h"
#include "icaljob.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "store.h"

#define MAX_STEPS 8

typedef struct Method {
        const char *name;
        const char *args[4]; /* complete types, NULL-terminated */
} Method;

static const Method methods[] = {
        { "AddItem", { "s", "a{sv}" } },
        { "EditItem", { "t", "a{sv}" } },
        { "RemoveItem", { "t" } },
        { "GetItem", { "t" } },
        { "ListItems", { "s" } },
        { "GetStatus", {} },
        { "AddItemsFromText", { "h" } },
        { "ListIdeas", { "s" } },
        { "AddIdea", { "u" } },
        { "ExportList", { "h" } },
        { "ImportPartnerList", { "h" } },
        { "ReviewItem", { "t", "s", "a{sv}" } },
        { "SetSetting", { "s", "s" } },
        { "GetSettings", {} },
        { "GetToday", {} },
        { "Done", { "a{sv}" } },
        { "Reroll", {} },
        { "AddExtra", { "s", "a{sv}" } },
        { "AddMood", { "u", "a{sv}" } },
        { "Pause", { "s" } },
        { "Resume", {} },
        { "RecordAdvance", { "s", "s", "a{sv}" } },
        { "AddPromise", { "s", "a{sv}" } },
        { "ListPromises", { "b" } },
        { "ResolvePromise", { "t", "s" } },
        { "MovePromise", { "t", "s", "b" } },
        { "ListDateNights", {} },
        { "GetDateNightRule", {} },
        { "SetDateNightRule", { "a{sv}" } },
        { "MoveDateNight", { "t", "s" } },
        { "SkipDateNight", { "t" } },
        { "LogDateNight", { "t", "s" } },
        { "Away", { "s", "s" } },
        { "ExportCalendar", { "h" } },
        { "GetStats", { "u" } },
        { "Share", { "h" } },
        { "Unshare", {} },
        { "GetShare", {} },
        { "NoSuchMethod", { "s" } },
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static const char *const words[] = {
        "", "mine", "partner", "discuss", "ok", "no", "me", "accepted", "declined", "kept", "broken",
        "happened", "missed", "+1h", "+30min", "+1d", "+2h", "tomorrow 20:00", "fri 20:00", "20:00", "23:59",
        "2027-01-01", "2027-01-01 20:00", "2020-01-01", "9999-12-31", "me.name", "partner.name", "daily.time",
        "start", "datenight.remind", "notify", "notify.reveal", "ics.weeks", "cold", "cooling", "warm", "on",
        "off", "1h", "08:00", "00:00", "104", "105", "affection", "love", "lust", "fun", "title", "details",
        "category", "intensity", "private", "note", "response", "mood", "raincheck", "what", "where",
        "weekday", "weekdays", "vary", "time", "duration", "sat", "fri,sat,sun", ",,", "3h", "24h", "25h",
        "90min", "1", "6", "7", "a hug", "Küsse 💋 am Morgen", "\xe2\x80\xae", "bell\a", "two\nlines", "   ",
        "-1", "0", "18446744073709551615", "+0min", "+10000d", "mon", "sun", "nope",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

typedef struct Input {
        const uint8_t *p;
        size_t left;
} Input;

static uint8_t next(Input *in) {
        if (in->left == 0)
                return 0;
        in->left--;
        return *in->p++;
}

static uint64_t next_n(Input *in, int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; i++)
                v = v << 8 | next(in);
        return v;
}

/* --- the world: one manager, a template database, a connection per input --- */

static struct {
        Manager m;
        char *dir;      /* the run directory, the data dir */
        char *db_path;
        uint8_t *template_db;
        size_t template_size;
        sd_bus *client;
        char *ics;      /* my list as exported, for ImportPartnerList */
        char *helper;   /* closerd-ical of the same build */
        bool replied;
        char member[64]; /* of the call in flight */
        bool verbose; /* $FUZZ_BUS_LOG: the daemon's debug log and each reply */
} F;

static int make_pair(void) {
        int fds[2], r;
        sd_id128_t id = SD_ID128_MAKE(c1, 05, e2, 4d, 00, 00, 40, 00, 80, 00, 00, 00, 00, 00, 00, 01);

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
                return -errno;
        r = sd_bus_new(&F.m.bus);
        if (r >= 0)
                r = sd_bus_set_fd(F.m.bus, fds[0], fds[0]);
        if (r >= 0)
                r = sd_bus_set_server(F.m.bus, 1, id);
        if (r >= 0)
                r = sd_bus_set_anonymous(F.m.bus, 1);
        if (r >= 0)
                r = sd_bus_negotiate_fds(F.m.bus, 1);
        if (r >= 0)
                r = bus_setup(&F.m);
        if (r >= 0)
                r = sd_bus_start(F.m.bus);
        if (r < 0)
                return r;
        r = sd_bus_new(&F.client);
        if (r >= 0)
                r = sd_bus_set_fd(F.client, fds[1], fds[1]);
        /* Nothing should wait; should anything block, it gives up soon. */
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(F.client, 10 * 1000000ULL);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(F.m.bus, 10 * 1000000ULL);
        if (r >= 0)
                r = sd_bus_negotiate_fds(F.client, 1);
        if (r >= 0)
                r = sd_bus_start(F.client);
        if (r < 0)
                return r;
        /* Finish the handshake now: sd-bus would block for it before the
         * first descriptor, with nobody running the server end. */
        for (int i = 0; i < 1000 && sd_bus_is_ready(F.client) <= 0; i++) {
                r = sd_bus_process(F.m.bus, NULL);
                if (r >= 0)
                        r = sd_bus_process(F.client, NULL);
                if (r < 0)
                        return r;
        }
        return sd_bus_is_ready(F.client) > 0 ? 0 : -ETIMEDOUT;
}

static void drop_pair(void) {
        /* Let pending calls of the daemon (notifications) get their errors. */
        for (int i = 0; i < 64 && F.client && F.m.bus; i++) {
                int a = sd_bus_process(F.m.bus, NULL);
                int b = sd_bus_process(F.client, NULL);
                if (a <= 0 && b <= 0)
                        break;
        }
        /* Helpers of calls that expected no reply: killed, not waited for. */
        icaljob_cancel_all(&F.m);
        F.client = sd_bus_flush_close_unref(F.client);
        F.m.bus = sd_bus_flush_close_unref(F.m.bus);
}

/* Runs both ends, and the daemon's event loop for its iCalendar helpers,
 * until nothing moves (or the reply came, when wanted). */
static void pump(bool until_reply) {
        int idle = 0;
        for (int i = 0; i < 100000 && idle < 3; i++) {
                int a = F.m.bus ? sd_bus_process(F.m.bus, NULL) : 0;
                int b = sd_bus_process(F.client, NULL);
                if (a < 0 || b < 0)
                        break; /* a connection broke: raw input can do that */
                /* A helper running: wait for what it does next (its own
                 * time limit ends it), the buses were just served. The
                 * scheduler's timer stays off. */
                if (F.m.timer)
                        (void) sd_event_source_set_enabled(F.m.timer, SD_EVENT_OFF);
                int e = sd_event_run(F.m.event, a == 0 && b == 0 && icaljob_running(&F.m) > 0 ? 100 * 1000 : 0);
                if (e < 0)
                        break;
                if (until_reply && F.replied && a == 0 && b == 0 && e == 0)
                        break;
                idle = a == 0 && b == 0 && e == 0 && icaljob_running(&F.m) == 0 ? idle + 1 : 0;
        }
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *member = F.member;
        F.replied = true;
        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                /* Every failure says what went wrong, in words. */
                CHECK(e && e->name && e->name[0] && e->message && e->message[0]);
                if (F.verbose)
                        fprintf(stderr, "fuzz-bus: %s: %s: %s\n", member, e->name, e->message ? e->message : "");
                /* Synthesized by the client: the daemon took 10 s, or never answered. */
                CHECK(!sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY));
                return 0;
        } else if (F.verbose)
                fprintf(stderr, "fuzz-bus: %s: ok\n", member);
        return 0;
}

/* Sends m and runs both ends until its reply; every call must get one. */
static void call(sd_bus_message *m) {
        F.replied = false;
        (void) snprintf(F.member, sizeof(F.member), "%s", sd_bus_message_get_member(m) ? sd_bus_message_get_member(m) : "");
        int r = sd_bus_call_async(F.client, NULL, m, on_reply, NULL, 0);
        if (r < 0)
                return; /* the client could not send it: nothing reached the daemon */
        pump(true);
        if (sd_bus_is_open(F.m.bus) > 0 && sd_bus_is_open(F.client) > 0)
                CHECK(F.replied);
}

/* --- values --- */

static char *utf8_from(const uint8_t *p, size_t n) {
        char *s = malloc(n + 1);
        if (!s)
                return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n;) {
                uint8_t c = p[i];
                size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
                bool good = len > 0 && i + len <= n && c != 0;
                for (size_t j = 1; good && j < len; j++)
                        good = (p[i + j] & 0xc0) == 0x80;
                if (good && len == 2)
                        good = c >= 0xc2;
                if (good && len == 3) {
                        unsigned cp = (c & 0x0fu) << 12 | (p[i + 1] & 0x3fu) << 6 | (p[i + 2] & 0x3fu);
                        good = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
                }
                if (good && len == 4) {
                        unsigned cp = (c & 0x07u) << 18 | (p[i + 1] & 0x3fu) << 12;
                        good = cp >= 0x10000 && cp <= 0x10ffff;
                }
                if (good) {
                        memcpy(s + k, p + i, len);
                        k += len;
                        i += len;
                } else {
                        s[k++] = '?';
                        i++;
                }
        }
        s[k] = '\0';
        return s;
}

static char *next_string(Input *in) {
        uint8_t sel = next(in);
        if (sel < 0x80)
                return strdup(words[sel % N_WORDS]);
        if (sel == 0xff) {
                size_t n = (size_t) next(in) * 1024 + 1;
                char *s = malloc(n + 1);
                if (s) {
                        memset(s, 'a' + (int) (n % 26), n);
                        s[n] = '\0';
                }
                return s;
        }
        size_t n = MIN((size_t) (sel - 0x80), in->left);
        char *s = utf8_from(in->p, n);
        in->p += n;
        in->left -= n;
        return s;
}

static uint64_t next_u64(Input *in) {
        static const uint64_t edges[] = { 0, 1, 2, INT64_MAX, (uint64_t) INT64_MAX + 1, UINT64_MAX, 999999, 10000,
                                          UINT32_MAX, (uint64_t) UINT32_MAX + 1, 3, 4, 5, 6, 7, 8 };
        uint8_t sel = next(in);
        if (sel < 0xe0)
                return sel % 24;
        if (sel < 0xf0)
                return edges[sel & 0x0f];
        return next_n(in, 8);
}

/* A descriptor: a memfd with input bytes or my list, a pipe, /dev/null, a
 * directory, a read-only file. Returns -1 when none could be made. */
static int next_fd(Input *in) {
        uint8_t sel = next(in) % 8;
        int fd = -1, fds[2];
        switch (sel) {
        case 0:
        case 1: {
                fd = memfd_create("fuzz", MFD_CLOEXEC);
                if (fd < 0)
                        return -1;
                if (sel == 1 && F.ics)
                        (void) !write(fd, F.ics, strlen(F.ics));
                else {
                        size_t n = (size_t) next(in) * 4;
                        n = MIN(n, in->left);
                        (void) !write(fd, in->p, n);
                        in->p += n;
                        in->left -= n;
                }
                return fd;
        }
        case 2:
                if (pipe2(fds, O_CLOEXEC) < 0)
                        return -1;
                close(fds[next(in) & 1]);
                return fds[0] >= 0 && fcntl(fds[0], F_GETFD) >= 0 ? fds[0] : fds[1];
        case 3:
                return open("/dev/null", O_RDWR | O_CLOEXEC);
        case 4:
                return open(F.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        case 5:
                return open(F.db_path, O_RDONLY | O_CLOEXEC); /* read-only: writes fail */
        case 6:
                return memfd_create("fuzz-empty", MFD_CLOEXEC);
        default:
                return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        }
}

static int append_value(sd_bus_message *m, const char *type, Input *in, int depth);

static int append_variant(sd_bus_message *m, Input *in, int depth) {
        static const char *const types[] = { "s", "i", "u", "t", "x", "b", "d", "as", "v", "y", "n", "q", "a{sv}", "(s)" };
        const char *t = types[next(in) % (depth > 2 ? 7 : sizeof(types) / sizeof(types[0]))];
        int r = sd_bus_message_open_container(m, 'v', t);
        if (r >= 0)
                r = append_value(m, t, in, depth + 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_value(sd_bus_message *m, const char *type, Input *in, int depth) {
        int r;
        switch (type[0]) {
        case 's': {
                char *s = next_string(in);
                if (!s)
                        return -ENOMEM;
                r = sd_bus_message_append_basic(m, 's', s);
                free(s);
                return r;
        }
        case 't':
        case 'x': {
                uint64_t v = next_u64(in);
                return sd_bus_message_append_basic(m, type[0], &v);
        }
        case 'u':
        case 'i': {
                uint32_t v = (uint32_t) next_u64(in);
                return sd_bus_message_append_basic(m, type[0], &v);
        }
        case 'n':
        case 'q': {
                uint16_t v = (uint16_t) next_u64(in);
                return sd_bus_message_append_basic(m, type[0], &v);
        }
        case 'y': {
                uint8_t v = (uint8_t) next_u64(in);
                return sd_bus_message_append_basic(m, 'y', &v);
        }
        case 'b': {
                int v = next(in) & 1;
                return sd_bus_message_append_basic(m, 'b', &v);
        }
        case 'd': {
                double v = (double) (int64_t) next_u64(in) / 2;
                return sd_bus_message_append_basic(m, 'd', &v);
        }
        case 'h': {
                int fd = next_fd(in);
                if (fd < 0)
                        return -EBADF;
                r = sd_bus_message_append_basic(m, 'h', &fd); /* sd-bus keeps a duplicate */
                close(fd);
                return r;
        }
        case 'v':
                return append_variant(m, in, depth);
        case '(':
                r = sd_bus_message_open_container(m, 'r', "s");
                if (r >= 0)
                        r = append_value(m, "s", in, depth + 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        case 'a':
                if (streq(type, "as")) {
                        r = sd_bus_message_open_container(m, 'a', "s");
                        for (int i = next(in) % 4; r >= 0 && i > 0; i--)
                                r = append_value(m, "s", in, depth + 1);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                        return r;
                }
                /* a{sv}: keys are words mostly, the values any type */
                r = sd_bus_message_open_container(m, 'a', "{sv}");
                for (int i = next(in) % 6; r >= 0 && i > 0; i--) {
                        r = sd_bus_message_open_container(m, 'e', "sv");
                        if (r >= 0)
                                r = append_value(m, "s", in, depth + 1);
                        if (r >= 0)
                                r = append_variant(m, in, depth + 1);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        default:
                return -EINVAL;
        }
}

static void step_method(uint8_t op, Input *in) {
        static const char *const wrong[] = { "s", "u", "t", "b", "a{sv}", "h", "as", "v", "d", "i" };
        const Method *meth = &methods[op % N_METHODS];
        sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(F.client, &m, NULL, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, meth->name);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(meth->args) && meth->args[i]; i++) {
                uint8_t mode = next(in);
                if (mode == 0xfd)
                        break;
                r = append_value(m, mode == 0xfe ? wrong[next(in) % ELEMENTSOF(wrong)] : meth->args[i], in, 0);
        }
        if (r >= 0 && in->left > 0 && in->p[0] == 0xee) {
                next(in);
                r = append_value(m, "s", in, 0);
        }
        if (r >= 0)
                call(m);
        sd_bus_message_unref(m);
}

static void step_property(uint8_t op, Input *in) {
        static const char *const props[] = { "Version", "MyItems", "PartnerItems", "Nope", "" };
        static const char *const ifaces[] = { CLOSER_INTERFACE, "org.freedesktop.DBus.Properties", "" };
        sd_bus_message *m = NULL;
        const char *member = (op & 3) == 0 ? "Get" : (op & 3) == 1 ? "GetAll" : "Set";
        int r = sd_bus_message_new_method_call(F.client, &m, NULL, CLOSER_OBJECT_PATH,
                                               "org.freedesktop.DBus.Properties", member);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', ifaces[next(in) % ELEMENTSOF(ifaces)]);
        if (r >= 0 && !streq(member, "GetAll"))
                r = sd_bus_message_append_basic(m, 's', props[next(in) % ELEMENTSOF(props)]);
        if (r >= 0 && streq(member, "Set"))
                r = append_variant(m, in, 0);
        if (r >= 0)
                call(m);
        sd_bus_message_unref(m);
}

/* --- hand-made messages --- */

typedef struct Buf {
        uint8_t b[70000];
        size_t n;
} Buf;

static void put(Buf *b, const void *p, size_t n) {
        n = MIN(n, sizeof(b->b) - b->n);
        memcpy(b->b + b->n, p, n);
        b->n += n;
}

static void pad(Buf *b, size_t a) {
        static const uint8_t zero[8];
        put(b, zero, (a - b->n % a) % a);
}

static void put_u32(Buf *b, uint32_t v) {
        pad(b, 4);
        put(b, &v, 4);
}

static void put_field(Buf *b, uint8_t code, char type, const char *v) {
        pad(b, 8);
        uint8_t sig[3] = { 1, (uint8_t) type, 0 };
        put(b, &code, 1);
        put(b, sig, 3);
        if (type == 'g') {
                uint8_t len = (uint8_t) strlen(v);
                put(b, &len, 1);
                put(b, v, len + 1);
        } else {
                put_u32(b, (uint32_t) strlen(v));
                put(b, v, strlen(v) + 1);
        }
}

static void send_raw(const Buf *b) {
        int fd = sd_bus_get_fd(F.client);
        size_t done = 0;
        for (int i = 0; done < b->n && i < 1000; i++) {
                ssize_t k = write(fd, b->b + done, b->n - done);
                if (k > 0)
                        done += (size_t) k;
                else if (k < 0 && errno != EAGAIN && errno != EINTR)
                        break;
                if (F.m.bus)
                        (void) sd_bus_process(F.m.bus, NULL);
        }
        pump(false);
        if (F.verbose)
                fprintf(stderr, "fuzz-bus: %zu raw bytes sent, %zu written; the server connection is %s\n", b->n, done,
                        sd_bus_is_open(F.m.bus) > 0 ? "open" : "closed");
}

/* A method call whose header is right and whose body is the input's. */
static void step_raw_body(uint8_t op, Input *in) {
        static Buf b;
        const Method *meth = &methods[next(in) % N_METHODS];
        char sig[64] = "";
        if (op & 1)
                for (size_t i = 0; i < ELEMENTSOF(meth->args) && meth->args[i]; i++)
                        strncat(sig, meth->args[i], sizeof(sig) - strlen(sig) - 1);
        else {
                char *s = next_string(in);
                if (s)
                        (void) snprintf(sig, sizeof(sig), "%s", s);
                free(s);
        }
        size_t body = (size_t) next(in) * ((op & 2) ? 16 : 1);
        body = MIN(body, in->left);
        b.n = 0;
        uint8_t head[4] = { 'l', 1 /* method call */, (uint8_t) (op & 4 ? 1 : 0) /* no reply expected */, 1 };
        put(&b, head, 4);
        put_u32(&b, (uint32_t) body);
        put_u32(&b, 0x1000 + (uint32_t) op);
        size_t len_at = b.n;
        put_u32(&b, 0);
        size_t fields_start = b.n;
        put_field(&b, 1, 'o', CLOSER_OBJECT_PATH);
        put_field(&b, 2, 's', CLOSER_INTERFACE);
        put_field(&b, 3, 's', meth->name);
        if (sig[0])
                put_field(&b, 8, 'g', sig);
        uint32_t flen = (uint32_t) (b.n - fields_start);
        memcpy(b.b + len_at, &flen, 4);
        pad(&b, 8);
        put(&b, in->p, body);
        in->p += body;
        in->left -= body;
        send_raw(&b);
}

/* Raw bytes, header and all. */
static void step_raw_bytes(Input *in) {
        static Buf b;
        size_t n = (size_t) next_n(in, 2);
        n = MIN(n, in->left);
        b.n = 0;
        put(&b, in->p, n);
        in->p += n;
        in->left -= n;
        send_raw(&b);
}

/* --- set-up --- */

static void seed_call(const char *member, const char *types, ...) {
        sd_bus_message *m = NULL;
        va_list ap;
        int r = sd_bus_message_new_method_call(F.client, &m, NULL, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member);
        CHECK(r >= 0);
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                CHECK(r >= 0);
        }
        call(m);
        sd_bus_message_unref(m);
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_size) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        uint8_t *buf = NULL;
        size_t n = 0, cap = 0;
        for (;;) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 65536;
                        uint8_t *p = realloc(buf, cap);
                        CHECK(p);
                        buf = p;
                }
                size_t k = fread(buf + n, 1, cap - n, f);
                n += k;
                if (k == 0)
                        break;
        }
        fclose(f);
        *ret = buf;
        *ret_size = n;
        return 0;
}

static void open_store(void) {
        char *error = NULL;
        int r = store_open(F.dir, &F.m.store, &error);
        if (r < 0)
                fprintf(stderr, "fuzz-bus: store_open(%s): %s\n", F.dir, error ? error : strerror(-r));
        CHECK(r >= 0);
        free(error);
}

static void reset_store(void) {
        char path[4096];
        F.m.store = store_free(F.m.store);
        (void) snprintf(path, sizeof(path), "%s-wal", F.db_path);
        (void) unlink(path);
        (void) snprintf(path, sizeof(path), "%s-shm", F.db_path);
        (void) unlink(path);
        int fd = open(F.db_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, F.template_db, F.template_size) == (ssize_t) F.template_size);
        close(fd);
        open_store();
}

/* Leaves no temporary directory behind (a crash does: it keeps the evidence). */
static void cleanup(void) {
        char path[4096];
        static const char *const names[] = { "closer.db", "closer.db-wal", "closer.db-shm", "datenights.ics" };
        F.m.store = store_free(F.m.store);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                (void) snprintf(path, sizeof(path), "%s/%s", F.dir, names[i]);
                (void) unlink(path);
        }
        (void) rmdir(F.dir);
}

static void setup(void) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        char tmpl[4096];

        CHECK(setenv("TZ", "Europe/Berlin", 1) == 0);
        tzset();
        F.verbose = getenv("FUZZ_BUS_LOG");
        log_set_max_level(F.verbose ? LOG_DEBUG : LOG_CRIT);
        (void) snprintf(tmpl, sizeof(tmpl), "%s/fuzz-bus.XXXXXX", base);
        CHECK(mkdtemp(tmpl));
        CHECK(asprintf(&F.dir, "%s", tmpl) > 0);
        CHECK(asprintf(&F.db_path, "%s/closer.db", F.dir) > 0);
        CHECK(atexit(cleanup) == 0);
        F.m = (Manager){ .version = "fuzz", .clock_fd = -1, .tz_fd = -1, .tz_file_wd = -1 };
        F.m.data_dir = F.dir;
        /* The iCalendar helper of the same build: build/closerd-ical
         * for build/fuzz/fuzz-bus and build/libfuzzer/fuzz-bus; its exits
         * are seen by sd-event with SIGCHLD blocked, as in closerd. */
        char exe[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        CHECK(k > 0);
        exe[k] = 0;
        *strrchr(exe, '/') = 0;
        *strrchr(exe, '/') = 0;
        CHECK(asprintf(&F.helper, "%s/closerd-ical", exe) > 0);
        CHECK(access(F.helper, X_OK) == 0);
        icaljob_set_helper(F.helper);
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        CHECK(sigprocmask(SIG_BLOCK, &chld, NULL) == 0);
        CHECK(sd_event_new(&F.m.event) >= 0);
        open_store();

        /* The seeded world: both lists, today's act, a rain check. */
        CHECK(make_pair() >= 0);
        for (int i = 0; i < 6; i++) {
                char title[32];
                (void) snprintf(title, sizeof(title), "seed item %d", i + 1);
                seed_call("AddItem", "sa{sv}", title, 1, "intensity", "u", (uint32_t) (i % 3 + 1));
        }
        int fd = memfd_create("seed", MFD_CLOEXEC);
        CHECK(fd >= 0);
        seed_call("ExportList", "h", fd);
        struct stat st;
        CHECK(fstat(fd, &st) == 0 && st.st_size > 0);
        F.ics = calloc(1, (size_t) st.st_size + 1);
        CHECK(F.ics && pread(fd, F.ics, (size_t) st.st_size, 0) == st.st_size);
        seed_call("SetSetting", "ss", "daily.time", "00:00");
        seed_call("ImportPartnerList", "h", fd);
        close(fd);
        seed_call("GetToday", NULL);
        seed_call("AddPromise", "sa{sv}", "+2h", 1, "what", "s", "seed");
        seed_call("RecordAdvance", "ssa{sv}", "partner", "declined", 1, "raincheck", "s", "+3h");
        seed_call("ListDateNights", NULL);
        drop_pair();
        F.m.store = store_free(F.m.store);
        CHECK(read_file(F.db_path, &F.template_db, &F.template_size) == 0 && F.template_size > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool initialized = false;
        Input in = { data, size };

        if (!initialized) {
                setup();
                initialized = true;
        }
        if (size > 65536)
                return 0;

        reset_store();
        CHECK(make_pair() >= 0);
        for (int steps = 0; steps < MAX_STEPS && in.left > 0 && F.m.bus; steps++) {
                uint8_t op = next(&in);
                if (F.verbose)
                        fprintf(stderr, "fuzz-bus: step %d: op 0x%02x, %zu bytes left\n", steps, op, in.left);
                if (op < 0xf0)
                        step_method(op, &in);
                else if (op < 0xf8)
                        step_raw_body(op, &in);
                else if (op < 0xfc) {
                        step_raw_bytes(&in);
                        break;
                } else
                        step_property(op, &in);
                if (op < 0xf0 || op >= 0xfc)
                        /* A well-formed call never costs the connection. */
                        CHECK(sd_bus_is_open(F.m.bus) > 0);
                else if (sd_bus_is_open(F.m.bus) <= 0)
                        break;
        }
        drop_pair();
        return 0;
}
