/* SPDX-License-Identifier: MIT */
/*
 * postfix.c - Postfix's sending configuration (see mc_postfix.h):
 * postconf(1) when installed, else a main.cf parser of our own following
 * postconf(5) "Syntax": logical lines (a line starting with whitespace
 * continues the previous one), comment and blank lines ignored, "name =
 * value" with whitespace around "=" removed, later settings winning, and
 * $name, ${name}, $(name), ${name?text}, ${name:text} expansion.
 *
 * Ownership: a params set owns its pairs (malloc'd); every string returned
 * is malloc'd and the caller's.
 */
#include "mc_postfix.h"
#include "mc_array.h"
#include "mc_cursor.h"
#include "mc_file.h"
#include "mc_postfix_master.h"
#include "mc_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 20
#define MAX_MAIN_CF (4 * 1024 * 1024)
#define MAX_SETTINGS 10000

struct pair {
    char *name, *value;
    unsigned line; /* of main.cf, 0 for postconf's answers */
};

struct mc_postfix_params {
    struct pair *pairs;
    size_t n, pairs_cap;
};

/* ---- parsing ---- */

static bool is_name_char(int c)
{
    return mc_ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
}

static void set_param(struct mc_postfix_params *p, char *name, char *value, unsigned line)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->pairs[i].name, name) == 0) {
            free(p->pairs[i].value);
            p->pairs[i].value = value;
            p->pairs[i].line = line;
            free(name);
            return;
        }
    }
    MC_ARRAY_RESERVE(p->pairs, p->pairs_cap, p->n + 1);
    p->pairs[p->n++] = (struct pair){.name = name, .value = value, .line = line};
}

static bool is_blank(int c, const void *arg)
{
    (void)arg;
    return c == ' ' || c == '\t';
}

static bool is_name_octet(int c, const void *arg)
{
    (void)arg;
    return is_name_char(c);
}

/* Parses one logical line (LEN octets, LINE_NO for messages). */
static enum mc_status parse_logical(struct mc_postfix_params *p, const char *line, size_t len,
                                    size_t line_no, char **why)
{
    struct mc_cursor c = mc_cursor_make(line, len);
    const char *name;
    size_t nlen = mc_cursor_take_while(&c, is_name_octet, NULL, &name);
    mc_cursor_take_while(&c, is_blank, NULL, NULL);
    if (nlen == 0 || !mc_cursor_expect(&c, '=')) {
        *why = mc_xasprintf("main.cf line %zu: expected 'name = value'", line_no);
        return MC_ERR_INPUT;
    }
    mc_cursor_take_while(&c, is_blank, NULL, NULL);
    const char *value = mc_cursor_here(&c);
    size_t vlen = mc_cursor_remaining(&c);
    while (vlen > 0 && mc_ascii_isspace((unsigned char)value[vlen - 1]))
        vlen--;
    set_param(p, mc_xstrndup(name, nlen), mc_xstrndup(value, vlen), (unsigned)line_no);
    return MC_OK;
}

/* The logical line being built: a parameter's line and its continuation
 * lines joined by single spaces (postconf(5): "a logical line starts with
 * non-whitespace text; a line that starts with whitespace continues a
 * logical line").  Appended in place: joining by copying the whole so far
 * at every continuation line was quadratic (300,000 of them took over a
 * minute). */
struct logical {
    char *text;
    size_t len, cap;
    size_t line_no; /* of its first line; 0: none yet */
};

