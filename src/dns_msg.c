/* SPDX-License-Identifier: MIT */
/*
 * dns_msg.c - DNS messages: building queries, reading replies (RFC 1035 §4,
 * RFC 6891 EDNS0, RFC 1034 §3.6.2 and §4.3.2 for CNAMEs in answers, RFC 2308
 * for negative answers).
 *
 * Every reply mailcheck sees, from the network or from a zone file, is read
 * by mc_dns_msg_parse_reply().  It trusts nothing: the question must match,
 * records of other types or owners are ignored, CNAME chains are followed
 * only from the name asked and stop on loops.  Ownership: the caller's arena
 * owns everything in the reply struct; ldns objects never leave this file.
 */
#include "mc_dns_msg.h"

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "mc_cursor.h"

enum mc_status mc_dns_msg_build_query(const char *name, uint16_t type, uint16_t id,
                                      unsigned char **wire, size_t *len)
{
    /* ldns checks and encodes the name; the rest of a one-question query
     * is written here: ldns_pkt2wire() builds a compression tree for every
     * message, which cost half of a batch run's CPU (callgrind) for a
     * query that has nothing to compress. */
    ldns_rdf *dname = ldns_dname_new_frm_str(name);
    if (!dname)
        return MC_ERR_INPUT;
    size_t nlen = ldns_rdf_size(dname);
    size_t total = 12 + nlen + 4 + 11;
    unsigned char *p = mc_xmalloc(total);
    static const unsigned char header[12] = {0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    memcpy(p, header, sizeof header); /* RD; one question, one OPT record */
    p[0] = (unsigned char)(id >> 8);
    p[1] = (unsigned char)id;
    memcpy(p + 12, ldns_rdf_data(dname), nlen);
    unsigned char *q = p + 12 + nlen;
    q[0] = (unsigned char)(type >> 8);
    q[1] = (unsigned char)type;
    q[2] = 0;
    q[3] = LDNS_RR_CLASS_IN;
    /* RFC 6891 §6.1.2: root owner, type OPT, class = UDP payload size,
     * TTL = extended rcode, version 0 and flags 0, no options. */
    static const unsigned char opt[11] = {
        0, 0, LDNS_RR_TYPE_OPT, MC_DNS_EDNS_SIZE >> 8, MC_DNS_EDNS_SIZE & 0xff, 0, 0, 0, 0, 0, 0};
    memcpy(q + 4, opt, sizeof opt);
    ldns_rdf_deep_free(dname);
    *wire = p;
    *len = total;
    return MC_OK;
}

/* Presentation form of a domain name without the trailing dot, as
 * ldns_rdf2str() writes it (ldns 1.8.3 host2str.c,
 * ldns_rdf2buffer_str_dname()): ". ; ( ) \\" after a backslash, an octet
 * that is not printable ASCII (space included) as \DDD, so the result is
 * safe text; the root is ".".  Written here because ldns formats a name an
 * octet at a time through printf(): 8 % of the instructions of a batch. */
static char *dname_str(struct mc_arena *arena, const ldns_rdf *rdf)
{
    const uint8_t *data = ldns_rdf_data(rdf);
    size_t size = ldns_rdf_size(rdf);
    if (size <= 1 || data[0] == 0)
        return mc_arena_strdup(arena, ".");
    char *out = mc_arena_alloc(arena, 4 * size + 1); /* every octet \DDD */
    size_t n = 0;
    for (size_t pos = 0; pos < size && data[pos] > 0;) {
        if (n > 0)
            out[n++] = '.';
        size_t end = pos + 1 + data[pos];
        for (pos++; pos < end && pos < size; pos++) {
            unsigned char c = data[pos];
            if (c == '.' || c == ';' || c == '(' || c == ')' || c == '\\') {
                out[n++] = '\\';
                out[n++] = (char)c;
            } else if (c <= 0x20 || c >= 0x7f) {
                out[n++] = '\\';
                out[n++] = (char)('0' + c / 100);
                out[n++] = (char)('0' + c / 10 % 10);
                out[n++] = (char)('0' + c % 10);
            } else {
                out[n++] = (char)c;
            }
        }
    }
    out[n] = '\0';
    return out;
}

/* Fills REC from RR, which has type TYPE; false if the rdata is unusable. */
static bool record_from_rr(struct mc_arena *arena, const ldns_rr *rr, uint16_t type,
                           struct mc_dns_record *rec)
{
    rec->type = type;
    rec->ttl = ldns_rr_ttl(rr);
    const ldns_rdf *rd0 = ldns_rr_rdf(rr, 0);
    switch (type) {
    case MC_DNS_T_A:
        if (!rd0 || ldns_rdf_get_type(rd0) != LDNS_RDF_TYPE_A || ldns_rdf_size(rd0) != 4)
            return false;
        memcpy(rec->addr, ldns_rdf_data(rd0), 4);
        return true;
    case MC_DNS_T_AAAA:
        if (!rd0 || ldns_rdf_get_type(rd0) != LDNS_RDF_TYPE_AAAA || ldns_rdf_size(rd0) != 16)
            return false;
        memcpy(rec->addr, ldns_rdf_data(rd0), 16);
        return true;
    case MC_DNS_T_PTR:
    case MC_DNS_T_CNAME:
    case MC_DNS_T_NS:
        if (!rd0 || ldns_rdf_get_type(rd0) != LDNS_RDF_TYPE_DNAME)
            return false;
        rec->name = dname_str(arena, rd0);
        return true;
    case MC_DNS_T_MX: {
        const ldns_rdf *rd1 = ldns_rr_rdf(rr, 1);
        if (!rd0 || !rd1 || ldns_rdf_size(rd0) != 2 ||
            ldns_rdf_get_type(rd1) != LDNS_RDF_TYPE_DNAME)
            return false;
        rec->preference = ldns_rdf2native_int16(rd0);
        rec->name = dname_str(arena, rd1);
        return true;
    }
    case MC_DNS_T_TXT: {
        /* RFC 7208 §3.3: the character-strings of one TXT record are
         * concatenated without spaces. Each rdf is <len><bytes>. */
        size_t total = 0;
        for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
            const ldns_rdf *rd = ldns_rr_rdf(rr, i);
            if (ldns_rdf_size(rd) < 1)
                return false;
            total += ldns_rdf_size(rd) - 1;
        }
        char *text = mc_arena_alloc(arena, total + 1);
        size_t off = 0;
        for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
            const ldns_rdf *rd = ldns_rr_rdf(rr, i);
            const uint8_t *data = ldns_rdf_data(rd);
            size_t n = data[0];
            if (n > ldns_rdf_size(rd) - 1)
                return false;
            memcpy(text + off, data + 1, n);
            off += n;
        }
        text[off] = '\0';
        rec->text = text;
        rec->text_len = off;
        return true;
    }
    default: return false;
    }
}

