/* SPDX-License-Identifier: MIT */
/* Unit tests for dnsbl_table.c: the table's syntax, its errors (file and
 * line), the shipped share/mailcheck/dnsbl.conf (every code of every list
 * means what its line says), the generic rule and retired zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_dnsbl_table.h"

#define Q(a, b, c, d)                                                                              \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct mc_dnsbl_table *parse(const char *text)
{
    struct mc_dnsbl_table *t = NULL;
    char *why = NULL;
    if (mc_dnsbl_table_parse(text, strlen(text), "t.conf", &t, &why) != MC_OK)
        fail_msg("parse failed: %s", why);
    return t;
}

static void expect_error(const char *text, const char *want)
{
    struct mc_dnsbl_table *t = NULL;
    char *why = NULL;
    assert_int_equal(mc_dnsbl_table_parse(text, strlen(text), "t.conf", &t, &why), MC_ERR_INPUT);
    assert_null(t);
    assert_non_null(why);
    if (!strstr(why, want))
        fail_msg("message '%s' lacks '%s'", why, want);
    free(why);
}

static void syntax_lists_codes_and_comments(void **state)
{
    (void)state;
    struct mc_dnsbl_table *t = parse("# a comment\n"
                                     "\n"
                                     "list Bl.Example.ORG. address ipv4-only\n"
                                     "  listed 127.0.0.2 spam source\n"
                                     "\tlisted 127.0.0.4-127.0.0.7   exploited host  \n"
                                     "  error 127.255.255.254 public resolver\n"
                                     "list dbl.example.org domain\n"
                                     "  dqs dbl.dq.example.net\n"
                                     "  listed 127.0.1.2 spam domain\n"
                                     "retired dead.example 2024-06-05 it closed\n");
    size_t n;
    const struct mc_dnsbl_list *lists = mc_dnsbl_table_lists(t, &n);
    assert_int_equal(n, 3);
    assert_string_equal(lists[0].zone, "bl.example.org"); /* lowercased, no trailing dot */
    assert_int_equal(lists[0].kind, MC_DNSBL_KIND_ADDRESS);
    assert_true(lists[0].ipv4_only);
    assert_int_equal(lists[0].ncodes, 3);
    assert_int_equal(lists[0].line, 3);
    const struct mc_dnsbl_code *c = mc_dnsbl_classify(&lists[0], Q(127, 0, 0, 6));
    assert_non_null(c);
    assert_int_equal(c->class, MC_DNSBL_LISTED);
    assert_string_equal(c->meaning, "exploited host"); /* blanks around it dropped */
    c = mc_dnsbl_classify(&lists[0], Q(127, 255, 255, 254));
    assert_int_equal(c->class, MC_DNSBL_ERROR);
    assert_null(mc_dnsbl_classify(&lists[0], Q(127, 0, 0, 3)));
    assert_null(mc_dnsbl_classify(&lists[0], Q(127, 0, 0, 8)));
    assert_int_equal(lists[1].kind, MC_DNSBL_KIND_DOMAIN);
    assert_string_equal(lists[1].dqs, "dbl.dq.example.net");
    assert_null(lists[0].dqs);
    assert_string_equal(lists[2].retired, "2024-06-05");
    assert_string_equal(lists[2].retired_why, "it closed");
    mc_dnsbl_table_free(t);
}

static void find_exact_and_retired_ancestors(void **state)
{
    (void)state;
    struct mc_dnsbl_table *t = parse("list bl.example.org address\n"
                                     "  listed 127.0.0.2 spam\n"
                                     "retired sorbs.net 2024-06-05 decommissioned\n");
    assert_non_null(mc_dnsbl_table_find(t, "bl.example.org"));
    /* a live list covers its own name only */
    assert_null(mc_dnsbl_table_find(t, "sub.bl.example.org"));
    assert_null(mc_dnsbl_table_find(t, "example.org"));
    /* a retired one every zone below it (SORBS had many) */
    const struct mc_dnsbl_list *l = mc_dnsbl_table_find(t, "dnsbl.sorbs.net");
    assert_non_null(l);
    assert_non_null(l->retired);
    assert_non_null(mc_dnsbl_table_find(t, "new.spam.dnsbl.sorbs.net"));
    assert_null(mc_dnsbl_table_find(t, "notsorbs.net"));
    mc_dnsbl_table_free(t);
}

