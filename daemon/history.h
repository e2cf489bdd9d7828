/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * history.h: what was recorded, day by day (issue 16, "look back"). The
 * records come as the store has them today (an act's outcome, a rain check's
 * status), each on the local day it happened, in the order it happened. A
 * window is at most HISTORY_DAYS_MAX days and a reply at most
 * HISTORY_ENTRIES_MAX entries, the earliest: *ret_truncated says when more
 * were left out, so a lifetime of data never builds an unbounded reply.
 */

#include "manager.h"
#include "store.h"

#define HISTORY_DAYS_DEFAULT 28
#define HISTORY_DAYS_MAX 3660
#define HISTORY_ENTRIES_MAX 2000

int history_collect(Manager *m, int64_t from_day, int64_t to_day, int64_t item_id, HistoryRow **ret, size_t *ret_n,
                    bool *ret_truncated);
