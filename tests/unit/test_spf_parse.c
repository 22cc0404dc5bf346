/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for spf_parse.c: record selection (RFC 7208 §4.5), the example
 * records of the RFC, every term's syntax (§4.6.1, §5, §6, §12) and the
 * errors that make a record a permerror, each naming its term.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "mc_arena.h"
#include "mc_dns.h"
#include "mc_spf.h"

static int setup(void **state)
{
    *state = mc_arena_new();
    return 0;
}

static int teardown(void **state)
{
    mc_arena_free(*state);
    return 0;
}

static const struct mc_spf_record *parse_ok(struct mc_arena *arena, const char *text)
{
    struct mc_spf_record *rec = mc_arena_alloc(arena, sizeof *rec);
    if (!mc_spf_parse(rec, arena, text, strlen(text)))
        fail_msg("\"%s\" rejected: %s", text, rec->why);
    return rec;
}

/* Expects TEXT[0..LEN) to be rejected, naming BAD_TERM (NULL: none) and a
 * why that contains WHY_PART. */
static void expect_error_len(struct mc_arena *arena, const char *text, size_t len,
                             const char *bad_term, const char *why_part)
{
    struct mc_spf_record rec;

    if (mc_spf_parse(&rec, arena, text, len))
        fail_msg("\"%s\" accepted", text);
    assert_null(rec.terms);
    assert_int_equal(rec.nterms, 0);
    assert_null(rec.redirect);
    assert_null(rec.exp);
    assert_non_null(rec.why);
    if (!strstr(rec.why, why_part))
        fail_msg("\"%s\": why \"%s\" lacks \"%s\"", text, rec.why, why_part);
    if (!bad_term) {
        assert_null(rec.bad_term);
    } else {
        if (!rec.bad_term || strcmp(rec.bad_term, bad_term) != 0)
            fail_msg("\"%s\": bad term \"%s\", want \"%s\"", text,
                     rec.bad_term ? rec.bad_term : "(null)", bad_term);
        /* The why names the term. */
        assert_non_null(strstr(rec.why, bad_term));
    }
}

static void expect_error(struct mc_arena *arena, const char *text, const char *bad_term,
                         const char *why_part)
{
    expect_error_len(arena, text, strlen(text), bad_term, why_part);
}

static void version_section(void **state)
{
    (void)state;
    assert_true(mc_spf_is_record("v=spf1", 6));
    assert_true(mc_spf_is_record("v=spf1 -all", 11));
    assert_true(mc_spf_is_record("V=SpF1 ~all", 11)); /* case-insensitive */
    assert_true(mc_spf_is_record("v=spf1 ", 7));
    assert_false(mc_spf_is_record("v=spf10", 7)); /* §4.5's own example */
    assert_false(mc_spf_is_record("v=spf1a -all", 12));
    assert_false(mc_spf_is_record("v=spf1\t-all", 11)); /* SP only */
    assert_false(mc_spf_is_record(" v=spf1 -all", 12));
    assert_false(mc_spf_is_record("v=spf", 5));
    assert_false(mc_spf_is_record("", 0));
    assert_false(mc_spf_is_record("spf2.0/pra -all", 15));
    assert_false(mc_spf_is_record("v=spfl am not an SPF record", 27));
    assert_false(mc_spf_is_record("v=sp\0"
                                  "1 -all",
                                  11));
}

static struct mc_dns_record txt(const char *text)
{
    struct mc_dns_record r = {.type = MC_DNS_T_TXT, .text = (char *)(uintptr_t)text};
    r.text_len = strlen(text);
    return r;
}

