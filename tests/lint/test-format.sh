#!/bin/sh
# Every C file of ours follows .clang-format (Dovecot's manner).
cd "$TOP_SRCDIR" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "ok 1 # SKIP clang-format not installed"
	exit 0
fi
n=0
for f in $(find index sync plugin bench tests -name '*.[ch]' | sort); do
	n=$((n + 1))
	if clang-format --style=file "$f" | cmp -s - "$f"; then
		echo "ok $n - $f is formatted"
	else
		echo "not ok $n - $f is not formatted (run: clang-format -i $f)"
	fi
done
[ "$n" -gt 0 ] || echo "ok 1 # SKIP no C files yet"
