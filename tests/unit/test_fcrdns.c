/* SPDX-License-Identifier: MIT */
/* Unit tests for fcrdns.c: doc/verdicts.md, "Per address", rule by rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mc_fcrdns.h"
#include "mc_ip.h"

#define HOST "mail.example.test"
#define N_CONF MC_FCRDNS_NAME_CONFIRMS
#define N_DENY MC_FCRDNS_NAME_DENIES
#define N_FAIL MC_FCRDNS_NAME_FAILED
#define N_SKIP MC_FCRDNS_NAME_UNCHECKED

static enum mc_verdict verdict(enum mc_dns_outcome ptr, size_t n, const char *const *names,
                               const enum mc_fcrdns_name *states, bool host_confirms,
                               bool host_failed, enum mc_fcrdns *fc)
{
    struct mc_fcrdns_input in = {
        .ptr_outcome = ptr,
        .names = names,
        .nnames = n,
        .name_state = states,
        .host_confirms = host_confirms,
        .host_lookup_failed = host_failed,
    };
    return mc_fcrdns_verdict(HOST, &in, fc);
}

static void pass_when_host_is_among_ptr_names(void **state)
{
    (void)state;
    enum mc_fcrdns fc;
    const char *names[] = {"other.test", "MAIL.Example.Test."};
    enum mc_fcrdns_name st[] = {N_DENY, N_SKIP};
    assert_int_equal(verdict(MC_DNS_ANSWER, 2, names, st, true, false, &fc), MC_VERDICT_PASS);
    assert_int_equal(fc, MC_FCRDNS_PASS);
}

static void mismatch_when_another_name_confirms(void **state)
{
    (void)state;
    enum mc_fcrdns fc;
    const char *names[] = {"other.test"};
    enum mc_fcrdns_name st[] = {N_CONF};
    assert_int_equal(verdict(MC_DNS_ANSWER, 1, names, st, true, false, &fc), MC_VERDICT_MISMATCH);
    assert_int_equal(fc, MC_FCRDNS_PASS);
}

static void fail_without_ptr_or_confirmation(void **state)
{
    (void)state;
    enum mc_fcrdns fc;
    assert_int_equal(verdict(MC_DNS_NXDOMAIN, 0, NULL, NULL, true, false, &fc), MC_VERDICT_FAIL);
    assert_int_equal(fc, MC_FCRDNS_FAIL);
    assert_int_equal(verdict(MC_DNS_NODATA, 0, NULL, NULL, true, false, &fc), MC_VERDICT_FAIL);
    const char *names[] = {"a.test", "b.test"};
    enum mc_fcrdns_name st[] = {N_DENY, N_DENY};
    assert_int_equal(verdict(MC_DNS_ANSWER, 2, names, st, true, false, &fc), MC_VERDICT_FAIL);
    assert_int_equal(fc, MC_FCRDNS_FAIL);
}

static void error_when_a_failed_lookup_leaves_it_open(void **state)
{
    (void)state;
    enum mc_fcrdns fc;
    /* The PTR lookup itself failed: never fail, never mismatch. */
    assert_int_equal(verdict(MC_DNS_SERVFAIL, 0, NULL, NULL, true, false, &fc), MC_VERDICT_ERROR);
    assert_int_equal(fc, MC_FCRDNS_ERROR);
    assert_int_equal(verdict(MC_DNS_TIMEOUT, 0, NULL, NULL, true, false, &fc), MC_VERDICT_ERROR);
    assert_int_equal(verdict(MC_DNS_DEADLINE, 0, NULL, NULL, true, false, &fc), MC_VERDICT_ERROR);
    /* HOST not named, one name denies, one lookup failed: open. */
    const char *names[] = {"a.test", "b.test"};
    enum mc_fcrdns_name st[] = {N_DENY, N_FAIL};
    assert_int_equal(verdict(MC_DNS_ANSWER, 2, names, st, true, false, &fc), MC_VERDICT_ERROR);
    assert_int_equal(fc, MC_FCRDNS_ERROR);
    /* ... but a confirming name decides it: mismatch. */
    enum mc_fcrdns_name st2[] = {N_CONF, N_FAIL};
    assert_int_equal(verdict(MC_DNS_ANSWER, 2, names, st2, true, false, &fc), MC_VERDICT_MISMATCH);
}

static void address_host_does_not_resolve_to(void **state)
{
    (void)state;
    enum mc_fcrdns fc;
    /* --address X whose PTR is HOST, but HOST does not resolve to X. */
    const char *names[] = {HOST};
    enum mc_fcrdns_name st[] = {N_DENY};
    assert_int_equal(verdict(MC_DNS_ANSWER, 1, names, st, false, false, &fc), MC_VERDICT_FAIL);
    /* ... and HOST's own lookup failed: open. */
    assert_int_equal(verdict(MC_DNS_ANSWER, 1, names, st, false, true, &fc), MC_VERDICT_ERROR);
}

static void generic_names(void **state)
{
    (void)state;
    struct mc_ip ip;
    assert_true(mc_ip_parse("192.0.2.77", &ip));
    assert_true(mc_fcrdns_looks_generic(&ip, "dyn-192-0-2-77.pool.example.test"));
    assert_true(mc_fcrdns_looks_generic(&ip, "77.2.0.192.static.isp.test"));
    assert_true(mc_fcrdns_looks_generic(&ip, "host-c000024d.isp.test"));
    assert_false(mc_fcrdns_looks_generic(&ip, "mail.example.test"));
    assert_false(mc_fcrdns_looks_generic(&ip, "mx77.example.test"));
    assert_false(mc_fcrdns_looks_generic(&ip, "192-0-2-78.pool.test"));
    assert_true(mc_ip_parse("2001:db8::1:2:3:4", &ip));
    assert_true(mc_fcrdns_looks_generic(&ip, "0001000200030004.v6.isp.test"));
    assert_true(mc_fcrdns_looks_generic(&ip, "2001-db8--1-2-3-4.isp.test"));
    assert_false(mc_fcrdns_looks_generic(&ip, "mail.example.test"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pass_when_host_is_among_ptr_names),
        cmocka_unit_test(mismatch_when_another_name_confirms),
        cmocka_unit_test(fail_without_ptr_or_confirmation),
        cmocka_unit_test(error_when_a_failed_lookup_leaves_it_open),
        cmocka_unit_test(address_host_does_not_resolve_to),
        cmocka_unit_test(generic_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
