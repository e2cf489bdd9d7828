/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * manager.h: the daemon's one context: the event loop, the bus, the store.
 * The bus layer (bus-*.c) reads and validates, the core (mylist.c, daily.c,
 * datenight.c, promise.c, partner.c, ...) decides and calls the store, the
 * store persists.
 *
 * What the core has to announce (a daily act is due, a rain check is due,
 * the phase changed) is an Event, handed to manager_emit(); the sinks that
 * closerd.c registers turn it into D-Bus signals (bus-signals.c) and desktop
 * notifications (notify.c). The core never calls either.
 *
 * Re-planning runs from one place, the run queue: an idle-priority defer
 * source that is enabled whenever the store's write generation moves (the
 * store tells us: store_set_changed()), or a clock or time zone change, or
 * an input source, calls manager_queue_run(); it then runs the schedule
 * once, after the requests of that loop iteration were answered, the way
 * systemd's manager_dispatch_run_queue() does. No request handler calls the
 * scheduler.
 */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <sys/stat.h>
#include <time.h>

#include "pick.h"
#include "store.h"

struct Manager;
struct Practice;
struct Today;
struct IcalJob;
struct Share;
struct DnVdir;
struct Follow;

#define CLOSER_BUS_NAME "io.github.closer.Closer1"
#define CLOSER_OBJECT_PATH "/io/github/closer/Closer1"
#define CLOSER_INTERFACE "io.github.closer.Closer1"

/* A notification we sent (notify.c), to route its actions. */
typedef struct NoteRef {
        uint32_t id;
        int kind;
        int64_t ref;     /* the act or the promise it is about */
        char sender[64]; /* the server's unique name: IDs are per server */
} NoteRef;

/* What the core announces. Each has the fields of its own member below. */
typedef enum EventType {
        EVENT_DAILY_ACT,       /* daily: today's act is due */
        EVENT_LAPSE,           /* lapse: days without an act */
        EVENT_PHASE_CHANGED,   /* phase */
        EVENT_PROMISE_SOON,    /* promise: half an hour before it is due */
        EVENT_PROMISE_DUE,     /* promise: at its time */
        EVENT_PROMISE_OVERDUE, /* promise: still open a day later, once a day */
        EVENT_DATENIGHT_SOON,  /* datenight: at the reminder lead */
        EVENT_DATENIGHT,       /* datenight: at the start */
        EVENT_PARTNER_CHANGED, /* partner: my partner's folder changed what I have (share.h) */
        EVENT_OVERRULED,       /* partner: their plan change won over one of mine made meanwhile */
        _EVENT_TYPE_MAX,
} EventType;

typedef struct Event {
        EventType type;
        bool late; /* emitted later than its time (a missed one, on start or resume) */
        union {
                struct {
                        const char *date; /* YYYY-MM-DD */
                        const Act *act;
                } daily;
                struct {
                        const char *since; /* YYYY-MM-DD, the day of the last act */
                        uint32_t days;     /* days since then, today included */
                } lapse;
                struct {
                        Phase old, new;
                } phase;
                struct {
                        const Promise *promise;
                } promise;
                struct {
                        const DateNight *night;
                        int64_t remind; /* the reminder lead, seconds */
                } datenight;
                struct {
                        const char *what;     /* list, reviews, promises, plan, acts, advances */
                        const char *summary;  /* "Sam updated their list: 3 new" */
                        const char *discreet; /* the same without private text (NULL: summary is) */
                } partner;
        };
} Event;

typedef void (*EventSink)(struct Manager *m, const Event *e, void *userdata);

