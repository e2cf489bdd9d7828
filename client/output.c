/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "echo.h"
#include "io.h"
#include "macro.h"
#include "output.h"

static bool reported = false;

static void vreport(const char *fmt, va_list ap) {
        fputs("closerctl: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        reported = true;
}

int fail(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vreport(fmt, ap);
        va_end(ap);
        return -EIO;
}

int usage_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vreport(fmt, ap);
        va_end(ap);
        return ERR_USAGE;
}

bool failure_reported(void) {
        return reported;
}

/* --- files --- */

static bool same_file_as(int fd, const struct stat *st) {
        struct stat o;
        return fstat(fd, &o) == 0 && o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

static bool is_special_path(const char *path) {
        return strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0;
}

/* The directory a path names a file in ("." for a bare name). */
static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return strdup(".");
        return strndup(path, slash == path ? 1 : (size_t) (slash - path));
}

/* A new, unnamed 0600 file in the target's directory (a named one where
 * the file system has no O_TMPFILE). */
static int open_new_file(Output *o) {
        _cleanup_free_ char *dir = dir_of(o->target);
        if (!dir)
                return fail("out of memory");

        const char *base = strrchr(o->target, '/');
        base = base ? base + 1 : o->target;

        o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
                if (asprintf(&o->temp, "%s/.%s.closerctl-XXXXXX", dir, base) < 0) {
                        o->temp = NULL;
                        return fail("out of memory");
                }
                o->fd = mkostemp(o->temp, O_CLOEXEC);
                o->named_temp = o->fd >= 0;
        }
        if (o->fd < 0)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(errno));
        /* 0600 whatever the umask, and whatever the old file's mode was. */
        if (fchmod(o->fd, 0600) < 0)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(errno));
        return 0;
}

int output_open(Output *o, const char *path) {
        struct stat st;

        o->path = path;
        o->fd = -1;
        if (!path || streq(path, "-"))
                o->kind = OUTPUT_STDOUT;
        else if (stat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                        return fail("%.*s%s is a directory: give a file name", ECHO(path));
                bool stream = !S_ISREG(st.st_mode) || is_special_path(path) || same_file_as(STDOUT_FILENO, &st);
                o->kind = stream ? OUTPUT_STREAM : OUTPUT_FILE;
                /* Through a symlink the file it points to is replaced, not the link. */
                if (!stream && !(o->target = realpath(path, NULL)))
                        return fail("cannot write %.*s%s: %s", ECHO(path), strerror(errno));
        } else if (errno == ENOENT) {
                o->kind = OUTPUT_FILE;
                if (!(o->target = strdup(path)))
                        return fail("out of memory");
        } else
                return fail("cannot write %.*s%s: %s", ECHO(path), strerror(errno));

        if (o->kind == OUTPUT_FILE)
                return open_new_file(o);
        o->fd = memfd_create("closerctl", MFD_CLOEXEC);
        if (o->fd < 0)
                return fail("cannot make room for the result: %s", strerror(errno));
        return 0;
}

bool output_is_stdout(const Output *o) {
        if (o->kind == OUTPUT_STDOUT)
                return true;
        struct stat st;
        return o->kind == OUTPUT_STREAM && stat(o->path, &st) == 0 && same_file_as(STDOUT_FILENO, &st);
}

/* Opens a target that is not a regular file for writing, as it is. */
static int open_stream(const char *path) {
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0 || errno != ENXIO)
                return fd < 0 ? -errno : fd;
        /* A socket cannot be opened, only connected to. */
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

/* Copies what the daemon wrote into the memfd to the stream. */
static int copy_out(const Output *o) {
        bool to_stdout = output_is_stdout(o);
        _cleanup_close_ int out = -1;
        if (to_stdout) {
                if (fflush(stdout) != 0)
                        return fail("cannot write standard output: %s", strerror(errno));
        } else if ((out = open_stream(o->path)) < 0)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(-out));
        char buf[65536];
        for (off_t off = 0;;) {
                ssize_t k = pread(o->fd, buf, sizeof(buf), off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return fail("cannot read the result: %s", strerror(errno));
                if (k == 0)
                        break;
                int r = write_all(to_stdout ? STDOUT_FILENO : out, buf, (size_t) k);
                if (r < 0)
                        return to_stdout ? fail("cannot write standard output: %s", strerror(-r))
                                         : fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(-r));
                off += k;
        }
        if (out >= 0 && close(TAKE_FD(out)) < 0 && errno != EINTR)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(errno));
        return 0;
}

