/* The webapi's bulk call: up to 25 sub-requests in one HTTP request (and,
   on Shoper, one unit of the rate limit bucket). The answer's items are
   handed back in request order, matched by id. */

#include <stdio.h>
#include <string.h>

#include "webapi-private.h"

struct bulk_ctx {
	json_object *requests;
	size_t n;
};

static const char *item_id(json_object *item)
{
	return shoper_json_str(item, "id");
}

/* Index of the answer item for request i, or -1. */
static int find_item(json_object *items, json_object *request, size_t i)
{
	const char *id = item_id(request);
	size_t n = json_object_array_length(items);

	if (i < n &&
	    strcmp(item_id(json_object_array_get_idx(items, i)), id) == 0)
		return (int)i;
	if (*id == '\0')
		return -1;
	for (size_t j = 0; j < n; j++) {
		if (strcmp(item_id(json_object_array_get_idx(items, j)), id) ==
		    0)
			return (int)j;
	}
	return -1;
}

static bool bulk_answer_ok(json_object *json, void *context)
{
	struct bulk_ctx *ctx = context;
	json_object *items;
	int64_t code;

	if (!json_object_object_get_ex(json, "items", &items) ||
	    !json_object_is_type(items, json_type_array) ||
	    json_object_array_length(items) != ctx->n)
		return false;
	for (size_t i = 0; i < ctx->n; i++) {
		json_object *req = json_object_array_get_idx(ctx->requests, i);
		int j = find_item(items, req, i);

		if (j < 0 ||
		    !shoper_json_int64(json_object_array_get_idx(items, j),
				       "code", &code))
			return false;
	}
	return true;
}

static int check_requests(json_object *requests, struct shoper_error *err)
{
	size_t n;

	if (requests == NULL ||
	    !json_object_is_type(requests, json_type_array)) {
		shoper_error_set(err, "bulk: requests must be a JSON array");
		return -1;
	}
	n = json_object_array_length(requests);
	if (n == 0 || n > SHOPER_WEBAPI_BULK_MAX) {
		shoper_error_set(err,
				 "bulk of %zu sub-requests refused: the "
				 "webapi takes 1 to %d per call",
				 n, SHOPER_WEBAPI_BULK_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *req = json_object_array_get_idx(requests, i);

		if (*shoper_json_str(req, "path") == '\0' ||
		    *shoper_json_str(req, "method") == '\0') {
			shoper_error_set(err,
					 "bulk: sub-request %zu has no path "
					 "or method",
					 i);
			return -1;
		}
	}
	return 0;
}

enum shoper_webapi_status shoper_webapi_bulk(struct shoper_webapi *api,
					     json_object *requests,
					     json_object **items_r,
					     struct shoper_error *err)
{
	struct bulk_ctx ctx = {.requests = requests};
	struct webapi_request req = {
		.method = "POST",
		.path = "bulk",
		.validate = bulk_answer_ok,
		.validate_ctx = &ctx,
	};
	enum shoper_webapi_status st;
	json_object *json, *items, *ordered;
	long code;

	*items_r = NULL;
	if (check_requests(requests, err) < 0)
		return SHOPER_WEBAPI_ERR_CONFIG;
	ctx.n = json_object_array_length(requests);
	req.items = (unsigned int)ctx.n;
	req.body = json_object_to_json_string_ext(requests,
						  JSON_C_TO_STRING_PLAIN);
	st = webapi_call_validated(api, &req, &json, &code, err);
	if (st != SHOPER_WEBAPI_OK)
		return st;
	(void)json_object_object_get_ex(json, "items", &items);
	ordered = json_object_new_array_ext((int)ctx.n);
	for (size_t i = 0; i < ctx.n; i++) {
		int j = find_item(items, json_object_array_get_idx(requests, i),
				  i);

		json_object_array_add(
			ordered,
			json_object_get(json_object_array_get_idx(items, j)));
	}
	json_object_put(json);
	api->stats.bulk_items += ctx.n;
	*items_r = ordered;
	return SHOPER_WEBAPI_OK;
}

void shoper_webapi_bulk_add(json_object *requests, const char *id,
			    const char *method, const char *path,
			    json_object *params, json_object *body)
{
	json_object *req = json_object_new_object();
	char full[1024];

	while (*path == '/')
		path++;
	snprintf(full, sizeof(full), "/webapi/rest/%s", path);
	json_object_object_add(req, "id", json_object_new_string(id));
	json_object_object_add(req, "path", json_object_new_string(full));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(req, "params", params);
	if (body != NULL)
		json_object_object_add(req, "body", body);
	json_object_array_add(requests, req);
}
