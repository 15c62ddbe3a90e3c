#ifndef WEBAPI_PRIVATE_H
#define WEBAPI_PRIVATE_H

/* Internals of the webapi client, shared by the webapi-*.c files and
   their unit tests. Nothing here is part of the contract in
   shoper-webapi.h. */

#ifdef HAVE_CONFIG_H
#include "config-shoper.h"
#endif

#include <stdint.h>
#include <curl/curl.h>

#include "shoper-webapi.h"

/* Retry-After is honoured up to this many seconds. */
#define WEBAPI_RETRY_AFTER_CAP_SECS 60.0
/* Consecutive 429 answers tolerated for one request before giving up. */
#define WEBAPI_MAX_THROTTLED 30
/* First backoff step; doubles per retry up to max_backoff_ms. */
#define WEBAPI_BACKOFF_BASE_MS 500
/* Bodies larger than this are refused (a bulk of 25x50 orders is ~3 MB). */
#define WEBAPI_MAX_BODY (64u * 1024 * 1024)
/* A cached token is renewed when less than this is left (or a quarter of
   its lifetime, whichever is shorter). */
#define WEBAPI_TOKEN_RENEW_SECS 86400

/* ---- webapi-http.c ---- */

/* What the response headers told us; negative = header absent. */
struct webapi_headers {
	double api_limit; /* X-Shop-Api-Limit */
	double api_bandwidth; /* X-Shop-Api-Bandwidth */
	double api_calls; /* X-Shop-Api-Calls */
	double retry_after; /* Retry-After, seconds from now */
	double content_length;
	char location[256]; /* Location of a redirect, cut to fit */
};

enum webapi_transport {
	WEBAPI_TRANSPORT_OK = 0, /* a complete HTTP answer arrived */
	WEBAPI_TRANSPORT_NETWORK, /* connect/timeout/reset: retryable */
	WEBAPI_TRANSPORT_TRUNCATED, /* body shorter than announced */
	WEBAPI_TRANSPORT_TLS, /* certificate/handshake refused */
	WEBAPI_TRANSPORT_CONFIG, /* bad URL, CA file, protocol */
	WEBAPI_TRANSPORT_TOO_BIG, /* body over WEBAPI_MAX_BODY */
};

struct webapi_response {
	long code;
	char *body; /* NUL-terminated, body_len bytes */
	size_t body_len, body_cap;
	struct webapi_headers hdr;
	char error[CURL_ERROR_SIZE]; /* transport error text */
};

struct webapi_http;

/* 0 if url is "https://host[:port]" with nothing after the authority but
   an optional path; -1 with a message otherwise. No network. */
int webapi_url_check(const char *url, struct shoper_error *err);
void webapi_headers_init(struct webapi_headers *hdr);
/* Feed one raw header line ("Name: value\r\n"); names are matched
   case-insensitively. A status line ("HTTP/...") resets hdr. */
void webapi_header_line(struct webapi_headers *hdr, const char *line,
			size_t len, time_t now);

struct webapi_http *webapi_http_new(const struct shoper_webapi_settings *set,
				    struct shoper_error *err);
void webapi_http_free(struct webapi_http **http);
/* One HTTP exchange, no retries. auth is a full "Authorization: ..." line
   or NULL. resp is reset first and owns the body afterwards. */
enum webapi_transport webapi_http_request(struct webapi_http *http,
					  const char *method, const char *url,
					  const char *auth, const char *body,
					  struct webapi_response *resp);
void webapi_response_free(struct webapi_response *resp);
/* A 3xx answer: never followed (the credentials would go along, maybe to
   another host); err names the url to configure instead, the Location's
   https://host[:port]. */
void webapi_redirect_error(const char *shop, long code, const char *location,
			   struct shoper_error *err);

/* ---- webapi-bucket.c (pure: the caller passes the clock) ---- */

struct webapi_bucket {
	bool known; /* the shop told us limit and bandwidth */
	double limit; /* capacity in calls */
	double bandwidth; /* calls leaking out per second */
	double level; /* estimated level at time t */
	double t;
};

void webapi_bucket_init(struct webapi_bucket *b);
/* Level estimated at now (never below 0). */
double webapi_bucket_level(const struct webapi_bucket *b, double now);
/* Seconds to wait before a call costing cost units fits (0 = go now). */
double webapi_bucket_wait(const struct webapi_bucket *b, double now,
			  double cost);
/* A call costing cost units is being sent at now. */
void webapi_bucket_sent(struct webapi_bucket *b, double now, double cost);
/* An answer arrived at now with these headers. */
void webapi_bucket_answer(struct webapi_bucket *b,
			  const struct webapi_headers *hdr, double now);
