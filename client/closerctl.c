/* SPDX-License-Identifier: MIT */
/*
 * closerctl: the command line of closer. A thin client: every command is a
 * call of closerd's D-Bus API and a presentation of the reply; no database,
 * no schedule logic. --json prints the reply as one JSON document.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "echo.h"
#include "macro.h"
#include "output.h"

#define BUS_NAME "io.github.closer.Closer1"
#define OBJECT_PATH "/io/github/closer/Closer1"
#define INTERFACE "io.github.closer.Closer1"

static inline void json_putp(json_object **j) {
        json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* Options, shared by all commands; each command says which it takes. */
enum {
        OPT_JSON = 1 << 0,
        OPT_CATEGORY = 1 << 1,
        OPT_INTENSITY = 1 << 2,
        OPT_PRIVATE = 1 << 3,
        OPT_DETAILS = 1 << 4,
        OPT_TITLE = 1 << 5,
        OPT_DISCREET = 1 << 6,
        OPT_FROM = 1 << 7,
        OPT_IDEA = 1 << 8,
        OPT_NOTE = 1 << 9,
        OPT_RESPONSE = 1 << 10,
        OPT_MOOD = 1 << 11,
        OPT_UNTIL = 1 << 12,
        OPT_BY = 1 << 13,
        OPT_RAINCHECK = 1 << 14,
        OPT_WHAT = 1 << 15,
        OPT_WHERE = 1 << 16,
        OPT_BY_PARTNER = 1 << 17,
        OPT_ALL = 1 << 18,
        OPT_WEEKDAY = 1 << 19,
        OPT_TIME = 1 << 20,
        OPT_VARY = 1 << 21,
        OPT_WEEKDAYS = 1 << 22,
        OPT_DURATION = 1 << 23,
        OPT_WEEKS = 1 << 24,
        OPT_REPLACE = 1 << 25,
        OPT_OWED_BY = 1 << 26,
        OPT_SINCE = 1 << 30,
        OPT_ITEM = 1u << 31,
};
/* Past the 32 bits of an enum. */
#define OPT_YES (UINT64_C(1) << 32)

static int arg_json = 0;
static int arg_help = 0;
static const char *arg_category = NULL;
static const char *arg_intensity = NULL;
static int arg_private = -1; /* -1 unset, 0 --public, 1 --private */
static const char *arg_details = NULL;
static const char *arg_title = NULL;
static int arg_discreet = -1; /* -1 unset: the setting "discreet" decides */
static const char *arg_from = NULL;
static const char *arg_idea = NULL;
static const char *arg_note = NULL;
static const char *arg_response = NULL;
static const char *arg_mood = NULL;
static const char *arg_until = NULL;
static const char *arg_by = NULL;
static const char *arg_raincheck = NULL;
static const char *arg_what = NULL;
static const char *arg_where = NULL;
static int arg_by_partner = 0;
static int arg_all = 0;
static const char *arg_weekday = NULL;
static const char *arg_time = NULL;
static int arg_vary = 0;
static const char *arg_weekdays = NULL;
static const char *arg_duration = NULL;
static const char *arg_weeks = NULL;
static int arg_replace = 0;
static int arg_yes = 0;
static const char *arg_owed_by = NULL;
static const char *arg_since = NULL;
static const char *arg_item = NULL;
static uint64_t arg_given = 0;
static bool use_color = false;

/* Every option, once: its name, its bit in a command's set of options, and
 * where its value goes (a string, or a number set to flag_value). */
typedef struct Option {
        const char *name;
        int has_arg;
        uint64_t bit;
        const char **value;
        int *flag;
        int flag_value;
        const char *hint; /* the values it takes, for "needs a value (...)" */
} Option;

static const Option options[] = {
        { "json", no_argument, OPT_JSON, .flag = &arg_json, .flag_value = 1 },
        { "category", required_argument, OPT_CATEGORY, &arg_category, .hint = "affection, love, lust, fun" },
        { "intensity", required_argument, OPT_INTENSITY, &arg_intensity,
          .hint = "1 gentle, 2 intimate, 3 explicit" },
        { "private", no_argument, OPT_PRIVATE, .flag = &arg_private, .flag_value = 1 },
        { "public", no_argument, OPT_PRIVATE, .flag = &arg_private, .flag_value = 0 },
        { "details", required_argument, OPT_DETAILS, &arg_details, .hint = "a text" },
        { "title", required_argument, OPT_TITLE, &arg_title, .hint = "a text" },
        { "discreet", no_argument, OPT_DISCREET, .flag = &arg_discreet, .flag_value = 1 },
        { "no-discreet", no_argument, OPT_DISCREET, .flag = &arg_discreet, .flag_value = 0 },
        { "from", required_argument, OPT_FROM, &arg_from, .hint = "a file, or - for standard input" },
        { "idea", required_argument, OPT_IDEA, &arg_idea, .hint = "the number of an idea, see list ideas" },
        { "note", required_argument, OPT_NOTE, &arg_note, .hint = "a text" },
        { "response", required_argument, OPT_RESPONSE, &arg_response, .hint = "1-5" },
        { "mood", required_argument, OPT_MOOD, &arg_mood, .hint = "1-5" },
        { "until", required_argument, OPT_UNTIL, &arg_until, .hint = "a date, YYYY-MM-DD" },
        { "by", required_argument, OPT_BY, &arg_by, .hint = "me or partner" },
        { "raincheck", required_argument, OPT_RAINCHECK, &arg_raincheck, .hint = "WHEN, e.g. sat 20:00" },
        { "what", required_argument, OPT_WHAT, &arg_what, .hint = "a text" },
        { "where", required_argument, OPT_WHERE, &arg_where, .hint = "a text" },
        { "by-partner", no_argument, OPT_BY_PARTNER, .flag = &arg_by_partner, .flag_value = 1 },
        { "all", no_argument, OPT_ALL, .flag = &arg_all, .flag_value = 1 },
        { "weekday", required_argument, OPT_WEEKDAY, &arg_weekday, .hint = "mon, tue, ... sun" },
        { "time", required_argument, OPT_TIME, &arg_time, .hint = "HH:MM" },
        { "vary", no_argument, OPT_VARY, .flag = &arg_vary, .flag_value = 1 },
        { "weekdays", required_argument, OPT_WEEKDAYS, &arg_weekdays, .hint = "weekdays, e.g. fri,sat" },
        { "duration", required_argument, OPT_DURATION, &arg_duration, .hint = "e.g. 3h or 90min" },
        { "weeks", required_argument, OPT_WEEKS, &arg_weeks, .hint = "a number of weeks" },
        { "replace", no_argument, OPT_REPLACE, .flag = &arg_replace, .flag_value = 1 },
        { "yes", no_argument, OPT_YES, .flag = &arg_yes, .flag_value = 1 },
        { "owed-by", required_argument, OPT_OWED_BY, &arg_owed_by, .hint = "me or partner" },
        { "since", required_argument, OPT_SINCE, &arg_since, .hint = "a date, YYYY-MM-DD" },
        { "item", required_argument, OPT_ITEM, &arg_item, .hint = "an item ID" },
};

static sd_bus *bus = NULL;

static const char *ansi(const char *code) {
        return use_color ? code : "";
}
#define BOLD ansi("\033[1m")
#define DIM ansi("\033[2m")
#define RED ansi("\033[31m")
#define YELLOW ansi("\033[33m")
#define RESET ansi("\033[0m")

/* --- the bus --- */

static int connect_bus(void) {
        if (bus)
                return 0;
        int r = sd_bus_open_user(&bus);
        if (r < 0)
                return fail("cannot connect to the session bus: %s (is DBUS_SESSION_BUS_ADDRESS set?)",
                            strerror(-r));
        return 0;
}

static int new_call(const char *method, sd_bus_message **ret) {
        int r = connect_bus();
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, ret, BUS_NAME, OBJECT_PATH, INTERFACE, method);
        if (r < 0)
                return fail("cannot build the call %s: %s", method, strerror(-r));
        return 0;
}

/* Prints the daemon's own words for a failed call. */
static int report_call_error(const sd_bus_error *error, int r) {
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                   "org.freedesktop.DBus.Error.Spawn.ServiceNotFound"))
                return fail("closerd is not running and cannot be started on this bus: %s",
                            error->message ? error->message : strerror(-r));
        return fail("%s", error->message ? error->message : strerror(-r));
}

/* Sends the call; on failure prints the daemon's own words. */
static int send_call(sd_bus_message *m, sd_bus_message **reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call(bus, m, 0, &error, reply);
        if (r < 0)
                return report_call_error(&error, r);
        return 0;
}

/* A call without arguments whose failure is not reported. */
static int call_quiet(const char *method, sd_bus_message **reply) {
        int r = connect_bus();
        if (r < 0)
                return r;
        return sd_bus_call_method(bus, BUS_NAME, OBJECT_PATH, INTERFACE, method, NULL, reply, NULL);
}

static void append_failed(int r) {
        if (r == -EINVAL)
                fail("an argument is not valid UTF-8 text");
        else
                fail("cannot build the call: %s", strerror(-r));
}

/* Calls a method whose arguments are all basic, given as sd_bus types. */
static int call(const char *method, sd_bus_message **reply, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = new_call(method, &m);
        if (r < 0)
                return r;
        if (types) {
                va_list ap;
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0) {
                        append_failed(r);
                        return r;
                }
        }
        return send_call(m, reply);
}

/* Closes the a{sv} of a call being built (unless building it failed
 * already) and sends the call. */
static int close_and_send(sd_bus_message *m, int r, sd_bus_message **reply) {
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0) {
                append_failed(r);
                return r;
        }
        return send_call(m, reply);
}

/* --- replies as JSON --- */

static json_object *variant_to_json(sd_bus_message *m);

/* Reads one complete value of the next type in m. */
static json_object *value_to_json(sd_bus_message *m, char type, const char *contents) {
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
        } v;
        int r;

        switch (type) {
        case 'a': {
                bool dict = contents[0] == '{';
                json_object *j = dict ? json_object_new_object() : json_object_new_array();
                if (!j || sd_bus_message_enter_container(m, 'a', contents) < 0)
                        goto fail_container;
                for (;;) {
                        char t;
                        const char *c;
                        r = sd_bus_message_peek_type(m, &t, &c);
                        if (r <= 0)
                                break;
                        if (dict) {
                                const char *key;
                                char kt;
                                if (sd_bus_message_enter_container(m, 'e', c) < 0 ||
                                    sd_bus_message_peek_type(m, &kt, NULL) <= 0 || kt != 's' ||
                                    sd_bus_message_read_basic(m, 's', &key) < 0)
                                        goto fail_container;
                                char vt;
                                const char *vc;
                                if (sd_bus_message_peek_type(m, &vt, &vc) <= 0)
                                        goto fail_container;
                                /* D-Bus has no null: NULL is a value that cannot be read. */
                                json_object *e = value_to_json(m, vt, vc);
                                if (!e)
                                        goto fail_container;
                                json_object_object_add(j, key, e);
                                if (sd_bus_message_exit_container(m) < 0)
                                        goto fail_container;
                        } else {
                                json_object *e = value_to_json(m, t, c);
                                if (!e)
                                        goto fail_container;
                                json_object_array_add(j, e);
                        }
                }
                if (sd_bus_message_exit_container(m) < 0)
                        goto fail_container;
                return j;
        fail_container:
                json_object_put(j);
                return NULL;
        }
        case 'v':
                return variant_to_json(m);
        case 'r': {
                json_object *j = json_object_new_array();
                if (sd_bus_message_enter_container(m, 'r', contents) < 0) {
                        json_object_put(j);
                        return NULL;
                }
                char t;
                const char *c;
                while (sd_bus_message_peek_type(m, &t, &c) > 0) {
                        json_object *e = value_to_json(m, t, c);
                        if (!e) {
                                json_object_put(j);
                                return NULL;
                        }
                        json_object_array_add(j, e);
                }
                if (sd_bus_message_exit_container(m) < 0) {
                        json_object_put(j);
                        return NULL;
                }
                return j;
        }
        default:
                break;
        }
        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return NULL;
        switch (type) {
        case 'y': return json_object_new_int(v.y);
        case 'b': return json_object_new_boolean(v.b);
        case 'n': return json_object_new_int(v.n);
        case 'q': return json_object_new_int(v.q);
        case 'i': return json_object_new_int(v.i);
        case 'u': return json_object_new_int64(v.u);
        case 'x': return json_object_new_int64(v.x);
        case 't': return json_object_new_uint64(v.t);
        case 'd': return json_object_new_double(v.d);
        case 's':
        case 'o':
        case 'g': return json_object_new_string(v.s);
        default: return NULL;
        }
}

static json_object *variant_to_json(sd_bus_message *m) {
        char t;
        const char *c;
        if (sd_bus_message_enter_container(m, 'v', NULL) < 0)
                return NULL;
        if (sd_bus_message_peek_type(m, &t, &c) <= 0)
                return NULL;
        json_object *j = value_to_json(m, t, c);
        (void) sd_bus_message_exit_container(m);
        return j;
}