#define MANAGER_SINKS_MAX 4

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        Store *store;
        char *data_dir;
        const char *version; /* the Version property */

        /* manager.c: where events go, and the run queue */
        struct {
                EventSink fn;
                void *userdata;
        } sinks[MANAGER_SINKS_MAX];
        size_t n_sinks;
        sd_event_source *run_queue;  /* idle-priority defer: runs the schedule */
        bool running;                /* in the run: its own writes queue none */
        int (*steps[2])(struct Manager *m); /* run first, in order (manager_add_run_step) */
        size_t n_steps;
        int (*run)(struct Manager *m);

        /* schedule.c */
        sd_event_source *timer;       /* the next due moment, CLOCK_REALTIME */
        sd_event_source *clock_watch; /* TFD_TIMER_CANCEL_ON_SET */
        sd_event_source *tz_watch;    /* inotify on /etc/localtime */
        int clock_fd, tz_fd, tz_file_wd;

        /* daily.c: today's act as picked anew after my review made the old
         * one ineligible, until GetToday or Reroll show it: Done refuses
         * it meanwhile, since I may think I am done with the old one. */
        int64_t act_unseen, act_unseen_was_item;

        /* daily.c: the day's practice, good while the store's write
         * generation and the day stay the same */
        struct Practice *practice;
        uint64_t practice_generation;
        /* schedule.c: the phase was brought up to date at this generation
         * on this day */
        uint64_t phase_generation;
        int64_t phase_day;
        /* today.c: GetToday's data, good while the generation and the clock
         * epoch (raised on a clock or time-zone change) stay the same and
         * now is in [today_from, today_until) */
        struct Today *today;
        uint64_t today_generation;
        unsigned clock_epoch, today_epoch;
        time_t today_from, today_until;

        /* stats.c: the longest streak of all time (a lifetime scan), good
         * while the store's write generation stays the same (kept as
         * generation + 1: 0 is never) */
        int64_t streak_longest_all;
        uint64_t streak_generation;

        /* datenight.c: the calendar's last text, and datenights.ics as it
         * was last written or found equal to it */
        char *ics_text;
        uint64_t ics_text_fingerprint, ics_file_fingerprint;
        bool ics_file_known;
        struct stat ics_file_stat;
        /* dncal.c: datenights.ics is being rendered; and changed meanwhile */
        bool ics_file_busy, ics_file_again;

        /* dnvdir.c: the calendar's vdir */
        struct DnVdir *vdir;

        /* datenight-share.c: applying my partner's plan: no entry of mine */
        bool plan_applying;

        /* icaljob.c: the iCalendar helpers running, and SIGCHLD for their exits */
        struct IcalJob *ical_jobs;
        sd_event_source *ical_sigchld;

        /* share.c: sharing with my partner through a synced folder, when on */
        struct Share *share;
        /* follow.c: my partner's list followed in a folder of tasks, when on */
        struct Follow *follow;

        /* notify.c */
        sd_bus_slot *notify_action_slot, *notify_closed_slot;
        NoteRef notes[32];
        size_t notes_next;
        bool notify_missing_logged;
} Manager;

/* "now" for the core: one place, so tests under faketime see one clock. */
time_t manager_now(void);
/* For the unit tests: a clock of their own (NULL: the system's again). */
void manager_set_clock(time_t (*now)(void));

/* Frees what the Manager owns (the store, the bus, the loop) and what the
 * modules left in it; m itself is the caller's. */
void manager_clear(Manager *m);

/* Adds a sink: each event goes to every sink, in the order added. */
int manager_add_sink(Manager *m, EventSink fn, void *userdata);
void manager_emit(Manager *m, const Event *e);
const char *event_type_to_string(EventType t);

/* A non-blocking inotify descriptor and its source on m's loop (EPOLLIN,
 * handler(userdata m)), described for sd-event's debugging; on failure
 * neither is left open. */
int manager_add_inotify(Manager *m, sd_event_io_handler_t handler, const char *description, int *ret_fd,
                        sd_event_source **ret_source);

/* The run queue: run(m) is called once per loop iteration in which the
 * store's write generation moved, at idle priority, after the requests of
 * that iteration were answered. */
int manager_setup_run_queue(Manager *m, int (*run)(Manager *m));
/* A step of every run, before run() (the schedule): sharing reads my
 * partner's changes there, so that the schedule sees them in the same run.
 * -ENOBUFS when there are too many. */
int manager_add_run_step(Manager *m, int (*step)(Manager *m));
/* Asks for one run, whether or not anything was written (a clock or time
 * zone change, a new input source). */
void manager_queue_run(Manager *m);
bool manager_run_queued(Manager *m);
/* Runs it now (the first run at start-up, before any request). */
void manager_run(Manager *m);
/* Logs "Settled" (debug) when no run is queued and no job is running: what
 * the last change led to is done. */
void manager_check_settled(Manager *m);
