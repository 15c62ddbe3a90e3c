/* Header builder: lookup result -> cleaned, encoded, folded header lines.
   Values come from the shop and are hostile until cleaned here. */

#include "lib.h"
#include "str.h"
#include "message-header-encode.h"
#include "message-header-parser.h"

#include <ctype.h>
#include "shoper-headers.h"

#define SHOPER_REPLACEMENT_UTF8 "\xEF\xBF\xBD"

bool shoper_header_is_ours(const char *name)
{
	return strncasecmp(name, SHOPER_HEADER_PREFIX,
			   SHOPER_HEADER_PREFIX_LEN) == 0;
}

static bool shoper_has_cr(const unsigned char *data, size_t len)
{
	return len > 0 && memchr(data, '\r', len) != NULL;
}

enum shoper_line_action shoper_header_line_action(
	const struct message_header_line *hdr)
{
	bool cr = shoper_has_cr(hdr->value, hdr->value_len);

	if (hdr->continued)
		return cr ? SHOPER_LINE_REWRITE : SHOPER_LINE_KEEP;
	if (hdr->name_len > 0) {
		/* a CR in the name starts a new line for some readers, and
		   leaves no header worth keeping for the others */
		if (shoper_header_is_ours(hdr->name) ||
		    shoper_has_cr((const unsigned char *)hdr->name,
				  hdr->name_len) ||
		    shoper_has_cr(hdr->middle, hdr->middle_len))
			return SHOPER_LINE_DROP;
	} else {
		/* no colon, or a name too long to be one: the value is the
		   line from its start */
		if (hdr->value_len >= SHOPER_HEADER_PREFIX_LEN &&
		    strncasecmp((const char *)hdr->value, SHOPER_HEADER_PREFIX,
				SHOPER_HEADER_PREFIX_LEN) == 0)
			return SHOPER_LINE_DROP;
		/* e.g. "\r\r\n": an empty line (the end of the header)
		   once saved */
		if (cr)
			return SHOPER_LINE_DROP;
	}
	return cr ? SHOPER_LINE_REWRITE : SHOPER_LINE_KEEP;
}

void shoper_header_clean(const void *data, size_t len, size_t max_chars,
			 string_t *dest)
{
	const unsigned char *p = data;
	size_t start = str_len(dest), pos = 0, n, chars = 0;
	bool pending_space = FALSE, last_bad = FALSE;
	uint32_t chr;

	while (pos < len && chars < max_chars) {
		n = shoper_utf8_decode(p + pos, len - pos, &chr);
		if (n == 0) {
			/* one replacement character per run of bad bytes */
			pos++;
			if (last_bad)
				continue;
			last_bad = TRUE;
		} else {
			last_bad = FALSE;
			if (shoper_utf8_is_space_or_control(chr)) {
				pending_space = str_len(dest) > start;
				pos += n;
				continue;
			}
		}
		if (pending_space) {
			if (++chars >= max_chars)
				break;
			str_append_c(dest, ' ');
			pending_space = FALSE;
		}
		if (n == 0)
			str_append(dest, SHOPER_REPLACEMENT_UTF8);
		else
			str_append_data(dest, p + pos, n);
		pos += n;
		chars++;
	}
}

/* Keeps only [A-Za-z0-9._-] (shop names, order ids). */
static void shoper_header_token(const struct shoper_str *s, string_t *dest)
{
	size_t i, n = 0;

	for (i = 0; i < s->len && n < SHOPER_CAP_TOKEN; i++) {
		unsigned char c = s->ptr[i];
		if (i_isalnum(c) || c == '.' || c == '_' || c == '-') {
			str_append_c(dest, c);
			n++;
		}
	}
}

/* Plain: printable ASCII that a reader won't decode. A value that merely
   looks like an RFC 2047 encoded-word ("=?utf-8?q?=0D=0A...?=") would be
   decoded by Sieve and clients into whatever it says, CR LF included, so
   it is encoded itself. */
static bool shoper_is_plain(const char *value)
{
	if (strstr(value, "=?") != NULL)
		return FALSE;
	for (; *value != '\0'; value++) {
		if ((unsigned char)*value < 0x20 ||
		    (unsigned char)*value >= 0x7f)
			return FALSE;
	}
	return TRUE;
}

static void shoper_header_fold_plain(string_t *dest, size_t line_len,
				     const char *value)
{
	const char *const *words = t_strsplit(value, " ");
	bool first = TRUE;

	for (; *words != NULL; words++) {
		size_t wlen = strlen(*words);

		if (wlen == 0)
			continue;
		if (!first && line_len + 1 + wlen > SHOPER_HEADER_LINE_MAX) {
			str_append(dest, "\n ");
			line_len = 1;
		} else if (!first) {
			str_append_c(dest, ' ');
			line_len++;
		}
		str_append(dest, *words);
		line_len += wlen;
		first = FALSE;
	}
}

