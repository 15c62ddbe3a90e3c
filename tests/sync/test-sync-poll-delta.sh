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

"$SYNC_BIN" -c "$CONF" daemon >"$T/daemon.log" 2>&1 &
dpid=$!
cycles() { grep -c "^index .*published" "$T/daemon.log"; }
wait_cycles() { # N: until the daemon finished N cycles (up to 60 s)
	_i=0
	while [ "$(cycles)" -lt "$1" ] && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ $_i -lt 600 ]
}
wait_cycles 1
tap $? "daemon: first cycle publishes"
grep -q "^index .*published, [0-9]* orders$" "$T/daemon.log"
tap $? "daemon: its first cycle is a full publish"

# status_of ID: the order's status_id as lookup shows it (GONE: not there)
status_of() {
	_e=$(cat "$T/email.$1" 2>/dev/null)
	[ -n "$_e" ] || _e=$(sqlite3 "$STATE/state.db" "SELECT email FROM orders WHERE shop='sklep1' AND order_id=$1")
	echo "$_e" >"$T/email.$1"
	"$SYNC_BIN" -c "$CONF" lookup --json "$_e" 2>/dev/null | python3 -c '
import json, sys
oid = sys.argv[1]
try:
    d = json.load(sys.stdin)
except ValueError:
    d = []
def walk(x):
    if isinstance(x, dict):
        if str(x.get("order_id")) == oid:
            return x
        x = list(x.values())
    if isinstance(x, list):
        for v in x:
            r = walk(v)
            if r is not None:
                return r
o = walk(d)
print("GONE" if o is None else o.get("status_id"))' "$1"
}

set -- $(sqlite3 "$STATE/state.db" "SELECT order_id FROM orders WHERE shop='sklep1' AND status_id != 8 ORDER BY order_id DESC LIMIT 2")
A=$1 B=$2
status_of "$B" >/dev/null
base0=$(stat -c '%i %s %y' "$IDX")
n=$(cycles)
shop_ctl PUT /__test/orders/$A '{"status_id": "8"}' >/dev/null
wait_cycles $((n + 1))
tap $? "daemon: the next poll cycle ran"
tail -2 "$T/daemon.log" | sed 's/^/# daemon: /'
[ "$(status_of "$A")" = 8 ]
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
[ "$(status_of "$A")" = 8 ]
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
	[ ! -e "$IDX.delta" ] && [ "$(status_of "$A")" = 7 ]
tap $? "shoper-sync sync: a full publish"
tap_end
