/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "datenight-private.h"
#include "datenight.h"
#include "icalwire.h"
#include "macro.h"
#include "promise.h"
#include "settings.h"
#include "timeutil.h"


int datenight_rule(Manager *m, DnRule *ret) {
        _cleanup_free_ char *weekday = NULL, *weekdays = NULL;
        DnRule rule = { .weekday = 5, .weekdays_mask = 0x70, .minute = 20 * 60, .duration = DN_DURATION_DEFAULT };
        int r;

        /* Values are stored canonical by datenight_set_rule; a damaged one
         * falls back to the default rather than stopping the daemon. */
        r = settings_lenient(settings_get_bool(m->store, "datenight.vary", false, &rule.vary));
        if (r < 0)
                return r;
        r = settings_get_string(m->store, "datenight.weekday", "fri", &weekday);
        if (r < 0)
                return r;
        r = settings_get_string(m->store, "datenight.weekdays", "fri,sat,sun", &weekdays);
        if (r < 0)
                return r;
        r = settings_lenient(settings_get_minute(m->store, "datenight.time", rule.minute, &rule.minute));
        if (r < 0)
                return r;
        r = settings_lenient(settings_get_duration(m->store, "datenight.duration", rule.duration, &rule.duration));
        if (r < 0)
                return r;
        int wd = parse_weekday(weekday);
        if (wd > 0)
                rule.weekday = wd;
        (void) parse_weekdays(weekdays, &rule.weekdays_mask);
        *ret = rule;
        return 0;
}

int datenight_remind(Manager *m, int64_t *ret) {
        /* The default, also for a value damaged by hand: 1h. */
        int r = settings_lenient(settings_get_duration(m->store, "datenight.remind", 3600, ret));
        return r < 0 ? r : 0;
}

static int uid_new(const char *prefix, char **ret) {
        sd_id128_t id;
        int r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        return asprintf(ret, "%s-" SD_ID128_FORMAT_STR "@closer", prefix, SD_ID128_FORMAT_VAL(id)) < 0 ? -ENOMEM : 0;
}

/* Shared with my partner, a night's UID is the same on both machines: its
 * kind, its week and the couple (datenight-private.h). */
int datenight_couple_uid(Manager *m, const DnNight *night, char **ret) {
        _cleanup_free_ char *couple = NULL;
        char day[16];
        int r = settings_get_string(m->store, "share.couple", NULL, &couple);
        if (r < 0 || !couple)
                return r < 0 ? r : 0;
        r = format_date(night->week_monday_day, day);
        if (r < 0)
                return r;
        return asprintf(ret, "%s-%s-%s@closer", night->mode == DN_MAKEUP ? "makeup" : "dn", day, couple) < 0
                       ? -ENOMEM
                       : 1;
}

/* What the plan needs: nights from a month back (make-ups of a recent away
 * period), and the away periods that are not long over. Bounded, so the
 * plan costs the same after fifty years as after one. */
#define PLAN_LOOKBACK (31 * DAY)

static void uid_freep(DateNight *d) {
        free(d->uid);
}

int datenight_create(Manager *m, time_t now, const DnNight *night, int64_t *ret_id) {
        _cleanup_(uid_freep) DateNight d = { .night = *night, .modified = now };
        int r = datenight_couple_uid(m, night, &d.uid);
        if (r == 0)
                r = uid_new(d.night.mode == DN_MAKEUP ? "makeup" : "dn", &d.uid);
        if (r < 0)
                return r;
        r = store_dn_insert(m->store, &d, now);
        if (r == -EEXIST && d.uid && strstr(d.uid, "@closer")) {
                /* A couple's UID still held by a night of old: a random one. */
                free(TAKE_PTR(d.uid));
                r = uid_new(d.night.mode == DN_MAKEUP ? "makeup" : "dn", &d.uid);
                if (r >= 0)
                        r = store_dn_insert(m->store, &d, now);
        }
        if (r >= 0 && ret_id)
                *ret_id = d.night.id;
        return r;
}

/* A planned change to one of nights (the last of that ID). */
static int night_change(Manager *m, time_t now, DateNight *nights, size_t n, const DnNight *night) {
        DateNight *cur = NULL;
        for (size_t k = 0; k < n; k++)
                if (nights[k].night.id == night->id)
                        cur = &nights[k];
        if (!cur)
                return -ENOENT;
        cur->night = *night;
        cur->sequence++;
        cur->modified = now;
        return store_dn_update(m->store, cur);
}

