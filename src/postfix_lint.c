/* SPDX-License-Identifier: MIT */
/*
 * postfix_lint.c - the Postfix configuration rules (see mc_postfix_lint.h).
 * Each rule is one function over the loaded configuration; the Postfix
 * document behind each is named beside it and in mailcheck(1), POSTFIX.
 *
 * Ownership: findings and their strings are malloc'd and belong to the
 * lint result.
 */
#include "mc_postfix_lint.h"
#include "mc_array.h"
#include "mc_postfix_master.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SMTP_CLIENT "smtp" /* the command of Postfix's SMTP client transports */
#define MAX_PER_CODE 100   /* findings of one code (mailcheck(1), POSTFIX) */

static void add(struct mc_postfix_lint *l, const char *code, enum mc_severity sev,
                const char *subject, const char *file, unsigned line, char *fix, const char *fmt,
                ...) __attribute__((format(printf, 8, 9)));

static void add(struct mc_postfix_lint *l, const char *code, enum mc_severity sev,
                const char *subject, const char *file, unsigned line, char *fix, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = NULL;
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    message = mc_xmalloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(message, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    /* One finding per code, subject and text; at most MAX_PER_CODE of a
     * code (a main.cf of thousands of bad tables says it often enough). */
    size_t of_code = 0;
    for (size_t i = 0; i < l->nfindings; i++) {
        bool same_code = strcmp(l->findings[i].code, code) == 0;
        of_code += same_code;
        if ((same_code && strcmp(l->findings[i].subject, subject) == 0 &&
             strcmp(l->findings[i].message, message) == 0) ||
            of_code >= MAX_PER_CODE) {
            free(message);
            free(fix);
            return;
        }
    }
    MC_ARRAY_RESERVE(l->findings, l->findings_cap, l->nfindings + 1);
    l->findings[l->nfindings++] = (struct mc_postfix_finding){
        .code = code,
        .severity = sev,
        .subject = mc_xstrdup(subject),
        .message = message,
        .fix = fix,
        .file = file && line ? mc_xstrdup(file) : NULL,
        .line = file ? line : 0,
    };
}

/* Where main.cf sets NAME: its path and line, or NULL and 0 (a default). */
static const char *main_cf_at(const struct mc_postfix_config *c, const char *name, unsigned *line)
{
    *line = mc_postfix_params_line(c->params, name);
    return *line ? c->path : NULL;
}

static bool is_yes(const char *v)
{
    return mc_ascii_strcasecmp(v, "yes") == 0 || mc_ascii_strcasecmp(v, "true") == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && mc_ascii_strcasecmp(s + n - k, suffix) == 0;
}

bool mc_postfix_name_is_fqdn(const char *name)
{
    static const char *const private_suffixes[] = {".localdomain", ".local", ".lan", ".internal",
                                                   ".home.arpa"};
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] == '.')
        n--;
    char *trimmed = mc_xstrndup(name, n);
    bool ok = n > 0 && strchr(trimmed, '.') != NULL;
    for (size_t i = 0; ok && i < sizeof private_suffixes / sizeof private_suffixes[0]; i++)
        ok = !ends_with(trimmed, private_suffixes[i]);
    free(trimmed);
    return ok;
}

/* "master.cf service NAME/TYPE" (caller frees). */
static char *service_subject(const struct mc_postfix_service *s)
{
    return mc_xasprintf("master.cf service %s/%s", s->name, s->type);
}

static bool is_smtp_client(const struct mc_postfix_service *s)
{
    return strcmp(s->command, SMTP_CLIENT) == 0;
}

/* One `-o NAME=...` of an SMTP client service in master.cf, its value
 * expanded (postconf -P -x, else the parser's expansion). */
struct client_override {
    const struct mc_postfix_service *service;
    const struct mc_postfix_override *o;
    char *value; /* expanded; owned, freed by next_client_override() */
};

/* The next SMTP client service from *I on with an -o NAME override, into
 * *OUT; false once there is none.  The caller leaves the loop only
 * through this function returning false, or frees OUT->value itself. */
