#!/bin/sh
# The daemon's poll cycles publish incrementally: a cycle without a full
# pass puts the orders it read into the index's delta and leaves the base
# file alone (inode, mtime, size); lookup shows the change; the daily full
# pass folds (base rewritten, delta gone) and the deletion it finds is
# visible; the index matches the shop afterwards. The one-off `sync`
# keeps its full publish.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 200 --customers 50 --seed 5 || exit 1
sed -i 's/^\[sync\]$/[sync]\ninterval = 10/' "$CONF"
shop_use sklep1
IDX="$T/index/orders.cdb"

sync_run sync
tap "$RC" "backfill"

cycles() { grep -c "^index .*published" "$T/daemon.log"; }
cycles_reach() { [ "$(cycles)" -ge "$1" ]; }
wait_cycles() { wait_for 60 cycles_reach "$1"; } # N: the daemon's Nth cycle
sync_start_daemon
tap $? "daemon: first cycle publishes"
grep -q "^index .*published, [0-9]* orders$" "$T/daemon.log"
tap $? "daemon: its first cycle is a full publish"

status_of() { sync_order_field sklep1 "$1" status_id; } # ID: "8", GONE

set -- $(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id != 8 ORDER BY order_id DESC LIMIT 2")
A=$1 B=$2
status_of "$B" >/dev/null
base0=$(stat -c '%i %s %y' "$IDX")
n=$(cycles)
shop_ctl PUT /__test/orders/$A '{"status_id": "8"}' >/dev/null
wait_cycles $((n + 1))
tap $? "daemon: the next poll cycle ran"
tail -2 "$T/daemon.log" | sed 's/^/# daemon: /'
[ "$(status_of "$A")" = '"8"' ]
tap $? "the status change the poll picked up is visible in lookup"
[ "$(stat -c '%i %s %y' "$IDX")" = "$base0" ]
tap $? "incremental poll: the base index not rewritten (inode, size, mtime)"
[ -s "$IDX.delta" ]
tap $? "incremental poll: a delta holds the change"
grep -q "^index .*published, [0-9]* orders changed (incremental, [0-9]* ms)$" "$T/daemon.log"
tap $? "incremental poll: the daemon says so"
sync_compare sklep1
tap $? "base + delta match the shop"

# the daily full pass (made due here): it finds the deletion and folds
shop_ctl DELETE /__test/orders/$B >/dev/null
python3 - "$STATE/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("UPDATE cursors SET last_full_pass=0")
db.commit()
PY
n=$(cycles)
wait_cycles $((n + 1))
tap $? "daemon: the full pass ran"
tail -1 "$T/daemon.log" | sed 's/^/# daemon: /'
[ "$(status_of "$B")" = GONE ]
tap $? "the deletion the full pass found is visible"
[ "$(status_of "$A")" = '"8"' ]
tap $? "the earlier change is still there"
[ "$(stat -c '%i %s %y' "$IDX")" != "$base0" ] && [ ! -e "$IDX.delta" ]
tap $? "full pass: the index folded (base rewritten, delta gone)"
sync_compare sklep1
tap $? "the folded index matches the shop"

kill -TERM $dpid
wait $dpid
tap $? "daemon: SIGTERM exits 0"

# the one-off sync: a full publish, whatever changed
shop_ctl PUT /__test/orders/$A '{"status_id": "7"}' >/dev/null
base1=$(stat -c '%i %s %y' "$IDX")
sync_run sync
[ "$RC" -eq 0 ] && [ "$(stat -c '%i %s %y' "$IDX")" != "$base1" ] &&
	[ ! -e "$IDX.delta" ] && [ "$(status_of "$A")" = '"7"' ]
tap $? "shoper-sync sync: a full publish"
tap_end
