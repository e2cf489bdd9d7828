/* SPDX-License-Identifier: MIT */
#pragma once

/* What the fuzz targets share: libFuzzer's entry point (it has no header
 * of its own) and a check that aborts with its place and expression. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(expr)                                                              \
        do {                                                                     \
                if (!(expr)) {                                                   \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,   \
                                __LINE__, #expr);                                \
                        abort();                                                 \
                }                                                                \
        } while (0)
