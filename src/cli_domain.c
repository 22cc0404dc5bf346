/* SPDX-License-Identifier: MIT */
/*
 * cli_domain.c - `mailcheck domain DOMAIN` (mailcheck(1), SENDER DOMAINS):
 * the sender-domain report alone, without server addresses.  DOMAIN is the
 * MAIL FROM domain and, unless --header-from names others, the From
 * domain; every domain gets the report of mc_domain_start(), and DOMAIN's
 * SPF record tree is walked without a client (mc_spf_eval_walk_start()):
 * the record, its lint and the worst-case count, no SPF verdict.  SPF
 * alignment is then unknown, so the DMARC result rests on DKIM.
 *
 * One report tree (mc_report with host NULL and domain set) goes to the
 * renderers of the host check.  Ownership: the operations, the walks and
 * the report are freed here; the report's strings are copies.
 */
#include <stdlib.h>
#include <string.h>

#include "mc_cli_batch.h"
#include "mc_cli_private.h"
#include "mc_dns.h"
#include "mc_domain.h"
#include "mc_hostname.h"
#include "mc_psl.h"
#include "mc_spf_eval.h"
#include "mc_spf_lint.h"
#include "mc_util.h"

/* Prefetches nobody waits for may still be out when the last operation
 * ends: they change nothing. */
static void domain_cb(void *arg, struct mc_domain *domain)
{
    (void)domain;
    mc_resolver_op_ended(arg);
}

static void walk_cb(void *arg, struct mc_spf_eval *eval)
{
    (void)eval;
    mc_resolver_op_ended(arg);
}

/* The walk's result as findings, with the codes of the host check's SPF
 * (mailcheck(1), FINDINGS): none warning, permerror and temperror
 * critical; a walk the deadline cut makes none (the deadline has its
 * own).  Then the lint of every record walked. */
static void walk_findings(struct mc_report *rep, const struct mc_spf_verdict *v)
{
    struct mc_arena *ar = rep->arena;
    const char *code = NULL, *what = NULL, *fix = NULL;
    enum mc_severity sev = MC_SEV_CRITICAL;
    switch (v->result) {
    case MC_SPF_NONE:
        code = "spf-none", sev = MC_SEV_WARNING;
        what = mc_arena_printf(ar, "%s has no SPF record (none)", v->domain);
        fix = mc_arena_printf(ar,
                              "publish an SPF record for %s naming the servers that send its "
                              "mail (RFC 7208 section 3), ending in -all or ~all",
                              v->domain);
        break;
    case MC_SPF_PERMERROR:
        code = "spf-permerror";
        /* The walk follows every branch: the error is for the clients
         * that reach it, those no earlier term matches. */
        what = mc_arena_printf(ar,
                               "the SPF record tree of %s gives permerror for every client no "
                               "term before the error matches: %s",
                               v->domain, v->why ? v->why : "?");
        fix =
            mc_arena_printf(ar, "fix the SPF record of %s (see the trace: mailcheck domain -v %s)",
                            v->domain, v->domain);
        break;
    case MC_SPF_TEMPERROR:
        if (v->deadline)
            break;
        code = "spf-temperror";
        what = mc_arena_printf(ar, "a lookup of the SPF record tree of %s failed (temperror): %s",
                               v->domain, v->why ? v->why : "?");
        fix = "fix the DNS servers that failed: receivers defer mail meanwhile";
        break;
    default: break;
    }
    if (code)
        mc_report_add_finding(rep, code, sev, v->domain, what, fix);
    struct mc_spf_lint *lint = NULL;
    size_t nlint = 0;
    mc_spf_lint_collect(v, ar, &lint, &nlint);
    for (size_t i = 0; i < nlint; i++)
        mc_report_add_finding(rep, lint[i].code, lint[i].severity, lint[i].subject, lint[i].message,
                              NULL);
}

/* -t passed: one finding of the -t state, naming what was still awaited
 * (mailcheck(1), -t). */
static void deadline_finding(const struct cli *cli, struct mc_report *rep,
                             struct mc_spf_eval *const *walks, size_t nwalks)
{
    const char *stage = NULL;
    for (size_t i = 0; i < nwalks && !stage; i++) {
        const char *name;
        uint16_t type;
        if (mc_spf_eval_awaiting(walks[i], &name, &type))
            stage = mc_arena_printf(rep->arena, "%s %s (the SPF walk of %s)", mc_dns_type_str(type),
                                    name, mc_spf_eval_verdict(walks[i])->domain);
    }
    mc_report_add_finding(rep, "timeout", mc_state_severity(cli->deadline_state), rep->domain,
                          mc_arena_printf(rep->arena,
                                          "the check's deadline passed while waiting for %s",
                                          stage ? stage : "the sender-domain lookups"),
                          "raise -t/--timeout, or find out why the name servers answer slowly");
}

