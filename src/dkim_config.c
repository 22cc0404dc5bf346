/* SPDX-License-Identifier: MIT */
/*
 * dkim_config.c - the DKIM signer's configuration (see mc_dkim_config.h):
 * OpenDKIM's files, and rspamd's dkim_signing section as JSON.
 *
 * opendkim.conf is read as opendkim(8) reads it (opendkim.conf(5)): one
 * parameter a line, its name (any case) up to the first space or tab, the
 * rest of the line its value, a line cut at '#' or CR, no continuation
 * lines, the last setting winning, Include nesting at most five deep.
 * Unknown parameters are ignored here (opendkim refuses them; that is not
 * what this reader is for).  Relative paths start at BaseDirectory (opendkim
 * changes into it before it opens its data sets), else at the directory of
 * the opendkim.conf read, and a relative Include at the directory of the
 * file that includes it: opendkim's own working directory, which it would
 * use, cannot be known from here.
 *
 * Data sets (opendkim(8), "DATA SETS") are told apart as opendkim does: a
 * "type:" prefix (file:, refile:, csl:, db:, dsn:, ldap:, lua:, ...), else
 * a name ending in ".db" (Berkeley DB), else a path starting with '/' (a
 * file), else a comma-separated list.  Only files are read.  In a file, a
 * line is cut at '#', its key runs to the first whitespace and its value
 * is the rest, trimmed; values split at ':' (the last field takes the
 * rest).  opendkim reads such a line with fgets() into 1024 octets, so a
 * longer line becomes two entries there: such lines are problems here.
 * KeyTable keys compare exactly, SigningTable keys ignoring case.
 *
 * Ownership: the configuration owns everything in it (malloc'd); a list of
 * signers owns its own strings and problems.
 */
#include "mc_dkim_config.h"
#include "mc_array.h"
#include "mc_cursor.h"
#include "mc_file.h"
#include "mc_run.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_CONF (1024 * 1024)
#define MAX_TABLE (16 * 1024 * 1024)
#define MAX_JSON (4 * 1024 * 1024)
#define MAX_INCLUDE 5      /* opendkim.conf(5), Include */
#define OPENDKIM_LINE 1023 /* fgets() into opendkim's BUFRSZ of 1024 */
#define RSPAMD_SELECTOR "dkim"
#define RSPAMD_PATH "/var/lib/rspamd/dkim/$domain.$selector.key"

/* A SigningTable line. */
struct rule {
    char *pattern; /* a From address or domain, or (refile:) a wildcard pattern */
    char *keyname; /* a KeyTable key name, or "%": the sender domain */
    char *source;
};

/* rspamd's dkim_signing settings that decide which keys sign. */
struct rspamd {
    bool enabled, use_esld, try_fallback, use_redis, opendkim_style;
    char *use_domain; /* "header", "envelope", "auth", "recipient", or a domain */
    char *selector, *path;
    char *unread_maps; /* the maps that are configured and not read, or NULL */
};

struct mc_dkim_config {
    enum mc_dkim_config_kind kind;
    char *path;
    char *base_dir; /* where relative paths start */
    struct mc_dkim_config_key *keys;
    size_t nkeys, keys_cap;
    struct mc_dkim_config_problem *problems;
    size_t nproblems, problems_cap;
    /* OpenDKIM */
    struct rule *rules;
    size_t nrules, rules_cap;
    bool key_table;     /* KeyTable mode; else single-key mode */
    bool signing_table; /* a SigningTable was read */
    bool refile;        /* its rules are wildcard patterns, tried in order */
    bool multiple;      /* MultipleSignatures */
    bool subdomains;    /* SubDomains (single-key mode) */
    bool signs;         /* Mode has 's' */
    char *mode_source;
    /* SignatureAlgorithm, lowercased, and where it is set (NULL: the
     * default, rsa-sha256): opendkim signs with it whatever the key. */
    char *sig_alg;
    char *sig_alg_source;
    struct rspamd rs;
};

/* ---- building ---- */

static void problem_to(struct mc_dkim_config_problem **v, size_t *n, size_t *cap, char *source,
                       char *why)
{
    MC_ARRAY_RESERVE(*v, *cap, *n + 1);
    (*v)[(*n)++] = (struct mc_dkim_config_problem){.source = source, .why = why};
}

static void add_problem(struct mc_dkim_config *cfg, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_problem(struct mc_dkim_config *cfg, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = mc_xvasprintf(fmt, ap);
    va_end(ap);
    problem_to(&cfg->problems, &cfg->nproblems, &cfg->problems_cap, mc_xstrdup(source), why);
}

static struct mc_dkim_config_key *add_key(struct mc_dkim_config *cfg)
{
    MC_ARRAY_RESERVE(cfg->keys, cfg->keys_cap, cfg->nkeys + 1);
    struct mc_dkim_config_key *k = &cfg->keys[cfg->nkeys++];
    memset(k, 0, sizeof *k);
    return k;
}

static struct mc_dkim_config *config_new(enum mc_dkim_config_kind kind, const char *name)
{
    struct mc_dkim_config *cfg = mc_xcalloc(1, sizeof *cfg);
    cfg->kind = kind;
    cfg->path = mc_xstrdup(name);
    cfg->signs = true;
    return cfg;
}

struct mc_dkim_config *mc_dkim_config_new(const char *name)
{
    return config_new(MC_DKIM_CONFIG_OPENDKIM, name);
}

void mc_dkim_config_free(struct mc_dkim_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nkeys; i++) {
        struct mc_dkim_config_key *k = &cfg->keys[i];
        free(k->name);
        free(k->domain);
        free(k->selector);
        free(k->path);
        free(k->inline_key);
        free(k->source);
    }
    free(cfg->keys);
    for (size_t i = 0; i < cfg->nproblems; i++) {
        free(cfg->problems[i].source);
        free(cfg->problems[i].why);
    }
    free(cfg->problems);
    for (size_t i = 0; i < cfg->nrules; i++) {
        free(cfg->rules[i].pattern);
        free(cfg->rules[i].keyname);
        free(cfg->rules[i].source);
    }
    free(cfg->rules);
    free(cfg->rs.use_domain);
    free(cfg->rs.selector);
    free(cfg->rs.path);
    free(cfg->rs.unread_maps);
    free(cfg->mode_source);
    free(cfg->sig_alg);
    free(cfg->sig_alg_source);
    free(cfg->base_dir);
    free(cfg->path);
    free(cfg);
}

enum mc_dkim_config_kind mc_dkim_config_kind(const struct mc_dkim_config *cfg)
{
    return cfg->kind;
}

const char *mc_dkim_config_path(const struct mc_dkim_config *cfg)
{
    return cfg->path;
}

