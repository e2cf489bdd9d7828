/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * store.h: everything closerd keeps, in one SQLite database
 * ($XDG_DATA_HOME/closer/closer.db, SPEC 7). SQL lives in the store's files
 * (store.c, store-*.c; their shared part is store-private.h) and only there;
 * every value is a bound parameter. Functions return 0 or a negative errno
 * (-ENOENT no such row, -ENOSPC disk full, -EROFS read-only, -EBADMSG
 * corrupt, -EBUSY locked, -EEXIST constraint, -EIO anything else) and never
 * log: store_last_error() has SQLite's words for the caller to log once.
 *
 * The schema is versioned with PRAGMA user_version and migrated forward one
 * step at a time; a database from a newer closerd is refused, never touched.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "item.h"
#include "pick.h"
#include "plan.h"
#include "shareplan.h"

typedef struct Store Store;

typedef enum Side {
        SIDE_MINE = 0,
        SIDE_PARTNER = 1,
} Side;

int store_schema_version(void); /* the version this build migrates to */

/* Opens (creating when missing) dir/closer.db; dir is created 0700, the file
 * 0600. On failure *ret_error (if given) gets an allocated one-line reason. */
int store_open(const char *dir, Store **ret, char **ret_error);
Store *store_free(Store *s);
const char *store_last_error(Store *s);
const char *store_path(Store *s);

/* A number that changes with every write (and rollback): a cache of what
 * was read is good while it stays the same. */
uint64_t store_generation(Store *s);
/* After a large piece of work (a partner's list taken from the shared
 * folder): the page cache's unused pages and the heap's free top go back
 * to the system. */
void store_release_memory(Store *s);
/* Calls changed(userdata) whenever the generation moves (the run queue,
 * manager.h); NULL: nobody. */
void store_set_changed(Store *s, void (*changed)(void *userdata), void *userdata);

/* Transactions: BEGIN IMMEDIATE, so read-modify-write never races. */
int store_begin(Store *s);
int store_commit(Store *s);
void store_rollback(Store *s);
/* Evaluates expr (an int, negative on failure) inside BEGIN IMMEDIATE ...
 * COMMIT, rolling back on failure; yields its value or the error. */
#define STORE_TRANSACTION(store, expr)                \
        ({                                            \
                int _r = store_begin(store);          \
                if (_r >= 0)                          \
                        _r = (expr);                  \
                if (_r >= 0) {                        \
                        int _c = store_commit(store); \
                        if (_c < 0)                   \
                                _r = _c;              \
                }                                     \
                if (_r < 0)                           \
                        store_rollback(store);        \
                _r;                                   \
        })

/* Items (store-items.c). Strings in *item are copied; item->id is set on insert. */
int store_item_insert(Store *s, Side side, Item *item, time_t now);
int store_item_update(Store *s, const Item *item);
int store_item_get(Store *s, int64_t id, Side *ret_side, Item *ret);
int store_item_get_by_uid(Store *s, Side side, const char *uid, Item *ret);
/* Active items (not removed) unless with_removed; ordered by id. */
int store_item_list(Store *s, Side side, bool with_removed, Item **ret, size_t *ret_n);
int store_item_count(Store *s, Side side, int64_t *ret);
/* My list as the exchange file shows it: active items, and the tombstones
 * of removed ones my partner has seen (removed after an export). */
int store_item_list_exportable(Store *s, Item **ret, size_t *ret_n);
/* After a successful export: my partner has seen every active item of mine. */
int store_items_mark_exported(Store *s);
/* Removes every item of the partner list (tombstones: their acts keep
 * their titles); *ret_n: how many were active. */
int store_partner_forget(Store *s, int64_t *ret_n);

/* Settings: text values under a key; -ENOENT when unset. Their typed reads
 * and writes, with checked parsing, are settings.h. */
int store_setting_get(Store *s, const char *key, char **ret);
int store_setting_set(Store *s, const char *key, const char *value);
int store_setting_unset(Store *s, const char *key);

