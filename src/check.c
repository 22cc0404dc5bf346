/* SPDX-License-Identifier: MIT */
/*
 * check.c - runs a host check on the resolver and builds its report
 * (mailcheck(1), DESCRIPTION and VERDICTS; doc/verdicts.md: the verdicts per address,
 * "Failed FCrDNS lookups", and the deadline rule).
 *
 * Fan-out: every lookup the check starts increments `pending`; every
 * callback decrements it and the last one calls finish(), which computes
 * the verdicts and findings from the borrowed resolver results and calls
 * the user back exactly once.  A lookup whose result cannot change a
 * verdict is not sent: when an address's PTR names HOST and HOST resolves
 * to it, no PTR name is forward-confirmed.
 *
 * Ownership: the check struct, its address table and its arena (addresses,
 * lookup contexts) are freed by release(), once the report has been handed
 * over and the last lookup has ended; the report (and every string in it)
 * lives in the report's arena and passes to the callback; results are
 * borrowed from the resolver.
 *
 * Deadline: the run's deadline ends pending lookups with MC_DNS_DEADLINE
 * (single checks).  A check's own deadline (batch) fires a timer instead:
 * the check reports at once, counting what is missing as cut by the
 * deadline, and stays allocated, ignoring late answers, until the last
 * one arrives.
 */
#include "mc_check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_array.h"
#include "mc_dnsbl.h"
#include "mc_fcrdns.h"
#include "mc_ip.h"
#include "mc_spf_lint.h"
#include "mc_util.h"

struct address {
    struct mc_ip ip;
    char text[64];
    char reverse[80];
    bool from_host, from_option;
    const struct mc_dns_result *ptr;
    size_t nnames; /* PTR names forward-checked (at most MC_FCRDNS_MAX_NAMES) */
    const struct mc_dns_result *forward[MC_FCRDNS_MAX_NAMES];
    enum mc_fcrdns_name state[MC_FCRDNS_MAX_NAMES];
    struct mc_spf_eval **spf; /* nfrom mailfrom checks, then helo; malloc'd */
    size_t nspf;
    bool forward_started; /* forward lookups of the PTR names were sent */
};

/* An address of the relay (Postfix relayhost). */
struct relay_address {
    struct mc_ip ip;
    char text[64];
    struct mc_spf_eval **spf; /* nfrom mailfrom checks; malloc'd */
    size_t nspf;
};

struct mc_check {
    struct mc_resolver *res;
    struct relay_address **relay; /* the relay's addresses, each once */
    size_t nrelay, relay_cap;
    const struct mc_dns_result **relay_lookups; /* MX, A, AAAA of the relay */
    size_t nrelay_lookups, relay_lookups_cap;
    struct mc_check_options opt;
    struct mc_report *report;
    struct address **addrs;
    size_t naddrs, addrs_cap;
    struct mc_domain **domains; /* one operation per sender domain */
    size_t ndomains;
    struct mc_dnsbl_check *dnsbl;               /* --dnsbl lookups, or NULL */
    const struct mc_dns_result *host_result[2]; /* A, AAAA */
    struct mc_arena *arena;                     /* addresses and lookup contexts */
    unsigned pending;
    bool reported;  /* the report went to the callback */
    uint64_t timer; /* the check's own deadline, or 0 */
    int64_t started_ms;
    mc_check_done_cb done;
    void *done_arg;
};

/* The argument of one lookup callback. */
struct lookup {
    struct mc_check *check;
    struct address *addr; /* NULL for HOST's own lookups */
    size_t index;         /* family (HOST) or PTR name index (forward) */
};

static int family_index(int af)
{
    return af == AF_INET ? MC_FAMILY_IPV4 : MC_FAMILY_IPV6;
}

static uint16_t family_type(int af)
{
    return af == AF_INET ? MC_DNS_T_A : MC_DNS_T_AAAA;
}

static void finish(struct mc_check *c);
static void spf_findings_of(struct mc_check *c, const char *text, int family,
                            struct mc_spf_eval *const *evals, size_t nevals, const char *whose,
                            const char *named);
static void deadline_cb(void *arg, const struct mc_dns_result *unused);

static void lookup_start(struct mc_check *c, struct address *a, size_t index, const char *name,
                         uint16_t type, mc_resolver_cb cb)
{
    struct lookup *l = mc_arena_alloc(c->arena, sizeof *l);
    *l = (struct lookup){.check = c, .addr = a, .index = index};
    c->pending++;
    /* HOST's addresses, the PTR names and their addresses: no other line
     * of a batch asks for them, unless as a sender domain's (which makes
     * the entry an ordinary one). */
    mc_resolver_lookup_once(c->res, name, type, cb, l);
}

static void release(struct mc_check *c)
{
    for (size_t i = 0; i < c->nrelay; i++) {
        for (size_t j = 0; j < c->relay[i]->nspf; j++)
            mc_spf_eval_free(c->relay[i]->spf[j]);
        free(c->relay[i]->spf);
    }
    free(c->relay);
    free(c->relay_lookups);
    for (size_t i = 0; i < c->naddrs; i++) {
        for (size_t j = 0; j < c->addrs[i]->nspf; j++)
            mc_spf_eval_free(c->addrs[i]->spf[j]);
        free(c->addrs[i]->spf);
    }
    free(c->addrs);
    for (size_t i = 0; i < c->ndomains; i++)
        mc_domain_free(c->domains[i]);
    free(c->domains);
    mc_dnsbl_check_free(c->dnsbl);
    mc_arena_free(c->arena);
    free(c);
}

static void lookup_end(struct mc_check *c)
{
    if (--c->pending > 0)
        return;
    if (!c->reported)
        finish(c);
    release(c);
}

static bool result_has_address(const struct mc_dns_result *r, const struct mc_ip *ip)
{
    if (!r || r->outcome != MC_DNS_ANSWER)
        return false;
    size_t len = mc_ip_len(ip->family);
    for (size_t i = 0; i < r->count; i++)
        if (memcmp(r->records[i].addr, ip->bytes, len) == 0)
            return true;
    return false;
}

static void forward_cb(void *arg, const struct mc_dns_result *result)
{
    struct lookup *l = arg;
    struct address *a = l->addr;
    if (l->check->reported) {
        lookup_end(l->check);
        return;
    }
    a->forward[l->index] = result;
    if (!mc_dns_outcome_answered(result->outcome))
        a->state[l->index] = MC_FCRDNS_NAME_FAILED;
    else
        a->state[l->index] =
            result_has_address(result, &a->ip) ? MC_FCRDNS_NAME_CONFIRMS : MC_FCRDNS_NAME_DENIES;
    lookup_end(l->check);
}

