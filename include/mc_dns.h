/* SPDX-License-Identifier: MIT */
/*
 * mc_dns.h - mailcheck's view of a DNS lookup and its outcome.
 *
 * These are the only DNS types the layers above the resolver see: neither
 * c-ares nor ldns types leave the dns modules (doc/architecture.md, "Layers").
 *
 * A lookup is *answered* when a reply with NOERROR (with or without data) or
 * NXDOMAIN came back; anything else is a *failed* lookup (doc/verdicts.md,
 * "Definitions").  Verdicts depend on that difference, so every outcome keeps
 * it, plus a human `why` for reports.
 */
#ifndef MC_DNS_H
#define MC_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RR types mailcheck asks for (RFC 1035, RFC 3596). */
enum mc_dns_type {
    MC_DNS_T_A = 1,
    MC_DNS_T_NS = 2,
    MC_DNS_T_CNAME = 5,
    MC_DNS_T_SOA = 6,
    MC_DNS_T_PTR = 12,
    MC_DNS_T_MX = 15,
    MC_DNS_T_TXT = 16,
    MC_DNS_T_AAAA = 28,
};

/* Longest CNAME chain followed (mailcheck(1), SECURITY: at most 10). */
#define MC_DNS_MAX_CNAMES 10

enum mc_dns_outcome {
    MC_DNS_ANSWER = 0, /* NOERROR with records of the type asked */
    MC_DNS_NODATA,     /* NOERROR without them (also: CNAME chain broken) */
    MC_DNS_NXDOMAIN,   /* the name does not exist */
    MC_DNS_SERVFAIL,
    MC_DNS_REFUSED,
    MC_DNS_RCODE,     /* another rcode (FORMERR, NOTIMP, ...) */
    MC_DNS_MALFORMED, /* the reply could not be parsed or does not match */
    MC_DNS_TIMEOUT,   /* no reply after the lookup's own retries */
    MC_DNS_NETERR,    /* the transport failed (connection refused, ...) */
    MC_DNS_OFFLINE,   /* outside every --zone, and --offline */
    MC_DNS_DEADLINE,  /* the run's deadline ended the lookup */
};

/* Static lowercase name of OUTCOME ("nxdomain", "servfail", ...). */
const char *mc_dns_outcome_str(enum mc_dns_outcome outcome);
/* True for ANSWER, NODATA and NXDOMAIN: a reply the zone gave. */
bool mc_dns_outcome_answered(enum mc_dns_outcome outcome);
/* Static name of an RR type ("A", "AAAA", "PTR", ...; "TYPE<n>" never). */
const char *mc_dns_type_str(uint16_t type);

struct mc_dns_record {
    uint16_t type;
    uint16_t preference; /* MX */
    uint32_t ttl;
    unsigned char addr[16]; /* A: first 4 bytes; AAAA: all 16 */
    char *name;             /* PTR, MX, CNAME target: presentation form,
                               case as received, no trailing dot */
    char *text;             /* TXT: its character-strings concatenated
                               (RFC 7208 §3.3); may hold NUL bytes */
    size_t text_len;
};

/*
 * The result of one lookup: name and type asked, outcome, and the records of
 * that type at the end of the CNAME chain (records[] is empty unless outcome
 * is MC_DNS_ANSWER).  Memory belongs to whoever made the result (the
 * resolver's cache: borrowed by callbacks, valid until the resolver is freed).
 */
struct mc_dns_result {
    const char *qname;          /* as asked, lowercased, no trailing dot */
    const char *canonical;      /* end of the CNAME chain (== qname if none) */
    size_t ncnames;             /* CNAMEs followed */
    const char **cname_chain;   /* owners of the CNAMEs followed, in order */
    const char **cname_targets; /* the target of each of them */
    const char **cname_servers; /* who answered each step ("zone FILE", ...);
                                   the three arrays are NULL when ncnames is 0 */
    size_t count;
    struct mc_dns_record *records;
    const char *server; /* who answered: "127.0.0.1:53", "zone FILE" */
    const char *why;    /* human detail for a failure or oddity, or NULL */
    /* This answer's identity: unique in the process and never reused
     * (mc_resolver.h), so that what is derived from nothing but the result
     * (its evidence as JSON text) can be kept under it; 0 for a result no
     * resolver's cache holds. */
    uint64_t serial;
    /* The small members last, packed (a batch caches 100,000s of these). */
    enum mc_dns_outcome outcome;
    int rcode;    /* the rcode of the last reply, -1 when none */
    uint32_t ttl; /* smallest TTL of the records (or negative TTL) */
    uint16_t qtype;
    bool cname_broken; /* chain looped or exceeded MC_DNS_MAX_CNAMES */
};

/*
 * Packing a result into one block, for a cache that keeps hundreds of
 * thousands of them (where the arena a reply was parsed into is mostly
 * unused): mc_dns_result_pack() copies what RESULT points to (records with
 * their names and texts, canonical, why, the CNAME owners and targets)
 * into BLOCK, of mc_dns_result_packed_size(RESULT) octets and aligned for
 * pointers, and points RESULT there.  qname (and canonical when it is
 * qname), server and the cname_servers strings are not copied: they must
 * outlive RESULT.
 */
size_t mc_dns_result_packed_size(const struct mc_dns_result *result);
void mc_dns_result_pack(struct mc_dns_result *result, void *block);

#endif