/* --- the daily practice (store-practice.c) --- */

typedef enum ActKind { ACT_DAILY = 0, ACT_EXTRA = 1 } ActKind;
typedef enum ActStatus { ACT_OPEN = 0, ACT_DONE = 1, ACT_SKIPPED = 2 } ActStatus;

typedef struct Act {
        int64_t id;
        int64_t day;          /* local day number */
        ActKind kind;
        int64_t item_id;      /* 0 for an extra without an item */
        ActStatus status;
        int response;         /* 1-5, 0 when not observed */
        char *note;
        char *twist;          /* a change of time or place, or NULL */
        int64_t twist_item;   /* an item to combine with, or 0 */
        bool twist_private;   /* that item's private flag and category */
        Category twist_category;
        int64_t done_at;      /* epoch seconds, 0 when not done */
        /* from the item, when there is one */
        char *title;          /* or the extra's own text */
        Category category;    /* _CATEGORY_INVALID without an item */
        int intensity;
        bool private_;
} Act;

void act_clear(Act *a);

/* Today's daily act that is not skipped (open or done); -ENOENT when none. */
int store_act_current(Store *s, int64_t day, Act *ret);
/* The items of the daily acts skipped (rerolled) on a day. */
int store_act_skipped_items(Store *s, int64_t day, int64_t **ret, size_t *ret_n);
/* How many times the day's act was rerolled. */
int store_act_rerolls(Store *s, int64_t day, int64_t *ret);
/* Drops the open daily acts (never done, never skipped) of partner items
 * that are removed, so the day's act is picked again from what is left. */
int store_acts_drop_open_of_removed(Store *s);
/* Drops one act that is still open (never done, never skipped); -ENOENT when
 * there is no such open act. */
int store_act_drop_open(Store *s, int64_t act_id);
int store_act_insert(Store *s, Act *a, time_t now);
/* Updates status, response, note and done_at. */
int store_act_update(Store *s, const Act *a);
/* The partner's active items with their history, for the pick. */
int store_pick_candidates(Store *s, PickCandidate **ret, size_t *ret_n);
int store_last_done_day(Store *s, int64_t *ret); /* INT64_MIN when never */
int store_acts_done_between(Store *s, int64_t from_day, int64_t to_day, int64_t *ret);
/* Up to max distinct days with something done, on or before a day, newest first. */
int store_done_days_desc(Store *s, int64_t before_day, size_t max, int64_t *days, size_t *ret_n);
int store_mood_insert(Store *s, int64_t day, int mood, const char *note, time_t now);

typedef struct Pause {
        int64_t id;
        int64_t from_day, until_day; /* both included */
} Pause;
int store_pauses(Store *s, Pause **ret, size_t *ret_n);
int store_pause_set(Store *s, const Pause *p); /* insert when id is 0 */
int store_pause_delete(Store *s, int64_t id);

/* Claims a due event for emission: 1 when this call claimed it, 0 when it
 * was claimed before (it must not be emitted again). */
int store_emitted_claim(Store *s, const char *kind, const char *key, time_t due, time_t now, bool late);
int store_emitted_has(Store *s, const char *kind, const char *key);

/* --- rain checks and initiations (store-promise.c) --- */

typedef enum PromiseStatus {
        PROMISE_OPEN = 0,
        PROMISE_KEPT = 1,
        PROMISE_BROKEN = 2,
        PROMISE_MOVED = 3, /* rescheduled and still to be kept */
        PROMISE_CANCELLED = 4, /* made by mistake: neither kept nor broken */
} PromiseStatus;

typedef struct Promise {
        int64_t id;
        char *uid;
        time_t due;
        char *what, *where; /* NULL when not given */
        PromiseStatus status;
        int64_t advance_id;  /* 0 for a rain check on its own */
        time_t created, resolved, modified;
        int64_t sequence;
        bool owed_by_partner; /* owed to me: my partner declined my advance */
        bool shared;          /* read from my partner's folder: theirs to change */
        int64_t shared_seq;   /* when shared: the SEQUENCE of their version last taken */
} Promise;

