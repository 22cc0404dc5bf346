# SPDX-License-Identifier: MIT
"""What the benchmark scripts (bench/spf_latency.py, bench/batch_bench.py)
share: running a command, NSD's configuration and start on a loopback port,
and re-running a script inside a private network and mount namespace."""

import os
import shutil
import subprocess
import sys

NSD_SERVER = """server:
  ip-address: 127.0.0.1@{port}
  port: {port}
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "{d}/zone.list"
  xfrdfile: "{d}/xfrd.state"
  xfrdir: "{d}"
  pidfile: "{d}/nsd.pid"
  logfile: "{d}/nsd.log"
  zonesdir: "{d}"
  server-count: 1
"""


def sh(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw).stdout


def nsd_conf(port, workdir, rrl=True, control_interface=None):
    """The server: and remote-control: sections of an nsd.conf for one NSD
    process on 127.0.0.1:PORT keeping its files in WORKDIR (the zone:
    sections follow).  RRL=False turns response rate limiting off;
    CONTROL_INTERFACE (a socket path) enables nsd-control there."""
    text = NSD_SERVER.format(port=port, d=workdir)
    if not rrl:
        text += "  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n"
    text += "remote-control:\n"
    if control_interface:
        text += "  control-enable: yes\n  control-interface: %s\n" % control_interface
    else:
        text += "  control-enable: no\n"
    return text


def spawn_nsd(conf):
    """Starts NSD in the foreground with CONF, in its own session, output
    discarded; returns the Popen (the caller waits for it to answer)."""
    nsd = shutil.which("nsd") or "/usr/sbin/nsd"
    return subprocess.Popen([nsd, "-c", conf, "-d"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def rerun_unshared(script):
    """Runs SCRIPT again with --inner and this process's arguments, in a
    private network and mount namespace; returns its exit status."""
    argv = ["unshare", "-n", "-m", "--propagation", "private", sys.executable,
            os.path.abspath(script), "--inner"] + sys.argv[1:]
    return subprocess.call(argv)
