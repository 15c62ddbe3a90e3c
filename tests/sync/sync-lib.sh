# Shared by tests/sync/test-sync-*.sh: TAP output, a temp dir, test shops
# over real TLS and a shoper-sync configuration for them.
#   sync_init                      temp dir, CA, empty config (call first)
#   sync_add_shop NAME [args]      start a shop, add [shop NAME] to the config
#   sync_run ARGS...               run shoper-sync -c CONF ARGS; sets RC, OUT
#   sync_compare NAME [args]       exact comparison of state + index with the shop
#   shop_use NAME                  make NAME the shop for shop_ctl
#   wait_for SECS CMD...           until CMD succeeds (tests/lib/shop.sh)
#   sync_start_daemon [LISTEN]     the daemon (dpid, $T/daemon.log) until its
#                                  first publish and LISTEN (port, unix:PATH)
#   sync_order_field SHOP ID FIELD the order's FIELD (JSON) as lookup shows it
#   lookup_field CONF EMAIL ID F   an order's field as lookup --json shows it
#   sent_codes, wait_sent N        the shop's webhook deliveries (fault:code)
#   ok COND... / tap_ok DESC CMD...  TAP lines
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TOP_BUILDDIR:=$(pwd)}"
. "$TOP_SRCDIR/tests/lib/shop.sh"
SYNC_BIN="$TOP_BUILDDIR/cli/shoper-sync"
TAP_N=0
TAP_FAILED=0

tap() { # tap RESULT(0=ok) DESC
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_ok() { # tap_ok DESC CMD...: ok when CMD succeeds
	_d=$1
	shift
	if "$@"; then tap 0 "$_d"; else tap 1 "$_d"; fi
}

tap_end() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

sync_cleanup() {
	for _p in $SHOP_PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _p in $SHOP_PIDS; do
		wait "$_p" 2>/dev/null
	done
	# a script that died half way leaves no daemon of its own behind
	# (they all run on a config under $T)
	pkill -TERM -f -- "-c $T/" 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}

sync_init() {
	if [ ! -x "$SYNC_BIN" ]; then
		echo "1..0 # SKIP shoper-sync not built"
		exit 0
	fi
	T=$(mktemp -d /tmp/test-sync.XXXXXX)
	chmod 700 "$T"
	SHOP_PIDS=
	trap sync_cleanup EXIT
	trap 'exit 1' INT TERM
	shop_ca_init "$T/ca" >/dev/null 2>&1 || {
		echo "1..0 # SKIP cannot make a CA"
		exit 0
	}
	mkdir -p "$T/index"
	CONF="$T/shoper-sync.conf"
	STATE="$T/state"
	printf '[sync]\nindex = %s/index/orders.cdb\nstate_dir = %s\ntracking_days = 3650\ntimeout = %s\n' \
		"$T" "$STATE" "${SYNC_TIMEOUT:-10}" >"$CONF"
}

sync_add_shop() { # NAME [shop args]
	_n=$1
	shift
	shop_start "$T/ca" "$_n" --login "api-$_n" --password "pw-$_n" "$@" ||
		return 1
	SHOP_PIDS="$SHOP_PIDS $SHOP_PID"
	eval "URL_$_n=\$SHOP_URL"
	eval "PID_$_n=\$SHOP_PID"
	printf 'pw-%s\n' "$_n" >"$T/$_n.password"
	chmod 600 "$T/$_n.password"
	printf '\n[shop %s]\nurl = %s\nlogin = api-%s\npassword_file = %s/%s.password\nca_file = %s\n' \
		"$_n" "$SHOP_URL" "$_n" "$T" "$_n" "$SHOP_CA" >>"$CONF"
}

shop_use() {
	eval "SHOP_URL=\$URL_$1"
	eval "SHOP_PID=\$PID_$1"
	SHOP_CA="$T/ca/ca.pem"
}

sync_run() {
	OUT=$("$SYNC_BIN" -c "$CONF" "$@" 2>&1)
	RC=$?
	echo "$OUT" | sed 's/^/# /'
}

sync_compare() { # NAME [compare args]: exact state + index vs the shop
	_n=$1
	shift
	eval "_u=\$URL_$_n"
	python3 "$TOP_SRCDIR/tests/sync/sync_compare.py" --url "$_u" \
		--ca "$T/ca/ca.pem" --login "api-$_n" --password "pw-$_n" \
		--shop "$_n" --state "$STATE/state.db" --bin "$SYNC_BIN" \
		--conf "$CONF" --lookups 25 "$@" >"$T/compare.out" 2>&1
	_rc=$?
	sed 's/^/# /' "$T/compare.out"
	return $_rc
}

# lookup_field CONF EMAIL ID FIELD: the order's FIELD as `lookup --json`
# on CONF's index shows it for EMAIL (as JSON; GONE: no such order there)
lookup_field() {
	"$SYNC_BIN" -c "$1" lookup --json "$2" 2>/dev/null | python3 -c '
import json, sys
oid, field = sys.argv[1], sys.argv[2]
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
print("GONE" if o is None else json.dumps(o.get(field)))' "$3" "$4"
}

sent_codes() { # the codes of the shop's deliveries so far
	shop_ctl GET /__test/webhooks/sent | python3 -c 'import json,sys; print(" ".join("%s:%s" % (s["fault"], s["code"]) for s in json.load(sys.stdin)["sent"]))'
}
sent_reach() { [ "$(sent_codes | wc -w)" -ge "$1" ]; } # N
wait_sent() { wait_for 20 sent_reach "$1"; } # N: until the shop logged N deliveries

counter() { # counter KEY: a number from the shop's /__test/counters
	shop_ctl GET /__test/counters | python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('$1', 0))"
}

