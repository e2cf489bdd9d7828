/* SPDX-License-Identifier: MIT */
/*
 * bus.c: what every part of the D-Bus API shares (errors, replies of a
 * failure, descriptors, the properties) and bus_setup(), which exports the
 * parts' vtables on the one object and interface.
 */

#include "bus-util.h"
#include "bus.h"
#include "echo.h"
#include "icaljob.h"
#include "log.h"
#include "when.h"

static const sd_bus_error_map closer_errors[] = {
        SD_BUS_ERROR_MAP(ERROR_NO_SUCH_ITEM, ENOENT),
        SD_BUS_ERROR_MAP(ERROR_NOT_PERMITTED, EPERM),
        SD_BUS_ERROR_MAP(ERROR_LIMIT, E2BIG),
        SD_BUS_ERROR_MAP(ERROR_STORAGE, EIO),
        SD_BUS_ERROR_MAP(ERROR_BAD_FILE, EBADMSG),
        SD_BUS_ERROR_MAP(ERROR_NO_ACT, ENOMEDIUM),
        SD_BUS_ERROR_MAP_END,
};

/* A failure of the core as the D-Bus error a client can act on. The store's
 * own words are logged once here: they never contain item text. */
int bus_reply_failure(Manager *m, int r, const char *what, sd_bus_error *error) {
        if (icaljob_failed(r))
                /* icaljob.c logged the details. */
                return sd_bus_error_setf(error, ERROR_CALENDAR, "closerd cannot %s: %s; nothing was changed",
                                         "read or write iCalendar files",
                                         r == -ENOPKG      ? "its helper closerd-ical is missing or does not match "
                                                             "(reinstall closer)"
                                         : r == -ECHILD    ? "the iCalendar helper process died"
                                         : r == -ECANCELED ? "closerd is stopping"
                                                           : "the iCalendar helper process took too long");
        /* A reply without words helps nobody: the error's own, then. */
        bool said = what && what[0];
        switch (r) {
        case -ENOENT:
                return sd_bus_error_setf(error, ERROR_NO_SUCH_ITEM, "%s", said ? what : "no such thing");
        case -EPERM:
                return sd_bus_error_setf(error, ERROR_NOT_PERMITTED, "%s", said ? what : "not permitted");
        case -E2BIG:
                return sd_bus_error_setf(error, ERROR_LIMIT, "%s", said ? what : "past a limit of closerd");
        case -ENOMEM:
                return r;
        default:
                log_error_errno(r, "Failed to use the database: %s", store_last_error(m->store));
                return sd_bus_error_setf(error, ERROR_STORAGE, "closerd cannot use its database: %s",
                                         r == -ENOSPC  ? "the disk is full"
                                         : r == -EROFS ? "the data directory is read-only"
                                         : r == -EBADMSG ? "the database is damaged"
                                         : r == -EBUSY   ? "the database is locked"
                                         : r == -EEXIST  ? "the database refused it"
                                                         : strerror(-r));
        }
}

int bus_invalid(sd_bus_error *error, const char *field, const char *reason) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s %s", field, reason);
}

/* Reads any integer type from a variant, so callers in any language work. */
int bus_read_integer(sd_bus_message *msg, int64_t *ret) {
        char type;
        const char *contents;
        int r = sd_bus_message_peek_type(msg, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT || !contents || strlen(contents) != 1)
                return -EINVAL;
        union {
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
        } v;
        r = sd_bus_message_enter_container(msg, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        switch (contents[0]) {
        case 'y': r = sd_bus_message_read_basic(msg, 'y', &v.y); *ret = v.y; break;
        case 'n': r = sd_bus_message_read_basic(msg, 'n', &v.n); *ret = v.n; break;
        case 'q': r = sd_bus_message_read_basic(msg, 'q', &v.q); *ret = v.q; break;
        case 'i': r = sd_bus_message_read_basic(msg, 'i', &v.i); *ret = v.i; break;
        case 'u': r = sd_bus_message_read_basic(msg, 'u', &v.u); *ret = v.u; break;
        case 'x': r = sd_bus_message_read_basic(msg, 'x', &v.x); *ret = v.x; break;
        case 't':
                r = sd_bus_message_read_basic(msg, 't', &v.t);
                *ret = v.t > INT64_MAX ? INT64_MAX : (int64_t) v.t;
                break;
        default: r = -EINVAL;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* Opens "key": v(TYPE) in an a{sv} being built; close with bus_close_entry. */
int bus_open_entry(sd_bus_message *m, const char *key, const char *type) {
        int r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', type);
        return r;
}

int bus_close_entry(sd_bus_message *m) {
        int r = sd_bus_message_close_container(m);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* A list of records (aa{sv}) under key in the a{sv} being built. */
int bus_open_records(sd_bus_message *m, const char *key) {
        int r = bus_open_entry(m, key, "aa{sv}");
        return r < 0 ? r : sd_bus_message_open_container(m, 'a', "a{sv}");
}

int bus_close_records(sd_bus_message *m) {
        int r = sd_bus_message_close_container(m);
        return r < 0 ? r : bus_close_entry(m);
}

/* --- files: they cross the bus as descriptors, never as paths --- */

/* Reads a whole regular file (or memfd) from a client's descriptor, at most
 * max bytes. pread: the client's file offset is left alone. */
int bus_read_fd(int fd, size_t max, char **ret, size_t *ret_len, sd_bus_error *error) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "file must be a regular file (send other input as a memfd)");
        if ((uint64_t) st.st_size > max)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "file is larger than %zu KiB", max / 1024);
        _cleanup_free_ char *buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        for (;;) {
                ssize_t k = pread(fd, buf + len, max + 1 - len, (off_t) len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot read the file: %s",
                                                 strerror(errno));
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > max)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "file is larger than %zu KiB",
                                                 max / 1024);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* Writes text into a client's regular file (or memfd), from offset 0. */
int bus_write_fd(int fd, const char *text, sd_bus_error *error) {
        struct stat st;
        size_t len = strlen(text), done = 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "file must be a regular file (use a memfd for a pipe)");
        while (done < len) {
                ssize_t k = pwrite(fd, text + done, len - done, (off_t) done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot write the file: %s",
                                                 strerror(errno));
                done += (size_t) k;
        }
        if (ftruncate(fd, (off_t) len) < 0 && errno != EINVAL)
                return sd_bus_error_setf(error, ERROR_BAD_FILE, "cannot write the file: %s", strerror(errno));
        return 0;
}

