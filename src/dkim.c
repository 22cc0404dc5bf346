/* SPDX-License-Identifier: MIT */
/*
 * dkim.c - DKIM key records and keys (see mc_dkim.h), the only file that
 * includes OpenSSL (doc/architecture.md, "Layers").
 *
 * A record is read in two passes.  The first is the tag-list grammar of
 * RFC 6376 §3.2, with its own error for each way to break it: a tag name
 * is ALPHA *(ALPHA / DIGIT / "_"), case-sensitive; whitespace (WSP, or FWS:
 * CRLF followed by WSP) may surround names, '=' and values, and separate
 * the parts of a value; a value is printable ASCII but ';'; a tag may not
 * appear twice.  One leniency, where the grammar is strict and verifiers
 * are not: whitespace after the final ';' is accepted (records written
 * "...; " are common and verify).  The second pass gives the tags of
 * RFC 6376 §3.6.1 their meaning; values compare case-sensitively, as §3.2
 * says, and unknown items of h=, s= and t= are ignored, as §3.6.1 says.
 *
 * p= is base64 (RFC 2045 §6.8; whitespace inside allowed, §3.6.1), decoded
 * here rather than by OpenSSL, so that an error can say what is wrong: a
 * quote mark inside (zone-file quoting copied into the record), a record
 * cut short (a 2048-bit key published as one string is cut at 255 octets).
 * RSA keys are read as SubjectPublicKeyInfo or as RSAPublicKey (erratum
 * 3017), Ed25519 keys as exactly 32 raw octets (RFC 8463 §4.2).
 *
 * Ownership: everything returned is malloc'd and the caller's.  OpenSSL
 * objects never leave a function; a key is kept as its parameters.  A
 * buffer that held a private key is cleared (OPENSSL_cleanse) before it is
 * freed.  OpenSSL's error queue is cleared after every failure, so that
 * nothing of it reaches another user of libcrypto (ldns).
 */
#include "mc_dkim.h"
#include "mc_array.h"
#include "mc_file.h"
#include "mc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define MAX_RECORD 65535         /* a TXT RDATA holds no more (RFC 1035 §3.3.14) */
#define MAX_KEY_FILE (64 * 1024) /* a 16384-bit RSA key in PEM is some 12.6 KiB */
#define ED25519_LEN 32           /* RFC 8463 §4.2 */
#define MAX_EXCERPT 40

struct mc_dkim_public {
    enum mc_dkim_type type;
    unsigned bits;
    unsigned char *n, *e; /* RSA: modulus and exponent, big-endian, no leading zeros */
    size_t n_len, e_len;
    unsigned char raw[ED25519_LEN]; /* Ed25519 */
    unsigned char *spki;            /* RSA: the SubjectPublicKeyInfo to publish */
    size_t spki_len;
};

struct mc_dkim_private {
    struct mc_dkim_public pub;
};

/* ---- words ---- */

const char *mc_dkim_status_finding(enum mc_dkim_status status)
{
    switch (status) {
    case MC_DKIM_KEY_OK: return "ok";
    case MC_DKIM_KEY_SHORT: return "dkim-key-short";
    case MC_DKIM_KEY_WEAK: return "dkim-key-weak";
    case MC_DKIM_KEY_REVOKED: return "dkim-key-revoked";
    case MC_DKIM_KEY_INVALID: return "dkim-key-invalid";
    }
    return "unknown";
}

enum mc_severity mc_dkim_status_severity(enum mc_dkim_status status)
{
    switch (status) {
    case MC_DKIM_KEY_OK: return MC_SEV_INFO;
    case MC_DKIM_KEY_SHORT: return MC_SEV_WARNING;
    case MC_DKIM_KEY_WEAK:
    case MC_DKIM_KEY_REVOKED:
    case MC_DKIM_KEY_INVALID: return MC_SEV_CRITICAL;
    }
    return MC_SEV_CRITICAL;
}

const char *mc_dkim_type_str(enum mc_dkim_type type)
{
    switch (type) {
    case MC_DKIM_TYPE_RSA: return "rsa";
    case MC_DKIM_TYPE_ED25519: return "ed25519";
    case MC_DKIM_TYPE_NONE: return "none";
    }
    return "none";
}

