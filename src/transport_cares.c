/* SPDX-License-Identifier: MIT */
/*
 * transport_cares.c - the resolver's transport on c-ares, driven by our own
 * poll() loop (ARES_OPT_SOCK_STATE_CB, ares_process_fd, ares_timeout).  The
 * only file that includes <ares.h> (doc/architecture.md, "Third-party types stay
 * home"); the contract it keeps is in mc_transport.h.
 *
 * c-ares traps handled here (doc/architecture.md): ARES_FLAG_NOCHECKRESP so SERVFAIL
 * and REFUSED replies reach ldns with their rcode (c-ares 1.18 would report
 * REFUSED as a connection error); its own query cache (>= 1.23) is turned
 * off because the resolver's cache is the one that counts; its adaptive
 * timeouts (>= 1.22) are held to the timeout asked.  c-ares 1.34 calls
 * back from inside ares_send() when the send fails at once (ECONNREFUSED
 * on a closed port): those callbacks are held and run from the next
 * wait(), so that send() never re-enters the resolver.
 *
 * Answer integrity (RFC 5452): every query gets a fresh random ID, unique
 * in flight (§4.3, §9.1; c-ares >= 1.33 replaces it with one of its own,
 * as random), and a new UDP socket, so a new source port, every
 * MC_CARES_UDP_MAX_QUERIES queries where c-ares can (§4.5).  --dns0x20
 * is c-ares' own where it has it (ARES_FLAG_DNS0x20); elsewhere the case
 * guard below applies it and drops mismatched datagrams before c-ares
 * reads them.
 *
 * Ownership: a `query` (one outstanding c-ares request) is malloc'd by
 * cares_send() and freed when c-ares calls it back, which it does exactly
 * once (with ARES_ECANCELLED / ARES_EDESTRUCTION at the latest).  The only
 * calls into deprecated c-ares API, ares_send(), ares_get_servers_ports()
 * and ares_set_socket_functions(), sit between MC_ARES_DEPRECATED_*.
 */
#include "mc_transport.h"

#include <limits.h>
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

#include "mc_array.h"
#include "mc_dns_id.h"
#include "mc_dns_msg.h"
#include "mc_hostname.h"
#include "mc_util.h"

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

struct sock {
    ares_socket_t fd;
    short events;
};

struct cares {
    struct mc_transport base; /* first: the ops see a struct mc_transport */
    ares_channel channel;
    struct sock *socks;
    size_t nsocks, socks_cap;
    struct pollfd *pfds;
    size_t pfds_cap;
    char **servers;
    size_t nservers, servers_cap;
    const char *server_label; /* what error messages name */
    int udp_rcvbuf;           /* smallest receive buffer of our UDP sockets; 0: none yet */
    unsigned long replies_ignored;
    /* Callbacks c-ares made from inside ares_send(), run by the next wait(). */
    bool in_send;
    struct query *held_head, **held_tail;
    /* Answer integrity (RFC 5452): IDs in flight, and --dns0x20. */
    struct mc_dns_ids ids;
    bool own_0x20;        /* --dns0x20 applied here, not by c-ares */
    struct query **guard; /* MC_GUARD_BUCKETS, when own_0x20 */
    int *udp_fds;         /* UDP sockets (the guard reads only those) */
    size_t nudp_fds, udp_fds_cap;
};

/* One outstanding c-ares request. */
struct query {
    struct cares *t;
    mc_transport_cb cb;
    void *arg;
    uint16_t id; /* ours (c-ares >= 1.33 sends its own instead) */
    /* --dns0x20 with our own case: the name as sent, and the guard's
     * chain of queries whose names hash alike. */
    unsigned char *qname_wire;
    size_t qname_len;
    uint16_t qtype;
    unsigned case_mismatches; /* replies dropped for their letter case */
    bool plain_name;          /* the name has only letters, digits, '-' and '_' */
    struct query *guard_next;
    /* Held from inside ares_send(): what c-ares said, the reply copied. */
    int held_status, held_timeouts;
    unsigned char *held_abuf;
    int held_alen;
    struct query *held_next;
};

/* Buckets of the case guard (queries in flight by name, any case). */
#define MC_GUARD_BUCKETS 4096

/* ---- the case guard (RFC 5452 §9.3, the 0x20 draft) ---- */

static size_t guard_slot(const unsigned char *name, size_t len)
{
    return mc_dns_wire_name_hash(name, len) & (MC_GUARD_BUCKETS - 1);
}

static void guard_add(struct cares *t, struct query *q)
{
    size_t slot = guard_slot(q->qname_wire, q->qname_len);
    q->guard_next = t->guard[slot];
    t->guard[slot] = q;
}

