/* SPDX-License-Identifier: MIT */

/* Tests of the member folder's JSON files (daemon/sharefile.c): the kind
 * names, round trips of every kind with byte-stable output, every limit
 * just at and just over, each error with its code and message, hostile
 * input (every truncation, NUL, bad UTF-8, deep nesting, huge and negative
 * numbers, floats, duplicate keys and UIDs, wrong kind, other formats) and
 * what the writer refuses. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "sharefile.h"
#include "testutil.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define TIME_MAX INT64_C(32535215999)
#define DAY_MAX INT64_C(376564) /* 3000-12-31 */
#define HEAD "{\"closer\":\"reviews\",\"format\":1,\"member\":\"" ID_A "\","

/* A file of kind k with the header and then rest (the members after
 * "member", without the closing brace). */
static char *file(ShareKind k, const char *rest) {
        char *s = NULL;
        assert_true(asprintf(&s, "{\"closer\":\"%s\",\"format\":1,\"member\":\"" ID_A "\",%s}",
                             share_kind_to_string(k), rest) >= 0);
        return s;
}

/* fmt with its one "%s" replaced by value (a format of the tests' own,
 * kept out of printf so that the compiler need not see it as literal). */
static char *subst(const char *fmt, const char *value) {
        const char *at = strstr(fmt, "%s");
        char *s = NULL;
        assert_non_null(at);
        assert_true(asprintf(&s, "%.*s%s%s", (int) (at - fmt), fmt, value, at + 2) > 0);
        return s;
}

static void assert_empty(const ShareFile *f) {
        static const ShareFile zero;
        assert_memory_equal(f, &zero, sizeof(zero));
}

/* Parses len bytes, copied to a buffer of just that size (no NUL after it,
 * so that a read past the end is one the sanitizer sees), and expects -err
 * with a one-line message of printable ASCII that contains want. */
static void expect_error_len(ShareKind k, const char *text, size_t len, int err, const char *want) {
        ShareFile f = { .n_reviews = 42, .member = (char *) "stale" };
        char *copy = malloc(len ? len : 1), *msg = NULL;
        assert_non_null(copy);
        memcpy(copy, text, len);
        int r = sharefile_parse(k, copy, len, &f, &msg);
        if (r != -err || !msg || (want && !strstr(msg, want)))
                print_error("got %d (%s), message '%s', wanted %d and '%s'\n", r, strerror(r < 0 ? -r : r),
                            msg ? msg : "(null)", -err, want ? want : "");
        assert_int_equal(r, -err);
        assert_non_null(msg);
        assert_true(msg[0] != '\0');
        for (const char *p = msg; *p; p++)
                assert_true(*p >= 0x20 && *p < 0x7f);
        if (want)
                assert_non_null(strstr(msg, want));
        assert_null(strstr(msg, "SECRET")); /* never the file's text */
        assert_empty(&f);
        free(msg);
        free(copy);
}

static void expect_error(ShareKind k, const char *text, int err, const char *want) {
        expect_error_len(k, text, strlen(text), err, want);
}

/* file(k, rest) refused with -err and a message that contains want. */
static void expect_error_rest(ShareKind k, const char *rest, int err, const char *want) {
        char *s = file(k, rest);
        expect_error(k, s, err, want);
        free(s);
}

static void parse_ok(ShareKind k, const char *text, ShareFile *f) {
        char *msg = NULL;
        int r = sharefile_parse(k, text, strlen(text), f, &msg);
        if (r < 0)
                print_error("parse failed: %s\n", msg ? msg : strerror(-r));
        assert_int_equal(r, 0);
        assert_null(msg);
        assert_int_equal(f->kind, k);
}

static void parse_rest_ok(ShareKind k, const char *rest) {
        ShareFile f = {};
        char *s = file(k, rest);
        parse_ok(k, s, &f);
        sharefile_clear(&f);
        assert_empty(&f);
        free(s);
}

static char *write_ok(const ShareFile *f) {
        char *text = NULL;
        assert_int_equal(sharefile_write(f, &text), 0);
        assert_non_null(text);
        return text;
}

static void assert_streq_null(const char *a, const char *b) {
        if (!a || !b)
                assert_ptr_equal(a, b);
        else
                assert_string_equal(a, b);
}

/* ---- names ---------------------------------------------------------------------------------- */

static void test_kind_names(void **state) {
        static const char *const names[] = { "member", "reviews", "promises", "plan", "acts", "advances" };
        char file_name[32];

        for (ShareKind k = 0; k < _SHARE_KIND_MAX; k++) {
                assert_string_equal(share_kind_to_string(k), names[k]);
                assert_int_equal(share_kind_from_string(names[k]), k);
                snprintf(file_name, sizeof(file_name), "%s.json", names[k]);
                assert_string_equal(share_kind_file(k), file_name);
                assert_int_equal(share_kind_from_file(file_name), k);
        }
        assert_null(share_kind_to_string(_SHARE_KIND_MAX));
        assert_null(share_kind_to_string(_SHARE_KIND_INVALID));
        assert_null(share_kind_file(_SHARE_KIND_MAX));
        assert_int_equal(share_kind_from_string(NULL), _SHARE_KIND_INVALID);
        assert_int_equal(share_kind_from_string("Reviews"), _SHARE_KIND_INVALID);
        assert_int_equal(share_kind_from_string("reviews.json"), _SHARE_KIND_INVALID);
        /* Temp files and a sync engine's conflict copies are never data. */
        static const char *const not_files[] = {
                "reviews", "reviews.json.tmp", ".reviews.json.XXXXXX", "reviews.json~", "Reviews.json",
                "reviews.sync-conflict-20240601-120000-ABCDEFG.json", "reviews (conflict).json", "", "/reviews.json",
        };
        for (size_t i = 0; i < ELEMENTSOF(not_files); i++)
                assert_int_equal(share_kind_from_file(not_files[i]), _SHARE_KIND_INVALID);
        assert_int_equal(share_kind_from_file(NULL), _SHARE_KIND_INVALID);
}

