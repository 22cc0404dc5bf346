/* SPDX-License-Identifier: MIT */
/*
 * mc_dkim.h - DKIM keys without DNS: the key record a selector publishes
 * (RFC 6376 §3.6.1, with RFC 8301 for RSA sizes and RFC 8463 for Ed25519),
 * the signer's private key file, whether the two are one key pair, and the
 * record to publish for a private key.  The caller does the lookups (TXT at
 * SELECTOR._domainkey.DOMAIN, strings concatenated) and counts the records
 * at a name (several: dkim-key-multiple); this module judges one record.
 *
 * Keys are compared by their parameters (RSA modulus and exponent, the 32
 * raw octets of Ed25519), never by the bytes of an encoding: one RSA key
 * has two encodings in DNS (SubjectPublicKeyInfo, and RFC 3447's
 * RSAPublicKey that RFC 6376 names; both are accepted, erratum 3017), and
 * comparing bytes reports false mismatches.
 *
 * Key material is never printed and never returned as text: a private key
 * is read, its public half kept, and the buffer that held it cleared.  The
 * only text made from a key is the public record to publish.
 *
 * Ownership: every struct and string returned belongs to the caller, freed
 * with the function named beside it; nothing is borrowed from input.
 */
#ifndef MC_DKIM_H
#define MC_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_util.h"
#include "mc_vocab.h"

/* The key type of a record (k=) or of a private key. */
enum mc_dkim_type {
    MC_DKIM_TYPE_NONE,    /* no key: k= names a type this module does not know */
    MC_DKIM_TYPE_RSA,     /* RFC 6376 §3.3.1 */
    MC_DKIM_TYPE_ED25519, /* RFC 8463 */
};

/*
 * What a key record is worth to a verifier, one SPEC finding each (worst
 * last).  A record has exactly one status; t=y (dkim-key-testing) is a
 * flag beside it, since a testing key is also short, or revoked, or fine.
 */
enum mc_dkim_status {
    MC_DKIM_KEY_OK,      /* usable: Ed25519, or RSA of 2048 bits or more */
    MC_DKIM_KEY_SHORT,   /* dkim-key-short: RSA under 2048 bits (RFC 8301 §3.2 SHOULD) */
    MC_DKIM_KEY_WEAK,    /* dkim-key-weak: RSA under 1024 bits (RFC 8301 §3.2 MUST NOT) */
    MC_DKIM_KEY_REVOKED, /* dkim-key-revoked: empty p= (RFC 6376 §3.6.1) */
    MC_DKIM_KEY_INVALID, /* dkim-key-invalid: see why and tag */
};

/* The public half of a key (opaque): parameters, never an encoding. */
struct mc_dkim_public;

/* One key record, judged.  Reset with mc_dkim_key_reset(). */
struct mc_dkim_key {
    enum mc_dkim_status status;
    enum mc_dkim_type type;     /* k= (default rsa); NONE when k= is unknown */
    unsigned bits;              /* RSA modulus bits, 256 for Ed25519; 0 without a key */
    bool testing;               /* t=y: receivers treat mail as unsigned (dkim-key-testing) */
    bool strict;                /* t=s: i= must be d= itself, no subdomain */
    const char *tag;            /* INVALID: the tag at fault ("v", "k", "h", "s", "p"), or
                                 * NULL for a tag-list syntax error; static */
    char *why;                  /* INVALID: why, naming the tag; else NULL; owned */
    struct mc_dkim_public *pub; /* the key when status is OK, SHORT or WEAK; owned */
};

/*
 * Judges the key record TEXT (LEN octets; the TXT record's strings already
 * concatenated, RFC 6376 §3.6.2.2): the tag-list grammar of RFC 6376 §3.2
 * (duplicate tags make it invalid, tag names are case-sensitive, unknown
 * tags are ignored), then the tags of §3.6.1.  Fills *KEY (its old content
 * is not freed); never fails otherwise.
 */
