/* SPDX-License-Identifier: MIT */
/*
 * cursor.c - the bounded cursor's reads that are more than one comparison
 * (see mc_cursor.h; the one-octet reads are inline there).  Every function
 * here keeps the cursor's promise: the offset never passes the length, and
 * a read that wants more than is left takes nothing and sets `bad`.
 */
#include "mc_cursor.h"

#include <string.h>

bool mc_cursor_skip(struct mc_cursor *c, size_t n)
{
    if (n > c->len - c->off) {
        c->off = c->len;
        c->bad = true;
        return false;
    }
    c->off += n;
    return true;
}

bool mc_cursor_expect(struct mc_cursor *c, int octet)
{
    if (c->off >= c->len || c->p[c->off] != octet)
        return false;
    c->off++;
    return true;
}

size_t mc_cursor_take_while(struct mc_cursor *c, bool (*keep)(int octet, const void *arg),
                            const void *arg, const char **run)
{
    size_t start = c->off;
    while (c->off < c->len && keep(c->p[c->off], arg))
        c->off++;
    if (run)
        *run = (const char *)c->p + start;
    return c->off - start;
}

size_t mc_cursor_skip_until(struct mc_cursor *c, int octet)
{
    size_t start = c->off;
    const unsigned char *hit = octet >= 0 && octet <= 0xff && c->off < c->len
                                   ? memchr(c->p + c->off, octet, c->len - c->off)
                                   : NULL;
    c->off = hit ? (size_t)(hit - c->p) : c->len;
    return c->off - start;
}

unsigned mc_cursor_get16(struct mc_cursor *c)
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
