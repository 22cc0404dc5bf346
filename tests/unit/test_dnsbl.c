/* SPDX-License-Identifier: MIT */
/* Unit tests for dnsbl.c on the fake network (fake_transport.h), the
 * blocklist zones of the end-to-end tests served by it: the health check
 * is the run's memo (asked once, however often the cache is trimmed, as
 * --batch trims it), the entries and findings, and the DQS key kept out
 * of every string a report holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fake_transport.h"
#include "mc_dnsbl.h"
#include "mc_resolver.h"

#define ZONES MC_TEST_DATA_DIR "/e2e/zones/"
#define T0 1000000
#define KEY "testkey0123456789"

static struct mc_zone_set *zones;
static struct mc_dnsbl_table *table;

static int setup(void **state)
{
    (void)state;
    zones = mc_zone_set_new();
    char *why = NULL;
    static const char *const files[] = {"zen.spamhaus.org.zone", "zen.dq.spamhaus.net.zone",
                                        "dbl.spamhaus.org.zone"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", ZONES, files[i]);
        if (mc_zone_set_load(zones, path, NULL, &why) != MC_OK)
            fail_msg("%s", why);
    }
    if (mc_dnsbl_table_load(MC_TEST_DATA_DIR "/../share/mailcheck/dnsbl.conf", &table, &why) !=
        MC_OK)
        fail_msg("%s", why);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mc_zone_set_free(zones);
    mc_dnsbl_table_free(table);
    return 0;
}

struct world {
    struct fake_transport *fake;
    struct mc_resolver *res;
    struct mc_dnsbl_run *run;
    unsigned done;
};

static void world_init_with(struct world *w, const char *zone, const char *key,
                            struct mc_resolver_config rc)
{
    memset(w, 0, sizeof *w);
    w->fake = fake_transport_new(T0);
    fake_transport_serve(w->fake, zones);
    w->res = mc_resolver_new_on(&rc, &w->fake->base);
    char *why = NULL;
    if (mc_dnsbl_run_new(table, &zone, 1, key, &w->run, &why) != MC_OK)
        fail_msg("%s", why);
}

static void world_init(struct world *w, const char *zone, const char *key)
{
    /* a small cache, so that mc_resolver_trim() frees what a line used */
    world_init_with(w, zone, key, (struct mc_resolver_config){.cache_max = 1});
}

static void world_free(struct world *w)
{
    mc_resolver_free(w->res);
    mc_dnsbl_run_free(w->run);
}

static void done_cb(void *arg)
{
    ((struct world *)arg)->done++;
}

/* One check of IP against the run's list, to its end; the report is the
 * caller's. */
static struct mc_report *check_address(struct world *w, const char *address)
{
    struct mc_ip ip;
    assert_true(mc_ip_parse(address, &ip));
    struct mc_dnsbl_check *dc = mc_dnsbl_check_new(w->run, w->res, done_cb, w);
    unsigned before = w->done;
    unsigned n = mc_dnsbl_check_address(dc, &ip);
    assert_int_equal(mc_dnsbl_check_address(dc, &ip), 0); /* asked once per check */
    assert_int_equal(w->done, before);                    /* never from inside */
    mc_resolver_run(w->res, INT64_MAX);
    assert_int_equal(w->done - before, n);
    struct mc_report *rep = mc_report_new();
    mc_dnsbl_check_report(dc, rep);
    mc_dnsbl_check_free(dc);
    return rep;
}

static const struct mc_finding *finding(const struct mc_report *rep, const char *code)
{
    for (size_t i = 0; i < rep->nfindings; i++)
        if (strcmp(rep->findings[i].code, code) == 0)
            return &rep->findings[i];
    return NULL;
}

/* --batch trims the resolver's cache between lines: the health check must
 * not be asked again (nor change its verdict) when its answers are gone. */
