/* SPDX-License-Identifier: MIT */

/* Tests of the date nights calendar (daemon/ics.c): every field read back with
 * libical's own parser, the VALARM shape, cancelled events, folding of
 * multi-byte text, escaping, SEQUENCE, the empty calendar, the argument
 * checks, and that libical's global error state is given back. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "ics.h"
#include "macro.h"

#define NOW 1718000000   /* 2024-06-10T06:13:20Z */
#define FRI 1718388000   /* 2024-06-14T18:00:00Z */
#define HOUR 3600
#define DAY 86400
/* 22 four-byte characters, 88 octets. */
#define KISSES "💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋💋"

/* ---- helpers -------------------------------------------------------------------------------- */

static char *write_ok(const IcsEvent *events, size_t n) {
        char *text = NULL;
        int r = ics_write(events, n, &text);
        if (r < 0)
                print_error("ics_write: %s\n", strerror(-r));
        assert_int_equal(r, 0);
        assert_non_null(text);
        return text;
}

static size_t count_xlic_errors(icalcomponent *c) {
        size_t n = 0;
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
                print_error("X-LIC-ERROR: %s\n", icalproperty_get_xlicerror(p));
                n++;
        }
        /* Walk children without the component's internal iterator, which the
         * property loop above and the recursion would share. */
        size_t k = (size_t) icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
        icalcomponent *child = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
        icalcomponent **children = calloc(k + 1, sizeof(icalcomponent *));
        assert_non_null(children);
        for (size_t i = 0; child && i < k; i++) {
                children[i] = child;
                child = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT);
        }
        for (size_t i = 0; i < k; i++)
                n += count_xlic_errors(children[i]);
        free(children);
        return n;
}

/* Parses text with libical: exactly one VCALENDAR, no X-LIC-ERROR anywhere. */
static icalcomponent *parse_ok(const char *text) {
        icalcomponent *cal = icalparser_parse_string(text);
        assert_non_null(cal);
        assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
        assert_int_equal(count_xlic_errors(cal), 0);
        assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 0);
        return cal;
}

/* The only property of that kind on c. */
static icalproperty *single(icalcomponent *c, icalproperty_kind kind) {
        assert_int_equal(icalcomponent_count_properties(c, kind), 1);
        icalproperty *p = icalcomponent_get_first_property(c, kind);
        assert_non_null(p);
        return p;
}

/* The text of the only TEXT property of that kind on c, unescaped. */
static const char *text_of(icalcomponent *c, icalproperty_kind kind) {
        icalvalue *v = icalproperty_get_value(single(c, kind));
        assert_non_null(v);
        assert_int_equal(icalvalue_isa(v), ICAL_TEXT_VALUE);
        return icalvalue_get_text(v);
}

static const char *x_property(icalcomponent *c, const char *name) {
        const char *found = NULL;
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
                if (streq(icalproperty_get_x_name(p), name)) {
                        assert_null(found);
                        found = icalproperty_get_x(p);
                }
        return found;
}

/* A DATE-TIME in UTC at that instant, with no TZID parameter. */
static void assert_utc(icalproperty *p, struct icaltimetype t, time_t want) {
        assert_int_equal(icalproperty_count_parameters(p), 0);
        assert_false(t.is_date);
        assert_true(icaltime_is_utc(t));
        assert_int_equal((int64_t) icaltime_as_timet(t), (int64_t) want);
}

static icalcomponent *nth_event(icalcomponent *cal, size_t i) {
        icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
        for (; e && i > 0; i--)
                e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
        assert_non_null(e);
        return e;
}

/* CRLF after every line, nothing else, and every physical line at most 75
 * octets and valid UTF-8 on its own (folding never splits a character). */
