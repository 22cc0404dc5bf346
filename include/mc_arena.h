/* SPDX-License-Identifier: MIT */
/*
 * mc_arena.h - a region allocator: many small allocations, one free.
 *
 * One arena per host check holds the whole report tree; one per DNS result
 * holds its records.  Nothing allocated from an arena is freed on its own:
 * mc_arena_free() releases everything at once.  Allocation never fails (see
 * mc_oom()).
 */
#ifndef MC_ARENA_H
#define MC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct mc_arena;

/* Returns a new, empty arena. Caller frees with mc_arena_free(). */
struct mc_arena *mc_arena_new(void);
/* The same with a first block of BLOCK_SIZE bytes (later ones double, up
 * to 16 KiB): small arenas for the many small objects a cache holds. */
struct mc_arena *mc_arena_new_sized(size_t block_size);
/* Frees ARENA and everything allocated from it. NULL is allowed. */
void mc_arena_free(struct mc_arena *arena);
/* Frees everything allocated from ARENA, which stays usable and keeps one
 * block for what comes next: for an arena that serves one short-lived
 * object after another. */
void mc_arena_reset(struct mc_arena *arena);

/* Returns SIZE zeroed bytes aligned for any type, owned by ARENA. */
void *mc_arena_alloc(struct mc_arena *arena, size_t size);
/* Copies of strings, owned by ARENA. mc_arena_strdup(NULL) returns NULL. */
char *mc_arena_strdup(struct mc_arena *arena, const char *s);
char *mc_arena_strndup(struct mc_arena *arena, const char *s, size_t n);
/* Copies N bytes and appends a NUL, for byte strings that may hold NULs. */
char *mc_arena_memdup(struct mc_arena *arena, const void *p, size_t n);
/* A followed by B, from ARENA: what mc_arena_printf(arena, "%s%s", a, b)
 * makes, without the format (names such as "_dmarc." DOMAIN, made for every
 * line of a batch). */
char *mc_arena_concat(struct mc_arena *arena, const char *a, const char *b);
char *mc_arena_printf(struct mc_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *mc_arena_vprintf(struct mc_arena *arena, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
