/* SPDX-License-Identifier: MIT */
/*
 * cli_batch.c - the jobs of --batch (see mc_cli_batch.h) on the batch
 * driver: parsing each line, starting its check or SPF evaluation with the
 * line's own deadline, rendering the result, and the progress line.
 *
 * A bad line is a result of its own (status unknown, finding bad-input) and
 * never stops the run.  Ownership: a job struct is malloc'd by its start
 * function and freed when its output has been handed to the driver.
 */
#include "mc_cli_batch.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "mc_array.h"
#include "mc_batch.h"
#include "mc_batch_scopes.h"
#include "mc_cli_spf.h"
#include "mc_hostname.h"
#include "mc_ip.h"
#include "mc_render_spf.h"
#include "mc_spf_eval.h"
#include "mc_util.h"

#define MAX_FIELDS 34 /* HOST and up to 33 sender domains */
#define MAX_LINE 4096

struct job {
    struct mc_cli_batch *cb;
    struct mc_batch *batch;
    size_t slot, line_no;
    const char *text;
    /* host jobs: the DKIM keys' problems, for the line's report */
    struct mc_cli_dkim_hold hold;
    /* spf jobs */
    char ip_text[64];
    char *helo;
    int64_t started_ms;
    struct mc_spf_eval *eval;
    uint64_t timer; /* the line's deadline */
    bool reported;  /* the output went to the driver (deadline first) */
};

static int64_t started_ms;

/* ---- input ---- */

/* The next line without its newline, at most MAX_LINE + 1 octets: a
 * longer one is cut there (and reported as too long by the job) while the
 * rest of it is skipped, so one huge line cannot take the memory. */
static char *read_line(void *arg)
{
    struct mc_cli_batch *cb = arg;
    /* Read on the stack, kept at its own length: a 4 KiB malloc per line
     * is a large-bin request, which makes malloc consolidate its fast
     * bins every time. */
    char line[MAX_LINE + 1];
    size_t n = 0;
    int ch;
    bool any = false;
    while ((ch = getc(cb->in)) != EOF) {
        any = true;
        if (ch == '\n')
            break;
        if (n < MAX_LINE + 1)
            line[n++] = (char)ch;
    }
    if (!any)
        return NULL;
    while (n > 0 && line[n - 1] == '\r')
        n--;
    return mc_xstrndup(line, n);
}
/* Splits TEXT at blanks into at most MAX fields (copies in *BUF, caller
 * frees). Returns the count, or -1 when there are more. */
