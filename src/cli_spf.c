/* SPDX-License-Identifier: MIT */
/*
 * cli_spf.c - the output of `mailcheck spf` for one evaluation, a single
 * one or a --batch line's (see mc_cli_spf.h).  The lint findings live in an
 * arena of their own until the text is rendered.
 */
#include "mc_cli_spf.h"

#include "mc_arena.h"
#include "mc_spf_lint.h"

char *mc_cli_spf_render(const struct mc_cli_spf_result *r, mc_cli_spf_renderer render,
                        const struct mc_render_options *opt)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_lint *lint = NULL;
    size_t nlint = 0;
    mc_spf_lint_collect(r->verdict, arena, &lint, &nlint);
    if (r->cut) /* the evaluation, perhaps still running, names the lookup cut */
        mc_spf_lint_timeout(r->eval, r->deadline_state, arena, &lint, &nlint);
    struct mc_spf_output out = {
        .ip = r->ip,
        .helo = r->helo,
        .verdict = r->verdict,
        .lint = lint,
        .nlint = nlint,
        .exit_code = r->exit_code,
        .duration_ms = r->duration_ms,
        .line = r->line,
        .input = r->input,
    };
    char *text = render(&out, opt);
    mc_arena_free(arena);
    return text;
}
