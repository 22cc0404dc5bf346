/* SPDX-License-Identifier: MIT */
/*
 * golden_trees.c - golden-file test of every renderer on result trees
 * built by hand: host-check reports (struct mc_report) and `mailcheck spf`
 * verdicts (struct mc_spf_output), each rendered in memory in every format
 * and at every verbosity that changes the output, and compared byte for
 * byte with tests/golden/tree-TREE.VARIANT.ref (Postfix's *.ref files
 * beside the test that diffs them).  The trees are fixed, so nothing is
 * normalized but the version string (<VERSION>), which would otherwise
 * change every reference at each release.
 *
 *   golden_trees [--ref-dir DIR] [--write] [--list] [TREE...]
 *
 * Without TREE every tree is checked, and a tree-*.ref no tree produces
 * fails too (a renamed case leaves no stale reference behind).  --write
 * writes the references instead (tests/golden/regen.sh); --list prints the
 * reference names.  A differing output is written to ./NAME.out, next to
 * the first differing line on stderr.  Exit 0 when every reference
 * matched, 1 otherwise.
 *
 * Ownership: every tree lives in static storage or in the report's arena;
 * the renderers return malloc'd text, freed after the comparison.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_array.h"
#include "mc_dns.h"
#include "mc_render.h"
#include "mc_render_spf.h"
#include "mc_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every string a server can put in a PTR, TXT or SPF record, and worse:
 * '|' (the perfdata separator), newline, CR, ESC, '"', '\', DEL, UTF-8. */
#define HOSTILE "a|b\nc\r\033[31md\"e\\f\x7f\xc3\xa9("

#define NS "192.0.2.53:53"

/* ---- building blocks ---- */

static struct mc_report_address *address(struct mc_report *r, const char *text,
                                         enum mc_verdict status, enum mc_fcrdns fcrdns)
{
    struct mc_report_address *a = mc_arena_alloc(r->arena, sizeof *a);
    if (!mc_ip_parse(text, &a->ip))
        abort();
    a->address = text;
    a->status = status;
    a->fcrdns = fcrdns;
    a->from_host = true;
    return a;
}

/* Makes A..., NULL the addresses of family FAM, in that (sorted) order. */
static void family(struct mc_report *r, enum mc_family_index fam, enum mc_verdict status,
                   int spf_lookups, const struct mc_report_lookup *host_lookup, ...)
{
    struct mc_report_family *f = &r->families[fam];
    f->status = status;
    f->spf_lookups = spf_lookups;
    f->host_lookup = host_lookup;
    va_list ap;
    va_start(ap, host_lookup);
    struct mc_report_address *a;
    while ((a = va_arg(ap, struct mc_report_address *)) != NULL) {
        struct mc_report_address **grown =
            mc_arena_alloc(r->arena, (f->naddresses + 1) * sizeof *grown);
        if (f->naddresses)
            memcpy(grown, f->addresses, f->naddresses * sizeof *grown);
        grown[f->naddresses++] = a;
        f->addresses = grown;
    }
    va_end(ap);
}

static struct mc_report *report(const char *host, unsigned long queries)
{
    static const char *resolvers[] = {NS};
    static const char *from[] = {"example.test"};
    struct mc_report *r = mc_report_new();
    r->host = host;
    r->input = host;
    r->duration_ms = 1234;
    r->queries = queries;
    r->resolvers = resolvers;
    r->nresolvers = N(resolvers);
    r->from = from;
    r->nfrom = N(from);
    return r;
}

/* ---- host-check trees ---- */

/* Both families pass, SPF passes for mailfrom and helo, no finding. */
static struct mc_report *tree_host_pass(void)
{
    static const char *a4[] = {"192.0.2.25"}, *a6[] = {"2001:db8::25"};
    static const char *ptr[] = {"mail.example.test"};
    static const struct mc_report_lookup host4 = {
        "mail.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0};
    static const struct mc_report_lookup host6 = {
        "mail.example.test", "AAAA", "answer", 0, 3600, NS, NULL, a6, 1, NULL, 0, 0};
    static struct mc_report_lookup ptr4[] = {
        {"25.2.0.192.in-addr.arpa", "PTR", "answer", 0, 86400, NS, NULL, ptr, 1, NULL, 0, 0}};
    static struct mc_report_lookup ptr6[] = {
        {"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR",
         "answer", 0, 86400, NS, NULL, ptr, 1, NULL, 0, 0}};
    static struct mc_report_spf spf4[] = {
        {"mailfrom", "example.test", "pass", "a:mail.example.test", NULL, NULL, 1, 0},
        {"helo", "mail.example.test", "pass", "a", NULL, NULL, 1, 0}};
    static struct mc_report_spf spf6[] = {
        {"mailfrom", "example.test", "pass", "a:mail.example.test", NULL, NULL, 1, 0},
        {"helo", "mail.example.test", "pass", "a", NULL, NULL, 1, 0}};
    struct mc_report *r = report("mail.example.test", 9);
    struct mc_report_address *v4 = address(r, "192.0.2.25", MC_VERDICT_PASS, MC_FCRDNS_PASS);
    v4->ptr = ptr, v4->nptr = 1, v4->spf = spf4, v4->nspf = 2, v4->lookups = ptr4, v4->nlookups = 1;
    struct mc_report_address *v6 = address(r, "2001:db8::25", MC_VERDICT_PASS, MC_FCRDNS_PASS);
    v6->ptr = ptr, v6->nptr = 1, v6->spf = spf6, v6->nspf = 2, v6->lookups = ptr6, v6->nlookups = 1;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_PASS, 1, &host4, v4, NULL);
    family(r, MC_FAMILY_IPV6, MC_VERDICT_PASS, 1, &host6, v6, NULL);
    mc_report_settle(r);
    return r;
}

