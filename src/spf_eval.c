/* SPDX-License-Identifier: MIT */
/*
 * spf_eval.c - check_host() (RFC 7208 §4-§6) as an explicit state machine
 * on the run's resolver.
 *
 * The evaluation's state is stored, never derived: enum eval_state names
 * what runs next and, in the *_WAIT states, what it waits for, with the
 * lookups in flight in ev->waits.  run() is the dispatcher: it calls the
 * handler of the current state until one waits for an answer (or the
 * verdict is final); lookup_cb() hands every answer to the handler of the
 * state that waits for it and calls run() again; every transition goes
 * through next_state().  The states: RECORD fetches the record of the
 * frame's <domain> (§4.4) and RECORD_WAIT reads it; TERM evaluates the
 * next term (§4.6.2, §5), ADDR_WAIT, MX_WAIT and MX_HOSTS_WAIT wait for
 * its lookups and TERM_DONE decides on them; PTR_WAIT and PTR_NAMES_WAIT
 * validate the PTR names of <ip> (§5.5) for ptr and %{p}, then go back to
 * the state that needed them; REDIRECT follows redirect= or gives neutral
 * (§6.1, §4.7); after a fail, EXPLAIN, EXPLAIN_WAIT and EXPLAIN_TEXT fetch
 * and expand the explanation (§6.2); DONE holds the verdict.
 *
 * include and redirect push and replace frames on an explicit stack
 * (bounded: every frame but the first costs one of the 10 DNS-querying
 * terms), never recursion across callbacks.  Each RFC limit is enforced in
 * exactly one function, with the section beside it: count_dns_term()
 * (10 terms), count_void() (2 void lookups), handle_mx_wait() (10 MX
 * names), handle_ptr_wait() (10 PTR names).
 *
 * A walk (mc_spf_eval_walk_start(), mc_spf_eval.h) is the same machine
 * with ev->walk set: no client, so no term matches and the frames run to
 * their end; the handlers differ only where a client would be needed or an
 * error would end check_host() (see "the walk" below).  Its own rules sit
 * beside check_host()'s: walk_void() (void lookups per client family),
 * walk_client_term() (terms that need the client), term_error() and
 * record_error() (errors noted, the walk goes on).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mc_util.h"

#define MAX_FRAMES (MC_SPF_MAX_DNS_TERMS + 2)

/* The most lookups one state waits for at once: the hosts of an mx term
 * or the PTR names of <ip>, both at most 10 (§4.6.4). */
#define MAX_WAITS MC_SPF_MAX_MX_NAMES
_Static_assert(MC_SPF_MAX_PTR_NAMES <= MAX_WAITS, "the PTR names fit the wait list");

/* The macro letters a walk cannot expand (§7.2): the client's address
 * (i, v, and p, its validated name), its HELO name (h) and the message's
 * sender (l, s; o is the walked domain).  c, r and t are not allowed in a
 * domain-spec (§7.1). */
#define WALK_CLIENT_MACROS                                                                         \
    (MC_SPF_MACRO_BIT('i') | MC_SPF_MACRO_BIT('v') | MC_SPF_MACRO_BIT('p') |                       \
     MC_SPF_MACRO_BIT('h') | MC_SPF_MACRO_BIT('l') | MC_SPF_MACRO_BIT('s'))

enum frame_kind { FRAME_TOP, FRAME_INCLUDE, FRAME_REDIRECT };

/* What the evaluation does next; a *_WAIT state waits for the lookups in
 * ev->waits, and only an answer to one of them moves it on. */
enum eval_state {
    STATE_RECORD,         /* fetch the record of the frame's <domain> (§4.4) */
    STATE_RECORD_WAIT,    /* waits for that TXT lookup */
    STATE_TERM,           /* evaluate the frame's next term (§4.6.2) */
    STATE_ADDR_WAIT,      /* a, exists: waits for the term's address lookup */
    STATE_MX_WAIT,        /* mx: waits for the MX lookup of the target */
    STATE_MX_HOSTS_WAIT,  /* mx: waits for the address lookups of its hosts */
    STATE_TERM_DONE,      /* a, exists, mx: all answered, decide on a match */
    STATE_PTR_WAIT,       /* waits for the PTR lookup of <ip> (§5.5) */
    STATE_PTR_NAMES_WAIT, /* waits for the address lookups of the PTR names */
    STATE_REDIRECT,       /* no mechanism matched: redirect= or neutral */
    STATE_EXPLAIN,        /* fail with exp=: expand it, fetch its TXT (§6.2) */
    STATE_EXPLAIN_WAIT,   /* waits for the explanation's TXT lookup */
    STATE_EXPLAIN_TEXT,   /* expand the explanation text */
    STATE_DONE,           /* the verdict is final */
};

struct frame {
    enum frame_kind kind;
    const char *domain;
    struct mc_spf_record *rec;         /* NULL until fetched */
    size_t next;                       /* next term to evaluate */
    const struct mc_spf_term *include; /* the include term that made it */
    size_t include_step;               /* its ledger index */
    size_t path_mark;                  /* ev->npath when this frame was pushed */
    bool walk_all;                     /* walk: its all was reached (§5.1) */
};

/* The mechanism in flight and what its lookups returned. */
struct pending_term {
    const struct mc_spf_term *term;
    const char *target;
    size_t step; /* its ledger line */
    bool failed, matched;
    bool void4, void6; /* walk: a lookup of it was void, for clients of that family */
};

