/* SPDX-License-Identifier: MIT */
/*
 * listfile-scan.c: the pre-scan of an exchange file (listfile.h), before
 * libical sees it: the structure line by line (components, nesting, the
 * limits), where each VTODO and its properties are for the messages, and
 * the small text helpers both halves use.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listfile-private.h"
#include "macro.h"

/* ---- small helpers -------------------------------------------------------------------------- */

bool lf_isempty(const char *s) {
        return !s || !*s;
}

bool lf_is_blank_char(char c) {
        return c == ' ' || c == '\t';
}

/* A copy without leading and trailing blanks; NULL gives "". */
char *lf_strdup_stripped(const char *s) {
        if (!s)
                s = "";
        while (lf_is_blank_char(*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && lf_is_blank_char(s[n - 1]))
                n--;
        char *c = malloc(n + 1);
        if (!c)
                return NULL;
        memcpy(c, s, n);
        c[n] = '\0';
        return c;
}

static int grow(void **array, size_t *allocated, size_t need, size_t size) {
        if (need <= *allocated)
                return 0;
        size_t a = *allocated > 0 ? *allocated * 2 : 64;
        if (a < need)
                a = need;
        if (a > SIZE_MAX / size)
                return -ENOMEM;
        void *p = realloc(*array, a * size);
        if (!p)
                return -ENOMEM;
        *array = p;
        *allocated = a;
        return 0;
}

/* Sets *err_text (if wanted) to a formatted message and returns r. Only the
 * first call of a parse does anything. */
int lf_fail(char **err_text, int r, const char *fmt, ...) {
        if (!err_text || *err_text)
                return r;

        va_list ap, aq;
        va_start(ap, fmt);
        va_copy(aq, ap);
        int k = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        char *s = k >= 0 ? malloc((size_t) k + 1) : NULL;
        if (s)
                vsnprintf(s, (size_t) k + 1, fmt, aq);
        va_end(aq);
        if (!s)
                return -ENOMEM;
        *err_text = s;
        return r;
}

/* ---- pre-scan ------------------------------------------------------------------------------- */



void lf_scan_clear(Scan *s) {
        free(s->copy);
        free(s->lines);
        free(s->todos);
}

static char ascii_tolower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Case-insensitive in ASCII only, whatever the locale. */
static bool ascii_equal_n(const char *a, const char *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                /* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): only bytes the pre-scan copied */
                if (ascii_tolower(a[i]) != ascii_tolower(b[i]))
                        return false;
        return true;
}

bool lf_name_is(const char *name, size_t len, const char *want) {
        return strlen(want) == len && ascii_equal_n(name, want, len);
}

/* BEGIN:NAME or END:NAME. Returns 1 and the name if the line is one, 0 if the
 * line is something else, -EBADMSG if it looks like one but is malformed. */
static int parse_marker(const char *t, bool *ret_begin, const char **ret_name, size_t *ret_len) {
        size_t k = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
        bool begin;
        if (lf_name_is(t, k, "BEGIN"))
                begin = true;
        else if (lf_name_is(t, k, "END"))
                begin = false;
        else
                return 0;

        /* libical would also take "BEGIN ;x=y:..." as BEGIN: refuse every variant but the plain one. */
        /* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): t is a NUL-terminated line of Scan.copy; strspn stops at its NUL */
        if (t[k] != ':')
                return -EBADMSG;
        const char *name = t + k + 1;
        size_t l = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
        if (l == 0 || name[l + strspn(name + l, " \t")] != '\0')
                return -EBADMSG;

        *ret_begin = begin;
        *ret_name = name;
        *ret_len = l;
        return 1;
}

/* The value of a content line as written: after the first ':' outside a quoted
 * parameter value, without surrounding blanks. NULL when there is no ':'. */
static const char *raw_value(const char *t, size_t *ret_len) {
        bool quoted = false;
        for (const char *p = t; *p; p++) {
                if (*p == '"')
                        quoted = !quoted;
                else if (*p == ':' && !quoted) {
                        p++;
                        while (lf_is_blank_char(*p))
                                p++;
                        size_t n = strlen(p);
                        while (n > 0 && lf_is_blank_char(p[n - 1]))
                                n--;
                        *ret_len = n;
                        return p;
                }
        }
        return NULL;
}

/* Property name as libical sees it: up to the first ';' or ':', less trailing blanks. */
static size_t raw_name_length(const char *t) {
        size_t k = strcspn(t, ";:");
        while (k > 0 && lf_is_blank_char(t[k - 1]))
                k--;
        return k;
}

/* Which tag one CATEGORIES value (raw, still escaped; v[0..n)) is. A value
 * with a backslash in it names no tag: unescaped, it holds a comma, a
 * semicolon, a backslash or a line break. */
static void scan_tag(TodoInfo *info, const char *v, size_t n) {
        static const char *const intensity_words[][2] = {
                { "gentle", "1" },
                { "intimate", "2" },
                { "explicit", "3" },
        };
        while (n > 0 && lf_is_blank_char(*v)) {
                v++;
                n--;
        }
        while (n > 0 && lf_is_blank_char(v[n - 1]))
                n--;
        if (lf_name_is(v, n, "private")) {
                info->tag_private = true;
                return;
        }
        for (Category c = 0; c < _CATEGORY_MAX; c++)
                if (lf_name_is(v, n, category_to_string(c))) {
                        if (info->tag_category == _CATEGORY_INVALID)
                                info->tag_category = c;
                        return;
                }
        for (size_t i = 0; i < ELEMENTSOF(intensity_words); i++)
                if (lf_name_is(v, n, intensity_words[i][0]) || lf_name_is(v, n, intensity_words[i][1])) {
                        if (info->tag_intensity == 0)
                                info->tag_intensity = (int) i + 1;
                        return;
                }
}

/* A CATEGORIES value list, v[0..n): split at the commas no backslash escapes. */
static void scan_categories(TodoInfo *info, const char *v, size_t n) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && v[i] == '\\') {
                        i++; /* the escaped character, whatever it is */
                        continue;
                }
                if (i == n || v[i] == ',') {
                        scan_tag(info, v + start, i - start);
                        start = i + 1;
                }
        }
}

