#!/bin/sh
# Smoke test of tests/lib/shop.sh: start a shop, query it through shop_ctl,
# change data through the control interface, stop it.  TAP output.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP_SRCDIR/tests/lib/shop.sh"

n=0 failed=0
t() { # t OK|FAIL what
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check() { # check what command...
	_w=$1; shift
	if "$@" >/dev/null 2>&1; then t OK "$_w"; else t FAIL "$_w"; fi
}

tmp=$(mktemp -d)
trap 'shop_stop; rm -rf "$tmp"' EXIT INT TERM

shop_ca_init "$tmp"
if [ -s "$tmp/ca.pem" ] && [ -s "$tmp/server.pem" ] && [ -s "$tmp/server.key" ] \
	&& [ -s "$tmp/wrong-ca.pem" ] && [ -s "$tmp/wrong-server.pem" ]; then
	t OK "shop_ca_init makes ca.pem, server.pem/key, wrong-ca.pem, wrong-server.pem"
else
	t FAIL "shop_ca_init makes the CA files"
fi
if shop_start "$tmp" sklep1 --orders 50 --customers 10; then
	t OK "shop_start sets SHOP_URL=$SHOP_URL"
else
	t FAIL "shop_start"
	echo "1..$n"; exit 1
fi
case "$SHOP_URL" in https://127.0.0.1:[0-9]*) t OK "SHOP_URL is https on 127.0.0.1" ;;
	*) t FAIL "SHOP_URL is https on 127.0.0.1" ;; esac
[ "$SHOP_CA" = "$tmp/ca.pem" ] && t OK "SHOP_CA is DIR/ca.pem" || t FAIL "SHOP_CA"
kill -0 "$SHOP_PID" 2>/dev/null && t OK "SHOP_PID is running" || t FAIL "SHOP_PID"

out=$(shop_ctl GET counters)
case "$out" in *'"bulk_items": 0'*'"total": 0'*) t OK "shop_ctl GET counters" ;;
	*) t FAIL "shop_ctl GET counters: $out" ;; esac
out=$(shop_ctl POST orders '{"email":"Ala@Example.PL","sum":"12.50"}')
case "$out" in *'"order_id": "51"'*) t OK "shop_ctl POST orders -> next order_id" ;;
	*) t FAIL "shop_ctl POST orders: $out" ;; esac
out=$(shop_ctl GET orders/51)
case "$out" in *'"email": "Ala@Example.PL"'*'"parcels": []'*) t OK "shop_ctl GET orders/51" ;;
	*) t FAIL "shop_ctl GET orders/51: $out" ;; esac
if shop_ctl GET orders/99999 >/dev/null 2>&1; then
	t FAIL "shop_ctl exits non-zero on an HTTP error"
else
	t OK "shop_ctl exits non-zero on an HTTP error"
fi
check "shop_ctl POST faults" shop_ctl POST faults '{"kind":"503","count":2}'

pid=$SHOP_PID
shop_stop
if kill -0 "$pid" 2>/dev/null; then t FAIL "shop_stop stops the shop"; else
	t OK "shop_stop stops the shop"; fi
[ -z "$SHOP_PID" ] && t OK "shop_stop clears SHOP_PID" || t FAIL "SHOP_PID cleared"
echo "1..$n"
[ "$failed" -eq 0 ]
