/* SPDX-License-Identifier: MIT */
/*
 * dmarc.c - DMARC Policy Records and the walks that find them, pure: record
 * selection (RFC 9989 §4.7, §4.10 step 2), the tag list (§4.7, the ABNF of
 * §4.8, Table 2), the DNS Tree Walk (§4.10) with policy discovery (§4.10.1)
 * and the Organizational Domain (§4.10.2), the RFC 7489 reading (§3.2 and
 * §6.6.3 of RFC 7489), the policy that applies (§4.7 p, sp, np, t;
 * §4.10.1), identifier alignment (§3.2.10) and external report destinations
 * (RFC 9990 §3).
 *
 * The parse never rejects a record for a bad tag: §4.8 discards syntax
 * errors "in favor of default values", so each error is listed, naming its
 * tag and text, and the tag keeps its default.  Only an invalid p, sp or np
 * changes what a receiver does (§4.10.1), which `usable` says.  Text is
 * walked by length, never by NUL, and every list is capped.
 *
 * Ownership: parsed records live in the caller's arena; walks are caller
 * structs holding their own copy of the domain.
 */
#include "mc_dmarc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc_util.h"

static const char *const policy_names[] = {
    [MC_DMARC_POLICY_NONE] = "none",
    [MC_DMARC_POLICY_QUARANTINE] = "quarantine",
    [MC_DMARC_POLICY_REJECT] = "reject",
};

const char *mc_dmarc_policy_str(enum mc_dmarc_policy policy)
{
    if ((size_t)policy < sizeof policy_names / sizeof policy_names[0])
        return policy_names[policy];
    return "unknown policy";
}

const char *mc_dmarc_psd_str(enum mc_dmarc_psd psd)
{
    switch (psd) {
    case MC_DMARC_PSD_U: return "u";
    case MC_DMARC_PSD_Y: return "y";
    case MC_DMARC_PSD_N: return "n";
    }
    return "unknown psd";
}

const char *mc_dmarc_align_str(enum mc_dmarc_align align)
{
    return align == MC_DMARC_ALIGN_STRICT ? "strict" : "relaxed";
}

const char *mc_dmarc_source_str(enum mc_dmarc_source source)
{
    switch (source) {
    case MC_DMARC_SOURCE_NONE: return "none";
    case MC_DMARC_SOURCE_AUTHOR: return "author";
    case MC_DMARC_SOURCE_ORG: return "organizational";
    case MC_DMARC_SOURCE_PSD: return "psd";
    }
    return "unknown source";
}

/* ---- record selection ---- */

/* WSP = SP / HTAB (RFC 5234 appendix B.1), the only blanks §4.8 allows. */
static bool is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_wsp(const char *s, size_t i, size_t n)
{
    while (i < n && is_wsp((unsigned char)s[i]))
        i++;
    return i;
}

#define VERSION "DMARC1"
#define VERSION_LEN (sizeof VERSION - 1)

/*
 * Matches dmarc-version = "v" equals %s"DMARC1", equals = *WSP "=" *WSP
 * (§4.8), at TEXT[0]: returns the offset just past "DMARC1", or 0.  With
 * CASELESS, "DMARC1" in any case (for the near-miss diagnosis only).
 */
static size_t match_version(const char *text, size_t len, bool caseless)
{
    size_t i = 0;

    if (len == 0 || (text[0] != 'v' && text[0] != 'V'))
        return 0;
    i = skip_wsp(text, 1, len);
    if (i >= len || text[i] != '=')
        return 0;
    i = skip_wsp(text, i + 1, len);
    if (len - i < VERSION_LEN)
        return 0;
    if (caseless ? mc_ascii_strncasecmp(text + i, VERSION, VERSION_LEN) != 0
                 : memcmp(text + i, VERSION, VERSION_LEN) != 0)
        return 0;
    return i + VERSION_LEN;
}

/* After the version: *WSP, then ";" or the end (dmarc-record, §4.8). */
static bool version_ends(const char *text, size_t len, size_t at)
{
    at = skip_wsp(text, at, len);
    return at == len || text[at] == ';';
}

bool mc_dmarc_is_record(const char *text, size_t len)
{
    /* §4.7: "v" MUST be the first tag, its value exactly "DMARC1"; §4.10
     * step 2: records that do not start with it are discarded. */
    size_t at = match_version(text, len, false);
    return at > 0 && version_ends(text, len, at);
}

const char *mc_dmarc_near_miss(const char *text, size_t len)
{
    if (mc_dmarc_is_record(text, len))
        return NULL;

    size_t i = 0;
    bool quote = false;
    while (i < len && (mc_ascii_isspace((unsigned char)text[i]) || text[i] == '"')) {
        quote |= text[i] == '"';
        i++;
    }
    if (i > 0 && mc_dmarc_is_record(text + i, len - i))
        return quote ? "the record starts with a quote character: it must start with "
                       "\"v=DMARC1\" (RFC 9989 section 4.7)"
                     : "the record starts with whitespace: it must start with "
                       "\"v=DMARC1\" (RFC 9989 section 4.7)";
    size_t at = match_version(text + i, len - i, true);
    if (at > 0 && match_version(text + i, len - i, false) == 0)
        return "the version is case-sensitive: \"DMARC1\" (RFC 9989 section 4.7)";
    if (at > 0) /* "v=DMARC1 p=none", "v=DMARC1\\;", "v=DMARC1x" */
        return "\"v=DMARC1\" is not followed by \";\" or the end of the record "
               "(RFC 9989 section 4.8)";
    /* "p=reject; v=DMARC1": a version that is not the first tag. */
    for (size_t k = i; k < len; k++) {
        if (text[k] != ';')
            continue;
        size_t t = skip_wsp(text, k + 1, len);
        size_t v = match_version(text + t, len - t, false);
        if (v > 0 && version_ends(text + t, len - t, v))
            return "\"v=DMARC1\" is not the first tag (RFC 9989 section 4.7)";
    }
    return NULL;
}

