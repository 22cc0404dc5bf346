/* SPDX-License-Identifier: MIT */
/*
 * render_domain.c - a sender domain's block (mailcheck(1), SENDER
 * DOMAINS) in text and JSON.  Every string from DNS goes through
 * mc_render_safe() (text) or mc_json_safe_string() (JSON).
 */
#include "mc_render_domain.h"

#include <stdlib.h>

#include "mc_domain.h"
#include "mc_render.h"
#include "mc_render_common.h"

static const struct {
    unsigned bit;
    const char *word;
} role_words[] = {
    {MC_DOMAIN_ROLE_MAILFROM, "mailfrom"},
    {MC_DOMAIN_ROLE_HEADER_FROM, "header-from"},
};

void mc_render_domain_roles(FILE *f, unsigned roles)
{
    const char *sep = "";
    for (size_t i = 0; i < sizeof role_words / sizeof role_words[0]; i++) {
        if (roles & role_words[i].bit) {
            fprintf(f, "%s%s", sep, role_words[i].word);
            sep = ", ";
        }
    }
}

static void put(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    fputs(safe, f);
    free(safe);
}

static void mx_text(FILE *f, const struct mc_report_domain *d)
{
    if (d->null_mx) {
        fputs("    MX    0 . (null MX: accepts no mail)\n", f);
        return;
    }
    if (d->nmx == 0) {
        fputs(d->implicit ? "    MX    none (the domain's own addresses serve, implicit MX)\n"
                          : "    MX    none\n",
              f);
        return;
    }
    for (size_t i = 0; i < d->nmx; i++) {
        const struct mc_report_mx *m = &d->mx[i];
        fprintf(f, "    MX    %u ", m->preference);
        put(f, m->exchange);
        for (size_t j = 0; j < m->naddresses; j++) {
            fputs(j ? ", " : "  ", f);
            put(f, m->addresses[j]);
        }
        if (m->naddresses == 0)
            fputs("  (no address)", f);
        fputc('\n', f);
    }
}

static const char *tri(int v)
{
    return v < 0 ? "unknown" : v ? "yes" : "no";
}

static void dmarc_text(FILE *f, const struct mc_report_domain *d)
{
    const struct mc_report_dmarc *m = &d->dmarc;
    if (!m->checked)
        return;
    if (!m->record) {
        fputs("    DMARC none\n", f);
        return;
    }
    fputs("    DMARC ", f);
    put(f, m->record);
    fputs("\n          at ", f);
    put(f, m->found_at);
    fputs(", Organizational Domain ", f);
    put(f, m->org_domain ? m->org_domain : "?");
    fprintf(f, "; policy %s, applied %s; SPF aligned %s, DKIM aligned %s: %s\n", m->policy,
            m->applied_policy ? m->applied_policy : "none (DMARC does not apply)",
            tri(m->spf_aligned), tri(m->dkim_aligned), m->result ? m->result : "not predicted");
    if (m->readings_differ) {
        fputs("          RFC 7489 reading (Organizational Domain ", f);
        put(f, m->org_domain_psl ? m->org_domain_psl : "?");
        fprintf(f, " from the PSL): applied %s: %s\n",
                m->psl_applied_policy ? m->psl_applied_policy : "none",
                m->psl_result ? m->psl_result : "?");
    }
}

static void dkim_text(FILE *f, const struct mc_report_domain *d)
{
    for (size_t i = 0; i < d->ndkim; i++) {
        const struct mc_report_dkim *k = &d->dkim[i];
        fputs("    DKIM  ", f);
        put(f, k->selector);
        fputs("._domainkey.", f);
        put(f, k->domain);
        fprintf(f, ": %s", k->status);
        if (k->key_type)
            fprintf(f, ", %s %d bits", k->key_type, k->key_bits);
        if (k->testing)
            fputs(", t=y", f);
        fputs(" (", f);
        put(f, k->source);
        fprintf(f, "), private key %s\n", k->private_key);
    }
}

void mc_render_domain_text(FILE *f, const struct mc_report_domain *d, int verbose)
{
    fputs("  Domain ", f);
    put(f, d->domain);
    fputs(" (", f);
    mc_render_domain_roles(f, d->roles);
    fputs(")\n", f);
    mx_text(f, d);
    dmarc_text(f, d);
    dkim_text(f, d);
    for (size_t i = 0; verbose > 0 && i < d->nlookups; i++) {
        char *line = mc_render_lookup_line(&d->lookups[i]);
        fprintf(f, "        %s\n", line);
        free(line);
    }
}

static struct mc_json *mx_json(const struct mc_report_domain *d)
{
    struct mc_json *o = mc_json_object();
    struct mc_json *records = mc_json_array();
    for (size_t i = 0; i < d->nmx; i++) {
        const struct mc_report_mx *m = &d->mx[i];
        struct mc_json *r = mc_json_object();
        mc_json_set(r, "preference", mc_json_integer(m->preference));
        mc_json_set(r, "exchange", mc_json_safe_string(m->exchange));
        struct mc_json *addrs = mc_json_array();
        for (size_t j = 0; j < m->naddresses; j++)
            mc_json_append(addrs, mc_json_safe_string(m->addresses[j]));
        mc_json_set(r, "addresses", addrs);
        mc_json_append(records, r);
    }
    mc_json_set(o, "records", records);
    mc_json_set(o, "null_mx", mc_json_bool(d->null_mx));
    mc_json_set(o, "implicit", mc_json_bool(d->implicit));
    return o;
}

static struct mc_json *tri_json(int v)
{
    return v < 0 ? mc_json_null() : mc_json_bool(v);
}

