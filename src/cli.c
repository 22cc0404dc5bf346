/* SPDX-License-Identifier: MIT */
/*
 * cli.c - mailcheck's command line (see mailcheck(1)): parses options,
 * validates HOST, loads --zone files, sets up the resolver, runs the check,
 * renders the report and returns the exit code.
 *
 * Usage and input errors are exit 3 (unknown) with a message on stderr; in
 * a machine format, stdout (or --output) still gets a valid document saying
 * so, and in the plugin format the "MAILCHECK UNKNOWN - ..." line (mailcheck(1),
 * OUTPUT FORMATS).  Invoked as check_mailcheck, the plugin conventions
 * are the default: --format nagios, and -h/-V exit 3 (Monitoring Plugins
 * Development Guidelines).  -w/-c thresholds on the check's time add a
 * finding in every format.  Ownership: everything parsed lives in
 * `struct cli` and is freed by cli_reset().
 */
#include "mc_cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_array.h"
#include "mc_check.h"
#include "mc_cli_batch.h"
#include "mc_cli_spf.h"
#include "mc_cli_private.h"
#include "mc_dns_msg.h"
#include "mc_file.h"
#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_postfix.h"
#include "mc_range.h"
#include "mc_render.h"
#include "mc_psl.h"
#include "mc_render_spf.h"
#include "mc_resolver.h"
#include "mc_spf_eval.h"
#include "mc_util.h"
#include "mc_zone.h"

static const char *const format_names[] = {
    [FORMAT_TEXT] = "text",
    [FORMAT_JSON] = "json",
    [FORMAT_JSONL] = "jsonl",
    [FORMAT_NAGIOS] = "nagios",
    [FORMAT_OPENMETRICS] = "openmetrics",
};

static void push(const char ***list, size_t *n, size_t *cap, const char *item)
{
    *list = mc_array_reserve(*list, cap, *n + 1, sizeof **list);
    (*list)[(*n)++] = item;
}

void cli_push_address(struct cli *cli, const struct mc_ip *ip)
{
    MC_ARRAY_RESERVE(cli->addresses, cli->addresses_cap, cli->naddresses + 1);
    cli->addresses[cli->naddresses++] = *ip;
}

static void cli_reset(struct cli *cli)
{
    free(cli->servers);
    free(cli->zones);
    free(cli->addresses);
    free(cli->ignore);
    free(cli->from);
    free(cli->header_from);
    free(cli->dkim);
    free(cli->dnsbl);
    for (size_t i = 0; i < cli->nowned; i++)
        free(cli->owned[i]);
    free(cli->owned);
}

/* S, made by the option parser, kept until cli_reset(). */
static const char *own(struct cli *cli, char *s)
{
    MC_ARRAY_RESERVE(cli->owned, cli->owned_cap, cli->nowned + 1);
    cli->owned[cli->nowned++] = s;
    return s;
}

static const char usage_text[] =
    "Usage: mailcheck [OPTIONS] HOST\n"
    "       check_mailcheck -H HOST [-w RANGE] [-c RANGE] [-t SECONDS[:STATE]] [OPTIONS]\n"
    "       mailcheck spf --ip ADDR --sender MAILFROM [--helo NAME] [OPTIONS]\n"
    "       mailcheck domain DOMAIN [--dkim SEL[:DOMAIN]] [--header-from D] [OPTIONS]\n"
    "Checks that HOST, a mail server's EHLO name, resolves, that each of its\n"
    "addresses has a PTR record naming HOST that resolves back (FCrDNS), and\n"
    "that the sender domain's SPF record authorizes every address.\n"
    "\n"
    "Options:\n"
    "  -H, --hostname HOST    the host to check (same as the HOST argument)\n"
    "  --format FORMAT        text (default), json, jsonl, nagios (default as\n"
    "                         check_mailcheck) or openmetrics\n"
    "  --output FILE          write the report to FILE atomically, not stdout\n"
    "  -q, --quiet            print the status line only (text)\n"
    "  -v, --verbose          more detail (repeatable): fixes and verdicts,\n"
    "                         then the DNS evidence (text, nagios)\n"
    "  --color WHEN           auto (default: on a terminal unless NO_COLOR is\n"
    "                         set), always or never (also spelt --colour)\n"
    "  --strict               a PTR naming another host is critical, not a warning\n"
    "  -4, -6                 require an IPv4 / IPv6 address\n"
    "  --address IP           an address mail really leaves from (repeatable)\n"
    "  --ignore CODE          waive findings with this code (repeatable)\n"
    "  --from DOMAIN          sender domain whose SPF must authorize HOST's\n"
    "                         addresses (repeatable; default: HOST's registrable\n"
    "                         domain)\n"
    "  --header-from DOMAIN   a From header domain, for DMARC alignment (repeatable;\n"
    "                         default: the sender domains)\n"
    "  --no-domain-report     no MX, DMARC and DKIM report of the sender domains\n"
    "  --dkim SEL[:DOMAIN]    check the DKIM key of this selector (repeatable;\n"
    "                         DOMAIN defaults to every sender domain)\n"
    "  --dkim-config PATH     the signer's opendkim.conf: its keys, compared with\n"
    "                         the published ones\n"
    "  --no-spf               check forward-confirmed reverse DNS only (no SPF,\n"
    "                         no sender-domain report)\n"
    "  --psl FILE             Public Suffix List to use (default: the system's)\n"
    "  --server ADDR[:PORT]   ask this DNS server (repeatable; [V6]:PORT)\n"
    "  --tcp                  query over TCP only\n"
    "  --dns0x20              random letter case in query names; replies must\n"
    "                         echo it (off: some servers lowercase names)\n"
    "  --zone FILE            answer from this zone file first (repeatable)\n"
    "  --offline              names outside every --zone fail instead of going\n"
    "                         to the network\n"
    "  -t, --timeout S[:STATE]  deadline for the whole check (default 10 s),\n"
    "                         and the state when it passes (default unknown)\n"
    "  -w, --warning RANGE    warning when the check's time in seconds is\n"
    "                         outside RANGE (10, 10:, ~:10, 10:20, @10:20)\n"
    "  -c, --critical RANGE   critical likewise\n"
    "  --lookup-timeout S     first-try timeout of one lookup (default 2 s)\n"
    "  --tries N              tries per lookup (default 2)\n"
    "  --postfix[=PATH]       take HOST (smtp_helo_name), the families\n"
    "                         (inet_protocols) and the sending addresses\n"
    "                         (smtp_bind_address[6]) from Postfix's main.cf\n"
    "                         (default /etc/postfix), and lint main.cf and\n"
    "                         master.cf\n"
    "  --egress               check the kernel's source address towards the\n"
    "                         Internet in each family (default with --postfix\n"
    "                         of /etc/postfix)\n";

