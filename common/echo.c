/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "echo.h"

size_t echo_len(const char *s) {
        if (!s)
                return 0;
        size_t i = 0;
        for (size_t chars = 0; s[i]; chars++) {
                if (chars == ECHO_MAX)
                        return i;
                /* Step over one character: a lead byte and its continuation bytes. */
                i++;
                while ((s[i] & 0xc0) == 0x80)
                        i++;
        }
        return i;
}

const char *echo_more(const char *s) {
        return s && s[echo_len(s)] ? "..." : "";
}
