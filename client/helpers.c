/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "replies.h"

bool use_color = false;

const char *ansi(const char *code) {
        return use_color ? code : "";
}
/* --- arguments --- */

int parse_uint(const char *s, uint64_t max, uint64_t *ret) {
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

int parse_item_id(const char *s, uint64_t *ret) {
        if (parse_uint(s, INT64_MAX, ret) < 0 || *ret == 0)
                return usage_error("'%.*s%s' is not an item ID (a positive number, see closerctl list)", ECHO(s));
        return 0;
}
/* --- files: they cross the bus as descriptors --- */
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
int open_input(const char *path) {
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
int call_with_output(const char *method, Output *out, sd_bus_message **reply) {
        int r = call(method, reply, "h", out->fd);
        if (r < 0)
                return r;
        return output_commit(out);
}
/* --- discretion: for a shared screen --- */

/* A setting's value (a copy), NULL when it cannot be read. */
char *setting_value(const char *key) {
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
bool discreet(void) {
        if (arg.discreet >= 0)
                return arg.discreet;
        _cleanup_(freep) char *v = setting_value("discreet");
        arg.discreet = v ? streq(v, "on") : 1;
        return arg.discreet;
}

/* partner.name, or "my partner" when unset (read once). */
const char *partner_name(void) {
        static char *name = NULL;
        if (!name) {
                name = setting_value("partner.name");
                if (!name || !name[0]) {
                        /* The name my partner shares, when sharing (GetShare). */
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                        _cleanup_json_ json_object *j = NULL;
                        free(name);
                        name = NULL;
                        if (call_quiet("GetShare", &reply) >= 0 && reply_json(reply, &j) >= 0 && jstr(j, "partner_name"))
                                name = strdup(jstr(j, "partner_name"));
                        if (!name)
                                name = strdup("my partner");
                }
        }
        return name ?: "my partner";
}

/* A private item of a reply, made discreet in place: its category stands
 * in for its title, and nothing else of its text is kept. */
void hide_private(json_object *it) {
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

void hide_private_each(json_object *a) {
        for (size_t i = 0; json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
                hide_private(json_object_array_get_idx(a, i));
}
const char *plural(int64_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}
void output_clearp(Output *o) {
        output_clear(o);
}
/* Asks once on a terminal; elsewhere --yes must say it. */
int confirm(const char *question) {
        if (arg.yes)
                return 0;
        if (!isatty(STDIN_FILENO))
                return usage_error("not on a terminal: give --yes to confirm (%s)", question);
        fprintf(stderr, "%s [y/N] ", question);
        char answer[16] = "";
        if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                return fail("not confirmed: nothing changed");
        return 0;
}
/* WHEN may come in several words ("tomorrow 21:00" unquoted): joins them. */
char *join_words(int argc, char **argv) {
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

void when_clear(When *w) {
        free(w->time);
        free(w->gap);
}

/* Asks closerd what TEXT means now; an error names LABEL, as the user typed it. */
int resolve_when(const char *label, const char *text, When *ret) {
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
        WhenInfo w = {};
        (void) bus_map_reply(j, when_map, &w);
        if (!w.time || !w.has_instant)
                return fail("cannot read the reply");
        ret->time = strdup(w.time);
        ret->gap = w.gap ? strdup(w.gap) : NULL;
        ret->next_week = w.next_week;
        (void) snprintf(ret->instant, sizeof(ret->instant), "@%" PRIi64, w.instant);
        if (!ret->time || (w.gap && !ret->gap))
                return fail("out of memory");
        return 0;
}

/* "Rain check 2: Sat 5 Dec 20:00 (next week: today's 20:00 has passed)",
 * and a line of its own when the time asked for does not exist. */
void print_resolved(const char *what, const When *w) {
        printf("%s %s", what, human_time(w->time));
        if (w->next_week)
                printf(" (next week: today's %s has passed)", human_clock(w->time));
        putchar('\n');
        if (w->gap)
                printf("%s does not exist on %s (clocks go forward): %s\n", w->gap,
                       human_date(w->time), human_clock(w->time));
}

/* The JSON of a resolved WHEN, under key. */
void json_add_when(json_object *j, const char *key, const When *w) {
        json_object_object_add(j, key, json_object_new_string(w->time));
        json_object_object_add(j, "next_week", json_object_new_boolean(w->next_week));
        json_object_object_add(j, "gap", w->gap ? json_object_new_string(w->gap) : NULL);
}
bool all_digits(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}
/* An ID typed by the user: a usage error names the kind and where to look. */
int parse_id(const char *s, const char *kind, const char *see, uint64_t *ret) {
        if (parse_uint(s, INT64_MAX, ret) < 0 || *ret == 0)
                return usage_error("'%.*s%s' is not %s (see closerctl %s)", ECHO(s), kind, see);
        return 0;
}
/* A date as the daemon takes it, checked here for the shape only: the
 * daemon says whether it is a real date. */
bool is_ymd(const char *s) {
        if (strlen(s) != 10)
                return false;
        for (size_t i = 0; i < 10; i++)
                if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char) s[i]))
                        return false;
        return true;
}
