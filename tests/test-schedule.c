/* SPDX-License-Identifier: MIT */
/*
 * test-schedule: what the scheduler (daemon/schedule.c) announces, seen
 * through a recording sink (manager_add_sink) over a fake clock
 * (manager_set_clock), with no bus and without running the event loop:
 * the daily act (once a day, late after a restart while still that day,
 * never the day after, not without partner items, not while paused, in a
 * DST gap and fold), lapses, phase changes (and that a read never emits
 * one, and a clock set back announces one once), date nights (reminder
 * and start, late after a restart,
 * moved, skipped, the DST week), rain checks (soon, due, overdue once a
 * day, moved, kept) and the timer it arms.
 *
 * Every case runs in TZ=Europe/Berlin around the changes of 2026 (29 March,
 * 02:00 CET -> 03:00 CEST; 25 October, 03:00 CEST -> 02:00 CET), each in a
 * fresh store under /tmp. datenights.ics is written by the iCalendar child,
 * which a unit test does not have (closerd-ical.so is not next to it, and
 * no child is started): that failure is logged and harmless, and the log
 * is quiet unless CLOSER_LOG_LEVEL asks for it. Nothing here depends on
 * the file.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "calendar.h"
#include "daily.h"
#include "datenight.h"
#include "dnvdir.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "partner.h"
#include "promise.h"
#include "schedule.h"
#include "settings.h"
#include "store.h"
#include "timeutil.h"
#include "today.h"

#define HOUR 3600
#define DAY (24 * HOUR)

/* What a sink may keep of an event: the pointers in it live only as long
 * as the call. */
typedef struct Record {
        EventType type;
        bool late;
        char date[16];       /* daily: the day; lapse: since */
        int64_t act_id, item_id;
        uint32_t days;       /* lapse */
        Phase old, new;      /* phase */
        int64_t id;          /* the promise or the night */
        time_t at;           /* the promise's due time, the night's start */
        int64_t duration, remind;
} Record;

typedef struct Fixture {
        char dir[64];
        Manager m;
        Record rec[128];
        size_t n;
        unsigned only; /* the event types to record (a mask of 1 << type), 0 for all */
} Fixture;

#define ONLY(t) (1u << (t))
#define DAILY_EVENTS (ONLY(EVENT_DAILY_ACT) | ONLY(EVENT_LAPSE) | ONLY(EVENT_PHASE_CHANGED))
#define DATENIGHT_EVENTS (ONLY(EVENT_DATENIGHT_SOON) | ONLY(EVENT_DATENIGHT))
#define PROMISE_EVENTS (ONLY(EVENT_PROMISE_SOON) | ONLY(EVENT_PROMISE_DUE) | ONLY(EVENT_PROMISE_OVERDUE))

static time_t fake_now;

static time_t fake_clock(void) {
        return fake_now;
}

static void record(Manager *m, const Event *e, void *userdata) {
        Fixture *f = userdata;
        assert_ptr_equal(m, &f->m);
        if (f->only && !(f->only & ONLY(e->type)))
                return;
        assert_true(f->n < ELEMENTSOF(f->rec));
        Record *r = &f->rec[f->n++];
        *r = (Record){ .type = e->type, .late = e->late };
        switch (e->type) {
        case EVENT_DAILY_ACT:
                (void) snprintf(r->date, sizeof(r->date), "%s", e->daily.date);
                r->act_id = e->daily.act->id;
                r->item_id = e->daily.act->item_id;
                break;
        case EVENT_LAPSE:
                (void) snprintf(r->date, sizeof(r->date), "%s", e->lapse.since);
                r->days = e->lapse.days;
                break;
        case EVENT_PHASE_CHANGED:
                r->old = e->phase.old;
                r->new = e->phase.new;
                break;
        case EVENT_PROMISE_SOON:
        case EVENT_PROMISE_DUE:
        case EVENT_PROMISE_OVERDUE:
                r->id = e->promise.promise->id;
                r->at = e->promise.promise->due;
                break;
        case EVENT_DATENIGHT_SOON:
        case EVENT_DATENIGHT:
                r->id = e->datenight.night->night.id;
                r->at = e->datenight.night->night.start;
                r->duration = e->datenight.night->night.duration;
                r->remind = e->datenight.remind;
                break;
        default:
                fail_msg("unknown event type %d", (int) e->type);
        }
}

/* --- helpers --- */

