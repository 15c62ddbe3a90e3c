/* Unit test of the header builder (no Dovecot process): hostile values,
   CR/LF/NUL, 5000 characters, invalid UTF-8, RFC 2047 round trip, folding;
   the delivery filter's verdict on hostile header lines; per-user compiled
   subject patterns. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "message-header-decode.h"
#include "message-header-parser.h"
#include "shoper-headers.h"

#include <stdio.h>

static unsigned int test_n, test_failed;

static void test_ok(bool cond, const char *what)
{
	test_n++;
	if (!cond)
		test_failed++;
	printf("%sok %u - %s\n", cond ? "" : "not ", test_n, what);
}

static struct shoper_str S(const char *s) {
	struct shoper_str r = {s, strlen(s)};
	return r;
}

/* value of header name in block, unfolded and RFC 2047 decoded */
static const char *
header_value(const char *block, const char *name)
{
	const char *const *lines = t_strsplit(block, "\n");
	string_t *raw = t_str_new(256), *dec = t_str_new(256);
	size_t nlen = strlen(name);
	bool on = FALSE;

	for (; *lines != NULL; lines++) {
		if (on && (**lines == ' ' || **lines == '\t')) {
			str_append(raw, *lines);
			continue;
		}
		if (on)
			break;
		if (strncmp(*lines, name, nlen) == 0 && (*lines)[nlen] == ':') {
			str_append(raw, *lines + nlen + 2);
			on = TRUE;
		}
	}
	if (!on)
		return NULL;
	message_header_decode_utf8(raw->data, raw->used, dec, NULL);
	return str_c(dec);
}

static bool lines_ok(const char *block, size_t max)
{
	const char *const *lines = t_strsplit(block, "\n");

	for (; *lines != NULL; lines++) {
		if (strlen(*lines) > max || strchr(*lines, '\r') != NULL)
			return FALSE;
		for (const char *p = *lines; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 && *p != '\t')
				return FALSE;
		}
	}
	return TRUE;
}

static void test_clean(void)
{
	string_t *s = t_str_new(64);
	static const char nul[] = "a\0b\r\nc\x7f"
				  "d";

	shoper_header_clean(nul, sizeof(nul) - 1, 100, s);
	test_ok(strcmp(str_c(s), "a b c d") == 0,
		"clean: NUL, CR, LF, DEL become one space");
	str_truncate(s, 0);
	shoper_header_clean("  \t x  y \r\n", 11, 100, s);
	test_ok(strcmp(str_c(s), "x y") == 0,
		"clean: white space collapsed and trimmed");
	str_truncate(s, 0);
	shoper_header_clean("a\xff\xfe"
			    "b\xc3",
			    5, 100, s);
	test_ok(strcmp(str_c(s), "a\xEF\xBF\xBD"
				 "b\xEF\xBF\xBD") == 0,
		"clean: invalid UTF-8 runs become one U+FFFD each");
	str_truncate(s, 0);
	shoper_header_clean("\xc0\xaf\xed\xa0\x80", 5, 100, s);
	test_ok(strcmp(str_c(s), "\xEF\xBF\xBD") == 0,
		"clean: overlong and surrogate rejected");
	str_truncate(s, 0);
	shoper_header_clean("\xc2\x85x\xe2\x80\xa8y", 7, 100, s);
	test_ok(strcmp(str_c(s), "x y") == 0,
		"clean: C1 and U+2028 are controls");
	str_truncate(s, 0);
	shoper_header_clean("\xc5\x82\xc5\x82\xc5\x82", 6, 2, s);
	test_ok(strcmp(str_c(s), "\xc5\x82\xc5\x82") == 0,
		"clean: cut by characters, never inside one");
}

