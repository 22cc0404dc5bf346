/* SPDX-License-Identifier: MIT */
/* Unit tests for the bounded cursor (mc_cursor.h, cursor.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_cursor.h"
#include "mc_util.h"

static bool is_not(int c, const void *arg)
{
    return c != *(const int *)arg;
}

/* The bytes live in a malloc'd block of exactly their length, so that
 * ASan and valgrind see any read past the end. */
static struct mc_cursor exact(const char *text, void **block)
{
    size_t n = strlen(text);
    *block = malloc(n ? n : 1);
    assert_non_null(*block);
    memcpy(*block, text, n);
    return mc_cursor_make(*block, n);
}

static void peek_and_next_stop_at_the_end(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("ab", &m);
    assert_int_equal(mc_cursor_remaining(&c), 2);
    assert_int_equal(mc_cursor_peek(&c), 'a');
    assert_int_equal(mc_cursor_peek_at(&c, 1), 'b');
    assert_int_equal(mc_cursor_peek_at(&c, 2), -1);
    assert_int_equal(mc_cursor_peek_at(&c, SIZE_MAX), -1);
    assert_int_equal(mc_cursor_next(&c), 'a');
    assert_int_equal(mc_cursor_next(&c), 'b');
    assert_true(mc_cursor_at_end(&c));
    assert_true(mc_cursor_ok(&c));
    assert_int_equal(mc_cursor_peek(&c), -1); /* peeking is no error */
    assert_true(mc_cursor_ok(&c));
    assert_int_equal(mc_cursor_next(&c), -1); /* taking is */
    assert_false(mc_cursor_ok(&c));
    assert_int_equal(c.off, 2);
    free(m);
}

static void octets_are_never_negative(void **state)
{
    (void)state;
    const unsigned char hi[] = {0xff, 0x80};
    struct mc_cursor c = mc_cursor_make(hi, sizeof hi);
    assert_int_equal(mc_cursor_peek(&c), 0xff);
    assert_true(mc_cursor_expect(&c, 0xff));
    assert_int_equal(mc_cursor_next(&c), 0x80);
}

static void skip_past_the_end_takes_nothing_and_sticks(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("abcdef", &m);
    assert_true(mc_cursor_skip(&c, 2));
    assert_int_equal(mc_cursor_peek(&c), 'c');
    assert_false(mc_cursor_skip(&c, 5));
    assert_false(mc_cursor_ok(&c));
    assert_true(mc_cursor_at_end(&c));
    assert_int_equal(mc_cursor_remaining(&c), 0);
    /* a huge count cannot wrap the offset round */
    c = mc_cursor_make(m, 6);
    assert_true(mc_cursor_skip(&c, 1));
    assert_false(mc_cursor_skip(&c, SIZE_MAX));
    assert_int_equal(c.off, 6);
    /* once bad, always bad: a later good read does not clear it */
    assert_true(mc_cursor_skip(&c, 0));
    assert_false(mc_cursor_ok(&c));
    free(m);
}

static void expect_takes_only_a_match(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("=x", &m);
    assert_false(mc_cursor_expect(&c, 'x'));
    assert_int_equal(c.off, 0);
    assert_true(mc_cursor_expect(&c, '='));
    assert_true(mc_cursor_expect(&c, 'x'));
    assert_false(mc_cursor_expect(&c, 'x')); /* at the end: no match, no error */
    assert_true(mc_cursor_ok(&c));
    free(m);
}

static void take_while_returns_the_run(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("123ab", &m);
    const char *run = NULL;
    assert_int_equal(mc_cursor_take_while(&c, mc_cursor_digit, NULL, &run), 3);
    assert_memory_equal(run, "123", 3);
    assert_int_equal(mc_cursor_peek(&c), 'a');
    assert_int_equal(mc_cursor_take_while(&c, mc_cursor_digit, NULL, &run), 0);
    assert_ptr_equal(run, mc_cursor_here(&c));
    free(m);
    /* a run to the very end stops there */
    c = exact("4567", &m);
    assert_int_equal(mc_cursor_take_while(&c, mc_cursor_digit, NULL, NULL), 4);
    assert_true(mc_cursor_at_end(&c));
    assert_true(mc_cursor_ok(&c));
    free(m);
}

