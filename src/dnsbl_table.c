/* SPDX-License-Identifier: MIT */
/*
 * dnsbl_table.c - the table of known DNS blocklists (mailcheck(1),
 * BLOCKLISTS, "The table"): a line-oriented text file, one statement a
 * line, parsed with a line number for every message.
 *
 *   list ZONE address|domain [ipv4-only]   starts a list (RFC 5782 sections 2, 3)
 *   dqs ZONE                               its Spamhaus Data Query Service zone
 *   listed CODE[-CODE] MEANING             a listing code (or range) and its meaning
 *   error CODE[-CODE] MEANING              an error code: no verdict
 *   retired ZONE YYYY-MM-DD WHY            a dead list (and every zone below it)
 *
 * '#' starts a comment line; blank lines and leading blanks are ignored.
 * Codes are IPv4 addresses in 127.0.0.0/8 (RFC 5782 section 2.1), ranges
 * of one list never overlap, and every list has a listing code, so that
 * each answer means exactly one thing.  Nothing here asks the DNS.
 *
 * Ownership: the table's arena holds every string and array of it.
 */
#include "mc_dnsbl_table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc_arena.h"
#include "mc_array.h"
#include "mc_file.h"
#include "mc_hostname.h"

#define TABLE_MAX_OCTETS (1024 * 1024)
#define LINE_MAX_OCTETS 1000

struct mc_dnsbl_table {
    struct mc_arena *arena;
    struct mc_dnsbl_list *lists;
    size_t nlists, lists_cap;
};

/* The list being read: its codes grow here until the next statement that
 * ends it. */
struct parser {
    struct mc_dnsbl_table *t;
    const char *file;
    size_t line;
    struct mc_dnsbl_list *cur; /* the last `list`, or NULL */
    struct mc_dnsbl_code *codes;
    size_t ncodes, codes_cap;
    char *why;
};

static bool fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = mc_xvasprintf(fmt, ap);
    va_end(ap);
    p->why = mc_xasprintf("%s:%zu: %s", p->file, p->line, what);
    free(what);
    return false;
}

/* The next blank-separated word of *S (advanced past it), or NULL. */
static const char *word(struct mc_arena *a, const char **s)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *start = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    *s = p;
    return p > start ? mc_arena_strndup(a, start, (size_t)(p - start)) : NULL;
}

/* The rest of *S, blanks around it dropped, or NULL when empty. */
static const char *rest(struct mc_arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n ? mc_arena_strndup(a, s, n) : NULL;
}

/* A dotted quad in 127.0.0.0/8 into *ADDR (host byte order). */
static bool parse_code(const char *text, uint32_t *addr)
{
    uint32_t v = 0;
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (!mc_ascii_isdigit(*p))
            return false;
        unsigned octet = 0;
        int digits = 0;
        while (mc_ascii_isdigit(*p) && digits < 4) {
            octet = octet * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (octet > 255 || digits > 3 || (digits > 1 && p[-digits] == '0'))
            return false;
        v = v << 8 | octet;
        if (i < 3 && *p++ != '.')
            return false;
    }
    *addr = v;
    return *p == '\0' && (v >> 24) == 127;
}

/* A lowercase domain name (LDH, two labels at least), no trailing dot. */
static const char *parse_zone(struct parser *p, const char *text)
{
    const char *problem = NULL;
    if (!text)
        return fail(p, "a zone name is missing"), NULL;
    if (!mc_hostname_is_ldh(text, &problem) || !strchr(text, '.'))
        return fail(p, "not a zone name: %s", text), NULL;
    return mc_ascii_lower(mc_arena_strndup(p->t->arena, text, mc_name_len(text)));
}

