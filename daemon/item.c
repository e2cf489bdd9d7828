/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "macro.h"

static const char *const category_names[_CATEGORY_MAX] = {
        [CATEGORY_AFFECTION] = "affection",
        [CATEGORY_LOVE] = "love",
        [CATEGORY_LUST] = "lust",
        [CATEGORY_FUN] = "fun",
};

static const char *const review_names[_REVIEW_MAX] = {
        [REVIEW_NEW] = "new",
        [REVIEW_OK] = "ok",
        [REVIEW_DISCUSS] = "discuss",
        [REVIEW_NO] = "no",
};

DEFINE_STRING_TABLE_LOOKUP(category, Category, category_names, _CATEGORY_MAX)

DEFINE_STRING_TABLE_LOOKUP(review, Review, review_names, _REVIEW_MAX)

/* Decodes one code point at s (at most n bytes); returns its length or 0. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
        if (n == 0)
                return 0;
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        size_t len;
        uint32_t c, min;
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, c = s[0] & 0x1f, min = 0x80;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, c = s[0] & 0x0f, min = 0x800;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, c = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return len;
}

size_t utf8_valid_prefix(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;
        while (i < n) {
                uint32_t cp;
                size_t k = utf8_decode(p + i, n - i, &cp);
                if (k == 0)
                        break;
                i += k;
        }
        return i;
}

bool utf8_valid(const char *s, size_t len) {
        return utf8_valid_prefix(s, len) == len && (len == 0 || !memchr(s, 0, len));
}

size_t utf8_length(const char *s) {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p & 0xc0) != 0x80)
                        n++;
        return n;
}

/* One wording for every length limit: "title is too long (at most 200 characters)". */
static const char *too_long(size_t max) {
        switch (max) {
        case 100: return "is too long (at most 100 characters)";
        case ITEM_TITLE_MAX: return "is too long (at most 200 characters)";
        case ITEM_DETAILS_MAX: return "is too long (at most 4000 characters)";
        default: return "is too long";
        }
}

int validate_text(const char *s, size_t min, size_t max, bool multiline, const char **reason) {
        static const char *const why_empty = "must not be empty";
        if (!s) {
                *reason = why_empty;
                return -EINVAL;
        }
        size_t len = strlen(s);
        /* Cheap bound first: a huge string is refused before it is scanned. */
        if (len > max * 4) {
                *reason = too_long(max);
                return -EINVAL;
        }
        const unsigned char *p = (const unsigned char *) s;
        size_t n = 0, left = len;
        while (left > 0) {
                uint32_t cp;
                size_t k = utf8_decode(p, left, &cp);
                if (k == 0) {
                        *reason = "is not valid UTF-8";
                        return -EINVAL;
                }
                bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
                if (control && !(multiline && (cp == '\n' || cp == '\t'))) {
                        *reason = "must not contain control characters";
                        return -EINVAL;
                }
                p += k;
                left -= k;
                n++;
        }
        if (n < min) {
                *reason = why_empty;
                return -EINVAL;
        }
        if (n > max) {
                *reason = too_long(max);
                return -EINVAL;
        }
        return 0;
}

int validate_title(const char *s, const char **reason) {
        int r = validate_text(s, 1, ITEM_TITLE_MAX, false, reason);
        if (r == 0 && s[strspn(s, " ")] == '\0') {
                *reason = "must not be blank";
                return -EINVAL;
        }
        return r;
}

int validate_details(const char *s, const char **reason) {
        return validate_text(s ? s : "", 0, ITEM_DETAILS_MAX, true, reason);
}

int validate_note(const char *s, const char **reason) {
        return validate_text(s ? s : "", 0, ITEM_NOTE_MAX, true, reason);
}

int validate_intensity(int64_t v, const char **reason) {
        if (v < 1 || v > 3) {
                *reason = "must be 1 (gentle), 2 (intimate) or 3 (explicit)";
                return -EINVAL;
        }
        return 0;
}

int validate_uid(const char *s, const char **reason) {
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > ITEM_UID_MAX) {
                *reason = "must be 1-255 characters";
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if (s[i] <= 0x20 || s[i] >= 0x7f) {
                        *reason = "must be printable ASCII without spaces";
                        return -EINVAL;
                }
        return 0;
}

void item_clear(Item *item) {
        if (!item)
                return;
        free(item->uid);
        free(item->title);
        free(item->details);
        free(item->note);
        memset(item, 0, sizeof(*item));
}

void item_array_free(Item *items, size_t n) {
        for (size_t i = 0; i < n; i++)
                item_clear(&items[i]);
        free(items);
}