static void health_is_the_runs_memo(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "zen.spamhaus.org", NULL);
    struct mc_report *rep = check_address(&w, "198.51.100.71");
    assert_int_equal(rep->ndnsbl, 1);
    assert_int_equal(rep->dnsbl[0].listed, 1);
    assert_string_equal(rep->dnsbl[0].codes[0], "127.0.0.2");
    assert_non_null(finding(rep, "dnsbl-listed"));
    mc_report_free(rep);
    assert_int_equal(fake_transport_sent(w.fake, "2.0.0.127.zen.spamhaus.org"), 1);
    assert_int_equal(fake_transport_sent(w.fake, "1.0.0.127.zen.spamhaus.org"), 1);
    assert_int_equal(fake_transport_sent(w.fake, "71.100.51.198.zen.spamhaus.org"), 2); /* A, TXT */

    /* the next line: a new epoch, everything before it trimmed */
    uint64_t epoch = mc_resolver_epoch_next(w.res);
    mc_resolver_trim(w.res, epoch);
    /* the test points' answers are gone from the cache (oldest first) */
    assert_null(mc_resolver_peek(w.res, "2.0.0.127.zen.spamhaus.org", MC_DNS_T_A));
    assert_null(mc_resolver_peek(w.res, "1.0.0.127.zen.spamhaus.org", MC_DNS_T_A));
    rep = check_address(&w, "198.51.100.71");
    assert_int_equal(rep->dnsbl[0].listed, 1);
    mc_report_free(rep);
    /* the subject was asked again (the cache kept one entry of the line) ... */
    assert_true(fake_transport_sent(w.fake, "71.100.51.198.zen.spamhaus.org") >= 3);
    /* ... the test points were not (the run's memo) */
    assert_int_equal(fake_transport_sent(w.fake, "2.0.0.127.zen.spamhaus.org"), 1);
    assert_int_equal(fake_transport_sent(w.fake, "1.0.0.127.zen.spamhaus.org"), 1);

    /* an IPv6 address adds the IPv6 test points, once */
    rep = check_address(&w, "2001:db8::71");
    assert_int_equal(rep->dnsbl[0].listed, 1);
    mc_report_free(rep);
    rep = check_address(&w, "2001:db8::70");
    assert_int_equal(rep->dnsbl[0].listed, 0);
    mc_report_free(rep);
    assert_int_equal(fake_transport_sent(
                         w.fake, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                                 "zen.spamhaus.org"),
                     1);
    world_free(&w);
}

/* A failed health check is remembered too: later checks of the run send
 * nothing to that list and get no verdict, with the list-level finding. */
static void failed_health_asks_no_more(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "zen.spamhaus.org", NULL);
    fake_transport_rule(
        w.fake,
        (struct fake_rule){.name = "2.0.0.127.zen.spamhaus.org", .fate = FAKE_TIMEOUT, .tries = 2});
    struct mc_report *rep = check_address(&w, "198.51.100.71");
    assert_int_equal(rep->dnsbl[0].listed, -1);
    const struct mc_finding *f = finding(rep, "dnsbl-unusable");
    if (!f) {
        fail_msg("no dnsbl-unusable finding");
        return;
    }
    assert_int_equal(f->severity, MC_SEV_UNKNOWN);
    assert_string_equal(f->subject, "zen.spamhaus.org");
    assert_non_null(strstr(f->message, "test point 127.0.0.2 the lookup failed (timeout"));
    assert_null(finding(rep, "dnsbl-listed")); /* the subject's listing is not read */
    mc_report_free(rep);
    size_t sent = w.fake->nqueries;
    rep = check_address(&w, "198.51.100.72");
    assert_int_equal(rep->dnsbl[0].listed, -1);
    assert_non_null(finding(rep, "dnsbl-unusable"));
    mc_report_free(rep);
    assert_int_equal(w.fake->nqueries, sent);
    world_free(&w);
}

/* Every string of the report of a DQS run, a failure's `why` quoting the
 * name asked included, is free of the key. */
