#!/bin/sh
# shoper-sync tag-existing takes the customer's newest order within the
# user's shoper_shops, however many orders the customer has in shops
# outside them: a lookup returns at most 64 orders, so the scope must
# filter before that cap, not after (ola: 65 newer orders in sklep1, one in
# sklep2; bob sees only sklep2).
set -u
. "$TOP_SRCDIR/tests/filters/filters-lib.sh"
fl_init tags
sed -i "/^filters_mode/a doveadm_config = $T/conf/dovecot.conf\\
max_orders = 64" "$FL_CONF"
S1_URL=$SHOP_URL S1_PID=$SHOP_PID S2_PID=
trap 'kill $S1_PID $S2_PID 2>/dev/null; SHOP_PID=; fl_cleanup' EXIT
fl_add_shop sklep2 --orders 20 --customers 10 --seed 2 || exit 1
S2_URL=$SHOP_URL S2_PID=$SHOP_PID

earlier=$(date -d '-2 days' '+%Y-%m-%d %H:%M:%S')
"$SHOP_PYTHON" "$SHOP_DIR_SRC/shopctl.py" --url "$S2_URL" --ca "$SHOP_CA" \
	POST /__test/orders "{\"email\":\"ola@example.com\",\"status_id\":\"2\",\"is_paid\":false,\"date\":\"$earlier\"}" >/dev/null
ok $? "ola's one order in sklep2, two days ago"
i=0
while [ $i -lt 65 ]; do
	"$SHOP_PYTHON" "$SHOP_DIR_SRC/shopctl.py" --url "$S1_URL" --ca "$SHOP_CA" \
		POST /__test/orders '{"email":"ola@example.com","status_id":"6","is_paid":true}' >/dev/null || break
	i=$((i + 1))
done
check "and 65 newer ones in sklep1" [ $i -eq 65 ]

dc_start
ok $? "dovecot started"
for u in bob dave; do
	dc_msg b1 ola@example.com | dc_lmtp ola@example.com $u@test.example >/dev/null
done
fl_sync sync
ok $RC "shoper-sync sync (index published after the mail arrived)"
fl_sync lookup ola@example.com
check "an unfiltered lookup of ola shows 64 orders, all sklep1's (the cap)" \
	sh -c "echo '$OUT' | grep -c 'sklep1' | grep -qx 64 && ! echo '$OUT' | grep -q 'sklep2'"

fl_sync tag-existing -u bob
ok $RC "tag-existing -u bob ran"
check "bob: 1 message, 1 with an order" \
	sh -c "echo '$OUT' | grep -q '^1 messages, 1 with an order'"
fl_imap flags bob INBOX >"$T/bob"
sed 's/^/# bob: /' "$T/bob"
check "bob: b1 tagged from ola's sklep2 order, not crowded out by sklep1's" \
	grep -qx 'b1 $shoper_new $shoper_status_oczekuje_na_platnosc $shoper_unpaid' "$T/bob"

fl_sync tag-existing -u dave
fl_imap flags dave INBOX >"$T/dave"
check "dave (*): b1 from ola's newest order of any shop (sklep1)" \
	grep -qx 'b1 $shoper_closed $shoper_status_wyslane' "$T/dave"

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
