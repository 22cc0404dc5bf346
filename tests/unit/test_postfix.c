/* SPDX-License-Identifier: MIT */
/* Unit tests for postfix.c: main.cf syntax, expansion, loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mc_postfix.h"

static struct mc_postfix_params *parse(const char *text)
{
    struct mc_postfix_params *p = NULL;
    char *why = NULL;
    if (mc_postfix_parse(text, strlen(text), &p, &why) != MC_OK)
        fail_msg("parse failed: %s", why);
    return p;
}

static void expect_get(const struct mc_postfix_params *p, const char *name, const char *want)
{
    char *v = mc_postfix_get(p, name, NULL);
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

static void syntax_comments_continuations_last_wins(void **state)
{
    (void)state;
    struct mc_postfix_params *p = parse("# comment\n"
                                        "a = one\n"
                                        "   # an indented comment line is a comment\n"
                                        "b = two\n"
                                        "  three\n"
                                        "\n"
                                        "c=x # not a comment: a value\n"
                                        "a = again   \r\n");
    expect_get(p, "a", "again");
    expect_get(p, "b", "two three");
    expect_get(p, "c", "x # not a comment: a value");
    assert_null(mc_postfix_get(p, "nonesuch", NULL));
    mc_postfix_params_free(p);
}

static void expansion_forms(void **state)
{
    (void)state;
    struct mc_postfix_params *p = parse("myhostname = mail.example.test\n"
                                        "a = $myhostname\n"
                                        "b = ${myhostname}\n"
                                        "c = $(myhostname)!\n"
                                        "d = ${myhostname?yes}${nothing?no}\n"
                                        "e = ${nothing:fallback}${myhostname:no}\n"
                                        "f = $$literal\n"
                                        "loop1 = $loop2\n"
                                        "loop2 = $loop1\n");
    expect_get(p, "a", "mail.example.test");
    expect_get(p, "b", "mail.example.test");
    expect_get(p, "c", "mail.example.test!");
    expect_get(p, "d", "yes");
    expect_get(p, "e", "fallback");
    expect_get(p, "f", "$literal");
    expect_get(p, "mydomain", "example.test");            /* default: $myhostname minus a label */
    expect_get(p, "smtp_helo_name", "mail.example.test"); /* default: $myhostname */
    expect_get(p, "inet_protocols", "all");
    char *v = mc_postfix_get(p, "loop1", NULL); /* a loop ends, it does not hang */
    assert_non_null(v);
    free(v);
    mc_postfix_params_free(p);
}

static void expansion_work_is_bounded(void **state)
{
    (void)state;
    /* Three references a level, twelve levels: 3^12 expansions unbounded
     * (found by fuzz_postfix as a timeout). */
    struct mc_postfix_params *p = parse("a = $b$b$b\nb = $c$c$c\nc = $d$d$d\nd = $e$e$e\n"
                                        "e = $f$f$f\nf = $g$g$g\ng = $h$h$h\nh = $i$i$i\n"
                                        "i = $j$j$j\nj = $k$k$k\nk = $l$l$l\nl = $m$m$m\n"
                                        "m = xxxxxxxxxx\n");
    int64_t start = mc_now_ms();
    char *v = mc_postfix_get(p, "a", NULL);
    assert_true(mc_now_ms() - start < 20000); /* a hang guard, not a speed target */
    assert_non_null(v);
    assert_true(strlen(v) > 0 && strlen(v) <= 16 * 1024);
    free(v);
    mc_postfix_params_free(p);
}

static void syntax_errors_name_the_line(void **state)
{
    (void)state;
    struct mc_postfix_params *p = NULL;
    char *why = NULL;
    assert_int_equal(mc_postfix_parse("a = 1\nno equals sign\n", 21, &p, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "line 2"));
    free(why);
    why = NULL;
    assert_int_equal(mc_postfix_parse("  leading = continuation\n", 25, &p, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "line 1"));
    free(why);
    why = NULL;
    assert_int_equal(mc_postfix_parse("a = 1\0b = 2\n", 12, &p, &why), MC_ERR_INPUT);
    free(why);
}

