/* SPDX-License-Identifier: MIT */

/* Tests of the list exchange file (daemon/listfile.c): round trips, folding,
 * the parse rules, every error case, and that no error message ever shows
 * item text. */

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
#include <unistd.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "item.h"
#include "listfile.h"
#include "macro.h"

#define NOW 1718000000 /* 2024-06-10 */

/* "BEGIN:VCALENDAR" is line 1, VERSION 2, PRODID 3: body starts on line 4. */
static char *calendar(const char *body) {
        char *s = NULL;
        assert_true(asprintf(&s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n%sEND:VCALENDAR\r\n",
                             body) >= 0);
        return s;
}

static void assert_empty(const ListFile *f) {
        assert_null(f->items);
        assert_int_equal(f->n_items, 0);
        assert_int_equal(f->skipped_components, 0);
        assert_null(f->owner_name);
        assert_null(f->owner_id);
}

/* Parses len bytes and expects error -err with a one-line message that contains want. */
static void expect_error_len(const char *text, size_t len, int err, const char *want) {
        ListFile f = { .n_items = 42 };
        char *msg = NULL;
        int r = listfile_parse(text, len, &f, &msg);
        if (r != -err || !msg || (want && !strstr(msg, want)))
                print_error("got %d (%s), message '%s', wanted %d and '%s'\n", r, strerror(r < 0 ? -r : r),
                            msg ? msg : "(null)", -err, want ? want : "");
        assert_int_equal(r, -err);
        assert_non_null(msg);
        if (want)
                assert_non_null(strstr(msg, want));
        assert_null(strchr(msg, '\n'));
        assert_empty(&f);
        free(msg);
}

static void expect_error(const char *text, int err, const char *want) {
        expect_error_len(text, strlen(text), err, want);
}

static void expect_error_body(const char *body, int err, const char *want) {
        char *s = calendar(body);
        expect_error(s, err, want);
        free(s);
}

static void parse_ok(const char *text, ListFile *f) {
        char *msg = NULL;
        int r = listfile_parse(text, strlen(text), f, &msg);
        if (r < 0)
                print_error("parse failed: %s\n", msg ? msg : "(no message)");
        assert_int_equal(r, 0);
        assert_null(msg);
}

static void parse_body_ok(const char *body, ListFile *f) {
        char *s = calendar(body);
        parse_ok(s, f);
        free(s);
}

static const char *nz(const char *s) {
        return s ? s : "";
}

/* ---- round trip ---------------------------------------------------------------------------- */

