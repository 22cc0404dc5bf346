/* SPDX-License-Identifier: MIT */
/*
 * spf_macro.c - the SPF macro language (RFC 7208 §7): checks macro-strings
 * and domain-specs against the grammar of §7.1 and expands them with the
 * letters and transformers of §7.2 and the processing rules of §7.3
 * (URL-escaping of upper-case letters, IPv6 nibbles for %{i}, truncation of
 * long domain names from the left).
 *
 * One tokenizer serves both the check and the expansion, so that what the
 * record parser accepts is exactly what the evaluator can expand.  Pure:
 * %{p} comes in from the evaluator, which does the PTR lookups (§5.5).
 *
 * Ownership: expansions are allocated from the caller's arena; scratch
 * buffers are malloc'd and freed here; every `why` is a static string.
 */
#include "mc_spf.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mc_cursor.h"
#include "mc_util.h"

/* The delimiters of §7.1; bit N of a delimiter mask stands for the Nth. */
static const char delimiters[] = ".-+,/_=";

enum token_kind {
    TOKEN_LITERAL, /* a run of macro-literal octets (and SP in exp text) */
    TOKEN_ESCAPE,  /* "%%", "%_" or "%-" */
    TOKEN_MACRO,   /* "%{" letter transformers *delimiter "}" */
};

struct token {
    enum token_kind kind;
    const char *text; /* LITERAL: the run; ESCAPE: what it stands for */
    size_t len;
    char letter;     /* MACRO: the letter, lowercase */
    bool upper;      /* MACRO: written upper-case, so URL-escaped (§7.3) */
    bool reverse;    /* MACRO: the "r" transformer */
    size_t digits;   /* MACRO: right-hand parts to keep; 0: all */
    unsigned delims; /* MACRO: delimiter mask; 0: "." */
};

/* Above this, a digit transformer keeps every part of any value we see. */
#define DIGITS_SATURATE 100000000u

static bool is_literal(int c, enum mc_spf_macro_mode mode)
{
    /* macro-literal = %x21-24 / %x26-7E; explain-string adds SP (§7.1). */
    if (c == ' ')
        return mode == MC_SPF_MACRO_EXP;
    return c >= 0x21 && c <= 0x7e && c != '%';
}

static int delimiter_bit(int c)
{
    const char *d = c ? strchr(delimiters, c) : NULL;
    return d ? (int)(d - delimiters) : -1;
}

static bool is_delimiter(int c, unsigned mask)
{
    int bit = delimiter_bit(c);
    return bit >= 0 && (mask & (1u << bit));
}

static bool keep_literal(int c, const void *mode)
{
    return is_literal(c, *(const enum mc_spf_macro_mode *)mode);
}

/* Reads the token at C (not at its end) and advances past it.  Returns
 * false with *WHY on a syntax error. */
