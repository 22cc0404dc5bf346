/* SPDX-License-Identifier: MIT */
/*
 * mc_dns_msg.h - DNS messages on the wire: building queries and reading
 * replies.  The only module besides the zone backend that includes ldns.
 *
 * Every reply, from the network or from a zone file, goes through
 * mc_dns_msg_parse_reply(): one code path, one place that decides what a
 * reply means (and one fuzz target for hostile bytes).
 */
#ifndef MC_DNS_MSG_H
#define MC_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "mc_arena.h"
#include "mc_dns.h"
#include "mc_util.h"

/* EDNS0 UDP payload size we advertise (the DNS flag day 2020 value). */
#define MC_DNS_EDNS_SIZE 1232

/*
 * Builds a recursive (RD) query for NAME/TYPE, class IN, with an EDNS0 OPT
 * record.  On MC_OK, *WIRE is a malloc'd buffer of *LEN bytes (caller frees).
 * Returns MC_ERR_INPUT when NAME is not a valid domain name.
 */
enum mc_status mc_dns_msg_build_query(const char *name, uint16_t type, uint16_t id,
                                      unsigned char **wire, size_t *len);

/*
 * What one reply says about QNAME/QTYPE.  Records and strings live in the
 * arena passed to mc_dns_msg_parse_reply().
 */
struct mc_dns_reply {
    enum mc_dns_outcome outcome; /* ANSWER, NODATA, NXDOMAIN, SERVFAIL, REFUSED,
                                    RCODE or MALFORMED */
    int rcode;
    bool authoritative;
    size_t ncnames;
    const char **cname_chain;   /* CNAME owners followed inside this reply */
    const char **cname_targets; /* ... and the target of each */
    bool cname_loop;            /* the chain in this reply loops */
    /* Non-NULL when the reply ends in a CNAME whose target it holds no data
     * for (NOERROR): the resolver asks for this name next. */
    const char *next_name;
    const char *canonical; /* the chain's last name in this reply (QNAME if none) */
    size_t count;
    struct mc_dns_record *records;
    uint32_t ttl;
    const char *why;
};

/*
 * Parses WIRE (LEN bytes) as the reply to QNAME/QTYPE: checks QR, the
 * question, classifies the rcode, follows the CNAME chain inside the answer
 * section from QNAME (case-insensitively) and collects the records of QTYPE
 * at its end.  Never fails: a reply it cannot make sense of is
 * MC_DNS_MALFORMED with a why.  EXPECT_ID < 0 skips the id check.
 */
void mc_dns_msg_parse_reply(const unsigned char *wire, size_t len, const char *qname,
                            uint16_t qtype, int expect_id, struct mc_arena *arena,
                            struct mc_dns_reply *out);

/* The ldns version in use (static string), for --version. */
const char *mc_dns_msg_library_version(void);

#endif
