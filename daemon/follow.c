/* SPDX-License-Identifier: MIT */
/*
 * follow.c: my partner's list followed in a vdir of tasks (follow.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "hash.h"
#include "icaljob.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "partner.h"
#include "settings.h"
#include "share.h"

#define WATCH_MASK                                                                                        \
        (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | \
         IN_ONLYDIR)
#define SKIPPED_SHOWN 5 /* names of skipped files in one problem line */

/* A task's file as last read. */
typedef struct FollowFile {
        char *name;      /* "FILE" or "SUBFOLDER/FILE" */
        struct stat st;
        uint64_t fingerprint;
        Category category; /* its list's, for tasks that name none */
        ListFile list;     /* as last parsed well (n_items 0: never) */
        bool good;
        char *error;       /* the last parse failed: why */
        char *text;        /* read, for the helper to parse */
        size_t len;
        /* The last reading's file whose parse this one takes (1 + its index;
         * 0: none), taken only once this reading is complete: a reading that
         * fails leaves the last one as it was. With its error too, or only
         * its good parse (the fallback of a new text that fails). */
        size_t from;
        bool from_error;
} FollowFile;

typedef struct Watch {
        int wd;
        char *sub; /* "" the folder itself */
} Watch;

typedef struct Follow {
        unsigned epoch;
        char *root;
        int inotify_fd;
        sd_event_source *io;
        Watch watches[FOLLOW_SUBDIRS_MAX + 1];
        size_t n_watches;
        int wd_parent;     /* the folder's parent: the folder made anew, moved back */
        const char *base;  /* the folder's name in it */
        bool dirty, reading;
        FollowFile *files; /* by name */
        size_t n_files;
        uint64_t applied; /* the list last imported, or found as imported */
        bool have_applied;
        time_t last_read;
        unsigned tasks;
        char *folder_problem, *import_problem, *skipped_problem, *parse_problem, *duplicate_problem;
        FollowReadDone done; /* once read */
        void *done_userdata;
} Follow;

/* What one reading found, before the helper parsed the new files. */
typedef struct Scan {
        FollowFile *files;
        size_t n_files, size;
        size_t n_parse; /* files with a text to parse */
        char skipped[512];
        unsigned n_skipped;
} Scan;

static unsigned epochs;

static void file_clear(FollowFile *f) {
        free(f->name);
        listfile_clear(&f->list);
        free(f->error);
        free(f->text);
        *f = (FollowFile) {};
}

static void files_free(FollowFile *files, size_t n) {
        for (size_t i = 0; i < n; i++)
                file_clear(&files[i]);
        free(files);
}

static void scan_clear(Scan *s) {
        files_free(s->files, s->n_files);
        *s = (Scan) {};
}

static void set_problem(char **slot, const char *text) {
        log_problem(slot, "Following my partner's list", text);
}

static void read_done(Manager *m, Follow *f) {
        FollowReadDone done = f->done;
        f->done = NULL;
        if (done)
                done(m, f->done_userdata);
}

static void follow_free(Follow *f) {
        if (!f)
                return;
        sd_event_source_disable_unref(f->io);
        if (f->inotify_fd >= 0)
                close(f->inotify_fd);
        for (size_t i = 0; i < f->n_watches; i++)
                free(f->watches[i].sub);
        files_free(f->files, f->n_files);
        free(f->root);
        free(f->folder_problem);
        free(f->import_problem);
        free(f->skipped_problem);
        free(f->parse_problem);
        free(f->duplicate_problem);
        free(f);
}

void follow_stop(Manager *m) {
        Follow *f = m->follow;
        if (f)
                read_done(m, f);
        follow_free(f);
        m->follow = NULL;
}

/* --- the folder --- */

/* vdirsyncer's metadata of a collection (metasync): not tasks, not news. */
static bool name_is_metadata(const char *name) {
        return streq(name, "displayname") || streq(name, "color") || streq(name, "description");
}

static void skip(Scan *s, const char *name, const char *why) {
        char part[160];
        if (s->n_skipped++ >= SKIPPED_SHOWN)
                return;
        snprintf(part, sizeof(part), "%s%.100s (%s)", s->skipped[0] ? ", " : "", name, why);
        strncat(s->skipped, part, sizeof(s->skipped) - strlen(s->skipped) - 1);
}