static bool next_token(struct mc_cursor *c, enum mc_spf_macro_mode mode, struct token *t,
                       const char **why)
{
    memset(t, 0, sizeof *t);
    if (!mc_cursor_expect(c, '%')) {
        t->kind = TOKEN_LITERAL;
        t->len = mc_cursor_take_while(c, keep_literal, &mode, &t->text);
        if (t->len == 0) {
            *why = mode == MC_SPF_MACRO_EXP
                       ? "a character outside printable US-ASCII (RFC 7208 section 7.1)"
                       : "a space or a character outside printable US-ASCII "
                         "(RFC 7208 section 7.1: macro-literal = %x21-24 / %x26-7E)";
            return false;
        }
        return true;
    }

    /* §7.2: a '%' not followed by '{', '%', '-' or '_' is a syntax error. */
    int after = mc_cursor_next(c);
    if (after < 0) {
        *why = "'%' at the end; a literal '%' is written \"%%\" (RFC 7208 section 7.2)";
        return false;
    }
    t->kind = TOKEN_ESCAPE;
    switch (after) {
    case '%': t->text = "%"; break;
    case '_': t->text = " "; break;
    case '-':
        t->text = "%20"; /* a URL-encoded space (§7.1) */
        break;
    case '{': t->kind = TOKEN_MACRO; break;
    default: *why = "'%' not followed by '{', '%', '_' or '-' (RFC 7208 section 7.2)"; return false;
    }
    if (t->kind == TOKEN_ESCAPE) {
        t->len = strlen(t->text);
        return true;
    }

    int letter = mc_cursor_peek(c);
    int lower = mc_ascii_tolower(letter);
    /* ABNF literals are case-insensitive (RFC 5234 §2.3): "%{D}" is d. */
    if (!mc_ascii_isalpha(letter) || !strchr("slodiphvcrt", lower)) {
        *why = "unknown macro letter; the letters are s l o d i p h v, and c r t "
               "in exp text (RFC 7208 section 7.2)";
        return false;
    }
    if (mode == MC_SPF_MACRO_DOMAIN && strchr("crt", lower)) {
        *why = "macro letters c, r and t are allowed only in exp text (RFC 7208 section 7.2)";
        return false;
    }
    t->letter = (char)lower;
    t->upper = letter != lower;
    mc_cursor_skip(c, 1);

    const char *digits;
    size_t ndigits = mc_cursor_take_while(c, mc_cursor_digit, NULL, &digits);
    for (size_t i = 0; i < ndigits; i++)
        if (t->digits < DIGITS_SATURATE)
            t->digits = t->digits * 10 + (size_t)(digits[i] - '0');
    if (ndigits > 0 && t->digits == 0) {
        *why = "the digit transformer must be nonzero (RFC 7208 section 7.2)";
        return false;
    }
    if (mc_cursor_expect(c, 'r') || mc_cursor_expect(c, 'R'))
        t->reverse = true;
    for (int d; (d = mc_cursor_peek(c)) >= 0 && d != '}'; mc_cursor_skip(c, 1)) {
        int bit = delimiter_bit(d);
        if (bit < 0) {
            *why = "bad character in a macro: after the letter come digits, 'r', "
                   "delimiters . - + , / _ = and '}' (RFC 7208 section 7.1)";
            return false;
        }
        t->delims |= 1u << bit;
    }
    if (!mc_cursor_expect(c, '}')) {
        *why = "macro without its closing '}' (RFC 7208 section 7.1)";
        return false;
    }
    return true;
}

/* toplabel (§7.1): letters, digits and inner hyphens, not all digits. */
static bool toplabel_ok(const char *s, size_t n, const char **why)
{
    bool all_digits = true;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!mc_ascii_isalnum(c) && c != '-')
            goto bad;
        if (!mc_ascii_isdigit(c))
            all_digits = false;
    }
    if (n == 0 || s[0] == '-' || s[n - 1] == '-')
        goto bad;
    if (all_digits) {
        *why = "the top label is all digits: an IP address is not a domain-spec, "
               "ip4 and ip6 take addresses (RFC 7208 section 7.1)";
        return false;
    }
    return true;
bad:
    *why = "the top label must be letters, digits and inner hyphens (RFC 7208 section 7.1)";
    return false;
}

/* domain-end = ( "." toplabel [ "." ] ) / macro-expand (§7.1), where LAST is
 * the final token of the NTOKENS of a domain-spec. */
static bool domain_end_ok(const struct token *last, size_t ntokens, const char **why)
{
    if (ntokens == 0) {
        *why = "empty domain-spec (RFC 7208 section 7.1)";
        return false;
    }
    if (last->kind != TOKEN_LITERAL)
        return true;

    size_t n = last->len;
    if (last->text[n - 1] == '.')
        n--;
    size_t dot = n;
    while (dot > 0 && last->text[dot - 1] != '.')
        dot--;
    if (dot == 0) {
        *why = "a domain-spec must end in a macro or in \".\" and a top label "
               "(RFC 7208 section 7.1)";
        return false;
    }
    return toplabel_ok(last->text + dot, n - dot, why);
}

bool mc_spf_macro_check(const char *s, size_t len, enum mc_spf_macro_mode mode, unsigned *letters,
                        const char **why)
{
    struct token t = {0};
    struct mc_cursor c = mc_cursor_make(s, len);
    size_t ntokens = 0;
    unsigned mask = 0;

    while (!mc_cursor_at_end(&c)) {
        if (!next_token(&c, mode, &t, why))
            return false;
        ntokens++;
        if (t.kind == TOKEN_MACRO)
            mask |= MC_SPF_MACRO_BIT(t.letter);
    }
    if (mode == MC_SPF_MACRO_DOMAIN && !domain_end_ok(&t, ntokens, why))
        return false;
    if (letters)
        *letters = mask;
    return true;
}

