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

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 20
#define MAX_MAIN_CF (4 * 1024 * 1024)

struct pair {
    char *name, *value;
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

static void set_param(struct mc_postfix_params *p, char *name, char *value)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->pairs[i].name, name) == 0) {
            free(p->pairs[i].value);
            p->pairs[i].value = value;
            free(name);
            return;
        }
    }
    MC_ARRAY_RESERVE(p->pairs, p->pairs_cap, p->n + 1);
    p->pairs[p->n++] = (struct pair){.name = name, .value = value};
}

/* Parses one logical line (NUL-terminated, LINE_NO for messages). */
static enum mc_status parse_logical(struct mc_postfix_params *p, const char *line, size_t line_no,
                                    char **why)
{
    const char *s = line;
    const char *name = s;
    while (is_name_char((unsigned char)*s))
        s++;
    size_t nlen = (size_t)(s - name);
    while (*s == ' ' || *s == '\t')
        s++;
    if (nlen == 0 || *s != '=') {
        *why = mc_xasprintf("main.cf line %zu: expected 'name = value'", line_no);
        return MC_ERR_INPUT;
    }
    s++;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t vlen = strlen(s);
    while (vlen > 0 && mc_ascii_isspace((unsigned char)s[vlen - 1]))
        vlen--;
    set_param(p, mc_xstrndup(name, nlen), mc_xstrndup(s, vlen));
    return MC_OK;
}

enum mc_status mc_postfix_parse(const char *text, size_t len, struct mc_postfix_params **out,
                                char **why)
{
    struct mc_postfix_params *p = mc_xcalloc(1, sizeof *p);
    char *logical = NULL; /* the logical line being built */
    size_t logical_no = 0, line_no = 0;
    enum mc_status st = MC_OK;
    for (size_t pos = 0; pos < len && st == MC_OK;) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - start) : len - pos;
        pos += llen + (nl ? 1 : 0);
        line_no++;
        if (memchr(start, '\0', llen)) {
            *why = mc_xasprintf("main.cf line %zu: contains a NUL byte", line_no);
            st = MC_ERR_INPUT;
            break;
        }
        char *line = mc_xstrndup(start, llen);
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        const char *first = line;
        while (*first == ' ' || *first == '\t')
            first++;
        if (*first == '\0' || *first == '#') { /* blank or comment line */
            free(line);
            continue;
        }
        if (first != line) { /* continues the logical line */
            if (!logical) {
                *why = mc_xasprintf("main.cf line %zu: a continuation line (it starts with "
                                    "whitespace) with no parameter before it",
                                    line_no);
                st = MC_ERR_INPUT;
                free(line);
                break;
            }
            char *joined = mc_xasprintf("%s %s", logical, first);
            free(logical);
            logical = joined;
            free(line);
            continue;
        }
        if (logical)
            st = parse_logical(p, logical, logical_no, why);
        free(logical);
        logical = line;
        logical_no = line_no;
    }
    if (st == MC_OK && logical)
        st = parse_logical(p, logical, logical_no, why);
    free(logical);
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
    (void)x;
    if (b->len + n > MAX_OCTETS)
        n = MAX_OCTETS - b->len; /* over the bound: the value is cut short */
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
    if (x->refs_left-- <= 0)
        return mc_xstrdup("");
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

/* mc_postfix_get(), telling a reference loop apart (*TOO_DEEP). */
static char *get_value(const struct mc_postfix_params *p, const char *name,
                       const char *default_value, bool *too_deep)
{
    struct expansion x = {.refs_left = MAX_REFS};
    const char *raw = raw_value(p, name, strlen(name));
    char *v = raw ? expand(p, raw, &x) : builtin_default(p, name, strlen(name), &x);
    if (!v && default_value)
        v = expand(p, default_value, &x);
    *too_deep = x.too_deep;
    return v;
}

char *mc_postfix_get(const struct mc_postfix_params *p, const char *name, const char *default_value)
{
    bool too_deep;
    return get_value(p, name, default_value, &too_deep);
}

/* ---- loading ---- */

static const char *const wanted[] = {"smtp_helo_name", "inet_protocols", "smtp_bind_address",
                                     "smtp_bind_address6"};
#define NWANTED (sizeof wanted / sizeof wanted[0])