static int plan_round(Manager *m, time_t now, const DnRule *rule, int weeks, bool *changed) {
        DateNight *nights = NULL;
        DnNight *plain = NULL;
        DnAway *away = NULL;
        DnChange *ch = NULL;
        size_t n = 0, n_away = 0, n_ch = 0;
        int r;

        r = store_dn_list(m->store, now - PLAN_LOOKBACK, &nights, &n);
        if (r < 0)
                goto finish;
        r = store_away_list(m->store, local_day_of(now - PLAN_LOOKBACK) - 2, &away, &n_away);
        if (r < 0)
                goto finish;
        plain = calloc(n ? n : 1, sizeof(DnNight));
        if (!plain) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n; i++)
                plain[i] = nights[i].night;
        r = dn_plan(rule, away, n_away, plain, n, now, weeks, &ch, &n_ch);
        if (r < 0)
                goto finish;
        for (size_t i = 0; i < n_ch; i++) {
                r = ch[i].kind == DN_CHANGE_CREATE ? datenight_create(m, now, &ch[i].night, NULL)
                                                   : night_change(m, now, nights, n, &ch[i].night);
                if (r < 0)
                        goto finish;
        }
        if (n_ch > 0)
                *changed = true;
        r = (int) n_ch;
finish:
        free(ch);
        free(plain);
        free(away);
        datenight_array_free(nights, n);
        return r;
}

static int ics_weeks(Manager *m, int *ret) {
        int64_t w;
        /* The default, also for a value damaged by hand. */
        int r = settings_lenient(settings_get_int64_range(m->store, "ics.weeks", 1, DN_WEEKS_MAX, DN_WEEKS_DEFAULT, &w));
        if (r < 0)
                return r;
        *ret = (int) w;
        return 0;
}

/* A lowered ics.weeks: the nights beyond the horizon go (plan.h, dn_trim). */
static int trim_locked(Manager *m, time_t now, int weeks, bool *changed) {
        DateNight *nights = NULL;
        DnNight *plain = NULL;
        int64_t *ids = NULL;
        size_t n = 0, n_ids = 0;
        int r = store_dn_list(m->store, now, &nights, &n);
        if (r < 0)
                return r;
        plain = calloc(n ? n : 1, sizeof(DnNight));
        if (!plain) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n; i++)
                plain[i] = nights[i].night;
        r = dn_trim(plain, n, now, weeks, &ids, &n_ids);
        if (r < 0)
                goto finish;
        for (size_t i = 0; i < n_ids; i++) {
                r = store_dn_trim(m->store, ids[i]);
                if (r < 0)
                        goto finish;
                if (r > 0)
                        *changed = true;
        }
finish:
        free(ids);
        free(plain);
        datenight_array_free(nights, n);
        return r < 0 ? r : 0;
}

/* Inside a transaction. The plan converges in at most two rounds (plan.h):
 * the second creates the make-ups of nights the first created. */
static int replan_here_locked(Manager *m, time_t now, bool *changed);

int datenight_foreign_zone(Manager *m, char buf[static LOCAL_ZONE_MAX]) {
        _cleanup_free_ char *zone = NULL;
        char mine[LOCAL_ZONE_MAX] = "";
        int r = settings_get_string(m->store, "datenight.zone", NULL, &zone);
        if (r < 0 || !zone)
                return r < 0 ? r : 0;
        /* Every re-plan asks: this machine's zone only when the rule has one. */
        (void) local_zone_name(mine);
        if (!zone_name_is_valid(zone) || streq(zone, mine))
                return 0;
        snprintf(buf, LOCAL_ZONE_MAX, "%s", zone);
        return 1;
}

/* The plan is made in the zone of its rule (datenight.zone: who set it,
 * issue 17), which is this machine's unless my partner set it elsewhere. */
int datenight_replan_locked(Manager *m, time_t now, bool *changed) {
        char zone[LOCAL_ZONE_MAX];
        int r = datenight_foreign_zone(m, zone);
        if (r <= 0)
                return r < 0 ? r : replan_here_locked(m, now, changed);
        char *saved;
        r = zone_push(zone, &saved);
        if (r < 0)
                return r;
        r = replan_here_locked(m, now, changed);
        zone_pop(saved);
        return r;
}

static int replan_here_locked(Manager *m, time_t now, bool *changed) {
        DnRule rule;
        int weeks, r = datenight_rule(m, &rule);
        if (r < 0)
                return r;
        r = ics_weeks(m, &weeks);
        if (r < 0)
                return r;
        r = trim_locked(m, now, weeks, changed);
        if (r < 0)
                return r;
        for (int round = 0; round < 3; round++) {
                r = plan_round(m, now, &rule, weeks, changed);
                if (r <= 0)
                        return r;
        }
        return 0;
}


