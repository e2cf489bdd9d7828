/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "history.h"
#include "macro.h"
#include "timeutil.h"

static int compare_rows(const void *a, const void *b) {
        const HistoryRow *x = a, *y = b;
        if (x->day != y->day)
                return x->day < y->day ? -1 : 1;
        if (x->sort_at != y->sort_at)
                return x->sort_at < y->sort_at ? -1 : 1;
        if (x->kind != y->kind)
                return x->kind < y->kind ? -1 : 1;
        return x->id < y->id ? -1 : x->id > y->id;
}

int history_collect(Manager *m, int64_t from_day, int64_t to_day, int64_t item_id, HistoryRow **ret, size_t *ret_n,
                    bool *ret_truncated) {
        HistoryRow *rows = NULL;
        size_t n = 0;
        time_t from, to;
        int r;

        if (from_day > to_day || to_day - from_day >= HISTORY_DAYS_MAX)
                return -EINVAL;
        r = local_resolve(from_day, 0, &from);
        if (r < 0)
                return r;
        r = local_resolve(to_day + 1, 0, &to);
        if (r < 0)
                return r;
        /* One more than fits of each kind: the earliest entries overall are
         * among the earliest of each kind, and one more says it was cut. */
        r = store_history(m->store, from_day, to_day, from, to, item_id, HISTORY_ENTRIES_MAX + 1, &rows, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (rows[i].day == INT64_MIN)
                        rows[i].day = local_day_of((time_t) rows[i].at);
                if (rows[i].sort_at == 0)
                        rows[i].sort_at = INT64_MIN; /* a pause: first on its day */
        }
        if (n > 0)
                qsort(rows, n, sizeof(HistoryRow), compare_rows);
        *ret_truncated = n > HISTORY_ENTRIES_MAX;
        for (size_t i = HISTORY_ENTRIES_MAX; i < n; i++)
                history_row_clear(&rows[i]);
        *ret = rows;
        *ret_n = MIN(n, (size_t) HISTORY_ENTRIES_MAX);
        return 0;
}