/* A lookup a state waits for. */
struct wait {
    const char *name; /* as the resolver reports it: lowercased, no final dot */
    uint16_t type;
    bool answered;
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
    /* The state, the lookups it waits for (how many still unanswered),
     * and the answer lookup_cb() hands to its handler. */
    enum eval_state state;
    struct wait waits[MAX_WAITS];
    size_t nwaits;
    unsigned outstanding;
    const struct mc_dns_result *answer;
    struct wait cut;      /* the first lookup the run's deadline ended, if any */
    const char *exp_text; /* the explanation TXT, once fetched (§6.2) */
    size_t exp_len;
    /* Prefetch (see "prefetch" below): what was sent, how many callbacks
     * are still due, and whether mc_spf_eval_free() waits for them. */
    struct prefetch *prefetches;
    unsigned prefetch_sent, prefetch_pending;
    bool freed;
    /* Validated PTR names of <ip> (§5.5), for ptr and %{p}; after_ptr is
     * the state that asked for them, entered again once they are known. */
    bool ptr_ready;
    bool ptr_void; /* the PTR lookup returned NXDOMAIN or no data */
    const char *ptr_names[MC_SPF_MAX_PTR_NAMES];
    bool ptr_valid[MC_SPF_MAX_PTR_NAMES];
    size_t nptr_names;
    size_t ptr_step;
    enum eval_state after_ptr;
    /* A walk (mc_spf_eval_walk_start()): void lookups per client family,
     * and the first permerror and temperror found on the way. */
    bool walk;
    unsigned void4, void6;
    const char *walk_perm, *walk_temp;
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

/* An answer as the ledger shows it; addresses through mc_ip_format() (RFC
 * 5952, as inet_ntop() writes them, without its sprintf() per group). */
static const char *answer_text(struct mc_arena *arena, const struct mc_dns_record *r)
{
    char buf[64];
    struct mc_ip ip = {.family = r->type == MC_DNS_T_A ? AF_INET : AF_INET6};
    switch (r->type) {
    case MC_DNS_T_A:
    case MC_DNS_T_AAAA:
        memcpy(ip.bytes, r->addr, mc_ip_len(ip.family));
        return mc_arena_strdup(arena, mc_ip_format(&ip, buf, sizeof buf));
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

static int by_lookup(const void *x, const void *y)
{
    const struct mc_spf_lookup *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->type > b->type) - (a->type < b->type);
}

/* The lookups of ledger line STEP from FIRST on (a term's address
 * lookups, after an mx term's MX lookup or the PTR lookup of the ptr
 * names' line) in name and type order, not in the order their answers
 * came: the ledger, and which failure a temperror names, are the same on
 * every run. */
static void sort_lookups_from(struct mc_spf_eval *ev, size_t step, size_t first)
{
    struct mc_spf_step *s = &ev->steps[step];
    if (s->nlookups > first + 1)
        qsort(s->lookups + first, s->nlookups - first, sizeof *s->lookups, by_lookup);
}

/* ---- ending ---- */

/* The one place the state changes.  A state starts with no lookups of its
 * own.  Returns true, for a handler that goes on with STATE. */
static bool next_state(struct mc_spf_eval *ev, enum eval_state state)
{
    ev->state = state;
    ev->nwaits = 0;
    ev->outstanding = 0;
    return true;
}

/* Ends check_host() with RESULT (WHY, unless one was given before).
 * Returns true: the dispatcher goes on and stops at STATE_DONE. */
static bool finish(struct mc_spf_eval *ev, enum mc_spf_result result, const char *why)
{
    ev->v.result = result;
    if (why && !ev->v.why)
        ev->v.why = why;
    ev->v.steps = ev->steps;
    ev->v.nsteps = ev->nsteps;
    ev->v.seen = ev->seen;
    ev->v.nseen = ev->nseen;
    return next_state(ev, STATE_DONE);
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

static void walk_note(struct mc_spf_eval *ev, enum mc_spf_result result, const char *why);

/* RFC 7208 §4.6.4, in a walk: the void lookups of ledger line STEP, for
 * clients of the families V4 and V6.  A client of one family asks a only
 * for that family's addresses, so a name with only A records is a void
 * lookup for IPv6 clients alone; every other void lookup (mx, exists, a
 * name that does not exist) is one for both.  The worse family is the
 * count.  A family's 3rd void lookup is its clients' permerror, noted; the
 * walk goes on for the other family's clients, whose check_host() goes on
 * too, and ends, as theirs does, when both are over.  Returns false when
 * the walk ended. */
static bool walk_void(struct mc_spf_eval *ev, size_t step, bool v4, bool v6)
{
    ev->steps[step].void_lookup = true;
    if (v4 != v6)
        ev->steps[step].note = v4 ? "a void lookup for IPv4 clients only (AAAA answered)"
                                  : "a void lookup for IPv6 clients only (A answered)";
    ev->void4 += v4;
    ev->void6 += v6;
    bool six = ev->void6 > ev->void4;
    /* A family over the limit stopped at its 3rd, whatever the walk saw
     * after it for the other family's clients. */
    unsigned c4 = ev->void4 > MC_SPF_MAX_VOID ? MC_SPF_MAX_VOID + 1 : ev->void4;
    unsigned c6 = ev->void6 > MC_SPF_MAX_VOID ? MC_SPF_MAX_VOID + 1 : ev->void6;
    ev->v.void_lookups = c4 > c6 ? c4 : c6;
    if (ev->v.void_lookups <= MC_SPF_MAX_VOID)
        return true;
    ev->v.limit_term = ev->steps[step].term;
    bool both = ev->void4 > MC_SPF_MAX_VOID && ev->void6 > MC_SPF_MAX_VOID;
    const char *client = both ? "" : six ? " for an IPv6 client" : " for an IPv4 client";
    const char *why =
        mc_arena_printf(ev->arena,
                        "more than 2 void lookups%s (RFC 7208 section 4.6.4): '%s' in "
                        "%s was the 3rd",
                        client, ev->steps[step].term, frame_path(ev));
    if (!both) {
        if (!ev->v.limit_term)
            ev->v.limit_term = ev->steps[step].term;
        walk_note(ev, MC_SPF_PERMERROR, why);
        return true;
    }
    ev->v.limit_term = ev->steps[step].term;
    finish(ev, MC_SPF_PERMERROR, why);
    return false;
}

/* RFC 7208 §4.6.4: at most 2 lookups that return no data or NXDOMAIN.
 * Returns false when the evaluation ended. */
static bool count_void(struct mc_spf_eval *ev, size_t step)
{
    if (ev->walk)
        return walk_void(ev, step, true, true);
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

/* RFC 7208 §4.4 / §2.6.6: a lookup that fails is temperror.  Returns why,
 * in words, or NULL when R was answered. */
/* "the TYPE lookup of NAME failed (WHY)", WHY the failure's detail or its
 * outcome's word. */
static const char *failure_text(struct mc_spf_eval *ev, uint16_t type, const char *name,
                                enum mc_dns_outcome outcome, const char *why)
{
    return mc_arena_printf(ev->arena, "the %s lookup of %s failed (%s)", mc_dns_type_str(type),
                           name, why ? why : mc_dns_outcome_str(outcome));
}

static const char *lookup_failed(struct mc_spf_eval *ev, const struct mc_dns_result *r)
{
    if (mc_dns_outcome_answered(r->outcome))
        return NULL;
    ev->v.deadline = ev->v.deadline || r->outcome == MC_DNS_DEADLINE;
    return failure_text(ev, r->qtype, r->qname, r->outcome, r->why);
}

/* ---- the walk's errors ---- */

/* A walk notes an error RESULT (permerror or temperror) and goes on; the
 * first of each kind is kept for the verdict's why. */
static void walk_note(struct mc_spf_eval *ev, enum mc_spf_result result, const char *why)
{
    const char **first = result == MC_SPF_PERMERROR ? &ev->walk_perm : &ev->walk_temp;
    if (!*first)
        *first = why;
}

/* Ends a walk: permerror when one was found anywhere in the tree, else
 * temperror when a lookup failed, else neutral: walked to the end, and no
 * verdict without a client (mc_spf_eval.h). */
static bool walk_finish(struct mc_spf_eval *ev)
{
    if (ev->walk_perm)
        return finish(ev, MC_SPF_PERMERROR, ev->walk_perm);
    if (ev->walk_temp)
        return finish(ev, MC_SPF_TEMPERROR, ev->walk_temp);
    return finish(ev, MC_SPF_NEUTRAL,
                  "the whole record tree was walked; without a client address there is no "
                  "verdict");
}

/* An error RESULT (WHY) of the term on ledger line STEP: check_host() ends
 * with it; a walk notes it on the line and goes on with the frame's next
 * term (unless the run's deadline passed: nothing more can be asked).
 * Returns true. */
static bool term_error(struct mc_spf_eval *ev, size_t step, enum mc_spf_result result,
                       const char *why)
{
    if (!ev->walk)
        return finish(ev, result, why);
    walk_note(ev, result, why);
    if (!ev->steps[step].note)
        ev->steps[step].note = why;
    return ev->v.deadline ? walk_finish(ev) : next_state(ev, STATE_TERM);
}

/* Ends the walk's top frame (the domain's record or a redirect target's,
 * whose end is the walk's), or pops an include frame: the including record
 * goes on with its next term.  Returns true. */
static bool walk_frame_end(struct mc_spf_eval *ev)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    if (f->kind != FRAME_INCLUDE || ev->v.deadline)
        return walk_finish(ev);
    ev->npath = f->path_mark;
    ev->nframes--;
    return next_state(ev, STATE_TERM);
}

/* An error RESULT (WHY) of the frame's record (its TXT lookup failed, it
 * is missing, several, invalid): check_host() ends with it; a walk notes
 * it, on the include's ledger line too when an include brought the
 * record, and ends the frame.  Returns true. */
static bool record_error(struct mc_spf_eval *ev, enum mc_spf_result result, const char *why)
{
    if (!ev->walk)
        return finish(ev, result, why);
    struct frame *f = &ev->frames[ev->nframes - 1];
    walk_note(ev, result, why);
    if (f->kind == FRAME_INCLUDE && !ev->steps[f->include_step].note)
        ev->steps[f->include_step].note = why;
    return walk_frame_end(ev);
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

static void lookup_cb(void *arg, const struct mc_dns_result *r);

/* NAME as the resolver reports its lookup (mc_dns_result.qname):
 * lowercased, without a final dot, as the ledger shows it. */
static const char *qname_of(struct mc_arena *arena, const char *name)
{
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '.')
        n--;
    return mc_ascii_lower(mc_arena_strndup(arena, name, n));
}

/* Every lookup of the evaluation, the request's retention class with it. */
static void resolver_lookup(struct mc_spf_eval *ev, const char *name, uint16_t type,
                            mc_resolver_cb cb, void *arg)
{
    if (ev->req.lookups_once)
        mc_resolver_lookup_once(ev->res, name, type, cb, arg);
    else
        mc_resolver_lookup_for(ev->res, ev->req.scope, name, type, cb, arg);
}

/* Sends the lookup of NAME/TYPE that the current state waits for (one of
 * at most MAX_WAITS: the callers' §4.6.4 limits bound them). */
static void lookup_send(struct mc_spf_eval *ev, const char *name, uint16_t type)
{
    if (ev->nwaits == MAX_WAITS) /* unreachable: see MAX_WAITS */
        abort();
    ev->waits[ev->nwaits++] = (struct wait){.name = qname_of(ev->arena, name), .type = type};
    ev->outstanding++;
    resolver_lookup(ev, name, type, lookup_cb, ev);
}

/* Enters STATE, which waits for the one lookup of NAME/TYPE.  Returns
 * false: the dispatcher stops until the answer comes. */
static bool wait_for(struct mc_spf_eval *ev, enum eval_state state, const char *name, uint16_t type)
{
    next_state(ev, state);
    lookup_send(ev, name, type);
    return false;
}

/* Every lookup of the evaluation answers here (never from inside
 * mc_resolver_lookup()): R goes to the handler of the state waiting for
 * it, through run(). */
static void lookup_cb(void *arg, const struct mc_dns_result *r)
{
    struct mc_spf_eval *ev = arg;
    for (size_t i = 0; i < ev->nwaits; i++) {
        struct wait *w = &ev->waits[i];
        if (w->answered || w->type != r->qtype || !mc_name_equal(w->name, r->qname))
            continue;
        w->answered = true;
        ev->outstanding--;
        /* What the deadline's finding names, once the evaluation ended. */
        if (r->outcome == MC_DNS_DEADLINE && !ev->cut.name)
            ev->cut = *w;
        ev->answer = r;
        run(ev);
        return;
    }
}

/* The answer lookup_cb() brought for the current state, or NULL. */
static const struct mc_dns_result *take_answer(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = ev->answer;
    ev->answer = NULL;
    return r;
}

static struct frame *top_frame(struct mc_spf_eval *ev)
{
    return &ev->frames[ev->nframes - 1];
}

/* Expands a term's domain-spec (or uses the frame's domain when it has
 * none, §4.8).  Returns NULL with *FAIL, the reason for a permerror, when
 * the expansion fails. */
static const char *target_of(struct mc_spf_eval *ev, const struct mc_spf_term *term,
                             const char **fail)
{
    struct frame *f = &ev->frames[ev->nframes - 1];
    if (!term->domain_spec)
        return f->domain;
    const char *out = NULL, *why = NULL;
    ev->mctx.domain = f->domain;
    if (!mc_spf_macro_expand(&out, ev->arena, &ev->mctx, term->domain_spec,
                             strlen(term->domain_spec), MC_SPF_MACRO_DOMAIN, &why)) {
        *fail = mc_arena_printf(ev->arena, "'%s' in %s: %s", term->text, f->domain, why);
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
    if (ev->state == STATE_DONE || r->outcome != MC_DNS_ANSWER)
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
        /* More than 10 names is a permerror: no host is asked; a walk asks
         * no host at all. */
        if (r->count > MC_SPF_MAX_MX_NAMES || ev->walk)
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
    resolver_lookup(ev, p->name, type, prefetch_cb, p);
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
        /* A walk asks nothing after all, nor redirect= beside it (§5.1,
         * §6.1). */
        if (ev->walk && t->kind == MC_SPF_TERM_ALL)
            return;
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
        /* A walk never asks what needs the client (walk_client_term()). */
        if (ev->walk && (kind == PREFETCH_PTR || (t->macros & WALK_CLIENT_MACROS)))
            continue;
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
        if (ev->walk && t->kind == MC_SPF_TERM_A) /* both families (walk_addr_wait()) */
            prefetch_send(ev, kind, name, MC_DNS_T_AAAA, NULL, position);
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

/* §4.5 none at the top; §5.2 / §6.1: permerror for include and redirect
 * targets without a record. */
static bool no_record(struct mc_spf_eval *ev, const struct frame *f)
{
    if (f->kind == FRAME_TOP)
        return finish(ev, MC_SPF_NONE,
                      mc_arena_printf(ev->arena, "%s has no SPF record", f->domain));
    return record_error(
        ev, MC_SPF_PERMERROR,
        mc_arena_printf(ev->arena,
                        "%s has no SPF record (%s%s needs one, RFC 7208 "
                        "section %s)",
                        f->domain, f->kind == FRAME_INCLUDE ? "include:" : "redirect=", f->domain,
                        f->kind == FRAME_INCLUDE ? "5.2" : "6.1"));
}

/* STATE_RECORD: the record of the frame's <domain> is needed. */
static bool handle_record(struct mc_spf_eval *ev)
{
    return wait_for(ev, STATE_RECORD_WAIT, top_frame(ev)->domain, MC_DNS_T_TXT);
}

/* TXT, on ledger line STEP, is the SPF record of the frame's <domain>, or
 * the first of SEVERAL (§4.5: permerror): parse it, evaluate its terms. */
static bool record_use(struct mc_spf_eval *ev, size_t step, const struct mc_dns_record *txt,
                       bool several)
{
    struct frame *f = top_frame(ev);
    const char *text = mc_arena_memdup(ev->arena, txt->text, txt->text_len);
    ev->steps[step].record = text;
    if (several) {
        add_seen(ev, f->domain, text, txt->text_len, NULL);
        ev->steps[step].note = "several SPF records";
        return record_error(ev, MC_SPF_PERMERROR,
                            mc_arena_printf(ev->arena,
                                            "%s has several SPF records (RFC 7208 section 4.5)",
                                            f->domain));
    }
    struct mc_spf_record *rec = mc_arena_alloc(ev->arena, sizeof *rec);
    if (!mc_spf_parse(rec, ev->arena, txt->text, txt->text_len)) {
        add_seen(ev, f->domain, text, txt->text_len, NULL);
        ev->steps[step].note = rec->why;
        return record_error(
            ev, MC_SPF_PERMERROR,
            mc_arena_printf(ev->arena, "the SPF record of %s is invalid: %s", f->domain, rec->why));
    }
    add_seen(ev, f->domain, text, txt->text_len, rec);
    f->rec = rec;
    f->next = 0;
    if (ev->req.prefetch)
        prefetch_record(ev, rec, f->domain, ev->v.dns_lookups);
    return next_state(ev, STATE_TERM);
}

/* STATE_RECORD_WAIT: the TXT lookup of the frame's <domain> came back. */
static bool handle_record_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    size_t step = step_add(ev, NULL, NULL);
    step_lookup(ev, step, r);
    /* §4.4: a failed TXT lookup is temperror. */
    const char *failed = lookup_failed(ev, r);
    if (failed)
        return record_error(ev, MC_SPF_TEMPERROR, failed);
    size_t index = 0;
    enum mc_spf_select sel = r->outcome == MC_DNS_ANSWER
                                 ? mc_spf_select(&index, r->records, r->count)
                                 : MC_SPF_SELECT_NONE;
    if (sel == MC_SPF_SELECT_NONE) {
        ev->steps[step].note = "no SPF record";
        return no_record(ev, top_frame(ev));
    }
    return record_use(ev, step, &r->records[index], sel == MC_SPF_SELECT_SEVERAL);
}

/* ---- validated PTR names (§5.5), for ptr and %{p} ---- */

/* Starts validating the PTR names of <ip> on a ledger line of its own
 * (NOTE; no term, no record, the reverse name as its target).  Once they
 * are known the evaluation goes on in AFTER, the state that needed them. */
static bool ptr_validate_start(struct mc_spf_eval *ev, const char *note, enum eval_state after)
{
    char rev[80];
    mc_ip_reverse_name(&ev->ip, rev, sizeof rev);
    ev->ptr_step = step_add(ev, NULL, note);
    ev->steps[ev->ptr_step].target = mc_arena_strdup(ev->arena, rev);
    ev->after_ptr = after;
    return wait_for(ev, STATE_PTR_WAIT, rev, MC_DNS_T_PTR);
}

/* STATE_PTR_WAIT: the PTR lookup of <ip> came back; look up the address
 * of each name it gave. */
static bool handle_ptr_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
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
        return next_state(ev, ev->after_ptr);
    }
    next_state(ev, STATE_PTR_NAMES_WAIT);
    for (size_t i = 0; i < ev->nptr_names; i++)
        lookup_send(ev, ev->ptr_names[i], ev->addr_type);
    return false;
}

/* STATE_PTR_NAMES_WAIT: one PTR name's address lookup came back; a name
 * is validated when one of its addresses is <ip>. */
static bool handle_ptr_names_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    step_lookup(ev, ev->ptr_step, r);
    /* §5.5: a name whose address lookup fails is skipped. */
    for (size_t i = 0; i < ev->nptr_names; i++) {
        if (mc_name_equal(ev->ptr_names[i], r->qname) && r->outcome == MC_DNS_ANSWER) {
            for (size_t j = 0; j < r->count; j++)
                if (memcmp(r->records[j].addr, ev->ip.bytes, mc_ip_len(ev->ip.family)) == 0)
                    ev->ptr_valid[i] = true;
        }
    }
    if (ev->outstanding > 0)
        return false;
    sort_lookups_from(ev, ev->ptr_step, 1); /* after the PTR lookup */
    ev->ptr_ready = true;
    return next_state(ev, ev->after_ptr);
}

/* §7.3: the p macro is a validated name: <domain> itself, else one of its
 * subdomains, else any, else "unknown". */
static const char *choose_p(struct mc_spf_eval *ev)
{
    const char *domain = ev->frames[ev->nframes - 1].domain;
    const char *sub = NULL, *any = NULL;
    for (size_t i = 0; i < ev->nptr_names; i++) {
        if (!ev->ptr_valid[i])
            continue;
        const char *n = ev->ptr_names[i];
        if (mc_name_equal(n, domain))
            return n;
        if (!sub && mc_name_at_or_below(n, domain))
            sub = n;
        if (!any)
            any = n;
    }
    return sub ? sub : any ? any : "unknown";
}

/* ---- mechanisms ---- */

/* The frame's result is known: RESULT, from matching TERM (or NULL).
 * Sets the state that follows; returns true. */
static bool frame_end(struct mc_spf_eval *ev, enum mc_spf_result result,
                      const struct mc_spf_term *term);

/* TERM, on ledger line STEP, matched: its qualifier is the frame's result
 * (§4.6.2). */
static bool term_matched(struct mc_spf_eval *ev, size_t step, const struct mc_spf_term *term)
{
    ev->steps[step].matched = true;
    return frame_end(ev, term->qualifier, term);
}

/* Why the pending term failed: its first failed lookup (in ledger order). */
static const char *term_failure(struct mc_spf_eval *ev, const struct pending_term *pt)
{
    const struct mc_spf_step *s = &ev->steps[pt->step];
    for (size_t i = 0; i < s->nlookups; i++) {
        const struct mc_spf_lookup *l = &s->lookups[i];
        if (!mc_dns_outcome_answered(l->outcome))
            return failure_text(ev, l->type, l->name, l->outcome, l->why);
    }
    return "a lookup failed";
}

/* STATE_TERM_DONE: every lookup of the pending a, exists or mx term came
 * back: one that failed is temperror (§4.4, §2.6.6), else the term
 * matched or the next one is evaluated. */
static bool handle_term_done(struct mc_spf_eval *ev)
{
    struct pending_term *pt = &ev->pt;
    sort_lookups_from(ev, pt->step, pt->term->kind == MC_SPF_TERM_MX ? 1 : 0);
    if (pt->failed)
        return term_error(ev, pt->step, MC_SPF_TEMPERROR, term_failure(ev, pt));
    if (pt->matched)
        return term_matched(ev, pt->step, pt->term);
    return next_state(ev, STATE_TERM);
}

/* Records R, one address lookup of the pending term (a, exists, or an mx
 * host), and what it means for the match. */
static void addr_answered(struct mc_spf_eval *ev, const struct mc_dns_result *r)
{
    struct pending_term *pt = &ev->pt;
    step_lookup(ev, pt->step, r);
    if (!mc_dns_outcome_answered(r->outcome)) {
        pt->failed = true; /* term_failure() names it */
        ev->v.deadline = ev->v.deadline || r->outcome == MC_DNS_DEADLINE;
    } else if (ev->walk) {
        return; /* no client: nothing matches */
    } else if (pt->term->kind == MC_SPF_TERM_EXISTS) {
        pt->matched = pt->matched || r->outcome == MC_DNS_ANSWER;
    } else {
        pt->matched = pt->matched || result_matches_ip(ev, r, pt->term);
    }
}

/* STATE_ADDR_WAIT in a walk: one of the lookups of an a term (A and AAAA)
 * or of an exists term (A) came back.  Once all are in, the term's void
 * lookups are counted, per family (walk_void()). */
static bool walk_addr_wait(struct mc_spf_eval *ev, const struct mc_dns_result *r)
{
    struct pending_term *pt = &ev->pt;
    addr_answered(ev, r);
    if (is_void(r)) {
        bool both = pt->term->kind != MC_SPF_TERM_A; /* exists asks A for every client */
        pt->void4 = pt->void4 || both || r->qtype == MC_DNS_T_A;
        pt->void6 = pt->void6 || both || r->qtype == MC_DNS_T_AAAA;
    }
    if (ev->outstanding > 0)
        return false;
    /* The ledger in the order asked, whichever answer came first. */
    struct mc_spf_step *s = &ev->steps[pt->step];
    if (s->nlookups == 2 && s->lookups[0].type == MC_DNS_T_AAAA) {
        struct mc_spf_lookup first = s->lookups[1];
        s->lookups[1] = s->lookups[0];
        s->lookups[0] = first;
    }
    if ((pt->void4 || pt->void6) && !walk_void(ev, pt->step, pt->void4, pt->void6))
        return true;
    return next_state(ev, STATE_TERM_DONE);
}

/* STATE_ADDR_WAIT: the address lookup of an a or exists term came back. */
static bool handle_addr_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    if (ev->walk)
        return walk_addr_wait(ev, r);
    addr_answered(ev, r);
    /* The term's own lookup can be void (§4.6.4). */
    if (is_void(r) && !count_void(ev, ev->pt.step))
        return true;
    return next_state(ev, STATE_TERM_DONE);
}

