#!/bin/sh
# Every C file of ours follows .clang-format (Dovecot's manner).
cd "$TOP_SRCDIR" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "ok 1 # SKIP clang-format not installed"
	exit 0
fi
# .clang-format is kept with clang-format 14 (Debian 12); other majors
# (Debian 13's 19) lay some constructs out differently.
major=$(clang-format --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
if [ "$major" != 14 ]; then
	echo "ok 1 # SKIP clang-format ${major:-of unknown version} is not 14, the version the code is formatted with"
	exit 0
fi
n=0
for f in $(find lib index cluster queue webapi store sync status filters daemon cli plugin bench tests -name '*.[ch]' | sort); do
	n=$((n + 1))
	if clang-format --style=file "$f" | cmp -s - "$f"; then
		echo "ok $n - $f is formatted"
	else
		echo "not ok $n - $f is not formatted (run: clang-format -i $f)"
	fi
done
[ "$n" -gt 0 ] || { n=1; echo "ok 1 # SKIP no C files yet"; }
echo "1..$n"