/* The category a list's name is, else affection: its displayname file
 * (vdirsyncer's metasync), else its folder's name. */
static Category list_category(const char *dir) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len = 0;
        const char *name = strrchr(dir, '/');
        name = name ? name + 1 : dir;
        if (asprintf(&path, "%s/displayname", dir) >= 0 && read_file_max(path, 256, &buf, &len) >= 0)
                name = buf;
        while (*name == ' ' || *name == '\t' || *name == '\n')
                name++;
        size_t n = strlen(name);
        while (n > 0 && strchr(" \t\r\n", name[n - 1]))
                n--;
        for (Category c = 0; c < _CATEGORY_MAX; c++)
                if (strlen(category_to_string(c)) == n && strncasecmp(name, category_to_string(c), n) == 0)
                        return c;
        return CATEGORY_AFFECTION;
}

static int watch_add(Follow *f, const char *dir, const char *sub) {
        int wd = inotify_add_watch(f->inotify_fd, dir, WATCH_MASK);
        if (wd < 0)
                return -errno;
        for (size_t i = 0; i < f->n_watches; i++)
                if (f->watches[i].wd == wd)
                        return 0;
        if (f->n_watches >= ELEMENTSOF(f->watches))
                return -ENOBUFS;
        char *copy = strdup(sub);
        if (!copy)
                return -ENOMEM;
        f->watches[f->n_watches++] = (Watch) { wd, copy };
        return 0;
}

static FollowFile *file_find(FollowFile *files, size_t n, const char *name) {
        /* FollowFile starts with its name: the same comparison. */
        return bsearch_safe(&name, files, n, sizeof(FollowFile), strcmp_ptr);
}

/* The last reading's parse of a file moves to this one's. */
static void take_parse(FollowFile *to, FollowFile *from, bool with_error) {
        to->list = from->list;
        to->good = from->good;
        if (with_error)
                to->error = TAKE_PTR(from->error);
        from->list = (ListFile) {};
        from->good = false;
}

static void inherit_from(Follow *f, FollowFile *to, const FollowFile *old, bool with_error) {
        to->from = (size_t) (old - f->files) + 1;
        to->from_error = with_error;
}

/* A complete reading takes over the parses of the last one it kept. */
static void inherit(Follow *f, Scan *s) {
        for (size_t i = 0; i < s->n_files; i++) {
                FollowFile *nf = &s->files[i];
                if (nf->from > 0 && nf->from <= f->n_files)
                        take_parse(nf, &f->files[nf->from - 1], nf->from_error);
                nf->from = 0;
        }
}

/* One candidate: kept from the last reading when its file is the same,
 * else read for the helper. */
static int scan_file(Follow *f, Scan *s, int dfd, const char *sub, const char *name, Category category) {
        char rel[PATH_MAX];
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        snprintf(rel, sizeof(rel), "%s%s%s", sub, sub[0] ? "/" : "", name);
        if (S_ISLNK(st.st_mode)) {
                skip(s, rel, "a link: never followed");
                return 0;
        }
        if (S_ISDIR(st.st_mode))
                return 1;
        if (!S_ISREG(st.st_mode)) {
                skip(s, rel, "not a regular file");
                return 0;
        }
        if (!endswith(name, ".ics")) {
                if (!name_is_metadata(name))
                        skip(s, rel, name[0] == '.' || endswith(name, ".tmp") ? "a temporary file" : "not .ics");
                return 0;
        }
        if (name[0] == '.') {
                skip(s, rel, "a temporary file");
                return 0;
        }
        if (file_name_is_conflict(name)) {
                skip(s, rel, "a conflict copy");
                return 0;
        }
        if ((uint64_t) st.st_size > FOLLOW_FILE_MAX) {
                skip(s, rel, "larger than 1 MiB");
                return 0;
        }
        if (s->n_files >= ITEM_COUNT_MAX)
                return -E2BIG;
        if (s->n_files == s->size) {
                size_t size = s->size ? s->size * 2 : 64;
                FollowFile *a = reallocarray(s->files, size, sizeof(FollowFile));
                if (!a)
                        return -ENOMEM;
                s->files = a;
                s->size = size;
        }

        FollowFile *nf = &s->files[s->n_files];
        *nf = (FollowFile) { .name = strdup(rel), .st = st, .category = category };
        if (!nf->name)
                return -ENOMEM;
        s->n_files++;
        FollowFile *old = file_find(f->files, f->n_files, rel);
        if (old && old->category == category && same_file(&old->st, &st)) {
                /* Unchanged: its parse moves over. */
                nf->fingerprint = old->fingerprint;
                inherit_from(f, nf, old, true);
                return 0;
        }
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len = 0;
        if (asprintf(&path, "%s%s%s/%s", f->root, sub[0] ? "/" : "", sub, name) < 0)
                return -ENOMEM;
        int r = read_file_max(path, FOLLOW_FILE_MAX, &buf, &len);
        if (r == -EAGAIN || r == -ENOENT) {
                /* Being written, or gone meanwhile: the next event reads it. */
                s->n_files--;
                file_clear(nf);
                f->dirty = f->dirty || r == -EAGAIN;
                return 0;
        }
        if (r < 0) {
                s->n_files--;
                file_clear(nf);
                skip(s, rel, strerror(-r));
                return 0;
        }
        nf->fingerprint = fnv1a64(FNV1A64_INIT, buf, len);
        if (old && old->category == category && old->fingerprint == nf->fingerprint) {
                /* Touched, not changed. */
                inherit_from(f, nf, old, true);
                return 0;
        }
        if (old && old->good)
                /* If the new text fails, the task stays as it was. */
                inherit_from(f, nf, old, false);
        nf->text = TAKE_PTR(buf);
        nf->len = len;
        s->n_parse++;
        return 0;
}

