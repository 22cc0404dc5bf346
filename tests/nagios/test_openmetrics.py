#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--format openmetrics and --output, on the real binary offline.

Every output goes through a strict parser of the Prometheus text exposition
format (0.0.4) as node_exporter's textfile collector reads it, written here
from the format's description: HELP then TYPE before each family's samples,
one family once, gauges only, no timestamps, label values with only the
escapes \\\\ \\" \\n, no duplicate series, a final newline.  When promtool
(Debian package prometheus) is installed it checks the same outputs with
`promtool check metrics`, whose lint must print nothing.

    test_openmetrics.py --binary BUILD/mailcheck --source-dir SRC
"""

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

ARGS = None
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(r"^(%s)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*=%s(?:,[a-zA-Z_][a-zA-Z0-9_]*=%s)*)?\})? "
                    r"(-?\d+(?:\.\d+)?|NaN|[+-]Inf)$" % (NAME, LABEL_VALUE, LABEL_VALUE))
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)=(%s)' % LABEL_VALUE)


def zones():
    d = os.path.join(ARGS.source_dir, "tests", "schema", "zones")
    out = ["--offline"]
    for z in ("schema.test.zone", "2.0.192.in-addr.arpa.zone", "8.b.d.0.1.0.0.2.ip6.arpa.zone"):
        out += ["--zone", os.path.join(d, z)]
    return out


def run(args, **kw):
    return subprocess.run([ARGS.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=30, **kw)


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v[1:-1])


def parse(text):
    """Returns {family: {"help", "type", "samples": [(labels, value)]}} or raises."""
    if not text.endswith("\n"):
        raise ValueError("no final newline")
    families, current, series = {}, None, set()
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d: %r" % (n, line)
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            if not re.fullmatch(NAME, name) or not help_text:
                raise ValueError("bad HELP, " + where)
            if name in families:
                raise ValueError("family %s twice, %s" % (name, where))
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
        elif line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            if name != current or families[name]["type"] is not None:
                raise ValueError("TYPE not right after its HELP, " + where)
            if typ != "gauge":
                raise ValueError("type %s is not gauge, %s" % (typ, where))
            families[name]["type"] = typ
        elif line.startswith("#") or not line.strip():
            raise ValueError("unexpected comment or blank line, " + where)
        else:
            m = SAMPLE.match(line)
            if not m:
                raise ValueError("not a sample (timestamp? bad escape?), " + where)
            name = m.group(1)
            if name != current or families[name]["type"] is None:
                raise ValueError("sample outside its family, " + where)
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
            key = (name, tuple(sorted(labels.items())))
            if key in series:
                raise ValueError("duplicate series, " + where)
            series.add(key)
            families[name]["samples"].append((labels, float(m.group(3))))
    for name, fam in families.items():
        if not name.startswith("mailcheck_"):
            raise ValueError("%s lacks the mailcheck_ prefix" % name)
        if name.endswith("_total"):
            raise ValueError("%s: _total is for counters" % name)
        if fam["type"] is None:
            raise ValueError("%s has no TYPE" % name)
    return families


def values(fams, name, **want):
    return [v for labels, v in fams[name]["samples"]
            if all(labels.get(k) == x for k, x in want.items())]


class TestOpenMetrics(unittest.TestCase):
    outputs = []

    def metrics(self, args, rc):
        p = run(["--format", "openmetrics"] + args)
        self.assertEqual(p.returncode, rc, p.stderr)
        text = p.stdout.decode("ascii")
        TestOpenMetrics.outputs.append(text)
        return parse(text)

    def test_pass(self):
        fams = self.metrics(zones() + ["pass.schema.test"], 0)
        self.assertEqual(values(fams, "mailcheck_status", host="pass.schema.test"), [0])
        for fam in ("ipv4", "ipv6"):
            self.assertEqual(values(fams, "mailcheck_family_status", family=fam), [0])
            self.assertEqual(values(fams, "mailcheck_family_verdict", family=fam, verdict="pass"),
                             [1])
            self.assertEqual(sum(values(fams, "mailcheck_family_verdict", family=fam)), 1)
            self.assertEqual(values(fams, "mailcheck_family_addresses", family=fam), [1])
            self.assertEqual(len(values(fams, "mailcheck_spf_lookups", family=fam)), 1)
        self.assertEqual(len(fams["mailcheck_check_duration_seconds"]["samples"]), 1)
        self.assertEqual(values(fams, "mailcheck_dns_queries"), [0])
        self.assertEqual(sorted(l["severity"] for l, _ in fams["mailcheck_findings"]["samples"]),
                         ["critical", "info", "unknown", "warning"])

    def test_same_result_as_json(self):
        for host in ("mismatch.schema.test", "noptr.schema.test", "nosuch.schema.test",
                     "alias.schema.test", "broken.schema.test"):
            with self.subTest(host=host):
                doc = json.loads(run(["--format", "json"] + zones() + [host]).stdout)
                fams = self.metrics(zones() + [host], doc["exit_code"])
                self.assertEqual(values(fams, "mailcheck_status"), [doc["exit_code"]])
                self.assertEqual(sum(values(fams, "mailcheck_findings")), len(doc["findings"]))
                self.assertEqual(sum(values(fams, "mailcheck_finding_codes")), len(doc["findings"]))
                for fam in ("ipv4", "ipv6"):
                    verdict = doc["families"][fam]["status"]
                    self.assertEqual(values(fams, "mailcheck_family_verdict", family=fam,
                                            verdict=verdict), [1])
                    addrs = doc["families"][fam]["addresses"]
                    self.assertEqual(values(fams, "mailcheck_family_addresses", family=fam),
                                     [len(addrs)])
                    for a in addrs:
                        self.assertEqual(len(values(fams, "mailcheck_address_status", family=fam,
                                                    address=a["address"])), 1)

    def test_hostile_label_values(self):
        fams = self.metrics(zones() + ["--format", "openmetrics", "evil.schema.test"], 2)
        self.assertIn("mailcheck_status", fams)

    def test_bad_input_is_metrics(self):
        fams = self.metrics(['bad"name\\x'], 3)
        self.assertEqual(values(fams, "mailcheck_status"), [3])
        self.assertEqual(values(fams, "mailcheck_status", host='bad"name\\x'), [3])
        self.assertEqual(values(fams, "mailcheck_finding_codes", code="bad-input"), [1])

    def test_spf(self):
        fams = self.metrics(zones() + ["spf", "--ip", "192.0.2.10", "--sender", "fail.schema.test"], 2)
        self.assertEqual(values(fams, "mailcheck_spf_result", result="fail"), [1])
        self.assertEqual(sum(values(fams, "mailcheck_spf_result")), 1)
        self.assertEqual(values(fams, "mailcheck_spf_status", ip="192.0.2.10",
                                sender="postmaster@fail.schema.test"), [2])

    def test_domain(self):
        # Not through self.metrics(): promtool's lint rejects the unit of
        # mailcheck_dkim_key_bits ("bits", not "bytes") once it has a sample.
        p = run(["--format", "openmetrics"] + zones() + ["domain", "--dkim", "s1", "schema.test"])
        self.assertEqual(p.returncode, 2, p.stderr)
        fams = parse(p.stdout.decode("ascii"))
        self.assertEqual(values(fams, "mailcheck_status", domain="schema.test"), [2])
        self.assertEqual(values(fams, "mailcheck_dmarc_policy", domain="schema.test"), [0])
        self.assertEqual(values(fams, "mailcheck_dkim_key_status", domain="schema.test",
                                selector="s1"), [2])
        self.assertEqual(values(fams, "mailcheck_dkim_key_bits", domain="schema.test",
                                selector="s1"), [0])
        self.assertEqual(values(fams, "mailcheck_spf_worst_case_lookups", domain="schema.test"), [1])

    def test_dkim_key_repeats(self):
        # The same record named twice is one series; the same selector of
        # another d= is another (signing_domain), never a duplicate.
        p = run(["--format", "openmetrics"] + zones() +
                ["domain", "--dkim", "s1", "--dkim", "s1", "--dkim", "s1:sub.schema.test", "schema.test"])
        fams = parse(p.stdout.decode("ascii"))  # raises on a duplicate series
        self.assertEqual(len(values(fams, "mailcheck_dkim_key_status", domain="schema.test",
                                    selector="s1")), 2)
        self.assertEqual(len(values(fams, "mailcheck_dkim_key_bits", domain="schema.test",
                                    selector="s1", signing_domain="schema.test")), 1)
        self.assertEqual(len(values(fams, "mailcheck_dkim_key_bits", domain="schema.test",
                                    selector="s1", signing_domain="sub.schema.test")), 1)

    def test_promtool(self):
        promtool = shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not installed (Debian package prometheus)")
        texts = list(TestOpenMetrics.outputs)
        for args in (["pass.schema.test"], ["evil.schema.test"], ["--no-spf", "mismatch.schema.test"],
                     ["spf", "--ip", "192.0.2.10", "--sender", "perm.schema.test"],
                     ["domain", "--header-from", "fail.schema.test", "schema.test"]):
            texts.append(run(["--format", "openmetrics"] + zones() + args).stdout.decode())
        texts.append(run(["--format", "openmetrics", "1.2.3.4"]).stdout.decode())
        for text in texts:
            p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
            self.assertEqual((p.returncode, p.stdout.decode()), (0, ""), text)
        # With a DKIM key's sample, promtool's lint flags the unit of
        # mailcheck_dkim_key_bits and nothing else (mailcheck(1), openmetrics).
        text = run(["--format", "openmetrics"] + zones() + ["domain", "--dkim", "s1", "schema.test"])
        p = subprocess.run([promtool, "check", "metrics"], input=text.stdout, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual((p.returncode, p.stdout.decode()),
                         (3, 'mailcheck_dkim_key_bits use base unit "bytes" instead of "bits"\n'))


class TestOutputFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "mailcheck.prom")

    def tearDown(self):
        self.dir.cleanup()

    def test_atomic_replace(self):
        with open(self.path, "w") as f:
            f.write("old\n")
        old_inode = os.stat(self.path).st_ino
        p = run(["--format", "openmetrics", "--output", self.path] + zones() + ["pass.schema.test"],
                preexec_fn=lambda: os.umask(0o022))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        st = os.stat(self.path)
        self.assertNotEqual(st.st_ino, old_inode, "not replaced by rename")
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o644)
        with open(self.path) as f:
            parse(f.read())
        self.assertEqual(os.listdir(self.dir.name), ["mailcheck.prom"], "temporary file left")

    def test_every_format(self):
        for fmt in ("text", "json", "jsonl", "nagios", "openmetrics"):
            p = run(["--format", fmt, "--output=" + self.path] + zones() + ["mismatch.schema.test"])
            self.assertEqual(p.returncode, 1, fmt)
            self.assertEqual(p.stdout, b"", fmt)
            with open(self.path) as f:
                text = f.read()
            self.assertIn("mismatch.schema.test", text, fmt)
            self.assertNotIn("\x1b", text, fmt)

    def test_usage_error_goes_to_file(self):
        p = run(["--output", self.path, "--format", "json", "--bogus"])
        self.assertEqual(p.returncode, 3)
        with open(self.path) as f:
            self.assertEqual(json.load(f)["findings"][0]["code"], "bad-input")

    def test_unwritable(self):
        bad = os.path.join(self.dir.name, "missing-dir", "x.prom")
        p = run(["--format", "openmetrics", "--output", bad] + zones() + ["pass.schema.test"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"--output", p.stderr)
        self.assertEqual(os.listdir(self.dir.name), [])


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
