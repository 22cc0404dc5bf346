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
    int verbose; /* more detail (text, nagios long output) */
    bool pretty; /* indented JSON; false: one line (jsonl) */
    bool trace;  /* `mailcheck spf` JSON: the ledger ("trace") too */
    /* -w/-c time thresholds as given (Monitoring Plugins range syntax),
     * or NULL: the warn and crit fields of the nagios "time" perfdata. */
    const char *warning, *critical;
};

/* The human report. Caller frees. */
char *mc_render_text(const struct mc_report *report, const struct mc_render_options *opt);
/* The JSON document (schema_version 1, see mailcheck(1)). Caller frees. */
char *mc_render_json(const struct mc_report *report, const struct mc_render_options *opt);
/* Monitoring plugin output: "MAILCHECK STATE - summary | perfdata", then
 * the long output, newline-terminated. Caller frees. */
char *mc_render_nagios(const struct mc_report *report, const struct mc_render_options *opt);
/* Prometheus text exposition format (node_exporter's textfile collector):
 * every metric a gauge with HELP and TYPE. Caller frees. */
char *mc_render_openmetrics(const struct mc_report *report, const struct mc_render_options *opt);

/* `mailcheck spf` in the plugin and Prometheus formats (the text and JSON
 * forms are in mc_render_spf.h). Caller frees. */
struct mc_spf_output;
char *mc_render_spf_nagios(const struct mc_spf_output *out, const struct mc_render_options *opt);
char *mc_render_spf_openmetrics(const struct mc_spf_output *out,
                                const struct mc_render_options *opt);

/* Copies S with every byte outside printable ASCII written as \DDD (the
 * DNS presentation escape, RFC 4343 §2.1) and backslashes kept.
 * Caller frees. */
char *mc_render_safe(const char *s);

/* The length of the longest prefix of S that mc_render_safe() would copy
 * unchanged: S needs no escape exactly when S[span] is '\0'. */
size_t mc_render_safe_span(const char *s);

/* The standard a finding code rests on ("RFC 7208 section 5"), or NULL:
 * static string. */
const char *mc_render_finding_reference(const char *code);

#endif
