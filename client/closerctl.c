/* SPDX-License-Identifier: MIT */
/*
 * closerctl: the command line of closer. A thin client: every command is a
 * call of closerd's D-Bus API and a presentation of the reply; no database,
 * no schedule logic. --json prints the reply as one JSON document.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bus-client.h"
#include "echo.h"
#include "helpers.h"
#include "macro.h"
#include "output.h"
#include "verbs-datenight.h"
#include "verbs-items.h"
#include "verbs-monitor.h"
#include "verbs-calendar.h"
#include "verbs-partner.h"
#include "verbs-practice.h"
#include "verbs-promise.h"
#include "verbs-share.h"
#include "verbs-stats.h"

Args arg = { .private = -1, .discreet = -1 };

/* Every option, once: its name, its bit in a command's set of options, and
 * where its value goes (a string, or a number set to flag_value). */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): the fields in the table's reading order */
typedef struct Option {
        const char *name;
        int has_arg;
        uint64_t bit;
        const char **value;
        int *flag;
        int flag_value;
        const char *hint; /* the values it takes, for "needs a value (...)" */
} Option;

static const Option options[] = {
        { "json", no_argument, OPT_JSON, .flag = &arg.json, .flag_value = 1 },
        { "category", required_argument, OPT_CATEGORY, &arg.category, .hint = "affection, love, lust, fun" },
        { "intensity", required_argument, OPT_INTENSITY, &arg.intensity,
          .hint = "1 gentle, 2 intimate, 3 explicit" },
        { "private", no_argument, OPT_PRIVATE, .flag = &arg.private, .flag_value = 1 },
        { "public", no_argument, OPT_PRIVATE, .flag = &arg.private, .flag_value = 0 },
        { "details", required_argument, OPT_DETAILS, &arg.details, .hint = "a text" },
        { "title", required_argument, OPT_TITLE, &arg.title, .hint = "a text" },
        { "discreet", no_argument, OPT_DISCREET, .flag = &arg.discreet, .flag_value = 1 },
        { "no-discreet", no_argument, OPT_DISCREET, .flag = &arg.discreet, .flag_value = 0 },
        { "from", required_argument, OPT_FROM, &arg.from, .hint = "a file, or - for standard input" },
        { "idea", required_argument, OPT_IDEA, &arg.idea, .hint = "the number of an idea, see list ideas" },
        { "note", required_argument, OPT_NOTE, &arg.note, .hint = "a text" },
        { "response", required_argument, OPT_RESPONSE, &arg.response, .hint = "1-5" },
        { "mood", required_argument, OPT_MOOD, &arg.mood, .hint = "1-5" },
        { "until", required_argument, OPT_UNTIL, &arg.until, .hint = "a date, YYYY-MM-DD" },
        { "by", required_argument, OPT_BY, &arg.by, .hint = "me or partner" },
        { "raincheck", required_argument, OPT_RAINCHECK, &arg.raincheck, .hint = "WHEN, e.g. sat 20:00" },
        { "what", required_argument, OPT_WHAT, &arg.what, .hint = "a text" },
        { "where", required_argument, OPT_WHERE, &arg.where, .hint = "a text" },
        { "by-partner", no_argument, OPT_BY_PARTNER, .flag = &arg.by_partner, .flag_value = 1 },
        { "all", no_argument, OPT_ALL, .flag = &arg.all, .flag_value = 1 },
        { "weekday", required_argument, OPT_WEEKDAY, &arg.weekday, .hint = "mon, tue, ... sun" },
        { "time", required_argument, OPT_TIME, &arg.time, .hint = "HH:MM" },
        { "vary", no_argument, OPT_VARY, .flag = &arg.vary, .flag_value = 1 },
        { "weekdays", required_argument, OPT_WEEKDAYS, &arg.weekdays, .hint = "weekdays, e.g. fri,sat" },
        { "duration", required_argument, OPT_DURATION, &arg.duration, .hint = "e.g. 3h or 90min" },
        { "weeks", required_argument, OPT_WEEKS, &arg.weeks, .hint = "a number of weeks" },
        { "replace", no_argument, OPT_REPLACE, .flag = &arg.replace, .flag_value = 1 },
        { "yes", no_argument, OPT_YES, .flag = &arg.yes, .flag_value = 1 },
        { "owed-by", required_argument, OPT_OWED_BY, &arg.owed_by, .hint = "me or partner" },
        { "since", required_argument, OPT_SINCE, &arg.since, .hint = "a date, YYYY-MM-DD" },
        { "item", required_argument, OPT_ITEM, &arg.item, .hint = "an item ID" },
        { "off", no_argument, OPT_OFF, .flag = &arg.off, .flag_value = 1 },
        { "vdirsyncer", no_argument, OPT_VDIRSYNCER, .flag = &arg.vdirsyncer, .flag_value = 1 },
};

