/* SPDX-License-Identifier: MIT */
/*
 * mc_postfix.h - what Postfix's configuration says about how it sends
 * (postconf(5)): the EHLO name (smtp_helo_name, by default $myhostname),
 * the address families it uses (inet_protocols) and the addresses it sends
 * from (smtp_bind_address, smtp_bind_address6).
 *
 * Where postconf(1) is installed it is asked (`postconf -c DIR -x -h`, run
 * directly, no shell), since it knows the defaults and expands $name
 * references exactly; otherwise main.cf is parsed here: comment lines,
 * continuation lines (leading whitespace), and $name / ${name} / $(name)
 * expansion with the ${name?value} and ${name:value} conditionals.
 */
#ifndef MC_POSTFIX_H
#define MC_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_util.h"

struct mc_postfix_config {
    char *helo_name;     /* smtp_helo_name, expanded */
    bool use_ipv4;       /* inet_protocols includes ipv4 (or all) */
    bool use_ipv6;       /* inet_protocols includes ipv6 (or all) */
    char *bind_address;  /* smtp_bind_address, or NULL when empty */
    char *bind_address6; /* smtp_bind_address6, or NULL when empty */
    const char *source;  /* "postconf" or "main.cf" (static) */
    char *path;          /* the main.cf read */
};

/* Parsed main.cf: name = value pairs, last one wins. */
struct mc_postfix_params;

/*
 * Parses main.cf text (LEN octets). Returns MC_OK with *OUT (caller frees
 * with mc_postfix_params_free()), or MC_ERR_INPUT with *WHY naming the line
 * (caller frees).
 */
enum mc_status mc_postfix_parse(const char *text, size_t len, struct mc_postfix_params **out,
                                char **why);
void mc_postfix_params_free(struct mc_postfix_params *params);

/*
 * The value of NAME with every $name reference expanded (recursively, at
 * most 20 deep), or DEFAULT_VALUE (expanded too) when main.cf does not set
 * it; NULL when neither. Caller frees.
 */
char *mc_postfix_get(const struct mc_postfix_params *params, const char *name,
                     const char *default_value);

/*
 * Reads the configuration at PATH (a main.cf, or the directory holding it;
 * NULL: /etc/postfix).  USE_POSTCONF: ask postconf(1) when it is installed.
 * Returns MC_OK, or MC_ERR_INPUT with *WHY (caller frees).  Caller frees
 * CONFIG's strings with mc_postfix_config_reset().
 */
enum mc_status mc_postfix_load(const char *path, bool use_postconf,
                               struct mc_postfix_config *config, char **why);
void mc_postfix_config_reset(struct mc_postfix_config *config);

#endif
