/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the libFuzzer entry point every target defines.  Built with
 * -DMAILCHECK_FUZZ=ON (clang) the targets are libFuzzer binaries; in every
 * build, replay_main.c turns each into a plain program that runs its
 * corpus, which CTest runs as a regression test (label fuzz).
 */
#ifndef MC_FUZZ_H
#define MC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
