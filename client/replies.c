/* SPDX-License-Identifier: MIT */
/* The tables of replies.h: a reply's key, its D-Bus type, its field. */
#include "replies.h"

const BusField status_map[] = {
        BUS_FIELD("phase", "s", StatusInfo, phase),
        BUS_FIELD("phase_progress", "s", StatusInfo, phase_progress),
        BUS_FIELD("start", "s", StatusInfo, start),
        BUS_FIELD("ramp_intensity", "u", StatusInfo, ramp_intensity),
        BUS_FIELD("streak_days", "?", StatusInfo, has_streak_days),
        BUS_FIELD("streak_days", "u", StatusInfo, streak_days),
        BUS_FIELD("my_items", "u", StatusInfo, my_items),
        BUS_FIELD("partner_items", "u", StatusInfo, partner_items),
        BUS_FIELD("ramp_widens", "s", StatusInfo, ramp_widens),
        BUS_FIELD("rerolls_today", "u", StatusInfo, rerolls_today),
        BUS_FIELD("next_daily_act", "s", StatusInfo, next_daily_act),
        BUS_FIELD("next_date_night", "?", StatusInfo, has_next_date_night),
        BUS_FIELD("next_date_night", "s", StatusInfo, next_date_night),
        BUS_FIELD("followed", "s", StatusInfo, followed),
        BUS_FIELD("followed_read", "s", StatusInfo, followed_read),
        BUS_FIELD("warnings", "as", StatusInfo, warnings),
        {}
};

const BusField item_map[] = {
        BUS_FIELD("id", "t", ItemInfo, id),
        BUS_FIELD("list", "s", ItemInfo, list),
        BUS_FIELD("title", "s", ItemInfo, title),
        BUS_FIELD("details", "s", ItemInfo, details),
        BUS_FIELD("category", "s", ItemInfo, category),
        BUS_FIELD("intensity", "u", ItemInfo, intensity),
        BUS_FIELD("private", "b", ItemInfo, private),
        BUS_FIELD("review", "s", ItemInfo, review),
        BUS_FIELD("note", "s", ItemInfo, note),
        BUS_FIELD("done", "u", ItemInfo, done),
        BUS_FIELD("response", "d", ItemInfo, response),
        BUS_FIELD("last_done", "s", ItemInfo, last_done),
        {}
};

const BusField idea_map[] = {
        BUS_FIELD("number", "u", IdeaInfo, number),
        BUS_FIELD("category", "s", IdeaInfo, category),
        BUS_FIELD("intensity", "u", IdeaInfo, intensity),
        BUS_FIELD("title", "s", IdeaInfo, title),
        {}
};

const BusField import_summary_map[] = {
        BUS_FIELD("forgotten", "u", ImportSummary, forgotten),
        BUS_FIELD("added", "u", ImportSummary, added),
        BUS_FIELD("updated", "u", ImportSummary, updated),
        BUS_FIELD("removed", "u", ImportSummary, removed),
        BUS_FIELD("unchanged", "u", ImportSummary, unchanged),
        BUS_FIELD("older", "u", ImportSummary, older),
        BUS_FIELD("skipped", "u", ImportSummary, skipped),
        BUS_FIELD("review_again", "a(tssb)", ImportSummary, review_again),
        {}
};

const BusField review_result_map[] = {
        BUS_FIELD("replaced", "b", ReviewResult, replaced),
        BUS_FIELD("act", "a{sv}", ReviewResult, act),
        {}
};

const BusField act_map[] = {
        BUS_FIELD("id", "t", ActInfo, id),
        BUS_FIELD("item", "t", ActInfo, item),
        BUS_FIELD("title", "s", ActInfo, title),
        BUS_FIELD("intensity", "u", ActInfo, intensity),
        BUS_FIELD("private", "b", ActInfo, private),
        BUS_FIELD("done", "b", ActInfo, done),
        BUS_FIELD("category", "s", ActInfo, category),
        BUS_FIELD("response", "u", ActInfo, response),
        BUS_FIELD("note", "s", ActInfo, note),
        BUS_FIELD("twist", "s", ActInfo, twist),
        {}
};

const BusField today_map[] = {
        BUS_FIELD("date", "s", TodayInfo, date),
        BUS_FIELD("act", "a{sv}", TodayInfo, act),
        BUS_FIELD("no_act", "s", TodayInfo, no_act),
        BUS_FIELD("paused_until", "s", TodayInfo, paused_until),
        BUS_FIELD("date_night", "a{sv}", TodayInfo, date_night),
        BUS_FIELD("promises", "aa{sv}", TodayInfo, promises),
        BUS_FIELD("done_for_me", "aa{sv}", TodayInfo, done_for_me),
        {}
};