static void test_share_id(void **state) {
        assert_true(share_id_is_valid(ID_A));
        assert_true(share_id_is_valid("00000000000000000000000000000000"));
        assert_false(share_id_is_valid(NULL));
        assert_false(share_id_is_valid(""));
        assert_false(share_id_is_valid("0123456789abcdef0123456789abcde"));   /* 31 */
        assert_false(share_id_is_valid("0123456789abcdef0123456789abcdef0")); /* 33 */
        assert_false(share_id_is_valid("0123456789ABCDEF0123456789abcdef"));  /* upper case */
        assert_false(share_id_is_valid("0123456789abcdeg0123456789abcdef"));
        assert_false(share_id_is_valid("01234567-89ab-cdef-0123-456789abcdef"));
        assert_false(share_id_is_valid("0123456789abcdef0123456789abcde "));
}

/* ---- round trips ---------------------------------------------------------------------------- */

static ShareReview sample_reviews[] = {
        { .uid = "k1@closer", .review = REVIEW_NEW, .note = NULL, .sequence = 0 },
        { .uid = "k2@closer", .review = REVIEW_OK, .note = "K\xc3\xbcsse \xf0\x9f\x92\x8b, \"quoted\"\n\ta/b \\ back",
          .sequence = 7 },
        { .uid = "k3,odd;chars:\"x\"/\\", .review = REVIEW_DISCUSS, .note = "", .sequence = INT64_MAX },
        { .uid = "~", .review = REVIEW_NO, .note = "\xe2\x80\xa8 and \xc2\xa0", .sequence = 1 },
};
static SharePromise sample_promises[] = {
        { .uid = "rc-1@closer", .due = 0, .status = PROMISE_OPEN, .sequence = 0 },
        { .uid = "rc-2@closer", .due = TIME_MAX, .what = "Massage \xf0\x9f\x92\x86", .where = "Sofa",
          .status = PROMISE_KEPT, .sequence = 3 },
        { .uid = "rc-3@closer", .due = 1718000000, .what = "", .status = PROMISE_BROKEN, .sequence = 1 },
        { .uid = "rc-4@closer", .due = 1718000001, .where = "</script>", .status = PROMISE_MOVED, .sequence = 2 },
        { .uid = "rc-5@closer", .due = 1718000002, .status = PROMISE_CANCELLED, .sequence = 9 },
        { .uid = "rc-6@closer", .due = 1718000003, .status = PROMISE_OPEN, .sequence = 0, .owed_by_partner = true },
};
static SharePlanEntry sample_entries[] = {
        { .key = "rule", .value = "weekly fri 20:00", .lc = 1, .seen = 0 },
        { .key = "move/2024-06-14", .value = "2024-06-15T19:30 \"x\" \\", .lc = 5, .seen = 4 },
        { .key = "skip/2024-06-21", .value = "", .lc = INT64_MAX, .seen = INT64_MAX },
};
static ShareAct sample_acts[] = {
        { .day = 0, .uid = "k1@closer" },
        { .day = 19783, .uid = "k1@closer" }, /* 2024-03-01: the same item again, another day */
        { .day = 19782, .uid = "k2@closer" }, /* 2024-02-29 */
        { .day = DAY_MAX, .uid = "k2@closer" },
};
static ShareAdvance sample_advances[] = {
        { .id = 1, .at = 0, .by_partner = false, .accepted = true },
        { .id = 2, .at = TIME_MAX, .by_partner = true, .accepted = false },
        { .id = INT64_MAX, .at = 1718000000, .by_partner = true, .accepted = true },
};

static ShareFile sample(ShareKind k) {
        ShareFile f = { .kind = k, .member = (char *) ID_A };
        switch (k) {
        case SHARE_MEMBER:
                f.name = (char *) "\xc3\x84nne \"A\" / B";
                f.partner = (char *) ID_B;
                break;
        case SHARE_REVIEWS:
                f.reviews = sample_reviews, f.n_reviews = ELEMENTSOF(sample_reviews);
                break;
        case SHARE_PROMISES:
                f.promises = sample_promises, f.n_promises = ELEMENTSOF(sample_promises);
                break;
        case SHARE_PLAN:
                f.clock = 12, f.entries = sample_entries, f.n_entries = ELEMENTSOF(sample_entries);
                break;
        case SHARE_ACTS:
                f.acts = sample_acts, f.n_acts = ELEMENTSOF(sample_acts);
                break;
        default:
                f.advances = sample_advances, f.n_advances = ELEMENTSOF(sample_advances);
                break;
        }
        return f;
}

static void assert_same(const ShareFile *a, const ShareFile *b) {
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->member, b->member);
        assert_streq_null(a->name, b->name);
        assert_streq_null(a->partner, b->partner);
        assert_true(a->clock == b->clock);
        assert_int_equal(a->n_reviews, b->n_reviews);
        for (size_t i = 0; i < a->n_reviews; i++) {
                const ShareReview *x = &a->reviews[i], *y = &b->reviews[i];
                assert_string_equal(x->uid, y->uid);
                assert_int_equal(x->review, y->review);
                assert_streq_null(x->note, y->note);
                assert_true(x->sequence == y->sequence);
        }
        assert_int_equal(a->n_promises, b->n_promises);
        for (size_t i = 0; i < a->n_promises; i++) {
                const SharePromise *x = &a->promises[i], *y = &b->promises[i];
                assert_string_equal(x->uid, y->uid);
                assert_true(x->due == y->due);
                assert_streq_null(x->what, y->what);
                assert_streq_null(x->where, y->where);
                assert_int_equal(x->status, y->status);
                assert_true(x->sequence == y->sequence);
                assert_int_equal(x->owed_by_partner, y->owed_by_partner);
        }
        assert_int_equal(a->n_entries, b->n_entries);
        for (size_t i = 0; i < a->n_entries; i++) {
                const SharePlanEntry *x = &a->entries[i], *y = &b->entries[i];
                assert_string_equal(x->key, y->key);
                assert_string_equal(x->value, y->value);
                assert_true(x->lc == y->lc && x->seen == y->seen);
        }
        assert_int_equal(a->n_acts, b->n_acts);
        for (size_t i = 0; i < a->n_acts; i++) {
                assert_true(a->acts[i].day == b->acts[i].day);
                assert_string_equal(a->acts[i].uid, b->acts[i].uid);
        }
        assert_int_equal(a->n_advances, b->n_advances);
        for (size_t i = 0; i < a->n_advances; i++) {
                const ShareAdvance *x = &a->advances[i], *y = &b->advances[i];
                assert_true(x->id == y->id && x->at == y->at);
                assert_int_equal(x->by_partner, y->by_partner);
                assert_int_equal(x->accepted, y->accepted);
        }
}

