/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * share-private.h: what share.c (the folder, its watch, the state),
 * share-publish.c (my files) and share-receive.c (my partner's) share.
 */

#include <sys/stat.h>

#include "share.h"
#include "sharefile.h"

/* The files of a member folder: the six JSON kinds of sharefile.h, then
 * the list. */
#define SHARE_SRC_LIST _SHARE_KIND_MAX
#define _SHARE_SRC_MAX (_SHARE_KIND_MAX + 1)

/* What can be wrong with the folders, each its own line. */
typedef enum FolderProblem {
        FOLDER_ROOT,     /* the shared folder cannot be read */
        FOLDER_MINE,     /* my member folder is not a real folder of mine */
        FOLDER_THIRD,    /* a third member folder */
        FOLDER_GONE,     /* my partner's folder is gone */
        FOLDER_CONFLICT, /* a conflict copy in my own folder */
        _FOLDER_PROBLEM_MAX,
} FolderProblem;

typedef struct Share {
        unsigned epoch; /* tells a helper's late result from an old share */
        char *root;    /* DIR */
        char *me;      /* my member ID */
        char *mine;    /* DIR/<me> */
        char *partner; /* my partner's member ID, once seen */
        char *theirs;  /* DIR/<partner> */

        int inotify_fd;
        sd_event_source *io;
        int wd_root, wd_mine, wd_theirs;

        bool rescan;                /* the member folders: look again */
        unsigned dirty;             /* bit per source: my partner's file to read */
        bool check_mine;            /* my folder changed: are my files still mine? */
        bool partner_present;
        bool mine_ok;               /* my member folder is a real folder of mine */

        /* what I wrote (its fingerprint), to write only what changed and to
         * see a stranger's edit */
        uint64_t written[_SHARE_SRC_MAX];
        struct stat written_st[_SHARE_SRC_MAX];
        bool have_written[_SHARE_SRC_MAX];
        int64_t list_revision;      /* of the list.ics written; -1 none */
        uint64_t published_generation; /* the store's, when my files were last rendered */
        bool list_rendering, list_again;
        bool list_reading, list_read_again;

        char *problem[_SHARE_SRC_MAX]; /* my partner's file that failed, one line */
        char *folder_problem[_FOLDER_PROBLEM_MAX]; /* one of each kind at once */
} Share;

/* DIR/<member>/<file>: malloc'd, NULL when out of memory. */
char *share_path(const char *dir, const char *file);
const char *share_src_file(int src);
int share_src_from_file(const char *name);
/* FNV-1a, 64 bits. */
uint64_t share_fingerprint(const char *buf, size_t len);
/* Sets (text NULL: clears) a problem, logging it once when it is new. */
void share_set_problem(char **slot, const char *text);
/* The time of the last publishing or receiving, kept in the settings. */
void share_stamp(Manager *m, const char *key);

/* share-publish.c: my files, each written when its content changed or the
 * file is no longer what I wrote. */
int share_publish(Manager *m, bool check_files);
/* share-receive.c: my partner's files marked dirty. */
int share_receive(Manager *m);
