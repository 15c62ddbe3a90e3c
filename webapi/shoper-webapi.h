#ifndef SHOPER_WEBAPI_H
#define SHOPER_WEBAPI_H

/* Client of one Shoper shop's REST webapi (https://<shop>/webapi/rest/):
   login and token reuse, the client-side leaky bucket, retries, bulk.
   Knows HTTP and the webapi's envelope; knows nothing of the sync state or
   the index. Errors are returned in struct shoper_error, never printed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <json-c/json.h>

#include "shoper-lib.h" /* struct shoper_error */

struct shoper_webapi_settings {
	const char *shop_name; /* for messages only */
	const char *base_url; /* "https://host[:port]", no trailing slash */
	const char *login;
	const char *password; /* read from password_file by the caller */
	const char *ca_file; /* NULL: system CAs; verification is always on */
	const char *token_file; /* NULL: don't persist; else 0600 file */
	unsigned int timeout_secs; /* per request, default 60 */
	unsigned int max_retries; /* 5xx/timeouts/garbage, default 5 */
	unsigned int
		max_backoff_ms; /* cap of exponential backoff, default 30000 */
	/* Set by the daemon's SIGTERM handler: finish the current request and
	   stop retrying/waiting. May be NULL. */
	volatile int *stop_flag;
};

struct shoper_webapi_stats {
	unsigned int calls; /* HTTP requests sent (incl. auth, retries) */
	unsigned int auth_calls;
	unsigned int retries;
	unsigned int throttled; /* 429 answers */
	unsigned int bulk_items;
	double waited_secs; /* slept for the bucket / Retry-After / backoff */
};

enum shoper_webapi_status {
	SHOPER_WEBAPI_OK = 0,
	SHOPER_WEBAPI_ERR_CONFIG, /* bad URL, unreadable CA file ... */
	SHOPER_WEBAPI_ERR_TLS, /* certificate refused */
	SHOPER_WEBAPI_ERR_NETWORK, /* connect/timeout after retries */
	SHOPER_WEBAPI_ERR_AUTH, /* login refused (auth_failure ...) */
	SHOPER_WEBAPI_ERR_PERMISSION, /* 403 / auth_webapi_access_denied */
	SHOPER_WEBAPI_ERR_HTTP, /* other 4xx/5xx after retries */
	SHOPER_WEBAPI_ERR_PROTOCOL, /* unparsable body after retries */
	SHOPER_WEBAPI_ERR_STOPPED, /* stop_flag was raised */
};

struct shoper_webapi;

struct shoper_webapi *shoper_webapi_new(
	const struct shoper_webapi_settings *set, struct shoper_error *err);
void shoper_webapi_free(struct shoper_webapi **api);
const struct shoper_webapi_stats *shoper_webapi_get_stats(
	const struct shoper_webapi *api);

/* One request. path is relative to /webapi/rest/ ("orders",
   "orders/12"); query is an already-encoded query string or NULL; body is
   JSON or NULL. Logs in first when there is no valid token, and once more
   on a 401. Waits for the bucket; retries 429 (Retry-After), 5xx, timeouts
   and unparsable bodies with capped backoff. *json_r (owned by the caller)
   is the parsed body of a 2xx answer; *http_code_r the final status.
   On a 4xx that is not retried, err holds the shop's error_description. */
enum shoper_webapi_status shoper_webapi_call(
	struct shoper_webapi *api, const char *method, const char *path,
	const char *query, const char *body, json_object **json_r,
	long *http_code_r, struct shoper_error *err);

/* One bulk call of at most 25 sub-requests. requests is a JSON array of
   {id, path, method, params, body} as the webapi expects; *items_r (owned
   by the caller) is the "items" array of the answer, in request order.
   Sub-items that failed with a retryable code are the caller's to retry. */
#define SHOPER_WEBAPI_BULK_MAX 25
enum shoper_webapi_status shoper_webapi_bulk(struct shoper_webapi *api,
					     json_object *requests,
					     json_object **items_r,
					     struct shoper_error *err);
/* Append one sub-request to a bulk requests array. path is relative to
   /webapi/rest/ as in shoper_webapi_call; params (query parameters such as
   limit, page, filters) and body are taken over by the array; both may be
   NULL. */
void shoper_webapi_bulk_add(json_object *requests, const char *id,
			    const char *method, const char *path,
			    json_object *params, json_object *body);

/* Drop the cached token (memory and token_file), e.g. after a credential
   change. */
void shoper_webapi_forget_token(struct shoper_webapi *api);

/* ---- typed views of webapi JSON (numbers arrive as strings) ---- */

/* "error: description" of a webapi error body, cut to a sane length and
   without control characters (shop text goes into logs). */
void shoper_webapi_error_text(json_object *json, char *buf, size_t size);

/* String member as a C string ("" when missing or null); numbers and
   booleans are rendered as text. Never NULL. */
const char *shoper_json_str(json_object *obj, const char *key);
/* Same with length, for values with embedded NUL bytes. */
const char *shoper_json_str_len(json_object *obj, const char *key,
				size_t *len_r);
/* true for JSON true, "1", 1, "true". */
bool shoper_json_bool(json_object *obj, const char *key);
/* An object member that PHP may have sent as [] when empty: returns the
   object, or NULL for [] / missing / wrong type. */
json_object *shoper_json_obj(json_object *obj, const char *key);
/* Integer member sent as a number or as a decimal string ("137"): false
   when missing, null, empty, fractional or out of range. */
bool shoper_json_int64(json_object *obj, const char *key, int64_t *value_r);

#endif
