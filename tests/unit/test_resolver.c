/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for resolver.c on the fake transport (fake_transport.h): the
 * send queue's order, --qps, --max-inflight and the in-flight bound the UDP
 * receive buffer sets, mc_resolver_busy(), de-duplication, CNAMEs followed
 * across replies (RFC 1034 §3.6.2), timeouts and errors as the transport
 * reports them, the deadline and mc_resolver_stop() with answers that come
 * after them, TTL expiry across epochs and trimming.
 *
 * The fake's clock moves only when the resolver waits, so every send time
 * asserted below is exact and the same on every run; the network is two
 * zone sets (tests/unit/resolver/) standing for two servers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_transport.h"
#include "mc_resolver.h"
#include "mc_util.h"
#include "mc_zone.h"

#define ZONES MC_TEST_DATA_DIR "/unit/resolver/"

/* Where every fake's clock starts: any value; not 0, so that no time is
 * mistaken for "unset". */
#define T0 1000000

static struct mc_zone_set *net, *far;

static struct mc_zone_set *load(const char *file)
{
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    if (mc_zone_set_load(set, file, NULL, &why) != MC_OK)
        fail_msg("%s", why);
    return set;
}

static int load_zones(void **state)
{
    (void)state;
    net = load(ZONES "net.test.zone");
    far = load(ZONES "far.test.zone");
    return 0;
}

static int free_zones(void **state)
{
    (void)state;
    mc_zone_set_free(net);
    mc_zone_set_free(far);
    return 0;
}

/* ---- a resolver on the fake network ---- */

struct world {
    struct fake_transport *fake;
    struct mc_resolver *res;
};

static struct world world_new(struct mc_resolver_config rc)
{
    struct world w;
    w.fake = fake_transport_new(T0);
    fake_transport_serve(w.fake, net);
    fake_transport_serve(w.fake, far);
    w.res = mc_resolver_new_on(&rc, &w.fake->base);
    return w;
}

static struct mc_resolver_stats stats_of(const struct world *w)
{
    struct mc_resolver_stats st;
    mc_resolver_get_stats(w->res, &st);
    return st;
}

/* One lookup's callbacks, with the fake's clock at the last one. */
struct got {
    struct world *w;
    int calls;
    const struct mc_dns_result *r;
    int64_t at;
    void (*then)(struct got *g); /* run inside the callback */
    const char *then_name;
    struct got *then_got;
};

static void got_cb(void *arg, const struct mc_dns_result *r)
{
    struct got *g = arg;
    g->calls++;
    g->r = r;
    g->at = g->w->fake->now;
    if (g->then)
        g->then(g);
}

static void lookup(struct world *w, struct got *g, const char *name, uint16_t type)
{
    g->w = w;
    int before = g->calls;
    mc_resolver_lookup(w->res, name, type, got_cb, g);
    assert_int_equal(g->calls, before); /* never from inside the lookup */
}

static const char *sent_name(const struct world *w, size_t i)
{
    assert_true(i < w->fake->nqueries);
    return w->fake->queries[i].name;
}

/* ---- the send queue ---- */

static void queue_is_fifo(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 1});
    struct got g[4] = {0};
    const char *names[] = {"a.net.test", "b.net.test", "c.net.test", "d.net.test"};
    for (size_t i = 0; i < 4; i++)
        lookup(&w, &g[i], names[i], MC_DNS_T_A);
    assert_int_equal(w.fake->nqueries, 0); /* queued: sent by the loop */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->nqueries, 4);
    for (size_t i = 0; i < 4; i++) {
        /* One at a time, each when the one before was answered. */
        assert_string_equal(sent_name(&w, i), names[i]);
        assert_int_equal(w.fake->queries[i].sent_ms, T0 + 10 * (int64_t)i);
        assert_int_equal(g[i].calls, 1);
        assert_int_equal(g[i].r->outcome, MC_DNS_ANSWER);
        assert_int_equal(g[i].r->records[0].addr[3], i + 1);
        assert_string_equal(g[i].r->server, "192.0.2.53:53");
    }
    assert_int_equal(w.fake->max_outstanding, 1);
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.lookups, 4);
    assert_int_equal(st.queries_sent, 4);
    assert_int_equal(st.answered, 4);
    mc_resolver_free(w.res);
}

/* A CNAME's target joins the queue at its tail (RFC 1034 §3.6.2: the
 * resolver restarts the query at the canonical name). */
