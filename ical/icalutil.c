/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "icalutil.h"
#include "macro.h"

static const icalerrorenum ical_error_kinds[] = {
        ICAL_BADARG_ERROR,        ICAL_NEWFAILED_ERROR, ICAL_ALLOCATION_ERROR, ICAL_MALFORMEDDATA_ERROR,
        ICAL_PARSE_ERROR,         ICAL_INTERNAL_ERROR,  ICAL_FILE_ERROR,       ICAL_USAGE_ERROR,
        ICAL_UNIMPLEMENTED_ERROR, ICAL_UNKNOWN_ERROR,
};

_Static_assert(ELEMENTSOF(ical_error_kinds) == ELEMENTSOF(((IcalState *) 0)->states), "IcalState.states");

/* No libical error may abort the process while we work on untrusted data,
 * and the caller's icalerrno and settings are given back as they were. */
void ical_enter(IcalState *s) {
        s->errors_are_fatal = icalerror_get_errors_are_fatal();
        s->errno_saved = icalerrno;
        icalerror_set_errors_are_fatal(0);
        for (size_t i = 0; i < ELEMENTSOF(ical_error_kinds); i++) {
                s->states[i] = icalerror_get_error_state(ical_error_kinds[i]);
                icalerror_set_error_state(ical_error_kinds[i], ICAL_ERROR_NONFATAL);
        }
        icalerror_clear_errno();
}

void ical_leave(const IcalState *s) {
        for (size_t i = 0; i < ELEMENTSOF(ical_error_kinds); i++)
                icalerror_set_error_state(ical_error_kinds[i], s->states[i]);
        icalerror_set_errors_are_fatal(s->errors_are_fatal);
        icalerrno = s->errno_saved;
}

void icalcomponent_freep(icalcomponent **c) {
        if (*c)
                icalcomponent_free(*c);
}

int ical_add_property(icalcomponent *c, icalproperty *p) {
        if (!p)
                return -ENOMEM;
        if (!icalproperty_get_value(p)) {
                icalproperty_free(p);
                return -ENOMEM;
        }
        icalcomponent_add_property(c, p);
        return 0;
}

int ical_add_x_property(icalcomponent *c, const char *name, const char *value) {
        icalproperty *p = icalproperty_new_x(value);
        if (!p)
                return -ENOMEM;
        icalproperty_set_x_name(p, name);
        if (!icalproperty_get_x_name(p)) {
                icalproperty_free(p);
                return -ENOMEM;
        }
        return ical_add_property(c, p);
}

int ical_new_calendar(const char *prodid, const char *calscale, const char *calname, icalcomponent **ret) {
        _cleanup_(icalcomponent_freep) icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
        if (!cal)
                return -ENOMEM;
        int r = ical_add_property(cal, icalproperty_new_version("2.0"));
        if (r >= 0)
                r = ical_add_property(cal, icalproperty_new_prodid(prodid));
        if (r >= 0 && calscale)
                r = ical_add_property(cal, icalproperty_new_calscale(calscale));
        if (r >= 0)
                r = ical_add_x_property(cal, "X-WR-CALNAME", calname);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(cal);
        return 0;
}

int ical_render(icalcomponent *cal, char **ret_text) {
        char *text = icalcomponent_as_ical_string_r(cal);
        if (!text)
                return -ENOMEM;
        /* Hand out memory of our own allocator, whatever libical was built with. */
        char *copy = strdup(text);
        icalmemory_free_buffer(text);
        if (!copy)
                return -ENOMEM;
        *ret_text = copy;
        return 0;
}
