#!/bin/sh
# The order index benchmark: 1,000,000 orders for 500,000 addresses in
# 2 shops. Prints a markdown table (README has the last result).
#   TOP_BUILDDIR=/path/to/build sh bench/run-index-bench.sh [index-bench options]
# The index file goes to BENCH_DIR (default: a temp dir on the build
# tree's file system, so cold-cache numbers are for a real disk, not tmpfs).
set -eu
: "${TOP_BUILDDIR:?}"
bin="$TOP_BUILDDIR/bench/index-bench"
make -s -C "$TOP_BUILDDIR/index" libshoper-index.la >/dev/null
make -s -C "$TOP_BUILDDIR/bench" index-bench >/dev/null
dir=$(mktemp -d "${BENCH_DIR:-$TOP_BUILDDIR/bench}/index-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
"$bin" "$@" "$dir/orders.cdb"
