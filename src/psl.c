/* SPDX-License-Identifier: MIT */
/*
 * psl.c - registrable domains via libpsl (the only file that
 * includes it).  Ownership: struct mc_psl owns the libpsl context.
 */
#include "mc_psl.h"

#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mc_psl {
    const psl_ctx_t *ctx;
    psl_ctx_t *owned; /* psl_latest/psl_load_file: ours; psl_builtin: not */
    char *description;
};

struct mc_psl *mc_psl_load(const char *path, char **why)
{
    struct mc_psl *psl = mc_xcalloc(1, sizeof *psl);
    const char *source;
    if (path) {
        psl->ctx = psl->owned = psl_load_file(path);
        if (!psl->ctx) {
            *why = mc_xasprintf("--psl %s: cannot load a Public Suffix List from it", path);
            free(psl);
            return NULL;
        }
        source = path;
    } else {
        /* The newest of the system's list and the built-in one. */
        psl->ctx = psl->owned = psl_latest(NULL);
        if (!psl->ctx)
            psl->ctx = psl_builtin();
        source = psl->owned ? psl_dist_filename() : "built-in";
    }
    if (!psl->ctx) {
        *why = mc_xstrdup("no Public Suffix List available");
        free(psl);
        return NULL;
    }
    psl->description = mc_xasprintf("libpsl %s, list %s (%d suffixes)", psl_get_version(),
                                    source ? source : "built-in", psl_suffix_count(psl->ctx));
    return psl;
}

void mc_psl_free(struct mc_psl *psl)
{
    if (!psl)
        return;
    psl_free(psl->owned);
    free(psl->description);
    free(psl);
}

char *mc_psl_registrable(const struct mc_psl *psl, const char *host)
{
    const char *reg = psl_registrable_domain(psl->ctx, host);
    return mc_xstrdup(reg ? reg : host);
}

const char *mc_psl_describe(const struct mc_psl *psl)
{
    return psl->description;
}
