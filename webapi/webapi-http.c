/* HTTP transport of the webapi client: one libcurl easy handle per shop,
   reused so the TLS connection is kept alive between calls. https only,
   certificate verification always on. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "webapi-private.h"

#ifdef PACKAGE_VERSION
#define WEBAPI_USER_AGENT "shoper-sync/" PACKAGE_VERSION
#else
#define WEBAPI_USER_AGENT "shoper-sync"
#endif

struct webapi_http {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	struct webapi_response *resp; /* being filled */
	bool too_big;
};

int webapi_url_check(const char *url, struct shoper_error *err)
{
	const char *host, *p;

	if (url == NULL || *url == '\0') {
		shoper_error_set(err, "shop url is empty");
		return -1;
	}
	if (strncasecmp(url, "https://", 8) != 0) {
		shoper_error_set(err,
				 "shop url '%.200s' refused: only https:// "
				 "URLs are allowed (TLS is required)",
				 url);
		return -1;
	}
	host = url + 8;
	if (*host == '\0' || *host == '/' || *host == ':') {
		shoper_error_set(err, "shop url '%.200s' has no host name",
				 url);
		return -1;
	}
	for (p = host; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || c == '@' || c == '?' || c == '#' ||
		    c == '\\') {
			shoper_error_set(err,
					 "shop url '%.200s' refused: use "
					 "https://host[:port] without user, "
					 "query or spaces",
					 url);
			return -1;
		}
	}
	return 0;
}

void webapi_headers_init(struct webapi_headers *hdr)
{
	hdr->api_limit = -1;
	hdr->api_bandwidth = -1;
	hdr->api_calls = -1;
	hdr->retry_after = -1;
	hdr->content_length = -1;
	hdr->location[0] = '\0';
}

static bool parse_number(const char *s, size_t len, double *r)
{
	char buf[64], *end;
	double v;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (end == buf || *end != '\0' || !(v >= 0) || v > 1e12)
		return false;
	*r = v;
	return true;
}

static void parse_retry_after(struct webapi_headers *hdr, const char *v,
			      size_t len, time_t now)
{
	char buf[128];
	time_t when;

	if (parse_number(v, len, &hdr->retry_after))
		return;
	/* RFC 9110 also allows an HTTP-date */
	if (len == 0 || len >= sizeof(buf))
		return;
	memcpy(buf, v, len);
	buf[len] = '\0';
	when = curl_getdate(buf, NULL);
	if (when != -1)
		hdr->retry_after = when > now ? (double)(when - now) : 0;
}

void webapi_header_line(struct webapi_headers *hdr, const char *line,
			size_t len, time_t now)
{
	const char *colon, *v, *end;
	size_t nlen;

	if (len >= 5 && strncasecmp(line, "HTTP/", 5) == 0) {
		webapi_headers_init(hdr);
		return;
	}
	colon = memchr(line, ':', len);
	if (colon == NULL)
		return;
	nlen = colon - line;
	while (nlen > 0 && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
		nlen--;
	v = colon + 1;
	end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;

#define NAME_IS(s) (nlen == strlen(s) && strncasecmp(line, s, nlen) == 0)
	if (NAME_IS("X-Shop-Api-Limit"))
		(void)parse_number(v, end - v, &hdr->api_limit);
	else if (NAME_IS("X-Shop-Api-Bandwidth"))
		(void)parse_number(v, end - v, &hdr->api_bandwidth);
	else if (NAME_IS("X-Shop-Api-Calls"))
		(void)parse_number(v, end - v, &hdr->api_calls);
	else if (NAME_IS("Retry-After"))
		parse_retry_after(hdr, v, end - v, now);
	else if (NAME_IS("Content-Length"))
		(void)parse_number(v, end - v, &hdr->content_length);
	else if (NAME_IS("Location"))
		snprintf(hdr->location, sizeof(hdr->location), "%.*s",
			 (int)(end - v), v);
#undef NAME_IS
}

static size_t header_cb(char *buf, size_t size, size_t n, void *ctx)
{
	struct webapi_http *http = ctx;

	webapi_header_line(&http->resp->hdr, buf, size * n, time(NULL));
	return size * n;
}

static size_t body_cb(char *buf, size_t size, size_t n, void *ctx)
{
	struct webapi_http *http = ctx;
	struct webapi_response *resp = http->resp;
	size_t len = size * n, cap;
	char *p;

	if (resp->body_len + len > WEBAPI_MAX_BODY) {
		http->too_big = true;
		return 0;
	}
	if (resp->body_len + len + 1 > resp->body_cap) {
		cap = resp->body_cap == 0 ? 16384 : resp->body_cap;
		while (cap < resp->body_len + len + 1)
			cap *= 2;
		p = realloc(resp->body, cap);
		if (p == NULL)
			return 0;
		resp->body = p;
		resp->body_cap = cap;
	}
	memcpy(resp->body + resp->body_len, buf, len);
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';
	return len;
}

/* Options that never change between requests. */
static CURLcode http_setup(struct webapi_http *http,
			   const struct shoper_webapi_settings *set)
{
	CURL *c = http->curl;
	long timeout = set->timeout_secs > 0 ? set->timeout_secs : 60;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(c, opt, val);                    \
	} while (0)
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	SET(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (set->ca_file != NULL && *set->ca_file != '\0')
		SET(CURLOPT_CAINFO, set->ca_file);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_CONNECTTIMEOUT, timeout < 20 ? timeout : 20L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, WEBAPI_USER_AGENT);
	SET(CURLOPT_ERRORBUFFER, http->errbuf);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, http);
	SET(CURLOPT_WRITEFUNCTION, body_cb);
	SET(CURLOPT_WRITEDATA, http);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
