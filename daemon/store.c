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

        /* 2: the daily practice: acts, moods, pauses, and what was emitted */
        "CREATE TABLE acts ("
        "  id INTEGER PRIMARY KEY,"
        "  day INTEGER NOT NULL,"
        "  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"      /* 0 daily, 1 extra */
        "  item_id INTEGER REFERENCES items (id),"
        "  text TEXT,"                                          /* an extra without an item */
        "  status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),"/* 0 open, 1 done, 2 skipped */
        "  response INTEGER CHECK (response BETWEEN 1 AND 5),"
        "  note TEXT,"
        "  twist TEXT,"
        "  twist_item INTEGER REFERENCES items (id),"
        "  created INTEGER NOT NULL,"
        "  done_at INTEGER"
        ");"
        "CREATE INDEX acts_day ON acts (day, status);"
        "CREATE INDEX acts_item ON acts (item_id, day);"
        "CREATE TABLE moods ("
        "  id INTEGER PRIMARY KEY,"
        "  day INTEGER NOT NULL,"
        "  mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),"
        "  note TEXT,"
        "  created INTEGER NOT NULL"
        ");"
        "CREATE INDEX moods_day ON moods (day);"
        "CREATE TABLE pauses ("
        "  id INTEGER PRIMARY KEY,"
        "  from_day INTEGER NOT NULL,"
        "  until_day INTEGER NOT NULL"
        ");"
        "CREATE TABLE emitted ("
        "  kind TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  due INTEGER NOT NULL,"
        "  emitted INTEGER NOT NULL,"
        "  late INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (kind, key)"
        ");",

        /* 3: rain checks and initiations, date nights and time apart; the
         * indexes the stats use over a lifetime of data */
        "CREATE TABLE advances ("
        "  id INTEGER PRIMARY KEY,"
        "  at INTEGER NOT NULL,"
        "  day INTEGER NOT NULL,"
        "  by_partner INTEGER NOT NULL,"
        "  accepted INTEGER NOT NULL,"
        "  note TEXT"
        ");"
        "CREATE INDEX advances_day ON advances (day);"
        "CREATE TABLE promises ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  due INTEGER NOT NULL,"
        "  what TEXT,"
        "  place TEXT,"
        "  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3)," /* open, kept, broken, moved */
        "  advance_id INTEGER REFERENCES advances (id),"
        "  created INTEGER NOT NULL,"
        "  resolved INTEGER,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  modified INTEGER NOT NULL"
        ");"
        "CREATE INDEX promises_status ON promises (status, due);"
        "CREATE TABLE promise_moves ("
        "  id INTEGER PRIMARY KEY,"
        "  promise_id INTEGER NOT NULL REFERENCES promises (id),"
        "  from_due INTEGER NOT NULL,"
        "  to_due INTEGER NOT NULL,"
        "  by_partner INTEGER NOT NULL,"
        "  at INTEGER NOT NULL"
        ");"
        "CREATE INDEX promise_moves_promise ON promise_moves (promise_id);"
        "CREATE TABLE datenights ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  week INTEGER NOT NULL,"
        "  start INTEGER NOT NULL,"
        "  duration INTEGER NOT NULL,"
        "  mode INTEGER NOT NULL CHECK (mode BETWEEN 0 AND 2),"   /* in-person, remote, makeup */
        "  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"/* planned, happened, missed, skipped */
        "  moved INTEGER NOT NULL DEFAULT 0,"
        "  makeup_for INTEGER REFERENCES datenights (id),"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL"
        ");"
        "CREATE INDEX datenights_start ON datenights (start);"
        "CREATE INDEX datenights_week ON datenights (week);"
        "CREATE INDEX promises_created ON promises (created);"
        "CREATE INDEX advances_at ON advances (at);"
        "CREATE TABLE aways ("
        "  id INTEGER PRIMARY KEY,"
        "  from_day INTEGER NOT NULL,"
        "  to_day INTEGER NOT NULL,"
        "  created INTEGER NOT NULL"
        ");",

        /* 4: the stats read recent promises by status without a lifetime scan */
        "CREATE INDEX promises_status_created ON promises (status, created);",

        /* 5: which of my items my partner has seen: one removed before any
         * export leaves no tombstone. A list exported before this step
         * counts as seen (a tombstone carries no text anyway). */
        "ALTER TABLE items ADD COLUMN exported INTEGER NOT NULL DEFAULT 0;"
        "UPDATE items SET exported = 1"
        "  WHERE side = 0 AND EXISTS (SELECT 1 FROM settings WHERE key = 'export.revision');",
        /* 6: second chances (issue 16): an away period can be cancelled (it
         * stays, with the time of the cancel), and every outcome a person
         * gives a date night (skip, unskip, happened, missed, again) is an
         * event of its own; the night's status is the last one */
        "ALTER TABLE aways ADD COLUMN cancelled INTEGER;"
        "CREATE TABLE datenight_events ("
        "  id INTEGER PRIMARY KEY,"
        "  night_id INTEGER NOT NULL REFERENCES datenights (id),"
        "  from_status INTEGER NOT NULL CHECK (from_status BETWEEN 0 AND 3),"
        "  to_status INTEGER NOT NULL CHECK (to_status BETWEEN 0 AND 3),"
        "  at INTEGER NOT NULL"
        ");"
        "CREATE INDEX datenight_events_night ON datenight_events (night_id);"
        "CREATE INDEX datenight_events_at ON datenight_events (at);",
        /* 7: a promise is owed by me or by my partner; cancelled (4) for a
         * rain check made by mistake; every resolution and its undo is an
         * event of its own. The CHECK on status changes: the table is rebuilt
         * (and promise_moves with it, for its reference). */
        "CREATE TABLE promises_new ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  due INTEGER NOT NULL,"
        "  what TEXT,"
        "  place TEXT,"
        "  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4)," /* open, kept, broken, moved, cancelled */
        "  advance_id INTEGER REFERENCES advances (id),"
        "  created INTEGER NOT NULL,"
        "  resolved INTEGER,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  modified INTEGER NOT NULL,"
        "  owed_by INTEGER NOT NULL DEFAULT 0 CHECK (owed_by IN (0, 1))" /* me, my partner */
        ");"
        "INSERT INTO promises_new (id, uid, due, what, place, status, advance_id, created, resolved, sequence, modified)"
        "  SELECT id, uid, due, what, place, status, advance_id, created, resolved, sequence, modified FROM promises;"
        "CREATE TABLE promise_moves_new ("
        "  id INTEGER PRIMARY KEY,"
        "  promise_id INTEGER NOT NULL REFERENCES promises_new (id),"
        "  from_due INTEGER NOT NULL,"
        "  to_due INTEGER NOT NULL,"
        "  by_partner INTEGER NOT NULL,"
        "  at INTEGER NOT NULL"
        ");"
        "INSERT INTO promise_moves_new SELECT id, promise_id, from_due, to_due, by_partner, at FROM promise_moves;"
        "DROP TABLE promise_moves;"
        "DROP TABLE promises;"
        "ALTER TABLE promises_new RENAME TO promises;"
        "ALTER TABLE promise_moves_new RENAME TO promise_moves;"
        "CREATE INDEX promises_status ON promises (status, due);"
        "CREATE INDEX promises_created ON promises (created);"
        "CREATE INDEX promises_status_created ON promises (status, created);"
        "CREATE INDEX promise_moves_promise ON promise_moves (promise_id);"
        "CREATE TABLE promise_events ("
        "  id INTEGER PRIMARY KEY,"
        "  promise_id INTEGER NOT NULL REFERENCES promises (id),"
        "  status INTEGER NOT NULL CHECK (status IN (0, 1, 2, 4))," /* reopened, kept, broken, cancelled */
        "  at INTEGER NOT NULL"
        ");"
        "CREATE INDEX promise_events_promise ON promise_events (promise_id);"
        "INSERT INTO promise_events (promise_id, status, at)"
        "  SELECT id, status, resolved FROM promises WHERE status IN (1, 2) AND resolved IS NOT NULL;"
        /* A rain check on my advance declined by my partner was recorded as mine. */
        "UPDATE promises SET owed_by = 1"
        "  WHERE advance_id IN (SELECT id FROM advances WHERE by_partner = 0 AND accepted = 0);",
        /* 8: the history reads rain checks by when they were resolved or
         * moved, and the rain check of an advance, without a lifetime scan */
        "CREATE INDEX promises_resolved ON promises (resolved);"
        "CREATE INDEX promises_advance ON promises (advance_id);"
        "CREATE INDEX promise_moves_at ON promise_moves (at);",
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
        /* SQLite's words, and the system's where it has them ("disk I/O
         * error" alone does not say the disk is full). */
        int sys = sqlite3_system_errno(s->db);
        free(s->error);
        s->error = NULL;
        if (sys > 0 && asprintf(&s->error, "%s (%s)", sqlite3_errmsg(s->db), strerror(sys)) < 0)
                s->error = NULL;
        if (!s->error)
                s->error = strdup(sqlite3_errmsg(s->db));
        if (sys == ENOSPC)
                return -ENOSPC;
        return errno_from_sqlite(rc);
}

