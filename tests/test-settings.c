/* SPDX-License-Identifier: MIT */
/*
 * test-settings: the typed reads and writes of settings (daemon/settings.h)
 * over a real store in a fresh directory under /tmp: the default when unset,
 * the value written, and the default with -EINVAL for a value damaged by
 * hand or out of range.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "settings.h"
#include "store.h"

typedef struct Fixture {
        char tmp[64];
        Store *store;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        if (!f)
                return -1;
        strcpy(f->tmp, "/tmp/test-settings-XXXXXX");
        if (!mkdtemp(f->tmp) || store_open(f->tmp, &f->store, NULL) < 0) {
                free(f);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        static const char *const files[] = { "closer.db", "closer.db-wal", "closer.db-shm" };
        store_free(f->store);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char path[128];
                (void) snprintf(path, sizeof(path), "%s/%s", f->tmp, files[i]);
                (void) unlink(path);
        }
        (void) rmdir(f->tmp);
        free(f);
        return 0;
}

static void test_unset_gives_default(void **state) {
        Store *s = ((Fixture *) *state)->store;
        int64_t i = 0, d = 0;
        bool b = false;
        int minute = 0;
        char *text = NULL;

        assert_int_equal(settings_get_int64(s, "x.int", 42, &i), 0);
        assert_int_equal(i, 42);
        assert_int_equal(settings_get_bool(s, "x.bool", true, &b), 0);
        assert_true(b);
        assert_int_equal(settings_get_duration(s, "x.duration", 3600, &d), 0);
        assert_int_equal(d, 3600);
        assert_int_equal(settings_get_minute(s, "x.time", 480, &minute), 0);
        assert_int_equal(minute, 480);
        assert_int_equal(settings_get_string(s, "x.text", "fri", &text), 0);
        assert_string_equal(text, "fri");
        free(text);
        assert_int_equal(settings_get_string(s, "x.text", NULL, &text), 0);
        assert_null(text);
        assert_string_equal(setting_default("ics.weeks"), "12");
        assert_null(setting_default("no.such.key"));
}

static void test_round_trip(void **state) {
        Store *s = ((Fixture *) *state)->store;
        int64_t i = 0, d = 0;
        bool b = true;
        int minute = 0;
        char *text = NULL;

        assert_int_equal(settings_set_int64(s, "x.int", -7), 0);
        assert_int_equal(settings_get_int64(s, "x.int", 0, &i), 1);
        assert_int_equal(i, -7);
        assert_int_equal(settings_set_bool(s, "x.bool", false), 0);
        assert_int_equal(settings_get_bool(s, "x.bool", true, &b), 1);
        assert_false(b);
        assert_int_equal(settings_set_duration(s, "x.duration", 5400), 0);
        assert_int_equal(settings_get_string(s, "x.duration", NULL, &text), 1);
        assert_string_equal(text, "1h30min");
        free(text);
        assert_int_equal(settings_get_duration(s, "x.duration", 0, &d), 1);
        assert_int_equal(d, 5400);
        assert_int_equal(settings_set_minute(s, "x.time", 20 * 60 + 5), 0);
        assert_int_equal(settings_get_minute(s, "x.time", 0, &minute), 1);
        assert_int_equal(minute, 20 * 60 + 5);
        assert_int_equal(settings_set_string(s, "x.text", "sat"), 0);
        assert_int_equal(settings_get_string(s, "x.text", "fri", &text), 1);
        assert_string_equal(text, "sat");
        free(text);
        assert_int_equal(settings_unset(s, "x.text"), 0);
        assert_int_equal(settings_unset(s, "x.text"), 0);
        assert_int_equal(settings_get_string(s, "x.text", NULL, &text), 0);
        assert_null(text);
}

static void test_bad_values(void **state) {
        Store *s = ((Fixture *) *state)->store;
        int64_t i = 0, d = 0;
        bool b = false;
        int minute = 0;

        /* What the setters refuse. */
        assert_int_equal(settings_set_minute(s, "x.time", 24 * 60), -EINVAL);
        assert_int_equal(settings_set_minute(s, "x.time", -1), -EINVAL);
        assert_int_equal(settings_set_duration(s, "x.duration", 0), -EINVAL);
        assert_int_equal(settings_set_string(s, "x.text", NULL), -EINVAL);

        /* Damaged by hand: the default, and -EINVAL. */
        assert_int_equal(store_setting_set(s, "x.int", "12abc"), 0);
        assert_int_equal(settings_get_int64(s, "x.int", 5, &i), -EINVAL);
        assert_int_equal(i, 5);
        assert_int_equal(settings_lenient(settings_get_int64(s, "x.int", 5, &i)), 0);
        assert_int_equal(store_setting_set(s, "x.int", "200"), 0);
        assert_int_equal(settings_get_int64_range(s, "x.int", 1, 104, 12, &i), -EINVAL);
        assert_int_equal(i, 12);
        assert_int_equal(settings_get_int64_range(s, "x.int", 1, 200, 12, &i), 1);
        assert_int_equal(i, 200);
        assert_int_equal(store_setting_set(s, "x.bool", "yes"), 0);
        assert_int_equal(settings_get_bool(s, "x.bool", true, &b), -EINVAL);
        assert_true(b);
        assert_int_equal(store_setting_set(s, "x.duration", "soon"), 0);
        assert_int_equal(settings_get_duration(s, "x.duration", 60, &d), -EINVAL);
        assert_int_equal(d, 60);
        assert_int_equal(store_setting_set(s, "x.time", "25:00"), 0);
        assert_int_equal(settings_get_minute(s, "x.time", 480, &minute), -EINVAL);
        assert_int_equal(minute, 480);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unset_gives_default, setup, teardown),
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