static void test_roundtrip(void **state) {
        for (ShareKind k = 0; k < _SHARE_KIND_MAX; k++) {
                ShareFile a = sample(k), b = {};
                char *text = write_ok(&a), *again = write_ok(&a);

                assert_string_equal(text, again); /* the same file, the same bytes */
                assert_true(text[strlen(text) - 1] == '\n');
                parse_ok(k, text, &b);
                assert_same(&a, &b);
                free(again);
                again = write_ok(&b); /* and what was read writes the same bytes */
                assert_string_equal(text, again);
                sharefile_clear(&b);
                assert_empty(&b);
                free(again);
                free(text);
        }
}

/* The layout the header promises, to the byte. */
static void test_layout(void **state) {
        ShareFile f = sample(SHARE_REVIEWS);
        char *text;

        f.n_reviews = 2;
        text = write_ok(&f);
        assert_string_equal(text,
                            HEAD "\n"
                            "\"reviews\":[\n"
                            "{\"uid\":\"k1@closer\",\"review\":\"new\",\"note\":null,\"sequence\":0},\n"
                            "{\"uid\":\"k2@closer\",\"review\":\"ok\",\"note\":\"K\xc3\xbcsse \xf0\x9f\x92\x8b, "
                            "\\\"quoted\\\"\\n\\ta/b \\\\ back\",\"sequence\":7}\n"
                            "]}\n");
        free(text);

        f.n_reviews = 0, f.reviews = NULL;
        text = write_ok(&f);
        assert_string_equal(text, HEAD "\n\"reviews\":[\n]}\n");
        free(text);

        f = sample(SHARE_MEMBER);
        f.name = NULL;
        text = write_ok(&f);
        assert_string_equal(text, "{\"closer\":\"member\",\"format\":1,\"member\":\"" ID_A "\",\n"
                                  "\"name\":null,\"partner\":\"" ID_B "\"}\n");
        free(text);

        f = sample(SHARE_PLAN);
        f.n_entries = 1;
        text = write_ok(&f);
        assert_string_equal(text, "{\"closer\":\"plan\",\"format\":1,\"member\":\"" ID_A "\",\n"
                                  "\"clock\":12,\"entries\":[\n"
                                  "{\"key\":\"rule\",\"value\":\"weekly fri 20:00\",\"lc\":1,\"seen\":0}\n]}\n");
        free(text);

        f = sample(SHARE_ACTS);
        text = write_ok(&f);
        assert_non_null(strstr(text, "{\"day\":\"1970-01-01\",\"uid\":\"k1@closer\"},\n"));
        assert_non_null(strstr(text, "{\"day\":\"2024-02-29\",\"uid\":\"k2@closer\"},\n"));
        assert_non_null(strstr(text, "{\"day\":\"3000-12-31\",\"uid\":\"k2@closer\"}\n]}\n"));
        free(text);

        f = sample(SHARE_ADVANCES);
        text = write_ok(&f);
        assert_non_null(strstr(text, "\n{\"id\":1,\"at\":0,\"by\":\"me\",\"accepted\":true},\n"));
        assert_non_null(strstr(text, "\n{\"id\":2,\"at\":32535215999,\"by\":\"partner\",\"accepted\":false},\n"));
        free(text);
}

/* Any JSON layout is read, members in any order, unknown ones of any type
 * skipped at every level. */
static void test_parse_lenient(void **state) {
        ShareFile f = {};
        const char *text =
                " \n\t{ \"reviews\" : [ { \"sequence\" : 3 , \"x\" : {\"y\":[1,{\"z\":null}]}, \"note\" : null ,\r\n"
                "  \"review\" : \"no\" , \"uid\" : \"a\\u0040b\" , \"later\" : 1.5e300 } ] , \"member\" : \"" ID_A "\" ,"
                " \"format\" : 1 , \"closer\" : \"reviews\" , \"new\" : [true, false, null, \"\\ud83d\\ude00\"] }\n\n ";

        parse_ok(SHARE_REVIEWS, text, &f);
        assert_int_equal(f.n_reviews, 1);
        assert_string_equal(f.reviews[0].uid, "a@b");
        assert_int_equal(f.reviews[0].review, REVIEW_NO);
        assert_null(f.reviews[0].note);
        assert_int_equal(f.reviews[0].sequence, 3);
        sharefile_clear(&f);

        /* Escapes decode: a surrogate pair, \/ and a key spelled with one. */
        parse_ok(SHARE_MEMBER,
                 "{\"closer\":\"member\",\"format\":1,\"member\":\"" ID_A "\",\"n\\u0061me\":\"\\ud83d\\udc8b\\/\","
                 "\"partner\":null}",
                 &f);
        assert_string_equal(f.name, "\xf0\x9f\x92\x8b/");
        assert_null(f.partner);
        sharefile_clear(&f);

        parse_rest_ok(SHARE_REVIEWS, "\"reviews\":[]");
        parse_rest_ok(SHARE_PLAN, "\"clock\":0,\"entries\":[]");
        parse_rest_ok(SHARE_ACTS, "\"acts\":[{\"day\":\"2024-02-29\",\"uid\":\"u\"},{\"day\":\"2024-03-01\",\"uid\":\"u\"}]");
        parse_rest_ok(SHARE_PROMISES, "\"promises\":[{\"uid\":\"u\",\"due\":-0,\"what\":null,\"where\":null,"
                                      "\"status\":\"open\",\"sequence\":0}]");
        /* owed_by: optional ("me"), and then one of two words. */
        parse_rest_ok(SHARE_PROMISES, "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":null,\"where\":null,"
                                      "\"status\":\"open\",\"sequence\":0,\"owed_by\":\"partner\"}]");
        expect_error_rest(SHARE_PROMISES,
                          "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":null,\"where\":null,"
                          "\"status\":\"open\",\"sequence\":0,\"owed_by\":\"us\"}]",
                          EBADMSG, "promises[0].owed_by");
}

/* ---- limits --------------------------------------------------------------------------------- */

static void test_limit_size(void **state) {
        char *head = file(SHARE_REVIEWS, "\"reviews\":[]");
        size_t n = strlen(head);
        char *text = malloc(SHAREFILE_SIZE_MAX + 1);
        ShareFile f = {};
        char *msg = NULL;

        assert_non_null(text);
        memcpy(text, head, n);
        memset(text + n, ' ', SHAREFILE_SIZE_MAX + 1 - n);
        assert_int_equal(sharefile_parse(SHARE_REVIEWS, text, SHAREFILE_SIZE_MAX, &f, &msg), 0);
        sharefile_clear(&f);
        expect_error_len(SHARE_REVIEWS, text, SHAREFILE_SIZE_MAX + 1, E2BIG, "over 8388608 bytes");
        free(text);
        free(head);
}

