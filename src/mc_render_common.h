/* SPDX-License-Identifier: MIT */
/*
 * mc_render_common.h - helpers the renderers share (render_common.c);
 * not for layers below the renderers.
 */
#ifndef MC_RENDER_COMMON_H
#define MC_RENDER_COMMON_H

#include <stdio.h>

#include "mc_report.h"
#include "mc_spf_eval.h"

/* A renderer's text, written through a memory stream: write to the FILE
 * mc_render_buffer_open() returns, then mc_render_buffer_close() gives the
 * text (caller frees).  Both abort through mc_oom() when out of memory. */
struct mc_render_buffer {
    FILE *f;
    char *text;
    size_t len;
};
FILE *mc_render_buffer_open(struct mc_render_buffer *rb);
char *mc_render_buffer_close(struct mc_render_buffer *rb);

/* One lookup as evidence, made printable ASCII: "PTR NAME: answer NAMES
 * (rcode NOERROR, TTL 3600, from SERVER)". Caller frees. */
char *mc_render_lookup_line(const struct mc_report_lookup *lookup);

/* One step of the SPF ledger, made printable ASCII and without
 * indentation: "record of DOMAIN: RECORD", "TERM -> TARGET" or, for the
 * validation of <ip>'s PTR names (RFC 7208 section 5.5), "PTR names of
 * <ip>: REVERSE-NAME"; then " [1 lookup]", " [void]", " [match]" and
 * " (NOTE)" as they apply.  The one formatter of a step for every
 * renderer that prints the ledger as lines. Caller frees. */
char *mc_render_spf_step_line(const struct mc_spf_step *step);
/* One lookup of a ledger step, made printable ASCII: "TYPE NAME: OUTCOME
 * ANSWER, ANSWER". Caller frees. */
char *mc_render_spf_lookup_line(const struct mc_spf_lookup *lookup);

#endif