static bool next_client_override(const struct mc_postfix_config *c, size_t *i, const char *name,
                                 struct client_override *out)
{
    free(out->value);
    out->value = NULL;
    for (; c->master && *i < c->master->nservices; (*i)++) {
        const struct mc_postfix_service *s = &c->master->services[*i];
        const struct mc_postfix_override *o = mc_postfix_service_override(s, name);
        if (!o || !is_smtp_client(s))
            continue;
        (*i)++;
        *out = (struct client_override){
            .service = s,
            .o = o,
            .value = mc_postfix_override_value(c, s->name, s->type, o->name, o->value),
        };
        return true;
    }
    return false;
}

/* ---- postfix-helo-not-fqdn, postfix-helo-override (postconf(5):
 * myhostname, smtp_helo_name; src/global/mail_params.c appends
 * .localdomain to a myhostname without a dot) ---- */

static char *helo_fix(void)
{
    return mc_xstrdup("set myhostname (or smtp_helo_name) in main.cf to this server's public "
                      "name, e.g. myhostname = mail.example.com, with A/AAAA records and "
                      "PTR records that name it back");
}

static void lint_helo(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    unsigned line = 0;
    const char *param = "smtp_helo_name";
    const char *file = main_cf_at(c, param, &line);
    if (!file) { /* the default, $myhostname */
        param = "myhostname";
        file = main_cf_at(c, param, &line);
    }
    if (!mc_postfix_name_is_fqdn(c->helo_name)) {
        l->helo_not_fqdn = true;
        add(l, "postfix-helo-not-fqdn", MC_SEV_CRITICAL, param, file, line, helo_fix(),
            "the EHLO name %s = %s is not a fully qualified public name (no dot, or a private "
            "suffix such as .localdomain or .lan): receivers reject it; the DNS check is "
            "skipped",
            param, c->helo_name);
    }
    struct client_override co = {0};
    for (size_t i = 0; next_client_override(c, &i, "smtp_helo_name", &co);) {
        const struct mc_postfix_service *s = co.service;
        const struct mc_postfix_override *o = co.o;
        const char *value = co.value;
        char *subject = service_subject(s);
        add(l, "postfix-helo-override", MC_SEV_INFO, subject, c->master_path, o->line, NULL,
            "-o smtp_helo_name=%s: the %s transport sends the EHLO name %s, not %s; mailcheck "
            "checks %s",
            o->value, s->name, value, c->helo_name, c->helo_name);
        if (!mc_postfix_name_is_fqdn(value))
            add(l, "postfix-helo-not-fqdn", MC_SEV_CRITICAL, subject, c->master_path, o->line,
                mc_xasprintf("in master.cf, service %s: -o smtp_helo_name= this server's public "
                             "name (with A/AAAA and PTR records), or remove the override",
                             s->name),
                "-o smtp_helo_name=%s: the %s transport sends %s, not a fully qualified public "
                "name: receivers reject it",
                o->value, s->name, value);
        free(subject);
    }
}

/* ---- postfix-tlsproxy-missing (TLS_README, "Client-side TLS connection
 * reuse": the client hands reused connections to tlsproxy(8); without
 * the service it logs "connect to private/tlsproxy service: No such file
 * or directory") ---- */

