/* SPDX-License-Identifier: MIT */

/*
 * listfile.c: the list exchange file (see listfile.h for the contract).
 *
 * Writing builds the calendar with libical and lets it escape and fold.
 *
 * Reading is two passes over the untrusted bytes:
 *  1. a pre-scan of our own that checks what libical does not (size, NUL
 *     bytes, UTF-8, one well-nested VCALENDAR, the item count, limits on line
 *     length and line count, the raw text of SEQUENCE and X-CLOSER-INTENSITY,
 *     which libical would read with atoi(), and the two property names whose
 *     values libical 3.0.16 prints to stderr), unfolds the lines (RFC 5545
 *     3.1) and remembers the physical line each content line starts on;
 *  2. libical's parser, fed one unfolded content line at a time with
 *     icalparser_add_line(), so a line it flags is known by number. Every
 *     X-LIC-ERROR it inserts anywhere fails the import.
 * The pre-scan guarantees that libical only ever sees well-nested input, so
 * none of its recovery paths (and their stderr warnings) are reached, and
 * that its recursive walks stay shallow (LISTFILE_DEPTH_MAX).
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "icalutil.h"
#include "listfile-private.h"
#include "listfile.h"
#include "macro.h"

#define LISTFILE_PRODID "-//closer//closer list//EN"
#define X_OWNER "X-CLOSER-OWNER"
#define X_OWNER_ID "X-CLOSER-OWNER-ID"
/* 3000-12-31T23:59:59Z: libical silently writes a null time for any later one. */
#define TIME_MAX ICAL_TIME_MAX
#define YEAR_MAX 3000

static void icalparser_freep(icalparser **p) {
        if (*p)
                icalparser_free(*p);
}

/* ---- duplicates ----------------------------------------------------------------------------- */

typedef struct UidRef {
        const char *uid;
        size_t index;
} UidRef;

