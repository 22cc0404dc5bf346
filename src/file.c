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

struct mc_atomic_file {
    char *path, *tmp;
    FILE *f;
};

struct mc_atomic_file *mc_file_atomic_begin(const char *path, char **why)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0') {
        *why = mc_xasprintf("--output %s: not a file name", path);
        return NULL;
    }
    char *tmp = mc_xasprintf("%.*s.%s.XXXXXX", (int)dirlen, path, base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *why = mc_xasprintf("--output %s: cannot create a temporary file beside it: %s", path,
                            strerror(errno));
        free(tmp);
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    FILE *f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        *why = mc_xasprintf("--output %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    struct mc_atomic_file *file = mc_xcalloc(1, sizeof *file);
    *file = (struct mc_atomic_file){.path = mc_xstrdup(path), .tmp = tmp, .f = f};
    return file;
}

FILE *mc_file_atomic_stream(struct mc_atomic_file *file)
{
    return file->f;
}

static void atomic_free(struct mc_atomic_file *file)
{
    free(file->path);
    free(file->tmp);
    free(file);
}

void mc_file_atomic_abort(struct mc_atomic_file *file)
{
    if (!file)
        return;
    fclose(file->f);
    unlink(file->tmp);
    atomic_free(file);
}

enum mc_status mc_file_atomic_commit(struct mc_atomic_file *file, char **why)
{
    bool ok = fflush(file->f) == 0 && !ferror(file->f) && fsync(fileno(file->f)) == 0;
    if (fclose(file->f) != 0)
        ok = false;
    if (ok && rename(file->tmp, file->path) != 0)
        ok = false;
    if (!ok) {
        *why = mc_xasprintf("--output %s: %s", file->path, strerror(errno));
        unlink(file->tmp);
    }
    atomic_free(file);
    return ok ? MC_OK : MC_ERR_INPUT;
}

enum mc_status mc_file_write_atomic(const char *path, const char *data, size_t len, char **why)
{
    struct mc_atomic_file *file = mc_file_atomic_begin(path, why);
    if (!file)
        return MC_ERR_INPUT;
    if (len > 0 && fwrite(data, 1, len, file->f) != len) {
        *why = mc_xasprintf("--output %s: writing %s: %s", path, file->tmp, strerror(errno));
        mc_file_atomic_abort(file);
        return MC_ERR_INPUT;
    }
    return mc_file_atomic_commit(file, why);
}
