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

/* The document as it grows: json_dumps() would grow its own buffer from
 * 16 octets and copy the result once more at the end. */
struct dump_buf {
    char *data;
    size_t len, size;
};

static int dump_cb(const char *chunk, size_t n, void *arg)
{
    struct dump_buf *b = arg;
    /* jansson hands over every key, value and punctuation mark on its
     * own: a hundred calls a document, nearly all with room left. */
    if (b->size - b->len <= n)
        MC_ARRAY_RESERVE(b->data, b->size, b->len + n + 1);
    memcpy(b->data + b->len, chunk, n);
    b->len += n;
    return 0;
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
    size_t flags = JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
    int rc = json_dump_callback(doc, dump_cb, &b, flags);
    json_set_alloc_funcs(saved_malloc, saved_free);
    /* DOC and every value in it */
    mc_arena_reset(doc_arena);
    /* only a value that is not a container, or no memory */
    if (rc != 0)
        mc_oom();
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
