/* SPDX-License-Identifier: MIT */
/* closerctl: what was recorded: history and stats. */
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
#include "verbs-stats.h"

/* --- history --- */

static void print_note(const HistoryEntry *e) {
        if (e->note)
                printf(", note: %s", e->note);
}

/* One entry of the history, after its time and kind columns. */
static void print_history_entry(const HistoryEntry *e) {
        const char *kind = e->kind ?: "";
        if (streq(kind, "act") || streq(kind, "extra")) {
                printf("%s", e->title ?: "");
                if (e->item > 0)
                        printf(" %s(item %" PRIi64 ")%s", DIM, e->item, RESET);
                printf(": %s", e->outcome ?: "");
                if (e->response > 0)
                        printf(", response %" PRIi64 "/5", e->response);
                print_note(e);
        } else if (streq(kind, "mood")) {
                printf("%" PRIi64 "/5%s", e->mood, e->last ? " (the day's mood)" : "");
                print_note(e);
        } else if (streq(kind, "date_night")) {
                printf("%s, %s, until %s", e->mode ?: "", e->status ?: "",
                       human_clock(e->end ?: ""));
                if (e->moved)
                        printf(", moved");
                if (e->makeup_for > 0)
                        printf(", makes up for night %" PRIi64, e->makeup_for);
        } else if (streq(kind, "advance")) {
                printf("by %s, %s", streq(e->by ?: "", "partner") ? "my partner" : "me",
                       e->accepted ? "accepted" : "declined");
                if (e->promise > 0)
                        printf(", rain check %" PRIi64, e->promise);
                print_note(e);
        } else if (streq(kind, "promise")) {
                const char *event = e->event ?: "";
                printf("%" PRIi64 " %s", e->id, event);
                if (streq(event, "moved"))
                        printf(" by %s from %s to %s", streq(e->by ?: "", "partner") ? "my partner" : "me",
                               human_time(e->from ?: ""), human_time(e->to ?: ""));
                else
                        printf(", due %s", human_time(e->due ?: ""));
                if (e->what)
                        printf(", %s", e->what);
                if (e->where)
                        printf(", at %s", e->where);
        } else if (streq(kind, "date_night_change"))
                printf("%" PRIi64 " %s (was %s)", e->id, e->to ?: "", e->from ?: "");
        else if (streq(kind, "pause"))
                printf("until %s", human_date(e->until ?: ""));
        putchar('\n');
}

int verb_history(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t item = 0;
        int truncated = 0;
        const char *const dates[][2] = { { "since", arg.since }, { "until", arg.until } };
        for (size_t i = 0; i < ELEMENTSOF(dates); i++)
                if (dates[i][1] && !is_ymd(dates[i][1]))
                        return usage_error("--%s must be a date YYYY-MM-DD, not '%.*s%s'", dates[i][0],
                                           ECHO(dates[i][1]));
        int r = arg.item ? parse_item_id(arg.item, &item) : 0;
        if (r < 0)
                return r;
        r = new_call("GetHistory", &m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dates); i++)
                if (dates[i][1])
                        r = sd_bus_message_append(m, "{sv}", dates[i][0], "s", dates[i][1]);
        if (r >= 0 && item > 0)
                r = sd_bus_message_append(m, "{sv}", "item", "t", item);
        r = close_and_send(m, r, &reply);
        if (r < 0)
                return r;
        json_object *entries = value_to_json(reply, 'a', "a{sv}");
        _cleanup_json_ json_object *owned = entries;
        if (!entries || sd_bus_message_read(reply, "b", &truncated) < 0)
                return fail("cannot read the reply");
        hide_private_each(entries);
        if (truncated)
                fprintf(stderr, "closerctl: only the first %zu entries: narrow the window with --since and --until\n",
                        json_object_array_length(entries));
        if (arg.json)
                return print_json(entries);
        size_t n = json_object_array_length(entries);
        if (n == 0)
                puts("Nothing recorded in these days.");
        const char *day = NULL;
        for (size_t i = 0; i < n; i++) {
                HistoryEntry entry = {}, *e = &entry;
                (void) bus_map_entry(entries, i, history_entry_map, e);
                const char *date = e->date ?: "";
                if (!day || !streq(day, date)) {
                        printf("%s%s%s%s\n", i > 0 ? "\n" : "", BOLD, human_date(date), RESET);
                        day = date;
                }
                const char *kind = e->kind ?: "";
                printf("  %5s  %-10s ", e->time ? human_clock(e->time) : "",
                       streq(kind, "date_night") || streq(kind, "date_night_change") ? "date night"
                       : streq(kind, "promise")                                        ? "rain check"
                                                                                       : kind);
                print_history_entry(e);
        }
        return 0;
}

