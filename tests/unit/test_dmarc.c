/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dmarc.c: the version tag and record selection (RFC 9989
 * §4.7, §4.10 step 2), every tag and its defaults (§4.7), every kind of
 * syntax error (§4.8), what receivers do with a record without a valid
 * policy (§4.10.1), the DNS Tree Walk on the examples of §4.10, §4.10.2 and
 * Appendix B.4, the policy that applies (§4.7 p, sp, np, t), alignment
 * (§3.2.10, Table 1, Appendix B.1), the RFC 7489 reading beside the walk and
 * where the two differ, and external report destinations (RFC 9990 §3,
 * Appendix B.2.3 and B.2.4).
 *
 * Besides the RFC's own examples, the cases restate, as data of their own,
 * situations that public DMARC implementations test: mailauth's RFC 9989
 * compliance cases, Mail::DMARC's tree-walk fixtures and its list of
 * malformed records seen in the wild, checkdmarc's and mox's parser cases.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_arena.h"
#include "mc_dmarc.h"
#include "mc_psl.h"

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

/* Appends S to the string BUF of CAP octets, truncating. */
static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", s);
}

static bool is_record(const char *text)
{
    return mc_dmarc_is_record(text, strlen(text));
}

static const struct mc_dmarc_record *parse_len(struct mc_arena *arena, const char *text, size_t len)
{
    struct mc_dmarc_record *rec = mc_arena_alloc(arena, sizeof *rec);
    if (!mc_dmarc_parse(rec, arena, text, len))
        fail_msg("\"%s\" is not a record: %s", text, rec->why);
    return rec;
}

static const struct mc_dmarc_record *parse(struct mc_arena *arena, const char *text)
{
    return parse_len(arena, text, strlen(text));
}

/* A record that parses without a single syntax error. */
static const struct mc_dmarc_record *parse_clean(struct mc_arena *arena, const char *text)
{
    const struct mc_dmarc_record *rec = parse(arena, text);
    if (rec->nerrors)
        fail_msg("\"%s\": unexpected error %s", text, rec->errors[0].why);
    return rec;
}

/*
 * Expects TEXT[0..LEN) to parse with exactly one syntax error, of KIND,
 * naming TAG (NULL: none) and TEXT_PART, with WHY_PART in its reason; returns
 * the record.
 */
static const struct mc_dmarc_record *one_error_len(struct mc_arena *arena, const char *text,
                                                   size_t len, enum mc_dmarc_error_kind kind,
                                                   const char *tag, const char *bad,
                                                   const char *why_part)
{
    const struct mc_dmarc_record *rec = parse_len(arena, text, len);
    if (rec->nerrors != 1)
        fail_msg("\"%s\": %zu errors, want 1%s%s", text, rec->nerrors, rec->nerrors ? ": " : "",
                 rec->nerrors ? rec->errors[0].why : "");
    const struct mc_dmarc_error *e = &rec->errors[0];
    if (e->kind != kind)
        fail_msg("\"%s\": error kind %d, want %d (%s)", text, (int)e->kind, (int)kind, e->why);
    if (tag ? !e->tag || strcmp(e->tag, tag) != 0 : e->tag != NULL)
        fail_msg("\"%s\": error tag \"%s\", want \"%s\"", text, e->tag ? e->tag : "(null)",
                 tag ? tag : "(null)");
    if (strcmp(e->text, bad) != 0)
        fail_msg("\"%s\": error text \"%s\", want \"%s\"", text, e->text, bad);
    if (!strstr(e->why, why_part) || !strstr(e->why, bad))
        fail_msg("\"%s\": why \"%s\" lacks \"%s\" or the text", text, e->why, why_part);
    return rec;
}

static const struct mc_dmarc_record *one_error(struct mc_arena *arena, const char *text,
                                               enum mc_dmarc_error_kind kind, const char *tag,
                                               const char *bad, const char *why_part)
{
    return one_error_len(arena, text, strlen(text), kind, tag, bad, why_part);
}

/* ---- a fake DNS of TXT records, and walks driven over it ---- */

struct txt_rr {
    const char *owner; /* "_dmarc.example.com" */
    const char *text;
};

#define ZONE(z) (z), sizeof(z) / sizeof((z)[0])

struct run {
    const char *asked[16];
    size_t nasked;
    struct mc_dmarc_found found;
};

/* The TXT records of OWNER in ZONE, selected and parsed as a caller would:
 * the one record, or NULL; *SELECT says which case. */
static const struct mc_dmarc_record *lookup(struct mc_arena *arena, const struct txt_rr *zone,
                                            size_t nzone, const char *name,
                                            enum mc_dmarc_select *select)
{
    struct mc_dmarc_txt txts[8] = {{0}};
    size_t n = 0, index = 0;

    for (size_t i = 0; i < nzone; i++)
        if (strncmp(zone[i].owner, "_dmarc.", 7) == 0 && strcmp(zone[i].owner + 7, name) == 0) {
            assert_true(n < 8);
            txts[n++] = (struct mc_dmarc_txt){zone[i].text, strlen(zone[i].text)};
        }
    *select = mc_dmarc_select(&index, txts, n);
    if (*select != MC_DMARC_SELECT_ONE)
        return NULL;
    return parse(arena, txts[index].text);
}

static void run_walk(struct mc_arena *arena, const struct txt_rr *zone, size_t nzone,
                     const char *domain, struct mc_dmarc_walk *walk, struct run *run)
{
    const char *name;
    enum mc_dmarc_select select;

    memset(run, 0, sizeof *run);
    assert_true(mc_dmarc_walk_start(walk, domain));
    while ((name = mc_dmarc_walk_next(walk))) {
        assert_true(run->nasked < 16);
        run->asked[run->nasked++] = name;
        mc_dmarc_walk_answer(walk, lookup(arena, zone, nzone, name, &select));
    }
    assert_true(mc_dmarc_walk_result(walk, &run->found));
    assert_non_null(run->found.org_domain);
}

static void run_rfc7489(struct mc_arena *arena, const struct txt_rr *zone, size_t nzone,
                        const char *domain, const char *org, struct mc_dmarc_rfc7489 *r,
                        struct run *run)
{
    const char *name;
    enum mc_dmarc_select select;

    memset(run, 0, sizeof *run);
    assert_true(mc_dmarc_rfc7489_start(r, domain, org));
    while ((name = mc_dmarc_rfc7489_next(r))) {
        assert_true(run->nasked < 16);
        run->asked[run->nasked++] = name;
        const struct mc_dmarc_record *rec = lookup(arena, zone, nzone, name, &select);
        mc_dmarc_rfc7489_answer(r, select, rec);
    }
    assert_true(mc_dmarc_rfc7489_result(r, &run->found));
}

/* The names asked, in order: a NULL-terminated list. */
static void expect_asked(const struct run *run, const char *const *want)
{
    size_t n = 0;
    for (; want[n]; n++) {
        if (n >= run->nasked)
            fail_msg("asked %zu names, want \"%s\" next", run->nasked, want[n]);
        if (strcmp(run->asked[n], want[n]) != 0)
            fail_msg("name %zu asked \"%s\", want \"%s\"", n, run->asked[n], want[n]);
    }
    if (n != run->nasked)
        fail_msg("asked %zu names, want %zu (then \"%s\")", run->nasked, n, run->asked[n]);
}

#define ASKED(...) ((const char *const[]){__VA_ARGS__, NULL})

/* What a walk found: the record's text (NULL: none), its source and the
 * Organizational Domain. */
static void expect_found(const struct run *run, const char *record, enum mc_dmarc_source source,
                         const char *policy_domain, const char *org)
{
    const struct mc_dmarc_found *f = &run->found;
    if (!record) {
        assert_null(f->record);
        assert_int_equal(f->source, MC_DMARC_SOURCE_NONE);
        assert_null(f->policy_domain);
    } else {
        assert_non_null(f->record);
        assert_string_equal(f->record->text, record);
        assert_int_equal(f->source, source);
        assert_string_equal(f->policy_domain, policy_domain);
        assert_int_equal(f->subdomain, source != MC_DMARC_SOURCE_AUTHOR);
    }
    assert_string_equal(f->org_domain, org);
}

/* The applied policy of FOUND for an Author Domain that exists or not. */
static enum mc_dmarc_policy applied(const struct mc_dmarc_found *found, bool exists)
{
    struct mc_dmarc_applied a;
    if (!mc_dmarc_apply(&a, found, exists))
        fail_msg("DMARC does not apply");
    return a.policy;
}

/* ---- the version tag and record selection (§4.7, §4.8, §4.10 step 2) ---- */

static void version_tag(void **state)
{
    (void)state;
    /* dmarc-version = "v" equals %s"DMARC1"; equals = *WSP "=" *WSP. */
    assert_true(is_record("v=DMARC1"));
    assert_true(is_record("v=DMARC1;"));
    assert_true(is_record("v=DMARC1; p=none"));
    assert_true(is_record("v = DMARC1; p=reject"));
    assert_true(is_record("v\t=\tDMARC1\t;\tp=reject\t;"));
    assert_true(is_record("V=DMARC1;p=reject;")); /* "v" is an ABNF literal */
    assert_true(is_record("v=DMARC1  "));
    /* §4.7: the value is case-sensitive, exactly DMARC1, and first. */
    assert_false(is_record("v=dmarc1; p=reject"));
    assert_false(is_record("v=Dmarc1"));
    assert_false(is_record("v=DMARC1x; p=reject"));
    assert_false(is_record("v=DMARC10"));
    assert_false(is_record("v=DMARC2; p=none"));
    assert_false(is_record("v=DMARC1 p=none")); /* no dmarc-sep */
    assert_false(is_record("v=DMARC1\\; p=reject\\;"));
    assert_false(is_record("p=reject; v=DMARC1"));
    assert_false(is_record("domain=example.com;v=DMARC1;p=reject"));
    /* Nothing may precede the version, not even whitespace. */
    assert_false(is_record(" v=DMARC1; p=reject"));
    assert_false(is_record("\tv=DMARC1; p=reject"));
    assert_false(is_record("\"v=DMARC1; p=reject\""));
    assert_false(is_record(""));
    assert_false(is_record("v"));
    assert_false(is_record("v="));
    assert_false(is_record("v=spf1 -all"));
    /* Bounded by the length, NULs included. */
    assert_true(mc_dmarc_is_record("v=DMARC1; p=none", 8));
    assert_false(mc_dmarc_is_record("v=DMARC1", 7));
    assert_false(mc_dmarc_is_record("v=DMARC1\0;", 10));
}

