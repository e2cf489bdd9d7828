/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "macro.h"
#include "shareplan.h"
#include "timeutil.h"

void plan_entry_clear(PlanEntry *e) {
        if (!e)
                return;
        free(e->key);
        free(e->member);
        free(e->value);
        memset(e, 0, sizeof(*e));
}

void plan_entries_free(PlanEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++)
                plan_entry_clear(&e[i]);
        free(e);
}

/* A whole string of sscanf conversions: nothing left over. */
#define SCAN_ALL(s, fmt, ...)                                              \
        ({                                                                 \
                int _end = -1;                                             \
                (void) sscanf((s), fmt "%n", __VA_ARGS__, &_end);          \
                _end >= 0 && (s)[_end] == '\0';                            \
        })

static int day_parse(const char *s, size_t len, int64_t *ret) {
        char buf[16];
        if (len != 10)
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return parse_date(buf, ret);
}

int plan_key_parse(const char *key, PlanKey *ret) {
        PlanKey k = { .kind = _PLAN_KEY_INVALID };
        const char *rest;
        if (!key)
                return -EINVAL;
        if (streq(key, "rule")) {
                *ret = (PlanKey){ .kind = PLAN_KEY_RULE };
                return 0;
        }
        if ((rest = startswith(key, "night:")))
                k.kind = PLAN_KEY_NIGHT;
        else if ((rest = startswith(key, "makeup:")))
                k.kind = PLAN_KEY_MAKEUP;
        else if ((rest = startswith(key, "away:")))
                k.kind = PLAN_KEY_AWAY;
        else
                return -EINVAL;
        if (k.kind == PLAN_KEY_AWAY) {
                if (strlen(rest) != 21 || rest[10] != ':' || day_parse(rest, 10, &k.day) < 0 ||
                    day_parse(rest + 11, 10, &k.day2) < 0 || k.day2 < k.day)
                        return -EINVAL;
        } else if (day_parse(rest, strlen(rest), &k.day) < 0 || weekday_of_day(k.day) != 1)
                return -EINVAL;
        *ret = k;
        return 0;
}

int plan_key_format(const PlanKey *k, char buf[static PLAN_TEXT_MAX]) {
        char a[16], b[16];
        switch (k->kind) {
        case PLAN_KEY_RULE:
                strcpy(buf, "rule");
                return 0;
        case PLAN_KEY_NIGHT:
        case PLAN_KEY_MAKEUP:
                if (weekday_of_day(k->day) != 1 || format_date(k->day, a) < 0)
                        return -EINVAL;
                snprintf(buf, PLAN_TEXT_MAX, "%s:%s", k->kind == PLAN_KEY_NIGHT ? "night" : "makeup", a);
                return 0;
        case PLAN_KEY_AWAY:
                if (k->day2 < k->day || format_date(k->day, a) < 0 || format_date(k->day2, b) < 0)
                        return -EINVAL;
                snprintf(buf, PLAN_TEXT_MAX, "away:%s:%s", a, b);
                return 0;
        default:
                return -EINVAL;
        }
}

int plan_rule_format(const DnRule *rule, int64_t remind, const char *zone, char buf[static PLAN_TEXT_MAX]) {
        bool has_zone = zone && zone[0];
        if (!dn_rule_is_valid(rule) || remind < 0 || remind > DURATION_MAX_SEC || (has_zone && !zone_name_is_valid(zone)))
                return -EINVAL;
        snprintf(buf, PLAN_TEXT_MAX, "%s %u %d %" PRIi64 " %" PRIi64 "%s%s", rule->vary ? "vary" : "fixed",
                 rule->vary ? rule->weekdays_mask : (unsigned) rule->weekday, rule->minute, rule->duration, remind,
                 has_zone ? " " : "", has_zone ? zone : "");
        return 0;
}

