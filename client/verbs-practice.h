/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * verbs-practice.c: the daily practice and its settings: status, today,
 * done, reroll, extra, mood, pause, resume, ramp restart, set, get. Each
 * takes the command's arguments, its name words counted as one (argv[0]).
 */

int verb_status(int argc, char **argv);
int verb_ramp_restart(int argc, char **argv);
int verb_set(int argc, char **argv);
int verb_get(int argc, char **argv);
int verb_today(int argc, char **argv);
int verb_done(int argc, char **argv);
int verb_reroll(int argc, char **argv);
int verb_extra(int argc, char **argv);
int verb_mood(int argc, char **argv);
int verb_pause(int argc, char **argv);
int verb_resume(int argc, char **argv);