/* The rest of --help (one literal would pass the 4095 octets C99 promises). */
static const char usage_more[] =
    "  --dnsbl ZONE           check the addresses (an address list) or HOST, the\n"
    "                         PTR names and sender domains (a domain list) against\n"
    "                         this blocklist (repeatable; off by default: see\n"
    "                         BLOCKLISTS in mailcheck(1))\n"
    "  --dnsbl-key KEY|@FILE  ask the Spamhaus lists through their Data Query\n"
    "                         Service with this key (@FILE: read from FILE)\n"
    "  --dnsbl-table FILE     what the lists' answers mean (default: the shipped\n"
    "                         dnsbl.conf)\n"
    "\n"
    "Many hosts (or, with spf, many IP SENDER [HELO] lines):\n"
    "  --batch FILE           check every line of FILE (- for standard input):\n"
    "                         HOST [FROM-DOMAIN...]; one result a line in input\n"
    "                         order (--format jsonl or text); -t is per line\n"
    "  --concurrency N        lines checked at once (default 250)\n"
    "  --unordered            write results as they complete\n"
    "  --qps N                at most N DNS queries a second (default: no limit)\n"
    "  --max-inflight N       at most N DNS queries unanswered at once (default: as\n"
    "                         many as the socket buffer holds replies, up to 2000)\n"
    "\n"
    "spf: evaluate SPF (RFC 7208) for one client address, like spfquery:\n"
    "  --ip ADDR              the client's address\n"
    "  --sender MAILFROM      MAIL FROM (a domain alone means postmaster@DOMAIN;\n"
    "                         empty: the null reverse-path, needs --helo)\n"
    "  --helo NAME            the HELO/EHLO name (%{h})\n"
    "  --no-prefetch          do not send known lookups early\n"
    "  --trace                jsonl: the ledger (trace) in every document too\n"
    "                         (json always has it; text shows it at -v)\n"
    "\n"
    "domain: the sender-domain report of DOMAIN alone (MX, DMARC, DKIM keys, the\n"
    "SPF record's worst-case lookups), no server: with --dkim, --dkim-config,\n"
    "--header-from, --psl and the DNS and output options\n"
    "\n"
    "  -V, --version          print versions and exit (3 as check_mailcheck)\n"
    "  -h, --help             print this help and exit (3 as check_mailcheck)\n"
    "\n"
    "Exit status: 0 ok, 1 warning, 2 critical, 3 unknown. See mailcheck(1).\n";

/* Parses seconds with up to three decimals ("2", "0.5") into ms. */
static bool parse_seconds(const char *text, long max_ms, long *ms)
{
    const char *dot = strchr(text, '.');
    char whole[16];
    size_t wlen = dot ? (size_t)(dot - text) : strlen(text);
    if (wlen == 0 || wlen >= sizeof whole)
        return false;
    memcpy(whole, text, wlen);
    whole[wlen] = '\0';
    unsigned long secs, frac = 0;
    if (!mc_parse_uint(whole, (unsigned long)max_ms / 1000, &secs))
        return false;
    if (dot) {
        size_t flen = strlen(dot + 1);
        if (flen == 0 || flen > 3 || !mc_parse_uint(dot + 1, 999, &frac))
            return false;
        for (size_t i = flen; i < 3; i++)
            frac *= 10;
    }
    *ms = (long)(secs * 1000 + frac);
    return *ms > 0;
}

/* -t SECONDS[:STATE], the Monitoring Plugins' syntax. */
static bool parse_timeout(struct cli *cli, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char secs[32];
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    if (n >= sizeof secs)
        return false;
    memcpy(secs, arg, n);
    secs[n] = '\0';
    if (!parse_seconds(secs, 86400000L, &cli->timeout_ms))
        return false;
    return !colon || mc_state_parse(colon + 1, &cli->deadline_state);
}

enum {
    OPT_FORMAT = 256,
    OPT_COLOR,
    OPT_STRICT,
    OPT_ADDRESS,
    OPT_IGNORE,
    OPT_SERVER,
    OPT_TCP,
    OPT_DNS0X20,
    OPT_ZONE,
    OPT_OFFLINE,
    OPT_LOOKUP_TIMEOUT,
    OPT_TRIES,
    OPT_IP,
    OPT_SENDER,
    OPT_HELO,
    OPT_NO_PREFETCH,
    OPT_TRACE,
    OPT_FROM,
    OPT_NO_SPF,
    OPT_HEADER_FROM,
    OPT_DKIM,
    OPT_DKIM_CONFIG,
    OPT_NO_DOMAIN_REPORT,
    OPT_PSL,
    OPT_OUTPUT,
    OPT_BATCH,
    OPT_CONCURRENCY,
    OPT_UNORDERED,
    OPT_QPS,
    OPT_MAX_INFLIGHT,
    OPT_POSTFIX,
    OPT_DNSBL,
    OPT_DNSBL_KEY,
    OPT_DNSBL_TABLE,
    OPT_EGRESS,
};

static const struct option long_options[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"hostname", required_argument, NULL, 'H'},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"server", required_argument, NULL, OPT_SERVER},
    {"tcp", no_argument, NULL, OPT_TCP},
    {"dns0x20", no_argument, NULL, OPT_DNS0X20},
    {"zone", required_argument, NULL, OPT_ZONE},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"timeout", required_argument, NULL, 't'},
    {"lookup-timeout", required_argument, NULL, OPT_LOOKUP_TIMEOUT},
    {"tries", required_argument, NULL, OPT_TRIES},
    {"ip", required_argument, NULL, OPT_IP},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"helo", required_argument, NULL, OPT_HELO},
    {"no-prefetch", no_argument, NULL, OPT_NO_PREFETCH},
    {"trace", no_argument, NULL, OPT_TRACE},
    {"from", required_argument, NULL, OPT_FROM},
    {"no-spf", no_argument, NULL, OPT_NO_SPF},
    {"header-from", required_argument, NULL, OPT_HEADER_FROM},
    {"dkim", required_argument, NULL, OPT_DKIM},
    {"dkim-config", required_argument, NULL, OPT_DKIM_CONFIG},
    {"no-domain-report", no_argument, NULL, OPT_NO_DOMAIN_REPORT},
    {"psl", required_argument, NULL, OPT_PSL},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"unordered", no_argument, NULL, OPT_UNORDERED},
    {"qps", required_argument, NULL, OPT_QPS},
    {"max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT},
    {"postfix", optional_argument, NULL, OPT_POSTFIX},
    {"dnsbl", required_argument, NULL, OPT_DNSBL},
    {"dnsbl-key", required_argument, NULL, OPT_DNSBL_KEY},
    {"dnsbl-table", required_argument, NULL, OPT_DNSBL_TABLE},
    {"egress", no_argument, NULL, OPT_EGRESS},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Outcome of option parsing besides "go on". */
enum parse_result { PARSE_OK, PARSE_EXIT_OK, PARSE_ERROR };

static bool parse_format(const char *text, enum format *format)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(text, format_names[i]) == 0) {
            *format = (enum format)i;
            return true;
        }
    }
    return false;
}

/*
 * Finds --format and --output before getopt runs, so that an error in an
 * earlier option is still reported in the format (and place) asked for.
 * Only the well-formed spellings count; getopt_long checks them again.
 */
static void prescan(struct cli *cli, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return;
        const char *value = NULL;
        bool output = false;
        if (strncmp(a, "--format=", 9) == 0) {
            value = a + 9;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            value = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            value = a + 9, output = true;
        } else if (strcmp(a, "--output") == 0 && i + 1 < argc) {
            value = argv[++i], output = true;
        }
        if (value && output)
            cli->output = value;
        else if (value)
            parse_format(value, &cli->format);
    }
}

