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
        if (m->not_asked)
            fprintf(f, "  (not looked up: past the first %d targets)", MC_DOMAIN_MAX_MX);
        else if (m->naddresses == 0)
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
        /* An invalid or revoked key has a type but no size (JSON null). */
        if (k->key_type && k->key_bits >= 0)
            fprintf(f, ", %s %d bits", k->key_type, k->key_bits);
        else if (k->key_type)
            fprintf(f, ", %s", k->key_type);
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

/* The JSON block is written straight into the document (mc_json.h,
 * mc_json_deferred()): in --batch it is half of every line. */

static void mx_json(struct mc_json_writer *w, const struct mc_report_domain *d)
{
    mc_jw_object(w);
    mc_jw_key(w, "records");
    mc_jw_array(w);
    for (size_t i = 0; i < d->nmx; i++) {
        const struct mc_report_mx *m = &d->mx[i];
        mc_jw_object(w);
        mc_jw_key(w, "preference");
        mc_jw_integer(w, m->preference);
        mc_jw_key(w, "exchange");
        mc_jw_safe_string(w, m->exchange);
        mc_jw_key(w, "addresses");
        mc_jw_array(w);
        for (size_t j = 0; j < m->naddresses; j++)
            mc_jw_safe_string(w, m->addresses[j]);
        mc_jw_end(w);
        mc_jw_end(w);
    }
    mc_jw_end(w);
    mc_jw_key(w, "null_mx");
    mc_jw_bool(w, d->null_mx);
    mc_jw_key(w, "implicit");
    mc_jw_bool(w, d->implicit);
    mc_jw_end(w);
}

/* true, false, or null for unknown (V < 0) */
static void tri_json(struct mc_json_writer *w, int v)
{
    if (v < 0)
        mc_jw_null(w);
    else
        mc_jw_bool(w, v);
}

/* A word of the report's own, or null. */
static void word_json(struct mc_json_writer *w, const char *word)
{
    if (word)
        mc_jw_literal(w, word);
    else
        mc_jw_null(w);
}

static void dmarc_json(struct mc_json_writer *w, const struct mc_report_dmarc *m)
{
    mc_jw_object(w);
    mc_jw_key(w, "record");
    mc_jw_safe_string(w, m->record);
    mc_jw_key(w, "found_at");
    mc_jw_safe_string(w, m->found_at);
    mc_jw_key(w, "policy");
    word_json(w, m->policy);
    mc_jw_key(w, "applied_policy");
    word_json(w, m->applied_policy);
    mc_jw_key(w, "org_domain");
    mc_jw_safe_string(w, m->org_domain);
    mc_jw_key(w, "org_domain_psl");
    mc_jw_safe_string(w, m->org_domain_psl);
    mc_jw_key(w, "spf_aligned");
    tri_json(w, m->spf_aligned);
    mc_jw_key(w, "dkim_aligned");
    tri_json(w, m->dkim_aligned);
    mc_jw_key(w, "result");
    word_json(w, m->result);
    if (m->readings_differ) {
        mc_jw_key(w, "rfc7489");
        mc_jw_object(w);
        mc_jw_key(w, "found_at");
        mc_jw_safe_string(w, m->psl_found_at);
        mc_jw_key(w, "applied_policy");
        word_json(w, m->psl_applied_policy);
        mc_jw_key(w, "org_domain");
        mc_jw_safe_string(w, m->org_domain_psl);
        mc_jw_key(w, "spf_aligned");
        tri_json(w, m->psl_spf_aligned);
        mc_jw_key(w, "dkim_aligned");
        tri_json(w, m->psl_dkim_aligned);
        mc_jw_key(w, "result");
        word_json(w, m->psl_result);
        mc_jw_end(w);
    }
    mc_jw_end(w);
}

static void dkim_json(struct mc_json_writer *w, const struct mc_report_dkim *k)
{
    mc_jw_object(w);
    mc_jw_key(w, "selector");
    mc_jw_safe_string(w, k->selector);
    mc_jw_key(w, "domain");
    mc_jw_safe_string(w, k->domain);
    mc_jw_key(w, "status");
    mc_jw_literal(w, k->status);
    mc_jw_key(w, "key_type");
    word_json(w, k->key_type);
    mc_jw_key(w, "key_bits");
    if (k->key_bits >= 0)
        mc_jw_integer(w, k->key_bits);
    else
        mc_jw_null(w);
    mc_jw_key(w, "testing");
    mc_jw_bool(w, k->testing);
    mc_jw_key(w, "source");
    mc_jw_safe_string(w, k->source);
    mc_jw_key(w, "private_key");
    mc_jw_literal(w, k->private_key);
    mc_jw_end(w);
}

static void domain_json(struct mc_json_writer *w, const void *domain)
{
    const struct mc_report_domain *d = domain;
    mc_jw_object(w);
    mc_jw_key(w, "domain");
    mc_jw_safe_string(w, d->domain);
    mc_jw_key(w, "roles");
    mc_jw_array(w);
    for (size_t i = 0; i < sizeof role_words / sizeof role_words[0]; i++)
        if (d->roles & role_words[i].bit)
            mc_jw_literal(w, role_words[i].word);
    mc_jw_end(w);
    mc_jw_key(w, "mx");
    mx_json(w, d);
    mc_jw_key(w, "dmarc");
    if (d->dmarc.checked)
        dmarc_json(w, &d->dmarc);
    else
        mc_jw_null(w);
    mc_jw_key(w, "dkim");
    mc_jw_array(w);
    for (size_t i = 0; i < d->ndkim; i++)
        dkim_json(w, &d->dkim[i]);
    mc_jw_end(w);
    mc_jw_key(w, "lookups");
    mc_jw_array(w);
    for (size_t i = 0; i < d->nlookups; i++)
        mc_jw_lookup_shared(w, &d->lookups[i]);
    mc_jw_end(w);
    mc_jw_end(w);
}

struct mc_json *mc_render_domain_json(const struct mc_report_domain *d)
{
    return mc_json_deferred(domain_json, d);
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

struct mc_json *mc_render_spf_walk_json(const struct mc_report_spf_walk *w, bool trace)
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
    if (trace)
        mc_json_set(o, "trace", mc_json_spf_trace(w->steps, w->nsteps));
    return o;
}