enum mc_dmarc_select mc_dmarc_select(size_t *index, const struct mc_dmarc_txt *txts, size_t count)
{
    size_t found = 0;

    for (size_t i = 0; i < count; i++) {
        if (!txts[i].text || !mc_dmarc_is_record(txts[i].text, txts[i].len))
            continue;
        if (found++ == 0)
            *index = i;
    }
    if (found == 0)
        return MC_DMARC_SELECT_NONE;
    return found == 1 ? MC_DMARC_SELECT_ONE : MC_DMARC_SELECT_SEVERAL;
}

/* ---- the parse ---- */

/* Tags with their bit in the parser's `seen` mask. */
enum tag_id {
    TAG_V,
    TAG_P,
    TAG_SP,
    TAG_NP,
    TAG_PSD,
    TAG_T,
    TAG_ADKIM,
    TAG_ASPF,
    TAG_FO,
    TAG_RUA,
    TAG_RUF,
    TAG_PCT,
    TAG_RF,
    TAG_RI,
    TAG_UNKNOWN,
};

static const struct {
    const char *name;
    enum tag_id id;
} tags[] = {
    [TAG_V] = {"v", TAG_V},
    [TAG_P] = {"p", TAG_P},
    [TAG_SP] = {"sp", TAG_SP},
    [TAG_NP] = {"np", TAG_NP},
    [TAG_PSD] = {"psd", TAG_PSD},
    [TAG_T] = {"t", TAG_T},
    [TAG_ADKIM] = {"adkim", TAG_ADKIM},
    [TAG_ASPF] = {"aspf", TAG_ASPF},
    [TAG_FO] = {"fo", TAG_FO},
    [TAG_RUA] = {"rua", TAG_RUA},
    [TAG_RUF] = {"ruf", TAG_RUF},
    [TAG_PCT] = {"pct", TAG_PCT},
    [TAG_RF] = {"rf", TAG_RF},
    [TAG_RI] = {"ri", TAG_RI},
};

struct parser {
    struct mc_arena *arena;
    struct mc_dmarc_record *rec;
    unsigned seen; /* 1 << enum tag_id */
    bool p_bad, sp_bad, np_bad;
};

char *mc_dmarc_printable(struct mc_arena *arena, const char *s, size_t n)
{
    char *out = mc_arena_alloc(arena, 4 * n + 1), *p = out;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c <= 0x7e && c != '\\') {
            *p++ = (char)c;
        } else { /* RFC 1035 §5.1 \DDD, as every string from DNS is shown */
            *p++ = '\\';
            *p++ = (char)('0' + c / 100);
            *p++ = (char)('0' + c / 10 % 10);
            *p++ = (char)('0' + c % 10);
        }
    }
    *p = '\0';
    return out;
}

/* Lists grow to MC_DMARC_LIST_MAX: room for two at first, doubled when
 * full, so the capacity follows from the count (a power of two from two
 * on).  Allocated whole, a list was 1,280 zeroed octets a record; a batch
 * parses a DMARC record for every line. */
static void *list_slot(struct mc_arena *arena, void **array, size_t *n, size_t *dropped,
                       size_t elem)
{
    _Static_assert((MC_DMARC_LIST_MAX & (MC_DMARC_LIST_MAX - 1)) == 0,
                   "the capacities double up to the limit");
    if (*n >= MC_DMARC_LIST_MAX) {
        (*dropped)++;
        return NULL;
    }
    if (*n == 0 || (*n >= 2 && (*n & (*n - 1)) == 0)) {
        void *bigger = mc_arena_alloc(arena, (*n ? 2 * *n : 2) * elem);
        if (*n)
            memcpy(bigger, *array, *n * elem);
        *array = bigger;
    }
    return (char *)*array + (*n)++ * elem;
}

/* Records a syntax error of KIND about TAG (NAME[0..NAMELEN), may be empty:
 * none) and TEXT[0..TEXTLEN). */
__attribute__((format(printf, 7, 8))) static void
add_error(struct parser *p, enum mc_dmarc_error_kind kind, const char *name, size_t namelen,
          const char *text, size_t textlen, const char *fmt, ...)
{
    struct mc_dmarc_record *rec = p->rec;
    void *array = rec->errors;
    struct mc_dmarc_error *e =
        list_slot(p->arena, &array, &rec->nerrors, &rec->errors_dropped, sizeof *e);
    rec->errors = array;
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *reason = mc_arena_vprintf(p->arena, fmt, ap);
    va_end(ap);
    e->kind = kind;
    e->tag = namelen ? mc_dmarc_printable(p->arena, name, namelen) : NULL;
    e->text = mc_dmarc_printable(p->arena, text, textlen);
    e->why = mc_arena_printf(p->arena, "\"%s\": %s", e->text, reason);
}

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && mc_ascii_strncasecmp(s, word, n) == 0;
}

/* dmarc-request = "none" / "quarantine" / "reject" (§4.8). */
static bool take_policy(const char *v, size_t n, enum mc_dmarc_policy *out)
{
    for (size_t i = 0; i < sizeof policy_names / sizeof policy_names[0]; i++) {
        if (word_is(v, n, policy_names[i])) {
            *out = (enum mc_dmarc_policy)i;
            return true;
        }
    }
    return false;
}

/* A one-letter value among CHOICES (any case): its index, or -1. */
static int take_letter(const char *v, size_t n, const char *choices)
{
    if (n != 1)
        return -1;
    const char *hit = strchr(choices, mc_ascii_tolower((unsigned char)v[0]));
    return hit && *hit ? (int)(hit - choices) : -1;
}

