# Shared by tests/filters/test-*.sh: a private Dovecot (tests/lib/dovecot.sh)
# with Pigeonhole and the virtual plugin, a test shop (tests/lib/shop.sh)
# and shoper-sync publishing the index and the filters into it.
#   fl_init [tags|tags+folders]   Dovecot config, shop sklep1, first sync
#   fl_add_shop NAME [args]       one more test shop in the config
#   fl_sync ARGS...               shoper-sync -c $FL_CONF ARGS (sets RC, OUT)
#   fl_order EMAIL STATUS_ID PAID [SUM]  a new order in the shop; prints id
#   fl_imap ARGS...               tests/filters/filters_imap.py PORT ARGS
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
. "$TOP_SRCDIR/tests/lib/shop.sh"
FL_SYNC="$TOP_BUILDDIR/cli/shoper-sync"
FL_PY="python3 $TOP_SRCDIR/tests/filters/filters_imap.py"

fl_cleanup() {
	[ -n "${SHOP_PID:-}" ] && kill "$SHOP_PID" 2>/dev/null
	dc_cleanup
}

fl_sync() {
	OUT=$("$FL_SYNC" -c "$FL_CONF" "$@" 2>&1)
	RC=$?
	echo "$OUT" | sed 's/^/# /'
}

fl_order() {	# EMAIL STATUS_ID PAID(0|1) [SUM]
	shop_ctl POST /__test/orders "{\"email\":\"$1\",\"status_id\":\"$2\",\"is_paid\":$3,\"sum\":\"${4:-100.00}\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])'
}

fl_imap() { $FL_PY "$1" "$DC_IMAP_PORT" "$2" "$3"; }

fl_add_shop() {	# NAME [shop args]: start a test shop, add [shop NAME]
	_n=$1
	shift
	shop_start "$T/sync/ca" "$_n" --login "api-$_n" --password "pw-$_n" \
		"$@" || return 1
	printf 'pw-%s\n' "$_n" >"$T/sync/$_n.password"
	chmod 600 "$T/sync/$_n.password"
	printf '\n[shop %s]\nurl = %s\nlogin = api-%s\npassword_file = %s\nca_file = %s\n' \
		"$_n" "$SHOP_URL" "$_n" "$T/sync/$_n.password" "$SHOP_CA" >>"$FL_CONF"
}

fl_init() {	# MODE: the filters_mode
	if [ ! -x "$FL_SYNC" ]; then
		echo "1..0 # SKIP shoper-sync not built"
		exit 0
	fi
	[ -e /usr/lib/dovecot/modules/lib20_virtual_plugin.so ] || {
		echo "1..0 # SKIP no Dovecot virtual plugin"
		exit 0
	}
	dc_setup
	trap fl_cleanup EXIT
	trap 'exit 1' INT TERM
	mkdir -p "$T/sync" "$T/filters"
	chmod 700 "$T/sync"
	# the index takes its directory's group: the mail uid's
	chgrp "$DC_UID" "$T/index" && chmod 2750 "$T/index"
	shop_ca_init "$T/sync/ca" >/dev/null 2>&1 || {
		echo "1..0 # SKIP cannot make a CA"
		exit 0
	}
	FL_CONF=$T/sync/shoper-sync.conf
	cat >"$FL_CONF" <<EOC
[sync]
index = $DC_INDEX
state_dir = $T/sync/state
tracking_days = 3650
filters_dir = $T/filters
filters_mode = ${1:-tags}
filters_folders = Orders/
EOC
	fl_add_shop sklep1 --orders 20 --customers 10 || exit 1
	dc_sieve_before "$T/filters/shoper.sieve"
	dc_sieve_after "$T/filters/shoper-after.sieve"
	dc_virtual_namespace Shoper/Status/ "$T/filters/virtual"
}
