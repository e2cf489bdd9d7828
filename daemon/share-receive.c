/* SPDX-License-Identifier: MIT */
/*
 * share-receive.c: my partner's member folder, read (share.h). A file is
 * read whole (with a size limit, never through a symbolic link), checked
 * whole, and applied in one transaction together with its fingerprint, so
 * that the same content is never applied twice, also across a restart or
 * a crash in the middle (then the transaction never happened).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datenight.h"
#include "icaljob.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "partner.h"
#include "promise.h"
#include "settings.h"
#include "share-private.h"
#include "timeutil.h"

#define ADVANCE_SAME_WINDOW (30 * 60) /* the same advance recorded by both: within 30 minutes */

/* What one file changed here, for PartnerChanged. */
typedef struct Received {
        char summary[256];
        char discreet[256];
        bool changed;
        char overruled[256];
} Received;

/* The content applied last, per file, as hex. */
static void fingerprint(const char *buf, size_t len, char out[static 17]) {
        snprintf(out, 17, "%016" PRIx64, share_fingerprint(buf, len));
}

static int seen_key(int src, char out[static 48]) {
        return snprintf(out, 48, "share.seen.%s", share_src_file(src)) < 48 ? 0 : -EINVAL;
}

/* The name my partner goes by here: mine for them first, then theirs. */
char *share_partner_display(Manager *m) {
        char *name = NULL;
        if (settings_get_string(m->store, "partner.name", NULL, &name) >= 0 && name)
                return name;
        if (share_partner_name(m, &name) >= 0 && name)
                return name;
        return strdup("Your partner");
}

/* Why a file could not be read, in words. */
static const char *unreadable(int r) {
        switch (r) {
        case -E2BIG:
                return "too large";
        case -EBADF:
                return "not a regular file";
        case -ELOOP:
                return "a symbolic link: never followed";
        default:
                return strerror(-r);
        }
}

static void problem(Manager *m, int src, const char *why) {
        char line[512];
        snprintf(line, sizeof(line), "my partner's %s: %s; the last good state is kept", share_src_file(src), why);
        share_set_problem(&m->share->problem[src], line);
}

static void emit(Manager *m, int src, const Received *rc) {
        Event e = { .type = EVENT_PARTNER_CHANGED,
                    .partner = { .what = share_kind_to_string(src == SHARE_SRC_LIST ? SHARE_MEMBER : src),
                                 .summary = rc->summary, .discreet = rc->discreet[0] ? rc->discreet : NULL } };
        if (src == SHARE_SRC_LIST)
                e.partner.what = "list";
        if (rc->changed)
                manager_emit(m, &e);
        if (rc->overruled[0]) {
                Event o = { .type = EVENT_OVERRULED, .partner = { .what = "plan", .summary = rc->overruled } };
                manager_emit(m, &o);
        }
}

/* --- the JSON files --- */

static int apply_member(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        if (!f->name)
                return settings_unset(m->store, "share.partner.name");
        return settings_set_string(m->store, "share.partner.name", f->name);
}

static int apply_reviews(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        unsigned changed = 0, talk = 0;
        for (size_t i = 0; i < f->n_reviews; i++) {
                const ShareReview *v = &f->reviews[i];
                int r = store_review_of_mine_set(m->store, v->uid, v->review, v->note, v->sequence);
                if (r < 0)
                        return r;
                changed += r;
                talk += r && v->review == REVIEW_DISCUSS;
        }
        rc->changed = changed > 0;
        if (talk > 0)
                snprintf(rc->summary, sizeof(rc->summary), "%s reviewed your list: %u to talk about", name, talk);
        else
                snprintf(rc->summary, sizeof(rc->summary), "%s reviewed your list: %u changed", name, changed);
        return 0;
}

/* A local rain check, not from my partner's folder, still to come, owed
 * by owed_by_partner, within the window of due: the same one. */