/* STATE_MX_HOSTS_WAIT: one mx host's address lookup came back.  It is no
 * term of its own and never counts as a void lookup (§4.6.4). */
static bool handle_mx_hosts_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    addr_answered(ev, r);
    return ev->outstanding == 0 ? next_state(ev, STATE_TERM_DONE) : false;
}

/* STATE_MX_WAIT: the MX lookup of an mx term came back; look up the
 * address of each host (§5.4). */
static bool handle_mx_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    struct pending_term *pt = &ev->pt;
    step_lookup(ev, pt->step, r);
    const char *failed = lookup_failed(ev, r);
    if (failed)
        return term_error(ev, pt->step, MC_SPF_TEMPERROR, failed);
    if (is_void(r) && !count_void(ev, pt->step))
        return true;
    /* §4.6.4: more than 10 MX records is a permerror. */
    if (r->count > MC_SPF_MAX_MX_NAMES) {
        if (!ev->v.limit_term)
            ev->v.limit_term = pt->term->text;
        return term_error(ev, pt->step, MC_SPF_PERMERROR,
                          mc_arena_printf(ev->arena,
                                          "'%s' in %s: %s has %zu MX records, more than 10 (RFC "
                                          "7208 section 4.6.4)",
                                          pt->term->text, frame_path(ev), pt->target, r->count));
    }
    /* A walk asks no host's address: the client's family is unknown, and
     * they count as no term and no void lookup (§4.6.4); the names are
     * within the limit of 10. */
    if (ev->walk) {
        if (r->count > 0 && !ev->steps[pt->step].note)
            ev->steps[pt->step].note = "the MX names' addresses are not asked in a walk";
        return next_state(ev, STATE_TERM);
    }
    /* Copy the names first: R is borrowed, and sending changes the
     * resolver's cache. */
    size_t n = 0;
    const char **hosts = mc_arena_alloc(ev->arena, (r->count + 1) * sizeof *hosts);
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->records[i].name, ".") != 0) /* null MX, RFC 7505 */
            hosts[n++] = mc_arena_strdup(ev->arena, r->records[i].name);
    if (n == 0)
        return next_state(ev, STATE_TERM_DONE);
    next_state(ev, STATE_MX_HOSTS_WAIT);
    for (size_t i = 0; i < n; i++)
        lookup_send(ev, hosts[i], ev->addr_type);
    return false;
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

