/* SPDX-License-Identifier: MIT */
/*
 * domain.c - the sender-domain report (mc_domain.h): MX of the domain and
 * the addresses of every target, or, without MX, the domain's own
 * addresses (the implicit MX of RFC 5321 §5.1); null MX (RFC 7505).
 *
 * Fan-out: every lookup increments `pending`, every callback decrements
 * it, and the last one calls back (the check's pattern, check.c).  The
 * lookups depend on each other only along the MX: targets are asked once
 * the MX answer names them.
 *
 * Ownership: the operation and its arena are freed by mc_domain_free();
 * results are borrowed from the resolver.
 */
#include "mc_domain.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_array.h"
#include "mc_domain_private.h"
#include "mc_ip.h"
#include "mc_util.h"

void mc_domain_lookup_end(struct mc_domain *d)
{
    if (--d->pending > 0)
        return;
    d->done = true;
    d->cb(d->cb_arg, d);
}

static void stored_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    *l->slot = result;
    mc_domain_lookup_end(l->d);
}

void mc_domain_ask(struct mc_domain *d, const char *name, uint16_t type,
                   const struct mc_dns_result **slot, mc_resolver_cb cb)
{
    struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
    *l = (struct mc_domain_lookup){.d = d, .slot = slot};
    d->pending++;
    mc_resolver_lookup_for(d->res, d->scope, name, type, cb, l);
}

/* RFC 7505 §3: the null MX is one record, preference 0, exchange ".". */
static bool is_root(const char *name)
{
    return strcmp(name, ".") == 0 || name[0] == '\0';
}

static int by_preference(const void *x, const void *y)
{
    const struct target *a = x, *b = y;
    if (a->mx->preference != b->mx->preference)
        return a->mx->preference < b->mx->preference ? -1 : 1;
    return mc_ascii_strcasecmp(a->mx->name, b->mx->name);
}

static void mx_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    struct mc_domain *d = l->d;
    d->mx = result;
    if (result->outcome == MC_DNS_ANSWER) {
        d->targets = mc_arena_alloc(d->arena, (result->count + 1) * sizeof *d->targets);
        for (size_t i = 0; i < result->count; i++)
            d->targets[d->ntargets++] = (struct target){.mx = &result->records[i]};
        qsort(d->targets, d->ntargets, sizeof *d->targets, by_preference);
        size_t asked = 0;
        for (size_t i = 0; i < d->ntargets && asked < MC_DOMAIN_MAX_MX; i++) {
            struct target *t = &d->targets[i];
            if (is_root(t->mx->name))
                continue;
            mc_domain_ask(d, t->mx->name, MC_DNS_T_A, &t->addr[0], stored_cb);
            mc_domain_ask(d, t->mx->name, MC_DNS_T_AAAA, &t->addr[1], stored_cb);
            t->asked = true;
            asked++;
        }
    } else if (result->outcome == MC_DNS_NODATA) {
        /* RFC 5321 §5.1: no MX, the domain itself is the implicit MX. */
        mc_domain_ask(d, d->domain, MC_DNS_T_A, &d->own[0], stored_cb);
        mc_domain_ask(d, d->domain, MC_DNS_T_AAAA, &d->own[1], stored_cb);
    }
    mc_domain_lookup_end(d);
}

struct mc_domain *mc_domain_start(struct mc_resolver *res, const struct mc_domain_request *req,
                                  mc_domain_done_cb done, void *arg)
{
    struct mc_domain *d = mc_xcalloc(1, sizeof *d);
    d->res = res;
    d->scope = req->scope;
    d->arena = mc_arena_new();
    d->domain = mc_arena_strdup(d->arena, req->domain);
    size_t len = strlen(d->domain);
    if (len > 1 && d->domain[len - 1] == '.')
        d->domain[len - 1] = '\0';
    mc_ascii_lower(d->domain);
    d->roles = req->roles;
    d->psl = req->psl;
    d->cb = done;
    d->cb_arg = arg;
    d->pending = 1; /* held until every first lookup is started */
    struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
    *l = (struct mc_domain_lookup){.d = d, .slot = &d->mx};
    d->pending++;
    mc_resolver_lookup_for(res, d->scope, d->domain, MC_DNS_T_MX, mx_cb, l);
    mc_domain_dmarc_start(d);
    if (req->ndkim) {
        mc_domain_dkim_start(d, req->dkim, req->ndkim);
        mc_domain_dmarc_idents_start(d);
    }
    mc_domain_lookup_end(d);
    return d;
}

