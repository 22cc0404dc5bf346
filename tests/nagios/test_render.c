/* SPDX-License-Identifier: MIT */
/*
 * test_render.c - the plugin and Prometheus renderers on report trees built
 * by hand, with strings as hostile as a DNS server can send (TXT data is
 * raw bytes): no '|' or newline may leave the first line of the plugin
 * output, no control byte any output, and label values are escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "mc_render.h"

static const char hostile[] = "a|b\nc\r\033[31md\"e\\f\x7f\xc3\xa9|";

static struct mc_report *sample_report(void)
{
    struct mc_report *r = mc_report_new();
    r->host = "mail.example.test";
    r->duration_ms = 1234;
    r->queries = 9;
    struct mc_report_family *v4 = &r->families[MC_FAMILY_IPV4];
    v4->status = MC_VERDICT_PASS;
    v4->spf_lookups = 3;
    v4->naddresses = 2;
    v4->addresses = mc_arena_alloc(r->arena, 2 * sizeof *v4->addresses);
    for (size_t i = 0; i < 2; i++) {
        struct mc_report_address *a = mc_arena_alloc(r->arena, sizeof *a);
        a->ip.family = AF_INET;
        a->address = i ? "192.0.2.26" : "192.0.2.25";
        a->ptr = mc_arena_alloc(r->arena, sizeof *a->ptr);
        a->ptr[0] = hostile;
        a->nptr = 1;
        v4->addresses[i] = a;
    }
    mc_report_add_finding(r, "ptr-generic", MC_SEV_WARNING, hostile, hostile, hostile);
    mc_report_add_finding(r, "spf-neutral-all", MC_SEV_INFO, "example.test", "info", NULL);
    mc_report_add_finding(r, "ptr-missing", MC_SEV_CRITICAL, "192.0.2.26", hostile, NULL);
    mc_report_settle(r);
    return r;
}

static void assert_clean(const char *out)
{
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p >= 0x7f)
            fail_msg("byte 0x%02x at offset %zu", *p, (size_t)(p - (const unsigned char *)out));
}

static void test_nagios(void **state)
{
    (void)state;
    struct mc_report *r = sample_report();
    struct mc_render_options opt = {.verbose = 2, .warning = "5", .critical = "@10:20"};
    char *out = mc_render_nagios(r, &opt);
    assert_clean(out);
    const char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1] == '\0' ? 0 : 1, 1); /* long output follows */
    size_t pipes = 0;
    for (const char *p = out; p < nl; p++)
        pipes += *p == '|';
    assert_int_equal(pipes, 1);
    assert_null(strchr(nl, '|'));
    assert_true(strncmp(out, "MAILCHECK CRITICAL - mail.example.test: ", 40) == 0);
    /* The critical finding first, then the warning by code and subject. */
    const char *crit = strstr(out, "(ptr-missing)");
    const char *warn = strstr(out, "also ptr-generic");
    assert_non_null(crit);
    assert_non_null(warn);
    assert_true(crit < warn && warn < nl);
    const char *perf = strstr(out, " | ");
    assert_non_null(perf);
    assert_memory_equal(perf,
                        " | time=1.234s;5;@10:20;0 queries=9;;;0 addresses=2;;;0 "
                        "spf_lookups_ipv4=3;;;0;10\n",
                        (size_t)(nl - perf + 1));
    /* Long output: every finding, worst first. */
    const char *c = strstr(nl, "[CRITICAL]"), *w = strstr(nl, "[WARNING]"),
               *i = strstr(nl, "[INFO]");
    assert_true(c && w && i && c < w && w < i);
    free(out);
    mc_report_free(r);
}

static void test_nagios_bad_input(void **state)
{
    (void)state;
    struct mc_report *r = mc_report_new();
    r->input = hostile;
    mc_report_add_finding(r, "bad-input", MC_SEV_UNKNOWN, hostile, "HOST is not valid", NULL);
    mc_report_settle(r);
    struct mc_render_options opt = {0};
    char *out = mc_render_nagios(r, &opt);
    assert_clean(out);
    assert_true(strncmp(out, "MAILCHECK UNKNOWN - HOST is not valid (bad-input)\n", 50) == 0);
    assert_null(strchr(out, '|'));
    free(out);
    mc_report_free(r);
}

static void test_openmetrics_labels(void **state)
{
    (void)state;
    struct mc_report *r = sample_report();
    r->host = "h\\o\"st\n";
    struct mc_render_options opt = {0};
    char *out = mc_render_openmetrics(r, &opt);
    assert_clean(out);
    assert_non_null(strstr(out, "mailcheck_status{host=\"h\\\\o\\\"st\\\\010\"} 2\n"));
    assert_non_null(
        strstr(out, "mailcheck_check_duration_seconds{host=\"h\\\\o\\\"st\\\\010\"} 1.234\n"));
    assert_non_null(strstr(out, "# TYPE mailcheck_family_verdict gauge\n"));
    free(out);
    mc_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nagios),
        cmocka_unit_test(test_nagios_bad_input),
        cmocka_unit_test(test_openmetrics_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
