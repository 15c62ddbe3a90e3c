#!/bin/sh
# Where the plugin's delivery time goes, free of machine noise: runs the
# delivery benchmark's setups (a) Sieve only and (b) Sieve + plugin with
# lmtp under valgrind --tool=callgrind (one LMTP connection, the same
# message stream), then prints instructions per delivered message for each
# setup, their difference, and the plugin's functions (inclusive).
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/deliver-profile.sh   (as root)
# BENCH_MESSAGES (default 300), BENCH_DATA_DIR as in deliver-bench.sh;
# PROFILE_DIR keeps the callgrind files (default: a temp dir, removed).
set -eu
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
command -v valgrind >/dev/null || {
	echo "profile skipped: valgrind missing"
	exit 0
}
N=${BENCH_MESSAGES:-300}
dir=${PROFILE_DIR:-}
if [ -z "$dir" ]; then
	dir=$(mktemp -d /tmp/shoper-deliver-profile.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
chmod 777 "$dir"
BENCH_SETUPS="a b" BENCH_CLIENTS=1 BENCH_ROUNDS=1 BENCH_MESSAGES=$N \
	BENCH_CALLGRIND_DIR=$dir sh "$TOP_SRCDIR/bench/deliver-bench.sh" >&2
# the driver delivers 200 warm-up messages (fewer if N is smaller), then N
w=200
[ "$N" -lt $w ] && w=$N
total=$((N + w))
ir() {	# callgrind file -> total instructions
	sed -n 's/^summary: *//p; s/^totals: *//p' "$1" | head -n 1
}
echo "| setup | lmtp processes | instructions per message |"
echo "|---|---|---|"
for s in a b; do
	sum=0
	n=0
	for f in "$dir/$s".*.out; do
		[ -f "$f" ] || continue
		sum=$((sum + $(ir "$f")))
		n=$((n + 1))
	done
	eval "ir_$s=$sum"
	echo "| $s | $n | $((sum / total)) |"
done
# shellcheck disable=SC2154
echo "| (b) - (a) | | $(((ir_b - ir_a) / total)) |"
echo
echo "Plugin and related functions in (b), inclusive instructions per message"
echo "(a function's total from all its callers: raw_mailbox_alloc_stream and"
echo "mail_get_first_header are also called by lmtp and Sieve themselves):"
echo
echo "| instructions | function |"
echo "|---|---|"
# per file: the largest count per function name (callgrind_annotate lists
# some functions twice, with and without a source file), then summed
for f in "$dir"/b.*.out; do
	callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
		awk '
		/shoper_|raw_mailbox_alloc_stream|mail_get_first_header|regcomp|regfree|i_stream_create_header_filter|lmtp_local_deliver|mail_deliver \[|mailbox_transaction_begin|mail_alloc \[/ {
			n = $1
			gsub(",", "", n)
			name = ""
			for (i = 2; i <= NF; i++)
				if ($i ~ /:/) { name = $i; break }
			sub(/^.*:/, "", name)
			if (name !~ /^(shoper_.*|raw_mailbox_alloc_stream|mail_get_first_header(_utf8)?|regcomp|regfree|i_stream_create_header_filter|mail_deliver|mailbox_transaction_begin|mail_alloc)$/)
				next
			if (n + 0 > m[name]) m[name] = n + 0
		}
		END { for (k in m) print k, m[k] }'
done | awk -v t=$total '{ s[$1] += $2 }
	END { for (k in s) printf "| %d | %s |\n", s[k] / t, k }' |
	sort -t'|' -k2 -rn | head -n 30
