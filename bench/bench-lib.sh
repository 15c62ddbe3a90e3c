# Shared by bench/*-bench.sh (source it after set -u): a temp dir with a
# CA for the test shop (tests/lib/shop.sh: shop_start, shop_sync_conf,
# shop_sync_daemon), the synthetic orders, the daemon's rounds.
#   bench_init NAME        T=/tmp/NAME.XXXXXX (0700), its CA in $T/ca; at
#                          exit the daemon ($DPID) and the shop stop, T goes
#   bench_seed ORDERS TOTAL  copies of the synced orders fill the state of
#                          $CONF to TOTAL (1: none needed, TOTAL <= ORDERS)
#   bench_rounds           the daemon's re-read + publish times, a table row
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
BIN="$TOP_BUILDDIR/cli/shoper-sync"
. "$TOP_SRCDIR/tests/lib/shop.sh"

bench_init() {
	T=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 700 "$T"
	DPID=
	trap '[ -n "$DPID" ] && kill $DPID; shop_stop; rm -rf "$T"' EXIT
	trap 'exit 1' INT TERM
	shop_ca_init "$T/ca" >/dev/null 2>&1 || exit 1
}

bench_seed() { # ORDERS TOTAL
	[ "$2" -gt "$1" ] || return 1
	# Copies of the synced orders (ids from 10,000,000 up, their own
	# addresses, parcels with them). The shop never hears of them: the
	# changes measured are to its real orders, and a full pass (which
	# would drop the copies) is a day away.
	python3 "$TOP_SRCDIR/bench/seed-state.py" \
		"$(dirname "$CONF")/state/state.db" "$2" || exit 1
}

bench_rounds() { # LOG: p50 / p99 of the daemon's "orders re-read" lines
	sed -n 's/.*orders re-read .* in \([0-9]*\) ms$/\1/p' "$1" | sort -n |
		awk '{v[NR]=$1} END {i = int(NR * 0.99); if (i < 1) i = 1
		if (NR) printf "| daemon: re-read + publish, %d rounds: p50 / p99 | %d / %d ms |\n", NR, v[int((NR+1)/2)], v[i]}'
}
