#!/bin/sh
# SPDX-License-Identifier: MIT
# One command for the batch benchmark:
#   bench/run.sh [N] [--latency MS] [options of bench/batch_bench.py]
# N defaults to 10000; --latency MS adds MS of round trip (MS/2 each way) in
# bench/udpdelay between the tools and NSD.  As root: it enters a private
# network and mount namespace (unshare -n -m), where only loopback exists.
# Installs nothing: the peers come from bench/install-peers.sh.  Builds
# mailcheck into build-bench/ (Release) and bench/udpdelay.c, generates the
# world into build-bench/world-N (bench/world.py, kept for later runs),
# then runs bench/batch_bench.py, which prints the table and writes it into
# bench/RESULTS.md ("## Batch: N = ..." sections) unless --no-results.
# Examples:
#   bench/run.sh                      # N = 10000, no added latency
#   bench/run.sh 10000 --latency 20   # 20 ms round trips
#   bench/run.sh 100000 --mailcheck-only
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${MAILCHECK_BENCH_BUILD:-$root/build-bench}
n=10000
case ${1:-} in
  [0-9]*) n=$1; shift ;;
esac
results=yes
latency=0
for a in "$@"; do
  shift
  case $a in
    --no-results) results=no ;;
    *) set -- "$@" "$a" ;;
  esac
done
prev=
for a in "$@"; do
  [ "$prev" = --latency ] && latency=$a
  prev=$a
done
if [ "$(id -u)" != 0 ]; then
  echo "run.sh: needs root for unshare -n -m (try: sudo $0)" >&2
  exit 3
fi
missing=
for p in nsd nsd-control dnsperf dig spfquery perl /usr/bin/time unshare taskset ip cc cmake; do
  command -v $p >/dev/null 2>&1 || [ -x /usr/sbin/$p ] || missing="$missing $p"
done
/usr/bin/python3 -c 'import spf, dns.resolver' 2>/dev/null || missing="$missing python3-spf/python3-dnspython"
perl -MMail::SPF -e 1 2>/dev/null || missing="$missing libmail-spf-perl"
if [ -n "$missing" ]; then
  echo "run.sh: missing:$missing (run bench/install-peers.sh)" >&2
  exit 3
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target mailcheck -j"$(nproc)" >/dev/null
if [ ! -x "$build/udpdelay" ] || [ "$here/udpdelay.c" -nt "$build/udpdelay" ]; then
  cc -O2 -Wall -o "$build/udpdelay" "$here/udpdelay.c"
fi
world=$build/world-$n
if [ ! -f "$world/world.json" ] || [ "$here/world.py" -nt "$world/world.json" ]; then
  echo "run.sh: generating the world of $n hosts into $world" >&2
  python3 "$here/world.py" "$n" --out "$world" >/dev/null
fi
if [ "$results" = yes ]; then
  set -- --results "$here/RESULTS.md" "$@"
fi
tag=$n-$latency
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "?")
exec python3 "$here/batch_bench.py" --binary "$build/mailcheck" --rev "$rev (working tree)" \
  --udpdelay "$build/udpdelay" --world "$world" --workdir "$build" \
  --json "$build/bench-$tag.json" "$@"
