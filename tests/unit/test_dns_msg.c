/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dns_msg.c: what each kind of reply means.  Replies are
 * made with ldns from presentation-format records, so every case reads
 * like the packet it stands for.
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

#include "mc_arena.h"
#include "mc_dns_msg.h"

/* A reply to QNAME/QTYPE with RCODE, ANSWER records and AUTHORITY records
 * (NULL-terminated presentation strings). Caller frees *WIRE. */
static void make_reply(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode,
                       const char *const *answer, const char *const *authority, uint8_t **wire,
                       size_t *len)
{
    ldns_pkt *pkt =
        ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN, LDNS_RD);
    assert_non_null(pkt);
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    ldns_pkt_set_id(pkt, 4242);
    ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
    for (size_t i = 0; answer && answer[i]; i++) {
        ldns_rr *rr = NULL;
        assert_int_equal(ldns_rr_new_frm_str(&rr, answer[i], 300, NULL, NULL), LDNS_STATUS_OK);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
    }
    for (size_t i = 0; authority && authority[i]; i++) {
        ldns_rr *rr = NULL;
        assert_int_equal(ldns_rr_new_frm_str(&rr, authority[i], 300, NULL, NULL), LDNS_STATUS_OK);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rr);
    }
    assert_int_equal(ldns_pkt2wire(wire, pkt, len), LDNS_STATUS_OK);
    ldns_pkt_free(pkt);
}

#define SOA "example.test. 60 IN SOA ns.example.test. h.example.test. 1 3600 900 86400 30"

struct parsed {
    struct mc_arena *arena;
    struct mc_dns_reply rep;
};

static void parse(struct parsed *p, const char *qname, uint16_t qtype, ldns_pkt_rcode rcode,
                  const char *const *answer, const char *const *authority)
{
    uint8_t *wire;
    size_t len;
    make_reply(qname, (ldns_rr_type)qtype, rcode, answer, authority, &wire, &len);
    p->arena = mc_arena_new();
    mc_dns_msg_parse_reply(wire, len, qname, qtype, 4242, p->arena, &p->rep);
    free(wire);
}

static void answer_with_addresses(void **state)
{
    (void)state;
    struct parsed p;
    const char *ans[] = {"mail.example.test. 300 IN A 192.0.2.25",
                         "mail.example.test. 120 IN A 192.0.2.26",
                         "other.example.test. 300 IN A 192.0.2.99", /* stray owner */
                         "mail.example.test. 300 IN TXT \"stray type\"", NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, ans, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    assert_int_equal(p.rep.count, 2);
    assert_int_equal(p.rep.ttl, 120);
    assert_memory_equal(p.rep.records[0].addr, "\xc0\x00\x02\x19", 4);
    assert_memory_equal(p.rep.records[1].addr, "\xc0\x00\x02\x1a", 4);
    mc_arena_free(p.arena);
}

static void negative_answers(void **state)
{
    (void)state;
    struct parsed p;
    const char *auth[] = {SOA, NULL};
    parse(&p, "nope.example.test", MC_DNS_T_A, LDNS_RCODE_NXDOMAIN, NULL, auth);
    assert_int_equal(p.rep.outcome, MC_DNS_NXDOMAIN);
    assert_int_equal(p.rep.ttl, 30); /* SOA MINIMUM caps it, RFC 2308 §5 */
    mc_arena_free(p.arena);
    parse(&p, "mail.example.test", MC_DNS_T_AAAA, LDNS_RCODE_NOERROR, NULL, auth);
    assert_int_equal(p.rep.outcome, MC_DNS_NODATA);
    assert_null(p.rep.next_name);
    mc_arena_free(p.arena);
}

static void error_rcodes_are_failures(void **state)
{
    (void)state;
    struct parsed p;
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_SERVFAIL, NULL, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_SERVFAIL);
    assert_false(mc_dns_outcome_answered(p.rep.outcome));
    mc_arena_free(p.arena);
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_REFUSED, NULL, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_REFUSED);
    mc_arena_free(p.arena);
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_FORMERR, NULL, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_RCODE);
    assert_string_equal(p.rep.why, "FORMERR");
    mc_arena_free(p.arena);
}

