/* SPDX-License-Identifier: MIT */
/*
 * mc_dmarc.h - DMARC as data (RFC 9989, which obsoletes RFC 7489; RFC 9990
 * section 3 for external report destinations): which TXT record is a DMARC
 * Policy Record (RFC 9989 §4.7), the parse of its tag list (§4.7, §4.8), the
 * DNS Tree Walk that finds the record that applies and the Organizational
 * Domain (§4.10, §4.10.1, §4.10.2), the RFC 7489 reading beside it (the
 * Organizational Domain from the Public Suffix List, RFC 7489 §3.2, and its
 * policy discovery, §6.6.3), the policy that applies (§4.7, §4.10.1),
 * identifier alignment (§3.2.10, §4.10.2) and the authorization of a report
 * destination outside the Organizational Domain (RFC 9990 §3).
 *
 * No DNS I/O happens here.  The caller asks the names these functions give
 * ("_dmarc." prepended), picks the record among each name's TXT answers with
 * mc_dmarc_select(), parses it with mc_dmarc_parse() and hands it back; the
 * walks say which name comes next, so the caller may stop as soon as it
 * knows enough.  Names are ASCII (A-labels); they are compared ignoring ASCII
 * case and one trailing dot.  Text from DNS is never trusted: any octets,
 * NULs included, bounded by the length given; what is kept for reports is
 * printable ASCII (other octets as \xHH).
 *
 * Ownership: a parsed record, its lists and strings live in the caller's
 * arena.  A walk owns its copy of the domain; the names it returns and the
 * Organizational Domain of its result point into the walk and live as long
 * as it.  The records handed to a walk are borrowed and must outlive it.
 */
#ifndef MC_DMARC_H
#define MC_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_arena.h"
#include "mc_psl.h"

/* Longest domain name, without trailing dot (RFC 1035 §2.3.4). */
#define MC_DMARC_NAME_MAX 253
/* At most eight queries in a DNS Tree Walk; names of eight or more labels
 * are cut to seven after the first query (RFC 9989 §4.10 step 4). */
#define MC_DMARC_WALK_MAX 8
#define MC_DMARC_WALK_LABELS 7
/* The most entries a parsed record keeps in each of its lists (URIs of one
 * tag, syntax errors, historic and unknown tags); more are counted only. */
#define MC_DMARC_LIST_MAX 32

/* ---- record selection (§4.7, §4.10 step 2) ---- */

/*
 * True when TEXT (LEN octets, may hold NULs) is a DMARC Policy Record: it
 * starts with the version tag, "v" (either case: an ABNF literal) *WSP "="
 * *WSP "DMARC1" (case-sensitive, §4.7), followed by *WSP and ";" or by the
 * end.  Nothing may precede it, not even whitespace; "v=DMARC1x", "v=dmarc1"
 * and "v=DMARC1 p=none" are not records.
 */
bool mc_dmarc_is_record(const char *text, size_t len);

/*
 * For a TXT that is not a record (mc_dmarc_is_record() false) but was
 * plainly meant as one, a static human reason: leading whitespace or quote,
 * "DMARC1" in the wrong case, no ";" after the version, "v=DMARC1" not
 * first.  NULL for a record and for anything else.
 */
const char *mc_dmarc_near_miss(const char *text, size_t len);

/* One TXT record's text, its character-strings concatenated (§4.5). */
struct mc_dmarc_txt {
    const char *text;
    size_t len;
};

enum mc_dmarc_select {
    MC_DMARC_SELECT_NONE,    /* no DMARC record among them */
    MC_DMARC_SELECT_ONE,     /* exactly one: *INDEX names it */
    MC_DMARC_SELECT_SEVERAL, /* more than one: all are discarded (§4.10 step 2) */
};

/* Picks the DMARC record among the TXT records TXTS[0..COUNT) of one name;
 * other TXT records are ignored (§4.10 step 2).  *INDEX is set, to the
 * first, when the result is not NONE. */
enum mc_dmarc_select mc_dmarc_select(size_t *index, const struct mc_dmarc_txt *txts, size_t count);

/* ---- parsed records (§4.7, §4.8) ---- */

enum mc_dmarc_policy {
    MC_DMARC_POLICY_NONE = 0,
    MC_DMARC_POLICY_QUARANTINE,
    MC_DMARC_POLICY_REJECT,
};

/* psd=: u (the default: not a PSD, maybe an Organizational Domain), y (a
 * Public Suffix Domain), n (an Organizational Domain, §4.7). */
