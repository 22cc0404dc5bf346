#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the test world of the batch benchmark (bench/run.sh).

    bench/world.py N [--out DIR] [--seed S]

N mail servers ("hosts") with A/AAAA and PTR records, their sender domains
with SPF, MX, DMARC and (some) DKIM key records, and what a correct checker
must say about each of them, the sender-domain report included (the model
of src/domain.c and src/domain_dmarc.c in domain_findings(); without --dkim):

  DIR/zones/*.zone     NSD zones (test, the top, so that the DMARC tree
                       walk's last name is answered NXDOMAIN; hosts.test,
                       mail.test, corp.test, provider.test,
                       provider2.test, special.test, and the reverse zones
                       18.198.in-addr.arpa, 19.198.in-addr.arpa,
                       a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa)
  DIR/zones.conf       the zone: clauses for nsd.conf
  DIR/hosts.txt        the --batch input: HOST FROM-DOMAIN, shuffled
  DIR/spf.txt          the spfquery -file input: IP SENDER HELO, one line per
                       (address, identity) of the host check, in host order
  DIR/expected-hosts.jsonl, DIR/expected-spf.jsonl
                       the expected verdict of every line (same order)
  DIR/queries.txt      the dnsperf query file: every distinct query a full
                       check of the world needs (the shared-cache floor),
                       shuffled
  DIR/world.json       the summary: counts, query floors, single-host picks

Addresses: IPv4 from 198.18.0.0/15 (RFC 2544, the benchmarking range), IPv6
2001:db8:a::/48, the IPv6 address of a host mirroring its IPv4 one
(198.18.0.0 + o <-> 2001:db8:a:(o >> 8)::(o & 255) + 1), so an IPv4 prefix of
length L corresponds to the IPv6 prefix of length L + 40.  Each IPv4 address
draws mailcheck's address-not-global warning (a special-purpose range), which
the expected host statuses count.  Pools:

  198.18.0.0/17    provider.test, matched at include depth 2 (_spf1)
  198.18.128.0/17  provider.test, matched at include depth 3 (_nb)
  198.19.0.0/17    provider2.test (include, then redirect)
  198.19.128.0/17  the customers' own addresses (a, mx, ip4 domains), and
                   the second address of the hosts that have two

Expected verdicts come from the generator's own model of what it built: a
small RFC 7208 check_host() over the in-memory records (left to right, first
match wins, 10 DNS-querying terms, 2 void lookups, one v=spf1 record), and
the FCrDNS rules of doc/verdicts.md.  It also records every lookup each verdict
needs, which gives the query floors: with one cache shared by the whole run
(distinct queries / N) and with a fresh cache per host.

Standard library only; deterministic for a given N and seed.
"""

import argparse
import ipaddress
import json
import os
import random
import re
import sys

V4_BASE = int(ipaddress.IPv4Address("198.18.0.0"))
BENCHMARKING = ipaddress.ip_network("198.18.0.0/15")
V6_BASE = int(ipaddress.IPv6Address("2001:db8:a::"))
POOLS = {  # name: (first offset, size) from 198.18.0.0
    "p1a": (0, 32768),
    "p1b": (32768, 32768),
    "p2": (65536, 32768),
    "own": (98304, 32768),
}
TTL = 3600
ZONES = ["test", "hosts.test", "mail.test", "corp.test", "provider.test", "provider2.test",
         "special.test", "18.198.in-addr.arpa", "19.198.in-addr.arpa", "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"]

A, AAAA, MX, TXT, PTR = "A", "AAAA", "MX", "TXT", "PTR"
SEVERITY_ORDER = {"ok": 0, "warning": 1, "unknown": 2, "critical": 3}
VERDICT_ORDER = {"pass": 0, "mismatch": 1, "error": 2, "fail": 3}


def v4(offset):
    return str(ipaddress.IPv4Address(V4_BASE + offset))


def v6(offset):
    return str(ipaddress.IPv6Address(V6_BASE + ((offset >> 8) << 64) + (offset & 255) + 1))


def reverse_name(addr):
    return ipaddress.ip_address(addr).reverse_pointer


class World:
    def __init__(self):
        self.rr = {}  # name -> {type: [rdata]}
        self.ents = set(ZONES)  # names that exist without owning records here

    def add(self, name, rtype, value):
        name = name.lower()
        self.rr.setdefault(name, {}).setdefault(rtype, []).append(value)
        labels = name.split(".")
        for k in range(1, len(labels)):
            self.ents.add(".".join(labels[k:]))

    def lookup(self, name, rtype):
        """(rcode, records): NXDOMAIN when the name owns nothing and nothing
        below it exists; NOERROR without records for a zone apex or an empty
        non-terminal (e.g. bK.corp.test, which only has _dmarc below it)."""
        name = name.lower().rstrip(".")
        node = self.rr.get(name)
        if node is None:
            return ("NOERROR" if name in self.ents else "NXDOMAIN"), []
        return "NOERROR", node.get(rtype, [])


# ---- SPF (RFC 7208) over the world ----

class SpfLimit(Exception):
    pass


class Spf:
    """check_host() for the mechanisms the world uses: all, include, a, mx,
    ip4, ip6, redirect (no macros, no ptr, no exists)."""

    def __init__(self, world, ip, record_lookup):
        self.w = world
        self.ip = ipaddress.ip_address(ip)
        self.look = record_lookup  # (name, type, depth) -> records
        self.terms = 0
        self.voids = 0
        self.max_terms = 0

    def count_term(self):
        self.terms += 1
        if self.terms > 10:
            raise SpfLimit("more than 10 DNS-querying terms")

    def count_void(self, records):
        if not records:
            self.voids += 1
            if self.voids > 2:
                raise SpfLimit("more than 2 void lookups")

    def record(self, domain, depth):
        rcode, txts = self.look(domain, TXT, depth)
        spf = [t for t in txts if t.lower() == "v=spf1" or t.lower().startswith("v=spf1 ")]
        if not spf:
            return None
        if len(spf) > 1:
            return "PERMERROR"
        return spf[0]

    def addresses_match(self, name, cidr4, cidr6, depth):
        rtype = A if self.ip.version == 4 else AAAA
        _, addrs = self.look(name, rtype, depth)
        self.count_void(addrs)
        plen = cidr4 if self.ip.version == 4 else cidr6
        for a in addrs:
            net = ipaddress.ip_network("%s/%d" % (a, plen), strict=False)
            if self.ip in net:
                return True
        return False

    def check_host(self, domain, depth=1):
        """Returns the result; DEPTH is the dependency depth of DOMAIN's TXT
        lookup (for the critical path)."""
        rec = self.record(domain, depth)
        if rec is None:
            return "none"
        if rec == "PERMERROR":
            return "permerror"
        terms = rec.split()[1:]
        redirect = None
        for term in terms:
            if "=" in term and ":" not in term.split("=")[0]:
                key, val = term.split("=", 1)
                if key.lower() == "redirect":
                    redirect = val
                continue
            q = "+"
            if term[0] in "+-~?":
                q, term = term[0], term[1:]
            mech = re.split(r"[:/]", term, 1)[0].lower()
            arg = term[len(mech):]
            cidr4, cidr6 = 32, 128
            if mech in ("ip4", "ip6"):
                arg = arg[1:]
            else:
                if "/" in arg:
                    arg, cidr = arg.split("/", 1)
                    cidr4 = int(cidr)
                arg = arg[1:] if arg.startswith(":") else ""
            matched = False
            if mech == "all":
                matched = True
            elif mech in ("ip4", "ip6"):
                net = ipaddress.ip_network(arg, strict=False)
                matched = self.ip.version == net.version and self.ip in net
            elif mech == "a":
                self.count_term()
                matched = self.addresses_match(arg or domain, cidr4, cidr6, depth + 1)
            elif mech == "mx":
                self.count_term()
                _, mxs = self.look(arg or domain, MX, depth + 1)
                self.count_void(mxs)
                if len(mxs) > 10:
                    raise SpfLimit("more than 10 MX names")
                # every MX name is looked up (in parallel), then matched
                hits = [self.addresses_match(m.split()[1].rstrip("."), cidr4, cidr6, depth + 2)
                        for m in mxs]
                matched = any(hits)
            elif mech == "include":
                self.count_term()
                r = self.check_host(arg, depth + 1)
                if r in ("temperror",):
                    return r
                if r in ("permerror", "none"):
                    return "permerror"
                matched = r == "pass"
            else:
                raise ValueError("world uses an unknown term " + term)
            if matched:
                return {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[q]
        if redirect:
            self.count_term()
            r = self.check_host(redirect, depth + 1)
            return "permerror" if r == "none" else r
        return "neutral"

    def evaluate(self, domain):
        try:
            r = self.check_host(domain)
        except SpfLimit:
            r = "permerror"
        return r, self.terms


# ---- the sender-domain report (mailcheck(1), SENDER DOMAINS) ----

# DKIM keys published for some sender domains, public halves only (made once
# with openssl genpkey / openssl pkey -pubout; the private halves were never
# kept).  The batch rows run without --dkim, so they are not looked up: every
# domain gets dkim-not-checked (info).
DKIM_SELECTOR = "bench"
DKIM_RSA = ("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8YElqVshJA415JtNOjia"
            "DYTeb6N/Yhy6R9vaKnWSqM7B+C7qtbn1aeF2Wq1GEvZQDjj1IF9Z2GhIDKF6bsc+xifV2t5aZ5sBvsOi8c"
            "dYVUAAnQLfaDKLixGLPQvbFRNVo343eSEkJiOHG5sEqBROdb7qnB7UfuE0pRHmSJgK5UXyRjvSoj4Em8Nh"
            "D2z8uwYO8Lle/oSO7nOJKPDpWcsMVF8Yp67kuncaJS2Vt0LWeqKK0nP/zwBA8ubItFa5ihwmn3UB9Ca8LJ"
            "PanfU07XBSGcFTNVnVW4Ht63ZSClM2D9/8MBD5GuV/tsObUmguP/P3s+j9wYf4440ozlZblxapqQIDAQAB")
DKIM_ED25519 = "v=DKIM1; k=ed25519; p=26SoDVAh7pPWP+KAShUiTHsruRC0C71VGOlPDrHWA40="
POLICIES = ("none", "quarantine", "reject")


def dmarc_record(rnd, domain, subdomains):
    """A valid DMARC record for DOMAIN: p= of every kind, sometimes t=y;
    at an Organizational Domain (SUBDOMAINS) often sp= and np= as well.
    Reports go inside the domain (no RFC 9990 authorization needed)."""
    tags = ["v=DMARC1", "p=" + rnd.choice(POLICIES)]
    if subdomains and rnd.random() < 0.5:
        tags.append("sp=" + rnd.choice(POLICIES))
    if subdomains and rnd.random() < 0.2:
        tags.append("np=" + rnd.choice(POLICIES))
    if rnd.random() < 0.05:
        tags.append("t=y")
    if rnd.random() < 0.3:
        tags.append("aspf=s")
    tags.append("rua=mailto:dmarc@" + domain)
    return "; ".join(tags)


def dmarc_parse(txt):
    """The tags of a record the world wrote (all valid), or None."""
    if not (txt == "v=DMARC1" or txt.startswith("v=DMARC1;")):
        return None
    tags = {}
    for part in txt.split(";")[1:]:
        if "=" in part:
            k, v = part.split("=", 1)
            tags[k.strip()] = v.strip()
    return tags


def dmarc_walk_names(domain):
    """RFC 9989 section 4.10: the domain, then (x >= 8 labels: its last 7)
    one label fewer each time, down to the top-level label; at most 8."""
    labels = domain.split(".")
    x = len(labels)
    first = x - 7 if x >= 8 else 1
    idx = [0] + list(range(first, x))[:7]
    return [".".join(labels[k:]) for k in idx]


def domain_findings(domain, look, spf_passes):
    """The findings (code, severity) of the report of DOMAIN (roles mailfrom
    and header-from, no --dkim), as src/domain.c and src/domain_dmarc.c make
    them; SPF_PASSES: 1 when the check's SPF passes for every address of the
    host, 0 when not, -1 without an address.  Uses LOOK for every lookup."""
    out = []
    rcode, mxs = look(domain, MX, 1)
    exists = rcode != "NXDOMAIN"
    if mxs:
        targets = sorted((int(m.split()[0]), m.split()[1].rstrip(".").lower()) for m in mxs)
        good, bad = 0, []
        for _, t in targets[:20]:
            _, a4 = look(t, A, 2)
            _, a6 = look(t, AAAA, 2)
            if a4 or a6:
                good += 1
            else:
                bad.append(t)
        for t in bad:
            out.append(("mx-target-unresolvable", "warning" if good else "critical"))
    elif rcode == "NXDOMAIN":
        out.append(("mx-none", "critical"))
    else:  # no MX: the implicit MX, the domain's own addresses
        _, a4 = look(domain, A, 2)
        _, a6 = look(domain, AAAA, 2)
        if not (a4 or a6):
            out.append(("mx-none", "critical"))
    # the tree walk: sequential, every name up to the top (no psd= here)
    names = dmarc_walk_names(domain)
    found = []
    for k, name in enumerate(names):
        _, txts = look("_dmarc." + name, TXT, 1 + k)
        recs = [r for r in (dmarc_parse(t) for t in txts) if r is not None]
        found.append(recs[0] if len(recs) == 1 else None)
    # the RFC 7489 reading beside it: the domain, then its PSL
    # Organizational Domain (the last two labels under the "*" rule)
    psl_org = ".".join(domain.split(".")[-2:])
    psl_rec, psl_sub = found[0], False
    if found[0] is None and psl_org != domain:
        _, txts = look("_dmarc." + psl_org, TXT, 2)
        recs = [r for r in (dmarc_parse(t) for t in txts) if r is not None]
        psl_rec, psl_sub = (recs[0] if len(recs) == 1 else None), True
    with_rec = [k for k, r in enumerate(found) if r is not None]
    org = with_rec[-1] if with_rec else 0
    if found[0] is not None:
        rec, sub = found[0], False
    elif found[org] is not None:
        rec, sub = found[org], True
    else:
        rec = None
    out.append(("dkim-not-checked", "info"))
    if rec is None:
        out.append(("dmarc-missing", "warning"))
        return out
    if not sub:
        policy = rec["p"]
    elif not exists:
        policy = rec.get("np", rec.get("sp", rec["p"]))
    else:
        policy = rec.get("sp", rec["p"])
    if rec.get("t") == "y" and policy != "none":
        policy = "quarantine" if policy == "reject" else "none"
    # RFC 7489 knows neither np= nor t=; without a record there, no policy
    psl_policy = None if psl_rec is None else (
        psl_rec.get("sp", psl_rec["p"]) if psl_sub else psl_rec["p"])
    if psl_policy != policy:  # the SPF alignment is the same in both readings
        out.append(("dmarc-readings-differ", "info"))
    if policy == "none":
        out.append(("dmarc-policy-none", "info"))
    if rec.get("t") == "y":
        out.append(("dmarc-testing", "info"))
    # SPF alignment: the MAIL FROM domain is the From domain (aligned in
    # either mode) when SPF passes; no DKIM key is known
    if spf_passes == 0:
        out.append(("dmarc-unaligned", "warning" if policy == "none" else "critical"))
    return out


# ---- the generator ----

def build(n, seed):
    rnd = random.Random(seed)
    w = World()
    next_free = {p: 0 for p in POOLS}

    def alloc(pool):
        first, size = POOLS[pool]
        if next_free[pool] >= size:
            sys.exit("world.py: pool %s exhausted; N is too large" % pool)
        o = first + next_free[pool]
        next_free[pool] += 1
        return o

    # providers
    w.add("_spf.provider.test", TXT,
          "v=spf1 include:_spf1.provider.test include:_spf2.provider.test ~all")
    w.add("_spf1.provider.test", TXT, "v=spf1 ip4:198.18.0.0/17 ip6:2001:db8:a::/57 -all")
    w.add("_spf2.provider.test", TXT, "v=spf1 include:_nb.provider.test ?all")
    w.add("_nb.provider.test", TXT,
          "v=spf1 a:relay.provider.test mx:provider.test ip4:198.18.128.0/17 "
          "ip6:2001:db8:a:80::/57 -all")
    w.add("relay.provider.test", A, "198.51.100.10")
    w.add("relay.provider.test", AAAA, "2001:db8:ffff::10")
    w.add("provider.test", MX, "10 mx1.provider.test.")
    w.add("provider.test", MX, "20 mx2.provider.test.")
    for i, h in enumerate(("mx1", "mx2")):
        w.add(h + ".provider.test", A, "198.51.100.%d" % (11 + i))
        w.add(h + ".provider.test", AAAA, "2001:db8:ffff::%d" % (11 + i))
    w.add("_spf.provider2.test", TXT,
          "v=spf1 ip4:198.19.0.0/18 ip6:2001:db8:a:100::/58 redirect=_spf-b.provider2.test")
    w.add("_spf-b.provider2.test", TXT, "v=spf1 ip4:198.19.64.0/18 ip6:2001:db8:a:140::/58 -all")
    # permerror specials
    w.add("nospf.special.test", A, "198.51.100.20")
    w.add("nospf.special.test", TXT, "site-verification=0123456789abcdef")
    w.add("loop1.special.test", TXT, "v=spf1 include:loop2.special.test -all")
    w.add("loop2.special.test", TXT, "v=spf1 include:loop1.special.test -all")
    w.add("big.special.test", TXT,
          "v=spf1 " + " ".join("a:x%d.special.test" % k for k in range(1, 12)) + " -all")
    for k in range(1, 12):
        w.add("x%d.special.test" % k, A, "198.51.100.%d" % (100 + k))
        w.add("x%d.special.test" % k, AAAA, "2001:db8:ffff::%d" % (100 + k))
    specials = {
        "two-records": ["v=spf1 include:_spf.provider.test -all", "v=spf1 -all"],
        "include-nospf": ["v=spf1 include:nospf.special.test -all"],
        "include-nxdomain": ["v=spf1 include:nxdomain.special.test -all"],
        "include-loop": ["v=spf1 include:loop1.special.test -all"],
        "too-many-lookups": ["v=spf1 include:big.special.test -all"],
        "void-lookups": ["v=spf1 a:v1.special.test a:v2.special.test a:v3.special.test -all"],
        "redirect-nxdomain": ["v=spf1 redirect=nxdomain.special.test"],
    }

    # the sender-domain report's records (MX, DMARC, DKIM) draw from their
    # own generator, so the SPF and PTR world is the same as without them
    rnd2 = random.Random(seed + 2)
    w.add("mx.provider2.test", A, "198.51.100.14")
    w.add("mx.provider2.test", AAAA, "2001:db8:ffff::14")
    corp = {"group": -1, "left": 0}

    hosts = []  # dicts
    ndomains = (n + 1) // 2
    for j in range(ndomains):
        members = [i for i in (2 * j, 2 * j + 1) if i < n]
        # DMARC: a record at the sender domain itself, only at its
        # Organizational Domain one level up (bK.corp.test, shared by 1-4
        # senders sJ.bK.corp.test), or none at all
        d = rnd2.random()
        if d < 0.45:
            dmarc_kind = "own"
            domain = "s%d.mail.test" % j
        elif d < 0.75:
            dmarc_kind = "org"
            if corp["left"] == 0:
                corp["group"] += 1
                corp["left"] = rnd2.choice([1, 2, 2, 3, 4])
                org = "b%d.corp.test" % corp["group"]
                w.add("_dmarc." + org, TXT, dmarc_record(rnd2, org, subdomains=True))
            corp["left"] -= 1
            domain = "s%d.b%d.corp.test" % (j, corp["group"])
        else:
            dmarc_kind = "missing"
            domain = "s%d.mail.test" % j
        u = rnd.random()
        if u < 0.55:
            family_kind = "provider"
            pool = "p1a" if rnd.random() < 0.5 else "p1b"
        elif u < 0.75:
            family_kind = "provider2"
            pool = "p2"
        else:
            family_kind = "own"
            pool = "own"
        addrs = {}
        with_v6 = rnd.random() < 0.8  # per domain: no void lookups in a/mx terms
        for i in members:
            if rnd.random() < 0.003:
                addrs[i] = []  # no address at all
                continue
            o = alloc(pool)
            lst = [(4, v4(o))]
            if with_v6:
                lst.append((6, v6(o)))
            if rnd.random() < 0.02:
                lst.append((4, v4(alloc("own"))))
            addrs[i] = lst
        # the domain's record
        kind = family_kind
        if family_kind == "provider":
            allq = "-all" if rnd.random() < 0.8 else "~all"
            target = "_spf.provider.test"
            if rnd.random() < 0.06:
                target = "_spf.provider2.test"  # moved: the wrong provider
                kind = "provider-wrong"
            w.add(domain, TXT, "v=spf1 include:%s %s" % (target, allq))
        elif family_kind == "provider2":
            if rnd.random() < 0.5:
                for k, i in enumerate(members):
                    w.add(domain, MX, "%d h%d.hosts.test." % (10 * (k + 1), i))
                w.add(domain, TXT, "v=spf1 mx include:_spf.provider2.test ~all")
            else:
                w.add(domain, TXT, "v=spf1 include:_spf.provider2.test -all")
        else:
            v = rnd.random()
            mine = [a for i in members for a in addrs[i]]
            if v < 0.25:
                kind = "a"
                for fam, a in mine:
                    w.add(domain, A if fam == 4 else AAAA, a)
                w.add(domain, TXT, "v=spf1 a -all")
            elif v < 0.5:
                kind = "mx"
                for k, i in enumerate(members):
                    w.add(domain, MX, "%d h%d.hosts.test." % (10 * (k + 1), i))
                w.add(domain, TXT, "v=spf1 mx -all")
            elif v < 0.7:
                kind = "ip"
                terms = ["ip%d:%s" % (fam, a) for fam, a in mine]
                w.add(domain, TXT, "v=spf1 %s -all" % " ".join(terms))
            elif v < 0.8:
                kind = "a-mx"
                first = "h%d.hosts.test" % members[0]
                for k, i in enumerate(members):
                    w.add(domain, MX, "%d h%d.hosts.test." % (10 * (k + 1), i))
                w.add(domain, TXT, "v=spf1 a:%s mx ~all" % first)
            elif v < 0.88:
                kind = "none"
                w.add(domain, TXT, "site-verification=%08x" % rnd.getrandbits(32))
            elif v < 0.94:
                kind = "neutral"
                w.add(domain, TXT, "v=spf1 ?all")
            else:
                kind = "nxdomain"  # the sender domain does not exist: none
        # MX (where it has none yet): the provider's, or the domain's own
        # servers; an "a" domain keeps its implicit MX (its own addresses);
        # a domain that does not exist gets nothing (not even below it)
        if kind == "nxdomain":
            dmarc_kind = "missing"
        elif MX not in w.rr.get(domain, {}) and kind != "a":
            if kind in ("provider", "provider-wrong"):
                w.add(domain, MX, "10 mx1.provider.test.")
                w.add(domain, MX, "20 mx2.provider.test.")
            elif kind == "provider2":
                w.add(domain, MX, "10 mx.provider2.test.")
            else:
                for k, i in enumerate(members):
                    w.add(domain, MX, "%d h%d.hosts.test." % (10 * (k + 1), i))
        if kind != "nxdomain":
            if dmarc_kind == "own" or (dmarc_kind == "org" and rnd2.random() < 0.1):
                w.add("_dmarc." + domain, TXT, dmarc_record(rnd2, domain, subdomains=False))
            if rnd2.random() < 0.3:
                w.add("%s._domainkey.%s" % (DKIM_SELECTOR, domain), TXT,
                      DKIM_ED25519 if rnd2.random() < 0.1 else DKIM_RSA)
        if rnd.random() < 0.02 and kind not in ("nxdomain",):
            kind = rnd.choice(sorted(specials))
            w.rr.get(domain, {}).pop(TXT, None)
            for t in specials[kind]:
                w.add(domain, TXT, t)
        for i in members:
            hosts.append({"i": i, "host": "h%d.hosts.test" % i, "domain": domain,
                          "domain_kind": kind, "dmarc_kind": dmarc_kind, "addrs": addrs[i]})

    # the hosts' own records: A/AAAA, HELO SPF, PTR (with ~10% broken)
    hosts.sort(key=lambda h: h["i"])
    ptr_kinds = {}
    for h in hosts:
        name = h["host"]
        for fam, a in h["addrs"]:
            w.add(name, A if fam == 4 else AAAA, a)
        u = rnd.random()
        if u < 0.45:
            w.add(name, TXT, "v=spf1 a -all")
        elif u < 0.48:
            w.add(name, TXT, "v=spf1 -all")
    for h in hosts:
        i, name = h["i"], h["host"]
        kinds = []
        for fam, a in h["addrs"]:
            rev = reverse_name(a)
            u = rnd.random()
            rtype = A if fam == 4 else AAAA
            if u >= 0.055:
                kind = "good"
                w.add(rev, PTR, name + ".")
            else:
                kind = rnd.choice(["missing", "other-confirms", "other-host", "not-resolving",
                                   "several-with-host", "several-without-host", "case"])
                if kind == "missing":
                    pass
                elif kind == "other-confirms":
                    w.add(rev, PTR, "gw%d.hosts.test." % i)
                    w.add("gw%d.hosts.test" % i, rtype, a)
                elif kind == "other-host":
                    other = hosts[rnd.randrange(len(hosts))]["host"]
                    if other == name:
                        other = hosts[(i + 1) % len(hosts)]["host"]
                    w.add(rev, PTR, other + ".")
                elif kind == "not-resolving":
                    w.add(rev, PTR, "nx%d.hosts.test." % i)
                elif kind == "several-with-host":
                    w.add(rev, PTR, name + ".")
                    w.add(rev, PTR, "alias%d.hosts.test." % i)
                elif kind == "several-without-host":
                    w.add(rev, PTR, "gw%d.hosts.test." % i)
                    w.add("gw%d.hosts.test" % i, rtype, a)
                    w.add(rev, PTR, "nx%d.hosts.test." % i)
                elif kind == "case":
                    w.add(rev, PTR, name.upper() + ".")
            kinds.append(kind)
        h["ptr_kinds"] = kinds
        for k in kinds:
            ptr_kinds[k] = ptr_kinds.get(k, 0) + 1
    return w, hosts, ptr_kinds, next_free


def expect(w, hosts):
    """The expected verdicts, the lookups they need and the dependency depth
    of each host (the critical path, in round trips)."""
    floor, floor_nodomain = set(), set()
    per_host_total = 0
    out_hosts, out_spf = [], []
    for h in hosts:
        name = h["host"]
        mine = {}  # (name, type) -> depth

        def look(qname, rtype, depth, mine=mine):
            key = (qname.lower().rstrip("."), rtype)
            if key not in mine or mine[key] > depth:
                mine[key] = depth
            return w.lookup(qname, rtype)

        findings = []  # severities
        families = {"ipv4": {"status": "none", "addresses": []},
                    "ipv6": {"status": "none", "addresses": []}}
        _, a4 = look(name, A, 1)
        _, a6 = look(name, AAAA, 1)
        addrs = [(4, a) for a in a4] + [(6, a) for a in a6]
        if not addrs:
            findings.append("critical")
        for fam, a in addrs:
            # The benchmarking range (RFC 2544) is special-purpose (RFC 6890):
            # no receiver sees it, so every IPv4 host gets address-not-global.
            if ipaddress.ip_address(a) in BENCHMARKING:
                findings.append("warning")
            _, ptrs = look(reverse_name(a), PTR, 2)
            names = [p.rstrip(".") for p in ptrs]
            host_named = any(p.lower() == name for p in names)
            if host_named:
                status = "pass"
            elif not names:
                status = "fail"
            else:
                confirms = False
                for p in names:
                    _, back = look(p, A if fam == 4 else AAAA, 3)
                    confirms = confirms or any(
                        ipaddress.ip_address(b) == ipaddress.ip_address(a) for b in back)
                status = "mismatch" if confirms else "fail"
            if status == "mismatch":
                findings.append("warning")
            elif status == "fail":
                findings.append("critical")
            if len(names) > 1:
                findings.append("warning")  # ptr-multiple
            checks = []
            for identity, dom in (("mailfrom", h["domain"]), ("helo", name)):
                spf = Spf(w, a, look)
                result, terms = spf.evaluate(dom)
                checks.append({"identity": identity, "domain": dom, "result": result})
                if identity == "mailfrom":
                    if result in ("softfail", "neutral", "none"):
                        findings.append("warning")
                    elif result in ("fail", "permerror", "temperror"):
                        findings.append("critical")
                elif result in ("fail", "permerror"):
                    findings.append("critical")
                if 8 <= terms <= 10:
                    findings.append("warning")  # spf-lookups-near-limit
                out_spf.append({"ip": a, "sender": "postmaster@" + dom, "helo": name,
                                "result": result, "host_line": len(out_hosts) + 1})
            key = "ipv4" if fam == 4 else "ipv6"
            families[key]["addresses"].append({
                "address": a, "status": status, "ptr": names,
                "spf": checks[0]["result"], "spf_checks": checks})
        passes = -1
        for fam in families.values():
            for x in fam["addresses"]:
                ok = x["spf"] == "pass"
                passes = 1 if passes != 0 and ok else 0
        host_only = dict(mine)  # the lookups of a check with --no-domain-report
        dom = domain_findings(h["domain"], look, passes)
        findings.extend(sev for _, sev in dom if sev != "info")
        for fam in families.values():
            st = [x["status"] for x in fam["addresses"]]
            if st:
                fam["status"] = max(st, key=lambda s: VERDICT_ORDER[s])
            fam["addresses"].sort(key=lambda x: ipaddress.ip_address(x["address"]))
        status = max(findings, key=lambda s: SEVERITY_ORDER[s]) if findings else "ok"
        # the critical path: FCrDNS depth, and the SPF chains, which do not
        # depend on the address for their fetching (only for matching)
        crit = max(mine.values()) if mine else 1
        out_hosts.append({"host": name, "from": h["domain"], "status": status,
                          "families": families, "domain_kind": h["domain_kind"],
                          "dmarc_kind": h["dmarc_kind"],
                          "domain_findings": sorted(c for c, _ in dom),
                          "ptr_kinds": h["ptr_kinds"], "queries": len(mine),
                          "critical_path": crit})
        floor.update(mine)
        floor_nodomain.update(host_only)
        per_host_total += len(mine)
    return out_hosts, out_spf, floor, floor_nodomain, per_host_total


def zone_of(name):
    best = None
    for z in ZONES:
        if name == z or name.endswith("." + z):
            if best is None or len(z) > len(best):
                best = z
    return best


def write_zones(w, outdir):
    zdir = os.path.join(outdir, "zones")
    os.makedirs(zdir, exist_ok=True)
    files = {z: open(os.path.join(zdir, z + ".zone"), "w") for z in ZONES}
    for z, f in files.items():
        f.write("$ORIGIN %s.\n$TTL %d\n" % (z, TTL))
        f.write("@ SOA ns.hosts.test. hostmaster.hosts.test. 1 3600 900 604800 60\n")
        f.write("@ NS ns.hosts.test.\n")
    files["hosts.test"].write("ns A 198.51.100.53\n")
    for name in sorted(w.rr):
        z = zone_of(name)
        if z is None:
            sys.exit("world.py: %s is in no zone" % name)
        f = files[z]
        for rtype, values in w.rr[name].items():
            for v in values:
                if rtype == TXT:  # strings of at most 255 octets (RFC 1035 3.3.14)
                    v = " ".join('"%s"' % v[k:k + 255] for k in range(0, len(v), 255))
                f.write("%s. %s %s\n" % (name, rtype, v))
    for f in files.values():
        f.close()
    with open(os.path.join(outdir, "zones.conf"), "w") as f:
        for z in ZONES:
            f.write("zone:\n  name: %s\n  zonefile: %s\n" % (
                z, os.path.join(os.path.abspath(zdir), z + ".zone")))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int)
    p.add_argument("--out", default=None, help="directory (default: ./world-N)")
    p.add_argument("--seed", type=int, default=7208)
    args = p.parse_args()
    if args.n < 2 or args.n > 100000:
        sys.exit("world.py: N must be between 2 and 100000")
    outdir = args.out or "world-%d" % args.n
    os.makedirs(outdir, exist_ok=True)
    w, hosts, ptr_kinds, used = build(args.n, args.seed)
    rnd = random.Random(args.seed + 1)
    order = list(hosts)
    rnd.shuffle(order)  # input order: no locality between hosts that share a domain
    exp_hosts, exp_spf, floor, floor_nodomain, per_host_total = expect(w, order)
    write_zones(w, outdir)
    with open(os.path.join(outdir, "hosts.txt"), "w") as f:
        for h in exp_hosts:
            f.write("%s %s\n" % (h["host"], h["from"]))
    with open(os.path.join(outdir, "expected-hosts.jsonl"), "w") as f:
        for k, h in enumerate(exp_hosts, 1):
            h["line"] = k
            f.write(json.dumps(h, sort_keys=True) + "\n")
    with open(os.path.join(outdir, "spf.txt"), "w") as f:
        for s in exp_spf:
            f.write("%s %s %s\n" % (s["ip"], s["sender"], s["helo"]))
    with open(os.path.join(outdir, "expected-spf.jsonl"), "w") as f:
        for k, s in enumerate(exp_spf, 1):
            s["line"] = k
            f.write(json.dumps(s, sort_keys=True) + "\n")
    qs = sorted(floor)
    rnd.shuffle(qs)
    with open(os.path.join(outdir, "queries.txt"), "w") as f:
        for name, rtype in qs:
            f.write("%s %s\n" % (name, rtype))

    def count(key, items):
        c = {}
        for it in items:
            c[it[key]] = c.get(it[key], 0) + 1
        return dict(sorted(c.items()))

    fam_status = {}
    for h in exp_hosts:
        for fam in ("ipv4", "ipv6"):
            k = "%s %s" % (fam, h["families"][fam]["status"])
            fam_status[k] = fam_status.get(k, 0) + 1
    broken = sum(1 for h in exp_hosts if any(k != "good" for k in h["ptr_kinds"]))
    dom_findings = {}
    for h in exp_hosts:
        for c in h["domain_findings"]:
            dom_findings[c] = dom_findings.get(c, 0) + 1
    # single-host picks: the longest critical path, and a plain passing host
    deepest = max(exp_hosts, key=lambda h: (h["critical_path"], h["queries"],
                                            -h["line"]))
    summary = {
        "n": args.n,
        "seed": args.seed,
        "records": sum(len(v) for node in w.rr.values() for v in node.values()),
        "addresses": sum(len(h["addrs"]) for h in hosts),
        "spf_lines": len(exp_spf),
        "hosts_with_broken_ptr": broken,
        "ptr_kinds": ptr_kinds,
        "status": count("status", exp_hosts),
        "family_status": dict(sorted(fam_status.items())),
        "domain_kinds": count("domain_kind", exp_hosts),
        "dmarc_kinds": count("dmarc_kind", exp_hosts),
        "domain_findings": dict(sorted(dom_findings.items())),
        "dkim_selector": DKIM_SELECTOR,
        "spf_results": count("result", exp_spf),
        "floor_queries": len(floor),
        "floor_queries_per_host": len(floor) / args.n,
        "floor_queries_no_domain_report": len(floor_nodomain),
        "floor_queries_per_host_no_domain_report": len(floor_nodomain) / args.n,
        "per_host_cache_queries": per_host_total,
        "per_host_cache_queries_per_host": per_host_total / args.n,
        "single_host": {"host": deepest["host"], "from": deepest["from"],
                        "critical_path": deepest["critical_path"],
                        "queries": deepest["queries"]},
    }
    with open(os.path.join(outdir, "world.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(summary, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