static void cname_followed_across_replies(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 1});
    struct got alias = {0}, a = {0}, b = {0};
    lookup(&w, &alias, "alias.net.test", MC_DNS_T_A);
    lookup(&w, &a, "a.net.test", MC_DNS_T_A);
    lookup(&w, &b, "b.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->nqueries, 4);
    assert_string_equal(sent_name(&w, 0), "alias.net.test");
    assert_string_equal(sent_name(&w, 1), "a.net.test");
    assert_string_equal(sent_name(&w, 2), "b.net.test");
    assert_string_equal(sent_name(&w, 3), "target.far.test");
    const struct mc_dns_result *r = alias.r;
    assert_int_equal(alias.calls, 1);
    assert_int_equal(r->outcome, MC_DNS_ANSWER);
    assert_string_equal(r->qname, "alias.net.test");
    assert_string_equal(r->canonical, "target.far.test");
    assert_int_equal(r->ncnames, 1);
    assert_string_equal(r->cname_chain[0], "alias.net.test");
    assert_string_equal(r->cname_targets[0], "target.far.test");
    assert_string_equal(r->cname_servers[0], "192.0.2.53:53");
    assert_false(r->cname_broken);
    assert_int_equal(r->count, 1);
    assert_int_equal(r->records[0].addr[3], 30);
    assert_int_equal(alias.at, T0 + 40);
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.lookups, 3); /* the target is the same lookup */
    assert_int_equal(st.queries_sent, 4);
    mc_resolver_free(w.res);
}

/* loop1.net.test -> loop2.far.test -> loop1.net.test: no single reply
 * shows the loop, the chain kept across replies does. */
static void cname_loop_across_replies(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    struct got g = {0};
    lookup(&w, &g, "loop1.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.r->outcome, MC_DNS_NODATA);
    assert_true(g.r->cname_broken);
    assert_string_equal(g.r->why, "CNAME chain loops at loop1.net.test");
    assert_int_equal(g.r->ncnames, 2);
    assert_int_equal(w.fake->nqueries, 3);
    assert_string_equal(sent_name(&w, 1), "loop2.far.test");
    assert_string_equal(sent_name(&w, 2), "loop1.net.test");
    mc_resolver_free(w.res);
}

/* ---- de-duplication ---- */

static void identical_lookups_share_one_query(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    struct got g[3] = {0}, aaaa = {0}, later = {0};
    lookup(&w, &g[0], "a.net.test", MC_DNS_T_A);
    lookup(&w, &g[1], "A.Net.TEST.", MC_DNS_T_A); /* case and root dot ignored */
    lookup(&w, &g[2], "a.net.test", MC_DNS_T_A);
    lookup(&w, &aaaa, "a.net.test", MC_DNS_T_AAAA); /* another type: its own */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(fake_transport_sent(w.fake, "a.net.test"), 2);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g[i].calls, 1);
        assert_ptr_equal(g[i].r, g[0].r); /* the one cached result */
    }
    assert_int_equal(g[0].r->outcome, MC_DNS_ANSWER);
    assert_int_equal(aaaa.r->outcome, MC_DNS_NODATA);
    /* A completed entry answers from the cache, still only from the loop. */
    lookup(&w, &later, "a.net.test.", MC_DNS_T_A);
    assert_ptr_equal(mc_resolver_peek(w.res, "A.net.test", MC_DNS_T_A), g[0].r);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(later.calls, 1);
    assert_ptr_equal(later.r, g[0].r);
    assert_int_equal(fake_transport_sent(w.fake, "a.net.test"), 2);
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.lookups, 2);
    assert_int_equal(st.cache_hits, 3);
    assert_int_equal(st.entries, 2);
    mc_resolver_free(w.res);
}

/* A name longer than the key's buffer (no DNS name is, but a caller may
 * ask one) is keyed the same way: lowercased, without its root dot. */
