# The one place that writes a private dovecot.conf, for Dovecot 2.3
# (Debian 12) or 2.4 (Debian 13), whichever is installed (source it; POSIX
# sh). Tests and benchmarks say what they need with the helpers below and
# never carry config text of their own; every helper called after the first
# dc_config rewrites the file at once.
#
#   dcc_init DIR NAME          a new description; DIR has run/ state/ log/
#                              mail/ modules/ bin/ conf/passwd (dc_setup
#                              calls it; DCC_PROTOCOLS, DCC_LMTP_PORT,
#                              DCC_IMAP_PORT, DCC_SENDMAIL set what it has)
#   dc_plugins PROTO PLUGIN... load PLUGINs for PROTO: lda lmtp imap doveadm,
#                              or global (every process)
#   dc_delivery_plugins P...   the plugins of lda and lmtp are exactly P...
#                              (default $DC_PLUGINS, "shoper sieve")
#   dc_set KEY VALUE...        a setting by its 2.4 name, global (2.3: the
#                              shoper_* and sieve* ones in plugin {}; a few
#                              renamed ones under their 2.3 name)
#   dc_set_list KEY ITEM...    add to a list setting (sieve_plugins,
#                              sieve_extensions, sieve_global_extensions)
#   dc_service NAME KEY VALUE  a setting of service NAME (2.4 name)
#   dc_unix_listener SERVICE SOCKET KEY VALUE...  a socket's user, mode...
#   dc_doveadm_socket USER     doveadm server socket run/doveadm-server
#   dc_sieve_personal          ~/sieve, active ~/.dovecot.sieve
#   dc_sieve_before PATH / dc_sieve_after PATH   global Sieve scripts
#   dc_virtual_namespace PREFIX DIR   "/"-separated inbox namespace and a
#                              virtual one at PREFIX (virtual plugin loaded)
#   dc_config [FILE [MAILROOT]]  writes FILE (default the instance's conf),
#                              mail under MAILROOT/USER/Maildir
#   dc_settings_ns "$@"        2.4: the built settings module where Dovecot
#                              looks for it (dovecot.sh calls it)
# Userdb extra fields (userdb_shoper_shops=..., userdb_mail_plugins=...)
# mean the same on both series: dc_user writes them unchanged.

DCC_NL='
'

dc_series() {	# sets DC_VERSION (2.4.1) and DC_SERIES (2.3 or 2.4)
	[ -n "${DC_SERIES:-}" ] && return 0
	DC_VERSION=$(/usr/sbin/dovecot --version 2>/dev/null)
	DC_VERSION=${DC_VERSION%% *}	# "2.4.1-4 (7d8c0e5759)"
	DC_VERSION=${DC_VERSION%%-*}
	case $DC_VERSION in
	2.3.*) DC_SERIES=2.3 ;;
	2.4.*) DC_SERIES=2.4 ;;
	*) DC_SERIES=none ;;	# dc_require skips the test
	esac
}