const char *mc_dkim_match_str(enum mc_dkim_match match)
{
    switch (match) {
    case MC_DKIM_MATCH: return "match";
    case MC_DKIM_MISMATCH: return "mismatch";
    case MC_DKIM_UNREADABLE: return "unreadable";
    case MC_DKIM_UNKNOWN: return "unknown";
    }
    return "unknown";
}

/* ---- small helpers ---- */

/* At most MAX_EXCERPT octets of S (N octets), printable ASCII with every
 * other octet as \xNN and '"' and '\' escaped, "..." when cut: record text
 * quoted in a message.  Caller frees. */
static char *excerpt(const char *s, size_t n)
{
    char *out = mc_xmalloc(MAX_EXCERPT * 4 + 4);
    size_t o = 0;
    for (size_t i = 0; i < n && i < MAX_EXCERPT; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
        }
    }
    if (n > MAX_EXCERPT) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

static bool is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

/* RFC 6376 §3.2: VALCHAR = %x21-3A / %x3C-7E (printable ASCII but ';'). */
static bool is_valchar(int c)
{
    return c >= 0x21 && c <= 0x7e && c != ';';
}

/* Past [FWS] at POS: WSP, or CRLF followed by WSP (RFC 5322 §3.2.2 as RFC
 * 6376 §2.8 narrows it). */
static size_t skip_fws(const char *s, size_t len, size_t pos)
{
    for (;;) {
        if (pos < len && is_wsp((unsigned char)s[pos]))
            pos++;
        else if (pos + 2 < len && s[pos] == '\r' && s[pos + 1] == '\n' &&
                 is_wsp((unsigned char)s[pos + 2]))
            pos += 3;
        else
            return pos;
    }
}

static void clear_openssl_errors(void)
{
    ERR_clear_error();
}

/* ---- the tag list (RFC 6376 §3.2) ---- */

struct tag {
    const char *name, *value;
    size_t name_len, value_len;
};

struct tag_list {
    struct tag *tags;
    size_t n, cap;
};

static bool tag_is(const struct tag *t, const char *name)
{
    return t->name_len == strlen(name) && memcmp(t->name, name, t->name_len) == 0;
}

static const struct tag *tag_find(const struct tag_list *l, const char *name, size_t *index)
{
    for (size_t i = 0; i < l->n; i++)
        if (tag_is(&l->tags[i], name)) {
            if (index)
                *index = i;
            return &l->tags[i];
        }
    return NULL;
}

/* Splits TEXT into tags.  Returns NULL, or the reason it is not a tag list
 * (caller frees). */
static char *tag_list_parse(const char *s, size_t len, struct tag_list *l)
{
    size_t pos = skip_fws(s, len, 0);
    while (pos < len) {
        size_t name_start = pos;
        if (!mc_ascii_isalpha((unsigned char)s[pos])) {
            char *ex = excerpt(s + pos, len - pos);
            char *why =
                s[pos] == ';'
                    ? mc_xasprintf("an empty tag (';' where a tag name should be) at "
                                   "octet %zu: \"%s\"",
                                   pos + 1, ex)
                    : mc_xasprintf("octet %zu starts no tag name (a letter): \"%s\"", pos + 1, ex);
            free(ex);
            return why;
        }
        while (pos < len && (mc_ascii_isalnum((unsigned char)s[pos]) || s[pos] == '_'))
            pos++;
        struct tag t = {.name = s + name_start, .name_len = pos - name_start};
        pos = skip_fws(s, len, pos);
        if (pos >= len || s[pos] != '=') {
            char *name = excerpt(t.name, t.name_len);
            char *why = mc_xasprintf("tag \"%s\" has no '=' and value (octet %zu)", name, pos + 1);
            free(name);
            return why;
        }
        pos = skip_fws(s, len, pos + 1);
        /* tag-value = [ tval *( 1*(WSP / FWS) tval ) ]: whitespace only
         * between the printable parts; what trails belongs to tag-spec. */
        size_t value_start = pos, value_end = pos;
        while (pos < len && s[pos] != ';') {
            size_t after = skip_fws(s, len, pos);
            if (after > pos) {
                pos = after;
            } else if (is_valchar((unsigned char)s[pos])) {
                value_end = ++pos;
            } else {
                char *name = excerpt(t.name, t.name_len);
                char *why =
                    mc_xasprintf("the value of tag \"%s\" holds the octet 0x%02x at "
                                 "octet %zu, which a tag value may not (RFC 6376 section 3.2)",
                                 name, (unsigned char)s[pos], pos + 1);
                free(name);
                return why;
            }
        }
        t.value = s + value_start;
        t.value_len = value_end - value_start;
        for (size_t i = 0; i < l->n; i++)
            if (l->tags[i].name_len == t.name_len &&
                memcmp(l->tags[i].name, t.name, t.name_len) == 0) {
                char *name = excerpt(t.name, t.name_len);
                char *why = mc_xasprintf("tag \"%s\" appears twice, which makes the whole "
                                         "record invalid (RFC 6376 section 3.2)",
                                         name);
                free(name);
                return why;
            }
        MC_ARRAY_RESERVE(l->tags, l->cap, l->n + 1);
        l->tags[l->n++] = t;
        if (pos >= len)
            break;
        pos = skip_fws(s, len, pos + 1); /* past ';'; whitespace then the end is accepted */
    }
    return NULL;
}

