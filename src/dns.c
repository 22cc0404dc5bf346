/* SPDX-License-Identifier: MIT */
/*
 * dns.c - names for DNS outcomes and RR types, which outcomes count as
 * answered (doc/verdicts.md), and the packing of a result into one block.
 * No I/O, no third-party types.
 */
#include "mc_dns.h"

#include <stddef.h>
#include <string.h>

#include "mc_util.h"

static const char *const outcome_names[] = {
    [MC_DNS_ANSWER] = "answer",        [MC_DNS_NODATA] = "nodata",
    [MC_DNS_NXDOMAIN] = "nxdomain",    [MC_DNS_SERVFAIL] = "servfail",
    [MC_DNS_REFUSED] = "refused",      [MC_DNS_RCODE] = "rcode",
    [MC_DNS_MALFORMED] = "malformed",  [MC_DNS_TIMEOUT] = "timeout",
    [MC_DNS_NETERR] = "network-error", [MC_DNS_OFFLINE] = "offline",
    [MC_DNS_DEADLINE] = "deadline",
};

const char *mc_dns_outcome_str(enum mc_dns_outcome outcome)
{
    if ((size_t)outcome < sizeof outcome_names / sizeof outcome_names[0])
        return outcome_names[outcome];
    return "invalid";
}

bool mc_dns_outcome_answered(enum mc_dns_outcome outcome)
{
    return outcome == MC_DNS_ANSWER || outcome == MC_DNS_NODATA || outcome == MC_DNS_NXDOMAIN;
}

const char *mc_dns_type_str(uint16_t type)
{
    switch (type) {
    case MC_DNS_T_A: return "A";
    case MC_DNS_T_NS: return "NS";
    case MC_DNS_T_CNAME: return "CNAME";
    case MC_DNS_T_SOA: return "SOA";
    case MC_DNS_T_PTR: return "PTR";
    case MC_DNS_T_MX: return "MX";
    case MC_DNS_T_TXT: return "TXT";
    case MC_DNS_T_AAAA: return "AAAA";
    default: return "other";
    }
}

/* ---- packing (mc_dns_result_pack) ---- */

/* The strings of a result go after its arrays, one after the other
 * (mc_pack): sizes (P->next NULL) or copies the strings of R into P, in the one
 * order both passes share: canonical (unless it is qname) and why, set in
 * R, then the records' names and texts and the CNAME owners and targets,
 * whose copies go to RECORDS and CHAIN (when copying). */
static void pack_strings(struct mc_pack *p, struct mc_dns_result *r, struct mc_dns_record *records,
                         const char **chain)
{
    if (r->canonical && r->canonical != r->qname)
        r->canonical = mc_pack_string(p, r->canonical);
    r->why = mc_pack_string(p, r->why);
    for (size_t i = 0; i < r->count; i++) {
        const struct mc_dns_record *rr = &r->records[i];
        char *name = rr->name ? mc_pack_bytes(p, rr->name, strlen(rr->name)) : NULL;
        char *text = rr->text ? mc_pack_bytes(p, rr->text, rr->text_len) : NULL;
        if (records) {
            records[i].name = name;
            records[i].text = text;
        }
    }
    for (size_t i = 0; i < r->ncnames; i++) {
        const char *owner = mc_pack_string(p, r->cname_chain[i]);
        const char *target = mc_pack_string(p, r->cname_targets[i]);
        if (chain) {
            chain[i] = owner;
            chain[r->ncnames + i] = target;
        }
    }
}

/* The records, then the owner, target and server arrays of the CNAME chain
 * (pointers: aligned after records of pointer-aligned size); the strings
 * follow them. */
static size_t arrays_size(const struct mc_dns_result *r)
{
    return r->count * sizeof *r->records + 3 * r->ncnames * sizeof(char *);
}

size_t mc_dns_result_packed_size(const struct mc_dns_result *r)
{
    struct mc_pack p = {0};
    struct mc_dns_result sized = *r; /* sizing writes NULLs into it */
    pack_strings(&p, &sized, NULL, NULL);
    return arrays_size(r) + p.size;
}

void mc_dns_result_pack(struct mc_dns_result *r, void *block)
{
    size_t records_size = r->count * sizeof *r->records;
    struct mc_dns_record *records = block;
    const char **chain = (const char **)(void *)((unsigned char *)block + records_size);
    if (r->count)
        memcpy(records, r->records, records_size);
    struct mc_pack p = {.next = (char *)block + arrays_size(r)};
    pack_strings(&p, r, records, chain);
    r->records = r->count ? records : NULL;
    if (r->ncnames) {
        memcpy(chain + 2 * r->ncnames, r->cname_servers, r->ncnames * sizeof *chain);
        r->cname_chain = chain;
        r->cname_targets = chain + r->ncnames;
        r->cname_servers = chain + 2 * r->ncnames;
    }
}
