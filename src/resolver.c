/* SPDX-License-Identifier: MIT */
/*
 * resolver.c - the run's one asynchronous resolver: a de-duplicating cache of
 * lookups in front of the zone-file backend and c-ares, driven by our own
 * poll() loop (ARES_OPT_SOCK_STATE_CB, ares_process_fd, ares_timeout).
 *
 * A lookup is an `entry` keyed by (lowercased name, type).  An entry asks
 * the zones first, then the network; a reply ending in a CNAME whose target
 * it holds no data for makes the same entry ask for the target, up to
 * MC_DNS_MAX_CNAMES, with loop detection on the whole chain (RFC 1034
 * §3.6.2).  Waiters are called back only from mc_resolver_run(), through a
 * delivery queue, so no caller is re-entered from mc_resolver_lookup().
 *
 * c-ares traps handled here (STYLE.md): ARES_FLAG_NOCHECKRESP so SERVFAIL
 * and REFUSED replies reach ldns with their rcode (c-ares 1.18 would report
 * REFUSED as a connection error); its own query cache (>= 1.23) is turned
 * off because this cache is the one that counts.  The only call into a
 * deprecated c-ares API, ares_send(), is isolated in send_query().
 *
 * Ownership: entries, their arenas and results belong to the resolver until
 * mc_resolver_free().  A `query` (one outstanding c-ares request) is
 * malloc'd by send_query() and freed by its callback, which c-ares calls
 * exactly once (with ARES_ECANCELLED/ARES_EDESTRUCTION at the latest).
 */
#include "mc_resolver.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/select.h> /* before ares.h: Debian 12's ares.h needs fd_set */

#include <arpa/inet.h>
#include <ares.h>

/* ares_send() and ares_get_servers_ports() are deprecated in current
 * c-ares (1.29+, 1.24+) for functions 1.18 (Debian 12) lacks: each use
 * sits between these two, so both versions build with -Werror. */
#if defined(__GNUC__)
#define MC_ARES_DEPRECATED_BEGIN                                                                   \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
#define MC_ARES_DEPRECATED_END _Pragma("GCC diagnostic pop")
#else
#define MC_ARES_DEPRECATED_BEGIN
#define MC_ARES_DEPRECATED_END
#endif

#include "mc_arena.h"
#include "mc_dns_id.h"
#include "mc_dns_msg.h"

/* c-ares 1.33 and later apply 0x20 themselves (ARES_FLAG_DNS0x20: random
 * case, replies matched case-sensitively, a mismatch ignored while the
 * query waits on); ares_send() there also replaces our query ID with its
 * own unique random one.  Older c-ares (Debian 12's 1.18) sends the ID and
 * the name as we wrote them and matches replies case-insensitively, so the
 * case guard below drops, before c-ares reads them, the UDP replies whose
 * question does not echo the case of a query in flight. */
#ifdef ARES_FLAG_DNS0x20
#define MC_CARES_DNS0X20 1
#else
#define MC_CARES_DNS0X20 0
#endif

struct waiter {
    mc_resolver_cb cb;
    void *arg;
    struct waiter *next;
};

struct delivery {
    struct entry *entry;
    mc_resolver_cb cb;
    void *arg;
    struct delivery *next;
};

struct entry {
    char *name; /* key: lowercased, no trailing dot */
    uint16_t type;
    bool done;
    struct mc_arena *arena; /* the result's memory */
    struct mc_dns_result result;
    const char *asking; /* name currently asked (qname or a CNAME target) */
    const char *chain[MC_DNS_MAX_CNAMES + 1];
    const char *chain_targets[MC_DNS_MAX_CNAMES + 1];
    const char *chain_servers[MC_DNS_MAX_CNAMES + 1]; /* who answered step i */
    size_t nchain;
    struct waiter *waiters;
    struct entry *hash_next;
    uint64_t last_used;  /* epoch of the last lookup that asked for it */
    uint64_t created;    /* epoch it was created in */
    int64_t expires_ms;  /* when a later epoch must ask again */
    unsigned char *wire; /* query waiting in the send queue, or NULL */
    size_t wirelen;
    struct entry *sendq_next;
    struct entry *retired_next; /* stale, out of the table, maybe still held */
};

struct timer {
    uint64_t id;
    int64_t when_ms;
    mc_resolver_cb cb;
    void *arg;
};

struct sock {
    ares_socket_t fd;
    short events;
};

struct mc_resolver {
    ares_channel channel;
    bool offline;
    bool deadline_passed; /* lookups started now end at once */
    bool stop;            /* mc_resolver_stop() was called */
    const struct mc_zone_set *zones;
    struct entry **table;
    size_t table_size, nentries, npending;
    struct delivery *deliver_head, **deliver_tail;
    struct sock *socks;
    size_t nsocks, socks_cap;
    char **servers;
    size_t nservers;
    const char *server_label; /* what results name as `server` */
    struct mc_resolver_stats stats;
    uint64_t epoch;
    size_t cache_max;
    struct entry *retired;
    /* Politeness (--max-inflight, --qps): queries wait in a FIFO. */
    struct entry *sendq_head, **sendq_tail;
    unsigned inflight, max_inflight, qps;
    size_t queued;  /* queries in the send queue */
    int udp_rcvbuf; /* smallest receive buffer of our UDP sockets; 0: none yet */
    double tokens;
    int64_t tokens_ms;
    struct timer *timers;
    size_t ntimers, timers_cap;
    uint64_t next_timer_id;
    /* Answer integrity (RFC 5452): IDs in flight, and --dns0x20. */
    struct mc_dns_ids ids;
    bool dns0x20;         /* --dns0x20 asked */
    bool own_0x20;        /* ... and applied here, not by c-ares */
    struct query **guard; /* MC_GUARD_BUCKETS, when own_0x20 */
    int *udp_fds;         /* UDP sockets (the guard reads only those) */
    size_t nudp_fds, udp_fds_cap;
};