static void test_limit_entries(void **state) {
        size_t n = SHAREFILE_ENTRIES_MAX + 1;
        ShareAdvance *adv = calloc(n, sizeof(*adv));
        ShareFile f = { .kind = SHARE_ADVANCES, .member = (char *) ID_A, .advances = adv, .n_advances = n - 1 };
        ShareFile g = {};
        char *text, *more = NULL;

        assert_non_null(adv);
        for (size_t i = 0; i < n; i++)
                adv[i] = (ShareAdvance) { .id = (int64_t) i + 1, .at = (int64_t) i * 60, .accepted = i % 2 };
        text = write_ok(&f);
        parse_ok(SHARE_ADVANCES, text, &g);
        assert_same(&f, &g);
        sharefile_clear(&g);

        /* One more is too many, on both sides. */
        f.n_advances = n;
        assert_int_equal(sharefile_write(&f, &more), -EINVAL);
        assert_null(more);
        text[strlen(text) - 3] = '\0'; /* drop "]}\n" */
        assert_true(asprintf(&more, "%s,\n{\"id\":%zu,\"at\":0,\"by\":\"me\",\"accepted\":true}\n]}\n", text, n) > 0);
        expect_error(SHARE_ADVANCES, more, E2BIG, "advances: more than 50000 entries");
        free(more);
        free(text);
        free(adv);
}

static void test_limit_depth(void **state) {
        /* The file's object and 7 levels in it are 8; one more is too deep. */
        parse_rest_ok(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[[]]]]]]]");
        parse_rest_ok(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[{\"y\":\"[[[[\"}]]]]]]");
        parse_rest_ok(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[[1]]]]]]]");
        parse_rest_ok(SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"ok\",\"note\":null,\"sequence\":1,"
                                     "\"x\":{\"a\":[{\"b\":[1]}]}}]");
        expect_error_rest(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[[[]]]]]]]]", EBADMSG, "nested deeper than 8");
        expect_error_rest(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[[[1]]]]]]]]", EBADMSG, "nested deeper than 8");
        expect_error_rest(SHARE_REVIEWS, "\"reviews\":[],\"x\":[[[[[[[{}]]]]]]]", EBADMSG, "nested deeper than 8");
        char *deep = repeat("[", 100000), *rest = NULL;
        assert_true(asprintf(&rest, "\"x\":%s", deep) > 0);
        expect_error_rest(SHARE_REVIEWS, rest, EBADMSG, "nested deeper than 8");
        free(rest);
        free(deep);
}

/* One string member at n and n + 1 units of unit: the first is read and
 * written, the second refused by both. */
static void check_string_limit(ShareKind k, const char *fmt, const char *unit, size_t n, const char *want) {
        for (size_t extra = 0; extra <= 1; extra++) {
                char *s = repeat(unit, n + extra), *rest = subst(fmt, s);
                if (extra == 0)
                        parse_rest_ok(k, rest);
                else
                        expect_error_rest(k, rest, E2BIG, want);
                free(rest);
                free(s);
        }
}