static void skip_until_stops_before_the_octet_or_at_the_end(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("; note\nnext", &m);
    assert_int_equal(mc_cursor_skip_until(&c, '\n'), 6);
    assert_int_equal(mc_cursor_peek(&c), '\n');
    int nl = '\n';
    assert_true(mc_cursor_expect(&c, '\n'));
    assert_int_equal(mc_cursor_take_while(&c, is_not, &nl, NULL), 4);
    assert_int_equal(mc_cursor_skip_until(&c, '\n'), 0);
    assert_true(mc_cursor_ok(&c));
    free(m);
    c = exact("no newline", &m);
    assert_int_equal(mc_cursor_skip_until(&c, '\n'), 10);
    assert_true(mc_cursor_at_end(&c));
    free(m);
}

static void take_line_splits_at_newlines(void **state)
{
    (void)state;
    void *m;
    struct mc_cursor c = exact("one\n\nthree\nlast", &m);
    const char *line;
    size_t n;
    assert_true(mc_cursor_take_line(&c, &line, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(line, "one", 3);
    assert_true(mc_cursor_take_line(&c, &line, &n)); /* an empty line */
    assert_int_equal(n, 0);
    assert_true(mc_cursor_take_line(&c, &line, &n));
    assert_memory_equal(line, "three", 5);
    assert_true(mc_cursor_take_line(&c, &line, &n)); /* no '\n' after it */
    assert_int_equal(n, 4);
    assert_memory_equal(line, "last", 4);
    assert_false(mc_cursor_take_line(&c, &line, &n));
    assert_true(mc_cursor_ok(&c));
    free(m);
    /* a final '\n' ends the last line; no empty one follows */
    c = exact("a\n", &m);
    assert_true(mc_cursor_take_line(&c, &line, &n));
    assert_int_equal(n, 1);
    assert_false(mc_cursor_take_line(&c, &line, &n));
    free(m);
}

static void get16_reads_network_order_and_stops_short(void **state)
{
    (void)state;
    const unsigned char wire[] = {0x12, 0x34, 0xff};
    struct mc_cursor c = mc_cursor_make(wire, sizeof wire);
    assert_int_equal(mc_cursor_get16(&c), 0x1234);
    assert_true(mc_cursor_ok(&c));
    assert_int_equal(mc_cursor_get16(&c), 0); /* one octet left */
    assert_false(mc_cursor_ok(&c));
    assert_true(mc_cursor_at_end(&c));
}

static void an_empty_cursor_reads_nothing(void **state)
{
    (void)state;
    struct mc_cursor c = mc_cursor_make(NULL, 5); /* no bytes: no length */
    assert_int_equal(mc_cursor_remaining(&c), 0);
    assert_int_equal(mc_cursor_peek(&c), -1);
    assert_int_equal(mc_cursor_take_while(&c, mc_cursor_digit, NULL, NULL), 0);
    assert_int_equal(mc_cursor_skip_until(&c, 'x'), 0);
    assert_true(mc_cursor_ok(&c));
    assert_false(mc_cursor_skip(&c, 1));
    assert_false(mc_cursor_ok(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peek_and_next_stop_at_the_end),
        cmocka_unit_test(octets_are_never_negative),
        cmocka_unit_test(skip_past_the_end_takes_nothing_and_sticks),
        cmocka_unit_test(expect_takes_only_a_match),
        cmocka_unit_test(take_while_returns_the_run),
        cmocka_unit_test(skip_until_stops_before_the_octet_or_at_the_end),
        cmocka_unit_test(take_line_splits_at_newlines),
        cmocka_unit_test(get16_reads_network_order_and_stops_short),
        cmocka_unit_test(an_empty_cursor_reads_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
