#!/bin/sh
# cppcheck finds nothing in our code, part by part.
cd "$TOP_SRCDIR" || exit 1
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "ok 1 # SKIP cppcheck not installed"
	exit 0
fi
# Kept clean with Debian 12's cppcheck 2.10; later versions add checks
# (2.17: nullPointerOutOfMemory on unchecked malloc() in tests and fuzz
# targets) and print "information:" lines of their own.
version=$(cppcheck --version | sed -n 's/^Cppcheck \([0-9]*\.[0-9]*\).*/\1/p')
if [ "$version" != 2.10 ]; then
	echo "ok 1 # SKIP cppcheck ${version:-of unknown version} is not 2.10, the version the code is checked with"
	exit 0
fi
n=0
for part in lib index cluster queue webapi store sync status filters daemon cli \
	plugin/common plugin/headers plugin/deliver plugin/imap plugin/doveadm \
	plugin/settings; do
	files=$(find "$part" -name '*.c' | sort)
	[ -n "$files" ] || continue
	n=$((n + 1))
	# Dovecot's headers are not ours to check: only our includes are given.
	out=$(cppcheck -q --enable=warning,portability,performance \
		--std=c11 --error-exitcode=1 --inline-suppr \
		--suppress=missingIncludeSystem --library=tests/lint/cppcheck.cfg \
		-I lib -I index -I cluster -I queue -I webapi -I store -I sync -I status -I filters -I daemon -I cli \
		-I plugin/common -I plugin/headers -I plugin/deliver -I plugin/imap \
		-I plugin/doveadm \
		-D__GNUC__=12 $files 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - cppcheck $part"
	else
		echo "not ok $n - cppcheck $part"
		echo "$out" | sed 's/^/# /'
	fi
done
[ "$n" -gt 0 ] || { n=1; echo "ok 1 # SKIP no C files yet"; }
echo "1..$n"