static void test_build(void)
{
	struct shoper_order o[2];
	struct shoper_lookup lk;
	string_t *block = t_str_new(4096), *big = t_str_new(6000);
	const char *v;

	for (int i = 0; i < 5000; i++)
		str_append_c(big, i % 50 == 49 ? ' ' : 'x');
	memset(o, 0, sizeof(o));
	o[0].shop = S("sklep1");
	o[0].order_id = S("123\r\nX-Evil: 1");
	o[0].status_name = S("Wys\xc5\x82"
			     "ane\r\nX-Injected: yes");
	o[0].status_type = SHOPER_STATUS_TYPE_CLOSED;
	o[0].date = S("2026-11-20 14:03:22");
	o[0].total = S("164.98");
	o[0].currency = S("PLN");
	o[0].paid = TRUE;
	o[0].customer.ptr = str_c(big);
	o[0].customer.len = str_len(big);
	o[0].tracking = S("A\xff\xfe"
			  "B");
	o[0].url = S("https://s.example/a b");
	o[0].synced = S("2026-11-29 10:15:00");
	o[1].shop = S("sklep2");
	o[1].order_id = S("777");
	lk.key = SHOPER_MATCH_SUBJECT;
	lk.primary = &o[0];
	lk.orders = o;
	lk.count = 2;
	shoper_headers_build(&lk, 5, block);

	test_ok(lines_ok(str_c(block), 998),
		"build: no CR, no control characters, lines <= 998");
	test_ok(strstr(str_c(block), "\nX-Evil") == NULL &&
			strstr(str_c(block), "\nX-Injected") == NULL,
		"build: no injected header line");
	v = header_value(str_c(block), "X-Shoper-Order-Id");
	test_ok(v != NULL && strcmp(v, "123X-Evil1") == 0,
		"build: order id reduced to a token");
	v = header_value(str_c(block), "X-Shoper-Order-Status");
	test_ok(v != NULL && strcmp(v, "Wys\xc5\x82"
				       "ane X-Injected: yes") == 0,
		"build: RFC 2047 status decodes back to the cleaned UTF-8 text");
	test_ok(strstr(str_c(block), "X-Shoper-Order-Status: =?utf-8?") != NULL,
		"build: non-ASCII status is an encoded-word");
	v = header_value(str_c(block), "X-Shoper-Customer");
	test_ok(v != NULL && strlen(v) <= SHOPER_CAP_TEXT,
		"build: 5000-char customer cut");
	test_ok(lines_ok(str_c(block), SHOPER_HEADER_LINE_MAX),
		"build: long text folded at 78 columns");
	v = header_value(str_c(block), "X-Shoper-Order-Tracking");
	test_ok(v != NULL && strcmp(v, "A\xEF\xBF\xBD"
				       "B") == 0,
		"build: invalid UTF-8 in tracking round-trips as U+FFFD");
	test_ok(header_value(str_c(block), "X-Shoper-Order-Url") == NULL,
		"build: URL with a space left out");
	v = header_value(str_c(block), "X-Shoper-Orders");
	test_ok(v != NULL && strcmp(v, "sklep1:123X-Evil1, sklep2:777") == 0,
		"build: X-Shoper-Orders list");
	v = header_value(str_c(block), "X-Shoper-Order-Total");
	test_ok(v != NULL && strcmp(v, "164.98 PLN") == 0,
		"build: total with currency");
	v = header_value(str_c(block), "X-Shoper-Order-Status-Type");
	test_ok(v != NULL && strcmp(v, "closed") == 0,
		"build: status type name");
	v = header_value(str_c(block), "X-Shoper-Match");
	test_ok(v != NULL && strcmp(v, "subject") == 0, "build: match key");
	test_ok(str_len(block) > 0 && str_c(block)[str_len(block) - 1] == '\n',
		"build: block ends with a newline");

	str_truncate(block, 0);
	lk.primary = NULL;
	shoper_headers_build(&lk, 5, block);
	test_ok(str_len(block) == 0, "build: no order, no header");
	str_truncate(block, 0);
	lk.primary = &o[1];
	lk.count = 1;
	shoper_headers_build(&lk, 1, block);
	test_ok(header_value(str_c(block), "X-Shoper-Order-Tracking") == NULL,
		"build: no tracking header when unknown");
	test_ok(strcmp(header_value(str_c(block), "X-Shoper-Order-Paid"),
		       "no") == 0,
		"build: unpaid is no");
}

/* block for one order with these tracking numbers, template, shipping */
static const char *build_tracking(const char *tracking, const char *tpl,
				  const char *shipping)
{
	struct shoper_order o;
	struct shoper_lookup lk;
	string_t *block = t_str_new(4096);

	memset(&o, 0, sizeof(o));
	o.shop = S("sklep1");
	o.order_id = S("42");
	o.tracking = S(tracking);
	o.tracking_url = S(tpl);
	o.shipping = S(shipping);
	memset(&lk, 0, sizeof(lk));
	lk.key = SHOPER_MATCH_FROM;
	lk.primary = &o;
	lk.orders = &o;
	lk.count = 1;
	shoper_headers_build(&lk, 5, block);
	return str_c(block);
}

