#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden-file test of every renderer on real runs of the binary.

    golden_runs.py [--binary B] [--source-dir S] [--ref-dir D] [--write] [-q] [CASE...]
    golden_runs.py --list       (for CMake: one case name a line)
    golden_runs.py --orphans    (fails on a run-*.ref that no case writes)

Each case of RUNS below runs `mailcheck` (host check) or `mailcheck spf`
offline on the repository's test zones (--offline --zone ..., so nothing
leaves the machine) in every format and at every verbosity that changes the
output, from the source directory so that the zone paths in the evidence
read tests/e2e/zones/... on every machine.  The output, normalized, must
equal tests/golden/run-CASE.VARIANT.ref byte for byte; the exit code must be
the case's and standard error empty.  --write writes the references instead
(tests/golden/regen.sh).

Normalized, because they change from run to run or release to release: the
wall time (JSON duration_ms, the nagios time= perfdata, the "N ms" of text
-v and nagios -vv, the OpenMetrics *_duration_seconds samples) and the
version (JSON "version", mailcheck_build_info).  Nothing else: the query
counts, the evidence and the ledger are deterministic offline.

MAILCHECK_TEST_WRAPPER (e.g. valgrind) is put before the binary, as the e2e
tests do.  Python standard library only.
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

E2E_ZONES = "tests/e2e/zones"
SPF_ZONES = "tests/spf_e2e/zones"

# The variants: suffix of the reference name and the arguments they add.
HOST_VARIANTS = [
    ("text", []),
    ("text-v", ["-v"]),
    ("json", ["--format", "json"]),
    ("nagios", ["--format", "nagios"]),
    ("nagios-v", ["--format", "nagios", "-v"]),
    ("nagios-vv", ["--format", "nagios", "-vv"]),
    ("openmetrics", ["--format", "openmetrics"]),
]
SPF_VARIANTS = [
    ("text", []),
    ("text-v", ["-v"]),
    ("text-vv", ["-vv"]),
    ("json", ["--format", "json"]),
    ("nagios", ["--format", "nagios"]),
    ("nagios-v", ["--format", "nagios", "-v"]),
    ("nagios-vv", ["--format", "nagios", "-vv"]),
    ("openmetrics", ["--format", "openmetrics"]),
]

# name, what it shows, zones (files of ZONES_DIR, None: all), args, exit.
RUNS = [
    {"name": "host-pass", "doc": "both families pass (tests/e2e/cases.json: pass)",
     "zones": (E2E_ZONES, None), "args": ["mail.e2e.test"], "exit": 0},
    {"name": "host-mismatch",
     "doc": "the PTR names another host, which confirms: mismatch, warning",
     "zones": (E2E_ZONES, None), "args": ["mismatch.e2e.test"], "exit": 1},
    {"name": "host-lookup-failed",
     "doc": "the reverse zones left out: both PTR lookups fail (offline-missing-reverse-zone)",
     "zones": (E2E_ZONES, ["e2e.test.zone"]), "args": ["mail.e2e.test"], "exit": 2},
    {"name": "host-classless",
     "doc": "RFC 2317: the PTR through a CNAME into 0-26.2.0.192.in-addr.arpa, the step shown",
     "zones": (E2E_ZONES, None), "args": ["classless.e2e.test"], "exit": 0},
    {"name": "host-revdangle",
     "doc": "the reverse CNAME points nowhere: no PTR, the dangling target named",
     "zones": (E2E_ZONES, None), "args": ["revdangle.e2e.test"], "exit": 2},
    {"name": "host-dnsbl",
     "doc": "--dnsbl: zen (not listed), dbl (HOST's PTR names, one per listing class) and a list "
            "that fails its health check (unusable)",
     "zones": (E2E_ZONES, None),
     "args": ["--dnsbl-table", "share/mailcheck/dnsbl.conf", "--dnsbl", "zen.spamhaus.org",
              "--dnsbl", "dbl.spamhaus.org", "--dnsbl", "all.bl.dnsbl.e2e.test",
              "dblnames.dnsbl.e2e.test"], "exit": 2},
    {"name": "host-dnsbl-dqs",
     "doc": "--dnsbl-key: zen through the DQS stand-in, which has no IPv6 test point; the key "
            "in no output",
     "zones": (E2E_ZONES, None),
     "args": ["--dnsbl-table", "share/mailcheck/dnsbl.conf", "--dnsbl", "zen.spamhaus.org",
              "--dnsbl-key", "testkey0123456789", "clean.dnsbl.e2e.test"], "exit": 3},
    {"name": "spf-pass",
     "doc": "pass through an include (the ledger one level deeper)",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "192.0.2.25", "--sender", "user@include.spf-e2e.test"], "exit": 0},
    {"name": "spf-fail-exp", "doc": "fail by -all with the explanation of exp=",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "198.51.100.7", "--sender", "user@exp.spf-e2e.test"], "exit": 2},
    {"name": "spf-permerror", "doc": "an unknown mechanism: permerror, the problem named",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "192.0.2.25", "--sender", "user@perm.spf-e2e.test"], "exit": 2},
    {"name": "spf-ptr",
     "doc": "the ptr mechanism: the PTR validation step names the reverse lookup "
            "(nagios -v printed it as a second \"record of\")",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "192.0.2.25", "--sender", "user@ptr.spf-e2e.test"], "exit": 0},
    {"name": "spf-void-helo", "doc": "two void lookups ([void], lint info) and --helo",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "192.0.2.25", "--sender", "user@void2.spf-e2e.test",
              "--helo", "mail.spf-e2e.test"], "exit": 0},
    {"name": "spf-temperror", "doc": "a lookup outside every zone fails: temperror, why",
     "zones": (SPF_ZONES, None), "spf": True,
     "args": ["--ip", "192.0.2.25", "--sender", "user@temp.spf-e2e.test"], "exit": 2},
]

