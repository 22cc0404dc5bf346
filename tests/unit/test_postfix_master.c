/* SPDX-License-Identifier: MIT */
/* Unit tests for postfix_master.c: master.cf syntax (master(5)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_postfix_master.h"

static struct mc_postfix_master *parse(const char *text)
{
    struct mc_postfix_master *m = NULL;
    char *why = NULL;
    if (mc_postfix_master_parse(text, strlen(text), &m, &why) != MC_OK)
        fail_msg("parse failed: %s", why);
    return m;
}

static void services_overrides_and_lines(void **state)
{
    (void)state;
    struct mc_postfix_master *m = parse(
        "# comment\n"
        "smtp      inet  n       -       y       -       -       smtpd\n"
        "  -o smtpd_tls_security_level=may\n"
        "   # an indented comment does not end the service\n"
        "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
        "\n"
        "relay     unix  -       -       n       -       -       smtp -osmtp_helo_name=a.test\n"
        "  -o smtp_helo_name=b.test\n"
        "#tlsproxy unix  -       -       y       -       0       tlsproxy\n");
    assert_int_equal(m->nservices, 2);
    const struct mc_postfix_service *s = mc_postfix_master_find(m, "smtp", "inet");
    assert_non_null(s);
    assert_string_equal(s->command, "smtpd");
    assert_int_equal(s->line, 2);
    assert_int_equal(s->noverrides, 2);
    assert_string_equal(s->overrides[0].name, "smtpd_tls_security_level");
    assert_string_equal(s->overrides[0].value, "may");
    assert_int_equal(s->overrides[0].line, 3);
    assert_string_equal(s->overrides[1].name, "smtpd_client_restrictions");
    assert_string_equal(s->overrides[1].value, "permit_sasl_authenticated, reject");
    assert_int_equal(s->overrides[1].line, 5);
    const struct mc_postfix_service *r = mc_postfix_master_find(m, "relay", "unix");
    assert_non_null(r);
    assert_int_equal(r->line, 7);
    /* The last -o of a name wins, as in Postfix. */
    const struct mc_postfix_override *o = mc_postfix_service_override(r, "smtp_helo_name");
    assert_non_null(o);
    assert_string_equal(o->value, "b.test");
    assert_int_equal(o->line, 8);
    /* The commented-out tlsproxy line is no service. */
    assert_null(mc_postfix_master_find(m, "tlsproxy", "unix"));
    assert_null(mc_postfix_master_find(m, "smtp", "unix"));
    mc_postfix_master_free(m);
}

static void expect_error(const char *text, size_t len, const char *needle)
{
    struct mc_postfix_master *m = NULL;
    char *why = NULL;
    assert_int_equal(mc_postfix_master_parse(text, len, &m, &why), MC_ERR_INPUT);
    assert_null(m);
    assert_non_null(why);
    if (!strstr(why, needle))
        fail_msg("'%s' does not say '%s'", why, needle);
    free(why);
}

static void errors_name_the_line(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"  continuation first\n", "line 1"},
        {"smtp inet n - y - - smtpd\nshort unix -\n", "line 2: 3 fields"},
        {"smtp inet n - y - - smtpd -o\n", "-o at the end"},
        {"smtp inet n - y - - smtpd -o novalue\n", "-o without name=value"},
        {"smtp inet n - y - - smtpd -o { a = b\n", "'{' without its '}'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i][0], strlen(cases[i][0]), cases[i][1]);
    expect_error("smtp inet n - y - - smtpd\n\0\n", 28, "NUL");
}

static void empty_is_no_services(void **state)
{
    (void)state;
    struct mc_postfix_master *m = parse("# nothing\n\n");
    assert_int_equal(m->nservices, 0);
    assert_null(mc_postfix_master_find(m, "smtp", "inet"));
    mc_postfix_master_free(m);
}

static void long_services_are_linear_and_bounded(void **state)
{
    (void)state;
    /* One service continued over 1,000 lines of one override each: read,
     * each override on its own line. */
    size_t cap = 64 + 1001 * 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "relay unix - - n - - smtp\n");
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(text + len, cap - len, "  -o p%d=v\n", i);
    struct mc_postfix_master *m = NULL;
    char *why = NULL;
    assert_int_equal(mc_postfix_master_parse(text, len, &m, &why), MC_OK);
    assert_int_equal(m->services[0].noverrides, 1000);
    assert_int_equal(m->services[0].overrides[999].line, 1001);
    mc_postfix_master_free(m);
    /* The 1,001st is refused. */
    len += (size_t)snprintf(text + len, cap - len, "  -o last=v\n");
    assert_int_equal(mc_postfix_master_parse(text, len, &m, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "more than 1000 -o overrides"));
    free(why);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(services_overrides_and_lines),
        cmocka_unit_test(errors_name_the_line),
        cmocka_unit_test(empty_is_no_services),
        cmocka_unit_test(long_services_are_linear_and_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
