/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * manager.h: the daemon's one context: the event loop, the bus, the store.
 * The bus layer (bus.c) reads and validates, the core (core.c) decides and
 * calls the store, the store persists.
 */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"

struct Practice;
struct Today;
struct IcalJob;

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

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *vtable_slot;
        Store *store;
        char *data_dir;
        const char *version; /* the Version property */

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

        /* icaljob.c: the iCalendar helpers running, and SIGCHLD for their exits */
        struct IcalJob *ical_jobs;
        sd_event_source *ical_sigchld;

        /* notify.c */
        sd_bus_slot *notify_action_slot, *notify_closed_slot;
        NoteRef notes[32];
        size_t notes_next;
        bool notify_missing_logged;
} Manager;

/* "now" for the core: one place, so tests under faketime see one clock. */
time_t manager_now(void);
