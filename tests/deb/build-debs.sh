#!/bin/sh
# Builds this checkout's Debian packages for the Dovecot installed here
# (as root, on Debian 12 or 13), twice: as they are into OUT/v1, and with a
# higher version into OUT/v2 for the upgrade test; lintian's report on
# OUT/v1 goes to OUT/lintian.txt.
#   sh tests/deb/build-debs.sh OUT
set -eu
cd "$(dirname "$0")/../.."
out=$1
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -y -q "$@" >/dev/null; }
apt_get update
apt_get install --no-install-recommends dpkg-dev debhelper lintian
apt_get build-dep ./

copy_src() { # DIR: the checkout as a user has it, without build trees
	mkdir -p "$1"
	if [ -d .git ] || [ -f .git ]; then
		git ls-files -z --cached --others --exclude-standard |
			tar --null -T - -cf - 2>/dev/null | tar -C "$1" -xf -
	else
		tar --exclude=./build --exclude='./build-[!a]*' --exclude=./debian/tmp \
			--exclude=./debian/.debhelper -cf - . | tar -C "$1" -xf -
	fi
}
rm -rf "$out"
copy_src "$out/v1/src"
copy_src "$out/v2/src"
v1=$(dpkg-parsechangelog -l debian/changelog -S Version)
{
	printf 'dovecot-shoper (%s+up1) unstable; urgency=medium\n\n' "$v1"
	printf '  * Rebuild with a higher version (upgrade test).\n\n'
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l debian/changelog -S Maintainer)" \
		"$(date -R)"
	cat debian/changelog
} >"$out/v2/src/debian/changelog"
(cd "$out/v1/src" && dpkg-buildpackage -us -uc -b >../build.log 2>&1) ||
	{ tail -40 "$out/v1/build.log"; exit 1; }
(cd "$out/v2/src" && DEB_BUILD_OPTIONS=nocheck \
	dpkg-buildpackage -us -uc -b >../build.log 2>&1) ||
	{ tail -40 "$out/v2/build.log"; exit 1; }
rm -rf "$out/v1/src" "$out/v2/src"
lintian --pedantic --info --display-info "$out"/v1/*.changes \
	>"$out/lintian.txt" 2>&1 || :
echo "built $(ls "$out/v1" | grep -c '\.deb$') packages, version $v1 and $v1+up1 ($(. /etc/os-release; echo "$PRETTY_NAME"))"