/* Pushes the frame of include:TARGET (TERM, on ledger line STEP). */
static bool include_start(struct mc_spf_eval *ev, const char *target,
                          const struct mc_spf_term *term, size_t step)
{
    size_t mark = ev->npath;
    path_enter(ev, target, step);
    if (ev->nframes == MAX_FRAMES) /* unreachable: the term limit ends it first */
        return finish(ev, MC_SPF_PERMERROR, "includes nested too deep");
    ev->frames[ev->nframes++] = (struct frame){
        .kind = FRAME_INCLUDE,
        .domain = target,
        .include = term,
        .include_step = step,
        .path_mark = mark,
    };
    return next_state(ev, STATE_RECORD);
}

/* §5.5: ptr matches when a validated name is the target or ends in it;
 * a PTR lookup that found nothing is a void lookup of this term. */
static bool ptr_term(struct mc_spf_eval *ev, const struct mc_spf_term *term, const char *target,
                     size_t step)
{
    for (size_t i = 0; i < ev->nptr_names; i++) {
        if (ev->ptr_valid[i] && mc_name_at_or_below(ev->ptr_names[i], target))
            return term_matched(ev, step, term);
    }
    if (ev->ptr_void)
        count_void(ev, step);
    return true;
}

/* True when TARGET, the expansion of TERM on ledger line STEP, is no
 * usable name; then the term has been dealt with: it finds nothing, a void
 * lookup without a query (as if the name did not exist), or, for include,
 * whose target is a <domain> of check_host() (§4.3, §5.2), permerror. */
