/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "icalproc.h"
#include "io.h"
#include "log.h"
#include "macro.h"

#ifndef CLOSER_MODULEDIR
#define CLOSER_MODULEDIR "/usr/local/lib/closer"
#endif

/* --- what a child sends back: a growable buffer, and a reader for it --- */

typedef struct Buf {
        char *data;
        size_t len, size;
        bool failed; /* out of memory: the rest is dropped */
} Buf;

static void buf_put(Buf *b, const void *p, size_t n) {
        if (b->failed || n == 0)
                return;
        if (n > SIZE_MAX / 2 - b->len) {
                b->failed = true;
                return;
        }
        if (b->len + n > b->size) {
                size_t size = MAX(MAX(b->size * 2, b->len + n), (size_t) 4096);
                char *d = realloc(b->data, size);
                if (!d) {
                        b->failed = true;
                        return;
                }
                b->data = d;
                b->size = size;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void put_i64(Buf *b, int64_t v) {
        buf_put(b, &v, sizeof(v));
}

/* A string: its length (UINT32_MAX for NULL), then its bytes. */
static void put_str(Buf *b, const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n >= UINT32_MAX) {
                b->failed = true;
                return;
        }
        uint32_t len = s ? (uint32_t) n : UINT32_MAX;
        buf_put(b, &len, sizeof(len));
        buf_put(b, s, n);
}

typedef struct Cursor {
        const char *p;
        size_t left;
} Cursor;

static int get(Cursor *c, void *out, size_t n) {
        if (c->left < n)
                return -EBADMSG;
        memcpy(out, c->p, n);
        c->p += n;
        c->left -= n;
        return 0;
}

/* An integer in [min, max]. */
static int get_int(Cursor *c, int64_t min, int64_t max, int64_t *ret) {
        int64_t v;
        int r = get(c, &v, sizeof(v));
        if (r < 0)
                return r;
        if (v < min || v > max)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int get_str(Cursor *c, char **ret) {
        uint32_t len;
        int r = get(c, &len, sizeof(len));
        if (r < 0)
                return r;
        if (len == UINT32_MAX) {
                *ret = NULL;
                return 0;
        }
        if (c->left < len || memchr(c->p, 0, len))
                return -EBADMSG;
        *ret = strndup(c->p, len);
        if (!*ret)
                return -ENOMEM;
        c->p += len;
        c->left -= len;
        return 0;
}

/* --- a parsed list, from the child to closerd --- */

#define ITEM_BYTES_MIN (8 * 8 + 4 * 4) /* eight integers and four string lengths */

static void put_item(Buf *b, const Item *it) {
        put_i64(b, it->id);
        put_str(b, it->uid);
        put_str(b, it->title);
        put_str(b, it->details);
        put_i64(b, it->category);
        put_i64(b, it->intensity);
        put_i64(b, it->private_);
        put_i64(b, it->sequence);
        put_i64(b, it->modified);
        put_i64(b, it->removed);
        put_i64(b, it->review);
        put_str(b, it->note);
}

int icalproc_encode_listfile(const ListFile *f, char **ret, size_t *ret_len) {
        Buf b = {};
        put_i64(&b, (int64_t) f->n_items);
        put_i64(&b, (int64_t) f->skipped_components);
        put_str(&b, f->owner_name);
        put_str(&b, f->owner_id);
        for (size_t i = 0; i < f->n_items; i++)
                put_item(&b, &f->items[i]);
        if (b.failed) {
                free(b.data);
                return -ENOMEM;
        }
        *ret = b.data;
        *ret_len = b.len;
        return 0;
}

static int get_item(Cursor *c, Item *it) {
        int64_t category, intensity, private_, removed, review;
        int r = get_int(c, INT64_MIN, INT64_MAX, &it->id);
        if (r >= 0)
                r = get_str(c, &it->uid);
        if (r >= 0)
                r = get_str(c, &it->title);
        if (r >= 0)
                r = get_str(c, &it->details);
        if (r >= 0)
                r = get_int(c, _CATEGORY_INVALID, _CATEGORY_MAX - 1, &category);
        if (r >= 0)
                r = get_int(c, INT_MIN, INT_MAX, &intensity);
        if (r >= 0)
                r = get_int(c, 0, 1, &private_);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &it->sequence);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &it->modified);
        if (r >= 0)
                r = get_int(c, 0, 1, &removed);
        if (r >= 0)
                r = get_int(c, _REVIEW_INVALID, _REVIEW_MAX - 1, &review);
        if (r >= 0)
                r = get_str(c, &it->note);
        if (r < 0)
                return r;
        it->category = (Category) category;
        it->intensity = (int) intensity;
        it->private_ = private_;
        it->removed = removed;
        it->review = (Review) review;
        return 0;
}

