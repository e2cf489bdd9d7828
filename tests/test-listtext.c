/* SPDX-License-Identifier: MIT */

/*
 * test-listtext.c: the text list format of `closerctl list add --from FILE`
 * (daemon/listtext.h): every rule, every error with its line, all or nothing.
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
#include "listtext.h"
#include "macro.h"

typedef struct Parsed {
        Item *items;
        size_t n;
        ListTextError err;
} Parsed;

static int parse_len(const char *buf, size_t len, size_t max_items, Parsed *p) {
        /* Poisoned: the parser must reset them on failure. */
        p->items = (Item *) (uintptr_t) 0x1;
        p->n = 12345;
        p->err = (ListTextError) { .line = 999, .reason = "poison" };
        int r = listtext_parse(buf, len, max_items, &p->items, &p->n, &p->err);
        if (r < 0) {
                assert_null(p->items);
                assert_int_equal(p->n, 0);
                assert_non_null(p->err.reason);
        } else {
                assert_int_equal(r, 0);
                assert_non_null(p->items);
                assert_true(p->n >= 1);
                assert_int_equal(p->err.line, 0);
                assert_null(p->err.reason);
        }
        return r;
}

static int parse(const char *buf, Parsed *p) {
        return parse_len(buf, strlen(buf), ITEM_COUNT_MAX, p);
}

static void parsed_clear(Parsed *p) {
        if (p->items)
                item_array_free(p->items, p->n);
        p->items = NULL;
        p->n = 0;
}

static void check_item(const Item *item, const char *title, Category category, int intensity,
                       bool private_) {
        assert_string_equal(item->title, title);
        assert_int_equal(item->category, category);
        assert_int_equal(item->intensity, intensity);
        assert_int_equal(item->private_, private_);
        assert_null(item->uid);
        assert_null(item->details);
        assert_null(item->note);
        assert_int_equal(item->id, 0);
        assert_int_equal(item->review, REVIEW_NEW);
        assert_false(item->removed);
}

static void check_error(const char *buf, size_t len, int error, size_t line, const char *reason) {
        Parsed p;
        assert_int_equal(parse_len(buf, len, ITEM_COUNT_MAX, &p), error);
        assert_int_equal(p.err.line, line);
        assert_string_equal(p.err.reason, reason);
}

static void check_error_str(const char *buf, size_t line, const char *reason) {
        check_error(buf, strlen(buf), -EINVAL, line, reason);
}

static void test_sections(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("Kiss me every morning\n"
                               "[love]\n"
                               "Cook for me\n"
                               "[ LUST ]\n"
                               "Kiss my neck\n"
                               "  [Fun]  \n"
                               "Pillow fight\n"
                               "[\taffection ]\n"
                               "Hold my hand\n"
                               "[love]\n"
                               "[lust]\n"
                               "Last one\n",
                               &p),
                         0);
        assert_int_equal(p.n, 6);
        check_item(&p.items[0], "Kiss me every morning", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[1], "Cook for me", CATEGORY_LOVE, 1, false);
        check_item(&p.items[2], "Kiss my neck", CATEGORY_LUST, 1, false);
        check_item(&p.items[3], "Pillow fight", CATEGORY_FUN, 1, false);
        check_item(&p.items[4], "Hold my hand", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[5], "Last one", CATEGORY_LUST, 1, false);
        parsed_clear(&p);
}

static void test_not_a_section(void **state _unused_) {
        Parsed p;
        /* Only a line that starts with '[' and ends with ']' is a section. */
        assert_int_equal(parse("[love] breakfast in bed\n"
                               "Breakfast [love]\n"
                               "[\n"
                               "]\n"
                               "![fun]\n",
                               &p),
                         0);
        assert_int_equal(p.n, 5);
        check_item(&p.items[0], "[love] breakfast in bed", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[1], "Breakfast [love]", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[2], "[", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[3], "]", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[4], "[fun]", CATEGORY_AFFECTION, 1, true);
        parsed_clear(&p);
}

