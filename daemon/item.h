/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * item.h: one entry of a love list (SPEC 2) and the validation every layer
 * that accepts one from outside (D-Bus, text file, exchange file) applies.
 *
 * Validators return 0 or -EINVAL and, on failure, point *reason at a static
 * English phrase ("must be 1-200 characters") for the caller to put after
 * the field name. They never log and never allocate.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ITEM_TITLE_MAX 200     /* characters (code points) */
#define ITEM_DETAILS_MAX 4000  /* characters (code points) */
#define ITEM_NOTE_MAX 4000     /* characters (code points) */
#define ITEM_UID_MAX 255       /* bytes, printable ASCII */
#define ITEM_COUNT_MAX 10000   /* per list */

typedef enum Category {
        CATEGORY_AFFECTION,
        CATEGORY_LOVE,
        CATEGORY_LUST,
        CATEGORY_FUN,
        _CATEGORY_MAX,
        _CATEGORY_INVALID = -1,
} Category;

typedef enum Review {
        REVIEW_NEW,
        REVIEW_OK,
        REVIEW_DISCUSS,
        REVIEW_NO,
        _REVIEW_MAX,
        _REVIEW_INVALID = -1,
} Review;

typedef struct Item {
        int64_t id;          /* 0 until stored */
        char *uid;           /* stable, generated once (or taken from the exchange file) */
        char *title;
        char *details;       /* NULL or "" when none */
        Category category;
        int intensity;       /* 1 gentle, 2 intimate, 3 explicit */
        bool private_;
        int64_t sequence;    /* raised on each change of my item */
        int64_t modified;    /* seconds since the epoch, UTC */
        bool removed;        /* a tombstone: kept for history and exports */
        /* partner items only */
        Review review;
        char *note;
        /* my items, when shared: my partner's review and note of it (in
         * review and note), and the SEQUENCE of the version they reviewed
         * (-1: none) */
        int64_t reviewed_sequence;
} Item;

const char *category_to_string(Category c);
Category category_from_string(const char *s); /* _CATEGORY_INVALID when unknown */
const char *review_to_string(Review r);
Review review_from_string(const char *s);     /* _REVIEW_INVALID when unknown */

/* The default of the private flag: on for explicit items. */
static inline bool item_default_private(int intensity) {
        return intensity >= 3;
}

/* Valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), no NUL
 * within len. */
bool utf8_valid(const char *s, size_t len);
/* The length of the longest valid UTF-8 prefix of s[0..n) (NUL bytes count
 * as valid here: callers that refuse them check on their own). */
size_t utf8_valid_prefix(const char *s, size_t n);
/* Number of code points of a valid UTF-8 string. */
size_t utf8_length(const char *s);

/* A one-line text of min..max characters: valid UTF-8, no control
 * characters (C0, DEL, C1). multiline also allows '\n' and '\t'. */
int validate_text(const char *s, size_t min, size_t max, bool multiline, const char **reason);

int validate_title(const char *s, const char **reason);   /* 1-200, one line */
int validate_details(const char *s, const char **reason); /* 0-4000, newlines ok */
int validate_note(const char *s, const char **reason);    /* 0-4000, newlines ok */
int validate_intensity(int64_t v, const char **reason);   /* 1-3 */
int validate_uid(const char *s, const char **reason);     /* 1-255 printable ASCII */

void item_clear(Item *item); /* frees the strings, leaves the struct zeroed */
void item_array_free(Item *items, size_t n);
