/* SPDX-License-Identifier: MIT */
/*
 * test_json.c - mc_json_end() writes a document byte for byte as jansson's
 * json_dumps() does (compact, and indented by 2), for every kind of value
 * the renderers make, the octets a JSON string must escape included.  The
 * reference document is read by jansson, copied value by value into an
 * mc_json tree, and both are written out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "mc_json.h"
#include "mc_report.h"

/* Every kind of value, nested, empty containers too; strings with every
 * octet the writer escapes, at every offset of its eight-octet steps, and
 * non-ASCII UTF-8, which JSON carries as it is.  Insertion order, not key
 * order.  Keys are plain (mc_json_set() takes no key that needs an
 * escape: they are mailcheck's own words). */
static const char sample_text[] =
    "{\"schema_version\": 1, \"zero\": 0, \"negative\": -42,"
    " \"max\": 9223372036854775807, \"min\": -9223372036854775808,"
    " \"yes\": true, \"no\": false, \"nothing\": null, \"empty_string\": \"\","
    " \"escapes\": \"q\\\" b\\\\ /\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f end\","
    " \"long plain\": \"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\","
    " \"quote at 7\": \"abcdefg\\\"hijklmnop\", \"quote at 8\": \"abcdefgh\\\"ijklmnop\","
    " \"backslash at 15\": \"abcdefghijklmno\\\\p\", \"tab at 16\": \"abcdefghijklmnop\\tq\","
    " \"last is quote\": \"abcdefghijklmno\\\"\", \"unicode\": \"mail.b\\u00fccher.example\","
    " \"quote at 31\": \"0123456789abcdefghijklmnopqrstu\\\"vwxyz\","
    " \"tab at 16 of 40\": \"0123456789abcdef\\tghijklmnopqrstuvwxyz0123456\","
    " \"unicode at 33\": \"0123456789abcdefghijklmnopqrstuvw\\u00fcxyz\","
    " \"backslash at 47\": \"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK\\\\\","
    " \"unit separator at 20\": \"0123456789abcdefghij\\u001fklmnopqrstuvwxyz\","
    " \"unit separator at 0 of 17\": \"\\u001f0123456789abcdef\","
    " \"empty_object\": {}, \"empty_array\": [],"
    " \"array\": [7, \"x\", {\"b\": [], \"a\": {}}, [[]], [null, true, false]],"
    " \"b_last\": \"after \\\"array\\\"\"}";

/* V (jansson's) as an mc_json value; keys stay jansson's (borrowed). */
static struct mc_json *copy(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        struct mc_json *o = mc_json_object();
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) mc_json_set(o, key, copy(member));
        return o;
    }
    case JSON_ARRAY: {
        struct mc_json *a = mc_json_array();
        size_t i;
        json_t *element;
        json_array_foreach(v, i, element) mc_json_append(a, copy(element));
        return a;
    }
    case JSON_STRING: {
        /* printable ASCII as strings from outside come (plain, or with a
         * quotation mark or backslash), the rest as UTF-8 */
        const char *text = json_string_value(v);
        for (const char *p = text; *p; p++)
            if (*p < 0x20 || *p >= 0x7f)
                return mc_json_utf8(text);
        return mc_json_safe_string(text);
    }
    case JSON_INTEGER: return mc_json_integer(json_integer_value(v));
    case JSON_TRUE: return mc_json_bool(true);
    case JSON_FALSE: return mc_json_bool(false);
    case JSON_NULL: return mc_json_null();
    case JSON_REAL: break;
    }
    fail_msg("no real in the sample");
    return NULL;
}

