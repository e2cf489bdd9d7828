/* SPDX-License-Identifier: MIT */
/*
 * test-store: the SQLite store (daemon/store.c and store-*.c), each case in a fresh
 * directory under /tmp: file and directory modes whatever the umask, the
 * schema version, items of both sides (insert, get, get by uid, update,
 * list, count, tombstones, the UNIQUE (side, uid) constraint), settings,
 * transactions, reopening, migration from a frozen version 1 database, and
 * the files store_open must refuse without touching: a newer schema, garbage.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "item.h"
#include "macro.h"
#include "store.h"

#define NOW ((time_t) 1700000000)

/* Schema version 1 exactly as closerd 0.1 created it: the first step of
 * migrations[] in daemon/store.c, frozen here. Never edit this copy when the
 * schema moves on: it stands for the databases already out there. */
static const char v1_schema[] =
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
        ");";

typedef struct Fixture {
        char tmp[64];   /* the mkdtemp() directory, removed by teardown */
        char *parent;   /* tmp/data: not there yet */
        char *dir;      /* tmp/data/closer: the store's directory, not there yet */
        char *db;       /* dir/closer.db */
        char *before;   /* a file's contents to compare against, freed by teardown */
} Fixture;

/* --- helpers --- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        /* Make directories writable first so nothing in them is left over. */
        if (flag == FTW_DP)
                (void) chmod(path, 0700);
        return remove(path) < 0 ? -1 : 0;
}

static void rm_rf(const char *path) {
        (void) chmod(path, 0700);
        (void) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *join(const char *a, const char *b) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", a, b) >= 0);
        return p;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        if (!f)
                return -1;
        strcpy(f->tmp, "/tmp/test-store-XXXXXX");
        if (!mkdtemp(f->tmp)) {
                free(f);
                return -1;
        }
        if (asprintf(&f->parent, "%s/data", f->tmp) < 0 ||
            asprintf(&f->dir, "%s/closer", f->parent) < 0 ||
            asprintf(&f->db, "%s/closer.db", f->dir) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        if (!f)
                return 0;
        rm_rf(f->tmp);
        free(f->parent);
        free(f->dir);
        free(f->db);
        free(f->before);
        free(f);
        return 0;
}

static Store *open_ok(const char *dir) {
        Store *s = NULL;
        char *error = NULL;
        int r = store_open(dir, &s, &error);

        if (r < 0)
                print_error("store_open(%s): %d %s\n", dir, r, error ? error : "(no reason)");
        assert_int_equal(r, 0);
        assert_null(error);
        assert_non_null(s);
        return s;
}

static void sql_exec(sqlite3 *db, const char *sql) {
        char *error = NULL;
        int rc = sqlite3_exec(db, sql, NULL, NULL, &error);

        if (rc != SQLITE_OK)
                print_error("%s: %s\n", sql, error ? error : sqlite3_errstr(rc));
        sqlite3_free(error);
        assert_int_equal(rc, SQLITE_OK);
}

static sqlite3 *sql_open(const char *path, int flags) {
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open_v2(path, &db, flags, NULL), SQLITE_OK);
        return db;
}

static int64_t sql_int(sqlite3 *db, const char *sql) {
        sqlite3_stmt *st = NULL;

        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

/* PRAGMA user_version of a database file, read with a connection of our own. */
static int file_user_version(const char *path) {
        sqlite3 *db = sql_open(path, SQLITE_OPEN_READWRITE);
        int v = (int) sql_int(db, "PRAGMA user_version");

        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        return v;
}

static void write_file(const char *path, const void *data, size_t n) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, n), (ssize_t) n);
        assert_int_equal(close(fd), 0);
}

static char *read_file(const char *path, size_t *ret_n) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        char *buf = malloc((size_t) st.st_size + 1);
        assert_non_null(buf);
        size_t n = 0;
        for (;;) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size + 1 - n);
                assert_true(k >= 0);
                if (k == 0)
                        break;
                n += (size_t) k;
                assert_true(n <= (size_t) st.st_size);
        }
        close(fd);
        *ret_n = n;
        return buf;
}

/* Frees what it read before failing, so a failure does not show up as a leak
 * under the sanitizers as well. */
static void assert_same_contents(const char *path, const char *before, size_t before_n) {
        size_t n, differ = 0;
        char *after = read_file(path, &n);

        for (size_t i = 0; i < n && i < before_n; i++)
                if (after[i] != before[i] && differ++ < 16)
                        print_error("%s: byte %zu was 0x%02x, now 0x%02x\n", path, i,
                                    (unsigned char) before[i], (unsigned char) after[i]);
        free(after);
        if (n != before_n)
                fail_msg("%s: was %zu bytes, now %zu", path, before_n, n);
        if (differ > 0)
                fail_msg("%s: %zu bytes changed", path, differ);
}

