/* SPDX-License-Identifier: MIT */
/*
 * mc_cli_private.h - what the parts of the command line share (cli.c: the
 * options, the host check and `mailcheck spf`; cli_domain.c: `mailcheck
 * domain`): the parsed options and the helpers that turn a report into
 * output and an exit code.  Not for other modules.
 */
#ifndef MC_CLI_PRIVATE_H
#define MC_CLI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_dkim_config.h"
#include "mc_dnsbl.h"
#include "mc_ip.h"
#include "mc_postfix.h"
#include "mc_postfix_lint.h"
#include "mc_range.h"
#include "mc_report.h"
#include "mc_resolver.h"
#include "mc_vocab.h"
#include "mc_zone.h"

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JSONL, FORMAT_NAGIOS, FORMAT_OPENMETRICS };

enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct cli {
    const char *prog;
    bool plugin; /* invoked as check_mailcheck */
    enum format format;
    const char *output;             /* --output FILE, or NULL: stdout */
    const char *warning, *critical; /* -w/-c as given */
    struct mc_range warning_range, critical_range;
    enum color color;
    bool quiet, strict, offline, tcp, dns0x20;
    int verbose;
    bool require[2];
    long timeout_ms, lookup_timeout_ms;
    int tries;
    enum mc_state deadline_state;
    const char **servers;
    size_t nservers, servers_cap;
    const char **zones;
    size_t nzones, zones_cap;
    struct mc_ip *addresses;
    size_t naddresses, addresses_cap;
    const char **ignore;
    size_t nignore, ignore_cap;
    const char *host_arg;
    bool spf_mode;          /* `mailcheck spf ...` */
    const char *domain_arg; /* `mailcheck domain DOMAIN`: DOMAIN */
    const char *spf_ip, *spf_sender, *spf_helo;
    bool no_prefetch;
    bool no_spf;
    bool trace; /* --trace: the SPF ledger in jsonl too */
    const char **from;
    size_t nfrom, from_cap;
    const char **header_from; /* --header-from */
    size_t nheader_from, header_from_cap;
    const char **dkim; /* --dkim SELECTOR[:DOMAIN] */
    size_t ndkim, dkim_cap;
    /* What the option parser made of arguments (a domain's A-label form,
     * --dkim with it), which the lists above point to; cli_reset() frees. */
    char **owned;
    size_t nowned, owned_cap;
    const char *dkim_config; /* --dkim-config PATH */
    bool no_domain_report;
    const char *psl_path;
    const char *batch; /* --batch FILE or "-" */
    unsigned long concurrency;
    bool unordered;
    unsigned long qps, max_inflight;
    const char **dnsbl; /* --dnsbl ZONE */
    size_t ndnsbl, dnsbl_cap;
    const char *dnsbl_key;    /* --dnsbl-key KEY: a secret, never printed */
    const char *dnsbl_table;  /* --dnsbl-table FILE, or NULL: the shipped one */
    bool postfix;             /* --postfix[=PATH] */
    const char *postfix_path; /* NULL: /etc/postfix */
    bool egress;              /* --egress */
    /* Egress addresses no receiver can see (NAT): not checked, reported
     * as egress-not-global. */
    struct mc_ip egress_hidden[2];
    size_t negress_hidden;
};

/* Renders REPORT in the format asked for and writes it (--output or
 * stdout). Returns its status as the exit code, 3 when it could not be
 * written. */
int cli_emit(const struct cli *cli, struct mc_report *report);

/* A usage or input error: the message on stderr and, in a machine format,
 * a valid document (nagios: the UNKNOWN line) on stdout or --output.
 * Takes WHY. Returns exit code 3. */
int cli_fail_input(const struct cli *cli, char *why, const char *input);

/* The -w/-c thresholds on the check's time: a time-warning or
 * time-critical finding. */
void cli_apply_thresholds(const struct cli *cli, struct mc_report *report);

/* Loads the --zone files and creates the resolver. Returns NULL with *WHY
 * (caller frees) on failure; *ZONES is the caller's to free either way. */
struct mc_resolver *cli_setup_resolver(const struct cli *cli, struct mc_zone_set **zones,
                                       char **why);

/* Adds IP to the sending addresses (--address). */
void cli_push_address(struct cli *cli, const struct mc_ip *ip);

/* --postfix (cli_postfix.c): the configuration, its lint, and what was
 * taken from it. */
struct cli_postfix {
    struct mc_postfix_config config;
    struct mc_postfix_lint lint;
    bool local; /* this machine's configuration: egress asked, /etc/opendkim.conf read */
    char *relay, *relay_shown; /* relayhost's first destination: name, as configured */
    bool relay_mx;             /* an unbracketed name: its MX hosts */
    char *origin;              /* myorigin (a file's content), when a domain name */
};

/* Loads --postfix and applies it to CLI: HOST, the sending addresses
 * (bind addresses, egress), the required families.  Returns false with
 * *WHY (caller frees) when the configuration cannot be read. */
bool cli_postfix_apply(struct cli *cli, struct cli_postfix *pf, bool only_listed[2], char **why);
/* Adds the lint findings of PF to REPORT, each with its file and line. */
void cli_postfix_findings(const struct cli_postfix *pf, struct mc_report *report);
/* The report when the EHLO name is not a public FQDN: no DNS check, the
 * findings alone (postfix-helo-not-fqdn).  Returns the exit code. */
int cli_postfix_unchecked(const struct cli *cli, const struct cli_postfix *pf, int64_t started);
/* The opendkim.conf read by default with --postfix of this machine
 * (MAILCHECK_OPENDKIM_CONF, else /etc/opendkim.conf) when it exists, else
 * NULL (borrowed). */
const char *cli_postfix_opendkim_conf(const struct cli *cli, const struct cli_postfix *pf);
/* The rspamadm asked for rspamd's DKIM signing configuration under the
 * same condition (MAILCHECK_RSPAMADM names it for any --postfix; set and
 * empty, none), when installed; else NULL.  Caller frees. */
char *cli_postfix_rspamadm(const struct cli *cli, const struct cli_postfix *pf);
void cli_postfix_reset(struct cli_postfix *pf);
/* --egress without --postfix: the kernel's source address of each family
 * with a route is a sending address (--address). */
void cli_egress_addresses(struct cli *cli);
/* The egress-not-global findings of the egress addresses behind NAT. */
void cli_egress_findings(const struct cli *cli, struct mc_report *report);

/* The end of a single report (a host check, mailcheck domain): the
 * signer's configuration problems, the run's time since STARTED_MS and its
 * -w/-c finding, --ignore, the status settled, then REPORT rendered,
 * written and freed (it is taken).  Returns the exit code (cli_emit()). */
int cli_finish_report(const struct cli *cli, const struct mc_dkim_config *dkim_config,
                      struct mc_report *report, int64_t started_ms);

/* The blocklists of the run (mailcheck(1), BLOCKLISTS): the table
 * (--dnsbl-table, else the shipped one) and the lists named with --dnsbl.
 * Returns MC_OK with *TABLE and *RUN, both NULL when no --dnsbl is given
 * (caller frees both), or an error with *WHY (caller frees). */
enum mc_status cli_dnsbl_setup(const struct cli *cli, struct mc_dnsbl_table **table,
                               struct mc_dnsbl_run **run, char **why);

/* `mailcheck domain DOMAIN` (cli_domain.c). */
int cli_run_domain(struct cli *cli);

#endif
