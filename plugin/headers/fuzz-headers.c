/* libFuzzer target for the header builder (shoper-headers.c) with
   Dovecot's lib. The input describes a lookup result: byte 0 = flags
   (bits 0-1 match key, bit 2 paid, bits 3-5 status type, bits 6-7 extra
   orders), byte 1 = max_orders, then each order's string fields (as in
   struct shoper_order, delivery_email, shipping, tracking_url last), each as
   a length byte (255: a 2-byte little-endian length follows) and bytes.
   The built block must be header lines of ours only: printable ASCII,
   no CR or NUL, lines of at most 998 bytes, each "X-Shoper-Name: " or a
   folded continuation, each name once. Anything else aborts.
   Seeds: tests/fuzz/headers/. Built only with clang (HAVE_FUZZER). */
#include "lib.h"
#include "str.h"
#include "shoper-headers.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define N_FIELDS 15
#define MAX_ORDERS 4

struct input {
	const unsigned char *p, *end;
};

static struct shoper_str next_field(struct input *in)
{
	struct shoper_str s = {"", 0};
	size_t len;

	if (in->p >= in->end)
		return s;
	len = *in->p++;
	if (len == 255 && in->end - in->p >= 2) {
		len = in->p[0] | (size_t)in->p[1] << 8;
		in->p += 2;
	}
	if (len > (size_t)(in->end - in->p))
		len = in->end - in->p;
	s.ptr = (const char *)in->p;
	s.len = len;
	in->p += len;
	return s;
}

static void fill_order(struct input *in, struct shoper_order *o)
{
	struct shoper_str *f[N_FIELDS] = {
		&o->shop,           &o->order_id,    &o->date,
		&o->status_id,      &o->status_name, &o->total,
		&o->currency,       &o->tracking,    &o->customer,
		&o->email,          &o->url,         &o->synced,
		&o->delivery_email, &o->shipping,    &o->tracking_url,
	};
	unsigned int i;

	for (i = 0; i < N_FIELDS; i++)
		*f[i] = next_field(in);
}

static void check_block(const char *b, size_t len)
{
	static const char prefix[] = SHOPER_HEADER_PREFIX;
	const char *names[32];
	unsigned int n_names = 0, i;
	size_t pos = 0, start, nlen;

	while (pos < len) {
		start = pos;
		while (pos < len && b[pos] != '\n') {
			unsigned char c = b[pos];
			if ((c < 0x20 && c != '\t') || c >= 0x7f)
				abort();
			pos++;
		}
		if (pos == len || pos == start || pos - start > 998)
			abort(); /* unterminated, empty or too long */
		if (b[start] == ' ' || b[start] == '\t') {
			if (n_names == 0)
				abort();
		} else {
			if (strncmp(b + start, prefix, sizeof(prefix) - 1) != 0)
				abort();
			nlen = strcspn(b + start, ":\n");
			if (b[start + nlen] != ':' ||
			    b[start + nlen + 1] != ' ')
				abort();
			for (i = 0; i < n_names; i++) {
				if (strlen(names[i]) == nlen &&
				    strncmp(names[i], b + start, nlen) == 0)
					abort(); /* the same header twice */
			}
			if (n_names == N_ELEMENTS(names))
				abort();
			names[n_names++] = t_strndup(b + start, nlen);
		}
		pos++;
	}
}

/* X-Shoper-Order-Tracking-Url, when plain: ", "-separated URLs, each
   http(s), without spaces, within the cap. */
static void check_tracking_urls(const char *b)
{
	static const char name[] = "X-Shoper-Order-Tracking-Url: ";
	const char *p = strstr(b, name), *end;
	string_t *v;

	if (p == NULL || (p != b && p[-1] != '\n'))
		return;
	p += sizeof(name) - 1;
	v = t_str_new(1024);
	for (; *p != '\0'; p++) {
		if (*p == '\n' && p[1] != ' ' && p[1] != '\t')
			break;
		if (*p != '\n')
			str_append_c(v, *p);
	}
	if (str_len(v) > SHOPER_CAP_TRACKING_URLS + 64)
		abort();
	if (strncmp(str_c(v), "=?", 2) == 0)
		return; /* encoded: the words are checked by check_block */
	for (p = str_c(v); *p != '\0'; p = *end == '\0' ? end : end + 2) {
		end = strstr(p, ", ");
		if (end == NULL)
			end = p + strlen(p);
		if (strncasecmp(p, "http://", 7) != 0 &&
		    strncasecmp(p, "https://", 8) != 0)
			abort();
		if (memchr(p, ' ', end - p) != NULL ||
		    (size_t)(end - p) > SHOPER_CAP_URL)
			abort();
	}
}

static void fuzz_clean(const unsigned char *data, size_t size)
{
	string_t *s = t_str_new(256);
	const unsigned char *p;
	size_t i;

	shoper_header_clean(data, size, SHOPER_CAP_TEXT, s);
	p = str_data(s);
	for (i = 0; i < str_len(s); i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
	}
	if (str_len(s) > 0 && (p[0] == ' ' || p[str_len(s) - 1] == ' '))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static bool initialised = FALSE;
	struct shoper_order orders[MAX_ORDERS];
	struct shoper_lookup lookup;
	struct input in;
	unsigned int i, n;

	if (!initialised) {
		lib_init();
		initialised = TRUE;
	}
	if (size < 2)
		return 0;
	in.p = data + 2;
	in.end = data + size;
	n = 1 + (data[0] >> 6);
	memset(orders, 0, sizeof(orders));
	for (i = 0; i < n; i++) {
		fill_order(&in, &orders[i]);
		orders[i].paid = (data[0] & 4) != 0;
		orders[i].status_type = ((data[0] >> 3) & 7) % 5;
	}
	memset(&lookup, 0, sizeof(lookup));
	lookup.key = (data[0] & 3) % SHOPER_MATCH_KEY_COUNT;
	lookup.primary = &orders[0];
	lookup.orders = orders;
	lookup.count = n;
	T_BEGIN
	{
		string_t *dest = str_new(default_pool, 512);

		shoper_headers_build(&lookup, data[1], dest);
		check_block(str_c(dest), str_len(dest));
		check_tracking_urls(str_c(dest));
		str_free(&dest);
		fuzz_clean(data + 2, size - 2);
	}
	T_END;
	return 0;
}
