/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"
#include "timeutil.h"
#include "when.h"

static const char reason_syntax[] =
        "is not a time: use YYYY-MM-DD HH:MM, HH:MM, tomorrow HH:MM, a weekday and HH:MM, or +2h/+30min/+1d";
static const char reason_time[] = "is not a valid time of day: use 00:00-23:59";
static const char reason_date[] = "is not a valid date (YYYY-MM-DD, 1970-9999)";
static const char reason_empty[] = "is empty";
static const char reason_long[] = "is too long (at most 64 characters)";
static const char reason_past[] = "is in the past";
static const char reason_ahead[] = "is more than a year ahead";
static const char reason_far[] = "is too far away";
static const char reason_zone[] = "cannot be resolved in the local time zone";

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static int fail(int r, const char *why, const char **reason) {
        if (reason)
                *reason = why;
        return r;
}

/* Whether s has the shape D:DD or DD:DD, so that "25:00" can be told apart
 * from words: the former gets a more helpful reason. */
static bool looks_like_hhmm(const char *s) {
        size_t n = strlen(s);

        if (n != 4 && n != 5)
                return false;
        for (size_t i = 0; i < n; i++)
                if (i == n - 3 ? s[i] != ':' : !is_digit(s[i]))
                        return false;
        return true;
}

static bool looks_like_date(const char *s) {
        if (strlen(s) != 10)
                return false;
        for (size_t i = 0; i < 10; i++)
                if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
                        return false;
        return true;
}

static int time_token(const char *s, int *minute, const char **reason) {
        if (parse_hhmm(s, minute) >= 0)
                return 0;
        return fail(-EINVAL, looks_like_hhmm(s) ? reason_time : reason_syntax, reason);
}

/* "+..." : days keep the wall-clock time of now, the rest adds seconds. */
/* Whether the wall-clock minute asked for that day did not exist (the clocks
 * went forward over it): local_resolve() moved it on. */
static void note_gap(time_t t, int minute, WhenNote *note) {
        if (note && local_minute_of(t) != minute) {
                note->gap = true;
                note->asked_minute = minute;
        }
}

static int parse_relative(const char *s, time_t now, time_t *ret, WhenNote *note, const char **reason) {
        int64_t days, seconds, t;
        struct tm tm;
        int r;

        r = parse_duration_parts(s, &days, &seconds);
        if (r == -ERANGE)
                return fail(-ERANGE, reason_far, reason);
        if (r < 0 || days + seconds == 0)
                return fail(-EINVAL, reason_syntax, reason);

        t = (int64_t) now;
        if (days > 0) {
                int64_t day;
                time_t base;

                tzset();
                if (!localtime_r(&now, &tm))
                        return fail(-EINVAL, reason_zone, reason);
                day = local_day_of(now);
                if (day == INT64_MIN)
                        return fail(-EINVAL, reason_zone, reason);
                r = local_resolve(day + days, tm.tm_hour * 60 + tm.tm_min, &base);
                if (r == -ERANGE)
                        return fail(-ERANGE, reason_far, reason);
                if (r < 0)
                        return fail(-EINVAL, reason_zone, reason);
                note_gap(base, tm.tm_hour * 60 + tm.tm_min, note);
                /* The seconds of now are part of its wall-clock time too. */
                t = (int64_t) base + tm.tm_sec;
        }
        if (t > INT64_MAX - seconds || (int64_t) (time_t) (t + seconds) != t + seconds)
                return fail(-ERANGE, reason_far, reason);

        *ret = (time_t) (t + seconds);
        return 0;
}

/* "@1764788400": an exact instant in seconds since the epoch, as
 * ResolveWhen gives it, so that a time resolved once is passed on
 * unchanged (an ISO time would lose a zone offset's seconds). */
static bool parse_instant(const char *s, time_t *ret) {
        char *end;
        if (s[0] != '@' || !is_digit(s[1]))
                return false;
        errno = 0;
        long long v = strtoll(s + 1, &end, 10);
        if (errno || *end || (long long) (time_t) v != v)
                return false;
        *ret = (time_t) v;
        return true;
}

