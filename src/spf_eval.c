/* SPDX-License-Identifier: MIT */
/*
 * spf_eval.c - check_host() (RFC 7208 §4-§6) as an explicit state machine
 * on the run's resolver.
 *
 * include and redirect push and replace frames on an explicit stack
 * (bounded: every frame but the first costs one of the 10 DNS-querying
 * terms), never recursion across callbacks.  run() is the dispatcher: it
 * evaluates terms until one needs a lookup, and every lookup callback
 * stores its answer and calls run() again.  Each RFC limit is enforced in
 * exactly one function, with the section beside it: count_dns_term()
 * (10 terms), count_void() (2 void lookups), mx_cb() (10 MX names),
 * ptr_cb() (10 PTR names).  After a fail, explain_step() fetches and
 * expands the explanation (§6.2), its own small state machine, since
 * %{p} in exp= or in its text may need the PTR names first.
 *
 * Prefetch (below) runs beside the evaluation and never touches what it
 * reports; its callbacks only send more lookups, within the §4.6.4 budget.
 *
 * Ownership: the evaluation's arena holds everything in the verdict and
 * the ledger; the resolver's results are borrowed while the evaluation
 * runs and copied into the ledger as text.  Prefetch contexts live in the
 * arena too: mc_spf_eval_free() with prefetched answers still due leaves
 * the freeing to the last of them (the resolver's loop delivers them all,
 * even at its deadline).
 */
#include "mc_ip.h"
#include "mc_spf_eval.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mc_util.h"

#define MAX_FRAMES (MC_SPF_MAX_DNS_TERMS + 2)

enum frame_kind { FRAME_TOP, FRAME_INCLUDE, FRAME_REDIRECT };

/* The explanation of a fail (§6.2), after the terms are done. */
enum explain_state {
    EXPLAIN_NONE,   /* evaluating terms (or no explanation wanted) */
    EXPLAIN_TARGET, /* expand exp= and fetch its TXT record */
    EXPLAIN_TEXT,   /* expand the fetched TXT record */
};

struct frame {
    enum frame_kind kind;
    const char *domain;
    struct mc_spf_record *rec; /* NULL until fetched */
    size_t next;               /* next term to evaluate */
    size_t include_step;       /* ledger index of the include that made it */
    size_t path_mark;          /* ev->npath when this frame was pushed */
};

/* The mechanism in flight and what its lookups returned. */
struct pending_term {
    const struct mc_spf_term *term;
    const char *target;
    size_t step; /* its ledger line */
    unsigned outstanding;
    bool failed, matched;
    const char *fail_why;
};

struct prefetch;

struct mc_spf_eval {
    struct mc_resolver *res;
    struct mc_arena *arena;
    struct mc_spf_request req;
    struct mc_spf_macro_ctx mctx;
    struct mc_ip ip;    /* <ip>, IPv4-mapped turned into IPv4 */
    uint16_t addr_type; /* A or AAAA, by the client's family (§5) */
    struct frame frames[MAX_FRAMES];
    /* The domains whose records the active chain went through, redirects
     * included (a redirect replaces its frame but stays on the path): an
     * include or redirect back to one of them is a loop. Bounded like the
     * frames: every entry but the first cost a DNS-querying term. */
    const char *path[MAX_FRAMES + MC_SPF_MAX_DNS_TERMS];
    size_t npath;
    size_t nframes;
    struct mc_spf_verdict v;
    struct mc_spf_step *steps;
    size_t nsteps, steps_cap;
    struct mc_spf_seen *seen;
    size_t nseen, seen_cap;
    struct pending_term pt;
    bool waiting; /* a lookup is outstanding */
    bool finished;
    /* §6.2: after a fail from a record with exp=, the explanation is
     * fetched and expanded; both may need the validated PTR names first
     * (%{p} in the domain-spec or in the TXT text). */
    enum explain_state explain;
    const char *exp_text; /* the explanation TXT, once fetched */
    size_t exp_len;
    /* Prefetch (see "prefetch" below): what was sent, how many callbacks
     * are still due, and whether mc_spf_eval_free() waits for them. */
    struct prefetch *prefetches;
    unsigned prefetch_sent, prefetch_pending;
    bool freed;
    /* Validated PTR names of <ip> (§5.5), for ptr and %{p}. */
    bool ptr_ready;
    bool ptr_void; /* the PTR lookup returned NXDOMAIN or no data */
    const char *ptr_names[MC_SPF_MAX_PTR_NAMES];
    bool ptr_valid[MC_SPF_MAX_PTR_NAMES];
    size_t nptr_names;
    unsigned ptr_outstanding;
    size_t ptr_step;
    mc_spf_done_cb done;
    void *done_arg;
};

static void run(struct mc_spf_eval *ev);

/* ---- the ledger ---- */

static size_t step_add(struct mc_spf_eval *ev, const char *term, const char *note)
{
    if (ev->nsteps == ev->steps_cap) {
        size_t cap = ev->steps_cap ? ev->steps_cap * 2 : 16;
        struct mc_spf_step *grown = mc_arena_alloc(ev->arena, cap * sizeof *grown);
        if (ev->nsteps)
            memcpy(grown, ev->steps, ev->nsteps * sizeof *grown);
        ev->steps = grown;
        ev->steps_cap = cap;
    }
    struct frame *f = &ev->frames[ev->nframes - 1];
    ev->steps[ev->nsteps] = (struct mc_spf_step){
        .depth = (unsigned)(ev->nframes - 1),
        .domain = f->domain,
        .term = term,
        .note = note,
    };
    return ev->nsteps++;
}

static const char *answer_text(struct mc_arena *arena, const struct mc_dns_record *r)
{
    char buf[64];
    switch (r->type) {
    case MC_DNS_T_A: return mc_arena_strdup(arena, inet_ntop(AF_INET, r->addr, buf, sizeof buf));
    case MC_DNS_T_AAAA:
        return mc_arena_strdup(arena, inet_ntop(AF_INET6, r->addr, buf, sizeof buf));
    case MC_DNS_T_MX: return mc_arena_printf(arena, "%u %s", r->preference, r->name);
    case MC_DNS_T_TXT: return mc_arena_memdup(arena, r->text, r->text_len);
    default: return r->name ? r->name : "";
    }
}