static void test_roundtrip(void **state) {
        (void) state;
        Item items[] = {
                { .uid = "k1@closer", .title = "Küsse 💋 am Morgen", .category = CATEGORY_AFFECTION, .intensity = 1,
                  .sequence = 0, .modified = 1700000000 },
                { .uid = "k2@closer", .title = "Commas, semicolons; back\\slash", .details = "first line\nsecond, line; with \\ and \"quotes\"",
                  .category = CATEGORY_LOVE, .intensity = 2, .sequence = 5, .modified = 1700000100 },
                { .uid = "k3@closer", .title = "Private explicit", .details = "", .category = CATEGORY_LUST,
                  .intensity = 3, .private_ = true, .sequence = 12, .modified = 1700000200 },
                { .uid = "k4@closer", .title = "Public explicit", .category = CATEGORY_LUST, .intensity = 3,
                  .private_ = false, .sequence = 1, .modified = 1700000300 },
                { .uid = "k5@closer", .title = "Private gentle", .category = CATEGORY_FUN, .intensity = 1,
                  .private_ = true, .sequence = 2147483647, .modified = 32535215999 /* 3000-12-31T23:59:59Z */ },
                { .uid = "k6@closer", .title = "Gone but remembered", .category = CATEGORY_FUN, .intensity = 2,
                  .private_ = true, .removed = true, .sequence = 9, .modified = 1700000500 },
                { .uid = "k7,with;odd\\chars:\"x\"", .title = NULL, .removed = true,
                  .sequence = 3, .modified = 0 },
        };
        size_t n = ELEMENTSOF(items);
        char *text = NULL;

        assert_int_equal(listfile_write(items, n, "Änne \"A\", B; C\\D", "0123456789abcdef0123456789abcdef", NOW,
                                        &text), 0);

        /* CRLF everywhere, and what the header promises. */
        for (const char *p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
                assert_true(p > text && p[-1] == '\r');
        assert_true(strlen(text) >= 2 && strcmp(text + strlen(text) - 2, "\r\n") == 0);
        assert_non_null(strstr(text, "\r\nVERSION:2.0\r\n"));
        assert_non_null(strstr(text, "\r\nPRODID:-//closer//closer list//EN\r\n"));
        assert_non_null(strstr(text, "\r\nX-WR-CALNAME:Änne \"A\", B; C\\\\D's list\r\n"));
        assert_non_null(strstr(text, "\r\nX-CLOSER-OWNER:"));
        assert_non_null(strstr(text, "\r\nX-CLOSER-OWNER-ID:0123456789abcdef0123456789abcdef\r\n"));
        assert_null(strstr(text, "Gone but remembered")); /* no text survives removal */
        assert_non_null(strstr(text, "\r\nSTATUS:CANCELLED\r\n"));
        assert_non_null(strstr(text, "\r\nCLASS:PRIVATE\r\n"));
        assert_non_null(strstr(text, "\r\nCATEGORIES:lust\r\n"));
        assert_non_null(strstr(text, "\r\nX-CLOSER-INTENSITY:3\r\n"));
        assert_non_null(strstr(text, "\r\nDTSTAMP:20240610T061320Z\r\n"));
        assert_null(strstr(text, "METHOD"));

        ListFile f = {};
        parse_ok(text, &f);
        assert_int_equal(f.n_items, n);
        assert_int_equal(f.skipped_components, 0);
        assert_string_equal(f.owner_name, "Änne \"A\", B; C\\D");
        assert_string_equal(f.owner_id, "0123456789abcdef0123456789abcdef");
        for (size_t i = 0; i < n; i++) {
                const Item *a = &items[i], *b = &f.items[i];
                assert_int_equal(b->id, 0);
                assert_string_equal(b->uid, a->uid);
                assert_string_equal(b->title, a->removed ? "" : a->title);
                assert_non_null(b->details);
                assert_int_equal(b->private_, a->removed ? false : a->private_);
                assert_int_equal(b->sequence, a->sequence);
                assert_int_equal(b->modified, a->modified);
                assert_int_equal(b->removed, a->removed);
                assert_int_equal(b->review, REVIEW_NEW);
                assert_null(b->note);
                if (a->removed)
                        continue;
                assert_string_equal(b->details, nz(a->details));
                assert_int_equal(b->category, a->category);
                assert_int_equal(b->intensity, a->intensity);
        }
        listfile_clear(&f);
        assert_empty(&f);
        free(text);

        /* Without an owner. */
        assert_int_equal(listfile_write(items, 1, NULL, NULL, NOW, &text), 0);
        assert_non_null(strstr(text, "\r\nX-WR-CALNAME:closer list\r\n"));
        assert_null(strstr(text, "X-CLOSER-OWNER"));
        parse_ok(text, &f);
        assert_null(f.owner_name);
        assert_null(f.owner_id);
        assert_int_equal(f.n_items, 1);
        listfile_clear(&f);
        free(text);

        /* An empty list is a valid file. */
        assert_int_equal(listfile_write(NULL, 0, "", NULL, NOW, &text), 0);
        parse_ok(text, &f);
        assert_int_equal(f.n_items, 0);
        listfile_clear(&f);
        free(text);
}

static void test_folding(void **state) {
        (void) state;
        static const char *const pieces[] = { "ü", "💋", "é", "漢", "a", " ", "ß", "€" };
        char title[1024] = "", details[20000] = "";
        size_t n_chars = 0;

        for (size_t i = 0; n_chars < ITEM_TITLE_MAX; i++, n_chars++)
                strcat(title, pieces[i % ELEMENTSOF(pieces)]);
        assert_int_equal(utf8_length(title), 200);
        for (size_t i = 0; i < ITEM_DETAILS_MAX; i++)
                strcat(details, i % 50 == 49 ? "\n" : "💋");
        assert_true(strlen(details) > 8192); /* a content line of some 16000 bytes */

        Item items[] = {
                { .uid = "fold@closer", .title = title, .details = details, .category = CATEGORY_LOVE,
                  .intensity = 2, .sequence = 1, .modified = NOW },
        };
        char *text = NULL;
        assert_int_equal(listfile_write(items, 1, "Owner", NULL, NOW, &text), 0);

        /* Every physical line at most 75 octets, and whole UTF-8 on its own. */
        size_t lines = 0;
        for (const char *p = text; *p;) {
                const char *e = strstr(p, "\r\n");
                assert_non_null(e);
                size_t len = (size_t) (e - p);
                assert_true(len <= 75);
                assert_true(len == 0 || utf8_valid(p, len));
                lines++;
                p = e + 2;
        }
        assert_true(lines > 200);

        ListFile f = {};
        parse_ok(text, &f);
        assert_int_equal(f.n_items, 1);
        assert_string_equal(f.items[0].title, title);
        assert_string_equal(f.items[0].details, details);
        listfile_clear(&f);
        free(text);
}

static void test_full_list(void **state) {
        (void) state;
        Item *items = calloc(ITEM_COUNT_MAX, sizeof(Item));
        char (*uids)[32] = calloc(ITEM_COUNT_MAX, 32);
        assert_non_null(items);
        assert_non_null(uids);
        for (size_t i = 0; i < ITEM_COUNT_MAX; i++) {
                snprintf(uids[i], 32, "item-%zu@closer", i);
                items[i] = (Item) {
                        .uid = uids[i],
                        .title = "Eine Umarmung, lang und fest",
                        .details = i % 2 ? "mit Details" : NULL,
                        .category = (Category) (i % _CATEGORY_MAX),
                        .intensity = (int) (i % 3) + 1,
                        .private_ = i % 3 == 2,
                        .removed = i % 97 == 0,
                        .sequence = (int64_t) i,
                        .modified = NOW,
                };
        }

        char *text = NULL;
        assert_int_equal(listfile_write(items, ITEM_COUNT_MAX, "Max", NULL, NOW, &text), 0);
        assert_true(strlen(text) < LISTFILE_SIZE_MAX);
        ListFile f = {};
        parse_ok(text, &f);
        assert_int_equal(f.n_items, ITEM_COUNT_MAX);
        for (size_t i = 0; i < ITEM_COUNT_MAX; i++) {
                assert_string_equal(f.items[i].uid, uids[i]);
                assert_int_equal(f.items[i].removed, items[i].removed);
                assert_int_equal(f.items[i].sequence, items[i].sequence);
        }
        listfile_clear(&f);
        free(text);

        /* One more is too many, on both sides. */
        assert_int_equal(listfile_write(items, ITEM_COUNT_MAX + 1, NULL, NULL, NOW, &text), -E2BIG);
        free(items);
        free(uids);
}

static void test_write_refuses(void **state) {
        (void) state;
        char *text = NULL;
        Item ok = { .uid = "u1", .title = "Fine", .category = CATEGORY_FUN, .intensity = 1 };
        Item bad;

        bad = ok, bad.title = "";
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.title = NULL;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.title = "two\nlines";
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.uid = "has space";
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.intensity = 4;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.category = _CATEGORY_MAX;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -EINVAL);
        bad = ok, bad.sequence = -1;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -ERANGE);
        bad = ok, bad.sequence = INT64_C(1) << 40;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -ERANGE);
        bad = ok, bad.modified = -5;
        assert_int_equal(listfile_write(&bad, 1, NULL, NULL, NOW, &text), -ERANGE);
        assert_int_equal(listfile_write(&ok, 1, NULL, NULL, -1, &text), -ERANGE);
        assert_int_equal(listfile_write(&ok, 1, "bad\nname", NULL, NOW, &text), -EINVAL);
        assert_int_equal(listfile_write(&ok, 1, NULL, "bad id", NOW, &text), -EINVAL);
        Item two[] = { ok, ok };
        assert_int_equal(listfile_write(two, 2, NULL, NULL, NOW, &text), -EINVAL);
        assert_null(text);
}

/* ---- parse rules ---------------------------------------------------------------------------- */

/* The lines of the VTODO with this UID, unfolded names only: "UID", "DTSTAMP", ... */
static void todo_property_names(const char *text, const char *uid, char *names, size_t size) {
        char want[128];
        snprintf(want, sizeof(want), "\r\nUID:%s\r\n", uid);
        const char *p = strstr(text, want);
        assert_non_null(p);
        /* back to its BEGIN:VTODO */
        while (p > text && strncmp(p, "\r\nBEGIN:VTODO\r\n", 15) != 0)
                p--;
        p += 15;
        names[0] = '\0';
        for (; strncmp(p, "END:VTODO", 9) != 0; p = strstr(p, "\r\n") + 2) {
                if (*p == ' ' || *p == '\t')
                        continue; /* a folded continuation */
                size_t k = strcspn(p, ":;");
                strncat(names, p, MIN(k, size - strlen(names) - 2));
                strncat(names, " ", size - strlen(names) - 1);
        }
}

