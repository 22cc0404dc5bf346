#!/bin/sh
# SPDX-License-Identifier: MIT
# The peers of bench/spf_latency.sh (Debian 12): libspf2's spfquery and
# pyspf, plus NSD and iproute2 for the hermetic set-up.
set -eu
apt-get install -y --no-install-recommends spfquery python3-spf nsd iproute2
