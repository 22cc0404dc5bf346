/* SPDX-License-Identifier: MIT */
/*
 * domain_dmarc.c - the DMARC part of the sender-domain report: drives the
 * DNS Tree Walk of RFC 9989 §4.10 (mc_dmarc.h decides every step; this
 * file only asks the names it gives), the RFC 7489 reading after it (the
 * record at the domain, else at its Public Suffix List Organizational
 * Domain: from the walk's answers, which hold those names unless the walk
 * stopped short), and the authorization of external report destinations
 * (RFC 9990 §3); then turns what they found into the report's DMARC block
 * and findings.  Alignment needs the check's SPF results: see
 * mc_domain_report_all() in domain.c.
 *
 * The walk is sequential by definition: each name is asked once the
 * previous one answered.  A lookup that fails stops it (the policy is
 * then open: lookup-failed); a name outside every --zone under --offline
 * counts as having no record (dmarc-walk-offline).
 *
 * Ownership: parsed records live in the operation's arena; results are
 * borrowed from the resolver.
 */
#include <stdlib.h>
#include <string.h>

#include "mc_array.h"
#include "mc_domain_private.h"
#include "mc_util.h"

/* "_dmarc." NAME, in D's arena. */
static const char *dmarc_name(struct mc_domain *d, const char *name)
{
    return mc_arena_concat(d->arena, "_dmarc.", name);
}

/* The TXT records of R as mc_dmarc.h reads them, from ARENA; *N of them
 * (0 unless R answered with data). */
static struct mc_dmarc_txt *txts_of(struct mc_arena *arena, const struct mc_dns_result *r,
                                    size_t *n)
{
    *n = r && r->outcome == MC_DNS_ANSWER ? r->count : 0;
    struct mc_dmarc_txt *txts = mc_arena_alloc(arena, (*n + 1) * sizeof *txts);
    for (size_t i = 0; i < *n; i++)
        txts[i] = (struct mc_dmarc_txt){.text = r->records[i].text, .len = r->records[i].text_len};
    return txts;
}

/* The one DMARC record among the TXT records of R (RFC 9989 §4.10 step 2),
 * parsed into D's arena; NULL when there is none, or several (*SELECT
 * says which), or it does not parse. */
static struct mc_dmarc_record *pick(struct mc_domain *d, const struct mc_dns_result *r,
                                    enum mc_dmarc_select *select)
{
    *select = MC_DMARC_SELECT_NONE;
    size_t n;
    struct mc_dmarc_txt *txts = txts_of(d->arena, r, &n);
    if (n == 0)
        return NULL;
    size_t index = 0;
    *select = mc_dmarc_select(&index, txts, n);
    if (*select != MC_DMARC_SELECT_ONE)
        return NULL;
    struct mc_dmarc_record *rec = mc_arena_alloc(d->arena, sizeof *rec);
    if (!mc_dmarc_parse(rec, d->arena, txts[index].text, txts[index].len))
        return NULL;
    return rec;
}

/* As pick(), but the walk's record when the walk had the same answer (the
 * two readings share their names: the domain's, mostly the
 * Organizational Domain's), instead of parsing it again. */
static struct mc_dmarc_record *pick_again(struct mc_domain *d, const struct mc_dns_result *r,
                                          enum mc_dmarc_select *select)
{
    const struct mc_domain_dmarc *m = &d->dmarc;
    for (size_t i = 0; i < m->step; i++) {
        if (m->txt[i] == r) {
            *select = m->select[i];
            return m->record[i];
        }
    }
    return pick(d, r, select);
}

static void walk_next(struct mc_domain *d);
static void rua_start(struct mc_domain *d);
static void r7489_next(struct mc_domain *d);

static void walk_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    struct mc_domain *d = l->d;
    struct mc_domain_dmarc *m = &d->dmarc;
    m->txt[l->index] = result;
    if (result->outcome == MC_DNS_OFFLINE) {
        m->offline = true; /* a zone-file gate cannot see above its zones */
        mc_dmarc_walk_answer(&m->walk, NULL);
    } else if (!mc_dns_outcome_answered(result->outcome)) {
        m->failed = result;
        m->over = true;
    } else {
        m->record[l->index] = pick(d, result, &m->select[l->index]);
        mc_dmarc_walk_answer(&m->walk, m->record[l->index]);
    }
    if (!m->over)
        walk_next(d);
    mc_domain_lookup_end(d);
}

