#!/bin/sh
# The order index replaced again and again while LMTP deliveries run: no
# message is lost, none gets a temporary failure, and every message carries
# either the complete old or the complete new set of X-Shoper-* headers.
# Size: FAULTS_DELIVERIES (default 1000) deliveries by FAULTS_WORKERS (2)
# parallel LMTP connections, FAULTS_SWAPS (default 20) index replacements.
# The full run of the reliability report:
#   FAULTS_DELIVERIES=10000 FAULTS_SWAPS=100 TESTS_FILTER=index-swap make check
. "$TOP_SRCDIR/tests/lib/dovecot.sh"
N=${FAULTS_DELIVERIES:-1000}
SWAPS=${FAULTS_SWAPS:-20}
WORKERS=${FAULTS_WORKERS:-2}
. "$TOP_SRCDIR/tests/faults/swap-lib.sh"
swap_setup
swap_run index-swap "$TOP_BUILDDIR/tests/tools/make-test-index" \
	"index replaced $SWAPS times during the deliveries" \
	"an atomic replacement is never seen half-written"
echo "1..$DC_TESTNUM"