void promise_clear(Promise *p);
void promise_array_free(Promise *p, size_t n);

int store_advance_insert(Store *s, int64_t day, time_t at, bool by_partner, bool accepted, const char *note,
                         int64_t *ret_id);
int store_promise_insert(Store *s, Promise *p);
/* Updates due, status, resolved, sequence, modified. */
int store_promise_update(Store *s, const Promise *p);
int store_promise_get(Store *s, int64_t id, Promise *ret);
/* By due time; active_only: open and moved. */
int store_promise_list(Store *s, bool active_only, Promise **ret, size_t *ret_n);
/* The calendar's: the active ones, and those resolved that end after since. */
int store_promise_list_calendar(Store *s, time_t since, Promise **ret, size_t *ret_n);
int store_promise_move_insert(Store *s, int64_t promise_id, time_t from, time_t to, bool by_partner, time_t at);
/* A resolution or its undo (status PROMISE_OPEN: reopened), kept as history. */
int store_promise_event_insert(Store *s, int64_t promise_id, PromiseStatus status, time_t at);

/* The promises of one side by their current status: a reopened one counts
 * as open, a cancelled one nowhere. */
typedef struct PromiseSide {
        int64_t kept, broken, open;
        int64_t moved_by_me, moved_by_partner;
        int64_t kept_on_time; /* kept and never moved by me */
} PromiseSide;

typedef struct PromiseCounters {
        PromiseSide mine, owed_to_me;
        int64_t advances_by_me, advances_by_me_accepted;
        int64_t advances_by_partner, advances_by_partner_accepted;
} PromiseCounters;
/* Counts promises created, and advances made, at or after since (epoch). */
int store_promise_counters(Store *s, int64_t since, PromiseCounters *ret);

/* --- date nights and time apart (store-datenight.c) --- */

typedef struct DateNight {
        DnNight night;
        char *uid;        /* stable for the calendar; a make-up has its own */
        int64_t sequence; /* raised on each change */
        time_t modified;
} DateNight;

void datenight_array_free(DateNight *d, size_t n);
int store_dn_insert(Store *s, DateNight *d, time_t now); /* sets d->night.id */
int store_dn_update(Store *s, const DateNight *d);
int store_dn_get(Store *s, int64_t id, DateNight *ret);
/* The nights that end after since, by start. */
int store_dn_list(Store *s, time_t since, DateNight **ret, size_t *ret_n);
/* The UID of every night and rain check there is (any time, any status). */
int store_calendar_uids(Store *s, char ***ret, size_t *ret_n);
/* A change every planned future night shows (its alarm): SEQUENCE + 1. */
int store_dn_touch_planned(Store *s, time_t now);
/* The latest regular night (makeup: make-up) of that week; -ENOENT none. */
int store_dn_by_week(Store *s, int64_t week, bool makeup, DateNight *ret);
/* Gives a night another UID (its SEQUENCE rises); nothing when it has it. */
int store_dn_set_uid(Store *s, int64_t id, const char *uid, time_t now);
int store_away_insert(Store *s, const DnAway *a, time_t now, int64_t *ret_id);
/* Away periods that end on or after since_day and are not cancelled. */
int store_away_list(Store *s, int64_t since_day, DnAway **ret, size_t *ret_n);
typedef struct AwayPeriod {
        int64_t id;
        DnAway away;
} AwayPeriod;
/* Every away period not cancelled, by from_day. */
int store_away_periods(Store *s, AwayPeriod **ret, size_t *ret_n);
/* -ENOENT: no such period, or cancelled. */
int store_away_get(Store *s, int64_t id, AwayPeriod *ret);
/* Marks it cancelled at now (the row stays); -ENOENT as above. */
int store_away_cancel(Store *s, int64_t id, time_t now);
/* Of the nights that start in [from, to): the remote ones, and the planned
 * make-ups they are owed. */
