/* SPDX-License-Identifier: MIT */
/*
 * resolver.c - the run's one asynchronous resolver: a de-duplicating cache of
 * lookups in front of the zone-file backend and a transport (mc_transport.h;
 * c-ares on the network, a fake in the unit tests), driven by one loop,
 * mc_resolver_run(), on the transport's wait() and clock.
 *
 * A lookup is an `entry` keyed by (lowercased name, type).  An entry asks
 * the zones first, then the network; a reply ending in a CNAME whose target
 * it holds no data for makes the same entry ask for the target, up to
 * MC_DNS_MAX_CNAMES, with loop detection on the whole chain (RFC 1034
 * §3.6.2).  Waiters are called back only from mc_resolver_run(), through a
 * delivery queue, so no caller is re-entered from mc_resolver_lookup().
 *
 * Politeness lives here, not in the transport: queries wait in one FIFO
 * send queue and leave it within --max-inflight (or the bound the UDP
 * receive buffer sets, inflight_limit()) and a --qps token bucket (pump());
 * mc_resolver_busy() tells a batch when that queue is long.
 *
 * Memory: a batch keeps hundreds of thousands of answers, so an entry that
 * has ended is one block of its exact size: the entry, its key and its
 * packed result (entry_pack(), mc_dns_result_pack()).  What only a running
 * lookup needs (the arena its replies are parsed into, waiters, the query
 * on the send queue) is a `struct pending`, freed when the lookup ends.
 * Server names in results are the resolver's own strings (server_label,
 * zone_labels).
 *
 * Ownership: entries, their blocks and results belong to the resolver until
 * mc_resolver_free(), as does the transport.  An entry on the wire is the
 * argument of its transport callback, which the transport calls exactly
 * once (at the latest from cancel_all() at the deadline); the transport is
 * freed before the entries, without calling back.
 */
#include "mc_resolver.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "mc_arena.h"
#include "mc_array.h"
#include "mc_dns_msg.h"
#include "mc_transport.h"
#include "mc_util.h"

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

/* An entry's state while its lookup runs. */
struct pending {
    struct mc_resolver *res;
    struct mc_arena *arena; /* the replies parsed, until the result is packed */
    const char *asking;     /* name currently asked (qname or a CNAME target) */
    /* The CNAME chain so far lives in result.cname_chain/_targets/_servers
     * (in the arena, made at the first CNAME: most lookups have none). */
    size_t nchain;
    struct waiter *waiters;
    unsigned char *wire; /* query waiting in the send queue, or NULL */
    size_t wirelen;
    struct entry *sendq_next;
};

struct entry {
    /* In the table's chain; once retired (stale, out of the table, maybe
     * still held), in res->retired. */
    struct entry *hash_next;
    /* hash_key() of the key, kept beside the chain's link: a lookup walks a
     * chain touching only the first cache line of the entries it passes. */
    uint32_t hash;
    /* Only mc_resolver_lookup_once() has asked for it: mc_resolver_trim()
     * frees it before any other entry. */
    bool once;
    struct pending *pending;               /* NULL once the lookup has ended */
    const struct mc_resolver_scope *scope; /* see mc_resolver_lookup_for() */
    uint64_t last_used;                    /* epoch of the last lookup that asked for it */
    uint64_t created;                      /* epoch it was created in */
    int64_t expires_ms;                    /* when a later epoch must ask again */
    struct mc_dns_result result;           /* result.qname is the key's name, qtype its type */
    char name[];                           /* key: lowercased, no trailing dot; once ended, the
                                              packed result follows (entry_pack()) */
};

/* "zone FILE" for a zone file that answered, made once per file. */
struct zone_label {
    const char *source; /* mc_zone_set_answer()'s, compared by address */
    char *label;
};

struct timer {
    uint64_t id;
    int64_t when_ms;
    mc_resolver_cb cb;
    void *arg;
};

