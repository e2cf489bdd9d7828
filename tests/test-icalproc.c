/* SPDX-License-Identifier: MIT */

/*
 * test-icalproc.c: what closerd and its iCalendar helper say to each other
 * (ical/icalwire.h): a parsed list and each request survive the encoding
 * field for field, and any damaged or truncated encoding, or one of another
 * build, is refused cleanly; the calendar fingerprint changes with every
 * input ics_write() reads and with nothing else. Then the real helper of
 * this build (closerd-ical, through icaljob_run()) does each piece of work,
 * and a helper that cannot be run is -ENOPKG.
 */

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "icaljob.h"
#include "icalwire.h"
#include "ics.h"
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
        assert_int_equal(icalwire_encode_listfile(&f, &enc, &len), 0);
        assert_int_equal(icalwire_decode_listfile(enc, len, &g), 0);
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
        listfile_clear(&f);
        listfile_clear(&g);
}

static void test_empty(void **state _unused_) {
        ListFile f = {}, g = {};
        char *enc;
        size_t len;
        assert_int_equal(icalwire_encode_listfile(&f, &enc, &len), 0);
        assert_int_equal(icalwire_decode_listfile(enc, len, &g), 0);
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
        assert_int_equal(icalwire_encode_listfile(&f, &enc, &len), 0);
        for (size_t k = 0; k < len; k++) {
                char *copy = malloc(k + 1); /* exactly k bytes visible to the decoder */
                memcpy(copy, enc, k);
                g = (ListFile){};
                assert_int_equal(icalwire_decode_listfile(copy, k, &g), -EBADMSG);
                assert_null(g.items);
                free(copy);
        }
        char *longer = malloc(len + 1);
        memcpy(longer, enc, len);
        longer[len] = 0;
        assert_int_equal(icalwire_decode_listfile(longer, len + 1, &g), -EBADMSG);
        free(longer);
        free(enc);
        listfile_clear(&f);
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
        assert_int_equal(icalwire_encode_listfile(&f, &enc, len), 0);
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
                assert_int_equal(icalwire_decode_listfile(enc, len, &g), 0);
                listfile_clear(&g);
                memcpy(enc + cases[i].at, &cases[i].value, sizeof(int64_t));
                assert_int_equal(icalwire_decode_listfile(enc, len, &g), -EBADMSG);
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
        assert_int_equal(icalwire_encode_listfile(&f, &enc, &len), 0);
        /* A NUL inside the UID. */
        char *p = memmem(enc, len, "abc", 3);
        assert_non_null(p);
        p[1] = 0;
        assert_int_equal(icalwire_decode_listfile(enc, len, &g), -EBADMSG);
        p[1] = 'b';
        /* A length longer than what is left. */
        uint32_t huge = UINT32_MAX - 1;
        memcpy(p - 4, &huge, 4);
        assert_int_equal(icalwire_decode_listfile(enc, len, &g), -EBADMSG);
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
        uint64_t base = icalwire_fingerprint(e, 2, now);
        assert_true(base == icalwire_fingerprint(e, 2, now));
        assert_true(base != icalwire_fingerprint(e, 1, now));
        /* now is not part of the text (each DTSTAMP is the event's last_modified). */
        assert_true(base == icalwire_fingerprint(e, 2, now + 1));
        assert_true(base == icalwire_fingerprint(e, 2, 0));
        /* Equal text, equal fingerprint: other pointers to the same strings. */
        char uid[] = "rc-1@closer";
        e[1].uid = uid;
        assert_true(base == icalwire_fingerprint(e, 2, now));

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
                if (icalwire_fingerprint(y, 2, now) == base)
                        fail_msg("changing field %zu leaves the fingerprint as it was", i);
        }
        assert_true(icalwire_fingerprint(NULL, 0, now) == icalwire_fingerprint(NULL, 0, now + 3600));
}

/* --- requests --- */

static IcalBuf encode(const IcalRequest *req) {
        IcalBuf b = {};
        assert_int_equal(icalwire_encode_request(req, &b), 0);
        return b;
}

