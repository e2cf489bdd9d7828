/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * helpers.h: what more than one family of closerctl's commands uses: the
 * colours, the arguments typed (IDs, dates, WHEN), files handed to the
 * daemon, discretion on a shared screen, and confirmation.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "output.h"

/* Colours on a terminal only (and not with NO_COLOR or --json). */
extern bool use_color;
const char *ansi(const char *code);
#define BOLD ansi("\033[1m")
#define DIM ansi("\033[2m")
#define RED ansi("\033[31m")
#define YELLOW ansi("\033[33m")
#define RESET ansi("\033[0m")

/* --- arguments --- */

/* A decimal number up to max, no sign, no blanks: -EINVAL or -ERANGE. */
int parse_uint(const char *s, uint64_t max, uint64_t *ret);
int parse_item_id(const char *s, uint64_t *ret);
/* An ID typed by the user: a usage error names the kind and where to look. */
int parse_id(const char *s, const char *kind, const char *see, uint64_t *ret);
bool all_digits(const char *s);
/* A date as the daemon takes it, checked here for the shape only: the
 * daemon says whether it is a real date. */
bool is_ymd(const char *s);
const char *plural(int64_t n, const char *one, const char *many);
/* WHEN may come in several words ("tomorrow 21:00" unquoted): joins them. */
char *join_words(int argc, char **argv);

/* A WHEN as closerd resolved it (ResolveWhen). */
typedef struct When {
        char *time;       /* ISO 8601 with offset, for people and JSON */
        char instant[32]; /* "@SECONDS": passed on to the method unchanged */
        bool next_week;
        char *gap;  /* the HH:MM asked for, when it did not exist that day */
} When;

void when_clear(When *w);
/* Asks closerd what TEXT means now; an error names LABEL, as the user typed it. */
int resolve_when(const char *label, const char *text, When *ret);
/* "Rain check 2: Sat 5 Dec 20:00 (next week: today's 20:00 has passed)",
 * and a line of its own when the time asked for does not exist. */
void print_resolved(const char *what, const When *w);
/* The JSON of a resolved WHEN, under key. */
void json_add_when(json_object *j, const char *key, const When *w);

/* --- files: they cross the bus as descriptors --- */

/* A file for the daemon to read: FILE, or "-" for stdin. */
int open_input(const char *path);
/* Calls METHOD(h) with a file for the daemon to write (see output.h): the
 * target is touched only after the daemon's reply succeeded. */
int call_with_output(const char *method, Output *out, sd_bus_message **reply);
void output_clearp(Output *o);

/* --- discretion: for a shared screen --- */

/* A setting's value (a copy), NULL when it cannot be read. */
char *setting_value(const char *key);
/* Whether private items show by their category and ID only. */
bool discreet(void);
/* partner.name, or "my partner" when unset (read once). */
const char *partner_name(void);
/* A private item of a reply, made discreet in place. */
void hide_private(json_object *it);
void hide_private_each(json_object *a);

/* Asks once on a terminal; elsewhere --yes must say it. */
int confirm(const char *question);
