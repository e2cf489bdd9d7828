/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"

struct Store {
        sqlite3 *db;
        char *path;
        char *error;
};

/* Each step takes the schema from version i to i+1. Never edit a released
 * step: add one. */
static const char *const migrations[] = {
        /* 1: my list and the settings */
        "CREATE TABLE items ("
        "  id INTEGER PRIMARY KEY,"
        "  side INTEGER NOT NULL CHECK (side IN (0, 1)),"
        "  uid TEXT NOT NULL,"
        "  title TEXT NOT NULL,"
        "  details TEXT NOT NULL DEFAULT '',"
        "  category INTEGER NOT NULL CHECK (category BETWEEN 0 AND 3),"
        "  intensity INTEGER NOT NULL CHECK (intensity BETWEEN 1 AND 3),"
        "  private INTEGER NOT NULL DEFAULT 0,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL,"
        "  removed INTEGER NOT NULL DEFAULT 0,"
        "  review INTEGER NOT NULL DEFAULT 0 CHECK (review BETWEEN 0 AND 3),"
        "  note TEXT,"
        "  UNIQUE (side, uid)"
        ");"
        "CREATE INDEX items_side ON items (side, removed);"
        "CREATE TABLE settings ("
        "  key TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL"
        ");",
};

int store_schema_version(void) {
        return (int) ELEMENTSOF(migrations);
}

static int errno_from_sqlite(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_DONE:
        case SQLITE_ROW:
                return 0;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
        case SQLITE_PERM:
                return -EROFS;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_CANTOPEN:
                return -EACCES;
        default:
                return -EIO;
        }
}

static int fail(Store *s, int rc) {
        free(s->error);
        s->error = strdup(sqlite3_errmsg(s->db));
        return errno_from_sqlite(rc);
}

const char *store_last_error(Store *s) {
        return s && s->error ? s->error : "no error";
}

const char *store_path(Store *s) {
        return s->path;
}

static int exec(Store *s, const char *sql) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : fail(s, rc);
}

static int prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : fail(s, rc);
}

static void finalizep(sqlite3_stmt **st) {
        sqlite3_finalize(*st);
}
#define _cleanup_stmt_ _cleanup_(finalizep)

/* Runs a statement that returns no rows. */
static int step_done(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

int store_begin(Store *s) {
        return exec(s, "BEGIN IMMEDIATE");
}

int store_commit(Store *s) {
        int r = exec(s, "COMMIT");
        if (r < 0)
                store_rollback(s);
        return r;
}

void store_rollback(Store *s) {
        if (!sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(Store *s, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "PRAGMA user_version", &st);
        if (r < 0)
                return r;
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

static int migrate(Store *s, char **ret_error) {
        int version = 0, r;

        r = user_version(s, &version);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot read %s: %s", s->path, store_last_error(s));
                return r;
        }
        if (version > store_schema_version()) {
                if (ret_error)
                        (void) asprintf(ret_error,
                                        "%s has schema version %d, newer than this closerd knows (%d): "
                                        "refusing to touch it",
                                        s->path, version, store_schema_version());
                return -EPROTO;
        }
        for (; version < store_schema_version(); version++) {
                _cleanup_free_ char *bump = NULL;
                if (asprintf(&bump, "PRAGMA user_version = %d", version + 1) < 0)
                        return -ENOMEM;
                r = store_begin(s);
                if (r >= 0)
                        r = exec(s, migrations[version]);
                if (r >= 0)
                        r = exec(s, bump);
                if (r >= 0)
                        r = store_commit(s);
                if (r < 0) {
                        store_rollback(s);
                        if (ret_error)
                                (void) asprintf(ret_error, "cannot migrate %s to schema version %d: %s",
                                                s->path, version + 1, store_last_error(s));
                        return r;
                }
        }
        return 0;
}

static int make_private_dir(const char *dir) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
                return -errno;
        return 0;
}

/* Creates the parents of the data directory the way mkdir -p does, with the
 * XDG default mode 0700 for anything new. */
static int make_parents(const char *dir) {
        _cleanup_free_ char *copy = strdup(dir);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        return 0;
}

int store_open(const char *dir, Store **ret, char **ret_error) {
        _cleanup_free_ Store *s = calloc(1, sizeof(Store));
        int r;

        if (!s)
                return -ENOMEM;
        r = make_parents(dir);
        if (r >= 0)
                r = make_private_dir(dir);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot create %s: %s", dir, strerror(-r));
                return r;
        }
        if (asprintf(&s->path, "%s/closer.db", dir) < 0)
                return -ENOMEM;

        /* Create the file ourselves so it is 0600 whatever the umask; SQLite
         * gives its -wal and -shm files the mode of the database file. */
        _cleanup_close_ int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || fchmod(fd, 0600) < 0) {
                r = -errno;
                if (ret_error)
                        (void) asprintf(ret_error, "cannot open %s: %s", s->path, strerror(-r));
                free(s->path);
                return r;
        }

        int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc != SQLITE_OK) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot open %s: %s", s->path,
                                        s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
                r = errno_from_sqlite(rc);
                goto fail;
        }
        (void) sqlite3_extended_result_codes(s->db, 1);
        (void) sqlite3_busy_timeout(s->db, 5000);

        /* journal_mode is the first read of the file: a file that is not a
         * database fails here, before anything is written. */
        r = exec(s, "PRAGMA journal_mode = WAL");
        if (r >= 0)
                r = exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot use %s: %s", s->path, store_last_error(s));
                goto fail;
        }
        r = migrate(s, ret_error);
        if (r < 0)
                goto fail;

        *ret = TAKE_PTR(s);
        return 0;
