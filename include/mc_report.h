/* SPDX-License-Identifier: MIT */
/*
 * mc_report.h - the result tree of a host check, or of `mailcheck domain`
 * (the sender-domain report alone: no host, no families; report->domain
 * set), which the renderers read.
 *
 * The check builds it, the renderers (text, json) only read it
 * (monitoring-plugins' "build a result tree, then render it").  Everything
 * in a report, strings included, lives in the report's arena: one
 * mc_report_free() releases it all.
 *
 * Status and exit code follow the Nagios convention: 0 ok, 1 warning,
 * 2 critical, 3 unknown; the worst finding decides in the order
 * critical > unknown > warning > ok (Icinga's order; mailcheck(1), EXIT STATUS).
 */
#ifndef MC_REPORT_H
#define MC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_arena.h"
#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_spf_eval.h"
#include "mc_vocab.h"

struct mc_finding {
    const char *code; /* stable, listed in mailcheck(1) */
    enum mc_severity severity;
    const char *subject; /* an address, a name or a lookup */
    const char *message; /* what is wrong, in plain words */
    const char *fix;     /* what to do about it, or NULL */
    /* Where the value at fault was read (--postfix: main.cf, master.cf),
     * or NULL; line is 1-based, 0 when not known. */
    const char *file;
    unsigned line;
};

/* One CNAME step of a lookup's chain, and who answered it. */
struct mc_report_cname {
    const char *owner, *target;
    const char *server; /* "127.0.0.1:53", "zone FILE" */
};

/* One DNS lookup behind a verdict: the evidence shown at -v and in JSON
 * ("which server answered what, rcode, TTL"). */
struct mc_report_lookup {
    const char *name;     /* as asked, lowercased, no trailing dot */
    const char *type;     /* "A", "AAAA", "PTR" */
    const char *outcome;  /* mc_dns_outcome_str(): "answer", "nxdomain", ... */
    int rcode;            /* of the last reply, -1 when none came */
    long ttl;             /* smallest TTL of the answer (or the negative TTL);
                             -1 when the lookup was not answered */
    const char *server;   /* who answered ("127.0.0.1:53", "zone FILE"), or NULL */
    const char *why;      /* detail of a failure, or NULL */
    const char **answers; /* addresses or names, presentation form */
    size_t nanswers;
    /* The CNAME chain followed from NAME, in order; `server` above
     * answered the last step (the chain's end). */
    const struct mc_report_cname *cnames;
    size_t ncnames;
    uint64_t serial; /* the result's (mc_dns.h): 0 when not a cached one */
};

/* One SPF evaluation of an address (mailcheck(1), VERDICTS, SPF). */
struct mc_report_spf {
    const char *identity; /* "mailfrom" or "helo" */
    const char *domain;
    const char *result;      /* pass, fail, softfail, neutral, none, ... */
    const char *mechanism;   /* the matching term, or NULL */
    const char *explanation; /* from exp=, or NULL */
    const char *why;         /* reason for errors and none, or NULL */
    unsigned dns_lookups, void_lookups;
};

struct mc_report_address {
    struct mc_ip ip;
    const char *address; /* RFC 5952 text */
    enum mc_verdict status;
    enum mc_fcrdns fcrdns;
    const char **ptr; /* PTR names as received, no trailing dot */
    size_t nptr;
    bool from_host;            /* HOST resolves to it */
    bool from_option;          /* named with --address */
    struct mc_report_spf *spf; /* mailfrom checks in --from order, then helo */
    size_t nspf;
    /* The PTR lookup, then the forward lookups of the PTR names (those
     * that were sent); nlookups is 0 when no PTR lookup ran. */
    struct mc_report_lookup *lookups;
    size_t nlookups;
};

struct mc_report_family {
    enum mc_verdict status;
    bool required;
    struct mc_report_address **addresses; /* sorted */
    size_t naddresses;
    /* Most DNS-querying SPF terms one evaluation of this family used,
     * -1 when none ran (perfdata spf_lookups_ipv4/ipv6). */
    int spf_lookups;
    /* HOST's own A (ipv4) or AAAA (ipv6) lookup, or NULL when the report
     * has no host check (bad input). */
    const struct mc_report_lookup *host_lookup;
};

