#!/bin/sh
# The README's test command: sets up (packages, build) and runs every test.
# Ends with one line "N passed, N failed[, N skipped]".
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
cd build
exec make -s check
