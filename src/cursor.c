/* SPDX-License-Identifier: MIT */
/*
 * cursor.c - the bounded cursor's reads that run over many octets (see
 * mc_cursor.h; the fixed-size reads are inline there: the wire parser
 * makes several for every record of every reply).  Every function here
 * keeps the cursor's promise: the offset never passes the length, and a
 * read that wants more than is left takes nothing and sets `bad`.
 */
#include "mc_cursor.h"

#include <string.h>

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

bool mc_cursor_take_line(struct mc_cursor *c, const char **line, size_t *n)
{
    if (mc_cursor_at_end(c))
        return false;
    *line = mc_cursor_here(c);
    *n = mc_cursor_skip_until(c, '\n');
    mc_cursor_expect(c, '\n');
    return true;
}

bool mc_cursor_digit(int octet, const void *arg)
{
    (void)arg;
    return octet >= '0' && octet <= '9';
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