static int promise_local_twin(Manager *m, time_t due, bool owed_by_partner, int64_t *ret_id) {
        Promise *all = NULL;
        size_t n = 0;
        *ret_id = 0;
        int r = store_promise_list(m->store, true, &all, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && !*ret_id; i++)
                if (all[i].owed_by_partner == owed_by_partner && !all[i].shared &&
                    llabs((long long) (all[i].due - due)) <= ADVANCE_SAME_WINDOW)
                        *ret_id = all[i].id;
        promise_array_free(all, n);
        return 0;
}

/* One rain check of my partner's folder: one they owe me (they keep it),
 * or one they noted as owed by me (a rain check I gave them that I did not
 * note myself). The one who owes it is the one who writes it. */
static int promise_take(Manager *m, const SharePromise *sp, const char *name, Received *rc) {
        _cleanup_(promise_clear) Promise p = {};
        bool i_owe = sp->owed_by_partner;
        time_t now = manager_now();
        int64_t twin;
        char when[32];
        (void) format_human_local(sp->due, true, when);
        int r = store_promise_get_by_uid(m->store, sp->uid, &p);
        if (r == -ENOENT) {
                r = promise_local_twin(m, sp->due, !i_owe, &twin);
                if (r < 0)
                        return r;
                if (i_owe && twin > 0)
                        return 0; /* I noted it myself: mine is the one, and they will take it */
                if (twin > 0) {
                        /* One I noted as owed to me: theirs from now on, not a second one. */
                        r = store_promise_adopt(m->store, twin, sp->uid);
                        if (r >= 0)
                                r = store_promise_get(m->store, twin, &p);
                        if (r < 0)
                                return r;
                } else {
                        Promise q = { .uid = sp->uid, .due = sp->due, .what = sp->what, .where = sp->where,
                                      .status = sp->status, .created = now, .modified = now,
                                      .owed_by_partner = !i_owe, .shared = true, .shared_seq = sp->sequence };
                        r = store_promise_insert(m->store, &q);
                        if (r < 0)
                                return r;
                        rc->changed = true;
                        if (i_owe)
                                snprintf(rc->summary, sizeof(rc->summary), "%s noted a rain check you owe: %s", name,
                                         when);
                        else
                                snprintf(rc->summary, sizeof(rc->summary), "%s owes you a rain check: %s", name, when);
                        return 0;
                }
        } else if (r < 0)
                return r;
        if (!p.shared)
                return 0; /* one of mine under that UID: theirs cannot change it */
        /* Their version as taken before: what I marked since (kept, moved)
         * stays; a new version of theirs counts. */
        if (p.shared_seq == sp->sequence)
                return 0;
        PromiseStatus before = p.status;
        time_t due_before = p.due;
        free(p.what);
        free(p.where);
        p.what = sp->what ? strdup(sp->what) : NULL;
        p.where = sp->where ? strdup(sp->where) : NULL;
        if ((sp->what && !p.what) || (sp->where && !p.where))
                return -ENOMEM;
        p.due = sp->due;
        p.status = sp->status;
        p.sequence++; /* a change for the calendar */
        p.modified = now;
        p.shared_seq = sp->sequence;
        if (before != p.status && (p.status == PROMISE_KEPT || p.status == PROMISE_BROKEN))
                p.resolved = now;
        r = store_promise_replace(m->store, &p);
        if (r < 0)
                return r;
        rc->changed = true;
        if (before != p.status && p.status != PROMISE_OPEN && p.status != PROMISE_MOVED)
                snprintf(rc->summary, sizeof(rc->summary), "%s marked a rain check %s", name,
                         promise_status_to_string(p.status));
        else if (due_before != p.due)
                snprintf(rc->summary, sizeof(rc->summary), "%s moved a rain check to %s", name, when);
        else
                snprintf(rc->summary, sizeof(rc->summary), "%s changed a rain check: %s", name, when);
        return 0;
}

static int apply_promises(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        for (size_t i = 0; i < f->n_promises; i++) {
                Received one = {};
                int r = promise_take(m, &f->promises[i], name, &one);
                if (r < 0)
                        return r;
                if (one.changed && !rc->changed)
                        *rc = one;
        }
        return 0;
}