static void lint_tlsproxy(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    char *service = mc_postfix_value(c, "tlsproxy_service_name");
    bool present = mc_postfix_has_service(c, service, "unix");
    char *fix = NULL;
    if (!present)
        fix = mc_xasprintf("add this line to %s (then: postfix reload): %s  unix  -       -       "
                           "n       -       0       tlsproxy",
                           c->master_path, service);
    char *reuse = mc_postfix_value(c, "smtp_tls_connection_reuse");
    if (!present && is_yes(reuse)) {
        unsigned line = 0;
        const char *file = main_cf_at(c, "smtp_tls_connection_reuse", &line);
        add(l, "postfix-tlsproxy-missing", MC_SEV_CRITICAL, "smtp_tls_connection_reuse", file, line,
            mc_xstrdup(fix),
            "smtp_tls_connection_reuse = %s, but %s has no '%s unix' service: every TLS "
            "connection the SMTP client tries to reuse fails",
            reuse, c->master ? c->master_path : "master.cf (missing)", service);
    }
    struct client_override co = {0};
    for (size_t i = 0; !present && next_client_override(c, &i, "smtp_tls_connection_reuse", &co);) {
        const struct mc_postfix_service *s = co.service;
        const struct mc_postfix_override *o = co.o;
        if (!is_yes(co.value))
            continue;
        char *subject = service_subject(s);
        add(l, "postfix-tlsproxy-missing", MC_SEV_CRITICAL, subject, c->master_path, o->line,
            mc_xstrdup(fix),
            "-o smtp_tls_connection_reuse=%s on the %s transport, but master.cf has no '%s "
            "unix' service: every TLS connection it tries to reuse fails",
            o->value, s->name, service);
        free(subject);
    }
    free(fix);
    free(reuse);
    free(service);
}

/* ---- postfix-tls-off (postconf(5), smtp_tls_security_level; Gmail
 * rejects mail that arrives without TLS, 5.7.29) ---- */

static void lint_tls(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    char *level = mc_postfix_value(c, "smtp_tls_security_level");
    char *use = mc_postfix_value(c, "smtp_use_tls");
    char *enforce = mc_postfix_value(c, "smtp_enforce_tls");
    /* An empty level leaves TLS to the obsolete smtp_use_tls and
     * smtp_enforce_tls (postconf(5), smtp_tls_security_level). */
    bool off = mc_ascii_strcasecmp(level, "none") == 0 ||
               (*level == '\0' && !is_yes(use) && !is_yes(enforce));
    if (off) {
        unsigned line = 0;
        const char *file = main_cf_at(c, "smtp_tls_security_level", &line);
        add(l, "postfix-tls-off", MC_SEV_CRITICAL, "smtp_tls_security_level", file, line,
            mc_xstrdup("set in main.cf: smtp_tls_security_level = may"),
            "smtp_tls_security_level = %s%s: the SMTP client sends without TLS, and Gmail "
            "rejects such mail (5.7.29)",
            *level ? level : "(empty)",
            *level ? "" : " (the default before Postfix 3.11 and compatibility_level 3.11)");
    }
    struct client_override co = {0};
    for (size_t i = 0; next_client_override(c, &i, "smtp_tls_security_level", &co);) {
        const struct mc_postfix_service *s = co.service;
        const struct mc_postfix_override *o = co.o;
        if (mc_ascii_strcasecmp(co.value, "none") != 0)
            continue;
        char *subject = service_subject(s);
        add(l, "postfix-tls-off", MC_SEV_CRITICAL, subject, c->master_path, o->line,
            mc_xasprintf("in master.cf, service %s: -o smtp_tls_security_level=may", s->name),
            "-o smtp_tls_security_level=%s: the %s transport sends without TLS, and Gmail "
            "rejects such mail (5.7.29)",
            o->value, s->name);
        free(subject);
    }
    free(level);
    free(use);
    free(enforce);
}

/* ---- postfix-local-unsigned (MILTER_README, "Milter applications":
 * non_smtpd_milters covers mail submitted with sendmail(1)) ---- */

static void lint_milters(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    char *smtpd = mc_postfix_value(c, "smtpd_milters");
    char *local = mc_postfix_value(c, "non_smtpd_milters");
    const char *s = smtpd;
    while (*s == ' ' || *s == '\t' || *s == ',')
        s++;
    if (*s && !*local) {
        unsigned line = 0;
        const char *file = main_cf_at(c, "smtpd_milters", &line);
        add(l, "postfix-local-unsigned", MC_SEV_WARNING, "non_smtpd_milters", file, line,
            mc_xstrdup("set in main.cf: non_smtpd_milters = $smtpd_milters"),
            "smtpd_milters = %s, but non_smtpd_milters is empty: mail submitted locally "
            "(sendmail(1), cron, a satellite's own traffic) leaves unsigned",
            smtpd);
    }
    free(smtpd);
    free(local);
}