static int fsync_dir_of(const char *path) {
        _cleanup_free_ char *dir = dir_of(path);
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Gives the new file its name: an unnamed one is linked under a temporary
 * name first, since linkat() does not replace. */
static int rename_into_place(Output *o) {
        if (!o->named_temp) {
                char proc[64];
                (void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
                for (int i = 0;; i++) {
                        free(o->temp);
                        if (asprintf(&o->temp, "%s.closerctl-%d-%d", o->target, (int) getpid(), i) < 0) {
                                o->temp = NULL;
                                return -ENOMEM;
                        }
                        if (linkat(AT_FDCWD, proc, AT_FDCWD, o->temp, AT_SYMLINK_FOLLOW) == 0)
                                break;
                        if (errno != EEXIST || i > 100) {
                                int e = -errno;
                                free(TAKE_PTR(o->temp));
                                return e;
                        }
                }
                o->named_temp = true;
        }
        if (rename(o->temp, o->target) < 0)
                return -errno;
        free(TAKE_PTR(o->temp));
        o->named_temp = false;
        (void) fsync_dir_of(o->target);
        return 0;
}

int output_commit(Output *o) {
        if (o->kind != OUTPUT_FILE)
                return copy_out(o);
        if (fsync(o->fd) < 0)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(errno));
        int r = rename_into_place(o);
        if (r < 0)
                return fail("cannot write %.*s%s: %s", ECHO(o->path), strerror(-r));
        return 0;
}

void output_clear(Output *o) {
        if (o->named_temp && o->temp)
                (void) unlink(o->temp);
        free(TAKE_PTR(o->temp));
        free(TAKE_PTR(o->target));
        if (o->fd >= 0)
                close(TAKE_FD(o->fd));
}

int close_stdout(void) {
        bool had_error = ferror(stdout);
        int e = 0;
        if (fflush(stdout) != 0)
                e = errno;
        if (fclose(stdout) != 0 && !e)
                e = errno;
        if (!had_error && !e)
                return 0;
        return fail("cannot write standard output: %s", strerror(e ?: EIO));
}

/* --- times --- */

/* By ISO weekday, 1 Monday (weekday_of_day()). */
static const char *const WEEKDAYS[] = { NULL, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const MONTHS[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static char *next_buffer(void) {
        static char ring[4][48];
        static unsigned k;
        return ring[k++ % ELEMENTSOF(ring)];
}

/* The year is left out within about ten months of today, where the
 * weekday and the month leave no doubt. */
static bool needs_year(int y, int mo, int d) {
        time_t now = time(NULL);
        struct tm tm;
        if (!localtime_r(&now, &tm))
                return true;
        int64_t diff = day_from_ymd(y, mo, d) - day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return diff > 300 || diff < -300;
}

static bool format_day(char *buf, size_t size, int y, int mo, int d) {
        if (!ymd_valid(y, mo, d) || y < 1)
                return false;
        const char *wd = WEEKDAYS[weekday_of_day(day_from_ymd(y, mo, d))];
        if (needs_year(y, mo, d))
                (void) snprintf(buf, size, "%s %d %s %d", wd, d, MONTHS[mo - 1], y);
        else
                (void) snprintf(buf, size, "%s %d %s", wd, d, MONTHS[mo - 1]);
        return true;
}

const char *human_date(const char *ymd) {
        int y, mo, d, n = 0;
        char *buf = next_buffer();
        if (!ymd || sscanf(ymd, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
            !format_day(buf, 48, y, mo, d))
                return ymd;
        return buf;
}

const char *human_time(const char *iso) {
        int y, mo, d, h, mi, n = 0;
        char *buf = next_buffer();
        if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16 ||
            !format_day(buf, 48, y, mo, d))
                return iso;
        size_t len = strlen(buf);
        (void) snprintf(buf + len, 48 - len, " %02d:%02d", h, mi);
        return buf;
}

const char *human_clock(const char *iso) {
        int h, mi, n = 0;
        char *buf = next_buffer();
        if (!iso || strlen(iso) < 16 || sscanf(iso + 11, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
                return iso;
        (void) snprintf(buf, 48, "%02d:%02d", h, mi);
        return buf;
}