/*
 * dmarc-fo (§4.8): "0", "1", "d", "s" joined by ":", in any order, each at
 * most once, "0" and "1" not both.  Returns the bits, or 0 with *WHY.
 */
static unsigned take_fo(const char *v, size_t n, const char **why)
{
    unsigned bits = 0;
    size_t i = 0;

    for (;;) {
        size_t start = i;
        while (i < n && v[i] != ':')
            i++;
        int k = take_letter(v + start, i - start, "01ds");
        if (k < 0) {
            *why = "each option is 0, 1, d or s, joined by \":\"";
            return 0;
        }
        unsigned bit = 1u << k;
        if (bits & bit) {
            *why = "an option appears twice";
            return 0;
        }
        bits |= bit;
        if (i == n)
            break;
        i++;
    }
    if ((bits & MC_DMARC_FO_0) && (bits & MC_DMARC_FO_1)) {
        *why = "0 and 1 are mutually exclusive";
        return 0;
    }
    return bits;
}

/* RFC 3986 §2: the octets a URI may hold (unreserved, reserved, and "%"
 * for pct-encoded), "," and ";" aside: the list and the record separate at
 * them. */
static bool uri_char(unsigned char c)
{
    return mc_ascii_isalnum(c) || (c != '\0' && strchr("-._~:/?#[]@!$&'()*+=%", c));
}

/* A domain name of LDH labels (RFC 1123 §2.1): each 1 to 63 octets. */
static bool ldh_domain(const char *s, size_t n)
{
    size_t label = 0;

    if (n == 0 || n > MC_DMARC_NAME_MAX + 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (mc_ascii_isalnum(c) || c == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 || n > 1; /* one trailing dot allowed */
}

/* Lowercase copy of S[0..N) without a trailing dot. */
static char *host_copy(struct mc_arena *arena, const char *s, size_t n)
{
    if (n > 1 && s[n - 1] == '.')
        n--;
    return mc_ascii_lower(mc_arena_strndup(arena, s, n));
}

/*
 * One dmarc-uri / obs-dmarc-uri (§4.8) at S[0..N) into *U: URI syntax of RFC
 * 3986 (scheme ":" rest, URI octets), an obsolete "!size" suffix split off,
 * and for mailto: (RFC 6068 §2) an address whose domain becomes the host.
 */
static void take_uri(struct mc_arena *arena, struct mc_dmarc_uri *u, const char *s, size_t n)
{
    u->text = mc_dmarc_printable(arena, s, n);
    u->kind = MC_DMARC_URI_INVALID;
    if (n == 0) {
        u->why = "an empty URI (RFC 9989 section 4.8)";
        return;
    }

    /* obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ];
     * any other "!" must be encoded as %21 (§4.8). */
    const char *bang = memchr(s, '!', n);
    size_t end = n;
    if (bang) {
        size_t b = (size_t)(bang - s), j = b + 1;
        while (j < n && mc_ascii_isdigit((unsigned char)s[j]))
            j++;
        if (j < n && s[j] != '\0' && strchr("kmgtKMGT", s[j]))
            j++;
        if (j == b + 1 || j != n || memchr(s + j, '!', n - j)) {
            u->why = "\"!\" must be encoded as %21, except in an obsolete size suffix "
                     "such as \"!10m\" (RFC 9989 section 4.8)";
            return;
        }
        u->size_suffix = true;
        end = b;
    }
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!uri_char(c)) {
            u->why = mc_arena_printf(arena,
                                     "octet 0x%02x cannot appear in a URI unencoded "
                                     "(RFC 3986 section 2)",
                                     c);
            return;
        }
    }

    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1) */
    size_t colon = 0;
    if (mc_ascii_isalpha((unsigned char)s[0]))
        for (colon = 1; colon < end && (mc_ascii_isalnum((unsigned char)s[colon]) ||
                                        (s[colon] != '\0' && strchr("+-.", s[colon])));
             colon++)
            ;
    if (colon == 0 || colon >= end || s[colon] != ':') {
        u->why = memchr(s, '@', end)
                     ? "not a URI: an address needs \"mailto:\" before it (RFC 9989 section 4.6)"
                     : "not a URI: no scheme (RFC 3986 section 3)";
        return;
    }

    const char *rest = s + colon + 1;
    size_t rlen = end - colon - 1;
    if (!word_is(s, colon, "mailto")) {
        u->kind = MC_DMARC_URI_OTHER;
        u->why = "not a mailto: URI: receivers need support only mailto: and may "
                 "ignore it (RFC 9989 section 4.7)";
        if (rlen >= 2 && rest[0] == '/' && rest[1] == '/') {
            /* authority = [ userinfo "@" ] host [ ":" port ] (RFC 3986 §3.2) */
            size_t a = 2, e = 2;
            while (e < rlen && !strchr("/?#", rest[e]))
                e++;
            const char *at = NULL;
            for (size_t k = a; k < e; k++)
                if (rest[k] == '@')
                    at = rest + k;
            if (at)
                a = (size_t)(at - rest) + 1;
            /* host = IP-literal / IPv4address / reg-name: an IP-literal is
             * bracketed and holds ":" itself. */
            size_t h = a;
            char stop = a < e && rest[a] == '[' ? ']' : ':';
            while (h < e && rest[h] != stop)
                h++;
            if (stop == ']' && h < e)
                h++;
            if (h > a)
                u->host = host_copy(arena, rest + a, h - a);
        }
        return;
    }

    /* mailtoURI = "mailto:" [ to ] [ hfields ]; one addr-spec here, as ","
     * separates the list (RFC 6068 §2, RFC 9989 §4.8). */
    size_t q = 0;
    while (q < rlen && rest[q] != '?')
        q++;
    const char *at = NULL;
    for (size_t k = 0; k < q; k++)
        if (rest[k] == '@')
            at = rest + k;
    if (!at || at == rest || at == rest + q - 1) {
        u->why = "a mailto: URI without an address local@domain (RFC 6068 section 2)";
        return;
    }
    const char *dom = at + 1;
    size_t dlen = (size_t)(rest + q - dom);
    if (!ldh_domain(dom, dlen)) {
        u->why = "the address's domain is not a host name (RFC 6068 section 2, "
                 "RFC 1123 section 2.1)";
        return;
    }
    u->kind = MC_DMARC_URI_MAILTO;
    u->host = host_copy(arena, dom, dlen);
    u->why = NULL;
}