/* Calls FN for each item of a colon-separated value (h=, s=, t=), with the
 * whitespace around it removed; empty items are skipped.  Stops early when
 * FN returns true, and returns whether it did. */
static bool each_item(const struct tag *t, bool (*fn)(const char *item, size_t len, void *arg),
                      void *arg)
{
    const char *s = t->value, *end = t->value + t->value_len;
    while (s < end) {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        const char *item_end = colon ? colon : end;
        const char *a = s, *b = item_end;
        while (a < b && mc_ascii_isspace((unsigned char)*a))
            a++;
        while (b > a && mc_ascii_isspace((unsigned char)b[-1]))
            b--;
        if (b > a && fn(a, (size_t)(b - a), arg))
            return true;
        s = colon ? colon + 1 : end;
    }
    return false;
}

static bool item_is(const char *item, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(item, word, len) == 0;
}

static bool is_sha256(const char *item, size_t len, void *arg)
{
    (void)arg;
    return item_is(item, len, "sha256");
}

/* An item that names a signature algorithm ("rsa-sha256"), not a hash. */
static bool is_sig_alg(const char *item, size_t len, void *arg)
{
    (void)arg;
    return memchr(item, '-', len) != NULL;
}

static bool is_email_service(const char *item, size_t len, void *arg)
{
    (void)arg;
    return item_is(item, len, "email") || item_is(item, len, "*");
}

static bool set_flag(const char *item, size_t len, void *arg)
{
    struct mc_dkim_key *key = arg;
    if (item_is(item, len, "y"))
        key->testing = true;
    else if (item_is(item, len, "s"))
        key->strict = true;
    return false;
}

/* ---- base64 (RFC 2045 §6.8), with whitespace skipped ---- */

static int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

struct b64 {
    unsigned char *data; /* the octets of every whole quantum; caller frees */
    size_t len;
    size_t chars; /* base64 characters, padding included */
    bool whole;   /* CHARS is a multiple of 4 */
};

/* Decodes S (LEN octets).  Returns NULL with *OUT filled, or why it is not
 * base64 (caller frees); *OUT is filled (and its data owned) either way. */
static char *b64_decode(const char *s, size_t len, struct b64 *out)
{
    memset(out, 0, sizeof *out);
    out->data = mc_xmalloc(len / 4 * 3 + 3);
    unsigned quantum = 0;
    int have = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (mc_ascii_isspace(c))
            continue;
        if (c == '=') {
            pad++;
            out->chars++;
            if (have < 2 || pad > 4 - have) /* "xy==" or "xyz=" end a quantum */
                return mc_xstrdup("its '=' padding is misplaced");
            continue;
        }
        int v = b64_value(c);
        if (c == '"')
            return mc_xasprintf("it holds a quote mark (character %zu): the quotes that separate "
                                "the strings of a record in a zone file were copied into the "
                                "record itself",
                                i + 1);
        if (v < 0)
            return c > 0x20 && c < 0x7f
                       ? mc_xasprintf("'%c' (character %zu) is not a base64 character", c, i + 1)
                       : mc_xasprintf("the octet 0x%02x (character %zu) is not a base64 "
                                      "character",
                                      c, i + 1);
        if (pad)
            return mc_xstrdup("it goes on after its '=' padding");
        out->chars++;
        quantum = quantum << 6 | (unsigned)v;
        if (++have == 4) {
            out->data[out->len++] = (unsigned char)(quantum >> 16);
            out->data[out->len++] = (unsigned char)(quantum >> 8);
            out->data[out->len++] = (unsigned char)quantum;
            quantum = 0;
            have = 0;
        }
    }
    out->whole = out->chars % 4 == 0;
    if (pad && out->whole) { /* the last quantum, 2 or 3 characters and padding */
        quantum <<= 6 * (unsigned)(4 - have);
        out->data[out->len++] = (unsigned char)(quantum >> 16);
        if (have == 3)
            out->data[out->len++] = (unsigned char)(quantum >> 8);
    }
    return NULL;
}

