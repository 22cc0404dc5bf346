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
 * A walk (mc_spf_eval_walk_start()) runs the same state machine without a
 * client: every term of DOMAIN's record tree is evaluated for its lookups
 * and none matches, so that the verdict gives the worst-case count of
 * DNS-querying terms a receiver may hit, whatever the client (see below).
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
    /* Every lookup through mc_resolver_lookup_once(): a tree no other
     * check is likely to walk (the HELO identity's, in a batch). */
    bool lookups_once;
    /* Else every lookup is for this retention scope (mc_resolver.h,
     * borrowed; the sender domain's in a batch); NULL: none. */
    const struct mc_resolver_scope *scope;
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
    bool void_lookup;   /* counted as a void lookup (§4.6.4); in a walk,
                           for clients of one family at least (the note
                           says when of one only) */
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

/*
 * Starts a walk of the SPF record tree of DOMAIN on RES: no client
 * address, no sender, no HELO.  The record is selected as for
 * check_host() (§4.4, §4.5) and then every term is evaluated for its
 * lookups without ever matching, in record order:
 *
 *   - include: walks the target's record.  A target without a record, with
 *     several, with a syntax error or whose TXT lookup fails is what it
 *     would be in check_host() (permerror, §5.2; temperror): noted on the
 *     include's ledger line, and the walk goes on with the next term.
 *   - a: asks A and AAAA (the client's family is unknown); one term.
 *   - mx: asks MX; more than 10 names is a permerror (§4.6.4), noted, and
 *     the walk goes on; the names' addresses are not asked (they count as
 *     no term and no void lookup).
 *   - exists: asks A (§5.7).
 *   - ptr, and any term whose domain-spec uses a macro of the client or
 *     the message (%{i} %{v} %{p} %{h} %{l} %{s}): counted as a
 *     DNS-querying term, not asked (the verdict's client_terms).
 *   - all: the terms after it are never evaluated by any receiver (§5.1):
 *     they get ledger lines, cost nothing and are not asked.
 *   - redirect=: followed after the last mechanism, unless the record has
 *     all, which makes every receiver ignore it (§6.1): then a ledger line
 *     says so and nothing is counted.  exp= is never fetched.
 *
 * The 10-term limit and loop detection are check_host()'s: the 11th
 * DNS-querying term ends the walk with permerror (limit_term, and the
 * ledger line "over the limit").  Void lookups are counted on the lookups
 * asked, per client family (a name with only A records is void for IPv6
 * clients alone); void_lookups is the worse family's, and its 3rd ends the
 * walk with permerror.
 *
 * The verdict (walk set, sender, mechanism and explanation NULL):
 * none (DOMAIN has no record, or is no valid domain, §4.3); permerror
 * (over a limit, several records, a syntax error, include of a domain
 * without SPF, an mx over 10 names, an invalid include or redirect target
 * anywhere in the tree: the first found, or the limit that ended the walk,
 * in why); else temperror (a lookup failed: the first, in why); else
 * neutral, meaning "walked to the end, no error: no verdict without a
 * client".  dns_lookups counts the whole tree walked: below a target that
 * could not be walked (failed lookup, error, client macro) it is a lower
 * bound.  mc_spf_lint_collect() reads a walk as it reads an evaluation.
 *
 * The run's deadline ends a walk at once.  PREFETCH sends the tree's
 * known lookups early, as for check_host().
 */
struct mc_spf_eval *mc_spf_eval_walk_start(struct mc_resolver *res, const char *domain,
                                           bool prefetch, mc_spf_done_cb done, void *arg);

/* What check_host() returned (valid once DONE has run; borrowed). */
struct mc_spf_verdict {
    enum mc_spf_result result;
    const char *domain;      /* the initial <domain> */
    const char *sender;      /* <sender> as evaluated (local@domain); NULL
                                in a walk */
    const char *mechanism;   /* the matching term as written, or NULL */
    const char *explanation; /* from exp=, only on fail, or NULL */
    const char *why;         /* reason for none/neutral/errors, in words */
    const char *limit_term;  /* the term that exceeded a limit, or NULL */
    unsigned dns_lookups;    /* DNS-querying terms counted (§4.6.4) */
    unsigned void_lookups;
    bool include_loop;     /* an include/redirect came back to a domain on
                              its own chain */
    bool deadline;         /* the run's deadline made it temperror (or
                              cut a walk short) */
    bool walk;             /* a walk (mc_spf_eval_walk_start()): result is none,
                              permerror, temperror or neutral ("no verdict
                              without a client") */
    unsigned client_terms; /* walk: of dns_lookups, the terms that need the
                              client (ptr, client macros): counted, not asked */
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
