#ifndef SHOPER_TAP_H
#define SHOPER_TAP_H

/* Minimal TAP output for every C unit test (index, queue, sync):
   ok(cond, "what", ...) or its other spelling TAP_OK, TAP_NEAR for
   doubles, then return tap_done() from main. A failure also prints
   where and which condition, as a TAP comment. */

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline void __attribute__((format(printf, 5, 6)))
tap_ok_at(int cond, const char *file, int line, const char *expr,
	  const char *fmt, ...)
{
	va_list args;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   at %s:%d: %s\n", file, line, expr);
	}
	fflush(stdout);
}

#define ok(cond, ...)                                                          \
	tap_ok_at((cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)
#define TAP_OK(cond, ...) ok(cond, __VA_ARGS__)
#define TAP_NEAR(a, b, eps, ...) ok(fabs((a) - (b)) <= (eps), __VA_ARGS__)

/* N checks that cannot run here, counted as skipped, not left out */
static inline void tap_skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_n, why);
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed > 0 ? 1 : 0;
}

#endif
