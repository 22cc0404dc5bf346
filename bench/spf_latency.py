#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""SPF evaluation latency: mailcheck (prefetch on and off) vs libspf2 and pyspf.

Run it with bench/spf_latency.sh, which builds mailcheck and enters a
private network and mount namespace (`unshare -n -m`): there only loopback
exists, and /etc/resolv.conf is bind-mounted to one naming 127.0.0.1, so
that the peers, which use the system resolver, ask the same server.

The world (bench/zones/bench.test.zone): a 3-level include chain with a
and mx terms at every level, served by NSD on 127.0.0.1:5300, behind
bench/delayproxy.py on 127.0.0.1:53, which holds every packet DELAY ms each
way (this kernel has no netem).  Each tool evaluates the same client and
sender RUNS times, as a fresh process (wall time of the whole process, as
a mail server's policy daemon would see a cold cache); the table shows the
median and its ratio to mailcheck with prefetch.  The proxy's query count
per run shows that every tool's lookups went through it.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import nsd_conf, rerun_unshared, sh, spawn_nsd  # noqa: E402
from delayproxy import DelayProxy  # noqa: E402

NSD_PORT = 5300
PROXY = "127.0.0.1:53"

# Client and sender: 203.0.113.7 passes at the third include level;
# 192.0.2.200 goes through the whole tree and fails.
SCENARIOS = [
    ("pass at level 3", "203.0.113.7", "user@bench.test", "pass"),
    ("fail, whole tree", "192.0.2.200", "user@bench.test", "fail"),
]

PYSPF = r"""
import sys, spf
r = spf.check2(i=sys.argv[1], s=sys.argv[2], h=sys.argv[3], querytime=20)
print(r[0])
"""


def start_nsd(workdir):
    zone_dir = os.path.join(HERE, "zones")
    conf = os.path.join(workdir, "nsd.conf")
    with open(conf, "w") as f:
        f.write(nsd_conf(NSD_PORT, workdir))
        for fname in sorted(os.listdir(zone_dir)):
            if fname.endswith(".zone"):
                f.write("zone:\n  name: %s\n  zonefile: %s\n" % (
                    fname[:-5], os.path.join(zone_dir, fname)))
    proc = spawn_nsd(conf)
    time.sleep(0.5)
    if proc.poll() is not None:
        sys.exit("nsd did not start")
    return proc


def tools(binary, helo):
    t = [
        ("mailcheck (prefetch)", lambda ip, s: [binary, "spf", "--server", PROXY, "--ip", ip,
                                               "--sender", s, "--helo", helo, "-q"]),
        ("mailcheck --no-prefetch", lambda ip, s: [binary, "spf", "--server", PROXY,
                                                  "--no-prefetch", "--ip", ip, "--sender", s,
                                                  "--helo", helo, "-q"]),
    ]
    if shutil.which("spfquery"):
        t.append(("spfquery (libspf2)", lambda ip, s: ["spfquery", "-ip", ip, "-sender", s,
                                                      "-helo", helo]))
    py = pyspf_python()
    if py:
        t.append(("pyspf", lambda ip, s: [py, "-c", PYSPF, ip, s, helo]))
    return t


def pyspf_python():
    """An interpreter that imports spf: Debian's python3-spf lives in
    /usr/lib/python3/dist-packages, which another python3 on PATH (pyenv,
    a venv) does not see."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and subprocess.run([py, "-c", "import spf"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def result_word(name, out):
    out = out.strip().splitlines()
    if not out:
        return "?"
    if name.startswith("spfquery"):
        return out[0].strip()
    return out[0].strip()


def version(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "%s, %d CPUs, Linux %s, %s" % (cpu, os.cpu_count() or 0, platform.release(), osname)


def dpkg_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def write_results(path, text):
    """Replaces the "## SPF latency" section of PATH (or appends it)."""
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmark results\n\n"
    start = old.find("## SPF latency")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(new.rstrip("\n") + "\n")


def inner(args):
    # Only loopback exists here; the resolv.conf seen by the peers is ours.
    sh(["ip", "link", "set", "lo", "up"])
    work = tempfile.mkdtemp(prefix="spfbench.")
    resolv = os.path.join(work, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:2\n")
    sh(["mount", "--bind", resolv, "/etc/resolv.conf"])
    nsd = start_nsd(work)
    proxy = DelayProxy(PROXY, "127.0.0.1:%d" % NSD_PORT, args.delay_ms).start()
    rows = []
    try:
        for label, ip, sender, want in SCENARIOS:
            for name, argv_of in tools(args.binary, "mail.bench.test"):
                times, queries, words = [], [], set()
                for i in range(args.runs + 1):  # the first run warms the page cache
                    before = proxy.queries
                    t0 = time.monotonic()
                    p = subprocess.run(argv_of(ip, sender), stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, timeout=60)
                    dt = time.monotonic() - t0
                    if i == 0:
                        continue
                    times.append(dt * 1000)
                    queries.append(proxy.queries - before)
                    words.add(result_word(name, p.stdout))
                rows.append({"scenario": label, "tool": name, "median_ms": statistics.median(times),
                             "min_ms": min(times), "max_ms": max(times),
                             "queries": statistics.median(queries),
                             "result": "/".join(sorted(words)), "expected": want})
    finally:
        proxy.stop()
        os.killpg(nsd.pid, 15)
        nsd.wait(5)
        subprocess.run(["umount", "/etc/resolv.conf"])
        shutil.rmtree(work, ignore_errors=True)
    report(args, rows)


def report(args, rows):
    lines = []
    for label, _, _, _ in SCENARIOS:
        base = next(r for r in rows if r["scenario"] == label and r["tool"] ==
                    "mailcheck (prefetch)")["median_ms"]
        lines.append("%s (%d runs each, %g ms per packet each way):" % (label, args.runs,
                                                                       args.delay_ms))
        lines.append("")
        lines.append("| tool | result | median ms | min–max ms | ≈ round trips | queries "
                     "| x mailcheck |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            if r["scenario"] != label:
                continue
            lines.append("| %s | %s%s | %.0f | %.0f–%.0f | %.1f | %g | %.2f |" % (
                r["tool"], r["result"], "" if r["result"] == r["expected"] else " (!)",
                r["median_ms"], r["min_ms"], r["max_ms"],
                r["median_ms"] / (2 * args.delay_ms), r["queries"], r["median_ms"] / base))
        lines.append("")
    table = "\n".join(lines)
    print(table)
    if args.results:
        mc_version = version([args.binary, "--version"])
        text = "## SPF latency\n\n"
        text += ("`bench/spf_latency.sh` (%s). The world: `bench/zones/bench.test.zone`, a "
                 "3-level include chain with `a` and `mx` terms at every level, in NSD "
                 "behind `bench/delayproxy.py` (each packet held %g ms each way) inside "
                 "`unshare -n -m` (loopback only; the peers read a private resolv.conf "
                 "naming the proxy). Wall time of a fresh process per evaluation, median "
                 "of %d runs after one warm-up; \"queries\" counts what the proxy "
                 "forwarded per run.\n\n" % (time.strftime("%Y-%m-%d"), args.delay_ms,
                                             args.runs))
        text += ("The tree is 5 lookups deep (the record, three includes, the last "
                 "level's a), 15 lookups in all; one lookup costs %g ms through the proxy, "
                 "so \"≈ round trips\" is the median over that: how close each tool comes "
                 "to the depth of the tree (5) rather than the number of lookups (15).\n\n"
                 % (2 * args.delay_ms))
        text += "Machine: %s.\n\n" % machine()
        text += ("Versions: %s; spfquery (libspf2) %s; pyspf (python3-spf) %s with "
                 "python3-dns %s; NSD %s.\n\n" % (mc_version, dpkg_version("spfquery"),
                                                  dpkg_version("python3-spf"),
                                                  dpkg_version("python3-dns"),
                                                  dpkg_version("nsd")))
        text += table + "\n"
        text += args.notes + "\n" if args.notes else ""
        write_results(args.results, text)
        print("written to %s" % args.results)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--delay-ms", type=float, default=20.0)
    p.add_argument("--results", help="write the table into this RESULTS.md")
    p.add_argument("--notes", default="")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)
    if args.inner:
        return inner(args)
    # Outer: re-run ourselves in a private network and mount namespace.
    return rerun_unshared(__file__)


if __name__ == "__main__":
    sys.exit(main())
