/* SPDX-License-Identifier: MIT */
/* Fuzz target: the blocklist table parser (share/mailcheck/dnsbl.conf,
 * --dnsbl-table).  A table that parses holds what mailcheck(1),
 * BLOCKLISTS, "The table" promises: every live list has a listing code,
 * codes lie in 127.0.0.0/8 and do not overlap, meanings are printable, and
 * every list is found under its own zone; a refused table says where. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mc_dnsbl_table.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 ? *s != '\t' : (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static void check_list(const struct mc_dnsbl_table *t, const struct mc_dnsbl_list *l)
{
    check(mc_dnsbl_table_find(t, l->zone) == l);
    for (const char *c = l->zone; *c; c++)
        check(!(*c >= 'A' && *c <= 'Z'));
    if (l->retired) {
        check(l->ncodes == 0 && l->retired_why && printable(l->retired_why));
        return;
    }
    bool listed = false;
    for (size_t i = 0; i < l->ncodes; i++) {
        const struct mc_dnsbl_code *c = &l->codes[i];
        check(c->lo <= c->hi && c->lo >> 24 == 127 && c->hi >> 24 == 127);
        check(*c->meaning && printable(c->meaning));
        check(mc_dnsbl_classify(l, c->lo) == c && mc_dnsbl_classify(l, c->hi) == c);
        for (size_t k = 0; k < i; k++)
            check(c->hi < l->codes[k].lo || l->codes[k].hi < c->lo);
        listed = listed || c->class == MC_DNSBL_LISTED;
    }
    check(listed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_dnsbl_table *t = NULL;
    char *why = NULL;
    if (mc_dnsbl_table_parse((const char *)data, size, "fuzz.conf", &t, &why) == MC_OK) {
        size_t n;
        const struct mc_dnsbl_list *lists = mc_dnsbl_table_lists(t, &n);
        for (size_t i = 0; i < n; i++)
            check_list(t, &lists[i]);
        mc_dnsbl_table_free(t);
    } else {
        check(why && strncmp(why, "fuzz.conf:", 10) == 0);
        free(why);
    }
    return 0;
}
