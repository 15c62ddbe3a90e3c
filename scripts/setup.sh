#!/bin/sh
# Installs what the build and tests need (Debian 12 or 13, as root) and
# builds everything out of tree in ./build, for the Dovecot installed (2.3
# or 2.4). Safe to run again.
set -eu
cd "$(dirname "$0")/.."
PKGS="dovecot-core dovecot-dev dovecot-lmtpd dovecot-imapd dovecot-sieve
 libcurl4-openssl-dev libjson-c-dev libcdb-dev libsqlite3-dev libmicrohttpd-dev
 autoconf automake libtool pkg-config make gcc clang
 clang-format cppcheck
 openssl python3 ca-certificates procps psmisc valgrind time
 roundcube-core roundcube-sqlite3 php-cli php-sqlite3
 chromium chromium-driver python3-selenium
 neomutt python3-pexpect python3-pyte
 libhiredis-dev redis-server redis-sentinel
 bsdextrautils"	# look(1): the delivery benchmark's extprograms lookup

# clang's sanitizer runtime has the LLVM version in its name: 14 on
# Debian 12, 19 on Debian 13.
. /etc/os-release
case "${VERSION_ID:-}" in
12*) PKGS="$PKGS libclang-rt-14-dev" ;;
*) PKGS="$PKGS libclang-rt-19-dev" ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	# The tests run their own private Dovecot; don't let the package's
	# postinst start the system one (nothing depends on it).
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] ||
   [ -n "$(find . -name Makefile.am -newer configure 2>/dev/null | head -1)" ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p build
cd build
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
	../configure -q --enable-werror
fi
make -s -j2 >/dev/null
series=$(sed -n 's/^#define SHOPER_DOVECOT_SERIES "\(.*\)"$/\1/p' config-shoper.h)
echo "built in $(pwd) for Dovecot $series"
