/* SPDX-License-Identifier: MIT */
/*
 * dnsbl.c - the blocklist check (mailcheck(1), BLOCKLISTS; RFC 5782).
 *
 * An address is asked as its reversed octets (IPv4) or 32 reversed
 * nibbles (IPv6) under the list's zone (RFC 5782 sections 2.1, 2.4), a
 * name as itself (section 3); an A answer is read through the table
 * (mc_dnsbl_classify()), and a listing gets one TXT lookup for the list's
 * reason (section 2.1).  NXDOMAIN (or no A record) is "not listed".
 *
 * Health (RFC 5782 section 5): before any verdict of a list counts, its
 * test points must answer as the RFC says: 127.0.0.2 listed and 127.0.0.1
 * not (and ::FFFF:7F00:2 / ::FFFF:7F00:1 when an IPv6 address is asked),
 * TEST listed and INVALID not for a domain list.  The check runs once per
 * list and run (struct health, in the run's memo, not the resolver's
 * cache, which a batch trims); subjects are asked meanwhile and wait for
 * it.  A list that fails it, answers an error code or fails a lookup
 * gives no verdict (listed null, dnsbl-unusable); never a listing.
 *
 * Fan-out: each (list, subject) is an item with a `remaining` count (its
 * lookups and the health checks it waits for); the step that brings it to
 * zero ends the item and calls the check back once.
 *
 * Ownership: the run's arena holds the lists and the health memo (its
 * strings never name the key); a check's arena holds its items and
 * waiter nodes; results from the resolver are read in their callbacks and
 * not kept.
 */
#include "mc_dnsbl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_arena.h"
#include "mc_array.h"
#include "mc_dmarc.h"
#include "mc_hostname.h"

/* A TXT reason longer than this is cut (RFC 5782 section 2.1 expects a
 * short text; a hostile one must not grow the report). */
#define REASON_MAX_OCTETS 300
/* A DNS name, presentation form without the trailing dot (RFC 1035 §2.3.4). */
#define NAME_MAX_OCTETS 253

enum health_state { HEALTH_UNSTARTED, HEALTH_PENDING, HEALTH_DONE };

struct item;

struct waiter {
    struct item *item;
    struct waiter *next;
};

/* One half of a list's health check: the base test points (index 0), or
 * the IPv6 ones of an address list (index 1). */
struct health {
    enum health_state state;
    unsigned remaining;
    bool deadline;   /* cut by the run's deadline: no finding of its own */
    const char *why; /* why the list fails it (run arena), NULL when it passes */
    struct waiter *waiters;
};

struct blocklist {
    const struct mc_dnsbl_list *entry; /* the table's, or the generic rule */
    const char *name;                  /* the public zone: what reports say */
    const char *query_zone;            /* where it is asked (KEY.DQS with a key) */
    struct health health[2];
};

struct mc_dnsbl_run {
    struct mc_arena *arena;
    struct blocklist *lists;
    size_t nlists;
    const char *key; /* the DQS key, or NULL: never in a report */
};

struct item {
    struct mc_dnsbl_check *dc;
    struct blocklist *bl;
    const char *subject; /* address text or lowercased name */
    bool is_address;
    struct mc_ip ip;
    bool ipv6;
    const char *qname;
    unsigned remaining;
    bool done;
    int listed;      /* 1, 0, -1 (no verdict) */
    uint32_t *codes; /* listing codes, ascending */
    size_t ncodes;
    const char *meaning;
    const char *reason;
    const char *why; /* subject-level reason for no verdict */
    bool deadline;   /* a lookup of it was cut by the deadline */
};

struct mc_dnsbl_check {
    struct mc_dnsbl_run *run;
    struct mc_resolver *res;
    struct mc_arena *arena;
    struct item **items;
    size_t nitems, items_cap;
    mc_dnsbl_done_cb done;
    void *done_arg;
};

/* ---- the run ---- */

