/* SPDX-License-Identifier: MIT */
/*
 * mc_cli_batch.h - `--batch FILE|-` for host checks (lines
 * `HOST [FROM-DOMAIN...]`) and for `mailcheck spf` (lines
 * `IP SENDER [HELO]`, as libspf2's spfquery -file reads them; `<>` is the
 * null sender).  One result per line, jsonl or text, on one resolver.
 */
#ifndef MC_CLI_BATCH_H
#define MC_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mc_batch_scopes.h"
#include "mc_check.h"
#include "mc_dkim_config.h"
#include "mc_psl.h"
#include "mc_render.h"
#include "mc_resolver.h"

/* The DKIM keys the command line names: --dkim SELECTOR[:DOMAIN] and the
 * signer's configuration (--dkim-config, or opendkim.conf and rspamd's by
 * default with --postfix). */
struct mc_cli_dkim {
    const char *const *selectors; /* "SELECTOR" or "SELECTOR:DOMAIN" */
    size_t nselectors;
    const struct mc_dkim_config *config; /* or NULL */
    const struct mc_dkim_config *rspamd; /* rspamd's (rspamadm), or NULL */
    const struct mc_psl *psl;
    /* A single check (not --batch): a SELECTOR:DOMAIN whose DOMAIN no
     * request is for is the d= on the From domains' mail.  In --batch it
     * is only a key of the lines that report DOMAIN: another line's
     * domain is not signed with it. */
    bool single;
};

/* Gives every request of REQS[0..N) the DKIM keys of DKIM whose domain it
 * is (a --dkim without a domain: every request; see SINGLE).  The keys live in HOLD
 * (reset with mc_cli_dkim_reset()) until the check has started. */
struct mc_cli_dkim_hold {
    struct mc_domain_dkim *keys;
    size_t nkeys, cap;
    struct mc_dkim_signers signers;
    /* What stood in the way of a domain's keys (mc_dkim_config_resolve():
     * a SigningTable naming a key the KeyTable lacks, Mode without s,
     * rspamd's signing disabled, ...), each with the domain (owned). */
    struct mc_cli_dkim_problem {
        char *domain;
        struct mc_dkim_config_problem problem;
    } * problems;
    size_t nproblems, problems_cap;
};
void mc_cli_dkim_attach(struct mc_domain_request *reqs, size_t n, const struct mc_cli_dkim *dkim,
                        struct mc_cli_dkim_hold *hold);
/* HOLD's problems into REP as dkim-key-unreadable (info) with the domain
 * as subject, and the file and line they come from. */
void mc_cli_dkim_findings(const struct mc_cli_dkim_hold *hold, struct mc_report *rep);
/* What the signer's configuration CFG (NULL: none) could not tell (a
 * missing key file, a malformed table line, a data set other than files)
 * into REP, the same way, each about its source. */
void mc_cli_dkim_config_findings(const struct mc_dkim_config *cfg, struct mc_report *rep);
void mc_cli_dkim_reset(struct mc_cli_dkim_hold *hold);

struct mc_cli_batch {
    struct mc_resolver *res;
    FILE *in;
    FILE *out;
    bool jsonl; /* else text */
    struct mc_render_options ro;
    struct mc_check_options base;   /* strict, require, spf, prefetch, from... */
    const struct mc_psl *psl;       /* default sender domain when base.nfrom == 0 */
    bool domain_report;             /* the sender-domain reports of each line */
    struct mc_cli_dkim dkim;        /* the DKIM keys, for every line */
    const char *const *header_from; /* --header-from, for every line */
    size_t nheader_from;
    long timeout_ms; /* per line */
    const char *const *ignore;
    size_t nignore;
    size_t concurrency;
    bool unordered;
    bool progress; /* a progress line on stderr */
    size_t total;  /* lines in the input, when known (ETA), else 0 */
    /* Set by mc_cli_batch_hosts() for the run (owned): the lines' sender
     * domains counted ahead, when the input is a regular file. */
    struct mc_batch_scopes *scopes;
};

/* Runs the host checks of every line. Returns the exit code (the worst
 * status; 0 for an empty input). */
int mc_cli_batch_hosts(struct mc_cli_batch *batch);
/* Runs `mailcheck spf` for every line. */
int mc_cli_batch_spf(struct mc_cli_batch *batch);

#endif