static void test_tracking_url(void)
{
	const char *b, *v;
	string_t *big = t_str_new(1024);

	b = build_tracking("00812, 00813",
			   "https://inpost.pl/s?number={tracking_number}",
			   "Paczkomat InPost");
	v = header_value(b, "X-Shoper-Order-Tracking-Url");
	test_ok(v != NULL && strcmp(v, "https://inpost.pl/s?number=00812, "
				       "https://inpost.pl/s?number=00813") == 0,
		"tracking url: one per number, comma-separated");
	v = header_value(b, "X-Shoper-Order-Shipping");
	test_ok(v != NULL && strcmp(v, "Paczkomat InPost") == 0,
		"shipping: the method's name");
	b = build_tracking("a b&c=d/{tracking_number}\r\n\xc5\x82",
			   "https://t.example/{tracking_number}/x/"
			   "{tracking_number}",
			   "");
	v = header_value(b, "X-Shoper-Order-Tracking-Url");
	test_ok(v != NULL &&
			strcmp(v,
			       "https://t.example/a%20b%26c%3Dd%2F%7Btracking_"
			       "number%7D%0D%0A%C5%82/x/a%20b%26c%3Dd%2F%7B"
			       "tracking_number%7D%0D%0A%C5%82") == 0,
		"tracking url: the number percent-encoded, every placeholder");
	test_ok(header_value(b, "X-Shoper-Order-Shipping") == NULL,
		"shipping: left out when unknown");
	b = build_tracking("1, 2", "javascript:alert({tracking_number})", "x");
	test_ok(header_value(b, "X-Shoper-Order-Tracking-Url") == NULL,
		"tracking url: not http(s): left out");
	b = build_tracking("1",
			   "https://t.example/?n={tracking_number}\r\n"
			   "X-Evil: 1",
			   "x");
	test_ok(header_value(b, "X-Shoper-Order-Tracking-Url") == NULL &&
			strstr(b, "\nX-Evil") == NULL,
		"tracking url: CR LF in the template: left out");
	b = build_tracking("1", "https://t.example/?n=", "x");
	test_ok(header_value(b, "X-Shoper-Order-Tracking-Url") == NULL,
		"tracking url: no placeholder: left out");
	b = build_tracking("", "https://t.example/?n={tracking_number}", "x");
	test_ok(header_value(b, "X-Shoper-Order-Tracking-Url") == NULL,
		"tracking url: no tracking number: left out");
	str_append(big, "https://t.example/");
	for (int i = 0; i < 370; i++)
		str_append_c(big, 'p');
	str_append(big, "{tracking_number}");
	b = build_tracking("123, 1234567890123456789012345", str_c(big), "x");
	v = header_value(b, "X-Shoper-Order-Tracking-Url");
	test_ok(v != NULL && strlen(v) <= SHOPER_CAP_URL &&
			strstr(v, "123456789") == NULL,
		"tracking url: a URL over the cap is left out, not cut");
	b = build_tracking(" , 7 ,  , 8",
			   "http://t.example/?n={tracking_number}", "x");
	v = header_value(b, "X-Shoper-Order-Tracking-Url");
	test_ok(v != NULL && strcmp(v, "http://t.example/?n=7, "
				       "http://t.example/?n=8") == 0,
		"tracking url: empty numbers skipped, space trimmed");
	b = build_tracking("1", "https://t.example/?n={tracking_number}",
			   "Kurier\r\nX-Evil: 1 \xc5\xbb\x01");
	v = header_value(b, "X-Shoper-Order-Shipping");
	test_ok(v != NULL && strcmp(v, "Kurier X-Evil: 1 \xc5\xbb") == 0 &&
			strstr(b, "\nX-Evil") == NULL && lines_ok(b, 998),
		"shipping: hostile name cleaned like other text");
	str_truncate(big, 0);
	for (int i = 0; i < 500; i++)
		str_append(big, "\xc5\xbb");
	b = build_tracking("", "", str_c(big));
	v = header_value(b, "X-Shoper-Order-Shipping");
	test_ok(v != NULL && strlen(v) == 2 * SHOPER_CAP_TEXT,
		"shipping: cut at 120 characters");
}

static void test_many_tracking_urls(void)
{
	string_t *list = t_str_new(4096);
	const char *b, *v;
	unsigned int n = 1;

	for (int i = 0; i < 60; i++)
		str_printfa(list, "%s%014d", i == 0 ? "" : ", ", i);
	b = build_tracking(str_c(list),
			   "https://t.example/?n={tracking_number}", "");
	v = header_value(b, "X-Shoper-Order-Tracking-Url");
	for (const char *p = v; p != NULL && (p = strstr(p, ", ")) != NULL; p++)
		n++;
	test_ok(v != NULL && strlen(v) <= SHOPER_CAP_TRACKING_URLS && n > 1 &&
			n < 60 && lines_ok(b, 998),
		"tracking url: the list is capped at whole URLs");
}

static void test_prefix(void)
{
	test_ok(shoper_header_is_ours("x-SHOPER-order-id"), "prefix: any case");
	test_ok(!shoper_header_is_ours("X-Shop-Order"),
		"prefix: other headers kept");
}

/* the filter's action for each line of header (first line first); as in
   the delivery filter, a dropped line's continuation lines go with it */
