/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dns_id.c: random query IDs unique in flight (RFC 5452
 * §4.3), 0x20 letter case, the question reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_dns_id.h"
#include "mc_dns_msg.h"

static void ids_are_random_unique_and_never_zero(void **state)
{
    (void)state;
    struct mc_dns_ids *ids = calloc(1, sizeof *ids);
    assert_non_null(ids);
    enum { N = 30000 };
    static uint16_t taken[N];
    unsigned small_steps = 0, high = 0;
    for (size_t i = 0; i < N; i++) {
        taken[i] = mc_dns_id_take(ids);
        assert_int_not_equal(taken[i], 0);
        if (i > 0 && (uint16_t)(taken[i] - taken[i - 1]) <= 16)
            small_steps++;
        high += taken[i] >> 15;
    }
    /* All 30000 in flight at once: all distinct. */
    assert_int_equal(ids->inflight, N);
    for (size_t i = 0; i < N; i++)
        assert_true(mc_dns_id_in_use(ids, taken[i]));
    unsigned distinct = 0;
    for (unsigned id = 0; id < 65536; id++)
        distinct += mc_dns_id_in_use(ids, (uint16_t)id);
    assert_int_equal(distinct, N);
    /* Not a counter, and spread over the whole space (expected: 7 small
     * steps, 15000 high bits). */
    assert_true(small_steps < 60);
    assert_in_range(high, 14000, 16000);
    for (size_t i = 0; i < N; i++)
        mc_dns_id_release(ids, taken[i]);
    assert_int_equal(ids->inflight, 0);
    mc_dns_id_release(ids, 7); /* not taken: no-op */
    assert_int_equal(ids->inflight, 0);
    free(ids);
}

static void ids_fill_the_space_without_repeating(void **state)
{
    (void)state;
    struct mc_dns_ids *ids = calloc(1, sizeof *ids);
    assert_non_null(ids);
    /* 65535 IDs in flight: every one from 1 to 65535, once. */
    for (unsigned i = 0; i < 65535; i++)
        (void)mc_dns_id_take(ids);
    for (unsigned id = 1; id < 65536; id++)
        assert_true(mc_dns_id_in_use(ids, (uint16_t)id));
    assert_false(mc_dns_id_in_use(ids, 0));
    free(ids);
}

static void question_and_0x20(void **state)
{
    (void)state;
    unsigned char *wire;
    size_t len;
    const char *name = "mail.example-host.test";
    assert_int_equal(mc_dns_msg_build_query(name, 1, 0, &wire, &len), MC_OK);
    struct mc_dns_question q;
    assert_true(mc_dns_question_read(wire, len, &q));
    assert_int_equal(q.name_off, 12);
    assert_int_equal(q.name_len, strlen(name) + 2);
    assert_int_equal(q.qtype, 1);
    mc_dns_id_set(wire, len, 0xBEEF);
    assert_int_equal(wire[0], 0xBE);
    assert_int_equal(wire[1], 0xEF);

    struct mc_dns_ids *ids = calloc(1, sizeof *ids);
    assert_non_null(ids);
    unsigned char *orig = malloc(len);
    assert_non_null(orig);
    memcpy(orig, wire, len);
    unsigned upper = 0, letters = 0;
    for (int round = 0; round < 200; round++) {
        memcpy(wire, orig, len);
        assert_true(mc_dns_0x20_apply(ids, wire, len));
        /* Only letters change, and only their case; lengths, '-' and the
         * rest of the message stay. */
        assert_true(mc_dns_wire_name_equal(wire + 12, orig + 12, q.name_len));
        assert_memory_equal(wire + 12 + q.name_len, orig + 12 + q.name_len, len - 12 - q.name_len);
        for (size_t i = 12; i < 12 + q.name_len; i++) {
            if (wire[i] != orig[i])
                assert_true(wire[i] >= 'A' && wire[i] <= 'Z');
            if ((wire[i] | 0x20) >= 'a' && (wire[i] | 0x20) <= 'z' && orig[i] > 63) {
                letters++;
                upper += wire[i] <= 'Z';
            }
        }
        assert_int_equal(mc_dns_wire_name_hash(wire + 12, q.name_len),
                         mc_dns_wire_name_hash(orig + 12, q.name_len));
    }
    assert_in_range(upper, letters * 4 / 10, letters * 6 / 10);
    /* Unreadable questions. */
    assert_false(mc_dns_question_read(wire, 11, &q));
    wire[5] = 2; /* two questions */
    assert_false(mc_dns_question_read(wire, len, &q));
    wire[5] = 1;
    wire[12] = 0xc0; /* compressed */
    assert_false(mc_dns_question_read(wire, len, &q));
    wire[12] = 60; /* runs past the end */
    assert_false(mc_dns_question_read(wire, 40, &q));
    free(orig);
    free(ids);
    free(wire);
}

/* One letter: its one pattern with a capital is the only one sent (the
 * lowercase one is what a case-folding server or a copying forger echoes).
 * No letter: the name goes out as it is, and the call returns. */
static void apply_0x20_never_all_lowercase(void **state)
{
    (void)state;
    struct mc_dns_ids *ids = calloc(1, sizeof *ids);
    assert_non_null(ids);
    unsigned char *wire;
    size_t len;
    assert_int_equal(mc_dns_msg_build_query("9.8.x", 12, 0, &wire, &len), MC_OK);
    for (int round = 0; round < 64; round++) {
        wire[12 + 5] = 'x';
        assert_true(mc_dns_0x20_apply(ids, wire, len));
        assert_int_equal(wire[12 + 5], 'X');
    }
    free(wire);
    assert_int_equal(mc_dns_msg_build_query("9.8.7", 12, 0, &wire, &len), MC_OK);
    assert_true(mc_dns_0x20_apply(ids, wire, len));
    assert_memory_equal(wire + 12, "\0019\0018\0017", 7);
    free(wire);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_are_random_unique_and_never_zero),
        cmocka_unit_test(apply_0x20_never_all_lowercase),
        cmocka_unit_test(ids_fill_the_space_without_repeating),
        cmocka_unit_test(question_and_0x20),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
