/* SPDX-License-Identifier: MIT */
/*
 * mc_dns_id.h - what makes a forged reply hard to get accepted: a random
 * 16-bit ID per query from the system's CSPRNG, unique among the queries
 * in flight (RFC 5452 §4.3, §9.1), and, with --dns0x20, random letter case
 * in the query name that a reply must echo exactly (the "0x20" draft,
 * draft-vixie-dnsext-dns0x20-00; unbound's use-caps-for-id).
 *
 * No DNS library here: the functions read and patch query and reply wire
 * formats directly, so that the transport can apply them to the bytes it
 * sends and receives, and the unit tests can check them byte by byte.
 *
 * Ownership: a struct mc_dns_ids is the caller's (usually embedded in the
 * resolver); nothing here allocates.
 */
#ifndef MC_DNS_ID_H
#define MC_DNS_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Random octets from getrandom(2), the kernel's CSPRNG; never a weaker
 * fallback: when the kernel cannot give them, mailcheck stops (mc_oom()'s
 * sibling: a fatal message and abort), since a predictable ID is the hole
 * this module closes. */
void mc_dns_random(void *buf, size_t len);

/* IDs in flight: a bitmap of the 65536 IDs and a pool of random octets
 * (refilled from getrandom() a block at a time, not per query). */
struct mc_dns_ids {
    uint8_t used[65536 / 8];
    unsigned char pool[512];
    size_t pool_left;
    unsigned inflight;
};

/* Takes a random ID that is neither 0 nor in flight and marks it used.
 * Never fails while fewer than 65535 IDs are in flight (the resolver keeps
 * at most a few thousand). */
uint16_t mc_dns_id_take(struct mc_dns_ids *ids);
/* Returns ID to the free set (no-op when it was not taken). */
void mc_dns_id_release(struct mc_dns_ids *ids, uint16_t id);
/* True when ID is in flight. */
bool mc_dns_id_in_use(const struct mc_dns_ids *ids, uint16_t id);
/* Fills SIZE octets of BUF with random octets from the pool. */
void mc_dns_ids_random(struct mc_dns_ids *ids, void *buf, size_t size);

/* Writes ID into the header of the query WIRE (LEN octets, at least 12). */
void mc_dns_id_set(unsigned char *wire, size_t len, uint16_t id);

/* The question of a message: where its QNAME starts and ends in the wire
 * (no compression: a question's name is always written in full), QTYPE. */
struct mc_dns_question {
    size_t name_off, name_len; /* name_len includes the root label */
    uint16_t qtype;
};

/* Reads the one question of WIRE. False when the message is shorter than
 * a header, has not exactly one question, or its name is compressed,
 * malformed or runs past the end. */
bool mc_dns_question_read(const unsigned char *wire, size_t len, struct mc_dns_question *q);

/* Sets every letter of the question name of WIRE (LEN octets) to a random
 * case, one random bit a letter from IDS' pool, never all lower case (at
 * least one capital when the name has a letter).  Returns false when WIRE
 * has no readable question. */
bool mc_dns_0x20_apply(struct mc_dns_ids *ids, unsigned char *wire, size_t len);

/* FNV-1a hash of a wire-format name, ignoring ASCII case (so that the
 * query and a reply in another case meet in one bucket). */
size_t mc_dns_wire_name_hash(const unsigned char *name, size_t len);

/* True when the wire-format names A and B (LEN octets each) are equal
 * ignoring ASCII case. */
bool mc_dns_wire_name_equal(const unsigned char *a, const unsigned char *b, size_t len);

#endif
