/* SPDX-License-Identifier: MIT */
/*
 * mc_dnsbl.h - the blocklist check (mailcheck(1), BLOCKLISTS; RFC 5782):
 * every server address against the address lists named with --dnsbl,
 * HOST, every PTR name and every sender domain against the domain lists,
 * each answer read through the table (mc_dnsbl_table.h).
 *
 * Two objects: the run's (struct mc_dnsbl_run: the lists and the memo of
 * their RFC 5782 section 5 health checks, asked once per list per run,
 * however many checks or --batch lines share it) and one per host check
 * (struct mc_dnsbl_check: its (list, subject) lookups, then their
 * entries and findings in the report).
 *
 * A Spamhaus Data Query Service key (--dnsbl-key) is a secret: it is in
 * the names asked and nowhere else (reports name the public zone).
 */
#ifndef MC_DNSBL_H
#define MC_DNSBL_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_dnsbl_table.h"
#include "mc_ip.h"
#include "mc_report.h"
#include "mc_resolver.h"
#include "mc_util.h"

struct mc_dnsbl_run;
struct mc_dnsbl_check;

/*
 * The run's lists: each of ZONES[0..NZONES) (as given: case and a trailing
 * dot are ignored, duplicates asked once) read through TABLE (borrowed; it
 * must outlive the run), asked under KEY (or NULL) where the table names a
 * DQS zone.  Returns MC_OK with *RUN (caller frees with
 * mc_dnsbl_run_free()), or MC_ERR_USAGE with *WHY (caller frees) for a
 * zone that is not a domain name, a retired list, or a KEY that is not a
 * DNS label or that no named list uses.
 */
enum mc_status mc_dnsbl_run_new(const struct mc_dnsbl_table *table, const char *const *zones,
                                size_t nzones, const char *key, struct mc_dnsbl_run **run,
                                char **why);
/* Every check using RUN must have ended first. NULL is allowed. */
void mc_dnsbl_run_free(struct mc_dnsbl_run *run);

typedef void (*mc_dnsbl_done_cb)(void *arg);

/* A host check's blocklist lookups on RES.  DONE(ARG) is called once for
 * every lookup the add functions below count, from mc_resolver_run().
 * Caller frees with mc_dnsbl_check_free(), after the last DONE. */
struct mc_dnsbl_check *mc_dnsbl_check_new(struct mc_dnsbl_run *run, struct mc_resolver *res,
                                          mc_dnsbl_done_cb done, void *arg);
void mc_dnsbl_check_free(struct mc_dnsbl_check *dc);

/* Asks every address list for IP (once per list and check).  Returns how
 * many DONE calls will follow. */
unsigned mc_dnsbl_check_address(struct mc_dnsbl_check *dc, const struct mc_ip *ip);
/* Asks every domain list for NAME (a host name; case ignored; once per
 * list and check).  Returns how many DONE calls will follow. */
unsigned mc_dnsbl_check_name(struct mc_dnsbl_check *dc, const char *name);

/* The entries (report->dnsbl, one per (list, subject) asked) and the
 * findings (dnsbl-listed, dnsbl-unusable) of DC in REPORT.  Lookups not
 * ended yet (the check's deadline came first) make entries with listed
 * null and no finding: the deadline has its own. */
void mc_dnsbl_check_report(const struct mc_dnsbl_check *dc, struct mc_report *report);

/* "the blocklist lookup of SUBJECT on LIST" for the first lookup that the
 * deadline cut or that has not ended, from ARENA; NULL when none. */
const char *mc_dnsbl_check_stage(const struct mc_dnsbl_check *dc, struct mc_arena *arena);

#endif