/* Records what lookup R returned on ledger line STEP. */
static void step_lookup(struct mc_spf_eval *ev, size_t step, const struct mc_dns_result *r)
{
    struct mc_spf_step *s = &ev->steps[step];
    struct mc_spf_lookup *grown = mc_arena_alloc(ev->arena, (s->nlookups + 1) * sizeof *grown);
    if (s->nlookups)
        memcpy(grown, s->lookups, s->nlookups * sizeof *grown);
    struct mc_spf_lookup *l = &grown[s->nlookups];
    l->name = r->qname;
    l->type = r->qtype;
    l->outcome = r->outcome;
    l->why = mc_arena_strdup(ev->arena, r->why);
    l->nanswers = r->count;
    l->answers = mc_arena_alloc(ev->arena, (r->count + 1) * sizeof *l->answers);
    for (size_t i = 0; i < r->count; i++)
        l->answers[i] = answer_text(ev->arena, &r->records[i]);
    l->name = mc_arena_strdup(ev->arena, r->qname);
    s->lookups = grown;
    s->nlookups++;
}

/* ---- ending ---- */

static void finish(struct mc_spf_eval *ev, enum mc_spf_result result, const char *why)
{
    ev->v.result = result;
    if (why && !ev->v.why)
        ev->v.why = why;
    ev->v.steps = ev->steps;
    ev->v.nsteps = ev->nsteps;
    ev->v.seen = ev->seen;
    ev->v.nseen = ev->nseen;
    ev->finished = true;
}

/* The include/redirect path to the current frame, for messages. */
static const char *frame_path(struct mc_spf_eval *ev)
{
    const char *path = ev->frames[0].domain;
    for (size_t i = 1; i < ev->nframes; i++)
        path = mc_arena_printf(
            ev->arena, "%s -> %s%s", path,
            ev->frames[i].kind == FRAME_REDIRECT ? "redirect=" : "include:", ev->frames[i].domain);
    return path;
}

/* RFC 7208 §4.6.4: at most 10 terms that cause DNS queries (include, a,
 * mx, ptr, exists, redirect); the 11th is a permerror. Returns false when
 * the evaluation ended. */
static bool count_dns_term(struct mc_spf_eval *ev, const struct mc_spf_term *term, size_t step)
{
    ev->v.dns_lookups++;
    ev->steps[step].cost = 1;
    if (ev->v.dns_lookups <= MC_SPF_MAX_DNS_TERMS)
        return true;
    ev->v.limit_term = term->text;
    ev->steps[step].note = "over the limit of 10 DNS-querying terms";
    finish(ev, MC_SPF_PERMERROR,
           mc_arena_printf(ev->arena,
                           "more than 10 DNS-querying terms (RFC 7208 section 4.6.4): '%s' in "
                           "%s was the 11th",
                           term->text, frame_path(ev)));
    return false;
}

/* RFC 7208 §4.6.4: at most 2 lookups that return no data or NXDOMAIN.
 * Returns false when the evaluation ended. */
static bool count_void(struct mc_spf_eval *ev, size_t step)
{
    ev->v.void_lookups++;
    ev->steps[step].void_lookup = true;
    if (ev->v.void_lookups <= MC_SPF_MAX_VOID)
        return true;
    ev->v.limit_term = ev->steps[step].term;
    finish(ev, MC_SPF_PERMERROR,
           mc_arena_printf(ev->arena,
                           "more than 2 void lookups (RFC 7208 section 4.6.4): '%s' in %s was "
                           "the 3rd",
                           ev->steps[step].term, frame_path(ev)));
    return false;
}

static bool is_void(const struct mc_dns_result *r)
{
    return r->outcome == MC_DNS_NXDOMAIN || r->outcome == MC_DNS_NODATA;
}

/* RFC 7208 §4.4 / §2.6.6: a lookup that fails ends check_host() with
 * temperror. Returns true when it did. */
static bool temperror_if_failed(struct mc_spf_eval *ev, const struct mc_dns_result *r)
{
    if (mc_dns_outcome_answered(r->outcome))
        return false;
    ev->v.deadline = ev->v.deadline || r->outcome == MC_DNS_DEADLINE;
    finish(ev, MC_SPF_TEMPERROR,
           mc_arena_printf(ev->arena, "the %s lookup of %s failed (%s)", mc_dns_type_str(r->qtype),
                           r->qname, r->why ? r->why : mc_dns_outcome_str(r->outcome)));
    return true;
}

/* ---- names and addresses ---- */

/* §4.3: a usable <domain>: labels of 1-63 octets, at most 253 in all, at
 * least two labels. (Underscores are fine: _spf.example.com.) */
static bool valid_domain(const char *d)
{
    size_t len = strlen(d);
    if (len > 0 && d[len - 1] == '.')
        len--;
    if (len == 0 || len > MC_SPF_NAME_MAX)
        return false;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && d[i] != '.')
            continue;
        if (i == start || i - start > 63)
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

/* §4.3 (and §7.1's toplabel): the <domain> check_host() starts from
 * (the sender's or HELO domain, an include target, a redirect target) must
 * be a name a record can be published at: valid_domain(), and its last
 * label a toplabel (alphanumerics and inner hyphens, not all digits), so
 * that a domain literal ("[192.0.2.1]") or an address literal
 * ("192.0.2.1") gives none without a query. */
