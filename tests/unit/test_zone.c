/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dns_zone.c: loading zone files (directives, errors) and
 * answering as an authoritative server would (RFC 1034 §4.3.2, RFC 4592,
 * RFC 2308).  Every answer is parsed back from the wire with ldns, so the
 * tests see exactly what the resolver will see.  Zone files live in
 * tests/unit/zones/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "mc_util.h"
#include "mc_zone.h"

#define ZONES MC_TEST_DATA_DIR "/unit/zones/"
#define EXAMPLES MC_TEST_DATA_DIR "/../examples/"
#define QID 4242

/* The zones most tests ask: a parent and its child, a second zone for
 * CNAMEs across files, an RFC 2317 reverse pair. */
static const char *const zone_files[] = {
    ZONES "example.test.zone",
    ZONES "sub.example.test.zone",
    ZONES "other.test.zone",
    ZONES "2.0.192.in-addr.arpa.zone",
    ZONES "0-26.2.0.192.in-addr.arpa.zone",
};

static int load_set(void **state)
{
    struct mc_zone_set *set = mc_zone_set_new();
    for (size_t i = 0; i < sizeof zone_files / sizeof zone_files[0]; i++) {
        char *why = NULL;
        enum mc_status st = mc_zone_set_load(set, zone_files[i], NULL, &why);
        if (st != MC_OK)
            fprintf(stderr, "load %s: %s\n", zone_files[i], why ? why : "?");
        free(why);
        if (st != MC_OK) {
            mc_zone_set_free(set);
            return -1;
        }
    }
    *state = set;
    return 0;
}

static int free_set(void **state)
{
    mc_zone_set_free(*state);
    return 0;
}

/* Asks SET and parses the reply; NULL when the set does not answer.  Checks
 * what every reply must have: id, QR, AA, RD, no RA, the question. */
static ldns_pkt *ask(const struct mc_zone_set *set, const char *name, uint16_t type,
                     const char **source)
{
    unsigned char *wire = NULL;
    size_t len = 0;
    if (!mc_zone_set_answer(set, name, type, QID, &wire, &len, source))
        return NULL;
    assert_non_null(wire);
    ldns_pkt *pkt = NULL;
    assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
    free(wire);
    assert_int_equal(ldns_pkt_id(pkt), QID);
    assert_true(ldns_pkt_qr(pkt));
    assert_true(ldns_pkt_aa(pkt));
    assert_true(ldns_pkt_rd(pkt));
    assert_false(ldns_pkt_ra(pkt));
    assert_int_equal(ldns_pkt_get_opcode(pkt), LDNS_PACKET_QUERY);
    assert_int_equal(ldns_pkt_qdcount(pkt), 1);
    const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
    char *qn = ldns_rdf2str(ldns_rr_owner(q));
    /* The question echoes the name as asked, case included. */
    size_t n = strlen(name);
    assert_int_equal(strncmp(qn, name, n), 0);
    free(qn);
    assert_int_equal(ldns_rr_get_type(q), type);
    assert_int_equal(ldns_rr_get_class(q), LDNS_RR_CLASS_IN);
    return pkt;
}

/* "owner TYPE rdata rdata..." of RR (no TTL, no class). Caller frees. */
static char *rr_text(const ldns_rr *rr)
{
    char *owner = ldns_rdf2str(ldns_rr_owner(rr));
    char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
    size_t cap = strlen(owner) + strlen(type) + 2;
    char *s = malloc(cap);
    assert_non_null(s);
    snprintf(s, cap, "%s %s", owner, type);
    free(owner);
    free(type);
    for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
        char *f = ldns_rdf2str(ldns_rr_rdf(rr, i));
        size_t ncap = strlen(s) + strlen(f) + 2;
        char *t = malloc(ncap);
        assert_non_null(t);
        snprintf(t, ncap, "%s %s", s, f);
        free(s);
        free(f);
        s = t;
    }
    return s;
}

