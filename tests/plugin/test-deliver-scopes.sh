#!/bin/sh
# Recipients of different scopes in one LMTP transaction (issue 13, items
# 1 and 10): every order of active (alice sklep1+sklep2, dave *), other-scope
# (bob sklep2), inactive (carol: no shoper_shops) recipients and of one whose
# per-user mail_plugins lacks the plugin but names Sieve (frank), with and
# without Sieve in the protocol's mail_plugins.
# The sender ola has orders in sklep1 only and forges X-Shoper-* headers:
# each copy carries exactly its own scope's headers (none for bob, carol,
# frank) and no forged value, and no Sieve script sees one. Then the plugin named only in one
# recipient's mail_plugins, and two recipients with different
# shoper_subject_pattern (each matched by its own).
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
dc_setup
dc_user frank "userdb_shoper_shops=sklep1 userdb_mail_plugins=sieve"
dc_user p1 "userdb_shoper_shops=sklep1,sklep2 userdb_shoper_match=subject userdb_shoper_subject_pattern=ref-x([0-9]+)"
dc_user p2 "userdb_shoper_shops=sklep1,sklep2 userdb_shoper_match=subject userdb_shoper_subject_pattern=ref-y([0-9]+)"
dc_user gina "userdb_shoper_shops=sklep1 userdb_mail_plugins=shoper"
chown -R $DC_UID:$DC_UID "$T/home"
trap 'dc_cleanup' EXIT INT TERM
dc_index <"$TOP_SRCDIR/tests/plugin/orders.jsonl"
for u in alice bob carol dave frank; do
	dc_sieve $u <<'S'
require ["fileinto", "mailbox"];
if exists "X-Shoper-Order-Id" { fileinto :create "seen"; }
if header :contains ["X-Shoper-Order-Id", "X-Shoper-Order-Paid"] ["666", "yes"] { fileinto :create "forged"; }
keep;
S
done
dc_start || { echo "Bail out! dovecot did not start"; exit 1; }

hdrs() { sed -n '1,/^\r\{0,1\}$/p' "$1"; }
count_shoper() { hdrs "$1" | grep -ci '^x-shoper'; }
forged_msg() {	# ID
	dc_msg "$1" 'Ola <ola@example.com>' 'hi' 'X-Shoper-Order-Id: 666
X-Shoper-Order-Paid: yes
'
}

# rcpt_ok LABEL ID SIEVE USER: the copy USER got is what its scope allows
rcpt_ok() {
	f=$(dc_find "$4" "" "$2")
	[ -n "$f" ] || { echo "# $1: $4 got nothing"; return 1; }
	if hdrs "$f" | grep -qi '666\|^x-shoper-order-paid: *yes'; then
		echo "# $1: $4 has a forged value"
		return 1
	fi
	case $4 in
	alice | dave | gina)
		[ "$(dc_hdr "$f" X-Shoper-Order-Id) $(dc_hdr "$f" X-Shoper-Orders)" = \
			"600 sklep1:600" ] || { echo "# $1: $4 lacks its order 600"; return 1; }
		want_seen=1 ;;
	*)
		[ "$(count_shoper "$f")" -eq 0 ] ||
			{ echo "# $1: $4 has X-Shoper lines: $(hdrs "$f" | grep -i '^x-shoper' | tr '\n' '|')"; return 1; }
		want_seen= ;;
	esac
	[ "$3" = sieve ] || return 0
	[ -z "$(dc_find "$4" forged "$2")" ] || { echo "# $1: $4's Sieve saw a forged value"; return 1; }
	if [ -n "$want_seen" ]; then
		[ -n "$(dc_find "$4" seen "$2")" ] || { echo "# $1: $4's Sieve saw no order"; return 1; }
	else
		[ -z "$(dc_find "$4" seen "$2")" ] || { echo "# $1: $4's Sieve saw an X-Shoper header"; return 1; }
	fi
}

orders_test() {	# sieve|nosieve
	n=0
	for rcpts in "alice carol" "carol alice" "alice bob carol" "alice carol bob" \
		"bob alice carol" "bob carol alice" "carol alice bob" "carol bob alice" \
		"bob alice" "alice bob" "alice frank" "frank alice" "frank carol dave" \
		"carol dave frank bob alice"; do
		n=$((n + 1))
		id="$1-$n"
		addrs=
		for u in $rcpts; do addrs="$addrs $u@test.example"; done
		# shellcheck disable=SC2086
		forged_msg "$id" | dc_lmtp ola@example.com $addrs >/dev/null
		res=$?
		for u in $rcpts; do
			rcpt_ok "$1 $rcpts" "$id" "$1" "$u" || res=1
		done
		ok $res "$1: RCPT $rcpts: each copy has only its own scope's headers, no forged one"
	done
}

orders_test sieve
check "no lmtp process crashed (sieve)" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"

# --- per-user subject patterns in one transaction (item 10) ---------------
dc_msg px nobody@nowhere.test 'about ref-y777 and ref-x12345' |
	dc_lmtp nobody@nowhere.test p1@test.example p2@test.example p1@test.example >/dev/null
check "p1 (pattern ref-x) gets order 12345, p2 (pattern ref-y) gets 777" \
	[ "$(dc_hdr "$(dc_find p1 "" px)" X-Shoper-Order-Id) $(dc_hdr "$(dc_find p2 "" px)" X-Shoper-Order-Id)" = "12345 777" ]
dc_msg py nobody@nowhere.test 'about ref-x12345 and ref-y777' |
	dc_lmtp nobody@nowhere.test p2@test.example p1@test.example >/dev/null
check "p2 first: p2 still gets 777, p1 12345" \
	[ "$(dc_hdr "$(dc_find p2 "" py)" X-Shoper-Order-Id) $(dc_hdr "$(dc_find p1 "" py)" X-Shoper-Order-Id)" = "777 12345" ]

# --- without Sieve: LMTP would hand on the first saved copy ---------------
dc_stop
# frank's userdb mail_plugins now loads Sieve at his RCPT, after the
# plugin: Sieve's delivery hook (which never calls the one before it) must
# not take the plugin out of the way for him and the recipients after him
dc_delivery_plugins shoper
dc_start || { echo "Bail out! dovecot did not restart"; exit 1; }
orders_test nosieve

# --- the plugin only in one recipient's per-user mail_plugins ------------
# (it is loaded at gina's RCPT, so it acts for the whole transaction)
dc_stop
dc_delivery_plugins
dc_start || { echo "Bail out! dovecot did not restart"; exit 1; }
forged_msg g1 | dc_lmtp ola@example.com carol@test.example gina@test.example >/dev/null
res=$?
for u in carol gina; do rcpt_ok "carol gina" g1 nosieve $u || res=1; done
ok $res "plugin in gina's mail_plugins only: carol (before her) and gina get their own views"
check "no lmtp process crashed" \
	sh -c "! grep -q 'Panic\|Fatal\|killed with signal' '$T/log/dovecot.log'"
echo "1..$DC_TESTNUM"
