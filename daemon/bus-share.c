/* SPDX-License-Identifier: MIT */
/*
 * bus-share.c: sharing with my partner through a synced folder: Share,
 * Unshare, GetShare (share.h); my partner's list followed in a folder of
 * tasks: FollowPartnerList, UnfollowPartnerList (follow.h), its state in
 * GetShare.
 */

#include <fcntl.h>

#include "bus-util.h"
#include "bus.h"
#include "follow.h"
#include "log.h"
#include "share.h"
#include "timeutil.h"

/* The folder comes as a descriptor (SPEC 5: files cross the bus as
 * descriptors), opened by the client with its own rights. */
/* A folder's descriptor, handed to enable(): its refusals in words. */
static int folder_call(sd_bus_message *msg, Manager *m, int (*enable)(Manager *, int, char **),
                       sd_bus_error *error) {
        _cleanup_free_ char *why = NULL;
        int fd = -1;
        int r = sd_bus_message_read(msg, "h", &fd);
        if (r < 0)
                return r;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "folder: not an open descriptor");
        r = enable(m, fd, &why);
        if (r == -EACCES)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "%s", why ? why : "not writable");
        if (r == -EBUSY && why)
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "%s", why);
        if (r < 0 && why)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "folder: %s", why);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return 0;
}

static int method_share(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = folder_call(msg, m, share_enable, error);
        if (r < 0)
                return r;
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

/* The reply waits for the first reading: the list is in place when the
 * client hears back. */
static void follow_read(Manager *m, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = userdata;
        _cleanup_(follow_status_clear) FollowStatus st = {};
        int r = follow_status(m, &st);
        if (r >= 0)
                r = sd_bus_reply_method_return(msg, "s", st.dir ? st.dir : "");
        else
                r = sd_bus_reply_method_errno(msg, r, NULL);
        if (r < 0)
                log_debug_errno(r, "Cannot answer FollowPartnerList: %m");
}

static int follow_enable_waiting(Manager *m, int fd, char **why) {
        sd_bus_message *msg = sd_bus_get_current_message(m->bus);
        int r = follow_enable(m, fd, why, follow_read, sd_bus_message_ref(msg));
        if (r < 0)
                sd_bus_message_unref(msg);
        return r;
}

static int method_follow(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = folder_call(msg, m, follow_enable_waiting, error);
        if (r < 0)
                return r;
        log_info("Following my partner's list");
        return 1;
}

static int method_unfollow(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = follow_disable(m);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        if (r > 0)
                log_info("Following my partner's list is off");
        return sd_bus_reply_method_return(msg, "b", r > 0);
}

static int append_strings(sd_bus_message *reply, const char *key, char **lines, size_t n) {
        int r = bus_open_entry(reply, key, "as");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "s", lines[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r >= 0 ? bus_close_entry(reply) : r;
}

/* following (b), follow_dir, follow_last_read (s), follow_tasks (u),
 * follow_problems (as). */
static int append_follow(sd_bus_message *reply, const FollowStatus *st) {
        char read[32] = "";
        if (st->last_read > 0)
                (void) format_iso_local(st->last_read, read);
        int r = sd_bus_message_append(reply, "{sv}{sv}", "following", "b", (int) st->enabled, "follow_tasks", "u",
                                      st->tasks);
        if (r >= 0 && st->dir)
                r = sd_bus_message_append(reply, "{sv}", "follow_dir", "s", st->dir);
        if (r >= 0 && read[0])
                r = sd_bus_message_append(reply, "{sv}", "follow_last_read", "s", read);
        return r >= 0 ? append_strings(reply, "follow_problems", st->problems, st->n_problems) : r;
}

static int append_share(sd_bus_message *reply, const ShareStatus *st) {
        char published[32] = "", received[32] = "";
        if (st->last_published > 0)
                (void) format_iso_local(st->last_published, published);
        if (st->last_received > 0)
                (void) format_iso_local(st->last_received, received);
        int r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "enabled", "b", (int) st->enabled, "member_id", "s",
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
                r = append_strings(reply, "problems", st->problems, st->n_problems);
        return r;
}

static int method_get_share(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(follow_status_clear) FollowStatus fs = {};
        ShareStatus st = {};
        int r = share_status(m, &st);
        if (r >= 0)
                r = follow_status(m, &fs);
        if (r < 0) {
                share_status_clear(&st);
                return bus_reply_failure(m, r, "", error);
        }
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = append_share(reply, &st);
        if (r >= 0)
                r = append_follow(reply, &fs);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
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
        SD_BUS_METHOD_WITH_ARGS("FollowPartnerList", SD_BUS_ARGS("h", folder), SD_BUS_RESULT("s", path),
                                method_follow, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnfollowPartnerList", SD_BUS_NO_ARGS, SD_BUS_RESULT("b", was_on), method_unfollow,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetShare", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{sv}", share), method_get_share,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
