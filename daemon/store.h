/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * store.h: everything closerd keeps, in one SQLite database
 * ($XDG_DATA_HOME/closer/closer.db, SPEC 7). SQL lives here and only here;
 * every value is a bound parameter. Functions return 0 or a negative errno
 * (-ENOENT no such row, -ENOSPC disk full, -EROFS read-only, -EBADMSG
 * corrupt, -EBUSY locked, -EEXIST constraint, -EIO anything else) and never
 * log: store_last_error() has SQLite's words for the caller to log once.
 *
 * The schema is versioned with PRAGMA user_version and migrated forward one
 * step at a time; a database from a newer closerd is refused, never touched.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "item.h"

typedef struct Store Store;

typedef enum Side {
        SIDE_MINE = 0,
        SIDE_PARTNER = 1,
} Side;

int store_schema_version(void); /* the version this build migrates to */

/* Opens (creating when missing) dir/closer.db; dir is created 0700, the file
 * 0600. On failure *ret_error (if given) gets an allocated one-line reason. */
int store_open(const char *dir, Store **ret, char **ret_error);
/* Opens an existing database file for a test or a tool, with no migration. */
Store *store_free(Store *s);
const char *store_last_error(Store *s);
const char *store_path(Store *s);

/* Transactions: BEGIN IMMEDIATE, so read-modify-write never races. */
int store_begin(Store *s);
int store_commit(Store *s);
void store_rollback(Store *s);

/* Items. Strings in *item are copied; item->id is set on insert. */
int store_item_insert(Store *s, Side side, Item *item, time_t now);
int store_item_update(Store *s, const Item *item);
int store_item_get(Store *s, int64_t id, Side *ret_side, Item *ret);
int store_item_get_by_uid(Store *s, Side side, const char *uid, Item *ret);
/* Active items (not removed) unless with_removed; ordered by id. */
int store_item_list(Store *s, Side side, bool with_removed, Item **ret, size_t *ret_n);
int store_item_count(Store *s, Side side, int64_t *ret);

/* Settings: text values under a key; -ENOENT when unset. */
int store_setting_get(Store *s, const char *key, char **ret);
int store_setting_set(Store *s, const char *key, const char *value);
int store_setting_unset(Store *s, const char *key);