static void test_comments_blanks(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("# My list\n"
                               "\n"
                               "   \t  \n"
                               "   # indented comment\n"
                               "#\n"
                               "  First  \n"
                               "\n"
                               "Number #1 fan\n"
                               "\t Tabbed in\t\n"
                               "[fun]\n"
                               "# [lust] inside a comment does nothing\n"
                               "Second",
                               &p),
                         0);
        assert_int_equal(p.n, 4);
        check_item(&p.items[0], "First", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[1], "Number #1 fan", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[2], "Tabbed in", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[3], "Second", CATEGORY_FUN, 1, false);
        parsed_clear(&p);
}

static void test_private(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("!Secret\n"
                               "!    Spaced secret\n"
                               "   ! Indented secret\n"
                               "!\tTabbed secret\n"
                               "Not secret!\n"
                               "!!Double\n"
                               "! # not a comment\n"
                               "Public\n",
                               &p),
                         0);
        assert_int_equal(p.n, 8);
        check_item(&p.items[0], "Secret", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[1], "Spaced secret", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[2], "Indented secret", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[3], "Tabbed secret", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[4], "Not secret!", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[5], "!Double", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[6], "# not a comment", CATEGORY_AFFECTION, 1, true);
        check_item(&p.items[7], "Public", CATEGORY_AFFECTION, 1, false);
        parsed_clear(&p);
}

static void test_stars(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("[lust]\n"
                               "One *\n"
                               "Two **\n"
                               "Three ***\n"
                               "Tab before\t**\n"
                               "Trailing blanks **   \n"
                               "Many blanks     ***\n"
                               "! Private two **\n"
                               "! Private three ***\n"
                               "Glued**\n"
                               "Be my star*\n"
                               "***\n"
                               "a ** b\n"
                               "! **\n"
                               "5* hotel\n",
                               &p),
                         0);
        assert_int_equal(p.n, 14);
        check_item(&p.items[0], "One", CATEGORY_LUST, 1, false);
        check_item(&p.items[1], "Two", CATEGORY_LUST, 2, false);
        /* Explicit items are private unless the user says otherwise later. */
        check_item(&p.items[2], "Three", CATEGORY_LUST, 3, true);
        check_item(&p.items[3], "Tab before", CATEGORY_LUST, 2, false);
        check_item(&p.items[4], "Trailing blanks", CATEGORY_LUST, 2, false);
        check_item(&p.items[5], "Many blanks", CATEGORY_LUST, 3, true);
        check_item(&p.items[6], "Private two", CATEGORY_LUST, 2, true);
        check_item(&p.items[7], "Private three", CATEGORY_LUST, 3, true);
        check_item(&p.items[8], "Glued**", CATEGORY_LUST, 1, false);
        check_item(&p.items[9], "Be my star*", CATEGORY_LUST, 1, false);
        check_item(&p.items[10], "***", CATEGORY_LUST, 1, false);
        check_item(&p.items[11], "a ** b", CATEGORY_LUST, 1, false);
        check_item(&p.items[12], "**", CATEGORY_LUST, 1, true);
        check_item(&p.items[13], "5* hotel", CATEGORY_LUST, 1, false);
        parsed_clear(&p);
}

static void test_crlf(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("# comment\r\n"
                               "First\r\n"
                               "\r\n"
                               "[ Love ]\r\n"
                               "! Second **\r\n"
                               "Third",
                               &p),
                         0);
        assert_int_equal(p.n, 3);
        check_item(&p.items[0], "First", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[1], "Second", CATEGORY_LOVE, 2, true);
        check_item(&p.items[2], "Third", CATEGORY_LOVE, 1, false);
        parsed_clear(&p);

        /* Line numbers count CRLF lines like LF lines. */
        check_error_str("a\r\nb\r\n[nope]\r\n", 3, "unknown category (use affection, love, lust or fun)");
        /* A lone CR inside a line is a control character. */
        check_error_str("a\rb\n", 1, "title must not contain control characters (a tab is one)");
}