/* The next value of the reply as JSON. */
static json_object *reply_to_json(sd_bus_message *reply) {
        char t;
        const char *c;
        if (sd_bus_message_peek_type(reply, &t, &c) <= 0)
                return NULL;
        return value_to_json(reply, t, c);
}

/* The fields SPEC 6 always has, as null when the daemon has no value. */
static void json_fill_nulls(json_object *o, const char *const *keys) {
        if (!json_object_is_type(o, json_type_object))
                return;
        for (; *keys; keys++)
                if (!json_object_object_get_ex(o, *keys, NULL))
                        json_object_object_add(o, *keys, NULL);
}

static void json_fill_nulls_each(json_object *a, const char *const *keys) {
        for (size_t i = 0; json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
                json_fill_nulls(json_object_array_get_idx(a, i), keys);
}

static int print_json(json_object *j) {
        const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return fail("out of memory");
        puts(s);
        return 0;
}

/* Prints one small object of key, value pairs (the values are taken),
 * ended by PAIRS_END: print_json_pairs("id", json_object_new_int64(1), PAIRS_END). */
#define PAIRS_END ((const char *) NULL)
static int print_json_pairs(const char *key, ...) __attribute__((sentinel));
static int print_json_pairs(const char *key, ...) {
        _cleanup_json_ json_object *j = json_object_new_object();
        va_list ap;
        va_start(ap, key);
        for (; key; key = va_arg(ap, const char *))
                json_object_object_add(j, key, va_arg(ap, json_object *));
        va_end(ap);
        return print_json(j);
}

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return NULL;
        return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *key, int64_t def) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return def;
        return json_object_get_int64(v);
}

static bool jbool(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && v && json_object_get_boolean(v);
}

/* --- arguments --- */

static int parse_uint(const char *s, uint64_t max, uint64_t *ret) {
        char *end;
        if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int parse_item_id(const char *s, uint64_t *ret) {
        if (parse_uint(s, INT64_MAX, ret) < 0 || *ret == 0)
                return usage_error("'%.*s%s' is not an item ID (a positive number, see closerctl list)", ECHO(s));
        return 0;
}

/* The item fields given as options, as the a{sv} of AddItem/EditItem. */
static int append_item_fields(sd_bus_message *m) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && arg_title)
                r = sd_bus_message_append(m, "{sv}", "title", "s", arg_title);
        if (r >= 0 && arg_details)
                r = sd_bus_message_append(m, "{sv}", "details", "s", arg_details);
        if (r >= 0 && arg_category)
                r = sd_bus_message_append(m, "{sv}", "category", "s", arg_category);
        if (r >= 0 && arg_intensity) {
                uint64_t v;
                if (parse_uint(arg_intensity, UINT32_MAX, &v) < 0)
                        return usage_error("--intensity must be 1 (gentle), 2 (intimate) or 3 (explicit), not '%.*s%s'",
                                           ECHO(arg_intensity));
                r = sd_bus_message_append(m, "{sv}", "intensity", "u", (uint32_t) v);
        }
        if (r >= 0 && arg_private >= 0)
                r = sd_bus_message_append(m, "{sv}", "private", "b", arg_private);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

/* --- files: they cross the bus as descriptors --- */

#define ITEM_OPTS_MASK (OPT_CATEGORY | OPT_INTENSITY | OPT_PRIVATE | OPT_DETAILS)

/* Copies all of in into a new memfd, for input that is not a regular file
 * (stdin from a pipe or a terminal). */
static int memfd_from(int in) {
        int fd = memfd_create("closerctl", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        char buf[65536];
        for (;;) {
                ssize_t k = read(in, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int e = -errno;
                        close(fd);
                        return e;
                }
                if (k == 0)
                        break;
                if (write(fd, buf, (size_t) k) != k) {
                        close(fd);
                        return -EIO;
                }
        }
        return fd;
}

/* A file for the daemon to read: FILE, or "-" for stdin. */
static int open_input(const char *path) {
        struct stat st;
        int fd;
        if (streq(path, "-"))
                fd = fstat(STDIN_FILENO, &st) >= 0 && S_ISREG(st.st_mode) ? dup(STDIN_FILENO)
                                                                         : memfd_from(STDIN_FILENO);
        else {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
                        close(fd);
                        return fail("%.*s%s: not a regular file", ECHO(path));
                }
        }
        if (fd < 0)
                return fail("%.*s%s: %s", ECHO(streq(path, "-") ? "standard input" : path), strerror(errno));
        return fd;
}

/* Calls METHOD(h) with a file for the daemon to write (see output.h): the
 * target is touched only after the daemon's reply succeeded. */
static int call_with_output(const char *method, Output *out, sd_bus_message **reply) {
        int r = call(method, reply, "h", out->fd);
        if (r < 0)
                return r;
        return output_commit(out);
}

/* --- discretion: for a shared screen --- */

/* A setting's value (a copy), NULL when it cannot be read. */
static char *setting_value(const char *key) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (call_quiet("GetSettings", &reply) < 0 || sd_bus_message_enter_container(reply, 'a', "{ss}") < 0)
                return NULL;
        const char *k, *v;
        while (sd_bus_message_read(reply, "{ss}", &k, &v) > 0)
                if (streq(k, key))
                        return strdup(v);
        return NULL;
}

/* Whether private items show by their category and ID only: --discreet or
 * --no-discreet, else the setting "discreet" (read once; on, the safe side,
 * when it cannot be read). */
static bool discreet(void) {
        if (arg_discreet >= 0)
                return arg_discreet;
        _cleanup_(freep) char *v = setting_value("discreet");
        arg_discreet = v ? streq(v, "on") : 1;
        return arg_discreet;
}

/* partner.name, or "my partner" when unset (read once). */
static const char *partner_name(void) {
        static char *name = NULL;
        if (!name) {
                name = setting_value("partner.name");
                if (!name || !name[0]) {
                        free(name);
                        name = strdup("my partner");
                }
        }
        return name ?: "my partner";
}

/* A private item of a reply, made discreet in place: its category stands
 * in for its title, and nothing else of its text is kept. */
static void hide_private(json_object *it) {
        json_object *twist;
        /* The setting is asked for only when there is something to hide. */
        if (!json_object_is_type(it, json_type_object) || !(jbool(it, "private") || jbool(it, "twist_private")) ||
            !discreet())
                return;
        /* Today's twist may name another item, private or not. */
        if (jbool(it, "twist_private") && json_object_object_get_ex(it, "twist", &twist)) {
                char *t = NULL;
                if (asprintf(&t, "combine it with item %" PRIi64 " (%s)", jint(it, "twist_item", 0),
                             jstr(it, "twist_category") ?: "private") >= 0) {
                        json_object_object_add(it, "twist", json_object_new_string(t));
                        free(t);
                }
        }
        if (!jbool(it, "private"))
                return;
        json_object_object_add(it, "title", json_object_new_string(jstr(it, "category") ?: "private"));
        json_object_object_del(it, "details");
        if (json_object_object_get_ex(it, "note", NULL))
                json_object_object_add(it, "note", NULL);
        json_object_object_add(it, "discreet", json_object_new_boolean(true));
}

static void hide_private_each(json_object *a) {
        for (size_t i = 0; json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
                hide_private(json_object_array_get_idx(a, i));
}

/* --- commands --- */

static const char *const ITEM_NULLS[] = { "review", "note", NULL };

static void print_items(json_object *items, bool partner) {
        size_t n = json_object_array_length(items);
        int idw = 2;
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(NULL, 0, "%" PRIi64, jint(json_object_array_get_idx(items, i), "id", 0));
                if (w > idw)
                        idw = w;
        }
        if (n == 0) {
                puts(partner ? "No partner list yet: import one with closerctl partner import FILE."
                             : "My list is empty: add an item with closerctl list add TITLE.");
                return;
        }
        printf("%s%*s  %-9s  %-3s  %-4s  %s%s%s\n", BOLD, idw, "ID", "CATEGORY", "INT", "PRIV",
               partner ? "REVIEW   " : "", "TITLE", RESET);
        for (size_t i = 0; i < n; i++) {
                json_object *it = json_object_array_get_idx(items, i);
                bool priv = jbool(it, "private");
                const char *title = jstr(it, "title");
                printf("%*" PRIi64 "  %-9s  %-3" PRIi64 "  %-4s  ", idw, jint(it, "id", 0),
                       jstr(it, "category") ?: "", jint(it, "intensity", 0), priv ? "yes" : "");
                if (partner)
                        printf("%-9s", jstr(it, "review") ?: "");
                printf("%s\n", title ?: "");
                const char *note = jstr(it, "note");
                if (partner && note)
                        printf("%*s  %snote: %s%s\n", idw, "", DIM, note, RESET);
        }
        printf("%s%zu item%s%s\n", DIM, n, n == 1 ? "" : "s", RESET);
}

static int verb_list(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *which = argc > 1 ? argv[1] : "mine";
        if (!streq(which, "mine") && !streq(which, "partner"))
                return usage_error("unknown list '%.*s%s': use 'list mine' or 'list partner' "
                                   "(or list add, edit, rm, ideas, export)", ECHO(which));
        int r = call("ListItems", &reply, "s", which);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *items = reply_to_json(reply);
        if (!items)
                return fail("cannot read the reply");
        hide_private_each(items);
        if (arg_json) {
                json_fill_nulls_each(items, ITEM_NULLS);
                return print_json(items);
        }
        print_items(items, streq(which, "partner"));
        return 0;
}

static double jdouble(json_object *o, const char *key, double def);