/* ---- postfix-relayhost ---- */

static void lint_relayhost(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    char *relay = mc_postfix_value(c, "relayhost");
    if (*relay) {
        unsigned line = 0;
        const char *file = main_cf_at(c, "relayhost", &line);
        add(l, "postfix-relayhost", MC_SEV_INFO, "relayhost", file, line, NULL,
            "relayhost = %s: mail leaves through that relay, so receivers see the relay's "
            "addresses and check SPF against them, not this host's",
            relay);
    }
    free(relay);
}

/* ---- postfix-table-type, postfix-table-stale (DATABASE_README;
 * src/util/dict_open.c makes a surrogate table for an unknown type,
 * whose lookups fail at run time) ---- */

/* Parameters whose values hold lookup tables (postconf(5)): *_maps,
 * *_checks, *_restrictions, *_domains, alias_database, mydestination,
 * mynetworks. */
static bool takes_tables(const char *name)
{
    return ends_with(name, "_maps") || ends_with(name, "_checks") ||
           ends_with(name, "_restrictions") || ends_with(name, "_domains") ||
           strcmp(name, "alias_database") == 0 || strcmp(name, "mydestination") == 0 ||
           strcmp(name, "mynetworks") == 0;
}

/* Where a table's value came from, for findings. */
struct origin {
    const char *param; /* parameter (or -o parameter) */
    const char *subject;
    const char *file;
    unsigned line;
};

/* The index postmap(1) builds for an indexed TYPE, or NULL. */
static const char *index_suffix(const char *type, size_t len)
{
    static const struct {
        const char *type, *suffix;
    } indexed[] = {{"hash", ".db"}, {"btree", ".db"}, {"lmdb", ".lmdb"},
                   {"cdb", ".cdb"}, {"dbm", ".pag"},  {"sdbm", ".pag"}};
    for (size_t i = 0; i < sizeof indexed / sizeof indexed[0]; i++)
        if (strlen(indexed[i].type) == len && strncmp(indexed[i].type, type, len) == 0)
            return indexed[i].suffix;
    return NULL;
}