static void near_misses(void **state)
{
    (void)state;
    const struct {
        const char *text;
        const char *why; /* NULL: no near miss */
    } cases[] = {
        {"v=DMARC1; p=reject", NULL},
        {" v=DMARC1; p=reject", "whitespace"},
        {"  \tv=DMARC1", "whitespace"},
        {"\"v=DMARC1; p=reject\"", "quote"},
        {"v=dmarc1; p=none", "case-sensitive"},
        {"V = Dmarc1", "case-sensitive"},
        {"v=DMARC1 p=none", "not followed by"},
        {"v=DMARC1\\; p=reject\\;", "not followed by"},
        {"p=reject; v=DMARC1", "not the first tag"},
        {"domain=example.com;v=DMARC1;p=reject", "not the first tag"},
        {"v=spf1 -all", NULL},
        {"google-site-verification=abc", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = mc_dmarc_near_miss(cases[i].text, strlen(cases[i].text));
        if (!cases[i].why ? why != NULL : !why || !strstr(why, cases[i].why))
            fail_msg("\"%s\": near miss \"%s\", want \"%s\"", cases[i].text, why ? why : "(null)",
                     cases[i].why ? cases[i].why : "(null)");
    }
}

static void record_selection(void **state)
{
    (void)state;
    size_t index = 99;
    const struct mc_dmarc_txt none[] = {{"some other txt record", 21}, {"and another one", 15}};
    const struct mc_dmarc_txt one[] = {
        {"google-site-verification=x", 26}, {"v=DMARC1; p=reject", 18}, {NULL, 0}};
    const struct mc_dmarc_txt several[] = {
        {"v=DMARC1; p=reject", 18}, {"x", 1}, {"v=DMARC1; p=none", 16}};

    assert_int_equal(mc_dmarc_select(&index, NULL, 0), MC_DMARC_SELECT_NONE);
    assert_int_equal(mc_dmarc_select(&index, none, 2), MC_DMARC_SELECT_NONE);
    assert_int_equal(index, 99);
    assert_int_equal(mc_dmarc_select(&index, one, 3), MC_DMARC_SELECT_ONE);
    assert_int_equal(index, 1);
    assert_int_equal(mc_dmarc_select(&index, several, 3), MC_DMARC_SELECT_SEVERAL);
    assert_int_equal(index, 0);
}

/* ---- parsed records ---- */

/* Appendix B.2: the Domain Owner's records, strings concatenated (§4.5). */
static void appendix_b2_records(void **state)
{
    struct mc_arena *a = *state;

    /* B.2.1 */
    const struct mc_dmarc_record *r = parse_clean(a, "v=DMARC1; p=none; "
                                                     "rua=mailto:dmarc-feedback@example.com");
    assert_true(r->has_p);
    assert_int_equal(r->p, MC_DMARC_POLICY_NONE);
    assert_false(r->testing);
    assert_int_equal(r->nrua, 1);
    assert_int_equal(r->rua[0].kind, MC_DMARC_URI_MAILTO);
    assert_string_equal(r->rua[0].text, "mailto:dmarc-feedback@example.com");
    assert_string_equal(r->rua[0].host, "example.com");
    assert_int_equal(r->nruf, 0);
    assert_int_equal(r->usable, MC_DMARC_USABLE);

    /* B.2.2 and B.2.3: failure reports, then to a third party. */
    r = parse_clean(a, "v=DMARC1; p=none; "
                       "rua=mailto:dmarc-feedback@example.com; "
                       "ruf=mailto:auth-reports@example.com");
    assert_int_equal(r->nruf, 1);
    assert_string_equal(r->ruf[0].host, "example.com");
    r = parse_clean(a, "v=DMARC1; p=none; "
                       "rua=mailto:dmarc-feedback@example.com; "
                       "ruf=mailto:auth-reports@thirdparty.example.net");
    assert_string_equal(r->ruf[0].host, "thirdparty.example.net");

    /* B.2.4: the Report Consumer's record, without p: not a policy. */
    r = parse_clean(a, "v=DMARC1; "
                       "rua=mailto:aggregate-reports@thirdparty.example.net; "
                       "ruf=mailto:failure-reports@thirdparty.example.net");
    assert_false(r->has_p);
    assert_int_equal(r->p, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->usable, MC_DMARC_USABLE_AS_NONE);

    /* B.2.5: testing a subdomain, two aggregate URIs. */
    r = parse_clean(a, "v=DMARC1; p=quarantine; "
                       "rua=mailto:dmarc-feedback@example.com,"
                       "mailto:tld-test@thirdparty.example.net; "
                       "t=y");
    assert_int_equal(r->p, MC_DMARC_POLICY_QUARANTINE);
    assert_true(r->testing);
    assert_int_equal(r->nrua, 2);
    assert_string_equal(r->rua[1].host, "thirdparty.example.net");
    r = parse_clean(a, "v=DMARC1; p=reject; "
                       "rua=mailto:dmarc-feedback@example.com,"
                       "mailto:tld-test@thirdparty.example.net");
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    assert_false(r->testing);

    /* B.3.1 */
    r = parse_clean(a, "v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-feedback@example.com");
    assert_int_equal(r->aspf, MC_DMARC_ALIGN_RELAXED);
}

/* §4.7: every tag and its values; values that are ABNF literals ignore case. */
static void every_tag(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r;

    r = parse_clean(a, "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y; adkim=s; "
                       "aspf=s; fo=1:d:s; rua=mailto:a@example.com; ruf=mailto:f@example.com");
    assert_true(r->has_p && r->has_sp && r->has_np);
    assert_int_equal(r->p, MC_DMARC_POLICY_QUARANTINE);
    assert_int_equal(r->sp, MC_DMARC_POLICY_REJECT);
    assert_int_equal(r->np, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->psd, MC_DMARC_PSD_N);
    assert_true(r->testing);
    assert_int_equal(r->adkim, MC_DMARC_ALIGN_STRICT);
    assert_int_equal(r->aspf, MC_DMARC_ALIGN_STRICT);
    assert_int_equal(r->fo, MC_DMARC_FO_1 | MC_DMARC_FO_D | MC_DMARC_FO_S);
    assert_int_equal(r->nrua, 1);
    assert_int_equal(r->nruf, 1);
    assert_int_equal(r->nhistoric, 0);
    assert_int_equal(r->nunknown, 0);

    /* Case, and WSP around "=" and ";" (dmarc-sep, equals). */
    r = parse_clean(a, "V = DMARC1 ;\tP = Reject ;\tSP=NoNe; NP=QUARANTINE; PSD=Y; T=Y; "
                       "ADKIM = S; Aspf=R; FO=D:0 ; RUA=mailto:DMARC-Reports@Example.COM ;");
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    assert_int_equal(r->sp, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->np, MC_DMARC_POLICY_QUARANTINE);
    assert_int_equal(r->psd, MC_DMARC_PSD_Y);
    assert_true(r->testing);
    assert_int_equal(r->adkim, MC_DMARC_ALIGN_STRICT);
    assert_int_equal(r->aspf, MC_DMARC_ALIGN_RELAXED);
    assert_int_equal(r->fo, MC_DMARC_FO_0 | MC_DMARC_FO_D);
    /* A URI keeps its case; its host is lowercased. */
    assert_string_equal(r->rua[0].text, "mailto:DMARC-Reports@Example.COM");
    assert_string_equal(r->rua[0].host, "example.com");

    /* psd=u, t=n, and each fo form of the dmarc-fo rule. */
    r = parse_clean(a, "v=DMARC1; p=none; psd=u; t=n; fo=s");
    assert_int_equal(r->psd, MC_DMARC_PSD_U);
    assert_false(r->testing);
    assert_int_equal(r->fo, MC_DMARC_FO_S);
    assert_int_equal(parse_clean(a, "v=DMARC1; fo=0")->fo, MC_DMARC_FO_0);
    assert_int_equal(parse_clean(a, "v=DMARC1; fo=1")->fo, MC_DMARC_FO_1);
    assert_int_equal(parse_clean(a, "v=DMARC1; fo=d:s:1")->fo,
                     MC_DMARC_FO_1 | MC_DMARC_FO_D | MC_DMARC_FO_S);
    assert_int_equal(parse_clean(a, "v=DMARC1; fo=s:0:d")->fo,
                     MC_DMARC_FO_0 | MC_DMARC_FO_D | MC_DMARC_FO_S);

    /* The tags in any order after v (RFC 7489 wanted p second). */
    r = parse_clean(a, "v=DMARC1; sp=none; p=reject");
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    assert_int_equal(r->sp, MC_DMARC_POLICY_NONE);

    /* Names and words. */
    assert_string_equal(mc_dmarc_policy_str(MC_DMARC_POLICY_QUARANTINE), "quarantine");
    assert_string_equal(mc_dmarc_psd_str(MC_DMARC_PSD_Y), "y");
    assert_string_equal(mc_dmarc_align_str(MC_DMARC_ALIGN_STRICT), "strict");
    assert_string_equal(mc_dmarc_source_str(MC_DMARC_SOURCE_PSD), "psd");
}

/* §4.7 defaults: p=none when absent, sp=p, np=sp; psd=u, t=n, r, r, fo=0. */
static void defaults(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r = parse_clean(a, "v=DMARC1");

    assert_false(r->has_p || r->has_sp || r->has_np);
    assert_int_equal(r->p, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->sp, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->np, MC_DMARC_POLICY_NONE);
    assert_int_equal(r->psd, MC_DMARC_PSD_U);
    assert_false(r->testing);
    assert_int_equal(r->adkim, MC_DMARC_ALIGN_RELAXED);
    assert_int_equal(r->aspf, MC_DMARC_ALIGN_RELAXED);
    assert_int_equal(r->fo, MC_DMARC_FO_0);
    assert_int_equal(r->nrua + r->nruf, 0);

    r = parse_clean(a, "v=DMARC1; p=reject");
    assert_int_equal(r->sp, MC_DMARC_POLICY_REJECT);
    assert_int_equal(r->np, MC_DMARC_POLICY_REJECT);
    r = parse_clean(a, "v=DMARC1; p=reject; sp=quarantine");
    assert_int_equal(r->np, MC_DMARC_POLICY_QUARANTINE); /* np defaults to sp */
    r = parse_clean(a, "v=DMARC1; p=quarantine; np=reject");
    assert_int_equal(r->sp, MC_DMARC_POLICY_QUARANTINE); /* sp to p, not to np */
    assert_int_equal(r->np, MC_DMARC_POLICY_REJECT);

    /* A tag in error keeps its default (§4.8). */
    r = parse(a, "v=DMARC1; p=reject; adkim=relaxed; aspf=x; t=yes; psd=x; fo=x");
    assert_int_equal(r->nerrors, 5);
    assert_int_equal(r->adkim, MC_DMARC_ALIGN_RELAXED);
    assert_int_equal(r->aspf, MC_DMARC_ALIGN_RELAXED);
    assert_false(r->testing);
    assert_int_equal(r->psd, MC_DMARC_PSD_U);
    assert_int_equal(r->fo, MC_DMARC_FO_0);
    assert_int_equal(r->usable, MC_DMARC_USABLE);
}

/* §9.3, Appendix A.6: pct, rf, ri are historic: named, not applied; their
 * values checked against RFC 7489's grammar, which its readers still use. */
static void historic_tags(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r =
        parse_clean(a, "v=DMARC1; p=reject; pct=0; rf=afrf:iodef; ri=86400");

    assert_int_equal(r->nhistoric, 3);
    assert_string_equal(r->historic[0].name, "pct");
    assert_string_equal(r->historic[0].value, "0");
    assert_true(r->historic[0].valid);
    assert_string_equal(r->historic[1].name, "rf");
    assert_true(r->historic[1].valid);
    assert_string_equal(r->historic[2].value, "86400");
    assert_true(r->historic[2].valid);
    /* pct=0 changes nothing in the policy. */
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    assert_int_equal(r->usable, MC_DMARC_USABLE);

    const char *bad[] = {"pct=101",
                         "pct=-1",
                         "pct=f",
                         "pct=1.1",
                         "pct=0100",
                         "rf=iodef-",
                         "rf=a:",
                         "rf=a.b",
                         "ri=-1",
                         "ri=a",
                         "ri=123bad",
                         "RI=4294967296",
                         "ri=99999999999999999999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "v=DMARC1; p=none; %s", bad[i]);
        r = parse_clean(a, text);
        assert_int_equal(r->nhistoric, 1);
        if (r->historic[0].valid)
            fail_msg("\"%s\" valid under RFC 7489", bad[i]);
        assert_non_null(strstr(r->historic[0].why, "RFC 7489"));
    }
    r = parse_clean(a, "v=DMARC1; ri=4294967295; PCT=100");
    assert_int_equal(r->nhistoric, 2);
    assert_true(r->historic[0].valid && r->historic[1].valid);
    r = parse(a, "v=DMARC1; pct=100; Pct=5");
    assert_int_equal(r->nerrors, 1);
    assert_int_equal(r->errors[0].kind, MC_DMARC_ERR_DUPLICATE);
}

static void unknown_tags(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r =
        parse_clean(a, "v=DMARC1; p=reject; xyz=foo; newtag = unknown \t; future=a b");

    /* §4.7: unknown tags MUST be ignored; they are kept for an info. */
    assert_int_equal(r->nunknown, 3);
    assert_string_equal(r->unknown[0].name, "xyz");
    assert_string_equal(r->unknown[0].value, "foo");
    assert_string_equal(r->unknown[1].name, "newtag");
    assert_string_equal(r->unknown[1].value, "unknown");
    assert_string_equal(r->unknown[2].value, "a b");
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    /* An unknown tag may repeat; empty, it is a syntax error all the same. */
    r = parse(a, "v=DMARC1; x=1; x=2; y=");
    assert_int_equal(r->nunknown, 2);
    assert_int_equal(r->nerrors, 1);
    assert_int_equal(r->errors[0].kind, MC_DMARC_ERR_EMPTY_VALUE);
    assert_string_equal(r->errors[0].tag, "y");
    /* Tag names are matched whole: "pp", "rua2" are unknown, not p, rua. */
    r = parse_clean(a, "v=DMARC1; pp=reject; spx=none");
    assert_false(r->has_p || r->has_sp);
    assert_int_equal(r->nunknown, 2);
}

/* §4.8: every kind of syntax error names its tag and text. */
static void syntax_errors(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r;

    /* Not tag=value. */
    one_error(a, "v=DMARC1; p=none; fo:0", MC_DMARC_ERR_NOT_TAG, NULL, "fo:0", "tag=value");
    one_error(a, "v=DMARC1; p", MC_DMARC_ERR_NOT_TAG, NULL, "p", "1*ALPHA");
    /* A tag name of letters only. */
    one_error(a, "v=DMARC1; r_ua=mailto:a@example.com", MC_DMARC_ERR_NAME, "r_ua",
              "r_ua=mailto:a@example.com", "1*ALPHA");
    one_error(a, "v=DMARC1; p2=none", MC_DMARC_ERR_NAME, "p2", "p2=none", "letters only");
    one_error(a, "v=DMARC1; =reject", MC_DMARC_ERR_NAME, NULL, "=reject", "without a tag name");
    /* Empty terms; a final ";" is fine. */
    one_error(a, "v=DMARC1;;p=none", MC_DMARC_ERR_EMPTY_TERM, NULL, ";;", "empty tag");
    one_error(a, "v=DMARC1; p=none; ;", MC_DMARC_ERR_EMPTY_TERM, NULL, "; ;", "empty tag");
    parse_clean(a, "v=DMARC1; p=none;");
    parse_clean(a, "v=DMARC1; p=none ; \t");
    /* Empty values (1*dmarc-value). */
    r = one_error(a, "v=DMARC1; p=", MC_DMARC_ERR_EMPTY_VALUE, "p", "p=", "empty value");
    assert_false(r->has_p);
    one_error(a, "v=DMARC1; p=none; rua=", MC_DMARC_ERR_EMPTY_VALUE, "rua", "rua=", "empty value");
    one_error(a, "v=DMARC1; p=none; pct=", MC_DMARC_ERR_EMPTY_VALUE, "pct", "pct=", "empty value");
    /* Octets outside dmarc-value, shown as \xHH. */
    one_error(a, "v=DMARC1; p=re\tject", MC_DMARC_ERR_OCTET, "p", "p=re\\009ject", "0x09");
    one_error(a, "v=DMARC1; p=none; future=caf\xc3\xa9", MC_DMARC_ERR_OCTET, "future",
              "future=caf\\195\\169", "0xc3");
    /* In rua and ruf the URI parse names the URI (dmarc-urilist allows
     * HTAB around ","). */
    one_error(a, "v=DMARC1; p=none; rua=mailto:a@example.com\xe2\x80\x9d", MC_DMARC_ERR_VALUE,
              "rua", "mailto:a@example.com\\226\\128\\157", "0xe2");
    static const char nul[] = "v=DMARC1; p=none; sp=no\0ne";
    one_error_len(a, nul, sizeof nul - 1, MC_DMARC_ERR_OCTET, "sp", "sp=no\\000ne", "0x00");
    /* Values outside their rule (Table 2). */
    r = one_error(a, "v=DMARC1; p=block", MC_DMARC_ERR_VALUE, "p", "p=block",
                  "none, quarantine or reject");
    assert_false(r->has_p);
    one_error(a, "v=DMARC1; p=reject; sp=bounce", MC_DMARC_ERR_VALUE, "sp", "sp=bounce",
              "none, quarantine or reject");
    one_error(a, "v=DMARC1; p=reject; np=invalid", MC_DMARC_ERR_VALUE, "np", "np=invalid",
              "none, quarantine or reject");
    one_error(a, "v=DMARC1; p=reject; sp=re ject", MC_DMARC_ERR_VALUE, "sp", "sp=re ject", "none");
    one_error(a, "v=DMARC1; p=reject; psd=x", MC_DMARC_ERR_VALUE, "psd", "psd=x", "y, n or u");
    one_error(a, "v=DMARC1; p=reject; t=yes", MC_DMARC_ERR_VALUE, "t", "t=yes", "y or n");
    one_error(a, "v=DMARC1; p=reject; ADKIM=strict", MC_DMARC_ERR_VALUE, "ADKIM", "ADKIM=strict",
              "r (relaxed) or s (strict)");
    one_error(a, "v=DMARC1; aspf=123", MC_DMARC_ERR_VALUE, "aspf", "aspf=123", "r (relaxed)");
    one_error(a, "v=DMARC1; fo=01", MC_DMARC_ERR_VALUE, "fo", "fo=01", "0, 1, d or s");
    one_error(a, "v=DMARC1; fo=0:1", MC_DMARC_ERR_VALUE, "fo", "fo=0:1", "mutually exclusive");
    one_error(a, "v=DMARC1; fo=d:d", MC_DMARC_ERR_VALUE, "fo", "fo=d:d", "twice");
    one_error(a, "v=DMARC1; fo=0:", MC_DMARC_ERR_VALUE, "fo", "fo=0:", "joined by");
    one_error(a, "v=DMARC1; fo=0 : 1", MC_DMARC_ERR_VALUE, "fo", "fo=0 : 1", "0, 1, d or s");
    one_error(a, "v=DMARC1; fo=invalid_value", MC_DMARC_ERR_VALUE, "fo", "fo=invalid_value", "fo");
    /* A rua or ruf URI that is no URI: the error names the URI. */
    one_error(a, "v=DMARC1; p=none; rua=dmarc@example.com", MC_DMARC_ERR_VALUE, "rua",
              "dmarc@example.com", "mailto:");
    one_error(a, "v=DMARC1; p=none; ruf=mailto:", MC_DMARC_ERR_VALUE, "ruf",
              "mailto:", "without an address");
    one_error(a, "v=DMARC1; p=none; rua=mailto:a@example.com!", MC_DMARC_ERR_VALUE, "rua",
              "mailto:a@example.com!", "%21");
    one_error(a, "v=DMARC1; p=none; rua=mailto:a@example.com!10p", MC_DMARC_ERR_VALUE, "rua",
              "mailto:a@example.com!10p", "%21");
    one_error(a, "v=DMARC1; p=none; rua=mailto:a@exa mple.com", MC_DMARC_ERR_VALUE, "rua",
              "mailto:a@exa mple.com", "0x20");
    /* Duplicates: the first one is read, and the finding says receivers
     * differ (RFC 6376 §3.2 makes the tag-list invalid); v is first, so a
     * later v is one. */
    r = one_error(a, "v=DMARC1; p=reject; p=none", MC_DMARC_ERR_DUPLICATE, "p", "p=none",
                  "receivers differ, and this report reads the first");
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
    one_error(a, "v=DMARC1; p=none; v=DMARC1", MC_DMARC_ERR_DUPLICATE, "v", "v=DMARC1",
              "more than once");
    one_error(a, "v=DMARC1; p=none; P=reject", MC_DMARC_ERR_DUPLICATE, "P", "P=reject",
              "more than once");
    /* A bad p then a good one: still a duplicate, p stays invalid. */
    r = parse(a, "v=DMARC1; p=bogus; p=reject");
    assert_int_equal(r->nerrors, 2);
    assert_int_equal(r->errors[1].kind, MC_DMARC_ERR_DUPLICATE);
    assert_false(r->has_p);

    /* Not a record at all. */
    struct mc_dmarc_record rec;
    assert_false(mc_dmarc_parse(&rec, a, "v=DMARC2; p=none", 16));
    assert_non_null(strstr(rec.why, "v=DMARC1"));
    assert_int_equal(rec.nerrors, 0);
    assert_int_equal(rec.usable, MC_DMARC_UNUSABLE);
}

/* Malformed records published in the wild (as collected by Mail::DMARC),
 * each as receivers following §4.8 read it: the bad term named, the rest
 * applied. */
static void real_world_records(void **state)
{
    struct mc_arena *a = *state;
    const struct {
        const char *text;
        enum mc_dmarc_error_kind kind;
        const char *bad;
        enum mc_dmarc_policy p;
    } cases[] = {
        {"v=DMARC1;p=none;fo:0;adkim=r;aspf=r;sp=none;rua=mailto:postmaster@example.com",
         MC_DMARC_ERR_NOT_TAG, "fo:0", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=none;rua=mailto:pm@example.com;ruf=mailto:pm@example.com;adkim=r;aspf=r;"
         "pct=100;rf:afrf;ri=86400;sp=none",
         MC_DMARC_ERR_NOT_TAG, "rf:afrf", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=none;sp=none;rua=mailto:agg@example.net;ruf=mailto:afrf@example.net;"
         "rf=afrf;pct100",
         MC_DMARC_ERR_NOT_TAG, "pct100", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=quarantine;rua=mailto:dan@example.com;ruf=mailto:dan@example.com;1:d:s;"
         "adkim=r;aspf=r;rf=afrf;sp=quarantine",
         MC_DMARC_ERR_NOT_TAG, "1:d:s", MC_DMARC_POLICY_QUARANTINE},
        {"v=DMARC1;p=none;0;adkim=r;aspf=r", MC_DMARC_ERR_NOT_TAG, "0", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=none;sp-none;rua=mailto:pm@example.com!1m;ruf=mailto:pm@example.com!1m;"
         "rf=afrf;pct=100;ri=86400",
         MC_DMARC_ERR_NOT_TAG, "sp-none", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=reject;adkim=s;aspf=r;rf=afrf;;pct=100", MC_DMARC_ERR_EMPTY_TERM, ";;",
         MC_DMARC_POLICY_REJECT},
        {"v=DMARC1;p=none;sp=none;rua=mailto:pm@example.org!10m;;pct=100;ri=86400",
         MC_DMARC_ERR_EMPTY_TERM, ";;", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=reject;rua=mailto:fb@example.com;pct=;ruf=mailto:fb@example.com",
         MC_DMARC_ERR_EMPTY_VALUE, "pct=", MC_DMARC_POLICY_REJECT},
        {"v=DMARC1;p=none;rua=mailto:r@example.com;pct=100;\xe2\x80\x9d", MC_DMARC_ERR_NOT_TAG,
         "\\226\\128\\157", MC_DMARC_POLICY_NONE},
        {"v=DMARC1;p=reject;adkim=s;aspf=r;rf\xef\xbf\xbdrf;pct0", MC_DMARC_ERR_NOT_TAG,
         "rf\\239\\191\\189rf", MC_DMARC_POLICY_REJECT},
        {"v=DMARC1; p=reject; rua=a@dmarc-qa.example", MC_DMARC_ERR_VALUE, "a@dmarc-qa.example",
         MC_DMARC_POLICY_REJECT},
        {"v=DMARC1; p=none; rua=reports@dmarc.example.gov,mailto:dmarc@example.gov",
         MC_DMARC_ERR_VALUE, "reports@dmarc.example.gov", MC_DMARC_POLICY_NONE},
        {"v=DMARC1; p=none; rua=__mailto:reports@dmarc.example.gov", MC_DMARC_ERR_VALUE,
         "__mailto:reports@dmarc.example.gov", MC_DMARC_POLICY_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct mc_dmarc_record *r = parse(a, cases[i].text);
        bool hit = false;
        for (size_t k = 0; k < r->nerrors; k++)
            hit |=
                r->errors[k].kind == cases[i].kind && strcmp(r->errors[k].text, cases[i].bad) == 0;
        if (!hit)
            fail_msg("\"%s\": no error of kind %d on \"%s\"", cases[i].text, (int)cases[i].kind,
                     cases[i].bad);
        assert_true(r->has_p);
        assert_int_equal(r->p, cases[i].p);
        assert_int_equal(r->usable, MC_DMARC_USABLE);
    }
    /* The obsolete size suffix is no error (§4.8 obs-dmarc-uri). */
    const struct mc_dmarc_record *r = parse(a, cases[5].text);
    assert_int_equal(r->nrua, 1);
    assert_true(r->rua[0].size_suffix);
    assert_int_equal(r->rua[0].kind, MC_DMARC_URI_MAILTO);
    /* Not records: escaped ";", a pseudo-tag before v, the version's case. */
    const char *not_records[] = {
        "v=DMARC1\\; p=reject\\;",
        "domain=example.com;v=DMARC1;p=reject;rua=mailto:fb@example.com",
        "v=dmarc1;p=none;rua=mailto:fb@example.com",
    };
    for (size_t i = 0; i < sizeof not_records / sizeof not_records[0]; i++) {
        assert_false(is_record(not_records[i]));
        assert_non_null(mc_dmarc_near_miss(not_records[i], strlen(not_records[i])));
    }
}

/* §4.6, §4.8 dmarc-urilist: URIs, their kinds and hosts. */
static void uri_lists(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *r =
        parse(a, "v=DMARC1; p=none; rua=mailto:a@Example.COM. ,\t mailto:b@example.net!10m , "
                 "https://Reports.Example.org:8443/dmarc?x=1,ftp://user@ftp.example.com/in, "
                 "mailto:c%2Bd@example.com?subject=dmarc,urn:x-dmarc:collector");
    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrua, 6);
    assert_int_equal(r->rua[0].kind, MC_DMARC_URI_MAILTO);
    assert_string_equal(r->rua[0].text, "mailto:a@Example.COM.");
    assert_string_equal(r->rua[0].host, "example.com");
    assert_null(r->rua[0].why);
    assert_true(r->rua[1].size_suffix);
    assert_string_equal(r->rua[1].host, "example.net");
    assert_int_equal(r->rua[2].kind, MC_DMARC_URI_OTHER);
    assert_string_equal(r->rua[2].host, "reports.example.org");
    assert_non_null(strstr(r->rua[2].why, "mailto:"));
    assert_int_equal(r->rua[3].kind, MC_DMARC_URI_OTHER);
    assert_string_equal(r->rua[3].host, "ftp.example.com");
    assert_int_equal(r->rua[4].kind, MC_DMARC_URI_MAILTO);
    assert_string_equal(r->rua[4].host, "example.com");
    assert_int_equal(r->rua[5].kind, MC_DMARC_URI_OTHER);
    assert_null(r->rua[5].host);
    assert_true(r->rua_valid);

    r = parse_clean(a, "v=DMARC1; rua=https://[2001:DB8::1]:443/r, http://u:pw@h.example.:80");
    assert_string_equal(r->rua[0].host, "[2001:db8::1]");
    assert_string_equal(r->rua[1].host, "h.example");

    /* Size suffix units, any case. */
    r = parse_clean(a, "v=DMARC1; rua=mailto:a@example.com!0G, mailto:b@example.com!5");
    assert_true(r->rua[0].size_suffix && r->rua[1].size_suffix);

    /* Invalid URIs: no scheme, no address, a bad domain, an empty item. */
    const char *invalid[] = {
        "mailto:",
        "mailto:@example.com",
        "mailto:dmarc@",
        "mailto:dmarc@exa_mple.com",
        "mailto:a@b..com",
        "dmarc@example.com",
        ":foo",
        "1http://example.com",
        "mailto:a@[192.0.2.1]",
        "mailto:a\"b@example.com",
        "mailto:a@example.com!1!2",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        char text[160];
        snprintf(text, sizeof text, "v=DMARC1; p=none; ruf=%s", invalid[i]);
        r = parse(a, text);
        assert_int_equal(r->nruf, 1);
        if (r->ruf[0].kind != MC_DMARC_URI_INVALID)
            fail_msg("\"%s\" not invalid", invalid[i]);
        assert_non_null(r->ruf[0].why);
        assert_null(r->ruf[0].host);
        assert_int_equal(r->nerrors, 1);
        assert_string_equal(r->errors[0].tag, "ruf");
    }
    /* A trailing comma leaves an empty URI. */
    r = parse(a, "v=DMARC1; rua=mailto:a@example.com,");
    assert_int_equal(r->nrua, 2);
    assert_int_equal(r->rua[1].kind, MC_DMARC_URI_INVALID);
    assert_true(r->rua_valid);

    /* At most MC_DMARC_LIST_MAX kept; the rest counted. */
    char big[4096] = "v=DMARC1; p=none; rua=";
    for (int i = 0; i < 40; i++) {
        char one[40];
        snprintf(one, sizeof one, "%smailto:r%d@example.com", i ? "," : "", i);
        append(big, sizeof big, one);
    }
    r = parse_clean(a, big);
    assert_int_equal(r->nrua, MC_DMARC_LIST_MAX);
    assert_int_equal(r->rua_dropped, 40 - MC_DMARC_LIST_MAX);
    for (int i = 0; i < MC_DMARC_LIST_MAX; i++) { /* each kept, in order, as the list grew */
        char one[40];
        snprintf(one, sizeof one, "mailto:r%d@example.com", i);
        assert_string_equal(r->rua[i].text, one);
        assert_string_equal(r->rua[i].host, "example.com");
        assert_int_equal(r->rua[i].kind, MC_DMARC_URI_MAILTO);
    }
}

/* §4.10.1: without a valid p, or with an invalid sp or np, a record acts as
 * p=none when rua holds a valid URI; else DMARC does not apply. */
static void records_without_a_valid_policy(void **state)
{
    struct mc_arena *a = *state;
    const struct {
        const char *text;
        enum mc_dmarc_usable usable, usable_rfc7489;
    } cases[] = {
        {"v=DMARC1; p=none", MC_DMARC_USABLE, MC_DMARC_USABLE},
        {"v=DMARC1; rua=mailto:dmarc@example.com", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE_AS_NONE},
        {"v=DMARC1", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        {"v=DMARC1; adkim=s", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        {"v=DMARC1; psd=y", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        {"v=DMARC1; p=block; adkim=s; rua=mailto:dmarc@example.com!10m", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE_AS_NONE},
        {"v=DMARC1; p=reject; sp=bounce; rua=mailto:dmarc@example.com", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE_AS_NONE},
        /* np and psd are unknown to RFC 7489: only its p and sp count. */
        {"v=DMARC1; p=reject; np=; rua=mailto:dmarc@example.com", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE},
        {"v=DMARC1; p=reject; np=bogus", MC_DMARC_UNUSABLE, MC_DMARC_USABLE},
        {"v=DMARC1; p=reject; psd=x", MC_DMARC_USABLE, MC_DMARC_USABLE},
        {"v=DMARC1; p=reject; sp=nope; rua=dmarc@example.com", MC_DMARC_UNUSABLE,
         MC_DMARC_UNUSABLE},
        {"v=DMARC1; p=reject; sp=nope; rua=", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        {"v=DMARC1; p=reject; sp=nope; rua=mailto:", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        /* ruf does not count; any valid URI in rua does. */
        {"v=DMARC1; ruf=mailto:f@example.com", MC_DMARC_UNUSABLE, MC_DMARC_UNUSABLE},
        {"v=DMARC1; rua=https://example.com/dmarc", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE_AS_NONE},
        {"v=DMARC1; rua=dmarc@example.com,mailto:ok@example.com", MC_DMARC_USABLE_AS_NONE,
         MC_DMARC_USABLE_AS_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct mc_dmarc_record *r = parse(a, cases[i].text);
        if (r->usable != cases[i].usable || r->usable_rfc7489 != cases[i].usable_rfc7489)
            fail_msg("\"%s\": usable %d/%d, want %d/%d", cases[i].text, (int)r->usable,
                     (int)r->usable_rfc7489, (int)cases[i].usable, (int)cases[i].usable_rfc7489);
    }
}

/* ---- the DNS Tree Walk (§4.10) ---- */

static void walk_names(void **state)
{
    (void)state;
    struct mc_dmarc_walk w;

    /* §4.10's illustration: 13 labels, eight queries. */
    assert_true(mc_dmarc_walk_start(&w, "a.b.c.d.e.f.g.h.i.j.mail.example.com"));
    const char *want[] = {"a.b.c.d.e.f.g.h.i.j.mail.example.com",
                          "g.h.i.j.mail.example.com",
                          "h.i.j.mail.example.com",
                          "i.j.mail.example.com",
                          "j.mail.example.com",
                          "mail.example.com",
                          "example.com",
                          "com"};
    assert_int_equal(mc_dmarc_walk_count(&w), 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(mc_dmarc_walk_name(&w, i), want[i]);
    assert_null(mc_dmarc_walk_name(&w, 8));

    /* Eight labels: one fewer (= seven); nine: cut to seven. */
    assert_true(mc_dmarc_walk_start(&w, "a.b.c.d.e.f.example.com"));
    assert_int_equal(mc_dmarc_walk_count(&w), 8);
    assert_string_equal(mc_dmarc_walk_name(&w, 1), "b.c.d.e.f.example.com");
    assert_true(mc_dmarc_walk_start(&w, "x.a.b.c.d.e.f.example.com"));
    assert_int_equal(mc_dmarc_walk_count(&w), 8);
    assert_string_equal(mc_dmarc_walk_name(&w, 0), "x.a.b.c.d.e.f.example.com");
    assert_string_equal(mc_dmarc_walk_name(&w, 1), "b.c.d.e.f.example.com");
    assert_string_equal(mc_dmarc_walk_name(&w, 7), "com");
    /* Seven labels and fewer: every parent, the top-level label last. */
    assert_true(mc_dmarc_walk_start(&w, "b.c.d.e.f.example.com"));
    assert_int_equal(mc_dmarc_walk_count(&w), 7);
    assert_true(mc_dmarc_walk_start(&w, "com"));
    assert_int_equal(mc_dmarc_walk_count(&w), 1);
    assert_string_equal(mc_dmarc_walk_next(&w), "com");
    /* Case and a trailing dot. */
    assert_true(mc_dmarc_walk_start(&w, "Mail.Example.COM."));
    assert_string_equal(mc_dmarc_walk_next(&w), "mail.example.com");
    assert_int_equal(mc_dmarc_walk_count(&w), 3);

    /* 127 labels: still eight. */
    char deep[256] = "";
    for (int i = 0; i < 126; i++)
        append(deep, sizeof deep, "a.");
    append(deep, sizeof deep, "b");
    assert_true(mc_dmarc_walk_start(&w, deep));
    assert_int_equal(mc_dmarc_walk_count(&w), 8);
    assert_string_equal(mc_dmarc_walk_name(&w, 1), "a.a.a.a.a.a.b");
    /* ...but "_dmarc." + 253 octets is over the DNS limit: that name is
     * skipped, as having no record. */
    assert_string_equal(mc_dmarc_walk_next(&w), "a.a.a.a.a.a.b");

    /* A label over 63 octets: the names holding it cannot exist. */
    char longlabel[128];
    memset(longlabel, 'a', 64);
    snprintf(longlabel + 64, sizeof longlabel - 64, ".example.com");
    assert_true(mc_dmarc_walk_start(&w, longlabel));
    assert_int_equal(mc_dmarc_walk_count(&w), 3);
    assert_string_equal(mc_dmarc_walk_next(&w), "example.com");

    /* No domain names. */
    assert_false(mc_dmarc_walk_start(&w, ""));
    assert_false(mc_dmarc_walk_start(&w, "."));
    assert_false(mc_dmarc_walk_start(&w, ".example.com"));
    assert_false(mc_dmarc_walk_start(&w, "a..example.com"));
    assert_false(mc_dmarc_walk_start(&w, "example.com.."));
    char toolong[300];
    memset(toolong, 'a', sizeof toolong - 1);
    toolong[sizeof toolong - 1] = '\0';
    for (size_t i = 60; i < sizeof toolong - 1; i += 61)
        toolong[i] = '.';
    assert_false(mc_dmarc_walk_start(&w, toolong));
    assert_null(mc_dmarc_walk_next(&w));
}

/* Appendix B.4.1: records at example.com and signing.example.com. */
static void appendix_b41(void **state)
{
    struct mc_arena *a = *state;
    const struct txt_rr zone[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
        {"_dmarc.signing.example.com", "v=DMARC1; p=reject"},
    };
    struct mc_dmarc_walk author, dkim;
    struct run ra, rd;

    run_walk(a, ZONE(zone), "example.com", &author, &ra);
    expect_asked(&ra, ASKED("example.com", "com"));
    expect_found(&ra, "v=DMARC1; p=reject", MC_DMARC_SOURCE_AUTHOR, "example.com", "example.com");
    /* MAIL FROM example.com: identical, aligned without a walk. */
    assert_int_equal(
        mc_dmarc_align_early(MC_DMARC_ALIGN_RELAXED, "example.com", "example.com", "example.com"),
        MC_DMARC_ALIGN_YES);
    /* d=signing.example.com: its own walk. */
    assert_int_equal(mc_dmarc_align_early(MC_DMARC_ALIGN_RELAXED, "example.com", "example.com",
                                          "signing.example.com"),
                     MC_DMARC_ALIGN_WALK);
    run_walk(a, ZONE(zone), "signing.example.com", &dkim, &rd);
    expect_asked(&rd, ASKED("signing.example.com", "example.com", "com"));
    assert_string_equal(rd.found.org_domain, "example.com");
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "example.com", ra.found.org_domain,
                                 "signing.example.com", rd.found.org_domain));
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_STRICT, "example.com", ra.found.org_domain,
                                  "signing.example.com", rd.found.org_domain));
    assert_int_equal(applied(&ra.found, true), MC_DMARC_POLICY_REJECT);
}

/* Appendix B.4.2: a deep Author Domain, records only at example.com and
 * signing.example.com. */
static void appendix_b42(void **state)
{
    struct mc_arena *a = *state;
    const struct txt_rr zone[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
        {"_dmarc.signing.example.com", "v=DMARC1; p=reject"},
    };
    const char *author = "a.b.c.d.e.f.g.h.i.j.k.example.com";
    struct mc_dmarc_walk wa, wd;
    struct run ra, rd;

    run_walk(a, ZONE(zone), author, &wa, &ra);
    expect_asked(&ra, ASKED("a.b.c.d.e.f.g.h.i.j.k.example.com", "g.h.i.j.k.example.com",
                            "h.i.j.k.example.com", "i.j.k.example.com", "j.k.example.com",
                            "k.example.com", "example.com", "com"));
    expect_found(&ra, "v=DMARC1; p=reject", MC_DMARC_SOURCE_ORG, "example.com", "example.com");
    /* SPF example.com and DKIM signing.example.com both align, relaxed. */
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, author, ra.found.org_domain, "example.com",
                                 "example.com"));
    run_walk(a, ZONE(zone), "signing.example.com", &wd, &rd);
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, author, ra.found.org_domain,
                                 "signing.example.com", rd.found.org_domain));
    /* The policy domain is example.com; the author is a subdomain: sp=p. */
    assert_int_equal(applied(&ra.found, true), MC_DMARC_POLICY_REJECT);
}

