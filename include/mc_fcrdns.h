/* SPDX-License-Identifier: MIT */
/*
 * mc_fcrdns.h - the verdict for one address: does its PTR name HOST, and
 * does some PTR name map back to it (forward-confirmed reverse DNS,
 * RFC 1912 §2.1; the "iprev" method of RFC 8601 §3)?
 *
 * Pure logic over what the lookups returned, so that every rule of
 * doc/verdicts.md's "Per address" is a unit test.
 */
#ifndef MC_FCRDNS_H
#define MC_FCRDNS_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_dns.h"
#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_vocab.h"

/* Most PTR names mailcheck forward-confirms per address (the limit RFC 7208
 * §4.6.4 sets for the same job in SPF's ptr mechanism). */
#define MC_FCRDNS_MAX_NAMES 10

/* What the forward lookup of one PTR name said about the address. */
enum mc_fcrdns_name {
    MC_FCRDNS_NAME_UNCHECKED, /* not looked up (not needed, or over the limit) */
    MC_FCRDNS_NAME_CONFIRMS,  /* its A/AAAA include the address */
    MC_FCRDNS_NAME_DENIES,    /* answered, and they do not */
    MC_FCRDNS_NAME_FAILED,    /* the lookup failed (or the deadline cut it) */
};

struct mc_fcrdns_input {
    enum mc_dns_outcome ptr_outcome; /* the PTR lookup's outcome */
    const char *const *names;        /* PTR names (ANSWER only) */
    size_t nnames;
    const enum mc_fcrdns_name *name_state; /* per name */
    /* HOST's own A/AAAA of the address's family: */
    bool host_confirms;      /* they include the address */
    bool host_lookup_failed; /* that lookup failed */
};

/*
 * Returns the address verdict (PASS, MISMATCH, ERROR or FAIL) for HOST and
 * sets *FCRDNS.  A name equal to HOST is confirmed by HOST's own answer
 * (host_confirms), whatever its name_state says.
 */
enum mc_verdict mc_fcrdns_verdict(const char *host, const struct mc_fcrdns_input *in,
                                  enum mc_fcrdns *fcrdns);

/* True when NAME looks like an ISP's generic name for IP: the address's
 * digits in it, as dynamic pools name hosts (dyn-192-0-2-25.isp.example). */
bool mc_fcrdns_looks_generic(const struct mc_ip *ip, const char *name);

#endif
