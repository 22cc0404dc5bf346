/* SPDX-License-Identifier: MIT */
/*
 * array.c - growth of arrays (mc_array.h): doubling from 8 elements, the
 * size computed without overflow.
 */
#include "mc_array.h"

#include <stdint.h>
#include <string.h>

#include "mc_arena.h"

#include "mc_util.h"

#define MIN_ELEMENTS 8

/* The capacity for NEED elements of ELEM octets: doubling from CAP (or
 * MIN_ELEMENTS), the size checked. */
static size_t grown(size_t cap, size_t need, size_t elem)
{
    size_t n = cap ? cap : MIN_ELEMENTS;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            mc_oom(); /* no such array fits in memory anyway */
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem)
        mc_oom();
    return n;
}

void *mc_array_reserve(void *array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return array;
    size_t n = grown(*cap, need, elem);
    array = mc_xrealloc(array, n * elem);
    *cap = n;
    return array;
}

void *mc_array_reserve_in(struct mc_arena *arena, void *array, size_t *cap, size_t need,
                          size_t elem)
{
    if (need <= *cap)
        return array;
    size_t n = grown(*cap, need, elem);
    void *bigger = mc_arena_alloc(arena, n * elem);
    if (*cap)
        memcpy(bigger, array, *cap * elem);
    *cap = n;
    return bigger;
}
