#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates every golden reference (tests/golden/*.ref) from the built
# test program and binary, so that an output change is a reviewed diff:
#
#   tests/golden/regen.sh [BUILD_DIR]      (default: build)
#   git diff tests/golden                  (read it; commit it with the change)
#
# Builds golden_trees and mailcheck first, removes every tree-*.ref and
# run-*.ref (a case renamed or dropped leaves nothing stale), then writes
# them again: golden_trees --write (the C result trees) and
# golden_runs.py --write (offline runs on the test zones).  Nothing is
# asked of the network.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac

cmake --build "$build" --target mailcheck golden_trees
rm -f "$here"/tree-*.ref "$here"/run-*.ref
"$build/tests/golden/golden_trees" --write --ref-dir "$here"
python3 "$here/golden_runs.py" --write -q --binary "$build/mailcheck" --source-dir "$src" || true
# Compare once more: a run whose exit code or standard error is not its
# case's fails here (fix the case table in golden_runs.py, not the .ref).
status=0
"$build/tests/golden/golden_trees" --ref-dir "$here" >/dev/null || status=1
python3 "$here/golden_runs.py" -q --binary "$build/mailcheck" --source-dir "$src" || status=1
n=$(ls "$here"/tree-*.ref "$here"/run-*.ref | wc -l)
echo "$n references written; changed:"
git -C "$src" status --short -- tests/golden
exit $status