static void test_request_events(void **state _unused_) {
        IcsEvent e[2] = { event(), event() };
        e[1].uid = "rc-1@closer";
        e[1].cancelled = true;
        e[1].description = "";
        e[1].alarm_text = NULL;
        IcalBuf b = encode(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE, .events = e, .n_events = 2 });
        IcalRequest g;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), 0);
        assert_int_equal(g.op, ICAL_OP_ICS_WRITE);
        assert_true(g.now == 0); /* not on the wire */
        assert_int_equal(g.n_events, 2);
        /* The same events: the same fingerprint, NULL and "" kept apart. */
        assert_true(icalwire_fingerprint(g.events, 2, 0) == icalwire_fingerprint(e, 2, 0));
        assert_null(g.events[0].description);
        assert_string_equal(g.events[1].description, "");
        assert_null(g.events[1].alarm_text);
        icalwire_request_clear(&g);
        /* Every prefix, and a byte more, refused; nothing left allocated. */
        for (size_t k = 0; k < b.len; k++) {
                char *copy = malloc(k + 1);
                memcpy(copy, b.data, k);
                assert_int_equal(icalwire_decode_request(copy, k, &g), -EBADMSG);
                assert_null(g.events);
                free(copy);
        }
        icalbuf_put(&b, "", 1);
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), -EBADMSG);
        icalbuf_clear(&b);
}

static void test_request_items(void **state _unused_) {
        ListFile f;
        make_list(&f, 5);
        IcalBuf b = encode(&(IcalRequest) { .op = ICAL_OP_LISTFILE_WRITE, .items = f.items, .n_items = 5,
                                            .owner_name = "Alex", .owner_id = NULL, .now = 42 });
        IcalRequest g;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), 0);
        assert_int_equal(g.op, ICAL_OP_LISTFILE_WRITE);
        assert_true(g.now == 42);
        assert_string_equal(g.owner_name, "Alex");
        assert_null(g.owner_id);
        assert_int_equal(g.n_items, 5);
        for (size_t i = 0; i < 5; i++) {
                assert_str_or_null(g.items[i].title, f.items[i].title);
                assert_str_or_null(g.items[i].details, f.items[i].details);
                assert_true(g.items[i].sequence == f.items[i].sequence);
        }
        icalwire_request_clear(&g);
        for (size_t k = 0; k < b.len; k++)
                assert_int_equal(icalwire_decode_request(b.data, k, &g), -EBADMSG);
        icalbuf_clear(&b);
        listfile_clear(&f);
}

static void test_request_parse_and_abi(void **state _unused_) {
        IcalBuf b = encode(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = "BEGIN:VCALENDAR", .len = 15 });
        IcalRequest g;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), 0);
        assert_int_equal(g.op, ICAL_OP_LISTFILE_PARSE);
        assert_int_equal(g.len, 15);
        assert_memory_equal(g.buf, "BEGIN:VCALENDAR", 15);
        icalwire_request_clear(&g);
        /* Another build: another ABI string, refused as such. */
        char *abi = memmem(b.data, b.len, VERSION, strlen(VERSION));
        assert_non_null(abi);
        abi[0] ^= 1;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), -EPROTO);
        icalbuf_clear(&b);

        /* Responses: the head, then the payload; another ABI refused. */
        IcalBuf r = {};
        const char *payload;
        size_t len;
        int result;
        icalwire_encode_response_head(-EBADMSG, &r);
        icalbuf_put(&r, "line 3: bad", 11);
        assert_int_equal(icalwire_decode_response(r.data, r.len, &result, &payload, &len), 0);
        assert_int_equal(result, -EBADMSG);
        assert_int_equal(len, 11);
        assert_memory_equal(payload, "line 3: bad", 11);
        assert_int_equal(icalwire_decode_response(r.data, 6, &result, &payload, &len), -EBADMSG);
        abi = memmem(r.data, r.len, VERSION, strlen(VERSION));
        abi[0] ^= 1;
        assert_int_equal(icalwire_decode_response(r.data, r.len, &result, &payload, &len), -EPROTO);
        icalbuf_clear(&r);
}