static int scan_dir(Follow *f, Scan *s, const char *sub, int depth) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s%s%s", f->root, sub[0] ? "/" : "", sub) < 0)
                return -ENOMEM;
        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return -errno;
        int r = watch_add(f, dir, sub);
        if (r < 0)
                return r;
        Category category = list_category(dir);

        /* By name, so that a reading does not depend on the order on disk. */
        _cleanup_free_ char **names = NULL;
        size_t n = 0, size = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n >= (size_t) ITEM_COUNT_MAX * 2)
                        break;
                if (n == size) {
                        size = size ? size * 2 : 64;
                        char **a = reallocarray(names, size, sizeof(char *));
                        if (!a) {
                                for (size_t i = 0; i < n; i++)
                                        free(names[i]);
                                return -ENOMEM;
                        }
                        names = a;
                }
                names[n] = strdup(de->d_name);
                if (!names[n])
                        r = -ENOMEM;
                n++;
        }
        if (r >= 0)
                qsort_safe(names, n, sizeof(char *), strcmp_ptr);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = scan_file(f, s, dirfd(d), sub, names[i], category);
                if (r == 1) {
                        /* A subfolder: a list of its own, one level down. */
                        if (depth > 0 || names[i][0] == '.') {
                                char rel[PATH_MAX];
                                snprintf(rel, sizeof(rel), "%s%s%s/", sub, sub[0] ? "/" : "", names[i]);
                                skip(s, rel, depth > 0 ? "a folder too deep" : "a hidden folder");
                                r = 0;
                        } else
                                r = scan_dir(f, s, names[i], depth + 1);
                        if (r == -ENOBUFS) {
                                skip(s, names[i], "more than 32 subfolders");
                                r = 0;
                        }
                        /* A subfolder that cannot be read fails the whole
                         * reading: its tasks are not taken as removed. */
                }
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        return r;
}

/* --- the import --- */

/* The files' tasks as one list: one task per UID (the file named <UID>.ics
 * wins, else the first by name), and what was left out said. */
typedef struct Pick {
        const Item *item;
        const FollowFile *file;
} Pick;

static int pick_compare(const void *a, const void *b) {
        const Pick *x = a, *y = b;
        int c = strcmp(x->item->uid, y->item->uid);
        if (c != 0)
                return c;
        char own[300];
        snprintf(own, sizeof(own), "%s.ics", x->item->uid);
        const char *xb = strrchr(x->file->name, '/'), *yb = strrchr(y->file->name, '/');
        bool xo = streq(xb ? xb + 1 : x->file->name, own), yo = streq(yb ? yb + 1 : y->file->name, own);
        if (xo != yo)
                return xo ? -1 : 1;
        return strcmp(x->file->name, y->file->name);
}