static void walk_next(struct mc_domain *d)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    const char *name = mc_dmarc_walk_next(&m->walk);
    if (!name || m->step >= MC_DMARC_WALK_MAX) {
        m->over = true;
        rua_start(d);
        r7489_next(d);
        return;
    }
    struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
    *l = (struct mc_domain_lookup){.d = d, .index = m->step++};
    d->pending++;
    mc_resolver_lookup_for(d->res, d->scope, dmarc_name(d, name), MC_DNS_T_TXT, walk_cb, l);
}

/* The walk's answer for NAME, when the walk asked it. */
static const struct mc_dns_result *walk_answer(const struct mc_domain_dmarc *m, const char *name)
{
    for (size_t i = 0; i < m->step; i++)
        if (m->txt[i] && mc_name_equal(m->txt[i]->qname, name))
            return m->txt[i];
    return NULL;
}

/* Gives the RFC 7489 reading its answer INDEX; false when the lookup
 * failed, which ends the reading. */
static bool r7489_take(struct mc_domain *d, size_t index, const struct mc_dns_result *result)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    m->txt_7489[index] = result;
    if (!mc_dns_outcome_answered(result->outcome) && result->outcome != MC_DNS_OFFLINE) {
        m->have_7489 = false; /* no second reading to compare */
        return false;
    }
    enum mc_dmarc_select select = MC_DMARC_SELECT_NONE;
    m->record_7489[index] = pick_again(d, result, &select);
    mc_dmarc_rfc7489_answer(&m->r7489, select, m->record_7489[index]);
    return true;
}

static void r7489_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    if (r7489_take(l->d, l->index, result))
        r7489_next(l->d);
    mc_domain_lookup_end(l->d);
}

/*
 * The RFC 7489 reading, once the walk is over: its two names (the
 * domain's, then its PSL Organizational Domain's) are names the walk asks
 * too, unless the walk stopped short of the second, so it reads the
 * walk's answers where there are some and asks the rest (in a batch, a
 * line's lookups and callbacks fewer by one or two).
 */
static void r7489_next(struct mc_domain *d)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    const char *next;
    while (m->have_7489 && m->n7489 < 2 && (next = mc_dmarc_rfc7489_next(&m->r7489))) {
        size_t index = m->n7489++;
        const char *name = dmarc_name(d, next);
        const struct mc_dns_result *r = walk_answer(m, name);
        if (!r) {
            struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
            *l = (struct mc_domain_lookup){.d = d, .index = index};
            d->pending++;
            mc_resolver_lookup_for(d->res, d->scope, name, MC_DNS_T_TXT, r7489_cb, l);
            return;
        }
        if (!r7489_take(d, index, r))
            return;
    }
}

void mc_domain_dmarc_start(struct mc_domain *d)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    if (!mc_dmarc_walk_start(&m->walk, d->domain)) {
        m->over = true;
        return;
    }
    if (d->psl) {
        m->psl_org = mc_dmarc_psl_org(d->arena, d->psl, d->domain);
        m->have_7489 = m->psl_org && mc_dmarc_rfc7489_start(&m->r7489, d->domain, m->psl_org);
    }
    walk_next(d); /* the RFC 7489 reading follows it (r7489_next()) */
}

/* ---- the Organizational Domains of the DKIM keys' d= (§4.10.2) ---- */

static void ident_next(struct mc_domain *d, size_t index);

static void ident_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    struct mc_domain *d = l->d;
    struct mc_domain_ident_walk *iw = &d->dmarc.idents[l->index];
    iw->txt[iw->step - 1] = result;
    if (result->outcome == MC_DNS_OFFLINE) {
        mc_dmarc_walk_answer(&iw->walk, NULL); /* as the domain's own walk counts it */
    } else if (!mc_dns_outcome_answered(result->outcome)) {
        iw->failed = result;
        iw->over = true;
    } else {
        enum mc_dmarc_select select;
        mc_dmarc_walk_answer(&iw->walk, pick(d, result, &select));
    }
    if (!iw->over)
        ident_next(d, l->index);
    mc_domain_lookup_end(d);
}

static void ident_next(struct mc_domain *d, size_t index)
{
    struct mc_domain_ident_walk *iw = &d->dmarc.idents[index];
    const char *name = mc_dmarc_walk_next(&iw->walk);
    if (!name || iw->step >= MC_DMARC_WALK_MAX) {
        iw->over = true;
        return;
    }
    iw->step++;
    struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
    *l = (struct mc_domain_lookup){.d = d, .index = index};
    d->pending++;
    mc_resolver_lookup_for(d->res, d->scope, dmarc_name(d, name), MC_DNS_T_TXT, ident_cb, l);
}

