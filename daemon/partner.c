/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "icalproc.h"
#include "macro.h"
#include "partner.h"

static bool text_eq(const char *a, const char *b) {
        return streq(a ? a : "", b ? b : "");
}

ImportAction import_decide(const Item *mine, const Item *incoming) {
        if (!mine)
                return incoming->removed ? IMPORT_IGNORE : IMPORT_ADD;
        if (incoming->sequence < mine->sequence)
                return IMPORT_OLDER;
        if (incoming->removed)
                return mine->removed ? IMPORT_UNCHANGED : IMPORT_REMOVE;

        bool text_changed = !text_eq(mine->title, incoming->title) ||
                            !text_eq(mine->details, incoming->details);
        bool changed = text_changed || mine->removed || mine->category != incoming->category ||
                       mine->intensity != incoming->intensity || mine->private_ != incoming->private_;
        if (!changed)
                return IMPORT_UNCHANGED;
        /* The same SEQUENCE with other content: the partner's copy wins only
         * when it is newer, so an equal one is not "newer". */
        if (incoming->sequence == mine->sequence && !mine->removed)
                return IMPORT_OLDER;
        return text_changed || mine->removed ? IMPORT_UPDATE_NEW : IMPORT_UPDATE;
}

static int copy_fields(Item *dst, const Item *src) {
        char *t = strdup(src->title), *d = strdup(src->details ? src->details : "");
        if (!t || !d) {
                free(t);
                free(d);
                return -ENOMEM;
        }
        free(dst->title);
        free(dst->details);
        dst->title = t;
        dst->details = d;
        dst->category = src->category;
        dst->intensity = src->intensity;
        dst->private_ = src->private_;
        dst->sequence = src->sequence;
        dst->modified = src->modified;
        return 0;
}

static int import_one(Manager *m, const Item *in, time_t now, ImportSummary *sum) {
        _cleanup_(item_done) Item mine = {};
        int r = store_item_get_by_uid(m->store, SIDE_PARTNER, in->uid, &mine);
        if (r < 0 && r != -ENOENT)
                return r;
        bool have = r >= 0;

        switch (import_decide(have ? &mine : NULL, in)) {
        case IMPORT_ADD: {
                Item it = *in;
                it.id = 0;
                it.review = REVIEW_NEW;
                it.note = NULL;
                r = store_item_insert(m->store, SIDE_PARTNER, &it, now);
                sum->added++;
                return r;
        }
        case IMPORT_UPDATE_NEW:
                mine.review = REVIEW_NEW;
                _fallthrough_;
        case IMPORT_UPDATE:
                r = copy_fields(&mine, in);
                if (r < 0)
                        return r;
                mine.removed = false;
                sum->updated++;
                return store_item_update(m->store, &mine);
        case IMPORT_REMOVE:
                /* Kept as a tombstone: its acts stay in the history. */
                mine.removed = true;
                mine.sequence = in->sequence;
                sum->removed++;
                return store_item_update(m->store, &mine);
        case IMPORT_OLDER:
                sum->older++;
                return 0;
        case IMPORT_IGNORE:
                return 0;
        case IMPORT_UNCHANGED:
        default:
                sum->unchanged++;
                return 0;
        }
}

int partner_import(Manager *m, const ListFile *f, ImportSummary *ret) {
        ImportSummary sum = { .skipped = (unsigned) f->skipped_components };
        time_t now = manager_now();
        int64_t n;
        int r;

        r = store_begin(m->store);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_items && r >= 0; i++)
                r = import_one(m, &f->items[i], now, &sum);
        if (r >= 0)
                r = store_item_count(m->store, SIDE_PARTNER, &n);
        if (r >= 0 && n > ITEM_COUNT_MAX)
                r = -E2BIG;
        if (r >= 0 && f->owner_name && f->owner_name[0]) {
                /* The partner's name from their file, unless I set one. */
                _cleanup_free_ char *name = NULL;
                r = store_setting_get(m->store, "partner.name", &name);
                if (r == -ENOENT || (r >= 0 && !name[0]))
                        r = store_setting_set(m->store, "partner.name", f->owner_name);
        }
        if (r >= 0)
                r = store_commit(m->store);
        if (r < 0) {
                store_rollback(m->store);
                return r;
        }
        *ret = sum;
        return 0;
}

static int revision_get(Manager *m, const char *key, int64_t *ret) {
        _cleanup_free_ char *v = NULL;
        int r = store_setting_get(m->store, key, &v);
        if (r == -ENOENT) {
                *ret = 0;
                return 0;
        }
        if (r < 0)
                return r;
        *ret = strtoll(v, NULL, 10);
        return 0;
}

static int revision_set(Manager *m, const char *key, int64_t v) {
        char buf[32];
        (void) snprintf(buf, sizeof(buf), "%" PRIi64, v);
        return store_setting_set(m->store, key, buf);
}

int partner_mine_changed(Manager *m) {
        int64_t rev;
        int r = revision_get(m, "mine.revision", &rev);
        if (r < 0)
                return r;
        return revision_set(m, "mine.revision", rev + 1);
}

int partner_copy_stale(Manager *m, bool *ret) {
        int64_t mine, exported, n;
        int r = revision_get(m, "mine.revision", &mine);
        if (r >= 0)
                r = revision_get(m, "export.revision", &exported);
        if (r >= 0)
                r = store_item_count(m->store, SIDE_MINE, &n);
        if (r < 0)
                return r;
        *ret = n > 0 && mine != exported;
        return 0;
}

static int export_locked(Manager *m, char **ret_text, int64_t *ret_revision) {
        _cleanup_free_ char *name = NULL;
        Item *items = NULL;
        size_t n = 0;
        int r = store_item_list(m->store, SIDE_MINE, true, &items, &n);
        if (r >= 0) {
                r = store_setting_get(m->store, "me.name", &name);
                if (r == -ENOENT)
                        r = 0;
        }
        if (r >= 0)
                r = revision_get(m, "mine.revision", ret_revision);
        if (r >= 0)
                r = icalproc_listfile_write(items, n, name, manager_now(), ret_text);
        item_array_free(items, n);
        return r;
}

int partner_export(Manager *m, char **ret_text, int64_t *ret_revision) {
        /* One read transaction: the text and its revision agree. */
        return STORE_TRANSACTION(m->store, export_locked(m, ret_text, ret_revision));
}

int partner_exported(Manager *m, int64_t revision) {
        return revision_set(m, "export.revision", revision);
}

int partner_review(Manager *m, int64_t id, Review review, const char *note) {
        _cleanup_(item_done) Item it = {};
        Side side;
        int r;

        r = store_begin(m->store);
        if (r < 0)
                return r;
        r = store_item_get(m->store, id, &side, &it);
        if (r >= 0 && it.removed)
                r = -ENOENT;
        if (r >= 0 && side != SIDE_PARTNER)
                r = -EPERM;
        if (r >= 0) {
                it.review = review;
                if (note) {
                        free(it.note);
                        it.note = note[0] ? strdup(note) : NULL;
                        if (note[0] && !it.note)
                                r = -ENOMEM;
                }
        }
        if (r >= 0)
                r = store_item_update(m->store, &it);
        if (r >= 0)
                r = store_commit(m->store);
        if (r < 0)
                store_rollback(m->store);
        return r;
}
