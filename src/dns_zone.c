/* SPDX-License-Identifier: MIT */
/*
 * dns_zone.c - zone files as an authoritative backend (--zone).
 *
 * Loading: the master-file format of RFC 1035 §5.1 as BIND and NSD accept
 * it.  ldns 1.8.3 reads single records well but has no $INCLUDE and no
 * $GENERATE, so this file reads each file itself: it joins parenthesised
 * continuation lines, drops comments, expands the directives ($ORIGIN, $TTL
 * per RFC 2308 §4, $INCLUDE, BIND's $GENERATE), decides owner, TTL and class
 * itself (RFC 1035 allows class and TTL in either order; ldns does not) and
 * hands ldns_rr_new_frm_str() one canonical "OWNER TTL IN TYPE RDATA" line.
 * A zone is then checked like a server would check it: one SOA (whose owner
 * is the origin), no out-of-zone data, no CNAME beside other data
 * (RFC 1034 §3.6.2), no zone loaded twice.
 *
 * Answering: RFC 1034 §4.3.2 for the closest enclosing zone, delegations and
 * CNAMEs; RFC 4592 for wildcards (closest encloser, source of synthesis);
 * RFC 2308 §2/§3 for NXDOMAIN and NODATA with the zone's SOA.  Each zone's
 * owner names live in one array sorted in canonical DNS order (RFC 4034
 * §6.1) over lowercased wire names, so that a name is found by binary search
 * and an empty non-terminal is recognised without storing it: in canonical
 * order the descendants of a name follow it directly (RFC 4592 §2.2.2).
 *
 * A CNAME chain is followed through every zone of the set, at most
 * MC_DNS_MAX_CNAMES links, and stops at a loop or where the set ends (the
 * resolver then asks the network for the last target).  Replies go through
 * ldns_pkt2wire(), which compresses names case-insensitively as NSD and
 * BIND do: a name keeps the zone's case unless it is written as a pointer
 * to an earlier equal name, which has the case of that name (RFC 4343 §4.1).
 *
 * Ownership: the set owns every zone, record and string; ldns objects never
 * leave this file.  mc_zone_set_answer() returns a malloc'd wire message the
 * caller frees, and the borrowed path of the file of the zone that answered
 * it: a CNAME chain is followed within that zone only (RFC 1034 §4.3.2,
 * step 3a), so every step is credited to the file that holds it.
 */
#include "mc_zone.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "mc_array.h"
#include "mc_cursor.h"
#include "mc_dns.h"

/* Guards against hostile or broken input; each is far above real zones. */
#define MAX_INCLUDE_DEPTH 16
#define MAX_FILES 1000 /* files one --zone may read, $INCLUDEs included */
#define MAX_FILE_SIZE ((size_t)64 << 20)
#define MAX_ENTRY_LEN ((size_t)1 << 20)
#define MAX_GENERATE_STEPS 1048576UL
#define MAX_GENERATE_WIDTH 255UL
/* RFC 2181 §8: a TTL is an unsigned 31-bit value. */
#define MAX_TTL 2147483647UL
/* What a record without a TTL gets before any $TTL or explicit TTL (the
 * default of NSD and ldns). */
#define FALLBACK_TTL 3600U
/* Longest wire-format name (RFC 1035 §3.1) and most labels in it. */
#define WIRE_NAME_MAX 255
#define LABELS_MAX 128

/* A name in lowercased wire form: the key of every lookup. */
struct wname {
    uint8_t data[WIRE_NAME_MAX];
    size_t len;
};

/* One owner name of a zone and its records, rrs[first .. first+count). */
struct zone_node {
    uint8_t *key; /* lowercased wire name */
    size_t keylen;
    size_t first;
    size_t count;
};

struct zone {
    char *path;          /* the file given to mc_zone_set_load() */
    const uint8_t *apex; /* key of the apex node (borrowed from nodes) */
    size_t apexlen;
    const ldns_rr *soa; /* borrowed from rrs */
    ldns_rr **rrs;      /* sorted by owner, file order within an owner */
    size_t nrrs;
    struct zone_node *nodes; /* canonical order (RFC 4034 §6.1) */
    size_t nnodes;
};

struct mc_zone_set {
    struct zone **zones;
    size_t nzones, zones_cap;
};

/* ---------------------------------------------------------------------- */
/* Names                                                                  */
/* ---------------------------------------------------------------------- */

/* Copies the wire form of the dname RDF into OUT, lowercased with the ASCII
 * helper (RFC 4343: DNS names compare case-insensitively in ASCII only).
 * Length octets are at most 63 and so never touched by the lowercasing. */
static bool wname_from_rdf(const ldns_rdf *rdf, struct wname *out)
{
    size_t len = ldns_rdf_size(rdf);
    if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME || len == 0 || len > WIRE_NAME_MAX)
        return false;
    const uint8_t *p = ldns_rdf_data(rdf);
    for (size_t i = 0; i < len; i++)
        out->data[i] = (uint8_t)mc_ascii_tolower(p[i]);
    out->len = len;
    return true;
}

/* Fills OFF with the offsets of the labels of NAME (root excluded); returns
 * their number. */
static size_t label_offsets(const uint8_t *name, size_t len, uint8_t off[LABELS_MAX])
{
    size_t n = 0, pos = 0;
    while (pos < len && name[pos] != 0 && n < LABELS_MAX) {
        off[n++] = (uint8_t)pos;
        pos += 1u + name[pos];
    }
    return n;
}

/* Canonical DNS name order (RFC 4034 §6.1) of two lowercased wire names:
 * labels compared from the root down, as octet strings. */
static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    uint8_t ao[LABELS_MAX], bo[LABELS_MAX];
    size_t na = label_offsets(a, alen, ao);
    size_t nb = label_offsets(b, blen, bo);
    while (na > 0 && nb > 0) {
        const uint8_t *la = a + ao[--na];
        const uint8_t *lb = b + bo[--nb];
        size_t m = la[0] < lb[0] ? la[0] : lb[0];
        int c = memcmp(la + 1, lb + 1, m);
        if (c != 0)
            return c;
        if (la[0] != lb[0])
            return la[0] < lb[0] ? -1 : 1;
    }
    return na > 0 ? 1 : (nb > 0 ? -1 : 0);
}

/* True when NAME equals ANCESTOR or lies below it. */
static bool name_at_or_below(const uint8_t *name, size_t len, const uint8_t *ancestor, size_t alen)
{
    size_t pos = 0;
    while (len - pos > alen) {
        if (name[pos] == 0)
            return false;
        pos += 1u + name[pos];
        if (pos > len)
            return false;
    }
    return len - pos == alen && memcmp(name + pos, ancestor, alen) == 0;
}

/* The parent of NAME (one label chopped), in place: no copy needed since a
 * wire name's suffix is a wire name. */
static bool wname_parent(const uint8_t **name, size_t *len)
{
    if (*len <= 1)
        return false;
    size_t skip = 1u + (*name)[0];
    *name += skip;
    *len -= skip;
    return true;
}