static void assert_lines(const char *text) {
        size_t len = strlen(text);
        assert_true(len >= 2);
        assert_string_equal(text + len - 2, "\r\n");
        for (const char *p = text; *p;) {
                const char *e = strstr(p, "\r\n");
                assert_non_null(e);
                size_t l = (size_t) (e - p);
                if (l > 75)
                        print_error("line of %zu octets: %.*s\n", l, (int) l, p);
                assert_true(l <= 75);
                assert_null(memchr(p, '\n', l));
                assert_null(memchr(p, '\r', l));
                /* No line starts with a UTF-8 continuation byte, none ends inside a character. */
                const unsigned char *u = (const unsigned char *) p;
                size_t i = (l > 0 && u[0] == ' ') ? 1 : 0;
                assert_true(i >= l || (u[i] & 0xc0) != 0x80);
                size_t j = l;
                while (j > 0 && (u[j - 1] & 0xc0) == 0x80)
                        j--;
                if (j > 0 && u[j - 1] >= 0xc0) {
                        size_t need = u[j - 1] >= 0xf0 ? 4 : u[j - 1] >= 0xe0 ? 3 : 2;
                        assert_int_equal(l - (j - 1), need);
                }
                p = e + 2;
        }
}

static bool contains_line(const char *text, const char *line) {
        _cleanup_free_ char *needle = NULL;
        assert_true(asprintf(&needle, "\r\n%s\r\n", line) >= 0);
        return strstr(text, needle) != NULL;
}

/* ---- every field ---------------------------------------------------------------------------- */

