/* SPDX-License-Identifier: MIT */
/* closerctl: share [DIR] [--off]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "verbs-share.h"

static const char *const SHARE_NULLS[] = { "dir", "name", "partner_id", "partner_name", "last_published",
                                           "last_received", NULL };

static const char *text_of(json_object *j, const char *key) {
        json_object *v;
        return json_object_object_get_ex(j, key, &v) ? json_object_get_string(v) : NULL;
}

static bool bool_of(json_object *j, const char *key) {
        json_object *v;
        return json_object_object_get_ex(j, key, &v) && json_object_get_boolean(v);
}

static int show(void) {
        _cleanup_json_ json_object *j = NULL;
        int r = call_json("GetShare", &j, NULL);
        if (r < 0)
                return r;
        if (arg.json) {
                json_fill_nulls(j, SHARE_NULLS);
                if (!json_object_object_get_ex(j, "problems", NULL))
                        json_object_object_add(j, "problems", json_object_new_array());
                return print_json(j);
        }
        const char *dir = text_of(j, "dir"), *name = text_of(j, "name"), *pid = text_of(j, "partner_id");
        const char *pname = text_of(j, "partner_name"), *pub = text_of(j, "last_published");
        const char *rec = text_of(j, "last_received");
        if (!bool_of(j, "enabled")) {
                printf("Sharing is off%s%s.\n", dir ? ": the folder " : "", dir ?: "");
                printf("Turn it on with closerctl share DIR, DIR a folder that Syncthing (or another\n"
                       "folder sync) keeps the same on both machines.\n");
                return 0;
        }
        printf("%sFolder:%s     %s\n", BOLD, RESET, dir ?: "");
        printf("%sMe:%s         %s%smember %s\n", BOLD, RESET, name ?: "", name ? ", " : "", text_of(j, "member_id") ?: "");
        if (pid)
                printf("%sPartner:%s    %s%smember %s%s\n", BOLD, RESET, pname ?: "", pname ? ", " : "", pid,
                       bool_of(j, "partner_present") ? "" : " (their folder is gone)");
        else
                printf("%sPartner:%s    not seen yet: my partner runs closerctl share on their copy of the folder\n",
                       BOLD, RESET);
        printf("%sPublished:%s  %s\n", BOLD, RESET, pub ? human_time(pub) : "not yet");
        printf("%sReceived:%s   %s\n", BOLD, RESET, rec ? human_time(rec) : "nothing yet");
        json_object *problems;
        if (json_object_object_get_ex(j, "problems", &problems))
                for (size_t i = 0; i < json_object_array_length(problems); i++)
                        printf("%s%s!%s %s\n", YELLOW, BOLD, RESET,
                               json_object_get_string(json_object_array_get_idx(problems, i)));
        return 0;
}

int verb_share(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (arg.off && argc > 1)
                return usage_error("share takes a folder or --off, not both");
        if (arg.off) {
                int was_on = 0;
                int r = call("Unshare", &reply, NULL);
                if (r >= 0 && sd_bus_message_read(reply, "b", &was_on) < 0)
                        r = fail("cannot read the reply");
                if (r < 0)
                        return r;
                if (!arg.json)
                        printf(was_on ? "Sharing is off; the files in the folder stay as they are.\n"
                                      : "Sharing was off already.\n");
                return arg.json ? show() : 0;
        }
        if (argc == 1)
                return show();
        if (!argv[1][0])
                return usage_error("share: the folder must not be empty (closerctl share DIR)");
        _cleanup_close_ int fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return fail("cannot open the folder %.*s%s: %s", ECHO(argv[1]), strerror(errno));
        const char *path, *id;
        int r = call("Share", &reply, "h", fd);
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
