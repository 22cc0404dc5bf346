/* SPDX-License-Identifier: MIT */
/*
 * mc_zone.h - zone files as an authoritative DNS backend (--zone).
 *
 * Zone files as BIND and NSD accept them ($ORIGIN, $TTL, $INCLUDE and
 * $GENERATE; ldns 1.8.3 lacks the last two, so they are expanded here before
 * ldns reads each record) answer the way an authoritative server for them
 * would (RFC 1034 §4.3.2): the most closely enclosing zone answers, with
 * NXDOMAIN, NODATA, empty non-terminals, wildcards (RFC 4592) and CNAMEs
 * followed inside the zone set.  A name at or below a delegation (an NS set
 * below a zone apex) is outside it, as is a name outside every zone: those
 * go to the network, or fail under --offline.
 *
 * Replies are produced as DNS wire messages so that they take the same
 * parsing path (mc_dns_msg_parse_reply) as replies from the network.
 */
#ifndef MC_ZONE_H
#define MC_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_util.h"

struct mc_zone_set;

/* Returns an empty zone set. Caller frees with mc_zone_set_free(). */
struct mc_zone_set *mc_zone_set_new(void);
void mc_zone_set_free(struct mc_zone_set *set);

/*
 * Loads the zone file PATH into SET.  The zone's origin is the owner of its
 * SOA record (ORIGIN, if not NULL, is the initial $ORIGIN; NULL: none).
 * Returns MC_OK, or MC_ERR_INPUT with *WHY set to a malloc'd message naming
 * the file, line and problem (caller frees).
 */
enum mc_status mc_zone_set_load(struct mc_zone_set *set, const char *path, const char *origin,
                                char **why);

/*
 * Answers NAME/TYPE (class IN) as the authoritative server of the closest
 * enclosing zone in SET would, as a DNS reply with id ID, the question, AA
 * set, and the SOA in the authority section for negative answers.
 * Returns true with *WIRE a malloc'd buffer of *LEN bytes (caller frees);
 * false when NAME is outside every zone or at/below a delegation.
 * *SOURCE (if not NULL) is set to the borrowed path of the answering file.
 */
bool mc_zone_set_answer(const struct mc_zone_set *set, const char *name, uint16_t type, uint16_t id,
                        unsigned char **wire, size_t *len, const char **source);

#endif
