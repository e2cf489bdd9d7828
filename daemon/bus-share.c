/* SPDX-License-Identifier: MIT */
/*
 * bus-share.c: sharing with my partner through a synced folder: Share,
 * Unshare, GetShare (share.h).
 */

#include <fcntl.h>

#include "bus-util.h"
#include "bus.h"
#include "log.h"
#include "share.h"
#include "timeutil.h"

/* The folder comes as a descriptor (SPEC 5: files cross the bus as
 * descriptors), opened by the client with its own rights. */
static int method_share(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *why = NULL;
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "folder: not an open descriptor");
        r = share_enable(m, fd, &why);
        if (r == -EACCES)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "%s", why ? why : "not writable");
        if (r < 0 && why)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "folder: %s", why);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        ShareStatus st = {};
        r = share_status(m, &st);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        log_info("Sharing through %s", st.dir);
        r = sd_bus_reply_method_return(msg, "ss", st.dir, st.member_id);
        share_status_clear(&st);
        return r;
}

static int method_unshare(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = share_disable(m);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        if (r > 0)
                log_info("Sharing is off");
        return sd_bus_reply_method_return(msg, "b", r > 0);
}

static int append_share(sd_bus_message *reply, const ShareStatus *st) {
        char published[32] = "", received[32] = "";
        if (st->last_published > 0)
                (void) format_iso_local(st->last_published, published);
        if (st->last_received > 0)
                (void) format_iso_local(st->last_received, received);
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "enabled", "b", (int) st->enabled, "member_id", "s",
                                          st->member_id, "partner_present", "b", (int) st->partner_present);
        const struct {
                const char *key, *value;
        } texts[] = { { "dir", st->dir },
                      { "name", st->name },
                      { "partner_id", st->partner_id },
                      { "partner_name", st->partner_name },
                      { "last_published", published[0] ? published : NULL },
                      { "last_received", received[0] ? received : NULL } };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(texts); i++)
                if (texts[i].value)
                        r = sd_bus_message_append(reply, "{sv}", texts[i].key, "s", texts[i].value);
        if (r >= 0)
                r = bus_open_entry(reply, "problems", "as");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < st->n_problems; i++)
                r = sd_bus_message_append(reply, "s", st->problems[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = bus_close_entry(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_get_share(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ShareStatus st = {};
        int r = share_status(m, &st);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_share(reply, &st);
        share_status_clear(&st);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable bus_share_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Share", SD_BUS_ARGS("h", folder), SD_BUS_RESULT("s", path, "s", member_id),
                                method_share, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Unshare", SD_BUS_NO_ARGS, SD_BUS_RESULT("b", was_on), method_unshare,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetShare", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{sv}", share), method_get_share,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
