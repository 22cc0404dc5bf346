/* SPDX-License-Identifier: MIT */
/* json.c - the JSON documents of the renderers: a tree and its writer; see mc_json.h. */
#include "mc_json.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mc_arena.h"
#include "mc_array.h"
#include "mc_render.h"
#include "mc_util.h"

/* PLAIN: a string with no octet to escape, written as it is; DEFERRED: a
 * value its function writes when the document is (mc_json_deferred()). */
enum kind { NUL, TRUE, FALSE, INTEGER, STRING, PLAIN, OBJECT, ARRAY, DEFERRED };

struct mc_json {
    enum kind kind;
    const char *key;      /* as an object's member */
    struct mc_json *next; /* the next member or element of the parent */
    union {
        long long integer;
        struct {
            const char *text;
            size_t len;
        } string;
        struct {
            struct mc_json *first, *last;
        } children;
        struct {
            void (*write)(struct mc_json_writer *w, const void *arg);
            const void *arg; /* borrowed */
        } deferred;
    } u;
};

/* The open document's values (see mc_json.h: one document at a time, on
 * one thread).  Reset, not freed, after each document: its first block
 * serves the next one (in --batch, tens of thousands) with no malloc. */
static struct mc_arena *doc_arena;

void mc_json_begin(void)
{
    if (!doc_arena)
        doc_arena = mc_arena_new_sized(16384);
}

static struct mc_json *value(enum kind kind)
{
    struct mc_json *v = mc_arena_alloc(doc_arena, sizeof *v);
    v->kind = kind;
    v->key = NULL;
    v->next = NULL;
    return v;
}

struct mc_json *mc_json_object(void)
{
    struct mc_json *v = value(OBJECT);
    v->u.children.first = v->u.children.last = NULL;
    return v;
}

struct mc_json *mc_json_array(void)
{
    struct mc_json *v = mc_json_object();
    v->kind = ARRAY;
    return v;
}

struct mc_json *mc_json_null(void)
{
    return value(NUL);
}

struct mc_json *mc_json_bool(bool b)
{
    return value(b ? TRUE : FALSE);
}

struct mc_json *mc_json_integer(long long i)
{
    struct mc_json *v = value(INTEGER);
    v->u.integer = i;
    return v;
}

static struct mc_json *string(enum kind kind, const char *text, size_t len)
{
    struct mc_json *v = value(kind);
    v->u.string.text = text;
    v->u.string.len = len;
    return v;
}

/* Printable ASCII but the quotation mark and the backslash: what a JSON
 * string carries as it is (RFC 8259 section 7). */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Whether the eight octets of W hold one that is not plain: one below
 * 0x20 or above 0x7e, or equal to '"' or '\\' (the tests for a byte less
 * than, more than, or equal to a value of Hacker's Delight 6-1: exact as to
 * whether the word has one, not as to which). */
static bool word_has_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    uint64_t bad = ((w - ones * 0x20) & ~w) | (w + ones) | w | ((quote - ones) & ~quote) |
                   ((backslash - ones) & ~backslash);
    return (bad & highs) != 0;
}

/* The length of the plain prefix of S (N octets): sixteen octets a step
 * where SSE2 is (every x86-64), then eight; a string of eight or more ends
 * with the word of its last eight octets, which overlaps the one before,
 * instead of octet by octet (names and addresses are 10 to 30 octets, a
 * finding's message and fix 100 to 300: in --batch these scans were a
 * tenth of the JSON's cost).  The octet that is not plain is found one at
 * a time. */
static size_t plain_prefix(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    /* As signed octets, plain is from 0x20 up and below 0x7f: 0x80 to 0xff
     * are negative, so one compare (below the space) finds them with the
     * control octets. */
    const __m128i space = _mm_set1_epi8(0x20), tilde = _mm_set1_epi8(0x7e);
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i bad =
            _mm_or_si128(_mm_or_si128(_mm_cmpgt_epi8(space, v), _mm_cmpgt_epi8(v, tilde)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (_mm_movemask_epi8(bad))
            break; /* in these sixteen: the words below find it */
    }
#endif
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (word_has_escape(w))
            break;
    }
    if (i < n && i >= 8 && i + 8 > n) { /* the tail: the last word */
        memcpy(&w, s + n - 8, 8);
        if (!word_has_escape(w))
            return n;
    }
    while (i < n && plain((unsigned char)s[i]))
        i++;
    return i;
}