static mode_t mode_of(const char *path) {
        struct stat st;

        assert_int_equal(lstat(path, &st), 0);
        return st.st_mode;
}

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* An item with every field set; strings are the caller's literals. */
static Item make_item(const char *uid, const char *title) {
        return (Item) {
                .uid = (char *) uid,
                .title = (char *) title,
                .details = (char *) "some details\nover two lines",
                .category = CATEGORY_LUST,
                .intensity = 3,
                .private_ = true,
                .sequence = 7,
                .modified = NOW - 60,
                .removed = false,
                .review = REVIEW_NEW,
                .note = NULL,
        };
}

static void assert_item_equal(const Item *got, const Item *want) {
        assert_int_equal(got->id, want->id);
        assert_string_equal(got->uid, want->uid);
        assert_string_equal(got->title, want->title);
        assert_non_null(got->details);
        assert_string_equal(got->details, want->details ? want->details : "");
        assert_int_equal(got->category, want->category);
        assert_int_equal(got->intensity, want->intensity);
        assert_int_equal(got->private_, want->private_);
        assert_int_equal(got->sequence, want->sequence);
        assert_int_equal(got->modified, want->modified);
        assert_int_equal(got->removed, want->removed);
        assert_int_equal(got->review, want->review);
        if (want->note)
                assert_string_equal(got->note, want->note);
        else
                assert_null(got->note);
}

static int64_t count(Store *s, Side side) {
        int64_t n = -1;

        assert_int_equal(store_item_count(s, side, &n), 0);
        return n;
}

static void insert_ok(Store *s, Side side, Item *it) {
        it->id = 0;
        assert_int_equal(store_item_insert(s, side, it, NOW), 0);
        assert_true(it->id > 0);
}

/* Builds a database at schema version 1 with the sqlite3 API alone: one item
 * of each side and a setting. wal picks the journal mode it is left in. */
