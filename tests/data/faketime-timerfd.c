/* SPDX-License-Identifier: MIT */
/*
 * faketime-timerfd.so: lets libfaketime fake closerd's wall clock without
 * stopping its event loop (faketime_preload in tests/lib.sh compiles it
 * with cc -shared for test-promise.sh and test-stats.sh, preloaded in
 * front of libfaketime.so.1).
 *
 * Debian's libfaketime 0.9.10 maps the absolute deadline of every timerfd
 * as if the timer ran on CLOCK_REALTIME (wolfcw/libfaketime#378). sd-event
 * also arms CLOCK_MONOTONIC timerfds (sd-bus's "dispatch now" is a 1 ns
 * deadline), and with a faked time in the past that deadline is pushed
 * months away: the daemon stops answering calls. Here a timerfd made on a
 * monotonic clock bypasses libfaketime (run with FAKETIME_DONT_FAKE_MONOTONIC=1
 * so the deadlines sd-event computes are real ones), and so does a deadline
 * too far away to be a real one (closerd's TFD_TIMER_CANCEL_ON_SET watch,
 * armed at TIME_T_MAX, which libfaketime would turn into EINVAL). Every
 * other CLOCK_REALTIME deadline goes through libfaketime, which maps the
 * faked instant to the real one (rate included).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static unsigned char monotonic[65536];

int timerfd_create(int clockid, int flags) {
        int fd = (int) syscall(SYS_timerfd_create, clockid, flags);
        if (fd >= 0 && (size_t) fd < sizeof(monotonic))
                monotonic[fd] = clockid != CLOCK_REALTIME && clockid != CLOCK_REALTIME_ALARM;
        return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value) {
        static int (*next)(int, int, const struct itimerspec *, struct itimerspec *);

        if ((fd >= 0 && (size_t) fd < sizeof(monotonic) && monotonic[fd]) ||
            (new_value && new_value->it_value.tv_sec > (time_t) 1 << 40))
                return (int) syscall(SYS_timerfd_settime, fd, flags, new_value, old_value);
        if (!next)
                next = (int (*)(int, int, const struct itimerspec *, struct itimerspec *)) dlsym(
                                RTLD_NEXT, "timerfd_settime");
        if (!next)
                return (int) syscall(SYS_timerfd_settime, fd, flags, new_value, old_value);
        return next(fd, flags, new_value, old_value);
}