/* The length of the plain run at S, up to its first other octet or NUL. */
static size_t plain_span(const char *s)
{
    return plain_prefix(s, strlen(s));
}

#ifndef NDEBUG
/* Whether the NUL-terminated S is plain throughout (keys, literals). */
static bool all_plain(const char *s)
{
    return s[plain_span(s)] == '\0';
}
#endif

/* S (not NULL) as a document carries it, for mc_json_safe_string() and
 * mc_jw_safe_string(): *TEXT is S itself or its mc_render_safe() copy, in
 * *OWNED then (caller frees; else NULL), of *LEN octets; returns PLAIN when
 * no octet of it needs a JSON escape, else STRING.  Most strings are host
 * names and words: plain, seen once and written without a second look. */
static enum kind safe_text(const char *s, const char **text, size_t *len, char **owned)
{
    *text = s;
    *owned = NULL;
    size_t span = plain_span(s);
    if (s[span] == '\0') {
        *len = span;
        return PLAIN;
    }
    span += mc_render_safe_span(s + span);
    if (s[span] != '\0')
        *text = *owned = mc_render_safe(s);
    *len = s[span] == '\0' ? span : strlen(*text);
    return STRING;
}

struct mc_json *mc_json_safe_string(const char *s)
{
    if (!s)
        return mc_json_null();
    const char *text;
    size_t len;
    char *owned;
    enum kind kind = safe_text(s, &text, &len, &owned);
    struct mc_json *v = string(kind, mc_arena_memdup(doc_arena, text, len), len);
    free(owned);
    return v;
}

struct mc_json *mc_json_literal(const char *s)
{
    assert(all_plain(s));
    return string(PLAIN, s, strlen(s));
}

struct mc_json *mc_json_utf8(const char *s)
{
    size_t len = strlen(s);
    return string(STRING, mc_arena_memdup(doc_arena, s, len), len);
}

static void link_child(struct mc_json *parent, struct mc_json *child)
{
    if (parent->u.children.last)
        parent->u.children.last->next = child;
    else
        parent->u.children.first = child;
    parent->u.children.last = child;
}

void mc_json_set(struct mc_json *object, const char *key, struct mc_json *v)
{
    assert(all_plain(key));
#ifndef NDEBUG
    /* jansson replaced a key set twice; this tree would write it twice. */
    for (const struct mc_json *m = object->u.children.first; m; m = m->next)
        if (strcmp(m->key, key) == 0) {
            fprintf(stderr, "mc_json_set: key \"%s\" set twice\n", key);
            abort();
        }
#endif
    v->key = key;
    link_child(object, v);
}

void mc_json_append(struct mc_json *array, struct mc_json *v)
{
    link_child(array, v);
}

/* ---- the writer ---- */

/* The document as it grows. */
struct dump_buf {
    char *data;
    size_t len, size;
};

static void put(struct dump_buf *b, const char *s, size_t n)
{
    if (b->size - b->len <= n)
        MC_ARRAY_RESERVE(b->data, b->size, b->len + n + 1);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_char(struct dump_buf *b, char c)
{
    if (b->size - b->len <= 1)
        MC_ARRAY_RESERVE(b->data, b->size, b->len + 2);
    b->data[b->len++] = c;
}

/* A line break and DEPTH levels of INDENT spaces; nothing when compact. */
static void put_indent(struct dump_buf *b, int indent, int depth)
{
    if (indent <= 0)
        return;
    size_t n = 1 + (size_t)indent * (size_t)depth;
    if (b->size - b->len <= n)
        MC_ARRAY_RESERVE(b->data, b->size, b->len + n + 1);
    b->data[b->len] = '\n';
    memset(b->data + b->len + 1, ' ', n - 1);
    b->len += n;
}

/* The octets a JSON string escapes (RFC 8259 section 7): the quotation
 * mark, the backslash and the control octets. */
static bool escaped(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* S as a JSON string, escaped as jansson escapes it: \" \\ \b \f \n \r
 * \t, other control octets as \u00XX (mc_json_safe_string() has made
 * strings from outside printable already; a literal of our own has none). */
static void put_string(struct dump_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put_char(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t run = plain_prefix(s + i, n - i);
        put(b, s + i, run);
        i += run;
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i++];
        if (!escaped(c)) { /* DEL, or an octet of UTF-8: as it is */
            put_char(b, (char)c);
            continue;
        }
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc) {
            put(b, esc, 2);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(b, u, sizeof u);
        }
    }
    put_char(b, '"');
}