/* The shipped table (mailcheck(1), FILES): beside the binary as it is
 * installed (PREFIX/share/mailcheck/dnsbl.conf for PREFIX/bin/mailcheck,
 * so that a package built for another prefix finds its own), then at the
 * installed path compiled in, then (a binary run from its build tree) in
 * the source tree.  Caller frees. */
static char *default_dnsbl_table(void)
{
    struct stat sb;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *path = mc_xasprintf("%s/../share/mailcheck/dnsbl.conf", exe);
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
                return path;
            free(path);
        }
    }
    if (stat(MAILCHECK_DNSBL_TABLE, &sb) == 0)
        return mc_xstrdup(MAILCHECK_DNSBL_TABLE);
    return mc_xstrdup(MAILCHECK_DNSBL_TABLE_SOURCE);
}

static void print_version(const struct cli *cli, FILE *f)
{
    fprintf(f, "mailcheck %s\nc-ares %s\nldns %s\n", MAILCHECK_VERSION,
            mc_resolver_library_version(), mc_dns_msg_library_version());
    char *why = NULL;
    char *table = cli->dnsbl_table ? mc_xstrdup(cli->dnsbl_table) : default_dnsbl_table();
    char *safe = mc_render_safe(table);
    fprintf(f, "blocklist table %s\n", safe);
    free(safe);
    free(table);
    struct mc_psl *psl = mc_psl_load(cli->psl_path, &why);
    if (psl) {
        fprintf(f, "public suffix list %s\n", mc_psl_describe(psl));
        mc_psl_free(psl);
    } else {
        fprintf(f, "public suffix list: %s\n", why);
        free(why);
    }
}

/* -w/-c RANGE; *WHY on failure. */
static bool parse_threshold(const char *opt, const char *arg, const char **text,
                            struct mc_range *range, char **why)
{
    if (!mc_range_parse(arg, range)) {
        *why = mc_xasprintf("%s %s: expected a range in seconds: N (alert above N), N: "
                            "(below N), ~:N (above N), N:M (outside N..M) or @N:M (inside)",
                            opt, arg);
        return false;
    }
    *text = arg;
    return true;
}