void mc_domain_dmarc_idents_start(struct mc_domain *d)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    for (size_t i = 0; i < d->nkeys; i++) {
        const char *ident = d->keys[i].want.domain;
        bool seen = mc_name_equal(ident, d->domain);
        for (size_t j = 0; j < m->nidents && !seen; j++)
            seen = mc_name_equal(ident, m->idents[j].domain);
        if (seen)
            continue;
        if (!m->idents) /* most keys are the domain's own: no walk, no room */
            m->idents = mc_arena_alloc(d->arena, d->nkeys * sizeof *m->idents);
        struct mc_domain_ident_walk *iw = &m->idents[m->nidents];
        *iw = (struct mc_domain_ident_walk){.domain = ident};
        if (!mc_dmarc_walk_start(&iw->walk, ident))
            continue; /* no domain name: no Organizational Domain, no alignment */
        ident_next(d, m->nidents++);
    }
}

/* Whether R is one of the first N of TXT. */
static bool among(const struct mc_dns_result *const *txt, size_t n, const struct mc_dns_result *r)
{
    for (size_t i = 0; i < n; i++)
        if (txt[i] == r)
            return true;
    return false;
}

void mc_domain_dmarc_idents_report(const struct mc_domain *d, struct mc_report *rep,
                                   struct mc_report_domain *rd)
{
    const struct mc_domain_dmarc *m = &d->dmarc;
    for (size_t j = 0; j < m->nidents; j++) {
        const struct mc_domain_ident_walk *iw = &m->idents[j];
        /* the evidence once: the names these walks share with the domain's
         * own walk (a parent's d=) were shown with it */
        for (size_t i = 0; i < iw->step; i++) {
            const struct mc_dns_result *r = iw->txt[i];
            bool shown = !r || among(m->txt, m->step, r);
            for (size_t k = 0; k < j && !shown; k++)
                shown = among(m->idents[k].txt, m->idents[k].step, r);
            if (shown)
                continue;
            MC_ARENA_ARRAY_RESERVE(rep->arena, rd->lookups, rd->lookups_cap, rd->nlookups + 1);
            rd->lookups[rd->nlookups++] = *mc_report_lookup_copy(rep, r);
        }
        if (iw->failed)
            mc_report_lookup_failed(
                rep, iw->failed,
                mc_arena_printf(rep->arena, "the Organizational Domain of the DKIM domain %s",
                                iw->domain));
    }
}

/* ---- RFC 9990 §3: external report destinations ---- */

static void rua_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    l->d->dmarc.rua_txt[l->index] = result;
    mc_domain_lookup_end(l->d);
}

/* Once the walk is over: ask the authorization of every mailto: host of
 * the record that applies outside its Organizational Domain. */
static void rua_start(struct mc_domain *d)
{
    struct mc_domain_dmarc *m = &d->dmarc;
    struct mc_dmarc_found found;
    if (!(d->roles & MC_DOMAIN_ROLE_HEADER_FROM) || m->failed ||
        !mc_dmarc_walk_result(&m->walk, &found) || !found.record)
        return;
    const struct mc_dmarc_record *rec = found.record;
    for (size_t i = 0; i < rec->nrua && m->nrua < MC_DOMAIN_MAX_RUA; i++) {
        const struct mc_dmarc_uri *u = &rec->rua[i];
        if (u->kind != MC_DMARC_URI_MAILTO || !u->host ||
            !mc_dmarc_report_needs_auth(found.org_domain, u->host, NULL))
            continue;
        bool seen = false; /* one authorization a host, however many addresses */
        for (size_t k = 0; k < m->nrua && !seen; k++)
            seen = mc_name_equal(m->rua_host[k], u->host);
        char *name =
            seen ? NULL : mc_dmarc_report_auth_name(d->arena, found.policy_domain, u->host);
        if (!name)
            continue;
        size_t k = m->nrua++;
        m->rua_host[k] = u->host;
        m->rua_name[k] = name;
        struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
        *l = (struct mc_domain_lookup){.d = d, .index = k};
        d->pending++;
        mc_resolver_lookup_for(d->res, d->scope, name, MC_DNS_T_TXT, rua_cb, l);
    }
}

/* ---- the report ---- */