static void dnsbl_cb(void *arg)
{
    lookup_end(arg);
}

/* The PTR names of an address against the domain lists (mailcheck(1),
 * BLOCKLISTS): host names only, as for the forward lookups. */
static void dnsbl_names(struct mc_check *c, const struct mc_dns_record *records, size_t n)
{
    for (size_t i = 0; c->dnsbl && i < n; i++)
        if (mc_hostname_ptr_name_valid(records[i].name))
            c->pending += mc_dnsbl_check_name(c->dnsbl, records[i].name);
}

static void ptr_cb(void *arg, const struct mc_dns_result *result)
{
    struct lookup *l = arg;
    struct mc_check *c = l->check;
    struct address *a = l->addr;
    if (c->reported) { /* after the check's deadline */
        lookup_end(c);
        return;
    }
    a->ptr = result;
    if (result->outcome == MC_DNS_ANSWER) {
        bool host_named = false;
        for (size_t i = 0; i < result->count; i++)
            host_named = host_named || mc_name_equal(result->records[i].name, c->opt.host);
        a->nnames = result->count < MC_FCRDNS_MAX_NAMES ? result->count : MC_FCRDNS_MAX_NAMES;
        /* HOST's own answer already confirms HOST (doc/architecture.md, "The lifecycle of a
         * check"). */
        if (!(host_named && a->from_host)) {
            for (size_t i = 0; i < a->nnames; i++) {
                /* A name that is no host name never forward-confirms
                 * and is not asked for (newer c-ares refuses to), so
                 * the verdict is the same on every c-ares. */
                if (!mc_hostname_ptr_name_valid(result->records[i].name))
                    continue;
                a->forward_started = true;
                lookup_start(c, a, i, result->records[i].name, family_type(a->ip.family),
                             forward_cb);
            }
        }
        dnsbl_names(c, result->records, a->nnames);
    }
    lookup_end(c);
}

/* The verdict of EVAL, or, when the check's deadline came first, its cut
 * (mc_spf_eval_verdict_at_deadline(): a temperror marked as the
 * deadline's, which makes no finding of its own), kept in the check's
 * arena. */
static const struct mc_spf_verdict *spf_verdict(struct mc_check *c, const struct mc_spf_eval *eval)
{
    if (mc_spf_eval_done(eval))
        return mc_spf_eval_verdict(eval);
    struct mc_spf_verdict *v = mc_arena_alloc(c->arena, sizeof *v);
    *v = mc_spf_eval_verdict_at_deadline(eval, "the check's deadline passed");
    return v;
}

static void domain_cb(void *arg, struct mc_domain *domain)
{
    (void)domain;
    lookup_end(arg);
}

/* The sender-domain reports: independent of HOST's addresses, so they
 * start with A and AAAA. */
static void domains_start(struct mc_check *c, const struct mc_check_options *o)
{
    c->domains = mc_xcalloc(o->ndomains + 1, sizeof *c->domains);
    for (size_t i = 0; i < o->ndomains; i++) {
        c->pending++;
        c->domains[c->ndomains++] = mc_domain_start(c->res, &o->domains[i], domain_cb, c);
    }
}

static void spf_cb(void *arg, struct mc_spf_eval *eval)
{
    (void)eval;
    lookup_end(arg);
}

static const struct mc_resolver_scope *from_scope(const struct mc_check_options *o, size_t i)
{
    return o->from_scopes ? o->from_scopes[i] : NULL;
}

/* Starts the SPF evaluations of address A (mailcheck(1), VERDICTS, SPF). */
static void spf_start(struct mc_check *c, struct address *a)
{
    const struct mc_check_options *o = &c->opt;
    a->nspf = o->nfrom + 1;
    a->spf = mc_xcalloc(a->nspf, sizeof *a->spf);
    for (size_t i = 0; i < a->nspf; i++) {
        bool helo = i == o->nfrom;
        const char *domain = helo ? o->host : o->from[i];
        struct mc_spf_request req = {
            .ip = a->ip,
            .sender = domain, /* postmaster@DOMAIN (RFC 7208 §4.3) */
            .helo = o->host,
            .prefetch = o->prefetch,
            .lookups_once = helo,
            .scope = helo ? NULL : from_scope(o, i),
        };
        c->pending++;
        a->spf[i] = mc_spf_eval_start(c->res, &req, spf_cb, c);
    }
}

static void prefetched(void *arg, const struct mc_dns_result *result)
{
    (void)arg;
    (void)result; /* the answer waits in the resolver's cache */
}

/* The SPF records of the sender domains and of HOST do not depend on
 * HOST's addresses, but the evaluations start only when an address is
 * known: asked for together with A and AAAA, they are in the cache by then
 * instead of a round trip late.  Not a lookup of any evaluation: each
 * evaluation still counts its own (mailcheck(1), --no-prefetch). */
static void spf_records_prefetch(struct mc_check *c)
{
    for (size_t i = 0; i < c->opt.nfrom; i++)
        mc_resolver_lookup_for(c->res, from_scope(&c->opt, i), c->opt.from[i], MC_DNS_T_TXT,
                               prefetched, NULL);
    mc_resolver_lookup_once(c->res, c->opt.host, MC_DNS_T_TXT, prefetched, NULL);
}

static struct address *address_find(struct mc_check *c, const struct mc_ip *ip)
{
    for (size_t i = 0; i < c->naddrs; i++)
        if (mc_ip_compare(&c->addrs[i]->ip, ip) == 0)
            return c->addrs[i];
    return NULL;
}

/* Adds IP to the table (once) and asks for its PTR when it is new. */
static struct address *address_add(struct mc_check *c, const struct mc_ip *ip)
{
    struct address *found = address_find(c, ip);
    if (found)
        return found;
    MC_ARRAY_RESERVE(c->addrs, c->addrs_cap, c->naddrs + 1);
    struct address *a = mc_arena_alloc(c->arena, sizeof *a);
    a->ip = *ip;
    mc_ip_format(ip, a->text, sizeof a->text);
    mc_ip_reverse_name(ip, a->reverse, sizeof a->reverse);
    c->addrs[c->naddrs++] = a;
    lookup_start(c, a, 0, a->reverse, MC_DNS_T_PTR, ptr_cb);
    if (c->opt.spf)
        spf_start(c, a);
    if (c->dnsbl)
        c->pending += mc_dnsbl_check_address(c->dnsbl, ip);
    return a;
}

