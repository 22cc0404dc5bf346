/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dkim.c: the key record (RFC 6376 §3.2 tag lists, §3.6.1
 * tags, RFC 8301 sizes, RFC 8463 Ed25519), private key files, their
 * comparison by parameters, and the record to publish.  Every key is made
 * at run time (dkim_keys.h); the records are written here, in the shapes
 * public suites use (a verifier's fake DNS data of 18 records, a parser's
 * table of records, RFC 8463's example key) and real mistakes take.
 */
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
#include "mc_util.h"

/* The keys every test uses, made once. */
static struct {
    EVP_PKEY *rsa512, *rsa768, *rsa1024, *rsa1024b, *rsa2048, *ed, *edb;
    char *spki512, *spki768, *spki1024, *spki1024b, *spki2048, *pkcs1_2048, *raw_ed, *raw_edb;
    char dir[64];
} K;

static int make_keys(void **state)
{
    (void)state;
    K.rsa512 = test_key_new(512);
    K.rsa768 = test_key_new(768);
    K.rsa1024 = test_key_new(1024);
    K.rsa1024b = test_key_new(1024);
    K.rsa2048 = test_key_new(2048);
    K.ed = test_key_new(0);
    K.edb = test_key_new(0);
    K.spki512 = test_key_spki_b64(K.rsa512);
    K.spki768 = test_key_spki_b64(K.rsa768);
    K.spki1024 = test_key_spki_b64(K.rsa1024);
    K.spki1024b = test_key_spki_b64(K.rsa1024b);
    K.spki2048 = test_key_spki_b64(K.rsa2048);
    K.pkcs1_2048 = test_key_pkcs1_public_b64(K.rsa2048);
    K.raw_ed = test_key_ed25519_b64(K.ed);
    K.raw_edb = test_key_ed25519_b64(K.edb);
    snprintf(K.dir, sizeof K.dir, "/tmp/mc-dkim-XXXXXX");
    return mkdtemp(K.dir) ? 0 : -1;
}

static int free_keys(void **state)
{
    (void)state;
    EVP_PKEY *keys[] = {K.rsa512, K.rsa768, K.rsa1024, K.rsa1024b, K.rsa2048, K.ed, K.edb};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        EVP_PKEY_free(keys[i]);
    char *texts[] = {K.spki512,  K.spki768,    K.spki1024, K.spki1024b,
                     K.spki2048, K.pkcs1_2048, K.raw_ed,   K.raw_edb};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(texts[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", K.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static struct mc_dkim_key parse(const char *record)
{
    struct mc_dkim_key key;
    mc_dkim_key_parse(record, strlen(record), &key);
    return key;
}

/* The record FMT with every "%s" replaced by P. */
static char *with_key(const char *fmt, const char *p)
{
    size_t n = strlen(fmt) + 4 * strlen(p) + 1;
    char *out = mc_xmalloc(n);
    size_t o = 0;
    for (const char *s = fmt; *s; s++) {
        if (s[0] == '%' && s[1] == 's') {
            memcpy(out + o, p, strlen(p));
            o += strlen(p);
            s++;
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
    return out;
}

static void expect(const char *fmt, const char *p, enum mc_dkim_status status, const char *tag,
                   const char *why_part)
{
    char *record = with_key(fmt, p ? p : "");
    struct mc_dkim_key key = parse(record);
    if (key.status != status)
        fail_msg("%s: got %s (%s), want %s", record, mc_dkim_status_finding(key.status),
                 key.why ? key.why : "-", mc_dkim_status_finding(status));
    if (status == MC_DKIM_KEY_INVALID) {
        if ((tag == NULL) != (key.tag == NULL) || (tag && strcmp(tag, key.tag) != 0))
            fail_msg("%s: tag %s, want %s (%s)", record, key.tag ? key.tag : "(syntax)",
                     tag ? tag : "(syntax)", key.why);
        assert_non_null(key.why);
        if (why_part && !strstr(key.why, why_part))
            fail_msg("%s: why \"%s\" lacks \"%s\"", record, key.why, why_part);
    } else {
        assert_null(key.why);
    }
    mc_dkim_key_reset(&key);
    free(record);
}

static char *write_file(const char *name, const char *text)
{
    char *path = mc_xasprintf("%s/%s", K.dir, name);
    test_keys_write(path, text);
    return path;
}

static struct mc_dkim_private *load(const char *path)
{
    struct mc_dkim_private *priv = NULL;
    char *why = NULL;
    if (mc_dkim_private_load(path, &priv, &why) != MC_OK)
        fail_msg("%s: %s", path, why);
    return priv;
}

static void expect_unreadable(const char *path, const char *why_part)
{
    struct mc_dkim_private *priv = NULL;
    char *why = NULL;
    assert_int_equal(mc_dkim_private_load(path, &priv, &why), MC_ERR_INPUT);
    assert_null(priv);
    assert_non_null(why);
    if (!strstr(why, why_part))
        fail_msg("%s: why \"%s\" lacks \"%s\"", path, why, why_part);
    free(why);
}

static enum mc_dkim_match compare(const struct mc_dkim_private *priv, const char *record,
                                  char **why)
{
    struct mc_dkim_key key = parse(record);
    *why = NULL;
    enum mc_dkim_match m = mc_dkim_private_compare(priv, &key, why);
    mc_dkim_key_reset(&key);
    return m;
}

/* ---- the tag list (RFC 6376 §3.2) ---- */

static void tag_list_whitespace_and_folding(void **state)
{
    (void)state;
    /* WSP around names, '=' and values; FWS (CRLF WSP) too; whitespace
     * inside p= (RFC 6376 §3.6.1); a final ';', with or without a space. */
    char *split =
        mc_xasprintf("%.40s \t%.40s\r\n %s", K.spki2048, K.spki2048 + 40, K.spki2048 + 80);
    expect(" v = DKIM1 ;\tk\t=\trsa ;\r\n\tp = %s", split, MC_DKIM_KEY_OK, NULL, NULL);
    free(split);
    expect("v=DKIM1; p=%s;", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    expect("v=DKIM1; p=%s; ", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    /* CRLF not followed by WSP is no FWS. */
    expect("v=DKIM1;\r\np=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "no tag name");
    /* A bare LF is no whitespace of the grammar either. */
    expect("v=DKIM1;\np=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "no tag name");
}

static void tag_list_syntax_errors(void **state)
{
    (void)state;
    expect("k=rsa; t; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "\"t\" has no '='");
    expect("v=DKIM1;; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "empty tag");
    expect("v=DKIM1; 1p=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "no tag name");
    expect("v=DKIM1; p=%s; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "twice");
    expect("v=DKIM1; n=caf\xc3\xa9; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, NULL, "0xc3");
    /* A NUL inside the record (TXT strings may carry one). */
    char record[] = "v=DKIM1; n=a\0b; p=";
    struct mc_dkim_key key;
    mc_dkim_key_parse(record, sizeof record - 1, &key);
    assert_int_equal(key.status, MC_DKIM_KEY_INVALID);
    assert_non_null(strstr(key.why, "0x00"));
    mc_dkim_key_reset(&key);
    /* Nothing at all: no p=. */
    expect("", NULL, MC_DKIM_KEY_INVALID, "p", "no p=");
    expect("   ", NULL, MC_DKIM_KEY_INVALID, "p", "no p=");
}

static void tag_names_are_case_sensitive_and_unknown_tags_ignored(void **state)
{
    (void)state;
    /* "V" is not "v": an unknown tag, ignored. */
    expect("V=DKIM2; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    /* "P" is not "p": the record has no key. */
    expect("v=DKIM1; P=%s", K.spki2048, MC_DKIM_KEY_INVALID, "p", "no p=");
    /* Notes, historic g= (RFC 4871), tags of no RFC. */
    expect("v=DKIM1; g=*poe; n=A note, with spaces; x1 = extra; p=%s", K.spki2048, MC_DKIM_KEY_OK,
           NULL, NULL);
    expect("v=DKIM1; g=; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
}

/* ---- the tags (RFC 6376 §3.6.1) ---- */

static void version_first_and_exactly_dkim1(void **state)
{
    (void)state;
    expect("v=DKIM3; t=y; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "v", "DKIM3");
    expect("v=dkim1; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "v", "case-sensitive");
    expect("k=rsa; v=DKIM1; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "v", "first");
    expect("p=; v=DKIM1", NULL, MC_DKIM_KEY_INVALID, "v", "first");
    expect("k=rsa; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL); /* v= is optional */
}

static void key_type(void **state)
{
    (void)state;
    expect("k=foobar; t=y; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "k", "foobar");
    expect("v=DKIM1; k=unknown; p=", NULL, MC_DKIM_KEY_INVALID, "k", "unknown");
    expect("v=DKIM1; k=RSA; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "k", "case-sensitive");
    /* A key type in other letter case: receivers disagree, and the finding
     * says which way each goes. */
    expect("v=DKIM1; k=RSA; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "k", "is not \"rsa\"");
    expect("v=DKIM1; k=Ed25519; p=%s", K.raw_ed, MC_DKIM_KEY_INVALID, "k", "OpenDKIM accepts it");
    expect("v=DKIM1; k=rsax; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "k", "do not know");
    struct mc_dkim_key key = parse("k=foobar; p=");
    assert_int_equal(key.type, MC_DKIM_TYPE_NONE);
    mc_dkim_key_reset(&key);
    char *record = with_key("v=DKIM1; p=%s", K.spki2048); /* k= defaults to rsa */
    key = parse(record);
    assert_int_equal(key.type, MC_DKIM_TYPE_RSA);
    assert_int_equal(key.bits, 2048);
    mc_dkim_key_reset(&key);
    free(record);
}

static void hash_list_must_include_sha256(void **state)
{
    (void)state;
    /* The mistake of writing the signature algorithm. */
    expect("v=DKIM1; h=rsa-sha256; k=rsa; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "h",
           "not signature algorithms");
    expect("v=DKIM1; h=sha1; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "h", "sha256");
    expect("v=DKIM1; h=bad; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "h", "h=bad");
    expect("v=DKIM1; h=SHA256; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "h", "sha256");
    expect("v=DKIM1; h = sha1 : sha256 ; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    expect("v=DKIM1; h=sha1:sha256:unknown; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
}

static void service_must_include_email(void **state)
{
    (void)state;
    expect("v=DKIM1; s=chat; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "s", "s=chat");
    expect("v=DKIM1; s=email:web:fine; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    expect("v=DKIM1; s=*; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
    expect("v=DKIM1; s = tlsrpt : email; p=%s", K.spki2048, MC_DKIM_KEY_OK, NULL, NULL);
}

static void flags(void **state)
{
    (void)state;
    char *record = with_key("v=DKIM1; t=y; p=%s", K.spki2048);
    struct mc_dkim_key key = parse(record);
    assert_int_equal(key.status, MC_DKIM_KEY_OK);
    assert_true(key.testing);
    assert_false(key.strict);
    mc_dkim_key_reset(&key);
    free(record);

    record = with_key("v=DKIM1; t=s; p=%s", K.spki2048);
    key = parse(record);
    assert_false(key.testing);
    assert_true(key.strict);
    mc_dkim_key_reset(&key);
    free(record);

    /* Unknown flags ignored, whitespace around the colons. */
    record = with_key("v=DKIM1; t = y : n : extra; p=%s", K.spki2048);
    key = parse(record);
    assert_true(key.testing);
    mc_dkim_key_reset(&key);
    free(record);

    /* A testing key that is also revoked: both are told. */
    key = parse("k=rsa; t=y; p=");
    assert_int_equal(key.status, MC_DKIM_KEY_REVOKED);
    assert_true(key.testing);
    mc_dkim_key_reset(&key);
}

static void revoked_and_missing_key(void **state)
{
    (void)state;
    expect("v=DKIM1; p=", NULL, MC_DKIM_KEY_REVOKED, NULL, NULL);
    expect("v=DKIM1; p= ;", NULL, MC_DKIM_KEY_REVOKED, NULL, NULL);
    expect("v=DKIM1; k=ed25519; p=", NULL, MC_DKIM_KEY_REVOKED, NULL, NULL);
    expect("v=DKIM1; k=rsa", NULL, MC_DKIM_KEY_INVALID, "p", "no p=");
    struct mc_dkim_key key = parse("v=DKIM1; p=");
    assert_null(key.pub);
    assert_int_equal(key.bits, 0);
    mc_dkim_key_reset(&key);
}

/* ---- p= ---- */

static void rsa_sizes(void **state)
{
    (void)state;
    /* RFC 8301 §3.2: under 1024 weak, under 2048 short. */
    struct {
        const char *p;
        unsigned bits;
        enum mc_dkim_status status;
    } cases[] = {
        {K.spki512, 512, MC_DKIM_KEY_WEAK},    {K.spki768, 768, MC_DKIM_KEY_WEAK},
        {K.spki1024, 1024, MC_DKIM_KEY_SHORT}, {K.spki2048, 2048, MC_DKIM_KEY_OK},
        {K.pkcs1_2048, 2048, MC_DKIM_KEY_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *record = with_key("v=DKIM1; k=rsa; p=%s", cases[i].p);
        struct mc_dkim_key key = parse(record);
        assert_int_equal(key.status, cases[i].status);
        assert_int_equal(key.bits, cases[i].bits);
        assert_int_equal(key.type, MC_DKIM_TYPE_RSA);
        assert_non_null(key.pub);
        mc_dkim_key_reset(&key);
        free(record);
    }
}

static void rsa_forms_compare_equal(void **state)
{
    (void)state;
    /* One key as SubjectPublicKeyInfo and as RSAPublicKey (erratum 3017):
     * the same parameters, so a private key matches both. */
    char *spki = with_key("v=DKIM1; p=%s", K.spki2048);
    char *pkcs1 = with_key("v=DKIM1; p=%s", K.pkcs1_2048);
    assert_string_not_equal(K.spki2048, K.pkcs1_2048);
    char *pem = test_key_pem(K.rsa2048, 0);
    char *path = write_file("forms.pem", pem);
    struct mc_dkim_private *priv = load(path);
    char *why;
    assert_int_equal(compare(priv, spki, &why), MC_DKIM_MATCH);
    assert_int_equal(compare(priv, pkcs1, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(priv);
    free(path);
    free(pem);
    free(spki);
    free(pkcs1);
}

static void key_cut_at_255_characters(void **state)
{
    (void)state;
    /* A 2048-bit key entered as one string of a registrar's form: the
     * record ends at octet 255. */
    char *record = with_key("v=DKIM1; k=rsa; p=%s", K.spki2048);
    assert_true(strlen(record) > 255);
    record[255] = '\0';
    expect("%s", record, MC_DKIM_KEY_INVALID, "p", "255");
    expect("%s", record, MC_DKIM_KEY_INVALID, "p", "several strings");
    /* Cut at a whole base64 quantum: the DER still says it is short. */
    size_t p = (size_t)(strstr(record, "p=") - record) + 2;
    record[p + 200] = '\0';
    expect("%s", record, MC_DKIM_KEY_INVALID, "p", "announces");
    free(record);
}

static void quotes_inside_the_key(void **state)
{
    (void)state;
    /* The zone file's string quoting copied into the record. */
    char *quoted = mc_xasprintf("%.100s\" \"%s", K.spki2048, K.spki2048 + 100);
    expect("v=DKIM1; k=rsa; p=%s", quoted, MC_DKIM_KEY_INVALID, "p", "quote mark");
    free(quoted);
    quoted = mc_xasprintf("\"%s\"", K.spki2048);
    expect("v=DKIM1; k=rsa; p=%s", quoted, MC_DKIM_KEY_INVALID, "p", "quote mark");
    free(quoted);
}

static void base64_errors(void **state)
{
    (void)state;
    char *bad = mc_xasprintf("%.20s*%s", K.spki2048, K.spki2048 + 21);
    expect("v=DKIM1; p=%s", bad, MC_DKIM_KEY_INVALID, "p", "'*' (character");
    free(bad);
    expect("v=DKIM1; k=ed25519; p=AAAA=AAA", NULL, MC_DKIM_KEY_INVALID, "p", "padding");
    expect("v=DKIM1; k=ed25519; p=A===", NULL, MC_DKIM_KEY_INVALID, "p", "padding");
    /* Not a key at all. */
    expect("v=DKIM1; p=aGVsbG8gd29ybGQh", NULL, MC_DKIM_KEY_INVALID, "p", "not an RSA key");
    /* SubjectPublicKeyInfo with octets after it. */
    char *der_plus = mc_xasprintf("%sAAAA", K.spki2048);
    expect("v=DKIM1; p=%s", der_plus, MC_DKIM_KEY_INVALID, "p", "after the");
    free(der_plus);
}

static void ed25519_keys(void **state)
{
    (void)state;
    char *record = with_key("v=DKIM1; k=ed25519; p=%s", K.raw_ed);
    struct mc_dkim_key key = parse(record);
    assert_int_equal(key.status, MC_DKIM_KEY_OK);
    assert_int_equal(key.type, MC_DKIM_TYPE_ED25519);
    assert_int_equal(key.bits, 256);
    mc_dkim_key_reset(&key);
    free(record);

    /* RFC 8463 Appendix A.2's record, as published. */
    key = parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    assert_int_equal(key.status, MC_DKIM_KEY_OK);
    assert_int_equal(key.type, MC_DKIM_TYPE_ED25519);
    mc_dkim_key_reset(&key);

    /* As SubjectPublicKeyInfo, which RFC 8463 §4.2 does not want. */
    char *spki = test_key_spki_b64(K.ed);
    expect("v=DKIM1; k=ed25519; p=%s", spki, MC_DKIM_KEY_INVALID, "p", "SubjectPublicKeyInfo");
    /* An Ed25519 SubjectPublicKeyInfo where k= says (by default) rsa. */
    expect("v=DKIM1; p=%s", spki, MC_DKIM_KEY_INVALID, "p", "ED25519");
    free(spki);
    /* 32 raw octets without k=ed25519. */
    expect("v=DKIM1; p=%s", K.raw_ed, MC_DKIM_KEY_INVALID, "p", "k=ed25519");
    /* Too short, and an RSA key under k=ed25519. */
    expect("v=DKIM1; k=ed25519; p=HbawiMnQXTCopHTkR0jlKQ==", NULL, MC_DKIM_KEY_INVALID, "p",
           "16 octets");
    expect("v=DKIM1; k=ed25519; p=%s", K.spki2048, MC_DKIM_KEY_INVALID, "p", "294 octets");
    /* Without its padding. */
    char *unpadded = mc_xstrndup(K.raw_ed, strlen(K.raw_ed) - 1);
    expect("v=DKIM1; k=ed25519; p=%s", unpadded, MC_DKIM_KEY_INVALID, "p", "multiple of 4");
    free(unpadded);
}

/* Records in the shapes of a verifier's fake DNS data (18 names, one of
 * them NXDOMAIN, which the caller handles), with keys of our own. */
static void verifier_suite_shapes(void **state)
{
    (void)state;
    struct {
        const char *fmt, *p;
        enum mc_dkim_status status;
        const char *tag;
        bool testing, strict;
    } cases[] = {
        {"k=rsa; p=%s", K.spki1024, MC_DKIM_KEY_SHORT, NULL, false, false},
        {"v=DKIM1; t=y; s=email; p=%s", K.spki512, MC_DKIM_KEY_WEAK, NULL, true, false},
        /* h= without sha256: valid before RFC 8301, ignored by verifiers now. */
        {"v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=%s ; ", K.spki512,
         MC_DKIM_KEY_INVALID, "h", true, false},
        {"v=DKIM1; g=jl*g; p=%s", K.spki512, MC_DKIM_KEY_WEAK, NULL, false, false},
        {"v=DKIM1; g=; p=%s", K.spki512, MC_DKIM_KEY_WEAK, NULL, false, false},
        {"v=DKIM1; t=s; p=%s", K.spki512, MC_DKIM_KEY_WEAK, NULL, false, true},
        {"v=DKIM3; t=y; p=%s", K.spki512, MC_DKIM_KEY_INVALID, "v", true, false},
        {"k=rsa; t; p=%s", K.spki512, MC_DKIM_KEY_INVALID, NULL, false, false},
        {"k=foobar; t=y; p=%s", K.spki512, MC_DKIM_KEY_INVALID, "k", true, false},
        {"v=DKIM1; s=chat; p=%s", K.spki512, MC_DKIM_KEY_INVALID, "s", false, false},
        {"v=DKIM1; h=bad; p=%s", K.spki512, MC_DKIM_KEY_INVALID, "h", false, false},
        {"v=DKIM1; g=*poe; p=%s", K.spki512, MC_DKIM_KEY_WEAK, NULL, false, false},
        {"k=rsa; t=y; p=", "", MC_DKIM_KEY_REVOKED, NULL, true, false},
        {"k=rsa; t=y; p=%s; n=A 1024 bit key;", K.spki1024, MC_DKIM_KEY_SHORT, NULL, true, false},
        {"t=y; k=rsa; p=%s", K.spki1024, MC_DKIM_KEY_SHORT, NULL, true, false},
        {"v=DKIM1; p=%s", K.spki1024, MC_DKIM_KEY_SHORT, NULL, false, false},
        {"v=DKIM1; k=rsa; h=sha1:sha256:sha512;n=send%20comments; g=*; s=*;p=%s", K.spki768,
         MC_DKIM_KEY_WEAK, NULL, false, false},
        {"v=DKIM1; k=rsa; n=send%20comments; g=*; s=*;p=%s", K.spki768, MC_DKIM_KEY_WEAK, NULL,
         false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *record = with_key(cases[i].fmt, cases[i].p);
        struct mc_dkim_key key = parse(record);
        if (key.status != cases[i].status)
            fail_msg("case %zu %s: %s (%s)", i, record, mc_dkim_status_finding(key.status),
                     key.why ? key.why : "-");
        if (cases[i].status == MC_DKIM_KEY_INVALID) {
            if ((cases[i].tag == NULL) != (key.tag == NULL) ||
                (key.tag && strcmp(key.tag, cases[i].tag) != 0))
                fail_msg("case %zu: tag %s: %s", i, key.tag ? key.tag : "-", key.why);
        }
        assert_int_equal(key.testing, cases[i].testing);
        assert_int_equal(key.strict, cases[i].strict);
        mc_dkim_key_reset(&key);
        free(record);
    }
}

static void record_length_is_bounded(void **state)
{
    (void)state;
    size_t n = 70000;
    char *big = mc_xmalloc(n + 1);
    memset(big, 'a', n);
    memcpy(big, "n=", 2);
    big[n] = '\0';
    struct mc_dkim_key key;
    mc_dkim_key_parse(big, n, &key);
    assert_int_equal(key.status, MC_DKIM_KEY_INVALID);
    assert_non_null(strstr(key.why, "more than a TXT record"));
    mc_dkim_key_reset(&key);
    free(big);
}

/* ---- private keys ---- */

static void private_key_forms_match(void **state)
{
    (void)state;
    char *record2048 = with_key("v=DKIM1; k=rsa; p=%s", K.spki2048);
    char *record_ed = with_key("v=DKIM1; k=ed25519; p=%s", K.raw_ed);
    char *pkcs8 = test_key_pem(K.rsa2048, 0);
    char *pkcs1 = test_key_pem(K.rsa2048, 1);
    char *ed = test_key_pem(K.ed, 0);
    assert_non_null(strstr(pkcs8, "-----BEGIN PRIVATE KEY-----"));
    assert_non_null(strstr(pkcs1, "-----BEGIN RSA PRIVATE KEY-----"));
    char *p8 = write_file("pkcs8.pem", pkcs8);
    char *p1 = write_file("pkcs1.pem", pkcs1);
    char *ped = write_file("ed.pem", ed);
    char *why;

    struct mc_dkim_private *priv = load(p8);
    assert_int_equal(mc_dkim_private_type(priv), MC_DKIM_TYPE_RSA);
    assert_int_equal(mc_dkim_private_bits(priv), 2048);
    assert_int_equal(compare(priv, record2048, &why), MC_DKIM_MATCH);
    assert_null(why);
    mc_dkim_private_free(priv);

    priv = load(p1);
    assert_int_equal(compare(priv, record2048, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(priv);

    priv = load(ped);
    assert_int_equal(mc_dkim_private_type(priv), MC_DKIM_TYPE_ED25519);
    assert_int_equal(mc_dkim_private_bits(priv), 256);
    assert_int_equal(compare(priv, record_ed, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(priv);

    /* Inline (a KeyTable's third field): PEM text, or base64 of the DER. */
    struct mc_dkim_private *inl = NULL;
    char *der = test_key_private_der_b64(K.rsa2048);
    assert_int_equal(mc_dkim_private_parse(der, strlen(der), &inl, &why), MC_OK);
    assert_int_equal(compare(inl, record2048, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(inl);
    free(der);
    der = test_key_private_der_b64(K.ed);
    assert_int_equal(mc_dkim_private_parse(der, strlen(der), &inl, &why), MC_OK);
    assert_int_equal(compare(inl, record_ed, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(inl);
    free(der);
    assert_int_equal(mc_dkim_private_parse(pkcs1, strlen(pkcs1), &inl, &why), MC_OK);
    assert_int_equal(compare(inl, record2048, &why), MC_DKIM_MATCH);
    mc_dkim_private_free(inl);

    free(p8);
    free(p1);
    free(ped);
    free(pkcs8);
    free(pkcs1);
    free(ed);
    free(record2048);
    free(record_ed);
}

static void private_key_mismatches(void **state)
{
    (void)state;
    char *pem = test_key_pem(K.rsa1024, 0);
    char *path = write_file("rsa1024.pem", pem);
    struct mc_dkim_private *priv = load(path);
    char *why;

    /* Another key of the same size. */
    char *other = with_key("v=DKIM1; p=%s", K.spki1024b);
    assert_int_equal(compare(priv, other, &why), MC_DKIM_MISMATCH);
    assert_non_null(strstr(why, "both 1024 bits"));
    free(why);
    free(other);
    /* Another size. */
    other = with_key("v=DKIM1; p=%s", K.spki2048);
    assert_int_equal(compare(priv, other, &why), MC_DKIM_MISMATCH);
    assert_non_null(strstr(why, "1024 bits, the published key 2048"));
    free(why);
    free(other);
    /* Another type. */
    other = with_key("v=DKIM1; k=ed25519; p=%s", K.raw_ed);
    assert_int_equal(compare(priv, other, &why), MC_DKIM_MISMATCH);
    assert_non_null(strstr(why, "RSA, the published key Ed25519"));
    free(why);
    free(other);
    /* Nothing to compare with. */
    assert_int_equal(compare(priv, "v=DKIM1; p=", &why), MC_DKIM_UNKNOWN);
    assert_non_null(strstr(why, "dkim-key-revoked"));
    free(why);
    assert_int_equal(compare(priv, "v=DKIM2; p=", &why), MC_DKIM_UNKNOWN);
    free(why);
    mc_dkim_private_free(priv);
    free(path);
    free(pem);

    /* Two Ed25519 keys. */
    pem = test_key_pem(K.edb, 0);
    path = write_file("edb.pem", pem);
    priv = load(path);
    other = with_key("v=DKIM1; k=ed25519; p=%s", K.raw_ed);
    assert_int_equal(compare(priv, other, &why), MC_DKIM_MISMATCH);
    assert_non_null(strstr(why, "Ed25519 public keys differ"));
    /* Why never holds key material. */
    assert_null(strstr(why, K.raw_ed));
    assert_null(strstr(why, K.raw_edb));
    free(why);
    free(other);
    mc_dkim_private_free(priv);
    free(path);
    free(pem);
}

static void private_key_unreadable(void **state)
{
    (void)state;
    char *path = mc_xasprintf("%s/nonesuch.pem", K.dir);
    expect_unreadable(path, "No such file");
    free(path);
    expect_unreadable(K.dir, "directory");

    char *fifo = mc_xasprintf("%s/fifo", K.dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    expect_unreadable(fifo, "FIFO");
    free(fifo);

    char *big = mc_xmalloc(70 * 1024 + 1);
    memset(big, 'A', 70 * 1024);
    big[70 * 1024] = '\0';
    path = write_file("big.pem", big);
    expect_unreadable(path, "larger than");
    free(path);
    free(big);

    char *enc = test_key_pem_encrypted(K.rsa1024);
    path = write_file("encrypted.pem", enc);
    expect_unreadable(path, "encrypted");
    free(path);
    free(enc);

    char *pub = test_key_pem_public(K.rsa1024);
    path = write_file("public.pem", pub);
    expect_unreadable(path, "public key");
    free(path);
    free(pub);

    /* The .txt beside the key, written by key generators. */
    char *txt = with_key("mail._domainkey IN TXT ( \"v=DKIM1; k=rsa; \" \"p=%s\" )\n", K.spki1024);
    path = write_file("mail.txt", txt);
    expect_unreadable(path, "DNS key record");
    free(path);
    free(txt);

    path = write_file("garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
                                     "KEY-----\n");
    expect_unreadable(path, "cannot read its PEM");
    free(path);
    path = write_file("empty.pem", "");
    expect_unreadable(path, "neither PEM nor base64");
    free(path);

    /* An EC key: DKIM signs with RSA or Ed25519 only. */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    char *ecpem = test_key_pem(ec, 0);
    path = write_file("ec.pem", ecpem);
    expect_unreadable(path, "type EC");
    free(path);
    free(ecpem);
    EVP_PKEY_free(ec);
}

/* ---- the fix ---- */

static void record_to_publish(void **state)
{
    (void)state;
    EVP_PKEY *keys[] = {K.rsa2048, K.rsa1024, K.ed};
    const char *want_prefix[] = {
        "v=DKIM1; k=rsa; p=", "v=DKIM1; k=rsa; p=", "v=DKIM1; k=ed25519; p="};
    for (size_t i = 0; i < 3; i++) {
        char *pem = test_key_pem(keys[i], 0);
        struct mc_dkim_private *priv = NULL;
        char *why = NULL;
        assert_int_equal(mc_dkim_private_parse(pem, strlen(pem), &priv, &why), MC_OK);
        char *record = mc_dkim_private_record(priv);
        assert_true(strncmp(record, want_prefix[i], strlen(want_prefix[i])) == 0);
        /* What we tell them to publish parses, and matches the key. */
        assert_int_equal(compare(priv, record, &why), MC_DKIM_MATCH);
        char *zone = mc_dkim_zone_strings(record);
        /* Quoted strings of at most 255 octets that concatenate back. */
        char joined[2048] = "";
        size_t jl = 0, strings = 0;
        for (const char *s = zone; *s;) {
            assert_int_equal(*s, '"');
            const char *end = strchr(s + 1, '"');
            assert_non_null(end);
            size_t n = (size_t)(end - s - 1);
            assert_true(n <= 255);
            memcpy(joined + jl, s + 1, n);
            jl += n;
            strings++;
            s = end + 1;
            if (*s == ' ')
                s++;
        }
        joined[jl] = '\0';
        assert_string_equal(joined, record);
        assert_int_equal(strings, (strlen(record) + 254) / 255);
        free(zone);
        free(record);
        mc_dkim_private_free(priv);
        free(pem);
    }
    char *z = mc_dkim_zone_strings("a\"b\\c");
    assert_string_equal(z, "\"a\\\"b\\\\c\"");
    free(z);
    z = mc_dkim_zone_strings("");
    assert_string_equal(z, "\"\"");
    free(z);
    char exact[256];
    memset(exact, 'x', 255);
    exact[255] = '\0';
    z = mc_dkim_zone_strings(exact);
    assert_int_equal(strlen(z), 257); /* one string, not a second empty one */
    free(z);
}

static void words(void **state)
{
    (void)state;
    assert_string_equal(mc_dkim_status_finding(MC_DKIM_KEY_OK), "ok");
    assert_string_equal(mc_dkim_status_finding(MC_DKIM_KEY_SHORT), "dkim-key-short");
    assert_string_equal(mc_dkim_status_finding(MC_DKIM_KEY_WEAK), "dkim-key-weak");
    assert_string_equal(mc_dkim_status_finding(MC_DKIM_KEY_REVOKED), "dkim-key-revoked");
    assert_string_equal(mc_dkim_status_finding(MC_DKIM_KEY_INVALID), "dkim-key-invalid");
    assert_int_equal(mc_dkim_status_severity(MC_DKIM_KEY_SHORT), MC_SEV_WARNING);
    assert_int_equal(mc_dkim_status_severity(MC_DKIM_KEY_WEAK), MC_SEV_CRITICAL);
    assert_int_equal(mc_dkim_status_severity(MC_DKIM_KEY_REVOKED), MC_SEV_CRITICAL);
    assert_int_equal(mc_dkim_status_severity(MC_DKIM_KEY_INVALID), MC_SEV_CRITICAL);
    assert_string_equal(mc_dkim_type_str(MC_DKIM_TYPE_RSA), "rsa");
    assert_string_equal(mc_dkim_type_str(MC_DKIM_TYPE_ED25519), "ed25519");
    assert_string_equal(mc_dkim_match_str(MC_DKIM_MATCH), "match");
    assert_string_equal(mc_dkim_match_str(MC_DKIM_MISMATCH), "mismatch");
    assert_string_equal(mc_dkim_match_str(MC_DKIM_UNREADABLE), "unreadable");
    assert_string_equal(mc_dkim_match_str(MC_DKIM_UNKNOWN), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tag_list_whitespace_and_folding),
        cmocka_unit_test(tag_list_syntax_errors),
        cmocka_unit_test(tag_names_are_case_sensitive_and_unknown_tags_ignored),
        cmocka_unit_test(version_first_and_exactly_dkim1),
        cmocka_unit_test(key_type),
        cmocka_unit_test(hash_list_must_include_sha256),
        cmocka_unit_test(service_must_include_email),
        cmocka_unit_test(flags),
        cmocka_unit_test(revoked_and_missing_key),
        cmocka_unit_test(rsa_sizes),
        cmocka_unit_test(rsa_forms_compare_equal),
        cmocka_unit_test(key_cut_at_255_characters),
        cmocka_unit_test(quotes_inside_the_key),
        cmocka_unit_test(base64_errors),
        cmocka_unit_test(ed25519_keys),
        cmocka_unit_test(verifier_suite_shapes),
        cmocka_unit_test(record_length_is_bounded),
        cmocka_unit_test(private_key_forms_match),
        cmocka_unit_test(private_key_mismatches),
        cmocka_unit_test(private_key_unreadable),
        cmocka_unit_test(record_to_publish),
        cmocka_unit_test(words),
    };
    return cmocka_run_group_tests(tests, make_keys, free_keys);
}
