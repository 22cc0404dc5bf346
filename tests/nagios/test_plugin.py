#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The monitoring plugin contract of mailcheck (--format nagios and
check_mailcheck), run on the real binary offline (tests/schema/zones) and
against a loopback socket that never answers (the deadline).

    test_plugin.py --binary BUILD/mailcheck --source-dir SRC [unittest args]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import unittest

ARGS = None
FIRST_LINE = re.compile(r"^MAILCHECK (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| [^|\n]+)?$")
PERF_ITEM = re.compile(r"^[a-z_0-9]+=\d+(\.\d+)?(s)?;[^;]*;[^;]*;[^;]*(;[^;]*)?$")
STATE_CODE = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


def zones():
    d = os.path.join(ARGS.source_dir, "tests", "schema", "zones")
    out = ["--offline"]
    for z in ("schema.test.zone", "2.0.192.in-addr.arpa.zone", "8.b.d.0.1.0.0.2.ip6.arpa.zone"):
        out += ["--zone", os.path.join(d, z)]
    return out


class Run:
    def __init__(self, argv0, args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run([argv0] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30, env=e)
        self.rc = p.returncode
        self.out = p.stdout.decode("ascii")  # the plugin output is ASCII only
        self.err = p.stderr.decode("utf-8", "replace")
        self.lines = self.out.split("\n")
        assert self.out.endswith("\n") or self.out == "", repr(self.out)
        if self.lines and self.lines[-1] == "":
            self.lines.pop()

    @property
    def first(self):
        return self.lines[0] if self.lines else ""

    def perfdata(self):
        if " | " not in self.first:
            return {}
        items = self.first.split(" | ", 1)[1].split(" ")
        out = {}
        for item in items:
            assert PERF_ITEM.match(item), item
            label, rest = item.split("=", 1)
            out[label] = rest
        return out


def mailcheck(*args, **kw):
    return Run(ARGS.binary, ["--format", "nagios"] + list(args), **kw)


class PluginCase(unittest.TestCase):
    def assertPlugin(self, r, state):
        """The plugin contract every run keeps."""
        self.assertIn(r.rc, (0, 1, 2, 3))
        self.assertTrue(r.lines, "no output; stderr: %s" % r.err)
        self.assertRegex(r.first, FIRST_LINE)
        self.assertEqual(r.first.count("|"), 1 if " | " in r.first else 0, r.first)
        for line in r.lines[1:]:
            self.assertNotIn("|", line)
        for ch in r.out:
            self.assertTrue(ch == "\n" or 0x20 <= ord(ch) < 0x7f, repr(ch))
        got = r.first.split(" ")[1]
        self.assertEqual(got, state, r.out + r.err)
        self.assertEqual(r.rc, STATE_CODE[state])


class TestOutput(PluginCase):
    def test_ok_line_and_perfdata(self):
        r = mailcheck(*zones(), "pass.schema.test")
        self.assertPlugin(r, "OK")
        self.assertRegex(r.first, r"^MAILCHECK OK - pass\.schema\.test: IPv4 pass \(1 address\), "
                                  r"IPv6 pass \(1 address\), SPF pass \| ")
        perf = r.perfdata()
        self.assertEqual(list(perf), ["time", "queries", "addresses", "spf_lookups_ipv4",
                                      "spf_lookups_ipv6", "dkim_keys"])
        self.assertEqual(perf["dkim_keys"], "0;;;0")  # no selector given
        self.assertRegex(perf["time"], r"^\d+\.\d{3}s;;;0$")
        self.assertEqual(perf["queries"], "0;;;0")
        self.assertEqual(perf["addresses"], "2;;;0")
        self.assertRegex(perf["spf_lookups_ipv4"], r"^\d+;;;0;10$")
        self.assertRegex(perf["spf_lookups_ipv6"], r"^\d+;;;0;10$")

    def test_thresholds_in_perfdata(self):
        r = mailcheck(*zones(), "-w", "~:5", "-c", "10", "pass.schema.test")
        self.assertPlugin(r, "OK")
        self.assertRegex(r.perfdata()["time"], r"^\d+\.\d{3}s;~:5;10;0$")

    def test_family_without_addresses_left_out(self):
        r = mailcheck(*zones(), "mismatch.schema.test")
        self.assertPlugin(r, "WARNING")
        perf = r.perfdata()
        self.assertEqual(perf["addresses"], "1;;;0")
        self.assertIn("spf_lookups_ipv4", perf)
        self.assertNotIn("spf_lookups_ipv6", perf)

    def test_no_spf_no_spf_perfdata(self):
        r = mailcheck(*zones(), "--no-spf", "pass.schema.test")
        self.assertPlugin(r, "OK")
        self.assertNotIn("spf_lookups_ipv4", r.perfdata())

    def test_worst_first_and_every_finding(self):
        args = [*zones(), "--from", "fail.schema.test", "mismatch.schema.test"]
        r = mailcheck(*args)
        self.assertPlugin(r, "CRITICAL")
        summary = r.first.split(" | ")[0]
        self.assertLess(summary.index("(spf-fail)"), summary.index("ptr-mismatch"))
        doc = json.loads(Run(ARGS.binary, ["--format", "json"] + args).out)
        long_output = r.lines[1:]
        self.assertEqual(len(long_output), len(doc["findings"]))
        for f in doc["findings"]:
            self.assertTrue(any(line.endswith("(%s)" % f["code"]) for line in long_output),
                            f["code"])
        order = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, "INFO": 3}
        ranks = [order[re.match(r"^\[([A-Z]+)\]", l).group(1)] for l in long_output]
        self.assertEqual(ranks, sorted(ranks))

    def test_pipe_from_dns_escaped(self):
        r = mailcheck(*zones(), "-vv", "pipe.schema.test")
        # A PTR name with '|' is no host name (ptr-invalid-name): critical.
        self.assertPlugin(r, "CRITICAL")
        self.assertIn("pi\\124pe.schema.test", r.out)
        # An SPF record with '|' in a term: the message quotes it.
        r = mailcheck(*zones(), "-vv", "--from", "perm.schema.test", "pass.schema.test")
        self.assertPlugin(r, "CRITICAL")
        self.assertIn("foo\\124bar", r.out)

    def test_control_bytes_escaped(self):
        r = mailcheck(*zones(), "-vv", "evil.schema.test")
        self.assertPlugin(r, "CRITICAL")
        self.assertNotIn("\x1b", r.out)

    def test_verbosity(self):
        v0 = mailcheck(*zones(), "mismatch.schema.test")
        v1 = mailcheck(*zones(), "-v", "mismatch.schema.test")
        v2 = mailcheck(*zones(), "-vv", "mismatch.schema.test")
        for r in (v0, v1, v2):
            self.assertPlugin(r, "WARNING")
        self.assertNotIn("fix:", v0.out)
        self.assertIn("  fix: ", v1.out)
        self.assertIn("\nIPv4: mismatch\n", v1.out)
        self.assertNotIn("lookup PTR", v1.out)
        self.assertIn("lookup PTR 11.2.0.192.in-addr.arpa: answer other.schema.test "
                      "(rcode NOERROR, TTL 3600, from zone ", v2.out)
        self.assertLess(len(v0.lines), len(v1.lines))
        self.assertLess(len(v1.lines), len(v2.lines))