static char *find_postconf(void)
{
    const char *path = getenv("PATH");
    char *copy = mc_xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *dir = copy, *next; dir && !found; dir = next) {
        next = strchr(dir, ':');
        if (next)
            *next++ = '\0';
        char *cand = mc_xasprintf("%s/postconf", *dir ? dir : ".");
        if (access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    free(copy);
    return found;
}

/*
 * postconf(1) expands main.cf itself, without our MAX_REFS/MAX_OCTETS
 * budget: given an expansion bomb it runs until memory runs out.  So the
 * child is bounded like the parser: POSTCONF_MS of wall time, POSTCONF_DATA
 * of memory, and NWANTED lines of at most MAX_OCTETS each; past any bound
 * it is killed and the configuration refused.  A sane main.cf takes
 * postconf some 10 ms.
 */
#define POSTCONF_MS 3000 /* the message in read_bounded() says 3 s */
#define POSTCONF_DATA (64L * 1024 * 1024)
#define POSTCONF_OUTPUT (NWANTED * (MAX_OCTETS + 1))

/* The child's side of the fork: no allocation here (the limits below would
 * already bind the allocator, and malloc after fork() is not safe). */
static void postconf_child(char *const argv[], int out)
{
    dup2(out, STDOUT_FILENO);
    struct rlimit data = {POSTCONF_DATA, POSTCONF_DATA};
    struct rlimit cpu = {POSTCONF_MS / 1000, POSTCONF_MS / 1000};
    setrlimit(RLIMIT_DATA, &data);
    setrlimit(RLIMIT_CPU, &cpu);
    execv(argv[0], argv);
    _exit(127);
}

/* Reads FD to its end into BUF (at most CAP octets) until DEADLINE_MS.
 * Returns the length, or -1 (*PROBLEM says why). */
static ssize_t read_bounded(int fd, char *buf, size_t cap, int64_t deadline_ms,
                            const char **problem)
{
    size_t len = 0;
    for (;;) {
        int64_t left = deadline_ms - mc_now_ms();
        if (left <= 0) {
            *problem = "did not finish within 3 s (a runaway $name expansion?)";
            return -1;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue; /* the deadline check above ends it */
        if (len == cap) {
            *problem = "printed more than mailcheck reads (an expansion bomb?)";
            return -1;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *problem = strerror(errno);
            return -1;
        }
        if (n == 0)
            return (ssize_t)len;
        len += (size_t)n;
    }
}

/* Runs `postconf -c DIR -x -h PARAM...` (no shell) into VALUES. */
static enum mc_status ask_postconf(const char *postconf, const char *dir, char **values, char **why)
{
    int fds[2];
    if (pipe(fds) != 0) {
        *why = mc_xasprintf("cannot run postconf: %s", strerror(errno));
        return MC_ERR_INPUT;
    }
    /* execv() wants mutable strings: copies, made before the fork. */
    const char *args[] = {postconf,  "-c",      dir,       "-x",     "-h",
                          wanted[0], wanted[1], wanted[2], wanted[3]};
    enum { NARGS = sizeof args / sizeof args[0] };
    char *argv[NARGS + 1];
    for (size_t k = 0; k < NARGS; k++)
        argv[k] = mc_xstrdup(args[k]);
    argv[NARGS] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        postconf_child(argv, fds[1]);
    }
    int fork_errno = errno;
    for (size_t k = 0; k < NARGS; k++)
        free(argv[k]);
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        *why = mc_xasprintf("cannot run postconf: %s", strerror(fork_errno));
        return MC_ERR_INPUT;
    }
    close(fds[1]);
    char *out = mc_xmalloc(POSTCONF_OUTPUT + 1);
    const char *problem = NULL;
    ssize_t len = read_bounded(fds[0], out, POSTCONF_OUTPUT, mc_now_ms() + POSTCONF_MS, &problem);
    close(fds[0]);
    if (len < 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    size_t i = 0;
    if (len >= 0) {
        out[len] = '\0';
        for (char *line = out, *nl; i < NWANTED && (nl = strchr(line, '\n')); line = nl + 1) {
            size_t n = (size_t)(nl - line);
            while (n > 0 && line[n - 1] == '\r')
                n--;
            values[i++] = mc_xstrndup(line, n);
        }
    }
    free(out);
    if (len < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || i != NWANTED) {
        for (size_t k = 0; k < i; k++)
            free(values[k]);
        if (problem)
            *why = mc_xasprintf("postconf -c %s %s; it was stopped", dir, problem);
        else if (WIFSIGNALED(status))
            *why = mc_xasprintf("postconf -c %s was killed by signal %d (over its %ld MiB or "
                                "%d s limit?)",
                                dir, WTERMSIG(status), POSTCONF_DATA >> 20, POSTCONF_MS / 1000);
        else
            *why = mc_xasprintf("postconf -c %s failed (exit %d)", dir,
                                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return MC_ERR_INPUT;
    }
    return MC_OK;
}

static enum mc_status read_main_cf(const char *path, char **values, char **why)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        *why = mc_xasprintf("cannot read %s: %s", path, strerror(errno));
        return MC_ERR_INPUT;
    }
    char *text = mc_xmalloc(MAX_MAIN_CF + 1);
    size_t len = fread(text, 1, MAX_MAIN_CF + 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err || len > MAX_MAIN_CF) {
        *why = err ? mc_xasprintf("cannot read %s", path)
                   : mc_xasprintf("%s is larger than 4 MiB", path);
        free(text);
        return MC_ERR_INPUT;
    }
    struct mc_postfix_params *p = NULL;
    char *pwhy = NULL;
    enum mc_status st = mc_postfix_parse(text, len, &p, &pwhy);
    free(text);
    if (st != MC_OK) {
        *why = mc_xasprintf("%s: %s", path, pwhy);
        free(pwhy);
        return st;
    }
    for (size_t i = 0; i < NWANTED && st == MC_OK; i++) {
        bool too_deep = false;
        values[i] = get_value(p, wanted[i], NULL, &too_deep);
        if (!values[i])
            values[i] = mc_xstrdup("");
        if (too_deep) {
            *why = mc_xasprintf("%s: $name references in %s nest more than %d deep (a "
                                "reference loop?)",
                                path, wanted[i], MAX_DEPTH);
            st = MC_ERR_INPUT;
        }
    }
    mc_postfix_params_free(p);
    if (st != MC_OK)
        for (size_t i = 0; i < NWANTED; i++) {
            free(values[i]);
            values[i] = NULL;
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

enum mc_status mc_postfix_load(const char *path, bool use_postconf,
                               struct mc_postfix_config *config, char **why)
{
    memset(config, 0, sizeof *config);
    char *dir = NULL, *file = NULL, *values[NWANTED] = {0};
    enum mc_status st = MC_ERR_INPUT;
    struct stat sb;
    const char *given = path ? path : "/etc/postfix";
    if (stat(given, &sb) != 0) {
        *why = mc_xasprintf("--postfix %s: %s", given, strerror(errno));
        goto done;
    }
    if (S_ISDIR(sb.st_mode)) {
        dir = mc_xstrdup(given);
        file = mc_xasprintf("%s/main.cf", given);
    } else {
        file = mc_xstrdup(given);
        const char *slash = strrchr(given, '/');
        dir = slash ? mc_xstrndup(given, (size_t)(slash - given) + (slash == given))
                    : mc_xstrdup(".");
    }
    if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        *why = mc_xasprintf("--postfix: %s is not a readable main.cf%s%s", file, errno ? ": " : "",
                            errno ? strerror(errno) : "");
        goto done;
    }
    char *postconf = use_postconf ? find_postconf() : NULL;
    char *pwhy = NULL;
    if (postconf && strcmp(strrchr(file, '/') ? strrchr(file, '/') + 1 : file, "main.cf") == 0) {
        st = ask_postconf(postconf, dir, values, &pwhy);
        config->source = "postconf";
    } else {
        st = read_main_cf(file, values, &pwhy);
        config->source = "main.cf";
    }
    free(postconf);
    if (st != MC_OK) {
        *why = mc_xasprintf("--postfix: %s", pwhy);
        free(pwhy);
        goto done;
    }
    st = parse_protocols(values[1], config, &pwhy);
    if (st != MC_OK) {
        *why = mc_xasprintf("--postfix %s: %s", file, pwhy);
        free(pwhy);
        goto done;
    }
    config->helo_name = values[0];
    values[0] = NULL;
    config->bind_address = *values[2] ? values[2] : NULL;
    config->bind_address6 = *values[3] ? values[3] : NULL;
    if (config->bind_address)
        values[2] = NULL;
    if (config->bind_address6)
        values[3] = NULL;
    config->path = file;
    file = NULL;
done:
    for (size_t i = 0; i < NWANTED; i++)
        free(values[i]);
    free(dir);
    free(file);
    if (st != MC_OK)
        mc_postfix_config_reset(config);
    return st;
}

void mc_postfix_config_reset(struct mc_postfix_config *c)
{
    free(c->helo_name);
    free(c->bind_address);
    free(c->bind_address6);
    free(c->path);
    memset(c, 0, sizeof *c);
}
