#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A one-process full-check peer: dnspython for A/AAAA/PTR and forward
confirmation, pyspf for SPF (each address against the sender domain and
the HELO name), sequential, as a provider would script it today.  Reads
"HOST FROM-DOMAIN" lines, prints one JSON object a line:
{"host", "families": {"ipv4": {"status", "addresses": [{"address",
"status", "spf_checks": [{"identity", "domain", "result"}]}]}, ...}}."""
import json
import sys

import dns.resolver
import dns.reversename
import spf

res = dns.resolver.Resolver()
res.lifetime = 5.0
ORDER = {"pass": 0, "mismatch": 1, "error": 2, "fail": 3}


def lookup(name, rtype):
    try:
        return [r.to_text() for r in res.resolve(name, rtype)], True
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return [], True
    except Exception:
        return [], False


for line in open(sys.argv[1]):
    f = line.split()
    if not f:
        continue
    host, domain = f[0].lower().rstrip("."), (f[1] if len(f) > 1 else f[0])
    fams = {}
    for fam, rtype in (("ipv4", "A"), ("ipv6", "AAAA")):
        addrs, _ = lookup(host, rtype)
        out = []
        for a in addrs:
            names, ok = lookup(dns.reversename.from_address(a), "PTR")
            names = [n.rstrip(".").lower() for n in names]
            if not ok:
                st = "error"
            elif host in names:
                st = "pass"
            elif not names:
                st = "fail"
            else:
                st = "fail"
                for n in names:
                    back, ok2 = lookup(n, rtype)
                    if a in back:
                        st = "mismatch"
                        break
                    if not ok2:
                        st = "error"
            checks = []
            for identity, d in (("mailfrom", domain), ("helo", host)):
                try:
                    r = spf.check2(i=a, s="postmaster@" + d, h=host, querytime=20)[0]
                except Exception as e:
                    r = "exception:%s" % type(e).__name__
                checks.append({"identity": identity, "domain": d, "result": r})
            out.append({"address": a, "status": st, "spf_checks": checks})
        status = max((x["status"] for x in out), key=lambda s: ORDER[s]) if out else "none"
        fams[fam] = {"status": status, "addresses": out}
    print(json.dumps({"host": host, "families": fams}))
