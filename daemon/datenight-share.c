/* SPDX-License-Identifier: MIT */
/*
 * datenight-share.c: the couple's one date-night plan (issue 17). My
 * entries are written here with the logical clock; my partner's are merged
 * here by the rule of shareplan.h and, where they win, applied to my
 * stored plan (datenight.c does the planning).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datenight-private.h"
#include "macro.h"
#include "settings.h"
#include "timeutil.h"

static int record(Manager *m, const char *key, const char *value) {
        _cleanup_free_ char *me = NULL;
        uint64_t mine, theirs;
        if (m->plan_applying)
                return 0;
        int r = settings_member_id(m->store, &me);
        if (r < 0)
                return r;
        r = store_plan_max_lc(m->store, me, false, &mine);
        if (r < 0)
                return r;
        r = store_plan_max_lc(m->store, me, true, &theirs);
        if (r < 0)
                return r;
        PlanEntry e = { .key = (char *) key, .member = me, .value = (char *) value,
                        .lc = MAX(mine, theirs) + 1, .seen = theirs };
        return store_plan_entry_put(m->store, &e);
}

/* The rule as the plan's entry says it: with its reminder and its zone. */
static int rule_value(Manager *m, char value[static PLAN_TEXT_MAX]) {
        _cleanup_free_ char *zone = NULL;
        DnRule rule;
        int64_t remind;
        int r = datenight_rule(m, &rule);
        if (r >= 0)
                r = datenight_remind(m, &remind);
        if (r >= 0)
                r = settings_get_string(m->store, "datenight.zone", NULL, &zone);
        if (r < 0)
                return r;
        return plan_rule_format(&rule, remind, zone && zone_name_is_valid(zone) ? zone : NULL, value);
}

int datenight_record_rule(Manager *m) {
        char value[PLAN_TEXT_MAX];
        int r = rule_value(m, value);
        return r < 0 ? r : record(m, "rule", value);
}

int datenight_record_night(Manager *m, const DnNight *night) {
        char key[PLAN_TEXT_MAX], value[PLAN_TEXT_MAX];
        PlanKey k = { .kind = night->mode == DN_MAKEUP ? PLAN_KEY_MAKEUP : PLAN_KEY_NIGHT,
                      .day = night->week_monday_day };
        PlanNightValue v = { .status = night->status, .start = night->start, .duration = night->duration,
                             .moved = night->moved };
        int r = plan_key_format(&k, key);
        if (r >= 0)
                r = plan_night_format(&v, value);
        return r < 0 ? r : record(m, key, value);
}

int datenight_record_away(Manager *m, const DnAway *away, bool on) {
        char key[PLAN_TEXT_MAX];
        PlanKey k = { .kind = PLAN_KEY_AWAY, .day = away->from_day, .day2 = away->to_day };
        int r = plan_key_format(&k, key);
        return r < 0 ? r : record(m, key, on ? "on" : "cancelled");
}

static const char *const weekday_names[] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                             "Saturday", "Sunday" };

/* "Friday's date night" of a night, or "the date night" when its day is unknown. */
static void night_name(time_t start, bool makeup, char buf[static 64]) {
        int64_t day = local_day_of(start);
        if (day == INT64_MIN)
                snprintf(buf, 64, "the %s", makeup ? "make-up night" : "date night");
        else
                snprintf(buf, 64, "%s's %s", weekday_names[weekday_of_day(day) - 1],
                         makeup ? "make-up night" : "date night");
}

static void describe_night(const DnNight *before, const PlanNightValue *v, bool makeup, char *buf, size_t size) {
        char name[64], when[32];
        night_name(before ? before->start : v->start, makeup, name);
        if (format_human_local(v->start, true, when) < 0)
                strcpy(when, "another time");
        if (before && before->status != v->status && v->status != DN_PLANNED)
                snprintf(buf, size, "%s %s", v->status == DN_SKIPPED ? "skipped" : "logged", name);
        else if (before && before->status != v->status)
                snprintf(buf, size, "planned %s again", name);
        else
                snprintf(buf, size, "moved %s to %s", name, when);
        if (before && before->status != v->status && (v->status == DN_HAPPENED || v->status == DN_MISSED))
                snprintf(buf + strlen(buf), size - strlen(buf), ": %s", dn_status_to_string(v->status));
}

