#!/bin/sh
# cppcheck finds nothing in our code, part by part.
cd "$TOP_SRCDIR" || exit 1
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "ok 1 # SKIP cppcheck not installed"
	exit 0
fi
n=0
for part in index queue sync plugin; do
	files=$(find "$part" -name '*.c' | sort)
	[ -n "$files" ] || continue
	n=$((n + 1))
	# Dovecot's headers are not ours to check: only our includes are given.
	out=$(cppcheck -q --enable=warning,portability,performance \
		--std=c11 --error-exitcode=1 --inline-suppr \
		--suppress=missingIncludeSystem --library=tests/lint/cppcheck.cfg \
		-I index -I sync -I plugin -I queue \
		-D__GNUC__=12 $files 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - cppcheck $part"
	else
		echo "not ok $n - cppcheck $part"
		echo "$out" | sed 's/^/# /'
	fi
done
[ "$n" -gt 0 ] || echo "ok 1 # SKIP no C files yet"