#undef SET
	return rc;
}

struct webapi_http *webapi_http_new(const struct shoper_webapi_settings *set,
				    struct shoper_error *err)
{
	struct webapi_http *http;
	CURLcode rc;

	if (webapi_url_check(set->base_url, err) < 0)
		return NULL;
	if (set->ca_file != NULL && *set->ca_file != '\0' &&
	    access(set->ca_file, R_OK) < 0) {
		shoper_error_set(err, "ca_file %s is not readable: %m",
				 set->ca_file);
		return NULL;
	}
	http = calloc(1, sizeof(*http));
	if (http == NULL || (http->curl = curl_easy_init()) == NULL) {
		free(http);
		shoper_error_set(err, "cannot initialise libcurl");
		return NULL;
	}
	rc = http_setup(http, set);
	if (rc != CURLE_OK) {
		shoper_error_set(err, "libcurl refused an option: %s",
				 curl_easy_strerror(rc));
		webapi_http_free(&http);
		return NULL;
	}
	return http;
}

void webapi_http_free(struct webapi_http **_http)
{
	struct webapi_http *http = *_http;

	if (http == NULL)
		return;
	*_http = NULL;
	curl_easy_cleanup(http->curl);
	free(http);
}

void webapi_response_free(struct webapi_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = resp->body_cap = 0;
}

static enum webapi_transport classify_curl(CURLcode rc, bool too_big)
{
	if (too_big)
		return WEBAPI_TRANSPORT_TOO_BIG;
	switch (rc) {
	case CURLE_OK:
		return WEBAPI_TRANSPORT_OK;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return WEBAPI_TRANSPORT_TLS;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
		return WEBAPI_TRANSPORT_CONFIG;
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
		return WEBAPI_TRANSPORT_TRUNCATED;
	default:
		/* timeouts, refused/reset connections, DNS, empty replies */
		return WEBAPI_TRANSPORT_NETWORK;
	}
}

/* A receive error once the answer's head is in, with less of the body
   than its Content-Length: the body was cut short. curl 7 reports that as
   CURLE_PARTIAL_FILE; curl 8 with OpenSSL 3 as a receive error when the
   TLS connection ends without close_notify ("unexpected eof"). */
static bool body_cut_short(CURL *curl, CURLcode rc, long code)
{
	curl_off_t clen = -1, got = 0;

	if (rc != CURLE_RECV_ERROR || code == 0)
		return false;
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
			      &clen) != CURLE_OK ||
	    curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &got) != CURLE_OK)
		return false;
	return clen >= 0 && got < clen;
}