/* First node >= NAME in canonical order. */
static size_t lower_bound(const struct zone *z, const uint8_t *name, size_t len)
{
    size_t lo = 0, hi = z->nnodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (name_cmp(z->nodes[mid].key, z->nodes[mid].keylen, name, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

enum node_kind {
    NODE_ABSENT,
    NODE_EMPTY, /* an empty non-terminal: it exists, without data */
    NODE_DATA,
};

/* Finds NAME in Z.  A name with no records of its own still exists when a
 * name below it does (RFC 4592 §2.2.2); in canonical order such a name is
 * the first one after NAME. */
static enum node_kind find_node(const struct zone *z, const uint8_t *name, size_t len,
                                const struct zone_node **node)
{
    size_t i = lower_bound(z, name, len);
    if (i >= z->nnodes)
        return NODE_ABSENT;
    const struct zone_node *n = &z->nodes[i];
    if (n->keylen == len && memcmp(n->key, name, len) == 0) {
        *node = n;
        return NODE_DATA;
    }
    return name_at_or_below(n->key, n->keylen, name, len) ? NODE_EMPTY : NODE_ABSENT;
}

/* Parses a name token of a zone file: "@" is the origin, a name without a
 * trailing dot is relative to ORIGIN (RFC 1035 §5.1).  Returns a new rdf or
 * NULL with *ERR set to a static message. */
static ldns_rdf *name_from_token(const char *tok, const ldns_rdf *origin, const char **err)
{
    if (strcmp(tok, "@") == 0) {
        if (!origin) {
            *err = "'@' used but no $ORIGIN is known";
            return NULL;
        }
        return ldns_rdf_clone(origin);
    }
    ldns_rdf *name = ldns_dname_new_frm_str(tok);
    if (!name) {
        *err = "bad domain name";
        return NULL;
    }
    if (!ldns_dname_str_absolute(tok)) {
        if (!origin) {
            ldns_rdf_deep_free(name);
            *err = "relative name but no $ORIGIN is known";
            return NULL;
        }
        if (ldns_dname_cat(name, origin) != LDNS_STATUS_OK) {
            ldns_rdf_deep_free(name);
            *err = "domain name too long";
            return NULL;
        }
    }
    return name;
}

/* Presentation form of an rdf; never NULL.  Caller frees. */
static char *rdf_str(const ldns_rdf *rdf)
{
    char *s = ldns_rdf2str(rdf);
    if (!s)
        mc_oom();
    return s;
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

/* One record read from a file, with where it came from for later errors. */
struct loaded_rr {
    ldns_rr *rr;
    uint8_t *key;
    size_t keylen;
    const char *file; /* borrowed from loader.files */
    unsigned line;
    size_t seq; /* file order, to keep it within an owner after sorting */
};

/* The state of one mc_zone_set_load() call. */
struct loader {
    struct loaded_rr *rrs;
    size_t nrrs, caprrs;
    char **files; /* display names of every file read, for messages */
    size_t nfiles, capfiles;
    struct {
        dev_t dev;
        ino_t ino;
    } open[MAX_INCLUDE_DEPTH + 1]; /* the files being read, to find loops */
    size_t depth;
    uint32_t ttl; /* $TTL (RFC 2308 §4) */
    bool have_ttl;
    uint32_t last_ttl; /* last explicit TTL (RFC 1035 §5.1) */
    bool have_last_ttl;
    ldns_rdf *no_origin; /* see add_record() */
    char *why;
};

/* Per-file state: RFC 1035 §5.1 says an $INCLUDE leaves the including
 * file's origin alone, so each file has its own (and its own previous
 * owner, as BIND does). */
struct file_state {
    const char *path; /* display name, borrowed from loader.files */
    ldns_rdf *origin; /* NULL until known */
    ldns_rdf *prev;   /* owner of the previous record, NULL at first */
};

/* Records the first error as "FILE:LINE: message" (LINE 0: "FILE: message").
 * Always returns false, for "return fail(...)". */
static bool fail(struct loader *ld, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail(struct loader *ld, const char *file, unsigned line, const char *fmt, ...)
{
    if (ld->why)
        return false;
    va_list ap;
    va_start(ap, fmt);
    char *msg = mc_xvasprintf(fmt, ap);
    va_end(ap);
    if (line)
        ld->why = mc_xasprintf("%s:%u: %s", file, line, msg);
    else
        ld->why = mc_xasprintf("%s: %s", file, msg);
    free(msg);
    return false;
}

static const char *intern_file(struct loader *ld, const char *path)
{
    MC_ARRAY_RESERVE(ld->files, ld->capfiles, ld->nfiles + 1);
    ld->files[ld->nfiles] = mc_xstrdup(path);
    return ld->files[ld->nfiles++];
}

static void loader_free(struct loader *ld)
{
    for (size_t i = 0; i < ld->nrrs; i++) {
        ldns_rr_free(ld->rrs[i].rr);
        free(ld->rrs[i].key);
    }
    free(ld->rrs);
    for (size_t i = 0; i < ld->nfiles; i++)
        free(ld->files[i]);
    free(ld->files);
    ldns_rdf_deep_free(ld->no_origin);
    free(ld->why);
}

/* A growable text buffer with a hard cap. */
struct strbuf {
    char *s;
    size_t len, cap;
};

static bool sb_putc(struct strbuf *sb, char c)
{
    if (sb->len + 2 > MAX_ENTRY_LEN)
        return false;
    MC_ARRAY_RESERVE(sb->s, sb->cap, sb->len + 2);
    sb->s[sb->len++] = c;
    sb->s[sb->len] = '\0';
    return true;
}

static bool sb_puts(struct strbuf *sb, const char *s)
{
    for (; *s; s++)
        if (!sb_putc(sb, *s))
            return false;
    return true;
}

/* Reads all of PATH.  Errors name FROM:FROM_LINE (the $INCLUDE) if given. */
static bool read_whole_file(struct loader *ld, const char *path, const char *from,
                            unsigned from_line, char **out, size_t *outlen, struct stat *st)
{
    const char *ef = from ? from : path;
    const char *pre = from ? "$INCLUDE " : "";
    const char *pname = from ? path : "";
    const char *sep = from ? ": " : "";
    /* O_NONBLOCK: a FIFO without a writer must not block the run (the
     * deadline does not cover loading); it is refused below anyway. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return fail(ld, ef, from_line, "%s%s%scannot open: %s", pre, pname, sep, strerror(errno));
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return fail(ld, ef, from_line, "%s%s%scannot stat: %s", pre, pname, sep, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return fail(ld, ef, from_line, "%s%s%sis %s, not a zone file", pre, pname, sep,
                    S_ISDIR(st->st_mode) ? "a directory" : "not a regular file");
    }
    size_t cap = 0, len = 0;
    char *buf = NULL;
    MC_ARRAY_RESERVE(buf, cap, 4096);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= MAX_FILE_SIZE) {
                close(fd);
                free(buf);
                return fail(ld, ef, from_line, "%s%s%sfile larger than %zu MiB", pre, pname, sep,
                            MAX_FILE_SIZE >> 20);
            }
            MC_ARRAY_RESERVE(buf, cap, cap * 2);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            free(buf);
            return fail(ld, ef, from_line, "%s%s%scannot read: %s", pre, pname, sep, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        free(buf);
        return fail(ld, ef, from_line, "%s%s%scontains a NUL byte (not a zone file)", pre, pname,
                    sep);
    }
    *out = buf;
    *outlen = len;
    return true;
}

/* One file's text being read. */
struct reader {
    struct mc_cursor cur; /* over the text (borrowed from load_file()) */
    unsigned line;        /* of the octet at the cursor */
};

/* Takes the octet a backslash escapes: the next one, unless the text or the
 * line ends there (RFC 1035 §5.1: "\X" quotes X).  -1 when there is none. */
static int take_escaped(struct mc_cursor *c)
{
    int e = mc_cursor_peek(c);
    if (e < 0 || e == '\n')
        return -1;
    mc_cursor_skip(c, 1);
    return e;
}

/*
 * Reads the next entry (one record or directive) into SB, normalised for
 * ldns: comments dropped, parentheses joined into one line and removed
 * (RFC 1035 §5.1), every run of blanks outside quotes one space, no leading
 * or trailing space.  Quoted strings and backslash escapes are kept as they
 * are.  *LEAD tells whether the entry's line began with a blank (the owner
 * is then the previous one).  Returns 1 for an entry, 0 at the end, -1 on
 * error (in LD).
 */
static int read_entry(struct loader *ld, const char *file, struct reader *r, struct strbuf *sb,
                      bool *lead, unsigned *start_line)
{
    unsigned depth = 0, paren_line = 0;
    bool quoted = false, blank = false, content = false, at_line_start = true;
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
    for (;;) {
        if (at_line_start && !content && depth == 0) {
            sb->len = 0;
            blank = false;
            *start_line = r->line;
            int first = mc_cursor_peek(&r->cur);
            *lead = first == ' ' || first == '\t';
        }
        at_line_start = false;
        if (mc_cursor_at_end(&r->cur)) {
            if (quoted)
                return fail(ld, file, *start_line, "unterminated quoted string"), -1;
            if (depth > 0)
                return fail(ld, file, paren_line, "'(' without ')'"), -1;
            return content ? 1 : 0;
        }
        char c = (char)mc_cursor_next(&r->cur);
        int escaped;
        if (quoted) {
            if (c == '\n')
                return fail(ld, file, r->line, "unterminated quoted string"), -1;
            if (!sb_putc(sb, c))
                goto too_long;
            if (c == '\\' && (escaped = take_escaped(&r->cur)) >= 0) {
                if (!sb_putc(sb, (char)escaped))
                    goto too_long;
            } else if (c == '"') {
                quoted = false;
            }
            continue;
        }
        switch (c) {
        case '\n':
            r->line++;
            at_line_start = true;
            if (depth == 0 && content)
                return 1;
            blank = true;
            continue;
        case ' ':
        case '\t':
        case '\r': blank = true; continue;
        case ';': /* a comment runs to the end of the line */
            mc_cursor_skip_until(&r->cur, '\n');
            continue;
        case '(':
            if (depth++ == 0)
                paren_line = r->line;
            blank = true;
            continue;
        case ')':
            if (depth == 0)
                return fail(ld, file, r->line, "')' without '('"), -1;
            depth--;
            blank = true;
            continue;
        default: break;
        }
        if (blank && content && !sb_putc(sb, ' '))
            goto too_long;
        blank = false;
        content = true;
        if (!sb_putc(sb, c))
            goto too_long;
        if (c == '"') {
            quoted = true;
        } else if (c == '\\' && (escaped = take_escaped(&r->cur)) >= 0) {
            if (!sb_putc(sb, (char)escaped))
                goto too_long;
        }
    }
too_long:
    return fail(ld, file, *start_line, "entry longer than %zu bytes", MAX_ENTRY_LEN), -1;
}

/* Cuts the token at *P (up to an unescaped blank outside quotes) by writing
 * a NUL after it; advances *P past it.  Returns the token, or NULL if none
 * is left. */
static char *next_token(char **p)
{
    char *s = *p;
    if (*s == '\0')
        return NULL;
    size_t i = 0;
    bool quoted = false;
    while (s[i]) {
        if (s[i] == '\\' && s[i + 1]) {
            i += 2;
            continue;
        }
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == ' ' && !quoted)
            break;
        i++;
    }
    if (s[i] == ' ') {
        s[i] = '\0';
        *p = s + i + 1;
    } else {
        *p = s + i;
    }
    return s;
}

/* Parses a TTL: seconds, or BIND's units ("1h30m": s, m, h, d, w, any
 * case).  At most 2^31-1 (RFC 2181 §8). */
static bool parse_ttl(const char *tok, uint32_t *out)
{
    unsigned long v;
    if (mc_parse_uint(tok, MAX_TTL, &v)) {
        *out = (uint32_t)v;
        return true;
    }
    unsigned long total = 0;
    const char *p = tok;
    while (*p) {
        unsigned long n = 0, unit;
        if (!mc_ascii_isdigit((unsigned char)*p))
            return false;
        while (mc_ascii_isdigit((unsigned char)*p)) {
            n = n * 10 + (unsigned long)(*p++ - '0');
            if (n > MAX_TTL)
                return false;
        }
        switch (mc_ascii_tolower((unsigned char)*p)) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 604800; break;
        default: return false; /* plain digits without unit were tried above */
        }
        p++;
        if (n > (MAX_TTL - total) / unit)
            return false;
        total += n * unit;
    }
    *out = (uint32_t)total;
    return true;
}

/* True when a domain name in RR's rdata was relative and got completed with
 * the no-origin placeholder (see add_record()). */
static bool uses_placeholder(const ldns_rr *rr, const ldns_rdf *placeholder)
{
    for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
        const ldns_rdf *f = ldns_rr_rdf(rr, i);
        if (f && ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
            ldns_dname_is_subdomain(f, placeholder))
            return true;
    }
    return false;
}

/*
 * Parses one record entry TEXT (normalised by read_entry(); modified in
 * place) and appends it to LD.  LEAD: the owner was left out.
 * RFC 1035 §5.1: <owner> [<TTL>] [<class>] <type> <RDATA>, TTL and class in
 * either order; a missing owner is the previous one; a missing TTL is $TTL
 * (RFC 2308 §4), else the last explicit TTL.
 */
static bool add_record(struct loader *ld, struct file_state *fs, char *text, bool lead,
                       unsigned line)
{
    const char *err = NULL;
    char *p = text;
    ldns_rdf *owner = NULL;
    if (lead) {
        if (!fs->prev)
            return fail(ld, fs->path, line, "record without owner and no previous owner");
        owner = ldns_rdf_clone(fs->prev);
    } else {
        char *tok = next_token(&p);
        owner = tok ? name_from_token(tok, fs->origin, &err) : NULL;
        if (!owner)
            return fail(ld, fs->path, line, "bad owner name '%.80s': %s", tok ? tok : "",
                        err ? err : "missing");
    }
    if (!owner)
        mc_oom();

    bool have_ttl = false, have_class = false;
    uint32_t ttl = 0;
    char *type = NULL;
    for (char *tok; (tok = next_token(&p)) != NULL;) {
        if (!have_ttl && mc_ascii_isdigit((unsigned char)tok[0])) {
            if (!parse_ttl(tok, &ttl)) {
                ldns_rdf_deep_free(owner);
                return fail(ld, fs->path, line, "bad TTL '%s'", tok);
            }
            have_ttl = true;
            continue;
        }
        ldns_rr_class cls = ldns_get_rr_class_by_name(tok);
        if (!have_class && cls != 0) {
            if (cls != LDNS_RR_CLASS_IN) {
                ldns_rdf_deep_free(owner);
                return fail(ld, fs->path, line, "class %s not supported (only IN)", tok);
            }
            have_class = true;
            continue;
        }
        type = tok;
        break;
    }
    if (!type) {
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "bad record: no type");
    }
    ldns_rr_type rtype = ldns_get_rr_type_by_name(type);
    if (rtype == 0) {
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "bad record: unknown type '%s'", type);
    }
    /* Query-only types (RFC 6895 §3.1) cannot be zone data. */
    if (rtype == LDNS_RR_TYPE_OPT || rtype == LDNS_RR_TYPE_ANY || rtype == LDNS_RR_TYPE_AXFR ||
        rtype == LDNS_RR_TYPE_IXFR || rtype == LDNS_RR_TYPE_MAILA || rtype == LDNS_RR_TYPE_MAILB ||
        rtype == LDNS_RR_TYPE_TSIG) {
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "bad record: type %s cannot be zone data", type);
    }
    if (have_ttl) {
        ld->last_ttl = ttl;
        ld->have_last_ttl = true;
    } else {
        ttl = ld->have_ttl ? ld->ttl : ld->have_last_ttl ? ld->last_ttl : FALLBACK_TTL;
    }

    char *owner_s = rdf_str(owner);
    char *rec = mc_xasprintf("%s %u IN %s %s", owner_s, (unsigned)ttl, type, p);
    free(owner_s);
    /* Without an origin ldns would complete relative names in the rdata in
     * its own way; complete them with a reserved placeholder (RFC 6761 §6.4)
     * instead and reject the record if one shows up. */
    const ldns_rdf *origin = fs->origin ? fs->origin : ld->no_origin;
    ldns_rr *rr = NULL;
    ldns_status st = ldns_rr_new_frm_str(&rr, rec, 0, origin, NULL);
    free(rec);
    if (st != LDNS_STATUS_OK || !rr) {
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "bad record: %s", ldns_get_errorstr_by_id(st));
    }
    if (!fs->origin && uses_placeholder(rr, ld->no_origin)) {
        ldns_rr_free(rr);
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "relative name in record data but no $ORIGIN is known");
    }

    struct wname key;
    if (!wname_from_rdf(ldns_rr_owner(rr), &key)) {
        ldns_rr_free(rr);
        ldns_rdf_deep_free(owner);
        return fail(ld, fs->path, line, "bad owner name");
    }
    MC_ARRAY_RESERVE(ld->rrs, ld->caprrs, ld->nrrs + 1);
    struct loaded_rr *lr = &ld->rrs[ld->nrrs];
    lr->rr = rr;
    lr->key = mc_xmalloc(key.len);
    memcpy(lr->key, key.data, key.len);
    lr->keylen = key.len;
    lr->file = fs->path;
    lr->line = line;
    lr->seq = ld->nrrs++;

    ldns_rdf_deep_free(fs->prev);
    fs->prev = owner;
    return true;
}