static bool rr_is(const ldns_rr *rr, const ldns_rdf *owner, ldns_rr_type type)
{
    return ldns_rr_get_type(rr) == type && ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
           ldns_dname_compare(ldns_rr_owner(rr), owner) == 0;
}

/* Smallest TTL of the SOA in AUTHORITY, capped by its MINIMUM (RFC 2308 §5);
 * sets *HAS_SOA. */
static uint32_t negative_ttl(const ldns_pkt *pkt, bool *has_soa)
{
    const ldns_rr_list *auth = ldns_pkt_authority(pkt);
    *has_soa = false;
    for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(auth, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
            continue;
        *has_soa = true;
        uint32_t ttl = ldns_rr_ttl(rr);
        uint32_t minimum = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
        return ttl < minimum ? ttl : minimum;
    }
    return 0;
}

/* Skips a domain name on the wire (RFC 1035 §4.1.4): labels until the root
 * or a compression pointer, which ends the name here (where it points is
 * ldns' business).  A name that runs past the end, has more than 127
 * labels or a reserved label type sets the cursor's error. */
static void skip_name(struct mc_cursor *c)
{
    for (size_t labels = 0; mc_cursor_ok(c); labels++) {
        int l = mc_cursor_peek(c);
        if (l < 0 || labels > 127) {
            c->bad = true;
            return;
        }
        if ((l & 0xc0) == 0xc0) {
            mc_cursor_skip(c, 2);
            return;
        }
        if (l & 0xc0) {
            c->bad = true;
            return;
        }
        mc_cursor_skip(c, 1u + (unsigned)l);
        if (l == 0)
            return;
    }
}