/* No text survives removal: a tombstone carries its UID and stamps, and
 * one read from a file drops whatever text it carried. */
static void test_tombstone_no_text(void **state) {
        (void) state;
        Item items[] = {
                { .uid = "t1@closer", .title = "Secret wish", .details = "very secret details",
                  .category = CATEGORY_LUST, .intensity = 3, .private_ = true, .removed = true, .sequence = 4,
                  .modified = 1700000000 },
                { .uid = "t2@closer", .title = "Kept wish", .category = CATEGORY_FUN, .intensity = 1, .sequence = 1,
                  .modified = 1700000000 },
        };
        char *text = NULL, names[256];

        assert_int_equal(listfile_write(items, 2, "Alex", NULL, NOW, &text), 0);
        assert_null(strstr(text, "Secret wish"));
        assert_null(strstr(text, "very secret"));
        todo_property_names(text, "t1@closer", names, sizeof(names));
        assert_string_equal(names, "UID DTSTAMP SEQUENCE LAST-MODIFIED STATUS ");
        todo_property_names(text, "t2@closer", names, sizeof(names));
        assert_string_equal(names, "UID DTSTAMP SUMMARY CATEGORIES CLASS SEQUENCE LAST-MODIFIED X-CLOSER-INTENSITY ");
        free(text);

        /* A tombstone from an older closer or another app, with text. */
        ListFile f = {};
        parse_body_ok("BEGIN:VTODO\r\nUID:x\r\nSUMMARY:old text\r\nDESCRIPTION:old details\r\nCLASS:PRIVATE\r\n"
                      "CATEGORIES:lust\r\nX-CLOSER-INTENSITY:3\r\nSTATUS:CANCELLED\r\nEND:VTODO\r\n",
                      &f);
        assert_int_equal(f.n_items, 1);
        assert_true(f.items[0].removed);
        assert_string_equal(f.items[0].title, "");
        assert_string_equal(f.items[0].details, "");
        assert_int_equal(f.items[0].category, CATEGORY_AFFECTION);
        assert_int_equal(f.items[0].intensity, 1);
        assert_false(f.items[0].private_);
        listfile_clear(&f);
}

static void test_parse_rules(void **state) {
        (void) state;
        ListFile f = {};

        parse_body_ok("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:cats\r\nCATEGORIES:Kitchen,LUST\r\nCATEGORIES:love\r\n"
                      "X-CLOSER-INTENSITY:3\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:b\r\nSUMMARY:none\r\nCATEGORIES:Work\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:c\r\nSUMMARY:conf\r\nCLASS:CONFIDENTIAL\r\nCATEGORIES: Fun \r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:d\r\nSUMMARY:odd class\r\nCLASS:X-FRIENDS\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:e\r\nSUMMARY:public explicit\r\nCLASS:public\r\nX-CLOSER-INTENSITY:3\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:f\r\nSTATUS:CANCELLED\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:g\r\nSUMMARY:  padded  \r\nSEQUENCE:0042\r\n"
                      "LAST-MODIFIED:20240101T000000Z\r\nSTATUS:COMPLETED\r\nDESCRIPTION:\\tx\r\nEND:VTODO\r\n",
                      &f);
        assert_int_equal(f.n_items, 7);
        assert_null(f.owner_name);
        /* first matching category wins, case-insensitive */
        assert_int_equal(f.items[0].category, CATEGORY_LUST);
        assert_int_equal(f.items[0].intensity, 3);
        assert_true(f.items[0].private_); /* default for intensity 3 */
        assert_int_equal(f.items[0].sequence, 0);
        assert_int_equal(f.items[0].modified, 0);
        assert_string_equal(f.items[0].details, "");
        /* nothing matches: affection; defaults */
        assert_int_equal(f.items[1].category, CATEGORY_AFFECTION);
        assert_int_equal(f.items[1].intensity, 1);
        assert_false(f.items[1].private_);
        assert_int_equal(f.items[2].category, CATEGORY_FUN);
        assert_true(f.items[2].private_);
        assert_true(f.items[3].private_); /* unknown class counts as private (RFC 5545) */
        assert_false(f.items[4].private_);
        assert_true(f.items[5].removed);
        assert_string_equal(f.items[5].title, "");
        assert_string_equal(f.items[6].title, "padded");
        assert_int_equal(f.items[6].sequence, 42);
        assert_int_equal(f.items[6].modified, 1704067200);
        assert_false(f.items[6].removed);
        assert_string_equal(f.items[6].details, "x"); /* escaped tab, then stripped */
        listfile_clear(&f);

        /* LF line ends, a byte order mark, lowercase names, folds (also inside
         * a UTF-8 sequence and with a tab), blank lines. */
        parse_ok("\xef\xbb\xbf"
                 "begin:vcalendar\n"
                 "\n"
                 "x-closer-owner:Jo\n"
                 " han\n"
                 "begin:vtodo\n"
                 "uid:x1\n"
                 "summary:K\xc3\n"
                 " \xbcsse\n"
                 "\t!\n"
                 "categories:FUN\n"
                 "end:vtodo\n"
                 "end:vcalendar\n"
                 "\n",
                 &f);
        assert_int_equal(f.n_items, 1);
        assert_string_equal(f.owner_name, "Johan");
        assert_string_equal(f.items[0].title, "Küsse!");
        assert_int_equal(f.items[0].category, CATEGORY_FUN);
        listfile_clear(&f);
}

static void test_skipped_components(void **state) {
        (void) state;
        ListFile f = {};

        parse_body_ok("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
                      "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                      "BEGIN:VTODO\r\nUID:t1\r\nSUMMARY:first\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                      "DESCRIPTION:x\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VTODO\r\n"
                      "BEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\n"
                      "SUMMARY:an event\r\nEND:VEVENT\r\n"
                      "BEGIN:VJOURNAL\r\nUID:j1\r\nDTSTAMP:20240101T000000Z\r\nEND:VJOURNAL\r\n"
                      "BEGIN:VTODO\r\nUID:t2\r\nSUMMARY:second\r\nEND:VTODO\r\n",
                      &f);
        assert_int_equal(f.n_items, 2);
        assert_int_equal(f.skipped_components, 3);
        assert_string_equal(f.items[0].uid, "t1");
        assert_string_equal(f.items[1].uid, "t2");
        listfile_clear(&f);
}

