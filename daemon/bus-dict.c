/* SPDX-License-Identifier: MIT */
/*
 * bus-dict.c: an a{sv} argument read through a table of its fields, in the
 * spirit of sd-bus's bus_message_map_all_properties(): one loop, and one
 * wording for every method ("unknown field 'x' (known: ...)", "x must be a
 * string").
 */
#include <assert.h>

#include "bus-dict.h"
#include "bus-util.h"
#include "echo.h"
#include "macro.h"

static const char *type_words(char type) {
        switch (type) {
        case 's': return "a string";
        case 'b': return "a boolean";
        default:  return "an integer";
        }
}

static int unknown_field(sd_bus_error *error, const char *key, const BusField *fields, size_t n) {
        char known[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && len < sizeof(known); i++)
                len += (size_t) snprintf(known + len, sizeof(known) - len, "%s%s", i > 0 ? ", " : "",
                                         fields[i].key);
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown field '%.*s%s' (known: %s)", ECHO(key),
                                 known);
}

static int read_value(sd_bus_message *msg, char type, BusValue *v) {
        switch (type) {
        case 's':
                return sd_bus_message_read(msg, "v", "s", &v->s);
        case 'b': {
                int b = 0;
                int r = sd_bus_message_read(msg, "v", "b", &b);
                v->b = b;
                return r;
        }
        default:
                return bus_read_integer(msg, &v->x);
        }
}

static void store_value(const BusField *f, const BusValue *v, void *target) {
        char *dst = (char *) target + f->offset;
        switch (f->type) {
        case 's':
                *(const char **) dst = v->s;
                break;
        case 'b':
                *(bool *) dst = v->b;
                break;
        default:
                *(int64_t *) dst = v->x;
        }
}

int bus_read_dict(sd_bus_message *msg, const BusField *fields, size_t n_fields, void *target, uint64_t *ret_seen,
                  sd_bus_error *error) {
        uint64_t seen = 0;
        int r;

        assert(n_fields <= 64);
        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                size_t i;
                BusValue v = {};

                r = sd_bus_message_read_basic(msg, 's', &key);
                if (r < 0)
                        return r;
                for (i = 0; i < n_fields; i++)
                        if (streq(fields[i].key, key))
                                break;
                if (i == n_fields)
                        return unknown_field(error, key, fields, n_fields);
                const BusField *f = &fields[i];
                if (read_value(msg, f->type, &v) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be %s", f->key,
                                                 type_words(f->type));
                if (f->parse) {
                        r = f->parse(f, &v, target, error);
                        if (r < 0)
                                return r;
                } else
                        store_value(f, &v, target);
                seen |= UINT64_C(1) << i;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        if (ret_seen)
                *ret_seen = seen;
        return 0;
}

int bus_parse_note(const BusField *f, const BusValue *v, void *target, sd_bus_error *error) {
        const char *reason;
        if (validate_note(v->s, &reason) < 0)
                return bus_invalid(error, f->key, reason);
        *(const char **) bus_field_ptr(f, target) = v->s;
        return 0;
}
