/* One shop's webapi client: URL building and the request loop that waits
   for the bucket and retries (429, 5xx, timeouts, garbled answers). */

#define _GNU_SOURCE /* asprintf */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "webapi-private.h"

#define DEFAULT_TIMEOUT_SECS 60
#define DEFAULT_MAX_RETRIES 5
#define DEFAULT_MAX_BACKOFF_MS 30000

static char *xstrdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

struct shoper_webapi *shoper_webapi_new(
	const struct shoper_webapi_settings *set, struct shoper_error *err)
{
	struct shoper_webapi *api;
	size_t len;

	if (webapi_url_check(set->base_url, err) < 0)
		return NULL;
	if (set->login == NULL || *set->login == '\0' ||
	    set->password == NULL) {
		shoper_error_set(err, "shop %s: login and password are needed",
				 set->shop_name != NULL ? set->shop_name : "");
		return NULL;
	}
	api = calloc(1, sizeof(*api));
	if (api == NULL) {
		shoper_error_set(err, "out of memory");
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	api->set = *set;
	api->set.shop_name = xstrdup(set->shop_name != NULL ? set->shop_name
							    : set->base_url);
	len = strlen(set->base_url);
	while (len > 8 && set->base_url[len - 1] == '/')
		len--;
	api->set.base_url = strndup(set->base_url, len);
	api->set.login = xstrdup(set->login);
	api->set.password = xstrdup(set->password);
	api->set.ca_file = xstrdup(set->ca_file);
	api->set.token_file = xstrdup(set->token_file);
	if (api->set.timeout_secs == 0)
		api->set.timeout_secs = DEFAULT_TIMEOUT_SECS;
	if (api->set.max_retries == 0)
		api->set.max_retries = DEFAULT_MAX_RETRIES;
	if (api->set.max_backoff_ms == 0)
		api->set.max_backoff_ms = DEFAULT_MAX_BACKOFF_MS;
	api->clock = webapi_real_clock;
	api->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
		   (uint64_t)(uintptr_t)api;
	webapi_bucket_init(&api->bucket);
	if (api->set.base_url != NULL &&
	    asprintf(&api->url_prefix, "%s/webapi/rest/", api->set.base_url) <
		    0)
		api->url_prefix = NULL;
	if (api->set.shop_name == NULL || api->set.login == NULL ||
	    api->set.password == NULL || api->url_prefix == NULL) {
		shoper_error_set(err, "out of memory");
		shoper_webapi_free(&api);
		return NULL;
	}
	api->http = webapi_http_new(&api->set, err);
	if (api->http == NULL) {
		shoper_webapi_free(&api);
		return NULL;
	}
	(void)webapi_token_load(api->set.token_file, api->set.base_url,
				api->set.login, &api->token);
	return api;
}

void shoper_webapi_free(struct shoper_webapi **_api)
{
	struct shoper_webapi *api = *_api;
	char *password;

	if (api == NULL)
		return;
	*_api = NULL;
	webapi_http_free(&api->http);
	webapi_response_free(&api->resp);
	webapi_token_clear(&api->token);
	password = (char *)api->set.password;
	webapi_secret_free(&password);
	free((char *)api->set.shop_name);
	free((char *)api->set.base_url);
	free((char *)api->set.login);
	free((char *)api->set.ca_file);
	free((char *)api->set.token_file);
	free(api->url_prefix);
	free(api);
	curl_global_cleanup();
}

const struct shoper_webapi_stats *shoper_webapi_get_stats(
	const struct shoper_webapi *api)
{
	return &api->stats;
}

void webapi_set_clock(struct shoper_webapi *api,
		      const struct webapi_clock *clock)
{
	api->clock = *clock;
}

void shoper_webapi_forget_token(struct shoper_webapi *api)
{
	webapi_token_clear(&api->token);
	if (api->set.token_file != NULL)
		(void)unlink(api->set.token_file);
}

static char *request_url(struct shoper_webapi *api, const char *path,
			 const char *query)
{
	char *url;

	while (*path == '/')
		path++;
	if (asprintf(&url, "%s%s%s%s", api->url_prefix, path,
		     query != NULL && *query != '\0' ? "?" : "",
		     query != NULL ? query : "") < 0)
		return NULL;
	return url;
}

static char *auth_line(struct shoper_webapi *api, bool login)
{
	char *line;

	if (login)
		return webapi_basic_auth_header(api->set.login,
						api->set.password);
	if (api->token.token == NULL)
		return NULL;
	if (asprintf(&line, "Authorization: Bearer %s", api->token.token) < 0)
		return NULL;
	return line;
}

/* The whole body must be one JSON value (a truncated or padded body is
   garbage, not data). */
static json_object *parse_body(const struct webapi_response *resp)
{
	struct json_tokener *tok;
	json_object *json;
	size_t used;

	if (resp->body == NULL || resp->body_len == 0 ||
	    resp->body_len > INT32_MAX)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	json = json_tokener_parse_ex(tok, resp->body, (int)resp->body_len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		/* a lone number is only complete at end of input */
		json_object_put(json);
		json = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(json);
			json = NULL;
		}
		used = resp->body_len;
	} else {
		used = json_tokener_get_parse_end(tok);
	}
	json_tokener_free(tok);
	for (; json != NULL && used < resp->body_len; used++) {
		if (!isspace((unsigned char)resp->body[used])) {
			json_object_put(json);
			json = NULL;
		}
	}
	return json;
}

