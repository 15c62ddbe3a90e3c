#!/bin/sh
# Long libFuzzer runs: each target for FUZZ_RUNS executions (default
# 10,000,000) on its seed corpus, one after another, in one process each. Prints one
# line per target: executions, executions per second, seconds, and "ok"
# or the crash file libFuzzer wrote. Not part of make check (hours of CPU).
#   BUILDDIR=/tmp/build tests/fuzz/run-long.sh [TARGET...]
# TARGET: index-reader record-decode order-parse config headers (default all)
# FUZZ_OUT (default /tmp/shoper-fuzz) keeps the grown corpora, logs, crashes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${BUILDDIR:-${TOP_BUILDDIR:-$(pwd)}}
runs=${FUZZ_RUNS:-10000000}
out=${FUZZ_OUT:-/tmp/shoper-fuzz}
mkdir -p "$out"

target_bin() {	# NAME -> binary path and corpus dir
	case "$1" in
	index-reader) echo "index/fuzz-index-reader index" ;;
	record-decode) echo "index/fuzz-record-decode record-decode" ;;
	delta-reader) echo "index/fuzz-delta-reader delta" ;;
	order-parse) echo "store/fuzz-order-parse order-parse" ;;
	config) echo "store/fuzz-config config" ;;
	headers) echo "plugin/headers/fuzz-headers headers" ;;
	*) return 1 ;;
	esac
}

[ $# -gt 0 ] || set -- index-reader record-decode delta-reader order-parse config headers
failed=0
for name in "$@"; do
	set -- $(target_bin "$name") || { echo "$name: unknown target"; exit 2; }
	bin=$build/$1 seeds=$src/tests/fuzz/$2
	if [ ! -x "$bin" ]; then
		echo "$name: not built ($bin; configure with clang, make check)"
		failed=1
		continue
	fi
	mkdir -p "$out/corpus-$name"
	log=$out/$name.log
	start=$(date +%s)
	"$bin" -runs="$runs" -print_final_stats=1 -timeout=30 \
		-rss_limit_mb=2048 -artifact_prefix="$out/$name-" \
		"$out/corpus-$name" "$seeds" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	crash=$(ls "$out/$name"-* 2>/dev/null | head -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		res=ok
	else
		res="FAILED (exit $rc) ${crash:-see $log}"
		failed=1
	fi
	echo "$name: ${execs:-?} executions, ${rate:-?} exec/s, ${secs}s, corpus $(ls "$out/corpus-$name" | wc -l) files: $res"
done
exit $failed
