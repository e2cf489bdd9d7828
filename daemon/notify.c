/* SPDX-License-Identifier: MIT */

#include "daily.h"
#include "log.h"
#include "notify.h"
#include "promise.h"
#include "settings.h"
#include "timeutil.h"

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"

/* What a notification we sent is about, to route its actions. */
typedef enum NoteKind { NOTE_OTHER, NOTE_DAILY, NOTE_PROMISE } NoteKind;

typedef struct Note {
        uint32_t id;      /* the server's ID; 0 while the reply is pending */
        NoteKind kind;
        int64_t ref;      /* the promise's ID */
        char summary[64];
        char body[512];
        bool actions;     /* offer the actions of its kind */
        Manager *m;
} Note;

static bool setting_on(Manager *m, const char *key) {
        bool on = setting_is_on(setting_default(key));
        (void) settings_get_bool(m->store, key, on, &on);
        return on;
}

static void no_server(Manager *m, const sd_bus_error *e, int r) {
        /* Once: a desktop without a notification server is no error. */
        if (!m->notify_missing_logged)
                log_debug("No desktop notifications: %s", e && e->message ? e->message : strerror(-r));
        m->notify_missing_logged = true;
}

static void note_remember(Manager *m, uint32_t id, NoteKind kind, int64_t ref, const char *sender) {
        /* A small ring: old notifications' actions are long gone. */
        size_t i = m->notes_next++ % ELEMENTSOF(m->notes);
        m->notes[i] = (NoteRef){ .id = id, .kind = (int) kind, .ref = ref };
        (void) snprintf(m->notes[i].sender, sizeof(m->notes[i].sender), "%s", sender ? sender : "");
}

/* Each pending call owns its Note through its slot: freed when the slot
 * goes, also when the daemon exits with the call still pending. */
static int call_floating(Manager *m, sd_bus_message *call, sd_bus_message_handler_t handler, Note *n) {
        sd_bus_slot *slot = NULL;
        int r = sd_bus_call_async(m->bus, &slot, call, handler, n, 0);
        if (r < 0) {
                free(n);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        (void) sd_bus_slot_set_floating(slot, 1);
        sd_bus_slot_unref(slot);
        return 0;
}

static int on_notify_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Note *n = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uint32_t id;
        if (e)
                no_server(n->m, e, 0);
        else if (sd_bus_message_read(reply, "u", &id) >= 0) {
                n->m->notify_missing_logged = false;
                note_remember(n->m, id, n->kind, n->ref, sd_bus_message_get_sender(reply));
        }
        return 0;
}

static int send_notify(Note *n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        Manager *m = n->m;
        int r = sd_bus_message_new_method_call(m->bus, &call, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME, "Notify");
        if (r >= 0)
                r = sd_bus_message_append(call, "susss", "closer", (uint32_t) 0, "", n->summary, n->body);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "s");
        if (r >= 0 && n->actions && n->kind == NOTE_DAILY)
                r = sd_bus_message_append(call, "ssss", "done", "Done", "reroll", "Another");
        if (r >= 0 && n->actions && n->kind == NOTE_PROMISE)
                r = sd_bus_message_append(call, "ss", "kept", "Kept");
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_message_append(call, "a{sv}i", 1, "urgency", "y", (uint8_t) 1, (int32_t) -1);
        if (r < 0) {
                free(n);
                return r;
        }
        r = call_floating(m, call, on_notify_reply, n);
        if (r < 0)
                no_server(m, NULL, r);
        return r;
}

static int on_capabilities(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const Note *n = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        if (e) {
                no_server(n->m, e, 0);
                return 0;
        }
        /* The Notify call gets a Note of its own: this one goes with its slot. */
        Note *next = malloc(sizeof(Note));
        if (!next)
                return 0;
        *next = *n;
        char **caps = NULL;
        if (sd_bus_message_read_strv(reply, &caps) >= 0)
                for (char **c = caps; c && *c; c++)
                        if (streq(*c, "actions"))
                                next->actions = true;
        for (char **c = caps; c && *c; c++)
                free(*c);
        free(caps);
        (void) send_notify(next);
        return 0;
}

/* Asks the server what it can do, then notifies: it may be a new server
 * since the last time. */
