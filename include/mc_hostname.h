/* SPDX-License-Identifier: MIT */
/*
 * mc_hostname.h - validating the HOST argument and IP address text.
 *
 * HOST must be a fully qualified domain name usable as an EHLO name
 * (RFC 5321 §2.3.5, §4.1.4; LDH labels per RFC 1123 §2.1): labels of
 * letters, digits and inner hyphens, at most 63 octets each, at most 253 in
 * all, at least two labels, the last one not all-numeric (so that no IP
 * literal passes).  A non-ASCII name is converted to its A-label form with
 * libidn2 (IDNA 2008, RFC 5891) first.
 */
#ifndef MC_HOSTNAME_H
#define MC_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "mc_util.h"

/*
 * Validates INPUT as a mail server's host name.  On MC_OK, *ASCII is the
 * name lowercased, in A-label form, without trailing dot, and *UNICODE is
 * the U-label form when INPUT was not plain ASCII, else NULL (both
 * malloc'd, caller frees).  On MC_ERR_USAGE, *WHY is a malloc'd message
 * naming the problem (caller frees).
 */
enum mc_status mc_hostname_validate(const char *input, char **ascii, char **unicode, char **why);

/*
 * INPUT as a domain name to look up (a sender domain, a --header-from or
 * --dkim domain, the DOMAIN of `mailcheck domain`): the LDH rules of
 * mc_hostname_is_ldh(), after a non-ASCII name is converted to its A-label
 * form as HOST is.  Returns it malloc'd (caller frees), case and trailing
 * dot as given; NULL when it is not a domain name, with *WHY (static text:
 * the rule it breaks, or libidn2's reason).
 */
char *mc_hostname_domain_ascii(const char *input, const char **why);

/* NAME (a result of mc_hostname_domain_ascii() or an LDH name) in the one
 * form names are compared in: lowercased, without a trailing dot, in
 * place.  Returns NAME. */
char *mc_hostname_domain_canonical(char *name);

/* Syntax check only (no IDN): true when NAME is a valid LDH host name. */
bool mc_hostname_is_ldh(const char *name, const char **why);

/* The one rule for what a label of a host name may hold, as newer c-ares
 * will look one up: letters, digits, "-" and "_".  Postfix's
 * valid_hostname() is stricter still. */
bool mc_hostname_label_octet(int c);

/* True when NAME (presentation form, as the DNS parser writes it: other
 * octets escaped) is a non-empty host name whose labels hold only
 * mc_hostname_label_octet() octets. */
bool mc_hostname_ptr_name_valid(const char *name);

#endif