/* One of eight block heights for a value from 1 to 5; a dot for none. */
static const char *spark(double v) {
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        if (v <= 0)
                return "·";
        int i = (int) ((v - 1.0) / 4.0 * 7.0 + 0.5);
        return blocks[i < 0 ? 0 : i > 7 ? 7 : i];
}

/* A heat map cell: the number of acts done that day. */
static void heat_cell(int64_t acts) {
        static const char *const shades[] = { "·", "░", "▒", "▓", "█" };
        static const char *const colors[] = { "\033[2m", "\033[32m", "\033[32m", "\033[1;32m", "\033[1;32m" };
        int i = acts <= 0 ? 0 : acts >= 4 ? 4 : (int) acts;
        printf("%s%s%s ", ansi(colors[i]), shades[i], RESET);
}

/* The weeks' average mood, or with responses their average response. */
static void print_sparkline(const char *label, json_object *weekly, bool responses) {
        double last = 0;
        printf("%s%-14s%s ", BOLD, label, RESET);
        for (size_t i = 0; i < bus_list_length(weekly); i++) {
                StatsWeek w = {};
                (void) bus_map_entry(weekly, i, stats_week_map, &w);
                double v = responses ? w.response : w.mood;
                fputs(spark(v), stdout);
                if (v > 0)
                        last = v;
        }
        if (last > 0)
                printf("  last %.1f/5", last);
        printf("  %s(per week, 1-5)%s\n", DIM, RESET);
}

static void print_heatmap(json_object *days) {
        static const char *const names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        size_t n = bus_list_length(days), weeks = (n + 6) / 7;
        /* Month names over the first column of each month. */
        printf("%s%-14s%s ", BOLD, "Acts done", RESET);
        int last_month = -1;
        for (size_t w = 0; w < weeks; w++) {
                StatsDay first = {};
                (void) bus_map_entry(days, w * 7, stats_day_map, &first);
                const char *date = first.date;
                int month = date && strlen(date) >= 7 ? atoi(date + 5) - 1 : -1;
                if (month != last_month && month >= 0 && month < 12 && w + 1 < weeks) {
                        printf("%s ", months[month]);
                        w++; /* the name takes two columns */
                        last_month = month;
                } else
                        printf("  ");
        }
        putchar('\n');
        for (size_t d = 0; d < 7; d++) {
                printf("%14s ", names[d]);
                for (size_t w = 0; w < weeks; w++) {
                        size_t i = w * 7 + d;
                        StatsDay day = {};
                        if (i < n && bus_map_entry(days, i, stats_day_map, &day) >= 0)
                                heat_cell(day.acts);
                }
                putchar('\n');
        }
        printf("%14s %sless%s ", "", DIM, RESET);
        for (int i = 0; i < 5; i++)
                heat_cell(i);
        printf("%smore%s\n", DIM, RESET);
}

/* Past this many weeks the heat map (15 columns, then 2 a week) and the
 * sparklines would not fit 80 columns: months become the columns. */
#define STATS_WEEKS_FIT 32

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* A month of the stats at its row (year) and column (month). */
static bool month_at(const StatsMonth *e, int *ret_year, int *ret_month) {
        const char *m = e->month;
        if (!m || strlen(m) < 7)
                return false;
        *ret_year = atoi(m);
        *ret_month = atoi(m + 5) - 1;
        return *ret_month >= 0 && *ret_month < 12;
}

/* The month view: a row per year, a column per month; cell() prints 4
 * columns for a month. */
