/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * args.h: the command line as parsed. Each option is a bit (what a
 * command takes, in the verb table of closerctl.c) and a field of arg (its
 * value); the one table of options in closerctl.c ties name, bit and field.
 */

#include <stdbool.h>
#include <stdint.h>

/* Options, shared by all commands; each command says which it takes. */
enum {
        OPT_JSON = 1 << 0,
        OPT_CATEGORY = 1 << 1,
        OPT_INTENSITY = 1 << 2,
        OPT_PRIVATE = 1 << 3,
        OPT_DETAILS = 1 << 4,
        OPT_TITLE = 1 << 5,
        OPT_DISCREET = 1 << 6,
        OPT_FROM = 1 << 7,
        OPT_IDEA = 1 << 8,
        OPT_NOTE = 1 << 9,
        OPT_RESPONSE = 1 << 10,
        OPT_MOOD = 1 << 11,
        OPT_UNTIL = 1 << 12,
        OPT_BY = 1 << 13,
        OPT_RAINCHECK = 1 << 14,
        OPT_WHAT = 1 << 15,
        OPT_WHERE = 1 << 16,
        OPT_BY_PARTNER = 1 << 17,
        OPT_ALL = 1 << 18,
        OPT_WEEKDAY = 1 << 19,
        OPT_TIME = 1 << 20,
        OPT_VARY = 1 << 21,
        OPT_WEEKDAYS = 1 << 22,
        OPT_DURATION = 1 << 23,
        OPT_WEEKS = 1 << 24,
        OPT_REPLACE = 1 << 25,
        OPT_OWED_BY = 1 << 26,
        OPT_SINCE = 1 << 30,
        OPT_ITEM = 1u << 31,
};
/* Past the 32 bits of an enum. */
#define OPT_YES (UINT64_C(1) << 32)
#define OPT_OFF (UINT64_C(1) << 33)
#define OPT_VDIRSYNCER (UINT64_C(1) << 34)

/* The item fields of list add and list edit. */
#define ITEM_OPTS (OPT_CATEGORY | OPT_INTENSITY | OPT_PRIVATE | OPT_DETAILS)

/* The options' values: NULL or 0 when not given. */
typedef struct Args {
        int json;
        int help;
        const char *category;
        const char *intensity;
        int private;  /* -1 unset, 0 --public, 1 --private */
        const char *details;
        const char *title;
        int discreet; /* -1 unset: the setting "discreet" decides */
        const char *from;
        const char *idea;
        const char *note;
        const char *response;
        const char *mood;
        const char *until;
        const char *by;
        const char *raincheck;
        const char *what;
        const char *where;
        int by_partner;
        int all;
        const char *weekday;
        const char *time;
        int vary;
        const char *weekdays;
        const char *duration;
        const char *weeks;
        int replace;
        int yes;
        int off;
        int vdirsyncer;
        const char *owed_by;
        const char *since;
        const char *item;
        uint64_t given; /* the OPT_* bits of the options given */
} Args;

extern Args arg;
