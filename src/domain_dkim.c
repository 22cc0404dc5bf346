/* SPDX-License-Identifier: MIT */
/*
 * domain_dkim.c - the DKIM keys of a sender-domain report: the TXT record
 * of every selector known (RFC 6376 §3.6.2.1), judged by mc_dkim.h
 * (RFC 6376 §3.6.1, RFC 8301, RFC 8463), and, where the signer's private
 * key is readable, whether it is the published one (compared by
 * parameters).  Key material never reaches the report: the fix for a
 * missing or mismatched key is the record to publish.
 *
 * Ownership: requests are copied into the operation's arena; records are
 * borrowed from the resolver; what libcrypto allocates is freed here.
 */
#include <stdlib.h>
#include <string.h>

#include "mc_array.h"
#include "mc_dkim.h"
#include "mc_domain_private.h"
#include "mc_util.h"

static void key_cb(void *arg, const struct mc_dns_result *result)
{
    struct mc_domain_lookup *l = arg;
    l->d->keys[l->index].txt = result;
    mc_domain_lookup_end(l->d);
}

void mc_domain_dkim_start(struct mc_domain *d, const struct mc_domain_dkim *keys, size_t n)
{
    d->keys = mc_arena_alloc(d->arena, (n + 1) * sizeof *d->keys);
    for (size_t i = 0; i < n; i++) {
        struct mc_domain_key *k = &d->keys[d->nkeys];
        k->want = (struct mc_domain_dkim){
            .selector = mc_arena_strdup(d->arena, keys[i].selector),
            .domain = mc_arena_strdup(d->arena, keys[i].domain),
            .source = mc_arena_strdup(d->arena, keys[i].source),
            .key_path = mc_arena_strdup(d->arena, keys[i].key_path),
            .key_inline = mc_arena_strdup(d->arena, keys[i].key_inline),
            .algorithm = mc_arena_strdup(d->arena, keys[i].algorithm),
            .algorithm_source = mc_arena_strdup(d->arena, keys[i].algorithm_source),
        };
        struct mc_domain_lookup *l = mc_arena_alloc(d->arena, sizeof *l);
        *l = (struct mc_domain_lookup){.d = d, .index = d->nkeys++};
        d->pending++;
        mc_resolver_lookup_for(
            d->res, d->scope,
            mc_arena_printf(d->arena, "%s._domainkey.%s", k->want.selector, k->want.domain),
            MC_DNS_T_TXT, key_cb, l);
    }
}

/* The private key of K, when the configuration names one; NULL with *WHY
 * (caller frees) when it cannot be read, NULL without one. */
static struct mc_dkim_private *private_key(const struct mc_domain_key *k, char **why)
{
    struct mc_dkim_private *priv = NULL;
    *why = NULL;
    if (k->want.key_path)
        (void)mc_dkim_private_load(k->want.key_path, &priv, why);
    else if (k->want.key_inline)
        (void)mc_dkim_private_parse(k->want.key_inline, strlen(k->want.key_inline), &priv, why);
    return priv;
}

/* Why the signer's one algorithm (OpenDKIM's SignatureAlgorithm) cannot
 * make a signature verifiers accept with PRIV, or NULL: an algorithm of
 * the other key type (RFC 6376 §3.3, RFC 8463 §3), or rsa-sha1, which
 * verifiers must not accept (RFC 8301 §3.1).  Static. */
static const char *algorithm_problem(const struct mc_domain_dkim *want,
                                     const struct mc_dkim_private *priv)
{
    if (!want->algorithm)
        return NULL;
    bool ed = strcmp(want->algorithm, "ed25519-sha256") == 0;
    enum mc_dkim_type type = mc_dkim_private_type(priv);
    if (ed && type == MC_DKIM_TYPE_RSA)
        return "the private key is RSA, so every signature fails (an Ed25519 algorithm over an RSA "
               "key)";
    if (!ed && type == MC_DKIM_TYPE_ED25519)
        return "the private key is Ed25519, which an RSA algorithm cannot sign with: opendkim "
               "defers the mail";
    if (strcmp(want->algorithm, "rsa-sha1") == 0)
        return "verifiers must not accept rsa-sha1 signatures (RFC 8301 section 3.1), so every "
               "signature fails";
    return NULL;
}

