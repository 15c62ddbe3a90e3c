#!/bin/sh
# Runs a command as root in a fresh Debian 13 (trixie) chroot, on a copy of
# this checkout, exactly as a new user on a Debian 13 machine would:
#
#   scripts/debian13-chroot.sh [-r RELEASE] [-d DIR] [--keep] [--fresh] CMD...
#   e.g. scripts/debian13-chroot.sh ./scripts/test.sh
#
# -r bookworm makes a Debian 12 chroot instead (default: trixie; DIR
# should then differ). --fresh starts over from the chroot as debootstrap
# made it (kept as DIR.base.tar), e.g. to test installing packages.
#
# The chroot is made with debootstrap from this host's configured apt mirror
# (the only network there may be), the checkout's files (git ls-files, plus
# uncommitted changes) are copied to /src inside, and CMD runs there after a
# cd. Whatever happens, every process whose root is the chroot is stopped and
# proc, dev and dev/pts are unmounted at the end; the chroot itself is kept
# for the next run (--keep: also keep the build trees in /src).
# Needs root and about 1.5 GB of disk.
set -eu
cd "$(dirname "$0")/.."
dir=${SHOPER_CHROOT:-/var/tmp/shoper-trixie}
keep=0
fresh=0
release=trixie
while [ $# -gt 0 ]; do
	case $1 in
	-d) dir=$2; shift 2 ;;
	-r) release=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--fresh) fresh=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-r RELEASE] [-d DIR] [--keep] [--fresh] CMD..." >&2; exit 2; }
case $release in
bookworm | trixie) ;;
*) echo "$0: -r bookworm or trixie" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "$0: needs root (chroot, mounts)" >&2; exit 2; }

# The host's mirror: first URIs of a deb822 source, else of sources.list.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
security=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*security[^[:space:]]*\).*/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$security" ] || security=${mirror%/debian}/debian-security

stop_chroot() {	# every process whose root is the chroot, then the mounts
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$r" = "$dir" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 0.2
	for m in dev/pts dev proc; do
		mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m"
	done
	# our bind of the directory onto itself (not a file system of its own)
	[ "$(findmnt -n -o FSROOT --mountpoint "$dir" 2>/dev/null | tail -1)" \
		!= / ] && mountpoint -q "$dir" 2>/dev/null && umount -l "$dir"
	return 0
}

if [ "$fresh" = 1 ] && [ -f "$dir.base.tar" ]; then
	stop_chroot
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -C "$dir" -xf "$dir.base.tar"
fi
if [ ! -x "$dir/usr/bin/apt-get" ] || [ ! -f "$dir/.shoper-ready" ]; then
	command -v debootstrap >/dev/null || {
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends debootstrap >/dev/null
	}
	stop_chroot
	rm -rf "$dir"
	echo "debian13-chroot: debootstrap $release from $mirror"
	debootstrap --variant=minbase "$release" "$dir" "$mirror" >"$dir.log" 2>&1 ||
		{ tail -20 "$dir.log"; echo "debootstrap failed" >&2; exit 1; }
	cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $release $release-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $release-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	rm -f "$dir/etc/apt/sources.list"
	ln -sf /proc/self/mounts "$dir/etc/mtab"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || :
	touch "$dir/.shoper-ready"
	tar -C "$dir" -cf "$dir.base.tar" .
fi

trap stop_chroot EXIT
trap 'exit 130' INT TERM
stop_chroot
# The chroot's / a mount point of its own, so that unshare -m (a private
# mount namespace, e.g. to show doveconf a settings module) works inside.
mountpoint -q "$dir" || mount --bind "$dir" "$dir"
mount -t proc proc "$dir/proc"
mount --bind /dev "$dir/dev"
mount -t devpts devpts "$dir/dev/pts" 2>/dev/null || :

# A copy of the checkout as a new user would have it (no build trees).
# --keep keeps the build trees only: every other file is copied afresh, so
# a file moved or deleted in the checkout never survives in the copy (an
# old header there shadowed the moved one), and with today's times, so
# make rebuilds what a kept tree built from older sources.
untar="tar -C $dir/src -xf -"
if [ "$keep" = 1 ] && [ -d "$dir/src" ]; then
	find "$dir/src" -mindepth 1 -maxdepth 1 ! -name build ! -name build-asan \
		! -name 'obj-*' -exec rm -rf {} +
	untar="$untar -m"
else
	rm -rf "$dir/src"
fi
mkdir -p "$dir/src"
if [ -d .git ] || [ -f .git ]; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf - 2>/dev/null | $untar
else
	tar --exclude='./build' --exclude='./build-asan' --exclude='./build[0-9]*' -cf - . | $untar
fi
# ../shared beside the checkout, where the tests may look for it.
[ -d ../shared ] && { rm -rf "$dir/shared"; cp -r ../shared "$dir/shared"; }

# In the background with a wait: a TERM or INT (a CI time limit) then
# reaches the trap at once, not only when CMD has finished by itself.
rc=0
chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 CI="${CI:-}" TESTS_FILTER="${TESTS_FILTER:-}" \
	/bin/sh -c 'cd /src && exec "$@"' sh "$@" </dev/null &
wait $! || rc=$?
exit $rc