/*
 * Where an expansion goes.  Octets at logical offsets below FROM are only
 * counted; with BUF NULL nothing is stored, which measures the expansion.
 */
struct sink {
    char *buf;
    size_t cap;  /* octets BUF holds */
    size_t from; /* logical offset of buf[0] */
    size_t pos;  /* logical length so far */
    char last;   /* the last octet put */
    bool overflow;
};

static void sink_put(struct sink *k, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++, k->pos++) {
        if (!k->buf || k->pos < k->from)
            continue;
        if (k->pos - k->from >= k->cap)
            k->overflow = true;
        else
            k->buf[k->pos - k->from] = p[i];
    }
    if (n)
        k->last = p[n - 1];
}

static void put_part(struct sink *k, const char *p, size_t n, bool url_escape)
{
    static const char hex[] = "0123456789ABCDEF";

    if (!url_escape) {
        sink_put(k, p, n);
        return;
    }
    /* §7.3: escape every octet outside RFC 3986's "unreserved" set. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (mc_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            sink_put(k, p + i, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sink_put(k, e, sizeof e);
        }
    }
}

struct span {
    size_t off, len;
};

/* §7.2: split V at the delimiters (default "."), reverse with "r", keep the
 * right-most DIGITS parts, and join them with "." whatever split them. */
static void put_transformed(struct sink *k, const char *v, size_t n, const struct token *t)
{
    unsigned mask = t->delims ? t->delims : 1u;
    size_t nparts = 1;

    for (size_t i = 0; i < n; i++)
        if (is_delimiter((unsigned char)v[i], mask))
            nparts++;
    struct span *parts = mc_xcalloc(nparts, sizeof *parts);
    for (size_t i = 0, start = 0, p = 0; i <= n; i++) {
        if (i == n || is_delimiter((unsigned char)v[i], mask)) {
            parts[p].off = start;
            parts[p].len = i - start;
            p++;
            start = i + 1;
        }
    }
    if (t->reverse) {
        for (size_t a = 0, b = nparts - 1; a < b; a++, b--) {
            struct span tmp = parts[a];
            parts[a] = parts[b];
            parts[b] = tmp;
        }
    }
    size_t first = t->digits && t->digits < nparts ? nparts - t->digits : 0;
    for (size_t i = first; i < nparts; i++) {
        if (i > first)
            sink_put(k, ".", 1);
        put_part(k, v + parts[i].off, parts[i].len, t->upper);
    }
    free(parts);
}

static const char *or_unknown(const char *s)
{
    return s ? s : "unknown";
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/*
 * %{i}: a dotted quad, or for IPv6 the 32 nibbles dot-separated (§7.3).
 * §7.3 does not say in which case: the nibbles are lower case, as in the
 * example of §7.4 and in RFC 5952's text form, unless <ip> was written in
 * upper case (CTX->upper_nibbles), when they keep that case, as the
 * openspf suite's v-macro-ip6 expects of "CAFE:BABE::1".  Lookups do not
 * care (RFC 4343); only exp text shows it.  BUF holds at least 64 octets.
 */
static void format_i(const struct mc_spf_macro_ctx *ctx, char *buf, size_t size)
{
    const char *hex = ctx->upper_nibbles ? "0123456789ABCDEF" : "0123456789abcdef";
    const unsigned char *a = ctx->addr;

    if (ctx->family != AF_INET6) {
        snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return;
    }
    char *p = buf;
    for (size_t i = 0; i < 16; i++) {
        *p++ = hex[a[i] >> 4];
        *p++ = '.';
        *p++ = hex[a[i] & 15];
        *p++ = '.';
    }
    p[-1] = '\0';
}

static void put_macro(struct sink *k, const struct mc_spf_macro_ctx *ctx, const struct token *t)
{
    char buf[80]; /* %{i} of IPv6 is 63 octets, %{c} 45, %{t} 20 */
    char *owned = NULL;
    const char *v = buf;

    switch (t->letter) {
    case 's':
        v = owned = mc_xasprintf("%s@%s", or_empty(ctx->local_part), or_empty(ctx->sender_domain));
        break;
    case 'l': v = or_empty(ctx->local_part); break;
    case 'o': v = or_empty(ctx->sender_domain); break;
    case 'd': v = or_empty(ctx->domain); break;
    case 'i': format_i(ctx, buf, sizeof buf); break;
    case 'p': v = or_unknown(ctx->ptr_name); break;
    case 'v': v = ctx->family == AF_INET6 ? "ip6" : "in-addr"; break;
    case 'h': v = or_unknown(ctx->helo); break;
    case 'c':
        /* §7.3: any RFC 4291 §2.2 text form, meant for humans: RFC 5952's,
         * however <ip> was written (v-macro-ip6 expects "cafe:babe::1"). */
        if (ctx->family == AF_INET6)
            inet_ntop(AF_INET6, ctx->addr, buf, sizeof buf);
        else
            format_i(ctx, buf, sizeof buf);
        break;
    case 'r': v = or_unknown(ctx->receiver); break;
    case 't': snprintf(buf, sizeof buf, "%" PRId64, ctx->timestamp); break;
    default:
        v = ""; /* next_token() lets no other letter through */
        break;
    }
    put_transformed(k, v, strlen(v), t);
    free(owned);
}

/* Expands S, already checked for MODE, into K. */
static void expand_into(struct sink *k, const struct mc_spf_macro_ctx *ctx, const char *s,
                        size_t len, enum mc_spf_macro_mode mode)
{
    struct token t;
    const char *why;
    struct mc_cursor c = mc_cursor_make(s, len);

    while (!mc_cursor_at_end(&c) && next_token(&c, mode, &t, &why)) {
        if (t.kind == TOKEN_MACRO)
            put_macro(k, ctx, &t);
        else
            sink_put(k, t.text, t.len);
    }
}

static bool expand_exp(const char **out, struct mc_arena *arena, const struct mc_spf_macro_ctx *ctx,
                       const char *s, size_t len, const char **why)
{
    struct sink k = {.buf = mc_xmalloc(MC_SPF_EXP_MAX), .cap = MC_SPF_EXP_MAX};

    expand_into(&k, ctx, s, len, MC_SPF_MACRO_EXP);
    if (!k.overflow)
        *out = mc_arena_strndup(arena, k.buf, k.pos);
    else
        *why = "the explanation is longer than 4096 octets after macro expansion";
    free(k.buf);
    return !k.overflow;
}

/*
 * §7.3: a domain name over 253 octets loses labels from the left until it
 * fits.  What remains is a suffix of the expansion, so a first pass measures
 * it and a second keeps only its last MC_SPF_NAME_MAX + 1 octets: enough to
 * see the label boundary where the truncation stops, and the hard cap on
 * what an expansion can cost in memory.
 */
static bool expand_domain(const char **out, struct mc_arena *arena,
                          const struct mc_spf_macro_ctx *ctx, const char *s, size_t len,
                          const char **why)
{
    struct sink measure = {.from = SIZE_MAX};
    char buf[MC_SPF_NAME_MAX + 1];

    expand_into(&measure, ctx, s, len, MC_SPF_MACRO_DOMAIN);
    size_t total = measure.pos;
    if (total > 0 && measure.last == '.')
        total--; /* the name without its trailing dot is what must fit */
    bool too_long = total > MC_SPF_NAME_MAX;
    size_t from = too_long ? total - MC_SPF_NAME_MAX - 1 : 0;

    struct sink keep = {.buf = buf, .cap = total - from, .from = from};
    expand_into(&keep, ctx, s, len, MC_SPF_MACRO_DOMAIN);

    const char *name = buf;
    size_t n = total - from;
    if (too_long) {
        /* The first dot of the window starts the longest suffix that fits. */
        const char *dot = memchr(buf, '.', n);
        if (!dot) {
            *why = "the expanded domain name is over 253 octets and its last label "
                   "alone is too long to truncate to (RFC 7208 section 7.3)";
            return false;
        }
        name = dot + 1;
        n -= (size_t)(name - buf);
    }
    *out = mc_arena_strndup(arena, name, n);
    return true;
}

bool mc_spf_macro_expand(const char **out, struct mc_arena *arena,
                         const struct mc_spf_macro_ctx *ctx, const char *s, size_t len,
                         enum mc_spf_macro_mode mode, const char **why)
{
    *out = NULL;
    if (!mc_spf_macro_check(s, len, mode, NULL, why))
        return false;
    if (mode == MC_SPF_MACRO_EXP)
        return expand_exp(out, arena, ctx, s, len, why);
    return expand_domain(out, arena, ctx, s, len, why);
}