int datenight_replan(Manager *m, time_t now) {
        bool changed = false;
        int r = STORE_TRANSACTION(m->store, datenight_replan_locked(m, now, &changed));
        return r < 0 ? r : changed;
}

int datenight_rule_store(Manager *m, const DnRule *rule) {
        char buf[32];
        int r = settings_set_bool(m->store, "datenight.vary", rule->vary);
        if (r < 0)
                return r;
        if (rule->vary) {
                format_weekdays(rule->weekdays_mask, buf);
                r = settings_set_string(m->store, "datenight.weekdays", buf);
        } else
                r = settings_set_string(m->store, "datenight.weekday", weekday_to_string(rule->weekday));
        if (r < 0)
                return r;
        r = settings_set_minute(m->store, "datenight.time", rule->minute);
        if (r < 0)
                return r;
        return settings_set_duration(m->store, "datenight.duration", rule->duration);
}

static int set_rule_locked(Manager *m, time_t now, const DnRule *rule) {
        bool changed = false;
        char zone[LOCAL_ZONE_MAX];
        int r = datenight_rule_store(m, rule);
        if (r < 0)
                return r;
        /* Set here: the times are this machine's. */
        r = local_zone_name(zone) >= 0 ? settings_set_string(m->store, "datenight.zone", zone)
                                       : settings_unset(m->store, "datenight.zone");
        if (r < 0)
                return r;
        r = datenight_record_rule(m);
        if (r < 0)
                return r;
        return datenight_replan_locked(m, now, &changed);
}

int datenight_set_rule(Manager *m, time_t now, const DnRule *rule) {
        if (!dn_rule_is_valid(rule))
                return -EINVAL;
        return STORE_TRANSACTION(m->store, set_rule_locked(m, now, rule));
}

typedef enum Change {
        CHANGE_MOVE,
        CHANGE_SKIP,
        CHANGE_LOG,
        CHANGE_UNSKIP,
} Change;

static bool pick_matches(Change what, const DnNight *x, time_t now, bool again) {
        switch (what) {
        case CHANGE_LOG:
                return x->start <= now &&
                       (again ? x->status == DN_HAPPENED || x->status == DN_MISSED : x->status == DN_PLANNED);
        case CHANGE_UNSKIP:
                return x->start > now && x->status == DN_SKIPPED;
        default:
                return x->start > now && x->status == DN_PLANNED;
        }
}

/* The night a command is about: the given one, or by default the next
 * planned one (move, skip), the next skipped one (unskip), or the latest
 * begun without an outcome, else the latest begun with one (log: given
 * again, the last one counts). */
static int night_pick(Manager *m, time_t now, int64_t id, Change what, DateNight *ret) {
        if (id > 0)
                return store_dn_get(m->store, id, ret);
        DateNight *d = NULL;
        size_t n = 0;
        bool past = what == CHANGE_LOG;
        int r = store_dn_list(m->store, past ? now - 14 * DAY : now, &d, &n), found = -ENOENT;
        if (r < 0)
                return r;
        /* A log looks twice: first for a night without an outcome. */
        int rounds = past ? 2 : 1;
        for (int again = 0; found < 0 && again < rounds; again++)
                for (size_t i = 0; i < n; i++) {
                        if (!pick_matches(what, &d[i].night, now, again))
                                continue;
                        found = (int) i;
                        if (!past)
                                break;
                }
        if (found >= 0) {
                *ret = d[found];
                d[found].uid = NULL;
        }
        datenight_array_free(d, n);
        return found >= 0 ? 0 : -ENOENT;
}

/* What the command does to the night it is about, or why it cannot. */
static int change_apply(Change what, DateNight *d, time_t now, time_t start, DnStatus outcome) {
        DnNight *x = &d->night;
        if (what == CHANGE_LOG) {
                if (x->start > now)
                        return -EINPROGRESS;
                if (x->status == DN_SKIPPED)
                        return -EALREADY;
                x->status = outcome;
                return 0;
        }
        if (what == CHANGE_UNSKIP) {
                if (x->status != DN_SKIPPED)
                        return -ENOMSG;
                if (x->start + x->duration <= now)
                        return -EALREADY;
                x->status = DN_PLANNED;
                return 0;
        }
        if (x->status != DN_PLANNED || x->start + x->duration <= now)
                return -EALREADY;
        if (what == CHANGE_MOVE) {
                x->start = start;
                x->moved = true;
        } else
                x->status = DN_SKIPPED;
        return 0;
}