static void record_selection(void **state)
{
    size_t index = 99;
    (void)state;

    /* None: no TXT, only other TXT, "v=spf10" (§4.5). */
    assert_int_equal(mc_spf_select(&index, NULL, 0), MC_SPF_SELECT_NONE);
    struct mc_dns_record others[] = {txt("google-site-verification=abc"), txt("v=spf10"),
                                     txt("\x96")};
    assert_int_equal(mc_spf_select(&index, others, 3), MC_SPF_SELECT_NONE);
    assert_int_equal(index, 99);

    /* One among others (test suite nospace2: "v=spf10" and "v=spf1 mx"). */
    struct mc_dns_record one[] = {txt("v=spf10"), txt("v=spf1 mx"), txt("other")};
    assert_int_equal(mc_spf_select(&index, one, 3), MC_SPF_SELECT_ONE);
    assert_int_equal(index, 1);

    /* A record of another type is not a TXT record, whatever it holds. */
    struct mc_dns_record typed[] = {txt("v=spf1 -all"), txt("v=spf1 +all")};
    typed[1].type = 99; /* the obsolete SPF RR type is ignored (§3.1) */
    assert_int_equal(mc_spf_select(&index, typed, 2), MC_SPF_SELECT_ONE);
    assert_int_equal(index, 0);

    /* Several, even identical or differing in case only: permerror. */
    struct mc_dns_record two[] = {txt("other"), txt("v=spf1 -all"), txt("V=sPf1 +all")};
    assert_int_equal(mc_spf_select(&index, two, 3), MC_SPF_SELECT_SEVERAL);
    assert_int_equal(index, 1);
    struct mc_dns_record same[] = {txt("v=spf1 -all"), txt("v=spf1 -all")};
    assert_int_equal(mc_spf_select(&index, same, 2), MC_SPF_SELECT_SEVERAL);

    /* An SPF record with a syntax error still counts as an SPF record. */
    struct mc_dns_record broken[] = {txt("v=spf1 foo"), txt("v=spf1 -all")};
    assert_int_equal(mc_spf_select(&index, broken, 2), MC_SPF_SELECT_SEVERAL);
}

/* Every example record of RFC 7208 Appendix A and of the text around it. */
static void rfc7208_example_records(void **state)
{
    static const char *const records[] = {
        /* §3, §3.5, §4.7, §5.1, §5.2, §5.7, §6.1, §6.2, §10.1.1, §10.1.2 */
        "v=spf1 +mx a:colo.example.com/28 -all",
        "v=spf1 a:A.EXAMPLE.COM -all",
        "v=spf1 +mx -all",
        "v=spf1 +mx redirect=_spf.example.com",
        "v=spf1 a mx -all",
        "v=spf1 include:example.com include:example.org -all",
        "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
        "v=spf1 redirect=_spf.example.com",
        "v=spf1 mx:example.com -all",
        "v=spf1 mx -all exp=explain._spf.%{d}",
        "v=spf1 ip4:192.0.2.1 ip4:192.0.2.129 -all",
        "v=spf1 a:authorized-spf.example.com -all",
        "v=spf1 ip4:192.0.2.0/24 mx -all",
        "v=spf1 -all",
        /* Appendix A.1 to A.4 */
        "v=spf1 +all",
        "v=spf1 a -all",
        "v=spf1 a:example.org -all",
        "v=spf1 mx -all",
        "v=spf1 mx:example.org -all",
        "v=spf1 mx mx:example.org -all",
        "v=spf1 mx/30 mx:example.org/30 -all",
        "v=spf1 ptr -all",
        "v=spf1 ip4:192.0.2.128/28 -all",
        "v=spf1 include:example.com include:example.net -all",
        "v=spf1 redirect=example.org",
        "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all",
        "v=spf1 exists:%{l1r+}.%{d}",
        "v=spf1 exists:%{ir}.%{l1r+}.%{d}",
        "v=spf1 -ip4:192.0.2.0/24 +all",
        "v=spf1 -ptr +all",
        /* The appendices' examples of policies built on exists and redirect */
        "v=spf1 exists:_h.%{h}._l.%{l}._o.%{o}._i.%{i}._spf.%{d} ?all",
        "v=spf1 mx ?exists:%{ir}.whitelist.example.org -all",
        "v=spf1 mx exists:%{l}._spf_verify.%{d} -all",
        "v=spf1 mx exists:%{ir}._spf_rate.%{d} -all",
        "v=spf1 mx redirect=%{l1r+}._at_.%{o}._spf.%{d}",
    };
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const struct mc_spf_record *rec = parse_ok(*state, records[i]);
        /* Every term kept as written, in order. */
        const char *p = records[i] + 6;
        for (size_t t = 0; t < rec->nterms; t++) {
            while (*p == ' ')
                p++;
            size_t n = strlen(rec->terms[t].text);
            assert_memory_equal(p, rec->terms[t].text, n);
            p += n;
        }
        assert_string_equal(p, "");
    }
}

