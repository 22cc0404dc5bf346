/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dkim_config.c: opendkim.conf(5) and its data sets (the
 * fixture directories under tests/unit/dkim/, copied to a temporary
 * directory with @DIR@ and @INLINE@ filled in and keys made there at run
 * time), the SigningTable as opendkim(8) applies it, and rspamd's
 * dkim_signing section as `rspamadm configdump -j` prints it.  The whole
 * path short of DNS is tried too: configuration, signer, private key file,
 * comparison with the published key (mc_dkim).
 */
#include <dirent.h>
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

#include "dkim_keys.h"
#include "mc_dkim.h"
#include "mc_dkim_config.h"
#include "mc_psl.h"
#include "mc_util.h"

static struct {
    char dir[64];
    EVP_PKEY *mail, *ed, *any, *pct, *inl, *old, *other, *single;
    char *inline_b64;
    struct mc_psl *psl;
} T;

/* ---- fixtures ---- */

static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t n = 0, fl = strlen(from), tl = strlen(to);
    for (const char *s = strstr(text, from); s; s = strstr(s + fl, from))
        n++;
    char *out = mc_xmalloc(strlen(text) + n * tl + 1), *o = out;
    for (const char *s = text;;) {
        const char *hit = strstr(s, from);
        size_t keep = hit ? (size_t)(hit - s) : strlen(s);
        memcpy(o, s, keep);
        o += keep;
        if (!hit)
            break;
        memcpy(o, to, tl);
        o += tl;
        s = hit + fl;
    }
    *o = '\0';
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = mc_xmalloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Copies fixture directory NAME to T.dir/NAME with the placeholders
 * filled in; returns that directory (caller frees). */
static char *fixture(const char *name)
{
    char *src = mc_xasprintf("%s/unit/dkim/%s", MC_TEST_DATA_DIR, name);
    char *dst = mc_xasprintf("%s/%s", T.dir, name);
    mkdir(dst, 0700);
    DIR *d = opendir(src);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *from = mc_xasprintf("%s/%s", src, e->d_name);
        char *to = mc_xasprintf("%s/%s", dst, e->d_name);
        char *text = slurp(from);
        char *a = replace_all(text, "@DIR@", dst);
        char *b = replace_all(a, "@INLINE@", T.inline_b64);
        test_keys_write(to, b);
        free(b);
        free(a);
        free(text);
        free(from);
        free(to);
    }
    closedir(d);
    free(src);
    return dst;
}

/* Writes KEY as a PKCS#8 PEM file at DIR/REL, making directories. */
static void key_file(const char *dir, const char *rel, EVP_PKEY *key)
{
    char *path = mc_xasprintf("%s/%s", dir, rel);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0700);
        *s = '/';
    }
    char *pem = test_key_pem(key, 0);
    test_keys_write(path, pem);
    free(pem);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(T.dir, sizeof T.dir, "/tmp/mc-dkim-config-XXXXXX");
    if (!mkdtemp(T.dir))
        return -1;
    T.mail = test_key_new(2048);
    T.ed = test_key_new(0);
    T.any = test_key_new(1024);
    T.pct = test_key_new(0);
    T.inl = test_key_new(0);
    T.old = test_key_new(1024);
    T.other = test_key_new(1024);
    T.single = test_key_new(1024);
    T.inline_b64 = test_key_private_der_b64(T.inl);
    char *why = NULL;
    T.psl = mc_psl_load(NULL, &why);
    free(why);
    return T.psl ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY *keys[] = {T.mail, T.ed, T.any, T.pct, T.inl, T.old, T.other, T.single};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        EVP_PKEY_free(keys[i]);
    free(T.inline_b64);
    mc_psl_free(T.psl);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", T.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static struct mc_dkim_config *load(const char *dir)
{
    char *path = mc_xasprintf("%s/opendkim.conf", dir);
    struct mc_dkim_config *cfg = NULL;
    char *why = NULL;
    if (mc_dkim_config_load(path, &cfg, &why) != MC_OK)
        fail_msg("%s", why);
    free(path);
    return cfg;
}

/* The problem of CFG whose source ends in SOURCE_END and whose why has
 * WHY_PART; fails when there is none. */
static void expect_problem(const struct mc_dkim_config_problem *v, size_t n, const char *source_end,
                           const char *why_part)
{
    for (size_t i = 0; i < n; i++) {
        size_t sl = strlen(v[i].source), el = strlen(source_end);
        if (sl >= el && strcmp(v[i].source + sl - el, source_end) == 0 &&
            strstr(v[i].why, why_part))
            return;
    }
    for (size_t i = 0; i < n; i++)
        print_message("  problem %s: %s\n", v[i].source, v[i].why);
    fail_msg("no problem at ...%s saying \"%s\"", source_end, why_part);
}

