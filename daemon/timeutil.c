/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "timeutil.h"

/* 0001-01-01 and 9999-12-31: the days local_resolve accepts. Far enough for
 * any schedule, near enough that day * 86400 and localtime_r never overflow. */
#define RESOLVE_DAY_MIN INT64_C(-719162)
#define RESOLVE_DAY_MAX INT64_C(2932896)
/* 0000-01-01 and 9999-12-31: what fits "YYYY". */
#define FORMAT_DAY_MIN INT64_C(-719528)
#define FORMAT_DAY_MAX RESOLVE_DAY_MAX

/* Real offsets stay within about ±15h (local mean time included); a search
 * window of ±30h around a wall time surely holds the instants it maps to. */
#define OFFSET_SEARCH_SEC (30 * 3600)

#define PARTS_MAX_SEC ((int64_t) 10000 * 86400)

static const char *const weekday_names[8] = {
        NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static const char *const weekday_long_names[8] = {
        NULL, "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* Our own ASCII helpers: isdigit()/tolower() depend on the locale, and user
 * input must parse the same in every locale (a Turkish one folds 'I'
 * differently). */
static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Whether s[0..n) equals the lower-case word w, ignoring ASCII case. */
static bool word_equal(const char *s, size_t n, const char *w) {
        if (strlen(w) != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (ascii_lower(s[i]) != w[i])
                        return false;
        return true;
}

/* Howard Hinnant's days_from_civil: eras of 400 years make it exact for
 * negative years too, without a loop. */
/* The local wall-clock time at t as seconds on a zone-less clock, computed
 * from the broken-down fields so that comparing it with a wall time is a
 * true round trip through localtime_r. */
static int wall_at(time_t t, int64_t *ret) {
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return -EOVERFLOW;
        if (tm.tm_year > INT_MAX - 1900)
                return -EOVERFLOW;

        *ret = day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        return 0;
}

int local_resolve(int64_t day, int minute_of_day, time_t *ret) {
        int64_t wall, best = 0, lo, hi, w, off_before;
        bool found = false;
        int r;

        if (minute_of_day < 0 || minute_of_day >= 24 * 60)
                return -EINVAL;
        if (day < RESOLVE_DAY_MIN || day > RESOLVE_DAY_MAX)
                return -ERANGE;

        wall = day * 86400 + (int64_t) minute_of_day * 60;
        /* Everything probed below must fit a (possibly 32-bit) time_t. */
        if ((int64_t) (time_t) (wall - OFFSET_SEARCH_SEC) != wall - OFFSET_SEARCH_SEC ||
            (int64_t) (time_t) (wall + OFFSET_SEARCH_SEC) != wall + OFFSET_SEARCH_SEC)
                return -ERANGE;

        tzset();

        /* mktime() with tm_isdst = -1 picks either occurrence of a repeated
         * time depending on the libc and on what it converted last, and it
         * cannot tell a 30-minute shift from an hour one. Instead: take the
         * offsets in force a day before and a day after (both sides of a
         * transition near this time) and the one at the naive instant (for
         * the rare zone that changed twice within two days), turn the wall
         * time into an
         * instant with each, and keep those that localtime_r maps back to the
         * same wall time. Two survivors: the time is repeated, take the first. */
        const int64_t probes[] = { wall - 86400, wall, wall + 86400 };
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                int64_t cand;

                r = wall_at((time_t) probes[i], &w);
                if (r < 0)
                        return r;
                cand = wall - (w - probes[i]);
                r = wall_at((time_t) cand, &w);
                if (r < 0)
                        return r;
                if (w == wall && (!found || cand < best)) {
                        best = cand;
                        found = true;
                }
        }
        if (found) {
                *ret = (time_t) best;
                return 0;
        }

        /* No instant shows this wall time: it lies in a gap. Find the
         * transition (the last instant whose wall time is still before ours)
         * and read the time with the offset in force before it, which lands
         * the gap's length later on the far side: 02:30 in a 02:00->03:00 gap
         * becomes 03:30. */
        lo = wall - OFFSET_SEARCH_SEC;
        hi = wall + OFFSET_SEARCH_SEC;
        r = wall_at((time_t) lo, &w);
        if (r < 0)
                return r;
        if (w >= wall)
                return -ERANGE;
        r = wall_at((time_t) hi, &w);
        if (r < 0)
                return r;
        if (w <= wall)
                return -ERANGE;
        while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;

                r = wall_at((time_t) mid, &w);
                if (r < 0)
                        return r;
                if (w < wall)
                        lo = mid;
                else
                        hi = mid;
        }
        r = wall_at((time_t) hi, &w);
        if (r < 0)
                return r;
        if (w == wall) {
                /* Not a gap after all (two transitions within a day). */
                *ret = (time_t) hi;
                return 0;
        }
        r = wall_at((time_t) lo, &w);
        if (r < 0)
                return r;
        off_before = w - lo;
        *ret = (time_t) (wall - off_before);
        return 0;
}

int64_t local_day_of(time_t t) {
        struct tm tm;

        tzset();
        if (!localtime_r(&t, &tm) || tm.tm_year > INT_MAX - 1900)
                return INT64_MIN;
        return day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int local_minute_of(time_t t) {
        struct tm tm;

        tzset();
        if (!localtime_r(&t, &tm))
                return -EOVERFLOW;
        return tm.tm_hour * 60 + tm.tm_min;
}

int local_utc_offset(time_t t) {
        struct tm tm;

        tzset();
        if (!localtime_r(&t, &tm))
                return 0;
        return (int) tm.tm_gmtoff;
}

int format_human_local(time_t t, bool with_time, char buf[static 32]) {
        struct tm tm;
        tzset();
        if (!localtime_r(&t, &tm))
                return -EOVERFLOW;
        /* English names whatever the locale: closerd never calls setlocale(). */
        if (strftime(buf, 32, with_time ? "%a %-d %b %H:%M" : "%a %-d %b", &tm) == 0)
                return -ERANGE;
        return 0;
}

int format_iso_local(time_t t, char buf[static 32]) {
        /* Wide enough for any int fields, so the compiler can see nothing is
         * cut; the checks below keep the result to 25 bytes. */
        char tmp[96];
        struct tm tm;
        long off;
        char sign = '+';
        int n;

        tzset();
        if (!localtime_r(&t, &tm))
                return -EOVERFLOW;
        if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
                return -ERANGE;

        off = tm.tm_gmtoff;
        if (off < 0) {
                sign = '-';
                off = -off;
        }
        if (off >= 100 * 3600)
                return -ERANGE;

        n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec,
                     sign, off / 3600, off / 60 % 60);
        if (n < 0 || n >= 32)
                return -ERANGE;
        memcpy(buf, tmp, (size_t) n + 1);
        return 0;
}

int format_date(int64_t day, char buf[static 16]) {
        int y, m, d;

        if (day < FORMAT_DAY_MIN || day > FORMAT_DAY_MAX)
                return -ERANGE;
        ymd_from_day(day, &y, &m, &d);
        /* The range check bounds y to 0..9999; the casts tell the compiler
         * that m and d are small, so -Wformat-truncation stays quiet. */
        (void) snprintf(buf, 16, "%04u-%02u-%02u", (unsigned) y % 10000u, (unsigned) m % 100u, (unsigned) d % 100u);
        return 0;
}

/* n digits at s as a number, or -1 unless all n are digits. */
static int fixed_digits(const char *s, size_t n) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (!is_digit(s[i]))
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

int parse_hhmm(const char *s, int *minute_of_day) {
        int h, m;
        size_t hlen;

        if (!s)
                return -EINVAL;
        if (is_digit(s[0]) && s[1] == ':')
                hlen = 1;
        else if (is_digit(s[0]) && is_digit(s[1]) && s[2] == ':')
                hlen = 2;
        else
                return -EINVAL;

        h = fixed_digits(s, hlen);
        m = fixed_digits(s + hlen + 1, 2);
        if (m < 0 || s[hlen + 3] != '\0')
                return -EINVAL;
        if (h > 23 || m > 59)
                return -EINVAL;

        if (minute_of_day)
                *minute_of_day = h * 60 + m;
        return 0;
}

int parse_date(const char *s, int64_t *day) {
        int y, m, d;

        if (!s || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        y = fixed_digits(s, 4);
        m = fixed_digits(s + 5, 2);
        d = fixed_digits(s + 8, 2);
        if (y < 1970 || m < 0 || d < 0 || !ymd_valid(y, m, d))
                return -EINVAL;

        if (day)
                *day = day_from_ymd(y, m, d);
        return 0;
}

int parse_weekday(const char *s) {
        size_t n;

        if (!s)
                return -EINVAL;
        n = strnlen(s, 16);
        for (int wd = 1; wd <= 7; wd++)
                if (word_equal(s, n, weekday_names[wd]) || word_equal(s, n, weekday_long_names[wd]))
                        return wd;
        return -EINVAL;
}

const char *weekday_to_string(int wd) {
        return wd >= 1 && wd <= 7 ? weekday_names[wd] : NULL;
}

static const struct {
        const char *name;
        int64_t seconds;
} duration_units[] = {
        { "s", 1 },        { "sec", 1 },      { "secs", 1 },
        { "second", 1 },   { "seconds", 1 },
        { "m", 60 },       { "min", 60 },     { "mins", 60 },
        { "minute", 60 },  { "minutes", 60 },
        { "h", 3600 },     { "hour", 3600 },  { "hours", 3600 },
        { "d", 86400 },    { "day", 86400 },  { "days", 86400 },
};

int parse_duration_parts(const char *s, int64_t *ret_days, int64_t *ret_seconds) {
        /* Each number is capped before it is multiplied, and the running
         * total before each addition, so nothing can overflow. */
        const int64_t number_max = INT64_C(1000000000000);
        int64_t days = 0, seconds = 0;
        const char *p = s;

        if (!s || !is_digit(*p))
                return -EINVAL;

        for (;;) {
                int64_t n = 0, unit = 0;
                const char *w;

                if (!is_digit(*p))
                        return -EINVAL;
                for (; is_digit(*p); p++) {
                        n = n * 10 + (*p - '0');
                        if (n > number_max)
                                return -ERANGE;
                }
                while (is_blank(*p))
                        p++;

                for (w = p; is_alpha(*p); p++)
                        ;
                for (size_t i = 0; i < ELEMENTSOF(duration_units); i++)
                        if (word_equal(w, (size_t) (p - w), duration_units[i].name)) {
                                unit = duration_units[i].seconds;
                                break;
                        }
                if (unit == 0)
                        return -EINVAL;

                if (unit == 86400)
                        days += n;
                else
                        seconds += n * unit;
                if (days > PARTS_MAX_SEC / 86400 || seconds > PARTS_MAX_SEC ||
                    days * 86400 + seconds > PARTS_MAX_SEC)
                        return -ERANGE;

                if (*p == '\0')
                        break;
                while (is_blank(*p))
                        p++;
                /* Only another group may follow: no trailing blanks. */
                if (!is_digit(*p))
                        return -EINVAL;
        }

        if (ret_days)
                *ret_days = days;
        if (ret_seconds)
                *ret_seconds = seconds;
        return 0;
}

int parse_duration(const char *s, int64_t *seconds) {
        int64_t days, secs, total;
        int r;

        r = parse_duration_parts(s, &days, &secs);
        if (r < 0)
                return -EINVAL;
        total = days * 86400 + secs;
        if (total <= 0 || total > DURATION_MAX_SEC)
                return -EINVAL;

        if (seconds)
                *seconds = total;
        return 0;
}

int format_duration(int64_t seconds, char buf[static 32]) {
        int64_t d, h, m, s;
        size_t n = 0;

        if (seconds <= 0)
                return -EINVAL;

        d = seconds / 86400;
        h = seconds / 3600 % 24;
        m = seconds / 60 % 60;
        s = seconds % 60;

        /* At most "106751991167300d23h59min59s": 27 bytes, it always fits. */
        buf[0] = '\0';
        if (d > 0)
                n += (size_t) snprintf(buf + n, 32 - n, "%" PRId64 "d", d);
        if (h > 0)
                n += (size_t) snprintf(buf + n, 32 - n, "%" PRId64 "h", h);
        if (m > 0)
                n += (size_t) snprintf(buf + n, 32 - n, "%" PRId64 "min", m);
        if (s > 0)
                (void) snprintf(buf + n, 32 - n, "%" PRId64 "s", s);
        return 0;
}

void format_hhmm(int minute_of_day, char buf[static 8]) {
        unsigned m = (unsigned) (((minute_of_day % 1440) + 1440) % 1440);
        (void) snprintf(buf, 8, "%02u:%02u", m / 60 % 100u, m % 60);
}

int parse_weekdays(const char *s, unsigned *ret_mask) {
        unsigned mask = 0;
        for (const char *p = s;;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t) (comma - p) : strlen(p);
                char word[16];
                if (len == 0 || len >= sizeof(word))
                        return -EINVAL;
                memcpy(word, p, len);
                word[len] = '\0';
                int wd = parse_weekday(word);
                if (wd <= 0)
                        return -EINVAL;
                mask |= 1u << (unsigned) (wd - 1);
                if (!comma)
                        break;
                p = comma + 1;
        }
        *ret_mask = mask;
        return 0;
}

void format_weekdays(unsigned mask, char buf[static 32]) {
        size_t n = 0;
        buf[0] = '\0';
        for (int wd = 1; wd <= 7; wd++)
                if (mask & (1u << (unsigned) (wd - 1)))
                        n += (size_t) snprintf(buf + n, 32 - n, "%s%s", n ? "," : "", weekday_to_string(wd));
}

int local_zone_name(char buf[static LOCAL_ZONE_MAX]) {
        const char *tz = getenv("TZ");
        char link[PATH_MAX];
        if (tz && tz[0] == ':')
                tz++;
        if (!tz || !tz[0]) {
                ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
                if (n < 0)
                        return -ENOENT;
                link[n] = '\0';
                tz = strstr(link, "zoneinfo/");
                if (!tz)
                        return -ENOENT;
                tz += strlen("zoneinfo/");
        }
        if (!zone_name_is_valid(tz))
                return -EINVAL;
        snprintf(buf, LOCAL_ZONE_MAX, "%s", tz);
        return 0;
}

bool zone_name_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n >= LOCAL_ZONE_MAX || s[0] == '/' || strstr(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-", s[i]))
                        return false;
        return true;
}

int zone_push(const char *zone, char **ret_saved) {
        const char *old = getenv("TZ");
        *ret_saved = NULL;
        if (old && !(*ret_saved = strdup(old)))
                return -ENOMEM;
        if (setenv("TZ", zone, 1) < 0) {
                free(TAKE_PTR(*ret_saved));
                return -errno;
        }
        tzset();
        return 1;
}

void zone_pop(char *saved) {
        if (saved)
                (void) setenv("TZ", saved, 1);
        else
                (void) unsetenv("TZ");
        tzset();
        free(saved);
}
