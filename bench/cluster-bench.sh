#!/bin/sh
# Many backends: a private redis-server (unix socket, appendonly as in
# production), SHOPS x ORDERS orders written by a leader, Redis memory per
# order, one shop's snapshot load, and CHANGES single changes timed from
# the leader's write to another node's applied pull.
#   TOP_BUILDDIR=/path/to/build sh bench/cluster-bench.sh [SHOPS ORDERS CHANGES]
set -eu
: "${TOP_BUILDDIR:?}"
make -s -C "$TOP_BUILDDIR/bench" cluster-bench >/dev/null
dir=$(mktemp -d /tmp/cluster-bench.XXXXXX)
redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
	--dir "$dir" --save "" --appendonly yes >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
while [ ! -S "$dir/redis.sock" ]; do sleep 0.1; done
mem() { redis-cli -s "$dir/redis.sock" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }
before=$(mem)
"$TOP_BUILDDIR/bench/cluster-bench" "unix:$dir/redis.sock" "${1:-10}" "${2:-10000}" "${3:-1000}"
after=$(mem)
echo
echo "Redis used_memory: $before -> $after bytes, $(( (after - before) / (${1:-10} * ${2:-10000}) )) bytes per order (hash + stream)"