/* A local wall-clock time in Europe/Berlin (SPEC 4 for gaps and folds). */
static time_t at(int y, int mo, int d, int h, int mi) {
        time_t t;
        assert_int_equal(local_resolve(day_from_ymd(y, mo, d), h * 60 + mi, &t), 0);
        return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

/* A closerd start on the store of f->dir: a fresh Manager, as closerd.c
 * makes it, with the recording sink instead of the bus and notify. */
static void manager_start(Fixture *f, time_t now) {
        char *err = NULL;
        fake_now = now;
        f->m = (Manager){ .clock_fd = -1, .tz_fd = -1, .tz_file_wd = -1 };
        f->m.data_dir = strdup(f->dir);
        assert_non_null(f->m.data_dir);
        int r = store_open(f->dir, &f->m.store, &err);
        if (r < 0)
                fail_msg("store_open: %s", err);
        assert_int_equal(sd_event_new(&f->m.event), 0);
        assert_int_equal(manager_add_sink(&f->m, record, f), 0);
}

static void manager_stop(Fixture *f) {
        schedule_stop(&f->m);
        today_forget(&f->m);
        dnvdir_free(&f->m);
        manager_clear(&f->m);
}

/* closerd stops, and starts again at now: the store is all that is left. */
static void manager_restart(Fixture *f, time_t now) {
        manager_stop(f);
        manager_start(f, now);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        if (!f || !mkdtemp(strcpy(f->dir, "/tmp/test-schedule-XXXXXX"))) {
                free(f);
                return -1;
        }
        /* The daily practice's own; the cases of the others say theirs. */
        f->only = DAILY_EVENTS;
        manager_start(f, at(2026, 3, 27, 6, 0));
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        manager_stop(f);
        (void) nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

/* Runs the schedule at t: the index of the first event it emitted. */
static size_t run_at(Fixture *f, time_t t) {
        size_t first = f->n;
        fake_now = t;
        assert_int_equal(schedule_run(&f->m), 0);
        return first;
}

static size_t n_of(const Fixture *f, size_t from, EventType type) {
        size_t k = 0;
        for (size_t i = from; i < f->n; i++)
                k += f->rec[i].type == type;
        return k;
}

/* The one event of that type from index from on. */
static const Record *one_of(const Fixture *f, size_t from, EventType type) {
        const Record *r = NULL;
        for (size_t i = from; i < f->n; i++)
                if (f->rec[i].type == type) {
                        if (r)
                                fail_msg("%s emitted twice", event_type_to_string(type));
                        r = &f->rec[i];
                }
        if (!r)
                fail_msg("no %s", event_type_to_string(type));
        return r;
}

/* Runs at t and expects nothing at all. */
static void quiet_at(Fixture *f, time_t t) {
        size_t k = run_at(f, t);
        char when[32], what[32] = "";
        if (f->n == k)
                return;
        (void) format_iso_local(t, when);
        if (f->rec[k].at)
                (void) format_iso_local(f->rec[k].at, what);
        fail_msg("unexpected %s at %s (about %s)", event_type_to_string(f->rec[k].type), when, what);
}

static time_t timer_at(const Fixture *f) {
        uint64_t usec;
        int enabled;
        assert_non_null(f->m.timer);
        assert_int_equal(sd_event_source_get_enabled(f->m.timer, &enabled), 1);
        assert_int_equal(enabled, SD_EVENT_ONESHOT);
        assert_int_equal(sd_event_source_get_time(f->m.timer, &usec), 0);
        assert_int_equal(usec % 1000000, 0);
        return (time_t) (usec / 1000000);
}

static void set(Fixture *f, const char *key, const char *value) {
        assert_int_equal(store_setting_set(f->m.store, key, value), 0);
}

static const char *const item_uids[] = { "a@test", "b@test", "c@test" };

/* My partner's list of three gentle items, imported at now. */
static void import_items(Fixture *f) {
        Item items[ELEMENTSOF(item_uids)];
        for (size_t i = 0; i < ELEMENTSOF(items); i++)
                items[i] = (Item){ .uid = (char *) item_uids[i], .title = (char *) "Hold hands", .intensity = 1,
                                   .category = CATEGORY_AFFECTION, .sequence = 1, .modified = fake_now };
        ListFile lf = { .items = items, .n_items = ELEMENTSOF(items), .owner_id = (char *) "partner-id" };
        ImportSummary sum = {};
        char *why = NULL;
        int r = partner_import(&f->m, &lf, &(ImportOptions){}, &sum, &why);
        if (r < 0)
                fail_msg("partner_import: %s", why ? why : strerror(-r));
        assert_int_equal(sum.added, ELEMENTSOF(items));
        import_summary_clear(&sum);
}

static void assert_partner_item(const Fixture *f, int64_t id) {
        Item it = {};
        Side side;
        assert_int_equal(store_item_get(f->m.store, id, &side, &it), 0);
        assert_int_equal(side, SIDE_PARTNER);
        bool known = false;
        for (size_t i = 0; i < ELEMENTSOF(item_uids); i++)
                known = known || streq(it.uid, item_uids[i]);
        assert_true(known);
        item_clear(&it);
}

/* The daily act of date at t, on time or late. */
static void act_at(Fixture *f, time_t t, const char *date, bool late) {
        size_t k = run_at(f, t);
        const Record *r = one_of(f, k, EVENT_DAILY_ACT);
        assert_string_equal(r->date, date);
        assert_int_equal(r->late, late);
        assert_true(r->act_id > 0);
        assert_partner_item(f, r->item_id);
}

static void done_now(Fixture *f) {
        assert_int_equal(daily_done(&f->m, fake_now, 4, 0, NULL, NULL), 0);
}

/* --- the daily act --- */

static void test_daily_once_a_day_across_dst(void **state) {
        Fixture *f = *state;
        import_items(f);

        quiet_at(f, at(2026, 3, 27, 7, 59) + 59);
        act_at(f, at(2026, 3, 27, 8, 0), "2026-03-27", false);
        quiet_at(f, at(2026, 3, 27, 8, 0));
        quiet_at(f, at(2026, 3, 27, 8, 0) + 30);
        quiet_at(f, at(2026, 3, 27, 20, 0));
        done_now(f);
        quiet_at(f, at(2026, 3, 27, 20, 0));

        /* The next day another; then the Sunday of the change, at 08:00
         * summer time, 23 hours after Saturday's. */
        quiet_at(f, at(2026, 3, 28, 0, 0));
        act_at(f, at(2026, 3, 28, 8, 0) + 59, "2026-03-28", false);
        done_now(f);
        quiet_at(f, at(2026, 3, 29, 0, 0));
        quiet_at(f, at(2026, 3, 29, 7, 59));
        assert_int_equal(at(2026, 3, 29, 8, 0) - at(2026, 3, 28, 8, 0), 23 * HOUR);
        assert_int_equal(local_utc_offset(at(2026, 3, 29, 8, 0)), 2 * HOUR);
        act_at(f, at(2026, 3, 29, 8, 0), "2026-03-29", false);
        quiet_at(f, at(2026, 3, 29, 8, 1));
        assert_int_equal(n_of(f, 0, EVENT_LAPSE), 0);
}

static void test_daily_late_after_restart_same_day(void **state) {
        Fixture *f = *state;
        import_items(f);
        quiet_at(f, at(2026, 3, 27, 7, 0));

        /* closerd was not running at 08:00: the act comes late on start. */
        manager_restart(f, at(2026, 3, 27, 10, 0));
        act_at(f, at(2026, 3, 27, 10, 0), "2026-03-27", true);
        quiet_at(f, at(2026, 3, 27, 10, 0));
        /* Claimed in the store: not again after another restart. */
        manager_restart(f, at(2026, 3, 27, 11, 0));
        quiet_at(f, at(2026, 3, 27, 11, 0));
        /* Within a minute of its time it is on time. */
        manager_restart(f, at(2026, 3, 28, 8, 1));
        act_at(f, at(2026, 3, 28, 8, 1), "2026-03-28", false);
}

static void test_daily_missed_day_not_the_next(void **state) {
        Fixture *f = *state;
        import_items(f);
        quiet_at(f, at(2026, 3, 27, 7, 0));

        /* Down over the whole of Friday's act: Saturday morning says nothing
         * of it, and Saturday's act comes at its own time. */
        manager_restart(f, at(2026, 3, 28, 7, 30));
        size_t k = run_at(f, at(2026, 3, 28, 7, 30));
        assert_int_equal(n_of(f, k, EVENT_DAILY_ACT), 0);
        act_at(f, at(2026, 3, 28, 8, 0), "2026-03-28", false);
        assert_int_equal(n_of(f, 0, EVENT_DAILY_ACT), 1);
}

static void test_daily_no_items_then_import(void **state) {
        Fixture *f = *state;

        quiet_at(f, at(2026, 3, 27, 8, 0));
        quiet_at(f, at(2026, 3, 27, 8, 30));
        fake_now = at(2026, 3, 27, 9, 0);
        import_items(f);
        act_at(f, at(2026, 3, 27, 9, 0), "2026-03-27", true);
        quiet_at(f, at(2026, 3, 27, 9, 0));
}

static void test_daily_time_in_dst_gap(void **state) {
        Fixture *f = *state;
        import_items(f);
        set(f, "daily.time", "02:30");

        /* 02:30 does not exist on 29 March: it is 03:30 summer time. */
        time_t due = at(2026, 3, 29, 2, 30);
        assert_int_equal(due, at(2026, 3, 29, 3, 30));
        assert_int_equal(local_minute_of(due), 3 * 60 + 30);
        run_at(f, at(2026, 3, 28, 12, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 29, 0, 0));
        quiet_at(f, at(2026, 3, 29, 0, 0));
        assert_int_equal(timer_at(f), due);
        quiet_at(f, due - 1);
        act_at(f, due, "2026-03-29", false);
}

static void test_daily_time_in_dst_fold(void **state) {
        Fixture *f = *state;
        manager_restart(f, at(2026, 10, 24, 6, 0));
        import_items(f);
        set(f, "daily.time", "02:30");

        /* 02:30 comes twice on 25 October: the act is due at the first
         * (summer time), and the second brings nothing more. */
        time_t due = at(2026, 10, 25, 2, 30);
        assert_int_equal(local_utc_offset(due), 2 * HOUR);
        run_at(f, at(2026, 10, 25, 0, 0));
        assert_int_equal(timer_at(f), due);
        act_at(f, due, "2026-10-25", false);
        assert_int_equal(local_minute_of(due + HOUR), 2 * 60 + 30);
        quiet_at(f, due + HOUR);
        assert_int_equal(timer_at(f), at(2026, 10, 26, 0, 0));
        assert_int_equal(at(2026, 10, 26, 0, 0) - at(2026, 10, 25, 0, 0), 25 * HOUR);
}

static void test_daily_pause(void **state) {
        Fixture *f = *state;
        import_items(f);
        assert_int_equal(daily_pause(&f->m, fake_now, day_from_ymd(2026, 3, 28)), 0);

        quiet_at(f, at(2026, 3, 27, 8, 0));
        quiet_at(f, at(2026, 3, 27, 22, 0));
        quiet_at(f, at(2026, 3, 28, 8, 0));
        /* The pause is over; nor is it a lapse. */
        act_at(f, at(2026, 3, 29, 8, 0), "2026-03-29", false);
        assert_int_equal(n_of(f, 0, EVENT_LAPSE), 0);
        done_now(f);

        /* Paused again before Monday's act, and resumed after its time:
         * the act comes then, late. */
        fake_now = at(2026, 3, 30, 7, 0);
        assert_int_equal(daily_pause(&f->m, fake_now, day_from_ymd(2026, 4, 5)), 0);
        quiet_at(f, at(2026, 3, 30, 8, 0));
        fake_now = at(2026, 3, 30, 9, 0);
        assert_int_equal(daily_resume(&f->m, fake_now), 0);
        act_at(f, fake_now, "2026-03-30", true);
}

static void test_lapse(void **state) {
        Fixture *f = *state;
        int64_t id;

        /* The practice starts on Friday 27 (no items needed for a lapse):
         * Friday and Saturday with nothing done, a lapse on Sunday since
         * the day before the start. */
        quiet_at(f, at(2026, 3, 27, 9, 0));
        quiet_at(f, at(2026, 3, 28, 9, 0));
        quiet_at(f, at(2026, 3, 28, 23, 59));
        size_t k = run_at(f, at(2026, 3, 29, 0, 0));
        const Record *r = one_of(f, k, EVENT_LAPSE);
        assert_string_equal(r->date, "2026-03-26");
        assert_int_equal(r->days, 3);
        assert_false(r->late);
        quiet_at(f, at(2026, 3, 29, 12, 0));
        quiet_at(f, at(2026, 3, 30, 12, 0));
        manager_restart(f, at(2026, 3, 30, 13, 0));
        quiet_at(f, at(2026, 3, 30, 13, 0));

        /* Something done on Monday; Tuesday and Wednesday nothing. */
        assert_int_equal(daily_extra(&f->m, fake_now, "a walk", 5, NULL, &id), 0);
        quiet_at(f, at(2026, 3, 30, 14, 0));
        quiet_at(f, at(2026, 3, 31, 12, 0));
        quiet_at(f, at(2026, 4, 1, 23, 59));
        k = run_at(f, at(2026, 4, 2, 0, 0));
        r = one_of(f, k, EVENT_LAPSE);
        assert_string_equal(r->date, "2026-03-30");
        assert_int_equal(r->days, 3);
        assert_int_equal(n_of(f, 0, EVENT_LAPSE), 2);
}

/* --- the phase --- */

static void test_phase_ramp_end(void **state) {
        Fixture *f = *state;
        f->only = ONLY(EVENT_PHASE_CHANGED);
        char day[32];
        Practice p;
        const Today *t;

        /* A cold start 41 days ago: the ramp widens to the whole list
         * (intensity 3) at midnight, and the phase moves to steady. */
        (void) snprintf(day, sizeof(day), "%" PRIi64, day_from_ymd(2026, 3, 27) - 41);
        set(f, "start.day", day);
        quiet_at(f, at(2026, 3, 27, 9, 0));
        daily_phase_refresh(&f->m, fake_now);
        assert_int_equal(f->n, 0);

        /* Reads see the new phase, but never announce it. */
        fake_now = at(2026, 3, 28, 0, 0);
        assert_int_equal(practice_load(&f->m, fake_now, &p), 0);
        assert_int_equal(p.cap, 3);
        assert_int_equal(p.phase, PHASE_STEADY);
        assert_int_equal(p.phase_stored, PHASE_RAMP);
        assert_int_equal(today_load(&f->m, fake_now, &t), 0);
        assert_int_equal(t->practice.phase, PHASE_STEADY);
        assert_int_equal(f->n, 0);

        size_t k = run_at(f, fake_now);
        const Record *r = one_of(f, k, EVENT_PHASE_CHANGED);
        assert_int_equal(r->old, PHASE_RAMP);
        assert_int_equal(r->new, PHASE_STEADY);
        assert_int_equal(f->n, k + 1);

        /* Never twice: not again, not after a write, not after a restart. */
        daily_phase_refresh(&f->m, fake_now);
        set(f, "partner.name", "Sam");
        daily_phase_refresh(&f->m, fake_now);
        quiet_at(f, at(2026, 3, 28, 0, 1));
        manager_restart(f, at(2026, 3, 28, 1, 0));
        quiet_at(f, at(2026, 3, 28, 1, 0));
        assert_int_equal(n_of(f, 0, EVENT_PHASE_CHANGED), 1);
        assert_int_equal(practice_load(&f->m, fake_now, &p), 0);
        assert_int_equal(p.phase_stored, PHASE_STEADY);
}

/* The wall clock set back across the midnight the ramp ended (an NTP
 * correction at 00:10 of 30 minutes): the ramp's end is announced once,
 * and the phase does not go back (it was: ramp -> steady, steady -> ramp,
 * ramp -> steady). */
static void test_phase_clock_set_back(void **state) {
        Fixture *f = *state;
        char day[32];
        f->only = ONLY(EVENT_PHASE_CHANGED);
        (void) snprintf(day, sizeof(day), "%" PRIi64, day_from_ymd(2026, 3, 27) - 41);
        set(f, "start.day", day);
        quiet_at(f, at(2026, 3, 27, 23, 0));
        run_at(f, at(2026, 3, 28, 0, 10));
        run_at(f, at(2026, 3, 27, 23, 40));
        run_at(f, at(2026, 3, 28, 0, 0));
        const Record *r = one_of(f, 0, EVENT_PHASE_CHANGED);
        assert_int_equal(r->old, PHASE_RAMP);
        assert_int_equal(r->new, PHASE_STEADY);
}

static void done_extra_on(Fixture *f, int64_t day) {
        time_t t;
        assert_int_equal(local_resolve(day, 12 * 60, &t), 0);
        Act a = { .day = day, .kind = ACT_EXTRA, .status = ACT_DONE, .title = (char *) "a walk", .done_at = t };
        assert_int_equal(store_act_insert(f->m.store, &a, t), 0);
}

static void test_phase_creative_and_back(void **state) {
        Fixture *f = *state;
        f->only = ONLY(EVENT_PHASE_CHANGED);
        char day[32];
        int64_t today = day_from_ymd(2026, 3, 27), id;

        /* Steady since long, 20 acts in the last 28 days. */
        (void) snprintf(day, sizeof(day), "%" PRIi64, today - 60);
        set(f, "start.day", day);
        for (int64_t d = today - 20; d < today; d++)
                done_extra_on(f, d);
        quiet_at(f, at(2026, 3, 27, 9, 0));
        Practice p;
        assert_int_equal(practice_load(&f->m, fake_now, &p), 0);
        assert_int_equal(p.phase, PHASE_STEADY);

        /* The 21st: creative, announced by the next run, once. */
        fake_now = at(2026, 3, 27, 10, 0);
        assert_int_equal(daily_extra(&f->m, fake_now, "a walk", 5, NULL, &id), 0);
        assert_int_equal(f->n, 0);
        size_t k = run_at(f, fake_now);
        const Record *r = one_of(f, k, EVENT_PHASE_CHANGED);
        assert_int_equal(r->old, PHASE_STEADY);
        assert_int_equal(r->new, PHASE_CREATIVE);
        quiet_at(f, at(2026, 3, 27, 11, 0));

        /* Nothing done for a week (across the change of time): steady
         * again at the midnight it counts 7 days, and only then. */
        k = run_at(f, at(2026, 4, 2, 23, 59));
        assert_int_equal(n_of(f, k, EVENT_PHASE_CHANGED), 0);
        k = run_at(f, at(2026, 4, 3, 0, 0));
        r = one_of(f, k, EVENT_PHASE_CHANGED);
        assert_int_equal(r->old, PHASE_CREATIVE);
        assert_int_equal(r->new, PHASE_STEADY);
        k = run_at(f, at(2026, 4, 4, 0, 0));
        assert_int_equal(n_of(f, k, EVENT_PHASE_CHANGED), 0);
        assert_int_equal(n_of(f, 0, EVENT_PHASE_CHANGED), 2);
}

/* --- date nights --- */

/* From Monday 23 March on (the week of the change), date nights on
 * Sundays at 20:00 for 3 h, reminded 1 h before. */
static void sunday_rule(Fixture *f) {
        DnRule rule = { .weekday = 7, .weekdays_mask = 0x40, .minute = 20 * 60, .duration = 3 * HOUR };
        manager_restart(f, at(2026, 3, 23, 12, 0));
        set(f, "datenight.remind", "1h");
        assert_int_equal(datenight_set_rule(&f->m, fake_now, &rule), 0);
}

/* The planned night that starts at start. */
static int64_t night_at(Fixture *f, time_t start) {
        DateNight *d = NULL;
        size_t n = 0;
        int64_t id = 0;
        assert_int_equal(datenight_list(&f->m, fake_now, &d, &n), 0);
        for (size_t i = 0; i < n; i++)
                if (d[i].night.start == start && d[i].night.status == DN_PLANNED)
                        id = d[i].night.id;
        datenight_array_free(d, n);
        assert_true(id > 0);
        return id;
}

/* The reminder at start - 1 h and the night at start, once each and on
 * time, and nothing else about it. */
static void night_announced(Fixture *f, time_t start, int64_t id) {
        quiet_at(f, start - HOUR - 1);
        size_t k = run_at(f, start - HOUR);
        const Record *r = one_of(f, k, EVENT_DATENIGHT_SOON);
        assert_int_equal(r->at, start);
        assert_int_equal(r->remind, HOUR);
        assert_int_equal(r->id, id);
        assert_false(r->late);
        assert_int_equal(f->n, k + 1);
        quiet_at(f, start - HOUR);
        quiet_at(f, start - 1);
        k = run_at(f, start);
        r = one_of(f, k, EVENT_DATENIGHT);
        assert_int_equal(r->at, start);
        assert_int_equal(r->id, id);
        assert_int_equal(r->duration, 3 * HOUR);
        assert_false(r->late);
        assert_int_equal(f->n, k + 1);
        quiet_at(f, start + 1);
        quiet_at(f, start + 3 * HOUR);
}

static void test_datenight_rule_across_dst(void **state) {
        Fixture *f = *state;
        f->only = DATENIGHT_EVENTS;
        sunday_rule(f);

        /* The first Sunday of summer time: still 20:00 local, 18:00 UTC. */
        time_t start = at(2026, 3, 29, 20, 0);
        assert_int_equal(local_minute_of(start), 20 * 60);
        assert_int_equal(local_utc_offset(start), 2 * HOUR);
        assert_int_equal(start - at(2026, 3, 22, 20, 0), 7 * DAY - HOUR);
        night_announced(f, start, night_at(f, start));
        /* And the week after, 7 days of 24 hours later. */
        night_announced(f, start + 7 * DAY, night_at(f, start + 7 * DAY));
}

static void test_datenight_moved_and_skipped(void **state) {
        Fixture *f = *state;
        int64_t id;
        f->only = DATENIGHT_EVENTS;
        sunday_rule(f);

        /* This week's night to Saturday 21:00, next week's skipped. */
        time_t sunday = at(2026, 3, 29, 20, 0), moved = at(2026, 3, 28, 21, 0);
        int64_t first = night_at(f, sunday), second = night_at(f, sunday + 7 * DAY);
        assert_int_equal(datenight_move(&f->m, fake_now, first, moved, &id), 0);
        assert_int_equal(id, first);
        assert_int_equal(datenight_skip(&f->m, fake_now, second, &id), 0);
        assert_int_equal(id, second);
        quiet_at(f, fake_now);

        night_announced(f, moved, first);
        quiet_at(f, sunday - HOUR);
        quiet_at(f, sunday);
        quiet_at(f, sunday + 7 * DAY - HOUR);
        quiet_at(f, sunday + 7 * DAY);

        /* The one after comes; its reminder out, it is moved two hours
         * later: reminded again for the new time, and started then. */
        time_t third = sunday + 14 * DAY, later = third + 2 * HOUR;
        int64_t third_id = night_at(f, third);
        size_t k = run_at(f, third - HOUR);
        assert_int_equal(one_of(f, k, EVENT_DATENIGHT_SOON)->at, third);
        fake_now = third - HOUR + 60;
        assert_int_equal(datenight_move(&f->m, fake_now, third_id, later, &id), 0);
        quiet_at(f, fake_now);
        quiet_at(f, third);
        k = run_at(f, later - HOUR);
        assert_int_equal(one_of(f, k, EVENT_DATENIGHT_SOON)->at, later);
        k = run_at(f, later);
        assert_int_equal(one_of(f, k, EVENT_DATENIGHT)->at, later);
        assert_int_equal(n_of(f, 0, EVENT_DATENIGHT), 2);
}

static void test_datenight_missed_on_restart(void **state) {
        Fixture *f = *state;
        f->only = DATENIGHT_EVENTS;
        sunday_rule(f);
        time_t start = at(2026, 3, 29, 20, 0);
        quiet_at(f, start - 2 * HOUR);

        /* Down from 18:00 to 19:30: the reminder comes late, and the
         * night at its time. */
        manager_restart(f, start - 30 * 60);
        size_t k = run_at(f, start - 30 * 60);
        const Record *r = one_of(f, k, EVENT_DATENIGHT_SOON);
        assert_true(r->late);
        assert_int_equal(r->at, start);
        assert_int_equal(f->n, k + 1);
        k = run_at(f, start);
        assert_false(one_of(f, k, EVENT_DATENIGHT)->late);

        /* Down from 18:00 to 20:30 the week after: the reminder no longer
         * applies, the night (under way until 23:00) comes late. */
        start += 7 * DAY;
        quiet_at(f, start - 2 * HOUR);
        manager_restart(f, start + 30 * 60);
        k = run_at(f, start + 30 * 60);
        assert_int_equal(n_of(f, k, EVENT_DATENIGHT_SOON), 0);
        r = one_of(f, k, EVENT_DATENIGHT);
        assert_true(r->late);
        assert_int_equal(r->at, start);
        /* Down over the whole of the next one: nothing about it after. */
        manager_restart(f, start + 7 * DAY + 3 * HOUR);
        quiet_at(f, start + 7 * DAY + 3 * HOUR);
}

/* --- rain checks --- */

static void test_promise_soon_due_overdue(void **state) {
        Fixture *f = *state;
        f->only = PROMISE_EVENTS;
        int64_t id, other;
        PromiseStatus cur;
        manager_restart(f, at(2026, 10, 24, 12, 0));

        time_t due = at(2026, 10, 24, 21, 0);
        assert_int_equal(promise_add(&f->m, fake_now, &(RainCheck){ .due = due }, &id), 0);
        quiet_at(f, due - 30 * 60 - 1);
        size_t k = run_at(f, due - 30 * 60);
        const Record *r = one_of(f, k, EVENT_PROMISE_SOON);
        assert_int_equal(r->id, id);
        assert_int_equal(r->at, due);
        assert_false(r->late);
        quiet_at(f, due - 10 * 60);
        k = run_at(f, due);
        r = one_of(f, k, EVENT_PROMISE_DUE);
        assert_int_equal(r->id, id);
        assert_false(r->late);
        assert_int_equal(f->n, k + 1);
        quiet_at(f, at(2026, 10, 24, 23, 59));

        /* Overdue once a day, on the 25-hour day of the change too. */
        k = run_at(f, at(2026, 10, 25, 0, 0));
        assert_int_equal(one_of(f, k, EVENT_PROMISE_OVERDUE)->id, id);
        assert_int_equal(f->n, k + 1);
        quiet_at(f, at(2026, 10, 25, 2, 30));
        quiet_at(f, at(2026, 10, 25, 2, 30) + HOUR); /* 02:30 again, winter time */
        manager_restart(f, at(2026, 10, 25, 23, 0));
        quiet_at(f, at(2026, 10, 25, 23, 0));
        k = run_at(f, at(2026, 10, 26, 9, 0));
        assert_int_equal(one_of(f, k, EVENT_PROMISE_OVERDUE)->id, id);
        assert_int_equal(f->n, k + 1);

        /* Moved to Tuesday 19:00: soon and due again for the new time, and
         * no longer overdue meanwhile. */
        time_t moved = at(2026, 10, 27, 19, 0);
        assert_int_equal(promise_move(&f->m, fake_now, id, moved, false), 0);
        quiet_at(f, at(2026, 10, 26, 10, 0));
        quiet_at(f, at(2026, 10, 27, 9, 0));
        k = run_at(f, moved - 30 * 60);
        r = one_of(f, k, EVENT_PROMISE_SOON);
        assert_int_equal(r->at, moved);
        k = run_at(f, moved);
        r = one_of(f, k, EVENT_PROMISE_DUE);
        assert_int_equal(r->at, moved);

        /* Kept: nothing more about it. Another, kept before its time:
         * nothing at all. */
        fake_now = moved + HOUR;
        assert_int_equal(promise_resolve(&f->m, fake_now, id, PROMISE_KEPT, &cur), 0);
        time_t due2 = at(2026, 10, 28, 20, 0);
        assert_int_equal(promise_add(&f->m, fake_now, &(RainCheck){ .due = due2 }, &other), 0);
        assert_int_equal(promise_resolve(&f->m, fake_now, other, PROMISE_KEPT, &cur), 0);
        quiet_at(f, at(2026, 10, 28, 9, 0));
        quiet_at(f, due2 - 30 * 60);
        quiet_at(f, due2);
        quiet_at(f, at(2026, 10, 29, 9, 0));
}

static void test_promise_missed_on_restart(void **state) {
        Fixture *f = *state;
        f->only = PROMISE_EVENTS;
        int64_t id;
        manager_restart(f, at(2026, 10, 24, 12, 0));
        time_t due = at(2026, 10, 24, 21, 0);
        assert_int_equal(promise_add(&f->m, fake_now, &(RainCheck){ .due = due, .what = "dinner" }, &id), 0);
        quiet_at(f, at(2026, 10, 24, 12, 0));

        /* Down over its time and the day after: due (late) and overdue,
         * once each, on the next start. */
        manager_restart(f, at(2026, 10, 25, 10, 0));
        size_t k = run_at(f, fake_now);
        assert_int_equal(n_of(f, k, EVENT_PROMISE_SOON), 0);
        assert_true(one_of(f, k, EVENT_PROMISE_DUE)->late);
        assert_int_equal(one_of(f, k, EVENT_PROMISE_OVERDUE)->id, id);
        quiet_at(f, at(2026, 10, 25, 11, 0));
}

/* --- the timer --- */

static void test_timer_next_due(void **state) {
        Fixture *f = *state;
        int64_t id;
        sunday_rule(f);
        import_items(f);
        fake_now = at(2026, 3, 28, 9, 0);
        assert_int_equal(promise_add(&f->m, fake_now, &(RainCheck){ .due = at(2026, 3, 28, 15, 0) }, &id), 0);

        /* Saturday: the rain check's reminder, its time, then midnight
         * (a day's end is a moment of its own). */
        run_at(f, at(2026, 3, 28, 9, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 28, 14, 30));
        run_at(f, at(2026, 3, 28, 14, 30));
        assert_int_equal(timer_at(f), at(2026, 3, 28, 15, 0));
        run_at(f, at(2026, 3, 28, 15, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 29, 0, 0));
        assert_int_equal(at(2026, 3, 29, 0, 0), (time_t) 1774738800); /* 23:00 UTC */

        /* Sunday, the change: the act at 08:00 summer time, only 7 hours
         * after midnight, then the night's reminder and the night. */
        run_at(f, at(2026, 3, 29, 0, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 29, 8, 0));
        assert_int_equal(timer_at(f) - at(2026, 3, 29, 0, 0), 7 * HOUR);
        run_at(f, at(2026, 3, 29, 8, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 29, 19, 0));
        run_at(f, at(2026, 3, 29, 19, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 29, 20, 0));
        assert_int_equal(timer_at(f), (time_t) 1774807200); /* 18:00 UTC */
        run_at(f, at(2026, 3, 29, 20, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 30, 0, 0));

        /* A run in between does not move it; a later act moves the
         * morning's wake-up with it. */
        run_at(f, at(2026, 3, 29, 21, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 30, 0, 0));
        set(f, "daily.time", "09:15");
        run_at(f, at(2026, 3, 30, 0, 0));
        assert_int_equal(timer_at(f), at(2026, 3, 30, 9, 15));
}

/* The run queue: any write queues one run, however many writes; what the
 * run writes itself queues none; a clock change queues one without a
 * write; nothing runs before the loop does (the requests first). */
static unsigned queue_runs;

static int counting_run(Manager *m) {
        queue_runs++;
        return settings_set_string(m->store, "me.name", "written by the run");
}

static void loop_until_idle(Fixture *f) {
        for (int i = 0; i < 100 && sd_event_run(f->m.event, 0) > 0; i++)
                ;
}

static void test_run_queue(void **state) {
        Fixture *f = *state;
        queue_runs = 0;
        assert_int_equal(manager_setup_run_queue(&f->m, counting_run), 0);
        assert_false(manager_run_queued(&f->m));
        set(f, "partner.name", "Sam");
        set(f, "partner.name", "Kim");
        assert_true(manager_run_queued(&f->m));
        assert_int_equal(queue_runs, 0);
        loop_until_idle(f);
        assert_int_equal(queue_runs, 1);
        assert_false(manager_run_queued(&f->m));
        loop_until_idle(f);
        assert_int_equal(queue_runs, 1);
        manager_queue_run(&f->m);
        loop_until_idle(f);
        assert_int_equal(queue_runs, 2);
        /* A read writes nothing and queues nothing. */
        int64_t n;
        assert_int_equal(store_item_count(f->m.store, SIDE_PARTNER, &n), 0);
        assert_false(manager_run_queued(&f->m));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_daily_once_a_day_across_dst),
                T(test_daily_late_after_restart_same_day),
                T(test_daily_missed_day_not_the_next),
                T(test_daily_no_items_then_import),
                T(test_daily_time_in_dst_gap),
                T(test_daily_time_in_dst_fold),
                T(test_daily_pause),
                T(test_lapse),
                T(test_phase_ramp_end),
                T(test_phase_creative_and_back),
                T(test_phase_clock_set_back),
                T(test_datenight_rule_across_dst),
                T(test_datenight_moved_and_skipped),
                T(test_datenight_missed_on_restart),
                T(test_promise_soon_due_overdue),
                T(test_promise_missed_on_restart),
                T(test_timer_next_due),
                T(test_run_queue),
        };

        if (setenv("TZ", "Europe/Berlin", 1) < 0)
                return 1;
        tzset();
        /* Quiet unless asked: every run logs that the iCalendar child is
         * missing (datenights.ics is not written in a unit test). */
        log_set_max_level(LOG_CRIT);
        log_setup();
        manager_set_clock(fake_clock);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
