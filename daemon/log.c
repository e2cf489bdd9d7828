/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool prefix = true;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_setup(void) {
        const char *e = getenv("CLOSER_LOG_LEVEL");
        if (e) {
                static const char *const names[] = { "emerg", "alert", "crit", "err",
                                                     "warning", "notice", "info", "debug" };
                for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                        if (strcmp(e, names[i]) == 0)
                                max_level = i;
        }
        /* A person at a terminal reads plain lines; the journal wants "<N>". */
        prefix = !isatty(STDERR_FILENO);
}

int log_internal(int level, int error, const char *fmt, ...) {
        int saved = errno;
        int e = error < 0 ? -error : error;
        if (level <= max_level) {
                va_list ap;
                va_start(ap, fmt);
                errno = e;
                flockfile(stderr);
                if (prefix)
                        fprintf(stderr, "<%d>", level);
                vfprintf(stderr, fmt, ap);
                fputc('\n', stderr);
                funlockfile(stderr);
                va_end(ap);
        }
        errno = saved;
        return -e;
}

void log_problem(char **slot, const char *who, const char *text) {
        if (!text) {
                free(*slot);
                *slot = NULL;
                return;
        }
        if (*slot && streq(*slot, text))
                return;
        log_warning("%s: %s", who, text);
        free(*slot);
        *slot = strdup(text);
}
