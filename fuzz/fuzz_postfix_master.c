/* SPDX-License-Identifier: MIT */
/* Fuzz target: the Postfix master.cf parser and its look-ups. */
#include <stdlib.h>

#include "fuzz.h"
#include "mc_postfix_master.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_postfix_master *m = NULL;
    char *why = NULL;
    if (mc_postfix_master_parse((const char *)data, size, &m, &why) == MC_OK) {
        for (size_t i = 0; i < m->nservices; i++)
            if (!m->services[i].name || !m->services[i].type || !m->services[i].command)
                abort();
        const struct mc_postfix_service *s = mc_postfix_master_find(m, "smtp", "unix");
        if (s)
            (void)mc_postfix_service_override(s, "smtp_helo_name");
        (void)mc_postfix_master_find(m, "tlsproxy", "unix");
        mc_postfix_master_free(m);
    }
    free(why);
    return 0;
}
