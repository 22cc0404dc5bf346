/* SPDX-License-Identifier: MIT */
/* Fuzz target: zone files. The input is written to a private temporary
 * file (the loader reads paths, for $INCLUDE), loaded, and asked a few
 * questions whose replies go through the reply parser. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "mc_arena.h"
#include "mc_dns_msg.h"
#include "mc_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/mc-fuzz-zone-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    struct mc_zone_set *set = mc_zone_set_new();
    char *why = NULL;
    if (mc_zone_set_load(set, path, "example.test.", &why) == MC_OK) {
        static const char *const names[] = {"example.test", "mail.example.test", "x.y.example.test",
                                            "25.2.0.192.in-addr.arpa"};
        static const uint16_t types[] = {MC_DNS_T_A, MC_DNS_T_TXT, MC_DNS_T_PTR, MC_DNS_T_MX};
        for (size_t i = 0; i < 4; i++) {
            unsigned char *wire = NULL;
            size_t len = 0;
            if (mc_zone_set_answer(set, names[i], types[i], 1, &wire, &len, NULL)) {
                struct mc_arena *arena = mc_arena_new();
                struct mc_dns_reply rep;
                mc_dns_msg_parse_reply(wire, len, names[i], types[i], 1, arena, &rep);
                if (rep.outcome == MC_DNS_MALFORMED)
                    __builtin_trap(); /* our own replies always parse */
                mc_arena_free(arena);
                free(wire);
            }
        }
    }
    free(why);
    mc_zone_set_free(set);
    unlink(path);
    return 0;
}