static int apply_rule(Manager *m, const char *value, char *summary, size_t size) {
        DnRule rule;
        int64_t now_remind, remind;
        char zone[LOCAL_ZONE_MAX], cur[PLAN_TEXT_MAX];
        int r = plan_rule_parse(value, &rule, &remind, zone);
        if (r < 0)
                return r;
        r = datenight_remind(m, &now_remind);
        if (r >= 0)
                r = rule_value(m, cur);
        if (r < 0)
                return r;
        if (streq(cur, value))
                return 0;
        r = datenight_rule_store(m, &rule);
        if (r >= 0)
                r = zone[0] ? settings_set_string(m->store, "datenight.zone", zone)
                            : settings_unset(m->store, "datenight.zone");
        if (r < 0)
                return r;
        if (remind != now_remind) {
                r = settings_set_duration(m->store, "datenight.remind", remind);
                if (r >= 0)
                        r = store_dn_touch_planned(m->store, manager_now());
                if (r < 0)
                        return r;
        }
        char days[32], hhmm[8];
        if (rule.vary)
                format_weekdays(rule.weekdays_mask, days);
        else
                snprintf(days, sizeof(days), "%s", weekday_to_string(rule.weekday));
        format_hhmm(rule.minute, hhmm);
        snprintf(summary, size, "changed the date nights to %s%s %s%s%s", rule.vary ? "one of " : "", days, hhmm,
                 zone[0] ? " " : "", zone);
        return 1;
}