/* Takes the decimal number at C into *OUT.  Returns 0 when C holds no
 * digit, -1 when the number is over MAX, 1 for a number. */
static int take_number(struct mc_cursor *c, unsigned long max, unsigned long *out)
{
    const char *digits;
    size_t n = mc_cursor_take_while(c, mc_cursor_digit, NULL, &digits);
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned long)(digits[i] - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return n > 0;
}

/* Appends the $GENERATE value V to SB as "${offset,width,base}" asks (SPEC
 * at C, just after "${"); advances C past the "}".  BIND's semantics: base
 * d, o, x, X, or n/N for nibbles (reversed, dot-separated, WIDTH counting
 * the dots too). */
static bool gen_format(struct mc_cursor *c, unsigned long v, struct strbuf *sb, const char **err)
{
    long offset = 0;
    unsigned long width = 0;
    char base = 'd';
    /* offset: an optionally signed decimal number */
    bool neg = mc_cursor_expect(c, '-');
    if (!neg)
        mc_cursor_expect(c, '+');
    unsigned long mag = 0;
    int got = take_number(c, INT_MAX, &mag);
    if (got <= 0) {
        *err = got < 0 ? "offset out of range" : "bad ${offset,width,base}";
        return false;
    }
    offset = neg ? -(long)mag : (long)mag;
    if (mc_cursor_expect(c, ',')) {
        got = take_number(c, MAX_GENERATE_WIDTH, &width);
        if (got <= 0) {
            *err = got < 0 ? "width out of range" : "bad width in ${offset,width,base}";
            return false;
        }
        if (mc_cursor_expect(c, ',')) {
            int b = mc_cursor_peek(c);
            if (b <= 0 || !strchr("doxXnN", b)) {
                *err = "bad base in ${offset,width,base} (d, o, x, X, n or N)";
                return false;
            }
            base = (char)b;
            mc_cursor_skip(c, 1);
        }
    }
    if (!mc_cursor_expect(c, '}')) {
        *err = "missing '}' in ${offset,width,base}";
        return false;
    }

    long long value = (long long)v + offset;
    if (value < 0) {
        *err = "offset makes the value negative";
        return false;
    }
    char num[600];
    if (base == 'n' || base == 'N') {
        const char *digits = base == 'n' ? "0123456789abcdef" : "0123456789ABCDEF";
        unsigned long long x = (unsigned long long)value;
        size_t n = 0;
        unsigned long w = width;
        do {
            num[n++] = digits[x & 0xf];
            x >>= 4;
            if (w > 0)
                w--;
            if (w > 0 || x != 0) {
                num[n++] = '.';
                if (w > 0)
                    w--;
            }
        } while ((x != 0 || w > 0) && n < sizeof num - 3);
        num[n] = '\0';
    } else {
        int w = (int)width;
        switch (base) {
        case 'o': snprintf(num, sizeof num, "%0*llo", w, value); break;
        case 'x': snprintf(num, sizeof num, "%0*llx", w, value); break;
        case 'X': snprintf(num, sizeof num, "%0*llX", w, value); break;
        default: snprintf(num, sizeof num, "%0*lld", w, value); break;
        }
    }
    if (!sb_puts(sb, num)) {
        *err = "expansion too long";
        return false;
    }
    return true;
}

