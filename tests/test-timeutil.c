/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/timeutil.c: calendar arithmetic, SPEC 4's resolution
 * of local times across DST changes in several zones, and the parsers. */

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

static void set_tz(const char *tz) {
        assert_int_equal(setenv("TZ", tz, 1), 0);
        tzset();
}

/* A UTC instant, independent of the zone under test. */
static time_t utc(int y, int mo, int d, int h, int mi, int s) {
        return (time_t) (day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

static time_t resolve(int y, int mo, int d, int h, int mi) {
        time_t t = 0;

        assert_int_equal(local_resolve(day_from_ymd(y, mo, d), h * 60 + mi, &t), 0);
        return t;
}

static void test_day_known(void **state) {
        (void) state;
        assert_int_equal(day_from_ymd(1970, 1, 1), 0);
        assert_int_equal(day_from_ymd(1969, 12, 31), -1);
        assert_int_equal(day_from_ymd(1970, 1, 2), 1);
        assert_int_equal(day_from_ymd(2000, 3, 1), 11017);
        assert_int_equal(day_from_ymd(2026, 3, 29), 20541);
        assert_int_equal(day_from_ymd(1, 1, 1), -719162);
        assert_int_equal(day_from_ymd(0, 1, 1), -719528);
        assert_int_equal(day_from_ymd(9999, 12, 31), 2932896);
        assert_int_equal(day_from_ymd(-1, 12, 31), -719529);
}

static void test_day_roundtrip(void **state) {
        int py, pm, pd;

        (void) state;
        ymd_from_day(-1000001, &py, &pm, &pd);
        /* Every day from about 770 BC to 10000 AD, and each one the day
         * after the one before. */
        for (int64_t day = -1000000; day <= 3000000; day++) {
                int y, m, d;

                ymd_from_day(day, &y, &m, &d);
                assert_true(ymd_valid(y, m, d));
                assert_int_equal(day_from_ymd(y, m, d), day);
                if (d == 1) {
                        assert_true(pm == (m == 1 ? 12 : m - 1));
                        assert_false(ymd_valid(py, pm, pd + 1));
                } else
                        assert_true(pd == d - 1 && pm == m && py == y);
                assert_int_equal(weekday_of_day(day), weekday_of_day(day - 1) % 7 + 1);
                py = y, pm = m, pd = d;
        }

        /* Far years an int holds. */
        for (int y = -2000000; y <= 2000000; y += 99991) {
                int y2, m2, d2;

                ymd_from_day(day_from_ymd(y, 2, 29), &y2, &m2, &d2);
                if (ymd_valid(y, 2, 29))
                        assert_true(y2 == y && m2 == 2 && d2 == 29);
                ymd_from_day(day_from_ymd(y, 12, 31), &y2, &m2, &d2);
                assert_true(y2 == y && m2 == 12 && d2 == 31);
        }

        /* NULL outputs are fine. */
        ymd_from_day(0, NULL, NULL, NULL);
}

static void test_weekday(void **state) {
        (void) state;
        assert_int_equal(weekday_of_day(0), 4);                          /* Thursday */
        assert_int_equal(weekday_of_day(day_from_ymd(1969, 12, 29)), 1); /* Monday */
        assert_int_equal(weekday_of_day(day_from_ymd(2000, 1, 1)), 6);
        assert_int_equal(weekday_of_day(day_from_ymd(2026, 3, 29)), 7);
        assert_int_equal(weekday_of_day(day_from_ymd(2026, 6, 10)), 3);
        assert_int_equal(weekday_of_day(day_from_ymd(1, 1, 1)), 1);
        assert_int_equal(weekday_of_day(day_from_ymd(1582, 10, 15)), 5);
        assert_int_equal(weekday_of_day(day_from_ymd(9999, 12, 31)), 5);
}

static void test_ymd_valid(void **state) {
        (void) state;
        assert_true(ymd_valid(2024, 2, 29));
        assert_true(ymd_valid(2000, 2, 29));
        assert_false(ymd_valid(1900, 2, 29));
        assert_false(ymd_valid(2026, 2, 29));
        assert_true(ymd_valid(2026, 1, 31));
        assert_false(ymd_valid(2026, 4, 31));
        assert_false(ymd_valid(2026, 0, 1));
        assert_false(ymd_valid(2026, 13, 1));
        assert_false(ymd_valid(2026, 1, 0));
        assert_false(ymd_valid(2026, 1, 32));
        assert_true(ymd_valid(0, 2, 29));
        assert_true(ymd_valid(-4, 2, 29));
        assert_false(ymd_valid(-1, 2, 29));
}

static void test_resolve_berlin(void **state) {
        time_t t;

        (void) state;
        set_tz("Europe/Berlin");
        assert_int_equal(resolve(2026, 6, 1, 12, 0), utc(2026, 6, 1, 10, 0, 0));
        assert_int_equal(resolve(2026, 1, 1, 0, 0), utc(2025, 12, 31, 23, 0, 0));

        /* Spring forward, 2026-03-29 02:00 CET -> 03:00 CEST. */
        assert_int_equal(resolve(2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59, 0));
        assert_int_equal(resolve(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0, 0));
        assert_int_equal(resolve(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 30, 0)); /* 03:30 CEST */
        assert_int_equal(resolve(2026, 3, 29, 2, 59), utc(2026, 3, 29, 1, 59, 0));
        assert_int_equal(resolve(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0, 0));
        assert_int_equal(resolve(2026, 3, 29, 3, 30), utc(2026, 3, 29, 1, 30, 0));

        /* Fall back, 2026-10-25 03:00 CEST -> 02:00 CET: the first 02:xx. */
        assert_int_equal(resolve(2026, 10, 25, 1, 59), utc(2026, 10, 24, 23, 59, 0));
        assert_int_equal(resolve(2026, 10, 25, 2, 0), utc(2026, 10, 25, 0, 0, 0));
        assert_int_equal(resolve(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30, 0));
        assert_int_equal(resolve(2026, 10, 25, 2, 59), utc(2026, 10, 25, 0, 59, 0));
        assert_int_equal(resolve(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0, 0));

        /* Whatever glibc converted last must not matter. */
        (void) local_minute_of(utc(2026, 10, 25, 1, 30, 0)); /* 02:30 CET */
        assert_int_equal(resolve(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30, 0));

        assert_int_equal(local_resolve(0, -1, &t), -EINVAL);
        assert_int_equal(local_resolve(0, 1440, &t), -EINVAL);
        assert_int_equal(local_resolve(day_from_ymd(10000, 1, 1), 0, &t), -ERANGE);
        assert_int_equal(local_resolve(day_from_ymd(0, 12, 31), 0, &t), -ERANGE);
        assert_int_equal(local_resolve(INT64_MAX, 0, &t), -ERANGE);
        assert_int_equal(local_resolve(INT64_MIN, 0, &t), -ERANGE);
        assert_int_equal(local_resolve(day_from_ymd(1, 1, 1), 0, &t), 0);
        assert_int_equal(local_resolve(day_from_ymd(9999, 12, 31), 1439, &t), 0);
        assert_int_equal(local_day_of(t), day_from_ymd(9999, 12, 31));
        assert_int_equal(local_minute_of(t), 1439);
}

static void test_resolve_new_york(void **state) {
        (void) state;
        set_tz("America/New_York");
        /* 2026-03-08 02:00 EST -> 03:00 EDT */
        assert_int_equal(resolve(2026, 3, 8, 1, 59), utc(2026, 3, 8, 6, 59, 0));
        assert_int_equal(resolve(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30, 0)); /* 03:30 EDT */
        assert_int_equal(resolve(2026, 3, 8, 3, 0), utc(2026, 3, 8, 7, 0, 0));
        /* 2026-11-01 02:00 EDT -> 01:00 EST */
        assert_int_equal(resolve(2026, 11, 1, 0, 59), utc(2026, 11, 1, 4, 59, 0));
        assert_int_equal(resolve(2026, 11, 1, 1, 0), utc(2026, 11, 1, 5, 0, 0));
        assert_int_equal(resolve(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30, 0)); /* 01:30 EDT */
        assert_int_equal(resolve(2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0, 0));
}

static void test_resolve_lord_howe(void **state) {
        (void) state;
        set_tz("Australia/Lord_Howe");
        /* 2026-04-05 02:00 +11 -> 01:30 +1030: 01:30-01:59 twice. */
        assert_int_equal(resolve(2026, 4, 5, 1, 29), utc(2026, 4, 4, 14, 29, 0));
        assert_int_equal(resolve(2026, 4, 5, 1, 30), utc(2026, 4, 4, 14, 30, 0));
        assert_int_equal(resolve(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45, 0)); /* +11 */
        assert_int_equal(resolve(2026, 4, 5, 1, 59), utc(2026, 4, 4, 14, 59, 0));
        assert_int_equal(resolve(2026, 4, 5, 2, 0), utc(2026, 4, 4, 15, 30, 0));  /* +1030 */
        /* 2026-10-04 02:00 +1030 -> 02:30 +11: a 30-minute gap. */
        assert_int_equal(resolve(2026, 10, 4, 1, 59), utc(2026, 10, 3, 15, 29, 0));
        assert_int_equal(resolve(2026, 10, 4, 2, 0), utc(2026, 10, 3, 15, 30, 0));
        assert_int_equal(resolve(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 45, 0)); /* 02:45 +11 */
        assert_int_equal(resolve(2026, 10, 4, 2, 30), utc(2026, 10, 3, 15, 30, 0));
        assert_int_equal(local_minute_of(resolve(2026, 10, 4, 2, 15)), 2 * 60 + 45);
}

static void test_resolve_kathmandu(void **state) {
        (void) state;
        set_tz("Asia/Kathmandu");
        assert_int_equal(resolve(2026, 1, 1, 0, 0), utc(2025, 12, 31, 18, 15, 0));
        assert_int_equal(local_utc_offset(utc(2026, 1, 1, 0, 0, 0)), 5 * 3600 + 45 * 60);
        /* 1986-01-01 00:00 +0530 -> 00:15 +0545, a 15-minute gap. */
        assert_int_equal(resolve(1986, 1, 1, 0, 10), utc(1985, 12, 31, 18, 40, 0));
        assert_int_equal(local_minute_of(resolve(1986, 1, 1, 0, 10)), 25);
        /* 1920-01-01 00:00 LMT (+05:41:16) -> 23:48:44 +0530: the first of
         * the repeated minutes is in local mean time, to the second. */
        assert_int_equal(resolve(1919, 12, 31, 23, 50), utc(1919, 12, 31, 18, 8, 44));
}

static void test_resolve_utc(void **state) {
        (void) state;
        set_tz("UTC");
        assert_int_equal(resolve(2026, 3, 29, 2, 30), utc(2026, 3, 29, 2, 30, 0));
        assert_int_equal(resolve(1970, 1, 1, 0, 0), 0);
        assert_int_equal(resolve(1969, 12, 31, 23, 59), -60);
        assert_int_equal(local_utc_offset(0), 0);
}

/* In each zone, for every quarter hour of two years: the result shows the
 * wall time asked for (or, in a gap, a later one the gap's length on), and
 * no instant one of the usual DST shifts earlier shows the same wall time. */
static void test_resolve_property(void **state) {
        static const time_t shifts[] = { 900, 1800, 2700, 3600, 5400, 7200 };
        static const char *const zones[] = {
                "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "UTC",
        };

        (void) state;
        for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
                set_tz(zones[z]);
                for (int64_t day = day_from_ymd(2025, 1, 1); day < day_from_ymd(2027, 1, 1); day++)
                        for (int minute = 0; minute < 1440; minute += 15) {
                                time_t t = 0;

                                assert_int_equal(local_resolve(day, minute, &t), 0);
                                int64_t got = local_day_of(t) * 1440 + local_minute_of(t);
                                int64_t want = day * 1440 + minute;
                                assert_true(got >= want && got <= want + 60);
                                if (got == want)
                                        for (size_t b = 0; b < ELEMENTSOF(shifts); b++)
                                                assert_false(local_day_of(t - shifts[b]) == day &&
                                                             local_minute_of(t - shifts[b]) == minute);
                                else /* a gap: just before the result, time was before ours */
                                        assert_true(local_day_of(t - 60 * (got - want)) * 1440 +
                                                    local_minute_of(t - 60 * (got - want)) < want);
                        }
        }
}

static void test_local_of(void **state) {
        (void) state;
        set_tz("Europe/Berlin");
        assert_int_equal(local_utc_offset(utc(2026, 3, 29, 0, 59, 59)), 3600);
        assert_int_equal(local_utc_offset(utc(2026, 3, 29, 1, 0, 0)), 7200);
        assert_int_equal(local_minute_of(utc(2026, 3, 29, 0, 59, 59)), 119);
        assert_int_equal(local_minute_of(utc(2026, 3, 29, 1, 0, 0)), 180);
        assert_int_equal(local_day_of(utc(2026, 3, 28, 23, 0, 0)), day_from_ymd(2026, 3, 29));
        assert_int_equal(local_day_of(utc(2026, 3, 28, 22, 59, 0)), day_from_ymd(2026, 3, 28));
        assert_int_equal(local_day_of(-1), 0); /* 1970-01-01 00:59:59 CET */

        set_tz("America/New_York");
        assert_int_equal(local_utc_offset(utc(2026, 1, 1, 0, 0, 0)), -5 * 3600);
        assert_int_equal(local_day_of(utc(2026, 1, 1, 0, 0, 0)), day_from_ymd(2025, 12, 31));
        assert_int_equal(local_minute_of(utc(2026, 1, 1, 0, 0, 0)), 19 * 60);

        /* An instant localtime_r cannot convert. */
        assert_int_equal(local_day_of((time_t) INT64_MAX), INT64_MIN);
        assert_int_equal(local_minute_of((time_t) INT64_MAX), -EOVERFLOW);
        assert_int_equal(local_utc_offset((time_t) INT64_MAX), 0);
}

static void check_iso(const char *tz, time_t t, const char *want) {
        char buf[32];

        set_tz(tz);
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(format_iso_local(t, buf), 0);
        assert_string_equal(buf, want);
}

static void test_format_iso_local(void **state) {
        char buf[32];

        (void) state;
        check_iso("Europe/Berlin", utc(2026, 7, 1, 10, 0, 0), "2026-07-01T12:00:00+02:00");
        check_iso("Europe/Berlin", utc(2026, 1, 1, 10, 0, 5), "2026-01-01T11:00:05+01:00");
        check_iso("Europe/Berlin", utc(2026, 10, 25, 0, 30, 0), "2026-10-25T02:30:00+02:00");
        check_iso("Europe/Berlin", utc(2026, 10, 25, 1, 30, 0), "2026-10-25T02:30:00+01:00");
        check_iso("America/New_York", utc(2026, 1, 1, 10, 0, 0), "2026-01-01T05:00:00-05:00");
        check_iso("America/New_York", utc(2026, 7, 1, 10, 0, 0), "2026-07-01T06:00:00-04:00");
        check_iso("America/St_Johns", utc(2026, 1, 1, 10, 0, 0), "2026-01-01T06:30:00-03:30");
        check_iso("Asia/Kathmandu", utc(2026, 1, 1, 0, 0, 0), "2026-01-01T05:45:00+05:45");
        check_iso("Australia/Lord_Howe", utc(2026, 7, 1, 0, 0, 0), "2026-07-01T10:30:00+10:30");
        check_iso("Australia/Lord_Howe", utc(2026, 1, 1, 0, 0, 0), "2026-01-01T11:00:00+11:00");
        check_iso("UTC", 0, "1970-01-01T00:00:00+00:00");
        check_iso("UTC", -1, "1969-12-31T23:59:59+00:00");
        check_iso("UTC", utc(9999, 12, 31, 23, 59, 59), "9999-12-31T23:59:59+00:00");

        set_tz("UTC");
        assert_int_equal(format_iso_local(utc(9999, 12, 31, 23, 59, 59) + 1, buf), -ERANGE);
        assert_int_equal(format_iso_local(utc(0, 1, 1, 0, 0, 0) - 1, buf), -ERANGE);
        assert_int_equal(format_iso_local((time_t) INT64_MAX, buf), -EOVERFLOW);
}

static void test_format_date(void **state) {
        char buf[16];

        (void) state;
        assert_int_equal(format_date(0, buf), 0);
        assert_string_equal(buf, "1970-01-01");
        assert_int_equal(format_date(day_from_ymd(2026, 3, 29), buf), 0);
        assert_string_equal(buf, "2026-03-29");
        assert_int_equal(format_date(day_from_ymd(0, 1, 1), buf), 0);
        assert_string_equal(buf, "0000-01-01");
        assert_int_equal(format_date(day_from_ymd(9999, 12, 31), buf), 0);
        assert_string_equal(buf, "9999-12-31");
        assert_int_equal(format_date(day_from_ymd(10000, 1, 1), buf), -ERANGE);
        assert_int_equal(format_date(day_from_ymd(-1, 12, 31), buf), -ERANGE);
        assert_int_equal(format_date(INT64_MAX, buf), -ERANGE);
        assert_int_equal(format_date(INT64_MIN, buf), -ERANGE);
}

static void test_parse_hhmm(void **state) {
        static const struct {
                const char *s;
                int minute;
        } good[] = {
                { "00:00", 0 }, { "23:59", 1439 }, { "7:30", 450 }, { "07:30", 450 },
                { "0:00", 0 },  { "12:05", 725 },  { "9:59", 599 },
        };
        static const char *const bad[] = {
                "", "24:00", "12:60", "7:3", "123:00", " 7:30", "7:30 ", "7:30x", "a:bc",
                "-1:00", "+7:30", "07.30", "0730", ":30", "7:", "1:2:3", "07:5", "07:300",
                "99:99", "7：30", "\t7:30", "007:30", "7:30\n", "0x7:30",
        };
        int m;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                m = -1;
                assert_int_equal(parse_hhmm(good[i].s, &m), 0);
                assert_int_equal(m, good[i].minute);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                m = -1;
                assert_int_equal(parse_hhmm(bad[i], &m), -EINVAL);
                assert_int_equal(m, -1);
        }
        assert_int_equal(parse_hhmm(NULL, &m), -EINVAL);
        assert_int_equal(parse_hhmm("7:30", NULL), 0);
}