static void make_v1_database(const char *path, bool wal) {
        sqlite3 *db = sql_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

        if (wal)
                sql_exec(db, "PRAGMA journal_mode = WAL");
        sql_exec(db, "BEGIN");
        sql_exec(db, v1_schema);
        sql_exec(db,
                 "INSERT INTO items (id, side, uid, title, details, category, intensity, private,"
                 " sequence, created, modified, removed, review, note) VALUES"
                 " (42, 0, 'v1-mine', 'From version 1', 'kept\nas is', 2, 3, 1, 5, 1600000000,"
                 "  1600000100, 0, 0, NULL),"
                 " (43, 1, 'v1-partner', 'Theirs', '', 1, 1, 0, 9, 1600000000,"
                 "  1600000200, 0, 2, 'talk first')");
        sql_exec(db, "INSERT INTO settings (key, value) VALUES ('v1-key', 'v1-value')");
        sql_exec(db, "PRAGMA user_version = 1");
        sql_exec(db, "COMMIT");
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A database claiming a schema one step newer than this build knows. */
static void make_newer_database(const char *path, bool wal) {
        sqlite3 *db = sql_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        _cleanup_free_ char *bump = NULL;

        assert_true(asprintf(&bump, "PRAGMA user_version = %d", store_schema_version() + 1) >= 0);
        if (wal)
                sql_exec(db, "PRAGMA journal_mode = WAL");
        sql_exec(db, v1_schema);
        sql_exec(db, "CREATE TABLE from_the_future (x TEXT NOT NULL)");
        sql_exec(db, "INSERT INTO from_the_future VALUES ('do not touch')");
        sql_exec(db, bump);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* --- opening --- */

static void test_open_modes_with_umask0(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *wal = join(f->dir, "closer.db-wal");
        _cleanup_free_ char *shm = join(f->dir, "closer.db-shm");
        Store *s = NULL;
        char *error = NULL;

        mode_t old = umask(0);
        int r = store_open(f->dir, &s, &error);
        umask(old);
        assert_int_equal(r, 0);
        assert_null(error);
        assert_non_null(s);

        assert_true(S_ISDIR(mode_of(f->dir)));
        assert_int_equal(mode_of(f->dir) & 07777, 0700);
        assert_true(S_ISDIR(mode_of(f->parent)));
        assert_int_equal(mode_of(f->parent) & 07777, 0700); /* made like mkdir -p, 0700 */
        assert_true(S_ISREG(mode_of(f->db)));
        assert_int_equal(mode_of(f->db) & 07777, 0600);
        assert_string_equal(store_path(s), f->db);

        /* SQLite's side files follow the database file, also under umask 0. */
        umask(0);
        Item it = make_item("u1", "t");
        insert_ok(s, SIDE_MINE, &it);
        umask(old);
        if (exists(wal))
                assert_int_equal(mode_of(wal) & 07777, 0600);
        if (exists(shm))
                assert_int_equal(mode_of(shm) & 07777, 0600);

        store_free(s);
}

static void test_open_tightens_existing_modes(void **state) {
        Fixture *f = *state;

        assert_int_equal(mkdir(f->parent, 0755), 0);
        assert_int_equal(mkdir(f->dir, 0755), 0);
        assert_int_equal(chmod(f->dir, 0755), 0);
        write_file(f->db, "", 0);
        assert_int_equal(chmod(f->db, 0644), 0);

        Store *s = open_ok(f->dir);
        assert_int_equal(mode_of(f->dir) & 07777, 0700);
        assert_int_equal(mode_of(f->db) & 07777, 0600);
        assert_int_equal(mode_of(f->parent) & 07777, 0755); /* an existing parent is not ours */
        store_free(s);
}

static void test_schema_version(void **state) {
        Fixture *f = *state;

        assert_true(store_schema_version() >= 1);

        Store *s = open_ok(f->dir);
        store_free(s);
        assert_int_equal(file_user_version(f->db), store_schema_version());

        sqlite3 *db = sql_open(f->db, SQLITE_OPEN_READWRITE);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);

        /* Opening a current database again changes nothing. */
        s = open_ok(f->dir);
        store_free(s);
        assert_int_equal(file_user_version(f->db), store_schema_version());

        assert_string_equal(store_last_error(NULL), "no error");
        assert_null(store_free(NULL));
}

static void test_reopen_keeps_data(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item a = make_item("a", "Alpha"), b = make_item("b", "Beta");

        b.note = (char *) "noted";
        b.review = REVIEW_DISCUSS;
        insert_ok(s, SIDE_MINE, &a);
        insert_ok(s, SIDE_PARTNER, &b);
        assert_int_equal(store_setting_set(s, "partner-name", "Sam"), 0);
        store_free(s);

        s = open_ok(f->dir);
        Item got = {};
        Side side = -1;
        assert_int_equal(store_item_get(s, a.id, &side, &got), 0);
        assert_int_equal(side, SIDE_MINE);
        assert_item_equal(&got, &a);
        item_clear(&got);
        assert_int_equal(store_item_get(s, b.id, &side, &got), 0);
        assert_int_equal(side, SIDE_PARTNER);
        assert_item_equal(&got, &b);
        item_clear(&got);
        _cleanup_free_ char *v = NULL;
        assert_int_equal(store_setting_get(s, "partner-name", &v), 0);
        assert_string_equal(v, "Sam");
        assert_int_equal(count(s, SIDE_MINE), 1);
        assert_int_equal(count(s, SIDE_PARTNER), 1);
        store_free(s);
}

/* --- items --- */

static void test_item_insert_get(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item mine = make_item("mine-1", "Breakfast in bed \xf0\x9f\x98\x80");
        Item bare = make_item("mine-2", "No details");
        Item theirs = make_item("theirs-1", "Dancing");
        Item got = {};
        Side side;

        bare.details = NULL;
        bare.private_ = false;
        bare.category = CATEGORY_AFFECTION;
        bare.intensity = 1;
        theirs.review = REVIEW_NO;
        theirs.note = (char *) "not this year\n\tmaybe";
        theirs.category = CATEGORY_FUN;
        theirs.removed = true;

        insert_ok(s, SIDE_MINE, &mine);
        insert_ok(s, SIDE_MINE, &bare);
        insert_ok(s, SIDE_PARTNER, &theirs);
        assert_int_not_equal(mine.id, bare.id);
        assert_int_not_equal(mine.id, theirs.id);
        assert_int_not_equal(bare.id, theirs.id);

        side = -1;
        assert_int_equal(store_item_get(s, mine.id, &side, &got), 0);
        assert_int_equal(side, SIDE_MINE);
        assert_item_equal(&got, &mine);
        item_clear(&got);

        /* NULL details are stored as "" and read back as "". */
        side = -1;
        assert_int_equal(store_item_get(s, bare.id, &side, &got), 0);
        assert_int_equal(side, SIDE_MINE);
        assert_string_equal(got.details, "");
        assert_item_equal(&got, &bare);
        item_clear(&got);

        /* A removed item is still there for get. ret_side may be NULL. */
        assert_int_equal(store_item_get(s, theirs.id, NULL, &got), 0);
        assert_item_equal(&got, &theirs);
        item_clear(&got);

        store_free(s);
}

static void test_item_get_missing(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item got = {};

        assert_int_equal(store_item_get(s, 1, NULL, &got), -ENOENT);
        Item it = make_item("x", "X");
        insert_ok(s, SIDE_MINE, &it);
        assert_int_equal(store_item_get(s, it.id + 1, NULL, &got), -ENOENT);
        assert_int_equal(store_item_get(s, 0, NULL, &got), -ENOENT);
        assert_int_equal(store_item_get(s, -1, NULL, &got), -ENOENT);
        assert_int_equal(store_item_get(s, INT64_MAX, NULL, &got), -ENOENT);
        assert_null(got.uid);
        store_free(s);
}

static void test_item_get_by_uid(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item mine = make_item("shared-uid", "Mine");
        Item theirs = make_item("shared-uid", "Theirs");
        Item only = make_item("only-mine", "Only");
        Item got = {};

        theirs.note = (char *) "n";
        insert_ok(s, SIDE_MINE, &mine);
        insert_ok(s, SIDE_PARTNER, &theirs);
        insert_ok(s, SIDE_MINE, &only);

        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "shared-uid", &got), 0);
        assert_item_equal(&got, &mine);
        item_clear(&got);
        assert_int_equal(store_item_get_by_uid(s, SIDE_PARTNER, "shared-uid", &got), 0);
        assert_item_equal(&got, &theirs);
        item_clear(&got);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "only-mine", &got), 0);
        assert_item_equal(&got, &only);
        item_clear(&got);

        assert_int_equal(store_item_get_by_uid(s, SIDE_PARTNER, "only-mine", &got), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "nope", &got), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "SHARED-UID", &got), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "", &got), -ENOENT);
        store_free(s);
}

