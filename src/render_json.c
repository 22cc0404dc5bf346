/* SPDX-License-Identifier: MIT */
/*
 * render_json.c - the JSON document of a host check, or of `mailcheck
 * domain` (schema_version 1;
 * every key is documented in mailcheck(1), section JSON OUTPUT), built with
 * jansson so that escaping is jansson's job.  Strings from DNS are first
 * made printable ASCII (mc_render_safe), so the document is valid UTF-8
 * whatever bytes a server sent.
 */
#include "mc_render.h"

#include <jansson.h>
#include <stdlib.h>

#include "mc_json.h"
#include "mc_render_dnsbl.h"
#include "mc_render_domain.h"
#include "mc_util.h"

#define SCHEMA_VERSION 1

static json_t *address_json(const struct mc_report_address *a)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "address", mc_json_safe_string(a->address));
    json_object_set_new_nocheck(o, "status", mc_json_literal(mc_verdict_str(a->status)));
    json_t *ptr = mc_json_must(json_array());
    for (size_t i = 0; i < a->nptr; i++)
        json_array_append_new(ptr, mc_json_safe_string(a->ptr[i]));
    json_object_set_new_nocheck(o, "ptr", ptr);
    json_object_set_new_nocheck(o, "fcrdns", mc_json_literal(mc_fcrdns_str(a->fcrdns)));
    json_object_set_new_nocheck(o, "from_host", json_boolean(a->from_host));
    json_object_set_new_nocheck(o, "from_option", json_boolean(a->from_option));
    /* "spf": the verdict for the first sender domain; "spf_checks": every
     * evaluation, mailfrom ones in --from order, then helo. */
    if (a->nspf > 0) {
        json_t *first = mc_json_must(json_object());
        json_object_set_new_nocheck(first, "domain", mc_json_safe_string(a->spf[0].domain));
        json_object_set_new_nocheck(first, "result", mc_json_literal(a->spf[0].result));
        json_object_set_new_nocheck(o, "spf", first);
    } else {
        json_object_set_new_nocheck(o, "spf", json_null());
    }
    json_t *checks = mc_json_must(json_array());
    for (size_t i = 0; i < a->nspf; i++) {
        const struct mc_report_spf *sp = &a->spf[i];
        json_t *c = mc_json_must(json_object());
        json_object_set_new_nocheck(c, "identity", mc_json_literal(sp->identity));
        json_object_set_new_nocheck(c, "domain", mc_json_safe_string(sp->domain));
        json_object_set_new_nocheck(c, "result", mc_json_literal(sp->result));
        json_object_set_new_nocheck(c, "mechanism", mc_json_safe_string(sp->mechanism));
        if (sp->explanation)
            json_object_set_new_nocheck(c, "explanation", mc_json_safe_string(sp->explanation));
        if (sp->why)
            json_object_set_new_nocheck(c, "why", mc_json_safe_string(sp->why));
        json_object_set_new_nocheck(c, "dns_lookups", json_integer(sp->dns_lookups));
        json_object_set_new_nocheck(c, "void_lookups", json_integer(sp->void_lookups));
        json_array_append_new(checks, c);
    }
    json_object_set_new_nocheck(o, "spf_checks", checks);
    json_t *lookups = mc_json_must(json_array());
    for (size_t i = 0; i < a->nlookups; i++)
        json_array_append_new(lookups, mc_json_lookup(&a->lookups[i]));
    json_object_set_new_nocheck(o, "lookups", lookups);
    return o;
}

static json_t *family_json(const struct mc_report_family *f)
{
    json_t *o = mc_json_must(json_object());
    json_object_set_new_nocheck(o, "status", mc_json_literal(mc_verdict_str(f->status)));
    json_object_set_new_nocheck(o, "required", json_boolean(f->required));
    if (f->spf_lookups >= 0)
        json_object_set_new_nocheck(o, "spf_lookups", json_integer(f->spf_lookups));
    json_t *addrs = mc_json_must(json_array());
    for (size_t i = 0; i < f->naddresses; i++)
        json_array_append_new(addrs, address_json(f->addresses[i]));
    json_object_set_new_nocheck(o, "addresses", addrs);
    if (f->host_lookup)
        json_object_set_new_nocheck(o, "host_lookup", mc_json_lookup(f->host_lookup));
    return o;
}

static json_t *findings_json(const struct mc_report *r)
{
    json_t *findings = mc_json_must(json_array());
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct mc_finding *f = &r->findings[i];
        json_t *o = mc_json_must(json_object());
        json_object_set_new_nocheck(o, "code", mc_json_literal(f->code));
        json_object_set_new_nocheck(o, "severity", mc_json_literal(mc_severity_str(f->severity)));
        json_object_set_new_nocheck(o, "subject", mc_json_safe_string(f->subject));
        json_object_set_new_nocheck(o, "message", mc_json_safe_string(f->message));
        if (f->fix)
            json_object_set_new_nocheck(o, "fix", mc_json_safe_string(f->fix));
        const char *reference = mc_render_finding_reference(f->code);
        if (reference)
            json_object_set_new_nocheck(o, "reference", mc_json_literal(reference));
        json_array_append_new(findings, o);
    }
    return findings;
}

