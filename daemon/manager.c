/* SPDX-License-Identifier: MIT */

#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

static time_t (*clock_now)(void) = NULL;

time_t manager_now(void) {
        return clock_now ? clock_now() : time(NULL);
}

void manager_set_clock(time_t (*now)(void)) {
        clock_now = now;
}

static const char *const event_type_table[_EVENT_TYPE_MAX] = {
        [EVENT_DAILY_ACT] = "DailyAct",
        [EVENT_LAPSE] = "Lapse",
        [EVENT_PHASE_CHANGED] = "PhaseChanged",
        [EVENT_PROMISE_SOON] = "PromiseSoon",
        [EVENT_PROMISE_DUE] = "PromiseDue",
        [EVENT_PROMISE_OVERDUE] = "PromiseOverdue",
        [EVENT_DATENIGHT_SOON] = "DateNightSoon",
        [EVENT_DATENIGHT] = "DateNight",
        [EVENT_PARTNER_CHANGED] = "PartnerChanged",
        [EVENT_OVERRULED] = "Overruled",
};

const char *event_type_to_string(EventType t) {
        return t >= 0 && t < _EVENT_TYPE_MAX ? event_type_table[t] : NULL;
}

int manager_add_sink(Manager *m, EventSink fn, void *userdata) {
        if (!fn)
                return -EINVAL;
        if (m->n_sinks >= ELEMENTSOF(m->sinks))
                return -ENOSPC;
        m->sinks[m->n_sinks].fn = fn;
        m->sinks[m->n_sinks].userdata = userdata;
        m->n_sinks++;
        return 0;
}

void manager_emit(Manager *m, const Event *e) {
        log_debug("Event %s%s", event_type_to_string(e->type), e->late ? " (late)" : "");
        for (size_t i = 0; i < m->n_sinks; i++)
                m->sinks[i].fn(m, e, m->sinks[i].userdata);
}

void manager_run(Manager *m) {
        if (m->run_queue)
                (void) sd_event_source_set_enabled(m->run_queue, SD_EVENT_OFF);
        /* What the run writes itself (claims, the phase, the plan) is not a
         * reason to run again. */
        m->running = true;
        for (size_t i = 0; i < m->n_steps; i++)
                (void) m->steps[i](m);
        (void) m->run(m);
        m->running = false;
        manager_check_settled(m);
}

static int on_run_queue(sd_event_source *s, void *userdata) {
        manager_run(userdata);
        return 0;
}

void manager_check_settled(Manager *m) {
        if (!m->store)
                return; /* not closerd: a tool running a helper */
        /* The tests wait for this line: what a change leads to is done. */
        if (!manager_run_queued(m) && !m->ical_jobs)
                log_debug("Settled at generation %" PRIu64, store_generation(m->store));
}

/* Any write, by whichever source of change: a request, a notification's
 * action, a helper's result. */
static void on_store_changed(void *userdata) {
        Manager *m = userdata;
        if (!m->running)
                manager_queue_run(m);
}

int manager_setup_run_queue(Manager *m, int (*run)(Manager *m)) {
        int r;

        m->run = run;
        r = sd_event_add_defer(m->event, &m->run_queue, on_run_queue, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the run queue: %m");
        (void) sd_event_source_set_description(m->run_queue, "run-queue");
        r = sd_event_source_set_priority(m->run_queue, SD_EVENT_PRIORITY_IDLE);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the run queue: %m");
        r = sd_event_source_set_enabled(m->run_queue, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the run queue: %m");
        store_set_changed(m->store, on_store_changed, m);
        return 0;
}

int manager_add_run_step(Manager *m, int (*step)(Manager *m)) {
        if (m->n_steps >= ELEMENTSOF(m->steps))
                return -ENOBUFS;
        m->steps[m->n_steps++] = step;
        return 0;
}

bool manager_run_queued(Manager *m) {
        int enabled = SD_EVENT_OFF;
        return m->run_queue && sd_event_source_get_enabled(m->run_queue, &enabled) >= 0 && enabled != SD_EVENT_OFF;
}

void manager_queue_run(Manager *m) {
        /* Cheap when it is queued already: sd-event returns at once. */
        if (m->run_queue)
                (void) sd_event_source_set_enabled(m->run_queue, SD_EVENT_ONESHOT);
}

void manager_clear(Manager *m) {
        m->run_queue = sd_event_source_disable_unref(m->run_queue);
        m->bus = sd_bus_flush_close_unref(m->bus);
        m->event = sd_event_unref(m->event);
        store_free(m->store);
        m->store = NULL;
        free(m->practice);
        m->practice = NULL;
        free(m->ics_text);
        m->ics_text = NULL;
        free(m->data_dir);
        m->data_dir = NULL;
}

int manager_add_inotify(Manager *m, sd_event_io_handler_t handler, const char *description, int *ret_fd,
                        sd_event_source **ret_source) {
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = sd_event_add_io(m->event, ret_source, fd, EPOLLIN, handler, m);
        if (r < 0) {
                close(fd);
                return r;
        }
        (void) sd_event_source_set_description(*ret_source, description);
        *ret_fd = fd;
        return 0;
}
