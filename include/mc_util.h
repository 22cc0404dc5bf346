/* SPDX-License-Identifier: MIT */
/*
 * mc_util.h - mailcheck's own failure codes, fatal allocation, ASCII helpers
 * and a monotonic clock.
 *
 * Failures of mailcheck itself (bad usage, unreadable input, no memory) are
 * an enum mc_status with a string table; outcomes of a protocol (a DNS
 * NXDOMAIN, an SPF fail) are never expressed with it (doc/architecture.md, "Two kinds of error").
 *
 * Allocation failure is fatal in exactly one place: mc_oom().  The mc_x*
 * allocators never return NULL.  Character helpers are ASCII-only on purpose:
 * DNS names and SPF records are ASCII protocols and must not depend on the
 * locale the user happens to run in.
 */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum mc_status {
    MC_OK = 0,
    MC_ERR_NOMEM,
    MC_ERR_USAGE,    /* bad command line or argument */
    MC_ERR_INPUT,    /* input file unreadable or malformed */
    MC_ERR_RESOLVER, /* the resolver could not be set up */
    MC_ERR_INTERNAL,
};

/* Returns a static, human name for STATUS. */
const char *mc_status_str(enum mc_status status);

/* Prints a message to stderr and aborts: the single place allocation
 * failure is handled. */
_Noreturn void mc_oom(void);

/* Allocators that never return NULL (they call mc_oom()). Caller frees. */
void *mc_xmalloc(size_t size);
void *mc_xcalloc(size_t nmemb, size_t size);
void *mc_xrealloc(void *ptr, size_t size);
char *mc_xstrdup(const char *s);
char *mc_xstrndup(const char *s, size_t n);
/* vsnprintf into a fresh buffer. Caller frees. */
char *mc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *mc_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The one formatter behind mc_xvasprintf() and mc_arena_vprintf(): FMT
 * and AP formatted into SIZE octets from ALLOC(CTX, SIZE), which is the
 * allocator's to own (and never fails: allocation failure is mc_oom()). */
char *mc_vformat(void *(*alloc)(void *ctx, size_t size), void *ctx, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Strings copied one after another into a block sized first, by one
 * code path run twice: with NEXT NULL a pass only adds up SIZE (and
 * returns NULL); with NEXT at a block of that SIZE it copies
 * (mc_dns_result_pack(), mc_report_lookup_copy()). */
struct mc_pack {
    char *next;
    size_t size;
};
/* Inline: both users call them for every string of every answer. */

/* N octets of room, or NULL while sizing. */
static inline char *mc_pack_room(struct mc_pack *p, size_t n)
{
    p->size += n;
    if (!p->next)
        return NULL;
    char *room = p->next;
    p->next += n;
    return room;
}

/* S[0..N) and a NUL. */
static inline char *mc_pack_bytes(struct mc_pack *p, const char *s, size_t n)
{
    char *copy = mc_pack_room(p, n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* S, NUL-terminated; NULL for NULL. */
static inline const char *mc_pack_string(struct mc_pack *p, const char *s)
{
    return s ? mc_pack_bytes(p, s, strlen(s)) : NULL;
}

/* ASCII-only character classes: independent of the C locale. */
static inline bool mc_ascii_isdigit(int c)
{
    return c >= '0' && c <= '9';
}
static inline bool mc_ascii_isalpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool mc_ascii_isalnum(int c)
{
    return mc_ascii_isalpha(c) || mc_ascii_isdigit(c);
}
static inline bool mc_ascii_isxdigit(int c)
{
    return mc_ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline bool mc_ascii_isspace(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline int mc_ascii_tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
static inline int mc_ascii_toupper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

/* Case-insensitive (ASCII) comparisons. */
int mc_ascii_strcasecmp(const char *a, const char *b);
int mc_ascii_strncasecmp(const char *a, const char *b, size_t n);
/* Lowercases S in place (ASCII only) and returns it. */
char *mc_ascii_lower(char *s);

/* True when one of the N strings of V equals S (strcmp()). */
bool mc_strv_contains(const char *const *v, size_t n, const char *s);

/* True when the two domain names are equal ignoring ASCII case and one
 * trailing dot on either side. */
bool mc_name_equal(const char *a, const char *b);

/* True when NAME is ANCESTOR or a name below it (whole labels: "xexample.com"
 * is not below "example.com"), ignoring ASCII case and one trailing dot on
 * either side.  An empty ANCESTOR has nothing below it. */
bool mc_name_at_or_below(const char *name, const char *ancestor);

/* The length of NAME without one trailing dot (the root "." keeps it). */
size_t mc_name_len(const char *name);

/* Parses a decimal unsigned integer filling all of S (no sign, no spaces),
 * at most MAX. Returns false on anything else. */
bool mc_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Milliseconds from a monotonic clock. */
int64_t mc_now_ms(void);

#endif
