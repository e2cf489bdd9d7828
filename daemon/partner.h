/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * partner.h: the exchange of lists. Exporting my list, importing my
 * partner's (SPEC 7: one transaction, the same file twice changes nothing,
 * a higher SEQUENCE updates by UID, tombstones remove, a changed text sends
 * my review back to "new"), and my review of each of their items.
 */

#include "listfile.h"
#include "manager.h"

typedef enum ImportAction {
        IMPORT_ADD,
        IMPORT_UPDATE,     /* newer: the fields change, the review stays */
        IMPORT_UPDATE_NEW, /* newer and the title or details changed: review back to new */
        IMPORT_REMOVE,     /* a tombstone for an item I have */
        IMPORT_UNCHANGED,
        IMPORT_OLDER,      /* a lower SEQUENCE than my copy: ignored */
        IMPORT_IGNORE,     /* a tombstone of an item I never had */
} ImportAction;

/* What to do with one incoming item given my copy (NULL when I have none).
 * Pure. */
ImportAction import_decide(const Item *mine, const Item *incoming);

typedef struct ImportSummary {
        unsigned added, updated, removed, unchanged, older, skipped;
} ImportSummary;

/* Applies a parsed file to the partner list in one transaction. -E2BIG when
 * the result would hold more than ITEM_COUNT_MAX active items. */
int partner_import(Manager *m, const ListFile *f, ImportSummary *ret);

/* My list as the exchange file, with tombstones, and the revision of my
 * list it shows; once the file is written, partner_exported() marks my
 * partner's copy current. */
int partner_export(Manager *m, char **ret_text, int64_t *ret_revision);
int partner_exported(Manager *m, int64_t revision);

/* My review of a partner item; note NULL leaves the note as it is, "" clears
 * it. -ENOENT no such partner item, -EPERM an item of my own list. */
int partner_review(Manager *m, int64_t id, Review review, const char *note);

/* Bumps the revision of my list (every change of it), for "stale copy". */
int partner_mine_changed(Manager *m);
/* Whether my list changed since my last export. */
int partner_copy_stale(Manager *m, bool *ret);
