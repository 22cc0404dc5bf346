#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of --batch, --qps/--max-inflight and --postfix.

Each test is one function; CTest runs `batch_e2e.py BINARY SOURCE_DIR NAME`.
The host checks run offline on the e2e zones (tests/e2e/zones) or against
small responders this script starts on 127.0.0.1: a silent one (deadlines)
and a counting one that answers NXDOMAIN after a delay (politeness limits).
Hermetic: nothing but loopback.
"""
import collections
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BINARY, SOURCE = sys.argv[1], sys.argv[2]
ZONES = os.path.join(SOURCE, "tests", "e2e", "zones")
OFFLINE = ["--offline"] + [a for z in sorted(os.listdir(ZONES)) if z.endswith(".zone")
                           for a in ("--zone", os.path.join(ZONES, z))]


def run(args, stdin=b"", timeout=60):
    p = subprocess.run([BINARY] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def docs(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def strip_volatile(d):
    d = dict(d)
    for k in ("duration_ms", "queries"):
        d.pop(k, None)
    return d


HOSTS = (b"mail.e2e.test\n# a comment\n\n  \nv6fail.e2e.test\nbad..name\n"
         b"mismatch.e2e.test e2e.test\nnoptr.e2e.test\n")


def test_order_and_bad_lines():
    rc, out, err = run(OFFLINE + ["--batch", "-", "--format", "jsonl"], HOSTS)
    ds = docs(out)
    check([d["line"] for d in ds] == [1, 5, 6, 7, 8], "lines %r" % [d["line"] for d in ds])
    check([d["status"] for d in ds] == ["ok", "critical", "unknown", "warning", "critical"],
          "statuses %r" % [d["status"] for d in ds])
    check(ds[2]["findings"][0]["code"] == "bad-input" and ds[2]["input"] == "bad..name",
          "bad line: %r" % ds[2])
    check(ds[3]["input"] == "mismatch.e2e.test e2e.test", "input echoed")
    check(rc == 2, "exit %d, expected the worst (critical, 2)" % rc)


def test_concurrency_one_same_verdicts():
    big = HOSTS * 40
    _, many, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl", "--concurrency", "64"], big)
    _, one, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl", "--concurrency", "1"], big)
    a = [strip_volatile(d) for d in docs(many)]
    b = [strip_volatile(d) for d in docs(one)]
    check(len(a) == 5 * 40 and a == b, "concurrency 64 and 1 differ (%d, %d docs)" % (len(a), len(b)))


def test_unordered_same_results():
    big = HOSTS * 20
    _, ordered, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl"], big)
    _, unordered, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl", "--unordered"], big)
    key = lambda d: (d["line"], d["status"])
    check(sorted(map(key, docs(ordered))) == sorted(map(key, docs(unordered))),
          "unordered results differ")


def test_empty_input():
    for data in (b"", b"# only a comment\n\n"):
        rc, out, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl"], data)
        check(rc == 0 and out == "", "empty input: exit %d, output %r" % (rc, out))


def test_spf_batch():
    lines = (b"192.0.2.10 postmaster@e2e.test mail.e2e.test\n"
             b"2001:db8::10 <> mail.e2e.test\n"
             b"192.0.2.10 <>\n"
             b"not-an-ip e2e.test\n"
             b"198.18.0.1 e2e.test\n")
    rc, out, _ = run(OFFLINE + ["spf", "--batch", "-", "--format", "jsonl"], lines)
    ds = docs(out)
    check([d["line"] for d in ds] == [1, 2, 3, 4, 5], "lines %r" % [d.get("line") for d in ds])
    check(ds[0]["result"] == "pass" and ds[0]["sender"] == "postmaster@e2e.test", "line 1 %r" % ds[0])
    check(ds[1]["sender"] == "postmaster@mail.e2e.test", "null sender is postmaster@HELO")
    check(ds[2]["status"] == "unknown" and ds[3]["status"] == "unknown", "bad lines are unknown")
    check(ds[4]["result"] == "fail", "line 5 %r" % ds[4].get("result"))
    check(rc == 2, "exit %d" % rc)


def test_output_file():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.jsonl")
        rc, out, _ = run(OFFLINE + ["--batch", "-", "--format", "jsonl", "--output", path], HOSTS)
        check(out == "", "stdout not empty with --output")
        with open(path) as f:
            check(len(docs(f.read())) == 5, "file holds 5 results")
        check(os.listdir(d) == ["out.jsonl"], "temporary file left: %r" % os.listdir(d))


def test_usage_errors():
    for args in (["--batch", "-", "mail.e2e.test"], ["--batch", "-", "--format", "nagios"],
                 ["--batch", "/nonexistent/file"], ["--batch", "/"],
                 ["--batch", "-", "--address", "192.0.2.1"], ["--batch", "-", "--concurrency", "0"]):
        rc, _, err = run(OFFLINE + args, b"mail.e2e.test\n")
        check(rc == 3 and err, "%r: exit %d, stderr %r" % (args, rc, err))


def qname_wire(query):
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    return query[12:end + 1]


class Responder:
    """UDP DNS responder on 127.0.0.1: silent, or NXDOMAIN after DELAY s.
    Records arrival times and the most queries outstanding at once.  One
    thread receives, one sends the replies as they fall due (a thread per
    reply would not keep up with thousands outstanding)."""

    def __init__(self, delay=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        self.arrivals = []
        self.queries = []  # [arrival, id, source port, qname wire, answered or None]
        self.outstanding = 0
        self.max_outstanding = 0
        self.due = collections.deque()  # (time, query, addr), in arrival order
        self.cond = threading.Condition()
        self.stop = False
        threading.Thread(target=self.serve, daemon=True).start()
        threading.Thread(target=self.reply_when_due, daemon=True).start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                data, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            with self.cond:
                now = time.monotonic()
                self.arrivals.append(now)
                record = [now, struct.unpack(">H", data[:2])[0], addr[1], qname_wire(data), None]
                self.queries.append(record)
                if self.delay is None:
                    continue
                self.outstanding += 1
                self.max_outstanding = max(self.max_outstanding, self.outstanding)
                self.due.append((now + self.delay, data, addr, record))
                self.cond.notify()

    def reply_when_due(self):
        while not self.stop:
            with self.cond:
                if not self.due:
                    self.cond.wait(0.2)
                    continue
                when, query, addr, record = self.due[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                self.due.popleft()
                self.outstanding -= 1
            self.answer(query, addr)
            record[4] = time.monotonic()

    def answer(self, query, addr):
        # Header: same id, QR+RD+RA, NXDOMAIN; the question echoed.
        qid, flags = struct.unpack(">HH", query[:4])
        end = 12
        while query[end] != 0:
            end += query[end] + 1
        question = query[12:end + 5]
        reply = struct.pack(">HHHHHH", qid, 0x8183 | (flags & 0x0100), 1, 0, 0, 0) + question
        self.sock.sendto(reply, addr)

    def close(self):
        self.stop = True


def test_deadline_per_line():
    r = Responder(delay=None)
    try:
        start = time.monotonic()
        rc, out, _ = run(["--server", "127.0.0.1:%d" % r.port, "--batch", "-", "--format",
                          "jsonl", "-t", "1", "--concurrency", "4"],
                         b"a.e2e.test\nb.e2e.test\nc.e2e.test\n")
        took = time.monotonic() - start
        ds = docs(out)
        check(len(ds) == 3 and all(d["status"] == "unknown" for d in ds), "statuses %r" % ds)
        check(all(any(f["code"] == "timeout" for f in d["findings"]) for d in ds),
              "every line names the deadline")
        check(rc == 3, "exit %d" % rc)
        check(took < 1 + 1.5, "took %.2f s with -t 1 (a generous margin)" % took)
    finally:
        r.close()


def run_hosts(responder, n, args):
    """Checks hosts h0..h(N-1).e2e.test (no SPF) against RESPONDER as a
    jsonl batch; returns the parsed lines."""
    hosts = b"".join(b"h%d.e2e.test\n" % i for i in range(n))
    _, out, _ = run(["--server", "127.0.0.1:%d" % responder.port, "--no-spf", "--batch", "-",
                     "--format", "jsonl"] + args, hosts)
    return docs(out)


def test_max_inflight():
    r = Responder(delay=0.2)
    try:
        ds = run_hosts(r, 30, ["--max-inflight", "3", "--concurrency", "30"])
        check(len(ds) == 30, "30 results")
        check(r.max_outstanding <= 3, "%d queries outstanding at once, limit 3" % r.max_outstanding)
        check(len(r.arrivals) >= 60, "queries sent: %d" % len(r.arrivals))
    finally:
        r.close()


def file_and_pipe(args, name, data, label):
    """Runs mailcheck ARGS (ending in --batch) on DATA as a file and through
    a pipe, with a cache of 8 answers (MAILCHECK_BATCH_CACHE), against one
    Responder: each way's results (without volatile keys) and (queries,
    distinct names) of those sent for the label LABEL (wire form)."""
    env = dict(os.environ, MAILCHECK_BATCH_CACHE="8")
    results, asked = {}, {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        r = Responder(delay=0.0)  # one server: the results name it
        try:
            for how in ("file", "pipe"):
                first = len(r.queries)
                p = subprocess.run([BINARY, "--server", "127.0.0.1:%d" % r.port] + args +
                                   [path if how == "file" else "-", "--format", "jsonl",
                                    "--concurrency", "1"],
                                   input=b"" if how == "file" else data, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env, timeout=60)
                results[how] = [strip_volatile(x) for x in docs(p.stdout.decode())]
                sent = [q[3] for q in r.queries[first:] if label in q[3].lower()]
                asked[how] = (len(sent), len(set(q.lower() for q in sent)))
        finally:
            r.close()
    return results, asked


def check_kept_ahead(results, asked, lines):
    """The file and the pipe give the same LINES results; the file asks
    each name once, the pipe more often."""
    check(len(results["file"]) == lines and results["file"] == results["pipe"],
          "file and pipe give other results (%d, %d lines)"
          % (len(results["file"]), len(results["pipe"])))
    queries, names = asked["file"]
    check(names > 0 and queries == names,
          "file: %d queries for %d names of shared.e2e.test" % (queries, names))
    check(asked["pipe"][0] > queries,
          "pipe: %d queries of shared.e2e.test, file %d: the test cannot tell the two apart"
          % (asked["pipe"][0], queries))


def test_file_keeps_domains_ahead():
    """A --batch FILE is counted ahead: the answers of a sender domain that
    a later line names outlive a cache too small for everything between
    (MAILCHECK_BATCH_CACHE=8), and are asked once.  The same lines through
    a pipe, which cannot be counted ahead, ask them again: the figure the
    file saves.  Both give the same results.  The cache is trimmed every
    256 lines (batch.c, TRIM_EVERY): 300 lines come between."""
    lines = [b"h0.e2e.test shared.e2e.test\n"]
    lines += [b"f%d.e2e.test f%d.e2e.test\n" % (i, i) for i in range(300)]
    lines += [b"\n# a comment, a bad line\nbad..name\n", b"h1.e2e.test SHARED.e2e.test.\n"]
    results, asked = file_and_pipe(["--batch"], "hosts.txt", b"".join(lines), b"\x06shared")
    check_kept_ahead(results, asked, 303)


def test_spf_file_keeps_domains_ahead():
    """mailcheck spf --batch FILE is counted ahead too, by the domain of
    each line's identity (the sender's, or HELO's for <>): the answers of
    a domain a later line asks outlive a cache too small for the 300 lines
    between, and are asked once; the same lines through a pipe ask them
    again.  Both give the same results."""
    lines = [b"192.0.2.1 postmaster@shared.e2e.test h.e2e.test\n"]
    lines += [b"192.0.2.1 f%d.e2e.test\n" % i for i in range(300)]
    lines += [b"\n# a comment, a bad line\nnot-an-ip x.e2e.test\n",
              b"192.0.2.2 <> SHARED.e2e.test.\n", b"192.0.2.3 user@Shared.E2E.test\n"]
    results, asked = file_and_pipe(["spf", "--batch"], "checks.txt", b"".join(lines),
                                   b"\x06shared")
    check_kept_ahead(results, asked, 304)


def test_batch_cache_env_is_checked():
    for bad in ("0", "-5", "many", "12x"):
        p = subprocess.run([BINARY] + OFFLINE + ["--batch", "-", "--format", "jsonl"],
                           input=b"mail.e2e.test\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=dict(os.environ, MAILCHECK_BATCH_CACHE=bad),
                           timeout=60)
        check(p.returncode == 3 and "MAILCHECK_BATCH_CACHE" in p.stderr.decode(),
              "MAILCHECK_BATCH_CACHE=%s: exit %d, %r" % (bad, p.returncode, p.stderr.decode()))


def default_inflight_limit():
    """What mailcheck's resolver sets by default (src/resolver.c): the UDP
    receive buffer it gets for 4 MiB asked (SO_RCVBUFFORCE where allowed),
    at 1 KiB a reply, between 16 and 2000."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        try:
            s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)  # SO_RCVBUFFORCE
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        return min(2000, max(16, s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 1024))
    finally:
        s.close()


