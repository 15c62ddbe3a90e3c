/* Printing shop text on a terminal. */
#include "shoper-lib.h"

void shoper_print_clean(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}
