/* SPDX-License-Identifier: MIT */
/*
 * test_range.c - the Monitoring Plugins threshold syntax (mc_range.h):
 * every form of the guidelines' table, its edges and what is rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mc_range.h"

struct alert_case {
    const char *range;
    double value;
    bool alert;
};

static void test_alerts(void **state)
{
    (void)state;
    /* The table of the Monitoring Plugins Development Guidelines. */
    static const struct alert_case cases[] = {
        {"10", -0.001, true},    {"10", 0, false},      {"10", 10, false},
        {"10", 10.001, true},    {"10:", 9.999, true},  {"10:", 10, false},
        {"10:", 1e9, false},     {"~:10", -1e9, false}, {"~:10", 10, false},
        {"~:10", 10.5, true},    {"10:20", 9, true},    {"10:20", 10, false},
        {"10:20", 20, false},    {"10:20", 21, true},   {"@10:20", 9, false},
        {"@10:20", 10, true},    {"@10:20", 15, true},  {"@10:20", 20, true},
        {"@10:20", 20.1, false}, {"0.5", 0.6, true},    {"0.5", 0.5, false},
        {"-5:-1", -3, false},    {"-5:-1", 0, true},    {"@~:0.25", 0.1, true},
        {"@~:0.25", 0.3, false}, {"+3", 4, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mc_range r;
        assert_true(mc_range_parse(cases[i].range, &r));
        if (mc_range_alert(&r, cases[i].value) != cases[i].alert)
            fail_msg("range %s, value %g: expected alert=%d", cases[i].range, cases[i].value,
                     cases[i].alert);
    }
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",     "@",   ":",     ":10", "~:", "~",    "10:5", "-1", "a",     "10s", "1e3", "1,5",
        "10:x", "@@1", "1:2:3", " 1",  "1 ", "0x10", "10::", ".",  "~:10:", "--1", "@:5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mc_range r;
        if (mc_range_parse(bad[i], &r))
            fail_msg("'%s' was accepted", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
