/* SPDX-License-Identifier: MIT */
/*
 * bus-signals.c: the event sink that turns the core's events (manager.h)
 * into the signals of the interface.
 */

#include "bus.h"
#include "log.h"
#include "timeutil.h"

static void emit_daily_act(Manager *m, const Event *e) {
        const Act *a = e->daily.act;
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "DailyAct", "stssbb", e->daily.date,
                                   (uint64_t) a->item_id, a->title ? a->title : "",
                                   a->category >= 0 ? category_to_string(a->category) : "", (int) a->private_,
                                   (int) e->late);
        if (r < 0)
                log_warning_errno(r, "Failed to emit DailyAct: %m");
        else
                log_info("Daily act of %s is due%s (item %" PRIi64 ")", e->daily.date, e->late ? ", late" : "",
                         a->item_id);
}

static void emit_lapse(Manager *m, const Event *e) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "Lapse", "su", e->lapse.since,
                                   e->lapse.days);
        if (r < 0)
                log_warning_errno(r, "Failed to emit Lapse: %m");
        else
                log_info("Lapse: nothing done since %s", e->lapse.since);
}

static void emit_phase_changed(Manager *m, const Event *e) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "PhaseChanged", "ss",
                                   phase_to_string(e->phase.old), phase_to_string(e->phase.new));
        if (r < 0)
                log_warning_errno(r, "Failed to emit PhaseChanged: %m");
}

static void emit_promise(Manager *m, const Event *e) {
        const Promise *p = e->promise.promise;
        const char *member = event_type_to_string(e->type);
        char due[32];
        (void) format_iso_local(p->due, due);
        int r = e->type == EVENT_PROMISE_DUE
                        ? sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tsssb",
                                             (uint64_t) p->id, due, p->what ? p->what : "",
                                             p->where ? p->where : "", (int) e->late)
                        : sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tsss",
                                             (uint64_t) p->id, due, p->what ? p->what : "",
                                             p->where ? p->where : "");
        if (r < 0)
                log_warning_errno(r, "Failed to emit %s: %m", member);
        else
                log_info("Rain check %" PRIi64 ": %s%s", p->id, member, e->late ? ", late" : "");
}

static void emit_datenight(Manager *m, const Event *e) {
        const DateNight *d = e->datenight.night;
        const char *member = event_type_to_string(e->type);
        char start[32];
        (void) format_iso_local(d->night.start, start);
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, member, "tssb",
                                   (uint64_t) d->night.id, start, dn_mode_to_string(d->night.mode), (int) e->late);
        if (r < 0)
                log_warning_errno(r, "Failed to emit %s: %m", member);
        else
                log_info("Date night %" PRIi64 ": %s%s", d->night.id, member, e->late ? ", late" : "");
}

static void emit_partner_changed(Manager *m, const Event *e) {
        int r = sd_bus_emit_signal(m->bus, CLOSER_OBJECT_PATH, CLOSER_INTERFACE, "PartnerChanged", "ss",
                                   e->partner.what, e->partner.summary);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PartnerChanged: %m");
        else
                log_info("Partner changed: %s", e->partner.what);
        if (streq(e->partner.what, "list"))
                bus_lists_changed(m);
}

void bus_event_sink(Manager *m, const Event *e, void *userdata) {
        switch (e->type) {
        case EVENT_DAILY_ACT:
                emit_daily_act(m, e);
                break;
        case EVENT_LAPSE:
                emit_lapse(m, e);
                break;
        case EVENT_PHASE_CHANGED:
                emit_phase_changed(m, e);
                break;
        case EVENT_PROMISE_SOON:
        case EVENT_PROMISE_DUE:
                emit_promise(m, e);
                break;
        case EVENT_DATENIGHT_SOON:
        case EVENT_DATENIGHT:
                emit_datenight(m, e);
                break;
        case EVENT_PARTNER_CHANGED:
                emit_partner_changed(m, e);
                break;
        case EVENT_PROMISE_OVERDUE: /* a reminder for the person, no signal */
        case EVENT_OVERRULED:       /* a status warning and a notification */
        case _EVENT_TYPE_MAX:
                break;
        }
}

const sd_bus_vtable bus_signals_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_SIGNAL_WITH_ARGS("DailyAct",
                                SD_BUS_ARGS("s", date, "t", item, "s", title, "s", category, "b", private, "b", late),
                                0),
        SD_BUS_SIGNAL_WITH_ARGS("Lapse", SD_BUS_ARGS("s", since, "u", days), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PhaseChanged", SD_BUS_ARGS("s", old, "s", new), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PartnerChanged", SD_BUS_ARGS("s", what, "s", summary), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PromiseSoon", SD_BUS_ARGS("t", id, "s", due, "s", what, "s", where), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PromiseDue", SD_BUS_ARGS("t", id, "s", due, "s", what, "s", where, "b", late), 0),
        SD_BUS_SIGNAL_WITH_ARGS("DateNightSoon", SD_BUS_ARGS("t", id, "s", start, "s", mode, "b", late), 0),
        SD_BUS_SIGNAL_WITH_ARGS("DateNight", SD_BUS_ARGS("t", id, "s", start, "s", mode, "b", late), 0),
        SD_BUS_VTABLE_END,
};
