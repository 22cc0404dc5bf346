/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for spf_eval.c: check_host() (RFC 7208 §4-§6) run for real, on
 * a resolver with --offline and the zone files of tests/unit/spf/ as its
 * deterministic fake network (a name outside every zone fails at once,
 * which gives the temperror cases their failing lookup).
 *
 * Every scenario is one row of the table below, in the manner of the
 * openspf RFC 7208 test suite (rfc7208-tests.yml): client, sender, HELO and
 * the expected result, matching term, DNS-querying terms, void lookups,
 * explanation and loop flag; some rows add a check of ledger facts.  Every
 * scenario is evaluated twice, with prefetch on and off, and the two
 * evaluations must agree on everything reported: result, mechanism,
 * counts, explanation and every ledger line.
 *
 * Walks (mc_spf_eval_walk_start(): the tree without a client) have a table
 * of their own on the same zones, also run with prefetch on and off: the
 * result, the worst-case counts, the terms that need the client, and
 * ledger facts; their lint is compared with an evaluation's.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_ip.h"
#include "mc_resolver.h"
#include "mc_spf_eval.h"
#include "mc_spf_lint.h"
#include "mc_util.h"
#include "mc_zone.h"

#include "fake_transport.h"

#define SPF_ZONES MC_TEST_DATA_DIR "/unit/spf"

/* A 60-octet local-part: five of them overflow 253 octets (§7.3). */
#define L60 "a123456789b123456789c123456789d123456789e123456789f123456789"

static struct mc_zone_set *zones;

/* ---- running an evaluation ---- */

struct run {
    struct mc_resolver *res;
    struct mc_spf_eval *eval;
    const struct mc_spf_verdict *v;
    struct mc_resolver_stats stats;
    int calls; /* how often the done callback ran */
};

static void done_cb(void *arg, struct mc_spf_eval *eval)
{
    struct run *r = arg;
    r->calls++;
    r->eval = eval;
}

/* Evaluates on a fresh resolver (empty cache) over the test zones. */
static void run_eval(struct run *r, const char *ip, const char *sender, const char *helo,
                     bool prefetch)
{
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    memset(r, 0, sizeof *r);
    r->res = mc_resolver_new(&rc, &why);
    if (!r->res)
        fail_msg("mc_resolver_new: %s", why ? why : "?");
    struct mc_spf_request req = {.sender = sender, .helo = helo, .prefetch = prefetch};
    if (!mc_ip_parse(ip, &req.ip))
        fail_msg("bad test address %s", ip);
    req.ip_upper = mc_ip_text_upper(ip); /* as mailcheck spf --ip does */
    struct mc_spf_eval *started = mc_spf_eval_start(r->res, &req, done_cb, r);
    assert_int_equal(r->calls, 0); /* never called back from inside _start */
    assert_false(mc_resolver_run(r->res, mc_now_ms() + 10000));
    assert_int_equal(r->calls, 1);
    assert_ptr_equal(r->eval, started);
    r->v = mc_spf_eval_verdict(r->eval);
    mc_resolver_get_stats(r->res, &r->stats);
}

static void run_free(struct run *r)
{
    mc_spf_eval_free(r->eval);
    mc_resolver_free(r->res);
    memset(r, 0, sizeof *r);
}

/* An mx term whose hosts' answers come in another order than they were
 * asked, two of them failing (m1 first, m2 last): the ledger lists the
 * hosts' lookups in name order and the temperror names the first of them
 * that failed, whatever order the network chose (before, the ledger
 * followed the arrivals and the last failure was named). */
static void mx_hosts_in_name_order(void **state)
{
    (void)state;
    struct fake_transport *fake = fake_transport_new(1000000);
    fake_transport_serve(fake, zones);
    fake_transport_rule(
        fake, (struct fake_rule){
                  .name = "m1.mxh.spf.test", .fate = FAKE_NETERR, .after_ms = 5, .why = "first"});
    fake_transport_rule(
        fake, (struct fake_rule){
                  .name = "m2.mxh.spf.test", .fate = FAKE_NETERR, .after_ms = 90, .why = "last"});
    fake_transport_rule(
        fake, (struct fake_rule){.name = "m3.mxh.spf.test", .fate = FAKE_ANSWER, .after_ms = 1});
    struct mc_resolver_config rc = {0};
    struct mc_resolver *res = mc_resolver_new_on(&rc, &fake->base);
    struct run r = {.res = res};
    struct mc_spf_request req = {.sender = "postmaster@mx10.spf.test", .helo = "h.spf.test"};
    assert_true(mc_ip_parse("192.0.2.99", &req.ip));
    struct mc_spf_eval *eval = mc_spf_eval_start(res, &req, done_cb, &r);
    assert_false(mc_resolver_run(res, 1000000 + 10000));
    assert_int_equal(r.calls, 1);
    const struct mc_spf_verdict *v = mc_spf_eval_verdict(eval);
    assert_int_equal(v->result, MC_SPF_TEMPERROR);
    assert_non_null(strstr(v->why, "m1.mxh.spf.test"));
    const struct mc_spf_step *mx = NULL;
    for (size_t i = 0; i < v->nsteps; i++)
        if (v->steps[i].term && strcmp(v->steps[i].term, "mx") == 0)
            mx = &v->steps[i];
    if (!mx)
        fail_msg("no ledger line for the mx term");
    assert_int_equal(mx->nlookups, 11); /* the MX lookup, then its ten hosts */
    assert_int_equal(mx->lookups[0].type, MC_DNS_T_MX);
    for (size_t i = 2; i < mx->nlookups; i++)
        assert_true(strcmp(mx->lookups[i - 1].name, mx->lookups[i].name) < 0);
    mc_spf_eval_free(eval);
    mc_resolver_free(res);
}

/* ---- ledger helpers ---- */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* How many lookups of NAME (NULL: any) and TYPE (0: any) the ledger shows. */
static size_t ledger_lookups(const struct mc_spf_verdict *v, const char *name, uint16_t type)
{
    size_t n = 0;
    for (size_t i = 0; i < v->nsteps; i++)
        for (size_t j = 0; j < v->steps[i].nlookups; j++) {
            const struct mc_spf_lookup *l = &v->steps[i].lookups[j];
            if ((!name || mc_name_equal(l->name, name)) && (!type || l->type == type))
                n++;
        }
    return n;
}

/* The first ledger line of TERM (as written), or NULL. */
static const struct mc_spf_step *ledger_term(const struct mc_spf_verdict *v, const char *term)
{
    for (size_t i = 0; i < v->nsteps; i++)
        if (str_eq(v->steps[i].term, term))
            return &v->steps[i];
    return NULL;
}

/* The ledger line of TERM, failing the test when there is none (abort()
 * tells the compiler so: cmocka's failure calls are not noreturn, and gcc
 * -O2 warns of the NULL it cannot rule out). */
static const struct mc_spf_step *must_term(const struct mc_spf_verdict *v, const char *term)
{
    const struct mc_spf_step *s = ledger_term(v, term);
    if (!s) {
        fail_msg("no ledger line for %s", term);
        abort();
    }
    return s;
}

/* The ledger line of the term that was over the 10-term limit; fails the
 * test when there is none. */
static const struct mc_spf_step *ledger_limit_step(const struct mc_spf_verdict *v)
{
    for (size_t i = 0; i < v->nsteps; i++)
        if (v->steps[i].note && strstr(v->steps[i].note, "over the limit"))
            return &v->steps[i];
    fail_msg("no ledger line over the limit");
    abort();
}

static unsigned ledger_cost(const struct mc_spf_verdict *v)
{
    unsigned sum = 0;
    for (size_t i = 0; i < v->nsteps; i++)
        sum += v->steps[i].cost;
    return sum;
}

static unsigned ledger_voids(const struct mc_spf_verdict *v)
{
    unsigned sum = 0;
    for (size_t i = 0; i < v->nsteps; i++)
        sum += v->steps[i].void_lookup;
    return sum;
}

/* Prefetch invariance: everything an evaluation reports must be equal. */
static void assert_same_verdict(const struct mc_spf_verdict *a, const struct mc_spf_verdict *b)
{
    assert_int_equal(a->result, b->result);
    assert_true(str_eq(a->mechanism, b->mechanism));
    assert_true(str_eq(a->explanation, b->explanation));
    assert_true(str_eq(a->why, b->why));
    assert_true(str_eq(a->limit_term, b->limit_term));
    assert_int_equal(a->dns_lookups, b->dns_lookups);
    assert_int_equal(a->void_lookups, b->void_lookups);
    assert_int_equal(a->include_loop, b->include_loop);
    assert_int_equal(a->nsteps, b->nsteps);
    for (size_t i = 0; i < a->nsteps; i++) {
        const struct mc_spf_step *s = &a->steps[i], *t = &b->steps[i];
        assert_int_equal(s->depth, t->depth);
        assert_true(str_eq(s->domain, t->domain));
        assert_true(str_eq(s->record, t->record));
        assert_true(str_eq(s->term, t->term));
        assert_true(str_eq(s->target, t->target));
        assert_int_equal(s->cost, t->cost);
        assert_int_equal(s->void_lookup, t->void_lookup);
        assert_int_equal(s->matched, t->matched);
        assert_true(str_eq(s->note, t->note));
        assert_int_equal(s->nlookups, t->nlookups);
        for (size_t j = 0; j < s->nlookups; j++) {
            assert_string_equal(s->lookups[j].name, t->lookups[j].name);
            assert_int_equal(s->lookups[j].type, t->lookups[j].type);
            assert_int_equal(s->lookups[j].outcome, t->lookups[j].outcome);
            assert_int_equal(s->lookups[j].nanswers, t->lookups[j].nanswers);
        }
    }
    assert_int_equal(a->nseen, b->nseen);
}

/* ---- the scenarios ---- */

struct scenario {
    const char *name;
    const char *rfc; /* the section (and rfc7208-tests.yml case) it follows */
    const char *ip, *sender, *helo;
    enum mc_spf_result result;
    const char *mechanism;   /* NULL: none matched */
    unsigned lookups, voids; /* dns_lookups, void_lookups */
    const char *explanation; /* NULL: none */
    bool loop;               /* include_loop */
    const char *limit_term;  /* NULL: no limit exceeded */
    void (*check)(const struct mc_spf_verdict *v);
};

#define C4 "192.0.2.10"
#define X4 "192.0.2.99"
#define C6 "2001:db8::10"
#define M4 "::ffff:192.0.2.10"

/* -- extra ledger checks -- */

static void no_lookup_at_all(const struct mc_spf_verdict *v)
{
    /* §4.3: a malformed <domain> gives none before any query. */
    assert_int_equal(v->nsteps, 0);
    assert_non_null(v->why);
}

static void exp_not_fetched(const struct mc_spf_verdict *v)
{
    /* §6.2: the explanation is fetched on fail only. */
    assert_int_equal(ledger_lookups(v, "explain.spf.test", 0), 0);
}

static void redirect_not_used(const struct mc_spf_verdict *v)
{
    /* §6.1: a record with a match (or all) never follows redirect=. */
    assert_int_equal(ledger_lookups(v, "nowhere.test", 0), 0);
    assert_null(ledger_term(v, "redirect=nowhere.test"));
}

static void mx_null_no_address_lookup(const struct mc_spf_verdict *v)
{
    /* RFC 7505 null MX: the MX lookup answered ".", nothing else asked. */
    assert_int_equal(ledger_lookups(v, "mx-null.spf.test", MC_DNS_T_MX), 1);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 0);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_AAAA), 0);
}