/* Expands TEMPLATE for the value V: "$" is V, "${...}" formats it, "$$" is a
 * literal "$"; backslash escapes are kept for ldns. */
static bool gen_expand(const char *tmpl, unsigned long v, struct strbuf *sb, const char **err)
{
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
    struct mc_cursor c = mc_cursor_make(tmpl, strlen(tmpl));
    while (!mc_cursor_at_end(&c)) {
        int here = mc_cursor_peek(&c), next = mc_cursor_peek_at(&c, 1);
        bool ok = true;
        if (here == '\\' && next >= 0) {
            ok = sb_putc(sb, '\\') && sb_putc(sb, (char)next);
            mc_cursor_skip(&c, 2);
        } else if (here == '$' && next == '$') {
            ok = sb_putc(sb, '$');
            mc_cursor_skip(&c, 2);
        } else if (here == '$' && next == '{') {
            mc_cursor_skip(&c, 2);
            if (!gen_format(&c, v, sb, err))
                return false;
        } else if (here == '$') {
            char num[32];
            snprintf(num, sizeof num, "%lu", v);
            ok = sb_puts(sb, num);
            mc_cursor_skip(&c, 1);
        } else {
            ok = sb_putc(sb, (char)here);
            mc_cursor_skip(&c, 1);
        }
        if (!ok) {
            *err = "expansion too long";
            return false;
        }
    }
    return true;
}

