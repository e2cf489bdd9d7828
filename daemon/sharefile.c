/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calendar.h"
#include "item.h"
#include "macro.h"
#include "promise.h"
#include "sharefile.h"

/*
 * Every file is described by tables: the members of the top-level object
 * and of one array entry, each with its type, its place in the struct and
 * its limits. One parser, one checker and one writer walk those tables, so
 * that what the writer refuses is exactly what the parser refuses, and a
 * new member is one line.
 *
 * Every member a table names is required; those marked nullable may be
 * null. Numbers are integers that fit an int64_t, the uint64_t ones too: a
 * number json-c had to clamp is out of range, never a silent maximum.
 */

#define SHARE_TIME_MAX INT64_C(32535215999) /* 3000-12-31T23:59:59Z */
#define SHARE_DAY_MAX (SHARE_TIME_MAX / 86400) /* 3000-12-31 */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef enum FieldType {
        FIELD_UID,    /* char *: validate_uid() */
        FIELD_ID,     /* char *: a member ID */
        FIELD_TEXT,   /* char *: one line of at most max code points */
        FIELD_NOTE,   /* char *: newlines allowed, at most max code points */
        FIELD_ASCII,  /* char *: min..max bytes of printable ASCII */
        FIELD_INT,    /* int64_t: min..max */
        FIELD_UINT,   /* uint64_t: min..max */
        FIELD_DAY,    /* int64_t day number, written "YYYY-MM-DD" */
        FIELD_REVIEW, /* Review */
        FIELD_STATUS, /* PromiseStatus */
        FIELD_BY,     /* bool: "partner" true, "me" false */
        FIELD_BOOL,   /* bool */
} FieldType;

typedef struct Field {
        const char *name;
        size_t offset;
        int64_t min, max;
        FieldType type;
        bool nullable; /* strings only */
        bool unique;   /* part of what no two entries of an array may share */
        bool optional; /* may be left out (a member added after format 1 was first written) */
} Field;

typedef struct ArrayInfo {
        const char *name;
        size_t size;              /* of one entry */
        size_t items, count;      /* where the array and its length are in ShareFile */
        const Field *fields;
        size_t n_fields;
        const char *unique_what;  /* the unique fields, for the message */
} ArrayInfo;

typedef struct KindInfo {
        const char *name, *file;
        const Field *fields; /* the top-level members after "format", "member" first */
        size_t n_fields;
        const ArrayInfo *array;
} KindInfo;

#define F(s, m, t, ...) { .name = #m, .type = t, .offset = offsetof(s, m), __VA_ARGS__ }
#define MEMBER_FIELD F(ShareFile, member, FIELD_ID)
#define SEQUENCE(s) F(s, sequence, FIELD_INT, .min = 0, .max = INT64_MAX)

static const Field header_fields[] = { MEMBER_FIELD };
static const Field member_fields[] = {
        MEMBER_FIELD,
        F(ShareFile, name, FIELD_TEXT, .nullable = true, .max = SHAREFILE_NAME_MAX),
        F(ShareFile, partner, FIELD_ID, .nullable = true),
};
static const Field plan_fields[] = {
        MEMBER_FIELD,
        F(ShareFile, clock, FIELD_UINT, .min = 0, .max = INT64_MAX),
};

