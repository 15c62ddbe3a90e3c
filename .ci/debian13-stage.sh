#!/bin/sh
# .ci/run's Debian 13 stage, inside the chroot scripts/debian13-chroot.sh
# makes (as root, in a fresh copy of the checkout): the exact Dovecot and
# Pigeonhole packages, the README's test command, then the sanitizer build
# and its tests, as on Debian 12.
#   sh .ci/debian13-stage.sh SANITIZER-TESTS-FILTER
set -eu
sh scripts/setup.sh
echo "== Debian $(cat /etc/debian_version):" \
	"$(dpkg-query -W -f '${Package} ${Version}  ' dovecot-core dovecot-sieve)"
echo "== README test command: scripts/test.sh"
sh scripts/test.sh
echo "== sanitizer build (--enable-sanitizers)"
mkdir -p build-asan
(cd build-asan && ../configure -q --enable-sanitizers &&
	make -s -j2 >/dev/null)
(cd build-asan && TESTS_FILTER=$1 make -s check)
