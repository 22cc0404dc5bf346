/* SPDX-License-Identifier: MIT */
/*
 * spf_parse.c - SPF record selection (RFC 7208 §4.5) and the parse of one
 * record into terms: mechanisms with qualifiers (§4.6.2, §5), modifiers
 * (§4.6.1, §6), dual CIDR lengths (§5.3, §5.4), address literals (§5.6),
 * following the ABNF of §12.  Domain-specs are checked, not expanded, by the
 * macro module (§7.1).
 *
 * A record is valid only if every term is: any syntax error anywhere makes
 * check_host() return permerror without evaluating the record (§4.6), so the
 * parse stops at the first one and names it.  Terms are recognised by their
 * whole name (up to ':', '/' or '='), never by prefix: "allx", "ipv4:" and
 * "a6:" are errors, not "all", "ip4:" and "a".
 *
 * Ownership: the parsed record, its terms and its strings are allocated from
 * the caller's arena.
 */
#include "mc_spf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_util.h"

static const char *const result_names[] = {
    [MC_SPF_NONE] = "none",           [MC_SPF_NEUTRAL] = "neutral",
    [MC_SPF_PASS] = "pass",           [MC_SPF_FAIL] = "fail",
    [MC_SPF_SOFTFAIL] = "softfail",   [MC_SPF_TEMPERROR] = "temperror",
    [MC_SPF_PERMERROR] = "permerror",
};

const char *mc_spf_result_str(enum mc_spf_result result)
{
    if ((size_t)result < sizeof result_names / sizeof result_names[0])
        return result_names[result];
    return "unknown result";
}

static const char *const kind_names[] = {
    [MC_SPF_TERM_ALL] = "all",
    [MC_SPF_TERM_INCLUDE] = "include",
    [MC_SPF_TERM_A] = "a",
    [MC_SPF_TERM_MX] = "mx",
    [MC_SPF_TERM_PTR] = "ptr",
    [MC_SPF_TERM_IP4] = "ip4",
    [MC_SPF_TERM_IP6] = "ip6",
    [MC_SPF_TERM_EXISTS] = "exists",
    [MC_SPF_TERM_REDIRECT] = "redirect",
    [MC_SPF_TERM_EXP] = "exp",
    [MC_SPF_TERM_UNKNOWN] = "unknown-modifier",
};

const char *mc_spf_term_kind_str(enum mc_spf_term_kind kind)
{
    if ((size_t)kind < sizeof kind_names / sizeof kind_names[0])
        return kind_names[kind];
    return "unknown term";
}

/* The mechanisms, with the RFC section that defines each one's syntax. */
static const struct {
    const char *name;
    enum mc_spf_term_kind kind;
    const char *section;
} mechanisms[] = {
    {"all", MC_SPF_TERM_ALL, "5.1"}, {"include", MC_SPF_TERM_INCLUDE, "5.2"},
    {"a", MC_SPF_TERM_A, "5.3"},     {"mx", MC_SPF_TERM_MX, "5.4"},
    {"ptr", MC_SPF_TERM_PTR, "5.5"}, {"ip4", MC_SPF_TERM_IP4, "5.6"},
    {"ip6", MC_SPF_TERM_IP6, "5.6"}, {"exists", MC_SPF_TERM_EXISTS, "5.7"},
};

#define VERSION "v=spf1"
#define VERSION_LEN (sizeof VERSION - 1)

bool mc_spf_is_record(const char *text, size_t len)
{
    /* §4.5: exactly "v=spf1" (ABNF literals ignore case, RFC 5234 §2.3),
     * ended by SP or the end of the record. */
    return len >= VERSION_LEN && mc_ascii_strncasecmp(text, VERSION, VERSION_LEN) == 0 &&
           (len == VERSION_LEN || text[VERSION_LEN] == ' ');
}

enum mc_spf_select mc_spf_select(size_t *index, const struct mc_dns_record *records, size_t count)
{
    size_t found = 0;

    for (size_t i = 0; i < count; i++) {
        const struct mc_dns_record *r = &records[i];
        if (r->type != MC_DNS_T_TXT || !r->text || !mc_spf_is_record(r->text, r->text_len))
            continue;
        if (found++ == 0)
            *index = i;
    }
    if (found == 0)
        return MC_SPF_SELECT_NONE;
    return found == 1 ? MC_SPF_SELECT_ONE : MC_SPF_SELECT_SEVERAL;
}

struct parser {
    struct mc_arena *arena;
    struct mc_spf_record *rec;
    const char *term; /* the term being parsed, for error messages */
    size_t term_len;
};

