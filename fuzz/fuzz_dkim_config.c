/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the signer's tables.  The first octet picks what the rest
 * is ('c': an opendkim.conf; else modulo 4: a KeyTable, a file:
 * SigningTable, a refile: SigningTable, rspamadm's JSON); its first line
 * is a sender domain to resolve, the rest the text, read beside a fixed
 * counterpart.  Resolving terminates, and every signer has a domain, a
 * selector and a source.  An opendkim.conf is read from a memfd; one that
 * names a path ('/') is skipped, so that no Include or table reaches a
 * file of the machine (a /dev/stdin would block), and every file it names
 * is then missing: a problem, as the tables' own modes fuzz them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "mc_dkim_config.h"

static const char keytable[] = "a example.test:a:/k/a\n"
                               "b %:b:/k/%/b.key\n"
                               "example.test example.test:c:bm90IGEga2V5\n";
static const char signingtable[] = "*@example.test a\n"
                                   "joe@*.example.test b\n"
                                   "*@* %\n";

static void resolve(const struct mc_dkim_config *cfg, const char *domain)
{
    struct mc_dkim_signers s;
    mc_dkim_config_resolve(cfg, domain, NULL, &s);
    for (size_t i = 0; i < s.n; i++)
        if (!s.v[i].domain || !s.v[i].selector || !s.v[i].source)
            __builtin_trap();
    mc_dkim_signers_reset(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] == 'c' ? 4 : data[0] % 4;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *nl = memchr(text, '\n', len);
    size_t dlen = nl ? (size_t)(nl - text) : len;
    if (dlen > 253)
        dlen = 253;
    char domain[254];
    memcpy(domain, text, dlen);
    domain[dlen] = '\0';
    if (memchr(domain, '\0', dlen))
        dlen = strlen(domain);
    if (nl) {
        len -= (size_t)(nl + 1 - text);
        text = nl + 1;
    } else {
        len = 0;
    }
    struct mc_dkim_config *cfg = NULL;
    if (mode == 4) {
        if (memchr(text, '/', len))
            return 0;
        int fd = memfd_create("opendkim.conf", 0);
        if (fd < 0)
            return 0;
        if (write(fd, text, len) != (ssize_t)len) {
            close(fd);
            return 0;
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        char *why = NULL;
        enum mc_status st = mc_dkim_config_load(path, &cfg, &why);
        close(fd);
        if (st != MC_OK) {
            free(why);
            return 0;
        }
    } else if (mode == 3) {
        char *why = NULL;
        if (mc_dkim_config_parse_rspamd(text, len, "fuzz", &cfg, &why) != MC_OK) {
            free(why);
            return 0;
        }
    } else {
        cfg = mc_dkim_config_new("fuzz");
        if (mode == 0) {
            mc_dkim_config_read_keytable(cfg, text, len, "KeyTable");
            mc_dkim_config_read_signingtable(cfg, signingtable, sizeof signingtable - 1,
                                             "SigningTable", true);
        } else {
            mc_dkim_config_read_keytable(cfg, keytable, sizeof keytable - 1, "KeyTable");
            mc_dkim_config_read_signingtable(cfg, text, len, "SigningTable", mode == 2);
        }
    }
    resolve(cfg, domain);
    resolve(cfg, "example.test");
    resolve(cfg, "a.b.example.test");
    mc_dkim_config_free(cfg);
    return 0;
}