static int change_locked(Manager *m, time_t now, int64_t id, Change what, time_t start, DnStatus outcome,
                         int64_t *ret_id) {
        _cleanup_(uid_freep) DateNight d = {};
        bool changed = false;
        int r = night_pick(m, now, id, what, &d);
        if (r < 0)
                return r;
        DnStatus before = d.night.status;
        r = change_apply(what, &d, now, start, outcome);
        if (r < 0)
                return r;
        /* The same outcome again changes nothing. */
        if (!(what == CHANGE_LOG && before == outcome)) {
                d.sequence++;
                d.modified = now;
                r = store_dn_update(m->store, &d);
                if (r < 0)
                        return r;
                /* Each outcome given by hand is an event of its own (history). */
                if (what != CHANGE_MOVE) {
                        r = store_dn_event_insert(m->store, d.night.id, before, d.night.status, now);
                        if (r < 0)
                                return r;
                }
                r = datenight_record_night(m, &d.night);
                if (r < 0)
                        return r;
        }
        /* A skipped or moved night can change what the plan owes. */
        r = datenight_replan_locked(m, now, &changed);
        if (r < 0)
                return r;
        /* A make-up no longer owed is skipped again by the plan: refused. */
        if (what == CHANGE_UNSKIP) {
                _cleanup_(uid_freep) DateNight after = {};
                r = store_dn_get(m->store, d.night.id, &after);
                if (r < 0)
                        return r;
                if (after.night.status != DN_PLANNED)
                        return -ESTALE;
        }
        *ret_id = d.night.id;
        return 0;
}

int datenight_move(Manager *m, time_t now, int64_t id, time_t start, int64_t *ret_id) {
        return STORE_TRANSACTION(m->store, change_locked(m, now, id, CHANGE_MOVE, start, DN_PLANNED, ret_id));
}

int datenight_skip(Manager *m, time_t now, int64_t id, int64_t *ret_id) {
        return STORE_TRANSACTION(m->store, change_locked(m, now, id, CHANGE_SKIP, 0, DN_SKIPPED, ret_id));
}

int datenight_unskip(Manager *m, time_t now, int64_t id, int64_t *ret_id) {
        return STORE_TRANSACTION(m->store, change_locked(m, now, id, CHANGE_UNSKIP, 0, DN_PLANNED, ret_id));
}

int datenight_log(Manager *m, time_t now, int64_t id, DnStatus outcome, int64_t *ret_id) {
        return STORE_TRANSACTION(m->store, change_locked(m, now, id, CHANGE_LOG, 0, outcome, ret_id));
}

static int away_locked(Manager *m, time_t now, int64_t from_day, int64_t to_day, int64_t *ret_id) {
        bool changed = false;
        int r = store_away_insert(m->store, &(DnAway){ from_day, to_day }, now, ret_id);
        if (r < 0)
                return r;
        r = datenight_record_away(m, &(DnAway){ from_day, to_day }, true);
        if (r < 0)
                return r;
        return datenight_replan_locked(m, now, &changed);
}

int datenight_away(Manager *m, time_t now, int64_t from_day, int64_t to_day, int64_t *ret_id) {
        if (to_day < from_day)
                return -EINVAL;
        if (to_day < local_day_of(now))
                return -ERANGE;
        return STORE_TRANSACTION(m->store, away_locked(m, now, from_day, to_day, ret_id));
}

/* The nights of an away period: the remote ones, the make-ups still owed. */
static int away_counts(Manager *m, const DnAway *a, AwayInfo *ret) {
        time_t from, to;
        int r = local_resolve(a->from_day, 0, &from);
        if (r < 0)
                return r;
        r = local_resolve(a->to_day + 1, 0, &to);
        if (r < 0)
                return r;
        return store_away_counts(m->store, from, to, &ret->nights, &ret->makeups);
}

