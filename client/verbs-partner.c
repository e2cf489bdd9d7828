/* SPDX-License-Identifier: MIT */
/* closerctl: my partner's list: partner import/review/forget/discuss. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "replies.h"
#include "verbs-items.h"
#include "verbs-partner.h"

int verb_partner_import(int argc, char **argv) {
        _cleanup_close_ int fd = open_input(argv[1]);
        if (fd < 0)
                return fd;
        _cleanup_json_ json_object *sum = NULL;
        ImportSummary is = {};
        int r = arg.replace ? call_json("ImportPartnerListWithOptions", &sum, "ha{sv}", fd, 1, "replace", "b", 1)
                            : call_json("ImportPartnerListWithOptions", &sum, "ha{sv}", fd, 0);
        if (r < 0)
                return r;
        (void) bus_map_reply(sum, import_summary_map, &is);
        size_t n_again = bus_list_length(is.review_again);
        /* (id, title, my previous review, private): a private title is hidden when discreet. */
        for (size_t i = 0; i < n_again; i++) {
                json_object *e = json_object_array_get_idx(is.review_again, i);
                if (json_object_get_boolean(json_object_array_get_idx(e, 3)) && discreet())
                        (void) json_object_array_put_idx(e, 1, NULL);
        }
        if (arg.json)
                return print_json(sum);
        if (is.forgotten > 0)
                printf("Forgot the old partner list (%" PRIi64 " items).\n", is.forgotten);
        printf("Imported: %" PRIi64 " added, %" PRIi64 " updated, %" PRIi64 " removed, %" PRIi64 " unchanged",
               is.added, is.updated, is.removed, is.unchanged);
        for (size_t i = 0; i < n_again; i++) {
                json_object *e = json_object_array_get_idx(is.review_again, i);
                const char *title = json_object_get_string(json_object_array_get_idx(e, 1));
                printf("%s%" PRIi64, i == 0 ? "; back to review: " : ", ",
                       json_object_get_int64(json_object_array_get_idx(e, 0)));
                if (title)
                        printf(" '%s'", title);
                printf(" (you said %s)", json_object_get_string(json_object_array_get_idx(e, 2)) ?: "");
        }
        printf(".\n");
        if (is.older > 0)
                printf("Note: %" PRIi64 " item%s in the file %s older than my copy and ignored.\n", is.older,
                       is.older == 1 ? "" : "s", is.older == 1 ? "was" : "were");
        if (is.skipped > 0)
                printf("Note: %" PRIi64 " component%s other than to-dos skipped.\n", is.skipped,
                       is.skipped == 1 ? "" : "s");
        return 0;
}

int verb_partner_review(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = new_call("ReviewItem", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ts", id, argv[2]);
        if (r >= 0)
                r = arg.note ? sd_bus_message_append(m, "a{sv}", 1, "note", "s", arg.note)
                             : sd_bus_message_append(m, "a{sv}", 0);
        if (r < 0) {
                append_failed(r);
                return r;
        }
        r = send_call(m, &reply);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *res = NULL;
        ReviewResult rr = {};
        ActInfo act = {};
        r = reply_json(reply, &res);
        if (r < 0)
                return r;
        (void) bus_map_reply(res, review_result_map, &rr);
        hide_private(rr.act);
        if (arg.json) {
                json_object_object_add(res, "id", json_object_new_int64((int64_t) id));
                json_object_object_add(res, "review", json_object_new_string(argv[2]));
                return print_json(res);
        }
        printf("Item %" PRIu64 ": %s.\n", id, argv[2]);
        if (rr.replaced && bus_map_reply(rr.act, act_map, &act) >= 0)
                printf("It was today's act: today's act is now item %" PRIi64 ", %s (closerctl today).\n", act.item,
                       act.title ?: "");
        else if (rr.replaced)
                puts("It was today's act: nothing else can be picked today.");
        return 0;
}

int verb_partner_forget(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *status = NULL, *reply = NULL;
        int r = call("GetStatus", &status, NULL);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *j = reply_to_json(status);
        StatusInfo st = {};
        (void) bus_map_reply(j, status_map, &st);
        int64_t n = st.partner_items;
        if (n == 0) {
                if (arg.json)
                        return print_json_pairs("forgotten", json_object_new_int64(0), PAIRS_END);
                puts("There is no partner list to forget.");
                return 0;
        }
        char question[128];
        (void) snprintf(question, sizeof(question), "Forget my partner's list of %" PRIi64 " item%s?", n,
                        n == 1 ? "" : "s");
        r = confirm(question);
        if (r < 0)
                return r;
        uint32_t forgotten = 0;
        r = call("ForgetPartnerList", &reply, NULL);
        if (r >= 0 && sd_bus_message_read(reply, "u", &forgotten) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("forgotten", json_object_new_int64(forgotten), PAIRS_END);
        printf("Forgot my partner's list (%" PRIu32 " item%s); the acts done keep their titles. "
               "Import the right one with closerctl partner import FILE.\n",
               forgotten, forgotten == 1 ? "" : "s");
        return 0;
}

int verb_partner_discuss(int argc, char **argv) {
        _cleanup_json_ json_object *items = NULL;
        int r = call_json("ListItems", &items, "s", "discuss");
        if (r < 0)
                return r;
        hide_private_each(items);
        if (arg.json) {
                json_fill_nulls_each(items, ITEM_NULLS);
                return print_json(items);
        }
        if (json_object_array_length(items) == 0) {
                puts("Nothing left to talk about: every item of my partner's list is reviewed.");
                return 0;
        }
        print_items(items, true);
        printf("%sTalk these through together, then: closerctl partner review ID ok|discuss|no --note T%s\n", DIM,
               RESET);
        return 0;
}
