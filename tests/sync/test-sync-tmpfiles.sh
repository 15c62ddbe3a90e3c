#!/bin/sh
# Temporary files a killed writer left behind: the index's and the status
# list's go at the next publish (only a shoper-sync holding the state lock
# publishes, so none can be in use); the queue's and the filters' (written
# without that lock) go once they are an hour old. Other files stay.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 50 --customers 20 || exit 1
sed -i "/^state_dir/a filters_dir = $T/filters" "$CONF"
SHOPER_SIEVEC= # no sievec needed here
export SHOPER_SIEVEC

sync_run sync
tap "$RC" "first sync exits 0"
IDX=$T/index/orders.cdb
Q=$T/index/queue
[ -f "$IDX" ] && [ -f "$IDX.statuses" ] && [ -d "$Q" ] &&
	[ -f "$T/filters/shoper.sieve" ]
tap $? "index, status list, queue dir and filters written"
vdir=$(ls -d "$T/filters/virtual/"* | head -n 1)

old() { touch -d '2 hours ago' "$@"; }
: >"$IDX.tmp.AbC123"
: >"$IDX.statuses.tmp.XyZ789"
: >"$IDX.tmp.Old.1234.56789" # an older writer's name
: >"$IDX.tmp"                 # not a temporary file's name
: >"$T/index/other.cdb.tmp.QwE456"
: >"$Q/736b6c657031.7.req.tmp.oLd111" && old "$Q/736b6c657031.7.req.tmp.oLd111"
: >"$Q/736b6c657031.8.req.tmp.nEw222"
: >"$T/filters/shoper.sieve.tmp.oLd333" && old "$T/filters/shoper.sieve.tmp.oLd333"
: >"$T/filters/shoper.sieve.tmp.nEw444"
: >"$vdir/dovecot-virtual.tmp.oLd555" && old "$vdir/dovecot-virtual.tmp.oLd555"
mkdir "$IDX.tmp.DiR999"

# another shoper-sync holds the lock: this one removes nothing
if command -v flock >/dev/null 2>&1; then
	flock "$STATE/lock" sh -c '"$1" -c "$2" sync >"$3" 2>&1; echo $? >"$3.rc"' \
		sh "$SYNC_BIN" "$CONF" "$T/locked.out"
	[ "$(cat "$T/locked.out.rc")" = 4 ] && [ -f "$IDX.tmp.AbC123" ] &&
		[ -f "$IDX.statuses.tmp.XyZ789" ]
	tap $? "while another shoper-sync holds the lock: exit 4, nothing removed"
else
	echo "ok $((TAP_N += 1)) # SKIP no flock(1)"
fi

sync_run sync
tap "$RC" "next sync exits 0"
[ ! -e "$IDX.tmp.AbC123" ] && [ ! -e "$IDX.tmp.Old.1234.56789" ]
tap $? "the index's temporary files are gone, whatever their age"
[ ! -e "$IDX.statuses.tmp.XyZ789" ]
tap $? "the status list's temporary file is gone"
[ -e "$IDX.tmp" ] && [ -e "$T/index/other.cdb.tmp.QwE456" ] &&
	[ -d "$IDX.tmp.DiR999" ]
tap $? "other files (another base name, no suffix, a directory) stay"
[ ! -e "$Q/736b6c657031.7.req.tmp.oLd111" ] &&
	[ -e "$Q/736b6c657031.8.req.tmp.nEw222" ]
tap $? "queue: an hour-old temporary file goes, a fresh one (a writer may be busy) stays"
[ ! -e "$T/filters/shoper.sieve.tmp.oLd333" ] &&
	[ -e "$T/filters/shoper.sieve.tmp.nEw444" ] &&
	[ ! -e "$vdir/dovecot-virtual.tmp.oLd555" ]
tap $? "filters: hour-old temporary files go (script and virtual folder), a fresh one stays"
sync_run lookup "$(sqlite3 "$STATE/state.db" "SELECT email FROM orders LIMIT 1")"
tap "$RC" "the published index still answers"
tap_end