static size_t add_role(struct mc_domain_request *out, size_t n, const char *domain, unsigned role)
{
    for (size_t i = 0; i < n; i++) {
        if (mc_name_equal(out[i].domain, domain)) {
            out[i].roles |= role;
            return n;
        }
    }
    out[n] = (struct mc_domain_request){.domain = domain, .roles = role};
    return n + 1;
}

size_t mc_domain_requests(const char *const *from, size_t nfrom, const char *const *header_from,
                          size_t nheader, struct mc_domain_request *out)
{
    size_t n = 0;
    for (size_t i = 0; i < nfrom; i++)
        n = add_role(out, n, from[i], MC_DOMAIN_ROLE_MAILFROM);
    const char *const *hf = nheader ? header_from : from;
    size_t nhf = nheader ? nheader : nfrom;
    for (size_t i = 0; i < nhf; i++)
        n = add_role(out, n, hf[i], MC_DOMAIN_ROLE_HEADER_FROM);
    return n;
}

bool mc_domain_done(const struct mc_domain *d)
{
    return d->done;
}

const char *mc_domain_name(const struct mc_domain *d)
{
    return d->domain;
}

void mc_domain_free(struct mc_domain *d)
{
    if (!d)
        return;
    mc_arena_free(d->arena);
    free(d);
}

/* A lookup the deadline cut: never answered (the check's own deadline,
 * --batch), or ended by the run's. */
static bool cut(const struct mc_dns_result *r)
{
    return !r || r->outcome == MC_DNS_DEADLINE;
}

const char *mc_domain_awaiting(const struct mc_domain *d, struct mc_arena *ar)
{
    if (cut(d->mx))
        return mc_arena_printf(ar, "the MX lookup of %s", d->domain);
    if (d->mx->outcome == MC_DNS_ANSWER) {
        for (size_t i = 0; i < d->ntargets; i++) {
            const struct target *t = &d->targets[i];
            for (int f = 0; f < 2 && t->asked; f++)
                if (cut(t->addr[f]))
                    return mc_arena_printf(ar, "the %s lookup of %s (an MX target of %s)",
                                           f == 0 ? "A" : "AAAA", t->mx->name, d->domain);
        }
    } else if (d->mx->outcome == MC_DNS_NODATA) {
        for (int f = 0; f < 2; f++)
            if (cut(d->own[f]))
                return mc_arena_printf(ar, "the %s lookup of %s (its implicit MX)",
                                       f == 0 ? "A" : "AAAA", d->domain);
    }
    const struct mc_domain_dmarc *m = &d->dmarc;
    for (size_t i = 0; i < m->step; i++)
        if (cut(m->txt[i]))
            return mc_arena_printf(ar, "the DMARC tree walk of %s", d->domain);
    for (size_t i = 0; i < m->n7489; i++)
        if (cut(m->txt_7489[i]))
            return mc_arena_printf(ar, "the RFC 7489 reading of the DMARC policy of %s", d->domain);
    for (size_t i = 0; i < m->nrua; i++)
        if (cut(m->rua_txt[i]))
            return mc_arena_printf(ar, "the report authorization record %s", m->rua_name[i]);
    for (size_t i = 0; i < d->nkeys; i++)
        if (cut(d->keys[i].txt))
            return mc_arena_printf(ar, "the DKIM key record %s._domainkey.%s",
                                   d->keys[i].want.selector, d->keys[i].want.domain);
    for (size_t i = 0; i < m->nidents; i++)
        for (size_t j = 0; j < m->idents[i].step; j++)
            if (cut(m->idents[i].txt[j]))
                return mc_arena_printf(ar, "the DMARC tree walk of d=%s", m->idents[i].domain);
    return NULL;
}

/* ---- the report ---- */

static bool answered(const struct mc_dns_result *r)
{
    return r && mc_dns_outcome_answered(r->outcome);
}

static bool failed(const struct mc_dns_result *r)
{
    return r && !mc_dns_outcome_answered(r->outcome);
}

static int by_ip(const void *x, const void *y)
{
    return mc_ip_compare(x, y);
}

