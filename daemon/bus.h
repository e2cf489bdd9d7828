/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus.h: the public D-Bus API (dbus/io.github.closer.Closer1.xml). Handlers
 * read their arguments, validate them (InvalidArgs naming the bad field),
 * call the core, and reply; a failure of the core becomes a D-Bus error,
 * never a crash and never half a change.
 */

#include "manager.h"
#include "store.h"

int bus_setup(Manager *m);
/* PropertiesChanged for the list sizes, after a change of either list. */
void bus_lists_changed(Manager *m);

/* The signals of the schedule (dbus/io.github.closer.Closer1.xml). */
void bus_emit_daily_act(Manager *m, const char *date, const Act *act, bool late);
void bus_emit_lapse(Manager *m, const char *since, uint32_t days);
void bus_emit_phase_changed(Manager *m, const char *old, const char *new);
void bus_emit_promise_soon(Manager *m, const Promise *p);
void bus_emit_promise_due(Manager *m, const Promise *p, bool late);
void bus_emit_datenight(Manager *m, const char *member, const DateNight *d, bool late);
