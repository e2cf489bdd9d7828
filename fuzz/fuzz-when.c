/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the WHEN parser (SPEC 6) and the parsers under it: parse,
 * format, re-parse and compare, and check that the bounded and unbounded
 * parsers agree. Built with -fsanitize=fuzzer for libFuzzer, or with
 * replay.c to run a corpus without it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "timeutil.h"
#include "when.h"

/* Wednesday 2026-03-25 20:00 CET: four days before the spring change, so
 * weekday and +Nd forms cross it. */
#define FUZZ_NOW ((time_t) 1774465200)

static void check_when(const char *s) {
        const char *reason = NULL, *reason_unbounded = NULL;
        time_t t = 0, tu = 0;
        char iso[32];
        int r, ru;

        r = when_parse(s, FUZZ_NOW, &t, &reason);
        ru = when_parse_unbounded(s, FUZZ_NOW, &tu, &reason_unbounded);
        CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
        CHECK(ru == 0 || ru == -EINVAL || ru == -ERANGE);
        if (r < 0)
                CHECK(reason && reason[0]);
        if (ru < 0)
                CHECK(reason_unbounded && reason_unbounded[0]);

        if (ru == 0) {
                bool in_bounds = tu >= FUZZ_NOW && tu - FUZZ_NOW <= WHEN_AHEAD_MAX_SEC;

                /* The bounds are the only difference between the two. */
                if (in_bounds)
                        CHECK(r == 0 && t == tu);
                else
                        CHECK(r == -ERANGE);
        } else
                CHECK(r == ru);

        if (r == 0)
                CHECK(t >= FUZZ_NOW && t - FUZZ_NOW <= WHEN_AHEAD_MAX_SEC);
        if (ru < 0)
                return;

        /* Dates stop at 9999 and +N at 10000 days: always printable. */
        CHECK(format_iso_local(tu, iso) == 0);
        CHECK(strlen(iso) == 25 && iso[10] == 'T');

        /* Fed back as "YYYY-MM-DD HH:MM", the local time of the result names
         * the same minute: its first occurrence, which is the result's own
         * minute unless the result fell into the second of a repeated hour. */
        char again[32];
        time_t t2 = 0;
        int64_t day = local_day_of(tu);
        int minute = local_minute_of(tu);

        CHECK(minute >= 0 && minute < 1440);
        snprintf(again, sizeof(again), "%.10s %.5s", iso, iso + 11);
        if (day >= day_from_ymd(1970, 1, 1)) {
                CHECK(when_parse_unbounded(again, FUZZ_NOW, &t2, NULL) == 0);
                CHECK(local_day_of(t2) == day && local_minute_of(t2) == minute);
                CHECK(t2 <= tu && tu - t2 < 2 * 3600);
        }
}

static void check_parsers(const char *s) {
        int64_t v = 0, back = 0, days = 0, secs = 0;
        char buf[32];
        int r, m = -1;

        if (parse_duration(s, &v) == 0) {
                CHECK(v > 0 && v <= DURATION_MAX_SEC);
                CHECK(format_duration(v, buf) == 0);
                CHECK(parse_duration(buf, &back) == 0 && back == v);
                CHECK(parse_duration_parts(s, &days, &secs) == 0 && days * 86400 + secs == v);
        }

        if (parse_hhmm(s, &m) == 0)
                CHECK(m >= 0 && m < 1440);

        if (parse_date(s, &v) == 0) {
                CHECK(format_date(v, buf) == 0);
                CHECK(strcmp(buf, s) == 0);
        }

        r = parse_weekday(s);
        if (r >= 0) {
                CHECK(r >= 1 && r <= 7);
                CHECK(parse_weekday(weekday_to_string(r)) == r);
        } else
                CHECK(r == -EINVAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool initialized = false;
        char *s;

        if (!initialized) {
                if (setenv("TZ", "Europe/Berlin", 1) < 0)
                        abort();
                tzset();
                initialized = true;
        }

        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        check_when(s);
        check_parsers(s);

        free(s);
        return 0;
}