static void logical_append(struct logical *l, const char *s, size_t n, bool space)
{
    MC_ARRAY_RESERVE(l->text, l->cap, l->len + n + 2);
    if (space)
        l->text[l->len++] = ' ';
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

enum mc_status mc_postfix_parse(const char *text, size_t len, struct mc_postfix_params **out,
                                char **why)
{
    struct mc_postfix_params *p = mc_xcalloc(1, sizeof *p);
    struct logical logical = {0};
    size_t line_no = 0, settings = 0;
    enum mc_status st = MC_OK;
    struct mc_cursor c = mc_cursor_make(text, len);
    const char *line;
    size_t n;
    while (st == MC_OK && mc_cursor_take_line(&c, &line, &n)) {
        line_no++;
        if (memchr(line, '\0', n)) {
            *why = mc_xasprintf("main.cf line %zu: contains a NUL byte", line_no);
            st = MC_ERR_INPUT;
            break;
        }
        if (n > 0 && line[n - 1] == '\r')
            n--;
        struct mc_cursor lc = mc_cursor_make(line, n);
        bool continues = mc_cursor_take_while(&lc, is_blank, NULL, NULL) > 0;
        int first = mc_cursor_peek(&lc);
        if (first < 0 || first == '#') /* blank or comment line */
            continue;
        if (continues) {
            if (!logical.line_no) {
                *why = mc_xasprintf("main.cf line %zu: a continuation line (it starts with "
                                    "whitespace) with no parameter before it",
                                    line_no);
                st = MC_ERR_INPUT;
                break;
            }
            logical_append(&logical, mc_cursor_here(&lc), mc_cursor_remaining(&lc), true);
            continue;
        }
        if (logical.line_no)
            st = parse_logical(p, logical.text, logical.len, logical.line_no, why);
        logical.len = 0;
        logical_append(&logical, line, n, false);
        logical.line_no = line_no;
        /* A bound on the settings keeps every pass over them (a later
         * setting replaces an earlier one, the lint reads them all) far
         * from quadratic blow-up. */
        if (st == MC_OK && ++settings > MAX_SETTINGS) {
            *why = mc_xasprintf("main.cf line %zu: more than %d parameter settings (a main.cf "
                                "has a few hundred)",
                                line_no, MAX_SETTINGS);
            st = MC_ERR_INPUT;
        }
    }
    if (st == MC_OK && logical.line_no)
        st = parse_logical(p, logical.text, logical.len, logical.line_no, why);
    free(logical.text);
    if (st != MC_OK) {
        mc_postfix_params_free(p);
        return st;
    }
    *out = p;
    return MC_OK;
}

void mc_postfix_params_free(struct mc_postfix_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->pairs[i].name);
        free(p->pairs[i].value);
    }
    free(p->pairs);
    free(p);
}

size_t mc_postfix_params_count(const struct mc_postfix_params *p)
{
    return p ? p->n : 0;
}

const char *mc_postfix_params_name(const struct mc_postfix_params *p, size_t i, unsigned *line)
{
    *line = p->pairs[i].line;
    return p->pairs[i].name;
}

const char *mc_postfix_params_raw(const struct mc_postfix_params *p, size_t i)
{
    return p->pairs[i].value;
}

unsigned mc_postfix_params_line(const struct mc_postfix_params *p, const char *name)
{
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->pairs[i].name, name) == 0)
            return p->pairs[i].line;
    return 0;
}

/* ---- expansion ---- */

static const char *raw_value(const struct mc_postfix_params *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->pairs[i].name) == len && strncmp(p->pairs[i].name, name, len) == 0)
            return p->pairs[i].value;
    return NULL;
}

/*
 * Expansion state: the nesting depth and a budget of references shared by
 * the whole expansion, so that a main.cf whose parameters refer to each
 * other several times per level (a = $b$b, b = $c$c, ...) cannot make the
 * work exponential (a fuzzer found that one); and no expanded value grows
 * past MAX_OCTETS.  Together they bound the work to MAX_REFS copies of at
 * most MAX_OCTETS.
 */
struct expansion {
    int depth;
    long refs_left;
    bool too_deep; /* a reference loop (postconf: "unreasonable macro call nesting") */
    bool cut;      /* a bound cut the value short (an expansion bomb) */
};
#define MAX_REFS 1000
#define MAX_OCTETS (16 * 1024)

/* Postfix's own defaults for the parameters mailcheck reads (postconf(5)). */
static char *builtin_default(const struct mc_postfix_params *p, const char *name, size_t len,
                             struct expansion *x);