static bool newer(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

static void check_stale(struct mc_postfix_lint *l, const struct origin *o, const char *type,
                        size_t tlen, const char *name, size_t nlen)
{
    const char *suffix = index_suffix(type, tlen);
    if (!suffix || nlen == 0)
        return;
    char *source = mc_xstrndup(name, nlen);
    char *index = mc_xasprintf("%s%s", source, suffix);
    struct stat src, idx;
    bool have_index = stat(index, &idx) == 0;
    /* Only a source file that exists: btree:$data_directory/... caches
     * have none. */
    if (stat(source, &src) == 0 && S_ISREG(src.st_mode) && (!have_index || newer(&src, &idx))) {
        bool alias = strcmp(o->param, "alias_maps") == 0 || strcmp(o->param, "alias_database") == 0;
        add(l, "postfix-table-stale", MC_SEV_WARNING, o->subject, o->file, o->line,
            mc_xasprintf("run: %s %.*s:%s (then: postfix reload)", alias ? "postalias" : "postmap",
                         (int)tlen, type, source),
            "%s = ... %.*s:%s: %s, so Postfix looks up %s", o->param, (int)tlen, type, source,
            have_index ? "the source file is newer than its index" : "the index does not exist",
            have_index ? "stale entries" : "nothing (lookups fail)");
    }
    free(index);
    free(source);
}

static void scan_tables(const struct mc_postfix_config *c, struct mc_postfix_lint *l,
                        const struct origin *o, const char *v, size_t len, int depth);

/* One reference TEXT (LEN octets): "type:name", "proxy:type:name",
 * "unionmap:{...}", "pipemap:{...}".  Returns whether it was one. */
static void check_reference(const struct mc_postfix_config *c, struct mc_postfix_lint *l,
                            const struct origin *o, const char *text, size_t len, int depth)
{
    size_t t = 0;
    while (t < len && ((text[t] >= 'a' && text[t] <= 'z') || (text[t] >= 'A' && text[t] <= 'Z')))
        t++;
    if (t == 0 || t + 1 >= len || text[t] != ':')
        return; /* not a table reference: a word, an address, a network */
    const char *name = text + t + 1;
    size_t nlen = len - t - 1;
    if (!mc_postfix_table_type_supported(c, text, t)) {
        add(l, "postfix-table-type", MC_SEV_CRITICAL, o->subject, o->file, o->line,
            mc_xasprintf("use a table type this Postfix supports (postconf -m lists them), e.g. "
                         "hash:%.*s or regexp:%.*s, then run postmap for an indexed type",
                         (int)nlen, name, (int)nlen, name),
            "%s = ... %.*s: this Postfix has no table type '%.*s' (%s): it makes a surrogate "
            "table whose every lookup fails at run time, and mail is deferred",
            o->param, (int)len, text, (int)t, text,
            c->table_types ? "postconf -m" : "the types DATABASE_README documents");
        return;
    }
    bool nested = (t == 5 && strncmp(text, "proxy", 5) == 0);
    bool list = (t == 8 && strncmp(text, "unionmap", 8) == 0) ||
                (t == 7 && strncmp(text, "pipemap", 7) == 0);
    if (nested)
        check_reference(c, l, o, name, nlen, depth + 1);
    else if (list && nlen >= 2 && name[0] == '{' && name[nlen - 1] == '}')
        scan_tables(c, l, o, name + 1, nlen - 2, depth + 1);
    else if (name[0] != '{')
        check_stale(l, o, text, t, name, nlen);
}

/* Every table reference in V (LEN octets): items separated by whitespace
 * or commas, "{...}" kept whole; the argument of check_policy_service
 * (a socket, not a table) skipped.  DEPTH bounds the nesting. */
static void scan_tables(const struct mc_postfix_config *c, struct mc_postfix_lint *l,
                        const struct origin *o, const char *v, size_t len, int depth)
{
    if (depth > 8)
        return;
    bool skip_next = false;
    for (size_t i = 0; i < len;) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',' || v[i] == '\n'))
            i++;
        size_t start = i;
        int braces = 0;
        while (i < len &&
               (braces > 0 || !(v[i] == ' ' || v[i] == '\t' || v[i] == ',' || v[i] == '\n'))) {
            if (v[i] == '{')
                braces++;
            else if (v[i] == '}' && braces > 0)
                braces--;
            i++;
        }
        if (i == start)
            continue;
        if (skip_next) {
            skip_next = false;
            continue;
        }
        if (i - start == 20 && strncmp(v + start, "check_policy_service", 20) == 0) {
            skip_next = true;
            continue;
        }
        check_reference(c, l, o, v + start, i - start, depth);
    }
}

static void lint_tables(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    size_t n = mc_postfix_params_count(c->params);
    for (size_t i = 0; i < n; i++) {
        unsigned line = 0;
        const char *name = mc_postfix_params_name(c->params, i, &line);
        if (!takes_tables(name))
            continue;
        char *value = mc_postfix_value(c, name);
        struct origin o = {.param = name, .subject = name, .file = c->path, .line = line};
        scan_tables(c, l, &o, value, strlen(value), 0);
        free(value);
    }
    for (size_t i = 0; c->master && i < c->master->nservices; i++) {
        const struct mc_postfix_service *s = &c->master->services[i];
        char *subject = service_subject(s);
        for (size_t k = 0; k < s->noverrides; k++) {
            const struct mc_postfix_override *ov = &s->overrides[k];
            if (!takes_tables(ov->name))
                continue;
            char *value = mc_postfix_override_value(c, s->name, s->type, ov->name, ov->value);
            struct origin o = {
                .param = ov->name, .subject = subject, .file = c->master_path, .line = ov->line};
            scan_tables(c, l, &o, value, strlen(value), 0);
            free(value);
        }
        free(subject);
    }
}

