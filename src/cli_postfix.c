/* SPDX-License-Identifier: MIT */
/*
 * cli_postfix.c - `--postfix[=PATH]` and `--egress` (mailcheck(1),
 * POSTFIX): the EHLO name, the sending addresses of each family (in this
 * order: smtp_bind_address / smtp_bind_address6, the one non-loopback
 * address of the family in inet_interfaces, which Postfix then binds
 * (postconf(5), smtp_bind_address, Note 1), the kernel's egress address
 * when the configuration is this machine's or --egress is given), the
 * families inet_protocols requires, and the lint findings.
 *
 * Ownership: struct cli_postfix owns the configuration, the lint result,
 * the relay's name and myorigin (which struct cli's header_from and
 * host_arg may borrow until the check is done); cli_postfix_reset() frees
 * them all.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_cli_private.h"
#include "mc_run.h"
#include "mc_array.h"
#include "mc_egress.h"
#include "mc_file.h"
#include "mc_hostname.h"
#include "mc_util.h"

#define LOCAL_CONFIG "/etc/postfix"
#define OPENDKIM_CONF "/etc/opendkim.conf"

/* Whether PATH (NULL: the default) is this machine's configuration. */
static bool is_local(const char *path)
{
    if (!path)
        return true;
    /* The same file, however PATH spells it (a trailing slash, a link). */
    struct stat given, dir, file;
    if (stat(path, &given) != 0)
        return false;
    return (stat(LOCAL_CONFIG, &dir) == 0 && given.st_dev == dir.st_dev &&
            given.st_ino == dir.st_ino) ||
           (stat(LOCAL_CONFIG "/main.cf", &file) == 0 && given.st_dev == file.st_dev &&
            given.st_ino == file.st_ino);
}

static bool is_loopback(const struct mc_ip *ip)
{
    static const unsigned char v6_loopback[16] = {[15] = 1};
    return ip->family == AF_INET ? ip->bytes[0] == 127
                                 : memcmp(ip->bytes, v6_loopback, sizeof v6_loopback) == 0;
}

/* The one non-loopback address of each family in inet_interfaces (none
 * when it names several, or names, or "all"). */
static void interface_addresses(const char *value, struct mc_ip found[2], bool have[2])
{
    int count[2] = {0, 0};
    char *copy = mc_xstrdup(value);
    for (char *tok = copy, *next; tok; tok = next) {
        tok += strspn(tok, " \t,");
        if (!*tok)
            break;
        next = tok + strcspn(tok, " \t,");
        if (*next)
            *next++ = '\0';
        else
            next = NULL;
        size_t n = strlen(tok);
        if (n >= 2 && tok[0] == '[' && tok[n - 1] == ']') {
            tok[n - 1] = '\0';
            tok++;
        }
        struct mc_ip ip;
        if (!mc_ip_parse(tok, &ip) || is_loopback(&ip))
            continue;
        int f = ip.family == AF_INET ? MC_FAMILY_IPV4 : MC_FAMILY_IPV6;
        if (count[f]++ == 0)
            found[f] = ip;
    }
    free(copy);
    for (int f = 0; f < 2; f++)
        have[f] = count[f] == 1;
}

/* The first destination of relayhost (postconf(5): "[name]:port" looks up
 * NAME's A/AAAA, "name:port" its MX hosts; "[ipv6:ADDR]" an address), into
 * PF's relay fields; nothing when relayhost is empty. */
static void take_relay(struct cli_postfix *pf)
{
    char *value = mc_postfix_value(&pf->config, "relayhost");
    const char *v = value + strspn(value, " \t,");
    size_t n = strcspn(v, " \t,");
    if (n == 0) {
        free(value);
        return;
    }
    pf->relay_shown = mc_xstrndup(v, n);
    const char *name = v;
    size_t len = n;
    if (*v == '[') {
        const char *close = memchr(v, ']', n);
        name = v + 1;
        len = close ? (size_t)(close - name) : n - 1;
        if (len > 5 && mc_ascii_strncasecmp(name, "ipv6:", 5) == 0) {
            name += 5;
            len -= 5;
        }
    } else {
        pf->relay_mx = true;
        const char *colon = memchr(v, ':', n);
        if (colon)
            len = (size_t)(colon - v);
    }
    pf->relay = mc_xstrndup(name, len);
    free(value);
}