static void same_as_jansson(bool pretty)
{
    json_error_t err;
    json_t *ref = json_loads(sample_text, 0, &err);
    if (!ref)
        fail_msg("sample: %s (column %d)", err.text, err.column);
    char *expected =
        json_dumps(ref, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    assert_non_null(expected);
    mc_json_begin();
    char *got = mc_json_end(copy(ref), pretty);
    assert_string_equal(got, expected);
    free(got);
    free(expected);
    json_decref(ref);
}

static void compact_is_jansson_compact(void **state)
{
    (void)state;
    same_as_jansson(false);
}

static void pretty_is_jansson_indent_2(void **state)
{
    (void)state;
    same_as_jansson(true);
}

static void a_lone_empty_document(void **state)
{
    (void)state;
    mc_json_begin();
    char *got = mc_json_end(mc_json_object(), true);
    assert_string_equal(got, "{}");
    free(got);
    mc_json_begin();
    struct mc_json *doc = mc_json_object();
    mc_json_set(doc, "a", mc_json_array());
    got = mc_json_end(doc, false);
    assert_string_equal(got, "{\"a\":[]}");
    free(got);
}

/* Strings from outside go through mc_render_safe: printable ASCII, and
 * NULL is null; the copy does not depend on the caller's buffer. */
static void safe_strings_are_copied_and_printable(void **state)
{
    (void)state;
    char buf[32];
    memcpy(buf, "a\x01\xff\"z", 6);
    mc_json_begin();
    struct mc_json *doc = mc_json_array();
    mc_json_append(doc, mc_json_safe_string(buf));
    mc_json_append(doc, mc_json_safe_string(NULL));
    /* past the first eight octets: DEL, UTF-8, a quotation mark */
    mc_json_append(doc, mc_json_safe_string("abcdefghij\x7fklmnopqrstuvwx"));
    mc_json_append(doc, mc_json_safe_string("abcdefghijklmnop\xc3\xa9"));
    mc_json_append(doc, mc_json_safe_string("0123456789abcdef\"0123456789abcdef"));
    memset(buf, 'x', sizeof buf - 1);
    char *got = mc_json_end(doc, false);
    assert_string_equal(
        got, "[\"a\\\\001\\\\255\\\"z\",null,\"abcdefghij\\\\127klmnopqrstuvwx\","
             "\"abcdefghijklmnop\\\\195\\\\169\",\"0123456789abcdef\\\"0123456789abcdef\"]");
    free(got);
}

/* ---- values written straight into the text (mc_json_deferred()) ---- */

/* V (jansson's) through the writer, strings as mc_json_safe_string()
 * stores them. */
static void write_jansson(struct mc_json_writer *w, const void *arg)
{
    json_t *v = (json_t *)(uintptr_t)arg; /* jansson's getters take no const */
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        mc_jw_object(w);
        json_object_foreach(v, key, member)
        {
            mc_jw_key_n(w, key, strlen(key));
            write_jansson(w, member);
        }
        mc_jw_end(w);
        return;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *element;
        mc_jw_array(w);
        json_array_foreach(v, i, element) write_jansson(w, element);
        mc_jw_end(w);
        return;
    }
    case JSON_STRING: mc_jw_safe_string(w, json_string_value(v)); return;
    case JSON_INTEGER: mc_jw_integer(w, json_integer_value(v)); return;
    case JSON_TRUE: mc_jw_bool(w, true); return;
    case JSON_FALSE: mc_jw_bool(w, false); return;
    case JSON_NULL: mc_jw_null(w); return;
    case JSON_REAL: break;
    }
    fail_msg("no real in the sample");
}

/* V as a tree, every string through mc_json_safe_string(); at DEFER_AT
 * levels down, every value deferred to write_jansson() (-1: none). */
static struct mc_json *copy_safe(json_t *v, int defer_at)
{
    if (defer_at == 0)
        return mc_json_deferred(write_jansson, v);
    int next = defer_at > 0 ? defer_at - 1 : -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        struct mc_json *o = mc_json_object();
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) mc_json_set(o, key, copy_safe(member, next));
        return o;
    }
    case JSON_ARRAY: {
        struct mc_json *a = mc_json_array();
        size_t i;
        json_t *element;
        json_array_foreach(v, i, element) mc_json_append(a, copy_safe(element, next));
        return a;
    }
    case JSON_STRING: return mc_json_safe_string(json_string_value(v));
    default: return copy(v);
    }
}

/* A deferred value is written as the tree would be, at every depth it
 * can stand at (the document itself, a member, an element of a nested
 * array), compact and indented: separators, line breaks and
 * indentation, empty containers on one line, escapes. */
static void deferred_values_write_as_the_tree(void **state)
{
    (void)state;
    json_error_t err;
    json_t *ref = json_loads(sample_text, 0, &err);
    if (!ref)
        fail_msg("sample: %s (column %d)", err.text, err.column);
    for (int pretty = 0; pretty <= 1; pretty++) {
        mc_json_begin();
        char *expected = mc_json_end(copy_safe(ref, -1), pretty);
        for (int depth = 0; depth <= 3; depth++) {
            mc_json_begin();
            char *got = mc_json_end(copy_safe(ref, depth), pretty);
            assert_string_equal(got, expected);
            free(got);
        }
        free(expected);
    }
    json_decref(ref);
}

/* ---- evidence many documents show (mc_jw_lookup_shared()) ---- */

