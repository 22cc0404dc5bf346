/* SPDX-License-Identifier: MIT */
/*
 * mc_spf.h - SPF records as data: record selection (RFC 7208 §4.5), the
 * parsed record and its terms (§4.6.1, §5, §6, ABNF §12), and the macro
 * language (§7).
 *
 * These are the pure parts of SPF: no DNS I/O happens here.  The evaluator
 * walks a parsed record's terms left to right, expands their domain-specs
 * with mc_spf_macro_expand() and decides (§4.6.2).  A record with any syntax
 * error anywhere is rejected as a whole (§4.6: check_host() returns
 * permerror without evaluating it), with a human `why` naming the term.
 *
 * Ownership: everything a parse or an expansion returns is allocated from the
 * caller's arena and lives as long as it; `why` strings are arena-owned or
 * static, never freed by the caller.
 */
#ifndef MC_SPF_H
#define MC_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_arena.h"
#include "mc_dns.h"

/* The seven results of check_host() (RFC 7208 §2.6). */
enum mc_spf_result {
    MC_SPF_NONE = 0,
    MC_SPF_NEUTRAL,
    MC_SPF_PASS,
    MC_SPF_FAIL,
    MC_SPF_SOFTFAIL,
    MC_SPF_TEMPERROR,
    MC_SPF_PERMERROR,
};

/* Static lowercase name of RESULT as RFC 7208 §2.6 spells it ("pass", ...). */
const char *mc_spf_result_str(enum mc_spf_result result);

/* ---- record selection (§4.5) ---- */

/* True when TEXT (LEN octets, may hold NULs) begins with the version section
 * "v=spf1" (any case) ended by a space or the end of the record (§4.5):
 * "v=spf10" and "v=spf1\tall" are not SPF records. */
bool mc_spf_is_record(const char *text, size_t len);

enum mc_spf_select {
    MC_SPF_SELECT_NONE,    /* no SPF record: check_host() gives none */
    MC_SPF_SELECT_ONE,     /* exactly one: *INDEX names it */
    MC_SPF_SELECT_SEVERAL, /* more than one: permerror (§4.5); *INDEX the first */
};

/*
 * Picks the SPF record among the TXT records RECORDS[0..COUNT) of one name
 * (each record's character-strings already concatenated, §3.3; records of
 * other types are skipped).  *INDEX is set when the result is not NONE.
 */
enum mc_spf_select mc_spf_select(size_t *index, const struct mc_dns_record *records, size_t count);

/* ---- parsed records ---- */

/* Mechanisms (§5) up to MC_SPF_TERM_EXISTS, then modifiers (§6). */
enum mc_spf_term_kind {
    MC_SPF_TERM_ALL = 0,
    MC_SPF_TERM_INCLUDE,
    MC_SPF_TERM_A,
    MC_SPF_TERM_MX,
    MC_SPF_TERM_PTR,
    MC_SPF_TERM_IP4,
    MC_SPF_TERM_IP6,
    MC_SPF_TERM_EXISTS,
    MC_SPF_TERM_REDIRECT, /* redirect=domain-spec (§6.1) */
    MC_SPF_TERM_EXP,      /* exp=domain-spec (§6.2) */
    MC_SPF_TERM_UNKNOWN,  /* name=macro-string, to be ignored (§6) */
};

/* Static name of KIND: the mechanism or modifier name, "unknown-modifier". */
const char *mc_spf_term_kind_str(enum mc_spf_term_kind kind);

static inline bool mc_spf_term_is_mechanism(enum mc_spf_term_kind kind)
{
    return kind <= MC_SPF_TERM_EXISTS;
}

/* The bit of macro letter L ('a'..'z', lowercase) in a `macros` mask. */
#define MC_SPF_MACRO_BIT(l) (1u << ((unsigned)(l) - 'a'))

struct mc_spf_term {
    enum mc_spf_term_kind kind;
    /* Mechanisms: the result on a match, MC_SPF_PASS unless a qualifier
     * says otherwise (§4.6.2). Modifiers: MC_SPF_NONE. */
    enum mc_spf_result qualifier;
    const char *text; /* the term as written, qualifier included */
    const char *name; /* modifiers: the name as written; mechanisms: NULL */
    /* include, a, mx, ptr, exists, redirect, exp: the domain-spec as
     * written, unexpanded; NULL when absent (a, mx and ptr then use
     * <domain>, §4.8).  Unknown modifiers: their macro-string, never
     * expanded. */
    const char *domain_spec;
    unsigned macros; /* MC_SPF_MACRO_BIT() of every macro letter in it */
    /* a, mx: both prefix lengths (defaults 32 and 128, §5.3); ip4: cidr4;
     * ip6: cidr6 (§5.6). */
    unsigned cidr4, cidr6;
    /* ip4: the network as written (first 4 octets); ip6: all 16. */
    unsigned char addr[16];
};