static void expect_config_problem(const struct mc_dkim_config *cfg, const char *source_end,
                                  const char *why_part)
{
    size_t n;
    const struct mc_dkim_config_problem *v = mc_dkim_config_problems(cfg, &n);
    expect_problem(v, n, source_end, why_part);
}

/* Resolves DOMAIN and checks the selectors, in order ("sel,sel"). */
static void expect_selectors(const struct mc_dkim_config *cfg, const char *domain, const char *want,
                             struct mc_dkim_signers *out)
{
    mc_dkim_config_resolve(cfg, domain, T.psl, out);
    char got[256] = "";
    for (size_t i = 0; i < out->n; i++) {
        size_t gl = strlen(got);
        snprintf(got + gl, sizeof got - gl, "%s%s", i ? "," : "", out->v[i].selector);
    }
    if (strcmp(got, want) != 0) {
        for (size_t i = 0; i < out->nproblems; i++)
            print_message("  problem %s: %s\n", out->problems[i].source, out->problems[i].why);
        fail_msg("%s: selectors \"%s\", want \"%s\"", domain, got, want);
    }
}

static char *record_of(EVP_PKEY *key)
{
    bool ed = EVP_PKEY_is_a(key, "ED25519");
    char *p = ed ? test_key_ed25519_b64(key) : test_key_spki_b64(key);
    char *record = mc_xasprintf("v=DKIM1; k=%s; p=%s", ed ? "ed25519" : "rsa", p);
    free(p);
    return record;
}

/* Compares the private key the signer S names with the published KEY. */
static enum mc_dkim_match signer_matches(const struct mc_dkim_signer *s, EVP_PKEY *published,
                                         char **why)
{
    struct mc_dkim_private *priv = NULL;
    *why = NULL;
    enum mc_status st =
        s->key_path ? mc_dkim_private_load(s->key_path, &priv, why)
                    : mc_dkim_private_parse(s->key_inline, strlen(s->key_inline), &priv, why);
    if (st != MC_OK)
        return MC_DKIM_UNREADABLE;
    char *record = record_of(published);
    struct mc_dkim_key key;
    mc_dkim_key_parse(record, strlen(record), &key);
    enum mc_dkim_match m = mc_dkim_private_compare(priv, &key, why);
    mc_dkim_key_reset(&key);
    free(record);
    mc_dkim_private_free(priv);
    return m;
}

/* ---- OpenDKIM: tables ---- */

static void tables_keys_and_problems(void **state)
{
    (void)state;
    char *dir = fixture("tables");
    struct mc_dkim_config *cfg = load(dir);
    assert_int_equal(mc_dkim_config_kind(cfg), MC_DKIM_CONFIG_OPENDKIM);
    size_t n;
    const struct mc_dkim_config_key *keys = mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 7); /* the broken line and the repeated name are not keys */
    assert_string_equal(keys[0].name, "mail-example");
    assert_string_equal(keys[0].domain, "example.test");
    assert_string_equal(keys[0].selector, "mail");
    assert_non_null(strstr(keys[0].source, "/KeyTable:2"));
    assert_string_equal(keys[2].domain, "%");
    assert_non_null(strstr(keys[2].path, "/keys/%/s2026.private"));
    assert_null(keys[4].path); /* inline */
    assert_string_equal(keys[4].inline_key, T.inline_b64);
    /* Every problem names its file and line. */
    expect_config_problem(cfg, "/KeyTable:11", "not \"domain:selector:key\"");
    expect_config_problem(cfg, "/KeyTable:12", "appears again");
    mc_dkim_config_free(cfg);
    free(dir);
}

