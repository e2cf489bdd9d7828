/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * mylist.h: my own list (SPEC 2): adding, editing and removing my items, on
 * validated input. Every change is one transaction: all of it or nothing. Returns 0, 1 when a
 * change was made (callers emit PropertiesChanged), or a negative errno:
 * -ENOENT no such item, -EPERM not allowed on that item, -E2BIG a limit,
 * others from the store.
 */

#include "item.h"
#include "manager.h"

/* Which fields of an ItemChange are set. */
enum {
        CHANGE_TITLE = 1 << 0,
        CHANGE_DETAILS = 1 << 1,
        CHANGE_CATEGORY = 1 << 2,
        CHANGE_INTENSITY = 1 << 3,
        CHANGE_PRIVATE = 1 << 4,
};

typedef struct ItemChange {
        unsigned mask;
        const char *title;
        const char *details;
        Category category;
        int intensity;
        bool private_;
} ItemChange;

/* New items of my list, all or none; sets each one's uid (when NULL),
 * sequence, modified and id. -E2BIG past ITEM_COUNT_MAX. */
int mylist_add_items(Manager *m, Item *items, size_t n);
/* A new item of my list from the fields set in ch (title required). */
int mylist_add(Manager *m, const ItemChange *ch, int64_t *ret_id);
int mylist_edit(Manager *m, int64_t id, const ItemChange *ch);
int mylist_remove(Manager *m, int64_t id);
