/* SPDX-License-Identifier: MIT */
/*
 * file.c - whole files (see mc_file.h).  Atomic writes: mkstemp(3) beside
 * the target, write, fsync, fchmod, rename(2); the temporary name starts
 * with a dot, so collectors that read "*.prom" never pick it up.  Bounded
 * reads: open(2) non-blocking, fstat(2) on the descriptor opened (so the
 * file checked is the file read), then read(2) to at most the bound plus
 * one octet, which tells a file that grew past the bound.
 */
#include "mc_file.h"
#include "mc_array.h"

#include <errno.h>
#include <fcntl.h>
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

/* What a non-regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

enum mc_status mc_file_read(const char *path, size_t max, char **text, size_t *len, char **why)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = mc_xasprintf("cannot read %s: %s", path, strerror(errno));
        return MC_ERR_INPUT;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        *why = mc_xasprintf("cannot read %s: %s", path, strerror(errno));
        close(fd);
        return MC_ERR_INPUT;
    }
    if (!S_ISREG(sb.st_mode)) {
        *why = mc_xasprintf("%s is %s, not a file", path, file_kind(sb.st_mode));
        close(fd);
        return MC_ERR_INPUT;
    }
    if (sb.st_size < 0 || (uintmax_t)sb.st_size > max) {
        *why = mc_xasprintf("%s is larger than mailcheck reads (%zu octets)", path, max);
        close(fd);
        return MC_ERR_INPUT;
    }
    /* Room for the size fstat() gave and the octet that tells growth; more
     * only if the file grows while it is read. */
    size_t cap = (size_t)sb.st_size + 2, n = 0;
    char *buf = mc_xmalloc(cap);
    while (n <= max) {
        if (n + 1 >= cap)
            MC_ARRAY_RESERVE(buf, cap, n + 2);
        size_t room = cap - 1 - n;
        if (room > max + 1 - n)
            room = max + 1 - n;
        ssize_t got = read(fd, buf + n, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *why = mc_xasprintf("cannot read %s: %s", path, strerror(errno));
            close(fd);
            free(buf);
            return MC_ERR_INPUT;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n > max) { /* it grew while read */
        *why = mc_xasprintf("%s is larger than mailcheck reads (%zu octets)", path, max);
        free(buf);
        return MC_ERR_INPUT;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return MC_OK;
}

enum mc_status mc_file_first_line(const char *path, size_t max, char **line, char **why)
{
    char *text = NULL;
    size_t len = 0;
    if (mc_file_read(path, max, &text, &len, why) != MC_OK)
        return MC_ERR_INPUT;
    *line = mc_xstrndup(text, strcspn(text, "\r\n"));
    free(text);
    return MC_OK;
}
