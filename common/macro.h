/* SPDX-License-Identifier: MIT */
#pragma once

/* The few helpers every file uses: scoped cleanup in the style of systemd. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _fallthrough_ __attribute__((fallthrough))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

#include <dirent.h>
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* Frees n strings and their array. */
static inline void strv_free_n(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/* Hands ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                          \
        ({                                   \
                __typeof__(p) _p_ = (p);     \
                (p) = NULL;                  \
                _p_;                         \
        })

#define TAKE_FD(fd)                          \
        ({                                   \
                int _fd_ = (fd);             \
                (fd) = -1;                   \
                _fd_;                        \
        })

#include <string.h>
#define streq(a, b) (strcmp((a), (b)) == 0)
#define streq_ptr(a, b) ((a) && (b) && streq((a), (b)))
/* The rest of s after prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Whether s ends with suffix. */
static inline bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && streq(s + n - k, suffix);
}

/* qsort() and bsearch() comparison of two char * elements (or of elements
 * that start with one). */
static inline int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* qsort() and bsearch() that take an empty array as NULL: their base must
 * never be NULL, even for no elements. */
static inline void qsort_safe(void *base, size_t n, size_t size, int (*compare)(const void *, const void *)) {
        if (n > 1)
                qsort(base, n, size, compare);
}
static inline void *bsearch_safe(const void *key, const void *base, size_t n, size_t size,
                                 int (*compare)(const void *, const void *)) {
        return n > 0 ? bsearch(key, base, n, size, compare) : NULL;
}

#define TIME_T_MAX ((time_t) INT64_MAX)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* The index of s in a table of n strings, or -1 (also for NULL). */
static inline int string_table_lookup(const char *const *table, int n, const char *s) {
        if (!s)
                return -1;
        for (int i = 0; i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return i;
        return -1;
}

/* name_to_string() and name_from_string() over a table of max names. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type, table, max)              \
        const char *name##_to_string(type x) {                           \
                return x >= 0 && x < (max) ? (table)[x] : NULL;           \
        }                                                                \
        type name##_from_string(const char *s) {                         \
                return (type) string_table_lookup((table), (max), s);    \
        }