static void test_bom(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("\xef\xbb\xbf[fun]\nDance in the kitchen\n", &p), 0);
        assert_int_equal(p.n, 1);
        check_item(&p.items[0], "Dance in the kitchen", CATEGORY_FUN, 1, false);
        parsed_clear(&p);

        assert_int_equal(parse("\xef\xbb\xbf\xef\xbb\xbfTwo marks", &p), 0);
        assert_int_equal(p.n, 1);
        /* Only the first one is a byte order mark; the second is text. */
        check_item(&p.items[0], "\xef\xbb\xbfTwo marks", CATEGORY_AFFECTION, 1, false);
        parsed_clear(&p);

        /* The mark does not count as a line. */
        check_error_str("\xef\xbb\xbfok\n[nope]\n", 2,
                        "unknown category (use affection, love, lust or fun)");
        check_error_str("\xef\xbb\xbf", 0, "no items found");
        /* A truncated mark is invalid UTF-8. */
        check_error_str("\xef\xbb", 1, "is not valid UTF-8 text");
}

static void test_unicode(void **state _unused_) {
        Parsed p;
        assert_int_equal(parse("Küsse 💋 am Morgen ***\n"
                               "[love]\n"
                               "! Un café au lit ☕ **\n"
                               "お休みのキス\n",
                               &p),
                         0);
        assert_int_equal(p.n, 3);
        check_item(&p.items[0], "Küsse 💋 am Morgen", CATEGORY_AFFECTION, 3, true);
        check_item(&p.items[1], "Un café au lit ☕", CATEGORY_LOVE, 2, true);
        check_item(&p.items[2], "お休みのキス", CATEGORY_LOVE, 1, false);
        parsed_clear(&p);
}

