/* SPDX-License-Identifier: MIT */
/*
 * test-shareplan: the couple's one plan (daemon/shareplan.c): keys and
 * values read and written, the winner of two entries by logical clock and
 * member ID (never anything else), an overruled entry told from one that
 * was seen, the rule's zone, and that both sides pick the same winners
 * whatever order the entries come in.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "macro.h"
#include "shareplan.h"

static const char *const ALEX = "0123456789abcdef0123456789abcdef";
static const char *const SAM = "fedcba9876543210fedcba9876543210";

static PlanEntry entry(const char *member, const char *value, uint64_t lc, uint64_t seen) {
        return (PlanEntry){ .key = (char *) "rule", .member = (char *) member, .value = (char *) value,
                            .lc = lc, .seen = seen };
}

static void test_keys(void **state) {
        PlanKey k;
        char buf[PLAN_TEXT_MAX];
        assert_int_equal(plan_key_parse("rule", &k), 0);
        assert_int_equal(k.kind, PLAN_KEY_RULE);
        /* 2026-12-07 is a Monday. */
        assert_int_equal(plan_key_parse("night:2026-12-07", &k), 0);
        assert_int_equal(k.kind, PLAN_KEY_NIGHT);
        assert_int_equal(k.day, day_from_ymd(2026, 12, 7));
        assert_int_equal(plan_key_format(&k, buf), 0);
        assert_string_equal(buf, "night:2026-12-07");
        assert_int_equal(plan_key_parse("makeup:2026-12-07", &k), 0);
        assert_int_equal(k.kind, PLAN_KEY_MAKEUP);
        assert_int_equal(plan_key_parse("away:2026-12-20:2026-12-27", &k), 0);
        assert_int_equal(k.kind, PLAN_KEY_AWAY);
        assert_int_equal(k.day2 - k.day, 7);
        assert_int_equal(plan_key_format(&k, buf), 0);
        assert_string_equal(buf, "away:2026-12-20:2026-12-27");

        const char *const bad[] = { "", "rules", "night:", "night:2026-12-08" /* a Tuesday */, "night:2026-13-07",
                                    "night:2026-12-07x", "away:2026-12-27:2026-12-20", "away:2026-12-20",
                                    "away:2026-12-20:2026-12-2", "Night:2026-12-07", "night:0000-01-03" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(plan_key_parse(bad[i], &k), -EINVAL);
        assert_int_equal(plan_key_parse(NULL, &k), -EINVAL);
}

static void test_rule_values(void **state) {
        DnRule r = { .weekday = 6, .minute = 19 * 60 + 30, .duration = 7200 }, back;
        int64_t remind;
        char buf[PLAN_TEXT_MAX], zone[LOCAL_ZONE_MAX];
        assert_int_equal(plan_rule_format(&r, 3600, "Europe/Berlin", buf), 0);
        assert_string_equal(buf, "fixed 6 1170 7200 3600 Europe/Berlin");
        assert_int_equal(plan_rule_parse(buf, &back, &remind, zone), 0);
        assert_false(back.vary);
        assert_int_equal(back.weekday, 6);
        assert_int_equal(back.minute, 1170);
        assert_int_equal(back.duration, 7200);
        assert_int_equal(remind, 3600);
        assert_string_equal(zone, "Europe/Berlin");

        DnRule v = { .vary = true, .weekdays_mask = 0x70, .minute = 1200, .duration = 10800 };
        assert_int_equal(plan_rule_format(&v, 1800, NULL, buf), 0);
        assert_string_equal(buf, "vary 112 1200 10800 1800");
        assert_int_equal(plan_rule_parse(buf, &back, &remind, zone), 0);
        assert_true(back.vary);
        assert_int_equal(back.weekdays_mask, 0x70);
        assert_string_equal(zone, "");

        const char *const bad[] = { "", "fixed", "fixed 8 1200 10800 3600", "fixed 0 1200 10800 3600",
                                    "vary 0 1200 10800 3600", "vary 128 1200 10800 3600", "fixed 5 1440 10800 3600",
                                    "fixed 5 1200 0 3600", "fixed 5 1200 10800 -1", "weekly 5 1200 10800 3600",
                                    "fixed 5 1200 10800 3600 ../etc/passwd", "fixed 5 1200 10800 3600 /etc/zone",
                                    "fixed 5 1200 10800 3600 Europe/Berlin x", "fixed 5 1200 10800 3600 Zone;rm",
                                    "fixed 5 1200 10800 3600 " };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(plan_rule_parse(bad[i], &back, &remind, zone), -EINVAL);
                assert_false(plan_entry_is_valid("rule", bad[i]));
        }
        assert_int_equal(plan_rule_format(&r, 3600, "../x", buf), -EINVAL);
}

