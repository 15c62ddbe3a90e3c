#!/bin/sh
# The longest C files and functions of the tree (our rule: no file over
# about 600 lines, no function over about 80). Usage: scripts/sizes.sh
# [FILES_SHOWN [FUNCTIONS_SHOWN]]. Tests, fuzz targets and tools count too.
cd "$(dirname "$0")/.." || exit 1
files=$(git ls-files '*.c' '*.h')
echo "longest files:"
# shellcheck disable=SC2086
wc -l $files | grep -v ' total$' | sort -rn | head -n "${1:-10}"
echo "longest functions (a body from '{' to '}' in column 0):"
# shellcheck disable=SC2086
awk 'FNR == 1 { start = 0 }
	/^[a-zA-Z].*\(/ && !/;[[:space:]]*$/ { name = $0 }
	/^\{/ { start = FNR; fn = name }
	/^\}/ && start { printf "%6d %s:%d %s\n", FNR - start + 1, FILENAME, start, fn; start = 0 }' \
	$files | sort -rn | head -n "${2:-10}"
