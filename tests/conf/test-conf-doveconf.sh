#!/bin/sh
# The shipped Dovecot configuration of the series this build is for
# (conf.d/*.conf for 2.3, conf.d/2.4/*.conf for 2.4) is accepted by the
# installed doveconf: each file as shipped, with its commented-out example
# settings turned on, and all of them together. On 2.4 doveconf sees the
# built settings module (libshoper_settings.so in a private mount
# namespace, nothing installed): doveconf -n shows the shoper_* settings, a
# misspelt one gets Dovecot's "Unknown setting", and the subject pattern is
# taken verbatim (no %variables).
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
. "$TOP_SRCDIR/tests/lib/tap.sh"
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

series=$(sed -n 's/^#define SHOPER_DOVECOT_SERIES "\(.*\)"$/\1/p' \
	"$TOP_BUILDDIR/config-shoper.h" 2>/dev/null)
[ -n "$series" ] || skip_all "no SHOPER_DOVECOT_SERIES in config-shoper.h"
command -v doveconf >/dev/null 2>&1 || skip_all "doveconf not installed"
case $series in
2.3) confdir=$TOP_SRCDIR/conf.d ;;
*) confdir=$TOP_SRCDIR/conf.d/$series ;;
esac

T=$(mktemp -d /tmp/shoper-doveconf.XXXXXX)
trap 'rm -rf "$T"' EXIT

# Runs doveconf ARGS... with the built settings module beside the system's
# ones (2.4: the config parser reads only <moduledir>/settings).
doveconf_run() {
	[ "$series" = 2.3 ] && { doveconf "$@"; return; }
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec doveconf "$@"' \
		sh "$T/settings" "$settings_dir" "$@"
}
if [ "$series" != 2.3 ]; then
	module=$TOP_BUILDDIR/plugin/settings/.libs/libshoper_settings.so
	[ -f "$module" ] || skip_all "$module not built"
	# where this Dovecot's config process looks (also under distcheck)
	settings_dir=$(sed -n 's/^dovecot_installed_moduledir = //p' \
		"$TOP_BUILDDIR/plugin/settings/Makefile")/settings
	[ -d "$settings_dir" ] || skip_all "no $settings_dir (Dovecot's settings modules)"
	[ "$(id -u)" = 0 ] || skip_all "needs root (a private mount namespace)"
	mkdir "$T/settings"
	# copies: links into the directory mounted over would loop
	for m in "$settings_dir"/*.so; do
		[ -e "$m" ] && [ "${m##*/}" != libshoper_settings.so ] &&
			cp "$m" "$T/settings/"
	done
	cp "$module" "$T/settings/"
	unshare -m true 2>/dev/null ||
		skip_all "unshare -m fails (in a chroot, / must be a mount point)"
fi

# A dovecot.conf around FILES (2.4: the versions the stock one sets first).
wrap() {	# OUT FILE...
	out=$1
	shift
	: >"$out"
	if [ "$series" != 2.3 ]; then
		printf 'dovecot_config_version = 2.4.0\n' >>"$out"
		printf 'dovecot_storage_version = 2.4.0\n' >>"$out"
	fi
	for f in "$@"; do echo "!include $f" >>"$out"; done
}

