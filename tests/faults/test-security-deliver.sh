#!/bin/sh
# Hostile mail and hostile shop data at delivery, beyond what
# tests/plugin/test-deliver.sh checks (forged headers of an unknown sender,
# first/middle position, the hostile order 700's status/total/tracking/
# customer/URL) and its per-user scopes (bob sees only sklep2, a Subject
# naming another shop's order does not match, carol gets nothing):
# - forged X-Shoper-* headers in every position (first, middle, last before
#   the blank line, folded) and case, LF and CRLF, with a known customer:
#   the stored header block is exactly ours, and Sieve sees no forged value;
# - CR, LF, NUL, CRLF+header and RFC 2047 tricks in every order field the
#   headers show: no header line but ours, Sieve sees no injected header;
# - a user whose shoper_shops lists only other shops gets nothing;
# - header lines other readers split differently (issue 13, item 9): a lone
#   CR before a forged header (also after a NUL), a "\r\r\n" line (an empty line once saved),
#   an X-Shoper-* name over 1000 bytes: Python's email parser (compat32 and
#   default policies) reading the stored file finds no X-Shoper-* header
#   but ours (none at all for carol), our block still in the header.
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
dc_user erin "userdb_shoper_shops=sklep9"
trap 'dc_cleanup' EXIT INT TERM
hdrs() { sed -n '1,/^\r\{0,1\}$/p' "$1" | tr -d '\r'; }
block() { hdrs "$1" | awk '/^[xX]-[sS][hH][oO][pP][eE][rR]-/ { on = 1; print; next }
	/^[ \t]/ { if (on) print; next } { on = 0 }'; }

dc_sieve alice <<'S'
require ["fileinto", "mailbox"];
if header :contains "X-Shoper-Order-Id" "666" { fileinto :create "forged"; }
if header :contains "X-Shoper-Order-Status-Type" "forged" { fileinto :create "forged"; }
if exists "X-Shoper-Forged" { fileinto :create "forged"; }
if exists ["X-Injected", "X-Evil", "Bcc"] { fileinto :create "injected"; }
if header :contains "X-Shoper-Customer" "X-Evil: 2" { fileinto :create "decoded"; }
keep;
S
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }

# --- forged headers with a known customer -------------------------------
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
dc_msg ref 'Jan <jan@example.com>' | dc_lmtp jan@example.com alice@test.example >/dev/null
ref=$(dc_find alice "" ref)
block "$ref" >"$T/ref.block"
check "reference delivery has our header block" \
	[ "$(grep -c '^X-Shoper-' "$T/ref.block")" -ge 10 ]

forged_msg() {	# ID EOL: forged X-Shoper-* first, middle, last, folded, cases
	printf 'X-Shoper-Order-Id: 666\nFrom: Jan <jan@example.com>\nx-shoper-order-status-type: forged\nTo: support@test.example\nX-SHOPER-ORDER-ID: 666\nSubject: forged\nX-ShOpEr-Customer: 666\n\tfolded 666\nMessage-ID: <%s@test>\nX-Shoper-Forged : space before colon 666\nDate: Sat, 29 Nov 2026 10:00:00 +0100\nX-Shoper-Forged:\nX-Shoper-Order-Id:666-last\n\nbody\nX-Shoper-Order-Id: 666 in the body\n' "$1" |
		if [ "$2" = crlf ]; then sed 's/$/\r/'; else cat; fi
}
for how in lmtp lda-lf lda-crlf; do
	case $how in
	lmtp) forged_msg "f-$how" lf | dc_lmtp jan@example.com alice@test.example >/dev/null ;;
	lda-lf) forged_msg "f-$how" lf | dc_lda alice jan@example.com ;;
	lda-crlf) forged_msg "f-$how" crlf | dc_lda alice jan@example.com ;;
	esac
	f=$(dc_find alice "" "f-$how")
	check "$how: forged message stored in INBOX" [ -n "$f" ]
	[ -n "$f" ] || continue
	block "$f" >"$T/got.block"
	check "$how: the X-Shoper block is exactly ours (every forged line gone)" \
		cmp -s "$T/ref.block" "$T/got.block"
	check_not "$how: no forged value left in the header" \
		sh -c "sed -n '1,/^\r\{0,1\}\$/p' '$f' | grep -q 666"
	check "$how: Sieve saw no forged header" [ -z "$(dc_find alice forged "f-$how")" ]
	check "$how: body untouched" grep -q '^X-Shoper-Order-Id: 666 in the body' "$f"
done

# --- injection through every field the headers show ---------------------
# @INJ@ becomes CR, LF, blank line, NUL, Bcc, bare CR and an encoded-word
# that decodes to CRLF (JSON escapes, so the index holds the raw bytes)
python3 - "$T/inj.jsonl" <<'J'
import json, sys
inj = ("\r\nX-Injected: yes\r\n\r\nBcc: victim@example.com\u0000\n"
       "X-Evil: 1\r=?utf-8?q?=0D=0AX-Evil:_2?=")
first = {"shop": "sklep1", "order_id": "901", "date": "2026-11-28 12:00:00",
         "status_id": "5", "status_name": "S", "status_type": 3,
         "total": "1.00", "currency": "PLN", "paid": True,
         "tracking": "T1", "customer": "C", "email": "inj@example.com",
         "url": "https://sklep1.example.pl/x",
         "synced": "2026-11-29 10:15:00"}