static const Field review_fields[] = {
        F(ShareReview, uid, FIELD_UID, .unique = true),
        F(ShareReview, review, FIELD_REVIEW),
        F(ShareReview, note, FIELD_NOTE, .nullable = true, .max = ITEM_NOTE_MAX),
        SEQUENCE(ShareReview),
};
static const Field promise_fields[] = {
        F(SharePromise, uid, FIELD_UID, .unique = true),
        F(SharePromise, due, FIELD_INT, .min = 0, .max = SHARE_TIME_MAX),
        F(SharePromise, what, FIELD_TEXT, .nullable = true, .max = SHAREFILE_TEXT_MAX),
        F(SharePromise, where, FIELD_TEXT, .nullable = true, .max = SHAREFILE_TEXT_MAX),
        F(SharePromise, status, FIELD_STATUS),
        SEQUENCE(SharePromise),
        { .name = "owed_by", .type = FIELD_BY, .offset = offsetof(SharePromise, owed_by_partner), .optional = true },
};
static const Field entry_fields[] = {
        F(SharePlanEntry, key, FIELD_ASCII, .unique = true, .min = 1, .max = SHAREFILE_KEY_MAX),
        F(SharePlanEntry, value, FIELD_ASCII, .min = 0, .max = SHAREFILE_VALUE_MAX),
        F(SharePlanEntry, lc, FIELD_UINT, .min = 1, .max = INT64_MAX),
        F(SharePlanEntry, seen, FIELD_UINT, .min = 0, .max = INT64_MAX),
};
/* The same item may be done again on another day: an act is its day and UID. */
static const Field act_fields[] = {
        F(ShareAct, day, FIELD_DAY, .unique = true, .min = 0, .max = SHARE_DAY_MAX),
        F(ShareAct, uid, FIELD_UID, .unique = true),
};
static const Field advance_fields[] = {
        F(ShareAdvance, id, FIELD_INT, .unique = true, .min = 1, .max = INT64_MAX),
        F(ShareAdvance, at, FIELD_INT, .min = 0, .max = SHARE_TIME_MAX),
        { .name = "by", .type = FIELD_BY, .offset = offsetof(ShareAdvance, by_partner) },
        F(ShareAdvance, accepted, FIELD_BOOL),
};