/* --- the verb table and help --- */

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* positional, counting the verb's own name words as one */
        uint64_t options;
        int (*run)(int argc, char **argv);
        const char *usage;
        const char *help;
} Verb;

static const Verb verbs[] = {
        { "status", 1, 1, OPT_JSON, verb_status, "status",
          "Phase, ramp, streak, list sizes, what comes next, and warnings." },
        { "today", 1, 1, OPT_JSON, verb_today, "today",
          "Today's act from my partner's list, tonight's date night, promises due." },
        { "done", 1, 1, OPT_JSON | OPT_RESPONSE | OPT_MOOD | OPT_NOTE, verb_done,
          "done [--response N] [--mood N] [--note T]",
          "Today's act is done. --response: how my partner responded, 1-5; --mood: my\n"
          "partner's overall mood today, 1-5; --note: what I noticed." },
        { "reroll", 1, 1, OPT_JSON, verb_reroll, "reroll", "Another act for today (the skip is recorded)." },
        { "extra", 2, 2, OPT_JSON | OPT_RESPONSE | OPT_NOTE, verb_extra, "extra ITEM_ID|TEXT [--response N] [--note T]",
          "An unscheduled moment: an item of my partner's list, or anything else." },
        { "mood", 2, 2, OPT_JSON | OPT_NOTE, verb_mood, "mood N [--note T]", "My partner's mood today, 1-5." },
        { "pause", 1, 1, OPT_JSON | OPT_UNTIL, verb_pause, "pause --until DATE",
          "Pause the practice through DATE (illness, a hard time): no daily act, no\n"
          "lapse, and the streak is kept." },
        { "resume", 1, 1, OPT_JSON, verb_resume, "resume", "End a pause today." },
        { "datenight set", 1, 1, OPT_JSON | OPT_WEEKDAY | OPT_TIME | OPT_VARY | OPT_WEEKDAYS | OPT_DURATION,
          verb_datenight_set, "datenight set (--weekday D --time HH:MM | --vary [--weekdays D,D]) [--duration 3h]",
          "The weekly date night: the same weekday every week, or varied over some\n"
          "weekdays (a different one each week, the same on both partners' machines).\n"
          "Default: fri 20:00 for 3h; --vary alone varies over fri,sat,sun." },
        { "datenight move", 2, 5, OPT_JSON, verb_datenight_move, "datenight move [ID] WHEN",
          "Move one date night (by default the next). WHEN as for advance." },
        { "datenight skip", 1, 2, OPT_JSON, verb_datenight_skip, "datenight skip [ID]",
          "Skip one date night (by default the next); it stays in the calendar, cancelled." },
        { "datenight unskip", 1, 2, OPT_JSON, verb_datenight_unskip, "datenight unskip [ID]",
          "Undo a skip (by default of the next skipped night): planned again, and back\n"
          "in the calendar." },
        { "datenight log", 2, 3, OPT_JSON, verb_datenight_log, "datenight log [ID] happened|missed",
          "How a past date night went (by default the latest without an outcome, else\n"
          "the latest with one). Given again, the last outcome counts." },
        { "datenight", 1, 1, OPT_JSON, verb_datenight, "datenight",
          "The date nights: the recent ones and the coming ics.weeks weeks." },
        { "away cancel", 2, 2, OPT_JSON, verb_away_cancel, "away cancel ID",
          "Cancel an away period: its coming date nights are in person again, and the\n"
          "make-ups it owed and that have not happened are no longer owed." },
        { "away", 1, 3, OPT_JSON, verb_away, "away [FROM TO]",
          "Apart from FROM to TO (YYYY-MM-DD, both days apart): the date nights in\n"
          "between become remote, and each is made up in person after TO. Without\n"
          "FROM TO: the away periods (ID, from, to, remote nights, make-ups owed)." },
        { "export-ics", 1, 2, OPT_JSON, verb_export_ics, "export-ics [FILE|-]",
          "The date nights and open rain checks as iCalendar (stdout without FILE or\n"
          "with -). closerd also keeps $XDG_DATA_HOME/closer/datenights.ics current." },
        { "calendar", 1, 1, OPT_JSON | OPT_VDIRSYNCER, verb_calendar, "calendar [--vdirsyncer]",
          "The calendar closerd keeps for calendar apps: the vdir calendar/ in\n"
          "$XDG_DATA_HOME/closer/ (one file per date night and rain check, written only\n"
          "when that event changed, for khal and vdirsyncer), its events and last write.\n"
          "--vdirsyncer prints a vdirsyncer config for it, to put it on a CalDAV server\n"
          "that a phone's calendar (DAVx5, iOS) shows." },
        { "advance", 2, 9, OPT_JSON | OPT_BY | OPT_RAINCHECK | OPT_WHAT | OPT_WHERE | OPT_NOTE, verb_advance,
          "advance --by me|partner accepted|declined [--raincheck WHEN] [--what T] [--where T] [--note T]",
          "Record an initiation. Declining my partner's advance needs a rain check:\n"
          "--raincheck WHEN (and, if you like, --what and --where) makes the promise.\n"
          "Whoever declined owes it: --by me declined --raincheck WHEN is one my\n"
          "partner owes me.\n\n"
          "WHEN: YYYY-MM-DD HH:MM, HH:MM (today), tomorrow HH:MM, a weekday and HH:MM\n"
          "(sat 20:00, the next one), +2h, +30min, +1d." },
        { "raincheck", 2, 4, OPT_JSON | OPT_WHAT | OPT_WHERE | OPT_OWED_BY, verb_raincheck,
          "raincheck WHEN [--what T] [--where T] [--owed-by me|partner]",
          "Make a promise on its own: one I owe (the default), or --owed-by partner:\n"
          "one my partner owes me. WHEN as for advance." },
        { "promise kept", 2, 2, OPT_JSON, verb_promise_resolve, "promise kept ID", "The rain check was kept." },
        { "promise broken", 2, 2, OPT_JSON, verb_promise_resolve, "promise broken ID",
          "The rain check was not kept: a setback; make it up soon." },
        { "promise reopen", 2, 2, OPT_JSON, verb_promise_resolve, "promise reopen ID",
          "Undo kept, broken or cancelled: the rain check is open again and counts as\n"
          "neither kept nor broken. The undo is recorded, nothing is deleted." },
        { "promise cancel", 2, 2, OPT_JSON, verb_promise_resolve, "promise cancel ID",
          "A rain check made by mistake: cancelled, it counts neither as kept nor as\n"
          "broken, and stays in promise --all." },
        { "promise move", 3, 5, OPT_JSON | OPT_BY_PARTNER, verb_promise_move, "promise move ID WHEN [--by-partner]",
          "Move a rain check. Moved by my partner it does not count against me." },
        { "promise", 1, 2, OPT_JSON | OPT_ALL, verb_promise, "promise [--all]",
          "The rain checks: open and moved ones, the overdue marked, and the recent resolved\n"
          "ones (--all: every one; --json always lists every one). OWED: \"I owe\", or\n"
          "\"Sam owes me\" for the ones my partner owes me." },
        { "history", 1, 1, OPT_JSON | OPT_SINCE | OPT_UNTIL | OPT_ITEM, verb_history,
          "history [--since DATE] [--until DATE] [--item ID]",
          "What was recorded, day by day: acts, extras, moods, date nights, advances,\n"
          "rain checks and pauses; the last 4 weeks unless told, at most 10 years." },
        { "stats", 1, 1, OPT_JSON | OPT_WEEKS, verb_stats, "stats [--weeks N]",
          "Acts, responses, mood, date nights, promises and initiations of the last N\n"
          "weeks (default 12, at most 520): a calendar heat map of acts done, sparklines\n"
          "of mood and responses, the best-received items and the ones that fall flat.\n"
          "Past 32 weeks (what fits 80 columns) the heat map has a column per month." },
        { "monitor", 1, 1, OPT_JSON, verb_monitor, "monitor",
          "Print closerd's signals as they arrive, one line each (--json: one JSON\n"
          "object per line), until interrupted." },
        { "list add", 1, 2, OPT_JSON | ITEM_OPTS | OPT_FROM | OPT_IDEA, verb_list_add,
          "list add TITLE [--category C] [--intensity N] [--private|--public] [--details T]\n"
          "  list add --from FILE|-\n"
          "  list add --idea N",
          "Add an item to my list: what makes me feel loved. Categories: affection,\n"
          "love, lust, fun (default affection); intensity 1 gentle (default), 2 intimate,\n"
          "3 explicit; explicit items are private unless --public.\n\n"
          "--from FILE (or - for stdin) adds many at once, all or nothing, from a text\n"
          "file: a title a line; blank lines and # comments skipped; [affection], [love],\n"
          "[lust], [fun] lines start a category; a leading ! makes an item private; a\n"
          "trailing *, ** or *** sets the intensity 1, 2 or 3.\n"
          "--idea N adds starter idea N (see list ideas)." },
        { "list ideas", 1, 1, OPT_JSON | OPT_CATEGORY, verb_list_ideas, "list ideas [--category C]",
          "Starter ideas to help write the first 30-50 items." },
        { "list export", 1, 2, OPT_JSON, verb_list_export, "list export [FILE]",
          "Write my list as an iCalendar file of to-dos for my partner (stdout without FILE or with -)." },
        { "list edit", 2, 2, OPT_JSON | ITEM_OPTS | OPT_TITLE, verb_list_edit,
          "list edit ID [--title T] [--details T] [--category C] [--intensity N] [--private|--public]",
          "Change an item of my list." },
        { "list show", 2, 2, OPT_JSON | OPT_DISCREET, verb_list_show, "list show ID [--discreet]",
          "Everything about one item of my list or my partner's: how often it was done,\n"
          "its average response, when last." },
        { "list rm", 2, 2, OPT_JSON, verb_list_rm, "list rm ID",
          "Remove an item from my list (the next export tells my partner's copy)." },
        { "list", 1, 2, OPT_JSON | OPT_DISCREET, verb_list, "list [mine|partner] [--discreet]",
          "Show my list, or my partner's with my review of each item. --discreet shows\n"
          "private partner items by their category only." },
        { "partner import", 2, 2, OPT_JSON | OPT_REPLACE, verb_partner_import, "partner import FILE|- [--replace]",
          "Import my partner's exported list: all or nothing; the same file twice changes\n"
          "nothing; a newer export updates by UID and keeps my reviews where the text\n"
          "did not change (a changed item goes back to review: to discuss where I said\n"
          "no). My own export and a file with no list items are refused, and so is\n"
          "another partner's list unless --replace, which forgets the old one." },
        { "partner review", 3, 3, OPT_JSON | OPT_NOTE, verb_partner_review,
          "partner review ID ok|discuss|no [--note T]",
          "My review of an item of my partner's list: ok, discuss (we talk about it),\n"
          "no (after talking, off the table); the note keeps the middle ground we found." },
        { "partner forget", 1, 1, OPT_JSON | OPT_YES, verb_partner_forget, "partner forget [--yes]",
          "Forget my partner's whole list, for instance after importing the wrong file:\n"
          "its items leave the daily pick and list partner; the acts done keep their\n"
          "titles. Asks once on a terminal; elsewhere it needs --yes." },
        { "partner follow", 1, 2, OPT_JSON | OPT_OFF, verb_partner_follow, "partner follow [DIR] [--off]",
          "Follow my partner's list in DIR, a folder of tasks (one .ics file each, a\n"
          "vdir) that vdirsyncer keeps from the CalDAV task list my partner fills on a\n"
          "phone (tasks.org, jtx Board, OpenTasks, Apple Reminders): closerd imports it\n"
          "whenever it changes, by content, and a task whose file is gone is removed. A\n"
          "task names its category (affection, love, lust, fun) and its intensity\n"
          "(gentle, intimate, explicit) by tags, else it is affection and gentle; a tag\n"
          "private makes it private. Without DIR: what is followed and when it was last\n"
          "read. --off stops following; the list stays." },
        { "partner discuss", 1, 1, OPT_JSON | OPT_DISCREET, verb_partner_discuss, "partner discuss [--discreet]",
          "What is left to talk about: items not yet reviewed or under discussion." },
        { "share", 1, 2, OPT_JSON | OPT_OFF, verb_share, "share [DIR] [--off]",
          "Share the practice with my partner through DIR, a folder that Syncthing (or\n"
          "any folder sync) keeps the same on both machines: closerd writes my list, my\n"
          "reviews, the rain checks I owe, my plan changes, advances and acts into its\n"
          "own member folder DIR/<member-id>/ and reads my partner's. My observations\n"
          "never leave this machine. Without DIR: the folder, my partner once seen, when\n"
          "I last published and received, and any problems. --off stops reading and\n"
          "writing and leaves the files alone." },
        { "set", 3, 3, OPT_JSON, verb_set, "set KEY VALUE",
          "Change a setting: me.name, partner.name, daily.time (HH:MM), start (cold,\n"
          "cooling, warm), datenight.remind (1h, 30min), notify and notify.reveal (on/off),\n"
          "ics.weeks, discreet (on/off: --discreet by default). The value a setting\n"
          "already has changes nothing (the ramp restarts only with ramp restart)." },
        { "get", 1, 2, OPT_JSON, verb_get, "get [KEY]", "Show the settings, or one of them." },
        { "ramp restart", 1, 1, OPT_JSON, verb_ramp_restart, "ramp restart",
          "Start the ramp again today: the intensity cap of the start kind (setting\n"
          "start) widens week by week from today, as when the practice began." },
};

