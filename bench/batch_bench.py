#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Batch benchmark: mailcheck --batch and its peers on one generated world.

Run it with bench/run.sh, which builds mailcheck and bench/udpdelay.c,
generates the world (bench/world.py) and calls this script, which re-runs
itself in a private network and mount namespace (`unshare -n -m`): only
loopback exists there, and /etc/resolv.conf is bind-mounted to one naming
127.0.0.1, so that the peers, which use the system resolver, ask the same
server as mailcheck.

Inside: NSD serves the world on 127.0.0.1:53 (rate limiting off, one server
process); with --latency MS it listens on 127.0.0.1:5300 behind
bench/udpdelay on 127.0.0.1:53, which holds each packet MS/2 each way (one
lookup = MS of round trip).  dnsperf measures the server's ceiling on the
world's own query mix; then every tool runs over the same inputs.  Queries
are counted by NSD (nsd-control stats_noreset, before and after each run);
peak RSS and CPU time come from GNU time; verdicts are compared with the
generator's expected ones.  Slow peers run on the first lines of the
(shuffled) input and their rate is extrapolated.  Without added latency the
runs of `mailcheck spf --batch` (jsonl) alternate with those of spfquery
-file, the closest peer, so that the machine's load weighs on both alike;
so do the --batch runs of the variants (--tuned, each --compare build) and
the spf --batch jsonl runs of the --compare builds.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import nsd_conf, rerun_unshared, sh, spawn_nsd  # noqa: E402
from spf_latency import dpkg_version, machine, version  # noqa: E402

PEERS = os.path.join(HERE, "peers")
SYS_PY = "/usr/bin/python3"  # Debian's python3-spf and python3-dnspython live there


def read_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({"_unparsed": line})
    return out


def head(src, dst, n):
    with open(src) as f, open(dst, "w") as g:
        for i, line in enumerate(f):
            if i >= n:
                break
            g.write(line)
    return dst


def count_lines(path):
    with open(path) as f:
        return sum(1 for line in f if line.strip())


# ---- the servers ----