static const char *plural(int64_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

static const char *const SHOW_NULLS[] = { "review", "note", "response", "last_done", NULL };

static int verb_list_show(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        static const char *const intensities[] = { "", "gentle", "intimate", "explicit" };
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = call("GetItem", &reply, "t", id);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *it = reply_to_json(reply);
        if (!it)
                return fail("cannot read the reply");
        hide_private(it);
        bool partner = streq(jstr(it, "list") ?: "", "partner");
        if (arg_json) {
                json_fill_nulls(it, SHOW_NULLS);
                return print_json(it);
        }
        int64_t intensity = jint(it, "intensity", 0), done = jint(it, "done", 0);
        printf("%sItem %" PRIu64 "%s on %s\n", BOLD, id, RESET, partner ? "my partner's list" : "my list");
        printf("  %-10s %s\n", "Title", jstr(it, "title") ?: "");
        if (jstr(it, "details") && *jstr(it, "details"))
                printf("  %-10s %s\n", "Details", jstr(it, "details"));
        printf("  %-10s %s, intensity %" PRIi64 " (%s)\n", "Category", jstr(it, "category") ?: "", intensity,
               intensity >= 1 && intensity <= 3 ? intensities[intensity] : "?");
        printf("  %-10s %s\n", "Private", jbool(it, "private") ? "yes" : "no");
        if (partner) {
                printf("  %-10s %s", "Review", jstr(it, "review") ?: "new");
                if (jstr(it, "note"))
                        printf(", note: %s", jstr(it, "note"));
                putchar('\n');
        }
        if (done == 0)
                printf("  %-10s never\n", "Done");
        else {
                printf("  %-10s %" PRIi64 " %s", "Done", done, plural(done, "time", "times"));
                if (jdouble(it, "response", 0) > 0)
                        printf(", average response %.1f/5", jdouble(it, "response", 0));
                if (jstr(it, "last_done"))
                        printf(", last on %s", human_date(jstr(it, "last_done")));
                putchar('\n');
        }
        return 0;
}

static int verb_list_add_from(void);
static int verb_list_add_idea(void);

static int verb_list_add(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id;
        if ((arg_from || arg_idea) && argc > 1)
                return usage_error("list add takes a TITLE, --from FILE or --idea N, not more than one");
        if (arg_from && arg_idea)
                return usage_error("list add takes --from FILE or --idea N, not both");
        if ((arg_from || arg_idea) && (arg_given & (ITEM_OPTS_MASK)))
                return usage_error("--category, --intensity, --private, --public and --details go with a TITLE");
        if (arg_from)
                return verb_list_add_from();
        if (arg_idea)
                return verb_list_add_idea();
        if (argc < 2)
                return usage_error("list add needs a TITLE, --from FILE or --idea N");
        int r = new_call("AddItem", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", argv[1]);
        if (r < 0) {
                append_failed(r);
                return r;
        }
        r = append_item_fields(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        printf("Added item %" PRIu64 ".\n", id);
        return 0;
}

static int verb_list_edit(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id = 0;
        int changed = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        if (!(arg_given & (OPT_TITLE | OPT_DETAILS | OPT_CATEGORY | OPT_INTENSITY | OPT_PRIVATE)))
                return usage_error("list edit needs at least one of --title, --details, --category, "
                            "--intensity, --private, --public");
        r = new_call("EditItem", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", id);
        if (r >= 0)
                r = append_item_fields(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &changed);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "changed", json_object_new_boolean(changed), PAIRS_END);
        printf(changed ? "Updated item %" PRIu64 ".\n" : "Item %" PRIu64 " already says that.\n", id);
        return 0;
}

static int verb_list_rm(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = call("RemoveItem", &reply, "t", id);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "removed", json_object_new_boolean(true), PAIRS_END);
        printf("Removed item %" PRIu64 ".\n", id);
        return 0;
}

static const char *const STATUS_NULLS[] = { "phase", "ramp_intensity", "streak_days", "partner_items",
                                             "my_items", "next_daily_act", "next_date_night", NULL };

static int verb_status(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("GetStatus", &reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *st = reply_to_json(reply);
        if (!st)
                return fail("cannot read the reply");
        if (arg_json) {
                json_fill_nulls(st, STATUS_NULLS);
                if (!json_object_object_get_ex(st, "warnings", NULL))
                        json_object_object_add(st, "warnings", json_object_new_array());
                return print_json(st);
        }
        const char *phase = jstr(st, "phase");
        if (phase) {
                printf("%sPhase:%s       %s", BOLD, RESET, phase);
                if (jint(st, "ramp_intensity", 0) > 0)
                        printf(" (intensity cap %" PRIi64 ")", jint(st, "ramp_intensity", 0));
                putchar('\n');
                if (jstr(st, "ramp_widens"))
                        printf("%sRamp:%s        start %s; the cap widens on %s\n", BOLD, RESET, jstr(st, "start") ?: "",
                               human_date(jstr(st, "ramp_widens")));
                else if (jstr(st, "start"))
                        printf("%sRamp:%s        start %s; the whole list is in play\n", BOLD, RESET, jstr(st, "start"));
        }
        const char *s;
        if ((s = jstr(st, "phase_progress")))
                printf("             %s\n", s);
        if (json_object_object_get_ex(st, "streak_days", NULL))
                printf("%sStreak:%s      %" PRIi64 " day%s\n", BOLD, RESET, jint(st, "streak_days", 0), jint(st, "streak_days", 0) == 1 ? "" : "s");
        printf("%sMy list:%s     %" PRIi64 " items\n", BOLD, RESET, jint(st, "my_items", 0));
        printf("%sPartner:%s     %" PRIi64 " items\n", BOLD, RESET, jint(st, "partner_items", 0));
        if ((s = jstr(st, "next_daily_act")))
                printf("%sNext act:%s    %s\n", BOLD, RESET, human_time(s));
        /* Rerolls are unlimited, and visible. */
        int64_t rerolls = jint(st, "rerolls_today", 0);
        if (rerolls > 0)
                printf("%sRerolls:%s     %" PRIi64 " reroll%s today\n", BOLD, RESET, rerolls, rerolls == 1 ? "" : "s");
        if (json_object_object_get_ex(st, "next_date_night", NULL))
                printf("%sDate night:%s  %s\n", BOLD, RESET,
                       jstr(st, "next_date_night") ? human_time(jstr(st, "next_date_night")) : "none planned");
        json_object *w;
        if (json_object_object_get_ex(st, "warnings", &w))
                for (size_t i = 0; i < json_object_array_length(w); i++)
                        printf("%s%s!%s %s\n", YELLOW, BOLD, RESET,
                               json_object_get_string(json_object_array_get_idx(w, i)));
        return 0;
}

static int verb_list_add_from(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int fd = open_input(arg_from);
        if (fd < 0)
                return fd;
        int r = call("AddItemsFromText", &reply, "h", fd);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *ids = reply_to_json(reply);
        if (!ids)
                return fail("cannot read the reply");
        if (arg_json)
                return print_json(ids);
        size_t n = json_object_array_length(ids);
        printf("Added %zu item%s", n, n == 1 ? "" : "s");
        if (n > 0)
                printf(" (IDs %" PRIi64 "-%" PRIi64 ")", json_object_get_int64(json_object_array_get_idx(ids, 0)),
                       json_object_get_int64(json_object_array_get_idx(ids, n - 1)));
        puts(".");
        return 0;
}

static int verb_list_add_idea(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t number, id;
        if (parse_uint(arg_idea, UINT32_MAX, &number) < 0)
                return usage_error("--idea takes the number of an idea (see closerctl list ideas), not '%.*s%s'",
                                   ECHO(arg_idea));
        int r = call("AddIdea", &reply, "u", (uint32_t) number);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        printf("Added idea %" PRIu64 " as item %" PRIu64 ".\n", number, id);
        return 0;
}

static int verb_list_ideas(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("ListIdeas", &reply, "s", arg_category ?: "");
        if (r < 0)
                return r;
        _cleanup_json_ json_object *ideas = reply_to_json(reply);
        if (!ideas)
                return fail("cannot read the reply");
        if (arg_json)
                return print_json(ideas);
        printf("%s%3s  %-9s  %-3s  %s%s\n", BOLD, "NO", "CATEGORY", "INT", "IDEA", RESET);
        for (size_t i = 0; i < json_object_array_length(ideas); i++) {
                json_object *it = json_object_array_get_idx(ideas, i);
                printf("%3" PRIi64 "  %-9s  %-3" PRIi64 "  %s\n", jint(it, "number", 0), jstr(it, "category") ?: "",
                       jint(it, "intensity", 0), jstr(it, "title") ?: "");
        }
        printf("%sAdd one with closerctl list add --idea NO; write your own with list add TITLE.%s\n", DIM,
               RESET);
        return 0;
}

static void output_clearp(Output *o) {
        output_clear(o);
}

static int verb_list_export(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(output_clearp) Output out = OUTPUT_INIT;
        uint32_t n = 0;
        int r = output_open(&out, argc > 1 ? argv[1] : NULL);
        if (r < 0)
                return r;
        r = call_with_output("ExportList", &out, &reply);
        if (r >= 0 && sd_bus_message_read(reply, "u", &n) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (!output_is_stdout(&out))
                printf("Exported %u item%s to %.*s%s: give it to my partner (closerctl partner import).\n", n,
                       n == 1 ? "" : "s", ECHO(out.path));
        return 0;
}

static int verb_partner_import(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int fd = open_input(argv[1]);
        if (fd < 0)
                return fd;
        int r = arg_replace ? call("ImportPartnerListWithOptions", &reply, "ha{sv}", fd, 1, "replace", "b", 1)
                            : call("ImportPartnerListWithOptions", &reply, "ha{sv}", fd, 0);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *sum = reply_to_json(reply);
        if (!sum)
                return fail("cannot read the reply");
        json_object *again = NULL;
        size_t n_again = json_object_object_get_ex(sum, "review_again", &again) ? json_object_array_length(again) : 0;
        /* (id, title, my previous review, private): a private title is hidden when discreet. */
        for (size_t i = 0; i < n_again; i++) {
                json_object *e = json_object_array_get_idx(again, i);
                if (json_object_get_boolean(json_object_array_get_idx(e, 3)) && discreet())
                        (void) json_object_array_put_idx(e, 1, NULL);
        }
        if (arg_json)
                return print_json(sum);
        if (jint(sum, "forgotten", 0) > 0)
                printf("Forgot the old partner list (%" PRIi64 " items).\n", jint(sum, "forgotten", 0));
        printf("Imported: %" PRIi64 " added, %" PRIi64 " updated, %" PRIi64 " removed, %" PRIi64 " unchanged",
               jint(sum, "added", 0), jint(sum, "updated", 0), jint(sum, "removed", 0), jint(sum, "unchanged", 0));
        for (size_t i = 0; i < n_again; i++) {
                json_object *e = json_object_array_get_idx(again, i);
                const char *title = json_object_get_string(json_object_array_get_idx(e, 1));
                printf("%s%" PRIi64, i == 0 ? "; back to review: " : ", ",
                       json_object_get_int64(json_object_array_get_idx(e, 0)));
                if (title)
                        printf(" '%s'", title);
                printf(" (you said %s)", json_object_get_string(json_object_array_get_idx(e, 2)) ?: "");
        }
        printf(".\n");
        if (jint(sum, "older", 0) > 0)
                printf("Note: %" PRIi64 " item%s in the file %s older than my copy and ignored.\n",
                       jint(sum, "older", 0), jint(sum, "older", 0) == 1 ? "" : "s",
                       jint(sum, "older", 0) == 1 ? "was" : "were");
        if (jint(sum, "skipped", 0) > 0)
                printf("Note: %" PRIi64 " component%s other than to-dos skipped.\n", jint(sum, "skipped", 0),
                       jint(sum, "skipped", 0) == 1 ? "" : "s");
        return 0;
}

static int verb_partner_review(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = new_call("ReviewItem", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ts", id, argv[2]);
        if (r >= 0)
                r = arg_note ? sd_bus_message_append(m, "a{sv}", 1, "note", "s", arg_note)
                             : sd_bus_message_append(m, "a{sv}", 0);
        if (r < 0) {
                append_failed(r);
                return r;
        }
        r = send_call(m, &reply);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *res = reply_to_json(reply);
        if (!res)
                return fail("cannot read the reply");
        json_object *act = NULL;
        (void) json_object_object_get_ex(res, "act", &act);
        hide_private(act);
        if (arg_json) {
                json_object_object_add(res, "id", json_object_new_int64((int64_t) id));
                json_object_object_add(res, "review", json_object_new_string(argv[2]));
                return print_json(res);
        }
        printf("Item %" PRIu64 ": %s.\n", id, argv[2]);
        if (jbool(res, "replaced") && act)
                printf("It was today's act: today's act is now item %" PRIi64 ", %s (closerctl today).\n",
                       jint(act, "item", 0), jstr(act, "title") ?: "");
        else if (jbool(res, "replaced"))
                puts("It was today's act: nothing else can be picked today.");
        return 0;
}

/* Asks once on a terminal; elsewhere --yes must say it. */
static int confirm(const char *question) {
        if (arg_yes)
                return 0;
        if (!isatty(STDIN_FILENO))
                return usage_error("not on a terminal: give --yes to confirm (%s)", question);
        fprintf(stderr, "%s [y/N] ", question);
        char answer[16] = "";
        if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                return fail("not confirmed: nothing changed");
        return 0;
}

static int verb_partner_forget(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *status = NULL, *reply = NULL;
        int r = call("GetStatus", &status, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *st = reply_to_json(status);
        int64_t n = jint(st, "partner_items", 0);
        if (n == 0) {
                if (arg_json)
                        return print_json_pairs("forgotten", json_object_new_int64(0), PAIRS_END);
                puts("There is no partner list to forget.");
                return 0;
        }
        char question[128];
        (void) snprintf(question, sizeof(question), "Forget my partner's list of %" PRIi64 " item%s?", n,
                        n == 1 ? "" : "s");
        r = confirm(question);
        if (r < 0)
                return r;
        uint32_t forgotten = 0;
        r = call("ForgetPartnerList", &reply, NULL);
        if (r >= 0 && sd_bus_message_read(reply, "u", &forgotten) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("forgotten", json_object_new_int64(forgotten), PAIRS_END);
        printf("Forgot my partner's list (%" PRIu32 " item%s); the acts done keep their titles. "
               "Import the right one with closerctl partner import FILE.\n",
               forgotten, forgotten == 1 ? "" : "s");
        return 0;
}

static int verb_partner_discuss(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("ListItems", &reply, "s", "discuss");
        if (r < 0)
                return r;
        _cleanup_json_ json_object *items = reply_to_json(reply);
        if (!items)
                return fail("cannot read the reply");
        hide_private_each(items);
        if (arg_json) {
                json_fill_nulls_each(items, ITEM_NULLS);
                return print_json(items);
        }
        if (json_object_array_length(items) == 0) {
                puts("Nothing left to talk about: every item of my partner's list is reviewed.");
                return 0;
        }
        print_items(items, true);
        printf("%sTalk these through together, then: closerctl partner review ID ok|discuss|no --note T%s\n", DIM,
               RESET);
        return 0;
}

static int verb_ramp_restart(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *start, *widens;
        uint32_t cap;
        int r = call("RestartRamp", &reply, NULL);
        if (r >= 0 && sd_bus_message_read(reply, "uss", &cap, &start, &widens) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("intensity_cap", json_object_new_int64(cap), "start", json_object_new_string(start),
                                        "widens", widens[0] ? json_object_new_string(widens) : NULL, PAIRS_END);
        if (widens[0])
                printf("The ramp starts again today (start %s): intensity up to %" PRIu32
                       "; it widens again on %s.\n", start, cap, human_date(widens));
        else
                printf("Start %s has no ramp: the whole list is in play (closerctl set start cold|cooling).\n",
                       start);
        return 0;
}

static int verb_set(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *old = setting_value(argv[1]);
        const char *v;
        int r = call("SetSetting", &reply, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &v);
        if (r < 0)
                return r;
        /* closerd changes nothing for the same value (the ramp does not restart). */
        bool changed = !old || !streq(old, v);
        if (arg_json)
                return print_json_pairs(argv[1], json_object_new_string(v), "changed", json_object_new_boolean(changed),
                                        PAIRS_END);
        if (!changed)
                printf("%s is already %s%s\n", argv[1], v,
                       streq(argv[1], "start") ? " (closerctl ramp restart starts the ramp again)" : "");
        else
                printf("%s = %s\n", argv[1], v);
        return 0;
}

static int verb_get(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("GetSettings", &reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *all = reply_to_json(reply);
        if (!all)
                return fail("cannot read the reply");
        if (argc > 1) {
                json_object *v;
                if (!json_object_object_get_ex(all, argv[1], &v))
                        return fail("unknown setting '%.*s%s' (closerctl get lists them)", ECHO(argv[1]));
                if (arg_json)
                        return print_json_pairs(argv[1], json_object_get(v), PAIRS_END);
                puts(json_object_get_string(v));
                return 0;
        }
        if (arg_json)
                return print_json(all);
        for (struct json_object_iterator it = json_object_iter_begin(all), end = json_object_iter_end(all);
             !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                printf("%-17s %s\n", json_object_iter_peek_name(&it),
                       json_object_get_string(json_object_iter_peek_value(&it)));
        return 0;
}

/* --- the daily practice --- */

/* --response, --mood and --note as the a{sv} of Done/AddExtra/AddMood. */
static int append_observation(sd_bus_message *m) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        const char *const names[] = { "response", "mood" };
        const char *const values[] = { arg_response, arg_mood };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(names); i++) {
                uint64_t v;
                if (!values[i])
                        continue;
                if (parse_uint(values[i], UINT32_MAX, &v) < 0)
                        return usage_error("--%s must be a number from 1 to 5, not '%.*s%s'", names[i], ECHO(values[i]));
                r = sd_bus_message_append(m, "{sv}", names[i], "u", (uint32_t) v);
        }
        if (r >= 0 && arg_note)
                r = sd_bus_message_append(m, "{sv}", "note", "s", arg_note);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

static const char *const ACT_NULLS[] = { "twist", NULL };
static const char *const TODAY_NULLS[] = { "act", "date_night", NULL };

static void print_act(json_object *act, const char *label) {
        bool priv = jbool(act, "private");
        printf("%s%s%s %s%s\n", BOLD, label, RESET, jstr(act, "title") ?: "",
               priv ? " (private)" : "");
        printf("   %s%s, intensity %" PRIi64 ", item %" PRIi64 "%s\n", DIM, jstr(act, "category") ?: "",
               jint(act, "intensity", 0), jint(act, "item", 0), RESET);
        if (jstr(act, "twist"))
                printf("   twist: %s\n", jstr(act, "twist"));
        if (jbool(act, "done")) {
                printf("   %sdone%s", BOLD, RESET);
                if (jint(act, "response", 0) > 0)
                        printf(", response %" PRIi64 "/5", jint(act, "response", 0));
                if (jstr(act, "note"))
                        printf(", note: %s", jstr(act, "note"));
                putchar('\n');
        } else
                printf("   %swhen done: closerctl done --response 1-5; another: closerctl reroll%s\n", DIM, RESET);
}

static int verb_today(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("GetToday", &reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *t = reply_to_json(reply);
        if (!t)
                return fail("cannot read the reply");
        json_object *act = NULL, *promises = NULL;
        (void) json_object_object_get_ex(t, "act", &act);
        hide_private(act);
        if (arg_json) {
                json_fill_nulls(t, TODAY_NULLS);
                if (act)
                        json_fill_nulls(act, ACT_NULLS);
                /* GetToday leaves empty lists out. */
                const char *const lists[] = { "promises", "makeups", "unlogged" };
                for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                        if (!json_object_object_get_ex(t, lists[i], NULL))
                                json_object_object_add(t, lists[i], json_object_new_array());
                return print_json(t);
        }
        printf("%sToday, %s%s\n", BOLD, human_date(jstr(t, "date")) ?: "", RESET);
        if (jstr(t, "paused_until"))
                printf("The practice is paused until %s.\n", human_date(jstr(t, "paused_until")));
        if (act)
                print_act(act, "Act:");
        else
                printf("%sNo act today:%s %s\n", BOLD, RESET, jstr(t, "no_act") ?: "nothing to pick");
        json_object *dn = NULL;
        if (json_object_object_get_ex(t, "date_night", &dn) && dn)
                printf("%sDate night:%s %s-%s (%s)\n", BOLD, RESET, human_time(jstr(dn, "start")) ?: "",
                       human_clock(jstr(dn, "end")) ?: "", jstr(dn, "mode") ?: "");
        if (json_object_object_get_ex(t, "promises", &promises))
                for (size_t i = 0; i < json_object_array_length(promises); i++) {
                        json_object *pr = json_object_array_get_idx(promises, i);
                        /* One my partner owes me is still to come, not overdue of mine. */
                        bool owed_to_me = streq_ptr(jstr(pr, "owed_by"), "partner");
                        char label[160] = "Rain check";
                        if (owed_to_me)
                                (void) snprintf(label, sizeof(label), "%s's rain check", partner_name());
                        printf("%s%s%s %" PRIi64 ":%s %s%s%s%s\n", YELLOW, BOLD, label, jint(pr, "id", 0), RESET,
                               human_time(jstr(pr, "due")) ?: "",
                               jbool(pr, "overdue") ? (owed_to_me ? " (still to come)" : " (overdue)") : "",
                               jstr(pr, "what") ? ", " : "", jstr(pr, "what") ?: "");
                }
        return 0;
}

static int verb_done(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r = new_call("Done", &m);
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *d = reply_to_json(reply);
        if (!d)
                return fail("cannot read the reply");
        if (arg_json) {
                json_object_object_add(d, "done", json_object_new_boolean(true));
                return print_json(d);
        }
        int64_t before = jint(d, "previous_response", 0), now = jint(d, "response", 0);
        if (!jbool(d, "again"))
                puts("Done. Keep observing how it lands.");
        else if (before > 0 && now != before)
                printf("Response changed from %" PRIi64 " to %" PRIi64 ".\n", before, now);
        else if (now > 0 && !before)
                printf("Already done; response %" PRIi64 " recorded.\n", now);
        else
                puts("Already done today; nothing else changed.");
        return 0;
}

static int verb_reroll(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("Reroll", &reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *act = reply_to_json(reply);
        if (!act)
                return fail("cannot read the reply");
        hide_private(act);
        if (arg_json) {
                json_fill_nulls(act, ACT_NULLS);
                return print_json(act);
        }
        print_act(act, "Another act:");
        return 0;
}

static int verb_extra(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id;
        if (arg_mood)
                return usage_error("extra does not take --mood (see closerctl mood)");
        int r = new_call("AddExtra", &m);
        if (r >= 0) {
                r = sd_bus_message_append(m, "s", argv[1]);
                if (r < 0)
                        append_failed(r);
        }
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        puts("Noted: an extra moment today.");
        return 0;
}

static int verb_mood(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t v;
        if (parse_uint(argv[1], UINT32_MAX, &v) < 0)
                return usage_error("mood must be a number from 1 to 5, not '%.*s%s'", ECHO(argv[1]));
        int r = new_call("AddMood", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "u", (uint32_t) v);
        if (r >= 0)
                r = append_observation(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("mood", json_object_new_int64((int64_t) v), PAIRS_END);
        printf("Mood %" PRIu64 "/5 noted for today.\n", v);
        return 0;
}

static int verb_pause(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (!arg_until)
                return usage_error("pause needs --until DATE (YYYY-MM-DD)");
        int r = call("Pause", &reply, "s", arg_until);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("paused_until", json_object_new_string(arg_until), PAIRS_END);
        printf("Paused until %s: no daily act and no lapse until then; the streak is kept.\n", arg_until);
        return 0;
}

static int verb_resume(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call("Resume", &reply, NULL);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("paused", json_object_new_boolean(false), PAIRS_END);
        puts("Resumed.");
        return 0;
}

/* --- rain checks --- */

/* WHEN may come in several words ("tomorrow 21:00" unquoted): joins them. */
static char *join_words(int argc, char **argv) {
        size_t len = 1;
        for (int i = 0; i < argc; i++)
                len += strlen(argv[i]) + 1;
        char *s = calloc(1, len);
        if (!s)
                return NULL;
        for (int i = 0; i < argc; i++) {
                if (i > 0)
                        strcat(s, " ");
                strcat(s, argv[i]);
        }
        return s;
}

/* A WHEN as closerd resolved it (ResolveWhen). */
typedef struct When {
        char *time;       /* ISO 8601 with offset, for people and JSON */
        char instant[32]; /* "@SECONDS": passed on to the method unchanged */
        bool next_week;
        char *gap;  /* the HH:MM asked for, when it did not exist that day */
} When;

static void when_clear(When *w) {
        free(w->time);
        free(w->gap);
}

/* Asks closerd what TEXT means now; an error names LABEL, as the user typed it. */
static int resolve_when(const char *label, const char *text, When *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = connect_bus();
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, BUS_NAME, OBJECT_PATH, INTERFACE, "ResolveWhen", &error, &reply, "s", text);
        if (r < 0 && sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS))
                return fail("%s %s", label, error.message);
        if (r < 0)
                return report_call_error(&error, r);
        _cleanup_json_ json_object *j = reply_to_json(reply);
        if (!jstr(j, "time") || !json_object_object_get_ex(j, "instant", NULL))
                return fail("cannot read the reply");
        ret->time = strdup(jstr(j, "time"));
        ret->gap = jstr(j, "gap") ? strdup(jstr(j, "gap")) : NULL;
        ret->next_week = jbool(j, "next_week");
        (void) snprintf(ret->instant, sizeof(ret->instant), "@%" PRIi64, jint(j, "instant", 0));
        if (!ret->time || (jstr(j, "gap") && !ret->gap))
                return fail("out of memory");
        return 0;
}

/* "Rain check 2: Sat 5 Dec 20:00 (next week: today's 20:00 has passed)",
 * and a line of its own when the time asked for does not exist. */
static void print_resolved(const char *what, const When *w) {
        printf("%s %s", what, human_time(w->time));
        if (w->next_week)
                printf(" (next week: today's %s has passed)", human_clock(w->time));
        putchar('\n');
        if (w->gap)
                printf("%s does not exist on %s (clocks go forward): %s\n", w->gap,
                       human_date(w->time), human_clock(w->time));
}

/* The JSON of a resolved WHEN, under key. */
static void json_add_when(json_object *j, const char *key, const When *w) {
        json_object_object_add(j, key, json_object_new_string(w->time));
        json_object_object_add(j, "next_week", json_object_new_boolean(w->next_week));
        json_object_object_add(j, "gap", w->gap ? json_object_new_string(w->gap) : NULL);
}

static int append_promise_options(sd_bus_message *m, const char *raincheck) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && raincheck)
                r = sd_bus_message_append(m, "{sv}", "raincheck", "s", raincheck);
        if (r >= 0 && arg_what)
                r = sd_bus_message_append(m, "{sv}", "what", "s", arg_what);
        if (r >= 0 && arg_where)
                r = sd_bus_message_append(m, "{sv}", "where", "s", arg_where);
        if (r >= 0 && arg_note)
                r = sd_bus_message_append(m, "{sv}", "note", "s", arg_note);
        if (r >= 0 && arg_owed_by)
                r = sd_bus_message_append(m, "{sv}", "owed_by", "s", arg_owed_by);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

static const char *const PROMISE_NULLS[] = { "what", "where", NULL };

/* "I owe" or "Sam owes me". */
static const char *owed_label(json_object *p, char *buf, size_t size) {
        if (!streq_ptr(jstr(p, "owed_by"), "partner"))
                return "I owe";
        (void) snprintf(buf, size, "%s owes me", partner_name());
        return buf;
}

static void print_promise_line(json_object *p) {
        const char *status = jstr(p, "status") ?: "";
        bool overdue = jbool(p, "overdue");
        char owed[160];
        printf("%4" PRIi64 "  %-21s  %s%-9s%s  %-14s", jint(p, "id", 0), human_time(jstr(p, "due")) ?: "",
               overdue ? RED : "", overdue ? "overdue" : status, overdue ? RESET : "",
               owed_label(p, owed, sizeof(owed)));
        if (jstr(p, "what"))
                printf("  %s", jstr(p, "what"));
        if (jstr(p, "where"))
                printf("%s%s", jstr(p, "what") ? ", " : "  ", jstr(p, "where"));
        putchar('\n');
}

static int print_new_promise(uint64_t advance, uint64_t promise, bool owed_to_me, const When *w) {
        if (arg_json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                if (advance)
                        json_object_object_add(j, "advance", json_object_new_int64((int64_t) advance));
                json_object_object_add(j, "promise", promise ? json_object_new_int64((int64_t) promise) : NULL);
                if (promise)
                        json_object_object_add(j, "owed_by", json_object_new_string(owed_to_me ? "partner" : "me"));
                if (promise && w->time)
                        json_add_when(j, "due", w);
                return print_json(j);
        }
        if (advance)
                printf("Advance %" PRIu64 " recorded.\n", advance);
        if (promise) {
                char what[64];
                (void) snprintf(what, sizeof(what), "Rain check %" PRIu64 ":", promise);
                print_resolved(what, w);
                if (owed_to_me)
                        printf("%s%s owes me this one. Once you had it: closerctl promise kept %" PRIu64 "%s\n", DIM,
                               partner_name(), promise, RESET);
                else
                        printf("%sKeep it: closerctl promise kept %" PRIu64 "%s\n", DIM, promise, RESET);
        }
        return 0;
}

static int verb_advance(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(freep) char *when = NULL;
        _cleanup_(when_clear) When w = {};
        uint64_t advance, promise;
        if (!arg_by)
                return usage_error("advance needs --by me or --by partner");
        if (arg_raincheck) {
                /* "--raincheck tomorrow 21:00" unquoted: the rest of the words. */
                char *words[9];
                int n = 0;
                words[n++] = (char *) arg_raincheck;
                for (int i = 2; i < argc && n < (int) ELEMENTSOF(words); i++)
                        words[n++] = argv[i];
                when = join_words(n, words);
                if (!when)
                        return fail("out of memory");
        } else if (argc > 2)
                return usage_error("advance: unexpected '%.*s%s'; usage: closerctl advance --by me|partner accepted|declined",
                                   ECHO(argv[2]));
        int r = when ? resolve_when("raincheck", when, &w) : 0;
        if (r < 0)
                return r;
        r = new_call("RecordAdvance", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", arg_by, argv[1]);
        if (r >= 0)
                r = append_promise_options(m, when ? w.instant : NULL);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "tt", &advance, &promise);
        if (r < 0)
                return r;
        /* Whoever declined owes it: my partner, when the advance was mine. */
        return print_new_promise(advance, promise, streq(arg_by, "me"), &w);
}

static int verb_raincheck(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(freep) char *when = join_words(argc - 1, argv + 1);
        _cleanup_(when_clear) When w = {};
        uint64_t id;
        if (!when)
                return fail("out of memory");
        if (arg_owed_by && !streq(arg_owed_by, "me") && !streq(arg_owed_by, "partner"))
                return usage_error("--owed-by must be 'me' or 'partner', not '%.*s%s'", ECHO(arg_owed_by));
        int r = resolve_when("when", when, &w);
        if (r < 0)
                return r;
        r = new_call("AddPromise", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", w.instant);
        if (r >= 0)
                r = append_promise_options(m, NULL);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        return print_new_promise(0, id, streq_ptr(arg_owed_by, "partner"), &w);
}

static int verb_promise(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (argc > 1)
                return usage_error("unknown promise command '%.*s%s': use promise, promise kept|broken|reopen|cancel ID, "
                                   "promise move ID WHEN",
                                   ECHO(argv[1]));
        int r = call("ListPromises", &reply, "b", 1);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *all = reply_to_json(reply);
        if (!all)
                return fail("cannot read the reply");
        if (arg_json) {
                json_fill_nulls_each(all, PROMISE_NULLS);
                return print_json(all);
        }
        size_t n = json_object_array_length(all), shown = 0, hidden = 0;
        if (n == 0) {
                puts("No rain checks. A declined advance always comes with one: closerctl advance --by partner declined --raincheck WHEN");
                return 0;
        }
        printf("%s%4s  %-21s  %-9s  %-14s  %s%s\n", BOLD, "ID", "DUE", "STATUS", "OWED", "WHAT, WHERE", RESET);
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(all, i);
                const char *st = jstr(p, "status") ?: "";
                bool active = streq(st, "open") || streq(st, "moved");
                /* A lifetime of kept promises: the resolved ones only with --all. */
                if (!active && !arg_all && n - i > 20) {
                        hidden++;
                        continue;
                }
                print_promise_line(p);
                shown++;
        }
        if (hidden)
                printf("%s%zu older resolved rain checks not shown (--all shows them)%s\n", DIM, hidden, RESET);
        return 0;
}

static int verb_promise_resolve(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id;
        if (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0)
                return usage_error("'%.*s%s' is not a rain check ID (see closerctl promise)", ECHO(argv[1]));
        /* The verb as ResolvePromise's status: reopen is "open" again. */
        const char *status = streq(argv[0], "reopen") ? "open" : streq(argv[0], "cancel") ? "cancelled" : argv[0];
        int r = call("ResolvePromise", &reply, "ts", id, status);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "status", json_object_new_string(status), PAIRS_END);
        if (streq(status, "kept"))
                printf("Rain check %" PRIu64 " kept.\n", id);
        else if (streq(status, "broken"))
                printf("Rain check %" PRIu64 " broken. Make it up soon: closerctl raincheck WHEN\n", id);
        else if (streq(status, "open"))
                printf("Rain check %" PRIu64 " is open again: neither kept nor broken.\n", id);
        else
                printf("Rain check %" PRIu64 " cancelled: it counts neither as kept nor as broken.\n", id);
        return 0;
}

static int verb_promise_move(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(freep) char *when = join_words(argc - 2, argv + 2);
        _cleanup_(when_clear) When w = {};
        uint64_t id;
        if (!when)
                return fail("out of memory");
        if (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0)
                return usage_error("'%.*s%s' is not a rain check ID (see closerctl promise)", ECHO(argv[1]));
        int r = resolve_when("when", when, &w);
        if (r >= 0)
                r = call("MovePromise", &reply, "tsb", id, w.instant, (int) arg_by_partner);
        if (r < 0)
                return r;
        if (arg_json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_int64((int64_t) id));
                json_object_object_add(j, "status", json_object_new_string("moved"));
                json_object_object_add(j, "by_partner", json_object_new_boolean(arg_by_partner));
                json_add_when(j, "due", &w);
                return print_json(j);
        }
        char what[96];
        (void) snprintf(what, sizeof(what), "Rain check %" PRIu64 " moved%s to", id, arg_by_partner ? " by my partner" : "");
        print_resolved(what, &w);
        return 0;
}

/* --- date nights --- */

static void print_datenight(json_object *d) {
        const char *st = jstr(d, "status") ?: "";
        char when[64];
        /* "2026-11-27T20:00:00+01:00" as "Fri 27 Nov 20:00-23:00". */
        (void) snprintf(when, sizeof(when), "%s-%s", human_time(jstr(d, "start")) ?: "",
                        human_clock(jstr(d, "end")) ?: "");
        printf("%4" PRIi64 "  %-27s  %-9s  %s%-8s%s", jint(d, "id", 0), when, jstr(d, "mode") ?: "",
               streq(st, "skipped") ? DIM : "", st, streq(st, "skipped") ? RESET : "");
        if (jbool(d, "moved"))
                printf("  moved");
        if (jint(d, "makeup_for", 0) > 0)
                printf("  makes up for %" PRIi64, jint(d, "makeup_for", 0));
        putchar('\n');
}

static int verb_datenight(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *rule_reply = NULL;
        int r = call("ListDateNights", &reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *all = reply_to_json(reply);
        if (!all)
                return fail("cannot read the reply");
        if (arg_json)
                return print_json(all);
        r = call("GetDateNightRule", &rule_reply, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *rule = reply_to_json(rule_reply);
        if (rule) {
                if (jbool(rule, "vary"))
                        printf("Date night: varied over %s at %s for %s.\n", jstr(rule, "weekdays") ?: "",
                               jstr(rule, "time") ?: "", jstr(rule, "duration") ?: "");
                else
                        printf("Date night: every %s at %s for %s.\n", jstr(rule, "weekday") ?: "",
                               jstr(rule, "time") ?: "", jstr(rule, "duration") ?: "");
        }
        printf("%s%4s  %-27s  %-9s  %-8s%s\n", BOLD, "ID", "WHEN", "MODE", "STATUS", RESET);
        for (size_t i = 0; i < json_object_array_length(all); i++)
                print_datenight(json_object_array_get_idx(all, i));
        return 0;
}

static int verb_datenight_set(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        if (arg_weekday && (arg_vary || arg_weekdays))
                return usage_error("datenight set takes --weekday D or --vary [--weekdays D,D], not both");
        if (!(arg_given & (OPT_WEEKDAY | OPT_TIME | OPT_VARY | OPT_WEEKDAYS | OPT_DURATION)))
                return usage_error("datenight set needs --weekday D --time HH:MM, or --vary [--weekdays D,D]");
        int r = new_call("SetDateNightRule", &m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && arg_weekday)
                r = sd_bus_message_append(m, "{sv}", "weekday", "s", arg_weekday);
        if (r >= 0 && arg_vary)
                r = sd_bus_message_append(m, "{sv}", "vary", "b", 1);
        if (r >= 0 && arg_weekdays)
                r = sd_bus_message_append(m, "{sv}", "weekdays", "s", arg_weekdays);
        if (r >= 0 && arg_time)
                r = sd_bus_message_append(m, "{sv}", "time", "s", arg_time);
        if (r >= 0 && arg_duration)
                r = sd_bus_message_append(m, "{sv}", "duration", "s", arg_duration);
        r = close_and_send(m, r, &reply);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("set", json_object_new_boolean(true), PAIRS_END);
        puts("Date night set; the coming nights not moved by hand are planned anew (closerctl datenight).");
        return 0;
}

static bool all_digits(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

static int print_datenight_done(const char *what, uint64_t id) {
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "result", json_object_new_string(what), PAIRS_END);
        printf("Date night %" PRIu64 " %s.\n", id, what);
        return 0;
}

static int verb_datenight_move(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        int first = 1;
        if (argc > 2 && all_digits(argv[1])) {
                if (parse_uint(argv[1], INT64_MAX, &id) < 0)
                        return usage_error("'%.*s%s' is not a date night ID", ECHO(argv[1]));
                first = 2;
        }
        _cleanup_(freep) char *when = join_words(argc - first, argv + first);
        _cleanup_(when_clear) When w = {};
        if (!when)
                return fail("out of memory");
        int r = resolve_when("when", when, &w);
        if (r >= 0)
                r = call("MoveDateNight", &reply, "ts", id, w.instant);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        if (r < 0)
                return r;
        if (arg_json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_int64((int64_t) done));
                json_object_object_add(j, "result", json_object_new_string("moved"));
                json_add_when(j, "start", &w);
                return print_json(j);
        }
        char what[64];
        (void) snprintf(what, sizeof(what), "Date night %" PRIu64 " moved to", done);
        print_resolved(what, &w);
        return 0;
}

/* An ID typed by the user: a usage error names the kind and where to look. */
static int parse_id(const char *s, const char *kind, const char *see, uint64_t *ret) {
        if (parse_uint(s, INT64_MAX, ret) < 0 || *ret == 0)
                return usage_error("'%.*s%s' is not %s (see closerctl %s)", ECHO(s), kind, see);
        return 0;
}

/* datenight skip|unskip [ID]: method takes the ID (0: the next one). */
static int datenight_by_id(int argc, char **argv, const char *method, const char *what) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        int r = argc > 1 ? parse_id(argv[1], "a date night ID", "datenight", &id) : 0;
        if (r >= 0)
                r = call(method, &reply, "t", id);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        return r < 0 ? r : print_datenight_done(what, done);
}

static int verb_datenight_skip(int argc, char **argv) {
        return datenight_by_id(argc, argv, "SkipDateNight", "skipped");
}

static int verb_datenight_unskip(int argc, char **argv) {
        return datenight_by_id(argc, argv, "UnskipDateNight", "planned again");
}

static int verb_datenight_log(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0, done;
        const char *outcome = argv[argc - 1];
        if (argc > 2 && (parse_uint(argv[1], INT64_MAX, &id) < 0 || id == 0))
                return usage_error("'%.*s%s' is not a date night ID (see closerctl datenight)", ECHO(argv[1]));
        int r = call("LogDateNight", &reply, "ts", id, outcome);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &done);
        if (r < 0)
                return r;
        return print_datenight_done(streq(outcome, "happened") ? "happened" : "missed", done);
}

/* The reply of a call as JSON. */
static int reply_json(sd_bus_message *reply, json_object **ret) {
        *ret = reply_to_json(reply);
        return *ret ? 0 : fail("cannot read the reply");
}

static int verb_away_list(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_json_ json_object *all = NULL;
        int r = call("ListAway", &reply, NULL);
        if (r >= 0)
                r = reply_json(reply, &all);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json(all);
        size_t n = json_object_array_length(all);
        if (n == 0) {
                puts("No time apart recorded. closerctl away FROM TO records some.");
                return 0;
        }
        printf("%s%4s  %-14s  %-14s  %6s  %8s%s\n", BOLD, "ID", "FROM", "TO", "NIGHTS", "MAKE-UPS", RESET);
        for (size_t i = 0; i < n; i++) {
                json_object *a = json_object_array_get_idx(all, i);
                char from[32];
                (void) snprintf(from, sizeof(from), "%s", human_date(jstr(a, "from")) ?: "");
                printf("%4" PRIi64 "  %-14s  %-14s  %6" PRIi64 "  %8" PRIi64 "\n", jint(a, "id", 0), from,
                       human_date(jstr(a, "to")) ?: "", jint(a, "nights", 0), jint(a, "makeups", 0));
        }
        return 0;
}

static int verb_away(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id;
        if (argc == 1)
                return verb_away_list();
        if (argc != 3)
                return usage_error("away takes FROM TO (YYYY-MM-DD), or nothing to list the periods");
        int r = call("Away", &reply, "ss", argv[1], argv[2]);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "from", json_object_new_string(argv[1]),
                                        "to", json_object_new_string(argv[2]), PAIRS_END);
        printf("Away period %" PRIu64 ": apart from %s to %s. Date nights in between are by phone,\n"
               "and each is made up in person from the evening after %s on (closerctl datenight).\n",
               id, argv[1], argv[2], argv[2]);
        return 0;
}

static int verb_away_cancel(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_json_ json_object *a = NULL;
        uint64_t id;
        int r = parse_id(argv[1], "an away period ID", "away", &id);
        if (r >= 0)
                r = call("CancelAway", &reply, "t", id);
        if (r >= 0)
                r = reply_json(reply, &a);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json(a);
        int64_t nights = jint(a, "nights", 0), makeups = jint(a, "makeups", 0);
        printf("Away period %" PRIu64 " cancelled: %" PRIi64 " date %s in person again, %" PRIi64 " %s no longer owed.\n",
               id, nights, plural(nights, "night", "nights"), makeups, plural(makeups, "make-up", "make-ups"));
        return 0;
}

static int verb_export_ics(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(output_clearp) Output out = OUTPUT_INIT;
        int r = output_open(&out, argc > 1 ? argv[1] : NULL);
        if (r < 0)
                return r;
        r = call_with_output("ExportCalendar", &out, &reply);
        if (r < 0)
                return r;
        if (!output_is_stdout(&out))
                printf("Wrote the date nights to %.*s%s.\n", ECHO(out.path));
        return 0;
}

/* --- history --- */

/* A date as the daemon takes it, checked here for the shape only: the
 * daemon says whether it is a real date. */
static bool is_ymd(const char *s) {
        if (strlen(s) != 10)
                return false;
        for (size_t i = 0; i < 10; i++)
                if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char) s[i]))
                        return false;
        return true;
}

static void print_note(json_object *e) {
        if (jstr(e, "note"))
                printf(", note: %s", jstr(e, "note"));
}

/* One entry of the history, after its time and kind columns. */
static void print_history_entry(json_object *e) {
        const char *kind = jstr(e, "kind") ?: "";
        if (streq(kind, "act") || streq(kind, "extra")) {
                printf("%s", jstr(e, "title") ?: "");
                if (jint(e, "item", 0) > 0)
                        printf(" %s(item %" PRIi64 ")%s", DIM, jint(e, "item", 0), RESET);
                printf(": %s", jstr(e, "outcome") ?: "");
                if (jint(e, "response", 0) > 0)
                        printf(", response %" PRIi64 "/5", jint(e, "response", 0));
                print_note(e);
        } else if (streq(kind, "mood")) {
                printf("%" PRIi64 "/5%s", jint(e, "mood", 0), jbool(e, "last") ? " (the day's mood)" : "");
                print_note(e);
        } else if (streq(kind, "date_night")) {
                printf("%s, %s, until %s", jstr(e, "mode") ?: "", jstr(e, "status") ?: "",
                       human_clock(jstr(e, "end") ?: ""));
                if (jbool(e, "moved"))
                        printf(", moved");
                if (jint(e, "makeup_for", 0) > 0)
                        printf(", makes up for night %" PRIi64, jint(e, "makeup_for", 0));
        } else if (streq(kind, "advance")) {
                printf("by %s, %s", streq(jstr(e, "by") ?: "", "partner") ? "my partner" : "me",
                       jbool(e, "accepted") ? "accepted" : "declined");
                if (jint(e, "promise", 0) > 0)
                        printf(", rain check %" PRIi64, jint(e, "promise", 0));
                print_note(e);
        } else if (streq(kind, "promise")) {
                const char *event = jstr(e, "event") ?: "";
                printf("%" PRIi64 " %s", jint(e, "id", 0), event);
                if (streq(event, "moved"))
                        printf(" by %s from %s to %s", streq(jstr(e, "by") ?: "", "partner") ? "my partner" : "me",
                               human_time(jstr(e, "from") ?: ""), human_time(jstr(e, "to") ?: ""));
                else
                        printf(", due %s", human_time(jstr(e, "due") ?: ""));
                if (jstr(e, "what"))
                        printf(", %s", jstr(e, "what"));
                if (jstr(e, "where"))
                        printf(", at %s", jstr(e, "where"));
        } else if (streq(kind, "date_night_change"))
                printf("%" PRIi64 " %s (was %s)", jint(e, "id", 0), jstr(e, "to") ?: "", jstr(e, "from") ?: "");
        else if (streq(kind, "pause"))
                printf("until %s", human_date(jstr(e, "until") ?: ""));
        putchar('\n');
}

static int verb_history(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t item = 0;
        int truncated = 0;
        const char *const dates[][2] = { { "since", arg_since }, { "until", arg_until } };
        for (size_t i = 0; i < ELEMENTSOF(dates); i++)
                if (dates[i][1] && !is_ymd(dates[i][1]))
                        return usage_error("--%s must be a date YYYY-MM-DD, not '%.*s%s'", dates[i][0],
                                           ECHO(dates[i][1]));
        int r = arg_item ? parse_item_id(arg_item, &item) : 0;
        if (r < 0)
                return r;
        r = new_call("GetHistory", &m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dates); i++)
                if (dates[i][1])
                        r = sd_bus_message_append(m, "{sv}", dates[i][0], "s", dates[i][1]);
        if (r >= 0 && item > 0)
                r = sd_bus_message_append(m, "{sv}", "item", "t", item);
        r = close_and_send(m, r, &reply);
        if (r < 0)
                return r;
        json_object *entries = value_to_json(reply, 'a', "a{sv}");
        _cleanup_json_ json_object *owned = entries;
        if (!entries || sd_bus_message_read(reply, "b", &truncated) < 0)
                return fail("cannot read the reply");
        hide_private_each(entries);
        if (truncated)
                fprintf(stderr, "closerctl: only the first %zu entries: narrow the window with --since and --until\n",
                        json_object_array_length(entries));
        if (arg_json)
                return print_json(entries);
        size_t n = json_object_array_length(entries);
        if (n == 0)
                puts("Nothing recorded in these days.");
        const char *day = NULL;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(entries, i);
                const char *date = jstr(e, "date") ?: "";
                if (!day || !streq(day, date)) {
                        printf("%s%s%s%s\n", i > 0 ? "\n" : "", BOLD, human_date(date), RESET);
                        day = date;
                }
                const char *kind = jstr(e, "kind") ?: "";
                printf("  %5s  %-10s ", jstr(e, "time") ? human_clock(jstr(e, "time")) : "",
                       streq(kind, "date_night") || streq(kind, "date_night_change") ? "date night"
                       : streq(kind, "promise")                                        ? "rain check"
                                                                                       : kind);
                print_history_entry(e);
        }
        return 0;
}

