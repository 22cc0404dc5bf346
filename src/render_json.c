/* SPDX-License-Identifier: MIT */
/*
 * render_json.c - the JSON document of a host check, or of `mailcheck
 * domain` (schema_version 1; every key is documented in mailcheck(1),
 * section JSON OUTPUT), built as an mc_json tree, so that escaping is
 * json.c's job.  Strings from DNS are first made printable ASCII
 * (mc_render_safe), so the document is valid UTF-8 whatever bytes a server
 * sent.
 */
#include "mc_render.h"

#include <stdlib.h>

#include "mc_json.h"
#include "mc_render_dnsbl.h"
#include "mc_render_domain.h"
#include "mc_util.h"

#define SCHEMA_VERSION 1

/* The "spf_checks" array: one object per evaluation. */
static struct mc_json *spf_checks_json(const struct mc_report_spf *spf, size_t n)
{
    struct mc_json *checks = mc_json_array();
    for (size_t i = 0; i < n; i++) {
        const struct mc_report_spf *sp = &spf[i];
        struct mc_json *c = mc_json_object();
        mc_json_set(c, "identity", mc_json_literal(sp->identity));
        mc_json_set(c, "domain", mc_json_safe_string(sp->domain));
        mc_json_set(c, "result", mc_json_literal(sp->result));
        mc_json_set(c, "mechanism", mc_json_safe_string(sp->mechanism));
        if (sp->explanation)
            mc_json_set(c, "explanation", mc_json_safe_string(sp->explanation));
        if (sp->why)
            mc_json_set(c, "why", mc_json_safe_string(sp->why));
        mc_json_set(c, "dns_lookups", mc_json_integer(sp->dns_lookups));
        mc_json_set(c, "void_lookups", mc_json_integer(sp->void_lookups));
        mc_json_append(checks, c);
    }
    return checks;
}

/* "relay" (--postfix relayhost): the relay's addresses and their SPF. */
static struct mc_json *relay_json(const struct mc_report_relay *r)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "relayhost", mc_json_safe_string(r->relayhost));
    mc_json_set(o, "name", mc_json_safe_string(r->name));
    mc_json_set(o, "mx", mc_json_bool(r->mx));
    struct mc_json *addrs = mc_json_array();
    for (size_t i = 0; i < r->naddresses; i++) {
        struct mc_json *a = mc_json_object();
        mc_json_set(a, "address", mc_json_safe_string(r->addresses[i].address));
        mc_json_set(a, "spf_checks", spf_checks_json(r->addresses[i].spf, r->addresses[i].nspf));
        mc_json_append(addrs, a);
    }
    mc_json_set(o, "addresses", addrs);
    return o;
}

static struct mc_json *address_json(const struct mc_report_address *a)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "address", mc_json_safe_string(a->address));
    mc_json_set(o, "status", mc_json_literal(mc_verdict_str(a->status)));
    struct mc_json *ptr = mc_json_array();
    for (size_t i = 0; i < a->nptr; i++)
        mc_json_append(ptr, mc_json_safe_string(a->ptr[i]));
    mc_json_set(o, "ptr", ptr);
    mc_json_set(o, "fcrdns", mc_json_literal(mc_fcrdns_str(a->fcrdns)));
    mc_json_set(o, "from_host", mc_json_bool(a->from_host));
    mc_json_set(o, "from_option", mc_json_bool(a->from_option));
    /* "spf": the verdict for the first sender domain; "spf_checks": every
     * evaluation, mailfrom ones in --from order, then helo. */
    if (a->nspf > 0) {
        struct mc_json *first = mc_json_object();
        mc_json_set(first, "domain", mc_json_safe_string(a->spf[0].domain));
        mc_json_set(first, "result", mc_json_literal(a->spf[0].result));
        mc_json_set(o, "spf", first);
    } else {
        mc_json_set(o, "spf", mc_json_null());
    }
    struct mc_json *checks = spf_checks_json(a->spf, a->nspf);
    mc_json_set(o, "spf_checks", checks);
    struct mc_json *lookups = mc_json_array();
    for (size_t i = 0; i < a->nlookups; i++)
        mc_json_append(lookups, mc_json_lookup(&a->lookups[i]));
    mc_json_set(o, "lookups", lookups);
    return o;
}

static struct mc_json *family_json(const struct mc_report_family *f)
{
    struct mc_json *o = mc_json_object();
    mc_json_set(o, "status", mc_json_literal(mc_verdict_str(f->status)));
    mc_json_set(o, "required", mc_json_bool(f->required));
    if (f->spf_lookups >= 0)
        mc_json_set(o, "spf_lookups", mc_json_integer(f->spf_lookups));
    struct mc_json *addrs = mc_json_array();
    for (size_t i = 0; i < f->naddresses; i++)
        mc_json_append(addrs, address_json(f->addresses[i]));
    mc_json_set(o, "addresses", addrs);
    if (f->host_lookup)
        mc_json_set(o, "host_lookup", mc_json_lookup(f->host_lookup));
    return o;
}

/* The "findings" array, written straight into the document (mc_json.h):
 * in --batch it is a third of a line. */