static bool valid_check_host_domain(const char *d)
{
    if (!valid_domain(d))
        return false;
    size_t len = strlen(d);
    if (d[len - 1] == '.')
        len--;
    size_t start = len;
    while (start > 0 && d[start - 1] != '.')
        start--;
    bool alpha = false;
    for (size_t i = start; i < len; i++) {
        unsigned char c = (unsigned char)d[i];
        if (!mc_ascii_isalnum(c) && c != '-')
            return false;
        alpha = alpha || mc_ascii_isalpha(c) || c == '-';
    }
    return alpha && d[start] != '-' && d[len - 1] != '-';
}

static bool in_network(const struct mc_ip *ip, const unsigned char *net, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(ip->bytes, net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (ip->bytes[full] & mask) == (net[full] & mask);
}

static bool result_matches_ip(const struct mc_spf_eval *ev, const struct mc_dns_result *r,
                              const struct mc_spf_term *term)
{
    if (r->outcome != MC_DNS_ANSWER)
        return false;
    unsigned prefix = ev->ip.family == AF_INET ? term->cidr4 : term->cidr6;
    for (size_t i = 0; i < r->count; i++)
        if (in_network(&ev->ip, r->records[i].addr, prefix))
            return true;
    return false;
}

/* ---- lookups ---- */

static void lookup(struct mc_spf_eval *ev, const char *name, uint16_t type, mc_resolver_cb cb)
{
    mc_resolver_lookup(ev->res, name, type, cb, ev);
}

/* Expands a term's domain-spec (or uses the frame's domain when it has
 * none, §4.8).  Returns NULL after ending the evaluation with permerror. */
static const char *target_of(struct mc_spf_eval *ev, const struct mc_spf_term *term)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    if (!term->domain_spec)
        return f->domain;
    const char *out = NULL, *why = NULL;
    ev->mctx.domain = f->domain;
    if (!mc_spf_macro_expand(&out, ev->arena, &ev->mctx, term->domain_spec,
                             strlen(term->domain_spec), MC_SPF_MACRO_DOMAIN, &why)) {
        finish(ev, MC_SPF_PERMERROR,
               mc_arena_printf(ev->arena, "'%s' in %s: %s", term->text, f->domain, why));
        return NULL;
    }
    return out;
}

/* ---- prefetch ---- */

/*
 * Prefetch sends lookups whose names are known before the evaluator needs
 * them, so that the wall time approaches the depth of the record tree:
 * the terms of every record fetched (by the evaluator or by prefetch: the
 * records of includes and redirects are parsed as they arrive), the hosts
 * of a prefetched MX answer, the PTR names of <ip> and their addresses.
 *
 * It changes nothing reported: its callbacks only send more lookups; the
 * evaluator counts, records and decides on its own lookups alone, which the
 * resolver answers from the same cache.  And it sends nothing the limits of
 * §4.6.4 forbid ("to avoid unreasonable load on the DNS"): a term is sent
 * only if it could be among the 10 DNS-querying terms evaluated (its
 * position after the terms that must be counted before it is at most 10),
 * and one evaluation prefetches at most PREFETCH_MAX lookups, so that a
 * tree of includes cannot fan out.
 */
#define PREFETCH_MAX (2 * MC_SPF_MAX_DNS_TERMS)

enum prefetch_kind {
    PREFETCH_LEAF,   /* a, exists, an MX host or PTR name's address */
    PREFETCH_RECORD, /* the TXT of an include or redirect target */
    PREFETCH_MX,     /* an mx term's MX lookup: its hosts follow */
    PREFETCH_PTR,    /* the PTR lookup of <ip>: its names' addresses follow */
};

struct prefetch {
    struct mc_spf_eval *ev;
    enum prefetch_kind kind;
    const char *name;
    uint16_t type;
    const char *domain; /* RECORD: the <domain> of the record */
    unsigned base;      /* RECORD: DNS-querying terms counted before it, at least */
    struct prefetch *next;
};

static void prefetch_record(struct mc_spf_eval *ev, const struct mc_spf_record *rec,
                            const char *domain, unsigned base);

static void prefetch_send(struct mc_spf_eval *ev, enum prefetch_kind kind, const char *name,
                          uint16_t type, const char *domain, unsigned base);

static void prefetch_cb(void *arg, const struct mc_dns_result *r)
{
    struct prefetch *p = arg;
    struct mc_spf_eval *ev = p->ev;
    ev->prefetch_pending--;
    if (ev->freed) { /* mc_spf_eval_free() came first: the last one frees */
        if (ev->prefetch_pending == 0)
            mc_arena_free(ev->arena);
        return;
    }
    if (ev->finished || r->outcome != MC_DNS_ANSWER)
        return;
    switch (p->kind) {
    case PREFETCH_RECORD: {
        size_t index;
        struct mc_spf_record *rec = mc_arena_alloc(ev->arena, sizeof *rec);
        if (mc_spf_select(&index, r->records, r->count) == MC_SPF_SELECT_ONE &&
            mc_spf_parse(rec, ev->arena, r->records[index].text, r->records[index].text_len))
            prefetch_record(ev, rec, p->domain, p->base);
        return;
    }
    case PREFETCH_MX:
        if (r->count > MC_SPF_MAX_MX_NAMES) /* a permerror: no host is asked */
            return;
        for (size_t i = 0; i < r->count; i++)
            if (strcmp(r->records[i].name, ".") != 0)
                prefetch_send(ev, PREFETCH_LEAF, r->records[i].name, ev->addr_type, NULL, 0);
        return;
    case PREFETCH_PTR:
        for (size_t i = 0; i < r->count && i < MC_SPF_MAX_PTR_NAMES; i++)
            prefetch_send(ev, PREFETCH_LEAF, r->records[i].name, ev->addr_type, NULL, 0);
        return;
    case PREFETCH_LEAF: return;
    }
}

/* Sends one prefetch lookup, unless it was sent already or the budget is
 * spent.  The context lives in the evaluation's arena, which stays until
 * the last prefetch callback (mc_spf_eval_free()). */