/* --- stats --- */

static double jdouble(json_object *o, const char *key, double def) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return def;
        return json_object_get_double(v);
}

/* One of eight block heights for a value from 1 to 5; a dot for none. */
static const char *spark(double v) {
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        if (v <= 0)
                return "·";
        int i = (int) ((v - 1.0) / 4.0 * 7.0 + 0.5);
        return blocks[i < 0 ? 0 : i > 7 ? 7 : i];
}

/* A heat map cell: the number of acts done that day. */
static void heat_cell(int64_t acts) {
        static const char *const shades[] = { "·", "░", "▒", "▓", "█" };
        static const char *const colors[] = { "\033[2m", "\033[32m", "\033[32m", "\033[1;32m", "\033[1;32m" };
        int i = acts <= 0 ? 0 : acts >= 4 ? 4 : (int) acts;
        printf("%s%s%s ", ansi(colors[i]), shades[i], RESET);
}

static void print_sparkline(const char *label, json_object *weekly, const char *key) {
        double last = 0;
        printf("%s%-14s%s ", BOLD, label, RESET);
        for (size_t i = 0; i < json_object_array_length(weekly); i++) {
                double v = jdouble(json_object_array_get_idx(weekly, i), key, 0);
                fputs(spark(v), stdout);
                if (v > 0)
                        last = v;
        }
        if (last > 0)
                printf("  last %.1f/5", last);
        printf("  %s(per week, 1-5)%s\n", DIM, RESET);
}

