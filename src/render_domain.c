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

static json_t *mx_json(const struct mc_report_domain *d)
{
    json_t *o = mc_json_must(json_object());
    json_t *records = mc_json_must(json_array());
    for (size_t i = 0; i < d->nmx; i++) {
        const struct mc_report_mx *m = &d->mx[i];
        json_t *r = mc_json_must(json_object());
        json_object_set_new_nocheck(r, "preference", json_integer(m->preference));
        json_object_set_new_nocheck(r, "exchange", mc_json_safe_string(m->exchange));
        json_t *addrs = mc_json_must(json_array());
        for (size_t j = 0; j < m->naddresses; j++)
            json_array_append_new(addrs, mc_json_safe_string(m->addresses[j]));
        json_object_set_new_nocheck(r, "addresses", addrs);
        json_array_append_new(records, r);
    }
    json_object_set_new_nocheck(o, "records", records);
    json_object_set_new_nocheck(o, "null_mx", json_boolean(d->null_mx));
    json_object_set_new_nocheck(o, "implicit", json_boolean(d->implicit));
    return o;
}

static json_t *tri_json(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *dmarc_json(const struct mc_report_dmarc *m)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "record", mc_json_safe_string(m->record));
    json_object_set_new_nocheck(o, "found_at", mc_json_safe_string(m->found_at));
    json_object_set_new_nocheck(o, "policy", m->policy ? mc_json_literal(m->policy) : json_null());
    json_object_set_new_nocheck(
        o, "applied_policy", m->applied_policy ? mc_json_literal(m->applied_policy) : json_null());
    json_object_set_new_nocheck(o, "org_domain", mc_json_safe_string(m->org_domain));
    json_object_set_new_nocheck(o, "org_domain_psl", mc_json_safe_string(m->org_domain_psl));
    json_object_set_new_nocheck(o, "spf_aligned", tri_json(m->spf_aligned));
    json_object_set_new_nocheck(o, "dkim_aligned", tri_json(m->dkim_aligned));
    json_object_set_new_nocheck(o, "result", m->result ? mc_json_literal(m->result) : json_null());
    if (m->readings_differ) {
        json_t *r = mc_json_must(json_object());
        json_object_set_new_nocheck(r, "found_at", mc_json_safe_string(m->psl_found_at));
        json_object_set_new_nocheck(r, "applied_policy",
                                    m->psl_applied_policy ? mc_json_literal(m->psl_applied_policy)
                                                          : json_null());
        json_object_set_new_nocheck(r, "org_domain", mc_json_safe_string(m->org_domain_psl));
        json_object_set_new_nocheck(r, "spf_aligned", tri_json(m->psl_spf_aligned));
        json_object_set_new_nocheck(r, "dkim_aligned", tri_json(m->psl_dkim_aligned));
        json_object_set_new_nocheck(r, "result",
                                    m->psl_result ? mc_json_literal(m->psl_result) : json_null());
        json_object_set_new_nocheck(o, "rfc7489", r);
    }
    return o;
}

static json_t *dkim_json(const struct mc_report_dkim *k)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "selector", mc_json_safe_string(k->selector));
    json_object_set_new_nocheck(o, "domain", mc_json_safe_string(k->domain));
    json_object_set_new_nocheck(o, "status", mc_json_literal(k->status));
    json_object_set_new_nocheck(o, "key_type",
                                k->key_type ? mc_json_literal(k->key_type) : json_null());
    json_object_set_new_nocheck(o, "key_bits",
                                k->key_bits >= 0 ? json_integer(k->key_bits) : json_null());
    json_object_set_new_nocheck(o, "testing", json_boolean(k->testing));
    json_object_set_new_nocheck(o, "source", mc_json_safe_string(k->source));
    json_object_set_new_nocheck(o, "private_key", mc_json_literal(k->private_key));
    return o;
}

json_t *mc_render_domain_json(const struct mc_report_domain *d)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "domain", mc_json_safe_string(d->domain));
    json_t *roles = mc_json_must(json_array());
    for (size_t i = 0; i < sizeof role_words / sizeof role_words[0]; i++)
        if (d->roles & role_words[i].bit)
            json_array_append_new(roles, mc_json_literal(role_words[i].word));
    json_object_set_new_nocheck(o, "roles", roles);
    json_object_set_new_nocheck(o, "mx", mx_json(d));
    json_object_set_new_nocheck(o, "dmarc", d->dmarc.checked ? dmarc_json(&d->dmarc) : json_null());
    json_t *dkim = mc_json_must(json_array());
    for (size_t i = 0; i < d->ndkim; i++)
        json_array_append_new(dkim, dkim_json(&d->dkim[i]));
    json_object_set_new_nocheck(o, "dkim", dkim);
    json_t *lookups = mc_json_must(json_array());
    for (size_t i = 0; i < d->nlookups; i++)
        json_array_append_new(lookups, mc_json_lookup(&d->lookups[i]));
    json_object_set_new_nocheck(o, "lookups", lookups);
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

json_t *mc_render_spf_walk_json(const struct mc_report_spf_walk *w)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "domain", mc_json_safe_string(w->domain));
    json_object_set_new_nocheck(o, "record", mc_json_safe_string(w->record));
    json_object_set_new_nocheck(o, "result", mc_json_literal(w->result));
    if (w->why)
        json_object_set_new_nocheck(o, "why", mc_json_safe_string(w->why));
    json_object_set_new_nocheck(o, "dns_lookups", json_integer(w->dns_lookups));
    json_object_set_new_nocheck(o, "void_lookups", json_integer(w->void_lookups));
    json_object_set_new_nocheck(o, "client_terms", json_integer(w->client_terms));
    json_object_set_new_nocheck(o, "trace", mc_json_spf_trace(w->steps, w->nsteps));
    return o;
}