/*
 * ldns reads an A (AAAA) record whose RDLENGTH is not 4 (16) as its first
 * octets and drops the rest, so a forged length would pass as a valid
 * address: check every record's RDLENGTH against its type ourselves.
 * Returns NULL, or the reason the message is malformed.
 */
static const char *check_rdlengths(const unsigned char *wire, size_t len)
{
    struct mc_cursor c = mc_cursor_make(wire, len);
    mc_cursor_skip(&c, 4); /* ID, flags */
    unsigned qd = mc_cursor_get16(&c), an = mc_cursor_get16(&c), ns = mc_cursor_get16(&c),
             ar = mc_cursor_get16(&c);
    for (unsigned i = 0; i < qd && mc_cursor_ok(&c); i++) {
        skip_name(&c);
        mc_cursor_skip(&c, 4); /* QTYPE, QCLASS */
    }
    for (unsigned long i = 0; i < (unsigned long)an + ns + ar && mc_cursor_ok(&c); i++) {
        skip_name(&c);
        unsigned type = mc_cursor_get16(&c);
        mc_cursor_skip(&c, 6); /* class, TTL */
        unsigned rdlen = mc_cursor_get16(&c);
        if ((type == LDNS_RR_TYPE_A && rdlen != 4) || (type == LDNS_RR_TYPE_AAAA && rdlen != 16))
            return "an address record with a wrong RDLENGTH";
        mc_cursor_skip(&c, rdlen);
    }
    return mc_cursor_ok(&c) ? NULL : "records run past the end of the message";
}

/*
 * RFC 2181 §10.1 and RFC 1034 §3.6.2: a name with a CNAME has no other
 * data (DNSSEC's RRSIG and NSEC excepted, RFC 4035 §2.5) and one CNAME
 * only.  An answer section that breaks this contradicts itself (which
 * alias is meant?) and is malformed, as the zone loader rejects the same
 * data.  Returns NULL, or the reason (malloc'd, caller frees).
 */
static char *illegal_cname(const ldns_rr_list *answer)
{
    size_t n = ldns_rr_list_rr_count(answer);
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *cname = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(cname) != LDNS_RR_TYPE_CNAME)
            continue;
        for (size_t j = 0; j < n; j++) {
            const ldns_rr *other = ldns_rr_list_rr(answer, j);
            ldns_rr_type t = ldns_rr_get_type(other);
            if (j == i || t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
                ldns_dname_compare(ldns_rr_owner(cname), ldns_rr_owner(other)) != 0)
                continue;
            /* The same CNAME twice is one record sent twice, not two. */
            if (t == LDNS_RR_TYPE_CNAME && ldns_rr_compare_no_rdata(cname, other) == 0 &&
                ldns_rr_rd_count(cname) == 1 && ldns_rr_rd_count(other) == 1 &&
                ldns_rdf_compare(ldns_rr_rdf(cname, 0), ldns_rr_rdf(other, 0)) == 0)
                continue;
            char *owner = ldns_rdf2str(ldns_rr_owner(cname));
            if (!owner)
                mc_oom();
            size_t len = strlen(owner);
            if (len > 1 && owner[len - 1] == '.')
                owner[len - 1] = '\0';
            const char *what = ldns_rr_descript((uint16_t)t) && ldns_rr_descript((uint16_t)t)->_name
                                   ? ldns_rr_descript((uint16_t)t)->_name
                                   : "other";
            char *why = t == LDNS_RR_TYPE_CNAME
                            ? mc_xasprintf("several CNAMEs at %s (RFC 2181 section 10.1)", owner)
                            : mc_xasprintf("a CNAME beside %s data at %s (RFC 1034 section "
                                           "3.6.2)",
                                           what, owner);
            free(owner);
            return why;
        }
    }
    return NULL;
}