int icalproc_decode_listfile(const char *buf, size_t len, ListFile *ret) {
        Cursor c = { buf, len };
        ListFile f = {};
        int64_t n, skipped;
        int r = get_int(&c, 0, INT64_MAX, &n);
        if (r >= 0)
                r = get_int(&c, 0, INT64_MAX, &skipped);
        if (r >= 0)
                r = get_str(&c, &f.owner_name);
        if (r >= 0)
                r = get_str(&c, &f.owner_id);
        /* No more items than the bytes left could hold. */
        if (r >= 0 && (uint64_t) n > c.left / ITEM_BYTES_MIN)
                r = -EBADMSG;
        if (r >= 0 && n > 0) {
                f.items = calloc((size_t) n, sizeof(Item));
                if (!f.items)
                        r = -ENOMEM;
        }
        for (int64_t i = 0; r >= 0 && i < n; i++) {
                f.n_items = (size_t) i + 1; /* so that listfile_done() frees it */
                r = get_item(&c, &f.items[i]);
        }
        if (r >= 0 && c.left > 0)
                r = -EBADMSG;
        if (r < 0) {
                listfile_done(&f);
                return r;
        }
        f.skipped_components = (size_t) skipped;
        *ret = f;
        return 0;
}

/* --- the child --- */

typedef int (*Work)(const IcalModule *mod, const void *args, Buf *out);

static int try_path(char **ret, const char *dir, const char *sub) {
        if (asprintf(ret, "%s%s/%s", dir, sub, ICALPROC_MODULE) < 0)
                return -ENOMEM;
        if (access(*ret, R_OK) >= 0)
                return 1;
        free(*ret);
        *ret = NULL;
        return 0;
}

static const char *module_override;

void icalproc_set_module(const char *path) {
        module_override = path;
}

/* Next to the executable (the build tree), in ../lib/closer from it (an
 * installed closerd, whatever the prefix), then where make install puts it. */
static int module_path(char **ret) {
        char exe[PATH_MAX];
        int r = 0;
        if (module_override) {
                *ret = strdup(module_override);
                return *ret ? 0 : -ENOMEM;
        }
        ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (k > 0) {
                exe[k] = 0;
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = 0;
                        r = try_path(ret, exe, "");
                        if (r == 0)
                                r = try_path(ret, exe, "/../lib/closer");
                }
        }
        if (r == 0)
                r = try_path(ret, CLOSER_MODULEDIR, "");
        if (r != 0)
                return r < 0 ? r : 0;
        log_error("%s is missing (looked next to closerd, in ../lib/closer from it and in %s): "
                  "no iCalendar file can be read or written",
                  ICALPROC_MODULE, CLOSER_MODULEDIR);
        return -ENOPKG;
}

static int load_module(const char *path, const IcalModule **ret) {
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                log_error("Cannot load %s: %s", path, dlerror());
                return -ENOPKG;
        }
        const IcalModule *mod = dlsym(h, ICALPROC_SYMBOL);
        if (!mod || !mod->abi || !streq(mod->abi, ICALPROC_ABI) || mod->size_item != sizeof(Item) ||
            mod->size_event != sizeof(IcsEvent) || mod->size_listfile != sizeof(ListFile)) {
                log_error("%s is not the module of this closerd (%s): reinstall closer", path, ICALPROC_ABI);
                return -ENOPKG;
        }
        *ret = mod;
        return 0;
}

