/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * replies.h: closerd's replies as closerctl reads them for people: one
 * struct and one table (bus-client.h, BusField) per reply or per entry of a
 * list, as SPEC 6 names the fields. --json prints the reply itself; these
 * are for the human presentation. Strings and objects are borrowed from the
 * reply's JSON, after discretion (hide_private()) made it safe to show.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus-client.h"

/* GetStatus */
typedef struct StatusInfo {
        const char *phase, *phase_progress, *start, *ramp_widens, *next_daily_act, *next_date_night;
        const char *followed, *followed_read;
        int64_t ramp_intensity, streak_days, my_items, partner_items, rerolls_today;
        bool has_streak_days, has_next_date_night;
        json_object *warnings; /* as */
} StatusInfo;
extern const BusField status_map[];

/* An item: ListItems entries, GetItem (with done, response, last_done). */
typedef struct ItemInfo {
        int64_t id, intensity, done;
        const char *list, *title, *details, *category, *review, *note, *last_done;
        bool private;
        double response;
} ItemInfo;
extern const BusField item_map[];

/* ListIdeas entries */
typedef struct IdeaInfo {
        int64_t number, intensity;
        const char *category, *title;
} IdeaInfo;
extern const BusField idea_map[];

/* ImportPartnerListWithOptions */
typedef struct ImportSummary {
        int64_t forgotten, added, updated, removed, unchanged, older, skipped;
        json_object *review_again; /* a(tssb): id, title, my previous review, private */
} ImportSummary;
extern const BusField import_summary_map[];

/* ReviewItem */
typedef struct ReviewResult {
        bool replaced;
        json_object *act; /* a{sv}, act_map */
} ReviewResult;
extern const BusField review_result_map[];

/* An act: GetToday's act, Reroll, ReviewItem's new act. */
typedef struct ActInfo {
        int64_t id, item, intensity, response;
        const char *title, *category, *note, *twist;
        bool private, done;
} ActInfo;
extern const BusField act_map[];

/* GetToday */
typedef struct TodayInfo {
        const char *date, *no_act, *paused_until;
        json_object *act;        /* a{sv}, act_map */
        json_object *date_night; /* a{sv}, datenight_map */
        json_object *promises;   /* aa{sv}, promise_map */
        json_object *done_for_me; /* aa{sv}: my items my partner did for me today */
} TodayInfo;
extern const BusField today_map[];

/* Done */
typedef struct DoneResult {
        bool again;
        int64_t response, previous_response;
} DoneResult;
extern const BusField done_result_map[];

/* A rain check: ListPromises entries, GetToday's promises. */
typedef struct PromiseInfo {
        int64_t id;
        const char *due, *status, *owed_by, *what, *where;
        bool overdue;
} PromiseInfo;
extern const BusField promise_map[];

/* ResolveWhen */
typedef struct WhenInfo {
        const char *time, *gap;
        int64_t instant;
        bool has_instant, next_week;
} WhenInfo;
extern const BusField when_map[];

/* A date night: ListDateNights entries, GetToday's date_night. */
typedef struct DateNightInfo {
        int64_t id, makeup_for;
        const char *start, *end, *mode, *status;
        bool moved;
} DateNightInfo;
extern const BusField datenight_map[];

/* GetDateNightRule */
typedef struct DateNightRule {
        bool vary;
        const char *weekday, *weekdays, *time, *duration;
} DateNightRule;
extern const BusField datenight_rule_map[];

/* An away period: ListAway entries, CancelAway. */
typedef struct AwayInfo {
        int64_t id, nights, makeups;
        const char *from, *to;
} AwayInfo;
extern const BusField away_map[];

/* GetHistory entries: the fields of every kind (SPEC 6). */
typedef struct HistoryEntry {
        const char *kind, *date, *time, *title, *outcome, *note, *mode, *status, *end, *by, *event, *from, *to,
                *due, *what, *where, *until;
        int64_t item, response, mood, makeup_for, promise, id;
        bool last, moved, accepted;
} HistoryEntry;
extern const BusField history_entry_map[];

/* GetStats */
typedef struct StatsInfo {
        int64_t weeks, streak_current, streak_longest, streak_longest_all, acts_done, daily_done, extras, rerolled,
                days_with_acts;
        const char *from, *to;
        json_object *days, *weekly, *monthly;              /* aa{sv}: stats_day_map, ..._week_, ..._month_ */
        json_object *top_items, *flat_items, *categories; /* aa{sv}: stats_item_map */
        json_object *date_nights;                         /* a{sv}: stats_datenights_map */
        json_object *promises, *promises_owed_to_me;      /* a{sv}: stats_promises_map */
        json_object *initiations;                         /* a{sv}: stats_initiations_map */
} StatsInfo;
extern const BusField stats_map[];

typedef struct StatsDay {
        const char *date;
        int64_t acts;
} StatsDay;
extern const BusField stats_day_map[];

typedef struct StatsWeek {
        double mood, response;
} StatsWeek;
extern const BusField stats_week_map[];

typedef struct StatsMonth {
        const char *month;
        int64_t days, active_days;
        double mood, response;
} StatsMonth;
extern const BusField stats_month_map[];

/* top_items, flat_items and categories entries. */
typedef struct StatsItem {
        const char *title, *category;
        int64_t acts;
        double response;
} StatsItem;
extern const BusField stats_item_map[];

typedef struct StatsDateNights {
        int64_t happened, remote, makeup, missed, skipped, unlogged;
} StatsDateNights;
extern const BusField stats_datenights_map[];

typedef struct StatsPromises {
        int64_t kept, kept_on_time, broken, moved_by_me, moved_by_partner, open;
} StatsPromises;
extern const BusField stats_promises_map[];

typedef struct StatsInitiations {
        int64_t by_me, by_me_accepted, by_partner, by_partner_accepted;
} StatsInitiations;
extern const BusField stats_initiations_map[];
