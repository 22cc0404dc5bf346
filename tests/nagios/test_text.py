#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The text report as a person sees it: colour only on a terminal (a real
pty through util-linux script(1)), NO_COLOR, --color, -q, the aligned
columns, the reason with its code, standard and fix, and the evidence at -v.

    test_text.py --binary BUILD/mailcheck --source-dir SRC
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import unittest

ARGS = None
ESC = "\x1b["


def zones():
    d = os.path.join(ARGS.source_dir, "tests", "schema", "zones")
    out = ["--offline"]
    for z in ("schema.test.zone", "2.0.192.in-addr.arpa.zone", "8.b.d.0.1.0.0.2.ip6.arpa.zone"):
        out += ["--zone", os.path.join(d, z)]
    return out


def env(**kw):
    e = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    e.update(kw)
    return e


def run(args, **kw):
    p = subprocess.run([ARGS.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, env=kw.pop("env", env()), **kw)
    return p.returncode, p.stdout.decode("ascii")


def run_tty(args, **extra_env):
    """Runs the binary with stdout on a pty; returns what the terminal got."""
    cmd = " ".join(shlex.quote(a) for a in [ARGS.binary] + args)
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=30,
                       env=env(**extra_env))
    return p.stdout.decode("ascii").replace("\r\n", "\n")


class TestColour(unittest.TestCase):
    def setUp(self):
        if not shutil.which("script"):
            self.skipTest("script(1) (util-linux) not installed")

    def test_terminal_gets_colour(self):
        out = run_tty(zones() + ["mismatch.schema.test"])
        self.assertIn(ESC, out)
        self.assertIn("\x1b[33mWARNING\x1b[0m", out)

    def test_no_color_on_terminal(self):
        self.assertNotIn(ESC, run_tty(zones() + ["mismatch.schema.test"], NO_COLOR="1"))

    def test_empty_no_color_keeps_colour(self):
        self.assertIn(ESC, run_tty(zones() + ["mismatch.schema.test"], NO_COLOR=""))

    def test_color_never_on_terminal(self):
        self.assertNotIn(ESC, run_tty(zones() + ["--color=never", "mismatch.schema.test"]))

    def test_machine_formats_never_coloured(self):
        for fmt in ("json", "nagios", "openmetrics"):
            self.assertNotIn(ESC, run_tty(zones() + ["--format", fmt, "--color=always",
                                                     "mismatch.schema.test"]), fmt)

    def test_pipe_gets_none(self):
        self.assertNotIn(ESC, run(zones() + ["mismatch.schema.test"])[1])

    def test_color_always_on_pipe(self):
        self.assertIn(ESC, run(zones() + ["--colour", "always", "mismatch.schema.test"])[1])
        # An explicit option wins over NO_COLOR (no-color.org).
        self.assertIn(ESC, run(zones() + ["--color=always", "mismatch.schema.test"],
                               env=env(NO_COLOR="yes"))[1])


class TestLayout(unittest.TestCase):
    def test_quiet(self):
        rc, out = run(zones() + ["-q", "mismatch.schema.test"])
        self.assertEqual(rc, 1)
        self.assertEqual(out, "mismatch.schema.test: WARNING (1 warning)\n")

    def test_columns_align_across_families(self):
        rc, out = run(zones() + ["pass.schema.test"])
        self.assertEqual(rc, 0)
        rows = [l for l in out.split("\n") if re.match(r"^    [0-9a-f:.]+ +pass ", l)]
        self.assertEqual(len(rows), 2, out)
        cols = {l.index(" pass ") for l in rows}
        self.assertEqual(len(cols), 1, out)
        spf = [l for l in out.split("\n") if "SPF mailfrom" in l]
        self.assertEqual(len({l.index("SPF") for l in spf}), 1, out)

    def test_finding_has_reason_code_reference_fix(self):
        rc, out = run(zones() + ["noptr.schema.test"])
        self.assertEqual(rc, 2)
        self.assertRegex(out, r"\n  CRITICAL 192\.0\.2\.12 has no PTR record .*"
                              r"\[ptr-missing; RFC 1912 section 2\.1\]\n"
                              r"           fix: ask .* to set its PTR to noptr\.schema\.test\n")

    def test_evidence_at_v(self):
        rc, plain = run(zones() + ["pass.schema.test"])
        rc, out = run(zones() + ["-v", "pass.schema.test"])
        self.assertEqual(rc, 0)
        self.assertNotIn("rcode", plain)
        self.assertRegex(out, r"\n        A pass\.schema\.test: answer 192\.0\.2\.10 "
                              r"\(rcode NOERROR, TTL 3600, from zone [^)]*schema\.test\.zone\)\n")
        self.assertRegex(out, r"PTR 10\.2\.0\.192\.in-addr\.arpa: answer pass\.schema\.test "
                              r"\(rcode NOERROR, TTL 3600, from zone [^)]*in-addr\.arpa\.zone\)")
        self.assertIn("0 DNS queries sent", out)
        rc, out = run(zones() + ["-v", "noptr.schema.test"])
        self.assertRegex(out, r"PTR 12\.2\.0\.192\.in-addr\.arpa: nxdomain \(rcode NXDOMAIN, "
                              r"TTL 300, from zone ")
        rc, out = run(zones() + ["-v", "broken.schema.test"])
        self.assertRegex(out, r"PTR 7\.100\.51\.198\.in-addr\.arpa: offline \(no reply; .*--offline")

    def test_hostile_names_escaped(self):
        rc, out = run(zones() + ["-v", "evil.schema.test"])
        self.assertNotIn("\x1b", out)
        self.assertIn("ev\\027[31m", out)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