int plan_rule_parse(const char *value, DnRule *ret, int64_t *ret_remind, char ret_zone[static LOCAL_ZONE_MAX]) {
        char mode[8] = "", zone[LOCAL_ZONE_MAX] = "";
        unsigned what = 0;
        int minute = 0;
        int64_t duration = 0, remind = 0;
        if (!value || strlen(value) >= PLAN_TEXT_MAX ||
            (!SCAN_ALL(value, "%7s %u %d %" SCNi64 " %" SCNi64, mode, &what, &minute, &duration, &remind) &&
             (!SCAN_ALL(value, "%7s %u %d %" SCNi64 " %" SCNi64 " %63s", mode, &what, &minute, &duration, &remind,
                        zone) ||
              !zone_name_is_valid(zone))))
                return -EINVAL;
        DnRule r = { .minute = minute, .duration = duration };
        if (streq(mode, "vary")) {
                r.vary = true;
                r.weekdays_mask = what;
                r.weekday = 1;
        } else if (streq(mode, "fixed")) {
                r.weekday = (int) MIN(what, 8u);
                r.weekdays_mask = 1;
        } else
                return -EINVAL;
        if (!dn_rule_is_valid(&r) || (r.vary && (what == 0 || what > DN_WEEKDAYS_ALL)) || remind < 0 ||
            remind > DURATION_MAX_SEC)
                return -EINVAL;
        /* The unused one of weekday and mask is not part of the rule. */
        if (r.vary)
                r.weekday = 0;
        else
                r.weekdays_mask = 0;
        *ret = r;
        *ret_remind = remind;
        snprintf(ret_zone, LOCAL_ZONE_MAX, "%s", zone);
        return 0;
}

int plan_night_format(const PlanNightValue *v, char buf[static PLAN_TEXT_MAX]) {
        const char *st = dn_status_to_string(v->status);
        if (!st || v->start < 0 || v->duration < 1 || v->duration > DURATION_MAX_SEC)
                return -EINVAL;
        snprintf(buf, PLAN_TEXT_MAX, "%s %" PRIi64 " %" PRIi64 " %d", st, (int64_t) v->start, v->duration,
                 (int) v->moved);
        return 0;
}

int plan_night_parse(const char *value, PlanNightValue *ret) {
        char st[16] = "";
        int64_t start = 0, duration = 0;
        int moved = 0;
        if (!value || strlen(value) >= PLAN_TEXT_MAX ||
            !SCAN_ALL(value, "%15s %" SCNi64 " %" SCNi64 " %d", st, &start, &duration, &moved))
                return -EINVAL;
        PlanNightValue v = { .status = dn_status_from_string(st), .start = (time_t) start,
                             .duration = duration, .moved = moved == 1 };
        /* 32535215999: the last second of year 2999 (ICAL_TIME_MAX). */
        if (v.status == _DN_STATUS_INVALID || start < 0 || start > INT64_C(32535215999) || duration < 1 ||
            duration > DURATION_MAX_SEC || (moved != 0 && moved != 1))
                return -EINVAL;
        *ret = v;
        return 0;
}

int plan_away_parse(const char *value, bool *ret_on) {
        if (value && streq(value, "on"))
                *ret_on = true;
        else if (value && streq(value, "cancelled"))
                *ret_on = false;
        else
                return -EINVAL;
        return 0;
}

bool plan_entry_wins(const PlanEntry *a, const PlanEntry *b) {
        if (!b)
                return true;
        if (a->lc != b->lc)
                return a->lc > b->lc;
        return strcmp(a->member, b->member) > 0;
}

bool plan_entry_overrules(const PlanEntry *theirs, const PlanEntry *mine) {
        return mine && plan_entry_wins(theirs, mine) && theirs->seen < mine->lc && !streq(theirs->value, mine->value);
}

bool plan_entry_is_valid(const char *key, const char *value) {
        PlanKey k;
        DnRule rule;
        int64_t remind;
        char zone[LOCAL_ZONE_MAX];
        PlanNightValue v;
        bool on;
        if (plan_key_parse(key, &k) < 0)
                return false;
        switch (k.kind) {
        case PLAN_KEY_RULE:
                return plan_rule_parse(value, &rule, &remind, zone) >= 0;
        case PLAN_KEY_NIGHT:
        case PLAN_KEY_MAKEUP:
                return plan_night_parse(value, &v) >= 0;
        default:
                return plan_away_parse(value, &on) >= 0;
        }
}