/* The length a DER encoding announces in its first header (tag, length),
 * header included; false when D (N octets) does not start with one. */
static bool der_announced(const unsigned char *d, size_t n, size_t *total)
{
    if (n < 2 || d[0] != 0x30)
        return false;
    if (d[1] < 0x80) {
        *total = 2 + (size_t)d[1];
        return true;
    }
    size_t octets = d[1] & 0x7fu;
    if (octets == 0 || octets > 3 || n < 2 + octets)
        return false;
    size_t l = 0;
    for (size_t i = 0; i < octets; i++)
        l = l << 8 | d[2 + i];
    *total = 2 + octets + l;
    return true;
}

/* The message for a p= that is cut short: base64 that ends mid-quantum, or
 * DER that announces more than arrives.  NULL when it does not look cut. */
static char *truncation_why(const struct b64 *b)
{
    size_t total;
    if (der_announced(b->data, b->len, &total) && total > b->len)
        return mc_xasprintf("p= ends before its key does: the key's encoding announces %zu "
                            "octets and the record holds %zu%s.  A TXT string holds at most "
                            "255 octets, and a long key entered as one string is cut there: "
                            "publish the record as several strings",
                            total, b->len, b->whole ? "" : ", in base64 that stops in mid-quantum");
    if (!b->whole)
        return mc_xasprintf("p= is not whole base64: %zu characters, not a multiple of 4 (cut "
                            "short?)",
                            b->chars);
    return NULL;
}

/* ---- keys as parameters ---- */

static void public_free(struct mc_dkim_public *p)
{
    if (!p)
        return;
    free(p->n);
    free(p->e);
    free(p->spki);
}

static unsigned char *bn_bytes(const EVP_PKEY *pkey, const char *param, size_t *len)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return NULL;
    int n = BN_num_bytes(bn);
    unsigned char *out = mc_xmalloc(n > 0 ? (size_t)n : 1);
    *len = (size_t)BN_bn2bin(bn, out);
    BN_free(bn);
    return out;
}

/* Fills P from PKEY, an RSA or Ed25519 key (public or private).  Returns
 * NULL, or why the key cannot sign DKIM (caller frees). */
static char *public_from_pkey(EVP_PKEY *pkey, struct mc_dkim_public *p)
{
    memset(p, 0, sizeof *p);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        p->type = MC_DKIM_TYPE_RSA;
        p->n = bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_N, &p->n_len);
        p->e = bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_E, &p->e_len);
        int der_len = i2d_PUBKEY(pkey, &p->spki);
        if (!p->n || !p->e || der_len <= 0) {
            public_free(p);
            memset(p, 0, sizeof *p);
            clear_openssl_errors();
            return mc_xstrdup("OpenSSL cannot give the RSA key's parameters");
        }
        p->spki_len = (size_t)der_len;
        int bits = EVP_PKEY_get_bits(pkey);
        p->bits = bits > 0 ? (unsigned)bits : 0;
        return NULL;
    }
    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        size_t len = sizeof p->raw;
        if (!EVP_PKEY_get_raw_public_key(pkey, p->raw, &len) || len != sizeof p->raw) {
            clear_openssl_errors();
            return mc_xstrdup("OpenSSL cannot give the Ed25519 public key");
        }
        p->type = MC_DKIM_TYPE_ED25519;
        p->bits = 256;
        return NULL;
    }
    const char *name = EVP_PKEY_get0_type_name(pkey);
    return mc_xasprintf("a key of type %s, and DKIM signs with RSA (RFC 6376 section 3.3) or "
                        "Ed25519 (RFC 8463) only",
                        name ? name : "other than RSA or Ed25519");
}

