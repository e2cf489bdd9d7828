/* SPDX-License-Identifier: MIT */
/*
 * dnvdir.c: the date nights calendar as a vdir (dnvdir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datenight.h"
#include "dnvdir.h"
#include "hash.h"
#include "icaljob.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "store.h"

/* A file as last written (or found equal to its event). */
typedef struct VdirFile {
        char *name;
        uint64_t fingerprint; /* of its event */
        struct stat st;
} VdirFile;

typedef struct DnVdir {
        char *dir;
        VdirFile *files; /* by name */
        size_t n_files;
        /* The calendar and the folder when they were last made to agree. */
        bool current;
        uint64_t fingerprint, names;
        struct stat dir_st;
        bool busy, again;
        time_t last_write; /* by closerd's clock: a file written or deleted */
} DnVdir;

/* What a rendering was asked for: the events' names and fingerprints, in
 * the order of the request. */
typedef struct VdirJob {
        char **names;
        uint64_t *fingerprints;
        size_t n;
        uint64_t fingerprint, names_fingerprint;
        bool complete; /* every event of the calendar is in it or current */
} VdirJob;

static void vdir_job_free(VdirJob *j) {
        if (!j)
                return;
        for (size_t i = 0; i < j->n; i++)
                free(j->names[i]);
        free(j->names);
        free(j->fingerprints);
        free(j);
}

static void files_clear(DnVdir *v) {
        for (size_t i = 0; i < v->n_files; i++)
                free(v->files[i].name);
        free(v->files);
        v->files = NULL;
        v->n_files = 0;
}

void dnvdir_free(Manager *m) {
        DnVdir *v = m->vdir;
        if (!v)
                return;
        files_clear(v);
        free(v->dir);
        free(v);
        m->vdir = NULL;
}

static DnVdir *vdir_get(Manager *m) {
        if (m->vdir)
                return m->vdir;
        DnVdir *v = calloc(1, sizeof(DnVdir));
        if (!v || asprintf(&v->dir, "%s/" DNVDIR_NAME, m->data_dir) < 0) {
                free(v);
                return NULL;
        }
        m->vdir = v;
        return v;
}

/* "<UID>.ics" when the UID makes a plain file name, else a name from its
 * hash (a UID of another program may hold a '/'). */
static char *file_name(const char *uid) {
        size_t n = strlen(uid);
        bool plain = n > 0 && n <= 200 && uid[0] != '.';
        for (size_t i = 0; plain && i < n; i++)
                plain = (uid[i] >= 'a' && uid[i] <= 'z') || (uid[i] >= 'A' && uid[i] <= 'Z') ||
                        (uid[i] >= '0' && uid[i] <= '9') || strchr("@._+-=", uid[i]);
        char *name;
        int k = plain ? asprintf(&name, "%s.ics", uid)
                      : asprintf(&name, "uid-%016" PRIx64 ".ics", fnv1a64(FNV1A64_INIT, uid, n));
        return k < 0 ? NULL : name;
}

static bool name_in(char **sorted, size_t n, const char *name) {
        return bsearch_safe(&name, sorted, n, sizeof(char *), strcmp_ptr) != NULL;
}

static VdirFile *file_find(DnVdir *v, const char *name) {
        /* VdirFile starts with its name: the same comparison. */
        return bsearch_safe(&name, v->files, v->n_files, sizeof(VdirFile), strcmp_ptr);
}

static int file_set(DnVdir *v, const char *name, uint64_t fingerprint, const struct stat *st) {
        VdirFile *f = file_find(v, name);
        if (!f) {
                VdirFile *a = reallocarray(v->files, v->n_files + 1, sizeof(VdirFile));
                if (!a)
                        return -ENOMEM;
                v->files = a;
                char *copy = strdup(name);
                if (!copy)
                        return -ENOMEM;
                size_t i = 0;
                while (i < v->n_files && strcmp(v->files[i].name, name) < 0)
                        i++;
                memmove(&v->files[i + 1], &v->files[i], (v->n_files - i) * sizeof(VdirFile));
                v->n_files++;
                f = &v->files[i];
                f->name = copy;
        }
        f->fingerprint = fingerprint;
        f->st = *st;
        return 0;
}

static void file_forget(DnVdir *v, const char *name) {
        VdirFile *f = file_find(v, name);
        if (!f)
                return;
        size_t i = (size_t) (f - v->files);
        free(f->name);
        memmove(&v->files[i], &v->files[i + 1], (v->n_files - i - 1) * sizeof(VdirFile));
        v->n_files--;
}

