/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * store-private.h: what the store's files share (store.c, store-*.c) and
 * nothing outside them includes: the Store itself, its statement cache and
 * the helpers every query uses. The public API is store.h.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "store.h"

typedef struct CachedStmt {
        const char *sql;
        sqlite3_stmt *st;
} CachedStmt;

struct Store {
        sqlite3 *db;
        char *path;
        char *error;
        CachedStmt cache[128];
        uint64_t generation; /* counts writes, for the callers' caches */
        void (*changed)(void *userdata); /* store_set_changed() */
        void *changed_userdata;
};

/* A write (or a rollback) is coming: caches of what was read are stale. */
static inline void store_touch(Store *s) {
        s->generation++;
        if (s->changed)
                s->changed(s->changed_userdata);
}

/* Keeps SQLite's words in s->error (store_last_error) and maps rc to a
 * negative errno (store.h). */
int store_fail(Store *s, int rc);

/* Statements are compiled once and kept, keyed by the address of their
 * SQL text (every query is a string literal): parsing SQL was half of what
 * a call cost. -ENOBUFS when there are more queries than cache slots. */
int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret);

/* A statement is released with sqlite3_reset() when its _cleanup_stmt_
 * variable goes out of scope; none is used re-entrantly. */
static inline void store_stmt_releasep(sqlite3_stmt **st) {
        if (!*st)
                return;
        (void) sqlite3_reset(*st);
        (void) sqlite3_clear_bindings(*st);
}
#define _cleanup_stmt_ _cleanup_(store_stmt_releasep)

/* Runs a statement that returns no rows: a write. */
int store_step_done(Store *s, sqlite3_stmt *st);

/* Steps st to its end, one element of elem bytes per row, filled by
 * from_row; all or nothing: on failure what was collected is freed with
 * free_array (or free() when NULL). */
typedef int (*RowReader)(sqlite3_stmt *st, void *ret);
typedef void (*ArrayFree)(void *array, size_t n);
int store_collect_rows(Store *s, sqlite3_stmt *st, size_t elem, RowReader from_row, ArrayFree free_array,
                       void **ret, size_t *ret_n);

/* The one row a lookup by key finds: -ENOENT when there is none. */
int store_get_one(Store *s, sqlite3_stmt *st, RowReader from_row, void *ret);

/* One integer from a query with nbind bound integers: def when the query
 * has no row or gives NULL. */
int store_query_int64(Store *s, const char *sql, int nbind, const int64_t *binds, int64_t def, int64_t *ret);

/* A text column, copied; NULL for NULL (or when out of memory). */
char *store_column_strdup(sqlite3_stmt *st, int i);
int store_bind_text_or_null(sqlite3_stmt *st, int i, const char *t);
