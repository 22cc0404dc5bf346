#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs one end-to-end case of tests/e2e/cases.json against the real binary.

    run_case.py [--binary B] [--state-dir D] [--source-dir S] NAME
    run_case.py --list        (for CMake: one "NAME NEEDS_FIXTURE(0|1)" a line)
    run_case.py --show NAME   (prints the command it would run)
    run_case.py --all         (runs every case; the DNS fixture must be up)

NAME is a case name, or `offline.NAME` for a case's offline twin: the same
arguments and expectations, answered from tests/e2e/zones/*.zone with
`--offline --zone ...` instead of `--server` NSD (both backends must give
the same verdicts).

A case (cases.json, "cases": [...]):
  name      unique; CTest runs it as e2e.NAME
  doc       what it shows
  like      name of an earlier case: start from its args/server/expect
  server    nsd | nsd6 | closed | none | offline | <ldns-testns name>
            (nsd: --server 127.0.0.1:PORT of the fixture's NSD; nsd6: the same
            NSD as [::1]:PORT; closed: a loopback port nobody listens on;
            offline: --offline and --zone for ZONES; none: nothing added)
  zones     for server=offline: zone files (default: every tests/e2e/zones/*.zone)
  offline   make an offline twin (default: true when server is nsd)
  format    json (default: adds --format json) | text (adds nothing)
  args      the rest of the command line, HOST last; "{rep:C:N}" is C
            repeated N times
  cwd       "source" to run in the source tree (default: the build dir)
  env       extra environment variables
  expect    exit, status, host, ipv4/ipv6 (a status, or {status, addresses:
            [{address, status, fcrdns, ptr, from_host}]}), findings (codes that
            must be present), no_findings (codes that must be absent),
            severity ({code: severity}), finding_text ({code: [regex...]}: one
            finding of CODE whose "subject message" matches every regex),
            stderr (true: not empty; or a regex), max_seconds,
            lines ([[regex...]...]: for each, one stdout line matching all),
            stdout_lines (number of non-empty stdout lines), schema
            ("full", default for json, or "minimal" for usage errors),
            in_readme (true: "mailcheck ARGS" is written so in README.md).

Every JSON document is also checked against the contract as a whole: the keys,
value sets, RFC 5952 sorted addresses, family status = worst address status,
`none` iff no address, overall status = worst finding severity, exit code =
status.
"""

import argparse
import ipaddress
import json
import shlex
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
SOURCE_DIR_USED = [SOURCE_DIR]  # --source-dir, for man/mailcheck.1 and README.md

STATUSES = ("ok", "warning", "critical", "unknown")
EXIT_OF = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}
FAMILY_STATUSES = ("pass", "mismatch", "error", "fail", "none")
ADDRESS_RANK = {"pass": 0, "mismatch": 1, "error": 2, "fail": 3}
FCRDNS = ("pass", "fail", "error")
SEVERITIES = ("info", "warning", "critical", "unknown")
# SPEC.md: critical > unknown > warning > ok (Icinga's worst-state order).
SEVERITY_RANK = {"info": 0, "ok": 0, "warning": 1, "unknown": 2, "critical": 3}
STATUS_OF_SEVERITY = {"info": "ok", "warning": "warning", "unknown": "unknown",
                      "critical": "critical"}
CODES = ("bad-input", "host-nxdomain", "host-no-address", "host-cname",
         "ptr-missing", "ptr-unconfirmed", "ptr-mismatch", "ptr-multiple",
         "ptr-generic", "lookup-failed", "resolver-unusable", "timeout",
         "family-required", "address-not-of-host")
CASE_KEYS = {"name", "doc", "like", "server", "zones", "offline", "format",
             "args", "cwd", "env", "expect", "timeout"}
EXPECT_KEYS = {"exit", "status", "host", "ipv4", "ipv6", "findings",
               "no_findings", "severity", "finding_text", "stderr",
               "max_seconds", "lines", "stdout_lines", "schema", "in_readme"}


# --- cases ----------------------------------------------------------------------

def load_cases(path):
    with open(path) as f:
        data = json.load(f)
    cases = {}
    for raw in data["cases"]:
        unknown = set(raw) - CASE_KEYS
        if unknown:
            sys.exit("cases.json: case %s: unknown keys %s" % (raw.get("name"), sorted(unknown)))
        case = {}
        if "like" in raw:
            if raw["like"] not in cases:
                sys.exit("cases.json: %s is like %s, which is not defined before it"
                         % (raw["name"], raw["like"]))
            base = cases[raw["like"]]
            case = dict(base, expect=dict(base["expect"]))
            case.pop("doc", None)
            case.pop("offline", None)
        expect = case.get("expect", {})
        for key, value in raw.items():
            if key == "expect":
                expect = dict(expect)
                expect.update(value)
            elif key != "like":
                case[key] = value
        bad = set(expect) - EXPECT_KEYS
        if bad:
            sys.exit("cases.json: case %s: unknown expect keys %s" % (raw["name"], sorted(bad)))
        case["expect"] = expect
        case.setdefault("server", "nsd")
        case.setdefault("format", "json")
        case.setdefault("offline", case["server"] == "nsd")
        if case["name"] in cases:
            sys.exit("cases.json: duplicate case %s" % case["name"])
        cases[case["name"]] = case
    for name, case in list(cases.items()):
        if case["offline"]:
            twin = dict(case, name="offline." + name, server="offline", offline=False)
            cases[twin["name"]] = twin
    return cases


def needs_fixture(case):
    return case["server"] not in ("offline", "closed", "none")


REP = re.compile(r"\{rep:(.):(\d+)\}")


def expand(arg):
    return REP.sub(lambda m: m.group(1) * int(m.group(2)), arg)


# --- running --------------------------------------------------------------------

def closed_port():
    """A loopback UDP+TCP port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_args(case, state_dir):
    server = case["server"]
    if server == "none":
        return []
    if server == "closed":
        return ["--server", "127.0.0.1:%d" % closed_port()]
    if server == "offline":
        zones_dir = os.path.join(HERE, "zones")
        zones = case.get("zones") or sorted(
            f for f in os.listdir(zones_dir) if f.endswith(".zone"))
        args = ["--offline"]
        for z in zones:
            args += ["--zone", os.path.join(zones_dir, z)]
        return args
    path = os.path.join(state_dir, "state.json")
    try:
        with open(path) as f:
            state = json.load(f)
    except OSError as e:
        raise SystemExit("no DNS fixture state (%s): start it with\n"
                         "  %s/dnsfixture.py start --state-dir %s\n"
                         "or run the test through ctest" % (e, HERE, state_dir))
    if server == "nsd":
        return ["--server", "127.0.0.1:%d" % state["nsd"]["port"]]
    if server == "nsd6":
        return ["--server", "[::1]:%d" % state["nsd"]["port"]]
    if server in state["testns"]:
        return ["--server", "127.0.0.1:%d" % state["testns"][server]["port"]]
    raise SystemExit("case %s: unknown server %r" % (case["name"], server))


def wrapper():
    """MAILCHECK_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."): runs
    the binary under a checker; wall-time expectations are then skipped."""
    return shlex.split(os.environ.get("MAILCHECK_TEST_WRAPPER", ""))


def command(case, binary, state_dir):
    argv = wrapper() + [binary]
    if case["format"] == "json":
        argv += ["--format", "json"]
    argv += server_args(case, state_dir)
    argv += [expand(a) for a in case.get("args", [])]
    return argv


def run(case, argv, source_dir):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(case.get("env", {}))
    cwd = source_dir if case.get("cwd") == "source" else None
    start = time.monotonic()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=cwd, env=env,
                           timeout=case.get("timeout", 25) * (4 if wrapper() else 1))
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", e.stderr or b""
    elapsed = time.monotonic() - start
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed


# --- checks ---------------------------------------------------------------------

class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, msg):
        self.failures.append(msg)

    def eq(self, what, actual, expected):
        if actual != expected:
            self.fail("%s: expected %s, got %s" % (what, json.dumps(expected), json.dumps(actual)))
            return False
        return True


def rfc5952(ip):
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return "::ffff:" + str(ip.ipv4_mapped)
    return str(ip)


_DOCUMENTED = None


def documented_codes():
    """Finding codes the man page lists (its FINDINGS section: .TP/.B CODE)."""
    global _DOCUMENTED
    if _DOCUMENTED is None:
        _DOCUMENTED = set()
        try:
            with open(os.path.join(SOURCE_DIR_USED[0], "man", "mailcheck.1")) as f:
                text = f.read()
        except OSError:
            return _DOCUMENTED
        m = re.search(r"^\.SH FINDINGS\n(.*?)^\.SH ", text, re.M | re.S)
        if m:
            # ".TP" then ".B code" or ".BR code1 ", " code2 ...".
            # Hyphens may be written as groff's "\-".
            for line in re.findall(r"^\.TP\n(\.BR? .*)$", m.group(1), re.M):
                for word in line.replace("\\-", "-").split()[1:]:
                    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", word):
                        _DOCUMENTED.add(word)
    return _DOCUMENTED


def check_contract(c, doc, rc):
    """Checks DOC against the JSON contract, whatever the case."""
    if not isinstance(doc, dict):
        c.fail("the JSON document is not an object")
        return
    for key, typ in (("schema_version", int), ("version", str), ("host", str),
                     ("status", str), ("duration_ms", int), ("resolvers", list),
                     ("families", dict), ("findings", list)):
        if key not in doc:
            c.fail("contract: key %r missing" % key)
        elif not isinstance(doc[key], typ) or isinstance(doc[key], bool):
            c.fail("contract: %r is %s, not %s" % (key, type(doc[key]).__name__, typ.__name__))
    c.eq("contract: schema_version", doc.get("schema_version"), 1)
    host = doc.get("host")
    if isinstance(host, str) and (host != host.lower() or host.endswith(".")):
        c.fail("contract: host %r is not lowercase without a trailing dot" % host)
    if isinstance(doc.get("duration_ms"), int) and doc["duration_ms"] < 0:
        c.fail("contract: duration_ms < 0")
    if isinstance(doc.get("resolvers"), list) and \
            not all(isinstance(r, str) for r in doc["resolvers"]):
        c.fail("contract: resolvers must be strings")
    families = doc.get("families") if isinstance(doc.get("families"), dict) else {}
    for fam, version in (("ipv4", 4), ("ipv6", 6)):
        f = families.get(fam)
        if not isinstance(f, dict):
            c.fail("contract: families.%s missing" % fam)
            continue
        st, addrs = f.get("status"), f.get("addresses")
        if st not in FAMILY_STATUSES:
            c.fail("contract: families.%s.status %r not one of %s" % (fam, st, FAMILY_STATUSES))
        if not isinstance(addrs, list):
            c.fail("contract: families.%s.addresses is not a list" % fam)
            continue
        parsed, worst = [], None
        for i, a in enumerate(addrs):
            where = "families.%s.addresses[%d]" % (fam, i)
            if not isinstance(a, dict):
                c.fail("contract: %s is not an object" % where)
                continue
            try:
                ip = ipaddress.ip_address(a.get("address"))
                if ip.version != version:
                    c.fail("contract: %s %s is not IPv%d" % (where, a["address"], version))
                if a["address"] != rfc5952(ip):
                    c.fail("contract: %s %r is not in RFC 5952 form (%s)"
                           % (where, a["address"], rfc5952(ip)))
                parsed.append(ip)
            except (ValueError, TypeError):
                c.fail("contract: %s address %r is not an IP address" % (where, a.get("address")))
            if a.get("status") not in ADDRESS_RANK:
                c.fail("contract: %s status %r" % (where, a.get("status")))
            elif worst is None or ADDRESS_RANK[a["status"]] > ADDRESS_RANK[worst]:
                worst = a["status"]
            if a.get("fcrdns") not in FCRDNS:
                c.fail("contract: %s fcrdns %r" % (where, a.get("fcrdns")))
            ptr = a.get("ptr")
            if not isinstance(ptr, list) or not all(isinstance(p, str) for p in ptr):
                c.fail("contract: %s ptr %r is not a list of names" % (where, ptr))
            elif any(p.endswith(".") for p in ptr):
                c.fail("contract: %s ptr %r has a trailing dot" % (where, ptr))
            if not isinstance(a.get("from_host"), bool):
                c.fail("contract: %s from_host %r is not a boolean" % (where, a.get("from_host")))
        if parsed != sorted(parsed) or len(set(parsed)) != len(parsed):
            c.fail("contract: families.%s addresses not sorted/unique: %s"
                   % (fam, [a.get("address") for a in addrs if isinstance(a, dict)]))
        # SPEC: "none if it has no address". A family whose own A/AAAA lookup
        # failed (or was cut off by the deadline) has no address either, but
        # its verdict is open: `error` is accepted then, never a pass/fail.
        if not addrs and st not in ("none", "error"):
            c.fail("contract: families.%s has no address but status %r" % (fam, st))
        if not addrs and st == "error" and doc.get("status") == "ok":
            c.fail("contract: families.%s is error without addresses, yet status ok" % fam)
        if addrs and worst and st != worst:
            c.fail("contract: families.%s status %r is not the worst of its addresses (%r)"
                   % (fam, st, worst))
    check_findings_contract(c, doc, rc)


def check_findings_contract(c, doc, rc):
    findings = doc.get("findings") if isinstance(doc.get("findings"), list) else []
    worst = "ok"
    undocumented = set()
    for i, f in enumerate(findings):
        where = "findings[%d]" % i
        if not isinstance(f, dict):
            c.fail("contract: %s is not an object" % where)
            continue
        code = f.get("code")
        if code not in CODES and code not in documented_codes() and code not in undocumented:
            undocumented.add(code)
            c.fail("contract: %s code %r is neither a contract code nor listed in "
                   "FINDINGS of man/mailcheck.1 (SPEC: every finding code is in the man page)"
                   % (where, code))
        sev = f.get("severity")
        if sev not in SEVERITIES:
            c.fail("contract: %s severity %r" % (where, sev))
        elif SEVERITY_RANK[sev] > SEVERITY_RANK[worst]:
            worst = STATUS_OF_SEVERITY[sev]
        for key in ("subject", "message"):
            if not isinstance(f.get(key), str):
                c.fail("contract: %s %s %r is not a string" % (where, key, f.get(key)))
        if isinstance(f.get("message"), str) and not f["message"].strip():
            c.fail("contract: %s message is empty" % where)
    status = doc.get("status")
    if status not in STATUSES:
        c.fail("contract: status %r not one of %s" % (status, STATUSES))
    else:
        if status != worst:
            c.fail("contract: status %r is not the worst finding severity (%r)" % (status, worst))
        if rc != EXIT_OF[status]:
            c.fail("contract: exit code %s does not match status %r" % (rc, status))


def check_family(c, fam, doc, want):
    got = (doc.get("families") or {}).get(fam) or {}
    if isinstance(want, str):
        want = {"status": want}
    if "status" in want:
        c.eq("families.%s.status" % fam, got.get("status"), want["status"])
    if "addresses" not in want:
        return
    addrs = got.get("addresses") or []
    c.eq("families.%s addresses" % fam,
         [a.get("address") for a in addrs if isinstance(a, dict)],
         [a["address"] for a in want["addresses"]])
    by_addr = {a.get("address"): a for a in addrs if isinstance(a, dict)}
    for w in want["addresses"]:
        a = by_addr.get(w["address"])
        if a is None:
            continue
        for key, value in w.items():
            if key == "address":
                continue
            what = "%s %s" % (w["address"], key)
            if key == "ptr":
                # Case as received is the binary's choice; compare ignoring it.
                got_ptr = a.get("ptr")
                if isinstance(got_ptr, list) and all(isinstance(p, str) for p in got_ptr):
                    if sorted(p.lower() for p in got_ptr) != sorted(p.lower() for p in value):
                        c.fail("%s: expected %s, got %s" % (what, json.dumps(value), json.dumps(got_ptr)))
                else:
                    c.fail("%s: expected %s, got %s" % (what, json.dumps(value), json.dumps(got_ptr)))
            else:
                c.eq(what, a.get(key), value)


def source_dir_of(case):
    return case.get("_source_dir", SOURCE_DIR)


def check_expect(c, case, rc, out, err, elapsed):
    exp = case["expect"]
    want_exit = exp.get("exit")
    if want_exit is not None:
        allowed = want_exit if isinstance(want_exit, list) else [want_exit]
        if rc not in allowed:
            c.fail("exit code: expected %s, got %s" % (
                " or ".join(map(str, allowed)), "a hang (killed)" if rc is None else rc))
    if exp.get("stderr") is True and not err.strip():
        c.fail("stderr: expected a message, got nothing")
    elif isinstance(exp.get("stderr"), str) and not re.search(exp["stderr"], err):
        c.fail("stderr: expected /%s/, got %r" % (exp["stderr"], err[-500:]))
    if "max_seconds" in exp and not wrapper() and elapsed > exp["max_seconds"]:
        c.fail("took %.2f s, expected at most %.1f s" % (elapsed, exp["max_seconds"]))
    if exp.get("in_readme"):
        documented = "mailcheck " + " ".join(shell_quote(expand(a)) for a in case.get("args", []))
        try:
            with open(os.path.join(source_dir_of(case), "README.md")) as f:
                if documented not in f.read():
                    c.fail("README.md does not show the command %r" % documented)
        except OSError as e:
            c.fail("README.md: %s" % e)
    lines = out.splitlines()
    for pats in exp.get("lines", []):
        if not any(all(re.search(p, line) for p in pats) for line in lines):
            c.fail("stdout: no line matches all of %s" % pats)
    if "stdout_lines" in exp:
        n = sum(1 for line in lines if line.strip())
        c.eq("stdout: number of non-empty lines", n, exp["stdout_lines"])

    if case["format"] != "json":
        return
    try:
        doc = json.loads(out)
    except ValueError as e:
        c.fail("stdout is not one JSON document: %s" % e)
        return
    if exp.get("schema", "full") == "full":
        check_contract(c, doc, rc)
    elif isinstance(doc, dict):
        check_findings_contract(c, doc, rc)
    else:
        c.fail("the JSON document is not an object")
        return
    if "status" in exp:
        c.eq("status", doc.get("status"), exp["status"])
    if "host" in exp:
        c.eq("host", doc.get("host"), expand(exp["host"]))
    for fam in ("ipv4", "ipv6"):
        if fam in exp:
            check_family(c, fam, doc, exp[fam])
    findings = [f for f in doc.get("findings") or [] if isinstance(f, dict)]
    codes = [f.get("code") for f in findings]
    for code in exp.get("findings", []):
        if code not in codes:
            c.fail("finding %s: missing (findings: %s)" % (code, codes))
    for code in exp.get("no_findings", []):
        if code in codes:
            c.fail("finding %s: present, must not be (%s)" % (
                code, [f for f in findings if f.get("code") == code]))
    for code, sev in exp.get("severity", {}).items():
        sevs = [f.get("severity") for f in findings if f.get("code") == code]
        if sevs and sev not in sevs:
            c.fail("finding %s: severity expected %s, got %s" % (code, sev, sevs))
    for code, pats in exp.get("finding_text", {}).items():
        texts = ["%s %s" % (f.get("subject"), f.get("message"))
                 for f in findings if f.get("code") == code]
        if texts and not any(all(re.search(p, t) for p in pats) for t in texts):
            c.fail("finding %s: no subject+message matches all of %s; got %s"
                   % (code, pats, texts))


# --- main -----------------------------------------------------------------------

def run_one(case, args):
    argv = command(case, args.binary, args.state_dir)
    shown = " ".join(shell_quote(a) for a in argv)
    if not os.access(args.binary, os.X_OK):
        print("FAIL %s: no mailcheck binary at %s (not built yet?)" % (case["name"], args.binary))
        return False
    rc, out, err, elapsed = run(case, argv, args.source_dir)
    c = Checker()
    case = dict(case, _source_dir=args.source_dir)
    check_expect(c, case, rc, out, err, elapsed)
    ok = not c.failures
    if not ok or args.verbose:
        print("case:    %s%s" % (case["name"], "  (%s)" % case["doc"] if case.get("doc") else ""))
        print("command: %s" % shown)
        print("exit:    %s   time: %.2f s" % (rc, elapsed))
        print("--- stdout ---\n%s" % out.rstrip())
        print("--- stderr ---\n%s" % err.rstrip())
        print("--------------")
    for f in c.failures:
        print("FAIL %s: %s" % (case["name"], f))
    if ok:
        print("ok   %s (%.2f s)" % (case["name"], elapsed))
    return ok


def shell_quote(s):
    if s and re.fullmatch(r"[A-Za-z0-9_./:=@%+,\[\]-]+", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("name", nargs="?")
    p.add_argument("--binary", default=os.environ.get(
        "MAILCHECK_BIN", os.path.join(SOURCE_DIR, "build", "mailcheck")))
    p.add_argument("--state-dir", default=os.environ.get(
        "MAILCHECK_E2E_STATE", os.path.join(SOURCE_DIR, "build", "tests", "e2e", "dnsstate")))
    p.add_argument("--source-dir", default=SOURCE_DIR)
    p.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    p.add_argument("--list", action="store_true")
    p.add_argument("--show", action="store_true")
    p.add_argument("--all", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)
    SOURCE_DIR_USED[0] = args.source_dir
    cases = load_cases(args.cases)
    if args.list:
        for case in cases.values():
            print("%s %d" % (case["name"], needs_fixture(case)))
        return 0
    if args.all:
        failed = [n for n, case in cases.items() if not run_one(case, args)]
        print("\n%d of %d cases failed%s" % (len(failed), len(cases),
                                             ": " + " ".join(failed) if failed else ""))
        return 1 if failed else 0
    if not args.name:
        p.error("a case name, --list or --all")
    if args.name not in cases:
        p.error("no case %r (see --list)" % args.name)
    case = cases[args.name]
    if args.show:
        print(" ".join(shell_quote(a) for a in command(case, args.binary, args.state_dir)))
        return 0
    return 0 if run_one(case, args) else 1


if __name__ == "__main__":
    sys.exit(main())