# (pattern, replacement): the volatile parts of an output, in every format.
NORMALIZE = [
    (re.compile(r'("duration_ms": ?)\d+'), r"\1<MS>"),
    (re.compile(r'("version": ?)"[^"]*"'), r'\1"<VERSION>"'),
    (re.compile(r'(mailcheck_build_info\{version=)"[^"]*"'), r'\1"<VERSION>"'),
    (re.compile(r"( time=)\d+\.\d+s;"), r"\1<SECONDS>s;"),
    (re.compile(r"(DNS quer(?:y|ies) sent, )\d+ ms"), r"\1<MS> ms"),
    (re.compile(r"(DNS quer(?:y|ies) in )\d+ ms"), r"\1<MS> ms"),
    (re.compile(r"^(mailcheck_(?:check|spf)_duration_seconds\{.*\}) \d+(?:\.\d+)?$", re.M),
     r"\1 <SECONDS>"),
]


def normalize(text):
    for pattern, replacement in NORMALIZE:
        text = pattern.sub(replacement, text)
    return text


def zone_args(source_dir, zones):
    directory, names = zones
    if names is None:
        names = sorted(os.path.basename(p)
                       for p in glob.glob(os.path.join(source_dir, directory, "*.zone")))
    args = ["--offline"]
    for name in names:
        args += ["--zone", directory + "/" + name]
    return args


def command(binary, source_dir, case, extra):
    wrapper = shlex.split(os.environ.get("MAILCHECK_TEST_WRAPPER", ""))
    cmd = wrapper + [binary]
    if case.get("spf"):
        cmd.append("spf")
    return cmd + zone_args(source_dir, case["zones"]) + case["args"] + extra


def variants(case):
    return SPF_VARIANTS if case.get("spf") else HOST_VARIANTS


def ref_names():
    return {"run-%s.%s.ref" % (c["name"], v) for c in RUNS for v, _ in variants(c)}


def run_case(case, opts):
    """Compares (or writes) every reference of CASE; returns the failures."""
    failures = 0
    for variant, extra in variants(case):
        name = "run-%s.%s" % (case["name"], variant)
        cmd = command(opts.binary, opts.source_dir, case, extra)
        env = dict(os.environ, LC_ALL="C", NO_COLOR="1")
        p = subprocess.run(cmd, cwd=opts.source_dir, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        out = normalize(p.stdout.decode("utf-8", "backslashreplace"))
        problems = []
        if p.returncode != case["exit"]:
            problems.append("exit %d, expected %d" % (p.returncode, case["exit"]))
        if p.stderr:
            problems.append("stderr: %s" % p.stderr.decode("utf-8", "backslashreplace").strip())
        path = os.path.join(opts.ref_dir, name + ".ref")
        if opts.write:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(out)
        else:
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    want = f.read()
            except OSError as e:
                want = None
                problems.append("%s (tests/golden/regen.sh writes it)" % e)
            if want is not None and want != out:
                problems.append(first_difference(want, out))
                actual = os.path.abspath(name + ".out")
                with open(actual, "w", encoding="utf-8", newline="") as f:
                    f.write(out)
                problems.append("diff -u %s %s" % (path, actual))
        if problems:
            failures += 1
            print("FAIL %s: %s" % (name, " ".join(shlex.quote(a) for a in cmd)))
            for line in problems:
                print("  " + line)
        elif not opts.quiet:
            print("ok   %s" % name)
    return failures


def first_difference(want, got):
    w, g = want.split("\n"), got.split("\n")
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else "<end>"
        b = g[i] if i < len(g) else "<end>"
        if a != b:
            return "differs from line %d\n  want: %s\n  got:  %s" % (i + 1, a, b)
    return "differs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=None)
    ap.add_argument("--source-dir", default=os.path.normpath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--ref-dir", default=HERE)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--orphans", action="store_true")
    ap.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    ap.add_argument("cases", nargs="*")
    opts = ap.parse_args()
    if opts.list:
        for c in RUNS:
            print(c["name"])
        return 0
    if opts.orphans:
        stale = sorted(set(n for n in os.listdir(opts.ref_dir)
                           if n.startswith("run-") and n.endswith(".ref")) - ref_names())
        for n in stale:
            print("%s: no case writes it (stale? tests/golden/regen.sh removes it)" % n)
        return 1 if stale else 0
    opts.source_dir = os.path.abspath(opts.source_dir)
    opts.binary = os.path.abspath(opts.binary or os.path.join(opts.source_dir, "build",
                                                              "mailcheck"))
    known = {c["name"]: c for c in RUNS}
    unknown = [n for n in opts.cases if n not in known]
    if unknown:
        print("unknown case(s): %s" % ", ".join(unknown))
        return 2
    failures = sum(run_case(known[n], opts) for n in (opts.cases or list(known)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
