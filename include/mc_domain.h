/* SPDX-License-Identifier: MIT */
/*
 * mc_domain.h - the sender-domain report (mailcheck(1), SENDER DOMAINS):
 * what receivers check of the MAIL FROM and From domains besides the
 * server: MX (RFC 5321 §5.1, RFC 7505), DMARC (RFC 9989) and DKIM keys
 * (RFC 6376 §3.6.1).
 *
 * An operation gathers the lookups of one domain on the run's resolver
 * (MX and the targets' addresses, or the implicit MX's; the DMARC tree
 * walk; the DKIM key records of the selectors known) and calls back once.
 * mc_domain_report() then turns what it found into the report's domain
 * block and findings; the alignment verdict needs the SPF results of the
 * check, so it is computed there, not here.
 *
 * Ownership: the operation owns its arena (request copies, state); the
 * results it holds are borrowed from the resolver and stay valid while
 * the resolver's epoch does.  The caller frees it with mc_domain_free(),
 * after the callback (never from inside it: mc_domain_free() must not
 * run while the operation still waits for a lookup, see mc_domain_done()).
 */
#ifndef MC_DOMAIN_H
#define MC_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_report.h"
#include "mc_resolver.h"

/* The roles a domain plays (JSON "roles"). */
enum mc_domain_role {
    MC_DOMAIN_ROLE_MAILFROM = 1,    /* the MAIL FROM (envelope) domain */
    MC_DOMAIN_ROLE_HEADER_FROM = 2, /* the From header domain */
};

/* Most MX targets whose addresses are asked for (the rest are reported
 * without them). */
#define MC_DOMAIN_MAX_MX 20

struct mc_psl;

/* One DKIM key to check: SELECTOR._domainkey.DOMAIN (RFC 6376 §3.6.2.1),
 * and where the signer keeps its private half, when known. */
struct mc_domain_dkim {
    const char *selector;
    const char *domain;     /* the signing domain (d=) */
    const char *source;     /* "--dkim" or the configuration's "FILE:LINE" */
    const char *key_path;   /* the private key file, or NULL */
    const char *key_inline; /* an inline private key (OpenDKIM KeyTable), or NULL */
    /* The signing algorithm the signer uses whatever the key ("rsa-sha256",
     * "ed25519-sha256", "rsa-sha1"), and where it is set, or NULL. */
    const char *algorithm;
    const char *algorithm_source;
};

struct mc_domain_request {
    const char *domain; /* lowercased, no trailing dot */
    unsigned roles;     /* enum mc_domain_role bits */
    /* The Public Suffix List, for DMARC's RFC 7489 reading (borrowed: it
     * must outlive the operation); NULL leaves that reading out. */
    const struct mc_psl *psl;
    /* The DKIM keys that sign this domain's mail, each with its d= (copied). */
    const struct mc_domain_dkim *dkim;
    size_t ndkim;
    /* What the report looks up is for this retention scope (mc_resolver.h,
     * borrowed); NULL: none. */
    const struct mc_resolver_scope *scope;
};

/*
 * Fills OUT with the domain reports a check makes: every sender domain
 * (FROM, role mailfrom) and every From header domain (HEADER_FROM, role
 * header-from; when NHEADER is 0, the sender domains play that role too),
 * each domain once (case-insensitive), in that order.  OUT must hold
 * NFROM + NHEADER + NFROM entries; strings are borrowed.  Returns the
 * count.
 */
size_t mc_domain_requests(const char *const *from, size_t nfrom, const char *const *header_from,
                          size_t nheader, struct mc_domain_request *out);

struct mc_domain;

typedef void (*mc_domain_done_cb)(void *arg, struct mc_domain *domain);

/* Starts the report of REQ->domain on RES (the request is copied).  DONE
 * is called exactly once, from mc_resolver_run(). */
struct mc_domain *mc_domain_start(struct mc_resolver *res, const struct mc_domain_request *req,
                                  mc_domain_done_cb done, void *arg);

/* True once every lookup of the operation has ended (DONE ran). */
bool mc_domain_done(const struct mc_domain *domain);

/* Adds the domain's block to REP (strings copied into its arena) and its
 * findings, with the domain as subject.  A lookup that has not ended
 * (the check's own deadline came first) counts as cut by the deadline and
 * makes no finding.  Returns the block (owned by REP). */
struct mc_report_domain *mc_domain_report(const struct mc_domain *domain, struct mc_report *rep);

/* What the check's SPF said of one sender domain, for SPF alignment. */
struct mc_domain_spf {
    const char *domain;
    int passes; /* 1: pass for every server address; 0: not; -1: no address */
};

/* The reports of every operation of OPS (one check's), in order, then the
 * alignment of each From domain with the MAIL FROM domains (their SPF
 * results in SPF) and the DKIM keys: the DMARC result it predicts. */
void mc_domain_report_all(struct mc_domain *const *ops, size_t n, const struct mc_domain_spf *spf,
                          size_t nspf, struct mc_report *rep);

/* What the deadline cut of DOMAIN's lookups, named for the timeout
 * finding ("the MX lookup of example.com"; in AR), or NULL when every
 * lookup it asked ended otherwise. */
const char *mc_domain_awaiting(const struct mc_domain *domain, struct mc_arena *ar);

/* The domain asked for (borrowed). */
const char *mc_domain_name(const struct mc_domain *domain);

void mc_domain_free(struct mc_domain *domain);

#endif
