# Private Dovecot for the plugin's tests (source it; POSIX sh).
# Everything lives in a temp dir: own base_dir, instance_name, config,
# passwd-file users (uid 5000), maildirs, a modules dir of symlinks to the
# system modules plus the freshly built plugin. LMTP on a unix socket and a
# free loopback port, IMAP on a free loopback port (plaintext, tests only).
#
# Users: alice (shops sklep1,sklep2), bob (sklep2), carol (no shoper_shops:
# plugin inactive), dave (*). Password "secret" for all.
#
#   dc_setup; dc_start; ...; (trap runs dc_cleanup)
#   dc_set, dc_plugins, dc_sieve_before, dc_virtual_namespace, ...: what
#   the test needs in dovecot.conf ($DC_CONF), for Dovecot 2.3 or 2.4
#   (tests/lib/dovecot-conf.sh; DC_SERIES says which one runs)
#   dc_lmtp FROM RCPT... < msg      dc_lda USER FROM < msg
#   dc_index < orders.jsonl         (re)publishes $DC_INDEX
#   dc_find USER FOLDER ID          path of the stored message with
#                                   Message-ID <ID@test>, FOLDER "" = INBOX
#   dc_shop [SHOP ARGS]             the test shop sklep1 for shoper-sync
#                                   in $T/sync (source tests/lib/shop.sh)
#
# Several Dovecots in one script (one per backend of a cluster test):
#   dc_setup                        the first instance, named "main"
#   dc_instance NAME                a further one, set up like dc_setup in
#                                   a dir of its own (own ports, sockets,
#                                   users, index, config), made current
#   dc_use NAME                     make NAME current: $T, $DC_DIR,
#                                   $DC_CONF, $DC_INDEX, the ports and
#                                   every dc_* helper act on it
#   dc_cleanup                      stops and removes every instance
# $DC_DIR is the current instance's dir; $T follows it unless the script
# set DC_KEEP_T=1 before dc_setup (its $T is its own, e.g. sync-lib's).
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/lib/dovecot-conf.sh"
dc_settings_ns "$@"
DC_PY="python3 $TOP_SRCDIR/tests/lib/dovecot_client.py"
DC_UID=5000
DC_TESTNUM=0
DC_FAILED=0
DC_INSTANCE=
DC_INSTANCES=

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION
	DC_TESTNUM=$((DC_TESTNUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $DC_TESTNUM - $2"
	else
		echo "not ok $DC_TESTNUM - $2"
		DC_FAILED=$((DC_FAILED + 1))
	fi
}
skip() { DC_TESTNUM=$((DC_TESTNUM + 1)); echo "ok $DC_TESTNUM # SKIP $1"; }
check() { desc=$1; shift; if "$@"; then ok 0 "$desc"; else ok 1 "$desc"; fi; }
check_not() { desc=$1; shift; if "$@"; then ok 1 "$desc"; else ok 0 "$desc"; fi; }

dc_require() {
	for f in /usr/sbin/dovecot /usr/lib/dovecot/lmtp \
		/usr/lib/dovecot/dovecot-lda /usr/lib/dovecot/imap \
		/usr/lib/dovecot/modules/lib90_sieve_plugin.so \
		"$TOP_BUILDDIR/plugin/deliver/.libs/lib99_shoper_plugin.so" \
		${DC_REQUIRE_EXTRA-"$TOP_BUILDDIR/tests/tools/make-test-index"}; do
		if [ ! -e "$f" ]; then
			echo "1..0 # SKIP $f missing"
			exit 0
		fi
	done
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (private dovecot master)"
		exit 0
	fi
}

dc_setup() { dci_new main ""; }

dc_instance() {	# NAME: a further private Dovecot, made current
	case $1 in
	'' | main | *[!A-Za-z0-9_]*) echo "Bail out! dc_instance: bad name '$1'"; exit 1 ;;
	esac
	[ -n "$DC_INSTANCE" ] || { echo "Bail out! dc_instance before dc_setup"; exit 1; }
	dci_save
	dci_new "$1" "-$1"
}

# what makes an instance: its dir, ports, paths and dovecot-conf.sh state
DCI_VARS="DC_DIR DC_LMTP_PORT DC_IMAP_PORT DC_INDEX DC_CONF DC_PRELOAD
 DCC_DIR DCC_NAME DCC_CONF DCC_SUM DCC_PROTOCOLS DCC_LMTP_PORT DCC_IMAP_PORT
 DCC_SENDMAIL DCC_DELIVERY DCC_PL_global DCC_PL_lda DCC_PL_lmtp DCC_PL_imap
 DCC_PL_doveadm DCC_SETS DCC_LISTS DCC_SVCS DCC_SOCKETS DCC_SIEVE DCC_VNS"

