/* SPDX-License-Identifier: MIT */
/*
 * bus-partner.c: the exchange: ExportList, ImportPartnerList(WithOptions),
 * ForgetPartnerList, ReviewItem.
 */

#include <time.h>

#include "bus-dict.h"
#include "bus-util.h"
#include "bus.h"
#include "icaljob.h"
#include "log.h"
#include "partner.h"

static int export_list_finish(Manager *m, int r, const char *text, const Deferred *d, sd_bus_error *error) {
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = bus_write_fd(d->fd, text, error);
        if (r < 0)
                return r;
        /* Only a file that was written makes my partner's copy current. */
        r = partner_exported(m, d->revision);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(d->msg, "u", d->n_exported);
}

static void export_list_rendered(Manager *m, int r, IcalResult *res, void *userdata) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = export_list_finish(m, r, res->text, userdata, &error);
        bus_deferred_end(userdata, r, &error);
}

/* My items are read in one transaction, the file is rendered outside it
 * and written (and marked exported) when the helper is done. */
static int method_export_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(partner_export_clear) PartnerExport x = {};
        int fd = -1, r;

        r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        r = partner_export(m, &x);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        Deferred *d = bus_deferred_new(msg, fd);
        if (!d)
                return -ENOMEM;
        d->revision = x.revision;
        for (size_t i = 0; i < x.n_items; i++)
                d->n_exported += !x.items[i].removed;
        IcalRequest req = { .op = ICAL_OP_LISTFILE_WRITE, .items = x.items, .n_items = x.n_items,
                            .owner_name = x.owner_name, .owner_id = x.owner_id, .now = x.now };
        r = icaljob_start(m, &req, export_list_rendered, d);
        if (r < 0) {
                bus_deferred_free(d);
                return bus_reply_failure(m, r, "", error);
        }
        return 1;
}

/* The options of ImportPartnerListWithOptions. */
static const BusField import_fields[] = {
        BUS_FIELD("replace", 'b', NULL, ImportOptions, replace),
};

static int append_import_summary(sd_bus_message *reply, const ImportSummary *sum) {
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "added", "u", sum->added,
                                          "updated", "u", sum->updated,
                                          "removed", "u", sum->removed,
                                          "unchanged", "u", sum->unchanged,
                                          "older", "u", sum->older,
                                          "skipped", "u", sum->skipped,
                                          "forgotten", "u", sum->forgotten);
        if (r >= 0)
                r = bus_open_entry(reply, "review_again", "a(tssb)");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(tssb)");
        for (size_t i = 0; r >= 0 && i < sum->n_review_again; i++)
                r = sd_bus_message_append(reply, "(tssb)", (uint64_t) sum->review_again[i].id,
                                          sum->review_again[i].title,
                                          review_to_string(sum->review_again[i].previous),
                                          (int) sum->review_again[i].private_);
        for (int i = 0; i < 4 && r >= 0; i++)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* The file parsed (or not) by the helper: applied, and the reply. */
static int import_partner_list_finish(Manager *m, int r, const IcalResult *res, const Deferred *d,
                                      sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(import_summary_clear) ImportSummary sum = {};
        _cleanup_free_ char *why = NULL;

        if (r == -ENOMEM || icaljob_failed(r))
                return bus_reply_failure(m, r, "", error);
        if (r < 0)
                /* The parser names places by line and UID, never by text. */
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "partner list: %s; nothing was imported",
                                         res->err_text ? res->err_text : strerror(-r));
        struct timespec t0, t1;
        (void) clock_gettime(CLOCK_MONOTONIC, &t0);
        r = partner_import(m, &res->list, &d->opts, &sum, &why);
        (void) clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r == -EBADMSG && why)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "partner list: %s; nothing was imported", why);
        if (r == -EPERM && why)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "%s", why);
        if (r < 0)
                return bus_reply_failure(m, r, "the partner list would hold more than 10000 items; "
                                           "nothing was imported", error);
        log_info("Imported the partner list: %u added, %u updated, %u removed, %u unchanged, %u older, "
                 "%u forgotten, %zu to review again (%.1f ms in the database)",
                 sum.added, sum.updated, sum.removed, sum.unchanged, sum.older, sum.forgotten,
                 sum.n_review_again,
                 (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        bus_lists_changed(m);
        r = sd_bus_message_new_method_return(d->msg, &reply);
        if (r >= 0)
                r = append_import_summary(reply, &sum);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static void import_partner_list_parsed(Manager *m, int r, IcalResult *res, void *userdata) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = import_partner_list_finish(m, r, res, userdata, &error);
        bus_deferred_end(userdata, r, &error);
}

/* The file is read here, parsed by the helper, and applied when it is done. */
static int import_partner_list(sd_bus_message *msg, Manager *m, const ImportOptions *opts, int fd,
                               sd_bus_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = bus_read_fd(fd, LISTFILE_SIZE_MAX, &buf, &len, error);
        if (r < 0)
                return r;
        Deferred *d = bus_deferred_new(msg, -1);
        if (!d)
                return -ENOMEM;
        d->opts = *opts;
        r = icaljob_start(m, &(IcalRequest){ .op = ICAL_OP_LISTFILE_PARSE, .buf = buf, .len = len },
                          import_partner_list_parsed, d);
        if (r < 0) {
                bus_deferred_free(d);
                return bus_reply_failure(m, r, "", error);
        }
        return 1;
}

static int method_import_partner_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        return import_partner_list(msg, userdata, &(ImportOptions) {}, fd, error);
}

static int method_import_partner_list_with_options(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ImportOptions opts = {};
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        r = BUS_READ_DICT(msg, import_fields, &opts, NULL, error);
        if (r < 0)
                return r;
        return import_partner_list(msg, userdata, &opts, fd, error);
}

static int method_forget_partner_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int64_t n = 0;
        int r = partner_forget(m, &n);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_reply_method_return(msg, "u", (uint32_t) n);
}

/* ReviewItem's options: a note (into a const char *). */
static const BusField review_fields[] = {
        { "note", 's', bus_parse_note, 0 },
};

static int method_review_item(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *review, *note = NULL;
        int64_t id = 0;
        int r;

        r = bus_read_item_id(msg, &id, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "s", &review);
        if (r < 0)
                return r;
        Review rv = review_from_string(review);
        if (rv < 0 || rv == REVIEW_NEW)
                return bus_invalid(error, "review", "must be ok, discuss or no");
        r = BUS_READ_DICT(msg, review_fields, &note, NULL, error);
        if (r < 0)
                return r;

        _cleanup_(act_clear) Act act = {};
        r = partner_review(m, id, rv, note, &act);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "no item %" PRIi64 " in my partner's list", id);
        if (r == -EPERM)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED,
                                         "item %" PRIi64 " is on my own list: reviews are for my partner's items",
                                         id);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        bool replaced = r > 0;

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "replaced", "b", (int) replaced);
        if (r >= 0 && act.id > 0) {
                r = bus_open_entry(reply, "act", "a{sv}");
                if (r >= 0)
                        r = bus_append_act(reply, &act);
                if (r >= 0)
                        r = bus_close_entry(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable bus_partner_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ExportList",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_RESULT("u", items),
                                method_export_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportPartnerList",
                                SD_BUS_ARGS("h", file),
                                SD_BUS_RESULT("a{sv}", summary),
                                method_import_partner_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportPartnerListWithOptions",
                                SD_BUS_ARGS("h", file, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", summary),
                                method_import_partner_list_with_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ReviewItem",
                                SD_BUS_ARGS("t", id, "s", review, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", result),
                                method_review_item, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ForgetPartnerList",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("u", forgotten),
                                method_forget_partner_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