static void record_findings(const struct mc_domain *d, struct mc_report *rep,
                            const struct mc_dmarc_found *found)
{
    struct mc_arena *ar = rep->arena;
    const struct mc_dmarc_record *rec = found->record;
    const char *at = mc_arena_concat(ar, "_dmarc.", found->policy_domain);
    for (size_t i = 0; i < rec->nerrors; i++)
        mc_report_add_finding(
            rep, "dmarc-invalid", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar, "the DMARC record at %s: %s", at, rec->errors[i].why),
            mc_arena_printf(ar, "correct the record at %s (RFC 9989 section 4.7)", at));
    if (!rec->has_p) {
        /* §4.10.1: without a valid p, a valid rua URI makes it p=none;
         * without one, DMARC does not apply. */
        bool bad_value = false;
        for (size_t i = 0; i < rec->nerrors; i++)
            bad_value = bad_value ||
                        (rec->errors[i].tag && mc_ascii_strcasecmp(rec->errors[i].tag, "p") == 0 &&
                         rec->errors[i].kind != MC_DMARC_ERR_DUPLICATE);
        mc_report_add_finding(
            rep, "dmarc-no-policy", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar,
                            "the DMARC record at %s has %s: %s (RFC 9989 section 4.10.1), and "
                            "Gmail rejects \"a record that doesn't specify a DMARC policy\" "
                            "(4.7.31)",
                            at, bad_value ? "no valid p= value" : "no p= tag",
                            rec->rua_valid ? "with its valid rua= it reads as p=none"
                                           : "without a valid rua= either, receivers apply no "
                                             "DMARC processing to its mail"),
            mc_arena_printf(ar, "add p=none (or quarantine, reject) to the record at %s", at));
    }
    for (size_t i = 0; i < rec->nhistoric; i++)
        mc_report_add_finding(
            rep, "dmarc-historic-tag", MC_SEV_INFO, d->domain,
            mc_arena_printf(ar,
                            "the DMARC record at %s has %s=%s, a tag RFC 9989 retired "
                            "(receivers following it ignore it)",
                            at, rec->historic[i].name, rec->historic[i].value),
            NULL);
    for (size_t i = 0; i < rec->nrua; i++) {
        const struct mc_dmarc_uri *u = &rec->rua[i];
        if (u->kind == MC_DMARC_URI_MAILTO)
            continue;
        mc_report_add_finding(
            rep, "dmarc-rua-invalid", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar, "the rua URI %s at %s is not a mailto: address%s%s", u->text, at,
                            u->why ? ": " : "", u->why ? u->why : ""),
            mc_arena_printf(ar, "write rua=mailto:ADDRESS in the record at %s", at));
    }
}

static void rua_findings(const struct mc_domain *d, struct mc_report *rep,
                         const struct mc_dmarc_found *found)
{
    struct mc_arena *ar = rep->arena;
    const struct mc_domain_dmarc *m = &d->dmarc;
    for (size_t k = 0; k < m->nrua; k++) {
        const struct mc_dns_result *r = m->rua_txt[k];
        if (!r)
            continue; /* cut by the deadline */
        /* Under --offline only the tree walk counts a name outside every
         * zone as having no record (mailcheck(1)): this one fails. */
        if (!mc_dns_outcome_answered(r->outcome)) {
            mc_report_lookup_failed(rep, r, "the authorization of a DMARC report destination");
            continue;
        }
        size_t n;
        struct mc_dmarc_txt *txts = txts_of(ar, r, &n);
        enum mc_dmarc_report_auth auth =
            mc_dmarc_report_auth_check(rep->arena, txts, n, m->rua_host[k], NULL);
        if (auth == MC_DMARC_REPORT_AUTHORIZED)
            continue;
        mc_report_add_finding(
            rep, "dmarc-rua-unauthorized", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar,
                            "DMARC reports of %s go to %s, outside its Organizational Domain %s, "
                            "which %s: reporters send none (RFC 9990 section 3)",
                            d->domain, m->rua_host[k], found->org_domain,
                            auth == MC_DMARC_REPORT_FOREIGN
                                ? "names yet another destination in its authorization"
                                : "does not authorize them"),
            mc_arena_printf(ar, "publish %s TXT \"v=DMARC1\" in the zone of %s", m->rua_name[k],
                            m->rua_host[k]));
    }
}

/* The fix of dmarc-missing: the record at _dmarc.DOMAIN, or, when that
 * name is an alias whose chain dangles, at its last target (a TXT cannot
 * stand beside the CNAME; mailcheck(1), evidence). */
