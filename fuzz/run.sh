#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target for SECONDS (default 30) on a copy of its seed
# corpus. Needs a build with: CC=clang-14 cmake -DMAILCHECK_FUZZ=ON -B BUILD
# Usage: fuzz/run.sh BUILD [SECONDS]
set -eu
build=${1:?usage: fuzz/run.sh BUILD [SECONDS]}
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for t in spf_parse spf_macro dns_reply zone hostname postfix postfix_master dmarc dkim_record dkim_config; do
  mkdir -p "$work/$t"
  cp "$here/corpus/$t/"* "$work/$t/" 2>/dev/null || true
  echo "== fuzz_$t for ${secs}s"
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$work/$t-" "$work/$t" "$here/corpus/$t" 2>"$work/$t.log"; then
    status=1
    tail -40 "$work/$t.log"
    cp "$work/$t-"* . 2>/dev/null || true
  fi
  grep -E '^#[0-9]+ *DONE' "$work/$t.log" || tail -2 "$work/$t.log"
done
exit $status