/* One outstanding c-ares request. */
struct query {
    struct mc_resolver *res;
    struct entry *entry;
    uint16_t id; /* ours (c-ares >= 1.33 sends its own instead) */
    /* --dns0x20 with our own case: the name as sent, and the guard's
     * chain of queries whose names hash alike. */
    unsigned char *qname_wire;
    size_t qname_len;
    uint16_t qtype;
    unsigned case_mismatches; /* replies dropped for their letter case */
    struct query *guard_next;
};

/* Buckets of the case guard (queries in flight by name, any case). */
#define MC_GUARD_BUCKETS 4096

/* ---- the cache ---- */

static size_t hash_key(const char *name, uint16_t type)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return (h ^ type) * 16777619u;
}

static void table_grow(struct mc_resolver *res)
{
    size_t size = res->table_size ? res->table_size * 2 : 256;
    struct entry **table = mc_xcalloc(size, sizeof *table);
    for (size_t i = 0; i < res->table_size; i++) {
        for (struct entry *e = res->table[i], *next; e; e = next) {
            next = e->hash_next;
            size_t slot = hash_key(e->name, e->type) & (size - 1);
            e->hash_next = table[slot];
            table[slot] = e;
        }
    }
    free(res->table);
    res->table = table;
    res->table_size = size;
}

/* NAME lowercased and without its trailing dot. Caller frees. */
static char *normalize_name(const char *name)
{
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '.')
        n--;
    return mc_ascii_lower(mc_xstrndup(name, n));
}

static struct entry *table_find(const struct mc_resolver *res, const char *key, uint16_t type)
{
    if (!res->table_size)
        return NULL;
    for (struct entry *e = res->table[hash_key(key, type) & (res->table_size - 1)]; e;
         e = e->hash_next)
        if (e->type == type && strcmp(e->name, key) == 0)
            return e;
    return NULL;
}

