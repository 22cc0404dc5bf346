/* SPDX-License-Identifier: MIT */
/*
 * render_text.c - the human report: the status line, each family with its
 * addresses, PTR names and verdicts, the sender domains (and, for
 * `mailcheck domain`, the SPF walks), then one line per finding with its
 * reason, the standard it rests on and the fix.  At -v, the evidence: every
 * lookup behind a verdict with its outcome, rcode, TTL and the server that
 * answered, then the run's counts.  Colour only when the CLI asks for it
 * (a terminal, no NO_COLOR).  Every string that came from DNS goes through
 * mc_render_safe.
 */
#include "mc_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_render_common.h"
#include "mc_render_dnsbl.h"
#include "mc_render_domain.h"
#include "mc_util.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define MAGENTA "\033[35m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

struct out {
    FILE *f;
    bool color;
};

/* Prints S made safe, optionally coloured. */
static void put_safe(struct out *o, const char *color, const char *s)
{
    char *safe = mc_render_safe(s);
    if (o->color && color)
        fprintf(o->f, "%s%s%s", color, safe, RESET);
    else
        fputs(safe, o->f);
    free(safe);
}

static const char *state_color(enum mc_state s)
{
    switch (s) {
    case MC_STATE_OK: return GREEN;
    case MC_STATE_WARNING: return YELLOW;
    case MC_STATE_CRITICAL: return RED;
    case MC_STATE_UNKNOWN: return MAGENTA;
    }
    return NULL;
}

static const char *verdict_color(enum mc_verdict v)
{
    switch (v) {
    case MC_VERDICT_PASS: return GREEN;
    case MC_VERDICT_MISMATCH: return YELLOW;
    case MC_VERDICT_ERROR:
    case MC_VERDICT_FAIL: return RED;
    case MC_VERDICT_NONE: return NULL;
    }
    return NULL;
}

static const char *severity_color(enum mc_severity s)
{
    return state_color(mc_severity_state(s));
}

/* Prints TEXT padded to WIDTH columns (TEXT is ASCII). */
static void put_padded(struct out *o, const char *color, const char *text, int width)
{
    put_safe(o, color, text);
    int pad = width - (int)strlen(text);
    fprintf(o->f, "%*s", pad > 0 ? pad : 0, "");
}

static void status_line(struct out *o, const struct mc_report *r)
{
    const char *state = mc_state_word(r->status);
    put_safe(o, o->color ? BOLD : NULL,
             r->host     ? r->host
             : r->domain ? r->domain
                         : (r->input ? r->input : "?"));
    if (r->host_unicode) {
        fputs(" (", o->f);
        fputs(r->host_unicode, o->f);
        fputs(")", o->f);
    }
    fputs(": ", o->f);
    put_safe(o, state_color(r->status), state);
    size_t counts[4] = {0};
    for (size_t i = 0; i < r->nfindings; i++)
        counts[r->findings[i].severity]++;
    if (counts[MC_SEV_CRITICAL] || counts[MC_SEV_UNKNOWN] || counts[MC_SEV_WARNING]) {
        fprintf(o->f, " (");
        const char *sep = "";
        if (counts[MC_SEV_CRITICAL])
            fprintf(o->f, "%s%zu critical", sep, counts[MC_SEV_CRITICAL]), sep = ", ";
        if (counts[MC_SEV_UNKNOWN])
            fprintf(o->f, "%s%zu unknown", sep, counts[MC_SEV_UNKNOWN]), sep = ", ";
        if (counts[MC_SEV_WARNING])
            fprintf(o->f, "%s%zu warning%s", sep, counts[MC_SEV_WARNING],
                    counts[MC_SEV_WARNING] > 1 ? "s" : "");
        fputc(')', o->f);
    }
    fputc('\n', o->f);
}

/* One evidence line, indented by INDENT columns. */
static void evidence_line(struct out *o, int indent, const struct mc_report_lookup *l)
{
    char *line = mc_render_lookup_line(l);
    fprintf(o->f, "%*s", indent, "");
    fputs(line, o->f); /* already printable ASCII */
    fputc('\n', o->f);
    free(line);
}

/* The widest address of the report, so that both families line up. */
static int address_width(const struct mc_report *r)
{
    int width = 0;
    for (int fam = 0; fam < 2; fam++) {
        for (size_t i = 0; i < r->families[fam].naddresses; i++) {
            int n = (int)strlen(r->families[fam].addresses[i]->address);
            width = n > width ? n : width;
        }
    }
    return width;
}

