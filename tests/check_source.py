#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of the source tree that neither compiler nor linker makes
(doc/architecture.md, "Layers"):

  1. third-party headers only where the architecture allows them;
  2. no file includes a header of a higher layer;
  3. no banned function (curl's checksrc list): strcpy strcat strncpy
     strncat sprintf vsprintf strtok atoi atol gets; arrays grow only
     through mc_array.h;
  4. comments and docstrings cite the RFCs, the man page or doc/, never
     files outside the repository (the steering documents) or issue numbers;
  5. the plain-text index of finding codes at the top of the man page's
     FINDINGS (a roff comment: the entries write "-" as "\\-") names
     exactly the codes that have an entry there.

    check_source.py [SOURCE_DIR]

Prints every problem as FILE:LINE: what, and exits 1 when there is one.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))

# Layers, lowest first; a file may include headers of its own layer and of
# every layer below it (config and dkim sit beside dns: all on util only).
LAYERS = ["util", "config", "dkim", "dns", "spf", "check", "render", "cli"]
RANK = {"util": 0, "config": 1, "dkim": 1, "dns": 1, "spf": 2, "check": 3, "render": 4, "cli": 5}
MODULE_LAYER = {
    "util": "util", "vocab": "util", "array": "util", "arena": "util", "cursor": "util", "file": "util", "range": "util", "run": "util",
    "hostname": "util", "ip": "util", "psl": "util", "dmarc": "util",
    "dnsbl_table": "util",
    "postfix": "config", "postfix_master": "config", "postfix_lint": "config", "egress": "config",
    "dkim_config": "config",
    "dkim": "dkim",
    "dns": "dns", "dns_id": "dns", "dns_msg": "dns", "dns_zone": "dns", "zone": "dns",
    "resolver": "dns", "transport": "dns", "transport_cares": "dns",
    "spf": "spf", "spf_parse": "spf", "spf_macro": "spf", "spf_eval": "spf", "spf_lint": "spf",
    "fcrdns": "check", "report": "check", "domain": "check", "domain_dmarc": "check", "domain_dkim": "check", "domain_private": "check", "check": "check", "batch": "check", "batch_scopes": "check",
    "dnsbl": "check",
    "render": "render", "render_common": "render", "render_domain": "render", "render_text": "render", "json": "render",
    "render_json": "render", "render_nagios": "render", "render_openmetrics": "render",
    "render_spf": "render", "render_dnsbl": "render",
    "cli": "cli", "cli_batch": "cli", "cli_spf": "cli", "cli_domain": "cli", "cli_private": "cli",
    "cli_postfix": "cli",
    "main": "cli",
}
# Third-party headers and the only files that may include them; a key
# ending in "/" stands for every header under it.
CONFINED = {
    "ares.h": {"src/transport_cares.c"},
    "ldns/ldns.h": {"src/dns_msg.c", "src/dns_zone.c",
                    "tests/unit/test_dns_msg.c", "tests/unit/test_zone.c"},
    "jansson.h": {"src/dkim_config.c", "tests/unit/test_json.c", "fuzz/fuzz_json.c"},
    # The unit tests make their keys at run time with libcrypto.
    "openssl/": {"src/dkim.c", "tests/unit/dkim_keys.h"},
    "libpsl.h": {"src/psl.c"},
    "idn2.h": {"src/hostname.c"},
}
BANNED = ["strcpy", "strcat", "strncpy", "strncat", "sprintf", "vsprintf", "strtok", "atoi",
          "atol", "gets"]
BANNED_RE = re.compile(r"(?<![A-Za-z0-9_])(%s)\s*\(" % "|".join(BANNED))
CITE_RE = re.compile(r"\b(SPEC\.md|STYLE\.md|TESTING\.md|REFERENCES\.md|DEVELOPERS\.md)\b|"
                     r"\b[Ii]ssue [0-9]+\b")
C_DIRS = ["src", "include", "tests", "fuzz", "bench", "cmake"]
TEXT_DIRS = C_DIRS + ["contrib", ".ci", "doc", "examples", "share", "man"]
SKIP_DIRS = {".git", "corpus"}
# Measurement records, which name the issue each measurement answered.
SKIP_FILES = {"bench/RESULTS.md"}
THIS = os.path.relpath(os.path.abspath(__file__), ROOT)

problems = []