def test_default_inflight():
    """Without --max-inflight, as many queries go out at once as the socket
    buffer holds replies (more than the old fixed 200, at most 2000), and
    the burst of replies that comes back is not lost."""
    r = Responder(delay=1.0)
    try:
        n = 1250  # 2,500 queries: A and AAAA of each
        ds = run_hosts(r, n, ["--concurrency", str(n), "--tries", "1", "--lookup-timeout", "8",
                              "-t", "30"])
        limit = default_inflight_limit()
        check(len(ds) == n, "%d results of %d" % (len(ds), n))
        lost = [d["line"] for d in ds
                if any(f["code"] in ("lookup-failed", "timeout", "resolver-unusable")
                       for f in d["findings"])]
        check(not lost, "%d lines lost a reply (first: %r)" % (len(lost), lost[:5]))
        check(200 < r.max_outstanding <= limit,
              "%d queries outstanding at once; expected above 200, at most %d"
              % (r.max_outstanding, limit))
        check(len(r.arrivals) == 2 * n, "queries sent: %d" % len(r.arrivals))
    finally:
        r.close()


def test_query_ids():
    """Every query carries a random ID (RFC 5452 §4.3): never 0, never
    sequential, unique among the queries in flight; 800 queries of a batch
    all outstanding together for 0.3 s.  Before mailcheck drew IDs, every
    query went out with ID 0."""
    r = Responder(delay=0.3)
    try:
        n = 400
        ds = run_hosts(r, n, ["--concurrency", str(n), "--max-inflight", str(2 * n)])
        check(len(ds) == n, "%d results of %d" % (len(ds), n))
        qs = r.queries
        check(len(qs) == 2 * n, "queries sent: %d" % len(qs))
        ids = [q[1] for q in qs]
        check(0 not in ids, "%d queries with ID 0" % ids.count(0))
        # In flight together: from arrival until the reply was sent.
        clashes = 0
        by_id = collections.defaultdict(list)
        for q in qs:
            by_id[q[1]].append(q)
        for same in by_id.values():
            for a in same:
                for b in same:
                    if a is not b and a[0] <= b[0] <= (a[4] or float("inf")):
                        clashes += 1
        check(clashes == 0, "%d pairs of queries in flight together with one ID" % clashes)
        ordered = [q[1] for q in sorted(qs, key=lambda q: q[0])]
        steps = [(b - a) & 0xFFFF for a, b in zip(ordered, ordered[1:])]
        small = sum(1 for d in steps if d <= 16 or d >= 0xFFFF - 16)
        check(small <= 5, "%d of %d successive IDs within 16 of each other (a counter?)"
              % (small, len(steps)))
        # 800 random 16-bit values: about 795 distinct, and both halves of
        # the ID space used about equally.
        check(len(set(ids)) >= 780, "only %d distinct IDs of %d" % (len(set(ids)), len(ids)))
        high = sum(1 for i in ids if i & 0x8000)
        check(300 <= high <= 500, "%d of %d IDs have the top bit set" % (high, len(ids)))
        print("distinct IDs %d of %d; source ports %d" % (len(set(ids)), len(ids),
                                                          len({q[2] for q in qs})))
    finally:
        r.close()