/* --- the *_EACH ops --- */

/* Every prefix of b refused as -EBADMSG, and b with a byte more. */
static void assert_request_prefixes_refused(IcalBuf *b) {
        IcalRequest g;
        for (size_t k = 0; k < b->len; k++) {
                char *copy = malloc(k + 1); /* exactly k bytes visible to the decoder */
                memcpy(copy, b->data, k);
                assert_int_equal(icalwire_decode_request(copy, k, &g), -EBADMSG);
                assert_null(g.events);
                assert_null(g.files);
                free(copy);
        }
        icalbuf_put(b, "", 1);
        assert_int_equal(icalwire_decode_request(b->data, b->len, &g), -EBADMSG);
        b->len--;
}

static void test_request_write_each(void **state _unused_) {
        IcsEvent e[3] = { event(), event(), event() };
        e[1].uid = "rc-1@closer";
        e[2].uid = "rc-2@closer";
        e[2].description = "";
        IcalBuf b = encode(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH, .events = e, .n_events = 3 });
        IcalRequest g;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), 0);
        assert_int_equal(g.op, ICAL_OP_ICS_WRITE_EACH);
        assert_int_equal(g.n_events, 3);
        assert_true(icalwire_fingerprint(g.events, 3, 0) == icalwire_fingerprint(e, 3, 0));
        icalwire_request_clear(&g);
        assert_request_prefixes_refused(&b);
        icalbuf_clear(&b);
}

static void test_request_parse_each(void **state _unused_) {
        const IcalFile files[] = {
                { CATEGORY_AFFECTION, "BEGIN:VCALENDAR", 15 },
                { CATEGORY_FUN, "", 0 },
                { CATEGORY_LUST, "a\0b", 3 }, /* NUL bytes travel: the parser refuses them itself */
                { CATEGORY_LOVE, NULL, 0 },
        };
        IcalBuf b = encode(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH, .files = files, .n_files = 4 });
        IcalRequest g;
        assert_int_equal(icalwire_decode_request(b.data, b.len, &g), 0);
        assert_int_equal(g.op, ICAL_OP_LISTFILE_PARSE_EACH);
        assert_int_equal(g.n_files, 4);
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(g.files[i].default_category, files[i].default_category);
                assert_int_equal(g.files[i].len, files[i].len);
                assert_non_null(g.files[i].buf); /* into the request's bytes */
                assert_memory_equal(g.files[i].buf, files[i].buf ? files[i].buf : "", files[i].len);
        }
        icalwire_request_clear(&g);
        assert_request_prefixes_refused(&b);

        /* A category out of range, and a file announced as NULL. */
        const size_t first = b.len - (8 + 4 + 15) - (8 + 4) - (8 + 4 + 3) - (8 + 4);
        const struct {
                size_t at;
                int64_t value;
        } cases[] = { { first, _CATEGORY_MAX }, { first, -1 }, { first - 8, -1 }, { first - 8, 5 } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int64_t was;
                memcpy(&was, b.data + cases[i].at, 8);
                memcpy(b.data + cases[i].at, &cases[i].value, 8);
                assert_int_equal(icalwire_decode_request(b.data, b.len, &g), -EBADMSG);
                assert_null(g.files);
                memcpy(b.data + cases[i].at, &was, 8);
        }
        uint32_t null_len = UINT32_MAX;
        memcpy(b.data + first + 8, &null_len, 4);
        memmove(b.data + first + 12, b.data + first + 12 + 15, b.len - (first + 12 + 15)); /* its bytes out */
        assert_int_equal(icalwire_decode_request(b.data, b.len - 15, &g), -EBADMSG);
        assert_null(g.files);
        icalbuf_clear(&b);

        /* The encoder's limits. */
        IcalBuf x = {};
        const IcalFile bad_category = { _CATEGORY_MAX, "", 0 }, bad_buf = { CATEGORY_FUN, NULL, 1 };
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = &bad_category, .n_files = 1 }, &x),
                         -EINVAL);
        icalbuf_clear(&x);
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = &bad_buf, .n_files = 1 }, &x),
                         -EINVAL);
        icalbuf_clear(&x);
        char *big = calloc(1, LISTFILE_SIZE_MAX + 1);
        assert_non_null(big);
        const IcalFile too_big = { CATEGORY_FUN, big, LISTFILE_SIZE_MAX + 1 };
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = &too_big, .n_files = 1 }, &x),
                         -EFBIG);
        icalbuf_clear(&x);
        IcalFile *many = calloc(ITEM_COUNT_MAX + 1, sizeof(IcalFile));
        assert_non_null(many);
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = many, .n_files = ITEM_COUNT_MAX + 1 }, &x),
                         -E2BIG);
        icalbuf_clear(&x);
        /* Exactly the limits pass; one over, written by hand, does not decode. */
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = many, .n_files = ITEM_COUNT_MAX }, &x),
                         0);
        assert_int_equal(icalwire_decode_request(x.data, x.len, &g), 0);
        assert_int_equal(g.n_files, ITEM_COUNT_MAX);
        icalwire_request_clear(&g);
        const int64_t one_more = ITEM_COUNT_MAX + 1;
        size_t count_at = x.len - (size_t) ITEM_COUNT_MAX * (8 + 4) - 8;
        memcpy(x.data + count_at, &one_more, 8);
        icalbuf_put(&x, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
        assert_int_equal(icalwire_decode_request(x.data, x.len, &g), -EBADMSG);
        icalbuf_clear(&x);
        const IcalFile largest = { CATEGORY_FUN, big, LISTFILE_SIZE_MAX };
        assert_int_equal(icalwire_encode_request(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH,
                                                                  .files = &largest, .n_files = 1 }, &x),
                         0);
        assert_int_equal(icalwire_decode_request(x.data, x.len, &g), 0);
        icalwire_request_clear(&g);
        uint32_t over = LISTFILE_SIZE_MAX + 1;
        memcpy(x.data + x.len - LISTFILE_SIZE_MAX - 4, &over, 4);
        icalbuf_put(&x, "", 1);
        assert_int_equal(icalwire_decode_request(x.data, x.len, &g), -EBADMSG);
        icalbuf_clear(&x);
        free(many);
        free(big);
}

