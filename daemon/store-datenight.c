/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- date nights and time apart --- */

#define DN_COLUMNS "id, uid, week, start, duration, mode, status, moved, makeup_for, sequence, modified"

static int dn_from_row(sqlite3_stmt *st, DateNight *ret) {
        DateNight d = {
                .night = {
                        .id = sqlite3_column_int64(st, 0),
                        .week_monday_day = sqlite3_column_int64(st, 2),
                        .start = sqlite3_column_int64(st, 3),
                        .duration = sqlite3_column_int64(st, 4),
                        .mode = (DnMode) sqlite3_column_int(st, 5),
                        .status = (DnStatus) sqlite3_column_int(st, 6),
                        .moved = sqlite3_column_int(st, 7) != 0,
                        .makeup_for = sqlite3_column_int64(st, 8),
                },
                .uid = store_column_strdup(st, 1),
                .sequence = sqlite3_column_int64(st, 9),
                .modified = sqlite3_column_int64(st, 10),
        };
        if (!d.uid)
                return -ENOMEM;
        *ret = d;
        return 0;
}

static int dn_row(sqlite3_stmt *st, void *ret) {
        return dn_from_row(st, ret);
}

void datenight_array_free(DateNight *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(d[i].uid);
        free(d);
}

int store_dn_insert(Store *s, DateNight *d, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO datenights (uid, week, start, duration, mode, status, moved, makeup_for,"
                              " sequence, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, d->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, d->night.week_monday_day);
        sqlite3_bind_int64(st, 3, (int64_t) d->night.start);
        sqlite3_bind_int64(st, 4, d->night.duration);
        sqlite3_bind_int(st, 5, d->night.mode);
        sqlite3_bind_int(st, 6, d->night.status);
        sqlite3_bind_int(st, 7, d->night.moved);
        if (d->night.makeup_for > 0)
                sqlite3_bind_int64(st, 8, d->night.makeup_for);
        else
                sqlite3_bind_null(st, 8);
        sqlite3_bind_int64(st, 9, d->sequence);
        sqlite3_bind_int64(st, 10, (int64_t) now);
        sqlite3_bind_int64(st, 11, d->modified);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        d->night.id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_dn_update(Store *s, const DateNight *d) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE datenights SET start = ?, duration = ?, mode = ?, status = ?, moved = ?,"
                              " sequence = ?, modified = ? WHERE id = ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) d->night.start);
        sqlite3_bind_int64(st, 2, d->night.duration);
        sqlite3_bind_int(st, 3, d->night.mode);
        sqlite3_bind_int(st, 4, d->night.status);
        sqlite3_bind_int(st, 5, d->night.moved);
        sqlite3_bind_int64(st, 6, d->sequence);
        sqlite3_bind_int64(st, 7, d->modified);
        sqlite3_bind_int64(st, 8, d->night.id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_dn_get(Store *s, int64_t id, DateNight *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT " DN_COLUMNS " FROM datenights WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_get_one(s, st, dn_row, ret);
}

static void datenight_array_free_void(void *a, size_t n) {
        datenight_array_free(a, n);
}

static int uid_row(sqlite3_stmt *st, void *ret) {
        char **uid = ret;
        *uid = store_column_strdup(st, 0);
        return *uid ? 0 : -ENOMEM;
}

static void strv_free_void(void *v, size_t n) {
        strv_free_n(v, n);
}

int store_calendar_uids(Store *s, char ***ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT uid FROM datenights UNION ALL SELECT uid FROM promises", &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(char *), uid_row, strv_free_void, (void **) ret, ret_n);
}

int store_dn_list(Store *s, time_t since, DateNight **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* A night counts from its end, so one under way is listed; no night
         * lasts over a day (DN_DURATION_MAX), which bounds the index range. */
        int r = store_prepare(s,
                              "SELECT " DN_COLUMNS " FROM datenights WHERE start > ?1 - 86400 AND start + duration > ?1"
                              " ORDER BY start, id",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) since);
        return store_collect_rows(s, st, sizeof(DateNight), dn_row, datenight_array_free_void, (void **) ret, ret_n);
}

int store_away_insert(Store *s, const DnAway *a, time_t now, int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT INTO aways (from_day, to_day, created) VALUES (?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, a->from_day);
        sqlite3_bind_int64(st, 2, a->to_day);
        sqlite3_bind_int64(st, 3, (int64_t) now);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int away_row(sqlite3_stmt *st, void *ret) {
        *(DnAway *) ret = (DnAway){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) };
        return 0;
}

int store_away_list(Store *s, int64_t since_day, DnAway **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT from_day, to_day FROM aways WHERE to_day >= ? AND cancelled IS NULL ORDER BY from_day",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, since_day);
        return store_collect_rows(s, st, sizeof(DnAway), away_row, NULL, (void **) ret, ret_n);
}

static int away_period_row(sqlite3_stmt *st, void *ret) {
        *(AwayPeriod *) ret = (AwayPeriod){
                .id = sqlite3_column_int64(st, 0),
                .away = { sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2) },
        };
        return 0;
}

int store_away_periods(Store *s, AwayPeriod **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT id, from_day, to_day FROM aways WHERE cancelled IS NULL ORDER BY from_day, id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(AwayPeriod), away_period_row, NULL, (void **) ret, ret_n);
}

