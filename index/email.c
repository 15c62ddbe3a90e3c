/* E-mail key normalisation and status type names. */
#include "index-private.h"

#include <string.h>

static int is_trimmed(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f' || c == '<' || c == '>';
}

int shoper_email_normalize(const char *email, size_t len, char *out,
			   size_t out_size)
{
	const unsigned char *p = (const unsigned char *)email;
	size_t start = 0, end = len, i;

	if (email == NULL)
		return -1;
	while (start < end && is_trimmed(p[start]))
		start++;
	while (end > start && is_trimmed(p[end - 1]))
		end--;
	/* A key must contain '@' and no NUL: order keys ("#shop:id") and the
	   meta key ("\0meta") never do, so the key spaces cannot collide. */
	if (end == start || memchr(p + start, '@', end - start) == NULL ||
	    memchr(p + start, '\0', end - start) != NULL)
		return -1;
	if (end - start >= out_size || end - start > SHOPER_EMAIL_KEY_MAX)
		return -1;
	for (i = start; i < end; i++) {
		unsigned char c = p[i];

		out[i - start] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	out[end - start] = '\0';
	return (int)(end - start);
}

const char *shoper_status_type_name(enum shoper_status_type type)
{
	switch (type) {
	case SHOPER_STATUS_TYPE_NEW:
		return "new";
	case SHOPER_STATUS_TYPE_IN_PROGRESS:
		return "in-progress";
	case SHOPER_STATUS_TYPE_CLOSED:
		return "closed";
	case SHOPER_STATUS_TYPE_NOT_COMPLETED:
		return "not-completed";
	case SHOPER_STATUS_TYPE_UNKNOWN:
		break;
	}
	return "unknown";
}
