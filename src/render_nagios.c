/* SPDX-License-Identifier: MIT */
/*
 * render_nagios.c - the monitoring plugin output (Monitoring Plugins
 * Development Guidelines, "Plugin Output"): one line
 *
 *   MAILCHECK STATE - summary | perfdata
 *
 * then the long output, one finding a line, worst first; more of it with
 * each -v (the address verdicts and fixes at 1, the DNS evidence at 2).
 * The summary names the worst findings first.  Perfdata follows mailcheck(1), OUTPUT FORMATS:
 *
 *   time=0.042s;W;C;0 queries=9;;;0 addresses=2;;;0
 *   spf_lookups_ipv4=3;;;0;10 spf_lookups_ipv6=3;;;0;10
 *
 * (a family without addresses, or without an SPF evaluation, left out);
 * `mailcheck domain`: time, queries, dkim_keys=N;;;0 and the walk's
 * worst-case spf_lookups=N;;;0;10.
 * A '|' starts the perfdata for Nagios and Icinga, so no string from DNS
 * may carry one: every such string is made printable ASCII and '|' is
 * written as \124, the DNS presentation escape mc_render_safe() uses.
 * Also `mailcheck spf` in this format (mc_render_spf_nagios).
 */
#include "mc_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_render_common.h"
#include "mc_render_dnsbl.h"
#include "mc_render_spf.h"
#include "mc_util.h"

/* Findings named in the summary before "+N more". */
#define SUMMARY_FINDINGS 4

/* Writes S made printable ASCII, with '|' escaped (see the top). */
static void put(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    for (const char *p = safe; *p; p++) {
        if (*p == '|')
            fputs("\\124", f);
        else
            fputc(*p, f);
    }
    free(safe);
}

/* Rank for "worst first": critical > unknown > warning > info. */
static int severity_rank(enum mc_severity s)
{
    switch (s) {
    case MC_SEV_CRITICAL: return 3;
    case MC_SEV_UNKNOWN: return 2;
    case MC_SEV_WARNING: return 1;
    case MC_SEV_INFO: return 0;
    }
    return 2;
}

/* Indices of the findings, worst first, in report order within a rank.
 * Caller frees. */
static size_t *worst_first(const struct mc_report *r)
{
    size_t *order = mc_xcalloc(r->nfindings + 1, sizeof *order);
    size_t n = 0;
    for (int rank = 3; rank >= 0; rank--)
        for (size_t i = 0; i < r->nfindings; i++)
            if (severity_rank(r->findings[i].severity) == rank)
                order[n++] = i;
    return order;
}

static void perfdata(FILE *f, const struct mc_report *r, const struct mc_render_options *opt)
{
    size_t naddr = r->families[0].naddresses + r->families[1].naddresses;
    fprintf(f, " | time=%lld.%03llds;%s;%s;0 queries=%lu;;;0 addresses=%zu;;;0",
            (long long)(r->duration_ms / 1000), (long long)(r->duration_ms % 1000),
            opt->warning ? opt->warning : "", opt->critical ? opt->critical : "", r->queries,
            naddr);
    static const char *const names[] = {"ipv4", "ipv6"};
    for (int i = 0; i < 2; i++) {
        const struct mc_report_family *fam = &r->families[i];
        if (fam->naddresses > 0 && fam->spf_lookups >= 0)
            fprintf(f, " spf_lookups_%s=%d;;;0;10", names[i], fam->spf_lookups);
    }
    if (r->ndomains > 0) {
        size_t keys = 0;
        for (size_t i = 0; i < r->ndomains; i++)
            keys += r->domains[i]->ndkim;
        fprintf(f, " dkim_keys=%zu;;;0", keys);
    }
    if (r->dnsbl_asked)
        fprintf(f, " dnsbl_listed=%zu;;;0", mc_render_dnsbl_listed(r));
}

/* `mailcheck domain`: the time, the queries, the DKIM keys checked and the
 * worst-case SPF lookups of each walk (RFC 7208 section 4.6.4 allows 10). */