static void test_fields(void **state) {
        (void) state;
        const IcsEvent events[] = {
                { .uid = "dn-1@closer", .start = FRI, .end = FRI + 3 * HOUR, .sequence = 0,
                  .last_modified = NOW - DAY, .summary = "Date night", .alarm_before = HOUR,
                  .alarm_text = "Date night in 1 hour" },
                { .uid = "dn-2@closer", .start = FRI + 7 * DAY, .end = FRI + 7 * DAY + 2 * HOUR,
                  .sequence = 3, .last_modified = NOW, .summary = "Make-up date night",
                  .description = "The one we owe",
                  .alarm_before = 0 },
                { .uid = "pr-3@closer", .start = FRI + 14 * DAY, .end = FRI + 14 * DAY + HOUR, .sequence = 7,
                  .last_modified = NOW - 60, .cancelled = true, .summary = "Rain check",
                  .alarm_before = HOUR, .alarm_text = "Rain check in 1 hour" },
        };
        _cleanup_free_ char *text = write_ok(events, ELEMENTSOF(events));

        assert_lines(text);
        assert_true(strncmp(text, "BEGIN:VCALENDAR\r\n", 17) == 0);
        assert_true(contains_line(text, "VERSION:2.0"));
        assert_true(contains_line(text, "PRODID:-//closer//closer date nights//EN"));
        assert_true(contains_line(text, "CALSCALE:GREGORIAN"));
        assert_true(contains_line(text, "X-WR-CALNAME:closer"));
        assert_true(contains_line(text, "DTSTAMP:20240609T061320Z")); /* the first event's last_modified */
        assert_true(contains_line(text, "DTSTART:20240614T180000Z"));
        assert_true(contains_line(text, "DTEND:20240614T210000Z"));
        assert_true(contains_line(text, "LAST-MODIFIED:20240609T061320Z"));
        assert_true(contains_line(text, "CLASS:PRIVATE"));
        assert_true(contains_line(text, "STATUS:CONFIRMED"));
        assert_true(contains_line(text, "STATUS:CANCELLED"));
        assert_true(contains_line(text, "TRANSP:OPAQUE"));
        static const char *const never[] = { "METHOD", "RRULE", "EXDATE", "RDATE", "RECURRENCE-ID", "TZID",
                                             "VTIMEZONE", "freeassociation", "X-LIC" };
        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                assert_null(strstr(text, never[i]));

        icalcomponent *cal = parse_ok(text);
        assert_string_equal(icalproperty_get_version(single(cal, ICAL_VERSION_PROPERTY)), "2.0");
        assert_string_equal(icalproperty_get_prodid(single(cal, ICAL_PRODID_PROPERTY)), ICS_PRODID);
        assert_string_equal(icalproperty_get_calscale(single(cal, ICAL_CALSCALE_PROPERTY)), "GREGORIAN");
        assert_string_equal(x_property(cal, "X-WR-CALNAME"), ICS_CALNAME);
        assert_int_equal(icalcomponent_count_properties(cal, ICAL_METHOD_PROPERTY), 0);
        assert_int_equal(icalcomponent_count_components(cal, ICAL_ANY_COMPONENT), ELEMENTSOF(events));
        assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), ELEMENTSOF(events));

        for (size_t i = 0; i < ELEMENTSOF(events); i++) {
                const IcsEvent *e = &events[i];
                icalcomponent *v = nth_event(cal, i);
                icalproperty *p;

                assert_string_equal(text_of(v, ICAL_UID_PROPERTY), e->uid);
                p = single(v, ICAL_DTSTAMP_PROPERTY);
                assert_utc(p, icalproperty_get_dtstamp(p), e->last_modified); /* stable: the event's own change */
                p = single(v, ICAL_DTSTART_PROPERTY);
                assert_utc(p, icalproperty_get_dtstart(p), e->start);
                p = single(v, ICAL_DTEND_PROPERTY);
                assert_utc(p, icalproperty_get_dtend(p), e->end);
                p = single(v, ICAL_LASTMODIFIED_PROPERTY);
                assert_utc(p, icalproperty_get_lastmodified(p), e->last_modified);
                assert_int_equal(icalproperty_get_sequence(single(v, ICAL_SEQUENCE_PROPERTY)), e->sequence);
                assert_string_equal(text_of(v, ICAL_SUMMARY_PROPERTY), e->summary);
                if (e->description)
                        assert_string_equal(text_of(v, ICAL_DESCRIPTION_PROPERTY), e->description);
                else
                        assert_int_equal(icalcomponent_count_properties(v, ICAL_DESCRIPTION_PROPERTY), 0);
                assert_int_equal(icalproperty_get_class(single(v, ICAL_CLASS_PROPERTY)), ICAL_CLASS_PRIVATE);
                assert_int_equal(icalproperty_get_status(single(v, ICAL_STATUS_PROPERTY)),
                                 e->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED);
                assert_int_equal(icalproperty_get_transp(single(v, ICAL_TRANSP_PROPERTY)),
                                 ICAL_TRANSP_OPAQUE);
                assert_int_equal(icalcomponent_count_properties(v, ICAL_RRULE_PROPERTY), 0);
                assert_int_equal(icalcomponent_count_properties(v, ICAL_EXDATE_PROPERTY), 0);
                assert_int_equal(icalcomponent_count_properties(v, ICAL_RECURRENCEID_PROPERTY), 0);
                assert_int_equal(icalcomponent_count_properties(v, ICAL_DURATION_PROPERTY), 0);
                /* Only what the contract lists. */
                assert_int_equal(icalcomponent_count_properties(v, ICAL_ANY_PROPERTY),
                                 e->description ? 11 : 10);
                assert_int_equal(icalcomponent_count_components(v, ICAL_VALARM_COMPONENT),
                                 !e->cancelled && e->alarm_before > 0);
        }
        icalcomponent_free(cal);
}

/* ---- VALARM --------------------------------------------------------------------------------- */

