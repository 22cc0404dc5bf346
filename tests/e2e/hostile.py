#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A scripted, misbehaving DNS server for the end-to-end tests.

    hostile.py --port PORT [--udp-only]

Serves 127.0.0.1 PORT over UDP and (unless --udp-only) TCP, from one
single-threaded event loop: a delayed answer is a timer, so one slow name
never stalls the others (ldns-testns' `ADJUST sleep=` stalls everything).
`--udp-only` leaves the TCP port closed: a client falling back to TCP after
a TC answer gets "connection refused".

It answers what ldns-testns cannot: per-name behaviours (SCENARIOS below),
each keyed by the query name, for the hostile-server cases of cases.json
and names full of bytes that must never reach a terminal
or a Nagios status line raw.  Every other name of h.e2e.test and
203.0.113.0/24 is served from RECORDS like a plain authoritative server
(NODATA / NXDOMAIN with the SOA), so a case's normal lookups (HOST's
addresses, the sender domain's SPF) are answered and exactly one lookup
misbehaves.  `fixture-probe.test TXT` answers the fixture's readiness check.

Names: under h.e2e.test; addresses: 203.0.113.0/24 and 2001:db8:113::/48
(documentation ranges).  Standard library only.
"""

import argparse
import heapq
import selectors
import signal
import socket
import struct
import sys
import time

# --- wire helpers ----------------------------------------------------------------

T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_OPT = 1, 2, 5, 6, 12, 15, 16, 28, 41
QR, AA, TC, RD, RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, YXDOMAIN = 0, 1, 2, 3, 4, 5, 6


def labels(name):
    """'a.b.test' -> (b'a', b'b', b'test'); bytes labels pass through."""
    if isinstance(name, tuple):
        return name
    name = name.rstrip(".")
    return tuple(l.encode("latin-1") for l in name.split(".")) if name else ()


def key(name):
    return tuple(l.lower() for l in labels(name))


def wire_name(name):
    out = b""
    for label in labels(name):
        out += bytes([len(label)]) + label
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=300):
    """One resource record: owner, type, class IN, TTL, RDATA (bytes)."""
    return wire_name(owner) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def txt_rdata(text):
    """TEXT (bytes) as character-strings of at most 255 octets each."""
    out = b""
    for i in range(0, max(len(text), 1), 255):
        chunk = text[i:i + 255]
        out += bytes([len(chunk)]) + chunk
    return out


def a_rdata(addr):
    return socket.inet_pton(socket.AF_INET, addr)


def aaaa_rdata(addr):
    return socket.inet_pton(socket.AF_INET6, addr)


SOA_OWNER = "h.e2e.test"
SOA = rr(SOA_OWNER, T_SOA, wire_name("ns.e2e.test") + wire_name("hostmaster.e2e.test") +
         struct.pack("!IIIII", 1, 3600, 600, 86400, 300))


class Query:
    def __init__(self, data):
        if len(data) < 12:
            raise ValueError("short")
        self.id, self.flags, qd, _, _, ar = struct.unpack("!HHHHHH", data[:12])
        if qd != 1 or self.flags & QR:
            raise ValueError("not one question")
        pos, labs = 12, []
        while True:
            n = data[pos]
            if n == 0:
                pos += 1
                break
            if n & 0xC0:
                raise ValueError("compressed question")
            labs.append(data[pos + 1:pos + 1 + n])
            pos += 1 + n
        self.labels = tuple(labs)
        self.qtype, self.qclass = struct.unpack("!HH", data[pos:pos + 4])
        self.question = data[12:pos + 4]
        # EDNS (RFC 6891): the OPT record, if any, is the first additional
        # record of our clients' queries (ldns builds them so).
        rest = data[pos + 4:]
        self.had_opt = bool(ar) and len(rest) >= 11 and rest[0] == 0 and \
            struct.unpack("!H", rest[1:3])[0] == T_OPT
        self.edns = max(512, struct.unpack("!H", rest[3:5])[0]) if self.had_opt else 512

    @property
    def key(self):
        return tuple(l.lower() for l in self.labels)

    @property
    def name(self):
        return ".".join(l.decode("latin-1") for l in self.labels)


OPT_RR = b"\0" + struct.pack("!HHIH", T_OPT, 1232, 0, 0)


def message(q, rcode=NOERROR, answer=(), authority=(), additional=(), flags=AA,
            qid=None, question=None, opt=True):
    """A reply to query Q: its id (or QID), its question (or QUESTION, wire
    bytes), the sections (lists of encoded records), an OPT record when Q
    had one and OPT."""
    extra = list(additional) + ([OPT_RR] if opt and q.had_opt else [])
    hdr = struct.pack("!HHHHHH", q.id if qid is None else qid,
                      QR | (q.flags & RD) | flags | (rcode & 0xF), 1,
                      len(answer), len(authority), len(extra))
    return hdr + (question or q.question) + b"".join(answer) + b"".join(authority) + \
        b"".join(extra)


def truncated_reply(q):
    """What an honest server sends over UDP when the answer does not fit."""
    return message(q, flags=AA | TC)


# --- actions ----------------------------------------------------------------------
# A behaviour returns a list of actions for one query:
#   ("send", delay_s, bytes)    a reply (over TCP with its length prefix)
#   ("raw", delay_s, bytes)     TCP: BYTES as they are, no length prefix added
#   ("close", delay_s)          TCP: close the connection
#   ("reset", delay_s)          TCP: reset the connection (RST, SO_LINGER 0)
#   ("drip", interval_s, bytes) TCP: BYTES as they are, one octet an interval
# An empty list is silence.

def send(data, delay=0.0):
    return [("send", delay, data)]


# --- the plain zone ---------------------------------------------------------------

RECORDS = {}  # key(name) -> {type: [rdata, ...]}


def add(name, rtype, rdata):
    RECORDS.setdefault(key(name), {}).setdefault(rtype, []).append(rdata)


def rev4(n):
    return "%d.113.0.203.in-addr.arpa" % n


def rev6(addr):
    packed = socket.inet_pton(socket.AF_INET6, addr).hex()
    return ".".join(reversed(packed)) + ".ip6.arpa"


SCENARIOS = {}  # key(name) -> behaviour(q, transport) -> actions


def scenario(name):
    def register(fn):
        SCENARIOS[key(name)] = fn
        return fn
    return register


def zone_answer(q):
    """The plain authoritative answer from RECORDS, CNAMEs chased inside
    RECORDS (at most 16): (answer records, rcode, whether data was found)."""
    answer, cur, seen = [], q.key, set()
    for _ in range(16):
        node = RECORDS.get(cur)
        if node is None:
            return answer, NXDOMAIN, False
        if q.qtype in node:
            return answer + [rr(cur, q.qtype, d) for d in node[q.qtype]], NOERROR, True
        if T_CNAME in node and q.qtype != T_CNAME and cur not in seen:
            seen.add(cur)
            target = node[T_CNAME][0]
            answer.append(rr(cur, T_CNAME, target))
            cur = key(decode_name(target))
            continue
        break
    return answer, NOERROR, False


def decode_name(wire):
    labs, pos = [], 0
    while wire[pos]:
        labs.append(wire[pos + 1:pos + 1 + wire[pos]])
        pos += 1 + wire[pos]
    return tuple(labs)


def plain(q, transport):
    answer, rcode, found = zone_answer(q)
    return reply_sized(q, transport,
                       message(q, rcode, answer, [] if found else [SOA]))


def reply_sized(q, transport, data):
    """DATA, or a TC answer when it does not fit the query's UDP size."""
    if transport == "udp" and len(data) > q.edns:
        return send(truncated_reply(q))
    return send(data)


# --- data: the normal part ----------------------------------------------------------

add("fixture-probe.test", T_TXT, txt_rdata(b"ready"))
add(SOA_OWNER, T_NS, wire_name("ns.e2e.test"))
# The sender domain (HOST's registrable domain): authorizes every test
# address, so the SPF half of a host check passes and stays out of the way.
add("e2e.test", T_TXT, txt_rdata(b"v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"))
# ... and has an MX, so that its sender-domain report stays out of the way too.
add("e2e.test", T_MX, struct.pack("!H", 10) + wire_name("mx.h.e2e.test"))
add("mx.h.e2e.test", T_A, a_rdata("203.0.113.254"))
add("_dmarc.e2e.test", T_TXT, txt_rdata(b"v=DMARC1; p=none"))


def host(label, n, ptr=True):
    """LABEL.h.e2e.test A 203.0.113.N; the PTR names it back when PTR."""
    name = "%s.h.e2e.test" % label
    add(name, T_A, a_rdata("203.0.113.%d" % n))
    if ptr:
        add(rev4(n), T_PTR, wire_name(name))
    return name


def ptr_answer(q, target):
    return rr(q.labels, T_PTR, wire_name(target))


# --- FCrDNS scenarios: HOST resolves, the PTR lookup of its address misbehaves -------

def fcrdns(label, n):
    """Registers LABEL.h.e2e.test -> 203.0.113.N and the decorated function
    as the behaviour of the PTR lookup of 203.0.113.N."""
    name = host(label, n, ptr=False)

    def register(fn):
        SCENARIOS[key(rev4(n))] = lambda q, t: fn(q, t, name)
        return fn
    return register


@fcrdns("trunc", 1)
def _(q, t, name):
    # The reply stops in the middle of its answer; no TC bit.
    full = message(q, answer=[ptr_answer(q, name)], opt=False)
    return send(full[:-7])


@fcrdns("short", 2)
def _(q, t, name):
    # Six octets: not even a header.
    return send(message(q, answer=[ptr_answer(q, name)])[:6])


@fcrdns("tcrefused", 3)
def _(q, t, name):
    # TC over UDP; run as `--udp-only`, TCP is refused.
    if t == "udp":
        return send(truncated_reply(q))
    return send(message(q, answer=[ptr_answer(q, name)]))


@fcrdns("tcok", 4)
def _(q, t, name):
    # TC over UDP, the real answer over TCP: a pass.
    if t == "udp":
        return send(truncated_reply(q))
    return send(message(q, answer=[ptr_answer(q, name)]))


@fcrdns("wrongid", 5)
def _(q, t, name):
    return send(message(q, answer=[ptr_answer(q, name)], qid=q.id ^ 0x5A5A))


@fcrdns("wrongq", 6)
def _(q, t, name):
    # The right id, the answer to another question.
    other = (b"99",) + q.labels[1:]
    question = wire_name(other) + struct.pack("!HH", T_PTR, 1)
    return send(message(q, answer=[rr(other, T_PTR, wire_name(name))], question=question))


@fcrdns("wrongqtype", 7)
def _(q, t, name):
    question = wire_name(q.labels) + struct.pack("!HH", T_A, 1)
    return send(message(q, answer=[ptr_answer(q, name)], question=question))


@fcrdns("ptrloop", 8)
def _(q, t, name):
    # The PTR's RDATA is a compression pointer to itself.
    hdr_q = message(q, answer=[])[:12 + len(q.question)]
    owner_ptr = struct.pack("!H", 0xC000 | 12)
    rdata_off = len(hdr_q) + len(owner_ptr) + 10
    record = owner_ptr + struct.pack("!HHIH", T_PTR, 1, 300, 2) + \
        struct.pack("!H", 0xC000 | rdata_off)
    data = bytearray(hdr_q + record)
    struct.pack_into("!HHH", data, 6, 1, 0, 0)  # ancount 1, no OPT
    return send(bytes(data))


@fcrdns("qloop", 9)
def _(q, t, name):
    # The question's name is a compression pointer to itself.
    question = struct.pack("!H", 0xC000 | 12) + struct.pack("!HH", T_PTR, 1)
    return send(message(q, question=question, opt=False))


@fcrdns("wrongtype", 10)
def _(q, t, name):
    # A, TXT and a stray PTR owned by another name, but no PTR at the name asked.
    answer = [rr(q.labels, T_A, a_rdata("203.0.113.10")),
              rr(q.labels, T_TXT, txt_rdata(b"not a PTR")),
              rr("stray.h.e2e.test", T_PTR, wire_name(name))]
    return send(message(q, answer=answer))


@fcrdns("nosoa", 11)
def _(q, t, name):
    # NOERROR, nothing in any section (no SOA either).
    return send(message(q))


def chain_names(tag, n):
    return ["k%d.%s.h.e2e.test" % (i, tag) for i in range(1, n + 1)]


def in_answer_chain(q, tag, length, final_type, final_rdata):
    """Q's name CNAME k1, k1 CNAME k2, ... kLENGTH FINAL_TYPE FINAL_RDATA,
    all in one answer."""
    names = chain_names(tag, length)
    answer, owner = [], q.labels
    for target in names:
        answer.append(rr(owner, T_CNAME, wire_name(target)))
        owner = target
    if final_type:
        answer.append(rr(owner, final_type, final_rdata))
    return answer


@fcrdns("cname11", 12)
def _(q, t, name):
    return reply_sized(q, t, message(q, answer=in_answer_chain(q, "c11", 11, T_PTR,
                                                             wire_name(name))))


@fcrdns("cname10", 13)
def _(q, t, name):
    return reply_sized(q, t, message(q, answer=in_answer_chain(q, "c10", 10, T_PTR,
                                                             wire_name(name))))


def endless(q, t, tag):
    """Each reply one CNAME, no SOA: the client must ask the target, then
    the next, ...: k1, k2, ... without end."""
    if q.key[1:] == key("%s.h.e2e.test" % tag) and q.key[0].startswith(b"k"):
        nxt = int(q.key[0][1:]) + 1
    else:
        nxt = 1
    target = "k%d.%s.h.e2e.test" % (nxt, tag)
    return send(message(q, answer=[rr(q.labels, T_CNAME, wire_name(target))]))


@fcrdns("cnameendless", 14)
def _(q, t, name):
    return endless(q, t, "endless")


def endless_names(tag):
    """Registers the k<N>.TAG names (any N) of an endless chain."""
    def behaviour(q, t):
        return endless(q, t, tag)
    for i in range(1, 40):
        SCENARIOS[key("k%d.%s.h.e2e.test" % (i, tag))] = behaviour


endless_names("endless")


def two_loop(tag):
    """a.TAG CNAME b.TAG, b.TAG CNAME a.TAG, one CNAME a reply."""
    a, b = "a.%s.h.e2e.test" % tag, "b.%s.h.e2e.test" % tag
    SCENARIOS[key(a)] = lambda q, t: send(message(q, answer=[rr(q.labels, T_CNAME, wire_name(b))]))
    SCENARIOS[key(b)] = lambda q, t: send(message(q, answer=[rr(q.labels, T_CNAME, wire_name(a))]))
    return a


@fcrdns("cnamelooprepl", 15)
def _(q, t, name):
    return send(message(q, answer=[rr(q.labels, T_CNAME, wire_name(two_loop("loop2")))]))


@fcrdns("formerr", 16)
def _(q, t, name):
    return send(message(q, rcode=FORMERR))


@fcrdns("notimp", 17)
def _(q, t, name):
    return send(message(q, rcode=NOTIMP))


@fcrdns("yxdomain", 18)
def _(q, t, name):
    return send(message(q, rcode=YXDOMAIN))


@fcrdns("junkflood", 19)
def _(q, t, name):
    # 300 replies with wrong ids, one a millisecond (a burst would only
    # overflow the client's socket buffer, as it would with any resolver),
    # then the right one: the right one counts.
    good = message(q, answer=[ptr_answer(q, name)])
    junk = [("send", i * 0.001, struct.pack("!H", (q.id + 1 + i) & 0xFFFF) + good[2:])
            for i in range(300)]
    return junk + [("send", 0.31, good)]


@fcrdns("notresponse", 20)
def _(q, t, name):
    data = bytearray(message(q, answer=[ptr_answer(q, name)]))
    data[2] &= 0x7F  # QR bit off
    return send(bytes(data))


@fcrdns("tcpstall", 21)
def _(q, t, name):
    # TC over UDP; over TCP the connection is accepted and the query read,
    # but no reply ever comes.
    return send(truncated_reply(q)) if t == "udp" else []


@fcrdns("tcpdrip", 22)
def _(q, t, name):
    # TC over UDP; over TCP a length of 65535, then one octet every 50 ms.
    if t == "udp":
        return send(truncated_reply(q))
    return [("drip", 0.05, b"\xff\xff" + message(q, answer=[ptr_answer(q, name)]) + b"\0" * 70000)]


@fcrdns("tcpshort", 23)
def _(q, t, name):
    # TC over UDP; over TCP a length of 200, 20 octets, then the close.
    if t == "udp":
        return send(truncated_reply(q))
    return [("raw", 0.0, b"\x00\xc8" + message(q)[:20]), ("close", 0.01)]


@fcrdns("badrdlen", 24)
def _(q, t, name):
    # The PTR's RDLENGTH claims 200 octets; the packet ends after 10.
    record = wire_name(q.labels) + struct.pack("!HHIH", T_PTR, 1, 300, 200) + wire_name(name)[:10]
    data = bytearray(message(q, opt=False) + record)
    struct.pack_into("!H", data, 6, 1)
    return send(bytes(data))


@fcrdns("oversize", 25)
def _(q, t, name):
    # 3000 octets over UDP without TC, more than the 1232 the query offered.
    junk = [rr("junk.h.e2e.test", T_TXT, txt_rdata(b"x" * 250)) for _ in range(11)]
    return send(message(q, answer=[ptr_answer(q, name)], additional=junk))


@fcrdns("slowunder", 26)
def _(q, t, name):
    return send(message(q, answer=[ptr_answer(q, name)]), delay=1.5)


@fcrdns("slowover", 27)
def _(q, t, name):
    return send(message(q, answer=[ptr_answer(q, name)]), delay=4.0)


@fcrdns("badlabel", 31)
def _(q, t, name):
    # A label length of 0x40-0x7F (the reserved "extended label" types).
    record = wire_name(q.labels) + struct.pack("!HHIH", T_PTR, 1, 300, 4) + b"\x41ab\0"
    data = bytearray(message(q, opt=False) + record)
    struct.pack_into("!H", data, 6, 1)
    return send(bytes(data))


@fcrdns("trailing", 32)
def _(q, t, name):
    # A good answer followed by 40 octets of garbage.
    return send(message(q, answer=[ptr_answer(q, name)]) + b"\xde\xad" * 20)


@fcrdns("nxwithdata", 33)
def _(q, t, name):
    # NXDOMAIN that also carries a PTR record naming HOST.
    return send(message(q, rcode=NXDOMAIN, answer=[ptr_answer(q, name)], authority=[SOA]))


@fcrdns("ptrqdzero", 34)
def _(q, t, name):
    # The PTR record, but no question section at all.
    data = bytearray(message(q, answer=[ptr_answer(q, name)], opt=False))
    data = data[:12] + data[12 + len(q.question):]
    struct.pack_into("!H", data, 4, 0)
    return send(bytes(data))


@fcrdns("tcpreset", 35)
def _(q, t, name):
    # Over TCP: the answer, then the connection reset (RST): the client's
    # next write on it (a query it queued meanwhile) meets EPIPE.
    return send(message(q, answer=[ptr_answer(q, name)])) + [("reset", 0.0)]


# --- HOST's own lookups misbehave ---------------------------------------------------

# --- answer integrity (RFC 5452): forgeries that race the real reply ----------------
# Each sends a forged PTR naming forged.h.e2e.test (which forward-confirms,
# so a forgery that wins turns the verdict into "mismatch") ahead of the real
# reply, 50 ms later.

add("forged.h.e2e.test", T_A, a_rdata("203.0.113.80"))
add("forged.h.e2e.test", T_A, a_rdata("203.0.113.81"))
add("forged.h.e2e.test", T_A, a_rdata("203.0.113.82"))
add("forged.h.e2e.test", T_A, a_rdata("203.0.113.83"))
add("forged.h.e2e.test", T_A, a_rdata("203.0.113.84"))


def forged_then_real(q, name, forgeries):
    real = message(q, answer=[ptr_answer(q, name)])
    return [("send", 0.0, f) for f in forgeries] + [("send", 0.05, real)]


def forged(q, **kw):
    return message(q, answer=[rr(q.labels, T_PTR, wire_name("forged.h.e2e.test"))], **kw)


@fcrdns("forgedid0", 80)
def _(q, t, name):
    # What an off-path attacker sends when the client's IDs are all 0.
    return forged_then_real(q, name, [forged(q, qid=0)])


@fcrdns("forgedidnear", 81)
def _(q, t, name):
    # A counter's neighbours: 1 to 64 (a client counting from 0 or 1).
    return forged_then_real(q, name, [forged(q, qid=i) for i in range(1, 65) if i != q.id])


def lowered(q):
    return b"".join(bytes([len(l)]) + l.lower() for l in q.labels) + b"\0" + q.question[-4:]


@fcrdns("forgedcase", 82)
def _(q, t, name):
    # The right ID (as if guessed), the question in lower case: under
    # --dns0x20 not an answer; without it, indistinguishable (and it wins).
    return forged_then_real(q, name, [forged(q, question=lowered(q))])


@fcrdns("lowercaser", 83)
def _(q, t, name):
    # A server that lowercases every name it echoes (some do): with
    # --dns0x20 the lookup gets no reply that counts.
    owner = tuple(l.lower() for l in q.labels)
    return send(message(q, answer=[rr(owner, T_PTR, wire_name(name))], question=lowered(q)))


# --- CNAMEs that RFC 2181 §10.1 / RFC 1034 §3.6.2 forbid (Zonemaster's
# PTR-IS-ILLEGAL-CNAME): a server hands them out, the zone loader refuses them.

add("ptr84.h.e2e.test", T_PTR, wire_name("twocname.h.e2e.test"))
add("ptr84b.h.e2e.test", T_PTR, wire_name("forged.h.e2e.test"))


@fcrdns("twocname", 84)
def _(q, t, name):
    # Two CNAMEs at the reverse name, each with its PTR.
    return send(message(q, answer=[
        rr(q.labels, T_CNAME, wire_name("ptr84.h.e2e.test")),
        rr(q.labels, T_CNAME, wire_name("ptr84b.h.e2e.test")),
        rr("ptr84.h.e2e.test", T_PTR, wire_name(name)),
        rr("ptr84b.h.e2e.test", T_PTR, wire_name("forged.h.e2e.test"))]))


@fcrdns("cnameandptr", 85)
def _(q, t, name):
    # A CNAME and a PTR at the same reverse name.
    return send(message(q, answer=[
        rr(q.labels, T_CNAME, wire_name("ptr84.h.e2e.test")),
        rr(q.labels, T_PTR, wire_name(name)),
        rr("ptr84.h.e2e.test", T_PTR, wire_name(name))]))


add("forged.h.e2e.test", T_A, a_rdata("203.0.113.85"))


def host_behaviour(label):
    name = "%s.h.e2e.test" % label

    def register(fn):
        SCENARIOS[key(name)] = fn
        return fn
    return register


# Over TCP, HOST's A and AAAA are answered, then the connection is reset
# (RST): the lookups they lead to were queued on that connection.
host("tcpresethost", 36)


@host_behaviour("tcpresethost")
def _(q, t):
    return plain(q, t) + ([("reset", 0.0)] if t == "tcp" else [])


# Over TCP, the A and AAAA answers go out together, then the connection is
# closed (as ldns-testns closes after answering): the client reads the two
# answers one after the other and writes the lookups each leads to between
# the reads; its first write draws a reset, the second meets EPIPE (and
# SIGPIPE, unless the client ignores it).  Over UDP: plain answers.
host("tcpfinhost", 37)
add("tcpfinhost.h.e2e.test", T_AAAA, aaaa_rdata("2001:db8:113::37"))
add(rev6("2001:db8:113::37"), T_PTR, wire_name("tcpfinhost.h.e2e.test"))


HELD = {}  # tcpfinhost: the A query over TCP, answered with the AAAA


def tcpfin(q, t):
    if t != "tcp" or q.qtype not in (T_A, T_AAAA):
        return plain(q, t)
    if q.qtype == T_A:
        HELD[q.key] = q  # the client writes A and AAAA at once
        return []
    both = b""
    for query in (HELD.pop(q.key, None), q):
        if query is not None:
            reply = plain(query, t)[0][2]
            both += struct.pack("!H", len(reply)) + reply
    return [("raw", 0.0, both), ("close", 0.0)]


host_behaviour("tcpfinhost")(tcpfin)


# A SERVFAIL, AAAA fine (2001:db8:113::25, PTR names HOST).
add(rev6("2001:db8:113::25"), T_PTR, wire_name("hostservfail.h.e2e.test"))


@host_behaviour("hostservfail")
def _(q, t):
    if q.qtype == T_A:
        return send(message(q, rcode=SERVFAIL, flags=0))
    if q.qtype == T_AAAA:
        return send(message(q, answer=[rr(q.labels, T_AAAA, aaaa_rdata("2001:db8:113::25"))]))
    return send(message(q, authority=[SOA]))


# A fine, AAAA never answered.
host("hostsilent6", 40)


@host_behaviour("hostsilent6")
def _(q, t):
    if q.qtype == T_AAAA:
        return []
    return plain(q, t)


# The findings of a host come in the order of its addresses, whichever
# family answered first: v4late's A answer comes 0.3 s after its AAAA,
# v6late's AAAA 0.3 s after its A.  No PTR for any of them.
def late_family(label, n, late):
    name = "%s.h.e2e.test" % label
    add(name, T_A, a_rdata("203.0.113.%d" % n))
    add(name, T_AAAA, aaaa_rdata("2001:db8:113::%d" % n))

    @host_behaviour(label)
    def _(q, t):
        return [(kind, delay + (0.3 if q.qtype == late else 0.0), data)
                for kind, delay, data in plain(q, t)]


late_family("v4late", 90, T_A)
late_family("v6late", 91, T_AAAA)

# relayorder: a host whose Postfix relayhost (relaymx, unbracketed: its MX
# hosts) has two MX hosts whose lookups all SERVFAIL, r1's 0.3 s after
# r2's: the failures are still reported r1 first.
host("relayorder", 92)
add("relaymx.h.e2e.test", T_MX, struct.pack("!H", 10) + wire_name("r1.relaymx.h.e2e.test"))
add("relaymx.h.e2e.test", T_MX, struct.pack("!H", 20) + wire_name("r2.relaymx.h.e2e.test"))


def servfail_after(delay):
    return lambda q, t: send(message(q, rcode=SERVFAIL, flags=0), delay=delay)


SCENARIOS[key("r1.relaymx.h.e2e.test")] = servfail_after(0.3)
SCENARIOS[key("r2.relaymx.h.e2e.test")] = servfail_after(0.0)

# dksib: a From domain signed with its sibling's key (d=dksib.h.e2e.test),
# whose DMARC tree walk fails at once (SERVFAIL): the key is published and
# usable, but its Organizational Domain, and so DKIM alignment, is not
# known (lookup-failed, never dmarc-unaligned).
add("dkfrom.h.e2e.test", T_MX, struct.pack("!H", 10) + wire_name("mx.h.e2e.test"))
add("_dmarc.dkfrom.h.e2e.test", T_TXT, txt_rdata(b"v=DMARC1; p=reject"))
add("s1._domainkey.dksib.h.e2e.test", T_TXT, txt_rdata(
    b"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0644poDN1sVWxnyaqCfgGpgnA8SBdRSoV0nm/iUtgO4kctnr8Ee6br7CMfSQsdflZPJw4khrgVCwcK+i0eSLKz4dS60WrSZnDCf/bDiOb3skQiCoMdGKrAZ+Qt92/0uwKUnCUCHAdCqGPF8jp+tDOZcfLqZjJrf6h837qcPPc2sQfvnJ8kJihyZF6ZIt9vNnTx2+aJCPPTNU3jLmJWroWIpcKYtHK30CXo9m1mVmbyjOeLH6Mbo8MYAuj7UdaPON8cPLPYrbp8frgG81nHWVFwU85hMdvoFXgVGodYgwh9PX+YhJW/E5XWoksnOx16D/YLY/UQ9um2YLSH3bMTLqXQIDAQAB"))
SCENARIOS[key("_dmarc.dksib.h.e2e.test")] = servfail_after(0.0)


@host_behaviour("hostcnameloop")
def _(q, t):
    # HOST CNAME x, x CNAME y, y CNAME x: all in one answer.
    x, y = "x.hostcnameloop.h.e2e.test", "y.hostcnameloop.h.e2e.test"
    return send(message(q, answer=[rr(q.labels, T_CNAME, wire_name(x)),
                                   rr(x, T_CNAME, wire_name(y)),
                                   rr(y, T_CNAME, wire_name(x))]))


@host_behaviour("hostcname11")
def _(q, t):
    final = a_rdata("203.0.113.41") if q.qtype == T_A else None
    return reply_sized(q, t, message(q, answer=in_answer_chain(
        q, "h11", 11, T_A if final else None, final), authority=[] if final else [SOA]))


add(rev4(42), T_PTR, wire_name("hostcname10.h.e2e.test"))


@host_behaviour("hostcname10")
def _(q, t):
    # Ten CNAMEs, then A 203.0.113.42 (its PTR names HOST); AAAA: NODATA at the end.
    final = a_rdata("203.0.113.42") if q.qtype == T_A else None
    return reply_sized(q, t, message(q, answer=in_answer_chain(
        q, "h10", 10, T_A if final else None, final), authority=[] if final else [SOA]))


@host_behaviour("hostcnameendless")
def _(q, t):
    return endless(q, t, "hostendless")


endless_names("hostendless")


@host_behaviour("hostwrongtype")
def _(q, t):
    # A asked: an AAAA and a TXT come back; AAAA asked: an A.
    if q.qtype == T_A:
        answer = [rr(q.labels, T_AAAA, aaaa_rdata("2001:db8:113::43")),
                  rr(q.labels, T_TXT, txt_rdata(b"203.0.113.43"))]
    else:
        answer = [rr(q.labels, T_A, a_rdata("203.0.113.43"))]
    return send(message(q, answer=answer))


@host_behaviour("hostbadrdlen")
def _(q, t):
    # A with a five-octet RDATA; AAAA: NODATA.
    if q.qtype != T_A:
        return send(message(q, authority=[SOA]))
    return send(message(q, answer=[rr(q.labels, T_A, b"\xcb\x00\x71\x2c\x00")]))


# 400 AAAA records (needs TCP); their PTRs do not exist.
MANY = ["2001:db8:113:1::%x" % i for i in range(1, 401)]
for _addr in MANY:
    add("hostmany.h.e2e.test", T_AAAA, aaaa_rdata(_addr))
add("hostmany.h.e2e.test", T_A, a_rdata("203.0.113.44"))
add(rev4(44), T_PTR, wire_name("hostmany.h.e2e.test"))


# --- SPF records over hostile transports ---------------------------------------------

def spf_record(owner, text):
    add(owner, T_TXT, txt_rdata(text))


def big_spf(n_terms, match):
    terms = b" ".join(b"ip4:198.51.100.%d/32" % (i % 250 + 1) for i in range(n_terms))
    return b"v=spf1 " + terms + b" ip4:" + match.encode() + b" -all"


# An SPF record of about 4.6 KB (19 strings): only TCP can carry it.
BIG = big_spf(230, "203.0.113.50")
spf_record("bigtxt.h.e2e.test", BIG)
# The same as an include target of a small record, for the TCP-refused case.
spf_record("incbig.h.e2e.test", b"v=spf1 include:bigtxt.h.e2e.test -all")
# About 60 KB in one TXT record (236 strings), near the 64 KB message limit.
HUGE = big_spf(3000, "203.0.113.51")
spf_record("hugetxt.h.e2e.test", HUGE)


# Slow SPF: slowtxt's TXT comes 6 s late, whatever the deadline; slowinc
# includes it; slowspf is a host whose FCrDNS passes at once.
@scenario("slowtxt.h.e2e.test")
def _(q, t):
    answer = [rr(q.labels, T_TXT, txt_rdata(b"v=spf1 ip4:203.0.113.0/24 -all"))] \
        if q.qtype == T_TXT else []
    return send(message(q, answer=answer, authority=[] if answer else [SOA]), delay=6.0)


spf_record("slowinc.h.e2e.test", b"v=spf1 include:slowtxt.h.e2e.test -all")
host("slowspf", 70)


# --- bytes that must not reach a terminal raw (item 6) ------------------------------

EVIL_LABELS = [
    b"\x1b[31mred\x1b[0m",      # a terminal escape sequence
    b"new\nline",               # a newline: a forged second line
    b"pipe|x=1;2;3",            # a Nagios perfdata separator
    b"quo\"te",                 # JSON / header quoting
    b"back\\slash",             # escaping of the escape
    b"\xff\xfeutf",             # invalid UTF-8
    b"tab\there\rcr\x7fdel",    # other control octets
    b"nul\x00byte",             # a NUL inside a label
    b"{brace}'apos'<lt>",       # format-string and markup characters
]
EVIL_NAMES = [(label, b"evil", b"h", b"e2e", b"test") for label in EVIL_LABELS]
add("evil.h.e2e.test", T_A, a_rdata("203.0.113.60"))
for _n in EVIL_NAMES:
    add(rev4(60), T_PTR, wire_name(_n))
    add(_n, T_A, a_rdata("203.0.113.60"))   # each one forward-confirms

# Two PTR names holding every octet 1..255 between them (1-127, 128-255,
# in labels of at most 63), each forward-confirming.
add("allbytes.h.e2e.test", T_A, a_rdata("203.0.113.61"))
for _lo, _hi in ((1, 128), (128, 256)):
    _all = bytes(range(_lo, _hi))
    _name = tuple(_all[i:i + 63] for i in range(0, len(_all), 63)) + (b"h", b"e2e", b"test")
    add(rev4(61), T_PTR, wire_name(_name))
    add(_name, T_A, a_rdata("203.0.113.61"))

# SPF records and explanations with the same bytes.
EVIL_TERM = b"\x1b[31mEVIL\x1b[0m|x=1;2;3\n\"q\\ \xff\xfe"
spf_record("evilspf.h.e2e.test", b"v=spf1 ip4:198.51.100.1 " + EVIL_TERM + b" -all")
# exp= with characters an explanation may hold (| " \ are macro-literals)
spf_record("evilexp.h.e2e.test", b"v=spf1 -all exp=exp.evilexp.h.e2e.test")
spf_record("exp.evilexp.h.e2e.test", b"Denied |x=1;2;3 \"q\" back\\slash %{i} for %{s}")
# exp= whose text has control octets and invalid UTF-8
spf_record("evilexp2.h.e2e.test", b"v=spf1 -all exp=exp.evilexp2.h.e2e.test")
spf_record("exp.evilexp2.h.e2e.test", b"Denied\x1b[31m\nMAILCHECK OK - forged | t=1\xff")
# An SPF record that is all binary
spf_record("binspf.h.e2e.test", b"v=spf1 " + bytes(range(1, 256)))


# --- the server ---------------------------------------------------------------------

def respond(q, transport):
    behaviour = SCENARIOS.get(q.key)
    if behaviour is not None:
        return behaviour(q, transport)
    return plain(q, transport)


class Server:
    def __init__(self, port, udp_only):
        self.sel = selectors.DefaultSelector()
        self.timers = []  # (when, seq, fn)
        self.seq = 0
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", port))
        self.udp.setblocking(False)
        self.sel.register(self.udp, selectors.EVENT_READ, self.on_udp)
        self.tcp = None
        if not udp_only:
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind(("127.0.0.1", port))
            self.tcp.listen(64)
            self.tcp.setblocking(False)
            self.sel.register(self.tcp, selectors.EVENT_READ, self.on_accept)
        self.conns = {}

    def at(self, delay, fn):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + delay, self.seq, fn))

    def run(self):
        while True:
            timeout = None
            if self.timers:
                timeout = max(0.0, self.timers[0][0] - time.monotonic())
            for skey, _ in self.sel.select(timeout):
                skey.data(skey.fileobj)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn = heapq.heappop(self.timers)
                fn()

    # UDP

    def on_udp(self, sock):
        try:
            data, peer = sock.recvfrom(65535)
        except OSError:
            return
        try:
            q = Query(data)
        except (ValueError, IndexError, struct.error):
            return
        for action in respond(q, "udp"):
            if action[0] == "send":
                self.at(action[1], lambda d=action[2], p=peer: self.udp_send(d, p))

    def udp_send(self, data, peer):
        try:
            self.udp.sendto(data, peer)
        except OSError:
            pass

    # TCP

    def on_accept(self, sock):
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.setblocking(False)
        self.conns[conn] = b""
        self.sel.register(conn, selectors.EVENT_READ, self.on_tcp)

    def close(self, conn):
        if conn in self.conns:
            del self.conns[conn]
            self.sel.unregister(conn)
            conn.close()

    def reset(self, conn):
        if conn in self.conns:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close(conn)

    def on_tcp(self, conn):
        try:
            chunk = conn.recv(65535)
        except OSError:
            chunk = b""
        if not chunk:
            self.close(conn)
            return
        buf = self.conns[conn] + chunk
        while len(buf) >= 2:
            n = struct.unpack("!H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            data, buf = buf[2:2 + n], buf[2 + n:]
            try:
                q = Query(data)
            except (ValueError, IndexError, struct.error):
                continue
            for action in respond(q, "tcp"):
                if action[0] in ("send", "raw"):
                    data = action[2]
                    if action[0] == "send":  # RFC 1035 §4.2.2 framing
                        data = struct.pack("!H", len(data)) + data
                    self.at(action[1], lambda d=data, c=conn: self.tcp_send(c, d))
                elif action[0] == "close":
                    self.at(action[1], lambda c=conn: self.close(c))
                elif action[0] == "reset":
                    self.at(action[1], lambda c=conn: self.reset(c))
                elif action[0] == "drip":
                    self.drip(conn, action[2], action[1])
        if conn in self.conns:
            self.conns[conn] = buf

    def tcp_send(self, conn, data):
        if conn not in self.conns:
            return
        try:
            conn.setblocking(True)
            conn.settimeout(2)
            conn.sendall(data)
            conn.setblocking(False)
        except OSError:
            self.close(conn)

    def drip(self, conn, data, interval):
        if conn not in self.conns or not data:
            return
        self.tcp_send(conn, data[:1])
        self.at(interval, lambda: self.drip(conn, data[1:], interval))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--udp-only", action="store_true",
                   help="no TCP listener: TCP fallback gets connection refused")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    Server(args.port, args.udp_only).run()


if __name__ == "__main__":
    main()
