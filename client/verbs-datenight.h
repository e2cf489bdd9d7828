/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-datenight.c: date nights and time apart: datenight ..., away ...,
 * export-ics. Each takes the command's arguments, its name words counted
 * as one (argv[0]).
 */

int verb_datenight(int argc, char **argv);
int verb_datenight_set(int argc, char **argv);
int verb_datenight_move(int argc, char **argv);
int verb_datenight_skip(int argc, char **argv);
int verb_datenight_unskip(int argc, char **argv);
int verb_datenight_log(int argc, char **argv);
int verb_away(int argc, char **argv);
int verb_away_cancel(int argc, char **argv);
int verb_export_ics(int argc, char **argv);