static void print_heatmap(json_object *days) {
        static const char *const names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        size_t n = json_object_array_length(days), weeks = (n + 6) / 7;
        /* Month names over the first column of each month. */
        printf("%s%-14s%s ", BOLD, "Acts done", RESET);
        int last_month = -1;
        for (size_t w = 0; w < weeks; w++) {
                const char *date = jstr(json_object_array_get_idx(days, w * 7), "date");
                int month = date && strlen(date) >= 7 ? atoi(date + 5) - 1 : -1;
                if (month != last_month && month >= 0 && month < 12 && w + 1 < weeks) {
                        printf("%s ", months[month]);
                        w++; /* the name takes two columns */
                        last_month = month;
                } else
                        printf("  ");
        }
        putchar('\n');
        for (size_t d = 0; d < 7; d++) {
                printf("%14s ", names[d]);
                for (size_t w = 0; w < weeks; w++) {
                        size_t i = w * 7 + d;
                        if (i < n)
                                heat_cell(jint(json_object_array_get_idx(days, i), "acts", 0));
                }
                putchar('\n');
        }
        printf("%14s %sless%s ", "", DIM, RESET);
        for (int i = 0; i < 5; i++)
                heat_cell(i);
        printf("%smore%s\n", DIM, RESET);
}

/* Past this many weeks the heat map (15 columns, then 2 a week) and the
 * sparklines would not fit 80 columns: months become the columns. */