static const char *two_answers[] = {"192.0.2.10", "2001:db8::10"};
static const struct mc_report_cname one_step[] = {
    {.owner = "_dmarc.example.test", .target = "dmarc.provider.test", .server = "127.0.0.1:53"}};

/* A lookup with answers and a CNAME step (LOOKUP_A), one without (LOOKUP_B). */
enum { LOOKUP_A, LOOKUP_B };
static const struct mc_report_lookup samples[] = {
    [LOOKUP_A] = {.name = "mx.example.test",
                  .type = "A",
                  .outcome = "answer",
                  .ttl = 3600,
                  .server = "127.0.0.1:53",
                  .answers = two_answers,
                  .nanswers = 2,
                  .cnames = one_step,
                  .ncnames = 1},
    [LOOKUP_B] = {.name = "_dmarc.test",
                  .type = "TXT",
                  .outcome = "nxdomain",
                  .rcode = 3,
                  .ttl = 60,
                  .server = "zone \"x\".zone",
                  .why = "no such name"},
};

/* Sample WHICH with SERIAL. */
static struct mc_report_lookup sample(int which, uint64_t serial)
{
    struct mc_report_lookup l = samples[which];
    l.serial = serial;
    return l;
}

/* ARG: a NULL-terminated list of lookups; SHARED: through which writer. */
struct lookups_arg {
    const struct mc_report_lookup *const *list;
    bool shared;
};

static void write_lookups(struct mc_json_writer *w, const void *arg)
{
    const struct lookups_arg *a = arg;
    mc_jw_object(w);
    mc_jw_key(w, "first");
    (a->shared ? mc_jw_lookup_shared : mc_jw_lookup)(w, a->list[0]);
    mc_jw_key(w, "all");
    mc_jw_array(w);
    for (size_t i = 0; a->list[i]; i++)
        (a->shared ? mc_jw_lookup_shared : mc_jw_lookup)(w, a->list[i]);
    mc_jw_end(w);
    mc_jw_end(w);
}

static char *lookups_doc(const struct mc_report_lookup *const *list, bool shared, bool pretty)
{
    struct lookups_arg a = {.list = list, .shared = shared};
    mc_json_begin();
    struct mc_json *doc = mc_json_object();
    mc_json_set(doc, "lookups", mc_json_deferred(write_lookups, &a));
    return mc_json_end(doc, pretty);
}

static void expect_same(const struct mc_report_lookup *const *list, bool pretty)
{
    char *expected = lookups_doc(list, false, pretty);
    char *got = lookups_doc(list, true, pretty);
    assert_string_equal(got, expected);
    free(got);
    free(expected);
}

/* A kept text is the text the lookup writes, in every place a value can
 * stand, and the one of its own serial only: a serial that shares its slot,
 * or a lookup without a serial (written fresh every time), never gets
 * another lookup's text. */
static void shared_lookups_write_as_unshared(void **state)
{
    (void)state;
    struct mc_report_lookup a = sample(LOOKUP_A, 7), b = sample(LOOKUP_B, 8);
    const struct mc_report_lookup *ab[] = {&a, &b, &a, &b, NULL};
    expect_same(ab, false);
    expect_same(ab, false); /* now from the kept texts */
    expect_same(ab, true);  /* indented: never kept */

    /* every slot's serial once more, 4096 apart: other texts */
    for (uint64_t step = 1; step <= 3; step++) {
        struct mc_report_lookup a2 = sample(LOOKUP_B, 7 + step * 4096),
                                b2 = sample(LOOKUP_A, 8 + step * 4096);
        const struct mc_report_lookup *swapped[] = {&a2, &b2, NULL};
        expect_same(swapped, false);
    }

    /* without a serial: what it says now */
    struct mc_report_lookup c = sample(LOOKUP_A, 0);
    const struct mc_report_lookup *cs[] = {&c, NULL};
    expect_same(cs, false);
    c.name = "other.example.test";
    c.ttl = 5;
    char *got = lookups_doc(cs, true, false);
    assert_non_null(strstr(got, "\"name\":\"other.example.test\",\"type\":\"A\""));
    assert_non_null(strstr(got, "\"ttl\":5,"));
    assert_null(strstr(got, "mx.example.test"));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compact_is_jansson_compact),
        cmocka_unit_test(pretty_is_jansson_indent_2),
        cmocka_unit_test(a_lone_empty_document),
        cmocka_unit_test(safe_strings_are_copied_and_printable),
        cmocka_unit_test(deferred_values_write_as_the_tree),
        cmocka_unit_test(shared_lookups_write_as_unshared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
