/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * listtext.h: the parser of the plain text list that `closerctl list add
 * --from FILE` reads (SPEC 6): a file a person writes in an editor.
 *
 * The format, line by line:
 *
 *   # Things that make me feel loved          <- a comment
 *   Kiss me every morning                     <- an item (category affection)
 *
 *   [love]                                    <- a section
 *   Cook my favorite meal, just for me **     <- intensity 2
 *   [ Lust ]
 *   ! Something only the two of us know ***   <- private, intensity 3
 *
 *   - One title per line. Leading and trailing blanks (space, tab, CR, VT,
 *     FF) are trimmed, so CRLF line endings work. A UTF-8 byte order mark at
 *     the very start of the buffer is skipped.
 *   - Blank lines, and lines whose first non-blank character is '#', are
 *     skipped. A '#' later in a line is part of the title.
 *   - A line "[category]" (affection, love, lust or fun; case-insensitive;
 *     blanks allowed inside the brackets) sets the category of the items
 *     after it. Before the first section the category is affection. Any other
 *     word in brackets is an error. A line only counts as a section when it
 *     both starts with '[' and ends with ']'.
 *   - A leading '!' (blanks may follow it) marks the item private. Without it
 *     an item is private when its intensity is 3 (item_default_private()).
 *   - A trailing marker of one, two or three '*' after a blank sets the
 *     intensity: "*" 1 (gentle), "**" 2 (intimate), "***" 3 (explicit).
 *     Without a marker the intensity is 1. A run of four or more stars after
 *     a blank is an error; stars not preceded by a blank ("Be my star*") are
 *     part of the title.
 *   - The title left over must pass validate_title(): at most 200
 *     characters, no control characters (a tab inside a title is one).
 *
 * Errors, each with its 1-based line: bytes that are not valid UTF-8 or a
 * NUL byte, an unknown section, a bad intensity marker, a '!' without a
 * title, a title that fails validate_title(), more than max_items items
 * (-E2BIG). A buffer over LISTTEXT_SIZE_MAX bytes is -E2BIG with line 0; a
 * buffer without a single item is -EINVAL "no items found" with line 0.
 *
 * Parsing is all or nothing. Pure: no I/O, no logging, no global state.
 */

#include <stddef.h>

#include "item.h"

#define LISTTEXT_SIZE_MAX (1024U * 1024U) /* bytes: 1 MiB */

typedef struct ListTextError {
        size_t line;        /* 1-based; 0 when the error is about the whole buffer */
        const char *reason; /* a static English phrase, never NULL after an error */
} ListTextError;

/* Parses the whole buffer (len bytes, need not be NUL-terminated).
 *
 * On success returns 0 and hands out a new array of *ret_n >= 1 items in file
 * order (free it with item_array_free()): uid NULL, id 0, details NULL,
 * review new, private_ set by an explicit '!' or else item_default_private().
 *
 * On failure returns -EINVAL (bad text), -E2BIG (too big, too many items) or
 * -ENOMEM, sets *ret_items to NULL and *ret_n to 0, and fills *err (when not
 * NULL) with the line and reason; for -ENOMEM the reason is "out of memory". */
int listtext_parse(const char *buf, size_t len, size_t max_items, Item **ret_items, size_t *ret_n,
                   ListTextError *err);