static void test_parse_date(void **state) {
        static const char *const good[] = {
                "2026-02-28", "2024-02-29", "1970-01-01", "9999-12-31", "2000-02-29", "2026-12-31",
        };
        static const char *const bad[] = {
                "2026-02-30", "2026-02-29", "1900-02-29", "1969-12-31", "2026-13-01", "2026-00-10",
                "2026-01-00", "2026-04-31", "2026-1-01", "26-01-01", "2026-01-01 ", " 2026-01-01",
                "2026/01/01", "20260101", "", "10000-01-01", "+026-01-01", "2026-01-01x",
                "2026-01-1", "0000-01-01", "2026-+1-01", "2026--1-01", "２026-01-01",
        };
        int64_t day;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char buf[16];

                assert_int_equal(parse_date(good[i], &day), 0);
                assert_int_equal(format_date(day, buf), 0);
                assert_string_equal(buf, good[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                day = 42;
                assert_int_equal(parse_date(bad[i], &day), -EINVAL);
                assert_int_equal(day, 42);
        }
        assert_int_equal(parse_date(NULL, &day), -EINVAL);
        assert_int_equal(parse_date("2026-03-29", NULL), 0);
}

static void test_parse_weekday(void **state) {
        static const char *const longs[] = {
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        };
        static const char *const bad[] = {
                "", "sa", "satu", "saturdays", " sat", "sat ", "mon.", "lundi", "mo", "1", "sund",
        };

        (void) state;
        for (int wd = 1; wd <= 7; wd++) {
                assert_int_equal(parse_weekday(weekday_to_string(wd)), wd);
                assert_int_equal(parse_weekday(longs[wd - 1]), wd);
        }
        assert_string_equal(weekday_to_string(1), "mon");
        assert_string_equal(weekday_to_string(6), "sat");
        assert_string_equal(weekday_to_string(7), "sun");
        assert_null(weekday_to_string(0));
        assert_null(weekday_to_string(8));
        assert_null(weekday_to_string(-EINVAL));
        assert_int_equal(parse_weekday("SAT"), 6);
        assert_int_equal(parse_weekday("Saturday"), 6);
        assert_int_equal(parse_weekday("sAtUrDaY"), 6);
        assert_int_equal(parse_weekday("FRIDAY"), 5);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_weekday(bad[i]), -EINVAL);
        assert_int_equal(parse_weekday(NULL), -EINVAL);
}

