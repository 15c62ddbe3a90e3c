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
dc_setup
trap 'dc_cleanup' EXIT INT TERM
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }
FAULTS=$TOP_SRCDIR/tests/faults
# as in production: the index directory is setgid to the mail processes'
# group, so each new 0640 index is readable by them the moment it appears
chgrp "$DC_UID" "$T/index"
chmod 2750 "$T/index"

# A: the test orders; B: every order's status, customer, tracking and sync
# time changed, so the two header sets differ in many lines.
cp "$TOP_SRCDIR/tests/plugin/orders.jsonl" "$T/a.jsonl"
sed 's/"status_type":[0-9]/"status_type":2/g; s/Wysłane/W drodze/g;
	s/Nowe/W realizacji/g; s/Jan Kowalski/Jan Nowak-Kowalski/g;
	s/"synced":"2026-11-29 10:1/"synced":"2026-11-29 11:1/g;
	s/00812345678901/00899999999999/g' "$T/a.jsonl" >"$T/b.jsonl"
dc_index <"$T/b.jsonl"
dc_msg ref-b 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
dc_index <"$T/a.jsonl"
dc_msg ref-a 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
ref_a=$(dc_find alice "" ref-a) ref_b=$(dc_find alice "" ref-b)
check "reference deliveries with index A and B stored with headers" \
	[ -n "$ref_a" ] && [ -n "$ref_b" ] &&
	[ "$(dc_hdr "$ref_a" X-Shoper-Order-Id)" = 777 ]

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

start=$(date +%s)
res=$(python3 "$FAULTS/swap_deliver.py" "$T/run/lmtp" alice@test.example \
	"$N" "$SWAPS" "$WORKERS" "$T/publish.sh" \
	"$DC_INDEX" "$T/a.jsonl" "$T/b.jsonl" 2>"$T/swap.err")
secs=$(($(date +%s) - start))
echo "# deliveries: $res (${secs}s)"
sed 's/^/# /' "$T/swap.err" | head -n 10
val() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "all $N deliveries accepted" [ "$(val accepted "$res")" = "$N" ]
check "0 temporary failures" [ "$(val tempfail "$res")" = 0 ]
check "0 other failures" [ "$(val failed "$res")" = 0 ]
check "$SWAPS publishes (deltas and folds) during the deliveries" \
	[ "$(val swaps "$res")" = "$SWAPS" ]

cls=$(python3 "$FAULTS/check_headers.py" "$T/mail/alice/Maildir" \
	"$ref_a" "$ref_b" swap "$N" 2>"$T/check.err")
echo "# stored: $cls"
sed 's/^/# /' "$T/check.err" | head -n 5
check "0 lost: all $N messages stored" [ "$(val lost "$cls")" = 0 ] &&
	[ "$(val stored "$cls")" = "$N" ]
check "no message stored twice" [ "$(val duplicates "$cls")" = 0 ]
check "every message has exactly the old or the new header set" \
	[ "$(val mixed "$cls")" = 0 ]
# with 20+ swaps spread over the run both sets must have been seen
check "both header sets were delivered (the swaps took effect)" \
	[ "$(val old "$cls")" -gt 0 ] && [ "$(val new "$cls")" -gt 0 ]
check "no index warning (a delta or index is never seen half-written)" \
	sh -c "! grep -q 'shoper: order index' '$T/log/dovecot.log'"
check "no lmtp process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"
echo "# FIGURES delta-deliver: deliveries=$N swaps=$(val swaps "$res") lost=$(val lost "$cls") tempfail=$(val tempfail "$res") failed=$(val failed "$res") old=$(val old "$cls") new=$(val new "$cls") mixed=$(val mixed "$cls") seconds=$secs"
echo "1..$DC_TESTNUM"
