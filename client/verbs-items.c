/* SPDX-License-Identifier: MIT */
/* closerctl: my list: list, list show/add/edit/rm/ideas/export. */
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

/* The item fields given as options, as the a{sv} of AddItem/EditItem. */
static int append_item_fields(sd_bus_message *m) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && arg.title)
                r = sd_bus_message_append(m, "{sv}", "title", "s", arg.title);
        if (r >= 0 && arg.details)
                r = sd_bus_message_append(m, "{sv}", "details", "s", arg.details);
        if (r >= 0 && arg.category)
                r = sd_bus_message_append(m, "{sv}", "category", "s", arg.category);
        if (r >= 0 && arg.intensity) {
                uint64_t v;
                if (parse_uint(arg.intensity, UINT32_MAX, &v) < 0)
                        return usage_error("--intensity must be 1 (gentle), 2 (intimate) or 3 (explicit), not '%.*s%s'",
                                           ECHO(arg.intensity));
                r = sd_bus_message_append(m, "{sv}", "intensity", "u", (uint32_t) v);
        }
        if (r >= 0 && arg.private >= 0)
                r = sd_bus_message_append(m, "{sv}", "private", "b", arg.private);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                append_failed(r);
        return r;
}

/* --- commands --- */

const char *const ITEM_NULLS[] = { "review", "note", NULL };

void print_items(json_object *items, bool partner) {
        size_t n = bus_list_length(items);
        int idw = 2;
        for (size_t i = 0; i < n; i++) {
                ItemInfo it = {};
                (void) bus_map_entry(items, i, item_map, &it);
                int w = snprintf(NULL, 0, "%" PRIi64, it.id);
                if (w > idw)
                        idw = w;
        }
        if (n == 0) {
                puts(partner ? "No partner list yet: import one with closerctl partner import FILE."
                             : "My list is empty: add an item with closerctl list add TITLE.");
                return;
        }
        printf("%s%*s  %-9s  %-3s  %-4s  %s%s%s\n", BOLD, idw, "ID", "CATEGORY", "INT", "PRIV",
               partner ? "REVIEW   " : "", "TITLE", RESET);
        for (size_t i = 0; i < n; i++) {
                ItemInfo it = {};
                (void) bus_map_entry(items, i, item_map, &it);
                printf("%*" PRIi64 "  %-9s  %-3" PRIi64 "  %-4s  ", idw, it.id, it.category ?: "", it.intensity,
                       it.private ? "yes" : "");
                if (partner)
                        printf("%-9s", it.review ?: "");
                printf("%s\n", it.title ?: "");
                if (partner && it.note)
                        printf("%*s  %snote: %s%s\n", idw, "", DIM, it.note, RESET);
                /* Mine, shared: my partner's review ("Sam: discuss - what do you mean?"). */
                if (!partner && it.review && (!streq(it.review, "new") || it.note))
                        printf("%*s  %s%s: %s%s%s%s%s\n", idw, "", DIM, partner_name(), it.review,
                               it.note ? " \u2014 " : "", it.note ?: "",
                               jbool(json_object_array_get_idx(items, i), "review_stale") ? " (of an older version)" : "",
                               RESET);
        }
        printf("%s%zu item%s%s\n", DIM, n, n == 1 ? "" : "s", RESET);
}

int verb_list(int argc, char **argv) {
        _cleanup_json_ json_object *items = NULL;
        const char *which = argc > 1 ? argv[1] : "mine";
        if (!streq(which, "mine") && !streq(which, "partner"))
                return usage_error("unknown list '%.*s%s': use 'list mine' or 'list partner' "
                                   "(or list add, edit, rm, ideas, export)", ECHO(which));
        int r = call_json("ListItems", &items, "s", which);
        if (r < 0)
                return r;
        hide_private_each(items);
        if (arg.json) {
                json_fill_nulls_each(items, ITEM_NULLS);
                return print_json(items);
        }
        print_items(items, streq(which, "partner"));
        return 0;
}

static const char *const SHOW_NULLS[] = { "review", "note", "response", "last_done", NULL };

int verb_list_show(int argc, char **argv) {
        static const char *const intensities[] = { "", "gentle", "intimate", "explicit" };
        _cleanup_json_ json_object *j = NULL;
        ItemInfo it = {};
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = call_json("GetItem", &j, "t", id);
        if (r < 0)
                return r;
        hide_private(j);
        if (arg.json) {
                json_fill_nulls(j, SHOW_NULLS);
                return print_json(j);
        }
        (void) bus_map_reply(j, item_map, &it);
        bool partner = streq(it.list ?: "", "partner");
        printf("%sItem %" PRIu64 "%s on %s\n", BOLD, id, RESET, partner ? "my partner's list" : "my list");
        printf("  %-10s %s\n", "Title", it.title ?: "");
        if (it.details && *it.details)
                printf("  %-10s %s\n", "Details", it.details);
        printf("  %-10s %s, intensity %" PRIi64 " (%s)\n", "Category", it.category ?: "", it.intensity,
               it.intensity >= 1 && it.intensity <= 3 ? intensities[it.intensity] : "?");
        printf("  %-10s %s\n", "Private", it.private ? "yes" : "no");
        if (partner) {
                printf("  %-10s %s", "Review", it.review ?: "new");
                if (it.note)
                        printf(", note: %s", it.note);
                putchar('\n');
        }
        if (it.done == 0)
                printf("  %-10s never\n", "Done");
        else {
                printf("  %-10s %" PRIi64 " %s", "Done", it.done, plural(it.done, "time", "times"));
                if (it.response > 0)
                        printf(", average response %.1f/5", it.response);
                if (it.last_done)
                        printf(", last on %s", human_date(it.last_done));
                putchar('\n');
        }
        return 0;
}