static void host_cb(void *arg, const struct mc_dns_result *result)
{
    struct lookup *l = arg;
    struct mc_check *c = l->check;
    if (c->reported) {
        lookup_end(c);
        return;
    }
    c->host_result[l->index] = result;
    if (result->outcome == MC_DNS_ANSWER) {
        for (size_t i = 0; i < result->count; i++) {
            struct mc_ip ip = {.family = l->index == MC_FAMILY_IPV4 ? AF_INET : AF_INET6};
            memcpy(ip.bytes, result->records[i].addr, mc_ip_len(ip.family));
            struct address *a = address_find(c, &ip);
            if (!a && c->opt.only_listed[l->index])
                continue; /* mail of this family leaves from the listed ones only */
            if (!a)
                a = address_add(c, &ip);
            a->from_host = true;
        }
    }
    lookup_end(c);
}

/* ---- the relay (Postfix relayhost; mailcheck(1), POSTFIX) ---- */

/* At most this many MX hosts of an unbracketed relayhost are resolved (a
 * bound of ours; Postfix itself tries fewer: postconf(5),
 * smtp_mx_session_limit). */
#define RELAY_MAX_MX 10

static void relay_add(struct mc_check *c, const struct mc_ip *ip)
{
    for (size_t i = 0; i < c->nrelay; i++)
        if (mc_ip_compare(&c->relay[i]->ip, ip) == 0)
            return;
    MC_ARRAY_RESERVE(c->relay, c->relay_cap, c->nrelay + 1);
    struct relay_address *r = mc_arena_alloc(c->arena, sizeof *r);
    r->ip = *ip;
    mc_ip_format(ip, r->text, sizeof r->text);
    c->relay[c->nrelay++] = r;
    if (!c->opt.spf)
        return;
    /* MAIL FROM postmaster@DOMAIN as for HOST's addresses; the relay's own
     * EHLO name is not known here, so no HELO identity. */
    r->nspf = c->opt.nfrom;
    r->spf = mc_xcalloc(r->nspf + 1, sizeof *r->spf);
    for (size_t i = 0; i < r->nspf; i++) {
        struct mc_spf_request req = {.ip = *ip,
                                     .sender = c->opt.from[i],
                                     .helo = c->opt.relay,
                                     .prefetch = c->opt.prefetch,
                                     .scope = from_scope(&c->opt, i)};
        c->pending++;
        r->spf[i] = mc_spf_eval_start(c->res, &req, spf_cb, c);
    }
}

static void relay_keep(struct mc_check *c, const struct mc_dns_result *result)
{
    MC_ARRAY_RESERVE(c->relay_lookups, c->relay_lookups_cap, c->nrelay_lookups + 1);
    c->relay_lookups[c->nrelay_lookups++] = result;
}

static void relay_address_cb(void *arg, const struct mc_dns_result *result)
{
    struct lookup *l = arg;
    struct mc_check *c = l->check;
    if (!c->reported) {
        relay_keep(c, result);
        for (size_t i = 0; result->outcome == MC_DNS_ANSWER && i < result->count; i++) {
            struct mc_ip ip = {.family = l->index == MC_FAMILY_IPV4 ? AF_INET : AF_INET6};
            memcpy(ip.bytes, result->records[i].addr, mc_ip_len(ip.family));
            relay_add(c, &ip);
        }
    }
    lookup_end(c);
}

static void relay_resolve(struct mc_check *c, const char *name)
{
    lookup_start(c, NULL, MC_FAMILY_IPV4, name, MC_DNS_T_A, relay_address_cb);
    lookup_start(c, NULL, MC_FAMILY_IPV6, name, MC_DNS_T_AAAA, relay_address_cb);
}

/* An unbracketed relayhost: its MX hosts, or without MX records the name
 * itself (RFC 5321 section 5.1), as Postfix delivers to it. */
static void relay_mx_cb(void *arg, const struct mc_dns_result *result)
{
    struct lookup *l = arg;
    struct mc_check *c = l->check;
    if (!c->reported) {
        relay_keep(c, result);
        if (result->outcome == MC_DNS_ANSWER) {
            for (size_t i = 0; i < result->count && i < RELAY_MAX_MX; i++)
                if (strcmp(result->records[i].name, "") != 0 &&
                    strcmp(result->records[i].name, ".") != 0) /* not a null MX */
                    relay_resolve(c, result->records[i].name);
        } else if (result->outcome == MC_DNS_NODATA) {
            relay_resolve(c, c->opt.relay);
        }
    }
    lookup_end(c);
}

static void relay_start(struct mc_check *c)
{
    struct mc_ip ip;
    if (mc_ip_parse(c->opt.relay, &ip))
        relay_add(c, &ip);
    else if (c->opt.relay_mx)
        lookup_start(c, NULL, 0, c->opt.relay, MC_DNS_T_MX, relay_mx_cb);
    else
        relay_resolve(c, c->opt.relay);
}

static int relay_order(const void *x, const void *y)
{
    const struct mc_report_relay_address *a = x, *b = y;
    return mc_ip_compare(&a->ip, &b->ip);
}

/* The relay's lookups by name, then type: their failures' findings come in
 * that order, not in the order the answers came. */
static int by_lookup(const void *x, const void *y)
{
    const struct mc_dns_result *const *a = x, *const *b = y;
    int c = strcmp((*a)->qname, (*b)->qname);
    return c ? c : ((*a)->qtype > (*b)->qtype) - ((*a)->qtype < (*b)->qtype);
}

/* One SPF evaluation V of IDENTITY as the report shows it (strings copied
 * into AR). */
static struct mc_report_spf spf_entry(struct mc_arena *ar, const struct mc_spf_verdict *v,
                                      const char *identity)
{
    return (struct mc_report_spf){
        .identity = identity,
        .domain = mc_arena_strdup(ar, v->domain),
        .result = mc_spf_result_str(v->result),
        .mechanism = mc_arena_strdup(ar, v->mechanism),
        .explanation = mc_arena_strdup(ar, v->explanation),
        .why = mc_arena_strdup(ar, v->why),
        .dns_lookups = v->dns_lookups,
        .void_lookups = v->void_lookups,
    };
}

/* The relay's part of the report: its addresses with their SPF results,
 * the findings of those (the usual SPF severities), and any lookup of its
 * addresses that failed. */