static int split(const char *text, char **buf, char **fields, int max)
{
    *buf = mc_xstrdup(text);
    int n = 0;
    for (char *p = *buf; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        if (n == max)
            return -1;
        fields[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    return n;
}

static bool blank_or_comment(const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    return *text == '\0' || *text == '#';
}

/* ---- output ---- */

static void emit(void *arg, size_t line_no, const char *output)
{
    struct mc_cli_batch *cb = arg;
    (void)line_no;
    fputs(output, cb->out);
    if (cb->jsonl)
        fputc('\n', cb->out);
}

static char *render_report(struct mc_cli_batch *cb, struct mc_report *report)
{
    return cb->jsonl ? mc_render_json(report, &cb->ro) : mc_render_text(report, &cb->ro);
}

/* A line that holds no valid job: its own result, unknown. */
static void finish_bad_line(struct mc_cli_batch *cb, struct mc_batch *batch, size_t slot,
                            size_t line_no, const char *text, const char *why)
{
    struct mc_report *r = mc_report_new();
    r->line = line_no;
    r->input = mc_arena_strdup(r->arena, text);
    char *safe = mc_render_safe(text);
    mc_report_add_finding(r, "bad-input", MC_SEV_UNKNOWN, safe,
                          mc_arena_printf(r->arena, "line %zu: %s", line_no, why), NULL);
    free(safe);
    mc_report_settle(r);
    char *out = render_report(cb, r);
    enum mc_state st = r->status;
    mc_report_free(r);
    mc_batch_finish(batch, slot, out, st);
}

static void progress(void *arg, size_t read, size_t done, size_t inflight)
{
    struct mc_cli_batch *cb = arg;
    if (!cb->progress)
        return;
    static int64_t last_ms;
    int64_t now = mc_now_ms();
    if (inflight > 0 && now - last_ms < 200)
        return;
    last_ms = now;
    double secs = (double)(now - started_ms) / 1000.0;
    double rate = secs > 0 ? (double)done / secs : 0;
    fprintf(stderr, "\r%zu done, %zu running, %.0f/s", done, inflight, rate);
    if (cb->total > 0 && rate > 0) {
        size_t total = cb->total;
        double eta = total > done ? (double)(total - done) / rate : 0;
        fprintf(stderr, ", %zu%% of %zu lines, ETA %.0fs", read * 100 / total, total, eta);
    }
    fputs(inflight == 0 ? "\n" : "   ", stderr);
    fflush(stderr);
}

/* ---- host checks ---- */

/* A line `HOST [FROM-DOMAIN...]` read: its fields and the sender domains
 * its check uses.  Strings are owned by the struct (host_line_free()). */
struct host_line {
    char *buf, *fields[MAX_FIELDS];
    char *domains[MAX_FIELDS]; /* the sender domains' A-label forms; fields[i] points here */
    char *host, *unicode, *default_from;
    const char *const *from;
    size_t nfrom;
    char *why; /* a bad line: why */
};

/* Reads TEXT into L.  False for a bad line, with L->why. */
static bool host_line_parse(const struct mc_cli_batch *cb, const char *text, struct host_line *l)
{
    *l = (struct host_line){0};
    int n = strlen(text) > MAX_LINE ? -2 : split(text, &l->buf, l->fields, MAX_FIELDS);
    if (n < 0) {
        l->why = mc_xstrdup(n == -2 ? "the line is longer than 4096 octets"
                                    : "too many sender domains (at most 33)");
        return false;
    }
    if (mc_hostname_validate(l->fields[0], &l->host, &l->unicode, &l->why) != MC_OK)
        return false;
    int kept = 1;
    for (int i = 1; i < n; i++) {
        const char *problem;
        char *domain = l->fields[i]; /* as it is: no copy for the common case */
        if (!mc_hostname_is_ldh(domain, &problem)) {
            domain = l->domains[i] = mc_hostname_domain_ascii(l->fields[i], &problem);
            if (!domain) {
                l->why = mc_xasprintf("sender domain %s: %s", l->fields[i], problem);
                return false;
            }
        }
        /* Each domain once, however it was spelt (as --from). */
        mc_hostname_domain_canonical(domain);
        if (!mc_strv_contains((const char *const *)&l->fields[1], (size_t)(kept - 1), domain))
            l->fields[kept++] = domain;
    }
    n = kept;
    l->from = cb->base.from;
    l->nfrom = cb->base.nfrom;
    if (n > 1) { /* the line's domains replace --from */
        l->from = (const char *const *)&l->fields[1];
        l->nfrom = (size_t)(n - 1);
    } else if (cb->base.spf && l->nfrom == 0) {
        l->default_from = mc_psl_registrable(cb->psl, l->host);
        l->from = (const char *const *)&l->default_from;
        l->nfrom = 1;
    }
    return true;
}

static void host_line_free(struct host_line *l)
{
    free(l->buf);
    for (size_t i = 1; i < MAX_FIELDS && l->fields[i]; i++) /* the fields split */
        free(l->domains[i]);
    free(l->host);
    free(l->unicode);
    free(l->default_from);
    free(l->why);
}

/* The domains line L names, each once (its reports' domains: sender
 * domains and --header-from), into OUT (2 * nfrom + nheader_from + 1
 * entries).  Returns the count. */
static size_t host_line_domains(const struct mc_cli_batch *cb, const struct host_line *l,
                                struct mc_domain_request *out)
{
    return mc_domain_requests(l->from, l->nfrom, cb->header_from, cb->nheader_from, out);
}

/* At most this many domains are counted ahead (some 60 octets each: 15
 * MB), so that memory stays bounded however long the input is; the lines
 * after the one that reaches the bound are not counted, and their domains'
 * answers are kept by recency alone. */
#define SCOPES_MAX 250000

/* Counts the sender domains of a host line (HOST [FROM-DOMAIN...]) into
 * SCOPES. */
static void count_host_line(struct mc_cli_batch *cb, struct mc_batch_scopes *scopes,
                            const char *text)
{
    struct host_line l = {0};
    if (host_line_parse(cb, text, &l)) {
        struct mc_domain_request *domains =
            mc_xcalloc(2 * l.nfrom + cb->nheader_from + 1, sizeof *domains);
        size_t n = host_line_domains(cb, &l, domains);
        for (size_t i = 0; i < n; i++)
            mc_batch_scopes_count(scopes, domains[i].domain);
        free(domains);
    }
    host_line_free(&l);
}

/* The domain of an spf line's identity (IP SENDER [HELO]): the sender's
 * domain, or the HELO name for the null sender <> (RFC 7208 §2.4); NULL
 * for a line that is no check.  Points into FIELDS. */
static const char *spf_line_domain(char *const *fields, int n)
{
    if (n < 2)
        return NULL;
    if (strcmp(fields[1], "<>") == 0)
        return n > 2 ? fields[2] : NULL;
    const char *at = strrchr(fields[1], '@');
    return at ? at + 1 : fields[1]; /* no @: postmaster@SENDER */
}

/* Counts the identity's domain of an spf line into SCOPES. */
static void count_spf_line(struct mc_cli_batch *cb, struct mc_batch_scopes *scopes,
                           const char *text)
{
    (void)cb;
    char *buf = NULL, *fields[4];
    int n = strlen(text) > MAX_LINE ? -1 : split(text, &buf, fields, 3);
    const char *domain = spf_line_domain(fields, n);
    if (domain && *domain)
        mc_batch_scopes_count(scopes, domain);
    free(buf);
}

/* Counts the domains of every line of a file input ahead (the scopes),
 * COUNT_LINE counting one line's; then reads the input again from where
 * it was.  Input that is not a regular file (a pipe, a terminal) is read
 * once, without scopes. */
static void count_ahead(struct mc_cli_batch *cb,
                        void (*count_line)(struct mc_cli_batch *cb, struct mc_batch_scopes *scopes,
                                           const char *text))
{
    struct stat st;
    long start = ftell(cb->in);
    if (fstat(fileno(cb->in), &st) != 0 || !S_ISREG(st.st_mode) || start < 0)
        return;
    struct mc_batch_scopes *scopes = mc_batch_scopes_new();
    for (char *text; mc_batch_scopes_size(scopes) < SCOPES_MAX && (text = read_line(cb));) {
        if (!blank_or_comment(text))
            count_line(cb, scopes, text);
        free(text);
    }
    if (ferror(cb->in) || fseek(cb->in, start, SEEK_SET) != 0) {
        /* The run reads what it can and reports a read error as before;
         * without scopes. */
        clearerr(cb->in);
        fseek(cb->in, start, SEEK_SET);
        mc_batch_scopes_free(scopes);
        return;
    }
    cb->scopes = scopes;
}

static void host_done(void *arg, struct mc_report *report)
{
    struct job *j = arg;
    struct mc_cli_batch *cb = j->cb;
    report->line = j->line_no;
    report->input = mc_arena_strdup(report->arena, j->text);
    /* What a single check of the line would say of the configurations. */
    mc_cli_dkim_findings(&j->hold, report);
    mc_cli_dkim_reset(&j->hold);
    if (cb->domain_report) { /* a single check reads them only then */
        mc_cli_dkim_config_findings(cb->dkim.config, report);
        mc_cli_dkim_config_findings(cb->dkim.rspamd, report);
    }
    mc_report_drop_findings(report, cb->ignore, cb->nignore);
    mc_report_settle(report);
    char *out = render_report(cb, report);
    enum mc_state st = report->status;
    mc_report_free(report);
    mc_batch_finish(j->batch, j->slot, out, st);
    free(j);
}

static bool host_start(void *arg, struct mc_batch *batch, size_t slot, size_t line_no,
                       const char *text)
{
    struct mc_cli_batch *cb = arg;
    if (blank_or_comment(text))
        return false;
    struct host_line l;
    if (!host_line_parse(cb, text, &l)) {
        finish_bad_line(cb, batch, slot, line_no, text, l.why);
        host_line_free(&l);
        return true;
    }
    struct mc_check_options o = cb->base;
    o.host = l.host;
    o.host_unicode = l.unicode;
    o.input = text;
    o.deadline_ms = mc_now_ms() + cb->timeout_ms;
    o.from = l.from;
    o.nfrom = l.nfrom;
    struct mc_domain_request *domains =
        mc_xcalloc(2 * o.nfrom + cb->nheader_from + 1, sizeof *domains);
    size_t ndomains = host_line_domains(cb, &l, domains);
    const struct mc_resolver_scope **from_scopes = NULL;
    if (cb->scopes) {
        /* This line is under way: its domains' counts are of the lines
         * after it (its own answers are pinned while it runs). */
        for (size_t i = 0; i < ndomains; i++) {
            struct mc_resolver_scope *sc = mc_batch_scopes_find(cb->scopes, domains[i].domain);
            if (sc && sc->wanted)
                sc->wanted--;
            domains[i].scope = sc;
        }
        from_scopes = mc_xcalloc(o.nfrom + 1, sizeof *from_scopes);
        for (size_t i = 0; i < o.nfrom; i++)
            from_scopes[i] = mc_batch_scopes_find(cb->scopes, o.from[i]);
        o.from_scopes = from_scopes;
    }
    if (cb->domain_report) {
        o.domains = domains;
        o.ndomains = ndomains;
        for (size_t i = 0; i < o.ndomains; i++)
            domains[i].psl = cb->psl;
    }
    struct job *j = mc_xcalloc(1, sizeof *j);
    *j = (struct job){.cb = cb, .batch = batch, .slot = slot, .line_no = line_no, .text = text};
    mc_cli_dkim_attach(cb->domain_report ? domains : NULL, o.ndomains, &cb->dkim, &j->hold);
    mc_check_start(cb->res, &o, host_done, j); /* copies the options */
    free(from_scopes);
    free(domains);
    host_line_free(&l);
    return true;
}

/* Runs every line of the input through START on the batch driver. */
static int run_lines(struct mc_cli_batch *cb, mc_batch_start_fn start)
{
    started_ms = mc_now_ms();
    struct mc_batch_config bc = {
        .res = cb->res,
        .concurrency = cb->concurrency,
        .unordered = cb->unordered,
        .read = read_line,
        .start = start,
        .emit = emit,
        .progress = progress,
        .arg = cb,
    };
    return (int)mc_batch_run(&bc);
}

int mc_cli_batch_hosts(struct mc_cli_batch *cb)
{
    count_ahead(cb, count_host_line);
    int code = run_lines(cb, host_start);
    /* No lookup or trim follows the run: the resolver reads no scope now. */
    mc_batch_scopes_free(cb->scopes);
    cb->scopes = NULL;
    return code;
}

/* ---- spf ---- */

/* Renders verdict V of job J and hands it to the driver. */
static void spf_report(struct job *j, const struct mc_spf_verdict *v, int code)
{
    struct mc_cli_batch *cb = j->cb;
    struct mc_cli_spf_result result = {
        .eval = j->eval,
        .verdict = v,
        .cut = v->deadline,
        .deadline_state = cb->base.deadline_state,
        .ip = j->ip_text,
        .helo = j->helo,
        .exit_code = code,
        .duration_ms = mc_now_ms() - j->started_ms,
        .line = j->line_no,
        .input = j->text,
    };
    char *text =
        mc_cli_spf_render(&result, cb->jsonl ? mc_render_spf_json : mc_render_spf_text, &cb->ro);
    j->reported = true;
    mc_batch_finish(j->batch, j->slot, text, (enum mc_state)code);
}

static void spf_done(void *arg, struct mc_spf_eval *eval)
{
    struct job *j = arg;
    if (!j->reported) {
        mc_resolver_timer_cancel(j->cb->res, j->timer);
        const struct mc_spf_verdict *v = mc_spf_eval_verdict(eval);
        spf_report(j, v, mc_spf_exit_code(v->result));
    }
    mc_spf_eval_free(eval);
    free(j->helo);
    free(j);
}

/* The line's deadline (-t): report a temperror in the -t state now; the
 * evaluation ends later, when its lookups do, and is freed then. */
static void spf_deadline(void *arg, const struct mc_dns_result *unused)
{
    struct job *j = arg;
    (void)unused;
    struct mc_spf_verdict v =
        mc_spf_eval_verdict_at_deadline(j->eval, "the line's deadline (-t) passed");
    spf_report(j, &v, (int)j->cb->base.deadline_state);
}

static bool spf_start(void *arg, struct mc_batch *batch, size_t slot, size_t line_no,
                      const char *text)
{
    struct mc_cli_batch *cb = arg;
    if (blank_or_comment(text))
        return false;
    char *buf = NULL, *fields[4];
    int n = strlen(text) > MAX_LINE ? -1 : split(text, &buf, fields, 3);
    struct mc_ip ip;
    if (n < 2) {
        finish_bad_line(cb, batch, slot, line_no, text, "expected IP SENDER [HELO]");
    } else if (!mc_ip_parse(fields[0], &ip)) {
        finish_bad_line(cb, batch, slot, line_no, text, "the first field is not an IP address");
    } else if (strcmp(fields[1], "<>") == 0 && n < 3) {
        finish_bad_line(cb, batch, slot, line_no, text,
                        "the null sender <> needs a HELO name (postmaster@HELO)");
    } else {
        struct job *j = mc_xcalloc(1, sizeof *j);
        *j = (struct job){.cb = cb,
                          .batch = batch,
                          .slot = slot,
                          .line_no = line_no,
                          .text = text,
                          .started_ms = mc_now_ms()};
        snprintf(j->ip_text, sizeof j->ip_text, "%s", fields[0]);
        j->helo = n > 2 ? mc_xstrdup(fields[2]) : NULL;
        struct mc_spf_request req = {
            .ip = ip,
            .ip_upper = mc_ip_text_upper(fields[0]),
            /* RFC 7208 §2.4: the null reverse-path checks postmaster@HELO */
            .sender = strcmp(fields[1], "<>") == 0 ? fields[2] : fields[1],
            .helo = j->helo,
            .prefetch = false, /* mailcheck(1): prefetch is off in --batch */
        };
        if (cb->scopes) {
            /* under way: the count is of the lines after this one */
            struct mc_resolver_scope *sc =
                mc_batch_scopes_find(cb->scopes, spf_line_domain(fields, n));
            if (sc && sc->wanted)
                sc->wanted--;
            req.scope = sc;
        }
        j->eval = mc_spf_eval_start(cb->res, &req, spf_done, j); /* copies the request */
        if (!j->reported)
            j->timer =
                mc_resolver_timer_add(cb->res, j->started_ms + cb->timeout_ms, spf_deadline, j);
    }
    free(buf);
    return true;
}

int mc_cli_batch_spf(struct mc_cli_batch *cb)
{
    count_ahead(cb, count_spf_line);
    int code = run_lines(cb, spf_start);
    mc_batch_scopes_free(cb->scopes); /* no lookup or trim follows the run */
    cb->scopes = NULL;
    return code;
}

/* ---- DKIM keys for the domain reports ---- */

static void hold_key(struct mc_cli_dkim_hold *hold, struct mc_domain_dkim key)
{
    MC_ARRAY_RESERVE(hold->keys, hold->cap, hold->nkeys + 1);
    hold->keys[hold->nkeys++] = key;
}

/* A --dkim key that names the record another key of the slice from
 * FIRST names too (the configuration's, which knows the private key, or
 * the same --dkim again) checks nothing more: it is dropped, so that each
 * record is reported once. */
static void drop_repeats(struct mc_cli_dkim_hold *hold, size_t first)
{
    size_t n = hold->nkeys - first;
    bool *drop = mc_xcalloc(n + 1, sizeof *drop);
    for (size_t i = 0; i < n; i++) {
        const struct mc_domain_dkim *k = &hold->keys[first + i];
        if (strcmp(k->source, "--dkim") != 0)
            continue;
        for (size_t j = 0; j < n && !drop[i]; j++) {
            const struct mc_domain_dkim *o = &hold->keys[first + j];
            drop[i] = j != i && !drop[j] && mc_name_equal(o->selector, k->selector) &&
                      mc_name_equal(o->domain, k->domain) &&
                      (strcmp(o->source, "--dkim") != 0 || j < i);
        }
    }
    size_t out = first;
    for (size_t i = 0; i < n; i++) {
        if (drop[i])
            free((char *)(uintptr_t)hold->keys[first + i].selector);
        else
            hold->keys[out++] = hold->keys[first + i];
    }
    hold->nkeys = out;
    free(drop);
}

/* Whether DOMAIN is one of the N domains of REQS. */
static bool requested(const struct mc_domain_request *reqs, size_t n, const char *domain)
{
    for (size_t r = 0; r < n; r++)
        if (mc_name_equal(reqs[r].domain, domain))
            return true;
    return false;
}

void mc_cli_dkim_attach(struct mc_domain_request *reqs, size_t n, const struct mc_cli_dkim *dkim,
                        struct mc_cli_dkim_hold *hold)
{
    if (!reqs || (!dkim->nselectors && !dkim->config && !dkim->rspamd))
        return;
    const struct mc_dkim_config *const configs[] = {dkim->config, dkim->rspamd};
    /* Two passes: first every key (the array may move), then the slices. */
    size_t *first = mc_xcalloc(n + 1, sizeof *first);
    for (size_t r = 0; r < n; r++) {
        first[r] = hold->nkeys;
        for (size_t i = 0; i < dkim->nselectors; i++) {
            const char *spec = dkim->selectors[i];
            const char *colon = strchr(spec, ':');
            bool mine = colon && mc_name_equal(colon + 1, reqs[r].domain);
            /* SELECTOR:DOMAIN is a key of DOMAIN's report; in a single
             * check, a DOMAIN that has none is the d= the signer puts on
             * the From domains' mail (a parent domain's key, an ESP's):
             * checked in their reports, where DMARC alignment says
             * whether it counts. */
            if (colon && !mine &&
                (!dkim->single || requested(reqs, n, colon + 1) ||
                 !(reqs[r].roles & MC_DOMAIN_ROLE_HEADER_FROM)))
                continue;
            hold_key(hold, (struct mc_domain_dkim){
                               .selector = colon ? mc_xstrndup(spec, (size_t)(colon - spec))
                                                 : mc_xstrdup(spec),
                               .domain = colon && !mine ? colon + 1 : reqs[r].domain,
                               .source = "--dkim",
                           });
        }
        for (size_t c = 0; c < sizeof configs / sizeof *configs; c++) {
            if (!configs[c])
                continue;
            /* mc_dkim_config_resolve() zeroes its output: each domain's
             * signers are resolved apart, then moved into HOLD (which
             * owns their strings), else every domain but the first lost
             * its keys and the earlier signers leaked. */
            struct mc_dkim_signers one;
            mc_dkim_config_resolve(configs[c], reqs[r].domain, dkim->psl, &one);
            MC_ARRAY_RESERVE(hold->signers.v, hold->signers.cap, hold->signers.n + one.n);
            for (size_t i = 0; i < one.n; i++) {
                const struct mc_dkim_signer *sg = &one.v[i];
                hold->signers.v[hold->signers.n++] = *sg;
                hold_key(hold, (struct mc_domain_dkim){
                                   .selector = mc_xstrdup(sg->selector),
                                   .domain = sg->domain,
                                   .source = sg->source,
                                   .key_path = sg->key_path,
                                   .key_inline = sg->key_inline,
                                   .algorithm = sg->algorithm,
                                   .algorithm_source = sg->algorithm_source,
                               });
            }
            MC_ARRAY_RESERVE(hold->problems, hold->problems_cap, hold->nproblems + one.nproblems);
            for (size_t i = 0; i < one.nproblems; i++)
                hold->problems[hold->nproblems++] = (struct mc_cli_dkim_problem){
                    .domain = mc_xstrdup(reqs[r].domain), .problem = one.problems[i]};
            one.n = 0; /* the strings moved; the arrays are freed */
            one.nproblems = 0;
            mc_dkim_signers_reset(&one);
        }
        drop_repeats(hold, first[r]);
    }
    for (size_t r = 0; r < n; r++) {
        size_t end = r + 1 < n ? first[r + 1] : hold->nkeys;
        reqs[r].dkim = hold->keys + first[r];
        reqs[r].ndkim = end - first[r];
    }
    free(first);
}

/* One problem of a configuration as a dkim-key-unreadable finding about
 * SUBJECT. */
static void problem_finding(struct mc_report *rep, const char *subject,
                            const struct mc_dkim_config_problem *p)
{
    /* SOURCE is "FILE:LINE", "FILE", or a command's name ("rspamadm"). */
    const char *colon = strrchr(p->source, ':');
    char *end = NULL;
    unsigned long line = colon && colon[1] ? strtoul(colon + 1, &end, 10) : 0;
    bool has_line = end && *end == '\0' && line > 0 && line <= UINT32_MAX;
    char *file = has_line ? mc_xstrndup(p->source, (size_t)(colon - p->source))
                 : strcmp(p->source, "rspamadm") != 0 ? mc_xstrdup(p->source)
                                                      : NULL;
    mc_report_add_finding_at(rep, "dkim-key-unreadable", MC_SEV_INFO, subject, p->why, NULL, file,
                             has_line ? (unsigned)line : 0);
    free(file);
}

void mc_cli_dkim_config_findings(const struct mc_dkim_config *cfg, struct mc_report *rep)
{
    size_t n = 0;
    const struct mc_dkim_config_problem *p = cfg ? mc_dkim_config_problems(cfg, &n) : NULL;
    for (size_t i = 0; i < n; i++)
        problem_finding(rep, p[i].source, &p[i]);
}

void mc_cli_dkim_findings(const struct mc_cli_dkim_hold *hold, struct mc_report *rep)
{
    for (size_t i = 0; i < hold->nproblems; i++)
        problem_finding(rep, hold->problems[i].domain, &hold->problems[i].problem);
}

void mc_cli_dkim_reset(struct mc_cli_dkim_hold *hold)
{
    for (size_t i = 0; i < hold->nkeys; i++)
        free((char *)(uintptr_t)hold->keys[i].selector);
    free(hold->keys);
    for (size_t i = 0; i < hold->nproblems; i++) {
        free(hold->problems[i].domain);
        free(hold->problems[i].problem.source);
        free(hold->problems[i].problem.why);
    }
    free(hold->problems);
    mc_dkim_signers_reset(&hold->signers);
    *hold = (struct mc_cli_dkim_hold){0};
}