#define ARRAY(n, type, member, fields, what)                                            \
        { n, sizeof(type), offsetof(ShareFile, member), offsetof(ShareFile, n_##member), \
          fields, ELEMENTSOF(fields), what }
static const ArrayInfo arrays[] = {
        ARRAY("reviews", ShareReview, reviews, review_fields, "uid"),
        ARRAY("promises", SharePromise, promises, promise_fields, "uid"),
        ARRAY("entries", SharePlanEntry, entries, entry_fields, "key"),
        ARRAY("acts", ShareAct, acts, act_fields, "day and uid"),
        ARRAY("advances", ShareAdvance, advances, advance_fields, "id"),
};

static const KindInfo kinds[_SHARE_KIND_MAX] = {
        [SHARE_MEMBER] = { "member", "member.json", member_fields, ELEMENTSOF(member_fields), NULL },
        [SHARE_REVIEWS] = { "reviews", "reviews.json", header_fields, 1, &arrays[0] },
        [SHARE_PROMISES] = { "promises", "promises.json", header_fields, 1, &arrays[1] },
        [SHARE_PLAN] = { "plan", "plan.json", plan_fields, ELEMENTSOF(plan_fields), &arrays[2] },
        [SHARE_ACTS] = { "acts", "acts.json", header_fields, 1, &arrays[3] },
        [SHARE_ADVANCES] = { "advances", "advances.json", header_fields, 1, &arrays[4] },
};

static const KindInfo *kind_info(ShareKind k) {
        return k >= 0 && k < _SHARE_KIND_MAX ? &kinds[k] : NULL;
}

const char *share_kind_to_string(ShareKind k) {
        return kind_info(k) ? kinds[k].name : NULL;
}

const char *share_kind_file(ShareKind k) {
        return kind_info(k) ? kinds[k].file : NULL;
}

ShareKind share_kind_from_string(const char *s) {
        for (ShareKind k = 0; s && k < _SHARE_KIND_MAX; k++)
                if (streq(kinds[k].name, s))
                        return k;
        return _SHARE_KIND_INVALID;
}

ShareKind share_kind_from_file(const char *name) {
        for (ShareKind k = 0; name && k < _SHARE_KIND_MAX; k++)
                if (streq(kinds[k].file, name))
                        return k;
        return _SHARE_KIND_INVALID;
}

bool share_id_is_valid(const char *s) {
        if (!s)
                return false;
        /* A NUL fails the test before anything past it is read. */
        for (size_t i = 0; i < SHARE_ID_LEN; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return s[SHARE_ID_LEN] == '\0';
}

/* The pointer-sized members of ShareFile named by an ArrayInfo, read and
 * written with memcpy: they are typed pointers, not void *. */
static void *items_get(const ShareFile *f, const ArrayInfo *a, size_t *ret_n) {
        void *items;
        memcpy(&items, (const char *) f + a->items, sizeof(items));
        memcpy(ret_n, (const char *) f + a->count, sizeof(*ret_n));
        return items;
}

static void items_set(ShareFile *f, const ArrayInfo *a, void *items, size_t n) {
        memcpy((char *) f + a->items, &items, sizeof(items));
        memcpy((char *) f + a->count, &n, sizeof(n));
}

#define AT(base, fd, type) ((type *) ((char *) (base) + (fd)->offset))
#define CAT(base, fd, type) ((const type *) ((const char *) (base) + (fd)->offset))

static bool field_is_string(const Field *fd) {
        return fd->type <= FIELD_ASCII;
}

static void fields_free(const Field *fields, size_t n, void *base) {
        for (size_t i = 0; i < n; i++)
                if (field_is_string(&fields[i]))
                        free(*AT(base, &fields[i], char *));
}

void sharefile_clear(ShareFile *f) {
        if (!f)
                return;
        fields_free(member_fields, ELEMENTSOF(member_fields), f);
        for (size_t k = 0; k < ELEMENTSOF(arrays); k++) {
                const ArrayInfo *a = &arrays[k];
                size_t n;
                char *items = items_get(f, a, &n);
                for (size_t i = 0; items && i < n; i++)
                        fields_free(a->fields, a->n_fields, items + i * a->size);
                free(items);
        }
        *f = (ShareFile) {};
}

/* Where a value stands, for the one line of an error: "promises[3].due". */
typedef struct Where {
        char **error;      /* NULL: no message wanted */
        const char *array; /* NULL at the top level */
        size_t index;
} Where;

/* Sets the message "array[index].field: what" (the parts there are) and
 * returns r. The message is made of names and numbers only: the file's
 * text is never in it. */
_printf_(4, 5)
static int fail(const Where *w, int r, const char *field, const char *fmt, ...) {
        char what[160], where[96] = "";
        va_list ap;

        if (!w->error)
                return r;
        va_start(ap, fmt);
        (void) vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (w->array)
                (void) snprintf(where, sizeof(where), "%s[%zu]%s%s: ", w->array, w->index, field ? "." : "",
                                field ? field : "");
        else if (field)
                (void) snprintf(where, sizeof(where), "%s: ", field);
        free(*w->error);
        if (asprintf(w->error, "%s%s", where, what) < 0) {
                *w->error = NULL;
                return -ENOMEM;
        }
        return r;
}

/* ---- checking a value: the parser and the writer alike ------------------------------------- */

static int check_text(const Where *w, const Field *fd, const char *s) {
        const char *reason;
        size_t n = strlen(s), max = (size_t) fd->max;

        /* More than 4 bytes a code point is more than max of them: no need to scan. */
        if (n > max * 4 || (utf8_valid(s, n) && utf8_length(s) > max))
                return fail(w, -E2BIG, fd->name, "too long (at most %zu characters)", max);
        if (validate_text(s, 0, max, fd->type == FIELD_NOTE, &reason) < 0)
                return fail(w, -EBADMSG, fd->name, "%s", reason);
        return 0;
}

static int check_string(const Where *w, const Field *fd, const char *s) {
        const char *reason;
        size_t n;

        if (!s)
                return fd->nullable ? 0 : fail(w, -EBADMSG, fd->name, "missing");
        n = strlen(s);
        switch (fd->type) {
        case FIELD_UID:
                if (n > ITEM_UID_MAX)
                        return fail(w, -E2BIG, fd->name, "too long (at most %d bytes)", ITEM_UID_MAX);
                if (validate_uid(s, &reason) < 0)
                        return fail(w, -EBADMSG, fd->name, "%s", reason);
                return 0;
        case FIELD_ID:
                if (!share_id_is_valid(s))
                        return fail(w, -EBADMSG, fd->name, "not a member ID (32 lowercase hex digits)");
                return 0;
        case FIELD_TEXT:
        case FIELD_NOTE:
                return check_text(w, fd, s);
        default:
                if (n > (size_t) fd->max)
                        return fail(w, -E2BIG, fd->name, "too long (at most %" PRId64 " bytes)", fd->max);
                if (n < (size_t) fd->min)
                        return fail(w, -EBADMSG, fd->name, "empty");
                for (size_t i = 0; i < n; i++)
                        if (s[i] < 0x20 || s[i] > 0x7e)
                                return fail(w, -EBADMSG, fd->name, "not printable ASCII");
                return 0;
        }
}

static int check_range(const Where *w, const Field *fd, bool ok) {
        return ok ? 0 : fail(w, -EBADMSG, fd->name, "out of range (%" PRId64 " to %" PRId64 ")", fd->min, fd->max);
}

static int check_field(const Where *w, const Field *fd, const void *base) {
        switch (fd->type) {
        case FIELD_INT:
        case FIELD_DAY: {
                int64_t v = *CAT(base, fd, int64_t);
                return check_range(w, fd, v >= fd->min && v <= fd->max);
        }
        case FIELD_UINT: {
                uint64_t v = *CAT(base, fd, uint64_t);
                return check_range(w, fd, v >= (uint64_t) fd->min && v <= (uint64_t) fd->max);
        }
        case FIELD_REVIEW:
                if (!review_to_string(*CAT(base, fd, Review)))
                        return fail(w, -EBADMSG, fd->name, "not new, ok, discuss or no");
                return 0;
        case FIELD_STATUS:
                if (!promise_status_to_string(*CAT(base, fd, PromiseStatus)))
                        return fail(w, -EBADMSG, fd->name, "not open, kept, broken, moved or cancelled");
                return 0;
        case FIELD_BY:
        case FIELD_BOOL:
                return 0;
        default:
                return check_string(w, fd, *CAT(base, fd, char *));
        }
}

static int check_fields(const Where *w, const Field *fields, size_t n, const void *base) {
        for (size_t i = 0; i < n; i++) {
                int r = check_field(w, &fields[i], base);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_count(const Where *w, const ArrayInfo *a, size_t n) {
        if (n > SHAREFILE_ENTRIES_MAX)
                return fail(w, -E2BIG, a->name, "more than %u entries", SHAREFILE_ENTRIES_MAX);
        return 0;
}

/* Compares two entries by their unique fields. */
static int compare_unique(const ArrayInfo *a, const void *p, const void *q) {
        for (size_t i = 0; i < a->n_fields; i++) {
                const Field *fd = &a->fields[i];
                int c;
                if (!fd->unique)
                        continue;
                if (field_is_string(fd))
                        c = strcmp(*CAT(p, fd, char *), *CAT(q, fd, char *));
                else {
                        int64_t u = *CAT(p, fd, int64_t), v = *CAT(q, fd, int64_t);
                        c = (u > v) - (u < v);
                }
                if (c != 0)
                        return c;
        }
        return 0;
}

/* By the unique fields, then by place: equal entries end up side by side,
 * the earlier one first. */
static int compare_entries(const void *x, const void *y, void *userdata) {
        const void *p = *(const void *const *) x, *q = *(const void *const *) y;
        int c = compare_unique(userdata, p, q);
        return c != 0 ? c : (p > q) - (p < q);
}

/* The index of the first entry that shares its unique fields with an
 * earlier one, SIZE_MAX when none does; -ENOMEM. Sorting keeps 50000
 * entries fast. */
static int find_duplicate(const ArrayInfo *a, const char *items, size_t n, size_t *ret) {
        const void **sorted;

        *ret = SIZE_MAX;
        if (n < 2)
                return 0;
        sorted = malloc(n * sizeof(*sorted));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                sorted[i] = items + i * a->size;
        qsort_r(sorted, n, sizeof(*sorted), compare_entries, (void *) a);
        for (size_t i = 1; i < n; i++)
                if (compare_unique(a, sorted[i - 1], sorted[i]) == 0)
                        *ret = MIN(*ret, (size_t) ((const char *) sorted[i] - items) / a->size);
        free(sorted);
        return 0;
}

/* Each entry valid, and no two that share their unique fields. */
static int check_array(const Where *top, const ArrayInfo *a, const ShareFile *f) {
        Where w = { top->error, a->name, 0 };
        size_t n;
        const char *items = items_get(f, a, &n);
        int r = check_count(top, a, n);

        if (r < 0)
                return r;
        if (n > 0 && !items)
                return fail(top, -EBADMSG, a->name, "missing");
        for (; w.index < n; w.index++) {
                r = check_fields(&w, a->fields, a->n_fields, items + w.index * a->size);
                if (r < 0)
                        return r;
        }
        r = find_duplicate(a, items, n, &w.index);
        if (r >= 0 && w.index != SIZE_MAX)
                r = fail(&w, -EBADMSG, NULL, "the same %s as an earlier entry", a->unique_what);
        return r;
}

static int validate(const ShareFile *f, char **error) {
        const KindInfo *k = kind_info(f->kind);
        Where w = { .error = error };
        int r;

        if (!k)
                return -EINVAL;
        r = check_fields(&w, k->fields, k->n_fields, f);
        if (r >= 0 && k->array)
                r = check_array(&w, k->array, f);
        return r;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static int parse_day(const char *s, int64_t *ret) {
        int y, m, d;

        if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        for (size_t i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
        if (!ymd_valid(y, m, d))
                return -EINVAL;
        *ret = day_from_ymd(y, m, d);
        return 0;
}

/* An integer json-c read: one over INT64_MAX it keeps as a uint64_t (and
 * clamps what is over UINT64_MAX to that), one under INT64_MIN it clamps
 * to INT64_MIN, which no range here admits. */
static int parse_int(const Where *w, const Field *fd, json_object *v, int64_t *ret) {
        if (!json_object_is_type(v, json_type_int))
                return fail(w, -EBADMSG, fd->name, "not an integer");
        if (json_object_get_uint64(v) > INT64_MAX)
                return check_range(w, fd, false);
        *ret = json_object_get_int64(v);
        return 0;
}

static int parse_field(const Where *w, const Field *fd, json_object *obj, void *base) {
        json_object *v;
        const char *s;
        int64_t i = 0;
        int r;

        if (!json_object_object_get_ex(obj, fd->name, &v))
                return fd->optional ? 0 : fail(w, -EBADMSG, fd->name, "missing");
        switch (fd->type) {
        case FIELD_INT:
                return parse_int(w, fd, v, AT(base, fd, int64_t));
        case FIELD_UINT:
                r = parse_int(w, fd, v, &i);
                /* A negative one is out of range as a uint64_t too. */
                if (r >= 0)
                        *AT(base, fd, uint64_t) = (uint64_t) i;
                return r;
        case FIELD_BOOL:
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(w, -EBADMSG, fd->name, "not true or false");
                *AT(base, fd, bool) = json_object_get_boolean(v);
                return 0;
        default:
                break;
        }
        if (!v && field_is_string(fd) && fd->nullable)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return fail(w, -EBADMSG, fd->name, "not a string");
        /* No NUL in it: the scan refused \u0000. */
        s = json_object_get_string(v);
        switch (fd->type) {
        case FIELD_DAY:
                if (parse_day(s, AT(base, fd, int64_t)) < 0)
                        return fail(w, -EBADMSG, fd->name, "not a date YYYY-MM-DD");
                return 0;
        case FIELD_REVIEW:
                /* An unknown name is left for check_field() to refuse. */
                *AT(base, fd, Review) = review_from_string(s);
                return 0;
        case FIELD_STATUS:
                *AT(base, fd, PromiseStatus) = (PromiseStatus) promise_status_from_string(s);
                return 0;
        case FIELD_BY:
                if (!streq(s, "me") && !streq(s, "partner"))
                        return fail(w, -EBADMSG, fd->name, "not me or partner");
                *AT(base, fd, bool) = streq(s, "partner");
                return 0;
        default:
                *AT(base, fd, char *) = strdup(s);
                return *AT(base, fd, char *) ? 0 : -ENOMEM;
        }
}

static int parse_fields(const Where *w, const Field *fields, size_t n, json_object *obj, void *base) {
        for (size_t i = 0; i < n; i++) {
                int r = parse_field(w, &fields[i], obj, base);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_array(const Where *top, const ArrayInfo *a, json_object *root, ShareFile *f) {
        Where w = { top->error, a->name, 0 };
        json_object *v;
        size_t n;
        char *items;
        int r;

        if (!json_object_object_get_ex(root, a->name, &v))
                return fail(top, -EBADMSG, a->name, "missing");
        if (!json_object_is_type(v, json_type_array))
                return fail(top, -EBADMSG, a->name, "not an array");
        n = json_object_array_length(v);
        r = check_count(top, a, n);
        if (r < 0 || n == 0)
                return r;
        items = calloc(n, a->size);
        if (!items)
                return -ENOMEM;
        /* In f at once, so that sharefile_clear() frees what a failure leaves. */
        items_set(f, a, items, n);
        for (; w.index < n; w.index++) {
                json_object *e = json_object_array_get_idx(v, w.index);
                if (!json_object_is_type(e, json_type_object))
                        return fail(&w, -EBADMSG, NULL, "not an object");
                r = parse_fields(&w, a->fields, a->n_fields, e, items + w.index * a->size);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The four hex digits at s, or UINT32_MAX when s[0..n) does not start
 * with four. */
static unsigned hex4(const char *s, size_t n) {
        unsigned v = 0;

        if (n < 4)
                return UINT32_MAX;
        for (size_t i = 0; i < 4; i++) {
                char c = s[i];
                unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0')
                           : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10)
                           : c >= 'A' && c <= 'F' ? (unsigned) (c - 'A' + 10)
                                                  : 16;
                if (d > 15)
                        return UINT32_MAX;
                v = v * 16 + d;
        }
        return v;
}

/*
 * What json-c lets through and these files refuse, in s[0..n), text json-c
 * accepted: NaN and Infinity, control characters in strings, \u0000 (json-c
 * keeps it, and a key would end there), a lone surrogate (json-c makes it
 * U+FFFD), and nesting deeper than the limit (json-c counts a value in the
 * innermost array as a level too: its limit is one more, and this one is
 * exact). Counts the name separators on the way: one per member of an
 * object as written.
 */
static int scan(const Where *w, const char *s, size_t n, size_t *ret_members) {
        bool in_string = false;
        size_t members = 0, depth = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                unsigned u, low;

                if (!in_string) {
                        if (c == '"')
                                in_string = true;
                        else if (c == ':')
                                members++;
                        else if ((c == '{' || c == '[') && ++depth > SHAREFILE_DEPTH_MAX)
                                return fail(w, -EBADMSG, NULL, "nested deeper than %d levels", SHAREFILE_DEPTH_MAX);
                        else if (c == '}' || c == ']')
                                depth--;
                        else if (c == 'N' || c == 'I')
                                return fail(w, -EBADMSG, NULL, "not JSON: NaN or Infinity at byte %zu", i);
                        continue;
                }
                if (c == '"')
                        in_string = false;
                else if (c < 0x20)
                        return fail(w, -EBADMSG, NULL, "not JSON: a control character in a string at byte %zu", i);
                else if (c == '\\' && i + 1 < n && s[i + 1] == 'u') {
                        u = hex4(s + i + 2, n - i - 2);
                        if (u == 0)
                                return fail(w, -EBADMSG, NULL, "a NUL character (\\u0000) at byte %zu", i);
                        if (u >= 0xd800 && u <= 0xdbff && i + 7 < n && s[i + 6] == '\\' && s[i + 7] == 'u') {
                                low = hex4(s + i + 8, n - i - 8);
                                if (low >= 0xdc00 && low <= 0xdfff) {
                                        i += 11;
                                        continue;
                                }
                        }
                        if (u >= 0xd800 && u <= 0xdfff)
                                return fail(w, -EBADMSG, NULL, "invalid UTF-16 (a lone surrogate) at byte %zu", i);
                        if (u > 0xffff)
                                return fail(w, -EBADMSG, NULL, "not JSON: a bad escape at byte %zu", i);
                        i += 5;
                } else if (c == '\\')
                        i++;
        }
        *ret_members = members;
        return 0;
}

/* The members of every object in o, as json-c kept them. */
static size_t count_members(json_object *o) {
        size_t n = 0;

        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, key, value) {
                        (void) key;
                        n += 1 + count_members(value);
                }
        } else if (json_object_is_type(o, json_type_array))
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        n += count_members(json_object_array_get_idx(o, i));
        return n;
}

static bool only_space(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                        return false;
        return true;
}

/* text[0..len) as one JSON object, nothing after it but white space. */
static int parse_json(const Where *w, const char *text, size_t len, json_object **ret) {
        enum json_tokener_error e;
        json_tokener *tok;
        json_object *o;
        const char *nul;
        size_t end, ok, members = 0;
        int r;

        if (len > SHAREFILE_SIZE_MAX)
                return fail(w, -E2BIG, NULL, "over %u bytes", SHAREFILE_SIZE_MAX);
        ok = utf8_valid_prefix(text, len);
        if (ok < len)
                return fail(w, -EBADMSG, NULL, "invalid UTF-8 at byte %zu", ok);
        nul = len > 0 ? memchr(text, 0, len) : NULL;
        if (nul)
                return fail(w, -EBADMSG, NULL, "a NUL byte at byte %zu", (size_t) (nul - text));

        /* The bound of json-c's stack; scan() has the exact limit. */
        tok = json_tokener_new_ex(SHAREFILE_DEPTH_MAX + 1);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        o = json_tokener_parse_ex(tok, text, (int) len);
        e = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        /* The end of the input, told as json-c wants it: a NUL after it. */
        if (e == json_tokener_continue) {
                o = json_tokener_parse_ex(tok, "", 1);
                e = json_tokener_get_error(tok);
        }
        json_tokener_free(tok);

        if (e == json_tokener_continue || e == json_tokener_error_parse_eof)
                r = fail(w, -EBADMSG, NULL, "not JSON: the file ends early");
        else if (e == json_tokener_error_depth)
                r = fail(w, -EBADMSG, NULL, "nested deeper than %d levels", SHAREFILE_DEPTH_MAX);
        else if (e != json_tokener_success)
                r = fail(w, -EBADMSG, NULL, "not JSON: %s at byte %zu", json_tokener_error_desc(e), end);
        else if (!only_space(text + end, len - end))
                r = fail(w, -EBADMSG, NULL, "not JSON: more after the object at byte %zu", end);
        else if (!json_object_is_type(o, json_type_object))
                r = fail(w, -EBADMSG, NULL, "not a JSON object");
        else
                r = scan(w, text, end, &members);
        if (r >= 0 && count_members(o) != members)
                r = fail(w, -EBADMSG, NULL, "a key twice in one object");
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* "closer" and "format" say what the rest is: they are read first, and a
 * newer format is refused before anything it may have changed. */
static int parse_kind_and_format(const Where *w, const KindInfo *k, json_object *root) {
        json_object *v;
        int64_t format;

        if (!json_object_object_get_ex(root, "closer", &v) || !json_object_is_type(v, json_type_string) ||
            !streq(json_object_get_string(v), k->name))
                return fail(w, -EBADMSG, NULL, "not a %s file", k->name);
        if (!json_object_object_get_ex(root, "format", &v))
                return fail(w, -EBADMSG, "format", "missing");
        if (!json_object_is_type(v, json_type_int))
                return fail(w, -EBADMSG, "format", "not an integer");
        format = json_object_get_int64(v);
        if (format > SHAREFILE_FORMAT)
                return fail(w, -EPROTONOSUPPORT, NULL, "written by a newer closer (format %" PRId64 ")", format);
        if (format < SHAREFILE_FORMAT)
                return fail(w, -EBADMSG, "format", "%" PRId64 " is not a format closer wrote", format);
        return 0;
}

int sharefile_parse(ShareKind expected, const char *text, size_t len, ShareFile *ret, char **ret_error) {
        const KindInfo *k = kind_info(expected);
        ShareFile f = { .kind = expected };
        json_object *root = NULL;
        Where w = { .error = ret_error };
        int r;

        *ret = (ShareFile) {};
        if (ret_error)
                *ret_error = NULL;
        if (!k || (!text && len > 0))
                return -EINVAL;
        r = parse_json(&w, text ? text : "", len, &root);
        if (r >= 0)
                r = parse_kind_and_format(&w, k, root);
        if (r >= 0)
                r = parse_fields(&w, k->fields, k->n_fields, root, &f);
        if (r >= 0 && k->array)
                r = parse_array(&w, k->array, root, &f);
        if (r >= 0)
                r = validate(&f, ret_error);
        json_object_put(root);
        if (r < 0) {
                sharefile_clear(&f);
                return r;
        }
        *ret = f;
        return 0;
}

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct Out {
        FILE *f;
        int r;
} Out;

/* s as a JSON string, json-c's escaping; null for NULL. */
static void put_string(Out *o, const char *s) {
        json_object *j;
        const char *t;

        if (!s) {
                fputs("null", o->f);
                return;
        }
        j = json_object_new_string(s);
        t = j ? json_object_to_json_string_ext(j, JSON_FLAGS) : NULL;
        if (t)
                fputs(t, o->f);
        else
                o->r = -ENOMEM;
        json_object_put(j);
}

static void put_field(Out *o, const Field *fd, const void *base) {
        int y, m, d;

        fprintf(o->f, "\"%s\":", fd->name);
        switch (fd->type) {
        case FIELD_INT:
                fprintf(o->f, "%" PRId64, *CAT(base, fd, int64_t));
                break;
        case FIELD_UINT:
                fprintf(o->f, "%" PRIu64, *CAT(base, fd, uint64_t));
                break;
        case FIELD_DAY:
                ymd_from_day(*CAT(base, fd, int64_t), &y, &m, &d);
                fprintf(o->f, "\"%04d-%02d-%02d\"", y, m, d);
                break;
        case FIELD_REVIEW:
                fprintf(o->f, "\"%s\"", review_to_string(*CAT(base, fd, Review)));
                break;
        case FIELD_STATUS:
                fprintf(o->f, "\"%s\"", promise_status_to_string(*CAT(base, fd, PromiseStatus)));
                break;
        case FIELD_BY:
                fputs(*CAT(base, fd, bool) ? "\"partner\"" : "\"me\"", o->f);
                break;
        case FIELD_BOOL:
                fputs(*CAT(base, fd, bool) ? "true" : "false", o->f);
                break;
        default:
                put_string(o, *CAT(base, fd, char *));
                break;
        }
}

static void put_fields(Out *o, const Field *fields, size_t n, const void *base) {
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        fputc(',', o->f);
                put_field(o, &fields[i], base);
        }
}

/*
 * The layout, one entry a line:
 *   {"closer":"reviews","format":1,"member":"...",
 *   "reviews":[
 *   {"uid":"...","review":"ok","note":null,"sequence":3},
 *   {...}
 *   ]}
 * with the kind's other members before the array on the second line
 * ("clock":N, for the plan; "name" and "partner", and no array, for member).
 */
int sharefile_write(const ShareFile *f, char **ret) {
        const KindInfo *k = kind_info(f->kind);
        char *buf = NULL;
        size_t size = 0, n = 0;
        Out o = {};
        int r = validate(f, NULL);

        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        o.f = open_memstream(&buf, &size);
        if (!o.f)
                return -ENOMEM;
        fprintf(o.f, "{\"closer\":\"%s\",\"format\":%d,", k->name, SHAREFILE_FORMAT);
        put_fields(&o, k->fields, 1, f);
        fputs(",\n", o.f);
        put_fields(&o, k->fields + 1, k->n_fields - 1, f);
        if (k->array) {
                const char *items = items_get(f, k->array, &n);
                fprintf(o.f, "%s\"%s\":[\n", k->n_fields > 1 ? "," : "", k->array->name);
                for (size_t i = 0; i < n; i++) {
                        fputs(i > 0 ? ",\n{" : "{", o.f);
                        put_fields(&o, k->array->fields, k->array->n_fields, items + i * k->array->size);
                        fputc('}', o.f);
                }
                fputs(n > 0 ? "\n]" : "]", o.f);
        }
        fputs("}\n", o.f);
        if (ferror(o.f) && o.r >= 0)
                o.r = -ENOMEM;
        if (fclose(o.f) != 0 && o.r >= 0)
                o.r = -ENOMEM;
        if (o.r < 0) {
                free(buf);
                return o.r;
        }
        *ret = buf;
        return 0;
}