/* How bad KEY is for a verifier that picks it: 2 critical, 1 warning
 * (short, t=y), 0 ok. */
static int badness(const struct mc_dkim_key *key)
{
    enum mc_severity sev = mc_dkim_status_severity(key->status);
    return sev == MC_SEV_CRITICAL ? 2 : sev == MC_SEV_WARNING || key->testing ? 1 : 0;
}

/* Judges every record of R into *KEY: the one a verifier does worst with
 * (fewer bits, then the lower text, breaking ties), so that the report
 * does not depend on the order the answer lists them in. */
static void worst_record(const struct mc_dns_result *r, struct mc_dkim_key *key)
{
    size_t worst = 0;
    memset(key, 0, sizeof *key);
    mc_dkim_key_parse(r->records[0].text, r->records[0].text_len, key);
    for (size_t i = 1; i < r->count; i++) {
        struct mc_dkim_key other;
        memset(&other, 0, sizeof other);
        mc_dkim_key_parse(r->records[i].text, r->records[i].text_len, &other);
        const struct mc_dns_record *a = &r->records[i], *b = &r->records[worst];
        size_t n = a->text_len < b->text_len ? a->text_len : b->text_len;
        int text = memcmp(a->text, b->text, n);
        bool lower = text < 0 || (text == 0 && a->text_len < b->text_len);
        int d = badness(&other) - badness(key);
        if (d > 0 || (d == 0 && (other.bits < key->bits || (other.bits == key->bits && lower)))) {
            mc_dkim_key_reset(key);
            *key = other;
            worst = i;
        } else {
            mc_dkim_key_reset(&other);
        }
    }
}

/* The fix for a key too small (RFC 8301 §3.2): a new one, not the same
 * key published again. */
static const char *new_key_fix(struct mc_arena *ar, const struct mc_domain_key *k, const char *name)
{
    if (!k->want.algorithm) /* not opendkim's: its tool is not the one to name */
        return mc_arena_printf(ar,
                               "make a new RSA key of 2048 bits, sign with it and publish its "
                               "record at %s",
                               name);
    return mc_arena_printf(ar,
                           "make a new RSA key of 2048 bits (opendkim-genkey -b 2048 -s %s -d %s), "
                           "sign with it and publish its record at %s",
                           k->want.selector, k->want.domain, name);
}

/* The fix that publishes PRIV's public half at NAME (or, for a private key
 * under 2048 bits, a new key's). */
static const char *publish_fix(struct mc_arena *ar, const struct mc_dkim_private *priv,
                               const struct mc_domain_key *k, const char *name)
{
    if (priv && mc_dkim_private_type(priv) == MC_DKIM_TYPE_RSA && mc_dkim_private_bits(priv) < 2048)
        return new_key_fix(ar, k, name);
    if (!priv)
        return mc_arena_printf(ar, "publish the signer's public key at %s", name);
    char *record = mc_dkim_private_record(priv);
    char *strings = mc_dkim_zone_strings(record);
    const char *fix = mc_arena_printf(ar, "publish %s. TXT %s", name, strings);
    free(strings);
    free(record);
    return fix;
}

