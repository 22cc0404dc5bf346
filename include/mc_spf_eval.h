/* SPDX-License-Identifier: MIT */
/*
 * mc_spf_eval.h - check_host() of RFC 7208 §4, asynchronous, on the run's
 * resolver, with a ledger of every term it evaluated.
 *
 * The evaluation is sequential by definition (§4.6.2: left to right,
 * stop at the first match); lookups whose names are already known may be
 * sent early (prefetch), which changes wall time only: limits are counted
 * on evaluated terms, exactly as a sequential evaluator counts them, and a
 * prefetched answer nobody needs makes no difference to anything reported.
 *
 * The ledger (trace) is the single source of every number reported and of
 * the lint findings: what each term cost, what each lookup returned, and
 * which term pushed a limit over.
 *
 * Ownership: an evaluation owns an arena with everything it reports; the
 * callback borrows the evaluation, which the caller frees with
 * mc_spf_eval_free() (after the callback, never inside it... or inside it:
 * both are fine, the evaluator does not touch it after calling back).
 */
#ifndef MC_SPF_EVAL_H
#define MC_SPF_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_resolver.h"
#include "mc_spf.h"

/* RFC 7208 §4.6.4 limits. */
#define MC_SPF_MAX_DNS_TERMS 10
#define MC_SPF_MAX_VOID 2
#define MC_SPF_MAX_MX_NAMES 10
#define MC_SPF_MAX_PTR_NAMES 10

struct mc_spf_request {
    struct mc_ip ip;      /* <ip>; an IPv4-mapped IPv6 address counts as IPv4 */
    bool ip_upper;        /* <ip> was given with upper-case hex digits
                             (mc_ip_text_upper()): %{i} keeps them (§7.3) */
    const char *sender;   /* <sender>: "local@domain", or a domain alone
                             (then postmaster@domain, §4.3) */
    const char *helo;     /* HELO/EHLO name, for %{h}; may be NULL */
    const char *domain;   /* <domain>; NULL: the sender's domain */
    const char *receiver; /* %{r}; NULL: "unknown" */
    bool prefetch;        /* send known lookups early */
};

/* One DNS lookup the evaluator made, as the ledger shows it. */
struct mc_spf_lookup {
    const char *name;
    uint16_t type;
    enum mc_dns_outcome outcome;
    size_t nanswers;
    const char **answers; /* presentation form of each answer */
    const char *why;
};

/* One ledger line: a record fetched or a term evaluated. */
struct mc_spf_step {
    unsigned depth;     /* include/redirect nesting, 0 at the top */
    const char *domain; /* the <domain> of the record */
    const char *record; /* the record text (on the record's first step) */
    const char *term;   /* the term as written, NULL for the record fetch */
    const char *target; /* the expanded domain the term looked at */
    unsigned cost;      /* DNS-querying terms this step counted (0 or 1) */
    bool void_lookup;   /* counted as a void lookup (§4.6.4) */
    bool matched;
    const char *note; /* what happened, in words */
    struct mc_spf_lookup *lookups;
    size_t nlookups;
};

/* A record seen during evaluation, for lint. */
struct mc_spf_seen {
    const char *domain;
    const char *text;
    size_t len;
    const struct mc_spf_record *parsed; /* NULL when it did not parse */
    unsigned depth;
    bool via_include;
};

struct mc_spf_eval;

typedef void (*mc_spf_done_cb)(void *arg, struct mc_spf_eval *eval);

/*
 * Starts check_host() for REQ (copied) on RES.  DONE(ARG, eval) is called
 * exactly once, from mc_resolver_run().  Returns the evaluation (caller
 * frees with mc_spf_eval_free() once DONE has run).
 */
struct mc_spf_eval *mc_spf_eval_start(struct mc_resolver *res, const struct mc_spf_request *req,
                                      mc_spf_done_cb done, void *arg);
void mc_spf_eval_free(struct mc_spf_eval *eval);

/* What check_host() returned (valid once DONE has run; borrowed). */
struct mc_spf_verdict {
    enum mc_spf_result result;
    const char *domain;      /* the initial <domain> */
    const char *sender;      /* <sender> as evaluated (local@domain) */
    const char *mechanism;   /* the matching term as written, or NULL */
    const char *explanation; /* from exp=, only on fail, or NULL */
    const char *why;         /* reason for none/neutral/errors, in words */
    const char *limit_term;  /* the term that exceeded a limit, or NULL */
    unsigned dns_lookups;    /* DNS-querying terms counted (§4.6.4) */
    unsigned void_lookups;
    bool include_loop; /* an include/redirect came back to a domain on
                          its own chain */
    bool deadline;     /* the run's deadline made it temperror */
    const struct mc_spf_step *steps;
    size_t nsteps;
    const struct mc_spf_seen *seen;
    size_t nseen;
};
const struct mc_spf_verdict *mc_spf_eval_verdict(const struct mc_spf_eval *eval);
/* True once the evaluation has ended (its verdict is final). */
bool mc_spf_eval_done(const struct mc_spf_eval *eval);

/*
 * The verdict to report when a deadline stops waiting for EVAL: its own
 * once it has ended; before that, a temperror marked as the deadline's
 * (`deadline`: the deadline has its own finding, mailcheck(1), -t), WHY
 * (static, or outliving the copy) its reason, with no ledger and no
 * records seen, since an evaluation cut short proves nothing about them.
 * The strings are borrowed from EVAL, which may go on running.
 */
struct mc_spf_verdict mc_spf_eval_verdict_at_deadline(const struct mc_spf_eval *eval,
                                                      const char *why);

/*
 * The lookup EVAL waits for, for the deadline's finding.  While it runs:
 * the one its state waits for (of several sent together, the first still
 * unanswered).  Once it has ended: the first of its lookups that the run's
 * deadline ended, if any.  Sets *NAME (borrowed from EVAL; lowercased,
 * without a final dot, as in the ledger) and *TYPE and returns true;
 * returns false when there is no such lookup.
 */
bool mc_spf_eval_awaiting(const struct mc_spf_eval *eval, const char **name, uint16_t *type);

#endif