const struct mc_dkim_config_key *mc_dkim_config_keys(const struct mc_dkim_config *cfg, size_t *n)
{
    *n = cfg->nkeys;
    return cfg->keys;
}

const struct mc_dkim_config_problem *mc_dkim_config_problems(const struct mc_dkim_config *cfg,
                                                             size_t *n)
{
    *n = cfg->nproblems;
    return cfg->problems;
}

/* ---- text ---- */

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Lines of a text, numbered from 1; the '\n' is not part of a line. */
struct lines {
    struct mc_cursor cur; /* over the text (borrowed) */
    size_t no;            /* of the line last handed out */
};

static struct lines lines_of(const char *text, size_t len)
{
    return (struct lines){.cur = mc_cursor_make(text, len)};
}

static bool next_line(struct lines *it, const char **line, size_t *n)
{
    if (!mc_cursor_take_line(&it->cur, line, n))
        return false;
    it->no++;
    return true;
}

/* S (N octets) cut at the first of the octets in STOP, then stripped of
 * whitespace at both ends, as a new string. */
static char *cut_trim(const char *s, size_t n, const char *stop)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(stop, s[i])) {
            n = i;
            break;
        }
    while (n > 0 && mc_ascii_isspace((unsigned char)s[n - 1]))
        n--;
    while (n > 0 && mc_ascii_isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    return mc_xstrndup(s, n);
}

/* Splits LINE (NUL-terminated, trimmed) at its first whitespace: *KEY is
 * LINE, cut there; the value after the whitespace is returned, or NULL. */
static char *split_key(char *line)
{
    char *s = line;
    while (*s && !mc_ascii_isspace((unsigned char)*s))
        s++;
    if (!*s)
        return NULL;
    *s++ = '\0';
    while (mc_ascii_isspace((unsigned char)*s))
        s++;
    return *s ? s : NULL;
}

static char *source_of(const char *file, size_t line)
{
    return mc_xasprintf("%s:%zu", file, line);
}

/* A data set file's line as opendkim sees it: NULL for a blank or comment
 * line, and for a line opendkim cannot read whole (a problem is added). */
static char *table_line(struct mc_dkim_config *cfg, const char *name, const struct lines *it,
                        const char *line, size_t n)
{
    if (memchr(line, '\0', n)) {
        char *src = source_of(name, it->no);
        add_problem(cfg, src, "the line holds a NUL octet; it is skipped");
        free(src);
        return NULL;
    }
    char *text = cut_trim(line, n, "#");
    if (!*text) {
        free(text);
        return NULL;
    }
    if (n > OPENDKIM_LINE) {
        char *src = source_of(name, it->no);
        add_problem(cfg, src,
                    "the line is %zu octets; opendkim reads %d octets of a table line and "
                    "takes the rest for another entry, so this one does not work (an inline "
                    "key this long belongs in a file)",
                    n, OPENDKIM_LINE);
        free(src);
        free(text);
        return NULL;
    }
    return text;
}

/*
 * The one loop over an opendkim data set file (opendkim(8), "DATA SETS"):
 * every line table_line() keeps is cut at its first whitespace into the
 * entry's key and value (NULL when there is none) and handed to ENTRY_FN
 * with its "file:line" in *SRC, which ENTRY_FN may keep (then it sets *SRC
 * to NULL); the rest is freed here.
 */
static void read_table(struct mc_dkim_config *cfg, const char *text, size_t len, const char *name,
                       void (*entry_fn)(struct mc_dkim_config *cfg, char *entry, char *value,
                                        char **src))
{
    struct lines it = lines_of(text, len);
    const char *line;
    size_t n;
    while (next_line(&it, &line, &n)) {
        char *entry = table_line(cfg, name, &it, line, n);
        if (!entry)
            continue;
        char *src = source_of(name, it.no);
        char *value = split_key(entry);
        entry_fn(cfg, entry, value, &src);
        free(src);
        free(entry);
    }
}

/* ---- the KeyTable ---- */

/* opendkim takes a key that starts with "/", "./" or "../" for a file. */
static bool is_key_path(const char *key)
{
    return key[0] == '/' || strncmp(key, "./", 2) == 0 || strncmp(key, "../", 3) == 0;
}

static const struct mc_dkim_config_key *find_key(const struct mc_dkim_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nkeys; i++)
        if (cfg->keys[i].name && strcmp(cfg->keys[i].name, name) == 0)
            return &cfg->keys[i];
    return NULL;
}

static char *join_path(const char *dir, const char *rel)
{
    /* "./x" or "../x" from "." is itself, not "././x". */
    bool dotted = strncmp(rel, "./", 2) == 0 || strncmp(rel, "../", 3) == 0;
    if (!dir || rel[0] == '/' || (dotted && strcmp(dir, ".") == 0))
        return mc_xstrdup(rel);
    return mc_xasprintf("%s/%s", dir, rel);
}

/* One KeyTable line: "keyname domain:selector:key". */
static void keytable_entry(struct mc_dkim_config *cfg, char *entry, char *value, char **src)
{
    char *c1 = value ? strchr(value, ':') : NULL;
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || c1 == value || c2 == c1 + 1 || !c2[1]) {
        add_problem(cfg, *src,
                    "KeyTable entry \"%s\" is not \"domain:selector:key\"; opendkim "
                    "cannot sign with it",
                    entry);
        return;
    }
    if (find_key(cfg, entry)) {
        add_problem(cfg, *src,
                    "KeyTable key name \"%s\" appears again; opendkim uses its first line "
                    "(%s)",
                    entry, find_key(cfg, entry)->source);
        return;
    }
    *c1 = *c2 = '\0';
    const char *key = c2 + 1;
    struct mc_dkim_config_key *k = add_key(cfg);
    k->name = mc_xstrdup(entry);
    k->domain = mc_ascii_lower(mc_xstrdup(value));
    k->selector = mc_xstrdup(c1 + 1);
    if (is_key_path(key)) {
        k->path = join_path(cfg->base_dir, key);
        k->fill_percent = key[0] == '/';
    } else
        k->inline_key = mc_xstrdup(key);
    k->source = *src;
    *src = NULL;
}

void mc_dkim_config_read_keytable(struct mc_dkim_config *cfg, const char *text, size_t len,
                                  const char *name)
{
    cfg->key_table = true;
    read_table(cfg, text, len, name, keytable_entry);
}

/* ---- the SigningTable ---- */

/* A character opendkim passes into the regular expression of a refile:
 * pattern as it is (it turns '*' into ".*" and escapes '.' and '+'). */
static const char *regex_special(const char *pattern)
{
    for (const char *s = pattern; *s; s++)
        if (strchr("?[](){}|^$\\", *s))
            return s;
    return NULL;
}