/* myorigin, the domain Postfix puts in sender addresses without one
 * (postconf(5)): a value starting with "/" names a file whose first line
 * is it (Debian's /etc/mailname).  Into PF->origin, lowercased, when it is
 * a domain name; false with *WHY when the file cannot be read. */
static bool take_origin(struct cli_postfix *pf, char **why)
{
    char *value = mc_postfix_value(&pf->config, "myorigin");
    if (value[0] == '/') {
        char *line = NULL, *fwhy = NULL;
        if (mc_file_first_line(value, 4096, &line, &fwhy) != MC_OK) {
            *why = mc_xasprintf("--postfix %s: myorigin = %s: %s", pf->config.path, value, fwhy);
            free(fwhy);
            free(value);
            return false;
        }
        free(value);
        value = line;
    }
    char *host = NULL, *unicode = NULL, *hwhy = NULL;
    if (mc_hostname_validate(value, &host, &unicode, &hwhy) == MC_OK)
        pf->origin = host;
    else
        free(host);
    free(unicode);
    free(hwhy);
    free(value);
    return true;
}

/* An egress address is a sending address, unless no receiver can see it
 * (a private address behind NAT): the NAT's public address is what
 * receivers check, which this machine cannot know. */
static void take_egress(struct cli *cli, const struct mc_ip *ip)
{
    if (mc_ip_special_purpose(ip) && cli->negress_hidden < 2)
        cli->egress_hidden[cli->negress_hidden++] = *ip;
    else if (!mc_ip_special_purpose(ip))
        cli_push_address(cli, ip);
}

bool cli_postfix_apply(struct cli *cli, struct cli_postfix *pf, bool only_listed[2], char **why)
{
    memset(pf, 0, sizeof *pf);
    if (mc_postfix_load(cli->postfix_path, true, &pf->config, why) != MC_OK)
        return false;
    struct mc_postfix_config *c = &pf->config;
    mc_postfix_lint_run(c, &pf->lint);
    pf->local = is_local(cli->postfix_path);
    take_relay(pf);
    if (!take_origin(pf, why))
        return false;
    /* The From header domain defaults to myorigin's (mailcheck(1),
     * --header-from). */
    if (pf->origin && cli->nheader_from == 0) {
        MC_ARRAY_RESERVE(cli->header_from, cli->header_from_cap, 1);
        cli->header_from[cli->nheader_from++] = pf->origin;
    }
    if (!cli->host_arg)
        cli->host_arg = c->helo_name;

    /* The sending address of each family. */
    struct mc_ip send[2];
    bool have[2] = {false, false};
    char *interfaces = mc_postfix_value(c, "inet_interfaces");
    interface_addresses(interfaces, send, have);
    free(interfaces);
    const char *binds[2] = {c->bind_address, c->bind_address6};
    for (int f = 0; f < 2; f++) {
        if (!binds[f])
            continue;
        struct mc_ip ip;
        if (!mc_ip_parse(binds[f], &ip) || (ip.family == AF_INET) != (f == MC_FAMILY_IPV4)) {
            *why = mc_xasprintf("--postfix %s: smtp_bind_address%s = %s is not an %s address",
                                c->path, f ? "6" : "", binds[f], f ? "IPv6" : "IPv4");
            return false;
        }
        send[f] = ip;
        have[f] = true;
    }
    bool egress = cli->egress || pf->local;
    bool routed[2] = {false, false};
    for (int f = 0; f < 2; f++) {
        bool used = f == MC_FAMILY_IPV4 ? c->use_ipv4 : c->use_ipv6;
        if (have[f]) { /* Postfix binds it: the only sending address */
            routed[f] = true;
            if (used) {
                cli_push_address(cli, &send[f]);
                only_listed[f] = true;
            }
            continue;
        }
        struct mc_ip ip;
        if (egress && mc_egress_source(f == MC_FAMILY_IPV4 ? AF_INET : AF_INET6, &ip)) {
            routed[f] = true;
            if (used)
                take_egress(cli, &ip);
        }
    }
    /* inet_protocols (mailcheck(1), POSTFIX): a family named alone is
     * required; with both, each family with egress, or, when egress was
     * not asked (another machine's configuration), both. */
    if (c->use_ipv4 && c->use_ipv6) {
        for (int f = 0; f < 2; f++)
            if (!egress || routed[f])
                cli->require[f] = true;
    } else {
        cli->require[c->use_ipv4 ? MC_FAMILY_IPV4 : MC_FAMILY_IPV6] = true;
    }
    return true;
}