static void test_item_unique_side_uid(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item a = make_item("dup", "First");
        Item b = make_item("dup", "Second");
        Item c = make_item("dup", "Other side");
        Item got = {};

        insert_ok(s, SIDE_MINE, &a);
        b.id = 0;
        assert_int_equal(store_item_insert(s, SIDE_MINE, &b, NOW), -EEXIST);
        assert_int_equal(b.id, 0);
        assert_string_not_equal(store_last_error(s), "no error");
        assert_int_equal(count(s, SIDE_MINE), 1);

        /* The same uid on the other side is a different item. */
        insert_ok(s, SIDE_PARTNER, &c);
        assert_int_equal(count(s, SIDE_PARTNER), 1);

        /* A removed item still holds its uid. */
        a.removed = true;
        assert_int_equal(store_item_update(s, &a), 0);
        assert_int_equal(store_item_insert(s, SIDE_MINE, &b, NOW), -EEXIST);

        /* Renaming an item onto another's uid of the same side is refused. */
        Item d = make_item("dup-2", "Fourth");
        insert_ok(s, SIDE_MINE, &d);
        d.uid = (char *) "dup";
        assert_int_equal(store_item_update(s, &d), -EEXIST);
        assert_int_equal(store_item_get(s, d.id, NULL, &got), 0);
        assert_string_equal(got.uid, "dup-2");
        item_clear(&got);

        /* The store still works after the failed statements. */
        Item e = make_item("fresh", "Fresh");
        insert_ok(s, SIDE_MINE, &e);
        store_free(s);
}

static void test_item_update(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item it = make_item("u", "Before");
        Item other = make_item("v", "Untouched");
        Item got = {};
        Side side = -1;

        insert_ok(s, SIDE_PARTNER, &it);
        insert_ok(s, SIDE_PARTNER, &other);

        it.title = (char *) "After";
        it.details = NULL;
        it.category = CATEGORY_AFFECTION;
        it.intensity = 1;
        it.private_ = false;
        it.sequence = 8;
        it.modified = NOW;
        it.review = REVIEW_OK;
        it.note = (char *) "yes please";
        assert_int_equal(store_item_update(s, &it), 0);
        assert_int_equal(store_item_get(s, it.id, &side, &got), 0);
        assert_int_equal(side, SIDE_PARTNER); /* update does not move an item */
        assert_item_equal(&got, &it);
        item_clear(&got);

        /* The note can be cleared back to NULL. */
        it.note = NULL;
        assert_int_equal(store_item_update(s, &it), 0);
        assert_int_equal(store_item_get(s, it.id, NULL, &got), 0);
        assert_null(got.note);
        item_clear(&got);

        assert_int_equal(store_item_get(s, other.id, NULL, &got), 0);
        assert_item_equal(&got, &other);
        item_clear(&got);

        /* No such id. */
        Item ghost = make_item("ghost", "Ghost");
        ghost.id = other.id + 100;
        assert_int_equal(store_item_update(s, &ghost), -ENOENT);
        ghost.id = 0;
        assert_int_equal(store_item_update(s, &ghost), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "ghost", &got), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_PARTNER, "ghost", &got), -ENOENT);
        store_free(s);
}

static void test_item_list_count(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item m1 = make_item("m1", "Mine one");
        Item m2 = make_item("m2", "Mine two");
        Item m3 = make_item("m3", "Mine three");
        Item p1 = make_item("p1", "Partner one");
        Item p2 = make_item("p2", "Partner two");
        Item *items = NULL;
        size_t n = SIZE_MAX;

        /* Empty lists. */
        assert_int_equal(store_item_list(s, SIDE_MINE, false, &items, &n), 0);
        assert_int_equal(n, 0);
        item_array_free(items, n);
        assert_int_equal(count(s, SIDE_MINE), 0);
        assert_int_equal(count(s, SIDE_PARTNER), 0);

        m2.removed = true;
        p1.review = REVIEW_OK;
        p1.note = (char *) "sure";
        p2.review = REVIEW_DISCUSS;
        /* Interleave the sides so ids of one side are not contiguous. */
        insert_ok(s, SIDE_MINE, &m1);
        insert_ok(s, SIDE_PARTNER, &p1);
        insert_ok(s, SIDE_MINE, &m2);
        insert_ok(s, SIDE_PARTNER, &p2);
        insert_ok(s, SIDE_MINE, &m3);

        assert_int_equal(count(s, SIDE_MINE), 2);
        assert_int_equal(count(s, SIDE_PARTNER), 2);

        assert_int_equal(store_item_list(s, SIDE_MINE, false, &items, &n), 0);
        assert_int_equal(n, 2);
        assert_item_equal(&items[0], &m1);
        assert_item_equal(&items[1], &m3);
        item_array_free(items, n);

        assert_int_equal(store_item_list(s, SIDE_MINE, true, &items, &n), 0);
        assert_int_equal(n, 3);
        assert_item_equal(&items[0], &m1);
        assert_item_equal(&items[1], &m2);
        assert_item_equal(&items[2], &m3);
        item_array_free(items, n);

        assert_int_equal(store_item_list(s, SIDE_PARTNER, false, &items, &n), 0);
        assert_int_equal(n, 2);
        assert_item_equal(&items[0], &p1);
        assert_item_equal(&items[1], &p2);
        item_array_free(items, n);

        /* Removing one of the partner's takes it out of list and count. */
        p1.removed = true;
        assert_int_equal(store_item_update(s, &p1), 0);
        assert_int_equal(count(s, SIDE_PARTNER), 1);
        assert_int_equal(count(s, SIDE_MINE), 2);
        assert_int_equal(store_item_list(s, SIDE_PARTNER, false, &items, &n), 0);
        assert_int_equal(n, 1);
        assert_item_equal(&items[0], &p2);
        item_array_free(items, n);
        assert_int_equal(store_item_list(s, SIDE_PARTNER, true, &items, &n), 0);
        assert_int_equal(n, 2);
        item_array_free(items, n);

        /* And restoring it brings it back. */
        m2.removed = false;
        assert_int_equal(store_item_update(s, &m2), 0);
        assert_int_equal(count(s, SIDE_MINE), 3);

        store_free(s);
}

