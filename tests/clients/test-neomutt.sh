#!/bin/sh
# The README's neomutt row, tried for real: Debian's neomutt, headless
# under a pty (tests/clients/neomutt_drive.py, pexpect and pyte), with
# exactly the settings the README gives, against the private Dovecot and
# the test shop. The index shows the outcome keywords as tags (done,
# FAILED), the pager the X-Shoper-* headers decoded. Screens are kept in
# build/tests/artifacts/neomutt/.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/status/status-lib.sh"
[ -x /usr/bin/neomutt ] || { echo "1..0 # SKIP neomutt missing"; exit 0; }
/usr/bin/python3 -c 'import pexpect, pyte' 2>/dev/null ||
	{ echo "1..0 # SKIP python3-pexpect or python3-pyte missing"; exit 0; }
ART=$TOP_BUILDDIR/tests/artifacts/neomutt
mkdir -p "$ART"
st_setup
dc_user erin "userdb_shoper_shops=sklep1"
chown $DC_UID:$DC_UID "$T/home/erin"

use sklep1
A=$(shop_ctl POST /__test/orders '{"email": "grzegorz@example.com", "firstname": "Grzegorz", "lastname": "Wójcik", "sum": "218.99", "status_id": "1"}' | jget "['order_id']")
B=$(new_order b@example.com)
shop_ctl POST /__test/config "{\"reject_status_change\": {\"order_id\": \"$B\", \"error_description\": \"Zamowienie zablokowane\"}}" >/dev/null
st_first_sync
deliver a grzegorz@example.com erin
deliver b b@example.com erin
check "erin moves a into Shoper.Zrealizowane" $PY move $DC_IMAP_PORT erin INBOX a Shoper.Zrealizowane
check "and b too (the shop refuses it)" $PY move $DC_IMAP_PORT erin INBOX b Shoper.Zrealizowane
run_sync
check "a marked done" has_flag erin Shoper.Zrealizowane a '$ShoperStatusDone'
check "b marked failed" has_flag erin Shoper.Zrealizowane b '$ShoperStatusFailed'

# the README's settings, verbatim (README.md, "What each mail client shows")
row=$(grep '^| neomutt |' "$TOP_SRCDIR/README.md")
check "README has the neomutt row" [ -n "$row" ]
{
	printf 'set imap_user=erin imap_pass=secret folder="imap://erin@127.0.0.1:%s/"\n' $DC_IMAP_PORT
	printf 'set ssl_starttls=no ssl_force_tls=no\n'
	printf 'set header_cache="" message_cachedir="" sort=date\n'
	printf 'set mail_check_stats=no imap_check_subscribed=no\n'
	# the row's backquoted settings, one command each
	printf '%s\n' "$row" | sed 's/^[^|]*|[^|]*|[^|]*| *//' |
		grep -o '`[^`]*`' | tr -d '`'
} >"$T/neomuttrc"
sed 's/^/# rc: /' "$T/neomuttrc"
/usr/bin/python3 "$TOP_SRCDIR/tests/clients/neomutt_drive.py" "$T/neomuttrc" \
	"imap://erin@127.0.0.1:$DC_IMAP_PORT/Shoper.Zrealizowane" "$ART"
check "neomutt showed the folder" [ -s "$ART/index.txt" ]
sed 's/^/# index: /' "$ART/index.txt" | grep -v '^# index: *$'
check "index: a's line shows the tag done" grep -q '\[done\].*order question' "$ART/index.txt"
check "index: b's line shows FAILED" grep -q '\[FAILED\].*order question' "$ART/index.txt"
sed 's/^/# pager: /' "$ART/pager.txt" | grep -v '^# pager: *$'
check "pager: X-Shoper-Order-Id shown" grep -Eq "^X-Shoper-Order-Id: ($A|$B)" "$ART/pager.txt"
check "pager: X-Shoper-Customer decoded" grep -Eq '^X-Shoper-Customer: (Grzegorz Wójcik|Jan Test)' "$ART/pager.txt"
check "pager: X-Shoper-Order-Url shown" grep -q '^X-Shoper-Order-Url: https://' "$ART/pager.txt"
check_not "pager: Received still hidden (the system's ignore *)" grep -q '^Received:' "$ART/pager.txt"

# control: the same without the row's unignore shows no X-Shoper-* header
grep -v '^unignore' "$T/neomuttrc" >"$T/neomuttrc-plain"
mkdir -p "$ART/plain"
/usr/bin/python3 "$TOP_SRCDIR/tests/clients/neomutt_drive.py" "$T/neomuttrc-plain" \
	"imap://erin@127.0.0.1:$DC_IMAP_PORT/Shoper.Zrealizowane" "$ART/plain"
check "without unignore: the pager shows the message" grep -q '^Subject: order question' "$ART/plain/pager.txt"
check_not "but no X-Shoper-* header" grep -q '^X-Shoper-' "$ART/plain/pager.txt"
echo "1..$DC_TESTNUM"
[ "$DC_FAILED" -eq 0 ]