int store_away_counts(Store *s, time_t from, time_t to, int64_t *ret_nights, int64_t *ret_makeups);
/* An outcome given by hand (skip, unskip, log): from one status to another. */
int store_dn_event_insert(Store *s, int64_t night_id, DnStatus from, DnStatus to, time_t at);
/* Deletes a night beyond the horizon and its make-ups, unless any of them
 * has an event (was decided by hand): the number of rows deleted. */
int store_dn_trim(Store *s, int64_t id);

/* --- stats (store-stats.c) --- */

typedef struct StatsDay {
        int64_t day;
        int acts;                      /* done */
        int response_sum, responses;   /* of the acts done that day */
        int mood_sum, moods;
} StatsDay;
/* days[] has to_day - from_day + 1 entries. */
int store_stats_days(Store *s, int64_t from_day, int64_t to_day, StatsDay *days);

typedef struct StatsItem {
        int64_t item_id;
        char *title;
        Category category;
        int64_t acts;
        double response; /* average of the observed responses */
        int64_t responses;
        bool private_;
} StatsItem;
/* Per item with at least 3 acts done (and a response observed), best
 * first by the average response; or per category. */
int store_stats_items(Store *s, int64_t from_day, int64_t to_day, bool by_category, StatsItem **ret, size_t *ret_n);
void stats_items_free(StatsItem *it, size_t n);

typedef struct StatsActs {
        int64_t daily_done, rerolled, extras, days_with_acts;
} StatsActs;
int store_stats_acts(Store *s, int64_t from_day, int64_t to_day, StatsActs *ret);
/* Date nights starting in [from, to) by [mode][status]. */
int store_stats_datenights(Store *s, time_t from, time_t to, int64_t counts[3][4]);
int store_last_twist_day(Store *s, int64_t *ret); /* INT64_MIN when none */
/* The longest run of consecutive days with something done, all time. */
int store_longest_streak(Store *s, int64_t *ret);

/* How an item was used: acts done, the average of their responses, the
 * last day one was done (INT64_MIN when never). */
typedef struct ItemUsage {
        int64_t done;
        double response;
        int64_t responses;
        int64_t last_day;
} ItemUsage;
int store_item_usage(Store *s, int64_t item_id, ItemUsage *ret);

/* --- history: what was recorded, as it stands in the tables (store-history.c) --- */

typedef enum HistoryKind {
        HISTORY_ACT = 0,       /* a daily act: status an ActStatus, value its response */
        HISTORY_EXTRA = 1,     /* an extra: the same */
        HISTORY_MOOD = 2,      /* value the mood, status 1 when the day's last */
        HISTORY_DATENIGHT = 3, /* at its start; status a DnStatus, value its DnMode, t1 duration, flag moved,
                                * ref the night it makes up for */
        HISTORY_ADVANCE = 4,   /* flag by my partner, flag2 accepted, ref its rain check */
        HISTORY_PROMISE_MADE = 5,     /* t1 the due as made (before any move), ref its advance */
        HISTORY_PROMISE_MOVED = 6,    /* t1 from, t2 to, flag by my partner */
        HISTORY_PROMISE_RESOLVED = 7, /* kept, broken, cancelled, or reopened (PROMISE_OPEN): every
                                       * resolution and its undo, from promise_events; t1 due */
        HISTORY_PAUSE = 8,            /* day from, t1 until */
        HISTORY_DATENIGHT_CHANGE = 9, /* an unskip, or an outcome changed: a change from what a
                                       * person gave before (the first skip or outcome is the
                                       * night's HISTORY_DATENIGHT entry); id the night, status the
                                       * DnStatus after, value the one before */
        _HISTORY_KIND_MAX,
} HistoryKind;

