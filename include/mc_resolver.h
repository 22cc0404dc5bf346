/* SPDX-License-Identifier: MIT */
/*
 * mc_resolver.h - the one asynchronous resolver of a run.
 *
 * Every lookup of a run goes through here: first the --zone files, then the
 * network through a transport (mc_transport.h: c-ares, or a test's fake),
 * or an immediate failure under --offline.  Identical
 * lookups (same name, ignoring case, and type) are sent once per run: a
 * second caller waits for the first one's answer or gets the cached result.
 * CNAMEs are followed (RFC 1034 §3.6.2), at most MC_DNS_MAX_CNAMES.
 *
 * Callbacks are always called from mc_resolver_run(), never from inside
 * mc_resolver_lookup(), and exactly once per lookup.
 *
 * Ownership: results passed to callbacks are borrowed from the resolver's
 * cache and stay valid until mc_resolver_free().  Each ended result carries
 * a serial (mc_dns_result.serial) counted across every resolver of the
 * process: a result asked again after its TTL is a new one with a new
 * serial, so a serial names one unchanging answer.
 */
#ifndef MC_RESOLVER_H
#define MC_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_dns.h"
#include "mc_util.h"
#include "mc_zone.h"

struct mc_resolver;
struct mc_transport;

struct mc_resolver_config {
    const char *const *servers; /* "ADDR[:PORT]", "[V6]:PORT"; none: system's */
    size_t nservers;
    bool tcp_only;
    bool dns0x20;                    /* random letter case in query names, echoed exactly */
    bool offline;                    /* no network at all */
    const struct mc_zone_set *zones; /* borrowed; may be NULL */
    int lookup_timeout_ms;           /* first try; the transport backs off after */
    int tries;
    unsigned max_inflight; /* queries on the wire at once; 0: as many as the
                              UDP receive buffer holds replies (see resolver.c) */
    unsigned qps;          /* queries sent per second; 0: no limit */
    size_t cache_max;      /* completed lookups kept (mc_resolver_trim); 0: all */
};

/* Creates the resolver on the c-ares transport. On failure returns NULL
 * with *WHY a malloc'd message (caller frees). Caller frees the resolver
 * with mc_resolver_free(). */
struct mc_resolver *mc_resolver_new(const struct mc_resolver_config *config, char **why);

/* Creates the resolver on TRANSPORT, which it owns from now on (freed by
 * mc_resolver_free()); CONFIG's transport fields (servers, tcp_only,
 * dns0x20, lookup_timeout_ms, tries) are the transport's business and not
 * read.  Every clock below is then TRANSPORT's now_ms(): mc_now_ms() for
 * c-ares, a virtual clock for a test's fake.  Never fails. */
struct mc_resolver *mc_resolver_new_on(const struct mc_resolver_config *config,
                                       struct mc_transport *transport);
/* True when queries wait in the resolver's own queue beyond half a second
 * of sending at --qps, or beyond a window of --max-inflight queries: a
 * batch then starts no further check, since a check's deadline runs while
 * its queries wait there. */
bool mc_resolver_busy(const struct mc_resolver *res);

/* Callbacks of lookups still pending are not called: drain the loop first
 * (mc_resolver_run(), after mc_resolver_stop() if need be). */
void mc_resolver_free(struct mc_resolver *res);

typedef void (*mc_resolver_cb)(void *arg, const struct mc_dns_result *result);

/* Starts (or joins) the lookup of NAME/TYPE. CB(ARG, result) is called
 * exactly once, from mc_resolver_run(). */
void mc_resolver_lookup(struct mc_resolver *res, const char *name, uint16_t type, mc_resolver_cb cb,
                        void *arg);

/* The same for an answer no later check is likely to ask for again (in
 * --batch: a host's own addresses, its PTR names, its HELO name's SPF
 * tree).  Its entry is cached as any other, but when the cache is over
 * cache_max such entries go first, so that the records sender domains
 * share across the batch's lines stay (doc/architecture.md).  Any
 * mc_resolver_lookup() of the same name and type makes the entry an
 * ordinary one. */
void mc_resolver_lookup_once(struct mc_resolver *res, const char *name, uint16_t type,
                             mc_resolver_cb cb, void *arg);

/*
 * Retention in a batch that knows its input (mailcheck(1), --batch FILE):
 * a scope counts the checks still to come that will want what is looked
 * up for it (in --batch, the lines not yet started that name one sender
 * domain).  An entry belongs to the last scope that asked for it while
 * wanted (WANTED > 0), and mc_resolver_trim() frees entries whose scope is
 * spent, or that have none, before those of a scope still wanted.  The
 * caller owns scopes and counts them down; they must outlive the
 * resolver's last lookup and trim (mc_resolver_free() reads none).
 */
struct mc_resolver_scope {
    size_t wanted;
};