static void relay_report(struct mc_check *c)
{
    if (!c->opt.relay)
        return;
    struct mc_report *rep = c->report;
    struct mc_arena *ar = rep->arena;
    struct mc_report_relay *rr = mc_arena_alloc(ar, sizeof *rr);
    rr->relayhost = mc_arena_strdup(ar, c->opt.relay_shown);
    rr->name = mc_arena_strdup(ar, c->opt.relay);
    rr->mx = c->opt.relay_mx;
    rr->addresses = mc_arena_alloc(ar, (c->nrelay + 1) * sizeof *rr->addresses);
    const char *whose = mc_arena_printf(ar, "relay %s (relayhost): ", c->opt.relay);
    bool all_answered = true;
    if (c->nrelay_lookups > 1)
        qsort(c->relay_lookups, c->nrelay_lookups, sizeof *c->relay_lookups, by_lookup);
    for (size_t i = 0; i < c->nrelay_lookups; i++)
        if (!mc_dns_outcome_answered(c->relay_lookups[i]->outcome)) {
            all_answered = false;
            mc_report_lookup_failed(
                rep, c->relay_lookups[i],
                mc_arena_printf(ar, "the addresses of relayhost %s", c->opt.relay_shown));
        }
    if (c->nrelay == 0 && all_answered)
        mc_report_add_finding(
            rep, "postfix-relayhost-unresolvable", MC_SEV_CRITICAL, "relayhost",
            mc_arena_printf(ar,
                            "relayhost = %s: %s has no %saddress, so Postfix defers all mail "
                            "(\"Host or domain name not found\")",
                            c->opt.relay_shown, c->opt.relay,
                            c->opt.relay_mx ? "MX host with an " : ""),
            mc_arena_printf(ar, "correct relayhost in main.cf, or publish A/AAAA%s records for %s",
                            c->opt.relay_mx ? " (or MX)" : "", c->opt.relay));
    for (size_t i = 0; i < c->nrelay; i++) {
        const struct relay_address *r = c->relay[i];
        struct mc_report_relay_address *ra = &rr->addresses[rr->naddresses++];
        ra->ip = r->ip;
        ra->address = mc_arena_strdup(ar, r->text);
        ra->nspf = r->nspf;
        ra->spf = mc_arena_alloc(ar, (r->nspf + 1) * sizeof *ra->spf);
        for (size_t k = 0; k < r->nspf; k++) {
            ra->spf[k] = spf_entry(ar, spf_verdict(c, r->spf[k]), "mailfrom");
        }
        spf_findings_of(c, r->text, r->ip.family, r->spf, r->nspf, whose, c->opt.relay);
    }
    qsort(rr->addresses, rr->naddresses, sizeof *rr->addresses, relay_order);
    rep->relay = rr;
}

/* ---- building the report ---- */

static const char *join_names(struct mc_arena *arena, const struct mc_report_address *ra)
{
    const char *s = "";
    for (size_t i = 0; i < ra->nptr; i++)
        s = mc_arena_printf(arena, "%s%s%s", s, i ? ", " : "", ra->ptr[i]);
    return s;
}

static void address_findings(struct mc_check *c, const struct address *a,
                             const struct mc_report_address *ra)
{
    struct mc_report *rep = c->report;
    struct mc_arena *ar = rep->arena;
    const char *host = c->opt.host;
    const char *names = join_names(ar, ra);
    switch (ra->status) {
    case MC_VERDICT_PASS: break;
    case MC_VERDICT_MISMATCH:
        mc_report_add_finding(
            rep, "ptr-mismatch", c->opt.strict ? MC_SEV_CRITICAL : MC_SEV_WARNING, a->text,
            mc_arena_printf(ar,
                            "%s has PTR %s, which does not name %s (it does resolve back, so "
                            "FCrDNS holds)",
                            a->text, names, host),
            mc_arena_printf(ar,
                            "set the PTR of %s to %s, or use the PTR name as the EHLO name "
                            "(Postfix: smtp_helo_name)",
                            a->text, host));
        break;
    case MC_VERDICT_FAIL:
        if (ra->nptr == 0 && a->ptr->ncnames > 0 && !a->ptr->cname_broken) {
            /* A dangling chain (the usual RFC 2317 mistake): the name to
             * fix is the chain's last target, not the reverse name. */
            const char *target = a->ptr->canonical;
            mc_report_add_finding(
                rep, "ptr-missing", MC_SEV_CRITICAL, a->text,
                mc_arena_printf(ar,
                                "%s has no PTR record: its reverse name %s is a CNAME%s to %s, "
                                "which %s (%s)",
                                a->text, a->reverse, a->ptr->ncnames > 1 ? " chain" : "", target,
                                a->ptr->outcome == MC_DNS_NXDOMAIN ? "does not exist"
                                                                   : "has no PTR record",
                                a->ptr->outcome == MC_DNS_NXDOMAIN ? "NXDOMAIN" : "no PTR data"),
                mc_arena_printf(ar,
                                "add the PTR record %s. PTR %s. in the zone that holds %s "
                                "(an RFC 2317 delegation: usually the hosting provider's), or "
                                "correct the CNAME at %s",
                                target, host, target, a->ptr->cname_chain[a->ptr->ncnames - 1]));
        } else if (ra->nptr == 0) {
            mc_report_add_finding(
                rep, "ptr-missing", MC_SEV_CRITICAL, a->text,
                mc_arena_printf(ar, "%s has no PTR record (%s for %s%s%s)", a->text,
                                a->ptr->outcome == MC_DNS_NXDOMAIN ? "NXDOMAIN" : "no PTR data",
                                a->reverse, a->ptr->why ? "; " : "",
                                a->ptr->why ? a->ptr->why : ""),
                mc_arena_printf(ar,
                                "ask whoever runs the reverse zone of %s (usually the hosting "
                                "provider or ISP) to set its PTR to %s",
                                a->text, host));
        } else {
            mc_report_add_finding(
                rep, "ptr-unconfirmed", MC_SEV_CRITICAL, a->text,
                mc_arena_printf(ar,
                                "%s has PTR %s, which does not resolve back to %s (no "
                                "forward-confirmed reverse DNS)",
                                a->text, names, a->text),
                mc_arena_printf(ar, "set the PTR of %s to %s, which resolves to it", a->text,
                                host));
        }
        break;
    case MC_VERDICT_ERROR:
    case MC_VERDICT_NONE:
        if (!mc_dns_outcome_answered(a->ptr->outcome))
            mc_report_lookup_failed(c->report, a->ptr,
                                    mc_arena_printf(ar, "reverse DNS of %s", a->text));
        for (size_t i = 0; i < a->nnames; i++)
            if (a->state[i] == MC_FCRDNS_NAME_FAILED)
                mc_report_lookup_failed(c->report, a->forward[i],
                                        mc_arena_printf(ar, "to confirm the PTR of %s", a->text));
        break;
    }
    for (size_t i = 0; i < ra->nptr; i++) {
        if (mc_hostname_ptr_name_valid(ra->ptr[i]))
            continue;
        mc_report_add_finding(
            rep, "ptr-invalid-name", MC_SEV_WARNING, a->text,
            mc_arena_printf(ar,
                            "%s has PTR %s, which is not a host name (octets other than "
                            "letters, digits, '-' and '_', escaped here): it is not looked up "
                            "and cannot forward-confirm",
                            a->text, ra->ptr[i]),
            mc_arena_printf(ar, "set the PTR of %s to %s", a->text, host));
    }
    if (ra->nptr > 1)
        mc_report_add_finding(
            rep, "ptr-multiple", MC_SEV_WARNING, a->text,
            mc_arena_printf(ar, "%s has %zu PTR records (%s); many receivers look at one only",
                            a->text, ra->nptr, names),
            mc_arena_printf(ar, "keep one PTR record for %s: %s", a->text, host));
    for (size_t i = 0; i < ra->nptr; i++) {
        if (!mc_name_equal(ra->ptr[i], host) && mc_fcrdns_looks_generic(&a->ip, ra->ptr[i])) {
            mc_report_add_finding(
                rep, "ptr-generic", MC_SEV_WARNING, a->text,
                mc_arena_printf(ar,
                                "%s has PTR %s, which looks like a generic name from a "
                                "dynamic pool; receivers score such names as spam sources",
                                a->text, ra->ptr[i]),
                mc_arena_printf(ar, "have the PTR of %s set to %s", a->text, host));
        }
    }
    if (a->from_option && !a->from_host) {
        const struct mc_dns_result *hr = c->host_result[family_index(a->ip.family)];
        if (hr && mc_dns_outcome_answered(hr->outcome))
            mc_report_add_finding(
                rep, "address-not-of-host", MC_SEV_WARNING, a->text,
                mc_arena_printf(ar,
                                "mail leaves from %s (--address), but %s does not resolve to it",
                                a->text, host),
                mc_arena_printf(ar, "add %s to the %s records of %s", a->text,
                                mc_dns_type_str(family_type(a->ip.family)), host));
    }
}

