/* SPDX-License-Identifier: MIT */
/*
 * mc_postfix_master.h - Postfix's master.cf (master(5)): the services, each
 * with its type, the command that runs it and the `-o name=value`
 * overrides of its argument list, and the line each was read from.
 *
 * Syntax (master(5), "Syntax"): a logical line is a line that does not
 * start with whitespace plus the lines after it that do; blank lines and
 * lines whose first non-whitespace character is '#' are ignored; the
 * fields are separated by whitespace: service, type, private, unpriv,
 * chroot, wakeup, maxproc, command, then the command's arguments.  An
 * argument may be enclosed in "{" and "}" to hold whitespace (Postfix
 * 3.0); an override is "-o name=value", "-o { name = value }" or
 * "-oname=value".
 *
 * Pure: the parser reads a buffer, nothing else (fuzz/fuzz_postfix_master.c).
 * Ownership: a master set owns every string in it; free it with
 * mc_postfix_master_free().
 */
#ifndef MC_POSTFIX_MASTER_H
#define MC_POSTFIX_MASTER_H

#include <stddef.h>

#include "mc_util.h"

/* One -o override of a service. */
struct mc_postfix_override {
    char *name, *value;
    unsigned line; /* the physical line of master.cf it is on */
};

struct mc_postfix_service {
    char *name;    /* "smtp", "127.0.0.1:submission", "tlsproxy" */
    char *type;    /* inet, unix, unix-dgram, fifo, pass */
    char *command; /* the eighth field: "smtp", "tlsproxy", ... */
    unsigned line; /* the physical line the service starts on */
    struct mc_postfix_override *overrides;
    size_t noverrides, overrides_cap;
};

struct mc_postfix_master {
    struct mc_postfix_service *services;
    size_t nservices, services_cap;
};

/*
 * Parses master.cf text (LEN octets).  Returns MC_OK with *OUT (caller
 * frees with mc_postfix_master_free()), or MC_ERR_INPUT with *WHY naming
 * the line (caller frees): a NUL octet, a continuation line with no
 * service before it, a service with fewer than eight fields, an "-o"
 * without "name=value", an unbalanced "{".
 */
enum mc_status mc_postfix_master_parse(const char *text, size_t len, struct mc_postfix_master **out,
                                       char **why);
void mc_postfix_master_free(struct mc_postfix_master *master);

/* The first service NAME of TYPE, or NULL (borrowed from MASTER). */
const struct mc_postfix_service *mc_postfix_master_find(const struct mc_postfix_master *master,
                                                        const char *name, const char *type);

/* The last -o NAME of SERVICE (the one that wins), or NULL (borrowed). */
const struct mc_postfix_override *
mc_postfix_service_override(const struct mc_postfix_service *service, const char *name);

#endif