/* Parses "start-stop[/step]" of $GENERATE. */
static bool parse_range(char *tok, unsigned long *start, unsigned long *stop, unsigned long *step)
{
    char *dash = strchr(tok, '-');
    if (!dash)
        return false;
    *dash = '\0';
    char *slash = strchr(dash + 1, '/');
    *step = 1;
    if (slash) {
        *slash = '\0';
        if (!mc_parse_uint(slash + 1, MAX_GENERATE_STEPS, step) || *step == 0)
            return false;
    }
    return mc_parse_uint(tok, INT_MAX, start) && mc_parse_uint(dash + 1, INT_MAX, stop) &&
           *start <= *stop;
}

/* BIND's "$GENERATE range lhs [ttl] [class] type rhs": one record per value
 * of the range, every "$" in the rest replaced. */
static bool do_generate(struct loader *ld, struct file_state *fs, char *rest, unsigned line)
{
    char *range = next_token(&rest);
    unsigned long start, stop, step;
    if (!range || !parse_range(range, &start, &stop, &step))
        return fail(ld, fs->path, line, "$GENERATE: bad range (want start-stop[/step])");
    if (*rest == '\0')
        return fail(ld, fs->path, line, "$GENERATE: missing record template");
    if ((stop - start) / step >= MAX_GENERATE_STEPS)
        return fail(ld, fs->path, line, "$GENERATE: more than %lu records", MAX_GENERATE_STEPS);
    struct strbuf sb = {0};
    bool ok = true;
    for (unsigned long v = start; ok && v <= stop; v += step) {
        const char *err = NULL;
        if (!gen_expand(rest, v, &sb, &err)) {
            ok = fail(ld, fs->path, line, "$GENERATE: %s", err);
            break;
        }
        ok = add_record(ld, fs, sb.s, false, line);
        if (stop - v < step)
            break;
    }
    free(sb.s);
    return ok;
}

static bool load_file(struct loader *ld, const char *path, const ldns_rdf *origin,
                      const ldns_rdf *prev, const char *from, unsigned from_line);

/* "$INCLUDE file [origin]": a relative FILE is taken from the including
 * file's directory; ORIGIN (relative to the current one) applies to the
 * included file only (RFC 1035 §5.1). */
static bool do_include(struct loader *ld, struct file_state *fs, char *rest, unsigned line)
{
    char *file = next_token(&rest);
    char *org = next_token(&rest);
    if (!file)
        return fail(ld, fs->path, line, "$INCLUDE: missing file name");
    if (*rest != '\0')
        return fail(ld, fs->path, line, "$INCLUDE: unexpected '%s'", rest);
    size_t flen = strlen(file);
    if (flen >= 2 && file[0] == '"' && file[flen - 1] == '"') {
        file[flen - 1] = '\0';
        file++;
    }
    if (*file == '\0')
        return fail(ld, fs->path, line, "$INCLUDE: empty file name");

    ldns_rdf *child_origin = NULL;
    if (org) {
        const char *err = NULL;
        child_origin = name_from_token(org, fs->origin, &err);
        if (!child_origin)
            return fail(ld, fs->path, line, "$INCLUDE: bad origin '%s': %s", org, err);
    }
    char *resolved;
    const char *slash = strrchr(fs->path, '/');
    if (file[0] == '/' || !slash)
        resolved = mc_xstrdup(file);
    else
        resolved = mc_xasprintf("%.*s/%s", (int)(slash - fs->path), fs->path, file);
    bool ok =
        load_file(ld, resolved, child_origin ? child_origin : fs->origin, fs->prev, fs->path, line);
    free(resolved);
    ldns_rdf_deep_free(child_origin);
    return ok;
}

/* One $-directive (the entry starts with '$' in the first column). */
static bool do_directive(struct loader *ld, struct file_state *fs, char *text, unsigned line)
{
    char *p = text;
    char *word = next_token(&p);
    if (mc_ascii_strcasecmp(word, "$ORIGIN") == 0) {
        char *name = next_token(&p);
        if (!name || *p != '\0')
            return fail(ld, fs->path, line, "$ORIGIN: want exactly one domain name");
        const char *err = NULL;
        ldns_rdf *o = name_from_token(name, fs->origin, &err);
        if (!o)
            return fail(ld, fs->path, line, "$ORIGIN: bad name '%s': %s", name, err);
        ldns_rdf_deep_free(fs->origin);
        fs->origin = o;
        return true;
    }
    if (mc_ascii_strcasecmp(word, "$TTL") == 0) {
        char *v = next_token(&p);
        uint32_t ttl;
        if (!v || *p != '\0' || !parse_ttl(v, &ttl))
            return fail(ld, fs->path, line, "$TTL: want one TTL value");
        ld->ttl = ttl;
        ld->have_ttl = true;
        return true;
    }
    if (mc_ascii_strcasecmp(word, "$INCLUDE") == 0)
        return do_include(ld, fs, p, line);
    if (mc_ascii_strcasecmp(word, "$GENERATE") == 0)
        return do_generate(ld, fs, p, line);
    return fail(ld, fs->path, line, "unknown directive %s", word);
}

/* Reads PATH (and what it includes) into LD.  FROM/FROM_LINE name the
 * $INCLUDE that asked for it (NULL for the top file). */
static bool load_file(struct loader *ld, const char *path, const ldns_rdf *origin,
                      const ldns_rdf *prev, const char *from, unsigned from_line)
{
    if (ld->depth > MAX_INCLUDE_DEPTH)
        return fail(ld, from, from_line, "$INCLUDE nested more than %d deep", MAX_INCLUDE_DEPTH);
    /* Depth alone does not bound the work: ten includes a file, sixteen
     * deep, is 10^16 files.  Count every file read. */
    if (ld->nfiles >= MAX_FILES)
        return fail(ld, from, from_line, "more than %d files read ($INCLUDE)", MAX_FILES);
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (!read_whole_file(ld, path, from, from_line, &text, &len, &st))
        return false;
    for (size_t i = 0; i < ld->depth; i++) {
        if (ld->open[i].dev == st.st_dev && ld->open[i].ino == st.st_ino) {
            free(text);
            return fail(ld, from, from_line, "$INCLUDE loop: %s is already being read", path);
        }
    }
    ld->open[ld->depth].dev = st.st_dev;
    ld->open[ld->depth].ino = st.st_ino;
    ld->depth++;

    struct file_state fs = {
        .path = intern_file(ld, path),
        .origin = origin ? ldns_rdf_clone(origin) : NULL,
        .prev = prev ? ldns_rdf_clone(prev) : NULL,
    };
    struct reader r = {.cur = mc_cursor_make(text, len), .line = 1};
    struct strbuf sb = {0};
    bool ok = true;
    for (;;) {
        bool lead = false;
        unsigned line = 0;
        int rc = read_entry(ld, fs.path, &r, &sb, &lead, &line);
        if (rc <= 0) {
            ok = rc == 0;
            break;
        }
        if (!lead && sb.s[0] == '$')
            ok = do_directive(ld, &fs, sb.s, line);
        else
            ok = add_record(ld, &fs, sb.s, lead, line);
        if (!ok)
            break;
    }
    free(sb.s);
    free(text);
    ldns_rdf_deep_free(fs.origin);
    ldns_rdf_deep_free(fs.prev);
    ld->depth--;
    return ok;
}