static void test_texts(void **state _unused_) {
        static const char *const texts[] = { "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "", "ü" };
        IcalBuf b = {};
        char **g;
        size_t n;
        icalwire_encode_count(3, &b);
        for (size_t i = 0; i < 3; i++)
                icalwire_encode_text(texts[i], &b);
        assert_false(b.failed);
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < 3; i++)
                assert_string_equal(g[i], texts[i]);
        ics_texts_free(g, n);
        for (size_t k = 0; k < b.len; k++) {
                assert_int_equal(icalwire_decode_texts(b.data, k, &g, &n), -EBADMSG);
                assert_null(g);
                assert_int_equal(n, 0);
        }
        icalbuf_put(&b, "", 1);
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), -EBADMSG);
        icalbuf_clear(&b);

        /* None: n 0 and NULL; a NULL text, a NUL in one, a count too large refused. */
        icalwire_encode_count(0, &b);
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), 0);
        assert_null(g);
        assert_int_equal(n, 0);
        icalbuf_clear(&b);
        icalwire_encode_count(2, &b);
        icalwire_encode_text("x", &b);
        icalwire_encode_text(NULL, &b);
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), -EBADMSG);
        icalbuf_clear(&b);
        icalwire_encode_count(1, &b);
        icalwire_encode_text("ab", &b);
        b.data[b.len - 1] = 0;
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), -EBADMSG);
        int64_t huge = INT64_MAX;
        memcpy(b.data, &huge, 8);
        assert_int_equal(icalwire_decode_texts(b.data, b.len, &g, &n), -EBADMSG);
        icalbuf_clear(&b);
}

