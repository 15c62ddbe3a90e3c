# A private Roundcube (Debian's roundcube-core) for the browser tests.
# Source it after status-lib.sh's st_setup (needs $T and $DC_IMAP_PORT).
#   rc_require          skips the test when Roundcube, PHP, Chromium,
#                       chromedriver or Selenium is missing
#   rc_start [LANG]     a copy of the install tree in $T/rc (symlinks to
#                       the system's files, our plugin, a private config
#                       and SQLite database) served by `php -S` on a free
#                       loopback port; sets RC_URL
#   rc_browser STEP...  runs tests/roundcube/rc_browser.py, whose PASS/FAIL
#                       lines become TAP results here; a step yields exactly
#                       the checks it declares (rc_checks), the missing ones
#                       as failures, so the test's plan always adds up
# /etc/roundcube is never read: INSTALL_PATH points at the copy.
RC_SYS=/usr/share/roundcube
RC_ARTIFACTS=$TOP_BUILDDIR/tests/artifacts/roundcube
RC_PHP_PID=

rc_require() {
	for f in $RC_SYS/index.php /usr/bin/php /usr/bin/chromium \
		/usr/bin/chromedriver; do
		[ -e "$f" ] || { echo "1..0 # SKIP $f missing"; exit 0; }
	done
	php -m | grep -qi '^pdo_sqlite$' ||
		{ echo "1..0 # SKIP php-sqlite3 missing"; exit 0; }
	$SHOP_PYTHON -c 'import selenium' 2>/dev/null ||
		{ echo "1..0 # SKIP python3-selenium missing"; exit 0; }
}

rc_start() {	# [LANG]
	R=$T/rc
	mkdir -p "$R/config" "$R/plugins" "$R/temp" "$R/logs" "$R/db" \
		"$RC_ARTIFACTS"
	for e in program skins SQL bin; do ln -s "$RC_SYS/$e" "$R/$e"; done
	for p in "$RC_SYS"/plugins/*; do ln -s "$p" "$R/plugins/"; done
	ln -s "$TOP_SRCDIR/contrib/roundcube/shoper" "$R/plugins/shoper"
	printf '<?php\ndefine("INSTALL_PATH", "%s/");\nrequire "%s/index.php";\n' \
		"$R" "$RC_SYS" >"$R/index.php"
	cat >"$R/config/config.inc.php" <<EOC
<?php
\$config = [];
\$config['db_dsnw'] = 'sqlite:///$R/db/roundcube.db?mode=0600';
\$config['imap_host'] = '127.0.0.1:$DC_IMAP_PORT';
\$config['smtp_host'] = '';
\$config['des_key'] = '$(head -c 18 /dev/urandom | base64)';
\$config['plugins'] = ['shoper'];
\$config['skin'] = 'elastic';
\$config['language'] = '${1:-pl_PL}';
\$config['log_dir'] = '$R/logs';
\$config['temp_dir'] = '$R/temp';
\$config['enable_installer'] = false;
\$config['refresh_interval'] = 0;
\$config['display_next'] = false;
\$config['shoper_status_folder'] = 'Shoper';
EOC
	# the package's defaults (not its live config.inc.php)
	for f in defaults.inc.php mimetypes.php; do
		ln -s "/etc/roundcube/$f" "$R/config/$f"
	done
	RC_PORT=$($DC_PY port)
	php -S 127.0.0.1:$RC_PORT -t "$R" >"$R/logs/php-server.log" 2>&1 &
	RC_PHP_PID=$!
	RC_URL=http://127.0.0.1:$RC_PORT/
	wait_for 60 rc_up || return 1
}

rc_up() { $SHOP_PYTHON -c "import urllib.request as u; u.urlopen('$RC_URL', timeout=2)" 2>/dev/null; }

rc_stop() {
	[ -n "$RC_PHP_PID" ] && kill "$RC_PHP_PID" 2>/dev/null
	RC_PHP_PID=
}

rc_checks() {	# STEP ARGS...: how many PASS/FAIL lines the step prints
	case "$1" in
	card)
		shift 4
		_n=1
		for _a; do case "$_a" in shot=*) ;; *) _n=$((_n + 1)) ;; esac; done
		echo $_n ;;
	*) echo 1 ;;
	esac
}

rc_browser() {	# STEP ARGS...: PASS/FAIL lines become TAP results
	_want=$(rc_checks "$@")
	$SHOP_PYTHON "$TOP_SRCDIR/tests/roundcube/rc_browser.py" \
		--url "$RC_URL" --shots "$RC_ARTIFACTS" --profile "$T/chrome" \
		"$@" >"$T/browser.out" 2>&1
	_rc=$?
	_got=0
	while IFS= read -r _l || [ -n "$_l" ]; do
		case "$_l" in
		PASS\ *) ok 0 "${_l#PASS }"; _got=$((_got + 1)) ;;
		FAIL\ *) ok 1 "${_l#FAIL }"; _got=$((_got + 1)) ;;
		*) echo "# $_l" ;;
		esac
	done <"$T/browser.out"
	# a step that ended early (a browser error) fails its unreported
	# checks, so that they are never silently lost
	[ $_got -lt $_want ] || [ $_rc -eq 0 ] ||
		ok 1 "browser step $1 ran to its end (exit $_rc)"
	while [ $_got -lt $_want ]; do
		_got=$((_got + 1))
		ok 1 "browser step $1: check $_got of $_want not reported (exit $_rc)"
	done
}
