/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-id128.h>

#include "item.h"
#include "manager.h"
#include "macro.h"
#include "pick.h"
#include "plan.h"
#include "settings.h"
#include "timeutil.h"

static const SettingInfo table[] = {
        { "me.name", "", "my name, up to 100 characters (written into my list's export)" },
        { "partner.name", "", "my partner's name, up to 100 characters" },
        { "daily.time", "08:00", "the time of the daily act, HH:MM" },
        { "start", "cold", "how the practice starts: cold (off for months or years, ramp of about 6 "
                           "weeks), cooling (about 3 weeks) or warm (no ramp)" },
        { "datenight.remind", "1h", "how long before a date night the reminder comes: 1h, 30min, ..." },
        { "notify", "on", "desktop notifications: on or off" },
        { "notify.reveal", "off", "show private items' text in notifications: on or off" },
        { "ics.weeks", "12", "how many weeks of date nights are planned and exported, 1-520" },
        { "discreet", "off", "show private items by their category and ID only, in every command: on or off" },
};

const SettingInfo *setting_table(size_t *ret_n) {
        *ret_n = ELEMENTSOF(table);
        return table;
}

const SettingInfo *setting_info(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].key, key))
                        return &table[i];
        return NULL;
}

const char *setting_default(const char *key) {
        const SettingInfo *info = setting_info(key);
        return info ? info->default_value : NULL;
}

bool setting_is_on(const char *canonical) {
        return canonical && streq(canonical, "on");
}