# 2.4's config parser (doveconf, run by the master and by every dovecot-lda,
# doveadm or doveconf -c) loads settings modules only from Dovecot's own
# directory, and knows shoper_* only from ours. Rather than installing it,
# the calling script re-runs itself in a private mount namespace where
# that directory is a tmpfs holding the system's modules and the built one.
# Call it first thing (with the script's arguments); no-op on 2.3.
dc_settings_ns() {
	dc_series
	[ "$DC_SERIES" = 2.4 ] || return 0
	_mod=$TOP_BUILDDIR/plugin/settings/.libs/libshoper_settings.so
	_dir=$(sed -n 's/^settings_moduledir = //p' \
		"$TOP_BUILDDIR/plugin/settings/Makefile" 2>/dev/null)
	_dir=${_dir:-/usr/lib/dovecot/modules/settings}
	if [ -z "${DC_SETTINGS_NS:-}" ]; then
		[ -f "$_mod" ] || { echo "# no $_mod: doveconf won't know shoper_*"; return 0; }
		[ "$(id -u)" = 0 ] && [ -f "$0" ] || return 0
		DC_SETTINGS_NS=1 exec unshare -m sh "$0" "$@"
	fi
	[ "$DC_SETTINGS_NS" = 1 ] || return 0
	DC_SETTINGS_NS=done
	_tmp=$(mktemp -d /tmp/shoper-settings.XXXXXX)
	cp "$_dir"/*.so "$_tmp/" 2>/dev/null
	cp "$_mod" "$_tmp/"
	mount -t tmpfs -o mode=755 shoper-settings "$_dir" &&
		cp "$_tmp"/*.so "$_dir/" ||
		{ echo "Bail out! cannot put $_mod into $_dir"; exit 1; }
	rm -rf "$_tmp"
}

dcc_init() {	# DIR NAME
	dc_series
	if [ "$DC_SERIES" = none ]; then
		echo "Bail out! Dovecot '$DC_VERSION' is neither 2.3 nor 2.4"
		exit 1
	fi
	DCC_DIR=$1 DCC_NAME=$2 DCC_CONF=$1/conf/dovecot.conf DCC_SUM=
	DCC_PROTOCOLS=${DCC_PROTOCOLS:-lmtp}
	DCC_LMTP_PORT=${DCC_LMTP_PORT:-} DCC_IMAP_PORT=${DCC_IMAP_PORT:-}
	DCC_SENDMAIL=${DCC_SENDMAIL:-}
	DCC_DELIVERY=${DC_PLUGINS-"shoper sieve"}
	DCC_PL_global= DCC_PL_lda= DCC_PL_lmtp= DCC_PL_imap= DCC_PL_doveadm=
	DCC_SETS= DCC_LISTS= DCC_SVCS= DCC_SOCKETS= DCC_SIEVE= DCC_VNS=
}

dcc_add() {	# VAR RECORD: append a line to a record list
	eval "$1=\"\${$1}\$2\$DCC_NL\""
}

dcc_changed() { [ -z "$DCC_SUM" ] || dc_config; }

dc_plugins() {	# PROTO PLUGIN...
	_p=$1
	shift
	case $_p in
	global | lda | lmtp | imap | doveadm) ;;
	*) echo "Bail out! dc_plugins: unknown protocol $_p"; exit 1 ;;
	esac
	eval "DCC_PL_$_p=\"\${DCC_PL_$_p} \$*\""
	dcc_changed
}
dc_delivery_plugins() { DCC_DELIVERY="$*"; dcc_changed; }
dc_set() { _k=$1; shift; dcc_add DCC_SETS "$_k $*"; dcc_changed; }
dc_set_list() { dcc_add DCC_LISTS "$*"; dcc_changed; }
dc_service() { dcc_add DCC_SVCS "$*"; dcc_changed; }
dc_unix_listener() { dcc_add DCC_SOCKETS "$*"; dcc_changed; }
dc_doveadm_socket() {
	dc_unix_listener doveadm doveadm-server user "$1" mode 0600
}
dc_sieve_personal() { dcc_add DCC_SIEVE "personal personal"; dcc_changed; }
dc_sieve_before() { dcc_add DCC_SIEVE "before $1"; dcc_changed; }
dc_sieve_after() { dcc_add DCC_SIEVE "after $1"; dcc_changed; }
dc_virtual_namespace() {	# PREFIX DIR
	dcc_add DCC_VNS "$1 $2"
	dc_plugins global virtual
}

# --- writing ---------------------------------------------------------------

dcc_v23() {	# KEY VALUE: the 2.3 spelling of a 2.4 setting, "KEY = VALUE"
	case "$1 $2" in
	"default_idle_kill_interval "*) echo "default_idle_kill = $2" ;;
	"sieve_vacation_check_recipient no") echo "sieve_vacation_dont_check_recipient = yes" ;;
	"sieve_vacation_check_recipient yes") echo "sieve_vacation_dont_check_recipient = no" ;;
	"restart_request_count unlimited") echo "service_count = 0" ;;
	"restart_request_count "*) echo "service_count = $2" ;;
	*" unlimited") echo "$1 = 0" ;;	# 2.3 spells "no limit" 0
	*) echo "$1 = $2" ;;
	esac
}

dcc_is_plugin_key() {	# 2.3 reads these from plugin {} only
	case $1 in shoper_* | sieve | sieve_*) return 0 ;; esac
	return 1
}

dcc_sets() {	# global|plugin: dc_set lines for that 2.3 section (2.4: all)
	printf '%s' "$DCC_SETS" | while read -r _k _v; do
		[ -n "$_k" ] || continue
		if [ "$DC_SERIES" = 2.4 ]; then
			_sec=global
		elif dcc_is_plugin_key "$_k"; then
			_sec=plugin
		else
			_sec=global
		fi
		[ "$1" = "$_sec" ] || continue
		if [ "$DC_SERIES" = 2.4 ]; then
			echo "$_k = $_v"
		elif [ "$_sec" = plugin ]; then
			echo "  $(dcc_v23 "$_k" "$_v")"
		else
			dcc_v23 "$_k" "$_v"
		fi
	done
	printf '%s' "$DCC_LISTS" | while read -r _k _items; do
		[ -n "$_k" ] || continue
		if [ "$DC_SERIES" = 2.4 ]; then
			[ "$1" = global ] || continue
			echo "$_k {"
			for _i in $_items; do echo "  $_i = yes"; done
			echo "}"
		else
			[ "$1" = plugin ] || continue
			case $_k in
			*extensions) _items=$(for _i in $_items; do printf '+%s ' "$_i"; done) ;;
			esac
			echo "  $_k = $_items"
		fi
	done
	return 0
}

dcc_plugins_block() {	# INDENT LIST: mail_plugins for the series
	[ -n "$(echo $2)" ] || return 0
	if [ "$DC_SERIES" = 2.4 ]; then
		echo "${1}mail_plugins {"
		for _i in $2; do echo "$1  $_i = yes"; done
		echo "$1}"
	else
		echo "${1}mail_plugins = \$mail_plugins" $2
	fi
}

dcc_listen() {	# INDENT: a loopback inet_listener's address
	if [ "$DC_SERIES" = 2.4 ]; then
		echo "${1}listen = 127.0.0.1"
	else
		echo "${1}address = 127.0.0.1"
	fi
}

dcc_base() {	# MAILROOT: what every instance has
	d=$DCC_DIR
	if [ "$DC_SERIES" = 2.4 ]; then
		cat <<EOF
dovecot_config_version = $DC_VERSION
dovecot_storage_version = $DC_VERSION
EOF
	fi
	cat <<EOF
base_dir = $d/run
state_dir = $d/state
instance_name = $DCC_NAME
log_path = $d/log/dovecot.log
info_log_path = $d/log/dovecot.log
debug_log_path = $d/log/dovecot.log
ssl = no
auth_mechanisms = plain
protocols = $DCC_PROTOCOLS
listen = 127.0.0.1
first_valid_uid = 1000
mail_plugin_dir = $d/modules
mail_fsync = never
postmaster_address = postmaster@test.example
hostname = test.example
EOF
	[ -z "$DCC_SENDMAIL" ] || echo "sendmail_path = $DCC_SENDMAIL"
	if [ "$DC_SERIES" = 2.4 ]; then
		cat <<EOF
auth_allow_cleartext = yes
auth_username_format = %{user | username | lower}
mail_driver = maildir
mail_path = $1/%{user}/Maildir
passdb passwd-file {
  passwd_file_path = $d/conf/passwd
}
userdb passwd-file {
  passwd_file_path = $d/conf/passwd
}
EOF
	else
		cat <<EOF
disable_plaintext_auth = no
auth_username_format = %Ln
mail_location = maildir:$1/%u/Maildir
passdb {
  driver = passwd-file
  args = $d/conf/passwd
}
userdb {
  driver = passwd-file
  args = $d/conf/passwd
}
EOF
	fi
}

dcc_services() {
	cat <<EOF
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
EOF
	if [ -n "$DCC_LMTP_PORT" ]; then
		echo "  inet_listener lmtp {"
		dcc_listen "    "
		echo "    port = $DCC_LMTP_PORT"
		echo "  }"
	fi
	echo "}"
	if [ -n "$DCC_IMAP_PORT" ]; then
		echo "service imap-login {"
		echo "  inet_listener imap {"
		dcc_listen "    "
		echo "    port = $DCC_IMAP_PORT"
		echo "  }"
		echo "  inet_listener imaps {"
		echo "    port = 0"
		echo "  }"
		echo "}"
	fi
	cat <<EOF
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
	# a service may be named twice: both series merge the blocks
	printf '%s' "$DCC_SVCS" | while read -r _s _k _v; do
		[ -n "$_s" ] || continue
		echo "service $_s {"
		if [ "$DC_SERIES" = 2.4 ]; then
			echo "  $_k = $_v"
		else
			echo "  $(dcc_v23 "$_k" "$_v")"
		fi
		echo "}"
	done
	printf '%s' "$DCC_SOCKETS" | while read -r _s _n _rest; do
		[ -n "$_s" ] || continue
		echo "service $_s {"
		echo "  unix_listener $_n {"
		set -- $_rest
		while [ $# -ge 2 ]; do echo "    $1 = $2"; shift 2; done
		echo "  }"
		echo "}"
	done
	return 0
}

dcc_sieve() {	# the Sieve scripts: personal, before, after
	_n=0
	printf '%s' "$DCC_SIEVE" | while read -r _t _path; do
		[ -n "$_t" ] || continue
		_n=$((_n + 1))
		if [ "$DC_SERIES" = 2.4 ]; then
			if [ "$_t" = personal ]; then
				printf 'sieve_script personal {\n  driver = file\n  path = ~/sieve\n  active_path = ~/.dovecot.sieve\n}\n'
			else
				printf 'sieve_script %s%s {\n  type = %s\n  driver = file\n  path = %s\n}\n' \
					"$_t" "$_n" "$_t" "$_path"
			fi
			continue
		fi
		case $_t in
		personal) echo "  sieve = file:~/sieve;active=~/.dovecot.sieve" ;;
		*)
			# sieve_before, sieve_before2, ... in the order given
			_i=$(printf '%s' "$DCC_SIEVE" | head -n "$_n" | grep -c "^$_t ")
			[ "$_i" != 1 ] || _i=
			echo "  sieve_$_t$_i = $_path"
			;;
		esac
	done
	return 0
}

dcc_namespaces() {
	[ -n "$DCC_VNS" ] || return 0
	printf 'namespace inbox {\n  inbox = yes\n  separator = /\n}\n'
	_n=0
	printf '%s' "$DCC_VNS" | while read -r _prefix _dir; do
		[ -n "$_prefix" ] || continue
		_n=$((_n + 1))
		_ix="~/virtual-shoper"
		[ $_n = 1 ] || _ix="$_ix$_n"
		printf 'namespace virtual%s {\n  prefix = %s\n  separator = /\n' "$_n" "$_prefix"
		if [ "$DC_SERIES" = 2.4 ]; then
			printf '  mail_driver = virtual\n  mail_path = %s\n  mail_index_path = %s\n  mail_control_path = %s\n}\n' \
				"$_dir" "$_ix" "$_ix"
		else
			printf '  location = virtual:%s:INDEX=%s:CONTROL=%s\n}\n' \
				"$_dir" "$_ix" "$_ix"
		fi
	done
	return 0
}

dcc_preload() {	# a sanitizer build: the ASan runtime in every process
	[ -n "${DC_PRELOAD:-}" ] || return 0
	if [ "$DC_SERIES" = 2.4 ]; then
		cat <<EOF
import_environment {
  LD_PRELOAD = %{env:LD_PRELOAD}
  ASAN_OPTIONS = %{env:ASAN_OPTIONS}
  UBSAN_OPTIONS = %{env:UBSAN_OPTIONS}
}
# ASan reserves terabytes of address space
default_vsz_limit = unlimited
EOF
	else
		cat <<EOF
import_environment = TZ CORE_OUTOFMEM CORE_ERROR LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS
# ASan reserves terabytes of address space
default_vsz_limit = 0
EOF
	fi
}

dc_config() {	# [FILE [MAILROOT]]
	_f=${1:-$DCC_CONF}
	if [ -n "${DC_EXTRA_CONF:-}${DC_EXTRA_PLUGIN_SETTINGS:-}" ]; then
		echo "Bail out! DC_EXTRA_CONF/DC_EXTRA_PLUGIN_SETTINGS are gone: use the dc_* helpers of tests/lib/dovecot-conf.sh"
		exit 1
	fi
	if [ -z "${1:-}" ] && [ -n "$DCC_SUM" ] &&
		[ "$(cksum <"$_f")" != "$DCC_SUM" ]; then
		echo "Bail out! $_f was changed outside the dc_* helpers"
		exit 1
	fi
	{
		dcc_base "${2:-$DCC_DIR/mail}"
		dcc_sets global
		dcc_plugins_block "" "$DCC_PL_global"
		for _p in lda lmtp imap doveadm; do
			eval "_l=\"\${DCC_PL_$_p}\""
			case $_p in lda | lmtp) _l="$DCC_DELIVERY $_l" ;; esac
			[ -n "$(echo $_l)" ] || continue
			echo "protocol $_p {"
			dcc_plugins_block "  " "$_l"
			echo "}"
		done
		dcc_services
		dcc_namespaces
		if [ "$DC_SERIES" = 2.4 ]; then
			dcc_sieve
			dcc_sets plugin
		else
			echo "plugin {"
			dcc_sieve
			dcc_sets plugin
			echo "}"
		fi
		dcc_preload
	} >"$_f"
	[ -n "${1:-}" ] || DCC_SUM=$(cksum <"$_f")
}