void shoper_header_append(string_t *dest, const char *name, const char *value)
{
	size_t first_len = strlen(name) + 2;

	if (*value == '\0')
		return;
	str_printfa(dest, "%s: ", name);
	if (shoper_is_plain(value)) {
		shoper_header_fold_plain(dest, first_len, value);
	} else {
		/* RFC 2047: whichever of Q and B is shorter */
		string_t *q = t_str_new(256), *b = t_str_new(256);

		message_header_encode_q((const unsigned char *)value,
					strlen(value), q, first_len);
		message_header_encode_b((const unsigned char *)value,
					strlen(value), b, first_len);
		str_append_str(dest, str_len(q) <= str_len(b) ? q : b);
	}
	str_append_c(dest, '\n');
}

static void shoper_header_text(string_t *dest, const char *name,
			       const struct shoper_str *s, size_t cap)
{
	string_t *value = t_str_new(128);

	shoper_header_clean(s->ptr, s->len, cap, value);
	shoper_header_append(dest, name, str_c(value));
}

static void shoper_header_url(string_t *dest, const struct shoper_str *s)
{
	size_t i;

	/* a URL is used as it is or not at all: cutting or cleaning one
	   would make it point somewhere else */
	if (s->len == 0 || s->len > SHOPER_CAP_URL)
		return;
	if (!(s->len > 8 && strncasecmp(s->ptr, "https://", 8) == 0) &&
	    !(s->len > 7 && strncasecmp(s->ptr, "http://", 7) == 0))
		return;
	for (i = 0; i < s->len; i++) {
		if ((unsigned char)s->ptr[i] <= 0x20 ||
		    (unsigned char)s->ptr[i] >= 0x7f)
			return;
	}
	shoper_header_append(dest, "X-Shoper-Order-Url",
			     t_strndup(s->ptr, s->len));
}

static void shoper_header_orders(string_t *dest,
				 const struct shoper_lookup *lookup,
				 unsigned int max_orders)
{
	string_t *list = t_str_new(256), *shop = t_str_new(64);
	string_t *id = t_str_new(64);
	unsigned int i, n = 0;

	for (i = 0; i < lookup->count && n < max_orders; i++) {
		str_truncate(shop, 0);
		str_truncate(id, 0);
		shoper_header_token(&lookup->orders[i].shop, shop);
		shoper_header_token(&lookup->orders[i].order_id, id);
		/* no usable shop or id: leave the order out */
		if (str_len(shop) == 0 || str_len(id) == 0)
			continue;
		if (n++ > 0)
			str_append(list, ", ");
		str_printfa(list, "%s:%s", str_c(shop), str_c(id));
	}
	shoper_header_append(dest, "X-Shoper-Orders", str_c(list));
}

void shoper_headers_build(const struct shoper_lookup *lookup,
			  unsigned int max_orders, string_t *dest)
{
	const struct shoper_order *o = lookup->primary;
	string_t *tmp;

	if (o == NULL)
		return;
	T_BEGIN
	{
		tmp = t_str_new(64);
		shoper_header_token(&o->order_id, tmp);
		if (str_len(tmp) > 0) {
			shoper_header_append(dest, "X-Shoper-Order-Id",
					     str_c(tmp));
			str_truncate(tmp, 0);
			shoper_header_token(&o->shop, tmp);
			shoper_header_append(dest, "X-Shoper-Shop", str_c(tmp));
			shoper_header_text(dest, "X-Shoper-Order-Status",
					   &o->status_name, SHOPER_CAP_TEXT);
			shoper_header_append(
				dest, "X-Shoper-Order-Status-Type",
				shoper_status_type_name(o->status_type));
			shoper_header_text(dest, "X-Shoper-Order-Date",
					   &o->date, SHOPER_CAP_TOKEN);
			shoper_header_text(dest, "X-Shoper-Customer",
					   &o->customer, SHOPER_CAP_TEXT);
			str_truncate(tmp, 0);
			shoper_header_clean(o->total.ptr, o->total.len,
					    SHOPER_CAP_TOKEN / 2, tmp);
			if (str_len(tmp) > 0 && o->currency.len > 0)
				str_append_c(tmp, ' ');
			shoper_header_clean(o->currency.ptr, o->currency.len,
					    SHOPER_CAP_TOKEN / 4, tmp);
			shoper_header_append(dest, "X-Shoper-Order-Total",
					     str_c(tmp));
			shoper_header_append(dest, "X-Shoper-Order-Paid",
					     o->paid ? "yes" : "no");
			shoper_header_text(dest, "X-Shoper-Order-Tracking",
					   &o->tracking, SHOPER_CAP_TRACKING);
			shoper_header_url(dest, &o->url);
			shoper_header_orders(dest, lookup, max_orders);
			shoper_header_append(
				dest, "X-Shoper-Match",
				shoper_match_key_name(lookup->key));
			shoper_header_text(dest, "X-Shoper-Synced", &o->synced,
					   SHOPER_CAP_TOKEN);
		}
	}
	T_END;
}