static void notify(Manager *m, NoteKind kind, int64_t ref, const char *summary, const char *body) {
        if (!m->bus || !setting_on(m, "notify"))
                return;
        Note *n = calloc(1, sizeof(Note));
        if (!n)
                return;
        *n = (Note){ .kind = kind, .ref = ref, .m = m };
        (void) snprintf(n->summary, sizeof(n->summary), "%s", summary);
        (void) snprintf(n->body, sizeof(n->body), "%s", body);
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r = sd_bus_message_new_method_call(m->bus, &call, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME,
                                               "GetCapabilities");
        if (r < 0) {
                free(n);
                return;
        }
        r = call_floating(m, call, on_capabilities, n);
        if (r < 0)
                no_server(m, NULL, r);
}

static void notify_daily_act(Manager *m, const Act *a) {
        char body[512];
        /* The title only of a public, gentle item: the partner sets the
         * private flag, and a shared screen must not show a lust item. */
        if ((a->private_ || a->intensity > 1) && !setting_on(m, "notify.reveal"))
                (void) snprintf(body, sizeof(body), "Today's act is ready: closerctl today");
        else
                (void) snprintf(body, sizeof(body), "%s", a->title ? a->title : "");
        notify(m, NOTE_DAILY, a->id, "Today's act", body);
}

static void notify_datenight(Manager *m, bool soon, int64_t remind_seconds) {
        char body[64], lead[32];
        if (soon) {
                (void) format_duration(remind_seconds, lead);
                (void) snprintf(body, sizeof(body), "Date night in %s", lead);
        } else
                (void) snprintf(body, sizeof(body), "Date night starts now");
        notify(m, NOTE_OTHER, 0, "Date night", body);
}

static void notify_promise(Manager *m, const Promise *p, bool soon, bool overdue) {
        /* Never what or where: a rain check can be explicit. */
        char body[512];
        if (p->owed_by_partner) {
                /* Owed to me, and kept together: a gentle word, no alarm. */
                _cleanup_free_ char *whose = NULL;
                char at[32], clock[8];
                if (promise_partner_possessive(m, true, &whose) < 0)
                        return;
                (void) format_human_local(p->due, true, at);
                format_hhmm(local_minute_of(p->due), clock);
                if (overdue)
                        (void) snprintf(body, sizeof(body), "%s rain check of %s is still to come: closerctl promise "
                                        "kept %" PRIi64 " once you had it", whose, at, p->id);
                else if (soon)
                        (void) snprintf(body, sizeof(body), "%s rain check is at %s: closerctl promise kept %" PRIi64
                                        " once you had it", whose, clock, p->id);
                else
                        (void) snprintf(body, sizeof(body), "%s rain check is now: closerctl promise kept %" PRIi64
                                        " once you had it", whose, p->id);
        } else
                (void) snprintf(body, sizeof(body), "%s: closerctl promise kept %" PRIi64 " once it is kept",
                                overdue ? "A rain check is overdue"
                                : soon  ? "A rain check is due in 30 minutes"
                                        : "A rain check is due now",
                                p->id);
        notify(m, NOTE_PROMISE, p->id, "Rain check", body);
}

static void notify_lapse(Manager *m, uint32_t days) {
        char body[160];
        (void) snprintf(body, sizeof(body), "Nothing done for %u days. Don't fall back into old habits: closerctl today",
                        days);
        notify(m, NOTE_OTHER, 0, "closer", body);
}

/* Discreet unless notify.reveal: the words without private text. */
static void notify_partner(Manager *m, const Event *e, const char *title) {
        const char *body = e->partner.discreet && !setting_on(m, "notify.reveal") ? e->partner.discreet
                                                                                  : e->partner.summary;
        notify(m, NOTE_OTHER, 0, title, body);
}

