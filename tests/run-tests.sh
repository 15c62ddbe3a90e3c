#!/bin/sh
# Runs every test program and script of the project and ends with one line:
# "N passed, N failed[, N skipped]", counting individual TAP results.
#
# Test programs print TAP: "ok N - what", "not ok N - what",
# "ok N # SKIP why", and a plan "1..N" (first or last). A program that exits
# non-zero without reporting a failure counts as one more failure, so a crash
# is never silent; results missing from the plan count as failures, and more
# results than planned as one. Scripts must print a plan: one that reports
# results and none ended before its end (a check that declares its count up
# front, as the browser test does, also catches checks that never ran).
#
# Found by name: test-* programs in the build tree's part folders, and
# tests/*/test-*.sh and tests/*/test_*.py in the source tree.
# TESTS_FILTER=regex runs only the matching ones.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
# Canonical paths, so test names print as tests/x/y, not ../tests/x/y.
TOP_SRCDIR=$(cd "$TOP_SRCDIR" && pwd -P)
TOP_BUILDDIR=$(cd "$TOP_BUILDDIR" && pwd -P)
export TOP_SRCDIR TOP_BUILDDIR
# Debian's own Python first: tests use only its standard library, and a
# version manager's shim in front of it costs seconds per call.
PATH=/usr/bin:/bin:$PATH
PYTHON3=${PYTHON3:-/usr/bin/python3}
export PATH PYTHON3
logdir="$TOP_BUILDDIR/tests/logs"
mkdir -p "$logdir"
timeout_s="${TEST_TIMEOUT:-900}"

list_tests() {
	# every folder of the build that has (or may get) check programs
	for d in lib index cluster queue webapi store sync plugin/headers \
		tests/tools; do
		for f in "$TOP_BUILDDIR/$d"/test-*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			case "$f" in *.o|*.c|*.h|*.log|*.trs) continue ;; esac
			echo "$f"
		done
	done | sort
	for f in "$TOP_SRCDIR"/tests/*/test-*.sh "$TOP_SRCDIR"/tests/*/test_*.py; do
		[ -f "$f" ] && echo "$f"
	done | sort
}


passed=0 failed=0 skipped=0
for t in $(list_tests); do
	name=${t#"$TOP_BUILDDIR"/}
	name=${name#"$TOP_SRCDIR"/}
	if [ -n "${TESTS_FILTER:-}" ] && ! echo "$name" | grep -Eq "$TESTS_FILTER"; then
		continue
	fi
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	(cd "$TOP_BUILDDIR" && timeout -k 10 "$timeout_s" sh -c \
		'case "$1" in *.sh) exec sh "$1";; *.py) exec "$PYTHON3" "$1";; *) exec "$1";; esac' \
		run "$t") >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	set -- $(awk '
		/^ok / && /# [Ss][Kk][Ii][Pp]/ { s++; next }
		/^ok / { p++; next }
		/^not ok / { f++; next }
		/^1\.\.[0-9]+/ { split($1, a, "\\.\\."); plan = a[2] + 0 }
		END { printf "%d %d %d %d\n", p, f, s, plan == "" ? -1 : plan }' "$log")
	p=$1 f=$2 s=$3 plan=$4
	extra=""
	if [ "$plan" -ge 0 ] && [ $((p + f + s)) -lt "$plan" ]; then
		f=$((f + plan - p - f - s))
		extra=" (fewer results than planned: $plan)"
	elif [ "$plan" -ge 0 ] && [ $((p + f + s)) -gt "$plan" ]; then
		f=$((f + 1))
		extra=" (more results than planned: $plan)"
	fi
	case "$t" in *.sh|*.py)
		if [ "$plan" -lt 0 ] && [ $((p + f)) -gt 0 ]; then
			f=$((f + 1))
			extra=" (no plan 1..N: ended before its end)"
		fi ;;
	esac
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		extra=" (exit status $rc)"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name: $p passed, $f failed$extra [$((end - start))s], log: $log"
		grep '^not ok' "$log" | head -20 | sed 's/^/    /'
		tail -n 15 "$log" | sed 's/^/    | /'
	else
		sk=""
		[ "$s" -gt 0 ] && sk=", $s skipped"
		echo "PASS $name: $p passed$sk [$((end - start))s]"
	fi
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