static void long_names_are_keyed_alike(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    char lower[320], upper[320];
    memset(lower, 'a', 300);
    memset(upper, 'A', 300);
    memcpy(lower + 300, ".net.test", sizeof ".net.test");
    memcpy(upper + 300, ".NET.test.", sizeof ".NET.test.");
    struct got g[2] = {0};
    lookup(&w, &g[0], lower, MC_DNS_T_A);
    lookup(&w, &g[1], upper, MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(g[0].calls, 1);
    assert_int_equal(g[1].calls, 1);
    assert_ptr_equal(g[1].r, g[0].r);
    assert_string_equal(g[0].r->qname, lower);
    assert_ptr_equal(mc_resolver_peek(w.res, upper, MC_DNS_T_A), g[0].r);
    assert_int_equal(stats_of(&w).lookups, 1);
    mc_resolver_free(w.res);
}

/* ---- politeness: --qps, --max-inflight, the receive buffer ---- */

static char *many_name(size_t i)
{
    return mc_xasprintf("x%zu.many.net.test", i);
}

/* Looks up N names below many.net.test (callbacks in G, may be NULL). */
static void lookup_many(struct world *w, struct got *g, size_t first, size_t n)
{
    static struct got ignored;
    for (size_t i = 0; i < n; i++) {
        char *name = many_name(first + i);
        lookup(w, g ? &g[i] : &ignored, name, MC_DNS_T_A);
        free(name);
    }
}

static void qps_spaces_sends(void **state)
{
    (void)state;
    /* 10 per second: a burst of one (qps / 20, at least 1), then one every
     * 100 ms; the token bucket's rounding allows a millisecond more. */
    struct world w = world_new((struct mc_resolver_config){.qps = 10});
    lookup_many(&w, NULL, 0, 6);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->nqueries, 6);
    assert_int_equal(w.fake->queries[0].sent_ms, T0);
    for (size_t i = 1; i < 6; i++) {
        int64_t gap = w.fake->queries[i].sent_ms - w.fake->queries[i - 1].sent_ms;
        assert_in_range(gap, 100, 101);
    }
    assert_int_equal(w.fake->max_outstanding, 1);
    mc_resolver_free(w.res);
}

static void noop_cb(void *arg, const struct mc_dns_result *r)
{
    (void)arg;
    (void)r;
}

static void qps_burst_after_idle(void **state)
{
    (void)state;
    /* 100 per second: the bucket holds 5 tokens (qps / 20) and starts
     * with one. */
    struct world w = world_new((struct mc_resolver_config){.qps = 100});
    lookup_many(&w, NULL, 0, 3);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->queries[0].sent_ms, T0);
    assert_in_range(w.fake->queries[1].sent_ms - T0, 10, 11);
    /* Idle for a second (a timer moves the clock): the bucket refills to
     * its burst, not to a second's worth. */
    int64_t idle = w.fake->now + 1000;
    mc_resolver_timer_add(w.res, idle, noop_cb, NULL);
    assert_false(mc_resolver_run(w.res, INT64_MAX));
    assert_int_equal(w.fake->now, idle);
    lookup_many(&w, NULL, 3, 8);
    assert_false(mc_resolver_run(w.res, idle + 10000));
    assert_int_equal(w.fake->nqueries, 11);
    for (size_t i = 3; i < 8; i++)
        assert_int_equal(w.fake->queries[i].sent_ms, idle);
    for (size_t i = 8; i < 11; i++) {
        int64_t gap = w.fake->queries[i].sent_ms - w.fake->queries[i - 1].sent_ms;
        assert_in_range(gap, 10, 11);
    }
    mc_resolver_free(w.res);
}

static void max_inflight_bounds_the_window(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 7});
    w.fake->rcvbuf = 4 * 1024 * 1024; /* would allow 2000: the option wins */
    struct got g[50] = {0};
    lookup_many(&w, g, 0, 50);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->nqueries, 50);
    assert_int_equal(w.fake->max_outstanding, 7);
    /* Windows of 7, one latency apart: the last of 50 goes out in the
     * eighth. */
    assert_int_equal(w.fake->queries[0].sent_ms, T0);
    assert_int_equal(w.fake->queries[7].sent_ms, T0 + 10);
    assert_int_equal(w.fake->queries[49].sent_ms, T0 + 70);
    for (size_t i = 0; i < 50; i++)
        assert_int_equal(g[i].r->outcome, MC_DNS_ANSWER);
    mc_resolver_free(w.res);
}

/* The most queries ever out at once for N lookups when the first UDP
 * socket gets RCVBUF octets of receive buffer. */
static size_t window_for(int rcvbuf, size_t n)
{
    struct world w = world_new((struct mc_resolver_config){0});
    w.fake->rcvbuf = rcvbuf;
    lookup_many(&w, NULL, 0, n);
    assert_false(mc_resolver_run(w.res, T0 + 100000));
    assert_int_equal(w.fake->nqueries, n);
    assert_int_equal(stats_of(&w).answered, n);
    size_t max = w.fake->max_outstanding;
    mc_resolver_free(w.res);
    return max;
}