static void errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error("listed 127.0.0.2 spam\n", "t.conf:1: 'listed' before any 'list'");
    expect_error("list a.example address\n\nfrobnicate x\n",
                 "t.conf:3: unknown statement 'frobnicate'");
    expect_error("list a.example address\n  listed 127.0.0.2\n", "t.conf:2: 'listed' needs");
    expect_error("list a.example address\n  listed 10.0.0.2 x\n", "t.conf:2: not a code");
    expect_error("list a.example address\n  listed 127.0.0.9-127.0.0.2 x\n", "not a code");
    expect_error("list a.example address\n  listed 127.0.0.256 x\n", "not a code");
    expect_error("list a.example address\n  listed 127.0.0.02 x\n", "not a code");
    expect_error("list a.example address\n  listed 127.0.0.1.2 x\n", "not a code");
    expect_error("list a.example address\n  listed 127.0.0.2-127.0.0.5 x\n"
                 "  error 127.0.0.4 y\n",
                 "t.conf:3: 127.0.0.4 overlaps");
    expect_error("list a.example address\n  error 127.255.255.254 x\nlist b.example domain\n"
                 "  listed 127.0.1.2 y\n",
                 "t.conf:1: list a.example has no listing code");
    expect_error("list a.example address\n", "t.conf:1: list a.example has no listing code");
    expect_error("list a.example sideways\n", "the kind must be 'address' or 'domain'");
    expect_error("list a.example domain ipv4-only\n", "only an address list takes");
    expect_error("list a.example address extra words\n", "unexpected 'extra'");
    expect_error("list -bad-.example address\n", "t.conf:1: not a zone name: -bad-.example");
    expect_error("list localhost address\n", "not a zone name: localhost");
    expect_error("list a.example address\n  listed 127.0.0.2 x\nlist A.example. domain\n",
                 "t.conf:3: a.example is in the table twice");
    expect_error("retired a.example 2024-13-01 gone\n", "expected the date");
    expect_error("retired a.example 2024-06-05\n", "say why");
    expect_error("list a.example address\n  dqs b.example\n  dqs c.example\n",
                 "t.conf:3: list a.example has a dqs zone already");
    expect_error("list a.example address\n  listed 127.0.0.2 caf\xc3\xa9\n",
                 "t.conf:2: an octet other than printable ASCII");
    expect_error("list a.example address\n  listed 127.0.0.2 x\x1b[31m\n", "t.conf:2: an octet");
    static const char nul[] = "list a.example address\n  listed 127.0.0.2 x\0y\n";
    struct mc_dnsbl_table *t = NULL;
    char *why = NULL;
    assert_int_equal(mc_dnsbl_table_parse(nul, sizeof nul - 1, "t.conf", &t, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "t.conf:2: a NUL octet"));
    free(why);
    char *long_line = malloc(1200);
    memset(long_line, 'x', 1100);
    memcpy(long_line, "# ", 2);
    long_line[1100] = '\0';
    expect_error(long_line, "t.conf:1: a line longer than 1000 octets");
    free(long_line);
}

