/* SPDX-License-Identifier: MIT */
/*
 * mc_render_domain.h - the sender-domain blocks of a report
 * (mc_report_domain) in each format, for the renderers of the host check
 * and of `mailcheck domain`; not for layers below the renderers.
 */
#ifndef MC_RENDER_DOMAIN_H
#define MC_RENDER_DOMAIN_H

#include <stdio.h>

#include "mc_json.h"
#include "mc_report.h"

/* "mailfrom, header-from": the roles of D (static words, comma-separated,
 * written to F). */
void mc_render_domain_roles(FILE *f, unsigned roles);

/* The text block of D: its MX (or implicit MX), indented by two; at
 * VERBOSE > 0 the lookups behind it. */
void mc_render_domain_text(FILE *f, const struct mc_report_domain *d, int verbose);

/* D as the JSON object of "domains" (D borrowed until mc_json_end()). */
struct mc_json *mc_render_domain_json(const struct mc_report_domain *d);

/* The SPF walk W of `mailcheck domain` in text: the result, the
 * worst-case count and the record, indented by two; at VERBOSE > 0 the
 * ledger, at VERBOSE > 1 with its lookups. */
void mc_render_spf_walk_text(FILE *f, const struct mc_report_spf_walk *w, int verbose);

/* W as the JSON object of "spf": domain, record, result, why, dns_lookups,
 * void_lookups, client_terms, and the ledger as trace when TRACE (as in
 * "mailcheck spf": always in json, in jsonl with --trace). */
struct mc_json *mc_render_spf_walk_json(const struct mc_report_spf_walk *w, bool trace);

#endif
