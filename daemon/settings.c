/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "item.h"
#include "macro.h"
#include "pick.h"
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
        { "ics.weeks", "12", "how many weeks of date nights are planned and exported, 1-104" },
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
        if (errno || end == value || *end || w < 1 || w > 104) {
                *reason = "must be a number of weeks from 1 to 104";
                return -EINVAL;
        }
        (void) snprintf(buf, sizeof(buf), "%ld", w);
        return dup_ret(buf, ret);
}
