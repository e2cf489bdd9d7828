/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

/*
 * verbs-items.c: my list: list, list show/add/edit/rm/ideas/export. Each
 * takes the command's arguments, its name words counted as one (argv[0]).
 */

int verb_list(int argc, char **argv);
int verb_list_show(int argc, char **argv);
int verb_list_add(int argc, char **argv);
int verb_list_edit(int argc, char **argv);
int verb_list_rm(int argc, char **argv);
int verb_list_ideas(int argc, char **argv);
int verb_list_export(int argc, char **argv);

/* The fields of an item SPEC 6 always has, null when the daemon has none. */
extern const char *const ITEM_NULLS[];
/* A table of items (ListItems), with the review column for partner's. */
void print_items(json_object *items, bool partner);