static void judge(struct mc_report *rep, const char *domain, const struct mc_domain_key *k,
                  struct mc_report_dkim *o)
{
    struct mc_arena *ar = rep->arena;
    const struct mc_dns_result *r = k->txt;
    const char *name = mc_arena_printf(ar, "%s._domainkey.%s", k->want.selector, k->want.domain);
    char *why = NULL;
    struct mc_dkim_private *priv = private_key(k, &why);
    o->private_key = priv ? "unknown" : why ? "unreadable" : "unknown";
    o->status = "critical";
    if (why)
        mc_report_add_finding(
            rep, "dkim-key-unreadable", MC_SEV_INFO, domain,
            mc_arena_printf(ar, "the private key of %s (%s): %s", name, k->want.source, why), NULL);
    if (!mc_dns_outcome_answered(r->outcome)) {
        mc_report_lookup_failed(rep, r, mc_arena_printf(ar, "the DKIM key %s", name));
        o->status = "unknown";
    } else if (r->outcome != MC_DNS_ANSWER) {
        /* A CNAME chain that dangles (an ESP's delegated selector): the
         * record is missing at its last target (mailcheck(1), evidence). */
        const char *at = r->ncnames ? r->canonical : name;
        mc_report_add_finding(
            rep, "dkim-key-missing", MC_SEV_CRITICAL, domain,
            mc_arena_printf(ar,
                            "no DKIM key is published at %s%s%s (%s): every signature with "
                            "s=%s fails",
                            name, r->ncnames ? ", an alias (CNAME) for " : "", r->ncnames ? at : "",
                            r->outcome == MC_DNS_NXDOMAIN ? "NXDOMAIN" : "no TXT record",
                            k->want.selector),
            publish_fix(ar, priv, k, at));
    } else {
        if (r->count > 1)
            mc_report_add_finding(
                rep, "dkim-key-multiple", MC_SEV_WARNING, domain,
                mc_arena_printf(ar,
                                "%s has %zu TXT records: verifiers use one, chosen at "
                                "random (RFC 6376 section 3.6.2.2: the results are undefined); "
                                "the worst of them is reported",
                                name, r->count),
                mc_arena_printf(ar, "keep one DKIM key record at %s", name));
        struct mc_dkim_key key;
        worst_record(r, &key);
        const char *code = mc_dkim_status_finding(key.status);
        enum mc_severity sev = mc_dkim_status_severity(key.status);
        o->key_type = key.type == MC_DKIM_TYPE_NONE ? NULL : mc_dkim_type_str(key.type);
        o->key_bits = key.pub ? (int)key.bits : -1;
        o->testing = key.testing;
        o->usable = key.pub && key.status != MC_DKIM_KEY_WEAK && !key.testing;
        if (strcmp(code, "ok") != 0)
            mc_report_add_finding(
                rep, code, sev, domain,
                key.status == MC_DKIM_KEY_INVALID
                    ? mc_arena_printf(ar, "the DKIM key at %s is invalid: %s", name, key.why)
                : key.status == MC_DKIM_KEY_REVOKED
                    ? mc_arena_printf(ar, "the DKIM key at %s is revoked (empty p=)", name)
                    : mc_arena_printf(ar, "the DKIM key at %s has %u bits: %s", name, key.bits,
                                      key.status == MC_DKIM_KEY_WEAK
                                          ? "verifiers must reject keys under 1024 bits "
                                            "(RFC 8301 section 3.2)"
                                          : "RFC 8301 asks for at least 2048"),
                key.status == MC_DKIM_KEY_WEAK || key.status == MC_DKIM_KEY_SHORT
                    ? new_key_fix(ar, k, name)
                    : publish_fix(ar, priv, k, name));
        /* t=y of a key verifiers discard anyway says nothing. */
        if (key.testing && key.pub && key.status != MC_DKIM_KEY_WEAK)
            mc_report_add_finding(
                rep, "dkim-key-testing", MC_SEV_WARNING, domain,
                mc_arena_printf(ar,
                                "the DKIM key at %s has t=y: receivers treat the mail as "
                                "unsigned",
                                name),
                mc_arena_printf(ar, "remove t=y from the record at %s", name));
        const char *alg_why = NULL; /* algorithm_problem() of the signer's key */
        if (priv) {
            char *cwhy = NULL;
            enum mc_dkim_match match = mc_dkim_private_compare(priv, &key, &cwhy);
            o->private_key = mc_dkim_match_str(match);
            if (match == MC_DKIM_MISMATCH) {
                o->usable = false;
                mc_report_add_finding(
                    rep, "dkim-key-mismatch", MC_SEV_CRITICAL, domain,
                    mc_arena_printf(
                        ar,
                        "the private key of %s (%s) is not the one published at %s%s%s: "
                        "every signature fails",
                        k->want.selector, k->want.source, name, cwhy ? ": " : "", cwhy ? cwhy : ""),
                    publish_fix(ar, priv, k, name));
            }
            free(cwhy);
            alg_why = algorithm_problem(&k->want, priv);
            if (alg_why) {
                o->usable = false;
                mc_report_add_finding(
                    rep, "dkim-key-mismatch", MC_SEV_CRITICAL, domain,
                    mc_arena_printf(
                        ar, "the signer of %s (%s) signs with SignatureAlgorithm %s (%s): %s", name,
                        k->want.source, k->want.algorithm,
                        k->want.algorithm_source ? k->want.algorithm_source : "the default",
                        alg_why),
                    mc_dkim_private_type(priv) == MC_DKIM_TYPE_ED25519
                        ? "set SignatureAlgorithm ed25519-sha256, or sign with an RSA key (with "
                          "MultipleSignatures, one algorithm cannot serve RSA and Ed25519 keys)"
                        : "set SignatureAlgorithm rsa-sha256 (opendkim's default)");
            }
        }
        /* Critical: no key a verifier accepts (invalid, revoked, weak) or not
         * the signer's; warning: a key with a finding of its own (short,
         * t=y); else ok. */
        bool broken = !key.pub || key.status == MC_DKIM_KEY_WEAK ||
                      strcmp(o->private_key, "mismatch") == 0 || alg_why;
        o->status = broken                                              ? "critical"
                    : sev != MC_SEV_INFO || key.testing || r->count > 1 ? "warning"
                                                                        : "ok";
        mc_dkim_key_reset(&key);
    }
    mc_dkim_private_free(priv);
    free(why);
}