static int loaded_cmp(const void *a, const void *b)
{
    const struct loaded_rr *x = a, *y = b;
    int c = name_cmp(x->key, x->keylen, y->key, y->keylen);
    if (c != 0)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void zone_free(struct zone *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->nrrs; i++)
        ldns_rr_free(z->rrs[i]);
    for (size_t i = 0; i < z->nnodes; i++)
        free(z->nodes[i].key);
    free(z->rrs);
    free(z->nodes);
    free(z->path);
    free(z);
}

/* RFC 1034 §3.6.2: a CNAME owner has no other data, except what DNSSEC puts
 * beside it (RFC 4035 §2.5). */
static bool check_node(struct loader *ld, const struct loaded_rr *rrs, size_t n)
{
    const struct loaded_rr *cname = NULL, *other = NULL;
    for (size_t i = 0; i < n; i++) {
        ldns_rr_type t = ldns_rr_get_type(rrs[i].rr);
        if (t == LDNS_RR_TYPE_CNAME) {
            if (cname) {
                char *o = rdf_str(ldns_rr_owner(rrs[i].rr));
                fail(ld, rrs[i].file, rrs[i].line, "second CNAME at %s", o);
                free(o);
                return false;
            }
            cname = &rrs[i];
        } else if (t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_NSEC) {
            other = &rrs[i];
        }
    }
    if (cname && other) {
        char *o = rdf_str(ldns_rr_owner(cname->rr));
        fail(ld, cname->file, cname->line, "CNAME and other data at %s (RFC 1034 3.6.2)", o);
        free(o);
        return false;
    }
    return true;
}

/* True when A and B (same owner) are the same record: type and rdata, names
 * in the rdata compared case-insensitively.  No allocation: this runs for
 * every pair of records at one owner. */
static bool same_rdata(const ldns_rr *a, const ldns_rr *b)
{
    if (ldns_rr_get_type(a) != ldns_rr_get_type(b) || ldns_rr_rd_count(a) != ldns_rr_rd_count(b))
        return false;
    for (size_t i = 0; i < ldns_rr_rd_count(a); i++) {
        const ldns_rdf *x = ldns_rr_rdf(a, i), *y = ldns_rr_rdf(b, i);
        if (ldns_rdf_size(x) != ldns_rdf_size(y) || ldns_rdf_get_type(x) != ldns_rdf_get_type(y))
            return false;
        const uint8_t *p = ldns_rdf_data(x), *q = ldns_rdf_data(y);
        bool dname = ldns_rdf_get_type(x) == LDNS_RDF_TYPE_DNAME;
        for (size_t k = 0; k < ldns_rdf_size(x); k++) {
            int c = dname ? mc_ascii_tolower(p[k]) : p[k];
            int d = dname ? mc_ascii_tolower(q[k]) : q[k];
            if (c != d)
                return false;
        }
    }
    return true;
}

/* Orders records of one owner by type and rdata (names ignoring case, as
 * same_rdata() compares them), then by their place in the file. */
struct ranked_rr {
    const ldns_rr *rr;
    size_t place;
};

static int rdata_order(const void *x, const void *y)
{
    const struct ranked_rr *a = x, *b = y;
    ldns_rr_type ta = ldns_rr_get_type(a->rr), tb = ldns_rr_get_type(b->rr);
    if (ta != tb)
        return ta < tb ? -1 : 1;
    size_t na = ldns_rr_rd_count(a->rr), nb = ldns_rr_rd_count(b->rr);
    if (na != nb)
        return na < nb ? -1 : 1;
    for (size_t i = 0; i < na; i++) {
        const ldns_rdf *p = ldns_rr_rdf(a->rr, i), *q = ldns_rr_rdf(b->rr, i);
        size_t lp = ldns_rdf_size(p), lq = ldns_rdf_size(q);
        if (lp != lq)
            return lp < lq ? -1 : 1;
        if (ldns_rdf_get_type(p) != ldns_rdf_get_type(q))
            return ldns_rdf_get_type(p) < ldns_rdf_get_type(q) ? -1 : 1;
        bool dname = ldns_rdf_get_type(p) == LDNS_RDF_TYPE_DNAME;
        const uint8_t *dp = ldns_rdf_data(p), *dq = ldns_rdf_data(q);
        for (size_t k = 0; k < lp; k++) {
            int c = dname ? mc_ascii_tolower(dp[k]) : dp[k];
            int d = dname ? mc_ascii_tolower(dq[k]) : dq[k];
            if (c != d)
                return c < d ? -1 : 1;
        }
    }
    return a->place < b->place ? -1 : a->place > b->place;
}

/* The same record twice is one record, as in a server (RFC 2181 §5: an
 * RRset holds no duplicates): drops every repeat, keeping the first in
 * file order and the order of the rest.  Few records at an owner are
 * compared pairwise; many are sorted first, so that a $GENERATE of
 * thousands of records at one name stays O(n log n). */
static void drop_duplicates(struct zone *z)
{
    bool *dup = mc_xcalloc(z->nrrs + 1, sizeof *dup);
    for (size_t n = 0; n < z->nnodes; n++) {
        const struct zone_node *node = &z->nodes[n];
        ldns_rr **rrs = z->rrs + node->first;
        if (node->count <= 32) {
            for (size_t i = 1; i < node->count; i++)
                for (size_t k = 0; k < i && !dup[node->first + i]; k++)
                    dup[node->first + i] = !dup[node->first + k] && same_rdata(rrs[k], rrs[i]);
            continue;
        }
        struct ranked_rr *ranked = mc_xmalloc(node->count * sizeof *ranked);
        for (size_t i = 0; i < node->count; i++)
            ranked[i] = (struct ranked_rr){.rr = rrs[i], .place = i};
        qsort(ranked, node->count, sizeof *ranked, rdata_order);
        for (size_t i = 1; i < node->count; i++)
            if (same_rdata(ranked[i - 1].rr, ranked[i].rr))
                dup[node->first + ranked[i].place] = true;
        free(ranked);
    }
    size_t kept = 0;
    for (size_t n = 0; n < z->nnodes; n++) {
        struct zone_node *node = &z->nodes[n];
        size_t first = kept;
        for (size_t i = node->first; i < node->first + node->count; i++) {
            if (dup[i])
                ldns_rr_free(z->rrs[i]);
            else
                z->rrs[kept++] = z->rrs[i];
        }
        node->first = first;
        node->count = kept - first;
    }
    z->nrrs = kept;
    free(dup);
}

