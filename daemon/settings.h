/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * settings.h: the user's settings (closerctl set/get, SPEC 6): which keys
 * exist, their defaults, and the canonical form of a value. Pure: no store,
 * no logging. setting_normalize() returns -ENOENT for an unknown key and
 * -EINVAL (with *reason) for a bad value; on success *ret is the canonical
 * text to store ("20:00", "1h", "on").
 */

#include <stdbool.h>

typedef struct SettingInfo {
        const char *key;
        const char *default_value;
        const char *help; /* what values it takes */
} SettingInfo;

const SettingInfo *setting_info(const char *key);
const SettingInfo *setting_table(size_t *ret_n);
int setting_normalize(const char *key, const char *value, char **ret, const char **reason);
/* "on"/"off" as stored by setting_normalize. */
bool setting_is_on(const char *canonical);