static void inflight_follows_receive_buffer(void **state)
{
    (void)state;
    /* A reply costs 1 KiB of buffer (MC_RESOLVER_REPLY_COST). */
    assert_int_equal(window_for(100 * 1024, 300), 100);
    /* A stock kernel without CAP_NET_ADMIN: twice rmem_max, 416. */
    assert_int_equal(window_for(2 * 212992, 600), 416);
    /* Never under 16, never over 2000. */
    assert_int_equal(window_for(4000, 40), 16);
    assert_int_equal(window_for(8 * 1024 * 1024, 2500), 2000);
    /* No UDP socket (TCP only): 200, safe on any kernel. */
    assert_int_equal(window_for(0, 300), 200);
}

/* ---- backpressure ---- */

static void busy_when_the_queue_is_long(void **state)
{
    (void)state;
    /* --max-inflight: a window of queries waiting. */
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 3});
    lookup_many(&w, NULL, 0, 2);
    assert_false(mc_resolver_busy(w.res));
    lookup_many(&w, NULL, 2, 1);
    assert_true(mc_resolver_busy(w.res));
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_false(mc_resolver_busy(w.res));
    mc_resolver_free(w.res);

    /* --qps: half a second of sending. */
    w = world_new((struct mc_resolver_config){.qps = 10});
    lookup_many(&w, NULL, 0, 4);
    assert_false(mc_resolver_busy(w.res));
    lookup_many(&w, NULL, 4, 1);
    assert_true(mc_resolver_busy(w.res));
    mc_resolver_free(w.res); /* unsent: freed without callbacks */

    /* --qps 1: one waiting query is half a second's worth already. */
    w = world_new((struct mc_resolver_config){.qps = 1});
    assert_false(mc_resolver_busy(w.res));
    lookup_many(&w, NULL, 0, 1);
    assert_true(mc_resolver_busy(w.res));
    mc_resolver_free(w.res);

    /* Neither: the automatic window's largest, 2000. */
    w = world_new((struct mc_resolver_config){0});
    lookup_many(&w, NULL, 0, 1999);
    assert_false(mc_resolver_busy(w.res));
    lookup_many(&w, NULL, 1999, 1);
    assert_true(mc_resolver_busy(w.res));
    mc_resolver_free(w.res);
}

/* Busy falls as the queue drains: seen from inside callbacks. */
static void check_busy(struct got *g)
{
    if (g->then_got)
        g->then_got->calls += mc_resolver_busy(g->w->res);
}

static void busy_clears_while_draining(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 2});
    struct got g[6] = {0}, busy_seen = {0};
    for (size_t i = 0; i < 6; i++) {
        g[i].then = check_busy;
        g[i].then_got = &busy_seen;
    }
    lookup_many(&w, g, 0, 6);
    assert_true(mc_resolver_busy(w.res));
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    /* Windows of two: the first two replies find 4 queries queued, the
     * next two find 2 (busy, at a window's worth), the last two none. */
    assert_int_equal(busy_seen.calls, 4);
    mc_resolver_free(w.res);
}

/* ---- failures the transport reports ---- */