static const char *line_actions(const char *header)
{
	static const char codes[] = {
		[SHOPER_LINE_KEEP] = 'k',
		[SHOPER_LINE_DROP] = 'd',
		[SHOPER_LINE_REWRITE] = 'r',
	};
	struct istream *input =
		i_stream_create_from_data(header, strlen(header));
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	string_t *out = t_str_new(16);
	enum shoper_line_action action;
	bool dropping = FALSE;

	parser = message_parse_header_init(input, NULL, 0);
	while (message_parse_header_next(parser, &hdr) > 0 && !hdr->eoh) {
		if (!hdr->continued)
			dropping = FALSE;
		action = dropping ? SHOPER_LINE_DROP
				  : shoper_header_line_action(hdr);
		dropping = action == SHOPER_LINE_DROP;
		str_append_c(out, codes[action]);
	}
	message_parse_header_deinit(&parser);
	i_stream_unref(&input);
	return str_c(out);
}

static void test_line_action(void)
{
	string_t *longname = t_str_new(1300);

	test_ok(strcmp(line_actions("Subject: ok\nX-Shoper-Order-Id: 1\n"
				    " folded\nTo: a\n\n"),
		       "kddk") == 0,
		"line: ours dropped with its continuation, others kept");
	test_ok(strcmp(line_actions("Subject: hi\rX-Shoper-Order-Paid: yes\n"
				    "\n"),
		       "r") == 0,
		"line: a lone CR in a value is rewritten");
	test_ok(strcmp(line_actions("Subject: a\n b\rX-Shoper-Order-Id: 1\n"
				    "\n"),
		       "kr") == 0,
		"line: a lone CR in a continuation line is rewritten");
	test_ok(strcmp(line_actions("To: a\n\r\r\nFrom: b\n\n"), "kdk") == 0,
		"line: a CR-only line (an empty line once saved) dropped");
	test_ok(strcmp(line_actions("X-Foo\rX-Shoper-Order-Id: 1\n\n"), "d") ==
			0,
		"line: a CR in the name drops the line");
	str_append(longname, "x-shoper-");
	for (int i = 0; i < 1200; i++)
		str_append_c(longname, 'A');
	str_append(longname, ": yes\n folded\nTo: a\n\n");
	test_ok(strcmp(line_actions(str_c(longname)), "ddk") == 0,
		"line: an X-Shoper-* name over 1000 bytes is dropped");
	test_ok(strcmp(line_actions("no colon\nX-Shoper-Order-Id 1\n\n"),
		       "kd") == 0,
		"line: an X-Shoper- line without a colon is dropped");
}

/* a user's settings with its own subject pattern (the shared parser, as
   shoper_settings_read() calls it on either Dovecot series) */
static int user_settings(pool_t pool, const char *pattern,
			 struct shoper_settings **set_r)
{
	const struct shoper_settings_raw raw = {
		.shops = "*",
		.match = "subject",
		.subject_pattern = pattern,
	};
	const char *error;

	return shoper_settings_parse(pool, &raw, set_r, &error);
}

/* the first order number set finds in subject, or "" */
static const char *first_number(const struct shoper_settings *set,
				const char *subject)
{
	struct shoper_subject_iter it = {subject, 0};
	const char *base, *num;
	size_t len;

	if (!shoper_subject_next(set, &it, &base, &num, &len))
		return "";
	return t_strndup(num, len);
}

static void test_subject_patterns(void)
{
	pool_t pool = pool_alloconly_create("test users", 4096);
	struct shoper_settings *a, *b, *c;
	const char *subj = "about ref-y777 and ref-x12345";

	test_ok(user_settings(pool, "ref-x([0-9]+)", &a) == 1 &&
			user_settings(pool, "ref-y([0-9]+)", &b) == 1,
		"patterns: two users with their own subject pattern");
	test_ok(strcmp(first_number(a, subj), "12345") == 0,
		"patterns: the first user's pattern survives the second's");
	test_ok(strcmp(first_number(b, subj), "777") == 0,
		"patterns: the second user matches by its own");
	shoper_settings_free(&b);
	test_ok(user_settings(pool, "ref-x([0-9]+)", &c) == 1 &&
			c->subject_re == a->subject_re,
		"patterns: equal patterns share one compiled regex");
	shoper_settings_free(&c);
	test_ok(strcmp(first_number(a, subj), "12345") == 0,
		"patterns: freeing another user keeps this one's pattern");
	shoper_settings_free(&a);
	shoper_settings_deinit();
	pool_unref(&pool);
}

int main(void)
{
	lib_init();
	T_BEGIN
	{
		test_clean();
		test_build();
		test_tracking_url();
		test_many_tracking_urls();
		test_prefix();
		test_line_action();
		test_subject_patterns();
	}
	T_END;
	printf("1..%u\n", test_n);
	lib_deinit();
	return test_failed == 0 ? 0 : 1;
}