const char *store_last_error(Store *s) {
        return s && s->error ? s->error : "no error";
}

const char *store_path(Store *s) {
        return s->path;
}

static int exec(Store *s, const char *sql) {
        s->generation++;
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : fail(s, rc);
}

/* Statements are compiled once and kept, keyed by the address of their
 * SQL text (every query here is a string literal): parsing SQL was half
 * of what a call cost. A statement is released with sqlite3_reset() when
 * its _cleanup_stmt_ variable goes out of scope; none is used re-entrantly. */
static int prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
        size_t i;
        for (i = 0; i < ELEMENTSOF(s->cache) && s->cache[i].sql; i++)
                if (s->cache[i].sql == sql) {
                        *ret = s->cache[i].st;
                        return 0;
                }
        if (i == ELEMENTSOF(s->cache))
                return -ENOBUFS; /* more queries than slots: make the cache larger */
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK)
                return fail(s, rc);
        s->cache[i] = (CachedStmt){ .sql = sql, .st = st };
        *ret = st;
        return 0;
}

static void releasep(sqlite3_stmt **st) {
        if (!*st)
                return;
        (void) sqlite3_reset(*st);
        (void) sqlite3_clear_bindings(*st);
}
#define _cleanup_stmt_ _cleanup_(releasep)