static void help_verb(const Verb *v) {
        printf("Usage: closerctl [--json] %s\n\n%s\n", v->usage, v->help);
}

/* The command families: the first words of two-word commands. */
static bool is_family(const char *word) {
        size_t n = strlen(word);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strncmp(verbs[i].name, word, n) == 0 && verbs[i].name[n] == ' ')
                        return true;
        return false;
}

static void help_family(const char *family) {
        size_t n = strlen(family);
        printf("Usage: closerctl [--json] %s COMMAND ...\n\nCommands:\n", family);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strncmp(verbs[i].name, family, n) == 0 && (verbs[i].name[n] == ' ' || !verbs[i].name[n])) {
                        const char *nl = strchr(verbs[i].help, '\n');
                        printf("  %s\n      %.*s%s\n", verbs[i].usage, nl ? (int) (nl - verbs[i].help) : INT_MAX,
                               verbs[i].help, nl ? " ..." : "");
                }
        printf("\nSee closerctl %s COMMAND --help for one of them, and closerctl(1).\n", family);
}

static int help(void) {
        printf("Usage: closerctl [--json] COMMAND ...\n\n"
               "Keep the love list practice: one small act a day from my partner's list,\n"
               "a weekly date night, and every rain check kept. Talks to closerd on the\n"
               "session bus.\n\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].usage);
        printf("\nOptions:\n"
               "  -h --help         Show help (closerctl COMMAND --help for one command or family)\n"
               "     --version      Show the version\n"
               "  -j --json         Print one JSON document on stdout\n"
               "     --discreet     Show private items by their category and ID only (the\n"
               "                    setting discreet makes it the default; --no-discreet\n"
               "                    overrides it once)\n\n"
               "Exit status: 0 on success, 1 when the daemon refused or failed, 2 on a usage error.\n"
               "See closerctl(1).\n");
        return 0;
}

static const Verb *find_verb(int argc, char **argv, int *ret_words) {
        /* Two-word commands ("list add") first, then one word ("list"). */
        if (argc >= 2)
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                        const char *sp = strchr(verbs[i].name, ' ');
                        if (sp && strncmp(verbs[i].name, argv[0], sp - verbs[i].name) == 0 &&
                            strlen(argv[0]) == (size_t) (sp - verbs[i].name) && streq(sp + 1, argv[1])) {
                                *ret_words = 2;
                                return &verbs[i];
                        }
                }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[0])) {
                        *ret_words = 1;
                        return &verbs[i];
                }
        return NULL;
}

