/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- stats --- */

int store_stats_days(Store *s, int64_t from_day, int64_t to_day, StatsDay *days) {
        _cleanup_stmt_ sqlite3_stmt *acts = NULL, *resp = NULL, *moods = NULL;
        size_t n = (size_t) (to_day - from_day + 1);
        int r;

        for (size_t i = 0; i < n; i++)
                days[i] = (StatsDay){ .day = from_day + (int64_t) i };
        r = store_prepare(s, "SELECT day, count(*) FROM acts WHERE status = 1 AND day BETWEEN ? AND ? GROUP BY day",
                          &acts);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "SELECT day, sum(response), count(response) FROM acts"
                          " WHERE status = 1 AND response IS NOT NULL AND day BETWEEN ? AND ? GROUP BY day",
                          &resp);
        if (r < 0)
                return r;
        /* The day's mood is the last one recorded that day. */
        r = store_prepare(s,
                          "SELECT day, mood, 1 FROM moods m WHERE day BETWEEN ? AND ?"
                          " AND id = (SELECT max(x.id) FROM moods x WHERE x.day = m.day)",
                          &moods);
        if (r < 0)
                return r;
        sqlite3_stmt *const sts[] = { acts, resp, moods };
        for (size_t k = 0; k < ELEMENTSOF(sts); k++) {
                sqlite3_bind_int64(sts[k], 1, from_day);
                sqlite3_bind_int64(sts[k], 2, to_day);
                for (;;) {
                        int rc = sqlite3_step(sts[k]);
                        if (rc == SQLITE_DONE)
                                break;
                        if (rc != SQLITE_ROW)
                                return store_fail(s, rc);
                        int64_t i = sqlite3_column_int64(sts[k], 0) - from_day;
                        if (i < 0 || (size_t) i >= n)
                                continue;
                        if (k == 0)
                                days[i].acts = sqlite3_column_int(sts[k], 1);
                        else if (k == 1) {
                                days[i].response_sum = sqlite3_column_int(sts[k], 1);
                                days[i].responses = sqlite3_column_int(sts[k], 2);
                        } else {
                                days[i].mood_sum = sqlite3_column_int(sts[k], 1);
                                days[i].moods = sqlite3_column_int(sts[k], 2);
                        }
                }
        }
        return 0;
}

static int stats_item_row(sqlite3_stmt *st, void *ret) {
        StatsItem *it = ret;
        *it = (StatsItem){
                .item_id = sqlite3_column_int64(st, 0),
                .title = store_column_strdup(st, 1),
                .category = (Category) sqlite3_column_int(st, 2),
                .acts = sqlite3_column_int64(st, 3),
                .response = sqlite3_column_double(st, 4),
                .responses = sqlite3_column_int64(st, 5),
                .private_ = sqlite3_column_int(st, 6) != 0,
        };
        return sqlite3_column_type(st, 1) != SQLITE_NULL && !it->title ? -ENOMEM : 0;
}

static void stats_items_free_void(void *a, size_t n) {
        stats_items_free(a, n);
}

int store_stats_items(Store *s, int64_t from_day, int64_t to_day, bool by_category, StatsItem **ret,
                      size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              by_category
                                      ? "SELECT 0, NULL, i.category, count(*), avg(a.response), count(a.response), 0"
                                        " FROM acts a JOIN items i ON i.id = a.item_id"
                                        " WHERE a.status = 1 AND a.day BETWEEN ? AND ? GROUP BY i.category ORDER BY i.category"
                                      : "SELECT a.item_id, i.title, i.category, count(*), avg(a.response), count(a.response),"
                                        " i.private"
                                        " FROM acts a JOIN items i ON i.id = a.item_id"
                                        " WHERE a.status = 1 AND a.day BETWEEN ? AND ? GROUP BY a.item_id"
                                        " HAVING count(*) >= 3 AND count(a.response) > 0 ORDER BY avg(a.response) DESC, a.item_id",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from_day);
        sqlite3_bind_int64(st, 2, to_day);
        return store_collect_rows(s, st, sizeof(StatsItem), stats_item_row, stats_items_free_void, (void **) ret, ret_n);
}

void stats_items_free(StatsItem *it, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(it[i].title);
        free(it);
}

int store_stats_acts(Store *s, int64_t from_day, int64_t to_day, StatsActs *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT"
                              " count(*) FILTER (WHERE kind = 0 AND status = 1),"
                              " count(*) FILTER (WHERE kind = 0 AND status = 2),"
                              " count(*) FILTER (WHERE kind = 1 AND status = 1),"
                              " count(DISTINCT day) FILTER (WHERE status = 1)"
                              " FROM acts WHERE day BETWEEN ? AND ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from_day);
        sqlite3_bind_int64(st, 2, to_day);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (StatsActs){
                .daily_done = sqlite3_column_int64(st, 0),
                .rerolled = sqlite3_column_int64(st, 1),
                .extras = sqlite3_column_int64(st, 2),
                .days_with_acts = sqlite3_column_int64(st, 3),
        };
        return 0;
}

int store_stats_datenights(Store *s, time_t from, time_t to, int64_t counts[3][4]) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT mode, status, count(*) FROM datenights WHERE start >= ? AND start < ?"
                              " GROUP BY mode, status",
                              &st);
        if (r < 0)
                return r;
        memset(counts, 0, sizeof(int64_t) * 12);
        sqlite3_bind_int64(st, 1, (int64_t) from);
        sqlite3_bind_int64(st, 2, (int64_t) to);
        for (;;) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW)
                        return store_fail(s, rc);
                int mode = sqlite3_column_int(st, 0), status = sqlite3_column_int(st, 1);
                if (mode >= 0 && mode < 3 && status >= 0 && status < 4)
                        counts[mode][status] = sqlite3_column_int64(st, 2);
        }
        return 0;
}

int store_longest_streak(Store *s, int64_t *ret) {
        /* Runs of consecutive days: within a run, day - its rank is constant. */
        return store_query_int64(s,
                                 "SELECT max(n) FROM (SELECT count(*) AS n FROM"
                                 " (SELECT day - row_number() OVER (ORDER BY day) AS run FROM"
                                 " (SELECT DISTINCT day FROM acts WHERE status = 1)) GROUP BY run)",
                                 0, NULL, 0, ret);
}

int store_item_usage(Store *s, int64_t item_id, ItemUsage *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT count(*), avg(response), count(response), max(day) FROM acts"
                              " WHERE item_id = ? AND status = 1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, item_id);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (ItemUsage){
                .done = sqlite3_column_int64(st, 0),
                .response = sqlite3_column_double(st, 1),
                .responses = sqlite3_column_int64(st, 2),
                .last_day = sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3),
        };
        return 0;
}

int store_last_twist_day(Store *s, int64_t *ret) {
        return store_query_int64(s, "SELECT max(day) FROM acts WHERE kind = 0 AND status != 2 AND twist IS NOT NULL",
                                 0, NULL, INT64_MIN, ret);
}