static bool target_unusable(struct mc_spf_eval *ev, const struct mc_spf_term *term,
                            const char *target, size_t step)
{
    bool include = term->kind == MC_SPF_TERM_INCLUDE;
    if (include ? valid_check_host_domain(target) : valid_domain(target))
        return false;
    ev->steps[step].note = "the expanded name is not a valid domain name";
    if (include)
        term_error(
            ev, step, MC_SPF_PERMERROR,
            mc_arena_printf(ev->arena, "'%s': %s is not a valid domain name", term->text, target));
    else
        count_void(ev, step);
    return true;
}

/* A walk's TERM on ledger line STEP (counted already) that needs the
 * client: ptr (§5.5: the client's validated names), or a domain-spec with
 * a macro of the client or the message (WALK_CLIENT_MACROS).  A receiver
 * asks for it, so it is one of the 10 (§4.6.4); the walk cannot: nothing
 * is asked, nothing walked below it, and no void lookup counted. */
static void walk_client_term(struct mc_spf_eval *ev, const struct mc_spf_term *term, size_t step)
{
    ev->v.client_terms++;
    if (term->kind == MC_SPF_TERM_PTR) {
        ev->steps[step].note = "needs the client's address (RFC 7208 section 5.5): counted, "
                               "not asked";
        return;
    }
    const char *letters = "";
    static const char names[] = "ivphls";
    for (const char *c = names; *c; c++)
        if (term->macros & MC_SPF_MACRO_BIT(*c))
            letters = mc_arena_printf(ev->arena, "%s%%{%c}", letters, *c);
    ev->steps[step].note = mc_arena_printf(
        ev->arena, "depends on the client address or the message (%s): counted, not asked",
        letters);
}