#define STATS_WEEKS_FIT 32

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* A month of the stats at its row (year) and column (month). */
static bool month_at(json_object *e, int *ret_year, int *ret_month) {
        const char *m = jstr(e, "month");
        if (!m || strlen(m) < 7)
                return false;
        *ret_year = atoi(m);
        *ret_month = atoi(m + 5) - 1;
        return *ret_month >= 0 && *ret_month < 12;
}

/* The month view: a row per year, a column per month; cell() prints 4
 * columns for a month. */
static void print_month_grid(const char *label, json_object *monthly, void (*cell)(json_object *)) {
        size_t n = json_object_array_length(monthly);
        int y0, m0, y1, m1;
        if (n == 0 || !month_at(json_object_array_get_idx(monthly, 0), &y0, &m0) ||
            !month_at(json_object_array_get_idx(monthly, n - 1), &y1, &m1))
                return;
        printf("%s%-14s%s      ", BOLD, label, RESET);
        for (int k = 0; k < 12; k++)
                printf("%s%s", k > 0 ? " " : "", month_names[k]);
        putchar('\n');
        size_t i = 0;
        for (int y = y0; y <= y1; y++) {
                printf("%14s %4d ", "", y);
                for (int k = 0; k < 12; k++) {
                        int yy, mm;
                        json_object *e = i < n ? json_object_array_get_idx(monthly, i) : NULL;
                        if (e && month_at(e, &yy, &mm) && yy == y && mm == k) {
                                cell(e);
                                i++;
                        } else if (y == y1 && k > m1)
                                break;
                        else
                                fputs("    ", stdout);
                }
                putchar('\n');
        }
}

/* A month's cell of the heat map: the share of its days with something done. */
static void month_heat_cell(json_object *e) {
        int64_t days = jint(e, "days", 0), active = jint(e, "active_days", 0);
        int shade = active <= 0 || days <= 0 ? 0 : 1 + (int) ((active * 4 - 1) / days);
        putchar(' ');
        heat_cell(shade);
        putchar(' ');
}

static void month_mood_cell(json_object *e) {
        printf(" %s  ", spark(jdouble(e, "mood", 0)));
}

static void month_response_cell(json_object *e) {
        printf(" %s  ", spark(jdouble(e, "response", 0)));
}

static void print_month_view(json_object *monthly) {
        print_month_grid("Acts done", monthly, month_heat_cell);
        printf("%14s %sless%s ", "", DIM, RESET);
        for (int i = 0; i < 5; i++)
                heat_cell(i);
        printf("%smore (the share of the days with an act)%s\n\n", DIM, RESET);
        print_month_grid("Mood", monthly, month_mood_cell);
        print_month_grid("Responses", monthly, month_response_cell);
        printf("%14s %s(per month, 1-5)%s\n", "", DIM, RESET);
}

static void print_items_table(const char *label, json_object *items) {
        size_t n = json_object_array_length(items);
        for (size_t i = 0; i < n; i++) {
                json_object *it = json_object_array_get_idx(items, i);
                int64_t acts = jint(it, "acts", 0);
                printf("%s%-14s%s %.1f  %s %s(%s, %" PRIi64 " %s)%s\n", BOLD, i == 0 ? label : "", RESET,
                       jdouble(it, "response", 0), jstr(it, "title") ?: "", DIM, jstr(it, "category") ?: "", acts,
                       plural(acts, "act", "acts"), RESET);
        }
        if (n == 0)
                printf("%s%-14s%s %s(none yet: it takes 3 acts with a response)%s\n", BOLD, label, RESET, DIM, RESET);
}

/* A line of rain check figures of one side (GetStats "promises" or
 * "promises_owed_to_me"). */
