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
                cmocka_unit_test(test_helper_ics),
                cmocka_unit_test(test_helper_list),
                cmocka_unit_test(test_helper_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