static void mx_no_implicit_a(const struct mc_spf_verdict *v)
{
    /* §5.4: no MX records: no match, and no fallback to the A record. */
    assert_int_equal(ledger_lookups(v, "mx-implicit.spf.test", MC_DNS_T_A), 0);
    const struct mc_spf_step *s = must_term(v, "mx");
    assert_true(s->void_lookup);
}

static void mx10_looks_up_ten(const struct mc_spf_verdict *v)
{
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 10);
}

static void mx11_looks_up_none(const struct mc_spf_verdict *v)
{
    /* §4.6.4: the 11th MX name is a permerror before any address lookup. */
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 0);
}

static void exists_asks_a(const struct mc_spf_verdict *v)
{
    /* §5.7: exists always asks A, even for an IPv6 client. */
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 1);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_AAAA), 0);
}

static void mapped_asks_a(const struct mc_spf_verdict *v)
{
    /* §5: an IPv4-mapped client is an IPv4 client: a asks A. */
    assert_int_equal(ledger_lookups(v, "host.spf.test", MC_DNS_T_A), 1);
    assert_int_equal(ledger_lookups(v, "host.spf.test", MC_DNS_T_AAAA), 0);
}

static void a_asks_aaaa(const struct mc_spf_verdict *v)
{
    assert_int_equal(ledger_lookups(v, "host.spf.test", MC_DNS_T_AAAA), 1);
    assert_int_equal(ledger_lookups(v, "host.spf.test", MC_DNS_T_A), 0);
}

static void ptr_ten_names(const struct mc_spf_verdict *v)
{
    /* §4.6.4: of 11 PTR names only the first 10 are looked up. */
    assert_int_equal(ledger_lookups(v, "12.2.0.192.in-addr.arpa", MC_DNS_T_PTR), 1);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 10);
    assert_int_equal(ledger_lookups(v, "n11.ptr11.spf.test", 0), 0);
}

static void ptr_v6_reverse(const struct mc_spf_verdict *v)
{
    static const char rev[] =
        "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    assert_int_equal(ledger_lookups(v, rev, MC_DNS_T_PTR), 1);
    assert_int_equal(ledger_lookups(v, "mail.ptr.spf.test", MC_DNS_T_AAAA), 1);
}

static void ptr_mapped_reverse(const struct mc_spf_verdict *v)
{
    /* §5: the mapped client's PTR is looked up under in-addr.arpa. */
    assert_int_equal(ledger_lookups(v, "10.2.0.192.in-addr.arpa", MC_DNS_T_PTR), 1);
}

static void p_prefers_subdomain(const struct mc_spf_verdict *v)
{
    /* §7.3: a validated subdomain of <domain> is preferred for %{p}. */
    const struct mc_spf_step *s = must_term(v, "exists:%{p}.ok.spf.test");
    assert_string_equal(s->target, "mx.p-macro.spf.test.ok.spf.test");
}

static void p_validated_only(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = must_term(v, "exists:%{p}.ok.spf.test");
    assert_string_equal(s->target, "mail.ptr.spf.test.ok.spf.test");
}

static void p_unknown(const struct mc_spf_verdict *v)
{
    /* §7.3: no validated name: "unknown". */
    const struct mc_spf_step *s = must_term(v, "exists:%{p}.ok.spf.test");
    assert_string_equal(s->target, "unknown.ok.spf.test");
}

static void long_truncated(const struct mc_spf_verdict *v)
{
    /* §7.3: 320 octets, truncated from the left to at most 253. */
    const struct mc_spf_step *s = must_term(v, "exists:%{l}.%{l}.%{l}.%{l}.%{l}.long-t.spf.test");
    assert_string_equal(s->target, L60 "." L60 "." L60 ".long-t.spf.test");
}

static void exists_ip_target(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = must_term(v, "exists:%{ir}.%{v}.rbl.spf.test");
    assert_string_equal(s->target, "10.2.0.192.in-addr.rbl.spf.test");
}

static void include_macro_target(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = must_term(v, "include:i-%{l}.spf.test");
    assert_string_equal(s->target, "i-pass.spf.test");
    assert_true(s->matched);
}

static void limit_in_include(const struct mc_spf_verdict *v)
{
    /* The ledger names the include that pushed the count over. */
    const struct mc_spf_step *s = ledger_limit_step(v);
    assert_int_equal(s->depth, 1);
    assert_string_equal(s->domain, "lim-inc8.spf.test");
    assert_string_equal(s->term, "a");
    assert_non_null(strstr(v->why, "lim-inc-in.spf.test -> include:lim-inc8.spf.test"));
    /* the 11th term asked nothing */
    assert_int_equal(s->nlookups, 0);
}

static void limit_at_top(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = ledger_limit_step(v);
    assert_int_equal(s->depth, 0);
    assert_int_equal(s->nlookups, 0);
}

static void limit_redirect(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = ledger_limit_step(v);
    assert_string_equal(s->term, "redirect=r-target.spf.test");
    assert_int_equal(ledger_lookups(v, "r-target.spf.test", 0), 0);
}

static void loop_ledger(const struct mc_spf_verdict *v)
{
    bool noted = false;
    for (size_t i = 0; i < v->nsteps; i++)
        if (v->steps[i].note && strstr(v->steps[i].note, "loop"))
            noted = true;
    assert_true(noted);
}

static void why_names_nowhere(const struct mc_spf_verdict *v)
{
    assert_non_null(v->why);
    assert_non_null(strstr(v->why, "nowhere.test"));
}

static void exp_dns_error_is_no_explanation(const struct mc_spf_verdict *v)
{
    /* §6.2: a failed exp lookup is not an error: fail stands. */
    assert_int_equal(ledger_lookups(v, "nowhere.test", MC_DNS_T_TXT), 1);
}

static void several_seen(const struct mc_spf_verdict *v)
{
    assert_int_equal(v->nseen, 1);
    assert_null(v->seen[0].parsed);
}

static void cname_followed(const struct mc_spf_verdict *v)
{
    assert_int_equal(ledger_lookups(v, "cname-spf.spf.test", MC_DNS_T_TXT), 1);
}

static void void_counted_by_family(const struct mc_spf_verdict *v)
{
    /* The same a:v4only costs a void AAAA lookup for IPv6 clients only. */
    assert_int_equal(ledger_lookups(v, "v4only.spf.test", MC_DNS_T_AAAA), 3);
    assert_int_equal(ledger_lookups(v, "v4only.spf.test", MC_DNS_T_A), 0);
}

static void temp_ptr_not_temperror(const struct mc_spf_verdict *v)
{
    /* §5.5: a failed PTR lookup is no match, not temperror. */
    assert_int_equal(ledger_lookups(v, "5.113.0.203.in-addr.arpa", MC_DNS_T_PTR), 1);
}

#define ROW(...)                                                                                   \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

