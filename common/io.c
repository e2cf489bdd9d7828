/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "macro.h"

int write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t k = write(fd, buf, len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        struct pollfd p = { .fd = fd, .events = POLLOUT };
                        (void) poll(&p, 1, -1);
                        continue;
                }
                if (k < 0)
                        return -errno;
                buf += k;
                len -= (size_t) k;
        }
        return 0;
}

int write_file_atomic(const char *path, const char *tmp, const char *text, size_t len, mode_t mode) {
        _cleanup_free_ char *own = NULL;
        int fd;
        if (tmp) {
                (void) unlink(tmp); /* a leftover of a crash, or a stranger's file */
                fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        } else {
                if (asprintf(&own, "%s.XXXXXX", path) < 0)
                        return -ENOMEM;
                tmp = own;
                fd = mkostemp(own, O_CLOEXEC);
        }
        if (fd < 0)
                return -errno;
        int r = write_all(fd, text, len);
        if (r >= 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int write_file_changed(const char *path, const char *tmp, const char *text, mode_t mode) {
        size_t len = strlen(text);
        int r = file_equals(path, text, len);
        if (r != 0)
                return r < 0 ? r : 0;
        r = write_file_atomic(path, tmp, text, len, mode);
        return r < 0 ? r : 1;
}

int file_equals(const char *path, const char *text, size_t len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t) st.st_size != len)
                return 0;
        _cleanup_free_ char *buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;
        size_t got = 0;
        while (got < len + 1) {
                ssize_t k = read(fd, buf + got, len + 1 - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t) k;
        }
        return got == len && memcmp(buf, text, len) == 0;
}

bool same_file(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        if ((uint64_t) st.st_size > max)
                return -E2BIG;
        _cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        while (len <= max) {
                ssize_t k = read(fd, buf + len, (size_t) st.st_size + 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > (size_t) st.st_size)
                        return -EAGAIN; /* growing while read: a writer is at it */
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

bool file_name_is_conflict(const char *name) {
        return strstr(name, ".sync-conflict-") || strstr(name, "conflicted copy") || strstr(name, "(conflict");
}

void inotify_drain(int fd, void (*each)(const struct inotify_event *e, void *userdata), void *userdata) {
        _Alignas(struct inotify_event) char buf[4096];
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *) p;
                        p += sizeof(*e) + e->len;
                        each(e, userdata);
                }
        }
}