typedef struct HistoryRow {
        HistoryKind kind;
        int64_t day;      /* local day; INT64_MIN for a record kept by its time: the caller fills it in */
        int64_t at;       /* epoch seconds of the event, 0 when none */
        int64_t sort_at;  /* the order within a day */
        int64_t id, item_id, ref;
        char *title, *note, *what, *where;
        Category category; /* _CATEGORY_INVALID without an item */
        bool private_;
        int status, value;
        int64_t t1, t2;
        bool flag, flag2;
} HistoryRow;

void history_row_clear(HistoryRow *h);
void history_rows_free(HistoryRow *h, size_t n);
/* The records of the days [from_day, to_day], whose local midnights are
 * [from, to): at most max_per_kind of each kind, the earliest, unsorted.
 * item_id > 0: only the acts and extras of that item. */
int store_history(Store *s, int64_t from_day, int64_t to_day, time_t from, time_t to, int64_t item_id,
                  size_t max_per_kind, HistoryRow **ret, size_t *ret_n);

/* --- sharing (store-share.c, issue 17) --- */

/* The date-night plan's entries (shareplan.h): one per key and member. */
int store_plan_entry_put(Store *s, const PlanEntry *e);
int store_plan_entry_get(Store *s, const char *key, const char *member, PlanEntry *ret);
/* member NULL: all, by key then member. */
int store_plan_entries(Store *s, const char *member, PlanEntry **ret, size_t *ret_n);
/* The highest lc of member's entries (others: of everyone else's), 0 when none. */
int store_plan_max_lc(Store *s, const char *member, bool others, uint64_t *ret);

/* My reviews of my partner's active items, light: uid, review, note and
 * sequence only (free with item_array_free). */
int store_partner_reviews(Store *s, Item **ret, size_t *ret_n);
/* My partner's review of my item of that UID: 1 when it changed, 0 when
 * it had it already or I have no such item. */
int store_review_of_mine_set(Store *s, const char *uid, Review review, const char *note, int64_t sequence);

/* The acts my partner did from my list, as their folder says. */
int store_partner_acts_clear(Store *s);
int store_partner_act_insert(Store *s, int64_t day, const char *uid);
/* Those of day, with my item of that UID (removed ones too): free with
 * item_array_free(). */
int store_partner_acts_on(Store *s, int64_t day, Item **ret, size_t *ret_n);

/* An act done from my partner's list: its day and the item's UID. */
typedef struct DoneAct {
        int64_t day;
        char *uid;
} DoneAct;
void done_acts_free(DoneAct *a, size_t n);
/* The acts done from my partner's list on days >= since_day, by day. */
int store_done_acts_of_partner(Store *s, int64_t since_day, DoneAct **ret, size_t *ret_n);

/* Advances: mine (recorded here), and those read from my partner's folder
 * (partner_id, theirs). */
typedef struct AdvanceRow {
        int64_t id;
        time_t at;
        bool by_partner;
        bool accepted;
} AdvanceRow;
int store_advances_mine(Store *s, AdvanceRow **ret, size_t *ret_n);
int store_advances_shared_clear(Store *s);
int store_advances_shared_count(Store *s, int64_t *ret);
/* Inserts theirs unless I recorded the same (same initiator, same
 * outcome, within window seconds): 1 inserted, 0 a duplicate. */
int store_advance_shared_insert(Store *s, int64_t partner_id, time_t at, int64_t day, bool by_partner,
                                bool accepted, time_t window);

/* A rain check from my partner's folder, by UID. */
int store_promise_get_by_uid(Store *s, const char *uid, Promise *ret);
/* A rain check I recorded as owed to me becomes the one my partner's
 * folder has: their UID, theirs to change. */
int store_promise_adopt(Store *s, int64_t id, const char *uid);
/* Updates what, where, due, status, resolved, sequence, modified, shared. */
int store_promise_replace(Store *s, const Promise *p);
