/* SPDX-License-Identifier: MIT */
/*
 * psl.c - registrable domains via libpsl (the only file that
 * includes it).  Ownership: struct mc_psl owns the libpsl context and the
 * memo of names asked (their strings too).
 */
#include "mc_psl.h"

#include <libpsl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The registrable domain of a name asked before (see registrable());
 * NULL when it has none. */
struct memo {
    char *name;
    char *registrable;
};

/* Sets of two, the one used last first: sender domains of a batch, each
 * asked by its lines (and, in one check, by the DMARC report and the
 * alignment of its identities), and their parents.  Direct-mapped, a
 * collision threw out a domain whose next line was far: in the batch
 * benchmark's world (5,000 domains, each on two lines) 7,447 of 10,000
 * names missed in 8,192 slots; so, with the parents, libpsl tests 5,994
 * (5,458 in twice the slots; halving them and the JSON memo's took the
 * peak at N = 100,000 from 62.0 to 60.6 MiB). */
#define MEMO_SLOTS 8192 /* MEMO_SLOTS / 2 sets */

struct mc_psl {
    const psl_ctx_t *ctx;
    psl_ctx_t *owned; /* psl_latest/psl_load_file: ours; psl_builtin: not */
    char *description;
    /* A cache behind the const interface (mailcheck asks the list from
     * one thread): the pointer is const with the rest, its slots are not. */
    struct memo *memo; /* MEMO_SLOTS */
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
    psl->memo = mc_xcalloc(MEMO_SLOTS, sizeof *psl->memo);
    psl->description = mc_xasprintf("libpsl %s, list %s (%d suffixes)", psl_get_version(),
                                    source ? source : "built-in", psl_suffix_count(psl->ctx));
    return psl;
}

void mc_psl_free(struct mc_psl *psl)
{
    if (!psl)
        return;
    psl_free(psl->owned);
    for (size_t i = 0; i < MEMO_SLOTS; i++) {
        free(psl->memo[i].name);
        free(psl->memo[i].registrable);
    }
    free(psl->memo);
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

static char *copy_or_null(const char *s)
{
    return s ? mc_xstrdup(s) : NULL;
}

/*
 * The registrable domain of NAME (a copy, the caller's), NULL when it has
 * none.  psl_registrable_domain() tests the suffixes of NAME from the left
 * until one is a public suffix (psl_is_public_suffix2(), PSL_TYPE_ANY |
 * PSL_TYPE_NO_STAR_RULE) and answers the name one label longer.  So for
 * NAME = LABEL.PARENT the answer is none when NAME is itself a public
 * suffix, else PARENT's answer, or NAME when PARENT has none.  One test of
 * NAME (5,000 instructions) and PARENT's answer, from the memo or the
 * same way, replace two to four tests: the senders of a batch share few
 * parents (tests/unit/test_dmarc.c checks the two ways agree on every
 * rule of the system's list).  A single label, or a name with an empty
 * label, goes to libpsl whole.
 */
static char *registrable(const struct mc_psl *psl, const char *name)
{
    struct memo *set = &psl->memo[2 * (name_hash(name) % (MEMO_SLOTS / 2))];
    for (int way = 0; way < 2; way++) {
        if (set[way].name && strcmp(set[way].name, name) == 0) {
            if (way == 1) { /* used last: first */
                struct memo t = set[0];
                set[0] = set[1];
                set[1] = t;
            }
            return copy_or_null(set[0].registrable);
        }
    }
    const char *dot = strchr(name, '.');
    char *reg;
    if (!dot || !well_formed(name)) {
        reg = copy_or_null(psl_registrable_domain(psl->ctx, name));
    } else if (psl_is_public_suffix2(psl->ctx, name, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)) {
        reg = NULL;
    } else {
        reg = registrable(psl, dot + 1);
        if (!reg)
            reg = mc_xstrdup(name);
    }
    /* a miss (the parent's, above, may have changed the set): the first
     * way moves second, the second's entry goes */
    free(set[1].name);
    free(set[1].registrable);
    set[1] = set[0];
    set[0] = (struct memo){.name = mc_xstrdup(name), .registrable = copy_or_null(reg)};
    return reg;
}

char *mc_psl_registrable(const struct mc_psl *psl, const char *host)
{
    char *reg = registrable(psl, host);
    return reg ? reg : mc_xstrdup(host);
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
