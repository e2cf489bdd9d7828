/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/when.c: every WHEN form of SPEC 6 in Europe/Berlin,
 * on ordinary days and on the days the clocks change, and what is refused. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "macro.h"
#include "timeutil.h"
#include "when.h"

#define H 3600
#define D 86400

static time_t utc(int y, int mo, int d, int h, int mi, int s) {
        return (time_t) (day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

/* Wednesday 2026-06-10 14:20:30 CEST. */
#define NOW utc(2026, 6, 10, 12, 20, 30)

static int setup(void **state) {
        (void) state;
        if (setenv("TZ", "Europe/Berlin", 1) < 0)
                return -1;
        tzset();
        return 0;
}

static time_t when_ok(const char *text, time_t now) {
        const char *reason = NULL;
        time_t t = 0;
        int r;

        r = when_parse(text, now, &t, &reason);
        if (r < 0)
                fail_msg("'%s' refused: %d %s", text, r, reason);
        assert_null(reason);
        return t;
}

static void when_bad(const char *text, time_t now, int error, const char *reason_part) {
        const char *reason = NULL;
        time_t t = 12345;
        int r;

        r = when_parse(text, now, &t, &reason);
        if (r != error)
                fail_msg("'%s': got %d, wanted %d", text, r, error);
        assert_non_null(reason);
        if (!strstr(reason, reason_part))
                fail_msg("'%s': reason '%s' lacks '%s'", text, reason, reason_part);
        assert_int_equal(t, 12345);
}

static void test_today(void **state) {
        (void) state;
        assert_int_equal(when_ok("18:00", NOW), utc(2026, 6, 10, 16, 0, 0));
        assert_int_equal(when_ok("today 18:00", NOW), utc(2026, 6, 10, 16, 0, 0));
        assert_int_equal(when_ok("  TODAY \t  18:00 \n", NOW), utc(2026, 6, 10, 16, 0, 0));
        assert_int_equal(when_ok("Today 23:59", NOW), utc(2026, 6, 10, 21, 59, 0));
        assert_int_equal(when_ok("14:21", NOW), utc(2026, 6, 10, 12, 21, 0));
        /* The current minute has begun 30 s ago: it is past. */
        when_bad("14:20", NOW, -ERANGE, "is in the past");
        when_bad("7:30", NOW, -ERANGE, "is in the past");
        when_bad("today 00:00", NOW, -ERANGE, "is in the past");
        /* Exactly now is not the past. */
        assert_int_equal(when_ok("14:20", utc(2026, 6, 10, 12, 20, 0)), utc(2026, 6, 10, 12, 20, 0));
}

static void test_tomorrow(void **state) {
        (void) state;
        assert_int_equal(when_ok("tomorrow 07:30", NOW), utc(2026, 6, 11, 5, 30, 0));
        assert_int_equal(when_ok("tomorrow 7:30", NOW), utc(2026, 6, 11, 5, 30, 0));
        assert_int_equal(when_ok("TOMORROW 0:00", NOW), utc(2026, 6, 10, 22, 0, 0));
        /* Over a year end and a month end. */
        assert_int_equal(when_ok("tomorrow 10:00", utc(2026, 12, 31, 12, 0, 0)), utc(2027, 1, 1, 9, 0, 0));
        assert_int_equal(when_ok("tomorrow 10:00", utc(2026, 6, 30, 12, 0, 0)), utc(2026, 7, 1, 8, 0, 0));
}

static void test_date(void **state) {
        (void) state;
        assert_int_equal(when_ok("2026-12-24 18:00", NOW), utc(2026, 12, 24, 17, 0, 0));
        assert_int_equal(when_ok("2026-06-10 18:00", NOW), utc(2026, 6, 10, 16, 0, 0));
        assert_int_equal(when_ok("2026-06-10   9:05", utc(2026, 6, 10, 6, 0, 0)), utc(2026, 6, 10, 7, 5, 0));
        assert_int_equal(when_ok("2027-06-10 14:20", NOW), utc(2027, 6, 10, 12, 20, 0));
        when_bad("2026-06-09 23:59", NOW, -ERANGE, "is in the past");
        when_bad("2020-01-01 00:00", NOW, -ERANGE, "is in the past");
        when_bad("2027-06-11 14:21", NOW, -ERANGE, "is more than a year ahead");
        when_bad("2028-06-10 10:00", NOW, -ERANGE, "is more than a year ahead");
        when_bad("9999-12-31 23:59", NOW, -ERANGE, "is more than a year ahead");
}

static void test_weekday(void **state) {
        (void) state;
        /* NOW is a Wednesday. */
        assert_int_equal(when_ok("wed 15:00", NOW), utc(2026, 6, 10, 13, 0, 0));
        assert_int_equal(when_ok("wed 14:00", NOW), utc(2026, 6, 17, 12, 0, 0));
        assert_int_equal(when_ok("wednesday 14:20", NOW), utc(2026, 6, 17, 12, 20, 0));
        assert_int_equal(when_ok("thu 10:00", NOW), utc(2026, 6, 11, 8, 0, 0));
        assert_int_equal(when_ok("tue 10:00", NOW), utc(2026, 6, 16, 8, 0, 0));
        assert_int_equal(when_ok("Sunday 9:00", NOW), utc(2026, 6, 14, 7, 0, 0));
        assert_int_equal(when_ok("MON 9:00", NOW), utc(2026, 6, 15, 7, 0, 0));

        /* Saturday 19:00 and 21:00: this Saturday's 20:00, then next week's. */
        assert_int_equal(when_ok("sat 20:00", utc(2026, 6, 13, 17, 0, 0)), utc(2026, 6, 13, 18, 0, 0));
        assert_int_equal(when_ok("saturday 20:00", utc(2026, 6, 13, 19, 0, 0)), utc(2026, 6, 20, 18, 0, 0));
        /* At 20:00 sharp it is no longer ahead. */
        assert_int_equal(when_ok("sat 20:00", utc(2026, 6, 13, 18, 0, 0)), utc(2026, 6, 20, 18, 0, 0));
        assert_int_equal(when_ok("sat 20:00", utc(2026, 6, 13, 17, 59, 59)), utc(2026, 6, 13, 18, 0, 0));
        /* Next week's across the spring change: Saturday 2026-03-28 21:00 CET,
         * a week on is in CEST. */
        assert_int_equal(when_ok("sat 20:00", utc(2026, 3, 28, 20, 0, 0)), utc(2026, 4, 4, 18, 0, 0));
        assert_int_equal(when_ok("sun 02:30", utc(2026, 3, 28, 20, 0, 0)), utc(2026, 3, 29, 1, 30, 0));
}

static void test_relative(void **state) {
        (void) state;
        assert_int_equal(when_ok("+2h", NOW), NOW + 2 * H);
        assert_int_equal(when_ok("+30min", NOW), NOW + 1800);
        assert_int_equal(when_ok("+90min", NOW), NOW + 5400);
        assert_int_equal(when_ok("+1h30min", NOW), NOW + 5400);
        assert_int_equal(when_ok("+1h 30min", NOW), NOW + 5400);
        assert_int_equal(when_ok("  +1H  30MIN  ", NOW), NOW + 5400);
        assert_int_equal(when_ok("+45s", NOW), NOW + 45);
        assert_int_equal(when_ok("+90m", NOW), NOW + 5400);
        assert_int_equal(when_ok("+1d", NOW), NOW + D);
        assert_int_equal(when_ok("+2 days", NOW), NOW + 2 * D);
        assert_int_equal(when_ok("+1d2h", NOW), NOW + D + 2 * H);
        assert_int_equal(when_ok("+366d", NOW), NOW + 366 * D);
        assert_int_equal(when_ok("+8784h", NOW), NOW + 366 * D);
        when_bad("+367d", NOW, -ERANGE, "is more than a year ahead");
        when_bad("+8784h1s", NOW, -ERANGE, "is more than a year ahead");
        when_bad("+400d", NOW, -ERANGE, "is more than a year ahead");
        when_bad("+100000d", NOW, -ERANGE, "is more than a year ahead");
        when_bad("+99999999999999999999h", NOW, -ERANGE, "is more than a year ahead");
}

static void test_dst_days(void **state) {
        (void) state;
        /* Sunday 2026-03-29 01:00 CET, an hour before the clocks go forward. */
        time_t spring = utc(2026, 3, 29, 0, 0, 0);
        assert_int_equal(when_ok("02:30", spring), utc(2026, 3, 29, 1, 30, 0)); /* 03:30 CEST */
        assert_int_equal(when_ok("02:00", spring), utc(2026, 3, 29, 1, 0, 0));  /* 03:00 CEST */
        assert_int_equal(when_ok("03:30", spring), utc(2026, 3, 29, 1, 30, 0));
        assert_int_equal(when_ok("01:59", spring), utc(2026, 3, 29, 0, 59, 0));
        assert_int_equal(when_ok("2026-03-29 02:30", spring), utc(2026, 3, 29, 1, 30, 0));
        assert_int_equal(when_ok("+2h", spring), utc(2026, 3, 29, 2, 0, 0)); /* 04:00 CEST */
        assert_int_equal(when_ok("tomorrow 02:30", spring), utc(2026, 3, 30, 0, 30, 0));

        /* +1d keeps the wall-clock time: 23 hours over the spring change,
         * 25 over the autumn one; +24h does not. */
        assert_int_equal(when_ok("+1d", utc(2026, 3, 28, 11, 0, 0)), utc(2026, 3, 29, 10, 0, 0));
        assert_int_equal(when_ok("+24h", utc(2026, 3, 28, 11, 0, 0)), utc(2026, 3, 29, 11, 0, 0));
        assert_int_equal(when_ok("+1d", utc(2026, 10, 24, 10, 0, 0)), utc(2026, 10, 25, 11, 0, 0));
        assert_int_equal(when_ok("+7d", utc(2026, 3, 25, 19, 0, 0)), utc(2026, 4, 1, 18, 0, 0));
        /* ... and its seconds. */
        assert_int_equal(when_ok("+1d", utc(2026, 3, 28, 11, 0, 30)), utc(2026, 3, 29, 10, 0, 30));
        /* 02:30 CET a day before the gap lands in it: moved on to 03:30 CEST. */
        assert_int_equal(when_ok("+1d", utc(2026, 3, 28, 1, 30, 0)), utc(2026, 3, 29, 1, 30, 0));
        /* Days and hours: the days in wall-clock time, then the hours. */
        assert_int_equal(when_ok("+1d1h", utc(2026, 3, 28, 11, 0, 0)), utc(2026, 3, 29, 11, 0, 0));

        /* Sunday 2026-10-25 00:00 CEST: 02:30 happens twice, the first counts. */
        time_t autumn = utc(2026, 10, 24, 22, 0, 0);
        assert_int_equal(when_ok("02:30", autumn), utc(2026, 10, 25, 0, 30, 0)); /* 02:30 CEST */
        assert_int_equal(when_ok("2026-10-25 02:00", autumn), utc(2026, 10, 25, 0, 0, 0));
        assert_int_equal(when_ok("03:00", autumn), utc(2026, 10, 25, 2, 0, 0));
        /* During the second 02:30 (CET), the first one is already past. */
        when_bad("02:45", utc(2026, 10, 25, 1, 30, 0), -ERANGE, "is in the past");
        /* +1d from the second 02:30 is 02:30 CET on Monday. */
        assert_int_equal(when_ok("+1d", utc(2026, 10, 25, 1, 30, 0)), utc(2026, 10, 26, 1, 30, 0));
}

static void test_refused(void **state) {
        static const char *const garbage[] = {
                "garbage", "yesterday 10:00", "10:00 tomorrow", "tomorrow", "sat", "2026-06-10",
                "2026-06-10T18:00", "+", "+0h", "+0d", "+2x", "-2h", "+2h junk", "now", "+ 2h",
                "2h", "++2h", "sat 20:00 x", "tomorrow tomorrow 10:00", "10h00", "18.00",
                "noon", "next sat 20:00", "+1.5h", "+-1h", "2026-06-10 18:00:00", "sa 20:00",
                "18:00pm", "\x01", "t\xc3\xa4glich 10:00", "18:0", "1800",
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(garbage); i++)
                when_bad(garbage[i], NOW, -EINVAL, "is not a time: use YYYY-MM-DD HH:MM, HH:MM");

        when_bad("25:00", NOW, -EINVAL, "is not a valid time of day");
        when_bad("24:00", NOW, -EINVAL, "is not a valid time of day");
        when_bad("tomorrow 12:60", NOW, -EINVAL, "is not a valid time of day");
        when_bad("sat 99:99", NOW, -EINVAL, "is not a valid time of day");
        when_bad("2026-02-30 10:00", NOW, -EINVAL, "is not a valid date");
        when_bad("2026-13-01 10:00", NOW, -EINVAL, "is not a valid date");
        when_bad("1969-12-31 10:00", NOW, -EINVAL, "is not a valid date");

        when_bad("", NOW, -EINVAL, "is empty");
        when_bad("   \t ", NOW, -EINVAL, "is empty");
        when_bad(NULL, NOW, -EINVAL, "is empty");

        /* 64 bytes are fine, 65 are not, whatever they hold. */
        char text[WHEN_TEXT_MAX + 2];
        memset(text, ' ', sizeof(text));
        memcpy(text, "18:00", 5);
        text[WHEN_TEXT_MAX] = '\0';
        assert_int_equal(when_ok(text, NOW), utc(2026, 6, 10, 16, 0, 0));
        text[WHEN_TEXT_MAX] = ' ';
        text[WHEN_TEXT_MAX + 1] = '\0';
        when_bad(text, NOW, -EINVAL, "is too long");

        /* A NULL reason is allowed. */
        time_t t;
        assert_int_equal(when_parse("garbage", NOW, &t, NULL), -EINVAL);
        assert_int_equal(when_parse("10:00", NOW, &t, NULL), -ERANGE);
}

static void test_unbounded(void **state) {
        const char *reason = NULL;
        time_t t;

        (void) state;
        assert_int_equal(when_parse_unbounded("2020-01-01 00:00", NOW, &t, &reason), 0);
        assert_int_equal(t, utc(2019, 12, 31, 23, 0, 0));
        assert_int_equal(when_parse_unbounded("1970-01-01 00:30", NOW, &t, &reason), 0);
        assert_int_equal(t, -1800);
        assert_int_equal(when_parse_unbounded("7:30", NOW, &t, &reason), 0);
        assert_int_equal(t, utc(2026, 6, 10, 5, 30, 0));
        assert_int_equal(when_parse_unbounded("2030-01-01 10:00", NOW, &t, &reason), 0);
        assert_int_equal(t, utc(2030, 1, 1, 9, 0, 0));
        assert_int_equal(when_parse_unbounded("9999-12-31 23:59", NOW, &t, &reason), 0);
        assert_int_equal(t, utc(9999, 12, 31, 22, 59, 0));
        assert_int_equal(when_parse_unbounded("+400d", NOW, &t, &reason), 0);
        assert_int_equal(t, utc(2027, 7, 15, 12, 20, 30));
        assert_null(reason);

        assert_int_equal(when_parse_unbounded("+100000d", NOW, &t, &reason), -ERANGE);
        assert_string_equal(reason, "is too far away");
        assert_int_equal(when_parse_unbounded("25:00", NOW, &t, &reason), -EINVAL);
        assert_int_equal(when_parse_unbounded("garbage", NOW, &t, &reason), -EINVAL);
        assert_int_equal(when_parse_unbounded("2026-02-30 10:00", NOW, &t, &reason), -EINVAL);

        /* A now the C library cannot convert. */
        assert_int_equal(when_parse_unbounded("10:00", (time_t) INT64_MAX, &t, &reason), -EINVAL);
        assert_int_equal(when_parse_unbounded("+1d", (time_t) INT64_MAX, &t, &reason), -EINVAL);
        assert_int_equal(when_parse_unbounded("+1h", (time_t) INT64_MAX, &t, &reason), -ERANGE);
        assert_int_equal(when_parse("+1h", (time_t) INT64_MIN, &t, &reason), 0);
        assert_int_equal(when_parse("2026-06-10 10:00", (time_t) INT64_MIN, &t, &reason), -EINVAL);
}

static void test_other_zone(void **state) {
        time_t t;

        (void) state;
        /* The process zone is read anew on every call. */
        assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
        assert_int_equal(when_parse("2026-11-01 01:30", utc(2026, 10, 31, 12, 0, 0), &t, NULL), 0);
        assert_int_equal(t, utc(2026, 11, 1, 5, 30, 0)); /* 01:30 EDT, the first */
        assert_int_equal(setenv("TZ", "Australia/Lord_Howe", 1), 0);
        assert_int_equal(when_parse("sun 02:15", utc(2026, 10, 1, 0, 0, 0), &t, NULL), 0);
        assert_int_equal(t, utc(2026, 10, 3, 15, 45, 0)); /* 02:45 +11 */
        assert_int_equal(setenv("TZ", "Europe/Berlin", 1), 0);
        tzset();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_today),
                cmocka_unit_test(test_tomorrow),
                cmocka_unit_test(test_date),
                cmocka_unit_test(test_weekday),
                cmocka_unit_test(test_relative),
                cmocka_unit_test(test_dst_days),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_unbounded),
                cmocka_unit_test(test_other_zone),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