static void prefetch_send(struct mc_spf_eval *ev, enum prefetch_kind kind, const char *name,
                          uint16_t type, const char *domain, unsigned base)
{
    if (ev->prefetch_sent == PREFETCH_MAX || !valid_domain(name))
        return;
    for (const struct prefetch *p = ev->prefetches; p; p = p->next)
        if (p->type == type && mc_name_equal(p->name, name))
            return;
    struct prefetch *p = mc_arena_alloc(ev->arena, sizeof *p);
    *p = (struct prefetch){
        .ev = ev,
        .kind = kind,
        .name = mc_arena_strdup(ev->arena, name),
        .type = type,
        .domain = domain,
        .base = base,
        .next = ev->prefetches,
    };
    ev->prefetches = p;
    ev->prefetch_sent++;
    ev->prefetch_pending++;
    mc_resolver_lookup(ev->res, p->name, type, prefetch_cb, p);
}

/* Prefetches the terms of REC, the record of DOMAIN, which is evaluated
 * (if at all) after at least BASE DNS-querying terms were counted. */
static void prefetch_record(struct mc_spf_eval *ev, const struct mc_spf_record *rec,
                            const char *domain, unsigned base)
{
    struct mc_spf_macro_ctx m = ev->mctx;
    m.domain = domain;
    m.ptr_name = NULL;
    unsigned position = base;
    /* Mechanisms in order, then redirect=, which comes after all of them. */
    for (size_t i = 0; i <= rec->nterms; i++) {
        const struct mc_spf_term *t = i < rec->nterms ? &rec->terms[i] : rec->redirect;
        if (!t || (i < rec->nterms && t->kind == MC_SPF_TERM_REDIRECT))
            continue;
        enum prefetch_kind kind = PREFETCH_LEAF;
        uint16_t type;
        switch (t->kind) {
        case MC_SPF_TERM_INCLUDE:
        case MC_SPF_TERM_REDIRECT:
            kind = PREFETCH_RECORD;
            type = MC_DNS_T_TXT;
            break;
        case MC_SPF_TERM_A: type = ev->addr_type; break;
        case MC_SPF_TERM_MX:
            kind = PREFETCH_MX;
            type = MC_DNS_T_MX;
            break;
        case MC_SPF_TERM_EXISTS: type = MC_DNS_T_A; break;
        case MC_SPF_TERM_PTR:
            kind = PREFETCH_PTR;
            type = MC_DNS_T_PTR;
            break;
        default: continue;
        }
        /* §4.6.4: a term past the 10th can never be evaluated. */
        if (++position > MC_SPF_MAX_DNS_TERMS)
            return;
        if ((t->macros & MC_SPF_MACRO_BIT('p')) || kind == PREFETCH_PTR) {
            char rev[80];
            prefetch_send(ev, PREFETCH_PTR, mc_ip_reverse_name(&ev->ip, rev, sizeof rev),
                          MC_DNS_T_PTR, NULL, 0);
            continue; /* a name with %{p} waits for the validated names */
        }
        const char *name = domain, *why;
        if (t->domain_spec &&
            !mc_spf_macro_expand(&name, ev->arena, &m, t->domain_spec, strlen(t->domain_spec),
                                 MC_SPF_MACRO_DOMAIN, &why))
            continue;
        if (kind == PREFETCH_RECORD && !valid_check_host_domain(name))
            continue;
        prefetch_send(ev, kind, name, type, kind == PREFETCH_RECORD ? name : NULL, position);
    }
}

/* ---- records ---- */

static void add_seen(struct mc_spf_eval *ev, const char *domain, const char *text, size_t len,
                     const struct mc_spf_record *parsed)
{
    if (ev->nseen == ev->seen_cap) {
        size_t cap = ev->seen_cap ? ev->seen_cap * 2 : 8;
        struct mc_spf_seen *grown = mc_arena_alloc(ev->arena, cap * sizeof *grown);
        if (ev->nseen)
            memcpy(grown, ev->seen, ev->nseen * sizeof *grown);
        ev->seen = grown;
        ev->seen_cap = cap;
    }
    ev->seen[ev->nseen++] = (struct mc_spf_seen){
        .domain = domain,
        .text = text,
        .len = len,
        .parsed = parsed,
        .depth = (unsigned)(ev->nframes - 1),
        .via_include = ev->frames[ev->nframes - 1].kind == FRAME_INCLUDE,
    };
}

static void record_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    struct frame *f = &ev->frames[ev->nframes - 1];
    ev->waiting = false;
    size_t step = step_add(ev, NULL, NULL);
    step_lookup(ev, step, r);
    /* §4.4: a failed TXT lookup is temperror. */
    if (temperror_if_failed(ev, r)) {
        run(ev);
        return;
    }
    size_t index = 0;
    enum mc_spf_select sel = r->outcome == MC_DNS_ANSWER
                                 ? mc_spf_select(&index, r->records, r->count)
                                 : MC_SPF_SELECT_NONE;
    if (sel == MC_SPF_SELECT_NONE) {
        ev->steps[step].note = "no SPF record";
        /* §4.5 none at the top; §5.2 / §6.1: permerror for include and
         * redirect targets without a record. */
        if (f->kind == FRAME_TOP)
            finish(ev, MC_SPF_NONE, mc_arena_printf(ev->arena, "%s has no SPF record", f->domain));
        else
            finish(ev, MC_SPF_PERMERROR,
                   mc_arena_printf(ev->arena,
                                   "%s has no SPF record (%s%s needs one, RFC 7208 "
                                   "section %s)",
                                   f->domain, f->kind == FRAME_INCLUDE ? "include:" : "redirect=",
                                   f->domain, f->kind == FRAME_INCLUDE ? "5.2" : "6.1"));
        run(ev);
        return;
    }
    const struct mc_dns_record *txt = &r->records[index];
    const char *text = mc_arena_memdup(ev->arena, txt->text, txt->text_len);
    ev->steps[step].record = text;
    if (sel == MC_SPF_SELECT_SEVERAL) {
        add_seen(ev, f->domain, text, txt->text_len, NULL);
        ev->steps[step].note = "several SPF records";
        finish(ev, MC_SPF_PERMERROR,
               mc_arena_printf(ev->arena, "%s has several SPF records (RFC 7208 section 4.5)",
                               f->domain));
        run(ev);
        return;
    }
    struct mc_spf_record *rec = mc_arena_alloc(ev->arena, sizeof *rec);
    if (!mc_spf_parse(rec, ev->arena, txt->text, txt->text_len)) {
        add_seen(ev, f->domain, text, txt->text_len, NULL);
        ev->steps[step].note = rec->why;
        finish(
            ev, MC_SPF_PERMERROR,
            mc_arena_printf(ev->arena, "the SPF record of %s is invalid: %s", f->domain, rec->why));
        run(ev);
        return;
    }
    add_seen(ev, f->domain, text, txt->text_len, rec);
    f->rec = rec;
    f->next = 0;
    if (ev->req.prefetch)
        prefetch_record(ev, rec, f->domain, ev->v.dns_lookups);
    run(ev);
}

