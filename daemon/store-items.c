/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- items --- */

#define ITEM_COLUMNS \
        "id, side, uid, title, details, category, intensity, private, sequence, modified, removed, review, note, reviewed_sequence"

static int item_from_row(sqlite3_stmt *st, Side *ret_side, Item *ret) {
        Item it = {
                .id = sqlite3_column_int64(st, 0),
                .uid = store_column_strdup(st, 2),
                .title = store_column_strdup(st, 3),
                .details = store_column_strdup(st, 4),
                .category = (Category) sqlite3_column_int(st, 5),
                .intensity = sqlite3_column_int(st, 6),
                .private_ = sqlite3_column_int(st, 7) != 0,
                .sequence = sqlite3_column_int64(st, 8),
                .modified = sqlite3_column_int64(st, 9),
                .removed = sqlite3_column_int(st, 10) != 0,
                .review = (Review) sqlite3_column_int(st, 11),
                .note = store_column_strdup(st, 12),
                .reviewed_sequence = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13),
        };
        if (!it.uid || !it.title || !it.details ||
            (sqlite3_column_type(st, 12) != SQLITE_NULL && !it.note)) {
                item_clear(&it);
                return -ENOMEM;
        }
        if (ret_side)
                *ret_side = (Side) sqlite3_column_int(st, 1);
        *ret = it;
        return 0;
}

int store_item_insert(Store *s, Side side, Item *item, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO items (side, uid, title, details, category, intensity, private,"
                              " sequence, created, modified, removed, review, note)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_text(st, 2, item->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, item->title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, item->details ? item->details : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, item->category);
        sqlite3_bind_int(st, 6, item->intensity);
        sqlite3_bind_int(st, 7, item->private_);
        sqlite3_bind_int64(st, 8, item->sequence);
        sqlite3_bind_int64(st, 9, (int64_t) now);
        sqlite3_bind_int64(st, 10, item->modified);
        sqlite3_bind_int(st, 11, item->removed);
        sqlite3_bind_int(st, 12, item->review);
        store_bind_text_or_null(st, 13, item->note);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        item->id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_item_update(Store *s, const Item *item) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE items SET uid = ?, title = ?, details = ?, category = ?, intensity = ?,"
                              " private = ?, sequence = ?, modified = ?, removed = ?, review = ?, note = ?"
                              " WHERE id = ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, item->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, item->title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, item->details ? item->details : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, item->category);
        sqlite3_bind_int(st, 5, item->intensity);
        sqlite3_bind_int(st, 6, item->private_);
        sqlite3_bind_int64(st, 7, item->sequence);
        sqlite3_bind_int64(st, 8, item->modified);
        sqlite3_bind_int(st, 9, item->removed);
        sqlite3_bind_int(st, 10, item->review);
        store_bind_text_or_null(st, 11, item->note);
        sqlite3_bind_int64(st, 12, item->id);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

static int item_get_one(Store *s, sqlite3_stmt *st, Side *ret_side, Item *ret) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return item_from_row(st, ret_side, ret);
}

int store_item_get(Store *s, int64_t id, Side *ret_side, Item *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT " ITEM_COLUMNS " FROM items WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return item_get_one(s, st, ret_side, ret);
}

int store_item_get_by_uid(Store *s, Side side, const char *uid, Item *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT " ITEM_COLUMNS " FROM items WHERE side = ? AND uid = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        return item_get_one(s, st, NULL, ret);
}

static int item_row(sqlite3_stmt *st, void *ret) {
        return item_from_row(st, NULL, ret);
}

static void item_array_free_void(void *a, size_t n) {
        item_array_free(a, n);
}

int store_item_list(Store *s, Side side, bool with_removed, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT " ITEM_COLUMNS " FROM items WHERE side = ? AND (removed = 0 OR ?)"
                              " ORDER BY id",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_int(st, 2, with_removed);
        return store_collect_rows(s, st, sizeof(Item), item_row, item_array_free_void, (void **) ret, ret_n);
}

int store_item_list_exportable(Store *s, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT " ITEM_COLUMNS " FROM items WHERE side = 0 AND (removed = 0 OR exported = 1)"
                              " ORDER BY id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(Item), item_row, item_array_free_void, (void **) ret, ret_n);
}

int store_items_mark_exported(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE items SET exported = 1 WHERE side = 0 AND removed = 0 AND exported = 0", &st);
        if (r < 0)
                return r;
        return store_step_done(s, st);
}

int store_partner_forget(Store *s, int64_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE items SET removed = 1 WHERE side = 1 AND removed = 0", &st);
        if (r < 0)
                return r;
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        *ret_n = sqlite3_changes(s->db);
        return 0;
}

int store_item_count(Store *s, Side side, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT count(*) FROM items WHERE side = ? AND removed = 0", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}