static void generic_rule(void **state)
{
    (void)state;
    const struct mc_dnsbl_list *g = mc_dnsbl_table_generic();
    assert_int_equal(g->kind, MC_DNSBL_KIND_ADDRESS);
    assert_int_equal(mc_dnsbl_classify(g, Q(127, 0, 0, 2))->class, MC_DNSBL_LISTED);
    assert_int_equal(mc_dnsbl_classify(g, Q(127, 0, 0, 255))->class, MC_DNSBL_LISTED);
    assert_int_equal(mc_dnsbl_classify(g, Q(127, 255, 255, 0))->class, MC_DNSBL_ERROR);
    assert_int_equal(mc_dnsbl_classify(g, Q(127, 255, 255, 254))->class, MC_DNSBL_ERROR);
    assert_null(mc_dnsbl_classify(g, Q(127, 0, 0, 1)));
    assert_null(mc_dnsbl_classify(g, Q(127, 0, 1, 2)));
    assert_null(mc_dnsbl_classify(g, Q(10, 0, 0, 2)));
}

static const struct mc_dnsbl_list *shipped_list(const struct mc_dnsbl_table *t, const char *zone)
{
    const struct mc_dnsbl_list *l = mc_dnsbl_table_find(t, zone);
    if (!l)
        fail_msg("%s is not in the shipped table", zone);
    return l;
}

static void expect_code(const struct mc_dnsbl_list *l, uint32_t v, enum mc_dnsbl_class cls,
                        const char *meaning)
{
    const struct mc_dnsbl_code *c = mc_dnsbl_classify(l, v);
    if (!c)
        fail_msg("%s: %u.%u.%u.%u has no entry", l->zone, v >> 24, v >> 16 & 255, v >> 8 & 255,
                 v & 255);
    assert_int_equal(c->class, cls);
    if (meaning && !strstr(c->meaning, meaning))
        fail_msg("%s: %u.%u.%u.%u means '%s', not '%s'", l->zone, v >> 24, v >> 16 & 255,
                 v >> 8 & 255, v & 255, c->meaning, meaning);
}

/* The shipped table, as installed: what each code of each list means
 * (docs.spamhaus.com 040-zones for Spamhaus; the page in each entry's
 * comment for the others). */