static void domain_perfdata(FILE *f, const struct mc_report *r, const struct mc_render_options *opt)
{
    size_t keys = 0;
    for (size_t i = 0; i < r->ndomains; i++)
        keys += r->domains[i]->ndkim;
    fprintf(f, " | time=%lld.%03llds;%s;%s;0 queries=%lu;;;0 dkim_keys=%zu;;;0",
            (long long)(r->duration_ms / 1000), (long long)(r->duration_ms % 1000),
            opt->warning ? opt->warning : "", opt->critical ? opt->critical : "", r->queries, keys);
    unsigned lookups = 0;
    for (size_t i = 0; i < r->nspf_walks; i++)
        lookups = r->spf_walks[i].dns_lookups > lookups ? r->spf_walks[i].dns_lookups : lookups;
    if (r->nspf_walks > 0)
        fprintf(f, " spf_lookups=%u;;;0;10", lookups);
}

/* `mailcheck domain` when nothing is wrong: the DMARC policy and the SPF
 * walk of the domain. */
static void domain_summary(FILE *f, const struct mc_report *r)
{
    const char *sep = "";
    for (size_t i = 0; i < r->ndomains; i++) {
        const struct mc_report_dmarc *m = &r->domains[i]->dmarc;
        if (!m->checked)
            continue;
        fputs(sep, f);
        if (r->ndomains > 1) {
            put(f, r->domains[i]->domain);
            fputc(' ', f);
        }
        fprintf(f, "DMARC %s", m->applied_policy ? m->applied_policy : "none");
        sep = ", ";
    }
    for (size_t i = 0; i < r->nspf_walks; i++) {
        fprintf(f, "%sSPF %s (%u lookup%s)", sep, r->spf_walks[i].result,
                r->spf_walks[i].dns_lookups, r->spf_walks[i].dns_lookups == 1 ? "" : "s");
        sep = ", ";
    }
    size_t keys = 0;
    for (size_t i = 0; i < r->ndomains; i++)
        keys += r->domains[i]->ndkim;
    if (keys)
        fprintf(f, "%s%zu DKIM key%s", sep, keys, keys == 1 ? "" : "s");
}

/* The summary when nothing is wrong: each family's verdict and the SPF
 * result of the first sender domain. */
static void ok_summary(FILE *f, const struct mc_report *r)
{
    static const char *const labels[] = {"IPv4", "IPv6"};
    const char *sep = "";
    const char *spf = NULL;
    for (int i = 0; i < 2; i++) {
        const struct mc_report_family *fam = &r->families[i];
        fprintf(f, "%s%s %s", sep, labels[i], mc_verdict_str(fam->status));
        if (fam->naddresses > 0)
            fprintf(f, " (%zu address%s)", fam->naddresses, fam->naddresses == 1 ? "" : "es");
        sep = ", ";
        for (size_t j = 0; j < fam->naddresses && !spf; j++)
            if (fam->addresses[j]->nspf > 0)
                spf = fam->addresses[j]->spf[0].result;
    }
    if (spf)
        fprintf(f, ", SPF %s", spf);
}

static void first_line(FILE *f, const struct mc_report *r, const size_t *order,
                       const struct mc_render_options *opt)
{
    fprintf(f, "MAILCHECK %s - ", mc_state_word(r->status));
    if (r->host || r->domain) {
        put(f, r->host ? r->host : r->domain);
        fputs(": ", f);
    }
    /* The worst finding in words, the next ones by code and subject. */
    size_t shown = 0, relevant = 0;
    for (size_t k = 0; k < r->nfindings; k++)
        relevant += r->findings[order[k]].severity != MC_SEV_INFO;
    for (size_t k = 0; k < relevant && shown < SUMMARY_FINDINGS; k++, shown++) {
        const struct mc_finding *fi = &r->findings[order[k]];
        if (k == 0) {
            put(f, fi->message);
            fprintf(f, " (%s)", fi->code);
            continue;
        }
        fprintf(f, "%s%s", k == 1 ? "; also " : ", ", fi->code);
        if (fi->subject && *fi->subject) {
            fputc(' ', f);
            put(f, fi->subject);
        }
    }
    if (relevant > shown)
        fprintf(f, "%s+%zu more", shown > 1 ? ", " : "; ", relevant - shown);
    if (relevant == 0 && r->host)
        ok_summary(f, r);
    else if (relevant == 0 && r->domain)
        domain_summary(f, r);
    else if (relevant == 0)
        fputs("nothing checked", f);
    if (r->host)
        perfdata(f, r, opt);
    else if (r->domain)
        domain_perfdata(f, r, opt);
    fputc('\n', f);
}