static void timeouts_and_errors_as_reported(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    fake_transport_rule(
        w.fake, (struct fake_rule){
                    .name = "a.net.test", .fate = FAKE_TIMEOUT, .after_ms = 6000, .tries = 3});
    fake_transport_rule(w.fake, (struct fake_rule){.name = "b.net.test",
                                                   .fate = FAKE_TIMEOUT,
                                                   .after_ms = 4000,
                                                   .tries = 2,
                                                   .case_mismatches = 5});
    fake_transport_rule(w.fake, (struct fake_rule){.name = "c.net.test",
                                                   .fate = FAKE_NETERR,
                                                   .why = "Connection refused (192.0.2.53:53)"});
    fake_transport_rule(
        w.fake,
        (struct fake_rule){.name = "d.net.test", .fate = FAKE_MALFORMED, .why = "malformed reply"});
    struct got a = {0}, b = {0}, c = {0}, d = {0}, again = {0};
    lookup(&w, &a, "a.net.test", MC_DNS_T_A);
    lookup(&w, &b, "b.net.test", MC_DNS_T_A);
    lookup(&w, &c, "c.net.test", MC_DNS_T_A);
    lookup(&w, &d, "d.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(a.r->outcome, MC_DNS_TIMEOUT);
    assert_string_equal(a.r->why, "no reply from 192.0.2.53:53 (3 tries)");
    assert_int_equal(a.at, T0 + 6000);
    assert_int_equal(b.r->outcome, MC_DNS_TIMEOUT);
    assert_string_equal(b.r->why,
                        "no reply from 192.0.2.53:53 (2 tries) that echoed the query name's "
                        "letter case: 5 in another case ignored (--dns0x20; some servers "
                        "lowercase names)");
    assert_int_equal(c.r->outcome, MC_DNS_NETERR);
    assert_string_equal(c.r->why, "Connection refused (192.0.2.53:53)");
    assert_int_equal(d.r->outcome, MC_DNS_MALFORMED);
    assert_string_equal(d.r->why, "malformed reply");
    assert_int_equal(a.r->rcode, -1);
    /* Retries are the transport's: one query per lookup here, and a
     * failure is cached like an answer for the rest of the epoch. */
    lookup(&w, &again, "a.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_ptr_equal(again.r, a.r);
    assert_int_equal(w.fake->nqueries, 4);
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.failed, 4);
    assert_int_equal(st.answered, 0);
    mc_resolver_free(w.res);
}

/* ---- the deadline, mc_resolver_stop(), and answers after them ---- */

static void start_lookup(struct got *g)
{
    lookup(g->w, g->then_got, g->then_name, MC_DNS_T_A);
}

static void deadline_cuts_sent_and_queued(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.max_inflight = 2});
    fake_transport_rule(w.fake, (struct fake_rule){.name = "b.net.test", .fate = FAKE_SILENT});
    fake_transport_rule(
        w.fake, (struct fake_rule){.name = "c.net.test", .fate = FAKE_ANSWER, .after_ms = 900});
    struct got a = {0}, b = {0}, c = {0}, d = {0}, e = {0};
    lookup(&w, &a, "a.net.test", MC_DNS_T_A); /* answered at +10 */
    lookup(&w, &b, "b.net.test", MC_DNS_T_A); /* never */
    lookup(&w, &c, "c.net.test", MC_DNS_T_A); /* at +910: after the deadline */
    lookup(&w, &d, "d.net.test", MC_DNS_T_A); /* never leaves the queue */
    /* A lookup started by a callback the deadline runs ends at once. */
    b.then = start_lookup;
    b.then_name = "e.net.test";
    b.then_got = &e;
    assert_true(mc_resolver_run(w.res, T0 + 500));
    assert_int_equal(w.fake->now, T0 + 500);
    assert_int_equal(w.fake->cancels, 1);
    assert_int_equal(a.r->outcome, MC_DNS_ANSWER);
    const struct got *cut[] = {&b, &c, &d, &e};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(cut[i]->calls, 1);
        assert_int_equal(cut[i]->r->outcome, MC_DNS_DEADLINE);
        assert_string_equal(cut[i]->r->why, "the run's deadline passed");
    }
    assert_int_equal(w.fake->nqueries, 3); /* a, b, c; d and e never */
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.deadline, 4);
    assert_int_equal(st.answered, 1);
    assert_false(mc_resolver_busy(w.res));
    /* c's reply comes at +910, to a query the transport no longer has:
     * nobody hears of it. */
    struct got later = {0};
    lookup(&w, &later, "x1.many.net.test", MC_DNS_T_A);
    fake_transport_rule(
        w.fake,
        (struct fake_rule){.name = "x1.many.net.test", .fate = FAKE_ANSWER, .after_ms = 1000});
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->late_dropped, 1);
    assert_int_equal(later.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.r->outcome, MC_DNS_DEADLINE);
    mc_resolver_free(w.res);
}

static void stop_from_callback(struct got *g)
{
    mc_resolver_stop(g->w->res);
}

/* An operation of a run_ops run: its lookup's callback ends it. */
struct op {
    struct got got;
    struct mc_resolver_ops *ops;
};

static void op_cb(void *arg, const struct mc_dns_result *r)
{
    struct op *o = arg;
    got_cb(&o->got, r);
    mc_resolver_op_ended(o->ops);
}

