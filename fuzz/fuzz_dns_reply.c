/* SPDX-License-Identifier: MIT */
/* Fuzz target: DNS replies, raw wire bytes through the same parser the
 * resolver uses for network and zone answers. The first byte picks the
 * question type; the question name is fixed, so the fuzzer learns it. */
#include "fuzz.h"
#include "mc_arena.h"
#include "mc_dns_msg.h"

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
    return 0;
}