static void table_unlink(struct mc_resolver *res, struct entry *e)
{
    struct entry **pp = &res->table[hash_key(e->name, e->type) & (res->table_size - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = e->hash_next;
    e->hash_next = NULL;
    res->nentries--;
}

static void entry_free(struct entry *e)
{
    for (struct waiter *w = e->waiters, *next; w; w = next) {
        next = w->next;
        free(w);
    }
    free(e->wire);
    mc_arena_free(e->arena);
    free(e->name);
    free(e);
}

/* Takes E out of the table; it is freed by mc_resolver_trim() once no
 * live epoch can hold its result. */
static void retire(struct mc_resolver *res, struct entry *e)
{
    table_unlink(res, e);
    e->retired_next = res->retired;
    res->retired = e;
}

/* ---- completion ---- */

static void deliver(struct mc_resolver *res, struct entry *e, mc_resolver_cb cb, void *arg)
{
    struct delivery *d = mc_xmalloc(sizeof *d);
    *d = (struct delivery){.entry = e, .cb = cb, .arg = arg};
    *res->deliver_tail = d;
    res->deliver_tail = &d->next;
}

/* Ends entry E with OUTCOME; records (if any) are already in E->result. */
static void entry_end(struct mc_resolver *res, struct entry *e, enum mc_dns_outcome outcome,
                      const char *why)
{
    struct mc_dns_result *r = &e->result;
    r->outcome = outcome;
    if (why && !r->why)
        r->why = mc_arena_strdup(e->arena, why);
    r->canonical = e->asking;
    r->ncnames = e->nchain;
    r->cname_chain = mc_arena_alloc(e->arena, (e->nchain + 1) * sizeof(char *));
    r->cname_targets = mc_arena_alloc(e->arena, (e->nchain + 1) * sizeof(char *));
    r->cname_servers = mc_arena_alloc(e->arena, (e->nchain + 1) * sizeof(char *));
    for (size_t i = 0; i < e->nchain; i++) {
        r->cname_chain[i] = e->chain[i];
        r->cname_targets[i] = e->chain_targets[i];
        r->cname_servers[i] = e->chain_servers[i];
    }
    e->done = true;
    /* Answers live for their TTL, failures briefly; never under the floor,
     * so that one check's identical lookups always share an answer. */
    uint32_t ttl = mc_dns_outcome_answered(outcome) ? r->ttl : 0;
    if (ttl < MC_RESOLVER_MIN_TTL)
        ttl = MC_RESOLVER_MIN_TTL;
    if (ttl > 86400)
        ttl = 86400;
    e->expires_ms = mc_now_ms() + (int64_t)ttl * 1000;
    res->npending--;
    if (outcome == MC_DNS_DEADLINE)
        res->stats.deadline++;
    else if (mc_dns_outcome_answered(outcome))
        res->stats.answered++;
    else
        res->stats.failed++;
    for (struct waiter *w = e->waiters, *next; w; w = next) {
        next = w->next;
        deliver(res, e, w->cb, w->arg);
        free(w);
    }
    e->waiters = NULL;
}

/* ---- asking ---- */

static void ask(struct mc_resolver *res, struct entry *e);

/* Applies one parsed reply to E: ends it, or continues along the chain. */
static void take_reply(struct mc_resolver *res, struct entry *e, const struct mc_dns_reply *rep,
                       const char *server)
{
    struct mc_dns_result *r = &e->result;
    r->rcode = rep->rcode;
    r->server = mc_arena_strdup(e->arena, server);
    for (size_t i = 0; i < rep->ncnames; i++) {
        /* Loops across replies: a chain owner seen in an earlier reply. */
        for (size_t j = 0; j < e->nchain; j++) {
            if (mc_name_equal(e->chain[j], rep->cname_chain[i])) {
                r->cname_broken = true;
                entry_end(res, e, MC_DNS_NODATA,
                          mc_arena_printf(e->arena, "CNAME chain loops at %s", e->chain[j]));
                return;
            }
        }
        if (e->nchain == MC_DNS_MAX_CNAMES) {
            r->cname_broken = true;
            entry_end(res, e, MC_DNS_NODATA, "CNAME chain longer than 10");
            return;
        }
        e->chain[e->nchain] = mc_arena_strdup(e->arena, rep->cname_chain[i]);
        e->chain_targets[e->nchain] = mc_arena_strdup(e->arena, rep->cname_targets[i]);
        e->chain_servers[e->nchain++] = r->server;
    }
    if (rep->cname_loop) {
        r->cname_broken = true;
        entry_end(res, e, MC_DNS_NODATA, rep->why);
        return;
    }
    if (rep->next_name) {
        if (e->nchain == MC_DNS_MAX_CNAMES) {
            r->cname_broken = true;
            entry_end(res, e, MC_DNS_NODATA, "CNAME chain longer than 10");
            return;
        }
        e->asking = mc_arena_strdup(e->arena, rep->next_name);
        ask(res, e);
        return;
    }
    if (rep->canonical)
        e->asking = rep->canonical; /* in e->arena */
    r->count = rep->count;
    r->records = rep->records; /* allocated in e->arena by the parser */
    r->ttl = rep->ttl;
    entry_end(res, e, rep->outcome, rep->why);
}

/* ---- answer integrity: IDs, 0x20 and the case guard (RFC 5452) ---- */

static size_t guard_slot(const unsigned char *name, size_t len)
{
    return mc_dns_wire_name_hash(name, len) & (MC_GUARD_BUCKETS - 1);
}

static void guard_add(struct mc_resolver *res, struct query *q)
{
    size_t slot = guard_slot(q->qname_wire, q->qname_len);
    q->guard_next = res->guard[slot];
    res->guard[slot] = q;
}

static void guard_remove(struct mc_resolver *res, struct query *q)
{
    struct query **pp = &res->guard[guard_slot(q->qname_wire, q->qname_len)];
    while (*pp && *pp != q)
        pp = &(*pp)->guard_next;
    if (*pp)
        *pp = q->guard_next;
}

/*
 * The socket functions c-ares 1.18 calls when they are set (only with our
 * own 0x20): plain system calls, except that a UDP read drops every
 * datagram guard_admits() refuses and reads the next, so that a forged
 * reply in the wrong case never ends the query it imitates.  With these
 * set, c-ares 1.18 configures nothing on the sockets itself: non-blocking,
 * close-on-exec and TCP_NODELAY are set here.
 */
#if !MC_CARES_DNS0X20
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <unistd.h>

/* True when the reply WIRE echoes, octet for octet, the name and type of
 * a query in flight.  A reply whose question cannot be read is not let
 * through either: under --dns0x20 nothing unverified reaches c-ares. */
static bool guard_admits(const struct mc_resolver *res, const unsigned char *wire, size_t len)
{
    struct mc_dns_question rq;
    if (!mc_dns_question_read(wire, len, &rq))
        return false;
    const unsigned char *name = wire + rq.name_off;
    struct query *alike = NULL;
    for (struct query *q = res->guard[guard_slot(name, rq.name_len)]; q; q = q->guard_next) {
        if (q->qtype != rq.qtype || q->qname_len != rq.name_len)
            continue;
        if (memcmp(q->qname_wire, name, rq.name_len) == 0)
            return true;
        if (mc_dns_wire_name_equal(q->qname_wire, name, rq.name_len))
            alike = q;
    }
    /* Counted so that the lookup's timeout can say why nothing counted
     * (a server that lowercases names, or a forgery). */
    if (alike)
        alike->case_mismatches++;
    return false;
}

static bool is_udp_fd(const struct mc_resolver *res, int fd)
{
    for (size_t i = 0; i < res->nudp_fds; i++)
        if (res->udp_fds[i] == fd)
            return true;
    return false;
}

static ares_socket_t guard_socket(int domain, int type, int protocol, void *data)
{
    struct mc_resolver *res = data;
    int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return ARES_SOCKET_BAD;
    if (type == SOCK_STREAM) {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        if (res->nudp_fds == res->udp_fds_cap) {
            res->udp_fds_cap = res->udp_fds_cap ? res->udp_fds_cap * 2 : 4;
            res->udp_fds = mc_xrealloc(res->udp_fds, res->udp_fds_cap * sizeof *res->udp_fds);
        }
        res->udp_fds[res->nudp_fds++] = fd;
    }
    return fd;
}

static int guard_close(ares_socket_t fd, void *data)
{
    struct mc_resolver *res = data;
    for (size_t i = 0; i < res->nudp_fds; i++)
        if (res->udp_fds[i] == fd)
            res->udp_fds[i] = res->udp_fds[--res->nudp_fds];
    return close(fd);
}

static int guard_connect(ares_socket_t fd, const struct sockaddr *addr, ares_socklen_t len,
                         void *data)
{
    (void)data;
    return connect(fd, addr, len);
}

static ares_ssize_t guard_recvfrom(ares_socket_t fd, void *buf, size_t size, int flags,
                                   struct sockaddr *from, ares_socklen_t *fromlen, void *data)
{
    struct mc_resolver *res = data;
    ares_socklen_t want = fromlen ? *fromlen : 0;
    for (;;) {
        if (fromlen)
            *fromlen = want;
        ssize_t n =
            from ? recvfrom(fd, buf, size, flags, from, fromlen) : recv(fd, buf, size, flags);
        if (n <= 0 || !is_udp_fd(res, fd) || guard_admits(res, buf, (size_t)n))
            return n;
        res->stats.replies_ignored++; /* and read on: the real one may follow */
    }
}

static ares_ssize_t guard_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *data)
{
    (void)data;
    return writev(fd, iov, n);
}

static const struct ares_socket_functions guard_functions = {
    .asocket = guard_socket,
    .aclose = guard_close,
    .aconnect = guard_connect,
    .arecvfrom = guard_recvfrom,
    .asendv = guard_sendv,
};
#endif

/* Frees Q, giving back its ID and leaving the guard. */
static void query_free(struct mc_resolver *res, struct query *q)
{
    mc_dns_id_release(&res->ids, q->id);
    if (q->qname_wire) {
        if (res->guard)
            guard_remove(res, q);
        free(q->qname_wire);
    }
    free(q);
}

/* Under our own 0x20: true when the reply's question is in the case sent
 * (TCP replies are not guarded on the way in; this catches them). */
static bool reply_echoes_case(const struct query *q, const unsigned char *abuf, size_t alen)
{
    struct mc_dns_question rq;
    if (!q->qname_wire)
        return true;
    return mc_dns_question_read(abuf, alen, &rq) && rq.name_len == q->qname_len &&
           memcmp(abuf + rq.name_off, q->qname_wire, q->qname_len) == 0;
}

static void query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct query *q = arg;
    struct mc_resolver *res = q->res;
    struct entry *e = q->entry;
    bool case_ok = status != ARES_SUCCESS || reply_echoes_case(q, abuf, (size_t)alen);
    unsigned case_mismatches = q->case_mismatches;
    query_free(res, q);
    if (status == ARES_EDESTRUCTION)
        return; /* the resolver is being freed: nobody is waiting */
    res->inflight--;
    switch (status) {
    case ARES_SUCCESS: {
        struct mc_dns_reply rep;
        if (!case_ok) {
            entry_end(res, e, MC_DNS_MALFORMED,
                      "the reply did not echo the letter case of the query name (--dns0x20)");
            return;
        }
        mc_dns_msg_parse_reply(abuf, (size_t)alen, e->asking, e->type, -1, e->arena, &rep);
        take_reply(res, e, &rep, res->server_label);
        return;
    }
    case ARES_ETIMEOUT:
        entry_end(res, e, MC_DNS_TIMEOUT,
                  case_mismatches
                      ? mc_arena_printf(e->arena,
                                        "no reply from %s (%d tries) that echoed the query "
                                        "name's letter case: %u in another case ignored "
                                        "(--dns0x20; some servers lowercase names)",
                                        res->server_label, timeouts, case_mismatches)
                      : mc_arena_printf(e->arena, "no reply from %s (%d tries)", res->server_label,
                                        timeouts));
        return;
    case ARES_ECANCELLED: entry_end(res, e, MC_DNS_DEADLINE, "the run's deadline passed"); return;
    case ARES_EBADRESP: entry_end(res, e, MC_DNS_MALFORMED, "malformed reply"); return;
    case ARES_EBADNAME:
        /* Newer c-ares (seen with 1.34) re-encodes every query and refuses
         * a name with an octet outside letters, digits, "-", "_", "/" and
         * "*", although DNS allows any (1.18 sends it as given): a failed
         * lookup that says so, not c-ares' "Misformatted domain name". */
        entry_end(res, e, MC_DNS_NETERR,
                  mc_arena_printf(e->arena,
                                  "c-ares %s will not send a query for a name with octets other "
                                  "than letters, digits, '-' and '_'",
                                  ares_version(NULL)));
        return;
    default:
        entry_end(res, e, MC_DNS_NETERR,
                  mc_arena_printf(e->arena, "%s (%s)", ares_strerror(status), res->server_label));
        return;
    }
}

