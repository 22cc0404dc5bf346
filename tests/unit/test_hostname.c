/* SPDX-License-Identifier: MIT */
/* Unit tests for hostname.c: HOST validation, IP text, reverse names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "mc_hostname.h"
#include "mc_ip.h"

static void expect_valid(const char *input, const char *ascii, const char *unicode)
{
    char *a = NULL, *u = NULL, *why = NULL;
    enum mc_status st = mc_hostname_validate(input, &a, &u, &why);
    if (st != MC_OK)
        fail_msg("%s rejected: %s", input, why);
    assert_string_equal(a, ascii);
    if (unicode)
        assert_string_equal(u, unicode);
    else
        assert_null(u);
    free(a);
    free(u);
}

static void expect_invalid(const char *input, const char *why_part)
{
    char *a = NULL, *u = NULL, *why = NULL;
    assert_int_equal(mc_hostname_validate(input, &a, &u, &why), MC_ERR_USAGE);
    assert_null(a);
    assert_null(u);
    assert_non_null(why);
    if (!strstr(why, why_part))
        fail_msg("for '%s' expected '%s' in '%s'", input, why_part, why);
    free(why);
}

static void valid_hosts_are_lowercased_without_trailing_dot(void **state)
{
    (void)state;
    expect_valid("mail.example.test", "mail.example.test", NULL);
    expect_valid("Mail.Example.TEST.", "mail.example.test", NULL);
    expect_valid("a-b.c1.test", "a-b.c1.test", NULL);
    expect_valid("123.example.test", "123.example.test", NULL);
    expect_valid("b\xc3\xbc"
                 "cher.test",
                 "xn--bcher-kva.test",
                 "b\xc3\xbc"
                 "cher.test");
}

static void invalid_hosts_name_the_problem(void **state)
{
    (void)state;
    char label64[80], long_name[300];
    memset(label64, 'a', 64);
    memcpy(label64 + 64, ".test", 6);
    size_t o = 0;
    while (o < 250) {
        memcpy(long_name + o, "abcdefghi.", 10);
        o += 10;
    }
    memcpy(long_name + o, "test", 5); /* 254 octets */
    expect_invalid("", "empty");
    expect_invalid(".", "empty");
    expect_invalid("foo..test", "empty label");
    expect_invalid("localhost", "two labels");
    expect_invalid("192.0.2.1", "IP address");
    expect_invalid("2001:db8::1", "IP address");
    expect_invalid("a.123", "all-numeric");
    expect_invalid("foo_bar.test", "underscore");
    expect_invalid("-foo.test", "hyphen");
    expect_invalid("foo-.test", "hyphen");
    expect_invalid("foo bar.test", "letters, digits");
    expect_invalid("foo\tbar.test", "control");
    expect_invalid(label64, "63");
    expect_invalid(long_name, "253");
    expect_invalid("\xff\xfe.test", "internationalized");
}

/* Sender domains (--from, DOMAIN): LDH as given, an IDN as its A-label. */
static void domains_to_ascii(void **state)
{
    (void)state;
    const char *why = NULL;
    char *s = mc_hostname_domain_ascii("Example.TEST.", &why);
    assert_string_equal(s, "Example.TEST."); /* case and dot: the callers' */
    assert_string_equal(mc_hostname_domain_canonical(s), "example.test");
    free(s);
    s = mc_hostname_domain_ascii("b\xc3\xbc"
                                 "cher.example.test",
                                 &why);
    assert_string_equal(s, "xn--bcher-kva.example.test");
    free(s);
    s = mc_hostname_domain_ascii("B\xc3\x9c"
                                 "CHER.example.test",
                                 &why); /* UTS #46 maps case */
    assert_string_equal(s, "xn--bcher-kva.example.test");
    free(s);
    assert_null(mc_hostname_domain_ascii("bad..example.test", &why));
    assert_string_equal(why, "the name has an empty label");
    assert_null(mc_hostname_domain_ascii("b\xff"
                                         "cher.test",
                                         &why)); /* not UTF-8 */
    assert_non_null(why);
    assert_null(mc_hostname_domain_ascii("b\xc3\xbc"
                                         "cher",
                                         &why)); /* one label */
    assert_non_null(strstr(why, "fully qualified"));
    assert_null(mc_hostname_domain_ascii("_dmarc.example.test", &why));
    assert_non_null(strstr(why, "underscore"));
}