static const char *spf_fix(struct mc_arena *ar, const char *text, int family, const char *domain,
                           const char *host)
{
    return mc_arena_printf(ar, "authorize %s in the SPF record of %s (e.g. %s:%s, or a:%s)", text,
                           domain, family == AF_INET ? "ip4" : "ip6", text, host);
}

/* mailcheck(1), VERDICTS, SPF: sender domains pass ok; softfail, neutral, none
 * warning; fail, permerror, temperror critical.  HELO identity: fail and
 * permerror critical, the others info.  A temperror the deadline caused
 * makes no finding (the deadline has its own). */
/* The SPF evaluations of address TEXT (of FAMILY): EVALS, NEVALS of them,
 * the mailfrom ones first, then (at index nfrom) the helo one; WHOSE
 * prefixes messages ("relay NAME: ") and NAMED is the name the fix
 * suggests for a:NAME. */
static void spf_findings_of(struct mc_check *c, const char *text, int family,
                            struct mc_spf_eval *const *evals, size_t nevals, const char *whose,
                            const char *named)
{
    struct mc_report *rep = c->report;
    struct mc_arena *ar = rep->arena;
    for (size_t i = 0; i < nevals; i++) {
        const struct mc_spf_verdict *v = spf_verdict(c, evals[i]);
        bool helo = i == c->opt.nfrom;
        if (v->result == MC_SPF_PASS || v->deadline)
            continue;
        enum mc_severity sev;
        switch (v->result) {
        case MC_SPF_FAIL:
        case MC_SPF_PERMERROR: sev = MC_SEV_CRITICAL; break;
        case MC_SPF_TEMPERROR: sev = helo ? MC_SEV_INFO : MC_SEV_CRITICAL; break;
        default: sev = helo ? MC_SEV_INFO : MC_SEV_WARNING; break;
        }
        const char *code =
            mc_arena_printf(ar, "spf-%s%s", helo ? "helo-" : "", mc_spf_result_str(v->result));
        const char *what;
        switch (v->result) {
        case MC_SPF_FAIL:
        case MC_SPF_SOFTFAIL:
            what = mc_arena_printf(ar, "the SPF record of %s does not authorize %s (%s, by '%s')",
                                   v->domain, text, mc_spf_result_str(v->result),
                                   v->mechanism ? v->mechanism : "?");
            break;
        case MC_SPF_NEUTRAL:
            what = mc_arena_printf(ar,
                                   "the SPF record of %s neither authorizes nor denies %s "
                                   "(neutral%s%s)",
                                   v->domain, text, v->mechanism ? ", by '" : "",
                                   v->mechanism ? mc_arena_printf(ar, "%s'", v->mechanism) : "");
            break;
        case MC_SPF_NONE:
            what = mc_arena_printf(ar, "%s has no SPF record (none)", v->domain);
            break;
        default:
            what = mc_arena_printf(ar, "the SPF evaluation of %s for %s gave %s: %s", v->domain,
                                   text, mc_spf_result_str(v->result), v->why ? v->why : "?");
            break;
        }
        if (helo)
            what = mc_arena_printf(ar, "HELO identity: %s", what);
        if (whose)
            what = mc_arena_concat(ar, whose, what);
        const char *fix = v->result == MC_SPF_TEMPERROR
                              ? "fix the DNS servers that failed: receivers defer mail meanwhile"
                          : v->result == MC_SPF_PERMERROR
                              ? mc_arena_printf(ar,
                                                "fix the SPF record of %s (see the trace: "
                                                "mailcheck spf -vv --ip %s --sender %s)",
                                                v->domain, text, v->domain)
                              : spf_fix(ar, text, family, v->domain, named);
        mc_report_add_finding(rep, code, sev, text, what, fix);
    }
}

static void spf_findings(struct mc_check *c, const struct address *a)
{
    spf_findings_of(c, a->text, a->ip.family, a->spf, a->nspf, NULL, c->opt.host);
}

static void report_spf(struct mc_check *c, const struct address *a, struct mc_report_address *ra)
{
    struct mc_arena *ar = c->report->arena;
    ra->nspf = a->nspf;
    ra->spf = mc_arena_alloc(ar, (a->nspf + 1) * sizeof *ra->spf);
    struct mc_report_family *fam = &c->report->families[family_index(a->ip.family)];
    for (size_t i = 0; i < a->nspf; i++) {
        const struct mc_spf_verdict *v = spf_verdict(c, a->spf[i]);
        bool helo = i == c->opt.nfrom;
        ra->spf[i] = spf_entry(ar, v, helo ? "helo" : "mailfrom");
        if (!helo && (int)v->dns_lookups > fam->spf_lookups)
            fam->spf_lookups = (int)v->dns_lookups;
    }
}

