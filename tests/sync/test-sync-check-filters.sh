#!/bin/sh
# `check` and filters_dir: it must exist or be creatable (one level), be a
# directory the mail processes can read, and sievec must be there; each
# problem as "problem: FILE:LINE: problem; fix" pointing at filters_dir.
# Also the shop's time zone (application-config's locale_timezone).
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 20 --customers 10 || exit 1
chmod 2750 "$T/index"
GOOD=$T/good.conf
cp "$CONF" "$GOOD"
check_with() { # FILTERS_DIR [SIEVEC]: check with filters_dir set; RC, OUT
	sed "/^state_dir/a filters_dir = $1" "$GOOD" >"$T/f.conf"
	# /bin/true: an executable standing in for sievec
	OUT=$(SHOPER_SIEVEC=${2-/bin/true} "$SYNC_BIN" -c "$T/f.conf" check 2>&1)
	RC=$?
	echo "$OUT" | sed 's/^/# /'
}

sync_run check
[ "$RC" -eq 0 ] && ! echo "$OUT" | grep -q filters_dir
tap $? "no filters_dir: nothing said about it, exit 0"
echo "$OUT" | grep -q '^ok: \[shop sklep1\] time zone Europe/Warsaw '
tap $? "the shop's time zone (locale_timezone) is shown"

check_with "$T/filters"
[ "$RC" -eq 0 ] &&
	echo "$OUT" | grep -q "^ok: filters_dir $T/filters does not exist yet; the first sync creates it" &&
	echo "$OUT" | grep -q "^ok: sievec /bin/true"
tap $? "missing filters_dir in a writable directory: ok, created by the first sync"
line=$(grep -n '^filters_dir' "$T/f.conf" | cut -d: -f1)

check_with "$T/no/such/filters"
[ "$RC" -eq 1 ] &&
	echo "$OUT" | grep -q "^problem: $T/f.conf:$line: filters_dir $T/no/such/filters cannot be created: $T/no/such does not exist; create it: install -d -m 0755 $T/no/such/filters"
tap $? "parent missing: problem at FILE:$line with the install -d fix, exit 1"

: >"$T/plain"
check_with "$T/plain"
[ "$RC" -eq 1 ] &&
	echo "$OUT" | grep -q "^problem: $T/f.conf:$line: filters_dir $T/plain is not a directory; "
tap $? "a file, not a directory: problem with its fix"

mkdir -m 0700 "$T/private"
check_with "$T/private"
[ "$RC" -eq 1 ] &&
	echo "$OUT" | grep -q "^problem: $T/f.conf:$line: filters_dir $T/private is not readable by the mail processes (mode 0700); run chmod 755 $T/private"
tap $? "mode 0700: the mail processes can't read it, chmod 755"

mkdir -m 0755 "$T/filters"
check_with "$T/filters"
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "^ok: filters_dir $T/filters (mode 0755)"
tap $? "an existing 0755 directory: ok, exit 0"

check_with "$T/filters" "$T/no-sievec"
[ "$RC" -eq 1 ] &&
	echo "$OUT" | grep -q "^problem: $T/f.conf:$line: filters_dir is set but $T/no-sievec is missing, .*; install Pigeonhole's sievec"
tap $? "no sievec: problem with the package to install"

check_with "$T/filters" ""
[ "$RC" -eq 0 ] && ! echo "$OUT" | grep -q sievec
tap $? "SHOPER_SIEVEC empty (compiling off): no sievec check"
tap_end