fail:
        sqlite3_close(s->db);
        free(s->path);
        free(s->error);
        return r;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        sqlite3_close(s->db);
        free(s->path);
        free(s->error);
        free(s);
        return NULL;
}

/* --- items --- */

#define ITEM_COLUMNS \
        "id, side, uid, title, details, category, intensity, private, sequence, modified, removed, review, note"

static char *column_strdup(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *) t) : NULL;
}

static int item_from_row(sqlite3_stmt *st, Side *ret_side, Item *ret) {
        Item it = {
                .id = sqlite3_column_int64(st, 0),
                .uid = column_strdup(st, 2),
                .title = column_strdup(st, 3),
                .details = column_strdup(st, 4),
                .category = (Category) sqlite3_column_int(st, 5),
                .intensity = sqlite3_column_int(st, 6),
                .private_ = sqlite3_column_int(st, 7) != 0,
                .sequence = sqlite3_column_int64(st, 8),
                .modified = sqlite3_column_int64(st, 9),
                .removed = sqlite3_column_int(st, 10) != 0,
                .review = (Review) sqlite3_column_int(st, 11),
                .note = column_strdup(st, 12),
        };
        if (!it.uid || !it.title || !it.details ||
            (sqlite3_column_type(st, 12) != SQLITE_NULL && !it.note)) {
                item_done(&it);
                return -ENOMEM;
        }
        if (ret_side)
                *ret_side = (Side) sqlite3_column_int(st, 1);
        *ret = it;
        return 0;
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *t) {
        return t ? sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int store_item_insert(Store *s, Side side, Item *item, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        bind_text_or_null(st, 13, item->note);
        r = step_done(s, st);
        if (r < 0)
                return r;
        item->id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_item_update(Store *s, const Item *item) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        bind_text_or_null(st, 11, item->note);
        sqlite3_bind_int64(st, 12, item->id);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

static int item_get_one(Store *s, sqlite3_stmt *st, Side *ret_side, Item *ret) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        return item_from_row(st, ret_side, ret);
}

int store_item_get(Store *s, int64_t id, Side *ret_side, Item *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT " ITEM_COLUMNS " FROM items WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return item_get_one(s, st, ret_side, ret);
}

int store_item_get_by_uid(Store *s, Side side, const char *uid, Item *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT " ITEM_COLUMNS " FROM items WHERE side = ? AND uid = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        return item_get_one(s, st, NULL, ret);
}

int store_item_list(Store *s, Side side, bool with_removed, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        Item *items = NULL;
        size_t n = 0, allocated = 0;
        int r = prepare(s,
                        "SELECT " ITEM_COLUMNS " FROM items WHERE side = ? AND (removed = 0 OR ?)"
                        " ORDER BY id",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_int(st, 2, with_removed);
        for (;;) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = fail(s, rc);
                        goto fail;
                }
                if (n == allocated) {
                        size_t k = allocated ? allocated * 2 : 16;
                        Item *p = reallocarray(items, k, sizeof(Item));
                        if (!p) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        items = p;
                        allocated = k;
                }
                r = item_from_row(st, NULL, &items[n]);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = items;
        *ret_n = n;
        return 0;
fail:
        item_array_free(items, n);
        return r;
}

int store_item_count(Store *s, Side side, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT count(*) FROM items WHERE side = ? AND removed = 0", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}

/* --- settings --- */

int store_setting_get(Store *s, const char *key, char **ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT value FROM settings WHERE key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        char *v = column_strdup(st, 0);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int store_setting_set(Store *s, const char *key, const char *value) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "INSERT INTO settings (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
        return step_done(s, st);
}

int store_setting_unset(Store *s, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "DELETE FROM settings WHERE key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        return step_done(s, st);
}