static const struct scenario scenarios[] = {
    /* ---- §4.3 initial processing ---- */
    ROW("domain-empty-label", "4.3 emptylabel", C4, "foo@a..spf.test", NULL, MC_SPF_NONE, NULL, 0,
        0, NULL, false, NULL, no_lookup_at_all),
    ROW("domain-long-label", "4.3 toolonglabel", C4, "foo@" L60 "abcd.spf.test", NULL, MC_SPF_NONE,
        NULL, 0, 0, NULL, false, NULL, no_lookup_at_all),
    ROW("domain-literal", "4.3 domain-literal", C4, "foo@[192.0.2.10]", NULL, MC_SPF_NONE, NULL, 0,
        0, NULL, false, NULL, no_lookup_at_all),
    ROW("domain-single-label", "4.3 helo-not-fqdn", C4, "foo@localhost", NULL, MC_SPF_NONE, NULL, 0,
        0, NULL, false, NULL, no_lookup_at_all),
    ROW("domain-ip-address", "4.3", C4, "foo@192.0.2.10", NULL, MC_SPF_NONE, NULL, 0, 0, NULL,
        false, NULL, no_lookup_at_all),
    ROW("domain-trailing-dot", "4.3", C4, "foo@inc-pass.spf.test.", NULL, MC_SPF_PASS,
        "include:i-pass.spf.test", 1, 0, NULL, false, NULL, NULL),
    ROW("domain-case", "4.3", C4, "foo@INC-PASS.Spf.Test", NULL, MC_SPF_PASS,
        "include:i-pass.spf.test", 1, 0, NULL, false, NULL, NULL),
    ROW("no-local-part", "4.3 nolocalpart", X4, "@nolocal.spf.test", NULL, MC_SPF_FAIL, "-all", 0,
        0, "postmaster", false, NULL, NULL),
    ROW("domain-only-sender", "4.3", X4, "nolocal.spf.test", NULL, MC_SPF_FAIL, "-all", 0, 0,
        "postmaster", false, NULL, NULL),

    /* ---- §4.4/§4.5 record lookup and selection ---- */
    ROW("select-none-no-txt", "4.5 nospf", C4, "foo@none.spf.test", NULL, MC_SPF_NONE, NULL, 0, 0,
        NULL, false, NULL, NULL),
    ROW("select-none-nxdomain", "4.3/4.5", C4, "foo@nx.spf.test", NULL, MC_SPF_NONE, NULL, 0, 0,
        NULL, false, NULL, NULL),
    ROW("select-other-txt", "4.5 (v=spf10 is not v=spf1)", C4, "foo@other-txt.spf.test", NULL,
        MC_SPF_NONE, NULL, 0, 0, NULL, false, NULL, NULL),
    ROW("select-several", "4.5 multitxt1", C4, "foo@several.spf.test", NULL, MC_SPF_PERMERROR, NULL,
        0, 0, NULL, false, NULL, several_seen),
    ROW("select-several-case", "4.5 multitxt2", C4, "foo@several-case.spf.test", NULL,
        MC_SPF_PERMERROR, NULL, 0, 0, NULL, false, NULL, NULL),
    ROW("select-case", "4.5 case-insensitive", C4, "foo@case.spf.test", NULL, MC_SPF_SOFTFAIL,
        "~all", 0, 0, NULL, false, NULL, NULL),
    ROW("select-multi-string", "3.3", C4, "foo@multi.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10/32", 0, 0, NULL, false, NULL, NULL),
    ROW("select-multi-string-nospace", "4.5 nospace1", C4, "foo@nospace.spf.test", NULL,
        MC_SPF_NONE, NULL, 0, 0, NULL, false, NULL, NULL),
    ROW("select-empty", "4.5 empty", C4, "foo@empty.spf.test", NULL, MC_SPF_NEUTRAL, NULL, 0, 0,
        NULL, false, NULL, NULL),
    ROW("select-spf10", "4.5 nospace2", C4, "foo@spf10.spf.test", NULL, MC_SPF_FAIL, "-all", 0, 0,
        NULL, false, NULL, NULL),
    ROW("select-tab", "4.5", C4, "foo@tab.spf.test", NULL, MC_SPF_NONE, NULL, 0, 0, NULL, false,
        NULL, NULL),
    ROW("select-nonascii-other", "4.5 non-ascii-non-spf", C4, "foo@nonascii-other.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0, NULL, false, NULL, NULL),
    ROW("select-cname", "4.4", C4, "foo@cname-spf.spf.test", NULL, MC_SPF_PASS, "ip4:192.0.2.10", 0,
        0, NULL, false, NULL, cname_followed),
    ROW("record-temperror", "4.4 txttimeout", C4, "foo@nowhere.test", NULL, MC_SPF_TEMPERROR, NULL,
        0, 0, NULL, false, NULL, why_names_nowhere),

    /* ---- §4.6/§4.7 evaluation ---- */
    ROW("left-to-right", "4.6.2", C4, "foo@ltr.spf.test", NULL, MC_SPF_FAIL, "-ip4:192.0.2.10", 0,
        0, NULL, false, NULL, NULL),
    ROW("left-to-right-next", "4.6.2", "192.0.2.11", "foo@ltr.spf.test", NULL, MC_SPF_PASS,
        "+ip4:192.0.2.0/24", 0, 0, NULL, false, NULL, NULL),
    ROW("syntax-error-anywhere", "4.6 detect-errors-anywhere", C4, "foo@syntax-late.spf.test", NULL,
        MC_SPF_PERMERROR, NULL, 0, 0, NULL, false, NULL, NULL),
    ROW("unknown-modifier", "6 modifier-charset-good", C4, "foo@unknown-mod.spf.test", NULL,
        MC_SPF_PASS, "ip4:192.0.2.10", 0, 0, NULL, false, NULL, NULL),
    ROW("default-neutral", "4.7 default-result", C4, "foo@default.spf.test", NULL, MC_SPF_NEUTRAL,
        NULL, 0, 0, NULL, false, NULL, NULL),
    ROW("match-stops", "4.6.2", C4, "foo@pass-first.spf.test", NULL, MC_SPF_PASS, "ip4:192.0.2.10",
        0, 0, NULL, false, NULL, NULL),
    ROW("ip-terms-cost-nothing", "4.6.4", X4, "foo@ip-only.spf.test", NULL, MC_SPF_FAIL, "-all", 0,
        0, NULL, false, NULL, NULL),

    /* ---- §5.2 include ---- */
    ROW("include-pass", "5.2", C4, "foo@inc-pass.spf.test", NULL, MC_SPF_PASS,
        "include:i-pass.spf.test", 1, 0, NULL, false, NULL, NULL),
    ROW("include-pass-qualified", "5.2", C4, "foo@inc-minus.spf.test", NULL, MC_SPF_FAIL,
        "-include:i-pass.spf.test", 1, 0, NULL, false, NULL, NULL),
    ROW("include-fail", "5.2 include-fail", C4, "foo@inc-fail.spf.test", NULL, MC_SPF_SOFTFAIL,
        "~all", 1, 0, NULL, false, NULL, NULL),
    ROW("include-softfail", "5.2 include-softfail", C4, "foo@inc-softfail.spf.test", NULL,
        MC_SPF_NEUTRAL, "?all", 1, 0, NULL, false, NULL, NULL),
    ROW("include-neutral", "5.2 include-neutral", C4, "foo@inc-neutral.spf.test", NULL, MC_SPF_FAIL,
        "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("include-temperror", "5.2 include-temperror", C4, "foo@inc-temp.spf.test", NULL,
        MC_SPF_TEMPERROR, NULL, 2, 0, NULL, false, NULL, why_names_nowhere),
    ROW("include-temperror-txt", "5.2", C4, "foo@inc-temp-txt.spf.test", NULL, MC_SPF_TEMPERROR,
        NULL, 1, 0, NULL, false, NULL, why_names_nowhere),
    ROW("include-none", "5.2 include-none", C4, "foo@inc-none.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("include-nxdomain", "5.2", C4, "foo@inc-nx.spf.test", NULL, MC_SPF_PERMERROR, NULL, 1, 0,
        NULL, false, NULL, NULL),
    ROW("include-permerror", "5.2 include-permerror", C4, "foo@inc-perm.spf.test", NULL,
        MC_SPF_PERMERROR, NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("include-several", "5.2/4.5", C4, "foo@inc-several.spf.test", NULL, MC_SPF_PERMERROR, NULL,
        1, 0, NULL, false, NULL, NULL),
    ROW("include-duplicate-no-loop", "5.2", C4, "foo@inc-dup.spf.test", NULL, MC_SPF_SOFTFAIL,
        "~all", 2, 0, NULL, false, NULL, NULL),
    ROW("include-helo", "5.2/7", C4, "foo@inc-helo.spf.test", "i-pass.spf.test", MC_SPF_PASS,
        "include:%{h}", 1, 0, NULL, false, NULL, NULL),
    ROW("include-domain-literal", "5.2/4.3", C4, "foo@inc-helo.spf.test", "[192.0.2.10]",
        MC_SPF_PERMERROR, NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("include-macro", "5.2/7", C4, "pass@inc-macro.spf.test", NULL, MC_SPF_PASS,
        "include:i-%{l}.spf.test", 1, 0, NULL, false, NULL, include_macro_target),

    /* ---- §6.1 redirect ---- */
    ROW("redirect-pass", "6.1", C4, "foo@redir.spf.test", NULL, MC_SPF_PASS, "ip4:192.0.2.10", 1, 0,
        NULL, false, NULL, NULL),
    ROW("redirect-fail", "6.1", X4, "foo@redir.spf.test", NULL, MC_SPF_FAIL, "-all", 1, 0, NULL,
        false, NULL, NULL),
    ROW("redirect-with-all", "6.1 redirect-after-mechanisms1", C4, "foo@redir-all.spf.test", NULL,
        MC_SPF_SOFTFAIL, "~all", 0, 0, NULL, false, NULL, redirect_not_used),
    ROW("redirect-after-match", "6.1", C4, "foo@redir-match.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10", 0, 0, NULL, false, NULL, redirect_not_used),
    ROW("redirect-none", "6.1 redirect-none", C4, "foo@redir-none.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("redirect-nxdomain", "6.1", C4, "foo@redir-nx.spf.test", NULL, MC_SPF_PERMERROR, NULL, 1, 0,
        NULL, false, NULL, NULL),
    ROW("redirect-implicit-domain", "6.1 redirect-implicit", C4, "foo@redir-impl.spf.test", NULL,
        MC_SPF_PASS, "a", 2, 0, NULL, false, NULL, NULL),
    ROW("redirect-loop", "4.6.4 redirect-loop", C4, "foo@redir-loop.spf.test", NULL,
        MC_SPF_PERMERROR, NULL, 11, 0, NULL, true, "redirect=redir-loop.spf.test", NULL),
    ROW("redirect-bad-target", "6.1", C4, "foo@redir-bad.spf.test", "localhost", MC_SPF_PERMERROR,
        NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("redirect-address-literal", "6.1/4.3", C4, "foo@redir-bad.spf.test", "192.0.2.10",
        MC_SPF_PERMERROR, NULL, 1, 0, NULL, false, NULL, NULL),
    ROW("redirect-temperror", "6.1", C4, "foo@redir-temp.spf.test", NULL, MC_SPF_TEMPERROR, NULL, 1,
        0, NULL, false, NULL, why_names_nowhere),

    /* ---- §6.2 exp ---- */
    ROW("exp-on-fail", "6.2", X4, "foo@exp-fail.spf.test", NULL, MC_SPF_FAIL, "-all", 0, 0,
        "Not allowed: 192.0.2.99 for foo@exp-fail.spf.test via exp-fail.spf.test (in-addr)", false,
        NULL, NULL),
    ROW("exp-not-on-softfail", "6.2", X4, "foo@exp-soft.spf.test", NULL, MC_SPF_SOFTFAIL, "~all", 0,
        0, NULL, false, NULL, exp_not_fetched),
    ROW("exp-not-on-neutral", "6.2", X4, "foo@exp-neutral.spf.test", NULL, MC_SPF_NEUTRAL, "?all",
        0, 0, NULL, false, NULL, exp_not_fetched),
    ROW("exp-not-on-pass", "6.2", C4, "foo@lim10.spf.test", NULL, MC_SPF_PASS, "ip4:192.0.2.10", 10,
        0, NULL, false, NULL, exp_not_fetched),
    ROW("exp-not-from-include", "6.2 include-ignores-exp", X4, "foo@exp-inc.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("exp-top-over-include", "6.2 include-ignores-exp", X4, "foo@exp-inc2.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, "right explanation", false, NULL, NULL),
    ROW("exp-minus-include", "6.2", X4, "foo@exp-inc-minus.spf.test", NULL, MC_SPF_FAIL,
        "-include:exp-inc-p.spf.test", 1, 0, "right explanation", false, NULL, NULL),
    ROW("exp-from-redirect-target", "6.2 redirect-cancels-prior-exp", X4, "foo@exp-redir.spf.test",
        NULL, MC_SPF_FAIL, "-all", 1, 0, "right explanation", false, NULL, NULL),
    ROW("exp-redirect-cancels", "6.2 redirect-cancels-exp", X4, "foo@exp-redir2.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("exp-missing", "6.2 exp-no-txt, exp-void", X4, "foo@exp-missing.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0, NULL, false, NULL, NULL),
    ROW("exp-two-records", "6.2 exp-multiple-txt", X4, "foo@exp-two.spf.test", NULL, MC_SPF_FAIL,
        "-all", 0, 0, NULL, false, NULL, NULL),
    ROW("exp-syntax-error", "6.2 explanation-syntax-error", X4, "foo@exp-bad.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0, NULL, false, NULL, NULL),
    ROW("exp-dns-error", "6.2 exp-dns-error", X4, "foo@exp-err.spf.test", NULL, MC_SPF_FAIL, "-all",
        0, 0, NULL, false, NULL, exp_dns_error_is_no_explanation),
    ROW("exp-trailing-dot", "7.3 trailing-dot-exp", X4, "foo@exp-dot.spf.test", NULL, MC_SPF_FAIL,
        "-all", 0, 0, "This is a test.", false, NULL, NULL),
    ROW("exp-macro-domain", "6.2/7.3", X4, "bob@exp-macro.spf.test", NULL, MC_SPF_FAIL, "-all", 0,
        0, "Hello bob, 192.0.2.99 is 99.2.0.192.in-addr.arpa", false, NULL, NULL),
    ROW("exp-macro-ipv6", "7.3 v-macro-ip6", "2001:db8::99", "bob@exp-macro.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0,
        "Hello bob, 2001:db8::99 is "
        "9.9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        false, NULL, NULL),
    ROW("exp-macro-ipv6-upper", "7.3 v-macro-ip6", "2001:DB8::99", "bob@exp-macro.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0,
        "Hello bob, 2001:db8::99 is "
        "9.9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa",
        false, NULL, NULL),
    ROW("exp-p-macro", "7.3 p-macro-ip4-valid", "192.0.2.11", "foo@exp-p.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0, "connect from host.sub.ptr.spf.test", false, NULL, NULL),
    ROW("exp-p-macro-domain", "6.2/7.3", "192.0.2.11", "foo@exp-pdom.spf.test", NULL, MC_SPF_FAIL,
        "-all", 0, 0, "via host.sub.ptr.spf.test", false, NULL, NULL),
    ROW("exp-p-macro-unknown", "7.3 p-macro-ip4-novalid", X4, "foo@exp-p.spf.test", NULL,
        MC_SPF_FAIL, "-all", 0, 0, "connect from unknown", false, NULL, NULL),
    ROW("exp-upper-and-r", "7.3 upper-macro", X4, "a+b@exp-upper.spf.test", NULL, MC_SPF_FAIL,
        "-all", 0, 0, "see http://example.test/why?s=a%2Bb%40exp-upper.spf.test&r=unknown", false,
        NULL, NULL),

    /* ---- §4.6.4 the 10-term limit ---- */
    ROW("limit-10-terms", "4.6.4 mech-at-limit", C4, "foo@lim10.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10", 10, 0, NULL, false, NULL, NULL),
    ROW("limit-10-terms-ipv6", "4.6.4", C6, "foo@lim10.spf.test", NULL, MC_SPF_PASS,
        "ip6:2001:db8::/32", 10, 0, NULL, false, NULL, NULL),
    ROW("limit-11-terms", "4.6.4 mech-over-limit", C4, "foo@lim11.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 11, 0, NULL, false, "a", limit_at_top),
    ROW("limit-include-at-10", "4.6.4 include-at-limit", C4, "foo@lim-inc.spf.test", NULL,
        MC_SPF_PASS, "ip4:192.0.2.10", 10, 0, NULL, false, NULL, NULL),
    ROW("limit-include-over", "4.6.4 include-over-limit", C4, "foo@lim-inc-over.spf.test", NULL,
        MC_SPF_PERMERROR, NULL, 11, 0, NULL, false, "a", limit_at_top),
    ROW("limit-inside-include", "4.6.4", C4, "foo@lim-inc-in.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 11, 0, NULL, false, "a", limit_in_include),
    ROW("limit-redirect-counts", "4.6.4", C4, "foo@lim-redir.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10", 10, 0, NULL, false, NULL, NULL),
    ROW("limit-redirect-over", "4.6.4", C4, "foo@lim-redir-over.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 11, 0, NULL, false, "redirect=r-target.spf.test", limit_redirect),

    /* ---- §4.6.4 void lookups ---- */
    ROW("void-2", "4.6.4 void-at-limit", C4, "foo@void2.spf.test", NULL, MC_SPF_NEUTRAL, "?all", 2,
        2, NULL, false, NULL, NULL),
    ROW("void-3", "4.6.4 void-over-limit", C4, "foo@void3.spf.test", NULL, MC_SPF_PERMERROR, NULL,
        3, 3, NULL, false, "exists:v-nx2.spf.test", NULL),
    ROW("void-3-mx", "4.6.4", C4, "foo@void-mx.spf.test", NULL, MC_SPF_PERMERROR, NULL, 3, 3, NULL,
        false, "mx:v-nx.spf.test", NULL),
    ROW("void-family-ipv4", "4.6.4", C4, "foo@void-fam.spf.test", NULL, MC_SPF_NEUTRAL, "?all", 3,
        0, NULL, false, NULL, NULL),
    ROW("void-family-ipv6", "4.6.4", C6, "foo@void-fam.spf.test", NULL, MC_SPF_PERMERROR, NULL, 3,
        3, NULL, false, "a:v4only.spf.test", void_counted_by_family),

    /* ---- §5.4 mx ---- */
    ROW("mx-10-names", "4.6.4", C4, "foo@mx10.spf.test", NULL, MC_SPF_PASS, "mx", 1, 0, NULL, false,
        NULL, mx10_looks_up_ten),
    ROW("mx-11-names", "4.6.4 mx-limit", C4, "foo@mx11.spf.test", NULL, MC_SPF_PERMERROR, NULL, 1,
        0, NULL, false, "mx", mx11_looks_up_none),
    ROW("mx-null", "5.4 mx-empty (RFC 7505)", C4, "foo@mx-null.spf.test", NULL, MC_SPF_FAIL, "-all",
        1, 0, NULL, false, NULL, mx_null_no_address_lookup),
    ROW("mx-implicit", "5.4 mx-implicit", C4, "foo@mx-implicit.spf.test", NULL, MC_SPF_NEUTRAL,
        NULL, 1, 1, NULL, false, NULL, mx_no_implicit_a),
    ROW("mx-cidr4", "5.4", C4, "foo@mx-cidr.spf.test", NULL, MC_SPF_PASS, "mx/24//64", 1, 0, NULL,
        false, NULL, NULL),
    ROW("mx-cidr6", "5.4", C6, "foo@mx-cidr.spf.test", NULL, MC_SPF_PASS, "mx/24//64", 1, 0, NULL,
        false, NULL, NULL),
    ROW("mx-cidr6-miss", "5.4", "2001:db8:1::10", "foo@mx-cidr.spf.test", NULL, MC_SPF_FAIL, "-all",
        1, 0, NULL, false, NULL, NULL),
    ROW("mx-temperror", "5.4/5", C4, "foo@mx-temp.spf.test", NULL, MC_SPF_TEMPERROR, NULL, 1, 0,
        NULL, false, NULL, why_names_nowhere),

    /* ---- §5.5 ptr and §7.3 %{p} ---- */
    ROW("ptr-validated", "5.5 ptr-match-implicit", C4, "foo@ptr.spf.test", NULL, MC_SPF_PASS, "ptr",
        1, 0, NULL, false, NULL, NULL),
    ROW("ptr-not-validated", "5.5 ptr-nomatch-invalid", "192.0.2.14", "foo@ptr.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("ptr-label-boundary", "5.5", "192.0.2.15", "foo@ptr.spf.test", NULL, MC_SPF_FAIL, "-all", 1,
        0, NULL, false, NULL, NULL),
    ROW("ptr-subdomain-target", "5.5 ptr-match-target", "192.0.2.11", "foo@ptr-sub.spf.test", NULL,
        MC_SPF_PASS, "ptr:sub.ptr.spf.test", 1, 0, NULL, false, NULL, NULL),
    ROW("ptr-other-subdomain", "5.5", C4, "foo@ptr-sub.spf.test", NULL, MC_SPF_FAIL, "-all", 1, 0,
        NULL, false, NULL, NULL),
    ROW("ptr-no-ptr-void", "5.5/4.6.4", X4, "foo@ptr.spf.test", NULL, MC_SPF_FAIL, "-all", 1, 1,
        NULL, false, NULL, NULL),
    ROW("ptr-failed-lookup", "5.5", "203.0.113.5", "foo@ptr.spf.test", NULL, MC_SPF_FAIL, "-all", 1,
        0, NULL, false, NULL, temp_ptr_not_temperror),
    ROW("ptr-ipv6", "5.5 ptr-match-ip6", C6, "foo@ptr.spf.test", NULL, MC_SPF_PASS, "ptr", 1, 0,
        NULL, false, NULL, ptr_v6_reverse),
    ROW("ptr-mapped", "5", M4, "foo@ptr.spf.test", NULL, MC_SPF_PASS, "ptr", 1, 0, NULL, false,
        NULL, ptr_mapped_reverse),
    ROW("ptr-10-of-11-first", "4.6.4 ptr-limit", "192.0.2.12", "foo@ptr-n01.spf.test", NULL,
        MC_SPF_PASS, "ptr:n01.ptr11.spf.test", 1, 0, NULL, false, NULL, ptr_ten_names),
    ROW("ptr-10-of-11-last", "4.6.4 ptr-limit", "192.0.2.12", "foo@ptr-n11.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, ptr_ten_names),
    ROW("p-macro-subdomain", "7.3 p-macro-multiple", "192.0.2.16", "foo@p-macro.spf.test", NULL,
        MC_SPF_PASS, "exists:%{p}.ok.spf.test", 1, 0, NULL, false, NULL, p_prefers_subdomain),
    ROW("p-macro-validated", "7.3", C4, "foo@p-macro.spf.test", NULL, MC_SPF_PASS,
        "exists:%{p}.ok.spf.test", 1, 0, NULL, false, NULL, p_validated_only),
    ROW("p-macro-unknown", "7.3", X4, "foo@p-macro.spf.test", NULL, MC_SPF_FAIL, "-all", 1, 1, NULL,
        false, NULL, p_unknown),

    /* ---- §5.3 a, §5.6 ip4/ip6, §5.7 exists, §5 mapped clients ---- */
    ROW("a-dual-cidr-ipv4", "5.3 a-dual-cidr-ip4-match", C4, "foo@a-dual.spf.test", NULL,
        MC_SPF_PASS, "a:host.spf.test/24//64", 1, 0, NULL, false, NULL, NULL),
    ROW("a-dual-cidr-ipv6", "5.3 a-dual-cidr-ip6-match", C6, "foo@a-dual.spf.test", NULL,
        MC_SPF_PASS, "a:host.spf.test/24//64", 1, 0, NULL, false, NULL, a_asks_aaaa),
    ROW("a-dual-cidr-ipv6-miss", "5.3", "2001:db8:1::10", "foo@a-dual.spf.test", NULL, MC_SPF_FAIL,
        "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("a-dual-cidr-ipv4-miss", "5.3", "198.51.100.1", "foo@a-dual.spf.test", NULL, MC_SPF_FAIL,
        "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("a-cidr4-only-ipv6", "5.3 a-dual-cidr-ip6-default", C6, "foo@a-v4cidr.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("a-cidr6-only-ipv4", "5.3 a-dual-cidr-ip4-default", C4, "foo@a-v6cidr.spf.test", NULL,
        MC_SPF_FAIL, "-all", 1, 0, NULL, false, NULL, NULL),
    ROW("a-mapped", "5 a-cidr6-0-ip4mapped", M4, "foo@a-dual.spf.test", NULL, MC_SPF_PASS,
        "a:host.spf.test/24//64", 1, 0, NULL, false, NULL, mapped_asks_a),
    ROW("ip4-mapped", "5 ip4-mapped-ip6", M4, "foo@multi.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10/32", 0, 0, NULL, false, NULL, NULL),
    ROW("ip6-mapped-never", "5 cidr6-ip4", M4, "foo@ip6-mapped.spf.test", NULL, MC_SPF_FAIL, "-all",
        0, 0, NULL, false, NULL, NULL),
    ROW("exists-ipv6-asks-a", "5.7 exists-ip6", C6, "foo@exists-a.spf.test", NULL, MC_SPF_PASS,
        "exists:e-a.spf.test", 1, 0, NULL, false, NULL, exists_asks_a),
    ROW("exists-aaaa-only", "5.7 exists-ip6only", C6, "foo@exists-aaaa.spf.test", NULL, MC_SPF_FAIL,
        "-all", 1, 1, NULL, false, NULL, exists_asks_a),
    ROW("exists-ip-macro", "5.7/7.2", C4, "foo@exists-ip.spf.test", NULL, MC_SPF_PASS,
        "exists:%{ir}.%{v}.rbl.spf.test", 1, 0, NULL, false, NULL, exists_ip_target),

    /* ---- §7.3 names from macros ---- */
    ROW("macro-name-over-253", "7.3 domain-name-truncation", C4, L60 "@long.spf.test", NULL,
        MC_SPF_PASS, "exists:%{l}.%{l}.%{l}.%{l}.%{l}.long-t.spf.test", 1, 0, NULL, false, NULL,
        long_truncated),
    ROW("macro-name-invalid", "4.8 invalid-hello-macro", C4, "foo@bad-target.spf.test", "localhost",
        MC_SPF_FAIL, "-all", 1, 1, NULL, false, NULL, NULL),

    /* ---- §2.6.6/§5 temperror ---- */
    ROW("temperror-a", "5 exists-dnserr", C4, "foo@temp-a.spf.test", NULL, MC_SPF_TEMPERROR, NULL,
        1, 0, NULL, false, NULL, why_names_nowhere),
    ROW("temperror-exists", "5", C4, "foo@temp-exists.spf.test", NULL, MC_SPF_TEMPERROR, NULL, 1, 0,
        NULL, false, NULL, why_names_nowhere),

    /* ---- prefetch worlds ---- */
    ROW("prefetch-budget", "4.6.4", C4, "foo@pf-budget.spf.test", NULL, MC_SPF_PERMERROR, NULL, 11,
        0, NULL, false, "a:b11.pf.spf.test", NULL),
    ROW("prefetch-tree-pass", "4.6.2", C4, "foo@pf-top.spf.test", NULL, MC_SPF_PASS,
        "ip4:192.0.2.10", 4, 0, NULL, false, NULL, NULL),
    ROW("prefetch-tree-fail", "5.2", X4, "foo@pf-top.spf.test", NULL, MC_SPF_FAIL, "-all", 10, 1,
        NULL, false, NULL, NULL),
    ROW("prefetch-fan", "4.6.4", X4, "foo@fan-top.spf.test", NULL, MC_SPF_PERMERROR, NULL, 11, 0,
        NULL, false, "include:1.%{d}", NULL),
    ROW("prefetch-chain", "4.6.4", X4, "foo@pf-chain.spf.test", NULL, MC_SPF_PERMERROR, NULL, 11, 0,
        NULL, false, "include:c11.spf.test", NULL),

    /* ---- loops ---- */
    ROW("include-loop", "4.6.4 include-loop", C4, "foo@loop-a.spf.test", NULL, MC_SPF_PERMERROR,
        NULL, 11, 0, NULL, true, "include:loop-b.spf.test", loop_ledger),
};

#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

static void check_one(const struct scenario *sc, const struct mc_spf_verdict *v)
{
    if (v->result != sc->result)
        fail_msg("%s (RFC 7208 %s): result %s, expected %s (why: %s)", sc->name, sc->rfc,
                 mc_spf_result_str(v->result), mc_spf_result_str(sc->result),
                 v->why ? v->why : "-");
    if (!str_eq(v->mechanism, sc->mechanism))
        fail_msg("%s: mechanism '%s', expected '%s'", sc->name,
                 v->mechanism ? v->mechanism : "(null)", sc->mechanism ? sc->mechanism : "(null)");
    if (v->dns_lookups != sc->lookups || v->void_lookups != sc->voids)
        fail_msg("%s: %u lookups and %u void, expected %u and %u", sc->name, v->dns_lookups,
                 v->void_lookups, sc->lookups, sc->voids);
    if (!str_eq(v->explanation, sc->explanation))
        fail_msg("%s: explanation '%s', expected '%s'", sc->name,
                 v->explanation ? v->explanation : "(null)",
                 sc->explanation ? sc->explanation : "(null)");
    assert_int_equal(v->include_loop, sc->loop);
    if (sc->limit_term)
        assert_true(str_eq(v->limit_term, sc->limit_term));
    else if (sc->result != MC_SPF_PERMERROR)
        assert_null(v->limit_term);
    /* The ledger is the source of the counts (mc_spf_eval.h). */
    assert_int_equal(ledger_cost(v), v->dns_lookups);
    assert_int_equal(ledger_voids(v), v->void_lookups);
    /* The matched term is marked in the ledger. */
    if (v->mechanism) {
        bool marked = false;
        for (size_t i = 0; i < v->nsteps; i++)
            marked = marked || (v->steps[i].matched && str_eq(v->steps[i].term, v->mechanism));
        assert_true(marked);
    }
    assert_false(v->deadline);
    if (sc->check)
        sc->check(v);
}

static void run_scenario(void **state)
{
    const struct scenario *sc = *state;
    struct run on, off;
    run_eval(&on, sc->ip, sc->sender, sc->helo, true);
    check_one(sc, on.v);
    run_eval(&off, sc->ip, sc->sender, sc->helo, false);
    check_one(sc, off.v);
    assert_same_verdict(on.v, off.v);
    /* A prefetch may ask more of the resolver, never less. */
    assert_true(on.stats.lookups >= off.stats.lookups);
    /* Lint reads the ledger only; it must not trip on any verdict. */
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_lint *items = NULL;
    size_t n = 0;
    mc_spf_lint_collect(on.v, arena, &items, &n);
    mc_arena_free(arena);
    run_free(&on);
    run_free(&off);
}

/* ---- tests beyond the table ---- */

/* Prefetch is really on: lim-inc is decided by ip4 before its mx term, so
 * with prefetch the resolver saw the MX lookup, without it never. */
static void prefetch_sends_early(void **state)
{
    (void)state;
    struct run on, off;
    run_eval(&on, C4, "foo@lim-inc.spf.test", NULL, true);
    run_eval(&off, C4, "foo@lim-inc.spf.test", NULL, false);
    assert_true(on.stats.lookups > off.stats.lookups);
    assert_non_null(mc_resolver_peek(on.res, "lim-inc.spf.test", MC_DNS_T_MX));
    assert_null(mc_resolver_peek(off.res, "lim-inc.spf.test", MC_DNS_T_MX));
    /* ...and the prefetched lookup neither counts nor shows in the ledger */
    assert_int_equal(ledger_lookups(on.v, "lim-inc.spf.test", MC_DNS_T_MX), 0);
    assert_same_verdict(on.v, off.v);
    run_free(&on);
    run_free(&off);
}

/* RFC 7208 §4.6.4 limits terms "to avoid unreasonable load on the DNS": a
 * prefetch must not send what the limit forbids.  Of pf-budget's 15 a
 * terms only 10 can ever be evaluated: with prefetch, as without, the
 * resolver sees the TXT lookup and 10 A lookups, not 15. */
static void prefetch_within_budget(void **state)
{
    (void)state;
    struct run on, off;
    run_eval(&on, C4, "foo@pf-budget.spf.test", NULL, true);
    run_eval(&off, C4, "foo@pf-budget.spf.test", NULL, false);
    assert_int_equal(off.stats.lookups, 11);
    assert_int_equal(on.stats.lookups, off.stats.lookups);
    assert_null(mc_resolver_peek(on.res, "b11.pf.spf.test", MC_DNS_T_A));
    run_free(&on);
    run_free(&off);

    /* An include chain deeper than the budget: c1..c10 are evaluated,
     * include:c11 is the 11th term: a permerror, never looked up. */
    run_eval(&on, X4, "foo@pf-chain.spf.test", NULL, true);
    assert_int_equal(on.v->result, MC_SPF_PERMERROR);
    assert_non_null(mc_resolver_peek(on.res, "c10.spf.test", MC_DNS_T_TXT));
    assert_null(mc_resolver_peek(on.res, "c11.spf.test", MC_DNS_T_TXT));
    run_free(&on);

    /* A tree of includes nine wide: each include could be among the 10
     * terms, but prefetch stops at 20 lookups (2 x the term limit) where
     * the evaluator itself asks 11. */
    run_eval(&on, X4, "foo@fan-top.spf.test", NULL, true);
    run_eval(&off, X4, "foo@fan-top.spf.test", NULL, false);
    assert_int_equal(off.stats.lookups, 11);
    assert_true(on.stats.lookups > off.stats.lookups);
    assert_true(on.stats.lookups <= off.stats.lookups + 2 * MC_SPF_MAX_DNS_TERMS);
    run_free(&on);
    run_free(&off);
}

/* The wall time should approach the depth of the record tree: a fetched
 * record's known names are sent before the evaluator reaches them, and so
 * are those of the records they bring (includes, redirect), the MX hosts
 * of a fetched MX answer and the PTR names of <ip>.  pf-top passes at its
 * fifth term (after four a lookups, one round of the resolver's delivery
 * queue each), never reaching include:pf1; meanwhile prefetch, one level
 * of the tree a round, asked the whole tree below it. */
static void prefetch_whole_tree(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t type;
    } tree[] = {
        {"pf1.spf.test", MC_DNS_T_TXT},
        {"pf2.spf.test", MC_DNS_T_TXT},
        {"pf3.spf.test", MC_DNS_T_TXT},
        {"pf-mx.spf.test", MC_DNS_T_MX},
        {"pf-mxhost.spf.test", MC_DNS_T_A},
        {"pf-a.spf.test", MC_DNS_T_A},
        {"10.2.0.192.in-addr.arpa", MC_DNS_T_PTR},
        {"mail.ptr.spf.test", MC_DNS_T_A},
    };
    struct run on, off;
    run_eval(&on, C4, "foo@pf-top.spf.test", NULL, true);
    run_eval(&off, C4, "foo@pf-top.spf.test", NULL, false);
    for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++) {
        if (!mc_resolver_peek(on.res, tree[i].name, tree[i].type))
            fail_msg("prefetch did not ask %s/%s", tree[i].name, mc_dns_type_str(tree[i].type));
        assert_null(mc_resolver_peek(off.res, tree[i].name, tree[i].type));
    }
    assert_int_equal(off.stats.lookups, 5);
    assert_same_verdict(on.v, off.v);
    run_free(&on);
    run_free(&off);
}

/* A prefetched answer that fails (nowhere.test is outside every zone) and
 * is never needed changes nothing: redir-all ends at ~all. */
static void prefetch_failure_unused(void **state)
{
    (void)state;
    struct run on;
    run_eval(&on, C4, "foo@redir-all.spf.test", NULL, true);
    assert_int_equal(on.v->result, MC_SPF_SOFTFAIL);
    assert_non_null(mc_resolver_peek(on.res, "nowhere.test", MC_DNS_T_TXT));
    assert_true(on.stats.failed > 0);
    run_free(&on);
}

/* Several evaluations on one resolver (the host check's case) share its
 * cache and each gets its own, unchanged, result. */
static void shared_resolver(void **state)
{
    (void)state;
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    struct mc_resolver *res = mc_resolver_new(&rc, &why);
    assert_non_null(res);
    struct run runs[NSCENARIOS];
    memset(runs, 0, sizeof runs);
    for (size_t i = 0; i < NSCENARIOS; i++) {
        struct mc_spf_request req = {
            .sender = scenarios[i].sender, .helo = scenarios[i].helo, .prefetch = i % 2 == 0};
        assert_true(mc_ip_parse(scenarios[i].ip, &req.ip));
        req.ip_upper = mc_ip_text_upper(scenarios[i].ip);
        mc_spf_eval_start(res, &req, done_cb, &runs[i]);
    }
    assert_false(mc_resolver_run(res, mc_now_ms() + 10000));
    for (size_t i = 0; i < NSCENARIOS; i++) {
        assert_int_equal(runs[i].calls, 1);
        check_one(&scenarios[i], mc_spf_eval_verdict(runs[i].eval));
        mc_spf_eval_free(runs[i].eval);
    }
    mc_resolver_free(res);
}

/* Lint reads the ledger: the numbers are the evaluator's. */
static bool has_lint(const struct mc_spf_lint *items, size_t n, const char *code,
                     const char *subject)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].code, code) == 0 &&
            (!subject || mc_name_equal(items[i].subject, subject)))
            return true;
    return false;
}

static void lint_from_ledger(void **state)
{
    (void)state;
    static const struct {
        const char *ip, *sender, *code, *subject;
        bool present;
    } cases[] = {
        {C4, "foo@lim10.spf.test", "spf-lookups-near-limit", "lim10.spf.test", true},
        {C4, "foo@lim11.spf.test", "spf-lookups-near-limit", NULL, false}, /* permerror */
        {C4, "foo@inc-pass.spf.test", "spf-lookups-near-limit", NULL, false},
        {C4, "foo@void2.spf.test", "spf-void-lookups", "void2.spf.test", true},
        {C4, "foo@void2.spf.test", "spf-neutral-all", "void2.spf.test", true},
        {C4, "foo@void-fam.spf.test", "spf-void-lookups", NULL, false},
        {C4, "foo@ptr.spf.test", "spf-ptr", "ptr.spf.test", true},
        {C4, "foo@inc-minus.spf.test", "spf-plus-all", "inc-minus.spf.test", true},
        {C4, "foo@default.spf.test", "spf-no-all", "default.spf.test", true},
        {C4, "foo@redir.spf.test", "spf-no-all", NULL, false},
        {C4, "foo@inc-dup.spf.test", "spf-duplicate-include", "inc-dup.spf.test", true},
        {C4, "foo@inc-dup.spf.test", "spf-include-loop", NULL, false},
        {C4, "foo@loop-a.spf.test", "spf-include-loop", "loop-a.spf.test", true},
        {C4, "foo@loop-a.spf.test", "spf-duplicate-include", NULL, false},
        {C4, "foo@lim-inc.spf.test", "spf-lookups-near-limit", "lim-inc.spf.test", true},
        /* neutral in an included record is its "no match" (§5.2) */
        {C4, "foo@lim-inc.spf.test", "spf-no-all", "lim-inc8.spf.test", false},
        {C4, "foo@inc-neutral.spf.test", "spf-neutral-all", "i-neutral.spf.test", false},
        {C4, "foo@i-neutral.spf.test", "spf-neutral-all", "i-neutral.spf.test", true},
        {C4, "foo@lim-inc8.spf.test", "spf-no-all", "lim-inc8.spf.test", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_eval(&r, cases[i].ip, cases[i].sender, NULL, true);
        struct mc_arena *arena = mc_arena_new();
        struct mc_spf_lint *items = NULL;
        size_t n = 0;
        mc_spf_lint_collect(r.v, arena, &items, &n);
        if (has_lint(items, n, cases[i].code, cases[i].subject) != cases[i].present)
            fail_msg("%s: lint %s %s", cases[i].sender, cases[i].code,
                     cases[i].present ? "missing" : "unexpected");
        mc_arena_free(arena);
        run_free(&r);
    }
}

/* The evaluation can be freed from inside its own callback. */
static void free_in_callback_cb(void *arg, struct mc_spf_eval *eval)
{
    (*(int *)arg)++;
    mc_spf_eval_free(eval);
}

static void free_in_callback(void **state)
{
    (void)state;
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    struct mc_resolver *res = mc_resolver_new(&rc, &why);
    int calls = 0;
    struct mc_spf_request req = {.sender = "foo@lim-inc.spf.test", .prefetch = true};
    assert_true(mc_ip_parse(C4, &req.ip));
    mc_spf_eval_start(res, &req, free_in_callback_cb, &calls);
    req.sender = "foo@a..spf.test"; /* ends without a lookup */
    mc_spf_eval_start(res, &req, free_in_callback_cb, &calls);
    /* ends while prefetched answers are still due: they come back to an
     * evaluation that is freed when the last one is in (run under
     * valgrind: no leak, no use after free) */
    req.sender = "foo@pf-top.spf.test";
    mc_spf_eval_start(res, &req, free_in_callback_cb, &calls);
    assert_false(mc_resolver_run(res, mc_now_ms() + 10000));
    assert_int_equal(calls, 3);
    mc_resolver_free(res);
}

/* What mc_spf_eval_awaiting() names as the evaluation goes: a probe
 * posted to the resolver's loop runs between the evaluator's callbacks
 * (deliveries keep their order) and notes the lookup awaited each time. */
struct probe {
    struct mc_resolver *res;
    struct mc_spf_eval *eval;
    char seen[8][80];
    size_t nseen;
};

static void probe_cb(void *arg, const struct mc_dns_result *unused)
{
    struct probe *p = arg;
    const char *name;
    uint16_t type;
    (void)unused;
    if (!mc_spf_eval_awaiting(p->eval, &name, &type) || p->nseen == 8)
        return;
    snprintf(p->seen[p->nseen++], sizeof p->seen[0], "%s %s", mc_dns_type_str(type), name);
    mc_resolver_post(p->res, probe_cb, p);
}

static void awaiting_done_cb(void *arg, struct mc_spf_eval *eval)
{
    (void)eval;
    (*(int *)arg)++;
}

static void awaiting_follows_state(void **state)
{
    (void)state;
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    struct probe p = {.res = mc_resolver_new(&rc, &why)};
    assert_non_null(p.res);
    int calls = 0;
    /* The name as the ledger shows it: lowercased, no final dot. */
    struct mc_spf_request req = {.sender = "foo@MX10.spf.test."};
    assert_true(mc_ip_parse(C4, &req.ip));
    p.eval = mc_spf_eval_start(p.res, &req, awaiting_done_cb, &calls);
    probe_cb(&p, NULL);
    assert_false(mc_resolver_run(p.res, mc_now_ms() + 10000));
    assert_int_equal(calls, 1);
    assert_int_equal(p.nseen, 3);
    assert_string_equal(p.seen[0], "TXT mx10.spf.test");
    assert_string_equal(p.seen[1], "MX mx10.spf.test");
    /* Of the ten hosts' lookups sent together, the first unanswered. */
    assert_string_equal(p.seen[2], "A m1.mxh.spf.test");
    const struct mc_spf_verdict *v = mc_spf_eval_verdict(p.eval);
    assert_int_equal(v->result, MC_SPF_PASS);
    assert_string_equal(v->steps[0].lookups[0].name, "mx10.spf.test");
    /* Ended, and no deadline cut it: nothing awaited. */
    const char *name = NULL;
    uint16_t type = 0;
    assert_false(mc_spf_eval_awaiting(p.eval, &name, &type));
    mc_spf_eval_free(p.eval);
    mc_resolver_free(p.res);
}

/* ---- walks: the tree without a client (mc_spf_eval_walk_start()) ---- */

/* Walks DOMAIN on a fresh resolver over the test zones. */
static void run_walk(struct run *r, const char *domain, bool prefetch)
{
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    memset(r, 0, sizeof *r);
    r->res = mc_resolver_new(&rc, &why);
    if (!r->res)
        fail_msg("mc_resolver_new: %s", why ? why : "?");
    struct mc_spf_eval *started = mc_spf_eval_walk_start(r->res, domain, prefetch, done_cb, r);
    assert_int_equal(r->calls, 0); /* never called back from inside _start */
    assert_false(mc_resolver_run(r->res, mc_now_ms() + 10000));
    assert_int_equal(r->calls, 1);
    assert_ptr_equal(r->eval, started);
    r->v = mc_spf_eval_verdict(r->eval);
    mc_resolver_get_stats(r->res, &r->stats);
}

struct walk_scenario {
    const char *name;
    const char *rfc;
    const char *domain;
    enum mc_spf_result result;
    unsigned lookups, voids, client_terms; /* dns_lookups, void_lookups, client_terms */
    bool loop;
    const char *limit_term; /* NULL: no limit exceeded */
    void (*check)(const struct mc_spf_verdict *v);
};

/* The ledger line of TERM (as written) at DEPTH in DOMAIN's record. */
static const struct mc_spf_step *must_step(const struct mc_spf_verdict *v, const char *domain,
                                           const char *term)
{
    for (size_t i = 0; i < v->nsteps; i++)
        if (str_eq(v->steps[i].term, term) && mc_name_equal(v->steps[i].domain, domain))
            return &v->steps[i];
    fail_msg("no ledger line for %s in %s", term, domain);
    abort();
}

static bool note_has(const struct mc_spf_step *s, const char *words)
{
    return s && s->note && strstr(s->note, words);
}

static void walk_tree_sum(const struct mc_spf_verdict *v)
{
    /* The count is the sum over the records: 4 + 2 + 2 + 1. */
    unsigned by_record[4] = {0};
    static const char *const names[] = {"w-tree.spf.test", "w-inc1.spf.test", "w-inc3.spf.test",
                                        "w-inc2.spf.test"};
    for (size_t i = 0; i < v->nsteps; i++)
        for (size_t j = 0; j < 4; j++)
            if (mc_name_equal(v->steps[i].domain, names[j]))
                by_record[j] += v->steps[i].cost;
    assert_int_equal(by_record[0], 4);
    assert_int_equal(by_record[1], 2);
    assert_int_equal(by_record[2], 2);
    assert_int_equal(by_record[3], 1);
    assert_int_equal(v->nseen, 4);
    /* Nesting as walked. */
    assert_int_equal(must_step(v, "w-inc3.spf.test", "mx:mx10.spf.test")->depth, 2);
    /* a asks both families, one term; the mx hosts are not asked. */
    const struct mc_spf_step *a = must_step(v, "w-tree.spf.test", "a");
    assert_int_equal(a->cost, 1);
    assert_int_equal(a->nlookups, 2);
    assert_int_equal(a->lookups[0].type, MC_DNS_T_A);
    assert_int_equal(a->lookups[1].type, MC_DNS_T_AAAA);
    assert_int_equal(ledger_lookups(v, "m1.mxh.spf.test", 0), 0);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_MX), 2);
    /* Past the includes' all: the including record goes on. */
    assert_int_equal(ledger_lookups(v, "e-a.spf.test", MC_DNS_T_A), 1);
    assert_int_equal(ledger_lookups(v, "w-inc2.spf.test", MC_DNS_T_TXT), 1);
}

static void walk_redirect_followed(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = must_step(v, "w-redir.spf.test", "redirect=w-inc1.spf.test");
    assert_int_equal(s->cost, 1);
    assert_int_equal(ledger_lookups(v, "w-inc1.spf.test", MC_DNS_T_TXT), 1);
    assert_int_equal(ledger_lookups(v, "w-inc3.spf.test", MC_DNS_T_TXT), 1);
}

static void walk_redirect_beside_all(const struct mc_spf_verdict *v)
{
    /* §6.1: no receiver follows redirect= beside all: neither does the
     * walk (the target, outside every zone, would be a temperror). */
    const struct mc_spf_step *s = must_step(v, "redir-all.spf.test", "redirect=nowhere.test");
    assert_int_equal(s->cost, 0);
    assert_int_equal(s->nlookups, 0);
    assert_true(note_has(s, "section 6.1"));
    assert_int_equal(ledger_lookups(v, "nowhere.test", 0), 0);
}

static void walk_after_all(const struct mc_spf_verdict *v)
{
    /* §5.1: the terms after all get ledger lines, no cost, no lookup. */
    const struct mc_spf_step *inc = must_step(v, "w-after-all.spf.test", "include:i-none.spf.test");
    const struct mc_spf_step *mx = must_step(v, "w-after-all.spf.test", "mx");
    assert_int_equal(inc->cost + mx->cost, 0);
    assert_true(note_has(inc, "section 5.1") && note_has(mx, "section 5.1"));
    assert_int_equal(ledger_lookups(v, "i-none.spf.test", 0), 0);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_MX), 0);
}

static void walk_exists_client(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s =
        must_step(v, "exists-ip.spf.test", "exists:%{ir}.%{v}.rbl.spf.test");
    assert_int_equal(s->cost, 1);
    assert_int_equal(s->nlookups, 0);
    assert_null(s->target);
    assert_true(note_has(s, "%{i}%{v}"));
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 0);
}

static void walk_ptr_client(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = must_step(v, "ptr.spf.test", "ptr");
    assert_int_equal(s->cost, 1);
    assert_int_equal(s->nlookups, 0);
    assert_true(note_has(s, "section 5.5"));
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_PTR), 0);
}

