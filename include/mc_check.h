/* SPDX-License-Identifier: MIT */
/*
 * mc_check.h - one host check (doc/architecture.md, "The lifecycle of a check"): HOST's A and
 * AAAA in parallel, the PTR of every address, the forward confirmation of
 * every PTR name that can change a verdict, then the verdicts and findings
 * as a report tree.
 */
#ifndef MC_CHECK_H
#define MC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_dnsbl.h"
#include "mc_domain.h"
#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_report.h"
#include "mc_resolver.h"
#include "mc_spf_eval.h"

struct mc_check_options {
    const char *host;              /* validated, lowercased A-label form */
    const char *host_unicode;      /* U-label form or NULL */
    const char *input;             /* HOST as given */
    bool strict;                   /* a mismatch is critical */
    bool require[2];               /* indexed by enum mc_family_index (-4/-6) */
    const struct mc_ip *addresses; /* --address: where mail really leaves from */
    size_t naddresses;
    enum mc_state deadline_state; /* severity of the deadline finding */
    /* SPF (step 4): every address against each sender domain (MAIL FROM
     * postmaster@DOMAIN, HELO HOST) and against HOST as HELO identity. */
    bool spf;
    const char *const *from; /* sender domains, at least one when spf */
    size_t nfrom;
    /* The retention scope of each sender domain's lookups (mc_resolver.h,
     * borrowed), or NULL: none. */
    const struct mc_resolver_scope *const *from_scopes;
    bool prefetch; /* SPF prefetch */
    /* The sender-domain reports (mailcheck(1), SENDER DOMAINS): every
     * --from domain and every --header-from domain, once each, with its
     * roles; none with --no-spf or --no-domain-report. */
    const struct mc_domain_request *domains;
    size_t ndomains;
    /* This check's own deadline (mc_now_ms() clock), for batch runs where
     * the resolver's run deadline is not the check's; 0: none.  When it
     * passes the check reports what it knows; lookups still pending end
     * later and are ignored. */
    int64_t deadline_ms;
    /* Per family: only the --address ones send (Postfix
     * smtp_bind_address[6]); HOST's other addresses are not checked. */
    bool only_listed[2];
    /* The blocklists (--dnsbl) and their health memo, shared by every
     * check of the run (borrowed); NULL: none asked. */
    struct mc_dnsbl_run *dnsbl;
    /* Postfix relayhost (mailcheck(1), POSTFIX): RELAY (a name, or an
     * address) is where mail leaves through; its addresses (with RELAY_MX,
     * those of its MX hosts, as Postfix resolves an unbracketed name) are
     * SPF-evaluated against every sender domain.  RELAY_SHOWN is the value
     * as configured.  NULL: no relay. */
    const char *relay, *relay_shown;
    bool relay_mx;
};

typedef void (*mc_check_done_cb)(void *arg, struct mc_report *report);

/*
 * Starts a host check on RES (all options are copied).  DONE(ARG, report)
 * is called exactly once from mc_resolver_run(); the callee owns the report
 * (mc_report_free()).  The check frees itself once DONE has run and its
 * last lookup has ended (after a deadline, that can be later).
 */
void mc_check_start(struct mc_resolver *res, const struct mc_check_options *options,
                    mc_check_done_cb done, void *arg);

/* Runs one check to completion or DEADLINE_MS. Caller frees the report. */
struct mc_report *mc_check_run(struct mc_resolver *res, const struct mc_check_options *options,
                               int64_t deadline_ms);

#endif