/* The addresses of the A and AAAA answers R4 and R6 into M, sorted (the
 * JSON rule: RFC 5952 text, in address order, whatever the answers'). */
static void add_addresses(struct mc_report *rep, struct mc_report_mx *m,
                          const struct mc_dns_result *r4, const struct mc_dns_result *r6)
{
    const struct mc_dns_result *rs[2] = {r4, r6};
    size_t n = 0;
    for (int f = 0; f < 2; f++)
        if (rs[f] && rs[f]->outcome == MC_DNS_ANSWER)
            n += rs[f]->count;
    if (n == 0)
        return;
    struct mc_ip *ips = mc_arena_alloc(rep->arena, n * sizeof *ips);
    size_t k = 0;
    for (int f = 0; f < 2; f++) {
        if (!rs[f] || rs[f]->outcome != MC_DNS_ANSWER)
            continue;
        for (size_t i = 0; i < rs[f]->count; i++) {
            ips[k] = (struct mc_ip){.family = f == 0 ? AF_INET : AF_INET6};
            memcpy(ips[k].bytes, rs[f]->records[i].addr, mc_ip_len(ips[k].family));
            k++;
        }
    }
    qsort(ips, n, sizeof *ips, by_ip);
    m->addresses = mc_arena_alloc(rep->arena, n * sizeof *m->addresses);
    for (size_t i = 0; i < n; i++) {
        char text[64];
        m->addresses[m->naddresses++] =
            mc_arena_strdup(rep->arena, mc_ip_format(&ips[i], text, sizeof text));
    }
}

static void evidence(struct mc_report *rep, struct mc_report_domain *rd,
                     const struct mc_dns_result *r)
{
    if (!r)
        return;
    MC_ARENA_ARRAY_RESERVE(rep->arena, rd->lookups, rd->lookups_cap, rd->nlookups + 1);
    rd->lookups[rd->nlookups++] = *mc_report_lookup_copy(rep, r);
}

/* A name that is an address written as a name (RFC 5321 §5.1 wants a
 * domain name; "192.0.2.1" or "[192.0.2.1]" is not one). */
static bool looks_like_address(const char *name)
{
    char buf[64];
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
        name++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, name, n);
    buf[n] = '\0';
    struct mc_ip ip;
    return mc_ip_parse(buf, &ip);
}

/* RFC 7505 §3: exactly one record, "0 .". */
static void null_mx_findings(const struct mc_domain *d, struct mc_report *rep,
                             struct mc_report_domain *rd)
{
    struct mc_arena *ar = rep->arena;
    size_t roots = 0, nonzero = 0;
    for (size_t i = 0; i < d->ntargets; i++) {
        if (!is_root(d->targets[i].mx->name))
            continue;
        roots++;
        nonzero += d->targets[i].mx->preference != 0;
    }
    if (roots == 0)
        return;
    if (d->ntargets == 1 && nonzero == 0) {
        rd->null_mx = true;
        /* RFC 7505 §4.2: a domain used in MAIL FROM or From SHOULD NOT
         * publish it; receivers reject such mail (550 5.7.27). */
        mc_report_add_finding(
            rep, "mx-null", MC_SEV_CRITICAL, d->domain,
            mc_arena_printf(ar,
                            "%s publishes a null MX (\"0 .\", RFC 7505): it says it accepts no "
                            "mail, and receivers reject mail from it (550 5.7.27)",
                            d->domain),
            mc_arena_printf(ar,
                            "remove the null MX of %s and publish the MX that receives its "
                            "replies and bounces (RFC 7505 section 4.2)",
                            d->domain));
        return;
    }
    mc_report_add_finding(
        rep, "mx-null-invalid", MC_SEV_WARNING, d->domain,
        mc_arena_printf(ar,
                        "%s has an MX with the exchange \".\"%s: a null MX must be the only "
                        "MX record, with preference 0 (RFC 7505 section 3)",
                        d->domain,
                        d->ntargets > 1 ? " beside other MX records"
                                        : " and a "
                                          "non-zero "
                                          "preference"),
        mc_arena_printf(ar, "remove the \".\" MX record of %s", d->domain));
}