enum mc_family_index { MC_FAMILY_IPV4, MC_FAMILY_IPV6 };

/* One MX record of a sender domain and the addresses of its target. */
struct mc_report_mx {
    unsigned preference;
    const char *exchange; /* presentation form, "." for a null MX */
    const char **addresses;
    size_t naddresses;
    bool not_asked; /* past the first MC_DOMAIN_MAX_MX targets: not looked up */
};

/* DMARC of a From domain (RFC 9989), and the RFC 7489 reading beside it.
 * The tri-states are -1 (null: not known), 0 or 1. */
struct mc_report_dmarc {
    bool checked;               /* the domain is a From domain */
    const char *record;         /* the record that applies, printable; NULL: none */
    const char *found_at;       /* "_dmarc.NAME" of that record */
    const char *policy;         /* its p (RFC 9989's default none) */
    const char *applied_policy; /* what receivers apply to the From domain */
    bool enforcing;             /* applied quarantine or reject */
    const char *org_domain;     /* by the tree walk (RFC 9989 §4.10.2) */
    const char *org_domain_psl; /* by the Public Suffix List (RFC 7489 §3.2) */
    int spf_aligned, dkim_aligned;
    const char *result; /* predicted: pass, fail, none */
    /* The RFC 7489 reading, when it gives another policy or alignment. */
    bool readings_differ;
    const char *psl_found_at, *psl_applied_policy, *psl_result;
    int psl_spf_aligned, psl_dkim_aligned;
};

/* One DKIM key of a sender domain (RFC 6376 §3.6.1, RFC 8301). */
struct mc_report_dkim {
    const char *selector, *domain;
    const char *status;   /* ok, warning, critical */
    const char *key_type; /* rsa, ed25519, or NULL without a usable key */
    int key_bits;         /* -1 without a usable key */
    bool testing;
    const char *source;
    const char *private_key; /* match, mismatch, unreadable, unknown */
    bool usable;             /* a receiver verifies signatures with it */
};

/* The report of one sender domain (mailcheck(1), SENDER DOMAINS). */
struct mc_report_domain {
    const char *domain;
    unsigned roles;          /* enum mc_domain_role bits (mc_domain.h) */
    struct mc_report_mx *mx; /* sorted by preference */
    size_t nmx;
    bool null_mx;  /* exactly "0 ." (RFC 7505) */
    bool implicit; /* no MX: the domain's own A/AAAA serve (RFC 5321 §5.1) */
    struct mc_report_dmarc dmarc;
    struct mc_report_dkim *dkim;
    size_t ndkim;
    int dkim_usable; /* -1 no selector known, 0 none usable, 1 one is */
    /* The lookups behind it, as evidence (-v, JSON "lookups"). */
    struct mc_report_lookup *lookups;
    size_t nlookups, lookups_cap;
};

/* The walk of a sender domain's SPF tree without a client
 * (mc_spf_eval_walk_start(); `mailcheck domain`): the record, the
 * worst-case count and the ledger, copied into the report's arena. */
struct mc_report_spf_walk {
    const char *domain;
    const char *record; /* the top record as fetched, or NULL */
    const char *result; /* none, permerror, temperror, complete (walked
                           to the end without an error) */
    const char *why;    /* the walk's reason (errors, none), or NULL */
    unsigned dns_lookups, void_lookups;
    unsigned client_terms; /* of dns_lookups: terms needing the client */
    const struct mc_spf_step *steps;
    size_t nsteps;
};

/* One (list, subject) of the blocklist check (mailcheck(1), BLOCKLISTS):
 * LIST the public zone name, SUBJECT an address (RFC 5952) or a name. */
struct mc_report_dnsbl {
    const char *list, *subject;
    int listed;         /* 1, 0, or -1 (null): no verdict, see `why` */
    const char **codes; /* listing codes answered, ascending (dotted quads) */
    size_t ncodes;
    const char *meaning; /* of codes[0], from the table; NULL when not listed */
    const char *reason;  /* the list's TXT record, printable; or NULL */
    const char *why;     /* why there is no verdict, or NULL */
};