static void cache_clear(Store *s) {
        for (size_t i = 0; i < ELEMENTSOF(s->cache) && s->cache[i].sql; i++)
                sqlite3_finalize(s->cache[i].st);
        memset(s->cache, 0, sizeof(s->cache));
}

/* Runs a statement that returns no rows. */
/* Runs a statement that returns no rows: a write. */
static int step_done(Store *s, sqlite3_stmt *st) {
        s->generation++;
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

uint64_t store_generation(Store *s) {
        return s->generation;
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
        s->generation++;
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
        /* Generations never repeat across the stores of a process: a cache
         * keyed by one cannot take another store's data for its own. */
        static uint64_t opened;
        s->generation = ++opened << 32;
        r = make_parents(dir);
        if (r >= 0)
                r = make_private_dir(dir);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot create %s: %s", dir, strerror(-r));
                /* cppcheck-suppress memleak ; s is freed by its cleanup attribute */
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

        /* A file that is not empty must be an SQLite database: anything else
         * is refused before SQLite could take it for a new one. */
        struct stat st;
        char magic[16];
        if (fstat(fd, &st) < 0) {
                r = -errno;
                free(s->path);
                return r;
        }
        if (st.st_size > 0 && (pread(fd, magic, sizeof(magic), 0) != (ssize_t) sizeof(magic) ||
                               memcmp(magic, "SQLite format 3", 16) != 0)) {
                if (ret_error)
                        (void) asprintf(ret_error, "%s is not an SQLite database: refusing to touch it", s->path);
                free(s->path);
                return -EBADMSG;
        }

        /* closerd has one thread and one connection: no locks inside SQLite,
         * no memory statistics (a global lock on every allocation). A no-op
         * when SQLite was initialized already. */
        (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                                 NULL);
        if (rc != SQLITE_OK) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot open %s: %s", s->path,
                                        s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
                r = errno_from_sqlite(rc);
                goto fail;
        }
        (void) sqlite3_extended_result_codes(s->db, 1);
        (void) sqlite3_busy_timeout(s->db, 5000);

        /* The version is read before anything is written (switching to WAL
         * is a write): a database of a newer closerd stays as it is. */
        int version = 0;
        r = user_version(s, &version);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "cannot read %s: %s", s->path, store_last_error(s));
                goto fail;
        }
        if (version > store_schema_version()) {
                if (ret_error)
                        (void) asprintf(ret_error,
                                        "%s has schema version %d, newer than this closerd knows (%d): "
                                        "refusing to touch it",
                                        s->path, version, store_schema_version());
                r = -EPROTO;
                goto fail;
        }
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
        cache_clear(s);
        sqlite3_close(s->db);
        free(s->path);
        free(s->error);
        return r;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        cache_clear(s);
        sqlite3_close(s->db);
        free(s->path);
        free(s->error);
        free(s);
        return NULL;
}

/* Steps st to its end, one element of elem bytes per row, filled by
 * from_row; all or nothing: on failure what was collected is freed with
 * free_array (or free() when NULL). */
typedef int (*RowReader)(sqlite3_stmt *st, void *ret);
typedef void (*ArrayFree)(void *array, size_t n);

static int collect_rows(Store *s, sqlite3_stmt *st, size_t elem, RowReader from_row, ArrayFree free_array,
                        void **ret, size_t *ret_n) {
        char *a = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;
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
                        char *q = reallocarray(a, k, elem);
                        if (!q) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        a = q;
                        allocated = k;
                }
                r = from_row(st, a + n * elem);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = a;
        *ret_n = n;
        return 0;
fail:
        if (free_array)
                free_array(a, n);
        else
                free(a);
        return r;
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