static void check_alarm(int64_t before, const char *trigger_text) {
        const IcsEvent e = { .uid = "dn-alarm@closer", .start = FRI, .end = FRI + 3 * HOUR,
                             .last_modified = NOW, .summary = "Date night", .alarm_before = before,
                             .alarm_text = "Date night soon" };
        _cleanup_free_ char *text = write_ok(&e, 1);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "TRIGGER;RELATED=START:%s", trigger_text) >= 0);
        if (!contains_line(text, want))
                print_error("no line '%s' in:\n%s", want, text);
        assert_true(contains_line(text, want));
        assert_true(contains_line(text, "BEGIN:VALARM"));
        assert_true(contains_line(text, "ACTION:DISPLAY"));
        assert_true(contains_line(text, "DESCRIPTION:Date night soon"));
        assert_true(contains_line(text, "END:VALARM"));

        icalcomponent *cal = parse_ok(text);
        icalcomponent *v = nth_event(cal, 0);
        assert_int_equal(icalcomponent_count_components(v, ICAL_ANY_COMPONENT), 1);
        icalcomponent *a = icalcomponent_get_first_component(v, ICAL_VALARM_COMPONENT);
        assert_non_null(a);
        assert_int_equal(icalcomponent_count_properties(a, ICAL_ANY_PROPERTY), 3);
        assert_int_equal(icalproperty_get_action(single(a, ICAL_ACTION_PROPERTY)), ICAL_ACTION_DISPLAY);
        assert_string_equal(text_of(a, ICAL_DESCRIPTION_PROPERTY), "Date night soon");

        icalproperty *p = single(a, ICAL_TRIGGER_PROPERTY);
        struct icaltriggertype t = icalproperty_get_trigger(p);
        assert_true(icaltime_is_null_time(t.time));
        assert_true(t.duration.is_neg);
        assert_int_equal(icaldurationtype_as_int(t.duration), -before);
        assert_int_equal(icalproperty_count_parameters(p), 1);
        icalparameter *rel = icalproperty_get_first_parameter(p, ICAL_RELATED_PARAMETER);
        assert_non_null(rel);
        assert_int_equal(icalparameter_get_related(rel), ICAL_RELATED_START);
        /* No VALUE=DATE-TIME: the default DURATION value type. */
        assert_null(icalproperty_get_first_parameter(p, ICAL_VALUE_PARAMETER));
        icalcomponent_free(cal);
}

static void test_alarm(void **state) {
        (void) state;
        check_alarm(HOUR, "-PT1H");
        check_alarm(30 * 60, "-PT30M");
        check_alarm(90 * 60, "-PT1H30M");
        check_alarm(15 * 60 + 30, "-PT15M30S");
        check_alarm(DAY, "-P1D");
        check_alarm(DAY + 2 * HOUR, "-P1DT2H");
        check_alarm(7 * DAY, "-P1W");
        check_alarm(ICS_ALARM_BEFORE_MAX, "-P4W");
}

