/* SPDX-License-Identifier: MIT */
/*
 * mc_json.h - the jansson helpers every JSON renderer uses, so that
 * escaping is decided in one place: strings from DNS or input are made
 * printable ASCII (mc_render_safe) before jansson sees them, which makes
 * every document valid UTF-8 JSON whatever a server sent.  jansson still
 * does all the JSON escaping; the helpers only skip its UTF-8 checks where
 * the string is ASCII by construction.
 */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* VALUE, or abort through mc_oom(): jansson returns NULL only when out of
 * memory or given invalid UTF-8, which mc_json_safe_string() rules out. */
json_t *mc_json_must(json_t *value);

/* A new JSON string of S made safe (mc_render_safe), or null for NULL. */
json_t *mc_json_safe_string(const char *s);

/* A new JSON string of S, a string of mailcheck's own (a key word from a
 * static table, a finding code): ASCII, so not checked as UTF-8. */
json_t *mc_json_literal(const char *s);

/* One lookup of the evidence (mc_report_lookup) as a JSON object: name,
 * type, outcome, rcode, ttl, server, answers, cnames (and why). */
struct mc_report_lookup;
json_t *mc_json_lookup(const struct mc_report_lookup *lookup);

/* An SPF ledger (mc_spf_step) as the JSON "trace" array: depth, domain,
 * record, term, target, cost, void, matched, note, lookups. */
struct mc_spf_step;
json_t *mc_json_spf_trace(const struct mc_spf_step *steps, size_t nsteps);

/* Opens a document: until mc_json_end(), every jansson value is allocated
 * from one arena that mc_json_end() empties whole (it stays, for the next
 * document).  One document at a time; no jansson value may outlive it or
 * come from before it. */
void mc_json_begin(void);

/* DOC, the root of the open document, as text (compact, or indented by 2
 * when PRETTY), keys in insertion order; then closes the document, which
 * frees DOC.  Caller frees the text. */
char *mc_json_end(json_t *doc, bool pretty);

#endif