def files(dirs, exts):
    for d in dirs:
        for base, subdirs, names in os.walk(os.path.join(ROOT, d)):
            subdirs[:] = [s for s in subdirs if s not in SKIP_DIRS and not s.startswith("build")]
            for n in sorted(names):
                if n.endswith(exts):
                    yield os.path.relpath(os.path.join(base, n), ROOT)


def strip_strings(line):
    return re.sub(r'"(\\.|[^"\\])*"', '""', line)


def module_of(path):
    name = os.path.basename(path)
    name = re.sub(r"\.(c|h)$", "", name)
    return name[3:] if name.startswith("mc_") else name


def check_c(path):
    layer = MODULE_LAYER.get(module_of(path)) if path.startswith(("src/", "include/")) else None
    if path.startswith(("src/", "include/")) and layer is None:
        problems.append("%s: no layer for this module in tests/check_source.py" % path)
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        text = f.read()
    in_comment = False
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
        if m:
            inc = m.group(1)
            rule = next((k for k in CONFINED
                         if inc == k or (k.endswith("/") and inc.startswith(k))), None)
            if rule and path not in CONFINED[rule]:
                problems.append("%s:%d: includes <%s>, allowed only in %s"
                                % (path, no, inc, ", ".join(sorted(CONFINED[rule]))))
            if layer and inc.startswith("mc_"):
                other = MODULE_LAYER.get(module_of(inc))
                if other and RANK[other] > RANK[layer]:
                    problems.append("%s:%d: the %s layer includes %s of the %s layer above it"
                                    % (path, no, layer, inc, other))
            continue
        code = strip_strings(line)
        # Comments are skipped for the banned-function check (they may
        # name a function to say why it is not used).
        scan, rest = "", code
        while rest:
            if in_comment:
                end = rest.find("*/")
                if end < 0:
                    rest = ""
                else:
                    in_comment, rest = False, rest[end + 2:]
            else:
                start = rest.find("/*")
                cxx = rest.find("//")
                if cxx >= 0 and (start < 0 or cxx < start):
                    scan += rest[:cxx]
                    rest = ""
                elif start < 0:
                    scan += rest
                    rest = ""
                else:
                    scan += rest[:start]
                    in_comment, rest = True, rest[start + 2:]
        for b in BANNED_RE.finditer(scan):
            problems.append("%s:%d: banned function %s()" % (path, no, b.group(1)))
        # One way to grow an array (mc_array.h).
        if "mc_xrealloc(" in scan and path not in ("src/array.c", "src/util.c", "include/mc_util.h"):
            problems.append("%s:%d: mc_xrealloc(): grow arrays with MC_ARRAY_RESERVE (mc_array.h)"
                            % (path, no))


def check_citations(path):
    if path == THIS or path in SKIP_FILES:
        return
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = CITE_RE.search(line)
            if m:
                problems.append("%s:%d: cites %r: cite the RFC, the man page or doc/ instead"
                                % (path, no, m.group(0)))


MAN = "man/mailcheck.1"


def check_findings_index():
    path = os.path.join(ROOT, MAN)
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        start, end = lines.index(".SH FINDINGS"), lines.index(".SH EXIT STATUS")
    except ValueError:
        problems.append("%s: no FINDINGS or EXIT STATUS section" % MAN)
        return
    entries, index = set(), set()
    for i in range(start, end):
        if lines[i].startswith('.\\" ') and not lines[i].startswith('.\\" Every') \
                and not lines[i].startswith('.\\" (the'):
            index.update(lines[i][3:].split())
        m = re.match(r"^\.BR? ([a-z0-9\\-]+)", lines[i + 1]) if lines[i] == ".TP" else None
        if m:
            entries.add(m.group(1).replace("\\-", "-"))
    for c in sorted(entries - index):
        problems.append("%s: FINDINGS has an entry for %s, its index at the top does not" % (MAN, c))
    for c in sorted(index - entries):
        problems.append("%s: the FINDINGS index names %s, which has no entry" % (MAN, c))


def main():
    check_findings_index()
    for path in files(C_DIRS, (".c", ".h")):
        check_c(path)
    top = [n for n in ("CMakeLists.txt", "README.md") if os.path.exists(os.path.join(ROOT, n))]
    for path in list(files(TEXT_DIRS, (".c", ".h", ".py", ".sh", ".txt", ".cmake", ".md",
                                       ".1", ".json", ".conf", ".cfg"))) + top:
        check_citations(path)
    for p in problems:
        print(p)
    print("check_source: %d problem%s" % (len(problems), "" if len(problems) == 1 else "s"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