static int apply_away(Manager *m, time_t now, const PlanKey *k, const char *value, char *summary, size_t size) {
        _cleanup_free_ AwayPeriod *p = NULL;
        size_t n = 0;
        bool on;
        int64_t id = 0;
        int r = plan_away_parse(value, &on);
        if (r < 0)
                return r;
        r = store_away_periods(m->store, &p, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (p[i].away.from_day == k->day && p[i].away.to_day == k->day2)
                        id = p[i].id;
        char from[16], to[16];
        (void) format_date(k->day, from);
        (void) format_date(k->day2, to);
        if (on && id == 0) {
                r = store_away_insert(m->store, &(DnAway){ k->day, k->day2 }, now, &id);
                snprintf(summary, size, "is away from %s to %s", from, to);
        } else if (!on && id > 0) {
                r = store_away_cancel(m->store, id, now);
                snprintf(summary, size, "cancelled the time apart from %s to %s", from, to);
        } else
                return 0;
        return r < 0 ? r : 1;
}

static bool night_equals(const DnNight *x, const PlanNightValue *v) {
        return x->status == v->status && x->start == v->start && x->duration == v->duration && x->moved == v->moved;
}

static int apply_night(Manager *m, time_t now, const PlanKey *k, const char *value, char *summary, size_t size) {
        bool makeup = k->kind == PLAN_KEY_MAKEUP;
        PlanNightValue v;
        DateNight d = {};
        int r = plan_night_parse(value, &v);
        if (r < 0)
                return r;
        r = store_dn_by_week(m->store, k->day, makeup, &d);
        if (r == -ENOENT) {
                /* Not planned here (yet): made, within the weeks kept. */
                int64_t this_monday = local_day_of(now) - weekday_of_day(local_day_of(now)) + 1;
                if (k->day < this_monday - 7 || k->day > this_monday + 7 * DN_WEEKS_MAX)
                        return 0;
                DnNight x = { .week_monday_day = k->day, .start = v.start, .duration = v.duration,
                              .mode = makeup ? DN_MAKEUP : DN_IN_PERSON, .status = v.status, .moved = v.moved };
                if (makeup) {
                        DateNight of = {};
                        r = store_dn_by_week(m->store, k->day, false, &of);
                        if (r < 0)
                                return r == -ENOENT ? 0 : r;
                        x.makeup_for = of.night.id;
                        free(of.uid);
                }
                r = datenight_create(m, now, &x, NULL);
                if (r < 0)
                        return r;
                describe_night(NULL, &v, makeup, summary, size);
                return 1;
        }
        if (r < 0)
                return r;
        if (night_equals(&d.night, &v)) {
                free(d.uid);
                return 0;
        }
        DnNight before = d.night;
        d.night.status = v.status;
        d.night.start = v.start;
        d.night.duration = v.duration;
        d.night.moved = v.moved;
        d.sequence++;
        d.modified = now;
        r = store_dn_update(m->store, &d);
        if (r >= 0 && before.status != v.status)
                r = store_dn_event_insert(m->store, d.night.id, before.status, v.status, now);
        free(d.uid);
        if (r < 0)
                return r;
        describe_night(&before, &v, makeup, summary, size);
        return 1;
}

static int apply(Manager *m, time_t now, const PlanEntry *e, char *summary, size_t size) {
        PlanKey k;
        int r = plan_key_parse(e->key, &k);
        if (r < 0)
                return r;
        switch (k.kind) {
        case PLAN_KEY_RULE:
                return apply_rule(m, e->value, summary, size);
        case PLAN_KEY_AWAY:
                return apply_away(m, now, &k, e->value, summary, size);
        default:
                return apply_night(m, now, &k, e->value, summary, size);
        }
}

/* The order that lets each kind find what it applies to: the rule and the
 * away periods first (the re-plan then makes the nights and make-ups they
 * imply), then the nights, then the make-ups. */
static int entry_rank(const PlanEntry *e) {
        PlanKey k;
        if (plan_key_parse(e->key, &k) < 0)
                return 9;
        return k.kind == PLAN_KEY_RULE ? 0 : k.kind == PLAN_KEY_AWAY ? 1 : k.kind == PLAN_KEY_NIGHT ? 2 : 3;
}

/* What my overruled entry was about: the plan, the time apart, or a night
 * by its week (its own time is what the two disagreed on). */
static void overruled_name(const PlanEntry *mine, char *buf, size_t size) {
        PlanKey k;
        time_t monday;
        char when[32];
        if (plan_key_parse(mine->key, &k) < 0 || k.kind == PLAN_KEY_RULE)
                snprintf(buf, size, "the date-night plan");
        else if (k.kind == PLAN_KEY_AWAY)
                snprintf(buf, size, "the time apart");
        else if (local_resolve(k.day, 12 * 60, &monday) >= 0 && format_human_local(monday, false, when) >= 0)
                snprintf(buf, size, "the %s of the week of %s", k.kind == PLAN_KEY_MAKEUP ? "make-up night" : "date night",
                         when);
        else
                snprintf(buf, size, "a date night");
}

static int merge_one(Manager *m, time_t now, const char *me, const PlanEntry *e, int rank, bool *replan,
                     PlanMerge *ret) {
        PlanEntry prev = {}, mine = {};
        bool have_prev, have_mine;
        int r = store_plan_entry_get(m->store, e->key, e->member, &prev);
        if (r < 0 && r != -ENOENT)
                return r;
        have_prev = r >= 0;
        if (have_prev && prev.lc == e->lc && streq(prev.value, e->value)) {
                plan_entry_clear(&prev);
                return 0; /* seen before */
        }
        plan_entry_clear(&prev);
        r = store_plan_entry_get(m->store, e->key, me, &mine);
        if (r < 0 && r != -ENOENT)
                return r;
        have_mine = r >= 0;
        r = store_plan_entry_put(m->store, e);
        if (r >= 0 && (!have_mine || plan_entry_wins(e, &mine))) {
                char summary[sizeof(ret->summary)] = "";
                if (rank == 2 && *replan) {
                        /* The nights of a new rule or away period first. */
                        r = datenight_replan_locked(m, now, &(bool){ false });
                        *replan = false;
                }
                if (r >= 0)
                        r = apply(m, now, e, summary, sizeof(summary));
                if (r > 0) {
                        if (ret->changed++ == 0)
                                snprintf(ret->summary, sizeof(ret->summary), "%s", summary);
                        if (rank < 2)
                                *replan = true;
                }
                if (r >= 0 && have_mine && plan_entry_overrules(e, &mine) && ret->overruled++ == 0)
                        overruled_name(&mine, ret->overruled_what, sizeof(ret->overruled_what));
        }
        plan_entry_clear(&mine);
        return r < 0 ? r : 0;
}

int datenight_merge_locked(Manager *m, time_t now, const char *partner, const PlanEntry *theirs, size_t n,
                           PlanMerge *ret) {
        _cleanup_free_ char *me = NULL;
        bool replan = false;
        int r = settings_member_id(m->store, &me);
        if (r < 0)
                return r;
        *ret = (PlanMerge){};
        m->plan_applying = true;
        for (int rank = 0; rank < 4 && r >= 0; rank++)
                for (size_t i = 0; i < n && r >= 0; i++) {
                        if (entry_rank(&theirs[i]) != rank)
                                continue;
                        PlanEntry e = theirs[i];
                        e.member = (char *) partner;
                        r = merge_one(m, now, me, &e, rank, &replan, ret);
                }
        if (r >= 0 && ret->changed > 0)
                r = datenight_replan_locked(m, now, &(bool){ false });
        m->plan_applying = false;
        return r;
}

int datenight_adopt_couple_locked(Manager *m, time_t now) {
        DateNight *d = NULL;
        size_t n = 0;
        int64_t today = local_day_of(now);
        time_t from;
        int r = local_resolve(today - weekday_of_day(today) + 1, 0, &from);
        if (r < 0)
                return r;
        r = store_dn_list(m->store, from, &d, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *uid = NULL;
                r = datenight_couple_uid(m, &d[i].night, &uid);
                if (r > 0)
                        r = store_dn_set_uid(m->store, d[i].night.id, uid, now);
        }
        datenight_array_free(d, n);
        return r < 0 ? r : 0;
}
