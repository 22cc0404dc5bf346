/* SPDX-License-Identifier: MIT */
/* Fuzz target: the Postfix main.cf parser and $name expansion. */
#include <stdlib.h>

#include "fuzz.h"
#include "mc_postfix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_postfix_params *p = NULL;
    char *why = NULL;
    if (mc_postfix_parse((const char *)data, size, &p, &why) == MC_OK) {
        static const char *const names[] = {"smtp_helo_name", "inet_protocols", "a", "myhostname"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            free(mc_postfix_get(p, names[i], "$a$b${c?x}${d:y}"));
        mc_postfix_params_free(p);
    }
    free(why);
    return 0;
}
