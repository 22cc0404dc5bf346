#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target for SECONDS (default 30) on a copy of its seed
# corpus. Needs a build with: CC=clang-14 cmake -DMAILCHECK_FUZZ=ON -B BUILD
# Usage: fuzz/run.sh BUILD [SECONDS]
# The targets are those with a seed corpus (corpus/TARGET, which
# CMakeLists.txt replays for each of its targets), so a new target is not
# forgotten here.  MAILCHECK_FUZZ_JOBS (default: the number of CPUs) targets
# run at once, each a single process for SECONDS: the same fuzzing time per
# target as one after the other, in less wall time.
set -eu
build=${1:?usage: fuzz/run.sh BUILD [SECONDS]}
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
jobs=${MAILCHECK_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# fuzz_one TARGET: fuzzes it, leaving its log and exit status in $work.
fuzz_one() {
  mkdir -p "$work/$1"
  cp "$here/corpus/$1/"* "$work/$1/" 2>/dev/null || true
  rc=0
  "$build/fuzz/fuzz_$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$work/$1-" "$work/$1" "$here/corpus/$1" 2>"$work/$1.log" || rc=$?
  echo "$rc" >"$work/$1.rc"
}

# report TARGET: what fuzz_one left, as one target's section of the output.
report() {
  echo "== fuzz_$1 for ${secs}s"
  if [ "$(cat "$work/$1.rc")" != 0 ]; then
    status=1
    tail -40 "$work/$1.log"
    cp "$work/$1-"* . 2>/dev/null || true
  fi
  grep -E '^#[0-9]+ *DONE' "$work/$1.log" || tail -2 "$work/$1.log"
}

batch=
for t in $(cd "$here/corpus" && ls); do
  fuzz_one "$t" &
  batch="$batch $t"
  set -- $batch
  if [ $# -ge "$jobs" ]; then
    wait
    for b in $batch; do report "$b"; done
    batch=
  fi
done
wait
for b in $batch; do report "$b"; done
exit $status