sqlite3() { # sqlite3 DB SQL: the CLI may be missing; python3's module is not
	python3 -c '
import sqlite3, sys
try:
    db = sqlite3.connect(sys.argv[1])
    db.text_factory = lambda b: b.decode("utf-8", "replace")
    for row in db.execute(sys.argv[2]):
        print("|".join("" if v is None else str(v) for v in row))
except sqlite3.Error as e:
    sys.exit("sqlite3: %s" % e)' "$@"
}

sync_listening() { # LISTEN (a port or unix:PATH) takes connections
	python3 - "$1" <<'PY'
import socket, sys
a = sys.argv[1]
try:
    if a.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(a[5:])
    else:
        s = socket.create_connection(("127.0.0.1", int(a)), timeout=5)
    s.close()
except OSError:
    sys.exit(1)
PY
}

_sync_daemon_ready() { # [LISTEN]: published, listening, or gone
	kill -0 "$dpid" 2>/dev/null || return 0
	grep -q "index .*published" "$T/daemon.log" || return 1
	[ -z "${1:-}" ] || sync_listening "$1"
}

sync_start_daemon() { # [LISTEN]: 0 once its first cycle published (and
	# LISTEN taken: listen() comes after the socket's chmod, so its mode
	# is final by then); conditions, not a time: 120 s is the limit of a
	# daemon that never gets there
	"$SYNC_BIN" -c "$CONF" daemon >"$T/daemon.log" 2>&1 &
	dpid=$!
	wait_for "${SYNC_DAEMON_WAIT:-120}" _sync_daemon_ready "$@" || {
		echo "# daemon not ready after ${SYNC_DAEMON_WAIT:-120} s"
		return 1
	}
	kill -0 "$dpid" 2>/dev/null || {
		echo "# daemon exited"
		return 1
	}
}

sync_order_field() { # SHOP ID FIELD: the order's FIELD as `lookup --json`
	# shows it, as JSON (GONE when the index has no such order); the
	# e-mail is kept in $T so a deleted order can still be looked up
	_e=$(sqlite3 "$STATE/state.db" "SELECT email FROM orders WHERE shop='$1' AND order_id=$2")
	[ -n "$_e" ] || _e=$(cat "$T/email.$1.$2" 2>/dev/null)
	echo "$_e" >"$T/email.$1.$2"
	lookup_field "$CONF" "$_e" "$2" "$3"
}