static void fetch_record(struct mc_spf_eval *ev)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    ev->waiting = true;
    lookup(ev, f->domain, MC_DNS_T_TXT, record_cb);
}

/* ---- validated PTR names (§5.5), for ptr and %{p} ---- */

static void ptr_addr_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    step_lookup(ev, ev->ptr_step, r);
    /* §5.5: a name whose address lookup fails is skipped. */
    for (size_t i = 0; i < ev->nptr_names; i++) {
        if (mc_name_equal(ev->ptr_names[i], r->qname) && r->outcome == MC_DNS_ANSWER) {
            for (size_t j = 0; j < r->count; j++)
                if (memcmp(r->records[j].addr, ev->ip.bytes, ev->ip.family == AF_INET ? 4 : 16) ==
                    0)
                    ev->ptr_valid[i] = true;
        }
    }
    if (--ev->ptr_outstanding == 0) {
        ev->ptr_ready = true;
        ev->waiting = false;
        run(ev);
    }
}

static void ptr_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    step_lookup(ev, ev->ptr_step, r);
    /* §5.5: a failed PTR lookup means no validated names, not temperror. */
    ev->ptr_void = is_void(r);
    if (r->outcome == MC_DNS_ANSWER) {
        /* §4.6.4: at most 10 PTR names are looked up; the rest ignored. */
        ev->nptr_names = r->count < MC_SPF_MAX_PTR_NAMES ? r->count : MC_SPF_MAX_PTR_NAMES;
        for (size_t i = 0; i < ev->nptr_names; i++)
            ev->ptr_names[i] = mc_arena_strdup(ev->arena, r->records[i].name);
    }
    if (ev->nptr_names == 0) {
        ev->ptr_ready = true;
        ev->waiting = false;
        run(ev);
        return;
    }
    ev->ptr_outstanding = (unsigned)ev->nptr_names;
    for (size_t i = 0; i < ev->nptr_names; i++)
        lookup(ev, ev->ptr_names[i], ev->addr_type, ptr_addr_cb);
}

static void ptr_validate_start(struct mc_spf_eval *ev, size_t step)
{
    char rev[80];
    mc_ip_reverse_name(&ev->ip, rev, sizeof rev);
    ev->ptr_step = step;
    /* The ledger line of the validation: no term, no record, the reverse
     * name as its target. */
    ev->steps[step].target = mc_arena_strdup(ev->arena, rev);
    ev->waiting = true;
    lookup(ev, rev, MC_DNS_T_PTR, ptr_cb);
}

/* §7.3: the p macro is a validated name: <domain> itself, else one of its
 * subdomains, else any, else "unknown". */
static const char *choose_p(struct mc_spf_eval *ev)
{
    const char *domain = ev->frames[ev->nframes - 1].domain;
    const char *sub = NULL, *any = NULL;
    size_t dlen = strlen(domain);
    for (size_t i = 0; i < ev->nptr_names; i++) {
        if (!ev->ptr_valid[i])
            continue;
        const char *n = ev->ptr_names[i];
        size_t nlen = strlen(n);
        if (mc_name_equal(n, domain))
            return n;
        if (!sub && nlen > dlen + 1 && n[nlen - dlen - 1] == '.' &&
            mc_ascii_strcasecmp(n + nlen - dlen, domain) == 0)
            sub = n;
        if (!any)
            any = n;
    }
    return sub ? sub : any ? any : "unknown";
}

/* ---- mechanisms ---- */

/* The frame's result is known: RESULT, from matching TERM (or NULL). */
static void frame_end(struct mc_spf_eval *ev, enum mc_spf_result result,
                      const struct mc_spf_term *term);

static void term_done(struct mc_spf_eval *ev)
{
    struct pending_term *pt = &ev->pt;
    ev->waiting = false;
    if (ev->finished) {
        run(ev);
        return;
    }
    if (pt->failed) {
        finish(ev, MC_SPF_TEMPERROR, pt->fail_why);
    } else if (pt->matched) {
        ev->steps[pt->step].matched = true;
        frame_end(ev, pt->term->qualifier, pt->term);
    }
    run(ev);
}

static void addr_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    struct pending_term *pt = &ev->pt;
    step_lookup(ev, pt->step, r);
    if (!mc_dns_outcome_answered(r->outcome)) {
        pt->failed = true;
        ev->v.deadline = ev->v.deadline || r->outcome == MC_DNS_DEADLINE;
        pt->fail_why =
            mc_arena_printf(ev->arena, "the %s lookup of %s failed (%s)", mc_dns_type_str(r->qtype),
                            r->qname, r->why ? r->why : mc_dns_outcome_str(r->outcome));
    } else if (pt->term->kind == MC_SPF_TERM_EXISTS) {
        pt->matched = pt->matched || r->outcome == MC_DNS_ANSWER;
    } else {
        pt->matched = pt->matched || result_matches_ip(ev, r, pt->term);
    }
    /* a and exists: the term's own lookup can be void; an MX host's
     * address lookup is not a term and never counts (§4.6.4). */
    if (pt->term->kind != MC_SPF_TERM_MX && is_void(r) && !ev->finished)
        count_void(ev, pt->step);
    if (--pt->outstanding == 0)
        term_done(ev);
}