static void test_item_list_many(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item *items = NULL;
        size_t n = 0;
        int64_t first = 0;

        /* More than the list's first allocation of 16, to cover its growth. */
        assert_int_equal(store_begin(s), 0);
        for (int i = 0; i < 100; i++) {
                char uid[16], title[16];
                snprintf(uid, sizeof(uid), "u%03d", i);
                snprintf(title, sizeof(title), "Item %d", i);
                Item it = make_item(uid, title);
                it.removed = i % 10 == 9;
                insert_ok(s, i % 2 ? SIDE_PARTNER : SIDE_MINE, &it);
                if (i == 0)
                        first = it.id;
        }
        assert_int_equal(store_commit(s), 0);

        assert_int_equal(count(s, SIDE_MINE), 50);
        assert_int_equal(count(s, SIDE_PARTNER), 40);
        assert_int_equal(store_item_list(s, SIDE_PARTNER, true, &items, &n), 0);
        assert_int_equal(n, 50);
        for (size_t i = 1; i < n; i++)
                assert_true(items[i - 1].id < items[i].id);
        item_array_free(items, n);
        assert_int_equal(store_item_list(s, SIDE_MINE, false, &items, &n), 0);
        assert_int_equal(n, 50);
        assert_int_equal(items[0].id, first);
        assert_string_equal(items[0].uid, "u000");
        assert_string_equal(items[49].uid, "u098");
        item_array_free(items, n);
        store_free(s);
}

/* --- settings --- */

static void test_settings(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        char *v = NULL;

        assert_int_equal(store_setting_get(s, "start", &v), -ENOENT);
        assert_null(v);

        assert_int_equal(store_setting_set(s, "start", "2024-01-01"), 0);
        assert_int_equal(store_setting_get(s, "start", &v), 0);
        assert_string_equal(v, "2024-01-01");
        free(v);
        v = NULL;

        /* Overwrite. */
        assert_int_equal(store_setting_set(s, "start", "2024-02-02"), 0);
        assert_int_equal(store_setting_get(s, "start", &v), 0);
        assert_string_equal(v, "2024-02-02");
        free(v);
        v = NULL;

        /* Keys are separate; empty and non-ASCII values round-trip. */
        assert_int_equal(store_setting_set(s, "empty", ""), 0);
        assert_int_equal(store_setting_set(s, "name", "Ren\xc3\xa9" "e \xf0\x9f\x98\x80"), 0);
        assert_int_equal(store_setting_get(s, "empty", &v), 0);
        assert_string_equal(v, "");
        free(v);
        v = NULL;
        assert_int_equal(store_setting_get(s, "name", &v), 0);
        assert_string_equal(v, "Ren\xc3\xa9" "e \xf0\x9f\x98\x80");
        free(v);
        v = NULL;
        assert_int_equal(store_setting_get(s, "Start", &v), -ENOENT);

        /* Unset. */
        assert_int_equal(store_setting_unset(s, "start"), 0);
        assert_int_equal(store_setting_get(s, "start", &v), -ENOENT);
        assert_null(v);
        assert_int_equal(store_setting_get(s, "name", &v), 0);
        free(v);
        v = NULL;

        /* Unsetting what is not set fails with nothing worse than -ENOENT. */
        int r = store_setting_unset(s, "never-set");
        assert_true(r == 0 || r == -ENOENT);
        assert_int_equal(store_setting_get(s, "never-set", &v), -ENOENT);

        /* Set again after unset. */
        assert_int_equal(store_setting_set(s, "start", "again"), 0);
        assert_int_equal(store_setting_get(s, "start", &v), 0);
        assert_string_equal(v, "again");
        free(v);
        store_free(s);
}

/* --- transactions --- */

