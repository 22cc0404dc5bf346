/* SPDX-License-Identifier: MIT */
/*
 * dns.c - names for DNS outcomes and RR types, and which outcomes count as
 * answered (doc/verdicts.md).  No I/O, no third-party types.
 */
#include "mc_dns.h"

#include <stddef.h>

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
