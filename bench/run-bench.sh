#!/bin/sh
# make bench: runs the index benchmark (run-index-bench.sh), the sync
# benchmark (sync-bench.sh), the delivery benchmark (deliver-bench.sh) and
# any other bench/run-*-bench.sh, then prints the machine and ONE markdown
# table of all results (README has the last one). Each benchmark prints its
# own markdown table (| metric | value | target |) on stdout; progress goes
# to stderr. Parameters through the environment, e.g. a quick run:
#   BENCH_MESSAGES=500 BENCH_ROUNDS=2 make bench
# (see deliver-bench.sh for BENCH_*). The delivery benchmark needs root.
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
export TOP_SRCDIR TOP_BUILDDIR
B=$TOP_SRCDIR/bench
out=$(mktemp -d /tmp/shoper-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM
rc=0

run() {	# NAME SCRIPT
	[ -f "$2" ] || return 0
	echo "== $1: $(basename "$2")" >&2
	start=$(date +%s)
	sh "$2" >"$out/$1.out"
	st=$?
	echo "$1 $st $(($(date +%s) - start))" >>"$out/list"
	cat "$out/$1.out" >&2
	[ $st -eq 0 ] || rc=1
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
run index "$B/run-index-bench.sh"
run sync "$B/sync-bench.sh"
run recent "$B/recent-bench.sh"
run delivery "$B/deliver-bench.sh"
for b in "$B"/run-*-bench.sh; do
	case $b in */run-index-bench.sh | *"*"*) continue ;; esac
	n=$(basename "$b" .sh)
	run "${n#run-}" "$b"
done

cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
dc=$(/usr/sbin/dovecot --version 2>/dev/null || echo none)
mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
echo
echo "Machine: $(nproc) CPU ($cpu), $mem RAM, Linux $(uname -r)," \
	"Dovecot $dc; load average at start $load; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| bench | metric | value | target |"
echo "|---|---|---|---|"
[ -f "$out/list" ] || exit $rc
while read -r name st secs; do
	if [ "$st" -ne 0 ]; then
		echo "| $name | **failed** (exit $st, see above) | | |"
		continue
	fi
	# table rows without header and separator; 2-column tables padded
	awk -v b="$name" '
		/^\|/ {
			if (!intable) { intable = 1; next }
			if ($0 ~ /^\|[-:| ]+$/) next
			n = split($0, f, "|")
			row = "| " b " " $0
			if (n - 2 < 3) row = row " |"
			print row
			next
		}
		{ intable = 0 }' "$out/$name.out"
	# a benchmark that printed no table (e.g. skipped) says why
	grep -q '^|' "$out/$name.out" ||
		echo "| $name | $(head -n 1 "$out/$name.out") ($secs s) | | |"
done <"$out/list"
echo
echo "Notes:"
while read -r name st secs; do
	grep -v '^|' "$out/$name.out" | grep -v '^$' | sed "s/^/- $name: /"
	echo "- $name: took $secs s"
done <"$out/list"
exit $rc