/* Seconds to wait after a 429: Retry-After capped, or the time the bucket
   needs to drain one call when the header is missing. */
double webapi_bucket_retry_after(const struct webapi_bucket *b,
				 const struct webapi_headers *hdr);

/* ---- webapi-retry.c ---- */

enum webapi_retry_kind {
	WEBAPI_RETRY_NONE = 0, /* final answer */
	WEBAPI_RETRY_BACKOFF, /* 5xx, 408, timeouts, garbage */
	WEBAPI_RETRY_THROTTLED, /* 429 */
	WEBAPI_RETRY_REAUTH, /* 401 */
};

/* What to do after an HTTP answer with this status code. */
enum webapi_retry_kind webapi_retry_classify(long http_code);
/* Delay before retry number attempt (0-based): base * 2^attempt capped at
   cap_ms, then jittered into [delay/2, delay] with rnd. */
unsigned int webapi_backoff_ms(unsigned int attempt, unsigned int base_ms,
			       unsigned int cap_ms, uint32_t rnd);
uint32_t webapi_rand(uint64_t *state);

/* The clock and sleep of a client, replaceable for tests. */
struct webapi_clock {
	double (*now)(void *ctx); /* monotonic seconds */
	void (*sleep)(void *ctx, double secs);
	void *ctx;
};
extern const struct webapi_clock webapi_real_clock;
/* Sleeps secs in short slices, stopping early when *stop_flag is set.
   Returns false if stopped. */
bool webapi_sleep(const struct webapi_clock *clock, volatile int *stop_flag,
		  double secs);

/* ---- webapi-auth.c ---- */

struct webapi_token {
	char *token;
	time_t issued, expires; /* wall clock */
};

void webapi_token_clear(struct webapi_token *tok);
/* Usable at now: present and not due for renewal. */
bool webapi_token_fresh(const struct webapi_token *tok, time_t now);
/* Load a token cached for this url and login. Returns false (and leaves
   tok empty) when the file is missing, unreadable, not 0600 or for
   another shop/login. */
bool webapi_token_load(const char *path, const char *url, const char *login,
		       struct webapi_token *tok);
int webapi_token_save(const char *path, const char *url, const char *login,
		      const struct webapi_token *tok, struct shoper_error *err);
/* "Authorization: Basic ..." for login:password (caller frees with
   webapi_secret_free). */
char *webapi_basic_auth_header(const char *login, const char *password);
/* Wipe and free a string holding a secret. */
void webapi_secret_free(char **secret);
/* A token as the shop may send one: printable ASCII, no space. */
bool webapi_token_chars_ok(const char *s);

/* ---- webapi-client.c (the request loop, used by the session) ---- */

struct shoper_webapi {
	struct shoper_webapi_settings set; /* strings owned */
	struct webapi_http *http;
	struct webapi_bucket bucket;
	struct webapi_token token;
	struct webapi_clock clock;
	struct webapi_response resp;
	struct shoper_webapi_stats stats;
	uint64_t rng;
	bool bulk_cost_each; /* the shop charges a bulk per sub-request */
	char *url_prefix; /* base_url + "/webapi/rest/" */
};

typedef bool webapi_validate_fn(json_object *json, void *ctx);

struct webapi_request {
	const char *method, *path, *query, *body;
	bool login; /* the auth call itself: Basic, no 401 handling */
	/* sub-requests of a bulk: the bucket units it costs if the shop
	   charges per item (learned from X-Shop-Api-Calls); 0 = 1 */
	unsigned int items;
	webapi_validate_fn *validate; /* NULL or shape check of a 2xx body */
	void *validate_ctx;
};

enum shoper_webapi_status webapi_request_run(struct shoper_webapi *api,
					     const struct webapi_request *req,
					     json_object **json_r,
					     long *http_code_r,
					     struct shoper_error *err);
/* ---- webapi-session.c (used by bulk) ---- */

/* Log in (POST auth with HTTP Basic), keep the token in memory and in
   token_file. */
enum shoper_webapi_status webapi_login(struct shoper_webapi *api,
				       struct shoper_error *err);
/* shoper_webapi_call with a shape check of the 2xx body. */
enum shoper_webapi_status webapi_call_validated(
	struct shoper_webapi *api, const struct webapi_request *req,
	json_object **json_r, long *http_code_r, struct shoper_error *err);
/* Test hook: replace the clock of a client. */
void webapi_set_clock(struct shoper_webapi *api,
		      const struct webapi_clock *clock);

/* For messages: the error/error_description of an error body, cleaned of
   control characters. */

#endif