/* Where KEY (lowercase) first occurs in S, ignoring ASCII case, or NULL. */
static const char *find_key(const char *s, const char *key, size_t klen)
{
    for (; *s; s++) {
        size_t i = 0;
        while (i < klen && s[i] && mc_ascii_tolower(s[i]) == key[i])
            i++;
        if (i == klen)
            return s;
    }
    return NULL;
}

/* TEXT with every occurrence of the run's key, in any letter case (names
 * go out in random case under --dns0x20), written KEY: for any text that
 * may quote a name asked (a resolver's `why`). */
static const char *redact(const struct mc_dnsbl_run *run, struct mc_arena *a, const char *text)
{
    if (!text || !run->key)
        return text;
    const char *s = text, *hit;
    const char *out = "";
    size_t klen = strlen(run->key);
    while ((hit = find_key(s, run->key, klen)) != NULL) {
        out = mc_arena_printf(a, "%s%.*s%s", out, (int)(hit - s), s, "KEY");
        s = hit + klen;
    }
    return mc_arena_concat(a, out, s);
}

static bool key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!mc_ascii_isalnum(key[i]) && !(key[i] == '-' && i > 0 && i + 1 < n))
            return false;
    return true;
}

/* ZONE as given, lowercased and without a trailing dot, into the arena;
 * NULL with *WHY when it is not a domain name of two labels or more. */
static const char *zone_name(struct mc_arena *a, const char *zone, char **why)
{
    const char *problem = "it has one label only";
    if (!mc_hostname_is_ldh(zone, &problem) || !strchr(zone, '.') ||
        strchr(zone, '.') == zone + strlen(zone) - 1) {
        *why = mc_xasprintf("--dnsbl %s: not a domain name: %s", zone, problem);
        return NULL;
    }
    return mc_ascii_lower(mc_arena_strndup(a, zone, mc_name_len(zone)));
}

static bool run_add(struct mc_dnsbl_run *run, const struct mc_dnsbl_table *table, const char *given,
                    size_t *cap, bool *key_used, char **why)
{
    const char *zone = zone_name(run->arena, given, why);
    if (!zone)
        return false;
    for (size_t i = 0; i < run->nlists; i++)
        if (strcmp(run->lists[i].name, zone) == 0)
            return true; /* named twice: asked once */
    const struct mc_dnsbl_list *entry = table ? mc_dnsbl_table_find(table, zone) : NULL;
    if (entry && entry->retired) {
        *why = mc_xasprintf("--dnsbl %s: %s is retired (%s): %s; a dead list's zone may answer "
                            "anything, so it is not asked (mailcheck(1), BLOCKLISTS)",
                            given, entry->zone, entry->retired, entry->retired_why);
        return false;
    }
    MC_ARENA_ARRAY_RESERVE(run->arena, run->lists, *cap, run->nlists + 1);
    struct blocklist *bl = &run->lists[run->nlists++];
    *bl = (struct blocklist){.entry = entry ? entry : mc_dnsbl_table_generic(), .name = zone};
    if (run->key && entry && entry->dqs) {
        bl->query_zone = mc_arena_printf(run->arena, "%s.%s", run->key, entry->dqs);
        *key_used = true;
    } else {
        bl->query_zone = zone;
    }
    return true;
}

enum mc_status mc_dnsbl_run_new(const struct mc_dnsbl_table *table, const char *const *zones,
                                size_t nzones, const char *key, struct mc_dnsbl_run **out,
                                char **why)
{
    struct mc_dnsbl_run *run = mc_xcalloc(1, sizeof *run);
    run->arena = mc_arena_new();
    if (key && !key_valid(key)) {
        *why = mc_xstrdup("--dnsbl-key: not a DQS key (letters and digits, at most 63)");
        mc_dnsbl_run_free(run);
        return MC_ERR_USAGE;
    }
    if (key) {
        run->key = mc_ascii_lower(mc_arena_strdup(run->arena, key));
    }
    size_t cap = 0;
    bool key_used = false;
    for (size_t i = 0; i < nzones; i++) {
        if (!run_add(run, table, zones[i], &cap, &key_used, why)) {
            mc_dnsbl_run_free(run);
            return MC_ERR_USAGE;
        }
    }
    if (key && !key_used) {
        *why = mc_xstrdup("--dnsbl-key: no list named with --dnsbl has a Data Query Service "
                          "zone in the table (Spamhaus: zen.spamhaus.org, dbl.spamhaus.org)");
        mc_dnsbl_run_free(run);
        return MC_ERR_USAGE;
    }
    *out = run;
    return MC_OK;
}

