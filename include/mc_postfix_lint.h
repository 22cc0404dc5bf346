/* SPDX-License-Identifier: MIT */
/*
 * mc_postfix_lint.h - what in a Postfix configuration makes receivers
 * reject or defer its mail, or makes Postfix fail at run time, though
 * `postfix check` says nothing (mailcheck(1), POSTFIX): each a finding
 * naming the parameter (or master.cf service), its value, the file and
 * line, and the exact change that fixes it.
 *
 * The rules read a loaded configuration (mc_postfix.h) and nothing else,
 * except postfix-table-stale, which compares the times of a table's source
 * file and its index (stat(2)).
 *
 * Ownership: a lint result owns its findings and their strings; free
 * with mc_postfix_lint_reset().
 */
#ifndef MC_POSTFIX_LINT_H
#define MC_POSTFIX_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_postfix.h"
#include "mc_vocab.h"

struct mc_postfix_finding {
    const char *code; /* static: "postfix-tls-off", ... */
    enum mc_severity severity;
    char *subject; /* the parameter, or "master.cf service NAME/TYPE" */
    char *message;
    char *fix;  /* or NULL */
    char *file; /* main.cf or master.cf path, or NULL (a default) */
    unsigned line;
};

struct mc_postfix_lint {
    struct mc_postfix_finding *findings;
    size_t nfindings, findings_cap;
    /* The EHLO name (smtp_helo_name) is not a fully qualified public
     * name: receivers reject it whatever DNS says, so the host check is
     * not run (postfix-helo-not-fqdn). */
    bool helo_not_fqdn;
};

/* Runs every rule over CONFIG into *OUT (zeroed first). */
void mc_postfix_lint_run(const struct mc_postfix_config *config, struct mc_postfix_lint *out);
void mc_postfix_lint_reset(struct mc_postfix_lint *lint);

/* Whether NAME is usable as an EHLO name in public: it has a dot and does
 * not end in .localdomain, .local, .lan, .internal or .home.arpa. */
bool mc_postfix_name_is_fqdn(const char *name);

#endif
