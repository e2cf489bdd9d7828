/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus.h: the public D-Bus API (dbus/io.github.closer.Closer1.xml). Handlers
 * (bus-*.c, one file per area) read their arguments, validate them
 * (InvalidArgs naming the bad field), call the core, and reply; a failure of
 * the core becomes a D-Bus error with a message, never a crash and never
 * half a change. The signals come from the core's events (bus-signals.c).
 */

#include "manager.h"
#include "store.h"

int bus_setup(Manager *m);
/* PropertiesChanged for the list sizes, after a change of either list. */
void bus_lists_changed(Manager *m);

/* The event sink of the signals: closerd.c adds it (manager_add_sink()). */
void bus_event_sink(Manager *m, const Event *e, void *userdata);
