/* SPDX-License-Identifier: MIT */
/*
 * mc_cursor.h - the one bounded cursor every parser reads through, text or
 * wire (c-ares' ares_buf, OpenSMTPD's unpack_dns.c): a pointer and a
 * length, an offset that never passes the length, and a sticky error.
 *
 * A read that would pass the end takes nothing, leaves the offset at the
 * end, sets `bad` and returns 0 (or -1 for a single octet, false for an
 * expectation), so a parser can read a whole structure and check
 * mc_cursor_ok() once at the end.  Peeking past the end is not an error:
 * it answers -1 and changes nothing.  Octets are handed out as unsigned
 * char values (0-255), never sign-extended.
 *
 * Ownership: a cursor borrows its bytes; it allocates nothing and frees
 * nothing.  The bytes must outlive the cursor and whatever it handed out
 * (mc_cursor_here(), the RUN of mc_cursor_take_while()).
 *
 * Use:
 *     struct mc_cursor c = mc_cursor_make(wire, len);
 *     unsigned qd = mc_cursor_get16(&c);
 *     mc_cursor_skip(&c, 4);
 *     if (!mc_cursor_ok(&c)) ...
 */
#ifndef MC_CURSOR_H
#define MC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

struct mc_cursor {
    const unsigned char *p; /* borrowed */
    size_t len;             /* octets at P */
    size_t off;             /* next octet to read; always <= LEN */
    bool bad;               /* a read wanted more than was left */
};

/* A cursor over LEN octets at P (P may be NULL when LEN is 0). */
static inline struct mc_cursor mc_cursor_make(const void *p, size_t len)
{
    return (struct mc_cursor){.p = p, .len = p ? len : 0};
}

/* Octets left to read. */
static inline size_t mc_cursor_remaining(const struct mc_cursor *c)
{
    return c->len - c->off;
}

static inline bool mc_cursor_at_end(const struct mc_cursor *c)
{
    return c->off >= c->len;
}

/* False once any read has wanted more than was left. */
static inline bool mc_cursor_ok(const struct mc_cursor *c)
{
    return !c->bad;
}

/* The octet K places ahead of the offset, or -1 when that is past the end
 * (not an error). */
static inline int mc_cursor_peek_at(const struct mc_cursor *c, size_t k)
{
    return k < c->len - c->off ? c->p[c->off + k] : -1;
}

/* The next octet, or -1 at the end (not an error). */
static inline int mc_cursor_peek(const struct mc_cursor *c)
{
    return mc_cursor_peek_at(c, 0);
}

/* Takes the next octet; -1 (and `bad`) at the end. */
static inline int mc_cursor_next(struct mc_cursor *c)
{
    if (c->off >= c->len) {
        c->bad = true;
        return -1;
    }
    return c->p[c->off++];
}

/* Where the offset points, as text (borrowed; mc_cursor_remaining() octets
 * are valid there, with no terminating NUL promised). */
static inline const char *mc_cursor_here(const struct mc_cursor *c)
{
    return (const char *)c->p + c->off;
}

/* Advances N octets.  Returns false, with the offset at the end and `bad`
 * set, when fewer than N are left. */
static inline bool mc_cursor_skip(struct mc_cursor *c, size_t n)
{
    if (n > c->len - c->off) {
        c->off = c->len;
        c->bad = true;
        return false;
    }
    c->off += n;
    return true;
}

/* Takes the next octet when it is OCTET (0-255).  Returns whether it was;
 * a mismatch or the end is not an error (the caller decides). */
static inline bool mc_cursor_expect(struct mc_cursor *c, int octet)
{
    if (c->off >= c->len || c->p[c->off] != octet)
        return false;
    c->off++;
    return true;
}

/* Advances over the longest run of octets KEEP(octet, ARG) accepts (none
 * past the end).  Returns the run's length; *RUN, when RUN is not NULL, is
 * its start (borrowed).  Never an error: the run may be empty. */
size_t mc_cursor_take_while(struct mc_cursor *c, bool (*keep)(int octet, const void *arg),
                            const void *arg, const char **run);

/* A KEEP for mc_cursor_take_while(): the ASCII digits 0-9 (ARG unused). */
bool mc_cursor_digit(int octet, const void *arg);

/* Advances up to the next OCTET (not taking it) or to the end.  Returns
 * the octets skipped. */
size_t mc_cursor_skip_until(struct mc_cursor *c, int octet);

/* Takes the next line of a text: *LINE is its start (borrowed), *N its
 * length without the '\n', which is taken too.  Returns false at the end;
 * a text that ends in '\n' has no empty line after it.  For line-based
 * configuration files (opendkim's data sets, Postfix's main.cf). */
bool mc_cursor_take_line(struct mc_cursor *c, const char **line, size_t *n);

/* Takes a 16-bit number in network order (RFC 1035 §2.3.2); 0 and `bad`
 * when fewer than 2 octets are left. */
static inline unsigned mc_cursor_get16(struct mc_cursor *c)
{
    if (c->len - c->off < 2) {
        c->off = c->len;
        c->bad = true;
        return 0;
    }
    unsigned v = (unsigned)c->p[c->off] << 8 | c->p[c->off + 1];
    c->off += 2;
    return v;
}

#endif
