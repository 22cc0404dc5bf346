/* SPDX-License-Identifier: MIT */
/* render_json_util.c - see mc_render_json.h. */
#include "mc_render_json.h"

#include <stdlib.h>

#include "mc_render.h"
#include "mc_util.h"

json_t *mc_json_must(json_t *value)
{
    if (!value)
        mc_oom();
    return value;
}

json_t *mc_json_safe_string(const char *s)
{
    if (!s)
        return json_null();
    char *safe = mc_render_safe(s);
    json_t *v = mc_json_must(json_string(safe));
    free(safe);
    return v;
}
