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
/* Writes text to path atomically (write_file_atomic()) unless the file has
 * it already: 1 written, 0 it was there, or -errno. */
int write_file_changed(const char *path, const char *tmp, const char *text, mode_t mode);

/* A conflict copy as folder syncs name them (Syncthing's ".sync-conflict-",
 * Nextcloud's and Dropbox's "conflicted copy", "(conflict"): never data. */
bool file_name_is_conflict(const char *name);

struct inotify_event;
/* Reads every event waiting on a non-blocking inotify descriptor and hands
 * each to each(). */
void inotify_drain(int fd, void (*each)(const struct inotify_event *e, void *userdata), void *userdata);
/* The same file, untouched: device, inode, size and mtime. */
bool same_file(const struct stat *a, const struct stat *b);

/* Reads a whole regular file (never through a link: -ELOOP) of at most max
 * bytes into *ret (NUL-terminated, to free()). -EBADF not a regular file,
 * -E2BIG larger than max, -EAGAIN it grew while being read (a writer is at
 * it: read again later). */
int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len);
