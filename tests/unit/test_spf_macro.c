/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for spf_macro.c: every expansion example of RFC 7208 §7.4, the
 * letters and transformers of §7.2, the processing rules of §7.3 (URL
 * escaping, IPv6 nibbles, truncation from the left), the grammar of §7.1
 * (domain-end, syntax errors) and mailcheck's caps.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "mc_arena.h"
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

/* The context of RFC 7208 §7.4: sender strong-bad@email.example.com, client
 * 192.0.2.3 (or 2001:db8::cb01), PTR name mx.example.org. */
static struct mc_spf_macro_ctx rfc_ctx(int family)
{
    struct mc_spf_macro_ctx ctx = {
        .local_part = "strong-bad",
        .sender_domain = "email.example.com",
        .domain = "email.example.com",
        .family = family,
        .helo = "mx.example.org",
        .timestamp = 1400000000,
        .ptr_name = "mx.example.org",
    };
    if (family == AF_INET6)
        assert_int_equal(inet_pton(AF_INET6, "2001:db8::cb01", ctx.addr), 1);
    else
        assert_int_equal(inet_pton(AF_INET, "192.0.2.3", ctx.addr), 1);
    return ctx;
}

static const char *expand(struct mc_arena *arena, const struct mc_spf_macro_ctx *ctx, const char *s,
                          enum mc_spf_macro_mode mode)
{
    const char *out = NULL, *why = NULL;
    if (!mc_spf_macro_expand(&out, arena, ctx, s, strlen(s), mode, &why))
        fail_msg("\"%s\" did not expand: %s", s, why);
    return out;
}

static void expect_expansion(struct mc_arena *arena, const struct mc_spf_macro_ctx *ctx,
                             const char *s, enum mc_spf_macro_mode mode, const char *want)
{
    const char *got = expand(arena, ctx, s, mode);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" expanded to \"%s\", want \"%s\"", s, got, want);
}

/* Expects S to be rejected in MODE, by the check and by the expansion, with
 * a why containing WHY_PART. */
static void expect_syntax_error(struct mc_arena *arena, const char *s, enum mc_spf_macro_mode mode,
                                const char *why_part)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);
    const char *out = "untouched", *why = NULL;

    if (mc_spf_macro_check(s, strlen(s), mode, NULL, &why))
        fail_msg("\"%s\" passed the check", s);
    if (!strstr(why, why_part))
        fail_msg("\"%s\": why \"%s\" lacks \"%s\"", s, why, why_part);
    why = NULL;
    if (mc_spf_macro_expand(&out, arena, &ctx, s, strlen(s), mode, &why))
        fail_msg("\"%s\" expanded to \"%s\"", s, out);
    assert_null(out);
    assert_non_null(why);
}

static void rfc7208_7_4_macro_table(void **state)
{
    static const char *const cases[][2] = {
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
    };
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_expansion(*state, &ctx, cases[i][0], MC_SPF_MACRO_DOMAIN, cases[i][1]);
        /* The same outside domain names: nothing there truncates or strips. */
        expect_expansion(*state, &ctx, cases[i][0], MC_SPF_MACRO_EXP, cases[i][1]);
    }
}

static void rfc7208_7_4_macro_strings(void **state)
{
    static const char *const cases[][2] = {
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
    };
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_expansion(*state, &ctx, cases[i][0], MC_SPF_MACRO_DOMAIN, cases[i][1]);
}

static void rfc7208_7_4_ipv6(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET6);

    expect_expansion(*state, &ctx, "%{ir}.%{v}._spf.%{d2}", MC_SPF_MACRO_DOMAIN,
                     "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
                     ".ip6._spf.example.com");
    /* §7.3: %{i} of IPv6 is the nibbles in address order, %{c} readable. */
    expect_expansion(*state, &ctx, "%{i}", MC_SPF_MACRO_DOMAIN,
                     "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
    expect_expansion(*state, &ctx, "%{c}", MC_SPF_MACRO_EXP, "2001:db8::cb01");
    expect_expansion(*state, &ctx, "%{v}", MC_SPF_MACRO_DOMAIN, "ip6");
}

/* §7.3 leaves the case of the nibbles open: lower case (as §7.4 has it)
 * unless <ip> was written in upper case; %{c} is RFC 5952's form either
 * way.  The exp text and address of the test suite's v-macro-ip6 case. */
