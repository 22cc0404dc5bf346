/* SPDX-License-Identifier: MIT */
/*
 * mc_egress.h - the address this machine's mail leaves from, per family:
 * the source address the kernel picks for a datagram towards the public
 * Internet (a UDP socket connect()ed to a root server's address; nothing
 * is sent, connect() on a UDP socket only chooses the route and the
 * source).  On a NAT host that is the private address; mailcheck(1),
 * --egress, says to name the public one with --address.
 */
#ifndef MC_EGRESS_H
#define MC_EGRESS_H

#include <stdbool.h>

#include "mc_ip.h"

/*
 * The source address for FAMILY (AF_INET or AF_INET6) into *OUT.  Returns
 * false when the family has no route towards the Internet (or no
 * socket of that family can be made).
 */
bool mc_egress_source(int family, struct mc_ip *out);

#endif
