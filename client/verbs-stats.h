/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-stats.c: what was recorded: history and stats. Each takes the
 * command's arguments, its name words counted as one (argv[0]).
 */

int verb_history(int argc, char **argv);
int verb_stats(int argc, char **argv);