/* The names of every night and rain check ever made, sorted: their files
 * stay when the events leave the calendar. */
static int known_names(Manager *m, char ***ret, size_t *ret_n) {
        char **uids = NULL;
        size_t n = 0;
        int r = store_calendar_uids(m->store, &uids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *name = file_name(uids[i]);
                free(uids[i]);
                uids[i] = name;
                if (!name)
                        r = -ENOMEM;
        }
        if (r < 0) {
                strv_free_n(uids, n);
                return r;
        }
        qsort_safe(uids, n, sizeof(char *), strcmp_ptr);
        *ret = uids;
        *ret_n = n;
        return 0;
}

/* Deletes the files of events that are gone (not in the calendar, sorted
 * names, nor ever made) and leftovers of a crash. */
static int prune(Manager *m, DnVdir *v, char **names, size_t n) {
        char **known = NULL;
        size_t n_known = 0;
        _cleanup_(closedirp) DIR *d = opendir(v->dir);
        if (!d)
                return -errno;
        int r = known_names(m, &known, &n_known);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));) {
                const char *name = de->d_name;
                if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                        continue;
                bool leftover = endswith(name, ".ics.tmp");
                if (!leftover && (!endswith(name, ".ics") || name_in(names, n, name) || name_in(known, n_known, name)))
                        continue;
                if (unlinkat(dirfd(d), name, 0) < 0 && errno != ENOENT)
                        r = log_warning_errno(errno, "Cannot delete %s/%s: %m", v->dir, name);
                else if (!leftover) {
                        log_debug("Calendar: %s deleted", name);
                        v->last_write = manager_now();
                }
                file_forget(v, name);
        }
        strv_free_n(known, n_known);
        return r;
}

