/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * stats.h: what a person would rather look at than read (issue 7): the
 * figures of the last N weeks, in whole weeks Monday to Sunday, the current
 * week last. Every query is bounded by the period (and served by an index),
 * so a lifetime of data costs what the period costs; only the current streak
 * walks back as far as it reaches, and the longest streak of all time reads
 * the whole history once per write generation (cached in the Manager).
 */

#include "manager.h"
#include "store.h"

#define STATS_WEEKS_DEFAULT 12
#define STATS_WEEKS_MAX 520

typedef struct StatsWeek {
        int64_t monday;
        int acts;
        int response_sum, responses;
        int mood_sum, moods;
} StatsWeek;

/* A calendar month of the period: the heat map's columns past 32 weeks. */
typedef struct StatsMonth {
        int64_t first;            /* its first day in the period */
        int days, active_days;    /* days in the period, days with something done */
        int acts;
        int response_sum, responses;
        int mood_sum, moods;      /* of the days' last moods */
} StatsMonth;

typedef struct Stats {
        int64_t from_day, to_day; /* the period: Monday of the first week .. today */
        int weeks;
        StatsDay *days;           /* from_day .. to_day */
        size_t n_days;
        StatsWeek *week;          /* weeks entries */
        StatsActs acts;
        int64_t streak_current, streak_longest; /* longest: within the period */
        int64_t streak_longest_all;             /* all time: a lifetime scan, read once per write generation */
        StatsMonth *month;        /* the calendar months the period touches, the first one in part */
        size_t n_months;
        StatsItem *items;         /* at least 3 responses, best first */
        size_t n_items;
        StatsItem *categories;
        size_t n_categories;
        int64_t datenights[3][4]; /* [mode][status] of the nights that started in the period */
        PromiseCounters promises;
} Stats;

int stats_collect(Manager *m, time_t now, int weeks, Stats *ret);
void stats_clear(Stats *s);