static const char *publish_at(struct mc_arena *ar, const struct mc_domain_dmarc *m,
                              const char *domain)
{
    const char *name = mc_arena_concat(ar, "_dmarc.", domain);
    for (size_t i = 0; i < m->step; i++) {
        const struct mc_dns_result *r = m->txt[i];
        if (r && r->ncnames && mc_name_equal(r->qname, name))
            name = r->canonical;
    }
    return mc_arena_printf(ar, "publish %s TXT \"v=DMARC1; p=none; rua=mailto:...\"", name);
}

/* The block of a reading: where the record is, the policies. */
static void fill_policy(struct mc_report *rep, const struct mc_dmarc_found *found,
                        bool author_exists, const char **found_at, const char **applied,
                        bool *enforcing)
{
    struct mc_dmarc_applied ap;
    *found_at = found->record && found->policy_domain
                    ? mc_arena_concat(rep->arena, "_dmarc.", found->policy_domain)
                    : NULL;
    *applied = NULL;
    *enforcing = false;
    if (mc_dmarc_apply(&ap, found, author_exists)) {
        *applied = mc_dmarc_policy_str(ap.policy);
        *enforcing = ap.policy != MC_DMARC_POLICY_NONE;
    }
}

void mc_domain_dmarc_report(const struct mc_domain *d, struct mc_report *rep,
                            struct mc_report_domain *rd)
{
    struct mc_arena *ar = rep->arena;
    const struct mc_domain_dmarc *m = &d->dmarc;
    struct mc_report_dmarc *o = &rd->dmarc;
    o->spf_aligned = o->dkim_aligned = o->psl_spf_aligned = o->psl_dkim_aligned = -1;
    if (!(d->roles & MC_DOMAIN_ROLE_HEADER_FROM))
        return;
    o->checked = true;
    for (size_t i = 0; i < m->step; i++)
        if (m->txt[i]) {
            MC_ARENA_ARRAY_RESERVE(rep->arena, rd->lookups, rd->lookups_cap, rd->nlookups + 1);
            rd->lookups[rd->nlookups++] = *mc_report_lookup_copy(rep, m->txt[i]);
        }
    for (size_t i = 0; i < m->nrua; i++) /* the evidence of dmarc-rua-unauthorized */
        if (m->rua_txt[i]) {
            MC_ARENA_ARRAY_RESERVE(rep->arena, rd->lookups, rd->lookups_cap, rd->nlookups + 1);
            rd->lookups[rd->nlookups++] = *mc_report_lookup_copy(rep, m->rua_txt[i]);
        }
    if (m->failed) {
        mc_report_lookup_failed(rep, m->failed,
                                mc_arena_printf(ar, "the DMARC policy of %s", d->domain));
        return;
    }
    struct mc_dmarc_found found;
    if (!m->over || !mc_dmarc_walk_result(&m->walk, &found))
        return; /* cut by the deadline */
    for (size_t i = 0; i < m->step; i++)
        if (m->select[i] == MC_DMARC_SELECT_SEVERAL)
            mc_report_add_finding(
                rep, "dmarc-multiple", MC_SEV_WARNING, d->domain,
                mc_arena_printf(ar,
                                "%s has several DMARC records: receivers use none of them "
                                "(RFC 9989 section 4.10)",
                                m->txt[i]->qname),
                mc_arena_printf(ar, "keep one DMARC record at %s", m->txt[i]->qname));
    if (m->offline)
        mc_report_add_finding(rep, "dmarc-walk-offline", MC_SEV_INFO, d->domain,
                              mc_arena_printf(ar,
                                              "the DMARC tree walk of %s reached names outside "
                                              "every --zone (--offline): counted as having no "
                                              "record; a record above the zones is not seen",
                                              d->domain),
                              NULL);
    bool exists = !(d->mx && d->mx->outcome == MC_DNS_NXDOMAIN);
    o->org_domain = mc_arena_strdup(ar, found.org_domain);
    o->org_domain_psl = mc_arena_strdup(ar, m->psl_org);
    if (!found.record) {
        o->result = "none";
        mc_report_add_finding(
            rep, "dmarc-missing", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar,
                            "%s has no DMARC record (nor does its Organizational Domain): "
                            "Gmail, Yahoo and Outlook.com require one of bulk senders",
                            d->domain),
            publish_at(ar, m, found.org_domain ? found.org_domain : d->domain));
    } else {
        o->record = mc_dmarc_printable(ar, found.record->text, found.record->len);
        o->policy = mc_dmarc_policy_str(found.record->p);
        fill_policy(rep, &found, exists, &o->found_at, &o->applied_policy, &o->enforcing);
        record_findings(d, rep, &found);
        rua_findings(d, rep, &found);
        if (o->applied_policy && strcmp(o->applied_policy, "none") == 0)
            mc_report_add_finding(
                rep, "dmarc-policy-none", MC_SEV_INFO, d->domain,
                mc_arena_printf(ar,
                                "the DMARC policy of %s is none: receivers report, but "
                                "take no action on mail that fails",
                                d->domain),
                NULL);
        if (found.record->testing)
            mc_report_add_finding(rep, "dmarc-testing", MC_SEV_INFO, d->domain,
                                  mc_arena_printf(ar,
                                                  "the DMARC record at %s has t=y (testing): "
                                                  "receivers apply one step less",
                                                  o->found_at),
                                  NULL);
    }
    struct mc_dmarc_found psl;
    if (m->have_7489 && mc_dmarc_rfc7489_result(&m->r7489, &psl)) {
        bool enforcing;
        fill_policy(rep, &psl, exists, &o->psl_found_at, &o->psl_applied_policy, &enforcing);
    }
}