static struct mc_json *dmarc_json(const struct mc_report_dmarc *m)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "record", mc_json_safe_string(m->record));
    mc_json_set(o, "found_at", mc_json_safe_string(m->found_at));
    mc_json_set(o, "policy", m->policy ? mc_json_literal(m->policy) : mc_json_null());
    mc_json_set(o, "applied_policy",
                m->applied_policy ? mc_json_literal(m->applied_policy) : mc_json_null());
    mc_json_set(o, "org_domain", mc_json_safe_string(m->org_domain));
    mc_json_set(o, "org_domain_psl", mc_json_safe_string(m->org_domain_psl));
    mc_json_set(o, "spf_aligned", tri_json(m->spf_aligned));
    mc_json_set(o, "dkim_aligned", tri_json(m->dkim_aligned));
    mc_json_set(o, "result", m->result ? mc_json_literal(m->result) : mc_json_null());
    if (m->readings_differ) {
        struct mc_json *r = mc_json_object();
        mc_json_set(r, "found_at", mc_json_safe_string(m->psl_found_at));
        mc_json_set(r, "applied_policy",
                    m->psl_applied_policy ? mc_json_literal(m->psl_applied_policy)
                                          : mc_json_null());
        mc_json_set(r, "org_domain", mc_json_safe_string(m->org_domain_psl));
        mc_json_set(r, "spf_aligned", tri_json(m->psl_spf_aligned));
        mc_json_set(r, "dkim_aligned", tri_json(m->psl_dkim_aligned));
        mc_json_set(r, "result", m->psl_result ? mc_json_literal(m->psl_result) : mc_json_null());
        mc_json_set(o, "rfc7489", r);
    }
    return o;
}

static struct mc_json *dkim_json(const struct mc_report_dkim *k)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "selector", mc_json_safe_string(k->selector));
    mc_json_set(o, "domain", mc_json_safe_string(k->domain));
    mc_json_set(o, "status", mc_json_literal(k->status));
    mc_json_set(o, "key_type", k->key_type ? mc_json_literal(k->key_type) : mc_json_null());
    mc_json_set(o, "key_bits", k->key_bits >= 0 ? mc_json_integer(k->key_bits) : mc_json_null());
    mc_json_set(o, "testing", mc_json_bool(k->testing));
    mc_json_set(o, "source", mc_json_safe_string(k->source));
    mc_json_set(o, "private_key", mc_json_literal(k->private_key));
    return o;
}

struct mc_json *mc_render_domain_json(const struct mc_report_domain *d)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "domain", mc_json_safe_string(d->domain));
    struct mc_json *roles = mc_json_array();
    for (size_t i = 0; i < sizeof role_words / sizeof role_words[0]; i++)
        if (d->roles & role_words[i].bit)
            mc_json_append(roles, mc_json_literal(role_words[i].word));
    mc_json_set(o, "roles", roles);
    mc_json_set(o, "mx", mx_json(d));
    mc_json_set(o, "dmarc", d->dmarc.checked ? dmarc_json(&d->dmarc) : mc_json_null());
    struct mc_json *dkim = mc_json_array();
    for (size_t i = 0; i < d->ndkim; i++)
        mc_json_append(dkim, dkim_json(&d->dkim[i]));
    mc_json_set(o, "dkim", dkim);
    struct mc_json *lookups = mc_json_array();
    for (size_t i = 0; i < d->nlookups; i++)
        mc_json_append(lookups, mc_json_lookup(&d->lookups[i]));
    mc_json_set(o, "lookups", lookups);
    return o;
}

void mc_render_spf_walk_text(FILE *f, const struct mc_report_spf_walk *w, int verbose)
{
    fputs("  SPF ", f);
    put(f, w->domain);
    fprintf(f, ": %s, worst case %u of 10 lookups", w->result, w->dns_lookups);
    if (w->client_terms)
        fprintf(f, " (%u needing the client)", w->client_terms);
    fprintf(f, ", %u of 2 void lookups\n", w->void_lookups);
    if (w->record) {
        fputs("    ", f);
        put(f, w->record);
        fputc('\n', f);
    }
    if (w->why) {
        fputs("    why: ", f);
        put(f, w->why);
        fputc('\n', f);
    }
    for (size_t i = 0; verbose > 0 && i < w->nsteps; i++) {
        const struct mc_spf_step *s = &w->steps[i];
        int indent = 6 + (int)s->depth * 2;
        char *line = mc_render_spf_step_line(s);
        fprintf(f, "%*s%s\n", indent, "", line); /* printable ASCII */
        free(line);
        for (size_t j = 0; verbose > 1 && j < s->nlookups; j++) {
            line = mc_render_spf_lookup_line(&s->lookups[j]);
            fprintf(f, "%*s  %s\n", indent, "", line);
            free(line);
        }
    }
}

struct mc_json *mc_render_spf_walk_json(const struct mc_report_spf_walk *w)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "domain", mc_json_safe_string(w->domain));
    mc_json_set(o, "record", mc_json_safe_string(w->record));
    mc_json_set(o, "result", mc_json_literal(w->result));
    if (w->why)
        mc_json_set(o, "why", mc_json_safe_string(w->why));
    mc_json_set(o, "dns_lookups", mc_json_integer(w->dns_lookups));
    mc_json_set(o, "void_lookups", mc_json_integer(w->void_lookups));
    mc_json_set(o, "client_terms", mc_json_integer(w->client_terms));
    mc_json_set(o, "trace", mc_json_spf_trace(w->steps, w->nsteps));
    return o;
}
