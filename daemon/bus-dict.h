/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus-dict.h: reading an a{sv} argument through a table of its fields.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* A field's value as read: s for 's', b for 'b', x for 'x' (any integer
 * type of D-Bus, as bus_read_integer() reads it). Strings point into the
 * message. */
typedef struct BusValue {
        const char *s;
        bool b;
        int64_t x;
} BusValue;

typedef struct BusField BusField;
/* Checks and stores v into target (the whole struct: f->offset says where);
 * on a refusal sets error (bus_invalid(error, f->key, reason)) and returns
 * its result. */
typedef int (*BusFieldParse)(const BusField *f, const BusValue *v, void *target, sd_bus_error *error);

struct BusField {
        const char *key;
        char type;           /* 's', 'b' or 'x' */
        BusFieldParse parse; /* NULL: stores a const char *, a bool or an int64_t at offset */
        size_t offset;
};

/* Reads the a{sv} at the message's position into target through the n
 * fields; *ret_seen gets bit i for each fields[i] present. An unknown key,
 * a value of the wrong type or a parser's refusal is InvalidArgs naming
 * the field, with nothing stored beyond what was read before it (callers
 * apply target only on success). */
int bus_read_dict(sd_bus_message *msg, const BusField *fields, size_t n_fields, void *target, uint64_t *ret_seen,
                  sd_bus_error *error);
#define BUS_READ_DICT(msg, fields, target, ret_seen, error) \
        bus_read_dict(msg, fields, sizeof(fields) / sizeof((fields)[0]), target, ret_seen, error)

/* Where f's value goes in target. */
static inline void *bus_field_ptr(const BusField *f, void *target) {
        return (char *) target + f->offset;
}

/* A note (validate_note()), stored as a const char *. */
int bus_parse_note(const BusField *f, const BusValue *v, void *target, sd_bus_error *error);

/* A field at offsetof(type, member). */
#define BUS_FIELD(key, type, parse, struct_type, member) { key, type, parse, offsetof(struct_type, member) }
