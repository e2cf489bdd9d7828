/* SPDX-License-Identifier: MIT */

/*
 * fuzz-sharefile.c: libFuzzer target for the member folder's JSON files
 * (daemon/sharefile.h), all six kinds. The first byte picks the kind (its
 * value modulo 6: '0' member, '1' reviews, '2' promises, '3' plan, '4'
 * acts, '5' advances), the rest is the file.
 *
 * A refused file must come with a known error, a one-line printable-ASCII
 * message and nothing in the result. An accepted one is written back with
 * sharefile_write() (which must accept everything the parser returns),
 * parsed again, and must give the same file: the same kind and counts, and
 * the same bytes when written again. Every prefix of what was written is
 * refused but the one that leaves out only the final newline.
 *
 *   make fuzz && build/libfuzzer/fuzz-sharefile fuzz/corpus/sharefile
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sharefile.h"

static void check_message(const char *msg) {
        CHECK(msg);
        CHECK(*msg);
        for (const char *p = msg; *p; p++)
                CHECK(*p >= 0x20 && *p < 0x7f); /* one line, and no text of the file's in UTF-8 */
}

static void check_empty(const ShareFile *f) {
        static const ShareFile zero;
        CHECK(memcmp(f, &zero, sizeof(zero)) == 0);
}

static void check_counts(const ShareFile *a, const ShareFile *b) {
        CHECK(a->kind == b->kind);
        CHECK(a->n_reviews == b->n_reviews && a->n_promises == b->n_promises && a->n_entries == b->n_entries);
        CHECK(a->n_acts == b->n_acts && a->n_advances == b->n_advances);
}

/* Parses size bytes at data, copied to a buffer of just that size so that
 * a read past the end is one the sanitizer sees. */
static int parse_copy(ShareKind k, const char *data, size_t size, ShareFile *ret, char **ret_error) {
        char *copy = malloc(size ? size : 1);
        int r;

        CHECK(copy);
        if (size > 0)
                memcpy(copy, data, size);
        r = sharefile_parse(k, copy, size, ret, ret_error);
        free(copy);
        return r;
}

/* The last few prefixes of text (a full scan of every one is the unit
 * test's: here it would make each input slow). */
static void check_prefixes(ShareKind k, const char *text) {
        size_t n = strlen(text);

        for (size_t cut = 1; cut <= 8 && cut <= n; cut++) {
                ShareFile f = {};
                char *err = NULL;
                int r = parse_copy(k, text, n - cut, &f, &err);
                if (cut == 1)
                        CHECK(r == 0);
                else {
                        CHECK(r == -EBADMSG);
                        check_message(err);
                        check_empty(&f);
                }
                sharefile_clear(&f);
                free(err);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ShareFile a = {}, b = {};
        char *err = NULL, *text = NULL, *text2 = NULL;
        ShareKind k;
        int r;

        if (size == 0)
                return 0;
        k = (ShareKind) (data[0] % _SHARE_KIND_MAX);

        r = parse_copy(k, (const char *) data + 1, size - 1, &a, &err);
        if (r < 0) {
                CHECK(r == -EBADMSG || r == -E2BIG || r == -EPROTONOSUPPORT || r == -ENOMEM);
                check_empty(&a);
                if (r != -ENOMEM)
                        check_message(err);
                free(err);
                return 0;
        }
        CHECK(!err);
        CHECK(a.kind == k);

        r = sharefile_write(&a, &text);
        if (r < 0) {
                fprintf(stderr, "sharefile_write() refused a parsed file: %s\n", strerror(-r));
                abort();
        }
        CHECK(text[strlen(text) - 1] == '\n');
        r = sharefile_parse(k, text, strlen(text), &b, &err);
        if (r < 0) {
                fprintf(stderr, "re-parse failed: %s\n%s\n", err ? err : strerror(-r), text);
                abort();
        }
        check_counts(&a, &b);

        /* A second round changes nothing. */
        CHECK(sharefile_write(&b, &text2) == 0);
        CHECK(strcmp(text, text2) == 0);
        check_prefixes(k, text);

        sharefile_clear(&a);
        sharefile_clear(&b);
        free(text);
        free(text2);
        return 0;
}
