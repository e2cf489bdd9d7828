/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * share.h: the practice shared with my partner through a synced folder
 * (issue 17, SPEC 9).
 *
 * DIR is a folder that a sync engine (Syncthing, or any folder sync) keeps
 * the same on both machines. I write only DIR/<my member ID>/, each file
 * atomically (a temporary name that sync engines skip, ".syncthing.NAME.tmp",
 * fsync, rename) and only when its content changed: member.json (my name),
 * list.ics (my list, SPEC 7, with tombstones), reviews.json, promises.json
 * (the rain checks I owe), plan.json (my entries of the shared plan),
 * acts.json (what I did from my partner's list) and advances.json. I read
 * the one other member folder, my partner's, whenever inotify says it
 * changed (no polling): each file is untrusted input, applied all or
 * nothing in one transaction, and only when its content differs from the
 * last one applied. A file that fails is ignored with a one-line problem
 * (share, status) and the last good state is kept. Names that are not
 * ours (conflict copies, temporary files, .stversions, anything else) are
 * never read as data.
 *
 * The work is a step of the run queue (manager_add_run_step): an inotify
 * event queues a run; the run reads what changed, then publishes what my
 * database says, so a request's change reaches the folder once that loop
 * iteration's requests are answered.
 */

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "manager.h"

#define SHARE_LIST_FILE "list.ics"

/* At start-up: the share of a previous run, if any (its watches). */
int share_start(Manager *m);
void share_stop(Manager *m);

/* Turns sharing on through the folder open at dirfd (its path is taken
 * from /proc/self/fd), or moves it to another folder. *ret_why says why
 * not: -ENOTDIR not a folder, -EACCES not writable, -EINVAL inside my data
 * folder (the database never goes into the shared folder). */
int share_enable(Manager *m, int dirfd, char **ret_why);

/* The path of the folder open at dirfd (from /proc/self/fd), for a folder
 * closerd is to keep: a folder (-ENOTDIR), that can be named (-ENOENT),
 * with the access mode asks (-EACCES; W_OK | X_OK, R_OK | X_OK), neither
 * my data folder nor inside it nor holding it (-EINVAL). *ret_why says
 * which in words. */
int folder_of_fd(Manager *m, int dirfd, int mode, char path[static PATH_MAX], char **ret_why);
/* At start-up: adds the run step of a folder's module, and opens the folder
 * a previous run kept in the setting key, if any (a failure is logged: the
 * daemon runs on without it). */
int folder_resume(Manager *m, int (*step)(Manager *m), const char *key, int (*open)(Manager *m, const char *dir));
/* Stops reading and writing; the files stay, and so does what my partner
 * shared, but which member is my partner is forgotten (shared again, the
 * first member seen is). 0 when it was off. */
int share_disable(Manager *m);

typedef struct ShareStatus {
        bool enabled;
        char *dir, *member_id, *name;
        char *partner_id, *partner_name;
        bool partner_present;
        time_t last_published, last_received; /* 0: never */
        char **problems;                       /* one line each */
        size_t n_problems;
        char **overruled;                      /* plan changes of mine my partner's overruled, */
        size_t n_overruled;                    /* in the last week, newest first */
} ShareStatus;

int share_status(Manager *m, ShareStatus *ret);
void share_status_clear(ShareStatus *s);

/* My partner's name as they publish it (NULL when unknown): partner.name
 * set by me comes first where a name is shown. */
int share_partner_name(Manager *m, char **ret);

/* The name my partner goes by here, for what closerd says: partner.name
 * (mine for them) first, then the one they publish, else "Your partner".
 * NULL when out of memory. */
char *share_partner_display(Manager *m);