static bool is_date(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (!s || strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !mc_ascii_isdigit(s[i]) : s[i] != shape[i])
            return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static const struct mc_dnsbl_list *find_exact(const struct mc_dnsbl_table *t, const char *zone)
{
    for (size_t i = 0; i < t->nlists; i++)
        if (strcmp(t->lists[i].zone, zone) == 0)
            return &t->lists[i];
    return NULL;
}

/* Ends the list being read: it needs a listing code. */
static bool end_list(struct parser *p)
{
    struct mc_dnsbl_list *l = p->cur;
    p->cur = NULL;
    if (!l || l->retired)
        return true;
    bool listed = false;
    for (size_t i = 0; i < p->ncodes; i++)
        listed = listed || p->codes[i].class == MC_DNSBL_LISTED;
    if (!listed) {
        p->line = l->line;
        return fail(p, "list %s has no listing code (a 'listed' line)", l->zone);
    }
    struct mc_dnsbl_code *codes = mc_arena_alloc(p->t->arena, p->ncodes * sizeof *codes);
    memcpy(codes, p->codes, p->ncodes * sizeof *codes);
    l->codes = codes;
    l->ncodes = p->ncodes;
    p->ncodes = 0;
    return true;
}

static struct mc_dnsbl_list *new_list(struct parser *p, const char *zone)
{
    if (find_exact(p->t, zone))
        return fail(p, "%s is in the table twice", zone), NULL;
    struct mc_dnsbl_table *t = p->t;
    MC_ARENA_ARRAY_RESERVE(t->arena, t->lists, t->lists_cap, t->nlists + 1);
    struct mc_dnsbl_list *l = &t->lists[t->nlists++];
    *l = (struct mc_dnsbl_list){.zone = zone, .line = p->line};
    return l;
}

static bool statement_list(struct parser *p, const char *args)
{
    struct mc_arena *a = p->t->arena;
    const char *zone = parse_zone(p, word(a, &args));
    if (!zone)
        return false;
    const char *kind = word(a, &args), *flag = word(a, &args), *extra = word(a, &args);
    bool address = kind && strcmp(kind, "address") == 0;
    if (!kind || (!address && strcmp(kind, "domain") != 0))
        return fail(p, "list %s: the kind must be 'address' or 'domain'", zone);
    if (flag && (!address || strcmp(flag, "ipv4-only") != 0))
        return fail(p, "unexpected '%s' (only an address list takes 'ipv4-only')", flag);
    if (extra)
        return fail(p, "unexpected '%s' after the list", extra);
    struct mc_dnsbl_list *l = new_list(p, zone);
    if (!l)
        return false;
    l->kind = address ? MC_DNSBL_KIND_ADDRESS : MC_DNSBL_KIND_DOMAIN;
    l->ipv4_only = flag != NULL;
    p->cur = l;
    return true;
}

static bool statement_code(struct parser *p, const char *keyword, const char *args)
{
    struct mc_arena *a = p->t->arena;
    if (!p->cur)
        return fail(p, "'%s' before any 'list'", keyword);
    const char *range = word(a, &args), *meaning = rest(a, args);
    if (!range || !meaning)
        return fail(p, "'%s' needs a code (127.0.0.2 or 127.0.0.4-127.0.0.7) and its meaning",
                    keyword);
    const char *dash = strchr(range, '-');
    uint32_t lo, hi;
    char *first = mc_arena_strndup(a, range, dash ? (size_t)(dash - range) : strlen(range));
    if (!parse_code(first, &lo) || !parse_code(dash ? dash + 1 : first, &hi) || lo > hi)
        return fail(p, "not a code or range of codes in 127.0.0.0/8: %s", range);
    for (size_t i = 0; i < p->ncodes; i++)
        if (lo <= p->codes[i].hi && p->codes[i].lo <= hi)
            return fail(p, "%s overlaps an earlier code of the list", range);
    MC_ARRAY_RESERVE(p->codes, p->codes_cap, p->ncodes + 1);
    p->codes[p->ncodes++] = (struct mc_dnsbl_code){
        .lo = lo,
        .hi = hi,
        .class = strcmp(keyword, "listed") == 0 ? MC_DNSBL_LISTED : MC_DNSBL_ERROR,
        .meaning = meaning,
    };
    return true;
}

static bool statement_dqs(struct parser *p, const char *args)
{
    struct mc_arena *a = p->t->arena;
    if (!p->cur)
        return fail(p, "'dqs' before any 'list'");
    if (p->cur->dqs)
        return fail(p, "list %s has a dqs zone already", p->cur->zone);
    const char *zone = parse_zone(p, word(a, &args)), *extra = zone ? word(a, &args) : NULL;
    if (!zone)
        return false;
    if (extra)
        return fail(p, "unexpected '%s' after the dqs zone", extra);
    p->cur->dqs = zone;
    return true;
}

static bool statement_retired(struct parser *p, const char *args)
{
    struct mc_arena *a = p->t->arena;
    const char *zone = parse_zone(p, word(a, &args));
    if (!zone)
        return false;
    const char *date = word(a, &args), *why = rest(a, args);
    if (!is_date(date))
        return fail(p, "retired %s: expected the date it was retired (YYYY-MM-DD)", zone);
    if (!why)
        return fail(p, "retired %s: say why (the rest of the line)", zone);
    struct mc_dnsbl_list *l = new_list(p, zone);
    if (!l)
        return false;
    l->retired = date;
    l->retired_why = why;
    return true;
}

/* One line (NUL-terminated, no newline). */
static bool parse_line(struct parser *p, const char *line)
{
    for (const char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 ? *c != '\t' : (unsigned char)*c > 0x7e)
            return fail(p, "an octet other than printable ASCII or a tab");
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '\0' || *line == '#')
        return true;
    const char *args = line;
    const char *keyword = word(p->t->arena, &args);
    if (strcmp(keyword, "list") == 0)
        return end_list(p) && statement_list(p, args);
    if (strcmp(keyword, "retired") == 0)
        return end_list(p) && statement_retired(p, args);
    if (strcmp(keyword, "listed") == 0 || strcmp(keyword, "error") == 0)
        return statement_code(p, keyword, args);
    if (strcmp(keyword, "dqs") == 0)
        return statement_dqs(p, args);
    return fail(p, "unknown statement '%s' (list, dqs, listed, error or retired)", keyword);
}