static void findings_write(struct mc_json_writer *w, const void *report)
{
    const struct mc_report *r = report;
    mc_jw_array(w);
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct mc_finding *f = &r->findings[i];
        mc_jw_object(w);
        mc_jw_key(w, "code");
        mc_jw_literal(w, f->code);
        mc_jw_key(w, "severity");
        mc_jw_literal(w, mc_severity_str(f->severity));
        mc_jw_key(w, "subject");
        mc_jw_safe_string(w, f->subject);
        mc_jw_key(w, "message");
        mc_jw_safe_string(w, f->message);
        if (f->fix) {
            mc_jw_key(w, "fix");
            mc_jw_safe_string(w, f->fix);
        }
        if (f->file) {
            mc_jw_key(w, "file");
            mc_jw_safe_string(w, f->file);
        }
        if (f->file && f->line) {
            mc_jw_key(w, "line");
            mc_jw_integer(w, f->line);
        }
        const char *reference = mc_render_finding_reference(f->code);
        if (reference) {
            mc_jw_key(w, "reference");
            mc_jw_literal(w, reference);
        }
        mc_jw_end(w);
    }
    mc_jw_end(w);
}

static struct mc_json *findings_json(const struct mc_report *r)
{
    return mc_json_deferred(findings_write, r);
}

static struct mc_json *resolvers_json(const struct mc_report *r)
{
    struct mc_json *resolvers = mc_json_array();
    for (size_t i = 0; i < r->nresolvers; i++)
        mc_json_append(resolvers, mc_json_safe_string(r->resolvers[i]));
    return resolvers;
}

/* What every document says of the run: status, exit code, time, queries,
 * resolvers. */
static void run_json(struct mc_json *doc, const struct mc_report *r)
{
    mc_json_set(doc, "status", mc_json_literal(mc_state_str(r->status)));
    mc_json_set(doc, "exit_code", mc_json_integer((long long)r->status));
    mc_json_set(doc, "duration_ms", mc_json_integer((long long)r->duration_ms));
    mc_json_set(doc, "queries", mc_json_integer((long long)r->queries));
    mc_json_set(doc, "resolvers", resolvers_json(r));
}

/* The "domains" array: a block per sender domain. */
static struct mc_json *domains_json(const struct mc_report *r)
{
    struct mc_json *domains = mc_json_array();
    for (size_t i = 0; i < r->ndomains; i++)
        mc_json_append(domains, mc_render_domain_json(r->domains[i]));
    return domains;
}

/* `mailcheck domain` (share/schema/mailcheck-domain.schema.json). */
static char *domain_document(const struct mc_report *r, const struct mc_render_options *opt)
{
    mc_json_begin();
    struct mc_json *doc = mc_json_object();
    mc_json_set(doc, "schema_version", mc_json_integer(SCHEMA_VERSION));
    mc_json_set(doc, "version", mc_json_literal(MAILCHECK_VERSION));
    mc_json_set(doc, "command", mc_json_literal("domain"));
    mc_json_set(doc, "domain", mc_json_safe_string(r->domain));
    run_json(doc, r);
    mc_json_set(doc, "domains", domains_json(r));
    struct mc_json *spf = mc_json_array();
    for (size_t i = 0; i < r->nspf_walks; i++)
        mc_json_append(spf, mc_render_spf_walk_json(&r->spf_walks[i], opt->trace));
    mc_json_set(doc, "spf", spf);
    mc_json_set(doc, "findings", findings_json(r));
    return mc_json_end(doc, opt->pretty);
}

char *mc_render_json(const struct mc_report *r, const struct mc_render_options *opt)
{
    if (r->domain)
        return domain_document(r, opt);
    mc_json_begin();
    struct mc_json *doc = mc_json_object();
    mc_json_set(doc, "schema_version", mc_json_integer(SCHEMA_VERSION));
    mc_json_set(doc, "version", mc_json_literal(MAILCHECK_VERSION));
    mc_json_set(doc, "host", mc_json_safe_string(r->host));
    if (r->host_unicode)
        mc_json_set(doc, "host_unicode", mc_json_utf8(r->host_unicode));
    if (r->line > 0) /* --batch: where the result comes from */
        mc_json_set(doc, "line", mc_json_integer((long long)r->line));
    if (r->input && (!r->host || r->line > 0))
        mc_json_set(doc, "input", mc_json_safe_string(r->input));
    run_json(doc, r);
    struct mc_json *from = mc_json_array();
    for (size_t i = 0; i < r->nfrom; i++)
        mc_json_append(from, mc_json_safe_string(r->from[i]));
    mc_json_set(doc, "from", from);
    struct mc_json *families = mc_json_object();
    mc_json_set(families, "ipv4", family_json(&r->families[MC_FAMILY_IPV4]));
    mc_json_set(families, "ipv6", family_json(&r->families[MC_FAMILY_IPV6]));
    mc_json_set(doc, "families", families);
    if (r->host)
        mc_json_set(doc, "domains", domains_json(r));
    if (r->dnsbl_asked) /* mailcheck(1), BLOCKLISTS: only when lists were named */
        mc_json_set(doc, "dnsbl", mc_render_dnsbl_json(r));
    if (r->relay)
        mc_json_set(doc, "relay", relay_json(r->relay));
    mc_json_set(doc, "findings", findings_json(r));
    return mc_json_end(doc, opt->pretty);
}