void notify_event_sink(Manager *m, const Event *e, void *userdata) {
        switch (e->type) {
        case EVENT_DAILY_ACT:
                notify_daily_act(m, e->daily.act);
                break;
        case EVENT_LAPSE:
                /* The days with nothing done: the one of the last act is not one. */
                notify_lapse(m, e->lapse.days - 1);
                break;
        case EVENT_PROMISE_SOON:
        case EVENT_PROMISE_DUE:
        case EVENT_PROMISE_OVERDUE:
                notify_promise(m, e->promise.promise, e->type == EVENT_PROMISE_SOON,
                               e->type == EVENT_PROMISE_OVERDUE);
                break;
        case EVENT_DATENIGHT_SOON:
        case EVENT_DATENIGHT:
                notify_datenight(m, e->type == EVENT_DATENIGHT_SOON, e->datenight.remind);
                break;
        case EVENT_PARTNER_CHANGED:
                notify_partner(m, e, "closer");
                break;
        case EVENT_OVERRULED:
                notify_partner(m, e, "Date night");
                break;
        case EVENT_PHASE_CHANGED: /* news for clients, not a reason to interrupt */
        case _EVENT_TYPE_MAX:
                break;
        }
}

/* Our notification with this ID from this server, if it is one: a new
 * server counts its IDs from the start again. */
static NoteRef *note_find(Manager *m, uint32_t id, const char *sender) {
        for (size_t i = 0; i < ELEMENTSOF(m->notes); i++)
                if (m->notes[i].id == id && id != 0 && sender && streq(m->notes[i].sender, sender))
                        return &m->notes[i];
        return NULL;
}

/* Whether act_id is still today's open daily act: Done or Another on
 * yesterday's notification, or on one whose act was rerolled since, must
 * not touch today's. */
static bool act_is_current(Manager *m, time_t now, int64_t act_id) {
        _cleanup_(act_clear) Act a = {};
        Practice p;
        if (practice_load(m, now, &p) < 0 || store_act_current(m->store, p.today, &a) < 0)
                return false;
        return a.id == act_id && a.status == ACT_OPEN;
}

static int on_action_invoked(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *action;
        uint32_t id;
        if (sd_bus_message_read(msg, "us", &id, &action) < 0)
                return 0;
        NoteRef *n = note_find(m, id, sd_bus_message_get_sender(msg));
        if (!n)
                return 0; /* somebody else's notification */
        time_t now = manager_now();
        int r = 0;
        if (n->kind == NOTE_DAILY && !act_is_current(m, now, n->ref)) {
                log_info("Notification action \"%s\" is about an act that is no longer today's: ignored", action);
                return 0;
        }
        if (n->kind == NOTE_DAILY && streq(action, "done"))
                r = daily_done(m, now, 0, 0, NULL, NULL);
        else if (n->kind == NOTE_DAILY && streq(action, "reroll")) {
                _cleanup_(act_clear) Act a = {};
                PickEmptyReason why;
                r = daily_reroll(m, now, &a, &why);
                if (r >= 0)
                        notify_daily_act(m, &a);
        } else if (n->kind == NOTE_PROMISE && streq(action, "kept"))
                r = promise_resolve(m, now, n->ref, PROMISE_KEPT, NULL);
        else
                return 0;
        if (r < 0)
                log_warning_errno(r, "Failed to act on the notification's \"%s\": %m", action);
        else
                log_info("Notification action \"%s\" done", action);
        return 0;
}

static int on_notification_closed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        uint32_t id, reason;
        if (sd_bus_message_read(msg, "uu", &id, &reason) < 0)
                return 0;
        NoteRef *n = note_find(m, id, sd_bus_message_get_sender(msg));
        if (n)
                *n = (NoteRef){};
        return 0;
}

int notify_setup(Manager *m) {
        int r = sd_bus_match_signal_async(m->bus, &m->notify_action_slot, NULL, NOTIFY_PATH, NOTIFY_NAME,
                                          "ActionInvoked", on_action_invoked, NULL, m);
        if (r < 0)
                return log_error_errno(r, "Failed to listen for notification actions: %m");
        r = sd_bus_match_signal_async(m->bus, &m->notify_closed_slot, NULL, NOTIFY_PATH, NOTIFY_NAME,
                                      "NotificationClosed", on_notification_closed, NULL, m);
        if (r < 0)
                return log_error_errno(r, "Failed to listen for notification actions: %m");
        return 0;
}

void notify_free(Manager *m) {
        m->notify_action_slot = sd_bus_slot_unref(m->notify_action_slot);
        m->notify_closed_slot = sd_bus_slot_unref(m->notify_closed_slot);
}
