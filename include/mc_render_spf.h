/* SPDX-License-Identifier: MIT */
/*
 * mc_render_spf.h - output of `mailcheck spf`: the result word and a
 * Received-SPF header (RFC 7208 §9.1) in text, or a JSON document with the
 * result, the counts and (mc_render_options.trace) the evaluation's ledger.  Strings from DNS are
 * escaped for the format they go to.  Results are malloc'd (caller frees).
 */
#ifndef MC_RENDER_SPF_H
#define MC_RENDER_SPF_H

#include <stddef.h>

#include "mc_render.h"
#include "mc_spf_eval.h"
#include "mc_spf_lint.h"

struct mc_spf_output {
    const char *ip;   /* as given */
    const char *helo; /* or NULL */
    const struct mc_spf_verdict *verdict;
    const struct mc_spf_lint *lint;
    size_t nlint;
    int exit_code;
    long long duration_ms;
    size_t line;       /* --batch: 1-based input line, else 0 */
    const char *input; /* --batch: the input line */
};

/* mailcheck(1) EXIT STATUS of mailcheck spf: 0 pass, 1 softfail/neutral/none,
 * 2 fail/permerror/temperror. */
int mc_spf_exit_code(enum mc_spf_result result);

char *mc_render_spf_text(const struct mc_spf_output *out, const struct mc_render_options *opt);
char *mc_render_spf_json(const struct mc_spf_output *out, const struct mc_render_options *opt);

#endif
