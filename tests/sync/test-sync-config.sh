#!/bin/sh
# Bad configurations are refused with FILE:LINE: problem; fix and exit 3
# before any network call (the shop's counters stay at zero); `check`
# reports each problem with its fix.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 50 --customers 20 || exit 1
shop_use sklep1
GOOD="$T/good.conf"
chmod 2750 "$T/index"
cp "$CONF" "$GOOD"
shop_ctl POST /__test/reset-counters >/dev/null

bad_conf() { # DESC LINE PATTERN SED-EXPR: edit the good config, expect refusal
	sed "$4" "$GOOD" >"$T/bad.conf"
	out=$("$SYNC_BIN" -c "$T/bad.conf" sync 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	[ "$rc" -eq 3 ] && echo "$out" | grep -q "^$T/bad.conf:$2: .*$3.*; "
	tap $? "$1: exit 3 with bad.conf:$2: $3; fix"
}

# the good config: [sync] lines 1-5, [shop sklep1] on line 7, url on 8,
# password_file on 10, 11 lines in all
bad_conf "unknown key" 2 "unknown key 'indx'" 's/^index/indx/'
bad_conf "missing value" 3 "state_dir has no value" 's/^state_dir.*/state_dir =/'
bad_conf "http URL" 8 "plain http" 's|^url = https://|url = http://|'
bad_conf "URL not starting with https" 8 "does not start with https://" 's|^url = https://|url = |'
bad_conf "URL with a query" 8 "query" 's|^url = \(.*\)|url = \1/admin?x=1|'
bad_conf "missing login" 7 "no login" '/^login/d'
bad_conf "duplicate shop" 12 "duplicate shop name 'sklep1'" '$a [shop sklep1]'
bad_conf "unknown section" 12 "unknown section" '$a [shops]'
bad_conf "bad number" 5 "timeout = soon" 's/^timeout.*/timeout = soon/'
chmod 644 "$T/sklep1.password"
bad_conf "password file readable by others" 10 "accessible by others" 's/^x//'
chmod 600 "$T/sklep1.password"
tap_ok "no network call was made for any bad configuration" [ "$(counter total)" -eq 0 ]

sed 's|^url = \(.*\)|url = \1/admin/|' "$GOOD" >"$T/slash.conf"
out=$("$SYNC_BIN" -c "$T/slash.conf" check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" -eq 0 ] && echo "$out" | grep -q "TLS verified, login accepted" &&
	echo "$out" | grep -q "orders readable"
tap $? "check: a URL copied with /admin/ is accepted; TLS, login, orders ok; exit 0"

sed "s|^ca_file = .*|ca_file = $T/ca/wrong-ca.pem|" "$GOOD" >"$T/wrongca.conf"
out=$("$SYNC_BIN" -c "$T/wrongca.conf" check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" -eq 1 ] && echo "$out" | grep -q "^problem: .*ca_file"
tap $? "check: certificate from another CA: problem with the ca_file fix, exit 1"

printf 'wrong\n' >"$T/sklep1.password"
out=$("$SYNC_BIN" -c "$GOOD" check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" -eq 1 ] && echo "$out" | grep -q "^problem: .*password" &&
	! echo "$out" | grep -q wrong
tap $? "check: wrong password: problem with its fix, password not shown"
printf 'pw-sklep1\n' >"$T/sklep1.password"

mkdir -p "$STATE"
chmod 750 "$STATE"
out=$("$SYNC_BIN" -c "$GOOD" check 2>&1)
rc=$?
[ "$rc" -eq 1 ] && echo "$out" | grep -q "^problem: state_dir .*chmod 700"
tap $? "check: state_dir open to the group: problem, chmod 700"
"$SYNC_BIN" -c "$GOOD" sync >/dev/null 2>&1
tap_ok "sync refuses a group-accessible state_dir (exit 4)" [ $? -eq 4 ]
chmod 700 "$STATE"

"$SYNC_BIN" -c "$GOOD" frobnicate >/dev/null 2>&1
tap_ok "unknown command: exit 2" [ $? -eq 2 ]
"$SYNC_BIN" -c "$T/none.conf" sync >/dev/null 2>&1
tap_ok "missing configuration file: exit 3" [ $? -eq 3 ]
tap_end
