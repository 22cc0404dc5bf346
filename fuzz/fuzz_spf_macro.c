/* SPDX-License-Identifier: MIT */
/* Fuzz target: the SPF macro expander. First byte: mode and client family;
 * the rest is the macro-string. */
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "mc_arena.h"
#include "mc_spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct mc_spf_macro_ctx ctx = {
        .local_part = "strong-bad",
        .sender_domain = "email.example.test",
        .domain = "email.example.test",
        .family = (data[0] & 2) ? AF_INET6 : AF_INET,
        .helo = "mx.example.test",
        .receiver = "mailcheck.test",
        .timestamp = 1700000000,
        .ptr_name = (data[0] & 4) ? "mx.example.test" : NULL,
    };
    memcpy(ctx.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\xcb\x01", 16);
    enum mc_spf_macro_mode mode = (data[0] & 1) ? MC_SPF_MACRO_EXP : MC_SPF_MACRO_DOMAIN;
    struct mc_arena *arena = mc_arena_new();
    const char *out = NULL, *why = NULL;
    if (mc_spf_macro_expand(&out, arena, &ctx, (const char *)data + 1, size - 1, mode, &why)) {
        size_t len = strlen(out);
        if (mode == MC_SPF_MACRO_DOMAIN && len > MC_SPF_NAME_MAX)
            __builtin_trap(); /* §4.8: never longer than 253 octets */
        if (mode == MC_SPF_MACRO_EXP && len > MC_SPF_EXP_MAX)
            __builtin_trap();
    }
    mc_arena_free(arena);
    return 0;
}