/* include, a, mx, ptr, exists (TERM, on ledger line STEP): the terms that
 * cost one of the 10 (§4.6.4) and look at a target domain. */
static bool dns_term(struct mc_spf_eval *ev, const struct mc_spf_term *term, size_t step)
{
    if (!count_dns_term(ev, term, step))
        return true;
    if (ev->walk && (term->kind == MC_SPF_TERM_PTR || (term->macros & WALK_CLIENT_MACROS))) {
        walk_client_term(ev, term, step);
        return true;
    }
    const char *fail = NULL;
    const char *target = target_of(ev, term, &fail);
    if (!target)
        return term_error(ev, step, MC_SPF_PERMERROR, fail);
    ev->steps[step].target = target;
    ev->pt = (struct pending_term){.term = term, .target = target, .step = step};
    if (target_unusable(ev, term, target, step))
        return true;
    switch (term->kind) {
    case MC_SPF_TERM_INCLUDE: return include_start(ev, target, term, step);
    case MC_SPF_TERM_A:
        if (ev->walk) { /* the client's family is unknown: both, one term */
            next_state(ev, STATE_ADDR_WAIT);
            lookup_send(ev, target, MC_DNS_T_A);
            lookup_send(ev, target, MC_DNS_T_AAAA);
            return false;
        }
        return wait_for(ev, STATE_ADDR_WAIT, target, ev->addr_type);
    case MC_SPF_TERM_EXISTS: /* §5.7: always an A lookup, whatever the client's family. */
        return wait_for(ev, STATE_ADDR_WAIT, target, MC_DNS_T_A);
    case MC_SPF_TERM_MX: return wait_for(ev, STATE_MX_WAIT, target, MC_DNS_T_MX);
    case MC_SPF_TERM_PTR: return ptr_term(ev, term, target, step);
    default: return true;
    }
}

/* ip4 and ip6 (§5.6): a client of the other family never matches. */
static bool ip_term_matches(const struct mc_spf_eval *ev, const struct mc_spf_term *term)
{
    bool v4 = term->kind == MC_SPF_TERM_IP4;
    return v4 == (ev->ip.family == AF_INET) &&
           in_network(&ev->ip, term->addr, v4 ? term->cidr4 : term->cidr6);
}

/* A walk's mechanism TERM of frame F, on ledger line STEP: none matches.
 * all matches every client, so no receiver evaluates the terms after it
 * (§5.1: they "MUST be ignored"): counting them would report lookups that
 * no receiver makes, and errors none meets.  They get ledger lines, and
 * cost nothing. */
static bool walk_term(struct mc_spf_eval *ev, struct frame *f, const struct mc_spf_term *term,
                      size_t step)
{
    if (f->walk_all) {
        ev->steps[step].note = "after all: never evaluated (RFC 7208 section 5.1)";
        return true;
    }
    switch (term->kind) {
    case MC_SPF_TERM_ALL: f->walk_all = true; return true;
    case MC_SPF_TERM_IP4:
    case MC_SPF_TERM_IP6: return true;
    default: return dns_term(ev, term, step);
    }
}

/* STATE_TERM: the frame's next term, left to right, the first match
 * deciding (§4.6.2); modifiers are not evaluated here.  Past the last
 * term: STATE_REDIRECT. */
static bool handle_term(struct mc_spf_eval *ev)
{
    struct frame *f = top_frame(ev);
    if (f->next == f->rec->nterms)
        return next_state(ev, STATE_REDIRECT);
    const struct mc_spf_term *term = &f->rec->terms[f->next];
    if (!mc_spf_term_is_mechanism(term->kind)) {
        f->next++;
        return true;
    }
    /* %{p} and ptr need the validated names of <ip> first (§5.5): the term
     * stays next, and this state comes back once they are known.  (A walk
     * has no <ip>: walk_client_term().) */
    if (((term->macros & MC_SPF_MACRO_BIT('p')) || term->kind == MC_SPF_TERM_PTR) &&
        !ev->ptr_ready && !ev->walk)
        return ptr_validate_start(ev, "validating the PTR names of <ip> (section 5.5)", STATE_TERM);
    f->next++;
    if (ev->ptr_ready)
        ev->mctx.ptr_name = choose_p(ev);
    size_t step = step_add(ev, term->text, NULL);
    if (ev->walk)
        return walk_term(ev, f, term, step);
    switch (term->kind) {
    case MC_SPF_TERM_ALL: return term_matched(ev, step, term);
    case MC_SPF_TERM_IP4:
    case MC_SPF_TERM_IP6: return ip_term_matches(ev, term) ? term_matched(ev, step, term) : true;
    default: return dns_term(ev, term, step);
    }
}

/* ---- the explanation (§6.2) ---- */