static void ipv6_nibbles_keep_upper_case(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET6);
    const char *exp = "%{c} is queried as %{ir}.%{v}.arpa";

    assert_int_equal(inet_pton(AF_INET6, "CAFE:BABE::1", ctx.addr), 1);
    expect_expansion(*state, &ctx, exp, MC_SPF_MACRO_EXP,
                     "cafe:babe::1 is queried as 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                     "e.b.a.b.e.f.a.c.ip6.arpa");
    ctx.upper_nibbles = true;
    expect_expansion(*state, &ctx, exp, MC_SPF_MACRO_EXP,
                     "cafe:babe::1 is queried as 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                     "E.B.A.B.E.F.A.C.ip6.arpa");
    expect_expansion(*state, &ctx, "%{I}", MC_SPF_MACRO_EXP,
                     "C.A.F.E.B.A.B.E.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1");
    expect_expansion(*state, &ctx, "%{C}", MC_SPF_MACRO_EXP, "cafe%3Ababe%3A%3A1");
    /* An IPv4 <ip> has no hex digits to keep. */
    ctx = rfc_ctx(AF_INET);
    ctx.upper_nibbles = true;
    expect_expansion(*state, &ctx, "%{i}", MC_SPF_MACRO_DOMAIN, "192.0.2.3");
}

static void ipv4_letters(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    expect_expansion(*state, &ctx, "%{i}", MC_SPF_MACRO_DOMAIN, "192.0.2.3");
    expect_expansion(*state, &ctx, "%{c}", MC_SPF_MACRO_EXP, "192.0.2.3");
    expect_expansion(*state, &ctx, "%{v}", MC_SPF_MACRO_DOMAIN, "in-addr");
    expect_expansion(*state, &ctx, "%{h}", MC_SPF_MACRO_DOMAIN, "mx.example.org");
    /* The exp text of the test suite's v-macro-ip4 case. */
    ctx.addr[0] = 192, ctx.addr[1] = 168, ctx.addr[2] = 218, ctx.addr[3] = 40;
    expect_expansion(*state, &ctx, "%{c} is queried as %{ir}.%{v}.arpa", MC_SPF_MACRO_EXP,
                     "192.168.218.40 is queried as 40.218.168.192.in-addr.arpa");
}

static void p_r_t_h_have_defaults(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    expect_expansion(*state, &ctx, "%{p}", MC_SPF_MACRO_DOMAIN, "mx.example.org");
    expect_expansion(*state, &ctx, "%{p2}", MC_SPF_MACRO_DOMAIN, "example.org");
    expect_expansion(*state, &ctx, "%{t}", MC_SPF_MACRO_EXP, "1400000000");
    /* §7.3: no validated name, no receiver name: "unknown". */
    ctx.ptr_name = NULL;
    expect_expansion(*state, &ctx, "%{p}", MC_SPF_MACRO_DOMAIN, "unknown");
    expect_expansion(*state, &ctx, "connect from %{p}", MC_SPF_MACRO_EXP, "connect from unknown");
    expect_expansion(*state, &ctx, "%{r}", MC_SPF_MACRO_EXP, "unknown");
    ctx.receiver = "mx.receiver.test";
    expect_expansion(*state, &ctx, "checked by %{r}", MC_SPF_MACRO_EXP,
                     "checked by mx.receiver.test");
    ctx.helo = NULL;
    expect_expansion(*state, &ctx, "%{h}", MC_SPF_MACRO_DOMAIN, "unknown");
}

static void crt_only_in_exp_text(void **state)
{
    /* §7.2: c, r and t are allowed only in exp text, even as exp=%{r}... */
    expect_syntax_error(*state, "%{c}.example.test", MC_SPF_MACRO_DOMAIN, "exp text");
    expect_syntax_error(*state, "%{r}.example.com", MC_SPF_MACRO_DOMAIN, "exp text");
    expect_syntax_error(*state, "%{T}", MC_SPF_MACRO_DOMAIN, "exp text");
    assert_true(mc_spf_macro_check("%{c} %{r} %{t}", 14, MC_SPF_MACRO_EXP, NULL, NULL));
}

static void uppercase_letters_are_url_escaped(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    /* §7.3: expand as lowercase, then escape what is not RFC 3986
     * "unreserved". */
    expect_expansion(*state, &ctx, "%{S}", MC_SPF_MACRO_DOMAIN, "strong-bad%40email.example.com");
    expect_expansion(*state, &ctx, "%{D2}", MC_SPF_MACRO_DOMAIN, "example.com");
    expect_expansion(*state, &ctx, "%{L}", MC_SPF_MACRO_DOMAIN, "strong-bad");
    ctx.local_part = "jack&jill=up";
    expect_expansion(*state, &ctx, "http://example.com/why.html?l=%{L}", MC_SPF_MACRO_EXP,
                     "http://example.com/why.html?l=jack%26jill%3Dup");
    ctx.local_part = "a b~c\x80";
    expect_expansion(*state, &ctx, "%{L}", MC_SPF_MACRO_EXP, "a%20b~c%80");
    /* An upper-case letter escapes what the transformers give it; "." joins. */
    ctx.local_part = "x/y-z";
    expect_expansion(*state, &ctx, "%{L-}", MC_SPF_MACRO_EXP, "x%2Fy.z");
}

static void escapes_percent_space_and_url_space(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    /* The test suite's macro-mania-in-domain record. */
    expect_expansion(*state, &ctx, "macro%%percent%_%_space%-url-space.example.com",
                     MC_SPF_MACRO_DOMAIN, "macro%percent  space%20url-space.example.com");
    expect_expansion(*state, &ctx, "100%% %{d}", MC_SPF_MACRO_EXP, "100% email.example.com");
    expect_expansion(*state, &ctx, "%%{d}", MC_SPF_MACRO_EXP, "%{d}");
}

static void transformers_and_delimiters(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    /* More parts asked than there are: all of them (§7.2). */
    expect_expansion(*state, &ctx, "%{d5}", MC_SPF_MACRO_DOMAIN, "email.example.com");
    expect_expansion(*state, &ctx, "%{d127}", MC_SPF_MACRO_DOMAIN, "email.example.com");
    expect_expansion(*state, &ctx, "%{d99999999999999999999}", MC_SPF_MACRO_DOMAIN,
                     "email.example.com");
    /* ABNF literals are case-insensitive: "R" reverses too. */
    expect_expansion(*state, &ctx, "%{d2R}", MC_SPF_MACRO_DOMAIN, "example.email");
    /* Several delimiters at once (test suite macro-multiple-delimiters). */
    ctx.local_part = "foo-bar+zip+quux";
    expect_expansion(*state, &ctx, "%{l2r+-}.user.%{d2}", MC_SPF_MACRO_DOMAIN,
                     "bar.foo.user.example.com");
    expect_expansion(*state, &ctx, "%{l+}", MC_SPF_MACRO_DOMAIN, "foo-bar.zip.quux");
    /* Test suite macro-reverse-split-on-dash. */
    ctx.local_part = "philip-gladstone-test";
    expect_expansion(*state, &ctx, "%{i}.%{l2r-}.user.%{d2}", MC_SPF_MACRO_DOMAIN,
                     "192.0.2.3.gladstone.philip.user.example.com");
    /* Every delimiter of §7.1, and empty parts kept. */
    ctx.local_part = "a.b-c+d,e/f_g=h";
    expect_expansion(*state, &ctx, "%{l.-+,/_=}", MC_SPF_MACRO_EXP, "a.b.c.d.e.f.g.h");
    ctx.local_part = "a--b";
    expect_expansion(*state, &ctx, "%{lr-}", MC_SPF_MACRO_EXP, "b..a");
}

static void trailing_dot(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    /* A domain name's trailing dot goes (test suite trailing-dot-domain)... */
    expect_expansion(*state, &ctx, "%{d}.d.spf.example.com.", MC_SPF_MACRO_DOMAIN,
                     "email.example.com.d.spf.example.com");
    /* ...an explanation's stays (trailing-dot-exp). */
    expect_expansion(*state, &ctx, "This is a test.", MC_SPF_MACRO_EXP, "This is a test.");
}

/* A name of exactly LEN octets: labels of 40 'a' ending in 'z'. */
static char *make_name(size_t len)
{
    char *s = malloc(len + 1);
    assert_non_null(s);
    for (size_t i = 0; i < len; i++)
        s[i] = (i % 41 == 40) ? '.' : 'a';
    s[len - 1] = 'z';
    s[len] = '\0';
    return s;
}

/* The truncation rule of §7.3 applied the obvious way, as a reference. */
static void reference_truncate(char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '.')
        s[--n] = '\0';
    while (n > MC_SPF_NAME_MAX) {
        char *dot = strchr(s, '.');
        if (!dot)
            break;
        memmove(s, dot + 1, strlen(dot + 1) + 1);
        n = strlen(s);
    }
}