static void mismatched_or_garbage_replies_are_malformed(void **state)
{
    (void)state;
    uint8_t *wire;
    size_t len;
    struct mc_dns_reply rep;
    struct mc_arena *arena = mc_arena_new();
    make_reply("a.example.test", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, NULL, NULL, &wire, &len);
    mc_dns_msg_parse_reply(wire, len, "b.example.test", MC_DNS_T_A, 4242, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    mc_dns_msg_parse_reply(wire, len, "a.example.test", MC_DNS_T_AAAA, 4242, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    mc_dns_msg_parse_reply(wire, len, "a.example.test", MC_DNS_T_A, 1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    mc_dns_msg_parse_reply(wire, len / 2, "a.example.test", MC_DNS_T_A, -1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    wire[2] &= 0x7f; /* clear QR: a query, not a reply */
    mc_dns_msg_parse_reply(wire, len, "a.example.test", MC_DNS_T_A, -1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    free(wire);
    /* A compression pointer pointing at itself. */
    static const uint8_t loop[] = {0x10, 0x92, 0x81, 0x80, 0,  1, 0, 0, 0,
                                   0,    0,    0,    0xc0, 12, 0, 1, 0, 1};
    mc_dns_msg_parse_reply(loop, sizeof loop, "a.example.test", MC_DNS_T_A, -1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    mc_arena_free(arena);
}

static void nxdomain_with_data_is_nxdomain(void **state)
{
    (void)state;
    struct parsed p;
    const char *ans[] = {"25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.test.", NULL};
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_NXDOMAIN, ans, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_NXDOMAIN);
    assert_int_equal(p.rep.count, 0);
    mc_arena_free(p.arena);
}

static void address_with_wrong_rdlength_is_malformed(void **state)
{
    (void)state;
    /* a.test A: one answer whose RDLENGTH is 5 (four octets and a stray). */
    static const uint8_t wire[] = {
        0x12, 0x34, 0x85, 0x80, 0,   1,   0,   1, 0, 0,    0, 0,                     /* header */
        1,    'a',  4,    't',  'e', 's', 't', 0, 0, 1,    0, 1,                     /* question */
        0xc0, 12,   0,    1,    0,   1,   0,   0, 1, 0x2c, 0, 5, 203, 0, 113, 44, 9, /* answer */
    };
    struct mc_arena *arena = mc_arena_new();
    struct mc_dns_reply rep;
    mc_dns_msg_parse_reply(wire, sizeof wire, "a.test", MC_DNS_T_A, -1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_MALFORMED);
    /* The same with RDLENGTH 4 and no stray octet parses. */
    uint8_t good[sizeof wire - 1];
    memcpy(good, wire, sizeof good);
    good[sizeof good - 5] = 4;
    mc_dns_msg_parse_reply(good, sizeof good, "a.test", MC_DNS_T_A, -1, arena, &rep);
    assert_int_equal(rep.outcome, MC_DNS_ANSWER);
    mc_arena_free(arena);
}

static void cname_chains(void **state)
{
    (void)state;
    struct parsed p;
    /* Whole chain in the reply, mixed case: follow it case-insensitively. */
    const char *full[] = {"25.2.0.192.in-addr.arpa. 300 IN CNAME 25.0-26.2.0.192.in-addr.arpa.",
                          "25.0-26.2.0.192.IN-ADDR.ARPA. 300 IN PTR Mail.Example.Test.", NULL};
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_NOERROR, full, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    assert_int_equal(p.rep.ncnames, 1);
    assert_string_equal(p.rep.records[0].name, "Mail.Example.Test");
    assert_string_equal(p.rep.canonical, "25.0-26.2.0.192.in-addr.arpa");
    mc_arena_free(p.arena);
    /* The chain leaves the server's data: ask for the target next. */
    const char *partial[] = {"mail.example.test. 300 IN CNAME mail.elsewhere.test.", NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, partial, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_NODATA);
    assert_string_equal(p.rep.next_name, "mail.elsewhere.test");
    mc_arena_free(p.arena);
    /* ... unless the SOA says the target has no such data. */
    const char *auth[] = {SOA, NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, partial, auth);
    assert_int_equal(p.rep.outcome, MC_DNS_NODATA);
    assert_null(p.rep.next_name);
    mc_arena_free(p.arena);
    /* Dangling: the target does not exist. */
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NXDOMAIN, partial, auth);
    assert_int_equal(p.rep.outcome, MC_DNS_NXDOMAIN);
    mc_arena_free(p.arena);
    /* A loop. */
    const char *loop[] = {"a.example.test. 300 IN CNAME b.example.test.",
                          "b.example.test. 300 IN CNAME a.example.test.", NULL};
    parse(&p, "a.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, loop, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_NODATA);
    assert_true(p.rep.cname_loop);
    assert_null(p.rep.next_name);
    mc_arena_free(p.arena);
}

static void cname_chain_longer_than_ten_is_broken(void **state)
{
    (void)state;
    char *rrs[13];
    for (int i = 0; i < 12; i++) {
        rrs[i] = malloc(100);
        snprintf(rrs[i], 100, "c%d.example.test. 300 IN CNAME c%d.example.test.", i, i + 1);
    }
    rrs[12] = NULL;
    struct parsed p;
    parse(&p, "c0.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, (const char *const *)rrs, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_NODATA);
    assert_true(p.rep.cname_loop);
    mc_arena_free(p.arena);
    for (int i = 0; i < 12; i++)
        free(rrs[i]);
}

static void txt_strings_are_concatenated(void **state)
{
    (void)state;
    struct parsed p;
    const char *ans[] = {"example.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24\" \" -all\"", NULL};
    parse(&p, "example.test", MC_DNS_T_TXT, LDNS_RCODE_NOERROR, ans, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    assert_string_equal(p.rep.records[0].text, "v=spf1 ip4:192.0.2.0/24 -all");
    assert_int_equal(p.rep.records[0].text_len, strlen("v=spf1 ip4:192.0.2.0/24 -all"));
    mc_arena_free(p.arena);
}

static void hostile_names_come_out_escaped(void **state)
{
    (void)state;
    struct parsed p;
    const char *ans[] = {"25.2.0.192.in-addr.arpa. 300 IN PTR evil\\027[31m\\010.test.", NULL};
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_NOERROR, ans, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    for (const char *c = p.rep.records[0].name; *c; c++)
        assert_true(*c >= 0x20 && *c < 0x7f);
    mc_arena_free(p.arena);
}

/* Names come out as ldns_rdf2str() writes them (less the root dot), for
 * every octet a label can hold: dns_msg.c writes them itself. */
static void names_are_written_as_ldns_writes_them(void **state)
{
    (void)state;
    for (unsigned first = 0; first < 256; first += 60) {
        /* labels of 60 octets FIRST..FIRST+59 (mod 256), then "test" */
        char presentation[1024];
        size_t n = 0;
        for (unsigned label = 0; label < 2; label++) {
            for (unsigned i = 0; i < 30; i++)
                n += (size_t)snprintf(presentation + n, sizeof presentation - n, "\\%03u",
                                      (first + label * 30 + i) % 256);
            presentation[n++] = '.';
        }
        memcpy(presentation + n, "test.", sizeof "test.");
        char rr_text[1200];
        snprintf(rr_text, sizeof rr_text, "25.2.0.192.in-addr.arpa. 300 IN PTR %s", presentation);
        ldns_rr *rr = NULL;
        assert_int_equal(ldns_rr_new_frm_str(&rr, rr_text, 300, NULL, NULL), LDNS_STATUS_OK);
        char *expected = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        assert_non_null(expected);
        expected[strlen(expected) - 1] = '\0'; /* the root's dot */
        ldns_rr_free(rr);

        struct parsed p;
        const char *ans[] = {rr_text, NULL};
        parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_NOERROR, ans, NULL);
        assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
        assert_string_equal(p.rep.records[0].name, expected);
        free(expected);
        mc_arena_free(p.arena);
    }
    /* the root, as an MX exchange (the null MX of RFC 7505) */
    struct parsed p;
    const char *mx[] = {"example.test. 300 IN MX 0 .", NULL};
    parse(&p, "example.test", MC_DNS_T_MX, LDNS_RCODE_NOERROR, mx, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    assert_string_equal(p.rep.records[0].name, ".");
    mc_arena_free(p.arena);
}

/* mc_dns_result_pack(): everything the result points to is copied into
 * the block (the arena it came from is freed first, so ASan and valgrind
 * see any pointer left behind), but qname, server and the chain's server
 * strings, which stay borrowed. */
static void packed_results_own_their_copies(void **state)
{
    (void)state;
    static const char qname[] = "alias.example.test", server[] = "192.0.2.53:53";
    const char *servers[] = {server, "zone example.test.zone"};
    struct mc_arena *a = mc_arena_new();
    struct mc_dns_record *rr = mc_arena_alloc(a, 3 * sizeof *rr);
    rr[0] = (struct mc_dns_record){.type = MC_DNS_T_MX,
                                   .preference = 10,
                                   .ttl = 300,
                                   .name = mc_arena_strdup(a, "mx.example.test")};
    rr[1] = (struct mc_dns_record){.type = MC_DNS_T_TXT,
                                   .ttl = 60,
                                   .text = mc_arena_memdup(a, "v=spf1\0-all", 11),
                                   .text_len = 11};
    rr[2] = (struct mc_dns_record){.type = MC_DNS_T_A, .ttl = 5, .addr = {192, 0, 2, 7}};
    const char **chain = mc_arena_alloc(a, 2 * sizeof *chain);
    const char **targets = mc_arena_alloc(a, 2 * sizeof *targets);
    char *first_owner = mc_arena_strdup(a, "alias.example.test");
    chain[0] = first_owner;
    targets[0] = mc_arena_strdup(a, "mid.example.test");
    chain[1] = mc_arena_strdup(a, "mid.example.test");
    targets[1] = mc_arena_strdup(a, "real.example.test");
    struct mc_dns_result r = {
        .qname = qname,
        .canonical = mc_arena_strdup(a, "real.example.test"),
        .ncnames = 2,
        .cname_chain = chain,
        .cname_targets = targets,
        .cname_servers = servers,
        .count = 3,
        .records = rr,
        .server = server,
        .why = mc_arena_strdup(a, "an oddity"),
        .outcome = MC_DNS_ANSWER,
        .ttl = 5,
        .qtype = MC_DNS_T_MX,
    };
    size_t size = mc_dns_result_packed_size(&r);
    unsigned char *block = malloc(size);
    assert_non_null(block);
    mc_dns_result_pack(&r, block);
    /* Poisoned, then freed: nothing may still point into the arena. */
    memset(first_owner, 'X', strlen(first_owner));
    memset(rr[0].name, 'X', strlen(rr[0].name));
    mc_arena_free(a);
    const unsigned char *end = block + size;
#define IN_BLOCK(p)                                                                                \
    assert_true((const unsigned char *)(p) >= block && (const unsigned char *)(p) < end)
    IN_BLOCK(r.records);
    IN_BLOCK(r.canonical);
    IN_BLOCK(r.why);
    IN_BLOCK(r.cname_chain);
    assert_ptr_equal(r.qname, qname);
    assert_ptr_equal(r.server, server);
    assert_ptr_equal(r.cname_servers[0], server);
    assert_string_equal(r.cname_servers[1], "zone example.test.zone");
    assert_int_equal(r.records[0].preference, 10);
    assert_string_equal(r.records[0].name, "mx.example.test");
    IN_BLOCK(r.records[0].name);
    assert_int_equal(r.records[1].text_len, 11);
    assert_memory_equal(r.records[1].text, "v=spf1\0-all", 12); /* NUL inside, one after */
    assert_null(r.records[2].name);
    assert_null(r.records[2].text);
    assert_int_equal(r.records[2].addr[3], 7);
    assert_string_equal(r.canonical, "real.example.test");
    assert_string_equal(r.why, "an oddity");
    assert_string_equal(r.cname_chain[0], "alias.example.test");
    assert_string_equal(r.cname_targets[1], "real.example.test");
    IN_BLOCK(r.cname_targets[1]);
#undef IN_BLOCK
    free(block);

    /* The smallest: no records, no chain, canonical the name itself. */
    struct mc_dns_result nx = {.qname = qname, .canonical = qname, .outcome = MC_DNS_NXDOMAIN};
    size = mc_dns_result_packed_size(&nx);
    assert_int_equal(size, 0);
    block = malloc(1);
    mc_dns_result_pack(&nx, block);
    assert_ptr_equal(nx.canonical, qname);
    assert_null(nx.records);
    assert_null(nx.why);
    free(block);
}

static void queries_ask_recursion_with_edns0(void **state)
{
    (void)state;
    unsigned char *wire;
    size_t len;
    assert_int_equal(mc_dns_msg_build_query("mail.example.test", MC_DNS_T_AAAA, 7, &wire, &len),
                     MC_OK);
    ldns_pkt *pkt = NULL;
    assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
    assert_true(ldns_pkt_rd(pkt));
    assert_false(ldns_pkt_qr(pkt));
    assert_int_equal(ldns_pkt_id(pkt), 7);
    assert_int_equal(ldns_pkt_edns_udp_size(pkt), MC_DNS_EDNS_SIZE);
    assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)),
                     LDNS_RR_TYPE_AAAA);
    ldns_pkt_free(pkt);
    free(wire);
    assert_int_equal(mc_dns_msg_build_query("bad..name", MC_DNS_T_A, 7, &wire, &len), MC_ERR_INPUT);
}

/* RFC 2181 §10.1, RFC 1034 §3.6.2: an owner with a CNAME has nothing
 * else (RRSIG and NSEC excepted) and one CNAME only. */
static void illegal_cnames_are_malformed(void **state)
{
    (void)state;
    struct parsed p;
    const char *two[] = {"25.2.0.192.in-addr.arpa. 300 IN CNAME a.example.test.",
                         "25.2.0.192.in-addr.arpa. 300 IN CNAME b.example.test.",
                         "a.example.test. 300 IN PTR mail.example.test.",
                         "b.example.test. 300 IN PTR evil.example.test.", NULL};
    parse(&p, "25.2.0.192.in-addr.arpa", MC_DNS_T_PTR, LDNS_RCODE_NOERROR, two, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_MALFORMED);
    assert_non_null(strstr(p.rep.why, "several CNAMEs at 25.2.0.192.in-addr.arpa"));
    mc_arena_free(p.arena);
    const char *beside[] = {"mail.example.test. 300 IN CNAME a.example.test.",
                            "MAIL.example.test. 300 IN A 192.0.2.1",
                            "a.example.test. 300 IN A 192.0.2.2", NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, beside, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_MALFORMED);
    assert_non_null(strstr(p.rep.why, "CNAME beside A data at mail.example.test"));
    mc_arena_free(p.arena);
    /* Elsewhere in the answer counts too: the section contradicts itself. */
    const char *later[] = {"mail.example.test. 300 IN CNAME a.example.test.",
                           "a.example.test. 300 IN CNAME b.example.test.",
                           "a.example.test. 300 IN TXT \"x\"", "b.example.test. 300 IN A 192.0.2.2",
                           NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, later, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_MALFORMED);
    mc_arena_free(p.arena);
    /* Allowed: DNSSEC's records beside it, and one CNAME sent twice. */
    const char *ok[] = {
        "mail.example.test. 300 IN CNAME a.example.test.",
        "mail.example.test. 300 IN CNAME a.example.test.",
        "mail.example.test. 300 IN RRSIG CNAME 13 3 300 20300101000000 20200101000000 1 "
        "example.test. AAAA",
        "mail.example.test. 300 IN NSEC z.example.test. CNAME RRSIG NSEC",
        "a.example.test. 300 IN A 192.0.2.2",
        NULL};
    parse(&p, "mail.example.test", MC_DNS_T_A, LDNS_RCODE_NOERROR, ok, NULL);
    assert_int_equal(p.rep.outcome, MC_DNS_ANSWER);
    assert_int_equal(p.rep.ncnames, 1);
    assert_string_equal(p.rep.cname_targets[0], "a.example.test");
    mc_arena_free(p.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answer_with_addresses),
        cmocka_unit_test(negative_answers),
        cmocka_unit_test(error_rcodes_are_failures),
        cmocka_unit_test(mismatched_or_garbage_replies_are_malformed),
        cmocka_unit_test(nxdomain_with_data_is_nxdomain),
        cmocka_unit_test(address_with_wrong_rdlength_is_malformed),
        cmocka_unit_test(cname_chains),
        cmocka_unit_test(cname_chain_longer_than_ten_is_broken),
        cmocka_unit_test(illegal_cnames_are_malformed),
        cmocka_unit_test(txt_strings_are_concatenated),
        cmocka_unit_test(hostile_names_come_out_escaped),
        cmocka_unit_test(names_are_written_as_ldns_writes_them),
        cmocka_unit_test(packed_results_own_their_copies),
        cmocka_unit_test(queries_ask_recursion_with_edns0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