/* The encoding of three outcomes: a list, a failure with a message, one without. */
static IcalBuf encode_parsed(void) {
        IcalParsed p[3] = {
                { .r = 0 },
                { .r = -EBADMSG, .err_text = (char *) "item 1 (line 4): missing UID" },
                { .r = -EFBIG },
        };
        make_list(&p[0].list, 2);
        IcalBuf b = {};
        icalwire_encode_count(3, &b);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(icalwire_encode_parsed(&p[i], &b), 0);
        listfile_clear(&p[0].list);
        return b;
}

static void test_parsed(void **state _unused_) {
        IcalBuf b = encode_parsed();
        IcalParsed *g;
        size_t n;
        assert_int_equal(icalwire_decode_parsed(b.data, b.len, &g, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(g[0].r, 0);
        assert_null(g[0].err_text);
        assert_int_equal(g[0].list.n_items, 2);
        assert_string_equal(g[0].list.owner_name, "Alex");
        assert_int_equal(g[0].list.skipped_components, 7);
        assert_int_equal(g[1].r, -EBADMSG);
        assert_string_equal(g[1].err_text, "item 1 (line 4): missing UID");
        assert_null(g[1].list.items);
        assert_int_equal(g[2].r, -EFBIG);
        assert_null(g[2].err_text);
        icalparsed_free_array(g, n);
        for (size_t k = 0; k < b.len; k++) {
                char *copy = malloc(k + 1);
                memcpy(copy, b.data, k);
                assert_int_equal(icalwire_decode_parsed(copy, k, &g, &n), -EBADMSG);
                assert_null(g);
                assert_int_equal(n, 0);
                free(copy);
        }
        icalbuf_put(&b, "", 1);
        assert_int_equal(icalwire_decode_parsed(b.data, b.len, &g, &n), -EBADMSG);
        icalbuf_clear(&b);

        /* Outcomes that contradict themselves. */
        IcalBuf x = {};
        icalwire_encode_count(1, &x);
        icalwire_encode_parsed(&(IcalParsed) { .r = 0 }, &x);
        const size_t result_at = 8, message_at = 16, list_at = 20;
        const int64_t failed = -EBADMSG, positive = 1, too_negative = -4096;
        const uint32_t none = UINT32_MAX, empty = 0;
        char *c = malloc(x.len);
        const struct {
                size_t at, n;
                const void *value;
        } cases[] = {
                { result_at, 8, &failed },      /* a failure with a list */
                { result_at, 8, &positive },
                { result_at, 8, &too_negative },
                { message_at, 4, &empty },      /* a success with a message */
                { list_at, 4, &none },          /* a success without a list (and bytes left over) */
                { list_at, 4, &empty },         /* a list that does not decode (and bytes left over) */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                memcpy(c, x.data, x.len);
                assert_int_equal(icalwire_decode_parsed(c, x.len, &g, &n), 0);
                icalparsed_free_array(g, n);
                memcpy(c + cases[i].at, cases[i].value, cases[i].n);
                assert_int_equal(icalwire_decode_parsed(c, x.len, &g, &n), -EBADMSG);
                assert_null(g);
        }
        free(c);
        icalbuf_clear(&x);
        /* The encoder refuses a result that is no -errno. */
        assert_int_equal(icalwire_encode_parsed(&(IcalParsed) { .r = 1 }, &x), -EINVAL);
        icalbuf_clear(&x);
}

/* --- the helper of this build: build/closerd-ical for build/tests/test-icalproc --- */

static char helper[PATH_MAX];

static void use_helper(void) {
        ssize_t k = readlink("/proc/self/exe", helper, sizeof(helper) - 32);
        assert_true(k > 0);
        helper[k] = 0;
        *strrchr(helper, '/') = 0;
        strcpy(strrchr(helper, '/'), "/closerd-ical");
        assert_int_equal(access(helper, X_OK), 0);
        icaljob_set_helper(helper);
}

static void test_helper_ics(void **state _unused_) {
        IcsEvent e[2] = { event(), event() };
        e[1].uid = "rc-1@closer";
        IcalResult res;
        use_helper();
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE, .events = e, .n_events = 2 }, &res),
                         0);
        assert_non_null(res.text);
        assert_true(strncmp(res.text, "BEGIN:VCALENDAR\r\n", 17) == 0);
        assert_non_null(strstr(res.text, "UID:rc-1@closer"));
        icaljob_result_clear(&res);
        /* The work's own error comes back as it is. */
        e[1].summary = "";
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE, .events = e, .n_events = 2 }, &res),
                         -EINVAL);
        assert_null(res.text);
}

