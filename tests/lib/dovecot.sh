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
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/lib/dovecot-conf.sh"
dc_settings_ns "$@"
DC_PY="python3 $TOP_SRCDIR/tests/lib/dovecot_client.py"
DC_UID=5000
DC_TESTNUM=0
DC_FAILED=0

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

dc_setup() {
	dc_require
	T=$(mktemp -d /tmp/shoper-dc.XXXXXX)
	chmod 755 "$T"
	mkdir -p "$T/run" "$T/state" "$T/log" "$T/mail" "$T/home" \
		"$T/modules" "$T/conf" "$T/index" "$T/outbox" "$T/bin"
	for m in /usr/lib/dovecot/modules/*; do
		ln -s "$m" "$T/modules/"
	done
	rm -f "$T/modules/lib99_shoper_plugin.so"
	cp "$TOP_BUILDDIR/plugin/deliver/.libs/lib99_shoper_plugin.so" "$T/modules/"
	# a plugin built with --enable-sanitizers needs the ASan runtime in
	# Dovecot's (uninstrumented) processes: preload it there only
	DC_PRELOAD=
	if nm -D "$T/modules/lib99_shoper_plugin.so" 2>/dev/null |
		grep -q ' U __asan_init'; then
		DC_PRELOAD=$(${CC:-gcc} -print-file-name=libasan.so)
	fi
	DC_LMTP_PORT=$($DC_PY port)
	DC_IMAP_PORT=$($DC_PY port)
	DC_INDEX=$T/index/orders.cdb
	DC_CONF=$T/conf/dovecot.conf
	cat >"$T/bin/sendmail" <<EOS
#!/bin/sh
cat > "$T/outbox/mail.\$\$.\$(date +%s%N)"
EOS
	chmod 755 "$T/bin/sendmail"
	: >"$T/conf/passwd"
	dc_user alice "userdb_shoper_shops=sklep1,sklep2"
	dc_user bob "userdb_shoper_shops=sklep2"
	dc_user carol ""
	dc_user dave "userdb_shoper_shops=*"
	DCC_PROTOCOLS="lmtp imap" DCC_LMTP_PORT=$DC_LMTP_PORT
	DCC_IMAP_PORT=$DC_IMAP_PORT DCC_SENDMAIL=$T/bin/sendmail
	dcc_init "$T" "shoper-test-$$"
	dc_sieve_personal
	dc_set sieve_vacation_check_recipient no
	dc_set sieve_vacation_min_period 0
	dc_set shoper_index "$DC_INDEX"
	dc_config
	touch "$T/log/dovecot.log"
	chmod 666 "$T/log/dovecot.log"
	chown -R $DC_UID:$DC_UID "$T/mail" "$T/home" "$T/outbox"
}

dc_user() {	# NAME EXTRA-FIELDS
	mkdir -p "$T/home/$1"
	echo "$1:{PLAIN}secret:$DC_UID:$DC_UID::$T/home/$1::$2" \
		>>"$T/conf/passwd"
}

dc_start() {
	# the loopback ports were free when dc_setup chose them; something
	# started since (a test shop) may have been given one: choose again
	_try=0
	while :; do
		dc_config	# fails if the file was edited by hand
		: >"$T/log/start.log"
		LD_PRELOAD=$DC_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
			/usr/sbin/dovecot -c "$T/conf/dovecot.conf" </dev/null \
			>>"$T/log/start.log" 2>&1 && break
		_try=$((_try + 1))
		if [ $_try -ge 3 ] || ! grep -q 'in use' "$T/log/start.log"; then
			sed 's/^/# start: /' "$T/log/start.log"
			return 1
		fi
		DC_LMTP_PORT=$($DC_PY port) DC_IMAP_PORT=$($DC_PY port)
		DCC_LMTP_PORT=$DC_LMTP_PORT DCC_IMAP_PORT=$DC_IMAP_PORT
	done
	i=0
	while [ ! -S "$T/run/lmtp" ] || [ ! -S "$T/run/auth-userdb" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

dc_stop() {
	[ -f "$T/run/master.pid" ] || return 0
	pid=$(cat "$T/run/master.pid")
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	rm -f "$T/run/master.pid"
}

dc_cleanup() {
	dc_stop
	if [ "$DC_FAILED" -gt 0 ] || [ -n "${KEEP_TMP:-}" ]; then
		echo "# dovecot log:"
		tail -n 40 "$T/log/dovecot.log" | sed 's/^/# /'
	fi
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}

dc_sieve() {	# USER < script: the user's active Sieve script
	cat >"$T/home/$1/.dovecot.sieve"
	rm -f "$T/home/$1/.dovecot.svbin"
	chown $DC_UID:$DC_UID "$T/home/$1/.dovecot.sieve"
}

dc_index() {	# < JSON lines: publish the index (readable by the mail uid)
	"$TOP_BUILDDIR/tests/tools/make-test-index" "$DC_INDEX" || return 1
	chmod 644 "$DC_INDEX"
}

dc_lmtp() {	# FROM RCPT... < msg (unix socket)
	$DC_PY lmtp "$T/run/lmtp" "$@"
}

dc_lmtp_tcp() {
	$DC_PY lmtp "127.0.0.1:$DC_LMTP_PORT" "$@"
}

dc_lda() {	# USER FROM < msg
	LD_PRELOAD=$DC_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		/usr/lib/dovecot/dovecot-lda -c "$T/conf/dovecot.conf" -d "$1" \
		-f "$2"
}

dc_find() {	# USER FOLDER ID: path of the message with Message-ID <ID@test>
	d=$T/mail/$1/Maildir
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