def test_dns0x20_case():
    """--dns0x20: the letters of every query name in random case (so about
    half of them upper case), and the replies that echo it are accepted."""
    r = Responder(delay=0.0)
    try:
        ds = run_hosts(r, 50, ["--dns0x20"])
        check(len(ds) == 50, "%d results" % len(ds))
        check(all(any(f["code"] == "host-nxdomain" for f in d["findings"]) for d in ds),
              "every echoed NXDOMAIN accepted: %r" % [d["findings"] for d in ds[:2]])
        letters = b"".join(q[3] for q in r.queries)
        upper = sum(1 for c in letters if 65 <= c <= 90)
        lower = sum(1 for c in letters if 97 <= c <= 122)
        check(upper > 0.3 * (upper + lower) and lower > 0.3 * (upper + lower),
              "%d upper-case and %d lower-case letters in the query names" % (upper, lower))
        plain = Responder(delay=0.0)
        try:
            run_hosts(plain, 5, [])
            check(not any(65 <= c <= 90 for q in plain.queries for c in q[3]),
                  "without --dns0x20 names go out in lower case")
        finally:
            plain.close()
    finally:
        r.close()


def test_qps():
    r = Responder(delay=0.0)
    try:
        ds = run_hosts(r, 30, ["--qps", "40", "--concurrency", "30"])
        check(len(ds) == 30, "30 results")
        t = sorted(r.arrivals)
        # Any one-second window: at most 40 queries plus the burst of 2.
        worst = max(sum(1 for x in t if a <= x < a + 1.0) for a in t)
        check(worst <= 42, "%d queries within one second, limit 40" % worst)
        check(len(t) == 60, "queries sent: %d (A and AAAA of 30 hosts)" % len(t))
    finally:
        r.close()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_qps_backpressure():
    """--qps slower than the input: checks start only as the queue drains,
    so none spends its -t deadline waiting in mailcheck's own queue."""
    r = Responder(delay=0.0)
    try:
        n = 80  # 160 queries at 40 a second: 4 s, twice the deadline
        start = time.monotonic()
        ds = run_hosts(r, n, ["--qps", "40", "-t", "2"])
        took = time.monotonic() - start
        check(len(ds) == n, "%d results of %d" % (len(ds), n))
        cut = [d["line"] for d in ds if any(f["code"] == "timeout" for f in d["findings"])]
        check(not cut, "%d checks hit their deadline waiting for --qps (lines %r...)"
              % (len(cut), cut[:5]))
        check(all(any(f["code"] == "host-nxdomain" for f in d["findings"]) for d in ds),
              "every host answered NXDOMAIN")
        check(took >= 2 * n / 40 - 1, "took %.1f s: --qps 40 was not kept" % took)
    finally:
        r.close()


