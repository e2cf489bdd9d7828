/* SPDX-License-Identifier: MIT */

/*
 * test-ideas.c: the built-in starter ideas (daemon/ideas.h): enough of them,
 * every one a valid item, every category and intensity covered, numbers from 1.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "ideas.h"
#include "item.h"
#include "macro.h"

static void test_count(void **state _unused_) {
        assert_true(ideas_count() >= 72);
}

static void test_valid(void **state _unused_) {
        for (size_t i = 1; i <= ideas_count(); i++) {
                const Idea *idea = idea_get(i);
                const char *reason = NULL;

                assert_non_null(idea);
                assert_non_null(idea->title);
                if (validate_title(idea->title, &reason) < 0)
                        fail_msg("idea %zu '%s': title %s", i, idea->title, reason);
                assert_int_equal(validate_intensity(idea->intensity, &reason), 0);
                assert_non_null(category_to_string(idea->category));
                /* Trimmed, as a text list line would be. */
                assert_true(idea->title[0] != ' ');
                assert_true(idea->title[strlen(idea->title) - 1] != ' ');
        }
}

static void test_unique(void **state _unused_) {
        for (size_t i = 1; i <= ideas_count(); i++)
                for (size_t j = i + 1; j <= ideas_count(); j++)
                        if (strcasecmp(idea_get(i)->title, idea_get(j)->title) == 0)
                                fail_msg("ideas %zu and %zu are the same", i, j);
}

static void test_coverage(void **state _unused_) {
        size_t counts[_CATEGORY_MAX][4] = {};

        for (size_t i = 1; i <= ideas_count(); i++) {
                const Idea *idea = idea_get(i);
                assert_in_range(idea->category, 0, _CATEGORY_MAX - 1);
                assert_in_range(idea->intensity, 1, 3);
                counts[idea->category][idea->intensity]++;
        }

        for (int c = 0; c < _CATEGORY_MAX; c++) {
                size_t total = counts[c][1] + counts[c][2] + counts[c][3];
                if (counts[c][1] == 0 || counts[c][2] == 0)
                        fail_msg("category %s lacks gentle or intimate ideas", category_to_string(c));
                /* Spread: no category is a token one. */
                assert_true(total >= 12);
        }
        /* Several explicit lust ideas. */
        assert_true(counts[CATEGORY_LUST][3] >= 5);
}

static void test_lookup(void **state _unused_) {
        size_t n = ideas_count();

        assert_null(idea_get(0));
        assert_null(idea_get(n + 1));
        assert_null(idea_get(SIZE_MAX));
        assert_non_null(idea_get(1));
        assert_non_null(idea_get(n));
        /* Numbers are positions: consecutive entries, the first one first. */
        assert_ptr_equal(idea_get(2), idea_get(1) + 1);
        assert_ptr_equal(idea_get(n), idea_get(1) + (n - 1));
        assert_string_equal(idea_get(1)->title, "Kiss me good morning before either of us gets out of bed");
        assert_int_equal(idea_get(1)->category, CATEGORY_AFFECTION);
        assert_int_equal(idea_get(1)->intensity, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_count),
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_unique),
                cmocka_unit_test(test_coverage),
                cmocka_unit_test(test_lookup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
