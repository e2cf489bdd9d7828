/* SPDX-License-Identifier: MIT */
#include <sys/timerfd.h>

#include "daily.h"
#include "datenight.h"
#include "dncal.h"
#include "dnvdir.h"
#include "io.h"
#include "log.h"
#include "schedule.h"
#include "timeutil.h"

#define USEC_PER_SEC UINT64_C(1000000)
/* A signal within this many seconds of its time is on time. */
#define LATE_AFTER 60

static const char *const localtime_path = "/etc/localtime";

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        manager_queue_run(userdata);
        return 0;
}

/* The daily act of today, once, and a lapse, once. Returns the next due
 * time of the daily act. */
static int run_daily(Manager *m, time_t now, const Practice *p, time_t *ret_next) {
        time_t due;
        char date[16];
        int r;

        r = daily_due(p, p->today, &due);
        if (r < 0)
                return r;
        (void) format_date(p->today, date);

        if (now >= due && !p->paused) {
                r = store_emitted_has(m->store, "daily", date);
                if (r == 0) {
                        _cleanup_(act_clear) Act a = {};
                        PickEmptyReason why;
                        r = daily_ensure(m, p, &a, &why);
                        if (r == -ENOENT)
                                /* Nothing to pick yet: a later import runs us again. */
                                log_debug("No daily act for %s: %s", date, pick_empty_reason_to_string(why));
                        else if (r >= 0) {
                                bool late = now - due > LATE_AFTER;
                                r = store_emitted_claim(m->store, "daily", date, due, now, late);
                                if (r > 0)
                                        manager_emit(m, &(Event){ .type = EVENT_DAILY_ACT, .late = late,
                                                                  .daily = { date, &a } });
                        }
                }
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "Failed to emit the daily act of %s: %s", date,
                                               store_last_error(m->store));
        }

        if (p->lapse) {
                char since[16];
                (void) format_date(p->lapse_since, since);
                r = store_emitted_claim(m->store, "lapse", since, now, now, false);
                if (r > 0)
                        manager_emit(m, &(Event){ .type = EVENT_LAPSE,
                                                  .lapse = { since, (uint32_t) (p->today - p->lapse_since) } });
                if (r < 0)
                        log_error_errno(r, "Failed to record a lapse: %s", store_last_error(m->store));
        }

        if (now < due)
                *ret_next = due;
        else {
                r = daily_due(p, p->today + 1, ret_next);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* PromiseSoon half an hour before, PromiseDue at the time: once each per
 * due time, so a moved promise is announced again. */
#define PROMISE_SOON (30 * 60)

static void run_promises(Manager *m, time_t now, time_t *next) {
        Promise *p = NULL;
        size_t n = 0;
        int r = store_promise_list(m->store, true, &p, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to read the rain checks: %s", store_last_error(m->store));
                *next = MIN(*next, now + 60);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                char key[64];
                time_t soon = p[i].due - PROMISE_SOON;
                (void) snprintf(key, sizeof(key), "%" PRIi64 ":%" PRIi64, p[i].id, (int64_t) p[i].due);
                if (now >= soon && now < p[i].due) {
                        r = store_emitted_claim(m->store, "promise-soon", key, soon, now, now - soon > LATE_AFTER);
                        if (r > 0)
                                manager_emit(m, &(Event){ .type = EVENT_PROMISE_SOON, .late = now - soon > LATE_AFTER,
                                                          .promise = { &p[i] } });
                } else if (now < soon)
                        *next = MIN(*next, soon);
                if (now >= p[i].due) {
                        bool late = now - p[i].due > LATE_AFTER;
                        r = store_emitted_claim(m->store, "promise-due", key, p[i].due, now, late);
                        if (r > 0)
                                manager_emit(m, &(Event){ .type = EVENT_PROMISE_DUE, .late = late,
                                                          .promise = { &p[i] } });
                        /* Still open a day later: reminded once a day until kept. */
                        if (r >= 0 && local_day_of(now) > local_day_of(p[i].due)) {
                                char day_key[96], date[16];
                                (void) format_date(local_day_of(now), date);
                                (void) snprintf(day_key, sizeof(day_key), "%s:%s", key, date);
                                r = store_emitted_claim(m->store, "promise-overdue", day_key, now, now, false);
                                if (r > 0)
                                        manager_emit(m, &(Event){ .type = EVENT_PROMISE_OVERDUE,
                                                                  .promise = { &p[i] } });
                        }
                } else
                        *next = MIN(*next, p[i].due);
                if (r < 0)
                        log_error_errno(r, "Failed to record a rain check signal: %s", store_last_error(m->store));
        }
        promise_array_free(p, n);
}

/* DateNightSoon at the reminder lead, DateNight at the start: once each per
 * start time; a missed one while it still applies (before the start, before
 * the end). */
static void run_datenights(Manager *m, time_t now, time_t *next) {
        DateNight *d = NULL;
        size_t n = 0;
        int64_t remind;
        int r = datenight_replan(m, now);
        if (r < 0)
                log_error_errno(r, "Failed to plan the date nights: %s", store_last_error(m->store));
        r = datenight_remind(m, &remind);
        if (r >= 0) /* one message for either */
                r = store_dn_list(m->store, now, &d, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to read the date nights: %s", store_last_error(m->store));
                *next = MIN(*next, now + 60);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const DnNight *x = &d[i].night;
                if (x->status != DN_PLANNED)
                        continue;
                char key[320];
                time_t soon = x->start - remind, end = x->start + x->duration;
                (void) snprintf(key, sizeof(key), "%s:%" PRIi64, d[i].uid, (int64_t) x->start);
                r = 0;
                if (now >= soon && now < x->start) {
                        r = store_emitted_claim(m->store, "datenight-soon", key, soon, now, now - soon > LATE_AFTER);
                        if (r > 0)
                                manager_emit(m, &(Event){ .type = EVENT_DATENIGHT_SOON,
                                                          .late = now - soon > LATE_AFTER,
                                                          .datenight = { &d[i], remind } });
                } else if (now < soon)
                        *next = MIN(*next, soon);
                if (r >= 0 && now >= x->start && now < end) {
                        r = store_emitted_claim(m->store, "datenight", key, x->start, now, now - x->start > LATE_AFTER);
                        if (r > 0)
                                manager_emit(m, &(Event){ .type = EVENT_DATENIGHT,
                                                          .late = now - x->start > LATE_AFTER,
                                                          .datenight = { &d[i], remind } });
                } else if (now < x->start)
                        *next = MIN(*next, x->start);
                if (r < 0)
                        log_error_errno(r, "Failed to record a date night signal: %s", store_last_error(m->store));
        }
        datenight_array_free(d, n);

        /* The plan reaches ics.weeks ahead: each new week extends it. */
        int64_t today = local_day_of(now);
        time_t monday;
        if (local_resolve(today - (weekday_of_day(today) - 1) + 7, 0, &monday) >= 0)
                *next = MIN(*next, monday);

        /* The calendar, read once for both of its files; the vdir first:
         * its helper renders only what changed. */
        _cleanup_(datenight_calendar_clear) DnCalendar cal = {};
        r = datenight_calendar_read(m, now, &cal);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the calendar: %s", store_last_error(m->store));
                return;
        }
        r = dnvdir_update(m, &cal);
        if (r < 0)
                log_warning_errno(r, "Failed to write %s/" DNVDIR_NAME "/: %m", m->data_dir);
        r = dncal_file_update(m, &cal);
        if (r < 0)
                log_warning_errno(r, "Failed to write %s/datenights.ics: %m", m->data_dir);
}

