#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The CPack Debian package: built with `cpack -G DEB`, its control data and
contents checked with dpkg-deb -I / -c, its tree extracted and run; and,
when run as root on a throwaway machine (CI=true, as .ci/run is, or
MAILCHECK_TEST_DPKG_INSTALL=1), really installed with `dpkg -i`, run from
/usr/bin and the plugin directory, and removed again.

    test_deb.py --build-dir BUILD
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEPENDS = ["libc-ares2", "libldns3", "libpsl5", "libjansson4", "libidn2-0", "libssl3"]
CONTENTS = {
    "./usr/bin/mailcheck": None,
    "./usr/bin/check_mailcheck": "mailcheck",
    "./usr/lib/nagios/plugins/check_mailcheck": "../../../bin/mailcheck",
    "./usr/share/man/man1/mailcheck.1": None,
    "./usr/share/mailcheck/mailcheck-host.schema.json": None,
    "./usr/share/mailcheck/mailcheck-spf.schema.json": None,
    "./usr/share/mailcheck/mailcheck-domain.schema.json": None,
    "./usr/share/mailcheck/dnsbl.conf": None,
    "./usr/share/mailcheck/icinga2/mailcheck.conf": None,
    "./usr/share/mailcheck/nagios/mailcheck.cfg": None,
}


def sh(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    a = ap.parse_args()
    failures = []
    for tool in ("cpack", "dpkg-deb"):
        if not shutil.which(tool):
            print("FAIL: %s not found" % tool)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = sh(["cpack", "-G", "DEB", "--config",
                      os.path.join(a.build_dir, "CPackConfig.cmake"), "-B", tmp])
        print(out)
        debs = glob.glob(os.path.join(tmp, "*.deb"))
        if rc != 0 or len(debs) != 1:
            print("FAIL: cpack made no .deb")
            return 1
        deb = debs[0]

        rc, info = sh(["dpkg-deb", "-I", deb])
        print(info)
        fields = dict(re.findall(r"^ ([A-Za-z-]+): (.*)$", info, re.M))
        if fields.get("Package") != "mailcheck":
            failures.append("Package is %r" % fields.get("Package"))
        if not re.fullmatch(r"\d+\.\d+\.\d+", fields.get("Version", "")):
            failures.append("Version %r" % fields.get("Version"))
        depends = fields.get("Depends", "")
        for d in DEPENDS:
            if not re.search(r"(^|, )%s( \(|,|$)" % re.escape(d), depends):
                failures.append("Depends lacks %s: %r" % (d, depends))

        rc, listing = sh(["dpkg-deb", "-c", deb])
        print(listing)
        entries = {}
        for line in listing.splitlines():
            m = re.match(r"^(\S+) \S+ +\d+ \S+ \S+ (\./\S+?)(?: -> (\S+))?$", line)
            if m:
                entries[m.group(2).rstrip("/")] = (m.group(1), m.group(3))
        for path, target in CONTENTS.items():
            if path not in entries:
                failures.append("%s not in the package" % path)
            elif target and entries[path] != ("lrwxrwxrwx", target):
                failures.append("%s is %r, not a link to %s" % (path, entries[path], target))
            elif not target and not entries[path][0].startswith("-"):
                failures.append("%s is not a regular file" % path)
        outside = [p for p in entries if p != "." and p != "./usr" and not p.startswith("./usr/")]
        if outside:
            failures.append("files outside /usr: %s" % outside)

        root = os.path.join(tmp, "root")
        rc, out = sh(["dpkg-deb", "-x", deb, root])
        plugin = os.path.join(root, "usr/lib/nagios/plugins/check_mailcheck")
        rc, out = sh([plugin, "-V"])
        if rc != 3 or not out.startswith("mailcheck "):
            failures.append("extracted check_mailcheck -V: exit %d: %s" % (rc, out))
        # The package's own blocklist table, found beside the binary the
        # link leads to (the build's prefix is not /usr).
        table = os.path.join(root, "usr/bin/../share/mailcheck/dnsbl.conf")
        if "blocklist table %s\n" % table not in out:
            failures.append("extracted check_mailcheck -V does not name %s: %s" % (table, out))

        install = os.environ.get("MAILCHECK_TEST_DPKG_INSTALL") == "1" or \
            os.environ.get("CI") == "true"
        if install and os.geteuid() == 0 and shutil.which("dpkg"):
            rc, out = sh(["dpkg-query", "-W", "-f=${Status}", "mailcheck"])
            if rc == 0 and "installed" in out:
                print("dpkg -i skipped: a mailcheck package is already installed")
            else:
                rc, out = sh(["dpkg", "-i", deb])
                print(out)
                try:
                    if rc != 0:
                        failures.append("dpkg -i failed")
                    else:
                        rc, out = sh(["/usr/bin/mailcheck", "--version"])
                        print("/usr/bin/mailcheck --version:\n" + out)
                        if rc != 0 or not out.startswith("mailcheck " + fields.get("Version", "")):
                            failures.append("/usr/bin/mailcheck --version: exit %d" % rc)
                        rc, out = sh(["/usr/lib/nagios/plugins/check_mailcheck", "--offline",
                                      "-H", "mail.example.test"])
                        print(out)
                        if rc != 3 or not out.startswith("MAILCHECK UNKNOWN - "):
                            failures.append("installed check_mailcheck: exit %d" % rc)
                        rc, out = sh(["dpkg", "-L", "mailcheck"])
                        if "/usr/share/man/man1/mailcheck.1" not in out:
                            failures.append("dpkg -L lacks the man page")
                finally:
                    rc, out = sh(["dpkg", "--purge", "mailcheck"])
                    if rc != 0 or os.path.exists("/usr/bin/mailcheck"):
                        failures.append("dpkg --purge failed: " + out)
                print("dpkg -i, run and purge: done")
        else:
            print("dpkg -i skipped: needs root and CI=true or MAILCHECK_TEST_DPKG_INSTALL=1")
    for f in failures:
        print("FAIL: " + f)
    print("deb: %d problems" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
