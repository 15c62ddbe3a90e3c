#!/bin/sh
# shoper-sync holds the shops' passwords and tokens: it never dumps core
# (core limit 0, not dumpable), even when started with `ulimit -c
# unlimited` and killed by SIGSEGV; the systemd unit sets LimitCORE=0 too.
# Control: the same kill of another program in the same place does dump,
# so the check means something (else it is skipped).
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
SYNC=$TOP_BUILDDIR/cli/shoper-sync
. "$TOP_SRCDIR/tests/lib/tap.sh"
[ -x "$SYNC" ] || { echo "1..0 # SKIP shoper-sync not built"; exit 0; }
T=$(mktemp -d /tmp/shoper-nodump.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"

# as root, run as nobody: a process that is not dumpable has its /proc
# files owned by root, which only shows for another user
AS=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
mkdir "$T/cwd" "$T/ctl" "$T/index"
printf 'pw\n' >"$T/pw"
chmod 600 "$T/pw"
printf '[sync]\nindex = %s/index/orders.cdb\nstate_dir = %s/state\ninterval = 600\ntimeout = 2\n[shop s]\nurl = https://127.0.0.1:1\nlogin = a\npassword_file = %s/pw\n' \
	"$T" "$T" "$T" >"$T/c.conf"
[ -n "$AS" ] && chown -R nobody "$T"

wait_for() {	# SECONDS CMD...
	_i=$(($1 * 10))
	shift
	while [ $_i -gt 0 ]; do
		"$@" && return 0
		_i=$((_i - 1))
		sleep 0.1
	done
	return 1
}
# PROGRAM ARGS... in DIR with an unlimited core limit; sets PID
start_in() {
	_d=$1
	shift
	(cd "$_d" && ulimit -c unlimited && exec $AS "$@") >"$T/out" 2>&1 &
	PID=$!
}
cores() { ls "$1" | grep -c '^core'; }
# the process PID was killed by SIGSEGV
killed_segv() {
	kill -SEGV $PID
	wait $PID
	_rc=$?
	PID=
	[ $_rc -eq 139 ]
}

# control: sleep dumps core here
start_in "$T/ctl" sleep 60
wait_for 5 sh -c "readlink /proc/$PID/exe | grep -q sleep"
killed_segv
CONTROL=$(cores "$T/ctl")

start_in "$T/cwd" "$SYNC" -c "$T/c.conf" daemon
# the state dir appears once main() is past its start
check "shoper-sync daemon runs" wait_for 20 test -d "$T/state"
check "its core limit is 0, soft and hard" \
	grep -Eq '^Max core file size +0 +0 ' /proc/$PID/limits
if [ -n "$AS" ] || [ "$(id -u)" -ne 0 ]; then
	check "it is not dumpable (its /proc files belong to root)" \
		test "$(stat -c %u /proc/$PID/status)" -eq 0
else
	skip "no other user to tell dumpable from not"
fi
check "killed by SIGSEGV" killed_segv
if [ "$CONTROL" -ge 1 ]; then
	check "no core file" test "$(cores "$T/cwd")" -eq 0
else
	skip "this system writes no core file here (core_pattern $(cat /proc/sys/kernel/core_pattern))"
fi
sed 's/^/# /' "$T/out"
check "the systemd unit sets LimitCORE=0" \
	grep -q '^LimitCORE=0$' "$TOP_SRCDIR/conf.d/shoper-sync.service"
tap_done
