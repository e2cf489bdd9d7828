/* SPDX-License-Identifier: MIT */
/*
 * share.c: the shared folder (share.h): turning sharing on and off, the
 * member folders, their inotify watch, and the run step that reads my
 * partner's changes and publishes mine.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "datenight.h"
#include "hash.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "settings.h"
#include "share-private.h"

#define ROOT_MASK (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define MEMBER_MASK \
        (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | \
         IN_ONLYDIR)

char *share_path(const char *dir, const char *file) {
        char *p;
        return asprintf(&p, "%s/%s", dir, file) < 0 ? NULL : p;
}

const char *share_src_file(int src) {
        return src == SHARE_SRC_LIST ? SHARE_LIST_FILE : share_kind_file((ShareKind) src);
}

int share_src_from_file(const char *name) {
        if (streq(name, SHARE_LIST_FILE))
                return SHARE_SRC_LIST;
        return share_kind_from_file(name);
}

uint64_t share_fingerprint(const char *buf, size_t len) {
        return fnv1a64(FNV1A64_INIT, buf, len);
}

void share_set_problem(char **slot, const char *text) {
        log_problem(slot, "Sharing", text);
}

void share_stamp(Manager *m, const char *key) {
        (void) settings_set_int64(m->store, key, (int64_t) manager_now());
}

static void share_free(Share *s) {
        if (!s)
                return;
        s->io = sd_event_source_disable_unref(s->io);
        if (s->inotify_fd >= 0)
                (void) close(s->inotify_fd);
        free(s->root);
        free(s->me);
        free(s->mine);
        free(s->partner);
        free(s->theirs);
        for (int i = 0; i < _SHARE_SRC_MAX; i++) {
                free(s->problem[i]);
        }
        for (int i = 0; i < _FOLDER_PROBLEM_MAX; i++)
                free(s->folder_problem[i]);
        free(s);
}

void share_stop(Manager *m) {
        share_free(m->share);
        m->share = NULL;
}

/* Names that are never data: a sync engine's temporary files and conflict
 * copies, its folder markers and version folders, editors' leftovers. */
static bool name_is_ours(const char *name) {
        return share_src_from_file(name) >= 0;
}

static int watch_theirs(Share *s) {
        if (s->wd_theirs >= 0)
                (void) inotify_rm_watch(s->inotify_fd, s->wd_theirs);
        s->wd_theirs = inotify_add_watch(s->inotify_fd, s->theirs, MEMBER_MASK);
        return s->wd_theirs < 0 ? -errno : 0;
}

static bool regular_in(const char *dir, const char *name) {
        _cleanup_free_ char *path = share_path(dir, name);
        struct stat st;
        return path && lstat(path, &st) >= 0 && S_ISREG(st.st_mode);
}

/* My own rename into place, seen: the file is the one I wrote. */
static bool my_own_write(Share *s, const char *name, uint32_t mask) {
        int src = share_src_from_file(name);
        struct stat st;
        if (src < 0 || !(mask & (IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)) || !s->have_written[src])
                return false;
        _cleanup_free_ char *path = share_path(s->mine, name);
        return path && stat(path, &st) >= 0 && same_file(&st, &s->written_st[src]);
}

