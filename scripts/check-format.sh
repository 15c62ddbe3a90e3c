#!/bin/sh
# Checks that our C files follow .clang-format (Dovecot's manner).
# Prints the files that differ; exits 1 if any does.
set -u
top=${1:-.}
cd "$top" || exit 2
command -v clang-format >/dev/null 2>&1 || {
	echo "clang-format not found: apt-get install -y clang-format"
	exit 2
}
bad=0
# outside a git checkout (an unpacked tarball): every folder of ours
files=$(git ls-files '*.c' '*.h' 2>/dev/null) ||
	files=$(find lib index cluster queue webapi store sync status filters daemon cli plugin \
		bench tests -name '*.[ch]')
for f in $files; do
	if ! clang-format --style=file "$f" | cmp -s - "$f"; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "format ok"
exit $bad
