/* SPDX-License-Identifier: MIT */
/*
 * notifyd: a recording desktop notification server for the integration
 * tests (tests/test-notify.sh). It owns org.freedesktop.Notifications on
 * the session bus (DBUS_SESSION_BUS_ADDRESS), the way GNOME Shell, KDE,
 * dunst or mako do, and writes down what it is asked to show.
 *
 *   notifyd [--no-actions] [--first-id N]
 *
 * --no-actions: GetCapabilities leaves out "actions" (a server that cannot
 * show buttons). --first-id: the ID of the first notification (default 1),
 * so a restarted server need not hand out IDs an earlier one used.
 *
 * On stdout, one line each, flushed:
 *
 *   READY                        the name is owned: clients may call now
 *   CAPABILITIES                 a GetCapabilities call
 *   NOTIFY id=N app=A summary=S body=B actions=k1,l1,k2,l2
 *   CLOSE id=N                   a CloseNotification call (NotificationClosed(N, 3) sent)
 *   INVOKED id=N key=K           the "invoke" command was carried out
 *   CLOSED id=N reason=R         the "close" command was carried out
 *   PONG                         the "ping" command
 *   ERROR text                   a command it could not carry out
 *
 * Text fields are printed as they came but for \\, \n, \t and other control
 * characters (\xNN), so that every record is one line.
 *
 * Commands, one a line on stdin (a FIFO the test keeps open, or a pipe):
 *
 *   invoke ID KEY    emit ActionInvoked(ID, KEY), then NotificationClosed(ID, 2),
 *                    as a server does when the user clicks a button
 *   close ID [R]     emit NotificationClosed(ID, R), R 1-4, default 2
 *   ping             answer PONG: every earlier command is done
 *
 * The signals are flushed to the bus before the answering line is printed.
 * End of input stops reading commands, not the server. Exits 0 on SIGTERM
 * or SIGINT, 1 when the bus goes away, the name is taken or on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "busloop.h"

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"

static bool arg_actions = true;
static uint32_t next_id = 1;

/* The command line read so far from stdin. */
static char *input;
static size_t input_len;

static void print_field(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '\\': fputs("\\\\", stdout); break;
                case '\n': fputs("\\n", stdout); break;
                case '\t': fputs("\\t", stdout); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                printf("\\x%02x", *p);
                        else
                                putchar(*p);
                }
}

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) userdata;
        (void) ret_error;
        puts("CAPABILITIES");
        (void) fflush(stdout);
        if (arg_actions)
                return sd_bus_reply_method_return(m, "as", 2, "body", "actions");
        return sd_bus_reply_method_return(m, "as", 1, "body");
}

static int method_get_server_information(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) userdata;
        (void) ret_error;
        return sd_bus_reply_method_return(m, "ssss", "notifyd", "closer tests", "1", "1.2");
}

static int method_notify(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *app, *icon, *summary, *body;
        uint32_t replaces, id;
        int32_t timeout;
        char **actions = NULL;
        int r;

        (void) userdata;
        (void) ret_error;
        r = sd_bus_message_read(m, "susss", &app, &replaces, &icon, &summary, &body);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &actions);
        if (r < 0)
                return r;
        /* The hints are not recorded; they only have to be well-formed. */
        r = sd_bus_message_skip(m, "a{sv}");
        if (r >= 0)
                r = sd_bus_message_read(m, "i", &timeout);
        if (r < 0)
                goto finish;

        id = replaces != 0 ? replaces : next_id++;
        printf("NOTIFY id=%" PRIu32 " app=", id);
        print_field(app);
        fputs(" summary=", stdout);
        print_field(summary);
        fputs(" body=", stdout);
        print_field(body);
        fputs(" actions=", stdout);
        for (char **a = actions; a && *a; a++) {
                if (a != actions)
                        putchar(',');
                print_field(*a);
        }
        putchar('\n');
        (void) fflush(stdout);
        r = sd_bus_reply_method_return(m, "u", id);
finish:
        for (char **a = actions; a && *a; a++)
                free(*a);
        free(actions);
        return r;
}