static void share_event(const struct inotify_event *e, void *userdata) {
        Share *s = userdata;
        const char *name = e->len > 0 ? e->name : "";
        if (e->mask & IN_Q_OVERFLOW) {
                s->rescan = s->check_mine = true;
                s->dirty = (1u << _SHARE_SRC_MAX) - 1;
        } else if (e->wd == s->wd_root) {
                if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                        s->wd_root = -1;
                s->rescan = true;
        } else if (e->wd == s->wd_mine) {
                if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                        s->wd_mine = -1, s->rescan = true;
                if (my_own_write(s, name, e->mask))
                        return;
                s->check_mine = s->check_mine || name_is_ours(name) || file_name_is_conflict(name) ||
                                (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF));
        } else if (e->wd == s->wd_theirs) {
                int src = share_src_from_file(name);
                if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                        s->wd_theirs = -1, s->rescan = true;
                else if (src >= 0 && (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
                        s->dirty |= 1u << src;
                /* A link or a folder made in place has no close: it is
                 * read (and refused) at once. A file made in place is
                 * read once it is closed. */
                else if (src >= 0 && (e->mask & IN_CREATE) && !regular_in(s->theirs, name))
                        s->dirty |= 1u << src;
        }
}

static int on_inotify(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        Share *s = m->share;
        bool was_rescan = s->rescan, was_check = s->check_mine;
        unsigned was_dirty = s->dirty;
        inotify_drain(fd, share_event, s);
        /* Only my own renames seen: nothing to do. */
        if (s->rescan != was_rescan || s->check_mine != was_check || s->dirty != was_dirty)
                manager_queue_run(m);
        return 0;
}

static int share_open(Manager *m, const char *root) {
        _cleanup_free_ char *partner = NULL;
        Share *s = calloc(1, sizeof(Share));
        if (!s)
                return -ENOMEM;
        static unsigned epochs;
        *s = (Share){ .epoch = ++epochs, .inotify_fd = -1, .wd_root = -1, .wd_mine = -1, .wd_theirs = -1, .list_revision = -1,
                      .rescan = true, .check_mine = true, .dirty = (1u << _SHARE_SRC_MAX) - 1 };
        int r = settings_member_id(m->store, &s->me);
        if (r >= 0)
                r = settings_get_string(m->store, "share.partner", NULL, &partner);
        if (r < 0) {
                share_free(s);
                return r;
        }
        s->root = strdup(root);
        s->mine = share_path(root, s->me ? s->me : "");
        if (partner) {
                s->partner = TAKE_PTR(partner);
                s->theirs = share_path(root, s->partner);
        }
        if (!s->root || !s->mine || (s->partner && !s->theirs)) {
                share_free(s);
                return -ENOMEM;
        }
        /* The list as last written, so that a restart renders it again only
         * when it changed (its DTSTAMP would make every rendering new). */
        r = settings_lenient(settings_get_int64(m->store, "share.list.revision", -1, &s->list_revision));
        if (r >= 0)
                r = manager_add_inotify(m, on_inotify, "share-inotify", &s->inotify_fd, &s->io);
        if (r < 0) {
                share_free(s);
                return r;
        }
        share_stop(m);
        m->share = s;
        manager_queue_run(m);
        return 0;
}

/* My partner, kept from now on, and the couple's night UIDs. */
static int partner_found_locked(Manager *m, const char *partner, const char *couple) {
        int r = settings_set_string(m->store, "share.partner", partner);
        if (r >= 0)
                r = settings_set_string(m->store, "share.couple", couple);
        return r < 0 ? r : datenight_adopt_couple_locked(m, manager_now());
}

/* The member folders: mine made (and watched), my partner's found (the
 * first seen, by name), any other reported. */
static int share_scan(Manager *m) {
        Share *s = m->share;
        _cleanup_free_ char *third = NULL;
        int r;

        s->rescan = false;
        if (s->wd_root < 0)
                s->wd_root = inotify_add_watch(s->inotify_fd, s->root, ROOT_MASK);
        if (s->wd_root < 0) {
                char line[PATH_MAX + 64];
                snprintf(line, sizeof(line), "the shared folder %s cannot be read: %s", s->root, strerror(errno));
                share_set_problem(&s->folder_problem[FOLDER_ROOT], line);
                return 0;
        }
        share_set_problem(&s->folder_problem[FOLDER_ROOT], NULL);
        if (mkdir(s->mine, 0700) < 0 && errno != EEXIST)
                return log_warning_errno(errno, "Sharing: cannot make %s: %m", s->mine);
        /* Only a folder of my own: never through a link someone put there. */
        struct stat st;
        s->mine_ok = lstat(s->mine, &st) >= 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
        share_set_problem(&s->folder_problem[FOLDER_MINE],
                          s->mine_ok ? NULL : "my member folder is not a folder of mine (a link?): nothing is written");
        if (!s->mine_ok)
                return 0;
        if (s->wd_mine < 0) {
                s->wd_mine = inotify_add_watch(s->inotify_fd, s->mine, MEMBER_MASK);
                s->check_mine = true;
        }

        _cleanup_(closedirp) DIR *d = opendir(s->root);
        if (!d)
                return log_warning_errno(errno, "Sharing: cannot read %s: %m", s->root);
        _cleanup_free_ char *first = NULL;
        bool present = false;
        for (struct dirent *de; (de = readdir(d));) {
                if (!share_id_is_valid(de->d_name) || streq(de->d_name, s->me))
                        continue;
                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        continue;
                if (s->partner && streq(de->d_name, s->partner))
                        present = true;
                else if (!s->partner && (!first || strcmp(de->d_name, first) < 0)) {
                        free(third);
                        third = TAKE_PTR(first);
                        first = strdup(de->d_name);
                } else if (!third || strcmp(de->d_name, third) < 0) {
                        free(third);
                        third = strdup(de->d_name);
                }
        }
        if (!s->partner && first) {
                /* My partner: the first member seen, kept from now on. Our
                 * nights take the couple's UIDs. */
                char couple[2 * 12 + 1];
                const char *lo = strcmp(s->me, first) < 0 ? s->me : first, *hi = lo == s->me ? first : s->me;
                snprintf(couple, sizeof(couple), "%.12s%.12s", lo, hi);
                s->partner = TAKE_PTR(first);
                s->theirs = share_path(s->root, s->partner);
                if (!s->theirs)
                        return -ENOMEM;
                r = STORE_TRANSACTION(m->store, partner_found_locked(m, s->partner, couple));
                if (r < 0)
                        return log_warning_errno(r, "Sharing: cannot keep my partner's ID: %s",
                                                 store_last_error(m->store));
                log_info("Sharing with member %s", s->partner);
                present = true;
                s->dirty = (1u << _SHARE_SRC_MAX) - 1;
        }
        if (present && (s->wd_theirs < 0 || !s->partner_present)) {
                r = watch_theirs(s);
                if (r < 0)
                        present = false;
                s->dirty = (1u << _SHARE_SRC_MAX) - 1;
        }
        s->partner_present = present;
        char line[256];
        snprintf(line, sizeof(line), "a third member folder %.32s is ignored: only my partner's is read",
                 third ? third : "");
        share_set_problem(&s->folder_problem[FOLDER_THIRD], third ? line : NULL);
        share_set_problem(&s->folder_problem[FOLDER_GONE],
                          s->partner && !present ? "my partner's folder is gone: nothing was deleted here" : NULL);
        return 0;
}

/* My folder: a conflict copy is reported (and my files written again);
 * a file of mine changed by someone else is written again from the
 * database (share_publish compares). */
static void share_check_mine(Manager *m) {
        Share *s = m->share;
        s->check_mine = false;
        _cleanup_(closedirp) DIR *d = opendir(s->mine);
        if (!d)
                return;
        bool conflict = false;
        for (struct dirent *de; (de = readdir(d));)
                if (file_name_is_conflict(de->d_name))
                        conflict = true;
        /* Once, when it appears: each file compared with my database again
         * (and written where it differs). */
        if (conflict && !s->folder_problem[FOLDER_CONFLICT])
                memset(s->have_written, 0, sizeof(s->have_written));
        share_set_problem(&s->folder_problem[FOLDER_CONFLICT],
                          conflict ? "a conflict copy is in my own folder (another writer?): it is never read, and my "
                                     "files are as my database has them"
                                   : NULL);
}

static int share_step(Manager *m) {
        if (!m->share)
                return 0;
        bool check_files = m->share->check_mine || m->share->rescan;
        if (m->share->rescan) {
                int r = share_scan(m);
                if (r < 0)
                        return r;
        }
        if (m->share->check_mine)
                share_check_mine(m);
        if (m->share->partner_present && m->share->dirty)
                (void) share_receive(m);
        return m->share->mine_ok ? share_publish(m, check_files) : 0;
}

int folder_resume(Manager *m, int (*step)(Manager *m), const char *key, int (*open)(Manager *m, const char *dir)) {
        _cleanup_free_ char *dir = NULL;
        int r = manager_add_run_step(m, step);
        if (r < 0)
                return r;
        r = settings_get_string(m->store, key, NULL, &dir);
        if (r < 0 || !dir)
                return r;
        r = open(m, dir);
        if (r < 0)
                log_warning_errno(r, "%s is off: cannot watch %s: %m", key, dir);
        return 0;
}

int share_start(Manager *m) {
        return folder_resume(m, share_step, "share.dir", share_open);
}

int folder_of_fd(Manager *m, int dirfd, int mode, char path[static PATH_MAX], char **ret_why) {
        char proc[64];
        struct stat st;
        *ret_why = NULL;
        if (fstat(dirfd, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return asprintf(ret_why, "not a folder") < 0 ? -ENOMEM : -ENOTDIR;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(proc, path, PATH_MAX - 1);
        if (n < 0)
                return -errno;
        path[n] = '\0';
        if (path[0] != '/' || strstr(path, " (deleted)"))
                return asprintf(ret_why, "the folder cannot be named (deleted?)") < 0 ? -ENOMEM : -ENOENT;
        if (access(path, mode) < 0)
                return asprintf(ret_why, "%s is not %s", path, mode & W_OK ? "writable" : "readable") < 0
                               ? -ENOMEM : -EACCES;
        size_t dl = strlen(m->data_dir), pl = strlen(path);
        if (streq(path, "/") || (pl >= dl && strncmp(path, m->data_dir, dl) == 0 && (path[dl] == '/' || !path[dl])) ||
            (dl > pl && strncmp(path, m->data_dir, pl) == 0 && m->data_dir[pl] == '/'))
                return asprintf(ret_why, "%s holds my data folder or is inside it: %s", path,
                                mode & W_OK ? "the database never goes into the shared folder"
                                            : "closerd never reads its own files as my partner's list") < 0
                               ? -ENOMEM : -EINVAL;
        return 0;
}

int share_enable(Manager *m, int dirfd, char **ret_why) {
        char path[PATH_MAX];
        *ret_why = NULL;
        if (m->follow) /* follow.h: my partner's list comes from a folder of tasks */
                return asprintf(ret_why, "my partner's list is followed in a folder of tasks (closerctl partner "
                                         "follow --off first)") < 0 ? -ENOMEM : -EBUSY;
        int r = folder_of_fd(m, dirfd, W_OK | X_OK, path, ret_why);
        if (r < 0)
                return r;
        r = settings_set_string(m->store, "share.dir", path);
        if (r < 0)
                return r;
        return share_open(m, path);
}

/* Off, and which member was my partner forgotten: shared again, the first
 * member seen is (a partner who reinstalled has a new member ID). What they
 * shared stays. */
static int disable_locked(Manager *m) {
        const char *const keys[] = { "share.dir", "share.partner", "share.couple" };
        int r = 0;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(keys); i++)
                r = settings_unset(m->store, keys[i]);
        return r;
}

int share_disable(Manager *m) {
        _cleanup_free_ char *dir = NULL;
        int r = settings_get_string(m->store, "share.dir", NULL, &dir);
        if (r < 0)
                return r;
        share_stop(m);
        if (!dir)
                return 0;
        r = STORE_TRANSACTION(m->store, disable_locked(m));
        return r < 0 ? r : 1;
}

int share_partner_name(Manager *m, char **ret) {
        return settings_get_string(m->store, "share.partner.name", NULL, ret);
}

void share_status_clear(ShareStatus *s) {
        free(s->dir);
        free(s->member_id);
        free(s->name);
        free(s->partner_id);
        free(s->partner_name);
        for (size_t i = 0; i < s->n_overruled; i++)
                free(s->overruled[i]);
        free(s->overruled);
        for (size_t i = 0; i < s->n_problems; i++)
                free(s->problems[i]);
        free(s->problems);
        memset(s, 0, sizeof(*s));
}

static int add_line(char ***lines, size_t *n, const char *text) {
        char **p = reallocarray(*lines, *n + 1, sizeof(char *));
        if (!p)
                return -ENOMEM;
        *lines = p;
        p[*n] = strdup(text);
        return p[(*n)++] ? 0 : -ENOMEM;
}

/* "SECONDS\tTEXT" lines, as share-receive.c keeps them: those of the last week. */
static int overruled_read(Manager *m, ShareStatus *st) {
        _cleanup_free_ char *v = NULL;
        time_t now = manager_now();
        int r = settings_get_string(m->store, "share.overruled", NULL, &v);
        for (char *line = v, *next; r >= 0 && line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *tab = strchr(line, '\t');
                if (tab && now - (time_t) strtoll(line, NULL, 10) < 7 * 86400)
                        r = add_line(&st->overruled, &st->n_overruled, tab + 1);
        }
        return r;
}

int share_status(Manager *m, ShareStatus *ret) {
        ShareStatus st = { .enabled = m->share != NULL };
        int64_t pub = 0, rec = 0;
        int r = settings_get_string(m->store, "share.dir", NULL, &st.dir);
        if (r >= 0)
                r = settings_member_id(m->store, &st.member_id);
        if (r >= 0)
                r = settings_get_string(m->store, "me.name", NULL, &st.name);
        if (r >= 0)
                r = settings_get_string(m->store, "share.partner", NULL, &st.partner_id);
        if (r >= 0)
                r = share_partner_name(m, &st.partner_name);
        if (r >= 0)
                r = settings_lenient(settings_get_int64(m->store, "share.published", 0, &pub));
        if (r >= 0)
                r = settings_lenient(settings_get_int64(m->store, "share.received", 0, &rec));
        if (r >= 0)
                r = overruled_read(m, &st);
        Share *s = m->share;
        for (int i = 0; s && r >= 0 && i < _SHARE_SRC_MAX; i++)
                if (s->problem[i])
                        r = add_line(&st.problems, &st.n_problems, s->problem[i]);
        for (int i = 0; s && r >= 0 && i < _FOLDER_PROBLEM_MAX; i++)
                if (s->folder_problem[i])
                        r = add_line(&st.problems, &st.n_problems, s->folder_problem[i]);
        if (r < 0) {
                share_status_clear(&st);
                return r;
        }
        st.partner_present = s && s->partner_present;
        st.last_published = (time_t) pub;
        st.last_received = (time_t) rec;
        *ret = st;
        return 0;
}
