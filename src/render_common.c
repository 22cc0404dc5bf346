/* SPDX-License-Identifier: MIT */
/*
 * render_common.c - what every renderer shares: making DNS-derived strings
 * printable ASCII, the evidence line of one lookup, the line of one step
 * of the SPF ledger, and the standard each finding code rests on.  Pure functions over the report
 * tree; results are malloc'd (caller frees) or static.
 */
#include "mc_render.h"
#include "mc_render_common.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_dns.h"
#include "mc_util.h"

static bool printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

size_t mc_render_safe_span(const char *s)
{
    size_t n = 0;
    while (s[n] && printable((unsigned char)s[n]))
        n++;
    return n;
}

char *mc_render_safe(const char *s)
{
    if (!s)
        return mc_xstrdup("");
    size_t len = strlen(s);
    char *out = mc_xmalloc(len * 4 + 1);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (printable(*p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '\\';
            out[o++] = (char)('0' + *p / 100);
            out[o++] = (char)('0' + *p / 10 % 10);
            out[o++] = (char)('0' + *p % 10);
        }
    }
    out[o] = '\0';
    return out;
}

/* RFC 1035 §4.1.1 and RFC 6895 §2.3 names of the common rcodes. */
static const char *rcode_str(int rcode, char *buf, size_t size)
{
    static const char *const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                        "NXDOMAIN", "NOTIMP",  "REFUSED"};
    if (rcode >= 0 && (size_t)rcode < sizeof names / sizeof names[0])
        return names[rcode];
    snprintf(buf, size, "RCODE%d", rcode);
    return buf;
}

char *mc_render_lookup_line(const struct mc_report_lookup *l)
{
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    char *name = mc_render_safe(l->name);
    fprintf(f, "%s %s: %s", l->type, name, l->outcome);
    free(name);
    for (size_t i = 0; i < l->nanswers; i++) {
        char *a = mc_render_safe(l->answers[i]);
        fprintf(f, "%s%s", i ? ", " : " ", a);
        free(a);
    }
    char rbuf[16];
    fputs(" (", f);
    if (l->rcode >= 0)
        fprintf(f, "rcode %s", rcode_str(l->rcode, rbuf, sizeof rbuf));
    else
        fputs("no reply", f);
    if (l->ttl >= 0)
        fprintf(f, ", TTL %ld", l->ttl);
    if (l->server) {
        char *server = mc_render_safe(l->server);
        fprintf(f, ", from %s", server);
        free(server);
    }
    if (l->why && strcmp(l->outcome, "answer") != 0) {
        char *why = mc_render_safe(l->why);
        fprintf(f, "; %s", why);
        free(why);
    }
    fputc(')', f);
    /* Every step of the chain with who answered it: a PTR reached through
     * an RFC 2317 CNAME is credited to the zone that holds it. */
    for (size_t i = 0; i < l->ncnames; i++) {
        char *owner = mc_render_safe(l->cnames[i].owner);
        char *target = mc_render_safe(l->cnames[i].target);
        char *server = mc_render_safe(l->cnames[i].server);
        fprintf(f, "%s CNAME %s -> %s (from %s)", i ? "," : "; via", owner, target, server);
        free(owner);
        free(target);
        free(server);
    }
    return mc_render_buffer_close(&rb);
}

static void put_safe(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    fputs(safe, f);
    free(safe);
}

char *mc_render_spf_step_line(const struct mc_spf_step *s)
{
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    if (s->term) {
        put_safe(f, s->term);
        if (s->target) {
            fputs(" -> ", f);
            put_safe(f, s->target);
        }
    } else if (s->target) {
        /* No term but a target: the evaluator validating the PTR names of
         * <ip> (RFC 7208 section 5.5) at the reverse name it asked. */
        fputs("PTR names of <ip>: ", f);
        put_safe(f, s->target);
    } else {
        fputs("record of ", f);
        put_safe(f, s->domain);
        if (s->record) {
            fputs(": ", f);
            put_safe(f, s->record);
        }
    }
    if (s->cost)
        fputs(" [1 lookup]", f);
    if (s->void_lookup)
        fputs(" [void]", f);
    if (s->matched)
        fputs(" [match]", f);
    if (s->note) {
        fputs(" (", f);
        put_safe(f, s->note);
        fputc(')', f);
    }
    return mc_render_buffer_close(&rb);
}

