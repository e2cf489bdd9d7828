/* SPDX-License-Identifier: MIT */
/*
 * fakeclock.so: a faked wall clock for closerd's time tests
 * (the time tests, tests/test-daily.sh and tests/test-datenight.sh, compile it
 * with cc -shared -fPIC ... -ldl -lpthread and LD_PRELOAD it).
 *
 * Why not libfaketime: Debian's libfaketime 0.9.10 translates the absolute
 * deadline of every timerfd as if it were CLOCK_REALTIME ("only
 * CLOCK_REALTIME is handled" in its timerfd_settime; wolfcw/libfaketime#378).
 * sd-event arms CLOCK_MONOTONIC timerfds too (sd-bus's timeouts and its
 * "dispatch now", a deadline of 1 ns), so under any FAKETIME other than "+0" a daemon on
 * sd-bus stops answering calls: the bus's timerfd is pushed months away
 * (fake time in the past) or refused with EINVAL (fake time in the future).
 *
 * This shim fakes CLOCK_REALTIME only and leaves the monotonic clocks alone:
 *
 *   FAKECLOCK_FILE=PATH   an absolute path; the file has one line
 *                         "REAL FAKE RATE": at the real instant REAL (epoch
 *                         seconds, fractions allowed) the faked clock read
 *                         FAKE, and it runs RATE times as fast:
 *                         fake(t) = FAKE + (t - REAL) * RATE.
 *
 * Faked: clock_gettime (CLOCK_REALTIME, CLOCK_REALTIME_COARSE), gettimeofday,
 * time. A CLOCK_REALTIME timerfd's absolute deadline is mapped to the real
 * instant at which the faked clock reaches it (relative times and intervals
 * are divided by RATE), so sd-event's wall-clock timers fire at faked times.
 *
 * The file may be replaced (write a new file and rename it over) while the
 * process runs: a helper thread watches it with inotify, re-arms every
 * absolute CLOCK_REALTIME timerfd for the new mapping (as the kernel does
 * when the clock is set), and when the faked clock jumped (by more than half
 * a second) emulates TFD_TIMER_CANCEL_ON_SET: such a timerfd becomes readable
 * and its next read() fails with ECANCELED. So a test can jump the clock,
 * forward or back, or change its rate, under a running daemon.
 *
 * Without FAKECLOCK_FILE, or with an unreadable one, the clock is real.
 * Not faked: sleeps, poll/epoll timeouts, file times; timerfd_gettime
 * reports real remaining times.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 4096
#define NSEC_PER_SEC 1000000000LL

typedef struct Mapping {
        long double real; /* seconds */
        long double fake;
        long double rate;
        bool active;
} Mapping;

typedef struct Timer {
        bool realtime; /* a CLOCK_REALTIME timerfd */
        bool armed_abs;
        bool cancel_on_set;
        struct itimerspec fake_spec; /* as the program asked, faked times */
} Timer;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Mapping mapping;
static Timer timers[MAX_FDS];
static atomic_bool cancelled[MAX_FDS];
static char *clock_file;

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int (*real_timerfd_create)(int, int);
static int (*real_timerfd_settime)(int, int, const struct itimerspec *, struct itimerspec *);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_close)(int);

static void resolve(void) {
        if (real_clock_gettime)
                return;
        real_timerfd_create = dlsym(RTLD_NEXT, "timerfd_create");
        real_timerfd_settime = dlsym(RTLD_NEXT, "timerfd_settime");
        real_read = dlsym(RTLD_NEXT, "read");
        real_close = dlsym(RTLD_NEXT, "close");
        real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
}

static long double real_now(void) {
        struct timespec ts;
        resolve();
        real_clock_gettime(CLOCK_REALTIME, &ts);
        return (long double) ts.tv_sec + (long double) ts.tv_nsec / NSEC_PER_SEC;
}

/* A decimal number ("-12.5"), by hand: the program may have set a locale
 * whose decimal point is not ".". */
static bool parse_number(const char **p, long double *ret) {
        const char *s = *p;
        long double v = 0, scale = 1;
        bool neg = false, digits = false;
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s == '-' || *s == '+')
                neg = *s++ == '-';
        for (; *s >= '0' && *s <= '9'; s++, digits = true)
                v = v * 10 + (*s - '0');
        if (*s == '.')
                for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
                        v += (*s - '0') * (scale /= 10);
        if (!digits)
                return false;
        *ret = neg ? -v : v;
        *p = s;
        return true;
}