static void test_parse_duration(void **state) {
        static const struct {
                const char *s;
                int64_t seconds;
        } good[] = {
                { "3h", 10800 },          { "30min", 1800 },       { "90m", 5400 },
                { "1h30min", 5400 },      { "1h 30min", 5400 },    { "1h   30min", 5400 },
                { "2d", 172800 },         { "45s", 45 },           { "1 h", 3600 },
                { "2 hours", 7200 },      { "1hour", 3600 },       { "1day", 86400 },
                { "3 days", 259200 },     { "10sec", 10 },         { "1H30MIN", 5400 },
                { "400d", 400 * 86400 },  { "0h1s", 1 },           { "1d2h3min4s", 93784 },
                { "2 minutes", 120 },     { "1h\t30min", 5400 },   { "007m", 420 },
                { "399d23h59min60s", 400 * 86400 },                { "1h1h", 7200 },
                { "9600h", 400 * 86400 }, { "34560000s", 400 * 86400 },
        };
        static const char *const bad[] = {
                "", "h", "3", "3x", "-3h", "+3h", "3h ", " 3h", "0h", "0s", "0d0h", "401d", "400d1s",
                "99999999999999999999h", "1.5h", "3 h x", "3hh", "h3", "3h,30min", "1e3s", "3h30",
                "3 ", "1w", "1y", "3mo", "1h -30min", "34560001s", "1000000000001s", "3h\n",
        };
        int64_t s;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                s = -1;
                assert_int_equal(parse_duration(good[i].s, &s), 0);
                assert_int_equal(s, good[i].seconds);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                s = -1;
                assert_int_equal(parse_duration(bad[i], &s), -EINVAL);
                assert_int_equal(s, -1);
        }
        assert_int_equal(parse_duration(NULL, &s), -EINVAL);
        assert_int_equal(parse_duration("1h", NULL), 0);
}

