/* SPDX-License-Identifier: MIT */
/* Fuzz target: DNS replies, raw wire bytes through the same parser the
 * resolver uses for network and zone answers. The first byte picks the
 * question type; the question name is fixed, so the fuzzer learns it.
 * Every reply is then packed as the resolver's cache keeps it
 * (mc_dns_result_pack()) and must read back the same once the arena it
 * was parsed into is gone. */
#include "fuzz.h"
#include "mc_arena.h"
#include "mc_dns_id.h"
#include "mc_dns_msg.h"

#include <stdlib.h>
#include <string.h>

static bool same_bytes(const char *a, const char *b, size_t n)
{
    return (!a && !b) || (a && b && memcmp(a, b, n) == 0);
}

static bool same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* REP as a result *R, packed into a block of its own (returned; the
 * caller frees it and *SERVERS), and compared with REP while the arena
 * REP lives in is still there. */
static unsigned char *pack_and_compare(const struct mc_dns_reply *rep, const char *qname,
                                       struct mc_dns_result *out, const char ***servers_out)
{
    struct mc_dns_result r = {
        .qname = qname,
        .canonical = rep->canonical ? rep->canonical : qname,
        .ncnames = rep->ncnames,
        .cname_chain = rep->cname_chain,
        .cname_targets = rep->cname_targets,
        .cname_servers = NULL,
        .count = rep->count,
        .records = rep->records,
        .why = rep->why,
        .outcome = rep->outcome,
    };
    const char **servers = calloc(rep->ncnames + 1, sizeof *servers);
    for (size_t i = 0; i < rep->ncnames; i++)
        servers[i] = "fuzz";
    r.cname_servers = rep->ncnames ? servers : NULL;
    struct mc_dns_result before = r;
    unsigned char *block = malloc(mc_dns_result_packed_size(&r) + 1);
    mc_dns_result_pack(&r, block);
    if (r.count != before.count || r.ncnames != before.ncnames ||
        !same_string(r.canonical, before.canonical) || !same_string(r.why, before.why))
        __builtin_trap();
    for (size_t i = 0; i < r.count; i++) {
        const struct mc_dns_record *a = &r.records[i], *b = &before.records[i];
        if (a->type != b->type || a->ttl != b->ttl || a->preference != b->preference ||
            memcmp(a->addr, b->addr, sizeof a->addr) != 0 || a->text_len != b->text_len ||
            !same_string(a->name, b->name) || !same_bytes(a->text, b->text, a->text_len) ||
            (a->text && a->text[a->text_len] != '\0'))
            __builtin_trap();
    }
    for (size_t i = 0; i < r.ncnames; i++)
        if (!same_string(r.cname_chain[i], before.cname_chain[i]) ||
            !same_string(r.cname_targets[i], before.cname_targets[i]) ||
            r.cname_servers[i] != servers[i])
            __builtin_trap();
    *out = r;
    *servers_out = servers;
    return block;
}

/* Reads every octet R points to: after the arena is freed, ASan (or
 * valgrind, in the replay) reports any pointer the packing left in it. */
static size_t touch(const struct mc_dns_result *r)
{
    size_t sum = (r->canonical ? strlen(r->canonical) : 0) + (r->why ? strlen(r->why) : 0);
    for (size_t i = 0; i < r->count; i++)
        sum += (r->records[i].name ? strlen(r->records[i].name) : 0) +
               (r->records[i].text ? r->records[i].text[r->records[i].text_len] == '\0' : 0);
    for (size_t i = 0; i < r->ncnames; i++)
        sum += strlen(r->cname_chain[i]) + strlen(r->cname_targets[i]);
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t types[] = {MC_DNS_T_A,   MC_DNS_T_AAAA, MC_DNS_T_PTR,
                                     MC_DNS_T_TXT, MC_DNS_T_MX,   MC_DNS_T_CNAME};
    if (size < 1)
        return 0;
    uint16_t type = types[data[0] % (sizeof types / sizeof types[0])];
    struct mc_arena *arena = mc_arena_new();
    struct mc_dns_reply rep;
    mc_dns_msg_parse_reply(data + 1, size - 1, "a.example.test", type, -1, arena, &rep);
    if (rep.outcome == MC_DNS_ANSWER && rep.count == 0)
        __builtin_trap(); /* an answer always has records */
    if (rep.outcome != MC_DNS_ANSWER && rep.count != 0)
        __builtin_trap();
    for (size_t i = 0; i < rep.count; i++) {
        const char *n = rep.records[i].name;
        for (; n && *n; n++)
            if ((unsigned char)*n < 0x20 || (unsigned char)*n >= 0x7f)
                __builtin_trap(); /* names come out printable (escaped) */
    }
    struct mc_dns_result packed;
    const char **servers;
    unsigned char *block = pack_and_compare(&rep, "a.example.test", &packed, &servers);
    mc_arena_free(arena);
    volatile size_t sink = touch(&packed);
    (void)sink;
    free(block);
    free(servers);
    /* The question reader of the case guard (--dns0x20) on the same bytes:
     * in bounds, and 0x20 changes letters' case only. */
    struct mc_dns_question q;
    if (mc_dns_question_read(data + 1, size - 1, &q)) {
        if (q.name_off + q.name_len + 4 > size - 1)
            __builtin_trap();
        static struct mc_dns_ids ids;
        unsigned char copy[65536];
        size_t n = size - 1 < sizeof copy ? size - 1 : sizeof copy;
        memcpy(copy, data + 1, n);
        if (!mc_dns_0x20_apply(&ids, copy, n) ||
            !mc_dns_wire_name_equal(copy + q.name_off, data + 1 + q.name_off, q.name_len))
            __builtin_trap();
    }
    return 0;
}