/*
 * On fail, the exp= of the record that decided (the top record or a
 * redirect target's, never an include's) gives the explanation: its
 * domain-spec expanded, its one TXT record fetched and expanded.  Any
 * problem on the way means no explanation, never another result.  These
 * lookups are not terms: they count against no limit (§4.6.4).
 */

#define EXPLAIN_PTR_NOTE                                                                           \
    "validating the PTR names of <ip> for the explanation (section 5.5, not counted)"

/* True when the macro-string S (LEN octets, in MODE) uses %{p} while the
 * validated names of <ip> are not known yet (§7.3). */
static bool needs_ptr_names(const struct mc_spf_eval *ev, const char *s, size_t len,
                            enum mc_spf_macro_mode mode)
{
    unsigned letters = 0;
    const char *why;
    return !ev->ptr_ready && mc_spf_macro_check(s, len, mode, &letters, &why) &&
           (letters & MC_SPF_MACRO_BIT('p'));
}

/* STATE_EXPLAIN: expand exp= and fetch its TXT record. */
static bool handle_explain(struct mc_spf_eval *ev)
{
    const struct frame *f = top_frame(ev);
    const struct mc_spf_term *exp = f->rec->exp;
    size_t len = strlen(exp->domain_spec);
    const char *out = NULL, *why;
    if (needs_ptr_names(ev, exp->domain_spec, len, MC_SPF_MACRO_DOMAIN))
        return ptr_validate_start(ev, EXPLAIN_PTR_NOTE, STATE_EXPLAIN);
    ev->mctx.domain = f->domain;
    ev->mctx.ptr_name = ev->ptr_ready ? choose_p(ev) : NULL;
    if (!mc_spf_macro_expand(&out, ev->arena, &ev->mctx, exp->domain_spec, len, MC_SPF_MACRO_DOMAIN,
                             &why) ||
        !valid_domain(out))
        return finish(ev, MC_SPF_FAIL, NULL);
    size_t step = step_add(ev, exp->text, "fetching the explanation (not counted)");
    ev->steps[step].target = out;
    return wait_for(ev, STATE_EXPLAIN_WAIT, out, MC_DNS_T_TXT);
}

/* STATE_EXPLAIN_WAIT: exactly one TXT record, else no explanation; a
 * failed lookup is no error either: fail stands, without one. */
static bool handle_explain_wait(struct mc_spf_eval *ev)
{
    const struct mc_dns_result *r = take_answer(ev);
    if (!r)
        return false;
    step_lookup(ev, ev->nsteps - 1, r);
    if (r->outcome != MC_DNS_ANSWER || r->count != 1)
        return finish(ev, MC_SPF_FAIL, NULL);
    ev->exp_text = mc_arena_memdup(ev->arena, r->records[0].text, r->records[0].text_len);
    ev->exp_len = r->records[0].text_len;
    return next_state(ev, STATE_EXPLAIN_TEXT);
}

/* STATE_EXPLAIN_TEXT: expand the explanation; fail, with it or without. */
static bool handle_explain_text(struct mc_spf_eval *ev)
{
    const char *out = NULL, *why;
    if (needs_ptr_names(ev, ev->exp_text, ev->exp_len, MC_SPF_MACRO_EXP))
        return ptr_validate_start(ev, EXPLAIN_PTR_NOTE, STATE_EXPLAIN_TEXT);
    ev->mctx.domain = top_frame(ev)->domain;
    ev->mctx.ptr_name = ev->ptr_ready ? choose_p(ev) : NULL;
    if (mc_spf_macro_expand(&out, ev->arena, &ev->mctx, ev->exp_text, ev->exp_len, MC_SPF_MACRO_EXP,
                            &why))
        ev->v.explanation = out;
    return finish(ev, MC_SPF_FAIL, NULL);
}

/* ---- frames ---- */

static bool frame_end(struct mc_spf_eval *ev, enum mc_spf_result result,
                      const struct mc_spf_term *term)
{
    struct frame *f = top_frame(ev);
    if (ev->walk) /* nothing matched: the record was walked to its end */
        return walk_frame_end(ev);
    if (f->kind != FRAME_INCLUDE) {
        ev->v.mechanism = term ? term->text : NULL;
        if (result == MC_SPF_FAIL && f->rec && f->rec->exp)
            return next_state(ev, STATE_EXPLAIN);
        return finish(ev, result, NULL);
    }
    /* §5.2: how an include's result maps in the including record. */
    const struct mc_spf_term *inc = f->include;
    size_t include_step = f->include_step;
    const char *domain = f->domain;
    ev->npath = f->path_mark;
    ev->nframes--;
    switch (result) {
    case MC_SPF_PASS:
        ev->steps[include_step].matched = true;
        return frame_end(ev, inc->qualifier, inc);
    case MC_SPF_FAIL:
    case MC_SPF_SOFTFAIL:
    case MC_SPF_NEUTRAL: return next_state(ev, STATE_TERM); /* no match: the parent goes on */
    case MC_SPF_TEMPERROR: return finish(ev, MC_SPF_TEMPERROR, NULL);
    case MC_SPF_NONE:
    case MC_SPF_PERMERROR:
        return finish(
            ev, MC_SPF_PERMERROR,
            mc_arena_printf(ev->arena, "include:%s gave %s", domain, mc_spf_result_str(result)));
    }
    return true;
}

/* An error of redirect= (on ledger line STEP): permerror (§6.1); a walk
 * notes it and ends the frame, whose last term it is. */
static bool redirect_error(struct mc_spf_eval *ev, size_t step, const char *why)
{
    if (!ev->walk)
        return finish(ev, MC_SPF_PERMERROR, why);
    walk_note(ev, MC_SPF_PERMERROR, why);
    ev->steps[step].note = why;
    return walk_frame_end(ev);
}

/* STATE_REDIRECT: no mechanism matched: redirect= if there is one (§6.1),
 * else neutral (§4.7). */