/* dmarc-urilist = uri *(*WSP "," *WSP uri) (§4.8), for rua or ruf. */
static void take_urilist(struct parser *p, enum tag_id id, const char *name, size_t namelen,
                         const char *v, size_t n)
{
    struct mc_dmarc_record *rec = p->rec;
    bool rua = id == TAG_RUA;
    size_t i = 0;

    for (;;) {
        size_t start = skip_wsp(v, i, n), stop = start;
        while (stop < n && v[stop] != ',')
            stop++;
        size_t e = stop;
        while (e > start && is_wsp((unsigned char)v[e - 1]))
            e--;

        struct mc_dmarc_uri scratch, *u;
        void *array = rua ? rec->rua : rec->ruf;
        u = list_slot(p->arena, &array, rua ? &rec->nrua : &rec->nruf,
                      rua ? &rec->rua_dropped : &rec->ruf_dropped, sizeof *u);
        if (rua)
            rec->rua = array;
        else
            rec->ruf = array;
        if (!u) {
            memset(&scratch, 0, sizeof scratch);
            u = &scratch;
        }
        take_uri(p->arena, u, v + start, e - start);
        if (u->kind == MC_DMARC_URI_INVALID)
            add_error(p, MC_DMARC_ERR_VALUE, name, namelen, v + start, e - start, "%s (in %s=)",
                      u->why, rua ? "rua" : "ruf");
        else if (rua)
            rec->rua_valid = true;
        if (stop == n)
            break;
        i = stop + 1;
    }
}

/* RFC 7489 §6.4 grammar of the historic tags, which RFC 7489 receivers
 * still read: pct = 1*3DIGIT (0-100), ri = 1*DIGIT (32 bits), rf =
 * Keyword *(*WSP ":" Keyword) with Keyword an Ldh-str of RFC 5321. */
static const char *historic_why(enum tag_id id, const char *v, size_t n)
{
    unsigned long long value = 0;

    if (id == TAG_RF) {
        size_t i = 0;
        for (;;) {
            i = skip_wsp(v, i, n);
            size_t start = i;
            while (i < n && (mc_ascii_isalnum((unsigned char)v[i]) || v[i] == '-'))
                i++;
            if (i == start || !mc_ascii_isalnum((unsigned char)v[start]) || v[i - 1] == '-')
                return "rf is a list of format names such as afrf, joined by \":\" "
                       "(RFC 7489 section 6.4)";
            i = skip_wsp(v, i, n);
            if (i == n)
                return NULL;
            if (v[i] != ':')
                return "rf is a list of format names such as afrf, joined by \":\" "
                       "(RFC 7489 section 6.4)";
            i++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!mc_ascii_isdigit((unsigned char)v[i]))
            return id == TAG_PCT ? "pct is a whole number from 0 to 100 (RFC 7489 section 6.3)"
                                 : "ri is a number of seconds (RFC 7489 section 6.3)";
        if (value <= 0xffffffffull)
            value = value * 10 + (unsigned)(v[i] - '0');
    }
    if (id == TAG_PCT && (n > 3 || value > 100))
        return "pct is a whole number from 0 to 100 (RFC 7489 section 6.3)";
    if (id == TAG_RI && value > 0xffffffffull)
        return "ri is a 32-bit unsigned number of seconds (RFC 7489 section 6.3)";
    return NULL;
}

static void keep_tag(struct parser *p, bool historic, const char *name, size_t namelen,
                     const char *v, size_t n, enum tag_id id)
{
    struct mc_dmarc_record *rec = p->rec;
    size_t unused = 0;
    void *array = historic ? rec->historic : rec->unknown;
    struct mc_dmarc_tag *t =
        list_slot(p->arena, &array, historic ? &rec->nhistoric : &rec->nunknown,
                  historic ? &unused : &rec->unknown_dropped, sizeof *t);
    if (historic)
        rec->historic = array;
    else
        rec->unknown = array;
    if (!t)
        return;
    t->name = mc_dmarc_printable(p->arena, name, namelen);
    t->value = mc_dmarc_printable(p->arena, v, n);
    t->why = historic ? historic_why(id, v, n) : NULL;
    t->valid = historic && !t->why;
}

/* The value V[0..N) of tag ID, named NAME[0..NAMELEN) as written, from the
 * term TERM[0..TERMLEN). */