/* One SigningTable line: "pattern keyname[:signer]". */
static void signingtable_entry(struct mc_dkim_config *cfg, char *entry, char *value, char **src)
{
    const char *special = cfg->refile ? regex_special(entry) : NULL;
    if (!value) {
        add_problem(cfg, *src,
                    "SigningTable entry \"%s\" names no key; opendkim defers the mail it "
                    "matches",
                    entry);
        return;
    }
    char *colon = strchr(value, ':'); /* keyname[:signer] */
    if (colon)
        *colon = '\0';
    if (special)
        add_problem(cfg, *src,
                    "the pattern \"%s\" has '%c', which opendkim leaves to its "
                    "regular expression; mailcheck matches it literally",
                    entry, *special);
    /* A plain table is asked user@host, host, the parents, user@* and *
     * (opendkim.conf(5), SigningTable): "user@*" is a key of its own, but
     * a '*' anywhere else ("*@*" too) is only itself. */
    size_t elen = strlen(entry);
    bool user_at_any =
        elen > 2 && strcmp(entry + elen - 2, "@*") == 0 && !memchr(entry, '*', elen - 2);
    if (!cfg->refile && strchr(entry, '*') && strcmp(entry, "*") != 0 && !user_at_any)
        add_problem(cfg, *src,
                    "\"%s\" has a '*', which is a wildcard only in a refile: table; "
                    "this one is a plain file, where it matches itself only",
                    entry);
    MC_ARRAY_RESERVE(cfg->rules, cfg->rules_cap, cfg->nrules + 1);
    cfg->rules[cfg->nrules++] =
        (struct rule){.pattern = mc_xstrdup(entry), .keyname = mc_xstrdup(value), .source = *src};
    *src = NULL;
}

void mc_dkim_config_read_signingtable(struct mc_dkim_config *cfg, const char *text, size_t len,
                                      const char *name, bool refile)
{
    cfg->signing_table = true;
    cfg->refile = refile;
    read_table(cfg, text, len, name, signingtable_entry);
}

/* ---- opendkim.conf ---- */

/* A parameter's value and where it was set. */
struct setting {
    char *value, *source;
};

/* The parameters that decide which keys sign (opendkim.conf(5)). */
enum param {
    P_DOMAIN,
    P_SELECTOR,
    P_KEYFILE,
    P_KEYTABLE,
    P_SIGNINGTABLE,
    P_MULTIPLE,
    P_SUBDOMAINS,
    P_MODE,
    P_BASEDIR,
    P_SIGALG,
    NPARAMS
};
static const char *const param_names[NPARAMS] = {
    "Domain",        "Selector",           "KeyFile",    "KeyTable",
    "SigningTable",  "MultipleSignatures", "SubDomains", "Mode",
    "BaseDirectory", "SignatureAlgorithm",
};

struct conf {
    struct setting p[NPARAMS];
};