static void appendix_a1_terms(void **state)
{
    const struct mc_spf_record *rec = parse_ok(*state, "v=spf1 mx/30 mx:example.org/30 -all");
    assert_int_equal(rec->nterms, 3);
    const struct mc_spf_term *t = rec->terms;
    assert_int_equal(t[0].kind, MC_SPF_TERM_MX);
    assert_int_equal(t[0].qualifier, MC_SPF_PASS);
    assert_null(t[0].domain_spec);
    assert_int_equal(t[0].cidr4, 30);
    assert_int_equal(t[0].cidr6, 128);
    assert_string_equal(t[0].text, "mx/30");
    assert_int_equal(t[1].kind, MC_SPF_TERM_MX);
    assert_string_equal(t[1].domain_spec, "example.org");
    assert_int_equal(t[1].cidr4, 30);
    assert_int_equal(t[2].kind, MC_SPF_TERM_ALL);
    assert_int_equal(t[2].qualifier, MC_SPF_FAIL);
    assert_string_equal(t[2].text, "-all");
    assert_null(rec->redirect);
    assert_null(rec->exp);

    rec = parse_ok(*state, "v=spf1 ip4:192.0.2.128/28 -all");
    static const unsigned char net[4] = {192, 0, 2, 128};
    assert_int_equal(rec->terms[0].kind, MC_SPF_TERM_IP4);
    assert_memory_equal(rec->terms[0].addr, net, 4);
    assert_int_equal(rec->terms[0].cidr4, 28);
}

static void qualifiers_and_text_as_written(void **state)
{
    const struct mc_spf_record *rec =
        parse_ok(*state, "v=spf1 +a -mx ~ptr ?include:_spf.example.test exists:%{i}.x.test all");
    static const enum mc_spf_result want[] = {MC_SPF_PASS,    MC_SPF_FAIL, MC_SPF_SOFTFAIL,
                                              MC_SPF_NEUTRAL, MC_SPF_PASS, MC_SPF_PASS};
    static const char *const text[] = {
        "+a", "-mx", "~ptr", "?include:_spf.example.test", "exists:%{i}.x.test", "all"};
    assert_int_equal(rec->nterms, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(rec->terms[i].qualifier, want[i]);
        assert_string_equal(rec->terms[i].text, text[i]);
        assert_true(mc_spf_term_is_mechanism(rec->terms[i].kind));
        assert_null(rec->terms[i].name);
    }
    assert_string_equal(rec->terms[3].domain_spec, "_spf.example.test");
    assert_int_equal(rec->terms[4].macros, MC_SPF_MACRO_BIT('i'));
    assert_string_equal(mc_spf_result_str(rec->terms[2].qualifier), "softfail");
    assert_string_equal(mc_spf_term_kind_str(rec->terms[3].kind), "include");
}

static void spaces_and_case(void **state)
{
    const struct mc_spf_record *rec = parse_ok(*state, "v=spf1");
    assert_int_equal(rec->nterms, 0); /* test suite "empty": neutral */
    rec = parse_ok(*state, "v=spf1   ");
    assert_int_equal(rec->nterms, 0);
    rec = parse_ok(*state, "v=spf1  a   -all  ");
    assert_int_equal(rec->nterms, 2);
    assert_string_equal(rec->terms[1].text, "-all");

    /* §4.6.1: mechanism and modifier names are case-insensitive. */
    rec = parse_ok(*state, "V=SPF1 A:Example.TEST/24 MX IP4:192.0.2.1 Ip6:2001:DB8::1 "
                           "PTR Include:x.test EXISTS:%{D}.test REDIRECT=r.test Exp=e.test");
    static const enum mc_spf_term_kind kinds[] = {
        MC_SPF_TERM_A,      MC_SPF_TERM_MX,       MC_SPF_TERM_IP4,
        MC_SPF_TERM_IP6,    MC_SPF_TERM_PTR,      MC_SPF_TERM_INCLUDE,
        MC_SPF_TERM_EXISTS, MC_SPF_TERM_REDIRECT, MC_SPF_TERM_EXP};
    assert_int_equal(rec->nterms, 9);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(rec->terms[i].kind, kinds[i]);
    assert_string_equal(rec->terms[0].domain_spec, "Example.TEST");
    assert_int_equal(rec->terms[0].cidr4, 24);
    assert_ptr_equal(rec->redirect, &rec->terms[7]);
    assert_ptr_equal(rec->exp, &rec->terms[8]);
    assert_string_equal(rec->redirect->name, "REDIRECT");
    assert_string_equal(rec->redirect->domain_spec, "r.test");
    assert_int_equal(rec->redirect->qualifier, MC_SPF_NONE);
}