static void print_promise_counts(const char *label, json_object *pr) {
        int64_t kept = jint(pr, "kept", 0), broken = jint(pr, "broken", 0);
        printf("%s%-14s%s %" PRIi64 " kept (%" PRIi64 " on time), %" PRIi64 " broken, moved %" PRIi64
               " by me and %" PRIi64 " by my partner, %" PRIi64 " open", BOLD, label, RESET, kept,
               jint(pr, "kept_on_time", 0), broken, jint(pr, "moved_by_me", 0), jint(pr, "moved_by_partner", 0),
               jint(pr, "open", 0));
        if (kept + broken > 0)
                printf(": %.0f%% kept", 100.0 * (double) kept / (double) (kept + broken));
        putchar('\n');
}

static int verb_stats(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t weeks = 12;
        if (arg_weeks && (parse_uint(arg_weeks, UINT32_MAX, &weeks) < 0 || weeks == 0))
                return usage_error("--weeks must be a number of weeks from 1 to 520, not '%.*s%s'", ECHO(arg_weeks));
        int r = call("GetStats", &reply, "u", (uint32_t) weeks);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *st = reply_to_json(reply);
        if (!st)
                return fail("cannot read the reply");
        const char *const item_lists[] = { "top_items", "flat_items" };
        for (size_t i = 0; i < ELEMENTSOF(item_lists); i++) {
                json_object *l;
                if (json_object_object_get_ex(st, item_lists[i], &l))
                        hide_private_each(l);
        }
        if (arg_json)
                return print_json(st);

        json_object *days = NULL, *weekly = NULL, *top = NULL, *flat = NULL, *cats = NULL, *dn = NULL, *pr = NULL,
                    *owed = NULL, *in = NULL, *monthly = NULL;
        (void) json_object_object_get_ex(st, "monthly", &monthly);
        (void) json_object_object_get_ex(st, "days", &days);
        (void) json_object_object_get_ex(st, "weekly", &weekly);
        (void) json_object_object_get_ex(st, "top_items", &top);
        (void) json_object_object_get_ex(st, "flat_items", &flat);
        (void) json_object_object_get_ex(st, "categories", &cats);
        (void) json_object_object_get_ex(st, "date_nights", &dn);
        (void) json_object_object_get_ex(st, "promises", &pr);
        (void) json_object_object_get_ex(st, "promises_owed_to_me", &owed);
        (void) json_object_object_get_ex(st, "initiations", &in);

        int64_t nweeks = jint(st, "weeks", 0), current = jint(st, "streak_current", 0);
        int64_t longest = jint(st, "streak_longest", 0), n_days = days ? (int64_t) json_object_array_length(days) : 0;
        bool by_month = nweeks > STATS_WEEKS_FIT;
        printf("%sThe last %" PRIi64 " %s%s, %s to %s\n\n", BOLD, nweeks, plural(nweeks, "week", "weeks"), RESET,
               human_date(jstr(st, "from")) ?: "", human_date(jstr(st, "to")) ?: "");
        if (by_month && monthly)
                print_month_view(monthly);
        else if (days)
                print_heatmap(days);
        putchar('\n');
        char window[32] = "this week";
        if (nweeks != 1)
                (void) snprintf(window, sizeof(window), "these %" PRIi64 " weeks", nweeks);
        printf("%s%-14s%s %" PRIi64 " %s now, longest %" PRIi64 " %s in %s, %" PRIi64 " all time\n", BOLD, "Streak",
               RESET, current, plural(current, "day", "days"), longest, plural(longest, "day", "days"), window,
               jint(st, "streak_longest_all", 0));
        printf("%s%-14s%s %" PRIi64 " done (%" PRIi64 " daily, %" PRIi64 " %s), %" PRIi64 " rerolled, on %" PRIi64
               " of %" PRIi64 " %s\n", BOLD, "Acts", RESET, jint(st, "acts_done", 0), jint(st, "daily_done", 0),
               jint(st, "extras", 0), plural(jint(st, "extras", 0), "extra", "extras"), jint(st, "rerolled", 0),
               jint(st, "days_with_acts", 0), n_days, plural(n_days, "day", "days"));
        if (weekly && !by_month) {
                print_sparkline("Mood", weekly, "mood");
                print_sparkline("Responses", weekly, "response");
        }
        putchar('\n');
        if (top)
                print_items_table("Best received", top);
        if (flat && json_object_array_length(flat) > 0)
                print_items_table("Falls flat", flat);
        for (size_t i = 0; cats && i < json_object_array_length(cats); i++) {
                json_object *c = json_object_array_get_idx(cats, i);
                double resp = jdouble(c, "response", 0);
                int64_t acts = jint(c, "acts", 0);
                printf("%s%-14s%s %-9s %3" PRIi64 " %s", BOLD, i == 0 ? "By category" : "", RESET,
                       jstr(c, "category") ?: "", acts, plural(acts, "act", "acts"));
                if (resp > 0) {
                        printf("%s  %.1f ", acts == 1 ? " " : "", resp);
                        for (int k = 0; k < (int) (resp * 2 + 0.5); k++)
                                fputs("█", stdout);
                }
                putchar('\n');
        }
        putchar('\n');
        if (dn)
                printf("%s%-14s%s %" PRIi64 " happened, %" PRIi64 " remote, %" PRIi64 " %s, %" PRIi64
                       " missed, %" PRIi64 " skipped%s\n", BOLD, "Date nights", RESET, jint(dn, "happened", 0),
                       jint(dn, "remote", 0), jint(dn, "makeup", 0), plural(jint(dn, "makeup", 0), "make-up", "make-ups"),
                       jint(dn, "missed", 0), jint(dn, "skipped", 0),
                       jint(dn, "unlogged", 0) > 0 ? ", some not logged yet" : "");
        if (pr)
                print_promise_counts("Rain checks", pr);
        if (owed)
                print_promise_counts("Owed to me", owed);
        if (in)
                printf("%s%-14s%s me %" PRIi64 " (%" PRIi64 " accepted), my partner %" PRIi64 " (%" PRIi64
                       " accepted)\n", BOLD, "Initiations", RESET, jint(in, "by_me", 0), jint(in, "by_me_accepted", 0),
                       jint(in, "by_partner", 0), jint(in, "by_partner_accepted", 0));
        return 0;
}

/* --- monitor --- */

/* The argument names of each signal, for the JSON lines. */
static const struct {
        const char *member;
        const char *args[7];
} signal_args[] = {
        { "DailyAct", { "date", "item", "title", "category", "private", "late" } },
        { "Lapse", { "since", "days" } },
        { "PhaseChanged", { "old", "new" } },
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
        if (arg_json)
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

static int verb_monitor(int argc, char **argv) {
        int r = connect_bus();
        if (r < 0)
                return r;
        (void) discreet(); /* known before the first signal */
        r = sd_bus_match_signal(bus, NULL, NULL, OBJECT_PATH, INTERFACE, NULL, on_signal, NULL);
        if (r < 0)
                return fail("cannot listen for signals: %s", strerror(-r));
        if (!arg_json) {
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

/* --- the verb table and help --- */

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* positional, counting the verb's own name words as one */
        uint64_t options;
        int (*run)(int argc, char **argv);
        const char *usage;
        const char *help;
} Verb;

#define ITEM_OPTS (OPT_CATEGORY | OPT_INTENSITY | OPT_PRIVATE | OPT_DETAILS)

static const Verb verbs[] = {
        { "status", 1, 1, OPT_JSON, verb_status, "status",
          "Phase, ramp, streak, list sizes, what comes next, and warnings." },
        { "today", 1, 1, OPT_JSON, verb_today, "today",
          "Today's act from my partner's list, tonight's date night, promises due." },
        { "done", 1, 1, OPT_JSON | OPT_RESPONSE | OPT_MOOD | OPT_NOTE, verb_done,
          "done [--response N] [--mood N] [--note T]",
          "Today's act is done. --response: how my partner responded, 1-5; --mood: my\n"
          "partner's overall mood today, 1-5; --note: what I noticed." },
        { "reroll", 1, 1, OPT_JSON, verb_reroll, "reroll", "Another act for today (the skip is recorded)." },
        { "extra", 2, 2, OPT_JSON | OPT_RESPONSE | OPT_NOTE, verb_extra, "extra ITEM_ID|TEXT [--response N] [--note T]",
          "An unscheduled moment: an item of my partner's list, or anything else." },
        { "mood", 2, 2, OPT_JSON | OPT_NOTE, verb_mood, "mood N [--note T]", "My partner's mood today, 1-5." },
        { "pause", 1, 1, OPT_JSON | OPT_UNTIL, verb_pause, "pause --until DATE",
          "Pause the practice through DATE (illness, a hard time): no daily act, no\n"
          "lapse, and the streak is kept." },
        { "resume", 1, 1, OPT_JSON, verb_resume, "resume", "End a pause today." },
        { "datenight set", 1, 1, OPT_JSON | OPT_WEEKDAY | OPT_TIME | OPT_VARY | OPT_WEEKDAYS | OPT_DURATION,
          verb_datenight_set, "datenight set (--weekday D --time HH:MM | --vary [--weekdays D,D]) [--duration 3h]",
          "The weekly date night: the same weekday every week, or varied over some\n"
          "weekdays (a different one each week, the same on both partners' machines).\n"
          "Default: fri 20:00 for 3h; --vary alone varies over fri,sat,sun." },
        { "datenight move", 2, 5, OPT_JSON, verb_datenight_move, "datenight move [ID] WHEN",
          "Move one date night (by default the next). WHEN as for advance." },
        { "datenight skip", 1, 2, OPT_JSON, verb_datenight_skip, "datenight skip [ID]",
          "Skip one date night (by default the next); it stays in the calendar, cancelled." },
        { "datenight unskip", 1, 2, OPT_JSON, verb_datenight_unskip, "datenight unskip [ID]",
          "Undo a skip (by default of the next skipped night): planned again, and back\n"
          "in the calendar." },
        { "datenight log", 2, 3, OPT_JSON, verb_datenight_log, "datenight log [ID] happened|missed",
          "How a past date night went (by default the latest without an outcome, else\n"
          "the latest with one). Given again, the last outcome counts." },
        { "datenight", 1, 1, OPT_JSON, verb_datenight, "datenight",
          "The date nights: the recent ones and the coming ics.weeks weeks." },
        { "away cancel", 2, 2, OPT_JSON, verb_away_cancel, "away cancel ID",
          "Cancel an away period: its coming date nights are in person again, and the\n"
          "make-ups it owed and that have not happened are no longer owed." },
        { "away", 1, 3, OPT_JSON, verb_away, "away [FROM TO]",
          "Apart from FROM to TO (YYYY-MM-DD, both days apart): the date nights in\n"
          "between become remote, and each is made up in person after TO. Without\n"
          "FROM TO: the away periods (ID, from, to, remote nights, make-ups owed)." },
        { "export-ics", 1, 2, OPT_JSON, verb_export_ics, "export-ics [FILE|-]",
          "The date nights and open rain checks as iCalendar (stdout without FILE or\n"
          "with -). closerd also keeps $XDG_DATA_HOME/closer/datenights.ics current." },
        { "advance", 2, 9, OPT_JSON | OPT_BY | OPT_RAINCHECK | OPT_WHAT | OPT_WHERE | OPT_NOTE, verb_advance,
          "advance --by me|partner accepted|declined [--raincheck WHEN] [--what T] [--where T] [--note T]",
          "Record an initiation. Declining my partner's advance needs a rain check:\n"
          "--raincheck WHEN (and, if you like, --what and --where) makes the promise.\n"
          "Whoever declined owes it: --by me declined --raincheck WHEN is one my\n"
          "partner owes me.\n\n"
          "WHEN: YYYY-MM-DD HH:MM, HH:MM (today), tomorrow HH:MM, a weekday and HH:MM\n"
          "(sat 20:00, the next one), +2h, +30min, +1d." },
        { "raincheck", 2, 4, OPT_JSON | OPT_WHAT | OPT_WHERE | OPT_OWED_BY, verb_raincheck,
          "raincheck WHEN [--what T] [--where T] [--owed-by me|partner]",
          "Make a promise on its own: one I owe (the default), or --owed-by partner:\n"
          "one my partner owes me. WHEN as for advance." },
        { "promise kept", 2, 2, OPT_JSON, verb_promise_resolve, "promise kept ID", "The rain check was kept." },
        { "promise broken", 2, 2, OPT_JSON, verb_promise_resolve, "promise broken ID",
          "The rain check was not kept: a setback; make it up soon." },
        { "promise reopen", 2, 2, OPT_JSON, verb_promise_resolve, "promise reopen ID",
          "Undo kept, broken or cancelled: the rain check is open again and counts as\n"
          "neither kept nor broken. The undo is recorded, nothing is deleted." },
        { "promise cancel", 2, 2, OPT_JSON, verb_promise_resolve, "promise cancel ID",
          "A rain check made by mistake: cancelled, it counts neither as kept nor as\n"
          "broken, and stays in promise --all." },
        { "promise move", 3, 5, OPT_JSON | OPT_BY_PARTNER, verb_promise_move, "promise move ID WHEN [--by-partner]",
          "Move a rain check. Moved by my partner it does not count against me." },
        { "promise", 1, 2, OPT_JSON | OPT_ALL, verb_promise, "promise [--all]",
          "The rain checks: open and moved ones, the overdue marked, and the recent resolved\n"
          "ones (--all: every one; --json always lists every one). OWED: \"I owe\", or\n"
          "\"Sam owes me\" for the ones my partner owes me." },
        { "history", 1, 1, OPT_JSON | OPT_SINCE | OPT_UNTIL | OPT_ITEM, verb_history,
          "history [--since DATE] [--until DATE] [--item ID]",
          "What was recorded, day by day: acts, extras, moods, date nights, advances,\n"
          "rain checks and pauses; the last 4 weeks unless told, at most 10 years." },
        { "stats", 1, 1, OPT_JSON | OPT_WEEKS, verb_stats, "stats [--weeks N]",
          "Acts, responses, mood, date nights, promises and initiations of the last N\n"
          "weeks (default 12, at most 520): a calendar heat map of acts done, sparklines\n"
          "of mood and responses, the best-received items and the ones that fall flat.\n"
          "Past 32 weeks (what fits 80 columns) the heat map has a column per month." },
        { "monitor", 1, 1, OPT_JSON, verb_monitor, "monitor",
          "Print closerd's signals as they arrive, one line each (--json: one JSON\n"
          "object per line), until interrupted." },
        { "list add", 1, 2, OPT_JSON | ITEM_OPTS | OPT_FROM | OPT_IDEA, verb_list_add,
          "list add TITLE [--category C] [--intensity N] [--private|--public] [--details T]\n"
          "  list add --from FILE|-\n"
          "  list add --idea N",
          "Add an item to my list: what makes me feel loved. Categories: affection,\n"
          "love, lust, fun (default affection); intensity 1 gentle (default), 2 intimate,\n"
          "3 explicit; explicit items are private unless --public.\n\n"
          "--from FILE (or - for stdin) adds many at once, all or nothing, from a text\n"
          "file: a title a line; blank lines and # comments skipped; [affection], [love],\n"
          "[lust], [fun] lines start a category; a leading ! makes an item private; a\n"
          "trailing *, ** or *** sets the intensity 1, 2 or 3.\n"
          "--idea N adds starter idea N (see list ideas)." },
        { "list ideas", 1, 1, OPT_JSON | OPT_CATEGORY, verb_list_ideas, "list ideas [--category C]",
          "Starter ideas to help write the first 30-50 items." },
        { "list export", 1, 2, OPT_JSON, verb_list_export, "list export [FILE]",
          "Write my list as an iCalendar file of to-dos for my partner (stdout without FILE or with -)." },
        { "list edit", 2, 2, OPT_JSON | ITEM_OPTS | OPT_TITLE, verb_list_edit,
          "list edit ID [--title T] [--details T] [--category C] [--intensity N] [--private|--public]",
          "Change an item of my list." },
        { "list show", 2, 2, OPT_JSON | OPT_DISCREET, verb_list_show, "list show ID [--discreet]",
          "Everything about one item of my list or my partner's: how often it was done,\n"
          "its average response, when last." },
        { "list rm", 2, 2, OPT_JSON, verb_list_rm, "list rm ID",
          "Remove an item from my list (the next export tells my partner's copy)." },
        { "list", 1, 2, OPT_JSON | OPT_DISCREET, verb_list, "list [mine|partner] [--discreet]",
          "Show my list, or my partner's with my review of each item. --discreet shows\n"
          "private partner items by their category only." },
        { "partner import", 2, 2, OPT_JSON | OPT_REPLACE, verb_partner_import, "partner import FILE|- [--replace]",
          "Import my partner's exported list: all or nothing; the same file twice changes\n"
          "nothing; a newer export updates by UID and keeps my reviews where the text\n"
          "did not change (a changed item goes back to review: to discuss where I said\n"
          "no). My own export and a file with no list items are refused, and so is\n"
          "another partner's list unless --replace, which forgets the old one." },
        { "partner review", 3, 3, OPT_JSON | OPT_NOTE, verb_partner_review,
          "partner review ID ok|discuss|no [--note T]",
          "My review of an item of my partner's list: ok, discuss (we talk about it),\n"
          "no (after talking, off the table); the note keeps the middle ground we found." },
        { "partner forget", 1, 1, OPT_JSON | OPT_YES, verb_partner_forget, "partner forget [--yes]",
          "Forget my partner's whole list, for instance after importing the wrong file:\n"
          "its items leave the daily pick and list partner; the acts done keep their\n"
          "titles. Asks once on a terminal; elsewhere it needs --yes." },
        { "partner discuss", 1, 1, OPT_JSON | OPT_DISCREET, verb_partner_discuss, "partner discuss [--discreet]",
          "What is left to talk about: items not yet reviewed or under discussion." },
        { "set", 3, 3, OPT_JSON, verb_set, "set KEY VALUE",
          "Change a setting: me.name, partner.name, daily.time (HH:MM), start (cold,\n"
          "cooling, warm), datenight.remind (1h, 30min), notify and notify.reveal (on/off),\n"
          "ics.weeks, discreet (on/off: --discreet by default). The value a setting\n"
          "already has changes nothing (the ramp restarts only with ramp restart)." },
        { "get", 1, 2, OPT_JSON, verb_get, "get [KEY]", "Show the settings, or one of them." },
        { "ramp restart", 1, 1, OPT_JSON, verb_ramp_restart, "ramp restart",
          "Start the ramp again today: the intensity cap of the start kind (setting\n"
          "start) widens week by week from today, as when the practice began." },
};

static void help_verb(const Verb *v) {
        printf("Usage: closerctl [--json] %s\n\n%s\n", v->usage, v->help);
}

/* The command families: the first words of two-word commands. */
static bool is_family(const char *word) {
        size_t n = strlen(word);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strncmp(verbs[i].name, word, n) == 0 && verbs[i].name[n] == ' ')
                        return true;
        return false;
}

static void help_family(const char *family) {
        size_t n = strlen(family);
        printf("Usage: closerctl [--json] %s COMMAND ...\n\nCommands:\n", family);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strncmp(verbs[i].name, family, n) == 0 && (verbs[i].name[n] == ' ' || !verbs[i].name[n])) {
                        const char *nl = strchr(verbs[i].help, '\n');
                        printf("  %s\n      %.*s%s\n", verbs[i].usage, nl ? (int) (nl - verbs[i].help) : INT_MAX,
                               verbs[i].help, nl ? " ..." : "");
                }
        printf("\nSee closerctl %s COMMAND --help for one of them, and closerctl(1).\n", family);
}