static void test_helper_list(void **state _unused_) {
        Item items[2] = {
                { .uid = (char *) "a@x", .title = (char *) "Küss mich", .details = (char *) "",
                  .category = CATEGORY_LOVE, .intensity = 1, .sequence = 1, .modified = 1780000000 },
                { .uid = (char *) "b@x", .title = (char *) "Tanzen", .details = (char *) "line\nline",
                  .category = CATEGORY_FUN, .intensity = 2, .sequence = 2, .modified = 1780000001 },
        };
        IcalResult res, back;
        use_helper();
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_WRITE, .items = items, .n_items = 2,
                                                      .owner_name = "Alex", .owner_id = "0123abcd",
                                                      .now = 1785000000 }, &res), 0);
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = res.text,
                                                      .len = strlen(res.text) }, &back), 0);
        assert_int_equal(back.list.n_items, 2);
        assert_string_equal(back.list.items[0].title, "Küss mich");
        assert_string_equal(back.list.items[1].details, "line\nline");
        assert_string_equal(back.list.owner_name, "Alex");
        assert_string_equal(back.list.owner_id, "0123abcd");
        icaljob_result_clear(&res);
        icaljob_result_clear(&back);
        /* A bad file: the parser's error and its message. */
        const char *bad = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\n";
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = bad, .len = strlen(bad) },
                                     &res), -EBADMSG);
        assert_non_null(res.err_text);
        icaljob_result_clear(&res);
}

static void test_helper_write_each(void **state _unused_) {
        IcsEvent e[3] = { event(), event(), event() };
        e[1].uid = "rc-1@closer";
        e[2].uid = "dn-2@closer";
        e[2].cancelled = true;
        IcalResult res;
        use_helper();
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH, .events = e, .n_events = 3 },
                                     &res), 0);
        assert_int_equal(res.n_texts, 3);
        assert_null(res.text);
        for (size_t i = 0; i < 3; i++) {
                /* Exactly the calendar of that event alone. */
                char *alone = NULL;
                assert_int_equal(ics_write(&e[i], 1, &alone), 0);
                assert_string_equal(res.texts[i], alone);
                free(alone);
        }
        icaljob_result_clear(&res);
        assert_null(res.texts);
        /* None: none. */
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH }, &res), 0);
        assert_int_equal(res.n_texts, 0);
        /* One invalid event, or two with one UID, fail it all. */
        e[2].end = e[2].start;
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH, .events = e, .n_events = 3 },
                                     &res), -EINVAL);
        assert_null(res.texts);
        e[2] = e[0];
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH, .events = e, .n_events = 3 },
                                     &res), -EINVAL);
        e[2].uid = "dn-2@closer";
        e[2].sequence = (int64_t) INT_MAX + 1;
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_ICS_WRITE_EACH, .events = e, .n_events = 3 },
                                     &res), -ERANGE);
        assert_int_equal(res.n_texts, 0);
}