/* The PTR lookup of A and the forward lookups that were sent. */
static void report_evidence(struct mc_report *rep, const struct address *a,
                            struct mc_report_address *ra)
{
    struct mc_arena *ar = rep->arena;
    if (!a->ptr)
        return;
    ra->lookups = mc_arena_alloc(ar, (a->nnames + 1) * sizeof *ra->lookups);
    ra->lookups[ra->nlookups++] = *mc_report_lookup_copy(rep, a->ptr);
    for (size_t i = 0; i < a->nnames; i++)
        if (a->forward[i])
            ra->lookups[ra->nlookups++] = *mc_report_lookup_copy(rep, a->forward[i]);
}

static struct mc_report_address *report_address(struct mc_check *c, const struct address *a)
{
    struct mc_arena *ar = c->report->arena;
    struct mc_report_address *ra = mc_arena_alloc(ar, sizeof *ra);
    ra->ip = a->ip;
    ra->address = mc_arena_strdup(ar, a->text);
    ra->from_host = a->from_host;
    ra->from_option = a->from_option;
    const struct mc_dns_result *ptr = a->ptr;
    const char *names[MC_FCRDNS_MAX_NAMES];
    if (ptr->outcome == MC_DNS_ANSWER) {
        ra->nptr = ptr->count;
        ra->ptr = mc_arena_alloc(ar, ptr->count * sizeof *ra->ptr);
        for (size_t i = 0; i < ptr->count; i++)
            ra->ptr[i] = ptr->records[i].name;
    }
    for (size_t i = 0; i < a->nnames; i++)
        names[i] = ptr->records[i].name;
    int fam = family_index(a->ip.family);
    const struct mc_dns_result *hr = c->host_result[fam];
    struct mc_fcrdns_input in = {
        .ptr_outcome = ptr->outcome,
        .names = names,
        .nnames = a->nnames,
        .name_state = a->state,
        .host_confirms = a->from_host,
        .host_lookup_failed = hr && !mc_dns_outcome_answered(hr->outcome),
    };
    ra->status = mc_fcrdns_verdict(c->opt.host, &in, &ra->fcrdns);
    report_spf(c, a, ra);
    report_evidence(c->report, a, ra);
    return ra;
}

static int address_order(const void *x, const void *y)
{
    const struct mc_report_address *const *a = x, *const *b = y;
    return mc_ip_compare(&(*a)->ip, &(*b)->ip);
}

static void host_findings(struct mc_check *c)
{
    struct mc_report *rep = c->report;
    struct mc_arena *ar = rep->arena;
    const char *host = c->opt.host;
    const struct mc_dns_result *a4 = c->host_result[0], *a6 = c->host_result[1];
    for (int f = 0; f < 2; f++) {
        const struct mc_dns_result *r = c->host_result[f];
        if (r->ncnames > 0 && (f == 0 || c->host_result[0]->ncnames == 0)) {
            mc_report_add_finding(
                rep, "host-cname", MC_SEV_WARNING, host,
                r->cname_broken
                    ? mc_arena_printf(ar, "%s is a CNAME whose chain is broken (%s)", host,
                                      r->why ? r->why : "loop")
                    : mc_arena_printf(ar,
                                      "%s is an alias (CNAME) for %s; an EHLO name should be "
                                      "the canonical name (RFC 5321 section 2.3.5)",
                                      host, r->canonical),
                mc_arena_printf(ar, "give %s its own A/AAAA records instead of a CNAME", host));
        }
        if (!mc_dns_outcome_answered(r->outcome)) {
            /* The family's verdict is open, deadline or not; only the
             * finding is left to deadline_finding() in that case. */
            mc_report_lookup_failed(c->report, r, mc_arena_printf(ar, "the addresses of %s", host));
            rep->families[f].status = MC_VERDICT_ERROR;
        }
    }
    bool any_from_host = false;
    for (size_t i = 0; i < c->naddrs; i++) {
        const struct address *a = c->addrs[i];
        any_from_host = any_from_host || a->from_host;
        const char *range = a->from_host ? mc_ip_special_purpose(&a->ip) : NULL;
        if (!range)
            continue;
        /* Usually a split-horizon resolver answering with internal
         * addresses: what receivers see is another answer. */
        mc_report_add_finding(
            rep, "address-not-global", MC_SEV_WARNING, a->text,
            mc_arena_printf(ar,
                            "%s resolves to %s (%s), an address no receiver can see: "
                            "receivers resolve %s elsewhere, or mail leaves from another address",
                            host, a->text, range, host),
            mc_arena_printf(ar, "check through a public resolver (--server ADDR): a split-horizon "
                                "resolver answers with internal addresses; or name the public "
                                "address mail leaves from (--address IP)"));
    }
    if (a4->outcome == MC_DNS_NXDOMAIN && a6->outcome == MC_DNS_NXDOMAIN) {
        mc_report_add_finding(rep, "host-nxdomain", MC_SEV_CRITICAL, host,
                              mc_arena_printf(ar, "%s does not exist (NXDOMAIN)", host),
                              mc_arena_printf(ar, "create A and/or AAAA records for %s", host));
    } else if (!any_from_host && mc_dns_outcome_answered(a4->outcome) &&
               mc_dns_outcome_answered(a6->outcome)) {
        mc_report_add_finding(rep, "host-no-address", MC_SEV_CRITICAL, host,
                              mc_arena_printf(ar, "%s has no A or AAAA record", host),
                              mc_arena_printf(ar, "add A and/or AAAA records for %s", host));
    }
}

static void deadline_finding(struct mc_check *c)
{
    struct mc_report *rep = c->report;
    const char *stage = NULL;
    for (int f = 0; f < 2 && !stage; f++)
        if (c->host_result[f]->outcome == MC_DNS_DEADLINE)
            stage = mc_arena_printf(rep->arena, "the %s lookup of %s",
                                    mc_dns_type_str(c->host_result[f]->qtype), c->opt.host);
    for (size_t i = 0; i < c->naddrs && !stage; i++) {
        const struct address *a = c->addrs[i];
        if (a->ptr->outcome == MC_DNS_DEADLINE)
            stage = mc_arena_printf(rep->arena, "the PTR lookup of %s", a->text);
        for (size_t j = 0; j < a->nnames && !stage; j++)
            if (a->forward[j] && a->forward[j]->outcome == MC_DNS_DEADLINE)
                stage = mc_arena_printf(rep->arena, "the %s lookup of %s (confirming %s)",
                                        mc_dns_type_str(a->forward[j]->qtype), a->forward[j]->qname,
                                        a->text);
    }
    for (size_t i = 0; i < c->naddrs && !stage; i++) {
        const struct address *a = c->addrs[i];
        for (size_t j = 0; j < a->nspf && !stage; j++) {
            const struct mc_spf_verdict *v = spf_verdict(c, a->spf[j]);
            if (v->deadline)
                stage = mc_arena_printf(rep->arena, "the SPF evaluation of %s for %s", v->domain,
                                        a->text);
        }
    }
    if (!stage && c->dnsbl)
        stage = mc_dnsbl_check_stage(c->dnsbl, rep->arena);
    for (size_t i = 0; i < c->ndomains && !stage; i++)
        stage = mc_domain_awaiting(c->domains[i], rep->arena);
    if (!stage)
        return;
    mc_report_add_finding(
        rep, "timeout", mc_state_severity(c->opt.deadline_state), c->opt.host,
        mc_arena_printf(rep->arena, "the check's deadline passed while waiting for %s", stage),
        "raise -t/--timeout, or find out why the name servers answer slowly");
}

