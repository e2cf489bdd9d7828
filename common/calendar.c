/* SPDX-License-Identifier: MIT */
#include "calendar.h"

int64_t day_from_ymd(int y, int m, int d) {
        int64_t yy = (int64_t) y - (m <= 2);
        int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
        int64_t yoe = yy - era * 400;
        int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * 146097 + doe - 719468;
}

void ymd_from_day(int64_t day, int *y, int *m, int *d) {
        int64_t z = day + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int mm = (int) (mp < 10 ? mp + 3 : mp - 9);

        if (y)
                *y = (int) (yoe + era * 400 + (mm <= 2));
        if (m)
                *m = mm;
        if (d)
                *d = (int) (doy - (153 * mp + 2) / 5 + 1);
}

int weekday_of_day(int64_t day) {
        /* 1970-01-01 was a Thursday. */
        int64_t r = day % 7;
        if (r < 0)
                r += 7;
        return (int) ((r + 3) % 7) + 1;
}

static bool leap_year(int64_t y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

bool ymd_valid(int y, int m, int d) {
        return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}
