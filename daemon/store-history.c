/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "macro.h"
#include "store-private.h"

/* --- history --- */

/* One column layout for every kind of record, each kind bounded by its
 * index and its own LIMIT: ?1 ?2 the days, ?3 ?4 the epoch seconds of their
 * local midnights [from, to), ?5 the limit, ?6 an item (0 for all). */
#define HISTORY_SQL                                                                                           \
        "SELECT * FROM (SELECT a.kind, a.day, a.done_at, a.id, a.item_id, coalesce(i.title, a.text),"          \
        " i.category, i.private, a.status, a.response, a.note, NULL, NULL, NULL, NULL, 0, 0, NULL,"           \
        " coalesce(a.done_at, a.created)"                                                                    \
        " FROM acts a LEFT JOIN items i ON i.id = a.item_id"                                                 \
        " WHERE a.day BETWEEN ?1 AND ?2 AND (?6 = 0 OR a.item_id = ?6) ORDER BY a.day, a.id LIMIT ?5)"       \
        " UNION ALL SELECT * FROM (SELECT 2, m.day, m.created, m.id, NULL, NULL, NULL, 0,"                    \
        " m.id = (SELECT max(x.id) FROM moods x WHERE x.day = m.day), m.mood, m.note, NULL, NULL, NULL, NULL," \
        " 0, 0, NULL, m.created FROM moods m WHERE ?6 = 0 AND m.day BETWEEN ?1 AND ?2"                        \
        " ORDER BY m.day, m.id LIMIT ?5)"                                                                    \
        " UNION ALL SELECT * FROM (SELECT 3, NULL, start, id, NULL, NULL, NULL, 0, status, mode, NULL, NULL,"  \
        " NULL, duration, NULL, moved, 0, makeup_for, start FROM datenights"                                 \
        " WHERE ?6 = 0 AND start >= ?3 AND start < ?4 ORDER BY start LIMIT ?5)"                              \
        " UNION ALL SELECT * FROM (SELECT 4, a.day, a.at, a.id, NULL, NULL, NULL, 0, 0, 0, a.note, NULL, NULL," \
        " NULL, NULL, a.by_partner, a.accepted, (SELECT min(p.id) FROM promises p WHERE p.advance_id = a.id)," \
        " a.at FROM advances a WHERE ?6 = 0 AND a.day BETWEEN ?1 AND ?2 ORDER BY a.day, a.at LIMIT ?5)"      \
        " UNION ALL SELECT * FROM (SELECT 5, NULL, created, id, NULL, NULL, NULL, 0, status, 0, NULL, what,"   \
        " place, coalesce((SELECT m.from_due FROM promise_moves m WHERE m.promise_id = p.id ORDER BY m.id"    \
        " LIMIT 1), due), NULL, 0, 0, advance_id, created FROM promises p"                                    \
        " WHERE ?6 = 0 AND created >= ?3 AND created < ?4 ORDER BY created LIMIT ?5)"                        \
        " UNION ALL SELECT * FROM (SELECT 6, NULL, m.at, m.promise_id, NULL, NULL, NULL, 0, p.status, 0, NULL," \
        " p.what, p.place, m.from_due, m.to_due, m.by_partner, 0, NULL, m.at"                                \
        " FROM promise_moves m JOIN promises p ON p.id = m.promise_id"                                        \
        " WHERE ?6 = 0 AND m.at >= ?3 AND m.at < ?4 ORDER BY m.at LIMIT ?5)"                                  \
        " UNION ALL SELECT * FROM (SELECT 7, NULL, e.at, e.promise_id, NULL, NULL, NULL, 0, e.status, 0, NULL," \
        " p.what, p.place, p.due, NULL, 0, 0, NULL, e.at"                                                    \
        " FROM promise_events e JOIN promises p ON p.id = e.promise_id"                                       \
        " WHERE ?6 = 0 AND e.at >= ?3 AND e.at < ?4 ORDER BY e.at LIMIT ?5)"                                  \
        " UNION ALL SELECT * FROM (SELECT 9, NULL, at, night_id, NULL, NULL, NULL, 0, to_status, from_status,"  \
        " NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, at FROM datenight_events"                                 \
        " WHERE ?6 = 0 AND at >= ?3 AND at < ?4 AND from_status != 0"                                          \
        " ORDER BY at LIMIT ?5)"                                                                             \
        " UNION ALL SELECT * FROM (SELECT 8, from_day, NULL, id, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL," \
        " until_day, NULL, 0, 0, NULL, NULL FROM pauses"                                                     \
        " WHERE ?6 = 0 AND from_day BETWEEN ?1 AND ?2 ORDER BY from_day LIMIT ?5)"

static int history_row(sqlite3_stmt *st, void *ret) {
        HistoryRow *h = ret;
        *h = (HistoryRow){
                .kind = (HistoryKind) sqlite3_column_int(st, 0),
                .day = sqlite3_column_type(st, 1) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 1),
                .at = sqlite3_column_int64(st, 2),
                .id = sqlite3_column_int64(st, 3),
                .item_id = sqlite3_column_int64(st, 4),
                .title = store_column_strdup(st, 5),
                .category = sqlite3_column_type(st, 6) == SQLITE_NULL ? _CATEGORY_INVALID
                                                                        : (Category) sqlite3_column_int(st, 6),
                .private_ = sqlite3_column_int(st, 7) != 0,
                .status = sqlite3_column_int(st, 8),
                .value = sqlite3_column_int(st, 9),
                .note = store_column_strdup(st, 10),
                .what = store_column_strdup(st, 11),
                .where = store_column_strdup(st, 12),
                .t1 = sqlite3_column_int64(st, 13),
                .t2 = sqlite3_column_int64(st, 14),
                .flag = sqlite3_column_int(st, 15) != 0,
                .flag2 = sqlite3_column_int(st, 16) != 0,
                .ref = sqlite3_column_int64(st, 17),
                .sort_at = sqlite3_column_int64(st, 18),
        };
        static const int texts[] = { 5, 10, 11, 12 };
        char *const got[] = { h->title, h->note, h->what, h->where };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++)
                if (sqlite3_column_type(st, texts[i]) != SQLITE_NULL && !got[i]) {
                        history_row_clear(h);
                        return -ENOMEM;
                }
        return 0;
}

void history_row_clear(HistoryRow *h) {
        free(h->title);
        free(h->note);
        free(h->what);
        free(h->where);
        memset(h, 0, sizeof(*h));
}

void history_rows_free(HistoryRow *h, size_t n) {
        for (size_t i = 0; i < n; i++)
                history_row_clear(&h[i]);
        free(h);
}

static void history_rows_free_void(void *a, size_t n) {
        history_rows_free(a, n);
}

int store_history(Store *s, int64_t from_day, int64_t to_day, time_t from, time_t to, int64_t item_id,
                  size_t max_per_kind, HistoryRow **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, HISTORY_SQL, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from_day);
        sqlite3_bind_int64(st, 2, to_day);
        sqlite3_bind_int64(st, 3, (int64_t) from);
        sqlite3_bind_int64(st, 4, (int64_t) to);
        sqlite3_bind_int64(st, 5, (int64_t) max_per_kind);
        sqlite3_bind_int64(st, 6, item_id);
        return store_collect_rows(s, st, sizeof(HistoryRow), history_row, history_rows_free_void, (void **) ret, ret_n);
}