static void walk_client_macros(const struct mc_spf_verdict *v)
{
    /* Only the record itself is asked; each term names its letters. */
    assert_int_equal(ledger_lookups(v, NULL, 0), 1);
    assert_true(note_has(must_step(v, "w-client.spf.test", "include:%{l}.spf.test"), "%{l}"));
    assert_true(note_has(must_step(v, "w-client.spf.test", "a:%{h}"), "%{h}"));
    assert_true(
        note_has(must_step(v, "w-client.spf.test", "exists:%{i}.%{o}.rbl.spf.test"), "(%{i})"));
    assert_true(note_has(must_step(v, "w-client.spf.test", "redirect=%{ir}.spf.test"), "%{i}"));
}

static void walk_limit_at_top(const struct mc_spf_verdict *v)
{
    const struct mc_spf_step *s = ledger_limit_step(v);
    assert_int_equal(s->depth, 0);
    assert_int_equal(s->nlookups, 0);
    assert_non_null(strstr(v->why, "was the 11th"));
}

static void walk_limit_after_include(const struct mc_spf_verdict *v)
{
    /* check_host() passes lim-inc at ip4 after 10 terms; a client that
     * does not match reaches the 11th: mx. */
    const struct mc_spf_step *s = ledger_limit_step(v);
    assert_string_equal(s->term, "mx");
    assert_string_equal(s->domain, "lim-inc.spf.test");
    assert_int_equal(s->nlookups, 0);
}

