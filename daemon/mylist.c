/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "mylist.h"
#include "macro.h"
#include "partner.h"
#include "settings.h"
#include "timeutil.h"

static int uid_new(char **ret) {
        sd_id128_t id;
        int r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        if (asprintf(ret, SD_ID128_FORMAT_STR "@closer", SD_ID128_FORMAT_VAL(id)) < 0)
                return -ENOMEM;
        return 0;
}

static int strdup_to(char **dst, const char *src) {
        char *c = strdup(src ? src : "");
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

/* Applies the set fields; returns 1 when anything differs, 0 when not. */
static int item_apply(Item *it, const ItemChange *ch) {
        int changed = 0, r;

        if ((ch->mask & CHANGE_TITLE) && strcmp(it->title ? it->title : "", ch->title) != 0) {
                r = strdup_to(&it->title, ch->title);
                if (r < 0)
                        return r;
                changed = 1;
        }
        if ((ch->mask & CHANGE_DETAILS) && strcmp(it->details ? it->details : "", ch->details) != 0) {
                r = strdup_to(&it->details, ch->details);
                if (r < 0)
                        return r;
                changed = 1;
        }
        if ((ch->mask & CHANGE_CATEGORY) && it->category != ch->category) {
                it->category = ch->category;
                changed = 1;
        }
        if ((ch->mask & CHANGE_INTENSITY) && it->intensity != ch->intensity) {
                it->intensity = ch->intensity;
                changed = 1;
        }
        if ((ch->mask & CHANGE_PRIVATE) && it->private_ != ch->private_) {
                it->private_ = ch->private_;
                changed = 1;
        }
        return changed;
}

static int items_add_locked(Manager *m, Item *items, size_t n, time_t now) {
        int64_t count;
        int r = store_item_count(m->store, SIDE_MINE, &count);
        if (r < 0)
                return r;
        if ((size_t) count + n > ITEM_COUNT_MAX)
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                r = store_item_insert(m->store, SIDE_MINE, &items[i], now);
                if (r < 0)
                        return r;
        }
        return partner_mine_changed(m);
}

int mylist_add_items(Manager *m, Item *items, size_t n) {
        time_t now = manager_now();
        int r;

        for (size_t i = 0; i < n; i++) {
                items[i].sequence = 0;
                items[i].modified = now;
                items[i].removed = false;
                items[i].review = REVIEW_NEW;
                if (!items[i].uid) {
                        r = uid_new(&items[i].uid);
                        if (r < 0)
                                return r;
                }
        }
        r = STORE_TRANSACTION(m->store, items_add_locked(m, items, n, now));
        if (r < 0)
                return r;
        return 1;
}

int mylist_add(Manager *m, const ItemChange *ch, int64_t *ret_id) {
        _cleanup_(item_clear) Item it = {
                .category = (ch->mask & CHANGE_CATEGORY) ? ch->category : CATEGORY_AFFECTION,
                .intensity = (ch->mask & CHANGE_INTENSITY) ? ch->intensity : 1,
        };
        int r;

        it.private_ = (ch->mask & CHANGE_PRIVATE) ? ch->private_ : item_default_private(it.intensity);
        r = item_apply(&it, &(ItemChange){ .mask = ch->mask & (CHANGE_TITLE | CHANGE_DETAILS),
                                           .title = ch->title, .details = ch->details });
        if (r < 0)
                return r;
        r = mylist_add_items(m, &it, 1);
        if (r < 0)
                return r;
        *ret_id = it.id;
        return 1;
}

/* Loads an item of my list for a change; inside a transaction. */
static int my_item_load(Manager *m, int64_t id, Item *ret) {
        Side side;
        int r = store_item_get(m->store, id, &side, ret);
        if (r < 0)
                return r;
        if (ret->removed) {
                item_clear(ret);
                return -ENOENT;
        }
        if (side != SIDE_MINE) {
                item_clear(ret);
                return -EPERM;
        }
        return 0;
}

static int my_item_change_locked(Manager *m, int64_t id, const ItemChange *ch, bool remove) {
        _cleanup_(item_clear) Item it = {};
        int r = my_item_load(m, id, &it);
        if (r < 0)
                return r;
        r = remove ? 1 : item_apply(&it, ch);
        if (r <= 0)
                return r;
        /* Each change raises SEQUENCE so the partner's copy updates (SPEC 7);
         * removal leaves a tombstone for the next export. */
        it.removed = remove;
        it.sequence++;
        it.modified = manager_now();
        r = store_item_update(m->store, &it);
        if (r < 0)
                return r;
        r = partner_mine_changed(m);
        if (r < 0)
                return r;
        return 1;
}

int mylist_edit(Manager *m, int64_t id, const ItemChange *ch) {
        return STORE_TRANSACTION(m->store, my_item_change_locked(m, id, ch, false));
}

int mylist_remove(Manager *m, int64_t id) {
        return STORE_TRANSACTION(m->store, my_item_change_locked(m, id, NULL, true));
}
