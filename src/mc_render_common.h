/* SPDX-License-Identifier: MIT */
/*
 * mc_render_common.h - helpers the renderers share (render_common.c);
 * not for layers below the renderers.
 */
#ifndef MC_RENDER_COMMON_H
#define MC_RENDER_COMMON_H

#include <stdio.h>

#include "mc_report.h"

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

#endif
