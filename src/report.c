/* SPDX-License-Identifier: MIT */
/*
 * report.c - the result tree: findings, and the one rule that turns
 * findings into a status (mailcheck(1), EXIT STATUS: the worst finding
 * decides).  Ownership: the report's arena owns every string in it.
 */
#include "mc_report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_array.h"
#include "mc_dns.h"
#include "mc_util.h"

struct mc_report *mc_report_new(void)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_report *r = mc_arena_alloc(arena, sizeof *r);
    r->arena = arena;
    r->status = MC_STATE_OK;
    r->families[MC_FAMILY_IPV4].status = MC_VERDICT_NONE;
    r->families[MC_FAMILY_IPV6].status = MC_VERDICT_NONE;
    r->families[MC_FAMILY_IPV4].spf_lookups = -1;
    r->families[MC_FAMILY_IPV6].spf_lookups = -1;
    return r;
}

void mc_report_free(struct mc_report *report)
{
    if (report) /* every array of the report grows inside its arena */
        mc_arena_free(report->arena);
}

void mc_report_add_finding(struct mc_report *report, const char *code, enum mc_severity sev,
                           const char *subject, const char *message, const char *fix)
{
    mc_report_add_finding_at(report, code, sev, subject, message, fix, NULL, 0);
}

void mc_report_add_finding_at(struct mc_report *report, const char *code, enum mc_severity sev,
                              const char *subject, const char *message, const char *fix,
                              const char *file, unsigned line)
{
    if (report->nfindings == report->findings_cap) {
        size_t cap = report->findings_cap ? report->findings_cap * 2 : 8;
        struct mc_finding *grown = mc_arena_alloc(report->arena, cap * sizeof *grown);
        if (report->nfindings)
            memcpy(grown, report->findings, report->nfindings * sizeof *grown);
        report->findings = grown;
        report->findings_cap = cap;
    }
    report->findings[report->nfindings++] = (struct mc_finding){
        .code = mc_arena_strdup(report->arena, code),
        .severity = sev,
        .subject = mc_arena_strdup(report->arena, subject),
        .message = mc_arena_strdup(report->arena, message),
        .fix = mc_arena_strdup(report->arena, fix),
        .file = mc_arena_strdup(report->arena, file),
        .line = file ? line : 0,
    };
}

void mc_report_drop_findings(struct mc_report *report, const char *const *codes, size_t ncodes)
{
    size_t kept = 0;
    for (size_t i = 0; i < report->nfindings; i++) {
        bool drop = false;
        for (size_t j = 0; j < ncodes && !drop; j++)
            drop = strcmp(report->findings[i].code, codes[j]) == 0;
        if (!drop)
            report->findings[kept++] = report->findings[i];
    }
    report->nfindings = kept;
}

void mc_report_resolver_unusable(struct mc_report *report)
{
    /* What failed lookups would otherwise say: each failure on its own
     * (a blocklist's too: with nothing answered, every dnsbl-unusable is
     * a failed lookup), and what rests on names counted as having no
     * record under --offline, which nothing answered either. */
    static const char *const unfounded[] = {"lookup-failed", "spf-temperror", "dmarc-missing",
                                            "dmarc-walk-offline", "dnsbl-unusable"};
    mc_report_drop_findings(report, unfounded, sizeof unfounded / sizeof *unfounded);
    mc_report_add_finding(
        report, "resolver-unusable", MC_SEV_UNKNOWN, report->nresolvers ? report->resolvers[0] : "",
        "no lookup of the run was answered: the resolver is unusable, so nothing could be checked",
        "check --server and the network, or use --zone with --offline");
}

void mc_report_settle(struct mc_report *report)
{
    enum mc_state worst = MC_STATE_OK;
    for (size_t i = 0; i < report->nfindings; i++) {
        enum mc_state s = mc_severity_state(report->findings[i].severity);
        if (mc_state_worse(s, worst))
            worst = s;
    }
    report->status = worst;
}

