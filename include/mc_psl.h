/* SPDX-License-Identifier: MIT */
/*
 * mc_psl.h - the registrable domain of a host name, from the
 * Public Suffix List (libpsl): the default sender domain of a host check
 * (mail.example.co.uk sends as example.co.uk).
 */
#ifndef MC_PSL_H
#define MC_PSL_H

#include "mc_util.h"

struct mc_psl;

/*
 * Loads the list from PATH (a PSL text or DAFSA file), or, when PATH is
 * NULL, the system's newest list (Debian: package publicsuffix) or
 * libpsl's built-in one.  Returns NULL with *WHY (caller frees) when PATH
 * cannot be loaded.  Caller frees with mc_psl_free().
 */
struct mc_psl *mc_psl_load(const char *path, char **why);
void mc_psl_free(struct mc_psl *psl);

/* The registrable domain of HOST (lowercase ASCII), or HOST itself when
 * it has none (it is a public suffix). Caller frees. */
char *mc_psl_registrable(const struct mc_psl *psl, const char *host);

/* The same, asked of libpsl directly, without the memo of names
 * mc_psl_registrable() keeps: what the tests compare it with. */
char *mc_psl_registrable_unmemoized(const struct mc_psl *psl, const char *host);

/* Where the list came from and its date, for --version. Borrowed. */
const char *mc_psl_describe(const struct mc_psl *psl);

#endif
