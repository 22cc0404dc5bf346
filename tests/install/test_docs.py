#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The man page and --help: `mandoc -T lint` and `man --warnings` print
nothing; every option of --help is documented in the man page's OPTIONS
and every option the man page documents is in --help; every finding code
the renderers cite a standard for is in FINDINGS; every --format value and
exit code is described.

    test_docs.py --binary BUILD/mailcheck --source-dir SRC
"""

import argparse
import os
import re
import shutil
import subprocess
import sys


def sh(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def section(text, name):
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH )" % re.escape(name), text, re.M | re.S)
    return m.group(1) if m else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    man = os.path.join(a.source_dir, "man", "mailcheck.1")
    text = open(man, encoding="utf-8").read()
    failures = []

    if shutil.which("mandoc"):
        rc, out, err = sh(["mandoc", "-T", "lint", "-W", "all", man])
        if rc != 0 or out or err:
            failures.append("mandoc -T lint:\n" + out + err)
        else:
            print("mandoc -T lint: clean")
    else:
        failures.append("mandoc not installed (Debian package mandoc)")
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        rc, out, err = sh(["man", "--warnings", "-E", "UTF-8", "-l", man], env=env)
        if rc != 0 or err.strip():
            failures.append("man --warnings:\n" + err)
        else:
            print("man --warnings: clean")
    else:
        failures.append("man not installed (Debian package man-db)")

    # --help and OPTIONS name the same options.
    rc, help_text, _ = sh([a.binary, "--help"])
    if rc != 0:
        failures.append("--help exits %d" % rc)
    help_long = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", help_text))
    help_short = set(re.findall(r"^\s+(-[a-zA-Z0-9])\b", help_text, re.M))
    help_short |= set(re.findall(r"^\s+-[a-zA-Z0-9], (-[a-zA-Z0-9])\b", help_text, re.M))
    help_short |= set(re.findall(r"^\s+-[a-zA-Z0-9]\b, (-[a-zA-Z0-9])\b", help_text, re.M))
    opts = section(text, "OPTIONS").replace("\\-", "-")
    tags = []
    lines = opts.split("\n")
    for i, line in enumerate(lines):
        if line in (".TP", ".TQ") and i + 1 < len(lines):
            tags.append(lines[i + 1])
    man_long = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", "\n".join(tags)))
    man_short = set(re.findall(r"(?<![\w-])(-[a-zA-Z0-9])(?![\w-])", "\n".join(tags)))
    for o in sorted(help_long - man_long):
        failures.append("--help has %s, the man page's OPTIONS do not" % o)
    for o in sorted(man_long - help_long):
        failures.append("the man page documents %s, --help does not" % o)
    for o in sorted(help_short - man_short):
        failures.append("--help has %s, the man page's OPTIONS do not" % o)
    print("options: %d long, %d short in --help; %d long, %d short in the man page"
          % (len(help_long), len(help_short), len(man_long), len(man_short)))

    # Formats and exit codes.
    for fmt in ("text", "json", "jsonl", "nagios", "openmetrics"):
        if not re.search(r"^\.SS %s\b" % fmt, section(text, "OUTPUT FORMATS"), re.M) and \
                fmt not in section(text, "OUTPUT FORMATS"):
            failures.append("format %s not described in OUTPUT FORMATS" % fmt)
        if fmt not in help_text:
            failures.append("format %s not in --help" % fmt)
    exits = section(text, "EXIT STATUS")
    for code in "0123":
        if not re.search(r"^\.B %s$" % code, exits, re.M):
            failures.append("exit status %s not described" % code)

    # Finding codes cited in the renderers are documented.
    findings = section(text, "FINDINGS").replace("\\-", "-")
    documented = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", findings)) | {"timeout"}
    src = open(os.path.join(a.source_dir, "src", "render_common.c")).read()
    for code in re.findall(r'\{"([a-z0-9-]+)", "RFC', src):
        if code not in documented:
            failures.append("finding %s is not in FINDINGS" % code)
    for code in ("time-critical", "time-warning", "bad-input"):
        if code not in documented:
            failures.append("finding %s is not in FINDINGS" % code)

    for f in failures:
        print("FAIL: " + f)
    print("docs: %d problems" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