int datenight_away_list(Manager *m, AwayInfo **ret, size_t *ret_n) {
        _cleanup_free_ AwayPeriod *p = NULL;
        size_t n = 0;
        int r = store_away_periods(m->store, &p, &n);
        if (r < 0)
                return r;
        _cleanup_free_ AwayInfo *info = calloc(n ? n : 1, sizeof(AwayInfo));
        if (!info)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                info[i].id = p[i].id;
                info[i].away = p[i].away;
                r = away_counts(m, &p[i].away, &info[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(info);
        *ret_n = n;
        return 0;
}

static int away_cancel_locked(Manager *m, time_t now, int64_t id, AwayInfo *ret) {
        AwayPeriod p;
        AwayInfo before = {}, after = {};
        bool changed = false;
        int r = store_away_get(m->store, id, &p);
        if (r < 0)
                return r;
        r = away_counts(m, &p.away, &before);
        if (r < 0)
                return r;
        r = store_away_cancel(m->store, id, now);
        if (r < 0)
                return r;
        r = datenight_record_away(m, &p.away, false);
        if (r < 0)
                return r;
        r = datenight_replan_locked(m, now, &changed);
        if (r < 0)
                return r;
        r = away_counts(m, &p.away, &after);
        if (r < 0)
                return r;
        /* What the cancel gave back: nights in person again, make-ups no
         * longer owed. */
        *ret = (AwayInfo){
                .id = id,
                .away = p.away,
                .nights = before.nights - after.nights,
                .makeups = before.makeups - after.makeups,
        };
        return 0;
}

int datenight_away_cancel(Manager *m, time_t now, int64_t id, AwayInfo *ret) {
        return STORE_TRANSACTION(m->store, away_cancel_locked(m, now, id, ret));
}

int datenight_list(Manager *m, time_t now, DateNight **ret, size_t *ret_n) {
        int weeks, r = ics_weeks(m, &weeks);
        if (r < 0)
                return r;
        return store_dn_list(m->store, now - (time_t) weeks * 7 * DAY, ret, ret_n);
}

/* --- the calendar --- */

static const char *night_summary(const DnNight *n) {
        /* Discreet: nothing but what it is (SPEC 8). */
        switch (n->mode) {
        case DN_MAKEUP: return "Make-up date night";
        case DN_REMOTE: return "Date night (apart: call)";
        default: return "Date night";
        }
}

void datenight_calendar_clear(DnCalendar *c) {
        datenight_array_free(c->nights, c->n_nights);
        promise_array_free(c->promises, c->n_promises);
        free(c->events);
        *c = (DnCalendar) {};
}

int datenight_calendar_now(Manager *m, int (*write)(Manager *m, const DnCalendar *c)) {
        _cleanup_(datenight_calendar_clear) DnCalendar c = {};
        int r = datenight_calendar_read(m, manager_now(), &c);
        return r < 0 ? r : write(m, &c);
}

/* The calendar at now: its events, and their fingerprint. */
int datenight_calendar_read(Manager *m, time_t now, DnCalendar *c) {
        int64_t remind;
        char remind_text[32];
        int r = datenight_list(m, now, &c->nights, &c->n_nights);
        if (r < 0)
                return r;
        int weeks;
        r = ics_weeks(m, &weeks);
        if (r < 0)
                return r;
        time_t since = now - (time_t) weeks * 7 * DAY;
        r = store_promise_list_calendar(m->store, since, &c->promises, &c->n_promises);
        if (r < 0)
                return r;
        r = datenight_remind(m, &remind);
        if (r < 0)
                return r;
        (void) format_duration(remind, remind_text);
        (void) snprintf(c->alarm, sizeof(c->alarm), "Date night in %s", remind_text);

        c->events = calloc(c->n_nights + c->n_promises + 1, sizeof(IcsEvent));
        if (!c->events)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < c->n_nights; i++) {
                const DateNight *d = &c->nights[i];
                const DnNight *x = &d->night;
                c->events[k++] = (IcsEvent){
                        .uid = d->uid,
                        .start = x->start,
                        .end = x->start + x->duration,
                        .sequence = d->sequence,
                        .last_modified = d->modified,
                        .cancelled = x->status == DN_SKIPPED,
                        .summary = night_summary(x),
                        .alarm_before = x->status == DN_PLANNED ? remind : 0,
                        .alarm_text = c->alarm,
                };
        }
        for (size_t i = 0; i < c->n_promises; i++) {
                const Promise *p = &c->promises[i];
                bool active = promise_active(p);
                /* A resolved one stays while it is inside the horizon
                 * (store_promise_list_calendar()), so that a client that
                 * imports rather than subscribes replaces it: a kept one as
                 * it was (without its alarm: it is done), a broken or
                 * cancelled one as CANCELLED. */
                c->events[k++] = (IcsEvent){
                        .uid = p->uid,
                        .start = p->due,
                        .end = p->due + 3600,
                        .sequence = p->sequence,
                        .last_modified = p->modified,
                        .cancelled = p->status == PROMISE_BROKEN || p->status == PROMISE_CANCELLED,
                        .summary = "Rain check",
                        .alarm_before = active ? 30 * 60 : 0,
                        .alarm_text = "Rain check in 30 minutes",
                };
        }
        c->n_events = k;
        /* Each DTSTAMP is its event's LAST-MODIFIED (ics.h): the same event is
         * the same text, whenever it is written. */
        c->fingerprint = icalwire_fingerprint(c->events, c->n_events, 0);
        return 0;
}
