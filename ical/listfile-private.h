/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * listfile-private.h: what the two halves of the exchange file's reader
 * share: the pre-scan (listfile-scan.c) and its result, read by
 * listfile.c with libical.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listfile.h"
#include "macro.h"

#define X_INTENSITY "X-CLOSER-INTENSITY"

typedef struct Line {
        char *text;       /* unfolded, NUL-terminated, in Scan.copy */
        unsigned lineno;  /* physical line it starts on, 1-based */
        size_t item;      /* 1-based index of the item it belongs to, 0 for none */
} Line;

typedef struct TodoInfo {
        unsigned lineno;   /* of its BEGIN:VTODO */
        int64_t sequence;  /* as written, -1 when absent */
        int intensity;     /* X-CLOSER-INTENSITY as written, 0 when absent */
        /* The tags among its CATEGORIES values, read from the raw lines (libical
         * splits a list at some commas and not at others, and unescapes "\,"
         * into a comma that could then not be told from a separator): the first
         * category name (_CATEGORY_INVALID: none), the first intensity tag
         * (0: none), and whether one says private. */
        Category tag_category;
        int tag_intensity;
        bool tag_private;
        /* Where the properties checked after libical are (0: not seen), for messages. */
        unsigned uid_line, summary_line, description_line, lastmodified_line;
} TodoInfo;

typedef struct Frame {
        const char *name;  /* component name, in Scan.copy */
        size_t name_len;
        unsigned lineno;
} Frame;

typedef enum ScanPhase {
        PHASE_BEFORE,  /* nothing but blank lines yet */
        PHASE_INSIDE,  /* in the VCALENDAR */
        PHASE_AFTER,   /* past END:VCALENDAR */
} ScanPhase;

typedef struct Scan {
        char *copy;
        Line *lines;
        size_t n_lines, n_lines_allocated;
        TodoInfo *todos;
        size_t n_todos, n_todos_allocated;

        ScanPhase phase;
        Frame stack[LISTFILE_DEPTH_MAX];
        size_t depth;
        size_t values;  /* content lines plus commas that may split a value */
} Scan;

/* Checks buf line by line and keeps an unfolded copy, with where each
 * VTODO's properties are; *err_text says where a refusal is. */
int lf_prescan(Scan *s, const char *buf, size_t len, char **err_text);
void lf_scan_clear(Scan *s);

/* Sets *err_text (if wanted, and only the first time in a parse) to the
 * formatted message; returns r. */
_printf_(3, 4) int lf_fail(char **err_text, int r, const char *fmt, ...);
bool lf_isempty(const char *s);
bool lf_is_blank_char(char c);
/* A copy without leading and trailing blanks. */
char *lf_strdup_stripped(const char *s);
/* Whether name[0..len) is want, ASCII case-insensitively. */
bool lf_name_is(const char *name, size_t len, const char *want);