static const char *describe_failure(struct mc_arena *arena, const struct mc_dns_result *r)
{
    const char *server = r->server ? r->server : "the resolver";
    switch (r->outcome) {
    case MC_DNS_SERVFAIL: return mc_arena_printf(arena, "SERVFAIL from %s", server);
    case MC_DNS_REFUSED: return mc_arena_printf(arena, "REFUSED from %s", server);
    case MC_DNS_RCODE:
        return mc_arena_printf(arena, "%s from %s", r->why ? r->why : "error rcode", server);
    case MC_DNS_MALFORMED:
        return mc_arena_printf(arena, "malformed reply from %s (%s)", server,
                               r->why ? r->why : "unreadable");
    default: return r->why ? r->why : mc_dns_outcome_str(r->outcome);
    }
}

void mc_report_lookup_failed(struct mc_report *rep, const struct mc_dns_result *r,
                             const char *purpose)
{
    if (r->outcome == MC_DNS_DEADLINE)
        return; /* the deadline makes one finding of its own */
    const char *subject = mc_arena_printf(rep->arena, "%s %s", mc_dns_type_str(r->qtype), r->qname);
    for (size_t i = 0; i < rep->nfindings; i++)
        if (strcmp(rep->findings[i].code, "lookup-failed") == 0 &&
            strcmp(rep->findings[i].subject, subject) == 0)
            return;
    /* Failed at the end of a CNAME chain: the zone to fix is the one of
     * the last target, which may be another operator's. */
    const char *where =
        r->ncnames > 0 && r->canonical
            ? mc_arena_printf(rep->arena, " at %s, the end of its CNAME chain", r->canonical)
            : "";
    mc_report_add_finding(
        rep, "lookup-failed", MC_SEV_CRITICAL, subject,
        mc_arena_printf(rep->arena, "the %s lookup of %s (%s) failed%s: %s",
                        mc_dns_type_str(r->qtype), r->qname, purpose, where,
                        describe_failure(rep->arena, r)),
        r->ncnames > 0 && r->canonical
            ? mc_arena_printf(rep->arena,
                              "fix the name servers of %s: receivers defer mail while this "
                              "lookup fails",
                              r->canonical)
            : "fix the zone's name servers: receivers defer mail while this lookup fails");
}

/* An IPv6 address in RFC 5952 form, NUL included, with room to spare. */
enum { ADDRESS_TEXT = 48 };

/* Sizes (P->next NULL) or copies the strings of R into L, in the one order
 * both passes share: name, server, why, the CNAME steps (into STEPS when
 * copying), then the answers (into ANSWERS when copying).  Inline: each
 * pass then drops what only the other needs (a call each cost 15 M
 * instructions in the 10,000-host batch). */
static inline void pack_lookup(struct mc_pack *p, struct mc_report_lookup *l,
                               const struct mc_dns_result *r, struct mc_report_cname *steps,
                               const char **answers)
{
    l->name = mc_pack_string(p, r->qname);
    l->server = mc_pack_string(p, r->server);
    l->why = mc_pack_string(p, r->why);
    for (size_t i = 0; i < r->ncnames; i++) {
        struct mc_report_cname step = {
            .owner = mc_pack_string(p, r->cname_chain[i]),
            .target = mc_pack_string(p, r->cname_targets ? r->cname_targets[i] : NULL),
            .server = mc_pack_string(p, r->cname_servers ? r->cname_servers[i] : NULL),
        };
        if (steps)
            steps[i] = step;
    }
    if (r->outcome != MC_DNS_ANSWER)
        return;
    for (size_t i = 0; i < r->count; i++) {
        const struct mc_dns_record *rec = &r->records[i];
        const char *text;
        if (rec->type == MC_DNS_T_A || rec->type == MC_DNS_T_AAAA) {
            char *room = mc_pack_room(p, ADDRESS_TEXT);
            text = NULL;
            if (room) {
                struct mc_ip ip = {.family = rec->type == MC_DNS_T_A ? AF_INET : AF_INET6};
                memcpy(ip.bytes, rec->addr, mc_ip_len(ip.family));
                text = mc_ip_format(&ip, room, ADDRESS_TEXT);
            }
        } else if (rec->name) {
            text = mc_pack_string(p, rec->name);
        } else {
            continue;
        }
        if (answers)
            answers[l->nanswers++] = text;
    }
}

