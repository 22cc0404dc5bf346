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
the same verdicts); or `nopostconf.NAME` for a --postfix case's twin run
with postconf hidden (MAILCHECK_POSTCONF set and empty: main.cf and
master.cf parsed by mailcheck), which must give the same verdicts as the
case itself (postconf asked).

A case (cases.json, "cases": [...]):
  name      unique; CTest runs it as e2e.NAME
  doc       what it shows
  like      name of an earlier case: start from its args/server/expect
  server    nsd | nsd6 | closed | none | offline | <ldns-testns name> |
            hostile | hostile-udponly
            (nsd: --server 127.0.0.1:PORT of the fixture's NSD; nsd6: the same
            NSD as [::1]:PORT; closed: a loopback port nobody listens on;
            offline: --offline and --zone for ZONES; none: nothing added;
            hostile, hostile-udponly: the scripted responders of hostile.py)
  zones     for server=offline: zone files (default: every tests/e2e/zones/*.zone)
  offline   make an offline twin (default: true when server is nsd)
  format    json (default: adds --format json) | text (adds nothing) |
            nagios | openmetrics | jsonl (add --format FORMAT).  Every format's
            output is checked as a whole: json (host check, `mailcheck spf`
            when "spf" is in args, `mailcheck domain` when "domain" is)
            against its contract, nagios for one status
            line with one "|" and perfdata that parses, openmetrics for the
            exposition format with escaped label values, jsonl for one
            document a line
  args      the rest of the command line, HOST last; in each argument
            "{rep:C:N}" is C repeated N times, "{byte:XX}" the octet XX (hex;
            80-ff reach argv as raw octets), "{tmp}" the case's temporary
            directory; an object {"repeat": [ARG...], "times": N} is its ARGs
            N times, "{n}" / "{nx}" in them the repetition's index (1-based,
            decimal / hex)
  files     {NAME: CONTENT} written into "{tmp}" first: a string (the file's
            text, "{byte:XX}" and "{tmp}" expanded), {"dir": true}, {"fifo": true}, or
            {"text": ..., "mode": "000"}; "mtime": N sets the file's time N
            seconds from now (negative: in the past); a main.cf without
            one is dated MAIN_CF_AGE seconds back (see make_files)
  keys      {NAME: "rsa1024" | "rsa2048" | "ed25519"}: a private key made
            for the run with openssl(1) genpkey, written to "{tmp}/NAME"
            (PEM, PKCS#8) before "files"; in files and args "{dkimtxt:NAME}"
            is the DKIM key record of its public half as zone-file TXT
            strings ("v=DKIM1; k=...; p=...", cut every 255 octets, as the
            fix mailcheck prints), and in "absent", "finding_fix" and
            "finding_text" patterns "{dkimtxt_re:NAME}" is that text as a
            regex and "{secret:NAME}" runs of the private key's base64 (from
            its middle and its end, past the fixed header), as a regex
  postconf_twin  make the nopostconf twin (see NAME above)
  netns     {"ipv4": "ADDR/LEN", "ipv6": "ADDR/LEN" or absent}: run the binary
            in a network namespace of its own whose only interface besides
            lo is a dummy d0 (a veth pair where the kernel has no dummy
            driver) with these addresses and a default route per
            family given (the egress the kernel picks); needs root and
            unshare(1): without them the case is skipped (exit 77, the
            reason printed), never passed
  as_user   "nobody": run the binary as nobody (via setpriv when root), so
            that a mode-000 file is unreadable
  stdin     text fed to the binary's standard input (default: none), expanded
            like an argument; or a list, expanded like args and joined
  skip_under_wrapper  why the case is not run under MAILCHECK_TEST_WRAPPER
            (valgrind): too slow there, or its verdict depends on speed
  runs      run the binary up to N times, the first failing run counts (for
            races a server provokes; default 1)
  kill_rss_mb  for cases that probe unbounded growth: the binary is killed
            when its resident memory passes this (4x under ASan or valgrind)
  cwd       "source" to run in the source tree (default: the build dir)
  env       extra environment variables ("{tmp}" expanded)
  known_bug a bug this case exposes that is still open (what and where):
            failing is then expected (reported XFAIL, the test passes);
            passing is reported XPASS and fails, to have the marker removed
            (under ASan or valgrind XPASS is only reported: slower, a
            timing-bound bug may not show)
  expect    exit, status, host, ipv4/ipv6 (a status, or {status, addresses:
            [{address, status, fcrdns, ptr, from_host}]}), findings (codes that
            must be present), no_findings (codes that must be absent),
            severity ({code: severity}), finding_text ({code: [regex...]}: one
            finding of CODE whose "subject message" matches every regex;
            "CODE#2" for another such finding of CODE),
            finding_at ({code: [FILE-REGEX, LINE]}: one finding of CODE with
            "file" matching and "line" LINE; LINE null: no line),
            finding_fix ({code: regex}: one finding of CODE whose fix matches),
            stderr (true: not empty; or a regex), max_seconds,
            lines ([[regex...]...]: for each, one stdout line matching all),
            stdout_lines (number of non-empty stdout lines), schema
            ("full", default for json, or "minimal" for usage errors),
            in_readme (true: "mailcheck ARGS" is written so in README.md),
            min_seconds, result (`mailcheck spf`: the SPF result), why (a
            regex on the spf document's "why"), json ({PATH: WANT}: PATH like
            "families.ipv4.addresses[*].ptr[*]" or "trace[*].lookups[*]",
            WANT a value every match equals, or {"re": R} (every match, as
            JSON text, matches R), {"any_re": R} (one does), {"count": N},
            {"max_count": N}, {"min": N}, {"max": N}), max_rss_mb (default
            256: the binary's peak memory; not checked under ASan or valgrind),
            absent (a regex that matches neither stdout nor stderr: a secret
            such as a --dnsbl-key must not leak).

Every JSON document is also checked against the contract as a whole: the keys,
value sets, RFC 5952 sorted addresses, family status = worst address status,
`none` iff no address, overall status = worst finding severity, exit code =
status.  Every case, whatever its format, also fails when the binary died of
a signal or hung, when stdout or stderr holds a control octet other than
newline and tab (a server's bytes must never reach a terminal raw),
or when a JSON string value holds one once decoded.
"""

import argparse
import base64
import ipaddress
import json
import shlex
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
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
# mailcheck(1), EXIT STATUS: critical > unknown > warning > ok (Icinga's worst-state order).
SEVERITY_RANK = {"info": 0, "ok": 0, "warning": 1, "unknown": 2, "critical": 3}
STATUS_OF_SEVERITY = {"info": "ok", "warning": "warning", "unknown": "unknown",
                      "critical": "critical"}
CODES = ("bad-input", "host-nxdomain", "host-no-address", "host-cname",
         "ptr-missing", "ptr-unconfirmed", "ptr-mismatch", "ptr-multiple",
         "ptr-generic", "lookup-failed", "resolver-unusable", "timeout",
         "family-required", "address-not-of-host", "address-not-global",
         "ptr-invalid-name")
CASE_KEYS = {"name", "doc", "like", "server", "zones", "offline", "format",
             "args", "cwd", "env", "expect", "timeout", "known_bug", "files",
             "as_user", "stdin", "kill_rss_mb", "runs", "skip_under_wrapper",
             "postconf_twin", "netns", "keys"}
EXPECT_KEYS = {"exit", "status", "host", "ipv4", "ipv6", "findings",
               "no_findings", "severity", "finding_text", "stderr",
               "max_seconds", "lines", "stdout_lines", "schema", "in_readme",
               "min_seconds", "result", "why", "json", "max_rss_mb", "absent", "finding_at",
               "finding_fix"}
FORMATS = ("json", "text", "nagios", "openmetrics", "jsonl")
SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
# mailcheck(1), EXIT STATUS: the exit code of `mailcheck spf` by result.
SPF_EXIT = {"pass": 0, "softfail": 1, "neutral": 1, "none": 1, "fail": 2,
            "permerror": 2, "temperror": 2}
DEFAULT_MAX_RSS_MB = 256


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
            case.pop("known_bug", None)
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
        if case["format"] not in FORMATS:
            sys.exit("cases.json: case %s: format %r not one of %s"
                     % (raw["name"], case["format"], FORMATS))
        case.setdefault("offline", case["server"] == "nsd")
        if case["name"] in cases:
            sys.exit("cases.json: duplicate case %s" % case["name"])
        cases[case["name"]] = case
    for name, case in list(cases.items()):
        if case["offline"]:
            twin = dict(case, name="offline." + name, server="offline", offline=False)
            cases[twin["name"]] = twin
    for name, case in list(cases.items()):
        if case.get("postconf_twin"):
            env = dict(case.get("env", {}), MAILCHECK_POSTCONF="")
            twin = dict(case, name="nopostconf." + name, env=env, postconf_twin=False)
            cases[twin["name"]] = twin
    return cases


def needs_fixture(case):
    return case["server"] not in ("offline", "closed", "none")


REP = re.compile(r"\{rep:(.):(\d+)\}")
BYTE = re.compile(r"\{byte:([0-9a-fA-F]{2})\}")
TMP = [None]  # the running case's temporary directory


def octet(hexdigits):
    """The octet as a str character: 80-ff become the surrogates that
    os.fsencode() (surrogateescape) turns back into that raw octet."""
    n = int(hexdigits, 16)
    return chr(0xDC00 + n) if n >= 0x80 else chr(n)


KEY_REF = re.compile(r"\{(dkimtxt|dkimtxt_re|secret):([A-Za-z0-9_.-]+)\}")
KEYS = {}  # the running case's keys: NAME -> {"dkimtxt": ..., "secret": ...}


def key_ref(m, allowed):
    kind, name = m.group(1), m.group(2)
    if kind not in allowed or name not in KEYS:
        sys.exit("cases.json: {%s:%s}: no such key of the case, or not allowed here"
                 % (kind, name))
    if kind == "dkimtxt_re":
        return re.escape(KEYS[name]["dkimtxt"])
    if kind == "secret":
        return "|".join(re.escape(w) for w in KEYS[name]["secret"])
    return KEYS[name][kind]


def expand(arg):
    arg = REP.sub(lambda m: m.group(1) * int(m.group(2)), arg)
    arg = BYTE.sub(lambda m: octet(m.group(1)), arg)
    arg = KEY_REF.sub(lambda m: key_ref(m, ("dkimtxt",)), arg)
    if TMP[0] is not None:
        arg = arg.replace("{tmp}", TMP[0])
    return arg.replace("{src}", SOURCE_DIR_USED[0])


def expand_pattern(pat):
    """An expectation's regex with the case's key references filled in."""
    return KEY_REF.sub(lambda m: key_ref(m, ("dkimtxt_re", "secret")), pat)


def expand_args(args):
    out = []
    for a in args:
        if isinstance(a, dict):
            for i in range(1, a["times"] + 1):
                out += [expand(x.replace("{nx}", "%x" % i).replace("{n}", str(i)))
                        for x in a["repeat"]]
        else:
            out.append(expand(a))
    return out


def is_spf(case):
    return any(a == "spf" for a in case.get("args", []) if isinstance(a, str))


def is_domain(case):
    return any(a == "domain" for a in case.get("args", []) if isinstance(a, str))


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
        if as_user_prefix(case):
            zones_dir = readable_for_nobody(zones_dir)
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
    if server in (state.get("responders") or {}):
        return ["--server", "127.0.0.1:%d" % state["responders"][server]["port"]]
    raise SystemExit("case %s: unknown server %r" % (case["name"], server))


def wrapper():
    """MAILCHECK_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."): runs
    the binary under a checker; wall-time expectations are then skipped."""
    return shlex.split(os.environ.get("MAILCHECK_TEST_WRAPPER", ""))


def as_user_prefix(case):
    """setpriv to nobody for "as_user" (only needed, and only possible, as root)."""
    if case.get("as_user") != "nobody" or os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


NETNS_SKIP = 77  # CTest SKIP_RETURN_CODE of the e2e tests


def netns_prefix(case):
    """unshare(1) and the set-up of the case's "netns" (see the top), or []."""
    ns = case.get("netns")
    if not ns:
        return []
    # A dummy interface, or where the kernel has no dummy driver a veth
    # pair with both ends inside (d1 up, so that d0 has a carrier).
    steps = ["ip link set lo up",
             "{ ip link add d0 type dummy 2>/dev/null || "
             "{ ip link add d0 type veth peer name d1 && ip link set d1 up; }; }",
             "ip link set d0 up"]
    if ns.get("ipv4"):
        steps += ["ip addr add %s dev d0" % ns["ipv4"], "ip route add default dev d0"]
    if ns.get("ipv6"):
        steps += ["ip -6 addr add %s dev d0 nodad" % ns["ipv6"], "ip -6 route add default dev d0"]
    return ["unshare", "-n", "sh", "-ec", " && ".join(steps) + ' && exec "$@"', "netns"]


def netns_unavailable(case):
    """Why the case's network namespace cannot be made here, or None."""
    if not case.get("netns"):
        return None
    if os.geteuid() != 0:
        return "not root: no network namespace with a dummy interface"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "unshare(1) or ip(8) is not installed"
    probe = subprocess.run(["unshare", "-n", "sh", "-c",
                            "ip link add d0 type dummy 2>/dev/null || "
                            "ip link add d0 type veth peer name d1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if probe.returncode != 0:
        return "cannot make a namespace with a dummy interface: %s" % probe.stderr.decode().strip()
    return None


_NOBODY_COPY = {}


def readable_for_nobody(path):
    """A copy of PATH (the binary, or the zones directory) that nobody can
    read: a clone under a mode-700 home (/root) lets nobody exec the binary
    through setpriv, but not open it (valgrind, run as nobody, must) nor
    the zone files.  Made once, removed at exit."""
    if path not in _NOBODY_COPY:
        import atexit
        d = tempfile.mkdtemp(prefix="mailcheck-nobody-")
        os.chmod(d, 0o755)
        copy = os.path.join(d, os.path.basename(path))
        if os.path.isdir(path):
            shutil.copytree(path, copy)
            os.chmod(copy, 0o755)
            for name in os.listdir(copy):
                os.chmod(os.path.join(copy, name), 0o644)
        else:
            shutil.copy2(path, copy)
            os.chmod(copy, 0o755)
        atexit.register(shutil.rmtree, d, True)
        _NOBODY_COPY[path] = copy
    return _NOBODY_COPY[path]


def command(case, binary, state_dir):
    prefix = as_user_prefix(case)
    if prefix:
        binary = readable_for_nobody(binary)
    argv = netns_prefix(case) + prefix + wrapper() + [binary]
    if case["format"] != "text":
        argv += ["--format", case["format"]]
    argv += server_args(case, state_dir)
    argv += expand_args(case.get("args", []))
    return argv


# postconf(1) reads a main.cf modified within the last two seconds again,
# 0.3 s later, until it is older (letting an edit settle): a main.cf written
# just before the run cost every case that asks postconf 2 s asleep.  Dated
# this far back, it is read at once; no case compares main.cf's time.
MAIN_CF_AGE = 10


def zone_strings(text):
    """TEXT as zone-file TXT strings of at most 255 octets (mc_dkim_zone_strings())."""
    return " ".join('"%s"' % text[i:i + 255] for i in range(0, len(text), 255))


def make_keys(case, tmp):
    """Makes the case's "keys" in TMP (see the top) and fills KEYS."""
    KEYS.clear()
    for name, kind in (case.get("keys") or {}).items():
        path = os.path.join(tmp, name)
        if kind in ("rsa1024", "rsa2048"):
            gen = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + kind[3:]]
        elif kind == "ed25519":
            gen = ["-algorithm", "ED25519"]
        else:
            sys.exit("cases.json: case %s: key %s: unknown kind %r" % (case["name"], name, kind))
        subprocess.run(["openssl", "genpkey"] + gen + ["-out", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        spki = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                              check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
        # RFC 8463 section 4.2: an Ed25519 p= is the raw 32-octet key, the
        # end of its SubjectPublicKeyInfo; RSA's is the SubjectPublicKeyInfo.
        k, p = ("ed25519", spki[-32:]) if kind == "ed25519" else ("rsa", spki)
        record = "v=DKIM1; k=%s; p=%s" % (k, base64.b64encode(p).decode("ascii"))
        with open(path) as f:
            body = "".join(l.strip() for l in f if not l.startswith("-----"))
        # Runs of the key's base64 past its fixed DER header, from the
        # middle and the end: what a leak of the private key would show.
        mid = len(body) // 2
        KEYS[name] = {"dkimtxt": zone_strings(record),
                      "secret": [body[mid:mid + 24], body[-48:-24]]}


def make_files(case, tmp):
    """Writes the case's "files" into TMP (see the top)."""
    make_keys(case, tmp)
    for name, spec in (case.get("files") or {}).items():
        path = os.path.join(tmp, name)
        if isinstance(spec, str):
            spec = {"text": spec}
        if spec.get("dir"):
            os.mkdir(path)
        elif spec.get("fifo"):
            os.mkfifo(path)
        else:
            with open(path, "wb") as f:
                f.write(os.fsencode(expand(spec.get("text", ""))))
        if "mode" in spec:
            os.chmod(path, int(spec["mode"], 8))
        if "mtime" in spec or os.path.basename(name) == "main.cf":
            t = time.time() + spec.get("mtime", -MAIN_CF_AGE)
            os.utime(path, (t, t))
    if case.get("as_user") == "nobody":
        os.chmod(tmp, 0o755)


def proc_memory(pid, field):
    """PID's VmRSS or VmHWM (peak) in KB, once it runs mailcheck (before
    its exec the figures are the forking Python's); 0 when unknown."""
    try:
        if os.path.basename(os.readlink("/proc/%d/exe" % pid)) != "mailcheck":
            return 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_now(pid):
    return proc_memory(pid, "VmRSS")


_SANITIZED = {}


def sanitized(argv):
    """True under a wrapper (valgrind) or for an ASan build: memory figures
    then are not the program's own."""
    if wrapper():
        return True
    binary = next((a for a in argv if os.path.basename(a) == "mailcheck"), None)
    if binary not in _SANITIZED:
        try:
            with open(binary, "rb") as f:
                _SANITIZED[binary] = b"__asan_init" in f.read()
        except (OSError, TypeError):
            _SANITIZED[binary] = False
    return _SANITIZED[binary]


def run(case, argv, source_dir):
    """Runs ARGV; returns (rc or None when it hung and was killed, stdout,
    stderr as text, seconds, stdout and stderr as bytes, peak RSS in KB)."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update({k: expand(v) for k, v in case.get("env", {}).items()})
    cwd = source_dir if case.get("cwd") == "source" else None
    stdin = case.get("stdin")
    if isinstance(stdin, list):
        stdin = "".join(expand_args(stdin))
    elif stdin is not None:
        stdin = expand(stdin)
    limit = case.get("timeout", 25) * (4 if wrapper() else 1)
    # A case probing unbounded growth is killed above kill_rss_mb (resident
    # memory, watched here: an address-space limit would break ASan and
    # valgrind), so that it cannot take the machine's memory.
    kill_kb = case.get("kill_rss_mb", 0) * 1024 * (4 if sanitized(argv) else 1)
    start = time.monotonic()
    try:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             cwd=cwd, env=env)
    except OSError as e:
        return 127, "", "cannot run %s: %s" % (argv[0], e), 0.0, b"", b"", 0
    chunks = {"out": [], "err": []}

    def drain(stream, into):
        for block in iter(lambda: stream.read(65536), b""):
            into.append(block)

    threads = [threading.Thread(target=drain, args=(p.stdout, chunks["out"])),
               threading.Thread(target=drain, args=(p.stderr, chunks["err"]))]
    if stdin is not None:
        def feed():
            try:
                p.stdin.write(os.fsencode(stdin))
                p.stdin.close()
            except OSError:
                pass
        threads.append(threading.Thread(target=feed))
    for t in threads:
        t.start()
    # The binary's peak memory is sampled (VmHWM) while it runs: wait4()'s
    # ru_maxrss would count the memory of the Python that forked it.
    rc, usage, peak_kb = None, None, 0
    while usage is None:
        peak_kb = max(peak_kb, proc_memory(p.pid, "VmHWM"))
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            rc, usage = os.waitstatus_to_exitcode(status), ru
        elif time.monotonic() - start > limit or (kill_kb and rss_now(p.pid) > kill_kb):
            p.kill()
            _, status, usage = os.wait4(p.pid, 0)
        else:
            time.sleep(0.005)
    elapsed = time.monotonic() - start
    p.returncode = -9 if rc is None else rc  # reaped: Popen must not wait for it
    for t in threads:
        t.join()
    out, err = b"".join(chunks["out"]), b"".join(chunks["err"])
    return (rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed,
            out, err, peak_kb)


# --- checks ---------------------------------------------------------------------

class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, msg):
        if msg not in self.failures:  # (one report for a thousand lines)
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
    # --postfix with an EHLO name that is no domain name: the DNS check is
    # not run and HOST is null, the name in "input" (mailcheck(1), POSTFIX).
    unchecked = doc.get("host") is None and isinstance(doc.get("input"), str) and any(
        isinstance(f, dict) and f.get("code") == "postfix-helo-not-fqdn"
        for f in doc.get("findings") or [])
    for key, typ in (("schema_version", int), ("version", str), ("host", str),
                     ("status", str), ("duration_ms", int), ("resolvers", list),
                     ("families", dict), ("findings", list)):
        if key == "host" and unchecked:
            continue
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
        # An open family is ok only when the deadline's own finding says
        # so (-t SECONDS:ok): nothing else may hide a failed lookup.
        if (not addrs and st == "error" and doc.get("status") == "ok"
                and not any(f.get("code") == "timeout" for f in doc.get("findings", []))):
            c.fail("contract: families.%s is error without addresses, yet status ok" % fam)
        if addrs and worst and st != worst:
            c.fail("contract: families.%s status %r is not the worst of its addresses (%r)"
                   % (fam, st, worst))
    check_dnsbl_contract(c, doc)
    check_findings_contract(c, doc, rc)


def check_dnsbl_contract(c, doc):
    """mailcheck(1), BLOCKLISTS: one entry per (list, subject) asked;
    listed true, false or null; a listing has its codes, its meaning and a
    dnsbl-listed finding for its subject."""
    if "dnsbl" not in doc:
        return
    entries = doc["dnsbl"]
    if not isinstance(entries, list):
        c.fail("contract: dnsbl is not an array")
        return
    seen = set()
    listed_subjects = {f.get("subject") for f in doc.get("findings", [])
                       if isinstance(f, dict) and f.get("code") == "dnsbl-listed"}
    for i, e in enumerate(entries):
        where = "dnsbl[%d]" % i
        if not isinstance(e, dict):
            c.fail("contract: %s is not an object" % where)
            continue
        for key in ("list", "subject"):
            if not isinstance(e.get(key), str) or not e[key]:
                c.fail("contract: %s %s %r" % (where, key, e.get(key)))
        key = (e.get("list"), e.get("subject"))
        if key in seen:
            c.fail("contract: %s repeats %s" % (where, key))
        seen.add(key)
        if e.get("listed") not in (True, False, None):
            c.fail("contract: %s listed %r" % (where, e.get("listed")))
        codes = e.get("codes")
        if not isinstance(codes, list) or not all(isinstance(x, str) for x in codes):
            c.fail("contract: %s codes %r" % (where, codes))
            continue
        if e.get("listed") is True:
            if not codes or e.get("code") != codes[0] or not isinstance(e.get("meaning"), str):
                c.fail("contract: %s is listed without code, codes and meaning" % where)
            if e.get("subject") not in listed_subjects:
                c.fail("contract: %s is listed, but no dnsbl-listed finding names %s"
                       % (where, e.get("subject")))
        elif codes or e.get("code") is not None or e.get("meaning") is not None:
            c.fail("contract: %s is not listed, yet has codes or a meaning" % where)


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
        # mailcheck(1), JSON OUTPUT: file (non-empty) where the value comes
        # from a file, and line (1-based) only with it.
        if "file" in f and (not isinstance(f["file"], str) or not f["file"]):
            c.fail("contract: %s file %r is not a non-empty string" % (where, f["file"]))
        if "line" in f and (not isinstance(f["line"], int) or isinstance(f["line"], bool)
                            or f["line"] < 1 or "file" not in f):
            c.fail("contract: %s line %r is not a line of its file" % (where, f["line"]))
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


CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def check_safety(c, case, rc, raw_out, raw_err, rss_kb):
    """What every case must hold, whatever it expects (see the top)."""
    if rc is not None and rc < 0:
        c.fail("the binary died of signal %d" % -rc)
    elif rc is not None and rc > 3 and not wrapper():
        c.fail("exit code %d is not a plugin state (0-3): a crash or sanitizer report?" % rc)
    for what, raw in (("stdout", raw_out), ("stderr", raw_err)):
        m = CONTROL.search(raw)
        if m:
            at = m.start()
            c.fail("%s holds the raw control octet 0x%02x at offset %d: ...%r..."
                   % (what, raw[at], at, raw[max(0, at - 40):at + 40]))
    limit = case["expect"].get("max_rss_mb", DEFAULT_MAX_RSS_MB)
    if not case.get("_sanitized") and rss_kb > limit * 1024:
        c.fail("peak memory %.0f MB, expected at most %d MB" % (rss_kb / 1024.0, limit))


def json_strings(value, path="$"):
    """Every string in a decoded JSON VALUE (keys too), with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_strings(v, "%s[%d]" % (path, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path + ".<key>", k
            yield from json_strings(v, "%s.%s" % (path, k))


def check_json_strings(c, doc):
    """Decoded strings hold no control character and no lone surrogate: a
    consumer printing a value prints no escape sequence ."""
    for path, text in json_strings(doc):
        if re.search(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]", text):
            c.fail("JSON %s holds a control character once decoded: %r" % (path, text[:200]))
            return
    try:
        if json.loads(json.dumps(doc)) != doc:
            c.fail("the JSON document does not round-trip")
    except (ValueError, UnicodeError) as e:
        c.fail("the JSON document does not round-trip: %s" % e)


def json_path(doc, path):
    """Values at PATH ("a.b[*].c[0]"); a missing step matches nothing."""
    values = [doc]
    for step in re.findall(r"[^.\[\]]+|\[[^\]]*\]", path):
        nxt = []
        for v in values:
            if step == "[*]":
                if isinstance(v, list):
                    nxt += v
            elif step.startswith("["):
                i = int(step[1:-1])
                if isinstance(v, list) and -len(v) <= i < len(v):
                    nxt.append(v[i])
            elif isinstance(v, dict) and step in v:
                nxt.append(v[step])
        values = nxt
    return values


def check_json_paths(c, doc, wants):
    for path, want in wants.items():
        path = path.split("#")[0]  # "PATH#2": a second check of PATH
        got = json_path(doc, path)
        if not isinstance(want, dict):
            if not got or any(g != want for g in got):
                c.fail("json %s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)[:300]))
            continue
        if "count" in want and len(got) != want["count"]:
            c.fail("json %s: expected %d matches, got %d" % (path, want["count"], len(got)))
        if "max_count" in want and len(got) > want["max_count"]:
            c.fail("json %s: expected at most %d matches, got %d" % (path, want["max_count"], len(got)))
        texts = [g if isinstance(g, str) else json.dumps(g) for g in got]
        if "re" in want and (not got or not all(re.search(want["re"], t) for t in texts)):
            c.fail("json %s: not every match matches /%s/: %s" % (path, want["re"], json.dumps(texts)[:400]))
        if "any_re" in want and not any(re.search(want["any_re"], t) for t in texts):
            c.fail("json %s: no match matches /%s/: %s" % (path, want["any_re"], json.dumps(texts)[:400]))
        for bound, ok in (("min", lambda g, b: g >= b), ("max", lambda g, b: g <= b)):
            if bound in want and (not got or not all(isinstance(g, (int, float)) and ok(g, want[bound])
                                                     for g in got)):
                c.fail("json %s: expected %s %s, got %s" % (path, bound, want[bound], json.dumps(got)[:300]))


def check_spf_contract(c, doc, rc, exp, trace=True):
    """The document of `mailcheck spf --format json` (mailcheck(1), JSON OUTPUT);
    TRACE: whether it must carry the ledger (json always; jsonl with --trace),
    else it must not."""
    if not isinstance(doc, dict):
        c.fail("the JSON document is not an object")
        return
    minimal = exp.get("schema") == "minimal"
    if minimal:  # a usage error: the host check's error document
        check_findings_contract(c, doc, rc)
        return
    for key, typ in (("schema_version", int), ("version", str), ("command", str),
                     ("ip", str), ("sender", str), ("domain", str), ("result", str),
                     ("dns_lookups", int), ("void_lookups", int), ("status", str),
                     ("exit_code", int), ("duration_ms", int), ("findings", list)) + \
            ((("trace", list),) if trace else ()):
        if not isinstance(doc.get(key), typ) or isinstance(doc.get(key), bool):
            c.fail("spf contract: %r is %r, not a %s" % (key, doc.get(key), typ.__name__))
    if not trace and "trace" in doc:
        c.fail("spf contract: a trace in jsonl without --trace")
    c.eq("spf contract: command", doc.get("command"), "spf")
    result, status = doc.get("result"), doc.get("status")
    if result not in SPF_RESULTS:
        c.fail("spf contract: result %r not one of %s" % (result, SPF_RESULTS))
    if status not in STATUSES:
        c.fail("spf contract: status %r" % status)
    elif rc != EXIT_OF[status] or doc.get("exit_code") != rc:
        c.fail("spf contract: exit code %s, exit_code %r and status %r disagree"
               % (rc, doc.get("exit_code"), status))
    if doc.get("mechanism") is not None and result not in ("pass", "fail", "softfail", "neutral"):
        c.fail("spf contract: a mechanism (%r) with result %s" % (doc.get("mechanism"), result))
    if isinstance(doc.get("dns_lookups"), int) and doc["dns_lookups"] > 11:
        c.fail("spf contract: dns_lookups %d: the 11th term ends the evaluation" % doc["dns_lookups"])
    for f in doc.get("findings") or []:
        # Lint is info or warning; the deadline's one "timeout" finding has
        # the -t STATE's severity and goes with a temperror.
        timeout = isinstance(f, dict) and f.get("code") == "timeout"
        severities = ("info", "warning", "critical", "unknown") if timeout else ("info", "warning")
        if not isinstance(f, dict) or f.get("severity") not in severities or \
                not isinstance(f.get("message"), str):
            c.fail("spf contract: bad finding %r" % (f,))
        elif timeout and result != "temperror":
            c.fail("spf contract: a timeout finding with result %s" % result)


WALK_RESULTS = ("complete", "none", "permerror", "temperror")


def check_domain_contract(c, doc, rc, exp, trace=True):
    """The document of `mailcheck domain --format json` (mailcheck(1), JSON
    OUTPUT): the domain blocks of the host check, the SPF walks, the
    findings; no SPF alignment without addresses.  TRACE: whether each SPF
    walk must carry its ledger (json always; jsonl only with --trace)."""
    if not isinstance(doc, dict):
        c.fail("the JSON document is not an object")
        return
    if exp.get("schema") == "minimal":  # a usage error: the host check's error document
        check_findings_contract(c, doc, rc)
        return
    for key, typ in (("schema_version", int), ("version", str), ("command", str),
                     ("domain", str), ("status", str), ("exit_code", int), ("duration_ms", int),
                     ("queries", int), ("resolvers", list), ("domains", list), ("spf", list),
                     ("findings", list)):
        if not isinstance(doc.get(key), typ) or isinstance(doc.get(key), bool):
            c.fail("domain contract: %r is %r, not a %s" % (key, doc.get(key), typ.__name__))
    c.eq("domain contract: command", doc.get("command"), "domain")
    domain = doc.get("domain")
    if isinstance(domain, str) and (domain != domain.lower() or domain.endswith(".")):
        c.fail("domain contract: domain %r is not lowercase without a trailing dot" % domain)
    blocks = [d for d in doc.get("domains") or [] if isinstance(d, dict)]
    if not any(d.get("domain") == domain and "mailfrom" in (d.get("roles") or [])
               for d in blocks):
        c.fail("domain contract: no domains[] block of %r with role mailfrom" % domain)
    for d in blocks:
        m = d.get("dmarc")
        if not isinstance(m, dict):
            continue
        if m.get("spf_aligned") is not None:
            c.fail("domain contract: %s spf_aligned %r without server addresses"
                   % (d.get("domain"), m.get("spf_aligned")))
        if m.get("result") == "fail" and m.get("dkim_aligned") is not False:
            c.fail("domain contract: %s DMARC result fail while DKIM alignment is %r"
                   % (d.get("domain"), m.get("dkim_aligned")))
    for w in doc.get("spf") or []:
        if not isinstance(w, dict) or w.get("result") not in WALK_RESULTS or \
                not isinstance(w.get("dns_lookups"), int) or \
                (trace and not isinstance(w.get("trace"), list)):
            c.fail("domain contract: bad spf walk %r" % (w,))
        elif not trace and "trace" in w:
            c.fail("domain contract: an SPF walk's trace in jsonl without --trace")
        elif w["dns_lookups"] > 11:
            c.fail("domain contract: dns_lookups %d: the 11th term ends the walk" % w["dns_lookups"])
    if doc.get("exit_code") != rc:
        c.fail("domain contract: exit_code %r but exit %s" % (doc.get("exit_code"), rc))
    check_findings_contract(c, doc, rc)


NAGIOS_FIRST = re.compile(r"^MAILCHECK (OK|WARNING|CRITICAL|UNKNOWN) - (.*)$")
# 'label'=value[UOM];[warn];[crit];[min];[max] (Monitoring Plugins guidelines)
PERFDATA = re.compile(r"^(?:'[^'=]+'|[^'= ]+)=-?[0-9.]+(?:s|us|ms|%|B|KB|MB|TB|c)?"
                      r"(?:;[@~0-9.:-]*){0,4}$")
NAGIOS_EXIT = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


def check_nagios(c, out, rc, exp):
    """One status line, its state = the exit code, "|" only before the
    perfdata, which parses; no "|" in the long output."""
    lines = out.split("\n")
    m = NAGIOS_FIRST.match(lines[0]) if lines else None
    if not m:
        c.fail("nagios: first line %r is not 'MAILCHECK STATE - ...'" % (lines[0][:200] if lines else ""))
        return
    if rc is not None and NAGIOS_EXIT[m.group(1)] != rc:
        c.fail("nagios: state %s but exit code %s" % (m.group(1), rc))
    if sum(1 for line in lines if line.startswith("MAILCHECK ")) != 1:
        c.fail("nagios: more than one line starts with 'MAILCHECK ' (a forged status line?)")
    rest = m.group(2)
    if rest.count("|") > 1:
        c.fail("nagios: %d '|' in the status line: %r" % (rest.count("|"), rest[:300]))
    summary, _, perf = rest.partition("|")
    if not summary.strip():
        c.fail("nagios: empty summary")
    if perf or exp.get("schema") != "minimal":
        tokens = perf.split()
        if not tokens:
            c.fail("nagios: no perfdata after '|' in %r" % rest[-200:])
        for t in tokens:
            if not PERFDATA.match(t):
                c.fail("nagios: perfdata %r does not parse" % t)
    for i, line in enumerate(lines[1:], 2):
        if "|" in line:
            c.fail("nagios: line %d holds '|' (Nagios reads it as perfdata): %r" % (i, line[:200]))
    if not out.endswith("\n"):
        c.fail("nagios: output does not end with a newline")


OM_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
OM_LABELS = r'\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"' \
            r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\}'
OM_SAMPLE = re.compile(r"^(%s)(%s)? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$" % (OM_NAME, OM_LABELS))
OM_META = re.compile(r"^# (HELP|TYPE) (%s) (.*)$" % OM_NAME)


def check_openmetrics(c, out):
    """The text exposition format: HELP and TYPE before each family's
    samples, label values with only \\, \" and \n escapes, no series
    twice (a metric and label set is one series)."""
    typed = set()
    series = set()
    if not out.endswith("\n"):
        c.fail("openmetrics: output does not end with a newline")
    for i, line in enumerate(out.split("\n")[:-1], 1):
        if line == "# EOF":
            continue
        m = OM_META.match(line)
        if m:
            if m.group(1) == "TYPE":
                typed.add(m.group(2))
            continue
        m = OM_SAMPLE.match(line)
        if not m:
            c.fail("openmetrics: line %d does not parse: %r" % (i, line[:200]))
            continue
        if m.group(1) not in typed:
            c.fail("openmetrics: line %d: %s has no TYPE line before it" % (i, m.group(1)))
        key = line.rsplit(" ", 1)[0]
        if key in series:
            c.fail("openmetrics: line %d: the series %s again" % (i, key[:200]))
        series.add(key)


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
    if "min_seconds" in exp and elapsed < exp["min_seconds"]:
        c.fail("took %.2f s, expected at least %.1f s" % (elapsed, exp["min_seconds"]))
    if exp.get("in_readme"):
        documented = "mailcheck " + " ".join(shell_quote(a) for a in expand_args(case.get("args", [])))
        try:
            with open(os.path.join(source_dir_of(case), "README.md")) as f:
                if documented not in f.read():
                    c.fail("README.md does not show the command %r" % documented)
        except OSError as e:
            c.fail("README.md: %s" % e)
    if "absent" in exp:
        absent = expand_pattern(exp["absent"])
        for what, text in (("stdout", out), ("stderr", err)):
            if re.search(absent, text):
                c.fail("%s: holds /%s/, which must not appear" % (what, absent))
    lines = out.splitlines()
    for pats in exp.get("lines", []):
        if not any(all(re.search(p, line) for p in pats) for line in lines):
            c.fail("stdout: no line matches all of %s" % pats)
    if "stdout_lines" in exp:
        n = sum(1 for line in lines if line.strip())
        c.eq("stdout: number of non-empty lines", n, exp["stdout_lines"])

    if case["format"] == "nagios":
        check_nagios(c, out, rc, exp)
    elif case["format"] == "openmetrics":
        check_openmetrics(c, out)
    elif case["format"] == "jsonl":
        docs = []
        for i, line in enumerate(out.splitlines(), 1):
            try:
                docs.append(json.loads(line))
            except ValueError as e:
                c.fail("jsonl: line %d is not one JSON document: %s" % (i, e))
        for doc in docs:
            check_json_strings(c, doc)
            if not isinstance(doc, dict):
                c.fail("jsonl: a line is not an object")
            elif doc.get("command") == "spf":
                # mailcheck(1), --trace: jsonl has the ledger only when asked
                check_spf_contract(c, doc, EXIT_OF.get(doc.get("status")), {},
                                   trace="--trace" in case.get("args", []))
            elif doc.get("command") == "domain":
                check_domain_contract(c, doc, EXIT_OF.get(doc.get("status")), {},
                                      trace="--trace" in case.get("args", []))
            elif doc.get("host") is None:  # a bad line: the error document
                check_findings_contract(c, doc, EXIT_OF.get(doc.get("status")))
            else:
                check_contract(c, doc, EXIT_OF.get(doc.get("status")))
        if "json" in exp:
            check_json_paths(c, docs, exp["json"])
    if case["format"] != "json":
        return
    try:
        doc = json.loads(out)
    except ValueError as e:
        c.fail("stdout is not one JSON document: %s" % e)
        return
    check_json_strings(c, doc)
    if "json" in exp:
        check_json_paths(c, doc, exp["json"])
    if is_spf(case):
        check_spf_contract(c, doc, rc, exp)
        if "result" in exp:
            c.eq("result", doc.get("result") if isinstance(doc, dict) else None, exp["result"])
        if "status" in exp:
            c.eq("status", doc.get("status") if isinstance(doc, dict) else None, exp["status"])
        if "why" in exp and isinstance(doc, dict) and \
                not re.search(exp["why"], doc.get("why") or ""):
            c.fail("why: expected /%s/, got %r" % (exp["why"], doc.get("why")))
        check_finding_expectations(c, doc, exp)
        return
    if is_domain(case):
        check_domain_contract(c, doc, rc, exp)
        if "status" in exp:
            c.eq("status", doc.get("status") if isinstance(doc, dict) else None, exp["status"])
        check_finding_expectations(c, doc, exp)
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
    check_finding_expectations(c, doc, exp)


def check_finding_expectations(c, doc, exp):
    if not isinstance(doc, dict):
        return
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
        code = code.split("#")[0]  # "CODE#2": a second finding of CODE
        texts = ["%s %s" % (f.get("subject"), f.get("message"))
                 for f in findings if f.get("code") == code]
        pats = [expand_pattern(p) for p in pats]
        if texts and not any(all(re.search(p, t) for p in pats) for t in texts):
            c.fail("finding %s: no subject+message matches all of %s; got %s"
                   % (code, pats, texts))
    for code, (file_re, line) in exp.get("finding_at", {}).items():
        at = [(f.get("file"), f.get("line")) for f in findings if f.get("code") == code]
        if not any(isinstance(fl, str) and re.search(file_re, fl) and ln == line for fl, ln in at):
            c.fail("finding %s: none at file /%s/ line %s; got %s" % (code, file_re, line, at))
    for code, pat in exp.get("finding_fix", {}).items():
        pat = expand_pattern(pat)
        fixes = [f.get("fix") for f in findings if f.get("code") == code]
        if not any(isinstance(x, str) and re.search(pat, x) for x in fixes):
            c.fail("finding %s: no fix matches /%s/; got %s" % (code, pat, fixes))


# --- main -----------------------------------------------------------------------

def show_run(case, shown, rc, elapsed, out, err, rss_kb):
    print("case:    %s%s" % (case["name"], "  (%s)" % case["doc"] if case.get("doc") else ""))
    print("command: %s" % shown)
    print("exit:    %s   time: %.2f s   peak memory: %.1f MB" % (rc, elapsed, rss_kb / 1024.0))
    print("--- stdout ---\n%s" % out.rstrip()[:20000])
    print("--- stderr ---\n%s" % err.rstrip()[:20000])
    print("--------------")


def run_one(case, args):
    if not os.access(args.binary, os.X_OK):
        print("FAIL %s: no mailcheck binary at %s (not built yet?)" % (case["name"], args.binary))
        return False
    why = netns_unavailable(case)
    if why:
        print("SKIP %s: %s" % (case["name"], why))
        return NETNS_SKIP
    if wrapper() and case.get("skip_under_wrapper"):
        print("skip %s under %s: %s" % (case["name"], wrapper()[0], case["skip_under_wrapper"]))
        return True
    # "runs": N runs the binary up to N times and keeps the first run that
    # fails (a race a server provokes need not be lost every time).
    for attempt in range(case.get("runs", 1)):
        tmp = tempfile.mkdtemp(prefix="mailcheck-e2e-")
        try:
            TMP[0] = tmp
            make_files(case, tmp)
            argv = command(case, args.binary, args.state_dir)
            shown = " ".join(shell_quote(a) for a in argv)
            rc, out, err, elapsed, raw_out, raw_err, rss_kb = run(case, argv, args.source_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        c = Checker()
        case = dict(case, _source_dir=args.source_dir, _sanitized=sanitized(argv))
        check_safety(c, case, rc, raw_out, raw_err, rss_kb)
        check_expect(c, case, rc, out, err, elapsed)
        if c.failures:
            if attempt:
                c.failures.append("(run %d of up to %d)" % (attempt + 1, case["runs"]))
            break
    ok = not c.failures
    bug = case.get("known_bug")
    if bug and not ok:
        if args.verbose:
            show_run(case, shown, rc, elapsed, out, err, rss_kb)
        print("XFAIL %s: known bug: %s" % (case["name"], bug))
        for f in c.failures:
            print("      %s" % f)
        return True
    if bug and case["_sanitized"]:
        # Slower under ASan or valgrind, a timing-bound bug may not show.
        print("XPASS %s (under a sanitizer: not conclusive): %s" % (case["name"], bug))
        return True
    if bug:
        c.fail("XPASS: the known bug no longer shows (%s): remove the case's "
               "\"known_bug\" marker" % bug)
        ok = False
    if not ok or args.verbose:
        show_run(case, shown, rc, elapsed, out, err, rss_kb)
    for f in c.failures:
        print("FAIL %s: %s" % (case["name"], f))
    if ok:
        print("ok   %s (%.2f s)" % (case["name"], elapsed))
    return ok


def shell_quote(s):
    if s and re.fullmatch(r"[A-Za-z0-9_./:=@%+,\[\]-]+", s):
        return s
    if re.search(r"[^\x20-\x7e]", s):  # control or raw octets: bash's $'...'
        raw = os.fsencode(s)
        if len(raw) > 300:
            return "$'%s'...(%d octets)" % (shell_quote_c(raw[:60]), len(raw))
        return "$'%s'" % shell_quote_c(raw)
    if len(s) > 300:
        return "'%s'...(%d characters)" % (s[:60].replace("'", "'\\''"), len(s))
    return "'" + s.replace("'", "'\\''") + "'"


def shell_quote_c(raw):
    return "".join(chr(b) if 0x20 <= b < 0x7f and b not in (0x27, 0x5c) else "\\x%02x" % b
                   for b in raw)


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
        failed = [n for n, case in cases.items() if run_one(case, args) is False]
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
    ok = run_one(case, args)
    return NETNS_SKIP if ok is NETNS_SKIP else 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
