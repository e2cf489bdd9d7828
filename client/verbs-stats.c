/* SPDX-License-Identifier: MIT */
/* closerctl: what was recorded: history and stats. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-client.h"
#include "closerctl.h"
#include "echo.h"
#include "helpers.h"
#include "verbs-stats.h"

/* --- history --- */


static void print_note(json_object *e) {
        if (jstr(e, "note"))
                printf(", note: %s", jstr(e, "note"));
}

/* One entry of the history, after its time and kind columns. */
static void print_history_entry(json_object *e) {
        const char *kind = jstr(e, "kind") ?: "";
        if (streq(kind, "act") || streq(kind, "extra")) {
                printf("%s", jstr(e, "title") ?: "");
                if (jint(e, "item", 0) > 0)
                        printf(" %s(item %" PRIi64 ")%s", DIM, jint(e, "item", 0), RESET);
                printf(": %s", jstr(e, "outcome") ?: "");
                if (jint(e, "response", 0) > 0)
                        printf(", response %" PRIi64 "/5", jint(e, "response", 0));
                print_note(e);
        } else if (streq(kind, "mood")) {
                printf("%" PRIi64 "/5%s", jint(e, "mood", 0), jbool(e, "last") ? " (the day's mood)" : "");
                print_note(e);
        } else if (streq(kind, "date_night")) {
                printf("%s, %s, until %s", jstr(e, "mode") ?: "", jstr(e, "status") ?: "",
                       human_clock(jstr(e, "end") ?: ""));
                if (jbool(e, "moved"))
                        printf(", moved");
                if (jint(e, "makeup_for", 0) > 0)
                        printf(", makes up for night %" PRIi64, jint(e, "makeup_for", 0));
        } else if (streq(kind, "advance")) {
                printf("by %s, %s", streq(jstr(e, "by") ?: "", "partner") ? "my partner" : "me",
                       jbool(e, "accepted") ? "accepted" : "declined");
                if (jint(e, "promise", 0) > 0)
                        printf(", rain check %" PRIi64, jint(e, "promise", 0));
                print_note(e);
        } else if (streq(kind, "promise")) {
                const char *event = jstr(e, "event") ?: "";
                printf("%" PRIi64 " %s", jint(e, "id", 0), event);
                if (streq(event, "moved"))
                        printf(" by %s from %s to %s", streq(jstr(e, "by") ?: "", "partner") ? "my partner" : "me",
                               human_time(jstr(e, "from") ?: ""), human_time(jstr(e, "to") ?: ""));
                else
                        printf(", due %s", human_time(jstr(e, "due") ?: ""));
                if (jstr(e, "what"))
                        printf(", %s", jstr(e, "what"));
                if (jstr(e, "where"))
                        printf(", at %s", jstr(e, "where"));
        } else if (streq(kind, "date_night_change"))
                printf("%" PRIi64 " %s (was %s)", jint(e, "id", 0), jstr(e, "to") ?: "", jstr(e, "from") ?: "");
        else if (streq(kind, "pause"))
                printf("until %s", human_date(jstr(e, "until") ?: ""));
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
                json_object *e = json_object_array_get_idx(entries, i);
                const char *date = jstr(e, "date") ?: "";
                if (!day || !streq(day, date)) {
                        printf("%s%s%s%s\n", i > 0 ? "\n" : "", BOLD, human_date(date), RESET);
                        day = date;
                }
                const char *kind = jstr(e, "kind") ?: "";
                printf("  %5s  %-10s ", jstr(e, "time") ? human_clock(jstr(e, "time")) : "",
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

static void print_sparkline(const char *label, json_object *weekly, const char *key) {
        double last = 0;
        printf("%s%-14s%s ", BOLD, label, RESET);
        for (size_t i = 0; i < json_object_array_length(weekly); i++) {
                double v = jdouble(json_object_array_get_idx(weekly, i), key, 0);
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
        size_t n = json_object_array_length(days), weeks = (n + 6) / 7;
        /* Month names over the first column of each month. */
        printf("%s%-14s%s ", BOLD, "Acts done", RESET);
        int last_month = -1;
        for (size_t w = 0; w < weeks; w++) {
                const char *date = jstr(json_object_array_get_idx(days, w * 7), "date");
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
                        if (i < n)
                                heat_cell(jint(json_object_array_get_idx(days, i), "acts", 0));
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
static bool month_at(json_object *e, int *ret_year, int *ret_month) {
        const char *m = jstr(e, "month");
        if (!m || strlen(m) < 7)
                return false;
        *ret_year = atoi(m);
        *ret_month = atoi(m + 5) - 1;
        return *ret_month >= 0 && *ret_month < 12;
}

/* The month view: a row per year, a column per month; cell() prints 4
 * columns for a month. */
static void print_month_grid(const char *label, json_object *monthly, void (*cell)(json_object *)) {
        size_t n = json_object_array_length(monthly);
        int y0, m0, y1, m1;
        if (n == 0 || !month_at(json_object_array_get_idx(monthly, 0), &y0, &m0) ||
            !month_at(json_object_array_get_idx(monthly, n - 1), &y1, &m1))
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
                        json_object *e = i < n ? json_object_array_get_idx(monthly, i) : NULL;
                        if (e && month_at(e, &yy, &mm) && yy == y && mm == k) {
                                cell(e);
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
static void month_heat_cell(json_object *e) {
        int64_t days = jint(e, "days", 0), active = jint(e, "active_days", 0);
        int shade = active <= 0 || days <= 0 ? 0 : 1 + (int) ((active * 4 - 1) / days);
        putchar(' ');
        heat_cell(shade);
        putchar(' ');
}

static void month_mood_cell(json_object *e) {
        printf(" %s  ", spark(jdouble(e, "mood", 0)));
}

static void month_response_cell(json_object *e) {
        printf(" %s  ", spark(jdouble(e, "response", 0)));
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
        size_t n = json_object_array_length(items);
        for (size_t i = 0; i < n; i++) {
                json_object *it = json_object_array_get_idx(items, i);
                int64_t acts = jint(it, "acts", 0);
                printf("%s%-14s%s %.1f  %s %s(%s, %" PRIi64 " %s)%s\n", BOLD, i == 0 ? label : "", RESET,
                       jdouble(it, "response", 0), jstr(it, "title") ?: "", DIM, jstr(it, "category") ?: "", acts,
                       plural(acts, "act", "acts"), RESET);
        }
        if (n == 0)
                printf("%s%-14s%s %s(none yet: it takes 3 acts with a response)%s\n", BOLD, label, RESET, DIM, RESET);
}

/* A line of rain check figures of one side (GetStats "promises" or
 * "promises_owed_to_me"). */
static void print_promise_counts(const char *label, json_object *pr) {
        int64_t kept = jint(pr, "kept", 0), broken = jint(pr, "broken", 0);
        printf("%s%-14s%s %" PRIi64 " kept (%" PRIi64 " on time), %" PRIi64 " broken, moved %" PRIi64
               " by me and %" PRIi64 " by my partner, %" PRIi64 " open", BOLD, label, RESET, kept,
               jint(pr, "kept_on_time", 0), broken, jint(pr, "moved_by_me", 0), jint(pr, "moved_by_partner", 0),
               jint(pr, "open", 0));
        if (kept + broken > 0)
                printf(": %.0f%% kept", 100.0 * (double) kept / (double) (kept + broken));
        putchar('\n');
}

int verb_stats(int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t weeks = 12;
        if (arg.weeks && (parse_uint(arg.weeks, UINT32_MAX, &weeks) < 0 || weeks == 0))
                return usage_error("--weeks must be a number of weeks from 1 to 520, not '%.*s%s'", ECHO(arg.weeks));
        int r = call("GetStats", &reply, "u", (uint32_t) weeks);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *st = reply_to_json(reply);
        if (!st)
                return fail("cannot read the reply");
        const char *const item_lists[] = { "top_items", "flat_items" };
        for (size_t i = 0; i < ELEMENTSOF(item_lists); i++) {
                json_object *l;
                if (json_object_object_get_ex(st, item_lists[i], &l))
                        hide_private_each(l);
        }
        if (arg.json)
                return print_json(st);

        json_object *days = NULL, *weekly = NULL, *top = NULL, *flat = NULL, *cats = NULL, *dn = NULL, *pr = NULL,
                    *owed = NULL, *in = NULL, *monthly = NULL;
        (void) json_object_object_get_ex(st, "monthly", &monthly);
        (void) json_object_object_get_ex(st, "days", &days);
        (void) json_object_object_get_ex(st, "weekly", &weekly);
        (void) json_object_object_get_ex(st, "top_items", &top);
        (void) json_object_object_get_ex(st, "flat_items", &flat);
        (void) json_object_object_get_ex(st, "categories", &cats);
        (void) json_object_object_get_ex(st, "date_nights", &dn);
        (void) json_object_object_get_ex(st, "promises", &pr);
        (void) json_object_object_get_ex(st, "promises_owed_to_me", &owed);
        (void) json_object_object_get_ex(st, "initiations", &in);

        int64_t nweeks = jint(st, "weeks", 0), current = jint(st, "streak_current", 0);
        int64_t longest = jint(st, "streak_longest", 0), n_days = days ? (int64_t) json_object_array_length(days) : 0;
        bool by_month = nweeks > STATS_WEEKS_FIT;
        printf("%sThe last %" PRIi64 " %s%s, %s to %s\n\n", BOLD, nweeks, plural(nweeks, "week", "weeks"), RESET,
               human_date(jstr(st, "from")) ?: "", human_date(jstr(st, "to")) ?: "");
        if (by_month && monthly)
                print_month_view(monthly);
        else if (days)
                print_heatmap(days);
        putchar('\n');
        char window[32] = "this week";
        if (nweeks != 1)
                (void) snprintf(window, sizeof(window), "these %" PRIi64 " weeks", nweeks);
        printf("%s%-14s%s %" PRIi64 " %s now, longest %" PRIi64 " %s in %s, %" PRIi64 " all time\n", BOLD, "Streak",
               RESET, current, plural(current, "day", "days"), longest, plural(longest, "day", "days"), window,
               jint(st, "streak_longest_all", 0));
        printf("%s%-14s%s %" PRIi64 " done (%" PRIi64 " daily, %" PRIi64 " %s), %" PRIi64 " rerolled, on %" PRIi64
               " of %" PRIi64 " %s\n", BOLD, "Acts", RESET, jint(st, "acts_done", 0), jint(st, "daily_done", 0),
               jint(st, "extras", 0), plural(jint(st, "extras", 0), "extra", "extras"), jint(st, "rerolled", 0),
               jint(st, "days_with_acts", 0), n_days, plural(n_days, "day", "days"));
        if (weekly && !by_month) {
                print_sparkline("Mood", weekly, "mood");
                print_sparkline("Responses", weekly, "response");
        }
        putchar('\n');
        if (top)
                print_items_table("Best received", top);
        if (flat && json_object_array_length(flat) > 0)
                print_items_table("Falls flat", flat);
        for (size_t i = 0; cats && i < json_object_array_length(cats); i++) {
                json_object *c = json_object_array_get_idx(cats, i);
                double resp = jdouble(c, "response", 0);
                int64_t acts = jint(c, "acts", 0);
                printf("%s%-14s%s %-9s %3" PRIi64 " %s", BOLD, i == 0 ? "By category" : "", RESET,
                       jstr(c, "category") ?: "", acts, plural(acts, "act", "acts"));
                if (resp > 0) {
                        printf("%s  %.1f ", acts == 1 ? " " : "", resp);
                        for (int k = 0; k < (int) (resp * 2 + 0.5); k++)
                                fputs("█", stdout);
                }
                putchar('\n');
        }
        putchar('\n');
        if (dn)
                printf("%s%-14s%s %" PRIi64 " happened, %" PRIi64 " remote, %" PRIi64 " %s, %" PRIi64
                       " missed, %" PRIi64 " skipped%s\n", BOLD, "Date nights", RESET, jint(dn, "happened", 0),
                       jint(dn, "remote", 0), jint(dn, "makeup", 0), plural(jint(dn, "makeup", 0), "make-up", "make-ups"),
                       jint(dn, "missed", 0), jint(dn, "skipped", 0),
                       jint(dn, "unlogged", 0) > 0 ? ", some not logged yet" : "");
        if (pr)
                print_promise_counts("Rain checks", pr);
        if (owed)
                print_promise_counts("Owed to me", owed);
        if (in)
                printf("%s%-14s%s me %" PRIi64 " (%" PRIi64 " accepted), my partner %" PRIi64 " (%" PRIi64
                       " accepted)\n", BOLD, "Initiations", RESET, jint(in, "by_me", 0), jint(in, "by_me_accepted", 0),
                       jint(in, "by_partner", 0), jint(in, "by_partner_accepted", 0));
        return 0;
}
