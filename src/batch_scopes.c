/* SPDX-License-Identifier: MIT */
/*
 * batch_scopes.c - the sender domains of a --batch input, counted ahead
 * (see mc_batch_scopes.h): a hash table of domain names, chained, whose
 * nodes and names live in one arena (a batch of 100,000 lines names some
 * 50,000 domains, and no node is freed before the set).  Ownership:
 * everything belongs to the set until mc_batch_scopes_free().
 */
#include "mc_batch_scopes.h"

#include <stdlib.h>
#include <string.h>

#include "mc_arena.h"
#include "mc_util.h"

struct node {
    struct mc_resolver_scope scope;
    struct node *next;
    size_t hash;
    char name[]; /* lowercased, no trailing dot */
};

struct mc_batch_scopes {
    struct mc_arena *arena;
    struct node **table;
    size_t size, count; /* size: a power of two */
};

/* The length of NAME without its trailing dot. */
static size_t key_length(const char *name)
{
    size_t n = strlen(name);
    return n > 1 && name[n - 1] == '.' ? n - 1 : n;
}

static size_t key_hash(const char *name, size_t n)
{
    size_t h = 2166136261u; /* FNV-1a over the lowercased name */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)mc_ascii_tolower(name[i])) * 16777619u;
    return h;
}

static struct node *find(const struct mc_batch_scopes *s, const char *name, size_t n, size_t h)
{
    for (struct node *x = s->table[h & (s->size - 1)]; x; x = x->next)
        if (x->hash == h && strlen(x->name) == n && mc_ascii_strncasecmp(x->name, name, n) == 0)
            return x;
    return NULL;
}

static void grow(struct mc_batch_scopes *s)
{
    size_t size = s->size * 2;
    struct node **table = mc_xcalloc(size, sizeof *table);
    for (size_t i = 0; i < s->size; i++) {
        for (struct node *x = s->table[i], *next; x; x = next) {
            next = x->next;
            x->next = table[x->hash & (size - 1)];
            table[x->hash & (size - 1)] = x;
        }
    }
    free(s->table);
    s->table = table;
    s->size = size;
}

struct mc_batch_scopes *mc_batch_scopes_new(void)
{
    struct mc_batch_scopes *s = mc_xcalloc(1, sizeof *s);
    s->arena = mc_arena_new();
    s->size = 256;
    s->table = mc_xcalloc(s->size, sizeof *s->table);
    return s;
}

void mc_batch_scopes_free(struct mc_batch_scopes *s)
{
    if (!s)
        return;
    mc_arena_free(s->arena);
    free(s->table);
    free(s);
}

void mc_batch_scopes_count(struct mc_batch_scopes *s, const char *domain)
{
    size_t n = key_length(domain), h = key_hash(domain, n);
    struct node *x = find(s, domain, n, h);
    if (!x) {
        if (s->count == s->size)
            grow(s);
        x = mc_arena_alloc(s->arena, sizeof *x + n + 1);
        x->hash = h;
        for (size_t i = 0; i < n; i++)
            x->name[i] = (char)mc_ascii_tolower(domain[i]);
        x->name[n] = '\0';
        x->next = s->table[h & (s->size - 1)];
        s->table[h & (s->size - 1)] = x;
        s->count++;
    }
    x->scope.wanted++;
}

struct mc_resolver_scope *mc_batch_scopes_find(const struct mc_batch_scopes *s, const char *domain)
{
    size_t n = key_length(domain);
    struct node *x = find(s, domain, n, key_hash(domain, n));
    return x ? &x->scope : NULL;
}

size_t mc_batch_scopes_size(const struct mc_batch_scopes *s)
{
    return s->count;
}