struct buf {
    char *s;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n, struct expansion *x)
{
    if (b->len + n > MAX_OCTETS) {
        n = MAX_OCTETS - b->len; /* over the bound: the value is cut short */
        x->cut = true;
    }
    MC_ARRAY_RESERVE(b->s, b->cap, b->len + n + 1);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static char *expand(const struct mc_postfix_params *p, const char *v, struct expansion *x);

/* The expanded value of parameter NAME (LEN octets), "" when unknown. */
static char *lookup_expanded(const struct mc_postfix_params *p, const char *name, size_t len,
                             struct expansion *x)
{
    if (x->refs_left-- <= 0) {
        x->cut = true;
        return mc_xstrdup("");
    }
    const char *raw = raw_value(p, name, len);
    char *out;
    x->depth++;
    if (raw) {
        out = expand(p, raw, x);
    } else {
        out = builtin_default(p, name, len, x);
        if (!out)
            out = mc_xstrdup("");
    }
    x->depth--;
    return out;
}

static char *expand(const struct mc_postfix_params *p, const char *v, struct expansion *x)
{
    struct buf b = {0};
    buf_add(&b, "", 0, x);
    if (x->depth > MAX_DEPTH) {
        x->too_deep = true; /* a reference loop: reported by the caller */
        return b.s;
    }
    for (const char *s = v; *s;) {
        if (*s != '$') {
            const char *dollar = strchr(s, '$');
            size_t n = dollar ? (size_t)(dollar - s) : strlen(s);
            buf_add(&b, s, n, x);
            s += n;
            continue;
        }
        s++;
        if (*s == '$') { /* "$$" is a literal "$" */
            buf_add(&b, "$", 1, x);
            s++;
            continue;
        }
        if (*s == '{' || *s == '(') {
            char close = *s == '{' ? '}' : ')';
            const char *name = ++s;
            while (is_name_char((unsigned char)*s) && *s != '.' && *s != '-')
                s++;
            size_t nlen = (size_t)(s - name);
            char op = (*s == '?' || *s == ':') ? *s : 0;
            const char *text = op ? s + 1 : NULL;
            int level = 0;
            while (*s && !(*s == close && level == 0)) {
                if (*s == '{' || *s == '(')
                    level++;
                else if ((*s == '}' || *s == ')') && level > 0)
                    level--;
                s++;
            }
            size_t tlen = text ? (size_t)(s - text) : 0;
            if (*s == close)
                s++;
            char *val = lookup_expanded(p, name, nlen, x);
            if (!op) {
                buf_add(&b, val, strlen(val), x);
            } else if ((op == '?') == (*val != '\0')) {
                char *t = mc_xstrndup(text, tlen);
                x->depth++;
                char *te = expand(p, t, x);
                x->depth--;
                buf_add(&b, te, strlen(te), x);
                free(te);
                free(t);
            }
            free(val);
            continue;
        }
        const char *name = s;
        while (mc_ascii_isalnum((unsigned char)*s) || *s == '_')
            s++;
        char *val = lookup_expanded(p, name, (size_t)(s - name), x);
        buf_add(&b, val, strlen(val), x);
        free(val);
    }
    return b.s;
}

static char *system_hostname(void)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        return mc_xstrdup("localhost");
    host[sizeof host - 1] = '\0';
    return mc_xstrdup(host);
}

static char *builtin_default(const struct mc_postfix_params *p, const char *name, size_t len,
                             struct expansion *x)
{
#define IS(lit) (len == sizeof(lit) - 1 && strncmp(name, lit, len) == 0)
    if (IS("smtp_helo_name"))
        return expand(p, "$myhostname", x);
    if (IS("inet_protocols"))
        return mc_xstrdup("all"); /* Postfix >= 3.0 */
    if (IS("myhostname")) {
        /* The FQDN from gethostname(), else that name plus .$mydomain. */
        char *h = system_hostname();
        if (strchr(h, '.'))
            return h;
        const char *dom = raw_value(p, "mydomain", 8);
        char *d = dom ? expand(p, dom, x) : mc_xstrdup("localdomain");
        char *fq = mc_xasprintf("%s.%s", h, d);
        free(h);
        free(d);
        return fq;
    }
    if (IS("mydomain")) {
        char *h = lookup_expanded(p, "myhostname", 10, x);
        const char *dot = strchr(h, '.');
        char *d = mc_xstrdup(dot && dot[1] ? dot + 1 : "localdomain");
        free(h);
        return d;
    }
    return NULL;
#undef IS
}

/* mc_postfix_get(), telling a reference loop (*TOO_DEEP) and a value cut
 * at the bounds (*CUT) apart. */
static char *get_value(const struct mc_postfix_params *p, const char *name,
                       const char *default_value, bool *too_deep, bool *cut)
{
    struct expansion x = {.refs_left = MAX_REFS};
    const char *raw = raw_value(p, name, strlen(name));
    char *v = raw ? expand(p, raw, &x) : builtin_default(p, name, strlen(name), &x);
    if (!v && default_value)
        v = expand(p, default_value, &x);
    *too_deep = x.too_deep;
    *cut = x.cut;
    return v;
}

char *mc_postfix_get(const struct mc_postfix_params *p, const char *name, const char *default_value)
{
    bool too_deep, cut;
    return get_value(p, name, default_value, &too_deep, &cut);
}

/* ---- loading ---- */

/*
 * The parameters mailcheck reads, asked of postconf in this order, with
 * Postfix's defaults (postconf(5)) where builtin_default() has none;
 * smtp_tls_security_level's depends on compatibility_level (tls_default()).
 */