void mc_dns_msg_parse_reply(const unsigned char *wire, size_t len, const char *qname,
                            uint16_t qtype, int expect_id, struct mc_arena *arena,
                            struct mc_dns_reply *out)
{
    ldns_pkt *pkt = NULL;
    ldns_rdf *want = NULL;
    const ldns_rdf *cur = NULL;
    const ldns_rdf **seen = NULL;
    memset(out, 0, sizeof *out);
    out->outcome = MC_DNS_MALFORMED;
    out->rcode = -1;

    ldns_status st = ldns_wire2pkt(&pkt, wire, len);
    if (st != LDNS_STATUS_OK) {
        out->why = mc_arena_printf(arena, "unparsable reply (%s)", ldns_get_errorstr_by_id(st));
        goto done;
    }
    const char *bad_rr = check_rdlengths(wire, len);
    if (bad_rr) {
        out->why = bad_rr;
        goto done;
    }
    want = ldns_dname_new_frm_str(qname);
    if (!want) {
        out->why = "not a valid domain name";
        goto done;
    }
    if (!ldns_pkt_qr(pkt) || ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY) {
        out->why = "reply is not a query response";
        goto done;
    }
    if (expect_id >= 0 && ldns_pkt_id(pkt) != (uint16_t)expect_id) {
        out->why = "reply has the wrong id";
        goto done;
    }
    const ldns_rr_list *question = ldns_pkt_question(pkt);
    if (ldns_rr_list_rr_count(question) != 1 ||
        !rr_is(ldns_rr_list_rr(question, 0), want, (ldns_rr_type)qtype)) {
        out->why = "reply is for another question";
        goto done;
    }
    out->rcode = (int)ldns_pkt_get_rcode(pkt);
    out->authoritative = ldns_pkt_aa(pkt);
    switch (ldns_pkt_get_rcode(pkt)) {
    case LDNS_RCODE_NOERROR:
    case LDNS_RCODE_NXDOMAIN: break;
    case LDNS_RCODE_SERVFAIL:
        out->outcome = MC_DNS_SERVFAIL;
        out->why = "SERVFAIL";
        goto done;
    case LDNS_RCODE_REFUSED:
        out->outcome = MC_DNS_REFUSED;
        out->why = "REFUSED";
        goto done;
    default: {
        const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, out->rcode);
        out->outcome = MC_DNS_RCODE;
        out->why =
            lt ? mc_arena_strdup(arena, lt->name) : mc_arena_printf(arena, "rcode %d", out->rcode);
        goto done;
    }
    }

    /* Follow the CNAME chain from QNAME inside the answer section
     * (RFC 1034 §4.3.2 step 3a): only records at the current chain name
     * count, whatever else the server added. */
    const ldns_rr_list *answer = ldns_pkt_answer(pkt);
    cur = want;
    size_t nanswer = ldns_rr_list_rr_count(answer);
    seen = mc_xcalloc(MC_DNS_MAX_CNAMES + 2, sizeof *seen);
    char *illegal = illegal_cname(answer);
    if (illegal) {
        out->outcome = MC_DNS_MALFORMED;
        out->why = mc_arena_strdup(arena, illegal);
        free(illegal);
        goto done;
    }
    /* RFC 6604 §3: an NXDOMAIN rcode speaks of the chain's last name; data
     * beside it contradicts the server itself and is not used. */
    bool nxdomain = ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NXDOMAIN;
    for (;;) {
        size_t nmatch = 0;
        for (size_t i = 0; i < nanswer && !nxdomain; i++)
            if (rr_is(ldns_rr_list_rr(answer, i), cur, (ldns_rr_type)qtype))
                nmatch++;
        if (nmatch > 0) {
            out->records = mc_arena_alloc(arena, nmatch * sizeof *out->records);
            uint32_t ttl = UINT32_MAX;
            for (size_t i = 0; i < nanswer; i++) {
                const ldns_rr *rr = ldns_rr_list_rr(answer, i);
                if (!rr_is(rr, cur, (ldns_rr_type)qtype))
                    continue;
                struct mc_dns_record *rec = &out->records[out->count];
                if (!record_from_rr(arena, rr, qtype, rec))
                    continue; /* unusable rdata: ignore like a stray record */
                if (rec->ttl < ttl)
                    ttl = rec->ttl;
                out->count++;
            }
            if (out->count > 0) {
                out->ttl = ttl;
                out->outcome = MC_DNS_ANSWER;
                goto done;
            }
        }
        if (qtype == MC_DNS_T_CNAME)
            break;
        const ldns_rr *cname = NULL;
        for (size_t i = 0; i < nanswer && !cname; i++)
            if (rr_is(ldns_rr_list_rr(answer, i), cur, LDNS_RR_TYPE_CNAME))
                cname = ldns_rr_list_rr(answer, i);
        if (!cname || !ldns_rr_rdf(cname, 0) ||
            ldns_rdf_get_type(ldns_rr_rdf(cname, 0)) != LDNS_RDF_TYPE_DNAME)
            break;
        if (out->ncnames == MC_DNS_MAX_CNAMES) {
            out->cname_loop = true; /* too long counts as broken, like a loop */
            out->why = "CNAME chain longer than 10";
            out->outcome = MC_DNS_NODATA;
            goto done;
        }
        if (!out->cname_chain) { /* most replies have no CNAME: made at the first */
            out->cname_chain = mc_arena_alloc(arena, (MC_DNS_MAX_CNAMES + 1) * sizeof(char *));
            out->cname_targets = mc_arena_alloc(arena, (MC_DNS_MAX_CNAMES + 1) * sizeof(char *));
        }
        out->cname_chain[out->ncnames] = dname_str(arena, ldns_rr_owner(cname));
        out->cname_targets[out->ncnames] = dname_str(arena, ldns_rr_rdf(cname, 0));
        seen[out->ncnames++] = ldns_rr_owner(cname);
        cur = ldns_rr_rdf(cname, 0);
        for (size_t i = 0; i < out->ncnames; i++) {
            if (ldns_dname_compare(seen[i], cur) == 0) {
                out->cname_loop = true;
                out->why = mc_arena_printf(arena, "CNAME chain loops at %s", out->cname_chain[i]);
                out->outcome = MC_DNS_NODATA;
                goto done;
            }
        }
    }

    bool has_soa = false;
    out->ttl = negative_ttl(pkt, &has_soa);
    if (ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NXDOMAIN) {
        out->outcome = MC_DNS_NXDOMAIN;
    } else if (out->ncnames > 0 && !has_soa) {
        /* The chain leaves this server's data (RFC 1034 §4.3.2 step 3a: an
         * authoritative server stops at its zone's edge): ask for the target. */
        out->next_name = dname_str(arena, cur);
        out->outcome = MC_DNS_NODATA;
    } else {
        out->outcome = MC_DNS_NODATA;
    }
done:
    if (pkt && want && out->outcome != MC_DNS_MALFORMED)
        out->canonical = out->ncnames ? dname_str(arena, cur) : NULL;
    free(seen);
    ldns_rdf_deep_free(want);
    ldns_pkt_free(pkt);
}

const char *mc_dns_msg_library_version(void)
{
    return ldns_version();
}