static void take_value(struct parser *p, enum tag_id id, const char *name, size_t namelen,
                       const char *v, size_t n, const char *term, size_t termlen)
{
    struct mc_dmarc_record *rec = p->rec;
    const char *why = NULL;
    int k;

    switch (id) {
    case TAG_P:
    case TAG_SP:
    case TAG_NP: {
        enum mc_dmarc_policy pol;
        if (!take_policy(v, n, &pol)) {
            *(id == TAG_P ? &p->p_bad : id == TAG_SP ? &p->sp_bad : &p->np_bad) = true;
            why = "is none, quarantine or reject (RFC 9989 section 4.7)";
            break;
        }
        if (id == TAG_P) {
            rec->has_p = true;
            rec->p = pol;
        } else if (id == TAG_SP) {
            rec->has_sp = true;
            rec->sp = pol;
        } else {
            rec->has_np = true;
            rec->np = pol;
        }
        return;
    }
    case TAG_PSD:
        if ((k = take_letter(v, n, "uyn")) < 0) {
            why = "is y, n or u (RFC 9989 section 4.7)";
            break;
        }
        rec->psd = (enum mc_dmarc_psd)k;
        return;
    case TAG_T:
        if ((k = take_letter(v, n, "ny")) < 0) {
            why = "is y or n (RFC 9989 section 4.7)";
            break;
        }
        rec->testing = k == 1;
        return;
    case TAG_ADKIM:
    case TAG_ASPF:
        if ((k = take_letter(v, n, "rs")) < 0) {
            why = "is r (relaxed) or s (strict) (RFC 9989 section 4.7)";
            break;
        }
        *(id == TAG_ADKIM ? &rec->adkim : &rec->aspf) = (enum mc_dmarc_align)k;
        return;
    case TAG_FO: {
        const char *fowhy = NULL;
        unsigned bits = take_fo(v, n, &fowhy);
        if (!bits) {
            add_error(p, MC_DMARC_ERR_VALUE, name, namelen, term, termlen,
                      "fo: %s (RFC 9989 section 4.8)", fowhy);
            return;
        }
        rec->fo = bits;
        return;
    }
    case TAG_RUA:
    case TAG_RUF: take_urilist(p, id, name, namelen, v, n); return;
    case TAG_PCT:
    case TAG_RF:
    case TAG_RI:
        /* Historic (§9.3, Appendix A.6): named, not applied. */
        keep_tag(p, true, name, namelen, v, n, id);
        return;
    case TAG_V:
    case TAG_UNKNOWN:
    default: return;
    }
    add_error(p, MC_DMARC_ERR_VALUE, name, namelen, term, termlen, "%s %s", tags[id].name, why);
}

/* One term TERM[0..N) after the version, WSP around it already trimmed. */
static void parse_term(struct parser *p, const char *term, size_t n)
{
    const char *eq = memchr(term, '=', n);

    if (!eq) {
        add_error(p, MC_DMARC_ERR_NOT_TAG, NULL, 0, term, n,
                  "not tag=value (RFC 9989 section 4.8: dmarc-tag = 1*ALPHA equals "
                  "1*dmarc-value)");
        return;
    }
    size_t namelen = (size_t)(eq - term);
    while (namelen > 0 && is_wsp((unsigned char)term[namelen - 1]))
        namelen--;
    size_t vstart = skip_wsp(term, (size_t)(eq - term) + 1, n);
    const char *v = term + vstart;
    size_t vlen = n - vstart;

    /* dmarc-tag = 1*ALPHA equals 1*dmarc-value (§4.8) */
    bool name_ok = namelen > 0;
    for (size_t i = 0; i < namelen; i++)
        name_ok &= mc_ascii_isalpha((unsigned char)term[i]);
    if (!name_ok) {
        add_error(p, MC_DMARC_ERR_NAME, term, namelen, term, n,
                  "%s (RFC 9989 section 4.8: a tag name is 1*ALPHA)",
                  namelen ? "a tag name of letters only" : "a value without a tag name");
        return;
    }

    enum tag_id id = TAG_UNKNOWN;
    for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++)
        if (word_is(term, namelen, tags[t].name))
            id = tags[t].id;

    if (id != TAG_UNKNOWN) {
        /* The tag-list of RFC 6376 §3.2, which §4.7 follows, has every tag
         * at most once ("the entire tag-list is invalid" otherwise); v is
         * first (§4.7), so a later one is a duplicate.  Receivers do not
         * agree on such a record: the first value is read, and the
         * finding says so. */
        if (p->seen & (1u << id)) {
            add_error(p, MC_DMARC_ERR_DUPLICATE, term, namelen, term, n,
                      "%s appears more than once: the tag-list of RFC 6376 section 3.2, "
                      "which DMARC records follow (RFC 9989 section 4.7), is then invalid "
                      "as a whole; receivers differ, and this report reads the first",
                      tags[id].name);
            return;
        }
        p->seen |= 1u << id;
    }
    if (vlen == 0) {
        /* 1*dmarc-value: for every tag, known or not (the name is letters
         * only here, so it prints as written). */
        if (id == TAG_P || id == TAG_SP || id == TAG_NP)
            *(id == TAG_P ? &p->p_bad : id == TAG_SP ? &p->sp_bad : &p->np_bad) = true;
        add_error(p, MC_DMARC_ERR_EMPTY_VALUE, term, namelen, term, n,
                  "%.*s has an empty value (RFC 9989 section 4.8: 1*dmarc-value)", (int)namelen,
                  term);
        return;
    }
    /* dmarc-value = %x20-3A / %x3C-7E: printing characters and SP (§4.8).
     * rua and ruf follow their own rule, dmarc-urilist, which allows WSP
     * (HTAB too) around ","; the URI parse checks their octets. */
    for (size_t i = 0; i < vlen && id != TAG_RUA && id != TAG_RUF; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c > 0x7e) {
            if (id == TAG_P || id == TAG_SP || id == TAG_NP)
                *(id == TAG_P ? &p->p_bad : id == TAG_SP ? &p->sp_bad : &p->np_bad) = true;
            add_error(p, MC_DMARC_ERR_OCTET, term, namelen, term, n,
                      "octet 0x%02x is not allowed in a value (RFC 9989 section 4.8: "
                      "dmarc-value = %%x20-3A / %%x3C-7E)",
                      c);
            return;
        }
    }
    if (id == TAG_UNKNOWN) {
        /* §4.7: unknown tags MUST be ignored; kept for an info. */
        keep_tag(p, false, term, namelen, v, vlen, id);
        return;
    }
    take_value(p, id, term, namelen, v, vlen, term, n);
}

