/* SPDX-License-Identifier: MIT */
/*
 * mc_array.h - the one way an array grows (c-ares' ares_array, curl's
 * dynbuf): capacity doubles, from a minimum, with the multiplication
 * checked, and allocation failure fatal in mc_oom() as everywhere.  Byte
 * buffers are arrays of char and grow the same way; callers that bound
 * their size (a zone entry, a file, a main.cf value) check the bound before
 * they ask for room.
 *
 * Use: MC_ARRAY_RESERVE(array, cap, need) makes room for NEED elements of
 * ARRAY, which has CAP allocated (both updated).  ARRAY may be NULL with
 * CAP 0.  Ownership stays with the caller, who frees ARRAY.
 */
#ifndef MC_ARRAY_H
#define MC_ARRAY_H

#include <stddef.h>

/* Returns ARRAY (CAP elements of ELEM octets) grown to hold at least NEED
 * elements, with *CAP updated; ARRAY itself when it already does. */
void *mc_array_reserve(void *array, size_t *cap, size_t need, size_t elem);

#define MC_ARRAY_RESERVE(array, cap, need)                                                         \
    ((array) = mc_array_reserve((array), &(cap), (need), sizeof *(array)))

/* The same for an array that lives in an arena (a report's): the grown
 * copy is allocated from ARENA, the old one stays there until the arena is
 * freed; nothing to free by hand. */
struct mc_arena;
void *mc_array_reserve_in(struct mc_arena *arena, void *array, size_t *cap, size_t need,
                          size_t elem);

#define MC_ARENA_ARRAY_RESERVE(arena, array, cap, need)                                            \
    ((array) = mc_array_reserve_in((arena), (array), &(cap), (need), sizeof *(array)))

#endif
