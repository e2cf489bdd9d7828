/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bus.h: the public D-Bus API (dbus/io.github.closer.Closer1.xml). Handlers
 * read their arguments, validate them (InvalidArgs naming the bad field),
 * call the core, and reply; a failure of the core becomes a D-Bus error,
 * never a crash and never half a change.
 */

#include "manager.h"

int bus_setup(Manager *m);
/* PropertiesChanged for the list sizes, after a change of either list. */
void bus_lists_changed(Manager *m);
