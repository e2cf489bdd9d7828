/* SPDX-License-Identifier: MIT */
/* closerctl: share [DIR] [--off], partner follow [DIR] [--off]. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "macro.h"
#include "output.h"
#include "verbs-share.h"

static const char *const SHARE_NULLS[] = { "dir", "name", "partner_id", "partner_name", "last_published",
                                           "last_received", "follow_dir", "follow_last_read", NULL };
static const char *const FOLLOW_KEYS[] = { "following", "follow_dir", "follow_last_read", "follow_tasks",
                                           "follow_problems", NULL };

static bool bool_of(json_object *j, const char *key) {
        json_object *v;
        return json_object_object_get_ex(j, key, &v) && json_object_get_boolean(v);
}

static void fill_arrays(json_object *j) {
        const char *const keys[] = { "problems", "follow_problems" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (!json_object_object_get_ex(j, keys[i], NULL))
                        json_object_object_add(j, keys[i], json_object_new_array());
}

static void print_problems(json_object *j, const char *key) {
        json_object *problems;
        if (json_object_object_get_ex(j, key, &problems))
                for (size_t i = 0; i < json_object_array_length(problems); i++)
                        printf("%s%s!%s %s\n", YELLOW, BOLD, RESET,
                               json_object_get_string(json_object_array_get_idx(problems, i)));
}

/* What is followed, as share and partner follow show it. */
static void print_follow(json_object *j) {
        const char *dir = jstr(j, "follow_dir"), *read = jstr(j, "follow_last_read");
        printf("%sFollowing:%s  %s (my partner's list, from a folder of tasks)\n", BOLD, RESET, dir ?: "");
        if (read)
                printf("%sRead:%s       %s: %" PRId64 " task%s\n", BOLD, RESET, human_time(read),
                       jint(j, "follow_tasks", 0), jint(j, "follow_tasks", 0) == 1 ? "" : "s");
        else
                printf("%sRead:%s       not yet\n", BOLD, RESET);
        print_problems(j, "follow_problems");
}

static int show(void) {
        _cleanup_json_ json_object *j = NULL;
        int r = call_json("GetShare", &j, NULL);
        if (r < 0)
                return r;
        if (arg.json) {
                json_fill_nulls(j, SHARE_NULLS);
                fill_arrays(j);
                return print_json(j);
        }
        bool following = bool_of(j, "following");
        const char *dir = jstr(j, "dir"), *name = jstr(j, "name"), *pid = jstr(j, "partner_id");
        const char *pname = jstr(j, "partner_name"), *pub = jstr(j, "last_published");
        const char *rec = jstr(j, "last_received");
        if (!bool_of(j, "enabled")) {
                printf("Sharing is off%s%s.\n", dir ? ": the folder " : "", dir ?: "");
                if (following) {
                        print_follow(j);
                        return 0;
                }
                printf("Turn it on with closerctl share DIR, DIR a folder that Syncthing (or another\n"
                       "folder sync) keeps the same on both machines.\n");
                return 0;
        }
        printf("%sFolder:%s     %s\n", BOLD, RESET, dir ?: "");
        printf("%sMe:%s         %s%smember %s\n", BOLD, RESET, name ?: "", name ? ", " : "", jstr(j, "member_id") ?: "");
        if (pid)
                printf("%sPartner:%s    %s%smember %s%s\n", BOLD, RESET, pname ?: "", pname ? ", " : "", pid,
                       bool_of(j, "partner_present") ? "" : " (their folder is gone)");
        else
                printf("%sPartner:%s    not seen yet: my partner runs closerctl share on their copy of the folder\n",
                       BOLD, RESET);
        printf("%sPublished:%s  %s\n", BOLD, RESET, pub ? human_time(pub) : "not yet");
        printf("%sReceived:%s   %s\n", BOLD, RESET, rec ? human_time(rec) : "nothing yet");
        print_problems(j, "problems");
        if (following)
                print_follow(j);
        return 0;
}

/* partner follow without DIR: the follow_* fields of GetShare. */
static int show_follow(void) {
        _cleanup_json_ json_object *j = NULL;
        int r = call_json("GetShare", &j, NULL);
        if (r < 0)
                return r;
        if (arg.json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                if (!o)
                        return fail("out of memory");
                json_fill_nulls(j, SHARE_NULLS);
                fill_arrays(j);
                for (size_t i = 0; FOLLOW_KEYS[i]; i++) {
                        json_object *v = NULL;
                        if (json_object_object_get_ex(j, FOLLOW_KEYS[i], &v))
                                json_object_object_add(o, FOLLOW_KEYS[i], json_object_get(v));
                }
                return print_json(o);
        }
        if (!bool_of(j, "following")) {
                printf("My partner's list is not followed. closerctl partner follow DIR reads it from DIR,\n"
                       "a folder of tasks (one .ics file each) that vdirsyncer keeps from a CalDAV list\n"
                       "my partner fills on their phone.\n");
                return 0;
        }
        print_follow(j);
        return 0;
}

static int open_folder(const char *verb, const char *dir, int *ret) {
        if (!dir[0])
                return usage_error("%s: the folder must not be empty", verb);
        *ret = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*ret < 0)
                return fail("cannot open the folder %.*s%s: %s", ECHO(dir), strerror(errno));
        return 0;
}

/* --off: method answers whether it was on; then the state (--json) or
 * one of the two lines. */
static int turn_off(const char *method, const char *was_on_line, const char *was_off_line, int (*show_state)(void)) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int was_on = 0;
        int r = call(method, &reply, NULL);
        if (r >= 0 && sd_bus_message_read(reply, "b", &was_on) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg.json)
                return show_state();
        printf("%s\n", was_on ? was_on_line : was_off_line);
        return 0;
}

int verb_partner_follow(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (arg.off && argc > 1)
                return usage_error("partner follow takes a folder or --off, not both");
        if (arg.off)
                return turn_off("UnfollowPartnerList", "My partner's list is no longer followed; it stays as it is.",
                                "My partner's list was not followed.", show_follow);
        if (argc == 1)
                return show_follow();
        _cleanup_close_ int fd = -1;
        int r = open_folder("partner follow", argv[1], &fd);
        if (r < 0)
                return r;
        const char *path;
        r = call("FollowPartnerList", &reply, "h", fd);
        if (r >= 0 && sd_bus_message_read(reply, "s", &path) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg.json)
                return show_follow();
        printf("Following my partner's list in %s: closerd reads it whenever it changes.\n", path);
        return show_follow();
}

int verb_share(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (arg.off && argc > 1)
                return usage_error("share takes a folder or --off, not both");
        if (arg.off)
                return turn_off("Unshare", "Sharing is off; the files in the folder stay as they are.",
                                "Sharing was off already.", show);
        if (argc == 1)
                return show();
        _cleanup_close_ int fd = -1;
        int r = open_folder("share", argv[1], &fd);
        if (r < 0)
                return r;
        const char *path, *id;
        r = call("Share", &reply, "h", fd);
        if (r >= 0 && sd_bus_message_read(reply, "ss", &path, &id) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg.json)
                return show();
        printf("Sharing through %s as member %s.\n"
               "My partner runs closerctl share on their copy of the folder; closerctl share\n"
               "shows when they are seen.\n", path, id);
        return 0;
}