# The file with its example settings turned on: a "#" directly followed by
# a setting or block starts one (prose comments have "# "); the lines of
# a block it opens are turned on up to its closing brace.
uncomment() {
	awk '
	depth == 0 && /^[ \t]*#[^ \t#]/ { on = 1 }
	on {
		sub(/#/, "")
		if ($0 ~ /\{[ \t]*$/) depth++
		if ($0 ~ /^[ \t]*\}/) depth--
		if (depth == 0) on = 0
	}
	{ print }' "$1"
}

# doveconf -n on CONF: exit 0 and nothing on stderr
accepts() {	# CONF
	doveconf_run -n -c "$1" >"$T/out" 2>"$T/err"
	rc=$?
	[ -s "$T/err" ] && sed 's/^/# /' "$T/err"
	[ "$rc" = 0 ] && [ ! -s "$T/err" ]
}

files=$(ls "$confdir"/[0-9][0-9]-*.conf 2>/dev/null)
[ -n "$files" ] || skip_all "no configuration files in $confdir"
echo "# Dovecot $(dovecot --version 2>/dev/null), files in $confdir"
for f in $files; do
	name=${f#"$TOP_SRCDIR"/}
	wrap "$T/plain.conf" "$f"
	check "$name: doveconf -n accepts it" accepts "$T/plain.conf"
	uncomment "$f" >"$T/examples-${f##*/}"
	wrap "$T/examples.conf" "$T/examples-${f##*/}"
	check "$name: doveconf -n accepts it with its examples turned on" \
		accepts "$T/examples.conf"
done
# shellcheck disable=SC2086
wrap "$T/all.conf" $files
check "all files of $confdir together" accepts "$T/all.conf"

# The example subject pattern, turned on, is the built-in default (a # or \
# in it must survive the config parser).
default=$(awk '/#define SHOPER_DEFAULT_SUBJECT_PATTERN/ { getline; print }' \
	"$TOP_SRCDIR/plugin/common/shoper-settings.h" |
	sed -e 's/^[[:space:]]*"//' -e 's/"[[:space:]]*$//' -e 's/\\\\/\\/g')
key=shoper_subject_pattern
[ "$series" = 2.3 ] && key=plugin/$key
wrap "$T/pattern.conf" "$T/examples-90-shoper.conf"
out=$(doveconf_run -c "$T/pattern.conf" -h "$key" 2>&1)
# 2.4 prints a value with a # quoted and escaped
case $out in
\"*\") out=$(printf '%s\n' "$out" |
	sed -e 's/^"//' -e 's/"$//' -e 's/\\\(.\)/\1/g') ;;
esac
[ "$out" = "$default" ] || printf '# %s = %s, built-in: %s\n' "$key" "$out" "$default"
check "90-shoper.conf: the example subject pattern is the built-in default" \
	test -n "$default" -a "$out" = "$default"

# Folders Sieve creates are subscribed (Roundcube lists subscribed ones).
wrap "$T/sub.conf" "$confdir/90-shoper.conf"
check "90-shoper.conf: lda_mailbox_autosubscribe = yes" \
	test "$(doveconf_run -c "$T/sub.conf" -h lda_mailbox_autosubscribe 2>&1)" = yes

# Both series ship the same file names (their paths are documented).
for f in "$TOP_SRCDIR"/conf.d/[0-9][0-9]-*.conf; do
	check "conf.d/2.4/${f##*/} exists beside conf.d/${f##*/}" \
		test -f "$TOP_SRCDIR/conf.d/2.4/${f##*/}"
done

if [ "$series" != 2.3 ]; then
	set --
	for f in $files; do
		uncomment "$f" >"$T/examples-${f##*/}"
		set -- "$@" "$T/examples-${f##*/}"
	done
	wrap "$T/examples.conf" "$@"
	doveconf_run -n -c "$T/examples.conf" >"$T/out" 2>&1
	check "doveconf -n shows shoper_shops set in the examples" \
		grep -q '^shoper_shops = \*$' "$T/out"
	check "doveconf -n shows shoper_status_folder set in the examples" \
		grep -q '^shoper_status_folder = Shoper$' "$T/out"
	doveconf_run -c "$T/examples.conf" -f protocol=lmtp -h mail_plugins \
		>"$T/out" 2>&1
	check "lmtp loads shoper and sieve" sh -c \
		"grep -qw shoper '$T/out' && grep -qw sieve '$T/out'"
	doveconf_run -c "$T/examples.conf" -h mail_plugins >"$T/out" 2>&1
	check "every process loads virtual (boollists add up)" \
		grep -qw virtual "$T/out"
	doveconf_run -c "$T/examples.conf" -f protocol=imap -h mail_plugins \
		>"$T/out" 2>&1
	check "imap loads imap_shoper (not shoper)" sh -c \
		"grep -qw imap_shoper '$T/out' && ! grep -qw shoper '$T/out'"

	# doveconf, sievec, doveadm load it without an ASan runtime
	check "the settings module is built without sanitizers" sh -c \
		"nm -D '$module' | grep -q shoper_settings_set_infos &&
		 ! nm -D '$module' | grep -q '__[a-z]*san_' &&
		 ! readelf -d '$module' | grep -q 'lib[a-z]*san'"

	wrap "$T/typo.conf"
	echo 'shoper_shop = sklep1' >>"$T/typo.conf"
	doveconf_run -n -c "$T/typo.conf" >"$T/out" 2>&1
	rc=$?
	sed 's/^/# /' "$T/out"
	check "a misspelt shoper_ setting stops doveconf" test "$rc" != 0
	check "... with Dovecot's own Unknown setting error" \
		grep -q 'Unknown setting: shoper_shop' "$T/out"

	wrap "$T/novars.conf"
	pattern='(%u|ref-x)([0-9]{1,12})'
	echo "shoper_subject_pattern = $pattern" >>"$T/novars.conf"
	out=$(doveconf_run -c "$T/novars.conf" -h shoper_subject_pattern 2>&1)
	check "shoper_subject_pattern is taken verbatim (no %variables)" \
		test "$out" = "$pattern"
	wrap "$T/vars.conf"
	echo "shoper_index = /x/%{invalid" >>"$T/vars.conf"
	doveconf_run -n -c "$T/vars.conf" >/dev/null 2>&1
	rc=$?
	check "... while shoper_index does expand them (an open %{ is refused)" \
		test "$rc" != 0
fi
tap_done