/* ---- the key record (RFC 6376 §3.6.1) ---- */

static void set_invalid(struct mc_dkim_key *key, const char *tag, char *why)
{
    key->status = MC_DKIM_KEY_INVALID;
    key->tag = tag;
    key->why = why;
}

/* Reads an RSA p= (DER, LEN octets) into KEY. */
static void parse_rsa(const struct b64 *b, struct mc_dkim_key *key)
{
    const unsigned char *q = b->data;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &q, (long)b->len);
    const char *form = "SubjectPublicKeyInfo";
    if (!pkey) { /* RFC 3447's RSAPublicKey, as RFC 6376 §3.6.1 names it */
        clear_openssl_errors();
        q = b->data;
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)b->len);
        form = "RSAPublicKey";
    }
    if (!pkey) {
        clear_openssl_errors();
        char *cut = b->len == ED25519_LEN ? NULL : truncation_why(b);
        if (cut)
            set_invalid(key, "p", cut);
        else if (b->len == ED25519_LEN)
            set_invalid(key, "p",
                        mc_xstrdup("p= is 32 octets, the size of an Ed25519 key, but the "
                                   "record says (or defaults to) k=rsa: add k=ed25519"));
        else
            set_invalid(key, "p",
                        mc_xasprintf("p= (%zu octets) is not an RSA key, neither as "
                                     "SubjectPublicKeyInfo nor as RSAPublicKey",
                                     b->len));
        return;
    }
    if (q != b->data + b->len) {
        set_invalid(key, "p",
                    mc_xasprintf("p= has %zu octets after the %s key",
                                 b->len - (size_t)(q - b->data), form));
        EVP_PKEY_free(pkey);
        return;
    }
    if (!EVP_PKEY_is_a(pkey, "RSA")) {
        const char *name = EVP_PKEY_get0_type_name(pkey);
        set_invalid(key, "p",
                    mc_xasprintf("p= holds a key of type %s, but the record says (or defaults "
                                 "to) k=rsa",
                                 name ? name : "other than RSA"));
        EVP_PKEY_free(pkey);
        return;
    }
    key->pub = mc_xmalloc(sizeof *key->pub);
    char *why = public_from_pkey(pkey, key->pub);
    EVP_PKEY_free(pkey);
    if (why) {
        free(key->pub);
        key->pub = NULL;
        set_invalid(key, "p", why);
        return;
    }
    key->bits = key->pub->bits;
    /* RFC 8301 §3.2: verifiers MUST NOT accept under 1024 bits; signers
     * SHOULD use at least 2048. */
    key->status = key->bits < 1024   ? MC_DKIM_KEY_WEAK
                  : key->bits < 2048 ? MC_DKIM_KEY_SHORT
                                     : MC_DKIM_KEY_OK;
}

/* The SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410 §4), which
 * RFC 8463 §4.2 does not want in p=. */
static const unsigned char ed25519_spki_prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

static void parse_ed25519(const struct b64 *b, struct mc_dkim_key *key)
{
    if (b->whole && b->len == ED25519_LEN) {
        key->pub = mc_xcalloc(1, sizeof *key->pub);
        key->pub->type = MC_DKIM_TYPE_ED25519;
        key->pub->bits = 256;
        memcpy(key->pub->raw, b->data, ED25519_LEN);
        key->bits = 256;
        key->status = MC_DKIM_KEY_OK;
        return;
    }
    if (b->whole && b->len == sizeof ed25519_spki_prefix + ED25519_LEN &&
        memcmp(b->data, ed25519_spki_prefix, sizeof ed25519_spki_prefix) == 0) {
        set_invalid(key, "p",
                    mc_xstrdup("p= is an Ed25519 key as SubjectPublicKeyInfo (44 octets); "
                               "RFC 8463 section 4.2 wants the 32 raw octets of the key alone"));
        return;
    }
    if (!b->whole) { /* raw octets: no DER header to say how long it should be */
        set_invalid(
            key, "p",
            mc_xasprintf("p= is not whole base64: %zu characters, not a multiple of 4", b->chars));
        return;
    }
    set_invalid(
        key, "p",
        mc_xasprintf("p= is %zu octets; an Ed25519 key is 32 (RFC 8463 section 4.2)", b->len));
}

