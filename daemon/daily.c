/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "daily.h"
#include "log.h"
#include "macro.h"
#include "settings.h"
#include "timeutil.h"

/* The values the practice keeps for itself, made on first use: the start
 * day of the ramp and the seed of the pick. */
static int practice_init(Manager *m, int64_t today, int64_t *ret_start_day, uint64_t *ret_seed) {
        int64_t v;
        int r = settings_get_int64(m->store, "start.day", today, &v);
        /* Missing, or damaged by hand: start afresh rather than stop. */
        if (r == 0 || r == -EINVAL)
                r = settings_set_int64(m->store, "start.day", v);
        if (r < 0)
                return r;
        *ret_start_day = v;

        r = settings_get_int64(m->store, "pick.seed", 0, &v);
        if (r == 0 || r == -EINVAL) {
                sd_id128_t id;
                r = sd_id128_randomize(&id);
                if (r < 0)
                        return r;
                v = (int64_t) (id.qwords[0] & INT64_MAX);
                r = settings_set_int64(m->store, "pick.seed", v);
        }
        if (r < 0)
                return r;
        *ret_seed = (uint64_t) v;
        return 0;
}

int practice_paused_on(Manager *m, int64_t day, bool *ret, int64_t *ret_until) {
        Pause *p = NULL;
        size_t n = 0;
        int r = store_pauses(m->store, &p, &n);
        if (r < 0)
                return r;
        *ret = false;
        for (size_t i = 0; i < n; i++)
                if (p[i].from_day <= day && day <= p[i].until_day) {
                        *ret = true;
                        if (ret_until)
                                *ret_until = p[i].until_day;
                }
        free(p);
        return 0;
}

/* The last day that counts as active for a lapse: something done, or the
 * end of a pause (a pause does not count towards a lapse). */
static int lapse_since(Manager *m, int64_t today, int64_t last_done, int64_t *ret) {
        Pause *p = NULL;
        size_t n = 0;
        int r = store_pauses(m->store, &p, &n);
        if (r < 0)
                return r;
        int64_t since = last_done;
        for (size_t i = 0; i < n; i++)
                if (p[i].until_day < today && p[i].until_day > since)
                        since = p[i].until_day;
        free(p);
        *ret = since;
        return 0;
}

static int practice_read(Manager *m, time_t now, Practice *ret);
static int phase_input_of(Manager *m, const Practice *p, PhaseInput *in);

/* The practice of a day changes only with a write or with the day: calls
 * in between (every GetToday, every status) share one read. */
int practice_load(Manager *m, time_t now, Practice *ret) {
        int64_t today = local_day_of(now);
        if (m->practice && m->practice_generation == store_generation(m->store) && m->practice->today == today) {
                *ret = *m->practice;
                return 0;
        }
        int r = practice_read(m, now, ret);
        if (r < 0)
                return r;
        if (!m->practice)
                m->practice = malloc(sizeof(Practice));
        if (m->practice) {
                *m->practice = *ret;
                /* practice_read() may have written its first start day. */
                m->practice_generation = store_generation(m->store);
        }
        return 0;
}

