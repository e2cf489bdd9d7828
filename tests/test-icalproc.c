/* SPDX-License-Identifier: MIT */

/*
 * test-icalproc.c: what the iCalendar child sends back (daemon/icalproc.h):
 * a parsed list survives the encoding field for field, and any damaged or
 * truncated encoding is refused cleanly; the calendar fingerprint changes
 * with every input ics_write() reads and with nothing else.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "icalproc.h"
#include "macro.h"

static Item make_item(int i) {
        char buf[64];
        Item it = {
                .id = i,
                .category = (Category) (i % (_CATEGORY_MAX + 1)) - 1, /* _CATEGORY_INVALID too */
                .intensity = 1 + i % 3,
                .private_ = i % 2,
                .sequence = INT64_MAX - i,
                .modified = INT64_MIN + i,
                .removed = i % 3 == 0,
                .review = (Review) (i % _REVIEW_MAX),
        };
        (void) snprintf(buf, sizeof(buf), "uid-%d@example.org", i);
        it.uid = strdup(buf);
        (void) snprintf(buf, sizeof(buf), "Küss mich %d ❤", i);
        it.title = strdup(buf);
        it.details = i % 2 ? strdup("line one\nline two") : NULL;
        it.note = i % 4 == 1 ? strdup("") : NULL;
        return it;
}

static void make_list(ListFile *f, size_t n) {
        *f = (ListFile){ .n_items = n, .skipped_components = 7, .owner_name = strdup("Alex") };
        f->items = calloc(n + 1, sizeof(Item));
        assert_non_null(f->items);
        for (size_t i = 0; i < n; i++)
                f->items[i] = make_item((int) i);
}

static void assert_str_or_null(const char *a, const char *b) {
        if (!a || !b)
                assert_ptr_equal(a, b);
        else
                assert_string_equal(a, b);
}

static void test_round_trip(void **state _unused_) {
        ListFile f, g = {};
        char *enc;
        size_t len;
        make_list(&f, 12);
        assert_int_equal(icalproc_encode_listfile(&f, &enc, &len), 0);
        assert_int_equal(icalproc_decode_listfile(enc, len, &g), 0);
        assert_int_equal(g.n_items, f.n_items);
        assert_int_equal(g.skipped_components, 7);
        assert_string_equal(g.owner_name, "Alex");
        for (size_t i = 0; i < f.n_items; i++) {
                const Item *a = &f.items[i], *b = &g.items[i];
                assert_int_equal(a->id, b->id);
                assert_str_or_null(a->uid, b->uid);
                assert_str_or_null(a->title, b->title);
                assert_str_or_null(a->details, b->details);
                assert_str_or_null(a->note, b->note);
                assert_int_equal(a->category, b->category);
                assert_int_equal(a->intensity, b->intensity);
                assert_int_equal(a->private_, b->private_);
                assert_true(a->sequence == b->sequence);
                assert_true(a->modified == b->modified);
                assert_int_equal(a->removed, b->removed);
                assert_int_equal(a->review, b->review);
        }
        free(enc);
        listfile_done(&f);
        listfile_done(&g);
}

static void test_empty(void **state _unused_) {
        ListFile f = {}, g = {};
        char *enc;
        size_t len;
        assert_int_equal(icalproc_encode_listfile(&f, &enc, &len), 0);
        assert_int_equal(icalproc_decode_listfile(enc, len, &g), 0);
        assert_int_equal(g.n_items, 0);
        assert_null(g.items);
        assert_null(g.owner_name);
        free(enc);
}

/* Every prefix of a valid encoding, and the encoding with a byte more, is refused. */
static void test_truncated(void **state _unused_) {
        ListFile f, g;
        char *enc;
        size_t len;
        make_list(&f, 3);
        assert_int_equal(icalproc_encode_listfile(&f, &enc, &len), 0);
        for (size_t k = 0; k < len; k++) {
                char *copy = malloc(k + 1); /* exactly k bytes visible to the decoder */
                memcpy(copy, enc, k);
                g = (ListFile){};
                assert_int_equal(icalproc_decode_listfile(copy, k, &g), -EBADMSG);
                assert_null(g.items);
                free(copy);
        }
        char *longer = malloc(len + 1);
        memcpy(longer, enc, len);
        longer[len] = 0;
        assert_int_equal(icalproc_decode_listfile(longer, len + 1, &g), -EBADMSG);
        free(longer);
        free(enc);
        listfile_done(&f);
}