/* ---- alignment (RFC 9989 §3.2.10, §4.4) ---- */

/* The Organizational Domain of IDENT by the walk, where an operation of
 * the report walked from it (as its domain, or as a key's d=); NULL when
 * none did, or its walk failed. */
static const char *walk_org(struct mc_domain *const *ops, size_t n, const char *ident)
{
    struct mc_dmarc_found f;
    for (size_t i = 0; i < n; i++) {
        if (mc_name_equal(ops[i]->domain, ident) && ops[i]->dmarc.over && !ops[i]->dmarc.failed &&
            mc_dmarc_walk_result(&ops[i]->dmarc.walk, &f))
            return f.org_domain;
    }
    /* a key's d= that no operation is for: the walk of its own */
    for (size_t i = 0; i < n; i++) {
        const struct mc_domain_dmarc *m = &ops[i]->dmarc;
        for (size_t j = 0; j < m->nidents; j++) {
            const struct mc_domain_ident_walk *iw = &m->idents[j];
            if (mc_name_equal(iw->domain, ident) && iw->over && !iw->failed &&
                mc_dmarc_walk_result(&iw->walk, &f))
                return f.org_domain;
        }
    }
    return NULL;
}

static bool aligned(enum mc_dmarc_align mode, const char *author, const char *author_org,
                    const char *ident, const char *ident_org)
{
    switch (mc_dmarc_align_early(mode, author, author_org, ident)) {
    case MC_DMARC_ALIGN_YES: return true;
    case MC_DMARC_ALIGN_NO: return false;
    case MC_DMARC_ALIGN_WALK: break;
    }
    return mc_dmarc_aligned(mode, author, author_org, ident, ident_org);
}

/* Whether the walk of IDENT (an operation's own, or a key's d=) ended
 * without an Organizational Domain: cut by the check's deadline, or a
 * lookup failed (lookup-failed says so).  Alignment that needs it is then
 * not known, rather than false. */
static bool walk_open(struct mc_domain *const *ops, size_t n, const char *ident)
{
    for (size_t i = 0; i < n; i++)
        if (mc_name_equal(ops[i]->domain, ident))
            return !ops[i]->dmarc.over || ops[i]->dmarc.failed;
    for (size_t i = 0; i < n; i++) {
        const struct mc_domain_dmarc *m = &ops[i]->dmarc;
        for (size_t j = 0; j < m->nidents; j++)
            if (mc_name_equal(m->idents[j].domain, ident))
                return !m->idents[j].over || m->idents[j].failed;
    }
    return false;
}

/* SPF aligns when an aligned MAIL FROM domain passes SPF for every server
 * address: 1, 0, or -1 when no address was evaluated. */
