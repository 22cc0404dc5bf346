/* SPDX-License-Identifier: MIT */
/*
 * mc_render.h - renderers: a report tree in, text out.
 *
 * Renderers only read the report and return a malloc'd string (caller
 * frees); printing is the CLI's job.  Every string that came from DNS is
 * escaped for the format it goes to: no server can put a terminal escape
 * sequence on the user's screen or break a JSON document.
 */
#ifndef MC_RENDER_H
#define MC_RENDER_H

#include <stdbool.h>

#include "mc_report.h"

struct mc_render_options {
    bool color;  /* ANSI colours (text) */
    bool quiet;  /* status line only (text) */
    int verbose; /* more detail (text) */
    bool pretty; /* indented JSON; false: one line (jsonl) */
};

/* The human report. Caller frees. */
char *mc_render_text(const struct mc_report *report, const struct mc_render_options *opt);
/* The JSON document (schema_version 1, see mailcheck(1)). Caller frees. */
char *mc_render_json(const struct mc_report *report, const struct mc_render_options *opt);

/* Copies S with every byte outside printable ASCII written as \DDD (the
 * DNS presentation escape, RFC 4343 §2.1) and backslashes kept.
 * Caller frees. */
char *mc_render_safe(const char *s);

#endif
