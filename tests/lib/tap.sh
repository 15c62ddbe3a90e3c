# TAP for the plain sh tests, those with no Dovecot or shop of their own
# (source it): results numbered from 1, the plan at the end.
#   check WHAT CMD...   ok when CMD succeeds
#   skip WHY            a skipped check
#   tap_done            the plan; exit status 1 when a check failed
n=0
failed=0

check() {
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
	fi
}

skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

tap_done() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