/* The one call of ares_send(), deprecated from c-ares 1.29 on in favour of
 * ares_send_dnsrec(), which 1.18 lacks.  Our queries are built by ldns;
 * here each gets a fresh random ID (RFC 5452 §4.3; c-ares >= 1.33 replaces
 * it with one of its own, as random) and, with our own 0x20, a fresh
 * random case. */
static void send_query(struct mc_resolver *res, struct entry *e, unsigned char *wire, size_t len)
{
    struct query *q = mc_xmalloc(sizeof *q);
    *q = (struct query){.res = res, .entry = e, .id = mc_dns_id_take(&res->ids)};
    mc_dns_id_set(wire, len, q->id);
    struct mc_dns_question qq;
    if (res->own_0x20 && mc_dns_0x20_apply(&res->ids, wire, len) &&
        mc_dns_question_read(wire, len, &qq)) {
        q->qname_len = qq.name_len;
        q->qname_wire = mc_xmalloc(qq.name_len);
        memcpy(q->qname_wire, wire + qq.name_off, qq.name_len);
        q->qtype = qq.qtype;
        guard_add(res, q);
    }
    res->stats.queries_sent++;
    MC_ARES_DEPRECATED_BEGIN
    ares_send(res->channel, wire, (int)len, query_cb, q);
    MC_ARES_DEPRECATED_END
}

/* Asks for E->asking: zones first, then the network or, offline, nothing. */
static void ask(struct mc_resolver *res, struct entry *e)
{
    unsigned char *wire = NULL;
    size_t len = 0;
    const char *source = NULL;
    if (res->deadline_passed) {
        entry_end(res, e, MC_DNS_DEADLINE, "the run's deadline passed");
        return;
    }
    if (res->zones && mc_zone_set_answer(res->zones, e->asking, e->type, 0, &wire, &len, &source)) {
        struct mc_dns_reply rep;
        mc_dns_msg_parse_reply(wire, len, e->asking, e->type, 0, e->arena, &rep);
        free(wire);
        take_reply(res, e, &rep, mc_arena_printf(e->arena, "zone %s", source));
        return;
    }
    if (res->offline) {
        entry_end(res, e, MC_DNS_OFFLINE,
                  mc_arena_printf(e->arena, "%s is outside every --zone and --offline is set",
                                  e->asking));
        return;
    }
    if (mc_dns_msg_build_query(e->asking, e->type, 0, &wire, &len) != MC_OK) {
        entry_end(res, e, MC_DNS_MALFORMED,
                  mc_arena_printf(e->arena, "%s is not a valid domain name", e->asking));
        return;
    }
    /* Sent by pump(), within --max-inflight and --qps. */
    e->wire = wire;
    e->wirelen = len;
    *res->sendq_tail = e;
    res->sendq_tail = &e->sendq_next;
    res->queued++;
}