Deferred *bus_deferred_new(sd_bus_message *msg, int fd) {
        Deferred *d = calloc(1, sizeof(*d));
        if (d)
                *d = (Deferred){ .msg = sd_bus_message_ref(msg), .fd = fd };
        return d;
}

void bus_deferred_free(Deferred *d) {
        sd_bus_message_unref(d->msg);
        free(d);
}

void bus_deferred_end(Deferred *d, int r, sd_bus_error *error) {
        if (r < 0)
                (void) sd_bus_reply_method_errno(d->msg, r, error);
        sd_bus_error_free(error);
        bus_deferred_free(d);
}

/* --- rain checks and initiations --- */

int bus_read_when(const char *field, const char *text, time_t now, time_t *ret, sd_bus_error *error) {
        const char *reason = NULL;
        int r = when_parse(text, now, ret, &reason);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s '%.*s%s' %s", field, ECHO(text),
                                         reason ? reason : "is not a time");
        return 0;
}

/* Replies with an aa{sv}: append() each of the n items of size bytes. */
int bus_reply_dicts(sd_bus_message *msg, const void *items, size_t n, size_t size,
                       int (*append)(sd_bus_message *reply, const void *item)) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append(reply, (const char *) items + i * size);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int bus_read_item_id(sd_bus_message *msg, int64_t *ret, sd_bus_error *error) {
        uint64_t id;
        int r = sd_bus_message_read(msg, "t", &id);
        if (r < 0)
                return r;
        if (id == 0 || id > INT64_MAX)
                return bus_invalid(error, "id", "must be a positive item ID");
        *ret = (int64_t) id;
        return 0;
}

static int property_get_count(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        Manager *m = userdata;
        int64_t n = 0;
        int r = store_item_count(m->store, streq(property, "MyItems") ? SIDE_MINE : SIDE_PARTNER, &n);
        if (r < 0)
                return bus_reply_failure(m, r, "", error);
        return sd_bus_message_append(reply, "u", (uint32_t) n);
}

void bus_lists_changed(Manager *m) {
        int r = sd_bus_emit_properties_changed(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "MyItems",
                                               "PartnerItems", NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged: %m");
}

const sd_bus_vtable bus_properties_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MyItems", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PartnerItems", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

/* The parts of the interface, in the order of its introspection. */
static const sd_bus_vtable *const vtables[] = {
        bus_properties_vtable, bus_items_vtable,   bus_status_vtable,    bus_partner_vtable, bus_practice_vtable,
        bus_signals_vtable,    bus_promise_vtable, bus_datenight_vtable, bus_stats_vtable,   bus_share_vtable,
};

int bus_setup(Manager *m) {
        int r;

        r = sd_bus_error_add_map(closer_errors);
        if (r < 0)
                return log_error_errno(r, "Failed to add the error map: %m");
        /* One object, one interface, a vtable per area (as systemd's
         * dbus-*.c do): sd-bus merges them into one interface. */
        for (size_t i = 0; i < ELEMENTSOF(vtables); i++) {
                r = sd_bus_add_object_vtable(m->bus, NULL, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, vtables[i], m);
                if (r < 0)
                        return log_error_errno(r, "Failed to export the object: %m");
        }
        return 0;
}
