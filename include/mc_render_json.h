/* SPDX-License-Identifier: MIT */
/*
 * mc_render_json.h - the two jansson helpers every JSON renderer uses, so
 * that escaping is decided in one place: strings from DNS or input are made
 * printable ASCII (mc_render_safe) before jansson sees them, which makes
 * every document valid UTF-8 JSON whatever a server sent.
 */
#ifndef MC_RENDER_JSON_H
#define MC_RENDER_JSON_H

#include <jansson.h>

/* VALUE, or abort through mc_oom(): jansson returns NULL only when out of
 * memory or given invalid UTF-8, which mc_json_safe_string() rules out. */
json_t *mc_json_must(json_t *value);

/* A new JSON string of S made safe (mc_render_safe), or null for NULL. */
json_t *mc_json_safe_string(const char *s);

#endif