static void test_helper_parse_each(void **state _unused_) {
        static const char closer_file[] =
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//closer//closer list//EN\r\nX-CLOSER-OWNER-ID:0123abcd\r\n"
                "BEGIN:VTODO\r\nUID:a@x\r\nSUMMARY:Küss mich\r\nCATEGORIES:love\r\nCLASS:PUBLIC\r\nSEQUENCE:2\r\n"
                "X-CLOSER-INTENSITY:2\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        static const char tasks_app[] =
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:+//IDN tasks.org//android-130804//EN\r\n"
                "BEGIN:VTODO\r\nUID:3276133847296618417\r\nDTSTAMP:20240610T081500Z\r\nSUMMARY:Dance\r\n"
                "STATUS:IN-PROCESS\r\nCATEGORIES:Explicit\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        static const char truncated[] = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\n";
        static const char with_nul[] = "BEGIN:VCALENDAR\r\n\0\r\nEND:VCALENDAR\r\n";
        const IcalFile files[] = {
                { CATEGORY_FUN, closer_file, strlen(closer_file) },
                { CATEGORY_LUST, tasks_app, strlen(tasks_app) },
                { CATEGORY_FUN, truncated, strlen(truncated) },
                { CATEGORY_FUN, with_nul, sizeof(with_nul) - 1 },
                { CATEGORY_FUN, "", 0 },
                { CATEGORY_LOVE, tasks_app, strlen(tasks_app) },
        };
        IcalResult res;
        use_helper();
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH, .files = files,
                                                      .n_files = ELEMENTSOF(files) }, &res), 0);
        assert_int_equal(res.n_parsed, ELEMENTSOF(files));
        const IcalParsed *p = res.parsed;
        /* closer's own file: its category wins over the default. */
        assert_int_equal(p[0].r, 0);
        assert_null(p[0].err_text);
        assert_int_equal(p[0].list.n_items, 1);
        assert_string_equal(p[0].list.owner_id, "0123abcd");
        assert_string_equal(p[0].list.items[0].title, "Küss mich");
        assert_int_equal(p[0].list.items[0].category, CATEGORY_LOVE);
        assert_int_equal(p[0].list.items[0].intensity, 2);
        assert_int_equal(p[0].list.items[0].sequence, 2);
        /* A tasks app's: the default category, the intensity tag, private by default. */
        assert_int_equal(p[1].r, 0);
        assert_int_equal(p[1].list.n_items, 1);
        assert_string_equal(p[1].list.items[0].uid, "3276133847296618417");
        assert_int_equal(p[1].list.items[0].category, CATEGORY_LUST);
        assert_int_equal(p[1].list.items[0].intensity, 3);
        assert_true(p[1].list.items[0].private_);
        assert_false(p[1].list.items[0].removed);
        /* Bad files fail alone, with the parser's message. */
        assert_int_equal(p[2].r, -EBADMSG);
        assert_non_null(strstr(p[2].err_text, "truncated"));
        assert_null(p[2].list.items);
        assert_int_equal(p[3].r, -EBADMSG);
        assert_non_null(strstr(p[3].err_text, "NUL"));
        assert_int_equal(p[4].r, -EBADMSG);
        assert_non_null(p[4].err_text);
        assert_int_equal(p[5].r, 0);
        assert_int_equal(p[5].list.items[0].category, CATEGORY_LOVE);
        icaljob_result_clear(&res);
        assert_null(res.parsed);

        /* No files: none back. */
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE_EACH }, &res), 0);
        assert_int_equal(res.n_parsed, 0);
        assert_null(res.parsed);
}

static void test_helper_missing(void **state _unused_) {
        IcalResult res;
        icaljob_set_helper("/nonexistent/closerd-ical");
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = "", .len = 0 }, &res),
                         -ENOPKG);
        /* Not an iCalendar helper at all: exits 0 with nothing said. */
        icaljob_set_helper("/bin/true");
        assert_int_equal(icaljob_run(&(IcalRequest) { .op = ICAL_OP_LISTFILE_PARSE, .buf = "", .len = 0 }, &res),
                         -ECHILD);
        icaljob_set_helper(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_bad_strings),
                cmocka_unit_test(test_fingerprint),
                cmocka_unit_test(test_request_events),
                cmocka_unit_test(test_request_items),
                cmocka_unit_test(test_request_parse_and_abi),
                cmocka_unit_test(test_request_write_each),
                cmocka_unit_test(test_request_parse_each),
                cmocka_unit_test(test_texts),
                cmocka_unit_test(test_parsed),
                cmocka_unit_test(test_helper_ics),
                cmocka_unit_test(test_helper_list),
                cmocka_unit_test(test_helper_write_each),
                cmocka_unit_test(test_helper_parse_each),
                cmocka_unit_test(test_helper_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
