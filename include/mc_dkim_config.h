/* SPDX-License-Identifier: MIT */
/*
 * mc_dkim_config.h - which DKIM keys the signer on this machine signs with,
 * read from its own configuration, so that the sender-domain report checks
 * those selectors (and compares those private keys) without guessing any.
 *
 * OpenDKIM (opendkim.conf(5), opendkim(8) "DATA SETS"): the single-key
 * mode of Domain, Selector and KeyFile, or a KeyTable ("keyname
 * domain:selector:key", the key a file or inline) with a SigningTable
 * (From address or domain -> keyname; in a refile: table, '*' wildcard
 * patterns tried in order).  Data sets other than files (db:, dsn:,
 * ldap:, lua:, ...) are named and skipped.  rspamd: the JSON that
 * `rspamadm configdump -j dkim_signing` prints (running it is the
 * caller's job): per-domain selectors and key paths, and the fallback
 * path template (by default /var/lib/rspamd/dkim/$domain.$selector.key).
 *
 * Two kinds of trouble, kept apart (doc/architecture.md, "Two kinds of
 * error"): a configuration that cannot be read at all is an enum mc_status
 * with a why; whatever is wrong inside one (a table that cannot be read, a
 * malformed line, a data set skipped, a key name the KeyTable lacks) is a
 * problem naming FILE:LINE, which the report shows as dkim-key-unreadable.
 *
 * Ownership: a configuration owns its keys and problems (freed with
 * mc_dkim_config_free()); the accessors return them borrowed.  A list of
 * signers owns its strings, and borrows SOURCE, RULE and KEY_INLINE from
 * the configuration it was resolved from, which must outlive it.
 */
#ifndef MC_DKIM_CONFIG_H
#define MC_DKIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_psl.h"
#include "mc_util.h"

enum mc_dkim_config_kind {
    MC_DKIM_CONFIG_OPENDKIM,
    MC_DKIM_CONFIG_RSPAMD,
};

/* One key the signer is configured with. */
struct mc_dkim_config_key {
    char *name;       /* the KeyTable key name; NULL in single-key mode and for rspamd */
    char *domain;     /* the d= domain, or "%": the sender domain */
    char *selector;   /* the s= selector */
    char *path;       /* the key file as configured: a template (OpenDKIM: '%' for the d=
                       * domain; rspamd: $domain, $selector); NULL when inline or when
                       * the key is kept elsewhere (rspamd's Redis) */
    char *inline_key; /* OpenDKIM: the private key itself, when the KeyTable holds it
                       * (PEM or base64 DER); key material, never print it */
    char *source;     /* where it is configured: "FILE:LINE" */
    /* OpenDKIM fills in '%' only in a KeyTable key path written from "/"
     * (opendkim.c, dkimf_add_signrequest()); a KeyFile, or a relative
     * path, is opened as written. */
    bool fill_percent;
};

/* Something wrong inside a configuration. */
struct mc_dkim_config_problem {
    char *source; /* "FILE:LINE", or "FILE" when it is about the whole file */
    char *why;
};

struct mc_dkim_config;

/*
 * Reads the opendkim.conf at PATH and every file it names (Include, the
 * KeyTable, the SigningTable, a Domain file).  Returns MC_ERR_INPUT with
 * *WHY (caller frees) only when PATH itself cannot be read; otherwise
 * MC_OK with *OUT (caller frees with mc_dkim_config_free()), whose
 * problems say what else could not be read.
 */
enum mc_status mc_dkim_config_load(const char *path, struct mc_dkim_config **out, char **why);

/*
 * Reads `rspamadm configdump -j dkim_signing` output (TEXT, LEN octets:
 * one JSON object per dkim_signing section, or rspamadm's "Section ... NOT
 * FOUND"); NAME names it in sources ("rspamadm").  Returns MC_ERR_INPUT
 * with *WHY (caller frees) when TEXT is not that; else MC_OK with *OUT.
 */
enum mc_status mc_dkim_config_parse_rspamd(const char *text, size_t len, const char *name,
                                           struct mc_dkim_config **out, char **why);

