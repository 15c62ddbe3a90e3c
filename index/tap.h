#ifndef SHOPER_TAP_H
#define SHOPER_TAP_H

/* Minimal TAP output for the index tests: ok(cond, "what"), then
   return tap_done() from main. */

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline void __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list args;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
}

#define ok(cond, ...) tap_ok((cond) ? 1 : 0, __VA_ARGS__)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed > 0 ? 1 : 0;
}

#endif