def test_postfix():
    with tempfile.TemporaryDirectory() as d:
        # Parsed without postconf: a file not named main.cf is read directly.
        cf = os.path.join(d, "test.cf")
        # (smtp_tls_security_level: without it, postfix-tls-off is critical.)
        write(cf, "myhostname = mail.e2e.test\nsmtp_helo_name = $myhostname\n"
                  "inet_protocols = ipv4\nsmtp_tls_security_level = may\n")
        rc, out, err = run(OFFLINE + ["--postfix=" + cf, "--format", "json"])
        doc = json.loads(out)
        check(doc["host"] == "mail.e2e.test", "host from smtp_helo_name: %r" % doc["host"])
        check(doc["families"]["ipv4"]["required"] and not doc["families"]["ipv6"]["required"],
              "inet_protocols = ipv4 requires IPv4 only")
        check(rc == 0, "exit %d: %s" % (rc, err))
        # An explicit HOST wins; IPv6 only required.
        write(cf, "myhostname = mail.e2e.test\ninet_protocols = ipv6\n"
                  "smtp_tls_security_level = may\n")
        rc, out, _ = run(OFFLINE + ["--postfix=" + cf, "--format", "json", "v6fail.e2e.test"])
        doc = json.loads(out)
        check(doc["host"] == "v6fail.e2e.test" and doc["families"]["ipv6"]["required"], "HOST wins")
        # smtp_bind_address: the only IPv4 sender; not one of HOST's.
        write(cf, "smtp_helo_name = mail.e2e.test\nsmtp_bind_address = 192.0.2.12\n"
                  "smtp_tls_security_level = may\n")
        rc, out, _ = run(OFFLINE + ["--postfix=" + cf, "--format", "json"])
        doc = json.loads(out)
        v4 = [a["address"] for a in doc["families"]["ipv4"]["addresses"]]
        check(v4 == ["192.0.2.12"], "only the bind address is checked: %r" % v4)
        check(any(f["code"] == "address-not-of-host" for f in doc["findings"]),
              "the bind address is flagged")
        check(len(doc["families"]["ipv6"]["addresses"]) == 1, "IPv6 unaffected")
        # Errors: exit 3 with the cause named.
        write(cf, "inet_protocols = ipv5\n")
        for arg, what in (("--postfix=" + cf, "ipv5"), ("--postfix=" + d, "main.cf"),
                          ("--postfix=/nonexistent", "/nonexistent")):
            rc, out, err = run(OFFLINE + [arg, "--format", "json", "mail.e2e.test"])
            check(rc == 3 and what in err and json.loads(out)["status"] == "unknown",
                  "%s: exit %d, stderr %r" % (arg, rc, err))
        os.mkdir(os.path.join(d, "main.cf"))
        rc, _, err = run(OFFLINE + ["--postfix=" + d, "mail.e2e.test"])
        check(rc == 3 and "main.cf" in err, "main.cf is a directory: exit %d %r" % (rc, err))