class TestThresholds(PluginCase):
    def test_critical_range(self):
        r = mailcheck(*zones(), "-c", "@0:3600", "pass.schema.test")
        self.assertPlugin(r, "CRITICAL")
        self.assertIn("(time-critical)", r.first)

    def test_warning_range(self):
        r = mailcheck(*zones(), "-w", "@0:3600", "-c", "3600", "pass.schema.test")
        self.assertPlugin(r, "WARNING")
        self.assertIn("(time-warning)", r.first)

    def test_below_range(self):
        # "10:" alerts below 10 s: an offline check always is.
        r = mailcheck(*zones(), "-w", "10:", "pass.schema.test")
        self.assertPlugin(r, "WARNING")

    def test_not_reached(self):
        r = mailcheck(*zones(), "-w", "3600", "-c", "~:7200", "pass.schema.test")
        self.assertPlugin(r, "OK")

    def test_every_format(self):
        for fmt in ("json", "text", "openmetrics"):
            r = Run(ARGS.binary, [*zones(), "--format", fmt, "-c", "@0:3600", "pass.schema.test"])
            self.assertEqual(r.rc, 2, fmt)
            self.assertIn("time-critical", r.out, fmt)


class TestUnknown(PluginCase):
    def assertUnknown(self, r):
        self.assertPlugin(r, "UNKNOWN")
        self.assertTrue(r.first.startswith("MAILCHECK UNKNOWN - "))

    def test_usage_errors(self):
        for args in ([], ["--bogus", "pass.schema.test"], ["-w", "x", "pass.schema.test"],
                     ["-c", "20:10", "pass.schema.test"], ["-t", "abc", "pass.schema.test"],
                     ["-t", "5:sometimes", "pass.schema.test"], ["192.0.2.1"],
                     ["-H", "a.schema.test", "b.schema.test"], ["--format"],
                     ["--zone", "/nonexistent/x.zone", "pass.schema.test"], ["bad_name.test"],
                     ["--tries", "0", "pass.schema.test"]):
            with self.subTest(args=args):
                r = mailcheck(*args)
                self.assertUnknown(r)
                self.assertTrue(r.err.strip(), "no message on stderr")

    def test_unknown_before_format_option(self):
        # An error in an option before --format still comes in the plugin format.
        r = Run(ARGS.binary, ["--bogus", "--format", "nagios", "x.test"])
        self.assertUnknown(r)

    def test_resolver_unusable(self):
        r = mailcheck("--offline", "pass.schema.test")
        self.assertUnknown(r)
        self.assertIn("resolver-unusable", r.first)

    def test_deadline(self):
        hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        hole.bind(("127.0.0.1", 0))
        port = str(hole.getsockname()[1])
        try:
            r = mailcheck("--server", "127.0.0.1:" + port, "-t", "0.3", "--lookup-timeout", "5",
                          "pass.schema.test")
            self.assertUnknown(r)
            self.assertIn("deadline", r.first)
            self.assertIn("(timeout)", r.first)
            r = mailcheck("--server", "127.0.0.1:" + port, "-t", "0.3:critical",
                          "--lookup-timeout", "5", "pass.schema.test")
            self.assertPlugin(r, "CRITICAL")
        finally:
            hole.close()