/* The tags of RFC 6376 §3.6.1, in the order a verifier gives up. */
static void judge(const struct tag_list *l, struct mc_dkim_key *key)
{
    size_t index = 0;
    const struct tag *t = tag_find(l, "t", NULL);
    if (t)
        each_item(t, set_flag, key);

    /* v= "MUST be the first tag"; a record with another value "MUST be
     * discarded". */
    if ((t = tag_find(l, "v", &index))) {
        char *v = excerpt(t->value, t->value_len);
        if (index != 0)
            set_invalid(key, "v", mc_xasprintf("v=%s is not the first tag, which it must be", v));
        else if (!(t->value_len == 5 && memcmp(t->value, "DKIM1", 5) == 0))
            set_invalid(key, "v",
                        mc_xasprintf("v=%s, where a key record says v=DKIM1 (exactly: values "
                                     "are case-sensitive): verifiers discard it",
                                     v));
        free(v);
        if (key->status == MC_DKIM_KEY_INVALID)
            return;
    }

    key->type = MC_DKIM_TYPE_RSA; /* k= "default is rsa" */
    if ((t = tag_find(l, "k", NULL))) {
        if (item_is(t->value, t->value_len, "ed25519")) {
            key->type = MC_DKIM_TYPE_ED25519;
        } else if (!item_is(t->value, t->value_len, "rsa")) {
            char *k = excerpt(t->value, t->value_len);
            key->type = MC_DKIM_TYPE_NONE;
            /* "RSA": values are case-sensitive (RFC 6376 §3.2), and dkimpy
             * compares k= exactly; OpenDKIM's table lookup ignores case
             * (strcasecmp()), so receivers disagree on such a key. */
            bool other_case =
                (t->value_len == 3 && mc_ascii_strncasecmp(t->value, "rsa", 3) == 0) ||
                (t->value_len == 7 && mc_ascii_strncasecmp(t->value, "ed25519", 7) == 0);
            set_invalid(key, "k",
                        other_case
                            ? mc_xasprintf("k=%s is not \"%s\": key types are case-sensitive "
                                           "(RFC 6376 section 3.2); verifiers that follow it, "
                                           "dkimpy among them, ignore the key (OpenDKIM accepts "
                                           "it)",
                                           k, t->value_len == 3 ? "rsa" : "ed25519")
                            : mc_xasprintf("k=%s is a key type verifiers do not know (rsa, "
                                           "ed25519; case-sensitive): they ignore the key",
                                           k));
            free(k);
            return;
        }
    }

    /* h=: verifiers ignore a key whose list lacks the signature's hash,
     * and sha256 is the only one left (RFC 8301 §3.1). */
    if ((t = tag_find(l, "h", NULL)) && !each_item(t, is_sha256, NULL)) {
        char *h = excerpt(t->value, t->value_len);
        bool sig_alg = each_item(t, is_sig_alg, NULL);
        set_invalid(key, "h",
                    mc_xasprintf("h=%s does not list sha256, so verifiers ignore this key for "
                                 "every signature%s",
                                 h,
                                 sig_alg ? " (h= lists hash algorithms, \"sha256\", not "
                                           "signature algorithms such as \"rsa-sha256\")"
                                         : ""));
        free(h);
        return;
    }

    if ((t = tag_find(l, "s", NULL)) && !each_item(t, is_email_service, NULL)) {
        char *s = excerpt(t->value, t->value_len);
        set_invalid(key, "s",
                    mc_xasprintf("s=%s lists neither email nor *: verifiers of mail ignore "
                                 "the key",
                                 s));
        free(s);
        return;
    }

    if (!(t = tag_find(l, "p", NULL))) {
        set_invalid(key, "p", mc_xstrdup("the record has no p= tag, so no key"));
        return;
    }
    if (t->value_len == 0) { /* "An empty value means that this public key has been revoked" */
        key->status = MC_DKIM_KEY_REVOKED;
        return;
    }
    struct b64 b;
    char *why = b64_decode(t->value, t->value_len, &b);
    if (why) {
        set_invalid(key, "p", mc_xasprintf("p= is not base64: %s", why));
        free(why);
    } else if (key->type == MC_DKIM_TYPE_ED25519) {
        parse_ed25519(&b, key);
    } else if (!b.whole) {
        set_invalid(key, "p", truncation_why(&b));
    } else {
        parse_rsa(&b, key);
    }
    free(b.data);
}

