#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The openspf.org SPF test suites against `mailcheck spf`.

    openspf.py --binary B --suite rfc7208 [--cases N] [--dir DIR] [-j N] [-v] [CASE...]

The suites (the RFC 7208 edition, release 2014.04, and the RFC 4408 one,
release 2009.10) are read at test time from DIR/SUITE-tests.yml.gz (or
.yml), DIR being /usr/share/doc/python3-spf, where Debian's python3-spf
ships them; they are not copied into this repository.  A missing file or
a missing PyYAML (python3-yaml) is a failure, not a skip:
contrib/install-deps.sh installs both.

Each YAML document of a suite is a scenario: `zonedata` and `tests`.  Every
scenario is served by its own small DNS responder (below) on a free port
of 127.0.0.1, UDP and TCP, and every test case runs

    mailcheck spf --server 127.0.0.1:PORT --format json
                  --ip HOST --sender MAILFROM --helo HELO

A case passes when the JSON `result` is its `result` (or one of them, when
the suite gives a list), when its `explanation`, where it has one, is the
JSON `explanation` ("DEFAULT", the suite's word for the receiver's own
text, means that exp= gave none, so JSON has no `explanation`), and when
the exit code is the one the man page gives for that result.  Every case
must pass; with --cases N the suite must have exactly N of them, so that a
changed suite is noticed (and the counts in the man page and README are
updated).  Every failing case is named, with what differed and the command
to rerun it.  CASE... runs only those cases (no count check).  The last
line, "SUITE (RELEASE, FILE): N/M cases pass; failing: CASE, CASE" (without
"; failing: ..." when all pass), is what contrib/check-cares-current.sh
reads to report each failing case: keep its form.