/* §4.10.1: a record without a valid p, or with an invalid sp or np, acts as
 * p=none when rua has a valid URI; otherwise DMARC does not apply. */
static enum mc_dmarc_usable usable(bool policy_ok, bool rua_valid)
{
    if (policy_ok)
        return MC_DMARC_USABLE;
    return rua_valid ? MC_DMARC_USABLE_AS_NONE : MC_DMARC_UNUSABLE;
}

bool mc_dmarc_parse(struct mc_dmarc_record *rec, struct mc_arena *arena, const char *text,
                    size_t len)
{
    struct parser p = {.arena = arena, .rec = rec};

    memset(rec, 0, sizeof *rec);
    rec->text = mc_arena_memdup(arena, text, len);
    rec->len = len;
    rec->fo = MC_DMARC_FO_0;
    rec->usable = rec->usable_rfc7489 = MC_DMARC_UNUSABLE;
    if (!mc_dmarc_is_record(text, len)) {
        rec->why = "the record does not start with \"v=DMARC1\" followed by \";\" or its end "
                   "(RFC 9989 section 4.7)";
        return false;
    }
    p.seen = 1u << TAG_V;

    /* dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep],
     * dmarc-sep = *WSP ";" *WSP (§4.8). */
    size_t i = skip_wsp(text, match_version(text, len, false), len);
    while (i < len) {
        /* text[i] == ';' */
        size_t start = skip_wsp(text, i + 1, len), stop = start;
        while (stop < len && text[stop] != ';')
            stop++;
        size_t end = stop;
        while (end > start && is_wsp((unsigned char)text[end - 1]))
            end--;
        if (end > start)
            parse_term(&p, text + start, end - start);
        else if (stop < len) /* a final ";" is allowed, ";;" is not */
            add_error(&p, MC_DMARC_ERR_EMPTY_TERM, NULL, 0, text + i, stop + 1 - i,
                      "an empty tag between two \";\" (RFC 9989 section 4.8)");
        i = stop;
    }

    /* §4.7 defaults: p=none, sp=p, np=sp; t=n, adkim=aspf=r, psd=u, fo=0. */
    if (!rec->has_p)
        rec->p = MC_DMARC_POLICY_NONE;
    if (!rec->has_sp)
        rec->sp = rec->p;
    if (!rec->has_np)
        rec->np = rec->sp;
    rec->usable = usable(rec->has_p && !p.sp_bad && !p.np_bad, rec->rua_valid);
    rec->usable_rfc7489 = usable(rec->has_p && !p.sp_bad, rec->rua_valid);
    return true;
}

/* ---- names ---- */

/* Length of NAME without one trailing dot. */
/*
 * Copies DOMAIN into OUT (MC_DMARC_NAME_MAX + 1 octets) lowercase, without
 * a trailing dot; fills LABEL[] with label offsets when not NULL.  Returns
 * the number of labels, or 0 when DOMAIN is no domain name.
 */
_Static_assert(MC_DMARC_NAME_MAX <= 255, "label offsets are octets");

static size_t copy_name(char *out, const char *domain, unsigned char *label)
{
    size_t n = mc_name_len(domain), labels = 0;

    if (n == 0 || n > MC_DMARC_NAME_MAX || domain[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (domain[i] == '.' && (i + 1 == n || domain[i + 1] == '.'))
            return 0;
        if (i == 0 || domain[i - 1] == '.') {
            if (label)
                label[labels] = (unsigned char)i; /* i < MC_DMARC_NAME_MAX */
            labels++;
        }
        out[i] = (char)mc_ascii_tolower((unsigned char)domain[i]);
    }
    out[n] = '\0';
    return labels;
}

/* "_dmarc." + NAME fits the DNS: at most 253 octets, labels at most 63
 * (RFC 1035 §2.3.4); a name that cannot exist has no record. */
static bool dmarc_queryable(const char *name)
{
    size_t n = strlen(name), label = 0;

    if (n + sizeof "_dmarc." - 1 > MC_DMARC_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '.')
            label = 0;
        else if (++label > 63)
            return false;
    }
    return true;
}

/* ---- the DNS Tree Walk ---- */

static const char *label_name(const struct mc_dmarc_walk *walk, size_t label)
{
    return walk->domain + walk->label[label];
}

static void walk_skip(struct mc_dmarc_walk *walk)
{
    while (walk->next < walk->ntargets && !walk->queryable[walk->next])
        walk->next++;
}

bool mc_dmarc_walk_start(struct mc_dmarc_walk *walk, const char *domain)
{
    memset(walk, 0, sizeof *walk);
    walk->nlabels = copy_name(walk->domain, domain, walk->label);
    if (walk->nlabels == 0)
        return false;

    /* §4.10 steps 1, 3, 4 and 7: the domain itself; then with x labels,
     * x < 8: one label fewer, x >= 8: the last seven; then one label fewer
     * each time until none remain.  At most 1 + 7 = MC_DMARC_WALK_MAX. */
    size_t x = walk->nlabels, n = 0;
    walk->target[n++] = 0;
    size_t first = x >= MC_DMARC_WALK_LABELS + 1 ? x - MC_DMARC_WALK_LABELS : 1;
    for (size_t l = first; l < x && n < MC_DMARC_WALK_MAX; l++)
        walk->target[n++] = l;
    walk->ntargets = n;
    for (size_t i = 0; i < n; i++)
        walk->queryable[i] = dmarc_queryable(label_name(walk, walk->target[i]));
    walk_skip(walk);
    return true;
}

size_t mc_dmarc_walk_count(const struct mc_dmarc_walk *walk)
{
    return walk->ntargets;
}

const char *mc_dmarc_walk_name(const struct mc_dmarc_walk *walk, size_t i)
{
    return i < walk->ntargets ? label_name(walk, walk->target[i]) : NULL;
}

