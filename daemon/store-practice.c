/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- the daily practice --- */

#define ACT_COLUMNS                                                                                     \
        "a.id, a.day, a.kind, a.item_id, a.status, a.response, a.note, a.twist, a.twist_item,"       \
        " coalesce(i.title, a.text), i.category, i.intensity, i.private, a.done_at, t.private, t.category"

static int act_from_row(sqlite3_stmt *st, Act *ret) {
        Act a = {
                .id = sqlite3_column_int64(st, 0),
                .day = sqlite3_column_int64(st, 1),
                .kind = (ActKind) sqlite3_column_int(st, 2),
                .item_id = sqlite3_column_int64(st, 3),
                .status = (ActStatus) sqlite3_column_int(st, 4),
                .response = sqlite3_column_int(st, 5),
                .note = store_column_strdup(st, 6),
                .twist = store_column_strdup(st, 7),
                .twist_item = sqlite3_column_int64(st, 8),
                .title = store_column_strdup(st, 9),
                .category = sqlite3_column_type(st, 10) == SQLITE_NULL ? _CATEGORY_INVALID
                                                                         : (Category) sqlite3_column_int(st, 10),
                .intensity = sqlite3_column_int(st, 11),
                .private_ = sqlite3_column_int(st, 12) != 0,
                .done_at = sqlite3_column_int64(st, 13),
                .twist_private = sqlite3_column_int(st, 14) != 0,
                .twist_category = sqlite3_column_type(st, 15) == SQLITE_NULL ? _CATEGORY_INVALID
                                                                               : (Category) sqlite3_column_int(st, 15),
        };
        if ((sqlite3_column_type(st, 6) != SQLITE_NULL && !a.note) ||
            (sqlite3_column_type(st, 7) != SQLITE_NULL && !a.twist) ||
            (sqlite3_column_type(st, 9) != SQLITE_NULL && !a.title)) {
                act_clear(&a);
                return -ENOMEM;
        }
        *ret = a;
        return 0;
}

void act_clear(Act *a) {
        if (!a)
                return;
        free(a->note);
        free(a->twist);
        free(a->title);
        memset(a, 0, sizeof(*a));
}

int store_act_current(Store *s, int64_t day, Act *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT " ACT_COLUMNS " FROM acts a LEFT JOIN items i ON i.id = a.item_id"
                              " LEFT JOIN items t ON t.id = a.twist_item"
                              " WHERE a.day = ? AND a.kind = 0 AND a.status != 2 ORDER BY a.id DESC LIMIT 1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return act_from_row(st, ret);
}

static int int64_row(sqlite3_stmt *st, void *ret) {
        *(int64_t *) ret = sqlite3_column_int64(st, 0);
        return 0;
}

int store_act_drop_open(Store *s, int64_t act_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "DELETE FROM acts WHERE id = ? AND status = 0", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, act_id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_acts_drop_open_of_removed(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "DELETE FROM acts WHERE kind = 0 AND status = 0 AND item_id IN"
                              " (SELECT id FROM items WHERE side = 1 AND removed = 1)",
                              &st);
        if (r < 0)
                return r;
        return store_step_done(s, st);
}

int store_act_skipped_items(Store *s, int64_t day, int64_t **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT item_id FROM acts WHERE day = ? AND kind = 0 AND status = 2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        return store_collect_rows(s, st, sizeof(int64_t), int64_row, NULL, (void **) ret, ret_n);
}

