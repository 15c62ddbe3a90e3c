/* Strict UTF-8 decoding (RFC 3629), shared by the plugin's header
   cleaning and shoper-sync's filters, which must agree. */
#include "shoper-lib.h"

size_t shoper_utf8_decode(const unsigned char *p, size_t len, uint32_t *cp_r)
{
	uint32_t cp, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp_r = p[0];
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return n;
}

bool shoper_utf8_is_space_or_control(uint32_t cp)
{
	return cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}
