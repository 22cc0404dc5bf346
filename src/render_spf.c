/* SPDX-License-Identifier: MIT */
/*
 * render_spf.c - `mailcheck spf` output: text (the result word first, then
 * a Received-SPF header line, RFC 7208 §9.1) and JSON (result, counts and,
 * when the options ask for it, the ledger as "trace").  Every string from DNS or the command line
 * is escaped: mc_render_safe() for text and JSON, and header quoting on top.
 */
#include "mc_render_spf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_dns.h"
#include "mc_render_common.h"
#include "mc_json.h"
#include "mc_util.h"

/* A Received-SPF value: quoted-string with " and \ escaped. */
static void put_quoted(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    fputc('"', f);
    for (const char *p = safe; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', f);
        fputc(*p, f);
    }
    fputc('"', f);
    free(safe);
}

static void put_safe(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    fputs(safe, f);
    free(safe);
}

/* Text inside the header's comment (RFC 5322 §3.2.2): balanced
 * parentheses are nested comments and stay; otherwise every "(" and ")"
 * becomes a quoted-pair, so that a parenthesis from DNS (a bad term in a
 * `why`) can neither end the comment early nor leave it open.  "\" is
 * always quoted. */
static void put_ctext(FILE *f, const char *s)
{
    char *safe = mc_render_safe(s);
    long depth = 0;
    bool balanced = true;
    for (const char *p = safe; *p && balanced; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        balanced = depth >= 0;
    }
    balanced = balanced && depth == 0;
    for (const char *p = safe; *p; p++) {
        if (*p == '\\' || (!balanced && (*p == '(' || *p == ')')))
            fputc('\\', f);
        fputc(*p, f);
    }
    free(safe);
}

/* The comment of the Received-SPF header, as RFC 7208 §9.1 words it. */
static void header_comment(FILE *f, const struct mc_spf_output *o)
{
    const struct mc_spf_verdict *v = o->verdict;
    fputs("(mailcheck: ", f);
    switch (v->result) {
    case MC_SPF_PASS:
        fputs("domain of ", f);
        put_ctext(f, v->sender);
        fprintf(f, " designates %s as permitted sender", o->ip);
        break;
    case MC_SPF_FAIL:
    case MC_SPF_SOFTFAIL:
        fputs("domain of ", f);
        put_ctext(f, v->sender);
        fprintf(f, " does not designate %s as permitted sender", o->ip);
        break;
    case MC_SPF_NEUTRAL:
        fprintf(f, "%s is neither permitted nor denied by domain of ", o->ip);
        put_ctext(f, v->sender);
        break;
    case MC_SPF_NONE:
        fputs("domain of ", f);
        put_ctext(f, v->sender);
        fputs(" does not provide an SPF record", f);
        break;
    case MC_SPF_TEMPERROR:
    case MC_SPF_PERMERROR:
        fputs(v->result == MC_SPF_TEMPERROR ? "temporary" : "permanent", f);
        fputs(" error evaluating the SPF of ", f);
        put_ctext(f, v->domain);
        if (v->why) {
            fputs(": ", f);
            put_ctext(f, v->why);
        }
        break;
    }
    fputc(')', f);
}

char *mc_render_spf_text(const struct mc_spf_output *o, const struct mc_render_options *opt)
{
    const struct mc_spf_verdict *v = o->verdict;
    struct mc_render_buffer rb;
    FILE *f = mc_render_buffer_open(&rb);
    fprintf(f, "%s\n", mc_spf_result_str(v->result));
    fprintf(f, "Received-SPF: %s ", mc_spf_result_str(v->result));
    header_comment(f, o);
    fprintf(f, " client-ip=%s; envelope-from=", o->ip);
    put_quoted(f, v->sender);
    if (o->helo) {
        fputs("; helo=", f);
        put_quoted(f, o->helo);
    }
    fputs("; identity=mailfrom", f);
    if (v->mechanism) {
        fputs("; mechanism=", f);
        put_quoted(f, v->mechanism);
    }
    if (v->result == MC_SPF_PERMERROR && v->why) {
        fputs("; problem=", f);
        put_quoted(f, v->why);
    }
    fputs("; receiver=mailcheck;\n", f);
    if (!opt->quiet) {
        if (v->explanation) {
            fputs("explanation: ", f);
            put_safe(f, v->explanation);
            fputc('\n', f);
        }
        if (v->why && v->result != MC_SPF_PERMERROR) {
            fputs("why: ", f);
            put_safe(f, v->why);
            fputc('\n', f);
        }
        fprintf(f, "lookups: %u of 10, void lookups: %u of 2\n", v->dns_lookups, v->void_lookups);
        for (size_t i = 0; i < o->nlint; i++) {
            fprintf(f, "%-8s ", mc_severity_word(o->lint[i].severity));
            put_safe(f, o->lint[i].message);
            fprintf(f, " [%s]\n", o->lint[i].code);
        }
        if (opt->verbose > 0) {
            fputs("trace:\n", f);
            for (size_t i = 0; i < v->nsteps; i++) {
                const struct mc_spf_step *s = &v->steps[i];
                int indent = (int)s->depth * 2;
                char *line = mc_render_spf_step_line(s);
                fprintf(f, "  %*s%s\n", indent, "", line); /* printable ASCII */
                free(line);
                for (size_t j = 0; j < s->nlookups && opt->verbose > 1; j++) {
                    line = mc_render_spf_lookup_line(&s->lookups[j]);
                    fprintf(f, "  %*s  %s\n", indent, "", line);
                    free(line);
                }
            }
        }
    }
    return mc_render_buffer_close(&rb);
}