static void run_ops_ends_with_the_last_operation(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    fake_transport_rule(
        w.fake, (struct fake_rule){.name = "b.net.test", .fate = FAKE_ANSWER, .after_ms = 100});
    fake_transport_rule(w.fake, (struct fake_rule){.name = "c.net.test", .fate = FAKE_SILENT});
    struct mc_resolver_ops ops = {.res = w.res, .pending = 2};
    struct op a = {.got = {.w = &w}, .ops = &ops}, b = {.got = {.w = &w}, .ops = &ops};
    struct got prefetch = {0};
    mc_resolver_lookup(w.res, "a.net.test", MC_DNS_T_A, op_cb, &a);
    mc_resolver_lookup(w.res, "b.net.test", MC_DNS_T_A, op_cb, &b);
    lookup(&w, &prefetch, "c.net.test", MC_DNS_T_A); /* nobody waits for it */
    /* Not after the first operation, not at the deadline: at the second
     * one's answer (+100), and the run says it was not cut. */
    assert_false(mc_resolver_run_ops(&ops, T0 + 10000));
    assert_int_equal(w.fake->now, T0 + 100);
    assert_int_equal(ops.pending, 0);
    assert_int_equal(a.got.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(b.got.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(b.got.at, T0 + 100);
    assert_int_equal(prefetch.calls, 1);
    assert_int_equal(prefetch.r->outcome, MC_DNS_DEADLINE);
    /* An extra end (a callback after the count reached 0) changes nothing. */
    mc_resolver_op_ended(&ops);
    assert_int_equal(ops.pending, 0);
    mc_resolver_free(w.res);
}

static void stop_ends_the_rest_and_late_answers_are_dropped(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    fake_transport_rule(
        w.fake, (struct fake_rule){.name = "b.net.test", .fate = FAKE_ANSWER, .after_ms = 200});
    struct got a = {.then = stop_from_callback}, b = {0};
    lookup(&w, &a, "a.net.test", MC_DNS_T_A);
    lookup(&w, &b, "b.net.test", MC_DNS_T_A);
    /* Stopped, not cut: the run says its deadline did not pass. */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->now, T0 + 10);
    assert_int_equal(a.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.r->outcome, MC_DNS_DEADLINE);
    assert_int_equal(w.fake->cancels, 1);
    const struct mc_dns_result *cut = b.r;

    /* The next run is not stopped; b's reply comes during it and is
     * dropped; in this epoch b stays what the stop made it. */
    struct got c = {0}, b_again = {0};
    fake_transport_rule(
        w.fake, (struct fake_rule){.name = "c.net.test", .fate = FAKE_ANSWER, .after_ms = 500});
    lookup(&w, &c, "c.net.test", MC_DNS_T_A);
    lookup(&w, &b_again, "b.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(w.fake->now, T0 + 510);
    assert_int_equal(w.fake->late_dropped, 1);
    assert_int_equal(c.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(b.calls, 1);
    assert_ptr_equal(b_again.r, cut);
    assert_int_equal(fake_transport_sent(w.fake, "b.net.test"), 1);

    /* A later epoch asks again once the cut result's short life (the TTL
     * floor) is over; holders of the old result keep it until trimmed. */
    mc_resolver_epoch_next(w.res);
    int64_t expired = T0 + 10 + MC_RESOLVER_MIN_TTL * 1000;
    mc_resolver_timer_add(w.res, expired, noop_cb, NULL);
    assert_false(mc_resolver_run(w.res, INT64_MAX));
    struct got b_new = {0};
    lookup(&w, &b_new, "b.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, expired + 10000));
    assert_int_equal(fake_transport_sent(w.fake, "b.net.test"), 2);
    assert_int_equal(b_new.r->outcome, MC_DNS_ANSWER);
    assert_int_equal(cut->outcome, MC_DNS_DEADLINE); /* still readable */
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.deadline, 1);
    assert_int_equal(st.evicted, 0);
    mc_resolver_trim(w.res, mc_resolver_epoch_next(w.res));
    assert_int_equal(stats_of(&w).evicted, 1);
    mc_resolver_free(w.res);
}

/* ---- epochs, TTLs, trimming and timers ---- */

static void ttl_expiry_is_seen_by_later_epochs(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    struct got first = {0}, long_ttl = {0}, same_epoch = {0}, later = {0}, long_later = {0};
    lookup(&w, &first, "short.net.test", MC_DNS_T_A); /* TTL 20 s */
    lookup(&w, &long_ttl, "a.net.test", MC_DNS_T_A);  /* TTL 300 s */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(first.r->ttl, 20);
    /* Past the TTL: the epoch that made the entry still shares it, so
     * that one check's identical lookups agree. */
    mc_resolver_timer_add(w.res, T0 + 10 + 20000, noop_cb, NULL);
    assert_false(mc_resolver_run(w.res, INT64_MAX));
    lookup(&w, &same_epoch, "short.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 100000));
    assert_ptr_equal(same_epoch.r, first.r);
    /* A later epoch asks again, but shares what is within its TTL. */
    mc_resolver_epoch_next(w.res);
    lookup(&w, &later, "short.net.test", MC_DNS_T_A);
    lookup(&w, &long_later, "a.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 100000));
    assert_ptr_not_equal(later.r, first.r);
    assert_ptr_equal(long_later.r, long_ttl.r);
    assert_int_equal(fake_transport_sent(w.fake, "short.net.test"), 2);
    assert_int_equal(fake_transport_sent(w.fake, "a.net.test"), 1);
    assert_int_equal(first.r->records[0].addr[3], 5); /* retired, not freed */
    mc_resolver_free(w.res);
}

static void trim_keeps_live_epochs_and_the_bound(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.cache_max = 4});
    uint64_t first = mc_resolver_epoch_next(w.res);
    lookup_many(&w, NULL, 0, 10);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(stats_of(&w).entries, 10);
    /* Entries last used in a live epoch are pinned. */
    mc_resolver_trim(w.res, first);
    assert_int_equal(stats_of(&w).entries, 10);
    /* Else the oldest go, down to three quarters of the bound. */
    mc_resolver_trim(w.res, mc_resolver_epoch_next(w.res));
    struct mc_resolver_stats st = stats_of(&w);
    assert_int_equal(st.entries, 3);
    assert_int_equal(st.evicted, 7);
    mc_resolver_free(w.res);
}

/* Looks up names FIRST.. FIRST+N-1 below many.net.test for SCOPE. */
static void lookup_many_for(struct world *w, const struct mc_resolver_scope *scope, size_t first,
                            size_t n)
{
    static struct got ignored;
    ignored.w = w;
    for (size_t i = 0; i < n; i++) {
        char *name = many_name(first + i);
        mc_resolver_lookup_for(w->res, scope, name, MC_DNS_T_A, got_cb, &ignored);
        free(name);
    }
}

static void assert_sent_many(const struct world *w, size_t first, size_t n, size_t times)
{
    for (size_t i = first; i < first + n; i++) {
        char *name = many_name(i);
        assert_int_equal(fake_transport_sent(w->fake, name), times);
        free(name);
    }
}

/* Trims W's cache (a bound of 4: down to three entries, every earlier
 * epoch over), checks that three stay, then asks names 0..N-1 below
 * many.net.test again: assert_sent_many() then shows which stayed. */
static void trim_to_three_and_ask(struct world *w, size_t n)
{
    mc_resolver_trim(w->res, mc_resolver_epoch_next(w->res));
    assert_int_equal(stats_of(w).entries, 3);
    lookup_many(w, NULL, 0, n);
    assert_false(mc_resolver_run(w->res, T0 + 10000));
}

/* Entries only mc_resolver_lookup_once() asked for go before the others,
 * however recently used; an ordinary lookup of one makes it ordinary. */
static void trim_frees_once_entries_first(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.cache_max = 4});
    struct got ignored = {.w = &w};
    mc_resolver_epoch_next(w.res);
    lookup_many(&w, NULL, 0, 2); /* shared, the oldest */
    mc_resolver_epoch_next(w.res);
    for (size_t i = 2; i < 8; i++) {
        char *name = many_name(i);
        mc_resolver_lookup_once(w.res, name, MC_DNS_T_A, got_cb, &ignored);
        free(name);
    }
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    mc_resolver_epoch_next(w.res);
    lookup_many(&w, NULL, 7, 1); /* now an ordinary entry */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(stats_of(&w).entries, 8);
    /* Down to three: the five once-only entries go, not the oldest. */
    trim_to_three_and_ask(&w, 8);
    assert_sent_many(&w, 0, 2, 1);
    assert_sent_many(&w, 2, 5, 2);
    assert_sent_many(&w, 7, 1, 1);
    mc_resolver_free(w.res);
}

/* Entries of a scope still wanted go last, however old; once the scope is
 * spent they are ordinary.  A wanted scope takes an entry over from a
 * spent one, never the other way round. */
static void trim_keeps_entries_a_scope_wants(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.cache_max = 4});
    struct mc_resolver_scope wanted = {.wanted = 1}, spent = {.wanted = 0};
    mc_resolver_epoch_next(w.res);
    lookup_many_for(&w, &wanted, 0, 2); /* the oldest */
    lookup_many_for(&w, &spent, 2, 1);
    lookup_many_for(&w, &spent, 3, 1);
    mc_resolver_epoch_next(w.res);
    lookup_many(&w, NULL, 4, 4);        /* newer, of no scope */
    lookup_many_for(&w, &wanted, 2, 1); /* taken over by the wanted scope */
    lookup_many_for(&w, &spent, 0, 1);  /* stays the wanted scope's */
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(stats_of(&w).entries, 8);
    /* Down to three: 0, 1 and 2 are wanted and stay; 3 (spent) and the
     * four of no scope go, however much newer. */
    trim_to_three_and_ask(&w, 8);
    assert_sent_many(&w, 0, 3, 1);
    assert_sent_many(&w, 3, 5, 2);
    /* Spent: 0..2 are ordinary now, least recently used first. */
    wanted.wanted = 0;
    mc_resolver_epoch_next(w.res);
    lookup_many(&w, NULL, 3, 5);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    trim_to_three_and_ask(&w, 3);
    assert_sent_many(&w, 0, 3, 2);
    mc_resolver_free(w.res);
}

