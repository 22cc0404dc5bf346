/* SPDX-License-Identifier: MIT */
/*
 * file.c - atomic whole-file writes (see mc_file.h): mkstemp(3) beside the
 * target, write, fsync, fchmod, rename(2).  The temporary name starts with
 * a dot, so collectors that read "*.prom" never pick it up.
 */
#include "mc_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum mc_status mc_file_write_atomic(const char *path, const char *data, size_t len, char **why)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0') {
        *why = mc_xasprintf("--output %s: not a file name", path);
        return MC_ERR_INPUT;
    }
    char *tmp = mc_xasprintf("%.*s.%s.XXXXXX", (int)dirlen, path, base);
    enum mc_status status = MC_ERR_INPUT;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *why = mc_xasprintf("--output %s: cannot create a temporary file beside it: %s", path,
                            strerror(errno));
        goto done;
    }
    mode_t mask = umask(0);
    umask(mask);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *why = mc_xasprintf("--output %s: writing %s: %s", path, tmp,
                                n < 0 ? strerror(errno) : "short write");
            goto fail;
        }
        off += (size_t)n;
    }
    if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) {
        *why = mc_xasprintf("--output %s: %s", path, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        *why = mc_xasprintf("--output %s: %s", path, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        *why = mc_xasprintf("--output %s: %s", path, strerror(errno));
        goto fail;
    }
    status = MC_OK;
    goto done;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
done:
    free(tmp);
    return status;
}
