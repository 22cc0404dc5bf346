/* SPDX-License-Identifier: MIT */
/*
 * mc_cli_spf.h - the output of `mailcheck spf`, built in one place for a
 * single evaluation and for every line of `mailcheck spf --batch`: the
 * verdict, the lint of every record it saw and, when the -t deadline cut
 * the evaluation, the deadline's timeout finding (mailcheck(1), -t),
 * handed to the renderer of the format asked for.
 */
#ifndef MC_CLI_SPF_H
#define MC_CLI_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_render.h"
#include "mc_render_spf.h"
#include "mc_spf_eval.h"
#include "mc_vocab.h"

/* One result of `mailcheck spf`; everything in it is borrowed. */
struct mc_cli_spf_result {
    const struct mc_spf_eval *eval;
    /* EVAL's verdict, or its cut (mc_spf_eval_verdict_at_deadline()) */
    const struct mc_spf_verdict *verdict;
    bool cut;                     /* the -t deadline cut EVAL: its timeout finding */
    enum mc_state deadline_state; /* the -t STATE: that finding's severity */
    const char *ip;               /* as given */
    const char *helo;             /* or NULL */
    int exit_code;
    long long duration_ms;
    size_t line;       /* --batch: 1-based input line, else 0 */
    const char *input; /* --batch: the input line */
};

/* A renderer of `mailcheck spf` (mc_render_spf.h, mc_render.h). */
typedef char *(*mc_cli_spf_renderer)(const struct mc_spf_output *out,
                                     const struct mc_render_options *opt);

/* R as RENDER writes it with OPT. Caller frees. */
char *mc_cli_spf_render(const struct mc_cli_spf_result *r, mc_cli_spf_renderer render,
                        const struct mc_render_options *opt);

#endif