static void tables_resolve(void **state)
{
    (void)state;
    char *dir = fixture("tables");
    key_file(dir, "keys/example.test/mail.private", T.mail);
    key_file(dir, "keys/example.test/ed2026.private", T.ed);
    key_file(dir, "keys/x.wild.test/s2026.private", T.any);
    key_file(dir, "keys/percent.test/pct.private", T.pct);
    key_file(dir, "keys/other.test/old.private", T.old);
    struct mc_dkim_config *cfg = load(dir);
    struct mc_dkim_signers s;
    char *why;

    /* MultipleSignatures yes (from the Include): every matching rule,
     * the Ed25519 key first (the ceo@ line), then for every sender. */
    expect_selectors(cfg, "Example.TEST.", "ed2026,mail", &s);
    assert_string_equal(s.v[0].domain, "example.test");
    assert_true(s.v[0].every_sender); /* the third rule takes every address */
    assert_non_null(strstr(s.v[0].rule, "/SigningTable:4"));
    assert_true(s.v[1].every_sender);
    assert_int_equal(signer_matches(&s.v[0], T.ed, &why), MC_DKIM_MATCH);
    assert_int_equal(signer_matches(&s.v[1], T.mail, &why), MC_DKIM_MATCH);
    mc_dkim_signers_reset(&s);

    /* Inline key. */
    expect_selectors(cfg, "inline.test", "inl", &s);
    assert_null(s.v[0].key_path);
    assert_non_null(s.v[0].key_inline);
    assert_int_equal(signer_matches(&s.v[0], T.inl, &why), MC_DKIM_MATCH);
    mc_dkim_signers_reset(&s);

    /* A key file that is not there: unreadable, saying why. */
    expect_selectors(cfg, "missing.test", "gone", &s);
    assert_int_equal(signer_matches(&s.v[0], T.old, &why), MC_DKIM_UNREADABLE);
    assert_non_null(strstr(why, "No such file"));
    free(why);
    mc_dkim_signers_reset(&s);

    /* The key file holds another key than the one published. */
    expect_selectors(cfg, "other.test", "old", &s);
    assert_int_equal(signer_matches(&s.v[0], T.other, &why), MC_DKIM_MISMATCH);
    free(why);
    mc_dkim_signers_reset(&s);

    /* The keyname '%' is the sender domain. */
    expect_selectors(cfg, "percent.test", "pct", &s);
    assert_int_equal(signer_matches(&s.v[0], T.pct, &why), MC_DKIM_MATCH);
    mc_dkim_signers_reset(&s);

    /* '%' as the KeyTable domain: d= is the sender domain, and so is the
     * '%' of the path. */
    expect_selectors(cfg, "x.wild.test", "s2026", &s);
    assert_string_equal(s.v[0].domain, "x.wild.test");
    char *want = mc_xasprintf("%s/keys/x.wild.test/s2026.private", dir);
    assert_string_equal(s.v[0].key_path, want);
    free(want);
    assert_int_equal(signer_matches(&s.v[0], T.any, &why), MC_DKIM_MATCH);
    mc_dkim_signers_reset(&s);

    /* A rule naming a key the KeyTable lacks. */
    expect_selectors(cfg, "nokey.test", "", &s);
    expect_problem(s.problems, s.nproblems, "/SigningTable:8", "\"no-such-key\"");
    mc_dkim_signers_reset(&s);

    /* No rule: nothing, and nothing wrong. */
    expect_selectors(cfg, "unsigned.test", "", &s);
    assert_int_equal(s.nproblems, 0);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "wild.test", "", &s); /* "*@*.wild.test" needs a label */
    mc_dkim_signers_reset(&s);

    mc_dkim_config_free(cfg);
    free(dir);
}

/* '%' in a key path, as opendkim fills it in: only in a KeyTable path
 * written from "/", never in a KeyFile. */
static void percent_in_key_paths(void **state)
{
    (void)state;
    char *dir = fixture("percent");
    key_file(dir, "keys/example.test.private", T.pct);
    struct mc_dkim_config *cfg = load(dir);
    struct mc_dkim_signers s;
    expect_selectors(cfg, "example.test", "abs,rel", &s);
    char *want = mc_xasprintf("%s/keys/example.test.private", dir);
    assert_string_equal(s.v[0].key_path, want);
    free(want);
    want = mc_xasprintf("%s/./keys/%%.private", dir); /* BaseDirectory, '%' kept */
    assert_string_equal(s.v[1].key_path, want);
    free(want);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
    free(dir);

    dir = fixture("singlepct");
    key_file(dir, "keys/example.test.private", T.single);
    cfg = load(dir);
    expect_selectors(cfg, "example.test", "s1", &s);
    want = mc_xasprintf("%s/keys/%%.private", dir);
    assert_string_equal(s.v[0].key_path, want);
    free(want);
    char *why = NULL;
    assert_int_equal(signer_matches(&s.v[0], T.single, &why), MC_DKIM_UNREADABLE);
    free(why);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
    free(dir);
}

