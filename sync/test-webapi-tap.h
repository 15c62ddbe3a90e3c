#ifndef TEST_WEBAPI_TAP_H
#define TEST_WEBAPI_TAP_H

/* Minimal TAP output for the webapi unit tests. */

#include <math.h>
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
#define TAP_NEAR(a, b, eps, ...) TAP_OK(fabs((a) - (b)) <= (eps), __VA_ARGS__)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed == 0 ? 0 : 1;
}

#endif