static int practice_read(Manager *m, time_t now, Practice *ret) {
        _cleanup_free_ char *start = NULL, *daily = NULL, *phase = NULL;
        Practice p = { .today = local_day_of(now) };
        int r;

        r = practice_init(m, p.today, &p.start_day, &p.seed);
        if (r < 0)
                return r;
        r = settings_get_string(m->store, "start", setting_default("start"), &start);
        if (r < 0)
                return r;
        p.start = start_kind_from_string(start);
        if (p.start < 0)
                p.start = START_COLD;
        /* Damaged by hand: the default. */
        r = settings_get_minute(m->store, "daily.time", 8 * 60, &p.daily_minute);
        if (r < 0 && r != -EINVAL)
                return r;
        r = ramp_cap(p.start, p.start_day, p.today, &p.next_widen_day);
        if (r < 0)
                return r;
        p.cap = r;

        r = settings_get_string(m->store, "phase", NULL, &phase);
        if (r < 0)
                return r;
        p.phase = r == 0 ? (p.cap < 3 ? PHASE_RAMP : PHASE_STEADY) : phase_from_string(phase);
        if (p.phase < 0)
                p.phase = PHASE_RAMP;

        r = practice_paused_on(m, p.today, &p.paused, &p.paused_until);
        if (r < 0)
                return r;
        r = store_last_done_day(m->store, &p.last_done_day);
        if (r < 0)
                return r;
        r = lapse_since(m, p.today, p.last_done_day, &p.lapse_since);
        if (r < 0)
                return r;
        /* Before anything was done the practice counts from the day before
         * its start. */
        if (p.lapse_since == INT64_MIN || p.lapse_since < p.start_day - 1)
                p.lapse_since = p.start_day - 1;
        p.lapse = !p.paused && lapse_due(p.today, p.lapse_since, p.start_day);

        /* What status and today show is the phase of now, never behind the
         * clock; the run queue stores it and announces the change
         * (daily_phase_refresh()), so a read never emits. */
        p.phase_stored = p.phase;
        r = settings_lenient(settings_get_int64(m->store, "phase.day", INT64_MIN, &p.phase_day));
        if (r < 0)
                return r;
        /* A clock set back before the day the phase last moved does not
         * move it back: a phase changes once. */
        if (p.today >= p.phase_day) {
                PhaseInput in;
                r = phase_input_of(m, &p, &in);
                if (r < 0)
                        return r;
                Phase current = phase_compute(&in);
                if (current >= 0)
                        p.phase = current;
        }
        *ret = p;
        return 0;
}

int daily_due(const Practice *p, int64_t day, time_t *ret) {
        return local_resolve(day, p->daily_minute, ret);
}

static int excluded_today(Manager *m, int64_t day, int64_t **ret, size_t *ret_n) {
        return store_act_skipped_items(m->store, day, ret, ret_n);
}

/* The creative phase's twist of the day (SPEC 3, the seed: "add your own
 * twists or combinations"): deterministic per day like the pick, at most
 * every other day; a second well-received item to combine with, or a
 * change of time or place. */
static int daily_twist(Manager *m, const Practice *p, const PickCandidate *c, size_t n, int64_t act_id,
                       int64_t *ret_item, char **ret_text) {
        int64_t last, combine = 0;
        const char *change = NULL;
        int r = store_last_twist_day(m->store, &last);
        if (r < 0)
                return r;
        r = twist_pick(c, n, p->today, p->cap, p->seed, act_id, last, &combine, &change);
        if (r <= 0)
                return r;
        if (combine > 0) {
                _cleanup_(item_clear) Item it = {};
                r = store_item_get(m->store, combine, NULL, &it);
                if (r < 0)
                        return r;
                *ret_item = combine;
                return asprintf(ret_text, "combine it with item %" PRIi64 ": %s", combine, it.title) < 0 ? -ENOMEM : 0;
        }
        *ret_text = strdup(change);
        return *ret_text ? 0 : -ENOMEM;
}

/* Picks and stores a new daily act for p->today; inside a transaction. */
static int daily_pick(Manager *m, const Practice *p, Act *ret, PickEmptyReason *ret_why) {
        _cleanup_free_ PickCandidate *c = NULL;
        _cleanup_free_ int64_t *ex = NULL;
        size_t n = 0, n_ex = 0;
        int64_t id;
        int r;

        r = store_pick_candidates(m->store, &c, &n);
        if (r < 0)
                return r;
        r = excluded_today(m, p->today, &ex, &n_ex);
        if (r < 0)
                return r;
        r = pick_daily(c, n, p->today, p->cap, p->phase != PHASE_RAMP, p->seed, ex, n_ex, &id);
        if (r == -ENOENT) {
                if (ret_why)
                        *ret_why = pick_explain_empty(c, n, p->cap, ex, n_ex);
                return r;
        }
        if (r < 0)
                return r;

        Act a = { .day = p->today, .kind = ACT_DAILY, .item_id = id, .status = ACT_OPEN };
        _cleanup_free_ char *twist = NULL;
        if (p->phase == PHASE_CREATIVE) {
                r = daily_twist(m, p, c, n, id, &a.twist_item, &twist);
                if (r < 0)
                        return r;
                a.twist = twist;
        }
        r = store_act_insert(m->store, &a, manager_now());
        if (r < 0)
                return r;
        return store_act_current(m->store, p->today, ret);
}

