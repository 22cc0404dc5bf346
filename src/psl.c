/* SPDX-License-Identifier: MIT */
/*
 * psl.c - registrable domains via libpsl (the only file that
 * includes it).  Ownership: struct mc_psl owns the libpsl context and the
 * memo of parent names (their strings too).
 */
#include "mc_psl.h"

#include <libpsl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The registrable domain of a parent name asked before (see
 * mc_psl_registrable()); NULL when it has none. */
struct parent {
    char *name;
    char *registrable;
};

#define PARENT_SLOTS 1024 /* direct-mapped: a collision replaces */

struct mc_psl {
    const psl_ctx_t *ctx;
    psl_ctx_t *owned; /* psl_latest/psl_load_file: ours; psl_builtin: not */
    char *description;
    /* A cache behind the const interface (mailcheck asks the list from
     * one thread): the pointer is const with the rest, its slots are not. */
    struct parent *parents;
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
    psl->parents = mc_xcalloc(PARENT_SLOTS, sizeof *psl->parents);
    psl->description = mc_xasprintf("libpsl %s, list %s (%d suffixes)", psl_get_version(),
                                    source ? source : "built-in", psl_suffix_count(psl->ctx));
    return psl;
}

void mc_psl_free(struct mc_psl *psl)
{
    if (!psl)
        return;
    psl_free(psl->owned);
    for (size_t i = 0; i < PARENT_SLOTS; i++) {
        free(psl->parents[i].name);
        free(psl->parents[i].registrable);
    }
    free(psl->parents);
    free(psl->description);
    free(psl);
}

/* Whether HOST is labels of one or more octets joined by single dots. */
static bool well_formed(const char *host)
{
    if (host[0] == '.' || host[0] == '\0')
        return false;
    for (const char *p = host; *p; p++)
        if (p[0] == '.' && (p[1] == '.' || p[1] == '\0'))
            return false;
    return true;
}

static const struct parent *parent_of(const struct mc_psl *psl, const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    struct parent *slot = &psl->parents[h % PARENT_SLOTS];
    if (slot->name && strcmp(slot->name, name) == 0)
        return slot;
    free(slot->name);
    free(slot->registrable);
    const char *reg = psl_registrable_domain(psl->ctx, name);
    slot->name = mc_xstrdup(name);
    slot->registrable = reg ? mc_xstrdup(reg) : NULL;
    return slot;
}

/*
 * psl_registrable_domain() tests the suffixes of HOST from the left until
 * one is a public suffix (psl_is_public_suffix2(), PSL_TYPE_ANY |
 * PSL_TYPE_NO_STAR_RULE) and answers the name one label longer.  So for
 * HOST = LABEL.PARENT the answer is none when HOST is itself a public
 * suffix, else PARENT's answer, or HOST when PARENT has none.  One test of
 * HOST and PARENT's answer from the memo replace three or four tests of
 * 3,000 instructions each: the senders of a batch share few parents
 * (tests/unit/test_dmarc.c checks the two ways agree on every rule of the
 * system's list).
 */
char *mc_psl_registrable(const struct mc_psl *psl, const char *host)
{
    const char *dot = strchr(host, '.');
    const char *reg;
    if (!dot || !well_formed(host))
        reg = psl_registrable_domain(psl->ctx, host);
    else if (psl_is_public_suffix2(psl->ctx, host, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
        reg = NULL;
    else {
        const struct parent *parent = parent_of(psl, dot + 1);
        reg = parent->registrable ? parent->registrable : host;
    }
    return mc_xstrdup(reg ? reg : host);
}

/* The answer of libpsl alone, for the tests. */
char *mc_psl_registrable_unmemoized(const struct mc_psl *psl, const char *host)
{
    const char *reg = psl_registrable_domain(psl->ctx, host);
    return mc_xstrdup(reg ? reg : host);
}

const char *mc_psl_describe(const struct mc_psl *psl)
{
    return psl->description;
}