static json_t *resolvers_json(const struct mc_report *r)
{
    json_t *resolvers = mc_json_must(json_array());
    for (size_t i = 0; i < r->nresolvers; i++)
        json_array_append_new(resolvers, mc_json_safe_string(r->resolvers[i]));
    return resolvers;
}

/* `mailcheck domain` (share/schema/mailcheck-domain.schema.json). */
static char *domain_document(const struct mc_report *r, const struct mc_render_options *opt)
{
    mc_json_begin();
    json_t *doc = mc_json_must(json_object());
    json_object_set_new_nocheck(doc, "schema_version", json_integer(SCHEMA_VERSION));
    json_object_set_new_nocheck(doc, "version", mc_json_literal(MAILCHECK_VERSION));
    json_object_set_new_nocheck(doc, "command", mc_json_literal("domain"));
    json_object_set_new_nocheck(doc, "domain", mc_json_safe_string(r->domain));
    json_object_set_new_nocheck(doc, "status", mc_json_literal(mc_state_str(r->status)));
    json_object_set_new_nocheck(doc, "exit_code", json_integer((json_int_t)r->status));
    json_object_set_new_nocheck(doc, "duration_ms", json_integer((json_int_t)r->duration_ms));
    json_object_set_new_nocheck(doc, "queries", json_integer((json_int_t)r->queries));
    json_object_set_new_nocheck(doc, "resolvers", resolvers_json(r));
    json_t *domains = mc_json_must(json_array());
    for (size_t i = 0; i < r->ndomains; i++)
        json_array_append_new(domains, mc_render_domain_json(r->domains[i]));
    json_object_set_new_nocheck(doc, "domains", domains);
    json_t *spf = mc_json_must(json_array());
    for (size_t i = 0; i < r->nspf_walks; i++)
        json_array_append_new(spf, mc_render_spf_walk_json(&r->spf_walks[i]));
    json_object_set_new_nocheck(doc, "spf", spf);
    json_object_set_new_nocheck(doc, "findings", findings_json(r));
    return mc_json_end(doc, opt->pretty);
}

char *mc_render_json(const struct mc_report *r, const struct mc_render_options *opt)
{
    if (r->domain)
        return domain_document(r, opt);
    mc_json_begin();
    json_t *doc = mc_json_must(json_object());
    json_object_set_new_nocheck(doc, "schema_version", json_integer(SCHEMA_VERSION));
    json_object_set_new_nocheck(doc, "version", mc_json_literal(MAILCHECK_VERSION));
    json_object_set_new_nocheck(doc, "host", mc_json_safe_string(r->host));
    if (r->host_unicode)
        json_object_set_new_nocheck(doc, "host_unicode",
                                    mc_json_must(json_string(r->host_unicode)));
    if (r->line > 0) /* --batch: where the result comes from */
        json_object_set_new_nocheck(doc, "line", json_integer((json_int_t)r->line));
    if (r->input && (!r->host || r->line > 0))
        json_object_set_new_nocheck(doc, "input", mc_json_safe_string(r->input));
    json_object_set_new_nocheck(doc, "status", mc_json_literal(mc_state_str(r->status)));
    json_object_set_new_nocheck(doc, "exit_code", json_integer((json_int_t)r->status));
    json_object_set_new_nocheck(doc, "duration_ms", json_integer((json_int_t)r->duration_ms));
    json_object_set_new_nocheck(doc, "queries", json_integer((json_int_t)r->queries));
    json_object_set_new_nocheck(doc, "resolvers", resolvers_json(r));
    json_t *from = mc_json_must(json_array());
    for (size_t i = 0; i < r->nfrom; i++)
        json_array_append_new(from, mc_json_safe_string(r->from[i]));
    json_object_set_new_nocheck(doc, "from", from);
    json_t *families = mc_json_must(json_object());
    json_object_set_new_nocheck(families, "ipv4", family_json(&r->families[MC_FAMILY_IPV4]));
    json_object_set_new_nocheck(families, "ipv6", family_json(&r->families[MC_FAMILY_IPV6]));
    json_object_set_new_nocheck(doc, "families", families);
    if (r->host) {
        json_t *domains = mc_json_must(json_array());
        for (size_t i = 0; i < r->ndomains; i++)
            json_array_append_new(domains, mc_render_domain_json(r->domains[i]));
        json_object_set_new_nocheck(doc, "domains", domains);
    }
    if (r->dnsbl_asked) /* mailcheck(1), BLOCKLISTS: only when lists were named */
        json_object_set_new_nocheck(doc, "dnsbl", mc_render_dnsbl_json(r));
    json_object_set_new_nocheck(doc, "findings", findings_json(r));
    return mc_json_end(doc, opt->pretty);
}
