/* SPDX-License-Identifier: MIT */
/* Unit tests for postfix_lint.c: the rules over a configuration read by
 * the parser (postconf not asked), from files written to a temporary
 * directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mc_postfix.h"
#include "mc_postfix_lint.h"

struct fixture {
    char dir[64];
    struct mc_postfix_config config;
    struct mc_postfix_lint lint;
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads MAIN_CF and MASTER_CF (NULL: no master.cf) and lints them. */
static void lint(struct fixture *fx, const char *main_cf, const char *master_cf)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mc-lint-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    write_file(fx->dir, "main.cf", main_cf);
    if (master_cf)
        write_file(fx->dir, "master.cf", master_cf);
    char *why = NULL;
    if (mc_postfix_load(fx->dir, false, &fx->config, &why) != MC_OK)
        fail_msg("%s", why);
    mc_postfix_lint_run(&fx->config, &fx->lint);
}

static void done(struct fixture *fx)
{
    mc_postfix_lint_reset(&fx->lint);
    mc_postfix_config_reset(&fx->config);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
}

static size_t count(const struct fixture *fx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->lint.nfindings; i++)
        n += strcmp(fx->lint.findings[i].code, code) == 0;
    return n;
}

static const struct mc_postfix_finding *find(const struct fixture *fx, const char *code)
{
    for (size_t i = 0; i < fx->lint.nfindings; i++)
        if (strcmp(fx->lint.findings[i].code, code) == 0)
            return &fx->lint.findings[i];
    fail_msg("no %s finding", code);
    /* Not reached (fail_msg() ends the test); a finding, never NULL. */
    static char empty[1];
    static const struct mc_postfix_finding none = {
        .code = "", .subject = empty, .message = empty, .fix = empty};
    return &none;
}

#define SOUND "myhostname = mail.example.test\nsmtp_tls_security_level = may\n"
#define MASTER "smtp inet n - y - - smtpd\nsmtp unix - - y - - smtp\n"

static void fqdn_rule(void **state)
{
    (void)state;
    assert_true(mc_postfix_name_is_fqdn("mail.example.com"));
    assert_true(mc_postfix_name_is_fqdn("mail.example.com."));
    assert_false(mc_postfix_name_is_fqdn("mail"));
    assert_false(mc_postfix_name_is_fqdn("mail."));
    assert_false(mc_postfix_name_is_fqdn(""));
    assert_false(mc_postfix_name_is_fqdn("mx.localdomain"));
    assert_false(mc_postfix_name_is_fqdn("mx.LAN"));
    assert_false(mc_postfix_name_is_fqdn("mx.corp.internal"));
    assert_false(mc_postfix_name_is_fqdn("mx.home.arpa"));
    assert_false(mc_postfix_name_is_fqdn("mx.local"));
    assert_true(mc_postfix_name_is_fqdn("mx.localhost.example")); /* not a suffix */
}

static void sound_configuration_is_quiet(void **state)
{
    (void)state;
    struct fixture fx = {0};
    lint(&fx,
         SOUND "mynetworks = 127.0.0.0/8 [::1]/128 [2001:db8::]/32\n"
               "smtpd_recipient_restrictions = check_policy_service unix:private/policy,\n"
               "    check_client_access cidr:/nonexistent/clients, permit\n"
               "transport_maps = inline:{ example.test = nosuch:x }\n",
         MASTER);
    assert_int_equal(fx.lint.nfindings, 0);
    assert_false(fx.lint.helo_not_fqdn);
    done(&fx);
}