/* One address of the relay mail leaves through (Postfix relayhost), and
 * its SPF evaluations against every sender domain (mailfrom only). */
struct mc_report_relay_address {
    struct mc_ip ip;
    const char *address; /* RFC 5952 text */
    struct mc_report_spf *spf;
    size_t nspf;
};

/* The relay (mailcheck(1), POSTFIX, postfix-relayhost). */
struct mc_report_relay {
    const char *relayhost; /* the value as configured: "[smtp.example.com]:587" */
    const char *name;      /* the name or address looked up */
    bool mx;               /* its MX hosts' addresses (an unbracketed name) */
    struct mc_report_relay_address *addresses; /* sorted */
    size_t naddresses;
};

struct mc_report {
    struct mc_arena *arena;
    const struct mc_report_relay *relay; /* --postfix relayhost, or NULL */
    /* `mailcheck domain`: DOMAIN as checked (lowercased, no trailing dot);
     * NULL in a host check. */
    const char *domain;
    struct mc_report_spf_walk *spf_walks; /* one per sender domain */
    size_t nspf_walks, spf_walks_cap;
    const char *host;         /* lowercased A-label form; NULL if bad input */
    const char *host_unicode; /* U-label form when given as such, else NULL */
    const char *input;        /* HOST as given (--batch: the input line) */
    size_t line;              /* --batch: 1-based input line, else 0 */
    enum mc_state status;
    int64_t duration_ms;
    const char **resolvers;
    size_t nresolvers;
    unsigned long queries; /* DNS queries sent */
    const char **from;     /* the sender domains checked */
    size_t nfrom;
    struct mc_report_family families[2];
    struct mc_report_domain **domains; /* every sender and From domain, once */
    size_t ndomains, domains_cap;
    struct mc_finding *findings;
    size_t nfindings, findings_cap;
    /* The blocklist check: asked (--dnsbl) or not, and its entries. */
    bool dnsbl_asked;
    struct mc_report_dnsbl *dnsbl;
    size_t ndnsbl;
};

struct mc_dns_result;

/* A new, empty report (status ok, families none). Caller frees. */
struct mc_report *mc_report_new(void);
void mc_report_free(struct mc_report *report);

/* Copies the result R of a lookup into the report as evidence. */
struct mc_report_lookup *mc_report_lookup_copy(struct mc_report *report,
                                               const struct mc_dns_result *r);

/* Adds a finding; strings are copied into the report's arena. */
void mc_report_add_finding(struct mc_report *report, const char *code, enum mc_severity sev,
                           const char *subject, const char *message, const char *fix);
/* The same, with the FILE and LINE the finding's value was read from
 * (FILE NULL or LINE 0: not known). */
void mc_report_add_finding_at(struct mc_report *report, const char *code, enum mc_severity sev,
                              const char *subject, const char *message, const char *fix,
                              const char *file, unsigned line);
/* Removes every finding whose code is listed in CODES (--ignore). */
void mc_report_drop_findings(struct mc_report *report, const char *const *codes, size_t ncodes);
/* The one rule for a lookup a verdict needed that failed (doc/verdicts.md):
 * a critical lookup-failed finding naming the lookup, PURPOSE and how it
 * failed, and where a CNAME chain led; once per lookup however many
 * verdicts need it.  A lookup the deadline cut makes none (the deadline
 * has its own finding). */
void mc_report_lookup_failed(struct mc_report *report, const struct mc_dns_result *result,
                             const char *purpose);

/* Copies walk V (a verdict of mc_spf_eval_walk_start()) into REPORT's
 * spf_walks.  Returns the copy (owned by REPORT). */
struct mc_report_spf_walk *mc_report_spf_walk_add(struct mc_report *report,
                                                  const struct mc_spf_verdict *v);

/* The one rule for a run in which no lookup was answered (doc/verdicts.md):
 * the findings that rest only on failed lookups go, and an unknown
 * resolver-unusable finding says why nothing could be checked. */
void mc_report_resolver_unusable(struct mc_report *report);

/* Sets report->status from the findings (worst wins). */
void mc_report_settle(struct mc_report *report);

#endif
