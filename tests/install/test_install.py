#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`cmake --install` into a temp prefix (and with DESTDIR): every file in
its place, the check_mailcheck links valid in bin/ and lib/nagios/plugins/
and behaving as the plugin, the man page, schemas and monitoring
definitions installed.

    test_install.py --build-dir BUILD
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

EXPECTED_FILES = [
    "bin/mailcheck",
    "share/man/man1/mailcheck.1",
    "share/mailcheck/mailcheck-host.schema.json",
    "share/mailcheck/mailcheck-spf.schema.json",
    "share/mailcheck/mailcheck-domain.schema.json",
    "share/mailcheck/dnsbl.conf",
    "share/mailcheck/icinga2/mailcheck.conf",
    "share/mailcheck/nagios/mailcheck.cfg",
]
LINKS = ["bin/check_mailcheck", "lib/nagios/plugins/check_mailcheck"]


def check_tree(root, failures):
    for f in EXPECTED_FILES:
        path = os.path.join(root, f)
        if not os.path.isfile(path) or os.path.islink(path):
            failures.append("missing file " + f)
    binary = os.path.join(root, "bin", "mailcheck")
    if not os.access(binary, os.X_OK):
        failures.append("bin/mailcheck is not executable")
    for f in LINKS:
        path = os.path.join(root, f)
        if not os.path.islink(path):
            failures.append("%s is not a symbolic link" % f)
            continue
        if os.path.isabs(os.readlink(path)):
            failures.append("%s is an absolute link (%s)" % (f, os.readlink(path)))
        if not os.path.exists(path) or not os.path.samefile(path, binary):
            failures.append("%s does not lead to bin/mailcheck" % f)
            continue
        p = subprocess.run([path, "-V"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 3 or not p.stdout.startswith(b"mailcheck "):
            failures.append("%s -V: exit %d (plugins exit 3), %r" % (f, p.returncode, p.stdout))
    p = subprocess.run([binary, "--version"], stdout=subprocess.PIPE)
    if p.returncode != 0:
        failures.append("bin/mailcheck --version: exit %d" % p.returncode)
    # The blocklist table is found beside the binary, wherever the prefix is
    # (mailcheck(1), FILES), not at a path of the build machine.
    table = os.path.join(root, "bin", "..", "share", "mailcheck", "dnsbl.conf")
    if ("blocklist table %s\n" % table).encode() not in p.stdout:
        failures.append("bin/mailcheck --version does not name %s: %r" % (table, p.stdout))
    for f in EXPECTED_FILES:
        if f.endswith(".json") and os.path.isfile(os.path.join(root, f)):
            with open(os.path.join(root, f)) as fh:
                json.load(fh)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "prefix with space")
        p = subprocess.run(["cmake", "--install", a.build_dir, "--prefix", prefix],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(p.stdout.decode())
        if p.returncode != 0:
            failures.append("cmake --install --prefix failed")
        else:
            check_tree(prefix, failures)
            # A second install over the first one works too (links replaced).
            p = subprocess.run(["cmake", "--install", a.build_dir, "--prefix", prefix],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            if p.returncode != 0:
                failures.append("a second cmake --install failed")
        destdir = os.path.join(tmp, "destdir")
        env = dict(os.environ, DESTDIR=destdir)
        p = subprocess.run(["cmake", "--install", a.build_dir, "--prefix", "/opt/mc"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        if p.returncode != 0:
            failures.append("cmake --install with DESTDIR failed: " + p.stdout.decode())
        else:
            check_tree(os.path.join(destdir, "opt", "mc"), failures)
    for f in failures:
        print("FAIL: " + f)
    print("install: %d problems" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
