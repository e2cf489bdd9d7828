/* SPDX-License-Identifier: MIT */

/*
 * fuzz-listtext.c: libFuzzer target for listtext_parse() (daemon/listtext.h).
 * Whatever the input, the parser must not crash or leak, and what it returns
 * must hold: on success every item is a valid new item; on failure nothing
 * is returned and the error names a line that exists.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "item.h"
#include "listtext.h"

static size_t count_lines(const char *s, size_t len) {
        size_t n = len > 0;
        for (size_t i = 0; i + 1 < len; i++)
                if (s[i] == '\n')
                        n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        ListTextError err;
        Item *items = NULL;
        size_t n = 0;
        int r;

        r = listtext_parse(buf, size, ITEM_COUNT_MAX, &items, &n, &err);
        if (r < 0) {
                if (items || n != 0 || !err.reason)
                        abort();
                if (r != -EINVAL && r != -E2BIG && r != -ENOMEM)
                        abort();
                if (err.line > count_lines(buf, size))
                        abort();
                return 0;
        }

        if (r != 0 || !items || n == 0 || n > ITEM_COUNT_MAX || err.line != 0 || err.reason)
                abort();
        for (size_t i = 0; i < n; i++) {
                const Item *item = &items[i];
                const char *reason;

                if (validate_title(item->title, &reason) < 0)
                        abort();
                if (!category_to_string(item->category))
                        abort();
                if (validate_intensity(item->intensity, &reason) < 0)
                        abort();
                /* The title is trimmed. */
                if (item->title[0] == ' ' || item->title[0] == '\t' ||
                    item->title[strlen(item->title) - 1] == ' ')
                        abort();
                if (item->intensity == 3 && !item->private_)
                        abort();
                if (item->uid || item->details || item->note || item->id != 0)
                        abort();
        }
        item_array_free(items, n);
        return 0;
}