static void set_param(struct setting *s, char *value, char *source)
{
    free(s->value);
    free(s->source);
    s->value = value;
    s->source = source;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return mc_xstrdup(".");
    return mc_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static void read_conf(struct mc_dkim_config *cfg, struct conf *c, const char *path,
                      const char *text, size_t len, int level);

static void include_conf(struct mc_dkim_config *cfg, struct conf *c, const char *from,
                         const char *src, const char *value, int level)
{
    if (level >= MAX_INCLUDE) {
        add_problem(cfg, src, "Include nests more than %d deep; opendkim refuses it", MAX_INCLUDE);
        return;
    }
    char *dir = dir_of(from);
    char *path = join_path(dir, value);
    free(dir);
    char *text = NULL, *why = NULL;
    size_t len = 0;
    if (mc_file_read(path, MAX_CONF, &text, &len, &why) != MC_OK) {
        add_problem(cfg, src, "Include: %s", why);
        free(why);
    } else {
        read_conf(cfg, c, path, text, len, level + 1);
        free(text);
    }
    free(path);
}

static void read_conf(struct mc_dkim_config *cfg, struct conf *c, const char *path,
                      const char *text, size_t len, int level)
{
    struct lines it = lines_of(text, len);
    const char *line;
    size_t n;
    while (next_line(&it, &line, &n)) {
        size_t nul =
            memchr(line, '\0', n) ? (size_t)((const char *)memchr(line, '\0', n) - line) : n;
        char *l = cut_trim(line, nul, "#\r");
        if (!*l) {
            free(l);
            continue;
        }
        char *src = source_of(path, it.no);
        char *name = l, *value = l;
        while (*value && !is_blank((unsigned char)*value))
            value++;
        if (*value)
            *value++ = '\0';
        while (is_blank((unsigned char)*value))
            value++;
        if (mc_ascii_strcasecmp(name, "Include") == 0) {
            if (*value)
                include_conf(cfg, c, path, src, value, level);
            else
                add_problem(cfg, src, "Include has no value");
        } else {
            for (size_t i = 0; i < NPARAMS; i++) {
                if (mc_ascii_strcasecmp(name, param_names[i]) != 0)
                    continue;
                if (*value) {
                    set_param(&c->p[i], mc_xstrdup(value), src);
                    src = NULL; /* the setting has it */
                } else {
                    add_problem(cfg, src, "%s has no value; opendkim refuses the file",
                                param_names[i]);
                }
                break;
            }
        }
        free(src);
        free(l);
    }
}

/* A Boolean of opendkim.conf(5): only its first octet counts. */
static bool conf_bool(struct mc_dkim_config *cfg, const struct setting *s, bool dflt)
{
    if (!s->value)
        return dflt;
    if (strchr("tTyY1", s->value[0]))
        return true;
    if (strchr("fFnN0", s->value[0]))
        return false;
    add_problem(cfg, s->source, "\"%s\" is not a Boolean; opendkim refuses the file", s->value);
    return dflt;
}

enum dataset {
    DS_FILE,
    DS_REFILE,
    DS_CSL,
    DS_OTHER,
};

/* What kind of data set SPEC is; *ARG is the file's path, the list, or the
 * name of the other kind (caller frees). */
static enum dataset dataset_kind(const char *spec, char **arg)
{
    const char *colon = strchr(spec, ':'), *comma = strchr(spec, ',');
    if (comma && colon && comma < colon) /* a list whose later entries hold colons */
        colon = NULL;
    if (!colon) {
        size_t n = strlen(spec);
        if (n >= 3 && strcmp(spec + n - 3, ".db") == 0) {
            *arg = mc_xstrdup("a Berkeley DB file");
            return DS_OTHER;
        }
        *arg = mc_xstrdup(spec);
        return spec[0] == '/' ? DS_FILE : DS_CSL;
    }
    char *type = mc_xstrndup(spec, (size_t)(colon - spec));
    if (mc_ascii_strcasecmp(type, "file") == 0 || mc_ascii_strcasecmp(type, "refile") == 0) {
        enum dataset kind = mc_ascii_strcasecmp(type, "file") == 0 ? DS_FILE : DS_REFILE;
        free(type);
        *arg = mc_xstrdup(colon + 1);
        return kind;
    }
    if (mc_ascii_strcasecmp(type, "csl") == 0) {
        free(type);
        *arg = mc_xstrdup(colon + 1);
        return DS_CSL;
    }
    *arg = mc_xasprintf("a %s: data set", mc_ascii_lower(type));
    free(type);
    return DS_OTHER;
}

/* Reads the data set file at the setting S (already of kind FILE or
 * REFILE, path ARG) into *TEXT; false with a problem when it cannot. */
static bool read_dataset_file(struct mc_dkim_config *cfg, const char *param,
                              const struct setting *s, const char *arg, char **path, char **text,
                              size_t *len)
{
    *path = join_path(cfg->base_dir, arg);
    char *why = NULL;
    if (mc_file_read(*path, MAX_TABLE, text, len, &why) == MC_OK)
        return true;
    add_problem(cfg, s->source, "%s: %s", param, why);
    free(why);
    free(*path);
    *path = NULL;
    return false;
}

/* The KeyTable or SigningTable at S. */
static void load_table(struct mc_dkim_config *cfg, const char *param, const struct setting *s,
                       bool keytable)
{
    char *arg = NULL, *path = NULL, *text = NULL;
    size_t len = 0;
    enum dataset kind = dataset_kind(s->value, &arg);
    if (kind == DS_OTHER || kind == DS_CSL || (keytable && kind == DS_REFILE)) {
        add_problem(cfg, s->source,
                    "%s %s is %s, which mailcheck does not read (files only: file:, refile:%s, "
                    "or a path starting with '/'); its keys are not checked",
                    param, s->value,
                    kind == DS_CSL      ? "a comma-separated list"
                    : kind == DS_REFILE ? "a refile: table"
                                        : arg,
                    keytable ? " for a SigningTable" : "");
        if (keytable)
            cfg->key_table = true; /* keys exist, unread: not single-key mode */
    } else if (read_dataset_file(cfg, param, s, arg, &path, &text, &len)) {
        if (keytable)
            mc_dkim_config_read_keytable(cfg, text, len, path);
        else
            mc_dkim_config_read_signingtable(cfg, text, len, path, kind == DS_REFILE);
    } else if (keytable) {
        cfg->key_table = true;
    }
    free(arg);
    free(path);
    free(text);
}

/* The Domain data set of single-key mode, one key each. */
static void single_key(struct mc_dkim_config *cfg, const struct conf *c)
{
    const struct setting *domain = &c->p[P_DOMAIN], *selector = &c->p[P_SELECTOR],
                         *keyfile = &c->p[P_KEYFILE];
    if (!keyfile->value && !selector->value) {
        add_problem(cfg, cfg->path,
                    "it names no KeyTable and no KeyFile: opendkim signs nothing with it");
        return;
    }
    if (!keyfile->value || !selector->value) {
        add_problem(cfg, (keyfile->value ? keyfile : selector)->source,
                    "%s without %s: opendkim signs nothing with it",
                    keyfile->value ? "KeyFile" : "Selector",
                    keyfile->value ? "Selector" : "KeyFile");
        return;
    }
    if (!domain->value) {
        add_problem(cfg, keyfile->source, "KeyFile without Domain: opendkim signs no mail");
        return;
    }
    char *arg = NULL, *path = NULL, *text = NULL;
    size_t len = 0;
    enum dataset kind = dataset_kind(domain->value, &arg);
    char *list = NULL;
    if (kind == DS_CSL) {
        list = mc_xstrdup(arg);
        for (char *s = list; *s; s++)
            if (*s == ',')
                *s = '\n';
        len = strlen(list);
    } else if (kind == DS_FILE &&
               read_dataset_file(cfg, "Domain", domain, arg, &path, &text, &len)) {
        list = text;
        text = NULL;
    } else if (kind != DS_FILE) {
        add_problem(cfg, domain->source,
                    "Domain %s is %s, which mailcheck does not read; its domains are not "
                    "known",
                    domain->value, kind == DS_REFILE ? "a refile: table" : arg);
    }
    struct lines it = lines_of(list, len);
    const char *line;
    size_t n;
    while (list && next_line(&it, &line, &n)) {
        char *d = cut_trim(line, n, kind == DS_FILE ? "# \t" : "");
        if (*d) {
            struct mc_dkim_config_key *k = add_key(cfg);
            k->domain = strcmp(d, "*") == 0 ? mc_xstrdup("%") : mc_ascii_lower(mc_xstrdup(d));
            k->selector = mc_xstrdup(selector->value);
            k->path = join_path(cfg->base_dir, keyfile->value);
            k->source = mc_xstrdup(keyfile->source);
        }
        free(d);
    }
    free(list);
    free(arg);
    free(path);
}

static void interpret(struct mc_dkim_config *cfg, const struct conf *c)
{
    const struct setting *mode = &c->p[P_MODE];
    if (mode->value && !strchr(mode->value, 's')) {
        cfg->signs = false;
        cfg->mode_source = mc_xstrdup(mode->source);
    }
    cfg->multiple = conf_bool(cfg, &c->p[P_MULTIPLE], false);
    cfg->subdomains = conf_bool(cfg, &c->p[P_SUBDOMAINS], false);
    /* opendkim.conf(5): one algorithm for every signature, rsa-sha256 by
     * default; opendkim refuses a name it does not know. */
    const struct setting *alg = &c->p[P_SIGALG];
    if (alg->value) {
        char *a = mc_ascii_lower(mc_xstrdup(alg->value));
        if (strcmp(a, "rsa-sha256") == 0 || strcmp(a, "rsa-sha1") == 0 ||
            strcmp(a, "ed25519-sha256") == 0) {
            cfg->sig_alg = a;
            cfg->sig_alg_source = mc_xstrdup(alg->source);
        } else {
            add_problem(cfg, alg->source,
                        "SignatureAlgorithm %s is none of rsa-sha256, rsa-sha1, ed25519-sha256: "
                        "opendkim refuses the file",
                        alg->value);
            free(a);
        }
    }
    const struct setting *kt = &c->p[P_KEYTABLE], *st = &c->p[P_SIGNINGTABLE];
    if (kt->value) {
        load_table(cfg, "KeyTable", kt, true);
        if (st->value)
            load_table(cfg, "SigningTable", st, false);
        else
            add_problem(cfg, kt->source,
                        "KeyTable without SigningTable: the keys are chosen by a "
                        "SetupPolicyScript, if any, which mailcheck cannot read");
    } else {
        if (st->value)
            add_problem(cfg, st->source, "SigningTable without KeyTable: opendkim refuses it");
        single_key(cfg, c);
    }
}

enum mc_status mc_dkim_config_load(const char *path, struct mc_dkim_config **out, char **why)
{
    char *text = NULL;
    size_t len = 0;
    if (mc_file_read(path, MAX_CONF, &text, &len, why) != MC_OK)
        return MC_ERR_INPUT;
    struct mc_dkim_config *cfg = config_new(MC_DKIM_CONFIG_OPENDKIM, path);
    struct conf c = {0};
    read_conf(cfg, &c, path, text, len, 0);
    free(text);
    char *conf_dir = dir_of(path);
    cfg->base_dir = c.p[P_BASEDIR].value ? join_path(conf_dir, c.p[P_BASEDIR].value) : conf_dir;
    if (c.p[P_BASEDIR].value)
        free(conf_dir);
    interpret(cfg, &c);
    for (size_t i = 0; i < NPARAMS; i++)
        set_param(&c.p[i], NULL, NULL);
    *out = cfg;
    return MC_OK;
}

/* ---- rspamd: rspamadm configdump -j dkim_signing ---- */

/* A JSON string as a C string, or NULL when VALUE is not a string free of
 * NUL octets. */
static const char *json_text(const json_t *value)
{
    if (!json_is_string(value))
        return NULL;
    const char *s = json_string_value(value);
    return strlen(s) == json_string_length(value) ? s : NULL;
}

/* A Boolean as UCL writes it: true/false, or a string yes/no/on/off. */
static bool json_flag(const json_t *value, bool dflt)
{
    if (json_is_boolean(value))
        return json_is_true(value);
    const char *s = json_text(value);
    if (s && (mc_ascii_strcasecmp(s, "true") == 0 || mc_ascii_strcasecmp(s, "yes") == 0 ||
              mc_ascii_strcasecmp(s, "on") == 0))
        return true;
    if (s && (mc_ascii_strcasecmp(s, "false") == 0 || mc_ascii_strcasecmp(s, "no") == 0 ||
              mc_ascii_strcasecmp(s, "off") == 0))
        return false;
    return dflt;
}

static void set_string(char **dst, const json_t *value)
{
    const char *s = json_text(value);
    if (s) {
        free(*dst);
        *dst = mc_xstrdup(s);
    }
}

/* Calls FN on VALUE, or on each element when VALUE is an array (UCL turns a
 * key given twice into an implicit array). */
static void each_object(struct mc_dkim_config *cfg, json_t *value, const char *where,
                        void (*fn)(struct mc_dkim_config *, json_t *, const char *, const char *),
                        const char *arg)
{
    if (json_is_array(value)) {
        size_t i;
        json_t *v;
        json_array_foreach(value, i, v) each_object(cfg, v, where, fn, arg);
    } else if (json_is_object(value)) {
        fn(cfg, value, where, arg);
    } else {
        add_problem(cfg, cfg->path, "%s is not an object; it is skipped", where);
    }
}

/* One selector of a domain: {"selector": ..., "path": ...}. */
static void rspamd_selector(struct mc_dkim_config *cfg, json_t *o, const char *where,
                            const char *domain)
{
    struct mc_dkim_config_key *k = add_key(cfg);
    k->domain = mc_ascii_lower(mc_xstrdup(domain));
    set_string(&k->selector, json_object_get(o, "selector"));
    set_string(&k->path, json_object_get(o, "path"));
    k->source = mc_xasprintf("%s: %s", cfg->path, where);
}

/* domain.NAME: "selector"/"path" directly, or a "selectors" list. */
static void rspamd_domain(struct mc_dkim_config *cfg, json_t *o, const char *where,
                          const char *domain)
{
    if (json_object_get(o, "selector") || json_object_get(o, "path"))
        rspamd_selector(cfg, o, where, domain);
    json_t *list = json_object_get(o, "selectors");
    if (json_is_array(list)) {
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            char *w = mc_xasprintf("%s.selectors[%zu]", where, i);
            each_object(cfg, v, w, rspamd_selector, domain);
            free(w);
        }
    } else if (list) {
        each_object(cfg, list, where, rspamd_selector, domain);
    }
}

