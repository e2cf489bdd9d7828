/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * hash.h: FNV-1a, 64 bits: the fingerprints closerd compares to find what
 * did not change (the calendar's events, the shared folder's files). Not
 * for anything an adversary may want to collide.
 */

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n) {
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}