static void test_limit_strings(void **state) {
        check_string_limit(SHARE_MEMBER, "\"name\":\"%s\",\"partner\":null", "\xc3\xa9", SHAREFILE_NAME_MAX,
                           "name: too long (at most 100 characters)");
        check_string_limit(SHARE_MEMBER, "\"name\":\"%s\",\"partner\":null", "\xf0\x9f\x92\x8b", SHAREFILE_NAME_MAX,
                           "name: too long");
        check_string_limit(SHARE_PROMISES,
                           "\"promises\":[{\"uid\":\"u\",\"due\":1,\"what\":\"%s\",\"where\":null,\"status\":\"open\","
                           "\"sequence\":0}]",
                           "\xe6\xbc\xa2", SHAREFILE_TEXT_MAX, "promises[0].what: too long (at most 200 characters)");
        check_string_limit(SHARE_PROMISES,
                           "\"promises\":[{\"uid\":\"u\",\"due\":1,\"what\":null,\"where\":\"%s\",\"status\":\"open\","
                           "\"sequence\":0}]",
                           "w", SHAREFILE_TEXT_MAX, "promises[0].where: too long");
        check_string_limit(SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"ok\",\"note\":\"%s\",\"sequence\":0}]",
                           "\xc3\xbc\\n", ITEM_NOTE_MAX / 2, "reviews[0].note: too long (at most 4000 characters)");
        check_string_limit(SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"%s\",\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                           "u", ITEM_UID_MAX, "reviews[0].uid: too long (at most 255 bytes)");
        check_string_limit(SHARE_ACTS, "\"acts\":[{\"day\":\"2024-01-01\",\"uid\":\"%s\"}]", "u", ITEM_UID_MAX,
                           "acts[0].uid: too long");
        check_string_limit(SHARE_PLAN, "\"clock\":1,\"entries\":[{\"key\":\"%s\",\"value\":\"\",\"lc\":1,\"seen\":0}]", "k",
                           SHAREFILE_KEY_MAX, "entries[0].key: too long (at most 64 bytes)");
        check_string_limit(SHARE_PLAN, "\"clock\":1,\"entries\":[{\"key\":\"k\",\"value\":\"%s\",\"lc\":1,\"seen\":0}]", "v",
                           SHAREFILE_VALUE_MAX, "entries[0].value: too long (at most 256 bytes)");
}

/* One integer member of a promise, advance or plan entry at each value. */
static void check_number(ShareKind k, const char *fmt, const char *value, bool ok, const char *want) {
        char *rest = subst(fmt, value);
        if (ok)
                parse_rest_ok(k, rest);
        else
                expect_error_rest(k, rest, EBADMSG, want);
        free(rest);
}

static void test_limit_numbers(void **state) {
        static const char due[] = "\"promises\":[{\"uid\":\"u\",\"due\":%s,\"what\":null,\"where\":null,"
                                  "\"status\":\"open\",\"sequence\":0}]";
        static const char seq[] = "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":null,\"where\":null,"
                                  "\"status\":\"open\",\"sequence\":%s}]";
        static const char id[] = "\"advances\":[{\"id\":%s,\"at\":0,\"by\":\"me\",\"accepted\":true}]";
        static const char lc[] = "\"clock\":0,\"entries\":[{\"key\":\"k\",\"value\":\"v\",\"lc\":%s,\"seen\":0}]";
        static const char clock[] = "\"clock\":%s,\"entries\":[]";
        static const char day[] = "\"acts\":[{\"day\":%s,\"uid\":\"u\"}]";
        static const struct {
                ShareKind k;
                const char *fmt, *value;
                bool ok;
                const char *want;
        } cases[] = {
                { SHARE_PROMISES, due, "0", true, NULL },
                { SHARE_PROMISES, due, "32535215999", true, NULL },
                { SHARE_PROMISES, due, "32535216000", false, "promises[0].due: out of range (0 to 32535215999)" },
                { SHARE_PROMISES, due, "-1", false, "promises[0].due: out of range" },
                { SHARE_PROMISES, due, "1.0", false, "promises[0].due: not an integer" },
                { SHARE_PROMISES, due, "1e3", false, "promises[0].due: not an integer" },
                { SHARE_PROMISES, due, "\"5\"", false, "promises[0].due: not an integer" },
                { SHARE_PROMISES, due, "null", false, "promises[0].due: not an integer" },
                { SHARE_PROMISES, due, "true", false, "promises[0].due: not an integer" },
                { SHARE_PROMISES, seq, "9223372036854775807", true, NULL },
                { SHARE_PROMISES, seq, "9223372036854775808", false, "promises[0].sequence: out of range" },
                { SHARE_PROMISES, seq, "18446744073709551615", false, "promises[0].sequence: out of range" },
                { SHARE_PROMISES, seq, "99999999999999999999999", false, "promises[0].sequence: out of range" },
                { SHARE_PROMISES, seq, "-99999999999999999999999", false, "promises[0].sequence: out of range" },
                { SHARE_PROMISES, seq, "-1", false, "promises[0].sequence: out of range" },
                { SHARE_PROMISES, seq, "1E400", false, "not an integer" },
                { SHARE_ADVANCES, id, "1", true, NULL },
                { SHARE_ADVANCES, id, "0", false, "advances[0].id: out of range (1 to 9223372036854775807)" },
                { SHARE_PLAN, lc, "1", true, NULL },
                { SHARE_PLAN, lc, "9223372036854775807", true, NULL },
                { SHARE_PLAN, lc, "0", false, "entries[0].lc: out of range" },
                { SHARE_PLAN, lc, "-1", false, "entries[0].lc: out of range" },
                { SHARE_PLAN, lc, "9223372036854775808", false, "entries[0].lc: out of range" },
                { SHARE_PLAN, clock, "0", true, NULL },
                { SHARE_PLAN, clock, "-5", false, "clock: out of range" },
                { SHARE_PLAN, clock, "0.5", false, "clock: not an integer" },
                { SHARE_ACTS, day, "\"1970-01-01\"", true, NULL },
                { SHARE_ACTS, day, "\"3000-12-31\"", true, NULL },
                { SHARE_ACTS, day, "\"2000-02-29\"", true, NULL },
                { SHARE_ACTS, day, "\"1969-12-31\"", false, "acts[0].day: out of range" },
                { SHARE_ACTS, day, "\"3001-01-01\"", false, "acts[0].day: out of range" },
                { SHARE_ACTS, day, "\"2023-02-29\"", false, "acts[0].day: not a date YYYY-MM-DD" },
                { SHARE_ACTS, day, "\"1900-02-29\"", false, "not a date" },
                { SHARE_ACTS, day, "\"2024-13-01\"", false, "not a date" },
                { SHARE_ACTS, day, "\"2024-04-31\"", false, "not a date" },
                { SHARE_ACTS, day, "\"2024-4-01\"", false, "not a date" },
                { SHARE_ACTS, day, "\"2024-04-01T00:00\"", false, "not a date" },
                { SHARE_ACTS, day, "\"+024-04-01\"", false, "not a date" },
                { SHARE_ACTS, day, "\"2024/04/01\"", false, "not a date" },
                { SHARE_ACTS, day, "19783", false, "acts[0].day: not a string" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                check_number(cases[i].k, cases[i].fmt, cases[i].value, cases[i].ok, cases[i].want);
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_errors_json(void **state) {
        static const struct {
                const char *text, *want;
        } cases[] = {
                { "", "ends early" },
                { "   \n", "ends early" },
                { "{", "ends early" },
                { "{\"closer\":\"reviews\"", "ends early" },
                { "[]", "not a JSON object" },
                { "\"reviews\"", "not a JSON object" },
                { "null", "not a JSON object" },
                { "[{}]", "not a JSON object" },
                { "true", "not a JSON object" },
                { "42 ", "not a JSON object" },
                { "4", "not a JSON object" },
                { "{} x", "not JSON" },
                { "{}{}", "not JSON" },
                { "{},", "not JSON" },
                { "\xef\xbb\xbf{}", "not JSON" }, /* a byte-order mark */
                { "{'closer':'reviews'}", "not JSON" },
                { "{\"closer\":\"reviews\",}", "not JSON" },
                { "{\"a\":[1,]}", "not JSON" },
                { "{\"a\":01}", "not JSON" },
                { "{\"a\":+1}", "not JSON" },
                { "{\"a\":0x10}", "not JSON" },
                { "{\"a\":\"\\x41\"}", "not JSON" },
                { "{/* comment */}", "not JSON" },
                { "{\"a\":TRUE}", "not JSON" },
                { "{\"a\":NaN}", "NaN or Infinity" },
                { "{\"a\":-Infinity}", "NaN or Infinity" },
                { "{\"a\":\"tab\there\"}", "a control character in a string" },
                { "{\"a\":\"SECRET\\u0000\"}", "\\u0000" },
                { "{\"closer\\u0000x\":\"reviews\"}", "\\u0000" },
                { "{\"a\":\"\\ud800\"}", "lone surrogate" },
                { "{\"a\":\"\\udc00\\ud800\"}", "lone surrogate" },
                { "{\"a\":\"\\ud83dx\"}", "lone surrogate" },
                { "{\"a\":\"\\ud83d\\u0041\"}", "lone surrogate" },
                { "{\"a\":\"SECRET\xff\"}", "invalid UTF-8 at byte 12" },
                { "{\"a\":\"\xc0\xaf\"}", "invalid UTF-8" },         /* overlong '/' */
                { "{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8" },     /* a surrogate as UTF-8 */
                { "{\"a\":\"\xf4\x90\x80\x80\"}", "invalid UTF-8" }, /* over U+10FFFF */
                { "{\"a\":\"\xe2\x82\"}", "invalid UTF-8" },         /* cut short */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                expect_error(SHARE_REVIEWS, cases[i].text, EBADMSG, cases[i].want);

        /* NUL bytes: inside a string, after the object, alone. */
        expect_error_len(SHARE_REVIEWS, "{\"a\":\"SECRET\0\"}", 15, EBADMSG, "a NUL byte at byte 12");
        char *s = file(SHARE_REVIEWS, "\"reviews\":[]");
        size_t n = strlen(s);
        expect_error_len(SHARE_REVIEWS, s, n + 1, EBADMSG, "NUL byte");
        free(s);
        expect_error_len(SHARE_REVIEWS, "\0", 1, EBADMSG, "a NUL byte at byte 0");
}

static void test_errors_header(void **state) {
        static const struct {
                const char *text;
                int err;
                const char *want;
        } cases[] = {
                { "{\"closer\":\"promises\",\"format\":1,\"member\":\"" ID_A "\",\"reviews\":[]}", EBADMSG, "not a reviews" },
                { "{\"format\":1,\"member\":\"" ID_A "\",\"reviews\":[]}", EBADMSG, "not a reviews file" },
                { "{\"closer\":[\"reviews\"],\"format\":1}", EBADMSG, "not a reviews file" },
                { "{\"closer\":\"Reviews\",\"format\":1}", EBADMSG, "not a reviews file" },
                { "{\"closer\":\"SECRET\"}", EBADMSG, "not a reviews file" },
                { "{}", EBADMSG, "not a reviews file" },
                { "{\"closer\":\"reviews\",\"format\":2,\"member\":17}", EPROTONOSUPPORT,
                  "written by a newer closer (format 2)" },
                { "{\"closer\":\"reviews\",\"format\":99999999999999999999}", EPROTONOSUPPORT,
                  "written by a newer closer" },
                { "{\"closer\":\"reviews\",\"format\":0,\"member\":\"" ID_A "\",\"reviews\":[]}", EBADMSG, "format: 0" },
                { "{\"closer\":\"reviews\",\"format\":-1}", EBADMSG, "format:" },
                { "{\"closer\":\"reviews\",\"member\":\"" ID_A "\",\"reviews\":[]}", EBADMSG, "format: missing" },
                { "{\"closer\":\"reviews\",\"format\":\"1\"}", EBADMSG, "format: not an integer" },
                { "{\"closer\":\"reviews\",\"format\":1.0}", EBADMSG, "format: not an integer" },
                { "{\"closer\":\"reviews\",\"format\":null}", EBADMSG, "format: not an integer" },
                { "{\"closer\":\"reviews\",\"format\":1,\"reviews\":[]}", EBADMSG, "member: missing" },
                { "{\"closer\":\"reviews\",\"format\":1,\"member\":null}", EBADMSG, "member: not a string" },
                { "{\"closer\":\"reviews\",\"format\":1,\"member\":\"SECRET\",\"reviews\":[]}", EBADMSG, "member: not a" },
                { "{\"closer\":\"reviews\",\"format\":1,\"member\":\"0123456789ABCDEF0123456789abcdef\",\"reviews\":[]}",
                  EBADMSG, "member: not a member ID" },
                { "{\"closer\":\"reviews\",\"format\":1,\"member\":\"" ID_A "\"}", EBADMSG, "reviews: missing" },
                { HEAD "\"reviews\":{}}", EBADMSG, "reviews: not an array" },
                { HEAD "\"reviews\":null}", EBADMSG, "reviews: not an array" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                expect_error(SHARE_REVIEWS, cases[i].text, cases[i].err, cases[i].want);

        /* Each kind is only its own. */
        for (ShareKind k = 0; k < _SHARE_KIND_MAX; k++) {
                ShareFile f = sample(k);
                char *text = write_ok(&f), want[32];
                for (ShareKind other = 0; other < _SHARE_KIND_MAX; other++) {
                        if (other == k)
                                continue;
                        snprintf(want, sizeof(want), "not a %s file", share_kind_to_string(other));
                        expect_error(other, text, EBADMSG, want);
                }
                free(text);
        }
        ShareFile f = { .n_acts = 3 };
        assert_int_equal(sharefile_parse(_SHARE_KIND_MAX, "{}", 2, &f, NULL), -EINVAL);
        assert_empty(&f);
}

static void test_errors_members(void **state) {
        static const struct {
                ShareKind k;
                const char *rest;
                const char *want;
        } cases[] = {
                { SHARE_MEMBER, "\"partner\":null", "name: missing" },
                { SHARE_MEMBER, "\"name\":null", "partner: missing" },
                { SHARE_MEMBER, "\"name\":7,\"partner\":null", "name: not a string" },
                { SHARE_MEMBER, "\"name\":\"two\\nlines\",\"partner\":null", "name: must not contain control" },
                { SHARE_MEMBER, "\"name\":\"SECRET\\u0085\",\"partner\":null", "name: must not contain control" },
                { SHARE_MEMBER, "\"name\":null,\"partner\":\"SECRET\"", "partner: not a member ID" },
                { SHARE_REVIEWS, "\"reviews\":[7]", "reviews[0]: not an object" },
                { SHARE_REVIEWS, "\"reviews\":[null]", "reviews[0]: not an object" },
                { SHARE_REVIEWS, "\"reviews\":[[]]", "reviews[0]: not an object" },
                { SHARE_REVIEWS, "\"reviews\":[{\"review\":\"ok\",\"note\":null,\"sequence\":0}]", "reviews[0].uid: missing" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":null,\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].uid: not a string" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"\",\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].uid: must be 1-255 characters" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"SECRET uid\",\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].uid: must be printable ASCII without spaces" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"\xc3\xa9\",\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].uid: must be printable ASCII" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"SECRET\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].review: not new, ok, discuss or no" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"OK\",\"note\":null,\"sequence\":0}]",
                  "reviews[0].review: not new" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":1,\"note\":null,\"sequence\":0}]",
                  "reviews[0].review: not a string" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"ok\",\"sequence\":0}]", "reviews[0].note: missing" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"ok\",\"note\":\"\\u001b[31m\",\"sequence\":0}]",
                  "reviews[0].note: must not contain control characters" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"review\":\"ok\",\"note\":null}]",
                  "reviews[0].sequence: missing" },
                { SHARE_PROMISES, "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":null,\"where\":null,\"status\":\"done\","
                                  "\"sequence\":0}]",
                  "promises[0].status: not open, kept, broken, moved or cancelled" },
                { SHARE_PROMISES, "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":null,\"where\":null,\"sequence\":0}]",
                  "promises[0].status: missing" },
                { SHARE_PROMISES, "\"promises\":[{\"uid\":\"u\",\"due\":0,\"what\":[],\"where\":null,\"status\":\"open\","
                                  "\"sequence\":0}]",
                  "promises[0].what: not a string" },
                { SHARE_PLAN, "\"entries\":[]", "clock: missing" },
                { SHARE_PLAN, "\"clock\":0", "entries: missing" },
                { SHARE_PLAN, "\"clock\":0,\"entries\":[{\"key\":\"\",\"value\":\"\",\"lc\":1,\"seen\":0}]",
                  "entries[0].key: empty" },
                { SHARE_PLAN, "\"clock\":0,\"entries\":[{\"key\":\"k\",\"value\":\"\\n\",\"lc\":1,\"seen\":0}]",
                  "entries[0].value: not printable ASCII" },
                { SHARE_PLAN, "\"clock\":0,\"entries\":[{\"key\":\"\xc3\xa9\",\"value\":\"\",\"lc\":1,\"seen\":0}]",
                  "entries[0].key: not printable ASCII" },
                { SHARE_PLAN, "\"clock\":0,\"entries\":[{\"key\":\"k\",\"value\":\"\",\"lc\":1}]", "entries[0].seen: missing" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":1,\"at\":0,\"by\":\"them\",\"accepted\":true}]",
                  "advances[0].by: not me or partner" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":1,\"at\":0,\"by\":true,\"accepted\":true}]",
                  "advances[0].by: not a string" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":1,\"at\":0,\"by\":\"me\",\"accepted\":1}]",
                  "advances[0].accepted: not true or false" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":1,\"at\":0,\"by\":\"me\",\"accepted\":\"true\"}]",
                  "advances[0].accepted: not true or false" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":1,\"at\":32535216000,\"by\":\"me\",\"accepted\":true}]",
                  "advances[0].at: out of range" },
                { SHARE_ACTS, "\"acts\":[{\"day\":\"2024-01-01\",\"uid\":\"u\"},{\"uid\":\"u\"}]", "acts[1].day: missing" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                expect_error_rest(cases[i].k, cases[i].rest, EBADMSG, cases[i].want);
}

static void test_errors_duplicates(void **state) {
        static const char r[] = "{\"uid\":\"%s\",\"review\":\"ok\",\"note\":null,\"sequence\":0}";
        static const struct {
                ShareKind k;
                const char *rest, *want;
        } cases[] = {
                /* The same key twice in one object, at every level, spelled alike or not. */
                { SHARE_REVIEWS, "\"reviews\":[],\"reviews\":[]", "a key twice in one object" },
                { SHARE_REVIEWS, "\"reviews\":[],\"member\":\"" ID_B "\"", "a key twice" },
                { SHARE_REVIEWS, "\"reviews\":[],\"format\":2", "a key twice" },
                { SHARE_REVIEWS, "\"reviews\":[],\"\\u0066ormat\":1", "a key twice" },
                { SHARE_REVIEWS, "\"reviews\":[],\"x\":{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", "a key twice" },
                { SHARE_REVIEWS, "\"reviews\":[],\"x\":{\"a\":{\"y\":1},\"a\":{\"y\":1}}", "a key twice" },
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"u\",\"uid\":\"v\",\"review\":\"ok\",\"note\":null,\"sequence\":0}]",
                  "a key twice" },
                /* What must be unique in an array. */
                { SHARE_REVIEWS, "\"reviews\":[{\"uid\":\"a\",\"review\":\"ok\",\"note\":null,\"sequence\":0},"
                                 "{\"uid\":\"b\",\"review\":\"ok\",\"note\":null,\"sequence\":0},"
                                 "{\"uid\":\"a\",\"review\":\"no\",\"note\":null,\"sequence\":1}]",
                  "reviews[2]: the same uid as an earlier entry" },
                { SHARE_PROMISES, "\"promises\":[{\"uid\":\"p\",\"due\":0,\"what\":null,\"where\":null,\"status\":\"open\","
                                  "\"sequence\":0},{\"uid\":\"p\",\"due\":5,\"what\":null,\"where\":null,"
                                  "\"status\":\"kept\",\"sequence\":1}]",
                  "promises[1]: the same uid as an earlier entry" },
                { SHARE_PLAN, "\"clock\":0,\"entries\":[{\"key\":\"k\",\"value\":\"\",\"lc\":1,\"seen\":0},"
                              "{\"key\":\"k\",\"value\":\"x\",\"lc\":2,\"seen\":0}]",
                  "entries[1]: the same key as an earlier entry" },
                { SHARE_ACTS, "\"acts\":[{\"day\":\"2024-01-01\",\"uid\":\"u\"},{\"day\":\"2024-01-02\",\"uid\":\"u\"},"
                              "{\"day\":\"2024-01-01\",\"uid\":\"v\"},{\"day\":\"2024-01-01\",\"uid\":\"u\"}]",
                  "acts[3]: the same day and uid as an earlier entry" },
                { SHARE_ADVANCES, "\"advances\":[{\"id\":3,\"at\":0,\"by\":\"me\",\"accepted\":true},"
                                  "{\"id\":3,\"at\":9,\"by\":\"partner\",\"accepted\":false}]",
                  "advances[1]: the same id as an earlier entry" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                expect_error_rest(cases[i].k, cases[i].rest, EBADMSG, cases[i].want);

        /* Among many, the first entry that repeats an earlier one is named. */
        char *rest = strdup("\"reviews\":["), *entry = NULL;
        for (int i = 0; i < 300; i++) {
                char uid[16], *more = NULL;
                snprintf(uid, sizeof(uid), "u%d", i == 250 || i == 299 ? 7 : i == 260 ? 11 : i);
                entry = subst(r, uid);
                assert_true(asprintf(&more, "%s%s%s", rest, i ? "," : "", entry) > 0);
                free(entry);
                free(rest);
                rest = more;
        }
        entry = rest;
        assert_true(asprintf(&rest, "%s]", entry) > 0);
        free(entry);
        expect_error_rest(SHARE_REVIEWS, rest, EBADMSG, "reviews[250]: the same uid");
        free(rest);
}

/* Every prefix of a valid file is refused cleanly (and without a leak, the
 * sanitizers and valgrind say); the whole file without its final newline
 * is still the file. */
static void test_truncated(void **state) {
        for (ShareKind k = 0; k < _SHARE_KIND_MAX; k++) {
                ShareFile f = sample(k), g = {};
                char *text = write_ok(&f);
                size_t n = strlen(text);
                for (size_t len = 0; len + 1 < n; len++)
                        expect_error_len(k, text, len, EBADMSG, NULL);
                char *copy = malloc(n - 1);
                memcpy(copy, text, n - 1);
                assert_int_equal(sharefile_parse(k, copy, n - 1, &g, NULL), 0);
                assert_same(&f, &g);
                sharefile_clear(&g);
                free(copy);
                free(text);
        }
}

/* ---- the writer ----------------------------------------------------------------------------- */

static void expect_write_refused(const ShareFile *f) {
        char *text = NULL;
        assert_int_equal(sharefile_write(f, &text), -EINVAL);
        assert_null(text);
}

static void test_write_refuses(void **state) {
        ShareFile f;
        ShareReview rv[2];
        SharePromise pr[1];
        SharePlanEntry en[1];
        ShareAct ac[2];
        ShareAdvance ad[2];

#define REFUSED(kind, change)                   \
        do {                                    \
                f = sample(kind);               \
                change;                         \
                expect_write_refused(&f);       \
        } while (0)
        REFUSED(SHARE_MEMBER, f.kind = _SHARE_KIND_MAX);
        REFUSED(SHARE_MEMBER, f.kind = _SHARE_KIND_INVALID);
        REFUSED(SHARE_MEMBER, f.member = NULL);
        REFUSED(SHARE_MEMBER, f.member = (char *) "0123456789abcdef");
        REFUSED(SHARE_MEMBER, f.partner = (char *) "x");
        REFUSED(SHARE_MEMBER, f.name = (char *) "bad\xff");
        REFUSED(SHARE_MEMBER, f.name = (char *) "two\nlines");
        REFUSED(SHARE_PLAN, f.clock = (uint64_t) INT64_MAX + 1);
        REFUSED(SHARE_REVIEWS, f.reviews = NULL);
        REFUSED(SHARE_REVIEWS, f.n_reviews = SHAREFILE_ENTRIES_MAX + 1);
        memcpy(rv, sample_reviews, sizeof(rv));
        REFUSED(SHARE_REVIEWS, (f.reviews = rv, f.n_reviews = 2, rv[1].uid = rv[0].uid));
        memcpy(rv, sample_reviews, sizeof(rv));
        REFUSED(SHARE_REVIEWS, (f.reviews = rv, f.n_reviews = 2, rv[1].uid = NULL));
        memcpy(rv, sample_reviews, sizeof(rv));
        REFUSED(SHARE_REVIEWS, (f.reviews = rv, f.n_reviews = 2, rv[1].review = _REVIEW_MAX));
        memcpy(rv, sample_reviews, sizeof(rv));
        REFUSED(SHARE_REVIEWS, (f.reviews = rv, f.n_reviews = 2, rv[0].sequence = -1));
        memcpy(pr, sample_promises, sizeof(pr));
        REFUSED(SHARE_PROMISES, (f.promises = pr, f.n_promises = 1, pr[0].status = (PromiseStatus) 5));
        memcpy(pr, sample_promises, sizeof(pr));
        REFUSED(SHARE_PROMISES, (f.promises = pr, f.n_promises = 1, pr[0].due = TIME_MAX + 1));
        memcpy(pr, sample_promises, sizeof(pr));
        REFUSED(SHARE_PROMISES, (f.promises = pr, f.n_promises = 1, pr[0].what = (char *) "\xc0\xaf"));
        memcpy(en, sample_entries, sizeof(en));
        REFUSED(SHARE_PLAN, (f.entries = en, f.n_entries = 1, en[0].lc = 0));
        memcpy(en, sample_entries, sizeof(en));
        REFUSED(SHARE_PLAN, (f.entries = en, f.n_entries = 1, en[0].value = NULL));
        memcpy(ac, sample_acts, sizeof(ac));
        REFUSED(SHARE_ACTS, (f.acts = ac, f.n_acts = 2, ac[1].day = ac[0].day));
        memcpy(ac, sample_acts, sizeof(ac));
        REFUSED(SHARE_ACTS, (f.acts = ac, f.n_acts = 1, ac[0].day = -1));
        memcpy(ac, sample_acts, sizeof(ac));
        REFUSED(SHARE_ACTS, (f.acts = ac, f.n_acts = 1, ac[0].day = DAY_MAX + 1));
        memcpy(ad, sample_advances, sizeof(ad));
        REFUSED(SHARE_ADVANCES, (f.advances = ad, f.n_advances = 2, ad[1].id = ad[0].id));
        memcpy(ad, sample_advances, sizeof(ad));
        REFUSED(SHARE_ADVANCES, (f.advances = ad, f.n_advances = 1, ad[0].id = 0));
#undef REFUSED

        /* A kind's writer looks at its own members only. */
        f = sample(SHARE_ACTS);
        f.reviews = rv, f.n_reviews = 1, rv[0].uid = NULL, f.name = (char *) "\xff";
        char *text = write_ok(&f);
        assert_null(strstr(text, "reviews"));
        free(text);
        sharefile_clear(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kind_names),
                cmocka_unit_test(test_share_id),
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_layout),
                cmocka_unit_test(test_parse_lenient),
                cmocka_unit_test(test_limit_size),
                cmocka_unit_test(test_limit_entries),
                cmocka_unit_test(test_limit_depth),
                cmocka_unit_test(test_limit_strings),
                cmocka_unit_test(test_limit_numbers),
                cmocka_unit_test(test_errors_json),
                cmocka_unit_test(test_errors_header),
                cmocka_unit_test(test_errors_members),
                cmocka_unit_test(test_errors_duplicates),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_write_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