static int spf_alignment(struct mc_domain *const *ops, size_t n, const struct mc_domain *a,
                         const char *author_org, enum mc_dmarc_align mode,
                         const struct mc_domain_spf *spf, size_t nspf, bool psl)
{
    /* No MAIL FROM domain's SPF known (no server address: `mailcheck
     * domain`; or every evaluation open): not known, whatever aligns. */
    bool known = false;
    for (size_t i = 0; i < nspf; i++)
        known = known || spf[i].passes >= 0;
    if (!known)
        return -1;
    bool open = false;
    for (size_t i = 0; i < nspf; i++) {
        if (spf[i].passes == 0)
            continue; /* only a passing MAIL FROM domain can align */
        enum mc_dmarc_align_early early =
            mc_dmarc_align_early(mode, a->domain, author_org, spf[i].domain);
        if (early == MC_DMARC_ALIGN_WALK && !psl && walk_open(ops, n, spf[i].domain)) {
            open = true;
            continue;
        }
        if (early == MC_DMARC_ALIGN_WALK) {
            const char *ident_org = psl ? mc_dmarc_psl_org(a->arena, a->psl, spf[i].domain)
                                        : walk_org(ops, n, spf[i].domain);
            early = mc_dmarc_aligned(mode, a->domain, author_org, spf[i].domain, ident_org)
                        ? MC_DMARC_ALIGN_YES
                        : MC_DMARC_ALIGN_NO;
        }
        if (early != MC_DMARC_ALIGN_YES)
            continue;
        if (spf[i].passes == 1)
            return 1;
        open = true; /* an aligned domain whose SPF is not known (-1) */
    }
    return open ? -1 : 0;
}

/* DKIM aligns when a usable key of an aligned d= domain can sign: 1, 0,
 * or -1 when no key was checked at all, or none aligns and one could: an
 * aligned key whose record is not known (its lookup failed or was cut by
 * the deadline: status unknown), or a d= whose walk is open
 * (walk_open()). */
static int dkim_alignment(struct mc_domain *const *ops, struct mc_report_domain *const *blocks,
                          size_t n, const struct mc_domain *a, const char *author_org,
                          enum mc_dmarc_align mode, bool psl)
{
    int result = -1;
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < blocks[i]->ndkim; j++) {
            const struct mc_report_dkim *k = &blocks[i]->dkim[j];
            if (result < 0)
                result = 0;
            bool unknown = strcmp(k->status, "unknown") == 0;
            if ((!k->usable && !unknown) || result == 1)
                continue;
            if (!psl &&
                mc_dmarc_align_early(mode, a->domain, author_org, k->domain) ==
                    MC_DMARC_ALIGN_WALK &&
                walk_open(ops, n, k->domain)) {
                open = true;
                continue;
            }
            const char *org =
                psl ? mc_dmarc_psl_org(a->arena, a->psl, k->domain) : walk_org(ops, n, k->domain);
            if (!aligned(mode, a->domain, author_org, k->domain, org))
                continue;
            if (k->usable)
                result = 1;
            else
                open = true;
        }
    }
    return result == 0 && open ? -1 : result;
}

/* The DMARC result the alignments predict (RFC 9989: pass when SPF or
 * DKIM aligns).  An unknown side (-1) cannot make it pass, so the
 * result rests on the known one: with no selector known it rests on SPF;
 * without server addresses (`mailcheck domain`) on DKIM; with neither
 * known it is NULL, not predicted.  DKIM_OPEN: keys were checked but
 * whether one aligns is not known (a lookup failed or was cut): it may
 * yet pass, so no "fail" is predicted either. */
static const char *dmarc_result(int spf_aligned, int dkim_aligned, bool dkim_open)
{
    if (spf_aligned == 1 || dkim_aligned == 1)
        return "pass";
    if (dkim_open)
        return NULL;
    if (spf_aligned == 0 || dkim_aligned == 0)
        return "fail";
    return NULL;
}