int store_act_insert(Store *s, Act *a, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO acts (day, kind, item_id, text, status, response, note, twist, twist_item,"
                              " created, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, a->day);
        sqlite3_bind_int(st, 2, a->kind);
        if (a->item_id > 0)
                sqlite3_bind_int64(st, 3, a->item_id);
        else
                sqlite3_bind_null(st, 3);
        store_bind_text_or_null(st, 4, a->item_id > 0 ? NULL : a->title);
        sqlite3_bind_int(st, 5, a->status);
        if (a->response > 0)
                sqlite3_bind_int(st, 6, a->response);
        else
                sqlite3_bind_null(st, 6);
        store_bind_text_or_null(st, 7, a->note);
        store_bind_text_or_null(st, 8, a->twist);
        if (a->twist_item > 0)
                sqlite3_bind_int64(st, 9, a->twist_item);
        else
                sqlite3_bind_null(st, 9);
        sqlite3_bind_int64(st, 10, (int64_t) now);
        if (a->status == ACT_DONE)
                sqlite3_bind_int64(st, 11, (int64_t) now);
        else
                sqlite3_bind_null(st, 11);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        a->id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_act_update(Store *s, const Act *a) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE acts SET status = ?, response = ?, note = ?, done_at = ? WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, a->status);
        if (a->response > 0)
                sqlite3_bind_int(st, 2, a->response);
        else
                sqlite3_bind_null(st, 2);
        store_bind_text_or_null(st, 3, a->note);
        if (a->done_at > 0)
                sqlite3_bind_int64(st, 4, a->done_at);
        else
                sqlite3_bind_null(st, 4);
        sqlite3_bind_int64(st, 5, a->id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

static int candidate_row(sqlite3_stmt *st, void *ret) {
        *(PickCandidate *) ret = (PickCandidate){
                .id = sqlite3_column_int64(st, 0),
                .intensity = sqlite3_column_int(st, 1),
                .review = (Review) sqlite3_column_int(st, 2),
                .last_day = sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3),
                .times_done = sqlite3_column_int64(st, 4),
                .avg_response = sqlite3_column_double(st, 5),
        };
        return 0;
}

int store_pick_candidates(Store *s, PickCandidate **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* Last use: the last day it was the daily act (done or not) or done
         * as an extra. Uses the acts_item index per item. */
        int r = store_prepare(s,
                              "SELECT i.id, i.intensity, i.review,"
                              " (SELECT max(a.day) FROM acts a WHERE a.item_id = i.id AND (a.kind = 0 OR a.status = 1)),"
                              " (SELECT count(*) FROM acts a WHERE a.item_id = i.id AND a.status = 1),"
                              " (SELECT avg(a.response) FROM acts a WHERE a.item_id = i.id AND a.response IS NOT NULL)"
                              " FROM items i WHERE i.side = 1 AND i.removed = 0 ORDER BY i.id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(PickCandidate), candidate_row, NULL, (void **) ret, ret_n);
}


int store_act_rerolls(Store *s, int64_t day, int64_t *ret) {
        return store_query_int64(s, "SELECT count(*) FROM acts WHERE day = ? AND kind = 0 AND status = 2", 1, &day, 0, ret);
}

int store_last_done_day(Store *s, int64_t *ret) {
        return store_query_int64(s, "SELECT max(day) FROM acts WHERE status = 1", 0, NULL, INT64_MIN, ret);
}

int store_acts_done_between(Store *s, int64_t from_day, int64_t to_day, int64_t *ret) {
        int64_t b[] = { from_day, to_day };
        return store_query_int64(s, "SELECT count(*) FROM acts WHERE status = 1 AND day BETWEEN ? AND ?", 2, b, 0, ret);
}

int store_done_days_desc(Store *s, int64_t before_day, size_t max, int64_t *days, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n = 0;
        int r = store_prepare(s, "SELECT DISTINCT day FROM acts WHERE status = 1 AND day <= ? ORDER BY day DESC LIMIT ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, before_day);
        sqlite3_bind_int64(st, 2, (int64_t) max);
        for (;;) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW)
                        return store_fail(s, rc);
                days[n++] = sqlite3_column_int64(st, 0);
        }
        *ret_n = n;
        return 0;
}

int store_mood_insert(Store *s, int64_t day, int mood, const char *note, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT INTO moods (day, mood, note, created) VALUES (?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        sqlite3_bind_int(st, 2, mood);
        store_bind_text_or_null(st, 3, note);
        sqlite3_bind_int64(st, 4, (int64_t) now);
        return store_step_done(s, st);
}

static int pause_row(sqlite3_stmt *st, void *ret) {
        *(Pause *) ret = (Pause){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2) };
        return 0;
}

int store_pauses(Store *s, Pause **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT id, from_day, until_day FROM pauses ORDER BY from_day", &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(Pause), pause_row, NULL, (void **) ret, ret_n);
}

int store_pause_set(Store *s, const Pause *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = p->id > 0 ? store_prepare(s, "UPDATE pauses SET from_day = ?, until_day = ? WHERE id = ?", &st)
                          : store_prepare(s, "INSERT INTO pauses (from_day, until_day) VALUES (?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, p->from_day);
        sqlite3_bind_int64(st, 2, p->until_day);
        if (p->id > 0)
                sqlite3_bind_int64(st, 3, p->id);
        return store_step_done(s, st);
}

int store_pause_delete(Store *s, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "DELETE FROM pauses WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_step_done(s, st);
}

int store_emitted_claim(Store *s, const char *kind, const char *key, time_t due, time_t now, bool late) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO emitted (kind, key, due, emitted, late) VALUES (?, ?, ?, ?, ?)"
                              " ON CONFLICT (kind, key) DO NOTHING",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, (int64_t) due);
        sqlite3_bind_int64(st, 4, (int64_t) now);
        sqlite3_bind_int(st, 5, late);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int store_emitted_has(Store *s, const char *kind, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT 1 FROM emitted WHERE kind = ? AND key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}