def test_postfix_postconf():
    """With Debian's postfix installed, postconf(1) is asked (and knows the
    defaults): the same verdict as the parser on the same file."""
    postconf = next((p for p in ("/usr/sbin/postconf", "/sbin/postconf") if os.access(p, os.X_OK)),
                    None)
    if not postconf:
        print("SKIP: postconf is not installed")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as d:
        main_cf = os.path.join(d, "main.cf")
        write(main_cf, "myhostname = mail.e2e.test\n"
              "smtp_helo_name = ${myhostname}\ninet_protocols = ipv4, ipv6\n"
              "smtp_tls_security_level = may\n")
        # postconf reads a main.cf younger than 2 s again until it is older
        # (tests/e2e/run_case.py, MAIN_CF_AGE): dated back, it is read at once.
        t = time.time() - 10
        os.utime(main_cf, (t, t))
        rc, out, err = run(OFFLINE + ["--postfix=" + d, "--format", "json"])
        doc = json.loads(out)
        check(doc["host"] == "mail.e2e.test" and rc == 0, "postconf: %r %s" % (doc["host"], err))


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith("test_")}

if __name__ == "__main__":
    name = sys.argv[3]
    try:
        TESTS[name]()
    except AssertionError as e:
        print("FAIL %s: %s" % (name, e))
        sys.exit(1)
    print("ok %s" % name)