/* Appendix B.4.3: a PSD record (psd=y) at bank.example. */
static void appendix_b43(void **state)
{
    struct mc_arena *a = *state;
    const struct txt_rr zone[] = {
        {"_dmarc.bank.example", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@bank.example"},
        {"_dmarc.giant.bank.example", "v=DMARC1; p=quarantine"},
    };
    struct mc_dmarc_walk wa, ws, wd;
    struct run ra, rs, rd;

    run_walk(a, ZONE(zone), "giant.bank.example", &wa, &ra);
    expect_asked(&ra, ASKED("giant.bank.example", "bank.example"));
    expect_found(&ra, "v=DMARC1; p=quarantine", MC_DMARC_SOURCE_AUTHOR, "giant.bank.example",
                 "giant.bank.example");
    /* MAIL FROM mail.giant.bank.example: aligned. */
    run_walk(a, ZONE(zone), "mail.giant.bank.example", &ws, &rs);
    expect_asked(&rs, ASKED("mail.giant.bank.example", "giant.bank.example", "bank.example"));
    assert_string_equal(rs.found.org_domain, "giant.bank.example");
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "giant.bank.example", ra.found.org_domain,
                                 "mail.giant.bank.example", rs.found.org_domain));
    /* d=mail.mega.bank.example: Organizational Domain mega.bank.example. */
    assert_int_equal(mc_dmarc_align_early(MC_DMARC_ALIGN_RELAXED, "giant.bank.example",
                                          ra.found.org_domain, "mail.mega.bank.example"),
                     MC_DMARC_ALIGN_NO);
    run_walk(a, ZONE(zone), "mail.mega.bank.example", &wd, &rd);
    expect_asked(&rd, ASKED("mail.mega.bank.example", "mega.bank.example", "bank.example"));
    assert_string_equal(rd.found.org_domain, "mega.bank.example");
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "giant.bank.example", ra.found.org_domain,
                                  "mail.mega.bank.example", rd.found.org_domain));
    assert_int_equal(applied(&ra.found, true), MC_DMARC_POLICY_QUARANTINE);
}

