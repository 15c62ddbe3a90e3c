#!/bin/sh
# Delivery benchmark: what the plugin costs at LMTP delivery, against no
# plugin and against the do-it-yourself way (Pigeonhole extprograms).
# Three private Dovecot instances side by side, all with Sieve filing by
# order status (bench/sieve/):
#   (a) Sieve only, no plugin
#   (b) Sieve + lib99_shoper_plugin.so with a 1,000,000-order index
#   (c) Sieve + sieve_extprograms: `execute :output` of a lookup program
#       (bench/extprograms-lookup.sh or .py over the same orders) and
#       editheader
# and two controls that split (b)'s extra cost (only run when named in
# BENCH_SETUPS, e.g. by deliver-profile.sh):
#   (n) as (b), but the users' scope is a shop the index doesn't have: a
#       lookup for every message, nothing ever added
#   (h) as (b), but the Sieve script tests values that never occur: the
#       same headers added and tested, nothing filed into folders
# The same message stream goes to each, over BENCH_CLIENTS concurrent LMTP
# connections (one mailbox per connection), BENCH_ROUNDS rounds with the
# setups interleaved (order rotated each round), fresh mailboxes every round,
# mail_fsync = never. Prints one markdown table (medians of the rounds).
#
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/deliver-bench.sh   (as root)
# Environment: BENCH_MESSAGES (5000), BENCH_MESSAGES_C (1000: (c) is ~20 x
# slower, it gets the first ones of the same stream), BENCH_ROUNDS (3),
# BENCH_CLIENTS (4),
# BENCH_ORDERS (1000000), BENCH_ADDRS (500000), BENCH_SHOPS (2),
# BENCH_LOOKUP (sh: extprograms-lookup.sh, look(1) over a sorted TSV, the
# cheapest; py: extprograms-lookup.py, Python + SQLite),
# BENCH_DATA_DIR (generated orders, kept between runs; default
# $TOP_BUILDDIR/bench/deliver-data), BENCH_PLUGIN (the .so to test in (b),
# default the build tree's), KEEP_TMP=1 keeps the instances' dir;
# for deliver-profile.sh: BENCH_SETUPS (a b c; also n h),
# BENCH_CALLGRIND_DIR (run lmtp under valgrind --tool=callgrind, one output
# file per process there).
set -eu
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
N=${BENCH_MESSAGES:-5000}
NC=${BENCH_MESSAGES_C:-1000}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-4}
ORDERS=${BENCH_ORDERS:-1000000}
ADDRS=${BENCH_ADDRS:-500000}
SHOPS=${BENCH_SHOPS:-2}
LOOKUP=${BENCH_LOOKUP:-sh}
SETUPS=${BENCH_SETUPS:-a b c}
CG=${BENCH_CALLGRIND_DIR:-}
case $LOOKUP in sh | py) ;; *) echo "BENCH_LOOKUP: sh or py" >&2; exit 2 ;; esac
DATA=${BENCH_DATA_DIR:-$TOP_BUILDDIR/bench/deliver-data}
PY=/usr/bin/python3 # Debian's: a pyenv shim costs seconds per call
[ -x $PY ] || PY=python3
B=$TOP_SRCDIR/bench
PLUGIN=${BENCH_PLUGIN:-$TOP_BUILDDIR/plugin/deliver/.libs/lib99_shoper_plugin.so}
MKINDEX=$TOP_BUILDDIR/tests/tools/make-test-index
UID_=5000
. "$TOP_SRCDIR/tests/lib/dovecot-conf.sh"
dc_settings_ns "$@"

