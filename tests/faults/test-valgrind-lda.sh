#!/bin/sh
# One dovecot-lda delivery with the plugin (lookup, header filter, Sieve)
# under valgrind memcheck, then one with a corrupt index (the error path):
# no invalid read or write, no use of uninitialised memory, no invalid
# free. Leaks are not checked (Dovecot frees its pools at exit by design,
# and dovecot-lda exits right after the delivery).
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not installed"
	exit 0
fi
if nm -D "$TOP_BUILDDIR/plugin/deliver/.libs/lib99_shoper_plugin.so" 2>/dev/null |
	grep -q ' U __asan_init'; then
	echo "1..0 # SKIP plugin built with --enable-sanitizers (ASan and valgrind exclude each other)"
	exit 0
fi
dc_setup
trap 'dc_cleanup' EXIT INT TERM
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"

vg_lda() {	# ID: deliver message ID to alice under valgrind
	dc_msg "$1" 'Jan <jan@example.com>' 'order' 'X-Shoper-Order-Id: 666
' | valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=no \
		--track-origins=yes --log-file="$T/vg-$1.log" \
		/usr/lib/dovecot/dovecot-lda -c "$T/conf/dovecot.conf" \
		-d alice -f jan@example.com
	rc=$?
	sed 's/^/# /' "$T/vg-$1.log" | head -n 40
	return $rc
}

vg_lda vg1
ok $? "dovecot-lda with the plugin: exit 0, valgrind reports no error"
f=$(dc_find alice "" vg1)
check "the plugin ran: stored with our X-Shoper-Order-Id 777" \
	[ "$(dc_hdr "$f" X-Shoper-Order-Id)" = 777 ]
check "valgrind log has no error summary" \
	sh -c "! grep -q 'ERROR SUMMARY: [1-9]\|Invalid \|uninitialised' '$T/vg-vg1.log'"

python3 "$TOP_SRCDIR/tests/faults/corrupt_index.py" huge-string \
	"$DC_INDEX" "$T/index/bad" && chmod 644 "$T/index/bad" &&
	mv "$T/index/bad" "$DC_INDEX"
vg_lda vg2
ok $? "corrupt index: exit 0, valgrind reports no error"
f=$(dc_find alice "" vg2)
check "corrupt index: stored without any X-Shoper header" \
	eval '[ -n "$f" ] && ! sed -n "1,/^\$/p" "$f" | grep -qi "^x-shoper"'
echo "1..$DC_TESTNUM"
