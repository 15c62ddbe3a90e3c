#!/bin/sh
# The index's filesystem full at publish time (a small tmpfs as the index
# directory): shoper-sync fails with a message naming the index and the
# cause, the previous index stays byte for byte and readable, no temporary
# file is left behind, and the next sync after space is freed publishes.
# Skipped where mounting a tmpfs is not permitted.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
mnt=$T/index
if ! mount -t tmpfs -o size=512k,mode=2750 tmpfs "$mnt" 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs here (needs root, CAP_SYS_ADMIN)"
	exit 0
fi
trap 'umount "$mnt" 2>/dev/null; sync_cleanup' EXIT
sync_add_shop sklep1 --orders 300 --customers 50 || exit 1
shop_use sklep1
IDX=$mnt/orders.cdb

sync_run sync
tap "$RC" "first sync publishes into the small filesystem"
cp "$IDX" "$T/old.cdb"
tap_ok "index published ($(wc -c <"$IDX") bytes)" [ -s "$IDX" ]

# fill the filesystem, then give the shop something new to publish
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
shop_ctl POST /__test/orders '{"email":"full@example.pl","firstname":"F","lastname":"U","sum":"1.00","status_id":"1"}' >/dev/null
sync_run sync
tap_ok "sync with the index filesystem full fails (exit $RC)" [ "$RC" -ne 0 ]
echo "$OUT" | grep "$IDX" | grep -qi "no space left on device"
tap $? "the error names the index and says the filesystem is full"
cmp -s "$IDX" "$T/old.cdb"
tap $? "the previous index stays byte for byte"
"$SYNC_BIN" -c "$CONF" lookup nobody@example.invalid >/dev/null 2>&1
tap_ok "the previous index is still readable" [ $? -le 1 ]
left=$(ls -A "$mnt" | grep '\.tmp')
tap_ok "no temporary file left in the index directory (${left:-none})" [ -z "$left" ]

rm -f "$mnt/filler"
sync_run sync
tap "$RC" "after space is freed the next sync exits 0"
n_old=$(python3 "$TOP_SRCDIR/tests/faults/cdb_orders.py" "$T/old.cdb")
n_new=$(python3 "$TOP_SRCDIR/tests/faults/cdb_orders.py" "$IDX")
tap_ok "the new index is a whole cdb with one order more ($n_old, $n_new)" \
	[ "${n_new#orders=}" -eq $((${n_old#orders=} + 1)) ]
"$SYNC_BIN" -c "$CONF" lookup full@example.pl >"$T/l" 2>&1
tap $? "the new order is in the new index"
tap_end