static void mx_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    struct pending_term *pt = &ev->pt;
    step_lookup(ev, pt->step, r);
    if (temperror_if_failed(ev, r) || (is_void(r) && !count_void(ev, pt->step))) {
        term_done(ev);
        return;
    }
    /* §4.6.4: more than 10 MX records is a permerror. */
    if (r->count > MC_SPF_MAX_MX_NAMES) {
        ev->v.limit_term = pt->term->text;
        finish(ev, MC_SPF_PERMERROR,
               mc_arena_printf(ev->arena,
                               "'%s' in %s: %s has %zu MX records, more than 10 (RFC 7208 "
                               "section 4.6.4)",
                               pt->term->text, frame_path(ev), pt->target, r->count));
        term_done(ev);
        return;
    }
    pt->outstanding = 0;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->records[i].name, ".") != 0) /* null MX, RFC 7505 */
            pt->outstanding++;
    if (pt->outstanding == 0) {
        term_done(ev);
        return;
    }
    /* Copy the names first: lookups may complete in any order. */
    size_t n = r->count;
    const char **names = mc_arena_alloc(ev->arena, n * sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = mc_arena_strdup(ev->arena, r->records[i].name);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], ".") != 0)
            lookup(ev, names[i], ev->addr_type, addr_cb);
}

/* Adds TARGET to the active path; flags a loop when it is already on it. */
static void path_enter(struct mc_spf_eval *ev, const char *target, size_t step)
{
    for (size_t i = 0; i < ev->npath; i++) {
        if (mc_name_equal(ev->path[i], target)) {
            ev->v.include_loop = true;
            ev->steps[step].note = "loop: this domain is already being evaluated";
        }
    }
    if (ev->npath < sizeof ev->path / sizeof ev->path[0])
        ev->path[ev->npath++] = target;
}

static void include_start(struct mc_spf_eval *ev, const char *target, size_t step)
{
    size_t mark = ev->npath;
    path_enter(ev, target, step);
    if (ev->nframes == MAX_FRAMES) { /* unreachable: the term limit ends it first */
        finish(ev, MC_SPF_PERMERROR, "includes nested too deep");
        return;
    }
    ev->frames[ev->nframes++] = (struct frame){
        .kind = FRAME_INCLUDE,
        .domain = target,
        .include_step = step,
        .path_mark = mark,
    };
    fetch_record(ev);
}

/* Evaluates TERM of the current frame; ends or waits or returns with no
 * match (then run() goes on with the next term). */
static void eval_mechanism(struct mc_spf_eval *ev, const struct mc_spf_term *term)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    /* %{p} and ptr need the validated names of <ip> first (§5.5): find
     * them, then evaluate this term again from the start. */
    if (((term->macros & MC_SPF_MACRO_BIT('p')) || term->kind == MC_SPF_TERM_PTR) &&
        !ev->ptr_ready) {
        size_t step = step_add(ev, NULL, "validating the PTR names of <ip> (section 5.5)");
        f->next--;
        ptr_validate_start(ev, step);
        return;
    }
    if (ev->ptr_ready)
        ev->mctx.ptr_name = choose_p(ev);
    size_t step = step_add(ev, term->text, NULL);
    switch (term->kind) {
    case MC_SPF_TERM_ALL:
        ev->steps[step].matched = true;
        frame_end(ev, term->qualifier, term);
        return;
    case MC_SPF_TERM_IP4:
    case MC_SPF_TERM_IP6: {
        bool family_ok = (term->kind == MC_SPF_TERM_IP4) == (ev->ip.family == AF_INET);
        if (family_ok && in_network(&ev->ip, term->addr,
                                    term->kind == MC_SPF_TERM_IP4 ? term->cidr4 : term->cidr6)) {
            ev->steps[step].matched = true;
            frame_end(ev, term->qualifier, term);
        }
        return;
    }
    default: break;
    }
    if (!count_dns_term(ev, term, step))
        return;
    const char *target = target_of(ev, term);
    if (!target)
        return;
    ev->steps[step].target = target;
    ev->pt = (struct pending_term){.term = term, .target = target, .step = step};
    /* An include target is a <domain> of check_host() (§4.3, §5.2). */
    if (term->kind == MC_SPF_TERM_INCLUDE ? !valid_check_host_domain(target)
                                          : !valid_domain(target)) {
        /* An expansion that is no usable name finds nothing; it is a void
         * lookup without a query (as if the name did not exist). */
        ev->steps[step].note = "the expanded name is not a valid domain name";
        if (term->kind == MC_SPF_TERM_INCLUDE) {
            finish(ev, MC_SPF_PERMERROR,
                   mc_arena_printf(ev->arena, "'%s': %s is not a valid domain name", term->text,
                                   target));
            return;
        }
        count_void(ev, step);
        return;
    }
    switch (term->kind) {
    case MC_SPF_TERM_INCLUDE: include_start(ev, target, step); return;
    case MC_SPF_TERM_A:
        ev->waiting = true;
        ev->pt.outstanding = 1;
        lookup(ev, target, ev->addr_type, addr_cb);
        return;
    case MC_SPF_TERM_EXISTS:
        /* §5.7: always an A lookup, whatever the client's family. */
        ev->waiting = true;
        ev->pt.outstanding = 1;
        lookup(ev, target, MC_DNS_T_A, addr_cb);
        return;
    case MC_SPF_TERM_MX:
        ev->waiting = true;
        lookup(ev, target, MC_DNS_T_MX, mx_cb);
        return;
    case MC_SPF_TERM_PTR:
        for (size_t i = 0; i < ev->nptr_names; i++) {
            const char *n = ev->ptr_names[i];
            size_t nlen = strlen(n), tlen = strlen(target);
            if (!ev->ptr_valid[i])
                continue;
            if (mc_name_equal(n, target) || (nlen > tlen + 1 && n[nlen - tlen - 1] == '.' &&
                                             mc_ascii_strcasecmp(n + nlen - tlen, target) == 0)) {
                ev->steps[step].matched = true;
                frame_end(ev, term->qualifier, term);
                return;
            }
        }
        /* §5.5: no validated name ends in the target: no match; a PTR
         * lookup that found nothing is a void lookup of this term. */
        if (ev->ptr_void)
            count_void(ev, step);
        return;
    default: return;
    }
}

