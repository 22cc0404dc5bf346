/* SPDX-License-Identifier: MIT */
/*
 * render_openmetrics.c - the result tree as Prometheus gauges, in the text
 * exposition format that node_exporter's textfile collector reads (and
 * `promtool check metrics` accepts): a HELP and a TYPE line before every
 * metric family, base units (seconds), no timestamps.  Names follow the
 * Prometheus conventions: a mailcheck_ prefix, snake case, the unit as a
 * suffix, no _total on gauges.
 *
 * Enumerations come twice: a numeric code (mailcheck_status,
 * mailcheck_family_status) for thresholds and graphs, and a state set (one
 * series per possible value, 1 for the current one) so that alerts can
 * match on words without series appearing and vanishing.
 *
 * Label values: strings from DNS are first made printable ASCII
 * (mc_render_safe), then '\' and '"' escaped as the format requires.
 */
#include "mc_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_render_spf.h"
#include "mc_render_common.h"
#include "mc_util.h"

static const char *const family_names[] = {"ipv4", "ipv6"};

static const enum mc_verdict all_verdicts[] = {MC_VERDICT_PASS, MC_VERDICT_MISMATCH,
                                               MC_VERDICT_ERROR, MC_VERDICT_FAIL, MC_VERDICT_NONE};
static const enum mc_severity all_severities[] = {MC_SEV_INFO, MC_SEV_WARNING, MC_SEV_UNKNOWN,
                                                  MC_SEV_CRITICAL};

/* Writes a label value: printable ASCII with '\' and '"' escaped. */
static void put_label(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    for (const char *p = safe; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', f);
        fputc(*p, f);
    }
    free(safe);
}

