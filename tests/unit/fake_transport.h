/* SPDX-License-Identifier: MIT */
/*
 * fake_transport.h - a deterministic network for the resolver's unit tests
 * (test_resolver.c), in the manner of unbound's testcode/fake_event.c: a
 * struct mc_transport (mc_transport.h) with a virtual clock that only
 * wait() moves, and "servers" that are zone sets answering after a fixed
 * latency.
 *
 * What happens to a query is decided when it is sent: by default it is
 * answered LATENCY_MS later from the first zone set that holds its name;
 * fake_transport_rule() makes a name time out, fail, go unanswered or be
 * answered later.  wait(MAX_MS) jumps the clock to the next due query
 * within MAX_MS and completes every query due then, in send order, or
 * moves the clock by MAX_MS when none is due: a run of the resolver takes
 * no real time and always takes the same steps.
 *
 * The fake checks the transport contract as it goes (one callback per
 * query, none from inside send(), none after cancel_all()) and records what
 * the tests assert on: every query sent, with its time, and the high-water
 * mark of queries outstanding.
 *
 * Ownership: fake_transport_new() returns a fake the caller hands to
 * mc_resolver_new_on(), which frees it (through the free op) in
 * mc_resolver_free(); the caller may read it until then.  The zone sets
 * are borrowed.
 */
#ifndef FAKE_TRANSPORT_H
#define FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_transport.h"
#include "mc_zone.h"

/* What the network does with a query. */
enum fake_fate {
    FAKE_ANSWER,    /* a reply from the zone sets (none holds it: NETERR) */
    FAKE_TIMEOUT,   /* MC_TRANSPORT_TIMEOUT with `tries`, `case_mismatches` */
    FAKE_NETERR,    /* MC_TRANSPORT_NETERR with `why` */
    FAKE_MALFORMED, /* MC_TRANSPORT_MALFORMED with `why` */
    FAKE_SILENT,    /* never completes: only cancel_all() ends it */
};

struct fake_rule {
    const char *name; /* the query name, any case, no trailing dot */
    enum fake_fate fate;
    int after_ms; /* when it completes after being sent (0: at the next wait) */
    int tries;
    unsigned case_mismatches;
    const char *why;
};

enum fake_query_state { FAKE_PENDING, FAKE_DONE, FAKE_CANCELLED };

struct fake_query {
    char *name; /* as sent, lowercased */
    uint16_t type;
    int64_t sent_ms, due_ms;
    struct fake_rule fate;
    mc_transport_cb cb;
    void *arg;
    enum fake_query_state state;
    bool late_seen; /* cancelled, and its reply's time has come since */
};

#define FAKE_MAX_NET 4
#define FAKE_MAX_RULES 16

struct fake_transport {
    struct mc_transport base; /* first: the resolver sees a struct mc_transport */
    int64_t now;
    int latency_ms;
    const struct mc_zone_set *net[FAKE_MAX_NET]; /* asked in order */
    size_t nnet;
    struct fake_rule rules[FAKE_MAX_RULES];
    size_t nrules;
    /* What udp_rcvbuf() says once the first query has "opened the socket"
     * (0 before, as c-ares' socket opens with the first query). */
    int rcvbuf;
    const char *servers[2];
    size_t nservers;
    unsigned long replies_ignored;
    /* Every query sent, in order. */
    struct fake_query *queries;
    size_t nqueries, cap;
    size_t outstanding, max_outstanding;
    unsigned cancels, waits;
    size_t late_dropped; /* replies that came for cancelled queries */
    bool in_send, in_callback;
};

/* A fake at clock START_MS, one server "192.0.2.53:53", latency 10 ms. */
struct fake_transport *fake_transport_new(int64_t start_ms);
/* Adds a zone set the network answers from (borrowed). */
void fake_transport_serve(struct fake_transport *f, const struct mc_zone_set *set);
/* Decides the fate of every later query for RULE.name. */
void fake_transport_rule(struct fake_transport *f, struct fake_rule rule);
/* How many queries for NAME were sent. */
size_t fake_transport_sent(const struct fake_transport *f, const char *name);

#endif
