/* SPDX-License-Identifier: MIT */
/*
 * mc_batch_scopes.h - the sender domains of a --batch input counted ahead:
 * one retention scope (mc_resolver.h) per domain, whose count is the lines
 * still to come that name it.  A batch that reads a file counts it before
 * the run; each line counts its domains down as it starts, so that the
 * resolver keeps the answers of a domain while a line still wants them and
 * no longer (mailcheck(1), --batch).
 */
#ifndef MC_BATCH_SCOPES_H
#define MC_BATCH_SCOPES_H

#include "mc_resolver.h"

struct mc_batch_scopes;

/* Returns an empty set. Caller frees it with mc_batch_scopes_free(), after
 * the resolver that holds its scopes. */
struct mc_batch_scopes *mc_batch_scopes_new(void);
void mc_batch_scopes_free(struct mc_batch_scopes *scopes);

/* Counts one more line that names DOMAIN (case-insensitive, a trailing
 * dot ignored); a line counts each of its domains once. */
void mc_batch_scopes_count(struct mc_batch_scopes *scopes, const char *domain);

/* The scope of DOMAIN (owned by SCOPES), or NULL when no line names it. */
struct mc_resolver_scope *mc_batch_scopes_find(const struct mc_batch_scopes *scopes,
                                               const char *domain);

/* The number of distinct domains counted (cli_batch.c bounds it). */
size_t mc_batch_scopes_size(const struct mc_batch_scopes *scopes);

#endif
