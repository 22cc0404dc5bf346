/* SPDX-License-Identifier: MIT */
/*
 * array.c - growth of arrays (mc_array.h): doubling from 8 elements, the
 * size computed without overflow.
 */
#include "mc_array.h"

#include <stdint.h>

#include "mc_util.h"

#define MIN_ELEMENTS 8

void *mc_array_reserve(void *array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return array;
    size_t n = *cap ? *cap : MIN_ELEMENTS;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            mc_oom(); /* no such array fits in memory anyway */
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem)
        mc_oom();
    array = mc_xrealloc(array, n * elem);
    *cap = n;
    return array;
}
