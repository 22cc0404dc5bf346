/* SPDX-License-Identifier: MIT */
/*
 * util.c - status strings, the one fatal allocation path, ASCII helpers and
 * the monotonic clock.  Knows nothing of DNS.
 */
#include "mc_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[] = {
    [MC_OK] = "ok",
    [MC_ERR_NOMEM] = "out of memory",
    [MC_ERR_USAGE] = "bad usage",
    [MC_ERR_INPUT] = "bad input",
    [MC_ERR_RESOLVER] = "resolver set-up failed",
    [MC_ERR_INTERNAL] = "internal error",
};

const char *mc_status_str(enum mc_status status)
{
    if ((size_t)status < sizeof status_names / sizeof status_names[0] && status_names[status])
        return status_names[status];
    return "unknown status";
}

_Noreturn void mc_oom(void)
{
    fputs("mailcheck: out of memory\n", stderr);
    abort();
}

void *mc_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        mc_oom();
    return p;
}

void *mc_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        mc_oom();
    return p;
}

void *mc_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        mc_oom();
    return p;
}

char *mc_xstrdup(const char *s)
{
    return mc_xstrndup(s, strlen(s));
}

char *mc_xstrndup(const char *s, size_t n)
{
    char *p = mc_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mc_vformat(void *(*alloc)(void *ctx, size_t size), void *ctx, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        mc_oom();
    char *p = alloc(ctx, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

static void *heap_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return mc_xmalloc(size);
}

char *mc_xvasprintf(const char *fmt, va_list ap)
{
    return mc_vformat(heap_alloc, NULL, fmt, ap);
}

char *mc_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = mc_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

int mc_ascii_strncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = mc_ascii_tolower((unsigned char)a[i]);
        int cb = mc_ascii_tolower((unsigned char)b[i]);
        if (ca != cb || ca == '\0')
            return ca - cb;
    }
    return 0;
}

int mc_ascii_strcasecmp(const char *a, const char *b)
{
    return mc_ascii_strncasecmp(a, b, (size_t)-1);
}

char *mc_ascii_lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)mc_ascii_tolower((unsigned char)*p);
    return s;
}

bool mc_strv_contains(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

size_t mc_name_len(const char *name)
{
    size_t n = strlen(name);
    return n > 1 && name[n - 1] == '.' ? n - 1 : n;
}

bool mc_name_equal(const char *a, const char *b)
{
    size_t la = mc_name_len(a), lb = mc_name_len(b);
    return la == lb && mc_ascii_strncasecmp(a, b, la) == 0;
}

bool mc_name_at_or_below(const char *name, const char *ancestor)
{
    size_t n = mc_name_len(name), a = mc_name_len(ancestor);
    if (a > n || a == 0)
        return false;
    if (mc_ascii_strncasecmp(name + n - a, ancestor, a) != 0)
        return false;
    return a == n || name[n - a - 1] == '.';
}

bool mc_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (!mc_ascii_isdigit((unsigned char)*p))
            return false;
        unsigned long d = (unsigned long)(*p - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int64_t mc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