static int apply_acts(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        int64_t today = local_day_of(manager_now());
        Item *before = NULL, *after = NULL;
        size_t n_before = 0, n_after = 0;
        int r = store_partner_acts_on(m->store, today, &before, &n_before);
        if (r < 0)
                return r;
        r = store_partner_acts_clear(m->store);
        for (size_t i = 0; r >= 0 && i < f->n_acts; i++)
                r = store_partner_act_insert(m->store, f->acts[i].day, f->acts[i].uid);
        if (r >= 0)
                r = store_partner_acts_on(m->store, today, &after, &n_after);
        if (r >= 0 && n_after > n_before) {
                const Item *it = &after[n_after - 1];
                rc->changed = true;
                /* A private item's title is never on the bus; an intimate
                 * one's never on the screen (notify.reveal aside). */
                snprintf(rc->discreet, sizeof(rc->discreet), "%s did something from your list today", name);
                if (it->private_)
                        snprintf(rc->summary, sizeof(rc->summary), "%s", rc->discreet);
                else
                        snprintf(rc->summary, sizeof(rc->summary), "%s did for you today: %s", name, it->title);
                if (!it->private_ && it->intensity <= 1)
                        rc->discreet[0] = '\0';
        }
        item_array_free(before, n_before);
        item_array_free(after, n_after);
        return r;
}

static int apply_advances(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        int64_t before = 0, after = 0;
        int r = store_advances_shared_count(m->store, &before);
        if (r >= 0)
                r = store_advances_shared_clear(m->store);
        for (size_t i = 0; r >= 0 && i < f->n_advances; i++) {
                const ShareAdvance *a = &f->advances[i];
                /* Their "me" is my partner. */
                r = store_advance_shared_insert(m->store, a->id, a->at, local_day_of(a->at), !a->by_partner,
                                                a->accepted, ADVANCE_SAME_WINDOW);
        }
        if (r >= 0)
                r = store_advances_shared_count(m->store, &after);
        if (r < 0)
                return r;
        rc->changed = after != before;
        snprintf(rc->summary, sizeof(rc->summary), "%s recorded %s", name,
                 after > before ? "an advance" : "a change to the advances");
        return 0;
}

/* The overruled warnings of the last week, newest first, at most
 * OVERRULED_MAX: "SECONDS\tTEXT" lines (share.c reads them). */
#define OVERRULED_MAX 5
static int overruled_keep(Manager *m, const char *text) {
        _cleanup_free_ char *old = NULL, *out = NULL;
        size_t size = 0;
        time_t now = manager_now();
        int r = settings_get_string(m->store, "share.overruled", NULL, &old);
        if (r < 0)
                return r;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "%" PRIi64 "\t%s", (int64_t) now, text);
        int kept = 1;
        for (char *line = old, *next; line && *line && kept < OVERRULED_MAX; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                long long at = strtoll(line, NULL, 10);
                if (now - (time_t) at < 7 * 86400 && strchr(line, '\t')) {
                        fprintf(f, "\n%s", line);
                        kept++;
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return settings_set_string(m->store, "share.overruled", out);
}

static int apply_plan(Manager *m, const ShareFile *f, const char *name, Received *rc) {
        PlanMerge pm;
        _cleanup_free_ PlanEntry *e = calloc(f->n_entries ? f->n_entries : 1, sizeof(PlanEntry));
        if (!e)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_entries; i++)
                e[i] = (PlanEntry){ .key = f->entries[i].key, .member = f->member, .value = f->entries[i].value,
                                    .lc = f->entries[i].lc, .seen = f->entries[i].seen };
        int r = datenight_merge_locked(m, manager_now(), f->member, e, f->n_entries, &pm);
        if (r < 0)
                return r;
        rc->changed = pm.changed > 0;
        snprintf(rc->summary, sizeof(rc->summary), "%s %s", name, pm.summary);
        if (pm.overruled > 0) {
                snprintf(rc->overruled, sizeof(rc->overruled),
                         "%s's change to %s, made while you were apart, won over yours", name, pm.overruled_what);
                r = overruled_keep(m, rc->overruled);
        }
        return r;
}