/*
 * Runs RSPAMADM (the program's path) as `rspamadm configdump -j
 * dkim_signing`, no shell, within bounds (mc_run.h: 10 s, 512 MiB, what
 * mc_dkim_config_parse_rspamd() reads), and reads what it prints as that
 * function does, named "rspamadm".  MC_ERR_INPUT with *WHY (caller frees)
 * when rspamadm fails, is stopped, or prints something else.
 */
enum mc_status mc_dkim_config_rspamadm(const char *rspamadm, struct mc_dkim_config **out,
                                       char **why);

/*
 * An empty OpenDKIM configuration called NAME, and the two table readers
 * mc_dkim_config_load() uses, for tables given as text (LEN octets; NAME
 * names the file in sources): a KeyTable, and a SigningTable, as a plain
 * file: table or (REFILE) a refile: table.  Problems are added to CFG.
 */
struct mc_dkim_config *mc_dkim_config_new(const char *name);
void mc_dkim_config_read_keytable(struct mc_dkim_config *cfg, const char *text, size_t len,
                                  const char *name);
void mc_dkim_config_read_signingtable(struct mc_dkim_config *cfg, const char *text, size_t len,
                                      const char *name, bool refile);
void mc_dkim_config_free(struct mc_dkim_config *cfg);

/* What CFG is, the file or command it was read from, its keys and its
 * problems, in the order read (*N set to their number).  Borrowed. */
enum mc_dkim_config_kind mc_dkim_config_kind(const struct mc_dkim_config *cfg);
const char *mc_dkim_config_path(const struct mc_dkim_config *cfg);
const struct mc_dkim_config_key *mc_dkim_config_keys(const struct mc_dkim_config *cfg, size_t *n);
const struct mc_dkim_config_problem *mc_dkim_config_problems(const struct mc_dkim_config *cfg,
                                                             size_t *n);

/* A key that signs mail of a sender domain. */
struct mc_dkim_signer {
    char *domain;           /* d=: where SELECTOR._domainkey.DOMAIN is looked up */
    char *selector;         /* s= */
    char *key_path;         /* the private key file, templates filled in; NULL when inline
                             * or not on this machine */
    const char *key_inline; /* borrowed: the inline private key, else NULL */
    const char *source;     /* borrowed: where the key is configured ("FILE:LINE") */
    const char *rule;       /* borrowed: the SigningTable line that selects it, or NULL */
    bool every_sender;      /* signs all mail of the domain, not only some addresses */
    /* The algorithm every signature is made with (borrowed: opendkim's
     * SignatureAlgorithm, "rsa-sha256" by default), and where it is set
     * (NULL: the default); NULL where the signer follows the key (rspamd). */
    const char *algorithm;
    const char *algorithm_source;
};

struct mc_dkim_signers {
    struct mc_dkim_signer *v;
    size_t n, cap;
    struct mc_dkim_config_problem *problems; /* what stands in the way for this domain */
    size_t nproblems, problems_cap;
};

/*
 * The keys CFG signs mail from DOMAIN (the From domain) with, in the order
 * the signer tries them, into *OUT (zeroed first; caller frees with
 * mc_dkim_signers_reset()).  OpenDKIM: the SigningTable as opendkim(8)
 * applies it (refile: patterns in order; a file: table from user@host
 * through host, the parent domains and user@* to *), stopping at the first
 * rule that takes every address of DOMAIN unless MultipleSignatures is on;
 * '%' as the keyname or the KeyTable domain is DOMAIN.  rspamd: the
 * domain's selectors, else the fallback; with use_esld, the registrable
 * domain of DOMAIN per PSL (NULL: DOMAIN itself, with a problem saying so).
 */
void mc_dkim_config_resolve(const struct mc_dkim_config *cfg, const char *domain,
                            const struct mc_psl *psl, struct mc_dkim_signers *out);
void mc_dkim_signers_reset(struct mc_dkim_signers *signers);

#endif