static uint64_t item_print(uint64_t h, const Item *it) {
        h = fnv1a64(h, it->uid, strlen(it->uid) + 1);
        h = fnv1a64(h, it->title, strlen(it->title) + 1);
        h = fnv1a64(h, it->details ? it->details : "", strlen(it->details ? it->details : "") + 1);
        char v[4] = { (char) it->category, (char) it->intensity, it->private_, it->removed };
        return fnv1a64(h, v, sizeof(v));
}

static void apply(Manager *m, Follow *f) {
        _cleanup_(import_summary_clear) ImportSummary sum = {};
        _cleanup_free_ char *why = NULL, *name = NULL;
        char line[512] = "", what[64];
        size_t n = 0, n_bad = 0;
        unsigned dups = 0;

        for (size_t i = 0; i < f->n_files; i++) {
                if (f->files[i].error && n_bad++ == 0)
                        snprintf(line, sizeof(line), "%.100s: %.300s", f->files[i].name, f->files[i].error);
                n += f->files[i].list.n_items;
        }
        if (n_bad > 1) {
                size_t k = strlen(line);
                snprintf(line + k, sizeof(line) - k, " (and %zu more files that cannot be read)", n_bad - 1);
        }
        set_problem(&f->parse_problem,
                    n_bad ? line : NULL);
        if (f->n_files == 0) {
                set_problem(&f->import_problem,
                            "the folder holds no tasks: my partner's list stays as it was (an emptied folder is "
                            "not read as an emptied list)");
                return;
        }

        _cleanup_free_ Pick *picks = calloc(n + 1, sizeof(Pick));
        _cleanup_free_ Item *items = calloc(n + 1, sizeof(Item));
        if (!picks || !items) {
                log_warning_errno(-ENOMEM, "Following my partner's list: %m");
                return;
        }
        size_t k = 0;
        for (size_t i = 0; i < f->n_files; i++)
                for (size_t j = 0; j < f->files[i].list.n_items; j++)
                        picks[k++] = (Pick) { &f->files[i].list.items[j], &f->files[i] };
        qsort_safe(picks, k, sizeof(Pick), pick_compare);
        ListFile lf = { .items = items };
        uint64_t print = FNV1A64_INIT;
        line[0] = '\0';
        for (size_t i = 0; i < k; i++) {
                if (lf.n_items > 0 && streq(items[lf.n_items - 1].uid, picks[i].item->uid)) {
                        if (dups++ == 0)
                                snprintf(line, sizeof(line), "%.100s has the UID of %.100s: skipped",
                                         picks[i].file->name, picks[i - 1].file->name);
                        continue;
                }
                items[lf.n_items++] = *picks[i].item;
                print = item_print(print, picks[i].item);
        }
        if (dups > 1) {
                size_t l = strlen(line);
                snprintf(line + l, sizeof(line) - l, " (and %u more with a UID taken)", dups - 1);
        }
        set_problem(&f->duplicate_problem, dups ? line : NULL);

        f->last_read = manager_now();
        f->tasks = 0;
        for (size_t i = 0; i < lf.n_items; i++)
                f->tasks += !items[i].removed;
        if (f->have_applied && f->applied == print) {
                set_problem(&f->import_problem, NULL);
                return;
        }

        int r = partner_import(m, &lf, &(ImportOptions) { .by_content = true, .whole = true }, &sum, &why);
        if (r < 0) {
                snprintf(line, sizeof(line), "%s; my partner's list stays as it was",
                         why ? why : r == -E2BIG ? "more than 10000 tasks" : strerror(-r));
                set_problem(&f->import_problem, line);
                return;
        }
        set_problem(&f->import_problem, NULL);
        f->applied = print;
        f->have_applied = true;
        log_info("Followed my partner's list in %s: %u added, %u updated, %u removed, %u unchanged", f->root,
                 sum.added, sum.updated, sum.removed, sum.unchanged);
        const char *changed = import_summary_line(&sum, what, sizeof(what));
        if (!changed)
                return;
        name = share_partner_display(m);
        snprintf(line, sizeof(line), "%.150s updated their list: %s", name ? name : "Your partner", changed);
        manager_emit(m, &(Event) { .type = EVENT_PARTNER_CHANGED, .partner = { .what = "list", .summary = line } });
}

typedef struct ParseJob {
        unsigned epoch;
        Scan scan;
        size_t *index; /* the file of each parsed text */
} ParseJob;