static void ip_text_is_rfc5952_and_sorted(void **state)
{
    (void)state;
    struct mc_ip a, b;
    char buf[64];
    assert_true(mc_ip_parse("2001:DB8:0:0:0:0:0:25", &a));
    assert_string_equal(mc_ip_format(&a, buf, sizeof buf), "2001:db8::25");
    assert_true(mc_ip_parse("2001:db8:0:1:1:1:1:1", &a));
    assert_string_equal(mc_ip_format(&a, buf, sizeof buf), "2001:db8:0:1:1:1:1:1");
    assert_true(mc_ip_parse("192.0.2.25", &a));
    assert_true(mc_ip_parse("::1", &b));
    assert_true(mc_ip_compare(&a, &b) < 0);
    assert_false(mc_ip_parse("192.0.2", &a));
    assert_false(mc_ip_parse("192.0.2.256", &a));
    assert_false(mc_ip_parse("mail.test", &a));
}

/* mc_ip_format() writes its own text; glibc's inet_ntop() is the
 * reference, for every shape of zero runs: each of the 2^8 patterns of
 * zero and non-zero groups, with small and large group values, and every
 * IPv4-mapped and -compatible form, plus random addresses. */
static void ip_text_equals_inet_ntop(void **state)
{
    (void)state;
    static const unsigned values[] = {1, 0xa, 0xff, 0x100, 0xffff};
    char ours[64], theirs[64];
    struct mc_ip ip = {.family = AF_INET6};
    unsigned seed = 12345;
    for (unsigned round = 0; round < 4096 + 20000; round++) {
        for (int g = 0; g < 8; g++) {
            unsigned w;
            if (round < 4096)
                w = (round >> g & 1) ? values[(round >> 8) % 5] : 0;
            else {
                seed = seed * 1103515245u + 12345u;
                w = (seed >> 16) & ((seed >> 8 & 3) ? 0xffff : 0);
            }
            ip.bytes[2 * g] = (unsigned char)(w >> 8);
            ip.bytes[2 * g + 1] = (unsigned char)w;
        }
        if (round % 7 == 0) {
            /* the IPv4 forms: ::ffff:a.b.c.d, ::a.b.c.d, ::ffff:0:a.b.c.d */
            memset(ip.bytes, 0, 10);
            ip.bytes[10] = ip.bytes[11] = round % 3 ? 0xff : 0;
        }
        assert_non_null(inet_ntop(AF_INET6, ip.bytes, theirs, sizeof theirs));
        assert_string_equal(mc_ip_format(&ip, ours, sizeof ours), theirs);
    }
    struct mc_ip v4 = {.family = AF_INET};
    for (unsigned i = 0; i < 70000; i++) {
        unsigned x = i < 256 ? i * 0x01010101u : (seed = seed * 1103515245u + 12345u);
        memcpy(v4.bytes, &x, 4);
        assert_non_null(inet_ntop(AF_INET, v4.bytes, theirs, sizeof theirs));
        assert_string_equal(mc_ip_format(&v4, ours, sizeof ours), theirs);
    }
    /* a buffer too small gets the empty string, as inet_ntop()'s failure did */
    char small[8];
    assert_true(mc_ip_parse("2001:db8::25", &ip));
    assert_string_equal(mc_ip_format(&ip, small, sizeof small), "");
}

static void ip_text_case(void **state)
{
    (void)state;
    assert_true(mc_ip_text_upper("CAFE:BABE::1"));
    assert_true(mc_ip_text_upper("2001:DB8::192.0.2.1"));
    assert_false(mc_ip_text_upper("cafe:babe::1"));
    assert_false(mc_ip_text_upper("2001:DB8::cb01")); /* mixed: lower case */
    assert_false(mc_ip_text_upper("2001::1"));        /* no hex letter at all */
    assert_false(mc_ip_text_upper("192.0.2.1"));
}

