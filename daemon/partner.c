/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <systemd/sd-id128.h>
#include <stdio.h>
#include <string.h>

#include "daily.h"
#include "macro.h"
#include "partner.h"
#include "settings.h"

static bool text_eq(const char *a, const char *b) {
        return streq(a ? a : "", b ? b : "");
}

ImportAction import_decide(const Item *mine, const Item *incoming, bool by_content) {
        if (!mine)
                return incoming->removed ? IMPORT_IGNORE : IMPORT_ADD;
        if (!by_content && incoming->sequence < mine->sequence)
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
        if (!by_content && incoming->sequence == mine->sequence && !mine->removed)
                return IMPORT_OLDER;
        /* A followed task whose file came back as it was (moved away and
         * back, a sync in two steps) keeps my review: its tombstone kept it. */
        if (by_content && mine->removed && !text_changed)
                return IMPORT_UPDATE;
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

Review import_review_again(Review previous) {
        return previous == REVIEW_NO ? REVIEW_DISCUSS : REVIEW_NEW;
}

void import_summary_clear(ImportSummary *s) {
        for (size_t i = 0; i < s->n_review_again; i++)
                free(s->review_again[i].title);
        free(s->review_again);
        *s = (ImportSummary) {};
}

static int review_again_add(ImportSummary *sum, const Item *it, Review previous) {
        ImportReview *a = reallocarray(sum->review_again, sum->n_review_again + 1, sizeof(ImportReview));
        if (!a)
                return -ENOMEM;
        sum->review_again = a;
        char *title = strdup(it->title);
        if (!title)
                return -ENOMEM;
        a[sum->n_review_again++] =
                (ImportReview) { .id = it->id, .title = title, .previous = previous, .private_ = it->private_ };
        return 0;
}

const char *import_summary_line(const ImportSummary *s, char *buf, size_t size) {
        if (s->added > 0)
                snprintf(buf, size, "%u new", s->added);
        else if (s->updated > 0)
                snprintf(buf, size, "%u changed", s->updated);
        else if (s->removed > 0)
                snprintf(buf, size, "%u removed", s->removed);
        else
                return NULL;
        return buf;
}

static int import_one(Manager *m, const Item *in, const ImportOptions *opts, bool replacing, time_t now,
                      ImportSummary *sum) {
        _cleanup_(item_clear) Item mine = {};
        int r = store_item_get_by_uid(m->store, SIDE_PARTNER, in->uid, &mine);
        if (r < 0 && r != -ENOENT)
                return r;
        bool have = r >= 0;

        if (have && replacing && mine.removed && !in->removed) {
                /* An item of the forgotten list under the same UID: new again. */
                r = copy_fields(&mine, in);
                if (r < 0)
                        return r;
                mine.removed = false;
                mine.review = REVIEW_NEW;
                free(mine.note);
                mine.note = NULL;
                sum->added++;
                return store_item_update(m->store, &mine);
        }

        switch (import_decide(have ? &mine : NULL, in, opts->by_content)) {
        case IMPORT_ADD: {
                Item it = *in;
                it.id = 0;
                it.review = REVIEW_NEW;
                it.note = NULL;
                r = store_item_insert(m->store, SIDE_PARTNER, &it, now);
                sum->added++;
                return r;
        }
        case IMPORT_UPDATE_NEW: {
                Review previous = mine.review;
                mine.review = mine.removed ? REVIEW_NEW : import_review_again(previous);
                r = copy_fields(&mine, in);
                if (r < 0)
                        return r;
                if (!mine.removed && previous != REVIEW_NEW) {
                        r = review_again_add(sum, &mine, previous);
                        if (r < 0)
                                return r;
                }
                mine.removed = false;
                sum->updated++;
                return store_item_update(m->store, &mine);
        }
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

/* The whole list came: what it no longer has is removed (kept as a
 * tombstone, with its history). */
static int remove_missing(Manager *m, const ListFile *f, ImportSummary *sum) {
        _cleanup_free_ const char **uids = calloc(f->n_items + 1, sizeof(char *));
        Item *have = NULL;
        size_t n = 0;
        if (!uids)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_items; i++)
                uids[i] = f->items[i].uid;
        qsort_safe(uids, f->n_items, sizeof(char *), strcmp_ptr);
        int r = store_item_list(m->store, SIDE_PARTNER, false, &have, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const char *uid = have[i].uid;
                if (bsearch_safe(&uid, uids, f->n_items, sizeof(char *), strcmp_ptr))
                        continue;
                have[i].removed = true;
                sum->removed++;
                r = store_item_update(m->store, &have[i]);
        }
        item_array_free(have, n);
        return r;
}

/* A setting, or NULL (not an error) when it is unset or empty. */
static int setting_or_null(Manager *m, const char *key, char **ret) {
        _cleanup_free_ char *v = NULL;
        int r = settings_get_string(m->store, key, NULL, &v);
        if (r < 0)
                return r;
        *ret = v && v[0] ? TAKE_PTR(v) : NULL;
        return 0;
}

static int why_set(char **ret_why, int r, const char *fmt, ...) _printf_(3, 4);
static int why_set(char **ret_why, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(ret_why, fmt, ap);
        va_end(ap);
        if (k < 0) {
                *ret_why = NULL;
                return -ENOMEM;
        }
        return r;
}

/* Whether the file is my own export: my owner ID, or a UID of my list. */
static int is_my_own(Manager *m, const ListFile *f, bool *ret) {
        _cleanup_free_ char *my_id = NULL;
        int r = setting_or_null(m, "owner.id", &my_id);
        if (r < 0)
                return r;
        if (my_id && f->owner_id && streq(my_id, f->owner_id)) {
                *ret = true;
                return 0;
        }
        for (size_t i = 0; i < f->n_items; i++) {
                _cleanup_(item_clear) Item it = {};
                r = store_item_get_by_uid(m->store, SIDE_MINE, f->items[i].uid, &it);
                if (r >= 0) {
                        *ret = true;
                        return 0;
                }
                if (r != -ENOENT)
                        return r;
        }
        *ret = false;
        return 0;
}

/* Refuses my own list and another partner's (unless replacing); *ret_replacing
 * says whether the old list goes. */
static int import_guard(Manager *m, const ListFile *f, const ImportOptions *opts, bool *ret_replacing,
                        char **ret_why) {
        _cleanup_free_ char *me = NULL, *known = NULL, *partner = NULL;
        bool own;
        int r = is_my_own(m, f, &own);
        if (r < 0)
                return r;
        if (own) {
                r = setting_or_null(m, "me.name", &me);
                if (r < 0)
                        return r;
                const char *by = f->owner_name ? f->owner_name : me;
                if (!by)
                        return why_set(ret_why, -EPERM, "this is my own list: import my partner's file");
                return why_set(ret_why, -EPERM, "this is my own list (exported by %s): import my partner's file",
                               by);
        }

        *ret_replacing = false;
        r = setting_or_null(m, "partner.owner_id", &known);
        if (r < 0 || !known || !f->owner_id || streq(known, f->owner_id))
                return r;
        if (opts->replace) {
                *ret_replacing = true;
                return 0;
        }
        r = setting_or_null(m, "partner.name", &partner);
        if (r < 0)
                return r;
        return why_set(ret_why, -EPERM,
                       "this is the list of another partner (%s) than the one imported before (%s): "
                       "closerctl partner import --replace FILE forgets the old list",
                       f->owner_name ? f->owner_name : "unnamed", partner ? partner : "unnamed");
}

/* Who my partner is from now on: their owner ID, and their name unless I set one. */
static int import_remember_owner(Manager *m, const ListFile *f, bool replacing) {
        _cleanup_free_ char *name = NULL;
        int r;

        if (f->owner_id) {
                r = settings_set_string(m->store, "partner.owner_id", f->owner_id);
                if (r < 0)
                        return r;
        }
        if (!f->owner_name)
                return replacing ? settings_unset(m->store, "partner.name") : 0;
        r = setting_or_null(m, "partner.name", &name);
        if (r < 0)
                return r;
        if (name && !replacing)
                return 0;
        return settings_set_string(m->store, "partner.name", f->owner_name);
}

static int import_locked(Manager *m, const ListFile *f, const ImportOptions *opts, ImportSummary *sum,
                         char **ret_why) {
        time_t now = manager_now();
        bool replacing = false;
        int64_t n;
        int r = import_guard(m, f, opts, &replacing, ret_why);
        if (r < 0)
                return r;
        if (replacing) {
                r = store_partner_forget(m->store, &n);
                if (r < 0)
                        return r;
                sum->forgotten = (unsigned) n;
        }
        for (size_t i = 0; i < f->n_items; i++) {
                r = import_one(m, &f->items[i], opts, replacing, now, sum);
                if (r < 0)
                        return r;
        }
        if (opts->whole) {
                r = remove_missing(m, f, sum);
                if (r < 0)
                        return r;
        }
        r = store_item_count(m->store, SIDE_PARTNER, &n);
        if (r < 0)
                return r;
        if (n > ITEM_COUNT_MAX)
                return -E2BIG;
        /* A removed or forgotten item leaves the pick, today's act included. */
        r = store_acts_drop_open_of_removed(m->store);
        if (r < 0)
                return r;
        return import_remember_owner(m, f, replacing);
}

int partner_import(Manager *m, const ListFile *f, const ImportOptions *opts, ImportSummary *ret, char **ret_why) {
        _cleanup_(import_summary_clear) ImportSummary sum = { .skipped = (unsigned) f->skipped_components };
        int r;

        *ret_why = NULL;
        if (f->n_items == 0 && !opts->whole) {
                if (f->skipped_components > 0)
                        return why_set(ret_why, -EBADMSG,
                                       "the file holds no list items, only %zu other calendar components "
                                       "(a calendar?): import my partner's list file",
                                       f->skipped_components);
                return why_set(ret_why, -EBADMSG,
                               "the file holds no list items: import my partner's list file");
        }

        r = STORE_TRANSACTION(m->store, import_locked(m, f, opts, &sum, ret_why));
        if (r < 0)
                return r;
        *ret = sum;
        sum = (ImportSummary) {};
        return 0;
}

/* A revision: 0 when unset (or damaged by hand). */
static int revision_get(Manager *m, const char *key, int64_t *ret) {
        int r = settings_lenient(settings_get_int64(m->store, key, 0, ret));
        return r < 0 ? r : 0;
}

static int revision_set(Manager *m, const char *key, int64_t v) {
        return settings_set_int64(m->store, key, v);
}

int partner_mine_changed(Manager *m) {
        int64_t rev;
        int r = revision_get(m, "mine.revision", &rev);
        if (r < 0)
                return r;
        return revision_set(m, "mine.revision", rev + 1);
}

int partner_copy_state(Manager *m, CopyState *ret) {
        _cleanup_free_ char *exported_at = NULL;
        int64_t mine, exported, n;
        int r = revision_get(m, "mine.revision", &mine);
        if (r < 0)
                return r;
        r = revision_get(m, "export.revision", &exported);
        if (r < 0)
                return r;
        r = store_item_count(m->store, SIDE_MINE, &n);
        if (r < 0)
                return r;
        r = setting_or_null(m, "export.revision", &exported_at);
        if (r < 0)
                return r;
        *ret = n == 0          ? COPY_NONE
               : !exported_at  ? COPY_NEVER
               : mine != exported ? COPY_STALE
                                  : COPY_CURRENT;
        return 0;
}


static int export_locked(Manager *m, PartnerExport *x) {
        int r = store_item_list_exportable(m->store, &x->items, &x->n_items);
        if (r < 0)
                return r;
        r = setting_or_null(m, "me.name", &x->owner_name);
        if (r < 0)
                return r;
        r = settings_member_id(m->store, &x->owner_id);
        if (r < 0)
                return r;
        x->now = manager_now();
        return revision_get(m, "mine.revision", &x->revision);
}

int partner_export(Manager *m, PartnerExport *ret) {
        /* One transaction: the items and their revision agree (and the
         * owner ID, made on the first export, is stored with them). */
        *ret = (PartnerExport) {};
        int r = STORE_TRANSACTION(m->store, export_locked(m, ret));
        if (r < 0)
                partner_export_clear(ret);
        return r;
}

void partner_export_clear(PartnerExport *x) {
        item_array_free(x->items, x->n_items);
        free(x->owner_name);
        free(x->owner_id);
        *x = (PartnerExport) {};
}

static int exported_locked(Manager *m, int64_t revision) {
        int r = revision_set(m, "export.revision", revision);
        if (r < 0)
                return r;
        return store_items_mark_exported(m->store);
}

int partner_exported(Manager *m, int64_t revision) {
        return STORE_TRANSACTION(m->store, exported_locked(m, revision));
}

static int review_locked(Manager *m, int64_t id, Review review, const char *note, Act *ret_act) {
        _cleanup_(item_clear) Item it = {};
        Side side;
        int r = store_item_get(m->store, id, &side, &it);
        if (r < 0)
                return r;
        if (it.removed)
                return -ENOENT;
        if (side != SIDE_PARTNER)
                return -EPERM;
        it.review = review;
        if (note) {
                free(it.note);
                it.note = note[0] ? strdup(note) : NULL;
                if (note[0] && !it.note)
                        return -ENOMEM;
        }
        r = store_item_update(m->store, &it);
        if (r < 0)
                return r;
        /* Off the pick now: today's act, if it was this item, is picked anew. */
        if (review == REVIEW_NO || review == REVIEW_DISCUSS)
                return daily_replace_locked(m, manager_now(), id, ret_act);
        return 0;
}

int partner_review(Manager *m, int64_t id, Review review, const char *note, Act *ret_act) {
        return STORE_TRANSACTION(m->store, review_locked(m, id, review, note, ret_act));
}

static int forget_locked(Manager *m, int64_t *ret_n) {
        int r = store_partner_forget(m->store, ret_n);
        if (r < 0)
                return r;
        r = store_acts_drop_open_of_removed(m->store);
        if (r < 0)
                return r;
        /* Any partner's list may come next, without --replace. */
        return settings_unset(m->store, "partner.owner_id");
}

int partner_forget(Manager *m, int64_t *ret_n) {
        return STORE_TRANSACTION(m->store, forget_locked(m, ret_n));
}
