/* SPDX-License-Identifier: MIT */
/*
 * range.c - Monitoring Plugins threshold ranges (see mc_range.h).
 *
 * Numbers are parsed by hand (sign, digits, one optional decimal point) so
 * that the C locale's decimal separator cannot change what "0.5" means, and
 * no exponent or hex form sneaks in through strtod().
 */
#include "mc_range.h"

#include <stddef.h>
#include <string.h>

#include "mc_util.h"

/* Parses [-+]DIGITS[.DIGITS] spanning exactly S[0..LEN). */
static bool parse_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool negative = false, digits = false;
    double value = 0, scale = 1;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    for (; i < len && mc_ascii_isdigit((unsigned char)s[i]); i++, digits = true)
        value = value * 10 + (s[i] - '0');
    if (i < len && s[i] == '.') {
        for (i++; i < len && mc_ascii_isdigit((unsigned char)s[i]); i++, digits = true) {
            scale /= 10;
            value += (s[i] - '0') * scale;
        }
    }
    if (!digits || i != len)
        return false;
    *out = negative ? -value : value;
    return true;
}

bool mc_range_parse(const char *text, struct mc_range *range)
{
    *range = (struct mc_range){.has_start = true, .has_end = true};
    if (*text == '@') {
        range->inside = true;
        text++;
    }
    const char *colon = strchr(text, ':');
    if (!colon) /* "10": 0..10 */
        return parse_number(text, strlen(text), &range->end) && range->end >= 0;
    if (colon == text)
        return false; /* ":10" is not in the syntax */
    if (colon - text == 1 && *text == '~')
        range->has_start = false;
    else if (!parse_number(text, (size_t)(colon - text), &range->start))
        return false;
    const char *end = colon + 1;
    if (*end == '\0')
        range->has_end = false;
    else if (!parse_number(end, strlen(end), &range->end))
        return false;
    return !(range->has_start && range->has_end && range->start > range->end) &&
           (range->has_start || range->has_end);
}

bool mc_range_alert(const struct mc_range *range, double value)
{
    bool in =
        (!range->has_start || value >= range->start) && (!range->has_end || value <= range->end);
    return range->inside ? in : !in;
}