static int method_close_notification(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint32_t id;
        int r;

        (void) userdata;
        (void) ret_error;
        r = sd_bus_message_read(m, "u", &id);
        if (r < 0)
                return r;
        printf("CLOSE id=%" PRIu32 "\n", id);
        (void) fflush(stdout);
        r = sd_bus_emit_signal(sd_bus_message_get_bus(m), NOTIFY_PATH, NOTIFY_NAME, "NotificationClosed",
                               "uu", id, (uint32_t) 3);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable notify_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", capabilities),
                                method_get_capabilities, 0),
        SD_BUS_METHOD_WITH_ARGS("Notify",
                                SD_BUS_ARGS("s", app_name, "u", replaces_id, "s", app_icon, "s", summary,
                                            "s", body, "as", actions, "a{sv}", hints, "i", expire_timeout),
                                SD_BUS_RESULT("u", id), method_notify, 0),
        SD_BUS_METHOD_WITH_ARGS("CloseNotification", SD_BUS_ARGS("u", id), SD_BUS_NO_RESULT,
                                method_close_notification, 0),
        SD_BUS_METHOD_WITH_ARGS("GetServerInformation", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("s", name, "s", vendor, "s", version, "s", spec_version),
                                method_get_server_information, 0),
        SD_BUS_SIGNAL_WITH_ARGS("NotificationClosed", SD_BUS_ARGS("u", id, "u", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ActionInvoked", SD_BUS_ARGS("u", id, "s", action_key), 0),
        SD_BUS_VTABLE_END
};

static int parse_u32(const char *s, uint32_t *ret) {
        char *end;
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

static void command_error(const char *line, const char *why) {
        fputs("ERROR ", stdout);
        print_field(line);
        printf(": %s\n", why);
        (void) fflush(stdout);
}

static void run_command(sd_bus *bus, char *line) {
        char *save = NULL, *copy = strdup(line);
        const char *verb, *a1, *a2, *extra;
        uint32_t id, reason = 2;
        int r;

        if (!copy) {
                command_error(line, strerror(ENOMEM));
                return;
        }
        verb = strtok_r(copy, " \t", &save);
        a1 = strtok_r(NULL, " \t", &save);
        a2 = strtok_r(NULL, " \t", &save);
        extra = strtok_r(NULL, " \t", &save);
        if (!verb)
                goto finish; /* an empty line */
        if (strcmp(verb, "ping") == 0 && !a1) {
                puts("PONG");
                (void) fflush(stdout);
        } else if (strcmp(verb, "invoke") == 0 && a2 && !extra) {
                if (parse_u32(a1, &id) < 0) {
                        command_error(line, "bad ID");
                        goto finish;
                }
                r = sd_bus_emit_signal(bus, NOTIFY_PATH, NOTIFY_NAME, "ActionInvoked", "us", id, a2);
                if (r >= 0)
                        r = sd_bus_emit_signal(bus, NOTIFY_PATH, NOTIFY_NAME, "NotificationClosed", "uu", id,
                                               (uint32_t) 2);
                if (r >= 0)
                        r = sd_bus_flush(bus);
                if (r < 0) {
                        command_error(line, strerror(-r));
                        goto finish;
                }
                printf("INVOKED id=%" PRIu32 " key=", id);
                print_field(a2);
                putchar('\n');
                (void) fflush(stdout);
        } else if (strcmp(verb, "close") == 0 && a1 && !extra) {
                if (parse_u32(a1, &id) < 0 ||
                    (a2 && (parse_u32(a2, &reason) < 0 || reason < 1 || reason > 4))) {
                        command_error(line, "usage: close ID [1-4]");
                        goto finish;
                }
                r = sd_bus_emit_signal(bus, NOTIFY_PATH, NOTIFY_NAME, "NotificationClosed", "uu", id,
                                       reason);
                if (r >= 0)
                        r = sd_bus_flush(bus);
                if (r < 0) {
                        command_error(line, strerror(-r));
                        goto finish;
                }
                printf("CLOSED id=%" PRIu32 " reason=%" PRIu32 "\n", id, reason);
                (void) fflush(stdout);
        } else
                command_error(line, "usage: invoke ID KEY | close ID [REASON] | ping");
finish:
        free(copy);
}

static int on_input(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        sd_bus *bus = userdata;
        char buf[4096];

        (void) revents;
        ssize_t k = read(fd, buf, sizeof(buf));
        if (k < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                fprintf(stderr, "notifyd: reading commands: %s\n", strerror(errno));
                k = 0;
        }
        if (k == 0) {
                /* End of the commands; a last line without a newline still counts. */
                if (input_len > 0) {
                        input[input_len] = '\0';
                        run_command(bus, input);
                        input_len = 0;
                }
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        char *grown = realloc(input, input_len + (size_t) k + 1);
        if (!grown) {
                fprintf(stderr, "notifyd: %s\n", strerror(ENOMEM));
                return -ENOMEM;
        }
        input = grown;
        memcpy(input + input_len, buf, (size_t) k);
        input_len += (size_t) k;

        size_t start = 0;
        for (size_t i = 0; i < input_len; i++)
                if (input[i] == '\n') {
                        input[i] = '\0';
                        run_command(bus, input + start);
                        start = i + 1;
                }
        memmove(input, input + start, input_len - start);
        input_len -= start;
        return 0;
}

static int parse_args(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--no-actions") == 0)
                        arg_actions = false;
                else if (strcmp(argv[i], "--first-id") == 0 && i + 1 < argc) {
                        if (parse_u32(argv[++i], &next_id) < 0 || next_id == 0)
                                return -EINVAL;
                } else
                        return -EINVAL;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        int r;

        if (parse_args(argc, argv) < 0) {
                fprintf(stderr, "Usage: notifyd [--no-actions] [--first-id N]\n");
                return 2;
        }
        r = busloop_open("notifyd", &event, &bus);
        if (r < 0)
                goto finish;
        r = sd_bus_add_object_vtable(bus, NULL, NOTIFY_PATH, NOTIFY_NAME, notify_vtable, NULL);
        if (r < 0) {
                fprintf(stderr, "notifyd: cannot add the object: %s\n", strerror(-r));
                goto finish;
        }
        /* Commands from stdin, when it is something epoll can watch (not
         * /dev/null or a regular file: then there are simply none). */
        int flags = fcntl(STDIN_FILENO, F_GETFL);
        if (flags >= 0 && fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK) >= 0) {
                r = sd_event_add_io(event, NULL, STDIN_FILENO, EPOLLIN, on_input, bus);
                if (r < 0 && r != -EPERM) {
                        fprintf(stderr, "notifyd: cannot watch stdin: %s\n", strerror(-r));
                        goto finish;
                }
        }

        /* Synchronous: once READY is out, the name is ours. */
        r = sd_bus_request_name(bus, NOTIFY_NAME, 0);
        if (r < 0) {
                fprintf(stderr, "notifyd: cannot own %s: %s\n", NOTIFY_NAME, strerror(-r));
                goto finish;
        }
        r = busloop_run("notifyd", event, bus);
finish:
        free(input);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r == 0 ? 0 : 1;
}