static int help(void) {
        printf("Usage: closerctl [--json] COMMAND ...\n\n"
               "Keep the love list practice: one small act a day from my partner's list,\n"
               "a weekly date night, and every rain check kept. Talks to closerd on the\n"
               "session bus.\n\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].usage);
        printf("\nOptions:\n"
               "  -h --help         Show help (closerctl COMMAND --help for one command or family)\n"
               "     --version      Show the version\n"
               "  -j --json         Print one JSON document on stdout\n"
               "     --discreet     Show private items by their category and ID only (the\n"
               "                    setting discreet makes it the default; --no-discreet\n"
               "                    overrides it once)\n\n"
               "Exit status: 0 on success, 1 when the daemon refused or failed, 2 on a usage error.\n"
               "See closerctl(1).\n");
        return 0;
}

static const Verb *find_verb(int argc, char **argv, int *ret_words) {
        /* Two-word commands ("list add") first, then one word ("list"). */
        if (argc >= 2)
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                        const char *sp = strchr(verbs[i].name, ' ');
                        if (sp && strncmp(verbs[i].name, argv[0], sp - verbs[i].name) == 0 &&
                            strlen(argv[0]) == (size_t) (sp - verbs[i].name) && streq(sp + 1, argv[1])) {
                                *ret_words = 2;
                                return &verbs[i];
                        }
                }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[0])) {
                        *ret_words = 1;
                        return &verbs[i];
                }
        return NULL;
}

/* Which options were given, by their index in options[]: errors name them as typed. */
static bool given[ELEMENTSOF(options)];

/* The first option given of those in bits, as typed. */
static const char *given_name(uint64_t bits) {
        for (size_t i = 0; i < ELEMENTSOF(options); i++)
                if (given[i] && (options[i].bit & bits))
                        return options[i].name;
        return "an option";
}

/* The command line again with "--" before argument k: how to pass a value
 * that starts with '-'. */
static char *with_dashdash(int argc, char *argv[], int k) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);
        if (!f)
                return NULL;
        fputs("closerctl", f);
        for (int i = 1; i < argc; i++)
                fprintf(f, "%s %s", i == k ? " --" : "", argv[i]);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static int unknown_option(int argc, char *argv[], int opt) {
        /* The word it came in: a short option may stand inside a cluster ("-1h"). */
        int k = optind - 1;
        if (opt && optind < argc && argv[optind][0] == '-' && strchr(argv[optind] + 1, opt))
                k = optind;
        if (k < 1 || k >= argc)
                return usage_error("unknown option (see closerctl --help)");
        const char *word = argv[k];
        if (word[0] == '-' && word[1] != '-') {
                /* A value such as -1h: it goes after "--". */
                _cleanup_free_ char *fixed = with_dashdash(argc, argv, k);
                return usage_error("unknown option '%.*s%s' (a value that starts with '-' goes after --: %.*s%s)",
                                   ECHO(word), ECHO(fixed ?: "closerctl -- ..."));
        }
        return usage_error("unknown option '%.*s%s' (see closerctl --help)", ECHO(word));
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_FIRST };
        struct option longopts[ELEMENTSOF(options) + 4] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
        };
        for (size_t i = 0; i < ELEMENTSOF(options); i++)
                longopts[i + 2] = (struct option) { options[i].name, options[i].has_arg, NULL, ARG_FIRST + (int) i };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hj", longopts, NULL)) >= 0) {
                if (c >= ARG_FIRST && c < ARG_FIRST + (int) ELEMENTSOF(options)) {
                        const Option *o = &options[c - ARG_FIRST];
                        if (o->value)
                                *o->value = optarg;
                        else
                                *o->flag = o->flag_value;
                        arg_given |= o->bit;
                        given[c - ARG_FIRST] = true;
                        continue;
                }
                switch (c) {
                case 'h':
                        arg_help = true;
                        break;
                case 'j':
                        arg_json = true;
                        arg_given |= OPT_JSON;
                        break;
                case ARG_VERSION:
                        printf("closerctl %s\n", VERSION);
                        return 0;
                case ':':
                        if (optopt >= ARG_FIRST && optopt < ARG_FIRST + (int) ELEMENTSOF(options)) {
                                const Option *o = &options[optopt - ARG_FIRST];
                                return usage_error("option --%s needs a value (%s)", o->name, o->hint);
                        }
                        return usage_error("option '%.*s%s' needs a value", ECHO(argv[optind - 1]));
                case '?':
                        if (optopt >= ARG_FIRST || optopt == ARG_VERSION || optopt == 'h')
                                return usage_error("option '%.*s%s' takes no value", ECHO(argv[optind - 1]));
                        return unknown_option(argc, argv, optopt);
                default:
                        return usage_error("cannot read the options");
                }
        }
        return 1;
}

static int run(int argc, char *argv[]) {
        int r, words = 0;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        use_color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !arg_json;

        int n = argc - optind;
        char **args = argv + optind;
        if (n == 0) {
                if (arg_help)
                        return help();
                return usage_error("no command given (see closerctl --help)");
        }
        const Verb *v = find_verb(n, args, &words);
        if (is_family(args[0]) && (!v || (words == 1 && arg_help))) {
                if (n == 1 || arg_help) {
                        help_family(args[0]);
                        return 0;
                }
                return usage_error("unknown command '%.*s%s %.*s%s' (see closerctl %s --help)", ECHO(args[0]),
                                   ECHO(args[1]), args[0]);
        }
        if (!v)
                return usage_error("unknown command '%.*s%s' (see closerctl --help)", ECHO(args[0]));
        if (arg_help) {
                help_verb(v);
                return 0;
        }
        /* The name words count as one argument: "list add X" is 2. */
        int nargs = n - words + 1;
        if (nargs < v->min_args || nargs > v->max_args)
                return usage_error("%s: wrong number of arguments; usage: closerctl %s", v->name, v->usage);
        /* --json and --discreet go with every command. */
        uint64_t extra = arg_given & ~(v->options | OPT_JSON | OPT_DISCREET);
        if (extra)
                return usage_error("%s does not take --%s (see closerctl %s --help)", v->name, given_name(extra),
                                   v->name);
        return v->run(nargs, args + words - 1);
}

int main(int argc, char *argv[]) {
        /* A reader that stops early (| head) ends closerctl quietly. */
        (void) signal(SIGPIPE, SIG_DFL);

        int r = run(argc, argv);
        sd_bus_flush_close_unref(bus);
        if (close_stdout() < 0 && r >= 0)
                r = -EIO;
        if (r < 0 && !failure_reported())
                fail("%s", r == ERR_USAGE ? "usage error (see closerctl --help)"
                                          : "cannot read closerd's reply or build the call");
        return r == ERR_USAGE ? 2 : r < 0 ? 1 : 0;
}