static void family_block(struct out *o, const char *label, const struct mc_report_family *f,
                         const struct mc_report *r, int verbose)
{
    fprintf(o->f, "  %-6s", label);
    put_safe(o, verdict_color(f->status), mc_verdict_str(f->status));
    if (f->naddresses == 0)
        fprintf(o->f, "%s", f->required ? "  (required, but no address)" : "  (no address)");
    fputc('\n', o->f);
    if (verbose > 0 && f->host_lookup)
        evidence_line(o, 8, f->host_lookup);
    int width = address_width(r);
    for (size_t i = 0; i < f->naddresses; i++) {
        const struct mc_report_address *a = f->addresses[i];
        fputs("    ", o->f);
        put_padded(o, NULL, a->address, width + 2);
        put_padded(o, verdict_color(a->status), mc_verdict_str(a->status), 10);
        if (a->nptr == 0) {
            fputs(a->status == MC_VERDICT_ERROR ? "PTR lookup failed" : "no PTR", o->f);
        } else {
            fputs("PTR ", o->f);
            for (size_t j = 0; j < a->nptr; j++) {
                if (j)
                    fputs(", ", o->f);
                put_safe(o, NULL, a->ptr[j]);
            }
        }
        fprintf(o->f, "  [FCrDNS %s", mc_fcrdns_str(a->fcrdns));
        if (a->from_option)
            fputs(a->from_host ? ", --address" : ", --address only", o->f);
        fputs("]\n", o->f);
        for (size_t j = 0; j < a->nspf; j++) {
            const struct mc_report_spf *sp = &a->spf[j];
            bool pass = strcmp(sp->result, "pass") == 0;
            fprintf(o->f, "    %*s  SPF %-8s ", width, "", sp->identity);
            put_padded(o, pass ? GREEN : (j + 1 < a->nspf ? RED : NULL), sp->result, 10);
            put_safe(o, NULL, sp->domain);
            if (sp->mechanism) {
                fputs(" by '", o->f);
                put_safe(o, NULL, sp->mechanism);
                fputc('\'', o->f);
            }
            fprintf(o->f, " (%u lookup%s)\n", sp->dns_lookups, sp->dns_lookups == 1 ? "" : "s");
        }
        for (size_t j = 0; verbose > 0 && j < a->nlookups; j++)
            evidence_line(o, 6 + width, &a->lookups[j]);
    }
}

/* One line per (list, subject) asked (mailcheck(1), BLOCKLISTS). */
static void dnsbl_block(struct out *o, const struct mc_report *r)
{
    if (!r->dnsbl_asked)
        return;
    fprintf(o->f, "  Blocklists%s\n", r->ndnsbl ? "" : "  (nothing asked)");
    for (size_t i = 0; i < r->ndnsbl; i++) {
        const struct mc_report_dnsbl *e = &r->dnsbl[i];
        char *verdict = mc_render_dnsbl_verdict(e);
        fputs("    ", o->f);
        put_safe(o, NULL, e->list);
        fputs("  ", o->f);
        put_safe(o, NULL, e->subject);
        fputs("  ", o->f);
        put_safe(o, e->listed == 1 ? RED : e->listed < 0 ? MAGENTA : GREEN, verdict);
        fputc('\n', o->f);
        free(verdict);
    }
}

char *mc_render_text(const struct mc_report *r, const struct mc_render_options *opt)
{
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    struct out o = {.f = f, .color = opt->color};
    status_line(&o, r);
    if (!opt->quiet) {
        if (r->host) {
            family_block(&o, "IPv4", &r->families[MC_FAMILY_IPV4], r, opt->verbose);
            family_block(&o, "IPv6", &r->families[MC_FAMILY_IPV6], r, opt->verbose);
        }
        for (size_t i = 0; i < r->ndomains; i++)
            mc_render_domain_text(f, r->domains[i], opt->verbose);
        for (size_t i = 0; i < r->nspf_walks; i++)
            mc_render_spf_walk_text(f, &r->spf_walks[i], opt->verbose);
        dnsbl_block(&o, r);
        if (r->nfindings)
            fputs("findings:\n", f);
        for (size_t i = 0; i < r->nfindings; i++) {
            const struct mc_finding *fi = &r->findings[i];
            fputs("  ", f);
            put_padded(&o, severity_color(fi->severity), mc_severity_word(fi->severity), 9);
            put_safe(&o, NULL, fi->message);
            const char *ref = mc_render_finding_reference(fi->code);
            fprintf(f, " [%s%s%s]\n", fi->code, ref ? "; " : "", ref ? ref : "");
            if (fi->fix) {
                fputs("           fix: ", f);
                put_safe(&o, NULL, fi->fix);
                fputc('\n', f);
            }
        }
        if (opt->verbose > 0) {
            fprintf(f, "%lu DNS quer%s sent, %lld ms, resolvers:", r->queries,
                    r->queries == 1 ? "y" : "ies", (long long)r->duration_ms);
            for (size_t i = 0; i < r->nresolvers; i++) {
                fputc(' ', f);
                put_safe(&o, NULL, r->resolvers[i]);
            }
            fputs(r->nresolvers ? "\n" : " none\n", f);
        }
    }
    return mc_render_buffer_close(&rb);
}