enum mc_dmarc_psd {
    MC_DMARC_PSD_U = 0,
    MC_DMARC_PSD_Y,
    MC_DMARC_PSD_N,
};

/* adkim=, aspf= (§4.7); relaxed is the default. */
enum mc_dmarc_align {
    MC_DMARC_ALIGN_RELAXED = 0,
    MC_DMARC_ALIGN_STRICT,
};

/* Static lowercase names: "none", "quarantine", "reject"; "u", "y", "n";
 * "relaxed", "strict". */
const char *mc_dmarc_policy_str(enum mc_dmarc_policy policy);
const char *mc_dmarc_psd_str(enum mc_dmarc_psd psd);
const char *mc_dmarc_align_str(enum mc_dmarc_align align);

/* fo= options as bits (§4.7); "0" alone is the default. */
#define MC_DMARC_FO_0 1u
#define MC_DMARC_FO_1 2u
#define MC_DMARC_FO_D 4u
#define MC_DMARC_FO_S 8u

enum mc_dmarc_uri_kind {
    MC_DMARC_URI_MAILTO,  /* mailto: with an address: what every reporter supports */
    MC_DMARC_URI_OTHER,   /* a URI of another scheme: reporters need support mailto: only */
    MC_DMARC_URI_INVALID, /* not a URI (no scheme, an octet a URI cannot hold, an
                           * unencoded "!"), or a mailto: without an address */
};

/* One reporting URI of rua= or ruf= (§4.6, §4.8 dmarc-urilist). */
struct mc_dmarc_uri {
    const char *text; /* as written, printable, without WSP around it */
    enum mc_dmarc_uri_kind kind;
    /* mailto: the domain of the address; another scheme: the host of its
     * authority ("//host"); lowercase, no trailing dot; NULL otherwise. */
    const char *host;
    bool size_suffix; /* the obsolete "!size" (§4.8 obs-dmarc-report-size): ignored */
    const char *why;  /* OTHER and INVALID: a human reason; NULL for MAILTO */
};

/* A tag kept as written (printable): unknown tags, which are ignored
 * (§4.7), and the historic tags pct, rf, ri (§9.3, Appendix A.6). */
struct mc_dmarc_tag {
    const char *name;
    const char *value;
    /* Historic tags: whether the value is valid in the RFC 7489 §6.4
     * grammar that RFC 7489 receivers still read, and if not why. */
    bool valid;
    const char *why;
};

enum mc_dmarc_error_kind {
    MC_DMARC_ERR_NOT_TAG = 0, /* a term without "=" ("fo:0", "pct100", "sp-none") */
    MC_DMARC_ERR_NAME,        /* a tag name that is not 1*ALPHA */
    MC_DMARC_ERR_EMPTY_TERM,  /* nothing between two ";" */
    MC_DMARC_ERR_EMPTY_VALUE, /* "p=" */
    MC_DMARC_ERR_OCTET,       /* an octet outside dmarc-value (%x20-3A / %x3C-7E) */
    MC_DMARC_ERR_VALUE,       /* a value outside its tag's rule (§4.8 Table 2) */
    MC_DMARC_ERR_DUPLICATE,   /* a tag given again: the first one is read */
};

/* One syntax error.  §4.8: it is discarded in favour of the tag's default;
 * only an invalid p, sp or np changes what receivers do (`usable`). */
struct mc_dmarc_error {
    enum mc_dmarc_error_kind kind;
    const char *tag;  /* the tag name as written, printable; NULL without one */
    const char *text; /* the offending text as written (the term, or one URI) */
    const char *why;  /* a human reason naming both, with the RFC section */
};

/* What receivers do with a record (§4.10.1). */
enum mc_dmarc_usable {
    MC_DMARC_USABLE = 0,     /* a valid p, and sp and np valid or absent */
    MC_DMARC_USABLE_AS_NONE, /* p absent or invalid, or sp or np invalid, with at
                              * least one valid rua URI: acts as p=none */
    MC_DMARC_UNUSABLE,       /* the same without one: no DMARC processing */
};