struct mc_resolver {
    struct mc_transport *transport;
    bool offline;
    bool deadline_passed; /* lookups started now end at once */
    bool stop;            /* mc_resolver_stop() was called */
    const struct mc_zone_set *zones;
    struct entry **table;
    size_t table_size, nentries, npending;
    struct delivery *deliver_head, **deliver_tail;
    /* Deliveries done, for the next ones: in --batch most lookups are
     * answered from the cache, each through one delivery. */
    struct delivery *spare_deliveries;
    const char *server_label;       /* what results name as `server` */
    struct zone_label *zone_labels; /* results point at them */
    size_t nzone_labels, zone_labels_cap;
    struct mc_resolver_stats stats;
    uint64_t epoch;
    size_t cache_max;
    struct entry *retired;
    /* Politeness (--max-inflight, --qps): queries wait in a FIFO. */
    struct entry *sendq_head, **sendq_tail;
    unsigned inflight, max_inflight, qps;
    size_t queued; /* queries in the send queue */
    double tokens;
    int64_t tokens_ms;
    struct timer *timers;
    size_t ntimers, timers_cap;
    uint64_t next_timer_id;
};

/* ---- the cache ---- */

static uint32_t hash_key(const char *name, uint16_t type)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return (h ^ type) * 16777619u;
}

/* As many chains as entries at most: a table twice that size (half
 * full) measured no faster in --batch and cost 2 MiB at N = 100,000
 * (bench/RESULTS.md). */
static bool table_full(const struct mc_resolver *res)
{
    return res->nentries + 1 > res->table_size;
}

static void table_grow(struct mc_resolver *res)
{
    size_t size = res->table_size ? res->table_size * 2 : 256;
    struct entry **table = mc_xcalloc(size, sizeof *table);
    for (size_t i = 0; i < res->table_size; i++) {
        for (struct entry *e = res->table[i], *next; e; e = next) {
            next = e->hash_next;
            size_t slot = e->hash & (size - 1);
            e->hash_next = table[slot];
            table[slot] = e;
        }
    }
    free(res->table);
    res->table = table;
    res->table_size = size;
}

/* A lookup's key: its name lowercased, without its trailing dot; in the
 * caller's buffer when it fits (every name the DNS can carry does), so
 * that a lookup the cache answers allocates nothing for it. */
struct key {
    char *name;
    char buf[256]; /* 253 octets of a name, some escapes */
};

static const char *key_set(struct key *k, const char *name)
{
    size_t n = mc_name_len(name);
    k->name = n < sizeof k->buf ? k->buf : mc_xmalloc(n + 1);
    memcpy(k->name, name, n);
    k->name[n] = '\0';
    return mc_ascii_lower(k->name);
}

static void key_done(struct key *k)
{
    if (k->name != k->buf)
        free(k->name);
}

/* "zone FILE" for SOURCE, owned by the resolver. */
static const char *zone_label(struct mc_resolver *res, const char *source)
{
    for (size_t i = 0; i < res->nzone_labels; i++)
        if (res->zone_labels[i].source == source)
            return res->zone_labels[i].label;
    MC_ARRAY_RESERVE(res->zone_labels, res->zone_labels_cap, res->nzone_labels + 1);
    struct zone_label *z = &res->zone_labels[res->nzone_labels++];
    *z = (struct zone_label){.source = source, .label = mc_xasprintf("zone %s", source)};
    return z->label;
}

/* The entry of KEY and TYPE, whose hash_key() is HASH, or NULL. */
static struct entry *table_find(const struct mc_resolver *res, const char *key, uint16_t type,
                                uint32_t hash)
{
    if (!res->table_size)
        return NULL;
    for (struct entry *e = res->table[hash & (res->table_size - 1)]; e; e = e->hash_next)
        if (e->hash == hash && e->result.qtype == type && strcmp(e->name, key) == 0)
            return e;
    return NULL;
}

