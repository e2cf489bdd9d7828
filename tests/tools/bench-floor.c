/* SPDX-License-Identifier: MIT */
/*
 * bench-floor: the resident memory that closerd's libraries cost before
 * closerd does anything, for the footprint part of the benchmark. Sets up
 * what any sd-event/sd-bus + SQLite daemon sets up (an event loop, SQLite
 * initialized), reads its VmRSS, then loads libical (with what it pulls in:
 * ICU, libstdc++), as closerd's iCalendar helper does, and reads VmRSS again:
 * what closerd would cost if it linked libical itself.
 *
 * Prints "RSS_KB RSS_WITH_LIBICAL_KB".
 */
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

static long vmrss_kb(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long kb = -1;
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "VmRSS:", 6) == 0)
                        kb = strtol(line + 6, NULL, 10);
        fclose(f);
        return kb;
}

int main(void) {
        sd_event *e = NULL;
        if (sd_event_default(&e) < 0 || sqlite3_initialize() != SQLITE_OK)
                return 1;
        long base = vmrss_kb();
        void *ical = dlopen("libical.so.3", RTLD_NOW | RTLD_GLOBAL);
        if (!ical) {
                fprintf(stderr, "bench-floor: %s\n", dlerror());
                return 1;
        }
        long with_ical = vmrss_kb();
        printf("%ld %ld\n", base, with_ical);
        dlclose(ical);
        sd_event_unref(e);
        return 0;
}
