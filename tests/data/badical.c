/* SPDX-License-Identifier: MIT */
/*
 * badical.c: stand-ins for the iCalendar helper closerd-ical in
 * test-icalproc.sh, built with one of -DMODE_ABI (a helper of another
 * build: it answers in the encoding of ical/icalwire.h, with another ABI
 * string), -DMODE_CRASH (dies of SIGSEGV) or -DMODE_HANG (sleeps for good).
 * Each reads its request first, as the real helper does.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int main(void) {
        char buf[65536];
        while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
                ;
#if defined(MODE_CRASH)
        (void) raise(SIGSEGV);
#elif defined(MODE_HANG)
        for (;;)
                (void) pause();
#else
        static const char abi[] = "closer-ical/0 0.0.1";
        uint32_t len = sizeof(abi) - 1;
        int64_t result = 0;
        memcpy(buf, &len, sizeof(len));
        memcpy(buf + sizeof(len), abi, len);
        memcpy(buf + sizeof(len) + len, &result, sizeof(result));
        if (write(STDOUT_FILENO, buf, sizeof(len) + len + sizeof(result)) < 0)
                return 1;
#endif
        return 0;
}
