/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the JSON writer (json.c), which writes every machine-format
 * document.  The first octet picks compact or pretty; the rest is cut at
 * newlines into strings, each put into the document as strings from
 * outside are (mc_json_safe_string()), as its Unicode form when jansson
 * calls it valid UTF-8 (mc_json_utf8()), and its first octets as an
 * integer, in objects and nested arrays.  The text must be what jansson's
 * json_dumps() writes of what jansson reads back from it, and every string
 * must read back as it was put in (made safe, or as it is).
 */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mc_json.h"
#include "mc_render.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

struct piece {
    char *text; /* NUL-terminated copy (owned) */
    size_t len; /* the input's octets, NUL included */
    bool utf8;  /* valid UTF-8 without NUL, as jansson reads it */
    long long number;
};

static long long number_of(const unsigned char *p, size_t n)
{
    unsigned long long u = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        u = u << 8 | p[i];
    if (n >= 2 && p[0] == '-' && p[1] == '!')
        return LLONG_MIN; /* the one value whose negation overflows */
    return (long long)u;
}

/* What the array of pieces reads back as: each piece an object, every
 * third one inside an array of its own. */
static void check_piece(json_t *v, const struct piece *p)
{
    if (json_is_array(v)) {
        check(json_array_size(v) == 1);
        v = json_array_get(v, 0);
    }
    check(json_is_object(v));
    char *safe = mc_render_safe(p->text);
    json_t *s = json_object_get(v, "safe");
    check(json_is_string(s) && strcmp(json_string_value(s), safe) == 0);
    free(safe);
    json_t *u = json_object_get(v, "utf8");
    if (p->utf8)
        check(json_is_string(u) && json_string_length(u) == p->len &&
              memcmp(json_string_value(u), p->text, p->len) == 0);
    else
        check(u == NULL);
    json_t *i = json_object_get(v, "number");
    check(json_is_integer(i) && json_integer_value(i) == p->number);
    check(json_is_null(json_object_get(v, "nothing")));
    check(json_is_true(json_object_get(v, "yes")) && json_is_false(json_object_get(v, "no")));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool pretty = data[0] & 1;
    data++;
    size--;
    size_t n = 0, cap = 16;
    struct piece *pieces = malloc(cap * sizeof *pieces);
    for (size_t start = 0; start <= size && n < 64;) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        if (n == cap)
            pieces = realloc(pieces, (cap *= 2) * sizeof *pieces);
        char *text = malloc(end - start + 1);
        memcpy(text, data + start, end - start);
        text[end - start] = '\0';
        json_t *probe = json_stringn(text, end - start);
        pieces[n++] = (struct piece){.text = text,
                                     .len = end - start,
                                     .utf8 = probe && !memchr(text, '\0', end - start),
                                     .number = number_of(data + start, end - start)};
        json_decref(probe);
        start = end + 1;
        if (!nl)
            break;
    }
    mc_json_begin();
    struct mc_json *doc = mc_json_array();
    for (size_t i = 0; i < n; i++) {
        struct mc_json *o = mc_json_object();
        mc_json_set(o, "safe", mc_json_safe_string(pieces[i].text));
        if (pieces[i].utf8)
            mc_json_set(o, "utf8", mc_json_utf8(pieces[i].text));
        mc_json_set(o, "number", mc_json_integer(pieces[i].number));
        mc_json_set(o, "nothing", mc_json_null());
        mc_json_set(o, "yes", mc_json_bool(true));
        mc_json_set(o, "no", mc_json_bool(false));
        mc_json_set(o, "empty", i % 2 ? mc_json_object() : mc_json_array());
        if (i % 3 == 2) {
            struct mc_json *wrap = mc_json_array();
            mc_json_append(wrap, o);
            o = wrap;
        }
        mc_json_append(doc, o);
    }
    char *text = mc_json_end(doc, pretty);
    json_error_t err;
    json_t *back = json_loads(text, 0, &err);
    check(back != NULL && json_is_array(back) && json_array_size(back) == n);
    for (size_t i = 0; i < n; i++)
        check_piece(json_array_get(back, i), &pieces[i]);
    char *again = json_dumps(back, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    check(again && strcmp(again, text) == 0);
    free(again);
    json_decref(back);
    free(text);
    for (size_t i = 0; i < n; i++)
        free(pieces[i].text);
    free(pieces);
    return 0;
}