static void parse_job_free(ParseJob *j) {
        scan_clear(&j->scan);
        free(j->index);
        free(j);
}

static void take_scan(Follow *f, Scan *s) {
        inherit(f, s);
        files_free(f->files, f->n_files);
        f->files = TAKE_PTR(s->files);
        f->n_files = s->n_files;
        s->n_files = 0;
}

static void parsed(Manager *m, int r, IcalResult *res, void *userdata) {
        ParseJob *j = userdata;
        Follow *f = m->follow;
        if (!f || f->epoch != j->epoch || r == -ECANCELED) {
                parse_job_free(j);
                return;
        }
        f->reading = false;
        if (r >= 0 && res->n_parsed != j->scan.n_parse)
                r = -EBADMSG;
        if (r < 0) {
                log_warning_errno(r, "Following my partner's list: cannot parse the tasks: %m");
                set_problem(&f->import_problem, "the tasks could not be parsed (see the journal)");
        } else {
                /* What did not change first, then the new parses over it. */
                inherit(f, &j->scan);
                for (size_t i = 0; i < res->n_parsed; i++) {
                        FollowFile *ff = &j->scan.files[j->index[i]];
                        IcalParsed *p = &res->parsed[i];
                        free(ff->error);
                        ff->error = NULL;
                        free(ff->text);
                        ff->text = NULL;
                        if (p->r >= 0) {
                                listfile_clear(&ff->list);
                                ff->list = p->list;
                                p->list = (ListFile) {};
                                ff->good = true;
                        } else {
                                ff->error = p->err_text ? TAKE_PTR(p->err_text) : strdup(strerror(-p->r));
                        }
                }
                take_scan(f, &j->scan);
                apply(m, f);
                store_release_memory(m->store);
        }
        parse_job_free(j);
        read_done(m, f);
        if (f->dirty)
                manager_queue_run(m);
}

static int follow_read(Manager *m) {
        Follow *f = m->follow;
        _cleanup_(scan_clear) Scan s = {};
        f->dirty = false;
        int r = scan_dir(f, &s, "", 0);
        if (r < 0) {
                char line[PATH_MAX + 128];
                if (r == -E2BIG)
                        snprintf(line, sizeof(line), "the folder holds more than %d tasks: nothing was read",
                                 ITEM_COUNT_MAX);
                else
                        snprintf(line, sizeof(line), "the folder %s cannot be read: %s; my partner's list stays "
                                 "as it was", f->root, strerror(-r));
                set_problem(&f->folder_problem, line);
                return 0;
        }
        set_problem(&f->folder_problem, NULL);
        char line[600];
        snprintf(line, sizeof(line), "%u file%s skipped: %s%s", s.n_skipped, s.n_skipped == 1 ? "" : "s",
                 s.skipped, s.n_skipped > SKIPPED_SHOWN ? ", ..." : "");
        set_problem(&f->skipped_problem, s.n_skipped ? line : NULL);

        if (s.n_parse == 0) {
                take_scan(f, &s);
                apply(m, f);
                return 0;
        }
        ParseJob *j = calloc(1, sizeof(ParseJob));
        _cleanup_free_ IcalFile *req_files = calloc(s.n_parse, sizeof(IcalFile));
        if (!j || !req_files || !(j->index = calloc(s.n_parse, sizeof(size_t)))) {
                free(j);
                return -ENOMEM;
        }
        size_t k = 0;
        for (size_t i = 0; i < s.n_files; i++)
                if (s.files[i].text) {
                        j->index[k] = i;
                        req_files[k++] = (IcalFile) { .default_category = s.files[i].category,
                                                           .buf = s.files[i].text, .len = s.files[i].len };
                }
        IcalRequest req = { .op = ICAL_OP_LISTFILE_PARSE_EACH, .files = req_files, .n_files = k };
        r = icaljob_start(m, &req, parsed, j);
        if (r < 0) {
                free(j->index);
                free(j);
                return log_warning_errno(r, "Following my partner's list: cannot start the parser: %m");
        }
        j->epoch = f->epoch;
        j->scan = s;
        s = (Scan) {};
        f->reading = true;
        return 0;
}

static int follow_step(Manager *m) {
        Follow *f = m->follow;
        if (!f || !f->dirty || f->reading)
                return 0;
        int r = follow_read(m);
        if (!f->reading)
                read_done(m, f);
        return r;
}