static bool read_mapping(Mapping *ret) {
        char buf[256];
        int fd = open(clock_file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = real_read(fd, buf, sizeof(buf) - 1);
        real_close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        Mapping m = { .active = true };
        const char *p = buf;
        if (!parse_number(&p, &m.real) || !parse_number(&p, &m.fake) || !parse_number(&p, &m.rate) ||
            m.rate < 0)
                return false;
        *ret = m;
        return true;
}

static long double to_fake(const Mapping *m, long double real) {
        return m->fake + (real - m->real) * m->rate;
}

static struct timespec ts_from(long double s) {
        struct timespec ts;
        if (s < 0)
                s = 0;
        if (s >= (long double) INT64_MAX / 2)
                return (struct timespec){ .tv_sec = INT64_MAX / 2 };
        ts.tv_sec = (time_t) s;
        ts.tv_nsec = (long) ((s - (long double) ts.tv_sec) * NSEC_PER_SEC);
        if (ts.tv_nsec >= NSEC_PER_SEC)
                ts.tv_nsec = NSEC_PER_SEC - 1;
        return ts;
}

static long double ts_sec(const struct timespec *ts) {
        return (long double) ts->tv_sec + (long double) ts->tv_nsec / NSEC_PER_SEC;
}

/* The real itimerspec for a faked one, under the lock. */
static struct itimerspec to_real_spec(const Mapping *m, int flags, const struct itimerspec *fake) {
        struct itimerspec r = *fake;
        if (!m->active)
                return r;
        if (fake->it_interval.tv_sec || fake->it_interval.tv_nsec)
                r.it_interval = m->rate > 0 ? ts_from(ts_sec(&fake->it_interval) / m->rate)
                                            : (struct timespec){ .tv_sec = INT64_MAX / 2 };
        if (!fake->it_value.tv_sec && !fake->it_value.tv_nsec)
                return r; /* disarm */
        long double v = ts_sec(&fake->it_value);
        if (flags & TFD_TIMER_ABSTIME) {
                if (fake->it_value.tv_sec >= INT64_MAX / 4 || m->rate == 0)
                        r.it_value = (struct timespec){ .tv_sec = INT64_MAX / 2 }; /* never */
                else {
                        long double real = m->real + (v - m->fake) / m->rate;
                        r.it_value = ts_from(real);
                        /* Zero would disarm: a deadline in the past is 1 ns. */
                        if (!r.it_value.tv_sec && !r.it_value.tv_nsec)
                                r.it_value.tv_nsec = 1;
                }
        } else
                r.it_value = m->rate > 0 ? ts_from(v / m->rate) : (struct timespec){ .tv_sec = INT64_MAX / 2 };
        if (!r.it_value.tv_sec && !r.it_value.tv_nsec)
                r.it_value.tv_nsec = 1;
        return r;
}

static void apply_mapping(const Mapping *next) {
        pthread_mutex_lock(&lock);
        long double now = real_now();
        long double gap = to_fake(&mapping, now) - to_fake(next, now);
        bool jumped = !mapping.active || !next->active || gap > 0.5L || gap < -0.5L;
        mapping = *next;
        for (int fd = 0; fd < MAX_FDS; fd++) {
                Timer *t = &timers[fd];
                if (!t->realtime)
                        continue;
                if (jumped && t->cancel_on_set && t->armed_abs) {
                        /* Readable at once; the next read() says ECANCELED. */
                        struct itimerspec soon = { .it_value.tv_nsec = 1 };
                        atomic_store(&cancelled[fd], true);
                        (void) real_timerfd_settime(fd, TFD_TIMER_ABSTIME, &soon, NULL);
                        continue;
                }
                if (t->armed_abs) {
                        struct itimerspec r = to_real_spec(&mapping, TFD_TIMER_ABSTIME, &t->fake_spec);
                        (void) real_timerfd_settime(fd, TFD_TIMER_ABSTIME, &r, NULL);
                }
        }
        pthread_mutex_unlock(&lock);
}

/* Global, so that it stays reachable in a forked child (closerd between
 * its fork and its exec of the iCalendar helper), which has no copy of
 * this thread. */
static char *volatile watch_dir;

static void *watch_file(void *arg) {
        (void) arg;
        /* The directory, for the rename that replaces the file. */
        char *dir = watch_dir = strdup(clock_file);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (!slash || slash == dir)
                return NULL;
        *slash = '\0';
        const char *base = slash + 1;
        int fd = inotify_init1(IN_CLOEXEC);
        if (fd < 0 || inotify_add_watch(fd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
                return NULL;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        for (;;) {
                ssize_t n = real_read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return NULL;
                bool hit = false;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const void *) p;
                        if (e->len && strcmp(e->name, base) == 0)
                                hit = true;
                        p += sizeof(*e) + e->len;
                }
                Mapping m;
                if (hit && read_mapping(&m))
                        apply_mapping(&m);
        }
}

__attribute__((constructor)) static void fakeclock_init(void) {
        resolve();
        const char *f = getenv("FAKECLOCK_FILE");
        if (!f || !*f)
                return;
        clock_file = strdup(f);
        Mapping m;
        if (!clock_file || !read_mapping(&m))
                return;
        mapping = m;
        /* The helper must not keep the process alive, nor take signals. */
        pthread_t t;
        pthread_attr_t attr;
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        (void) pthread_create(&t, &attr, watch_file, NULL);
        pthread_attr_destroy(&attr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static struct timespec fake_now(void) {
        pthread_mutex_lock(&lock);
        Mapping m = mapping;
        pthread_mutex_unlock(&lock);
        long double now = real_now();
        return ts_from(m.active ? to_fake(&m, now) : now);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
        resolve();
        if (mapping.active && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
                *ts = fake_now();
                return 0;
        }
        return real_clock_gettime(id, ts);
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
        (void) tz;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
        return 0;
}

time_t time(time_t *ret) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        if (ret)
                *ret = ts.tv_sec;
        return ts.tv_sec;
}

int timerfd_create(int clockid, int flags) {
        resolve();
        int fd = real_timerfd_create(clockid, flags);
        if (fd >= 0 && fd < MAX_FDS) {
                pthread_mutex_lock(&lock);
                timers[fd] = (Timer){ .realtime = clockid == CLOCK_REALTIME };
                atomic_store(&cancelled[fd], false);
                pthread_mutex_unlock(&lock);
        }
        return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value) {
        resolve();
        if (fd < 0 || fd >= MAX_FDS || !new_value || !timers[fd].realtime || !mapping.active)
                return real_timerfd_settime(fd, flags, new_value, old_value);
        pthread_mutex_lock(&lock);
        struct itimerspec r = to_real_spec(&mapping, flags, new_value);
        int ret = real_timerfd_settime(fd, flags, &r, old_value);
        if (ret == 0) {
                Timer *t = &timers[fd];
                bool armed = new_value->it_value.tv_sec || new_value->it_value.tv_nsec;
                t->armed_abs = armed && (flags & TFD_TIMER_ABSTIME);
                t->cancel_on_set = armed && (flags & TFD_TIMER_CANCEL_ON_SET);
                t->fake_spec = *new_value;
                atomic_store(&cancelled[fd], false);
        }
        pthread_mutex_unlock(&lock);
        return ret;
}

ssize_t read(int fd, void *buf, size_t count) {
        resolve();
        if (fd >= 0 && fd < MAX_FDS && atomic_load(&cancelled[fd])) {
                pthread_mutex_lock(&lock);
                bool was = atomic_exchange(&cancelled[fd], false);
                if (was) {
                        uint64_t ticks;
                        (void) real_read(fd, &ticks, sizeof(ticks));
                        timers[fd].armed_abs = false;
                }
                pthread_mutex_unlock(&lock);
                if (was) {
                        errno = ECANCELED;
                        return -1;
                }
        }
        return real_read(fd, buf, count);
}

int close(int fd) {
        resolve();
        if (fd >= 0 && fd < MAX_FDS && timers[fd].realtime) {
                pthread_mutex_lock(&lock);
                timers[fd] = (Timer){};
                atomic_store(&cancelled[fd], false);
                pthread_mutex_unlock(&lock);
        }
        return real_close(fd);
}