/* ---- VTODOs of other tasks apps -------------------------------------------------------------- */

/* tasks.org (through DAVx5): a long decimal UID, tags for category and
 * intensity, a DUE date, a subtask, a VALARM, no SEQUENCE and no CLASS. */
static const char TASKS_ORG[] =
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:+//IDN tasks.org//android-130804//EN\r\n"
        "BEGIN:VTODO\r\n"
        "DTSTAMP:20240610T081500Z\r\n"
        "UID:3276133847296618417\r\n"
        "CREATED:20240601T120000Z\r\n"
        "LAST-MODIFIED:20240610T081500Z\r\n"
        "SUMMARY:Massage by candlelight\r\n"
        "DESCRIPTION:With the lavender oil\r\n"
        "PRIORITY:9\r\n"
        "STATUS:NEEDS-ACTION\r\n"
        "X-APPLE-SORT-ORDER:740218523\r\n"
        "CATEGORIES:Love,Intimate\r\n"
        "DUE;VALUE=DATE:20240614\r\n"
        "DTSTART;VALUE=DATE:20240612\r\n"
        "BEGIN:VALARM\r\n"
        "TRIGGER;RELATED=END:PT0S\r\n"
        "ACTION:DISPLAY\r\n"
        "DESCRIPTION:Default Tasks.org description\r\n"
        "END:VALARM\r\n"
        "END:VTODO\r\n"
        "BEGIN:VTODO\r\n"
        "DTSTAMP:20240610T081600Z\r\n"
        "UID:6541397837367461042\r\n"
        "CREATED:20240602T120000Z\r\n"
        "LAST-MODIFIED:20240610T081600Z\r\n"
        "SUMMARY:Buy the oil\r\n"
        "PRIORITY:0\r\n"
        "STATUS:COMPLETED\r\n"
        "COMPLETED:20240610T081600Z\r\n"
        "PERCENT-COMPLETE:100\r\n"
        "RELATED-TO;RELTYPE=PARENT:3276133847296618417\r\n"
        "CATEGORIES:gentle\r\n"
        "CATEGORIES:LUST\r\n"
        "RRULE:FREQ=WEEKLY;INTERVAL=1\r\n"
        "X-MOZ-SNOOZE-TIME:20240611T090000Z\r\n"
        "END:VTODO\r\n"
        "END:VCALENDAR\r\n";

/* Apple Reminders (iCloud): a VTIMEZONE, DUE and DTSTART with its TZID, an
 * uppercase UUID, Apple's own properties and alarm UIDs, SEQUENCE:0. */
static const char APPLE_REMINDERS[] =
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Apple Inc.//iOS 17.5//EN\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "BEGIN:VTIMEZONE\r\n"
        "TZID:Europe/Berlin\r\n"
        "BEGIN:DAYLIGHT\r\n"
        "TZOFFSETFROM:+0100\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
        "DTSTART:19810329T020000\r\n"
        "TZNAME:CEST\r\n"
        "TZOFFSETTO:+0200\r\n"
        "END:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
        "DTSTART:19961027T030000\r\n"
        "TZNAME:CET\r\n"
        "TZOFFSETTO:+0100\r\n"
        "END:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VTODO\r\n"
        "CREATED:20240601T101010Z\r\n"
        "DTSTAMP:20240610T101010Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20240614T190000\r\n"
        "DUE;TZID=Europe/Berlin:20240614T190000\r\n"
        "LAST-MODIFIED:20240610T101010Z\r\n"
        "PRIORITY:0\r\n"
        "SEQUENCE:0\r\n"
        "STATUS:NEEDS-ACTION\r\n"
        "SUMMARY:Breakfast in bed\r\n"
        "UID:8F3A2C1B-1D2E-4F5A-9B8C-7D6E5F4A3B2C\r\n"
        "X-APPLE-SORT-ORDER:740218523\r\n"
        "X-APPLE-SUBTASKS-COUNT:0\r\n"
        "BEGIN:VALARM\r\n"
        "ACTION:DISPLAY\r\n"
        "DESCRIPTION:Reminder\r\n"
        "TRIGGER;VALUE=DATE-TIME:20240614T170000Z\r\n"
        "UID:5E1C0D2B-7A6F-4E3D-8C9B-0A1B2C3D4E5F\r\n"
        "X-WR-ALARMUID:5E1C0D2B-7A6F-4E3D-8C9B-0A1B2C3D4E5F\r\n"
        "ACKNOWLEDGED:20240614T170100Z\r\n"
        "END:VALARM\r\n"
        "END:VTODO\r\n"
        "BEGIN:VTODO\r\n"
        "DTSTAMP:20240610T101111Z\r\n"
        "UID:C0FFEE00-1D2E-4F5A-9B8C-7D6E5F4A3B2C\r\n"
        "SUMMARY:The thing we never talk about\r\n"
        "CATEGORIES:explicit\r\n"
        "END:VTODO\r\n"
        "END:VCALENDAR\r\n";

/* jtx Board: IN-PROCESS, CLASS:PUBLIC with a private tag, tags in odd case
 * and with blanks, an escaped comma, a cancelled one. */
static const char JTX_BOARD[] =
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:+//IDN techbee.at//jtx Board//EN\r\n"
        "BEGIN:VTODO\r\n"
        "UID:1718007200000-6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c@at.techbee.jtx\r\n"
        "DTSTAMP:20240610T080000Z\r\n"
        "CREATED:20240610T080000Z\r\n"
        "LAST-MODIFIED:20240610T090000Z\r\n"
        "SUMMARY:Dance in the kitchen\r\n"
        "STATUS:IN-PROCESS\r\n"
        "CLASS:PUBLIC\r\n"
        "CATEGORIES: FUN , Private\r\n"
        "PERCENT-COMPLETE:40\r\n"
        "PRIORITY:5\r\n"
        "COLOR:-16776961\r\n"
        "GEO:48.2;16.3\r\n"
        "X-MOZ-LASTACK:20240610T090000Z\r\n"
        "END:VTODO\r\n"
        "BEGIN:VTODO\r\n"
        "UID:1718007300000-0a1b2c3d@at.techbee.jtx\r\n"
        "DTSTAMP:20240610T080000Z\r\n"
        "SUMMARY:Slow dance\r\n"
        "CLASS:PUBLIC\r\n"
        "CATEGORIES:music\\,fun,3,2\r\n"
        "END:VTODO\r\n"
        "BEGIN:VTODO\r\n"
        "UID:1718007400000-0a1b2c3d@at.techbee.jtx\r\n"
        "DTSTAMP:20240610T080000Z\r\n"
        "SUMMARY:Gone\r\n"
        "CATEGORIES:lust,explicit,private\r\n"
        "STATUS:CANCELLED\r\n"
        "END:VTODO\r\n"
        "END:VCALENDAR\r\n";