/* ---- what postconf says (postfix-warning, postfix-postconf-failed),
 * and a missing master.cf ---- */

/* The parameter a postconf warning is about: "...: unused parameter:
 * NAME=value" or "...: undefined parameter: NAME" (into BUF), or NULL. */
static const char *warning_subject(const char *w, char *buf, size_t size, bool *unused)
{
    static const char *const kinds[] = {"unused parameter: ", "undefined parameter: "};
    for (size_t k = 0; k < 2; k++) {
        const char *at = strstr(w, kinds[k]);
        if (!at)
            continue;
        at += strlen(kinds[k]);
        size_t n = strcspn(at, "= \t");
        if (n == 0 || n >= size)
            return NULL;
        memcpy(buf, at, n);
        buf[n] = '\0';
        *unused = k == 0;
        return buf;
    }
    return NULL;
}

/* The main.cf line of the first setting whose value refers to $NAME
 * (${NAME}, $(NAME)), or 0. */
static unsigned referring_line(const struct mc_postfix_config *c, const char *name)
{
    size_t n = strlen(name), count = mc_postfix_params_count(c->params);
    for (size_t i = 0; i < count; i++) {
        const char *v = mc_postfix_params_raw(c->params, i);
        for (const char *d = strchr(v, '$'); d; d = strchr(d + 1, '$')) {
            const char *s = d + 1 + (d[1] == '{' || d[1] == '(');
            if (strncmp(s, name, n) == 0 && !mc_ascii_isalnum((unsigned char)s[n]) && s[n] != '_') {
                unsigned line = 0;
                mc_postfix_params_name(c->params, i, &line);
                return line;
            }
        }
    }
    return 0;
}

static void lint_postconf(const struct mc_postfix_config *c, struct mc_postfix_lint *l)
{
    if (c->postconf_failed)
        add(l, "postfix-postconf-failed", MC_SEV_INFO, "postconf", NULL, 0,
            mc_xasprintf("run postconf -c DIR -n yourself and fix what it says"),
            "%s; mailcheck read the files itself instead", c->postconf_failed);
    for (size_t i = 0; i < c->nwarnings; i++) {
        char buf[128];
        bool unused = false;
        const char *subject = warning_subject(c->warnings[i], buf, sizeof buf, &unused);
        unsigned line = subject && unused ? mc_postfix_params_line(c->params, subject)
                        : subject         ? referring_line(c, subject)
                                          : 0;
        add(l, "postfix-warning", MC_SEV_INFO, subject ? subject : "postconf",
            line ? c->path : NULL, line,
            unused && subject ? mc_xasprintf("remove %s from main.cf, or correct its name "
                                             "(a typo?)",
                                             subject)
                              : NULL,
            "\"%s\"", c->warnings[i]);
    }
    if (!c->master)
        add(l, "postfix-master-missing", MC_SEV_INFO, "master.cf", NULL, 0, NULL,
            "%s does not exist: its services (tlsproxy, -o overrides) were not checked",
            c->master_path);
}

void mc_postfix_lint_run(const struct mc_postfix_config *c, struct mc_postfix_lint *out)
{
    memset(out, 0, sizeof *out);
    lint_postconf(c, out);
    lint_helo(c, out);
    lint_tls(c, out);
    lint_tlsproxy(c, out);
    lint_tables(c, out);
    lint_milters(c, out);
    lint_relayhost(c, out);
}

void mc_postfix_lint_reset(struct mc_postfix_lint *l)
{
    for (size_t i = 0; i < l->nfindings; i++) {
        free(l->findings[i].subject);
        free(l->findings[i].message);
        free(l->findings[i].fix);
        free(l->findings[i].file);
    }
    free(l->findings);
    memset(l, 0, sizeof *l);
}
