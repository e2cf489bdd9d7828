/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Writes all of buf to fd, through EINTR, short writes, and EAGAIN on a
 * non-blocking descriptor (it waits until fd takes more). 0 or -errno. */
int write_all(int fd, const char *buf, size_t len);

/* Writes path atomically: text into tmp (NULL: a random name next to
 * path), mode, fsync, then rename over path; tmp is gone either way. */
int write_file_atomic(const char *path, const char *tmp, const char *text, size_t len, mode_t mode);
/* 1 when path is a regular file holding exactly text[0..len), else 0;
 * -ENOMEM. */
int file_equals(const char *path, const char *text, size_t len);
/* The same file, untouched: device, inode, size and mtime. */
bool same_file(const struct stat *a, const struct stat *b);
