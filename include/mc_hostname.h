/* SPDX-License-Identifier: MIT */
/*
 * mc_hostname.h - validating the HOST argument and IP address text.
 *
 * HOST must be a fully qualified domain name usable as an EHLO name
 * (RFC 5321 §2.3.5, §4.1.4; LDH labels per RFC 1123 §2.1): labels of
 * letters, digits and inner hyphens, at most 63 octets each, at most 253 in
 * all, at least two labels, the last one not all-numeric (so that no IP
 * literal passes).  A non-ASCII name is converted to its A-label form with
 * libidn2 (IDNA 2008, RFC 5891) first.
 */
#ifndef MC_HOSTNAME_H
#define MC_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_util.h"

/*
 * Validates INPUT as a mail server's host name.  On MC_OK, *ASCII is the
 * name lowercased, in A-label form, without trailing dot, and *UNICODE is
 * the U-label form when INPUT was not plain ASCII, else NULL (both
 * malloc'd, caller frees).  On MC_ERR_USAGE, *WHY is a malloc'd message
 * naming the problem (caller frees).
 */
enum mc_status mc_hostname_validate(const char *input, char **ascii, char **unicode, char **why);

/* Syntax check only (no IDN): true when NAME is a valid LDH host name. */
bool mc_hostname_is_ldh(const char *name, const char **why);

/* An IP address of either family. */
struct mc_ip {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
};

/* Parses an IPv4 dotted quad or an IPv6 address. */
bool mc_ip_parse(const char *text, struct mc_ip *ip);
/* True when TEXT, an address as given, writes its hex letters in upper
 * case: at least one of A-F and none of a-f ("CAFE:BABE::1").  mailcheck
 * spf keeps that case in %{i} (RFC 7208 §7.3 leaves it open). */
bool mc_ip_text_upper(const char *text);
/* RFC 5952 text form into BUF (at least 46 bytes). Returns BUF. */
char *mc_ip_format(const struct mc_ip *ip, char *buf, size_t size);
/* Sort order: IPv4 before IPv6, then by bytes. */
int mc_ip_compare(const struct mc_ip *a, const struct mc_ip *b);
/* The reverse-lookup name (in-addr.arpa / ip6.arpa, RFC 1035 §3.5,
 * RFC 3596 §2.5), no trailing dot, into BUF (at least 74 bytes). An
 * IPv4-mapped IPv6 address stays under ip6.arpa. Returns BUF. */
char *mc_ip_reverse_name(const struct mc_ip *ip, char *buf, size_t size);

/* True when NAME (presentation form, as the DNS parser writes it: other
 * octets escaped) is a host name as newer c-ares will look one up: labels
 * of letters, digits, "-" and "_" only.  Postfix's valid_hostname() is
 * stricter still. */
bool mc_hostname_ptr_name_valid(const char *name);

/* When IP is in a special-purpose range no receiver can see (RFC 6890:
 * private, loopback, link-local, unspecified, multicast, ULA, ...), a
 * static description of the range ("private, RFC 1918"); NULL for a
 * global address and for the documentation ranges (RFC 5737, RFC 3849,
 * RFC 9637), which serve examples and tests. */
const char *mc_ip_special_purpose(const struct mc_ip *ip);

#endif