static void walk_inc_none_goes_on(const struct mc_spf_verdict *v)
{
    /* §5.2: include of a domain without SPF is a permerror, named on the
     * include's ledger line, and the walk counts the rest. */
    assert_non_null(strstr(v->why, "i-none.spf.test has no SPF record"));
    assert_true(
        note_has(must_step(v, "w-inc-none.spf.test", "include:i-none.spf.test"), "no SPF record"));
    assert_true(
        note_has(must_step(v, "w-inc-none.spf.test", "include:i-nx.spf.test"), "no SPF record"));
    assert_int_equal(ledger_lookups(v, "host.spf.test", 0), 2);
    assert_int_equal(ledger_lookups(v, "i-pass.spf.test", MC_DNS_T_TXT), 1);
}

static void walk_inc_bad_goes_on(const struct mc_spf_verdict *v)
{
    /* A failed TXT lookup is temperror, but a permerror found later is the
     * result; every error is on its include's line. */
    assert_non_null(strstr(v->why, "i-perm.spf.test is invalid"));
    assert_true(note_has(must_step(v, "w-inc-bad.spf.test", "include:nowhere.test"), "failed"));
    assert_true(note_has(must_step(v, "w-inc-bad.spf.test", "include:several.spf.test"),
                         "several SPF records"));
    assert_int_equal(ledger_lookups(v, "host.spf.test", 0), 2);
}

