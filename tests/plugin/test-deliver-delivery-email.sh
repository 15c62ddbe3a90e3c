#!/bin/sh
# What the shop knows beyond the order's e-mail, through a real delivery:
# test shop -> shoper-sync -> index -> LMTP. An order's delivery_email
# finds it like its e-mail; X-Shoper-Order-Shipping and
# X-Shoper-Order-Tracking-Url (the shipping's {tracking_number} template,
# filled per number) appear, and the parcel recipe answers the delivery
# address with the tracking page. Hostile shipping names and templates
# (an index made by hand) cannot break the header block.
set -u
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
. "$TOP_SRCDIR/tests/lib/shop.sh"
dc_setup
dc_shop --orders 20 --customers 10
shop_sync_conf "$T/sync" "$DC_INDEX" sklep1 "tracking_days = 3650"
R=$TOP_SRCDIR/conf.d/sieve
dc_sieve dave <"$R/autoreply-where-is-my-parcel.sieve"
dc_start || {
	echo "Bail out! dovecot did not start"
	exit 1
}
jget() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# an order whose parcels go to another address than its e-mail, shipped by
# Paczkomat InPost (shipping 2: ...?number={tracking_number})
oid=$(shop_ctl POST /__test/orders '{"email":"kupujacy@example.com",
	"delivery_email":"Odbior.Paczki@Example.com","shipping_id":"2",
	"status_id":"1","firstname":"Anna","lastname":"Nowak"}' | jget order_id)
shop_ctl POST "/__test/orders/$oid/parcels" '{"shipping_code":"00812345678901"}' >/dev/null &&
	shop_ctl POST "/__test/orders/$oid/parcels" '{"shipping_code":"AB 12/3"}' >/dev/null
ok $? "order $oid with a delivery_email and two parcels in the test shop"
out=$("$SYNC" -c "$CONF" sync 2>&1)
ok $? "shoper-sync sync"
echo "$out" | sed 's/^/# /'
"$SYNC" -c "$CONF" lookup odbior.paczki@example.com | sed 's/^/# /'

hdrs_ok() {	# FILE: header part is printable, every X-Shoper-* name known
	sed -n '1,/^\r\{0,1\}$/p' "$1" | tr -d '\r' | awk '
		/[\001-\010\013-\037\177]/ { bad = 1 }
		/^[Xx]-[Ss]hoper-/ { n = $1; sub(/:.*/, "", n); seen[n]++
			if (seen[n] > 1) bad = 1 }
		END { exit bad }'
}

# --- a mail from the delivery address ---------------------------------
dc_msg d1 'Anna <odbior.paczki@example.com>' 'where is my parcel?' |
	dc_lmtp odbior.paczki@example.com dave@test.example >/dev/null
ok $? "LMTP delivery from the delivery address accepted"
f=$(dc_find dave "" d1)
check "delivered" [ -n "$f" ]
check "the delivery address finds the order (X-Shoper-Order-Id $oid)" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = "$oid" ]
check "matched by From" [ "$(dc_hdr "$f" X-Shoper-Match)" = from ]
check "X-Shoper-Order-Shipping: the shipping method's name" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Shipping)" = "Paczkomat InPost" ]
want="https://inpost.pl/sledzenie-przesylek?number=00812345678901, https://inpost.pl/sledzenie-przesylek?number=AB%2012%2F3"
got=$(dc_hdr "$f" X-Shoper-Order-Tracking-Url)
echo "# tracking url: $got"
check "X-Shoper-Order-Tracking-Url: the template filled per number, encoded" \
	[ "$got" = "$want" ]
check "X-Shoper-Order-Tracking lists both numbers" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Tracking)" = "00812345678901, AB 12/3" ]
reply=$(cat "$T"/outbox/* 2>/dev/null | tr -d '\r')
check "the parcel recipe answers the delivery address" \
	sh -c "printf '%s\n' \"\$1\" | grep -qi '^To: .*odbior.paczki@example.com'" _ "$reply"
check "with the tracking page in the reply" \
	sh -c "printf '%s\n' \"\$1\" | grep -qF 'Follow it at https://inpost.pl/sledzenie-przesylek?number=00812345678901'" _ "$reply"
rm -f "$T"/outbox/*

# --- the order's e-mail finds it too; a stranger gets nothing -----------
dc_msg d2 'Kupujacy <KUPUJACY@example.com>' 'question' |
	dc_lmtp kupujacy@example.com dave@test.example >/dev/null
f=$(dc_find dave "" d2)
check "the order's e-mail still finds it" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = "$oid" ]
dc_msg d3 'Obcy <obcy@example.com>' "where is my parcel, order $oid" \
	"Reply-To: odbior.paczki@example.com
" | dc_lmtp obcy@example.com dave@test.example >/dev/null
f=$(dc_find dave "" d3)
check "a stranger writing with Reply-To the delivery address: match reply-to" \
	[ "$(dc_hdr "$f" X-Shoper-Match)" = reply-to ]
check_not "and the recipe sends it nothing (envelope is not the address)" \
	sh -c "ls '$T/outbox' | grep -q ."

# --- hostile shipping values: an index made by hand -------------------
dc_index <<'J'
{"shop":"sklep1","order_id":"900","date":"2026-11-20 10:00:00","status_id":"6","status_name":"Wysłane","status_type":3,"total":"1.00","currency":"PLN","email":"wrogi@example.com","tracking":"1\r\nX-Evil: 1, 2","shipping":"Kurier\r\nX-Injected: yes\u0000 ŻÓŁW =?utf-8?q?=0D=0AX-Evil:=201?=","tracking_url":"https://t.example/{tracking_number}\r\nX-Evil: {tracking_number}"}
{"shop":"sklep1","order_id":"901","date":"2026-11-20 10:00:00","status_id":"6","status_name":"Wysłane","status_type":3,"total":"1.00","currency":"PLN","email":"wrogi2@example.com","tracking":"x\"y<z>, ","shipping":"Kurier","tracking_url":"https://t.example/?n={tracking_number}&m={tracking_number}"}
J
dc_msg h1 'W <wrogi@example.com>' 'question' |
	dc_lmtp wrogi@example.com dave@test.example >/dev/null
f=$(dc_find dave "" h1)
check "hostile values: delivered with the order's headers" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = 900 ]
check "no injected header line" sh -c \
	"sed -n '1,/^\r\{0,1\}$/p' '$f' | grep -qi '^X-Evil\|^X-Injected'; test \$? = 1"
check "header block printable, each X-Shoper-* once" hdrs_ok "$f"
check "a template with CR LF gives no tracking URL" \
	[ -z "$(dc_hdr "$f" X-Shoper-Order-Tracking-Url)" ]
check "the hostile shipping name is cleaned text (decoded by Sieve too)" \
	[ -n "$(dc_hdr "$f" X-Shoper-Order-Shipping)" ]
dc_msg h2 'W <wrogi2@example.com>' 'question' |
	dc_lmtp wrogi2@example.com dave@test.example >/dev/null
f=$(dc_find dave "" h2)
check "a number with quotes and brackets is percent-encoded in every place" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Tracking-Url)" = 'https://t.example/?n=x%22y%3Cz%3E&m=x%22y%3Cz%3E' ]
check "header block printable, each X-Shoper-* once (2)" hdrs_ok "$f"
echo "1..$DC_TESTNUM"
