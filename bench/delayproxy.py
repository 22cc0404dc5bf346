#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A DNS proxy that holds every packet DELAY ms, for latency benchmarks.

This kernel has no netem (no tc qdisc for delay): the proxy stands between
the tools and NSD on loopback and delays each packet in each direction by
DELAY ms, so one lookup costs about 2 x DELAY of wall time, over UDP and
TCP alike (TCP: each chunk read is held DELAY ms before it is written on).
It counts the queries it forwards, so a benchmark can check that a tool's
lookups really went through it.

    python3 delayproxy.py --listen 127.0.0.1:53 --upstream 127.0.0.1:5300 --delay-ms 20

or, from Python, DelayProxy(...).start() / .stop() in a thread.
Standard library only.
"""

import argparse
import asyncio
import socket
import threading


def split_hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


class _Client(asyncio.DatagramProtocol):
    """One upstream socket per query: the reply goes back to its client."""

    def __init__(self, proxy, client_addr):
        self.proxy = proxy
        self.client_addr = client_addr
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.proxy._later(self.proxy.udp_transport.sendto, data, self.client_addr)
        self.proxy.loop.call_later(self.proxy.delay * 2 + 1, self.transport.close)

    def error_received(self, exc):
        self.transport.close()


class _Server(asyncio.DatagramProtocol):
    def __init__(self, proxy):
        self.proxy = proxy

    def connection_made(self, transport):
        self.proxy.udp_transport = transport

    def datagram_received(self, data, addr):
        self.proxy.udp_queries += 1
        self.proxy._later(self.proxy._forward_udp, data, addr)


class DelayProxy:
    def __init__(self, listen, upstream, delay_ms):
        self.listen = split_hostport(listen)
        self.upstream = split_hostport(upstream)
        self.delay = delay_ms / 1000.0
        self.udp_queries = 0
        self.tcp_connections = 0
        self.loop = None
        self.udp_transport = None
        self._thread = None
        self._ready = threading.Event()
        self._tcp_server = None

    @property
    def queries(self):
        return self.udp_queries + self.tcp_connections

    def _later(self, fn, *args):
        self.loop.call_later(self.delay, fn, *args)

    def _forward_udp(self, data, client_addr):
        family = socket.AF_INET6 if ":" in self.upstream[0] else socket.AF_INET
        coro = self.loop.create_datagram_endpoint(
            lambda: _Client(self, client_addr), remote_addr=self.upstream, family=family)
        task = self.loop.create_task(coro)
        task.add_done_callback(lambda t: t.exception() is None and t.result()[0].sendto(data))

    async def _pipe(self, reader, writer):
        """Copies READER to WRITER, each chunk DELAY late, in order."""
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, chunk = await queue.get()
                wait = due - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if chunk is None:
                    break
                writer.write(chunk)
                await writer.drain()
            writer.close()

        task = self.loop.create_task(deliver())
        try:
            while True:
                chunk = await reader.read(65536)
                await queue.put((self.loop.time() + self.delay, chunk or None))
                if not chunk:
                    break
        except (ConnectionError, OSError):
            await queue.put((self.loop.time(), None))
        await task

    async def _tcp(self, reader, writer):
        self.tcp_connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer),
                             return_exceptions=True)

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.listen[0] else socket.AF_INET
        await self.loop.create_datagram_endpoint(lambda: _Server(self), local_addr=self.listen,
                                                 family=family)
        self._tcp_server = await asyncio.start_server(self._tcp, *self.listen)
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        self._tcp_server.close()
        self.udp_transport.close()

    def start(self):
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self):
        if self.loop:
            self.loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(5)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", default="127.0.0.1:53")
    p.add_argument("--upstream", required=True)
    p.add_argument("--delay-ms", type=float, default=20.0)
    args = p.parse_args()
    proxy = DelayProxy(args.listen, args.upstream, args.delay_ms).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    proxy.stop()


if __name__ == "__main__":
    main()