/* §4.10.2's three examples for a.mail.example.com. */
static void section_4102_examples(void **state)
{
    struct mc_arena *a = *state;
    struct mc_dmarc_walk w;
    struct run r;

    const struct txt_rr two[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(two), "a.mail.example.com", &w, &r);
    expect_asked(&r, ASKED("a.mail.example.com", "mail.example.com", "example.com", "com"));
    expect_found(&r, "v=DMARC1; p=reject", MC_DMARC_SOURCE_ORG, "example.com", "example.com");

    const struct txt_rr psd_n[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=quarantine; psd=n"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(psd_n), "a.mail.example.com", &w, &r);
    expect_asked(&r, ASKED("a.mail.example.com", "mail.example.com"));
    expect_found(&r, "v=DMARC1; p=quarantine; psd=n", MC_DMARC_SOURCE_ORG, "mail.example.com",
                 "mail.example.com");

    const struct txt_rr psd_y[] = {{"_dmarc.com", "v=DMARC1; p=reject; psd=y"}};
    run_walk(a, ZONE(psd_y), "a.mail.example.com", &w, &r);
    expect_asked(&r, ASKED("a.mail.example.com", "mail.example.com", "example.com", "com"));
    expect_found(&r, "v=DMARC1; p=reject; psd=y", MC_DMARC_SOURCE_PSD, "com", "example.com");
}

/* §4.10.1: which record applies. */
static void policy_discovery(void **state)
{
    struct mc_arena *a = *state;
    struct mc_dmarc_walk w;
    struct run r;

    /* No record anywhere: DMARC does not apply; the domain is its own
     * Organizational Domain. */
    run_walk(a, NULL, 0, "mail.example.com", &w, &r);
    expect_asked(&r, ASKED("mail.example.com", "example.com", "com"));
    expect_found(&r, NULL, MC_DMARC_SOURCE_NONE, NULL, "mail.example.com");
    struct mc_dmarc_applied ap;
    assert_false(mc_dmarc_apply(&ap, &r.found, true));

    /* A record only at the Author Domain: it is its own Organizational
     * Domain, although the PSL says example.com. */
    const struct txt_rr own[] = {{"_dmarc.mail.example.com", "v=DMARC1; p=reject"}};
    run_walk(a, ZONE(own), "mail.example.com", &w, &r);
    expect_found(&r, "v=DMARC1; p=reject", MC_DMARC_SOURCE_AUTHOR, "mail.example.com",
                 "mail.example.com");

    /* The Author Domain's record applies; the Organizational Domain is
     * still the fewest labels. */
    const struct txt_rr both[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(both), "mail.example.com", &w, &r);
    expect_asked(&r, ASKED("mail.example.com", "example.com", "com"));
    expect_found(&r, "v=DMARC1; p=none", MC_DMARC_SOURCE_AUTHOR, "mail.example.com", "example.com");

    /* psd=n at the Author Domain stops the walk at once. */
    const struct txt_rr anchor[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(anchor), "mail.example.com", &w, &r);
    expect_asked(&r, ASKED("mail.example.com"));
    expect_found(&r, "v=DMARC1; p=reject; psd=n", MC_DMARC_SOURCE_AUTHOR, "mail.example.com",
                 "mail.example.com");
    assert_int_equal(mc_dmarc_align_early(MC_DMARC_ALIGN_RELAXED, "mail.example.com",
                                          r.found.org_domain, "example.com"),
                     MC_DMARC_ALIGN_NO);

    /* Early knowledge: after a record at the first name the record is
     * known, the Organizational Domain not yet. */
    assert_true(mc_dmarc_walk_start(&w, "mail.example.com"));
    mc_dmarc_walk_answer(&w, parse(a, "v=DMARC1; p=quarantine"));
    assert_false(mc_dmarc_walk_result(&w, &r.found));
    assert_non_null(r.found.record);
    assert_int_equal(r.found.source, MC_DMARC_SOURCE_AUTHOR);
    assert_null(r.found.org_domain);
    assert_string_equal(mc_dmarc_walk_next(&w), "example.com");
    assert_true(mc_dmarc_walk_start(&w, "mail.example.com"));
    mc_dmarc_walk_answer(&w, NULL);
    assert_false(mc_dmarc_walk_result(&w, &r.found));
    assert_null(r.found.record);

    /* Several records at the Author Domain are discarded and the walk goes
     * on (RFC 7489 stopped there). */
    const struct txt_rr several[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=reject"},
        {"_dmarc.mail.example.com", "v=DMARC1; p=quarantine"},
        {"_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine"},
    };
    run_walk(a, ZONE(several), "mail.example.com", &w, &r);
    expect_found(&r, "v=DMARC1; p=none; sp=quarantine", MC_DMARC_SOURCE_ORG, "example.com",
                 "example.com");
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_QUARANTINE);

    /* ...and so above it: the psd=n of a discarded set does not count. */
    const struct txt_rr several_above[] = {
        {"_dmarc.b.example.com", "v=DMARC1; p=reject; psd=n"},
        {"_dmarc.b.example.com", "v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=quarantine"},
    };
    run_walk(a, ZONE(several_above), "a.b.example.com", &w, &r);
    expect_asked(&r, ASKED("a.b.example.com", "b.example.com", "example.com", "com"));
    expect_found(&r, "v=DMARC1; p=quarantine", MC_DMARC_SOURCE_ORG, "example.com", "example.com");

    /* Other TXT records at _dmarc are no records. */
    const struct txt_rr other[] = {
        {"_dmarc.mail.example.com", "some other txt record"},
        {"_dmarc.mail.example.com", " v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=quarantine"},
    };
    run_walk(a, ZONE(other), "mail.example.com", &w, &r);
    expect_found(&r, "v=DMARC1; p=quarantine", MC_DMARC_SOURCE_ORG, "example.com", "example.com");

    /* The record with the fewest labels, not an intermediate one. */
    const struct txt_rr fewest[] = {
        {"_dmarc.b.example.com", "v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(fewest), "a.b.example.com", &w, &r);
    expect_found(&r, "v=DMARC1; p=reject", MC_DMARC_SOURCE_ORG, "example.com", "example.com");

    /* ...unless the intermediate one says psd=n. */
    const struct txt_rr intermediate[] = {
        {"_dmarc.b.example.com", "v=DMARC1; p=reject; psd=n"},
        {"_dmarc.example.com", "v=DMARC1; p=none"},
    };
    run_walk(a, ZONE(intermediate), "a.b.example.com", &w, &r);
    expect_asked(&r, ASKED("a.b.example.com", "b.example.com"));
    expect_found(&r, "v=DMARC1; p=reject; psd=n", MC_DMARC_SOURCE_ORG, "b.example.com",
                 "b.example.com");
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_REJECT);

    /* A record published at a name the PSL lists as a suffix. */
    const struct txt_rr blog[] = {{"_dmarc.blogspot.com", "v=DMARC1; p=reject"}};
    run_walk(a, ZONE(blog), "alice.blogspot.com", &w, &r);
    expect_found(&r, "v=DMARC1; p=reject", MC_DMARC_SOURCE_ORG, "blogspot.com", "blogspot.com");

    /* An Author Domain record without a valid policy (nor rua) applies,
     * and makes DMARC not apply: the walk does not fall back to a parent. */
    const struct txt_rr nopolicy[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; adkim=s"},
        {"_dmarc.example.com", "v=DMARC1; p=reject"},
    };
    run_walk(a, ZONE(nopolicy), "mail.example.com", &w, &r);
    expect_found(&r, "v=DMARC1; adkim=s", MC_DMARC_SOURCE_AUTHOR, "mail.example.com",
                 "example.com");
    assert_false(mc_dmarc_apply(&ap, &r.found, true));
}

/* psd=y: the Public Suffix Domain's record and the Organizational Domain
 * one label below it (§4.7 psd, §4.10.1, §4.10.2 rule 2). */
static void public_suffix_domains(void **state)
{
    struct mc_arena *a = *state;
    struct mc_dmarc_walk w, w2;
    struct run r, r2;

    /* The Organizational Domain publishes its own: the PSD's is not used. */
    const struct txt_rr own[] = {
        {"_dmarc.example", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@example"},
        {"_dmarc.foo.example", "v=DMARC1; p=none"},
    };
    run_walk(a, ZONE(own), "foo.example", &w, &r);
    expect_asked(&r, ASKED("foo.example", "example"));
    expect_found(&r, "v=DMARC1; p=none", MC_DMARC_SOURCE_AUTHOR, "foo.example", "foo.example");
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_NONE);

    /* It publishes none: the PSD's applies, with sp. */
    const struct txt_rr none[] = {
        {"_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; psd=y"},
    };
    run_walk(a, ZONE(none), "mail.giant.bank.example", &w, &r);
    expect_asked(&r, ASKED("mail.giant.bank.example", "giant.bank.example", "bank.example"));
    expect_found(&r, "v=DMARC1; p=reject; sp=quarantine; psd=y", MC_DMARC_SOURCE_PSD,
                 "bank.example", "giant.bank.example");
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_QUARANTINE);
    /* d=giant.bank.example aligns. */
    run_walk(a, ZONE(none), "giant.bank.example", &w2, &r2);
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "mail.giant.bank.example",
                                 r.found.org_domain, "giant.bank.example", r2.found.org_domain));

    /* Two registrants below one PSD do not align, nor does the PSD. */
    const struct txt_rr psd[] = {{"_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"}};
    run_walk(a, ZONE(psd), "giant.bank.example", &w, &r);
    expect_found(&r, "v=DMARC1; p=reject; psd=y", MC_DMARC_SOURCE_PSD, "bank.example",
                 "giant.bank.example");
    run_walk(a, ZONE(psd), "mega.bank.example", &w2, &r2);
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "giant.bank.example", r.found.org_domain,
                                  "mega.bank.example", r2.found.org_domain));
    assert_int_equal(mc_dmarc_align_early(MC_DMARC_ALIGN_RELAXED, "giant.bank.example",
                                          r.found.org_domain, "bank.example"),
                     MC_DMARC_ALIGN_NO);

    /* A PSD sending as itself is its own Organizational Domain: rule 2
     * skips the first name; p applies. */
    const struct txt_rr self[] = {{"_dmarc.bank.example", "v=DMARC1; p=reject; sp=none; psd=y"}};
    run_walk(a, ZONE(self), "bank.example", &w, &r);
    expect_asked(&r, ASKED("bank.example"));
    expect_found(&r, "v=DMARC1; p=reject; sp=none; psd=y", MC_DMARC_SOURCE_AUTHOR, "bank.example",
                 "bank.example");
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_REJECT);
    /* MAIL FROM mail.bank.example: its walk stops at the psd=y record one
     * label above it, so its Organizational Domain is mail.bank.example. */
    run_walk(a, ZONE(self), "mail.bank.example", &w2, &r2);
    assert_string_equal(r2.found.org_domain, "mail.bank.example");
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "bank.example", r.found.org_domain,
                                  "mail.bank.example", r2.found.org_domain));

    /* A PSD record without p nor rua: DMARC does not apply below it. */
    const struct txt_rr bare[] = {{"_dmarc.psd.example", "v=DMARC1; psd=y"}};
    run_walk(a, ZONE(bare), "sub.psd.example", &w, &r);
    expect_found(&r, "v=DMARC1; psd=y", MC_DMARC_SOURCE_PSD, "psd.example", "sub.psd.example");
    struct mc_dmarc_applied ap;
    assert_false(mc_dmarc_apply(&ap, &r.found, true));

    /* psd=y at the seventh label of a long name: the Organizational Domain
     * is the eighth-label name, which the cut skipped, so counts as having
     * no record: the PSD's applies. */
    const struct txt_rr deep[] = {
        {"_dmarc.c.d.e.f.g.example.com", "v=DMARC1; p=reject; psd=y"},
        {"_dmarc.b.c.d.e.f.g.example.com", "v=DMARC1; p=none"},
    };
    run_walk(a, ZONE(deep), "x.a.b.c.d.e.f.g.example.com", &w, &r);
    expect_asked(&r, ASKED("x.a.b.c.d.e.f.g.example.com", "c.d.e.f.g.example.com"));
    expect_found(&r, "v=DMARC1; p=reject; psd=y", MC_DMARC_SOURCE_PSD, "c.d.e.f.g.example.com",
                 "b.c.d.e.f.g.example.com");
}