static bool wait_secs(struct shoper_webapi *api, double secs)
{
	if (secs <= 0)
		return true;
	api->stats.waited_secs += secs;
	return webapi_sleep(&api->clock, api->set.stop_flag, secs);
}

static bool stopped(struct shoper_webapi *api)
{
	return api->set.stop_flag != NULL && *api->set.stop_flag != 0;
}

static double call_cost(const struct shoper_webapi *api,
			const struct webapi_request *req)
{
	return api->bulk_cost_each && req->items > 1 ? req->items : 1;
}

/* Send once; the answer is in api->resp. */
static enum webapi_transport send_once(struct shoper_webapi *api,
				       const struct webapi_request *req,
				       const char *url)
{
	enum webapi_transport t;
	double now, before;
	char *auth;

	auth = auth_line(api, req->login);
	now = api->clock.now(api->clock.ctx);
	before = webapi_bucket_level(&api->bucket, now);
	webapi_bucket_sent(&api->bucket, now, call_cost(api, req));
	api->stats.calls++;
	if (req->login)
		api->stats.auth_calls++;
	t = webapi_http_request(api->http, req->method, url, auth, req->body,
				&api->resp);
	webapi_secret_free(&auth);
	if (t != WEBAPI_TRANSPORT_OK)
		return t;
	webapi_bucket_answer(&api->bucket, &api->resp.hdr,
			     api->clock.now(api->clock.ctx));
	if (req->items >= 4 && api->resp.code == 200 &&
	    api->resp.hdr.api_calls >= 0) {
		/* Shoper does not document what a bulk costs: watch the
		   level jump */
		api->bulk_cost_each =
			api->resp.hdr.api_calls - before >= req->items / 2.0;
	}
	return t;
}

struct attempt {
	enum shoper_webapi_status fail; /* if retries run out */
	char why[512];
	double min_wait; /* Retry-After on a 503 */
};

/* A 3xx is never followed: the credentials would go along (maybe to
   another host); the error names the url to configure instead. */
static int redirected(struct shoper_webapi *api, enum shoper_webapi_status *st,
		      struct shoper_error *err)
{
	webapi_redirect_error(api->set.shop_name, api->resp.code,
			      api->resp.hdr.location, err);
	*st = SHOPER_WEBAPI_ERR_CONFIG;
	return 0;
}

/* Judge one answer: 0 = done (*st set), 1 = retry with backoff,
   2 = throttled (wait and retry). */
static int judge(struct shoper_webapi *api, const struct webapi_request *req,
		 enum webapi_transport t, json_object **json_r,
		 struct attempt *a, enum shoper_webapi_status *st,
		 struct shoper_error *err)
{
	const struct webapi_response *resp = &api->resp;
	const char *shop = api->set.shop_name;
	enum webapi_retry_kind kind;
	char text[400];
	json_object *json;

	a->min_wait = 0;
	switch (t) {
	case WEBAPI_TRANSPORT_OK:
		break;
	case WEBAPI_TRANSPORT_NETWORK:
	case WEBAPI_TRANSPORT_TRUNCATED:
		a->fail = t == WEBAPI_TRANSPORT_NETWORK
				  ? SHOPER_WEBAPI_ERR_NETWORK
				  : SHOPER_WEBAPI_ERR_PROTOCOL;
		snprintf(a->why, sizeof(a->why), "%s", resp->error);
		return 1;
	case WEBAPI_TRANSPORT_TLS:
		shoper_error_set(err,
				 "shop %s: TLS failure (%s); the shop's "
				 "certificate must be valid for its host name "
				 "and signed by a CA in ca_file or the system "
				 "store",
				 shop, resp->error);
		*st = SHOPER_WEBAPI_ERR_TLS;
		return 0;
	case WEBAPI_TRANSPORT_CONFIG:
	case WEBAPI_TRANSPORT_TOO_BIG:
		shoper_error_set(err, "shop %s: %s %s: %s", shop, req->method,
				 req->path, resp->error);
		*st = t == WEBAPI_TRANSPORT_CONFIG ? SHOPER_WEBAPI_ERR_CONFIG
						   : SHOPER_WEBAPI_ERR_PROTOCOL;
		return 0;
	}