/* The automatic --max-inflight: as many queries as the UDP receive buffer
 * holds replies.  All replies to a window of queries can arrive between two
 * polls (a server's replies come in bursts as large as the window), and
 * every one the buffer cannot hold is lost and costs a full retry timeout.
 * MC_RESOLVER_REPLY_COST is what one reply of a few hundred octets takes of
 * the buffer on Linux (the skb's truesize, about 0.8 KiB on loopback, with
 * a margin).  A stock kernel grants a process without CAP_NET_ADMIN twice
 * its 208 KiB rmem_max (doubled for bookkeeping): 416 queries; root gets
 * the 4 MiB asked, doubled: the cap of 2000.  The first query opens the
 * socket, and the limit follows from then on. */
#define MC_RESOLVER_REPLY_COST 1024
#define MC_RESOLVER_AUTO_INFLIGHT_MAX 2000

static unsigned inflight_limit(const struct mc_resolver *res)
{
    if (res->max_inflight)
        return res->max_inflight;
    if (res->udp_rcvbuf <= 0)
        return 200; /* no UDP socket yet (or TCP only): safe on any kernel */
    unsigned n = (unsigned)(res->udp_rcvbuf / MC_RESOLVER_REPLY_COST);
    if (n < 16)
        n = 16;
    return n < MC_RESOLVER_AUTO_INFLIGHT_MAX ? n : MC_RESOLVER_AUTO_INFLIGHT_MAX;
}

/* Sends queued queries while the limits allow. Returns the ms until the
 * next may go (qps), or -1 when nothing waits for a token. */
static int pump(struct mc_resolver *res)
{
    while (res->sendq_head) {
        if (res->inflight >= inflight_limit(res))
            return -1; /* a reply will make room */
        if (res->qps) {
            int64_t now = mc_now_ms();
            double burst = res->qps / 20.0 > 1 ? res->qps / 20.0 : 1;
            res->tokens += (double)(now - res->tokens_ms) * res->qps / 1000.0;
            if (res->tokens > burst)
                res->tokens = burst;
            res->tokens_ms = now;
            if (res->tokens < 1) {
                int wait = (int)((1 - res->tokens) * 1000.0 / res->qps) + 1;
                return wait;
            }
            res->tokens -= 1;
        }
        struct entry *e = res->sendq_head;
        res->sendq_head = e->sendq_next;
        if (!res->sendq_head)
            res->sendq_tail = &res->sendq_head;
        e->sendq_next = NULL;
        res->queued--;
        res->inflight++;
        /* Detached first: the callback may run inside send_query() and,
         * following a CNAME, queue E again with a new wire. */
        unsigned char *wire = e->wire;
        e->wire = NULL;
        send_query(res, e, wire, e->wirelen);
        free(wire);
    }
    return -1;
}

bool mc_resolver_busy(const struct mc_resolver *res)
{
    /* Half a second of sending at --qps, or a whole window more than the
     * window in flight (the automatic one's largest: the buffer may not be
     * known yet): more waiting only ages the checks that wait. */
    if (res->qps)
        return res->queued >= (res->qps / 2 ? res->qps / 2 : 1);
    return res->queued >= (res->max_inflight ? res->max_inflight : MC_RESOLVER_AUTO_INFLIGHT_MAX);
}

void mc_resolver_lookup(struct mc_resolver *res, const char *name, uint16_t type, mc_resolver_cb cb,
                        void *arg)
{
    char *key = normalize_name(name);
    struct entry *e = table_find(res, key, type);
    if (e && e->done && e->created < res->epoch && mc_now_ms() >= e->expires_ms) {
        retire(res, e); /* past its TTL: ask again (holders keep the old one) */
        e = NULL;
    }
    if (e) {
        free(key);
        e->last_used = res->epoch;
        res->stats.cache_hits++;
        if (e->done) {
            deliver(res, e, cb, arg);
        } else {
            struct waiter *w = mc_xmalloc(sizeof *w);
            *w = (struct waiter){.cb = cb, .arg = arg, .next = e->waiters};
            e->waiters = w;
        }
        return;
    }
    if (res->nentries + 1 > res->table_size)
        table_grow(res);
    e = mc_xcalloc(1, sizeof *e);
    e->name = key;
    e->type = type;
    e->arena = mc_arena_new_sized(256);
    e->asking = e->name;
    e->created = e->last_used = res->epoch;
    e->result.qname = e->name;
    e->result.qtype = type;
    e->result.rcode = -1;
    size_t slot = hash_key(key, type) & (res->table_size - 1);
    e->hash_next = res->table[slot];
    res->table[slot] = e;
    res->nentries++;
    res->npending++;
    res->stats.lookups++;
    struct waiter *w = mc_xmalloc(sizeof *w);
    *w = (struct waiter){.cb = cb, .arg = arg};
    e->waiters = w;
    ask(res, e);
}

void mc_resolver_post(struct mc_resolver *res, mc_resolver_cb cb, void *arg)
{
    deliver(res, NULL, cb, arg);
}

const struct mc_dns_result *mc_resolver_peek(struct mc_resolver *res, const char *name,
                                             uint16_t type)
{
    char *key = normalize_name(name);
    const struct entry *e = table_find(res, key, type);
    free(key);
    return e && e->done ? &e->result : NULL;
}

