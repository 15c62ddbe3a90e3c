#!/bin/sh
# The shipped systemd unit (conf.d/shoper-sync.service) parses with the
# installed systemd (no unknown or misspelt directive) and does not use
# StateDirectory=, which would chown the index directory back to the
# service's group at every start and lock the mail processes out of it.
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
unit=$TOP_SRCDIR/conf.d/shoper-sync.service
. "$TOP_SRCDIR/tests/lib/tap.sh"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "ok 1 # SKIP systemd-analyze not installed"
	echo "1..1"
	exit 0
fi
T=$(mktemp -d /tmp/shoper-unit.XXXXXX)
trap 'rm -rf "$T"' EXIT
# the unit as installed, with the binary of this build
sed -e "s|^ExecStart=/usr/sbin/shoper-sync|ExecStart=$TOP_BUILDDIR/cli/shoper-sync|" \
	-e '/^Documentation=/d' "$unit" >"$T/shoper-sync.service"
systemd-analyze verify "$T/shoper-sync.service" >"$T/out" 2>&1
check "systemd-analyze verify: no complaint about the unit" \
	sh -c "! grep -v -i 'network-online\|multi-user' '$T/out' | grep -q ."
[ -s "$T/out" ] && sed 's/^/# /' "$T/out"
check "no StateDirectory= (it would reset the index directory's group)" \
	sh -c "! grep -q '^StateDirectory' '$unit'"
check "ExecStart runs the daemon" grep -q '^ExecStart=.*shoper-sync daemon$' "$unit"
tap_done