/* What the mapping made of an item's tags and CLASS. */
static void assert_mapped(const Item *it, Category category, int intensity, bool private_) {
        assert_int_equal(it->category, category);
        assert_int_equal(it->intensity, intensity);
        assert_int_equal(it->private_, private_);
}

static void parse_with_ok(const char *text, Category def, ListFile *f) {
        char *msg = NULL;
        int r = listfile_parse_with(text, strlen(text), &(ListParseOptions) { .default_category = def }, f, &msg);
        if (r < 0)
                print_error("parse failed: %s\n", msg ? msg : "(no message)");
        assert_int_equal(r, 0);
        assert_null(msg);
}

static void test_app_tasks_org(void **state) {
        (void) state;
        ListFile f = {};
        parse_with_ok(TASKS_ORG, CATEGORY_FUN, &f);
        assert_int_equal(f.n_items, 2);
        assert_int_equal(f.skipped_components, 0);
        assert_null(f.owner_id);
        const Item *a = &f.items[0], *b = &f.items[1];
        assert_string_equal(a->uid, "3276133847296618417");
        assert_string_equal(a->title, "Massage by candlelight");
        assert_string_equal(a->details, "With the lavender oil");
        /* The Intimate tag; no CLASS: the default of intensity 2. */
        assert_mapped(a, CATEGORY_LOVE, 2, false);
        assert_false(a->removed);
        assert_int_equal(a->sequence, 0);   /* none written */
        assert_int_equal(a->modified, 1718007300);
        /* A completed subtask is on the list; tags of two CATEGORIES properties. */
        assert_string_equal(b->uid, "6541397837367461042");
        assert_false(b->removed);
        assert_mapped(b, CATEGORY_LUST, 1, false);
        assert_string_equal(b->details, "");
        listfile_clear(&f);
}

static void test_app_apple_reminders(void **state) {
        (void) state;
        ListFile f = {};
        /* No category tag: the default from the options. */
        parse_with_ok(APPLE_REMINDERS, CATEGORY_LOVE, &f);
        assert_int_equal(f.n_items, 2);
        assert_int_equal(f.skipped_components, 1); /* the VTIMEZONE */
        const Item *a = &f.items[0], *b = &f.items[1];
        assert_string_equal(a->uid, "8F3A2C1B-1D2E-4F5A-9B8C-7D6E5F4A3B2C");
        assert_string_equal(a->title, "Breakfast in bed");
        assert_mapped(a, CATEGORY_LOVE, 1, false);
        assert_int_equal(a->sequence, 0);
        /* No LAST-MODIFIED, no SEQUENCE, no CLASS; explicit by its tag, so private. */
        assert_mapped(b, CATEGORY_LOVE, 3, true);
        assert_int_equal(b->modified, 0);
        listfile_clear(&f);

        /* listfile_parse(): affection by default. */
        parse_ok(APPLE_REMINDERS, &f);
        assert_int_equal(f.items[0].category, CATEGORY_AFFECTION);
        listfile_clear(&f);
}

static void test_app_jtx_board(void **state) {
        (void) state;
        ListFile f = {};
        parse_with_ok(JTX_BOARD, CATEGORY_AFFECTION, &f);
        assert_int_equal(f.n_items, 3);
        const Item *a = &f.items[0], *b = &f.items[1], *c = &f.items[2];
        assert_false(a->removed); /* IN-PROCESS is on the list */
        assert_mapped(a, CATEGORY_FUN, 1, true); /* the private tag wins over CLASS:PUBLIC */
        assert_int_equal(a->modified, 1718010000);
        /* "music\,fun" is one value, no category; the first intensity tag wins. */
        /* CLASS:PUBLIC, no private tag: public even when explicit. */
        assert_mapped(b, CATEGORY_AFFECTION, 3, false);
        /* Cancelled: removed, no text, the defaults. */
        assert_true(c->removed);
        assert_string_equal(c->title, "");
        assert_mapped(c, CATEGORY_AFFECTION, 1, false);
        listfile_clear(&f);
}