static bool handle_redirect(struct mc_spf_eval *ev)
{
    struct frame *f = top_frame(ev);
    const struct mc_spf_term *redirect = f->rec->redirect;
    if (!redirect)
        return frame_end(ev, MC_SPF_NEUTRAL, NULL);
    /*
     * A walk and redirect= beside all: §6.1 says redirect "MUST be ignored
     * if there is an "all" mechanism anywhere in the record", so no
     * receiver follows it, whatever the client (check_host() never gets
     * here: all matches first).  The walk counts what a receiver may
     * evaluate, so it does not follow it either: counting the target's
     * lookups would report a worst case no receiver meets, and a target
     * without a record would be a permerror no receiver gives.  The ledger
     * shows it, at no cost.
     */
    if (ev->walk && f->walk_all) {
        step_add(ev, redirect->text,
                 "ignored: the record has all (RFC 7208 section 6.1); not followed");
        return frame_end(ev, MC_SPF_NEUTRAL, NULL);
    }
    if ((redirect->macros & MC_SPF_MACRO_BIT('p')) && !ev->ptr_ready && !ev->walk)
        return ptr_validate_start(ev, "validating the PTR names of <ip> (section 5.5)",
                                  STATE_REDIRECT);
    if (ev->ptr_ready)
        ev->mctx.ptr_name = choose_p(ev);
    size_t step = step_add(ev, redirect->text, NULL);
    if (!count_dns_term(ev, redirect, step))
        return true;
    if (ev->walk && (redirect->macros & WALK_CLIENT_MACROS)) {
        walk_client_term(ev, redirect, step);
        return frame_end(ev, MC_SPF_NEUTRAL, NULL);
    }
    const char *fail = NULL;
    const char *target = target_of(ev, redirect, &fail);
    if (!target)
        return redirect_error(ev, step, fail);
    ev->steps[step].target = target;
    if (!valid_check_host_domain(target)) /* §6.1: malformed: permerror */
        return redirect_error(ev, step,
                              mc_arena_printf(ev->arena, "'%s': %s is not a valid domain name",
                                              redirect->text, target));
    path_enter(ev, target, step);
    /* The redirect target replaces this record (§6.1). */
    *f = (struct frame){
        .kind = f->kind == FRAME_INCLUDE ? FRAME_INCLUDE : FRAME_REDIRECT,
        .domain = target,
        .include = f->include,
        .include_step = f->include_step,
        .path_mark = f->path_mark,
    };
    return next_state(ev, STATE_RECORD);
}

/* ---- the dispatcher ---- */

/* Runs the handler of the current state.  Returns true to go on, false
 * when the state waits for an answer or the verdict is final. */
static bool handle(struct mc_spf_eval *ev)
{
    switch (ev->state) {
    case STATE_RECORD: return handle_record(ev);
    case STATE_RECORD_WAIT: return handle_record_wait(ev);
    case STATE_TERM: return handle_term(ev);
    case STATE_ADDR_WAIT: return handle_addr_wait(ev);
    case STATE_MX_WAIT: return handle_mx_wait(ev);
    case STATE_MX_HOSTS_WAIT: return handle_mx_hosts_wait(ev);
    case STATE_TERM_DONE: return handle_term_done(ev);
    case STATE_PTR_WAIT: return handle_ptr_wait(ev);
    case STATE_PTR_NAMES_WAIT: return handle_ptr_names_wait(ev);
    case STATE_REDIRECT: return handle_redirect(ev);
    case STATE_EXPLAIN: return handle_explain(ev);
    case STATE_EXPLAIN_WAIT: return handle_explain_wait(ev);
    case STATE_EXPLAIN_TEXT: return handle_explain_text(ev);
    case STATE_DONE: return false;
    }
    return false;
}

/* Handles states until one waits or the verdict is final, then (once)
 * calls back. */
static void run(struct mc_spf_eval *ev)
{
    while (handle(ev))
        continue;
    ev->answer = NULL;
    if (ev->state == STATE_DONE && ev->done) {
        mc_spf_done_cb done = ev->done;
        ev->done = NULL;
        done(ev->done_arg, ev);
    }
}

/* ---- entry points ---- */

static void resume_cb(void *arg, const struct mc_dns_result *unused)
{
    (void)unused;
    run(arg);
}

/* A new evaluation in its own arena, calling DONE(ARG) once it ends. */
static struct mc_spf_eval *eval_new(struct mc_resolver *res, mc_spf_done_cb done, void *arg)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_spf_eval *ev = mc_arena_alloc(arena, sizeof *ev);
    ev->arena = arena;
    ev->res = res;
    ev->done = done;
    ev->done_arg = arg;
    return ev;
}

/* Starts EV at the record of DOMAIN (§4.3, §4.4). */
static struct mc_spf_eval *eval_begin(struct mc_spf_eval *ev, const char *domain)
{
    ev->frames[0] = (struct frame){.kind = FRAME_TOP, .domain = domain};
    ev->path[0] = domain;
    ev->npath = 1;
    ev->nframes = 1;
    /* §4.3: a malformed or single-label <domain> gives none at once; the
     * callback still comes from the resolver's loop, like every other. */
    if (!valid_check_host_domain(domain)) {
        finish(ev, MC_SPF_NONE,
               mc_arena_printf(ev->arena, "'%s' is not a valid domain name (RFC 7208 section 4.3)",
                               domain));
        mc_resolver_post(ev->res, resume_cb, ev);
        return ev;
    }
    next_state(ev, STATE_RECORD);
    run(ev);
    return ev;
}

struct mc_spf_eval *mc_spf_eval_start(struct mc_resolver *res, const struct mc_spf_request *req,
                                      mc_spf_done_cb done, void *arg)
{
    struct mc_spf_eval *ev = eval_new(res, done, arg);
    struct mc_arena *arena = ev->arena;
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
    return eval_begin(ev, domain);
}

struct mc_spf_eval *mc_spf_eval_walk_start(struct mc_resolver *res, const char *domain,
                                           bool prefetch, mc_spf_done_cb done, void *arg)
{
    struct mc_spf_eval *ev = eval_new(res, done, arg);
    const char *d = domain ? domain : "";
    size_t len = strlen(d);
    d = mc_arena_strndup(ev->arena, d, len > 1 && d[len - 1] == '.' ? len - 1 : len);
    ev->walk = true;
    ev->v.walk = true;
    ev->v.domain = d;
    ev->req = (struct mc_spf_request){.domain = d, .prefetch = prefetch};
    /* No client: a asks both families (walk_addr_wait()); the letters of
     * WALK_CLIENT_MACROS are never expanded, d and o are the walked
     * domains. */
    ev->addr_type = MC_DNS_T_A;
    ev->mctx = (struct mc_spf_macro_ctx){
        .local_part = "postmaster",
        .sender_domain = d,
        .domain = d,
        .family = AF_INET,
        .timestamp = (int64_t)time(NULL),
    };
    return eval_begin(ev, d);
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
    return eval->state == STATE_DONE;
}

struct mc_spf_verdict mc_spf_eval_verdict_at_deadline(const struct mc_spf_eval *eval,
                                                      const char *why)
{
    struct mc_spf_verdict v = eval->v;
    if (eval->state == STATE_DONE)
        return v;
    v.result = MC_SPF_TEMPERROR;
    v.deadline = true;
    v.why = why;
    v.nsteps = v.nseen = 0;
    return v;
}

bool mc_spf_eval_awaiting(const struct mc_spf_eval *eval, const char **name, uint16_t *type)
{
    const struct wait *w = NULL;
    if (eval->state == STATE_DONE)
        w = &eval->cut;
    else
        for (size_t i = 0; i < eval->nwaits && !w; i++)
            if (!eval->waits[i].answered)
                w = &eval->waits[i];
    if (!w || !w->name)
        return false;
    *name = w->name;
    *type = w->type;
    return true;
}
