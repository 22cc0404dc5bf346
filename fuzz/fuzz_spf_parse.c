/* SPDX-License-Identifier: MIT */
/* Fuzz target: the SPF record parser (any bytes, as a TXT record gives). */
#include "fuzz.h"
#include "mc_arena.h"
#include "mc_spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_record rec;
    if (mc_spf_parse(&rec, arena, (const char *)data, size)) {
        /* A record that parses must have terms whose text is a string. */
        for (size_t i = 0; i < rec.nterms; i++)
            if (!rec.terms[i].text)
                __builtin_trap();
    }
    mc_arena_free(arena);
    return 0;
}
