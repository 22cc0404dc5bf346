#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shipped monitoring definitions, loaded by the real engines.

    test_engine.py icinga2|nagios4 --binary BUILD/mailcheck --source-dir SRC

icinga2: a minimal configuration in a temp dir that includes
contrib/icinga2/mailcheck.conf is validated with `icinga2 daemon -C`
(and including it twice must fail: proof the file is read); then the daemon
runs for real with a checker, the service runs check_mailcheck (a link to
the binary, so the plugin name's defaults apply) offline on
tests/schema/zones, and the state Icinga recorded in its state file is read
back.  nagios4: the same with contrib/nagios/mailcheck.cfg, `nagios4 -v`,
and the state read from status.dat.

Exits 77 (CTest: skipped) when the engine is not installed; CI installs both
(contrib/install-deps.sh).  Everything stays in the temp dir: no API
listener, no command pipe, no network.
"""

import argparse
import getpass
import grp
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
HOST = "mismatch.schema.test"  # a warning: FCrDNS holds, but the PTR names another host


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def zone_files(source_dir):
    d = os.path.join(source_dir, "tests", "schema", "zones")
    return [os.path.join(d, "schema.test.zone"), os.path.join(d, "2.0.192.in-addr.arpa.zone")]


def plugin_dir(tmp, binary):
    d = os.path.join(tmp, "plugins")
    os.makedirs(d)
    os.symlink(os.path.abspath(binary), os.path.join(d, "check_mailcheck"))
    return d


def wait_for(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- Icinga 2 ----

def icinga2(args):
    exe = shutil.which("icinga2") or (os.path.exists("/usr/sbin/icinga2") and "/usr/sbin/icinga2")
    if not exe:
        print("SKIP: icinga2 is not installed (Debian package icinga2-bin)")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="mailcheck-icinga2-")
    try:
        return run_icinga2(exe, tmp, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def icinga2_state(path):
    """The objects of an icinga2.state file (netstrings of JSON)."""
    data, i, out = open(path).read(), 0, []
    while i < len(data):
        colon = data.index(":", i)
        n = int(data[i:colon])
        out.append(json.loads(data[colon + 1:colon + 1 + n]))
        i = colon + 1 + n + 1
    return out


def run_icinga2(exe, tmp, args):
    conf = os.path.join(args.source_dir, "contrib", "icinga2", "mailcheck.conf")
    plugins = plugin_dir(tmp, args.binary)
    dirs = {}
    for name in ("DataDir", "LogDir", "CacheDir", "SpoolDir", "InitRunDir"):
        dirs[name] = os.path.join(tmp, name.lower())
        os.makedirs(dirs[name])
    defines = ["-D%s=%s" % kv for kv in dirs.items()]
    defines += ["-DRunAsUser=" + getpass.getuser(),
                "-DRunAsGroup=" + grp.getgrgid(os.getgid()).gr_name]
    zones = ", ".join(json.dumps(z) for z in zone_files(args.source_dir))
    main = os.path.join(tmp, "icinga2.conf")

    def write(include_twice=False, checker=False):
        with open(main, "w") as f:
            f.write('include <itl>\n'
                    'const PluginDir = %s\n'
                    'const NodeName = "engine.mailcheck.test"\n'
                    'const ZoneName = NodeName\n'
                    'object Endpoint NodeName {}\n'
                    'object Zone ZoneName { endpoints = [ NodeName ] }\n'
                    % json.dumps(plugins))
            f.write('include %s\n' % json.dumps(conf))
            if include_twice:
                f.write('include %s\n' % json.dumps(conf))
            f.write('object Host "mail" {\n'
                    '  check_command = "dummy"\n'
                    '  enable_active_checks = false\n'
                    '}\n'
                    'object Service "mailcheck" {\n'
                    '  host_name = "mail"\n'
                    '  check_command = "mailcheck"\n'
                    '  check_interval = 1s\n'
                    '  retry_interval = 1s\n'
                    '  vars.mailcheck_hostname = "%s"\n'
                    '  vars.mailcheck_offline = true\n'
                    '  vars.mailcheck_zone = [ %s ]\n'
                    '  vars.mailcheck_warning = "30"\n'
                    '  vars.mailcheck_critical = "60"\n'
                    '  vars.mailcheck_timeout = "5"\n'
                    '  vars.mailcheck_verbose = true\n'
                    '}\n' % (HOST, zones))
            if checker:
                f.write('object CheckerComponent "checker" {}\n')

    # 1. The engine's own validation.
    write()
    t0 = time.monotonic()
    p = subprocess.run([exe, "daemon", "-C", "-c", main] + defines, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        fail("icinga2 daemon -C rejects the configuration:\n" + out)
    if "Instantiated 1 Service" not in out:
        fail("icinga2 did not instantiate the service:\n" + out)
    print("icinga2 daemon -C: valid (%.1f s)" % (time.monotonic() - t0))
    write(include_twice=True)
    p = subprocess.run([exe, "daemon", "-C", "-c", main] + defines, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    if p.returncode == 0:
        fail("icinga2 accepts the CheckCommand twice: is the shipped file read at all?")

    # 2. A real check through the engine.
    write(checker=True)
    t0 = time.monotonic()
    log = open(os.path.join(tmp, "daemon.log"), "w+")
    proc = subprocess.Popen([exe, "daemon", "-x", "notice", "-c", main] + defines,
                            stdout=log, stderr=subprocess.STDOUT)
    ran = re.compile(r"check_mailcheck.*terminated with exit code")
    try:
        ok = wait_for(lambda: ran.search(open(log.name).read()) is not None, 30)
    finally:
        stop(proc)
    if not ok:
        fail("icinga2 ran no check within 30 s:\n" + open(log.name).read()[-3000:])
    state = os.path.join(dirs["DataDir"], "icinga2.state")
    services = [o for o in icinga2_state(state) if o.get("type") == "Service"]
    if len(services) != 1:
        fail("state file has %d services" % len(services))
    cr = services[0]["update"].get("last_check_result") or {}
    print("icinga2 recorded: exit_status=%s output=%r perfdata=%r command=%r"
          % (cr.get("exit_status"), (cr.get("output") or "")[:120], cr.get("performance_data"),
             cr.get("command")))
    if cr.get("exit_status") != 1:
        fail("expected exit_status 1 (WARNING), got %r" % cr.get("exit_status"))
    if not (cr.get("output") or "").startswith("MAILCHECK WARNING - %s: " % HOST):
        fail("unexpected output %r" % cr.get("output"))
    perf = cr.get("performance_data") or []
    if not any(re.fullmatch(r"time=\d+\.\d{3}s;30;60;0", p) for p in perf) or \
            "addresses=1;;;0" not in perf:
        fail("Icinga did not parse the perfdata as expected: %r" % perf)
    if "-w" not in cr.get("command", []) or "--offline" not in cr.get("command", []):
        fail("the CheckCommand's arguments are missing: %r" % cr.get("command"))
    print("icinga2 ran the check: %.1f s" % (time.monotonic() - t0))
    return 0


# ---- Nagios 4 ----

def nagios4(args):
    exe = shutil.which("nagios4") or (os.path.exists("/usr/sbin/nagios4") and "/usr/sbin/nagios4")
    if not exe:
        print("SKIP: nagios4 is not installed (Debian package nagios4-core)")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="mailcheck-nagios4-")
    try:
        return run_nagios4(exe, tmp, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_nagios4(exe, tmp, args):
    shipped = os.path.join(args.source_dir, "contrib", "nagios", "mailcheck.cfg")
    plugins = plugin_dir(tmp, args.binary)
    var = os.path.join(tmp, "var")
    spool = os.path.join(tmp, "spool")
    os.makedirs(var)
    os.makedirs(spool)
    main = os.path.join(tmp, "nagios.cfg")
    objects = os.path.join(tmp, "objects.cfg")
    with open(os.path.join(tmp, "resource.cfg"), "w") as f:
        f.write("$USER1$=%s\n" % plugins)
    zones = " ".join("--zone " + z for z in zone_files(args.source_dir))
    days = "".join("    %s 00:00-24:00\n" % d for d in
                   ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"))
    with open(objects, "w") as f:
        f.write("define timeperiod {\n    timeperiod_name always\n    alias always\n%s}\n" % days)
        f.write("define command {\n    command_name notify-none\n    command_line /bin/true\n}\n")
        f.write("define contact {\n    contact_name nobody\n"
                "    host_notifications_enabled 0\n    service_notifications_enabled 0\n"
                "    host_notification_period always\n    service_notification_period always\n"
                "    host_notification_options n\n    service_notification_options n\n"
                "    host_notification_commands notify-none\n"
                "    service_notification_commands notify-none\n}\n")
        f.write("define host {\n    host_name mail\n    address 192.0.2.11\n"
                "    max_check_attempts 1\n    check_period always\n"
                "    active_checks_enabled 0\n    contacts nobody\n"
                "    notification_period always\n}\n")
        f.write("define service {\n    host_name mail\n    service_description mail DNS\n"
                "    check_command check_mailcheck_args!%s!--offline %s -w 30 -c 60\n"
                "    max_check_attempts 1\n    check_interval 1\n    retry_interval 1\n"
                "    check_period always\n    contacts nobody\n"
                "    notification_period always\n}\n" % (HOST, zones))

    def write(twice=False):
        with open(main, "w") as f:
            for k, v in (("log_file", var + "/nagios.log"), ("cfg_file", shipped),
                         ("cfg_file", objects), ("resource_file", tmp + "/resource.cfg"),
                         ("status_file", var + "/status.dat"), ("status_update_interval", "1"),
                         ("object_cache_file", var + "/objects.cache"),
                         ("precached_object_file", var + "/objects.precache"),
                         ("temp_file", var + "/nagios.tmp"), ("temp_path", var),
                         ("lock_file", var + "/nagios.lock"),
                         ("state_retention_file", var + "/retention.dat"),
                         ("retain_state_information", "0"), ("check_result_path", spool),
                         ("command_file", var + "/nagios.cmd"), ("check_external_commands", "0"),
                         ("nagios_user", getpass.getuser()),
                         ("nagios_group", grp.getgrgid(os.getgid()).gr_name),
                         ("interval_length", "1"), ("enable_notifications", "0"),
                         ("use_syslog", "0")):
                f.write("%s=%s\n" % (k, v))
            if twice:
                f.write("cfg_file=%s\n" % shipped)

    write()
    p = subprocess.run([exe, "-v", main], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0 or not re.search(r"Total Errors:\s+0", out):
        fail("nagios4 -v rejects the configuration:\n" + out)
    print("nagios4 -v: valid")
    write(twice=True)
    p = subprocess.run([exe, "-v", main], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    if p.returncode == 0:
        fail("nagios4 accepts the commands twice: is the shipped file read at all?")
    write()

    t0 = time.monotonic()
    proc = subprocess.Popen([exe, main], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    status = os.path.join(var, "status.dat")

    def service_status():
        try:
            text = open(status).read()
        except OSError:
            return None
        m = re.search(r"servicestatus \{\n(.*?)\n\s*\}", text, re.S)
        if not m:
            return None
        fields = dict(re.findall(r"^\s*([a-z_]+)=(.*)$", m.group(1), re.M))
        return fields if fields.get("has_been_checked") == "1" else None

    try:
        ok = wait_for(lambda: service_status() is not None, 30)
        fields = service_status()
    finally:
        stop(proc)
    if not ok:
        fail("nagios4 ran no check within 30 s; log:\n" + open(var + "/nagios.log").read()[-3000:])
    print("nagios4 recorded: current_state=%s plugin_output=%r performance_data=%r"
          % (fields.get("current_state"), fields.get("plugin_output", "")[:120],
             fields.get("performance_data")))
    if fields.get("current_state") != "1":
        fail("expected current_state 1 (WARNING)")
    if not fields.get("plugin_output", "").startswith("MAILCHECK WARNING - %s: " % HOST):
        fail("unexpected plugin_output")
    if not re.match(r"time=\d+\.\d{3}s;30;60;0 queries=0;;;0 addresses=1;;;0",
                    fields.get("performance_data", "")):
        fail("unexpected performance_data")
    print("nagios4 ran the check: %.1f s" % (time.monotonic() - t0))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=("icinga2", "nagios4"))
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    args.source_dir = os.path.abspath(args.source_dir)
    return icinga2(args) if args.engine == "icinga2" else nagios4(args)


if __name__ == "__main__":
    sys.exit(main())