static int ensure_locked(Manager *m, const Practice *p, Act *ret, PickEmptyReason *ret_why) {
        /* Another caller may have picked between the read and BEGIN. */
        int r = store_act_current(m->store, p->today, ret);
        if (r != -ENOENT)
                return r;
        return daily_pick(m, p, ret, ret_why);
}

int daily_ensure(Manager *m, const Practice *p, Act *ret, PickEmptyReason *ret_why) {
        int r = store_act_current(m->store, p->today, ret);
        if (r != -ENOENT)
                return r;
        _cleanup_(act_clear) Act a = {};
        r = STORE_TRANSACTION(m->store, ensure_locked(m, p, &a, ret_why));
        if (r < 0)
                return r;
        *ret = a;
        a = (Act) {};
        return r;
}


static int dup_note(const char *note, char **ret) {
        if (!note || !note[0]) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(note);
        return *ret ? 0 : -ENOMEM;
}

/* The practice of today and today's daily act: 1 with it, 0 when there is
 * none yet (and *p is good either way), or a failure of either read. */
static int load_current(Manager *m, time_t now, Practice *p, Act *a) {
        int r = practice_load(m, now, p);
        if (r < 0)
                return r == -ENOENT ? -EIO : r; /* never "no act yet" */
        r = store_act_current(m->store, p->today, a);
        if (r == -ENOENT)
                return 0;
        return r < 0 ? r : 1;
}

static int done_locked(Manager *m, time_t now, int response, int mood, const char *note, DoneResult *ret) {
        _cleanup_(act_clear) Act a = {};
        Practice p;
        int r = load_current(m, now, &p, &a);
        if (r == 0)
                r = daily_pick(m, &p, &a, NULL);
        if (r < 0)
                return r;
        if (m->act_unseen > 0 && a.id == m->act_unseen && a.status == ACT_OPEN)
                return -ESTALE;
        if (ret)
                *ret = (DoneResult) {
                        .item_id = a.item_id,
                        .again = a.status == ACT_DONE,
                        .previous_response = a.status == ACT_DONE ? a.response : 0,
                        .response = response > 0 ? response : a.response,
                };
        a.status = ACT_DONE;
        if (response > 0)
                a.response = response;
        if (note) {
                free(a.note);
                r = dup_note(note, &a.note);
                if (r < 0)
                        return r;
        }
        if (a.done_at == 0)
                a.done_at = now;
        r = store_act_update(m->store, &a);
        if (r < 0)
                return r;
        if (mood > 0)
                return store_mood_insert(m->store, p.today, mood, NULL, now);
        return 0;
}

int daily_replace_locked(Manager *m, time_t now, int64_t item_id, Act *ret) {
        _cleanup_(act_clear) Act a = {};
        Practice p;
        int r = load_current(m, now, &p, &a);
        if (r <= 0)
                return r;
        if (a.item_id != item_id || a.status != ACT_OPEN)
                return 0;
        r = store_act_drop_open(m->store, a.id);
        if (r < 0)
                return r;
        r = daily_pick(m, &p, ret, NULL);
        if (r == -ENOENT) {
                *ret = (Act) {};
                return 1;
        }
        if (r < 0)
                return r;
        m->act_unseen = ret->id;
        m->act_unseen_was_item = item_id;
        return 1;
}

static int ramp_restart_locked(Manager *m, time_t now, Practice *ret) {
        int r = settings_set_int64(m->store, "start.day", local_day_of(now));
        if (r < 0)
                return r;
        return practice_load(m, now, ret);
}

int daily_ramp_restart(Manager *m, time_t now, Practice *ret) {
        return STORE_TRANSACTION(m->store, ramp_restart_locked(m, now, ret));
}

int daily_done(Manager *m, time_t now, int response, int mood, const char *note, DoneResult *ret) {
        return STORE_TRANSACTION(m->store, done_locked(m, now, response, mood, note, ret));
}

