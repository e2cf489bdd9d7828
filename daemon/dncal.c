/* SPDX-License-Identifier: MIT */
/*
 * dncal.c: the date nights calendar as text, and datenights.ics (dncal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datenight.h"
#include "dncal.h"
#include "icaljob.h"
#include "io.h"
#include "log.h"
#include "macro.h"

/* --- the text: rendered by the helper unless the last one is the same --- */

typedef struct TextJob {
        uint64_t fingerprint;
        DncalTextDone done;
        void *userdata;
} TextJob;

static void text_rendered(Manager *m, int r, IcalResult *res, void *userdata) {
        TextJob *t = userdata;
        if (r >= 0) {
                free(m->ics_text);
                m->ics_text = TAKE_PTR(res->text);
                m->ics_text_fingerprint = t->fingerprint;
        }
        t->done(m, r, r >= 0 ? m->ics_text : NULL, t->userdata);
        free(t);
}

static int calendar_text(Manager *m, const DnCalendar *c, const char **ret_text, DncalTextDone done,
                         void *userdata) {
        if (m->ics_text && m->ics_text_fingerprint == c->fingerprint) {
                *ret_text = m->ics_text;
                return 1;
        }
        TextJob *t = malloc(sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (TextJob) { c->fingerprint, done, userdata };
        IcalRequest req = { .op = ICAL_OP_ICS_WRITE, .events = c->events, .n_events = c->n_events };
        int r = icaljob_start(m, &req, text_rendered, t);
        if (r < 0)
                free(t);
        return r < 0 ? r : 0;
}

int dncal_text(Manager *m, time_t now, const char **ret_text, DncalTextDone done, void *userdata) {
        _cleanup_(datenight_calendar_clear) DnCalendar c = {};
        int r = datenight_calendar_read(m, now, &c);
        if (r < 0)
                return r;
        return calendar_text(m, &c, ret_text, done, userdata);
}

/* --- datenights.ics --- */

static char *file_path(Manager *m) {
        char *path;
        return asprintf(&path, "%s/datenights.ics", m->data_dir) < 0 ? NULL : path;
}

/* Writes text (of that fingerprint) unless the file has it already. */
static int file_write(Manager *m, uint64_t fingerprint, const char *text) {
        _cleanup_free_ char *path = file_path(m);
        struct stat st = {};
        if (!path)
                return -ENOMEM;
        int r = write_file_changed(path, NULL, text, 0600);
        if (r < 0)
                return r;
        m->ics_file_known = stat(path, &st) >= 0;
        m->ics_file_stat = st;
        m->ics_file_fingerprint = fingerprint;
        return 0;
}

static void file_rendered(Manager *m, int r, const char *text, void *userdata) {
        m->ics_file_busy = false;
        if (r == -ECANCELED)
                return;
        if (r >= 0)
                r = file_write(m, m->ics_text_fingerprint, text);
        if (r < 0)
                log_warning_errno(r, "Failed to write %s/datenights.ics: %m", m->data_dir);
        if (m->ics_file_again) {
                /* It changed while the helper ran: once more, for all of it. */
                m->ics_file_again = false;
                r = datenight_calendar_now(m, dncal_file_update);
                if (r < 0)
                        log_warning_errno(r, "Failed to write %s/datenights.ics: %m", m->data_dir);
        }
}

int dncal_file_update(Manager *m, const DnCalendar *c) {
        _cleanup_free_ char *path = NULL;
        const char *text;
        struct stat st = {};
        if (m->ics_file_busy) {
                m->ics_file_again = true;
                return 0;
        }
        path = file_path(m);
        if (!path)
                return -ENOMEM;
        /* The same content as the file we wrote or checked, and the file
         * untouched since: nothing to do, and no helper to start. */
        if (m->ics_file_known && m->ics_file_fingerprint == c->fingerprint && stat(path, &st) >= 0 &&
            same_file(&st, &m->ics_file_stat))
                return 0;
        int r = calendar_text(m, c, &text, file_rendered, NULL);
        if (r < 0)
                return r;
        if (r == 0) {
                m->ics_file_busy = true;
                return 0;
        }
        return file_write(m, c->fingerprint, text);
}
