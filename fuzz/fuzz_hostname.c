/* SPDX-License-Identifier: MIT */
/* Fuzz target: HOST validation (any bytes, as a command line can hold). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mc_hostname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char *ascii = NULL, *unicode = NULL, *why = NULL;
    if (mc_hostname_validate(s, &ascii, &unicode, &why) == MC_OK) {
        const char *problem;
        if (!mc_hostname_is_ldh(ascii, &problem) || strlen(ascii) > 253)
            __builtin_trap(); /* what passes is a valid LDH name */
    }
    free(ascii);
    free(unicode);
    free(why);
    free(s);
    return 0;
}
