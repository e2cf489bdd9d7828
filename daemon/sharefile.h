/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * sharefile.h: the JSON files of a member folder (issue 17, SPEC 9), read
 * and written. Pure: no store, no clock, no logging. A partner's file is
 * untrusted input: every limit below is checked, the whole file is
 * validated before anything is returned, and a file that fails any check
 * gives an error and nothing else.
 *
 * Every file is one JSON object with these members first:
 *   "closer": the kind ("member", "reviews", "promises", "plan", "acts",
 *             "advances"), which must be the one expected;
 *   "format": SHAREFILE_FORMAT; a higher one is refused with -EPROTONOSUPPORT
 *             ("written by a newer closer"), a lower or missing one -EBADMSG;
 *   "member": the writer's member ID (32 lowercase hex digits).
 * and then, by kind:
 *   member:   "name": T|null, "partner": ID|null (the partner it has seen)
 *   reviews:  "reviews": [{"uid":U, "review":"new|ok|discuss|no",
 *             "note":T|null, "sequence":N}]  (my reviews of my partner's
 *             items; sequence: the SEQUENCE of the item version reviewed)
 *   promises: "promises": [{"uid":U, "due":S, "what":T|null, "where":T|null,
 *             "status":"open|kept|broken|moved|cancelled", "sequence":N,
 *             "owed_by":"me|partner"}] (the rain checks the writer owes,
 *             and those it recorded as owed by the reader; owed_by may be
 *             left out: "me"; due in seconds since the epoch, UTC)
 *   plan:     "clock": N, "entries": [{"key":K, "value":V, "lc":N,
 *             "seen":N}] (shareplan.h says what keys and values mean)
 *   acts:     "acts": [{"day":"YYYY-MM-DD", "uid":U}] (acts the writer did
 *             from the reader's list)
 *   advances: "advances": [{"id":N, "at":S, "by":"me|partner",
 *             "accepted":B}] ("me" is the writer)
 * Unknown members are ignored (a newer closer of the same format may add
 * some); a known member of the wrong type, a missing required one, a
 * duplicate key in one object, a UID twice in one array, or nesting deeper
 * than SHAREFILE_DEPTH_MAX is -EBADMSG. Every member named above is
 * required (null only where it says so). Twice in one array means: the same
 * uid (reviews, promises), key (plan), id (advances), or day and uid (acts:
 * an item may be done again on another day). Numbers are integers within
 * int64_t, the uint64_t ones too.
 *
 * Written files are deterministic: the same ShareFile gives the same bytes
 * (members in the order above, arrays in the order given, one entry per
 * line, a final newline), so an unchanged state rewrites nothing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "item.h"
#include "store.h"

#define SHAREFILE_FORMAT 1
#define SHAREFILE_SIZE_MAX (8u * 1024 * 1024) /* bytes of one file */
#define SHAREFILE_ENTRIES_MAX 50000u          /* entries of one array */
#define SHAREFILE_DEPTH_MAX 8
#define SHAREFILE_NAME_MAX 100                /* code points */
#define SHAREFILE_TEXT_MAX 200                /* code points: what, where */
#define SHAREFILE_KEY_MAX 64                  /* bytes, printable ASCII */
#define SHAREFILE_VALUE_MAX 256               /* bytes, printable ASCII */
#define SHARE_ID_LEN 32                       /* a member ID: lowercase hex */

typedef enum ShareKind {
        SHARE_MEMBER,
        SHARE_REVIEWS,
        SHARE_PROMISES,
        SHARE_PLAN,
        SHARE_ACTS,
        SHARE_ADVANCES,
        _SHARE_KIND_MAX,
        _SHARE_KIND_INVALID = -1,
} ShareKind;

/* "member", "reviews", ...: the "closer" member and PartnerChanged's what. */
const char *share_kind_to_string(ShareKind k);
ShareKind share_kind_from_string(const char *s);
/* "member.json", "reviews.json", ... */
const char *share_kind_file(ShareKind k);
/* By file name; _SHARE_KIND_INVALID for any other name. */
ShareKind share_kind_from_file(const char *name);

/* 32 lowercase hex digits. */
bool share_id_is_valid(const char *s);

typedef struct ShareReview {
        char *uid;        /* ITEM_UID_MAX bytes, printable ASCII */
        Review review;
        char *note;       /* NULL; ITEM_NOTE_MAX code points of UTF-8 */
        int64_t sequence; /* >= 0 */
} ShareReview;

typedef struct SharePromise {
        char *uid;
        int64_t due;          /* 0 .. 32535215999 */
        char *what, *where;   /* NULL; SHAREFILE_TEXT_MAX code points */
        PromiseStatus status;
        int64_t sequence;     /* >= 0 */
        bool owed_by_partner; /* "partner": the writer recorded it as owed by the reader */
} SharePromise;

typedef struct SharePlanEntry {
        char *key;   /* SHAREFILE_KEY_MAX */
        char *value; /* SHAREFILE_VALUE_MAX */
        uint64_t lc; /* >= 1: the logical clock of the write */
        uint64_t seen; /* the highest lc of the reader's entries the writer had merged then */
} SharePlanEntry;

typedef struct ShareAct {
        int64_t day; /* day number (days since 1970-01-01) up to 3000-12-31, from "YYYY-MM-DD" */
        char *uid;
} ShareAct;

typedef struct ShareAdvance {
        int64_t id;      /* >= 1, the writer's; unique in the file */
        int64_t at;      /* seconds since the epoch */
        bool by_partner; /* "partner": the writer's partner (the reader) made it */
        bool accepted;
} ShareAdvance;

typedef struct ShareFile {
        ShareKind kind;
        char *member;
        /* member */
        char *name, *partner;
        /* reviews */
        ShareReview *reviews;
        size_t n_reviews;
        /* promises */
        SharePromise *promises;
        size_t n_promises;
        /* plan */
        uint64_t clock;
        SharePlanEntry *entries;
        size_t n_entries;
        /* acts */
        ShareAct *acts;
        size_t n_acts;
        /* advances */
        ShareAdvance *advances;
        size_t n_advances;
} ShareFile;

void sharefile_clear(ShareFile *f);

/* Parses text[0..len) (need not be NUL-terminated) as a file of kind
 * expected. On error *ret is left empty and *ret_error (when not NULL) is
 * one line saying what and where ("reviews[3].uid: not a string"), never
 * quoting the file's text. -EBADMSG malformed or invalid, -E2BIG over a
 * limit, -EPROTONOSUPPORT a newer format, -ENOMEM. */
int sharefile_parse(ShareKind expected, const char *text, size_t len, ShareFile *ret, char **ret_error);

/* Renders f (f->kind says which members) into *ret (NUL-terminated,
 * malloc'd). -EINVAL for a value the parser would refuse, -ENOMEM. */
int sharefile_write(const ShareFile *f, char **ret);
