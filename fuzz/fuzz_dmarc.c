/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DMARC module (src/dmarc.c).  An even first byte: the rest
 * is a TXT record (any bytes), parsed; what is kept of it must be printable
 * and a record that parses must be one.  An odd first byte: the rest up to a
 * newline is a From domain and each byte after it answers one name of its
 * DNS Tree Walk (0: no record, 1: a record, 2: psd=y, 3: psd=n); the walk
 * must ask at most eight names, each the domain or a parent, and find an
 * Organizational Domain that is one too.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mc_arena.h"
#include "mc_dmarc.h"

static void check_printable(const char *s)
{
    if (!s)
        return;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            __builtin_trap();
}

static void fuzz_record(struct mc_arena *arena, const char *text, size_t len)
{
    struct mc_dmarc_record rec;
    bool ok = mc_dmarc_parse(&rec, arena, text, len);

    if (ok != mc_dmarc_is_record(text, len))
        __builtin_trap();
    if (ok && mc_dmarc_near_miss(text, len))
        __builtin_trap();
    if (rec.nerrors > MC_DMARC_LIST_MAX || rec.nrua > MC_DMARC_LIST_MAX ||
        rec.nruf > MC_DMARC_LIST_MAX || rec.nunknown > MC_DMARC_LIST_MAX)
        __builtin_trap();
    for (size_t i = 0; i < rec.nerrors; i++) {
        if (!rec.errors[i].text || !rec.errors[i].why)
            __builtin_trap();
        check_printable(rec.errors[i].tag);
        check_printable(rec.errors[i].text);
        check_printable(rec.errors[i].why);
    }
    for (size_t i = 0; i < rec.nrua + rec.nruf; i++) {
        const struct mc_dmarc_uri *u = i < rec.nrua ? &rec.rua[i] : &rec.ruf[i - rec.nrua];
        check_printable(u->text);
        check_printable(u->host);
        if (u->kind == MC_DMARC_URI_MAILTO && (!u->host || u->why))
            __builtin_trap();
        if (u->kind != MC_DMARC_URI_MAILTO && !u->why)
            __builtin_trap();
    }
    for (size_t i = 0; i < rec.nunknown; i++) {
        check_printable(rec.unknown[i].name);
        check_printable(rec.unknown[i].value);
    }
    if (rec.usable == MC_DMARC_USABLE && !rec.has_p)
        __builtin_trap(); /* usable needs a valid p */
}

static void fuzz_walk(struct mc_arena *arena, const char *domain, const uint8_t *answers,
                      size_t nanswers)
{
    static const char *const texts[] = {"v=DMARC1; p=reject", "v=DMARC1; p=quarantine; psd=y",
                                        "v=DMARC1; p=none; psd=n"};
    const struct mc_dmarc_record *recs[3];
    struct mc_dmarc_walk walk;
    struct mc_dmarc_found found;
    const char *name;
    size_t asked = 0;

    for (size_t i = 0; i < 3; i++) {
        struct mc_dmarc_record *r = mc_arena_alloc(arena, sizeof *r);
        mc_dmarc_parse(r, arena, texts[i], strlen(texts[i]));
        recs[i] = r;
    }
    if (!mc_dmarc_walk_start(&walk, domain))
        return;
    if (mc_dmarc_walk_count(&walk) > MC_DMARC_WALK_MAX)
        __builtin_trap();
    while ((name = mc_dmarc_walk_next(&walk))) {
        if (++asked > MC_DMARC_WALK_MAX || !mc_name_at_or_below(domain, name) ||
            strlen(name) + 7 > MC_DMARC_NAME_MAX)
            __builtin_trap();
        unsigned a = asked <= nanswers ? answers[asked - 1] % 4u : 0;
        mc_dmarc_walk_answer(&walk, a ? recs[a - 1] : NULL);
    }
    if (!mc_dmarc_walk_result(&walk, &found) || !found.org_domain)
        __builtin_trap();
    if (!mc_name_at_or_below(domain, found.org_domain))
        __builtin_trap();
    if (found.record && !mc_name_at_or_below(domain, found.policy_domain))
        __builtin_trap();
    struct mc_dmarc_applied applied;
    mc_dmarc_apply(&applied, &found, true);
    mc_dmarc_apply(&applied, &found, false);
    mc_dmarc_report_auth_name(arena, domain, found.org_domain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct mc_arena *arena = mc_arena_new();
    const char *rest = (const char *)data + 1;
    size_t len = size - 1;

    if ((data[0] & 1) == 0) {
        fuzz_record(arena, rest, len);
    } else {
        const char *nl = memchr(rest, '\n', len);
        size_t dlen = nl ? (size_t)(nl - rest) : len;
        char *domain = mc_arena_strndup(arena, rest, dlen);
        if (strlen(domain) == dlen)
            fuzz_walk(arena, domain, nl ? (const uint8_t *)nl + 1 : NULL, nl ? len - dlen - 1 : 0);
    }
    mc_arena_free(arena);
    return 0;
}
