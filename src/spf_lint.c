/* SPDX-License-Identifier: MIT */
/*
 * spf_lint.c - lint findings from an evaluation's ledger (see
 * mc_spf_lint.h).  Pure: reads the verdict (and, for the deadline, what
 * the evaluation waits for), allocates findings in the caller's arena.
 */
#include "mc_spf_lint.h"

#include <string.h>

#include "mc_util.h"

static void add(struct mc_arena *arena, struct mc_spf_lint **items, size_t *n, const char *code,
                bool warning, const char *subject, const char *message)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*items)[i].code, code) == 0 && mc_name_equal((*items)[i].subject, subject))
            return;
    struct mc_spf_lint *grown = mc_arena_alloc(arena, (*n + 1) * sizeof *grown);
    if (*n)
        memcpy(grown, *items, *n * sizeof *grown);
    grown[*n] = (struct mc_spf_lint){
        .code = code,
        .severity = warning ? MC_SEV_WARNING : MC_SEV_INFO,
        .subject = mc_arena_strdup(arena, subject),
        .message = message,
    };
    *items = grown;
    (*n)++;
}

static void lint_record(const struct mc_spf_seen *s, struct mc_arena *arena,
                        struct mc_spf_lint **items, size_t *n)
{
    const char *d = s->domain;
    if (s->len > MC_SPF_LINT_RECORD_MAX)
        add(arena, items, n, "spf-record-long", true, d,
            mc_arena_printf(arena,
                            "the SPF record of %s is %zu octets; over 450 it may not fit a "
                            "512-octet UDP answer (RFC 7208 section 3.4)",
                            d, s->len));
    const struct mc_spf_record *rec = s->parsed;
    if (!rec)
        return;
    bool has_all = false;
    for (size_t i = 0; i < rec->nterms; i++) {
        const struct mc_spf_term *t = &rec->terms[i];
        switch (t->kind) {
        case MC_SPF_TERM_ALL:
            has_all = true;
            if (t->qualifier == MC_SPF_PASS)
                add(arena, items, n, "spf-plus-all", true, d,
                    mc_arena_printf(arena,
                                    "the SPF record of %s ends in '%s': every host on the "
                                    "Internet may send as %s",
                                    d, t->text, d));
            else if (t->qualifier == MC_SPF_NEUTRAL && !s->via_include)
                add(arena, items, n, "spf-neutral-all", false, d,
                    mc_arena_printf(arena,
                                    "the SPF record of %s ends in '?all': it asserts nothing "
                                    "about other hosts",
                                    d));
            break;
        case MC_SPF_TERM_PTR:
            add(arena, items, n, "spf-ptr", true, d,
                mc_arena_printf(arena,
                                "the SPF record of %s uses '%s', which RFC 7208 section 5.5 "
                                "says not to use (slow, unreliable)",
                                d, t->text));
            break;
        case MC_SPF_TERM_INCLUDE:
            for (size_t j = 0; j < i; j++)
                if (rec->terms[j].kind == MC_SPF_TERM_INCLUDE && rec->terms[j].domain_spec &&
                    t->domain_spec &&
                    mc_ascii_strcasecmp(rec->terms[j].domain_spec, t->domain_spec) == 0)
                    add(arena, items, n, "spf-duplicate-include", false, d,
                        mc_arena_printf(arena,
                                        "the SPF record of %s includes %s twice; the second "
                                        "costs a lookup and can never match",
                                        d, t->domain_spec));
            break;
        default: break;
        }
    }
    /* In a record reached through include, neutral (no all, or ?all) is
     * the usual way to say "no match" to the including record (RFC 7208
     * §5.2); only where a record decides for its own domain does it leave
     * other hosts neutral. */
    if (!has_all && !rec->redirect && !s->via_include)
        add(arena, items, n, "spf-no-all", false, d,
            mc_arena_printf(arena,
                            "the SPF record of %s has no 'all' and no 'redirect': other hosts "
                            "get neutral",
                            d));
}

void mc_spf_lint_collect(const struct mc_spf_verdict *v, struct mc_arena *arena,
                         struct mc_spf_lint **items, size_t *n)
{
    for (size_t i = 0; i < v->nseen; i++)
        lint_record(&v->seen[i], arena, items, n);
    if (v->dns_lookups >= MC_SPF_LINT_LOOKUPS_NEAR && v->dns_lookups <= MC_SPF_MAX_DNS_TERMS)
        add(arena, items, n, "spf-lookups-near-limit", true, v->domain,
            mc_arena_printf(arena,
                            "evaluating the SPF of %s took %u of the 10 DNS-querying terms "
                            "allowed (RFC 7208 section 4.6.4)",
                            v->domain, v->dns_lookups));
    if (v->void_lookups > 0 && v->void_lookups <= MC_SPF_MAX_VOID)
        add(arena, items, n, "spf-void-lookups", false, v->domain,
            mc_arena_printf(arena,
                            "evaluating the SPF of %s made %u void lookup%s (names without "
                            "data; 3 make a permerror)",
                            v->domain, v->void_lookups, v->void_lookups > 1 ? "s" : ""));
    if (v->include_loop)
        add(arena, items, n, "spf-include-loop", true, v->domain,
            mc_arena_printf(arena,
                            "the SPF of %s includes or redirects back to a domain already "
                            "being evaluated (a loop, not a mere duplicate include)",
                            v->domain));
}

void mc_spf_lint_timeout(const struct mc_spf_eval *cut, enum mc_state state, struct mc_arena *arena,
                         struct mc_spf_lint **items, size_t *n)
{
    const char *domain = mc_spf_eval_verdict(cut)->domain, *name, *stage;
    uint16_t type;
    if (mc_spf_eval_awaiting(cut, &name, &type))
        stage = mc_arena_printf(arena, "the %s lookup of %s", mc_dns_type_str(type), name);
    else
        stage = mc_arena_printf(arena, "the SPF evaluation of %s", domain);
    struct mc_spf_lint *grown = mc_arena_alloc(arena, (*n + 1) * sizeof *grown);
    /* First: the reason the result is what it is, before any lint. */
    if (*n)
        memcpy(grown + 1, *items, *n * sizeof *grown);
    grown[0] = (struct mc_spf_lint){
        .code = "timeout",
        .severity = mc_state_severity(state),
        .subject = mc_arena_strdup(arena, domain),
        .message = mc_arena_printf(arena, "the deadline (-t) passed while waiting for %s", stage),
    };
    *items = grown;
    (*n)++;
}