static void walk_temperror(const struct mc_spf_verdict *v)
{
    assert_non_null(strstr(v->why, "nowhere.test"));
    assert_true(note_has(must_step(v, "temp-a.spf.test", "a:nowhere.test"), "failed"));
}

static void walk_mx11_goes_on(const struct mc_spf_verdict *v)
{
    assert_non_null(strstr(v->why, "11 MX records"));
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 1); /* host, none of the MX names */
    assert_int_equal(ledger_lookups(v, "host.spf.test", MC_DNS_T_AAAA), 1);
}

static void walk_mx_names_not_asked(const struct mc_spf_verdict *v)
{
    assert_int_equal(ledger_lookups(v, "mx10.spf.test", MC_DNS_T_MX), 1);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_A), 0);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_AAAA), 0);
}

static void walk_void_ipv6(const struct mc_spf_verdict *v)
{
    /* v4only has an A record: void for IPv6 clients only, 3 times. */
    assert_non_null(strstr(v->why, "for an IPv6 client"));
    assert_true(note_has(ledger_term(v, "a:v4only.spf.test"), "IPv6 clients only"));
    assert_int_equal(ledger_lookups(v, "v4only.spf.test", MC_DNS_T_A), 3);
}

static void walk_void_per_family(const struct mc_spf_verdict *v)
{
    /* 2 void lookups for IPv6 clients, 1 for IPv4: 3 lines are void for
     * someone, but no client meets 3. */
    assert_int_equal(ledger_voids(v), 3);
    assert_true(
        note_has(must_step(v, "w-void-mix.spf.test", "a:v6only.spf.test"), "IPv4 clients only"));
}

