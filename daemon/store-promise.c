/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- rain checks and initiations --- */

void promise_clear(Promise *p) {
        if (!p)
                return;
        free(p->uid);
        free(p->what);
        free(p->where);
        memset(p, 0, sizeof(*p));
}

void promise_array_free(Promise *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                promise_clear(&p[i]);
        free(p);
}

#define PROMISE_COLUMNS "id, uid, due, what, place, status, advance_id, created, resolved, sequence, modified, owed_by, shared, shared_seq"

static int promise_from_row(sqlite3_stmt *st, Promise *ret) {
        Promise p = {
                .id = sqlite3_column_int64(st, 0),
                .uid = store_column_strdup(st, 1),
                .due = sqlite3_column_int64(st, 2),
                .what = store_column_strdup(st, 3),
                .where = store_column_strdup(st, 4),
                .status = (PromiseStatus) sqlite3_column_int(st, 5),
                .advance_id = sqlite3_column_int64(st, 6),
                .created = sqlite3_column_int64(st, 7),
                .resolved = sqlite3_column_int64(st, 8),
                .sequence = sqlite3_column_int64(st, 9),
                .modified = sqlite3_column_int64(st, 10),
                .owed_by_partner = sqlite3_column_int(st, 11) != 0,
                .shared = sqlite3_column_int(st, 12) != 0,
                .shared_seq = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13),
        };
        if (!p.uid || (sqlite3_column_type(st, 3) != SQLITE_NULL && !p.what) ||
            (sqlite3_column_type(st, 4) != SQLITE_NULL && !p.where)) {
                promise_clear(&p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

static int promise_row(sqlite3_stmt *st, void *ret) {
        return promise_from_row(st, ret);
}

int store_advance_insert(Store *s, int64_t day, time_t at, bool by_partner, bool accepted, const char *note,
                         int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT INTO advances (at, day, by_partner, accepted, note) VALUES (?, ?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) at);
        sqlite3_bind_int64(st, 2, day);
        sqlite3_bind_int(st, 3, by_partner);
        sqlite3_bind_int(st, 4, accepted);
        store_bind_text_or_null(st, 5, note);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_promise_insert(Store *s, Promise *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO promises (uid, due, what, place, status, advance_id, created, sequence, modified,"
                              " owed_by, shared, shared_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, p->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (int64_t) p->due);
        store_bind_text_or_null(st, 3, p->what);
        store_bind_text_or_null(st, 4, p->where);
        sqlite3_bind_int(st, 5, p->status);
        if (p->advance_id > 0)
                sqlite3_bind_int64(st, 6, p->advance_id);
        else
                sqlite3_bind_null(st, 6);
        sqlite3_bind_int64(st, 7, (int64_t) p->created);
        sqlite3_bind_int64(st, 8, p->sequence);
        sqlite3_bind_int64(st, 9, (int64_t) p->modified);
        sqlite3_bind_int(st, 10, p->owed_by_partner);
        sqlite3_bind_int(st, 11, p->shared);
        if (p->shared)
                sqlite3_bind_int64(st, 12, p->shared_seq);
        else
                sqlite3_bind_null(st, 12);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        p->id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_promise_update(Store *s, const Promise *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE promises SET due = ?, status = ?, resolved = ?, sequence = ?, modified = ? WHERE id = ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) p->due);
        sqlite3_bind_int(st, 2, p->status);
        if (p->resolved > 0)
                sqlite3_bind_int64(st, 3, (int64_t) p->resolved);
        else
                sqlite3_bind_null(st, 3);
        sqlite3_bind_int64(st, 4, p->sequence);
        sqlite3_bind_int64(st, 5, (int64_t) p->modified);
        sqlite3_bind_int64(st, 6, p->id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_promise_get(Store *s, int64_t id, Promise *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT " PROMISE_COLUMNS " FROM promises WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_get_one(s, st, promise_row, ret);
}

static void promise_array_free_void(void *a, size_t n) {
        promise_array_free(a, n);
}

int store_promise_list(Store *s, bool active_only, Promise **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              active_only ? "SELECT " PROMISE_COLUMNS " FROM promises WHERE status IN (0, 3) ORDER BY due, id"
                                    : "SELECT " PROMISE_COLUMNS " FROM promises ORDER BY due, id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(Promise), promise_row, promise_array_free_void, (void **) ret, ret_n);
}

int store_promise_list_calendar(Store *s, time_t since, Promise **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT " PROMISE_COLUMNS " FROM promises WHERE status IN (0, 3) OR due + 3600 > ?"
                              " ORDER BY due, id",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) since);
        return store_collect_rows(s, st, sizeof(Promise), promise_row, promise_array_free_void, (void **) ret, ret_n);
}

int store_promise_move_insert(Store *s, int64_t promise_id, time_t from, time_t to, bool by_partner, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO promise_moves (promise_id, from_due, to_due, by_partner, at) VALUES (?, ?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, promise_id);
        sqlite3_bind_int64(st, 2, (int64_t) from);
        sqlite3_bind_int64(st, 3, (int64_t) to);
        sqlite3_bind_int(st, 4, by_partner);
        sqlite3_bind_int64(st, 5, (int64_t) at);
        return store_step_done(s, st);
}

int store_promise_event_insert(Store *s, int64_t promise_id, PromiseStatus status, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT INTO promise_events (promise_id, status, at) VALUES (?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, promise_id);
        sqlite3_bind_int(st, 2, status);
        sqlite3_bind_int64(st, 3, (int64_t) at);
        return store_step_done(s, st);
}

/* The counters of the promises owed by side (0 me, 1 my partner), six
 * columns; since (?1, epoch seconds) bounds the promises by their creation. */
#define PROMISE_SIDE_COUNTERS(side)                                                                                   \
        " (SELECT count(*) FROM promises p INDEXED BY promises_status_created"                                       \
        "   WHERE p.status = 1 AND p.created >= ?1 AND p.owed_by = " side "),"                                       \
        " (SELECT count(*) FROM promises p INDEXED BY promises_status_created"                                       \
        "   WHERE p.status = 2 AND p.created >= ?1 AND p.owed_by = " side "),"                                       \
        " (SELECT count(*) FROM promises p INDEXED BY promises_status_created"                                       \
        "   WHERE p.status IN (0, 3) AND p.created >= ?1 AND p.owed_by = " side "),"                                 \
        /* From the recent promises to their moves, not from every move ever. */                                     \
        " (SELECT count(*) FROM promises p CROSS JOIN promise_moves m ON m.promise_id = p.id"                        \
        "   WHERE p.created >= ?1 AND p.owed_by = " side " AND m.by_partner = 0),"                                   \
        " (SELECT count(*) FROM promises p CROSS JOIN promise_moves m ON m.promise_id = p.id"                        \
        "   WHERE p.created >= ?1 AND p.owed_by = " side " AND m.by_partner = 1),"                                   \
        " (SELECT count(*) FROM promises p INDEXED BY promises_status_created"                                       \
        "   WHERE p.status = 1 AND p.created >= ?1 AND p.owed_by = " side " AND NOT EXISTS"                          \
        "   (SELECT 1 FROM promise_moves m WHERE m.promise_id = p.id AND m.by_partner = 0)),"

static PromiseSide promise_side_from_row(sqlite3_stmt *st, int col) {
        return (PromiseSide){
                .kept = sqlite3_column_int64(st, col),
                .broken = sqlite3_column_int64(st, col + 1),
                .open = sqlite3_column_int64(st, col + 2),
                .moved_by_me = sqlite3_column_int64(st, col + 3),
                .moved_by_partner = sqlite3_column_int64(st, col + 4),
                .kept_on_time = sqlite3_column_int64(st, col + 5),
        };
}

int store_promise_counters(Store *s, int64_t since, PromiseCounters *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* INT64_MIN for all. */
        int r = store_prepare(s,
                              "SELECT" PROMISE_SIDE_COUNTERS("0") PROMISE_SIDE_COUNTERS("1")
                              " (SELECT count(*) FROM advances a WHERE a.by_partner = 0 AND a.at >= ?1),"
                              " (SELECT count(*) FROM advances a WHERE a.by_partner = 0 AND a.accepted = 1 AND a.at >= ?1),"
                              " (SELECT count(*) FROM advances a WHERE a.by_partner = 1 AND a.at >= ?1),"
                              " (SELECT count(*) FROM advances a WHERE a.by_partner = 1 AND a.accepted = 1 AND a.at >= ?1)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, since);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (PromiseCounters){
                .mine = promise_side_from_row(st, 0),
                .owed_to_me = promise_side_from_row(st, 6),
                .advances_by_me = sqlite3_column_int64(st, 12),
                .advances_by_me_accepted = sqlite3_column_int64(st, 13),
                .advances_by_partner = sqlite3_column_int64(st, 14),
                .advances_by_partner_accepted = sqlite3_column_int64(st, 15),
        };
        return 0;
}

int store_promise_get_by_uid(Store *s, const char *uid, Promise *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT " PROMISE_COLUMNS " FROM promises WHERE uid = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        return store_get_one(s, st, promise_row, ret);
}

int store_promise_replace(Store *s, const Promise *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE promises SET what = ?, place = ?, due = ?, status = ?, resolved = ?, sequence = ?,"
                              " modified = ?, shared = ?, shared_seq = ? WHERE id = ?",
                              &st);
        if (r < 0)
                return r;
        store_bind_text_or_null(st, 1, p->what);
        store_bind_text_or_null(st, 2, p->where);
        sqlite3_bind_int64(st, 3, (int64_t) p->due);
        sqlite3_bind_int(st, 4, p->status);
        if (p->resolved > 0)
                sqlite3_bind_int64(st, 5, (int64_t) p->resolved);
        else
                sqlite3_bind_null(st, 5);
        sqlite3_bind_int64(st, 6, p->sequence);
        sqlite3_bind_int64(st, 7, (int64_t) p->modified);
        sqlite3_bind_int(st, 8, p->shared);
        sqlite3_bind_int64(st, 9, p->shared_seq);
        sqlite3_bind_int64(st, 10, p->id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}