static void follow_event(const struct inotify_event *e, void *userdata) {
        Follow *f = userdata;
        if (e->wd == f->wd_parent) {
                if (e->mask & IN_IGNORED)
                        f->wd_parent = -1;
                /* Only the folder's own name matters there. */
                if (e->len > 0 && streq(e->name, f->base))
                        f->dirty = true;
                return;
        }
        if (e->mask & IN_IGNORED)
                for (size_t i = 0; i < f->n_watches; i++)
                        if (f->watches[i].wd == e->wd) {
                                free(f->watches[i].sub);
                                f->watches[i] = f->watches[--f->n_watches];
                                break;
                        }
        f->dirty = true;
}

static int on_inotify(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        (void) source;
        (void) revents;
        inotify_drain(fd, follow_event, m->follow);
        if (m->follow->dirty)
                manager_queue_run(m);
        return 0;
}

static int follow_open(Manager *m, const char *root) {
        Follow *f = calloc(1, sizeof(Follow));
        if (!f)
                return -ENOMEM;
        *f = (Follow) { .epoch = ++epochs, .inotify_fd = -1, .wd_parent = -1, .dirty = true, .root = strdup(root) };
        int r = !f->root ? -ENOMEM : manager_add_inotify(m, on_inotify, "follow-inotify", &f->inotify_fd, &f->io);
        if (r >= 0) {
                /* The parent too, for the folder removed and made again (or
                 * unmounted and mounted): nothing else there is read. */
                char *slash = strrchr(f->root, '/');
                f->base = slash ? slash + 1 : f->root;
                if (slash && slash > f->root) {
                        *slash = '\0';
                        f->wd_parent = inotify_add_watch(f->inotify_fd, f->root,
                                                         IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
                        *slash = '/';
                }
        }
        if (r < 0) {
                follow_free(f);
                return r;
        }
        follow_stop(m);
        m->follow = f;
        manager_queue_run(m);
        return 0;
}

int follow_start(Manager *m) {
        return folder_resume(m, follow_step, "follow.dir", follow_open);
}

int follow_enable(Manager *m, int dirfd, char **ret_why, FollowReadDone done, void *userdata) {
        char path[PATH_MAX];
        *ret_why = NULL;
        if (m->share)
                return asprintf(ret_why, "sharing is on: my partner's list comes from the shared folder "
                                         "(closerctl share --off first)") < 0 ? -ENOMEM : -EBUSY;
        int r = folder_of_fd(m, dirfd, R_OK | X_OK, path, ret_why);
        if (r < 0)
                return r;
        r = settings_set_string(m->store, "follow.dir", path);
        if (r >= 0)
                r = follow_open(m, path);
        if (r < 0)
                return r;
        m->follow->done = done;
        m->follow->done_userdata = userdata;
        return 0;
}

int follow_disable(Manager *m) {
        _cleanup_free_ char *dir = NULL;
        int r = settings_get_string(m->store, "follow.dir", NULL, &dir);
        if (r < 0)
                return r;
        follow_stop(m);
        if (!dir)
                return 0;
        r = settings_unset(m->store, "follow.dir");
        return r < 0 ? r : 1;
}

void follow_status_clear(FollowStatus *s) {
        free(s->dir);
        for (size_t i = 0; s->problems && i < s->n_problems; i++)
                free(s->problems[i]);
        free(s->problems);
        *s = (FollowStatus) {};
}

int follow_status(Manager *m, FollowStatus *ret) {
        Follow *f = m->follow;
        FollowStatus st = { .enabled = f != NULL };
        int r = settings_get_string(m->store, "follow.dir", NULL, &st.dir);
        if (r < 0)
                return r;
        if (f) {
                const char *lines[] = { f->folder_problem, f->import_problem, f->parse_problem,
                                        f->duplicate_problem, f->skipped_problem };
                char **p = st.problems = calloc(ELEMENTSOF(lines), sizeof(char *));
                for (size_t i = 0; p && i < ELEMENTSOF(lines); i++)
                        if (lines[i] && !(p[st.n_problems++] = strdup(lines[i])))
                                p = NULL;
                if (!p)
                        r = -ENOMEM;
                st.last_read = f->last_read;
                st.tasks = f->tasks;
        }
        if (r < 0) {
                follow_status_clear(&st);
                return r;
        }
        *ret = st;
        return 0;
}
