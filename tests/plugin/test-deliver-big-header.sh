#!/bin/sh
# A 60 MB header (issue 13, item 7) under Dovecot's default vsz_limit
# (256 MB): 30 MB of header lines and one header folded over 30 MB, with
# forged X-Shoper-* headers before and after. LMTP to alice (with Sieve) and
# carol must store it, with our block for alice, no forged value for
# either, and the body intact: the plugin's memory must not grow with the
# header. (Sieve itself does not see headers that far down such a header,
# with or without the plugin, so the stored files are checked.)
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
trap 'dc_cleanup' EXIT INT TERM
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
dc_sieve alice <<'S'
require ["fileinto", "mailbox"];
if header :contains ["X-Shoper-Order-Id", "X-Shoper-Order-Paid"] ["forged", "yes"] { fileinto :create "forged"; stop; }
S
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }

limit=$(doveconf -c "$DC_CONF" -h default_vsz_limit 2>/dev/null)
lmtp_limit=$(doveconf -c "$DC_CONF" -h service/lmtp/vsz_limit 2>/dev/null)
if [ -n "$DC_PRELOAD" ]; then
	skip "sanitizer build: vsz_limit is unlimited, memory not bounded by it"
else
	# lmtp sets no vsz_limit of its own: 2.3 shows its "unset" value,
	# 2.4 nothing (the service inherits default_vsz_limit)
	check "lmtp runs under the default vsz_limit ($limit, service: '$lmtp_limit')" \
		eval '[ "$(echo "$limit" | tr -d " ")" = 256M ] &&
			case $(echo "$lmtp_limit" | tr -d " B") in
			"" | 18446744073709551615) true ;; *) false ;; esac'
fi

python3 - "$T/big.eml" "${BIG_KLINES:-30}" <<'P'
import sys
line = b"x" * 990
with open(sys.argv[1], "wb") as f:
    f.write(b"X-Shoper-Order-Paid: yes\nFrom: Jan <jan@example.com>\n"
            b"To: support@test.example\nSubject: big\n"
            b"Message-ID: <big@test>\n")
    n = int(sys.argv[2]) * 1024
    for i in range(n):
        f.write(b"X-Junk-%d: %s\n" % (i, line))
    f.write(b"X-Folded: start\n")
    for i in range(n):
        f.write(b"\t" + line + b"\n")
    f.write(b"X-Shoper-Order-Id: forged-id\n\nbody of big\nlast line\n")
P
check "the message's header is over 60 MB" \
	[ "$(sed -n '1,/^$/p' "$T/big.eml" | wc -c)" -gt 60000000 ]
out=$(dc_lmtp jan@example.com alice@test.example carol@test.example <"$T/big.eml" 2>&1)
check "LMTP accepts it for both recipients ($(echo $out))" \
	[ "$(echo "$out" | grep -c ' 250$')" -eq 2 ]

# big_ok FILE WANT-ID: our X-Shoper-Order-Id is WANT-ID (or none), no
# forged value, the header's junk and the body are all there
big_ok() {
	python3 - "$1" "$2" "${BIG_KLINES:-30}" <<'P'
import sys
data = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
hdr, _, body = data.partition(b"\n\n")
shoper = [l for l in hdr.split(b"\n") if l.lower().startswith(b"x-shoper-")]
ids = [l for l in shoper if l.lower().startswith(b"x-shoper-order-id:")]
want = [b"X-Shoper-Order-Id: " + sys.argv[2].encode()] if sys.argv[2] else []
bad = []
if ids != want:
    bad.append("ids %r" % ids)
if b"forged" in hdr.lower() or any(l.lower().endswith(b"yes") for l in shoper):
    bad.append("forged value")
n = int(sys.argv[3]) * 1024
if hdr.count(b"\nX-Junk-") != n or hdr.count(b"\n\t") < n:
    bad.append("header lines lost")
if body != b"body of big\nlast line\n":
    bad.append("body %r" % body[:40])
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
}
f=$(dc_find alice "" big)
check "alice: stored" [ -n "$f" ]
[ -z "$f" ] || check "alice: our block only, no forged value, header and body intact" big_ok "$f" 777
check "alice: Sieve saw no forged value" [ -z "$(dc_find alice forged big)" ]
f=$(dc_find carol "" big)
check "carol: stored" [ -n "$f" ]
[ -z "$f" ] || check "carol: no X-Shoper header, header and body intact" big_ok "$f" ""
check "no lmtp process died" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal\|Out of memory' '$T/log/dovecot.log'"
echo "1..$DC_TESTNUM"
