#!/bin/sh
# Incremental publishes (doc/index-format.md §10) again and again while
# LMTP deliveries run: every change of all orders goes into the delta next
# to the index, every 10th publish is a full one (the fold, which drops
# the delta). No message is lost, none gets a temporary failure, and every
# message carries either the complete old or the complete new set of
# X-Shoper-* headers: never a delta over another base, never half a delta.
# Size: FAULTS_DELIVERIES (default 1000) deliveries by FAULTS_WORKERS (2)
# parallel LMTP connections, FAULTS_SWAPS (default 40) publishes. The
# issue's size: FAULTS_DELIVERIES=10000 FAULTS_SWAPS=1000
#   TESTS_FILTER=delta-deliver make check
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
N=${FAULTS_DELIVERIES:-1000}
SWAPS=${FAULTS_SWAPS:-40}
WORKERS=${FAULTS_WORKERS:-2}
. "$TOP_SRCDIR/tests/faults/swap-lib.sh"
swap_setup

# the publisher: a delta of all orders (A or B over the base), every 10th
# time a full publish (the fold)
MTI=$TOP_BUILDDIR/tests/tools/make-test-index
printf '#!/bin/sh\nc=$(($(cat "%s" 2>/dev/null || echo 0) + 1))\necho "$c" >"%s"\n[ $((c %% 10)) = 0 ] && exec "%s" "$@"\nexec "%s" -d "$@"\n' \
	"$T/calls" "$T/calls" "$MTI" "$MTI" >"$T/publish.sh"
chmod +x "$T/publish.sh"
"$T/publish.sh" "$DC_INDEX" <"$T/b.jsonl"
dc_msg ref-db 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
ref_db=$(dc_find alice "" ref-db)
st() { dc_hdr "$1" X-Shoper-Order-Status; }
check "a delta of B over base A gives B's headers" \
	[ -e "$DC_INDEX.delta" ] && [ -n "$(st "$ref_b")" ] &&
	[ "$(st "$ref_db")" = "$(st "$ref_b")" ] &&
	[ "$(st "$ref_db")" != "$(st "$ref_a")" ]
"$T/publish.sh" "$DC_INDEX" <"$T/a.jsonl"
rm -f "$ref_db"

swap_run delta-deliver "$T/publish.sh" \
	"$SWAPS publishes (deltas and folds) during the deliveries" \
	"a delta or index is never seen half-written"
echo "1..$DC_TESTNUM"
