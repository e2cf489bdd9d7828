/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * partner.h: the exchange of lists. Exporting my list, importing my
 * partner's (SPEC 7: one transaction, the same file twice changes nothing,
 * a higher SEQUENCE updates by UID, tombstones remove, a changed text sends
 * my review back to "new", or to "discuss" where I had said "no"), and my
 * review of each of their items.
 *
 * The import is guarded: a file with no VTODO at all, my own export (its
 * X-CLOSER-OWNER-ID is mine, or one of its UIDs is an item of my list) and
 * the list of another partner than the one imported before (another
 * X-CLOSER-OWNER-ID) are refused, unless replace is asked for the last one:
 * then the old partner's list is forgotten (removed; their acts keep the
 * titles) in the same transaction.
 */

#include "listfile.h"
#include "manager.h"
#include "store.h"

typedef enum ImportAction {
        IMPORT_ADD,
        IMPORT_UPDATE,     /* newer: the fields change, the review stays */
        IMPORT_UPDATE_NEW, /* newer and the title or details changed: to review again */
        IMPORT_REMOVE,     /* a tombstone for an item I have */
        IMPORT_UNCHANGED,
        IMPORT_OLDER,      /* a lower SEQUENCE than my copy: ignored */
        IMPORT_IGNORE,     /* a tombstone of an item I never had */
} ImportAction;

/* What to do with one incoming item given my copy (NULL when I have none).
 * Pure. by_content: what phone apps write (they never raise SEQUENCE):
 * other content is a change, whatever the SEQUENCE says. */
ImportAction import_decide(const Item *mine, const Item *incoming, bool by_content);

/* The review an item gets again when its text changed: "no" comes back to
 * talk about ("discuss"), never straight into the daily pick; anything
 * else goes back to "new". Pure. */
Review import_review_again(Review previous);

typedef struct ImportOptions {
        bool replace;    /* another partner's list replaces the old one */
        bool by_content; /* changed is other content, not a higher SEQUENCE (import_decide()) */
        bool whole;      /* the file is the whole list: an item it does not have is removed */
} ImportOptions;

typedef struct ImportReview {
        int64_t id;
        char *title;       /* the new title */
        Review previous;   /* my review before the change: ok, discuss or no */
        bool private_;     /* for a discreet screen */
} ImportReview;

typedef struct ImportSummary {
        unsigned added, updated, removed, unchanged, older, skipped;
        unsigned forgotten;          /* items of the old partner's list, with replace */
        ImportReview *review_again;  /* items I had reviewed whose text changed */
        size_t n_review_again;
} ImportSummary;

void import_summary_clear(ImportSummary *s);

/* "3 new", "1 changed", "2 removed": what an import changed, in a few
 * words (buf of at least 64 bytes); NULL when it changed nothing. */
const char *import_summary_line(const ImportSummary *s, char *buf, size_t size);

/* Applies a parsed file to the partner list in one transaction. On a
 * refusal nothing changes and *ret_why (allocated) says why in one line:
 * -EBADMSG no list items in the file, -EPERM my own list or another
 * partner's without replace. -E2BIG when the result would hold more than
 * ITEM_COUNT_MAX active items. */
int partner_import(Manager *m, const ListFile *f, const ImportOptions *opts, ImportSummary *ret, char **ret_why);

/* What the exchange file of my list shows, read in one transaction: my
 * items with tombstones, the owner, and the revision of my list. The file
 * is rendered from it outside the transaction (ICAL_OP_LISTFILE_WRITE);
 * once it is written, partner_exported() marks my partner's copy current. */
typedef struct PartnerExport {
        Item *items;
        size_t n_items;
        char *owner_name, *owner_id;
        int64_t revision;
        time_t now; /* the DTSTAMP */
} PartnerExport;

int partner_export(Manager *m, PartnerExport *ret);
void partner_export_clear(PartnerExport *x);
int partner_exported(Manager *m, int64_t revision);

/* My review of a partner item; note NULL leaves the note as it is, "" clears
 * it. -ENOENT no such partner item, -EPERM an item of my own list. Returns 1
 * when today's act was that item and was picked anew (*ret_act: the new
 * one, id 0 when nothing else can be picked), else 0. */
int partner_review(Manager *m, int64_t id, Review review, const char *note, Act *ret_act);
/* Forgets my partner's whole list (after importing the wrong file): its
 * items leave the pick and the list, the acts done keep their titles, and
 * any partner's list may be imported next. *ret_n: how many items. */
int partner_forget(Manager *m, int64_t *ret_n);

/* Bumps the revision of my list (every change of it), for "stale copy". */
int partner_mine_changed(Manager *m);
typedef enum CopyState {
        COPY_NONE,     /* my list is empty */
        COPY_NEVER,    /* never exported: my partner has not got my list */
        COPY_CURRENT,  /* exported since the last change */
        COPY_STALE,    /* my list changed since my last export */
} CopyState;

/* Where my partner's copy of my list stands. */
int partner_copy_state(Manager *m, CopyState *ret);