static void test_tags(void **state) {
        (void) state;
        ListFile f = {};

        parse_body_ok("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nCATEGORIES:EXPLICIT\r\nCLASS:PUBLIC\r\n"
                      "X-CLOSER-INTENSITY:1\r\nEND:VTODO\r\n"                           /* X- wins over the tag */
                      "BEGIN:VTODO\r\nUID:b\r\nSUMMARY:x\r\nCATEGORIES:,2,, gentle\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:c\r\nSUMMARY:x\r\nCATEGORIES:private\r\nCLASS:PRIVATE\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:d\r\nSUMMARY:x\r\nCATEGORIES:Lovely,loves,fun\\\\,lust\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:e\r\nSUMMARY:x\r\nCATEGORIES;LANGUAGE=en:\"love\"\r\nCATEGORIES:Affection\r\n"
                      "END:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:f\r\nSUMMARY:x\r\nCATEGORIES:4,0,intimately\r\nEND:VTODO\r\n"
                      "BEGIN:VTODO\r\nUID:g\r\nSUMMARY:x\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n"
                      "TRIGGER:-PT5M\r\nCATEGORIES:lust,explicit,private\r\nEND:VALARM\r\nEND:VTODO\r\n",
                      &f);
        assert_int_equal(f.n_items, 7);
        assert_int_equal(f.items[0].intensity, 1);
        assert_false(f.items[0].private_);
        assert_int_equal(f.items[1].intensity, 2);
        assert_true(f.items[2].private_);
        assert_int_equal(f.items[2].intensity, 1);
        /* Only whole values count; "fun\\" is fun and a backslash, "lust" a value of its own. */
        assert_int_equal(f.items[3].category, CATEGORY_LUST);
        /* A quoted value is not a tag; the second property's is. */
        assert_int_equal(f.items[4].category, CATEGORY_AFFECTION);
        assert_int_equal(f.items[5].intensity, 1);
        /* The tags of a VALARM inside are not the item's. */
        assert_mapped(&f.items[6], CATEGORY_AFFECTION, 1, false);
        listfile_clear(&f);

        /* The default category is used only where no tag names one. */
        char *s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nEND:VTODO\r\n"
                           "BEGIN:VTODO\r\nUID:b\r\nSUMMARY:x\r\nCATEGORIES:affection\r\nEND:VTODO\r\n");
        parse_with_ok(s, CATEGORY_LUST, &f);
        assert_int_equal(f.items[0].category, CATEGORY_LUST);
        assert_int_equal(f.items[1].category, CATEGORY_AFFECTION);
        listfile_clear(&f);
        /* A default out of range is the caller's error. */
        f.n_items = 42;
        assert_int_equal(listfile_parse_with(s, strlen(s), &(ListParseOptions) { .default_category = _CATEGORY_MAX },
                                             &f, NULL), -EINVAL);
        assert_int_equal(listfile_parse_with(s, strlen(s), &(ListParseOptions) { .default_category = -1 }, &f, NULL),
                         -EINVAL);
        assert_int_equal(f.n_items, 42); /* not touched: refused before anything */
        free(s);
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_errors_items(void **state) {
        (void) state;

        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nEND:VTODO\r\n"
                          "BEGIN:VTODO\r\nSUMMARY:y\r\nEND:VTODO\r\n",
                          EBADMSG, "item 2 (line 8): missing UID");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\n", EBADMSG, "item 1 (line 4): missing SUMMARY");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:   \r\nEND:VTODO\r\n", EBADMSG, "item 1 (line 6): SUMMARY must not be empty");
        expect_error_body("BEGIN:VTODO\r\nUID:dup\r\nSUMMARY:x\r\nEND:VTODO\r\n"
                          "BEGIN:VTODO\r\nUID:other\r\nSUMMARY:x\r\nEND:VTODO\r\n"
                          "BEGIN:VTODO\r\nUID:dup\r\nSTATUS:CANCELLED\r\nEND:VTODO\r\n",
                          EBADMSG, "duplicate UID 'dup' (items 1 and 3)");
        expect_error_body("BEGIN:VTODO\r\nUID:a b\r\nSUMMARY:x\r\nEND:VTODO\r\n", EBADMSG, "item 1 (line 5): UID must be");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nUID:b\r\nSUMMARY:x\r\nEND:VTODO\r\n", EBADMSG, "more than one UID");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nSUMMARY:y\r\nEND:VTODO\r\n", EBADMSG, "more than one SUMMARY");

        static const char *const bad_intensity[] = { "0", "4", "x", "12", "-1", "2.0", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad_intensity); i++) {
                char *body = NULL;
                assert_true(asprintf(&body, "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nX-CLOSER-INTENSITY:%s\r\nEND:VTODO\r\n",
                                     bad_intensity[i]) >= 0);
                expect_error_body(body, EBADMSG, "item 1 (line 7): X-CLOSER-INTENSITY must be 1, 2 or 3");
                free(body);
        }
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nSEQUENCE:-3\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7): SEQUENCE must not be negative");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nSEQUENCE:two\r\nEND:VTODO\r\n", EBADMSG,
                          "SEQUENCE must be a whole number");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nSEQUENCE:12x\r\nEND:VTODO\r\n", EBADMSG,
                          "SEQUENCE must be a whole number");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nSEQUENCE:99999999999\r\nEND:VTODO\r\n", EBADMSG,
                          "SEQUENCE is too large");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nLAST-MODIFIED:20241340T000000Z\r\nEND:VTODO\r\n",
                          EBADMSG, "item 1 (line 7): LAST-MODIFIED is not a valid date and time");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nLAST-MODIFIED:yesterday\r\nEND:VTODO\r\n",
                          EBADMSG, "item 1 (line 7): malformed content line");

        /* Over 4000 characters is an error, not a truncation. */
        char *body = malloc(ITEM_DETAILS_MAX + 200);
        assert_non_null(body);
        strcpy(body, "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nDESCRIPTION:");
        size_t l = strlen(body);
        memset(body + l, 'd', ITEM_DETAILS_MAX + 1);
        strcpy(body + l + ITEM_DETAILS_MAX + 1, "\r\nEND:VTODO\r\n");
        expect_error_body(body, EBADMSG, "item 1 (line 7): DESCRIPTION is too long (at most 4000 characters)");
        body[l + ITEM_DETAILS_MAX] = '\r'; /* exactly 4000 is fine */
        strcpy(body + l + ITEM_DETAILS_MAX, "\r\nEND:VTODO\r\n");
        ListFile f = {};
        parse_body_ok(body, &f);
        assert_int_equal(strlen(f.items[0].details), ITEM_DETAILS_MAX);
        listfile_clear(&f);
        free(body);

        /* 201 characters of title */
        char title[300] = "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:";
        l = strlen(title);
        memset(title + l, 't', 201);
        strcpy(title + l + 201, "\r\nEND:VTODO\r\n");
        expect_error_body(title, EBADMSG, "item 1 (line 6): SUMMARY is too long (at most 200 characters)");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:tab\\there\r\nEND:VTODO\r\n", EBADMSG,
                          "SUMMARY must not contain control characters");
}