static void test_transaction_rollback(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item it = make_item("rolled-back", "Gone");
        Item got = {};
        char *v = NULL;

        assert_int_equal(store_begin(s), 0);
        insert_ok(s, SIDE_MINE, &it);
        assert_int_equal(store_setting_set(s, "k", "v"), 0);
        assert_int_equal(count(s, SIDE_MINE), 1); /* visible inside */
        store_rollback(s);

        assert_int_equal(count(s, SIDE_MINE), 0);
        assert_int_equal(store_item_get(s, it.id, NULL, &got), -ENOENT);
        assert_int_equal(store_item_get_by_uid(s, SIDE_MINE, "rolled-back", &got), -ENOENT);
        assert_int_equal(store_setting_get(s, "k", &v), -ENOENT);

        /* Rolling back with no transaction open is harmless. */
        store_rollback(s);

        /* Nothing comes back after a reopen either. */
        store_free(s);
        s = open_ok(f->dir);
        assert_int_equal(count(s, SIDE_MINE), 0);
        store_free(s);
}

static void test_transaction_commit(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item a = make_item("a", "A"), b = make_item("b", "B");
        Item got = {};

        assert_int_equal(store_begin(s), 0);
        insert_ok(s, SIDE_MINE, &a);
        insert_ok(s, SIDE_PARTNER, &b);
        assert_int_equal(store_setting_set(s, "k", "v"), 0);
        assert_int_equal(store_commit(s), 0);

        assert_int_equal(count(s, SIDE_MINE), 1);
        assert_int_equal(count(s, SIDE_PARTNER), 1);

        /* A second BEGIN inside an open transaction is refused; the
         * transaction stays usable. */
        assert_int_equal(store_begin(s), 0);
        assert_true(store_begin(s) < 0);
        assert_string_not_equal(store_last_error(s), "no error");
        a.title = (char *) "A2";
        assert_int_equal(store_item_update(s, &a), 0);
        assert_int_equal(store_commit(s), 0);

        /* COMMIT with none open fails. */
        assert_true(store_commit(s) < 0);

        store_free(s);
        s = open_ok(f->dir);
        assert_int_equal(store_item_get(s, a.id, NULL, &got), 0);
        assert_string_equal(got.title, "A2");
        item_clear(&got);
        assert_int_equal(store_item_get(s, b.id, NULL, &got), 0);
        assert_item_equal(&got, &b);
        item_clear(&got);

        store_free(s);
}

/* --- migrations and files that must be refused --- */

static void check_migrated_v1(Fixture *f) {
        Store *s = open_ok(f->dir);
        Item got = {};
        Side side = -1;
        char *v = NULL;

        assert_int_equal(store_item_get(s, 42, &side, &got), 0);
        assert_int_equal(side, SIDE_MINE);
        assert_int_equal(got.id, 42);
        assert_string_equal(got.uid, "v1-mine");
        assert_string_equal(got.title, "From version 1");
        assert_string_equal(got.details, "kept\nas is");
        assert_int_equal(got.category, CATEGORY_LUST);
        assert_int_equal(got.intensity, 3);
        assert_true(got.private_);
        assert_int_equal(got.sequence, 5);
        assert_int_equal(got.modified, 1600000100);
        assert_false(got.removed);
        assert_int_equal(got.review, REVIEW_NEW);
        assert_null(got.note);
        item_clear(&got);

        assert_int_equal(store_item_get_by_uid(s, SIDE_PARTNER, "v1-partner", &got), 0);
        assert_int_equal(got.id, 43);
        assert_string_equal(got.title, "Theirs");
        assert_string_equal(got.details, "");
        assert_int_equal(got.category, CATEGORY_LOVE);
        assert_int_equal(got.review, REVIEW_DISCUSS);
        assert_string_equal(got.note, "talk first");
        item_clear(&got);

        assert_int_equal(count(s, SIDE_MINE), 1);
        assert_int_equal(count(s, SIDE_PARTNER), 1);
        assert_int_equal(store_setting_get(s, "v1-key", &v), 0);
        assert_string_equal(v, "v1-value");
        free(v);

        /* The migrated database takes new items next to the old ones. */
        Item it = make_item("after-migration", "New");
        insert_ok(s, SIDE_MINE, &it);
        assert_true(it.id > 43);
        assert_int_equal(count(s, SIDE_MINE), 2);
        store_free(s);

        assert_int_equal(file_user_version(f->db), store_schema_version());
        assert_int_equal(mode_of(f->db) & 07777, 0600);

        /* And opens again as it is. */
        s = open_ok(f->dir);
        assert_int_equal(count(s, SIDE_MINE), 2);
        store_free(s);
        assert_int_equal(file_user_version(f->db), store_schema_version());
}

static void test_migrate_from_v1(void **state) {
        Fixture *f = *state;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        make_v1_database(f->db, false);
        assert_int_equal(file_user_version(f->db), 1);
        check_migrated_v1(f);
}

static void test_migrate_from_v1_wal(void **state) {
        Fixture *f = *state;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        make_v1_database(f->db, true);
        assert_int_equal(file_user_version(f->db), 1);
        check_migrated_v1(f);
}