static void walk_no_lookup(const struct mc_spf_verdict *v)
{
    assert_int_equal(v->nsteps, 0);
}

static void walk_loop(const struct mc_spf_verdict *v)
{
    loop_ledger(v);
    assert_int_equal(ledger_limit_step(v)->depth, 10);
}

static const struct walk_scenario walks[] = {
    ROW("walk-tree", "4.6.4", "w-tree.spf.test", MC_SPF_NEUTRAL, 9, 0, 0, false, NULL,
        walk_tree_sum),
    ROW("walk-redirect", "6.1", "w-redir.spf.test", MC_SPF_NEUTRAL, 6, 0, 0, false, NULL,
        walk_redirect_followed),
    ROW("walk-redirect-beside-all", "6.1", "redir-all.spf.test", MC_SPF_NEUTRAL, 0, 0, 0, false,
        NULL, walk_redirect_beside_all),
    ROW("walk-after-all", "5.1", "w-after-all.spf.test", MC_SPF_NEUTRAL, 1, 0, 0, false, NULL,
        walk_after_all),
    ROW("walk-exists-client", "5.7/7.2", "exists-ip.spf.test", MC_SPF_NEUTRAL, 1, 0, 1, false, NULL,
        walk_exists_client),
    ROW("walk-ptr", "5.5", "ptr.spf.test", MC_SPF_NEUTRAL, 1, 0, 1, false, NULL, walk_ptr_client),
    ROW("walk-client-macros", "7.2", "w-client.spf.test", MC_SPF_NEUTRAL, 5, 0, 5, false, NULL,
        walk_client_macros),
    ROW("walk-include-client-macro", "5.2/7.2", "inc-macro.spf.test", MC_SPF_NEUTRAL, 1, 0, 1,
        false, NULL, NULL),
    ROW("walk-limit-10", "4.6.4", "lim10.spf.test", MC_SPF_NEUTRAL, 10, 0, 0, false, NULL, NULL),
    ROW("walk-limit-11", "4.6.4", "lim11.spf.test", MC_SPF_PERMERROR, 11, 0, 0, false, "a",
        walk_limit_at_top),
    ROW("walk-limit-after-include", "4.6.4", "lim-inc.spf.test", MC_SPF_PERMERROR, 11, 0, 0, false,
        "mx", walk_limit_after_include),
    ROW("walk-redirect-over", "4.6.4", "lim-redir-over.spf.test", MC_SPF_PERMERROR, 11, 0, 0, false,
        "redirect=r-target.spf.test", limit_redirect),
    ROW("walk-include-loop", "4.6.4", "loop-a.spf.test", MC_SPF_PERMERROR, 11, 0, 0, true,
        "include:loop-b.spf.test", walk_loop),
    ROW("walk-redirect-loop", "4.6.4", "redir-loop.spf.test", MC_SPF_PERMERROR, 11, 0, 0, true,
        "redirect=redir-loop.spf.test", NULL),
    ROW("walk-fan", "4.6.4", "fan-top.spf.test", MC_SPF_PERMERROR, 11, 0, 0, false, NULL, NULL),
    ROW("walk-include-none", "5.2", "w-inc-none.spf.test", MC_SPF_PERMERROR, 4, 0, 0, false, NULL,
        walk_inc_none_goes_on),
    ROW("walk-include-errors", "5.2/4.5", "w-inc-bad.spf.test", MC_SPF_PERMERROR, 4, 0, 0, false,
        NULL, walk_inc_bad_goes_on),
    ROW("walk-redirect-none", "6.1", "redir-none.spf.test", MC_SPF_PERMERROR, 1, 0, 0, false, NULL,
        NULL),
    ROW("walk-temperror", "5", "temp-a.spf.test", MC_SPF_TEMPERROR, 1, 0, 0, false, NULL,
        walk_temperror),
    ROW("walk-mx-11-names", "4.6.4", "w-mx11.spf.test", MC_SPF_PERMERROR, 2, 0, 0, false,
        "mx:mx11.spf.test", walk_mx11_goes_on),
    ROW("walk-mx-10-names", "4.6.4", "mx10.spf.test", MC_SPF_NEUTRAL, 1, 0, 0, false, NULL,
        walk_mx_names_not_asked),
    ROW("walk-void-2", "4.6.4", "void2.spf.test", MC_SPF_NEUTRAL, 2, 2, 0, false, NULL, NULL),
    ROW("walk-void-3", "4.6.4", "void3.spf.test", MC_SPF_PERMERROR, 3, 3, 0, false,
        "exists:v-nx2.spf.test", NULL),
    ROW("walk-void-mx", "4.6.4", "void-mx.spf.test", MC_SPF_PERMERROR, 3, 3, 0, false,
        "mx:v-nx.spf.test", NULL),
    ROW("walk-void-ipv6", "4.6.4", "void-fam.spf.test", MC_SPF_PERMERROR, 3, 3, 0, false,
        "a:v4only.spf.test", walk_void_ipv6),
    ROW("walk-void-ipv6-goes-on", "4.6.4", "void-fam-more.spf.test", MC_SPF_PERMERROR, 5, 3, 0,
        false, "a:v4only.spf.test", walk_void_ipv6),
    ROW("walk-void-per-family", "4.6.4", "w-void-mix.spf.test", MC_SPF_NEUTRAL, 3, 2, 0, false,
        NULL, walk_void_per_family),
    ROW("walk-none", "4.5", "none.spf.test", MC_SPF_NONE, 0, 0, 0, false, NULL, NULL),
    ROW("walk-several", "4.5", "several.spf.test", MC_SPF_PERMERROR, 0, 0, 0, false, NULL, NULL),
    ROW("walk-invalid-domain", "4.3", "localhost", MC_SPF_NONE, 0, 0, 0, false, NULL,
        walk_no_lookup),
    ROW("walk-trailing-dot", "4.3", "inc-pass.spf.test.", MC_SPF_NEUTRAL, 1, 0, 0, false, NULL,
        NULL),
};

#define NWALKS (sizeof walks / sizeof walks[0])