static void load_main_cf_without_postconf(void **state)
{
    (void)state;
    struct mc_postfix_config c;
    char *why = NULL;
    enum mc_status st = mc_postfix_load(MC_TEST_DATA_DIR "/unit/postfix", false, &c, &why);
    if (st != MC_OK)
        fail_msg("%s", why);
    assert_string_equal(c.source, "main.cf");
    assert_string_equal(c.helo_name, "mail.example.test");
    assert_true(c.use_ipv4);
    assert_true(c.use_ipv6);
    assert_string_equal(c.bind_address, "192.0.2.25");
    assert_null(c.bind_address6);
    mc_postfix_config_reset(&c);
}

static void load_errors(void **state)
{
    (void)state;
    struct mc_postfix_config c;
    char *why = NULL;
    assert_int_equal(mc_postfix_load("/nonexistent/postfix", false, &c, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "/nonexistent/postfix"));
    free(why);
    why = NULL;
    /* A directory without main.cf. */
    assert_int_equal(mc_postfix_load(MC_TEST_DATA_DIR "/unit", false, &c, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "main.cf"));
    free(why);
    why = NULL;
    /* A bad inet_protocols. */
    char path[] = "/tmp/mc-postfix-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char bad[] = "inet_protocols = ipv5\n";
    assert_int_equal(write(fd, bad, sizeof bad - 1), (int)(sizeof bad - 1));
    close(fd);
    assert_int_equal(mc_postfix_load(path, false, &c, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "ipv5"));
    free(why);
    unlink(path);
}

/* A value continued over 300,000 lines (900 KB, under main.cf's size
 * bound) is read in one pass: appended, not copied again at every line
 * (that took over a minute, past CTest's timeout). */
static void long_continuations_join_whole(void **state)
{
    (void)state;
    const size_t lines = 300000;
    size_t cap = 16 + lines * 3 + 1, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "a = x\n");
    for (size_t i = 0; i < lines; i++)
        len += (size_t)snprintf(text + len, cap - len, " y\n");
    struct mc_postfix_params *p = NULL;
    char *why = NULL;
    assert_int_equal(mc_postfix_parse(text, len, &p, &why), MC_OK);
    assert_int_equal(mc_postfix_params_count(p), 1);
    char *v = mc_postfix_get(p, "a", NULL); /* as far as expansion reads */
    assert_non_null(v);
    assert_memory_equal(v, "x y y y", 7);
    free(v);
    mc_postfix_params_free(p);
    free(text);
}

static void settings_are_bounded(void **state)
{
    (void)state;
    /* 10,001 settings: refused (every pass over them stays cheap). */
    size_t cap = 10001 * 16 + 1, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 10001; i++)
        len += (size_t)snprintf(text + len, cap - len, "p%d = 1\n", i);
    struct mc_postfix_params *p = NULL;
    char *why = NULL;
    assert_int_equal(mc_postfix_parse(text, len, &p, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "line 10001: more than 10000 parameter settings"));
    free(why);
    /* 10,000 are read. */
    len = 0;
    for (int i = 0; i < 10000; i++)
        len += (size_t)snprintf(text + len, cap - len, "p%d = 1\n", i);
    why = NULL;
    assert_int_equal(mc_postfix_parse(text, len, &p, &why), MC_OK);
    assert_int_equal(mc_postfix_params_count(p), 10000);
    mc_postfix_params_free(p);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syntax_comments_continuations_last_wins),
        cmocka_unit_test(expansion_forms),
        cmocka_unit_test(expansion_work_is_bounded),
        cmocka_unit_test(syntax_errors_name_the_line),
        cmocka_unit_test(load_main_cf_without_postconf),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(settings_are_bounded),
        cmocka_unit_test(long_continuations_join_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