/* mc_resolver_lookup() for SCOPE (NULL: none, as mc_resolver_lookup()). */
void mc_resolver_lookup_for(struct mc_resolver *res, const struct mc_resolver_scope *scope,
                            const char *name, uint16_t type, mc_resolver_cb cb, void *arg);

/* Calls CB(ARG, NULL) from mc_resolver_run(), in order with the lookup
 * callbacks: for an operation that ends without a lookup but promised to
 * call back from the loop. */
void mc_resolver_post(struct mc_resolver *res, mc_resolver_cb cb, void *arg);

/*
 * Batch runs (many checks on one resolver).  Epochs pin results: every
 * lookup stamps its entry with the current epoch, and mc_resolver_trim()
 * frees only entries last used before OLDEST_LIVE_EPOCH, so results a
 * running check still holds stay valid.  A completed entry older than its
 * TTL (at least MC_RESOLVER_MIN_TTL s) is asked again by the next lookup
 * from a later epoch.  Single checks never call these: everything is kept.
 */
#define MC_RESOLVER_MIN_TTL 10
uint64_t mc_resolver_epoch_next(struct mc_resolver *res);
/* Frees completed entries last used before OLDEST_LIVE_EPOCH while more
 * than cache_max are kept (those of mc_resolver_lookup_once() first, then
 * those of no scope still wanted, then the rest, each kind oldest first),
 * and every expired one. */
void mc_resolver_trim(struct mc_resolver *res, uint64_t oldest_live_epoch);

/* Calls CB(ARG, NULL) from mc_resolver_run() once WHEN_MS (mc_now_ms()
 * clock) has passed, unless cancelled. Returns a non-zero id. */
uint64_t mc_resolver_timer_add(struct mc_resolver *res, int64_t when_ms, mc_resolver_cb cb,
                               void *arg);
void mc_resolver_timer_cancel(struct mc_resolver *res, uint64_t id);

/* Returns the cached result of NAME/TYPE if it is complete, else NULL. */
const struct mc_dns_result *mc_resolver_peek(struct mc_resolver *res, const char *name,
                                             uint16_t type);

/*
 * Drives all lookups and timers until none is pending or DEADLINE_MS
 * (mc_now_ms() clock) passes; then every pending lookup ends with
 * MC_DNS_DEADLINE and its callback runs (timers are dropped).  Returns
 * true when the deadline cut lookups off.
 */
bool mc_resolver_run(struct mc_resolver *res, int64_t deadline_ms);

/* Makes mc_resolver_run() return soon, as if its deadline had passed:
 * every lookup still pending ends with MC_DNS_DEADLINE.  For a caller that
 * has what it needs while lookups nobody waits for (prefetches, answers a
 * finished check no longer wants) are still out. */
void mc_resolver_stop(struct mc_resolver *res);

/*
 * Running a caller's own operations to completion (a host check, an SPF
 * evaluation, a sender-domain report and its walk): the one way to wait
 * for them while lookups nobody waits for any more (prefetches) may still
 * be out.  Set RES and PENDING to the operations started; each one's
 * callback calls mc_resolver_op_ended(), and the last stops the run.
 */
struct mc_resolver_ops {
    struct mc_resolver *res; /* borrowed */
    size_t pending;          /* operations started and not yet ended */
};

/* Counts one operation of OPS ended; the last makes mc_resolver_run()
 * return (mc_resolver_stop()). */
void mc_resolver_op_ended(struct mc_resolver_ops *ops);

/* Drives OPS->res until every operation of OPS has ended or DEADLINE_MS
 * passes (then pending lookups end with MC_DNS_DEADLINE and the
 * operations' callbacks run).  Returns true when the deadline cut lookups
 * off, as mc_resolver_run() does. */
bool mc_resolver_run_ops(struct mc_resolver_ops *ops, int64_t deadline_ms);

struct mc_resolver_stats {
    unsigned long lookups;         /* distinct lookups asked for */
    unsigned long queries_sent;    /* queries handed to the network */
    unsigned long answered;        /* lookups answered (see mc_dns.h) */
    unsigned long failed;          /* lookups failed, deadline excluded */
    unsigned long deadline;        /* lookups ended by the deadline */
    unsigned long cache_hits;      /* lookups answered by an existing entry */
    unsigned long evicted;         /* entries freed by mc_resolver_trim() */
    unsigned long replies_ignored; /* --dns0x20: UDP replies in the wrong case */
    size_t entries;                /* entries held now */
};
void mc_resolver_get_stats(const struct mc_resolver *res, struct mc_resolver_stats *stats);

/* True when the resolver itself was unusable in the run STATS describe:
 * no lookup was answered and at least one failed (lookups the deadline
 * ended do not count either way; doc/verdicts.md). */
bool mc_resolver_unusable(const struct mc_resolver_stats *stats);

/* The servers in use, as "ADDR:PORT" strings (borrowed), for reports. */
size_t mc_resolver_servers(const struct mc_resolver *res, const char *const **servers);

/* The c-ares version in use (static string), for --version. */
const char *mc_resolver_library_version(void);

#endif