static int reroll_locked(Manager *m, time_t now, Act *ret, PickEmptyReason *ret_why) {
        _cleanup_(act_clear) Act a = {};
        Practice p;
        int r = load_current(m, now, &p, &a);
        if (r < 0)
                return r;
        if (r == 0)
                return daily_pick(m, &p, ret, ret_why);
        if (a.status == ACT_DONE)
                return -EALREADY;
        a.status = ACT_SKIPPED;
        r = store_act_update(m->store, &a);
        if (r < 0)
                return r;
        /* Nothing else to pick: the transaction rolls back, the act stays. */
        return daily_pick(m, &p, ret, ret_why);
}

int daily_reroll(Manager *m, time_t now, Act *ret, PickEmptyReason *ret_why) {
        return STORE_TRANSACTION(m->store, reroll_locked(m, now, ret, ret_why));
}

static int extra_locked(Manager *m, time_t now, const char *what, int response, const char *note,
                        int64_t *ret_id) {
        _cleanup_(item_clear) Item it = {};
        Act a = { .day = local_day_of(now), .kind = ACT_EXTRA, .status = ACT_DONE, .response = response };
        int r;

        /* All digits is an item of my partner's list (one that does not exist
         * is an error, never the text "N"); anything else a text. */
        if (what[0] && what[strspn(what, "0123456789")] == '\0') {
                char *end;
                errno = 0;
                long long id = strtoll(what, &end, 10);
                if (errno || id <= 0)
                        return -ENOENT;
                Side side;
                r = store_item_get(m->store, id, &side, &it);
                if (r < 0)
                        return r;
                if (side != SIDE_PARTNER || it.removed)
                        return -EPERM;
                a.item_id = id;
        } else
                a.title = (char *) what;
        a.note = (char *) (note && note[0] ? note : NULL);
        r = store_act_insert(m->store, &a, now);
        if (r < 0)
                return r;
        *ret_id = a.id;
        return 0;
}

int daily_extra(Manager *m, time_t now, const char *what, int response, const char *note, int64_t *ret_id) {
        return STORE_TRANSACTION(m->store, extra_locked(m, now, what, response, note, ret_id));
}

int daily_mood(Manager *m, time_t now, int mood, const char *note) {
        return store_mood_insert(m->store, local_day_of(now), mood, note && note[0] ? note : NULL, now);
}

static int pause_locked(Manager *m, time_t now, int64_t until_day) {
        int64_t today = local_day_of(now);
        Pause *p = NULL;
        size_t n = 0;
        int r = store_pauses(m->store, &p, &n);
        if (r < 0)
                return r;
        Pause cur = { .from_day = today, .until_day = until_day };
        for (size_t i = 0; i < n; i++)
                if (p[i].from_day <= today && today <= p[i].until_day)
                        cur = (Pause){ p[i].id, p[i].from_day, until_day };
        free(p);
        return store_pause_set(m->store, &cur);
}

int daily_pause(Manager *m, time_t now, int64_t until_day) {
        return STORE_TRANSACTION(m->store, pause_locked(m, now, until_day));
}

static int resume_locked(Manager *m, time_t now) {
        int64_t today = local_day_of(now);
        _cleanup_free_ Pause *p = NULL;
        size_t n = 0;
        bool found = false;
        int r = store_pauses(m->store, &p, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (!(p[i].from_day <= today && today <= p[i].until_day))
                        continue;
                found = true;
                if (p[i].from_day == today)
                        r = store_pause_delete(m->store, p[i].id);
                else
                        r = store_pause_set(m->store, &(Pause){ p[i].id, p[i].from_day, today - 1 });
                if (r < 0)
                        return r;
        }
        return found ? 0 : -ENOENT;
}

int daily_resume(Manager *m, time_t now) {
        return STORE_TRANSACTION(m->store, resume_locked(m, now));
}

static bool in_pause(const Pause *p, size_t n, int64_t day) {
        for (size_t i = 0; i < n; i++)
                if (p[i].from_day <= day && day <= p[i].until_day)
                        return true;
        return false;
}

