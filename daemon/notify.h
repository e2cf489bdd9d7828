/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * notify.h: desktop notifications through org.freedesktop.Notifications on
 * the session bus (GNOME Shell, KDE, dunst, mako, notify-send's server).
 * Discreet by default (SPEC 8): a private item's text only with
 * notify.reveal on; nothing explicit about a date night or a rain check,
 * ever. Where the server has "actions", the daily act offers Done and
 * Another and a rain check offers Kept; an invoked action goes through the
 * same core functions as closerctl. Only our own notifications' signals are
 * acted on. Without a server the daemon notes it once (debug) and carries
 * on: the D-Bus signals are the machine interface either way.
 */

#include "manager.h"
#include "store.h"

int notify_setup(Manager *m);
void notify_free(Manager *m);

/* The event sink of the notifications: closerd.c adds it
 * (manager_add_sink()). */
void notify_event_sink(Manager *m, const Event *e, void *userdata);
