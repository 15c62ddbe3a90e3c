# Shared by test-index-swap.sh and test-delta-deliver.sh (source it after
# dovecot.sh, with N, SWAPS, WORKERS set): a private Dovecot, two index
# contents A and B, reference deliveries with each, then deliveries while
# a publisher replaces the index, checked message by message.
#   swap_setup    Dovecot up; $T/a.jsonl, $T/b.jsonl; ref_a, ref_b (1 check)
#   swap_run NAME PUBLISHER WHAT-SWAPS WHAT-NO-WARNING
#                 N deliveries while PUBLISHER INDEX < JSONL runs SWAPS
#                 times (10 checks), a "# FIGURES NAME:" line
val() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; } # KEY "k=v ...": v

swap_setup() {
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
}

swap_run() {
	start=$(date +%s)
	res=$(python3 "$FAULTS/swap_deliver.py" "$T/run/lmtp" alice@test.example \
		"$N" "$SWAPS" "$WORKERS" "$2" \
		"$DC_INDEX" "$T/a.jsonl" "$T/b.jsonl" 2>"$T/swap.err")
	secs=$(($(date +%s) - start))
	echo "# deliveries: $res (${secs}s)"
	sed 's/^/# /' "$T/swap.err" | head -n 10
	check "all $N deliveries accepted" [ "$(val accepted "$res")" = "$N" ]
	check "0 temporary failures" [ "$(val tempfail "$res")" = 0 ]
	check "0 other failures" [ "$(val failed "$res")" = 0 ]
	check "$3" [ "$(val swaps "$res")" = "$SWAPS" ]

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
	check "no index warning ($4)" \
		sh -c "! grep -q 'shoper: order index' '$T/log/dovecot.log'"
	check "no lmtp process crashed" \
		sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"
	echo "# FIGURES $1: deliveries=$N swaps=$(val swaps "$res") lost=$(val lost "$cls") tempfail=$(val tempfail "$res") failed=$(val failed "$res") old=$(val old "$cls") new=$(val new "$cls") mixed=$(val mixed "$cls") seconds=$secs"
}
