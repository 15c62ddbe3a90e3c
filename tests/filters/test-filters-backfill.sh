#!/bin/sh
# shoper-sync tag-existing: mail stored before the integration (delivered
# before the first index, so without X-Shoper-* headers or keywords) gets
# the order keywords from the current index through doveadm, within the
# user's shoper_shops: two shops, bob sees only sklep2, dave (*) both,
# carol none (the plugin does nothing for her, so neither does this).
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags
sed -i "/^filters_mode/a doveadm_config = $T/conf/dovecot.conf" "$FL_CONF"
S1_URL=$SHOP_URL S1_PID=$SHOP_PID S2_PID=
trap 'kill $S1_PID $S2_PID 2>/dev/null; SHOP_PID=; fl_cleanup' EXIT
fl_add_shop sklep2 --orders 20 --customers 10 --seed 2 || exit 1
S2_URL=$SHOP_URL S2_PID=$SHOP_PID

order() { # URL EMAIL STATUS_ID PAID DATE: a new order in that shop
	"$SHOP_PYTHON" "$SHOP_DIR_SRC/shopctl.py" --url "$1" --ca "$SHOP_CA" \
		POST /__test/orders "{\"email\":\"$2\",\"status_id\":\"$3\",\"is_paid\":$4,\"date\":\"$5\"}" >/dev/null
}
today=$(date '+%Y-%m-%d %H:%M:%S')
earlier=$(date -d '-2 days' '+%Y-%m-%d %H:%M:%S')
# jan: sklep1 only; ewa: sklep2 only; ola: sklep2 earlier, sklep1 newest
order "$S1_URL" jan@example.com 6 true "$today" &&
	order "$S2_URL" ewa@example.com 2 false "$today" &&
	order "$S2_URL" ola@example.com 2 false "$earlier" &&
	order "$S1_URL" ola@example.com 6 true "$today"
ok $? "orders placed in the two test shops"

dc_start
ok $? "dovecot started"
for u in bob carol dave; do
	dc_msg b1 'Jan <Jan@Example.com>' | dc_lmtp jan@example.com $u@test.example >/dev/null
	dc_msg b2 ewa@example.com | dc_lmtp ewa@example.com $u@test.example >/dev/null
	dc_msg b3 ola@example.com | dc_lmtp ola@example.com $u@test.example >/dev/null
	dc_msg b4 nobody@example.com | dc_lmtp nobody@example.com $u@test.example >/dev/null
done
fl_sync sync
ok $RC "shoper-sync sync (index published after the mail arrived)"
fl_imap flags bob INBOX >"$T/before"
check "stored without keywords" test "$(tr '\n' ' ' <"$T/before")" = "b1 b2 b3 b4 "

fl_sync tag-existing -u bob --since 2099-01-01
check "--since after the mail: nothing tagged" \
	sh -c "test $RC = 0 && echo '$OUT' | grep -q '^0 messages, 0 with an order'"
fl_sync tag-existing -u bob --dry-run
check "--dry-run names the user's shops and lists what it would add" \
	sh -c "echo '$OUT' | grep -q '^shoper_shops of bob: sklep2$' &&
		echo '$OUT' | grep -q '^would add \$shoper_new \$shoper_unpaid \$shoper_status_oczekuje_na_platnosc: uid 2,3$'"
check "--dry-run changes nothing" \
	test "$(fl_imap flags bob INBOX | tr '\n' ' ')" = "b1 b2 b3 b4 "

fl_sync tag-existing -u bob --mailbox INBOX --since 2020-01-01
ok $RC "tag-existing -u bob ran"
check "bob: 4 messages, 2 with an order of sklep2" \
	sh -c "echo '$OUT' | grep -q '^4 messages, 2 with an order'"
fl_imap flags bob INBOX >"$T/bob"
sed 's/^/# bob: /' "$T/bob"
check "bob: b1 (jan orders only in sklep1, outside bob's shops): untouched" \
	grep -qx 'b1' "$T/bob"
check "bob: b2 (ewa, sklep2): new, unpaid, status" \
	grep -qx 'b2 $shoper_new $shoper_status_oczekuje_na_platnosc $shoper_unpaid' "$T/bob"
check "bob: b3 (ola, newest order in sklep1): tagged from her sklep2 order" \
	grep -qx 'b3 $shoper_new $shoper_status_oczekuje_na_platnosc $shoper_unpaid' "$T/bob"
check "bob: b4 (no order): untouched" grep -qx 'b4' "$T/bob"

fl_sync tag-existing -u dave
ok $RC "tag-existing -u dave (*) ran"
fl_imap flags dave INBOX >"$T/dave"
sed 's/^/# dave: /' "$T/dave"
check "dave (*): b1 (From with a display name, other case): closed + status" \
	grep -qx 'b1 $shoper_closed $shoper_status_wyslane' "$T/dave"
check "dave (*): b3 tagged from ola's newest order of any shop (sklep1)" \
	grep -qx 'b3 $shoper_closed $shoper_status_wyslane' "$T/dave"

fl_sync tag-existing -u carol
check "carol (no shoper_shops): exit 1, says why" \
	sh -c "test $RC = 1 && echo '$OUT' | grep -q 'shoper_shops is not set for carol'"
check "carol: nothing tagged" \
	test "$(fl_imap flags carol INBOX | tr '\n' ' ')" = "b1 b2 b3 b4 "
check "no X-Shoper-* headers: the header-based virtual folder stays empty" \
	test "$(fl_imap ids dave 'Shoper/Status/Wysłane')" = ""
fl_sync tag-existing
check "usage error without -u" test "$RC" = 2

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