/* ---- frames ---- */

static void exp_txt_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    ev->waiting = false;
    step_lookup(ev, ev->nsteps - 1, r);
    /* §6.2: exactly one TXT record, else no explanation; a failed lookup
     * is no error either: fail stands, without one. */
    if (r->outcome == MC_DNS_ANSWER && r->count == 1) {
        ev->exp_text = mc_arena_memdup(ev->arena, r->records[0].text, r->records[0].text_len);
        ev->exp_len = r->records[0].text_len;
        ev->explain = EXPLAIN_TEXT;
    } else {
        finish(ev, MC_SPF_FAIL, NULL);
    }
    run(ev);
}

/* True when the macro-string S (LEN octets, in MODE) uses %{p} and the
 * validated names of <ip> are not known yet: then they are looked up
 * (§5.5, §7.3) and the caller is entered again from run() once they are. */
static bool explain_needs_ptr(struct mc_spf_eval *ev, const char *s, size_t len,
                              enum mc_spf_macro_mode mode)
{
    unsigned letters = 0;
    const char *why;
    if (ev->ptr_ready || !mc_spf_macro_check(s, len, mode, &letters, &why) ||
        !(letters & MC_SPF_MACRO_BIT('p')))
        return false;
    size_t step = step_add(ev, NULL,
                           "validating the PTR names of <ip> for the explanation "
                           "(section 5.5, not counted)");
    ptr_validate_start(ev, step);
    return true;
}

/* §6.2: on fail, the exp= of the record that decided (the top record or a
 * redirect target's, never an include's) gives the explanation: its
 * domain-spec expanded, its one TXT record fetched and expanded.  Any
 * problem on the way means no explanation, never another result.  These
 * lookups are not terms: they count against no limit (§4.6.4). */
static void explain_step(struct mc_spf_eval *ev)
{
    const struct frame *f = &ev->frames[ev->nframes - 1];
    const struct mc_spf_term *exp = f->rec->exp;
    const char *out = NULL, *why;
    ev->mctx.domain = f->domain;
    switch (ev->explain) {
    case EXPLAIN_TARGET:
        if (explain_needs_ptr(ev, exp->domain_spec, strlen(exp->domain_spec), MC_SPF_MACRO_DOMAIN))
            return;
        ev->mctx.ptr_name = ev->ptr_ready ? choose_p(ev) : NULL;
        if (!mc_spf_macro_expand(&out, ev->arena, &ev->mctx, exp->domain_spec,
                                 strlen(exp->domain_spec), MC_SPF_MACRO_DOMAIN, &why) ||
            !valid_domain(out)) {
            finish(ev, MC_SPF_FAIL, NULL);
            return;
        }
        size_t step = step_add(ev, exp->text, "fetching the explanation (not counted)");
        ev->steps[step].target = out;
        ev->waiting = true;
        lookup(ev, out, MC_DNS_T_TXT, exp_txt_cb);
        return;
    case EXPLAIN_TEXT:
        if (explain_needs_ptr(ev, ev->exp_text, ev->exp_len, MC_SPF_MACRO_EXP))
            return;
        ev->mctx.ptr_name = ev->ptr_ready ? choose_p(ev) : NULL;
        if (mc_spf_macro_expand(&out, ev->arena, &ev->mctx, ev->exp_text, ev->exp_len,
                                MC_SPF_MACRO_EXP, &why))
            ev->v.explanation = out;
        finish(ev, MC_SPF_FAIL, NULL);
        return;
    case EXPLAIN_NONE: break;
    }
}

static void frame_end(struct mc_spf_eval *ev, enum mc_spf_result result,
                      const struct mc_spf_term *term)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    if (f->kind != FRAME_INCLUDE) {
        ev->v.mechanism = term ? term->text : NULL;
        if (result == MC_SPF_FAIL && f->rec && f->rec->exp) {
            ev->explain = EXPLAIN_TARGET; /* run() goes on in explain_step() */
            return;
        }
        finish(ev, result, NULL);
        return;
    }
    /* §5.2: how an include's result maps in the including record. */
    size_t include_step = f->include_step;
    const char *domain = f->domain;
    ev->npath = ev->frames[ev->nframes - 1].path_mark;
    ev->nframes--;
    struct frame *parent = &ev->frames[ev->nframes - 1];
    const struct mc_spf_term *inc = &parent->rec->terms[parent->next - 1];
    switch (result) {
    case MC_SPF_PASS:
        ev->steps[include_step].matched = true;
        frame_end(ev, inc->qualifier, inc);
        return;
    case MC_SPF_FAIL:
    case MC_SPF_SOFTFAIL:
    case MC_SPF_NEUTRAL: return; /* no match: the parent goes on */
    case MC_SPF_TEMPERROR: finish(ev, MC_SPF_TEMPERROR, NULL); return;
    case MC_SPF_NONE:
    case MC_SPF_PERMERROR:
        finish(ev, MC_SPF_PERMERROR,
               mc_arena_printf(ev->arena, "include:%s gave %s", domain, mc_spf_result_str(result)));
        return;
    }
}

/* No mechanism matched: redirect= if there is one (§6.1), else neutral
 * (§4.7). */
