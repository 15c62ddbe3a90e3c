#!/bin/sh
# Where the plugin's delivery time goes, free of machine noise: runs the
# delivery benchmark's setups (a) Sieve only, (b) Sieve + plugin and the
# controls (n) plugin with no shop in scope (nothing ever added) and (h)
# plugin with a script that never files (headers added and tested, no
# folder filing) with lmtp under valgrind --tool=callgrind (one LMTP
# connection, the same message stream), then prints instructions per
# delivered message for each setup, the differences, and the plugin's
# functions in (b) (inclusive).
#   (n) - (a): the plugin's cost when it has nothing to add
#   (h) - (a): the plugin's cost with headers, without Sieve's filing
#   (b) - (h): Sieve filing half the messages into folders
#   TOP_SRCDIR=... TOP_BUILDDIR=... sh bench/deliver-profile.sh   (as root)
# BENCH_MESSAGES (default 300), BENCH_DATA_DIR and BENCH_PLUGIN as in
# deliver-bench.sh; PROFILE_SETUPS (default "a n h b");
# PROFILE_DIR keeps the callgrind files (default: a temp dir, removed).
set -eu
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
command -v valgrind >/dev/null || {
	echo "profile skipped: valgrind missing"
	exit 0
}
N=${BENCH_MESSAGES:-300}
SETUPS=${PROFILE_SETUPS:-a n h b}
dir=${PROFILE_DIR:-}
if [ -z "$dir" ]; then
	dir=$(mktemp -d /tmp/shoper-deliver-profile.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
chmod 777 "$dir"
BENCH_SETUPS=$SETUPS BENCH_CLIENTS=1 BENCH_ROUNDS=1 BENCH_MESSAGES=$N \
	BENCH_CALLGRIND_DIR=$dir sh "$TOP_SRCDIR/bench/deliver-bench.sh" >&2
# the driver delivers 200 warm-up messages (fewer if N is smaller), then N
w=200
[ "$N" -lt $w ] && w=$N
total=$((N + w))
ir() {	# callgrind file -> total instructions
	sed -n 's/^summary: *//p; s/^totals: *//p' "$1" | head -n 1
}
label() {
	case $1 in
	a) echo "(a) Sieve, no plugin" ;;
	b) echo "(b) Sieve + plugin" ;;
	n) echo "(n) control: plugin, no shop in scope" ;;
	h) echo "(h) control: plugin, script never files" ;;
	*) echo "($1)" ;;
	esac
}
echo "| setup | lmtp processes | instructions per message |"
echo "|---|---|---|"
for s in $SETUPS; do
	sum=0
	n=0
	for f in "$dir/$s".*.out; do
		[ -f "$f" ] || continue
		sum=$((sum + $(ir "$f")))
		n=$((n + 1))
	done
	eval "ir_$s=$sum"
	echo "| $(label "$s") | $n | $((sum / total)) |"
done
diff_row() {	# X Y: (X) - (Y) when both ran
	case " $SETUPS " in *" $1 "*) ;; *) return 0 ;; esac
	case " $SETUPS " in *" $2 "*) ;; *) return 0 ;; esac
	eval "x=\$ir_$1 y=\$ir_$2"
	# shellcheck disable=SC2154
	echo "| ($1) - ($2) | | $(((x - y) / total)) |"
}
diff_row n a
diff_row h a
diff_row b a
diff_row b h
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