static void long_names_lose_labels_from_the_left(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);

    /* The test suite's domain-name-truncation: 258 octets, "foobar." goes. */
    ctx.sender_domain = "somewhat.long.exp.example.com";
    const char *spec = "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com";
    const char *got = expand(*state, &ctx, spec, MC_SPF_MACRO_DOMAIN);
    assert_string_equal(got, "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
                             "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
                             "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
                             "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
                             "example.com");
    assert_int_equal(strlen(got), 251);

    /* Exactly at the limit, with and without a trailing dot: untouched. */
    char *name = make_name(253);
    ctx.domain = name;
    assert_string_equal(expand(*state, &ctx, "%{d}", MC_SPF_MACRO_DOMAIN), name);
    char *dotted = malloc(255);
    assert_non_null(dotted);
    memcpy(dotted, name, 253);
    memcpy(dotted + 253, ".", 2);
    ctx.domain = dotted;
    assert_string_equal(expand(*state, &ctx, "%{d}", MC_SPF_MACRO_DOMAIN), name);
    free(dotted);
    free(name);

    /* One over: the first label goes, and nothing more. */
    name = make_name(254);
    ctx.domain = name;
    assert_string_equal(expand(*state, &ctx, "%{d}", MC_SPF_MACRO_DOMAIN), name + 41);
    free(name);

    /* Against the reference, for lengths around and far over the limit. */
    for (size_t len = 200; len < 1500; len += 7) { /* EXP stays under its cap */
        name = make_name(len);
        ctx.domain = name;
        ctx.local_part = name + len / 3;
        const char *s = "%{l}.x-%{d}.%{d1r}.%{d}.test";
        char *want = strdup(expand(*state, &ctx, s, MC_SPF_MACRO_EXP));
        assert_non_null(want);
        reference_truncate(want);
        assert_string_equal(expand(*state, &ctx, s, MC_SPF_MACRO_DOMAIN), want);
        assert_true(strlen(want) <= MC_SPF_NAME_MAX);
        free(want);
        free(name);
    }

    /* A last label over 253 octets cannot be truncated to fit. */
    name = make_name(300);
    memset(name, 'b', 300);
    ctx.domain = name;
    const char *out = "untouched", *why = NULL;
    assert_false(mc_spf_macro_expand(&out, *state, &ctx, "x.%{d}", 6, MC_SPF_MACRO_DOMAIN, &why));
    assert_null(out);
    assert_non_null(strstr(why, "253"));
    free(name);
}