static int parse_bool(const char *v) {
        static const char *const yes[] = { "on", "true", "yes", "1" };
        static const char *const no[] = { "off", "false", "no", "0" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static int dup_ret(const char *s, char **ret) {
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int setting_normalize(const char *key, const char *value, char **ret, const char **reason) {
        char buf[32];

        if (!setting_info(key))
                return -ENOENT;
        if (streq(key, "me.name") || streq(key, "partner.name")) {
                if (validate_text(value, 0, 100, false, reason) < 0)
                        return -EINVAL;
                return dup_ret(value, ret);
        }
        if (streq(key, "daily.time")) {
                int minute;
                if (parse_hhmm(value, &minute) < 0) {
                        *reason = "must be a time HH:MM, e.g. 08:00";
                        return -EINVAL;
                }
                format_hhmm(minute, buf);
                return dup_ret(buf, ret);
        }
        if (streq(key, "start")) {
                if (start_kind_from_string(value) < 0) {
                        *reason = "must be cold, cooling or warm";
                        return -EINVAL;
                }
                return dup_ret(value, ret);
        }
        if (streq(key, "datenight.remind")) {
                int64_t s;
                if (parse_duration(value, &s) < 0 || s > 7 * 86400) {
                        *reason = "must be a duration up to 7 days, e.g. 1h or 30min";
                        return -EINVAL;
                }
                if (format_duration(s, buf) < 0)
                        return -EINVAL;
                return dup_ret(buf, ret);
        }
        if (streq(key, "notify") || streq(key, "notify.reveal") || streq(key, "discreet")) {
                int b = parse_bool(value);
                if (b < 0) {
                        *reason = "must be on or off (also true/false, yes/no)";
                        return -EINVAL;
                }
                return dup_ret(b ? "on" : "off", ret);
        }
        /* ics.weeks */
        char *end;
        errno = 0;
        long w = strtol(value, &end, 10);
        if (errno || end == value || *end || w < 1 || w > DN_WEEKS_MAX) {
                *reason = "must be a number of weeks from 1 to 520";
                return -EINVAL;
        }
        (void) snprintf(buf, sizeof(buf), "%ld", w);
        return dup_ret(buf, ret);
}

/* --- typed reads and writes --- */

int settings_get_string(Store *s, const char *key, const char *def, char **ret) {
        int r = store_setting_get(s, key, ret);
        if (r >= 0)
                return 1;
        if (r != -ENOENT)
                return r;
        if (!def) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(def);
        return *ret ? 0 : -ENOMEM;
}

/* The stored text of key parsed by parse into ret: 1; when unset (0) or
 * when it does not parse (-EINVAL), *ret is def (size bytes); or the
 * store's error. */
typedef int (*TextParser)(const char *text, void *ret);
static int get_parsed(Store *s, const char *key, TextParser parse, void *ret, const void *def, size_t size) {
        _cleanup_free_ char *v = NULL;
        int r = settings_get_string(s, key, NULL, &v);
        if (r < 0)
                return r;
        if (r > 0 && parse(v, ret) >= 0)
                return 1;
        memcpy(ret, def, size);
        return r > 0 ? -EINVAL : 0;
}

static int parse_int64(const char *v, void *ret) {
        char *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end)
                return -EINVAL;
        *(int64_t *) ret = x;
        return 0;
}

int settings_get_int64_range(Store *s, const char *key, int64_t min, int64_t max, int64_t def, int64_t *ret) {
        int r = get_parsed(s, key, parse_int64, ret, &def, sizeof(def));
        if (r > 0 && (*ret < min || *ret > max)) {
                *ret = def;
                return -EINVAL;
        }
        return r;
}

static int parse_on_off(const char *v, void *ret) {
        if (!streq(v, "on") && !streq(v, "off"))
                return -EINVAL;
        *(bool *) ret = streq(v, "on");
        return 0;
}

int settings_get_bool(Store *s, const char *key, bool def, bool *ret) {
        return get_parsed(s, key, parse_on_off, ret, &def, sizeof(def));
}

static int parse_duration_text(const char *v, void *ret) {
        return parse_duration(v, ret);
}

int settings_get_duration(Store *s, const char *key, int64_t def, int64_t *ret) {
        return get_parsed(s, key, parse_duration_text, ret, &def, sizeof(def));
}

static int parse_hhmm_text(const char *v, void *ret) {
        return parse_hhmm(v, ret);
}

int settings_get_minute(Store *s, const char *key, int def, int *ret) {
        return get_parsed(s, key, parse_hhmm_text, ret, &def, sizeof(def));
}

int settings_set_string(Store *s, const char *key, const char *value) {
        if (!value)
                return -EINVAL;
        return store_setting_set(s, key, value);
}

int settings_set_int64(Store *s, const char *key, int64_t value) {
        char buf[32];
        (void) snprintf(buf, sizeof(buf), "%" PRIi64, value);
        return store_setting_set(s, key, buf);
}

int settings_set_bool(Store *s, const char *key, bool value) {
        return store_setting_set(s, key, value ? "on" : "off");
}

int settings_set_duration(Store *s, const char *key, int64_t seconds) {
        char buf[32];
        int r = format_duration(seconds, buf);
        if (r < 0)
                return r;
        return store_setting_set(s, key, buf);
}

int settings_set_minute(Store *s, const char *key, int minute) {
        char buf[8];
        if (minute < 0 || minute >= 24 * 60)
                return -EINVAL;
        format_hhmm(minute, buf);
        return store_setting_set(s, key, buf);
}

int settings_unset(Store *s, const char *key) {
        return store_setting_unset(s, key);
}

static int change_locked(Manager *m, const char *key, const char *value) {
        _cleanup_free_ char *old = NULL;
        /* The same value again, also a default never set, changes nothing
         * (the ramp does not restart: closerctl ramp restart does). */
        int r = settings_get_string(m->store, key, setting_default(key), &old);
        if (r < 0)
                return r;
        if (old && streq(old, value))
                return 0;
        r = settings_set_string(m->store, key, value);
        if (r < 0)
                return r;
        /* The reminder is each planned night's alarm in the calendar: they
         * all change, so calendar apps must see a higher SEQUENCE. */
        if (streq(key, "datenight.remind")) {
                r = store_dn_touch_planned(m->store, manager_now());
                if (r < 0)
                        return r;
        }
        if (streq(key, "start")) {
                r = settings_set_int64(m->store, "start.day", local_day_of(manager_now()));
                if (r < 0)
                        return r;
        }
        return 1;
}

int settings_member_id(Store *s, char **ret) {
        int r = settings_get_string(s, "owner.id", NULL, ret);
        if (r < 0 || *ret)
                return r;
        sd_id128_t id;
        r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        char buf[SD_ID128_STRING_MAX];
        *ret = strdup(sd_id128_to_string(id, buf));
        if (!*ret)
                return -ENOMEM;
        return settings_set_string(s, "owner.id", *ret);
}

int settings_change(Manager *m, const char *key, const char *value) {
        return STORE_TRANSACTION(m->store, change_locked(m, key, value));
}
