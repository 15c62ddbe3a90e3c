/* Unit tests of URL validation and response header parsing
   (webapi-http.c); no network. */

#include <stdbool.h>
#include <string.h>

#include "webapi-private.h"
#include "tap.h"

static void feed(struct webapi_headers *h, const char *line)
{
	webapi_header_line(h, line, strlen(line), 1445412480);
}

static void test_url(void)
{
	struct shoper_error err = {{0}};
	struct shoper_webapi_settings set = {
		.shop_name = "t",
		.login = "api",
		.password = "secret",
	};
	struct shoper_webapi *api;
	static const char *const good[] = {
		"https://sklep1.example.pl",
		"https://127.0.0.1:8443",
		"HTTPS://Shop.Example",
		"https://shop.example/prefix",
	};
	static const char *const bad[] = {
		"http://sklep1.example.pl",
		"ftp://shop",
		"sklep1.example.pl",
		"https://",
		"https:///x",
		"https://user:pw@shop",
		"https://shop?x=1",
		"https://sh op",
		"https://shop#frag",
		"file:///etc/passwd",
		"",
		"httpsx://shop",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		TAP_OK(webapi_url_check(good[i], &err) == 0, "accepted: %s",
		       good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(webapi_url_check(bad[i], &err) < 0, "refused: '%s' (%s)",
		       bad[i], err.msg);
	TAP_OK(webapi_url_check(NULL, &err) < 0, "refused: NULL");

	err.msg[0] = '\0';
	TAP_OK(webapi_url_check("http://shop", &err) < 0 &&
		       strstr(err.msg, "https://") != NULL,
	       "http:// message says https is required: %s", err.msg);

	set.base_url = "http://127.0.0.1:1";
	api = shoper_webapi_new(&set, &err);
	TAP_OK(api == NULL && strstr(err.msg, "https") != NULL,
	       "shoper_webapi_new refuses http:// before any network");
	set.base_url = "https://127.0.0.1:1";
	set.ca_file = "/nonexistent/ca.pem";
	api = shoper_webapi_new(&set, &err);
	TAP_OK(api == NULL && strstr(err.msg, "ca_file") != NULL,
	       "unreadable ca_file refused: %s", err.msg);
}

static void test_headers(void)
{
	struct webapi_headers h;

	webapi_headers_init(&h);
	TAP_OK(h.api_limit < 0 && h.api_calls < 0 && h.retry_after < 0,
	       "no header: all absent");
	feed(&h, "x-shop-api-limit: 10\r\n");
	feed(&h, "X-SHOP-API-BANDWIDTH:2\r\n");
	feed(&h, "X-Shop-Api-Calls \t:  7 \r\n");
	TAP_OK(h.api_limit == 10, "lower-case name parsed");
	TAP_OK(h.api_bandwidth == 2, "upper-case name, no space parsed");
	TAP_OK(h.api_calls == 7, "spaces around name and value ignored");
	feed(&h, "x-Shop-Api-Bandwidth: 2.5\r\n");
	TAP_OK(h.api_bandwidth == 2.5, "fractional bandwidth");
	feed(&h, "X-Shop-Api-Limit: lots\r\n");
	TAP_OK(h.api_limit == 10, "unparsable value ignored");
	feed(&h, "X-Shop-Api-Calls: -3\r\n");
	TAP_OK(h.api_calls == 7, "negative value ignored");
	feed(&h, "X-Shop-Api-Limitless: 99\r\n");
	TAP_OK(h.api_limit == 10, "longer name does not match");
	feed(&h, "retry-after: 7\r\n");
	TAP_OK(h.retry_after == 7, "retry-after seconds");
	feed(&h, "Retry-After: Wed, 21 Oct 2015 07:28:30 GMT\r\n");
	TAP_OK(h.retry_after == 30, "Retry-After HTTP-date, 30 s ahead (%g)",
	       h.retry_after);
	feed(&h, "Retry-After: Wed, 21 Oct 2015 07:00:00 GMT\r\n");
	TAP_OK(h.retry_after == 0, "Retry-After date in the past: 0");
	feed(&h, "no colon here\r\n");
	feed(&h, ": empty name\r\n");
	TAP_OK(h.api_limit == 10, "malformed lines ignored");
	feed(&h, "HTTP/1.1 200 OK\r\n");
	TAP_OK(h.api_limit < 0 && h.retry_after < 0,
	       "a new status line resets the headers");
	feed(&h, "http/2 429\r\n");
	TAP_OK(h.api_limit < 0, "lower-case status line too");
}

int main(void)
{
	test_url();
	test_headers();
	return tap_done();
}
