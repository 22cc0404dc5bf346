/* SPDX-License-Identifier: MIT */
/*
 * mc_run.h - runs another program and reads what it prints, within
 * bounds: the programs mailcheck asks about a configuration (postconf(1),
 * rspamadm(1)) run on input it does not trust, so each run has a wall-clock
 * limit, a CPU and memory limit (setrlimit), and caps on what is read of
 * its standard output and standard error.  Past any bound the program is
 * killed.  No shell: ARGV[0] is the program's path.
 */
#ifndef MC_RUN_H
#define MC_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_util.h"

struct mc_run_limits {
    int64_t wall_ms; /* also the CPU limit, rounded down to seconds (at least 1) */
    long data_bytes; /* RLIMIT_DATA of the child */
    size_t out_cap;  /* octets read of standard output */
    size_t err_cap;  /* octets read of standard error */
    /* Standard error past err_cap is read and dropped instead of killing
     * the program (its first complaints are the ones kept). */
    bool err_drain;
};

/* Why a run did not end by itself within its bounds. */
enum mc_run_cut {
    MC_RUN_ENDED = 0,  /* it ended; see status */
    MC_RUN_TIMEOUT,    /* still running at wall_ms: killed */
    MC_RUN_TOO_LONG,   /* printed more than a cap: killed */
    MC_RUN_READ_ERROR, /* reading its output failed (errno in read_errno): killed */
};

struct mc_run_result {
    char *out, *err; /* what it printed, NUL-terminated; caller frees
                        (mc_run_result_reset()) */
    size_t out_len, err_len;
    enum mc_run_cut cut;
    int read_errno;
    int status; /* waitpid(2) status */
};

/*
 * Runs ARGV (NULL-terminated) within LIMITS into *RESULT.  Returns MC_OK
 * when it ran (whatever it did: see RESULT), or MC_ERR_INPUT with *WHY
 * (caller frees) when it could not be started.
 */
enum mc_status mc_run(const char *const *argv, const struct mc_run_limits *limits,
                      struct mc_run_result *result, char **why);

/* True when the run ended by itself with exit status 0. */
bool mc_run_succeeded(const struct mc_run_result *result);

void mc_run_result_reset(struct mc_run_result *result);

/* The program NAME: the one the environment variable ENV names when it is
 * set (set and empty: none), else the first executable NAME in $PATH,
 * /usr/sbin or /sbin (where Debian keeps postconf).  A malloc'd path, or
 * NULL. */
char *mc_run_find(const char *name, const char *env);

#endif