enum mc_status mc_dnsbl_table_parse(const char *text, size_t len, const char *file,
                                    struct mc_dnsbl_table **table, char **why)
{
    struct mc_dnsbl_table *t = mc_xcalloc(1, sizeof *t);
    t->arena = mc_arena_new();
    struct parser p = {.t = t, .file = file};
    char buf[LINE_MAX_OCTETS + 1];
    bool ok = true;
    size_t pos = 0;
    while (ok && pos < len) {
        p.line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (n > LINE_MAX_OCTETS) {
            ok = fail(&p, "a line longer than %d octets", LINE_MAX_OCTETS);
        } else if (memchr(text + pos, '\0', n)) {
            ok = fail(&p, "a NUL octet");
        } else {
            memcpy(buf, text + pos, n);
            buf[n] = '\0';
            ok = parse_line(&p, buf);
        }
        pos += n + 1;
    }
    ok = ok && end_list(&p);
    free(p.codes);
    if (!ok) {
        *why = p.why;
        mc_dnsbl_table_free(t);
        return MC_ERR_INPUT;
    }
    *table = t;
    return MC_OK;
}

enum mc_status mc_dnsbl_table_load(const char *path, struct mc_dnsbl_table **table, char **why)
{
    char *text = NULL;
    size_t len = 0;
    enum mc_status st = mc_file_read(path, TABLE_MAX_OCTETS, &text, &len, why);
    if (st != MC_OK)
        return st;
    st = mc_dnsbl_table_parse(text, len, path, table, why);
    free(text);
    return st;
}

void mc_dnsbl_table_free(struct mc_dnsbl_table *table)
{
    if (!table)
        return;
    mc_arena_free(table->arena);
    free(table);
}

const struct mc_dnsbl_list *mc_dnsbl_table_find(const struct mc_dnsbl_table *table,
                                                const char *zone)
{
    const struct mc_dnsbl_list *l = find_exact(table, zone);
    if (l)
        return l;
    /* A retired entry covers the zones below it too (SORBS had many). */
    for (const char *dot = strchr(zone, '.'); dot; dot = strchr(dot + 1, '.')) {
        l = find_exact(table, dot + 1);
        if (l && l->retired)
            return l;
    }
    return NULL;
}

const struct mc_dnsbl_list *mc_dnsbl_table_lists(const struct mc_dnsbl_table *table, size_t *n)
{
    *n = table->nlists;
    return table->lists;
}

const struct mc_dnsbl_list *mc_dnsbl_table_generic(void)
{
    static const struct mc_dnsbl_code codes[] = {
        {0x7f000002, 0x7f0000ff, MC_DNSBL_LISTED, "listed"},
        {0x7fffff00, 0x7fffffff, MC_DNSBL_ERROR, "an error code of the list (127.255.255.0/24)"},
    };
    static const struct mc_dnsbl_list generic = {
        .zone = "",
        .kind = MC_DNSBL_KIND_ADDRESS,
        .codes = codes,
        .ncodes = sizeof codes / sizeof codes[0],
    };
    return &generic;
}

const struct mc_dnsbl_code *mc_dnsbl_classify(const struct mc_dnsbl_list *list, uint32_t addr)
{
    for (size_t i = 0; i < list->ncodes; i++)
        if (list->codes[i].lo <= addr && addr <= list->codes[i].hi)
            return &list->codes[i];
    return NULL;
}