void mc_domain_dmarc_align(struct mc_domain *const *ops, struct mc_report_domain *const *blocks,
                           size_t n, const struct mc_domain_spf *spf, size_t nspf,
                           struct mc_report *rep, size_t index)
{
    struct mc_arena *ar = rep->arena;
    const struct mc_domain *a = ops[index];
    struct mc_report_dmarc *o = &blocks[index]->dmarc;
    const struct mc_domain_dmarc *m = &a->dmarc;
    struct mc_dmarc_found found, psl;
    if (!o->checked)
        return;
    bool any_key = false;
    for (size_t i = 0; i < n; i++)
        any_key = any_key || blocks[i]->ndkim > 0;
    bool spf_known = false;
    for (size_t i = 0; i < nspf; i++)
        spf_known = spf_known || spf[i].passes >= 0;
    /* on every line of a batch without selectors: joined, not formatted */
    if (!any_key)
        mc_report_add_finding(
            rep, "dkim-not-checked", MC_SEV_INFO, a->domain,
            mc_arena_concat(ar, mc_arena_concat(ar, "no DKIM selector of ", a->domain),
                            spf_known ? " is known, so DKIM alignment is not predicted and the "
                                        "DMARC result rests on SPF"
                                      : " is known, so DKIM alignment is not predicted and the "
                                        "DMARC result is not predicted either"),
            "name the selector with --dkim SELECTOR, or the signer's "
            "configuration with --dkim-config");
    if (!o->record || !mc_dmarc_walk_result(&m->walk, &found))
        return;
    o->spf_aligned =
        spf_alignment(ops, n, a, found.org_domain, found.record->aspf, spf, nspf, false);
    o->dkim_aligned =
        dkim_alignment(ops, blocks, n, a, found.org_domain, found.record->adkim, false);
    /* §4.10.1: a record without a valid policy and without a valid rua
     * URI (applied_policy NULL) makes no DMARC processing: no result to
     * pass or fail, nothing for alignment to break. */
    bool applies = o->applied_policy != NULL;
    bool dkim_open = any_key && o->dkim_aligned < 0;
    o->result = applies ? dmarc_result(o->spf_aligned, o->dkim_aligned, dkim_open) : "none";
    if (m->have_7489 && mc_dmarc_rfc7489_result(&m->r7489, &psl)) {
        o->psl_spf_aligned =
            psl.record ? spf_alignment(ops, n, a, psl.org_domain, psl.record->aspf, spf, nspf, true)
                       : -1;
        o->psl_dkim_aligned =
            psl.record ? dkim_alignment(ops, blocks, n, a, psl.org_domain, psl.record->adkim, true)
                       : -1;
        o->psl_result = psl.record && o->psl_applied_policy
                            ? dmarc_result(o->psl_spf_aligned, o->psl_dkim_aligned,
                                           any_key && o->psl_dkim_aligned < 0)
                            : "none";
        bool same_policy = (!o->applied_policy && !o->psl_applied_policy) ||
                           (o->applied_policy && o->psl_applied_policy &&
                            strcmp(o->applied_policy, o->psl_applied_policy) == 0);
        if (!same_policy || o->spf_aligned != o->psl_spf_aligned ||
            o->dkim_aligned != o->psl_dkim_aligned) {
            o->readings_differ = true;
            mc_report_add_finding(
                rep, "dmarc-readings-differ", MC_SEV_INFO, a->domain,
                mc_arena_printf(ar,
                                "receivers that still read RFC 7489 (Organizational Domain %s "
                                "from the Public Suffix List; OpenDMARC) see policy %s and "
                                "result %s, where RFC 9989's tree walk (Organizational Domain "
                                "%s) gives %s and %s",
                                o->org_domain_psl ? o->org_domain_psl : "?",
                                o->psl_applied_policy ? o->psl_applied_policy : "none",
                                o->psl_result ? o->psl_result : "not predicted",
                                o->org_domain ? o->org_domain : "?",
                                o->applied_policy ? o->applied_policy : "none",
                                o->result ? o->result : "not predicted"),
                NULL);
        }
    }
    if (!applies)
        return;
    if (o->spf_aligned == 1 && o->dkim_aligned == 0)
        mc_report_add_finding(
            rep, "dmarc-spf-only", MC_SEV_WARNING, a->domain,
            mc_arena_printf(ar,
                            "only SPF aligns with %s: forwarded mail then fails DMARC, and "
                            "GMX/WEB.DE require aligned DKIM",
                            a->domain),
            mc_arena_printf(ar, "sign with a published key as d=%s (or a domain aligned with it)",
                            a->domain));
    bool strict = found.record->aspf == MC_DMARC_ALIGN_STRICT;
    if (o->spf_aligned != 1 && o->dkim_aligned != 1 && o->spf_aligned != -1 && !dkim_open)
        mc_report_add_finding(
            rep, "dmarc-unaligned", o->enforcing ? MC_SEV_CRITICAL : MC_SEV_WARNING, a->domain,
            mc_arena_printf(ar, "neither SPF nor DKIM aligns with %s: DMARC fails%s (policy %s)",
                            a->domain,
                            o->enforcing ? ", and receivers quarantine or reject the mail" : "",
                            o->applied_policy ? o->applied_policy : "none"),
            /* aspf=s: only the From domain itself aligns (RFC 9989 §3.2.10). */
            mc_arena_printf(ar,
                            "send with a MAIL FROM %s %s whose SPF passes for every address, or "
                            "sign with DKIM as d=%s",
                            strict ? "of exactly" : "in",
                            strict || !found.org_domain ? a->domain : found.org_domain, a->domain));
}
