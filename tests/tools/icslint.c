/* SPDX-License-Identifier: MIT */
/*
 * icslint: reads an iCalendar file with libical, for the integration tests
 * (tests/test-datenight.sh): the fourth parser next to python3-icalendar,
 * vobject and khal (tests/ics-check.py).
 *
 *   icslint FILE|-
 *
 * Parses the whole file with libical's parser and fails (exit 1, a message
 * on stderr) when it holds anything but one VCALENDAR, when libical marked
 * any property anywhere with X-LIC-ERROR (libical's way of saying "I could
 * not read this": it never fails a parse), or when a VEVENT has no UID or no
 * DTSTART. Otherwise prints one line per VEVENT, in file order:
 *
 *   UID EPOCH
 *
 * EPOCH being the DTSTART as seconds since 1970-01-01T00:00:00Z, converted
 * by libical: UTC times as they are, a TZID through the file's own
 * VTIMEZONE (or libical's built-in zone of that name), a floating time
 * fails. Exit 0 on success, 2 on bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

static int errors;

__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "icslint: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        errors++;
}

/* Every X-LIC-ERROR in c and below, with the component's name. The
 * children are collected first: the property loop and the recursion would
 * otherwise share the component's one internal iterator. */
static void find_errors(icalcomponent *c) {
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY))
                complain("X-LIC-ERROR in %s: %s", icalcomponent_kind_to_string(icalcomponent_isa(c)),
                         icalproperty_get_xlicerror(p) ?: "");
        int k = icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
        if (k <= 0)
                return;
        icalcomponent **children = calloc((size_t)k, sizeof(icalcomponent *));
        if (!children) {
                complain("out of memory");
                return;
        }
        int n = 0;
        for (icalcomponent *child = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); child && n < k;
             child = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
                children[n++] = child;
        for (int i = 0; i < n; i++)
                find_errors(children[i]);
        free(children);
}

static char *slurp(const char *path) {
        FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!f)
                return NULL;
        size_t cap = 65536, len = 0;
        char *buf = malloc(cap + 1);
        while (buf) {
                size_t k = fread(buf + len, 1, cap - len, f);
                len += k;
                if (len < cap)
                        break;
                char *bigger = realloc(buf, 2 * cap + 1);
                if (!bigger) {
                        free(buf);
                        buf = NULL;
                        break;
                }
                buf = bigger;
                cap *= 2;
        }
        if (buf)
                buf[len] = '\0';
        if (f != stdin)
                fclose(f);
        return buf;
}

int main(int argc, char *argv[]) {
        if (argc != 2) {
                fprintf(stderr, "usage: icslint FILE|-\n");
                return 2;
        }
        char *text = slurp(argv[1]);
        if (!text) {
                fprintf(stderr, "icslint: cannot read %s: %s\n", argv[1], strerror(errno));
                return 2;
        }
        icalcomponent *root = icalparser_parse_string(text);
        free(text);
        if (!root) {
                fprintf(stderr, "icslint: libical read nothing\n");
                return 1;
        }
        if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
                fprintf(stderr, "icslint: the top-level component is %s, not one VCALENDAR\n",
                        icalcomponent_kind_to_string(icalcomponent_isa(root)));
                icalcomponent_free(root);
                return 1;
        }
        find_errors(root);

        icaltimezone *utc = icaltimezone_get_utc_timezone();
        for (icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ev;
             ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
                const char *uid = icalcomponent_get_uid(ev);
                icalproperty *p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
                if (!uid || !*uid) {
                        complain("a VEVENT without UID");
                        continue;
                }
                if (!p) {
                        complain("VEVENT %s has no DTSTART", uid);
                        continue;
                }
                struct icaltimetype t = icalproperty_get_dtstart(p);
                const icaltimezone *zone = NULL;
                if (icaltime_is_utc(t))
                        zone = utc;
                else {
                        icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
                        const char *tzid = tzp ? icalparameter_get_tzid(tzp) : NULL;
                        if (tzid) {
                                zone = icalcomponent_get_timezone(root, tzid);
                                if (!zone)
                                        zone = icaltimezone_get_builtin_timezone(tzid);
                                if (!zone)
                                        complain("VEVENT %s: unknown TZID %s", uid, tzid);
                        } else
                                complain("VEVENT %s: DTSTART is a floating time", uid);
                }
                if (icaltime_is_date(t))
                        complain("VEVENT %s: DTSTART is a DATE", uid);
                if (!zone || icaltime_is_date(t))
                        continue;
                printf("%s %lld\n", uid, (long long)icaltime_as_timet_with_zone(t, zone));
        }
        icalcomponent_free(root);
        return errors ? 1 : 0;
}
