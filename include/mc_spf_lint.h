/* SPDX-License-Identifier: MIT */
/*
 * mc_spf_lint.h - findings about SPF records that are legal but risky,
 * read off an evaluation's ledger (never a second, static counter: the
 * numbers are the evaluator's own, per address family).
 *
 * Lint never changes an SPF result; it raises the host check to warning at
 * most (mailcheck(1), FINDINGS).  What the RFC makes an error (over 10 lookups,
 * several records, include of a domain without SPF, mx over 10 names)
 * shows in the result (permerror) instead, with the ledger naming the term.
 */
#ifndef MC_SPF_LINT_H
#define MC_SPF_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_arena.h"
#include "mc_vocab.h"
#include "mc_spf_eval.h"

/* Lookups from which the "near the limit" warning starts. */
#define MC_SPF_LINT_LOOKUPS_NEAR 8
/* RFC 7208 §3.4: keep records small enough for a 512-octet UDP answer. */
#define MC_SPF_LINT_RECORD_MAX 450

/* A finding of `mailcheck spf` (lint, or the deadline's "timeout"). */
struct mc_spf_lint {
    const char *code;          /* spf-lookups-near-limit, spf-plus-all, ... */
    enum mc_severity severity; /* lint: warning or info */
    const char *subject;       /* the domain whose record it is about */
    const char *message;
};

/*
 * Appends to *ITEMS (arena array of *N, grown in ARENA) the lint findings
 * of verdict V, skipping any (code, subject) already present: call it for
 * several evaluations to lint every record seen once.
 */
void mc_spf_lint_collect(const struct mc_spf_verdict *v, struct mc_arena *arena,
                         struct mc_spf_lint **items, size_t *n);

/*
 * Appends the "timeout" finding of `mailcheck spf` when the -t deadline
 * cut the evaluation CUT (mailcheck(1), -t: one finding of the -t STATE,
 * naming the stage that was still waiting): the lookup
 * mc_spf_eval_awaiting() names, else the evaluation as a whole.  CUT may
 * still be running.
 */
void mc_spf_lint_timeout(const struct mc_spf_eval *cut, enum mc_state state, struct mc_arena *arena,
                         struct mc_spf_lint **items, size_t *n);

#endif