static size_t exportable_count(Store *s, const char *want_uid, bool *ret_found) {
        Item *items = NULL;
        size_t n = 0;
        assert_int_equal(store_item_list_exportable(s, &items, &n), 0);
        *ret_found = false;
        for (size_t i = 0; i < n; i++)
                if (streq(items[i].uid, want_uid))
                        *ret_found = true;
        item_array_free(items, n);
        return n;
}

/* Step 5: a tombstone of a list exported before the step stays in the
 * exports; one in a list never exported is left out. */
static void check_migrated_v1_exported(Fixture *f, bool exported) {
        sqlite3 *db;
        bool found;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        make_v1_database(f->db, false);
        db = sql_open(f->db, SQLITE_OPEN_READWRITE);
        sql_exec(db, "UPDATE items SET removed = 1 WHERE id = 42");
        if (exported)
                sql_exec(db, "INSERT INTO settings (key, value) VALUES ('export.revision', '3')");
        assert_int_equal(sqlite3_close(db), SQLITE_OK);

        Store *s = open_ok(f->dir);
        assert_int_equal(exportable_count(s, "v1-mine", &found), exported ? 1 : 0);
        assert_int_equal(found, exported);
        store_free(s);
}

static void test_migrate_v1_exported_keeps_tombstones(void **state) {
        check_migrated_v1_exported(*state, true);
}

static void test_migrate_v1_never_exported_drops_tombstones(void **state) {
        check_migrated_v1_exported(*state, false);
}

/* An item removed before any export leaves no trace in the exports; one
 * removed after an export stays as a tombstone. */