class TestInvocation(PluginCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.plugin = os.path.join(self.dir.name, "check_mailcheck")
        os.symlink(os.path.abspath(ARGS.binary), self.plugin)

    def tearDown(self):
        self.dir.cleanup()

    def test_plugin_name_defaults_to_nagios(self):
        r = Run(self.plugin, ["-H", "pass.schema.test", *zones()])
        self.assertPlugin(r, "OK")
        r = Run(self.plugin, [*zones(), "-H", "pass.schema.test", "--format", "json"])
        self.assertEqual(json.loads(r.out)["status"], "ok")

    def test_hostname_option_is_host(self):
        a = Run(ARGS.binary, ["--format", "json", *zones(), "-H", "mismatch.schema.test"])
        b = Run(ARGS.binary, ["--format", "json", *zones(), "mismatch.schema.test"])
        c = Run(ARGS.binary, ["--format", "json", *zones(), "--hostname=mismatch.schema.test",
                              "mismatch.schema.test"])
        for r in (a, b, c):
            self.assertEqual(r.rc, 1)
            self.assertEqual(json.loads(r.out)["host"], "mismatch.schema.test")

    def test_help_and_version_exit_codes(self):
        for prog, code in ((self.plugin, 3), (ARGS.binary, 0)):
            for opt in ("-h", "--help"):
                r = Run(prog, [opt])
                self.assertEqual(r.rc, code, (prog, opt))
                self.assertIn("-H, --hostname HOST", r.out)
            for opt in ("-V", "--version"):
                r = Run(prog, [opt])
                self.assertEqual(r.rc, code, (prog, opt))
                self.assertRegex(r.first, r"^mailcheck \d+\.\d+\.\d+$")
                self.assertIn("c-ares ", r.out)

    def test_plugin_usage_error(self):
        r = Run(self.plugin, [])
        self.assertPlugin(r, "UNKNOWN")
        self.assertIn("no HOST", r.first)

    def test_spf_line(self):
        r = Run(self.plugin, [*zones(), "spf", "--ip", "192.0.2.10", "--sender", "fail.schema.test"])
        self.assertPlugin(r, "CRITICAL")
        self.assertRegex(r.first, r"^MAILCHECK CRITICAL - SPF fail for 192\.0\.2\.10 from "
                                  r"postmaster@fail\.schema\.test by '-all' \| "
                                  r"time=\d+\.\d{3}s;;;0 dns_lookups=0;;;0;10 void_lookups=0;;;0;2$")
        r = mailcheck(*zones(), "spf", "--ip", "198.51.100.9", "--sender", "schema.test")
        self.assertPlugin(r, "OK")
        self.assertIn("dns_lookups=1;;;0;10", r.first)
        r = mailcheck(*zones(), "spf", "--ip", "192.0.2.10", "--sender", "soft.schema.test")
        self.assertPlugin(r, "WARNING")
        r = mailcheck(*zones(), "spf", "--ip", "192.0.2.10")
        self.assertPlugin(r, "UNKNOWN")

    def test_output_file(self):
        path = os.path.join(self.dir.name, "out.txt")
        r = mailcheck(*zones(), "--output", path, "pass.schema.test")
        self.assertEqual(r.rc, 0)
        self.assertEqual(r.out, "")
        with open(path) as f:
            self.assertTrue(f.read().startswith("MAILCHECK OK - pass.schema.test: "))


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