void mc_dkim_key_parse(const char *text, size_t len, struct mc_dkim_key *key)
{
    memset(key, 0, sizeof *key);
    if (len > MAX_RECORD) {
        set_invalid(key, NULL,
                    mc_xasprintf("the record is %zu octets, more than a TXT record holds", len));
        return;
    }
    struct tag_list l = {0};
    char *why = tag_list_parse(text, len, &l);
    if (why)
        set_invalid(key, NULL, mc_xasprintf("not a tag list (RFC 6376 section 3.2): %s", why));
    else
        judge(&l, key);
    free(why);
    free(l.tags);
}

void mc_dkim_key_reset(struct mc_dkim_key *key)
{
    free(key->why);
    if (key->pub) {
        public_free(key->pub);
        free(key->pub);
    }
    memset(key, 0, sizeof *key);
}

/* ---- private keys ---- */

/* OpenSSL asks for a passphrase through this: never from a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)arg;
    return -1;
}

static bool contains(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++)
        if (memcmp(s + i, word, wl) == 0)
            return true;
    return false;
}

static EVP_PKEY *read_pem(const char *text, size_t len, char **why)
{
    if (contains(text, len, "ENCRYPTED")) {
        *why = mc_xstrdup("the private key is encrypted; signers read unencrypted keys only");
        return NULL;
    }
    if (!contains(text, len, "PRIVATE KEY-----")) {
        *why = contains(text, len, "PUBLIC KEY-----")
                   ? mc_xstrdup("it holds a public key, not the private key")
                   : mc_xstrdup("it holds no PEM private key");
        return NULL;
    }
    if (len > (size_t)MAX_KEY_FILE) {
        *why = mc_xstrdup("it is larger than a private key");
        return NULL;
    }
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    if (!bio)
        mc_oom();
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (!pkey) {
        clear_openssl_errors();
        *why = mc_xstrdup("OpenSSL cannot read its PEM private key");
    }
    return pkey;
}

static EVP_PKEY *read_der_base64(const char *text, size_t len, char **why)
{
    struct b64 b;
    char *bwhy = b64_decode(text, len, &b);
    EVP_PKEY *pkey = NULL;
    if (bwhy || !b.whole || b.len == 0) {
        *why = mc_xasprintf("it is neither PEM nor base64 of a DER private key%s%s",
                            bwhy ? ": " : "", bwhy ? bwhy : "");
    } else {
        const unsigned char *q = b.data;
        pkey = d2i_AutoPrivateKey(NULL, &q, (long)b.len);
        if (!pkey) {
            clear_openssl_errors();
            *why = mc_xstrdup("its base64 is not a DER private key (PKCS#1 or PKCS#8)");
        }
    }
    free(bwhy);
    OPENSSL_cleanse(b.data, b.len);
    free(b.data);
    return pkey;
}

enum mc_status mc_dkim_private_parse(const char *text, size_t len, struct mc_dkim_private **out,
                                     char **why)
{
    EVP_PKEY *pkey;
    if (contains(text, len, "-----BEGIN ")) {
        pkey = read_pem(text, len, why);
    } else if (contains(text, len, "v=DKIM1") || contains(text, len, "_domainkey")) {
        *why = mc_xstrdup("it is a DNS key record (the .txt file written beside a private "
                          "key), not the private key");
        return MC_ERR_INPUT;
    } else {
        pkey = read_der_base64(text, len, why);
    }
    if (!pkey)
        return MC_ERR_INPUT;
    struct mc_dkim_private *priv = mc_xcalloc(1, sizeof *priv);
    char *pwhy = public_from_pkey(pkey, &priv->pub);
    EVP_PKEY_free(pkey);
    if (pwhy) {
        *why = mc_xasprintf("it is %s", pwhy);
        free(pwhy);
        free(priv);
        return MC_ERR_INPUT;
    }
    *out = priv;
    return MC_OK;
}

enum mc_status mc_dkim_private_load(const char *path, struct mc_dkim_private **out, char **why)
{
    char *text = NULL, *fwhy = NULL;
    size_t len = 0;
    if (mc_file_read(path, MAX_KEY_FILE, &text, &len, &fwhy) != MC_OK) {
        *why = fwhy;
        return MC_ERR_INPUT;
    }
    char *pwhy = NULL;
    enum mc_status st = mc_dkim_private_parse(text, len, out, &pwhy);
    OPENSSL_cleanse(text, len);
    free(text);
    if (st != MC_OK) {
        *why = mc_xasprintf("%s: %s", path, pwhy);
        free(pwhy);
    }
    return st;
}

void mc_dkim_private_free(struct mc_dkim_private *priv)
{
    if (!priv)
        return;
    public_free(&priv->pub);
    free(priv);
}

enum mc_dkim_type mc_dkim_private_type(const struct mc_dkim_private *priv)
{
    return priv->pub.type;
}

unsigned mc_dkim_private_bits(const struct mc_dkim_private *priv)
{
    return priv->pub.bits;
}

static bool bytes_equal(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

enum mc_dkim_match mc_dkim_private_compare(const struct mc_dkim_private *priv,
                                           const struct mc_dkim_key *key, char **why)
{
    const struct mc_dkim_public *a = &priv->pub, *b = key->pub;
    if (!b) {
        *why = mc_xasprintf("the record holds no key to compare with (%s)",
                            mc_dkim_status_finding(key->status));
        return MC_DKIM_UNKNOWN;
    }
    if (a->type != b->type) {
        *why = mc_xasprintf("the private key is %s, the published key %s",
                            a->type == MC_DKIM_TYPE_RSA ? "RSA" : "Ed25519",
                            b->type == MC_DKIM_TYPE_RSA ? "RSA" : "Ed25519");
        return MC_DKIM_MISMATCH;
    }
    if (a->type == MC_DKIM_TYPE_ED25519) {
        if (memcmp(a->raw, b->raw, ED25519_LEN) == 0)
            return MC_DKIM_MATCH;
        *why = mc_xstrdup("the Ed25519 public keys differ");
        return MC_DKIM_MISMATCH;
    }
    if (!bytes_equal(a->n, a->n_len, b->n, b->n_len)) {
        *why = a->bits == b->bits
                   ? mc_xasprintf("the RSA moduli differ (both %u bits): another key pair", a->bits)
                   : mc_xasprintf("the RSA moduli differ: the private key has %u bits, the "
                                  "published key %u",
                                  a->bits, b->bits);
        return MC_DKIM_MISMATCH;
    }
    if (!bytes_equal(a->e, a->e_len, b->e, b->e_len)) {
        *why = mc_xstrdup("the RSA moduli are equal but the public exponents differ");
        return MC_DKIM_MISMATCH;
    }
    return MC_DKIM_MATCH;
}

/* ---- the record to publish ---- */