static void test_parse_duration_parts(void **state) {
        int64_t d, s;

        (void) state;
        assert_int_equal(parse_duration_parts("1d2h", &d, &s), 0);
        assert_true(d == 1 && s == 7200);
        assert_int_equal(parse_duration_parts("24h", &d, &s), 0);
        assert_true(d == 0 && s == 86400);
        assert_int_equal(parse_duration_parts("2 days 1 day 30min", &d, &s), 0);
        assert_true(d == 3 && s == 1800);
        assert_int_equal(parse_duration_parts("0d", &d, &s), 0);
        assert_true(d == 0 && s == 0);
        assert_int_equal(parse_duration_parts("10000d", &d, &s), 0);
        assert_int_equal(parse_duration_parts("10000d1s", &d, &s), -ERANGE);
        assert_int_equal(parse_duration_parts("10001d", &d, &s), -ERANGE);
        assert_int_equal(parse_duration_parts("240001h", &d, &s), -ERANGE);
        assert_int_equal(parse_duration_parts("9999999999999999999999999999d", &d, &s), -ERANGE);
        assert_int_equal(parse_duration_parts("1x", &d, &s), -EINVAL);
        assert_int_equal(parse_duration_parts("", &d, &s), -EINVAL);
}

static void test_format_duration(void **state) {
        static const struct {
                int64_t seconds;
                const char *s;
        } cases[] = {
                { 10800, "3h" },      { 5400, "1h30min" },      { 1800, "30min" },
                { 45, "45s" },        { 93784, "1d2h3min4s" },  { 86400, "1d" },
                { 61, "1min1s" },     { 400 * 86400, "400d" },
                { INT64_MAX, "106751991167300d15h30min7s" },
        };
        char buf[32];

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(format_duration(cases[i].seconds, buf), 0);
                assert_string_equal(buf, cases[i].s);
        }
        assert_int_equal(format_duration(0, buf), -EINVAL);
        assert_int_equal(format_duration(-1, buf), -EINVAL);
        assert_int_equal(format_duration(INT64_MIN, buf), -EINVAL);

        /* Everything formatted parses back to itself. */
        for (int64_t s = 1; s <= DURATION_MAX_SEC; s += 7919) {
                int64_t back;

                assert_int_equal(format_duration(s, buf), 0);
                assert_int_equal(parse_duration(buf, &back), 0);
                assert_int_equal(back, s);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_day_known),
                cmocka_unit_test(test_day_roundtrip),
                cmocka_unit_test(test_weekday),
                cmocka_unit_test(test_ymd_valid),
                cmocka_unit_test(test_resolve_berlin),
                cmocka_unit_test(test_resolve_new_york),
                cmocka_unit_test(test_resolve_lord_howe),
                cmocka_unit_test(test_resolve_kathmandu),
                cmocka_unit_test(test_resolve_utc),
                cmocka_unit_test(test_resolve_property),
                cmocka_unit_test(test_local_of),
                cmocka_unit_test(test_format_iso_local),
                cmocka_unit_test(test_format_date),
                cmocka_unit_test(test_parse_hhmm),
                cmocka_unit_test(test_parse_date),
                cmocka_unit_test(test_parse_weekday),
                cmocka_unit_test(test_parse_duration),
                cmocka_unit_test(test_parse_duration_parts),
                cmocka_unit_test(test_format_duration),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
