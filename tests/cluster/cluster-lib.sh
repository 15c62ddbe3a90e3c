# Shared setup of the cluster daemon tests (source it after sync_init and
# sync_add_shop of tests/sync/sync-lib.sh): a private redis-server on a
# unix socket, shoper-sync nodes with their own state and local index,
# and what a test asks of them.
#   redis_start, redis_stop   the private Redis (appendonly: fencing)
#   node_conf NAME            $T/NAME.conf: $CONF with its own index and
#                             state, interval $CL_INTERVAL (10), and
#                             [cluster] with lease_ms $CL_LEASE_MS (1500),
#                             timeout_ms $CL_TIMEOUT_MS (400)
#   node_start NAME, node_kill NAME [SIGNAL]
#   shop_line/role/calls NODE the node's cluster.status view of $CL_SHOP
#   has_email NODE EMAIL      the node's local index has an order for it
#   all_have EMAIL NODES...   every one of them has
#   leader, one_leader        of the nodes in $LIVE
#   new_order EMAIL           an order placed in the shop
command -v redis-server >/dev/null 2>&1 || {
	echo "1..0 # SKIP redis-server not installed"
	exit 0
}
CL_SHOP=${CL_SHOP:-sklep1}
REDIS_DIR="$T/redis"
mkdir -p "$REDIS_DIR"
REDIS_SOCK="$REDIS_DIR/redis.sock"
REDIS_PID=
redis_start() {
	# appendonly: the lease counter must survive a restart (fencing)
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
		--dir "$REDIS_DIR" --save "" --appendonly yes \
		--appendfsync always >"$REDIS_DIR/log" 2>&1 &
	REDIS_PID=$!
	_i=0
	while [ ! -S "$REDIS_SOCK" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
redis_stop() {
	[ -n "$REDIS_PID" ] || return 0
	kill "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}

PIDS=
node_conf() { # NAME: a config of its own (state, index), one [cluster]
	mkdir -p "$T/$1/index"
	chmod 2750 "$T/$1/index"
	sed -e "s|^index = .*|index = $T/$1/index/orders.cdb|" \
		-e "s|^state_dir = .*|state_dir = $T/$1/state\ninterval = ${CL_INTERVAL:-10}|" "$CONF" \
		>"$T/$1.conf"
	printf '\n[cluster]\nredis = unix:%s\nnode = %s\nlease_ms = %s\ntimeout_ms = %s\n' \
		"$REDIS_SOCK" "$1" "${CL_LEASE_MS:-1500}" "${CL_TIMEOUT_MS:-400}" >>"$T/$1.conf"
}
node_start() {
	"$SYNC_BIN" -c "$T/$1.conf" daemon >"$T/$1.log" 2>&1 &
	eval "NPID_$1=\$!"
	PIDS="$PIDS $!"
}
node_kill() { # NAME [SIGNAL]
	eval "_p=\$NPID_$1"
	kill "-${2:-KILL}" "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}
cluster_cleanup() {
	for _p in $PIDS; do kill -KILL "$_p" 2>/dev/null; done
	redis_stop
	sync_cleanup
}
trap cluster_cleanup EXIT
# the node's view: its status file's line of the shop
shop_line() { grep "^shop $CL_SHOP " "$T/$1/state/cluster.status" 2>/dev/null; }
role() { shop_line "$1" | awk '{ print $4 }'; }
calls() { shop_line "$1" | sed -n 's/.* calls \([0-9]*\).*/\1/p'; }
has_email() { # NODE EMAIL: the node's local index has an order for it
	"$SYNC_BIN" -c "$T/$1.conf" lookup "$2" 2>/dev/null | grep -q "$CL_SHOP"
}
LIVE="a b" # a dead node's status file stays as it last wrote it
leader() {
	for _n in $LIVE; do
		[ "$(role $_n)" = leader ] && echo $_n
	done
}
one_leader() { [ "$(leader | wc -l)" -eq 1 ]; }
new_order() { # EMAIL: an order placed in the shop
	shop_ctl POST /__test/orders "{\"email\":\"$1\",\"firstname\":\"A\",\"lastname\":\"B\",\"sum\":\"1.00\",\"status_id\":\"1\"}" >/dev/null
}
all_have() { # EMAIL NODES...
	_e=$1
	shift
	for _n in "$@"; do has_email "$_n" "$_e" || return 1; done
}
