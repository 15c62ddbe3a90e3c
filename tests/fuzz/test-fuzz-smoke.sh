#!/bin/sh
# Runs each libFuzzer target that was built (configure found clang with
# -fsanitize=fuzzer) for a short time on its seed corpus in tests/fuzz/:
# a crash, sanitizer report, leak or timeout fails. Long runs:
# tests/fuzz/run-long.sh. Per target: FUZZ_SMOKE_RUNS executions
# (default 20000) or FUZZ_SMOKE_SECONDS (default 10), whichever ends first.
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
runs=${FUZZ_SMOKE_RUNS:-20000}
secs=${FUZZ_SMOKE_SECONDS:-10}
n=0
failed=0
T=$(mktemp -d /tmp/fuzz-smoke.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

for t in index/fuzz-index-reader:index index/fuzz-record-decode:record-decode \
	index/fuzz-delta-reader:delta \
	store/fuzz-order-parse:order-parse store/fuzz-config:config \
	plugin/headers/fuzz-headers:headers; do
	bin=$TOP_BUILDDIR/${t%%:*} seeds=$TOP_SRCDIR/tests/fuzz/${t#*:}
	name=${t%%:*}
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		echo "ok $n # SKIP $name not built (needs clang with libFuzzer)"
		continue
	fi
	if [ ! -d "$seeds" ] || [ -z "$(ls "$seeds")" ]; then
		echo "not ok $n - $name: no seed corpus in $seeds"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$T/${t#*:}"
	# new inputs go to the temp corpus; the source tree stays read-only
	"$bin" -runs="$runs" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="$T/crash-" "$T/${t#*:}" "$seeds" \
		>"$T/log" 2>&1
	rc=$?
	done_line=$(grep '^Done [0-9]* runs' "$T/log")
	if [ "$rc" -eq 0 ] && [ -n "$done_line" ] &&
		! grep -q '^==[0-9]*==ERROR\|runtime error:' "$T/log"; then
		echo "ok $n - $name: $done_line, no crash"
	else
		echo "not ok $n - $name: exit $rc"
		grep -m 5 'ERROR\|runtime error\|SUMMARY\|Test unit written' \
			"$T/log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
