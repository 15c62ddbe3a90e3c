#!/bin/sh
# The Debian packages end to end, for Debian 12 and 13 (as root; not a
# test-*.sh: make check does not run it, .ci/run does):
#   tests/deb/run-deb.sh [bookworm] [trixie]      (default: both)
# Builds them (Debian 12 on this host when it is Debian 12, Debian 13 in
# the chroot of scripts/debian13-chroot.sh, $SHOPER_CHROOT), checks that
# lintian finds no error, then runs tests/deb/install-test.sh in a fresh
# chroot of each release (DIR/fresh-RELEASE, reset from DIR/fresh-RELEASE.base.tar).
# DIR: $SHOPER_DEB_DIR, default /var/tmp/shoper-deb; packages in DIR/RELEASE/.
set -eu
cd "$(dirname "$0")/../.."
work=${SHOPER_DEB_DIR:-/var/tmp/shoper-deb}
releases=${*:-bookworm trixie}
chroot_sh="sh scripts/debian13-chroot.sh"
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }
mkdir -p "$work"
t0=$(date +%s)
say() { echo "== deb: $* ($(($(date +%s) - t0))s)"; }
rc=0
for r in $releases; do
	say "$r: build"
	host=$(. /etc/os-release; echo "${VERSION_CODENAME:-}")
	if [ "$host" = "$r" ]; then
		sh tests/deb/build-debs.sh "$work/$r"
	else
		bdir=${SHOPER_CHROOT:-/var/tmp/shoper-trixie}
		[ "$r" = trixie ] || bdir=$work/build-$r
		SHOPER_CHROOT=$bdir $chroot_sh -r "$r" --keep \
			sh tests/deb/build-debs.sh /deb-out
		rm -rf "${work:?}/$r"
		cp -r "$bdir/deb-out" "$work/$r"
	fi
	sed 's/^/# lintian: /' "$work/$r/lintian.txt"
	if grep -q '^E: ' "$work/$r/lintian.txt"; then
		echo "not ok - $r: lintian reports errors"
		rc=1
	else
		echo "ok - $r: lintian: $(grep -c '^E: ' "$work/$r/lintian.txt") errors, $(grep -c '^W: ' "$work/$r/lintian.txt") warnings"
	fi
	say "$r: install, upgrade, remove, purge in a fresh chroot"
	fresh=$work/fresh-$r
	$chroot_sh -r "$r" -d "$fresh" --fresh true
	rm -rf "$fresh/debs"
	mkdir -p "$fresh/debs"
	cp -r "$work/$r/v1" "$work/$r/v2" "$fresh/debs/"
	$chroot_sh -r "$r" -d "$fresh" --keep sh tests/deb/install-test.sh /debs ||
		rc=1
done
say "done"
exit $rc
