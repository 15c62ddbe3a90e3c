#ifndef TEST_SYNC_TAP_H
#define TEST_SYNC_TAP_H

/* Minimal TAP output for shoper-sync's unit tests. */

#include <stdbool.h>
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...)                                                      \
	do {                                                                   \
		bool tap_c_ = (cond);                                          \
		printf("%sok %d - ", tap_c_ ? "" : "not ", ++tap_n);           \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
		if (!tap_c_) {                                                 \
			tap_failed++;                                          \
			printf("#   at %s:%d: %s\n", __FILE__, __LINE__,       \
			       #cond);                                         \
		}                                                              \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed == 0 ? 0 : 1;
}

#endif
