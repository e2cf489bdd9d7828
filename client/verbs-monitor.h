/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-monitor.c: closerd's signals as they arrive: monitor. Each takes the
 * command's arguments, its name words counted as one (argv[0]).
 */

int verb_monitor(int argc, char **argv);