/* What the SPF evaluations of sender domain K say, address by address. */
struct spf_tally {
    bool any, fail, open;
};

/* One more address's evaluation of sender domain K, when it has one.  A
 * temperror (a failed lookup, or the deadline's cut) leaves it open:
 * receivers defer the mail, they do not fail it (RFC 7208 §2.6.6), and
 * the finding of its own says so. */
static void tally(struct mc_check *c, struct spf_tally *t, struct mc_spf_eval *const *spf,
                  size_t nspf, size_t k)
{
    if (k >= nspf)
        return;
    enum mc_spf_result r = spf_verdict(c, spf[k])->result;
    t->any = true;
    if (r == MC_SPF_TEMPERROR)
        t->open = true;
    else if (r != MC_SPF_PASS)
        t->fail = true;
}

/* What SPF says of sender domain K over every address mail leaves from:
 * 1 pass for all, 0 not for some, -1 none evaluated or not known (no
 * address fails, one is open). */
static int spf_passes(struct mc_check *c, size_t k)
{
    struct spf_tally t = {0};
    if (c->opt.relay) {
        /* Through a relayhost receivers see the relay's addresses, not
         * HOST's (mailcheck(1), POSTFIX): those decide SPF alignment. */
        for (size_t i = 0; i < c->nrelay; i++)
            tally(c, &t, c->relay[i]->spf, c->relay[i]->nspf, k);
    } else {
        for (size_t i = 0; i < c->naddrs; i++)
            tally(c, &t, c->addrs[i]->spf, c->addrs[i]->nspf, k);
    }
    return t.fail ? 0 : t.open || !t.any ? -1 : 1;
}

/* The sender-domain reports, with what SPF said of each sender domain
 * over all addresses (for SPF alignment). */
static void domains_report(struct mc_check *c)
{
    if (c->ndomains == 0)
        return;
    struct mc_domain_spf *spf = mc_xcalloc(c->opt.nfrom + 1, sizeof *spf);
    for (size_t k = 0; k < c->opt.nfrom; k++)
        spf[k] = (struct mc_domain_spf){.domain = c->opt.from[k], .passes = spf_passes(c, k)};
    mc_domain_report_all(c->domains, c->ndomains, spf, c->opt.nfrom, c->report);
    free(spf);
}

/* Lint of every SPF record any evaluation saw, each finding once. */
static void spf_lint_findings(struct mc_check *c)
{
    struct mc_report *rep = c->report;
    struct mc_spf_lint *items = NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->naddrs; i++)
        for (size_t j = 0; j < c->addrs[i]->nspf; j++)
            mc_spf_lint_collect(spf_verdict(c, c->addrs[i]->spf[j]), rep->arena, &items, &n);
    for (size_t i = 0; i < n; i++)
        mc_report_add_finding(rep, items[i].code, items[i].severity, items[i].subject,
                              items[i].message, NULL);
}

static int by_address(const void *x, const void *y)
{
    const struct address *const *a = x, *const *b = y;
    return mc_ip_compare(&(*a)->ip, &(*b)->ip);
}

static int by_relay_address(const void *x, const void *y)
{
    const struct relay_address *const *a = x, *const *b = y;
    return mc_ip_compare(&(*a)->ip, &(*b)->ip);
}

static void finish(struct mc_check *c)
{
    struct mc_report *rep = c->report;
    struct mc_arena *ar = rep->arena;
    struct mc_resolver_stats stats;
    mc_resolver_get_stats(c->res, &stats);
    /* The addresses in their report order, so that findings come in the
     * same order on every run: they were added as answers came (A or AAAA
     * first, whichever won).  Lookups still out hold addresses, not their
     * places in these arrays. */
    if (c->naddrs > 1)
        qsort(c->addrs, c->naddrs, sizeof *c->addrs, by_address);
    if (c->nrelay > 1)
        qsort(c->relay, c->nrelay, sizeof *c->relay, by_relay_address);

    host_findings(c);
    struct mc_report_family *fams = rep->families;
    for (int f = 0; f < 2; f++)
        if (c->host_result[f])
            fams[f].host_lookup = mc_report_lookup_copy(c->report, c->host_result[f]);
    for (int f = 0; f < 2; f++)
        fams[f].addresses = mc_arena_alloc(ar, (c->naddrs + 1) * sizeof *fams[f].addresses);
    for (size_t i = 0; i < c->naddrs; i++) {
        struct mc_report_address *ra = report_address(c, c->addrs[i]);
        struct mc_report_family *fam = &fams[family_index(ra->ip.family)];
        fam->addresses[fam->naddresses++] = ra;
        address_findings(c, c->addrs[i], ra);
        spf_findings(c, c->addrs[i]);
    }
    relay_report(c);
    spf_lint_findings(c);
    domains_report(c);
    if (c->dnsbl)
        mc_dnsbl_check_report(c->dnsbl, rep);
    for (int f = 0; f < 2; f++) {
        struct mc_report_family *fam = &fams[f];
        fam->required = c->opt.require[f];
        qsort(fam->addresses, fam->naddresses, sizeof *fam->addresses, address_order);
        /* Worst address verdict, in the order pass < mismatch < error < fail;
         * a failed lookup of HOST's own addresses already made it error. */
        for (size_t i = 0; i < fam->naddresses; i++) {
            enum mc_verdict v = fam->addresses[i]->status;
            if (fam->status == MC_VERDICT_NONE || v > fam->status)
                fam->status = v;
        }
        if (fam->required && fam->status == MC_VERDICT_NONE)
            mc_report_add_finding(
                rep, "family-required", MC_SEV_CRITICAL, f == 0 ? "ipv4" : "ipv6",
                mc_arena_printf(ar, "%s is required (%s) but %s has no %s address",
                                f == 0 ? "IPv4" : "IPv6", f == 0 ? "-4" : "-6", c->opt.host,
                                f == 0 ? "IPv4" : "IPv6"),
                mc_arena_printf(ar, "add %s records for %s, or stop sending over %s",
                                f == 0 ? "A" : "AAAA", c->opt.host, f == 0 ? "IPv4" : "IPv6"));
    }
    deadline_finding(c);
    /* No lookup of the run answered: the resolver itself is unusable, and
     * nothing said about the zones can be trusted (doc/verdicts.md). */
    if (mc_resolver_unusable(&stats))
        mc_report_resolver_unusable(rep);
    rep->queries = stats.queries_sent;
    rep->duration_ms = mc_now_ms() - c->started_ms;
    mc_report_settle(rep);

    c->reported = true;
    if (c->timer)
        mc_resolver_timer_cancel(c->res, c->timer);
    c->done(c->done_arg, rep);
}

