#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fetches the source of the c-ares that Debian's next release ships, verified.

    cares-current.py OUTDIR [--suite trixie] [--mirror URL]

Debian 12 has c-ares 1.18; mailcheck must also build against current c-ares
(1.34 at the time of writing), and CI has no network but Debian's archive.
So the source comes from the archive, verified along Debian's own chain:
the suite's InRelease, checked with gpgv against debian-archive-keyring;
the SHA-256 it gives for main/source/Sources.xz; the SHA-256 that Sources
gives for c-ares' orig tarball.  The first suite whose tarball the mirror
has wins.  Writes OUTDIR/c-ares_VERSION.orig.tar.gz and prints
"VERSION PATH".

Exit status: 0 fetched and verified; 1 a check failed (a wrong signature or
checksum: never build that); 2 the archive could not be reached or has no
such package (the caller may skip).
"""

import argparse
import hashlib
import lzma
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def log(msg):
    print("cares-current: " + msg, file=sys.stderr, flush=True)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read()
    except (urllib.error.URLError, OSError) as e:
        log("cannot fetch %s: %s" % (url, e))
        return None


def apt_mirror():
    """The first Debian (not security) mirror apt uses here."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if path.endswith(".sources") and words[:1] == ["URIs:"]:
                uris = words[1:]
            elif words[:1] == ["deb"]:
                uris = [w for w in words[1:] if "://" in w][:1]
            else:
                continue
            for uri in uris:
                if "security" not in uri:
                    return uri.rstrip("/")
    return "http://deb.debian.org/debian"


def verified_release(mirror, suite, tmp):
    """The signed content of the suite's InRelease, checked by gpgv; None
    when it cannot be fetched."""
    data = fetch("%s/dists/%s/InRelease" % (mirror, suite))
    if data is None:
        return None
    signed = os.path.join(tmp, "InRelease")
    with open(signed, "wb") as f:
        f.write(data)
    content = os.path.join(tmp, "Release")
    p = subprocess.run(["gpgv", "--keyring", KEYRING, "--output", content, signed],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode == 1:  # gpgv: a bad signature
        log("InRelease of %s has a BAD signature:\n%s" % (suite, p.stdout.decode(errors="replace")))
        sys.exit(1)
    if p.returncode != 0:  # e.g. signed with a key this keyring lacks: cannot tell
        log("InRelease of %s cannot be verified with %s; not used:\n%s"
            % (suite, KEYRING, p.stdout.decode(errors="replace")))
        return None
    return open(content, encoding="utf-8").read()


def sha256_field(text, name):
    """The SHA-256 listed for NAME in a Release file's SHA256 section."""
    section = False
    for line in text.splitlines():
        if not line.startswith(" "):
            section = line.startswith("SHA256:")
            continue
        words = line.split()
        if section and len(words) == 3 and words[2] == name:
            return words[0]
    return None


def checked(data, want, what):
    got = hashlib.sha256(data).hexdigest()
    if got != want:
        log("%s: SHA-256 %s, expected %s" % (what, got, want))
        sys.exit(1)
    return data


def source_stanza(sources, package):
    for stanza in sources.split("\n\n"):
        fields, last = {}, None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and last:
                fields[last] += "\n" + line.strip()
            elif ":" in line:
                last, _, value = line.partition(":")
                fields[last] = value.strip()
        if fields.get("Package") == package:
            return fields
    return None


def candidate(mirror, suite):
    """(version, sha256, url) of c-ares' orig tarball as SUITE's signed
    index lists it, or None when SUITE cannot be read or has none."""
    with tempfile.TemporaryDirectory() as tmp:
        release = verified_release(mirror, suite, tmp)
    if release is None:
        return None
    want = sha256_field(release, "main/source/Sources.xz")
    index = fetch("%s/dists/%s/main/source/Sources.xz" % (mirror, suite)) if want else None
    if not index:
        return None
    checked(index, want, "%s Sources.xz" % suite)
    stanza = source_stanza(lzma.decompress(index).decode("utf-8", "replace"), "c-ares")
    for line in (stanza or {}).get("Checksums-Sha256", "").splitlines():
        words = line.split()
        if len(words) == 3 and words[2].endswith(".orig.tar.gz"):
            version = stanza["Version"].split(":")[-1].rsplit("-", 1)[0]
            return version, words[0], "%s/%s/%s" % (mirror, stanza["Directory"], words[2])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--suite", action="append",
                    help="where to look, in order (default: trixie, forky, sid)")
    ap.add_argument("--mirror", default=None)
    a = ap.parse_args()
    mirror = a.mirror or apt_mirror()
    # A mirror may lack a pool file its index still names (seen: the
    # newest c-ares of trixie): the next suite's may be there.
    for suite in a.suite or ["trixie", "forky", "sid"]:
        found = candidate(mirror, suite)
        if not found:
            continue
        version, want, url = found
        data = fetch(url)
        if data is None:
            continue
        checked(data, want, url)
        os.makedirs(a.outdir, exist_ok=True)
        path = os.path.join(a.outdir, url.rsplit("/", 1)[1])
        with open(path, "wb") as f:
            f.write(data)
        log("c-ares %s from %s (%s), SHA-256 verified" % (version, suite, url))
        print(version, path)
        return 0
    log("no verified c-ares source could be fetched from %s" % mirror)
    return 2


if __name__ == "__main__":
    sys.exit(main())
