/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * manager.h: the daemon's one context: the event loop, the bus, the store.
 * The bus layer (bus.c) reads and validates, the core (core.c) decides and
 * calls the store, the store persists.
 */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "store.h"

#define CLOSER_BUS_NAME "io.github.closer.Closer1"
#define CLOSER_OBJECT_PATH "/io/github/closer/Closer1"
#define CLOSER_INTERFACE "io.github.closer.Closer1"

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *vtable_slot;
        Store *store;
        char *data_dir;
        const char *version; /* the Version property */
} Manager;

/* "now" for the core: one place, so tests under faketime see one clock. */
time_t manager_now(void);