static void rspamd_domains(struct mc_dkim_config *cfg, json_t *o, const char *where,
                           const char *arg)
{
    (void)arg;
    const char *name;
    json_t *v;
    json_object_foreach(o, name, v)
    {
        char *w = mc_xasprintf("%s.%s", where, name);
        if (*name == '\0')
            add_problem(cfg, cfg->path, "%s is not a domain name; it is skipped", w);
        else
            each_object(cfg, v, w, rspamd_domain, name);
        free(w);
    }
}

static void add_map(struct rspamd *rs, const char *name)
{
    char *maps = rs->unread_maps ? mc_xasprintf("%s, %s", rs->unread_maps, name) : mc_xstrdup(name);
    free(rs->unread_maps);
    rs->unread_maps = maps;
}

/* One dkim_signing object; later objects override earlier settings. */
static void rspamd_section(struct mc_dkim_config *cfg, json_t *o, const char *where,
                           const char *arg)
{
    (void)arg;
    struct rspamd *rs = &cfg->rs;
    rs->enabled = json_flag(json_object_get(o, "enabled"), rs->enabled);
    rs->use_esld = json_flag(json_object_get(o, "use_esld"), rs->use_esld);
    rs->try_fallback = json_flag(json_object_get(o, "try_fallback"), rs->try_fallback);
    rs->use_redis = json_flag(json_object_get(o, "use_redis"), rs->use_redis);
    rs->use_redis = json_flag(json_object_get(o, "use_vault"), rs->use_redis);
    set_string(&rs->use_domain, json_object_get(o, "use_domain"));
    set_string(&rs->selector, json_object_get(o, "selector"));
    set_string(&rs->path, json_object_get(o, "path"));
    if (json_object_get(o, "signing_table"))
        rs->opendkim_style = true;
    static const char *const maps[] = {"selector_map", "path_map"};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (json_object_get(o, maps[i]))
            add_map(rs, maps[i]);
    json_t *domains = json_object_get(o, "domain");
    if (domains) {
        char *w = mc_xasprintf("%s.domain", where);
        each_object(cfg, domains, w, rspamd_domains, NULL);
        free(w);
    }
}