static void key_in_no_report_string(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "zen.spamhaus.org", KEY);
    fake_transport_rule(w.fake, (struct fake_rule){
                                    .name = "72.100.51.198." KEY ".zen.dq.spamhaus.net",
                                    .fate = FAKE_NETERR,
                                    /* as --dns0x20 sends it: in random case */
                                    .why = "cannot send 72.100.51.198.tEsTkEy0123456789"
                                           ".zen.dq.spamhaus.net",
                                });
    struct mc_report *rep = check_address(&w, "198.51.100.72");
    assert_int_equal(fake_transport_sent(w.fake, "72.100.51.198.zen.spamhaus.org"), 0);
    assert_int_equal(fake_transport_sent(w.fake, "2.0.0.127." KEY ".zen.dq.spamhaus.net"), 1);
    assert_int_equal(rep->ndnsbl, 1);
    assert_string_equal(rep->dnsbl[0].list, "zen.spamhaus.org");
    assert_int_equal(rep->dnsbl[0].listed, -1);
    assert_non_null(rep->dnsbl[0].why);
    assert_non_null(strstr(rep->dnsbl[0].why, "72.100.51.198.KEY.zen.dq.spamhaus.net"));
    assert_null(strstr(rep->dnsbl[0].why, KEY));
    char lower[512];
    size_t n = 0;
    for (const char *c = rep->dnsbl[0].why; *c && n + 1 < sizeof lower; c++)
        lower[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    lower[n] = '\0';
    assert_null(strstr(lower, KEY));
    for (size_t i = 0; i < rep->nfindings; i++) {
        assert_null(strstr(rep->findings[i].subject, KEY));
        assert_null(strstr(rep->findings[i].message, KEY));
        assert_null(strstr(rep->findings[i].fix ? rep->findings[i].fix : "", KEY));
    }
    mc_report_free(rep);
    world_free(&w);
}

/* The blocklist lookups wait in the resolver's send queue like every
 * other lookup: --max-inflight and --qps bound them too. */
static void lookups_obey_the_send_queue(void **state)
{
    (void)state;
    struct world w;
    world_init_with(&w, "zen.spamhaus.org", NULL,
                    (struct mc_resolver_config){.max_inflight = 2, .qps = 50});
    struct mc_dnsbl_check *dc = mc_dnsbl_check_new(w.run, w.res, done_cb, &w);
    unsigned n = 0;
    for (unsigned i = 1; i <= 40; i++) {
        char text[32];
        snprintf(text, sizeof text, "198.51.100.%u", i);
        struct mc_ip ip;
        assert_true(mc_ip_parse(text, &ip));
        n += mc_dnsbl_check_address(dc, &ip);
    }
    mc_resolver_run(w.res, INT64_MAX);
    assert_int_equal(w.done, n);
    assert_int_equal(n, 40);
    assert_int_equal(w.fake->nqueries, 42); /* 40 subjects, 2 test points, once each */
    assert_true(w.fake->max_outstanding <= 2);
    /* 50 a second: the 42nd query leaves 0.82 s after the first at the earliest */
    assert_true(w.fake->queries[41].sent_ms - w.fake->queries[0].sent_ms >= 800);
    mc_dnsbl_check_free(dc);
    world_free(&w);
}

static void run_refuses_bad_input(void **state)
{
    (void)state;
    struct {
        const char *zone, *key, *want;
    } bad[] = {
        {"localhost", NULL, "not a domain name"},
        {"zen..spamhaus.org", NULL, "not a domain name"},
        {"dnsbl.sorbs.net", NULL, "retired (2024-06-05)"},
        {"zen.spamhaus.org", "a.b", "not a DQS key"},
        {"zen.spamhaus.org", "", "not a DQS key"},
        {"bl.spamcop.net", KEY, "no list named with --dnsbl has a Data Query Service zone"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mc_dnsbl_run *run = NULL;
        char *why = NULL;
        assert_int_equal(mc_dnsbl_run_new(table, &bad[i].zone, 1, bad[i].key, &run, &why),
                         MC_ERR_USAGE);
        assert_null(run);
        if (!strstr(why, bad[i].want))
            fail_msg("%s: '%s' lacks '%s'", bad[i].zone, why, bad[i].want);
        if (bad[i].key && *bad[i].key)
            assert_null(strstr(why, bad[i].key));
        free(why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(health_is_the_runs_memo), cmocka_unit_test(failed_health_asks_no_more),
        cmocka_unit_test(key_in_no_report_string), cmocka_unit_test(lookups_obey_the_send_queue),
        cmocka_unit_test(run_refuses_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