static const struct known {
    const char *name, *def;
} known[] = {
    {"smtp_helo_name", NULL},
    {"inet_protocols", NULL},
    {"smtp_bind_address", ""},
    {"smtp_bind_address6", ""},
    {"inet_interfaces", "all"},
    {"smtp_tls_security_level", NULL},
    {"compatibility_level", "0"},
    {"tlsproxy_service_name", "tlsproxy"},
    {"smtp_tls_connection_reuse", "no"},
    {"smtpd_milters", ""},
    {"non_smtpd_milters", ""},
    {"relayhost", ""},
    {"myorigin", "$myhostname"},
    {"smtp_use_tls", "no"},
    {"smtp_enforce_tls", "no"},
};
#define NKNOWN (sizeof known / sizeof known[0])

/*
 * postconf(1) expands main.cf itself, without our MAX_REFS/MAX_OCTETS
 * budget: given an expansion bomb it runs until memory runs out.  So each
 * run is bounded like the parser: POSTCONF_MS of wall time, POSTCONF_DATA
 * of memory, a cap on what it prints (POSTCONF_ERR on stderr); past any
 * bound it is killed and the parser used instead.  A sane main.cf takes
 * postconf some 10 ms a run.
 */
#define POSTCONF_MS 3000 /* the message in run_postconf() says 3 s */
#define POSTCONF_DATA (64L * 1024 * 1024)
#define POSTCONF_ERR (64 * 1024)
#define POSTCONF_ARGS 24

/* The first line of TEXT that says "fatal:" (else "warning:"), whole, for
 * messages; NULL when none does (borrowed; *LEN octets, no newline). */
static const char *first_complaint(const char *text, size_t *len)
{
    const char *hit = strstr(text, "fatal:");
    if (!hit)
        hit = strstr(text, "warning:");
    if (!hit)
        return NULL;
    while (hit > text && hit[-1] != '\n')
        hit--;
    *len = strcspn(hit, "\n");
    return hit;
}

/* Runs `postconf -c DIR ARGS...` (no shell, mc_run()) into O.  Returns
 * MC_OK, or MC_ERR_INPUT with *WHY quoting postconf (caller frees). */
