/* SPDX-License-Identifier: MIT */
/* Fuzz target: DNS replies, raw wire bytes through the same parser the
 * resolver uses for network and zone answers. The first byte picks the
 * question type; the question name is fixed, so the fuzzer learns it. */
#include "fuzz.h"
#include "mc_arena.h"
#include "mc_dns_id.h"
#include "mc_dns_msg.h"

#include <string.h>

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
    mc_arena_free(arena);
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