/* The tables given as text, MultipleSignatures off (the default). */
static void refile_first_match_only(void **state)
{
    (void)state;
    struct mc_dkim_config *cfg = mc_dkim_config_new("test");
    const char kt[] = "a example.test:a:/k/a\nb example.test:b:/k/b\nc example.test:c:/k/c\n"
                      "d %:d:/k/%/d\n";
    const char st[] = "ceo@example.test a\n"
                      "*example.test b\n" /* every address at example.test (and more) */
                      "*@example.test c\n"
                      "*@*.example.test d\n"
                      "*+tag@example.test\tc\n"
                      "Joe.*@Example.Test c\n";
    mc_dkim_config_read_keytable(cfg, kt, strlen(kt), "KeyTable");
    mc_dkim_config_read_signingtable(cfg, st, strlen(st), "SigningTable", true);
    struct mc_dkim_signers s;
    expect_selectors(cfg, "example.test", "a,b", &s);
    assert_false(s.v[0].every_sender);
    assert_true(s.v[1].every_sender);
    mc_dkim_signers_reset(&s);
    /* "*example.test" matches sub.example.test too; it comes first. */
    expect_selectors(cfg, "sub.example.test", "b", &s);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "example.org", "", &s);
    mc_dkim_signers_reset(&s);
    size_t n;
    mc_dkim_config_problems(cfg, &n);
    assert_int_equal(n, 0);
    mc_dkim_config_free(cfg);

    /* Patterns meeting addresses: some, all, none. */
    cfg = mc_dkim_config_new("test");
    const char st2[] = "joe@sub.example.test a\n" /* a user only */
                       "*@*example.test b\n"      /* every address of a.example.test */
                       "*@example.test?x c\n";    /* a regular-expression character */
    mc_dkim_config_read_keytable(cfg, kt, strlen(kt), "KeyTable");
    mc_dkim_config_read_signingtable(cfg, st2, strlen(st2), "SigningTable", true);
    expect_selectors(cfg, "sub.example.test", "a,b", &s);
    assert_false(s.v[0].every_sender);
    assert_true(s.v[1].every_sender);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "example.test", "b", &s);
    mc_dkim_signers_reset(&s);
    expect_config_problem(cfg, "SigningTable:3", "regular expression");
    mc_dkim_config_free(cfg);

    /* '%' in a key path: filled in only in a path written from "/", as
     * opendkim's dkimf_add_signrequest() does; a relative one is opened
     * as written. */
    cfg = mc_dkim_config_new("test");
    const char kt3[] = "abs %:s1:/k/%.pem\nrel %:s2:./keys/%.pem\n";
    const char st3[] = "*@example.test abs\n*@example.test rel\n";
    mc_dkim_config_read_keytable(cfg, kt3, strlen(kt3), "KeyTable");
    mc_dkim_config_read_signingtable(cfg, st3, strlen(st3), "SigningTable", true);
    expect_selectors(cfg, "example.test", "s1", &s); /* first match only */
    assert_string_equal(s.v[0].key_path, "/k/example.test.pem");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
    cfg = mc_dkim_config_new("test");
    const char st4[] = "*@example.test rel\n";
    mc_dkim_config_read_keytable(cfg, kt3, strlen(kt3), "KeyTable");
    mc_dkim_config_read_signingtable(cfg, st4, strlen(st4), "SigningTable", true);
    expect_selectors(cfg, "example.test", "s2", &s);
    assert_string_equal(s.v[0].key_path, "./keys/%.pem");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
}