/* Checks the lines libical reads too leniently (atoi), inside VTODO number s->n_todos. */
static int scan_todo_property(Scan *s, const char *t, unsigned lineno, char **err_text) {
        TodoInfo *info = &s->todos[s->n_todos - 1];
        size_t k = raw_name_length(t), n = 0;
        const char *v;

        if (lf_name_is(t, k, "UID") && info->uid_line == 0)
                info->uid_line = lineno;
        else if (lf_name_is(t, k, "SUMMARY") && info->summary_line == 0)
                info->summary_line = lineno;
        else if (lf_name_is(t, k, "DESCRIPTION") && info->description_line == 0)
                info->description_line = lineno;
        else if (lf_name_is(t, k, "LAST-MODIFIED") && info->lastmodified_line == 0)
                info->lastmodified_line = lineno;
        else if (lf_name_is(t, k, "CATEGORIES")) {
                v = raw_value(t, &n);
                if (v)
                        scan_categories(info, v, n);
        }
        else if (lf_name_is(t, k, "SEQUENCE")) {
                if (info->sequence >= 0)
                        return lf_fail(err_text, -EBADMSG, "item %zu (line %u): more than one SEQUENCE", s->n_todos, lineno);
                v = raw_value(t, &n);
                if (!v || n == 0 || strspn(v, "0123456789") != n) {
                        if (v && n > 0 && v[0] == '-')
                                return lf_fail(err_text, -EBADMSG, "item %zu (line %u): SEQUENCE must not be negative",
                                            s->n_todos, lineno);
                        return lf_fail(err_text, -EBADMSG, "item %zu (line %u): SEQUENCE must be a whole number",
                                    s->n_todos, lineno);
                }
                int64_t x = 0;
                for (size_t i = 0; i < n; i++) {
                        x = x * 10 + (v[i] - '0');
                        if (x > INT_MAX)
                                return lf_fail(err_text, -EBADMSG, "item %zu (line %u): SEQUENCE is too large",
                                            s->n_todos, lineno);
                }
                info->sequence = x;

        } else if (lf_name_is(t, k, X_INTENSITY)) {
                if (info->intensity > 0)
                        return lf_fail(err_text, -EBADMSG, "item %zu (line %u): more than one " X_INTENSITY,
                                    s->n_todos, lineno);
                v = raw_value(t, &n);
                if (!v || n != 1 || v[0] < '1' || v[0] > '3')
                        return lf_fail(err_text, -EBADMSG, "item %zu (line %u): " X_INTENSITY " must be 1, 2 or 3",
                                    s->n_todos, lineno);
                info->intensity = v[0] - '0';
        }
        return 0;
}

