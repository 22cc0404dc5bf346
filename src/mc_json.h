/* SPDX-License-Identifier: MIT */
/*
 * mc_json.h - the JSON documents every JSON renderer builds: a tree of
 * values (struct mc_json) written out as text by mc_json_end(), so that
 * escaping is decided in one place.  Strings from DNS or input are made
 * printable ASCII (mc_render_safe) before they enter the tree, which makes
 * every document valid UTF-8 JSON whatever a server sent.
 *
 * The tree is mailcheck's own rather than jansson's: a document is used
 * once, written in insertion order and dropped, so it needs no hash table,
 * no reference counts and no UTF-8 check of strings that are ASCII by
 * construction; in --batch building and freeing jansson's tree was a fifth
 * of all the instructions (callgrind, bench/RESULTS.md).  jansson still
 * reads JSON (rspamadm's, dkim_config.c) and checks this writer in
 * tests/unit/test_json.c.
 *
 * Ownership: every value lives in the open document's arena, from
 * mc_json_begin() to mc_json_end(), which frees them all.  A value belongs
 * to one parent (it is linked into it).  Keys and mc_json_literal() strings
 * are borrowed and must stay valid until mc_json_end(); other strings are
 * copied.
 */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct mc_json;

/* Opens a document: until mc_json_end(), every value below is allocated
 * from one arena that mc_json_end() empties whole (it stays, for the next
 * document).  One document at a time. */
void mc_json_begin(void);

/* DOC, the root of the open document, as text (compact, or indented by 2
 * when PRETTY), byte for byte what jansson's json_dumps() writes with
 * JSON_PRESERVE_ORDER and JSON_COMPACT or JSON_INDENT(2); then closes the
 * document, which frees DOC and every value.  Caller frees the text. */
char *mc_json_end(struct mc_json *doc, bool pretty);

struct mc_json *mc_json_object(void);
struct mc_json *mc_json_array(void);
struct mc_json *mc_json_null(void);
struct mc_json *mc_json_bool(bool value);
struct mc_json *mc_json_integer(long long value);

/* A string of S made safe (mc_render_safe; copied), or null for NULL. */
struct mc_json *mc_json_safe_string(const char *s);

/* S as it is, borrowed: a string of mailcheck's own (a key word from a
 * static table, a finding code) or one the report owns, which is ASCII. */
struct mc_json *mc_json_literal(const char *s);

/* S, valid UTF-8 (libidn2's Unicode form of a name), copied unchecked. */
struct mc_json *mc_json_utf8(const char *s);

/* Adds KEY (borrowed) with VALUE to OBJECT, after the members it has.  A
 * key is set once per object (checked where NDEBUG is not defined). */
void mc_json_set(struct mc_json *object, const char *key, struct mc_json *value);

/* Adds VALUE to the end of ARRAY. */
void mc_json_append(struct mc_json *array, struct mc_json *value);

/* ---- values written straight into the text ----
 *
 * The large and regular parts of a document (a sender domain's block, the
 * evidence of every lookup) are written when the document is, without a
 * tree: in --batch, building and walking the tree cost 350 instructions a
 * value, most of a domain block's cost (bench/RESULTS.md).
 * mc_json_deferred() puts in the tree a value that WRITE writes, from
 * mc_json_end(), through the mc_jw_*() calls below, with the layout
 * (separators, indentation) the tree would have given it.  WRITE writes
 * exactly one value; ARG is borrowed until mc_json_end(). */
struct mc_json_writer;
struct mc_json *mc_json_deferred(void (*write)(struct mc_json_writer *w, const void *arg),
                                 const void *arg);

/* Opens an object or an array as the next value; mc_jw_end() closes the
 * innermost one open. */
void mc_jw_object(struct mc_json_writer *w);
void mc_jw_array(struct mc_json_writer *w);
void mc_jw_end(struct mc_json_writer *w);

/* The next member's key: a string literal, plain (as mc_json_set()'s);
 * its value follows. */
#define mc_jw_key(w, key) mc_jw_key_n((w), "" key "", sizeof(key) - 1)
void mc_jw_key_n(struct mc_json_writer *w, const char *key, size_t len);

/* The next value: as mc_json_null(), mc_json_bool(), mc_json_integer(),
 * mc_json_literal() and mc_json_safe_string() (null for NULL) store it. */
void mc_jw_null(struct mc_json_writer *w);
void mc_jw_bool(struct mc_json_writer *w, bool value);
void mc_jw_integer(struct mc_json_writer *w, long long value);
void mc_jw_literal(struct mc_json_writer *w, const char *s);
void mc_jw_safe_string(struct mc_json_writer *w, const char *s);

/* One lookup of the evidence (mc_report_lookup) as a JSON object: name,
 * type, outcome, rcode, ttl, server, answers, cnames (and why); written as
 * the next value of W, or as a deferred value of the tree (LOOKUP
 * borrowed until mc_json_end()). */
struct mc_report_lookup;
void mc_jw_lookup(struct mc_json_writer *w, const struct mc_report_lookup *lookup);
struct mc_json *mc_json_lookup(const struct mc_report_lookup *lookup);
/* The same for evidence that many documents show, a sender domain's (in
 * --batch the lines of one domain, of one provider's MX hosts or of one
 * Public Suffix Domain's DMARC walk): the compact text of a lookup with
 * a serial is kept under it and copied when it comes again. */
void mc_jw_lookup_shared(struct mc_json_writer *w, const struct mc_report_lookup *lookup);

/* An SPF ledger (mc_spf_step) as the JSON "trace" array: depth, domain,
 * record, term, target, cost, void, matched, note, lookups. */
struct mc_spf_step;
struct mc_json *mc_json_spf_trace(const struct mc_spf_step *steps, size_t nsteps);

#endif