skip() {
	echo "delivery benchmark skipped: $1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (private dovecot masters)"
for f in /usr/sbin/dovecot /usr/lib/dovecot/lmtp \
	/usr/lib/dovecot/modules/lib90_sieve_plugin.so \
	/usr/lib/dovecot/modules/sieve/lib90_sieve_extprograms_plugin.so; do
	[ -e "$f" ] || skip "$f missing"
done
[ -e "$PLUGIN" ] || make -s -C "$TOP_BUILDDIR/plugin" >&2
[ -x "$MKINDEX" ] || make -s -C "$TOP_BUILDDIR/index" ../tests/tools/make-test-index >&2
[ -e "$PLUGIN" ] || skip "$PLUGIN missing"

# --- the orders: one generator, the plugin's index and the admin's SQLite
key=$ORDERS-$ADDRS-$SHOPS-$($PY "$B/deliver_bench.py" data-version)
if [ "$(cat "$DATA/key" 2>/dev/null)" != "$key" ]; then
	echo "# generating $ORDERS orders for $ADDRS addresses in $SHOPS shops" >&2
	mkdir -p "$DATA"
	rm -f "$DATA/key"
	$PY "$B/deliver_bench.py" gen-data "$ORDERS" "$ADDRS" "$SHOPS" \
		"$DATA/orders.sqlite" "$DATA/orders.tsv.tmp" |
		"$MKINDEX" "$DATA/orders.cdb"
	LC_ALL=C sort -t '	' -k1,1 -k2,2r -o "$DATA/orders.tsv" \
		"$DATA/orders.tsv.tmp"
	rm -f "$DATA/orders.tsv.tmp"
	chmod 644 "$DATA/orders.cdb" "$DATA/orders.sqlite" "$DATA/orders.tsv"
	echo "$key" >"$DATA/key"
fi

W=$(mktemp -d /tmp/shoper-deliver-bench.XXXXXX)
chmod 755 "$W"
stop_all() {
	for s in a b c n h; do
		p=$(cat "$W/$s/run/master.pid" 2>/dev/null) || continue
		kill "$p" 2>/dev/null || continue
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.1
		done
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap stop_all EXIT
trap 'exit 1' INT TERM

setup() {	# NAME PLUGINS SIEVE-SCRIPT [SHOPS]: then dc_set...; dc_config
	d=$W/$1
	mkdir -p "$d/run" "$d/state" "$d/log" "$d/mail" "$d/home" \
		"$d/modules" "$d/conf" "$d/bin"
	ln -s /usr/lib/dovecot/modules/* "$d/modules/"
	rm -f "$d/modules/lib99_shoper_plugin.so"
	cp "$PLUGIN" "$d/modules/lib99_shoper_plugin.so"
	ln -s "$DATA/orders.sqlite" "$DATA/orders.tsv" "$d/bin/"
	cp "$B/extprograms-lookup.$LOOKUP" "$d/bin/shoper-lookup"
	chmod 755 "$d/bin/shoper-lookup"
	: >"$d/conf/passwd"
	u=0
	while [ $u -lt "$CLIENTS" ]; do
		mkdir -p "$d/home/u$u"
		case $3 in
		/*) cp "$3" "$d/home/u$u/.dovecot.sieve" ;;
		*) cp "$B/sieve/$3" "$d/home/u$u/.dovecot.sieve" ;;
		esac
		echo "u$u:{PLAIN}x:$UID_:$UID_::$d/home/u$u::userdb_shoper_shops=${4:-*}" \
			>>"$d/conf/passwd"
		u=$((u + 1))
	done
	touch "$d/log/dovecot.log"
	chmod 666 "$d/log/dovecot.log"
	chown -R $UID_:$UID_ "$d/mail" "$d/home"
	DCC_PROTOCOLS=lmtp
	dcc_init "$d" "shoper-bench-$1-$$"
	dc_delivery_plugins $2
	dc_sieve_personal
	# keep every process for the whole run: CPU is read from live processes
	dc_set default_idle_kill_interval "1 hours"
	dc_service lmtp process_min_avail "$CLIENTS"
	if [ -n "$CG" ]; then
		printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s/%s.%%p.out /usr/lib/dovecot/lmtp "$@"\n' \
			"$CG" "$1" >"$d/bin/lmtp-callgrind"
		chmod 755 "$d/bin/lmtp-callgrind"
		dc_service lmtp executable "$d/bin/lmtp-callgrind"
		dc_service lmtp vsz_limit unlimited
	fi
}

setup a "sieve" file-by-status.sieve
dc_config
setup b "shoper sieve" file-by-status.sieve
dc_set shoper_index "$DATA/orders.cdb"
dc_config
# controls: no shop in scope (sklep0 isn't in the index); no value matches
setup n "shoper sieve" file-by-status.sieve sklep0
dc_set shoper_index "$DATA/orders.cdb"
dc_config
sed 's/:is "\([^"]*\)" "\([^"]*\)"/:is "\1" "never-\2"/' \
	"$B/sieve/file-by-status.sieve" >"$W/never.sieve"
setup h "shoper sieve" "$W/never.sieve"
dc_set shoper_index "$DATA/orders.cdb"
dc_config
setup c "sieve" extprograms.sieve
dc_set_list sieve_plugins sieve_extprograms
dc_set_list sieve_extensions vnd.dovecot.execute editheader
dc_set sieve_execute_bin_dir "$W/c/bin"
dc_config

for s in $SETUPS; do
	/usr/sbin/dovecot -c "$W/$s/conf/dovecot.conf" </dev/null \
		>>"$W/$s/log/start.log" 2>&1 || {
		cat "$W/$s/log/start.log" "$W/$s/log/dovecot.log" >&2
		exit 1
	}
done
for s in $SETUPS; do
	i=0
	while [ ! -S "$W/$s/run/lmtp" ] || [ ! -s "$W/$s/run/master.pid" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "dovecot $s did not start" >&2; exit 1; }
		sleep 0.1
	done
done
# the data in the page cache for both lookups, as on a server
cat "$DATA/orders.cdb" "$DATA/orders.sqlite" "$DATA/orders.tsv" >/dev/null

specs=
for s in $SETUPS; do
	n=$N
	[ "$s" = c ] && n=$NC
	specs="$specs $s=$(cat "$W/$s/run/master.pid"):$W/$s:$n"
done
# shellcheck disable=SC2086
BENCH_LOOKUP=$LOOKUP $PY "$B/deliver_bench.py" run "$N" "$ROUNDS" \
	"$CLIENTS" "$ADDRS" $specs || {
	for s in $SETUPS; do tail -n 20 "$W/$s/log/dovecot.log" >&2; done
	exit 1
}
for s in $SETUPS; do
	if grep -q -i -E 'error|panic|fatal|warning' "$W/$s/log/dovecot.log"; then
		echo "# ($s) log has errors/warnings:" >&2
		grep -i -E 'error|panic|fatal|warning' "$W/$s/log/dovecot.log" |
			sort | uniq -c | sort -rn | head -n 5 >&2
	fi
done
