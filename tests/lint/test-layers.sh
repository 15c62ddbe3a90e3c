#!/bin/sh
# Every #include "..." of our C files follows the arrows of
# tests/lint/layers.txt: a file includes headers of its own folder and of
# the folders its line names, never of a folder above it. Headers found in
# none of the folders (Dovecot's, the build's config-shoper.h) are not
# ours to check.
cd "$TOP_SRCDIR" || exit 1
layers=tests/lint/layers.txt
n=0
# folder of every header of ours, by name (two folders with one name
# would make an include ambiguous: that fails too); a folder's own, not
# its sub-folders' (plugin/common is a line of its own)
headers=$(for d in $(awk '!/^#/ && NF { print $1 }' "$layers"); do
	find "$d" -maxdepth 1 -name '*.h' 2>/dev/null | sed "s|^$d/||; s|\$| $d|"
done | sort)
dups=$(echo "$headers" | awk '{ print $1 }' | uniq -d)
n=$((n + 1))
if [ -z "$dups" ]; then
	echo "ok $n - every header name belongs to one folder"
else
	echo "not ok $n - header names in two folders: $dups"
fi
# every folder of ours with C files (one with a Makefile.am: not a build
# tree) has a line, so that no include goes unchecked
n=$((n + 1))
unlisted=$(find . -name '*.[ch]' ! -path './.git/*' | sed 's|^\./||; s|/[^/]*$||' |
	sort -u | while read -r d; do
		[ -f "$d/Makefile.am" ] || continue
		awk -v d="$d" '!/^#/ && $1 == d { f = 1 } END { exit !f }' "$layers" ||
			echo "$d"
	done)
if [ -z "$unlisted" ]; then
	echo "ok $n - every folder with C files has a line in $layers"
else
	echo "not ok $n - folders with C files but no line in $layers:" $unlisted
fi
# the uphill arrows: a folder may not name a folder listed after it
n=$((n + 1))
bad=$(awk '!/^#/ && NF { pos[$1] = NR; line[NR] = $0; dir[NR] = $1 }
	END { for (i in line) { split(line[i], f, "->"); m = split(f[2], t, " ");
		for (j = 1; j <= m; j++) if (!(t[j] in pos) || pos[t[j]] >= i + 0)
			print dir[i] " -> " t[j] } }' "$layers")
if [ -z "$bad" ]; then
	echo "ok $n - $layers: every arrow runs downhill"
else
	echo "not ok $n - $layers: arrows uphill or to no folder: $bad"
fi
for d in $(awk '!/^#/ && NF { print $1 }' "$layers"); do
	below=$(awk -v d="$d" '!/^#/ && $1 == d { sub(/^[^>]*->[[:space:]]*/, ""); print }' "$layers")
	allowed=" $d $below "
	wrong=$(find "$d" -maxdepth 1 -name '*.[ch]' | sort | while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		while read -r h; do
			owner=$(echo "$headers" | awk -v h="${h##*/}" '$1 == h { print $2; exit }')
			[ -n "$owner" ] || continue
			case "$allowed" in
			*" $owner "*) ;;
			*) echo "$f includes $h ($owner/)" ;;
			esac
		done
	done)
	n=$((n + 1))
	if [ -z "$wrong" ]; then
		echo "ok $n - $d/ includes only its own headers${below:+ and those of $below}"
	else
		echo "not ok $n - $d/ includes a folder it may not use:"
		echo "$wrong" | sed 's/^/#   /'
	fi
done
echo "1..$n"
