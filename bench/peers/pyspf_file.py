#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pyspf over an spfquery -file style input (IP SENDER HELO a line), in one
process: prints one result word a line.  The system resolver's server
(/etc/resolv.conf) answers."""
import sys

import spf

for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 2:
        continue
    try:
        result = spf.check2(i=f[0], s=f[1], h=f[2] if len(f) > 2 else "", querytime=20)[0]
    except Exception as e:  # pyspf raises on some inputs: that is its answer
        result = "exception:%s" % type(e).__name__
    print(result, flush=False)
