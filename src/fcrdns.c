/* SPDX-License-Identifier: MIT */
/*
 * fcrdns.c - per-address verdicts (doc/verdicts.md, "Per address") and the
 * generic-PTR heuristic.  Pure functions: no lookups, no allocation.
 */
#include "mc_fcrdns.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_ip.h"
#include "mc_util.h"

enum mc_verdict mc_fcrdns_verdict(const char *host, const struct mc_fcrdns_input *in,
                                  enum mc_fcrdns *fcrdns)
{
    if (!mc_dns_outcome_answered(in->ptr_outcome)) {
        *fcrdns = MC_FCRDNS_ERROR;
        return MC_VERDICT_ERROR;
    }
    if (in->nnames == 0) {
        *fcrdns = MC_FCRDNS_FAIL;
        return MC_VERDICT_FAIL;
    }
    bool host_named = false, other_confirms = false, lookup_failed = false;
    for (size_t i = 0; i < in->nnames; i++) {
        if (mc_name_equal(in->names[i], host)) {
            host_named = true;
            continue;
        }
        if (in->name_state[i] == MC_FCRDNS_NAME_CONFIRMS)
            other_confirms = true;
        else if (in->name_state[i] == MC_FCRDNS_NAME_FAILED)
            lookup_failed = true;
    }
    if (host_named && in->host_confirms) {
        *fcrdns = MC_FCRDNS_PASS;
        return MC_VERDICT_PASS;
    }
    /* HOST is named but its own lookup failed: pass is still possible. */
    if (host_named && in->host_lookup_failed) {
        *fcrdns = other_confirms ? MC_FCRDNS_PASS : MC_FCRDNS_ERROR;
        return MC_VERDICT_ERROR;
    }
    if (other_confirms) {
        *fcrdns = MC_FCRDNS_PASS;
        return MC_VERDICT_MISMATCH;
    }
    if (lookup_failed) {
        *fcrdns = MC_FCRDNS_ERROR;
        return MC_VERDICT_ERROR;
    }
    *fcrdns = MC_FCRDNS_FAIL;
    return MC_VERDICT_FAIL;
}

/* Collects the decimal numbers in NAME (at most MAX). */
static size_t digit_runs(const char *name, unsigned long *runs, size_t max)
{
    size_t n = 0;
    for (const char *p = name; *p && n < max;) {
        if (!mc_ascii_isdigit((unsigned char)*p)) {
            p++;
            continue;
        }
        unsigned long v = 0;
        size_t len = 0;
        while (mc_ascii_isdigit((unsigned char)*p)) {
            if (len < 6)
                v = v * 10 + (unsigned long)(*p - '0');
            len++;
            p++;
        }
        runs[n++] = len <= 3 ? v : 1000; /* never an octet */
    }
    return n;
}

static bool contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (mc_ascii_strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

bool mc_fcrdns_looks_generic(const struct mc_ip *ip, const char *name)
{
    char buf[64];
    if (ip->family == AF_INET) {
        const unsigned char *b = ip->bytes;
        unsigned long runs[64];
        size_t n = digit_runs(name, runs, 64);
        for (size_t i = 0; i + 4 <= n; i++) {
            bool forward = true, reverse = true;
            for (size_t k = 0; k < 4; k++) {
                forward = forward && runs[i + k] == b[k];
                reverse = reverse && runs[i + k] == b[3 - k];
            }
            if (forward || reverse)
                return true;
        }
        /* The address in hex, as some pools write it (c000021a). */
        snprintf(buf, sizeof buf, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
        return contains_ci(name, buf);
    }
    /* IPv6: the interface identifier in hex, or the address with dashes. */
    const unsigned char *b = ip->bytes;
    snprintf(buf, sizeof buf, "%02x%02x%02x%02x%02x%02x%02x%02x", b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    if (contains_ci(name, buf))
        return true;
    char text[64];
    mc_ip_format(ip, text, sizeof text);
    for (char *p = text; *p; p++)
        if (*p == ':')
            *p = '-';
    return strlen(text) > 6 && contains_ci(name, text);
}