/* The folder, made 0700 when missing; never through a link. */
static int vdir_open(DnVdir *v, struct stat *st) {
        if (mkdir(v->dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(v->dir, st) < 0)
                return -errno;
        if (!S_ISDIR(st->st_mode) || st->st_uid != geteuid())
                return -ENOTDIR;
        /* Made by someone else first (vdirsyncer discover, say): mine, 0700. */
        if ((st->st_mode & 07777) != 0700 && (chmod(v->dir, 0700) < 0 || lstat(v->dir, st) < 0))
                return -errno;
        return 0;
}

static int write_one(DnVdir *v, const char *name, const char *text) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        if (asprintf(&path, "%s/%s", v->dir, name) < 0 || asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        return write_file_changed(path, tmp, text, 0600);
}

static void rendered(Manager *m, int r, IcalResult *res, void *userdata) {
        VdirJob *j = userdata;
        DnVdir *v = m->vdir;
        unsigned written = 0;
        v->busy = false;
        if (r == -ECANCELED) {
                vdir_job_free(j);
                return;
        }
        if (r >= 0 && res->n_texts != j->n)
                r = -EBADMSG;
        for (size_t i = 0; r >= 0 && i < j->n; i++) {
                _cleanup_free_ char *path = NULL;
                struct stat st;
                int k = write_one(v, j->names[i], res->texts[i]);
                if (k > 0)
                        written++;
                if (k >= 0 && (asprintf(&path, "%s/%s", v->dir, j->names[i]) < 0 || lstat(path, &st) < 0))
                        k = -errno;
                if (k >= 0)
                        k = file_set(v, j->names[i], j->fingerprints[i], &st);
                if (k < 0) {
                        log_warning_errno(k, "Cannot write %s/%s: %m", v->dir, j->names[i]);
                        j->complete = false;
                }
        }
        if (r < 0)
                log_warning_errno(r, "Cannot render the calendar's files: %m");
        else {
                if (written > 0) {
                        log_debug("Calendar: %u of %zu files written", written, j->n);
                        v->last_write = manager_now();
                }
                v->current = j->complete && lstat(v->dir, &v->dir_st) >= 0;
                v->fingerprint = j->fingerprint;
                v->names = j->names_fingerprint;
        }
        vdir_job_free(j);
        if (v->again) {
                v->again = false;
                r = datenight_calendar_now(m, dnvdir_update);
                if (r < 0)
                        log_warning_errno(r, "Cannot write the calendar's files: %m");
        }
}

/* The file as last written, for an event of that fingerprint (dfd: the
 * folder). */
static bool file_current(DnVdir *v, int dfd, const char *name, uint64_t fingerprint) {
        VdirFile *f = file_find(v, name);
        struct stat st;
        return f && f->fingerprint == fingerprint && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
               same_file(&st, &f->st);
}

static int update(Manager *m, DnVdir *v, const DnCalendar *c) {
        struct stat st;
        int r = vdir_open(v, &st);
        if (r < 0)
                return r;
        /* Nothing changed, here or in the folder: nothing to do. */
        if (v->current && v->fingerprint == c->fingerprint && same_file(&st, &v->dir_st))
                return 0;
        _cleanup_close_ int dfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;

        VdirJob *j = calloc(1, sizeof(VdirJob));
        _cleanup_free_ char **sorted = calloc(c->n_events + 1, sizeof(char *));
        _cleanup_free_ IcsEvent *todo = calloc(c->n_events + 1, sizeof(IcsEvent));
        if (j) {
                j->names = calloc(c->n_events + 1, sizeof(char *));
                j->fingerprints = calloc(c->n_events + 1, sizeof(uint64_t));
        }
        if (!j || !j->names || !j->fingerprints || !sorted || !todo) {
                vdir_job_free(j);
                return -ENOMEM;
        }
        j->fingerprint = c->fingerprint;
        j->complete = true;
        for (size_t i = 0; i < c->n_events; i++) {
                char *name = file_name(c->events[i].uid);
                uint64_t fp = icalwire_fingerprint(&c->events[i], 1, 0);
                sorted[i] = name;
                if (name && file_current(v, dfd, name, fp))
                        continue;
                j->names[j->n] = name ? strdup(name) : NULL;
                if (!j->names[j->n]) {
                        vdir_job_free(j);
                        r = -ENOMEM;
                        goto finish;
                }
                j->fingerprints[j->n] = fp;
                todo[j->n++] = c->events[i];
        }
        qsort_safe(sorted, c->n_events, sizeof(char *), strcmp_ptr);
        j->names_fingerprint = FNV1A64_INIT;
        for (size_t i = 0; i < c->n_events; i++)
                j->names_fingerprint = fnv1a64(j->names_fingerprint, sorted[i], strlen(sorted[i]) + 1);

        /* Files of events gone: only when the set of names or the folder
         * changed. */
        if (!v->current || v->names != j->names_fingerprint || !same_file(&st, &v->dir_st)) {
                r = prune(m, v, sorted, c->n_events);
                if (r < 0)
                        log_warning_errno(r, "Cannot clean %s: %m", v->dir);
        }

        if (j->n == 0) {
                v->current = lstat(v->dir, &v->dir_st) >= 0;
                v->fingerprint = j->fingerprint;
                v->names = j->names_fingerprint;
                vdir_job_free(j);
                r = 0;
                goto finish;
        }
        IcalRequest req = { .op = ICAL_OP_ICS_WRITE_EACH, .events = todo, .n_events = j->n };
        r = icaljob_start(m, &req, rendered, j);
        if (r < 0)
                vdir_job_free(j);
        else
                v->busy = true;
finish:
        for (size_t i = 0; i < c->n_events; i++)
                free(sorted[i]);
        return r;
}

int dnvdir_update(Manager *m, const DnCalendar *c) {
        DnVdir *v = vdir_get(m);
        if (!v)
                return -ENOMEM;
        if (v->busy) {
                v->again = true;
                return 0;
        }
        return update(m, v, c);
}

void dnvdir_status_clear(DnVdirStatus *s) {
        free(s->path);
        *s = (DnVdirStatus) {};
}

int dnvdir_status(Manager *m, DnVdirStatus *ret) {
        DnVdir *v = vdir_get(m);
        struct stat st;
        if (!v)
                return -ENOMEM;
        *ret = (DnVdirStatus) { .path = strdup(v->dir) };
        if (!ret->path)
                return -ENOMEM;
        _cleanup_(closedirp) DIR *d = opendir(v->dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        for (struct dirent *de; (de = readdir(d));)
                if (endswith(de->d_name, ".ics"))
                        ret->events++;
        /* Since closerd started, its own clock; before, the folder's. */
        if (v->last_write > 0)
                ret->last_write = v->last_write;
        else if (fstat(dirfd(d), &st) >= 0)
                ret->last_write = st.st_mtime;
        return 0;
}