typedef int (*Applier)(Manager *m, const ShareFile *f, const char *name, Received *rc);
static const Applier appliers[_SHARE_KIND_MAX] = {
        [SHARE_MEMBER] = apply_member,   [SHARE_REVIEWS] = apply_reviews, [SHARE_PROMISES] = apply_promises,
        [SHARE_PLAN] = apply_plan,       [SHARE_ACTS] = apply_acts,       [SHARE_ADVANCES] = apply_advances,
};

static bool plan_valid(const ShareFile *f) {
        for (size_t i = 0; i < f->n_entries; i++)
                if (!plan_entry_is_valid(f->entries[i].key, f->entries[i].value))
                        return false;
        return true;
}

static int applied_locked(Manager *m, int src, const char *key, const char *print) {
        int r = settings_set_string(m->store, key, print);
        if (r >= 0)
                share_stamp(m, "share.received");
        return r;
}

/* The file's content and its fingerprint, in one transaction. */
static int apply_locked(Manager *m, const ShareFile *f, const char *name, Received *rc, const char *key,
                        const char *print) {
        int r = appliers[f->kind](m, f, name, rc);
        return r < 0 ? r : applied_locked(m, f->kind, key, print);
}

static int receive_kind(Manager *m, ShareKind k) {
        Share *s = m->share;
        _cleanup_free_ char *path = share_path(s->theirs, share_kind_file(k)), *buf = NULL, *seen = NULL;
        _cleanup_free_ char *name = NULL, *why = NULL;
        _cleanup_(sharefile_clear) ShareFile f = {};
        char print[17], key[48];
        size_t len = 0;
        if (!path)
                return -ENOMEM;
        int r = read_file_max(path, SHAREFILE_SIZE_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0; /* not written yet */
        if (r == -EAGAIN) {
                s->dirty |= 1u << k; /* being written: its rename will tell */
                return 0;
        }
        if (r < 0) {
                problem(m, k, unreadable(r));
                return 0;
        }
        fingerprint(buf, len, print);
        (void) seen_key(k, key);
        r = settings_get_string(m->store, key, NULL, &seen);
        if (r < 0)
                return r;
        if (seen && streq(seen, print)) {
                share_set_problem(&s->problem[k], NULL);
                return 0;
        }
        r = sharefile_parse(k, buf, len, &f, &why);
        if (r < 0) {
                problem(m, k, why ? why : strerror(-r));
                return 0;
        }
        if (!streq(f.member, s->partner)) {
                problem(m, k, "written by another member than the folder's");
                return 0;
        }
        if (k == SHARE_PLAN && !plan_valid(&f)) {
                problem(m, k, "an entry of the plan is not one closer knows");
                return 0;
        }
        if (k == SHARE_MEMBER && f.partner && !streq(f.partner, s->me)) {
                problem(m, k, "my partner shares with another member");
                return 0;
        }
        name = share_partner_display(m);
        if (!name)
                return -ENOMEM;
        Received rc = {};
        r = STORE_TRANSACTION(m->store, apply_locked(m, &f, name, &rc, key, print));
        if (r < 0)
                return log_warning_errno(r, "Sharing: failed to apply my partner's %s: %s", share_kind_file(k),
                                         store_last_error(m->store));
        share_set_problem(&s->problem[k], NULL);
        emit(m, k, &rc);
        return 0;
}

/* --- the list, parsed by the helper --- */

typedef struct ListRead {
        unsigned epoch;
        char print[17];
} ListRead;

static int receive_list(Manager *m);

static void list_import(Manager *m, ListRead *lr, IcalResult *res, int r) {
        Share *s = m->share;
        _cleanup_(import_summary_clear) ImportSummary sum = {};
        _cleanup_free_ char *why = NULL, *name = NULL;
        char key[48], line[64];
        if (r < 0) {
                problem(m, SHARE_SRC_LIST, res->err_text ? res->err_text : strerror(-r));
                return;
        }
        if (!res->list.owner_id || !streq(res->list.owner_id, s->partner)) {
                problem(m, SHARE_SRC_LIST, "the list of another member than the folder's");
                return;
        }
        (void) seen_key(SHARE_SRC_LIST, key);
        if (res->list.n_items == 0 && res->list.skipped_components == 0) {
                share_set_problem(&s->problem[SHARE_SRC_LIST], NULL); /* no list written yet */
                return;
        }
        struct timespec t0, t1;
        (void) clock_gettime(CLOCK_MONOTONIC, &t0);
        r = partner_import(m, &res->list, &(ImportOptions){}, &sum, &why);
        (void) clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r < 0) {
                problem(m, SHARE_SRC_LIST, why ? why : r == -E2BIG ? "more than 10000 items" : strerror(-r));
                return;
        }
        log_info("Took my partner's shared list: %u added, %u updated, %u removed, %u unchanged "
                 "(%.1f ms in the database)",
                 sum.added, sum.updated, sum.removed, sum.unchanged,
                 (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        r = STORE_TRANSACTION(m->store, applied_locked(m, SHARE_SRC_LIST, key, lr->print));
        if (r < 0)
                log_warning_errno(r, "Sharing: %s", store_last_error(m->store));
        share_set_problem(&s->problem[SHARE_SRC_LIST], NULL);
        name = share_partner_display(m);
        const char *what = import_summary_line(&sum, line, sizeof(line));
        Received rc = { .changed = what != NULL };
        snprintf(rc.summary, sizeof(rc.summary), "%.150s updated their list: %s", name ? name : "Your partner",
                 what ? what : "");
        emit(m, SHARE_SRC_LIST, &rc);
}

static void list_parsed(Manager *m, int r, IcalResult *res, void *userdata) {
        ListRead *lr = userdata;
        if (m->share && m->share->epoch == lr->epoch && r != -ECANCELED) {
                m->share->list_reading = false;
                list_import(m, lr, res, r);
                /* A long list came and went through the heap and the page
                 * cache: give both back. */
                listfile_clear(&res->list);
                store_release_memory(m->store);
                if (m->share->list_read_again) {
                        m->share->list_read_again = false;
                        (void) receive_list(m);
                }
        }
        free(lr);
}

static int receive_list(Manager *m) {
        Share *s = m->share;
        _cleanup_free_ char *path = share_path(s->theirs, SHARE_LIST_FILE), *buf = NULL, *seen = NULL;
        char key[48];
        size_t len = 0;
        if (!path)
                return -ENOMEM;
        if (s->list_reading) {
                s->list_read_again = true;
                return 0;
        }
        int r = read_file_max(path, LISTFILE_SIZE_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r == -EAGAIN) {
                s->dirty |= 1u << SHARE_SRC_LIST;
                return 0;
        }
        if (r < 0) {
                problem(m, SHARE_SRC_LIST, unreadable(r));
                return 0;
        }
        ListRead *lr = calloc(1, sizeof(*lr));
        if (!lr)
                return -ENOMEM;
        lr->epoch = s->epoch;
        fingerprint(buf, len, lr->print);
        (void) seen_key(SHARE_SRC_LIST, key);
        r = settings_get_string(m->store, key, NULL, &seen);
        if (r < 0 || (seen && streq(seen, lr->print))) {
                if (r >= 0)
                        share_set_problem(&s->problem[SHARE_SRC_LIST], NULL);
                free(lr);
                return r;
        }
        r = icaljob_start(m, &(IcalRequest){ .op = ICAL_OP_LISTFILE_PARSE, .buf = buf, .len = len }, list_parsed, lr);
        if (r < 0) {
                free(lr);
                return log_warning_errno(r, "Sharing: cannot read my partner's list: %m");
        }
        s->list_reading = true;
        return 0;
}

int share_receive(Manager *m) {
        Share *s = m->share;
        unsigned dirty = s->dirty;
        s->dirty = 0;
        /* The name first: the others' words use it. */
        for (ShareKind k = 0; k < _SHARE_KIND_MAX; k++)
                if (dirty & (1u << k))
                        (void) receive_kind(m, k);
        if (dirty & (1u << SHARE_SRC_LIST))
                (void) receive_list(m);
        return 0;
}
