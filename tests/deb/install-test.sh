#!/bin/sh
# In a fresh Debian 12 or 13 chroot (scripts/debian13-chroot.sh --fresh),
# as a new admin would: apt installs DEBS/v1's packages, then one test
# shop (over TLS) and one mailbox are configured as the package asks,
# shoper-sync runs by hand (no systemd in a chroot), a mail delivered over
# LMTP shows its order headers over IMAP; then the upgrade to DEBS/v2
# (configuration and index kept), remove (data kept, Dovecot starts),
# purge (index and state gone, Dovecot starts). TAP output.
#   sh tests/deb/install-test.sh DEBS
set -u
cd "$(dirname "$0")/../.."
TOP_SRCDIR=$(pwd)
debs=$1
export DEBIAN_FRONTEND=noninteractive
n=0
failed=0
check() { # DESC CMD...
	_d=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $_d"; else
		echo "not ok $n - $_d"
		failed=$((failed + 1))
	fi
}
has() { printf '%s\n' "$out" | grep -q -- "$1"; }
mode() { stat -c '%a %U %G' "$1"; }
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -y -q "$@" >/tmp/apt.log 2>&1 ||
	{ tail -20 /tmp/apt.log; return 1; }; }
. /etc/os-release
echo "# $PRETTY_NAME"

# A chroot runs no init: packages start nothing, Dovecot is started by hand.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
apt_get update
# for the test only: the test shop and the LMTP/IMAP clients
apt_get install --no-install-recommends python3 openssl ca-certificates

# --- install -----------------------------------------------------------
(cd "$debs/v1" && apt_get install ./dovecot-shoper_*.deb ./shoper-sync_*.deb)
check "apt install ./dovecot-shoper_*.deb ./shoper-sync_*.deb (dependencies from the mirror)" \
	dpkg-query -W dovecot-shoper shoper-sync dovecot-lmtpd dovecot-imapd
v1=$(dpkg-query -W -f '${Version}' shoper-sync)
series=$(dovecot --version | cut -d. -f1,2)
abi=$(dpkg-query -W -f '${Provides}' dovecot-core | grep -o 'dovecot-abi-[^ ,]*')
check "dovecot-shoper depends on the ABI dovecot-core provides ($abi)" \
	sh -c "[ -n '$abi' ] && dpkg-query -W -f '\${Depends}' dovecot-shoper | grep -q '$abi'"
check "system user shoper, group shoper" \
	sh -c 'getent passwd shoper >/dev/null && getent group shoper >/dev/null'
check "index directory /var/lib/dovecot-shoper 2750 shoper:shoper" \
	[ "$(mode /var/lib/dovecot-shoper)" = "2750 shoper shoper" ]
check "state directory 0700 shoper" \
	[ "$(mode /var/lib/dovecot-shoper/state)" = "700 shoper shoper" ]
check "/etc/dovecot-shoper 0750 and shoper-sync.conf 0640, group shoper" \
	[ "$(mode /etc/dovecot-shoper) $(mode /etc/dovecot-shoper/shoper-sync.conf)" = \
	"750 root shoper 640 root shoper" ]
unit=$(ls /lib/systemd/system/shoper-sync.service \
	/usr/lib/systemd/system/shoper-sync.service 2>/dev/null | head -1)
check "unit installed ($unit), runs as shoper, not enabled" sh -c \
	"[ -n '$unit' ] && grep -q '^User=shoper' '$unit' &&
	 [ ! -e /etc/systemd/system/multi-user.target.wants/shoper-sync.service ]"
check "remove stops the daemon (prerm)" \
	grep -q "deb-systemd-invoke stop.*shoper-sync.service" \
	/var/lib/dpkg/info/shoper-sync.prerm
[ "$series" = 2.4 ] && check "2.4: settings module installed" \
	[ -f /usr/lib/dovecot/modules/settings/libshoper_settings.so ]
out=$(doveconf -f protocol=lmtp mail_plugins 2>&1)
check "Dovecot's configuration unchanged: the snippet is installed disabled" \
	sh -c "doveconf -n >/dev/null && ! echo '$out' | grep -q shoper"