char *mc_render_spf_lookup_line(const struct mc_spf_lookup *l)
{
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    fprintf(f, "%s ", mc_dns_type_str(l->type));
    put_safe(f, l->name);
    fprintf(f, ": %s", mc_dns_outcome_str(l->outcome));
    for (size_t k = 0; k < l->nanswers; k++) {
        fputs(k ? ", " : " ", f);
        put_safe(f, l->answers[k]);
    }
    return mc_render_buffer_close(&rb);
}

/* The section of the standard behind each finding: what the text report
 * cites next to the reason, and JSON's "reference".  Sorted by code
 * (strcmp() order) for bsearch(): every finding of every report asks
 * (checked where NDEBUG is not defined). */
struct reference {
    const char *code, *reference;
};

static const struct reference references[] = {
    {"address-not-global", "RFC 6890 section 2.2"},
    {"host-cname", "RFC 5321 section 2.3.5"},
    {"host-no-address", "RFC 5321 section 4.1.4"},
    {"host-nxdomain", "RFC 5321 section 4.1.4"},
    {"lookup-failed", "RFC 8601 section 3"},
    {"ptr-invalid-name", "RFC 1123 section 2.1"},
    {"ptr-mismatch", "RFC 1912 section 2.1"},
    {"ptr-missing", "RFC 1912 section 2.1"},
    {"ptr-multiple", "RFC 1912 section 2.1"},
    {"ptr-unconfirmed", "RFC 8601 section 3"},
    {"spf-duplicate-include", "RFC 7208 section 5.2"},
    {"spf-fail", "RFC 7208 section 8.4"},
    {"spf-helo-fail", "RFC 7208 section 2.3"},
    {"spf-helo-neutral", "RFC 7208 section 2.3"},
    {"spf-helo-none", "RFC 7208 section 2.3"},
    {"spf-helo-permerror", "RFC 7208 section 2.3"},
    {"spf-helo-softfail", "RFC 7208 section 2.3"},
    {"spf-helo-temperror", "RFC 7208 section 2.3"},
    {"spf-include-loop", "RFC 7208 section 5.2"},
    {"spf-lookups-near-limit", "RFC 7208 section 4.6.4"},
    {"spf-neutral", "RFC 7208 section 8.2"},
    {"spf-neutral-all", "RFC 7208 section 5.1"},
    {"spf-no-all", "RFC 7208 section 4.7"},
    {"spf-none", "RFC 7208 section 8.1"},
    {"spf-permerror", "RFC 7208 section 8.7"},
    {"spf-plus-all", "RFC 7208 section 5.1"},
    {"spf-ptr", "RFC 7208 section 5.5"},
    {"spf-record-long", "RFC 7208 section 3.4"},
    {"spf-softfail", "RFC 7208 section 8.5"},
    {"spf-temperror", "RFC 7208 section 8.6"},
    {"spf-void-lookups", "RFC 7208 section 4.6.4"},
};

static int by_code(const void *key, const void *entry)
{
    return strcmp(key, ((const struct reference *)entry)->code);
}

const char *mc_render_finding_reference(const char *code)
{
    size_t n = sizeof references / sizeof references[0];
#ifndef NDEBUG
    for (size_t i = 1; i < n; i++)
        assert(strcmp(references[i - 1].code, references[i].code) < 0);
#endif
    const struct reference *found = bsearch(code, references, n, sizeof references[0], by_code);
    return found ? found->reference : NULL;
}

FILE *mc_render_buffer_open(struct mc_render_buffer *rb)
{
    *rb = (struct mc_render_buffer){0};
    rb->f = open_memstream(&rb->text, &rb->len);
    if (!rb->f)
        mc_oom();
    return rb->f;
}

char *mc_render_buffer_close(struct mc_render_buffer *rb)
{
    /* The text is complete (and rb->text valid) only after the fclose. */
    if (fclose(rb->f) != 0)
        mc_oom();
    return rb->text;
}
