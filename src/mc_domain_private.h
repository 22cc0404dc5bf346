/* SPDX-License-Identifier: MIT */
/*
 * mc_domain_private.h - what the parts of the sender-domain report share
 * (domain.c: the operation and MX; domain_dmarc.c: DMARC): the operation's
 * state.  Not for other modules.
 */
#ifndef MC_DOMAIN_PRIVATE_H
#define MC_DOMAIN_PRIVATE_H

#include "mc_dmarc.h"
#include "mc_domain.h"

/* At most this many external report destinations are authorized. */
#define MC_DOMAIN_MAX_RUA 8

/* The tree walk of a DKIM key's d= other than the domain itself: every
 * Authenticated Identifier's Organizational Domain is its own walk's
 * (RFC 9989 §4.10.2), which relaxed alignment compares with the From
 * domain's (a parent domain's key, a sibling's). */
struct mc_domain_ident_walk {
    const char *domain; /* the d= (the key's, in the operation's arena) */
    struct mc_dmarc_walk walk;
    size_t step; /* walk steps asked */
    const struct mc_dns_result *txt[MC_DMARC_WALK_MAX];
    const struct mc_dns_result *failed; /* the first lookup that failed */
    bool over;
};

/* The DMARC part of an operation (domain_dmarc.c). */
struct mc_domain_dmarc {
    struct mc_dmarc_walk walk; /* RFC 9989 §4.10 */
    size_t step;               /* walk steps asked */
    const struct mc_dns_result *txt[MC_DMARC_WALK_MAX];
    struct mc_dmarc_record *record[MC_DMARC_WALK_MAX];
    enum mc_dmarc_select select[MC_DMARC_WALK_MAX]; /* how RECORD was chosen */
    bool offline;                                   /* a walk name was outside every --zone */
    const struct mc_dns_result *failed;             /* the first walk lookup that failed */
    bool over;                                      /* the walk is over (or failed) */
    /* RFC 7489 beside it: the record at the domain, else at its PSL
     * Organizational Domain. */
    bool have_7489;
    char *psl_org;
    struct mc_dmarc_rfc7489 r7489;
    const struct mc_dns_result *txt_7489[2];
    size_t n7489; /* of those, asked */
    struct mc_dmarc_record *record_7489[2];
    /* RFC 9990: report destinations outside the Organizational Domain. */
    size_t nrua;
    const char *rua_host[MC_DOMAIN_MAX_RUA];
    const char *rua_name[MC_DOMAIN_MAX_RUA];
    const struct mc_dns_result *rua_txt[MC_DOMAIN_MAX_RUA];
    /* The walks of the DKIM keys' other d= domains, each once. */
    struct mc_domain_ident_walk *idents;
    size_t nidents;
};

/* One MX target and its address lookups. */
struct target {
    const struct mc_dns_record *mx;      /* borrowed from the MX result */
    const struct mc_dns_result *addr[2]; /* A, AAAA; NULL until answered */
    bool asked; /* its addresses were asked (the first MC_DOMAIN_MAX_MX non-root) */
};

/* The argument of one lookup callback. */
struct mc_domain_lookup {
    struct mc_domain *d;
    const struct mc_dns_result **slot; /* where the answer goes */
    size_t index;                      /* which walk step or destination */
};

/* One DKIM key being checked (domain_dkim.c). */
struct mc_domain_key {
    struct mc_domain_dkim want; /* strings in the operation's arena */
    const struct mc_dns_result *txt;
};

struct mc_domain {
    struct mc_resolver *res;
    const struct mc_resolver_scope *scope; /* every lookup's (borrowed) */
    struct mc_arena *arena;
    char *domain;
    unsigned roles;
    const struct mc_psl *psl;
    unsigned pending;
    bool done;
    mc_domain_done_cb cb;
    void *cb_arg;
    const struct mc_dns_result *mx;     /* the MX lookup */
    const struct mc_dns_result *own[2]; /* A, AAAA of the domain (no MX) */
    struct target *targets;             /* sorted by preference */
    size_t ntargets;
    struct mc_domain_dmarc dmarc;
    struct mc_domain_key *keys;
    size_t nkeys;
};

/* Asks NAME/TYPE for D; CB gets a struct mc_domain_lookup with SLOT. */
void mc_domain_ask(struct mc_domain *d, const char *name, uint16_t type,
                   const struct mc_dns_result **slot, mc_resolver_cb cb);
/* One lookup of D ended; the last one calls D back. */
void mc_domain_lookup_end(struct mc_domain *d);

/* Starts the DMARC lookups of D (the walk, the RFC 7489 reading). */
void mc_domain_dmarc_start(struct mc_domain *d);
/* D's DMARC block and findings into REP (called by mc_domain_report()). */
void mc_domain_dmarc_report(const struct mc_domain *d, struct mc_report *rep,
                            struct mc_report_domain *rd);

/* Starts the tree walks of the d= domains of D's DKIM keys that are not D
 * itself (after mc_domain_dkim_start()). */
void mc_domain_dmarc_idents_start(struct mc_domain *d);

/* The evidence of those walks into RD, their failed lookups into REP's
 * findings (called by mc_domain_report()). */
void mc_domain_dmarc_idents_report(const struct mc_domain *d, struct mc_report *rep,
                                   struct mc_report_domain *rd);

/* Starts the DKIM key lookups of D. */
void mc_domain_dkim_start(struct mc_domain *d, const struct mc_domain_dkim *keys, size_t n);
/* D's DKIM keys into RD and REP's findings; returns 1 when a usable key
 * can sign D's mail, 0 when keys were checked and none can, -1 when no
 * selector is known. */
int mc_domain_dkim_report(const struct mc_domain *d, struct mc_report *rep,
                          struct mc_report_domain *rd);

/* The alignment of OPS[INDEX] (a From domain) and the DMARC result it
 * predicts, with the findings that follow; BLOCKS are the operations'
 * blocks in REP. */
void mc_domain_dmarc_align(struct mc_domain *const *ops, struct mc_report_domain *const *blocks,
                           size_t n, const struct mc_domain_spf *spf, size_t nspf,
                           struct mc_report *rep, size_t index);

#endif
