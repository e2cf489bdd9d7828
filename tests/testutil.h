/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers the unit tests share. Include it after <cmocka.h>: a failed
 * allocation fails the test. */

#include <stdlib.h>
#include <string.h>

/* An allocated string of n copies of unit. */
static inline char *repeat(const char *unit, size_t n) {
        size_t k = strlen(unit);
        char *s = malloc(k * n + 1);

        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                memcpy(s + i * k, unit, k);
        s[k * n] = '\0';
        return s;
}
