#!/bin/sh
# One status folder per status over real IMAP: statuses whose names give
# the same folder name, names longer than a mailbox name may be, a status
# list in another order, and the folder state (~/.shoper-status-folders)
# read back with names of any length.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
ST_ORDERS=10 ST_CUSTOMERS=10
. "$TOP_SRCDIR/tests/status/status-lib.sh"
st_setup
for u in erin frank gina; do
	dc_user $u "userdb_shoper_shops=sklep1"
	chown $DC_UID:$DC_UID "$T/home/$u"
done

use sklep1
add_status() {	# NAME: a new active status of the current shop; prints its id
	_j=$("$SHOP_PYTHON" -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "name_en": sys.argv[1]}))' "$1")
	shop_ctl POST /__test/statuses "$_j" | jget "['status_id']"
}
# 300 bytes of UTF-8: "<word> " repeated, then TAIL
long_name() { "$SHOP_PYTHON" -c '
import sys
s = "Przekazane kurierowi — dostawa za pobraniem, żółta strefa "
out = (s * 10).encode()[:300 - len(sys.argv[1].encode())]
print(out.decode(errors="ignore") + sys.argv[1])' "$1"; }
A=$(add_status "Wysłane / InPost")
B=$(add_status "Wysłane - InPost")
LONG1=$(long_name " koniec A"); LONG2=$(long_name " koniec B")
L1=$(add_status "$LONG1"); L2=$(add_status "$LONG2")
check "test statuses made (ids $A $B $L1 $L2)" [ -n "$A$B$L1$L2" ]
check "the long names are 300 bytes" [ "$(printf %s "$LONG1" | wc -c)" -eq 300 ]
for i in 1 2 3 4 5 6; do
	eval "O$i=\$(new_order n$i@example.com)"
done
run_sync
check "sync with the new statuses" [ "$RC" -eq 0 ]
dc_start || { echo "not ok - dovecot did not start"; exit 1; }
for i in 1 2 3 4 5 6; do deliver m$i n$i@example.com erin; done

reqs() { cat "$T"/index/queue/*.req 2>/dev/null; }
# ORDER: status_id of the request queued for the order
req_status() {
	for f in "$T"/index/queue/*.req; do
		grep -qx "order_id=$1" "$f" 2>/dev/null &&
			sed -n 's/^status_id=//p' "$f"
	done
}
list() { $PY list $DC_IMAP_PORT "$1" | grep '^Shoper\.' | LC_ALL=C sort; }

list erin >"$T/list"
sed 's/^/# /' "$T/list"
grep '^Shoper\.Wysłane - InPost' "$T/list" >"$T/inpost"
check "two statuses with one sanitized name: two folders" \
	[ "$(wc -l <"$T/inpost")" -eq 2 ]
check "each colliding folder names its status id" \
	sh -c "grep -qF '(id $A)' '$T/inpost' && grep -qF '(id $B)' '$T/inpost'"
F1=$(sed -n 1p "$T/inpost"); F2=$(sed -n 2p "$T/inpost")
check "UID MOVE into the first" $PY move $DC_IMAP_PORT erin INBOX m1 "$F1"
check "UID MOVE into the second" $PY move $DC_IMAP_PORT erin INBOX m2 "$F2"
S1=$(req_status "$O1"); S2=$(req_status "$O2")
echo "# $F1 -> $S1, $F2 -> $S2"
two_ids() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]; }
check "each folder requests its own status" two_ids "$S1" "$S2"
check "the status its name says" sh -c "echo '$F1' | grep -qF '(id $S1)' && echo '$F2' | grep -qF '(id $S2)'"
check "both statuses requested" sh -c "echo ' $S1 $S2 ' | grep -q ' $A ' && echo ' $S1 $S2 ' | grep -q ' $B '"

grep '^Shoper\.Przekazane kurierowi' "$T/list" >"$T/long"
check "300-byte status names: a folder each" [ "$(wc -l <"$T/long")" -eq 2 ]
ok_len() { while IFS= read -r n; do [ "$(printf %s "$n" | wc -c)" -le 240 ] || return 1; done <"$T/long"; }
check "shortened to at most 240 bytes" ok_len
G1=$(sed -n 1p "$T/long"); G2=$(sed -n 2p "$T/long")
check "UID MOVE into a shortened folder" $PY move $DC_IMAP_PORT erin INBOX m3 "$G1"
check "UID COPY into the other one" $PY copy $DC_IMAP_PORT erin INBOX m4 "$G2"
T1=$(req_status "$O3"); T2=$(req_status "$O4")
echo "# long: -> $T1, $T2"
check "each long folder requests its own status" \
	sh -c "echo ' $T1 $T2 ' | grep -q ' $L1 ' && echo ' $T1 $T2 ' | grep -q ' $L2 '"
check "the request names the folder as IMAP shows it" \
	grep -qxF "mailbox=$(echo "$G1" | sed 's/ /%20/g')" "$T"/index/queue/*.req
check "the request carries the message's UID" \
	sh -c "reqs() { cat '$T'/index/queue/*.req; }; reqs | grep -q '^uid=[1-9]' && ! reqs | grep -q '^uid=4294967295$'"

# a second login reads the state back: same folders, still working
list erin >"$T/list2"
check "second login: the same folders" cmp -s "$T/list" "$T/list2"
S="$T/home/erin/.shoper-status-folders"
check "the state file names every folder" \
	sh -c "sed -n 's/.* active=1 name=//p' '$S' | sed 's/%20/ /g' | LC_ALL=C sort | grep -v -x -F -f '$T/list2' | grep -q . && exit 1 || exit 0"
check "UID MOVE after the second login" $PY move $DC_IMAP_PORT erin INBOX m5 "$F2"
check "requests the same status" [ "$(req_status "$O5")" = "$S2" ]

# the same list in another order gives the same names and mapping
L=$DC_INDEX.statuses
{ sed -n 1p "$L"; sed 1d "$L" | sort -r; } >"$L.new" && cat "$L.new" >"$L"
list frank >"$T/list-frank"
check "status list reversed: the same folder names" cmp -s "$T/list" "$T/list-frank"
deliver m6 n6@example.com frank
check "UID MOVE into frank's $F1" $PY move $DC_IMAP_PORT frank INBOX m6 "$F1"
check "requests the same status as erin's" [ "$(req_status "$O6")" = "$S1" ]

# a state entry of any length is read and written back whole
LONGST="Shoper.$("$SHOP_PYTHON" -c 'print("x" * 1000)')"
printf 'shoper-statuses 1\nshop=sklep1 id=990 active=0 name=%s\n' "$LONGST" \
	>"$T/home/gina/.shoper-status-folders"
chown $DC_UID:$DC_UID "$T/home/gina/.shoper-status-folders"
list gina >"$T/list-gina"
check "gina's folders made next to the state" cmp -s "$T/list" "$T/list-gina"
check "a 1000-byte name in the state kept as it was" \
	grep -qxF "shop=sklep1 id=990 active=0 name=$LONGST" "$T/home/gina/.shoper-status-folders"
check_not "the state read without complaint" grep -q "shoper-status-folders.*bad line" "$T/log/dovecot.log"

# one of the two renamed in the shop: each folder follows its status
shop_ctl PUT /__test/statuses/$B '{"name": "Paczkomat InPost", "lang": "pl_PL"}' >/dev/null
run_sync
list erin >"$T/list3"
sed 's/^/# /' "$T/list3"
check "renamed status: its own name" grep -qx 'Shoper.Paczkomat InPost' "$T/list3"
check "the other one alone: no id needed any more" grep -qx 'Shoper.Wysłane - InPost' "$T/list3"
if [ "$S1" = "$A" ]; then MA=m1; MB=m2; else MA=m2; MB=m1; fi
check "mail of status $A went with its folder" stored erin 'Shoper.Wysłane - InPost' $MA
check "mail of status $B went with its folder" stored erin 'Shoper.Paczkomat InPost' $MB

# shops whose names give one folder level ('.' is Maildir++'s separator)
printf 'shoper-statuses 1\nshop=sklep.pl id=1 active=1 name=Nowe\nshop=sklep-pl id=1 active=1 name=Nowe\n' >"$L"
list dave >"$T/list-dave"
sed 's/^/# /' "$T/list-dave"
check "two shops, one level: a folder each" [ "$(grep -c '^Shoper\.sklep-pl.*\.Nowe$' "$T/list-dave")" -eq 2 ]

echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