/* Asserts the answer section is exactly the NULL-terminated list WANT,
 * ignoring ASCII case: ldns_pkt2wire() compresses names case-insensitively
 * (as NSD and BIND do), so a name may come back in the case of an earlier
 * equal name in the message (RFC 4343 §4.1). */
static void expect_answer(const ldns_pkt *pkt, const char *const *want)
{
    const ldns_rr_list *an = ldns_pkt_answer(pkt);
    size_t n = 0;
    while (want[n])
        n++;
    for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
        char *t = rr_text(ldns_rr_list_rr(an, i));
        if (i >= n || mc_ascii_strcasecmp(t, want[i]) != 0)
            fprintf(stderr, "answer %zu: got '%s', want '%s'\n", i, t, i < n ? want[i] : "-");
        assert_true(i < n);
        assert_int_equal(mc_ascii_strcasecmp(t, want[i]), 0);
        free(t);
    }
    assert_int_equal(ldns_rr_list_rr_count(an), n);
}

/* Asserts a positive reply: NOERROR, no authority SOA. */
static void expect_positive(const ldns_pkt *pkt, const char *const *want)
{
    assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
    expect_answer(pkt, want);
    assert_int_equal(ldns_pkt_nscount(pkt), 0);
}

/* Asserts a negative reply (RFC 2308 §2): RCODE, the answer WANT (CNAMEs
 * followed), and exactly the SOA of ZONE in the authority section with the
 * negative TTL (all test zones: min(300, 60)). */
static void expect_negative(const ldns_pkt *pkt, ldns_pkt_rcode rcode, const char *const *want,
                            const char *zone)
{
    assert_int_equal(ldns_pkt_get_rcode(pkt), rcode);
    expect_answer(pkt, want);
    const ldns_rr_list *ns = ldns_pkt_authority(pkt);
    assert_int_equal(ldns_rr_list_rr_count(ns), 1);
    const ldns_rr *soa = ldns_rr_list_rr(ns, 0);
    assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
    char *owner = ldns_rdf2str(ldns_rr_owner(soa));
    assert_string_equal(owner, zone);
    free(owner);
    assert_int_equal(ldns_rr_ttl(soa), 60);
}

static const char *const none[] = {NULL};

static void exact_answer(void **state)
{
    const char *src = NULL;
    ldns_pkt *p = ask(*state, "mail.example.test", LDNS_RR_TYPE_A, &src);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mail.example.test. A 192.0.2.25", NULL});
    assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 3600);
    assert_string_equal(src, ZONES "example.test.zone");
    ldns_pkt_free(p);

    /* A trailing dot is the same name; owner-less lines keep the owner. */
    p = ask(*state, "mail.example.test.", LDNS_RR_TYPE_AAAA, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mail.example.test. AAAA 2001:db8::25", NULL});
    /* No TTL on the line, $TTL 300 given (RFC 2308 §4). */
    assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 300);
    ldns_pkt_free(p);

    p = ask(*state, "example.test", LDNS_RR_TYPE_NS, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"example.test. NS ns1.example.test.", NULL});
    ldns_pkt_free(p);
}

static void nodata_has_soa(void **state)
{
    ldns_pkt *p = ask(*state, "mail.example.test", LDNS_RR_TYPE_MX, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, none, "example.test.");
    ldns_pkt_free(p);
}

