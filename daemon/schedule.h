/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * schedule.h: the daemon's clock. One absolute CLOCK_REALTIME timer for the
 * next due moment, no polling. Each due event is claimed in the database
 * before its signal goes out, so it is emitted exactly once, also across
 * restarts and backward clock jumps; a missed one is emitted late on the
 * next start or resume while it still applies (SPEC 4). A wall-clock jump
 * (a TFD_TIMER_CANCEL_ON_SET timerfd) and a time zone change (inotify on
 * /etc/localtime) make it recompute at once.
 */

#include "manager.h"

int schedule_start(Manager *m);
/* Emits what is due now (through manager_emit()) and arms the timer for
 * the next. The run queue calls it after any change (manager.h); nobody
 * else needs to. */
int schedule_run(Manager *m);
void schedule_stop(Manager *m);
