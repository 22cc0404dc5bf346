#!/bin/sh
# SPDX-License-Identifier: MIT
# One command for the SPF latency benchmark (bench/spf_latency.py):
#   bench/spf_latency.sh [--runs N] [--delay-ms MS] [--no-results]
# Builds mailcheck into build-bench/ (Release), then measures it with
# prefetch on and off next to spfquery (libspf2) and pyspf, hermetically:
# in `unshare -n -m` (needs root), loopback only.  Writes the table into
# bench/RESULTS.md ("SPF latency") unless --no-results.  The peers:
# bench/install-peers.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${MAILCHECK_BENCH_BUILD:-$root/build-bench}
results=yes
for a in "$@"; do
  shift
  case $a in
    --no-results) results=no ;;
    *) set -- "$@" "$a" ;;
  esac
done
[ "$results" = yes ] && set -- --results "$here/RESULTS.md" "$@"
if [ "$(id -u)" != 0 ]; then
  echo "spf_latency.sh: needs root for unshare -n -m (try: sudo $0)" >&2
  exit 3
fi
for p in nsd spfquery python3; do
  command -v $p >/dev/null 2>&1 || [ -x /usr/sbin/$p ] || {
    echo "spf_latency.sh: $p missing (bench/install-peers.sh)" >&2; exit 3; }
done
python3 -c 'import spf' 2>/dev/null || /usr/bin/python3 -c 'import spf' 2>/dev/null || {
  echo "spf_latency.sh: pyspf missing (bench/install-peers.sh)" >&2; exit 3; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target mailcheck -j"$(nproc)" >/dev/null
exec python3 "$here/spf_latency.py" --binary "$build/mailcheck" "$@"
