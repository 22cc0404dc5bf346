/* SPDX-License-Identifier: MIT */
/*
 * mc_range.h - threshold ranges in the Monitoring Plugins syntax, for -w/-c
 * ("Threshold and ranges" of the Monitoring Plugins Development
 * Guidelines): "10" alerts outside 0..10, "10:" below 10, "~:10" above 10,
 * "10:20" outside 10..20, "@10:20" inside 10..20 (ends included).
 * A pure module: no allocation, no output.
 */
#ifndef MC_RANGE_H
#define MC_RANGE_H

#include <stdbool.h>

struct mc_range {
    bool inside;    /* '@': alert when the value is inside */
    bool has_start; /* false: -infinity ("~") */
    bool has_end;   /* false: +infinity (nothing after ':') */
    double start, end;
};

/* Parses TEXT (numbers with an optional sign and decimals, no exponent).
 * Returns false, leaving *RANGE unspecified, when TEXT is not a range or its
 * start exceeds its end. */
bool mc_range_parse(const char *text, struct mc_range *range);

/* True when VALUE calls for an alert under RANGE. */
bool mc_range_alert(const struct mc_range *range, double value);

#endif
