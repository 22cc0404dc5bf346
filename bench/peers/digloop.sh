#!/bin/bash
# SPDX-License-Identifier: MIT
# The shell function of the README's opening, as administrators run it today, over a file
# of "HOST FROM-DOMAIN" lines (the TXT lookup asks the line's sender domain
# instead of example.com).  One "== HOST" line before each host's output, for
# bench/batch_bench.py to read.  Uses the system resolver (/etc/resolv.conf).
check() {
  a=${1}.   # add trailing dot
  ip=$(dig +short A $a);    ptr=$(dig +short -x $ip)
  [[ $a == $ptr ]] && echo "ipv4 correct" || echo "$1 ipv4 resolved to $ip, whose PTR is $ptr, not $a"
  ip6=$(dig +short AAAA $1); ptr=$(dig +short -x $ip6)
  [[ $a == $ptr ]] && echo "ipv6 correct" || echo "$1 ipv6 resolved to $ip, whose PTR is $ptr, not $a"
  dig TXT $2 | grep spf
}
while read -r host domain; do
  echo "== $host"
  check "$host" "$domain" 2>/dev/null
done < "$1"
