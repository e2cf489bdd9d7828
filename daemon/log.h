/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * log.h: the daemon's log. Lines go to stderr with sd-daemon priority
 * prefixes ("<3>") when stderr is not a terminal, so the journal keeps the
 * levels. Only the edges (main, the bus layer) log; the store and the core
 * return errors. Never log the text of an item: lists are private (SPEC 8).
 */

#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);
void log_setup(void);

/* Logs and returns -abs(error) (or 0 when error is 0); "%m" prints error. */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)

/* A problem kept in *slot for a status to show (text NULL: it is gone),
 * logged as "WHO: TEXT" once, when it is new. */
void log_problem(char **slot, const char *who, const char *text);