static void file_table_lookup_order(void **state)
{
    (void)state;
    char *dir = fixture("filetable");
    struct mc_dkim_config *cfg = load(dir);
    struct mc_dkim_signers s;
    /* user@host (some), then host: stops there. */
    expect_selectors(cfg, "example.test", "joe,host", &s);
    assert_false(s.v[0].every_sender);
    assert_true(s.v[1].every_sender);
    mc_dkim_signers_reset(&s);
    /* user@.parent, then .parent. */
    expect_selectors(cfg, "a.b.example.test", "joep,parent", &s);
    assert_string_equal(s.v[1].domain, "example.test");
    mc_dkim_signers_reset(&s);
    /* user@*, then *, whose KeyTable domain is '%'. */
    expect_selectors(cfg, "elsewhere.test", "bob,star", &s);
    assert_string_equal(s.v[1].domain, "elsewhere.test");
    assert_string_equal(s.v[1].key_path, "/nonexistent/elsewhere.test/star.private");
    mc_dkim_signers_reset(&s);
    /* A '*' in a plain file is no wildcard; the repeated key loses. */
    expect_config_problem(cfg, "/SigningTable:7", "only in a refile: table");
    /* "*@*" is no "user@*" either: its user is a '*'. */
    expect_config_problem(cfg, "/SigningTable:9", "only in a refile: table");
    mc_dkim_config_free(cfg);

    /* MultipleSignatures: every level. */
    struct mc_dkim_config *multi = NULL;
    char *conf = mc_xasprintf("%s/multi.conf", dir);
    char *text = mc_xasprintf("KeyTable %s/KeyTable\nSigningTable %s/SigningTable\n"
                              "MultipleSignatures Yes\n",
                              dir, dir);
    test_keys_write(conf, text);
    char *why = NULL;
    assert_int_equal(mc_dkim_config_load(conf, &multi, &why), MC_OK);
    expect_selectors(multi, "example.test", "joe,host,bob,star", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(multi);
    free(text);
    free(conf);
    free(dir);
}

/* ---- OpenDKIM: single-key mode ---- */

static void single_key_mode(void **state)
{
    (void)state;
    char *dir = fixture("single");
    key_file(dir, "keys/single.private", T.single);
    struct mc_dkim_config *cfg = load(dir);
    size_t n;
    const struct mc_dkim_config_key *keys = mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 2);
    assert_string_equal(keys[1].domain, "example.org");
    struct mc_dkim_signers s;
    char *why;
    expect_selectors(cfg, "example.test", "single", &s);
    assert_true(s.v[0].every_sender);
    assert_null(s.v[0].rule);
    char *want = mc_xasprintf("%s/keys/single.private", dir); /* BaseDirectory */
    assert_string_equal(s.v[0].key_path, want);
    free(want);
    assert_int_equal(signer_matches(&s.v[0], T.single, &why), MC_DKIM_MATCH);
    /* No SignatureAlgorithm: opendkim's default, for every key. */
    assert_string_equal(s.v[0].algorithm, "rsa-sha256");
    assert_null(s.v[0].algorithm_source);
    mc_dkim_signers_reset(&s);
    /* SubDomains: signed as the parent listed. */
    expect_selectors(cfg, "mail.example.org", "single", &s);
    assert_string_equal(s.v[0].domain, "example.org");
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "example.net", "", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    /* Domain "*", Mode v, KeyFile without Domain, a Domain file. */
    char *conf = mc_xasprintf("%s/star.conf", dir);
    test_keys_write(conf, "Domain *\nSelector s\nKeyFile /k\n");
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    expect_selectors(cfg, "any.test", "s", &s);
    assert_string_equal(s.v[0].domain, "any.test");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    test_keys_write(conf, "Domain *\nSelector s\nKeyFile /k\nMode v\n");
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    expect_selectors(cfg, "any.test", "", &s);
    expect_problem(s.problems, s.nproblems, "star.conf:4", "only verifies");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    test_keys_write(conf, "Selector s\nKeyFile /k\n");
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    expect_config_problem(cfg, "star.conf:2", "without Domain");
    mc_dkim_config_free(cfg);

    char *domains = mc_xasprintf("%s/domains", dir);
    test_keys_write(domains, "# signed domains\nexample.test\n\nexample.net  # and this\n");
    char *text = mc_xasprintf("Domain file:%s\nSelector s\nKeyFile /k\n", domains);
    test_keys_write(conf, text);
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    keys = mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 2);
    assert_string_equal(keys[1].domain, "example.net");
    mc_dkim_config_free(cfg);

    test_keys_write(conf, "# nothing that signs\nMode sv\n");
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    expect_config_problem(cfg, "star.conf", "no KeyTable and no KeyFile");
    mc_dkim_config_free(cfg);

    free(text);
    free(domains);
    free(conf);
    free(dir);
}

/* ---- OpenDKIM: what is skipped or cannot be read ---- */

static void data_sets_skipped(void **state)
{
    (void)state;
    char *dir = fixture("datasets");
    struct mc_dkim_config *cfg = load(dir);
    expect_config_problem(cfg, "opendkim.conf:2", "a db: data set");
    size_t n;
    mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 0);
    struct mc_dkim_signers s;
    expect_selectors(cfg, "example.test", "", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    struct {
        const char *spec, *named;
    } cases[] = {
        {"dsn:mysql://u@h/db/table=t?keycol=k?datacol=v", "a dsn: data set"},
        {"ldap://ldap.example.test/dc=example,dc=test", "a ldap: data set"},
        {"lua:/etc/opendkim/keys.lua", "a lua: data set"},
        {"/etc/opendkim/keytable.db", "Berkeley DB"},
        {"KeyTable", "a comma-separated list"}, /* not "/...": opendkim reads a list */
        {"refile:/etc/opendkim/KeyTable", "a refile: table"},
    };
    char *conf = mc_xasprintf("%s/one.conf", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = mc_xasprintf("KeyTable %s\nSigningTable refile:/nonexistent\n", cases[i].spec);
        test_keys_write(conf, text);
        char *why = NULL;
        assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
        expect_config_problem(cfg, "one.conf:1", cases[i].named);
        expect_config_problem(cfg, "one.conf:2", "No such file");
        mc_dkim_config_free(cfg);
        free(text);
    }
    free(conf);
    free(dir);
}

