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

/* The registrable domain of a name asked before (see
 * mc_psl_registrable()); NULL when it has none. */
struct parent {
    char *name;
    char *registrable;
};

/* Parents are few: direct-mapped, a collision replaces.  Hosts are every
 * sender domain of a batch, each asked by its lines (and, in one check, by
 * the DMARC report and the alignment of its identities): sets of two, the
 * one used last first, so that a collision does not throw out a domain
 * whose next line is far (the batch benchmark's 5,000 domains, each on two
 * lines: 7,447 misses of 10,000 direct-mapped, 6,712 so). */
#define PARENT_SLOTS 1024
#define HOST_SLOTS 16384 /* HOST_SLOTS / 2 sets */

struct mc_psl {
    const psl_ctx_t *ctx;
    psl_ctx_t *owned; /* psl_latest/psl_load_file: ours; psl_builtin: not */
    char *description;
    /* A cache behind the const interface (mailcheck asks the list from
     * one thread): the pointer is const with the rest, its slots are not. */
    struct parent *parents; /* PARENT_SLOTS */
    struct parent *hosts;   /* HOST_SLOTS: mc_psl_registrable()'s answers */
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
    psl->hosts = mc_xcalloc(HOST_SLOTS, sizeof *psl->hosts);
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
    for (size_t i = 0; i < HOST_SLOTS; i++) {
        free(psl->hosts[i].name);
        free(psl->hosts[i].registrable);
    }
    free(psl->parents);
    free(psl->hosts);
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

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* NAME's slot of SLOTS (N of them). */
static struct parent *slot_of(struct parent *slots, size_t n, const char *name)
{
    return &slots[name_hash(name) % n];
}

/* SLOT now holds NAME and REGISTRABLE (copied; NULL for none). */
static void slot_set(struct parent *slot, const char *name, const char *registrable)
{
    free(slot->name);
    free(slot->registrable);
    slot->name = mc_xstrdup(name);
    slot->registrable = registrable ? mc_xstrdup(registrable) : NULL;
}

static const struct parent *parent_of(const struct mc_psl *psl, const char *name)
{
    struct parent *slot = slot_of(psl->parents, PARENT_SLOTS, name);
    if (!slot->name || strcmp(slot->name, name) != 0)
        slot_set(slot, name, psl_registrable_domain(psl->ctx, name));
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
 * system's list).  The answer for HOST is kept too, for HOST's next line.
 */
char *mc_psl_registrable(const struct mc_psl *psl, const char *host)
{
    struct parent *set = &psl->hosts[2 * (name_hash(host) % (HOST_SLOTS / 2))];
    for (int way = 0; way < 2; way++) {
        if (set[way].name && strcmp(set[way].name, host) == 0) {
            if (way == 1) { /* used last: first */
                struct parent t = set[0];
                set[0] = set[1];
                set[1] = t;
            }
            return mc_xstrdup(set[0].registrable);
        }
    }
    /* a miss: the first way moves second, the second's entry goes */
    struct parent *memo = &set[0];
    struct parent t = set[1];
    set[1] = set[0];
    set[0] = t;
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
    slot_set(memo, host, reg ? reg : host);
    return mc_xstrdup(memo->registrable);
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
