/* SPDX-License-Identifier: MIT */
/*
 * mc_dnsbl_table.h - what a blocklist's answers mean: the table of known
 * DNS lists (share/mailcheck/dnsbl.conf, or --dnsbl-table FILE), parsed
 * without any DNS (mailcheck(1), BLOCKLISTS, "The table").
 *
 * For each known zone the table gives its kind (an address list, queried
 * with reversed octets or nibbles, or a domain list; RFC 5782 sections 2
 * and 3), its listing codes with their meaning, its error codes, and for
 * Spamhaus the zone its Data Query Service asks under a key.  Retired
 * lists are in it with their date: a dead list's zone may answer anything.
 * A zone not in the table is read by the generic rule
 * (mc_dnsbl_table_generic()).
 *
 * Ownership: a table owns everything in it (one arena); lists and codes
 * returned are borrowed from it.
 */
#ifndef MC_DNSBL_TABLE_H
#define MC_DNSBL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mc_util.h"

enum mc_dnsbl_kind {
    MC_DNSBL_KIND_ADDRESS, /* RFC 5782 section 2: IPv4 and IPv6 addresses */
    MC_DNSBL_KIND_DOMAIN,  /* RFC 5782 section 3: domain names */
};

enum mc_dnsbl_class {
    MC_DNSBL_LISTED, /* the subject is on the list */
    MC_DNSBL_ERROR,  /* the list refused or failed the query itself */
    MC_DNSBL_OTHER,  /* not in the list's table: the answer means nothing */
};

/* One code or range of codes (inclusive), host byte order: 127.0.0.2 is
 * 0x7f000002. */
struct mc_dnsbl_code {
    uint32_t lo, hi;
    enum mc_dnsbl_class class;
    const char *meaning; /* printable ASCII, from the table */
};

struct mc_dnsbl_list {
    const char *zone; /* lowercase, no trailing dot */
    enum mc_dnsbl_kind kind;
    bool ipv4_only;          /* an address list that lists no IPv6 */
    const char *dqs;         /* Spamhaus DQS zone, asked as KEY.DQS; or NULL */
    const char *retired;     /* YYYY-MM-DD when retired, else NULL */
    const char *retired_why; /* why, when retired */
    const struct mc_dnsbl_code *codes;
    size_t ncodes;
    size_t line; /* where the table defines it (0 for the generic rule) */
};

struct mc_dnsbl_table;

/*
 * Parses TEXT (LEN octets) as a table; FILE names it in messages.
 * Returns MC_OK with *TABLE (caller frees with mc_dnsbl_table_free()), or
 * MC_ERR_INPUT with *WHY "FILE:LINE: what is wrong" (caller frees).
 */
enum mc_status mc_dnsbl_table_parse(const char *text, size_t len, const char *file,
                                    struct mc_dnsbl_table **table, char **why);

/* Reads and parses the table at PATH (mc_file_read(), at most 1 MiB). */
enum mc_status mc_dnsbl_table_load(const char *path, struct mc_dnsbl_table **table, char **why);

void mc_dnsbl_table_free(struct mc_dnsbl_table *table);

/* The entry for ZONE (lowercase, no trailing dot): the list of that name,
 * or a retired entry whose zone is ZONE or an ancestor of it ("sorbs.net"
 * retires "dnsbl.sorbs.net"); NULL when the table does not know it.
 * Borrowed from TABLE. */
const struct mc_dnsbl_list *mc_dnsbl_table_find(const struct mc_dnsbl_table *table,
                                                const char *zone);

/* The lists of TABLE, in file order (borrowed). */
const struct mc_dnsbl_list *mc_dnsbl_table_lists(const struct mc_dnsbl_table *table, size_t *n);

/* The rule for a zone the table does not know (mailcheck(1), BLOCKLISTS):
 * an address list; 127.0.0.2-127.0.0.255 a listing, 127.255.255.0/24 an
 * error.  Static. */
const struct mc_dnsbl_list *mc_dnsbl_table_generic(void);

/* What answer ADDR (host byte order) means on LIST: the code entry that
 * holds it, or NULL (MC_DNSBL_OTHER: an answer outside the table). */
const struct mc_dnsbl_code *mc_dnsbl_classify(const struct mc_dnsbl_list *list, uint32_t addr);

#endif