static void test_item_list_exportable(void **state) {
        Fixture *f = *state;
        Store *s = open_ok(f->dir);
        Item a = make_item("a", "Seen"), b = make_item("b", "Never seen"), c = make_item("c", "Later");
        bool found;
        int64_t n;

        insert_ok(s, SIDE_MINE, &a);
        insert_ok(s, SIDE_MINE, &b);
        b.removed = true;
        assert_int_equal(store_item_update(s, &b), 0);
        assert_int_equal(exportable_count(s, "b", &found), 1);
        assert_false(found);

        assert_int_equal(store_items_mark_exported(s), 0);
        insert_ok(s, SIDE_MINE, &c);
        a.removed = c.removed = true;
        assert_int_equal(store_item_update(s, &a), 0);
        assert_int_equal(store_item_update(s, &c), 0);
        assert_int_equal(exportable_count(s, "a", &found), 1); /* a only: c was never exported */
        assert_true(found);

        /* Forgetting the partner list removes theirs, never mine. */
        Item p1 = make_item("p1", "Theirs"), p2 = make_item("p2", "Theirs too");
        insert_ok(s, SIDE_PARTNER, &p1);
        insert_ok(s, SIDE_PARTNER, &p2);
        assert_int_equal(store_partner_forget(s, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(count(s, SIDE_PARTNER), 0);
        assert_int_equal(store_partner_forget(s, &n), 0);
        assert_int_equal(n, 0);
        Item got = {};
        assert_int_equal(store_item_get_by_uid(s, SIDE_PARTNER, "p1", &got), 0);
        assert_true(got.removed);
        assert_string_equal(got.title, "Theirs"); /* kept locally for the history of acts */
        item_clear(&got);

        /* A forgotten item's open daily act goes; a done one stays. */
        Item p3 = make_item("p3", "Picked today");
        insert_ok(s, SIDE_PARTNER, &p3);
        Act open_act = { .day = 100, .kind = ACT_DAILY, .item_id = p3.id, .status = ACT_OPEN };
        Act done_act = { .day = 99, .kind = ACT_DAILY, .item_id = p3.id, .status = ACT_DONE, .done_at = NOW };
        assert_int_equal(store_act_insert(s, &open_act, NOW), 0);
        assert_int_equal(store_act_insert(s, &done_act, NOW), 0);
        assert_int_equal(store_acts_drop_open_of_removed(s), 0);
        Act a1 = {};
        assert_int_equal(store_act_current(s, 100, &a1), 0); /* p3 is not removed yet */
        act_clear(&a1);
        assert_int_equal(store_partner_forget(s, &n), 0);
        assert_int_equal(store_acts_drop_open_of_removed(s), 0);
        assert_int_equal(store_act_current(s, 100, &a1), -ENOENT);
        assert_int_equal(store_act_current(s, 99, &a1), 0);
        assert_string_equal(a1.title, "Picked today"); /* the history keeps the title */
        act_clear(&a1);
        store_free(s);
}

static void check_newer_refused(Fixture *f, bool wal) {
        size_t before_n;
        Store *s = NULL;
        char *error = NULL;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        make_newer_database(f->db, wal);
        f->before = read_file(f->db, &before_n);
        assert_true(before_n > 0);

        assert_int_equal(store_open(f->dir, &s, &error), -EPROTO);
        assert_null(s);
        assert_non_null(error);
        assert_non_null(strstr(error, "newer"));
        free(error);

        /* Refused, never touched: not a byte of the file changed. */
        assert_same_contents(f->db, f->before, before_n);
        assert_int_equal(file_user_version(f->db), store_schema_version() + 1);

        /* Still refused the second time, and without a ret_error too. */
        assert_int_equal(store_open(f->dir, &s, NULL), -EPROTO);
        assert_null(s);
}

/* A newer database as a plain sqlite3 program leaves it: rollback journal.
 * store_open must read the version before anything that writes to the file,
 * switching the journal mode to WAL included. */
static void test_newer_schema_refused(void **state) {
        check_newer_refused(*state, false);
}

/* A newer database as a newer closerd would leave it: WAL mode. */
static void test_newer_schema_refused_wal(void **state) {
        check_newer_refused(*state, true);
}

static void test_garbage_refused(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *wal = join(f->dir, "closer.db-wal");
        _cleanup_free_ char *journal = join(f->dir, "closer.db-journal");
        char garbage[4096];
        Store *s = NULL;
        char *error = NULL;

        memset(garbage, 'x', sizeof(garbage));
        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        write_file(f->db, garbage, sizeof(garbage));

        int r = store_open(f->dir, &s, &error);
        assert_true(r < 0);
        assert_null(s);
        assert_non_null(error);
        assert_true(strlen(error) > 0);
        assert_non_null(strstr(error, f->db));
        free(error);

        assert_same_contents(f->db, garbage, sizeof(garbage));
        assert_false(exists(wal));
        assert_false(exists(journal));
}

static void test_garbage_with_sqlite_magic_refused(void **state) {
        Fixture *f = *state;
        char garbage[4096];
        Store *s = NULL;
        char *error = NULL;

        /* The right magic, nonsense after it. */
        memset(garbage, 0xa5, sizeof(garbage));
        memcpy(garbage, "SQLite format 3", 16);
        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        write_file(f->db, garbage, sizeof(garbage));

        int r = store_open(f->dir, &s, &error);
        assert_true(r < 0);
        assert_null(s);
        assert_non_null(error);
        free(error);
        assert_same_contents(f->db, garbage, sizeof(garbage));
}

static void test_empty_file_is_new_database(void **state) {
        Fixture *f = *state;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        assert_int_equal(mkdir(f->dir, 0700), 0);
        write_file(f->db, "", 0);

        Store *s = open_ok(f->dir);
        Item it = make_item("first", "First");
        insert_ok(s, SIDE_MINE, &it);
        assert_int_equal(count(s, SIDE_MINE), 1);
        store_free(s);
        assert_int_equal(file_user_version(f->db), store_schema_version());
        assert_int_equal(mode_of(f->db) & 07777, 0600);
}

static void test_parent_is_regular_file(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *deeper = join(f->dir, "sub");
        Store *s = NULL;
        char *error = NULL;
        int r;

        /* tmp/data is a file: tmp/data/closer cannot be made. */
        write_file(f->parent, "a file\n", 7);

        r = store_open(f->dir, &s, &error);
        assert_true(r < 0);
        assert_int_equal(r, -ENOTDIR);
        assert_null(s);
        assert_non_null(error);
        assert_non_null(strstr(error, f->dir));
        free(error);
        error = NULL;

        /* Two levels below the file: fails in the mkdir -p part. */
        r = store_open(deeper, &s, &error);
        assert_true(r < 0);
        assert_null(s);
        assert_non_null(error);
        free(error);

        /* No ret_error: fails the same, nothing to free. */
        assert_true(store_open(f->dir, &s, NULL) < 0);
        assert_null(s);

        assert_same_contents(f->parent, "a file\n", 7);
        assert_true(S_ISREG(mode_of(f->parent)));
}

static void test_dir_is_regular_file(void **state) {
        Fixture *f = *state;
        Store *s = NULL;
        char *error = NULL;

        assert_int_equal(mkdir(f->parent, 0700), 0);
        write_file(f->dir, "not a dir", 9);

        assert_int_equal(store_open(f->dir, &s, &error), -ENOTDIR);
        assert_null(s);
        assert_non_null(error);
        free(error);
        assert_same_contents(f->dir, "not a dir", 9);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_open_modes_with_umask0),
                T(test_open_tightens_existing_modes),
                T(test_schema_version),
                T(test_reopen_keeps_data),
                T(test_item_insert_get),
                T(test_item_get_missing),
                T(test_item_get_by_uid),
                T(test_item_unique_side_uid),
                T(test_item_update),
                T(test_item_list_count),
                T(test_item_list_many),
                T(test_settings),
                T(test_transaction_rollback),
                T(test_transaction_commit),
                T(test_migrate_from_v1),
                T(test_migrate_from_v1_wal),
                T(test_migrate_v1_exported_keeps_tombstones),
                T(test_migrate_v1_never_exported_drops_tombstones),
                T(test_item_list_exportable),
                T(test_newer_schema_refused),
                T(test_newer_schema_refused_wal),
                T(test_garbage_refused),
                T(test_garbage_with_sqlite_magic_refused),
                T(test_empty_file_is_new_database),
                T(test_parent_is_regular_file),
                T(test_dir_is_regular_file),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
