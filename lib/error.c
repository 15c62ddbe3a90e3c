/* The error type's one setter. */
#include "shoper-lib.h"

#include <stdarg.h>
#include <stdio.h>

void shoper_error_set(struct shoper_error *err, const char *fmt, ...)
{
	va_list args;

	if (err == NULL)
		return;
	va_start(args, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, args);
	va_end(args);
}