class Servers:
    def __init__(self, world, work, latency_ms, udpdelay):
        self.world, self.work, self.latency = world, work, latency_ms
        self.nsd_port = 5300 if latency_ms else 53
        self.conf = os.path.join(work, "nsd.conf")
        with open(self.conf, "w") as f:
            f.write(nsd_conf(self.nsd_port, work, rrl=False,
                             control_interface="%s/nsd.ctl" % work))
            with open(os.path.join(world, "zones.conf")) as z:
                f.write(z.read())
        self.nsd = spawn_nsd(self.conf)
        self.proxy = None
        self.proxy_stats = os.path.join(work, "proxy.stats")
        if latency_ms:
            self.proxy = subprocess.Popen(
                [udpdelay, "127.0.0.1:53", "127.0.0.1:%d" % self.nsd_port,
                 "%g" % (latency_ms / 2.0), self.proxy_stats],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        # wait until NSD answers (a big world takes a few seconds to load)
        for _ in range(600):
            if self.nsd.poll() is not None:
                sys.exit("nsd exited; see %s/nsd.log" % work)
            p = subprocess.run(["dig", "+short", "+time=1", "+tries=1", "-p", "53",
                                "@127.0.0.1", "hosts.test", "SOA"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            if "hostmaster" in p.stdout:
                break
            time.sleep(0.2)
        else:
            sys.exit("nsd did not answer")
        # NSD on CPU 0: a sequential tool's round trips cost ~4x more when it
        # runs on the other CPU (cross-CPU wake-ups in this VM); pinning
        # NSD lets the report show both placements (see spfquery -file).
        self.pinned = (os.cpu_count() or 1) > 1
        if self.pinned:
            pids = subprocess.run(["pgrep", "-f", self.conf], stdout=subprocess.PIPE,
                                  text=True).stdout.split()
            for pid in pids:
                subprocess.run(["taskset", "-pc", "0", pid], stdout=subprocess.DEVNULL)

    def queries(self):
        out = subprocess.run(["nsd-control", "-c", self.conf, "stats_noreset"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        for line in out.splitlines():
            if line.startswith("num.queries="):
                return int(line.split("=")[1])
        return None

    def stop(self):
        for p in (self.proxy, self.nsd):
            if p and p.poll() is None:
                os.killpg(p.pid, 15)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, 9)


# ---- running one tool ----

def run_watched(argv, timeout, **kw):
    """subprocess.run() without its timeout: Popen.wait(timeout) polls with
    sleeps of up to 50 ms, which would add to every wall time measured.  A
    timer kills the process instead.  Returns (returncode or "timeout",
    stdout)."""
    p = subprocess.Popen(argv, **kw)
    killed = []

    def kill():
        killed.append(True)
        p.kill()
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        out, _ = p.communicate()
    finally:
        timer.cancel()
    return ("timeout" if killed else p.returncode), out


def udp_rcvbuf_errors():
    """UDP datagrams the kernel dropped for a full socket buffer (this
    network namespace only)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def timed(srv, argv, out_path, timeout, stdin=None):
    """Runs ARGV under GNU time; returns wall, cpu, rss, queries, exit code."""
    tfile = out_path + ".time"
    drops = udp_rcvbuf_errors()
    before = srv.queries()
    t0 = time.monotonic()
    with open(out_path, "w") as out, open(out_path + ".err", "w") as err:
        rc, _ = run_watched(["/usr/bin/time", "-o", tfile, "-f", "%e %U %S %M"] + argv, timeout,
                            stdout=out, stderr=err, stdin=stdin)
    wall = time.monotonic() - t0
    after = srv.queries()
    rss_kb, cpu = None, None
    try:
        with open(tfile) as f:
            last = f.read().strip().splitlines()[-1].split()
            cpu = float(last[1]) + float(last[2])
            rss_kb = int(last[3])
    except (OSError, IndexError, ValueError):
        pass
    return {"wall": wall, "cpu": cpu, "rss_kb": rss_kb,
            "queries": (after - before) if before is not None and after is not None else None,
            "rc": rc, "drops": udp_rcvbuf_errors() - drops}


def parse_one(out):
    """The result of one spfquery run: its Received-SPF line (errors come
    first, in StartError ... EndError blocks), else the first line."""
    for line in out.splitlines():
        if line.startswith("Received-SPF:"):
            return line.split()[1]
    return (out.strip().splitlines() or ["?"])[0].strip()


def per_process(srv, lines, argv_of, out_path, timeout):
    """One process per input line (spfquery as a policy daemon would call
    it): wall for the whole loop, the largest RSS."""
    drops = udp_rcvbuf_errors()
    before = srv.queries()
    t0 = time.monotonic()
    rss, cpu = 0, 0.0
    with open(out_path, "w") as out:
        for line in lines:
            f = line.split()
            tfile = out_path + ".time"
            rc, stdout = run_watched(["/usr/bin/time", "-o", tfile, "-f", "%e %U %S %M"] +
                                     argv_of(f), timeout, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
            first = "timeout" if rc == "timeout" else parse_one(stdout)
            out.write(first + "\n")
            try:
                with open(tfile) as tf:
                    last = tf.read().strip().splitlines()[-1].split()
                    cpu += float(last[1]) + float(last[2])
                    rss = max(rss, int(last[3]))
            except (OSError, IndexError, ValueError):
                pass
    wall = time.monotonic() - t0
    after = srv.queries()
    return {"wall": wall, "cpu": cpu, "rss_kb": rss, "queries": after - before, "rc": 0,
            "drops": udp_rcvbuf_errors() - drops}


# ---- verdicts ----

def mc_projection(doc):
    """What is compared in a mailcheck host document."""
    fams = {}
    for fam in ("ipv4", "ipv6"):
        f = (doc.get("families") or {}).get(fam) or {}
        addrs = {}
        for a in f.get("addresses") or []:
            addrs[a.get("address")] = {
                "status": a.get("status"),
                "spf_checks": [(c.get("identity"), c.get("domain"), c.get("result"))
                               for c in a.get("spf_checks") or []]}
        fams[fam] = {"status": f.get("status"), "addresses": addrs}
    return {"status": doc.get("status"), "families": fams}


def expected_projection(e):
    p = mc_projection(e)
    return p


def compare_hosts(docs, expected, full=True):
    """Per host agreement; with FULL the overall status counts too."""
    ok, diffs = 0, []
    by_line = {}
    for d in docs:
        if "line" in d:
            by_line[d["line"]] = d
    for e in expected:
        d = by_line.get(e["line"])
        if d is None:
            diffs.append((e["line"], e["host"], "no output"))
            continue
        got, want = mc_projection(d), expected_projection(e)
        if not full:
            got.pop("status"), want.pop("status")
        if got == want:
            ok += 1
        else:
            diffs.append((e["line"], e["host"], describe_diff(want, got)))
    return ok, diffs


def describe_diff(want, got):
    parts = []
    if want.get("status") != got.get("status"):
        parts.append("status %s, got %s" % (want.get("status"), got.get("status")))
    for fam in ("ipv4", "ipv6"):
        w, g = want["families"][fam], got["families"][fam]
        if w["status"] != g["status"]:
            parts.append("%s %s, got %s" % (fam, w["status"], g["status"]))
        for addr, wa in w["addresses"].items():
            ga = g["addresses"].get(addr)
            if ga is None:
                parts.append("%s missing" % addr)
                continue
            if wa["status"] != ga["status"]:
                parts.append("%s %s, got %s" % (addr, wa["status"], ga["status"]))
            if wa["spf_checks"] != ga["spf_checks"]:
                parts.append("%s spf %s, got %s" % (
                    addr, "/".join(c[2] for c in wa["spf_checks"]),
                    "/".join(str(c[2]) for c in ga["spf_checks"])))
    return "; ".join(parts) or "?"


def compare_runs(docs_a, docs_b):
    a = {d["line"]: mc_projection(d) for d in docs_a if "line" in d}
    b = {d["line"]: mc_projection(d) for d in docs_b if "line" in d}
    common = sorted(set(a) & set(b))
    same = sum(1 for k in common if a[k] == b[k])
    return same, len(common), [k for k in common if a[k] != b[k]][:5]


def compare_spf(results, expected):
    ok, confusion = 0, {}
    for got, e in zip(results, expected):
        got = got.strip().lower()
        if got == e["result"]:
            ok += 1
        else:
            k = "%s→%s" % (e["result"], got or "(nothing)")
            confusion[k] = confusion.get(k, 0) + 1
    missing = len(expected) - len(results)
    if missing > 0:
        confusion["no result"] = missing
    return ok, dict(sorted(confusion.items(), key=lambda kv: -kv[1]))


def spfquery_file_results(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("Received-SPF:"):
                out.append(line.split()[1])
    return out


def digloop_verdicts(path):
    """{host: (ipv4 pass?, ipv6 pass?)} from bench/peers/digloop.sh."""
    res, cur = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("== "):
                cur = line[3:].strip()
                res[cur] = [False, False]
            elif cur and line.strip() == "ipv4 correct":
                res[cur][0] = True
            elif cur and line.strip() == "ipv6 correct":
                res[cur][1] = True
    return res


def compare_pycheck(docs, expected):
    ok, diffs = 0, []
    for d, e in zip(docs, expected):
        got = {fam: {"status": d["families"][fam]["status"],
                     "addresses": {a["address"]: {"status": a["status"], "spf_checks": [
                         (c["identity"], c["domain"], c["result"]) for c in a["spf_checks"]]}
                                   for a in d["families"][fam]["addresses"]}}
               for fam in ("ipv4", "ipv6")}
        # dnspython writes IPv6 in its own form: compare canonical texts
        want = expected_projection(e)["families"]
        if canon(got) == canon(want):
            ok += 1
        else:
            diffs.append((e["line"], e["host"], describe_diff({"families": want},
                                                              {"families": got})))
    return ok, diffs


def canon(fams):
    import ipaddress
    out = {}
    for fam, f in fams.items():
        out[fam] = {"status": f["status"], "addresses": {
            str(ipaddress.ip_address(a)): v for a, v in f["addresses"].items()}}
    return out


# ---- the run ----

def median_runs(n, fns):
    """N runs of each of FNS, taken in turn (FNS[0], FNS[1], ..., then the
    next round), so that load that changes during the benchmark weighs on
    each alike; returns the median run of each, with every wall time."""
    runs = [[] for _ in fns]
    for i in range(n):
        for k, fn in enumerate(fns):
            runs[k].append(fn(i))
    out = []
    for rs in runs:
        walls = [r["wall"] for r in rs]
        med = sorted(range(n), key=lambda i: walls[i])[n // 2]
        r = dict(rs[med])
        r["walls"] = walls
        out.append(r)
    return out


def median_run(n, fn):
    return median_runs(n, [fn])[0]


def spfquery_file(srv, work, infile, args):
    """The runs of spfquery -file over INFILE: (label, run function) as the
    scheduler places it and, when NSD is pinned, on NSD's CPU."""
    def sfile(i):
        out = os.path.join(work, "spfquery-file-%d.out" % i)
        r = timed(srv, ["spfquery", "-file", infile], out, args.timeout)
        r["out"] = out
        return r

    def sfile0(i):
        out = os.path.join(work, "spfquery-file0-%d.out" % i)
        r = timed(srv, ["taskset", "-c", "0", "spfquery", "-file", infile], out, args.timeout)
        r["out"] = out
        return r
    fns = [("spfquery -file (libspf2)", sfile)]
    if srv.pinned:
        fns.append(("spfquery -file (libspf2), on NSD's CPU", sfile0))
    return fns


def inner(args):
    sh(["ip", "link", "set", "lo", "up"])
    work = tempfile.mkdtemp(prefix="batchbench.", dir=args.workdir)
    resolv = os.path.join(work, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:2\n")
    sh(["mount", "--bind", resolv, "/etc/resolv.conf"])
    world = args.world
    summary = json.load(open(os.path.join(world, "world.json")))
    n = summary["n"]
    hosts_txt = os.path.join(world, "hosts.txt")
    spf_txt = os.path.join(world, "spf.txt")
    exp_hosts = read_jsonl(os.path.join(world, "expected-hosts.jsonl"))
    exp_spf = read_jsonl(os.path.join(world, "expected-spf.jsonl"))
    nspf = len(exp_spf)
    lat = args.latency
    srv = Servers(world, work, lat, args.udpdelay)
    server = "127.0.0.1:53"
    mc = args.binary
    rows = []
    t_start = time.monotonic()
    load_before = open("/proc/loadavg").read().split()[:3]

    def log(msg):
        print("[%6.1fs] %s" % (time.monotonic() - t_start, msg), flush=True)

    try:
        # 1. the server's ceiling on the world's query mix
        qfile = os.path.join(world, "queries.txt")
        ceil = {}
        targets = [("nsd", srv.nsd_port, 500)] + ([("proxy", 53, 5000)] if lat else [])
        for label, port, outstanding in targets:
            vals = []
            for _ in range(args.runs):
                out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d",
                                      qfile, "-l", str(args.dnsperf_seconds), "-q",
                                      str(outstanding)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True).stdout
                for line in out.splitlines():
                    if "Queries per second" in line:
                        vals.append(float(line.split(":")[1]))
            ceil[label] = statistics.median(vals) if vals else None
            log("dnsperf %s: %s qps (%s)" % (label, ceil[label], vals))

        def add_row(name, kind, units, res, sample, acc_ok, acc_n, extra=None):
            row = {"tool": name, "kind": kind, "units": units, "sample": sample,
                   "acc_ok": acc_ok, "acc_n": acc_n}
            row.update(res)
            row.update(extra or {})
            rows.append(row)
            rate = units / res["wall"] if res["wall"] else 0
            log("%-40s %6d %s in %.2fs = %.0f/s, cpu %s s, q %s, drops %s, rss %s KB, "
                "acc %s/%s" % (name, units, kind, res["wall"], rate, res["cpu"], res["queries"],
                               res.get("drops"), res["rss_kb"], acc_ok, acc_n))

        # 2. mailcheck, full check
        def mc_batch_run(tag, extra_args, infile, binary=None):
            def one(i):
                out = os.path.join(work, "mc-%s-%d.jsonl" % (tag, i))
                r = timed(srv, [binary or mc, "--batch", infile, "--format", "jsonl", "--server",
                                server] + extra_args, out, args.timeout)
                r["out"] = out
                return r
            return one

        def mc_batch(tag, extra_args, infile, runs, binary=None):
            return median_run(runs, mc_batch_run(tag, extra_args, infile, binary))

        variants = [("mailcheck --batch", "default", [], None)]
        if args.tuned:
            variants.append(("mailcheck --batch " + args.tuned, "tuned", args.tuned.split(),
                             None))
        for k, spec in enumerate(args.compare):
            label, _, path = spec.partition("=")
            variants.append(("%s: --batch" % label, "cmp%d" % k, [], os.path.abspath(path)))
            if args.tuned:
                variants.append(("%s: --batch %s" % (label, args.tuned), "cmp%dt" % k,
                                 args.tuned.split(), os.path.abspath(path)))
        # The variants' runs alternate, round by round, as the spf rows do.
        mc_docs = {}
        results = median_runs(args.runs, [mc_batch_run(tag, extra, hosts_txt, binary)
                                          for _, tag, extra, binary in variants])
        for (name, tag, extra, binary), r in zip(variants, results):
            docs = read_jsonl(r["out"])
            mc_docs[tag] = docs
            ok, diffs = compare_hosts(docs, exp_hosts)
            own_q = max((d.get("queries") or 0 for d in docs), default=0)
            durations = sorted(d.get("duration_ms", 0) for d in docs)
            add_row(name, "hosts", n, r, None, ok, n, {
                "own_queries": own_q, "diffs": diffs[:20], "ndiffs": len(diffs),
                "slow_hosts": sum(1 for x in durations if x >= 1000),
                "p50_ms": durations[len(durations) // 2] if durations else None,
                "p99_ms": durations[int(len(durations) * 0.99)] if durations else None})

        if not args.mailcheck_only or args.concurrency1:
            # --concurrency 1: identical verdicts (on a sample with latency)
            k = n if not lat else min(n, args.sample_c1)
            infile = hosts_txt if k == n else head(hosts_txt, os.path.join(work, "c1.txt"), k)
            r = mc_batch("c1", ["--concurrency", "1"], infile, 1)
            docs = read_jsonl(r["out"])
            same, common, first = compare_runs(mc_docs["default"], docs)
            ok, diffs = compare_hosts(docs, exp_hosts[:k])
            add_row("mailcheck --batch --concurrency 1", "hosts", k, r, k if k < n else None,
                    ok, k, {"same_as_default": same, "compared": common,
                            "first_different": first, "diffs": diffs[:20],
                            "ndiffs": len(diffs)})

        # 3. mailcheck spf --batch: jsonl (without the ledger), with --trace,
        # and text.  Without added latency spfquery -file (both placements)
        # runs in turn with the jsonl runs, the comparison that matters;
        # its rows come with the peers.
        spf_file = {}
        for name, tag, extra in (("mailcheck spf --batch", "spf", []),
                                 ("mailcheck spf --batch --trace", "spf-trace", ["--trace"])):
            def mc_spf(i, tag=tag, extra=extra):
                out = os.path.join(work, "mc-%s-%d.jsonl" % (tag, i))
                r = timed(srv, [mc, "spf", "--batch", spf_txt, "--format", "jsonl", "--server",
                                server] + extra, out, args.timeout)
                r["out"] = out
                return r
            peers = spfquery_file(srv, work, spf_txt, args) \
                if tag == "spf" and not lat and not args.mailcheck_only else []
            # The --compare builds' jsonl runs alternate with these too.
            cmps = [(spec.partition("=")[0], os.path.abspath(spec.partition("=")[2]))
                    for spec in args.compare] if tag == "spf" else []

            def cmp_spf(label, path):
                def one(i):
                    out = os.path.join(work, "mc-spf-%s-%d.jsonl" % (label, i))
                    r = timed(srv, [path, "spf", "--batch", spf_txt, "--format", "jsonl",
                                    "--server", server], out, args.timeout)
                    r["out"] = out
                    return r
                return one
            res = median_runs(args.runs, [mc_spf] + [fn for _, fn in peers] +
                              [cmp_spf(label, path) for label, path in cmps])
            r = res[0]
            spf_file = {label: x for (label, _), x in zip(peers, res[1:1 + len(peers)])} \
                or spf_file
            spf_rows = [(name, r)] + [("%s: spf --batch" % label, x)
                                      for (label, _), x in zip(cmps, res[1 + len(peers):])]
            for row_name, x in spf_rows:
                docs = read_jsonl(x["out"])
                docs.sort(key=lambda d: d.get("line", 0))
                ok, conf = compare_spf([d.get("result", "?") for d in docs], exp_spf)
                add_row(row_name, "checks", nspf, x, None, ok, nspf, {"confusion": conf})

        def mc_spf_text(i):  # the text format, as spfquery -file writes text
            out = os.path.join(work, "mc-spf-text-%d.txt" % i)
            r = timed(srv, [mc, "spf", "--batch", spf_txt, "--server", server], out,
                      args.timeout)
            r["out"] = out
            return r
        r = median_run(args.runs, mc_spf_text)
        ok, conf = compare_spf(spfquery_file_results(r["out"]), exp_spf)
        add_row("mailcheck spf --batch --format text", "checks", nspf, r, None, ok, nspf,
                {"confusion": conf})

        if not args.mailcheck_only:
            run_peers(args, srv, work, world, n, nspf, exp_hosts, exp_spf, lat, add_row, log,
                      spf_file)

        # 4. single host (critical path), with latency
        single = []
        if lat:
            picks = [summary["single_host"]]
            first = exp_hosts[0]
            picks.append({"host": first["host"], "from": first["from"],
                          "critical_path": first["critical_path"], "queries": first["queries"]})
            for pick in picks:
                walls = []
                for i in range(args.single_runs + 1):
                    res = timed(srv, [mc, pick["host"], "--from", pick["from"], "--server",
                                      server, "--format", "json"],
                                os.path.join(work, "single.json"), 60)
                    if i:
                        walls.append(res["wall"] * 1000)
                doc = json.load(open(os.path.join(work, "single.json")))
                single.append({"host": pick["host"], "from": pick["from"],
                               "critical_path": pick["critical_path"],
                               "queries": doc.get("queries"), "median_ms": statistics.median(walls),
                               "min_ms": min(walls), "max_ms": max(walls),
                               "duration_ms": doc.get("duration_ms")})
                log("single %s: %.0f ms median, critical path %d x %g ms" % (
                    pick["host"], statistics.median(walls), pick["critical_path"], lat))

        # 5. the profile
        if args.profile:
            pdir = args.profile
            os.makedirs(pdir, exist_ok=True)
            pdata = os.path.join(pdir, "perf.data")
            out = os.path.join(work, "mc-profile.jsonl")
            p = subprocess.run(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384",
                                "-o", pdata, "--", args.profile_binary or mc,
                                "--batch", hosts_txt, "--format", "jsonl", "--server", server] +
                               args.profile_args.split(),
                               stdout=open(out, "w"), stderr=subprocess.PIPE, text=True)
            for mode, extra in (("self", ["--no-children", "--percent-limit", "0.8"]),
                                ("children", ["--children", "--percent-limit", "2"])):
                rep = subprocess.run(["perf", "report", "-i", pdata, "--stdio", "-g", "none",
                                      "--sort", "symbol"] + extra,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True).stdout
                with open(os.path.join(pdir, "perf-%s.txt" % mode), "w") as f:
                    f.write(rep)
            log("profile written to %s (perf rc %d)" % (pdir, p.returncode))
    finally:
        srv.stop()
        subprocess.run(["umount", "/etc/resolv.conf"])
    load_after = open("/proc/loadavg").read().split()[:3]
    result = {"n": n, "latency_ms": lat, "world": summary, "ceiling_qps": ceil, "rows": rows,
              "single": single, "machine": machine(), "load_before": load_before,
              "load_after": load_after, "date": time.strftime("%Y-%m-%d %H:%M"),
              "runs": args.runs, "versions": versions(mc), "rev": args.rev,
              "compared": bool(args.compare or args.tuned)}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    text = report(result)
    print(text)
    if args.results:
        write_section(args.results, section_title(result), text)
        print("written to %s" % args.results)


def run_peers(args, srv, work, world, n, nspf, exp_hosts, exp_spf, lat, add_row, log,
              spf_file):
    """Every peer on the world; SPF_FILE: the spfquery -file runs already
    made beside mailcheck's ({label: median run}), or {} to make them here."""
    hosts_txt = os.path.join(world, "hosts.txt")
    spf_txt = os.path.join(world, "spf.txt")
    S = (lambda a, b: b) if lat else (lambda a, b: a)  # sample size without / with latency

    # the shell dig loop
    k = min(n, S(args.sample_dig, args.sample_dig_lat))
    sample = head(hosts_txt, os.path.join(work, "dig.txt"), k)
    out = os.path.join(work, "digloop.out")
    r = timed(srv, ["bash", os.path.join(PEERS, "digloop.sh"), sample], out, args.timeout)
    v = digloop_verdicts(out)
    ok, wrong = 0, {}
    for e in exp_hosts[:k]:
        got = v.get(e["host"], [None, None])
        want = [e["families"][f]["status"] == "pass" for f in ("ipv4", "ipv6")]
        ok += got == want
        if got != want:
            key = "/".join(x for x in e["ptr_kinds"] if x != "good") or "?"
            wrong[key] = wrong.get(key, 0) + 1
    add_row("shell dig loop (README)", "hosts", k, r, k, ok, k,
            {"accuracy_note": "FCrDNS only (does it say 'correct' exactly when the family "
                              "passes); SPF is only grepped, never evaluated; wrong on hosts "
                              "whose PTRs are: %s" % (", ".join(
                                  "%s %d" % kv for kv in sorted(wrong.items())) or "none")})

    # pyspf + dnspython full check, one process
    k = min(n, S(args.sample_pycheck, args.sample_pycheck_lat))
    sample = head(hosts_txt, os.path.join(work, "pycheck.txt"), k)
    out = os.path.join(work, "pycheck.out")
    r = timed(srv, [SYS_PY, os.path.join(PEERS, "pycheck.py"), sample], out, args.timeout)
    docs = read_jsonl(out)
    ok, diffs = compare_pycheck(docs, exp_hosts[:k])
    add_row("pyspf + dnspython checker (1 process)", "hosts", k, r, k, ok, k,
            {"diffs": diffs[:10], "ndiffs": len(diffs),
             "accuracy_note": "on the family and address verdicts and every SPF result (it "
                              "has no overall status)"})

    # spfquery -file (libspf2, with its cache)
    k = nspf if not lat else min(nspf, args.sample_spf_file_lat)
    infile = spf_txt if k == nspf else head(spf_txt, os.path.join(work, "spf-file.txt"), k)

    for label, fn in spfquery_file(srv, work, infile, args):
        r = spf_file.get(label) or median_run(args.runs if not lat else 1, fn)
        ok, conf = compare_spf(spfquery_file_results(r["out"]), exp_spf[:k])
        add_row(label, "checks", k, r, k if k < nspf else None, ok, k, {"confusion": conf})

    # spfquery, one process per check
    k = min(nspf, S(args.sample_spf_proc, args.sample_spf_proc_lat))
    lines = open(spf_txt).read().splitlines()[:k]
    out = os.path.join(work, "spfquery-proc.out")
    r = per_process(srv, lines, lambda f: ["spfquery", "-ip", f[0], "-sender", f[1], "-helo",
                                           f[2]], out, 60)
    ok, conf = compare_spf(open(out).read().splitlines(), exp_spf[:k])
    add_row("spfquery per process (libspf2)", "checks", k, r, k, ok, k, {"confusion": conf})

    # pyspf, one process over the file
    k = min(nspf, S(args.sample_spf_one, args.sample_spf_one_lat))
    sample = head(spf_txt, os.path.join(work, "spf-one.txt"), k)
    out = os.path.join(work, "pyspf.out")
    r = timed(srv, [SYS_PY, os.path.join(PEERS, "pyspf_file.py"), sample], out, args.timeout)
    ok, conf = compare_spf(open(out).read().splitlines(), exp_spf[:k])
    add_row("pyspf (1 process)", "checks", k, r, k, ok, k, {"confusion": conf})

    # Mail::SPF, one process over the file
    out = os.path.join(work, "mailspf.out")
    r = timed(srv, ["perl", os.path.join(PEERS, "mailspf_file.pl"), sample], out, args.timeout)
    ok, conf = compare_spf(open(out).read().splitlines(), exp_spf[:k])
    add_row("Mail::SPF (1 process)", "checks", k, r, k, ok, k, {"confusion": conf})


def versions(mc):
    return {"mailcheck": version([mc, "--version"]),
            "c-ares": dpkg_version("libc-ares2"), "nsd": dpkg_version("nsd"),
            "dnsperf": dpkg_version("dnsperf"), "spfquery": dpkg_version("spfquery"),
            "python3-spf": dpkg_version("python3-spf"),
            "python3-dnspython": dpkg_version("python3-dnspython"),
            "libmail-spf-perl": dpkg_version("libmail-spf-perl"),
            "dnsutils": dpkg_version("bind9-dnsutils")}


# ---- the report ----

def section_title(res):
    lat = ("%g ms round trips" % res["latency_ms"]) if res["latency_ms"] else "no added latency"
    return "## Batch: N = %d, %s" % (res["n"], lat)


def fmt_rate(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def is_mailcheck(tool):
    return tool.startswith("mailcheck") or ": --batch" in tool


def report(res):
    n, lat = res["n"], res["latency_ms"]
    w = res["world"]
    L = []
    L.append(section_title(res))
    L.append("")
    L.append("`bench/run.sh %d%s` (%s; mailcheck %s; %d run%s for the rows with a median). "
             "World: %d hosts, "
             "%d addresses, %d SPF checks (`spf.txt`), %d hosts with a broken PTR; "
             "shared-cache floor %.3f queries/host (%d distinct queries), %.2f/host with a "
             "fresh cache per host. Load average before/after: %s / %s." % (
                 n, " --latency %g" % lat if lat else "", res["date"], res["rev"], res["runs"],
                 "s" if res["runs"] > 1 else "", n, w["addresses"], w["spf_lines"],
                 w["hosts_with_broken_ptr"], w["floor_queries_per_host"], w["floor_queries"],
                 w["per_host_cache_queries_per_host"], " ".join(res["load_before"]),
                 " ".join(res["load_after"])))
    L.append("")
    L.append("NSD runs pinned to CPU 0 (one server process, rate limiting off); the tools "
             "are left to the scheduler, except the row marked \"on NSD's CPU\"." +
             ("" if lat else " The runs of `mailcheck spf --batch` (jsonl) and of spfquery "
              "-file at both placements alternate, round by round, so that a change of the "
              "machine's load weighs on each alike.") +
             (" The `--batch` rows of the builds and flags compared alternate in the same "
              "way, and so do the `spf --batch` jsonl rows of the builds."
              if res.get("compared") else ""))
    L.append("")
    c = res["ceiling_qps"]
    floor = w["floor_queries_per_host"]
    if c.get("nsd"):
        L.append("NSD's ceiling (dnsperf, the world's query mix, 500 outstanding): **%.0f "
                 "queries/s**, i.e. %.0f hosts/s at the floor of %.3f queries/host." % (
                     c["nsd"], c["nsd"] / floor, floor))
    if c.get("proxy"):
        L.append("Through the delaying proxy (5,000 outstanding): %.0f queries/s." % c["proxy"])
    L.append("")
    mc_host = next((r for r in res["rows"] if r["tool"] == "mailcheck --batch"), None)
    mc_spf = next((r for r in res["rows"] if r["tool"] == "mailcheck spf --batch"), None)
    L.append("| tool | unit | lines run | wall s | rate /s | CPU s | queries/unit | UDP drops "
             "| peak RSS MiB | accuracy | mailcheck faster × |")
    L.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for r in res["rows"]:
        rate = r["units"] / r["wall"] if r["wall"] else 0
        base = mc_host if r["kind"] == "hosts" else mc_spf
        brate = base["units"] / base["wall"] if base and base["wall"] else 0
        q = r["queries"] / r["units"] if r.get("queries") is not None else float("nan")
        walls = r.get("walls")
        wall_txt = "%.2f" % r["wall"]
        if walls and len(walls) > 1:
            wall_txt += " (median of %s)" % ", ".join("%.2f" % x for x in walls)
        lines_txt = "%d%s" % (r["units"], " (sample)" if r.get("sample") else "")
        acc = "%d/%d (%.2f %%)" % (r["acc_ok"], r["acc_n"], 100.0 * r["acc_ok"] / r["acc_n"]
                                  ) if r["acc_n"] else "–"
        if r.get("same_as_default") is not None:
            acc += "; identical to default run: %d/%d" % (r["same_as_default"], r["compared"])
        L.append("| %s | %s | %s | %s | %s | %.2f | %.2f | %s | %.1f | %s | %s |" % (
            r["tool"], "host" if r["kind"] == "hosts" else "check", lines_txt, wall_txt,
            fmt_rate(rate), r["cpu"] or 0, q, r.get("drops", "?"), (r["rss_kb"] or 0) / 1024.0,
            acc,
            "–" if is_mailcheck(r["tool"]) or not rate else "%.1f" % (brate / rate)))
    L.append("")
    for r in res["rows"]:
        if r.get("own_queries") is not None:
            L.append("- %s: queries it counted itself %d (%.3f/host; NSD saw %.3f/host, %+.1f %% "
                     "vs the floor); per-host duration p50 %s ms, p99 %s ms; %d hosts took "
                     "over 1 s." % (
                         r["tool"], r["own_queries"], r["own_queries"] / n,
                         r["queries"] / n, 100.0 * (r["queries"] / n / floor - 1),
                         r["p50_ms"], r["p99_ms"], r["slow_hosts"]))
        if r.get("ndiffs"):
            L.append("- %s: %d hosts differ from the expected verdicts; first: %s" % (
                r["tool"], r["ndiffs"], "; ".join("line %d %s: %s" % d for d in r["diffs"][:3])))
        if r.get("confusion"):
            L.append("- %s: wrong results (expected→got): %s" % (
                r["tool"], ", ".join("%s %d" % kv for kv in list(r["confusion"].items())[:8])))
        if r.get("accuracy_note"):
            L.append("- %s: accuracy is %s." % (r["tool"], r["accuracy_note"]))
        if r.get("first_different"):
            L.append("- %s: lines differing from the default run: %s" % (
                r["tool"], r["first_different"]))
    if res["single"]:
        L.append("")
        L.append("Single host, `mailcheck HOST --from DOMAIN --format json` through the proxy "
                 "(%g ms round trip), median of the runs after a warm-up:" % lat)
        L.append("")
        L.append("| host | critical path (lookups) | critical path ms | median ms | min–max ms "
                 "| ≈ round trips | over the path |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for s in res["single"]:
            cp = s["critical_path"] * lat
            L.append("| %s (from %s) | %d | %.0f | %.0f | %.0f–%.0f | %.1f | %+.1f RT |" % (
                s["host"], s["from"], s["critical_path"], cp, s["median_ms"], s["min_ms"],
                s["max_ms"], s["median_ms"] / lat, (s["median_ms"] - cp) / lat))
    L.append("")
    L.append("Machine: %s. Versions: %s." % (res["machine"], ", ".join(
        "%s %s" % kv for kv in res["versions"].items())))
    L.append("")
    return "\n".join(L)


def write_section(path, title, text):
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmark results\n\n"
    # the title as a whole line: a "### " heading with the same words is not it
    if old.startswith(title + "\n"):
        start = 0
    else:
        start = old.find("\n" + title + "\n")
        start = start + 1 if start >= 0 else -1
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + text.rstrip("\n") + "\n\n" + (old[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(new.rstrip("\n") + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--udpdelay", required=True)
    p.add_argument("--world", required=True)
    p.add_argument("--latency", type=float, default=0.0, help="round trip ms (0: none)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tuned", default="", help="extra mailcheck flags for a second row")
    p.add_argument("--mailcheck-only", action="store_true")
    p.add_argument("--compare", action="append", default=[], metavar="LABEL=BINARY",
                   help="also run another mailcheck build's --batch rows and its spf "
                   "--batch jsonl row, the latter alternating with this build's (e.g. a fix)")
    p.add_argument("--concurrency1", action="store_true",
                   help="with --mailcheck-only: still run --concurrency 1")
    p.add_argument("--dnsperf-seconds", type=int, default=5)
    p.add_argument("--sample-dig", type=int, default=200)
    p.add_argument("--sample-dig-lat", type=int, default=50)
    p.add_argument("--sample-pycheck", type=int, default=2000)
    p.add_argument("--sample-pycheck-lat", type=int, default=100)
    p.add_argument("--sample-spf-proc", type=int, default=500)
    p.add_argument("--sample-spf-proc-lat", type=int, default=50)
    p.add_argument("--sample-spf-one", type=int, default=10000)
    p.add_argument("--sample-spf-one-lat", type=int, default=300)
    p.add_argument("--sample-spf-file-lat", type=int, default=1000)
    p.add_argument("--sample-c1", type=int, default=500, help="--concurrency 1 with latency")
    p.add_argument("--single-runs", type=int, default=7)
    p.add_argument("--timeout", type=int, default=900, help="per tool run, s")
    p.add_argument("--rev", default="?", help="which source the binary was built from")
    p.add_argument("--results", help="write the section into this RESULTS.md")
    p.add_argument("--json", help="write the raw results here")
    p.add_argument("--profile", help="perf record the default batch run into this directory")
    p.add_argument("--profile-args", default="")
    p.add_argument("--profile-binary", help="a build with symbols for the profile")
    p.add_argument("--workdir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    for a in ("binary", "udpdelay", "world"):
        setattr(args, a, os.path.abspath(getattr(args, a)))
    if args.inner:
        return inner(args)
    return rerun_unshared(__file__)


if __name__ == "__main__":
    sys.exit(main())
