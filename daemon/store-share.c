/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- sharing: the plan's entries --- */

static int plan_entry_row(sqlite3_stmt *st, void *ret) {
        PlanEntry e = {
                .key = store_column_strdup(st, 0),
                .member = store_column_strdup(st, 1),
                .value = store_column_strdup(st, 2),
                .lc = (uint64_t) sqlite3_column_int64(st, 3),
                .seen = (uint64_t) sqlite3_column_int64(st, 4),
        };
        if (!e.key || !e.member || !e.value) {
                plan_entry_clear(&e);
                return -ENOMEM;
        }
        *(PlanEntry *) ret = e;
        return 0;
}

static void plan_entries_free_void(void *a, size_t n) {
        plan_entries_free(a, n);
}

int store_plan_entry_put(Store *s, const PlanEntry *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO plan_entries (key, member, value, lc, seen) VALUES (?, ?, ?, ?, ?)"
                              " ON CONFLICT (key, member) DO UPDATE SET value = excluded.value, lc = excluded.lc,"
                              " seen = excluded.seen",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, e->key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, e->member, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, e->value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (int64_t) e->lc);
        sqlite3_bind_int64(st, 5, (int64_t) e->seen);
        return store_step_done(s, st);
}

int store_plan_entry_get(Store *s, const char *key, const char *member, PlanEntry *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT key, member, value, lc, seen FROM plan_entries WHERE key = ? AND member = ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, member, -1, SQLITE_TRANSIENT);
        return store_get_one(s, st, plan_entry_row, ret);
}

int store_plan_entries(Store *s, const char *member, PlanEntry **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT key, member, value, lc, seen FROM plan_entries"
                              " WHERE ?1 IS NULL OR member = ?1 ORDER BY key, member",
                              &st);
        if (r < 0)
                return r;
        store_bind_text_or_null(st, 1, member);
        return store_collect_rows(s, st, sizeof(PlanEntry), plan_entry_row, plan_entries_free_void, (void **) ret,
                                  ret_n);
}

int store_plan_max_lc(Store *s, const char *member, bool others, uint64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT max(lc) FROM plan_entries WHERE (member = ?1) = (?2 = 0)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, others);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (uint64_t) sqlite3_column_int64(st, 0); /* NULL reads as 0 */
        return 0;
}

/* --- my partner's reviews of my items --- */

static int review_row(sqlite3_stmt *st, void *ret) {
        Item it = {
                .uid = store_column_strdup(st, 0),
                .review = (Review) sqlite3_column_int(st, 1),
                .note = store_column_strdup(st, 2),
                .sequence = sqlite3_column_int64(st, 3),
                .reviewed_sequence = -1,
        };
        if (!it.uid || (sqlite3_column_type(st, 2) != SQLITE_NULL && !it.note)) {
                item_clear(&it);
                return -ENOMEM;
        }
        *(Item *) ret = it;
        return 0;
}

static void item_array_free_void(void *a, size_t n) {
        item_array_free(a, n);
}

int store_partner_reviews(Store *s, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT uid, review, note, sequence FROM items WHERE side = 1 AND removed = 0 ORDER BY id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(Item), review_row, item_array_free_void, (void **) ret, ret_n);
}

int store_review_of_mine_set(Store *s, const char *uid, Review review, const char *note, int64_t sequence) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE items SET review = ?1, note = ?2, reviewed_sequence = ?3 WHERE side = 0 AND uid = ?4"
                              " AND NOT (review = ?1 AND note IS ?2 AND reviewed_sequence IS ?3)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, review);
        store_bind_text_or_null(st, 2, note);
        sqlite3_bind_int64(st, 3, sequence);
        sqlite3_bind_text(st, 4, uid, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st);
        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

/* --- acts --- */

int store_partner_acts_clear(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "DELETE FROM partner_acts", &st);
        return r < 0 ? r : store_step_done(s, st);
}

int store_partner_act_insert(Store *s, int64_t day, const char *uid) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT OR IGNORE INTO partner_acts (day, uid) VALUES (?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st);
}