static int promise_row(sqlite3_stmt *st, void *ret);
static int dn_row(sqlite3_stmt *st, void *ret);

/* The one row a lookup by key finds: -ENOENT when there is none. */
static int get_one(Store *s, sqlite3_stmt *st, RowReader from_row, void *ret) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        return from_row(st, ret);
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

static int item_row(sqlite3_stmt *st, void *ret) {
        return item_from_row(st, NULL, ret);
}

static void item_array_free_void(void *a, size_t n) {
        item_array_free(a, n);
}

int store_item_list(Store *s, Side side, bool with_removed, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "SELECT " ITEM_COLUMNS " FROM items WHERE side = ? AND (removed = 0 OR ?)"
                        " ORDER BY id",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, side);
        sqlite3_bind_int(st, 2, with_removed);
        return collect_rows(s, st, sizeof(Item), item_row, item_array_free_void, (void **) ret, ret_n);
}

int store_item_list_exportable(Store *s, Item **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "SELECT " ITEM_COLUMNS " FROM items WHERE side = 0 AND (removed = 0 OR exported = 1)"
                        " ORDER BY id",
                        &st);
        if (r < 0)
                return r;
        return collect_rows(s, st, sizeof(Item), item_row, item_array_free_void, (void **) ret, ret_n);
}

int store_items_mark_exported(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE items SET exported = 1 WHERE side = 0 AND removed = 0 AND exported = 0", &st);
        if (r < 0)
                return r;
        return step_done(s, st);
}

int store_partner_forget(Store *s, int64_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE items SET removed = 1 WHERE side = 1 AND removed = 0", &st);
        if (r < 0)
                return r;
        r = step_done(s, st);
        if (r < 0)
                return r;
        *ret_n = sqlite3_changes(s->db);
        return 0;
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
                .note = column_strdup(st, 6),
                .twist = column_strdup(st, 7),
                .twist_item = sqlite3_column_int64(st, 8),
                .title = column_strdup(st, 9),
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
                act_done(&a);
                return -ENOMEM;
        }
        *ret = a;
        return 0;
}

void act_done(Act *a) {
        if (!a)
                return;
        free(a->note);
        free(a->twist);
        free(a->title);
        memset(a, 0, sizeof(*a));
}

int store_act_current(Store *s, int64_t day, Act *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
                return fail(s, rc);
        return act_from_row(st, ret);
}

static int int64_row(sqlite3_stmt *st, void *ret) {
        *(int64_t *) ret = sqlite3_column_int64(st, 0);
        return 0;
}

int store_act_drop_open(Store *s, int64_t act_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "DELETE FROM acts WHERE id = ? AND status = 0", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, act_id);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_acts_drop_open_of_removed(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "DELETE FROM acts WHERE kind = 0 AND status = 0 AND item_id IN"
                        " (SELECT id FROM items WHERE side = 1 AND removed = 1)",
                        &st);
        if (r < 0)
                return r;
        return step_done(s, st);
}

int store_act_skipped_items(Store *s, int64_t day, int64_t **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT item_id FROM acts WHERE day = ? AND kind = 0 AND status = 2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        return collect_rows(s, st, sizeof(int64_t), int64_row, NULL, (void **) ret, ret_n);
}

int store_act_insert(Store *s, Act *a, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        bind_text_or_null(st, 4, a->item_id > 0 ? NULL : a->title);
        sqlite3_bind_int(st, 5, a->status);
        if (a->response > 0)
                sqlite3_bind_int(st, 6, a->response);
        else
                sqlite3_bind_null(st, 6);
        bind_text_or_null(st, 7, a->note);
        bind_text_or_null(st, 8, a->twist);
        if (a->twist_item > 0)
                sqlite3_bind_int64(st, 9, a->twist_item);
        else
                sqlite3_bind_null(st, 9);
        sqlite3_bind_int64(st, 10, (int64_t) now);
        if (a->status == ACT_DONE)
                sqlite3_bind_int64(st, 11, (int64_t) now);
        else
                sqlite3_bind_null(st, 11);
        r = step_done(s, st);
        if (r < 0)
                return r;
        a->id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_act_update(Store *s, const Act *a) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE acts SET status = ?, response = ?, note = ?, done_at = ? WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, a->status);
        if (a->response > 0)
                sqlite3_bind_int(st, 2, a->response);
        else
                sqlite3_bind_null(st, 2);
        bind_text_or_null(st, 3, a->note);
        if (a->done_at > 0)
                sqlite3_bind_int64(st, 4, a->done_at);
        else
                sqlite3_bind_null(st, 4);
        sqlite3_bind_int64(st, 5, a->id);
        r = step_done(s, st);
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
        int r = prepare(s,
                        "SELECT i.id, i.intensity, i.review,"
                        " (SELECT max(a.day) FROM acts a WHERE a.item_id = i.id AND (a.kind = 0 OR a.status = 1)),"
                        " (SELECT count(*) FROM acts a WHERE a.item_id = i.id AND a.status = 1),"
                        " (SELECT avg(a.response) FROM acts a WHERE a.item_id = i.id AND a.response IS NOT NULL)"
                        " FROM items i WHERE i.side = 1 AND i.removed = 0 ORDER BY i.id",
                        &st);
        if (r < 0)
                return r;
        return collect_rows(s, st, sizeof(PickCandidate), candidate_row, NULL, (void **) ret, ret_n);
}