static int parse_absolute(char *buf, time_t now, time_t *ret, WhenNote *note, const char **reason) {
        char *tokens[3] = { NULL };
        size_t n = 0;
        int64_t day, today;
        int minute, wd = 0, r;
        time_t t;

        /* Split on blanks, in place. */
        for (char *p = buf; *p;) {
                if (is_space(*p)) {
                        *p++ = '\0';
                        continue;
                }
                if (n >= ELEMENTSOF(tokens))
                        return fail(-EINVAL, reason_syntax, reason);
                tokens[n++] = p;
                while (*p && !is_space(*p))
                        p++;
        }
        if (n < 1 || n > 2)
                return fail(-EINVAL, reason_syntax, reason);
        if (n == 1 && parse_instant(tokens[0], ret))
                return 0;

        today = local_day_of(now);
        if (today == INT64_MIN)
                return fail(-EINVAL, reason_zone, reason);

        if (n == 1 || strcmp(tokens[0], "today") == 0)
                day = today;
        else if (strcmp(tokens[0], "tomorrow") == 0)
                day = today + 1;
        else if ((wd = parse_weekday(tokens[0])) > 0)
                day = today + (wd - weekday_of_day(today) + 7) % 7;
        else if (parse_date(tokens[0], &day) < 0)
                return fail(-EINVAL, looks_like_date(tokens[0]) ? reason_date : reason_syntax, reason);

        r = time_token(tokens[n - 1], &minute, reason);
        if (r < 0)
                return r;

        r = local_resolve(day, minute, &t);
        if (r >= 0 && wd > 0 && t <= now) {
                /* Today's only counts while the time is still ahead. */
                day += 7;
                r = local_resolve(day, minute, &t);
                if (note && day == today + 7)
                        note->next_week = true;
        }
        if (r == -ERANGE)
                return fail(-ERANGE, reason_far, reason);
        if (r < 0)
                return fail(-EINVAL, reason_zone, reason);
        note_gap(t, minute, note);

        *ret = t;
        return 0;
}

static int parse_when_internal(
                const char *text, time_t now, bool bounded, time_t *ret, WhenNote *note, const char **reason) {
        char buf[WHEN_TEXT_MAX + 1];
        char *s, *e;
        size_t len;
        time_t t;
        int r;

        if (!text)
                return fail(-EINVAL, reason_empty, reason);
        len = strnlen(text, WHEN_TEXT_MAX + 1);
        if (len > WHEN_TEXT_MAX)
                return fail(-EINVAL, reason_long, reason);

        /* A lower-case copy: keywords are case-insensitive, digits and
         * punctuation are not affected. ASCII only, whatever the locale. */
        for (size_t i = 0; i < len; i++)
                buf[i] = text[i] >= 'A' && text[i] <= 'Z' ? (char) (text[i] - 'A' + 'a') : text[i];
        buf[len] = '\0';

        for (s = buf; is_space(*s); s++)
                ;
        for (e = s + strlen(s); e > s && is_space(e[-1]); e--)
                ;
        *e = '\0';
        if (*s == '\0')
                return fail(-EINVAL, reason_empty, reason);

        if (*s == '+')
                r = parse_relative(s + 1, now, &t, note, reason);
        else
                r = parse_absolute(s, now, &t, note, reason);
        if (r < 0)
                return r;

        if (bounded) {
                if (t < now)
                        return fail(-ERANGE, reason_past, reason);
                /* Unsigned: t - now of two extreme instants would overflow. */
                if ((uint64_t) t - (uint64_t) now > (uint64_t) WHEN_AHEAD_MAX_SEC)
                        return fail(-ERANGE, reason_ahead, reason);
        }

        *ret = t;
        return 0;
}

static int parse_when(const char *text, time_t now, bool bounded, time_t *ret, WhenNote *note,
                      const char **reason) {
        const char *why = NULL;
        int r;

        if (note)
                *note = (WhenNote) {};
        r = parse_when_internal(text, now, bounded, ret, note, &why);
        /* Beyond what can be represented is, for the bounded parser, simply
         * too far ahead: say so in the same words as for 400 days ahead. */
        if (r == -ERANGE && bounded && why == reason_far)
                why = reason_ahead;
        if (r < 0 && reason)
                *reason = why;
        return r;
}

int when_parse(const char *text, time_t now, time_t *ret, const char **reason) {
        return parse_when(text, now, true, ret, NULL, reason);
}

int when_parse_noted(const char *text, time_t now, time_t *ret, WhenNote *note, const char **reason) {
        return parse_when(text, now, true, ret, note, reason);
}

int when_parse_unbounded(const char *text, time_t now, time_t *ret, const char **reason) {
        return parse_when(text, now, false, ret, NULL, reason);
}