int store_away_get(Store *s, int64_t id, AwayPeriod *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT id, from_day, to_day FROM aways WHERE id = ? AND cancelled IS NULL", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_get_one(s, st, away_period_row, ret);
}

int store_away_cancel(Store *s, int64_t id, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE aways SET cancelled = ? WHERE id = ? AND cancelled IS NULL", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) now);
        sqlite3_bind_int64(st, 2, id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

static int two_counts_row(sqlite3_stmt *st, void *ret) {
        int64_t *c = ret;
        c[0] = sqlite3_column_int64(st, 0);
        c[1] = sqlite3_column_int64(st, 1);
        return 0;
}

int store_away_counts(Store *s, time_t from, time_t to, int64_t *ret_nights, int64_t *ret_makeups) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT (SELECT count(*) FROM datenights WHERE start >= ?1 AND start < ?2 AND mode = 1),"
                              " (SELECT count(*) FROM datenights mk JOIN datenights n ON mk.makeup_for = n.id"
                              "  WHERE n.start >= ?1 AND n.start < ?2 AND n.mode = 1 AND mk.status = 0)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) from);
        sqlite3_bind_int64(st, 2, (int64_t) to);
        int64_t c[2] = {};
        r = store_get_one(s, st, two_counts_row, c);
        if (r < 0)
                return r;
        *ret_nights = c[0];
        *ret_makeups = c[1];
        return 0;
}

int store_dn_event_insert(Store *s, int64_t night_id, DnStatus from, DnStatus to, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO datenight_events (night_id, from_status, to_status, at) VALUES (?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, night_id);
        sqlite3_bind_int(st, 2, from);
        sqlite3_bind_int(st, 3, to);
        sqlite3_bind_int64(st, 4, (int64_t) at);
        return store_step_done(s, st);
}

int store_dn_trim(Store *s, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "DELETE FROM datenights WHERE (id = ?1 OR makeup_for = ?1) AND NOT EXISTS"
                              " (SELECT 1 FROM datenight_events e JOIN datenights x ON e.night_id = x.id"
                              "  WHERE x.id = ?1 OR x.makeup_for = ?1)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

int store_dn_touch_planned(Store *s, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE datenights SET sequence = sequence + 1, modified = ?1 WHERE status = 0 AND start > ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) now);
        return store_step_done(s, st);
}

int store_dn_by_week(Store *s, int64_t week, bool makeup, DateNight *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT " DN_COLUMNS " FROM datenights WHERE week = ? AND (mode = 2) = ?"
                              " ORDER BY id DESC LIMIT 1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, week);
        sqlite3_bind_int(st, 2, makeup);
        return store_get_one(s, st, dn_row, ret);
}

int store_dn_set_uid(Store *s, int64_t id, const char *uid, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE datenights SET uid = ?, sequence = sequence + 1, modified = ? WHERE id = ? AND uid != ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (int64_t) now);
        sqlite3_bind_int64(st, 3, id);
        return store_step_done(s, st);
}
