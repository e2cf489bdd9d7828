/* SPDX-License-Identifier: MIT */
/*
 * share-publish.c: my member folder, written from my database (share.h).
 * Each file is rendered every run and written only when it differs from
 * what I wrote last, or when the file is no longer the one I wrote (edited
 * or removed by someone else: written again).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icaljob.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "partner.h"
#include "settings.h"
#include "share-private.h"
#include "timeutil.h"

#define SHARE_DAYS_BACK 90 /* acts and resolved rain checks published */

static int build_member(Manager *m, ShareFile *f) {
        f->partner = m->share->partner ? strdup(m->share->partner) : NULL;
        if (m->share->partner && !f->partner)
                return -ENOMEM;
        return settings_get_string(m->store, "me.name", NULL, &f->name);
}

/* Every item of my partner's list with my review, "new" too: a review
 * taken back reaches them as well. */
static int build_reviews(Manager *m, ShareFile *f) {
        Item *items = NULL;
        size_t n = 0;
        int r = store_partner_reviews(m->store, &items, &n);
        if (r < 0)
                return r;
        f->reviews = calloc(n ? n : 1, sizeof(ShareReview));
        if (!f->reviews) {
                item_array_free(items, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                f->reviews[f->n_reviews++] = (ShareReview){ .uid = TAKE_PTR(items[i].uid),
                                                            .review = items[i].review,
                                                            .note = TAKE_PTR(items[i].note),
                                                            .sequence = items[i].sequence };
        item_array_free(items, n);
        return 0;
}

static int build_promises(Manager *m, ShareFile *f) {
        Promise *p = NULL;
        size_t n = 0;
        time_t since = manager_now() - (time_t) SHARE_DAYS_BACK * 86400;
        int r = store_promise_list(m->store, false, &p, &n);
        if (r < 0)
                return r;
        f->promises = calloc(n ? n : 1, sizeof(SharePromise));
        if (!f->promises) {
                promise_array_free(p, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                /* Mine, and the ones I noted as my partner's (theirs once
                 * they publish it themselves): never one I read from them. */
                bool active = p[i].status == PROMISE_OPEN || p[i].status == PROMISE_MOVED;
                if (p[i].shared || (!active && p[i].modified < since))
                        continue;
                f->promises[f->n_promises++] = (SharePromise){ .uid = TAKE_PTR(p[i].uid), .due = p[i].due,
                                                               .what = TAKE_PTR(p[i].what),
                                                               .where = TAKE_PTR(p[i].where),
                                                               .status = p[i].status, .sequence = p[i].sequence,
                                                               .owed_by_partner = p[i].owed_by_partner };
        }
        promise_array_free(p, n);
        return 0;
}

static int build_plan(Manager *m, ShareFile *f) {
        PlanEntry *e = NULL;
        size_t n = 0;
        uint64_t mine, theirs;
        int r = store_plan_entries(m->store, m->share->me, &e, &n);
        if (r >= 0)
                r = store_plan_max_lc(m->store, m->share->me, false, &mine);
        if (r >= 0)
                r = store_plan_max_lc(m->store, m->share->me, true, &theirs);
        if (r < 0) {
                plan_entries_free(e, n);
                return r;
        }
        f->clock = MAX(mine, theirs);
        f->entries = calloc(n ? n : 1, sizeof(SharePlanEntry));
        if (!f->entries) {
                plan_entries_free(e, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                f->entries[f->n_entries++] = (SharePlanEntry){ .key = TAKE_PTR(e[i].key),
                                                               .value = TAKE_PTR(e[i].value), .lc = e[i].lc,
                                                               .seen = e[i].seen };
        plan_entries_free(e, n);
        return 0;
}

static int build_acts(Manager *m, ShareFile *f) {
        DoneAct *a = NULL;
        size_t n = 0;
        int r = store_done_acts_of_partner(m->store, local_day_of(manager_now()) - SHARE_DAYS_BACK, &a, &n);
        if (r < 0)
                return r;
        f->acts = calloc(n ? n : 1, sizeof(ShareAct));
        if (!f->acts) {
                done_acts_free(a, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                f->acts[f->n_acts++] = (ShareAct){ .day = a[i].day, .uid = TAKE_PTR(a[i].uid) };
        done_acts_free(a, n);
        return 0;
}

static int build_advances(Manager *m, ShareFile *f) {
        _cleanup_free_ AdvanceRow *a = NULL;
        size_t n = 0;
        int r = store_advances_mine(m->store, &a, &n);
        if (r < 0)
                return r;
        f->advances = calloc(n ? n : 1, sizeof(ShareAdvance));
        if (!f->advances)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                f->advances[f->n_advances++] = (ShareAdvance){ .id = a[i].id, .at = a[i].at,
                                                               .by_partner = a[i].by_partner,
                                                               .accepted = a[i].accepted };
        return 0;
}

static int (*const builders[_SHARE_KIND_MAX])(Manager *m, ShareFile *f) = {
        [SHARE_MEMBER] = build_member,   [SHARE_REVIEWS] = build_reviews, [SHARE_PROMISES] = build_promises,
        [SHARE_PLAN] = build_plan,       [SHARE_ACTS] = build_acts,       [SHARE_ADVANCES] = build_advances,
};

/* Whether my file src is still the one I wrote. */
static bool still_written(Share *s, int src, const char *path) {
        struct stat st;
        return s->have_written[src] && stat(path, &st) >= 0 && same_file(&st, &s->written_st[src]);
}

/* Writes text as my file src unless it is there already; then remembers it. */
static int put_file(Manager *m, int src, const char *text) {
        Share *s = m->share;
        const char *name = share_src_file(src);
        _cleanup_free_ char *path = share_path(s->mine, name), *tmp = NULL;
        if (!path || asprintf(&tmp, "%s/.syncthing.%s.tmp", s->mine, name) < 0)
                return -ENOMEM;
        int r = write_file_changed(path, tmp, text, 0600);
        if (r > 0)
                share_stamp(m, "share.published");
        if (r < 0)
                return log_warning_errno(r, "Sharing: failed to write %s: %m", path);
        struct stat st;
        s->have_written[src] = stat(path, &st) >= 0;
        s->written_st[src] = st;
        s->written[src] = share_fingerprint(text, strlen(text));
        return 0;
}

static int publish_kind(Manager *m, ShareKind k) {
        Share *s = m->share;
        _cleanup_(sharefile_clear) ShareFile f = { .kind = k };
        _cleanup_free_ char *path = share_path(s->mine, share_kind_file(k)), *text = NULL;
        if (!path)
                return -ENOMEM;
        f.member = strdup(s->me);
        if (!f.member)
                return -ENOMEM;
        int r = builders[k](m, &f);
        if (r >= 0)
                r = sharefile_write(&f, &text);
        if (r < 0)
                return log_warning_errno(r, "Sharing: failed to render %s: %m", share_kind_file(k));
        if (s->written[k] == share_fingerprint(text, strlen(text)) && still_written(s, k, path))
                return 0;
        return put_file(m, k, text);
}

typedef struct ListJob {
        unsigned epoch;
        int64_t revision;
} ListJob;

static int publish_list(Manager *m);

static void list_rendered(Manager *m, int r, IcalResult *res, void *userdata) {
        ListJob *j = userdata;
        Share *s = m->share;
        if (!s || s->epoch != j->epoch || r == -ECANCELED) {
                free(j);
                return;
        }
        s->list_rendering = false;
        if (r < 0)
                log_warning_errno(r, "Sharing: failed to render my list: %m");
        else if (put_file(m, SHARE_SRC_LIST, res->text) >= 0) {
                s->list_revision = j->revision;
                /* My partner has this version now: removed items leave tombstones. */
                r = partner_exported(m, j->revision);
                if (r >= 0)
                        r = settings_set_int64(m->store, "share.list.revision", j->revision);
                if (r < 0)
                        log_warning_errno(r, "Sharing: %s", store_last_error(m->store));
        }
        free(j);
        if (s->list_again) {
                s->list_again = false;
                (void) publish_list(m);
        }
}

static int publish_list(Manager *m) {
        Share *s = m->share;
        _cleanup_(partner_export_clear) PartnerExport x = {};
        _cleanup_free_ char *path = share_path(s->mine, SHARE_LIST_FILE);
        int64_t rev;
        if (!path)
                return -ENOMEM;
        if (s->list_rendering) {
                s->list_again = true;
                return 0;
        }
        int r = settings_lenient(settings_get_int64(m->store, "mine.revision", 0, &rev));
        if (r < 0)
                return r;
        if (s->list_revision == rev && still_written(s, SHARE_SRC_LIST, path))
                return 0;
        r = partner_export(m, &x);
        if (r < 0)
                return r;
        ListJob *j = malloc(sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (ListJob){ s->epoch, x.revision };
        IcalRequest req = { .op = ICAL_OP_LISTFILE_WRITE, .items = x.items, .n_items = x.n_items,
                            .owner_name = x.owner_name, .owner_id = x.owner_id, .now = x.now };
        r = icaljob_start(m, &req, list_rendered, j);
        if (r < 0) {
                free(j);
                return log_warning_errno(r, "Sharing: failed to render my list: %m");
        }
        s->list_rendering = true;
        return 0;
}

int share_publish(Manager *m, bool check_files) {
        Share *s = m->share;
        /* Nothing written since the last rendering and my files untouched:
         * nothing to render (a run of the clock, or my own rename seen). */
        if (s->published_generation == store_generation(m->store) && !check_files)
                return 0;
        for (ShareKind k = 0; k < _SHARE_KIND_MAX && m->share; k++)
                (void) publish_kind(m, k);
        int r = m->share ? publish_list(m) : 0;
        if (m->share)
                m->share->published_generation = store_generation(m->store);
        return r;
}