static enum parse_result parse_args(struct cli *cli, int argc, char **argv, char **why)
{
    int c;
    opterr = 0;
    optind = 1;
    bool want_version = false, want_help = false;
    const char *hostname = NULL;
    while ((c = getopt_long(argc, argv, ":46qvVht:H:w:c:", long_options, NULL)) != -1) {
        switch (c) {
        case '4': cli->require[MC_FAMILY_IPV4] = true; break;
        case '6': cli->require[MC_FAMILY_IPV6] = true; break;
        case 'q': cli->quiet = true; break;
        case 'v': cli->verbose++; break;
        case 'V': want_version = true; break;
        case 'h': want_help = true; break;
        case 'H': hostname = optarg; break;
        case 'w':
            if (!parse_threshold("-w/--warning", optarg, &cli->warning, &cli->warning_range, why))
                return PARSE_ERROR;
            break;
        case 'c':
            if (!parse_threshold("-c/--critical", optarg, &cli->critical, &cli->critical_range,
                                 why))
                return PARSE_ERROR;
            break;
        case OPT_OUTPUT: cli->output = optarg; break;
        case 't':
            if (!parse_timeout(cli, optarg)) {
                *why = mc_xasprintf("-t/--timeout %s: expected SECONDS or SECONDS:STATE "
                                    "(STATE ok, warning, critical or unknown)",
                                    optarg);
                return PARSE_ERROR;
            }
            break;
        case OPT_FORMAT:
            if (!parse_format(optarg, &cli->format)) {
                *why = mc_xasprintf("--format %s: expected text, json, jsonl, nagios or "
                                    "openmetrics",
                                    optarg);
                return PARSE_ERROR;
            }
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) {
                cli->color = COLOR_AUTO;
            } else if (strcmp(optarg, "always") == 0) {
                cli->color = COLOR_ALWAYS;
            } else if (strcmp(optarg, "never") == 0) {
                cli->color = COLOR_NEVER;
            } else {
                *why = mc_xasprintf("--color %s: expected auto, always or never", optarg);
                return PARSE_ERROR;
            }
            break;
        case OPT_STRICT: cli->strict = true; break;
        case OPT_ADDRESS: {
            struct mc_ip ip;
            if (!mc_ip_parse(optarg, &ip)) {
                *why = mc_xasprintf("--address %s: not an IPv4 or IPv6 address", optarg);
                return PARSE_ERROR;
            }
            cli_push_address(cli, &ip);
            break;
        }
        case OPT_IGNORE: push(&cli->ignore, &cli->nignore, &cli->ignore_cap, optarg); break;
        case OPT_SERVER: push(&cli->servers, &cli->nservers, &cli->servers_cap, optarg); break;
        case OPT_TCP: cli->tcp = true; break;
        case OPT_DNS0X20: cli->dns0x20 = true; break;
        case OPT_ZONE: push(&cli->zones, &cli->nzones, &cli->zones_cap, optarg); break;
        case OPT_OFFLINE: cli->offline = true; break;
        case OPT_LOOKUP_TIMEOUT:
            if (!parse_seconds(optarg, 60000, &cli->lookup_timeout_ms)) {
                *why = mc_xasprintf("--lookup-timeout %s: expected seconds (0.001 to 60)", optarg);
                return PARSE_ERROR;
            }
            break;
        case OPT_TRIES: {
            unsigned long n;
            if (!mc_parse_uint(optarg, 10, &n) || n == 0) {
                *why = mc_xasprintf("--tries %s: expected a number from 1 to 10", optarg);
                return PARSE_ERROR;
            }
            cli->tries = (int)n;
            break;
        }
        case OPT_IP: cli->spf_ip = optarg; break;
        case OPT_SENDER: cli->spf_sender = optarg; break;
        case OPT_HELO: cli->spf_helo = optarg; break;
        case OPT_NO_PREFETCH: cli->no_prefetch = true; break;
        case OPT_TRACE: cli->trace = true; break;
        case OPT_FROM:
        case OPT_HEADER_FROM: {
            const char *problem, *opt = c == OPT_FROM ? "--from" : "--header-from";
            char *domain = mc_hostname_domain_ascii(optarg, &problem);
            if (!domain) {
                *why = mc_xasprintf("%s %s: not a domain name: %s", opt, optarg, problem);
                return PARSE_ERROR;
            }
            /* Each domain once, however it was spelt: a repeat would be
             * evaluated and reported twice. */
            own(cli, mc_hostname_domain_canonical(domain));
            if (c == OPT_FROM) {
                if (!mc_strv_contains(cli->from, cli->nfrom, domain))
                    push(&cli->from, &cli->nfrom, &cli->from_cap, domain);
            } else if (!mc_strv_contains(cli->header_from, cli->nheader_from, domain)) {
                push(&cli->header_from, &cli->nheader_from, &cli->header_from_cap, domain);
            }
            break;
        }
        case OPT_DKIM: {
            const char *colon = strchr(optarg, ':'), *problem;
            size_t nselector = colon ? (size_t)(colon - optarg) : strlen(optarg);
            char *domain = colon ? mc_hostname_domain_ascii(colon + 1, &problem) : NULL;
            bool ok = (!colon || domain) && nselector > 0 &&
                      strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_.") == nselector;
            if (!ok) {
                free(domain);
                *why = mc_xasprintf("--dkim %s: expected SELECTOR or SELECTOR:DOMAIN (a selector "
                                    "of letters, digits, '-', '_' and '.', a domain name)",
                                    optarg);
                return PARSE_ERROR;
            }
            /* the domain as it is looked up: A-label form, lowercase, no
             * trailing dot */
            const char *dkim = optarg;
            if (colon)
                dkim = own(cli, mc_xasprintf("%.*s:%s", (int)nselector, optarg,
                                             mc_hostname_domain_canonical(domain)));
            free(domain);
            push(&cli->dkim, &cli->ndkim, &cli->dkim_cap, dkim);
            break;
        }
        case OPT_DKIM_CONFIG: cli->dkim_config = optarg; break;
        case OPT_NO_SPF: cli->no_spf = true; break;
        case OPT_NO_DOMAIN_REPORT: cli->no_domain_report = true; break;
        case OPT_PSL: cli->psl_path = optarg; break;
        case OPT_BATCH: cli->batch = optarg; break;
        case OPT_UNORDERED: cli->unordered = true; break;
        case OPT_CONCURRENCY:
        case OPT_QPS:
        case OPT_MAX_INFLIGHT: {
            unsigned long n;
            unsigned long *dst = c == OPT_CONCURRENCY ? &cli->concurrency
                                 : c == OPT_QPS       ? &cli->qps
                                                      : &cli->max_inflight;
            if (!mc_parse_uint(optarg, c == OPT_CONCURRENCY ? 100000 : 10000000, &n) || n == 0) {
                *why = mc_xasprintf("%s %s: expected a positive number", argv[optind - 1], optarg);
                return PARSE_ERROR;
            }
            *dst = n;
            break;
        }
        case OPT_DNSBL: push(&cli->dnsbl, &cli->ndnsbl, &cli->dnsbl_cap, optarg); break;
        case OPT_DNSBL_KEY: cli->dnsbl_key = optarg; break;
        case OPT_DNSBL_TABLE: cli->dnsbl_table = optarg; break;
        case OPT_POSTFIX:
            cli->postfix = true;
            cli->postfix_path = optarg;
            break;
        case OPT_EGRESS: cli->egress = true; break;
        case ':':
            *why = mc_xasprintf("option %s needs an argument", argv[optind - 1]);
            return PARSE_ERROR;
        default:
            if (optopt)
                *why = mc_xasprintf("unknown option -%c", optopt);
            else
                *why = mc_xasprintf("unknown option %s", argv[optind - 1]);
            return PARSE_ERROR;
        }
    }
    /* -h and -V win over every other option, as in the Monitoring Plugins. */
    if (want_help) {
        fputs(usage_text, stdout);
        fputs(usage_more, stdout);
        return PARSE_EXIT_OK;
    }
    if (want_version) {
        print_version(cli, stdout);
        return PARSE_EXIT_OK;
    }
    if (optind < argc &&
        (strcmp(argv[optind], "spf") == 0 || strcmp(argv[optind], "domain") == 0) &&
        (cli->ndnsbl || cli->dnsbl_key || cli->dnsbl_table)) {
        *why = mc_xasprintf("--dnsbl, --dnsbl-key and --dnsbl-table belong to the host check, "
                            "not to 'mailcheck %s'",
                            argv[optind]);
        return PARSE_ERROR;
    }
    if (optind < argc && strcmp(argv[optind], "spf") == 0) {
        cli->spf_mode = true;
        if (cli->postfix || cli->egress) {
            *why = mc_xasprintf("%s belongs to the host check, not to 'mailcheck spf'",
                                cli->postfix ? "--postfix" : "--egress");
            return PARSE_ERROR;
        }
        if (argc - optind > 1) {
            *why =
                mc_xasprintf("spf takes no argument besides options (got '%s')", argv[optind + 1]);
            return PARSE_ERROR;
        }
        return PARSE_OK;
    }
    if (optind < argc && strcmp(argv[optind], "domain") == 0) {
        /* DOMAIN plays the MAIL FROM role: no server, no other sender. */
        const char *stray = hostname                             ? "-H/--hostname"
                            : cli->nfrom                         ? "--from"
                            : cli->naddresses                    ? "--address"
                            : cli->require[0] || cli->require[1] ? "-4/-6"
                            : cli->postfix                       ? "--postfix"
                            : cli->egress                        ? "--egress"
                            : cli->batch                         ? "--batch"
                            : cli->no_spf                        ? "--no-spf"
                            : cli->no_domain_report              ? "--no-domain-report"
                            : cli->strict                        ? "--strict"
                            : cli->spf_ip || cli->spf_sender || cli->spf_helo
                                ? "--ip, --sender and --helo"
                                : NULL;
        if (stray) {
            *why = mc_xasprintf("%s belongs to the host check, not to 'mailcheck domain'", stray);
            return PARSE_ERROR;
        }
        if (argc - optind != 2) {
            *why = argc - optind < 2 ? mc_xstrdup("domain needs one DOMAIN")
                                     : mc_xasprintf("domain takes one DOMAIN (got '%s' and '%s')",
                                                    argv[optind + 1], argv[optind + 2]);
            return PARSE_ERROR;
        }
        cli->domain_arg = argv[optind + 1];
        cli->host_arg = cli->domain_arg; /* the subject of an input error */
        return PARSE_OK;
    }
    if (cli->spf_ip || cli->spf_sender || cli->spf_helo) {
        *why = mc_xstrdup("--ip, --sender and --helo belong to 'mailcheck spf'");
        return PARSE_ERROR;
    }
    if (cli->batch) { /* the hosts come from the file */
        if (hostname || optind < argc) {
            *why = mc_xasprintf("--batch takes the hosts from %s: no HOST argument (got '%s')",
                                cli->batch, hostname ? hostname : argv[optind]);
            return PARSE_ERROR;
        }
        if (cli->postfix) {
            *why = mc_xstrdup("--postfix and --batch do not go together");
            return PARSE_ERROR;
        }
        return PARSE_OK;
    }
    if (cli->postfix && !hostname && optind >= argc)
        return PARSE_OK; /* HOST is Postfix's smtp_helo_name */
    if (hostname) {
        cli->host_arg = hostname;
        if (optind < argc && strcmp(argv[optind], hostname) != 0) {
            *why = mc_xasprintf("one HOST only (got -H %s and '%s')", hostname, argv[optind]);
            return PARSE_ERROR;
        }
        optind += optind < argc;
    } else if (optind >= argc) {
        *why = mc_xstrdup("no HOST given (-H HOST or HOST)");
        return PARSE_ERROR;
    } else {
        cli->host_arg = argv[optind++];
    }
    if (optind < argc) {
        *why = mc_xasprintf("one HOST only (got '%s' and '%s')", cli->host_arg, argv[optind]);
        return PARSE_ERROR;
    }
    return PARSE_OK;
}

/* --color=always|never win over NO_COLOR, as no-color.org asks: it sets
 * the default, a command-line option overrides it. */
static bool use_color(const struct cli *cli)
{
    if (cli->color != COLOR_AUTO)
        return cli->color == COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    return !cli->output && isatty(STDOUT_FILENO);
}

