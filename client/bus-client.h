/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus-client.h: closerctl's side of the bus. One connection to the user's
 * bus; calls whose failure is reported in the daemon's own words (see
 * output.h for how errors are printed); replies read as JSON (what --json
 * prints), and from that JSON into typed structs by a table per reply
 * (bus_map_reply(), in the spirit of systemd's bus_map_all_properties()).
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define BUS_NAME "io.github.closer.Closer1"
#define OBJECT_PATH "/io/github/closer/Closer1"
#define INTERFACE "io.github.closer.Closer1"

static inline void json_putp(json_object **j) {
        json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* The connection, once connect_bus() made it. */
extern sd_bus *bus;

int connect_bus(void);
int new_call(const char *method, sd_bus_message **ret);
/* Prints the daemon's own words for a failed call. */
int report_call_error(const sd_bus_error *error, int r);
/* Sends the call; on failure prints the daemon's own words. */
int send_call(sd_bus_message *m, sd_bus_message **reply);
/* A call without arguments whose failure is not reported. */
int call_quiet(const char *method, sd_bus_message **reply);
/* Reports that appending an argument failed. */
void append_failed(int r);
/* Calls a method whose arguments are all basic, given as sd_bus types. */
int call(const char *method, sd_bus_message **reply, const char *types, ...);
/* The same, with the reply read as JSON (reply_json()). */
int call_json(const char *method, json_object **ret, const char *types, ...);
/* Closes the a{sv} of a call being built (unless building it failed
 * already) and sends the call. */
int close_and_send(sd_bus_message *m, int r, sd_bus_message **reply);

/* --- replies as JSON (what --json prints) --- */

/* Reads one complete value of the next type in m. */
json_object *value_to_json(sd_bus_message *m, char type, const char *contents);
/* The next value of the reply as JSON. */
json_object *reply_to_json(sd_bus_message *reply);
/* The same, with "cannot read the reply" when it cannot be read. */
int reply_json(sd_bus_message *reply, json_object **ret);
/* The fields SPEC 6 always has, as null when the daemon has no value. */
void json_fill_nulls(json_object *o, const char *const *keys);
void json_fill_nulls_each(json_object *a, const char *const *keys);
int print_json(json_object *j);
/* Prints one small object of key, value pairs (the values are taken),
 * ended by PAIRS_END: print_json_pairs("id", json_object_new_int64(1), PAIRS_END). */
#define PAIRS_END ((const char *) NULL)
int print_json_pairs(const char *key, ...) __attribute__((sentinel));

/* One field of a reply's dictionary by its key: for discretion
 * (hide_private()), which rewrites the JSON both outputs show. */
const char *jstr(json_object *o, const char *key);
int64_t jint(json_object *o, const char *key, int64_t def);
bool jbool(json_object *o, const char *key);

/* --- replies as structs --- */

/*
 * One key of an a{sv} reply and where its value goes in a struct. The type
 * is the value's D-Bus signature, which says the C type of the field:
 *   "s"                      const char * (NULL when absent)
 *   "y" "n" "q" "i" "u" "x" "t"  int64_t (0 when absent)
 *   "b"                      bool
 *   "d"                      double
 *   "a..." "(...)" "a{sv}"   json_object * (a list or a dictionary, NULL when absent)
 *   "?"                      bool: whether the key is there at all
 * Strings and objects are borrowed from the JSON the reply was read into:
 * they live as long as it does. A key the reply does not have leaves the
 * field as the struct was initialised (zero).
 */
typedef struct BusField {
        const char *key;
        const char *type;
        size_t offset;
        char ctype; /* the field's C type, checked against type: s x b d a */
} BusField;

#define BUS_FIELD_CTYPE(Struct, member)                                                          \
        _Generic(((Struct *) 0)->member, const char *: 's', int64_t: 'x', bool: 'b', double: 'd', \
                 json_object *: 'a', default: '?')
#define BUS_FIELD(key, type, Struct, member) { key, type, offsetof(Struct, member), BUS_FIELD_CTYPE(Struct, member) }

/* Fills ret from the dictionary o by the table map (ended by a { NULL }
 * entry); the fields of keys o does not have are left as they are (start
 * from a zeroed struct). -EINVAL when o is not a dictionary. */
int bus_map_reply(json_object *o, const BusField *map, void *ret);

/* The number of entries of a list (0 for NULL or not a list) and entry i
 * of it read by map into ret. */
size_t bus_list_length(json_object *a);
int bus_map_entry(json_object *a, size_t i, const BusField *map, void *ret);