static void print_month_grid(const char *label, json_object *monthly, void (*cell)(const StatsMonth *)) {
        size_t n = bus_list_length(monthly);
        StatsMonth first = {}, last = {};
        int y0, m0, y1, m1;
        if (n == 0 || bus_map_entry(monthly, 0, stats_month_map, &first) < 0 ||
            bus_map_entry(monthly, n - 1, stats_month_map, &last) < 0 || !month_at(&first, &y0, &m0) ||
            !month_at(&last, &y1, &m1))
                return;
        printf("%s%-14s%s      ", BOLD, label, RESET);
        for (int k = 0; k < 12; k++)
                printf("%s%s", k > 0 ? " " : "", month_names[k]);
        putchar('\n');
        size_t i = 0;
        for (int y = y0; y <= y1; y++) {
                printf("%14s %4d ", "", y);
                for (int k = 0; k < 12; k++) {
                        int yy, mm;
                        StatsMonth e = {};
                        if (i < n && bus_map_entry(monthly, i, stats_month_map, &e) >= 0 && month_at(&e, &yy, &mm) &&
                            yy == y && mm == k) {
                                cell(&e);
                                i++;
                        } else if (y == y1 && k > m1)
                                break;
                        else
                                fputs("    ", stdout);
                }
                putchar('\n');
        }
}

/* A month's cell of the heat map: the share of its days with something done. */
static void month_heat_cell(const StatsMonth *e) {
        int64_t days = e->days, active = e->active_days;
        int shade = active <= 0 || days <= 0 ? 0 : 1 + (int) ((active * 4 - 1) / days);
        putchar(' ');
        heat_cell(shade);
        putchar(' ');
}

static void month_mood_cell(const StatsMonth *e) {
        printf(" %s  ", spark(e->mood));
}

static void month_response_cell(const StatsMonth *e) {
        printf(" %s  ", spark(e->response));
}

static void print_month_view(json_object *monthly) {
        print_month_grid("Acts done", monthly, month_heat_cell);
        printf("%14s %sless%s ", "", DIM, RESET);
        for (int i = 0; i < 5; i++)
                heat_cell(i);
        printf("%smore (the share of the days with an act)%s\n\n", DIM, RESET);
        print_month_grid("Mood", monthly, month_mood_cell);
        print_month_grid("Responses", monthly, month_response_cell);
        printf("%14s %s(per month, 1-5)%s\n", "", DIM, RESET);
}

static void print_items_table(const char *label, json_object *items) {
        size_t n = bus_list_length(items);
        for (size_t i = 0; i < n; i++) {
                StatsItem it = {};
                (void) bus_map_entry(items, i, stats_item_map, &it);
                printf("%s%-14s%s %.1f  %s %s(%s, %" PRIi64 " %s)%s\n", BOLD, i == 0 ? label : "", RESET, it.response,
                       it.title ?: "", DIM, it.category ?: "", it.acts, plural(it.acts, "act", "acts"), RESET);
        }
        if (n == 0)
                printf("%s%-14s%s %s(none yet: it takes 3 acts with a response)%s\n", BOLD, label, RESET, DIM, RESET);
}

/* A line of rain check figures of one side (GetStats "promises" or
 * "promises_owed_to_me"). */
static void print_promise_counts(const char *label, json_object *j) {
        StatsPromises pr = {};
        (void) bus_map_reply(j, stats_promises_map, &pr);
        int64_t kept = pr.kept, broken = pr.broken;
        printf("%s%-14s%s %" PRIi64 " kept (%" PRIi64 " on time), %" PRIi64 " broken, moved %" PRIi64
               " by me and %" PRIi64 " by my partner, %" PRIi64 " open", BOLD, label, RESET, kept, pr.kept_on_time,
               broken, pr.moved_by_me, pr.moved_by_partner, pr.open);
        if (kept + broken > 0)
                printf(": %.0f%% kept", 100.0 * (double) kept / (double) (kept + broken));
        putchar('\n');
}