const BusField done_result_map[] = {
        BUS_FIELD("again", "b", DoneResult, again),
        BUS_FIELD("response", "u", DoneResult, response),
        BUS_FIELD("previous_response", "u", DoneResult, previous_response),
        {}
};

const BusField promise_map[] = {
        BUS_FIELD("id", "t", PromiseInfo, id),
        BUS_FIELD("due", "s", PromiseInfo, due),
        BUS_FIELD("status", "s", PromiseInfo, status),
        BUS_FIELD("overdue", "b", PromiseInfo, overdue),
        BUS_FIELD("owed_by", "s", PromiseInfo, owed_by),
        BUS_FIELD("what", "s", PromiseInfo, what),
        BUS_FIELD("where", "s", PromiseInfo, where),
        {}
};

const BusField when_map[] = {
        BUS_FIELD("time", "s", WhenInfo, time),
        BUS_FIELD("instant", "?", WhenInfo, has_instant),
        BUS_FIELD("instant", "x", WhenInfo, instant),
        BUS_FIELD("next_week", "b", WhenInfo, next_week),
        BUS_FIELD("gap", "s", WhenInfo, gap),
        {}
};

const BusField datenight_map[] = {
        BUS_FIELD("id", "t", DateNightInfo, id),
        BUS_FIELD("start", "s", DateNightInfo, start),
        BUS_FIELD("end", "s", DateNightInfo, end),
        BUS_FIELD("mode", "s", DateNightInfo, mode),
        BUS_FIELD("status", "s", DateNightInfo, status),
        BUS_FIELD("moved", "b", DateNightInfo, moved),
        BUS_FIELD("makeup_for", "t", DateNightInfo, makeup_for),
        {}
};

const BusField datenight_rule_map[] = {
        BUS_FIELD("vary", "b", DateNightRule, vary),
        BUS_FIELD("weekday", "s", DateNightRule, weekday),
        BUS_FIELD("weekdays", "s", DateNightRule, weekdays),
        BUS_FIELD("time", "s", DateNightRule, time),
        BUS_FIELD("duration", "s", DateNightRule, duration),
        {}
};

const BusField away_map[] = {
        BUS_FIELD("id", "t", AwayInfo, id),
        BUS_FIELD("from", "s", AwayInfo, from),
        BUS_FIELD("to", "s", AwayInfo, to),
        BUS_FIELD("nights", "u", AwayInfo, nights),
        BUS_FIELD("makeups", "u", AwayInfo, makeups),
        {}
};

const BusField history_entry_map[] = {
        BUS_FIELD("kind", "s", HistoryEntry, kind),
        BUS_FIELD("date", "s", HistoryEntry, date),
        BUS_FIELD("time", "s", HistoryEntry, time),
        BUS_FIELD("title", "s", HistoryEntry, title),
        BUS_FIELD("item", "t", HistoryEntry, item),
        BUS_FIELD("outcome", "s", HistoryEntry, outcome),
        BUS_FIELD("response", "u", HistoryEntry, response),
        BUS_FIELD("note", "s", HistoryEntry, note),
        BUS_FIELD("mood", "u", HistoryEntry, mood),
        BUS_FIELD("last", "b", HistoryEntry, last),
        BUS_FIELD("mode", "s", HistoryEntry, mode),
        BUS_FIELD("status", "s", HistoryEntry, status),
        BUS_FIELD("end", "s", HistoryEntry, end),
        BUS_FIELD("moved", "b", HistoryEntry, moved),
        BUS_FIELD("makeup_for", "t", HistoryEntry, makeup_for),
        BUS_FIELD("by", "s", HistoryEntry, by),
        BUS_FIELD("accepted", "b", HistoryEntry, accepted),
        BUS_FIELD("promise", "t", HistoryEntry, promise),
        BUS_FIELD("event", "s", HistoryEntry, event),
        BUS_FIELD("id", "t", HistoryEntry, id),
        BUS_FIELD("from", "s", HistoryEntry, from),
        BUS_FIELD("to", "s", HistoryEntry, to),
        BUS_FIELD("due", "s", HistoryEntry, due),
        BUS_FIELD("what", "s", HistoryEntry, what),
        BUS_FIELD("where", "s", HistoryEntry, where),
        BUS_FIELD("until", "s", HistoryEntry, until),
        {}
};

