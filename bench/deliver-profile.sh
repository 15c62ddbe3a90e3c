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
# the driver delivers 40 warm-up messages, then N
total=$((N + 40))
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
echo "Plugin and related functions in (b), inclusive instructions per message:"
for f in "$dir"/b.*.out; do
	callgrind_annotate --inclusive=yes "$f" 2>/dev/null
done | awk -v t=$total '
	/shoper|mail_deliver|raw_mailbox|i_stream_create_header_filter|sieve_run|mail_deliver_save|lmtp_local|sieve_execute|mailbox_alloc|mailbox_open|index_mail_parse|message_parse/ {
		gsub(",", "", $1); s[$2] += $1
	}
	END { for (k in s) printf "%12d  %s\n", s[k] / t, k }' |
	sort -rn | head -n 40
