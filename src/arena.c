/* SPDX-License-Identifier: MIT */
/*
 * arena.c - region allocator (see mc_arena.h).  Blocks are chained; a
 * request larger than a block gets a block of its own.  Ownership: the arena
 * owns every block; mc_arena_free() releases them all.
 *
 * Blocks start small and double up to BLOCK_MAX: a batch holds hundreds of
 * checks and tens of thousands of cached results at once, most of which
 * need a few hundred bytes, while a large SPF tree still gets big blocks.
 */
#include "mc_arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_util.h"

#define BLOCK_FIRST 1024
#define BLOCK_MAX 16384

struct block {
    struct block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

struct mc_arena {
    struct block *head;
    size_t block_size;
};

struct mc_arena *mc_arena_new_sized(size_t block_size)
{
    struct mc_arena *arena = mc_xcalloc(1, sizeof(struct mc_arena));
    arena->block_size = block_size ? block_size : BLOCK_FIRST;
    return arena;
}

struct mc_arena *mc_arena_new(void)
{
    return mc_arena_new_sized(BLOCK_FIRST);
}

void mc_arena_free(struct mc_arena *arena)
{
    if (!arena)
        return;
    for (struct block *b = arena->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(arena);
}

void mc_arena_reset(struct mc_arena *arena)
{
    struct block *keep = arena->head;
    if (keep && keep->size > BLOCK_MAX) /* a request's own block: not for reuse */
        keep = NULL;
    for (struct block *b = arena->head, *next; b; b = next) {
        next = b->next;
        if (b != keep)
            free(b);
    }
    arena->head = keep;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
}

void *mc_arena_alloc(struct mc_arena *arena, size_t size)
{
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    struct block *b = arena->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > arena->block_size ? size : arena->block_size;
        b = mc_xmalloc(sizeof *b + cap);
        b->used = 0;
        b->size = cap;
        if (size > arena->block_size && arena->head) {
            /* Keep the partly used head block current for small requests. */
            b->next = arena->head->next;
            arena->head->next = b;
        } else {
            b->next = arena->head;
            arena->head = b;
            if (arena->block_size < BLOCK_MAX)
                arena->block_size *= 2;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *mc_arena_memdup(struct mc_arena *arena, const void *p, size_t n)
{
    char *s = mc_arena_alloc(arena, n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *mc_arena_strndup(struct mc_arena *arena, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    return mc_arena_memdup(arena, s, len);
}

char *mc_arena_strdup(struct mc_arena *arena, const char *s)
{
    return s ? mc_arena_memdup(arena, s, strlen(s)) : NULL;
}

char *mc_arena_concat(struct mc_arena *arena, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = mc_arena_alloc(arena, na + nb + 1);
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
    return s;
}

static void *arena_alloc(void *arena, size_t size)
{
    return mc_arena_alloc(arena, size);
}

char *mc_arena_vprintf(struct mc_arena *arena, const char *fmt, va_list ap)
{
    /* Most strings fit in what the head block has left: formatted there
     * at once, they cost one vsnprintf() instead of one to measure and one
     * to write (a batch formats hundreds of thousands of messages). */
    struct block *b = arena->head;
    if (b && b->used < b->size) {
        size_t room = b->size - b->used;
        char *s = (char *)b->data + b->used;
        va_list copy;
        va_copy(copy, ap);
        int n = vsnprintf(s, room, fmt, copy);
        va_end(copy);
        if (n >= 0 && (size_t)n < room) {
            const size_t align = alignof(max_align_t);
            size_t size = ((size_t)n + 1 + align - 1) & ~(align - 1);
            b->used += size < room ? size : room;
            return s;
        }
    }
    return mc_vformat(arena_alloc, arena, fmt, ap);
}

char *mc_arena_printf(struct mc_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = mc_arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return s;
}
