# Shell helpers to run the test Shoper shop (tests/shop/) from sh tests.
# Source it:  . "$TOP_SRCDIR/tests/lib/shop.sh"
#   shop_ca_init DIR              make a throwaway CA + certs in DIR (once)
#   shop_start DIR NAME [args]    start a shop; sets SHOP_URL, SHOP_CA,
#                                 SHOP_PID, SHOP_PORT (DIR from shop_ca_init)
#   shop_ctl METHOD PATH [JSON]   print the control endpoint's JSON answer
#   shop_stop                     stop the shop started last
#   shop_sync_conf DIR INDEX NAME [LINE...]
#                                 CONF: a shoper-sync config for the shop
#                                 started last (login api, password secret)
#   shop_sync_daemon BIN LOG SECS BIN's daemon on CONF (DPID) until its
#                                 first publish, SECS seconds at most
#   wait_for SECS CMD...          until CMD succeeds, SECS seconds at most
# Several shops: save SHOP_* after each shop_start; shop_stop stops
# $SHOP_PID, so set it back before stopping an earlier one.

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
SHOP_DIR_SRC="$TOP_SRCDIR/tests/shop"
# The interpreter, resolved once (a pyenv-style shim costs seconds a call):
# $SHOP_PYTHON, else configure's $PYTHON3, else Debian's, else python3's.
if [ -z "${SHOP_PYTHON:-}" ]; then
	if [ -n "${PYTHON3:-}" ]; then
		SHOP_PYTHON=$PYTHON3
	elif [ -x /usr/bin/python3 ]; then
		SHOP_PYTHON=/usr/bin/python3
	else
		SHOP_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
	fi
fi

shop_ca_init() {
	[ -f "$1/ca.pem" ] && return 0
	sh "$SHOP_DIR_SRC/make-ca.sh" "$1"
}

shop_start() {
	_sd=$1 _sn=$2
	shift 2
	_pf="$_sd/$_sn.port"
	rm -f "$_pf"
	"$SHOP_PYTHON" "$SHOP_DIR_SRC/shoper_shop.py" --cert "$_sd/server.pem" \
		--key "$_sd/server.key" --port 0 --port-file "$_pf" \
		--name "$_sn" "$@" >"$_sd/$_sn.log" 2>&1 &
	SHOP_PID=$!
	_i=0
	while [ ! -s "$_pf" ]; do
		if ! kill -0 "$SHOP_PID" 2>/dev/null; then
			echo "shop_start: shop $_sn died:" >&2
			cat "$_sd/$_sn.log" >&2
			return 1
		fi
		_i=$((_i + 1))
		if [ "$_i" -gt 600 ]; then
			echo "shop_start: shop $_sn did not start" >&2
			return 1
		fi
		sleep 0.1
	done
	SHOP_PORT=$(cat "$_pf")
	SHOP_URL="https://127.0.0.1:$SHOP_PORT"
	SHOP_CA="$_sd/ca.pem"
	export SHOP_URL SHOP_CA SHOP_PID SHOP_PORT
}

shop_ctl() {
	"$SHOP_PYTHON" "$SHOP_DIR_SRC/shopctl.py" --url "$SHOP_URL" --ca "$SHOP_CA" "$@"
}

shop_stop() {
	[ -n "${SHOP_PID:-}" ] || return 0
	kill "$SHOP_PID" 2>/dev/null
	_i=0
	while kill -0 "$SHOP_PID" 2>/dev/null && [ "$_i" -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$SHOP_PID" 2>/dev/null
	wait "$SHOP_PID" 2>/dev/null
	SHOP_PID=
}

wait_for() { # SECS CMD...: 0 once CMD succeeds, 1 after SECS seconds
	# seconds, not tries: on a loaded machine each try takes longer
	_wend=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_wend" ] || return 1
		sleep 0.1
	done
}

shop_sync_conf() { # DIR INDEX NAME [LINE...]: CONF=DIR/shoper-sync.conf
	# for the shop started last as [shop NAME] (login api, password
	# "secret" in DIR/pw, 0600), state_dir DIR/state, index INDEX; each
	# LINE ("key = value") goes into [sync]
	_cd=$1 _ci=$2 _cn=$3
	shift 3
	printf 'secret\n' >"$_cd/pw" && chmod 600 "$_cd/pw" || return 1
	mkdir -p "$(dirname "$_ci")" || return 1
	CONF=$_cd/shoper-sync.conf
	{
		printf '[sync]\nindex = %s\nstate_dir = %s/state\n' "$_ci" "$_cd"
		for _l; do printf '%s\n' "$_l"; done
		printf '\n[shop %s]\nurl = %s\nlogin = api\npassword_file = %s/pw\nca_file = %s\n' \
			"$_cn" "$SHOP_URL" "$_cd" "$SHOP_CA"
	} >"$CONF"
}

_shop_sync_published() { grep -q "index .*published" "$1"; }

shop_sync_daemon() { # BIN LOG SECS: `BIN -c $CONF daemon` (DPID), its
	# output in LOG, until its first cycle published (1 after SECS s)
	"$1" -c "$CONF" daemon >"$2" 2>&1 &
	DPID=$!
	wait_for "$3" _shop_sync_published "$2"
}