void mc_dkim_key_parse(const char *text, size_t len, struct mc_dkim_key *key);
void mc_dkim_key_reset(struct mc_dkim_key *key);

/* The finding of STATUS ("dkim-key-short", ...; "ok" for MC_DKIM_KEY_OK),
 * and its severity (SPEC: weak, revoked, invalid critical; short warning).
 * Static. */
const char *mc_dkim_status_finding(enum mc_dkim_status status);
enum mc_severity mc_dkim_status_severity(enum mc_dkim_status status);
/* "rsa", "ed25519", or "none".  Static. */
const char *mc_dkim_type_str(enum mc_dkim_type type);

/* Whether a private key and a published key are one key pair. */
enum mc_dkim_match {
    MC_DKIM_MATCH,      /* the same parameters */
    MC_DKIM_MISMATCH,   /* dkim-key-mismatch: signatures will fail */
    MC_DKIM_UNREADABLE, /* dkim-key-unreadable: no private key to compare */
    MC_DKIM_UNKNOWN,    /* the record holds no usable key (invalid, revoked) */
};
/* "match", "mismatch", "unreadable", "unknown" (the JSON words).  Static. */
const char *mc_dkim_match_str(enum mc_dkim_match match);

/* A private key's public half (opaque; the secret is not kept). */
struct mc_dkim_private;

/*
 * Reads the private key file at PATH: PEM, as PKCS#1 ("RSA PRIVATE KEY")
 * or PKCS#8 ("PRIVATE KEY", RSA or Ed25519), at most 64 KiB, a regular
 * file.  Returns MC_OK with *OUT (caller frees with mc_dkim_private_free()),
 * or MC_ERR_INPUT with *WHY (caller frees) saying why it cannot be used:
 * missing, not a file, too large, encrypted, a public key or a DNS record
 * instead of a private key, a key type DKIM does not sign with.
 */
enum mc_status mc_dkim_private_load(const char *path, struct mc_dkim_private **out, char **why);

/*
 * The same for a key given as text (LEN octets): PEM, or base64 of the DER
 * (PKCS#1 or PKCS#8), as an OpenDKIM KeyTable may hold it inline.  *WHY
 * never quotes TEXT.
 */
enum mc_status mc_dkim_private_parse(const char *text, size_t len, struct mc_dkim_private **out,
                                     char **why);
void mc_dkim_private_free(struct mc_dkim_private *priv);

enum mc_dkim_type mc_dkim_private_type(const struct mc_dkim_private *priv);
unsigned mc_dkim_private_bits(const struct mc_dkim_private *priv);

/*
 * Compares PRIV with the published KEY by parameters.  Returns
 * MC_DKIM_MATCH, MC_DKIM_MISMATCH with *WHY (caller frees: which parameter
 * differs, never its value), or MC_DKIM_UNKNOWN with *WHY when KEY holds
 * no usable key (invalid or revoked: nothing to compare with).
 */
enum mc_dkim_match mc_dkim_private_compare(const struct mc_dkim_private *priv,
                                           const struct mc_dkim_key *key, char **why);

/*
 * The key record to publish for PRIV: "v=DKIM1; k=rsa; p=BASE64" (p= the
 * SubjectPublicKeyInfo, as opendkim-genkey and rspamadm publish it) or
 * "v=DKIM1; k=ed25519; p=BASE64" (the 32 raw octets, RFC 8463 §4.2).
 * Caller frees.
 */
char *mc_dkim_private_record(const struct mc_dkim_private *priv);

/*
 * RECORD in zone-file presentation: quoted character-strings of at most
 * 255 octets each (RFC 1035 §3.3.14), separated by spaces, '"' and '\'
 * escaped: "v=DKIM1; k=rsa; p=MIIB..." "...".  Caller frees.
 */
char *mc_dkim_zone_strings(const char *record);

#endif
