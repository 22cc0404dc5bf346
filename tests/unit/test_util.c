/* SPDX-License-Identifier: MIT */
/* Unit tests for util.c and arena.c. */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mc_arena.h"
#include "mc_util.h"

static void name_equal_ignores_case_and_one_trailing_dot(void **state)
{
    (void)state;
    assert_true(mc_name_equal("Mail.Example.TEST", "mail.example.test."));
    assert_true(mc_name_equal("a.test.", "A.TEST"));
    assert_false(mc_name_equal("mail.example.test", "mail.example.tes"));
    assert_false(mc_name_equal("a.test..", "a.test"));
}

static void name_at_or_below_takes_whole_labels(void **state)
{
    (void)state;
    assert_true(mc_name_at_or_below("a.b.example.com", "example.com"));
    assert_true(mc_name_at_or_below("Example.com.", "example.COM"));
    assert_true(mc_name_at_or_below("mail.example.com", "example.com."));
    assert_false(mc_name_at_or_below("example.com", "a.example.com"));
    assert_false(mc_name_at_or_below("xexample.com", "example.com"));
    assert_false(mc_name_at_or_below("example.com", ""));
    assert_int_equal(mc_name_len("a.test."), 6);
    assert_int_equal(mc_name_len("."), 1);
}

static void parse_uint_rejects_junk_and_overflow(void **state)
{
    (void)state;
    unsigned long v;
    assert_true(mc_parse_uint("42", 100, &v));
    assert_int_equal(v, 42);
    assert_false(mc_parse_uint("101", 100, &v));
    assert_false(mc_parse_uint("", 100, &v));
    assert_false(mc_parse_uint("-1", 100, &v));
    assert_false(mc_parse_uint("1 ", 100, &v));
    assert_false(mc_parse_uint("99999999999999999999999", (unsigned long)-1, &v));
}

static void arena_holds_many_and_large_allocations(void **state)
{
    (void)state;
    struct mc_arena *a = mc_arena_new();
    char *big = mc_arena_alloc(a, 100000);
    memset(big, 'x', 100000);
    for (int i = 0; i < 2000; i++) {
        char *s = mc_arena_printf(a, "item %d", i);
        assert_string_equal(s, i == 0 ? "item 0" : s);
    }
    assert_string_equal(mc_arena_strndup(a, "abcdef", 3), "abc");
    char *m = mc_arena_memdup(a, "a\0b", 3);
    assert_int_equal(m[1], 0);
    assert_int_equal(m[2], 'b');
    assert_int_equal(m[3], 0);
    mc_arena_free(a);
}

/* Formatted strings of every length around the block size, written where
 * the head block has room or in a block of their own: each intact after
 * all the others, and the allocations after them aligned. */
static void arena_printf_at_every_length(void **state)
{
    (void)state;
    struct mc_arena *a = mc_arena_new_sized(64);
    char *got[300];
    for (int len = 0; len < 300; len++) {
        got[len] = mc_arena_printf(a, "%*s|%d", len, "", len);
        void *p = mc_arena_alloc(a, 1);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        *(char *)p = 'z';
    }
    for (int len = 0; len < 300; len++) {
        char want[320];
        snprintf(want, sizeof want, "%*s|%d", len, "", len);
        assert_string_equal(got[len], want);
    }
    mc_arena_free(a);
}

/* A reset arena keeps one block and serves zeroed memory from it again;
 * the blocks beyond it, a request's own large one included, are freed
 * (valgrind and ASan see to that). */
static void arena_reset_reuses_one_block(void **state)
{
    (void)state;
    struct mc_arena *a = mc_arena_new_sized(4096);
    mc_arena_reset(a); /* empty: nothing to keep */
    char *first = mc_arena_alloc(a, 64);
    memset(first, 'x', 64);
    for (int i = 0; i < 200; i++) /* past the first block */
        mc_arena_printf(a, "item %d", i);
    memset(mc_arena_alloc(a, 100000), 'y', 100000);
    mc_arena_reset(a);
    char *again = mc_arena_alloc(a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(again[i], 0);
    assert_string_equal(mc_arena_printf(a, "after %d", 1), "after 1");
    /* a large request as the arena's first block is not kept */
    mc_arena_reset(a);
    struct mc_arena *b = mc_arena_new();
    memset(mc_arena_alloc(b, 100000), 'z', 100000);
    mc_arena_reset(b);
    assert_string_equal(mc_arena_strdup(b, "small"), "small");
    mc_arena_free(b);
    mc_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_equal_ignores_case_and_one_trailing_dot),
        cmocka_unit_test(name_at_or_below_takes_whole_labels),
        cmocka_unit_test(parse_uint_rejects_junk_and_overflow),
        cmocka_unit_test(arena_holds_many_and_large_allocations),
        cmocka_unit_test(arena_printf_at_every_length),
        cmocka_unit_test(arena_reset_reuses_one_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
