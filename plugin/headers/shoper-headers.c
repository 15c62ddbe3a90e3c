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

/* A URL is used as it is or not at all: cutting or cleaning one would
   make it point somewhere else. http(s), printable ASCII, no space. */
static bool shoper_url_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > SHOPER_CAP_URL)
		return FALSE;
	if (!(len > 8 && strncasecmp(p, "https://", 8) == 0) &&
	    !(len > 7 && strncasecmp(p, "http://", 7) == 0))
		return FALSE;
	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return FALSE;
	}
	return TRUE;
}

static void shoper_header_url(string_t *dest, const struct shoper_str *s)
{
	if (shoper_url_ok(s->ptr, s->len))
		shoper_header_append(dest, "X-Shoper-Order-Url",
				     t_strndup(s->ptr, s->len));
}

/* First needle[0..nlen) in p[0..len), or NULL. */
static const char *shoper_find(const char *p, size_t len, const char *needle,
			       size_t nlen)
{
	size_t i;

	for (i = 0; nlen <= len && i <= len - nlen; i++) {
		if (memcmp(p + i, needle, nlen) == 0)
			return p + i;
	}
	return NULL;
}

/* The template with every placeholder replaced by the number,
   percent-encoded (all but RFC 3986 unreserved bytes). */
static void shoper_tracking_fill(const struct shoper_str *tpl, const char *num,
				 size_t num_len, string_t *dest)
{
	static const char ph[] = SHOPER_TRACKING_PLACEHOLDER;
	const size_t ph_len = sizeof(ph) - 1;
	size_t i = 0, j;

	while (i < tpl->len) {
		if (tpl->len - i < ph_len ||
		    memcmp(tpl->ptr + i, ph, ph_len) != 0) {
			str_append_c(dest, tpl->ptr[i++]);
			continue;
		}
		for (j = 0; j < num_len; j++) {
			unsigned char c = num[j];

			if (i_isalnum(c) || c == '-' || c == '.' || c == '_' ||
			    c == '~')
				str_append_c(dest, c);
			else
				str_printfa(dest, "%%%02X", c);
		}
		i += ph_len;
	}
}

/* The next tracking number of list [*pos, end) (", "-separated, white
   space trimmed) into [*num_r, *num_end_r); FALSE at the end. */
static bool shoper_tracking_next(const char **pos, const char *end,
				 const char **num_r, const char **num_end_r)
{
	const char *sep, *a, *b;

	while (*pos < end) {
		sep = shoper_find(*pos, end - *pos, ", ", 2);
		a = *pos;
		b = sep == NULL ? end : sep;
		*pos = sep == NULL ? end : sep + 2;
		while (a < b && i_isspace(*a))
			a++;
		while (b > a && i_isspace(b[-1]))
			b--;
		if (a < b) {
			*num_r = a;
			*num_end_r = b;
			return TRUE;
		}
	}
	return FALSE;
}

/* One URL per tracking number, each checked like every URL; whole URLs
   only, within the cap. */
static void shoper_header_tracking_url(string_t *dest,
				       const struct shoper_order *o)
{
	string_t *list, *url;
	const char *pos, *end, *num, *num_end;

	/* without a placeholder no one knows where the number goes */
	if (o->tracking.len == 0 ||
	    shoper_find(o->tracking_url.ptr, o->tracking_url.len,
			SHOPER_TRACKING_PLACEHOLDER,
			sizeof(SHOPER_TRACKING_PLACEHOLDER) - 1) == NULL)
		return;
	list = t_str_new(256);
	url = t_str_new(128);
	pos = o->tracking.ptr;
	end = pos + o->tracking.len;
	while (shoper_tracking_next(&pos, end, &num, &num_end)) {
		str_truncate(url, 0);
		shoper_tracking_fill(&o->tracking_url, num, num_end - num, url);
		if (!shoper_url_ok(str_c(url), str_len(url)) ||
		    str_len(list) + 2 + str_len(url) > SHOPER_CAP_TRACKING_URLS)
			continue;
		if (str_len(list) > 0)
			str_append(list, ", ");
		str_append_str(list, url);
	}
	shoper_header_append(dest, "X-Shoper-Order-Tracking-Url", str_c(list));
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
			shoper_header_tracking_url(dest, o);
			shoper_header_text(dest, "X-Shoper-Order-Shipping",
					   &o->shipping, SHOPER_CAP_TEXT);
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
