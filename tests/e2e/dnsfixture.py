#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""DNS servers for the end-to-end tests: one NSD and a few ldns-testns.

    dnsfixture.py start --state-dir DIR [--zones-dir D] [--testns-dir D]
    dnsfixture.py stop  --state-dir DIR
    dnsfixture.py status --state-dir DIR      (prints the state, for humans)

`start` checks every zone in ZONES_DIR with nsd-checkzone (zone name = file
name without `.zone`), starts one NSD serving all of them on a free loopback
port (127.0.0.1 and ::1, the same port), one ldns-testns per
TESTNS_DIR/*.data file (127.0.0.1, each on its own free port), and the
scripted responders of hostile.py ("hostile": UDP and TCP; "hostile-udponly":
UDP only, its TCP port closed), waits until each one answers a query, and
writes DIR/state.json:

    {"nsd": {"port": 40001, "pid": 123, "zones": [...]},
     "testns": {"servfail": {"port": 40002, "pid": 124}, ...},
     "responders": {"hostile": {"port": 40009, "pid": 130, "program": "python3"}, ...}}

It is CTest's FIXTURES_SETUP step (tests/e2e/CMakeLists.txt); `stop` is the
FIXTURES_CLEANUP step: it ends exactly the processes state.json names (each
was started in its own session, so its children go with it) and removes DIR.
A stale state from an earlier run is stopped first.

Standard library only: readiness is checked with a small UDP DNS query of
our own, not dig (dig need not be installed where the tests run).
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
READY_TIMEOUT = 10.0  # seconds a server gets to answer its first query
# Every ldns-testns data file answers this (tests/e2e/testns/*.data).
TESTNS_PROBE = ("fixture-probe.test", 16)  # TXT
# What log() and die() put before a message; a script that imports these
# helpers (tests/spf_e2e/spf_e2e.py) sets its own name here.
LOG_NAME = "dnsfixture"


def log(msg):
    print(LOG_NAME + ": " + msg, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(1)


def find_program(name):
    """PATH first, then the sbin directories Debian puts NSD in."""
    path = shutil.which(name)
    if path:
        return path
    for d in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        cand = os.path.join(d, name)
        if os.access(cand, os.X_OK):
            return cand
    die("%s not found (install the nsd and ldnsutils packages)" % name)


# --- free ports --------------------------------------------------------------

def _bindable(family, host, port, kind):
    s = socket.socket(family, kind)
    try:
        s.bind((host, port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()


def free_port(v6=True, taken=()):
    """A port free for UDP and TCP on 127.0.0.1 (and ::1 when V6)."""
    for _ in range(200):
        port = _bindable(socket.AF_INET, "127.0.0.1", 0, socket.SOCK_DGRAM)
        if not port or port in taken:
            continue
        checks = [(socket.AF_INET, "127.0.0.1", socket.SOCK_STREAM)]
        if v6:
            checks += [(socket.AF_INET6, "::1", socket.SOCK_DGRAM),
                       (socket.AF_INET6, "::1", socket.SOCK_STREAM)]
        if all(_bindable(f, h, port, k) == port for f, h, k in checks):
            return port
    die("no free loopback port found")


# --- a tiny DNS query ---------------------------------------------------------

def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def dns_query(host, port, name, qtype, timeout=0.3):
    """Sends one UDP query; returns the reply's rcode, or None (no reply)."""
    qid = random.randrange(65536)
    packet = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 0) + \
        encode_name(name) + struct.pack("!HH", qtype, 1)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(packet, (host, port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                reply, _ = s.recvfrom(4096)
                if len(reply) < 12:
                    continue
                rid, flags = struct.unpack("!HH", reply[:4])
                if rid == qid and flags & 0x8000:
                    return flags & 0x000F
        except OSError:  # timeout, or ICMP port unreachable
            return None
    return None


def wait_ready(proc, host, port, name, qtype, what, logfile):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return "exited with status %d" % proc.returncode
        if dns_query(host, port, name, qtype) == 0:
            return None
    return "did not answer %s/%d on %s port %d within %.0f s" % (
        name, qtype, host, port, READY_TIMEOUT)


# --- processes ----------------------------------------------------------------

def spawn(argv, logpath, cwd):
    """Starts ARGV in its own session (so stop can end its children too),
    with no inherited stdout/stderr: CTest waits for those pipes to close."""
    logf = open(logpath, "ab")
    try:
        return subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)
    finally:
        logf.close()


def proc_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def proc_is(pid, program):
    """True when PID is still the PROGRAM we started (not a recycled pid)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        return os.path.basename(argv0) == program
    except OSError:
        return False


def end_process(pid, program):
    """Ends the session PID leads (SIGTERM, then SIGKILL). Returns a problem
    string or None."""
    if not proc_is(pid, program):
        # The leader is gone (or its pid was reused): end only members of its
        # process group that are still PROGRAM (e.g. NSD's server children).
        for member in _group_members(pid):
            if proc_is(member, program):
                try:
                    os.kill(member, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return None
    _killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _reap(pid)
        if not proc_alive(pid) and not _group_alive(pid):
            return None
        time.sleep(0.05)
    _killpg(pid, signal.SIGKILL)
    time.sleep(0.1)
    _reap(pid)
    if proc_alive(pid):
        return "%s (pid %d) survived SIGKILL" % (program, pid)
    return None


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _group_members(pgid):
    """Live (non-zombie) processes in process group PGID."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                members.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return members


def _group_alive(pgid):
    return bool(_group_members(pgid))


# --- NSD ----------------------------------------------------------------------

NSD_CONF = """\
# Written by tests/e2e/dnsfixture.py (see the module docstring).
server:
  ip-address: 127.0.0.1@{port}
  ip-address: ::1@{port}
  port: {port}
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "{dir}/zone.list"
  xfrdfile: "{dir}/xfrd.state"
  xfrdir: "{dir}"
  pidfile: "{dir}/nsd.pid"
  logfile: "{dir}/nsd.log"
  zonesdir: "{dir}"
  server-count: 1
  verbosity: 1
  # Debian builds NSD with response rate limiting (200 answers a second of
  # one kind, e.g. NXDOMAIN from one zone, to one /24): cases that send
  # hundreds of queries (and -j4) would see dropped answers, not mailcheck's.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
"""


def list_zones(zones_dir):
    zones = []
    for fname in sorted(os.listdir(zones_dir)):
        if fname.endswith(".zone"):
            zones.append((fname[:-len(".zone")], os.path.join(zones_dir, fname)))
    if not zones:
        die("no *.zone files in %s" % zones_dir)
    return zones


def check_zones(zones):
    checkzone = find_program("nsd-checkzone")
    bad = []
    for name, path in zones:
        r = subprocess.run([checkzone, name, path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            bad.append("%s (%s):\n%s" % (name, path, r.stdout.rstrip()))
    if bad:
        die("nsd-checkzone rejected %d zone(s):\n%s" % (len(bad), "\n".join(bad)))


def start_nsd(state_dir, zones, taken):
    nsd = find_program("nsd")
    nsd_dir = os.path.join(state_dir, "nsd")
    for attempt in range(5):
        shutil.rmtree(nsd_dir, ignore_errors=True)
        os.makedirs(nsd_dir)
        port = free_port(v6=True, taken=taken)
        conf = NSD_CONF.format(port=port, dir=nsd_dir)
        for name, path in zones:
            conf += "zone:\n  name: %s\n  zonefile: %s\n" % (name, path)
        conf_path = os.path.join(nsd_dir, "nsd.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        proc = spawn([nsd, "-c", conf_path, "-d"],
                     os.path.join(nsd_dir, "nsd.out"), nsd_dir)
        problem = wait_ready(proc, "127.0.0.1", port, zones[0][0], 6, "nsd", None)
        if problem is None:
            problem = wait_ready(proc, "::1", port, zones[0][0], 6, "nsd", None)
        if problem is None:
            return {"port": port, "pid": proc.pid, "dir": nsd_dir,
                    "zones": [z for z, _ in zones]}
        end_process(proc.pid, "nsd")
        log("nsd on port %d %s (attempt %d); its log:\n%s" % (
            port, problem, attempt + 1, _tail(nsd_dir)))
    die("nsd would not start")


def _tail(nsd_dir):
    text = ""
    for fname in ("nsd.out", "nsd.log"):
        try:
            with open(os.path.join(nsd_dir, fname), errors="replace") as f:
                text += f.read()[-2000:]
        except OSError:
            pass
    return text


# --- ldns-testns ----------------------------------------------------------------

def start_testns(state_dir, name, datafile, taken, probe=TESTNS_PROBE):
    """PROBE: the (name, qtype) DATAFILE answers, asked until the server is
    ready (TESTNS_PROBE unless the data files are another suite's)."""
    testns = find_program("ldns-testns")
    logpath = os.path.join(state_dir, "testns-%s.log" % name)
    for attempt in range(5):
        port = free_port(v6=False, taken=taken)
        proc = spawn([testns, "-p", str(port), datafile], logpath, state_dir)
        problem = wait_ready(proc, "127.0.0.1", port, probe[0],
                             probe[1], "ldns-testns", None)
        if problem is None:
            return {"port": port, "pid": proc.pid, "data": datafile}
        end_process(proc.pid, "ldns-testns")
        with open(logpath, errors="replace") as f:
            log("ldns-testns %s on port %d %s (attempt %d); its log:\n%s" % (
                name, port, problem, attempt + 1, f.read()[-2000:]))
    die("ldns-testns %s would not start" % name)


# --- hostile.py ---------------------------------------------------------------------

# The scripted responders (hostile.py): name -> extra arguments.  "hostile"
# serves UDP and TCP; "hostile-udponly" the same over UDP only, so that a
# TCP fallback after a TC answer meets a closed port.
RESPONDERS = {"hostile": [], "hostile-udponly": ["--udp-only"]}
RESPONDER_SCRIPT = os.path.join(HERE, "hostile.py")


def start_responder(state_dir, name, extra, taken):
    logpath = os.path.join(state_dir, "%s.log" % name)
    program = os.path.basename(sys.executable)
    for attempt in range(5):
        port = free_port(v6=False, taken=taken)
        proc = spawn([sys.executable, RESPONDER_SCRIPT, "--port", str(port)] + extra,
                     logpath, state_dir)
        problem = wait_ready(proc, "127.0.0.1", port, TESTNS_PROBE[0],
                             TESTNS_PROBE[1], name, None)
        if problem is None:
            return {"port": port, "pid": proc.pid, "program": program}
        end_process(proc.pid, program)
        with open(logpath, errors="replace") as f:
            log("%s on port %d %s (attempt %d); its log:\n%s" % (
                name, port, problem, attempt + 1, f.read()[-2000:]))
    die("%s would not start" % name)


# --- commands -------------------------------------------------------------------

def state_path(state_dir):
    return os.path.join(state_dir, "state.json")


def cmd_start(args):
    if os.path.exists(state_path(args.state_dir)):
        log("stopping the servers of an earlier run")
        cmd_stop(args)
    zones = list_zones(args.zones_dir)
    check_zones(zones)
    datafiles = sorted(f for f in os.listdir(args.testns_dir) if f.endswith(".data"))

    os.makedirs(args.state_dir, exist_ok=True)
    state = {"nsd": None, "testns": {}, "responders": {}}
    taken = set()

    def save():
        tmp = state_path(args.state_dir) + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=2)
        os.replace(tmp, state_path(args.state_dir))

    try:
        state["nsd"] = start_nsd(args.state_dir, zones, taken)
        taken.add(state["nsd"]["port"])
        save()
        for fname in datafiles:
            name = fname[:-len(".data")]
            entry = start_testns(args.state_dir, name,
                                 os.path.join(args.testns_dir, fname), taken)
            state["testns"][name] = entry
            taken.add(entry["port"])
            save()
        for name, extra in RESPONDERS.items():
            entry = start_responder(args.state_dir, name, extra, taken)
            state["responders"][name] = entry
            taken.add(entry["port"])
            save()
    except SystemExit:
        save()
        cmd_stop(args)
        raise
    log("nsd on 127.0.0.1/::1 port %d serving %d zones" % (
        state["nsd"]["port"], len(zones)))
    for name, entry in state["testns"].items():
        log("ldns-testns %-10s on 127.0.0.1 port %d" % (name, entry["port"]))
    for name, entry in state["responders"].items():
        log("hostile.py  %-15s on 127.0.0.1 port %d" % (name, entry["port"]))
    log("state in %s" % state_path(args.state_dir))
    return 0


def cmd_stop(args):
    path = state_path(args.state_dir)
    try:
        with open(path) as f:
            state = json.load(f)
    except FileNotFoundError:
        log("nothing to stop (no %s)" % path)
        return 0
    except ValueError as e:
        die("unreadable %s: %s" % (path, e))
    problems = []
    procs = [("nsd", state.get("nsd"))] + \
        [("ldns-testns", e) for e in (state.get("testns") or {}).values()] + \
        [(e.get("program"), e) for e in (state.get("responders") or {}).values()]
    for program, entry in procs:
        if entry and entry.get("pid"):
            problem = end_process(int(entry["pid"]), program)
            if problem:
                problems.append(problem)
    if problems:
        die("; ".join(problems))
    shutil.rmtree(args.state_dir, ignore_errors=True)
    log("stopped %d server(s)" % sum(1 for _, e in procs if e))
    return 0


def cmd_status(args):
    try:
        with open(state_path(args.state_dir)) as f:
            state = json.load(f)
    except OSError:
        print("not running (no %s)" % state_path(args.state_dir))
        return 1
    ok = True
    for label, program, entry in [("nsd", "nsd", state.get("nsd"))] + \
            [("testns " + n, "ldns-testns", e)
             for n, e in (state.get("testns") or {}).items()] + \
            [(n, e.get("program"), e)
             for n, e in (state.get("responders") or {}).items()]:
        alive = bool(entry) and proc_is(int(entry["pid"]), program)
        ok = ok and alive
        print("%-18s port %-5s pid %-7s %s" % (
            label, entry and entry["port"], entry and entry["pid"],
            "running" if alive else "NOT RUNNING"))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=("start", "stop", "status"))
    p.add_argument("--state-dir", required=True,
                   help="where state.json, nsd.conf and the logs go")
    p.add_argument("--zones-dir", default=os.path.join(HERE, "zones"))
    p.add_argument("--testns-dir", default=os.path.join(HERE, "testns"))
    args = p.parse_args()
    args.state_dir = os.path.abspath(args.state_dir)
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