static void guard_remove(struct cares *t, struct query *q)
{
    struct query **pp = &t->guard[guard_slot(q->qname_wire, q->qname_len)];
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
static bool guard_admits(const struct cares *t, const unsigned char *wire, size_t len)
{
    struct mc_dns_question rq;
    if (!mc_dns_question_read(wire, len, &rq))
        return false;
    const unsigned char *name = wire + rq.name_off;
    struct query *alike = NULL;
    for (struct query *q = t->guard[guard_slot(name, rq.name_len)]; q; q = q->guard_next) {
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

static bool is_udp_fd(const struct cares *t, int fd)
{
    for (size_t i = 0; i < t->nudp_fds; i++)
        if (t->udp_fds[i] == fd)
            return true;
    return false;
}

static ares_socket_t guard_socket(int domain, int type, int protocol, void *data)
{
    struct cares *t = data;
    int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return ARES_SOCKET_BAD;
    if (type == SOCK_STREAM) {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        MC_ARRAY_RESERVE(t->udp_fds, t->udp_fds_cap, t->nudp_fds + 1);
        t->udp_fds[t->nudp_fds++] = fd;
    }
    return fd;
}

static int guard_close(ares_socket_t fd, void *data)
{
    struct cares *t = data;
    for (size_t i = 0; i < t->nudp_fds; i++)
        if (t->udp_fds[i] == fd)
            t->udp_fds[i] = t->udp_fds[--t->nudp_fds];
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
    struct cares *t = data;
    ares_socklen_t want = fromlen ? *fromlen : 0;
    for (;;) {
        if (fromlen)
            *fromlen = want;
        ssize_t n =
            from ? recvfrom(fd, buf, size, flags, from, fromlen) : recv(fd, buf, size, flags);
        if (n <= 0 || !is_udp_fd(t, fd) || guard_admits(t, buf, (size_t)n))
            return n;
        t->replies_ignored++; /* and read on: the real one may follow */
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

/* ---- queries ---- */

/* Frees Q, giving back its ID and leaving the guard. */
static void query_free(struct cares *t, struct query *q)
{
    mc_dns_id_release(&t->ids, q->id);
    if (q->qname_wire) {
        if (t->guard)
            guard_remove(t, q);
        free(q->qname_wire);
    }
    free(q->held_abuf);
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

/* True when every label of the wire-format NAME holds only the octets of
 * a host name (mc_hostname_label_octet()): what newer c-ares agrees to
 * send. */
static bool plain_name(const unsigned char *name, size_t len)
{
    for (size_t i = 0, end = 0; i < len; i++) {
        if (i == end) {
            end = i + 1 + name[i];
            continue;
        }
        if (!mc_hostname_label_octet(name[i]))
            return false;
    }
    return true;
}

/* Calls Q back with what c-ares said, in mailcheck's terms, and frees it. */
static void query_end(struct query *q, int status, int timeouts, const unsigned char *abuf,
                      int alen)
{
    struct cares *t = q->t;
    struct mc_transport_result r = {.tries = timeouts, .case_mismatches = q->case_mismatches};
    char *why = NULL;
    switch (status) {
    case ARES_SUCCESS:
        if (!reply_echoes_case(q, abuf, (size_t)alen)) {
            r.status = MC_TRANSPORT_MALFORMED;
            r.why = "the reply did not echo the letter case of the query name (--dns0x20)";
        } else {
            r.status = MC_TRANSPORT_REPLY;
            r.wire = abuf;
            r.len = (size_t)alen;
        }
        break;
    case ARES_ETIMEOUT: r.status = MC_TRANSPORT_TIMEOUT; break;
    case ARES_ECANCELLED: r.status = MC_TRANSPORT_CANCELLED; break;
    case ARES_EBADRESP:
        r.status = MC_TRANSPORT_MALFORMED;
        r.why = "malformed reply";
        break;
    case ARES_EBADNAME:
        /* Newer c-ares (seen with 1.34) re-encodes every query and refuses
         * a name with an octet outside letters, digits, "-", "_", "/" and
         * "*", although DNS allows any (1.18 sends it as given): a failed
         * lookup that says so, not c-ares' "Misformatted domain name". */
        r.status = MC_TRANSPORT_NETERR;
        /* The same status when a name in the reply has such octets (a
         * PTR record naming "a.b" with the dot inside a label). */
        r.why = why = q->plain_name
                          ? mc_xasprintf("c-ares %s could not read the reply of %s: a name in it "
                                         "has octets c-ares refuses (DNS allows any)",
                                         ares_version(NULL), t->server_label)
                          : mc_xasprintf("c-ares %s will not send a query for a name with "
                                         "octets other than letters, digits, '-' and '_'",
                                         ares_version(NULL));
        break;
    default:
        r.status = MC_TRANSPORT_NETERR;
        r.why = why = mc_xasprintf("%s (%s)", ares_strerror(status), t->server_label);
        break;
    }
    mc_transport_cb cb = q->cb;
    void *arg = q->arg;
    query_free(t, q);
    cb(arg, &r);
    free(why);
}

static void query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct query *q = arg;
    struct cares *t = q->t;
    if (status == ARES_EDESTRUCTION) {
        query_free(t, q); /* the transport is being freed: nobody waits */
        return;
    }
    if (t->in_send) {
        /* From inside ares_send() (c-ares 1.34, a send that failed at
         * once): keep it for the next wait(); the buffer is not ours. */
        q->held_status = status;
        q->held_timeouts = timeouts;
        if (abuf && alen > 0) {
            q->held_abuf = mc_xmalloc((size_t)alen);
            memcpy(q->held_abuf, abuf, (size_t)alen);
            q->held_alen = alen;
        }
        q->held_next = NULL;
        *t->held_tail = q;
        t->held_tail = &q->held_next;
        return;
    }
    query_end(q, status, timeouts, abuf, alen);
}

/* Runs the callbacks held from inside ares_send(), in order. */
static void run_held(struct cares *t)
{
    while (t->held_head) {
        struct query *q = t->held_head;
        t->held_head = q->held_next;
        if (!t->held_head)
            t->held_tail = &t->held_head;
        /* query_end() frees Q, and with it the copy: take it first. */
        unsigned char *abuf = q->held_abuf;
        q->held_abuf = NULL;
        query_end(q, q->held_status, q->held_timeouts, abuf, q->held_alen);
        free(abuf);
    }
}

/* The one call of ares_send(), deprecated from c-ares 1.29 on in favour of
 * ares_send_dnsrec(), which 1.18 lacks.  Our queries are built by ldns;
 * here each gets a fresh random ID (RFC 5452 §4.3; c-ares >= 1.33 replaces
 * it with one of its own, as random) and, with our own 0x20, a fresh
 * random case. */
static void cares_send(struct mc_transport *base, unsigned char *wire, size_t len,
                       mc_transport_cb cb, void *arg)
{
    struct cares *t = (struct cares *)base;
    struct query *q = mc_xmalloc(sizeof *q);
    *q = (struct query){.t = t, .cb = cb, .arg = arg, .id = mc_dns_id_take(&t->ids)};
    mc_dns_id_set(wire, len, q->id);
    struct mc_dns_question qq;
    q->plain_name =
        mc_dns_question_read(wire, len, &qq) && plain_name(wire + qq.name_off, qq.name_len);
    if (t->own_0x20 && mc_dns_0x20_apply(&t->ids, wire, len) &&
        mc_dns_question_read(wire, len, &qq)) {
        q->qname_len = qq.name_len;
        q->qname_wire = mc_xmalloc(qq.name_len);
        memcpy(q->qname_wire, wire + qq.name_off, qq.name_len);
        q->qtype = qq.qtype;
        guard_add(t, q);
    }
    t->in_send = true;
    MC_ARES_DEPRECATED_BEGIN
    ares_send(t->channel, wire, (int)len, query_cb, q);
    MC_ARES_DEPRECATED_END
    t->in_send = false;
}

/* ---- the event loop ---- */

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
    struct cares *t = data;
    short events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    for (size_t i = 0; i < t->nsocks; i++) {
        if (t->socks[i].fd != fd)
            continue;
        if (events) {
            t->socks[i].events = events;
        } else {
            t->socks[i] = t->socks[--t->nsocks];
        }
        return;
    }
    if (!events)
        return;
    MC_ARRAY_RESERVE(t->socks, t->socks_cap, t->nsocks + 1);
    t->socks[t->nsocks++] = (struct sock){.fd = fd, .events = events};
}

static void cares_wait(struct mc_transport *base, int64_t max_ms)
{
    struct cares *t = (struct cares *)base;
    /* Callbacks held from ares_send() are due now, not after a poll() on
     * sockets c-ares has already closed. */
    if (t->held_head) {
        run_held(t);
        return;
    }
    if (max_ms < 0)
        max_ms = 0;
    if (max_ms > INT_MAX)
        max_ms = INT_MAX; /* poll() takes an int */
    struct timeval max = {.tv_sec = (time_t)(max_ms / 1000),
                          .tv_usec = (suseconds_t)(max_ms % 1000 * 1000)};
    struct timeval tv;
    struct timeval *tvp = ares_timeout(t->channel, &max, &tv);
    int timeout_ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
    MC_ARRAY_RESERVE(t->pfds, t->pfds_cap, t->nsocks);
    size_t n = t->nsocks;
    for (size_t i = 0; i < n; i++)
        t->pfds[i] = (struct pollfd){.fd = t->socks[i].fd, .events = t->socks[i].events};
    int ready = poll(t->pfds, n, timeout_ms);
    if (ready <= 0) {
        /* Timeout (or EINTR): let c-ares retry or expire queries. */
        ares_process_fd(t->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!t->pfds[i].revents)
            continue;
        ares_socket_t rfd =
            t->pfds[i].revents & (POLLIN | POLLERR | POLLHUP) ? t->pfds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t wfd = t->pfds[i].revents & POLLOUT ? t->pfds[i].fd : ARES_SOCKET_BAD;
        ares_process_fd(t->channel, rfd, wfd);
    }
}

/* Every outstanding query calls back with ARES_ECANCELLED from inside
 * ares_cancel(); held ones first, with what c-ares told them. */
static void cares_cancel_all(struct mc_transport *base)
{
    struct cares *t = (struct cares *)base;
    run_held(t);
    ares_cancel(t->channel);
}

static int cares_udp_rcvbuf(const struct mc_transport *base)
{
    return ((const struct cares *)base)->udp_rcvbuf;
}

static size_t cares_servers(const struct mc_transport *base, const char *const **servers)
{
    const struct cares *t = (const struct cares *)base;
    *servers = (const char *const *)t->servers;
    return t->nservers;
}

static unsigned long cares_replies_ignored(const struct mc_transport *base)
{
    return ((const struct cares *)base)->replies_ignored;
}

static int64_t cares_now_ms(const struct mc_transport *base)
{
    (void)base;
    return mc_now_ms();
}

static void cares_free(struct mc_transport *base)
{
    struct cares *t = (struct cares *)base;
    if (!t)
        return;
    /* Held queries were never called back: nobody waits any more. */
    for (struct query *q = t->held_head, *next; q; q = next) {
        next = q->held_next;
        query_free(t, q);
    }
    if (t->channel)
        ares_destroy(t->channel); /* calls back with ARES_EDESTRUCTION */
    free(t->guard);
    free(t->udp_fds);
    free(t->socks);
    free(t->pfds);
    for (size_t i = 0; i < t->nservers; i++)
        free(t->servers[i]);
    free(t->servers);
    free(t);
}

static const struct mc_transport_ops cares_ops = {
    .send = cares_send,
    .wait = cares_wait,
    .cancel_all = cares_cancel_all,
    .udp_rcvbuf = cares_udp_rcvbuf,
    .servers = cares_servers,
    .replies_ignored = cares_replies_ignored,
    .now_ms = cares_now_ms,
    .free = cares_free,
};

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

static void collect_servers(struct cares *t)
{
    struct ares_addr_port_node *list = NULL;
    MC_ARES_DEPRECATED_BEGIN
    int rc = ares_get_servers_ports(t->channel, &list);
    MC_ARES_DEPRECATED_END
    if (rc != ARES_SUCCESS)
        return;
    for (struct ares_addr_port_node *n = list; n; n = n->next) {
        char addr[INET6_ADDRSTRLEN];
        if (!inet_ntop(n->family, &n->addr, addr, sizeof addr))
            continue;
        int port = n->udp_port ? n->udp_port : 53;
        MC_ARRAY_RESERVE(t->servers, t->servers_cap, t->nservers + 1);
        t->servers[t->nservers++] = n->family == AF_INET6 ? mc_xasprintf("[%s]:%d", addr, port)
                                                          : mc_xasprintf("%s:%d", addr, port);
    }
    ares_free_data(list);
}

/* Asks for a receive buffer large enough for a window of replies (the
 * resolver's automatic in-flight bound follows from it), as unbound's
 * so-rcvbuf does: SO_RCVBUFFORCE where we may (CAP_NET_ADMIN), else
 * SO_RCVBUF, which the kernel caps at net.core.rmem_max.  Then reads back
 * what the kernel granted. */
#define MC_CARES_RCVBUF (4 * 1024 * 1024)
/* Queries a UDP socket carries before c-ares opens a new one (a new
 * port): often enough that a batch's thousands of queries use hundreds of
 * ports, rarely enough that the socket churn costs nothing measurable. */
#define MC_CARES_UDP_MAX_QUERIES 100

static int configure_socket(ares_socket_t fd, int type, void *data)
{
    struct cares *t = data;
    if (type != SOCK_DGRAM)
        return 0;
    int want = MC_CARES_RCVBUF;
#ifdef SO_RCVBUFFORCE
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
#endif
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    int got = 0;
    socklen_t len = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got > 0 &&
        (t->udp_rcvbuf == 0 || got < t->udp_rcvbuf))
        t->udp_rcvbuf = got;
    return 0; /* a smaller buffer is no reason to fail */
}

/* ares_init_options() with every option that makes query counts and
 * timings mean the same on every c-ares version (README, "c-ares versions"). */
static int channel_init(struct cares *t, const struct mc_transport_config *config)
{
    struct ares_options opts;
    memset(&opts, 0, sizeof opts);
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_EDNSPSZ;
    /* NOCHECKRESP: SERVFAIL/REFUSED reach us with their rcode instead of
     * becoming connection errors. EDNS: accept UDP replies up to ednspsz. */
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
    if (config->tcp_only)
        opts.flags |= ARES_FLAG_USEVC;
#if MC_CARES_DNS0X20
    if (config->dns0x20)
        opts.flags |= ARES_FLAG_DNS0x20;
#else
    t->own_0x20 = config->dns0x20;
#endif
    opts.timeout = config->timeout_ms > 0 ? config->timeout_ms : 2000;
    opts.tries = config->tries > 0 ? config->tries : 2;
    opts.sock_state_cb = sock_state_cb;
    opts.sock_state_cb_data = t;
    opts.ednspsz = MC_DNS_EDNS_SIZE;
#ifdef ARES_OPT_QUERY_CACHE
    /* c-ares >= 1.23 caches answers itself: the resolver counts and caches. */
    opts.qcache_max_ttl = 0;
    mask |= ARES_OPT_QUERY_CACHE;
#endif
#ifdef ARES_OPT_UDP_MAX_QUERIES
    /* c-ares >= 1.20: a new UDP socket, so a new random source port, every
     * MC_CARES_UDP_MAX_QUERIES queries (RFC 5452 §4.5). 1.18 keeps one
     * socket, one port, per server for the whole run (mailcheck(1),
     * SECURITY). */
    opts.udp_max_queries = MC_CARES_UDP_MAX_QUERIES;
    mask |= ARES_OPT_UDP_MAX_QUERIES;
#endif
#ifdef ARES_OPT_MAXTIMEOUTMS
    /* c-ares >= 1.22 adapts timeouts; hold them to what the user asked. */
    opts.maxtimeout = opts.timeout;
    mask |= ARES_OPT_MAXTIMEOUTMS;
#endif
    return ares_init_options(&t->channel, &opts, mask);
}

struct mc_transport *mc_transport_cares_new(const struct mc_transport_config *config, char **why)
{
    static bool library_ready;
    struct cares *t = mc_xcalloc(1, sizeof *t);
    char *csv = NULL;
    bool ok = false;
    t->base.ops = &cares_ops;
    t->held_tail = &t->held_head;
    if (!library_ready) {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
            *why = mc_xstrdup("c-ares library initialisation failed");
            goto done;
        }
        library_ready = true;
    }
    int rc = channel_init(t, config);
    if (rc != ARES_SUCCESS) {
        *why = mc_xasprintf("cannot initialise the resolver: %s", ares_strerror(rc));
        t->channel = NULL;
        goto done;
    }
    ares_set_socket_configure_callback(t->channel, configure_socket, t);
#if !MC_CARES_DNS0X20
    if (t->own_0x20) {
        t->guard = mc_xcalloc(MC_GUARD_BUCKETS, sizeof *t->guard);
        MC_ARES_DEPRECATED_BEGIN
        ares_set_socket_functions(t->channel, &guard_functions, t);
        MC_ARES_DEPRECATED_END
    }
#endif
    if (config->nservers > 0) {
        csv = servers_csv(config->servers, config->nservers, why);
        if (!csv)
            goto done;
        rc = ares_set_servers_ports_csv(t->channel, csv);
        if (rc != ARES_SUCCESS) {
            *why = mc_xasprintf("cannot use --server %s: %s", csv, ares_strerror(rc));
            goto done;
        }
    }
    collect_servers(t);
    t->server_label = t->nservers == 1 ? t->servers[0] : "the resolvers";
    ok = true;
done:
    free(csv);
    if (!ok) {
        cares_free(&t->base);
        return NULL;
    }
    return &t->base;
}

const char *mc_transport_cares_version(void)
{
    return ares_version(NULL);
}
