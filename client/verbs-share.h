/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-share.c: share [DIR] [--off]: the practice shared with my partner
 * through a synced folder; partner follow [DIR] [--off]: my partner's list
 * read from a folder of tasks. Takes the command's arguments, its name word
 * counted as one (argv[0]).
 */

int verb_share(int argc, char **argv);
int verb_partner_follow(int argc, char **argv);