static void unreadable_and_malformed(void **state)
{
    (void)state;
    struct mc_dkim_config *cfg = NULL;
    char *why = NULL;
    /* The file named cannot be read at all: a failure, not a problem. */
    assert_int_equal(mc_dkim_config_load("/nonexistent/opendkim.conf", &cfg, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "/nonexistent/opendkim.conf"));
    assert_null(cfg);
    free(why);
    why = NULL;
    assert_int_equal(mc_dkim_config_load(T.dir, &cfg, &why), MC_ERR_INPUT);
    assert_non_null(strstr(why, "directory"));
    free(why);

    char *conf = mc_xasprintf("%s/bad.conf", T.dir);
    /* Syntax: comments, CR, empty values, a bad Boolean, Include loops. */
    char *text = mc_xasprintf("# comment\r\n"
                              "Selector\r\n"
                              "MultipleSignatures perhaps\n"
                              "Include %s/bad.conf\n"
                              "Include /nonexistent/x.conf\n"
                              "KeyTable file:/nonexistent/KeyTable # a comment\n"
                              "SigningTable refile:%s/nonesuch\n",
                              T.dir, T.dir);
    test_keys_write(conf, text);
    assert_int_equal(mc_dkim_config_load(conf, &cfg, &why), MC_OK);
    expect_config_problem(cfg, "bad.conf:2", "Selector has no value");
    expect_config_problem(cfg, "bad.conf:3", "not a Boolean");
    expect_config_problem(cfg, "bad.conf:4", "more than 5 deep");
    expect_config_problem(cfg, "bad.conf:5", "/nonexistent/x.conf");
    expect_config_problem(cfg, "bad.conf:6", "KeyTable: cannot read /nonexistent/KeyTable");
    expect_config_problem(cfg, "bad.conf:7", "nonesuch");
    mc_dkim_config_free(cfg);
    free(text);

    /* Table lines opendkim cannot read whole, or at all. */
    cfg = mc_dkim_config_new("test");
    char *long_line = mc_xmalloc(1200);
    memset(long_line, 'A', 1199);
    long_line[1199] = '\0';
    /* Built by pieces: line 2 holds a NUL. */
    const char nul_line[] = "nul example.test:n\0ul:/k\n";
    const char rest[] = "short example.test:s\n"
                        "  \t # only a comment\n"
                        "x :sel:/k\n";
    char *first = mc_xasprintf("big example.test:big:%s\n", long_line);
    size_t ktlen = strlen(first) + sizeof nul_line - 1 + sizeof rest - 1;
    char *kt = mc_xmalloc(ktlen);
    memcpy(kt, first, strlen(first));
    memcpy(kt + strlen(first), nul_line, sizeof nul_line - 1);
    memcpy(kt + strlen(first) + sizeof nul_line - 1, rest, sizeof rest - 1);
    free(first);
    mc_dkim_config_read_keytable(cfg, kt, ktlen, "KeyTable");
    expect_config_problem(cfg, "KeyTable:1", "1220 octets; opendkim reads 1023");
    expect_config_problem(cfg, "KeyTable:2", "NUL");
    expect_config_problem(cfg, "KeyTable:3", "not \"domain:selector:key\"");
    expect_config_problem(cfg, "KeyTable:5", "not \"domain:selector:key\"");
    size_t n;
    mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 0);
    const char st[] = "*@example.test\n";
    mc_dkim_config_read_signingtable(cfg, st, strlen(st), "SigningTable", true);
    expect_config_problem(cfg, "SigningTable:1", "names no key");
    mc_dkim_config_free(cfg);
    free(kt);
    free(long_line);
    free(conf);
}

/* ---- rspamd ---- */

static struct mc_dkim_config *rspamd(const char *json)
{
    struct mc_dkim_config *cfg = NULL;
    char *why = NULL;
    if (mc_dkim_config_parse_rspamd(json, strlen(json), "rspamadm", &cfg, &why) != MC_OK)
        fail_msg("%s", why);
    assert_int_equal(mc_dkim_config_kind(cfg), MC_DKIM_CONFIG_RSPAMD);
    return cfg;
}

