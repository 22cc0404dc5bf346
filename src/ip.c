/* SPDX-License-Identifier: MIT */
/*
 * ip.c - IP addresses: parsing, RFC 5952 text, sort order, reverse-lookup
 * names (RFC 1035 §3.5, RFC 3596 §2.5) and the special-purpose ranges of
 * RFC 6890 that no receiver can see.  Pure functions, no allocation.
 */
#include "mc_ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

size_t mc_ip_len(int family)
{
    return family == AF_INET ? 4 : 16;
}

bool mc_ip_parse(const char *text, struct mc_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, text, ip->bytes) == 1) {
        ip->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, ip->bytes) == 1) {
        ip->family = AF_INET6;
        return true;
    }
    return false;
}

bool mc_ip_text_upper(const char *text)
{
    bool upper = false;
    for (const char *p = text; *p; p++) {
        if (*p >= 'a' && *p <= 'f')
            return false;
        if (*p >= 'A' && *p <= 'F')
            upper = true;
    }
    return upper;
}

/* Decimal octet V at P; returns the end. */
static char *put_octet(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_ipv4(char *p, const unsigned char *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_octet(p, b[i]);
    }
    return p;
}

/*
 * RFC 5952 text, character for character what glibc's inet_ntop() writes
 * (tests/unit/test_hostname.c compares the two): lowercase hex without leading
 * zeros, the longest run of two or more zero groups (the first of equal
 * runs) as "::", and the IPv4 notation of RFC 5952 section 5 for mapped
 * (::ffff:0:0/96) and, as glibc also does, IPv4-compatible addresses.
 * inet_ntop() goes through sprintf() for every group: in --batch, where
 * the evidence formats every answer, it was 5 % of all instructions.
 */
char *mc_ip_format(const struct mc_ip *ip, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    char text[64], *p = text;
    if (ip->family == AF_INET) {
        p = put_ipv4(p, ip->bytes);
    } else if (ip->family == AF_INET6) {
        unsigned words[8];
        int best = -1, best_len = 0;
        for (int i = 0, run = -1; i < 8; i++) {
            words[i] = (unsigned)ip->bytes[2 * i] << 8 | ip->bytes[2 * i + 1];
            if (words[i] != 0) {
                run = -1;
                continue;
            }
            if (run < 0)
                run = i;
            if (i + 1 - run > best_len) {
                best = run;
                best_len = i + 1 - run;
            }
        }
        if (best_len < 2)
            best = -1;
        for (int i = 0; i < 8; i++) {
            if (best >= 0 && i >= best && i < best + best_len) {
                if (i == best)
                    *p++ = ':';
                continue;
            }
            if (i)
                *p++ = ':';
            if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
                p = put_ipv4(p, ip->bytes + 12);
                break;
            }
            bool lead = true;
            for (int shift = 12; shift >= 0; shift -= 4) {
                unsigned nibble = words[i] >> shift & 15;
                if (lead && nibble == 0 && shift)
                    continue;
                lead = false;
                *p++ = hex[nibble];
            }
        }
        if (best >= 0 && best + best_len == 8)
            *p++ = ':';
    }
    size_t n = (size_t)(p - text);
    if (size == 0)
        return buf;
    if (n >= size || (ip->family != AF_INET && ip->family != AF_INET6))
        n = 0;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

int mc_ip_compare(const struct mc_ip *a, const struct mc_ip *b)
{
    if (a->family != b->family)
        return a->family == AF_INET ? -1 : 1;
    return memcmp(a->bytes, b->bytes, mc_ip_len(a->family));
}

char *mc_ip_reverse_labels(const struct mc_ip *ip, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    if (ip->family == AF_INET) {
        snprintf(buf, size, "%u.%u.%u.%u", ip->bytes[3], ip->bytes[2], ip->bytes[1], ip->bytes[0]);
        return buf;
    }
    char tmp[72];
    size_t o = 0;
    for (int i = 15; i >= 0; i--) {
        tmp[o++] = hex[ip->bytes[i] & 0xf];
        tmp[o++] = '.';
        tmp[o++] = hex[ip->bytes[i] >> 4];
        tmp[o++] = i ? '.' : '\0';
    }
    snprintf(buf, size, "%s", tmp);
    return buf;
}