static void check_walk(const struct walk_scenario *w, const struct mc_spf_verdict *v)
{
    if (v->result != w->result)
        fail_msg("%s (RFC 7208 %s): result %s, expected %s (why: %s)", w->name, w->rfc,
                 mc_spf_result_str(v->result), mc_spf_result_str(w->result), v->why ? v->why : "-");
    if (v->dns_lookups != w->lookups || v->void_lookups != w->voids ||
        v->client_terms != w->client_terms)
        fail_msg("%s: %u lookups, %u void, %u client terms; expected %u, %u and %u", w->name,
                 v->dns_lookups, v->void_lookups, v->client_terms, w->lookups, w->voids,
                 w->client_terms);
    assert_true(v->walk);
    assert_int_equal(v->include_loop, w->loop);
    if (w->limit_term)
        assert_true(str_eq(v->limit_term, w->limit_term));
    else if (w->result != MC_SPF_PERMERROR)
        assert_null(v->limit_term);
    assert_non_null(v->why);
    assert_null(v->mechanism);
    assert_null(v->explanation);
    assert_null(v->sender);
    assert_false(v->deadline);
    /* The ledger is the source of the counts; void lines are void for
     * clients of one family at least. */
    assert_int_equal(ledger_cost(v), v->dns_lookups);
    assert_true(ledger_voids(v) >= v->void_lookups);
    /* Nothing matches; nothing of the client is asked, nor any exp=. */
    for (size_t i = 0; i < v->nsteps; i++)
        assert_false(v->steps[i].matched);
    assert_int_equal(ledger_lookups(v, NULL, MC_DNS_T_PTR), 0);
    assert_int_equal(ledger_lookups(v, "explain.spf.test", 0), 0);
    if (w->check)
        w->check(v);
}

static void run_walk_scenario(void **state)
{
    const struct walk_scenario *w = *state;
    struct run on, off;
    run_walk(&on, w->domain, true);
    check_walk(w, on.v);
    run_walk(&off, w->domain, false);
    check_walk(w, off.v);
    assert_same_verdict(on.v, off.v);
    assert_int_equal(on.v->client_terms, off.v->client_terms);
    assert_true(on.stats.lookups >= off.stats.lookups);
    run_free(&on);
    run_free(&off);
}

/* A walk's prefetch asks nothing the walk would not: not the redirect
 * target beside all (check_host()'s prefetch does), no PTR, no MX host,
 * nothing after all. */
static void walk_prefetch_within_walk(void **state)
{
    (void)state;
    struct run on;
    run_walk(&on, "redir-all.spf.test", true);
    assert_null(mc_resolver_peek(on.res, "nowhere.test", MC_DNS_T_TXT));
    run_free(&on);
    run_walk(&on, "w-after-all.spf.test", true);
    assert_null(mc_resolver_peek(on.res, "i-none.spf.test", MC_DNS_T_TXT));
    run_free(&on);
    run_walk(&on, "mx10.spf.test", true);
    assert_null(mc_resolver_peek(on.res, "m1.mxh.spf.test", MC_DNS_T_A));
    run_free(&on);
    run_walk(&on, "ptr.spf.test", true);
    assert_int_equal(on.stats.lookups, 1);
    run_free(&on);
    /* ...and it does send the tree early: the walk then finds in the
     * resolver what prefetch asked, the same distinct lookups. */
    struct run off;
    run_walk(&on, "w-tree.spf.test", true);
    run_walk(&off, "w-tree.spf.test", false);
    assert_int_equal(on.stats.lookups, off.stats.lookups);
    assert_true(on.stats.cache_hits > off.stats.cache_hits);
    run_free(&on);
    run_free(&off);
}

/* The lint of a walk is the lint of an evaluation that reaches the same
 * records and counts (a client nobody authorizes, 192.0.2.99). */
static void lint_codes(const struct mc_spf_verdict *v, char *out, size_t size)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_lint *items = NULL;
    size_t n = 0, used = 0;
    mc_spf_lint_collect(v, arena, &items, &n);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used +=
            (size_t)snprintf(out + used, size - used, "%s/%s ", items[i].code, items[i].subject);
    mc_arena_free(arena);
}

static void walk_lint(void **state)
{
    (void)state;
    static const struct {
        const char *domain, *code;
    } cases[] = {
        {"w-tree.spf.test", "spf-lookups-near-limit"}, {"lim10.spf.test", "spf-lookups-near-limit"},
        {"inc-minus.spf.test", "spf-plus-all"},        {"w-long.spf.test", "spf-record-long"},
        {"void2.spf.test", "spf-void-lookups"},        {"loop-a.spf.test", "spf-include-loop"},
        {"inc-dup.spf.test", "spf-duplicate-include"}, {"default.spf.test", "spf-no-all"},
        {"i-neutral.spf.test", "spf-neutral-all"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run walk, eval;
        char a[2048], b[2048];
        run_walk(&walk, cases[i].domain, true);
        run_eval(&eval, X4, cases[i].domain, NULL, true);
        lint_codes(walk.v, a, sizeof a);
        lint_codes(eval.v, b, sizeof b);
        if (!strstr(a, cases[i].code))
            fail_msg("%s: walk lint has no %s (%s)", cases[i].domain, cases[i].code, a);
        if (strcmp(a, b) != 0)
            fail_msg("%s: walk lint '%s', evaluation lint '%s'", cases[i].domain, a, b);
        run_free(&walk);
        run_free(&eval);
    }
    /* ptr is linted though not asked (an evaluation adds a void PTR). */
    struct run r;
    char a[2048];
    run_walk(&r, "ptr.spf.test", true);
    lint_codes(r.v, a, sizeof a);
    assert_non_null(strstr(a, "spf-ptr/ptr.spf.test"));
    run_free(&r);
}

/* Walks and evaluations share one resolver (the host check's case): each
 * gets its own result, evaluations exactly as alone. */
static void walk_shared_resolver(void **state)
{
    (void)state;
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    struct mc_resolver *res = mc_resolver_new(&rc, &why);
    assert_non_null(res);
    struct run walked[NWALKS], evals[NSCENARIOS];
    memset(walked, 0, sizeof walked);
    memset(evals, 0, sizeof evals);
    for (size_t i = 0; i < NSCENARIOS; i++) {
        struct mc_spf_request req = {
            .sender = scenarios[i].sender, .helo = scenarios[i].helo, .prefetch = i % 2 == 0};
        assert_true(mc_ip_parse(scenarios[i].ip, &req.ip));
        req.ip_upper = mc_ip_text_upper(scenarios[i].ip);
        mc_spf_eval_start(res, &req, done_cb, &evals[i]);
        if (i < NWALKS)
            mc_spf_eval_walk_start(res, walks[i].domain, i % 2 == 1, done_cb, &walked[i]);
    }
    assert_false(mc_resolver_run(res, mc_now_ms() + 10000));
    for (size_t i = 0; i < NSCENARIOS; i++) {
        assert_int_equal(evals[i].calls, 1);
        check_one(&scenarios[i], mc_spf_eval_verdict(evals[i].eval));
        mc_spf_eval_free(evals[i].eval);
    }
    for (size_t i = 0; i < NWALKS; i++) {
        assert_int_equal(walked[i].calls, 1);
        check_walk(&walks[i], mc_spf_eval_verdict(walked[i].eval));
        mc_spf_eval_free(walked[i].eval);
    }
    mc_resolver_free(res);
}

/* ---- set-up ---- */

static int load_zones(void **state)
{
    (void)state;
    zones = mc_zone_set_new();
    DIR *dir = opendir(SPF_ZONES);
    if (!dir)
        return -1;
    struct dirent *de;
    int loaded = 0;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".zone") != 0)
            continue;
        char *path = mc_xasprintf("%s/%s", SPF_ZONES, de->d_name);
        char *why = NULL;
        enum mc_status st = mc_zone_set_load(zones, path, NULL, &why);
        if (st != MC_OK)
            fprintf(stderr, "load %s: %s\n", path, why ? why : "?");
        free(why);
        free(path);
        if (st != MC_OK) {
            closedir(dir);
            return -1;
        }
        loaded++;
    }
    closedir(dir);
    return loaded > 0 ? 0 : -1;
}

static int free_zones(void **state)
{
    (void)state;
    mc_zone_set_free(zones);
    zones = NULL;
    return 0;
}

/* mc_spf_eval_verdict_at_deadline(): while the evaluation waits, a
 * temperror marked as the deadline's, with the reason given and no
 * ledger; once it has ended, its own verdict. */
static void verdict_at_deadline(void **state)
{
    (void)state;
    struct mc_resolver_config rc = {.offline = true, .zones = zones};
    char *why = NULL;
    struct mc_resolver *res = mc_resolver_new(&rc, &why);
    assert_non_null(res);
    int calls = 0;
    struct mc_spf_request req = {.sender = "foo@mx10.spf.test"};
    assert_true(mc_ip_parse(C4, &req.ip));
    struct mc_spf_eval *eval = mc_spf_eval_start(res, &req, awaiting_done_cb, &calls);
    assert_false(mc_spf_eval_done(eval));
    struct mc_spf_verdict cut = mc_spf_eval_verdict_at_deadline(eval, "the test's deadline");
    assert_int_equal(cut.result, MC_SPF_TEMPERROR);
    assert_true(cut.deadline);
    assert_string_equal(cut.why, "the test's deadline");
    assert_string_equal(cut.sender, "foo@mx10.spf.test");
    assert_string_equal(cut.domain, "mx10.spf.test");
    assert_int_equal(cut.nsteps, 0);
    assert_int_equal(cut.nseen, 0);
    assert_false(mc_resolver_run(res, mc_now_ms() + 10000));
    assert_int_equal(calls, 1);
    struct mc_spf_verdict end = mc_spf_eval_verdict_at_deadline(eval, "the test's deadline");
    const struct mc_spf_verdict *own = mc_spf_eval_verdict(eval);
    assert_int_equal(end.result, MC_SPF_PASS);
    assert_false(end.deadline);
    assert_ptr_equal(end.why, own->why);
    assert_ptr_equal(end.steps, own->steps);
    assert_int_equal(end.nsteps, own->nsteps);
    assert_true(end.nsteps > 0);
    mc_spf_eval_free(eval);
    mc_resolver_free(res);
}

int main(void)
{
    struct CMUnitTest tests[NSCENARIOS];
    for (size_t i = 0; i < NSCENARIOS; i++)
        tests[i] = (struct CMUnitTest){
            .name = scenarios[i].name,
            .test_func = run_scenario,
            .initial_state = (void *)(uintptr_t)&scenarios[i],
        };
    const struct CMUnitTest more[] = {
        cmocka_unit_test(prefetch_sends_early),   cmocka_unit_test(prefetch_failure_unused),
        cmocka_unit_test(prefetch_within_budget), cmocka_unit_test(prefetch_whole_tree),
        cmocka_unit_test(shared_resolver),        cmocka_unit_test(lint_from_ledger),
        cmocka_unit_test(free_in_callback),       cmocka_unit_test(awaiting_follows_state),
        cmocka_unit_test(verdict_at_deadline),    cmocka_unit_test(mx_hosts_in_name_order),
    };
    struct CMUnitTest walk_tests[NWALKS];
    for (size_t i = 0; i < NWALKS; i++)
        walk_tests[i] = (struct CMUnitTest){
            .name = walks[i].name,
            .test_func = run_walk_scenario,
            .initial_state = (void *)(uintptr_t)&walks[i],
        };
    const struct CMUnitTest walk_more[] = {
        cmocka_unit_test(walk_prefetch_within_walk),
        cmocka_unit_test(walk_lint),
        cmocka_unit_test(walk_shared_resolver),
    };
    int failed = _cmocka_run_group_tests("check_host() scenarios, prefetch on and off", tests,
                                         NSCENARIOS, load_zones, free_zones);
    failed += cmocka_run_group_tests_name("evaluator", more, load_zones, free_zones);
    failed += _cmocka_run_group_tests("walks, prefetch on and off", walk_tests, NWALKS, load_zones,
                                      free_zones);
    failed += cmocka_run_group_tests_name("walk", walk_more, load_zones, free_zones);
    return failed;
}