static void shipped_table(void **state)
{
    (void)state;
    struct mc_dnsbl_table *t = NULL;
    char *why = NULL;
    if (mc_dnsbl_table_load(MC_TEST_DATA_DIR "/../share/mailcheck/dnsbl.conf", &t, &why) != MC_OK)
        fail_msg("%s", why);
    const struct mc_dnsbl_list *zen = shipped_list(t, "zen.spamhaus.org");
    assert_int_equal(zen->kind, MC_DNSBL_KIND_ADDRESS);
    assert_false(zen->ipv4_only);
    assert_string_equal(zen->dqs, "zen.dq.spamhaus.net");
    expect_code(zen, Q(127, 0, 0, 2), MC_DNSBL_LISTED, "SBL");
    expect_code(zen, Q(127, 0, 0, 3), MC_DNSBL_LISTED, "CSS");
    for (unsigned i = 4; i <= 7; i++)
        expect_code(zen, Q(127, 0, 0, i), MC_DNSBL_LISTED, "XBL");
    expect_code(zen, Q(127, 0, 0, 9), MC_DNSBL_LISTED, "DROP");
    expect_code(zen, Q(127, 0, 0, 10), MC_DNSBL_LISTED, "PBL");
    expect_code(zen, Q(127, 0, 0, 11), MC_DNSBL_LISTED, "PBL");
    expect_code(zen, Q(127, 0, 0, 30), MC_DNSBL_LISTED, "BCL");
    expect_code(zen, Q(127, 255, 255, 252), MC_DNSBL_ERROR, "mistyped");
    expect_code(zen, Q(127, 255, 255, 254), MC_DNSBL_ERROR, "public or open resolver");
    expect_code(zen, Q(127, 255, 255, 255), MC_DNSBL_ERROR, "too many queries");
    for (unsigned i = 0; i <= 255; i++)
        expect_code(zen, Q(127, 255, 255, i), MC_DNSBL_ERROR, NULL);
    assert_null(mc_dnsbl_classify(zen, Q(127, 0, 0, 1)));
    assert_null(mc_dnsbl_classify(zen, Q(127, 0, 0, 8)));
    assert_null(mc_dnsbl_classify(zen, Q(127, 0, 1, 2))); /* a DBL code is not ZEN's */

    const struct mc_dnsbl_list *dbl = shipped_list(t, "dbl.spamhaus.org");
    assert_int_equal(dbl->kind, MC_DNSBL_KIND_DOMAIN);
    assert_string_equal(dbl->dqs, "dbl.dq.spamhaus.net");
    expect_code(dbl, Q(127, 0, 1, 2), MC_DNSBL_LISTED, "spam");
    expect_code(dbl, Q(127, 0, 1, 4), MC_DNSBL_LISTED, "phishing");
    expect_code(dbl, Q(127, 0, 1, 5), MC_DNSBL_LISTED, "malware");
    expect_code(dbl, Q(127, 0, 1, 6), MC_DNSBL_LISTED, "botnet");
    for (unsigned i = 102; i <= 106; i++)
        expect_code(dbl, Q(127, 0, 1, i), MC_DNSBL_LISTED, "abused legitimate");
    expect_code(dbl, Q(127, 0, 1, 255), MC_DNSBL_ERROR, "address was queried");
    expect_code(dbl, Q(127, 255, 255, 254), MC_DNSBL_ERROR, "public or open resolver");
    assert_null(mc_dnsbl_classify(dbl, Q(127, 0, 0, 2))); /* a ZEN code is not DBL's */

    static const char *const one_code[] = {"bl.spamcop.net", "b.barracudacentral.org",
                                           "psbl.surriel.com", "dnsbl-1.uceprotect.net",
                                           "all.s5h.net"};
    for (size_t i = 0; i < sizeof one_code / sizeof one_code[0]; i++) {
        const struct mc_dnsbl_list *l = shipped_list(t, one_code[i]);
        assert_int_equal(l->kind, MC_DNSBL_KIND_ADDRESS);
        assert_null(l->dqs);
        expect_code(l, Q(127, 0, 0, 2), MC_DNSBL_LISTED, NULL);
        assert_null(mc_dnsbl_classify(l, Q(127, 0, 0, 3)));
        assert_null(mc_dnsbl_classify(l, Q(127, 255, 255, 254)));
    }
    assert_true(shipped_list(t, "bl.spamcop.net")->ipv4_only);
    const struct mc_dnsbl_list *ms = shipped_list(t, "bl.mailspike.net");
    expect_code(ms, Q(127, 0, 0, 2), MC_DNSBL_LISTED, NULL);
    for (unsigned i = 10; i <= 12; i++)
        expect_code(ms, Q(127, 0, 0, i), MC_DNSBL_LISTED, "reputation");

    static const char *const retired[] = {"dnsbl.sorbs.net", "spam.dnsbl.sorbs.net",
                                          "dnsbl.ahbl.org",  "rhsbl.ahbl.org",
                                          "dnsbl.njabl.org", "list.dsbl.org"};
    for (size_t i = 0; i < sizeof retired / sizeof retired[0]; i++) {
        const struct mc_dnsbl_list *l = shipped_list(t, retired[i]);
        assert_non_null(l->retired);
    }
    assert_string_equal(shipped_list(t, "dnsbl.sorbs.net")->retired, "2024-06-05");
    /* every live list has a listing code and each code a meaning */
    size_t n;
    const struct mc_dnsbl_list *all = mc_dnsbl_table_lists(t, &n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].retired)
            continue;
        assert_true(all[i].ncodes > 0);
        for (size_t k = 0; k < all[i].ncodes; k++)
            assert_true(strlen(all[i].codes[k].meaning) > 0);
    }
    mc_dnsbl_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syntax_lists_codes_and_comments),
        cmocka_unit_test(find_exact_and_retired_ancestors),
        cmocka_unit_test(errors_name_file_and_line),
        cmocka_unit_test(generic_rule),
        cmocka_unit_test(shipped_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