/* The PTR names another host, which forward-confirms (a warning); a
 * --address only relay passes; IPv6 has no address (NODATA). */
static struct mc_report *tree_host_mismatch(void)
{
    static const char *a4[] = {"192.0.2.26"};
    static const char *ptr[] = {"other.example.test"}, *relay_ptr[] = {"relay.example.test"};
    static const struct mc_report_lookup host4 = {
        "mx.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0};
    static const struct mc_report_lookup host6 = {
        "mx.example.test", "AAAA", "nodata", 0, 300, NS, NULL, NULL, 0, NULL, 0, 0};
    static struct mc_report_lookup lk[] = {
        {"26.2.0.192.in-addr.arpa", "PTR", "answer", 0, 86400, NS, NULL, ptr, 1, NULL, 0, 0},
        {"other.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0}};
    static const char *a99[] = {"192.0.2.99"};
    static struct mc_report_lookup relay_lk[] = {
        {"99.2.0.192.in-addr.arpa", "PTR", "answer", 0, 86400, NS, NULL, relay_ptr, 1, NULL, 0, 0},
        {"relay.example.test", "A", "answer", 0, 3600, NS, NULL, a99, 1, NULL, 0, 0}};
    static struct mc_report_spf spf[] = {
        {"mailfrom", "example.test", "pass", "ip4:192.0.2.0/24", NULL, NULL, 0, 0},
        {"helo", "mx.example.test", "none", NULL, NULL, "mx.example.test has no SPF record", 0, 0}};
    static struct mc_report_spf relay_spf[] = {
        {"mailfrom", "example.test", "pass", "ip4:192.0.2.0/24", NULL, NULL, 0, 0},
        {"helo", "mx.example.test", "none", NULL, NULL, "mx.example.test has no SPF record", 0, 0}};
    struct mc_report *r = report("mx.example.test", 7);
    struct mc_report_address *a = address(r, "192.0.2.26", MC_VERDICT_MISMATCH, MC_FCRDNS_PASS);
    a->ptr = ptr, a->nptr = 1, a->spf = spf, a->nspf = 2, a->lookups = lk, a->nlookups = 2;
    struct mc_report_address *relay = address(r, "192.0.2.99", MC_VERDICT_PASS, MC_FCRDNS_PASS);
    relay->from_host = false, relay->from_option = true;
    relay->ptr = relay_ptr, relay->nptr = 1, relay->spf = relay_spf, relay->nspf = 2,
    relay->lookups = relay_lk, relay->nlookups = 2;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_MISMATCH, 0, &host4, a, relay, NULL);
    family(r, MC_FAMILY_IPV6, MC_VERDICT_NONE, -1, &host6, NULL);
    mc_report_add_finding(r, "ptr-mismatch", MC_SEV_WARNING, "192.0.2.26",
                          "192.0.2.26 has PTR other.example.test, which does not name "
                          "mx.example.test (it does resolve back, so FCrDNS holds)",
                          "set the PTR of 192.0.2.26 to mx.example.test, or use the PTR name "
                          "as the EHLO name (Postfix: smtp_helo_name)");
    mc_report_add_finding(r, "spf-helo-none", MC_SEV_INFO, "192.0.2.26",
                          "HELO identity: mx.example.test has no SPF record (none)",
                          "authorize 192.0.2.26 in the SPF record of mx.example.test (e.g. "
                          "ip4:192.0.2.26, or a:mx.example.test)");
    mc_report_settle(r);
    return r;
}

/* The PTR lookups fail: SERVFAIL for one address, no reply for another;
 * IPv4 required (-4); IPv6 passes. */
static struct mc_report *tree_host_lookup_failed(void)
{
    static const char *a4[] = {"192.0.2.31", "192.0.2.33"}, *a6[] = {"2001:db8::31"};
    static const char *ptr6[] = {"broken.example.test"};
    static const struct mc_report_lookup host4 = {
        "broken.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 2, NULL, 0, 0};
    static const struct mc_report_lookup host6 = {
        "broken.example.test", "AAAA", "answer", 0, 3600, NS, NULL, a6, 1, NULL, 0, 0};
    static struct mc_report_lookup lk31[] = {{"31.2.0.192.in-addr.arpa", "PTR", "servfail", 2, -1,
                                              NS, "SERVFAIL from " NS, NULL, 0, NULL, 0, 0}};
    static struct mc_report_lookup lk33[] = {{"33.2.0.192.in-addr.arpa", "PTR", "timeout", -1, -1,
                                              NULL, "no reply after 2 tries", NULL, 0, NULL, 0, 0}};
    static struct mc_report_lookup lk6[] = {
        {"1.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR",
         "answer", 0, 86400, NS, NULL, ptr6, 1, NULL, 0, 0}};
    struct mc_report *r = report("broken.example.test", 11);
    r->nfrom = 0; /* --no-spf */
    struct mc_report_address *a31 = address(r, "192.0.2.31", MC_VERDICT_ERROR, MC_FCRDNS_ERROR);
    a31->lookups = lk31, a31->nlookups = 1;
    struct mc_report_address *a33 = address(r, "192.0.2.33", MC_VERDICT_ERROR, MC_FCRDNS_ERROR);
    a33->lookups = lk33, a33->nlookups = 1;
    struct mc_report_address *v6 = address(r, "2001:db8::31", MC_VERDICT_PASS, MC_FCRDNS_PASS);
    v6->ptr = ptr6, v6->nptr = 1, v6->lookups = lk6, v6->nlookups = 1;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_ERROR, -1, &host4, a31, a33, NULL);
    family(r, MC_FAMILY_IPV6, MC_VERDICT_PASS, -1, &host6, v6, NULL);
    r->families[MC_FAMILY_IPV4].required = true;
    static const char *const fix = "fix the zone's name servers: receivers defer mail while this "
                                   "lookup fails";
    mc_report_add_finding(r, "lookup-failed", MC_SEV_CRITICAL, "PTR 31.2.0.192.in-addr.arpa",
                          "the PTR lookup of 31.2.0.192.in-addr.arpa (reverse DNS of "
                          "192.0.2.31) failed: SERVFAIL from " NS,
                          fix);
    mc_report_add_finding(r, "lookup-failed", MC_SEV_CRITICAL, "PTR 33.2.0.192.in-addr.arpa",
                          "the PTR lookup of 33.2.0.192.in-addr.arpa (reverse DNS of "
                          "192.0.2.33) failed: no reply after 2 tries",
                          fix);
    mc_report_settle(r);
    return r;
}

/* RFC 2317: the PTR is reached through a CNAME into the child zone of a
 * classless delegation, answered by another server. */
static struct mc_report *tree_host_classless(void)
{
    static const char *a4[] = {"192.0.2.25"};
    static const char *ptr[] = {"classless.example.test"};
    static const struct mc_report_lookup host4 = {
        "classless.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0};
    static const struct mc_report_lookup host6 = {
        "classless.example.test", "AAAA", "nodata", 0, 300, NS, NULL, NULL, 0, NULL, 0, 0};
    static const struct mc_report_cname chain[] = {
        {"25.2.0.192.in-addr.arpa", "25.0-26.2.0.192.in-addr.arpa", NS}};
    static struct mc_report_lookup lk[] = {{"25.2.0.192.in-addr.arpa", "PTR", "answer", 0, 3600,
                                            "198.51.100.53:53", NULL, ptr, 1, chain, 1, 0}};
    static struct mc_report_spf spf[] = {
        {"mailfrom", "example.test", "pass", "ip4:192.0.2.0/24", NULL, NULL, 0, 0}};
    struct mc_report *r = report("classless.example.test", 4);
    struct mc_report_address *a = address(r, "192.0.2.25", MC_VERDICT_PASS, MC_FCRDNS_PASS);
    a->ptr = ptr, a->nptr = 1, a->spf = spf, a->nspf = 1, a->lookups = lk, a->nlookups = 1;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_PASS, 0, &host4, a, NULL);
    family(r, MC_FAMILY_IPV6, MC_VERDICT_NONE, -1, &host6, NULL);
    mc_report_settle(r);
    return r;
}

/* The reverse name is a CNAME to a name that does not exist: no PTR;
 * IPv6 is required (-6) and missing. */
static struct mc_report *tree_host_revdangle(void)
{
    static const char *a4[] = {"192.0.2.42"};
    static const struct mc_report_lookup host4 = {
        "revdangle.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0};
    static const struct mc_report_lookup host6 = {
        "revdangle.example.test", "AAAA", "nodata", 0, 300, NS, NULL, NULL, 0, NULL, 0, 0};
    static const struct mc_report_cname chain[] = {
        {"42.2.0.192.in-addr.arpa", "42.gone.2.0.192.in-addr.arpa", NS}};
    static struct mc_report_lookup lk[] = {
        {"42.2.0.192.in-addr.arpa", "PTR", "nxdomain", 3, 300, NS, NULL, NULL, 0, chain, 1, 0}};
    static struct mc_report_spf spf[] = {
        {"mailfrom", "example.test", "pass", "ip4:192.0.2.0/24", NULL, NULL, 0, 0}};
    struct mc_report *r = report("revdangle.example.test", 4);
    struct mc_report_address *a = address(r, "192.0.2.42", MC_VERDICT_FAIL, MC_FCRDNS_FAIL);
    a->spf = spf, a->nspf = 1, a->lookups = lk, a->nlookups = 1;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_FAIL, 0, &host4, a, NULL);
    family(r, MC_FAMILY_IPV6, MC_VERDICT_NONE, -1, &host6, NULL);
    r->families[MC_FAMILY_IPV6].required = true;
    mc_report_add_finding(r, "ptr-missing", MC_SEV_CRITICAL, "192.0.2.42",
                          "192.0.2.42 has no PTR record: its reverse name 42.2.0.192.in-addr.arpa "
                          "is a CNAME to 42.gone.2.0.192.in-addr.arpa, which does not exist "
                          "(NXDOMAIN)",
                          "add the PTR record 42.gone.2.0.192.in-addr.arpa. PTR "
                          "revdangle.example.test. in the zone that holds "
                          "42.gone.2.0.192.in-addr.arpa (an RFC 2317 delegation: usually the "
                          "hosting provider's), or correct the CNAME at 42.2.0.192.in-addr.arpa");
    mc_report_add_finding(r, "family-required", MC_SEV_CRITICAL, "ipv6",
                          "IPv6 is required (-6) but revdangle.example.test has no IPv6 address",
                          "add AAAA records for revdangle.example.test, or stop sending over IPv6");
    mc_report_settle(r);
    return r;
}

/* Strings from DNS as hostile as they come, in every place a renderer
 * prints one; HOST given as a U-label. */
static struct mc_report *tree_host_hostile(void)
{
    static const char *a4[] = {"192.0.2.60"};
    static const char *ptr[] = {HOSTILE, "ok.example.test"};
    static const struct mc_report_lookup host4 = {
        "xn--bcher-kva.example.test", "A", "answer", 0, 3600, NS, NULL, a4, 1, NULL, 0, 0};
    static const struct mc_report_cname chain[] = {{"60.2.0.192.in-addr.arpa", HOSTILE, HOSTILE}};
    static struct mc_report_lookup lk[] = {
        {"60.2.0.192.in-addr.arpa", "PTR", "answer", 0, 300, NS, HOSTILE, ptr, 2, chain, 1, 0},
        {"ok.example.test", "A", "servfail", 2, -1, HOSTILE, HOSTILE, NULL, 0, NULL, 0, 0}};
    static struct mc_report_spf spf[] = {
        {"mailfrom", "example.test", "fail", "-all", HOSTILE, NULL, 1, 0},
        {"helo", "xn--bcher-kva.example.test", "permerror", NULL, NULL, HOSTILE, 0, 0}};
    static const char *resolvers[] = {NS, HOSTILE};
    struct mc_report *r = report("xn--bcher-kva.example.test", 5);
    r->host_unicode = "b\xc3\xbc"
                      "cher.example.test";
    r->resolvers = resolvers, r->nresolvers = N(resolvers);
    struct mc_report_address *a = address(r, "192.0.2.60", MC_VERDICT_FAIL, MC_FCRDNS_FAIL);
    a->ptr = ptr, a->nptr = 2, a->spf = spf, a->nspf = 2, a->lookups = lk, a->nlookups = 2;
    family(r, MC_FAMILY_IPV4, MC_VERDICT_FAIL, 1, &host4, a, NULL);
    mc_report_add_finding(r, "ptr-invalid-name", MC_SEV_WARNING, HOSTILE, "PTR " HOSTILE,
                          "fix " HOSTILE);
    mc_report_add_finding(r, "spf-fail", MC_SEV_CRITICAL, "192.0.2.60", "SPF: " HOSTILE, NULL);
    mc_report_add_finding(r, "spf-helo-permerror", MC_SEV_WARNING, "192.0.2.60",
                          "HELO identity: " HOSTILE, NULL);
    mc_report_add_finding(r, "lookup-failed", MC_SEV_CRITICAL, "A ok.example.test",
                          "the A lookup of ok.example.test failed: " HOSTILE, NULL);
    mc_report_add_finding(r, "ptr-unconfirmed", MC_SEV_CRITICAL, "192.0.2.60", HOSTILE, NULL);
    mc_report_add_finding(r, "ptr-multiple", MC_SEV_INFO, "192.0.2.60", HOSTILE, NULL);
    mc_report_settle(r);
    return r;
}

/* HOST is not a host name: no check ran. */
static struct mc_report *tree_host_bad_input(void)
{
    struct mc_report *r = mc_report_new();
    r->input = "bad.." HOSTILE;
    r->duration_ms = 0;
    mc_report_add_finding(r, "bad-input", MC_SEV_UNKNOWN, r->input,
                          "HOST is not a valid host name: an empty label", NULL);
    mc_report_settle(r);
    return r;
}

/* ---- `mailcheck spf` trees ---- */

struct spf_tree {
    struct mc_spf_verdict verdict;
    struct mc_spf_output out;
};

/* The ledger step that fetched a record (with the lookup array LK). */
#define RECORD(d, dom, text, why, lk)                                                              \
    {                                                                                              \
        .depth = (d), .domain = (dom), .record = (text), .note = (why), .lookups = (lk),           \
        .nlookups = N(lk)                                                                          \
    }

/* pass through an include (depth 1), after a void lookup; --helo. */
static const struct spf_tree *tree_spf_pass(void)
{
#define TOP "v=spf1 a:gone.example.test include:_spf.example.test -all"
    static const char *top[] = {TOP};
#define INC "v=spf1 ip4:192.0.2.0/24 -all"
    static const char *inc[] = {INC};
    static struct mc_spf_lookup lk_top[] = {
        {"example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static struct mc_spf_lookup lk_gone[] = {
        {"gone.example.test", MC_DNS_T_A, MC_DNS_NXDOMAIN, 0, NULL, NULL}};
    static struct mc_spf_lookup lk_inc[] = {
        {"_spf.example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, inc, NULL}};
    static const struct mc_spf_step steps[] = {
        RECORD(0, "example.test", TOP, NULL, lk_top),
        {.domain = "example.test",
         .term = "a:gone.example.test",
         .target = "gone.example.test",
         .cost = 1,
         .void_lookup = true,
         .lookups = lk_gone,
         .nlookups = 1},
        {.domain = "example.test",
         .term = "include:_spf.example.test",
         .target = "_spf.example.test",
         .cost = 1,
         .matched = true},
        RECORD(1, "_spf.example.test", INC, NULL, lk_inc),
        {.depth = 1, .domain = "_spf.example.test", .term = "ip4:192.0.2.0/24", .matched = true},
    };
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_PASS,
                    .domain = "example.test",
                    .sender = "user@example.test",
                    .mechanism = "include:_spf.example.test",
                    .dns_lookups = 2,
                    .void_lookups = 1,
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "192.0.2.25", .helo = "mail.example.test", .duration_ms = 42},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
#undef INC
}

/* fail by -all, with the explanation of exp= (RFC 7208 section 6.2). */
static const struct spf_tree *tree_spf_fail_exp(void)
{
#define TOP "v=spf1 ip4:192.0.2.0/24 -all exp=explain.example.test"
    static const char *top[] = {TOP};
    static const char *exp[] = {"%{i} is not one of %{d}'s designated mail servers."};
    static struct mc_spf_lookup lk_top[] = {
        {"example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static struct mc_spf_lookup lk_exp[] = {
        {"explain.example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, exp, NULL}};
    static const struct mc_spf_step steps[] = {
        RECORD(0, "example.test", TOP, NULL, lk_top),
        {.domain = "example.test", .term = "ip4:192.0.2.0/24"},
        {.domain = "example.test", .term = "-all", .matched = true},
        {.domain = "example.test",
         .term = "exp=explain.example.test",
         .target = "explain.example.test",
         .note = "fetching the explanation (not counted)",
         .lookups = lk_exp,
         .nlookups = 1},
    };
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_FAIL,
                    .domain = "example.test",
                    .sender = "user@example.test",
                    .mechanism = "-all",
                    .explanation = "198.51.100.7 is not one of example.test's designated mail "
                                   "servers.",
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "198.51.100.7", .duration_ms = 1234},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
}

/* permerror: an unknown mechanism (RFC 7208 section 4.6). */
static const struct spf_tree *tree_spf_permerror(void)
{
#define TOP "v=spf1 ip4:192.0.2.25 moo -all"
    static const char *top[] = {TOP};
    static struct mc_spf_lookup lk_top[] = {
        {"example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static const struct mc_spf_step steps[] = {
        RECORD(0, "example.test", TOP,
               "\"moo\": unknown mechanism \"moo\" (RFC 7208 section 5: all, include, a, mx, ptr, "
               "ip4, ip6, exists)",
               lk_top)};
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_PERMERROR,
                    .domain = "example.test",
                    .sender = "postmaster@example.test",
                    .why = "the SPF record of example.test is invalid: \"moo\": unknown mechanism "
                           "\"moo\" (RFC 7208 section 5: all, include, a, mx, ptr, ip4, ip6, "
                           "exists)",
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "192.0.2.25", .duration_ms = 7},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
}

/* The ptr mechanism: the validation of <ip>'s PTR names (RFC 7208
 * section 5.5) is a step of its own, naming the reverse lookup. */
static const struct spf_tree *tree_spf_ptr(void)
{
#define TOP "v=spf1 ptr:example.test -all"
    static const char *top[] = {TOP};
    static const char *names[] = {"mail.example.test"}, *addrs[] = {"192.0.2.25"};
    static struct mc_spf_lookup lk_top[] = {
        {"example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static struct mc_spf_lookup lk_ptr[] = {
        {"25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, MC_DNS_ANSWER, 1, names, NULL},
        {"mail.example.test", MC_DNS_T_A, MC_DNS_ANSWER, 1, addrs, NULL}};
    static const struct mc_spf_step steps[] = {
        RECORD(0, "example.test", TOP, NULL, lk_top),
        {.domain = "example.test",
         .target = "25.2.0.192.in-addr.arpa",
         .note = "validating the PTR names of <ip> (section 5.5)",
         .lookups = lk_ptr,
         .nlookups = 2},
        {.domain = "example.test",
         .term = "ptr:example.test",
         .target = "example.test",
         .cost = 1,
         .matched = true},
    };
    static const struct mc_spf_lint lint[] = {
        {"spf-ptr", MC_SEV_WARNING, "example.test",
         "the SPF record of example.test uses 'ptr:example.test', which RFC 7208 section 5.5 "
         "says not to use (slow, unreliable)"}};
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_PASS,
                    .domain = "example.test",
                    .sender = "user@example.test",
                    .mechanism = "ptr:example.test",
                    .dns_lookups = 1,
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "192.0.2.25", .lint = lint, .nlint = N(lint), .duration_ms = 3},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
}

/* temperror: a lookup failed; the why is printed (it is no problem=). */
static const struct spf_tree *tree_spf_temperror(void)
{
#define TOP "v=spf1 a:outside.test -all"
    static const char *top[] = {TOP};
    static struct mc_spf_lookup lk_top[] = {
        {"example.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static struct mc_spf_lookup lk_a[] = {
        {"outside.test", MC_DNS_T_A, MC_DNS_SERVFAIL, 0, NULL, "SERVFAIL from " NS}};
    static const struct mc_spf_step steps[] = {
        RECORD(0, "example.test", TOP, NULL, lk_top),
        {.domain = "example.test",
         .term = "a:outside.test",
         .target = "outside.test",
         .cost = 1,
         .lookups = lk_a,
         .nlookups = 1},
    };
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_TEMPERROR,
                    .domain = "example.test",
                    .sender = "user@example.test",
                    .why = "the A lookup of outside.test failed (SERVFAIL from " NS ")",
                    .dns_lookups = 1,
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "2001:db8::25", .duration_ms = 2001},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
}

/* Hostile octets in the record, the why (an unbalanced parenthesis for
 * the header comment), the lint, the sender and the HELO name. */
static const struct spf_tree *tree_spf_hostile(void)
{
#define TOP "v=spf1 a:" HOSTILE " -all"
    static const char *top[] = {TOP};
    static struct mc_spf_lookup lk_top[] = {
        {"ex|ample.test", MC_DNS_T_TXT, MC_DNS_ANSWER, 1, top, NULL}};
    static const struct mc_spf_step steps[] = {RECORD(0, "ex|ample.test", TOP, HOSTILE, lk_top)};
    static const struct mc_spf_lint lint[] = {
        {"spf-no-all", MC_SEV_INFO, "ex|ample.test", "lint: " HOSTILE}};
    static struct spf_tree t = {
        .verdict = {.result = MC_SPF_PERMERROR,
                    .domain = "ex|ample.test",
                    .sender = "\"us\\er\"@ex|ample.test",
                    .why = "'a:" HOSTILE "': not a domain-spec",
                    .steps = steps,
                    .nsteps = N(steps)},
        .out = {.ip = "192.0.2.25",
                .helo = "he|lo\n.example.test",
                .lint = lint,
                .nlint = N(lint),
                .duration_ms = 5},
    };
    t.out.verdict = &t.verdict;
    t.out.exit_code = mc_spf_exit_code(t.verdict.result);
    return &t;
#undef TOP
}

/* ---- renderings ---- */

enum kind { HOST, SPF };

struct variant {
    const char *name;
    enum kind kind;
    char *(*host)(const struct mc_report *, const struct mc_render_options *);
    char *(*spf)(const struct mc_spf_output *, const struct mc_render_options *);
    struct mc_render_options opt;
    bool extra; /* only for trees that ask for every variant */
};

static const struct variant variants[] = {
    {"text", HOST, mc_render_text, NULL, {0}, false},
    {"text-v", HOST, mc_render_text, NULL, {.verbose = 1}, false},
    {"text-q", HOST, mc_render_text, NULL, {.quiet = true}, true},
    {"text-color-v", HOST, mc_render_text, NULL, {.color = true, .verbose = 1}, true},
    {"json", HOST, mc_render_json, NULL, {.pretty = true}, false},
    {"jsonl", HOST, mc_render_json, NULL, {0}, true},
    {"nagios", HOST, mc_render_nagios, NULL, {0}, false},
    {"nagios-v", HOST, mc_render_nagios, NULL, {.verbose = 1}, false},
    {"nagios-vv", HOST, mc_render_nagios, NULL, {.verbose = 2}, false},
    {"nagios-ranges", HOST, mc_render_nagios, NULL, {.warning = "5", .critical = "@10:20"}, true},
    {"openmetrics", HOST, mc_render_openmetrics, NULL, {0}, false},
    {"text", SPF, NULL, mc_render_spf_text, {0}, false},
    {"text-q", SPF, NULL, mc_render_spf_text, {.quiet = true}, true},
    {"text-v", SPF, NULL, mc_render_spf_text, {.verbose = 1}, false},
    {"text-vv", SPF, NULL, mc_render_spf_text, {.verbose = 2}, false},
    /* json always carries the ledger; jsonl only with --trace */
    {"json", SPF, NULL, mc_render_spf_json, {.pretty = true, .trace = true}, false},
    {"jsonl", SPF, NULL, mc_render_spf_json, {0}, true},
    {"jsonl-trace", SPF, NULL, mc_render_spf_json, {.trace = true}, true},
    {"nagios", SPF, NULL, mc_render_spf_nagios, {0}, false},
    {"nagios-v", SPF, NULL, mc_render_spf_nagios, {.verbose = 1}, false},
    {"nagios-vv", SPF, NULL, mc_render_spf_nagios, {.verbose = 2}, false},
    {"nagios-ranges", SPF, NULL, mc_render_spf_nagios, {.warning = "~:1", .critical = "2"}, true},
    {"openmetrics", SPF, NULL, mc_render_spf_openmetrics, {0}, false},
};

struct tree {
    const char *name;
    enum kind kind;
    struct mc_report *(*host)(void);
    const struct spf_tree *(*spf)(void);
    bool every_variant;
};

static const struct tree trees[] = {
    {"host-pass", HOST, tree_host_pass, NULL, true},
    {"host-mismatch", HOST, tree_host_mismatch, NULL, false},
    {"host-lookup-failed", HOST, tree_host_lookup_failed, NULL, false},
    {"host-classless", HOST, tree_host_classless, NULL, false},
    {"host-revdangle", HOST, tree_host_revdangle, NULL, false},
    {"host-hostile", HOST, tree_host_hostile, NULL, true},
    {"host-bad-input", HOST, tree_host_bad_input, NULL, false},
    {"spf-pass", SPF, NULL, tree_spf_pass, true},
    {"spf-fail-exp", SPF, NULL, tree_spf_fail_exp, false},
    {"spf-permerror", SPF, NULL, tree_spf_permerror, false},
    {"spf-ptr", SPF, NULL, tree_spf_ptr, false},
    {"spf-temperror", SPF, NULL, tree_spf_temperror, false},
    {"spf-hostile", SPF, NULL, tree_spf_hostile, true},
};

static bool applies(const struct tree *t, const struct variant *v)
{
    return v->kind == t->kind && (!v->extra || t->every_variant);
}

/* ---- comparing ---- */

/* TEXT with every NEEDLE replaced by WITH. Caller frees. */
static char *replace_all(const char *text, const char *needle, const char *with)
{
    size_t nlen = strlen(needle), wlen = strlen(with), count = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + nlen, needle))
        count++;
    char *out = mc_xmalloc(strlen(text) + count * wlen + 1);
    char *o = out;
    const char *p = text, *hit;
    while ((hit = strstr(p, needle)) != NULL) {
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, with, wlen);
        o += wlen;
        p = hit + nlen;
    }
    memcpy(o, p, strlen(p) + 1);
    return out;
}

/* TEXT (freed) with the version string replaced by <VERSION>, where the
 * JSON and OpenMetrics renderers put it. Caller frees. */
static char *normalize(char *text)
{
    /* Each form as the text before and after the version. */
    static const char *const forms[][2] = {
        {"\"version\": \"", "\""},
        {"\"version\":\"", "\""},
        {"{version=\"", "\"}"},
    };
    for (size_t i = 0; i < N(forms); i++) {
        char *needle = mc_xasprintf("%s%s%s", forms[i][0], MAILCHECK_VERSION, forms[i][1]);
        char *with = mc_xasprintf("%s<VERSION>%s", forms[i][0], forms[i][1]);
        char *next = replace_all(text, needle, with);
        free(text);
        free(needle);
        free(with);
        text = next;
    }
    return text;
}

/* The whole of PATH, or NULL when it cannot be read. Caller frees. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t len = 0, cap = 0;
    char *buf = NULL;
    MC_ARRAY_RESERVE(buf, cap, 4096);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2)
            MC_ARRAY_RESERVE(buf, cap, cap * 2);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static bool write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = fwrite(text, 1, strlen(text), f) == strlen(text);
    ok = fclose(f) == 0 && ok;
    if (!ok)
        fprintf(stderr, "%s: write failed\n", path);
    return ok;
}

/* Reports the first line where WANT and GOT differ. */
static void show_difference(const char *name, const char *want, const char *got)
{
    size_t line = 1;
    const char *w = want, *g = got;
    while (*w && *w == *g) {
        line += *w == '\n';
        w++, g++;
    }
    while (w > want && w[-1] != '\n')
        w--, g--;
    int wl = (int)strcspn(w, "\n"), gl = (int)strcspn(g, "\n");
    fprintf(stderr, "%s: differs from line %zu\n  want: %.*s\n  got:  %.*s\n", name, line, wl, w,
            gl, g);
}

struct run {
    const char *ref_dir;
    bool write, list;
    unsigned failed, checked;
};

static void check_one(struct run *run, const char *name, char *text)
{
    text = normalize(text);
    char *path = mc_xasprintf("%s/%s.ref", run->ref_dir, name);
    if (run->list) {
        printf("%s.ref\n", name);
    } else if (run->write) {
        run->failed += !write_all(path, text);
    } else {
        char *want = read_all(path);
        run->checked++;
        if (!want) {
            fprintf(stderr, "%s: cannot read it (%s); tests/golden/regen.sh writes it\n", path,
                    strerror(errno));
            run->failed++;
        } else if (strcmp(want, text) != 0) {
            char *out = mc_xasprintf("%s.out", name);
            show_difference(name, want, text);
            if (write_all(out, text))
                fprintf(stderr, "  diff -u %s %s\n", path, out);
            free(out);
            run->failed++;
        }
        free(want);
    }
    free(path);
    free(text);
}

static void render_tree(struct run *run, const struct tree *t)
{
    struct mc_report *r = t->host ? t->host() : NULL;
    const struct spf_tree *s = t->spf ? t->spf() : NULL;
    for (size_t i = 0; i < N(variants); i++) {
        const struct variant *v = &variants[i];
        if (!applies(t, v))
            continue;
        char *name = mc_xasprintf("tree-%s.%s", t->name, v->name);
        check_one(run, name, r ? v->host(r, &v->opt) : v->spf(&s->out, &v->opt));
        free(name);
    }
    mc_report_free(r);
}

/* True when NAME (a file name) is a reference some tree produces. */
static bool produced(const char *name)
{
    for (size_t i = 0; i < N(trees); i++)
        for (size_t j = 0; j < N(variants); j++) {
            if (!applies(&trees[i], &variants[j]))
                continue;
            char *want = mc_xasprintf("tree-%s.%s.ref", trees[i].name, variants[j].name);
            bool same = strcmp(want, name) == 0;
            free(want);
            if (same)
                return true;
        }
    return false;
}

/* Every tree-*.ref in the reference directory must be one of ours. */
static void check_orphans(struct run *run)
{
    DIR *d = opendir(run->ref_dir);
    if (!d) {
        fprintf(stderr, "%s: %s\n", run->ref_dir, strerror(errno));
        run->failed++;
        return;
    }
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "tree-", 5) != 0 || len < 4 ||
            strcmp(e->d_name + len - 4, ".ref") != 0 || produced(e->d_name))
            continue;
        fprintf(stderr, "%s/%s: no tree produces it (stale? tests/golden/regen.sh removes it)\n",
                run->ref_dir, e->d_name);
        run->failed++;
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    struct run run = {.ref_dir = MC_GOLDEN_DIR};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--write") == 0) {
            run.write = true;
        } else if (strcmp(argv[i], "--list") == 0) {
            run.list = true;
        } else if (strcmp(argv[i], "--ref-dir") == 0 && i + 1 < argc) {
            run.ref_dir = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--ref-dir DIR] [--write] [--list] [TREE...]\n", argv[0]);
            return 2;
        }
    }
    for (size_t t = 0; t < N(trees); t++) {
        bool wanted = i == argc;
        for (int a = i; a < argc && !wanted; a++)
            wanted = strcmp(argv[a], trees[t].name) == 0;
        if (wanted)
            render_tree(&run, &trees[t]);
    }
    if (i == argc && !run.write && !run.list)
        check_orphans(&run);
    if (!run.write && !run.list)
        printf("%u references compared, %u failed\n", run.checked, run.failed);
    return run.failed ? 1 : 0;
}