static void rspamd_domains_selectors_templates(void **state)
{
    (void)state;
    /* As `rspamadm configdump -j dkim_signing` prints it. */
    struct mc_dkim_config *cfg = rspamd("{\n"
                                        "    \"enabled\": true,\n"
                                        "    \"selector\": \"def\",\n"
                                        "    \"path\": \"/var/keys/${domain}-$selector.pem\",\n"
                                        "    \"use_esld\": true,\n"
                                        "    \"domain\": {\n"
                                        "        \"Example.Test\": {\n"
                                        "            \"selector\": \"s1\",\n"
                                        "            \"path\": \"/k/$domain.$selector.key\"\n"
                                        "        },\n"
                                        "        \"example.org\": {\n"
                                        "            \"selectors\": [\n"
                                        "                {\"selector\": \"a\"},\n"
                                        "                {\"selector\": \"b\", \"path\": \"/b\"}\n"
                                        "            ]\n"
                                        "        }\n"
                                        "    }\n"
                                        "}\n");
    struct mc_dkim_signers s;
    /* use_esld: mail.example.test signs as example.test. */
    expect_selectors(cfg, "mail.example.test", "s1", &s);
    assert_string_equal(s.v[0].domain, "example.test");
    assert_string_equal(s.v[0].key_path, "/k/example.test.s1.key");
    assert_null(s.v[0].algorithm); /* rspamd signs as the key is */
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "example.org", "a,b", &s);
    assert_string_equal(s.v[0].key_path, "/var/keys/example.org-a.pem");
    assert_string_equal(s.v[1].key_path, "/b");
    mc_dkim_signers_reset(&s);
    /* Not listed: the fallback (try_fallback defaults to true). */
    expect_selectors(cfg, "other.test", "def", &s);
    assert_string_equal(s.v[0].key_path, "/var/keys/other.test-def.pem");
    mc_dkim_signers_reset(&s);
    /* No list at hand: the domain as it is, saying so. */
    mc_dkim_config_resolve(cfg, "mail.example.test", NULL, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.v[0].domain, "mail.example.test");
    expect_problem(s.problems, s.nproblems, "rspamadm", "use_esld");
    mc_dkim_signers_reset(&s);
    size_t n;
    mc_dkim_config_keys(cfg, &n);
    assert_int_equal(n, 4); /* s1, a, b, and the fallback */
    mc_dkim_config_free(cfg);

    /* The defaults alone: selector dkim, /var/lib/rspamd/dkim/... */
    cfg = rspamd("{\"enabled\": true}");
    expect_selectors(cfg, "example.test", "dkim", &s);
    assert_string_equal(s.v[0].key_path, "/var/lib/rspamd/dkim/example.test.dkim.key");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
}

/* A stand-in for rspamadm: a shell script printing BODY (run as
 * `SCRIPT configdump -j dkim_signing`; it checks it was asked so). */
static char *fake_rspamadm(const char *body)
{
    char dir[] = "/tmp/mc-rspamadm-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = mc_xasprintf("%s/rspamadm", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n[ \"$*\" = 'configdump -j dkim_signing' ] || exit 9\n%s\n", body);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

static void fake_rspamadm_remove(char *path)
{
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}

static void rspamadm_is_run_and_read(void **state)
{
    (void)state;
    char *prog = fake_rspamadm("echo '{\"domain\": {\"example.test\": {\"selector\": \"s1\", "
                               "\"path\": \"/k/$domain.$selector.key\"}}}'");
    struct mc_dkim_config *cfg = NULL;
    char *why = NULL;
    assert_int_equal(mc_dkim_config_rspamadm(prog, &cfg, &why), MC_OK);
    assert_null(why);
    struct mc_dkim_signers s;
    expect_selectors(cfg, "example.test", "s1", &s);
    assert_string_equal(s.v[0].key_path, "/k/example.test.s1.key");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
    fake_rspamadm_remove(prog);
}

static void rspamadm_failures_name_it(void **state)
{
    (void)state;
    static const struct {
        const char *body, *why;
    } cases[] = {
        {"echo 'cannot load config' >&2; exit 1", "failed (exit 1): \"cannot load config\""},
        {"exec sleep 30", "did not finish within 10 s"},
        {"echo 'not json'", "printed no JSON object"},
        {"exec yes", "printed more than mailcheck reads"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* The hang costs the 10 s bound; the rest are quick. */
        char *prog = fake_rspamadm(cases[i].body);
        struct mc_dkim_config *cfg = NULL;
        char *why = NULL;
        assert_int_equal(mc_dkim_config_rspamadm(prog, &cfg, &why), MC_ERR_INPUT);
        assert_null(cfg);
        assert_non_null(why);
        if (!strstr(why, cases[i].why))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].why);
        free(why);
        fake_rspamadm_remove(prog);
    }
}

