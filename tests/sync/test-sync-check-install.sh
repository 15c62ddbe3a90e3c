#!/bin/sh
# `shoper-sync check` after a package install names the steps left: no
# shop configured, Dovecot not loading the plugin, the mail processes not
# in the index directory's group (asked of a stand-in doveconf here), and
# says ok once each is done.
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
chmod 2750 "$T/index"
grp=$(id -gn)

# doveconf as Dovecot answers "doveconf [-f protocol=lmtp] NAME"
cat >"$T/doveconf" <<EOS
#!/bin/sh
[ "\$1" = -f ] && shift 2
echo "doveconf: Warning: a warning first" >&2
case \$1 in
mail_plugins) echo "mail_plugins = \$(cat "$T/plugins")" ;;
mail_access_groups) echo "mail_access_groups = \$(cat "$T/groups")" ;;
mail_gid) echo "mail_gid = " ;;
*) echo "doveconf: Fatal: Unknown setting: \$1" >&2; exit 1 ;;
esac
EOS
chmod 755 "$T/doveconf"
: >"$T/plugins"
: >"$T/groups"
export SHOPER_DOVECONF="$T/doveconf"

# a fresh install: the [sync] section only
sed '/^\[shop /,$d' "$CONF" >"$T/fresh.conf"
out=$("$SYNC_BIN" -c "$T/fresh.conf" check 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q '^problem: no shop configured in .*fresh.conf: add a \[shop NAME\] section'
tap $? "no shop: check says to add a [shop NAME] section"
echo "$out" | grep -q '^problem: Dovecot does not load the plugin'
tap $? "plugin not in lmtp's mail_plugins: check says so"
echo "$out" | grep -q "^problem: the mail processes are not in group $grp of the index directory"
tap $? "group missing from mail_access_groups: check says so"

# the steps done: a shop, the plugin loaded, the group given
sync_add_shop sklep1 --orders 5 --customers 3 || exit 1
echo "quota shoper sieve" >"$T/plugins"
echo "mail,$grp" >"$T/groups"
out=$("$SYNC_BIN" -c "$CONF" check 2>&1)
echo "$out" | sed 's/^/# /'
check_not() { ! echo "$out" | grep -q "$1"; }
check_not 'no shop configured'
tap $? "a shop configured: no 'no shop' line"
echo "$out" | grep -q '^ok: Dovecot loads the plugin at LMTP delivery'
tap $? "plugin loaded: ok"
echo "$out" | grep -q "^ok: the mail processes have group $grp"
tap $? "group in mail_access_groups: ok"

# Dovecot 2.4 prints boollists as blocks
cat >"$T/doveconf" <<EOS
#!/bin/sh
[ "\$1" = -f ] && shift 2
case \$1 in
mail_plugins) printf 'mail_plugins {\n  sieve = yes\n  shoper = yes\n}\n' ;;
mail_access_groups) printf 'mail_access_groups {\n  mail = yes\n  $grp = yes\n}\n' ;;
mail_gid) echo "mail_gid = " ;;
esac
EOS
out=$("$SYNC_BIN" -c "$CONF" check 2>&1)
echo "$out" | grep '^ok: Dovecot\|^ok: the mail' | sed 's/^/# /'
echo "$out" | grep -q '^ok: Dovecot loads the plugin at LMTP delivery (mail_plugins = sieve shoper)'
tap $? "2.4 boollist mail_plugins: plugin loaded, ok"
echo "$out" | grep -q "^ok: the mail processes have group $grp"
tap $? "2.4 boollist mail_access_groups: ok"
sed -i "s/  $grp = yes/  $grp = no/" "$T/doveconf"
out=$("$SYNC_BIN" -c "$CONF" check 2>&1)
echo "$out" | grep -q "^problem: the mail processes are not in group $grp"
tap $? "2.4 boollist with the group = no: problem"

# a private configuration without SHOPER_DOVECONF: the system's Dovecot
# is not asked
unset SHOPER_DOVECONF
out=$("$SYNC_BIN" -c "$T/fresh.conf" check 2>&1)
check_not 'Dovecot\|mail processes\|no shop configured'
tap $? "private -c FILE: the Dovecot side is not checked"
tap_end