/* One integer from a query with one bound day (or none). */
static int query_int64(Store *s, const char *sql, int nbind, const int64_t *binds, int64_t def, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, sql, &st);
        if (r < 0)
                return r;
        for (int i = 0; i < nbind; i++)
                sqlite3_bind_int64(st, i + 1, binds[i]);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return rc == SQLITE_DONE ? (*ret = def, 0) : fail(s, rc);
        *ret = sqlite3_column_type(st, 0) == SQLITE_NULL ? def : sqlite3_column_int64(st, 0);
        return 0;
}

int store_act_rerolls(Store *s, int64_t day, int64_t *ret) {
        return query_int64(s, "SELECT count(*) FROM acts WHERE day = ? AND kind = 0 AND status = 2", 1, &day, 0, ret);
}

int store_last_done_day(Store *s, int64_t *ret) {
        return query_int64(s, "SELECT max(day) FROM acts WHERE status = 1", 0, NULL, INT64_MIN, ret);
}

int store_acts_done_between(Store *s, int64_t from_day, int64_t to_day, int64_t *ret) {
        int64_t b[] = { from_day, to_day };
        return query_int64(s, "SELECT count(*) FROM acts WHERE status = 1 AND day BETWEEN ? AND ?", 2, b, 0, ret);
}

int store_done_days_desc(Store *s, int64_t before_day, size_t max, int64_t *days, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n = 0;
        int r = prepare(s, "SELECT DISTINCT day FROM acts WHERE status = 1 AND day <= ? ORDER BY day DESC LIMIT ?",
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
                        return fail(s, rc);
                days[n++] = sqlite3_column_int64(st, 0);
        }
        *ret_n = n;
        return 0;
}

int store_mood_insert(Store *s, int64_t day, int mood, const char *note, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "INSERT INTO moods (day, mood, note, created) VALUES (?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, day);
        sqlite3_bind_int(st, 2, mood);
        bind_text_or_null(st, 3, note);
        sqlite3_bind_int64(st, 4, (int64_t) now);
        return step_done(s, st);
}

static int pause_row(sqlite3_stmt *st, void *ret) {
        *(Pause *) ret = (Pause){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2) };
        return 0;
}

int store_pauses(Store *s, Pause **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT id, from_day, until_day FROM pauses ORDER BY from_day", &st);
        if (r < 0)
                return r;
        return collect_rows(s, st, sizeof(Pause), pause_row, NULL, (void **) ret, ret_n);
}