static void rspamd_settings_that_change_the_answer(void **state)
{
    (void)state;
    struct mc_dkim_signers s;
    struct mc_dkim_config *cfg = rspamd("{\"try_fallback\": false, \"domain\": "
                                        "{\"example.test\": {\"selector\": \"x\"}}}");
    expect_selectors(cfg, "example.test", "x", &s);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "other.test", "", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"enabled\": false}");
    expect_selectors(cfg, "example.test", "", &s);
    expect_problem(s.problems, s.nproblems, "rspamadm", "disabled");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"use_redis\": true, \"selector\": \"r\"}");
    expect_selectors(cfg, "example.test", "r", &s);
    assert_null(s.v[0].key_path);
    expect_problem(s.problems, s.nproblems, "rspamadm", "Redis");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"signing_table\": \"file:///etc/rspamd/signing.map\", "
                 "\"key_table\": \"file:///etc/rspamd/keys.map\"}");
    expect_selectors(cfg, "example.test", "", &s);
    expect_problem(s.problems, s.nproblems, "rspamadm", "signing_table");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"use_domain\": \"auth\"}");
    expect_selectors(cfg, "example.test", "", &s);
    expect_problem(s.problems, s.nproblems, "rspamadm", "SMTP login");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"use_domain\": \"Signer.Example.Net\", \"use_esld\": \"no\"}");
    expect_selectors(cfg, "example.test", "dkim", &s);
    assert_string_equal(s.v[0].domain, "signer.example.net");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    cfg = rspamd("{\"selector_map\": \"/etc/rspamd/selectors.map\"}");
    expect_selectors(cfg, "example.test", "dkim", &s);
    expect_problem(s.problems, s.nproblems, "rspamadm", "selector_map");
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    /* Two sections (UCL prints each), the later overriding; a domain
     * given twice (an implicit array). */
    cfg = rspamd("{\"selector\": \"one\", \"domain\": [{\"a.test\": {\"selector\": \"a1\"}},"
                 " {\"b.test\": [{\"selector\": \"b1\"}, {\"selector\": \"b2\"}]}]}\n"
                 "{\"selector\": \"two\"}\n");
    expect_selectors(cfg, "a.test", "a1", &s);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "b.test", "b1,b2", &s);
    mc_dkim_signers_reset(&s);
    expect_selectors(cfg, "c.test", "two", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
}

static void rspamd_output_that_is_not_a_section(void **state)
{
    (void)state;
    struct mc_dkim_config *cfg = rspamd("Section dkim_signing NOT FOUND\n");
    expect_config_problem(cfg, "rspamadm", "no dkim_signing section");
    struct mc_dkim_signers s;
    expect_selectors(cfg, "example.test", "", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);

    const char *bad[] = {"", "   \n", "{\"enabled\": tru", "not json", "{} trailing"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *why = NULL;
        cfg = NULL;
        assert_int_equal(
            mc_dkim_config_parse_rspamd(bad[i], strlen(bad[i]), "rspamadm", &cfg, &why),
            MC_ERR_INPUT);
        assert_null(cfg);
        assert_non_null(strstr(why, "rspamadm"));
        free(why);
    }
    /* Wrong shapes are skipped with a problem, not fatal. */
    cfg = rspamd("{\"domain\": {\"a.test\": 5, \"\": {}}, \"selector\": 7}");
    expect_config_problem(cfg, "rspamadm", "not an object");
    expect_config_problem(cfg, "rspamadm", "not a domain name");
    expect_selectors(cfg, "a.test", "dkim", &s);
    mc_dkim_signers_reset(&s);
    mc_dkim_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_keys_and_problems),
        cmocka_unit_test(tables_resolve),
        cmocka_unit_test(percent_in_key_paths),
        cmocka_unit_test(refile_first_match_only),
        cmocka_unit_test(file_table_lookup_order),
        cmocka_unit_test(single_key_mode),
        cmocka_unit_test(data_sets_skipped),
        cmocka_unit_test(unreadable_and_malformed),
        cmocka_unit_test(rspamd_domains_selectors_templates),
        cmocka_unit_test(rspamd_settings_that_change_the_answer),
        cmocka_unit_test(rspamadm_is_run_and_read),
        cmocka_unit_test(rspamadm_failures_name_it),
        cmocka_unit_test(rspamd_output_that_is_not_a_section),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