static bool walk_over(const struct mc_dmarc_walk *walk)
{
    return walk->stopped || walk->next >= walk->ntargets;
}

const char *mc_dmarc_walk_next(const struct mc_dmarc_walk *walk)
{
    return walk_over(walk) ? NULL : label_name(walk, walk->target[walk->next]);
}

void mc_dmarc_walk_answer(struct mc_dmarc_walk *walk, const struct mc_dmarc_record *rec)
{
    if (walk_over(walk))
        return;
    walk->found[walk->next++] = rec;
    /* §4.10 steps 2 and 6: a single record with psd=n or psd=y: stop. */
    if (rec && rec->psd != MC_DMARC_PSD_U)
        walk->stopped = true;
    walk_skip(walk);
}

/* The target index whose name has label index LABEL, or ntargets. */
static size_t target_of(const struct mc_dmarc_walk *walk, size_t label)
{
    size_t i = 0;
    while (i < walk->ntargets && walk->target[i] != label)
        i++;
    return i;
}

bool mc_dmarc_walk_result(const struct mc_dmarc_walk *walk, struct mc_dmarc_found *out)
{
    memset(out, 0, sizeof *out);
    out->reading = MC_DMARC_RFC9989;

    /* §4.10.1: the Author Domain's own record is preferred to all. */
    if (walk->next > 0 && walk->found[0]) {
        out->record = walk->found[0];
        out->source = MC_DMARC_SOURCE_AUTHOR;
        out->policy_domain = walk->domain;
    }
    if (!walk_over(walk))
        return false;

    /* §4.10.2, among the names with a record, longest to shortest: psd=n
     * is the Organizational Domain; psd=y, unless at the first name, puts it
     * one label below; else the name with the fewest labels.  The walk stops
     * at the first psd=n or psd=y, so only the last record found can carry
     * one.  Without records, the domain itself. */
    size_t last = walk->ntargets;
    for (size_t i = 0; i < walk->ntargets; i++)
        if (walk->found[i])
            last = i;
    size_t org = 0;
    const struct mc_dmarc_record *psd = NULL;
    if (last < walk->ntargets) {
        org = walk->target[last];
        if (walk->found[last]->psd == MC_DMARC_PSD_Y && last > 0) {
            psd = walk->found[last];
            org = walk->target[last] - 1;
        }
    }
    out->org_domain = label_name(walk, org);
    if (out->record)
        return true;

    /* §4.10.1: else the Organizational Domain's record, else the PSD's.  The
     * name one label below a psd=y record was not asked when the cut of a
     * long name skipped it: it counts as having none. */
    size_t at = target_of(walk, org);
    if (at < walk->ntargets && walk->found[at]) {
        out->record = walk->found[at];
        out->source = MC_DMARC_SOURCE_ORG;
        out->policy_domain = out->org_domain;
    } else if (psd) {
        out->record = psd;
        out->source = MC_DMARC_SOURCE_PSD;
        out->policy_domain = label_name(walk, walk->target[last]);
    }
    out->subdomain = out->record != NULL;
    return true;
}

/* ---- the RFC 7489 reading ---- */

char *mc_dmarc_psl_org(struct mc_arena *arena, const struct mc_psl *psl, const char *domain)
{
    char *lower = mc_ascii_lower(mc_arena_strndup(arena, domain, mc_name_len(domain)));
    char *reg = mc_psl_registrable(psl, lower);
    char *out = mc_arena_strdup(arena, reg);
    free(reg);
    return out;
}

bool mc_dmarc_rfc7489_start(struct mc_dmarc_rfc7489 *r, const char *domain, const char *org_domain)
{
    memset(r, 0, sizeof *r);
    if (!copy_name(r->domain, domain, NULL) || !copy_name(r->org, org_domain, NULL)) {
        r->step = 2;
        return false;
    }
    return true;
}

const char *mc_dmarc_rfc7489_next(const struct mc_dmarc_rfc7489 *r)
{
    if (r->step == 0)
        return r->domain;
    return r->step == 1 ? r->org : NULL;
}

void mc_dmarc_rfc7489_answer(struct mc_dmarc_rfc7489 *r, enum mc_dmarc_select select,
                             const struct mc_dmarc_record *rec)
{
    const struct mc_dmarc_record *one = select == MC_DMARC_SELECT_ONE ? rec : NULL;

    /* RFC 7489 §6.6.3 steps 1-5: the From domain; only when it has no
     * record, the Organizational Domain (if different); several records at
     * either end discovery. */
    if (r->step == 0) {
        r->at_domain = one;
        r->step = select == MC_DMARC_SELECT_NONE && strcmp(r->domain, r->org) != 0 ? 1 : 2;
    } else if (r->step == 1) {
        r->at_org = one;
        r->step = 2;
    }
}

bool mc_dmarc_rfc7489_result(const struct mc_dmarc_rfc7489 *r, struct mc_dmarc_found *out)
{
    memset(out, 0, sizeof *out);
    out->reading = MC_DMARC_RFC7489;
    out->org_domain = r->org;
    if (r->at_domain) {
        out->record = r->at_domain;
        out->source = MC_DMARC_SOURCE_AUTHOR;
        out->policy_domain = r->domain;
    } else if (r->at_org) {
        out->record = r->at_org;
        out->source = MC_DMARC_SOURCE_ORG;
        out->policy_domain = r->org;
        out->subdomain = true;
    }
    return r->step == 2;
}

/* ---- the policy that applies ---- */

/* A valid pct= (RFC 7489 §6.3: 0-100) of 0; pct is historic under RFC
 * 9989 (Appendix A.6), kept with the other historic tags. */
static bool pct_is_zero(const struct mc_dmarc_record *rec)
{
    for (size_t i = 0; i < rec->nhistoric; i++) {
        const struct mc_dmarc_tag *t = &rec->historic[i];
        if (t->valid && mc_ascii_strcasecmp(t->name, "pct") == 0)
            return t->value[0] && strspn(t->value, "0") == strlen(t->value);
    }
    return false;
}