/* Which options were given, by their index in options[]: errors name them as typed. */
static bool given[ELEMENTSOF(options)];

/* The first option given of those in bits, as typed. */
static const char *given_name(uint64_t bits) {
        for (size_t i = 0; i < ELEMENTSOF(options); i++)
                if (given[i] && (options[i].bit & bits))
                        return options[i].name;
        return "an option";
}

/* The command line again with "--" before argument k: how to pass a value
 * that starts with '-'. */
static char *with_dashdash(int argc, char *argv[], int k) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);
        if (!f)
                return NULL;
        fputs("closerctl", f);
        for (int i = 1; i < argc; i++)
                fprintf(f, "%s %s", i == k ? " --" : "", argv[i]);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static int unknown_option(int argc, char *argv[], int opt) {
        /* The word it came in: a short option may stand inside a cluster ("-1h"). */
        int k = optind - 1;
        if (opt && optind < argc && argv[optind][0] == '-' && strchr(argv[optind] + 1, opt))
                k = optind;
        if (k < 1 || k >= argc)
                return usage_error("unknown option (see closerctl --help)");
        const char *word = argv[k];
        if (word[0] == '-' && word[1] != '-') {
                /* A value such as -1h: it goes after "--". */
                _cleanup_free_ char *fixed = with_dashdash(argc, argv, k);
                return usage_error("unknown option '%.*s%s' (a value that starts with '-' goes after --: %.*s%s)",
                                   ECHO(word), ECHO(fixed ?: "closerctl -- ..."));
        }
        return usage_error("unknown option '%.*s%s' (see closerctl --help)", ECHO(word));
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_FIRST };
        struct option longopts[ELEMENTSOF(options) + 4] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
        };
        for (size_t i = 0; i < ELEMENTSOF(options); i++)
                longopts[i + 2] = (struct option) { options[i].name, options[i].has_arg, NULL, ARG_FIRST + (int) i };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hj", longopts, NULL)) >= 0) {
                if (c >= ARG_FIRST && c < ARG_FIRST + (int) ELEMENTSOF(options)) {
                        const Option *o = &options[c - ARG_FIRST];
                        if (o->value)
                                *o->value = optarg;
                        else
                                *o->flag = o->flag_value;
                        arg.given |= o->bit;
                        given[c - ARG_FIRST] = true;
                        continue;
                }
                switch (c) {
                case 'h':
                        arg.help = true;
                        break;
                case 'j':
                        arg.json = true;
                        arg.given |= OPT_JSON;
                        break;
                case ARG_VERSION:
                        printf("closerctl %s\n", VERSION);
                        return 0;
                case ':':
                        if (optopt >= ARG_FIRST && optopt < ARG_FIRST + (int) ELEMENTSOF(options)) {
                                const Option *o = &options[optopt - ARG_FIRST];
                                return usage_error("option --%s needs a value (%s)", o->name, o->hint);
                        }
                        return usage_error("option '%.*s%s' needs a value", ECHO(argv[optind - 1]));
                case '?':
                        if (optopt >= ARG_FIRST || optopt == ARG_VERSION || optopt == 'h')
                                return usage_error("option '%.*s%s' takes no value", ECHO(argv[optind - 1]));
                        return unknown_option(argc, argv, optopt);
                default:
                        return usage_error("cannot read the options");
                }
        }
        return 1;
}

