/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-promise.c: initiations and rain checks: advance, raincheck, promise
 * .... Each takes the command's arguments, its name words counted as one
 * (argv[0]).
 */

int verb_advance(int argc, char **argv);
int verb_raincheck(int argc, char **argv);
int verb_promise(int argc, char **argv);
int verb_promise_resolve(int argc, char **argv);
int verb_promise_move(int argc, char **argv);
