/* SPDX-License-Identifier: MIT */
/*
 * mc_transport.h - the seam between the resolver and the network: a DNS
 * query goes out as wire octets, and comes back once as a reply, a timeout,
 * an error or a cancellation.
 *
 * The resolver (resolver.c) keeps the cache, de-duplication, CNAME
 * following and the send queue with its politeness (--qps, --max-inflight);
 * a transport only moves messages.  The real one is c-ares
 * (transport_cares.c, the only file that includes <ares.h>, doc/architecture.md
 * "Third-party types stay home"); the unit tests drive the resolver on a
 * fake one with a virtual clock (tests/unit/fake_transport.c), as unbound
 * tests its iterator on testcode/fake_event.c.
 *
 * Answer integrity (RFC 5452) is the transport's: it writes a random ID
 * into each query (§4.3, §9.1), applies --dns0x20 and checks the echo,
 * since only it sees the bytes that go out and the datagrams that come in.
 *
 * The contract every transport keeps:
 *  - send() never calls back from inside itself; each sent query calls back
 *    exactly once, from wait() or, with MC_TRANSPORT_CANCELLED, from
 *    cancel_all();
 *  - after cancel_all() returns, no query sent before it calls back (a reply
 *    that comes later is dropped as an unknown one);
 *  - free() frees the queries still out without calling them back.
 *
 * Ownership: a transport is malloc'd by its constructor and freed by its
 * free op (the resolver made with mc_resolver_new_on() owns it).  Strings it
 * returns are borrowed until it is freed; a result's wire and why are
 * borrowed for the callback only.
 */
#ifndef MC_TRANSPORT_H
#define MC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mc_transport_status {
    MC_TRANSPORT_REPLY,     /* a reply: wire, len */
    MC_TRANSPORT_TIMEOUT,   /* no reply after `tries` tries */
    MC_TRANSPORT_CANCELLED, /* cancel_all() ended it */
    MC_TRANSPORT_MALFORMED, /* a reply that is not one to read: why */
    MC_TRANSPORT_NETERR,    /* not sent, or the connection failed: why */
};

struct mc_transport_result {
    enum mc_transport_status status;
    const unsigned char *wire; /* REPLY: the reply message */
    size_t len;
    int tries;                /* TIMEOUT: tries made */
    unsigned case_mismatches; /* TIMEOUT: replies ignored for their letter case */
    const char *why;          /* MALFORMED, NETERR: the human detail, naming the server */
};

typedef void (*mc_transport_cb)(void *arg, const struct mc_transport_result *result);

struct mc_transport;

struct mc_transport_ops {
    /* Sends the query WIRE (LEN octets, borrowed: the transport patches the
     * ID and, with --dns0x20, the letter case in place and copies what it
     * keeps).  CB(ARG, result) follows exactly once (see above). */
    void (*send)(struct mc_transport *t, unsigned char *wire, size_t len, mc_transport_cb cb,
                 void *arg);
    /* Waits at most MAX_MS (less when a retry of its own falls due) for the
     * network and handles what happened: replies, retries, timeouts, whose
     * callbacks run from here.  Returns at once when callbacks are due. */
    void (*wait)(struct mc_transport *t, int64_t max_ms);
    /* Ends every query out with MC_TRANSPORT_CANCELLED, calling back before
     * it returns. */
    void (*cancel_all)(struct mc_transport *t);
    /* The smallest receive buffer (octets) the kernel granted a UDP socket
     * of ours; 0 while none is open (or over TCP only). */
    int (*udp_rcvbuf)(const struct mc_transport *t);
    /* The servers asked, as "ADDR:PORT" / "[V6]:PORT" (borrowed). */
    size_t (*servers)(const struct mc_transport *t, const char *const **servers);
    /* UDP replies dropped because they did not echo the query's case. */
    unsigned long (*replies_ignored)(const struct mc_transport *t);
    /* The clock of the loop: mc_now_ms() on the network, a virtual one in
     * tests, so that timers, --qps and deadlines are deterministic there. */
    int64_t (*now_ms)(const struct mc_transport *t);
    void (*free)(struct mc_transport *t);
};

/* The base of every transport: implementations embed it first. */
struct mc_transport {
    const struct mc_transport_ops *ops;
};

struct mc_transport_config {
    const char *const *servers; /* "ADDR[:PORT]", "[V6]:PORT"; none: system's */
    size_t nservers;
    bool tcp_only;
    bool dns0x20;   /* random letter case in query names, echoed exactly */
    int timeout_ms; /* first try; <= 0: 2000 */
    int tries;      /* <= 0: 2 */
};

/* The c-ares transport.  On failure returns NULL with *WHY a malloc'd
 * message (caller frees), e.g. for a --server that is no IP address. */
struct mc_transport *mc_transport_cares_new(const struct mc_transport_config *config, char **why);

/* The c-ares version in use (static string), for --version. */
const char *mc_transport_cares_version(void);

#endif