int mc_domain_dkim_report(const struct mc_domain *d, struct mc_report *rep,
                          struct mc_report_domain *rd)
{
    struct mc_arena *ar = rep->arena;
    rd->dkim = mc_arena_alloc(ar, (d->nkeys + 1) * sizeof *rd->dkim);
    bool rsa = false, ed25519 = false, usable = false;
    for (size_t i = 0; i < d->nkeys; i++) {
        const struct mc_domain_key *k = &d->keys[i];
        struct mc_report_dkim *o = &rd->dkim[rd->ndkim++];
        *o = (struct mc_report_dkim){
            .selector = mc_arena_strdup(ar, k->want.selector),
            .domain = mc_arena_strdup(ar, k->want.domain),
            .source = mc_arena_strdup(ar, k->want.source),
            .key_bits = -1,
        };
        if (!k->txt) { /* the check's deadline cut its lookup: not known */
            o->status = "unknown";
            o->private_key = "unknown";
            continue;
        }
        MC_ARENA_ARRAY_RESERVE(rep->arena, rd->lookups, rd->lookups_cap, rd->nlookups + 1);
        rd->lookups[rd->nlookups++] = *mc_report_lookup_copy(rep, k->txt);
        judge(rep, d->domain, k, o);
        usable = usable || o->usable;
        if (o->usable && o->key_type) {
            rsa = rsa || strcmp(o->key_type, "rsa") == 0;
            ed25519 = ed25519 || strcmp(o->key_type, "ed25519") == 0;
        }
    }
    /* Gmail and Microsoft verify RSA only (RFC 8463 is not enough alone). */
    if (ed25519 && !rsa)
        mc_report_add_finding(
            rep, "dkim-ed25519-only", MC_SEV_WARNING, d->domain,
            mc_arena_printf(ar,
                            "%s has no usable RSA DKIM key, only Ed25519: Gmail and "
                            "Microsoft verify RSA signatures only",
                            d->domain),
            "sign with an RSA key (2048 bits) too, under its own selector");
    if (d->nkeys == 0)
        return -1;
    return usable ? 1 : 0;
}