/* A string known to need no escape, or a key with its ':' (mc_json_set()
 * takes plain keys only). */
static void put_plain(struct dump_buf *b, const char *s, size_t n, const char *tail, size_t ntail)
{
    if (b->size - b->len <= n + 2 + ntail)
        MC_ARRAY_RESERVE(b->data, b->size, b->len + n + 3 + ntail);
    char *p = b->data + b->len;
    *p++ = '"';
    memcpy(p, s, n);
    p += n;
    *p++ = '"';
    memcpy(p, tail, ntail);
    b->len += n + 2 + ntail;
}

static void put_integer(struct dump_buf *b, long long v)
{
    char digits[24];
    size_t i = sizeof digits;
    /* Through the unsigned type: -LLONG_MIN does not exist. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--i] = '-';
    put(b, digits + i, sizeof digits - i);
}

static void write_deferred(struct dump_buf *b, const struct mc_json *v, int indent, int depth);

/* V as text: jansson's json_dumps() layout, compact (INDENT 0) or
 * JSON_INDENT(INDENT), members in insertion order. */
static void put_value(struct dump_buf *b, const struct mc_json *v, int indent, int depth)
{
    switch (v->kind) {
    case OBJECT:
    case ARRAY: {
        bool object = v->kind == OBJECT;
        put_char(b, object ? '{' : '[');
        for (const struct mc_json *c = v->u.children.first; c; c = c->next) {
            put_indent(b, indent, depth + 1);
            if (object) {
                put_plain(b, c->key, strlen(c->key), indent > 0 ? ": " : ":", indent > 0 ? 2 : 1);
            }
            put_value(b, c, indent, depth + 1);
            if (c->next)
                put_char(b, ',');
        }
        /* jansson: "{}" and "[]" stay on one line */
        if (v->u.children.first)
            put_indent(b, indent, depth);
        put_char(b, object ? '}' : ']');
        return;
    }
    case STRING: put_string(b, v->u.string.text, v->u.string.len); return;
    case PLAIN: put_plain(b, v->u.string.text, v->u.string.len, "", 0); return;
    case INTEGER: put_integer(b, v->u.integer); return;
    case TRUE: put(b, "true", 4); return;
    case FALSE: put(b, "false", 5); return;
    case NUL: put(b, "null", 4); return;
    case DEFERRED: write_deferred(b, v, indent, depth); return;
    }
}

char *mc_json_end(struct mc_json *doc, bool pretty)
{
    /* Under 1 KiB the request stays in malloc's small bins; most
     * documents of a batch fit. */
    struct dump_buf b = {.data = mc_xmalloc(1000), .size = 1000};
    put_value(&b, doc, pretty ? 2 : 0, 0);
    /* DOC and every value in it */
    mc_arena_reset(doc_arena);
    b.data[b.len] = '\0';
    return b.data;
}

/* ---- values written straight into the text (mc_json_deferred()) ---- */

/* Containers nested deeper than this in one deferred value are a bug of
 * the renderer, caught at once: the writer keeps one bit per level. */
#define WRITER_LEVELS 64

/* The state put_value() keeps on its stack, kept here instead: TOP is the
 * depth of the innermost open container (BASE, one above the deferred
 * value's own depth, before its first call), NONEMPTY and ARRAY a bit per
 * level below BASE for "has a member already" and "is an array", PLACED
 * that the next value's place is ready (after a key, or as the deferred
 * value itself). */
struct mc_json_writer {
    struct dump_buf *b;
    int indent;
    int top, base;
    uint64_t nonempty, array; /* a bit per depth */
    bool placed;
};

struct mc_json *mc_json_deferred(void (*write)(struct mc_json_writer *w, const void *arg),
                                 const void *arg)
{
    struct mc_json *v = value(DEFERRED);
    v->u.deferred.write = write;
    v->u.deferred.arg = arg;
    return v;
}

static void write_deferred(struct dump_buf *b, const struct mc_json *v, int indent, int depth)
{
    struct mc_json_writer w = {
        .b = b, .indent = indent, .top = depth - 1, .base = depth - 1, .placed = true};
    v->u.deferred.write(&w, v->u.deferred.arg);
    /* every container it opened, closed; exactly one value written */
    assert(w.top == w.base && !w.placed);
}

/* The bit of the innermost open container (one is open). */
static uint64_t level_bit(const struct mc_json_writer *w)
{
    assert(w->top > w->base && w->top - w->base < WRITER_LEVELS);
    return UINT64_C(1) << (w->top - w->base);
}

/* Where the next member or element goes: after the previous one's comma,
 * on its own line when indenting (put_value()'s layout). */
static void next_place(struct mc_json_writer *w)
{
    uint64_t bit = level_bit(w);
    if (w->nonempty & bit)
        put_char(w->b, ',');
    w->nonempty |= bit;
    put_indent(w->b, w->indent, w->top + 1);
}

/* Before a value: its place, unless a key (or the deferred node) made it. */
static void place_value(struct mc_json_writer *w)
{
    if (w->placed)
        w->placed = false;
    else
        next_place(w);
}

static void open_container(struct mc_json_writer *w, char c)
{
    place_value(w);
    put_char(w->b, c);
    if (++w->top - w->base >= WRITER_LEVELS) {
        fprintf(stderr, "mc_json_writer: more than %d levels\n", WRITER_LEVELS - 1);
        abort();
    }
    uint64_t bit = level_bit(w);
    w->nonempty &= ~bit;
    if (c == '[')
        w->array |= bit;
    else
        w->array &= ~bit;
}

void mc_jw_object(struct mc_json_writer *w)
{
    open_container(w, '{');
}

void mc_jw_array(struct mc_json_writer *w)
{
    open_container(w, '[');
}

void mc_jw_end(struct mc_json_writer *w)
{
    assert(!w->placed);
    uint64_t bit = level_bit(w);
    if (w->nonempty & bit)
        put_indent(w->b, w->indent, w->top);
    put_char(w->b, w->array & bit ? ']' : '}');
    w->top--;
}

void mc_jw_key_n(struct mc_json_writer *w, const char *key, size_t len)
{
    assert(!w->placed && strlen(key) == len && all_plain(key));
    /* Compact: next_place() and put_plain() in one write, the comma, the
     * key and its colon (their calls were 49 M instructions of the
     * 10,000-host batch). */
    if (w->indent <= 0) {
        struct dump_buf *b = w->b;
        uint64_t bit = level_bit(w);
        if (b->size - b->len <= len + 4)
            MC_ARRAY_RESERVE(b->data, b->size, b->len + len + 5);
        char *p = b->data + b->len;
        if (w->nonempty & bit)
            *p++ = ',';
        w->nonempty |= bit;
        *p++ = '"';
        memcpy(p, key, len);
        p += len;
        *p++ = '"';
        *p++ = ':';
        b->len = (size_t)(p - b->data);
        w->placed = true;
        return;
    }
    next_place(w);
    put_plain(w->b, key, len, w->indent > 0 ? ": " : ":", w->indent > 0 ? 2 : 1);
    w->placed = true;
}

void mc_jw_null(struct mc_json_writer *w)
{
    place_value(w);
    put(w->b, "null", 4);
}

void mc_jw_bool(struct mc_json_writer *w, bool v)
{
    place_value(w);
    if (v)
        put(w->b, "true", 4);
    else
        put(w->b, "false", 5);
}

void mc_jw_integer(struct mc_json_writer *w, long long v)
{
    place_value(w);
    put_integer(w->b, v);
}

void mc_jw_literal(struct mc_json_writer *w, const char *s)
{
    assert(all_plain(s));
    place_value(w);
    put_plain(w->b, s, strlen(s), "", 0);
}

/* As mc_json_safe_string() would store S and put_value() write it. */
void mc_jw_safe_string(struct mc_json_writer *w, const char *s)
{
    if (!s) {
        mc_jw_null(w);
        return;
    }
    place_value(w);
    const char *text;
    size_t len;
    char *owned;
    if (safe_text(s, &text, &len, &owned) == PLAIN)
        put_plain(w->b, text, len, "", 0);
    else
        put_string(w->b, text, len);
    free(owned);
}

/* One lookup of the evidence: name, type, outcome, rcode, ttl, server,
 * answers, the CNAME steps (and why, for a failure). */
void mc_jw_lookup(struct mc_json_writer *w, const struct mc_report_lookup *l)
{
    mc_jw_object(w);
    mc_jw_key(w, "name");
    mc_jw_safe_string(w, l->name);
    mc_jw_key(w, "type");
    mc_jw_literal(w, l->type);
    mc_jw_key(w, "outcome");
    mc_jw_literal(w, l->outcome);
    mc_jw_key(w, "rcode");
    if (l->rcode >= 0)
        mc_jw_integer(w, l->rcode);
    else
        mc_jw_null(w);
    mc_jw_key(w, "ttl");
    if (l->ttl >= 0)
        mc_jw_integer(w, l->ttl);
    else
        mc_jw_null(w);
    mc_jw_key(w, "server");
    mc_jw_safe_string(w, l->server);
    mc_jw_key(w, "answers");
    mc_jw_array(w);
    for (size_t i = 0; i < l->nanswers; i++)
        mc_jw_safe_string(w, l->answers[i]);
    mc_jw_end(w);
    mc_jw_key(w, "cnames");
    mc_jw_array(w);
    for (size_t i = 0; i < l->ncnames; i++) {
        mc_jw_object(w);
        mc_jw_key(w, "owner");
        mc_jw_safe_string(w, l->cnames[i].owner);
        mc_jw_key(w, "target");
        mc_jw_safe_string(w, l->cnames[i].target);
        mc_jw_key(w, "server");
        mc_jw_safe_string(w, l->cnames[i].server);
        mc_jw_end(w);
    }
    mc_jw_end(w);
    if (l->why) {
        mc_jw_key(w, "why");
        mc_jw_safe_string(w, l->why);
    }
    mc_jw_end(w);
}

/*
 * The compact text of the shared lookups written last (mc_jw_lookup_shared()),
 * by serial: direct-mapped, a collision replaces.  A serial names one
 * unchanging result, and the text is made from nothing else, so a kept
 * text is never stale.  In the batch benchmark's world (bench/) 59 % of a
 * domain block's lookups are found here: the Organizational and Public
 * Suffix Domains' DMARC names and the shared MX hosts' addresses come on
 * every line.  Like doc_arena, it lives as long as the process; a text
 * longer than SHARED_TEXT_MAX is not kept, so it holds 2 MiB at most
 * (twice the slots found 62 %; halving them and the PSL memo took the
 * peak at N = 100,000 from 62.0 to 60.6 MiB).
 */
#define SHARED_SLOTS 2048
#define SHARED_TEXT_MAX 1024

struct shared_text {
    uint64_t serial; /* 0: empty */
    char *text;      /* malloc'ed, CAP octets */
    size_t len, cap;
};

static struct shared_text *shared;

void mc_jw_lookup_shared(struct mc_json_writer *w, const struct mc_report_lookup *l)
{
    if (w->indent != 0 || l->serial == 0) { /* indented text depends on the depth */
        mc_jw_lookup(w, l);
        return;
    }
    if (!shared)
        shared = mc_xcalloc(SHARED_SLOTS, sizeof *shared);
    struct shared_text *t = &shared[l->serial % SHARED_SLOTS];
    place_value(w);
    if (t->serial == l->serial) {
        put(w->b, t->text, t->len);
        return;
    }
    size_t start = w->b->len;
    w->placed = true; /* the object's place is made */
    mc_jw_lookup(w, l);
    size_t len = w->b->len - start;
    if (len > SHARED_TEXT_MAX)
        return;
    if (len > t->cap) {
        free(t->text);
        t->text = mc_xmalloc(len);
        t->cap = len;
    }
    memcpy(t->text, w->b->data + start, len);
    t->len = len;
    t->serial = l->serial;
}

static void lookup_write(struct mc_json_writer *w, const void *lookup)
{
    mc_jw_lookup(w, lookup);
}

struct mc_json *mc_json_lookup(const struct mc_report_lookup *l)
{
    return mc_json_deferred(lookup_write, l);
}
