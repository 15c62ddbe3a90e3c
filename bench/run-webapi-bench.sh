#!/bin/sh
# The webapi client alone (webapi/ through tests/tools/webapi-probe):
# fetch every order of a shop with BENCH_WEBAPI_ORDERS (default 10,000)
# orders, 50 a page, page 1 alone and the rest in bulks of 25, against the
# test shop over TLS with bucket capacity 10 and 2 calls/s, a bulk costing
# one (Shoper's defaults as far as known) and then costing one per item.
# Prints a markdown table; progress on stderr.
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/run-webapi-bench.sh
# Target (bulk = 1): calls = 1 auth + 1 + ceil((pages - 1) / 25), no 429.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
N=${BENCH_WEBAPI_ORDERS:-10000}
PROBE="$TOP_BUILDDIR/webapi/webapi-probe"
make -s -C "$TOP_BUILDDIR/webapi" webapi-probe >/dev/null || exit 1
. "$TOP_SRCDIR/tests/lib/shop.sh"
T=$(mktemp -d /tmp/webapi-bench.XXXXXX)
trap 'shop_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
shop_ca_init "$T" >/dev/null 2>&1 || exit 1
echo "webapi-bench: generating a shop with $N orders..." >&2
shop_start "$T" wb --orders "$N" --customers $((N / 4 + 1)) \
	--bucket-limit 10 --bucket-bandwidth 2 --bulk-cost one \
	--login api --password secret || exit 1
printf 'secret\n' >"$T/pw"
pages=$(((N + 49) / 50))
target=$((2 + (pages - 1 + 24) / 25))

fetch() { # label
	shop_ctl POST bucket/drain >/dev/null
	shop_ctl POST reset-counters >/dev/null
	rm -f "$T/token"
	"$PROBE" --flat --url "$SHOP_URL" --login api --password-file "$T/pw" \
		--ca "$SHOP_CA" --token-file "$T/token" fetch:orders:50 \
		>"$T/out" || { cat "$T/out" >&2; exit 1; }
	v() { sed -n "s/^$1=//p" "$T/out"; }
	c429=$(shop_ctl GET counters | tr -d '\n' |
		sed -n 's/.*"429": *\([0-9]*\).*/\1/p')
	echo "| $N orders, $1: rows / unique | $(v results.0.rows) / $(v results.0.unique) | $N |"
	echo "| $N orders, $1: HTTP calls (auth) | $(v stats.calls) ($(v stats.auth_calls)) | ${2:-} |"
	echo "| $N orders, $1: 429 answers | $c429 | ${3:-} |"
	printf '| %s orders, %s: wall s (waited for bucket) | %.1f (%.1f) | |\n' \
		"$N" "$1" "$(v elapsed_secs)" "$(v stats.waited_secs)"
}

echo "| metric | value | target |"
echo "|---|---|---|"
fetch "bulk costs 1" "$target" 0
shop_ctl POST config '{"bulk_cost": "each"}' >/dev/null
fetch "bulk costs 25" "" "<= 1"
