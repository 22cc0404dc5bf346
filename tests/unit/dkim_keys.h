/* SPDX-License-Identifier: MIT */
/*
 * dkim_keys.h - key pairs for the DKIM unit tests, made at run time with
 * libcrypto (no private key is committed), and the encodings a signer's
 * files and a key record use: PEM as PKCS#8 and as PKCS#1, base64 of the
 * SubjectPublicKeyInfo, of RFC 3447's RSAPublicKey, of an Ed25519 key's
 * 32 raw octets and of a private key's DER (an inline KeyTable key).
 *
 * Every function aborts the test on failure; every string returned is the
 * caller's to free.
 */
#ifndef MC_TEST_DKIM_KEYS_H
#define MC_TEST_DKIM_KEYS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static inline void test_keys_die(const char *what)
{
    fprintf(stderr, "dkim_keys.h: %s failed\n", what);
    abort();
}

/* A new RSA key of BITS bits, or Ed25519 when BITS is 0.  Caller frees
 * with EVP_PKEY_free(). */
static inline EVP_PKEY *test_key_new(unsigned bits)
{
    EVP_PKEY *k = bits ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)
                       : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!k)
        test_keys_die("key generation");
    return k;
}

static inline char *test_keys_bio_text(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n < 0)
        test_keys_die("BIO_get_mem_data");
    char *out = malloc((size_t)n + 1);
    if (!out)
        test_keys_die("malloc");
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(bio);
    return out;
}

/* The private key as PEM: PKCS#8 ("PRIVATE KEY"), or for RSA with
 * TRADITIONAL, PKCS#1 ("RSA PRIVATE KEY"). */
static inline char *test_key_pem(EVP_PKEY *k, int traditional)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = traditional ? PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL)
                         : PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
    if (!bio || !ok)
        test_keys_die("PEM_write_bio_PrivateKey");
    return test_keys_bio_text(bio);
}

/* The private key as encrypted PKCS#8 PEM (passphrase "secret"). */
static inline char *test_key_pem_encrypted(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    static char pass[] = "secret";
    if (!bio || !PEM_write_bio_PKCS8PrivateKey(bio, k, EVP_aes_128_cbc(), pass, 6, NULL, NULL))
        test_keys_die("PEM_write_bio_PKCS8PrivateKey");
    return test_keys_bio_text(bio);
}

/* The public key as PEM ("PUBLIC KEY"). */
static inline char *test_key_pem_public(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_PUBKEY(bio, k))
        test_keys_die("PEM_write_bio_PUBKEY");
    return test_keys_bio_text(bio);
}

static inline char *test_keys_b64(const unsigned char *d, int n)
{
    char *out = malloc((size_t)(n + 2) / 3 * 4 + 1);
    if (!out)
        test_keys_die("malloc");
    EVP_EncodeBlock((unsigned char *)out, d, n);
    return out;
}

/* Base64 of the SubjectPublicKeyInfo (what p= usually holds). */
static inline char *test_key_spki_b64(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    if (n <= 0)
        test_keys_die("i2d_PUBKEY");
    char *out = test_keys_b64(der, n);
    OPENSSL_free(der);
    return out;
}

/* Base64 of RFC 3447's RSAPublicKey (the p= RFC 6376 names). */
static inline char *test_key_pkcs1_public_b64(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PublicKey(k, &der);
    if (n <= 0)
        test_keys_die("i2d_PublicKey");
    char *out = test_keys_b64(der, n);
    OPENSSL_free(der);
    return out;
}

/* Base64 of an Ed25519 key's 32 raw octets (RFC 8463's p=). */
static inline char *test_key_ed25519_b64(EVP_PKEY *k)
{
    unsigned char raw[32];
    size_t n = sizeof raw;
    if (!EVP_PKEY_get_raw_public_key(k, raw, &n) || n != sizeof raw)
        test_keys_die("EVP_PKEY_get_raw_public_key");
    return test_keys_b64(raw, (int)n);
}

/* Base64 of the private key's DER (PKCS#1 for RSA, PKCS#8 for Ed25519):
 * an inline key of an OpenDKIM KeyTable. */
static inline char *test_key_private_der_b64(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(k, &der);
    if (n <= 0)
        test_keys_die("i2d_PrivateKey");
    char *out = test_keys_b64(der, n);
    OPENSSL_clear_free(der, (size_t)n);
    return out;
}

/* Writes TEXT to PATH. */
static inline void test_keys_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        test_keys_die(path);
}

#endif
