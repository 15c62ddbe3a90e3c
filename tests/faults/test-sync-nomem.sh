#!/bin/sh
# shoper-sync out of memory while building the index (an LD_PRELOAD shim,
# tests/tools/failalloc.c, fails every allocation above 256 KiB): the
# publish is aborted with exit 4 and a message, the previous index stays
# byte for byte and still finds a customer whose orders come last, and
# the next sync with memory publishes the new order. Before, every failed
# add counted as "skipped" and a partial index was published with exit 0.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
SHIM=$TOP_BUILDDIR/tests/tools/.libs/failalloc.so
if [ ! -f "$SHIM" ]; then
	echo "1..0 # SKIP $SHIM not built (make check builds it)"
	exit 0
fi
# the ASan runtime must come first in the library list: no shim there
if grep -q __asan_init "$SYNC_BIN" 2>/dev/null; then
	echo "1..0 # SKIP shoper-sync is built with ASan"
	exit 0
fi
sync_init
sync_add_shop sklep1 --orders 8000 --customers 2000 || exit 1
shop_use sklep1
IDX=$T/index/orders.cdb

sync_run sync
tap "$RC" "first sync publishes"
cp "$IDX" "$T/old.cdb"
# the index is built in order_id order: the newest order's customer is
# among the last added, the first to go missing from a partial index
known=$(sqlite3 "$STATE/state.db" "SELECT email FROM orders WHERE email LIKE '%@%' ORDER BY order_id DESC LIMIT 1")
"$SYNC_BIN" -c "$CONF" lookup "$known" >/dev/null 2>&1
tap $? "a known customer ($known) is found"

shop_ctl POST /__test/orders '{"email":"nomem@example.pl","firstname":"N","lastname":"M","sum":"1.00","status_id":"1"}' >/dev/null
OUT=$(LD_PRELOAD=$SHIM FAILALLOC_ABOVE=262144 "$SYNC_BIN" -c "$CONF" sync 2>&1)
RC=$?
echo "$OUT" | sed 's/^/# /'
tap_ok "sync out of memory while publishing: exit 4 (got $RC)" [ "$RC" -eq 4 ]
echo "$OUT" | grep "$IDX" | grep "not published" | grep -q "out of memory"
tap $? "it says the index was not published: out of memory"
cmp -s "$IDX" "$T/old.cdb"
tap $? "the previous index stays byte for byte"
"$SYNC_BIN" -c "$CONF" lookup "$known" >/dev/null 2>&1
tap $? "the known customer is still found"
left=$(ls -A "$T/index" | grep '\.tmp')
tap_ok "no temporary file left in the index directory (${left:-none})" [ -z "$left" ]

sync_run sync
tap "$RC" "the next sync with memory exits 0"
"$SYNC_BIN" -c "$CONF" lookup nomem@example.pl >/dev/null 2>&1
tap $? "and publishes the new order"
"$SYNC_BIN" -c "$CONF" lookup "$known" >/dev/null 2>&1
tap $? "with the known customer"
tap_end