struct mc_dmarc_record {
    const char *text; /* the record as given, NUL added (may hold NULs) */
    size_t len;
    /* Present with a valid value.  p, sp, np carry the defaults of §4.7:
     * no p is p=none, sp defaults to p, np to sp. */
    bool has_p, has_sp, has_np;
    enum mc_dmarc_policy p, sp, np;
    enum mc_dmarc_psd psd;
    bool testing; /* t=y */
    enum mc_dmarc_align adkim, aspf;
    unsigned fo; /* MC_DMARC_FO_* bits */
    struct mc_dmarc_uri *rua, *ruf;
    size_t nrua, nruf;
    size_t rua_dropped, ruf_dropped; /* URIs over MC_DMARC_LIST_MAX, not kept */
    bool rua_valid;                  /* at least one rua URI is a valid URI (§4.10.1) */
    struct mc_dmarc_tag *historic;   /* pct, rf, ri as they appear */
    size_t nhistoric;
    struct mc_dmarc_tag *unknown; /* unknown tags, ignored (§4.7) */
    size_t nunknown, unknown_dropped;
    struct mc_dmarc_error *errors;
    size_t nerrors, errors_dropped;
    enum mc_dmarc_usable usable;
    /* The same under RFC 7489 §6.6.3 step 6, where np, psd and t are unknown
     * tags: only p and sp count. */
    enum mc_dmarc_usable usable_rfc7489;
    /* Not a record: why (static); otherwise NULL. */
    const char *why;
};

/*
 * Parses TEXT (LEN octets) into *REC, allocating from ARENA.  Returns false,
 * with REC->why, when TEXT is not a DMARC record (mc_dmarc_is_record()).
 * Otherwise returns true: syntax errors in the tags after the version are
 * listed in REC->errors and each such tag takes its default (§4.8); tag names
 * and the values of p, sp, np, psd, t, adkim, aspf and fo ignore ASCII case.
 */
bool mc_dmarc_parse(struct mc_dmarc_record *rec, struct mc_arena *arena, const char *text,
                    size_t len);

/* TEXT[0..LEN) with every octet outside printable ASCII, and the
 * backslash, as \DDD (RFC 1035 §5.1), from ARENA: what a report may show of text from DNS
 * (the one rule for every DMARC string kept for reports). */
char *mc_dmarc_printable(struct mc_arena *arena, const char *text, size_t len);

/* ---- the DNS Tree Walk (§4.10) ---- */

enum mc_dmarc_reading {
    MC_DMARC_RFC9989 = 0, /* the DNS Tree Walk */
    MC_DMARC_RFC7489,     /* the Public Suffix List */
};

/* Where the record that applies was found (§4.10.1, highest preference
 * first). */
enum mc_dmarc_source {
    MC_DMARC_SOURCE_NONE = 0, /* no record applies: DMARC does not apply */
    MC_DMARC_SOURCE_AUTHOR,   /* at the Author (From) Domain */
    MC_DMARC_SOURCE_ORG,      /* at its Organizational Domain */
    MC_DMARC_SOURCE_PSD,      /* at its Public Suffix Domain (psd=y) */
};

/* Static name: "none", "author", "organizational", "psd". */
const char *mc_dmarc_source_str(enum mc_dmarc_source source);

/* What a walk (or the RFC 7489 reading) found. */
struct mc_dmarc_found {
    enum mc_dmarc_reading reading;
    const struct mc_dmarc_record *record; /* borrowed; NULL: no record applies */
    enum mc_dmarc_source source;
    const char *policy_domain; /* where the record is, without "_dmarc."; NULL without */
    const char *org_domain;    /* the Organizational Domain; NULL until known */
    bool subdomain;            /* the Author Domain is below policy_domain: sp/np apply */
};

/* A walk in progress.  Read it through the functions below. */
struct mc_dmarc_walk {
    char domain[MC_DMARC_NAME_MAX + 1]; /* lowercase, no trailing dot */
    size_t nlabels;
    /* offset of each label, leftmost first (< MC_DMARC_NAME_MAX: an octet
     * each keeps the walk, and every operation holding one, small) */
    unsigned char label[MC_DMARC_NAME_MAX / 2 + 1];
    size_t target[MC_DMARC_WALK_MAX];  /* label index of each name to query */
    bool queryable[MC_DMARC_WALK_MAX]; /* "_dmarc." + name fits the DNS */
    const struct mc_dmarc_record *found[MC_DMARC_WALK_MAX];
    size_t ntargets;
    size_t next;  /* the target to ask next */
    bool stopped; /* a record with psd=y or psd=n ended the walk */
};

/*
 * Starts the walk from DOMAIN (the Author Domain for policy discovery, an
 * Authenticated Identifier for its Organizational Domain, §4.10.2) and plans
 * its names: DOMAIN itself, then, when it has eight or more labels, its last
 * seven, then one label fewer each time down to the top-level label (§4.10
 * steps 1-7, §4.10.1): at most MC_DMARC_WALK_MAX.  A name whose "_dmarc."
 * query would be over 253 octets or hold a label over 63 cannot exist; the
 * walk skips it as having no record.  Returns false when DOMAIN is no domain
 * name: empty, over MC_DMARC_NAME_MAX octets, or with an empty label.
 */