/* ---- the event loop ---- */

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
    struct mc_resolver *res = data;
    short events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    for (size_t i = 0; i < res->nsocks; i++) {
        if (res->socks[i].fd != fd)
            continue;
        if (events) {
            res->socks[i].events = events;
        } else {
            res->socks[i] = res->socks[--res->nsocks];
        }
        return;
    }
    if (!events)
        return;
    if (res->nsocks == res->socks_cap) {
        res->socks_cap = res->socks_cap ? res->socks_cap * 2 : 8;
        res->socks = mc_xrealloc(res->socks, res->socks_cap * sizeof *res->socks);
    }
    res->socks[res->nsocks++] = (struct sock){.fd = fd, .events = events};
}

static void drain_deliveries(struct mc_resolver *res)
{
    while (res->deliver_head) {
        struct delivery *d = res->deliver_head;
        res->deliver_head = d->next;
        if (!res->deliver_head)
            res->deliver_tail = &res->deliver_head;
        d->cb(d->arg, d->entry ? &d->entry->result : NULL);
        free(d);
    }
}

/* Ends every queued (unsent) query at the deadline. */
static void cut_send_queue(struct mc_resolver *res)
{
    while (res->sendq_head) {
        struct entry *e = res->sendq_head;
        res->sendq_head = e->sendq_next;
        e->sendq_next = NULL;
        free(e->wire);
        e->wire = NULL;
        res->queued--;
        entry_end(res, e, MC_DNS_DEADLINE, "the run's deadline passed");
    }
    res->sendq_tail = &res->sendq_head;
}

/* Fires due timers; returns ms until the next one, or -1 if none. */
static int64_t fire_timers(struct mc_resolver *res, int64_t now)
{
    int64_t next = -1;
    for (size_t i = 0; i < res->ntimers;) {
        struct timer t = res->timers[i];
        if (t.when_ms <= now) {
            res->timers[i] = res->timers[--res->ntimers];
            deliver(res, NULL, t.cb, t.arg);
            continue;
        }
        if (next < 0 || t.when_ms - now < next)
            next = t.when_ms - now;
        i++;
    }
    return next;
}

uint64_t mc_resolver_timer_add(struct mc_resolver *res, int64_t when_ms, mc_resolver_cb cb,
                               void *arg)
{
    if (res->ntimers == res->timers_cap) {
        res->timers_cap = res->timers_cap ? res->timers_cap * 2 : 16;
        res->timers = mc_xrealloc(res->timers, res->timers_cap * sizeof *res->timers);
    }
    uint64_t id = ++res->next_timer_id;
    res->timers[res->ntimers++] =
        (struct timer){.id = id, .when_ms = when_ms, .cb = cb, .arg = arg};
    return id;
}

void mc_resolver_timer_cancel(struct mc_resolver *res, uint64_t id)
{
    for (size_t i = 0; i < res->ntimers; i++) {
        if (res->timers[i].id == id) {
            res->timers[i] = res->timers[--res->ntimers];
            return;
        }
    }
}