static void test_title_length(void **state _unused_) {
        Parsed p;
        char *buf;

        /* 200 two-byte characters: fine. */
        buf = malloc(200 * 2 + 1);
        assert_non_null(buf);
        buf[0] = '\0';
        for (int i = 0; i < 200; i++)
                strcat(buf, "ä");
        assert_int_equal(parse(buf, &p), 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(utf8_length(p.items[0].title), 200);
        parsed_clear(&p);
        free(buf);

        /* 201 characters on line 3: too long, even with a marker after it. */
        buf = malloc(64 + 201);
        assert_non_null(buf);
        strcpy(buf, "ok\n\n");
        size_t k = strlen(buf);
        memset(buf + k, 'x', 201);
        strcpy(buf + k + 201, " **\nok\n");
        check_error_str(buf, 3, "title is too long (at most 200 characters)");

        /* Exactly 200 before the marker: fine. */
        strcpy(buf + k + 200, " **\nok\n");
        assert_int_equal(parse(buf, &p), 0);
        assert_int_equal(p.n, 3);
        assert_int_equal(strlen(p.items[1].title), 200);
        assert_int_equal(p.items[1].intensity, 2);
        parsed_clear(&p);
        free(buf);
}

static void test_error_utf8(void **state _unused_) {
        check_error_str("one\ntwo\n\xff three\n", 3, "is not valid UTF-8 text");
        check_error_str("one\n\xc3\x28\n", 2, "is not valid UTF-8 text");       /* bad continuation */
        check_error_str("\xc0\xaf\n", 1, "is not valid UTF-8 text");            /* overlong '/' */
        check_error_str("a\n\xed\xa0\x80\n", 2, "is not valid UTF-8 text");     /* surrogate */
        check_error_str("a\n\xf4\x90\x80\x80\n", 2, "is not valid UTF-8 text"); /* above U+10FFFF */
        check_error_str("a\nb\nc\xe2\x82", 3, "is not valid UTF-8 text");       /* truncated at the end */
        /* Even in a comment or a blank line. */
        check_error_str("a\n# \xff\n", 2, "is not valid UTF-8 text");
        check_error_str("a\n  \xff  \n", 2, "is not valid UTF-8 text");

        /* A NUL byte. */
        static const char nul[] = "first\nsec\0ond\nthird\n";
        check_error(nul, sizeof(nul) - 1, -EINVAL, 2, "is not valid UTF-8 text");
        static const char nul_end[] = "first\n\0";
        check_error(nul_end, sizeof(nul_end) - 1, -EINVAL, 2, "is not valid UTF-8 text");
}

static void test_error_section(void **state _unused_) {
        static const char *const why = "unknown category (use affection, love, lust or fun)";
        check_error_str("a\n[foo]\nb\n", 2, why);
        check_error_str("[]\n", 1, why);
        check_error_str("[   ]\n", 1, why);
        check_error_str("a\n\n\n[lu st]\n", 4, why);
        check_error_str("[love ]]\n", 1, why);
        check_error_str("[lüst]\n", 1, why);
        check_error_str("[loves]\n", 1, why);
        check_error_str("[lov]\n", 1, why);
}

static void test_error_bang(void **state _unused_) {
        check_error_str("a\n!\n", 2, "'!' must be followed by a title");
        check_error_str("a\nb\n  !   \t\n", 3, "'!' must be followed by a title");
        check_error_str("!\r\n", 1, "'!' must be followed by a title");
}

static void test_error_title(void **state _unused_) {
        check_error_str("a\nTab\tinside\n", 2, "title must not contain control characters (a tab is one)");
        check_error_str("a\n\x1b[31mred\n", 2, "title must not contain control characters (a tab is one)");
        check_error_str("a\nb\nDEL\x7f\n", 3, "title must not contain control characters (a tab is one)");
        check_error_str("C1 \xc2\x85 next line\n", 1,
                        "title must not contain control characters (a tab is one)");
}

static void test_error_stars(void **state _unused_) {
        check_error_str("a\nToo much ****\n", 2, "intensity marker must be *, ** or ***");
        check_error_str("a\nb\n! Way too much *********\n", 3, "intensity marker must be *, ** or ***");
}

static void test_no_items(void **state _unused_) {
        Parsed p;
        check_error_str("", 0, "no items found");
        check_error_str("\n\n\n", 0, "no items found");
        check_error_str("# just a comment\n[lust]\n   \n[fun]\n", 0, "no items found");

        assert_int_equal(parse_len(NULL, 0, ITEM_COUNT_MAX, &p), -EINVAL);
        assert_int_equal(p.err.line, 0);
        assert_string_equal(p.err.reason, "no items found");
}

static void test_all_or_nothing(void **state _unused_) {
        Parsed p;
        /* Good items before and after the error: none comes back. */
        assert_int_equal(parse("one\ntwo\n[love]\nthree\n[bad]\nfour\n", &p), -EINVAL);
        assert_int_equal(p.err.line, 5);
        assert_null(p.items);
        assert_int_equal(p.n, 0);

        /* Many items (past the first growth of the array), then an error. */
        size_t n = 100;
        char *buf = malloc(n * 8 + 16);
        assert_non_null(buf);
        buf[0] = '\0';
        for (size_t i = 0; i < n; i++)
                strcat(buf, "item **\n");
        strcat(buf, "!\n");
        assert_int_equal(parse(buf, &p), -EINVAL);
        assert_int_equal(p.err.line, n + 1);
        assert_null(p.items);
        free(buf);
}

static void test_max_items(void **state _unused_) {
        static const char three[] = "# three items\na\n\nb\n[fun]\nc\n# done\n";
        Parsed p;

        assert_int_equal(parse_len(three, strlen(three), 3, &p), 0);
        assert_int_equal(p.n, 3);
        parsed_clear(&p);

        assert_int_equal(parse_len(three, strlen(three), 2, &p), -E2BIG);
        assert_int_equal(p.err.line, 6);
        assert_string_equal(p.err.reason, "too many items");

        assert_int_equal(parse_len(three, strlen(three), 0, &p), -E2BIG);
        assert_int_equal(p.err.line, 2);

        /* A text error before the limit is reached is still that error. */
        static const char bad[] = "a\n[x]\nb\nc\n";
        assert_int_equal(parse_len(bad, strlen(bad), 1, &p), -EINVAL);
        assert_int_equal(p.err.line, 2);

        /* The daemon's own limit: ITEM_COUNT_MAX lines of one item each. */
        size_t n = ITEM_COUNT_MAX + 1;
        char *buf = malloc(n * 2 + 1);
        assert_non_null(buf);
        for (size_t i = 0; i < n; i++)
                memcpy(buf + i * 2, "x\n", 2);
        assert_int_equal(parse_len(buf, n * 2, ITEM_COUNT_MAX, &p), -E2BIG);
        assert_int_equal(p.err.line, n);
        assert_int_equal(parse_len(buf, (n - 1) * 2, ITEM_COUNT_MAX, &p), 0);
        assert_int_equal(p.n, ITEM_COUNT_MAX);
        parsed_clear(&p);
        free(buf);
}

static void test_size_limit(void **state _unused_) {
        Parsed p;
        char *buf = malloc(LISTTEXT_SIZE_MAX + 1);
        assert_non_null(buf);

        /* Exactly 1 MiB: one item, then padding of blanks and newlines. */
        memset(buf, ' ', LISTTEXT_SIZE_MAX + 1);
        memcpy(buf, "item\n", 5);
        for (size_t i = 80; i < LISTTEXT_SIZE_MAX; i += 80)
                buf[i] = '\n';
        assert_int_equal(parse_len(buf, LISTTEXT_SIZE_MAX, ITEM_COUNT_MAX, &p), 0);
        assert_int_equal(p.n, 1);
        assert_string_equal(p.items[0].title, "item");
        parsed_clear(&p);

        /* One byte more: refused before it is read. */
        assert_int_equal(parse_len(buf, LISTTEXT_SIZE_MAX + 1, ITEM_COUNT_MAX, &p), -E2BIG);
        assert_int_equal(p.err.line, 0);
        assert_string_equal(p.err.reason, "file is larger than 1 MiB");
        free(buf);
}

static void test_not_nul_terminated(void **state _unused_) {
        Parsed p;
        /* The parser reads len bytes and not one more. */
        char buf[] = { 'a', '\n', 'b', 'c', ' ', '*', '*' };
        assert_int_equal(parse_len(buf, sizeof(buf), ITEM_COUNT_MAX, &p), 0);
        assert_int_equal(p.n, 2);
        check_item(&p.items[0], "a", CATEGORY_AFFECTION, 1, false);
        check_item(&p.items[1], "bc", CATEGORY_AFFECTION, 2, false);
        parsed_clear(&p);

        /* Cut in the middle of the marker. */
        assert_int_equal(parse_len(buf, sizeof(buf) - 1, ITEM_COUNT_MAX, &p), 0);
        check_item(&p.items[1], "bc", CATEGORY_AFFECTION, 1, false);
        parsed_clear(&p);
}

static void test_err_optional(void **state _unused_) {
        Item *items = NULL;
        size_t n = 0;
        assert_int_equal(listtext_parse("[bad]\n", 6, 10, &items, &n, NULL), -EINVAL);
        assert_null(items);
        assert_int_equal(listtext_parse("good\n", 5, 10, &items, &n, NULL), 0);
        assert_int_equal(n, 1);
        item_array_free(items, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sections),
                cmocka_unit_test(test_not_a_section),
                cmocka_unit_test(test_comments_blanks),
                cmocka_unit_test(test_private),
                cmocka_unit_test(test_stars),
                cmocka_unit_test(test_crlf),
                cmocka_unit_test(test_bom),
                cmocka_unit_test(test_unicode),
                cmocka_unit_test(test_title_length),
                cmocka_unit_test(test_error_utf8),
                cmocka_unit_test(test_error_section),
                cmocka_unit_test(test_error_bang),
                cmocka_unit_test(test_error_title),
                cmocka_unit_test(test_error_stars),
                cmocka_unit_test(test_no_items),
                cmocka_unit_test(test_all_or_nothing),
                cmocka_unit_test(test_max_items),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_not_nul_terminated),
                cmocka_unit_test(test_err_optional),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