The zonedata format, as pyspf (whose test driver the suites were written
for) reads it; the suites' header comments describe only part of it:
  - a name (case-insensitive) maps to a list of entries, each `TYPE: VALUE`
    or the bare word TIMEOUT;
  - A and AAAA take an address, PTR and CNAME a name, MX `[PREF, NAME]`,
    TXT and SPF (type 99) a string or a list of strings: a list is one
    record of that many character-strings, `[]` a record with none;
  - the SPF entries of a name are served as TXT records too unless the
    name has a TXT entry of its own ("auto-magic duplication of SPF to TXT
    records (by test suite drivers)", say the suites); `TXT: NONE` is such
    an entry that serves nothing (and `SPF: NONE` serves nothing either);
  - TIMEOUT: a query at that name for a type with no record listed before
    the marker gets no answer at all; `TYPE: TIMEOUT` the same for TYPE;
  - strings are served as UTF-8, as the driver does ("\\xEF" in the YAML is
    U+00EF);
  - a name not listed is NXDOMAIN (NODATA when a listed name is below it),
    except that unlisted names starting "error." time out, as in the
    driver (these suites list none);
  - a CNAME is followed to its end (loops cut) in the answer section, as an
    authoritative server does for names of its own zone.
Replies are authoritative, echo the question as asked (letter case too),
carry no SOA in negative answers, answer EDNS with EDNS, and set TC over
UDP beyond 512 octets (or the query's EDNS size): TCP is served as well.
Test keys other than host, mailfrom, helo, result and explanation (spec,
description, comment, pyspf's `strict`) are not used.

Standard library only, except PyYAML to read the suites.  The responders
run in one thread of this process and end with it; nothing else is started
but mailcheck, under $MAILCHECK_TEST_WRAPPER when set (tests/run-all.sh
sets valgrind there).
"""

import argparse
import concurrent.futures
import gzip
import json
import os
import re
import selectors
import shlex
import socket
import struct
import subprocess
import sys
import threading

DEFAULT_DIR = "/usr/share/doc/python3-spf"
LOG_NAME = "openspf"

TYPES = {"A": 1, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SPF": 99}
T_CNAME, T_TXT, T_OPT = 5, 16, 41
QR, AA, TC, RD = 0x8000, 0x0400, 0x0200, 0x0100
OPCODE_MASK = 0x7800
NOERROR, FORMERR, NXDOMAIN, NOTIMP = 0, 1, 3, 4
TTL = 300
TIMEOUT = "TIMEOUT"  # no answer at all (the suites' marker)

# The exit code for each result (man/mailcheck.1, EXIT STATUS of spf): 3
# also for a temperror when no lookup was answered at all.
EXIT_CODES = {"pass": {0}, "softfail": {1}, "neutral": {1}, "none": {1},
              "fail": {2}, "permerror": {2}, "temperror": {2, 3}}


def log(msg):
    print(LOG_NAME + ": " + msg, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(1)


class SuiteError(Exception):
    """The suite holds something this driver cannot serve faithfully."""


# --- the zone of a scenario -------------------------------------------------------

def name_labels(name):
    """'a.B.test.' -> (b'a', b'B', b'test'), each label as served."""
    name = name.rstrip(".")
    if not name:
        return ()
    out = tuple(label.encode("utf-8") for label in name.split("."))
    for label in out:
        if not 0 < len(label) <= 63:
            raise SuiteError("name %r: a label of %d octets cannot be served" % (name, len(label)))
    return out


def key(labels):
    return tuple(label.lower() for label in labels)  # ASCII case only (RFC 4343)


def wire_name(labels):
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def txt_rdata(where, value):
    strings = [value] if isinstance(value, str) else value
    if not isinstance(strings, list):
        raise SuiteError("%s: TXT/SPF value %r" % (where, value))
    out = b""
    for s in strings:
        raw = str(s).encode("utf-8")
        if len(raw) > 255:
            raise SuiteError("%s: a string of %d octets cannot be one character-string"
                             % (where, len(raw)))
        out += bytes([len(raw)]) + raw
    return out


def rdata(where, rtype, value):
    """(rdata, CNAME target labels or None) of one entry."""
    try:
        if rtype == "A":
            return socket.inet_pton(socket.AF_INET, value), None
        if rtype == "AAAA":
            return socket.inet_pton(socket.AF_INET6, value), None
        if rtype in ("PTR", "CNAME"):
            target = name_labels(value)
            return wire_name(target), target if rtype == "CNAME" else None
        if rtype == "MX":
            pref, exchange = value
            return struct.pack("!H", int(pref)) + wire_name(name_labels(exchange)), None
        if rtype in ("TXT", "SPF"):
            return txt_rdata(where, value), None
    except (OSError, TypeError, ValueError) as e:
        raise SuiteError("%s: %s %r: %s" % (where, rtype, value, e))
    raise SuiteError("%s: record type %r is not one this driver serves" % (where, rtype))


def load_zone(zonedata):
    """{key: [TIMEOUT | (type, rdata or TIMEOUT, cname target)]} of a scenario."""
    zone = {}
    for name, entries in (zonedata or {}).items():
        labels = name_labels(str(name))
        if key(labels) in zone:
            raise SuiteError("name %r is listed twice" % name)
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        served, as_txt = [], []
        for e in entries:
            if e == TIMEOUT:
                served.append(TIMEOUT)
                continue
            if not isinstance(e, dict) or len(e) != 1:
                raise SuiteError("%s: entry %r is neither TYPE: VALUE nor TIMEOUT" % (name, e))
            ((rtype, value),) = e.items()
            if rtype not in TYPES:
                raise SuiteError("%s: record type %r is not one this driver serves"
                                 % (name, rtype))
            if value == TIMEOUT:
                served.append((TYPES[rtype], TIMEOUT, None))
                continue
            if rtype in ("TXT", "SPF") and value == "NONE":
                continue
            data, target = rdata(name, rtype, value)
            served.append((TYPES[rtype], data, target))
            if rtype == "SPF" and not has_txt:
                as_txt.append((T_TXT, data, None))
        zone[key(labels)] = served + as_txt  # after any TIMEOUT, as the driver has it
    return zone


def records_of(entries, qtype):
    """The rdata of QTYPE at a name, or None for no answer (TIMEOUT)."""
    out = []
    for e in entries:
        if e == TIMEOUT:
            return out or None
        rtype, data, _ = e
        if rtype == qtype:
            if data == TIMEOUT:
                return None
            out.append(data)
    return out


def resolve(zone, qlabels, qtype):
    """(rcode, [(owner labels, type, rdata)]) for a query, or None: no answer."""
    answers, owner, seen = [], qlabels, set()
    while True:
        k = key(owner)
        entries = zone.get(k)
        if entries is None:
            if not answers and k[:1] == (b"error",):
                return None
            below = any(len(z) > len(k) and z[len(z) - len(k):] == k for z in zone)
            return (NOERROR if below or not k else NXDOMAIN), answers
        cnames = [e for e in entries if e != TIMEOUT and e[0] == T_CNAME and e[1] != TIMEOUT]
        if cnames and qtype != T_CNAME:
            answers.append((owner, T_CNAME, cnames[0][1]))
            seen.add(k)
            owner = cnames[0][2]
            if key(owner) in seen or len(seen) > 16:
                return NOERROR, answers  # a loop: what an authoritative server sends
            continue
        data = records_of(entries, qtype)
        if data is None:
            return None
        return NOERROR, answers + [(owner, qtype, d) for d in data]


# --- the wire ---------------------------------------------------------------------

def parse_query(msg):
    """(id, flags, question octets, labels, qtype, EDNS payload or None);
    raises ValueError on what is not one plain query."""
    if len(msg) < 12:
        raise ValueError("short")
    qid, flags, qd, _, _, ar = struct.unpack("!6H", msg[:12])
    if flags & QR or qd != 1:
        raise ValueError("not one question")
    pos, labels = 12, []
    while True:
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n > 63:
            raise ValueError("compressed or bad label")
        labels.append(bytes(msg[pos + 1:pos + 1 + n]))
        pos += 1 + n
    qtype, _ = struct.unpack("!HH", msg[pos:pos + 4])
    question = bytes(msg[12:pos + 4])
    pos += 4
    payload = None
    if ar >= 1 and msg[pos:pos + 1] == b"\0" and len(msg) >= pos + 11:
        rtype, size = struct.unpack("!HH", msg[pos + 1:pos + 5])
        if rtype == T_OPT:
            payload = size
    return qid, flags, question, tuple(labels), qtype, payload


def build_reply(qid, flags, question, rcode, answers, payload, truncate_at=None):
    out_flags = QR | AA | (flags & (OPCODE_MASK | RD)) | rcode
    body = b"".join(wire_name(o) + struct.pack("!HHIH", t, 1, TTL, len(d)) + d
                    for o, t, d in answers)
    opt = b"\0" + struct.pack("!HHIH", T_OPT, 1232, 0, 0) if payload is not None else b""
    reply = struct.pack("!6H", qid, out_flags, 1, len(answers), 0, 1 if opt else 0) \
        + question + body + opt
    if truncate_at is not None and len(reply) > truncate_at:
        reply = struct.pack("!6H", qid, out_flags | TC, 1, 0, 0, 1 if opt else 0) + question + opt
    return reply


def reply_to(zone, msg, udp):
    """The reply octets for query MSG, or None: no reply."""
    try:
        qid, flags, question, labels, qtype, payload = parse_query(msg)
    except (ValueError, IndexError, struct.error):
        if len(msg) < 12:
            return None
        return struct.pack("!6H", msg[0] << 8 | msg[1], QR | FORMERR, 0, 0, 0, 0)
    if flags & OPCODE_MASK:
        return build_reply(qid, flags, question, NOTIMP, [], payload)
    found = resolve(zone, labels, qtype)
    if found is None:
        return None
    limit = (max(512, payload) if payload is not None else 512) if udp else None
    return build_reply(qid, flags, question, found[0], found[1], payload, limit)


class Responders:
    """One UDP and one TCP socket on a free port of 127.0.0.1 per zone, all
    served from one selector loop in a thread of their own."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.stopping = False
        self.thread = None
        self.sockets = []

    def add(self, zone):
        for _ in range(100):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(16)
            for s in (udp, tcp):
                s.setblocking(False)
                self.sockets.append(s)
            self.sel.register(udp, selectors.EVENT_READ, ("udp", zone))
            self.sel.register(tcp, selectors.EVENT_READ, ("listen", zone))
            return port
        die("no port of 127.0.0.1 free for both UDP and TCP")

    def start(self):
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        if self.thread:
            self.thread.join(5)
        for s in self.sockets:
            s.close()

    def loop(self):
        while not self.stopping:
            for sk, _ in self.sel.select(timeout=0.2):
                kind, zone = sk.data[0], sk.data[1]
                try:
                    self.ready(sk, kind, zone)
                except OSError:
                    if kind == "tcp":
                        self.drop(sk.fileobj)
                except Exception as e:  # a bug here must not silence every server
                    log("responder: %s: %r" % (kind, e))
                    if kind == "tcp":
                        self.drop(sk.fileobj)

    def ready(self, sk, kind, zone):
        if kind == "udp":
            msg, peer = sk.fileobj.recvfrom(65535)
            reply = reply_to(zone, msg, udp=True)
            if reply is not None:
                sk.fileobj.sendto(reply, peer)
        elif kind == "listen":
            conn, _ = sk.fileobj.accept()
            conn.settimeout(5)
            self.sockets.append(conn)
            self.sel.register(conn, selectors.EVENT_READ, ("tcp", zone, [b""]))
        else:
            self.tcp_readable(sk, zone)

    def tcp_readable(self, sk, zone):
        conn, buf = sk.fileobj, sk.data[2]
        chunk = conn.recv(65535)
        if not chunk:
            self.drop(conn)
            return
        buf[0] += chunk
        while len(buf[0]) >= 2:
            n = struct.unpack("!H", buf[0][:2])[0]
            if len(buf[0]) < 2 + n:
                break
            msg, buf[0] = buf[0][2:2 + n], buf[0][2 + n:]
            reply = reply_to(zone, msg, udp=False)
            if reply is not None:
                conn.sendall(struct.pack("!H", len(reply)) + reply)

    def drop(self, conn):
        try:
            self.sel.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()


# --- the suite ----------------------------------------------------------------------

def suite_path(directory, suite):
    for name in ("%s-tests.yml.gz" % suite, "%s-tests.yml" % suite):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    die("%s: no %s-tests.yml.gz (or .yml): the openspf suites come with Debian's "
        "python3-spf package (contrib/install-deps.sh installs it; `apt-get install "
        "python3-spf`); a dpkg path-exclude of /usr/share/doc drops them too "
        "(see /etc/dpkg/dpkg.cfg.d/)" % (directory, suite))


def load_suite(path):
    """(release, [(scenario description, zone, {case name: case})])."""
    try:
        import yaml
    except ImportError:
        die("PyYAML is missing: install python3-yaml (contrib/install-deps.sh does)")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    m = re.search(rb"\(release ([^)]*)\)", raw[:2000])
    release = m.group(1).decode("ascii", "replace") if m else "unknown release"
    scenarios, seen = [], set()
    for doc in yaml.safe_load_all(raw):
        if not doc:
            continue
        desc = str(doc.get("description", "?"))
        try:
            zone = load_zone(doc.get("zonedata"))
        except SuiteError as e:
            die("%s, scenario %r: %s" % (path, desc, e))
        tests = doc.get("tests") or {}
        for name in tests:
            if name in seen:
                die("%s: case %r is there twice" % (path, name))
            seen.add(name)
        scenarios.append((desc, zone, tests))
    return release, scenarios


def spf_argv(binary, port, case):
    return [binary, "spf", "--server", "127.0.0.1:%d" % port, "--format", "json",
            "--ip", str(case["host"]), "--sender", str(case["mailfrom"]),
            "--helo", str(case["helo"])]


def run_case(argv, case):
    """[] when the case passes, else what differed."""
    wrapper = shlex.split(os.environ.get("MAILCHECK_TEST_WRAPPER", ""))
    try:
        p = subprocess.run(wrapper + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=300)
    except subprocess.TimeoutExpired:
        return ["no exit within 300 s"]
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(out)
    except ValueError:
        return ["exit %d, not JSON: %r %r" % (p.returncode, out[:300], err[:300])]
    problems = []
    wants = case["result"] if isinstance(case["result"], list) else [case["result"]]
    got = doc.get("result")
    if got not in wants:
        problems.append("result %r, expected %s (why: %s)" % (
            got, " or ".join(repr(w) for w in wants), doc.get("why")))
    elif p.returncode not in EXIT_CODES.get(got, ()):
        problems.append("exit %d for %s (stderr: %r)" % (p.returncode, got, err[:300]))
    if "explanation" in case:
        want = case["explanation"]
        have = doc.get("explanation")
        if want == "DEFAULT" and have is not None:
            problems.append("explanation %r, expected none from exp= (DEFAULT)" % have)
        elif want != "DEFAULT" and have != want:
            problems.append("explanation %r, expected %r" % (have, want))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--suite", required=True, choices=("rfc7208", "rfc4408"))
    ap.add_argument("--dir", default=DEFAULT_DIR, help="where the suites are (%(default)s)")
    ap.add_argument("--cases", type=int, help="the number of cases the suite must have")
    ap.add_argument("-j", "--jobs", type=int, default=4, help="cases run at once (%(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="name passing cases too")
    ap.add_argument("only", nargs="*", metavar="CASE")
    args = ap.parse_args()

    if not os.access(args.binary, os.X_OK):
        die("%s is not an executable (build mailcheck first)" % args.binary)
    path = suite_path(args.dir, args.suite)
    release, scenarios = load_suite(path)
    total = sum(len(t) for _, _, t in scenarios)
    if args.only:
        known = {n for _, _, t in scenarios for n in t}
        for n in args.only:
            if n not in known:
                die("%s has no case %r" % (path, n))

    responders = Responders()
    jobs = []
    for desc, zone, tests in scenarios:
        port = responders.add(zone)
        for name, case in tests.items():
            if not args.only or name in args.only:
                jobs.append((name, desc, case, spf_argv(args.binary, port, case)))
    responders.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda j: run_case(j[3], j[2]), jobs))
    finally:
        responders.stop()

    failed = []
    for (name, desc, case, argv), problems in zip(jobs, results):
        if problems:
            failed.append(name)
            print("FAIL %s (%s; spec %s): %s\n     ran:   %s\n     rerun: %s" % (
                name, desc, case.get("spec", "?"), "; ".join(problems),
                " ".join(shlex.quote(a) for a in argv),
                " ".join(shlex.quote(a) for a in [
                    sys.executable, os.path.abspath(__file__), "--binary", args.binary,
                    "--suite", args.suite, "--dir", args.dir, "-v", name])))
        elif args.verbose:
            print("ok   %s" % name)
    ran = len(jobs)
    print("%s (%s, %s): %d/%d cases pass%s" % (
        args.suite, release, path, ran - len(failed), ran,
        "; failing: " + ", ".join(failed) if failed else ""))
    sys.stdout.flush()
    if args.cases is not None and not args.only and total != args.cases:
        log("error: the suite has %d cases, not %d: it changed; update --cases in "
            "tests/openspf/CMakeLists.txt and the counts in man/mailcheck.1 and README.md"
            % (total, args.cases))
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