bool mc_dmarc_apply(struct mc_dmarc_applied *out, const struct mc_dmarc_found *found,
                    bool author_exists)
{
    const struct mc_dmarc_record *rec = found->record;
    bool bis = found->reading == MC_DMARC_RFC9989;

    memset(out, 0, sizeof *out);
    if (!rec)
        return false;
    enum mc_dmarc_usable use = bis ? rec->usable : rec->usable_rfc7489;
    if (use == MC_DMARC_UNUSABLE)
        return false;

    /* §4.10.1: p for the Author Domain's own record; for a subdomain sp if
     * it exists, np if not (§4.7: np defaults to sp, sp to p). */
    if (!found->subdomain) {
        out->tag = MC_DMARC_TAG_P;
        out->published = rec->p;
    } else if (bis && !author_exists) {
        out->tag = rec->has_np ? MC_DMARC_TAG_NP : rec->has_sp ? MC_DMARC_TAG_SP : MC_DMARC_TAG_P;
        out->published = rec->np;
    } else {
        out->tag = rec->has_sp ? MC_DMARC_TAG_SP : MC_DMARC_TAG_P;
        out->published = rec->sp;
    }
    if (use == MC_DMARC_USABLE_AS_NONE) {
        out->as_none = true;
        out->published = MC_DMARC_POLICY_NONE;
    }
    out->policy = out->published;
    /* §4.7 t=y: one level below, reject to quarantine, quarantine to none;
     * no effect on none.  RFC 7489 §6.6.4 does the same to the mail pct=
     * leaves out, which with pct=0 is all of it (RFC 9989 Appendix A.6
     * calls t=y its analogue). */
    bool lower = bis ? rec->testing : pct_is_zero(rec);
    if (lower && out->policy != MC_DMARC_POLICY_NONE) {
        out->policy = out->policy == MC_DMARC_POLICY_REJECT ? MC_DMARC_POLICY_QUARANTINE
                                                            : MC_DMARC_POLICY_NONE;
        out->testing = bis;
        out->pct_zero = !bis;
    }
    return true;
}

/* ---- identifier alignment ---- */

enum mc_dmarc_align_early mc_dmarc_align_early(enum mc_dmarc_align mode, const char *author,
                                               const char *author_org, const char *ident)
{
    if (mc_name_equal(author, ident))
        return MC_DMARC_ALIGN_YES;
    if (mode == MC_DMARC_ALIGN_STRICT)
        return MC_DMARC_ALIGN_NO;
    if (author_org && !mc_name_at_or_below(ident, author_org))
        return MC_DMARC_ALIGN_NO;
    return MC_DMARC_ALIGN_WALK;
}

bool mc_dmarc_aligned(enum mc_dmarc_align mode, const char *author, const char *author_org,
                      const char *ident, const char *ident_org)
{
    /* §3.2.10.2 strict: identical; §3.2.10.1 relaxed: the same
     * Organizational Domain; names compare ignoring case (§4.4). */
    if (mc_name_equal(author, ident))
        return true;
    if (mode == MC_DMARC_ALIGN_STRICT || !author_org || !ident_org)
        return false;
    return mc_name_equal(author_org, ident_org);
}

/* ---- external report destinations (RFC 9990 §3) ---- */

bool mc_dmarc_report_needs_auth(const char *org_domain, const char *dest_host, const char *dest_org)
{
    /* RFC 9990 §3: when the Organizational Domain of the policy is not that
     * of the URI's host. */
    if (dest_org)
        return !mc_name_equal(org_domain, dest_org);
    return !mc_name_at_or_below(dest_host, org_domain);
}

char *mc_dmarc_report_auth_name(struct mc_arena *arena, const char *policy_domain,
                                const char *dest_host)
{
    char *name = mc_arena_printf(arena, "%.*s._report._dmarc.%.*s", (int)mc_name_len(policy_domain),
                                 policy_domain, (int)mc_name_len(dest_host), dest_host);
    char scratch[MC_DMARC_NAME_MAX + 1];
    size_t label = 0;

    /* RFC 9990 §3 step 4: a name over the DNS limits (RFC 1035 §2.3.4)
     * authorizes nothing. */
    if (!copy_name(scratch, name, NULL))
        return NULL;
    for (const char *p = name; *p; p++) {
        if (*p == '.')
            label = 0;
        else if (++label > 63)
            return NULL;
    }
    return mc_ascii_lower(name);
}

enum mc_dmarc_report_auth mc_dmarc_report_auth_check(struct mc_arena *arena,
                                                     const struct mc_dmarc_txt *txts, size_t count,
                                                     const char *dest_host,
                                                     const struct mc_dmarc_record **rec)
{
    if (rec)
        *rec = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!txts[i].text || !mc_dmarc_is_record(txts[i].text, txts[i].len))
            continue;
        /* RFC 9990 §3 steps 6-8: a record starting with v=DMARC1 authorizes;
         * step 9: its rua replaces the original, but only on the same host,
         * or no report goes to either. */
        struct mc_dmarc_record *r = mc_arena_alloc(arena, sizeof *r);
        mc_dmarc_parse(r, arena, txts[i].text, txts[i].len);
        if (rec)
            *rec = r;
        for (size_t k = 0; k < r->nrua; k++)
            if (r->rua[k].kind != MC_DMARC_URI_INVALID && r->rua[k].host &&
                !mc_name_equal(r->rua[k].host, dest_host))
                return MC_DMARC_REPORT_FOREIGN;
        return MC_DMARC_REPORT_AUTHORIZED;
    }
    return MC_DMARC_REPORT_UNAUTHORIZED;
}