static int run(int argc, char *argv[]) {
        int r, words = 0;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        use_color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !arg.json;

        int n = argc - optind;
        char **args = argv + optind;
        if (n == 0) {
                if (arg.help)
                        return help();
                return usage_error("no command given (see closerctl --help)");
        }
        const Verb *v = find_verb(n, args, &words);
        if (is_family(args[0]) && (!v || (words == 1 && arg.help))) {
                if (n == 1 || arg.help) {
                        help_family(args[0]);
                        return 0;
                }
                return usage_error("unknown command '%.*s%s %.*s%s' (see closerctl %s --help)", ECHO(args[0]),
                                   ECHO(args[1]), args[0]);
        }
        if (!v)
                return usage_error("unknown command '%.*s%s' (see closerctl --help)", ECHO(args[0]));
        if (arg.help) {
                help_verb(v);
                return 0;
        }
        /* The name words count as one argument: "list add X" is 2. */
        int nargs = n - words + 1;
        if (nargs < v->min_args || nargs > v->max_args)
                return usage_error("%s: wrong number of arguments; usage: closerctl %s", v->name, v->usage);
        /* --json and --discreet go with every command. */
        uint64_t extra = arg.given & ~(v->options | OPT_JSON | OPT_DISCREET);
        if (extra)
                return usage_error("%s does not take --%s (see closerctl %s --help)", v->name, given_name(extra),
                                   v->name);
        return v->run(nargs, args + words - 1);
}

int main(int argc, char *argv[]) {
        /* A reader that stops early (| head) ends closerctl quietly. */
        (void) signal(SIGPIPE, SIG_DFL);

        int r = run(argc, argv);
        sd_bus_flush_close_unref(bus);
        if (close_stdout() < 0 && r >= 0)
                r = -EIO;
        if (r < 0 && !failure_reported())
                fail("%s", r == ERR_USAGE ? "usage error (see closerctl --help)"
                                          : "cannot read closerd's reply or build the call");
        return r == ERR_USAGE ? 2 : r < 0 ? 1 : 0;
}
