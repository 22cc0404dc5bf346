/* SPDX-License-Identifier: MIT */
/*
 * render_dnsbl.c - the blocklist entries of a report in words and in JSON
 * (mailcheck(1), BLOCKLISTS and JSON OUTPUT), shared by the renderers so
 * that every format says the same of an entry.  Strings from DNS (the
 * list's TXT reason) are escaped by the caller's format (text, nagios) or
 * by mc_json_safe_string().
 */
#include "mc_render_dnsbl.h"

#include <stdlib.h>

#include "mc_util.h"

char *mc_render_dnsbl_verdict(const struct mc_report_dnsbl *e)
{
    if (e->listed == 0)
        return mc_xstrdup("not listed");
    if (e->listed < 0)
        return mc_xasprintf("no verdict: %s", e->why ? e->why : "unknown");
    char *codes = mc_xstrdup("");
    for (size_t i = 0; i < e->ncodes; i++) {
        char *more = mc_xasprintf("%s%s%s", codes, i ? ", " : "", e->codes[i]);
        free(codes);
        codes = more;
    }
    char *line = mc_xasprintf("listed %s (%s)%s%s", codes, e->meaning ? e->meaning : "",
                              e->reason ? ": " : "", e->reason ? e->reason : "");
    free(codes);
    return line;
}

size_t mc_render_dnsbl_listed(const struct mc_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ndnsbl; i++)
        n += r->dnsbl[i].listed == 1;
    return n;
}

struct mc_json *mc_render_dnsbl_json(const struct mc_report *r)
{
    struct mc_json *entries = mc_json_array();
    for (size_t i = 0; i < r->ndnsbl; i++) {
        const struct mc_report_dnsbl *e = &r->dnsbl[i];
        struct mc_json *o = mc_json_object();
        mc_json_set(o, "list", mc_json_safe_string(e->list));
        mc_json_set(o, "subject", mc_json_safe_string(e->subject));
        mc_json_set(o, "listed", e->listed < 0 ? mc_json_null() : mc_json_bool(e->listed == 1));
        mc_json_set(o, "code", mc_json_safe_string(e->ncodes ? e->codes[0] : NULL));
        struct mc_json *codes = mc_json_array();
        for (size_t k = 0; k < e->ncodes; k++)
            mc_json_append(codes, mc_json_safe_string(e->codes[k]));
        mc_json_set(o, "codes", codes);
        mc_json_set(o, "meaning", mc_json_safe_string(e->meaning));
        mc_json_set(o, "reason", mc_json_safe_string(e->reason));
        if (e->why)
            mc_json_set(o, "why", mc_json_safe_string(e->why));
        mc_json_append(entries, o);
    }
    return entries;
}