/* Turns the records read for the top file PATH into a zone of SET. */
static struct zone *build_zone(struct loader *ld, const struct mc_zone_set *set, const char *path)
{
    if (ld->nrrs == 0) {
        fail(ld, path, 0, "no records (empty zone file)");
        return NULL;
    }
    const struct loaded_rr *soa = NULL;
    for (size_t i = 0; i < ld->nrrs; i++) {
        if (ldns_rr_get_type(ld->rrs[i].rr) != LDNS_RR_TYPE_SOA)
            continue;
        if (soa) {
            fail(ld, ld->rrs[i].file, ld->rrs[i].line, "second SOA record (the first is at %s:%u)",
                 soa->file, soa->line);
            return NULL;
        }
        soa = &ld->rrs[i];
    }
    if (!soa) {
        fail(ld, path, 0, "no SOA record, so no zone (RFC 1035 5.2)");
        return NULL;
    }
    const uint8_t *apex = soa->key;
    size_t apexlen = soa->keylen;
    for (size_t i = 0; i < set->nzones; i++) {
        const struct zone *z = set->zones[i];
        if (z->apexlen == apexlen && memcmp(z->apex, apex, apexlen) == 0) {
            char *o = rdf_str(ldns_rr_owner(soa->rr));
            fail(ld, path, 0, "zone %s is already loaded from %s", o, z->path);
            free(o);
            return NULL;
        }
    }
    for (size_t i = 0; i < ld->nrrs; i++) {
        const struct loaded_rr *lr = &ld->rrs[i];
        if (!name_at_or_below(lr->key, lr->keylen, apex, apexlen)) {
            char *o = rdf_str(ldns_rr_owner(lr->rr));
            char *a = rdf_str(ldns_rr_owner(soa->rr));
            fail(ld, lr->file, lr->line, "%s is outside the zone %s (out-of-zone data)", o, a);
            free(o);
            free(a);
            return NULL;
        }
    }

    qsort(ld->rrs, ld->nrrs, sizeof *ld->rrs, loaded_cmp);
    for (size_t i = 0, j; i < ld->nrrs; i = j) {
        for (j = i + 1; j < ld->nrrs; j++)
            if (name_cmp(ld->rrs[i].key, ld->rrs[i].keylen, ld->rrs[j].key, ld->rrs[j].keylen) != 0)
                break;
        if (!check_node(ld, &ld->rrs[i], j - i))
            return NULL;
    }

    struct zone *z = mc_xcalloc(1, sizeof *z);
    z->path = mc_xstrdup(path);
    z->rrs = mc_xmalloc(ld->nrrs * sizeof *z->rrs);
    z->nodes = mc_xmalloc(ld->nrrs * sizeof *z->nodes);
    /* Moves every record and key into the zone; LD keeps nothing. */
    for (size_t i = 0; i < ld->nrrs; i++) {
        struct loaded_rr *lr = &ld->rrs[i];
        ldns_rr *rr = lr->rr;
        struct zone_node *last = z->nnodes ? &z->nodes[z->nnodes - 1] : NULL;
        bool same_owner =
            last && last->keylen == lr->keylen && memcmp(last->key, lr->key, lr->keylen) == 0;
        if (same_owner) {
            free(lr->key);
        } else {
            last = &z->nodes[z->nnodes++];
            last->key = lr->key;
            last->keylen = lr->keylen;
            last->first = z->nrrs;
            last->count = 0;
        }
        lr->rr = NULL;
        lr->key = NULL;
        z->rrs[z->nrrs++] = rr;
        last->count++;
    }
    ld->nrrs = 0;
    drop_duplicates(z);
    for (size_t i = 0; i < z->nrrs && !z->soa; i++)
        if (ldns_rr_get_type(z->rrs[i]) == LDNS_RR_TYPE_SOA)
            z->soa = z->rrs[i];
    struct wname apex_key;
    const struct zone_node *apex_node = NULL;
    if (!wname_from_rdf(ldns_rr_owner(z->soa), &apex_key) ||
        find_node(z, apex_key.data, apex_key.len, &apex_node) != NODE_DATA)
        mc_oom(); /* cannot happen: the SOA's node was just built */
    z->apex = apex_node->key;
    z->apexlen = apex_node->keylen;
    return z;
}

struct mc_zone_set *mc_zone_set_new(void)
{
    return mc_xcalloc(1, sizeof(struct mc_zone_set));
}

void mc_zone_set_free(struct mc_zone_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->nzones; i++)
        zone_free(set->zones[i]);
    free(set->zones);
    free(set);
}

enum mc_status mc_zone_set_load(struct mc_zone_set *set, const char *path, const char *origin,
                                char **why)
{
    enum mc_status status = MC_ERR_INPUT;
    struct loader ld = {0};
    ldns_rdf *org = NULL;
    struct zone *z = NULL;
    if (why)
        *why = NULL;
    ld.no_origin = ldns_dname_new_frm_str("mailcheck-no-origin.invalid.");
    if (!ld.no_origin)
        mc_oom();
    if (origin) {
        const char *err = NULL;
        ldns_rdf *root = ldns_dname_new_frm_str(".");
        if (!root)
            mc_oom();
        org = name_from_token(origin, root, &err);
        ldns_rdf_deep_free(root);
        if (!org) {
            fail(&ld, path, 0, "bad origin '%s': %s", origin, err);
            goto done;
        }
    }
    if (!load_file(&ld, path, org, NULL, NULL, 0))
        goto done;
    z = build_zone(&ld, set, path);
    if (!z)
        goto done;
    MC_ARRAY_RESERVE(set->zones, set->zones_cap, set->nzones + 1);
    set->zones[set->nzones++] = z;
    status = MC_OK;
done:
    ldns_rdf_deep_free(org);
    if (status != MC_OK && !ld.why)
        ld.why = mc_xasprintf("%s: cannot load zone", path);
    if (why) {
        *why = ld.why;
        ld.why = NULL;
    }
    loader_free(&ld);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Answering                                                              */
/* ---------------------------------------------------------------------- */

static const ldns_rr *node_rr_of_type(const struct zone *z, const struct zone_node *node,
                                      ldns_rr_type type)
{
    for (size_t i = node->first; i < node->first + node->count; i++)
        if (ldns_rr_get_type(z->rrs[i]) == type)
            return z->rrs[i];
    return NULL;
}

/* The zone of SET whose apex is the closest ancestor-or-self of NAME
 * (RFC 1034 §4.3.2 step 2), or NULL. */
static const struct zone *closest_zone(const struct mc_zone_set *set, const struct wname *name)
{
    const struct zone *best = NULL;
    for (size_t i = 0; i < set->nzones; i++) {
        const struct zone *z = set->zones[i];
        if (name_at_or_below(name->data, name->len, z->apex, z->apexlen) &&
            (!best || z->apexlen > best->apexlen))
            best = z;
    }
    return best;
}

/* True when NAME is at or below a zone cut of Z: an NS set at a name below
 * the apex (RFC 1034 §4.3.2 step 3b).  Such names are the child zone's. */
static bool below_cut(const struct zone *z, const struct wname *name)
{
    const uint8_t *p = name->data;
    size_t len = name->len;
    while (len > z->apexlen) {
        const struct zone_node *node = NULL;
        if (find_node(z, p, len, &node) == NODE_DATA && node_rr_of_type(z, node, LDNS_RR_TYPE_NS))
            return true;
        if (!wname_parent(&p, &len))
            break;
    }
    return false;
}

/* The zone that answers NAME inside SET, or NULL when none does. */
static const struct zone *answering_zone(const struct mc_zone_set *set, const struct wname *name)
{
    const struct zone *z = closest_zone(set, name);
    return z && !below_cut(z, name) ? z : NULL;
}

enum lookup_kind {
    LOOKUP_NODE,     /* the name exists with data */
    LOOKUP_WILDCARD, /* synthesised from the wildcard node */
    LOOKUP_NODATA,   /* the name exists without data (or the wildcard does) */
    LOOKUP_NXDOMAIN,
};

/* RFC 1034 §4.3.2 step 3 with RFC 4592 §3.3.1: the exact name, else the
 * wildcard child of its closest encloser. */
static enum lookup_kind zone_lookup(const struct zone *z, const struct wname *name,
                                    const struct zone_node **node)
{
    switch (find_node(z, name->data, name->len, node)) {
    case NODE_DATA: return LOOKUP_NODE;
    case NODE_EMPTY: return LOOKUP_NODATA;
    case NODE_ABSENT: break;
    }
    /* The closest encloser: the longest existing ancestor.  The apex always
     * exists, so the walk ends there at the latest. */
    const uint8_t *ce = name->data;
    size_t celen = name->len;
    while (wname_parent(&ce, &celen)) {
        const struct zone_node *dummy = NULL;
        if (celen <= z->apexlen || find_node(z, ce, celen, &dummy) != NODE_ABSENT)
            break;
    }
    /* The source of synthesis: "*." + closest encloser (RFC 4592 §3.3.1). */
    if (celen + 2 > WIRE_NAME_MAX)
        return LOOKUP_NXDOMAIN;
    uint8_t wc[WIRE_NAME_MAX];
    wc[0] = 1;
    wc[1] = '*';
    memcpy(wc + 2, ce, celen);
    switch (find_node(z, wc, celen + 2, node)) {
    case NODE_DATA: return LOOKUP_WILDCARD;
    case NODE_EMPTY: /* RFC 4592 §4.1: a wildcard with no data: NODATA */ return LOOKUP_NODATA;
    case NODE_ABSENT: break;
    }
    return LOOKUP_NXDOMAIN;
}

/* Adds a copy of RR to the answer of PKT, with OWNER instead of its own
 * owner if OWNER is not NULL (wildcard synthesis, RFC 4592 §3.4.1). */
static void push_answer(ldns_pkt *pkt, const ldns_rr *rr, const ldns_rdf *owner)
{
    ldns_rr *copy = ldns_rr_clone(rr);
    if (!copy)
        mc_oom();
    if (owner) {
        ldns_rdf_deep_free(ldns_rr_owner(copy));
        ldns_rdf *o = ldns_rdf_clone(owner);
        if (!o)
            mc_oom();
        ldns_rr_set_owner(copy, o);
    }
    if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, copy))
        mc_oom();
}

