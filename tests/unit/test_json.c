/* SPDX-License-Identifier: MIT */
/*
 * test_json.c - mc_json_end() writes a document byte for byte as jansson's
 * own dump does (compact, and indented by 2), for every kind of value the
 * renderers make, the octets a JSON string must escape included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_json.h"

/* A document of every kind of value, nested, empty containers too. */
static json_t *sample(void)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "schema_version", json_integer(1));
    json_object_set_new(doc, "zero", json_integer(0));
    json_object_set_new(doc, "negative", json_integer(-42));
    json_object_set_new(doc, "max", json_integer(INT64_MAX));
    json_object_set_new(doc, "min", json_integer(INT64_MIN));
    json_object_set_new(doc, "yes", json_true());
    json_object_set_new(doc, "no", json_false());
    json_object_set_new(doc, "nothing", json_null());
    json_object_set_new(doc, "empty_string", json_string(""));
    static const char escapes[] = "q\" b\\ /\b\f\n\r\t\x01\x1f\x7f end";
    json_object_set_new(doc, "escapes", json_stringn(escapes, sizeof escapes - 1));
    json_object_set_new(doc, "key with \"quote\"", json_string("v"));
    json_object_set_new(doc, "empty_object", json_object());
    json_object_set_new(doc, "empty_array", json_array());
    json_t *arr = json_array();
    json_array_append_new(arr, json_integer(7));
    json_array_append_new(arr, json_string("x"));
    json_t *inner = json_object();
    json_object_set_new(inner, "b", json_array());
    json_object_set_new(inner, "a", json_object());
    json_array_append_new(arr, inner);
    json_t *nested = json_array();
    json_array_append_new(nested, json_array());
    json_array_append_new(arr, nested);
    json_object_set_new(doc, "array", arr);
    /* Insertion order, not key order. */
    json_object_set_new(doc, "b_last", json_string("after \"array\""));
    return doc;
}

static void same_as_jansson(bool pretty)
{
    mc_json_begin();
    json_t *doc = sample();
    size_t flags = JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
    /* jansson's text lives in the document's arena: copy it out first. */
    char *by_jansson = json_dumps(doc, flags);
    assert_non_null(by_jansson);
    char *expected = strdup(by_jansson);
    char *got = mc_json_end(doc, pretty);
    assert_string_equal(got, expected);
    free(got);
    free(expected);
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
    char *got = mc_json_end(json_object(), true);
    assert_string_equal(got, "{}");
    free(got);
    mc_json_begin();
    json_t *doc = json_object();
    json_object_set_new(doc, "a", json_array());
    got = mc_json_end(doc, false);
    assert_string_equal(got, "{\"a\":[]}");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compact_is_jansson_compact),
        cmocka_unit_test(pretty_is_jansson_indent_2),
        cmocka_unit_test(a_lone_empty_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
