/* SPDX-License-Identifier: MIT */
/*
 * test-item: the item model and its validators (daemon/item.c): UTF-8
 * checking and counting, title/details/note/intensity/uid validation with
 * their reasons, category and review names, the private default and the
 * freeing helpers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "item.h"
#include "macro.h"
#include "testutil.h"

/* utf8_valid() on a byte string literal, its terminating NUL left out. */
#define VALID(lit) utf8_valid((lit), sizeof(lit) - 1)

static void test_utf8_valid_good(void **state) {
        assert_true(utf8_valid("", 0));
        assert_true(utf8_valid(NULL, 0));
        assert_true(VALID("plain ASCII ~!@#"));
        assert_true(VALID("\x01\x1f\x7f"));             /* controls are valid UTF-8 */
        assert_true(VALID("\xc2\x80"));                 /* U+0080, smallest 2-byte */
        assert_true(VALID("h\xc3\xa9llo"));             /* é */
        assert_true(VALID("\xdf\xbf"));                 /* U+07FF, largest 2-byte */
        assert_true(VALID("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
        assert_true(VALID("\xe2\x82\xac"));             /* € */
        assert_true(VALID("\xed\x9f\xbf"));             /* U+D7FF, just below the surrogates */
        assert_true(VALID("\xee\x80\x80"));             /* U+E000, just above them */
        assert_true(VALID("\xef\xbf\xbf"));             /* U+FFFF */
        assert_true(VALID("\xf0\x90\x80\x80"));         /* U+10000, smallest 4-byte */
        assert_true(VALID("\xf0\x9f\x98\x80"));         /* 😀 */
        assert_true(VALID("\xf0\x9f\x91\xa9\xe2\x80\x8d\xe2\x9d\xa4\xef\xb8\x8f")); /* ZWJ sequence */
        assert_true(VALID("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last code point */
        assert_true(VALID("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"));

        /* len bounds the check: what follows is not looked at. */
        assert_true(utf8_valid("ab\xff", 2));
        assert_true(utf8_valid("a\0b", 1));
}

static void test_utf8_valid_overlong(void **state) {
        assert_false(VALID("\xc0\x80"));                /* NUL as 2 bytes */
        assert_false(VALID("\xc0\xaf"));                /* '/' as 2 bytes */
        assert_false(VALID("\xc1\xbf"));                /* U+007F as 2 bytes */
        assert_false(VALID("\xe0\x80\x80"));            /* NUL as 3 bytes */
        assert_false(VALID("\xe0\x80\xaf"));            /* '/' as 3 bytes */
        assert_false(VALID("\xe0\x9f\xbf"));            /* U+07FF as 3 bytes */
        assert_false(VALID("\xf0\x80\x80\x80"));        /* NUL as 4 bytes */
        assert_false(VALID("\xf0\x80\x80\xaf"));        /* '/' as 4 bytes */
        assert_false(VALID("\xf0\x8f\xbf\xbf"));        /* U+FFFF as 4 bytes */
        assert_false(VALID("ok\xc0\x80"));              /* after valid text too */
}

static void test_utf8_valid_surrogates_and_range(void **state) {
        assert_false(VALID("\xed\xa0\x80"));            /* U+D800 */
        assert_false(VALID("\xed\xad\xbf"));            /* U+DB7F */
        assert_false(VALID("\xed\xb0\x80"));            /* U+DC00 */
        assert_false(VALID("\xed\xbf\xbf"));            /* U+DFFF */
        assert_false(VALID("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair for U+1F600 */

        assert_false(VALID("\xf4\x90\x80\x80"));        /* U+110000 */
        assert_false(VALID("\xf4\xbf\xbf\xbf"));        /* U+13FFFF */
        assert_false(VALID("\xf5\x80\x80\x80"));        /* lead byte F5 */
        assert_false(VALID("\xf7\xbf\xbf\xbf"));        /* U+1FFFFF */
        assert_false(VALID("\xf8\x88\x80\x80\x80"));    /* 5-byte form */
        assert_false(VALID("\xfc\x84\x80\x80\x80\x80")); /* 6-byte form */
        assert_false(VALID("\xfe"));
        assert_false(VALID("\xff"));
}

static void test_utf8_valid_truncated(void **state) {
        assert_false(VALID("\xc3"));
        assert_false(VALID("\xe2\x82"));
        assert_false(VALID("\xe2"));
        assert_false(VALID("\xf0\x9f\x98"));
        assert_false(VALID("\xf0\x9f"));
        assert_false(VALID("\xf0"));
        assert_false(VALID("abc\xe2\x82"));

        /* Truncated by len, the rest of the sequence present in memory. */
        assert_false(utf8_valid("\xe2\x82\xac", 2));
        assert_false(utf8_valid("\xe2\x82\xac", 1));
        assert_false(utf8_valid("\xf0\x9f\x98\x80", 3));
        assert_false(utf8_valid("\xc3\xa9", 1));

        /* A lead byte followed by something that is not a continuation. */
        assert_false(VALID("\xc3\x41"));
        assert_false(VALID("\xe2\x82\x41"));
        assert_false(VALID("\xf0\x9f\x98\x41"));
        assert_false(VALID("\xc3\xc3\xa9"));
        /* A sequence cut short by a NUL, len reaching past it. */
        assert_false(utf8_valid("\xe2\x82\0", 3));
}

static void test_utf8_valid_continuation(void **state) {
        assert_false(VALID("\x80"));
        assert_false(VALID("\xbf"));
        assert_false(VALID("a\x80" "b"));
        assert_false(VALID("\xc3\xa9\xa9"));            /* one continuation too many */
        assert_false(VALID("\xf0\x9f\x98\x80\x80"));
        assert_false(VALID("\x80\x80\x80\x80"));
}

static void test_utf8_valid_nul(void **state) {
        assert_false(utf8_valid("\0", 1));
        assert_false(utf8_valid("a\0b", 3));
        assert_false(utf8_valid("abc\0", 4));
        assert_false(utf8_valid("\xc3\xa9\0\xc3\xa9", 5));
}

static void test_utf8_length(void **state) {
        _cleanup_free_ char *long_s = repeat("\xf0\x9f\x98\x80", 1000);

        assert_int_equal(utf8_length(""), 0);
        assert_int_equal(utf8_length("a"), 1);
        assert_int_equal(utf8_length("abc"), 3);
        assert_int_equal(utf8_length("h\xc3\xa9llo"), 5);
        assert_int_equal(utf8_length("\xe2\x82\xac"), 1);
        assert_int_equal(utf8_length("\xf0\x9f\x98\x80"), 1);
        assert_int_equal(utf8_length("\xf4\x8f\xbf\xbf"), 1);
        assert_int_equal(utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), 5);
        assert_int_equal(utf8_length(long_s), 1000);
}

static void test_validate_title(void **state) {
        const char *reason;

        reason = NULL;
        assert_int_equal(validate_title("Massage", &reason), 0);
        assert_int_equal(validate_title("a", &reason), 0);
        assert_int_equal(validate_title(" leading and trailing ", &reason), 0);
        assert_int_equal(validate_title("Gl\xc3\xbchwein \xf0\x9f\x98\x80", &reason), 0);
        assert_int_equal(validate_title("a\xc2\xa0" "b", &reason), 0); /* NBSP: not a control */

        reason = NULL;
        assert_int_equal(validate_title("", &reason), -EINVAL);
        assert_string_equal(reason, "must not be empty");

        reason = NULL;
        assert_int_equal(validate_title(NULL, &reason), -EINVAL);
        assert_non_null(reason);

        reason = NULL;
        assert_int_equal(validate_title("   ", &reason), -EINVAL);
        assert_string_equal(reason, "must not be blank");

        reason = NULL;
        assert_int_equal(validate_title(" ", &reason), -EINVAL);
        assert_string_equal(reason, "must not be blank");
}

static void test_validate_title_length(void **state) {
        const char *reason;
        _cleanup_free_ char *two_200 = repeat("\xc3\xa9", 200);
        _cleanup_free_ char *two_201 = repeat("\xc3\xa9", 201);
        _cleanup_free_ char *four_200 = repeat("\xf0\x9f\x98\x80", 200);
        _cleanup_free_ char *four_201 = repeat("\xf0\x9f\x98\x80", 201);
        _cleanup_free_ char *ascii_200 = repeat("a", 200);
        _cleanup_free_ char *ascii_201 = repeat("a", 201);
        _cleanup_free_ char *huge = repeat("a", 100000);

        /* 200 code points of a 2-byte character are 400 bytes: fine. */
        assert_int_equal(strlen(two_200), 400);
        reason = NULL;
        assert_int_equal(validate_title(two_200, &reason), 0);
        reason = NULL;
        assert_int_equal(validate_title(two_201, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 200 characters)");

        /* The longest valid title in bytes: 200 4-byte characters. */
        assert_int_equal(validate_title(four_200, &reason), 0);
        reason = NULL;
        assert_int_equal(validate_title(four_201, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 200 characters)");

        assert_int_equal(validate_title(ascii_200, &reason), 0);
        reason = NULL;
        assert_int_equal(validate_title(ascii_201, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 200 characters)");

        /* Refused by the byte bound before any scanning, same reason. */
        reason = NULL;
        assert_int_equal(validate_title(huge, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 200 characters)");
}

static void test_validate_title_controls(void **state) {
        static const char *const bad[] = {
                "a\tb",
                "a\nb",
                "line\r",
                "\x01",
                "\x1b[31mred",
                "a\x7f",                /* DEL */
                "a\xc2\x80",            /* U+0080, C1 */
                "next\xc2\x85line",     /* U+0085 NEL, C1 */
                "a\xc2\x9f",            /* U+009F, last C1 */
        };
        const char *reason;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                reason = NULL;
                assert_int_equal(validate_title(bad[i], &reason), -EINVAL);
                assert_string_equal(reason, "must not contain control characters");
        }
}

static void test_validate_title_invalid_utf8(void **state) {
        static const char *const bad[] = {
                "\xff",
                "caf\xe9",              /* Latin-1 é */
                "\xc0\x80",
                "\xed\xa0\x80",
                "\xf4\x90\x80\x80",
                "abc\xe2\x82",
                "\x80",
        };
        const char *reason;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                reason = NULL;
                assert_int_equal(validate_title(bad[i], &reason), -EINVAL);
                assert_string_equal(reason, "is not valid UTF-8");
        }
}

static void test_validate_details(void **state) {
        const char *reason;
        _cleanup_free_ char *a_4000 = repeat("a", 4000);
        _cleanup_free_ char *a_4001 = repeat("a", 4001);
        _cleanup_free_ char *e_4000 = repeat("\xc3\xa9", 4000);
        _cleanup_free_ char *e_4001 = repeat("\xc3\xa9", 4001);
        _cleanup_free_ char *f_4000 = repeat("\xf0\x9f\x98\x80", 4000);

        assert_int_equal(validate_details(NULL, &reason), 0);
        assert_int_equal(validate_details("", &reason), 0);
        assert_int_equal(validate_details("   ", &reason), 0);
        assert_int_equal(validate_details("first line\nsecond line\n", &reason), 0);
        assert_int_equal(validate_details("col1\tcol2", &reason), 0);
        assert_int_equal(validate_details("\n\t\n", &reason), 0);

        assert_int_equal(validate_details(a_4000, &reason), 0);
        assert_int_equal(validate_details(e_4000, &reason), 0);
        assert_int_equal(validate_details(f_4000, &reason), 0);

        reason = NULL;
        assert_int_equal(validate_details(a_4001, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 4000 characters)");
        reason = NULL;
        assert_int_equal(validate_details(e_4001, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 4000 characters)");

        reason = NULL;
        assert_int_equal(validate_details("a\rb", &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");
        reason = NULL;
        assert_int_equal(validate_details("a\x7f", &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");
        reason = NULL;
        assert_int_equal(validate_details("a\xc2\x85", &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");
        reason = NULL;
        assert_int_equal(validate_details("a\v", &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");

        reason = NULL;
        assert_int_equal(validate_details("\xed\xbf\xbf", &reason), -EINVAL);
        assert_string_equal(reason, "is not valid UTF-8");
}

static void test_validate_note(void **state) {
        const char *reason;
        _cleanup_free_ char *a_4000 = repeat("a", 4000);
        _cleanup_free_ char *a_4001 = repeat("a", 4001);

        assert_int_equal(validate_note(NULL, &reason), 0);
        assert_int_equal(validate_note("", &reason), 0);
        assert_int_equal(validate_note("maybe\n\tlater", &reason), 0);
        assert_int_equal(validate_note(a_4000, &reason), 0);

        reason = NULL;
        assert_int_equal(validate_note(a_4001, &reason), -EINVAL);
        assert_string_equal(reason, "is too long (at most 4000 characters)");
        reason = NULL;
        assert_int_equal(validate_note("\x1b", &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");
        reason = NULL;
        assert_int_equal(validate_note("\xc3", &reason), -EINVAL);
        assert_string_equal(reason, "is not valid UTF-8");
}

static void test_validate_text_bounds(void **state) {
        const char *reason;

        assert_int_equal(validate_text("ab", 2, 3, false, &reason), 0);
        assert_int_equal(validate_text("abc", 2, 3, false, &reason), 0);
        reason = NULL;
        assert_int_equal(validate_text("a", 2, 3, false, &reason), -EINVAL);
        assert_string_equal(reason, "must not be empty");
        reason = NULL;
        assert_int_equal(validate_text("abcd", 2, 3, false, &reason), -EINVAL);
        assert_string_equal(reason, "is too long");
        assert_int_equal(validate_text("a\nb", 0, 10, true, &reason), 0);
        reason = NULL;
        assert_int_equal(validate_text("a\nb", 0, 10, false, &reason), -EINVAL);
        assert_string_equal(reason, "must not contain control characters");
}

static void test_validate_intensity(void **state) {
        const char *reason;

        assert_int_equal(validate_intensity(1, &reason), 0);
        assert_int_equal(validate_intensity(2, &reason), 0);
        assert_int_equal(validate_intensity(3, &reason), 0);

        static const int64_t bad[] = { 0, 4, -1, 100, INT64_MIN, INT64_MAX, (int64_t) INT32_MAX + 2 };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                reason = NULL;
                assert_int_equal(validate_intensity(bad[i], &reason), -EINVAL);
                assert_non_null(reason);
                assert_non_null(strstr(reason, "1"));
                assert_non_null(strstr(reason, "3"));
        }
}

static void test_validate_uid(void **state) {
        const char *reason;
        _cleanup_free_ char *u_255 = repeat("x", 255);
        _cleanup_free_ char *u_256 = repeat("x", 256);

        assert_int_equal(validate_uid("a", &reason), 0);
        assert_int_equal(validate_uid("0f4c2a5e-8d0b-4b1e-9f3a-2c6d8e1f0a7b", &reason), 0);
        assert_int_equal(validate_uid("!~{}@example.org", &reason), 0);
        assert_int_equal(validate_uid(u_255, &reason), 0);

        reason = NULL;
        assert_int_equal(validate_uid(u_256, &reason), -EINVAL);
        assert_string_equal(reason, "must be 1-255 characters");
        reason = NULL;
        assert_int_equal(validate_uid("", &reason), -EINVAL);
        assert_string_equal(reason, "must be 1-255 characters");
        reason = NULL;
        assert_int_equal(validate_uid(NULL, &reason), -EINVAL);
        assert_string_equal(reason, "must be 1-255 characters");

        static const char *const bad[] = {
                "a b", " a", "a ", "a\tb", "a\nb", "a\x7f", "\x01", "caf\xc3\xa9", "\xff",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                reason = NULL;
                assert_int_equal(validate_uid(bad[i], &reason), -EINVAL);
                assert_string_equal(reason, "must be printable ASCII without spaces");
        }
}

static void test_category_strings(void **state) {
        for (Category c = 0; c < _CATEGORY_MAX; c++) {
                const char *s = category_to_string(c);

                assert_non_null(s);
                assert_int_equal(category_from_string(s), c);
        }
        assert_string_equal(category_to_string(CATEGORY_AFFECTION), "affection");
        assert_string_equal(category_to_string(CATEGORY_LOVE), "love");
        assert_string_equal(category_to_string(CATEGORY_LUST), "lust");
        assert_string_equal(category_to_string(CATEGORY_FUN), "fun");
        assert_int_equal(_CATEGORY_MAX, 4);

        assert_null(category_to_string(_CATEGORY_MAX));
        assert_null(category_to_string(_CATEGORY_INVALID));
        assert_null(category_to_string((Category) 100));

        assert_int_equal(category_from_string(NULL), _CATEGORY_INVALID);
        assert_int_equal(category_from_string(""), _CATEGORY_INVALID);
        assert_int_equal(category_from_string("Love"), _CATEGORY_INVALID);
        assert_int_equal(category_from_string("LOVE"), _CATEGORY_INVALID);
        assert_int_equal(category_from_string("loves"), _CATEGORY_INVALID);
        assert_int_equal(category_from_string("lov"), _CATEGORY_INVALID);
        assert_int_equal(category_from_string(" love"), _CATEGORY_INVALID);
        assert_int_equal(category_from_string("new"), _CATEGORY_INVALID); /* a review name */
}

static void test_review_strings(void **state) {
        for (Review r = 0; r < _REVIEW_MAX; r++) {
                const char *s = review_to_string(r);

                assert_non_null(s);
                assert_int_equal(review_from_string(s), r);
        }
        assert_string_equal(review_to_string(REVIEW_NEW), "new");
        assert_string_equal(review_to_string(REVIEW_OK), "ok");
        assert_string_equal(review_to_string(REVIEW_DISCUSS), "discuss");
        assert_string_equal(review_to_string(REVIEW_NO), "no");
        assert_int_equal(_REVIEW_MAX, 4);

        assert_null(review_to_string(_REVIEW_MAX));
        assert_null(review_to_string(_REVIEW_INVALID));
        assert_null(review_to_string((Review) 100));

        assert_int_equal(review_from_string(NULL), _REVIEW_INVALID);
        assert_int_equal(review_from_string(""), _REVIEW_INVALID);
        assert_int_equal(review_from_string("OK"), _REVIEW_INVALID);
        assert_int_equal(review_from_string("okay"), _REVIEW_INVALID);
        assert_int_equal(review_from_string("yes"), _REVIEW_INVALID);
        assert_int_equal(review_from_string("fun"), _REVIEW_INVALID); /* a category name */
}

static void test_default_private(void **state) {
        assert_false(item_default_private(1));
        assert_false(item_default_private(2));
        assert_true(item_default_private(3));
}

static void test_item_done(void **state) {
        Item it = {
                .id = 7,
                .uid = strdup("u"),
                .title = strdup("t"),
                .details = strdup("d"),
                .category = CATEGORY_FUN,
                .intensity = 2,
                .private_ = true,
                .sequence = 3,
                .modified = 4,
                .removed = true,
                .review = REVIEW_NO,
                .note = strdup("n"),
        };
        static const Item zero = {};

        item_clear(&it);
        assert_memory_equal(&it, &zero, sizeof(Item));
        item_clear(&it); /* twice is harmless */
        item_clear(NULL);

        Item *a = calloc(3, sizeof(Item));
        assert_non_null(a);
        a[0].uid = strdup("x");
        a[2].title = strdup("y");
        item_array_free(a, 3);
        item_array_free(NULL, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8_valid_good),
                cmocka_unit_test(test_utf8_valid_overlong),
                cmocka_unit_test(test_utf8_valid_surrogates_and_range),
                cmocka_unit_test(test_utf8_valid_truncated),
                cmocka_unit_test(test_utf8_valid_continuation),
                cmocka_unit_test(test_utf8_valid_nul),
                cmocka_unit_test(test_utf8_length),
                cmocka_unit_test(test_validate_title),
                cmocka_unit_test(test_validate_title_length),
                cmocka_unit_test(test_validate_title_controls),
                cmocka_unit_test(test_validate_title_invalid_utf8),
                cmocka_unit_test(test_validate_details),
                cmocka_unit_test(test_validate_note),
                cmocka_unit_test(test_validate_text_bounds),
                cmocka_unit_test(test_validate_intensity),
                cmocka_unit_test(test_validate_uid),
                cmocka_unit_test(test_category_strings),
                cmocka_unit_test(test_review_strings),
                cmocka_unit_test(test_default_private),
                cmocka_unit_test(test_item_done),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
