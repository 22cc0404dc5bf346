#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates real `--format json` / `jsonl` outputs of many scenarios against
the shipped JSON Schemas (share/schema/*.schema.json) with python3-jsonschema.

    validate.py --binary BUILD/mailcheck --source-dir SRC [--only NAME]

Every scenario runs the binary offline on the zones in tests/schema/zones
(or against a loopback socket that never answers, for the deadline), checks
the exit code and status it expects, and validates the document.  The
schemas are also checked for the contract's other half: every key they
define is documented in man/mailcheck.1 (section JSON OUTPUT), and a
document with a key missing, an unknown key or a wrong enum is rejected
(so a schema that accepts anything cannot pass).
"""

import argparse
import copy
import json
import os
import re
import socket
import subprocess
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = [os.path.join(HERE, "zones", z) for z in
         ("schema.test.zone", "2.0.192.in-addr.arpa.zone", "8.b.d.0.1.0.0.2.ip6.arpa.zone")]
OFFLINE = ["--offline"] + [a for z in ZONES for a in ("--zone", z)]

# The blocklist cases run on the end-to-end zones, where the stand-ins of
# the lists live (tests/e2e/zones/zen.spamhaus.org.zone and the others).
E2E_ZONES = os.path.join(HERE, "..", "e2e", "zones")
DNSBL_OFFLINE = ["--offline"] + [a for z in sorted(os.listdir(E2E_ZONES)) if z.endswith(".zone")
                                 for a in ("--zone", os.path.join(E2E_ZONES, z))]

# (name, schema, args, exit code, required finding codes)
HOST_CASES = [
    ("dnsbl-listed", DNSBL_OFFLINE + ["--dnsbl", "zen.spamhaus.org", "--dnsbl", "dbl.spamhaus.org",
                                      "--dnsbl", "all.bl.dnsbl.e2e.test", "listed.dnsbl.e2e.test"],
     2, ["dnsbl-listed", "dnsbl-unusable"]),
    ("dnsbl-clean", DNSBL_OFFLINE + ["--dnsbl", "zen.spamhaus.org", "clean.dnsbl.e2e.test"], 0, []),
    ("dnsbl-retired", ["--dnsbl", "dnsbl.sorbs.net", "pass.schema.test"], 3, ["bad-input"]),
    ("both-pass", OFFLINE + ["pass.schema.test"], 0, []),
    ("mismatch", OFFLINE + ["mismatch.schema.test"], 1, ["ptr-mismatch"]),
    ("mismatch-strict", OFFLINE + ["--strict", "mismatch.schema.test"], 2, ["ptr-mismatch"]),
    ("missing-ptr", OFFLINE + ["noptr.schema.test"], 2, ["ptr-missing"]),
    ("unconfirmed", OFFLINE + ["ghost.schema.test"], 2, ["ptr-unconfirmed"]),
    ("multiple-ptr", OFFLINE + ["multi.schema.test"], 1, ["ptr-multiple"]),
    ("pipe-in-ptr", OFFLINE + ["pipe.schema.test"], 2, ["ptr-invalid-name", "ptr-unconfirmed"]),
    ("cname", OFFLINE + ["alias.schema.test"], 1, ["host-cname"]),
    ("lookup-failed", OFFLINE + ["broken.schema.test"], 2, ["lookup-failed"]),
    ("nxdomain-host", OFFLINE + ["nosuch.schema.test"], 2, ["host-nxdomain"]),
    ("idn-host", OFFLINE + ["b\u00fccher.schema.test"], 2, ["host-nxdomain"]),
    ("family-required", OFFLINE + ["-6", "mismatch.schema.test"], 2, ["family-required"]),
    ("address-option", OFFLINE + ["--address", "192.0.2.12", "pass.schema.test"], 2,
     ["address-not-of-host"]),
    ("spf-fail-permerror", OFFLINE + ["--from", "fail.schema.test", "--from", "perm.schema.test",
                                      "pass.schema.test"], 2, ["spf-fail", "spf-permerror"]),
    ("spf-softfail", OFFLINE + ["--from", "soft.schema.test", "pass.schema.test"], 1,
     ["spf-softfail"]),
    ("no-spf", OFFLINE + ["--no-spf", "pass.schema.test"], 0, []),
    ("ignore", OFFLINE + ["--ignore", "ptr-mismatch", "mismatch.schema.test"], 0, []),
    ("time-critical", OFFLINE + ["-c", "@0:3600", "pass.schema.test"], 2, ["time-critical"]),
    ("time-warning", OFFLINE + ["-w", "@0:3600", "-c", "3600", "pass.schema.test"], 1,
     ["time-warning"]),
    ("verbose", OFFLINE + ["-vv", "relay.schema.test"], 2, ["host-nxdomain"]),
    ("resolver-unusable", ["--offline", "pass.schema.test"], 3, ["resolver-unusable"]),
    ("deadline", ["--server", "127.0.0.1:{blackhole}", "-t", "0.3", "--lookup-timeout", "5",
                  "pass.schema.test"], 3, ["timeout"]),
    ("deadline-critical", ["--server", "127.0.0.1:{blackhole}", "-t", "0.3:critical",
                           "--lookup-timeout", "5", "pass.schema.test"], 2, ["timeout"]),
    ("bad-input-ip", ["1.2.3.4"], 3, ["bad-input"]),
    ("bad-input-empty", [""], 3, ["bad-input"]),
    ("bad-input-no-host", [], 3, ["bad-input"]),
    ("bad-input-option", ["--bogus", "pass.schema.test"], 3, ["bad-input"]),
    ("bad-input-range", ["-w", "10:5", "pass.schema.test"], 3, ["bad-input"]),
    ("bad-input-zone", ["--zone", "/nonexistent.zone", "pass.schema.test"], 3, ["bad-input"]),
]

SPF_CASES = [
    ("spf-pass", OFFLINE + ["spf", "--ip", "198.51.100.9", "--sender", "schema.test",
                            "--helo", "pass.schema.test"], 0, "pass"),
    ("spf-pass-v6", OFFLINE + ["spf", "--ip", "2001:db8::10", "--sender",
                               "someone@schema.test"], 0, "pass"),
    ("spf-fail", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "fail.schema.test"], 2, "fail"),
    ("spf-fail-exp", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "expl.schema.test"], 2,
     "fail"),
    ("spf-softfail", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "soft.schema.test"], 1,
     "softfail"),
    ("spf-permerror", OFFLINE + ["spf", "-vv", "--ip", "192.0.2.10", "--sender",
                                 "perm.schema.test"], 2, "permerror"),
    ("spf-none", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "nosuch.schema.test"], 1,
     "none"),
    ("spf-temperror", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "elsewhere.test"], 3,
     "temperror"),
    ("spf-null-sender", OFFLINE + ["spf", "--ip", "192.0.2.10", "--sender", "",
                                   "--helo", "pass.schema.test"], 0, "pass"),
    ("spf-deadline", ["--server", "127.0.0.1:{blackhole}", "-t", "0.3", "--lookup-timeout", "5",
                      "spf", "--ip", "192.0.2.10", "--sender", "schema.test"], 3, "temperror"),
    ("spf-deadline-critical", ["--server", "127.0.0.1:{blackhole}", "-t", "0.3:critical",
                               "--lookup-timeout", "5", "spf", "--ip", "192.0.2.10", "--sender",
                               "schema.test"], 2, "temperror"),
    ("spf-bad-ip", ["spf", "--ip", "not-an-ip", "--sender", "schema.test"], 3, None),
    ("spf-no-helo", ["spf", "--ip", "192.0.2.10", "--sender", ""], 3, None),
]

# spf --batch (lines IP SENDER [HELO]): every line a document of the spf
# schema, bad lines the error form; (name, extra args, format, trace wanted)
SPF_BATCH_LINES = ("198.51.100.9 schema.test pass.schema.test\n"
                   "192.0.2.10 fail.schema.test\n"
                   "192.0.2.10 perm.schema.test\n"
                   "not-an-ip schema.test\n")
SPF_BATCH_CASES = [
    ("spf-batch", [], "jsonl", False),
    ("spf-batch-trace", ["--trace"], "jsonl", True),
    ("spf-batch-json", [], "json", True),
]

# `mailcheck domain`: (name, args, exit code, required finding codes)
DOMAIN_CASES = [
    ("domain-ok", OFFLINE + ["domain", "schema.test"], 0, ["dmarc-policy-none"]),
    ("domain-verbose", OFFLINE + ["-vv", "domain", "schema.test"], 0, []),
    ("domain-permerror", OFFLINE + ["domain", "perm.schema.test"], 2, ["spf-permerror"]),
    ("domain-nxdomain", OFFLINE + ["domain", "nosuch.schema.test"], 2, ["mx-none", "spf-none"]),
    ("domain-dkim-missing", OFFLINE + ["domain", "--dkim", "s1", "schema.test"], 2,
     ["dkim-key-missing"]),
    ("domain-header-from", OFFLINE + ["domain", "--header-from", "fail.schema.test",
                                      "schema.test"], 0, []),
    ("domain-resolver-unusable", ["--offline", "domain", "schema.test"], 3,
     ["resolver-unusable"]),
    ("domain-deadline", ["--server", "127.0.0.1:{blackhole}", "-t", "0.3", "--lookup-timeout", "5",
                         "domain", "schema.test"], 3, ["timeout"]),
    ("domain-bad-input", ["domain", "not_a domain"], 3, ["bad-input"]),
    ("domain-bad-input-extra", ["domain", "schema.test", "other.test"], 3, ["bad-input"]),
    ("domain-bad-input-from", ["--from", "x.test", "domain", "schema.test"], 3, ["bad-input"]),
]

# Definitions mailcheck-domain.schema.json copies: (its name, from schema, there named).
DOMAIN_COPIES = [(n, "host", n) for n in ("domain", "lookup", "tristate", "finding", "state",
                                           "severity")] + [("spf_lookup", "spf", "lookup")]


class Failures:
    def __init__(self):
        self.items = []

    def fail(self, name, msg):
        self.items.append("%s: %s" % (name, msg))
        print("FAIL %s: %s" % (name, msg))


def blackhole():
    """A loopback UDP socket that never answers (a ready-made timeout)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def run(binary, args, fmt, stdin=None):
    cmd = [binary, "--format", fmt] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30,
                       input=stdin.encode() if stdin is not None else None)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def validate(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.path))


def schema_keys(schema):
    """Every property name the schema defines."""
    keys = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.get("properties", {}).items():
                keys.add(k)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    return keys


def documented_json_keys(man_path):
    with open(man_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^\.SH JSON OUTPUT\n(.*?)^\.SH ", text, re.M | re.S)
    if not m:
        return None
    section = m.group(1).replace("\\-", "-").replace("\\(em", "")
    return set(re.findall(r"[a-z_0-9]+", section))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--only")
    a = ap.parse_args()
    failures = Failures()
    schemas = {}
    for name in ("host", "spf", "domain"):
        path = os.path.join(a.source_dir, "share", "schema", "mailcheck-%s.schema.json" % name)
        with open(path, encoding="utf-8") as f:
            schemas[name] = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schemas[name])
    validators = {k: jsonschema.Draft202012Validator(v) for k, v in schemas.items()}
    # The domain schema's copies stay equal to their originals.
    for name, origin, there in DOMAIN_COPIES:
        if schemas["domain"]["$defs"].get(name) != schemas[origin]["$defs"][there]:
            failures.fail("domain schema", "$defs.%s differs from mailcheck-%s's $defs.%s"
                          % (name, origin, there))
    step = json.loads(json.dumps(schemas["spf"]["$defs"]["step"])
                      .replace("#/$defs/lookup", "#/$defs/spf_lookup"))
    if schemas["domain"]["$defs"].get("step") != step:
        failures.fail("domain schema", "$defs.step differs from mailcheck-spf's")

    # The man page documents every key the schemas define.
    documented = documented_json_keys(os.path.join(a.source_dir, "man", "mailcheck.1"))
    if documented is None:
        failures.fail("man", "no JSON OUTPUT section in man/mailcheck.1")
    else:
        for name, schema in schemas.items():
            missing = sorted(k for k in schema_keys(schema) if k not in documented)
            if missing:
                failures.fail("man", "keys of the %s schema not in JSON OUTPUT: %s"
                              % (name, ", ".join(missing)))

    hole = blackhole()
    port = hole.getsockname()[1]
    docs = {"host": [], "spf": [], "domain": []}
    count = 0
    for kind, cases in (("host", HOST_CASES), ("spf", SPF_CASES), ("domain", DOMAIN_CASES)):
        for case in cases:
            name, args, want_rc, want = case
            if a.only and a.only != name:
                continue
            args = [x.replace("{blackhole}", str(port)) for x in args]
            for fmt in ("json", "jsonl"):
                count += 1
                label = "%s (%s)" % (name, fmt)
                rc, out, err = run(a.binary, args, fmt)
                if rc != want_rc:
                    failures.fail(label, "exit %d, expected %d; stderr: %s" % (rc, want_rc, err))
                if fmt == "jsonl" and out.count("\n") != 1:
                    failures.fail(label, "jsonl output is not one line: %r" % out[:200])
                try:
                    doc = json.loads(out)
                except ValueError as e:
                    failures.fail(label, "not JSON (%s): %r" % (e, out[:300]))
                    continue
                errors = validate(validators[kind], doc)
                for e in errors[:5]:
                    failures.fail(label, "schema: %s at %s" % (e.message, list(e.path)))
                if doc.get("exit_code") != rc:
                    failures.fail(label, "exit_code %r but exit %d" % (doc.get("exit_code"), rc))
                if kind in ("host", "domain"):
                    codes = {f["code"] for f in doc.get("findings", [])}
                    for code in want:
                        if code not in codes:
                            failures.fail(label, "finding %s missing (got %s)" % (code, sorted(codes)))
                    if rc == 3 and "bad-input" in want and not err.strip():
                        failures.fail(label, "bad input: no message on stderr")
                else:
                    if want is not None and doc.get("result") != want:
                        failures.fail(label, "result %r, expected %r" % (doc.get("result"), want))
                    # mailcheck(1), --trace: the ledger always in json, in
                    # jsonl only when asked for
                    if doc.get("command") == "spf" and ("trace" in doc) != (fmt == "json"):
                        failures.fail(label, "trace %s" % ("missing" if fmt == "json"
                                                           else "present without --trace"))
                docs[kind].append(doc)
    hole.close()

    for name, extra, fmt, want_trace in SPF_BATCH_CASES:
        if a.only and a.only != name:
            continue
        label = "%s (%s)" % (name, fmt)
        rc, out, err = run(a.binary, OFFLINE + ["spf", "--batch", "-"] + extra, fmt,
                           SPF_BATCH_LINES)
        if rc != 2:  # the worst line: fail and permerror are critical, beyond unknown
            failures.fail(label, "exit %d, expected 2; stderr: %s" % (rc, err))
        lines = out.splitlines()
        if len(lines) != SPF_BATCH_LINES.count("\n"):
            failures.fail(label, "%d lines for %d" % (len(lines), SPF_BATCH_LINES.count("\n")))
        for i, line in enumerate(lines, 1):
            count += 1
            try:
                doc = json.loads(line)
            except ValueError as e:
                failures.fail(label, "line %d not JSON (%s): %r" % (i, e, line[:300]))
                continue
            for e in validate(validators["spf"], doc)[:5]:
                failures.fail(label, "line %d: schema: %s at %s" % (i, e.message, list(e.path)))
            if doc.get("line") != i:
                failures.fail(label, "line %d has line %r" % (i, doc.get("line")))
            if doc.get("command") == "spf":
                if ("trace" in doc) != want_trace:
                    failures.fail(label, "line %d: trace %s" % (
                        i, "missing" if want_trace else "present without --trace"))
                docs["spf"].append(doc)

    # The schemas are strict enough to catch a broken document.
    if docs["host"]:
        good = next(d for d in docs["host"] if d.get("host") and d["families"]["ipv4"]["addresses"])
        mutations = {
            "a required key removed": lambda d: d.pop("families"),
            "an unknown key": lambda d: d.__setitem__("colour", "red"),
            "a wrong status": lambda d: d.__setitem__("status", "fine"),
            "a wrong address verdict":
                lambda d: d["families"]["ipv4"]["addresses"][0].__setitem__("status", "ok"),
            "exit_code not matching status": lambda d: d.__setitem__("exit_code", 0 if d["status"] != "ok" else 2),
        }
        for what, mutate in mutations.items():
            bad = copy.deepcopy(good)
            mutate(bad)
            if not validate(validators["host"], bad):
                failures.fail("schema strictness", "host schema accepts %s" % what)
    if docs["spf"]:
        good = next(d for d in docs["spf"] if d.get("command") == "spf")
        bad = copy.deepcopy(good)
        bad["result"] = "maybe"
        if not validate(validators["spf"], bad):
            failures.fail("schema strictness", "spf schema accepts result 'maybe'")
    if docs["domain"]:
        good = next(d for d in docs["domain"] if d.get("command") == "domain" and d["spf"])
        mutations = {
            "a required key removed": lambda d: d.pop("spf"),
            "an unknown key": lambda d: d.__setitem__("families", {}),
            "a wrong walk result": lambda d: d["spf"][0].__setitem__("result", "pass"),
            "a wrong role": lambda d: d["domains"][0].__setitem__("roles", ["helo"]),
        }
        for what, mutate in mutations.items():
            bad = copy.deepcopy(good)
            mutate(bad)
            if not validate(validators["domain"], bad):
                failures.fail("schema strictness", "domain schema accepts %s" % what)

    failed = len(failures.items)
    print("%d documents validated against the schemas, %d failures" % (count, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