static void table_unlink(struct mc_resolver *res, struct entry *e)
{
    struct entry **pp = &res->table[e->hash & (res->table_size - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = e->hash_next;
    e->hash_next = NULL;
    res->nentries--;
}

static void pending_free(struct pending *p)
{
    if (!p)
        return;
    for (struct waiter *w = p->waiters, *next; w; w = next) {
        next = w->next;
        free(w);
    }
    free(p->wire);
    mc_arena_free(p->arena);
    free(p);
}

static void entry_free(struct entry *e)
{
    pending_free(e->pending);
    free(e);
}

/* E, whose lookup has ended, remade as one block: the entry, its key and
 * its result packed after them, in E's place in the table.  E is freed
 * (its pending state is not: the caller's).  Nothing else holds E here:
 * the transport is done with it, and callers get the result only through
 * the deliveries made after. */
static struct entry *entry_pack(struct mc_resolver *res, struct entry *e)
{
    size_t keylen = strlen(e->name);
    size_t head = sizeof *e + keylen + 1;
    head = (head + alignof(struct mc_dns_record) - 1) & ~(alignof(struct mc_dns_record) - 1);
    struct entry *n = mc_xmalloc(head + mc_dns_result_packed_size(&e->result));
    memcpy(n, e, sizeof *e + keylen + 1);
    n->result.qname = n->name;
    if (n->result.canonical == e->name)
        n->result.canonical = n->name;
    mc_dns_result_pack(&n->result, (unsigned char *)n + head);
    struct entry **pp = &res->table[e->hash & (res->table_size - 1)];
    while (*pp != e)
        pp = &(*pp)->hash_next;
    *pp = n;
    free(e);
    return n;
}

/* Takes E out of the table; it is freed by mc_resolver_trim() once no
 * live epoch can hold its result. */
static void retire(struct mc_resolver *res, struct entry *e)
{
    table_unlink(res, e);
    e->hash_next = res->retired;
    res->retired = e;
}

/* ---- completion ---- */

static void deliver(struct mc_resolver *res, struct entry *e, mc_resolver_cb cb, void *arg)
{
    struct delivery *d = res->spare_deliveries;
    if (d)
        res->spare_deliveries = d->next;
    else
        d = mc_xmalloc(sizeof *d);
    *d = (struct delivery){.entry = e, .cb = cb, .arg = arg};
    *res->deliver_tail = d;
    res->deliver_tail = &d->next;
}

static int64_t now_ms(const struct mc_resolver *res)
{
    return res->transport->ops->now_ms(res->transport);
}

/* The serial of the last result ended (mc_dns.h): one count for every
 * resolver of the process, so that no two results share one. */
static uint64_t last_serial;

/* Ends entry E with OUTCOME; records (if any) are already in E->result. */
static void entry_end(struct mc_resolver *res, struct entry *e, enum mc_dns_outcome outcome,
                      const char *why)
{
    struct mc_dns_result *r = &e->result; /* until packed */
    struct pending *p = e->pending;
    r->outcome = outcome;
    if (why && !r->why)
        r->why = why; /* copied by the packing below */
    r->canonical = p->asking;
    r->ncnames = p->nchain;
    e = entry_pack(res, e);
    e->pending = NULL;
    e->result.serial = ++last_serial;
    /* Answers live for their TTL, failures briefly; never under the floor,
     * so that one check's identical lookups always share an answer. */
    uint32_t ttl = mc_dns_outcome_answered(outcome) ? e->result.ttl : 0;
    if (ttl < MC_RESOLVER_MIN_TTL)
        ttl = MC_RESOLVER_MIN_TTL;
    if (ttl > 86400)
        ttl = 86400;
    e->expires_ms = now_ms(res) + (int64_t)ttl * 1000;
    res->npending--;
    if (outcome == MC_DNS_DEADLINE)
        res->stats.deadline++;
    else if (mc_dns_outcome_answered(outcome))
        res->stats.answered++;
    else
        res->stats.failed++;
    for (struct waiter *w = p->waiters, *next; w; w = next) {
        next = w->next;
        deliver(res, e, w->cb, w->arg);
        free(w);
    }
    p->waiters = NULL;
    pending_free(p);
}

/* ---- asking ---- */

static void ask(struct mc_resolver *res, struct entry *e);

/* Applies one parsed reply to E: ends it, or continues along the chain. */
static void take_reply(struct mc_resolver *res, struct entry *e, const struct mc_dns_reply *rep,
                       const char *server)
{
    struct mc_dns_result *r = &e->result;
    struct pending *p = e->pending;
    r->rcode = rep->rcode;
    r->server = server;
    for (size_t i = 0; i < rep->ncnames; i++) {
        /* Loops across replies: a chain owner seen in an earlier reply. */
        for (size_t j = 0; j < p->nchain; j++) {
            if (mc_name_equal(r->cname_chain[j], rep->cname_chain[i])) {
                r->cname_broken = true;
                entry_end(res, e, MC_DNS_NODATA,
                          mc_arena_printf(p->arena, "CNAME chain loops at %s", r->cname_chain[j]));
                return;
            }
        }
        if (p->nchain == MC_DNS_MAX_CNAMES) {
            r->cname_broken = true;
            entry_end(res, e, MC_DNS_NODATA, "CNAME chain longer than 10");
            return;
        }
        if (!r->cname_chain) {
            size_t n = MC_DNS_MAX_CNAMES + 1;
            r->cname_chain = mc_arena_alloc(p->arena, n * sizeof *r->cname_chain);
            r->cname_targets = mc_arena_alloc(p->arena, n * sizeof *r->cname_targets);
            r->cname_servers = mc_arena_alloc(p->arena, n * sizeof *r->cname_servers);
        }
        r->cname_chain[p->nchain] = mc_arena_strdup(p->arena, rep->cname_chain[i]);
        r->cname_targets[p->nchain] = mc_arena_strdup(p->arena, rep->cname_targets[i]);
        r->cname_servers[p->nchain++] = r->server;
    }
    if (rep->cname_loop) {
        r->cname_broken = true;
        entry_end(res, e, MC_DNS_NODATA, rep->why);
        return;
    }
    if (rep->next_name) {
        if (p->nchain == MC_DNS_MAX_CNAMES) {
            r->cname_broken = true;
            entry_end(res, e, MC_DNS_NODATA, "CNAME chain longer than 10");
            return;
        }
        p->asking = mc_arena_strdup(p->arena, rep->next_name);
        ask(res, e);
        return;
    }
    if (rep->canonical)
        p->asking = rep->canonical; /* in p->arena, or p->asking itself */
    r->count = rep->count;
    r->records = rep->records; /* allocated in p->arena by the parser */
    r->ttl = rep->ttl;
    entry_end(res, e, rep->outcome, rep->why);
}

/* ---- the network ---- */

/* What one query on the wire came to: a reply read as the answer to what E
 * asks, or a failure in mailcheck's terms. */
static void sent_cb(void *arg, const struct mc_transport_result *tr)
{
    struct entry *e = arg;
    struct pending *p = e->pending;
    struct mc_resolver *res = p->res;
    res->inflight--;
    switch (tr->status) {
    case MC_TRANSPORT_REPLY: {
        struct mc_dns_reply rep;
        mc_dns_msg_parse_reply(tr->wire, tr->len, p->asking, e->result.qtype, -1, p->arena, &rep);
        take_reply(res, e, &rep, res->server_label);
        return;
    }
    case MC_TRANSPORT_TIMEOUT:
        entry_end(res, e, MC_DNS_TIMEOUT,
                  tr->case_mismatches
                      ? mc_arena_printf(p->arena,
                                        "no reply from %s (%d tries) that echoed the query "
                                        "name's letter case: %u in another case ignored "
                                        "(--dns0x20; some servers lowercase names)",
                                        res->server_label, tr->tries, tr->case_mismatches)
                      : mc_arena_printf(p->arena, "no reply from %s (%d tries)", res->server_label,
                                        tr->tries));
        return;
    case MC_TRANSPORT_CANCELLED:
        entry_end(res, e, MC_DNS_DEADLINE, "the run's deadline passed");
        return;
    case MC_TRANSPORT_MALFORMED: entry_end(res, e, MC_DNS_MALFORMED, tr->why); return;
    case MC_TRANSPORT_NETERR: entry_end(res, e, MC_DNS_NETERR, tr->why); return;
    }
}

static void send_query(struct mc_resolver *res, struct entry *e, unsigned char *wire, size_t len)
{
    res->stats.queries_sent++;
    res->transport->ops->send(res->transport, wire, len, sent_cb, e);
}

/* Asks for E->asking: zones first, then the network or, offline, nothing. */
static void ask(struct mc_resolver *res, struct entry *e)
{
    unsigned char *wire = NULL;
    size_t len = 0;
    const char *source = NULL;
    struct pending *p = e->pending;
    if (res->deadline_passed) {
        entry_end(res, e, MC_DNS_DEADLINE, "the run's deadline passed");
        return;
    }
    if (res->zones &&
        mc_zone_set_answer(res->zones, p->asking, e->result.qtype, 0, &wire, &len, &source)) {
        struct mc_dns_reply rep;
        mc_dns_msg_parse_reply(wire, len, p->asking, e->result.qtype, 0, p->arena, &rep);
        free(wire);
        take_reply(res, e, &rep, zone_label(res, source));
        return;
    }
    if (res->offline) {
        entry_end(res, e, MC_DNS_OFFLINE,
                  mc_arena_printf(p->arena, "%s is outside every --zone and --offline is set",
                                  p->asking));
        return;
    }
    if (mc_dns_msg_build_query(p->asking, e->result.qtype, 0, &wire, &len) != MC_OK) {
        entry_end(res, e, MC_DNS_MALFORMED,
                  mc_arena_printf(p->arena, "%s is not a valid domain name", p->asking));
        return;
    }
    /* Sent by pump(), within --max-inflight and --qps. */
    p->wire = wire;
    p->wirelen = len;
    *res->sendq_tail = e;
    res->sendq_tail = &p->sendq_next;
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
    int rcvbuf = res->transport->ops->udp_rcvbuf(res->transport);
    if (rcvbuf <= 0)
        return 200; /* no UDP socket yet (or TCP only): safe on any kernel */
    unsigned n = (unsigned)(rcvbuf / MC_RESOLVER_REPLY_COST);
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
            int64_t now = now_ms(res);
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
        struct pending *p = e->pending;
        res->sendq_head = p->sendq_next;
        if (!res->sendq_head)
            res->sendq_tail = &res->sendq_head;
        p->sendq_next = NULL;
        res->queued--;
        res->inflight++;
        /* Detached first: once sent, following a CNAME may queue E again
         * with a new wire (the transport calls back from wait() only). */
        unsigned char *wire = p->wire;
        p->wire = NULL;
        send_query(res, e, wire, p->wirelen);
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

/* SCOPE takes an entry over when it is still wanted, or when the entry's
 * own is not: an answer two sender domains share stays while either has
 * lines to come. */
static void scope_take(struct entry *e, const struct mc_resolver_scope *scope)
{
    if (scope && (scope->wanted || !e->scope || !e->scope->wanted))
        e->scope = scope;
}

static void lookup(struct mc_resolver *res, const struct mc_resolver_scope *scope, const char *name,
                   uint16_t type, bool once, mc_resolver_cb cb, void *arg)
{
    struct key k;
    const char *key = key_set(&k, name);
    uint32_t hash = hash_key(key, type);
    struct entry *e = table_find(res, key, type, hash);
    if (e && !e->pending && e->created < res->epoch && now_ms(res) >= e->expires_ms) {
        retire(res, e); /* past its TTL: ask again (holders keep the old one) */
        e = NULL;
    }
    if (e) {
        key_done(&k);
        e->last_used = res->epoch;
        e->once = e->once && once;
        scope_take(e, scope);
        res->stats.cache_hits++;
        if (!e->pending) {
            deliver(res, e, cb, arg);
        } else {
            struct waiter *w = mc_xmalloc(sizeof *w);
            *w = (struct waiter){.cb = cb, .arg = arg, .next = e->pending->waiters};
            e->pending->waiters = w;
        }
        return;
    }
    if (table_full(res))
        table_grow(res);
    size_t keylen = strlen(key);
    e = mc_xcalloc(1, sizeof *e + keylen + 1);
    memcpy(e->name, key, keylen + 1);
    key_done(&k);
    struct pending *p = mc_xcalloc(1, sizeof *p);
    p->res = res;
    p->arena = mc_arena_new_sized(256);
    p->asking = e->name;
    e->pending = p;
    e->created = e->last_used = res->epoch;
    e->once = once;
    e->scope = scope;
    e->result.qname = e->name;
    e->result.qtype = type;
    e->result.rcode = -1;
    e->hash = hash;
    size_t slot = e->hash & (res->table_size - 1);
    e->hash_next = res->table[slot];
    res->table[slot] = e;
    res->nentries++;
    res->npending++;
    res->stats.lookups++;
    struct waiter *w = mc_xmalloc(sizeof *w);
    *w = (struct waiter){.cb = cb, .arg = arg};
    p->waiters = w;
    ask(res, e);
}

void mc_resolver_lookup(struct mc_resolver *res, const char *name, uint16_t type, mc_resolver_cb cb,
                        void *arg)
{
    lookup(res, NULL, name, type, false, cb, arg);
}

void mc_resolver_lookup_for(struct mc_resolver *res, const struct mc_resolver_scope *scope,
                            const char *name, uint16_t type, mc_resolver_cb cb, void *arg)
{
    lookup(res, scope, name, type, false, cb, arg);
}

void mc_resolver_lookup_once(struct mc_resolver *res, const char *name, uint16_t type,
                             mc_resolver_cb cb, void *arg)
{
    lookup(res, NULL, name, type, true, cb, arg);
}

void mc_resolver_post(struct mc_resolver *res, mc_resolver_cb cb, void *arg)
{
    deliver(res, NULL, cb, arg);
}

const struct mc_dns_result *mc_resolver_peek(struct mc_resolver *res, const char *name,
                                             uint16_t type)
{
    struct key k;
    const char *key = key_set(&k, name);
    const struct entry *e = table_find(res, key, type, hash_key(key, type));
    key_done(&k);
    return e && !e->pending ? &e->result : NULL;
}

/* ---- the event loop ---- */

static void drain_deliveries(struct mc_resolver *res)
{
    while (res->deliver_head) {
        struct delivery *d = res->deliver_head;
        res->deliver_head = d->next;
        if (!res->deliver_head)
            res->deliver_tail = &res->deliver_head;
        d->cb(d->arg, d->entry ? &d->entry->result : NULL);
        d->next = res->spare_deliveries;
        res->spare_deliveries = d;
    }
}

/* Ends every queued (unsent) query at the deadline. */
static void cut_send_queue(struct mc_resolver *res)
{
    while (res->sendq_head) {
        struct entry *e = res->sendq_head;
        struct pending *p = e->pending;
        res->sendq_head = p->sendq_next;
        p->sendq_next = NULL;
        free(p->wire);
        p->wire = NULL;
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
    MC_ARRAY_RESERVE(res->timers, res->timers_cap, res->ntimers + 1);
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
    struct mc_transport *t = res->transport;
    bool cut = false;
    for (;;) {
        drain_deliveries(res);
        int64_t now = now_ms(res);
        int64_t timer_wait = fire_timers(res, now);
        if (res->deliver_head)
            continue;
        if (res->npending == 0 && res->ntimers == 0)
            break;
        if (now >= deadline_ms || res->stop) {
            /* Decided now: callbacks drained below may ask to stop too. */
            bool by_deadline = !res->stop;
            /* Every outstanding query's callback runs now with
             * MC_TRANSPORT_CANCELLED, queued ones end here; lookups started
             * by the callbacks that follow end at once (ask()). */
            res->deadline_passed = true;
            cut_send_queue(res);
            t->ops->cancel_all(t);
            res->ntimers = 0;
            drain_deliveries(res);
            res->deadline_passed = false;
            cut = by_deadline;
            break;
        }
        int64_t wait = deadline_ms - now;
        int send_wait = pump(res);
        if (send_wait >= 0 && send_wait < wait)
            wait = send_wait;
        if (timer_wait >= 0 && timer_wait < wait)
            wait = timer_wait;
        t->ops->wait(t, wait);
    }
    res->stop = false;
    return cut;
}

/* ---- batch cache management ---- */

void mc_resolver_stop(struct mc_resolver *res)
{
    res->stop = true;
}

void mc_resolver_op_ended(struct mc_resolver_ops *ops)
{
    if (ops->pending > 0 && --ops->pending == 0)
        mc_resolver_stop(ops->res);
}

bool mc_resolver_run_ops(struct mc_resolver_ops *ops, int64_t deadline_ms)
{
    return mc_resolver_run(ops->res, deadline_ms);
}

uint64_t mc_resolver_epoch_next(struct mc_resolver *res)
{
    return ++res->epoch;
}

/* Eviction classes, first to go first: entries only
 * mc_resolver_lookup_once() asked for, entries of no scope still wanted,
 * entries a scope still wants. */
static int eviction_class(const struct entry *e)
{
    if (e->scope && e->scope->wanted)
        return 2;
    return e->once ? 0 : 1;
}

/* Eviction order: by class, then least recently used first. */
static int by_eviction_order(const void *x, const void *y)
{
    const struct entry *a = *(const struct entry *const *)x, *b = *(const struct entry *const *)y;
    int ca = eviction_class(a), cb = eviction_class(b);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    return a->last_used < b->last_used ? -1 : a->last_used > b->last_used;
}

void mc_resolver_trim(struct mc_resolver *res, uint64_t oldest_live_epoch)
{
    /* Retired entries: free those no live check can hold. */
    for (struct entry **pp = &res->retired; *pp;) {
        struct entry *e = *pp;
        if (e->last_used < oldest_live_epoch) {
            *pp = e->hash_next;
            entry_free(e);
            res->stats.evicted++;
        } else {
            pp = &e->hash_next;
        }
    }
    if (!res->cache_max || res->nentries <= res->cache_max)
        return;
    /* Over the bound: free unpinned entries in eviction order, down to
     * three quarters of the bound so that trimming stays rare. */
    size_t n = 0;
    struct entry **cand = mc_xmalloc(res->nentries * sizeof *cand);
    for (size_t i = 0; i < res->table_size; i++)
        for (struct entry *e = res->table[i]; e; e = e->hash_next)
            if (!e->pending && e->last_used < oldest_live_epoch)
                cand[n++] = e;
    qsort(cand, n, sizeof *cand, by_eviction_order);
    size_t target = res->cache_max - res->cache_max / 4;
    for (size_t i = 0; i < n && res->nentries > target; i++) {
        table_unlink(res, cand[i]);
        entry_free(cand[i]);
        res->stats.evicted++;
    }
    free(cand);
}

/* ---- set-up ---- */

struct mc_resolver *mc_resolver_new_on(const struct mc_resolver_config *config,
                                       struct mc_transport *transport)
{
    struct mc_resolver *res = mc_xcalloc(1, sizeof *res);
    res->transport = transport;
    res->offline = config->offline;
    res->zones = config->zones;
    res->deliver_tail = &res->deliver_head;
    res->sendq_tail = &res->sendq_head;
    res->max_inflight = config->max_inflight;
    res->qps = config->qps;
    res->tokens = 1;
    res->tokens_ms = now_ms(res);
    res->cache_max = config->cache_max;
    table_grow(res);
    const char *const *servers;
    res->server_label = mc_resolver_servers(res, &servers) == 1 ? servers[0] : "the resolvers";
    return res;
}

struct mc_resolver *mc_resolver_new(const struct mc_resolver_config *config, char **why)
{
    struct mc_transport_config tc = {
        .servers = config->servers,
        .nservers = config->nservers,
        .tcp_only = config->tcp_only,
        .dns0x20 = config->dns0x20,
        .timeout_ms = config->lookup_timeout_ms,
        .tries = config->tries,
    };
    /* Set up under --offline too, so that a bad --server is an error
     * there as well; it then never sends. */
    struct mc_transport *t = mc_transport_cares_new(&tc, why);
    return t ? mc_resolver_new_on(config, t) : NULL;
}

void mc_resolver_free(struct mc_resolver *res)
{
    if (!res)
        return;
    /* First: queries still out are freed without calling back. */
    res->transport->ops->free(res->transport);
    for (struct delivery *d = res->deliver_head, *next; d; d = next) {
        next = d->next;
        free(d);
    }
    for (struct delivery *d = res->spare_deliveries, *next; d; d = next) {
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
        next = e->hash_next;
        entry_free(e);
    }
    for (size_t i = 0; i < res->nzone_labels; i++)
        free(res->zone_labels[i].label);
    free(res->zone_labels);
    free(res->timers);
    free(res->table);
    free(res);
}

bool mc_resolver_unusable(const struct mc_resolver_stats *stats)
{
    return stats->answered == 0 && stats->failed > 0;
}

void mc_resolver_get_stats(const struct mc_resolver *res, struct mc_resolver_stats *stats)
{
    *stats = res->stats;
    stats->replies_ignored = res->transport->ops->replies_ignored(res->transport);
    stats->entries = res->nentries;
}

size_t mc_resolver_servers(const struct mc_resolver *res, const char *const **servers)
{
    /* Under --offline nothing is asked, so no server is named. */
    if (res->offline) {
        *servers = NULL;
        return 0;
    }
    return res->transport->ops->servers(res->transport, servers);
}

const char *mc_resolver_library_version(void)
{
    return mc_transport_cares_version();
}
