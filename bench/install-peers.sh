#!/bin/sh
# SPDX-License-Identifier: MIT
# The peers of the benchmarks (Debian 12), as root:
#  - bench/spf_latency.sh: libspf2's spfquery, pyspf, NSD, iproute2;
#  - bench/run.sh (batch benchmark) also: dnsperf (NSD's own ceiling),
#    Mail::SPF (libmail-spf-perl, its spfquery is spfquery.mail-spf-perl),
#    dig (dnsutils) for the shell loop, GNU time for peak RSS, and
#    util-linux (unshare) which minbase roots already have.
# Optional, for the profile of bench/RESULTS.md: linux-perf or valgrind.
set -eu
apt-get install -y --no-install-recommends \
  spfquery python3-spf python3-dnspython nsd iproute2 \
  dnsperf libmail-spf-perl dnsutils time util-linux
