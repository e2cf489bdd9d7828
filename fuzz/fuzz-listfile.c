/* SPDX-License-Identifier: MIT */

/*
 * fuzz-listfile.c: libFuzzer target for the list exchange file parser.
 *
 * Parses the input as an untrusted exchange file. A refused input must come
 * with a one-line, printable-ASCII message and no items. An accepted one is
 * written back with listfile_write() (which must accept everything the parser
 * returns), parsed again, and must give the same items: UIDs, titles,
 * details, categories, intensities, private and removed flags, sequences,
 * times and the owner name and ID. Writing the re-parsed list gives the same text.
 *
 * No text survives removal: a tombstone comes back with no title, details
 * or private flag, and the same items all removed are written with no
 * SUMMARY, DESCRIPTION, CATEGORIES, CLASS or X-CLOSER-INTENSITY at all.
 *
 * The parse is listfile_parse_with() with a default category taken from the
 * input (the sum of its bytes), checked against listfile_parse(): the same
 * verdict and the same items, but for the category of those whose
 * CATEGORIES name none. What is written names every category, so the
 * re-parse, with yet another default, gives the same ones.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idaemon fuzz/fuzz-listfile.c \
 *         daemon/listfile.c daemon/item.c $(pkg-config --cflags --libs libical)
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "listfile.h"

#define FUZZ_NOW 1718000000

#define check(cond)                                                                  \
        do {                                                                         \
                if (!(cond)) {                                                       \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                     \
                }                                                                    \
        } while (0)

static bool streq_null(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static void check_message(const char *msg) {
        check(msg);
        check(*msg);
        for (const char *p = msg; *p; p++)
                check(*p >= 0x20 && *p < 0x7f); /* one line, and no item text in UTF-8 */
}

/* The same list in a and b. def: b's categories are a's, but where a took
 * *def from its default, b may have affection, its own default (NULL: no
 * difference at all). */
static void check_items(const ListFile *a, const ListFile *b, const Category *def) {
        check(a->n_items == b->n_items);
        check(streq_null(a->owner_name, b->owner_name));
        check(streq_null(a->owner_id, b->owner_id));
        for (size_t i = 0; i < a->n_items; i++) {
                const Item *x = &a->items[i], *y = &b->items[i];
                check(strcmp(x->uid, y->uid) == 0);
                check(strcmp(x->title, y->title) == 0);
                check(x->removed == y->removed);
                check(x->private_ == y->private_);
                check(x->sequence == y->sequence);
                check(x->modified == y->modified);
                check(y->id == 0 && y->review == REVIEW_NEW && !y->note);
                if (x->removed) {
                        /* no text survives removal */
                        check(!x->title[0] && !x->details[0] && !x->private_);
                        check(!y->title[0] && !y->details[0] && !y->private_);
                        continue;
                }
                check(strcmp(x->details, y->details) == 0);
                check(x->category == y->category ||
                      (def && x->category == *def && y->category == CATEGORY_AFFECTION));
                check(x->intensity == y->intensity);
        }
}

/* b is a re-parse of what a was written as. */
static void check_same(const ListFile *a, const ListFile *b) {
        check(b->skipped_components == 0);
        check_items(a, b, NULL);
}

static bool starts_with_name(const char *line, const char *name) {
        size_t n = strlen(name);
        return strncmp(line, name, n) == 0 && (line[n] == ':' || line[n] == ';');
}

/* Every item of f removed, with its text left in place: what is written
 * carries none of it. */
static void check_tombstones_carry_no_text(ListFile *f) {
        static const char *const text_properties[] = {
                "SUMMARY", "DESCRIPTION", "CATEGORIES", "CLASS", "X-CLOSER-INTENSITY",
        };
        bool *was = calloc(f->n_items + 1, sizeof(bool));
        char *text = NULL;
        check(was);
        for (size_t i = 0; i < f->n_items; i++) {
                was[i] = f->items[i].removed;
                f->items[i].removed = true;
        }
        check(listfile_write(f->items, f->n_items, f->owner_name, f->owner_id, FUZZ_NOW, &text) == 0);
        for (const char *line = text; *line; line = strstr(line, "\r\n") + 2)
                for (size_t k = 0; k < sizeof(text_properties) / sizeof(text_properties[0]); k++)
                        check(!starts_with_name(line, text_properties[k]));
        for (size_t i = 0; i < f->n_items; i++)
                f->items[i].removed = was[i];
        free(text);
        free(was);
}

static Category default_category(const uint8_t *data, size_t size) {
        unsigned sum = 0;
        for (size_t i = 0; i < size; i++)
                sum += data[i];
        return (Category) (sum % _CATEGORY_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ListFile a = {}, b = {}, c = {}, d = {};
        char *err = NULL, *text = NULL, *text2 = NULL;
        const Category def = default_category(data, size);
        const ListParseOptions opts = { .default_category = def };
        const ListParseOptions other = { .default_category = (Category) ((def + 1) % _CATEGORY_MAX) };
        int r;

        r = listfile_parse_with((const char *) data, size, &opts, &a, &err);
        int r_default = listfile_parse((const char *) data, size, &d, NULL);
        if (r < 0) {
                check(!a.items && a.n_items == 0 && !a.owner_name && !a.owner_id);
                check(r_default == r || r == -ENOMEM || r_default == -ENOMEM);
                listfile_clear(&d);
                if (r != -ENOMEM)
                        check_message(err);
                free(err);
                return 0;
        }
        check(!err);
        if (r_default != -ENOMEM) {
                check(r_default == 0);
                check(d.skipped_components == a.skipped_components);
                check_items(&a, &d, &def);
        }
        listfile_clear(&d);

        r = listfile_write(a.items, a.n_items, a.owner_name, a.owner_id, FUZZ_NOW, &text);
        if (r < 0) {
                fprintf(stderr, "listfile_write() refused a parsed list: %s\n", strerror(-r));
                abort();
        }

        r = listfile_parse_with(text, strlen(text), &other, &b, &err);
        if (r < 0) {
                fprintf(stderr, "re-parse failed: %s\n%s\n", err ? err : strerror(-r), text);
                abort();
        }
        check_same(&a, &b);

        /* A second exchange changes nothing. */
        check(listfile_write(b.items, b.n_items, b.owner_name, b.owner_id, FUZZ_NOW, &text2) == 0);
        check(strcmp(text, text2) == 0);
        check(listfile_parse(text2, strlen(text2), &c, NULL) == 0);
        check_same(&b, &c);
        check_tombstones_carry_no_text(&b);

        listfile_clear(&a);
        listfile_clear(&b);
        listfile_clear(&c);
        free(text);
        free(text2);
        return 0;
}