int daily_streak(Manager *m, const Practice *p, int64_t *ret) {
        Pause *pauses = NULL;
        size_t n_pauses = 0, n = 0;
        int64_t days[64], streak = 0, expect = p->today;
        bool first = true;
        int r;

        r = store_pauses(m->store, &pauses, &n_pauses);
        if (r < 0)
                return r;
        /* Walks back over the done days, a page at a time. Today still open
         * does not break the streak, and paused days are stepped over. */
        for (int64_t before = p->today;; before = days[n - 1] - 1) {
                r = store_done_days_desc(m->store, before, ELEMENTSOF(days), days, &n);
                if (r < 0 || n == 0)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (first && days[i] != p->today)
                                expect = p->today - 1;
                        first = false;
                        while (expect > days[i] && in_pause(pauses, n_pauses, expect))
                                expect--;
                        if (days[i] != expect)
                                goto out;
                        streak++;
                        expect--;
                }
                if (n < ELEMENTSOF(days))
                        break;
        }
out:
        free(pauses);
        if (r < 0)
                return r;
        *ret = streak;
        return 0;
}

static int phase_input_of(Manager *m, const Practice *p, PhaseInput *in) {
        int64_t done28;
        int r = store_acts_done_between(m->store, p->today - 27, p->today, &done28);
        if (r < 0)
                return r;
        *in = (PhaseInput){
                .start = p->start,
                .start_day = p->start_day,
                .today = p->today,
                .acts_done_28d = done28 > INT32_MAX ? INT32_MAX : (int) done28,
                .last_done_day = p->last_done_day,
                .current = p->phase_stored,
        };
        return 0;
}

static int phase_input(Manager *m, time_t now, PhaseInput *in, Practice *p) {
        int r = practice_load(m, now, p);
        if (r < 0)
                return r;
        return phase_input_of(m, p, in);
}

static int phase_update_locked(Manager *m, time_t now, Phase *ret_old, Phase *ret_new) {
        _cleanup_free_ char *stored = NULL;
        Practice p;
        int r = practice_load(m, now, &p);
        if (r < 0)
                return r;
        if (p.today < p.phase_day)
                return 0; /* the clock went back: see practice_read() */
        /* practice_read() computed the phase of now already. */
        Phase next = p.phase;
        r = settings_get_string(m->store, "phase", NULL, &stored);
        if (r < 0)
                return r;
        bool first = r == 0;
        if (!first && phase_from_string(stored) == next)
                return 0;
        r = settings_set_string(m->store, "phase", phase_to_string(next));
        if (r < 0)
                return r;
        r = settings_set_int64(m->store, "phase.day", p.today);
        if (r < 0)
                return r;
        *ret_old = p.phase_stored;
        *ret_new = next;
        /* The first phase is where the practice starts, not a change. */
        return first && next == p.phase_stored ? 0 : 1;
}

int daily_phase_update(Manager *m, time_t now, Phase *ret_old, Phase *ret_new) {
        int changed = 0;
        int r = STORE_TRANSACTION(m->store, (changed = phase_update_locked(m, now, ret_old, ret_new)));
        return r < 0 ? r : changed;
}

void daily_phase_refresh(Manager *m, time_t now) {
        Phase old, new;
        /* Nothing written and still the same day: the phase is as it was. */
        int64_t today = local_day_of(now);
        if (m->phase_generation == store_generation(m->store) && m->phase_day == today)
                return;
        int r = daily_phase_update(m, now, &old, &new);
        m->phase_generation = store_generation(m->store);
        m->phase_day = today;
        if (r > 0) {
                log_info("Phase changed from %s to %s", phase_to_string(old), phase_to_string(new));
                manager_emit(m, &(Event){ .type = EVENT_PHASE_CHANGED, .phase = { old, new } });
        }
        if (r < 0)
                log_error_errno(r, "Failed to update the phase: %s", store_last_error(m->store));
}

int daily_phase_progress(Manager *m, time_t now, char **ret) {
        PhaseInput in;
        Practice p;
        int r = phase_input(m, now, &in, &p);
        if (r < 0)
                return r;
        return phase_progress(&in, ret);
}
