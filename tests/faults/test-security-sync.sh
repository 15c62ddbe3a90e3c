#!/bin/sh
# Secrets and permissions of shoper-sync, beyond tests/sync/test-sync-config.sh
# (http:// URL refused, `check` with a certificate of another CA, password
# files readable by others, group-accessible state_dir) and
# tests/sync/test-webapi.sh (TLS error on another CA, http:// refused with
# no network call):
# - `sync` (not only `check`) refuses a certificate from another CA and
#   publishes nothing, and neither does an http:// URL;
# - the password and the bearer token appear in no output (sync, full
#   pass, check, lookup, daemon), no process
#   title (/proc/PID/cmdline) or environment of the running daemon, and no
#   file but the 0600 password file and the 0600 token file;
# - index 0640 with the group of its (setgid) directory, state_dir 0700,
#   no state file readable by group or others (DESIGN.md).
. "$TOP_SRCDIR/tests/sync/sync-lib.sh"
sync_init
sync_add_shop sklep1 --orders 200 --customers 30 || exit 1
shop_use sklep1
PW=pw-sklep1
IDX=$T/index/orders.cdb
grp=$(getent group nogroup >/dev/null && echo nogroup || echo 65534)
chgrp "$grp" "$T/index" && chmod 2750 "$T/index"

# --- a server certificate from the wrong CA, an http:// URL -------------
sed "s|^ca_file = .*|ca_file = $T/ca/wrong-ca.pem|" "$CONF" >"$T/wrongca.conf"
out=$("$SYNC_BIN" -c "$T/wrongca.conf" sync 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" -ne 0 ] && [ ! -e "$IDX" ] &&
	echo "$out" | grep -qi 'certificate\|TLS\|SSL'
tap $? "sync with a certificate from another CA: fails, says TLS/certificate, publishes nothing"
tap_ok "no token was stored after the refused TLS handshake" [ ! -e "$STATE/sklep1.token" ]
sed "s|^url = https://|url = http://|" "$CONF" >"$T/http.conf"
shop_ctl POST /__test/reset-counters >/dev/null
"$SYNC_BIN" -c "$T/http.conf" sync >/dev/null 2>&1
rc=$?
tap_ok "sync with an http:// URL: refused (exit $rc), no request reached the shop" \
	[ "$rc" -ne 0 ] && [ "$(counter total)" -eq 0 ] && [ ! -e "$IDX" ]

# --- secrets -----------------------------------------------------------
sync_run sync
tap "$RC" "sync with the right CA exits 0"
echo "$OUT" >"$T/out.sync"
TOKEN=$(tr -d '\n' <"$STATE/sklep1.token" | grep -o '[0-9a-f]\{20,\}' | head -n 1)
tap_ok "a bearer token is stored (${#TOKEN} hex chars)" [ "${#TOKEN}" -ge 20 ]
"$SYNC_BIN" -c "$CONF" sync --full >"$T/out.full" 2>&1
"$SYNC_BIN" -c "$CONF" check >"$T/out.check" 2>&1
"$SYNC_BIN" -c "$CONF" lookup "$(sqlite3 "$STATE/state.db" "SELECT email FROM orders LIMIT 1")" >"$T/out.lookup" 2>&1
"$SYNC_BIN" -c "$CONF" daemon >"$T/out.daemon" 2>&1 &
dpid=$!
i=0
while ! grep -q published "$T/out.daemon" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
tr '\0' ' ' <"/proc/$dpid/cmdline" >"$T/proc.cmdline" 2>/dev/null
tr '\0' '\n' <"/proc/$dpid/environ" >"$T/proc.environ" 2>/dev/null
for tid in /proc/$dpid/task/*; do cat "$tid/comm"; done >"$T/proc.comm" 2>/dev/null
kill -TERM "$dpid"
wait "$dpid"
tap_ok "daemon ran and was inspected ($(cat "$T/proc.cmdline"))" [ -s "$T/proc.cmdline" ]
leaks=$(grep -l -r -F -e "$PW" -e "$TOKEN" "$T" 2>/dev/null |
	grep -v "^$T/sklep1.password\$\|^$STATE/sklep1.token\$\|^$T/ca/")
tap_ok "password and token in no output, process title or file but their own (${leaks:-none})" \
	[ -z "$leaks" ]
m() { stat -c %a "$1"; }
tap_ok "password file 0600 ($(m "$T/sklep1.password")), token file 0600 ($(m "$STATE/sklep1.token"))" \
	[ "$(m "$T/sklep1.password")" = 600 ] && [ "$(m "$STATE/sklep1.token")" = 600 ]

# --- permissions (DESIGN.md) ------------------------------------------
tap_ok "index mode 0640 ($(m "$IDX"))" [ "$(m "$IDX")" = 640 ]
tap_ok "index takes its directory's group ($(stat -c %G "$IDX"))" \
	[ "$(stat -c %g "$IDX")" = "$(stat -c %g "$T/index")" ]
tap_ok "state_dir 0700 ($(m "$STATE"))" [ "$(m "$STATE")" = 700 ]
open=$(find "$STATE" -mindepth 1 -perm /077 | tr '\n' ' ')
tap_ok "no file in state_dir open to group or others (${open:-none})" [ -z "$open" ]
tap_ok "state_dir is not inside the index directory" \
	[ "${STATE#"$T/index"}" = "$STATE" ]
tap_end
