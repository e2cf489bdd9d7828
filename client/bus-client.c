/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "bus-client.h"
#include "output.h"

sd_bus *bus = NULL;
/* --- the bus --- */

int connect_bus(void) {
        if (bus)
                return 0;
        int r = sd_bus_open_user(&bus);
        if (r < 0)
                return fail("cannot connect to the session bus: %s (is DBUS_SESSION_BUS_ADDRESS set?)",
                            strerror(-r));
        return 0;
}

int new_call(const char *method, sd_bus_message **ret) {
        int r = connect_bus();
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, ret, BUS_NAME, OBJECT_PATH, INTERFACE, method);
        if (r < 0)
                return fail("cannot build the call %s: %s", method, strerror(-r));
        return 0;
}

/* Prints the daemon's own words for a failed call. */
int report_call_error(const sd_bus_error *error, int r) {
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                   "org.freedesktop.DBus.Error.Spawn.ServiceNotFound"))
                return fail("closerd is not running and cannot be started on this bus: %s",
                            error->message ? error->message : strerror(-r));
        return fail("%s", error->message ? error->message : strerror(-r));
}

/* Sends the call; on failure prints the daemon's own words. */
int send_call(sd_bus_message *m, sd_bus_message **reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call(bus, m, 0, &error, reply);
        if (r < 0)
                return report_call_error(&error, r);
        return 0;
}

/* A call without arguments whose failure is not reported. */
int call_quiet(const char *method, sd_bus_message **reply) {
        int r = connect_bus();
        if (r < 0)
                return r;
        return sd_bus_call_method(bus, BUS_NAME, OBJECT_PATH, INTERFACE, method, NULL, reply, NULL);
}

void append_failed(int r) {
        if (r == -EINVAL)
                fail("an argument is not valid UTF-8 text");
        else
                fail("cannot build the call: %s", strerror(-r));
}

/* Calls a method whose arguments are all basic, given as sd_bus types. */
static int callv(const char *method, sd_bus_message **reply, const char *types, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = new_call(method, &m);
        if (r < 0)
                return r;
        if (types) {
                r = sd_bus_message_appendv(m, types, ap);
                if (r < 0) {
                        append_failed(r);
                        return r;
                }
        }
        return send_call(m, reply);
}

int call(const char *method, sd_bus_message **reply, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = callv(method, reply, types, ap);
        va_end(ap);
        return r;
}

int call_json(const char *method, json_object **ret, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        va_list ap;
        va_start(ap, types);
        int r = callv(method, &reply, types, ap);
        va_end(ap);
        return r < 0 ? r : reply_json(reply, ret);
}

/* Closes the a{sv} of a call being built (unless building it failed
 * already) and sends the call. */
int close_and_send(sd_bus_message *m, int r, sd_bus_message **reply) {
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
json_object *value_to_json(sd_bus_message *m, char type, const char *contents) {
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
json_object *reply_to_json(sd_bus_message *reply) {
        char t;
        const char *c;
        if (sd_bus_message_peek_type(reply, &t, &c) <= 0)
                return NULL;
        return value_to_json(reply, t, c);
}

/* The fields SPEC 6 always has, as null when the daemon has no value. */
void json_fill_nulls(json_object *o, const char *const *keys) {
        if (!json_object_is_type(o, json_type_object))
                return;
        for (; *keys; keys++)
                if (!json_object_object_get_ex(o, *keys, NULL))
                        json_object_object_add(o, *keys, NULL);
}

void json_fill_nulls_each(json_object *a, const char *const *keys) {
        for (size_t i = 0; json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
                json_fill_nulls(json_object_array_get_idx(a, i), keys);
}

int print_json(json_object *j) {
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
int print_json_pairs(const char *key, ...) {
        _cleanup_json_ json_object *j = json_object_new_object();
        va_list ap;
        va_start(ap, key);
        for (; key; key = va_arg(ap, const char *))
                json_object_object_add(j, key, va_arg(ap, json_object *));
        va_end(ap);
        return print_json(j);
}

const char *jstr(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return NULL;
        return json_object_get_string(v);
}

int64_t jint(json_object *o, const char *key, int64_t def) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return def;
        return json_object_get_int64(v);
}

bool jbool(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && v && json_object_get_boolean(v);
}
/* The reply of a call as JSON. */
int reply_json(sd_bus_message *reply, json_object **ret) {
        *ret = reply_to_json(reply);
        return *ret ? 0 : fail("cannot read the reply");
}

/* --- replies as structs --- */

static bool is_integer_type(char t) {
        return t && strchr("ynqiuxt", t);
}

/* The C type a D-Bus type is read into (BUS_FIELD_CTYPE). */
static char ctype_of(char t) {
        return t == 's' || t == 'o' || t == 'g' ? 's'
               : t == '?' || t == 'b'           ? 'b'
               : t == 'd'                       ? 'd'
               : is_integer_type(t)             ? 'x'
                                                : 'a';
}

int bus_map_reply(json_object *o, const BusField *map, void *ret) {
        if (!json_object_is_type(o, json_type_object))
                return -EINVAL;
        for (const BusField *f = map; f->key; f++) {
                void *p = (char *) ret + f->offset;
                json_object *v = NULL;
                bool present = json_object_object_get_ex(o, f->key, &v);
                char t = f->type[0];
                /* A table that does not match its struct is a bug here. */
                assert(f->ctype == ctype_of(t));
                if (t == '?') {
                        *(bool *) p = present;
                        continue;
                }
                if (!present || !v)
                        continue;
                if (t == 's' || t == 'o' || t == 'g')
                        *(const char **) p = json_object_get_string(v);
                else if (t == 'b')
                        *(bool *) p = json_object_get_boolean(v);
                else if (t == 'd')
                        *(double *) p = json_object_get_double(v);
                else if (is_integer_type(t))
                        *(int64_t *) p = json_object_get_int64(v);
                else
                        *(json_object **) p = v;
        }
        return 0;
}

size_t bus_list_length(json_object *a) {
        return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

int bus_map_entry(json_object *a, size_t i, const BusField *map, void *ret) {
        return bus_map_reply(json_object_array_get_idx(a, i), map, ret);
}