static void family_header(FILE *f, const char *name, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Starts a sample: NAME{host="HOST" (the caller adds labels and closes);
 * for `mailcheck domain` (R->domain set), NAME{domain="DOMAIN". */
static void sample(FILE *f, const char *name, const struct mc_report *r)
{
    fprintf(f, "%s{%s=\"", name, r->domain ? "domain" : "host");
    put_label(f, r->domain ? r->domain : r->host ? r->host : (r->input ? r->input : ""));
    fputc('"', f);
}

static void domain_metrics(FILE *f, const struct mc_report *r);
static void walk_metrics(FILE *f, const struct mc_report *r);
static void dnsbl_metrics(FILE *f, const struct mc_report *r);

static void family_label(FILE *f, int fam)
{
    fprintf(f, ",family=\"%s\"", family_names[fam]);
}

/* "0.042" from milliseconds, without the locale's decimal separator. */
static void put_seconds(FILE *f, long long ms)
{
    fprintf(f, "%lld.%03lld", ms / 1000, ms % 1000);
}

char *mc_render_openmetrics(const struct mc_report *r, const struct mc_render_options *opt)
{
    (void)opt;
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);

    family_header(f, "mailcheck_build_info", "mailcheck's version (always 1).");
    fprintf(f, "mailcheck_build_info{version=\"%s\"} 1\n", MAILCHECK_VERSION);

    family_header(f, "mailcheck_status",
                  r->domain ? "Overall status of the sender-domain check: 0 ok, 1 warning, 2 "
                              "critical, 3 unknown (the exit code)."
                            : "Overall status of the host check: 0 ok, 1 warning, 2 critical, 3 "
                              "unknown (the exit code).");
    sample(f, "mailcheck_status", r);
    fprintf(f, "} %d\n", (int)r->status);

    family_header(f, "mailcheck_check_duration_seconds",
                  r->domain ? "Wall time of the sender-domain check."
                            : "Wall time of the host check.");
    sample(f, "mailcheck_check_duration_seconds", r);
    fputs("} ", f);
    put_seconds(f, r->duration_ms);
    fputc('\n', f);

    family_header(f, "mailcheck_dns_queries",
                  "DNS queries the check sent to the network (not zone files, not repeats).");
    sample(f, "mailcheck_dns_queries", r);
    fprintf(f, "} %lu\n", r->queries);

    if (r->host && !r->domain) {
        family_header(f, "mailcheck_family_status",
                      "FCrDNS verdict of an address family: 0 pass, 1 mismatch, 2 error, "
                      "3 fail, 4 none (no address).");
        for (int i = 0; i < 2; i++) {
            sample(f, "mailcheck_family_status", r);
            family_label(f, i);
            fprintf(f, "} %d\n", (int)r->families[i].status);
        }
        family_header(f, "mailcheck_family_verdict",
                      "FCrDNS verdict of an address family as a state set: 1 for the "
                      "current verdict, 0 for the others.");
        for (int i = 0; i < 2; i++) {
            for (size_t v = 0; v < sizeof all_verdicts / sizeof all_verdicts[0]; v++) {
                sample(f, "mailcheck_family_verdict", r);
                family_label(f, i);
                fprintf(f, ",verdict=\"%s\"} %d\n", mc_verdict_str(all_verdicts[v]),
                        r->families[i].status == all_verdicts[v]);
            }
        }
        family_header(f, "mailcheck_family_required",
                      "1 when the address family is required (-4/-6).");
        for (int i = 0; i < 2; i++) {
            sample(f, "mailcheck_family_required", r);
            family_label(f, i);
            fprintf(f, "} %d\n", r->families[i].required);
        }
        family_header(f, "mailcheck_family_addresses", "Addresses checked in the family.");
        for (int i = 0; i < 2; i++) {
            sample(f, "mailcheck_family_addresses", r);
            family_label(f, i);
            fprintf(f, "} %zu\n", r->families[i].naddresses);
        }
        family_header(f, "mailcheck_spf_lookups",
                      "Most DNS-querying SPF terms one evaluation for an address of the "
                      "family used (RFC 7208 section 4.6.4 allows 10).");
        for (int i = 0; i < 2; i++) {
            if (r->families[i].spf_lookups < 0)
                continue;
            sample(f, "mailcheck_spf_lookups", r);
            family_label(f, i);
            fprintf(f, "} %d\n", r->families[i].spf_lookups);
        }
        family_header(f, "mailcheck_address_status",
                      "FCrDNS verdict of one address: 0 pass, 1 mismatch, 2 error, 3 fail.");
        for (int i = 0; i < 2; i++) {
            for (size_t j = 0; j < r->families[i].naddresses; j++) {
                const struct mc_report_address *a = r->families[i].addresses[j];
                sample(f, "mailcheck_address_status", r);
                family_label(f, i);
                fputs(",address=\"", f);
                put_label(f, a->address);
                fprintf(f, "\"} %d\n", (int)a->status);
            }
        }
    }

    domain_metrics(f, r);
    walk_metrics(f, r);
    dnsbl_metrics(f, r);

    family_header(f, "mailcheck_findings", "Findings of the check by severity.");
    for (size_t s = 0; s < sizeof all_severities / sizeof all_severities[0]; s++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            n += r->findings[i].severity == all_severities[s];
        sample(f, "mailcheck_findings", r);
        fprintf(f, ",severity=\"%s\"} %zu\n", mc_severity_str(all_severities[s]), n);
    }
    /* One series per (code, severity) present: the codes are a closed set
     * (mailcheck(1), FINDINGS), so the cardinality stays small. */
    family_header(f, "mailcheck_finding_codes", "Findings of the check by code.");
    for (size_t i = 0; i < r->nfindings; i++) {
        bool seen = false;
        size_t n = 0;
        for (size_t j = 0; j < r->nfindings; j++) {
            bool same = strcmp(r->findings[j].code, r->findings[i].code) == 0 &&
                        r->findings[j].severity == r->findings[i].severity;
            seen = seen || (same && j < i);
            n += same;
        }
        if (seen)
            continue;
        sample(f, "mailcheck_finding_codes", r);
        fputs(",code=\"", f);
        put_label(f, r->findings[i].code);
        fprintf(f, "\",severity=\"%s\"} %zu\n", mc_severity_str(r->findings[i].severity), n);
    }
    return mc_render_buffer_close(&rb);
}

/* NAME{host="HOST",domain="D"; for `mailcheck domain`, whose subject is
 * a domain already, NAME{domain="D". */
static void domain_sample(FILE *f, const char *name, const struct mc_report *r,
                          const struct mc_report_domain *d)
{
    if (r->domain) {
        fprintf(f, "%s{domain=\"", name);
    } else {
        sample(f, name, r);
        fputs(",domain=\"", f);
    }
    put_label(f, d->domain);
    fputc('"', f);
}

/* The same record (selector and d=) checked twice in one block (a
 * --dkim beside the configuration that names it, two signers' keys) is
 * one series: a series' labels must be unique (OpenMetrics). */
static bool same_key(const struct mc_report_dkim *a, const struct mc_report_dkim *b)
{
    return mc_name_equal(a->selector, b->selector) && mc_name_equal(a->domain, b->domain);
}

static bool first_of_key(const struct mc_report_domain *d, size_t j)
{
    for (size_t i = 0; i < j; i++)
        if (same_key(&d->dkim[i], &d->dkim[j]))
            return false;
    return true;
}

/* The worst status of the key D->dkim[J] over its repeats. */
static enum mc_state key_state(const struct mc_report_domain *d, size_t j)
{
    enum mc_state worst = MC_STATE_OK;
    for (size_t i = j; i < d->ndkim; i++) {
        enum mc_state st = MC_STATE_UNKNOWN;
        if (!same_key(&d->dkim[i], &d->dkim[j]))
            continue;
        (void)mc_state_parse(d->dkim[i].status, &st);
        if (mc_state_worse(st, worst))
            worst = st;
    }
    return worst;
}

/* NAME{...,domain="D",selector="S",signing_domain="d="} */
static void key_sample(FILE *f, const char *name, const struct mc_report *r,
                       const struct mc_report_domain *d, const struct mc_report_dkim *k)
{
    domain_sample(f, name, r, d);
    fputs(",selector=\"", f);
    put_label(f, k->selector);
    fputs("\",signing_domain=\"", f);
    put_label(f, k->domain);
    fputs("\"}", f);
}

/* The sender domains: DMARC policy applied and the DKIM keys (mailcheck(1),
 * SENDER DOMAINS). */
static void domain_metrics(FILE *f, const struct mc_report *r)
{
    family_header(f, "mailcheck_dmarc_policy",
                  "DMARC policy receivers apply to a From domain: 0 none, 1 quarantine, 2 "
                  "reject, -1 no DMARC record applies.");
    for (size_t i = 0; i < r->ndomains; i++) {
        const struct mc_report_domain *d = r->domains[i];
        if (!d->dmarc.checked)
            continue;
        const char *p = d->dmarc.applied_policy;
        domain_sample(f, "mailcheck_dmarc_policy", r, d);
        fprintf(f, "} %d\n",
                !p                             ? -1
                : strcmp(p, "reject") == 0     ? 2
                : strcmp(p, "quarantine") == 0 ? 1
                                               : 0);
    }
    family_header(f, "mailcheck_dkim_key_bits",
                  "Size of each DKIM key published, in bits (0 when its record holds no key: "
                  "missing, invalid, revoked or not known).");
    for (size_t i = 0; i < r->ndomains; i++) {
        for (size_t j = 0; j < r->domains[i]->ndkim; j++) {
            const struct mc_report_dkim *k = &r->domains[i]->dkim[j];
            if (!first_of_key(r->domains[i], j))
                continue;
            key_sample(f, "mailcheck_dkim_key_bits", r, r->domains[i], k);
            fprintf(f, " %d\n", k->key_bits > 0 ? k->key_bits : 0);
        }
    }
    family_header(f, "mailcheck_dkim_key_status",
                  "Status of each DKIM key checked: 0 ok, 1 warning, 2 critical, 3 unknown.");
    for (size_t i = 0; i < r->ndomains; i++) {
        for (size_t j = 0; j < r->domains[i]->ndkim; j++) {
            const struct mc_report_dkim *k = &r->domains[i]->dkim[j];
            if (!first_of_key(r->domains[i], j))
                continue;
            key_sample(f, "mailcheck_dkim_key_status", r, r->domains[i], k);
            fprintf(f, " %d\n", (int)key_state(r->domains[i], j));
        }
    }
}

/* The blocklist entries (mailcheck(1), BLOCKLISTS), when lists were
 * named: one series per (list, subject) asked. */
static void dnsbl_metrics(FILE *f, const struct mc_report *r)
{
    if (!r->dnsbl_asked)
        return;
    family_header(f, "mailcheck_dnsbl_listed",
                  "Whether a blocklist lists an address or name: 1 listed, 0 not listed, "
                  "-1 no verdict (the list is unusable).");
    for (size_t i = 0; i < r->ndnsbl; i++) {
        const struct mc_report_dnsbl *e = &r->dnsbl[i];
        sample(f, "mailcheck_dnsbl_listed", r);
        fputs(",list=\"", f);
        put_label(f, e->list);
        fputs("\",subject=\"", f);
        put_label(f, e->subject);
        fprintf(f, "\"} %d\n", e->listed);
    }
}

/* `mailcheck domain`: the worst-case count of each SPF walk. */
static void walk_metrics(FILE *f, const struct mc_report *r)
{
    if (r->nspf_walks == 0)
        return;
    family_header(f, "mailcheck_spf_worst_case_lookups",
                  "DNS-querying terms of the sender domain's whole SPF tree, whatever the "
                  "client (RFC 7208 section 4.6.4 allows 10).");
    for (size_t i = 0; i < r->nspf_walks; i++) {
        fputs("mailcheck_spf_worst_case_lookups{domain=\"", f);
        put_label(f, r->spf_walks[i].domain);
        fprintf(f, "\"} %u\n", r->spf_walks[i].dns_lookups);
    }
}

/* ---- mailcheck spf ---- */

static void spf_sample(FILE *f, const char *name, const struct mc_spf_output *o)
{
    fprintf(f, "%s{ip=\"", name);
    put_label(f, o->ip);
    fputs("\",sender=\"", f);
    put_label(f, o->verdict->sender);
    fputc('"', f);
}

char *mc_render_spf_openmetrics(const struct mc_spf_output *o, const struct mc_render_options *opt)
{
    (void)opt;
    static const enum mc_spf_result results[] = {MC_SPF_PASS,     MC_SPF_FAIL, MC_SPF_SOFTFAIL,
                                                 MC_SPF_NEUTRAL,  MC_SPF_NONE, MC_SPF_TEMPERROR,
                                                 MC_SPF_PERMERROR};
    const struct mc_spf_verdict *v = o->verdict;
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    family_header(f, "mailcheck_build_info", "mailcheck's version (always 1).");
    fprintf(f, "mailcheck_build_info{version=\"%s\"} 1\n", MAILCHECK_VERSION);
    family_header(f, "mailcheck_spf_status",
                  "Status of the SPF evaluation: 0 ok, 1 warning, 2 critical, 3 unknown "
                  "(the exit code).");
    spf_sample(f, "mailcheck_spf_status", o);
    fprintf(f, "} %d\n", o->exit_code & 3);
    family_header(f, "mailcheck_spf_result",
                  "SPF result (RFC 7208 section 2.6) as a state set: 1 for the result, 0 for "
                  "the others.");
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        spf_sample(f, "mailcheck_spf_result", o);
        fprintf(f, ",result=\"%s\"} %d\n", mc_spf_result_str(results[i]), v->result == results[i]);
    }
    family_header(f, "mailcheck_spf_dns_lookups",
                  "DNS-querying terms the evaluation used (RFC 7208 section 4.6.4 allows 10).");
    spf_sample(f, "mailcheck_spf_dns_lookups", o);
    fprintf(f, "} %u\n", v->dns_lookups);
    family_header(f, "mailcheck_spf_void_lookups",
                  "Void lookups of the evaluation (RFC 7208 section 4.6.4 allows 2).");
    spf_sample(f, "mailcheck_spf_void_lookups", o);
    fprintf(f, "} %u\n", v->void_lookups);
    family_header(f, "mailcheck_spf_duration_seconds", "Wall time of the SPF evaluation.");
    spf_sample(f, "mailcheck_spf_duration_seconds", o);
    fputs("} ", f);
    put_seconds(f, o->duration_ms);
    fputc('\n', f);
    return mc_render_buffer_close(&rb);
}
