#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds and tests mailcheck against current c-ares (the one Debian's next
# release ships, 1.34 at the time of writing), next to Debian 12's 1.18:
#   contrib/check-cares-current.sh [WORKDIR]
# 1. contrib/cares-current.py fetches c-ares' source from Debian's archive,
#    verified (InRelease signature, Sources.xz and tarball SHA-256); when
#    the archive cannot be reached this says SKIP and exits 0;
# 2. builds it into WORKDIR/prefix (not system-wide);
# 3. builds mailcheck against it with gcc and clang-14 at -Werror, checking
#    that the binary really loads it;
# 4. runs the unit tests and the fuzz corpora in a private network
#    namespace: these must pass;
# 5. runs the end-to-end suite and the openspf suites there too, with the
#    gcc build only (the clang one differs from it in the compiler alone,
#    which steps 3 and 4 check, and its runs took 2.5 of CI's 20 minutes),
#    and reports them without counting them: newer c-ares adapts its
#    timeouts to each server's reply times
#    (timing-dependent cases then pass or fail by the run), and imposes the
#    behaviour tests/cares-newer.txt lists with the reasons; a failure
#    outside that list is named as unexplained.  The openspf suites (one
#    CTest test each) are reported the same way, case by case, as
#    openspf.SUITE/CASE.
# Exit status: 0 all well (or skipped), 1 a build or a unit test failed.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$src/build-cares-current}
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$work"

rc=0
fetched=$(python3 "$src/contrib/cares-current.py" "$work/dl") || rc=$?
if [ "$rc" = 2 ]; then
  echo "check-cares-current: SKIP: no c-ares source from Debian's archive (see above)"
  exit 0
elif [ "$rc" != 0 ]; then
  exit 1
fi
version=${fetched%% *}
tarball=${fetched#* }
prefix=$work/prefix
rm -rf "$work/c-ares" "$prefix"
mkdir -p "$work/c-ares"
tar -xzf "$tarball" -C "$work/c-ares" --strip-components=1
# c-ares' own build log only when it fails (gcc 12 warns falsely in it).
log=$work/c-ares-build.log
{
  cmake -S "$work/c-ares" -B "$work/c-ares/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DCARES_SHARED=ON -DCARES_STATIC=OFF -DCARES_BUILD_TESTS=OFF -DCARES_BUILD_TOOLS=OFF &&
    cmake --build "$work/c-ares/build" -j"$jobs" &&
    cmake --install "$work/c-ares/build"
} >"$log" 2>&1 || { cat "$log"; echo "check-cares-current: building c-ares $version failed"; exit 1; }
echo "check-cares-current: c-ares $version built into $prefix"

known=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$src/tests/cares-newer.txt" | grep -v '^$')
# differs NAME: one difference, known (listed in tests/cares-newer.txt) or not.
differs() {
  if printf '%s\n' "$known" | grep -qxF "$1"; then
    echo "  differs (known, tests/cares-newer.txt): $1"
  else
    echo "  differs (unexplained; timing-dependent under newer c-ares?): $1"
  fi
}
status=0
for cc in gcc clang-14; do
  build=$work/build-$cc
  rm -rf "$build"
  CC=$cc PKG_CONFIG_PATH=$prefix/lib/pkgconfig \
    cmake -S "$src" -B "$build" -DMAILCHECK_WERROR=ON >/dev/null
  cmake --build "$build" -j"$jobs" >/dev/null
  # pkg-config's imported target links the library by its path, so the
  # build tree's RUNPATH names the prefix: make sure it is what runs.
  ldd "$build/mailcheck" | grep -q "$prefix/lib/libcares" ||
    { echo "check-cares-current: $cc build does not load $prefix's c-ares"; exit 1; }
  "$build/mailcheck" --version | grep -qx "c-ares $version" ||
    { echo "check-cares-current: $cc build does not report c-ares $version"; exit 1; }
  echo "== c-ares $version, $cc: unit tests and fuzz corpora"
  unshare -n sh -c "ip link set lo up && ctest --test-dir '$build' -j$jobs -L 'unit|fuzz' \
    --output-on-failure" || status=1
  [ "$cc" = gcc ] || continue # the reported suites: gcc's build only (step 5)
  echo "== c-ares $version, $cc: end-to-end tests (reported, not counted)"
  unshare -n sh -c "ip link set lo up && ctest --test-dir '$build' -j$jobs -L e2e -E '^openspf[.]'" \
    >"$build/e2e.log" 2>&1 || true
  grep -E 'tests passed' "$build/e2e.log" || true
  # Every failed test of the label: e2e.NAME as NAME (as tests/cares-newer.txt
  # lists them), the others (batch.NAME, nagios.NAME, ...) by their full name.
  for t in $(sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (.*$/\1/p' "$build/e2e.log"); do
    differs "${t#e2e.}"
  done
  # The openspf suites are one CTest test each, running many cases: report
  # the cases, as openspf.SUITE/CASE, from the line that ends the runner's
  # output, "SUITE (RELEASE, FILE): N/M cases pass; failing: CASE, CASE".
  echo "== c-ares $version, $cc: openspf suites (reported per case, not counted)"
  unshare -n sh -c "ip link set lo up && ctest --test-dir '$build' -j$jobs -R '^openspf[.]' \
    --output-on-failure" >"$build/openspf.log" 2>&1 || true
  for suite in rfc7208 rfc4408; do
    summary=$(grep -E "^$suite [(].*: [0-9]+/[0-9]+ cases pass" "$build/openspf.log" | tail -n 1)
    if [ -z "$summary" ]; then
      # No summary line: the runner died (a missing suite, a crash, a
      # changed count) or CTest cut its output; never silently known.
      echo "  openspf.$suite: no case summary (unexplained; see $build/openspf.log)"
      continue
    fi
    echo "  ${summary%%;*}"
    case $summary in *"; failing: "*) ;; *) continue ;; esac
    for t in $(printf '%s\n' "${summary#*; failing: }" | tr -d ','); do
      differs "openspf.$suite/$t"
    done
  done
  sed -n 's/^openspf: error: /  openspf error (unexplained): /p' "$build/openspf.log"
done
exit $status