/* The strings of a lookup go into one block sized first: a batch copies
 * every line's evidence, eight lookups of a sender domain and more. */
struct mc_report_lookup *mc_report_lookup_copy(struct mc_report *report,
                                               const struct mc_dns_result *r)
{
    struct mc_arena *ar = report->arena;
    struct mc_pack sizing = {0};
    struct mc_report_lookup scratch = {0};
    pack_lookup(&sizing, &scratch, r, NULL, NULL);

    struct mc_report_lookup *l = mc_arena_alloc(ar, sizeof *l);
    *l = (struct mc_report_lookup){
        .type = mc_dns_type_str(r->qtype),
        .outcome = mc_dns_outcome_str(r->outcome),
        .rcode = r->rcode,
        .ttl = mc_dns_outcome_answered(r->outcome) ? (long)r->ttl : -1,
        .ncnames = r->ncnames,
        .serial = r->serial,
    };
    struct mc_report_cname *steps =
        r->ncnames ? mc_arena_alloc(ar, r->ncnames * sizeof *steps) : NULL;
    const char **answers =
        r->outcome == MC_DNS_ANSWER ? mc_arena_alloc(ar, (r->count + 1) * sizeof *answers) : NULL;
    struct mc_pack p = {.next = mc_arena_alloc(ar, sizing.size ? sizing.size : 1)};
    pack_lookup(&p, l, r, steps, answers);
    l->cnames = steps;
    l->answers = answers;
    return l;
}

struct mc_report_spf_walk *mc_report_spf_walk_add(struct mc_report *report,
                                                  const struct mc_spf_verdict *v)
{
    struct mc_arena *ar = report->arena;
    MC_ARENA_ARRAY_RESERVE(report->arena, report->spf_walks, report->spf_walks_cap,
                           report->nspf_walks + 1);
    struct mc_report_spf_walk *w = &report->spf_walks[report->nspf_walks++];
    /* mc_spf_eval_walk_start(): neutral means walked to the end. */
    *w = (struct mc_report_spf_walk){
        .domain = mc_arena_strdup(ar, v->domain),
        .result = v->result == MC_SPF_NEUTRAL ? "complete" : mc_spf_result_str(v->result),
        .why = v->result == MC_SPF_NEUTRAL ? NULL : mc_arena_strdup(ar, v->why),
        .dns_lookups = v->dns_lookups,
        .void_lookups = v->void_lookups,
        .client_terms = v->client_terms,
        .nsteps = v->nsteps,
    };
    struct mc_spf_step *steps = mc_arena_alloc(ar, (v->nsteps + 1) * sizeof *steps);
    for (size_t i = 0; i < v->nsteps; i++) {
        const struct mc_spf_step *s = &v->steps[i];
        steps[i] = *s;
        steps[i].domain = mc_arena_strdup(ar, s->domain);
        steps[i].record = mc_arena_strdup(ar, s->record);
        steps[i].term = mc_arena_strdup(ar, s->term);
        steps[i].target = mc_arena_strdup(ar, s->target);
        steps[i].note = mc_arena_strdup(ar, s->note);
        steps[i].lookups = mc_arena_alloc(ar, (s->nlookups + 1) * sizeof *steps[i].lookups);
        for (size_t j = 0; j < s->nlookups; j++) {
            const struct mc_spf_lookup *l = &s->lookups[j];
            struct mc_spf_lookup *c = &steps[i].lookups[j];
            *c = *l;
            c->name = mc_arena_strdup(ar, l->name);
            c->why = mc_arena_strdup(ar, l->why);
            c->answers = mc_arena_alloc(ar, (l->nanswers + 1) * sizeof *c->answers);
            for (size_t k = 0; k < l->nanswers; k++)
                c->answers[k] = mc_arena_strdup(ar, l->answers[k]);
        }
        if (!w->record && s->depth == 0 && s->record)
            w->record = steps[i].record;
    }
    w->steps = steps;
    return w;
}
