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

json_t *mc_render_dnsbl_json(const struct mc_report *r)
{
    json_t *entries = mc_json_must(json_array());
    for (size_t i = 0; i < r->ndnsbl; i++) {
        const struct mc_report_dnsbl *e = &r->dnsbl[i];
        json_t *o = mc_json_must(json_object());
        json_object_set_new_nocheck(o, "list", mc_json_safe_string(e->list));
        json_object_set_new_nocheck(o, "subject", mc_json_safe_string(e->subject));
        json_object_set_new_nocheck(o, "listed",
                                    e->listed < 0 ? json_null() : json_boolean(e->listed == 1));
        json_object_set_new_nocheck(o, "code", mc_json_safe_string(e->ncodes ? e->codes[0] : NULL));
        json_t *codes = mc_json_must(json_array());
        for (size_t k = 0; k < e->ncodes; k++)
            json_array_append_new(codes, mc_json_safe_string(e->codes[k]));
        json_object_set_new_nocheck(o, "codes", codes);
        json_object_set_new_nocheck(o, "meaning", mc_json_safe_string(e->meaning));
        json_object_set_new_nocheck(o, "reason", mc_json_safe_string(e->reason));
        if (e->why)
            json_object_set_new_nocheck(o, "why", mc_json_safe_string(e->why));
        json_array_append_new(entries, o);
    }
    return entries;
}
