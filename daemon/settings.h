/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * settings.h: the user's settings (closerctl set/get, SPEC 6): which keys
 * exist, their defaults, and the canonical form of a value; and the typed
 * reads and writes of every setting closerd keeps (the user's and its own:
 * start.day, phase, mine.revision, ...), parsed and checked here only.
 * setting_normalize() returns -ENOENT for an unknown key and -EINVAL (with
 * *reason) for a bad value; on success *ret is the canonical text to store
 * ("20:00", "1h", "on"). Nothing here logs.
 */

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

typedef struct SettingInfo {
        const char *key;
        const char *default_value;
        const char *help; /* what values it takes */
} SettingInfo;

const SettingInfo *setting_info(const char *key);
/* The default text of a key of the table, NULL for any other key. */
const char *setting_default(const char *key);
const SettingInfo *setting_table(size_t *ret_n);
int setting_normalize(const char *key, const char *value, char **ret, const char **reason);
/* "on"/"off" as stored by setting_normalize. */
bool setting_is_on(const char *canonical);

/* Typed reads. Each returns 1 with the stored value; 0 with def when the key
 * is unset; -EINVAL with def when the stored text does not parse or is out
 * of range (damaged by hand: a caller that falls back to the default takes
 * it as 0); or another negative errno from the store, *ret untouched. */
/* A damaged value read as its default is not an error: -EINVAL becomes 0. */
static inline int settings_lenient(int r) {
        return r == -EINVAL ? 0 : r;
}
/* The text as stored; def (copied, or NULL) when unset. Never -EINVAL. */
int settings_get_string(Store *s, const char *key, const char *def, char **ret);
/* A decimal integer in [min, max]. */
int settings_get_int64_range(Store *s, const char *key, int64_t min, int64_t max, int64_t def, int64_t *ret);
static inline int settings_get_int64(Store *s, const char *key, int64_t def, int64_t *ret) {
        return settings_get_int64_range(s, key, INT64_MIN, INT64_MAX, def, ret);
}
/* "on" or "off", as setting_normalize stores them. */
int settings_get_bool(Store *s, const char *key, bool def, bool *ret);
/* A duration (parse_duration), in seconds. */
int settings_get_duration(Store *s, const char *key, int64_t def, int64_t *ret);
/* A time of day HH:MM (parse_hhmm), in minutes after midnight. */
int settings_get_minute(Store *s, const char *key, int def, int *ret);

/* Typed writes, in the canonical form the reads above take back: -EINVAL
 * for a value that has none (a minute outside 0-1439, a duration not
 * above 0; a NULL string). */
int settings_set_string(Store *s, const char *key, const char *value);
int settings_set_int64(Store *s, const char *key, int64_t value);
int settings_set_bool(Store *s, const char *key, bool value);
int settings_set_duration(Store *s, const char *key, int64_t seconds);
int settings_set_minute(Store *s, const char *key, int minute);
/* Back to unset (the default); unsetting an unset key is no error. */
int settings_unset(Store *s, const char *key);

/* My member ID (issue 17; also the owner of my list exports): 32 random
 * hex digits, made once and kept (owner.id). */
int settings_member_id(Store *s, char **ret);

/* Stores a setting's canonical value and applies what follows from it, in
 * one transaction: start (the ramp begins today), datenight.remind (every
 * planned night's alarm changes, so its SEQUENCE rises). 1 when it
 * changed, 0 when it had that value already. */
struct Manager;
int settings_change(struct Manager *m, const char *key, const char *value);
