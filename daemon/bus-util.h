/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus-util.h: what the parts of the D-Bus API (bus-*.c) share, inside the
 * bus layer only: the errors, the reply of a core failure, readers of
 * arguments (bus-dict.c: an a{sv} read through a table) and builders of
 * replies.
 */

#include <systemd/sd-bus.h>

#include "mylist.h"
#include "manager.h"
#include "partner.h"
#include "today.h"

#define ERROR_NO_SUCH_ITEM "io.github.closer.Error.NoSuchItem"
#define ERROR_NOT_PERMITTED "io.github.closer.Error.NotPermitted"
#define ERROR_LIMIT "io.github.closer.Error.LimitExceeded"
#define ERROR_STORAGE "io.github.closer.Error.StorageFailed"
#define ERROR_BAD_FILE "io.github.closer.Error.BadFile"
#define ERROR_NO_ACT "io.github.closer.Error.NoAct"
#define ERROR_CALENDAR "io.github.closer.Error.CalendarFailed"

/* Each part's methods (and the signals, in bus-signals.c). */
extern const sd_bus_vtable bus_properties_vtable[];
extern const sd_bus_vtable bus_items_vtable[];
extern const sd_bus_vtable bus_status_vtable[];
extern const sd_bus_vtable bus_partner_vtable[];
extern const sd_bus_vtable bus_practice_vtable[];
extern const sd_bus_vtable bus_signals_vtable[];
extern const sd_bus_vtable bus_promise_vtable[];
extern const sd_bus_vtable bus_datenight_vtable[];
extern const sd_bus_vtable bus_stats_vtable[];
extern const sd_bus_vtable bus_share_vtable[];

/* A failure of the core (r < 0) as the D-Bus error a client can act on,
 * always with a message: what, or the error's own words when what is
 * empty. */
int bus_reply_failure(Manager *m, int r, const char *what, sd_bus_error *error);
/* InvalidArgs: "FIELD REASON". */
int bus_invalid(sd_bus_error *error, const char *field, const char *reason);
/* Any integer type in a variant, so callers in any language work. */
int bus_read_integer(sd_bus_message *msg, int64_t *ret);
/* An item ID argument (t), checked. */
int bus_read_item_id(sd_bus_message *msg, int64_t *ret, sd_bus_error *error);
/* A time as closerctl and SPEC 4 write it ("sat 20:00", "@SECONDS"). */
int bus_read_when(const char *field, const char *text, time_t now, time_t *ret, sd_bus_error *error);
/* Client descriptors: a whole file of at most max bytes, or a text. */
int bus_read_fd(int fd, size_t max, char **ret, size_t *ret_len, sd_bus_error *error);
int bus_write_fd(int fd, const char *text, sd_bus_error *error);

/* A call answered once its iCalendar job is done (icaljob.h): the message
 * (which keeps the client's descriptor open) and what the reply needs. */
typedef struct Deferred {
        sd_bus_message *msg;
        int fd;              /* ExportList, ExportCalendar: the client's file */
        ImportOptions opts;  /* ImportPartnerList */
        int64_t revision;    /* ExportList: of my list, as exported */
        uint32_t n_exported; /* ExportList: the items in the file */
} Deferred;

Deferred *bus_deferred_new(sd_bus_message *msg, int fd);
void bus_deferred_free(Deferred *d);
/* Sends the error reply for r and error, as sd-bus does for a handler's
 * return (a reply, when one was sent, came with r >= 0), and frees d. */
void bus_deferred_end(Deferred *d, int r, sd_bus_error *error);

/* Building replies: an {sv} entry of type in an a{sv}, and an aa{sv}. */
int bus_open_entry(sd_bus_message *m, const char *key, const char *type);
int bus_close_entry(sd_bus_message *m);
int bus_open_records(sd_bus_message *m, const char *key);
int bus_close_records(sd_bus_message *m);
/* Replies with an aa{sv}: append() each of the n items of size bytes. */
int bus_reply_dicts(sd_bus_message *msg, const void *items, size_t n, size_t size,
                    int (*append)(sd_bus_message *reply, const void *item));
int bus_append_item(sd_bus_message *reply, const Item *it, Side side, const ItemUsage *use);
int bus_append_act(sd_bus_message *reply, const Act *a);
int bus_append_promise(sd_bus_message *reply, const Promise *p, time_t now);
int bus_append_datenight(sd_bus_message *reply, const DateNight *d);
