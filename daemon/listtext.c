/* SPDX-License-Identifier: MIT */

/*
 * listtext.c: the plain text list format of `closerctl list add --from FILE`.
 * The format and the contract are in listtext.h. One pass over the buffer,
 * one line at a time; the items collect in a growing array that is freed as
 * a whole on the first error.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "listtext.h"
#include "macro.h"

#define UTF8_BOM "\xef\xbb\xbf"

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *len) {
        while (*len > 0 && is_blank((*s)[0])) {
                (*s)++;
                (*len)--;
        }
        while (*len > 0 && is_blank((*s)[*len - 1]))
                (*len)--;
}

static char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Case-insensitive in ASCII only, whatever the locale. */
static Category category_from_word(const char *s, size_t len) {
        for (int c = 0; c < _CATEGORY_MAX; c++) {
                const char *name = category_to_string((Category) c);
                size_t i;

                if (strlen(name) != len)
                        continue;
                for (i = 0; i < len; i++)
                        if (ascii_lower(s[i]) != name[i])
                                break;
                if (i == len)
                        return (Category) c;
        }
        return _CATEGORY_INVALID;
}

/* validate_title() says what is wrong with "the title"; this file's reasons
 * are whole phrases, so each one gets its subject here. */
static const char *title_reason(const char *why) {
        static const struct {
                const char *why;
                const char *reason;
        } table[] = {
                { "must not be empty", "title must not be empty" },
                { "must not be blank", "title must not be blank" },
                { "is too long (at most 200 characters)", "title is too long (at most 200 characters)" },
                { "is not valid UTF-8", "is not valid UTF-8 text" },
                { "must not contain control characters",
                  "title must not contain control characters (a tab is one)" },
        };

        if (why)
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (strcmp(table[i].why, why) == 0)
                                return table[i].reason;
        return "title is not valid";
}

/* One line without its '\n'. Returns 0 for a line without an item (blank,
 * comment, section), 1 with *ret filled, or a negative errno with *reason. */
static int parse_line(const char *s, size_t len, Category *category, Item *ret, const char **reason) {
        bool explicit_private = false;
        int intensity = 1;
        size_t stars = 0;
        char *title;
        const char *why = NULL;

        assert(category);
        assert(ret);
        assert(reason);

        if (!utf8_valid(s, len)) {
                *reason = "is not valid UTF-8 text";
                return -EINVAL;
        }

        trim(&s, &len);
        if (len == 0 || s[0] == '#')
                return 0;

        /* len >= 2 here: a lone "[" does not end with ']'. */
        if (s[0] == '[' && s[len - 1] == ']') {
                const char *word = s + 1;
                size_t word_len = len - 2;
                Category c;

                trim(&word, &word_len);
                c = category_from_word(word, word_len);
                if (c < 0) {
                        *reason = "unknown category (use affection, love, lust or fun)";
                        return -EINVAL;
                }
                *category = c;
                return 0;
        }

        if (s[0] == '!') {
                s++;
                len--;
                trim(&s, &len);
                if (len == 0) {
                        *reason = "'!' must be followed by a title";
                        return -EINVAL;
                }
                explicit_private = true;
        }

        /* A trailing run of stars after a blank is the intensity marker. The
         * text before it starts with a non-blank, so the title that is left
         * is never empty. */
        while (stars < len && s[len - 1 - stars] == '*')
                stars++;
        if (stars > 0 && stars < len && is_blank(s[len - 1 - stars])) {
                if (stars > 3) {
                        *reason = "intensity marker must be *, ** or ***";
                        return -EINVAL;
                }
                intensity = (int) stars;
                len -= stars;
                trim(&s, &len);
        }

        title = strndup(s, len);
        if (!title) {
                *reason = "out of memory";
                return -ENOMEM;
        }
        if (validate_title(title, &why) < 0) {
                free(title);
                *reason = title_reason(why);
                return -EINVAL;
        }

        *ret = (Item) {
                .title = title,
                .category = *category,
                .intensity = intensity,
                .private_ = explicit_private || item_default_private(intensity),
                .review = REVIEW_NEW,
        };
        return 1;
}

static int items_append(Item **items, size_t *n, size_t *allocated, Item *item) {
        if (*n == *allocated) {
                size_t want = *allocated > 0 ? *allocated * 2 : 16;
                Item *grown;

                if (want < *allocated)
                        return -ENOMEM;
                grown = reallocarray(*items, want, sizeof(Item));
                if (!grown)
                        return -ENOMEM;
                *items = grown;
                *allocated = want;
        }
        (*items)[(*n)++] = *item;
        *item = (Item) {};
        return 0;
}

int listtext_parse(const char *buf, size_t len, size_t max_items, Item **ret_items, size_t *ret_n,
                   ListTextError *err) {
        Item *items = NULL;
        size_t n = 0, allocated = 0, line = 0;
        Category category = CATEGORY_AFFECTION;
        const char *reason = NULL;
        int r;

        assert(buf || len == 0);
        assert(ret_items);
        assert(ret_n);

        *ret_items = NULL;
        *ret_n = 0;
        if (err)
                *err = (ListTextError) {};

        if (len > LISTTEXT_SIZE_MAX) {
                r = -E2BIG;
                reason = "file is larger than 1 MiB";
                goto fail;
        }

        if (len > 0) {
                const char *p = buf, *end = buf + len;

                if (len >= strlen(UTF8_BOM) && memcmp(p, UTF8_BOM, strlen(UTF8_BOM)) == 0)
                        p += strlen(UTF8_BOM);

                while (p < end) {
                        const char *nl = memchr(p, '\n', (size_t) (end - p));
                        const char *eol = nl ? nl : end;
                        Item item = {};

                        line++;
                        r = parse_line(p, (size_t) (eol - p), &category, &item, &reason);
                        if (r < 0)
                                goto fail;
                        if (r > 0) {
                                if (n >= max_items) {
                                        item_clear(&item);
                                        r = -E2BIG;
                                        reason = "too many items";
                                        goto fail;
                                }
                                r = items_append(&items, &n, &allocated, &item);
                                if (r < 0) {
                                        item_clear(&item);
                                        reason = "out of memory";
                                        goto fail;
                                }
                        }
                        p = nl ? nl + 1 : end;
                }
        }

        if (n == 0) {
                r = -EINVAL;
                line = 0;
                reason = "no items found";
                goto fail;
        }

        *ret_items = items;
        *ret_n = n;
        return 0;

fail:
        item_array_free(items, n);
        if (err)
                *err = (ListTextError) {
                        .line = line,
                        .reason = reason,
                };
        return r;
}