static char *b64_encode(const unsigned char *d, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = mc_xmalloc((n + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

char *mc_dkim_private_record(const struct mc_dkim_private *priv)
{
    const struct mc_dkim_public *p = &priv->pub;
    char *b64 = p->type == MC_DKIM_TYPE_RSA ? b64_encode(p->spki, p->spki_len)
                                            : b64_encode(p->raw, ED25519_LEN);
    char *record = mc_xasprintf("v=DKIM1; k=%s; p=%s", mc_dkim_type_str(p->type), b64);
    free(b64);
    return record;
}

char *mc_dkim_zone_strings(const char *record)
{
    size_t len = strlen(record);
    /* Each octet becomes at most 4 ("\DDD"), each string adds 3 ("" and a
     * space); one string even for an empty record. */
    size_t strings = len / 255 + 1;
    char *out = mc_xmalloc(len * 4 + strings * 3 + 1);
    size_t o = 0;
    for (size_t start = 0; start == 0 || start < len; start += 255) {
        if (start > 0)
            out[o++] = ' ';
        out[o++] = '"';
        for (size_t i = start; i < len && i < start + 255; i++) {
            unsigned char c = (unsigned char)record[i];
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
                out[o++] = (char)c;
            } else if (c >= 0x20 && c < 0x7f) {
                out[o++] = (char)c;
            } else { /* RFC 1035 §5.1: \DDD */
                o += (size_t)snprintf(out + o, 5, "\\%03u", c);
            }
        }
        out[o++] = '"';
        if (len == 0)
            break;
    }
    out[o] = '\0';
    return out;
}