bool mc_dmarc_walk_start(struct mc_dmarc_walk *walk, const char *domain);

/* The number of names planned, and the I-th (without "_dmarc."), whether or
 * not it will be asked. Borrowed from WALK. */
size_t mc_dmarc_walk_count(const struct mc_dmarc_walk *walk);
const char *mc_dmarc_walk_name(const struct mc_dmarc_walk *walk, size_t i);

/* The name to query next (without "_dmarc."), or NULL when the walk is over.
 * Borrowed from WALK. */
const char *mc_dmarc_walk_next(const struct mc_dmarc_walk *walk);

/*
 * Answers the name mc_dmarc_walk_next() gave: REC is its one DMARC record
 * (borrowed), or NULL when it has none (NXDOMAIN, no TXT, no record, or
 * several, which are discarded: §4.10 step 2).  A record with psd=y or psd=n
 * ends the walk (§4.10 steps 2 and 6).  Ignored once the walk is over.
 */
void mc_dmarc_walk_answer(struct mc_dmarc_walk *walk, const struct mc_dmarc_record *rec);

/*
 * What the walk found (§4.10.1, §4.10.2).  Returns true when the walk is
 * over and *OUT is complete.  Before, returns false with what is already
 * decided: after a record at the first name, the record that applies (that
 * of the Author Domain), never the Organizational Domain (NULL).
 *
 * The Organizational Domain is the name of the psd=n record; one label
 * below the psd=y record unless that is the first name; else the name with
 * the fewest labels that has a record; without any, DOMAIN itself.  The
 * record that applies is DOMAIN's, else the Organizational Domain's, else
 * that of the psd=y record (the Public Suffix Domain).
 */
bool mc_dmarc_walk_result(const struct mc_dmarc_walk *walk, struct mc_dmarc_found *out);

/* ---- the RFC 7489 reading ---- */

/* The Organizational Domain of DOMAIN per RFC 7489 §3.2: its registrable
 * domain in the Public Suffix List, or DOMAIN itself when it is a public
 * suffix.  Lowercase, no trailing dot; allocated from ARENA. */
char *mc_dmarc_psl_org(struct mc_arena *arena, const struct mc_psl *psl, const char *domain);

/* RFC 7489 §6.6.3: the record at the From domain, else (none there) at its
 * Organizational Domain; several at either name: none. */
struct mc_dmarc_rfc7489 {
    char domain[MC_DMARC_NAME_MAX + 1];
    char org[MC_DMARC_NAME_MAX + 1];
    int step; /* 0: ask domain, 1: ask org, 2: over */
    const struct mc_dmarc_record *at_domain, *at_org;
};

/* Starts the reading for DOMAIN, whose Organizational Domain (from
 * mc_dmarc_psl_org()) is ORG_DOMAIN.  Returns false when either is no domain
 * name (see mc_dmarc_walk_start()). */
bool mc_dmarc_rfc7489_start(struct mc_dmarc_rfc7489 *r, const char *domain, const char *org_domain);
/* The name to query next (without "_dmarc."), or NULL when over. Borrowed. */
const char *mc_dmarc_rfc7489_next(const struct mc_dmarc_rfc7489 *r);
/* Answers that name: SELECT as mc_dmarc_select() gave it, REC the record
 * when it is MC_DMARC_SELECT_ONE. */
void mc_dmarc_rfc7489_answer(struct mc_dmarc_rfc7489 *r, enum mc_dmarc_select select,
                             const struct mc_dmarc_record *rec);
/* What the reading found; true when it is over (org_domain is always set). */
bool mc_dmarc_rfc7489_result(const struct mc_dmarc_rfc7489 *r, struct mc_dmarc_found *out);

/* ---- the policy that applies (§4.7, §4.10.1) ---- */

/* Which tag gave the policy. */
enum mc_dmarc_policy_tag {
    MC_DMARC_TAG_P = 0,
    MC_DMARC_TAG_SP,
    MC_DMARC_TAG_NP,
};

struct mc_dmarc_applied {
    enum mc_dmarc_policy_tag tag;   /* p, sp or np, after the defaults of §4.7 */
    enum mc_dmarc_policy published; /* its value; none when as_none */
    enum mc_dmarc_policy policy;    /* what receivers apply: one step lower under t=y */
    bool as_none;                   /* the record acts as p=none (§4.10.1) */
    bool testing;                   /* t=y lowered it (RFC 9989 only) */
    bool pct_zero;                  /* pct=0 lowered it (RFC 7489 only) */
};

