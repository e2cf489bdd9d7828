/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Writes all of buf to fd, through EINTR, short writes, and EAGAIN on a
 * non-blocking descriptor (it waits until fd takes more). 0 or -errno. */
int write_all(int fd, const char *buf, size_t len);