static int verb_list_add_from(void) {
        _cleanup_close_ int fd = open_input(arg.from);
        if (fd < 0)
                return fd;
        _cleanup_json_ json_object *ids = NULL;
        int r = call_json("AddItemsFromText", &ids, "h", fd);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json(ids);
        size_t n = json_object_array_length(ids);
        printf("Added %zu item%s", n, n == 1 ? "" : "s");
        if (n > 0)
                printf(" (IDs %" PRIi64 "-%" PRIi64 ")", json_object_get_int64(json_object_array_get_idx(ids, 0)),
                       json_object_get_int64(json_object_array_get_idx(ids, n - 1)));
        puts(".");
        return 0;
}

static int verb_list_add_idea(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t number, id;
        if (parse_uint(arg.idea, UINT32_MAX, &number) < 0)
                return usage_error("--idea takes the number of an idea (see closerctl list ideas), not '%.*s%s'",
                                   ECHO(arg.idea));
        int r = call("AddIdea", &reply, "u", (uint32_t) number);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        printf("Added idea %" PRIu64 " as item %" PRIu64 ".\n", number, id);
        return 0;
}

int verb_list_add(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id;
        if ((arg.from || arg.idea) && argc > 1)
                return usage_error("list add takes a TITLE, --from FILE or --idea N, not more than one");
        if (arg.from && arg.idea)
                return usage_error("list add takes --from FILE or --idea N, not both");
        if ((arg.from || arg.idea) && (arg.given & ITEM_OPTS))
                return usage_error("--category, --intensity, --private, --public and --details go with a TITLE");
        if (arg.from)
                return verb_list_add_from();
        if (arg.idea)
                return verb_list_add_idea();
        if (argc < 2)
                return usage_error("list add needs a TITLE, --from FILE or --idea N");
        int r = new_call("AddItem", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", argv[1]);
        if (r < 0) {
                append_failed(r);
                return r;
        }
        r = append_item_fields(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), PAIRS_END);
        printf("Added item %" PRIu64 ".\n", id);
        return 0;
}

int verb_list_edit(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t id = 0;
        int changed = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        if (!(arg.given & (OPT_TITLE | OPT_DETAILS | OPT_CATEGORY | OPT_INTENSITY | OPT_PRIVATE)))
                return usage_error("list edit needs at least one of --title, --details, --category, "
                            "--intensity, --private, --public");
        r = new_call("EditItem", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", id);
        if (r >= 0)
                r = append_item_fields(m);
        if (r >= 0)
                r = send_call(m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &changed);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "changed", json_object_new_boolean(changed), PAIRS_END);
        printf(changed ? "Updated item %" PRIu64 ".\n" : "Item %" PRIu64 " already says that.\n", id);
        return 0;
}

int verb_list_rm(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id = 0;
        int r = parse_item_id(argv[1], &id);
        if (r < 0)
                return r;
        r = call("RemoveItem", &reply, "t", id);
        if (r < 0)
                return r;
        if (arg.json)
                return print_json_pairs("id", json_object_new_int64((int64_t) id), "removed", json_object_new_boolean(true), PAIRS_END);
        printf("Removed item %" PRIu64 ".\n", id);
        return 0;
}

int verb_list_ideas(int argc, char **argv) {
        _cleanup_json_ json_object *ideas = NULL;
        int r = call_json("ListIdeas", &ideas, "s", arg.category ?: "");
        if (r < 0)
                return r;
        if (arg.json)
                return print_json(ideas);
        printf("%s%3s  %-9s  %-3s  %s%s\n", BOLD, "NO", "CATEGORY", "INT", "IDEA", RESET);
        for (size_t i = 0; i < bus_list_length(ideas); i++) {
                IdeaInfo idea = {};
                (void) bus_map_entry(ideas, i, idea_map, &idea);
                printf("%3" PRIi64 "  %-9s  %-3" PRIi64 "  %s\n", idea.number, idea.category ?: "", idea.intensity,
                       idea.title ?: "");
        }
        printf("%sAdd one with closerctl list add --idea NO; write your own with list add TITLE.%s\n", DIM,
               RESET);
        return 0;
}

int verb_list_export(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(output_clearp) Output out = OUTPUT_INIT;
        uint32_t n = 0;
        int r = output_open(&out, argc > 1 ? argv[1] : NULL);
        if (r < 0)
                return r;
        r = call_with_output("ExportList", &out, &reply);
        if (r >= 0 && sd_bus_message_read(reply, "u", &n) < 0)
                r = fail("cannot read the reply");
        if (r < 0)
                return r;
        if (!output_is_stdout(&out))
                printf("Exported %u item%s to %.*s%s: give it to my partner (closerctl partner import).\n", n,
                       n == 1 ? "" : "s", ECHO(out.path));
        return 0;
}