static int uidref_compare(const void *a, const void *b) {
        const UidRef *x = a, *y = b;
        int c = strcmp(x->uid, y->uid);
        if (c != 0)
                return c;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Finds two items with the same UID: the pair whose second item comes first
 * in the list. Returns 1 (and the 0-based indexes), 0 when all differ, or -ENOMEM. */
static int find_duplicate_uid(const Item *items, size_t n, size_t *ret_a, size_t *ret_b) {
        if (n < 2)
                return 0;

        _cleanup_free_ UidRef *refs = calloc(n, sizeof(UidRef));
        if (!refs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                refs[i] = (UidRef) { .uid = items[i].uid, .index = i };
        qsort(refs, n, sizeof(UidRef), uidref_compare);

        bool found = false;
        for (size_t i = 1; i < n; i++)
                if (strcmp(refs[i - 1].uid, refs[i].uid) == 0 && (!found || refs[i].index < *ret_b)) {
                        found = true;
                        *ret_a = refs[i - 1].index;
                        *ret_b = refs[i].index;
                }
        return found;
}

/* ---- writing -------------------------------------------------------------------------------- */

/* Adds p to c, or frees it and fails when libical could not build it. */
static int validate_for_write(const Item *it) {
        const char *reason;

        if (validate_uid(it->uid, &reason) < 0)
                return -EINVAL;
        if (it->sequence < 0 || it->sequence > INT_MAX)
                return -ERANGE;
        if (it->modified < 0 || it->modified > TIME_MAX)
                return -ERANGE;

        if (it->removed)
                return 0; /* its text is never written */

        if (validate_title(it->title, &reason) < 0 ||
            validate_details(it->details, &reason) < 0 ||
            validate_intensity(it->intensity, &reason) < 0 ||
            !category_to_string(it->category))
                return -EINVAL;
        return 0;
}

/* SEQUENCE and LAST-MODIFIED: all that a tombstone carries besides UID, DTSTAMP and STATUS. */
static int add_revision(icalcomponent *todo, const Item *it, icaltimezone *utc) {
        int r = ical_add_property(todo, icalproperty_new_sequence((int) it->sequence));
        if (r < 0)
                return r;
        return ical_add_property(todo, icalproperty_new_lastmodified(
                                         icaltime_from_timet_with_zone((time_t) it->modified, 0, utc)));
}

static int add_todo(icalcomponent *cal, const Item *it, struct icaltimetype stamp, icaltimezone *utc) {
        icalcomponent *todo = icalcomponent_new(ICAL_VTODO_COMPONENT);
        if (!todo)
                return -ENOMEM;
        /* Owned by cal from here on. */
        icalcomponent_add_component(cal, todo);

        int r = ical_add_property(todo, icalproperty_new_uid(it->uid));
        if (r < 0)
                return r;
        r = ical_add_property(todo, icalproperty_new_dtstamp(stamp));
        if (r < 0)
                return r;
        if (it->removed) {
                r = add_revision(todo, it, utc);
                if (r < 0)
                        return r;
                return ical_add_property(todo, icalproperty_new_status(ICAL_STATUS_CANCELLED));
        }

        r = ical_add_property(todo, icalproperty_new_summary(it->title));
        if (r < 0)
                return r;
        if (!lf_isempty(it->details)) {
                r = ical_add_property(todo, icalproperty_new_description(it->details));
                if (r < 0)
                        return r;
        }
        r = ical_add_property(todo, icalproperty_new_categories(category_to_string(it->category)));
        if (r < 0)
                return r;
        r = ical_add_property(todo, icalproperty_new_class(it->private_ ? ICAL_CLASS_PRIVATE : ICAL_CLASS_PUBLIC));
        if (r < 0)
                return r;
        r = add_revision(todo, it, utc);
        if (r < 0)
                return r;

        char intensity[2] = { (char) ('0' + it->intensity), '\0' };
        return ical_add_x_property(todo, X_INTENSITY, intensity);
}

static int build_text(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                      char **ret_text) {
        _cleanup_(icalcomponent_freep) icalcomponent *cal = NULL;
        _cleanup_free_ char *calname = NULL;
        int r;

        if (!lf_isempty(owner_name) && asprintf(&calname, "%s's list", owner_name) < 0)
                return -ENOMEM;
        r = ical_new_calendar(LISTFILE_PRODID, NULL, calname ? calname : "closer list", &cal);
        if (r >= 0 && !lf_isempty(owner_id))
                r = ical_add_x_property(cal, X_OWNER_ID, owner_id);
        if (r >= 0 && calname)
                r = ical_add_x_property(cal, X_OWNER, owner_name);

        icaltimezone *utc = icaltimezone_get_utc_timezone();
        struct icaltimetype stamp = icaltime_from_timet_with_zone(now, 0, utc);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = add_todo(cal, &items[i], stamp, utc);
        if (r < 0)
                return r;
        return ical_render(cal, ret_text);
}

int listfile_write(const Item *items, size_t n, const char *owner_name, const char *owner_id, time_t now,
                   char **ret_text) {
        const char *reason;

        if (!ret_text || (n > 0 && !items))
                return -EINVAL;
        if (n > ITEM_COUNT_MAX)
                return -E2BIG;
        if ((int64_t) now < 0 || (int64_t) now > TIME_MAX)
                return -ERANGE;
        if (!lf_isempty(owner_name) && validate_title(owner_name, &reason) < 0)
                return -EINVAL;
        if (!lf_isempty(owner_id) && validate_uid(owner_id, &reason) < 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int r = validate_for_write(&items[i]);
                if (r < 0)
                        return r;
        }
        size_t a, b;
        int r = find_duplicate_uid(items, n, &a, &b);
        if (r < 0)
                return r;
        if (r > 0)
                return -EINVAL;

        IcalState state;
        ical_enter(&state);
        r = build_text(items, n, owner_name, owner_id, now, ret_text);
        ical_leave(&state);
        return r;
}

/* ---- reading with libical ------------------------------------------------------------------- */

static const char *xlic_error_reason(icalproperty *p) {
        icalparameter *t = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);

        switch (t ? icalparameter_get_xlicerrortype(t) : ICAL_XLICERRORTYPE_NONE) {
        case ICAL_XLICERRORTYPE_COMPONENTPARSEERROR:
                return "a line that is not a property";
        case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:
                return "an unknown or malformed property";
        case ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR:
                return "a malformed parameter name";
        case ICAL_XLICERRORTYPE_PARAMETERVALUEPARSEERROR:
                return "a malformed parameter value";
        case ICAL_XLICERRORTYPE_VALUEPARSEERROR:
                return "a malformed or empty property value";
        default:
                return "an X-LIC-ERROR property";
        }
}

static icalproperty *find_xlic_error(icalcomponent *c) {
        icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
        if (p)
                return p;
        for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
             s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
                p = find_xlic_error(s); /* depth is bounded by LISTFILE_DEPTH_MAX */
                if (p)
                        return p;
        }
        return NULL;
}