enum mc_status mc_dkim_config_parse_rspamd(const char *text, size_t len, const char *name,
                                           struct mc_dkim_config **out, char **why)
{
    if (len > MAX_JSON) {
        *why = mc_xasprintf("%s printed more than mailcheck reads (%d octets)", name, MAX_JSON);
        return MC_ERR_INPUT;
    }
    struct mc_dkim_config *cfg = config_new(MC_DKIM_CONFIG_RSPAMD, name);
    cfg->rs = (struct rspamd){.enabled = true, .use_esld = true, .try_fallback = true};
    size_t pos = 0, sections = 0;
    while (pos < len) {
        while (pos < len && mc_ascii_isspace((unsigned char)text[pos]))
            pos++;
        if (pos >= len)
            break;
        if (len - pos >= 8 && memcmp(text + pos, "Section ", 8) == 0) {
            add_problem(cfg, name, "rspamd has no dkim_signing section: it signs nothing");
            break;
        }
        json_error_t err;
        json_t *doc = json_loadb(text + pos, len - pos, JSON_DISABLE_EOF_CHECK, &err);
        if (!doc) {
            *why = mc_xasprintf("%s printed no JSON object at octet %zu: %s", name,
                                pos + (size_t)(err.position > 0 ? err.position : 0), err.text);
            mc_dkim_config_free(cfg);
            return MC_ERR_INPUT;
        }
        pos += (size_t)err.position;
        each_object(cfg, doc, "dkim_signing", rspamd_section, NULL);
        json_decref(doc);
        sections++;
    }
    if (sections == 0 && cfg->nproblems == 0) {
        *why = mc_xasprintf("%s printed nothing", name);
        mc_dkim_config_free(cfg);
        return MC_ERR_INPUT;
    }
    /* What the module fills in (rspamd's dkim_signing.lua defaults). */
    if (!cfg->rs.selector)
        cfg->rs.selector = mc_xstrdup(RSPAMD_SELECTOR);
    if (!cfg->rs.path)
        cfg->rs.path = mc_xstrdup(RSPAMD_PATH);
    if (!cfg->rs.use_domain)
        cfg->rs.use_domain = mc_xstrdup("header");
    for (size_t i = 0; i < cfg->nkeys; i++) {
        struct mc_dkim_config_key *k = &cfg->keys[i];
        if (!k->selector)
            k->selector = mc_xstrdup(cfg->rs.selector);
        if (!k->path && !cfg->rs.use_redis)
            k->path = mc_xstrdup(cfg->rs.path);
    }
    if (sections > 0 && cfg->rs.try_fallback) {
        struct mc_dkim_config_key *k = add_key(cfg);
        k->domain = mc_xstrdup("%");
        k->selector = mc_xstrdup(cfg->rs.selector);
        k->path = cfg->rs.use_redis ? NULL : mc_xstrdup(cfg->rs.path);
        k->source = mc_xasprintf("%s: dkim_signing (fallback: selector, path)", name);
    }
    *out = cfg;
    return MC_OK;
}

/* ---- resolving ---- */

static void signer_problem(struct mc_dkim_signers *out, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void signer_problem(struct mc_dkim_signers *out, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = mc_xvasprintf(fmt, ap);
    va_end(ap);
    problem_to(&out->problems, &out->nproblems, &out->problems_cap, mc_xstrdup(source), why);
}

void mc_dkim_signers_reset(struct mc_dkim_signers *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].domain);
        free(s->v[i].selector);
        free(s->v[i].key_path);
    }
    free(s->v);
    for (size_t i = 0; i < s->nproblems; i++) {
        free(s->problems[i].source);
        free(s->problems[i].why);
    }
    free(s->problems);
    memset(s, 0, sizeof *s);
}