static void frame_exhausted(struct mc_spf_eval *ev)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    const struct mc_spf_term *redirect = f->rec->redirect;
    if (!redirect) {
        frame_end(ev, MC_SPF_NEUTRAL, NULL);
        return;
    }
    if ((redirect->macros & MC_SPF_MACRO_BIT('p')) && !ev->ptr_ready) {
        size_t step = step_add(ev, NULL, "validating the PTR names of <ip> (section 5.5)");
        ptr_validate_start(ev, step);
        return;
    }
    if (ev->ptr_ready)
        ev->mctx.ptr_name = choose_p(ev);
    size_t step = step_add(ev, redirect->text, NULL);
    if (!count_dns_term(ev, redirect, step))
        return;
    const char *target = target_of(ev, redirect);
    if (!target)
        return;
    ev->steps[step].target = target;
    if (!valid_check_host_domain(target)) { /* §6.1: malformed: permerror */
        finish(ev, MC_SPF_PERMERROR,
               mc_arena_printf(ev->arena, "'%s': %s is not a valid domain name", redirect->text,
                               target));
        return;
    }
    path_enter(ev, target, step);
    /* The redirect target replaces this record (§6.1). */
    *f = (struct frame){
        .kind = f->kind == FRAME_INCLUDE ? FRAME_INCLUDE : FRAME_REDIRECT,
        .domain = target,
        .include_step = f->include_step,
        .path_mark = f->path_mark,
    };
    fetch_record(ev);
}

/* The dispatcher: evaluates until a lookup is outstanding or the end. */
static void run(struct mc_spf_eval *ev)
{
    while (!ev->finished && !ev->waiting) {
        struct frame *f = &ev->frames[ev->nframes - 1];
        if (ev->explain != EXPLAIN_NONE) {
            explain_step(ev);
            continue;
        }
        if (!f->rec) {
            fetch_record(ev);
            continue;
        }
        if (f->next < f->rec->nterms) {
            const struct mc_spf_term *term = &f->rec->terms[f->next++];
            if (mc_spf_term_is_mechanism(term->kind))
                eval_mechanism(ev, term);
            continue;
        }
        frame_exhausted(ev);
    }
    if (ev->finished && ev->done) {
        mc_spf_done_cb done = ev->done;
        ev->done = NULL;
        done(ev->done_arg, ev);
    }
}

/* ---- entry points ---- */

static void resume_cb(void *arg, const struct mc_dns_result *unused)
{
    struct mc_spf_eval *ev = arg;
    (void)unused;
    ev->waiting = false;
    run(ev);
}

struct mc_spf_eval *mc_spf_eval_start(struct mc_resolver *res, const struct mc_spf_request *req,
                                      mc_spf_done_cb done, void *arg)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_eval *ev = mc_arena_alloc(arena, sizeof *ev);
    ev->arena = arena;
    ev->res = res;
    ev->done = done;
    ev->done_arg = arg;
    ev->req = *req;
    ev->req.helo = mc_arena_strdup(arena, req->helo);
    ev->req.receiver = mc_arena_strdup(arena, req->receiver);

    /* §4.3: no "@": the sender is a domain, postmaster its local-part. */
    const char *sender = req->sender ? req->sender : "";
    const char *at = strrchr(sender, '@');
    const char *local =
        at && at != sender ? mc_arena_strndup(arena, sender, (size_t)(at - sender)) : "postmaster";
    const char *sdomain = mc_arena_strdup(arena, at ? at + 1 : sender);
    size_t sdlen = strlen(sdomain);
    if (sdlen > 1 && sdomain[sdlen - 1] == '.')
        sdomain = mc_arena_strndup(arena, sdomain, sdlen - 1);
    const char *domain = req->domain ? mc_arena_strdup(arena, req->domain) : sdomain;
    ev->v.domain = domain;
    ev->v.sender = mc_arena_printf(arena, "%s@%s", local, sdomain);

    ev->ip = req->ip;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ev->ip.family == AF_INET6 && memcmp(ev->ip.bytes, mapped, 12) == 0) {
        /* §5: an IPv4 client reached over an IPv4-mapped address. */
        ev->ip.family = AF_INET;
        memmove(ev->ip.bytes, ev->ip.bytes + 12, 4);
        memset(ev->ip.bytes + 4, 0, 12);
    }
    ev->addr_type = ev->ip.family == AF_INET ? MC_DNS_T_A : MC_DNS_T_AAAA;
    ev->mctx = (struct mc_spf_macro_ctx){
        .local_part = local,
        .sender_domain = sdomain,
        .domain = domain,
        .family = ev->ip.family,
        .upper_nibbles = req->ip_upper,
        .helo = ev->req.helo,
        .receiver = ev->req.receiver,
        .timestamp = (int64_t)time(NULL),
    };
    memcpy(ev->mctx.addr, ev->ip.bytes, 16);
    ev->frames[0] = (struct frame){.kind = FRAME_TOP, .domain = domain};
    ev->path[0] = domain;
    ev->npath = 1;
    ev->nframes = 1;
    /* §4.3: a malformed or single-label <domain> gives none at once; the
     * callback still comes from the resolver's loop, like every other. */
    if (!valid_check_host_domain(domain)) {
        finish(ev, MC_SPF_NONE,
               mc_arena_printf(arena, "'%s' is not a valid domain name (RFC 7208 section 4.3)",
                               domain));
        ev->waiting = true;
        mc_resolver_post(res, resume_cb, ev);
        return ev;
    }
    run(ev);
    return ev;
}

void mc_spf_eval_free(struct mc_spf_eval *eval)
{
    if (!eval)
        return;
    if (eval->prefetch_pending > 0) { /* the last prefetch callback frees it */
        eval->freed = true;
        return;
    }
    mc_arena_free(eval->arena);
}

const struct mc_spf_verdict *mc_spf_eval_verdict(const struct mc_spf_eval *eval)
{
    return &eval->v;
}

bool mc_spf_eval_done(const struct mc_spf_eval *eval)
{
    return eval->finished;
}