static void nxdomain_has_soa(void **state)
{
    ldns_pkt *p = ask(*state, "nothing.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "example.test.");
    ldns_pkt_free(p);
    /* Below an existing name that has no wildcard child: NXDOMAIN too. */
    p = ask(*state, "x.mail.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "example.test.");
    ldns_pkt_free(p);
}

static void empty_non_terminal_is_nodata(void **state)
{
    ldns_pkt *p = ask(*state, "ent.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, none, "example.test.");
    ldns_pkt_free(p);
    p = ask(*state, "leaf.ent.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"leaf.ent.example.test. A 192.0.2.31", NULL});
    ldns_pkt_free(p);
    /* A sibling of the leaf does not exist. */
    p = ask(*state, "other.ent.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "example.test.");
    ldns_pkt_free(p);
}

static void wildcard_synthesis(void **state)
{
    /* The owner is the query name (RFC 4592 §3.4.1), case as asked. */
    ldns_pkt *p = ask(*state, "Foo.wild.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"Foo.wild.example.test. A 192.0.2.40", NULL});
    ldns_pkt_free(p);
    /* Several labels below the closest encloser match too. */
    p = ask(*state, "a.b.wild.example.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"a.b.wild.example.test. TXT \"wildcard\"", NULL});
    ldns_pkt_free(p);
    /* The wildcard node has no MX: NODATA. */
    p = ask(*state, "foo.wild.example.test", LDNS_RR_TYPE_MX, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, none, "example.test.");
    ldns_pkt_free(p);
    /* The wildcard itself, asked literally. */
    p = ask(*state, "*.wild.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"*.wild.example.test. A 192.0.2.40", NULL});
    ldns_pkt_free(p);
}

static void wildcard_not_for_existing_names(void **state)
{
    /* host.wild exists: its own data only, no synthesis (RFC 4592 §2.2). */
    ldns_pkt *p = ask(*state, "host.wild.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"host.wild.example.test. A 192.0.2.41", NULL});
    ldns_pkt_free(p);
    p = ask(*state, "host.wild.example.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, none, "example.test.");
    ldns_pkt_free(p);
    /* Below it the closest encloser is host.wild, which has no wildcard. */
    p = ask(*state, "x.host.wild.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "example.test.");
    ldns_pkt_free(p);
}

static void wildcard_cname(void **state)
{
    ldns_pkt *p = ask(*state, "x.wcname.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"x.wcname.example.test. CNAME mail.example.test.",
                                             "mail.example.test. A 192.0.2.25", NULL});
    ldns_pkt_free(p);
}

static void cname_chain_in_zone(void **state)
{
    ldns_pkt *p = ask(*state, "alias1.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    /* The target as written in the zone (MAIL); the record found under it
     * with its own owner as in the zone. */
    expect_positive(p, (const char *const[]){"alias1.example.test. CNAME alias2.example.test.",
                                             "alias2.example.test. CNAME MAIL.example.test.",
                                             "mail.example.test. A 192.0.2.25", NULL});
    ldns_pkt_free(p);
    /* Asking for the CNAME itself does not follow it. */
    p = ask(*state, "alias1.example.test", LDNS_RR_TYPE_CNAME, NULL);
    assert_non_null(p);
    expect_positive(p,
                    (const char *const[]){"alias1.example.test. CNAME alias2.example.test.", NULL});
    ldns_pkt_free(p);
    /* Ends in NODATA: the SOA of the zone of the end of the chain. */
    p = ask(*state, "alias1.example.test", LDNS_RR_TYPE_MX, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR,
                    (const char *const[]){"alias1.example.test. CNAME alias2.example.test.",
                                          "alias2.example.test. CNAME MAIL.example.test.", NULL},
                    "example.test.");
    ldns_pkt_free(p);
}

static void cname_into_other_file(void **state)
{
    const char *src = NULL;
    ldns_pkt *p = ask(*state, "ext.example.test", LDNS_RR_TYPE_A, &src);
    assert_non_null(p);
    /* The answer stops at the zone's edge, as NSD's does: the CNAME
     * only, no SOA (so the resolver asks for the target next), credited
     * to the file that holds it. */
    expect_positive(p, (const char *const[]){"ext.example.test. CNAME host.other.test.", NULL});
    assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 0);
    assert_string_equal(src, ZONES "example.test.zone");
    ldns_pkt_free(p);
    /* The target, from the other file. */
    p = ask(*state, "host.other.test", LDNS_RR_TYPE_A, &src);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"host.other.test. A 198.51.100.10", NULL});
    assert_string_equal(src, ZONES "other.test.zone");
    ldns_pkt_free(p);
    /* Negative at the end of the chain: the other zone's SOA. */
    p = ask(*state, "host.other.test", LDNS_RR_TYPE_AAAA, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, (const char *const[]){NULL}, "other.test.");
    ldns_pkt_free(p);
}

static void cname_out_of_set_stops(void **state)
{
    ldns_pkt *p = ask(*state, "out.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"out.example.test. CNAME www.elsewhere.test.", NULL});
    ldns_pkt_free(p);
    /* A target below a delegation is outside too. */
    p = ask(*state, "todeleg.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){"todeleg.example.test. CNAME www.child.example.test.", NULL});
    ldns_pkt_free(p);
}

static void cname_loop_stops(void **state)
{
    ldns_pkt *p = ask(*state, "loop1.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p,
                    (const char *const[]){"loop1.example.test. CNAME loop2.example.test.",
                                          "loop2.example.test. CNAME loop1.example.test.", NULL});
    ldns_pkt_free(p);
}

static void cname_chain_limit(void **state)
{
    /* Ten CNAMEs are followed to the address (SPEC: at most 10 a chain)... */
    ldns_pkt *p = ask(*state, "chain2.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
    assert_int_equal(ldns_pkt_ancount(p), 11);
    const ldns_rr *last = ldns_rr_list_rr(ldns_pkt_answer(p), 10);
    assert_int_equal(ldns_rr_get_type(last), LDNS_RR_TYPE_A);
    ldns_pkt_free(p);
    /* ...an eleventh is not: the reply ends with the tenth CNAME. */
    p = ask(*state, "chain1.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
    assert_int_equal(ldns_pkt_ancount(p), 10);
    assert_int_equal(ldns_pkt_nscount(p), 0);
    last = ldns_rr_list_rr(ldns_pkt_answer(p), 9);
    char *t = rr_text(last);
    assert_int_equal(mc_ascii_strcasecmp(t, "chain10.example.test. CNAME chain11.example.test."),
                     0);
    free(t);
    ldns_pkt_free(p);
}

static void cname_dangling_is_nxdomain(void **state)
{
    /* The rcode is that of the last name, as NSD and BIND answer. */
    ldns_pkt *p = ask(*state, "dangling.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(
        p, LDNS_RCODE_NXDOMAIN,
        (const char *const[]){"dangling.example.test. CNAME nothere.example.test.", NULL},
        "example.test.");
    ldns_pkt_free(p);
}

static void delegation_is_outside(void **state)
{
    static const char *const names[] = {"child.example.test", "www.child.example.test",
                                        "ns.child.example.test", "a.b.child.example.test"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unsigned char *wire = NULL;
        size_t len = 0;
        assert_false(mc_zone_set_answer(*state, names[i], LDNS_RR_TYPE_A, QID, &wire, &len, NULL));
        assert_null(wire);
    }
    assert_null(ask(*state, "child.example.test", LDNS_RR_TYPE_NS, NULL));
}

static void outside_every_zone(void **state)
{
    assert_null(ask(*state, "www.elsewhere.test", LDNS_RR_TYPE_A, NULL));
    assert_null(ask(*state, "test", LDNS_RR_TYPE_A, NULL));
    assert_null(ask(*state, "notexample.test", LDNS_RR_TYPE_A, NULL));
    assert_null(ask(*state, "1.1.168.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL));
    /* Not a name at all. */
    assert_null(ask(*state, "a..example.test", LDNS_RR_TYPE_A, NULL));
    assert_null(ask(*state, "", LDNS_RR_TYPE_A, NULL));
}

static void closest_zone_answers(void **state)
{
    /* example.test delegates sub; sub's own file is loaded and answers. */
    const char *src = NULL;
    ldns_pkt *p = ask(*state, "www.sub.example.test", LDNS_RR_TYPE_A, &src);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"www.sub.example.test. A 192.0.2.56", NULL});
    assert_string_equal(src, ZONES "sub.example.test.zone");
    ldns_pkt_free(p);
    p = ask(*state, "sub.example.test", LDNS_RR_TYPE_SOA, &src);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_ancount(p), 1);
    assert_string_equal(src, ZONES "sub.example.test.zone");
    ldns_pkt_free(p);
    p = ask(*state, "nothing.sub.example.test", LDNS_RR_TYPE_A, &src);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "sub.example.test.");
    ldns_pkt_free(p);
}

static void include_directive(void **state)
{
    ldns_pkt *p = ask(*state, "h1.inc.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"h1.inc.example.test. A 192.0.2.61", NULL});
    ldns_pkt_free(p);
    /* $ORIGIN inside the included file applies there... */
    p = ask(*state, "h3.deeper.inc.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"h3.deeper.inc.example.test. A 192.0.2.65", NULL});
    ldns_pkt_free(p);
    /* ...but not after it (RFC 1035 §5.1). */
    p = ask(*state, "after-include.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"after-include.example.test. A 192.0.2.63", NULL});
    ldns_pkt_free(p);
}

static void generate_directive(void **state)
{
    char name[64], want[96];
    for (int i = 1; i <= 4; i++) {
        snprintf(name, sizeof name, "host%d.example.test", i);
        snprintf(want, sizeof want, "host%d.example.test. A 192.0.2.%d", i, i);
        ldns_pkt *p = ask(*state, name, LDNS_RR_TYPE_A, NULL);
        assert_non_null(p);
        expect_positive(p, (const char *const[]){want, NULL});
        ldns_pkt_free(p);
    }

    /* ${0,3,d}: zero-padded to 3 digits. */
    ldns_pkt *p = ask(*state, "7.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){"7.2.0.192.in-addr.arpa. PTR dyn-007.pool.example.test.", NULL});
    ldns_pkt_free(p);
    /* ${-240,2,X}: offset, width and upper-case hex. */
    p = ask(*state, "251.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){"251.2.0.192.in-addr.arpa. PTR x0B.pool.example.test.", NULL});
    ldns_pkt_free(p);
    /* ${0,3,n}: nibbles, reversed, dot-separated (26 = 0x1a). */
    p = ask(*state, "a.1.nib.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"a.1.nib.example.test. A 192.0.2.26", NULL});
    ldns_pkt_free(p);
}

static void generate_stops_at_range_end(void **state)
{
    ldns_pkt *p = ask(*state, "host5.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, none, "example.test.");
    ldns_pkt_free(p);
}

static void mixed_case_owner(void **state)
{
    /* Stored as "MixedCase.Example.TEST."; found in any case.  ask() checks
     * that the question keeps the case asked. */
    ldns_pkt *p = ask(*state, "mixedcase.EXAMPLE.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mixedcase.example.test. A 192.0.2.30", NULL});
    ldns_pkt_free(p);
    p = ask(*state, "MIXEDCASE.example.test", LDNS_RR_TYPE_AAAA, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NOERROR, none, "example.test.");
    ldns_pkt_free(p);
    p = ask(*state, "MAIL.Example.Test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mail.example.test. A 192.0.2.25", NULL});
    ldns_pkt_free(p);
}

static void multi_string_txt(void **state)
{
    ldns_pkt *p = ask(*state, "example.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_ancount(p), 1);
    const ldns_rr *txt = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
    /* Two character-strings on the wire, each intact (RFC 1035 §3.3.14). */
    assert_int_equal(ldns_rr_rd_count(txt), 2);
    const ldns_rdf *s0 = ldns_rr_rdf(txt, 0), *s1 = ldns_rr_rdf(txt, 1);
    assert_int_equal(ldns_rdf_data(s0)[0], strlen("v=spf1 ip4:192.0.2.0/24 "));
    assert_memory_equal(ldns_rdf_data(s0) + 1, "v=spf1 ip4:192.0.2.0/24 ", 24);
    assert_int_equal(ldns_rdf_data(s1)[0], strlen("ip6:2001:db8::/32 -all"));
    assert_memory_equal(ldns_rdf_data(s1) + 1, "ip6:2001:db8::/32 -all", 22);
    ldns_pkt_free(p);
    p = ask(*state, "mail.example.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mail.example.test. TXT \"v=spf1 a -all\"", NULL});
    ldns_pkt_free(p);
}

static void rfc2317_classless_reverse(void **state)
{
    const char *src = NULL;
    ldns_pkt *p = ask(*state, "25.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, &src);
    assert_non_null(p);
    /* The parent's CNAME, from the parent's file; the PTR from the child's. */
    expect_positive(p, (const char *const[]){
                           "25.2.0.192.in-addr.arpa. CNAME 25.0/26.2.0.192.in-addr.arpa.", NULL});
    assert_string_equal(src, ZONES "2.0.192.in-addr.arpa.zone");
    ldns_pkt_free(p);
    p = ask(*state, "25.0/26.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, &src);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){"25.0/26.2.0.192.in-addr.arpa. PTR mail.example.test.", NULL});
    assert_string_equal(src, ZONES "0-26.2.0.192.in-addr.arpa.zone");
    ldns_pkt_free(p);
    /* Made by $GENERATE: 2 -> 2.0/26 -> host2. */
    p = ask(*state, "2.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){
                           "2.2.0.192.in-addr.arpa. CNAME 2.0/26.2.0.192.in-addr.arpa.", NULL});
    ldns_pkt_free(p);
    p = ask(*state, "2.0/26.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){"2.0/26.2.0.192.in-addr.arpa. PTR host2.example.test.", NULL});
    ldns_pkt_free(p);
    /* 3 -> 3.0/26, which the child zone lacks: NXDOMAIN from the child. */
    p = ask(*state, "3.0/26.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_negative(p, LDNS_RCODE_NXDOMAIN, (const char *const[]){NULL},
                    "0/26.2.0.192.in-addr.arpa.");
    ldns_pkt_free(p);
}

static void class_before_ttl(void **state)
{
    ldns_pkt *p = ask(*state, "classfirst.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"classfirst.example.test. A 192.0.2.64", NULL});
    assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 120);
    ldns_pkt_free(p);
}

static void many_records(void **state)
{
    (void)state;
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    assert_int_equal(mc_zone_set_load(set, ZONES "big.test.zone", NULL, &why), MC_OK);
    assert_null(why);
    char name[64], want[96];
    for (int i = 0; i < 10000; i += 997) {
        snprintf(name, sizeof name, "h%d.big.test", i);
        snprintf(want, sizeof want, "h%d.big.test. TXT \"record %d\"", i, i);
        ldns_pkt *p = ask(set, name, LDNS_RR_TYPE_TXT, NULL);
        assert_non_null(p);
        expect_positive(p, (const char *const[]){want, NULL});
        ldns_pkt_free(p);
    }
    ldns_pkt *p = ask(set, "h9999.big.test", LDNS_RR_TYPE_AAAA, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"h9999.big.test. AAAA 2001:db8::270f", NULL});
    ldns_pkt_free(p);
    p = ask(set, "h10000.big.test", LDNS_RR_TYPE_AAAA, NULL);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
    ldns_pkt_free(p);
    mc_zone_set_free(set);
}

/* Loads PATH into a fresh set; asserts it fails with a message that
 * contains every string in WANT. */
static void expect_load_error(const char *path, const char *origin, const char *const *want)
{
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    assert_int_equal(mc_zone_set_load(set, path, origin, &why), MC_ERR_INPUT);
    assert_non_null(why);
    for (size_t i = 0; want[i]; i++) {
        if (!strstr(why, want[i]))
            fprintf(stderr, "message '%s' lacks '%s'\n", why, want[i]);
        assert_non_null(strstr(why, want[i]));
    }
    free(why);
    /* A failed load leaves the set empty. */
    assert_null(ask(set, "www.example.test", LDNS_RR_TYPE_A, NULL));
    mc_zone_set_free(set);
}

static void load_errors(void **state)
{
    (void)state;
    expect_load_error(ZONES "does-not-exist.zone", NULL,
                      (const char *const[]){"does-not-exist.zone", "cannot open", NULL});
    expect_load_error(ZONES "bad", NULL,
                      (const char *const[]){"zones/bad", "is a directory", NULL});
    expect_load_error(ZONES "bad/syntax.zone", NULL,
                      (const char *const[]){"bad/syntax.zone:5: bad record", NULL});
    expect_load_error(ZONES "bad/nosoa.zone", NULL,
                      (const char *const[]){"bad/nosoa.zone: no SOA record", NULL});
    expect_load_error(ZONES "bad/empty.zone", NULL,
                      (const char *const[]){"bad/empty.zone: no records", NULL});
    expect_load_error(ZONES "bad/comments-only.zone", NULL,
                      (const char *const[]){"comments-only.zone: no records", NULL});
    expect_load_error(ZONES "bad/unbalanced.zone", NULL,
                      (const char *const[]){"bad/unbalanced.zone:3: '(' without ')'", NULL});
    expect_load_error(ZONES "bad/loop.zone", NULL,
                      (const char *const[]){"loop.inc:2: $INCLUDE loop", NULL});
    expect_load_error(ZONES "bad/outside.zone", NULL,
                      (const char *const[]){"outside.zone:5:", "www.elsewhere.test.",
                                            "outside the zone outside.test.", NULL});
    expect_load_error(ZONES "bad/cname-and-other.zone", NULL,
                      (const char *const[]){"cname-and-other.zone:6: CNAME and other data", NULL});
    expect_load_error(ZONES "bad/badgen.zone", NULL,
                      (const char *const[]){"badgen.zone:5: $GENERATE", "base", NULL});
    expect_load_error(ZONES "bad/noorigin.zone", NULL,
                      (const char *const[]){"noorigin.zone:1:", "no $ORIGIN", NULL});
    expect_load_error(ZONES "bad/badclass.zone", NULL,
                      (const char *const[]){"badclass.zone:5: class CH", NULL});
    expect_load_error(ZONES "bad/noorigin.zone", "bad..origin",
                      (const char *const[]){"bad origin", NULL});
}

static void origin_argument(void **state)
{
    (void)state;
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    assert_int_equal(mc_zone_set_load(set, ZONES "bad/noorigin.zone", "noorigin.test", &why),
                     MC_OK);
    assert_null(why);
    ldns_pkt *p = ask(set, "www.noorigin.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"www.noorigin.test. A 192.0.2.1", NULL});
    ldns_pkt_free(p);
    mc_zone_set_free(set);
}

static void same_zone_twice(void **state)
{
    (void)state;
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    assert_int_equal(mc_zone_set_load(set, ZONES "other.test.zone", NULL, &why), MC_OK);
    assert_int_equal(mc_zone_set_load(set, ZONES "other.test.zone", NULL, &why), MC_ERR_INPUT);
    assert_non_null(why);
    assert_non_null(strstr(why, "zone other.test. is already loaded from"));
    free(why);
    /* The first copy still answers. */
    ldns_pkt *p = ask(set, "host.other.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    ldns_pkt_free(p);
    mc_zone_set_free(set);
}

/* CRLF line ends, $TTL with units, comments after quoted strings that hold
 * ';' and '(', escapes, a quoted $INCLUDE name, a duplicate record. */
static void lexical_corner_cases(void **state)
{
    (void)state;
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    enum mc_status st = mc_zone_set_load(set, ZONES "misc.test.zone", NULL, &why);
    if (st != MC_OK)
        fprintf(stderr, "%s\n", why);
    assert_int_equal(st, MC_OK);
    ldns_pkt *p = ask(set, "txt.misc.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    /* The same record twice is one record. */
    expect_positive(p, (const char *const[]){"txt.misc.test. TXT \"a;b (c)\"", NULL});
    assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 3600);
    ldns_pkt_free(p);
    p = ask(set, "txt2.misc.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"txt2.misc.test. TXT \"tab\there\" \"x\\\"y\"", NULL});
    assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 7200);
    ldns_pkt_free(p);
    p = ask(set, "inc.misc.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"inc.misc.test. A 192.0.2.2", NULL});
    ldns_pkt_free(p);
    mc_zone_set_free(set);
}

/* The README demo's zones (examples/) load and answer the demo names. */
static void example_zones(void **state)
{
    (void)state;
    static const char *const files[] = {EXAMPLES "example.test.zone",
                                        EXAMPLES "2.0.192.in-addr.arpa.zone",
                                        EXAMPLES "8.b.d.0.1.0.0.2.ip6.arpa.zone"};
    struct mc_zone_set *set = mc_zone_set_new();
    for (size_t i = 0; i < 3; i++) {
        char *why = NULL;
        enum mc_status st = mc_zone_set_load(set, files[i], NULL, &why);
        if (st != MC_OK)
            fprintf(stderr, "%s\n", why);
        assert_int_equal(st, MC_OK);
    }
    ldns_pkt *p = ask(set, "mail.example.test", LDNS_RR_TYPE_A, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){"mail.example.test. A 192.0.2.25", NULL});
    ldns_pkt_free(p);
    p = ask(set, "25.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(p,
                    (const char *const[]){"25.2.0.192.in-addr.arpa. PTR mail.example.test.", NULL});
    ldns_pkt_free(p);
    p = ask(set, "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
            LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    assert_int_equal(ldns_pkt_ancount(p), 1);
    ldns_pkt_free(p);
    p = ask(set, "26.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL);
    assert_non_null(p);
    expect_positive(p, (const char *const[]){
                           "26.2.0.192.in-addr.arpa. PTR dyn-192-0-2-26.pool.example.test.", NULL});
    ldns_pkt_free(p);
    p = ask(set, "example.test", LDNS_RR_TYPE_TXT, NULL);
    assert_non_null(p);
    expect_positive(
        p, (const char *const[]){
               "example.test. TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"", NULL});
    ldns_pkt_free(p);
    mc_zone_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_answer),
        cmocka_unit_test(nodata_has_soa),
        cmocka_unit_test(nxdomain_has_soa),
        cmocka_unit_test(empty_non_terminal_is_nodata),
        cmocka_unit_test(wildcard_synthesis),
        cmocka_unit_test(wildcard_not_for_existing_names),
        cmocka_unit_test(wildcard_cname),
        cmocka_unit_test(cname_chain_in_zone),
        cmocka_unit_test(cname_into_other_file),
        cmocka_unit_test(cname_out_of_set_stops),
        cmocka_unit_test(cname_loop_stops),
        cmocka_unit_test(cname_chain_limit),
        cmocka_unit_test(cname_dangling_is_nxdomain),
        cmocka_unit_test(delegation_is_outside),
        cmocka_unit_test(outside_every_zone),
        cmocka_unit_test(closest_zone_answers),
        cmocka_unit_test(include_directive),
        cmocka_unit_test(generate_directive),
        cmocka_unit_test(generate_stops_at_range_end),
        cmocka_unit_test(mixed_case_owner),
        cmocka_unit_test(multi_string_txt),
        cmocka_unit_test(rfc2317_classless_reverse),
        cmocka_unit_test(class_before_ttl),
    };
    const struct CMUnitTest standalone[] = {
        cmocka_unit_test(many_records),         cmocka_unit_test(load_errors),
        cmocka_unit_test(origin_argument),      cmocka_unit_test(same_zone_twice),
        cmocka_unit_test(lexical_corner_cases), cmocka_unit_test(example_zones),
    };
    int failed = cmocka_run_group_tests_name("zone set", tests, load_set, free_set);
    failed += cmocka_run_group_tests_name("loading", standalone, NULL, NULL);
    return failed;
}