/* One unfolded content line (NUL-terminated) that starts on physical line lineno. */
static int scan_line(Scan *s, char *t, unsigned lineno, char **err_text) {
        bool begin = false;
        const char *name = NULL;
        size_t name_len = 0;
        int marker, r;

        if (t[strspn(t, " \t")] == '\0')
                return 0; /* blank: libical skips those too */

        /* Names are case-insensitive (RFC 5545 3.1), but libical takes "x-foo" for
         * an unknown IANA property: hand it the name in upper case. */
        for (char *c = t; (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'; c++)
                if (*c >= 'a' && *c <= 'z')
                        *c = (char) (*c - 'a' + 'A');

        marker = parse_marker(t, &begin, &name, &name_len);
        if (marker < 0)
                return lf_fail(err_text, marker, "line %u: malformed %s line", lineno,
                            ascii_equal_n(t, "END", 3) ? "END" : "BEGIN");

        switch (s->phase) {
        case PHASE_BEFORE:
                if (marker == 0 || !begin || !lf_name_is(name, name_len, "VCALENDAR"))
                        return lf_fail(err_text, -EBADMSG, "not an iCalendar file");
                s->phase = PHASE_INSIDE;
                break;
        case PHASE_AFTER:
                if (marker > 0 && begin && lf_name_is(name, name_len, "VCALENDAR"))
                        return lf_fail(err_text, -EBADMSG, "line %u: more than one VCALENDAR", lineno);
                return lf_fail(err_text, -EBADMSG, "line %u: content after END:VCALENDAR", lineno);
        case PHASE_INSIDE:
                break;
        }

        if (++s->values > LISTFILE_LINES_MAX)
                return lf_fail(err_text, -E2BIG, "line %u: more than %u lines and list values", lineno,
                            LISTFILE_LINES_MAX);

        size_t item = 0;
        if (marker > 0 && begin) {
                if (s->depth >= LISTFILE_DEPTH_MAX)
                        return lf_fail(err_text, -EBADMSG, "line %u: components nested too deeply", lineno);
                if (s->depth == 1) {
                        /* A direct child of the VCALENDAR. */
                        if (lf_name_is(name, name_len, "VTODO")) {
                                if (s->n_todos >= ITEM_COUNT_MAX)
                                        return lf_fail(err_text, -E2BIG, "more than %u items", ITEM_COUNT_MAX);
                                r = grow((void **) &s->todos, &s->n_todos_allocated, s->n_todos + 1, sizeof(TodoInfo));
                                if (r < 0)
                                        return r;
                                s->todos[s->n_todos++] = (TodoInfo) {
                                        .lineno = lineno,
                                        .sequence = -1,
                                        .tag_category = _CATEGORY_INVALID,
                                };
                        }
                }
                s->stack[s->depth++] = (Frame) { .name = name, .name_len = name_len, .lineno = lineno };

        } else if (marker > 0) {
                /* END: the pre-scan started with BEGIN:VCALENDAR, so depth >= 1 here. */
                const Frame *top = &s->stack[s->depth - 1];
                if (top->name_len != name_len || !ascii_equal_n(top->name, name, name_len))
                        return lf_fail(err_text, -EBADMSG, "line %u: END does not match the BEGIN on line %u",
                                    lineno, top->lineno);
                s->depth--;
                if (s->depth == 0)
                        s->phase = PHASE_AFTER;

        } else {
                /* Content lines may be split at unescaped commas into many values. */
                for (const char *p = strchr(t, ','); p; p = strchr(p + 1, ','))
                        if (p[-1] != '\\' && ++s->values > LISTFILE_LINES_MAX)
                                return lf_fail(err_text, -E2BIG, "line %u: more than %u lines and list values",
                                            lineno, LISTFILE_LINES_MAX);

                /* libical 3.0.16 cannot parse the values of these two and says so on stderr,
                 * quoting the value: keep them away from it (and the daemon's log). X-LIC-*
                 * are libical's own; X-LIC-ERROR would fail the import anyway. */
                size_t k = raw_name_length(t);
                if ((k >= 6 && ascii_equal_n(t, "X-LIC-", 6)) || lf_name_is(t, k, "TASK-MODE")) {
                        if (s->depth >= 2 && lf_name_is(s->stack[1].name, s->stack[1].name_len, "VTODO"))
                                return lf_fail(err_text, -EBADMSG, "item %zu (line %u): unsupported property", s->n_todos,
                                            lineno);
                        return lf_fail(err_text, -EBADMSG, "line %u: unsupported property", lineno);
                }

                if (s->depth == 2 && lf_name_is(s->stack[1].name, s->stack[1].name_len, "VTODO")) {
                        r = scan_todo_property(s, t, lineno, err_text);
                        if (r < 0)
                                return r;
                }
        }

        /* Which item the line belongs to, for messages. */
        if (s->depth >= 2 && lf_name_is(s->stack[1].name, s->stack[1].name_len, "VTODO"))
                item = s->n_todos;
        else if (marker > 0 && !begin && s->depth == 1 && lf_name_is(name, name_len, "VTODO"))
                item = s->n_todos; /* its END line */

        r = grow((void **) &s->lines, &s->n_lines_allocated, s->n_lines + 1, sizeof(Line));
        if (r < 0)
                return r;
        s->lines[s->n_lines++] = (Line) { .text = t, .lineno = lineno, .item = item };
        return 0;
}

/* The physical line that holds byte k of the logical line that starts at raw
 * (physical line lineno). */
static unsigned map_offset(const char *raw, const char *end, unsigned lineno, size_t k) {
        for (bool first = true;; first = false) {
                const char *nl = memchr(raw, '\n', (size_t) (end - raw));
                size_t n = (size_t) ((nl ? nl : end) - raw);
                if (n > 0 && raw[n - 1] == '\r')
                        n--;
                size_t seg = first ? n : n - 1;
                if (k < seg || !nl)
                        return lineno;
                k -= seg;
                lineno++;
                raw = nl + 1;
        }
}

static int finish_logical(Scan *s, char *t, size_t n, unsigned lineno, const char *raw, const char *end,
                          char **err_text) {
        t[n] = '\0';
        size_t k = utf8_valid_prefix(t, n);
        if (k < n)
                return lf_fail(err_text, -EBADMSG, "line %u: not valid UTF-8", map_offset(raw, end, lineno, k));
        return scan_line(s, t, lineno, err_text);
}

int lf_prescan(Scan *s, const char *buf, size_t len, char **err_text) {
        const char *p = buf, *end = buf + len;
        int r;

        s->copy = malloc(len + 1);
        if (!s->copy)
                return -ENOMEM;

        if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3; /* a byte order mark, as some editors write */

        char *out = s->copy, *cur = NULL;
        const char *cur_raw = NULL;
        unsigned lineno = 0, cur_lineno = 0;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);

                lineno++;
                if (memchr(p, '\0', n))
                        return lf_fail(err_text, -EBADMSG, "line %u: contains a NUL byte", lineno);
                if (n > 0 && p[n - 1] == '\r')
                        n--;

                if (cur && n > 0 && lf_is_blank_char(p[0])) {
                        /* A continuation: drop the line break and the one blank. */
                        if ((size_t) (out - cur) + n - 1 > LISTFILE_LINE_MAX)
                                return lf_fail(err_text, -E2BIG, "line %u: longer than %u bytes", cur_lineno,
                                            LISTFILE_LINE_MAX);
                        memcpy(out, p + 1, n - 1);
                        out += n - 1;
                } else {
                        if (cur) {
                                r = finish_logical(s, cur, (size_t) (out - cur), cur_lineno, cur_raw, end, err_text);
                                if (r < 0)
                                        return r;
                                out++; /* past its NUL */
                        }
                        if (n > LISTFILE_LINE_MAX)
                                return lf_fail(err_text, -E2BIG, "line %u: longer than %u bytes", lineno,
                                            LISTFILE_LINE_MAX);
                        cur = out;
                        cur_raw = p;
                        cur_lineno = lineno;
                        memcpy(out, p, n);
                        out += n;
                }

                p = nl ? nl + 1 : end;
        }
        if (cur) {
                r = finish_logical(s, cur, (size_t) (out - cur), cur_lineno, cur_raw, end, err_text);
                if (r < 0)
                        return r;
        }

        if (s->phase == PHASE_BEFORE)
                return lf_fail(err_text, -EBADMSG, "not an iCalendar file");
        if (s->phase == PHASE_INSIDE)
                return lf_fail(err_text, -EBADMSG, "truncated: END:VCALENDAR missing");
        return 0;
}
