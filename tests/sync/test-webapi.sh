#!/bin/sh
# The webapi client (webapi/webapi-*.c) against the test shop over real TLS,
# driven by the webapi-probe tool: login and token reuse, re-login on an
# expired token, refused logins, 429 storms, 5xx, timeouts, garbage and
# truncated answers, TLS and URL refusals, bulk, the leaky bucket, and no
# secret in any output. TAP.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TOP_BUILDDIR:=$(pwd)}"
PROBE="$TOP_BUILDDIR/webapi/webapi-probe"
SHOPCTL="$TOP_SRCDIR/tests/shop/shopctl.py"
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # check "what" command...
	_what=$1
	shift
	if "$@"; then ok "$_what"; else not_ok "$_what"; fi
}

if [ ! -x "$PROBE" ]; then
	echo "ok 1 # SKIP $PROBE not built (make check builds it)"
	exit 0
fi

. "$TOP_SRCDIR/tests/lib/shop.sh"
T=$(mktemp -d /tmp/test-webapi.XXXXXX)
cleanup() {
	shop_stop
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PASSWORD='Pw-4d9f!x7q'
printf '%s\n' "$PASSWORD" >"$T/pw"
printf 'wrong-%s\n' "$PASSWORD" >"$T/badpw"
chmod 600 "$T/pw" "$T/badpw"
shop_ca_init "$T" >"$T/ca.log" 2>&1 || { echo "Bail out! CA"; exit 1; }
shop_start "$T" s1 --login api --password "$PASSWORD" --orders 1300 \
	--bucket-limit 10 --bucket-bandwidth 2 ||
	{ echo "Bail out! shop did not start"; exit 1; }

runs=0
# probe [probe options] -- steps: runs the probe, output in $T/out.N,
# stderr in $T/err.N; $OUT is the last output file, $RC its exit status.
probe() {
	runs=$((runs + 1))
	OUT="$T/out.$runs"
	"$PROBE" --flat --url "${URL:-$SHOP_URL}" --login "${LOGIN:-api}" \
		--password-file "${PWFILE:-$T/pw}" --ca "${CA:-$SHOP_CA}" \
		--max-backoff-ms 200 "$@" >"$OUT" 2>"$T/err.$runs"
	RC=$?
}
# v KEY: a value of the last output (probe --flat: results.0.status=ok)
v() { grep -F "$1=" "$OUT" | sed -n "1s/^[^=]*=//p"; }
# is KEY=VALUE...: every KEY has that value in the last output
is() {
	for _kv in "$@"; do
		grep -qxF -e "$_kv" "$OUT" || return 1
	done
}
# has KEY TEXT: the value of KEY contains TEXT
has() { v "$1" | grep -qF -e "$2"; }
# ge KEY NUMBER: numeric value of KEY >= NUMBER
ge() { awk -v a="$(v "$1")" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
ctl() { shop_ctl "$@" >/dev/null; }
counter() {
	shop_ctl GET counters | tr -d '\n' |
		sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}
fault() { ctl POST faults "$1"; }

# ---- login, token reuse ----
ctl POST reset-counters
probe --token-file "$T/token" get:application-config
check "first run logs in with Basic auth and succeeds" \
	is ok=true stats.auth_calls=1
check "the shop saw exactly one auth call" [ "$(counter auth)" = 1 ]
check "token file is mode 0600" \
	[ "$(stat -c %a "$T/token" 2>/dev/null)" = 600 ]
probe --token-file "$T/token" get:application-config "get:statuses"
check "second run reuses the token: 0 auth calls" \
	is ok=true stats.auth_calls=0
check "the shop saw no new auth call" [ "$(counter auth)" = 1 ]

# ---- token expired by the shop mid-run ----
probe --token-file "$T/token" get:application-config \
	"exec:python3 $SHOPCTL --url $SHOP_URL --ca $SHOP_CA POST tokens/expire >/dev/null" \
	"get:orders?limit=5"
check "token expired mid-run: one re-login, then success" \
	is ok=true stats.auth_calls=1 results.2.http=200
probe --token-file "$T/token" get:application-config
check "the new token was saved and is reused" \
	is ok=true stats.auth_calls=0

# ---- wrong password ----
PWFILE="$T/badpw" probe --token-file "$T/badtoken" get:application-config
check "wrong password: AUTH error, exit 1" \
	is results.0.status=auth
check "wrong password message tells what to fix" \
	has results.0.error "check the login and the password"
check "wrong password: exactly one login attempt" \
	is stats.auth_calls=1
check "wrong password: no token file written" [ ! -e "$T/badtoken" ]
printf 'secret\n' >"$T/noaccess.pw"
LOGIN=noaccess PWFILE="$T/noaccess.pw" probe get:application-config
check "admin without webapi permission: PERMISSION error" \
	is results.0.status=permission
check "no-webapi-access message says which permission to grant" \
	has results.0.error "'WebAPI access' permission"
ctl POST config '{"forbidden": ["parcels"]}'
probe --token-file "$T/token" get:parcels
check "resource outside the token's scope: PERMISSION, no retry" \
	is results.0.status=permission results.0.http=403 stats.retries=0 \
	stats.auth_calls=0
ctl POST config '{"forbidden": []}'

# ---- 429 storm ----
fault '{"kind": "429", "count": 3, "path": "/webapi/rest/statuses", "retry_after": 1}'
probe --token-file "$T/token" get:statuses
check "429 storm: waits Retry-After and succeeds" \
	is ok=true stats.throttled=3
check "429 storm: honoured Retry-After (3 x 1 s)" \
	eval 'ge stats.waited_secs 2.9 && is stats.retries=0'

# ---- 5xx ----
fault '{"kind": "500", "count": 2, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" get:statuses
check "500 twice: retried, then ok" \
	is ok=true stats.retries=2
fault '{"kind": "503", "count": 2, "path": "/webapi/rest/statuses", "retry_after": 0}'
probe --token-file "$T/token" get:statuses
check "503 twice: retried, then ok" \
	is ok=true stats.retries=2
fault '{"kind": "500", "count": 100, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" --max-retries 3 get:statuses
check "persistent 500: reported after max_retries" \
	is ok=false results.0.status=http stats.retries=3 stats.calls=4
check "persistent 500: message names the status and retries" \
	eval 'has results.0.error 500 && has results.0.error "3 retries"'
check "persistent 500: exit status 1" [ "$RC" = 1 ]
ctl DELETE faults

# ---- timeouts, resets, garbage, truncated ----
fault '{"kind": "timeout", "count": 1, "path": "/webapi/rest/statuses", "seconds": 4}'
probe --token-file "$T/token" --timeout 1 get:statuses
check "timeout: retried, then ok" \
	is ok=true stats.retries=1
fault '{"kind": "reset", "count": 2, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" get:statuses
check "connection reset: retried, then ok" \
	is ok=true stats.retries=2
fault '{"kind": "garbage", "count": 2, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" get:statuses
check "garbage body: retried, then ok" \
	is ok=true stats.retries=2
fault '{"kind": "truncated", "count": 2, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" get:statuses
check "truncated body (short read): retried, then ok" \
	is ok=true stats.retries=2
fault '{"kind": "truncated", "mode": "cut", "count": 1, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" get:statuses
check "truncated body (cut JSON): retried, then ok" \
	is ok=true stats.retries=1
fault '{"kind": "garbage", "count": 100, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" --max-retries 2 get:statuses
check "persistent garbage: reported as protocol error" \
	is results.0.status=protocol stats.retries=2
ctl DELETE faults
fault '{"kind": "truncated", "count": 100, "path": "/webapi/rest/statuses"}'
probe --token-file "$T/token" --max-retries 2 get:statuses
check "persistent truncation: reported as protocol error" \
	is results.0.status=protocol stats.retries=2
ctl DELETE faults
fault '{"kind": "timeout", "count": 100, "path": "/webapi/rest/statuses", "seconds": 3}'
probe --token-file "$T/token" --timeout 1 --max-retries 1 get:statuses
check "persistent timeout: reported as network error" \
	is results.0.status=network stats.retries=1
ctl DELETE faults

# ---- TLS and URL refusals ----
ctl POST reset-counters
CA="$T/wrong-ca.pem" probe --token-file "$T/token2" get:application-config
check "certificate from another CA: TLS error" \
	is results.0.status=tls
check "TLS error message points at ca_file" \
	has results.0.error ca_file
check "TLS refused before any HTTP request reached the shop" \
	[ "$(counter total)" = 0 ]
URL="http://127.0.0.1:$SHOP_PORT" probe --token-file "$T/token2" \
	get:application-config
check "http:// URL refused" has init_error "only https://"
check "http:// URL: exit status 1" [ "$RC" = 1 ]
check "http:// URL: no network call" [ "$(counter total)" = 0 ]

# ---- bulk ----
ctl POST reset-counters
probe --token-file "$T/token" bulk:orders:25:50
check "bulk of 25 pages x 50 orders" \
	is ok=true results.0.items=25 results.0.rows=1250 results.0.bad_items=0
check "bulk went as one call of 25 items" \
	[ "$(counter bulk_calls)/$(counter bulk_items)" = 1/25 ]
probe --token-file "$T/token" bulk:orders:26:50
check "bulk of 26 refused locally" \
	eval 'is results.0.status=config && has results.0.error "1 to 25"'
check "bulk of 26: nothing sent" [ "$(counter bulk_calls)" = 1 ]
probe --token-file "$T/token" fetch:orders:50
check "fetch of every page: all 1300 orders, no duplicate" \
	is ok=true results.0.rows=1300 results.0.unique=1300

# ---- the leaky bucket ----
ctl POST bucket/drain
ctl POST reset-counters
probe --token-file "$T/token" repeat:60:get:application-config
check "60 calls against a 10/2 bucket all succeed" \
	is ok=true results.0.ok=60
throttled=$(counter 429)
check "bucket respected: $throttled 429 answers (at most 2)" \
	[ "$throttled" -le 2 ]
check "the client waited for the bucket" ge stats.waited_secs 0.001
ctl POST config '{"bulk_cost": "each"}'
ctl POST bucket/drain
ctl POST reset-counters
probe --token-file "$T/token" repeat:4:bulk:orders:5:50
check "bulks charged per item: all 4 succeed" is ok=true results.0.ok=4
throttled=$(counter 429)
check "bulk cost learned from X-Shop-Api-Calls: $throttled 429 answers" \
	[ "$throttled" = 0 ]
ctl POST config '{"bulk_cost": "one"}'

# ---- secrets ----
TOKEN=$(sed -n 's/^token=//p' "$T/token")
check "the token file holds a token" [ -n "$TOKEN" ]
leaks=0
for f in "$T"/out.* "$T"/err.*; do
	if grep -qF -e "$PASSWORD" -e "$TOKEN" "$f"; then
		leaks=$((leaks + 1))
		echo "# secret in $f"
	fi
done
check "password and token never in stdout/stderr ($runs runs)" \
	[ "$leaks" = 0 ]

echo "1..$n"
[ "$failed" = 0 ]