/* TEMPLATE with every '%' replaced by DOMAIN (opendkim's dkimf_reptoken). */
static char *percent_expand(const char *tmpl, const char *domain)
{
    size_t n = 0;
    for (const char *s = tmpl; *s; s++)
        n += *s == '%' ? strlen(domain) : 1;
    char *out = mc_xmalloc(n + 1), *o = out;
    for (const char *s = tmpl; *s; s++) {
        if (*s == '%') {
            memcpy(o, domain, strlen(domain));
            o += strlen(domain);
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* TEMPLATE with $domain, ${domain}, $selector and ${selector} filled in
 * (rspamd's template); other $names stay. */
static char *dollar_expand(const char *tmpl, const char *domain, const char *selector)
{
    static const char *const names[] = {"domain", "selector"};
    const char *values[] = {domain, selector};
    size_t cap = strlen(tmpl) + 1, n = 0;
    char *out = mc_xmalloc(cap);
    for (const char *s = tmpl; *s;) {
        size_t skip = 0;
        const char *value = NULL;
        for (size_t i = 0; i < 2 && *s == '$'; i++) {
            size_t nl = strlen(names[i]);
            if (strncmp(s + 1, names[i], nl) == 0 &&
                !(mc_ascii_isalnum((unsigned char)s[1 + nl]) || s[1 + nl] == '_')) {
                skip = 1 + nl;
            } else if (s[1] == '{' && strncmp(s + 2, names[i], nl) == 0 && s[2 + nl] == '}') {
                skip = 3 + nl;
            }
            if (skip) {
                value = values[i];
                break;
            }
        }
        const char *add = value ? value : s;
        size_t alen = value ? strlen(value) : 1;
        MC_ARRAY_RESERVE(out, cap, n + alen + 1);
        memcpy(out + n, add, alen);
        n += alen;
        s += value ? skip : 1;
    }
    out[n] = '\0';
    return out;
}

/* Adds the key K for sender DOMAIN (once: a key a second rule selects only
 * widens EVERY, and RULE with it). */
static void add_signer(const struct mc_dkim_config *cfg, struct mc_dkim_signers *out,
                       const struct mc_dkim_config_key *k, const char *d, const char *rule,
                       bool every)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].source == k->source && strcmp(out->v[i].domain, d) == 0) {
            if (every && !out->v[i].every_sender) { /* name the rule that takes all */
                out->v[i].every_sender = true;
                out->v[i].rule = rule;
            }
            return;
        }
    char *path = NULL;
    if (k->path && cfg->kind == MC_DKIM_CONFIG_RSPAMD)
        path = dollar_expand(k->path, d, k->selector);
    else if (k->path)
        path = k->fill_percent ? percent_expand(k->path, d) : mc_xstrdup(k->path);
    MC_ARRAY_RESERVE(out->v, out->cap, out->n + 1);
    bool opendkim = cfg->kind != MC_DKIM_CONFIG_RSPAMD; /* rspamd signs as the key is */
    out->v[out->n++] = (struct mc_dkim_signer){
        .domain = mc_xstrdup(d),
        .selector = mc_xstrdup(k->selector),
        .key_path = path,
        .key_inline = k->inline_key,
        .source = k->source,
        .rule = rule,
        .every_sender = every,
        .algorithm = !opendkim      ? NULL
                     : cfg->sig_alg ? cfg->sig_alg
                                    : "rsa-sha256",
        .algorithm_source = opendkim ? cfg->sig_alg_source : NULL,
    };
}

/* The rule R selects its key for DOMAIN. */
static void apply_rule(const struct mc_dkim_config *cfg, struct mc_dkim_signers *out,
                       const struct rule *r, const char *domain, bool every)
{
    const char *keyname = strcmp(r->keyname, "%") == 0 ? domain : r->keyname;
    const struct mc_dkim_config_key *k = find_key(cfg, keyname);
    if (!k) {
        signer_problem(out, r->source,
                       "the SigningTable names key \"%s\", which the KeyTable does not have: "
                       "opendkim defers mail from %s (a temporary failure)",
                       keyname, domain);
        return;
    }
    add_signer(cfg, out, k, strcmp(k->domain, "%") == 0 ? domain : k->domain, r->source, every);
}

/* How a refile: pattern meets the addresses of a domain. */
struct fit {
    bool some; /* it matches some address LOCAL@DOMAIN */
    bool all;  /* it matches every one */
};

/*
 * Fits the wildcard pattern P ('*' any run of octets, the rest literal,
 * case ignored, as opendkim makes its regular expression) to the addresses
 * LOCAL@DOMAIN, LOCAL one or more octets other than '@'.  Two steps, each
 * bounded by the lengths: TAIL[i][j] says whether P from i matches the end
 * of "@DOMAIN" from j (a table filled from the end); the positions of P
 * that some local part can bring the match to are found breadth-first (a
 * literal other than '@' takes an octet of the local part, which can be
 * chosen to fit; a '*' takes any).  Some address fits when such a position
 * matches all of "@DOMAIN"; every one fits when P starts with '*' (which
 * takes any local part) and the rest matches an end of "@DOMAIN".
 */
static struct fit pattern_fit(const char *p, const char *domain)
{
    char *t = mc_xasprintf("@%s", domain);
    size_t n = strlen(p), m = strlen(t), w = m + 1;
    bool *tail = mc_xcalloc((n + 1) * w, sizeof *tail);
    tail[n * w + m] = true;
    for (size_t i = n; i-- > 0;)
        for (size_t j = m + 1; j-- > 0;) {
            if (p[i] == '*')
                tail[i * w + j] = tail[(i + 1) * w + j] || (j < m && tail[i * w + j + 1]);
            else
                tail[i * w + j] = j < m &&
                                  mc_ascii_tolower((unsigned char)p[i]) ==
                                      mc_ascii_tolower((unsigned char)t[j]) &&
                                  tail[(i + 1) * w + j + 1];
        }
    struct fit fit = {false, false};
    if (p[0] == '*')
        for (size_t j = 0; j <= m && !fit.all; j++)
            fit.all = tail[1 * w + j];
    /* Positions reached after one octet of local part or more. */
    bool *seen = mc_xcalloc(n + 1, sizeof *seen);
    size_t *queue = mc_xmalloc((n + 2) * sizeof *queue), head = 0, count = 0;
    queue[count++] = n + 1; /* the start, before any octet: a mark of its own */
    while (head < count && !fit.some) {
        size_t from = queue[head++];
        size_t i = from == n + 1 ? 0 : from;
        for (size_t j = i; j < n; j++) { /* one more octet, stars skipped or taking it */
            size_t to = p[j] == '*' ? j : p[j] != '@' ? j + 1 : (size_t)-1;
            if (to != (size_t)-1 && !seen[to]) {
                seen[to] = true;
                queue[count++] = to;
                if (tail[to * w])
                    fit.some = true;
            }
            if (p[j] != '*')
                break;
        }
    }
    free(queue);
    free(seen);
    free(tail);
    free(t);
    fit.some = fit.some || fit.all;
    return fit;
}

/* Whether rule I is the first with its key (a file: lookup finds that one). */
static bool first_of_key(const struct mc_dkim_config *cfg, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (mc_ascii_strcasecmp(cfg->rules[j].pattern, cfg->rules[i].pattern) == 0)
            return false;
    return true;
}

/* Applies the rules whose key is exactly KEY (EVERY: all addresses) or, for
 * USERS, of the form user@KEY; returns true when the lookup stops here. */
static bool file_level(const struct mc_dkim_config *cfg, struct mc_dkim_signers *out,
                       const char *domain, const char *key, bool users)
{
    bool took_all = false;
    for (size_t i = 0; i < cfg->nrules; i++) {
        const struct rule *r = &cfg->rules[i];
        if (!first_of_key(cfg, i))
            continue;
        const char *at = strrchr(r->pattern, '@');
        if (users) {
            if (at && at != r->pattern && mc_ascii_strcasecmp(at + 1, key) == 0 &&
                !(at - r->pattern == 1 && r->pattern[0] == '*'))
                apply_rule(cfg, out, r, domain, false);
        } else if (mc_ascii_strcasecmp(r->pattern, key) == 0) {
            apply_rule(cfg, out, r, domain, true);
            took_all = true;
        }
    }
    return took_all && !cfg->multiple;
}

/* opendkim's order for a file: table: user@host, host, then user@.parent
 * and .parent for each parent, user@*, and *. */
static void resolve_file_table(const struct mc_dkim_config *cfg, const char *domain,
                               struct mc_dkim_signers *out)
{
    if (file_level(cfg, out, domain, domain, true) || file_level(cfg, out, domain, domain, false))
        return;
    for (const char *p = strchr(domain, '.'); p; p = strchr(p + 1, '.'))
        if (file_level(cfg, out, domain, p, true) || file_level(cfg, out, domain, p, false))
            return;
    if (file_level(cfg, out, domain, "*", true))
        return;
    file_level(cfg, out, domain, "*", false);
}

static void resolve_refile(const struct mc_dkim_config *cfg, const char *domain,
                           struct mc_dkim_signers *out)
{
    for (size_t i = 0; i < cfg->nrules; i++) {
        const struct rule *r = &cfg->rules[i];
        struct fit fit = pattern_fit(r->pattern, domain);
        if (!fit.some)
            continue;
        apply_rule(cfg, out, r, domain, fit.all);
        if (fit.all && !cfg->multiple)
            return; /* no later rule is reached */
    }
}

/* Single-key mode: DOMAIN in the Domain set, or "*", or (SubDomains) a
 * parent in it, which then becomes d= (opendkim signs as the parent). */
static void resolve_single(const struct mc_dkim_config *cfg, const char *domain,
                           struct mc_dkim_signers *out)
{
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < cfg->nkeys; i++) {
            const struct mc_dkim_config_key *k = &cfg->keys[i];
            bool wild = strcmp(k->domain, "%") == 0;
            if ((pass == 0 && mc_ascii_strcasecmp(k->domain, domain) == 0) || (pass == 1 && wild)) {
                add_signer(cfg, out, k, domain, NULL, true);
                return;
            }
        }
    if (!cfg->subdomains)
        return;
    for (const char *p = strchr(domain, '.'); p && p[1]; p = strchr(p + 1, '.'))
        for (size_t i = 0; i < cfg->nkeys; i++)
            if (mc_ascii_strcasecmp(cfg->keys[i].domain, p + 1) == 0) {
                add_signer(cfg, out, &cfg->keys[i], cfg->keys[i].domain, NULL, true);
                return;
            }
}