with open(sys.argv[1], "w") as f:
    # one order with the attack appended to every field the headers show
    # (but the shop name: it comes from our config, and the writer refuses
    # a name with NUL, ":" or "@"),
    # one with every such field nothing but the attack
    for k in ("order_id", "date", "status_name", "total",
              "currency", "tracking", "customer", "url", "synced"):
        # an order id never holds '@' (it could not be a key then)
        first[k] += inj.replace("@", "%") if k == "order_id" else inj
    f.write(json.dumps(first) + "\n")
    second = dict(first, shop="sklep1", order_id="902",
                  date="2026-11-29 12:00:00" + inj)
    for k in ("status_name", "total", "currency", "tracking", "customer",
              "url", "synced"):
        second[k] = inj
    f.write(json.dumps(second) + "\n")
J
cat "$TOP_SRCDIR/tests/plugin/orders.jsonl" >>"$T/inj.jsonl"
if dc_index <"$T/inj.jsonl"; then
	for via in lmtp lda; do
		dc_msg "inj-$via" 'Inj <inj@example.com>' >"$T/m"
		if [ $via = lmtp ]; then
			dc_lmtp inj@example.com alice@test.example <"$T/m" >/dev/null
		else
			dc_lda alice inj@example.com <"$T/m"
		fi
		f=$(dc_find alice "" "inj-$via")
		check "$via: message of the hostile customer stored with our headers" \
			eval '[ -n "$f" ] && [ -n "$(dc_hdr "$f" X-Shoper-Order-Status-Type)" ]'
		[ -n "$f" ] || continue
		check_not "$via: no injected header line" \
			sh -c "sed -n '1,/^\r\{0,1\}\$/p' '$f' | grep -qi '^x-injected\|^x-evil\|^bcc'"
		check "$via: every header line after ours belongs to ours" \
			sh -c "sed -n '1,/^\r\{0,1\}\$/p' '$f' | tr -d '\r' | awk '/^X-Shoper-/ {s=1; next} s && /^[^ \t]/ && !/^X-Shoper-/ && !/^\$/ {bad=1} END {exit bad}'"
		check "$via: no NUL or bare CR in the header" python3 -c 'import sys
h = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").split(b"\n\n")[0]
sys.exit(1 if b"\0" in h or b"\r" in h else 0)' "$f"
		check "$via: Sieve saw no injected header" [ -z "$(dc_find alice injected "inj-$via")" ]
		# a shop value that looks like an RFC 2047 encoded-word must be
		# encoded itself, or Sieve and clients decode it (here to CR LF)
		check "$via: an encoded-word lookalike is not decoded by Sieve" \
			[ -z "$(dc_find alice decoded "inj-$via")" ]
		echo "# $via: $(block "$f" | head -n 14 | tr '\n' '|')"
	done
else
	ok 1 "make-test-index accepts hostile values"
fi

# --- lines other readers split differently ------------------------------
# py_shoper FILE: the X-Shoper-* headers Python's parser finds, per policy
py_shoper() {
	python3 -c 'import email, sys
from email import policy
data = open(sys.argv[1], "rb").read()
for pol in (policy.compat32, policy.default):
    m = email.message_from_bytes(data, policy=pol)
    print([(k.lower(), str(v)) for k, v in m.items()
           if k.lower().startswith("x-shoper-")])
    if "body of" not in str(m.get_payload()):
        print("body lost")' "$1"
}
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
py_shoper "$ref" >"$T/ref.py"
check "Python's parser reads our block in the reference" \
	grep -q "x-shoper-order-id', '777'" "$T/ref.py"
longname=x-shoper-$(printf '%01200d' 0 | tr 0 A)
split_msg() {	# ID CASE: LF line ends (dc_lmtp sends "\r\r" as "\r\r\n")
	printf 'From: Jan <jan@example.com>\nTo: support@test.example\nMessage-ID: <%s@test>\n' "$1"
	case $2 in
	cr) printf 'Subject: hi\rX-Shoper-Order-Paid: yes\rX-Shoper-Order-Id: 666\n' ;;
	nul) printf 'X-Note: a\000b\rX-Shoper-Order-Paid: yes\n' ;;
	crcr) printf 'X-Trace: 1\n\r\r\n' ;;
	long) printf '%s: 666\n' "$longname" ;;
	esac
	printf 'Date: Sat, 29 Nov 2026 10:00:00 +0100\nSubject: split\n\nbody of %s\n' "$1"
}
for c in cr nul crcr long; do
	for via in lmtp lda; do
		id="split-$c-$via"
		if [ $via = lmtp ]; then
			split_msg "$id" $c | dc_lmtp jan@example.com alice@test.example carol@test.example >/dev/null
		else
			# CRLF: "\r\r" + CRLF would be two CRs, drop one
			split_msg "$id" $c | sed 's/\r\r$/\r/; s/$/\r/' | dc_lda alice jan@example.com
		fi
		f=$(dc_find alice "" "$id")
		check "$c/$via: alice: Python (both policies) finds exactly our X-Shoper-* headers" \
			eval '[ -n "$f" ] && py_shoper "$f" | cmp -s - "$T/ref.py"'
		[ $via = lmtp ] || continue
		f=$(dc_find carol "" "$id")
		check "$c/$via: carol: Python finds no X-Shoper-* header" \
			eval '[ -n "$f" ] && [ "$(py_shoper "$f" | sort -u)" = "[]" ]'
	done
done

# --- a mailbox asking for another shop's orders -------------------------
dc_msg erin1 'Jan <jan@example.com>' 'order #12345 sklep1:12345' |
	dc_lmtp jan@example.com erin@test.example >/dev/null
f=$(dc_find erin "" erin1)
check "erin (shoper_shops=sklep9): stored, no header of ours" \
	eval '[ -n "$f" ] && [ -z "$(block "$f")" ]'
check "no lmtp or lda process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"
echo "1..$DC_TESTNUM"