struct mc_spf_record {
    const char *text; /* the record as given, NUL added (may hold NULs) */
    size_t len;
    struct mc_spf_term *terms; /* every term in record order; NULL on error */
    size_t nterms;
    const struct mc_spf_term *redirect; /* into terms[], or NULL */
    const struct mc_spf_term *exp;      /* into terms[], or NULL */
    /* On a syntax error: the offending term as written (bytes outside
     * printable ASCII as \xHH), or NULL when the version is wrong, and a
     * human reason naming the term and the RFC section. */
    const char *bad_term;
    const char *why;
};

/*
 * Parses the SPF record TEXT (LEN octets; it may hold NULs, which are
 * errors) into *REC, allocating from ARENA.  Terms are separated by one or
 * more spaces; names are matched whole and case-insensitively, never by
 * prefix.  Returns true when the record is valid.  On any syntax error
 * anywhere (which makes check_host() return permerror, §4.6) returns false
 * with REC->why and REC->bad_term set and no terms.
 */
bool mc_spf_parse(struct mc_spf_record *rec, struct mc_arena *arena, const char *text, size_t len);

/* ---- macros (§7) ---- */

/* Where a macro-string stands, which decides its grammar and expansion. */
enum mc_spf_macro_mode {
    /* A domain-spec (§7.1): must end in a macro or "." toplabel; letters
     * c, r and t are errors (§7.2); the expansion loses a trailing dot and is
     * truncated from the left to MC_SPF_NAME_MAX octets (§7.3). */
    MC_SPF_MACRO_DOMAIN,
    /* Explanation text (§6.2, explain-string in §7.1): spaces allowed, all
     * letters allowed, expansion capped at MC_SPF_EXP_MAX octets. */
    MC_SPF_MACRO_EXP,
};

/* Longest expanded domain name, without trailing dot (§7.3). */
#define MC_SPF_NAME_MAX 253
/* Longest expanded explanation mailcheck produces (its own cap: an SMTP
 * reply line holds far less, RFC 5321 §4.5.3.1.5). */
#define MC_SPF_EXP_MAX 4096

/* What the macro letters expand to (§7.2, §7.3). Strings are borrowed. */
struct mc_spf_macro_ctx {
    const char *local_part;    /* l: of <sender>; "postmaster" if none (§4.3) */
    const char *sender_domain; /* o: domain of <sender> */
    const char *domain;        /* d: <domain> of this check_host() */
    int family;                /* AF_INET or AF_INET6; an IPv4-mapped <ip>
                                  is AF_INET here (§5) */
    unsigned char addr[16];    /* i, c, v: <ip> (AF_INET: first 4 octets) */
    bool upper_nibbles;        /* i: IPv6 nibbles in upper case, as <ip> was
                                  written; c is RFC 5952 (lower case) always */
    const char *helo;          /* h: HELO/EHLO name; NULL: "unknown" */
    const char *receiver;      /* r: host doing the check; NULL: "unknown" */
    int64_t timestamp;         /* t: seconds since the epoch */
    const char *ptr_name;      /* p: validated name of <ip> (§5.5) chosen by
                                  the evaluator; NULL: "unknown" (§7.3) */
};

/*
 * Checks S (LEN octets) against the grammar of MODE (§7.1, §7.2).  Returns
 * true and, if LETTERS is not NULL, the MC_SPF_MACRO_BIT() mask of the
 * letters used (so that an evaluator knows when it needs %{p}).  On a syntax
 * error returns false with *WHY a static message citing the RFC.
 */
bool mc_spf_macro_check(const char *s, size_t len, enum mc_spf_macro_mode mode, unsigned *letters,
                        const char **why);

/*
 * Expands S (LEN octets) in MODE for CTX.  Returns true with *OUT a
 * NUL-terminated string owned by ARENA.  Returns false with *WHY (static)
 * on a syntax error, on an explanation over MC_SPF_EXP_MAX octets, or on a
 * domain name over MC_SPF_NAME_MAX octets whose last label alone is too long
 * to truncate to.  The caller decides what that means: permerror for a
 * domain-spec, "no explanation" for exp text (§6.2).
 */
bool mc_spf_macro_expand(const char **out, struct mc_arena *arena,
                         const struct mc_spf_macro_ctx *ctx, const char *s, size_t len,
                         enum mc_spf_macro_mode mode, const char **why);

#endif