static struct curl_slist *request_headers(const char *auth, const char *body)
{
	struct curl_slist *list = NULL, *l;
	const char *lines[] = {
		"Accept: application/json",
		/* no 100-continue round trip for big bulk bodies */
		"Expect:",
		body != NULL ? "Content-Type: application/json" : NULL,
		auth,
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i] == NULL)
			continue;
		l = curl_slist_append(list, lines[i]);
		if (l == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = l;
	}
	return list;
}

static CURLcode set_method(CURL *c, const char *method, const char *body)
{
	CURLcode rc;

	if (strcmp(method, "GET") == 0 && body == NULL) {
		rc = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		return rc;
	}
	rc = curl_easy_setopt(c, CURLOPT_POST, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
				      (long)(body == NULL ? 0 : strlen(body)));
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS,
				      body == NULL ? "" : body);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
				      strcmp(method, "POST") == 0 ? NULL
								  : method);
	return rc;
}

enum webapi_transport webapi_http_request(struct webapi_http *http,
					  const char *method, const char *url,
					  const char *auth, const char *body,
					  struct webapi_response *resp)
{
	struct curl_slist *headers;
	enum webapi_transport t;
	CURLcode rc;

	webapi_response_free(resp);
	memset(resp, 0, sizeof(*resp));
	webapi_headers_init(&resp->hdr);
	http->resp = resp;
	http->too_big = false;
	http->errbuf[0] = '\0';

	/* base_url passed webapi_url_check; never leave https anyway */
	if (strncasecmp(url, "https://", 8) != 0) {
		snprintf(resp->error, sizeof(resp->error),
			 "only https:// URLs are allowed");
		return WEBAPI_TRANSPORT_CONFIG;
	}
	headers = request_headers(auth, body);
	rc = headers == NULL ? CURLE_OUT_OF_MEMORY
			     : curl_easy_setopt(http->curl, CURLOPT_URL, url);
	if (rc == CURLE_OK)
		rc = set_method(http->curl, method, body);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, headers);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(http->curl);
	/* the list holds the Authorization line: don't keep it around */
	curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	for (struct curl_slist *l = headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(headers);
	http->resp = NULL;

	curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &resp->code);
	t = classify_curl(rc, http->too_big);
	if (t == WEBAPI_TRANSPORT_NETWORK &&
	    body_cut_short(http->curl, rc, resp->code))
		t = WEBAPI_TRANSPORT_TRUNCATED;
	if (t == WEBAPI_TRANSPORT_TOO_BIG)
		snprintf(resp->error, sizeof(resp->error),
			 "answer larger than %u bytes", WEBAPI_MAX_BODY);
	else if (t != WEBAPI_TRANSPORT_OK)
		snprintf(resp->error, sizeof(resp->error), "%s",
			 http->errbuf[0] != '\0' ? http->errbuf
						 : curl_easy_strerror(rc));
	return t;
}

/* The https://host[:port] that location names, printable ASCII only;
   "" when it names none (relative, another scheme, odd bytes). */
static void redirect_origin(const char *location, char *out, size_t size)
{
	out[0] = '\0';
	if (strncasecmp(location, "https://", 8) != 0)
		return;
	size_t n = 8 + strcspn(location + 8, "/?#");
	if (n == 8 || n >= size)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)location[i];
		if (c <= ' ' || c >= 0x7f || c == '@' || c == '\\')
			return;
	}
	memcpy(out, location, n);
	out[n] = '\0';
}

void webapi_redirect_error(const char *shop, long code, const char *location,
			   struct shoper_error *err)
{
	char origin[200];

	redirect_origin(location, origin, sizeof(origin));
	if (origin[0] != '\0')
		shoper_error_set(
			err,
			"shop %s: the shop's address redirects (HTTP %ld) to %s; set url = %s in [shop %s] (redirects are never followed: the credentials would go along)",
			shop, code, origin, origin, shop);
	else
		shoper_error_set(
			err,
			"shop %s: the shop's address answers HTTP %ld (a redirect) without naming an https:// address; set url to the shop's own address as its admin panel shows it (redirects are never followed)",
			shop, code);
}