static int title_row(sqlite3_stmt *st, void *ret) {
        Item it = {
                .id = sqlite3_column_int64(st, 0),
                .uid = store_column_strdup(st, 1),
                .title = store_column_strdup(st, 2),
                .private_ = sqlite3_column_int(st, 3) != 0,
                .category = (Category) sqlite3_column_int(st, 4),
                .intensity = sqlite3_column_int(st, 5),
                .reviewed_sequence = -1,
        };
        if (!it.uid || !it.title) {
                item_clear(&it);
                return -ENOMEM;
        }
        *(Item *) ret = it;
        return 0;
}

int store_partner_acts_on(Store *s, int64_t day, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT i.id, i.uid, i.title, i.private, i.category, i.intensity FROM partner_acts a"
                              " JOIN items i ON i.side = 0 AND i.uid = a.uid WHERE a.day = ? ORDER BY i.id",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        return store_collect_rows(s, st, sizeof(Item), title_row, item_array_free_void, (void **) ret, ret_n);
}

void done_acts_free(DoneAct *a, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(a[i].uid);
        free(a);
}

static void done_acts_free_void(void *a, size_t n) {
        done_acts_free(a, n);
}

static int done_act_row(sqlite3_stmt *st, void *ret) {
        DoneAct a = { .day = sqlite3_column_int64(st, 0), .uid = store_column_strdup(st, 1) };
        if (!a.uid)
                return -ENOMEM;
        *(DoneAct *) ret = a;
        return 0;
}

int store_done_acts_of_partner(Store *s, int64_t since_day, DoneAct **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT DISTINCT a.day, i.uid FROM acts a JOIN items i ON i.id = a.item_id"
                              " WHERE a.status = 1 AND i.side = 1 AND a.day >= ? ORDER BY a.day, i.uid",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, since_day);
        return store_collect_rows(s, st, sizeof(DoneAct), done_act_row, done_acts_free_void, (void **) ret, ret_n);
}

/* --- advances --- */

static int advance_row(sqlite3_stmt *st, void *ret) {
        *(AdvanceRow *) ret = (AdvanceRow){
                .id = sqlite3_column_int64(st, 0),
                .at = (time_t) sqlite3_column_int64(st, 1),
                .by_partner = sqlite3_column_int(st, 2) != 0,
                .accepted = sqlite3_column_int(st, 3) != 0,
        };
        return 0;
}

int store_advances_mine(Store *s, AdvanceRow **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT id, at, by_partner, accepted FROM advances WHERE partner_id IS NULL ORDER BY id",
                              &st);
        if (r < 0)
                return r;
        return store_collect_rows(s, st, sizeof(AdvanceRow), advance_row, NULL, (void **) ret, ret_n);
}

int store_advances_shared_clear(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "DELETE FROM advances WHERE partner_id IS NOT NULL", &st);
        return r < 0 ? r : store_step_done(s, st);
}

int store_advance_shared_insert(Store *s, int64_t partner_id, time_t at, int64_t day, bool by_partner,
                                bool accepted, time_t window) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO advances (at, day, by_partner, accepted, partner_id)"
                              " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM advances"
                              "  WHERE partner_id IS NULL AND by_partner = ?3 AND accepted = ?4"
                              "  AND at BETWEEN ?1 - ?6 AND ?1 + ?6)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) at);
        sqlite3_bind_int64(st, 2, day);
        sqlite3_bind_int(st, 3, by_partner);
        sqlite3_bind_int(st, 4, accepted);
        sqlite3_bind_int64(st, 5, partner_id);
        sqlite3_bind_int64(st, 6, (int64_t) window);
        r = store_step_done(s, st);
        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

int store_advances_shared_count(Store *s, int64_t *ret) {
        return store_query_int64(s, "SELECT count(*) FROM advances WHERE partner_id IS NOT NULL", 0, NULL, 0, ret);
}

int store_promise_adopt(Store *s, int64_t id, const char *uid) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "UPDATE promises SET uid = ?, shared = 1 WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        return store_step_done(s, st);
}
