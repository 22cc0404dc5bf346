/* SPDX-License-Identifier: MIT */
/*
 * mc_file.h - whole files: written atomically, for --output (readers such
 * as node_exporter's textfile collector see the old content or the new
 * one, never a half-written file), and read with a bound, for the
 * configuration and key files mailcheck reads (a FIFO, a device or a huge
 * file named by mistake is refused, never read until memory runs out).
 */
#ifndef MC_FILE_H
#define MC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "mc_util.h"

/*
 * Writes LEN bytes of DATA to PATH through a temporary file in the same
 * directory (so that rename(2) is atomic), flushed to disk before the
 * rename; the file gets mode 0666 less the umask, like one made by a shell
 * redirection.  On failure nothing is left behind and PATH is unchanged;
 * returns MC_ERR_INPUT with *WHY (caller frees).
 */
enum mc_status mc_file_write_atomic(const char *path, const char *data, size_t len, char **why);

/*
 * The same for output written as a stream (--batch --output): begin
 * creates the temporary file beside PATH and returns a stream to write
 * (NULL with *WHY on failure); commit flushes, syncs and renames it into
 * place (MC_OK) or removes it; abort removes it.  Both free the handle.
 */
struct mc_atomic_file;
struct mc_atomic_file *mc_file_atomic_begin(const char *path, char **why);
FILE *mc_file_atomic_stream(struct mc_atomic_file *file);
enum mc_status mc_file_atomic_commit(struct mc_atomic_file *file, char **why);
void mc_file_atomic_abort(struct mc_atomic_file *file);

/*
 * Reads the whole regular file at PATH, at most MAX octets.  Anything but
 * a regular file (a directory, a FIFO, a device: opened non-blocking, so a
 * FIFO cannot stall the read) and a file larger than MAX are refused.
 * Returns MC_OK with *TEXT (LEN octets, NUL-terminated after them; caller
 * frees), or MC_ERR_INPUT with *WHY naming PATH (caller frees).
 */
enum mc_status mc_file_read(const char *path, size_t max, char **text, size_t *len, char **why);

/*
 * The first line of the file at PATH (read as mc_file_read() reads, at
 * most MAX octets), without its line ending: a value kept in a file of its
 * own (Postfix's myorigin = /etc/mailname, --dnsbl-key @FILE).  *LINE is
 * malloc'd (caller frees); MC_ERR_INPUT with *WHY naming PATH.
 */
enum mc_status mc_file_first_line(const char *path, size_t max, char **line, char **why);

#endif