const BusField stats_map[] = {
        BUS_FIELD("weeks", "u", StatsInfo, weeks),
        BUS_FIELD("from", "s", StatsInfo, from),
        BUS_FIELD("to", "s", StatsInfo, to),
        BUS_FIELD("streak_current", "u", StatsInfo, streak_current),
        BUS_FIELD("streak_longest", "u", StatsInfo, streak_longest),
        BUS_FIELD("streak_longest_all", "u", StatsInfo, streak_longest_all),
        BUS_FIELD("acts_done", "u", StatsInfo, acts_done),
        BUS_FIELD("daily_done", "u", StatsInfo, daily_done),
        BUS_FIELD("extras", "u", StatsInfo, extras),
        BUS_FIELD("rerolled", "u", StatsInfo, rerolled),
        BUS_FIELD("days_with_acts", "u", StatsInfo, days_with_acts),
        BUS_FIELD("days", "aa{sv}", StatsInfo, days),
        BUS_FIELD("weekly", "aa{sv}", StatsInfo, weekly),
        BUS_FIELD("monthly", "aa{sv}", StatsInfo, monthly),
        BUS_FIELD("top_items", "aa{sv}", StatsInfo, top_items),
        BUS_FIELD("flat_items", "aa{sv}", StatsInfo, flat_items),
        BUS_FIELD("categories", "aa{sv}", StatsInfo, categories),
        BUS_FIELD("date_nights", "a{sv}", StatsInfo, date_nights),
        BUS_FIELD("promises", "a{sv}", StatsInfo, promises),
        BUS_FIELD("promises_owed_to_me", "a{sv}", StatsInfo, promises_owed_to_me),
        BUS_FIELD("initiations", "a{sv}", StatsInfo, initiations),
        {}
};

const BusField stats_day_map[] = {
        BUS_FIELD("date", "s", StatsDay, date),
        BUS_FIELD("acts", "u", StatsDay, acts),
        {}
};

const BusField stats_week_map[] = {
        BUS_FIELD("mood", "d", StatsWeek, mood),
        BUS_FIELD("response", "d", StatsWeek, response),
        {}
};

const BusField stats_month_map[] = {
        BUS_FIELD("month", "s", StatsMonth, month),
        BUS_FIELD("days", "u", StatsMonth, days),
        BUS_FIELD("active_days", "u", StatsMonth, active_days),
        BUS_FIELD("mood", "d", StatsMonth, mood),
        BUS_FIELD("response", "d", StatsMonth, response),
        {}
};

const BusField stats_item_map[] = {
        BUS_FIELD("title", "s", StatsItem, title),
        BUS_FIELD("category", "s", StatsItem, category),
        BUS_FIELD("acts", "u", StatsItem, acts),
        BUS_FIELD("response", "d", StatsItem, response),
        {}
};

const BusField stats_datenights_map[] = {
        BUS_FIELD("happened", "u", StatsDateNights, happened),
        BUS_FIELD("remote", "u", StatsDateNights, remote),
        BUS_FIELD("makeup", "u", StatsDateNights, makeup),
        BUS_FIELD("missed", "u", StatsDateNights, missed),
        BUS_FIELD("skipped", "u", StatsDateNights, skipped),
        BUS_FIELD("unlogged", "u", StatsDateNights, unlogged),
        {}
};

const BusField stats_promises_map[] = {
        BUS_FIELD("kept", "u", StatsPromises, kept),
        BUS_FIELD("kept_on_time", "u", StatsPromises, kept_on_time),
        BUS_FIELD("broken", "u", StatsPromises, broken),
        BUS_FIELD("moved_by_me", "u", StatsPromises, moved_by_me),
        BUS_FIELD("moved_by_partner", "u", StatsPromises, moved_by_partner),
        BUS_FIELD("open", "u", StatsPromises, open),
        {}
};

const BusField stats_initiations_map[] = {
        BUS_FIELD("by_me", "u", StatsInitiations, by_me),
        BUS_FIELD("by_me_accepted", "u", StatsInitiations, by_me_accepted),
        BUS_FIELD("by_partner", "u", StatsInitiations, by_partner),
        BUS_FIELD("by_partner_accepted", "u", StatsInitiations, by_partner_accepted),
        {}
};