/*
 * The policy receivers apply to mail from the Author Domain of FOUND:
 * p when the record is the Author Domain's own, else sp for an existing
 * subdomain and np for a non-existent one (AUTHOR_EXISTS false: NXDOMAIN
 * for it, §3.2.13); np falls back to sp, sp to p.  t=y lowers it one step,
 * reject to quarantine to none.  Under the RFC 7489 reading np and t are
 * unknown tags: sp applies to every subdomain and t changes nothing.
 * Returns false when DMARC does not apply: no record, or a record without a
 * valid policy nor a valid rua URI (§4.10.1).
 */
bool mc_dmarc_apply(struct mc_dmarc_applied *out, const struct mc_dmarc_found *found,
                    bool author_exists);

/* ---- identifier alignment (§3.2.10, §4.10.2) ---- */

enum mc_dmarc_align_early {
    MC_DMARC_ALIGN_YES,  /* aligned: the identifier is the Author Domain */
    MC_DMARC_ALIGN_NO,   /* not aligned, whatever its Organizational Domain */
    MC_DMARC_ALIGN_WALK, /* relaxed and undecided: find the identifier's
                          * Organizational Domain (a walk from it) */
};

/*
 * Decides the alignment of IDENT with AUTHOR under MODE where no walk is
 * needed (§4.10.2 note): identical names align in either mode; strict mode
 * needs nothing more; an identifier outside AUTHOR_ORG (the Author Domain's
 * Organizational Domain; NULL: not known yet) cannot share it, as an
 * Organizational Domain is always the name itself or a parent.
 */
enum mc_dmarc_align_early mc_dmarc_align_early(enum mc_dmarc_align mode, const char *author,
                                               const char *author_org, const char *ident);

/*
 * Identifier alignment (§3.2.10): strict, IDENT equals AUTHOR; relaxed, the
 * same, or the same Organizational Domain (AUTHOR_ORG, IDENT_ORG, both found
 * by the same method: each by its own walk, or each from the Public Suffix
 * List; NULL: unknown, not aligned).
 */
bool mc_dmarc_aligned(enum mc_dmarc_align mode, const char *author, const char *author_org,
                      const char *ident, const char *ident_org);

/* ---- external report destinations (RFC 9990 §3) ---- */

/*
 * True when reports to DEST_HOST (an mc_dmarc_uri host) for a policy whose
 * Organizational Domain is ORG_DOMAIN need the destination's authorization:
 * when DEST_ORG, the Organizational Domain of DEST_HOST found by the same
 * method, differs from ORG_DOMAIN; with DEST_ORG NULL, when DEST_HOST is not
 * ORG_DOMAIN or below it.
 */
bool mc_dmarc_report_needs_auth(const char *org_domain, const char *dest_host,
                                const char *dest_org);

/* The name to query for that authorization: POLICY_DOMAIN (where the policy
 * record was found) "._report._dmarc." DEST_HOST, from ARENA; NULL when it
 * is over the DNS limits, which leaves the destination unauthorized (RFC 9990
 * §3 step 4). */
char *mc_dmarc_report_auth_name(struct mc_arena *arena, const char *policy_domain,
                                const char *dest_host);

enum mc_dmarc_report_auth {
    MC_DMARC_REPORT_UNAUTHORIZED, /* no TXT there starts with v=DMARC1 */
    MC_DMARC_REPORT_AUTHORIZED,   /* one does (its rua, if any, stays on DEST_HOST) */
    MC_DMARC_REPORT_FOREIGN,      /* one does, but its rua override names another
                                   * host: no report is sent at all (RFC 9990 §3) */
};

/*
 * Reads the TXT records TXTS[0..COUNT) found at the authorization name of
 * DEST_HOST (RFC 9990 §3 steps 6-9): any that starts with v=DMARC1 (a
 * trailing ";" optional) authorizes; several are fine.  *REC, when REC is
 * not NULL, is the first such record parsed from ARENA (its rua overrides
 * the destination), or NULL.
 */
enum mc_dmarc_report_auth mc_dmarc_report_auth_check(struct mc_arena *arena,
                                                     const struct mc_dmarc_txt *txts, size_t count,
                                                     const char *dest_host,
                                                     const struct mc_dmarc_record **rec);

#endif