/* Offsets in the encoding of one item without strings of its own. */
static size_t header_len(void) {
        return 8 + 8 + 4; /* n_items, skipped, owner (NULL) */
}

static char *encode_one(size_t *len) {
        ListFile f = { .n_items = 1 };
        Item it = { .intensity = 1, .category = CATEGORY_FUN };
        char *enc;
        f.items = &it;
        assert_int_equal(icalproc_encode_listfile(&f, &enc, len), 0);
        return enc;
}

static void test_bad_values(void **state _unused_) {
        ListFile g = {};
        size_t len;
        /* Field offsets in one item: id 8, uid 4, title 4, details 4, category 8 ... */
        const size_t category = header_len() + 8 + 4 + 4 + 4;
        const size_t private_ = category + 8 + 8;
        const size_t review = private_ + 8 + 8 + 8 + 8;
        const struct {
                size_t at;
                int64_t value;
        } cases[] = {
                { category, _CATEGORY_MAX },
                { category, -2 },
                { private_, 2 },
                { review, _REVIEW_MAX },
                { review, -2 },
                { 0, 2 },                         /* two items announced, one there */
                { 0, INT64_MAX / 2 },             /* no allocation of that size */
                { 0, -1 },                        /* a negative count */
                { 8, -1 },                        /* skipped components */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *enc = encode_one(&len);
                assert_int_equal(icalproc_decode_listfile(enc, len, &g), 0);
                listfile_done(&g);
                memcpy(enc + cases[i].at, &cases[i].value, sizeof(int64_t));
                assert_int_equal(icalproc_decode_listfile(enc, len, &g), -EBADMSG);
                assert_null(g.items);
                free(enc);
        }
}

static void test_bad_strings(void **state _unused_) {
        ListFile f = { .n_items = 1 }, g = {};
        Item it = { .intensity = 1, .uid = (char *) "abc", .title = (char *) "title" };
        char *enc;
        size_t len;
        f.items = &it;
        assert_int_equal(icalproc_encode_listfile(&f, &enc, &len), 0);
        /* A NUL inside the UID. */
        char *p = memmem(enc, len, "abc", 3);
        assert_non_null(p);
        p[1] = 0;
        assert_int_equal(icalproc_decode_listfile(enc, len, &g), -EBADMSG);
        p[1] = 'b';
        /* A length longer than what is left. */
        uint32_t huge = UINT32_MAX - 1;
        memcpy(p - 4, &huge, 4);
        assert_int_equal(icalproc_decode_listfile(enc, len, &g), -EBADMSG);
        assert_null(g.items);
        free(enc);
}

static IcsEvent event(void) {
        return (IcsEvent){
                .uid = "dn-1@closer",
                .start = 1790000000,
                .end = 1790007200,
                .sequence = 3,
                .last_modified = 1780000000,
                .summary = "Date night",
                .description = NULL,
                .alarm_before = 3600,
                .alarm_text = "Date night in 1 hour",
        };
}

static void test_fingerprint(void **state _unused_) {
        IcsEvent e[2] = { event(), event() };
        e[1].uid = "rc-1@closer";
        const time_t now = 1785000000;
        uint64_t base = icalproc_fingerprint(e, 2, now);
        assert_true(base == icalproc_fingerprint(e, 2, now));
        assert_true(base != icalproc_fingerprint(e, 1, now));
        assert_true(base != icalproc_fingerprint(e, 2, now + 1));
        /* Equal text, equal fingerprint: other pointers to the same strings. */
        char uid[] = "rc-1@closer";
        e[1].uid = uid;
        assert_true(base == icalproc_fingerprint(e, 2, now));

        /* Each field changes it. */
        IcsEvent x[9];
        for (size_t i = 0; i < ELEMENTSOF(x); i++)
                x[i] = e[1];
        x[0].start++;
        x[1].end++;
        x[2].sequence++;
        x[3].last_modified++;
        x[4].cancelled = true;
        x[5].summary = "Rain check";
        x[6].description = "";
        x[7].alarm_before = 0;
        x[8].alarm_text = "Date night in 2 hours";
        for (size_t i = 0; i < ELEMENTSOF(x); i++) {
                IcsEvent y[2] = { e[0], x[i] };
                if (icalproc_fingerprint(y, 2, now) == base)
                        fail_msg("changing field %zu leaves the fingerprint as it was", i);
        }
        /* Without events, now is not part of the text. */
        assert_true(icalproc_fingerprint(NULL, 0, now) == icalproc_fingerprint(NULL, 0, now + 3600));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_bad_strings),
                cmocka_unit_test(test_fingerprint),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