char *mc_ip_reverse_name(const struct mc_ip *ip, char *buf, size_t size)
{
    char labels[72];
    mc_ip_reverse_labels(ip, labels, sizeof labels);
    snprintf(buf, size, "%s.%s", labels, ip->family == AF_INET ? "in-addr.arpa" : "ip6.arpa");
    return buf;
}

/* One special-purpose range (RFC 6890 and its successors). */
struct special_range {
    int family;
    unsigned char prefix[16];
    unsigned bits;
    const char *what;
};

static const struct special_range special_ranges[] = {
    {AF_INET, {0}, 8, "\"this network\", RFC 1122"},
    {AF_INET, {10}, 8, "private, RFC 1918"},
    {AF_INET, {100, 64}, 10, "shared address space (carrier-grade NAT), RFC 6598"},
    {AF_INET, {127}, 8, "loopback, RFC 1122"},
    {AF_INET, {169, 254}, 16, "link-local, RFC 3927"},
    {AF_INET, {172, 16}, 12, "private, RFC 1918"},
    {AF_INET, {192, 0, 0}, 24, "IETF protocol assignments, RFC 6890"},
    {AF_INET, {192, 168}, 16, "private, RFC 1918"},
    {AF_INET, {198, 18}, 15, "benchmarking, RFC 2544"},
    {AF_INET, {224}, 4, "multicast, RFC 5771"},
    {AF_INET, {240}, 4, "reserved, RFC 1112"},
    {AF_INET6, {0}, 128, "unspecified, RFC 4291"},
    {AF_INET6, {[15] = 1}, 128, "loopback, RFC 4291"},
    {AF_INET6, {0, 0x64, 0xff, 0x9b, 0, 1}, 48, "local-use NAT64, RFC 8215"},
    {AF_INET6, {1}, 64, "discard-only, RFC 6666"},
    {AF_INET6, {0x20, 0x01, 0, 2}, 48, "benchmarking, RFC 5180"},
    {AF_INET6, {0x20, 0x01, 0, 0x10}, 28, "ORCHID, RFC 4843"},
    {AF_INET6, {0x20, 0x01, 0, 0x20}, 28, "ORCHIDv2, RFC 7343"},
    {AF_INET6, {0xfc}, 7, "unique local (ULA), RFC 4193"},
    {AF_INET6, {0xfe, 0x80}, 10, "link-local, RFC 4291"},
    {AF_INET6, {0xfe, 0xc0}, 10, "site-local, RFC 3879"},
    {AF_INET6, {0xff}, 8, "multicast, RFC 4291"},
};

static bool prefix_match(const unsigned char *addr, const unsigned char *prefix, unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(addr, prefix, whole) != 0)
        return false;
    unsigned rest = bits % 8;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (addr[whole] & mask) == (prefix[whole] & mask);
}

const char *mc_ip_special_purpose(const struct mc_ip *ip)
{
    /* An IPv4-mapped address (::ffff:0:0/96) stands for its IPv4 address
     * (RFC 4291 §2.5.5.2): judged by that, so that ::ffff:192.0.2.1 is a
     * documentation address and ::ffff:10.0.0.1 a private one. */
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (ip->family == AF_INET6 && memcmp(ip->bytes, mapped, sizeof mapped) == 0) {
        struct mc_ip v4 = {.family = AF_INET};
        memcpy(v4.bytes, ip->bytes + 12, 4);
        return mc_ip_special_purpose(&v4);
    }
    for (size_t i = 0; i < sizeof special_ranges / sizeof special_ranges[0]; i++) {
        const struct special_range *r = &special_ranges[i];
        if (r->family == ip->family && prefix_match(ip->bytes, r->prefix, r->bits))
            return r->what;
    }
    return NULL; /* global, or documentation (which serves examples and tests) */
}