int store_pause_set(Store *s, const Pause *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = p->id > 0 ? prepare(s, "UPDATE pauses SET from_day = ?, until_day = ? WHERE id = ?", &st)
                          : prepare(s, "INSERT INTO pauses (from_day, until_day) VALUES (?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, p->from_day);
        sqlite3_bind_int64(st, 2, p->until_day);
        if (p->id > 0)
                sqlite3_bind_int64(st, 3, p->id);
        return step_done(s, st);
}

int store_pause_delete(Store *s, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "DELETE FROM pauses WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return step_done(s, st);
}

int store_emitted_claim(Store *s, const char *kind, const char *key, time_t due, time_t now, bool late) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int store_emitted_has(Store *s, const char *kind, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT 1 FROM emitted WHERE kind = ? AND key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

/* --- rain checks and initiations --- */

void promise_done(Promise *p) {
        if (!p)
                return;
        free(p->uid);
        free(p->what);
        free(p->where);
        memset(p, 0, sizeof(*p));
}

void promise_array_free(Promise *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                promise_done(&p[i]);
        free(p);
}

#define PROMISE_COLUMNS "id, uid, due, what, place, status, advance_id, created, resolved, sequence, modified, owed_by"

static int promise_from_row(sqlite3_stmt *st, Promise *ret) {
        Promise p = {
                .id = sqlite3_column_int64(st, 0),
                .uid = column_strdup(st, 1),
                .due = sqlite3_column_int64(st, 2),
                .what = column_strdup(st, 3),
                .where = column_strdup(st, 4),
                .status = (PromiseStatus) sqlite3_column_int(st, 5),
                .advance_id = sqlite3_column_int64(st, 6),
                .created = sqlite3_column_int64(st, 7),
                .resolved = sqlite3_column_int64(st, 8),
                .sequence = sqlite3_column_int64(st, 9),
                .modified = sqlite3_column_int64(st, 10),
                .owed_by_partner = sqlite3_column_int(st, 11) != 0,
        };
        if (!p.uid || (sqlite3_column_type(st, 3) != SQLITE_NULL && !p.what) ||
            (sqlite3_column_type(st, 4) != SQLITE_NULL && !p.where)) {
                promise_done(&p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

int store_advance_insert(Store *s, int64_t day, time_t at, bool by_partner, bool accepted, const char *note,
                         int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "INSERT INTO advances (at, day, by_partner, accepted, note) VALUES (?, ?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) at);
        sqlite3_bind_int64(st, 2, day);
        sqlite3_bind_int(st, 3, by_partner);
        sqlite3_bind_int(st, 4, accepted);
        bind_text_or_null(st, 5, note);
        r = step_done(s, st);
        if (r >= 0)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return r;
}

int store_promise_insert(Store *s, Promise *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "INSERT INTO promises (uid, due, what, place, status, advance_id, created, sequence, modified,"
                        " owed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, p->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (int64_t) p->due);
        bind_text_or_null(st, 3, p->what);
        bind_text_or_null(st, 4, p->where);
        sqlite3_bind_int(st, 5, p->status);
        if (p->advance_id > 0)
                sqlite3_bind_int64(st, 6, p->advance_id);
        else
                sqlite3_bind_null(st, 6);
        sqlite3_bind_int64(st, 7, (int64_t) p->created);
        sqlite3_bind_int64(st, 8, p->sequence);
        sqlite3_bind_int64(st, 9, (int64_t) p->modified);
        sqlite3_bind_int(st, 10, p->owed_by_partner);
        r = step_done(s, st);
        if (r >= 0)
                p->id = sqlite3_last_insert_rowid(s->db);
        return r;
}

int store_promise_update(Store *s, const Promise *p) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE promises SET due = ?, status = ?, resolved = ?, sequence = ?, modified = ? WHERE id = ?",
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
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_promise_get(Store *s, int64_t id, Promise *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT " PROMISE_COLUMNS " FROM promises WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return get_one(s, st, promise_row, ret);
}

static int promise_row(sqlite3_stmt *st, void *ret) {
        return promise_from_row(st, ret);
}

static void promise_array_free_void(void *a, size_t n) {
        promise_array_free(a, n);
}

int store_promise_list(Store *s, bool active_only, Promise **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        active_only ? "SELECT " PROMISE_COLUMNS " FROM promises WHERE status IN (0, 3) ORDER BY due, id"
                                    : "SELECT " PROMISE_COLUMNS " FROM promises ORDER BY due, id",
                        &st);
        if (r < 0)
                return r;
        return collect_rows(s, st, sizeof(Promise), promise_row, promise_array_free_void, (void **) ret, ret_n);
}

int store_promise_move_insert(Store *s, int64_t promise_id, time_t from, time_t to, bool by_partner, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "INSERT INTO promise_moves (promise_id, from_due, to_due, by_partner, at) VALUES (?, ?, ?, ?, ?)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, promise_id);
        sqlite3_bind_int64(st, 2, (int64_t) from);
        sqlite3_bind_int64(st, 3, (int64_t) to);
        sqlite3_bind_int(st, 4, by_partner);
        sqlite3_bind_int64(st, 5, (int64_t) at);
        return step_done(s, st);
}

int store_promise_event_insert(Store *s, int64_t promise_id, PromiseStatus status, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "INSERT INTO promise_events (promise_id, status, at) VALUES (?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, promise_id);
        sqlite3_bind_int(st, 2, status);
        sqlite3_bind_int64(st, 3, (int64_t) at);
        return step_done(s, st);
}

/* The counters of the promises owed by side (0 me, 1 my partner), six
 * columns; from_day (?1) bounds the promises by their creation. */
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

int store_promise_counters(Store *s, int64_t from_day, PromiseCounters *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* from_day bounds the promises by their creation; INT64_MIN for all. */
        int r = prepare(s,
                        "SELECT" PROMISE_SIDE_COUNTERS("0") PROMISE_SIDE_COUNTERS("1")
                        " (SELECT count(*) FROM advances a WHERE a.by_partner = 0 AND a.at >= ?1),"
                        " (SELECT count(*) FROM advances a WHERE a.by_partner = 0 AND a.accepted = 1 AND a.at >= ?1),"
                        " (SELECT count(*) FROM advances a WHERE a.by_partner = 1 AND a.at >= ?1),"
                        " (SELECT count(*) FROM advances a WHERE a.by_partner = 1 AND a.accepted = 1 AND a.at >= ?1)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from_day);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return fail(s, rc);
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
                .uid = column_strdup(st, 1),
                .sequence = sqlite3_column_int64(st, 9),
                .modified = sqlite3_column_int64(st, 10),
        };
        if (!d.uid)
                return -ENOMEM;
        *ret = d;
        return 0;
}

void datenight_array_free(DateNight *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(d[i].uid);
        free(d);
}

int store_dn_insert(Store *s, DateNight *d, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        r = step_done(s, st);
        if (r >= 0)
                d->night.id = sqlite3_last_insert_rowid(s->db);
        return r;
}

int store_dn_update(Store *s, const DateNight *d) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_dn_get(Store *s, int64_t id, DateNight *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT " DN_COLUMNS " FROM datenights WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return get_one(s, st, dn_row, ret);
}

static int dn_row(sqlite3_stmt *st, void *ret) {
        return dn_from_row(st, ret);
}

static void datenight_array_free_void(void *a, size_t n) {
        datenight_array_free(a, n);
}

int store_dn_list(Store *s, time_t since, DateNight **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* A night counts from its end, so one under way is listed; no night
         * lasts over a day (DN_DURATION_MAX), which bounds the index range. */
        int r = prepare(s,
                        "SELECT " DN_COLUMNS " FROM datenights WHERE start > ?1 - 86400 AND start + duration > ?1"
                        " ORDER BY start, id",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) since);
        return collect_rows(s, st, sizeof(DateNight), dn_row, datenight_array_free_void, (void **) ret, ret_n);
}

int store_away_insert(Store *s, const DnAway *a, time_t now, int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "INSERT INTO aways (from_day, to_day, created) VALUES (?, ?, ?)", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, a->from_day);
        sqlite3_bind_int64(st, 2, a->to_day);
        sqlite3_bind_int64(st, 3, (int64_t) now);
        r = step_done(s, st);
        if (r >= 0 && ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return r;
}

static int away_row(sqlite3_stmt *st, void *ret) {
        *(DnAway *) ret = (DnAway){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) };
        return 0;
}

int store_away_list(Store *s, int64_t since_day, DnAway **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "SELECT from_day, to_day FROM aways WHERE to_day >= ? AND cancelled IS NULL ORDER BY from_day",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, since_day);
        return collect_rows(s, st, sizeof(DnAway), away_row, NULL, (void **) ret, ret_n);
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
        int r = prepare(s,
                        "SELECT id, from_day, to_day FROM aways WHERE cancelled IS NULL ORDER BY from_day, id",
                        &st);
        if (r < 0)
                return r;
        return collect_rows(s, st, sizeof(AwayPeriod), away_period_row, NULL, (void **) ret, ret_n);
}

int store_away_get(Store *s, int64_t id, AwayPeriod *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "SELECT id, from_day, to_day FROM aways WHERE id = ? AND cancelled IS NULL", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return get_one(s, st, away_period_row, ret);
}

int store_away_cancel(Store *s, int64_t id, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE aways SET cancelled = ? WHERE id = ? AND cancelled IS NULL", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) now);
        sqlite3_bind_int64(st, 2, id);
        r = step_done(s, st);
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
        int r = prepare(s,
                        "SELECT (SELECT count(*) FROM datenights WHERE start >= ?1 AND start < ?2 AND mode = 1),"
                        " (SELECT count(*) FROM datenights mk JOIN datenights n ON mk.makeup_for = n.id"
                        "  WHERE n.start >= ?1 AND n.start < ?2 AND n.mode = 1 AND mk.status = 0)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) from);
        sqlite3_bind_int64(st, 2, (int64_t) to);
        int64_t c[2] = {};
        r = get_one(s, st, two_counts_row, c);
        if (r < 0)
                return r;
        *ret_nights = c[0];
        *ret_makeups = c[1];
        return 0;
}

int store_dn_event_insert(Store *s, int64_t night_id, DnStatus from, DnStatus to, time_t at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "INSERT INTO datenight_events (night_id, from_status, to_status, at) VALUES (?, ?, ?, ?)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, night_id);
        sqlite3_bind_int(st, 2, from);
        sqlite3_bind_int(st, 3, to);
        sqlite3_bind_int64(st, 4, (int64_t) at);
        return step_done(s, st);
}

int store_dn_trim(Store *s, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "DELETE FROM datenights WHERE (id = ?1 OR makeup_for = ?1) AND NOT EXISTS"
                        " (SELECT 1 FROM datenight_events e JOIN datenights x ON e.night_id = x.id"
                        "  WHERE x.id = ?1 OR x.makeup_for = ?1)",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

/* --- stats --- */

int store_stats_days(Store *s, int64_t from_day, int64_t to_day, StatsDay *days) {
        _cleanup_stmt_ sqlite3_stmt *acts = NULL, *resp = NULL, *moods = NULL;
        size_t n = (size_t) (to_day - from_day + 1);
        int r;

        for (size_t i = 0; i < n; i++)
                days[i] = (StatsDay){ .day = from_day + (int64_t) i };
        r = prepare(s, "SELECT day, count(*) FROM acts WHERE status = 1 AND day BETWEEN ? AND ? GROUP BY day", &acts);
        if (r >= 0)
                r = prepare(s,
                            "SELECT day, sum(response), count(response) FROM acts"
                            " WHERE status = 1 AND response IS NOT NULL AND day BETWEEN ? AND ? GROUP BY day",
                            &resp);
        if (r >= 0)
                /* The day's mood is the last one recorded that day. */
                r = prepare(s,
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
                                return fail(s, rc);
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
                .title = column_strdup(st, 1),
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
        int r = prepare(s,
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
        return collect_rows(s, st, sizeof(StatsItem), stats_item_row, stats_items_free_void, (void **) ret, ret_n);
}

void stats_items_free(StatsItem *it, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(it[i].title);
        free(it);
}

int store_stats_acts(Store *s, int64_t from_day, int64_t to_day, StatsActs *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
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
                return fail(s, rc);
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
        int r = prepare(s,
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
                        return fail(s, rc);
                int mode = sqlite3_column_int(st, 0), status = sqlite3_column_int(st, 1);
                if (mode >= 0 && mode < 3 && status >= 0 && status < 4)
                        counts[mode][status] = sqlite3_column_int64(st, 2);
        }
        return 0;
}

int store_longest_streak(Store *s, int64_t *ret) {
        /* Runs of consecutive days: within a run, day - its rank is constant. */
        return query_int64(s,
                           "SELECT max(n) FROM (SELECT count(*) AS n FROM"
                           " (SELECT day - row_number() OVER (ORDER BY day) AS run FROM"
                           " (SELECT DISTINCT day FROM acts WHERE status = 1)) GROUP BY run)",
                           0, NULL, 0, ret);
}

int store_item_usage(Store *s, int64_t item_id, ItemUsage *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "SELECT count(*), avg(response), count(response), max(day) FROM acts"
                        " WHERE item_id = ? AND status = 1",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, item_id);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return fail(s, rc);
        *ret = (ItemUsage){
                .done = sqlite3_column_int64(st, 0),
                .response = sqlite3_column_double(st, 1),
                .responses = sqlite3_column_int64(st, 2),
                .last_day = sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3),
        };
        return 0;
}

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
                .title = column_strdup(st, 5),
                .category = sqlite3_column_type(st, 6) == SQLITE_NULL ? _CATEGORY_INVALID
                                                                        : (Category) sqlite3_column_int(st, 6),
                .private_ = sqlite3_column_int(st, 7) != 0,
                .status = sqlite3_column_int(st, 8),
                .value = sqlite3_column_int(st, 9),
                .note = column_strdup(st, 10),
                .what = column_strdup(st, 11),
                .where = column_strdup(st, 12),
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
                        history_row_done(h);
                        return -ENOMEM;
                }
        return 0;
}

void history_row_done(HistoryRow *h) {
        free(h->title);
        free(h->note);
        free(h->what);
        free(h->where);
        memset(h, 0, sizeof(*h));
}

void history_rows_free(HistoryRow *h, size_t n) {
        for (size_t i = 0; i < n; i++)
                history_row_done(&h[i]);
        free(h);
}

static void history_rows_free_void(void *a, size_t n) {
        history_rows_free(a, n);
}

int store_history(Store *s, int64_t from_day, int64_t to_day, time_t from, time_t to, int64_t item_id,
                  size_t max_per_kind, HistoryRow **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, HISTORY_SQL, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from_day);
        sqlite3_bind_int64(st, 2, to_day);
        sqlite3_bind_int64(st, 3, (int64_t) from);
        sqlite3_bind_int64(st, 4, (int64_t) to);
        sqlite3_bind_int64(st, 5, (int64_t) max_per_kind);
        sqlite3_bind_int64(st, 6, item_id);
        return collect_rows(s, st, sizeof(HistoryRow), history_row, history_rows_free_void, (void **) ret, ret_n);
}

int store_last_twist_day(Store *s, int64_t *ret) {
        return query_int64(s, "SELECT max(day) FROM acts WHERE kind = 0 AND status != 2 AND twist IS NOT NULL",
                           0, NULL, INT64_MIN, ret);
}

int store_dn_touch_planned(Store *s, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE datenights SET sequence = sequence + 1, modified = ?1 WHERE status = 0 AND start > ?1",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t) now);
        return step_done(s, st);
}
