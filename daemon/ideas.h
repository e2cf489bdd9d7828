/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * ideas.h: the built-in catalogue of starter ideas behind `closerctl list
 * ideas` and `list add --idea N` (SPEC 6), to help a person write the first
 * 30-50 items of a list.
 *
 * The catalogue is constant data: small everyday touches, situations, fun,
 * and some explicit but tasteful intimate ideas, spread over every category
 * and intensity. An idea is numbered from 1 in catalogue order. The numbers
 * are part of the interface (a user may have noted one), so new ideas are
 * only ever appended and none is removed or reordered. Every title passes
 * validate_title(). Nothing here allocates or keeps state.
 */

#include <stddef.h>

#include "item.h"

typedef struct Idea {
        const char *title;
        Category category;
        int intensity; /* 1 gentle, 2 intimate, 3 explicit */
} Idea;

/* Number of ideas; the valid numbers are 1..ideas_count(). */
size_t ideas_count(void);

/* The idea with this 1-based number, or NULL when it is out of range. */
const Idea *idea_get(size_t number);