static void test_errors_junk_lines(void **state) {
        (void) state;

        /* Lines libical flags with X-LIC-ERROR. */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nthis is junk\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7): malformed content line");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nFROBNICATE:yes\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7): malformed content line");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nDUE:not-a-date\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7)");
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nDESCRIPTION:\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7)");
        expect_error_body("junk at the top\r\n", EBADMSG, "line 4: malformed content line");
        /* One that libical records without saying so on that line. */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY;VALUE=DATE:x\r\nEND:VTODO\r\n", EBADMSG, "item 1 (line 4)");
        /* An X-LIC-ERROR that comes with the file is an error too. */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nX-LIC-ERROR:whatever\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7): unsupported property");
        expect_error_body("X-LIC-ERROR:whatever\r\n", EBADMSG, "line 4: unsupported property");
        /* libical 3.0.16 would print these values to stderr. */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nTASK-MODE:secret\r\nEND:VTODO\r\n", EBADMSG,
                          "item 1 (line 7): unsupported property");
        expect_error_body("x-lic-class;X=1:secret\r\n", EBADMSG, "line 4: unsupported property");
        /* ... or a warning for a BINARY intensity. */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nX-CLOSER-INTENSITY;VALUE=BINARY:2\r\nEND:VTODO\r\n",
                          EBADMSG, "item 1 (line 4): X-CLOSER-INTENSITY must be 1, 2 or 3");
        expect_error_body("BEGIN:VEVENT\r\nUID:e\r\nDTSTART:garbage\r\nEND:VEVENT\r\n", EBADMSG, "line 6");
        /* Structure */
        expect_error_body("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nEND:VEVENT\r\n", EBADMSG,
                          "line 7: END does not match the BEGIN on line 4");
        expect_error_body("BEGIN :VTODO\r\nEND:VTODO\r\n", EBADMSG, "line 4: malformed BEGIN line");
        expect_error_body("BEGIN;X=1:VTODO\r\nEND:VTODO\r\n", EBADMSG, "line 4: malformed BEGIN line");
        expect_error_body("BEGIN:VTODO,VEVENT\r\nEND:VTODO\r\n", EBADMSG, "line 4: malformed BEGIN line");
        expect_error_body("BEGIN:A\r\nBEGIN:B\r\nBEGIN:C\r\nBEGIN:D\r\nBEGIN:E\r\nBEGIN:F\r\nBEGIN:G\r\nBEGIN:H\r\n"
                          "END:H\r\nEND:G\r\nEND:F\r\nEND:E\r\nEND:D\r\nEND:C\r\nEND:B\r\nEND:A\r\n",
                          EBADMSG, "line 11: components nested too deeply");
        expect_error("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", EBADMSG,
                     "line 3: more than one VCALENDAR");
        expect_error("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nSUMMARY:x\r\n", EBADMSG, "line 3: content after END:VCALENDAR");
        expect_error("BEGIN:VCALENDAR\r\nX-CLOSER-OWNER:a\r\nX-CLOSER-OWNER:b\r\nEND:VCALENDAR\r\n", EBADMSG,
                     "more than one X-CLOSER-OWNER");
        expect_error("BEGIN:VCALENDAR\r\nX-CLOSER-OWNER-ID:a\r\nX-CLOSER-OWNER-ID:b\r\nEND:VCALENDAR\r\n", EBADMSG,
                     "more than one X-CLOSER-OWNER-ID");
        expect_error("BEGIN:VCALENDAR\r\nX-CLOSER-OWNER-ID:a b\xc3\xa4\r\nEND:VCALENDAR\r\n", EBADMSG,
                     "X-CLOSER-OWNER-ID ");

        /* A content line longer than the limit */
        size_t n = LISTFILE_LINE_MAX + 100;
        char *body = malloc(n + 100);
        assert_non_null(body);
        strcpy(body, "X-JUNK:");
        memset(body + 7, 'j', n);
        strcpy(body + 7 + n, "\r\n");
        expect_error_body(body, E2BIG, "line 4: longer than");
        free(body);
}

static void test_errors_file(void **state) {
        (void) state;
        char *s;

        expect_error("", EBADMSG, "not an iCalendar file");
        expect_error("\r\n\r\n  \r\n", EBADMSG, "not an iCalendar file");
        expect_error("- Kiss me in the morning\n- Dance in the kitchen\n", EBADMSG, "not an iCalendar file");
        expect_error("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n", EBADMSG, "not an iCalendar file");
        expect_error("{\"items\": []}", EBADMSG, "not an iCalendar file");

        expect_error("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\n", EBADMSG,
                     "truncated: END:VCALENDAR missing");
        expect_error("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nEND:VTODO\r\n", EBADMSG,
                     "truncated: END:VCALENDAR missing");
        expect_error("BEGIN:VCALENDAR", EBADMSG, "truncated: END:VCALENDAR missing");

        /* Invalid UTF-8, with the line it is on (also on a folded line) */
        s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:caf\xe9\r\nEND:VTODO\r\n");
        expect_error(s, EBADMSG, "line 6: not valid UTF-8");
        free(s);
        s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:first\r\n second\r\n th\xc0\xafird\r\nEND:VTODO\r\n");
        expect_error(s, EBADMSG, "line 8: not valid UTF-8");
        free(s);
        s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:surrogate \xed\xa0\x80\r\nEND:VTODO\r\n");
        expect_error(s, EBADMSG, "line 6: not valid UTF-8");
        free(s);
        s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:cut \xf0\x9f\x92\r\nEND:VTODO\r\n");
        expect_error(s, EBADMSG, "line 6: not valid UTF-8");
        free(s);

        /* A NUL byte */
        static const char nul[] = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\0y\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        expect_error_len(nul, sizeof(nul) - 1, EBADMSG, "line 4: contains a NUL byte");

        /* Binary garbage */
        unsigned char garbage[4096];
        uint32_t x = 0x12345678;
        for (size_t i = 0; i < sizeof(garbage); i++) {
                x = x * 1103515245u + 12345u;
                garbage[i] = (unsigned char) (x >> 24);
        }
        expect_error_len((const char *) garbage, sizeof(garbage), EBADMSG, NULL);
        static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
        expect_error_len((const char *) png, sizeof(png), EBADMSG, "line 1: not valid UTF-8");

        /* Too large: refused before it is read */
        size_t big = LISTFILE_SIZE_MAX + 1;
        char *b = malloc(big);
        assert_non_null(b);
        memset(b, 'x', big);
        expect_error_len(b, big, EFBIG, "file is larger than 5 MiB");
        free(b);

        /* More than ITEM_COUNT_MAX items */
        static const char todo[] = "BEGIN:VTODO\r\nUID:u\r\nSUMMARY:s\r\nEND:VTODO\r\n";
        size_t n = ITEM_COUNT_MAX + 1;
        b = malloc(64 + n * (sizeof(todo) - 1));
        assert_non_null(b);
        char *p = stpcpy(b, "BEGIN:VCALENDAR\r\n");
        for (size_t i = 0; i < n; i++)
                p = stpcpy(p, todo);
        strcpy(p, "END:VCALENDAR\r\n");
        expect_error(b, E2BIG, "more than 10000 items");
        free(b);

        /* Too many content lines for libical to hold */
        n = LISTFILE_LINES_MAX + 1;
        b = malloc(64 + n * 8);
        assert_non_null(b);
        p = stpcpy(b, "BEGIN:VCALENDAR\r\n");
        for (size_t i = 0; i < n; i++)
                p = stpcpy(p, "X-A:b\r\n");
        strcpy(p, "END:VCALENDAR\r\n");
        expect_error(b, E2BIG, "more than 200000 lines and list values");
        free(b);

        /* ...or as values split at commas */
        n = LISTFILE_LINES_MAX / 10000 + 1;
        b = malloc(64 + n * (20 + 2 * 10000));
        assert_non_null(b);
        p = stpcpy(b, "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:u\r\nSUMMARY:s\r\n");
        for (size_t i = 0; i < n; i++) {
                p = stpcpy(p, "CATEGORIES:x");
                for (size_t j = 0; j < 10000; j++)
                        p = stpcpy(p, ",x");
                p = stpcpy(p, "\r\n");
        }
        strcpy(p, "END:VTODO\r\nEND:VCALENDAR\r\n");
        expect_error(b, E2BIG, "lines and list values");
        free(b);
}