void mc_dnsbl_run_free(struct mc_dnsbl_run *run)
{
    if (!run)
        return;
    mc_arena_free(run->arena);
    free(run);
}

/* ---- reading answers ---- */

static uint32_t record_addr(const struct mc_dns_record *rec)
{
    return (uint32_t)rec->addr[0] << 24 | (uint32_t)rec->addr[1] << 16 |
           (uint32_t)rec->addr[2] << 8 | rec->addr[3];
}

static const char *quad(struct mc_arena *a, uint32_t v)
{
    return mc_arena_printf(a, "%u.%u.%u.%u", v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff);
}

static int by_value(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* What one A lookup says on list L: 1 listed (codes in *CODES, from A),
 * 0 not listed, -1 no verdict with *WHY.  *DEADLINE when the deadline cut
 * it. */
struct reading {
    int listed;
    uint32_t *codes;
    size_t ncodes;
    const char *why;
    bool deadline;
    bool other; /* no verdict only because an answer is outside the table */
};

static struct reading read_answer(const struct mc_dnsbl_run *run, struct mc_arena *a,
                                  const struct mc_dnsbl_list *l, const struct mc_dns_result *r)
{
    struct reading out = {.listed = -1};
    if (r->outcome == MC_DNS_NXDOMAIN || r->outcome == MC_DNS_NODATA) {
        out.listed = 0;
        return out;
    }
    if (r->outcome == MC_DNS_DEADLINE) {
        out.deadline = true;
        out.why = "the deadline passed";
        return out;
    }
    if (r->outcome != MC_DNS_ANSWER) {
        out.why = mc_arena_printf(a, "the lookup failed (%s%s%s)", mc_dns_outcome_str(r->outcome),
                                  r->why ? ": " : "", r->why ? redact(run, a, r->why) : "");
        return out;
    }
    out.codes = mc_arena_alloc(a, (r->count + 1) * sizeof *out.codes);
    for (size_t i = 0; i < r->count; i++) {
        uint32_t v = record_addr(&r->records[i]);
        const struct mc_dnsbl_code *code = mc_dnsbl_classify(l, v);
        if (!code) {
            out.why = mc_arena_printf(a, "it answered %s, which is none of its codes", quad(a, v));
            out.other = true;
            continue; /* an error code among the answers still wins */
        }
        if (code->class == MC_DNSBL_ERROR) {
            out.why =
                mc_arena_printf(a, "it answered the error code %s: %s", quad(a, v), code->meaning);
            out.other = false;
            out.ncodes = 0;
            return out;
        }
        out.codes[out.ncodes++] = v;
    }
    if (out.other) {
        out.ncodes = 0;
        return out;
    }
    qsort(out.codes, out.ncodes, sizeof *out.codes, by_value);
    out.listed = 1;
    return out;
}

/* ---- health (RFC 5782 section 5) ---- */

struct point {
    struct mc_dnsbl_run *run;
    struct blocklist *bl;
    struct health *h;
    const char *label; /* "127.0.0.2", "TEST", ... as reports name it */
    bool must_list;
};

static void item_step(struct item *it);

static void health_end(struct health *h)
{
    h->state = HEALTH_DONE;
    struct waiter *w = h->waiters;
    h->waiters = NULL;
    for (; w; w = w->next)
        item_step(w->item);
}

static void point_cb(void *arg, const struct mc_dns_result *r)
{
    struct point *p = arg;
    struct mc_arena *a = p->run->arena;
    struct reading rd = read_answer(p->run, a, p->bl->entry, r);
    /* A test point is listed by any answer that is no error code: a list
     * answering a code its table lacks still works (RFC 5782 section 5
     * asks only that 127.0.0.2 be listed). */
    if (rd.other)
        rd.listed = 1;
    const char *why = NULL;
    if (rd.deadline) {
        p->h->deadline = true;
        why = "the deadline passed before its health check ended";
    } else if (rd.listed < 0) {
        why = mc_arena_printf(a, "for its test point %s %s", p->label, rd.why);
    } else if (p->must_list && rd.listed == 0) {
        why = mc_arena_printf(a,
                              "it does not list its test point %s, as every working list does "
                              "(RFC 5782 section 5): it may be dead, or refuse this resolver",
                              p->label);
    } else if (!p->must_list && rd.listed == 1) {
        why = mc_arena_printf(a,
                              "it lists %s, which no list may (RFC 5782 section 5): it "
                              "answers \"listed\" for anything",
                              p->label);
    }
    if (why && !p->h->why)
        p->h->why = why;
    if (--p->h->remaining == 0)
        health_end(p->h);
}

static void point_start(struct mc_dnsbl_check *dc, struct blocklist *bl, struct health *h,
                        const char *labels, const char *label, bool must_list)
{
    struct mc_dnsbl_run *run = dc->run;
    struct point *p = mc_arena_alloc(run->arena, sizeof *p);
    *p = (struct point){.run = run, .bl = bl, .h = h, .label = label, .must_list = must_list};
    h->remaining++;
    const char *qname = mc_arena_printf(dc->arena, "%s.%s", labels, bl->query_zone);
    /* asked once per run: the memo keeps the verdict, the cache need not */
    mc_resolver_lookup_once(dc->res, qname, MC_DNS_T_A, point_cb, p);
}

static void health_start(struct mc_dnsbl_check *dc, struct blocklist *bl, int index)
{
    struct health *h = &bl->health[index];
    h->state = HEALTH_PENDING;
    if (bl->entry->kind == MC_DNSBL_KIND_DOMAIN) {
        point_start(dc, bl, h, "test", "TEST", true);
        point_start(dc, bl, h, "invalid", "INVALID", false);
        return;
    }
    static const char *const labels[2][2] = {{"127.0.0.2", "127.0.0.1"},
                                             {"::ffff:127.0.0.2", "::ffff:127.0.0.1"}};
    for (int k = 0; k < 2; k++) {
        struct mc_ip ip;
        char rev[80];
        (void)mc_ip_parse(labels[index][k], &ip);
        if (index == 1)
            ip.family = AF_INET6; /* an IPv4-mapped address stays IPv6 (nibbles) */
        point_start(dc, bl, h, mc_ip_reverse_labels(&ip, rev, sizeof rev), labels[index][k],
                    k == 0);
    }
}

/* Makes IT wait for health check INDEX of its list, starting it first. */
static void item_needs_health(struct item *it, int index)
{
    struct health *h = &it->bl->health[index];
    if (h->state == HEALTH_DONE)
        return;
    struct waiter *w = mc_arena_alloc(it->dc->arena, sizeof *w);
    *w = (struct waiter){.item = it, .next = h->waiters};
    h->waiters = w;
    it->remaining++;
    if (h->state == HEALTH_UNSTARTED)
        health_start(it->dc, it->bl, index);
}

/* ---- one (list, subject) ---- */

static void item_finish(struct item *it)
{
    it->done = true;
    it->dc->done(it->dc->done_arg);
}

static void item_step(struct item *it)
{
    if (--it->remaining == 0)
        item_finish(it);
}

/* Appends SRC[0..LEN) to BUF (holding *N octets) up to REASON_MAX_OCTETS;
 * false when it had to cut. */
static bool append_bounded(char *buf, size_t *n, const char *src, size_t len)
{
    size_t room = REASON_MAX_OCTETS - *n, take = len < room ? len : room;
    memcpy(buf + *n, src, take);
    *n += take;
    return take == len;
}

static void txt_cb(void *arg, const struct mc_dns_result *r)
{
    struct item *it = arg;
    if (r->outcome == MC_DNS_ANSWER && r->count > 0) {
        /* Several TXT records: joined with "; ", the whole cut at a bound. */
        char buf[REASON_MAX_OCTETS];
        size_t n = 0;
        bool whole = true;
        for (size_t i = 0; i < r->count && whole; i++)
            whole = (i == 0 || append_bounded(buf, &n, "; ", 2)) &&
                    append_bounded(buf, &n, r->records[i].text, r->records[i].text_len);
        const char *text = mc_dmarc_printable(it->dc->arena, buf, n);
        it->reason = whole ? text : mc_arena_printf(it->dc->arena, "%s...", text);
    }
    item_step(it);
}

/* Asks for IT's name: an address's lookups are its own (no later
 * --batch line is likely to ask them again), a name's may be shared (a
 * sender domain of many lines). */
static void item_lookup(struct item *it, uint16_t type, mc_resolver_cb cb)
{
    if (it->is_address)
        mc_resolver_lookup_once(it->dc->res, it->qname, type, cb, it);
    else
        mc_resolver_lookup(it->dc->res, it->qname, type, cb, it);
}

static void answer_cb(void *arg, const struct mc_dns_result *r)
{
    struct item *it = arg;
    struct mc_dnsbl_check *dc = it->dc;
    struct reading rd = read_answer(dc->run, dc->arena, it->bl->entry, r);
    it->listed = rd.listed;
    it->codes = rd.codes;
    it->ncodes = rd.ncodes;
    it->why = rd.why;
    it->deadline = rd.deadline;
    if (rd.listed == 1) {
        it->meaning = mc_dnsbl_classify(it->bl->entry, rd.codes[0])->meaning;
        it->remaining++; /* the reason (RFC 5782 section 2.1) */
        item_lookup(it, MC_DNS_T_TXT, txt_cb);
    }
    item_step(it);
}

static bool item_known(const struct mc_dnsbl_check *dc, const struct blocklist *bl,
                       const char *subject)
{
    for (size_t i = 0; i < dc->nitems; i++)
        if (dc->items[i]->bl == bl && strcmp(dc->items[i]->subject, subject) == 0)
            return true;
    return false;
}

/* Adds the item (BL, SUBJECT) asked as LABELS under the list's zone.
 * Returns 1 when it will call back, 0 when it ended at once (a name too
 * long to ask, a list whose health check failed already). */
static unsigned item_add(struct mc_dnsbl_check *dc, struct blocklist *bl, const char *subject,
                         const char *labels, const struct mc_ip *ip)
{
    struct item *it = mc_arena_alloc(dc->arena, sizeof *it);
    *it = (struct item){.dc = dc, .bl = bl, .subject = subject, .listed = -1};
    if (ip) {
        it->is_address = true;
        it->ip = *ip;
        it->ipv6 = ip->family == AF_INET6;
    }
    MC_ARENA_ARRAY_RESERVE(dc->arena, dc->items, dc->items_cap, dc->nitems + 1);
    dc->items[dc->nitems++] = it;
    if (strlen(labels) + 1 + strlen(bl->query_zone) > NAME_MAX_OCTETS) {
        it->why =
            mc_arena_printf(dc->arena, "%s under %s is longer than a DNS name may be (253 octets)",
                            subject, bl->name);
        it->done = true;
        return 0;
    }
    bool failed = false;
    for (int k = 0; k < (it->ipv6 ? 2 : 1); k++)
        failed = failed || (bl->health[k].state == HEALTH_DONE && bl->health[k].why);
    if (failed) { /* no verdict can come of it: not asked */
        it->done = true;
        return 0;
    }
    it->qname = mc_arena_printf(dc->arena, "%s.%s", labels, bl->query_zone);
    it->remaining = 1; /* held until every wait is registered */
    item_needs_health(it, 0);
    if (it->ipv6)
        item_needs_health(it, 1);
    it->remaining++;
    item_lookup(it, MC_DNS_T_A, answer_cb);
    /* Drop the hold: callbacks run from the loop, never before this. */
    it->remaining--;
    return 1;
}

struct mc_dnsbl_check *mc_dnsbl_check_new(struct mc_dnsbl_run *run, struct mc_resolver *res,
                                          mc_dnsbl_done_cb done, void *arg)
{
    struct mc_dnsbl_check *dc = mc_xcalloc(1, sizeof *dc);
    *dc = (struct mc_dnsbl_check){
        .run = run, .res = res, .arena = mc_arena_new(), .done = done, .done_arg = arg};
    return dc;
}

void mc_dnsbl_check_free(struct mc_dnsbl_check *dc)
{
    if (!dc)
        return;
    mc_arena_free(dc->arena);
    free(dc);
}

unsigned mc_dnsbl_check_address(struct mc_dnsbl_check *dc, const struct mc_ip *ip)
{
    char text[64], labels[80];
    mc_ip_format(ip, text, sizeof text);
    mc_ip_reverse_labels(ip, labels, sizeof labels);
    unsigned n = 0;
    for (size_t i = 0; i < dc->run->nlists; i++) {
        struct blocklist *bl = &dc->run->lists[i];
        if (bl->entry->kind != MC_DNSBL_KIND_ADDRESS ||
            (ip->family == AF_INET6 && bl->entry->ipv4_only) || item_known(dc, bl, text))
            continue;
        n += item_add(dc, bl, mc_arena_strdup(dc->arena, text), labels, ip);
    }
    return n;
}

unsigned mc_dnsbl_check_name(struct mc_dnsbl_check *dc, const char *name)
{
    char *subject = mc_ascii_lower(mc_arena_strndup(dc->arena, name, mc_name_len(name)));
    unsigned n = 0;
    for (size_t i = 0; i < dc->run->nlists; i++) {
        struct blocklist *bl = &dc->run->lists[i];
        if (bl->entry->kind != MC_DNSBL_KIND_DOMAIN || item_known(dc, bl, subject))
            continue;
        n += item_add(dc, bl, subject, subject, NULL);
    }
    return n;
}

/* ---- the report ---- */

static size_t list_index(const struct mc_dnsbl_check *dc, const struct blocklist *bl)
{
    return (size_t)(bl - dc->run->lists);
}

static int item_order(const void *x, const void *y)
{
    const struct item *a = *(const struct item *const *)x, *b = *(const struct item *const *)y;
    const struct mc_dnsbl_run *run = a->dc->run;
    size_t la = (size_t)(a->bl - run->lists), lb = (size_t)(b->bl - run->lists);
    if (la != lb)
        return la < lb ? -1 : 1;
    if (a->is_address != b->is_address)
        return a->is_address ? -1 : 1;
    if (a->is_address)
        return mc_ip_compare(&a->ip, &b->ip);
    return strcmp(a->subject, b->subject);
}

/* Why the list of IT gives no verdict for it, when its health check
 * failed (the list-level reason), else NULL. */
static const struct health *failed_health(const struct item *it)
{
    for (int k = 0; k < (it->ipv6 ? 2 : 1); k++) {
        const struct health *h = &it->bl->health[k];
        if (h->state == HEALTH_DONE && h->why)
            return h;
    }
    return NULL;
}

static void list_unusable(struct mc_report *rep, const struct blocklist *bl, const struct health *h)
{
    bool ipv6 = h == &bl->health[1];
    mc_report_add_finding(
        rep, "dnsbl-unusable", MC_SEV_UNKNOWN, bl->name,
        mc_arena_printf(rep->arena,
                        "the blocklist %s gives no verdict%s: %s; none of its answers is read "
                        "as a listing",
                        bl->name, ipv6 ? " for IPv6 addresses" : "", h->why),
        "ask the list through a recursive resolver of your own (lists refuse public "
        "resolvers: Spamhaus answers 127.255.255.254), check the list's status and terms "
        "of use, or stop asking it");
}

static void item_findings(struct mc_report *rep, const struct item *it,
                          const struct mc_report_dnsbl *e)
{
    struct mc_arena *ar = rep->arena;
    if (e->listed == 1) {
        const char *codes = "";
        for (size_t i = 0; i < e->ncodes; i++)
            codes = mc_arena_printf(ar, "%s%s%s", codes, i ? ", " : "", e->codes[i]);
        mc_report_add_finding(
            rep, "dnsbl-listed", MC_SEV_CRITICAL, e->subject,
            mc_arena_printf(ar, "%s is listed on %s (%s): %s%s%s", e->subject, e->list, codes,
                            e->meaning, e->reason ? "; the list says: " : "",
                            e->reason ? e->reason : ""),
            mc_arena_printf(ar,
                            "receivers that use %s refuse mail from %s: find the cause on the "
                            "list's lookup page (the reason above often names it), fix it, "
                            "and ask the list to remove the entry",
                            e->list, e->subject));
    } else if (e->listed < 0 && !it->deadline && it->why && !failed_health(it)) {
        mc_report_add_finding(
            rep, "dnsbl-unusable", MC_SEV_UNKNOWN, e->subject,
            mc_arena_printf(ar, "the blocklist %s gives no verdict for %s: %s", e->list, e->subject,
                            it->why),
            "ask again later; if it persists, ask the list through a recursive resolver of "
            "your own, or stop asking it");
    }
}

void mc_dnsbl_check_report(const struct mc_dnsbl_check *dc, struct mc_report *rep)
{
    struct mc_arena *ar = rep->arena;
    rep->dnsbl_asked = true;
    struct item **items = mc_xcalloc(dc->nitems + 1, sizeof *items);
    memcpy(items, dc->items, dc->nitems * sizeof *items);
    qsort(items, dc->nitems, sizeof *items, item_order);
    rep->dnsbl = mc_arena_alloc(ar, (dc->nitems + 1) * sizeof *rep->dnsbl);
    bool *said = mc_xcalloc(2 * dc->run->nlists + 1, sizeof *said); /* per health check */
    for (size_t i = 0; i < dc->nitems; i++) {
        const struct item *it = items[i];
        const struct health *h = failed_health(it);
        struct mc_report_dnsbl *e = &rep->dnsbl[rep->ndnsbl++];
        *e = (struct mc_report_dnsbl){
            .list = mc_arena_strdup(ar, it->bl->name),
            .subject = mc_arena_strdup(ar, it->subject),
            .listed = it->done && !h ? it->listed : -1,
        };
        if (h) {
            e->why = mc_arena_strdup(ar, h->why);
            size_t slot = 2 * list_index(dc, it->bl) + (h == &it->bl->health[1]);
            if (!h->deadline && !said[slot])
                list_unusable(rep, it->bl, h);
            said[slot] = true;
        } else if (!it->done) {
            e->why = "the check's deadline passed";
        } else {
            e->why = mc_arena_strdup(ar, it->why);
        }
        if (e->listed == 1) {
            e->codes = mc_arena_alloc(ar, it->ncodes * sizeof *e->codes);
            for (size_t k = 0; k < it->ncodes; k++)
                e->codes[e->ncodes++] = quad(ar, it->codes[k]);
            e->meaning = mc_arena_strdup(ar, it->meaning);
            e->reason = mc_arena_strdup(ar, it->reason);
            e->why = NULL;
        }
        item_findings(rep, it, e);
    }
    free(said);
    free(items);
}

const char *mc_dnsbl_check_stage(const struct mc_dnsbl_check *dc, struct mc_arena *arena)
{
    for (size_t i = 0; i < dc->nitems; i++) {
        const struct item *it = dc->items[i];
        bool cut = !it->done || it->deadline;
        for (int k = 0; k < (it->ipv6 ? 2 : 1) && !cut; k++)
            cut = it->bl->health[k].deadline;
        if (cut)
            return mc_arena_printf(arena, "the blocklist lookup of %s on %s", it->subject,
                                   it->bl->name);
    }
    return NULL;
}