static enum mc_status run_postconf(const char *postconf, const char *dir, const char *const *args,
                                   size_t nargs, size_t out_cap, struct mc_run_result *o,
                                   char **why)
{
    memset(o, 0, sizeof *o);
    if (nargs + 4 > POSTCONF_ARGS) {
        *why = mc_xasprintf("cannot run postconf: %zu arguments", nargs);
        return MC_ERR_INPUT;
    }
    const char *argv[POSTCONF_ARGS] = {postconf, "-c", dir};
    size_t argc = 3;
    for (size_t k = 0; k < nargs; k++)
        argv[argc++] = args[k];
    argv[argc] = NULL;
    /* stderr past its cap (thousands of warnings) is drained: the
     * warnings kept are the first ones. */
    const struct mc_run_limits limits = {
        .wall_ms = POSTCONF_MS,
        .data_bytes = POSTCONF_DATA,
        .out_cap = out_cap,
        .err_cap = POSTCONF_ERR,
        .err_drain = true,
    };
    if (mc_run(argv, &limits, o, why) != MC_OK)
        return MC_ERR_INPUT;
    const char *what = args[0];
    bool read_all = o->cut == MC_RUN_ENDED;
    int status = o->status;
    /* A fatal message is a failure, whatever the exit status says. */
    bool fatal = read_all && strstr(o->err, "fatal:") != NULL;
    if (!fatal && mc_run_succeeded(o))
        return MC_OK;
    size_t qlen = 0;
    const char *quote = read_all ? first_complaint(o->err, &qlen) : NULL;
    if (o->cut == MC_RUN_TIMEOUT)
        *why = mc_xasprintf("postconf -c %s %s did not finish within 3 s (a runaway $name "
                            "expansion?); it was stopped",
                            dir, what);
    else if (o->cut == MC_RUN_TOO_LONG)
        *why = mc_xasprintf("postconf -c %s %s printed more than mailcheck reads (an expansion "
                            "bomb?); it was stopped",
                            dir, what);
    else if (o->cut == MC_RUN_READ_ERROR)
        *why = mc_xasprintf("postconf -c %s %s %s; it was stopped", dir, what,
                            strerror(o->read_errno));
    else if (fatal && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        *why = mc_xasprintf("postconf -c %s %s printed \"%.*s\"", dir, what, (int)qlen, quote);
    else if (WIFSIGNALED(status))
        *why = mc_xasprintf("postconf -c %s %s was killed by signal %d (over its %ld MiB or "
                            "%d s limit?)",
                            dir, what, WTERMSIG(status), POSTCONF_DATA >> 20, POSTCONF_MS / 1000);
    else
        *why = mc_xasprintf("postconf -c %s %s failed (exit %d)%s%.*s%s", dir, what,
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, quote ? ": \"" : "",
                            (int)qlen, quote ? quote : "", quote ? "\"" : "");
    mc_run_result_reset(o);
    return MC_ERR_INPUT;
}

/* The lines of TEXT, one at a time: *LINE (LEN octets, no newline or CR). */
static bool next_line(const char **text, const char **line, size_t *len)
{
    if (!**text)
        return false;
    *line = *text;
    size_t n = strcspn(*text, "\n");
    *text += n + ((*text)[n] == '\n');
    while (n > 0 && (*line)[n - 1] == '\r')
        n--;
    *len = n;
    return true;
}

static void push_string(char ***array, size_t *n, size_t *cap, char *s)
{
    MC_ARRAY_RESERVE(*array, *cap, *n + 1);
    (*array)[(*n)++] = s;
}

/* postconf's warnings on stderr, each once, "postconf: warning: ..." */
static void collect_warnings(struct mc_postfix_config *c, const char *err, size_t *cap)
{
    const char *line;
    size_t len;
    while (next_line(&err, &line, &len)) {
        const char *w = NULL;
        for (size_t k = 0; k + 9 <= len && !w; k++)
            if (memcmp(line + k, "warning: ", 9) == 0)
                w = line + k;
        if (!w)
            continue;
        char *text = mc_xasprintf("postconf: %.*s", (int)(len - (size_t)(w - line)), w);
        bool seen = false;
        for (size_t i = 0; i < c->nwarnings && !seen; i++)
            seen = strcmp(c->warnings[i], text) == 0;
        if (seen)
            free(text);
        else
            push_string(&c->warnings, &c->nwarnings, cap, text);
    }
}

/* postconf's "NAME = VALUE" lines ("NAME =" for an empty value) into
 * INTO; NAME may be "service/type/parameter" (-P). */
static void read_assignments(const char *text, struct mc_postfix_params *into)
{
    const char *line;
    size_t len;
    while (next_line(&text, &line, &len)) {
        size_t k = 0;
        while (k + 2 <= len && memcmp(line + k, " =", 2) != 0)
            k++;
        if (k == 0 || k + 2 > len)
            continue;
        size_t value = k + 2 + (k + 2 < len && line[k + 2] == ' ');
        set_param(into, mc_xstrndup(line, k), mc_xstrndup(line + value, len - value), 0);
    }
}

/* master.cf as postconf reads it: -M (one service a line, its first two
 * fields "name type") and -P -x ("name/type/parameter = value"). */
static enum mc_status ask_postconf_master(const char *postconf, const char *dir,
                                          struct mc_postfix_config *c, char **why)
{
    struct mc_run_result o;
    static const char *const m_args[] = {"-M"};
    enum mc_status st = run_postconf(postconf, dir, m_args, 1, MAX_MAIN_CF, &o, why);
    if (st != MC_OK)
        return st;
    size_t cap = 0;
    const char *text = o.out, *line;
    size_t len;
    c->services = mc_xcalloc(1, sizeof *c->services); /* asked: not NULL, even if empty */
    cap = 1;
    while (next_line(&text, &line, &len)) {
        size_t n1 = 0;
        while (n1 < len && line[n1] != ' ' && line[n1] != '\t')
            n1++;
        size_t s2 = n1;
        while (s2 < len && (line[s2] == ' ' || line[s2] == '\t'))
            s2++;
        size_t n2 = s2;
        while (n2 < len && line[n2] != ' ' && line[n2] != '\t')
            n2++;
        if (n1 > 0 && n2 > s2)
            push_string(&c->services, &c->nservices, &cap,
                        mc_xasprintf("%.*s/%.*s", (int)n1, line, (int)(n2 - s2), line + s2));
    }
    mc_run_result_reset(&o);
    static const char *const p_args[] = {"-P", "-x"};
    st = run_postconf(postconf, dir, p_args, 2, MAX_MAIN_CF, &o, why);
    if (st != MC_OK)
        return st;
    struct mc_postfix_params *ov = mc_xcalloc(1, sizeof *ov);
    read_assignments(o.out, ov);
    mc_run_result_reset(&o);
    c->postconf_overrides = ov;
    return MC_OK;
}

/* Asks postconf everything mailcheck reads (see mc_postfix.h) into C. */
static enum mc_status ask_postconf(const char *postconf, const char *dir,
                                   struct mc_postfix_config *c, char **why)
{
    struct mc_run_result o;
    const char *args[POSTCONF_ARGS];
    /* "-x" without "-h": "name = value" lines, so that a parameter this
     * Postfix does not know (smtp_tls_connection_reuse before 3.4) is only
     * missing, with a warning, not a line off. */
    args[0] = "-x";
    for (size_t k = 0; k < NKNOWN; k++)
        args[1 + k] = known[k].name;
    enum mc_status st =
        run_postconf(postconf, dir, args, 1 + NKNOWN, NKNOWN * (MAX_OCTETS + 64), &o, why);
    if (st != MC_OK)
        return st;
    struct mc_postfix_params *v = mc_xcalloc(1, sizeof *v);
    read_assignments(o.out, v);
    mc_run_result_reset(&o);
    /* Every parameter main.cf sets, expanded: its output is main.cf syntax. */
    static const char *const n_args[] = {"-n", "-x"};
    st = run_postconf(postconf, dir, n_args, 2, MAX_MAIN_CF, &o, why);
    struct mc_postfix_params *set = NULL;
    char *pwhy = NULL;
    if (st == MC_OK && mc_postfix_parse(o.out, o.out_len, &set, &pwhy) != MC_OK) {
        *why = mc_xasprintf("postconf -c %s -n -x: %s", dir, pwhy);
        free(pwhy);
        st = MC_ERR_INPUT;
    }
    if (st != MC_OK) {
        mc_run_result_reset(&o);
        mc_postfix_params_free(v);
        return st;
    }
    size_t wcap = 0;
    collect_warnings(c, o.err, &wcap);
    mc_run_result_reset(&o);
    for (size_t k = 0; k < set->n; k++)
        if (!raw_value(v, set->pairs[k].name, strlen(set->pairs[k].name))) {
            set_param(v, set->pairs[k].name, set->pairs[k].value, 0);
            set->pairs[k].name = set->pairs[k].value = NULL;
        }
    mc_postfix_params_free(set);
    static const char *const m_args[] = {"-m"};
    st = run_postconf(postconf, dir, m_args, 1, 64 * 1024, &o, why);
    if (st != MC_OK) {
        mc_postfix_params_free(v);
        return st;
    }
    size_t tcap = 0, len;
    const char *text = o.out, *line;
    while (next_line(&text, &line, &len))
        if (len > 0)
            push_string(&c->table_types, &c->ntable_types, &tcap, mc_xstrndup(line, len));
    mc_run_result_reset(&o);
    c->postconf_values = v;
    /* Without master.cf there is nothing to ask (postconf -M would fail). */
    return c->master ? ask_postconf_master(postconf, dir, c, why) : MC_OK;
}

static void drop_postconf(struct mc_postfix_config *c)
{
    mc_postfix_params_free(c->postconf_values);
    c->postconf_values = NULL;
    mc_postfix_params_free(c->postconf_overrides);
    c->postconf_overrides = NULL;
    for (size_t i = 0; i < c->nservices; i++)
        free(c->services[i]);
    free(c->services);
    c->services = NULL;
    c->nservices = 0;
    for (size_t i = 0; i < c->ntable_types; i++)
        free(c->table_types[i]);
    free(c->table_types);
    c->table_types = NULL;
    c->ntable_types = 0;
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    c->warnings = NULL;
    c->nwarnings = 0;
}

/* main.cf (or master.cf, MASTER) at PATH, read with the bounds of
 * mc_file_read() and parsed.  *WHY names PATH. */
static enum mc_status read_config_file(const char *path, bool master, void **out, char **why)
{
    char *text = NULL, *fwhy = NULL;
    size_t len = 0;
    if (mc_file_read(path, MAX_MAIN_CF, &text, &len, &fwhy) != MC_OK) {
        *why = fwhy;
        return MC_ERR_INPUT;
    }
    char *pwhy = NULL;
    enum mc_status st =
        master ? mc_postfix_master_parse(text, len, (struct mc_postfix_master **)out, &pwhy)
               : mc_postfix_parse(text, len, (struct mc_postfix_params **)out, &pwhy);
    free(text);
    if (st != MC_OK) {
        *why = mc_xasprintf("%s: %s", path, pwhy);
        free(pwhy);
    }
    return st;
}

/* inet_protocols: "all", or a list of ipv4 and ipv6 (commas or spaces). */
static enum mc_status parse_protocols(const char *v, struct mc_postfix_config *c, char **why)
{
    char *copy = mc_xstrdup(v);
    enum mc_status st = MC_OK;
    c->use_ipv4 = c->use_ipv6 = false;
    for (char *tok = copy, *next; tok && st == MC_OK; tok = next) {
        while (*tok == ' ' || *tok == ',' || *tok == '\t')
            tok++;
        if (!*tok)
            break;
        next = tok + strcspn(tok, " ,\t");
        if (*next)
            *next++ = '\0';
        else
            next = NULL;
        if (mc_ascii_strcasecmp(tok, "all") == 0) {
            c->use_ipv4 = c->use_ipv6 = true;
        } else if (mc_ascii_strcasecmp(tok, "ipv4") == 0) {
            c->use_ipv4 = true;
        } else if (mc_ascii_strcasecmp(tok, "ipv6") == 0) {
            c->use_ipv6 = true;
        } else {
            *why = mc_xasprintf("inet_protocols: unknown protocol '%s'", tok);
            st = MC_ERR_INPUT;
        }
    }
    free(copy);
    if (st == MC_OK && !c->use_ipv4 && !c->use_ipv6) {
        *why = mc_xstrdup("inet_protocols is empty");
        st = MC_ERR_INPUT;
    }
    return st;
}

/* The parser's side: a $name reference loop in a parameter mailcheck
 * reads refuses the configuration (postconf: "unreasonable macro call
 * nesting"), and so does a value that expands past the parser's bounds
 * (an expansion bomb: postconf would run out of memory). */
static enum mc_status check_loops(const struct mc_postfix_config *c, char **why)
{
    for (size_t i = 0; i < NKNOWN; i++) {
        bool too_deep = false, cut = false;
        free(get_value(c->params, known[i].name, known[i].def, &too_deep, &cut));
        if (too_deep) {
            *why = mc_xasprintf("%s: $name references in %s nest more than %d deep (a "
                                "reference loop?)",
                                c->path, known[i].name, MAX_DEPTH);
            return MC_ERR_INPUT;
        }
        if (cut) {
            *why = mc_xasprintf("%s: %s expands past %d octets or %d $name references (an "
                                "expansion bomb?)",
                                c->path, known[i].name, MAX_OCTETS, MAX_REFS);
            return MC_ERR_INPUT;
        }
    }
    return MC_OK;
}

/* DIR and DIR/main.cf (or main.cf's directory) of --postfix PATH. */
static enum mc_status locate(const char *given, char **dir, char **file, char **why)
{
    struct stat sb;
    if (stat(given, &sb) != 0) {
        *why = mc_xasprintf("--postfix %s: %s", given, strerror(errno));
        return MC_ERR_INPUT;
    }
    if (S_ISDIR(sb.st_mode)) {
        *dir = mc_xstrdup(given);
        *file = mc_xasprintf("%s/main.cf", given);
    } else {
        *file = mc_xstrdup(given);
        const char *slash = strrchr(given, '/');
        *dir = slash ? mc_xstrndup(given, (size_t)(slash - given) + (slash == given))
                     : mc_xstrdup(".");
    }
    errno = 0;
    if (stat(*file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        *why = mc_xasprintf("--postfix: %s is not a readable main.cf%s%s", *file, errno ? ": " : "",
                            errno ? strerror(errno) : "");
        return MC_ERR_INPUT;
    }
    return MC_OK;
}

enum mc_status mc_postfix_load(const char *path, bool use_postconf,
                               struct mc_postfix_config *config, char **why)
{
    memset(config, 0, sizeof *config);
    char *dir = NULL, *file = NULL, *pwhy = NULL, *protocols = NULL;
    enum mc_status st = locate(path ? path : "/etc/postfix", &dir, &file, why);
    if (st != MC_OK)
        goto done;
    config->path = file;
    file = NULL;
    st = read_config_file(config->path, false, (void **)&config->params, &pwhy);
    if (st != MC_OK)
        goto fail;
    config->master_path = mc_xasprintf("%s/master.cf", dir);
    struct stat sb;
    if (stat(config->master_path, &sb) == 0 || errno != ENOENT) {
        st = read_config_file(config->master_path, true, (void **)&config->master, &pwhy);
        if (st != MC_OK)
            goto fail;
    }
    const char *base = strrchr(config->path, '/');
    char *postconf = use_postconf ? mc_run_find("postconf", "MAILCHECK_POSTCONF") : NULL;
    config->source = "main.cf";
    if (postconf && strcmp(base ? base + 1 : config->path, "main.cf") == 0) {
        if (ask_postconf(postconf, dir, config, &config->postconf_failed) == MC_OK)
            config->source = "postconf";
        else
            drop_postconf(config);
    }
    free(postconf);
    if (!config->postconf_values) {
        st = check_loops(config, &pwhy);
        if (st != MC_OK)
            goto fail;
    }
    protocols = mc_postfix_value(config, "inet_protocols");
    st = parse_protocols(protocols, config, &pwhy);
    if (st != MC_OK) {
        char *w = mc_xasprintf("%s: %s", config->path, pwhy);
        free(pwhy);
        pwhy = w;
        goto fail;
    }
    config->helo_name = mc_postfix_value(config, "smtp_helo_name");
    config->bind_address = mc_postfix_value(config, "smtp_bind_address");
    config->bind_address6 = mc_postfix_value(config, "smtp_bind_address6");
    if (!*config->bind_address) {
        free(config->bind_address);
        config->bind_address = NULL;
    }
    if (!*config->bind_address6) {
        free(config->bind_address6);
        config->bind_address6 = NULL;
    }
    goto done;
fail:
    *why = mc_xasprintf("--postfix: %s%s%s%s", pwhy, config->postconf_failed ? " (and " : "",
                        config->postconf_failed ? config->postconf_failed : "",
                        config->postconf_failed ? ")" : "");
    free(pwhy);
done:
    free(protocols);
    free(dir);
    free(file);
    if (st != MC_OK)
        mc_postfix_config_reset(config);
    return st;
}

void mc_postfix_config_reset(struct mc_postfix_config *c)
{
    drop_postconf(c);
    free(c->helo_name);
    free(c->bind_address);
    free(c->bind_address6);
    free(c->path);
    free(c->master_path);
    free(c->postconf_failed);
    mc_postfix_params_free(c->params);
    mc_postfix_master_free(c->master);
    memset(c, 0, sizeof *c);
}

/* "3.11" > "3.7": compatibility levels compare number by number. */
static bool level_at_least(const char *level, unsigned major, unsigned minor)
{
    unsigned long a = strtoul(level, NULL, 10), b = 0;
    const char *dot = strchr(level, '.');
    if (dot)
        b = strtoul(dot + 1, NULL, 10);
    return a > major || (a == major && b >= minor);
}

char *mc_postfix_value(const struct mc_postfix_config *c, const char *name)
{
    size_t len = strlen(name);
    const char *answered = c->postconf_values ? raw_value(c->postconf_values, name, len) : NULL;
    if (answered)
        return mc_xstrdup(answered);
    const char *def = NULL;
    for (size_t i = 0; i < NKNOWN; i++)
        if (strcmp(known[i].name, name) == 0)
            def = known[i].def;
    if (!raw_value(c->params, name, len) && strcmp(name, "smtp_tls_security_level") == 0) {
        /* postconf(5), smtp_tls_security_level: "may" from compatibility
         * level 3.11 on, empty (no TLS) before. */
        char *level = mc_postfix_value(c, "compatibility_level");
        def = level_at_least(level, 3, 11) ? "may" : "";
        free(level);
    }
    char *v = mc_postfix_get(c->params, name, def);
    return v ? v : mc_xstrdup("");
}

/* The lookup table types of DATABASE_README, "Postfix lookup table types". */
static const char *const documented_types[] = {
    "btree",     "cdb",    "cidr",   "dbm",      "environ",  "fail",     "hash",    "inline",
    "internal",  "ldap",   "lmdb",   "memcache", "mongodb",  "mysql",    "netinfo", "nis",
    "nisplus",   "pcre",   "pgsql",  "pipemap",  "proxy",    "randmap",  "regexp",  "sdbm",
    "socketmap", "sqlite", "static", "tcp",      "texthash", "unionmap", "unix"};

bool mc_postfix_table_type_supported(const struct mc_postfix_config *c, const char *type,
                                     size_t len)
{
    if (c->table_types) {
        for (size_t i = 0; i < c->ntable_types; i++)
            if (strlen(c->table_types[i]) == len && strncmp(c->table_types[i], type, len) == 0)
                return true;
        return false;
    }
    for (size_t i = 0; i < sizeof documented_types / sizeof documented_types[0]; i++)
        if (strlen(documented_types[i]) == len && strncmp(documented_types[i], type, len) == 0)
            return true;
    return false;
}

char *mc_postfix_expand(const struct mc_postfix_config *c, const char *text)
{
    struct expansion x = {.refs_left = MAX_REFS};
    return expand(c->params, text, &x);
}

bool mc_postfix_has_service(const struct mc_postfix_config *c, const char *name, const char *type)
{
    if (!c->services)
        return mc_postfix_master_find(c->master, name, type) != NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < c->nservices; i++)
        if (strncmp(c->services[i], name, n) == 0 && c->services[i][n] == '/' &&
            strcmp(c->services[i] + n + 1, type) == 0)
            return true;
    return false;
}

char *mc_postfix_override_value(const struct mc_postfix_config *c, const char *name,
                                const char *type, const char *parameter, const char *value)
{
    if (c->postconf_overrides) {
        char *key = mc_xasprintf("%s/%s/%s", name, type, parameter);
        const char *answered = raw_value(c->postconf_overrides, key, strlen(key));
        free(key);
        if (answered)
            return mc_xstrdup(answered);
    }
    return mc_postfix_expand(c, value);
}