int verb_stats(int argc, char **argv) {
        _cleanup_json_ json_object *j = NULL;
        StatsInfo st = {};
        uint64_t weeks = 12;
        if (arg.weeks && (parse_uint(arg.weeks, UINT32_MAX, &weeks) < 0 || weeks == 0))
                return usage_error("--weeks must be a number of weeks from 1 to 520, not '%.*s%s'", ECHO(arg.weeks));
        int r = call_json("GetStats", &j, "u", (uint32_t) weeks);
        if (r < 0)
                return r;
        (void) bus_map_reply(j, stats_map, &st);
        hide_private_each(st.top_items);
        hide_private_each(st.flat_items);
        if (arg.json)
                return print_json(j);

        int64_t nweeks = st.weeks, current = st.streak_current, longest = st.streak_longest;
        int64_t n_days = (int64_t) bus_list_length(st.days);
        bool by_month = nweeks > STATS_WEEKS_FIT;
        printf("%sThe last %" PRIi64 " %s%s, %s to %s\n\n", BOLD, nweeks, plural(nweeks, "week", "weeks"), RESET,
               human_date(st.from) ?: "", human_date(st.to) ?: "");
        if (by_month && st.monthly)
                print_month_view(st.monthly);
        else if (st.days)
                print_heatmap(st.days);
        putchar('\n');
        char window[32] = "this week";
        if (nweeks != 1)
                (void) snprintf(window, sizeof(window), "these %" PRIi64 " weeks", nweeks);
        printf("%s%-14s%s %" PRIi64 " %s now, longest %" PRIi64 " %s in %s, %" PRIi64 " all time\n", BOLD, "Streak",
               RESET, current, plural(current, "day", "days"), longest, plural(longest, "day", "days"), window,
               st.streak_longest_all);
        printf("%s%-14s%s %" PRIi64 " done (%" PRIi64 " daily, %" PRIi64 " %s), %" PRIi64 " rerolled, on %" PRIi64
               " of %" PRIi64 " %s\n", BOLD, "Acts", RESET, st.acts_done, st.daily_done, st.extras,
               plural(st.extras, "extra", "extras"), st.rerolled, st.days_with_acts, n_days,
               plural(n_days, "day", "days"));
        if (st.weekly && !by_month) {
                print_sparkline("Mood", st.weekly, false);
                print_sparkline("Responses", st.weekly, true);
        }
        putchar('\n');
        if (st.top_items)
                print_items_table("Best received", st.top_items);
        if (bus_list_length(st.flat_items) > 0)
                print_items_table("Falls flat", st.flat_items);
        for (size_t i = 0; i < bus_list_length(st.categories); i++) {
                StatsItem c = {};
                (void) bus_map_entry(st.categories, i, stats_item_map, &c);
                printf("%s%-14s%s %-9s %3" PRIi64 " %s", BOLD, i == 0 ? "By category" : "", RESET, c.category ?: "",
                       c.acts, plural(c.acts, "act", "acts"));
                if (c.response > 0) {
                        printf("%s  %.1f ", c.acts == 1 ? " " : "", c.response);
                        for (int k = 0; k < (int) (c.response * 2 + 0.5); k++)
                                fputs("█", stdout);
                }
                putchar('\n');
        }
        putchar('\n');
        StatsDateNights dn = {};
        if (bus_map_reply(st.date_nights, stats_datenights_map, &dn) >= 0)
                printf("%s%-14s%s %" PRIi64 " happened, %" PRIi64 " remote, %" PRIi64 " %s, %" PRIi64
                       " missed, %" PRIi64 " skipped%s\n", BOLD, "Date nights", RESET, dn.happened, dn.remote,
                       dn.makeup, plural(dn.makeup, "make-up", "make-ups"), dn.missed, dn.skipped,
                       dn.unlogged > 0 ? ", some not logged yet" : "");
        if (st.promises)
                print_promise_counts("Rain checks", st.promises);
        if (st.promises_owed_to_me)
                print_promise_counts("Owed to me", st.promises_owed_to_me);
        StatsInitiations in = {};
        if (bus_map_reply(st.initiations, stats_initiations_map, &in) >= 0)
                printf("%s%-14s%s me %" PRIi64 " (%" PRIi64 " accepted), my partner %" PRIi64 " (%" PRIi64
                       " accepted)\n", BOLD, "Initiations", RESET, in.by_me, in.by_me_accepted, in.by_partner,
                       in.by_partner_accepted);
        return 0;
}