bool mc_resolver_run(struct mc_resolver *res, int64_t deadline_ms)
{
    struct pollfd *pfds = NULL;
    size_t pfds_cap = 0;
    bool cut = false;
    for (;;) {
        drain_deliveries(res);
        int64_t now = mc_now_ms();
        int64_t timer_wait = fire_timers(res, now);
        if (res->deliver_head)
            continue;
        if (res->npending == 0 && res->ntimers == 0)
            break;
        if (now >= deadline_ms || res->stop) {
            /* Decided now: callbacks drained below may ask to stop too. */
            bool by_deadline = !res->stop;
            /* Every outstanding query's callback runs now with
             * ARES_ECANCELLED, queued ones end here; lookups started by
             * the callbacks that follow end at once (ask()). */
            res->deadline_passed = true;
            cut_send_queue(res);
            ares_cancel(res->channel);
            res->ntimers = 0;
            drain_deliveries(res);
            res->deadline_passed = false;
            cut = by_deadline;
            break;
        }
        int64_t wait = deadline_ms - now;
        int send_wait = pump(res);
        /* c-ares may call back from inside ares_send() (1.34 does when
         * the send fails, e.g. ECONNREFUSED on a closed port): deliver
         * now, not after a poll() on sockets it has already closed. */
        if (res->deliver_head)
            continue;
        if (send_wait >= 0 && send_wait < wait)
            wait = send_wait;
        if (timer_wait >= 0 && timer_wait < wait)
            wait = timer_wait;
        struct timeval max = {.tv_sec = (time_t)(wait / 1000),
                              .tv_usec = (suseconds_t)(wait % 1000 * 1000)};
        struct timeval tv;
        struct timeval *tvp = ares_timeout(res->channel, &max, &tv);
        int timeout_ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
        if (pfds_cap < res->nsocks) {
            pfds_cap = res->nsocks;
            pfds = mc_xrealloc(pfds, pfds_cap * sizeof *pfds);
        }
        size_t n = res->nsocks;
        for (size_t i = 0; i < n; i++)
            pfds[i] = (struct pollfd){.fd = res->socks[i].fd, .events = res->socks[i].events};
        int ready = poll(pfds, n, timeout_ms);
        if (ready <= 0) {
            /* Timeout (or EINTR): let c-ares retry or expire queries. */
            ares_process_fd(res->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (!pfds[i].revents)
                continue;
            ares_socket_t rfd =
                pfds[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfds[i].fd : ARES_SOCKET_BAD;
            ares_socket_t wfd = pfds[i].revents & POLLOUT ? pfds[i].fd : ARES_SOCKET_BAD;
            ares_process_fd(res->channel, rfd, wfd);
        }
    }
    free(pfds);
    res->stop = false;
    return cut;
}

/* ---- batch cache management ---- */

void mc_resolver_stop(struct mc_resolver *res)
{
    res->stop = true;
}

uint64_t mc_resolver_epoch_next(struct mc_resolver *res)
{
    return ++res->epoch;
}

static int by_last_used(const void *x, const void *y)
{
    const struct entry *const *a = x, *const *b = y;
    return (*a)->last_used < (*b)->last_used ? -1 : (*a)->last_used > (*b)->last_used;
}

void mc_resolver_trim(struct mc_resolver *res, uint64_t oldest_live_epoch)
{
    /* Retired entries: free those no live check can hold. */
    for (struct entry **pp = &res->retired; *pp;) {
        struct entry *e = *pp;
        if (e->last_used < oldest_live_epoch) {
            *pp = e->retired_next;
            entry_free(e);
            res->stats.evicted++;
        } else {
            pp = &e->retired_next;
        }
    }
    if (!res->cache_max || res->nentries <= res->cache_max)
        return;
    /* Over the bound: free the least recently used unpinned entries, down
     * to three quarters of the bound so that trimming stays rare. */
    size_t n = 0;
    struct entry **cand = mc_xmalloc(res->nentries * sizeof *cand);
    for (size_t i = 0; i < res->table_size; i++)
        for (struct entry *e = res->table[i]; e; e = e->hash_next)
            if (e->done && !e->waiters && e->last_used < oldest_live_epoch)
                cand[n++] = e;
    qsort(cand, n, sizeof *cand, by_last_used);
    size_t target = res->cache_max - res->cache_max / 4;
    for (size_t i = 0; i < n && res->nentries > target; i++) {
        table_unlink(res, cand[i]);
        entry_free(cand[i]);
        res->stats.evicted++;
    }
    free(cand);
}

/* ---- set-up ---- */

/* Parses "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT" into c-ares' CSV form
 * ("ADDR:PORT" / "[V6]:PORT"). Returns NULL with *WHY on bad input. */
static char *server_csv_item(const char *spec, char **why)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port = NULL;
    size_t hlen;
    bool v6 = false;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            goto bad;
        hlen = (size_t)(close - spec - 1);
        if (hlen >= sizeof host)
            goto bad;
        memcpy(host, spec + 1, hlen);
        port = close[1] == ':' ? close + 2 : NULL;
        v6 = true;
    } else {
        const char *colon = strchr(spec, ':');
        if (colon && strchr(colon + 1, ':')) {
            hlen = strlen(spec); /* a bare IPv6 address, no port */
            v6 = true;
        } else {
            hlen = colon ? (size_t)(colon - spec) : strlen(spec);
            port = colon ? colon + 1 : NULL;
        }
        if (hlen >= sizeof host)
            goto bad;
        memcpy(host, spec, hlen);
    }
    host[hlen] = '\0';
    unsigned char buf[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) != 1)
        goto bad;
    unsigned long portnum = 53;
    if (port && (!mc_parse_uint(port, 65535, &portnum) || portnum == 0))
        goto bad;
    return v6 ? mc_xasprintf("[%s]:%lu", host, portnum) : mc_xasprintf("%s:%lu", host, portnum);
bad:
    *why = mc_xasprintf("--server %s: expected ADDR, ADDR:PORT or [IPV6]:PORT with an IP "
                        "address",
                        spec);
    return NULL;
}

/* The --server list as c-ares' CSV ("A:P,[B]:P"), each item checked by
 * server_csv_item().  Grown through mc_xasprintf(): the list is a handful
 * of items, and no fixed buffer can be too short.  Caller frees; NULL with
 * *WHY on a bad item. */
static char *servers_csv(const char *const *specs, size_t n, char **why)
{
    char *csv = mc_xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *item = server_csv_item(specs[i], why);
        if (!item) {
            free(csv);
            return NULL;
        }
        char *longer = mc_xasprintf("%s%s%s", csv, i > 0 ? "," : "", item);
        free(item);
        free(csv);
        csv = longer;
    }
    return csv;
}

static void collect_servers(struct mc_resolver *res)
{
    struct ares_addr_port_node *list = NULL;
    MC_ARES_DEPRECATED_BEGIN
    int rc = ares_get_servers_ports(res->channel, &list);
    MC_ARES_DEPRECATED_END
    if (rc != ARES_SUCCESS)
        return;
    for (struct ares_addr_port_node *n = list; n; n = n->next) {
        char addr[INET6_ADDRSTRLEN];
        if (!inet_ntop(n->family, &n->addr, addr, sizeof addr))
            continue;
        int port = n->udp_port ? n->udp_port : 53;
        res->servers = mc_xrealloc(res->servers, (res->nservers + 1) * sizeof(char *));
        res->servers[res->nservers++] = n->family == AF_INET6 ? mc_xasprintf("[%s]:%d", addr, port)
                                                              : mc_xasprintf("%s:%d", addr, port);
    }
    ares_free_data(list);
}

/* Asks for a receive buffer large enough for a window of replies (see
 * inflight_limit()), as unbound's so-rcvbuf does: SO_RCVBUFFORCE where we
 * may (CAP_NET_ADMIN), else SO_RCVBUF, which the kernel caps at
 * net.core.rmem_max.  Then reads back what the kernel granted. */
#define MC_RESOLVER_RCVBUF (4 * 1024 * 1024)
/* Queries a UDP socket carries before c-ares opens a new one (a new
 * port): often enough that a batch's thousands of queries use hundreds of
 * ports, rarely enough that the socket churn costs nothing measurable. */
#define MC_RESOLVER_UDP_MAX_QUERIES 100

