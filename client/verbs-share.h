/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-share.c: share [DIR] [--off]: the practice shared with my partner
 * through a synced folder. Takes the command's arguments, its name word
 * counted as one (argv[0]).
 */

int verb_share(int argc, char **argv);