/* No error message may show the text of an item. */
static void test_errors_private(void **state) {
        (void) state;
#define SECRET "Geheimnis"
        static const char *const bodies[] = {
                /* junk line made of the title */
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:x\r\n" SECRET " im Dunkeln\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:x\r\n" SECRET ":Dunkeln\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nDUE:" SECRET "\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY;" SECRET ":x\r\nEND:VTODO\r\n",
                /* title that is invalid for other reasons */
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:" SECRET " \\tx\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:" SECRET " \xff\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:" SECRET "\r\nSUMMARY:" SECRET "\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:" SECRET "\r\nX-CLOSER-INTENSITY:" SECRET "\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nCLASS:PRIVATE\r\nSUMMARY:" SECRET "\r\nSEQUENCE:" SECRET "\r\nEND:VTODO\r\n",
                /* title put where a UID or a name goes */
                "BEGIN:VTODO\r\nUID:" SECRET " im Dunkeln\r\nSUMMARY:x\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nEND:VTODO\r\nBEGIN:" SECRET "\r\nEND:VTODO\r\n",
                "BEGIN:" SECRET ":x\r\nEND:" SECRET "\r\n",
                "X-CLOSER-OWNER:" SECRET "\\n\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:" SECRET "\r\nX-LIC-ERROR:" SECRET "\r\nEND:VTODO\r\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                char *s = calendar(bodies[i]), *msg = NULL;
                ListFile f = {};
                int r = listfile_parse(s, strlen(s), &f, &msg);
                if (r >= 0)
                        print_error("case %zu parses\n", i);
                assert_true(r < 0);
                assert_non_null(msg);
                if (strstr(msg, SECRET))
                        print_error("case %zu leaks: %s\n", i, msg);
                assert_null(strstr(msg, SECRET));
                free(msg);
                free(s);
        }

        /* A title longer than the limit, with the secret in it */
        char body[600] = "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:";
        for (int i = 0; i < 30; i++)
                strcat(body, SECRET " ");
        strcat(body, "\r\nEND:VTODO\r\n");
        char *s = calendar(body), *msg = NULL;
        ListFile f = {};
        assert_int_equal(listfile_parse(s, strlen(s), &f, &msg), -EBADMSG);
        assert_null(strstr(msg, SECRET));
        free(msg);
        free(s);
#undef SECRET
}

/* libical's global switches are as before, and libical never aborts on bad input. */
static void test_libical_state(void **state) {
        (void) state;
        ListFile f = {};
        char *msg = NULL;
        char *s = calendar("BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nFOO BAR\r\nDUE:x\r\nEND:VTODO\r\n");

        icalerror_set_errors_are_fatal(1);
        icalerrno = ICAL_FILE_ERROR;
        assert_int_equal(listfile_parse(s, strlen(s), &f, &msg), -EBADMSG);
        assert_int_equal(icalerror_get_errors_are_fatal(), 1);
        assert_int_equal(icalerrno, ICAL_FILE_ERROR);
        assert_int_equal(icalerror_get_error_state(ICAL_MALFORMEDDATA_ERROR), ICAL_ERROR_DEFAULT);
        icalerror_set_errors_are_fatal(0);
        icalerror_clear_errno();
        free(msg);
        free(s);

        /* NULL err_text is allowed */
        assert_int_equal(listfile_parse("x", 1, &f, NULL), -EBADMSG);
}

/* The daemon's stderr is its log: neither module nor libical may write there,
 * whatever the input (libical 3.0.16 would, quoting text, for some). */
static void test_no_stderr(void **state) {
        (void) state;
        static const char *const bodies[] = {
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nTASK-MODE:Geheimnis\r\nEND:VTODO\r\n",
                "X-LIC-CLASS:Geheimnis\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nX-CLOSER-INTENSITY;VALUE=BINARY:2\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nX-CLOSER-INTENSITY;VALUE=INTEGER:2\r\nEND:VTODO\r\n",
                "END:VTODO\r\nBEGIN:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nthis is junk\r\nDUE:x\r\nRRULE:FREQ=NEVER\r\nEND:VTODO\r\n",
                "BEGIN:VTODO\r\nUID:a\r\nSUMMARY;VALUE=BOOLEAN:x\r\nATTACH;VALUE=BINARY;ENCODING=BASE64:!!!\r\nEND:VTODO\r\n",
                "BEGIN:VEVENT\r\nDTSTART;TZID=Nowhere/Nothing:20240101T000000\r\nEND:VEVENT\r\n",
                "BEGIN:VTODO\r\n",
        };
        FILE *capture = tmpfile();
        assert_non_null(capture);
        fflush(stderr);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0);
        assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                char *s = calendar(bodies[i]), *msg = NULL;
                ListFile f = {};
                (void) listfile_parse(s, strlen(s), &f, &msg);
                listfile_clear(&f);
                free(msg);
                free(s);
        }
        /* Nor on what the tasks apps write. */
        static const char *const apps[] = { TASKS_ORG, APPLE_REMINDERS, JTX_BOARD };
        for (size_t i = 0; i < ELEMENTSOF(apps); i++) {
                ListFile f = {};
                assert_int_equal(listfile_parse(apps[i], strlen(apps[i]), &f, NULL), 0);
                listfile_clear(&f);
        }
        Item it = { .uid = "u", .title = "t", .details = "d", .intensity = 3, .private_ = true, .modified = NOW };
        char *text = NULL;
        int r = listfile_write(&it, 1, "Owner", NULL, NOW, &text);
        free(text);

        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        assert_int_equal(r, 0);
        assert_int_equal(ftell(capture), 0);
        assert_int_equal(lseek(fileno(capture), 0, SEEK_END), 0);
        fclose(capture);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_folding),
                cmocka_unit_test(test_full_list),
                cmocka_unit_test(test_write_refuses),
                cmocka_unit_test(test_tombstone_no_text),
                cmocka_unit_test(test_parse_rules),
                cmocka_unit_test(test_skipped_components),
                cmocka_unit_test(test_app_tasks_org),
                cmocka_unit_test(test_app_apple_reminders),
                cmocka_unit_test(test_app_jtx_board),
                cmocka_unit_test(test_tags),
                cmocka_unit_test(test_errors_items),
                cmocka_unit_test(test_errors_junk_lines),
                cmocka_unit_test(test_errors_file),
                cmocka_unit_test(test_errors_private),
                cmocka_unit_test(test_libical_state),
                cmocka_unit_test(test_no_stderr),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
