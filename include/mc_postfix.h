/* SPDX-License-Identifier: MIT */
/*
 * mc_postfix.h - what Postfix's configuration says about how it sends
 * (postconf(5)): the EHLO name (smtp_helo_name, by default $myhostname),
 * the address families it uses (inet_protocols) and the addresses it sends
 * from (smtp_bind_address, smtp_bind_address6).
 *
 * Where postconf(1) is installed it is asked (run directly, no shell,
 * bounded in time, memory and output): `postconf -c DIR -x PARAM...`
 * for the values mailcheck reads, `-n -x` for every parameter main.cf sets
 * (and the warnings postconf prints about them), `-m` for the lookup table
 * types this Postfix supports, `-M` for master.cf's services and `-P -x`
 * for their -o overrides, expanded; it knows the defaults and expands $name
 * references exactly.  Otherwise, or when postconf fails, main.cf is
 * parsed here: comment lines, continuation lines (leading whitespace), and
 * $name / ${name} / $(name) expansion with the ${name?value} and
 * ${name:value} conditionals.  main.cf and master.cf are always parsed
 * here too, for the line every finding names (mc_postfix_master.h).
 */
#ifndef MC_POSTFIX_H
#define MC_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_util.h"

struct mc_postfix_params;
struct mc_postfix_master;

struct mc_postfix_config {
    char *helo_name;     /* smtp_helo_name, expanded */
    bool use_ipv4;       /* inet_protocols includes ipv4 (or all) */
    bool use_ipv6;       /* inet_protocols includes ipv6 (or all) */
    char *bind_address;  /* smtp_bind_address, or NULL when empty */
    char *bind_address6; /* smtp_bind_address6, or NULL when empty */
    const char *source;  /* "postconf" or "main.cf" (static) */
    char *path;          /* the main.cf read */
    char *master_path;   /* DIR/master.cf */
    /* main.cf as parsed here (the lines findings name); always set. */
    struct mc_postfix_params *params;
    /* master.cf as parsed here, or NULL when the file does not exist. */
    struct mc_postfix_master *master;
    /* What postconf answered (NULL when it was not asked or failed):
     * "name = value" pairs of -x and -n -x, and the types of -m. */
    struct mc_postfix_params *postconf_values;
    char **table_types;
    size_t ntable_types;
    /* What postconf says of master.cf: -M's services ("name/type") and
     * -P -x's overrides ("name/type/parameter" = value, expanded). */
    char **services;
    size_t nservices;
    struct mc_postfix_params *postconf_overrides;
    /* postconf's own warnings (stderr lines, without the program name). */
    char **warnings;
    size_t nwarnings;
    /* Why postconf could not be used (it failed, was killed, or answered
     * what mailcheck cannot read), quoting it; NULL when it answered or
     * was not asked.  The values then come from the parser. */
    char *postconf_failed;
};

/* Parsed main.cf: name = value pairs, last one wins. */

/*
 * Parses main.cf text (LEN octets). Returns MC_OK with *OUT (caller frees
 * with mc_postfix_params_free()), or MC_ERR_INPUT with *WHY naming the line
 * (caller frees).
 */
enum mc_status mc_postfix_parse(const char *text, size_t len, struct mc_postfix_params **out,
                                char **why);
void mc_postfix_params_free(struct mc_postfix_params *params);

/* The number of parameters PARAMS sets, and the I-th one's name and the
 * main.cf line it was set on (borrowed). */
size_t mc_postfix_params_count(const struct mc_postfix_params *params);
const char *mc_postfix_params_name(const struct mc_postfix_params *params, size_t i,
                                   unsigned *line);
/* The I-th parameter's value as written, $name references unexpanded
 * (borrowed). */
const char *mc_postfix_params_raw(const struct mc_postfix_params *params, size_t i);
/* The main.cf line that sets NAME (the last one), or 0 when none does. */
unsigned mc_postfix_params_line(const struct mc_postfix_params *params, const char *name);

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

/*
 * The value of parameter NAME as Postfix uses it: postconf's answer when
 * it gave one, else main.cf's value expanded here, else Postfix's default
 * for the parameters mailcheck reads (postconf(5)), else "".  Never NULL;
 * caller frees.
 */
char *mc_postfix_value(const struct mc_postfix_config *config, const char *name);

/* TEXT (a master.cf -o value) with its $name references expanded from
 * main.cf, within the parser's bounds.  Caller frees. */
char *mc_postfix_expand(const struct mc_postfix_config *config, const char *text);

/* Whether master.cf has service NAME of TYPE: postconf -M's answer, else
 * the parsed master.cf. */
bool mc_postfix_has_service(const struct mc_postfix_config *config, const char *name,
                            const char *type);

/* The value of override PARAMETER (its raw VALUE in master.cf) of service
 * NAME/TYPE, expanded: postconf -P -x's answer, else mc_postfix_expand().
 * Caller frees. */
char *mc_postfix_override_value(const struct mc_postfix_config *config, const char *name,
                                const char *type, const char *parameter, const char *value);

/* Whether this Postfix supports lookup table TYPE (LEN octets): in
 * `postconf -m`, or without it among the types Postfix documents
 * (DATABASE_README). */
bool mc_postfix_table_type_supported(const struct mc_postfix_config *config, const char *type,
                                     size_t len);

#endif