/* The targets: their addresses, and what is wrong with them. */
static void target_findings(const struct mc_domain *d, struct mc_report *rep,
                            struct mc_report_domain *rd)
{
    struct mc_arena *ar = rep->arena;
    rd->mx = mc_arena_alloc(ar, (d->ntargets + 1) * sizeof *rd->mx);
    /* Only the first MC_DOMAIN_MAX_MX targets are asked (mx_cb()); the
     * rest are listed without addresses and judged by nobody.  OPEN: a
     * target whose lookup failed may have addresses. */
    size_t resolvable = 0, unresolvable = 0;
    bool open = false;
    for (size_t i = 0; i < d->ntargets; i++) {
        const struct target *t = &d->targets[i];
        struct mc_report_mx *m = &rd->mx[rd->nmx++];
        m->preference = t->mx->preference;
        m->exchange = mc_arena_strdup(ar, t->mx->name);
        if (is_root(t->mx->name))
            continue;
        if (!t->asked) {
            m->not_asked = true;
            open = true; /* it may have addresses */
            continue;
        }
        add_addresses(rep, m, t->addr[0], t->addr[1]);
        if (looks_like_address(t->mx->name))
            mc_report_add_finding(
                rep, "mx-target-address", MC_SEV_WARNING, d->domain,
                mc_arena_printf(ar,
                                "the MX %s of %s is an address written as a name; an MX "
                                "names a host (RFC 5321 section 5.1)",
                                t->mx->name, d->domain),
                mc_arena_printf(ar, "point the MX of %s at a host name with A/AAAA records",
                                d->domain));
        for (int f = 0; f < 2; f++) {
            if (failed(t->addr[f]))
                mc_report_lookup_failed(rep, t->addr[f],
                                        mc_arena_printf(ar, "an MX target of %s", d->domain));
        }
        const struct mc_dns_result *cname = t->addr[0] && t->addr[0]->ncnames   ? t->addr[0]
                                            : t->addr[1] && t->addr[1]->ncnames ? t->addr[1]
                                                                                : NULL;
        if (cname)
            mc_report_add_finding(
                rep, "mx-target-cname", MC_SEV_WARNING, d->domain,
                mc_arena_printf(ar,
                                "the MX %s of %s is an alias (CNAME) for %s; an MX target "
                                "must not be a CNAME (RFC 2181 section 10.3)",
                                t->mx->name, d->domain, cname->canonical),
                m->naddresses > 0
                    ? mc_arena_printf(ar, "point the MX of %s at %s, the canonical name", d->domain,
                                      cname->canonical)
                    : mc_arena_printf(ar,
                                      "point the MX of %s at a host name with A/AAAA records (%s, "
                                      "where the alias leads, has none)",
                                      d->domain, cname->canonical));
        if (m->naddresses > 0)
            resolvable++;
        else if (answered(t->addr[0]) && answered(t->addr[1]))
            unresolvable++;
        else
            open = true;
    }
    for (size_t i = 0; i < rd->nmx && unresolvable > 0; i++) {
        const struct mc_report_mx *m = &rd->mx[i];
        const struct target *t = &d->targets[i];
        if (!t->asked || m->naddresses > 0 || !answered(t->addr[0]) || !answered(t->addr[1]))
            continue;
        /* Every target unreachable: replies and bounces cannot be
         * delivered at all.  Known only when no other target's lookup
         * failed. */
        bool none = !resolvable && !open;
        /* A CNAME chain that dangles: the records are missing at its last
         * target (mailcheck(1), evidence). */
        const char *last = t->addr[0]->ncnames ? t->addr[0]->canonical : m->exchange;
        mc_report_add_finding(
            rep, "mx-target-unresolvable", none ? MC_SEV_CRITICAL : MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar, "the MX %s of %s has no A or AAAA record%s%s%s%s", m->exchange,
                            d->domain, last != m->exchange ? " (its alias leads to " : "",
                            last != m->exchange ? last : "", last != m->exchange ? ")" : "",
                            none ? ", and no other MX target has one either" : ""),
            mc_arena_printf(ar, "add A/AAAA records for %s, or remove that MX record", last));
    }
}

/* No MX: the domain's own addresses are its implicit MX (RFC 5321 §5.1);
 * without them nothing can reach it (GMX/WEB.DE and Orange reject such
 * senders). */