/* RFC 2308 §3: the zone's SOA in the authority section, its TTL the lower of
 * the SOA's own TTL and its MINIMUM field. */
static void push_negative_soa(ldns_pkt *pkt, const struct zone *z)
{
    ldns_rr *soa = ldns_rr_clone(z->soa);
    if (!soa)
        mc_oom();
    const ldns_rdf *min = ldns_rr_rdf(soa, 6);
    if (min && ldns_rdf_size(min) == 4) {
        uint32_t m = ldns_rdf2native_int32(min);
        if (m < ldns_rr_ttl(soa))
            ldns_rr_set_ttl(soa, m);
    }
    if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, soa))
        mc_oom();
}

bool mc_zone_set_answer(const struct mc_zone_set *set, const char *name, uint16_t type, uint16_t id,
                        unsigned char **wire, size_t *len, const char **source)
{
    bool answered = false;
    ldns_rdf *qname = NULL;
    ldns_pkt *pkt = NULL;
    char *abs = NULL;
    if (!set || !name || !*name)
        return false;

    abs = ldns_dname_str_absolute(name) ? mc_xstrdup(name) : mc_xasprintf("%s.", name);
    qname = ldns_dname_new_frm_str(abs);
    struct wname cur;
    if (!qname || !wname_from_rdf(qname, &cur))
        goto done;
    const struct zone *z = answering_zone(set, &cur);
    if (!z)
        goto done;
    const char *answering_file = z->path;

    pkt = ldns_pkt_new();
    if (!pkt)
        mc_oom();
    ldns_pkt_set_id(pkt, id);
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    ldns_pkt_set_rd(pkt, true); /* our queries always ask for recursion */
    ldns_pkt_set_ra(pkt, false);
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_QUERY);
    ldns_rr *q = ldns_rr_new();
    ldns_rdf *qcopy = ldns_rdf_clone(qname);
    if (!q || !qcopy)
        mc_oom();
    ldns_rr_set_owner(q, qcopy);
    ldns_rr_set_type(q, (ldns_rr_type)type);
    ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
    ldns_rr_set_question(q, true);
    if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q))
        mc_oom();

    /* RFC 1034 §4.3.2 step 3a: follow CNAMEs while the target is in the
     * same zone. */
    struct wname seen[MC_DNS_MAX_CNAMES + 1];
    size_t nseen = 0;
    const ldns_rdf *cur_rdf = qname;
    ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
    for (;;) {
        const struct zone_node *node = NULL;
        enum lookup_kind kind = zone_lookup(z, &cur, &node);
        if (kind == LOOKUP_NXDOMAIN || kind == LOOKUP_NODATA) {
            if (kind == LOOKUP_NXDOMAIN)
                rcode = LDNS_RCODE_NXDOMAIN;
            push_negative_soa(pkt, z);
            break;
        }
        const ldns_rdf *synth = kind == LOOKUP_WILDCARD ? cur_rdf : NULL;
        const ldns_rr *cname =
            type == LDNS_RR_TYPE_CNAME ? NULL : node_rr_of_type(z, node, LDNS_RR_TYPE_CNAME);
        if (!cname) {
            bool any = false;
            for (size_t i = node->first; i < node->first + node->count; i++) {
                if (ldns_rr_get_type(z->rrs[i]) == type) {
                    push_answer(pkt, z->rrs[i], synth);
                    any = true;
                }
            }
            if (!any)
                push_negative_soa(pkt, z);
            break;
        }
        /* SPEC: at most MC_DNS_MAX_CNAMES CNAMEs in a chain. */
        if (nseen >= MC_DNS_MAX_CNAMES)
            break;
        push_answer(pkt, cname, synth);
        seen[nseen++] = cur;
        const ldns_rdf *target = ldns_rr_rdf(cname, 0);
        struct wname next;
        if (!target || !wname_from_rdf(target, &next))
            break;
        bool loop = false;
        for (size_t i = 0; i < nseen && !loop; i++)
            loop = seen[i].len == next.len && memcmp(seen[i].data, next.data, next.len) == 0;
        if (loop)
            break; /* the reply shows the loop; its reader stops on it */
        /* The chain leaves this zone: stop, as an authoritative server
         * stops at its zone's edge; the resolver asks for the target
         * next, and that answer is credited to the file that holds it. */
        if (answering_zone(set, &next) != z)
            break;
        cur = next;
        cur_rdf = target;
    }
    ldns_pkt_set_rcode(pkt, (uint8_t)rcode);

    uint8_t *buf = NULL;
    size_t buflen = 0;
    if (ldns_pkt2wire(&buf, pkt, &buflen) != LDNS_STATUS_OK || !buf)
        goto done;
    *wire = buf;
    *len = buflen;
    if (source)
        *source = answering_file;
    answered = true;
done:
    ldns_pkt_free(pkt);
    ldns_rdf_deep_free(qname);
    free(abs);
    return answered;
}