/* Sends [int32 result][payload] and exits. Never returns. */
_Noreturn static void child(int fd, const char *path, Work work, const void *args) {
        const IcalModule *mod;
        Buf out = {};
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        int r = load_module(path, &mod);
        if (r >= 0)
                r = work(mod, args, &out);
        if (out.failed) {
                r = -ENOMEM;
                out.len = 0;
        }
        int32_t head = r;
        if (write_all(fd, (const char *) &head, sizeof(head)) < 0 || write_all(fd, out.data, out.len) < 0)
                _exit(1);
        free(out.data);
        _exit(0);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads until end of file, at most ICALPROC_OUTPUT_MAX bytes, within
 * ICALPROC_TIMEOUT_MS. */
static int read_all(int fd, Buf *in) {
        const int64_t deadline = now_ms() + ICALPROC_TIMEOUT_MS;
        char chunk[65536];
        for (;;) {
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int k = poll(&p, 1, (int) MIN(left, (int64_t) INT_MAX));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -ETIMEDOUT;
                ssize_t got = read(fd, chunk, sizeof(chunk));
                if (got < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (got < 0)
                        return -errno;
                if (got == 0)
                        return 0;
                if (in->len + (size_t) got > ICALPROC_OUTPUT_MAX)
                        return -EFBIG;
                buf_put(in, chunk, (size_t) got);
                if (in->failed)
                        return -ENOMEM;
        }
}

/* Runs work in a child. Returns its result (< 0: an error) and, in any
 * case but a failure to run it, its payload, NUL-terminated. */
static int run(Work work, const void *args, char **ret_payload, size_t *ret_len) {
        _cleanup_free_ char *path = NULL;
        int fds[2], status, r;

        *ret_payload = NULL;
        *ret_len = 0;
        r = module_path(&path);
        if (r < 0)
                return r;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        (void) fflush(stdout);
        (void) fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                (void) close(fds[0]);
                (void) close(fds[1]);
                return r;
        }
        if (pid == 0) {
                (void) close(fds[0]);
                child(fds[1], path, work, args);
        }
        (void) close(fds[1]);

        Buf in = {};
        r = read_all(fds[0], &in);
        (void) close(fds[0]);
        if (r < 0)
                (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = -1;
                        break;
                }
        if (r == -ETIMEDOUT)
                log_error("The iCalendar child %d took more than %d s: killed", (int) pid, ICALPROC_TIMEOUT_MS / 1000);
        else if (r == -EFBIG) {
                log_error("The iCalendar child %d sent more than %u MiB: killed", (int) pid, ICALPROC_OUTPUT_MAX >> 20);
                r = -ECHILD;
        } else if (r >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                if (WIFSIGNALED(status))
                        log_error("The iCalendar child %d was killed by signal %d", (int) pid, WTERMSIG(status));
                else
                        log_error("The iCalendar child %d failed", (int) pid);
                r = -ECHILD;
        } else if (r >= 0 && in.len < sizeof(int32_t))
                r = -ECHILD;
        if (r >= 0) {
                buf_put(&in, "", 1); /* the NUL */
                if (in.failed)
                        r = -ENOMEM;
        }
        if (r < 0) {
                free(in.data);
                return r;
        }
        int32_t result;
        memcpy(&result, in.data, sizeof(result));
        *ret_len = in.len - sizeof(result) - 1;
        memmove(in.data, in.data + sizeof(result), *ret_len + 1);
        *ret_payload = in.data;
        return result > 0 ? 0 : result;
}

/* --- the three kinds of work --- */

typedef struct TextArgs {
        const IcsEvent *events;
        const Item *items;
        size_t n;
        const char *owner_name, *owner_id;
        time_t now;
} TextArgs;

static int put_text(int r, char *text, Buf *out) {
        if (r >= 0)
                buf_put(out, text, strlen(text));
        free(text);
        return r;
}

static int work_ics_write(const IcalModule *mod, const void *args, Buf *out) {
        const TextArgs *a = args;
        char *text = NULL;
        int r = mod->ics_write(a->events, a->n, a->now, &text);
        return put_text(r, text, out);
}

static int work_listfile_write(const IcalModule *mod, const void *args, Buf *out) {
        const TextArgs *a = args;
        char *text = NULL;
        int r = mod->listfile_write(a->items, a->n, a->owner_name, a->owner_id, a->now, &text);
        return put_text(r, text, out);
}

static int run_text(Work work, const TextArgs *args, char **ret_text) {
        size_t len;
        char *text;
        int r = run(work, args, &text, &len);
        if (r < 0) {
                free(text);
                return r;
        }
        *ret_text = text;
        return 0;
}

int icalproc_ics_write(const IcsEvent *events, size_t n, time_t now, char **ret_text) {
        TextArgs a = { .events = events, .n = n, .now = now };
        return run_text(work_ics_write, &a, ret_text);
}

int icalproc_listfile_write(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                            char **ret_text) {
        TextArgs a = { .items = items, .n = n, .owner_name = owner_name, .owner_id = owner_id, .now = now };
        return run_text(work_listfile_write, &a, ret_text);
}

typedef struct ParseArgs {
        const char *buf;
        size_t len;
} ParseArgs;

static int work_listfile_parse(const IcalModule *mod, const void *args, Buf *out) {
        const ParseArgs *a = args;
        ListFile f = {};
        char *err = NULL, *enc = NULL;
        size_t len = 0;
        int r = mod->listfile_parse(a->buf, a->len, &f, &err);
        if (r < 0) {
                if (err)
                        buf_put(out, err, strlen(err));
                free(err);
                return r;
        }
        r = icalproc_encode_listfile(&f, &enc, &len);
        if (r >= 0)
                buf_put(out, enc, len);
        free(enc);
        listfile_done(&f);
        return r;
}

int icalproc_listfile_parse(const char *buf, size_t len, ListFile *ret, char **err_text) {
        ParseArgs a = { buf, len };
        size_t n;
        char *payload;
        int r = run(work_listfile_parse, &a, &payload, &n);
        if (r < 0) {
                if (err_text)
                        *err_text = payload && payload[0] ? payload : NULL;
                if (!err_text || *err_text != payload)
                        free(payload);
                return r;
        }
        r = icalproc_decode_listfile(payload, n, ret);
        free(payload);
        if (r == -EBADMSG)
                log_error("The iCalendar child sent a list that does not decode");
        return r == -EBADMSG ? -ECHILD : r;
}

/* --- fingerprints --- */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

static uint64_t fnv_i64(uint64_t h, int64_t v) {
        return fnv(h, &v, sizeof(v));
}

static uint64_t fnv_str(uint64_t h, const char *s) {
        /* NULL and "" differ: a string hashes with its NUL, NULL as one 0xff. */
        return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}

uint64_t icalproc_fingerprint(const IcsEvent *events, size_t n, time_t now) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        h = fnv_i64(h, (int64_t) n);
        /* The DTSTAMP of every event: without events, now is not written. */
        if (n > 0)
                h = fnv_i64(h, now);
        for (size_t i = 0; i < n; i++) {
                const IcsEvent *e = &events[i];
                h = fnv_str(h, e->uid);
                h = fnv_i64(h, e->start);
                h = fnv_i64(h, e->end);
                h = fnv_i64(h, e->sequence);
                h = fnv_i64(h, e->last_modified);
                h = fnv_i64(h, e->cancelled);
                h = fnv_str(h, e->summary);
                h = fnv_str(h, e->description);
                h = fnv_i64(h, e->alarm_before);
                h = fnv_str(h, e->alarm_text);
        }
        return h;
}
