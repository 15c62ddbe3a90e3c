#!/bin/sh
# A process publishing index states through deltas and folds
# (doc/index-format.md §10) killed with SIGKILL at random points: after
# every kill the index with its delta is one whole state (every order,
# both kinds of key, agrees on it; a delta of another base is never
# applied) and never older than the last state the killed process had
# published; a rerun then goes on from there. FAULTS_KILLS kills (default 20). A fold every 3rd
# state, so kills land in both kinds of publish and between them.
KILLS=${FAULTS_KILLS:-20}
BIN=$TOP_BUILDDIR/tests/tools/delta-publisher
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
T=$(mktemp -d /tmp/delta-kill.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
IDX=$T/orders.cdb
rand() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1)); }

"$BIN" run "$IDX" 1 3 >/dev/null
ok $? "first state published"
prev=1 bad=0 hit=0 i=0
while [ "$hit" -lt "$KILLS" ] && [ $i -lt $((5 * KILLS)) ]; do
	i=$((i + 1))
	"$BIN" run "$IDX" 1000000000 3 >"$T/run.out" &
	pid=$!
	sleep "0.0$(rand 90)"
	kill -9 "$pid" 2>/dev/null && hit=$((hit + 1))
	wait "$pid" 2>/dev/null
	out=$("$BIN" check "$IDX")
	k=${out#state=}
	last=$(tail -n 1 "$T/run.out")
	[ "${last:-0}" -gt "$prev" ] && prev=$last
	if [ "$out" = "state=$k" ] && [ "$k" -ge "$prev" ]; then
		prev=$k
	else
		echo "# kill $i: $out (published before the kill: state $prev)"
		bad=$((bad + 1))
	fi
done
rm -f "$T/run.out"
echo "# $hit kills, last state $prev; leftovers: $(ls "$T" | tr '\n' ' ')"
ok "$([ "$hit" -ge "$KILLS" ] && echo 0 || echo 1)" "$hit kills landed in running publishes"
ok "$bad" "after every kill the index and its delta were one whole state, never older"
"$BIN" run "$IDX" $((prev + 7)) 3 >/dev/null && out=$("$BIN" check "$IDX")
ok "$([ "$out" = "state=$((prev + 7))" ] && echo 0 || echo 1)" "a rerun goes on from the state found ($out)"
echo "1..$n"
[ "$fail" -eq 0 ]
