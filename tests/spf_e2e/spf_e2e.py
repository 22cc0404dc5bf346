#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `mailcheck spf` against NSD and ldns-testns on loopback.

    spf_e2e.py start --state-dir DIR      start the servers (CTest fixture)
    spf_e2e.py stop  --state-dir DIR      stop exactly the servers DIR names
    spf_e2e.py list                       the case names, one a line
    spf_e2e.py run --binary B --state-dir DIR CASE...

`start` checks every zone of zones/ with nsd-checkzone, starts one NSD for
all of them on a free port of 127.0.0.1 and ::1, one ldns-testns per
testns/*.data file, waits until each answers, and writes DIR/state.json.
It also picks a port where nothing listens (the "no server" cases).

A case (cases.json) runs the real binary with `--server 127.0.0.1:PORT`
of the server it names, in text and in JSON, with prefetch on and off, and
checks: the result word first and a well-formed `Received-SPF:` header
second (text); `result`, `mechanism`, `dns_lookups`, `void_lookups`,
`trace`, and `explanation` present only when exp= gave one (JSON); the
exit code; and that prefetch changes nothing reported.  An "agree" case
runs the host check (`mailcheck HOST --from DOMAIN... --format json`) and
`mailcheck spf` for each of HOST's addresses and each domain, and requires
the same result (mailcheck(1): they agree).

Standard library only; every server is started in its own session and
stopped by the pid state.json records.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The server fixture (free ports, readiness queries, NSD, ldns-testns,
# stopping by pid) is tests/e2e/dnsfixture.py's.
sys.path.insert(0, os.path.join(HERE, os.pardir, "e2e"))
import dnsfixture  # noqa: E402
from dnsfixture import (check_zones, die, end_process, free_port,  # noqa: E402
                        list_zones, log, start_nsd, start_testns)

dnsfixture.LOG_NAME = "spf_e2e"
PROBE = ("spf-probe.test", 16)  # answered by every testns/*.data file


def state_file(state_dir):
    return os.path.join(state_dir, "state.json")


def cmd_start(args):
    if os.path.exists(state_file(args.state_dir)):
        cmd_stop(args)
    os.makedirs(args.state_dir, exist_ok=True)
    state = {"servers": {}}
    taken = set()

    def save():
        with open(state_file(args.state_dir) + ".tmp", "w") as f:
            json.dump(state, f, indent=2)
        os.replace(state_file(args.state_dir) + ".tmp", state_file(args.state_dir))

    try:
        zones = list_zones(os.path.join(HERE, "zones"))
        check_zones(zones)
        nsd = start_nsd(args.state_dir, zones, taken)
        state["servers"]["nsd"] = {"port": nsd["port"], "pid": nsd["pid"], "program": "nsd"}
        taken.add(nsd["port"])
        save()
        tdir = os.path.join(HERE, "testns")
        for fname in sorted(os.listdir(tdir)):
            if fname.endswith(".data"):
                name = fname[:-5]
                t = start_testns(args.state_dir, name, os.path.join(tdir, fname), taken,
                                 probe=PROBE)
                state["servers"][name] = {"port": t["port"], "pid": t["pid"],
                                          "program": "ldns-testns"}
                taken.add(t["port"])
                save()
        # A port nobody listens on: queries get ICMP port unreachable.
        state["servers"]["closed"] = {"port": free_port(v6=False, taken=taken), "pid": None}
        save()
    except SystemExit:
        save()
        cmd_stop(args)
        raise
    for name, s in state["servers"].items():
        log("%-8s on 127.0.0.1 port %d" % (name, s["port"]))
    return 0


def cmd_stop(args):
    try:
        with open(state_file(args.state_dir)) as f:
            state = json.load(f)
    except FileNotFoundError:
        return 0
    for s in state.get("servers", {}).values():
        if s.get("pid"):
            problem = end_process(int(s["pid"]), s["program"])
            if problem:
                log(problem)
    shutil.rmtree(args.state_dir, ignore_errors=True)
    return 0


# ---- the cases -------------------------------------------------------------------

def load_cases():
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    names = [c["name"] for c in cases]
    if len(names) != len(set(names)):
        die("duplicate case names in cases.json")
    return {c["name"]: c for c in cases}


def cmd_list(args):
    for name in load_cases():
        print(name)
    return 0


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


def run_binary(binary, argv, timeout=60):
    """Runs the binary, under $MAILCHECK_TEST_WRAPPER (e.g. valgrind, as
    tests/run-all.sh sets it) when set."""
    wrapper = shlex.split(os.environ.get("MAILCHECK_TEST_WRAPPER", ""))
    t0 = time.monotonic()
    p = subprocess.run(wrapper + [binary] + argv, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def comment_ok(text):
    """True when TEXT starts with one RFC 5322 comment (nested parentheses
    and quoted-pairs allowed) and returns the rest, else None."""
    if not text.startswith("("):
        return None
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[i + 1:]
        elif ord(c) < 0x20 or ord(c) > 0x7e:
            return None
        i += 1
    return None


def check_text(case, out, rc):
    lines = out.splitlines()
    expect(len(lines) >= 2, "text: fewer than two lines: %r" % out)
    expect(lines[0] == case["result"], "text: first line %r, expected %r" % (
        lines[0], case["result"]))
    head = "Received-SPF: %s " % case["result"]
    expect(lines[1].startswith(head), "text: second line %r" % lines[1])
    rest = comment_ok(lines[1][len(head):])
    expect(rest is not None, "text: the header comment is not well-formed: %r" % lines[1])
    expect(" client-ip=" in rest, "text: no client-ip= in %r" % lines[1])
    if case.get("explanation"):
        expect("explanation: " + case["explanation"] in out,
               "text: explanation missing: %r" % out)


def check_json(case, doc):
    for key in ("result", "mechanism", "dns_lookups", "void_lookups", "trace"):
        expect(key in doc, "json: no %r key" % key)
    expect(doc["result"] == case["result"], "json: result %r, expected %r (why: %s)" % (
        doc["result"], case["result"], doc.get("why")))
    for key in ("mechanism", "dns_lookups", "void_lookups"):
        if key in case:
            expect(doc[key] == case[key], "json: %s %r, expected %r" % (key, doc[key], case[key]))
    if case.get("explanation"):
        expect(doc.get("explanation") == case["explanation"], "json: explanation %r" %
               doc.get("explanation"))
    else:
        expect("explanation" not in doc, "json: explanation %r where none is due" %
               doc.get("explanation"))
    expect(isinstance(doc["trace"], list), "json: trace is not a list")
    terms = [s.get("term") for s in doc["trace"]]
    for term in case.get("trace_terms", []):
        expect(term in terms, "json: trace has no term %r (has %r)" % (term, terms))
    names = [l["name"] for s in doc["trace"] for l in s.get("lookups", [])]
    for name in case.get("trace_lookups", []):
        expect(name in names, "json: trace has no lookup of %r" % name)
    cost = sum(s.get("cost", 0) for s in doc["trace"])
    expect(cost == doc["dns_lookups"], "json: the trace costs %d, dns_lookups is %d" % (
        cost, doc["dns_lookups"]))
    voids = sum(1 for s in doc["trace"] if s.get("void"))
    expect(voids == doc["void_lookups"], "json: the trace has %d void, void_lookups is %d" % (
        voids, doc["void_lookups"]))


def summary(doc):
    """What prefetch must not change."""
    return (doc["result"], doc["mechanism"], doc["dns_lookups"], doc["void_lookups"],
            doc.get("explanation"),
            [(s["depth"], s.get("term"), s.get("target"), s["cost"], s["void"], s["matched"],
              [(l["name"], l["type"], l["outcome"]) for l in s["lookups"]])
             for s in doc["trace"]])


def server_args(state, name):
    return ["--server", "127.0.0.1:%d" % state["servers"][name]["port"]]


def run_spf_case(binary, state, case):
    base = ["spf"] + server_args(state, case.get("server", "nsd")) + case["args"]
    rc, out, err, _ = run_binary(binary, base)
    expect(rc == case["exit"], "text: exit %d, expected %d\n%s%s" % (rc, case["exit"], out, err))
    check_text(case, out, rc)
    docs = []
    for extra in ([], ["--no-prefetch"]):
        rc, out, err, _ = run_binary(binary, base + ["--format", "json"] + extra)
        expect(rc == case["exit"], "json%s: exit %d, expected %d\n%s" % (
            " --no-prefetch" if extra else "", rc, case["exit"], err))
        try:
            doc = json.loads(out)
        except ValueError as e:
            raise Failure("json: not JSON (%s): %r" % (e, out))
        check_json(case, doc)
        docs.append(doc)
    expect(summary(docs[0]) == summary(docs[1]),
           "prefetch changed the outcome:\n on: %r\noff: %r" % (summary(docs[0]),
                                                                summary(docs[1])))


def run_agree_case(binary, state, case):
    """mailcheck(1): the host check and `mailcheck spf` agree per address/domain."""
    srv = server_args(state, case.get("server", "nsd"))
    argv = [case["host"], "--format", "json"] + srv
    for d in case["from"]:
        argv += ["--from", d]
    rc, out, err, _ = run_binary(binary, argv)
    try:
        report = json.loads(out)
    except ValueError:
        raise Failure("host check: not JSON (exit %d): %r %r" % (rc, out, err))
    seen = 0
    for fam in ("ipv4", "ipv6"):
        for addr in report["families"][fam]["addresses"]:
            checks = addr.get("spf_checks") or []
            expect(len(checks) == len(case["from"]) + 1,
                   "host check: %s has %d spf_checks" % (addr["address"], len(checks)))
            for chk in checks:
                domain = chk["domain"]
                if chk["identity"] == "helo":
                    expect(domain == case["host"], "helo check of %r" % domain)
                rc2, out2, err2, _ = run_binary(binary, ["spf"] + srv + [
                    "--ip", addr["address"], "--sender", domain, "--helo", case["host"],
                    "--format", "json"])
                try:
                    single = json.loads(out2)
                except ValueError:
                    raise Failure("spf: not JSON: %r %r" % (out2, err2))
                for key in ("result", "mechanism", "dns_lookups", "void_lookups"):
                    if key in chk or key == "result":
                        expect(single.get(key) == chk.get(key),
                               "%s / %s (%s): the host check says %s %r, mailcheck spf %r" % (
                                   addr["address"], domain, chk["identity"], key, chk.get(key),
                                   single.get(key)))
                want = case.get("expect", {}).get(domain)
                if want and chk["identity"] == "mailfrom":
                    expect(chk["result"] == want, "%s / %s: %s, expected %s" % (
                        addr["address"], domain, chk["result"], want))
                seen += 1
            first = addr.get("spf") or {}
            expect(first.get("domain") == case["from"][0] and
                   first.get("result") == checks[0]["result"],
                   "%s: spf %r is not the first sender domain's check" % (addr["address"], first))
    expect(seen >= case.get("min_checks", 1), "only %d checks compared" % seen)


def cmd_run(args):
    with open(state_file(args.state_dir)) as f:
        state = json.load(f)
    cases = load_cases()
    failed = 0
    for name in args.cases:
        case = cases.get(name)
        if not case:
            die("no case %r" % name)
        try:
            if case.get("kind") == "agree":
                run_agree_case(args.binary, state, case)
            else:
                run_spf_case(args.binary, state, case)
            print("ok   %s" % name)
        except (Failure, subprocess.TimeoutExpired) as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("start", "stop"):
        s = sub.add_parser(name)
        s.add_argument("--state-dir", required=True)
    sub.add_parser("list")
    r = sub.add_parser("run")
    r.add_argument("--binary", required=True)
    r.add_argument("--state-dir", required=True)
    r.add_argument("cases", nargs="+")
    args = p.parse_args()
    if hasattr(args, "state_dir"):
        args.state_dir = os.path.abspath(args.state_dir)
    return {"start": cmd_start, "stop": cmd_stop, "list": cmd_list,
            "run": cmd_run}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
