#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole test suite, as CI runs it (Debian 12, as root, after
# contrib/install-deps.sh):
#   0. the C sources formatted as .clang-format says, and the source rules
#      of tests/check_source.py (third-party headers, layers, banned
#      functions, citations); a gcc -O2 -Werror build of every target;
#   1. build with -Werror and run every CTest test (unit, e2e, fuzz corpora);
#   2. the same suite built with ASan+UBSan;
#   3. unit tests and the end-to-end tests under valgrind memcheck;
#   4. every libFuzzer target for a bounded time (clang-14);
#   5. build and test against current c-ares (contrib/check-cares-current.sh;
#      skipped, saying so, when Debian's archive cannot be reached).
# Every test run happens in a private network namespace with only loopback
# up, so a query not meant for a test server fails instead of leaving.
# MAILCHECK_FUZZ_SECONDS (default 20) sets the fuzzing time per target;
# MAILCHECK_QUICK=1 runs step 1 only.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
hermetic() { unshare -n sh -c 'ip link set lo up && "$@"' hermetic "$@"; }
step() { printf '\n=== %s\n' "$*"; }

step "format (.clang-format, clang-format 14)"
find src include tests fuzz bench -name '*.[ch]' -print | sort | xargs clang-format-14 --dry-run --Werror
echo "format clean"
python3 tests/check_source.py .
# -O2 finds what -O0 does not (-Wnull-dereference in the unit tests).
cmake -S . -B build-o2 -DCMAKE_BUILD_TYPE=Release -DMAILCHECK_WERROR=ON >/dev/null
cmake --build build-o2 -j"$jobs" >build-o2.log 2>&1 || { cat build-o2.log; exit 1; }
echo "gcc -O2 -Werror build clean"

step "build (gcc, -Werror) and test"
cmake -S . -B build -DMAILCHECK_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
hermetic ctest --test-dir build --output-on-failure -j"$jobs"
[ "${MAILCHECK_QUICK:-0}" = 1 ] && exit 0

step "ASan+UBSan build and test"
cmake -S . -B build-asan -DMAILCHECK_SANITIZE=ON -DMAILCHECK_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
hermetic ctest --test-dir build-asan --output-on-failure -j"$jobs"
unset ASAN_OPTIONS UBSAN_OPTIONS

step "valgrind memcheck: unit tests and end-to-end tests"
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible"
# The unit tests $jobs at once (each one process, as CTest runs them); a
# failing one's valgrind report is printed whole, not interleaved.
vglog=$(mktemp -d)
for t in build/tests/test_* build/tests/nagios/test_*; do [ -x "$t" ] && echo "$t"; done |
  xargs -P "$jobs" -I{} sh -c 'log="$1/${2##*/}.log"
    if $3 "$2" >/dev/null 2>"$log"; then echo "valgrind clean: $2"
    else cat "$log"; echo "valgrind: $2 failed"; exit 1; fi' vg "$vglog" {} "$vg" ||
  { rm -rf "$vglog"; exit 1; }
rm -rf "$vglog"
export MAILCHECK_TEST_WRAPPER="$vg"
# The openspf suites (394 runs of the same evaluator the unit tests cover)
# would add minutes under valgrind for nothing new.
hermetic ctest --test-dir build -L e2e -E '^openspf\.' --output-on-failure -j"$jobs"
unset MAILCHECK_TEST_WRAPPER

step "clang -Werror build and fuzzing (libFuzzer, ${MAILCHECK_FUZZ_SECONDS:-20} s per target)"
# The unit tests too: clang warns where gcc does not (-Wstring-concatenation).
CC=clang-14 cmake -S . -B build-fuzz -DMAILCHECK_FUZZ=ON -DMAILCHECK_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-fuzz -j"$jobs"
hermetic sh fuzz/run.sh build-fuzz "${MAILCHECK_FUZZ_SECONDS:-20}"

step "current c-ares (Debian's next release): build with gcc and clang, test"
sh contrib/check-cares-current.sh build-cares-current

echo "suites: 5 passed, 0 failed"