static void explanation_is_capped(void **state)
{
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);
    char local[101], exp[4 * 14 + 1] = {0};

    memset(local, '&', 100);
    local[100] = '\0';
    ctx.local_part = local;
    for (int i = 0; i < 14; i++)
        memcpy(exp + 4 * i, "%{L}", 4);
    exp[4 * 13] = '\0'; /* 13 * 300 = 3900 octets: fits */
    assert_int_equal(strlen(expand(*state, &ctx, exp, MC_SPF_MACRO_EXP)), 3900);
    exp[4 * 13] = '%'; /* 14 * 300 = 4200: over MC_SPF_EXP_MAX */
    const char *out = "untouched", *why = NULL;
    assert_false(mc_spf_macro_expand(&out, *state, &ctx, exp, strlen(exp), MC_SPF_MACRO_EXP, &why));
    assert_null(out);
    assert_non_null(strstr(why, "4096"));
}

static void syntax_errors(void **state)
{
    static const struct {
        const char *s, *why;
    } cases[] = {
        {"%{z}.example.test", "unknown macro letter"},
        {"%{a}.example.com", "unknown macro letter"}, /* test suite undef-macro */
        {"%{}", "unknown macro letter"},
        {"%{", "unknown macro letter"},
        {"foo%", "at the end"},
        {"%", "at the end"},
        {"foo%.sbl.example.com", "not followed by"},
        {"%(ir).sbl.example.com", "not followed by"},
        {"foo%(ir).sbl.example.com", "not followed by"},
        {"%{d0}", "nonzero"},
        {"%{d00r}", "nonzero"},
        {"%{d", "closing"},
        {"%{d2r", "closing"},
        {"%{dx}", "bad character"},
        {"%{d2r.x}", "bad character"},
        {"%{d r}", "bad character"},
        {"%{rd}", "exp text"}, /* "r" is a letter here, and exp-only */
        {"%{ir}.%{v}.%{d2}.%{i}x%", "at the end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_syntax_error(*state, cases[i].s, MC_SPF_MACRO_DOMAIN, cases[i].why);
        if (!strstr(cases[i].s, "%{r"))
            expect_syntax_error(*state, cases[i].s, MC_SPF_MACRO_EXP, cases[i].why);
    }
    /* Test suite dorky-sentinel: spaces in a local-part are just text. */
    struct mc_spf_macro_ctx ctx = rfc_ctx(AF_INET);
    ctx.local_part = "Macro Error";
    expect_expansion(*state, &ctx, "%{l} in implementation", MC_SPF_MACRO_EXP,
                     "Macro Error in implementation");
    /* Exp text is printable US-ASCII and spaces; a domain-spec has no SP. */
    expect_syntax_error(*state, "two words.example.test", MC_SPF_MACRO_DOMAIN, "space");
    expect_syntax_error(*state, "tab\there", MC_SPF_MACRO_EXP, "US-ASCII");
    expect_syntax_error(*state,
                        "\xef\xbb\xbf"
                        "Explanation",
                        MC_SPF_MACRO_EXP, "US-ASCII");
}

static void domain_end_rule(void **state)
{
    static const char *const good[] = {
        "example.com",
        "example.com.",
        ".com",                   /* macro-string may be empty before "." toplabel */
        "foo.example.xn--zckzah", /* toplabel with dashes, matched greedily */
        "a.1-2",
        "foo:bar/baz.example.com", /* any visible character but % */
        "mail.example...com",      /* syntax is fine; DNS is another matter */
        "a123456789012345678901234567890123456789012345678901234567890123.example.com",
        "%{d}",
        "%{ir}.%{v}._spf.%{d2}",
        "%{d}%%", /* macro-expand includes "%%" */
        "%{d}%-",
        "_spf.%{d}",
        "o.spf.example.com.",
    };
    static const struct {
        const char *s, *why;
    } bad[] = {
        {"", "empty"},
        {"museum", "must end in"},
        {"museum.", "must end in"},
        {"%{d}.", "must end in"},
        {"%{d}com", "must end in"},
        {"example.com..", "top label"},
        {"abc.123", "all digits"},
        {"111.222.33.44", "all digits"},
        {"1.2.3.4", "all digits"},
        {"example.-com", "top label"},
        {"example.com-", "top label"},
        {"example.com:8080", "top label"},
        {"foo.example.com/24", "top label"},
        {"foo-bar", "must end in"},
        {"foo.ex_ample", "top label"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *why = NULL;
        if (!mc_spf_macro_check(good[i], strlen(good[i]), MC_SPF_MACRO_DOMAIN, NULL, &why))
            fail_msg("\"%s\" rejected: %s", good[i], why);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_syntax_error(*state, bad[i].s, MC_SPF_MACRO_DOMAIN, bad[i].why);
        /* Explanation text has no domain-end rule. */
        assert_true(mc_spf_macro_check(bad[i].s, strlen(bad[i].s), MC_SPF_MACRO_EXP, NULL, NULL));
    }
}

static void letters_used_are_reported(void **state)
{
    unsigned letters = 0;
    const char *s = "%{ir}.%{V}.%{p}._spf.%{d2}";

    (void)state;
    assert_true(mc_spf_macro_check(s, strlen(s), MC_SPF_MACRO_DOMAIN, &letters, NULL));
    assert_int_equal(letters, MC_SPF_MACRO_BIT('i') | MC_SPF_MACRO_BIT('v') |
                                  MC_SPF_MACRO_BIT('p') | MC_SPF_MACRO_BIT('d'));
    assert_true(mc_spf_macro_check("plain.example.test", 18, MC_SPF_MACRO_DOMAIN, &letters, NULL));
    assert_int_equal(letters, 0);
    assert_true(mc_spf_macro_check("%{c} at %{t} by %{r}%%", 22, MC_SPF_MACRO_EXP, &letters, NULL));
    assert_int_equal(letters,
                     MC_SPF_MACRO_BIT('c') | MC_SPF_MACRO_BIT('t') | MC_SPF_MACRO_BIT('r'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rfc7208_7_4_macro_table, setup, teardown),
        cmocka_unit_test_setup_teardown(rfc7208_7_4_macro_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(rfc7208_7_4_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv6_nibbles_keep_upper_case, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(p_r_t_h_have_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(crt_only_in_exp_text, setup, teardown),
        cmocka_unit_test_setup_teardown(uppercase_letters_are_url_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(escapes_percent_space_and_url_space, setup, teardown),
        cmocka_unit_test_setup_teardown(transformers_and_delimiters, setup, teardown),
        cmocka_unit_test_setup_teardown(trailing_dot, setup, teardown),
        cmocka_unit_test_setup_teardown(long_names_lose_labels_from_the_left, setup, teardown),
        cmocka_unit_test_setup_teardown(explanation_is_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(domain_end_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(letters_used_are_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