static struct mc_render_options render_options(const struct cli *cli)
{
    return (struct mc_render_options){
        .color = cli->format == FORMAT_TEXT && use_color(cli),
        .quiet = cli->quiet,
        .verbose = cli->verbose,
        /* --batch writes one result a line, in jsonl as in text */
        .pretty = cli->format == FORMAT_JSON && !cli->batch,
        /* the SPF ledger: always in json; in jsonl, where at batch scale
         * it costs more than the check, only when asked for */
        .trace = cli->format == FORMAT_JSON || cli->trace,
        .warning = cli->warning,
        .critical = cli->critical,
    };
}

/* Writes TEXT (taken) to --output atomically or to stdout; JSON documents
 * get their final newline here. Returns false, the reason on stderr, when
 * the report could not be written. */
static bool deliver(const struct cli *cli, char *text)
{
    if (cli->format == FORMAT_JSON || cli->format == FORMAT_JSONL) {
        char *line = mc_xasprintf("%s\n", text);
        free(text);
        text = line;
    }
    bool ok = true;
    if (cli->output) {
        char *why = NULL;
        if (mc_file_write_atomic(cli->output, text, strlen(text), &why) != MC_OK) {
            fprintf(stderr, "%s: %s\n", cli->prog, why);
            free(why);
            ok = false;
        }
    } else {
        fputs(text, stdout);
        if (fflush(stdout) != 0) {
            perror("mailcheck: writing the report");
            ok = false;
        }
    }
    free(text);
    return ok;
}

int cli_emit(const struct cli *cli, struct mc_report *report)
{
    struct mc_render_options ro = render_options(cli);
    char *text;
    switch (cli->format) {
    case FORMAT_JSON:
    case FORMAT_JSONL: text = mc_render_json(report, &ro); break;
    case FORMAT_NAGIOS: text = mc_render_nagios(report, &ro); break;
    case FORMAT_OPENMETRICS: text = mc_render_openmetrics(report, &ro); break;
    case FORMAT_TEXT:
    default: text = mc_render_text(report, &ro); break;
    }
    return deliver(cli, text) ? (int)report->status : MC_STATE_UNKNOWN;
}

/* A usage or input error: the message on stderr and, in a machine format,
 * a valid document (nagios: the UNKNOWN line) on stdout or --output.
 * Takes WHY. Returns exit code 3. */
int cli_fail_input(const struct cli *cli, char *why, const char *input)
{
    /* The message may quote arguments or file contents: escaped, so that
     * no control octet reaches the terminal. */
    char *safe = mc_render_safe(why);
    fprintf(stderr, "%s: %s\n", cli->prog, safe);
    free(safe);
    if (cli->format != FORMAT_TEXT) {
        struct mc_report *r = mc_report_new();
        r->input = mc_arena_strdup(r->arena, input);
        mc_report_add_finding(r, "bad-input", MC_SEV_UNKNOWN, input ? input : "", why, NULL);
        mc_report_settle(r);
        cli_emit(cli, r);
        mc_report_free(r);
    } else {
        fprintf(stderr, "Try '%s --help'.\n", cli->prog);
    }
    free(why);
    return MC_STATE_UNKNOWN;
}