struct fired {
    struct world *w;
    int64_t at[3];
    int n;
};

static void fired_cb(void *arg, const struct mc_dns_result *r)
{
    struct fired *f = arg;
    assert_null(r);
    f->at[f->n++] = f->w->fake->now;
}

static void timers_fire_on_the_loop_clock(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){0});
    struct fired f = {.w = &w};
    mc_resolver_timer_add(w.res, T0 + 300, fired_cb, &f);
    uint64_t cancelled = mc_resolver_timer_add(w.res, T0 + 200, fired_cb, &f);
    mc_resolver_timer_add(w.res, T0 + 100, fired_cb, &f);
    mc_resolver_timer_cancel(w.res, cancelled);
    mc_resolver_post(w.res, fired_cb, &f); /* from the loop, at once */
    assert_int_equal(f.n, 0);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(f.n, 3);
    assert_int_equal(f.at[0], T0);
    assert_int_equal(f.at[1], T0 + 100);
    assert_int_equal(f.at[2], T0 + 300);
    assert_int_equal(w.fake->nqueries, 0);
    mc_resolver_free(w.res);
}

/* ---- what never reaches the transport ---- */

static void zones_and_offline_send_nothing(void **state)
{
    (void)state;
    struct world w = world_new((struct mc_resolver_config){.offline = true, .zones = far});
    struct got zone = {0}, off = {0};
    lookup(&w, &zone, "target.far.test", MC_DNS_T_A);
    lookup(&w, &off, "a.net.test", MC_DNS_T_A);
    assert_false(mc_resolver_run(w.res, T0 + 10000));
    assert_int_equal(zone.r->outcome, MC_DNS_ANSWER);
    assert_string_equal(zone.r->server, "zone " ZONES "far.test.zone");
    assert_int_equal(off.r->outcome, MC_DNS_OFFLINE);
    assert_int_equal(w.fake->nqueries, 0);
    const char *const *servers;
    assert_int_equal(mc_resolver_servers(w.res, &servers), 0); /* none asked */
    mc_resolver_free(w.res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_is_fifo),
        cmocka_unit_test(cname_followed_across_replies),
        cmocka_unit_test(cname_loop_across_replies),
        cmocka_unit_test(identical_lookups_share_one_query),
        cmocka_unit_test(long_names_are_keyed_alike),
        cmocka_unit_test(qps_spaces_sends),
        cmocka_unit_test(qps_burst_after_idle),
        cmocka_unit_test(max_inflight_bounds_the_window),
        cmocka_unit_test(inflight_follows_receive_buffer),
        cmocka_unit_test(busy_when_the_queue_is_long),
        cmocka_unit_test(busy_clears_while_draining),
        cmocka_unit_test(timeouts_and_errors_as_reported),
        cmocka_unit_test(deadline_cuts_sent_and_queued),
        cmocka_unit_test(stop_ends_the_rest_and_late_answers_are_dropped),
        cmocka_unit_test(run_ops_ends_with_the_last_operation),
        cmocka_unit_test(ttl_expiry_is_seen_by_later_epochs),
        cmocka_unit_test(trim_keeps_live_epochs_and_the_bound),
        cmocka_unit_test(trim_frees_once_entries_first),
        cmocka_unit_test(trim_keeps_entries_a_scope_wants),
        cmocka_unit_test(timers_fire_on_the_loop_clock),
        cmocka_unit_test(zones_and_offline_send_nothing),
    };
    return cmocka_run_group_tests_name("resolver", tests, load_zones, free_zones);
}
