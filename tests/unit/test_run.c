/* SPDX-License-Identifier: MIT */
/*
 * test_run.c - mc_run(): what a program prints and how it ended, and each
 * bound (wall clock, output caps) killing a program that passes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "mc_run.h"

static const struct mc_run_limits roomy = {
    .wall_ms = 5000, .data_bytes = 256L * 1024 * 1024, .out_cap = 4096, .err_cap = 4096};

static void run_sh(const char *script, const struct mc_run_limits *lim, struct mc_run_result *r)
{
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    char *why = NULL;
    assert_int_equal(mc_run(argv, lim, r, &why), MC_OK);
    assert_null(why);
}

static void output_and_status(void **state)
{
    (void)state;
    struct mc_run_result r;
    run_sh("echo out; echo err >&2; exit 3", &roomy, &r);
    assert_int_equal(r.cut, MC_RUN_ENDED);
    assert_string_equal(r.out, "out\n");
    assert_int_equal(r.out_len, 4);
    assert_string_equal(r.err, "err\n");
    assert_true(WIFEXITED(r.status));
    assert_int_equal(WEXITSTATUS(r.status), 3);
    assert_false(mc_run_succeeded(&r));
    mc_run_result_reset(&r);
    run_sh("printf 'a\\0b'", &roomy, &r);
    assert_true(mc_run_succeeded(&r));
    assert_int_equal(r.out_len, 3); /* a NUL octet is data */
    assert_memory_equal(r.out, "a\0b", 3);
    mc_run_result_reset(&r);
}

static void a_program_that_hangs_is_killed(void **state)
{
    (void)state;
    struct mc_run_limits lim = roomy;
    lim.wall_ms = 300;
    struct mc_run_result r;
    int64_t t0 = mc_now_ms();
    run_sh("echo started; exec sleep 30", &lim, &r);
    int64_t took = mc_now_ms() - t0;
    assert_int_equal(r.cut, MC_RUN_TIMEOUT);
    assert_true(took >= 300 && took < 3000);
    assert_string_equal(r.out, "started\n");
    assert_true(WIFSIGNALED(r.status));
    assert_false(mc_run_succeeded(&r));
    mc_run_result_reset(&r);
}

static void output_past_a_cap_is_cut(void **state)
{
    (void)state;
    struct mc_run_limits lim = roomy;
    lim.out_cap = 1000;
    struct mc_run_result r;
    run_sh("exec yes", &lim, &r);
    assert_int_equal(r.cut, MC_RUN_TOO_LONG);
    assert_int_equal(r.out_len, 1000);
    assert_int_equal(r.out[1000], '\0');
    mc_run_result_reset(&r);
    lim = roomy;
    lim.err_cap = 10;
    run_sh("exec yes >&2", &lim, &r);
    assert_int_equal(r.cut, MC_RUN_TOO_LONG);
    assert_int_equal(r.err_len, 10);
    mc_run_result_reset(&r);
    /* Drained, standard error past its cap is dropped: the run ends. */
    lim.err_drain = true;
    run_sh("i=0; while [ $i -lt 2000 ]; do echo warning $i >&2; i=$((i+1)); done; echo done", &lim,
           &r);
    assert_int_equal(r.cut, MC_RUN_ENDED);
    assert_true(mc_run_succeeded(&r));
    assert_string_equal(r.out, "done\n");
    assert_int_equal(r.err_len, 10);
    assert_memory_equal(r.err, "warning 0\n", 10);
    mc_run_result_reset(&r);
}

static void a_missing_program_exits_127(void **state)
{
    (void)state;
    const char *argv[] = {"/nonexistent/program", NULL};
    struct mc_run_result r;
    char *why = NULL;
    assert_int_equal(mc_run(argv, &roomy, &r, &why), MC_OK);
    assert_int_equal(r.cut, MC_RUN_ENDED);
    assert_true(WIFEXITED(r.status));
    assert_int_equal(WEXITSTATUS(r.status), 127);
    mc_run_result_reset(&r);
}

static void finding_a_program(void **state)
{
    (void)state;
    unsetenv("MC_TEST_PROGRAM");
    char *sh = mc_run_find("sh", "MC_TEST_PROGRAM");
    assert_non_null(sh);
    assert_non_null(strstr(sh, "/sh"));
    free(sh);
    assert_null(mc_run_find("no-such-program-anywhere", "MC_TEST_PROGRAM"));
    setenv("MC_TEST_PROGRAM", "", 1); /* set and empty: none */
    assert_null(mc_run_find("sh", "MC_TEST_PROGRAM"));
    setenv("MC_TEST_PROGRAM", "/bin/sh", 1);
    char *forced = mc_run_find("anything", "MC_TEST_PROGRAM");
    assert_string_equal(forced, "/bin/sh");
    free(forced);
    unsetenv("MC_TEST_PROGRAM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_and_status),
        cmocka_unit_test(a_program_that_hangs_is_killed),
        cmocka_unit_test(output_past_a_cap_is_cut),
        cmocka_unit_test(a_missing_program_exits_127),
        cmocka_unit_test(finding_a_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