int schedule_run(Manager *m) {
        time_t now = manager_now(), next = TIME_T_MAX;
        Practice p;
        int r;

        /* The phase first: the day's pick (and its twist) follows it. */
        daily_phase_refresh(m, now);
        r = practice_load(m, now, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to load the schedule: %s", store_last_error(m->store));
        r = run_daily(m, now, &p, &next);
        if (r < 0)
                /* Try again in a minute rather than never. */
                next = now + 60;
        run_promises(m, now, &next);
        run_datenights(m, now, &next);

        /* A day's end is an event of its own: a lapse begins, a phase
         * changes (a week without acts, the ramp's end), today moves on. */
        time_t midnight;
        if (local_resolve(p.today + 1, 0, &midnight) >= 0)
                next = MIN(next, midnight);

        if (!m->timer) {
                r = sd_event_add_time(m->event, &m->timer, CLOCK_REALTIME, 0, USEC_PER_SEC / 1000, on_timer, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to add the timer: %m");
                (void) sd_event_source_set_description(m->timer, "schedule");
        }
        if (next == TIME_T_MAX)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        else {
                r = sd_event_source_set_time(m->timer, (uint64_t) next * USEC_PER_SEC);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to arm the timer: %m");
        if (log_get_max_level() >= LOG_DEBUG) {
                char iso[32];
                (void) format_iso_local(next, iso);
                log_debug("Next wake-up at %s", iso);
        }
        return 0;
}

/* --- clock jumps --- */

static int clock_watch_arm(int fd) {
        /* Never expires; only cancelled when the wall clock is set. */
        struct itimerspec its = { .it_value.tv_sec = TIME_T_MAX };
        if (timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
                return -errno;
        return 0;
}

static int on_clock_change(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        uint64_t expirations;
        ssize_t k = read(fd, &expirations, sizeof(expirations));
        /* Armed again whatever woke us: a watch that expired instead of
         * being cancelled would otherwise be gone for good. */
        (void) clock_watch_arm(fd);
        if (k < 0 && errno == ECANCELED) {
                log_debug("The wall clock was set: recomputing the schedule");
                m->clock_epoch++;
                manager_queue_run(m);
        }
        return 0;
}

/* --- time zone changes --- */

static void tz_watch_file(Manager *m) {
        if (m->tz_file_wd >= 0)
                (void) inotify_rm_watch(m->tz_fd, m->tz_file_wd);
        m->tz_file_wd = inotify_add_watch(m->tz_fd, localtime_path,
                                          IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
}

typedef struct TzChange {
        int file_wd;
        bool changed;
} TzChange;

static void tz_event(const struct inotify_event *e, void *userdata) {
        TzChange *t = userdata;
        if (e->wd == t->file_wd || (e->len > 0 && streq(e->name, "localtime")))
                t->changed = true;
}

static int on_tz_change(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        TzChange t = { m->tz_file_wd, false };
        inotify_drain(fd, tz_event, &t);
        if (!t.changed)
                return 0;
        log_debug("%s changed: recomputing the schedule", localtime_path);
        tz_watch_file(m);
        tzset();
        m->clock_epoch++;
        manager_queue_run(m);
        return 0;
}

int schedule_start(Manager *m) {
        int r;

        m->clock_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
        if (m->clock_fd < 0)
                return log_error_errno(errno, "Failed to create the clock watch: %m");
        r = clock_watch_arm(m->clock_fd);
        if (r < 0)
                log_warning_errno(r, "Failed to watch for clock changes: %m");
        else {
                r = sd_event_add_io(m->event, &m->clock_watch, m->clock_fd, EPOLLIN, on_clock_change, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch for clock changes: %m");
        }

        m->tz_file_wd = -1;
        m->tz_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m->tz_fd < 0)
                return log_error_errno(errno, "Failed to watch for time zone changes: %m");
        if (inotify_add_watch(m->tz_fd, "/etc", IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE) < 0)
                log_debug_errno(errno, "Cannot watch /etc: %m");
        tz_watch_file(m);
        r = sd_event_add_io(m->event, &m->tz_watch, m->tz_fd, EPOLLIN, on_tz_change, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for time zone changes: %m");

        r = manager_setup_run_queue(m, schedule_run);
        if (r < 0)
                return r;
        /* The first run at once: what was missed while closerd was not
         * running goes out before the first request is answered. */
        manager_run(m);
        return 0;
}

void schedule_stop(Manager *m) {
        m->timer = sd_event_source_disable_unref(m->timer);
        m->clock_watch = sd_event_source_disable_unref(m->clock_watch);
        m->tz_watch = sd_event_source_disable_unref(m->tz_watch);
        if (m->clock_fd >= 0)
                close(m->clock_fd);
        if (m->tz_fd >= 0)
                close(m->tz_fd);
        m->clock_fd = m->tz_fd = -1;
}