static void table_types_nested(void **state)
{
    (void)state;
    struct fixture fx = {0};
    lint(&fx,
         SOUND "virtual_alias_maps = hashregexp:/etc/x\n"
               "relay_recipient_maps = proxy:unionmap:{texthash:/x, pipemap:{cidr:/y, bogus:/z}}\n"
               "header_checks = regexp:/h\n",
         MASTER "sub inet n - y - - smtpd -o smtpd_sender_restrictions=madeup:/s\n");
    assert_int_equal(count(&fx, "postfix-table-type"), 3);
    const struct mc_postfix_finding *f = find(&fx, "postfix-table-type");
    assert_string_equal(f->subject, "virtual_alias_maps");
    assert_int_equal(f->line, 3);
    assert_non_null(strstr(f->message, "'hashregexp'"));
    assert_int_equal(fx.lint.findings[fx.lint.nfindings - 1].line, 3); /* master.cf line 3 */
    assert_non_null(strstr(fx.lint.findings[fx.lint.nfindings - 1].file, "master.cf"));
    done(&fx);
}

static void tls_defaults(void **state)
{
    (void)state;
    struct fixture fx = {0};
    /* Empty level, obsolete smtp_use_tls on: TLS is used. */
    lint(&fx, "myhostname = mail.example.test\nsmtp_use_tls = yes\n", MASTER);
    assert_int_equal(count(&fx, "postfix-tls-off"), 0);
    done(&fx);
    /* compatibility_level 3.11 makes the default "may". */
    lint(&fx, "myhostname = mail.example.test\ncompatibility_level = 3.11\n", MASTER);
    assert_int_equal(count(&fx, "postfix-tls-off"), 0);
    done(&fx);
    /* 3.6 does not: the default is empty, TLS off, no file (a default). */
    lint(&fx, "myhostname = mail.example.test\ncompatibility_level = 3.6\n", MASTER);
    assert_int_equal(count(&fx, "postfix-tls-off"), 1);
    assert_null(find(&fx, "postfix-tls-off")->file);
    done(&fx);
}

static void tlsproxy_service_name(void **state)
{
    (void)state;
    struct fixture fx = {0};
    lint(&fx, SOUND "smtp_tls_connection_reuse = yes\ntlsproxy_service_name = tlsp\n",
         MASTER "tlsproxy unix - - y - 0 tlsproxy\n");
    assert_int_equal(count(&fx, "postfix-tlsproxy-missing"), 1); /* named tlsp, not tlsproxy */
    assert_non_null(strstr(find(&fx, "postfix-tlsproxy-missing")->fix, "tlsp  unix"));
    done(&fx);
    lint(&fx, SOUND "smtp_tls_connection_reuse = yes\n",
         MASTER "tlsproxy unix - - y - 0 tlsproxy\n");
    assert_int_equal(count(&fx, "postfix-tlsproxy-missing"), 0);
    done(&fx);
    /* No master.cf at all: reported as missing, and the reuse has no proxy. */
    lint(&fx, SOUND "smtp_tls_connection_reuse = yes\n", NULL);
    assert_int_equal(count(&fx, "postfix-master-missing"), 1);
    assert_int_equal(count(&fx, "postfix-tlsproxy-missing"), 1);
    done(&fx);
}

static void helo_rules(void **state)
{
    (void)state;
    struct fixture fx = {0};
    lint(&fx, "myhostname = mail\nsmtp_tls_security_level = may\n", MASTER);
    assert_true(fx.lint.helo_not_fqdn);
    assert_string_equal(find(&fx, "postfix-helo-not-fqdn")->subject, "myhostname");
    assert_int_equal(find(&fx, "postfix-helo-not-fqdn")->line, 1);
    done(&fx);
    /* An override naming $myhostname expands from main.cf: no fqdn finding. */
    lint(&fx, SOUND, MASTER "out unix - - y - - smtp -o smtp_helo_name=out.$mydomain\n");
    assert_false(fx.lint.helo_not_fqdn);
    assert_int_equal(count(&fx, "postfix-helo-override"), 1);
    assert_int_equal(count(&fx, "postfix-helo-not-fqdn"), 0);
    assert_non_null(strstr(find(&fx, "postfix-helo-override")->message, "out.example.test"));
    done(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fqdn_rule),
        cmocka_unit_test(sound_configuration_is_quiet),
        cmocka_unit_test(table_types_nested),
        cmocka_unit_test(tls_defaults),
        cmocka_unit_test(tlsproxy_service_name),
        cmocka_unit_test(helo_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
