/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store-private.h"

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
        /* 9: sharing (issue 17). My partner's review of my items lives in
         * the review and note of my own rows (side 0), with the revision it
         * applies to; a rain check my partner owes me as read from their
         * folder is theirs to change (shared), with the version of theirs
         * last taken (shared_seq: what I mark myself stays until they change
         * it again); an advance from their folder
         * keeps their ID; the acts they did from my list; the date-night
         * plan's entries, mine and theirs, each with its logical clock. */
        "ALTER TABLE items ADD COLUMN reviewed_sequence INTEGER;"
        "ALTER TABLE promises ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE promises ADD COLUMN shared_seq INTEGER;"
        "ALTER TABLE advances ADD COLUMN partner_id INTEGER;"
        "CREATE UNIQUE INDEX advances_partner ON advances (partner_id);"
        "CREATE TABLE partner_acts ("
        "  day INTEGER NOT NULL,"
        "  uid TEXT NOT NULL,"
        "  PRIMARY KEY (day, uid)"
        ");"
        "CREATE TABLE plan_entries ("
        "  key TEXT NOT NULL,"
        "  member TEXT NOT NULL,"
        "  value TEXT NOT NULL,"
        "  lc INTEGER NOT NULL CHECK (lc >= 1),"
        "  seen INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (key, member)"
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

int store_fail(Store *s, int rc) {
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
        store_touch(s);
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

/* Statements are compiled once and kept (store-private.h). */
int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
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
                return store_fail(s, rc);
        s->cache[i] = (CachedStmt){ .sql = sql, .st = st };
        *ret = st;
        return 0;
}

static void cache_clear(Store *s) {
        for (size_t i = 0; i < ELEMENTSOF(s->cache) && s->cache[i].sql; i++)
                sqlite3_finalize(s->cache[i].st);
        memset(s->cache, 0, sizeof(s->cache));
}

/* Runs a statement that returns no rows: a write. */
int store_step_done(Store *s, sqlite3_stmt *st) {
        store_touch(s);
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

void store_release_memory(Store *s) {
        (void) sqlite3_db_release_memory(s->db);
        (void) malloc_trim(0);
}

uint64_t store_generation(Store *s) {
        return s->generation;
}

void store_set_changed(Store *s, void (*changed)(void *userdata), void *userdata) {
        s->changed = changed;
        s->changed_userdata = userdata;
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
        store_touch(s);
        if (!sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(Store *s, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "PRAGMA user_version", &st);
        if (r < 0)
                return r;
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

/* Takes the schema from version to version + 1; bump sets user_version. */
static int migrate_step_locked(Store *s, int version, const char *bump) {
        int r = exec(s, migrations[version]);
        if (r < 0)
                return r;
        return exec(s, bump);
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
                r = STORE_TRANSACTION(s, migrate_step_locked(s, version, bump));
                if (r < 0) {
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

static int make_data_dir(const char *dir) {
        int r = make_parents(dir);
        if (r < 0)
                return r;
        return make_private_dir(dir);
}

static int set_pragmas(Store *s) {
        int r = exec(s, "PRAGMA journal_mode = WAL");
        if (r < 0)
                return r;
        return exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
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
        r = make_data_dir(dir);
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
        r = set_pragmas(s);
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

/* --- what the store's files share (store-private.h) --- */

int store_collect_rows(Store *s, sqlite3_stmt *st, size_t elem, RowReader from_row, ArrayFree free_array,
                       void **ret, size_t *ret_n) {
        char *a = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;
        for (;;) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
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

char *store_column_strdup(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *) t) : NULL;
}

int store_bind_text_or_null(sqlite3_stmt *st, int i, const char *t) {
        return t ? sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int store_get_one(Store *s, sqlite3_stmt *st, RowReader from_row, void *ret) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return from_row(st, ret);
}

int store_query_int64(Store *s, const char *sql, int nbind, const int64_t *binds, int64_t def, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        for (int i = 0; i < nbind; i++)
                sqlite3_bind_int64(st, i + 1, binds[i]);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return rc == SQLITE_DONE ? (*ret = def, 0) : store_fail(s, rc);
        *ret = sqlite3_column_type(st, 0) == SQLITE_NULL ? def : sqlite3_column_int64(st, 0);
        return 0;
}

/* --- settings --- */

int store_setting_get(Store *s, const char *key, char **ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT value FROM settings WHERE key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        char *v = store_column_strdup(st, 0);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int store_setting_set(Store *s, const char *key, const char *value) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "INSERT INTO settings (key, value) VALUES (?, ?)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st);
}

int store_setting_unset(Store *s, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "DELETE FROM settings WHERE key = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st);
}