	if (resp->code / 100 == 3)
		return redirected(api, st, err);
	json = parse_body(resp);
	kind = webapi_retry_classify(resp->code);
	if (kind == WEBAPI_RETRY_NONE && resp->code >= 200 &&
	    resp->code < 300) {
		if (json != NULL && (req->validate == NULL ||
				     req->validate(json, req->validate_ctx))) {
			*json_r = json;
			*st = SHOPER_WEBAPI_OK;
			return 0;
		}
		json_object_put(json);
		a->fail = SHOPER_WEBAPI_ERR_PROTOCOL;
		snprintf(a->why, sizeof(a->why),
			 "HTTP %ld with an unparsable or unexpected body "
			 "(%zu bytes)",
			 resp->code, resp->body_len);
		return 1;
	}
	shoper_webapi_error_text(json, text, sizeof(text));
	if (kind == WEBAPI_RETRY_THROTTLED) {
		json_object_put(json);
		return 2;
	}
	if (kind == WEBAPI_RETRY_BACKOFF) {
		json_object_put(json);
		a->fail = SHOPER_WEBAPI_ERR_HTTP;
		if (resp->hdr.retry_after > 0)
			a->min_wait = webapi_bucket_retry_after(&api->bucket,
								&resp->hdr);
		snprintf(a->why, sizeof(a->why), "HTTP %ld (%.300s)",
			 resp->code, text);
		return 1;
	}
	/* final 4xx (401 included: the caller decides about logging in) */
	shoper_error_set(err, "shop %s: %s %s: HTTP %ld (%s)", shop,
			 req->method, req->path, resp->code, text);
	*json_r = json;
	*st = SHOPER_WEBAPI_ERR_HTTP;
	return 0;
}

static enum shoper_webapi_status run_loop(struct shoper_webapi *api,
					  const struct webapi_request *req,
					  const char *url, json_object **json_r,
					  long *http_code_r,
					  struct shoper_error *err)
{
	unsigned int attempts = 0, throttled = 0, ms;
	enum shoper_webapi_status st = SHOPER_WEBAPI_OK;
	struct attempt a = {.fail = SHOPER_WEBAPI_ERR_NETWORK};
	enum webapi_transport t;
	double wait;

	for (;;) {
		wait = webapi_bucket_wait(&api->bucket,
					  api->clock.now(api->clock.ctx),
					  call_cost(api, req));
		if (stopped(api) || !wait_secs(api, wait))
			break;
		t = send_once(api, req, url);
		*http_code_r = t == WEBAPI_TRANSPORT_OK ? api->resp.code : 0;
		switch (judge(api, req, t, json_r, &a, &st, err)) {
		case 0:
			return st;
		case 2:
			api->stats.throttled++;
			if (++throttled > WEBAPI_MAX_THROTTLED) {
				shoper_error_set(err,
						 "shop %s: %s %s: still "
						 "throttled (HTTP 429) after "
						 "%u tries",
						 api->set.shop_name,
						 req->method, req->path,
						 throttled);
				return SHOPER_WEBAPI_ERR_HTTP;
			}
			wait = webapi_bucket_retry_after(&api->bucket,
							 &api->resp.hdr);
			if (!wait_secs(api, wait))
				goto stop;
			continue;
		}
		if (attempts >= api->set.max_retries) {
			shoper_error_set(err,
					 "shop %s: %s %s failed after %u "
					 "retries: %s",
					 api->set.shop_name, req->method,
					 req->path, attempts, a.why);
			return a.fail;
		}
		ms = webapi_backoff_ms(attempts, WEBAPI_BACKOFF_BASE_MS,
				       api->set.max_backoff_ms,
				       webapi_rand(&api->rng));
		attempts++;
		api->stats.retries++;
		wait = ms / 1000.0 > a.min_wait ? ms / 1000.0 : a.min_wait;
		if (!wait_secs(api, wait))
			break;
	}
stop:
	shoper_error_set(err, "shop %s: %s %s: stopped", api->set.shop_name,
			 req->method, req->path);
	return SHOPER_WEBAPI_ERR_STOPPED;
}

enum shoper_webapi_status webapi_request_run(struct shoper_webapi *api,
					     const struct webapi_request *req,
					     json_object **json_r,
					     long *http_code_r,
					     struct shoper_error *err)
{
	enum shoper_webapi_status st;
	char *url;

	*json_r = NULL;
	*http_code_r = 0;
	url = request_url(api, req->path, req->query);
	if (url == NULL) {
		shoper_error_set(err, "out of memory");
		return SHOPER_WEBAPI_ERR_CONFIG;
	}
	st = run_loop(api, req, url, json_r, http_code_r, err);
	free(url);
	return st;
}
