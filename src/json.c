/* SPDX-License-Identifier: MIT */
/* json.c - the jansson helpers of the JSON renderers; see mc_json.h. */
#include "mc_json.h"

#include <stdlib.h>
#include <string.h>

#include "mc_arena.h"
#include "mc_array.h"
#include "mc_render.h"
#include "mc_util.h"

json_t *mc_json_must(json_t *value)
{
    if (!value)
        mc_oom();
    return value;
}

json_t *mc_json_safe_string(const char *s)
{
    if (!s)
        return json_null();
    /* Printable ASCII is valid UTF-8 as it stands: most strings need no
     * escape, and jansson then copies them once without checking again. */
    size_t span = mc_render_safe_span(s);
    if (s[span] == '\0')
        return mc_json_must(json_stringn_nocheck(s, span));
    char *safe = mc_render_safe(s);
    json_t *v = mc_json_must(json_stringn_nocheck(safe, strlen(safe)));
    free(safe);
    return v;
}

json_t *mc_json_literal(const char *s)
{
    return mc_json_must(json_string_nocheck(s));
}

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
    put_char(b, '\n');
    for (int i = 0; i < indent * depth; i++)
        put_char(b, ' ');
}

/* S as a JSON string (RFC 8259 section 7), escaped as jansson escapes it:
 * the quotation mark, the backslash and the control octets (which
 * mc_json_safe_string() has already made printable; a literal of our own
 * never has them). */
static void put_string(struct dump_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put_char(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
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
    put(b, s + run, n - run);
    put_char(b, '"');
}

static void put_integer(struct dump_buf *b, json_int_t v)
{
    char digits[24];
    size_t i = sizeof digits;
    /* Through the unsigned type: -INT64_MIN does not exist. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--i] = '-';
    put(b, digits + i, sizeof digits - i);
}

/*
 * V as text, byte for byte what json_dump_callback() writes with
 * JSON_COMPACT (INDENT 0) or JSON_INDENT(INDENT), keys in insertion order
 * (which jansson keeps since 2.8).  jansson's own dump costs a callback per
 * token and an snprintf() per number: in --batch it was half of all the
 * instructions (callgrind), for documents that are ASCII already.
 */
static void put_value(struct dump_buf *b, json_t *v, int indent, int depth)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        void *it = json_object_iter(v);
        put_char(b, '{');
        if (!it) {
            put_char(b, '}');
            return;
        }
        while (it) {
            put_indent(b, indent, depth + 1);
            const char *key = json_object_iter_key(it);
            put_string(b, key, strlen(key));
            put(b, indent > 0 ? ": " : ":", indent > 0 ? 2 : 1);
            put_value(b, json_object_iter_value(it), indent, depth + 1);
            it = json_object_iter_next(v, it);
            if (it)
                put_char(b, ',');
        }
        put_indent(b, indent, depth);
        put_char(b, '}');
        return;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        put_char(b, '[');
        for (size_t i = 0; i < n; i++) {
            put_indent(b, indent, depth + 1);
            put_value(b, json_array_get(v, i), indent, depth + 1);
            if (i + 1 < n)
                put_char(b, ',');
        }
        if (n)
            put_indent(b, indent, depth);
        put_char(b, ']');
        return;
    }
    case JSON_STRING: put_string(b, json_string_value(v), json_string_length(v)); return;
    case JSON_INTEGER: put_integer(b, json_integer_value(v)); return;
    case JSON_TRUE: put(b, "true", 4); return;
    case JSON_FALSE: put(b, "false", 5); return;
    case JSON_NULL: put(b, "null", 4); return;
    case JSON_REAL: break;
    }
    /* No renderer makes a real; were one to, jansson knows its format. */
    char *text = json_dumps(v, JSON_ENCODE_ANY);
    if (!text)
        mc_oom();
    put(b, text, strlen(text));
}

/* jansson's allocator between mc_json_begin() and mc_json_end(): a
 * document is hundreds of small values (each key, string and number its
 * own malloc), all dropped together once it is text, so they come from one
 * arena and free() is a no-op.  mailcheck renders on one thread, one
 * document at a time.  The arena is reset, not freed, after each document:
 * its first block serves the next one (in --batch, tens of thousands) with
 * no malloc at all. */
static struct mc_arena *doc_arena;
static json_malloc_t saved_malloc;
static json_free_t saved_free;

static void *doc_malloc(size_t size)
{
    return mc_arena_alloc(doc_arena, size);
}

static void doc_free(void *p)
{
    (void)p; /* released with the arena in mc_json_end() */
}

void mc_json_begin(void)
{
    if (!doc_arena)
        doc_arena = mc_arena_new_sized(16384);
    json_get_alloc_funcs(&saved_malloc, &saved_free);
    json_set_alloc_funcs(doc_malloc, doc_free);
}

char *mc_json_end(json_t *doc, bool pretty)
{
    /* Under 1 KiB the request stays in malloc's small bins; most
     * documents of a batch fit. */
    struct dump_buf b = {.data = mc_xmalloc(1000), .size = 1000};
    put_value(&b, doc, pretty ? 2 : 0, 0);
    json_set_alloc_funcs(saved_malloc, saved_free);
    /* DOC and every value in it */
    mc_arena_reset(doc_arena);
    b.data[b.len] = '\0';
    return b.data;
}

/* One lookup of the evidence: name, type, outcome, rcode, ttl, server,
 * answers (and why, for a failure). */
json_t *mc_json_lookup(const struct mc_report_lookup *l)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "name", mc_json_safe_string(l->name));
    json_object_set_new_nocheck(o, "type", mc_json_literal(l->type));
    json_object_set_new_nocheck(o, "outcome", mc_json_literal(l->outcome));
    json_object_set_new_nocheck(o, "rcode", l->rcode >= 0 ? json_integer(l->rcode) : json_null());
    json_object_set_new_nocheck(o, "ttl", l->ttl >= 0 ? json_integer(l->ttl) : json_null());
    json_object_set_new_nocheck(o, "server", mc_json_safe_string(l->server));
    json_t *answers = mc_json_must(json_array());
    for (size_t i = 0; i < l->nanswers; i++)
        json_array_append_new(answers, mc_json_safe_string(l->answers[i]));
    json_object_set_new_nocheck(o, "answers", answers);
    json_t *cnames = mc_json_must(json_array());
    for (size_t i = 0; i < l->ncnames; i++) {
        json_t *step = mc_json_must(json_object());
        json_object_set_new_nocheck(step, "owner", mc_json_safe_string(l->cnames[i].owner));
        json_object_set_new_nocheck(step, "target", mc_json_safe_string(l->cnames[i].target));
        json_object_set_new_nocheck(step, "server", mc_json_safe_string(l->cnames[i].server));
        json_array_append_new(cnames, step);
    }
    json_object_set_new_nocheck(o, "cnames", cnames);
    if (l->why)
        json_object_set_new_nocheck(o, "why", mc_json_safe_string(l->why));
    return o;
}