/* HOST and the sender domains against the domain lists; the addresses
 * and PTR names follow as they are known. */
static void dnsbl_start(struct mc_check *c)
{
    c->dnsbl = mc_dnsbl_check_new(c->opt.dnsbl, c->res, dnsbl_cb, c);
    c->pending += mc_dnsbl_check_name(c->dnsbl, c->opt.host);
    for (size_t i = 0; i < c->opt.nfrom; i++)
        c->pending += mc_dnsbl_check_name(c->dnsbl, c->opt.from[i]);
}

void mc_check_start(struct mc_resolver *res, const struct mc_check_options *options,
                    mc_check_done_cb done, void *arg)
{
    struct mc_check *c = mc_xcalloc(1, sizeof *c);
    struct mc_report *rep = mc_report_new();
    c->arena = mc_arena_new();
    struct mc_arena *ar = rep->arena;
    c->res = res;
    c->report = rep;
    c->done = done;
    c->done_arg = arg;
    c->started_ms = mc_now_ms();
    c->opt = *options;
    c->opt.host = mc_arena_strdup(ar, options->host);
    c->opt.host_unicode = mc_arena_strdup(ar, options->host_unicode);
    c->opt.input = mc_arena_strdup(ar, options->input);
    c->opt.addresses = NULL; /* only read below */
    c->opt.domains = NULL;   /* copied by mc_domain_start() */
    c->opt.relay = mc_arena_strdup(ar, options->relay);
    c->opt.relay_shown = mc_arena_strdup(ar, options->relay_shown);
    const char **from = mc_arena_alloc(ar, (options->nfrom + 1) * sizeof *from);
    for (size_t i = 0; i < options->nfrom; i++)
        from[i] = mc_arena_strdup(ar, options->from[i]);
    c->opt.from = from;
    if (options->from_scopes) {
        const struct mc_resolver_scope **scopes =
            mc_arena_alloc(ar, (options->nfrom + 1) * sizeof *scopes);
        memcpy(scopes, options->from_scopes, options->nfrom * sizeof *scopes);
        c->opt.from_scopes = scopes;
    }
    rep->from = from;
    rep->nfrom = options->nfrom;
    rep->host = c->opt.host;
    rep->host_unicode = c->opt.host_unicode;
    rep->input = c->opt.input;
    const char *const *servers;
    rep->nresolvers = mc_resolver_servers(res, &servers);
    rep->resolvers = mc_arena_alloc(ar, (rep->nresolvers + 1) * sizeof *rep->resolvers);
    for (size_t i = 0; i < rep->nresolvers; i++)
        rep->resolvers[i] = mc_arena_strdup(ar, servers[i]);

    /* Hold one count so that answers already cached cannot finish the
     * check before every lookup is started. */
    c->pending = 1;
    if (options->dnsbl)
        dnsbl_start(c);
    for (size_t i = 0; i < options->naddresses; i++)
        address_add(c, &options->addresses[i])->from_option = true;
    lookup_start(c, NULL, MC_FAMILY_IPV4, c->opt.host, MC_DNS_T_A, host_cb);
    lookup_start(c, NULL, MC_FAMILY_IPV6, c->opt.host, MC_DNS_T_AAAA, host_cb);
    if (c->opt.spf && c->opt.prefetch)
        spf_records_prefetch(c);
    domains_start(c, options);
    if (c->opt.relay)
        relay_start(c);
    if (options->deadline_ms > 0)
        c->timer = mc_resolver_timer_add(res, options->deadline_ms, deadline_cb, c);
    lookup_end(c);
}

/* A result standing for a lookup the check's deadline cut off. */
static const struct mc_dns_result *cut_result(struct mc_check *c, const char *name, uint16_t type)
{
    struct mc_dns_result *r = mc_arena_alloc(c->arena, sizeof *r);
    r->qname = mc_arena_strdup(c->arena, name);
    r->qtype = type;
    r->outcome = MC_DNS_DEADLINE;
    r->rcode = -1;
    r->canonical = r->qname;
    r->why = "the check's deadline passed";
    return r;
}

/* The check's own deadline: report now with what is known. */
static void deadline_cb(void *arg, const struct mc_dns_result *unused)
{
    struct mc_check *c = arg;
    (void)unused;
    c->timer = 0;
    if (c->reported)
        return;
    for (int f = 0; f < 2; f++)
        if (!c->host_result[f])
            c->host_result[f] =
                cut_result(c, c->opt.host, f == MC_FAMILY_IPV4 ? MC_DNS_T_A : MC_DNS_T_AAAA);
    for (size_t i = 0; i < c->naddrs; i++) {
        struct address *a = c->addrs[i];
        if (!a->ptr)
            a->ptr = cut_result(c, a->reverse, MC_DNS_T_PTR);
        for (size_t j = 0; a->forward_started && j < a->nnames; j++) {
            if (a->forward[j])
                continue;
            a->forward[j] = cut_result(c, a->ptr->records[j].name, family_type(a->ip.family));
            a->state[j] = MC_FCRDNS_NAME_FAILED;
        }
    }
    finish(c);
}

struct run_state {
    struct mc_resolver_ops ops; /* the check alone */
    struct mc_report *report;
};

static void store_report(void *arg, struct mc_report *report)
{
    struct run_state *rs = arg;
    rs->report = report;
    mc_resolver_op_ended(&rs->ops); /* SPF prefetches nobody needs may be out */
}

struct mc_report *mc_check_run(struct mc_resolver *res, const struct mc_check_options *options,
                               int64_t deadline_ms)
{
    struct run_state rs = {.ops = {.res = res, .pending = 1}};
    mc_check_start(res, options, store_report, &rs);
    mc_resolver_run_ops(&rs.ops, deadline_ms);
    return rs.report;
}