static void address_lines(FILE *f, const struct mc_report *r, int verbose)
{
    static const char *const labels[] = {"IPv4", "IPv6"};
    for (int i = 0; i < 2; i++) {
        const struct mc_report_family *fam = &r->families[i];
        fprintf(f, "%s: %s%s\n", labels[i], mc_verdict_str(fam->status),
                fam->naddresses ? ""
                                : (fam->required ? " (required, no address)" : " (no address)"));
        if (verbose > 1 && fam->host_lookup) {
            char *line = mc_render_lookup_line(fam->host_lookup);
            fputs("  lookup ", f);
            put(f, line);
            fputc('\n', f);
            free(line);
        }
        for (size_t j = 0; j < fam->naddresses; j++) {
            const struct mc_report_address *a = fam->addresses[j];
            fputs("  ", f);
            put(f, a->address);
            fprintf(f, " %s, PTR ", mc_verdict_str(a->status));
            if (a->nptr == 0)
                fputs("none", f);
            for (size_t k = 0; k < a->nptr; k++) {
                fputs(k ? ", " : "", f);
                put(f, a->ptr[k]);
            }
            fprintf(f, ", FCrDNS %s", mc_fcrdns_str(a->fcrdns));
            for (size_t k = 0; k < a->nspf; k++) {
                fprintf(f, ", SPF %s ", a->spf[k].identity);
                put(f, a->spf[k].domain);
                fprintf(f, " %s", a->spf[k].result);
            }
            fputc('\n', f);
            for (size_t k = 0; verbose > 1 && k < a->nlookups; k++) {
                char *line = mc_render_lookup_line(&a->lookups[k]);
                fputs("    lookup ", f);
                put(f, line);
                fputc('\n', f);
                free(line);
            }
        }
    }
}

/* One line a sender domain: MX, DMARC, DKIM keys (long output). */
static void domain_lines(FILE *f, const struct mc_report *r)
{
    for (size_t i = 0; i < r->ndomains; i++) {
        const struct mc_report_domain *d = r->domains[i];
        fputs("Domain ", f);
        put(f, d->domain);
        fprintf(f, ": MX %s",
                d->null_mx    ? "null"
                : d->nmx      ? ""
                : d->implicit ? "implicit"
                              : "none");
        for (size_t j = 0; j < d->nmx && !d->null_mx; j++) {
            fputs(j ? "," : "", f);
            put(f, d->mx[j].exchange);
        }
        if (d->dmarc.checked)
            fprintf(f, ", DMARC %s, result %s",
                    d->dmarc.applied_policy ? d->dmarc.applied_policy
                    : d->dmarc.record       ? "not applied"
                                            : "none",
                    d->dmarc.result ? d->dmarc.result : "unknown");
        for (size_t j = 0; j < d->ndkim; j++) {
            fputs(", DKIM ", f);
            put(f, d->dkim[j].selector);
            fprintf(f, " %s", d->dkim[j].status);
        }
        fputc('\n', f);
    }
}