static void test_alarm_text_defaults_to_summary(void **state) {
        (void) state;
        const IcsEvent e = { .uid = "dn@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                             .summary = "Date night (remote)", .alarm_before = HOUR, .alarm_text = "" };
        _cleanup_free_ char *text = write_ok(&e, 1);
        icalcomponent *cal = parse_ok(text);
        icalcomponent *a = icalcomponent_get_first_component(nth_event(cal, 0), ICAL_VALARM_COMPONENT);
        assert_non_null(a);
        assert_string_equal(text_of(a, ICAL_DESCRIPTION_PROPERTY),
                            "Date night (remote)");
        icalcomponent_free(cal);
}

static void test_no_alarm(void **state) {
        (void) state;
        const IcsEvent e = { .uid = "dn@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                             .summary = "Date night", .alarm_before = 0, .alarm_text = "never shown" };
        _cleanup_free_ char *text = write_ok(&e, 1);
        assert_null(strstr(text, "VALARM"));
        assert_null(strstr(text, "TRIGGER"));
        assert_null(strstr(text, "never shown"));
        icalcomponent *cal = parse_ok(text);
        assert_int_equal(icalcomponent_count_components(nth_event(cal, 0), ICAL_ANY_COMPONENT), 0);
        icalcomponent_free(cal);
}

/* ---- cancelled ------------------------------------------------------------------------------ */

static void test_cancelled(void **state) {
        (void) state;
        IcsEvent e = { .uid = "dn-skipped-4711@closer", .start = FRI, .end = FRI + 3 * HOUR, .sequence = 2,
                       .last_modified = NOW, .cancelled = true, .summary = "Date night",
                       .alarm_before = HOUR, .alarm_text = "Date night in 1 hour" };
        _cleanup_free_ char *text = write_ok(&e, 1);
        assert_null(strstr(text, "VALARM"));
        assert_null(strstr(text, "TRIGGER"));
        assert_null(strstr(text, "Date night in 1 hour"));
        assert_true(contains_line(text, "UID:dn-skipped-4711@closer"));
        assert_true(contains_line(text, "STATUS:CANCELLED"));
        assert_null(strstr(text, "STATUS:CONFIRMED"));

        icalcomponent *cal = parse_ok(text);
        icalcomponent *v = nth_event(cal, 0);
        assert_string_equal(text_of(v, ICAL_UID_PROPERTY), e.uid);
        assert_int_equal(icalproperty_get_status(single(v, ICAL_STATUS_PROPERTY)), ICAL_STATUS_CANCELLED);
        assert_int_equal(icalproperty_get_sequence(single(v, ICAL_SEQUENCE_PROPERTY)), 2);
        assert_int_equal(icalcomponent_count_components(v, ICAL_ANY_COMPONENT), 0);
        /* Still a full event: times and class kept, so importers update the one they have. */
        icalproperty *p = single(v, ICAL_DTSTART_PROPERTY);
        assert_utc(p, icalproperty_get_dtstart(p), FRI);
        assert_int_equal(icalproperty_get_class(single(v, ICAL_CLASS_PROPERTY)), ICAL_CLASS_PRIVATE);
        icalcomponent_free(cal);

        /* The same night before it was skipped: same UID, lower SEQUENCE, with its alarm. */
        e.cancelled = false;
        e.sequence = 1;
        _cleanup_free_ char *before = write_ok(&e, 1);
        assert_true(contains_line(before, "UID:dn-skipped-4711@closer"));
        assert_true(contains_line(before, "SEQUENCE:1"));
        assert_true(contains_line(before, "TRIGGER;RELATED=START:-PT1H"));
}

/* ---- folding and text ----------------------------------------------------------------------- */

static void test_folding(void **state) {
        (void) state;
        /* "Überraschung 💋💋", 15 characters: 60 of them end in a kiss, not a blank
         * (libical's parser drops trailing blanks of a value). */
        static const char *const pieces[] = { "Ü", "b", "e", "r", "r", "a", "s", "c",
                                              "h", "u", "n", "g", " ", "💋", "💋" };
        _cleanup_free_ char *summary = calloc(1, 60 * 4 + 1);
        _cleanup_free_ char *description = calloc(1, 500 * 4 + 1);
        _cleanup_free_ char *alarm = calloc(1, 80 * 4 + 1);
        assert_non_null(summary);
        assert_non_null(description);
        assert_non_null(alarm);
        for (size_t i = 0; i < 60; i++)
                strcat(summary, pieces[i % ELEMENTSOF(pieces)]);
        for (size_t i = 0; i < 500; i++)
                strcat(description, i % 40 == 39 ? "\n" : i % 3 == 0 ? "漢" : i % 3 == 1 ? "💋" : "é");
        for (size_t i = 0; i < 80; i++)
                strcat(alarm, "€");
        assert_true(strlen(summary) > 75);

        const IcsEvent events[] = {
                { .uid = "dn-fold@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                  .summary = summary, .description = description, .alarm_before = HOUR,
                  .alarm_text = alarm },
                /* Every offset of a 4-byte character against the fold point. */
                { .uid = "dn-fold-1@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                  .summary = "x" KISSES },
                { .uid = "dn-fold-2@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                  .summary = "xy" KISSES },
                { .uid = "dn-fold-3@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                  .summary = "xyz" KISSES },
        };
        _cleanup_free_ char *text = write_ok(events, ELEMENTSOF(events));
        assert_lines(text);
        assert_non_null(strstr(text, "\r\n ")); /* it did fold */

        icalcomponent *cal = parse_ok(text);
        for (size_t i = 0; i < ELEMENTSOF(events); i++) {
                icalcomponent *v = nth_event(cal, i);
                assert_string_equal(text_of(v, ICAL_SUMMARY_PROPERTY), events[i].summary);
                if (events[i].description)
                        assert_string_equal(text_of(v, ICAL_DESCRIPTION_PROPERTY), events[i].description);
        }
        icalcomponent *a = icalcomponent_get_first_component(nth_event(cal, 0), ICAL_VALARM_COMPONENT);
        assert_non_null(a);
        assert_string_equal(text_of(a, ICAL_DESCRIPTION_PROPERTY), alarm);
        icalcomponent_free(cal);
}

static void test_escaping(void **state) {
        (void) state;
        static const char summary[] = "Dinner, wine; back\\slash\nand a second line";
        static const char description[] = "a,b;c\\d\n\"quoted\"\ttab: colon\n\nend";
        const IcsEvent e = { .uid = "dn-esc@closer", .start = FRI, .end = FRI + HOUR, .last_modified = NOW,
                             .summary = summary, .description = description, .alarm_before = HOUR,
                             .alarm_text = "In 1 hour; bring wine, \\ and\nsmile" };
        _cleanup_free_ char *text = write_ok(&e, 1);
        assert_lines(text);
        assert_true(contains_line(text, "SUMMARY:Dinner\\, wine\\; back\\\\slash\\nand a second line"));

        icalcomponent *cal = parse_ok(text);
        icalcomponent *v = nth_event(cal, 0);
        assert_string_equal(text_of(v, ICAL_SUMMARY_PROPERTY), summary);
        assert_string_equal(text_of(v, ICAL_DESCRIPTION_PROPERTY), description);
        icalcomponent *a = icalcomponent_get_first_component(v, ICAL_VALARM_COMPONENT);
        assert_string_equal(text_of(a, ICAL_DESCRIPTION_PROPERTY), e.alarm_text);
        icalcomponent_free(cal);
}

/* ---- SEQUENCE, times, the empty calendar ---------------------------------------------------- */

static void test_sequence(void **state) {
        (void) state;
        static const int64_t values[] = { 0, 1, 2, 41, 1000000, INT_MAX };
        IcsEvent events[ELEMENTSOF(values)];
        char uids[ELEMENTSOF(values)][32];
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                snprintf(uids[i], sizeof(uids[i]), "dn-seq-%zu@closer", i);
                events[i] = (IcsEvent) { .uid = uids[i], .start = FRI + (time_t) i * 7 * DAY,
                                         .end = FRI + (time_t) i * 7 * DAY + HOUR, .sequence = values[i],
                                         .last_modified = NOW, .summary = "Date night" };
        }
        _cleanup_free_ char *text = write_ok(events, ELEMENTSOF(events));
        assert_true(contains_line(text, "SEQUENCE:0"));
        assert_true(contains_line(text, "SEQUENCE:2147483647"));
        icalcomponent *cal = parse_ok(text);
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                icalproperty *p = single(nth_event(cal, i), ICAL_SEQUENCE_PROPERTY);
                assert_int_equal(icalproperty_get_sequence(p), values[i]);
        }
        icalcomponent_free(cal);
}

static void test_far_times(void **state) {
        (void) state;
        const IcsEvent events[] = {
                { .uid = "a@closer", .start = 0, .end = 1, .last_modified = 0, .summary = "Date night" },
                /* After 2038 and at the very end of what is allowed. */
                { .uid = "b@closer", .start = INT64_C(4102444800), .end = INT64_C(4102448400),
                  .last_modified = INT64_C(4102444800), .summary = "Date night" },
                { .uid = "c@closer", .start = INT64_C(32535215998), .end = INT64_C(32535215999),
                  .last_modified = INT64_C(32535215999), .summary = "Date night" },
        };
        _cleanup_free_ char *text = write_ok(events, ELEMENTSOF(events));
        assert_true(contains_line(text, "DTSTART:19700101T000000Z"));
        assert_true(contains_line(text, "DTSTART:21000101T000000Z"));
        assert_true(contains_line(text, "DTEND:30001231T235959Z"));
        icalcomponent *cal = parse_ok(text);
        for (size_t i = 0; i < ELEMENTSOF(events); i++) {
                icalproperty *p = single(nth_event(cal, i), ICAL_DTSTART_PROPERTY);
                assert_utc(p, icalproperty_get_dtstart(p), events[i].start);
                p = single(nth_event(cal, i), ICAL_DTEND_PROPERTY);
                assert_utc(p, icalproperty_get_dtend(p), events[i].end);
        }
        icalcomponent_free(cal);
}

static void test_empty(void **state) {
        (void) state;
        _cleanup_free_ char *text = write_ok(NULL, 0);
        assert_lines(text);
        assert_string_equal(text, "BEGIN:VCALENDAR\r\n"
                                  "VERSION:2.0\r\n"
                                  "PRODID:-//closer//closer date nights//EN\r\n"
                                  "CALSCALE:GREGORIAN\r\n"
                                  "X-WR-CALNAME:closer\r\n"
                                  "END:VCALENDAR\r\n");
        icalcomponent *cal = parse_ok(text);
        assert_int_equal(icalcomponent_count_components(cal, ICAL_ANY_COMPONENT), 0);
        icalcomponent_free(cal);

        /* A non-NULL array with n = 0 is the same. */
        const IcsEvent e = { .uid = "x@closer" };
        _cleanup_free_ char *again = write_ok(&e, 0);
        assert_string_equal(again, text);
}

/* The VEVENT block of uid in text (from its BEGIN to its END), in a new string. */
static char *event_block(const char *text, const char *uid) {
        char *want = NULL;
        assert_true(asprintf(&want, "UID:%s\r\n", uid) >= 0);
        const char *u = strstr(text, want);
        free(want);
        assert_non_null(u);
        const char *begin = u, *end = strstr(u, "END:VEVENT\r\n");
        while (begin > text && strncmp(begin, "BEGIN:VEVENT\r\n", 14) != 0)
                begin--;
        assert_non_null(end);
        return strndup(begin, (size_t) (end - begin));
}

static void test_stable_dtstamp(void **state) {
        (void) state;
        IcsEvent e[2] = {
                { .uid = "dn-a@closer", .start = FRI, .end = FRI + HOUR, .sequence = 2, .last_modified = NOW - DAY,
                  .summary = "Date night" },
                { .uid = "dn-b@closer", .start = FRI + DAY, .end = FRI + DAY + HOUR, .sequence = 0,
                  .last_modified = NOW, .summary = "Rain check", .cancelled = true },
        };
        _cleanup_free_ char *text = write_ok(e, 2);
        /* DTSTAMP is each event's own LAST-MODIFIED. */
        assert_true(contains_line(text, "DTSTAMP:20240609T061320Z"));
        assert_true(contains_line(text, "LAST-MODIFIED:20240609T061320Z"));
        assert_true(contains_line(text, "DTSTAMP:20240610T061320Z"));

        /* Another event changes: the unchanged one renders to the same bytes. */
        _cleanup_free_ char *a = event_block(text, "dn-a@closer");
        e[1].last_modified += 3600;
        e[1].sequence++;
        _cleanup_free_ char *later = write_ok(e, 2);
        _cleanup_free_ char *a2 = event_block(later, "dn-a@closer");
        assert_string_equal(a, a2);
        assert_string_not_equal(text, later);
        /* Alone, it is the same block too. */
        _cleanup_free_ char *alone = write_ok(e, 1);
        _cleanup_free_ char *a3 = event_block(alone, "dn-a@closer");
        assert_string_equal(a, a3);
}

/* ---- errors --------------------------------------------------------------------------------- */

static IcsEvent good_event(void) {
        return (IcsEvent) { .uid = "dn@closer", .start = FRI, .end = FRI + 3 * HOUR, .sequence = 1,
                            .last_modified = NOW, .summary = "Date night", .alarm_before = HOUR,
                            .alarm_text = "Date night in 1 hour" };
}

static void expect_error(const IcsEvent *events, size_t n, int err) {
        char *text = NULL;
        int r = ics_write(events, n, &text);
        if (r != -err)
                print_error("got %d, wanted %d\n", r, -err);
        assert_int_equal(r, -err);
        assert_null(text);
}

static void test_errors(void **state) {
        (void) state;
        IcsEvent e;
        char *text = NULL;
        char long_uid[ICS_UID_MAX + 2];

        assert_int_equal(ics_write(NULL, 0, NULL), -EINVAL);
        expect_error(NULL, 1, EINVAL);

#define BAD(field, value, err)                       \
        do {                                         \
                e = good_event();                    \
                e.field = value;                     \
                expect_error(&e, 1, err);            \
        } while (0)

        BAD(uid, NULL, EINVAL);
        BAD(uid, "", EINVAL);
        BAD(uid, "with space@closer", EINVAL);
        BAD(uid, "tab\t@closer", EINVAL);
        BAD(uid, "ümlaut@closer", EINVAL);
        memset(long_uid, 'u', sizeof(long_uid) - 1);
        long_uid[sizeof(long_uid) - 1] = '\0';
        BAD(uid, long_uid, EINVAL);
        long_uid[ICS_UID_MAX] = '\0';
        e = good_event();
        e.uid = long_uid;
        assert_int_equal(ics_write(&e, 1, &text), 0);
        free(text);
        text = NULL;

        BAD(summary, NULL, EINVAL);
        BAD(summary, "", EINVAL);
        BAD(summary, "carriage\rreturn", EINVAL);
        BAD(summary, "bell\a", EINVAL);
        BAD(summary, "del\x7f", EINVAL);
        BAD(summary, "c1 \xc2\x85", EINVAL);
        BAD(summary, "bad \xff utf-8", EINVAL);
        BAD(summary, "overlong \xc0\xaf", EINVAL);
        BAD(summary, "surrogate \xed\xa0\x80", EINVAL);
        BAD(summary, "truncated \xf0\x9f\x92", EINVAL);
        BAD(description, "esc\x1b[31m", EINVAL);
        BAD(alarm_text, "nul-less but \x01", EINVAL);

        BAD(end, FRI, EINVAL);
        BAD(end, FRI - 1, EINVAL);
        BAD(start, -1, ERANGE);
        BAD(end, (time_t) INT64_C(32535216000), ERANGE);
        BAD(last_modified, -1, ERANGE);
        BAD(last_modified, (time_t) INT64_C(32535216000), ERANGE);
        BAD(sequence, -1, ERANGE);
        BAD(sequence, (int64_t) INT_MAX + 1, ERANGE);
        BAD(alarm_before, -1, EINVAL);
        BAD(alarm_before, ICS_ALARM_BEFORE_MAX + 1, ERANGE);
        BAD(alarm_before, INT64_MAX, ERANGE);
#undef BAD

        /* Two events, one UID. */
        IcsEvent two[] = { good_event(), good_event() };
        two[1].start += 7 * DAY;
        two[1].end += 7 * DAY;
        expect_error(two, 2, EINVAL);
        two[1].uid = "dn-other@closer";
        assert_int_equal(ics_write(two, 2, &text), 0);
        free(text);
}

/* ---- libical's global state ----------------------------------------------------------------- */

static void test_ical_state(void **state) {
        (void) state;
        const IcsEvent e = good_event();
        char *text = NULL;

        icalerror_set_errors_are_fatal(1);
        icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, ICAL_ERROR_FATAL);
        icalerrno = ICAL_FILE_ERROR;

        assert_int_equal(ics_write(&e, 1, &text), 0);

        assert_int_equal(icalerror_get_errors_are_fatal(), 1);
        assert_int_equal(icalerror_get_error_state(ICAL_MALFORMEDDATA_ERROR), ICAL_ERROR_FATAL);
        assert_int_equal(icalerrno, ICAL_FILE_ERROR);

        icalerror_set_errors_are_fatal(0);
        icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, ICAL_ERROR_DEFAULT);
        icalerror_clear_errno();

        /* Deterministic: the same input gives the same bytes. */
        char *again = NULL;
        assert_int_equal(ics_write(&e, 1, &again), 0);
        assert_string_equal(text, again);
        free(text);
        free(again);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_alarm),
                cmocka_unit_test(test_alarm_text_defaults_to_summary),
                cmocka_unit_test(test_no_alarm),
                cmocka_unit_test(test_cancelled),
                cmocka_unit_test(test_folding),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_sequence),
                cmocka_unit_test(test_far_times),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_stable_dtstamp),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_ical_state),
        };
        return cmocka_run_group_tests_name("ics", tests, NULL, NULL);
}
