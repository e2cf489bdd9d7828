/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-partner.c: my partner's list: partner import/review/forget/discuss.
 * Each takes the command's arguments, its name words counted as one
 * (argv[0]).
 */

int verb_partner_import(int argc, char **argv);
int verb_partner_review(int argc, char **argv);
int verb_partner_forget(int argc, char **argv);
int verb_partner_discuss(int argc, char **argv);