static void reverse_names(void **state)
{
    (void)state;
    struct mc_ip ip;
    char buf[80];
    assert_true(mc_ip_parse("192.0.2.25", &ip));
    assert_string_equal(mc_ip_reverse_name(&ip, buf, sizeof buf), "25.2.0.192.in-addr.arpa");
    assert_true(mc_ip_parse("2001:db8::25", &ip));
    assert_string_equal(mc_ip_reverse_name(&ip, buf, sizeof buf),
                        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    /* An IPv4-mapped IPv6 address is an IPv6 address (mailcheck(1), VERDICTS). */
    assert_true(mc_ip_parse("::ffff:192.0.2.1", &ip));
    assert_int_equal(ip.family, AF_INET6);
    assert_string_equal(mc_ip_reverse_name(&ip, buf, sizeof buf),
                        "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
}

static const char *special(const char *text)
{
    struct mc_ip ip;
    assert_true(mc_ip_parse(text, &ip));
    return mc_ip_special_purpose(&ip);
}

/* RFC 6890 special-purpose ranges; documentation ranges are not flagged. */
static void special_purpose_addresses(void **state)
{
    (void)state;
    static const char *const flagged[] = {
        "0.0.0.0",
        "10.0.0.25",
        "10.255.255.255",
        "100.64.0.1",
        "100.127.255.255",
        "127.0.0.1",
        "169.254.1.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.255",
        "224.0.0.1",
        "239.1.2.3",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "64:ff9b:1::1",
        "100::1",
        "2001:2::1",
        "2001:10::1",
        "2001:20::1",
        "fc00::1",
        "fd00::25",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
    };
    for (size_t i = 0; i < sizeof flagged / sizeof flagged[0]; i++) {
        if (!special(flagged[i]))
            fail_msg("%s should be special-purpose", flagged[i]);
    }
    static const char *const global[] = {
        "192.0.2.25",       "198.51.100.1",
        "203.0.113.9",      "2001:db8::10",
        "::ffff:192.0.2.1", "8.8.8.8",
        "100.63.255.255",   "100.128.0.0",
        "172.15.255.255",   "172.32.0.0",
        "198.17.255.255",   "198.20.0.0",
        "223.255.255.255",  "64:ff9b::192.0.2.1",
        "2001:4860::8888",  "2002:c000:0201::1",
        "fbff::1",          "fe00::1",
        "3fff::1",
    };
    for (size_t i = 0; i < sizeof global / sizeof global[0]; i++) {
        const char *what = special(global[i]);
        if (what)
            fail_msg("%s should be global, is %s", global[i], what);
    }
    assert_string_equal(special("10.1.2.3"), "private, RFC 1918");
    assert_string_equal(special("fd12::1"), "unique local (ULA), RFC 4193");
}

static void ptr_names_that_are_host_names(void **state)
{
    (void)state;
    assert_true(mc_hostname_ptr_name_valid("mail.example.test"));
    assert_true(mc_hostname_ptr_name_valid("_spf-x.Example-1.test"));
    assert_false(mc_hostname_ptr_name_valid(""));
    assert_false(mc_hostname_ptr_name_valid("pipe|x.example.test"));
    assert_false(mc_hostname_ptr_name_valid("a\\032b.example.test"));
    assert_false(mc_hostname_ptr_name_valid("a/b.example.test"));
    assert_false(mc_hostname_ptr_name_valid("*.example.test"));
    /* The octet rule itself, which the transport applies to wire names. */
    for (int c = 0; c < 256; c++) {
        bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        assert_int_equal(mc_hostname_label_octet(c), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_hosts_are_lowercased_without_trailing_dot),
        cmocka_unit_test(invalid_hosts_name_the_problem),
        cmocka_unit_test(domains_to_ascii),
        cmocka_unit_test(ip_text_is_rfc5952_and_sorted),
        cmocka_unit_test(ip_text_equals_inet_ntop),
        cmocka_unit_test(ip_text_case),
        cmocka_unit_test(reverse_names),
        cmocka_unit_test(special_purpose_addresses),
        cmocka_unit_test(ptr_names_that_are_host_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