/* "12.345" from milliseconds, without the locale's decimal separator. */
static void format_seconds(int64_t ms, char *buf, size_t size)
{
    snprintf(buf, size, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
}

/* The one -w/-c rule (mailcheck(1), OPTIONS): the state the run's time,
 * DURATION_MS, earns, critical before warning (the worse only), else
 * MC_STATE_OK. */
static enum mc_state time_state(const struct cli *cli, int64_t duration_ms)
{
    double secs = (double)duration_ms / 1000.0;
    if (cli->critical && mc_range_alert(&cli->critical_range, secs))
        return MC_STATE_CRITICAL;
    if (cli->warning && mc_range_alert(&cli->warning_range, secs))
        return MC_STATE_WARNING;
    return MC_STATE_OK;
}

/* The -w/-c thresholds on the check's time, in every format: a finding
 * time-critical or time-warning (the worse only). */
void cli_apply_thresholds(const struct cli *cli, struct mc_report *report)
{
    enum mc_state state = time_state(cli, report->duration_ms);
    if (state == MC_STATE_OK)
        return;
    bool critical = state == MC_STATE_CRITICAL;
    const char *opt = critical ? "-c" : "-w";
    const char *range = critical ? cli->critical : cli->warning;
    const struct mc_range *r = critical ? &cli->critical_range : &cli->warning_range;
    const char *code = critical ? "time-critical" : "time-warning";
    enum mc_severity sev = critical ? MC_SEV_CRITICAL : MC_SEV_WARNING;
    char took[32];
    format_seconds(report->duration_ms, took, sizeof took);
    char *message = mc_xasprintf("the check took %s s, %s the %s range %s", took,
                                 r->inside ? "inside" : "outside", opt, range);
    mc_report_add_finding(report, code, sev,
                          report->host     ? report->host
                          : report->domain ? report->domain
                                           : "",
                          message, "find out why the name servers answer slowly, or adjust -w/-c");
    free(message);
}

/* Loads the --zone files and creates the resolver. Returns NULL with *WHY
 * (caller frees) on failure; *ZONES is the caller's to free either way. */
struct mc_resolver *cli_setup_resolver(const struct cli *cli, struct mc_zone_set **zones,
                                       char **why)
{
    *zones = NULL;
    if (cli->nzones > 0) {
        *zones = mc_zone_set_new();
        for (size_t i = 0; i < cli->nzones; i++) {
            char *zwhy = NULL;
            if (mc_zone_set_load(*zones, cli->zones[i], NULL, &zwhy) != MC_OK) {
                *why = mc_xasprintf("--zone %s", zwhy);
                free(zwhy);
                return NULL;
            }
        }
    }
    /* A long batch keeps at most this many answers (some 200 octets each:
     * 30 MB), those its lines to come want first (mc_batch_scopes.h); a
     * single check keeps everything. */
    size_t cache_max = 150000;
    const char *env = getenv("MAILCHECK_BATCH_CACHE");
    if (cli->batch && env && *env) {
        unsigned long n;
        if (!mc_parse_uint(env, SIZE_MAX, &n) || n == 0) {
            *why =
                mc_xasprintf("MAILCHECK_BATCH_CACHE=%s: not a number of answers (1 or more)", env);
            return NULL;
        }
        cache_max = (size_t)n;
    }
    struct mc_resolver_config rc = {
        .servers = cli->servers,
        .nservers = cli->nservers,
        .tcp_only = cli->tcp,
        .dns0x20 = cli->dns0x20,
        .offline = cli->offline,
        .zones = *zones,
        .lookup_timeout_ms = (int)cli->lookup_timeout_ms,
        .tries = cli->tries,
        /* 0: as many as the socket's receive buffer holds replies.
         * Unbounded, a check with thousands of lookups (a large SPF tree,
         * many PTR names) would overflow it and lose replies. */
        .max_inflight = (unsigned)cli->max_inflight,
        .qps = (unsigned)cli->qps,
        .cache_max = cli->batch ? cache_max : 0,
    };
    return mc_resolver_new(&rc, why);
}

struct spf_run {
    struct mc_resolver_ops ops; /* the evaluation alone */
    struct mc_spf_eval *eval;
};

static void store_eval(void *arg, struct mc_spf_eval *eval)
{
    struct spf_run *run = arg;
    run->eval = eval;
    mc_resolver_op_ended(&run->ops); /* prefetches nobody needs may be out */
}

static int run_spf(struct cli *cli)
{
    struct mc_zone_set *zones = NULL;
    struct mc_resolver *res = NULL;
    struct mc_spf_eval *eval = NULL;
    char *why = NULL;
    int code = MC_STATE_UNKNOWN;
    int64_t started = mc_now_ms();
    struct mc_ip ip;
    const char *subject = cli->spf_ip ? cli->spf_ip : "";

    if (!cli->spf_ip || !cli->spf_sender) {
        code =
            cli_fail_input(cli, mc_xstrdup("spf needs --ip ADDR and --sender MAILFROM"), subject);
        goto done;
    }
    if (!mc_ip_parse(cli->spf_ip, &ip)) {
        code = cli_fail_input(
            cli, mc_xasprintf("--ip %s: not an IPv4 or IPv6 address", cli->spf_ip), subject);
        goto done;
    }
    /* RFC 7208 §2.4: with the null reverse-path, the identity is
     * postmaster@HELO. */
    const char *sender = cli->spf_sender;
    if (*sender == '\0' || strcmp(sender, "<>") == 0) {
        if (!cli->spf_helo) {
            code = cli_fail_input(cli,
                                  mc_xstrdup("an empty --sender (null reverse-path) needs "
                                             "--helo: the identity is then postmaster@HELO"),
                                  subject);
            goto done;
        }
        sender = cli->spf_helo;
    }
    res = cli_setup_resolver(cli, &zones, &why);
    if (!res) {
        code = cli_fail_input(cli, why, subject);
        goto done;
    }
    struct mc_spf_request req = {
        .ip = ip,
        .ip_upper = mc_ip_text_upper(cli->spf_ip),
        .sender = sender,
        .helo = cli->spf_helo,
        .prefetch = !cli->no_prefetch,
    };
    struct spf_run run = {.ops = {.res = res, .pending = 1}};
    mc_spf_eval_start(res, &req, store_eval, &run);
    bool cut = mc_resolver_run_ops(&run.ops, started + cli->timeout_ms);
    eval = run.eval;
    if (!eval) { /* cannot happen: the run drains every lookup */
        code =
            cli_fail_input(cli, mc_xstrdup("internal error: the evaluation did not end"), subject);
        goto done;
    }
    const struct mc_spf_verdict *v = mc_spf_eval_verdict(eval);
    struct mc_resolver_stats stats;
    mc_resolver_get_stats(res, &stats);
    code = mc_spf_exit_code(v->result);
    if (cut)
        code = (int)cli->deadline_state;
    else if (mc_resolver_unusable(&stats))
        code = MC_STATE_UNKNOWN;
    int64_t duration_ms = mc_now_ms() - started;
    /* -w/-c: the time thresholds worsen the exit code here too. */
    enum mc_state by_time = time_state(cli, duration_ms);
    if (mc_state_worse(by_time, (enum mc_state)code))
        code = (int)by_time;
    struct mc_cli_spf_result result = {
        .eval = eval,
        .verdict = v,
        .cut = cut,
        .deadline_state = cli->deadline_state,
        .ip = cli->spf_ip,
        .helo = cli->spf_helo,
        .exit_code = code,
        .duration_ms = duration_ms,
    };
    mc_cli_spf_renderer render;
    switch (cli->format) {
    case FORMAT_JSON:
    case FORMAT_JSONL: render = mc_render_spf_json; break;
    case FORMAT_NAGIOS: render = mc_render_spf_nagios; break;
    case FORMAT_OPENMETRICS: render = mc_render_spf_openmetrics; break;
    case FORMAT_TEXT:
    default: render = mc_render_spf_text; break;
    }
    struct mc_render_options ro = render_options(cli);
    char *text = mc_cli_spf_render(&result, render, &ro);
    if (!deliver(cli, text))
        code = MC_STATE_UNKNOWN;
done:
    mc_spf_eval_free(eval);
    mc_resolver_free(res);
    mc_zone_set_free(zones);
    return code;
}

int cli_finish_report(const struct cli *cli, const struct mc_dkim_config *dkim_config,
                      struct mc_report *report, int64_t started_ms)
{
    mc_cli_dkim_config_findings(dkim_config, report);
    report->duration_ms = mc_now_ms() - started_ms;
    cli_apply_thresholds(cli, report);
    mc_report_drop_findings(report, cli->ignore, cli->nignore);
    mc_report_settle(report);
    int code = cli_emit(cli, report);
    mc_report_free(report);
    return code;
}

/* --dnsbl-key KEY, or @FILE: the key on the first line of FILE, so that
 * it need not stand in the process list.  *KEY is malloc'd (or NULL
 * without the option); messages never quote it. */
static enum mc_status dnsbl_key(const char *arg, char **key, char **why)
{
    *key = NULL;
    if (!arg)
        return MC_OK;
    if (arg[0] != '@') {
        *key = mc_xstrdup(arg);
        return MC_OK;
    }
    if (mc_file_first_line(arg + 1, 4096, key, why) != MC_OK)
        return MC_ERR_USAGE;
    size_t n = strlen(*key);
    while (n > 0 && ((*key)[n - 1] == ' ' || (*key)[n - 1] == '\t'))
        (*key)[--n] = '\0';
    return MC_OK;
}

enum mc_status cli_dnsbl_setup(const struct cli *cli, struct mc_dnsbl_table **table,
                               struct mc_dnsbl_run **run, char **why)
{
    *table = NULL;
    *run = NULL;
    if (cli->ndnsbl == 0 && !cli->dnsbl_table) {
        if (!cli->dnsbl_key)
            return MC_OK;
        *why = mc_xstrdup("--dnsbl-key needs a list to ask (--dnsbl zen.spamhaus.org)");
        return MC_ERR_USAGE;
    }
    char *path = cli->dnsbl_table ? mc_xstrdup(cli->dnsbl_table) : default_dnsbl_table();
    enum mc_status st = mc_dnsbl_table_load(path, table, why);
    free(path);
    if (st != MC_OK) {
        char *msg = mc_xasprintf("--dnsbl-table: %s", *why);
        free(*why);
        *why = msg;
        return st;
    }
    if (cli->ndnsbl == 0 && !cli->dnsbl_key)
        return MC_OK; /* a table checked, no list asked */
    char *key = NULL;
    st = dnsbl_key(cli->dnsbl_key, &key, why);
    if (st == MC_OK)
        st = mc_dnsbl_run_new(*table, cli->dnsbl, cli->ndnsbl, key, run, why);
    free(key);
    if (st != MC_OK) {
        mc_dnsbl_table_free(*table);
        *table = NULL;
    }
    return st;
}

static int run_host_check(struct cli *cli)
{
    char *host = NULL, *unicode = NULL, *why = NULL;
    struct mc_zone_set *zones = NULL;
    struct mc_resolver *res = NULL;
    struct mc_psl *psl = NULL;
    struct mc_dkim_config *dkim_config = NULL;
    struct cli_postfix pf = {0};
    struct mc_dnsbl_table *dnsbl_table = NULL;
    struct mc_dnsbl_run *dnsbl = NULL;
    bool only_listed[2] = {false, false};
    int code = MC_STATE_UNKNOWN;
    int64_t started = mc_now_ms();

    if (cli->postfix && !cli_postfix_apply(cli, &pf, only_listed, &why)) {
        code = cli_fail_input(cli, why, cli->host_arg);
        goto done;
    }
    if (cli->egress && !cli->postfix)
        cli_egress_addresses(cli);
    /* An EHLO name receivers reject whatever DNS says: the findings alone
     * (mailcheck(1), POSTFIX, postfix-helo-not-fqdn). */
    if (cli->postfix && pf.lint.helo_not_fqdn && cli->host_arg == pf.config.helo_name) {
        code = cli_postfix_unchecked(cli, &pf, started);
        goto done;
    }
    if (mc_hostname_validate(cli->host_arg, &host, &unicode, &why) != MC_OK) {
        code = cli_fail_input(cli, why, cli->host_arg);
        goto done;
    }
    if (cli_dnsbl_setup(cli, &dnsbl_table, &dnsbl, &why) != MC_OK) {
        code = cli_fail_input(cli, why, cli->host_arg);
        goto done;
    }
    res = cli_setup_resolver(cli, &zones, &why);
    if (!res) {
        code = cli_fail_input(cli, why, cli->host_arg);
        goto done;
    }
    /* The default sender domain: HOST's registrable domain (mailcheck(1), --from). */
    char *default_from = NULL;
    const char *const *from = cli->from;
    size_t nfrom = cli->nfrom;
    bool domain_report = !cli->no_spf && !cli->no_domain_report;
    if (!cli->no_spf && (nfrom == 0 || domain_report)) {
        psl = mc_psl_load(cli->psl_path, &why);
        if (!psl) {
            code = cli_fail_input(cli, why, cli->host_arg);
            goto done;
        }
    }
    if (!cli->no_spf && nfrom == 0) {
        default_from = mc_psl_registrable(psl, host);
        from = (const char *const *)&default_from;
        nfrom = 1;
    }
    struct mc_domain_request *domains = NULL;
    size_t ndomains = 0;
    if (domain_report) {
        domains = mc_xcalloc(2 * nfrom + cli->nheader_from + 1, sizeof *domains);
        ndomains = mc_domain_requests(from, nfrom, cli->header_from, cli->nheader_from, domains);
        for (size_t i = 0; i < ndomains; i++)
            domains[i].psl = psl;
    }
    if (domain_report && cli->dkim_config &&
        mc_dkim_config_load(cli->dkim_config, &dkim_config, &why) != MC_OK) {
        free(domains);
        free(default_from);
        code = cli_fail_input(cli, why, cli->host_arg);
        goto done;
    }
    /* With --postfix of this machine, the signer's configuration by
     * default (mailcheck(1), --dkim-config): unreadable, an info finding. */
    const char *default_dkim = cli->dkim_config ? NULL : cli_postfix_opendkim_conf(cli, &pf);
    char *default_dkim_why = NULL;
    if (domain_report && default_dkim &&
        mc_dkim_config_load(default_dkim, &dkim_config, &default_dkim_why) != MC_OK)
        dkim_config = NULL;
    /* rspamd signs with its own configuration: asked of rspamadm under the
     * same condition (mailcheck(1), SENDER DOMAINS); a failure, an info
     * finding. */
    struct mc_dkim_config *rspamd_config = NULL;
    char *rspamadm = domain_report && !cli->dkim_config ? cli_postfix_rspamadm(cli, &pf) : NULL;
    char *rspamd_why = NULL;
    if (rspamadm && mc_dkim_config_rspamadm(rspamadm, &rspamd_config, &rspamd_why) != MC_OK)
        rspamd_config = NULL;
    struct mc_cli_dkim dkim = {.selectors = cli->dkim,
                               .nselectors = cli->ndkim,
                               .config = dkim_config,
                               .rspamd = rspamd_config,
                               .psl = psl,
                               .single = true};
    struct mc_cli_dkim_hold hold = {0};
    mc_cli_dkim_attach(domains, ndomains, &dkim, &hold);
    struct mc_check_options co = {
        .host = host,
        .host_unicode = unicode,
        .input = cli->host_arg,
        .strict = cli->strict,
        .require = {cli->require[0], cli->require[1]},
        .addresses = cli->addresses,
        .naddresses = cli->naddresses,
        .deadline_state = cli->deadline_state,
        .spf = !cli->no_spf,
        .from = from,
        .nfrom = nfrom,
        .prefetch = !cli->no_prefetch,
        .only_listed = {only_listed[0], only_listed[1]},
        .domains = domains,
        .ndomains = ndomains,
        .dnsbl = dnsbl,
        .relay = pf.relay,
        .relay_shown = pf.relay_shown,
        .relay_mx = pf.relay_mx,
    };
    struct mc_report *report = mc_check_run(res, &co, started + cli->timeout_ms);
    mc_cli_dkim_findings(&hold, report);
    mc_cli_dkim_reset(&hold);
    free(domains);
    if (default_dkim_why) {
        mc_report_add_finding(report, "dkim-key-unreadable", MC_SEV_INFO, default_dkim,
                              default_dkim_why, NULL);
        free(default_dkim_why);
    }
    if (rspamd_why) {
        mc_report_add_finding(report, "dkim-key-unreadable", MC_SEV_INFO, "rspamadm", rspamd_why,
                              "run `rspamadm configdump -j dkim_signing` to see what fails");
        free(rspamd_why);
    }
    mc_cli_dkim_config_findings(rspamd_config, report);
    mc_dkim_config_free(rspamd_config);
    free(rspamadm);
    if (cli->postfix)
        cli_postfix_findings(&pf, report);
    cli_egress_findings(cli, report);
    code = cli_finish_report(cli, dkim_config, report, started);
    free(default_from);
done:
    mc_resolver_free(res);
    mc_dnsbl_run_free(dnsbl);
    mc_dnsbl_table_free(dnsbl_table);
    mc_psl_free(psl);
    mc_dkim_config_free(dkim_config);
    mc_zone_set_free(zones);
    cli_postfix_reset(&pf);
    free(host);
    free(unicode);
    return code;
}

/* Lines in PATH when it is a regular file (for the progress ETA), else 0. */
static size_t count_lines(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int ch, last = '\n';
    while ((ch = getc(f)) != EOF) {
        n += ch == '\n';
        last = ch;
    }
    fclose(f);
    return n + (last != '\n');
}

/* --batch: one host check (or SPF evaluation) per input line. */
static int run_batch(struct cli *cli)
{
    struct mc_zone_set *zones = NULL;
    struct mc_resolver *res = NULL;
    struct mc_psl *psl = NULL;
    struct mc_dkim_config *dkim_config = NULL;
    struct mc_atomic_file *outfile = NULL;
    struct mc_dnsbl_table *dnsbl_table = NULL;
    struct mc_dnsbl_run *dnsbl = NULL;
    FILE *in = NULL;
    char *why = NULL;
    int code = MC_STATE_UNKNOWN;

    if (cli->format == FORMAT_NAGIOS || cli->format == FORMAT_OPENMETRICS) {
        code = cli_fail_input(
            cli, mc_xasprintf("--batch writes jsonl or text, not %s", format_names[cli->format]),
            cli->batch);
        goto done;
    }
    if (cli->naddresses > 0 || cli->egress) {
        code = cli_fail_input(cli,
                              mc_xasprintf("%s names one host's addresses: it does not go with "
                                           "--batch",
                                           cli->egress ? "--egress" : "--address"),
                              cli->batch);
        goto done;
    }
    if (cli->spf_mode && (cli->ndnsbl || cli->dnsbl_key || cli->dnsbl_table)) {
        code = cli_fail_input(cli,
                              mc_xstrdup("--dnsbl, --dnsbl-key and --dnsbl-table belong to the "
                                         "host check, not to 'mailcheck spf'"),
                              cli->batch);
        goto done;
    }
    if (cli_dnsbl_setup(cli, &dnsbl_table, &dnsbl, &why) != MC_OK) {
        code = cli_fail_input(cli, why, cli->batch);
        goto done;
    }
    in = strcmp(cli->batch, "-") == 0 ? stdin : fopen(cli->batch, "r");
    struct stat sb;
    if (!in || (in != stdin && (fstat(fileno(in), &sb) != 0 || S_ISDIR(sb.st_mode)))) {
        code = cli_fail_input(
            cli,
            mc_xasprintf("--batch %s: %s", cli->batch, in ? "is a directory" : strerror(errno)),
            cli->batch);
        goto done;
    }
    res = cli_setup_resolver(cli, &zones, &why);
    if (!res) {
        code = cli_fail_input(cli, why, cli->batch);
        goto done;
    }
    if (!cli->spf_mode && !cli->no_spf && (cli->nfrom == 0 || !cli->no_domain_report)) {
        psl = mc_psl_load(cli->psl_path, &why);
        if (!psl) {
            code = cli_fail_input(cli, why, cli->batch);
            goto done;
        }
    }
    if (!cli->spf_mode && cli->dkim_config &&
        mc_dkim_config_load(cli->dkim_config, &dkim_config, &why) != MC_OK) {
        code = cli_fail_input(cli, why, cli->batch);
        goto done;
    }
    if (cli->output) {
        outfile = mc_file_atomic_begin(cli->output, &why);
        if (!outfile) {
            code = cli_fail_input(cli, why, cli->batch);
            goto done;
        }
    }
    bool progress = isatty(STDERR_FILENO);
    struct mc_render_options ro = render_options(cli);
    ro.color = cli->format == FORMAT_TEXT && use_color(cli);
    FILE *out = outfile ? mc_file_atomic_stream(outfile) : stdout;
    /* A batch writes tens of megabytes, a line at a time: through 64 KiB
     * rather than stdio's 4 KiB, a write(2) every dozen lines instead of
     * one or two a line (a terminal keeps its line buffering).  Static:
     * stdout is flushed at exit, after this returns; and glibc takes the
     * size only with a buffer given. */
    static char out_buffer[64 * 1024];
    if (!isatty(fileno(out)))
        setvbuf(out, out_buffer, _IOFBF, sizeof out_buffer);
    struct mc_cli_batch cb = {
        .res = res,
        .in = in,
        .out = out,
        .jsonl = cli->format != FORMAT_TEXT,
        .ro = ro,
        .base =
            {
                .strict = cli->strict,
                .require = {cli->require[0], cli->require[1]},
                .deadline_state = cli->deadline_state,
                .spf = !cli->no_spf,
                .from = cli->from,
                .nfrom = cli->nfrom,
                .prefetch = false, /* mailcheck(1): prefetch is off in --batch */
                .dnsbl = dnsbl,    /* one health check per list for every line */
            },
        .psl = psl,
        .domain_report = !cli->no_spf && !cli->no_domain_report,
        .dkim = {.selectors = cli->dkim,
                 .nselectors = cli->ndkim,
                 .config = dkim_config,
                 .psl = psl},
        .header_from = cli->header_from,
        .nheader_from = cli->nheader_from,
        .timeout_ms = cli->timeout_ms,
        .ignore = cli->ignore,
        .nignore = cli->nignore,
        .concurrency = cli->concurrency ? cli->concurrency : 250,
        .unordered = cli->unordered,
        .progress = progress,
        .total = progress ? count_lines(cli->batch) : 0,
    };
    code = cli->spf_mode ? mc_cli_batch_spf(&cb) : mc_cli_batch_hosts(&cb);
    if (ferror(in)) {
        fprintf(stderr, "%s: --batch %s: read error\n", cli->prog, cli->batch);
        code = MC_STATE_UNKNOWN;
    }
    if (outfile) {
        enum mc_status st = mc_file_atomic_commit(outfile, &why);
        outfile = NULL;
        if (st != MC_OK) {
            fprintf(stderr, "%s: %s\n", cli->prog, why);
            free(why);
            code = MC_STATE_UNKNOWN;
        }
    } else if (fflush(stdout) != 0) {
        perror("mailcheck: writing the results");
        code = MC_STATE_UNKNOWN;
    }
done:
    mc_file_atomic_abort(outfile);
    if (in && in != stdin)
        fclose(in);
    mc_psl_free(psl);
    mc_dkim_config_free(dkim_config);
    mc_resolver_free(res);
    mc_dnsbl_run_free(dnsbl);
    mc_dnsbl_table_free(dnsbl_table);
    mc_zone_set_free(zones);
    return code;
}

/* True when ARGV0's last path component is check_mailcheck. */
static bool invoked_as_plugin(const char *argv0)
{
    if (!argv0)
        return false;
    const char *slash = strrchr(argv0, '/');
    return strcmp(slash ? slash + 1 : argv0, "check_mailcheck") == 0;
}

int mc_cli_main(int argc, char **argv)
{
    /* c-ares 1.18 writes TCP queries with writev(), which raises SIGPIPE
     * when a server has closed the connection: that must be a failed
     * lookup, not the death of the plugin.  A closed stdout then shows as
     * a write error (exit 3) too. */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);
    bool plugin = argc > 0 && invoked_as_plugin(argv[0]);
    struct cli cli = {
        .prog = plugin ? "check_mailcheck" : "mailcheck",
        .plugin = plugin,
        .format = plugin ? FORMAT_NAGIOS : FORMAT_TEXT,
        .timeout_ms = 10000,
        .lookup_timeout_ms = 2000,
        .tries = 2,
        .deadline_state = MC_STATE_UNKNOWN,
    };
    char *why = NULL;
    int code;
    prescan(&cli, argc, argv);
    switch (parse_args(&cli, argc, argv, &why)) {
    case PARSE_EXIT_OK:
        /* Plugins exit 3 after --help and --version (Monitoring Plugins
         * Development Guidelines), so that a misconfigured check shows. */
        code = cli.plugin ? MC_STATE_UNKNOWN : MC_STATE_OK;
        break;
    case PARSE_ERROR: code = cli_fail_input(&cli, why, cli.host_arg); break;
    case PARSE_OK:
    default:
        code = cli.batch        ? run_batch(&cli)
               : cli.spf_mode   ? run_spf(&cli)
               : cli.domain_arg ? cli_run_domain(&cli)
                                : run_host_check(&cli);
        break;
    }
    cli_reset(&cli);
    return code;
}
