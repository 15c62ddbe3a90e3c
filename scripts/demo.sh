#!/bin/sh
# The README's first command: installs and builds (scripts/setup.sh), then
# runs the whole path on the bundled test shop:
#   two test shops (HTTPS, throwaway CA) -> shoper-sync -> order index ->
#   private Dovecot with the plugin and Pigeonhole Sieve -> sample mails over
#   LMTP -> what an IMAP client sees, and where Sieve filed each mail.
# Everything but the Debian packages lives in a temporary directory that is
# removed at the end (KEEP_TMP=1 keeps it).
set -eu
cd "$(dirname "$0")/.."
TOP_SRCDIR=$(pwd)
# SHOPER_BUILDDIR: use an existing build tree instead of setting up ./build.
if [ -n "${SHOPER_BUILDDIR:-}" ]; then
	TOP_BUILDDIR=$SHOPER_BUILDDIR
else
	sh scripts/setup.sh
	TOP_BUILDDIR=$TOP_SRCDIR/build
fi
PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH
export TOP_SRCDIR TOP_BUILDDIR PATH
SYNC=$TOP_BUILDDIR/cli/shoper-sync
. tests/lib/shop.sh
DC_REQUIRE_EXTRA=$SYNC	# the demo's index comes from shoper-sync
. tests/lib/dovecot.sh

step() { printf '\n== %s\n' "$*"; }

dc_setup
S1_PID= S2_PID=
finish() {
	rc=$?
	set +e	# stopping the servers must not change the demo's outcome
	SHOP_PID=$S1_PID shop_stop
	SHOP_PID=$S2_PID shop_stop
	dc_cleanup >/dev/null
	exit $rc
}
trap finish EXIT INT TERM

step "Starting two test Shoper shops (HTTPS with a throwaway CA)"
mkdir -p "$T/shop"
shop_ca_init "$T/shop" >/dev/null 2>&1
shop_start "$T/shop" sklep1 --seed 11 --orders 1500 --customers 600
S1_PID=$SHOP_PID S1_URL=$SHOP_URL
shop_start "$T/shop" sklep2 --seed 12 --orders 800 --customers 300
S2_PID=$SHOP_PID S2_URL=$SHOP_URL
echo "sklep1: $S1_URL   sklep2: $S2_URL   (1500 + 800 orders over ~200 days)"

step "shoper-sync: first sync (backfill of the 183-day window)"
umask 077
printf 'secret\n' >"$T/shop/password"
# The index directory: group of the mail processes, setgid (as DESIGN.md).
chgrp "$DC_UID" "$T/index"
chmod 2750 "$T/index"
cat >"$T/shoper-sync.conf" <<EOC
[sync]
index = $DC_INDEX
state_dir = $T/sync-state

[shop sklep1]
url = $S1_URL
login = api
password_file = $T/shop/password
ca_file = $SHOP_CA

[shop sklep2]
url = $S2_URL
login = api
password_file = $T/shop/password
ca_file = $SHOP_CA
EOC
umask 022
"$SYNC" -c "$T/shoper-sync.conf" sync
ls -l "$DC_INDEX" | sed 's/^/   /'

step "Statuses as the shops define them (shoper-sync statuses --shop sklep1)"
"$SYNC" -c "$T/shoper-sync.conf" statuses --shop sklep1

# Senders for the sample mails, taken from the shops' own data.
SHOP_URL=$S1_URL shop_ctl GET /__test/orders >"$T/shop/sklep1.json"
SHOP_URL=$S2_URL shop_ctl GET /__test/orders >"$T/shop/sklep2.json"
eval "$(python3 scripts/demo_pick.py "$T/shop/sklep1.json" "$T/shop/sklep2.json")"

step "What the index holds for $CLOSED_EMAIL (shoper-sync lookup)"
"$SYNC" -c "$T/shoper-sync.conf" lookup "$CLOSED_EMAIL" | head -n 12

step "Private Dovecot: alice sees shops sklep1+sklep2, bob only sklep2; Sieve files by status type"
for u in alice bob; do
	dc_sieve "$u" <conf.d/sieve/file-by-status-type.sieve
done
dc_start
UPPER=$(echo "$CLOSED_EMAIL" | tr 'a-z' 'A-Z')
dc_msg m1 "\"Klient\" <$UPPER>" "Gdzie jest moja paczka?" |
	dc_lmtp "$CLOSED_EMAIL" alice bob >/dev/null
dc_msg m2 "$UNPAID_EMAIL" "Jak zapłacić?" | dc_lmtp "$UNPAID_EMAIL" alice bob >/dev/null
dc_msg m3 "nowy.adres@example.net" "Pytanie o zamówienie nr $SUBJECT_ORDER" |
	dc_lmtp "nowy.adres@example.net" alice bob >/dev/null
dc_msg m4 "oszust@example.net" "Proszę o zwrot" \
	"X-Shoper-Order-Status-Type: closed
X-Shoper-Order-Paid: yes
" | dc_lmtp "oszust@example.net" alice bob >/dev/null
echo "delivered 4 mails over LMTP to alice and bob (one transaction each):"
echo "  m1 from a sklep1 customer (address in upper case), m2 from a sklep2"
echo "  customer with an unpaid order, m3 from an unknown address naming"
echo "  sklep2 order $SUBJECT_ORDER in the Subject, m4 a stranger with forged X-Shoper headers"

for u in alice bob; do
	step "What $u's mail client sees (IMAP), folder by folder"
	python3 scripts/demo_show.py "$DC_IMAP_PORT" "$u" secret
done

step "Done"
echo "The forged headers of m4 were removed; bob, scoped to sklep2, got no"
echo "sklep1 order headers. KEEP_TMP=1 $0 keeps the temporary directory"
echo "(shops, index, Dovecot config and maildirs) to look around."
