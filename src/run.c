/* SPDX-License-Identifier: MIT */
/* run.c - another program, run within bounds; see mc_run.h. */
#include "mc_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* At most this many arguments (the callers pass a handful). */
#define MAX_ARGS 32

char *mc_run_find(const char *name, const char *env)
{
    const char *forced = env ? getenv(env) : NULL;
    if (forced)
        return *forced && access(forced, X_OK) == 0 ? mc_xstrdup(forced) : NULL;
    const char *path = getenv("PATH");
    char *copy = mc_xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *dir = copy, *next; dir && !found; dir = next) {
        next = strchr(dir, ':');
        if (next)
            *next++ = '\0';
        char *cand = mc_xasprintf("%s/%s", *dir ? dir : ".", name);
        if (access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    free(copy);
    return found;
}

/* The child's side of the fork: no allocation here (malloc after fork()
 * is not safe, and the limits would already bind it). */
static void child(char *const argv[], int out, int err, const struct mc_run_limits *lim)
{
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    rlim_t secs = (rlim_t)(lim->wall_ms / 1000 > 0 ? lim->wall_ms / 1000 : 1);
    struct rlimit data = {(rlim_t)lim->data_bytes, (rlim_t)lim->data_bytes};
    struct rlimit cpu = {secs, secs};
    setrlimit(RLIMIT_DATA, &data);
    setrlimit(RLIMIT_CPU, &cpu);
    execv(argv[0], argv);
    _exit(127);
}

/* Reads FDS (stdout, stderr) to their ends into R, at most CAP[i] octets
 * each (past CAP[1] with DRAIN_ERR: dropped), until DEADLINE_MS.  Returns
 * what cut it short, if anything. */
static enum mc_run_cut read_outputs(const int fds[2], const size_t cap[2], bool drain_err,
                                    struct mc_run_result *r, int64_t deadline_ms)
{
    char *text[2] = {mc_xmalloc(cap[0] + 1), mc_xmalloc(cap[1] + 1)};
    size_t len[2] = {0, 0};
    bool open[2] = {true, true};
    enum mc_run_cut cut = MC_RUN_ENDED;
    while ((open[0] || open[1]) && cut == MC_RUN_ENDED) {
        int64_t left = deadline_ms - mc_now_ms();
        if (left <= 0) {
            cut = MC_RUN_TIMEOUT;
            break;
        }
        struct pollfd pfd[2];
        int which[2], n = 0;
        for (int i = 0; i < 2; i++)
            if (open[i]) {
                pfd[n] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                which[n++] = i;
            }
        if (poll(pfd, (nfds_t)n, (int)left) <= 0)
            continue; /* EINTR, or the deadline check above ends it */
        for (int k = 0; k < n && cut == MC_RUN_ENDED; k++) {
            if (!pfd[k].revents)
                continue;
            int i = which[k];
            bool full = len[i] == cap[i];
            if (full && !(i == 1 && drain_err)) {
                cut = MC_RUN_TOO_LONG;
                break;
            }
            char junk[4096];
            ssize_t got = full ? read(fds[i], junk, sizeof junk)
                               : read(fds[i], text[i] + len[i], cap[i] - len[i]);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                r->read_errno = errno;
                cut = MC_RUN_READ_ERROR;
                break;
            }
            if (got == 0)
                open[i] = false;
            else if (!full)
                len[i] += (size_t)got;
        }
    }
    text[0][len[0]] = '\0';
    text[1][len[1]] = '\0';
    r->out = text[0];
    r->out_len = len[0];
    r->err = text[1];
    r->err_len = len[1];
    return cut;
}

enum mc_status mc_run(const char *const *argv, const struct mc_run_limits *limits,
                      struct mc_run_result *r, char **why)
{
    memset(r, 0, sizeof *r);
    size_t argc = 0;
    while (argv[argc])
        argc++;
    int out[2], err[2];
    if (argc == 0 || argc >= MAX_ARGS) {
        *why =
            mc_xasprintf("cannot run %s: %s", argc ? argv[0] : "a program", "too many arguments");
        return MC_ERR_INPUT;
    }
    if (pipe(out) != 0) {
        *why = mc_xasprintf("cannot run %s: %s", argv[0], strerror(errno));
        return MC_ERR_INPUT;
    }
    if (pipe(err) != 0) {
        *why = mc_xasprintf("cannot run %s: %s", argv[0], strerror(errno));
        close(out[0]);
        close(out[1]);
        return MC_ERR_INPUT;
    }
    /* execv() wants mutable strings: copies, made before the fork. */
    char *copy[MAX_ARGS];
    for (size_t k = 0; k < argc; k++)
        copy[k] = mc_xstrdup(argv[k]);
    copy[argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(err[0]);
        child(copy, out[1], err[1], limits);
    }
    int fork_errno = errno;
    for (size_t k = 0; k < argc; k++)
        free(copy[k]);
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        *why = mc_xasprintf("cannot run %s: %s", argv[0], strerror(fork_errno));
        return MC_ERR_INPUT;
    }
    const int fds[2] = {out[0], err[0]};
    const size_t cap[2] = {limits->out_cap, limits->err_cap};
    r->cut = read_outputs(fds, cap, limits->err_drain, r, mc_now_ms() + limits->wall_ms);
    close(out[0]);
    close(err[0]);
    if (r->cut != MC_RUN_ENDED)
        kill(pid, SIGKILL);
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        continue;
    return MC_OK;
}

bool mc_run_succeeded(const struct mc_run_result *r)
{
    return r->cut == MC_RUN_ENDED && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

void mc_run_result_reset(struct mc_run_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}