struct mc_json *mc_json_spf_trace(const struct mc_spf_step *steps, size_t nsteps)
{
    struct mc_json *trace = mc_json_array();
    for (size_t i = 0; i < nsteps; i++) {
        const struct mc_spf_step *s = &steps[i];
        struct mc_json *o = mc_json_object();
        mc_json_set(o, "depth", mc_json_integer(s->depth));
        mc_json_set(o, "domain", mc_json_safe_string(s->domain));
        if (s->record)
            mc_json_set(o, "record", mc_json_safe_string(s->record));
        mc_json_set(o, "term", mc_json_safe_string(s->term));
        if (s->target)
            mc_json_set(o, "target", mc_json_safe_string(s->target));
        mc_json_set(o, "cost", mc_json_integer(s->cost));
        mc_json_set(o, "void", mc_json_bool(s->void_lookup));
        mc_json_set(o, "matched", mc_json_bool(s->matched));
        if (s->note)
            mc_json_set(o, "note", mc_json_safe_string(s->note));
        struct mc_json *lookups = mc_json_array();
        for (size_t j = 0; j < s->nlookups; j++) {
            const struct mc_spf_lookup *l = &s->lookups[j];
            struct mc_json *lo = mc_json_object();
            mc_json_set(lo, "name", mc_json_safe_string(l->name));
            mc_json_set(lo, "type", mc_json_literal(mc_dns_type_str(l->type)));
            mc_json_set(lo, "outcome", mc_json_literal(mc_dns_outcome_str(l->outcome)));
            struct mc_json *answers = mc_json_array();
            for (size_t k = 0; k < l->nanswers; k++)
                mc_json_append(answers, mc_json_safe_string(l->answers[k]));
            mc_json_set(lo, "answers", answers);
            if (l->why && !mc_dns_outcome_answered(l->outcome))
                mc_json_set(lo, "why", mc_json_safe_string(l->why));
            mc_json_append(lookups, lo);
        }
        mc_json_set(o, "lookups", lookups);
        mc_json_append(trace, o);
    }
    return trace;
}

char *mc_render_spf_json(const struct mc_spf_output *o, const struct mc_render_options *opt)
{
    const struct mc_spf_verdict *v = o->verdict;
    static const char *const status_of_exit[] = {"ok", "warning", "critical", "unknown"};
    mc_json_begin();
    struct mc_json *doc = mc_json_object();
    mc_json_set(doc, "schema_version", mc_json_integer(1));
    mc_json_set(doc, "version", mc_json_literal(MAILCHECK_VERSION));
    mc_json_set(doc, "command", mc_json_literal("spf"));
    if (o->line > 0) { /* --batch: where the result comes from */
        mc_json_set(doc, "line", mc_json_integer((long long)o->line));
        mc_json_set(doc, "input", mc_json_safe_string(o->input));
    }
    mc_json_set(doc, "ip", mc_json_safe_string(o->ip));
    mc_json_set(doc, "sender", mc_json_safe_string(v->sender));
    mc_json_set(doc, "helo", mc_json_safe_string(o->helo));
    mc_json_set(doc, "domain", mc_json_safe_string(v->domain));
    mc_json_set(doc, "result", mc_json_literal(mc_spf_result_str(v->result)));
    if (v->explanation)
        mc_json_set(doc, "explanation", mc_json_safe_string(v->explanation));
    mc_json_set(doc, "mechanism", mc_json_safe_string(v->mechanism));
    if (v->why)
        mc_json_set(doc, "why", mc_json_safe_string(v->why));
    mc_json_set(doc, "dns_lookups", mc_json_integer(v->dns_lookups));
    mc_json_set(doc, "void_lookups", mc_json_integer(v->void_lookups));
    mc_json_set(doc, "status", mc_json_literal(status_of_exit[o->exit_code & 3]));
    mc_json_set(doc, "exit_code", mc_json_integer(o->exit_code));
    mc_json_set(doc, "duration_ms", mc_json_integer(o->duration_ms));
    struct mc_json *findings = mc_json_array();
    for (size_t i = 0; i < o->nlint; i++) {
        struct mc_json *fo = mc_json_object();
        mc_json_set(fo, "code", mc_json_literal(o->lint[i].code));
        mc_json_set(fo, "severity", mc_json_literal(mc_severity_str(o->lint[i].severity)));
        mc_json_set(fo, "subject", mc_json_safe_string(o->lint[i].subject));
        mc_json_set(fo, "message", mc_json_safe_string(o->lint[i].message));
        mc_json_append(findings, fo);
    }
    mc_json_set(doc, "findings", findings);
    if (opt->trace) /* mailcheck(1): always in json, in jsonl with --trace */
        mc_json_set(doc, "trace", mc_json_spf_trace(v->steps, v->nsteps));
    return mc_json_end(doc, opt->pretty);
}

int mc_spf_exit_code(enum mc_spf_result result)
{
    switch (result) {
    case MC_SPF_PASS: return 0;
    case MC_SPF_SOFTFAIL:
    case MC_SPF_NEUTRAL:
    case MC_SPF_NONE: return 1;
    default: return 2;
    }
}
