/* SPDX-License-Identifier: MIT */
#pragma once

/* verbs-calendar.c: calendar [--vdirsyncer]: the calendar closerd keeps on disk. */

int verb_calendar(int argc, char **argv);