out=$(shoper-sync check 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "check after install fails" [ "$rc" -ne 0 ]
check "check: no shop configured" has "^problem: no shop configured in /etc/dovecot-shoper/shoper-sync.conf"
check "check: the Dovecot snippet is not enabled" \
	has "^problem: Dovecot does not load the plugin: uncomment the !include_try line of /etc/dovecot/conf.d/90-shoper.conf"
check "check: the mail processes are not in the group" \
	has "^problem: the mail processes are not in group shoper"

# --- one test shop, one mailbox -----------------------------------------
. "$TOP_SRCDIR/tests/lib/shop.sh"
shop_ca_init /root/shop >/dev/null 2>&1
shop_start /root/shop testshop --orders 30 --customers 8 --hostile-pct 0 ||
	exit 1
install -m 0644 "$SHOP_CA" /etc/dovecot-shoper/testshop-ca.pem
install -m 0640 -g shoper /dev/null /etc/dovecot-shoper/testshop.password
echo secret >/etc/dovecot-shoper/testshop.password
cat >>/etc/dovecot-shoper/shoper-sync.conf <<EOC

[shop testshop]
url = $SHOP_URL
login = api
password_file = /etc/dovecot-shoper/testshop.password
ca_file = /etc/dovecot-shoper/testshop-ca.pem
EOC
imap_port=$(python3 tests/lib/dovecot_client.py port)
useradd -u 5000 -U -M -d /srv/mail vmail
install -d -o vmail -g vmail /srv/mail
echo "support:{PLAIN}secret:5000:5000::/srv/mail/support::userdb_shoper_shops=testshop" \
	>/etc/dovecot/shoper-test.passwd
if [ "$series" = 2.3 ]; then
	cat >/etc/dovecot/local.conf <<EOC
disable_plaintext_auth = no
auth_username_format = %Ln
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = /etc/dovecot/shoper-test.passwd
}
userdb {
  driver = passwd-file
  args = /etc/dovecot/shoper-test.passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
EOC
else
	cat >/etc/dovecot/local.conf <<EOC
auth_allow_cleartext = yes
auth_username_format = %{user | username | lower}
mail_driver = maildir
mail_path = ~/Maildir
mail_inbox_path =
passdb passwd-file {
  passwd_file_path = /etc/dovecot/shoper-test.passwd
}
userdb passwd-file {
  passwd_file_path = /etc/dovecot/shoper-test.passwd
}
service imap-login {
  inet_listener imap {
    listen = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
EOC
fi
# the step the package leaves to the admin: enable the snippet
sed -i 's|^#!include_try /usr/share/dovecot-shoper/|!include_try /usr/share/dovecot-shoper/|' \
	/etc/dovecot/conf.d/90-shoper.conf

dc_start() {
	dovecot >/tmp/dovecot-start.log 2>&1 || { cat /tmp/dovecot-start.log; return 1; }
	_i=0
	while [ ! -S /run/dovecot/lmtp ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -S /run/dovecot/lmtp ]
}
dc_stop() {
	doveadm stop >/dev/null 2>&1
	_i=0
	while [ -e /run/dovecot/master.pid ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f /run/dovecot/lmtp
}
deliver() { # FROM SUBJECT: LMTP to support, prints "RCPT CODE"
	printf 'From: Customer <%s>\r\nTo: support@test.example\r\nSubject: %s\r\nMessage-ID: <%s@test>\r\n\r\nWhere is my parcel?\r\n' \
		"$1" "$2" "$$.$2" |
		python3 tests/lib/dovecot_client.py lmtp /run/dovecot/lmtp "$1" support
}
fetch() { python3 tests/lib/dovecot_client.py fetch "$imap_port" support secret INBOX \
	Subject X-Shoper-Shop X-Shoper-Order-Id; }

check "Dovecot starts with the snippet enabled" dc_start
out=$(runuser -u shoper -- shoper-sync sync 2>&1)
check "shoper-sync sync by hand as shoper" [ $? -eq 0 ]
printf '%s\n' "$out" | tail -3 | sed 's/^/# /'
check "index 0640 shoper:shoper" \
	[ "$(mode /var/lib/dovecot-shoper/orders.cdb)" = "640 shoper shoper" ]
out=$(shoper-sync check 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "check passes once configured (exit 0)" [ "$rc" -eq 0 ]
check "check: Dovecot loads the plugin" has "^ok: Dovecot loads the plugin"
check "check: the mail processes have group shoper" has "^ok: the mail processes have group shoper"

db=/var/lib/dovecot-shoper/state/state.db
email=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT email FROM orders WHERE shop='testshop' AND email<>'' ORDER BY order_id DESC LIMIT 1\").fetchone()[0])" "$db")
ids=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(' '.join(str(r[0]) for r in c.execute('SELECT order_id FROM orders WHERE lower(email)=lower(?)', (sys.argv[2],))))" "$db" "$email")
echo "# customer $email, orders $ids"
out=$(deliver "$email" first)
check "LMTP delivery accepted" has " 250"
out=$(fetch)
printf '%s\n' "$out" | sed 's/^/# /'
id=$(printf '%s\n' "$out" | sed -n 's/^X-Shoper-Order-Id: *\([0-9]*\).*/\1/p' | head -1)
check "IMAP shows X-Shoper-Shop: testshop" has "^X-Shoper-Shop: testshop"
check "IMAP shows X-Shoper-Order-Id of one of the customer's orders ($id)" \
	sh -c "[ -n '$id' ] && echo ' $ids ' | grep -q ' $id '"

# --- upgrade --------------------------------------------------------------
sum=$(md5sum /var/lib/dovecot-shoper/orders.cdb)
confsum=$(md5sum /etc/dovecot-shoper/shoper-sync.conf /etc/dovecot/conf.d/90-shoper.conf)
dc_stop
(cd "$debs/v2" && apt_get install ./dovecot-shoper_*.deb ./shoper-sync_*.deb)
v2=$(dpkg-query -W -f '${Version}' shoper-sync)
check "upgrade $v1 -> $v2" dpkg --compare-versions "$v2" gt "$v1"
check "upgrade keeps the configuration (shop section, enabled snippet)" \
	[ "$(md5sum /etc/dovecot-shoper/shoper-sync.conf /etc/dovecot/conf.d/90-shoper.conf)" = "$confsum" ]
check "upgrade keeps the index and state" sh -c \
	"[ '$(md5sum /var/lib/dovecot-shoper/orders.cdb)' = '$sum' ] && [ -s $db ]"
check "upgrade keeps modes" \
	[ "$(mode /var/lib/dovecot-shoper) $(mode /var/lib/dovecot-shoper/state)" = \
	"2750 shoper shoper 700 shoper shoper" ]
check "Dovecot starts after the upgrade" dc_start
runuser -u shoper -- shoper-sync sync >/dev/null 2>&1
check "shoper-sync sync after the upgrade" [ $? -eq 0 ]
out=$(deliver "$email" second)
cnt=$(python3 tests/lib/dovecot_client.py search "$imap_port" support secret INBOX X-Shoper-Shop testshop)
check "after the upgrade a new delivery gets the headers too (2 messages with X-Shoper-Shop)" \
	[ "$cnt" = 2 ]
dc_stop
shop_stop

# --- remove, purge ----------------------------------------------------------
apt_get remove dovecot-shoper shoper-sync
check "remove: packages removed, conffiles kept" sh -c \
	"dpkg-query -W -f '\${Status}' shoper-sync | grep -q config-files &&
	 [ -f /etc/dovecot-shoper/shoper-sync.conf ] && [ ! -e /usr/sbin/shoper-sync ]"
check "remove keeps the index and state" \
	sh -c "[ -f /var/lib/dovecot-shoper/orders.cdb ] && [ -f $db ]"
if doveconf -n >/dev/null 2>&1 && dc_start; then r=0; else r=1; fi
check "Dovecot starts after remove (the enabled snippet's include is skipped)" [ $r -eq 0 ]
dc_stop
apt_get purge dovecot-shoper shoper-sync
check "purge removes the index and state" [ ! -e /var/lib/dovecot-shoper ]
check "purge removes the Dovecot snippet and shoper-sync.conf" sh -c \
	"[ ! -e /etc/dovecot/conf.d/90-shoper.conf ] && [ ! -e /etc/dovecot-shoper/shoper-sync.conf ]"
if doveconf -n >/dev/null 2>&1 && dc_start; then r=0; else r=1; fi
check "Dovecot starts after purge" [ $r -eq 0 ]
dc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
