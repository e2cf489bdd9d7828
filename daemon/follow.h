/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * follow.h: my partner's list followed in a vdir of tasks (issue 18): a
 * folder with one iCalendar file per to-do, as vdirsyncer keeps a CalDAV
 * collection that my partner fills from a phone's tasks app (tasks.org,
 * jtx Board, OpenTasks, Apple Reminders).
 *
 * closerd watches the folder with inotify (no polling) and, whenever it
 * changed, reads the files that changed (by inode, size and mtime, then
 * by content), has the helper parse them (ICAL_OP_LISTFILE_PARSE_EACH, with
 * the phone apps' mapping of listfile.h), and imports the whole folder as my
 * partner's list: by content, not by SEQUENCE (phone apps never raise it),
 * and as the whole list, so a task whose file is gone is removed (a
 * tombstone: its history stays). The review rules of partner_import()
 * stand: changed text goes back for review.
 *
 * What is never read as a task, and is reported (follow status): names
 * that are not *.ics (vdirsyncer's own metadata files, displayname and
 * color, excepted), temporary files, conflict copies of file syncs, links,
 * anything not a regular file, a file larger than FOLLOW_FILE_MAX, and
 * every file but one of those that carry the same UID (the one named
 * <UID>.ics wins, else the first by name). A file that fails to parse keeps
 * the task as it was last read well. A folder with no task at all, or one
 * that cannot be read, changes nothing (an unmounted or wiped folder is
 * not my partner emptying their list). One level of subfolders is read as
 * well (vdirsyncer's layout with collections): each is a list, and a list
 * whose name (its displayname file, else its folder name) is a category
 * gives its tasks that category when they name none.
 *
 * Following and sharing (share.h) are the two ways my partner's list comes
 * in; only one at a time.
 */

#include <stdbool.h>
#include <time.h>

#include "manager.h"

#define FOLLOW_FILE_MAX (1u << 20) /* bytes of one task's file */
#define FOLLOW_SUBDIRS_MAX 32

int follow_start(Manager *m);
void follow_stop(Manager *m);

/* Follows the folder open at dirfd (its path from /proc/self/fd), or
 * another one instead. *ret_why: -ENOTDIR not a folder, -EBUSY sharing is
 * on, -EINVAL my data folder or inside it. */
typedef void (*FollowReadDone)(Manager *m, void *userdata);
/* done (may be NULL) is called once the folder was first read and
 * imported (or found unreadable, or following stopped meanwhile): a
 * caller can answer then, with the list in place. Not called on failure. */
int follow_enable(Manager *m, int dirfd, char **ret_why, FollowReadDone done, void *userdata);
/* 1: it was on; 0: it was off. The list stays as it is. */
int follow_disable(Manager *m);

typedef struct FollowStatus {
        bool enabled;
        char *dir;
        time_t last_read;  /* 0: not yet */
        unsigned tasks;    /* on the list as last read */
        char **problems;   /* one line each */
        size_t n_problems;
} FollowStatus;

int follow_status(Manager *m, FollowStatus *ret);
void follow_status_clear(FollowStatus *s);
