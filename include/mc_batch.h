/* SPDX-License-Identifier: MIT */
/*
 * mc_batch.h - many jobs on one resolver: a bounded window of input lines,
 * at most `concurrency` jobs in flight, output in input order (or in
 * completion order), memory bounded however long the input is.
 *
 * The driver knows nothing of what a job is: the caller's start function
 * begins the work for one line and, from the resolver loop, hands back the
 * rendered output with mc_batch_finish().  Lines are pulled from the
 * caller's reader as room frees up (streaming).
 *
 * Cache: every job starts a resolver epoch; after completions the driver
 * trims the resolver's cache down to its bound, keeping whatever a running
 * job may still hold (mc_resolver_trim()).
 *
 * Backpressure: no job starts while the resolver is busy (queries waiting
 * for --qps or --max-inflight, mc_resolver_busy()), since a job's deadline
 * runs from its start; at least one job always runs.
 */
#ifndef MC_BATCH_H
#define MC_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_report.h"
#include "mc_resolver.h"

struct mc_batch;

/* Reads the next line into a malloc'd string without its newline (caller
 * of the reader frees); returns NULL at the end of input. */
typedef char *(*mc_batch_read_fn)(void *arg);

/* Starts the job of LINE_NO (1-based) with TEXT (borrowed until
 * mc_batch_finish()); returns false when the line holds no job (blank,
 * comment), which then produces no output. */
typedef bool (*mc_batch_start_fn)(void *arg, struct mc_batch *batch, size_t slot, size_t line_no,
                                  const char *text);

/* Receives each job's output, in order (or completion order). */
typedef void (*mc_batch_emit_fn)(void *arg, size_t line_no, const char *output);

/* Progress: lines read, jobs done, jobs in flight. */
typedef void (*mc_batch_progress_fn)(void *arg, size_t read, size_t done, size_t inflight);

struct mc_batch_config {
    struct mc_resolver *res;
    size_t concurrency; /* jobs in flight, at least 1 */
    bool unordered;     /* emit in completion order */
    mc_batch_read_fn read;
    mc_batch_start_fn start;
    mc_batch_emit_fn emit;
    mc_batch_progress_fn progress; /* may be NULL */
    void *arg;                     /* passed to every callback */
};

/* Runs the whole input. Returns the worst job state (Icinga order), or
 * MC_STATE_OK for an input without jobs. */
enum mc_state mc_batch_run(const struct mc_batch_config *config);

/* Ends job SLOT with OUTPUT (taken: malloc'd, freed by the driver) and its
 * STATE. Call exactly once per started job, from the resolver loop or from
 * the start function itself. */
void mc_batch_finish(struct mc_batch *batch, size_t slot, char *output, enum mc_state state);

/* The epoch the job in SLOT started in (for its resolver lookups). */
uint64_t mc_batch_epoch(const struct mc_batch *batch, size_t slot);

#endif
