/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * echo.h: how an error message repeats what a user typed. At most
 * ECHO_MAX characters of it, cut on a UTF-8 character boundary, then
 * "...": a 128 KB argument must not make a 128 KB error line. Use with
 * the format "%.*s%s" and the ECHO() arguments:
 *
 *     fail("unknown setting '%.*s%s'", ECHO(key));
 *
 * Shared by closerd and closerctl; never allocates.
 */

#include <stddef.h>

#define ECHO_MAX 80

/* The number of bytes of s that hold its first ECHO_MAX characters. */
size_t echo_len(const char *s);
/* "..." when echo_len() cut s, else "". */
const char *echo_more(const char *s);

#define ECHO(s) (int) echo_len(s), (s), echo_more(s)