/* S[0..N) with every octet outside printable ASCII as \xHH, for reports. */
static char *printable(struct mc_arena *arena, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *out = mc_arena_alloc(arena, 4 * n + 1), *p = out;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x21 && c <= 0x7e) {
            *p++ = (char)c;
        } else {
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return out;
}

/* Records a syntax error in the current term; always returns false. */
__attribute__((format(printf, 2, 3))) static bool fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    char *reason = mc_arena_vprintf(p->arena, fmt, ap);
    va_end(ap);
    p->rec->bad_term = printable(p->arena, p->term, p->term_len);
    p->rec->why = mc_arena_printf(p->arena, "\"%s\": %s", p->rec->bad_term, reason);
    return false;
}

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && mc_ascii_strncasecmp(s, word, n) == 0;
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (§12) */
static bool modifier_name_ok(const char *s, size_t n)
{
    if (n == 0 || !mc_ascii_isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!mc_ascii_isalnum(c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

/* True when S[0..N) ends in "/" and digits: a prefix length where the term
 * takes none, which deserves a clearer message than a bad domain-end. */
static bool ends_in_prefix(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && mc_ascii_isdigit((unsigned char)s[i - 1]))
        i--;
    return i < n && i > 0 && s[i - 1] == '/';
}

/* Checks and keeps the domain-spec S[0..N) of term T (§7.1). */
static bool take_domain_spec(struct parser *p, struct mc_spf_term *t, const char *s, size_t n,
                             const char *what, const char *section, bool takes_prefix)
{
    const char *why;

    if (n == 0)
        return fail(p, "%s has an empty domain-spec (RFC 7208 section %s)", what, section);
    if (!mc_spf_macro_check(s, n, MC_SPF_MACRO_DOMAIN, &t->macros, &why)) {
        if (!takes_prefix && ends_in_prefix(s, n))
            return fail(p, "%s takes no prefix length (RFC 7208 section %s)", what, section);
        return fail(p, "%s", why);
    }
    t->domain_spec = mc_arena_strndup(p->arena, s, n);
    return true;
}

/*
 * A prefix length (§5.6): ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT),
 * ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT), at most MAX.  Leading
 * zeros and missing digits are errors.  S[0..N) is the text after the '/'.
 */
static bool take_prefix(struct parser *p, const char *s, size_t n, unsigned max, unsigned *out)
{
    const char *family = max == 32 ? "IPv4" : "IPv6";
    unsigned long v = 0;

    if (n == 0)
        return fail(p, "%s prefix length without digits (RFC 7208 section 5.6)", family);
    for (size_t i = 0; i < n; i++) {
        if (!mc_ascii_isdigit((unsigned char)s[i]))
            return fail(p, "%s prefix length \"/%.*s\" is not a number (RFC 7208 section 5.6)",
                        family, (int)n, s);
        if (v <= max)
            v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (n > 1 && s[0] == '0')
        return fail(p, "%s prefix length \"/%.*s\" has a leading zero (RFC 7208 section 5.6)",
                    family, (int)n, s);
    if (v > max)
        return fail(p, "%s prefix length \"/%.*s\" is over %u (RFC 7208 section 5.6)", family,
                    (int)n, s, max);
    *out = (unsigned)v;
    return true;
}

/*
 * ip4-network = qnum "." qnum "." qnum "." qnum (§12): exactly four decimal
 * octets without leading zeros.  Stricter than inet_aton(), which takes
 * "1.2.3" and "0x7f.1"; §5.6 forbids omitting parts of the address.
 */
static bool dotted_quad(const char *s, size_t n, unsigned char out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 3 && mc_ascii_isdigit((unsigned char)s[i]))
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        out[part] = (unsigned char)v;
        if (part < 3 && (i >= n || s[i++] != '.'))
            return false;
    }
    return i == n;
}

/* ip4 ":" ip4-network [ ip4-cidr-length ], ip6 likewise (§5.6).  REST is
 * the text after the mechanism name. */
static bool take_ip(struct parser *p, struct mc_spf_term *t, const char *rest, size_t n)
{
    bool v6 = t->kind == MC_SPF_TERM_IP6;
    const char *name = v6 ? "ip6" : "ip4";

    if (n == 0 || rest[0] != ':')
        return fail(p, "%s requires \":\" and an %s network (RFC 7208 section 5.6)", name,
                    v6 ? "IPv6" : "IPv4");
    const char *net = rest + 1;
    const char *slash = memchr(net, '/', n - 1);
    size_t netlen = slash ? (size_t)(slash - net) : n - 1;

    if (slash) {
        const char *prefix = slash + 1;
        size_t plen = n - 1 - netlen - 1;
        if (plen > 0 && prefix[0] == '/')
            return fail(p,
                        "%s takes a single prefix length, not a dual one "
                        "(RFC 7208 section 5.6)",
                        name);
        if (!take_prefix(p, prefix, plen, v6 ? 128 : 32, v6 ? &t->cidr6 : &t->cidr4))
            return false;
    }
    if (!v6) {
        if (!dotted_quad(net, netlen, t->addr))
            return fail(p,
                        "\"%.*s\" is not an IPv4 address in dotted-quad form "
                        "(RFC 7208 section 5.6)",
                        (int)netlen, net);
        return true;
    }
    /* RFC 4291 §2.2 text forms, as inet_pton() reads them. */
    char buf[INET6_ADDRSTRLEN];
    if (netlen >= sizeof buf || memchr(net, '%', netlen))
        goto bad6;
    memcpy(buf, net, netlen);
    buf[netlen] = '\0';
    if (inet_pton(AF_INET6, buf, t->addr) == 1)
        return true;
bad6:
    return fail(p, "\"%.*s\" is not an IPv6 address (RFC 7208 section 5.6, RFC 4291 section 2.2)",
                (int)netlen, net);
}

/* a [ ":" domain-spec ] [ dual-cidr-length ], mx likewise (§5.3, §5.4). */
static bool take_dual(struct parser *p, struct mc_spf_term *t, const char *rest, size_t n,
                      const char *name, const char *section)
{
    size_t end = n, j;

    /* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] sits at
     * the end; a valid domain-spec never ends in '/' or "/" DIGITs, since
     * its domain-end is a toplabel, a '.' or a macro-expand. */
    for (j = end; j > 0 && mc_ascii_isdigit((unsigned char)rest[j - 1]); j--)
        ;
    if (j >= 2 && rest[j - 1] == '/' && rest[j - 2] == '/') {
        if (!take_prefix(p, rest + j, end - j, 128, &t->cidr6))
            return false;
        end = j - 2;
    }
    for (j = end; j > 0 && mc_ascii_isdigit((unsigned char)rest[j - 1]); j--)
        ;
    if (j >= 1 && rest[j - 1] == '/') {
        if (!take_prefix(p, rest + j, end - j, 32, &t->cidr4))
            return false;
        end = j - 1;
    }
    if (end == 0)
        return true;
    if (rest[0] != ':')
        return fail(p, "unexpected \"%.*s\" after %s (RFC 7208 section %s)", (int)end, rest, name,
                    section);
    return take_domain_spec(p, t, rest + 1, end - 1, name, section, true);
}

static bool parse_mechanism(struct parser *p, struct mc_spf_term *t, const char *body, size_t n,
                            size_t namelen)
{
    size_t m;

    /* §4.6.1: names are case-insensitive; the whole name must match. */
    for (m = 0; m < sizeof mechanisms / sizeof mechanisms[0]; m++)
        if (word_is(body, namelen, mechanisms[m].name))
            break;
    if (m == sizeof mechanisms / sizeof mechanisms[0])
        return fail(p,
                    "unknown mechanism \"%.*s\" (RFC 7208 section 5: all, include, a, mx, ptr, "
                    "ip4, ip6, exists)",
                    (int)namelen, body);

    const char *name = mechanisms[m].name, *section = mechanisms[m].section;
    const char *rest = body + namelen;
    size_t rlen = n - namelen;

    t->kind = mechanisms[m].kind;
    t->cidr4 = 32;
    t->cidr6 = 128;
    switch (t->kind) {
    case MC_SPF_TERM_ALL:
        if (rlen > 0)
            return fail(p, "all takes no %s (RFC 7208 section 5.1)",
                        rest[0] == '/' ? "prefix length" : "argument");
        return true;
    case MC_SPF_TERM_INCLUDE:
    case MC_SPF_TERM_EXISTS:
        if (rlen == 0 || rest[0] != ':')
            return fail(p, "%s requires \":\" and a domain-spec (RFC 7208 section %s)", name,
                        section);
        return take_domain_spec(p, t, rest + 1, rlen - 1, name, section, false);
    case MC_SPF_TERM_PTR:
        if (rlen == 0)
            return true;
        if (rest[0] != ':')
            return fail(p, "ptr takes no prefix length (RFC 7208 section 5.5)");
        return take_domain_spec(p, t, rest + 1, rlen - 1, name, section, false);
    case MC_SPF_TERM_A:
    case MC_SPF_TERM_MX: return take_dual(p, t, rest, rlen, name, section);
    case MC_SPF_TERM_IP4:
    case MC_SPF_TERM_IP6: return take_ip(p, t, rest, rlen);
    default: return fail(p, "internal error: mechanism table");
    }
}

static bool parse_modifier(struct parser *p, struct mc_spf_term *t, const char *body, size_t n,
                           size_t namelen, bool qualified)
{
    const char *value = body + namelen + 1;
    size_t vlen = n - namelen - 1;
    const char *why;

    if (qualified)
        return fail(p, "a modifier takes no qualifier (RFC 7208 section 4.6.1)");
    if (!modifier_name_ok(body, namelen))
        return fail(p,
                    "%s (RFC 7208 section 12: name = ALPHA *( ALPHA / DIGIT / \"-\" / \"_\" / "
                    "\".\" ))",
                    namelen ? "bad modifier name" : "modifier without a name");
    t->qualifier = MC_SPF_NONE;
    t->name = mc_arena_strndup(p->arena, body, namelen);

    if (word_is(body, namelen, "redirect") || word_is(body, namelen, "exp")) {
        bool redirect = mc_ascii_tolower((unsigned char)body[0]) == 'r';
        const struct mc_spf_term **slot = redirect ? &p->rec->redirect : &p->rec->exp;
        const char *what = redirect ? "redirect" : "exp";
        const char *section = redirect ? "6.1" : "6.2";

        /* §6: each at most once per record, else permerror. */
        if (*slot)
            return fail(p, "%s= appears more than once (RFC 7208 section 6)", what);
        t->kind = redirect ? MC_SPF_TERM_REDIRECT : MC_SPF_TERM_EXP;
        *slot = t;
        return take_domain_spec(p, t, value, vlen, what, section, false);
    }

    /* §6: unknown modifiers are ignored, but must still be well-formed:
     * unknown-modifier = name "=" macro-string (§12). */
    t->kind = MC_SPF_TERM_UNKNOWN;
    if (!mc_spf_macro_check(value, vlen, MC_SPF_MACRO_EXP, &t->macros, &why))
        return fail(p, "%s", why);
    t->domain_spec = mc_arena_strndup(p->arena, value, vlen);
    return true;
}

static bool parse_term(struct parser *p, struct mc_spf_term *t, const char *s, size_t n)
{
    p->term = s;
    p->term_len = n;
    t->text = mc_arena_strndup(p->arena, s, n);

    /* §3.1: records are US-ASCII; §12: terms hold visible characters only. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e)
            return fail(
                p, "octet 0x%02x is not visible US-ASCII (RFC 7208 section 3.1, section 12)", c);
    }

    /* qualifier = "+" / "-" / "?" / "~"; none means "+" (§4.6.2). */
    bool qualified = true;
    switch (s[0]) {
    case '+': t->qualifier = MC_SPF_PASS; break;
    case '-': t->qualifier = MC_SPF_FAIL; break;
    case '~': t->qualifier = MC_SPF_SOFTFAIL; break;
    case '?': t->qualifier = MC_SPF_NEUTRAL; break;
    default:
        t->qualifier = MC_SPF_PASS;
        qualified = false;
        break;
    }
    const char *body = qualified ? s + 1 : s;
    size_t blen = qualified ? n - 1 : n;

    /* §4.6.1: a modifier has '=' right after its name, before any ':' or
     * '/'; everything else is a mechanism, named up to ':' or '/'. */
    size_t namelen = 0;
    while (namelen < blen && !strchr(":/=", body[namelen]))
        namelen++;
    if (namelen < blen && body[namelen] == '=')
        return parse_modifier(p, t, body, blen, namelen, qualified);
    return parse_mechanism(p, t, body, blen, namelen);
}

bool mc_spf_parse(struct mc_spf_record *rec, struct mc_arena *arena, const char *text, size_t len)
{
    struct parser p = {.arena = arena, .rec = rec};
    size_t nterms = 0, i;

    memset(rec, 0, sizeof *rec);
    rec->text = mc_arena_memdup(arena, text, len);
    rec->len = len;
    if (!mc_spf_is_record(text, len)) {
        rec->why = "the record does not begin with \"v=spf1\" and a space or its end "
                   "(RFC 7208 section 4.5)";
        return false;
    }

    /* record = version terms *SP; terms = *( 1*SP ( directive / modifier ) ) */
    for (i = VERSION_LEN; i < len;) {
        while (i < len && text[i] == ' ')
            i++;
        if (i == len)
            break;
        nterms++;
        while (i < len && text[i] != ' ')
            i++;
    }
    struct mc_spf_term *terms = mc_arena_alloc(arena, nterms * sizeof *terms);

    size_t k = 0;
    for (i = VERSION_LEN; k < nterms; k++) {
        while (text[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && text[i] != ' ')
            i++;
        if (!parse_term(&p, &terms[k], text + start, i - start)) {
            rec->redirect = rec->exp = NULL;
            return false;
        }
    }
    rec->terms = terms;
    rec->nterms = nterms;
    return true;
}
