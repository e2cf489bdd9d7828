/* SPDX-License-Identifier: MIT */

/*
 * ics.c: the date nights calendar (see ics.h for the contract).
 *
 * Everything is validated first, so that libical only ever builds what it
 * can render and what parses back: it would otherwise silently drop a '\r',
 * write a null time for a year after 3000, or pass invalid UTF-8 through to
 * be split by its folding. Then the calendar is built with libical, which
 * escapes and folds. All times are UTC: icaltime_from_timet_with_zone() with
 * libical's UTC zone gives a DATE-TIME that libical renders with a 'Z' and no
 * TZID parameter, so no VTIMEZONE is needed (and libical's built-in one, with
 * its /freeassociation.sourceforge.net/ TZIDs, is never pulled in).
 */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "icalutil.h"
#include "ics.h"
#include "item.h"
#include "macro.h"


/* ---- validation ----------------------------------------------------------------------------- */

static bool isempty(const char *s) {
        return !s || !*s;
}

/* Valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF) and no
 * control character (C0, DEL, C1) but '\n' and '\t'. */
static bool text_valid(const char *str) {
        const char *reason;
        return validate_text(str, 0, SIZE_MAX / 8, true, &reason) >= 0;
}

static bool uid_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > ICS_UID_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] <= 0x20 || s[i] >= 0x7f)
                        return false;
        return true;
}

static bool time_in_range(time_t t) {
        return (int64_t) t >= 0 && (int64_t) t <= ICAL_TIME_MAX;
}

static int validate_event(const IcsEvent *e) {
        if (!uid_valid(e->uid))
                return -EINVAL;
        if (isempty(e->summary) || !text_valid(e->summary))
                return -EINVAL;
        if (e->description && !text_valid(e->description))
                return -EINVAL;
        if (e->alarm_text && !text_valid(e->alarm_text))
                return -EINVAL;
        if (!time_in_range(e->start) || !time_in_range(e->end) || !time_in_range(e->last_modified))
                return -ERANGE;
        if (e->end <= e->start)
                return -EINVAL;
        if (e->sequence < 0 || e->sequence > INT_MAX)
                return -ERANGE;
        if (e->alarm_before < 0)
                return -EINVAL;
        if (e->alarm_before > ICS_ALARM_BEFORE_MAX)
                return -ERANGE;
        return 0;
}

/* Returns 1 when two events share a UID, 0 when all differ, or -ENOMEM. */
static int has_duplicate_uid(const IcsEvent *events, size_t n) {
        if (n < 2)
                return 0;

        _cleanup_free_ const char **uids = calloc(n, sizeof(char *));
        if (!uids)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                uids[i] = events[i].uid;
        qsort(uids, n, sizeof(char *), strcmp_ptr);
        for (size_t i = 1; i < n; i++)
                if (streq(uids[i - 1], uids[i]))
                        return 1;
        return 0;
}

/* ---- building ------------------------------------------------------------------------------- */

/* Adds p to c, or frees it and fails when libical could not build it. */
static struct icaltimetype utc_time(time_t t) {
        return icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
}

/* TRIGGER;RELATED=START:-PT1H for a lead of 3600 s. */
static int add_alarm(icalcomponent *event, int64_t before, const char *text) {
        icalcomponent *alarm = icalcomponent_new(ICAL_VALARM_COMPONENT);
        if (!alarm)
                return -ENOMEM;
        /* Owned by event from here on. */
        icalcomponent_add_component(event, alarm);

        int r = ical_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
        if (r < 0)
                return r;
        r = ical_add_property(alarm, icalproperty_new_description(text));
        if (r < 0)
                return r;

        struct icaltriggertype trigger = {
                .time = icaltime_null_time(),
                .duration = icaldurationtype_from_int(-(int) before),
        };
        icalproperty *p = icalproperty_new_trigger(trigger);
        if (!p)
                return -ENOMEM;
        icalparameter *related = icalparameter_new_related(ICAL_RELATED_START);
        if (!related) {
                icalproperty_free(p);
                return -ENOMEM;
        }
        icalproperty_add_parameter(p, related);
        return ical_add_property(alarm, p);
}

static int add_event(icalcomponent *cal, const IcsEvent *e) {
        icalcomponent *event = icalcomponent_new(ICAL_VEVENT_COMPONENT);
        if (!event)
                return -ENOMEM;
        /* Owned by cal from here on. */
        icalcomponent_add_component(cal, event);

        int r = ical_add_property(event, icalproperty_new_uid(e->uid));
        if (r < 0)
                return r;
        /* The event's own last change, not the time of writing: an unchanged
         * event renders to the same bytes forever (a vdir synchronizer, a
         * CalDAV server and a file watcher see no change where there is none). */
        r = ical_add_property(event, icalproperty_new_dtstamp(utc_time(e->last_modified)));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_dtstart(utc_time(e->start)));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_dtend(utc_time(e->end)));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_sequence((int) e->sequence));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_lastmodified(utc_time(e->last_modified)));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_summary(e->summary));
        if (r < 0)
                return r;
        if (!isempty(e->description)) {
                r = ical_add_property(event, icalproperty_new_description(e->description));
                if (r < 0)
                        return r;
        }
        r = ical_add_property(event, icalproperty_new_class(ICAL_CLASS_PRIVATE));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_status(e->cancelled ? ICAL_STATUS_CANCELLED
                                                                     : ICAL_STATUS_CONFIRMED));
        if (r < 0)
                return r;
        r = ical_add_property(event, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
        if (r < 0)
                return r;

        /* A cancelled night must not ring. */
        if (e->cancelled || e->alarm_before == 0)
                return 0;
        return add_alarm(event, e->alarm_before, isempty(e->alarm_text) ? e->summary : e->alarm_text);
}

static int build_text(const IcsEvent *events, size_t n, char **ret_text) {
        _cleanup_(icalcomponent_freep) icalcomponent *cal = NULL;
        int r = ical_new_calendar(ICS_PRODID, "GREGORIAN", ICS_CALNAME, &cal);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = add_event(cal, &events[i]);
        if (r < 0)
                return r;
        return ical_render(cal, ret_text);
}

/* What ics_write() refuses in the events as a whole. */
static int validate_events(const IcsEvent *events, size_t n) {
        int r;

        for (size_t i = 0; i < n; i++) {
                r = validate_event(&events[i]);
                if (r < 0)
                        return r;
        }
        r = has_duplicate_uid(events, n);
        if (r < 0)
                return r;
        return r > 0 ? -EINVAL : 0;
}

int ics_write(const IcsEvent *events, size_t n, char **ret_text) {
        if (!ret_text || (n > 0 && !events))
                return -EINVAL;
        int r = validate_events(events, n);
        if (r < 0)
                return r;

        IcalState state;
        ical_enter(&state);
        r = build_text(events, n, ret_text);
        ical_leave(&state);
        return r;
}

int ics_write_each(const IcsEvent *events, size_t n, char ***ret_texts) {
        if (!ret_texts || (n > 0 && !events))
                return -EINVAL;
        *ret_texts = NULL;
        int r = validate_events(events, n);
        if (r < 0 || n == 0)
                return r;

        char **texts = calloc(n, sizeof(char *));
        if (!texts)
                return -ENOMEM;
        IcalState state;
        ical_enter(&state);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = build_text(&events[i], 1, &texts[i]);
        ical_leave(&state);
        if (r < 0) {
                ics_texts_free(texts, n);
                return r;
        }
        *ret_texts = texts;
        return 0;
}
