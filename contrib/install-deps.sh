#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what mailcheck needs to build and test on Debian 12 (run as root).
# Package services (nsd) are kept from starting: the tests start their own
# servers on loopback ports.
set -eu
export DEBIAN_FRONTEND=noninteractive
packages="build-essential cmake pkg-config
  libc-ares-dev libldns-dev libpsl-dev libjansson-dev libidn2-dev libssl-dev libcmocka-dev
  nsd ldnsutils openssl python3 iproute2 util-linux
  valgrind clang-14 libclang-rt-14-dev clang-format-14
  python3-jsonschema python3-spf python3-yaml mandoc man-db bsdutils prometheus icinga2-bin nagios4-core
  postfix"
extra="${MAILCHECK_EXTRA_PACKAGES:-}"

policy=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  made_policy=yes
fi
# An if, not "&&": under set -e a false test as the trap's last command
# would become the script's exit status when the policy file was already there.
cleanup() {
  if [ "$made_policy" = yes ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $packages $extra