char *mc_render_nagios(const struct mc_report *r, const struct mc_render_options *opt)
{
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    size_t *order = worst_first(r);
    first_line(f, r, order, opt);
    for (size_t k = 0; k < r->nfindings; k++) {
        const struct mc_finding *fi = &r->findings[order[k]];
        char sev[16];
        const char *s = mc_severity_str(fi->severity);
        size_t i = 0;
        for (; s[i] && i + 1 < sizeof sev; i++)
            sev[i] = (char)mc_ascii_toupper((unsigned char)s[i]);
        sev[i] = '\0';
        fprintf(f, "[%s] ", sev);
        put(f, fi->message);
        fprintf(f, " (%s)\n", fi->code);
        if (opt->verbose > 0 && fi->fix) {
            fputs("  fix: ", f);
            put(f, fi->fix);
            fputc('\n', f);
        }
    }
    if (opt->verbose > 0 && r->host)
        address_lines(f, r, opt->verbose);
    if (opt->verbose > 0 && (r->host || r->domain))
        domain_lines(f, r);
    for (size_t i = 0; opt->verbose > 0 && i < r->ndnsbl; i++) {
        char *verdict = mc_render_dnsbl_verdict(&r->dnsbl[i]);
        fputs("Blocklist ", f);
        put(f, r->dnsbl[i].list);
        fputc(' ', f);
        put(f, r->dnsbl[i].subject);
        fputs(": ", f);
        put(f, verdict);
        fputc('\n', f);
        free(verdict);
    }
    for (size_t i = 0; opt->verbose > 0 && i < r->nspf_walks; i++) {
        const struct mc_report_spf_walk *w = &r->spf_walks[i];
        fputs("SPF ", f);
        put(f, w->domain);
        fprintf(f, ": %s, worst case %u of 10 lookups, %u of 2 void lookups\n", w->result,
                w->dns_lookups, w->void_lookups);
    }
    if (opt->verbose > 1 && (r->host || r->domain)) {
        fprintf(f, "%lu DNS queries in %lld ms; resolvers:", r->queries, (long long)r->duration_ms);
        for (size_t i = 0; i < r->nresolvers; i++) {
            fputc(' ', f);
            put(f, r->resolvers[i]);
        }
        fputc('\n', f);
    }
    free(order);
    return mc_render_buffer_close(&rb);
}

/* ---- mailcheck spf ---- */

char *mc_render_spf_nagios(const struct mc_spf_output *o, const struct mc_render_options *opt)
{
    const struct mc_spf_verdict *v = o->verdict;
    enum mc_state state = (enum mc_state)(o->exit_code & 3);
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    fprintf(f, "MAILCHECK %s - SPF %s for ", mc_state_word(state), mc_spf_result_str(v->result));
    put(f, o->ip);
    fputs(" from ", f);
    put(f, v->sender);
    if (v->mechanism) {
        fputs(" by '", f);
        put(f, v->mechanism);
        fputc('\'', f);
    } else if (v->why) {
        fputs(": ", f);
        put(f, v->why);
    }
    fprintf(f, " | time=%lld.%03llds;%s;%s;0 dns_lookups=%u;;;0;10 void_lookups=%u;;;0;2\n",
            o->duration_ms / 1000, o->duration_ms % 1000, opt->warning ? opt->warning : "",
            opt->critical ? opt->critical : "", v->dns_lookups, v->void_lookups);
    if (v->explanation) {
        fputs("explanation: ", f);
        put(f, v->explanation);
        fputc('\n', f);
    }
    for (size_t i = 0; i < o->nlint; i++) {
        fprintf(f, "[%s] ", mc_severity_word(o->lint[i].severity));
        put(f, o->lint[i].message);
        fprintf(f, " (%s)\n", o->lint[i].code);
    }
    /* The ledger at -v, each step's lookups at -vv: the lines of the text
     * output (mc_render_spf_step_line), with '|' escaped. */
    for (size_t i = 0; opt->verbose > 0 && i < v->nsteps; i++) {
        const struct mc_spf_step *s = &v->steps[i];
        int indent = (int)s->depth * 2;
        char *line = mc_render_spf_step_line(s);
        fprintf(f, "%*s", indent, "");
        put(f, line);
        fputc('\n', f);
        free(line);
        for (size_t j = 0; opt->verbose > 1 && j < s->nlookups; j++) {
            line = mc_render_spf_lookup_line(&s->lookups[j]);
            fprintf(f, "%*s  ", indent, "");
            put(f, line);
            fputc('\n', f);
            free(line);
        }
    }
    return mc_render_buffer_close(&rb);
}