static void resolve_rspamd(const struct mc_dkim_config *cfg, const char *domain,
                           const struct mc_psl *psl, struct mc_dkim_signers *out)
{
    const struct rspamd *rs = &cfg->rs;
    if (!rs->enabled) {
        signer_problem(out, cfg->path, "dkim_signing is disabled (enabled = false)");
        return;
    }
    if (rs->opendkim_style) {
        signer_problem(out, cfg->path,
                       "dkim_signing chooses keys through signing_table and key_table maps, "
                       "which mailcheck does not read");
        return;
    }
    char *d;
    const char *how = rs->use_domain;
    if (mc_ascii_strcasecmp(how, "header") == 0 || mc_ascii_strcasecmp(how, "envelope") == 0) {
        d = mc_xstrdup(domain);
    } else if (mc_ascii_strcasecmp(how, "auth") == 0 ||
               mc_ascii_strcasecmp(how, "recipient") == 0) {
        signer_problem(out, cfg->path,
                       "use_domain = %s: the signing domain comes from the %s, not from the "
                       "sender domain",
                       how, mc_ascii_strcasecmp(how, "auth") == 0 ? "SMTP login" : "recipient");
        return;
    } else {
        d = mc_xstrdup(how); /* a domain of its own */
    }
    mc_ascii_lower(d);
    if (rs->use_esld && psl) {
        char *reg = mc_psl_registrable(psl, d);
        free(d);
        d = reg;
    } else if (rs->use_esld) {
        signer_problem(out, cfg->path,
                       "use_esld: no Public Suffix List at hand, so %s is taken as it is", d);
    }
    bool found = false;
    for (size_t i = 0; i < cfg->nkeys; i++) {
        const struct mc_dkim_config_key *k = &cfg->keys[i];
        if (strcmp(k->domain, d) == 0) {
            add_signer(cfg, out, k, d, NULL, true);
            found = true;
        }
    }
    if (rs->unread_maps && !found)
        signer_problem(out, cfg->path,
                       "dkim_signing has %s, which mailcheck does not read: they may name "
                       "other selectors or keys for %s",
                       rs->unread_maps, d);
    for (size_t i = 0; i < cfg->nkeys && !found; i++) /* the fallback, when allowed */
        if (strcmp(cfg->keys[i].domain, "%") == 0) {
            add_signer(cfg, out, &cfg->keys[i], d, NULL, true);
            found = true;
        }
    if (found && rs->use_redis)
        signer_problem(out, cfg->path,
                       "the keys are kept in Redis or Vault (use_redis, use_vault), so the "
                       "private key is not compared");
    free(d);
}

void mc_dkim_config_resolve(const struct mc_dkim_config *cfg, const char *domain,
                            const struct mc_psl *psl, struct mc_dkim_signers *out)
{
    memset(out, 0, sizeof *out);
    char *d = mc_ascii_lower(mc_xstrdup(domain));
    size_t len = strlen(d);
    if (len > 0 && d[len - 1] == '.')
        d[len - 1] = '\0';
    if (cfg->kind == MC_DKIM_CONFIG_RSPAMD)
        resolve_rspamd(cfg, d, psl, out);
    else if (!cfg->signs)
        signer_problem(out, cfg->mode_source, "Mode has no 's': opendkim only verifies");
    else if (!cfg->key_table)
        resolve_single(cfg, d, out);
    else if (!cfg->signing_table)
        ; /* a problem of the configuration already */
    else if (cfg->refile)
        resolve_refile(cfg, d, out);
    else
        resolve_file_table(cfg, d, out);
    free(d);
}

/* rspamadm is Lua on a JIT: it needs more room than postconf, and takes
 * its time to load the configuration (a few hundred ms usually). */
#define RSPAMADM_MS 10000
#define RSPAMADM_DATA (512L * 1024 * 1024)

enum mc_status mc_dkim_config_rspamadm(const char *rspamadm, struct mc_dkim_config **out,
                                       char **why)
{
    const char *argv[] = {rspamadm, "configdump", "-j", "dkim_signing", NULL};
    const struct mc_run_limits limits = {
        .wall_ms = RSPAMADM_MS,
        .data_bytes = RSPAMADM_DATA,
        .out_cap = MAX_JSON + 1, /* one more: mc_dkim_config_parse_rspamd() says it is over */
        .err_cap = 64 * 1024,
    };
    struct mc_run_result r;
    if (mc_run(argv, &limits, &r, why) != MC_OK)
        return MC_ERR_INPUT;
    enum mc_status st = MC_ERR_INPUT;
    size_t elen = strcspn(r.err, "\n");
    if (r.cut == MC_RUN_TIMEOUT)
        *why = mc_xasprintf("%s configdump -j dkim_signing did not finish within %d s; it was "
                            "stopped",
                            rspamadm, RSPAMADM_MS / 1000);
    else if (r.cut == MC_RUN_TOO_LONG && r.out_len <= MAX_JSON)
        *why = mc_xasprintf("%s configdump -j dkim_signing printed more on standard error than "
                            "mailcheck reads; it was stopped",
                            rspamadm);
    else if (r.cut == MC_RUN_READ_ERROR)
        *why = mc_xasprintf("%s configdump -j dkim_signing: %s", rspamadm, strerror(r.read_errno));
    else if (r.cut == MC_RUN_ENDED && !mc_run_succeeded(&r))
        *why = mc_xasprintf("%s configdump -j dkim_signing failed (%s %d)%s%.*s%s", rspamadm,
                            WIFEXITED(r.status) ? "exit" : "signal",
                            WIFEXITED(r.status) ? WEXITSTATUS(r.status) : WTERMSIG(r.status),
                            elen ? ": \"" : "", (int)elen, r.err, elen ? "\"" : "");
    else
        st = mc_dkim_config_parse_rspamd(r.out, r.out_len, "rspamadm", out, why);
    mc_run_result_reset(&r);
    return st;
}