static void dual_cidr_lengths(void **state)
{
    static const struct {
        const char *record, *domain;
        unsigned cidr4, cidr6;
    } cases[] = {
        {"v=spf1 a", NULL, 32, 128},
        {"v=spf1 a:example.test/24//64", "example.test", 24, 64},
        {"v=spf1 a/24", NULL, 24, 128},
        {"v=spf1 a//64", NULL, 32, 64},
        {"v=spf1 a/24//64", NULL, 24, 64},
        {"v=spf1 a/0", NULL, 0, 128},
        {"v=spf1 a//0", NULL, 32, 0},
        {"v=spf1 mx/32//128", NULL, 32, 128},
        {"v=spf1 mx:example.test//48", "example.test", 32, 48},
        {"v=spf1 a:foo.example.com/24", "foo.example.com", 24, 128},
        {"v=spf1 a:%{d}/24", "%{d}", 24, 128},
        {"v=spf1 a:%{d}//0", "%{d}", 32, 0},
        /* '/' and ':' may be part of a domain-spec (test suite a-colon-domain). */
        {"v=spf1 a:foo:bar/baz.example.com", "foo:bar/baz.example.com", 32, 128},
        {"v=spf1 a:foo:bar/baz.example.com/8", "foo:bar/baz.example.com", 8, 128},
        {"v=spf1 a:%{l/}.example.com//100", "%{l/}.example.com", 32, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct mc_spf_record *rec = parse_ok(*state, cases[i].record);
        const struct mc_spf_term *t = &rec->terms[0];
        if (cases[i].domain)
            assert_string_equal(t->domain_spec, cases[i].domain);
        else
            assert_null(t->domain_spec);
        assert_int_equal(t->cidr4, cases[i].cidr4);
        assert_int_equal(t->cidr6, cases[i].cidr6);
    }
}

static void address_literals(void **state)
{
    const struct mc_spf_record *rec =
        parse_ok(*state, "v=spf1 ip4:1.1.1.1/0 ip4:255.255.255.255 ip4:0.0.0.0/32 "
                         "ip6:::FFFF:1.2.3.4 ip6:CAFE:BABE:8000::/33 ip6:::1.1.1.1/0 "
                         "ip6:2001:db8::/32 ip6::: -all");
    assert_int_equal(rec->nterms, 9);
    assert_int_equal(rec->terms[0].cidr4, 0);
    assert_int_equal(rec->terms[1].addr[3], 255);
    assert_int_equal(rec->terms[2].cidr4, 32);
    unsigned char want[16];
    assert_int_equal(inet_pton(AF_INET6, "cafe:babe:8000::", want), 1);
    assert_memory_equal(rec->terms[4].addr, want, 16);
    assert_int_equal(rec->terms[4].cidr6, 33);
    assert_int_equal(rec->terms[5].cidr6, 0);
    assert_int_equal(rec->terms[6].cidr6, 32);
    assert_int_equal(rec->terms[7].cidr6, 128);
}

static void modifiers(void **state)
{
    /* Unknown modifiers are kept, to be ignored (§6, test suite
     * modifier-charset-good, default-modifier-obsolete). */
    const struct mc_spf_record *rec =
        parse_ok(*state, "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 default=+ foo= x=%{c} "
                         "redirect=%{d}.d.spf.example.com. exp=msg8.%{D2} -all");
    assert_int_equal(rec->nterms, 8);
    assert_int_equal(rec->terms[0].kind, MC_SPF_TERM_UNKNOWN);
    assert_string_equal(rec->terms[0].name, "moo.cow-far_out");
    assert_string_equal(rec->terms[0].domain_spec, "man:dog/cat");
    assert_false(mc_spf_term_is_mechanism(rec->terms[0].kind));
    assert_string_equal(rec->terms[2].name, "default");
    assert_string_equal(rec->terms[2].domain_spec, "+");
    assert_string_equal(rec->terms[3].domain_spec, "");
    assert_int_equal(rec->terms[4].macros, MC_SPF_MACRO_BIT('c'));
    assert_ptr_equal(rec->redirect, &rec->terms[5]);
    assert_string_equal(rec->redirect->domain_spec, "%{d}.d.spf.example.com.");
    assert_ptr_equal(rec->exp, &rec->terms[6]);
    assert_int_equal(rec->exp->macros, MC_SPF_MACRO_BIT('d'));
    assert_string_equal(mc_spf_term_kind_str(rec->terms[0].kind), "unknown-modifier");

    /* §4.6.1: '=' before any ':' or '/' makes a modifier; after, it is
     * part of a mechanism's argument. */
    rec = parse_ok(*state, "v=spf1 a:foo=bar.example.test all=x");
    assert_int_equal(rec->terms[0].kind, MC_SPF_TERM_A);
    assert_string_equal(rec->terms[0].domain_spec, "foo=bar.example.test");
    assert_int_equal(rec->terms[1].kind, MC_SPF_TERM_UNKNOWN);
    assert_string_equal(rec->terms[1].name, "all");
}

static void valid_domain_specs(void **state)
{
    static const char *const records[] = {
        "v=spf1 a:foo.example.xn--zckzah -all",
        "v=spf1 a:mail.example...com -all", /* undefined, not a syntax error */
        /* One literal (a 64-octet label), parenthesized for clang's
         * -Wstring-concatenation. */
        ("v=spf1 a:a123456789012345678901234567890123456789012345678901234567890123"
         ".example.com -all"),
        "v=spf1 a:%{H}.bar -all",
        "v=spf1 a:%{h} -all",
        "v=spf1 include:o.spf.example.com. ~all",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
        "v=spf1 exists:%{i}.%{l2r-}.user.%{d2}",
        "v=spf1 exists:%{l2r+-}.user.%{d2}",
        "v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all",
        "v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com",
        "v=spf1 -a:%{h} +all",
        "v=spf1 ptr:example.com -all",
    };
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
        parse_ok(*state, records[i]);
}

static void cidr_errors(void **state)
{
    static const char *const cases[][3] = {
        {"v=spf1 a/33 -all", "a/33", "over 32"},
        {"v=spf1 a//129 -all", "a//129", "over 128"},
        {"v=spf1 mx/33 -all", "mx/33", "over 32"},
        {"v=spf1 mx//129 -all", "mx//129", "over 128"},
        {"v=spf1 a/024", "a/024", "leading zero"},
        {"v=spf1 a//064", "a//064", "leading zero"},
        {"v=spf1 a/00", "a/00", "leading zero"},
        {"v=spf1 a/", "a/", "without digits"},
        {"v=spf1 a//", "a//", "without digits"},
        {"v=spf1 a:example.test/", "a:example.test/", "without digits"},
        {"v=spf1 a:example.test//", "a:example.test//", "without digits"},
        {"v=spf1 a///64", "a///64", "without digits"},
        {"v=spf1 a/24/64 -all", "a/24/64", "over 32"},
        {"v=spf1 a/24/30 -all", "a/24/30", "unexpected \"/24\""},
        {"v=spf1 a/24x", "a/24x", "unexpected"},
        {"v=spf1 a/99999999999999999999", "a/99999999999999999999", "over 32"},
        {"v=spf1 ip4:1.2.3.4/33 -all", "ip4:1.2.3.4/33", "over 32"},
        {"v=spf1 ip4:1.2.3.4/032 -all", "ip4:1.2.3.4/032", "leading zero"},
        {"v=spf1 ip4:1.2.3.4/ -all", "ip4:1.2.3.4/", "without digits"},
        {"v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32", "single prefix length"},
        {"v=spf1 ip4:1.2.3.4/24//64", "ip4:1.2.3.4/24//64", "not a number"},
        {"v=spf1 ip4:1.2.3.4/2a", "ip4:1.2.3.4/2a", "not a number"},
        {"v=spf1 ip6:::1.1.1.1/129", "ip6:::1.1.1.1/129", "over 128"},
        {"v=spf1 ip6:::1.1.1.1//33", "ip6:::1.1.1.1//33", "single prefix length"},
        {"v=spf1 ip6:2001:db8::/064", "ip6:2001:db8::/064", "leading zero"},
        {"v=spf1 -all/8", "-all/8", "all takes no prefix length"},
        {"v=spf1 ptr/0 -all", "ptr/0", "ptr takes no prefix length"},
        {"v=spf1 ptr:example.com/24", "ptr:example.com/24", "ptr takes no prefix length"},
        {"v=spf1 include:ip5.example.com/24 -all", "include:ip5.example.com/24",
         "include takes no prefix length"},
        {"v=spf1 exists:mail.example.com/24", "exists:mail.example.com/24",
         "exists takes no prefix length"},
        {"v=spf1 redirect=example.com/24", "redirect=example.com/24",
         "redirect takes no prefix length"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(*state, cases[i][0], cases[i][1], cases[i][2]);
}

static void address_errors(void **state)
{
    static const char *const cases[][3] = {
        {"v=spf1 ip4:1.2.3", "ip4:1.2.3", "dotted-quad"},
        {"v=spf1 ip4:1.2.3.4.5", "ip4:1.2.3.4.5", "dotted-quad"},
        {"v=spf1 ip4:01.2.3.4", "ip4:01.2.3.4", "dotted-quad"},
        {"v=spf1 ip4:1.2.3.04", "ip4:1.2.3.04", "dotted-quad"},
        {"v=spf1 ip4:256.1.1.1", "ip4:256.1.1.1", "dotted-quad"},
        {"v=spf1 ip4:1.2.3.4444", "ip4:1.2.3.4444", "dotted-quad"},
        {"v=spf1 ip4:1.2..4", "ip4:1.2..4", "dotted-quad"},
        {"v=spf1 ip4:0x7f.0.0.1", "ip4:0x7f.0.0.1", "dotted-quad"},
        {"v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080", "dotted-quad"},
        {"v=spf1 ip4:", "ip4:", "dotted-quad"},
        {"v=spf1 ip4:/24", "ip4:/24", "dotted-quad"},
        {"v=spf1 ip4:::1", "ip4:::1", "dotted-quad"},
        {"v=spf1 ip4", "ip4", "requires \":\""},
        {"v=spf1 ip4/24", "ip4/24", "requires \":\""},
        {"v=spf1 -all ip6", "ip6", "requires \":\""},
        {"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", "not an IPv6 address"},
        {"v=spf1 ip6:1.2.3.4", "ip6:1.2.3.4", "not an IPv6 address"},
        {"v=spf1 ip6:2001:db8::1%eth0", "ip6:2001:db8::1%eth0", "not an IPv6 address"},
        {"v=spf1 ip6:2001:db8:::1", "ip6:2001:db8:::1", "not an IPv6 address"},
        {"v=spf1 ip6:12345::1", "ip6:12345::1", "not an IPv6 address"},
        {"v=spf1 ip6:", "ip6:", "not an IPv6 address"},
        {"v=spf1 ip6:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1",
         "ip6:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1", "not an IPv6 address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(*state, cases[i][0], cases[i][1], cases[i][2]);
}

static void domain_spec_errors(void **state)
{
    static const char *const cases[][3] = {
        {"v=spf1 include", "include", "requires \":\" and a domain-spec"},
        {"v=spf1 include +all", "include", "requires \":\" and a domain-spec"},
        {"v=spf1 include: -all", "include:", "empty domain-spec"},
        {"v=spf1 exists", "exists", "requires \":\" and a domain-spec"},
        {"v=spf1 exists:", "exists:", "empty domain-spec"},
        {"v=spf1 a:", "a:", "empty domain-spec"},
        {"v=spf1 a:/24", "a:/24", "empty domain-spec"},
        {"v=spf1 mx: -all", "mx:", "empty domain-spec"},
        {"v=spf1 ptr:", "ptr:", "empty domain-spec"},
        {"v=spf1 a:museum", "a:museum", "must end in"},
        {"v=spf1 a:museum.", "a:museum.", "must end in"},
        {"v=spf1 a:foo-bar -all", "a:foo-bar", "must end in"},
        {"v=spf1 a:abc.123", "a:abc.123", "all digits"},
        {"v=spf1 mx:abc.123", "mx:abc.123", "all digits"},
        {"v=spf1 a:111.222.33.44", "a:111.222.33.44", "ip4 and ip6 take addresses"},
        {"v=spf1 a:example.-com", "a:example.-com", "top label"},
        {"v=spf1 mx:example.-com", "mx:example.-com", "top label"},
        {"v=spf1 a:example.com:8080", "a:example.com:8080", "top label"},
        {"v=spf1 mx:example.com:8080", "mx:example.com:8080", "top label"},
        {"v=spf1 exists:%{d}com", "exists:%{d}com", "must end in"},
        {"v=spf1 all:foobar", "all:foobar", "all takes no argument"},
        {"v=spf1 -all:foobar", "-all:foobar", "all takes no argument"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(*state, cases[i][0], cases[i][1], cases[i][2]);
}

static void macro_errors(void **state)
{
    static const char *const cases[][3] = {
        {"v=spf1 exists:%{z}.example.test", "exists:%{z}.example.test", "macro letter"},
        {"v=spf1 a:%{a}.example.com -all", "a:%{a}.example.com", "macro letter"},
        {"v=spf1 -exists:%(ir).sbl.example.com ?all", "-exists:%(ir).sbl.example.com",
         "not followed by"},
        {"v=spf1 exists:foo%(ir).sbl.example.com ?all", "exists:foo%(ir).sbl.example.com",
         "not followed by"},
        {"v=spf1 exists:foo%.sbl.example.com ?all", "exists:foo%.sbl.example.com",
         "not followed by"},
        {"v=spf1 exists:x.test%", "exists:x.test%", "at the end"},
        {"v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", "exp text"},
        {"v=spf1 exists:%{t}.%{d}", "exists:%{t}.%{d}", "exp text"},
        {"v=spf1 a:%{c}.example.com", "a:%{c}.example.com", "exp text"},
        {"v=spf1 a:%{d0}.example.test", "a:%{d0}.example.test", "nonzero"},
        {"v=spf1 -include:foo.%{l}.%{j}.bar.com", "-include:foo.%{l}.%{j}.bar.com", "macro letter"},
        {"v=spf1 -all foo=%abc", "foo=%abc", "not followed by"},
        {"v=spf1 -all foo=%{z}", "foo=%{z}", "macro letter"},
        {"v=spf1 a:%{d", "a:%{d", "closing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(*state, cases[i][0], cases[i][1], cases[i][2]);
}

static void modifier_errors(void **state)
{
    static const char *const cases[][3] = {
        {"v=spf1 -redirect=x.test", "-redirect=x.test", "no qualifier"},
        {"v=spf1 +exp=x.test", "+exp=x.test", "no qualifier"},
        {"v=spf1 ~foo=bar", "~foo=bar", "no qualifier"},
        {"v=spf1 redirect=a.test redirect=b.test", "redirect=b.test", "more than once"},
        {"v=spf1 redirect=e12.example.com -all redirect=e12.example.com",
         "redirect=e12.example.com", "more than once"},
        {"v=spf1 exp=a.test -all exp=b.test", "exp=b.test", "more than once"},
        {"v=spf1 REDIRECT=a.test Redirect=b.test", "Redirect=b.test", "more than once"},
        {"v=spf1 ?all redirect=", "redirect=", "empty domain-spec"},
        {"v=spf1 exp= -all", "exp=", "empty domain-spec"},
        {"v=spf1 redirect=-all ?all", "redirect=-all", "must end in"},
        {"v=spf1 exp=-all", "exp=-all", "must end in"},
        {"v=spf1 =all", "=all", "without a name"},
        {"v=spf1 1up=foo", "1up=foo", "bad modifier name"},
        {"v=spf1 -all -3foo=bar", "-3foo=bar", "no qualifier"},
        {"v=spf1 _x=y", "_x=y", "bad modifier name"},
        {"v=spf1 a!b=c", "a!b=c", "bad modifier name"},
        /* '/' or ':' before the '=': a mechanism, and an unknown one. */
        {"v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all", "moo.cow/far_out=man:dog/cat",
         "unknown mechanism \"moo.cow\""},
        {"v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all", "moo.cow:far_out=man:dog/cat",
         "unknown mechanism \"moo.cow\""},
        {"v=spf1 ip4:1.2.3.4 redirect:t2.example.com", "redirect:t2.example.com",
         "unknown mechanism \"redirect\""},
        {"v=spf1 exp", "exp", "unknown mechanism \"exp\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(*state, cases[i][0], cases[i][1], cases[i][2]);
}

/* Names match whole, never by prefix (RFC 7208 section 4.6.1). */
static void never_match_by_prefix(void **state)
{
    static const char *const cases[][2] = {
        {"v=spf1 allx", "allx"},
        {"v=spf1 -alls", "alls"},
        {"v=spf1 all.", "all."},
        {"v=spf1 al", "al"},
        {"v=spf1 ipv4:192.0.2.1", "ipv4"},
        {"v=spf1 ip:192.0.2.1", "ip"},
        {"v=spf1 ip46:::1", "ip46"},
        {"v=spf1 a6:example.test", "a6"},
        {"v=spf1 aa", "aa"},
        {"v=spf1 mxx", "mxx"},
        {"v=spf1 mx-:example.test", "mx-"},
        {"v=spf1 includes:example.test", "includes"},
        {"v=spf1 inc:example.test", "inc"},
        {"v=spf1 includ:example.test", "includ"},
        {"v=spf1 existsx:example.test", "existsx"},
        {"v=spf1 ptrs", "ptrs"},
        {"v=spf1 foo", "foo"},
        {"v=spf1 ip4:1.2.3.4 -all moo", "moo"}, /* errors anywhere (§4.6) */
        {"v=spf1 --all", "-all"},
        {"v=spf1 +", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "unknown mechanism \"%s\"", cases[i][1]);
        const char *term = strrchr(cases[i][0], ' ') + 1;
        expect_error(*state, cases[i][0], term, want);
    }
    /* ... while the exact names, in any case, are mechanisms. */
    parse_ok(*state, "v=spf1 ALL");
    parse_ok(*state, "v=spf1 include:example.test");
    parse_ok(*state, "v=spf1 IP4:192.0.2.1");
    /* A second "v=spf1" is, by the ABNF, an unknown modifier named "v". */
    const struct mc_spf_record *rec = parse_ok(*state, "v=spf1 v=spf1");
    assert_int_equal(rec->terms[0].kind, MC_SPF_TERM_UNKNOWN);
    assert_string_equal(rec->terms[0].name, "v");
}

static void bytes_outside_visible_ascii(void **state)
{
    /* Test suite non-ascii-policy, non-ascii-mech, non-ascii-result (§3.1). */
    expect_error(*state, "v=spf1 a:\xef\xbb\xbfgarbage.example.net -all",
                 "a:\\xef\\xbb\\xbfgarbage.example.net", "0xef");
    expect_error(*state,
                 "v=spf1 \x80"
                 "a:example.net -all",
                 "\\x80a:example.net", "0x80");
    expect_error(*state,
                 "v=spf1 a:example.net \x96"
                 "all",
                 "\\x96all", "0x96");
    /* Only SP separates terms: a tab or CR is inside a term. */
    expect_error(*state, "v=spf1 a\t-all", "a\\x09-all", "0x09");
    expect_error(*state, "v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\\x0dptr",
                 "0x0d");
    /* A NUL (test suite a-null), which a C-string reader would never see. */
    static const char nul[] = "v=spf1 a:foo.example.com\0 -all";
    expect_error_len(*state, nul, sizeof nul - 1, "a:foo.example.com\\x00", "0x00");
    /* A record that is not SPF at all. */
    expect_error(*state, "v=spf10 -all", NULL, "v=spf1");
    expect_error(*state, "", NULL, "v=spf1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(version_section, setup, teardown),
        cmocka_unit_test_setup_teardown(record_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(rfc7208_example_records, setup, teardown),
        cmocka_unit_test_setup_teardown(appendix_a1_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(qualifiers_and_text_as_written, setup, teardown),
        cmocka_unit_test_setup_teardown(spaces_and_case, setup, teardown),
        cmocka_unit_test_setup_teardown(dual_cidr_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(address_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(modifiers, setup, teardown),
        cmocka_unit_test_setup_teardown(valid_domain_specs, setup, teardown),
        cmocka_unit_test_setup_teardown(cidr_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(address_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(domain_spec_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(macro_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(modifier_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(never_match_by_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(bytes_outside_visible_ascii, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
