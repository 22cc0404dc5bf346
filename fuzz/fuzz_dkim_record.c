/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a DKIM key record (any bytes, as a TXT record gives), or,
 * after a first octet 'K', a private key given as text (PEM or base64 DER,
 * as a KeyTable may hold one inline).  A judged record is consistent (a
 * why exactly when invalid, a key exactly when usable, weak or short); the
 * zone-file strings of the input are at most 255 octets each.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mc_dkim.h"

/* Checks that ZONE is quoted strings of at most 255 octets each. */
static void check_zone(const char *zone)
{
    const char *s = zone;
    while (*s) {
        if (*s++ != '"')
            __builtin_trap();
        size_t octets = 0;
        while (*s && *s != '"') {
            if (*s == '\\')
                s += s[1] >= '0' && s[1] <= '9' ? 4 : 2;
            else
                s++;
            octets++;
        }
        if (*s++ != '"' || octets > 255)
            __builtin_trap();
        if (*s == ' ')
            s++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (size > 0 && data[0] == 'K') {
        struct mc_dkim_private *priv = NULL;
        char *why = NULL;
        if (mc_dkim_private_parse(text + 1, size - 1, &priv, &why) == MC_OK) {
            char *record = mc_dkim_private_record(priv);
            struct mc_dkim_key key;
            mc_dkim_key_parse(record, strlen(record), &key);
            if (key.status == MC_DKIM_KEY_INVALID ||
                mc_dkim_private_compare(priv, &key, &why) != MC_DKIM_MATCH)
                __builtin_trap(); /* the record we tell them to publish must fit */
            mc_dkim_key_reset(&key);
            free(record);
            mc_dkim_private_free(priv);
        }
        free(why);
        return 0;
    }
    struct mc_dkim_key key;
    mc_dkim_key_parse(text, size, &key);
    bool usable = key.status == MC_DKIM_KEY_OK || key.status == MC_DKIM_KEY_SHORT ||
                  key.status == MC_DKIM_KEY_WEAK;
    if ((key.status == MC_DKIM_KEY_INVALID) != (key.why != NULL) || usable != (key.pub != NULL))
        __builtin_trap();
    mc_dkim_key_reset(&key);
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *zone = mc_dkim_zone_strings(copy);
    check_zone(zone);
    free(zone);
    free(copy);
    return 0;
}