void cli_postfix_findings(const struct cli_postfix *pf, struct mc_report *report)
{
    for (size_t i = 0; i < pf->lint.nfindings; i++) {
        const struct mc_postfix_finding *f = &pf->lint.findings[i];
        mc_report_add_finding_at(report, f->code, f->severity, f->subject, f->message, f->fix,
                                 f->file, f->line);
    }
}

int cli_postfix_unchecked(const struct cli *cli, const struct cli_postfix *pf, int64_t started)
{
    struct mc_report *r = mc_report_new();
    /* A name that is valid but private (mx.lan) is reported as HOST; one
     * that is no domain name at all ("mail") only as the input. */
    char *host = NULL, *unicode = NULL, *why = NULL;
    if (mc_hostname_validate(cli->host_arg, &host, &unicode, &why) == MC_OK)
        r->host = mc_arena_strdup(r->arena, host);
    free(host);
    free(unicode);
    free(why);
    r->input = mc_arena_strdup(r->arena, cli->host_arg);
    for (int f = 0; f < 2; f++)
        r->families[f].required = cli->require[f];
    cli_postfix_findings(pf, r);
    cli_egress_findings(cli, r);
    return cli_finish_report(cli, NULL, r, started);
}

const char *cli_postfix_opendkim_conf(const struct cli *cli, const struct cli_postfix *pf)
{
    /* MAILCHECK_OPENDKIM_CONF names it for any --postfix (mailcheck(1),
     * ENVIRONMENT); without it, /etc/opendkim.conf is this machine's. */
    const char *path = getenv("MAILCHECK_OPENDKIM_CONF");
    if (!cli->postfix || (!path && !pf->local))
        return NULL;
    if (!path)
        path = OPENDKIM_CONF;
    struct stat sb;
    return *path && stat(path, &sb) == 0 ? path : NULL;
}

char *cli_postfix_rspamadm(const struct cli *cli, const struct cli_postfix *pf)
{
    if (!cli->postfix || (!getenv("MAILCHECK_RSPAMADM") && !pf->local))
        return NULL;
    return mc_run_find("rspamadm", "MAILCHECK_RSPAMADM");
}

void cli_postfix_reset(struct cli_postfix *pf)
{
    mc_postfix_lint_reset(&pf->lint);
    mc_postfix_config_reset(&pf->config);
    free(pf->relay);
    free(pf->relay_shown);
    free(pf->origin);
}

void cli_egress_addresses(struct cli *cli)
{
    static const int families[] = {AF_INET, AF_INET6};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        struct mc_ip ip;
        if (mc_egress_source(families[i], &ip))
            take_egress(cli, &ip);
    }
}

void cli_egress_findings(const struct cli *cli, struct mc_report *report)
{
    for (size_t i = 0; i < cli->negress_hidden; i++) {
        const struct mc_ip *ip = &cli->egress_hidden[i];
        char text[64];
        mc_ip_format(ip, text, sizeof text);
        char *message =
            mc_xasprintf("this machine sends %s mail from %s (%s), an address no "
                         "receiver sees: it is behind NAT, and receivers check the "
                         "NAT's public address instead, which mailcheck cannot know",
                         ip->family == AF_INET ? "IPv4" : "IPv6", text, mc_ip_special_purpose(ip));
        mc_report_add_finding(report, "egress-not-global", MC_SEV_INFO, text, message,
                              "name the public address mail leaves from: --address IP");
        free(message);
    }
}