/* Any X-LIC-ERROR in the tree fails the import; says where in terms of items. */
static int check_xlic_errors(icalcomponent *cal, const Scan *s, char **err_text) {
        icalproperty *p = icalcomponent_get_first_property(cal, ICAL_XLICERROR_PROPERTY);
        if (p)
                return lf_fail(err_text, -EBADMSG, "the VCALENDAR (line %u) contains %s",
                            s->n_lines > 0 ? s->lines[0].lineno : 1u, xlic_error_reason(p));

        size_t todo = 0;
        for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
             c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
                bool is_todo = icalcomponent_isa(c) == ICAL_VTODO_COMPONENT;
                if (is_todo)
                        todo++;
                p = find_xlic_error(c);
                if (!p)
                        continue;
                if (is_todo && todo <= s->n_todos)
                        return lf_fail(err_text, -EBADMSG, "item %zu (line %u): contains %s", todo,
                                    s->todos[todo - 1].lineno, xlic_error_reason(p));
                const char *kind = icalcomponent_kind_to_string(icalcomponent_isa(c));
                return lf_fail(err_text, -EBADMSG, "a %s component in the calendar contains %s",
                            kind ? kind : "non-standard", xlic_error_reason(p));
        }
        return 0;
}

/* The only property of kind in c: *ret NULL when there is none; -EBADMSG when there are more. */
static int get_single(icalcomponent *c, icalproperty_kind kind, icalproperty **ret) {
        int n = icalcomponent_count_properties(c, kind);
        if (n > 1)
                return -EBADMSG;
        *ret = n == 1 ? icalcomponent_get_first_property(c, kind) : NULL;
        return 0;
}

static int get_single_x(icalcomponent *c, const char *name, icalproperty **ret) {
        icalproperty *found = NULL;
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
                const char *x = icalproperty_get_x_name(p);
                if (!x || !lf_name_is(x, strlen(x), name))
                        continue;
                if (found)
                        return -EBADMSG;
                found = p;
        }
        *ret = found;
        return 0;
}

/* The text of a TEXT or X property, unescaped. */
static const char *property_text(icalproperty *p) {
        icalvalue *v = icalproperty_get_value(p);
        if (!v)
                return NULL;
        switch (icalvalue_isa(v)) {
        case ICAL_X_VALUE:
                return icalvalue_get_x(v);
        case ICAL_TEXT_VALUE:
                return icalvalue_get_text(v);
        default:
                return NULL;
        }
}

/* 1-3, or -1. Only value types whose reading is plain: libical prints a warning
 * to stderr when asked for the text of some others (BINARY). */
static int property_intensity(icalproperty *p) {
        icalvalue *v = icalproperty_get_value(p);
        const char *s;

        switch (v ? icalvalue_isa(v) : ICAL_NO_VALUE) {
        case ICAL_INTEGER_VALUE: {
                int i = icalvalue_get_integer(v);
                return i >= 1 && i <= 3 ? i : -1;
        }
        case ICAL_X_VALUE:
        case ICAL_TEXT_VALUE:
                s = property_text(p);
                return s && s[0] >= '1' && s[0] <= '3' && s[1] == '\0' ? s[0] - '0' : -1;
        default:
                return -1;
        }
}

static bool lastmodified_valid(struct icaltimetype t) {
        if (t.year < 1970 || t.year > YEAR_MAX || t.month < 1 || t.month > 12 || t.day < 1 ||
            t.day > icaltime_days_in_month(t.month, t.year))
                return false;
        if (t.is_date)
                return true;
        return t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 && t.second <= 60;
}