/* Runs the report of REQS[0..N) and the walk of DOMAIN on RES; fills REP. */
static void run_report(const struct cli *cli, struct mc_resolver *res,
                       const struct mc_domain_request *reqs, size_t n, const char *domain,
                       int64_t deadline_ms, struct mc_report *rep)
{
    struct mc_resolver_ops run = {.res = res, .pending = n + 1}; /* the domains and the walk */
    struct mc_domain **ops = mc_xcalloc(n + 1, sizeof *ops);
    for (size_t i = 0; i < n; i++)
        ops[i] = mc_domain_start(res, &reqs[i], domain_cb, &run);
    struct mc_spf_eval *walk =
        mc_spf_eval_walk_start(res, domain, !cli->no_prefetch, walk_cb, &run);
    bool cut = mc_resolver_run_ops(&run, deadline_ms);

    const struct mc_spf_verdict *v = mc_spf_eval_verdict(walk);
    mc_report_spf_walk_add(rep, v);
    walk_findings(rep, v);
    /* No server address: SPF alignment is unknown (mailcheck(1), SENDER
     * DOMAINS), and the DMARC result rests on DKIM. */
    struct mc_domain_spf spf = {.domain = domain, .passes = -1};
    mc_domain_report_all(ops, n, &spf, 1, rep);
    if (cut)
        deadline_finding(cli, rep, &walk, 1);
    struct mc_resolver_stats stats;
    mc_resolver_get_stats(res, &stats);
    /* No lookup answered: nothing said about the zones can be trusted
     * (doc/verdicts.md). */
    if (mc_resolver_unusable(&stats))
        mc_report_resolver_unusable(rep);
    rep->queries = stats.queries_sent;
    for (size_t i = 0; i < n; i++)
        mc_domain_free(ops[i]);
    free(ops);
    mc_spf_eval_free(walk);
}

int cli_run_domain(struct cli *cli)
{
    struct mc_zone_set *zones = NULL;
    struct mc_resolver *res = NULL;
    struct mc_psl *psl = NULL;
    struct mc_dkim_config *dkim_config = NULL;
    char *why = NULL, *domain = NULL;
    const char *problem;
    int code = MC_STATE_UNKNOWN;
    int64_t started = mc_now_ms();

    /* DOMAIN is validated (and an IDN converted) as --from is. */
    domain = mc_hostname_domain_ascii(cli->domain_arg, &problem);
    if (!domain) {
        code = cli_fail_input(
            cli, mc_xasprintf("domain %s: not a domain name: %s", cli->domain_arg, problem),
            cli->domain_arg);
        goto done;
    }
    mc_hostname_domain_canonical(domain);
    res = cli_setup_resolver(cli, &zones, &why);
    if (res)
        psl = mc_psl_load(cli->psl_path, &why);
    if (!res || !psl ||
        (cli->dkim_config && mc_dkim_config_load(cli->dkim_config, &dkim_config, &why) != MC_OK)) {
        code = cli_fail_input(cli, why, cli->domain_arg);
        goto done;
    }
    const char *const from[] = {domain};
    struct mc_domain_request *reqs = mc_xcalloc(2 + cli->nheader_from + 1, sizeof *reqs);
    size_t n = mc_domain_requests(from, 1, cli->header_from, cli->nheader_from, reqs);
    for (size_t i = 0; i < n; i++)
        reqs[i].psl = psl;
    struct mc_cli_dkim dkim = {.selectors = cli->dkim,
                               .nselectors = cli->ndkim,
                               .config = dkim_config,
                               .psl = psl,
                               .single = true};
    struct mc_cli_dkim_hold hold = {0};
    mc_cli_dkim_attach(reqs, n, &dkim, &hold);

    struct mc_report *rep = mc_report_new();
    struct mc_arena *ar = rep->arena;
    rep->domain = mc_arena_strdup(ar, domain);
    rep->input = mc_arena_strdup(ar, cli->domain_arg);
    rep->from = mc_arena_alloc(ar, sizeof *rep->from);
    rep->from[0] = rep->domain;
    rep->nfrom = 1;
    const char *const *servers;
    rep->nresolvers = mc_resolver_servers(res, &servers);
    rep->resolvers = mc_arena_alloc(ar, (rep->nresolvers + 1) * sizeof *rep->resolvers);
    for (size_t i = 0; i < rep->nresolvers; i++)
        rep->resolvers[i] = mc_arena_strdup(ar, servers[i]);
    run_report(cli, res, reqs, n, domain, started + cli->timeout_ms, rep);
    mc_cli_dkim_findings(&hold, rep);
    mc_cli_dkim_reset(&hold);
    free(reqs);
    code = cli_finish_report(cli, dkim_config, rep, started);
done:
    mc_resolver_free(res);
    mc_psl_free(psl);
    mc_dkim_config_free(dkim_config);
    mc_zone_set_free(zones);
    free(domain);
    return code;
}
