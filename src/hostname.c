/* SPDX-License-Identifier: MIT */
/*
 * hostname.c - HOST validation (RFC 1123 §2.1, RFC 5321 §2.3.5), IDNA via
 * libidn2, and IP address text forms (RFC 5952) and reverse names
 * (RFC 1035 §3.5, RFC 3596 §2.5).  Knows no DNS transport.
 */
#include "mc_hostname.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_NAME 253
#define MAX_LABEL 63

bool mc_hostname_is_ldh(const char *name, const char **why)
{
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0) {
        *why = "the name is empty";
        return false;
    }
    if (len > MAX_NAME) {
        *why = "the name is longer than 253 octets";
        return false;
    }
    size_t labels = 0, start = 0;
    bool last_all_digits = false;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.')
            continue;
        size_t llen = i - start;
        if (llen == 0) {
            *why = "the name has an empty label";
            return false;
        }
        if (llen > MAX_LABEL) {
            *why = "a label is longer than 63 octets";
            return false;
        }
        if (name[start] == '-' || name[i - 1] == '-') {
            *why = "a label starts or ends with a hyphen";
            return false;
        }
        last_all_digits = true;
        for (size_t j = start; j < i; j++) {
            unsigned char c = (unsigned char)name[j];
            if (!mc_ascii_isalnum(c) && c != '-') {
                *why = c == '_' ? "a label contains an underscore, which host names may not"
                                : "a label contains a character other than letters, digits "
                                  "and hyphens";
                return false;
            }
            if (!mc_ascii_isdigit(c))
                last_all_digits = false;
        }
        labels++;
        start = i + 1;
    }
    if (labels < 2) {
        *why = "the name is not fully qualified (it needs at least two labels)";
        return false;
    }
    if (last_all_digits) {
        *why = "the last label is all-numeric (an IP address is not a host name)";
        return false;
    }
    return true;
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

enum mc_status mc_hostname_validate(const char *input, char **ascii, char **unicode, char **why)
{
    const char *problem = NULL;
    char *name = NULL;
    *ascii = NULL;
    *unicode = NULL;
    struct mc_ip ip;
    if (mc_ip_parse(input, &ip)) {
        *why = mc_xstrdup("HOST is an IP address; give the server's host name (its EHLO name)");
        return MC_ERR_USAGE;
    }
    if (has_control(input)) {
        *why = mc_xstrdup("HOST contains control characters");
        return MC_ERR_USAGE;
    }
    if (!is_ascii(input)) {
        char *alabel = NULL;
        int rc = idn2_to_ascii_8z(input, &alabel, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            *why =
                mc_xasprintf("HOST is not a valid internationalized name: %s", idn2_strerror(rc));
            return MC_ERR_USAGE;
        }
        name = mc_xstrdup(alabel);
        idn2_free(alabel);
        *unicode = mc_xstrdup(input);
    } else {
        name = mc_xstrdup(input);
    }
    if (!mc_hostname_is_ldh(name, &problem)) {
        *why = mc_xasprintf("HOST is not a valid host name: %s", problem);
        free(name);
        free(*unicode);
        *unicode = NULL;
        return MC_ERR_USAGE;
    }
    size_t n = strlen(name);
    if (name[n - 1] == '.')
        name[n - 1] = '\0';
    *ascii = mc_ascii_lower(name);
    if (*unicode) {
        size_t u = strlen(*unicode);
        if (u > 0 && (*unicode)[u - 1] == '.')
            (*unicode)[u - 1] = '\0';
    }
    return MC_OK;
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

char *mc_ip_format(const struct mc_ip *ip, char *buf, size_t size)
{
    /* glibc's inet_ntop follows RFC 5952: lowercase, longest zero run
     * compressed, no single-group "::". */
    if (!inet_ntop(ip->family, ip->bytes, buf, (socklen_t)size))
        buf[0] = '\0';
    return buf;
}

int mc_ip_compare(const struct mc_ip *a, const struct mc_ip *b)
{
    if (a->family != b->family)
        return a->family == AF_INET ? -1 : 1;
    return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

char *mc_ip_reverse_name(const struct mc_ip *ip, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    if (ip->family == AF_INET) {
        snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa", ip->bytes[3], ip->bytes[2], ip->bytes[1],
                 ip->bytes[0]);
        return buf;
    }
    char tmp[80];
    size_t o = 0;
    for (int i = 15; i >= 0; i--) {
        tmp[o++] = hex[ip->bytes[i] & 0xf];
        tmp[o++] = '.';
        tmp[o++] = hex[ip->bytes[i] >> 4];
        tmp[o++] = '.';
    }
    memcpy(tmp + o, "ip6.arpa", sizeof "ip6.arpa");
    snprintf(buf, size, "%s", tmp);
    return buf;
}

bool mc_hostname_ptr_name_valid(const char *name)
{
    /* Presentation form as the parser writes it: any octet outside these
     * is escaped with a backslash, so one test covers them all. */
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!mc_ascii_isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return false;
    return true;
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