static void implicit_findings(const struct mc_domain *d, struct mc_report *rep,
                              struct mc_report_domain *rd)
{
    struct mc_arena *ar = rep->arena;
    bool nx = d->mx->outcome == MC_DNS_NXDOMAIN;
    bool has_address = false;
    for (int f = 0; f < 2; f++) {
        if (failed(d->own[f]))
            mc_report_lookup_failed(rep, d->own[f],
                                    mc_arena_printf(ar, "the implicit MX of %s", d->domain));
        has_address = has_address || (d->own[f] && d->own[f]->outcome == MC_DNS_ANSWER);
    }
    if (has_address) {
        rd->implicit = true;
        return;
    }
    if (!nx && !(answered(d->own[0]) && answered(d->own[1])))
        return; /* a failed lookup leaves it open */
    /* A CNAME chain that dangles: the finding names its last target,
     * where the records are missing (mailcheck(1), evidence). */
    const char *alias = d->mx->ncnames ? d->mx->canonical : NULL;
    const char *msg;
    if (nx && alias)
        msg = mc_arena_printf(ar,
                              "%s is an alias (CNAME) for %s, which does not exist (NXDOMAIN), "
                              "so it has no MX and no address",
                              d->domain, alias);
    else if (nx)
        msg = mc_arena_printf(ar, "%s does not exist (NXDOMAIN), so it has no MX and no address",
                              d->domain);
    else
        msg = mc_arena_printf(ar,
                              "%s%s%s%s has no MX and no A or AAAA record: replies and bounces "
                              "cannot be delivered, and GMX/WEB.DE and Orange reject its mail",
                              d->domain, alias ? ", an alias (CNAME) for " : "", alias ? alias : "",
                              alias ? "," : "");
    mc_report_add_finding(
        rep, "mx-none", MC_SEV_CRITICAL, d->domain, msg,
        alias
            ? mc_arena_printf(ar,
                              "publish an MX record at %s, the alias's target, or point the "
                              "CNAME of %s at a name that receives mail",
                              alias, d->domain)
            : mc_arena_printf(ar, "publish an MX record for %s that receives its mail", d->domain));
}

struct mc_report_domain *mc_domain_report(const struct mc_domain *d, struct mc_report *rep)
{
    struct mc_arena *ar = rep->arena;
    struct mc_report_domain *rd = mc_arena_alloc(ar, sizeof *rd);
    rd->domain = mc_arena_strdup(ar, d->domain);
    rd->roles = d->roles;
    evidence(rep, rd, d->mx);
    for (size_t i = 0; i < d->ntargets; i++)
        for (int f = 0; f < 2; f++)
            evidence(rep, rd, d->targets[i].addr[f]);
    for (int f = 0; f < 2; f++)
        evidence(rep, rd, d->own[f]);
    if (!d->mx) {
        /* cut by the check's deadline before the MX answer */
    } else if (failed(d->mx)) {
        mc_report_lookup_failed(rep, d->mx,
                                mc_arena_printf(ar, "the mail exchangers of %s", d->domain));
    } else if (d->mx->outcome == MC_DNS_ANSWER) {
        null_mx_findings(d, rep, rd);
        target_findings(d, rep, rd);
    } else {
        implicit_findings(d, rep, rd);
    }
    mc_domain_dmarc_report(d, rep, rd);
    rd->dkim_usable = mc_domain_dkim_report(d, rep, rd);
    mc_domain_dmarc_idents_report(d, rep, rd);
    MC_ARENA_ARRAY_RESERVE(rep->arena, rep->domains, rep->domains_cap, rep->ndomains + 1);
    rep->domains[rep->ndomains++] = rd;
    return rd;
}

void mc_domain_report_all(struct mc_domain *const *ops, size_t n, const struct mc_domain_spf *spf,
                          size_t nspf, struct mc_report *rep)
{
    struct mc_report_domain **blocks = mc_xcalloc(n + 1, sizeof *blocks);
    for (size_t i = 0; i < n; i++)
        blocks[i] = mc_domain_report(ops[i], rep);
    /* Alignment once every block is known: DKIM keys of one domain can
     * align another (a parent's d=). */
    for (size_t i = 0; i < n; i++)
        mc_domain_dmarc_align(ops, blocks, n, spf, nspf, rep, i);
    free(blocks);
}