static int configure_socket(ares_socket_t fd, int type, void *data)
{
    struct mc_resolver *res = data;
    if (type != SOCK_DGRAM)
        return 0;
    int want = MC_RESOLVER_RCVBUF;
#ifdef SO_RCVBUFFORCE
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
#endif
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    int got = 0;
    socklen_t len = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got > 0 &&
        (res->udp_rcvbuf == 0 || got < res->udp_rcvbuf))
        res->udp_rcvbuf = got;
    return 0; /* a smaller buffer is no reason to fail */
}

struct mc_resolver *mc_resolver_new(const struct mc_resolver_config *config, char **why)
{
    static bool library_ready;
    struct mc_resolver *res = mc_xcalloc(1, sizeof *res);
    char *csv = NULL;
    res->offline = config->offline;
    res->zones = config->zones;
    res->deliver_tail = &res->deliver_head;
    res->sendq_tail = &res->sendq_head;
    res->max_inflight = config->max_inflight;
    res->qps = config->qps;
    res->tokens = 1;
    res->tokens_ms = mc_now_ms();
    res->cache_max = config->cache_max;
    table_grow(res);

    if (!library_ready) {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
            *why = mc_xstrdup("c-ares library initialisation failed");
            goto fail;
        }
        library_ready = true;
    }

    struct ares_options opts;
    memset(&opts, 0, sizeof opts);
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_EDNSPSZ;
    /* NOCHECKRESP: SERVFAIL/REFUSED reach us with their rcode instead of
     * becoming connection errors. EDNS: accept UDP replies up to ednspsz. */
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
    if (config->tcp_only)
        opts.flags |= ARES_FLAG_USEVC;
    res->dns0x20 = config->dns0x20;
#if MC_CARES_DNS0X20
    if (config->dns0x20)
        opts.flags |= ARES_FLAG_DNS0x20;
#else
    res->own_0x20 = config->dns0x20;
#endif
    opts.timeout = config->lookup_timeout_ms > 0 ? config->lookup_timeout_ms : 2000;
    opts.tries = config->tries > 0 ? config->tries : 2;
    opts.sock_state_cb = sock_state_cb;
    opts.sock_state_cb_data = res;
    opts.ednspsz = MC_DNS_EDNS_SIZE;
#ifdef ARES_OPT_QUERY_CACHE
    /* c-ares >= 1.23 caches answers itself: we count and cache ourselves. */
    opts.qcache_max_ttl = 0;
    mask |= ARES_OPT_QUERY_CACHE;
#endif
#ifdef ARES_OPT_UDP_MAX_QUERIES
    /* c-ares >= 1.20: a new UDP socket, so a new random source port, every
     * MC_RESOLVER_UDP_MAX_QUERIES queries (RFC 5452 §4.5). 1.18 keeps one
     * socket, one port, per server for the whole run (mailcheck(1),
     * SECURITY). */
    opts.udp_max_queries = MC_RESOLVER_UDP_MAX_QUERIES;
    mask |= ARES_OPT_UDP_MAX_QUERIES;
#endif
#ifdef ARES_OPT_MAXTIMEOUTMS
    /* c-ares >= 1.22 adapts timeouts; hold them to what the user asked. */
    opts.maxtimeout = opts.timeout;
    mask |= ARES_OPT_MAXTIMEOUTMS;
#endif
    int rc = ares_init_options(&res->channel, &opts, mask);
    if (rc != ARES_SUCCESS) {
        *why = mc_xasprintf("cannot initialise the resolver: %s", ares_strerror(rc));
        res->channel = NULL;
        goto fail;
    }
    ares_set_socket_configure_callback(res->channel, configure_socket, res);
#if !MC_CARES_DNS0X20
    if (res->own_0x20) {
        res->guard = mc_xcalloc(MC_GUARD_BUCKETS, sizeof *res->guard);
        MC_ARES_DEPRECATED_BEGIN
        ares_set_socket_functions(res->channel, &guard_functions, res);
        MC_ARES_DEPRECATED_END
    }
#endif
    if (config->nservers > 0) {
        csv = servers_csv(config->servers, config->nservers, why);
        if (!csv)
            goto fail;
        rc = ares_set_servers_ports_csv(res->channel, csv);
        if (rc != ARES_SUCCESS) {
            *why = mc_xasprintf("cannot use --server %s: %s", csv, ares_strerror(rc));
            goto fail;
        }
    }
    if (!res->offline)
        collect_servers(res);
    res->server_label = res->nservers == 1 ? res->servers[0] : "the resolvers";
    free(csv);
    return res;
fail:
    free(csv);
    mc_resolver_free(res);
    return NULL;
}

void mc_resolver_free(struct mc_resolver *res)
{
    if (!res)
        return;
    if (res->channel)
        ares_destroy(res->channel); /* calls back with ARES_EDESTRUCTION */
    for (struct delivery *d = res->deliver_head, *next; d; d = next) {
        next = d->next;
        free(d);
    }
    for (size_t i = 0; i < res->table_size; i++) {
        for (struct entry *e = res->table[i], *next; e; e = next) {
            next = e->hash_next;
            entry_free(e);
        }
    }
    for (struct entry *e = res->retired, *next; e; e = next) {
        next = e->retired_next;
        entry_free(e);
    }
    free(res->guard);
    free(res->udp_fds);
    free(res->timers);
    free(res->table);
    free(res->socks);
    for (size_t i = 0; i < res->nservers; i++)
        free(res->servers[i]);
    free(res->servers);
    free(res);
}

void mc_resolver_get_stats(const struct mc_resolver *res, struct mc_resolver_stats *stats)
{
    *stats = res->stats;
    stats->entries = res->nentries;
}

size_t mc_resolver_servers(const struct mc_resolver *res, const char *const **servers)
{
    *servers = (const char *const *)res->servers;
    return res->nservers;
}

const char *mc_resolver_library_version(void)
{
    return ares_version(NULL);
}