static void test_night_values(void **state) {
        PlanNightValue v = { .status = DN_SKIPPED, .start = 1796850000, .duration = 10800, .moved = true }, back;
        char buf[PLAN_TEXT_MAX];
        assert_int_equal(plan_night_format(&v, buf), 0);
        assert_string_equal(buf, "skipped 1796850000 10800 1");
        assert_int_equal(plan_night_parse(buf, &back), 0);
        assert_int_equal(back.status, DN_SKIPPED);
        assert_int_equal(back.start, 1796850000);
        assert_true(back.moved);
        assert_true(plan_entry_is_valid("night:2026-12-07", buf));
        assert_false(plan_entry_is_valid("away:2026-12-07:2026-12-08", buf));

        const char *const bad[] = { "", "skipped", "skipped 1 10800", "done 1796850000 10800 0",
                                    "planned -1 10800 0", "planned 1796850000 0 0", "planned 1796850000 10800 2",
                                    "planned 99999999999999 10800 0", "planned 1796850000 10800 0 extra" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(plan_night_parse(bad[i], &back), -EINVAL);

        bool on;
        assert_int_equal(plan_away_parse("on", &on), 0);
        assert_true(on);
        assert_int_equal(plan_away_parse("cancelled", &on), 0);
        assert_false(on);
        assert_int_equal(plan_away_parse("off", &on), -EINVAL);
}

/* The later write wins; on the same clock the higher member ID does; wall
 * time is no part of it (an entry has none). */
static void test_winner(void **state) {
        PlanEntry a1 = entry(ALEX, "x", 1, 0), s2 = entry(SAM, "y", 2, 1), a2 = entry(ALEX, "z", 2, 0);
        assert_true(plan_entry_wins(&s2, &a1));
        assert_false(plan_entry_wins(&a1, &s2));
        assert_true(plan_entry_wins(&s2, &a2)); /* same lc: SAM > ALEX */
        assert_false(plan_entry_wins(&a2, &s2));
        assert_true(plan_entry_wins(&a1, NULL));
}

/* Sam wrote after seeing Alex's entry: no one was overruled. Written while
 * apart (seen below Alex's lc) to another value: Alex was. The same value
 * overrules nothing. */
static void test_overruled(void **state) {
        PlanEntry alex = entry(ALEX, "fixed 5 1200 10800 3600", 3, 0);
        PlanEntry seen = entry(SAM, "fixed 6 1200 10800 3600", 4, 3);
        PlanEntry apart = entry(SAM, "fixed 6 1200 10800 3600", 3, 1);
        PlanEntry same = entry(SAM, "fixed 5 1200 10800 3600", 3, 1);
        PlanEntry loser = entry(SAM, "fixed 6 1200 10800 3600", 2, 0);
        assert_false(plan_entry_overrules(&seen, &alex));
        assert_true(plan_entry_overrules(&apart, &alex));
        assert_false(plan_entry_overrules(&same, &alex));
        assert_false(plan_entry_overrules(&loser, &alex)); /* it does not even win */
        assert_false(plan_entry_overrules(&apart, NULL));
        /* And seen from Sam's side, Alex's losing entry overrules nothing. */
        assert_false(plan_entry_overrules(&alex, &apart));
}

/* Both machines end with the same winner whatever order they got the
 * entries in: the winner is a maximum, not the last one read. */
static void test_same_on_both(void **state) {
        PlanEntry e[] = { entry(ALEX, "a", 1, 0), entry(SAM, "b", 1, 0), entry(ALEX, "c", 3, 1),
                          entry(SAM, "d", 3, 1), entry(SAM, "e", 2, 1) };
        size_t n = ELEMENTSOF(e);
        for (size_t rot = 0; rot < n; rot++) {
                const PlanEntry *best = NULL;
                for (size_t i = 0; i < n; i++) {
                        const PlanEntry *x = &e[(i + rot) % n];
                        if (!best || plan_entry_wins(x, best))
                                best = x;
                }
                assert_string_equal(best->value, "d");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keys),        cmocka_unit_test(test_rule_values),
                cmocka_unit_test(test_night_values), cmocka_unit_test(test_winner),
                cmocka_unit_test(test_overruled),   cmocka_unit_test(test_same_on_both),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
