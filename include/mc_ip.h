/* SPDX-License-Identifier: MIT */
/*
 * mc_ip.h - an IP address of either family, its text forms, its reverse
 * name, and whether receivers can see it at all.
 */
#ifndef MC_IP_H
#define MC_IP_H

#include <stdbool.h>
#include <stddef.h>

/* An IP address of either family. */
struct mc_ip {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
};

/* The octets of an address of FAMILY: 4 for AF_INET, else 16 (AF_INET6). */
size_t mc_ip_len(int family);

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
/* The labels of that name without its suffix: reversed octets for IPv4,
 * 32 reversed nibbles for IPv6, as blocklists are asked too (RFC 5782
 * sections 2.1 and 2.4), into BUF (at least 64 bytes). Returns BUF. */
char *mc_ip_reverse_labels(const struct mc_ip *ip, char *buf, size_t size);

/* When IP is in a special-purpose range no receiver can see (RFC 6890:
 * private, loopback, link-local, unspecified, multicast, ULA, ...), a
 * static description of the range ("private, RFC 1918"); NULL for a
 * global address and for the documentation ranges (RFC 5737, RFC 3849,
 * RFC 9637), which serve examples and tests. */
const char *mc_ip_special_purpose(const struct mc_ip *ip);

#endif
