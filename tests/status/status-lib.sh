# Shared setup of the status-change tests (source it after set -u): the two
# test shops over TLS, a private Dovecot with the imap_shoper module and a
# doveadm server socket, shoper-sync's configuration, and helpers.
#   st_setup            everything up to the first sync and dc_start
#                       (ST_DOVEADM_USER: owner of the doveadm server
#                       socket, default root; ST_USERDB_USER: owner of
#                       the auth-userdb socket; ST_ORDERS, ST_CUSTOMERS: the
#                       shops' generated data, default 20 and 10)
#   run_sync [CONF]     one sync; output in $T/sync.out (shown as # lines)
#   st_first_sync       run_sync, checked ("first sync"), then dc_start
#   use SHOP            shop_ctl talks to that shop
#   new_order EMAIL     a new order (status 1) in the current shop
#   counter NAME        a counter of the current shop (status_puts)
#   st_notice_user NAME a user of sklep1 with notices of their own (en,
#                       from support@shop.example, text Custom:...)
#   wait_for SECS CMD   until CMD succeeds, SECS seconds at most (from
#                       tests/lib/shop.sh: seconds, not tries)
#   nkept               number of requests kept for a later try (in
#                       shoper-sync's own state dir, not the shared queue)
#   kept_due            every kept request's next try has come
#   st_forge SUFFIX TIME USER SHOP ORDER STATUS MAILBOX UID
#                       a request written into the queue by hand as the
#                       mail uid (any process of the mail group can),
#                       named .SUFFIX (req or work), made at TIME
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
. "$TOP_SRCDIR/tests/lib/shop.sh"
SYNC="$TOP_BUILDDIR/cli/shoper-sync"
MOD="$TOP_BUILDDIR/plugin/imap/.libs/lib99_imap_shoper_plugin.so"
PY="$SHOP_PYTHON $TOP_SRCDIR/tests/status/status_imap.py"
for f in "$SYNC" "$MOD" /usr/bin/doveadm; do
	[ -e "$f" ] || { echo "1..0 # SKIP $f missing"; exit 0; }
done

SHOPS_PIDS=
DAEMON_PID=
st_cleanup() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
	for p in $SHOPS_PIDS; do kill "$p" 2>/dev/null; done
	dc_cleanup
}

st_setup() {
	[ -z "${ST_EXTRA_CONF:-}" ] ||
		{ echo "Bail out! ST_EXTRA_CONF is gone: use the dc_* helpers"; exit 1; }
	dc_setup
	trap st_cleanup EXIT
	trap 'exit 1' INT TERM
	cp "$MOD" "$T/modules/"
	dc_plugins imap imap_shoper
	dc_set shoper_status_folder Shoper
	dc_doveadm_socket "${ST_DOVEADM_USER:-root}"
	[ -z "${ST_USERDB_USER:-}" ] ||
		dc_unix_listener auth auth-userdb user "$ST_USERDB_USER"
	chgrp $DC_UID "$T/index"
	chmod 2750 "$T/index"
	shop_ca_init "$T/ca" >/dev/null 2>&1 ||
		{ echo "1..0 # SKIP no CA"; exit 0; }
	CONF=$T/shoper-sync.conf
	KEPT=$T/sstate/status-kept	# shoper-sync's kept requests
	printf '[sync]\nindex = %s\nstate_dir = %s/sstate\ntimeout = 10\ninterval = 300\ndoveadm = /usr/bin/doveadm\ndoveadm_config = %s/conf/dovecot.conf\n' \
		"$DC_INDEX" "$T" "$T" >"$CONF"
	for s in sklep1 sklep2; do
		shop_start "$T/ca" $s --login api --password pw \
			--orders ${ST_ORDERS:-20} --customers ${ST_CUSTOMERS:-10} ||
			{ echo "1..0 # SKIP shop did not start"; exit 0; }
		SHOPS_PIDS="$SHOPS_PIDS $SHOP_PID"
		eval "URL_$s=\$SHOP_URL"
		printf 'pw\n' >"$T/$s.password"
		chmod 600 "$T/$s.password"
		printf '\n[shop %s]\nurl = %s\nlogin = api\npassword_file = %s/%s.password\nca_file = %s\n' \
			$s "$SHOP_URL" "$T" $s "$SHOP_CA" >>"$CONF"
	done
}

st_notice_user() {	# NAME (passwd-file extra fields hold no spaces)
	dc_user "$1" "userdb_shoper_shops=sklep1 userdb_shoper_notice_language=en userdb_shoper_notice_from=support@shop.example userdb_shoper_notice_text=Custom:{order}/{shop}/{folder}."
	chown $DC_UID:$DC_UID "$T/home/$1"
}
st_first_sync() {	# the first sync (one check), then Dovecot or the end
	run_sync
	check "first sync" [ "$RC" -eq 0 ]
	dc_start || { echo "not ok - dovecot did not start"; exit 1; }
}
use() { eval "SHOP_URL=\$URL_$1"; }
jget() { "$SHOP_PYTHON" -c "import json,sys; print(json.load(sys.stdin)$1)"; }
shop_status() { shop_ctl GET "/__test/orders/$1" | jget "['status_id']"; }
new_order() {	# EMAIL: a new order in status 1 (Nowe); prints its id
	shop_ctl POST /__test/orders "{\"email\": \"$1\", \"firstname\": \"Jan\", \"lastname\": \"Test\", \"sum\": \"10.00\", \"status_id\": \"1\"}" |
		sed -n 's/.*"order_id": *"\([0-9]*\)".*/\1/p'
}
run_sync() {	# [CONF]
	"$SYNC" -c "${1:-$CONF}" sync >"$T/sync.out" 2>&1; RC=$?
	sed 's/^/# /' "$T/sync.out"
}
nfiles() { ls "$T/index/queue" 2>/dev/null | grep -c "$1\$"; }
nkept() { ls "$KEPT" 2>/dev/null | grep -c '\.work$'; }
kept_due() { touch -d '-2 hours' "$KEPT"/*.work; }
flags() { $PY flags $DC_IMAP_PORT "$1" "$2" "$3"; }
has_flag() { flags "$1" "$2" "$3" | grep -q -F "$4"; }
deliver() {	# ID FROM USER
	dc_msg "$1" "$2" "order question" | dc_lmtp "$2" "$3@test.example" >/dev/null
}
counter() {	# NAME: the current shop's counter (status_puts, ...)
	shop_ctl GET /__test/counters | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}
stored() { flags "$@" >/dev/null; }	# USER MAILBOX ID: the message is there
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
st_forge() {	# SUFFIX TIME USER SHOP ORDER STATUS MAILBOX UID
	_f="$T/index/queue/$(hex "$4").$5.$1"
	printf 'shoper-queue 1\nuser=%s\nshop=%s\norder_id=%s\nstatus_id=%s\nstatus_name=Forged%%20by%%20mallory\nmailbox=%s\nuid=%s\nuidvalidity=0\ntime=%s\n' \
		"$3" "$4" "$5" "$6" "$7" "$8" "$2" >"$_f"
	chown $DC_UID:$DC_UID "$_f"
}
