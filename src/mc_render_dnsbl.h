/* SPDX-License-Identifier: MIT */
/*
 * mc_render_dnsbl.h - the blocklist entries of a report (mc_report_dnsbl;
 * mailcheck(1), BLOCKLISTS) for each renderer; not for layers below the
 * renderers.
 */
#ifndef MC_RENDER_DNSBL_H
#define MC_RENDER_DNSBL_H

#include <stddef.h>

#include "mc_json.h"
#include "mc_report.h"

/* "listed 127.0.0.2 (SBL: ...): REASON", "not listed" or "no verdict:
 * WHY" for entry E, not yet made safe (the caller escapes it for its
 * format). Caller frees. */
char *mc_render_dnsbl_verdict(const struct mc_report_dnsbl *e);

/* How many subjects of R are listed (perfdata dnsbl_listed). */
size_t mc_render_dnsbl_listed(const struct mc_report *r);

/* R's entries as the JSON array "dnsbl": list, subject, listed (true,
 * false or null), code, codes, meaning, reason (and why). */
struct mc_json *mc_render_dnsbl_json(const struct mc_report *r);

#endif
