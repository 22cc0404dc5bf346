/* SPDX-License-Identifier: MIT */
/*
 * postfix_master.c - the master.cf parser (see mc_postfix_master.h):
 * physical lines are joined into logical lines (master(5), "Syntax"),
 * remembering which physical line each piece came from, so that every
 * service and every -o override carries the line a finding names.
 *
 * Ownership: the master set owns its services, their strings and their
 * override arrays (all malloc'd).
 */
#include "mc_postfix_master.h"
#include "mc_array.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MIN_FIELDS 8 /* service type private unpriv chroot wakeup maxproc command */
/* Bounds far above any real master.cf (the stock one has some 30 services),
 * so that lookups over services and overrides stay cheap. */
#define MAX_SERVICES 10000
#define MAX_OVERRIDES 1000

/* A logical line: its text, and where each physical line starts in it. */
struct logical {
    char *text;
    size_t len, cap;
    struct segment {
        size_t offset;
        unsigned line;
    } * segments;
    size_t nsegments, segments_cap;
};

static void logical_add(struct logical *l, const char *s, size_t n, unsigned line)
{
    if (l->len > 0) {
        MC_ARRAY_RESERVE(l->text, l->cap, l->len + 2);
        l->text[l->len++] = ' ';
    }
    MC_ARRAY_RESERVE(l->segments, l->segments_cap, l->nsegments + 1);
    l->segments[l->nsegments++] = (struct segment){.offset = l->len, .line = line};
    MC_ARRAY_RESERVE(l->text, l->cap, l->len + n + 1);
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

/* The physical line of OFFSET.  Offsets are asked in increasing order:
 * *SEG, the segment found last, only moves forward (linear in all). */
static unsigned line_at(const struct logical *l, size_t offset, size_t *seg)
{
    while (*seg + 1 < l->nsegments && l->segments[*seg + 1].offset <= offset)
        (*seg)++;
    return l->nsegments ? l->segments[*seg].line : 0;
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A field of a logical line: its text (trimmed inside braces) and whether
 * it was braced. */
struct field {
    const char *s;
    size_t n;
    size_t offset;
    bool braced;
};

/* The next field at *POS, or false at the end; *WHY on an unbalanced "{". */
static bool next_field(const struct logical *l, size_t *pos, struct field *f, bool *unbalanced)
{
    const char *t = l->text;
    size_t i = *pos;
    while (i < l->len && is_blank((unsigned char)t[i]))
        i++;
    if (i >= l->len)
        return false;
    f->offset = i;
    if (t[i] == '{') {
        size_t start = ++i;
        int depth = 1;
        while (i < l->len && depth > 0) {
            if (t[i] == '{')
                depth++;
            else if (t[i] == '}')
                depth--;
            i++;
        }
        if (depth > 0) {
            *unbalanced = true;
            return false;
        }
        size_t end = i - 1; /* the closing brace */
        while (start < end && is_blank((unsigned char)t[start]))
            start++;
        while (end > start && is_blank((unsigned char)t[end - 1]))
            end--;
        *f = (struct field){.s = t + start, .n = end - start, .offset = f->offset, .braced = true};
    } else {
        size_t start = i;
        while (i < l->len && !is_blank((unsigned char)t[i]))
            i++;
        *f = (struct field){.s = t + start, .n = i - start, .offset = start, .braced = false};
    }
    *pos = i;
    return true;
}

static void trimmed(const char *s, size_t n, const char **out, size_t *outn)
{
    while (n > 0 && is_blank((unsigned char)*s))
        s++, n--;
    while (n > 0 && is_blank((unsigned char)s[n - 1]))
        n--;
    *out = s;
    *outn = n;
}

/* "name=value" (or "name = value" from braces) into an override. */
static bool add_override(struct mc_postfix_service *svc, const char *s, size_t n, unsigned line)
{
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return false;
    const char *name, *value;
    size_t nlen, vlen;
    trimmed(s, (size_t)(eq - s), &name, &nlen);
    trimmed(eq + 1, n - (size_t)(eq - s) - 1, &value, &vlen);
    if (nlen == 0)
        return false;
    MC_ARRAY_RESERVE(svc->overrides, svc->overrides_cap, svc->noverrides + 1);
    svc->overrides[svc->noverrides++] = (struct mc_postfix_override){
        .name = mc_xstrndup(name, nlen), .value = mc_xstrndup(value, vlen), .line = line};
    return true;
}

static void service_reset(struct mc_postfix_service *s)
{
    free(s->name);
    free(s->type);
    free(s->command);
    for (size_t i = 0; i < s->noverrides; i++) {
        free(s->overrides[i].name);
        free(s->overrides[i].value);
    }
    free(s->overrides);
    memset(s, 0, sizeof *s);
}

/* One logical line into a service of M. */
static enum mc_status parse_service(struct mc_postfix_master *m, const struct logical *l,
                                    char **why)
{
    size_t seg = 0;
    struct mc_postfix_service svc = {.line = line_at(l, 0, &seg)};
    size_t pos = 0, nfields = 0;
    bool unbalanced = false, want_override = false;
    struct field f;
    while (next_field(l, &pos, &f, &unbalanced)) {
        nfields++;
        unsigned line = line_at(l, f.offset, &seg);
        if (nfields == 1)
            svc.name = mc_xstrndup(f.s, f.n);
        else if (nfields == 2)
            svc.type = mc_xstrndup(f.s, f.n);
        else if (nfields == MIN_FIELDS)
            svc.command = mc_xstrndup(f.s, f.n);
        if (nfields <= MIN_FIELDS)
            continue;
        bool ok = true;
        if (want_override) {
            ok = add_override(&svc, f.s, f.n, line);
            want_override = false;
        } else if (!f.braced && f.n == 2 && memcmp(f.s, "-o", 2) == 0) {
            want_override = true;
        } else if (!f.braced && f.n > 2 && memcmp(f.s, "-o", 2) == 0) {
            ok = add_override(&svc, f.s + 2, f.n - 2, line);
        }
        if (!ok || svc.noverrides > MAX_OVERRIDES) {
            *why = ok ? mc_xasprintf("master.cf line %u: service %s: more than %d -o overrides",
                                     line, svc.name, MAX_OVERRIDES)
                      : mc_xasprintf("master.cf line %u: service %s: -o without name=value", line,
                                     svc.name);
            service_reset(&svc);
            return MC_ERR_INPUT;
        }
    }
    if (unbalanced || want_override || nfields < MIN_FIELDS) {
        *why = unbalanced      ? mc_xasprintf("master.cf line %u: a '{' without its '}'", svc.line)
               : want_override ? mc_xasprintf("master.cf line %u: service %s: -o at the end of "
                                              "the line, without name=value",
                                              svc.line, svc.name)
                               : mc_xasprintf("master.cf line %u: %zu fields, a service needs %d "
                                              "(service type private unpriv chroot wakeup "
                                              "maxproc command)",
                                              svc.line, nfields, MIN_FIELDS);
        service_reset(&svc);
        return MC_ERR_INPUT;
    }
    if (m->nservices == MAX_SERVICES) {
        *why = mc_xasprintf("master.cf line %u: more than %d services", svc.line, MAX_SERVICES);
        service_reset(&svc);
        return MC_ERR_INPUT;
    }
    MC_ARRAY_RESERVE(m->services, m->services_cap, m->nservices + 1);
    m->services[m->nservices++] = svc;
    return MC_OK;
}

enum mc_status mc_postfix_master_parse(const char *text, size_t len, struct mc_postfix_master **out,
                                       char **why)
{
    struct mc_postfix_master *m = mc_xcalloc(1, sizeof *m);
    struct logical l = {0};
    enum mc_status st = MC_OK;
    unsigned line_no = 0;
    for (size_t pos = 0; pos < len && st == MC_OK;) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line_no++;
        if (memchr(start, '\0', n)) {
            *why = mc_xasprintf("master.cf line %u: contains a NUL byte", line_no);
            st = MC_ERR_INPUT;
            break;
        }
        size_t k = 0;
        while (k < n && is_blank((unsigned char)start[k]))
            k++;
        if (k == n || start[k] == '#') /* blank or comment line */
            continue;
        if (k > 0) { /* continues the logical line */
            if (l.nsegments == 0) {
                *why = mc_xasprintf("master.cf line %u: a continuation line (it starts with "
                                    "whitespace) with no service before it",
                                    line_no);
                st = MC_ERR_INPUT;
                break;
            }
            logical_add(&l, start + k, n - k, line_no);
            continue;
        }
        if (l.nsegments > 0)
            st = parse_service(m, &l, why);
        l.len = 0;
        l.nsegments = 0;
        logical_add(&l, start, n, line_no);
    }
    if (st == MC_OK && l.nsegments > 0)
        st = parse_service(m, &l, why);
    free(l.text);
    free(l.segments);
    if (st != MC_OK) {
        mc_postfix_master_free(m);
        return st;
    }
    *out = m;
    return MC_OK;
}

void mc_postfix_master_free(struct mc_postfix_master *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nservices; i++)
        service_reset(&m->services[i]);
    free(m->services);
    free(m);
}

const struct mc_postfix_service *mc_postfix_master_find(const struct mc_postfix_master *m,
                                                        const char *name, const char *type)
{
    for (size_t i = 0; m && i < m->nservices; i++)
        if (strcmp(m->services[i].name, name) == 0 && strcmp(m->services[i].type, type) == 0)
            return &m->services[i];
    return NULL;
}

const struct mc_postfix_override *mc_postfix_service_override(const struct mc_postfix_service *svc,
                                                              const char *name)
{
    const struct mc_postfix_override *found = NULL;
    for (size_t i = 0; i < svc->noverrides; i++)
        if (strcmp(svc->overrides[i].name, name) == 0)
            found = &svc->overrides[i];
    return found;
}