#define item_fail(err_text, idx, line, fmt, ...) \
        lf_fail(err_text, -EBADMSG, "item %zu (line %u): " fmt, (idx), (line), ##__VA_ARGS__)

/* The line of a property if the pre-scan saw it, else that of the item. */
static unsigned line_or(unsigned line, const TodoInfo *info) {
        return line > 0 ? line : info->lineno;
}

/* Fills *it from a VTODO; idx is 1-based. */
static int read_item(icalcomponent *todo, const TodoInfo *info, size_t idx, const ListParseOptions *opts, Item *it,
                     char **err_text) {
        const char *reason;
        icalproperty *p;
        /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): every VTODO has its TodoInfo */
        unsigned line = info->lineno;

        *it = (Item) {
                .category = opts->default_category,
                .intensity = 1,
                .review = REVIEW_NEW,
        };

        if (get_single(todo, ICAL_STATUS_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one STATUS");
        it->removed = p && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED;

        if (get_single(todo, ICAL_UID_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one UID");
        if (!p)
                return item_fail(err_text, idx, line, "missing UID");
        const char *uid = property_text(p);
        if (validate_uid(uid, &reason) < 0)
                return item_fail(err_text, idx, line_or(info->uid_line, info), "UID %s", reason);
        it->uid = strdup(uid);
        if (!it->uid)
                return -ENOMEM;

        if (get_single(todo, ICAL_SUMMARY_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one SUMMARY");
        if (!p && !it->removed)
                return item_fail(err_text, idx, line, "missing SUMMARY");
        it->title = lf_strdup_stripped(p ? property_text(p) : NULL);
        if (!it->title)
                return -ENOMEM;
        if (p && validate_title(it->title, &reason) < 0)
                return item_fail(err_text, idx, line_or(info->summary_line, info), "SUMMARY %s", reason);

        if (get_single(todo, ICAL_DESCRIPTION_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one DESCRIPTION");
        it->details = lf_strdup_stripped(p ? property_text(p) : NULL);
        if (!it->details)
                return -ENOMEM;
        if (p && validate_details(it->details, &reason) < 0)
                return item_fail(err_text, idx, line_or(info->description_line, info), "DESCRIPTION %s", reason);

        /* The tags of CATEGORIES, as the pre-scan read them from the raw lines. */
        if (info->tag_category != _CATEGORY_INVALID)
                it->category = info->tag_category;

        if (get_single_x(todo, X_INTENSITY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one " X_INTENSITY);
        if (p) {
                /* The pre-scan read the digit; libical must have read the same. */
                if (info->intensity == 0 || property_intensity(p) != info->intensity)
                        return item_fail(err_text, idx, line, X_INTENSITY " must be 1, 2 or 3");
                it->intensity = info->intensity;
        } else if (info->intensity != 0)
                return item_fail(err_text, idx, line, X_INTENSITY " could not be read");
        else if (info->tag_intensity != 0)
                it->intensity = info->tag_intensity; /* a tasks app's tag */

        if (get_single(todo, ICAL_CLASS_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one CLASS");
        if (info->tag_private)
                it->private_ = true; /* privacy first: whatever CLASS says */
        else if (p)
                /* RFC 5545 3.8.1.3: a class one does not know counts as PRIVATE. */
                it->private_ = icalproperty_get_class(p) != ICAL_CLASS_PUBLIC;
        else
                it->private_ = item_default_private(it->intensity);

        if (get_single(todo, ICAL_SEQUENCE_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one SEQUENCE");
        if (p ? info->sequence < 0 || icalproperty_get_sequence(p) != info->sequence : info->sequence >= 0)
                return item_fail(err_text, idx, line, "SEQUENCE could not be read");
        it->sequence = p ? info->sequence : 0;

        if (get_single(todo, ICAL_LASTMODIFIED_PROPERTY, &p) < 0)
                return item_fail(err_text, idx, line, "more than one LAST-MODIFIED");
        if (p) {
                struct icaltimetype t = icalproperty_get_lastmodified(p);
                if (!lastmodified_valid(t))
                        return item_fail(err_text, idx, line_or(info->lastmodified_line, info),
                                         "LAST-MODIFIED is not a valid date and time");
                it->modified = (int64_t) icaltime_as_timet(t);
        }

        if (it->removed) {
                /* No text survives removal, whatever the file carried. */
                it->title[0] = '\0';
                it->details[0] = '\0';
                it->category = opts->default_category;
                it->intensity = 1;
                it->private_ = false;
        }
        return 0;
}

/* The calendar's X-CLOSER-OWNER or X-CLOSER-OWNER-ID: *ret stays NULL without one. */
static int read_owner_property(icalcomponent *cal, const char *name, int (*validate)(const char *, const char **),
                               char **ret, char **err_text) {
        const char *reason;
        icalproperty *p;

        if (get_single_x(cal, name, &p) < 0)
                return lf_fail(err_text, -EBADMSG, "more than one %s", name);
        if (!p)
                return 0;
        *ret = lf_strdup_stripped(property_text(p));
        if (!*ret)
                return -ENOMEM;
        if (validate(*ret, &reason) < 0)
                return lf_fail(err_text, -EBADMSG, "%s %s", name, reason);
        return 0;
}

static int read_calendar(icalcomponent *cal, const Scan *s, const ListParseOptions *opts, ListFile *f,
                         char **err_text) {
        int r;

        r = check_xlic_errors(cal, s, err_text);
        if (r < 0)
                return r;

        r = read_owner_property(cal, X_OWNER, validate_title, &f->owner_name, err_text);
        if (r < 0)
                return r;
        r = read_owner_property(cal, X_OWNER_ID, validate_uid, &f->owner_id, err_text);
        if (r < 0)
                return r;

        size_t n_todos = 0, skipped = 0;
        for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
             c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
                if (icalcomponent_isa(c) == ICAL_VTODO_COMPONENT)
                        n_todos++;
                else
                        skipped++;
        if (n_todos != s->n_todos)
                /* The pre-scan and libical disagree on the structure: refuse rather than guess. */
                return lf_fail(err_text, -EBADMSG, "the calendar structure could not be read (%zu VTODO components found, %zu expected)",
                            n_todos, s->n_todos);
        f->skipped_components = skipped;

        f->items = calloc(n_todos > 0 ? n_todos : 1, sizeof(Item));
        if (!f->items)
                return -ENOMEM;

        size_t i = 0;
        for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VTODO_COMPONENT); c;
             c = icalcomponent_get_next_component(cal, ICAL_VTODO_COMPONENT), i++) {
                f->n_items = i + 1; /* so that listfile_clear() frees what read_item() filled */
                r = read_item(c, &s->todos[i], i + 1, opts, &f->items[i], err_text);
                if (r < 0)
                        return r;
        }

        size_t a, b;
        r = find_duplicate_uid(f->items, f->n_items, &a, &b);
        if (r < 0)
                return r;
        if (r > 0)
                return lf_fail(err_text, -EBADMSG, "duplicate UID '%s' (items %zu and %zu)", f->items[a].uid, a + 1,
                            b + 1);
        return 0;
}

static int parse_lines(const Scan *s, icalcomponent **ret, char **err_text) {
        _cleanup_(icalparser_freep) icalparser *parser = icalparser_new();
        if (!parser)
                return -ENOMEM;

        icalcomponent *root = NULL;
        for (size_t i = 0; i < s->n_lines; i++) {
                const Line *l = &s->lines[i];
                icalcomponent *c = icalparser_add_line(parser, l->text);

                if (icalparser_get_state(parser) == ICALPARSER_ERROR) {
                        if (c)
                                icalcomponent_free(c);
                        if (l->item > 0)
                                return lf_fail(err_text, -EBADMSG, "item %zu (line %u): malformed content line",
                                            l->item, l->lineno);
                        return lf_fail(err_text, -EBADMSG, "line %u: malformed content line", l->lineno);
                }
                if (c) {
                        if (root || i + 1 != s->n_lines) {
                                icalcomponent_free(c);
                                if (root)
                                        icalcomponent_free(root);
                                return lf_fail(err_text, -EBADMSG, "line %u: unexpected end of the calendar",
                                            l->lineno);
                        }
                        root = c;
                }
        }

        if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
                if (root)
                        icalcomponent_free(root);
                return lf_fail(err_text, -EBADMSG, "not an iCalendar file");
        }
        *ret = root;
        return 0;
}

int listfile_parse_with(const char *buf, size_t len, const ListParseOptions *opts, ListFile *ret, char **err_text) {
        _cleanup_(icalcomponent_freep) icalcomponent *cal = NULL;
        _cleanup_(lf_scan_clear) Scan scan = {};
        ListParseOptions o = opts ? *opts : (ListParseOptions) { .default_category = CATEGORY_AFFECTION };
        ListFile f = {};
        int r;

        if (!ret || (len > 0 && !buf) || !category_to_string(o.default_category))
                return -EINVAL;
        *ret = (ListFile) {};
        if (err_text)
                *err_text = NULL;

        if (len > LISTFILE_SIZE_MAX)
                return lf_fail(err_text, -EFBIG, "file is larger than %u MiB", LISTFILE_SIZE_MAX / (1024 * 1024));

        r = lf_prescan(&scan, buf, len, err_text);
        if (r < 0)
                goto finish;

        IcalState state;
        ical_enter(&state);
        r = parse_lines(&scan, &cal, err_text);
        if (r >= 0)
                r = read_calendar(cal, &scan, &o, &f, err_text);
        ical_leave(&state);

finish:
        if (r < 0) {
                listfile_clear(&f);
                if (r == -ENOMEM && err_text) {
                        free(*err_text);
                        *err_text = NULL;
                }
                return r;
        }
        *ret = f;
        return 0;
}

int listfile_parse(const char *buf, size_t len, ListFile *ret, char **err_text) {
        return listfile_parse_with(buf, len, NULL, ret, err_text);
}
