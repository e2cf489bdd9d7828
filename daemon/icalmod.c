/* SPDX-License-Identifier: MIT */
/*
 * icalmod.c: the entry of closerd-ical.so, the module that holds every use
 * of libical (see icalproc.h). Only a child of closerd loads it.
 */
#include "icalproc.h"

__attribute__((visibility("default"))) const IcalModule closer_ical_module = {
        .abi = ICALPROC_ABI,
        .size_item = sizeof(Item),
        .size_event = sizeof(IcsEvent),
        .size_listfile = sizeof(ListFile),
        .ics_write = ics_write,
        .listfile_write = listfile_write,
        .listfile_parse = listfile_parse,
};
