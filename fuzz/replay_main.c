/* SPDX-License-Identifier: MIT */
/*
 * replay_main.c - runs a fuzz target over files and directories given on
 * the command line (the corpus), without libFuzzer: the corpus as a
 * regression test in every build, sanitizers or not.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        return 1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int failures = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failures++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            failures += run_file(argv[i]);
            runs++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            size_t plen = strlen(argv[i]) + strlen(e->d_name) + 2;
            char *p = malloc(plen);
            snprintf(p, plen, "%s/%s", argv[i], e->d_name);
            failures += run_file(p);
            runs++;
            free(p);
        }
        if (d)
            closedir(d);
    }
    printf("%d inputs replayed, %d unreadable\n", runs, failures);
    return failures ? 1 : 0;
}
