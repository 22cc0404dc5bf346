/* SPDX-License-Identifier: MIT */
/*
 * hostname.c - HOST validation (RFC 1123 §2.1, RFC 5321 §2.3.5), IDNA via
 * libidn2, and the host-name test for PTR names.  Knows no DNS transport.
 */
#include "mc_hostname.h"
#include "mc_ip.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 253
#define MAX_LABEL 63

bool mc_hostname_is_ldh(const char *name, const char **why)
{
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0) {
        *why = "the name is empty";
        return false;
    }
    if (len > MAX_NAME) {
        *why = "the name is longer than 253 octets";
        return false;
    }
    size_t labels = 0, start = 0;
    bool last_all_digits = false;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.')
            continue;
        size_t llen = i - start;
        if (llen == 0) {
            *why = "the name has an empty label";
            return false;
        }
        if (llen > MAX_LABEL) {
            *why = "a label is longer than 63 octets";
            return false;
        }
        if (name[start] == '-' || name[i - 1] == '-') {
            *why = "a label starts or ends with a hyphen";
            return false;
        }
        last_all_digits = true;
        for (size_t j = start; j < i; j++) {
            unsigned char c = (unsigned char)name[j];
            if (!mc_ascii_isalnum(c) && c != '-') {
                *why = c == '_' ? "a label contains an underscore, which host names may not"
                                : "a label contains a character other than letters, digits "
                                  "and hyphens";
                return false;
            }
            if (!mc_ascii_isdigit(c))
                last_all_digits = false;
        }
        labels++;
        start = i + 1;
    }
    if (labels < 2) {
        *why = "the name is not fully qualified (it needs at least two labels)";
        return false;
    }
    if (last_all_digits) {
        *why = "the last label is all-numeric (an IP address is not a host name)";
        return false;
    }
    return true;
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

enum mc_status mc_hostname_validate(const char *input, char **ascii, char **unicode, char **why)
{
    const char *problem = NULL;
    char *name = NULL;
    *ascii = NULL;
    *unicode = NULL;
    struct mc_ip ip;
    if (mc_ip_parse(input, &ip)) {
        *why = mc_xstrdup("HOST is an IP address; give the server's host name (its EHLO name)");
        return MC_ERR_USAGE;
    }
    if (has_control(input)) {
        *why = mc_xstrdup("HOST contains control characters");
        return MC_ERR_USAGE;
    }
    if (!is_ascii(input)) {
        char *alabel = NULL;
        int rc = idn2_to_ascii_8z(input, &alabel, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            *why =
                mc_xasprintf("HOST is not a valid internationalized name: %s", idn2_strerror(rc));
            return MC_ERR_USAGE;
        }
        name = mc_xstrdup(alabel);
        idn2_free(alabel);
        *unicode = mc_xstrdup(input);
    } else {
        name = mc_xstrdup(input);
    }
    if (!mc_hostname_is_ldh(name, &problem)) {
        *why = mc_xasprintf("HOST is not a valid host name: %s", problem);
        free(name);
        free(*unicode);
        *unicode = NULL;
        return MC_ERR_USAGE;
    }
    size_t n = strlen(name);
    if (name[n - 1] == '.')
        name[n - 1] = '\0';
    *ascii = mc_ascii_lower(name);
    if (*unicode) {
        size_t u = strlen(*unicode);
        if (u > 0 && (*unicode)[u - 1] == '.')
            (*unicode)[u - 1] = '\0';
    }
    return MC_OK;
}

char *mc_hostname_domain_ascii(const char *input, const char **why)
{
    if (is_ascii(input))
        return mc_hostname_is_ldh(input, why) ? mc_xstrdup(input) : NULL;
    /* As mc_hostname_validate() converts HOST: IDNA 2008, NFC first. */
    char *alabel = NULL;
    int rc = idn2_to_ascii_8z(input, &alabel, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        *why = idn2_strerror(rc);
        return NULL;
    }
    char *name = mc_xstrdup(alabel);
    idn2_free(alabel);
    if (!mc_hostname_is_ldh(name, why)) {
        free(name);
        return NULL;
    }
    return name;
}

char *mc_hostname_domain_canonical(char *name)
{
    name[mc_name_len(name)] = '\0';
    return mc_ascii_lower(name);
}

bool mc_hostname_label_octet(int c)
{
    return mc_ascii_isalnum(c) || c == '-' || c == '_';
}

bool mc_hostname_ptr_name_valid(const char *name)
{
    /* Presentation form as the parser writes it: any octet outside these
     * is escaped with a backslash, so one test covers them all. */
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++)
        if (*p != '.' && !mc_hostname_label_octet((unsigned char)*p))
            return false;
    return true;
}