dci_save() {	# the current instance's variables into DCI_<name>_<var>
	for _v in $DCI_VARS; do
		eval "DCI_${DC_INSTANCE}_$_v=\$$_v"
	done
}

dc_use() {	# NAME: make that instance the current one
	case " $DC_INSTANCES " in
	*" $1 "*) ;;
	*) echo "Bail out! dc_use: no instance '$1'"; exit 1 ;;
	esac
	dci_save
	DC_INSTANCE=$1
	for _v in $DCI_VARS; do
		eval "$_v=\$DCI_${1}_$_v"
	done
	[ -n "${DC_KEEP_T:-}" ] || T=$DC_DIR
}

dci_new() {	# NAME INSTANCE-NAME-SUFFIX
	dc_require
	DC_DIR=$(mktemp -d /tmp/shoper-dc.XXXXXX)
	[ -n "${DC_KEEP_T:-}" ] || T=$DC_DIR
	chmod 755 "$DC_DIR"
	mkdir -p "$DC_DIR/run" "$DC_DIR/state" "$DC_DIR/log" "$DC_DIR/mail" "$DC_DIR/home" \
		"$DC_DIR/modules" "$DC_DIR/conf" "$DC_DIR/index" "$DC_DIR/outbox" "$DC_DIR/bin"
	for m in /usr/lib/dovecot/modules/*; do
		ln -s "$m" "$DC_DIR/modules/"
	done
	rm -f "$DC_DIR/modules/lib99_shoper_plugin.so"
	cp "$TOP_BUILDDIR/plugin/deliver/.libs/lib99_shoper_plugin.so" "$DC_DIR/modules/"
	# a plugin built with --enable-sanitizers needs the ASan runtime in
	# Dovecot's (uninstrumented) processes: preload it there only
	DC_PRELOAD=
	if nm -D "$DC_DIR/modules/lib99_shoper_plugin.so" 2>/dev/null |
		grep -q ' U __asan_init'; then
		DC_PRELOAD=$(${CC:-gcc} -print-file-name=libasan.so)
	fi
	DC_LMTP_PORT=$($DC_PY port)
	DC_IMAP_PORT=$($DC_PY port)
	DC_INDEX=$DC_DIR/index/orders.cdb
	DC_CONF=$DC_DIR/conf/dovecot.conf
	cat >"$DC_DIR/bin/sendmail" <<EOS
#!/bin/sh
cat > "$DC_DIR/outbox/mail.\$\$.\$(date +%s%N)"
EOS
	chmod 755 "$DC_DIR/bin/sendmail"
	: >"$DC_DIR/conf/passwd"
	dc_user alice "userdb_shoper_shops=sklep1,sklep2"
	dc_user bob "userdb_shoper_shops=sklep2"
	dc_user carol ""
	dc_user dave "userdb_shoper_shops=*"
	DCC_PROTOCOLS="lmtp imap" DCC_LMTP_PORT=$DC_LMTP_PORT
	DCC_IMAP_PORT=$DC_IMAP_PORT DCC_SENDMAIL=$DC_DIR/bin/sendmail
	dcc_init "$DC_DIR" "shoper-test-$$$2"
	dc_sieve_personal
	dc_set sieve_vacation_check_recipient no
	dc_set sieve_vacation_min_period 0
	dc_set shoper_index "$DC_INDEX"
	dc_config
	touch "$DC_DIR/log/dovecot.log"
	chmod 666 "$DC_DIR/log/dovecot.log"
	chown -R $DC_UID:$DC_UID "$DC_DIR/mail" "$DC_DIR/home" "$DC_DIR/outbox"
	DC_INSTANCE=$1
	DC_INSTANCES="$DC_INSTANCES $1"
}

dc_user() {	# NAME EXTRA-FIELDS
	mkdir -p "$DC_DIR/home/$1"
	echo "$1:{PLAIN}secret:$DC_UID:$DC_UID::$DC_DIR/home/$1::$2" \
		>>"$DC_DIR/conf/passwd"
}

dc_start() {
	# the loopback ports were free when dc_setup chose them; something
	# started since (a test shop) may have been given one: choose again
	_try=0
	while :; do
		dc_config	# fails if the file was edited by hand
		: >"$DC_DIR/log/start.log"
		LD_PRELOAD=$DC_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
			/usr/sbin/dovecot -c "$DC_DIR/conf/dovecot.conf" </dev/null \
			>>"$DC_DIR/log/start.log" 2>&1 && break
		_try=$((_try + 1))
		if [ $_try -ge 3 ] || ! grep -q 'in use' "$DC_DIR/log/start.log"; then
			sed 's/^/# start: /' "$DC_DIR/log/start.log"
			return 1
		fi
		DC_LMTP_PORT=$($DC_PY port) DC_IMAP_PORT=$($DC_PY port)
		DCC_LMTP_PORT=$DC_LMTP_PORT DCC_IMAP_PORT=$DC_IMAP_PORT
	done
	i=0
	while [ ! -S "$DC_DIR/run/lmtp" ] || [ ! -S "$DC_DIR/run/auth-userdb" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

dc_stop() {
	[ -f "$DC_DIR/run/master.pid" ] || return 0
	pid=$(cat "$DC_DIR/run/master.pid")
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	rm -f "$DC_DIR/run/master.pid"
}

dc_cleanup() {	# every instance
	[ -n "$DC_INSTANCE" ] || return 0
	for _i in $DC_INSTANCES; do
		[ "$_i" = "$DC_INSTANCE" ] || dc_use "$_i"
		dc_stop
		if [ "$DC_FAILED" -gt 0 ] || [ "${TAP_FAILED:-0}" -gt 0 ] ||
			[ -n "${KEEP_TMP:-}" ]; then
			[ "$_i" = main ] && echo "# dovecot log:" ||
				echo "# dovecot log ($_i):"
			tail -n 40 "$DC_DIR/log/dovecot.log" | sed 's/^/# /'
		fi
		[ -n "${KEEP_TMP:-}" ] || rm -rf "$DC_DIR"
	done
	DC_INSTANCE= DC_INSTANCES=
}

dc_shop() {	# [SHOP ARGS]: the test shop sklep1 for shoper-sync in $T/sync
	# (0700, its CA in $T/sync/ca), the index folder the mail uid's group;
	# at exit the daemon ($DPID), the shop and Dovecot stop. SYNC: the
	# shoper-sync binary. Without it or a CA the script is skipped; a
	# shop that does not start ends it (exit 1)
	DPID=
	trap dc_shop_cleanup EXIT
	trap 'exit 1' INT TERM
	SYNC="$TOP_BUILDDIR/cli/shoper-sync"
	[ -x "$SYNC" ] || {
		echo "1..0 # SKIP shoper-sync not built"
		exit 0
	}
	mkdir -p "$T/sync" && chmod 700 "$T/sync" || exit 1
	# the index takes its directory's group: the mail uid's
	chgrp "$DC_UID" "$T/index" && chmod 2750 "$T/index"
	shop_ca_init "$T/sync/ca" >/dev/null 2>&1 || {
		echo "1..0 # SKIP cannot make a CA"
		exit 0
	}
	shop_start "$T/sync/ca" sklep1 "$@" || exit 1
}

dc_shop_cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID"
	[ -n "${SHOP_PID:-}" ] && kill "$SHOP_PID" 2>/dev/null
	dc_cleanup
}

dc_sieve() {	# USER < script: the user's active Sieve script
	cat >"$DC_DIR/home/$1/.dovecot.sieve"
	rm -f "$DC_DIR/home/$1/.dovecot.svbin"
	chown $DC_UID:$DC_UID "$DC_DIR/home/$1/.dovecot.sieve"
}

dc_index() {	# < JSON lines: publish the index (readable by the mail uid)
	"$TOP_BUILDDIR/tests/tools/make-test-index" "$DC_INDEX" || return 1
	chmod 644 "$DC_INDEX"
}

dc_lmtp() {	# FROM RCPT... < msg (unix socket)
	$DC_PY lmtp "$DC_DIR/run/lmtp" "$@"
}

dc_lmtp_tcp() {
	$DC_PY lmtp "127.0.0.1:$DC_LMTP_PORT" "$@"
}

dc_lda() {	# USER FROM < msg
	LD_PRELOAD=$DC_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		/usr/lib/dovecot/dovecot-lda -c "$DC_DIR/conf/dovecot.conf" -d "$1" \
		-f "$2"
}

dc_find() {	# USER FOLDER ID: path of the message with Message-ID <ID@test>
	d=$DC_DIR/mail/$1/Maildir
	[ -n "$2" ] && d=$d/.$2
	grep -l -i "^Message-ID: <$3@test>" "$d"/new/* "$d"/cur/* \
		2>/dev/null | head -n 1
}

dc_hdr() {	# FILE NAME: unfolded value(s) of header NAME (header part only)
	awk -v name="$2" '
		BEGIN { n = tolower(name) ":" }
		{ sub(/\r$/, "") }
		/^$/ { exit }
		/^[ \t]/ { if (on) { v = v $0 }; next }
		{ if (on) print v; on = 0 }
		tolower(substr($0, 1, length(n))) == n {
			on = 1; v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v)
		}
		END { if (on) print v }' "$1"
}

dc_msg() {	# ID FROM [SUBJECT] [EXTRA-HEADER-LINES]: a test message
	printf 'From: %s\nTo: support@test.example\nSubject: %s\nMessage-ID: <%s@test>\nDate: Sat, 29 Nov 2026 10:00:00 +0100\n%sMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello,\nbody of %s\n' \
		"$2" "${3:-question}" "$1" "${4:-}" "$1"
}