/* The policy that applies (§4.7 p, sp, np, t; §4.10.1). */
static void applied_policy(void **state)
{
    struct mc_arena *a = *state;
    struct mc_dmarc_walk w;
    struct run r;
    struct mc_dmarc_applied ap;

    const struct txt_rr np[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject; sp=none; np=quarantine"},
    };
    /* At the Organizational Domain itself: p, whether or not it "exists". */
    run_walk(a, ZONE(np), "example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_int_equal(ap.tag, MC_DMARC_TAG_P);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_REJECT);
    assert_int_equal(applied(&r.found, false), MC_DMARC_POLICY_REJECT);
    /* An existing subdomain: sp; a non-existent one (NXDOMAIN): np. */
    run_walk(a, ZONE(np), "sub.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_int_equal(ap.tag, MC_DMARC_TAG_SP);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_NONE);
    assert_true(mc_dmarc_apply(&ap, &r.found, false));
    assert_int_equal(ap.tag, MC_DMARC_TAG_NP);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_QUARANTINE);

    /* np falls back to sp, sp to p. */
    const struct txt_rr sp_only[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=none"}};
    run_walk(a, ZONE(sp_only), "ghost.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, false));
    assert_int_equal(ap.tag, MC_DMARC_TAG_SP);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_NONE);
    const struct txt_rr p_only[] = {{"_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject"}};
    run_walk(a, ZONE(p_only), "sub.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_int_equal(ap.tag, MC_DMARC_TAG_P);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_QUARANTINE);
    const struct txt_rr nothing[] = {{"_dmarc.example.com", "v=DMARC1; p=quarantine"}};
    run_walk(a, ZONE(nothing), "ghost.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, false));
    assert_int_equal(ap.tag, MC_DMARC_TAG_P);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_QUARANTINE);

    /* A PSD's np for a registration that does not exist (.gov style). */
    const struct txt_rr gov[] = {
        {"_dmarc.gov.example", "v=DMARC1; p=reject; sp=none; np=reject; psd=y"},
    };
    run_walk(a, ZONE(gov), "fake-agency.gov.example", &w, &r);
    expect_found(&r, "v=DMARC1; p=reject; sp=none; np=reject; psd=y", MC_DMARC_SOURCE_PSD,
                 "gov.example", "fake-agency.gov.example");
    assert_int_equal(applied(&r.found, false), MC_DMARC_POLICY_REJECT);
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_NONE);

    /* sp of a record at the Author Domain itself is not used (§4.7 sp). */
    const struct txt_rr test[] = {{"_dmarc.test.example.com", "v=DMARC1; p=quarantine; sp=none"}};
    run_walk(a, ZONE(test), "test.example.com", &w, &r);
    assert_int_equal(applied(&r.found, true), MC_DMARC_POLICY_QUARANTINE);

    /* t=y lowers one step; none stays none; t=n and a bad t change nothing. */
    const struct {
        const char *text;
        enum mc_dmarc_policy published, policy;
        bool testing;
    } t[] = {
        {"v=DMARC1; p=reject; t=y", MC_DMARC_POLICY_REJECT, MC_DMARC_POLICY_QUARANTINE, true},
        {"v=DMARC1; p=quarantine; t=y", MC_DMARC_POLICY_QUARANTINE, MC_DMARC_POLICY_NONE, true},
        {"v=DMARC1; p=none; t=y", MC_DMARC_POLICY_NONE, MC_DMARC_POLICY_NONE, false},
        {"v=DMARC1; p=reject; t=Y", MC_DMARC_POLICY_REJECT, MC_DMARC_POLICY_QUARANTINE, true},
        {"v=DMARC1; p=reject; t=n", MC_DMARC_POLICY_REJECT, MC_DMARC_POLICY_REJECT, false},
        {"v=DMARC1; p=reject; t=yes", MC_DMARC_POLICY_REJECT, MC_DMARC_POLICY_REJECT, false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const struct txt_rr z[] = {{"_dmarc.example.com", t[i].text}};
        run_walk(a, ZONE(z), "example.com", &w, &r);
        assert_true(mc_dmarc_apply(&ap, &r.found, true));
        if (ap.published != t[i].published || ap.policy != t[i].policy ||
            ap.testing != t[i].testing)
            fail_msg("\"%s\": %s -> %s", t[i].text, mc_dmarc_policy_str(ap.published),
                     mc_dmarc_policy_str(ap.policy));
    }
    /* t=y on sp, for a subdomain (B.2.5 style). */
    const struct txt_rr tsp[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; t=y"},
    };
    run_walk(a, ZONE(tsp), "sub.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_int_equal(ap.published, MC_DMARC_POLICY_QUARANTINE);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_NONE);

    /* §4.10.1: acting as p=none, whatever p, sp or t say. */
    const struct txt_rr asnone[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject; sp=bounce; t=y; rua=mailto:d@example.com"},
    };
    run_walk(a, ZONE(asnone), "sub.example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_true(ap.as_none);
    assert_int_equal(ap.policy, MC_DMARC_POLICY_NONE);
    assert_false(ap.testing);
    const struct txt_rr nop[] = {{"_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com"}};
    run_walk(a, ZONE(nop), "example.com", &w, &r);
    assert_true(mc_dmarc_apply(&ap, &r.found, true));
    assert_true(ap.as_none);
    const struct txt_rr unusable[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=nope"}};
    run_walk(a, ZONE(unusable), "example.com", &w, &r);
    assert_false(mc_dmarc_apply(&ap, &r.found, true));
}

/* ---- identifier alignment (§3.2.10, §4.4 Table 1, Appendix B.1) ---- */

static void alignment(void **state)
{
    (void)state;
    const enum mc_dmarc_align R = MC_DMARC_ALIGN_RELAXED, S = MC_DMARC_ALIGN_STRICT;

    /* Table 1. */
    assert_true(
        mc_dmarc_aligned(R, "news.example.com", "example.com", "foo.example.com", "example.com"));
    assert_false(
        mc_dmarc_aligned(S, "news.example.com", "example.com", "foo.example.com", "example.com"));
    assert_true(
        mc_dmarc_aligned(S, "news.example.com", "example.com", "news.example.com", "example.com"));
    assert_false(
        mc_dmarc_aligned(R, "news.example.com", "example.com", "foo.example.net", "example.net"));
    /* B.1.1 and B.1.2: strict, relaxed (a child of the Author Domain, or its
     * parent), none. */
    assert_true(mc_dmarc_aligned(S, "example.com", "example.com", "example.com", "example.com"));
    assert_true(
        mc_dmarc_aligned(R, "example.com", "example.com", "child.example.com", "example.com"));
    assert_true(
        mc_dmarc_aligned(R, "child.example.com", "example.com", "example.com", "example.com"));
    assert_false(
        mc_dmarc_aligned(R, "child.example.com", "example.com", "example.net", "example.net"));
    /* Case-insensitive (§4.4), a trailing dot ignored. */
    assert_true(mc_dmarc_aligned(S, "Example.COM", NULL, "example.com.", NULL));
    assert_true(
        mc_dmarc_aligned(R, "mail.example.com", "Example.com", "x.example.com", "EXAMPLE.COM."));
    /* Unknown Organizational Domains align nothing but equal names. */
    assert_false(mc_dmarc_aligned(R, "a.example.com", NULL, "b.example.com", "example.com"));
    assert_false(mc_dmarc_aligned(R, "a.example.com", "example.com", "b.example.com", NULL));
    /* A look-alike is not within. */
    assert_false(
        mc_dmarc_aligned(R, "example.com", "example.com", "badexample.com", "badexample.com"));

    /* When no walk is needed (§4.10.2 note). */
    assert_int_equal(mc_dmarc_align_early(S, "example.com", NULL, "EXAMPLE.com"),
                     MC_DMARC_ALIGN_YES);
    assert_int_equal(mc_dmarc_align_early(S, "example.com", "example.com", "mail.example.com"),
                     MC_DMARC_ALIGN_NO);
    assert_int_equal(mc_dmarc_align_early(R, "example.com", "example.com", "esp.example.net"),
                     MC_DMARC_ALIGN_NO);
    assert_int_equal(mc_dmarc_align_early(R, "example.com", "example.com", "badexample.com"),
                     MC_DMARC_ALIGN_NO);
    assert_int_equal(mc_dmarc_align_early(R, "example.com", "example.com", "bounces.example.com"),
                     MC_DMARC_ALIGN_WALK);
    assert_int_equal(mc_dmarc_align_early(R, "example.com", NULL, "example.net"),
                     MC_DMARC_ALIGN_WALK);
}

/* ---- the RFC 7489 reading, and where it differs ---- */

struct readings {
    struct mc_dmarc_walk walk;
    struct mc_dmarc_rfc7489 old;
    struct run bis, rfc7489;
};

static void both_readings(struct mc_arena *a, const struct mc_psl *psl, const struct txt_rr *zone,
                          size_t nzone, const char *domain, struct readings *r)
{
    run_walk(a, zone, nzone, domain, &r->walk, &r->bis);
    run_rfc7489(a, zone, nzone, domain, mc_dmarc_psl_org(a, psl, domain), &r->old, &r->rfc7489);
}

/* Names made of every rule of a Public Suffix List file: the rule (its
 * wildcard label "*" as a label, its "!" dropped), and one, two and three
 * labels below it, each asked twice (the second time from the memo). */
static size_t registrable_agrees(const struct mc_psl *psl, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[512];
    size_t names = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, " \t\r\n")] = '\0';
        if (line[0] == '\0' || (line[0] == '/' && line[1] == '/'))
            continue;
        const char *rule = line[0] == '!' ? line + 1 : line;
        char base[600];
        snprintf(base, sizeof base, "%s", rule[0] == '*' && rule[1] == '.' ? rule + 2 : rule);
        static const char *const prefixes[] = {"", "x.", "y.x.", "z.y.x.", "w.", "x.w."};
        for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
            char name[700];
            snprintf(name, sizeof name, "%s%s", prefixes[p], base);
            char *direct = mc_psl_registrable_unmemoized(psl, name);
            for (int round = 0; round < 2; round++) {
                char *memo = mc_psl_registrable(psl, name);
                if (strcmp(memo, direct) != 0)
                    fail_msg("%s: %s from the memo, %s from libpsl (%s)", name, memo, direct, path);
                free(memo);
            }
            free(direct);
            names++;
        }
    }
    fclose(f);
    return names;
}

/* mc_psl_registrable() answers from its memo of parent names what libpsl
 * answers: for the test's list, and for the system's (Debian: package
 * publicsuffix), whose every rule is tried when it is installed. */
static void registrable_memo_is_libpsl(void **state)
{
    (void)state;
    char *why = NULL;
    struct mc_psl *small = mc_psl_load(MC_TEST_DATA_DIR "/unit/dmarc/psl.dat", &why);
    if (!small)
        fail_msg("%s", why);
    assert_true(registrable_agrees(small, MC_TEST_DATA_DIR "/unit/dmarc/psl.dat") == 9 * 6);
    mc_psl_free(small);
    struct mc_psl *system = mc_psl_load(NULL, &why);
    if (!system)
        fail_msg("%s", why);
    size_t n = registrable_agrees(system, "/usr/share/publicsuffix/public_suffix_list.dat");
    print_message("registrable domains compared on %zu names of the system's list\n", n);
    mc_psl_free(system);
}

static void rfc7489_reading(void **state)
{
    struct mc_arena *a = *state;
    char *why = NULL;
    struct mc_psl *psl = mc_psl_load(MC_TEST_DATA_DIR "/unit/dmarc/psl.dat", &why);
    if (!psl)
        fail_msg("%s", why);
    static struct readings r;
    struct mc_dmarc_applied ap;

    /* RFC 7489 §3.2: the registrable domain. */
    assert_string_equal(mc_dmarc_psl_org(a, psl, "Mail.Example.COM."), "example.com");
    assert_string_equal(mc_dmarc_psl_org(a, psl, "a.b.example.co.uk"), "example.co.uk");
    assert_string_equal(mc_dmarc_psl_org(a, psl, "alice.blogspot.com"), "alice.blogspot.com");
    assert_string_equal(mc_dmarc_psl_org(a, psl, "co.uk"), "co.uk");

    /* Agreement: a record at the Organizational Domain. */
    const struct txt_rr plain[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine"}};
    both_readings(a, psl, ZONE(plain), "mail.example.com", &r);
    expect_asked(&r.rfc7489, ASKED("mail.example.com", "example.com"));
    expect_found(&r.rfc7489, "v=DMARC1; p=reject; sp=quarantine", MC_DMARC_SOURCE_ORG,
                 "example.com", "example.com");
    assert_int_equal(r.rfc7489.found.reading, MC_DMARC_RFC7489);
    assert_int_equal(applied(&r.rfc7489.found, true), applied(&r.bis.found, true));

    /* The From domain is the Organizational Domain: one query. */
    both_readings(a, psl, ZONE(plain), "example.com", &r);
    expect_asked(&r.rfc7489, ASKED("example.com"));
    expect_found(&r.rfc7489, "v=DMARC1; p=reject; sp=quarantine", MC_DMARC_SOURCE_AUTHOR,
                 "example.com", "example.com");
    /* Nothing at all. */
    both_readings(a, psl, NULL, 0, "mail.example.com", &r);
    expect_found(&r.rfc7489, NULL, MC_DMARC_SOURCE_NONE, NULL, "example.com");
    assert_false(mc_dmarc_apply(&ap, &r.rfc7489.found, true));

    /* Differ in policy: psd=n at an intermediate name (the PSL knows it
     * not). */
    const struct txt_rr psd_n[] = {
        {"_dmarc.b.example.com", "v=DMARC1; p=reject; psd=n"},
        {"_dmarc.example.com", "v=DMARC1; p=none"},
    };
    both_readings(a, psl, ZONE(psd_n), "a.b.example.com", &r);
    expect_found(&r.bis, "v=DMARC1; p=reject; psd=n", MC_DMARC_SOURCE_ORG, "b.example.com",
                 "b.example.com");
    expect_found(&r.rfc7489, "v=DMARC1; p=none", MC_DMARC_SOURCE_ORG, "example.com", "example.com");
    assert_int_equal(applied(&r.bis.found, true), MC_DMARC_POLICY_REJECT);
    assert_int_equal(applied(&r.rfc7489.found, true), MC_DMARC_POLICY_NONE);

    /* Differ in policy: several records at the From domain end RFC 7489's
     * discovery; the walk goes on. */
    const struct txt_rr several[] = {
        {"_dmarc.mail.example.com", "v=DMARC1; p=reject"},
        {"_dmarc.mail.example.com", "v=DMARC1; p=none"},
        {"_dmarc.example.com", "v=DMARC1; p=quarantine"},
    };
    both_readings(a, psl, ZONE(several), "mail.example.com", &r);
    expect_asked(&r.rfc7489, ASKED("mail.example.com"));
    expect_found(&r.rfc7489, NULL, MC_DMARC_SOURCE_NONE, NULL, "example.com");
    assert_int_equal(applied(&r.bis.found, true), MC_DMARC_POLICY_QUARANTINE);

    /* Differ in policy: np and t are unknown to RFC 7489. */
    const struct txt_rr np[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=none; np=reject"}};
    both_readings(a, psl, ZONE(np), "ghost.example.com", &r);
    assert_int_equal(applied(&r.bis.found, false), MC_DMARC_POLICY_REJECT);
    assert_int_equal(applied(&r.rfc7489.found, false), MC_DMARC_POLICY_NONE);
    const struct txt_rr t[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; t=y"}};
    both_readings(a, psl, ZONE(t), "example.com", &r);
    assert_int_equal(applied(&r.bis.found, true), MC_DMARC_POLICY_QUARANTINE);
    assert_true(mc_dmarc_apply(&ap, &r.rfc7489.found, true));
    assert_int_equal(ap.policy, MC_DMARC_POLICY_REJECT);
    assert_false(ap.testing);
    /* pct=0 is RFC 7489's t=y (RFC 9989 Appendix A.6): the mail pct
     * leaves out gets one step less (RFC 7489 section 6.6.4), all of it;
     * RFC 9989 ignores pct.  With t=y beside it the two readings agree. */
    const struct txt_rr pct0[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; pct=0"}};
    both_readings(a, psl, ZONE(pct0), "example.com", &r);
    assert_int_equal(applied(&r.bis.found, true), MC_DMARC_POLICY_REJECT);
    assert_true(mc_dmarc_apply(&ap, &r.rfc7489.found, true));
    assert_int_equal(ap.policy, MC_DMARC_POLICY_QUARANTINE);
    assert_true(ap.pct_zero);
    const struct txt_rr pct0t[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; t=y; pct=0"}};
    both_readings(a, psl, ZONE(pct0t), "example.com", &r);
    assert_int_equal(applied(&r.bis.found, true), applied(&r.rfc7489.found, true));
    const struct txt_rr pct0q[] = {{"_dmarc.example.com", "v=DMARC1; p=quarantine; pct=000"}};
    both_readings(a, psl, ZONE(pct0q), "example.com", &r);
    assert_int_equal(applied(&r.rfc7489.found, true), MC_DMARC_POLICY_NONE);
    /* Any other pct applies the policy to some mail: it stands. */
    const struct txt_rr pct5[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; pct=5"}};
    both_readings(a, psl, ZONE(pct5), "example.com", &r);
    assert_int_equal(applied(&r.rfc7489.found, true), MC_DMARC_POLICY_REJECT);
    const struct txt_rr pctbad[] = {{"_dmarc.example.com", "v=DMARC1; p=reject; pct=101"}};
    both_readings(a, psl, ZONE(pctbad), "example.com", &r);
    assert_int_equal(applied(&r.rfc7489.found, true), MC_DMARC_POLICY_REJECT);
    /* An invalid np makes the record act as p=none only under RFC 9989. */
    const struct txt_rr badnp[] = {
        {"_dmarc.example.com", "v=DMARC1; p=reject; np=bogus; rua=mailto:d@example.com"},
    };
    both_readings(a, psl, ZONE(badnp), "example.com", &r);
    assert_int_equal(applied(&r.bis.found, true), MC_DMARC_POLICY_NONE);
    assert_int_equal(applied(&r.rfc7489.found, true), MC_DMARC_POLICY_REJECT);

    /* Differ in alignment: a record only at the From domain makes it its
     * own Organizational Domain, where the PSL says example.com. */
    const struct txt_rr own[] = {{"_dmarc.mail.example.com", "v=DMARC1; p=reject"}};
    both_readings(a, psl, ZONE(own), "mail.example.com", &r);
    assert_string_equal(r.bis.found.org_domain, "mail.example.com");
    assert_string_equal(r.rfc7489.found.org_domain, "example.com");
    struct mc_dmarc_walk wd;
    struct run rd;
    run_walk(a, ZONE(own), "example.com", &wd, &rd);
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "mail.example.com",
                                  r.bis.found.org_domain, "example.com", rd.found.org_domain));
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "mail.example.com",
                                 r.rfc7489.found.org_domain, "example.com",
                                 mc_dmarc_psl_org(a, psl, "example.com")));

    /* Differ in alignment and policy: a private PSL suffix with a record. */
    const struct txt_rr blog[] = {{"_dmarc.blogspot.com", "v=DMARC1; p=reject"}};
    both_readings(a, psl, ZONE(blog), "alice.blogspot.com", &r);
    expect_found(&r.bis, "v=DMARC1; p=reject", MC_DMARC_SOURCE_ORG, "blogspot.com", "blogspot.com");
    expect_asked(&r.rfc7489, ASKED("alice.blogspot.com"));
    expect_found(&r.rfc7489, NULL, MC_DMARC_SOURCE_NONE, NULL, "alice.blogspot.com");
    run_walk(a, ZONE(blog), "bob.blogspot.com", &wd, &rd);
    assert_true(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "alice.blogspot.com",
                                 r.bis.found.org_domain, "bob.blogspot.com", rd.found.org_domain));
    assert_false(mc_dmarc_aligned(MC_DMARC_ALIGN_RELAXED, "alice.blogspot.com",
                                  r.rfc7489.found.org_domain, "bob.blogspot.com",
                                  mc_dmarc_psl_org(a, psl, "bob.blogspot.com")));

    /* Agreement on B.4.3 when the PSL lists the PSD too. */
    const struct txt_rr b43[] = {
        {"_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"},
        {"_dmarc.giant.bank.example", "v=DMARC1; p=quarantine"},
    };
    both_readings(a, psl, ZONE(b43), "mail.giant.bank.example", &r);
    assert_string_equal(r.bis.found.org_domain, r.rfc7489.found.org_domain);
    assert_int_equal(applied(&r.bis.found, true), applied(&r.rfc7489.found, true));

    /* Bad starts. */
    struct mc_dmarc_rfc7489 bad;
    assert_false(mc_dmarc_rfc7489_start(&bad, "", "example.com"));
    assert_null(mc_dmarc_rfc7489_next(&bad));
    mc_psl_free(psl);
}

/* ---- external report destinations (RFC 9990 §3) ---- */

static void report_destinations(void **state)
{
    struct mc_arena *a = *state;
    const struct mc_dmarc_record *rec;

    /* Inside the Organizational Domain: no authorization needed. */
    assert_false(mc_dmarc_report_needs_auth("example.com", "example.com", NULL));
    assert_false(mc_dmarc_report_needs_auth("example.com", "Reports.Example.com", NULL));
    assert_true(mc_dmarc_report_needs_auth("example.com", "thirdparty.example.net", NULL));
    assert_true(mc_dmarc_report_needs_auth("example.com", "badexample.com", NULL));
    /* With the destination's own Organizational Domain, compared whole. */
    assert_false(mc_dmarc_report_needs_auth("example.com", "r.example.com", "example.com"));
    assert_true(mc_dmarc_report_needs_auth("example.com", "r.example.com", "r.example.com"));

    /* The name: B.2.3 and RFC 9990's own example. */
    assert_string_equal(mc_dmarc_report_auth_name(a, "example.com", "thirdparty.example.net"),
                        "example.com._report._dmarc.thirdparty.example.net");
    assert_string_equal(mc_dmarc_report_auth_name(a, "Blue.Example.com.", "red.example.net"),
                        "blue.example.com._report._dmarc.red.example.net");
    char longname[250];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    for (size_t i = 50; i < sizeof longname - 1; i += 51)
        longname[i] = '.';
    assert_null(mc_dmarc_report_auth_name(a, longname, "red.example.net"));
    assert_null(mc_dmarc_report_auth_name(a, "", "red.example.net"));
    char label64[80];
    memset(label64, 'b', 64);
    snprintf(label64 + 64, sizeof label64 - 64, ".example");
    assert_null(mc_dmarc_report_auth_name(a, "example.com", label64));

    /* B.2.3: "v=DMARC1;" authorizes. */
    const struct mc_dmarc_txt b23[] = {{"v=DMARC1;", 9}};
    assert_int_equal(mc_dmarc_report_auth_check(a, b23, 1, "thirdparty.example.net", &rec),
                     MC_DMARC_REPORT_AUTHORIZED);
    assert_non_null(rec);
    assert_int_equal(rec->nrua, 0);
    const struct mc_dmarc_txt bare[] = {{"unrelated txt", 13}, {"v=DMARC1", 8}};
    assert_int_equal(mc_dmarc_report_auth_check(a, bare, 2, "thirdparty.example.net", NULL),
                     MC_DMARC_REPORT_AUTHORIZED);
    /* Nothing, or nothing that starts with v=DMARC1. */
    assert_int_equal(mc_dmarc_report_auth_check(a, NULL, 0, "thirdparty.example.net", &rec),
                     MC_DMARC_REPORT_UNAUTHORIZED);
    assert_null(rec);
    const struct mc_dmarc_txt wrong[] = {{"v=dmarc1", 8}, {" v=DMARC1", 9}, {"v=DMARC1x", 9}};
    assert_int_equal(mc_dmarc_report_auth_check(a, wrong, 3, "thirdparty.example.net", &rec),
                     MC_DMARC_REPORT_UNAUTHORIZED);
    /* B.2.4: an override on the same host. */
    const char *override = "v=DMARC1; "
                           "rua=mailto:aggregate-reports@thirdparty.example.net; "
                           "ruf=mailto:failure-reports@thirdparty.example.net";
    const struct mc_dmarc_txt b24[] = {{override, strlen(override)}};
    assert_int_equal(mc_dmarc_report_auth_check(a, b24, 1, "Thirdparty.Example.net", &rec),
                     MC_DMARC_REPORT_AUTHORIZED);
    assert_string_equal(rec->rua[0].host, "thirdparty.example.net");
    /* An override to another host: no report to either. */
    const char *foreign = "v=DMARC1; rua=mailto:r@elsewhere.example";
    const struct mc_dmarc_txt f[] = {{foreign, strlen(foreign)}};
    assert_int_equal(mc_dmarc_report_auth_check(a, f, 1, "thirdparty.example.net", &rec),
                     MC_DMARC_REPORT_FOREIGN);
    /* A malformed override URI is ignored. */
    const char *malformed = "v=DMARC1; rua=r@elsewhere.example";
    const struct mc_dmarc_txt m[] = {{malformed, strlen(malformed)}};
    assert_int_equal(mc_dmarc_report_auth_check(a, m, 1, "thirdparty.example.net", NULL),
                     MC_DMARC_REPORT_AUTHORIZED);

    /* Putting it together for B.2.3's record at example.com. */
    rec = parse_clean(a, "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
                         "ruf=mailto:auth-reports@thirdparty.example.net");
    assert_false(mc_dmarc_report_needs_auth("example.com", rec->rua[0].host, NULL));
    assert_true(mc_dmarc_report_needs_auth("example.com", rec->ruf[0].host, NULL));
}

/* ---- bounds ---- */

static void bounded_lists(void **state)
{
    struct mc_arena *a = *state;
    char big[8192] = "v=DMARC1; p=none";

    for (int i = 0; i < 40; i++) {
        char one[32];
        snprintf(one, sizeof one, "; ;x%c=%d", 'a' + i % 26, i);
        append(big, sizeof big, one);
    }
    const struct mc_dmarc_record *r = parse(a, big);
    assert_int_equal(r->nunknown, MC_DMARC_LIST_MAX);
    assert_int_equal(r->unknown_dropped, 40 - MC_DMARC_LIST_MAX);
    assert_int_equal(r->nerrors, MC_DMARC_LIST_MAX);
    assert_int_equal(r->errors_dropped, 40 - MC_DMARC_LIST_MAX);
    assert_int_equal(r->p, MC_DMARC_POLICY_NONE);
    assert_true(r->has_p);

    /* A NUL where a tag name would be, and the record kept whole. */
    static const char nul[] = "v=DMARC1; p=reject;\0p=none";
    r = one_error_len(a, nul, sizeof nul - 1, MC_DMARC_ERR_NAME, "\\000p", "\\000p=none",
                      "letters only");
    assert_int_equal(r->len, sizeof nul - 1);
    assert_int_equal(memcmp(r->text, nul, sizeof nul), 0);
    assert_int_equal(r->p, MC_DMARC_POLICY_REJECT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(version_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(near_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(record_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(appendix_b2_records, setup, teardown),
        cmocka_unit_test_setup_teardown(every_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(historic_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(real_world_records, setup, teardown),
        cmocka_unit_test_setup_teardown(uri_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(records_without_a_valid_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(walk_names, setup, teardown),
        cmocka_unit_test_setup_teardown(appendix_b41, setup, teardown),
        cmocka_unit_test_setup_teardown(appendix_b42, setup, teardown),
        cmocka_unit_test_setup_teardown(appendix_b43, setup, teardown),
        cmocka_unit_test_setup_teardown(section_4102_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(public_suffix_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(applied_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(rfc7489_reading, setup, teardown),
        cmocka_unit_test(registrable_memo_is_libpsl),
        cmocka_unit_test_setup_teardown(report_destinations, setup, teardown),
        cmocka_unit_test_setup_teardown(bounded_lists, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
