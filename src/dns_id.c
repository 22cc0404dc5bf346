/* SPDX-License-Identifier: MIT */
/*
 * dns_id.c - random query IDs unique among the queries in flight
 * (RFC 5452 §4.3: "use an unpredictable query ID for every outgoing
 * query", §9.1: match replies on ID and question) and 0x20 letter case
 * (draft-vixie-dnsext-dns0x20-00), on wire-format messages.
 *
 * The randomness is the kernel's CSPRNG (getrandom(2), blocking only
 * before the pool is initialised at boot); a pool of 512 octets is drawn at
 * a time, so that a batch of thousands of queries costs a few system calls.
 */
#include "mc_dns_id.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mc_cursor.h"
#include "mc_util.h"

void mc_dns_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* No weaker fallback: a guessable ID is what this prevents. */
            fprintf(stderr, "mailcheck: getrandom() failed (%s): no random query IDs\n",
                    n < 0 ? strerror(errno) : "no data");
            abort();
        }
        p += n;
        len -= (size_t)n;
    }
}

void mc_dns_ids_random(struct mc_dns_ids *ids, void *buf, size_t size)
{
    unsigned char *out = buf;
    while (size > 0) {
        if (ids->pool_left == 0) {
            mc_dns_random(ids->pool, sizeof ids->pool);
            ids->pool_left = sizeof ids->pool;
        }
        size_t n = size < ids->pool_left ? size : ids->pool_left;
        /* Octets are used from the end of the pool and never twice. */
        memcpy(out, ids->pool + ids->pool_left - n, n);
        memset(ids->pool + ids->pool_left - n, 0, n);
        ids->pool_left -= n;
        out += n;
        size -= n;
    }
}

bool mc_dns_id_in_use(const struct mc_dns_ids *ids, uint16_t id)
{
    return ids->used[id >> 3] & (1u << (id & 7));
}

uint16_t mc_dns_id_take(struct mc_dns_ids *ids)
{
    for (;;) {
        unsigned char b[2];
        mc_dns_ids_random(ids, b, sizeof b);
        uint16_t id = (uint16_t)(b[0] << 8 | b[1]);
        /* 0 is what a careless client sends (and what mailcheck sent
         * before it drew IDs): never use it. */
        if (id == 0 || mc_dns_id_in_use(ids, id))
            continue;
        ids->used[id >> 3] = (uint8_t)(ids->used[id >> 3] | (1u << (id & 7)));
        ids->inflight++;
        return id;
    }
}

void mc_dns_id_release(struct mc_dns_ids *ids, uint16_t id)
{
    if (!mc_dns_id_in_use(ids, id))
        return;
    ids->used[id >> 3] = (uint8_t)(ids->used[id >> 3] & ~(1u << (id & 7)));
    ids->inflight--;
}

void mc_dns_id_set(unsigned char *wire, size_t len, uint16_t id)
{
    if (len < 2)
        return;
    wire[0] = (unsigned char)(id >> 8);
    wire[1] = (unsigned char)id;
}

bool mc_dns_question_read(const unsigned char *wire, size_t len, struct mc_dns_question *q)
{
    /* RFC 1035 §4.1.1: ID and flags, then QDCOUNT (one question), then
     * the three other counts; the question follows at offset 12. */
    struct mc_cursor c = mc_cursor_make(wire, len);
    mc_cursor_skip(&c, 4);
    if (mc_cursor_get16(&c) != 1 || !mc_cursor_skip(&c, 6))
        return false;
    size_t start = c.off;
    for (;;) {
        int l = mc_cursor_peek(&c);
        if (l < 0 || (l & 0xc0))
            return false; /* the end, or compressed, or an extended label type */
        if (!mc_cursor_skip(&c, 1u + (unsigned)l) || c.off - start > 255)
            return false; /* past the end, or over RFC 1035 §3.1's 255 octets */
        if (l == 0)
            break;
    }
    size_t end = c.off;
    unsigned qtype = mc_cursor_get16(&c);
    mc_cursor_skip(&c, 2); /* QCLASS */
    if (!mc_cursor_ok(&c))
        return false;
    q->name_off = start;
    q->name_len = end - start;
    q->qtype = (uint16_t)qtype;
    return true;
}

bool mc_dns_0x20_apply(struct mc_dns_ids *ids, unsigned char *wire, size_t len)
{
    struct mc_dns_question q;
    if (!mc_dns_question_read(wire, len, &q))
        return false;
    unsigned char *name = wire + q.name_off;
    /* A pattern with no capital is what a server that folds case and a
     * forger that copies the name send back; a query sent in it would take
     * their reply for the answer (a reverse name has only the 10 letters of
     * "in-addr.arpa", 1 in 1024).  As with ID 0, never send it: draw again.
     * A name without letters is left as it is. */
    bool letter_seen, upper_seen;
    do {
        unsigned char bits[32]; /* 256 bits: one for every octet of a name */
        mc_dns_ids_random(ids, bits, (q.name_len + 7) / 8);
        letter_seen = upper_seen = false;
        for (size_t i = 0, label_end = 0; i < q.name_len; i++) {
            if (i == label_end) { /* a length octet */
                label_end = i + 1 + name[i];
                continue;
            }
            if (!mc_ascii_isalpha(name[i]))
                continue;
            bool upper = bits[i / 8] & (1u << (i % 8));
            name[i] =
                (unsigned char)(upper ? mc_ascii_toupper(name[i]) : mc_ascii_tolower(name[i]));
            letter_seen = true;
            upper_seen |= upper;
        }
    } while (letter_seen && !upper_seen);
    return true;
}

size_t mc_dns_wire_name_hash(const unsigned char *name, size_t len)
{
    size_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)mc_ascii_tolower(name[i])) * 16777619u;
    return h;
}

bool mc_dns_wire_name_equal(const unsigned char *a, const unsigned char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (mc_ascii_tolower(a[i]) != mc_ascii_tolower(b[i]))
            return false;
    return true;
}
