/* The session on top of the request loop: logging in to the webapi
   (POST auth with HTTP Basic; an admin token lives 30 days and there is
   no refresh call, so it is cached in token_file and reused by later
   runs until less than a day is left or the shop refuses it), and the
   401 -> log in again once rule of every call. Password and token never
   reach a message. */

#include <stdlib.h>
#include <string.h>

#include "webapi-private.h"

static bool login_answer_ok(json_object *json, void *ctx)
{
	(void)ctx;
	return webapi_token_chars_ok(shoper_json_str(json, "access_token"));
}

/* The admin can fix these; say how. */
static enum shoper_webapi_status login_refused(struct shoper_webapi *api,
					       json_object *json, long code,
					       struct shoper_error *err)
{
	const char *e = shoper_json_str(json, "error");
	const char *shop = api->set.shop_name, *login = api->set.login;
	char text[512];

	shoper_webapi_error_text(json, text, sizeof(text));
	if (strcmp(e, "auth_webapi_access_denied") == 0) {
		shoper_error_set(err,
				 "shop %s: admin '%s' may not use the webapi "
				 "(%s); in the shop's admin panel give this "
				 "account the 'WebAPI access' permission",
				 shop, login, text);
		return SHOPER_WEBAPI_ERR_PERMISSION;
	}
	if (strcmp(e, "auth_admin_access_denied") == 0) {
		shoper_error_set(err,
				 "shop %s: admin '%s' is disabled or has no "
				 "admin access (%s); enable the account in the "
				 "shop's admin panel",
				 shop, login, text);
		return SHOPER_WEBAPI_ERR_PERMISSION;
	}
	if (strcmp(e, "auth_ip_not_allowed") == 0) {
		shoper_error_set(
			err,
			"shop %s: login '%s' is not allowed from this "
			"server's IP address (%s); allow the IP in the "
			"account's settings in the shop's admin panel",
			shop, login, text);
		return SHOPER_WEBAPI_ERR_AUTH;
	}
	if (code == 403) {
		shoper_error_set(err, "shop %s: login '%s' refused (%s)", shop,
				 login, text);
		return SHOPER_WEBAPI_ERR_PERMISSION;
	}
	shoper_error_set(err,
			 "shop %s: login '%s' refused (HTTP %ld, %s); check "
			 "the login and the password in password_file",
			 shop, login, code, text);
	return SHOPER_WEBAPI_ERR_AUTH;
}

enum shoper_webapi_status webapi_login(struct shoper_webapi *api,
				       struct shoper_error *err)
{
	struct webapi_request req = {
		.method = "POST",
		.path = "auth",
		.login = true,
		.validate = login_answer_ok,
	};
	enum shoper_webapi_status st;
	json_object *json = NULL;
	int64_t expires_in;
	long code = 0;

	webapi_token_clear(&api->token);
	st = webapi_request_run(api, &req, &json, &code, err);
	if (st == SHOPER_WEBAPI_ERR_HTTP && (code == 401 || code == 403))
		st = login_refused(api, json, code, err);
	if (st != SHOPER_WEBAPI_OK) {
		json_object_put(json);
		return st;
	}
	/* expires_in may come as a number or a string; assume an hour when
	   the shop does not say */
	if (!shoper_json_int64(json, "expires_in", &expires_in) ||
	    expires_in <= 0)
		expires_in = 3600;
	api->token.token = strdup(shoper_json_str(json, "access_token"));
	api->token.issued = time(NULL);
	api->token.expires = api->token.issued + (time_t)expires_in;
	json_object_put(json);
	if (api->token.token == NULL) {
		shoper_error_set(err, "out of memory");
		return SHOPER_WEBAPI_ERR_CONFIG;
	}
	if (webapi_token_save(api->set.token_file, api->set.base_url,
			      api->set.login, &api->token, err) < 0)
		return SHOPER_WEBAPI_ERR_CONFIG;
	return SHOPER_WEBAPI_OK;
}

static enum shoper_webapi_status refused(struct shoper_webapi *api,
					 const struct webapi_request *req,
					 long code, json_object *json,
					 struct shoper_error *err)
{
	char text[400];

	shoper_webapi_error_text(json, text, sizeof(text));
	if (code == 401) {
		shoper_error_set(err,
				 "shop %s: %s %s: the shop refused a fresh "
				 "token (%s)",
				 api->set.shop_name, req->method, req->path,
				 text);
		return SHOPER_WEBAPI_ERR_AUTH;
	}
	shoper_error_set(err,
			 "shop %s: %s %s: permission denied (%s); give the "
			 "account access to this area in the shop's admin "
			 "panel",
			 api->set.shop_name, req->method, req->path, text);
	return SHOPER_WEBAPI_ERR_PERMISSION;
}

enum shoper_webapi_status webapi_call_validated(
	struct shoper_webapi *api, const struct webapi_request *req,
	json_object **json_r, long *http_code_r, struct shoper_error *err)
{
	enum shoper_webapi_status st;
	bool logged_in = false;

	for (;;) {
		if (!webapi_token_fresh(&api->token, time(NULL))) {
			st = webapi_login(api, err);
			if (st != SHOPER_WEBAPI_OK)
				return st;
			logged_in = true;
		}
		st = webapi_request_run(api, req, json_r, http_code_r, err);
		if (st != SHOPER_WEBAPI_ERR_HTTP ||
		    (*http_code_r != 401 && *http_code_r != 403))
			break;
		if (*http_code_r == 401 && !logged_in) {
			/* expired or revoked: log in again, once */
			json_object_put(*json_r);
			*json_r = NULL;
			webapi_token_clear(&api->token);
			continue;
		}
		st = refused(api, req, *http_code_r, *json_r, err);
		break;
	}
	if (st != SHOPER_WEBAPI_OK) {
		json_object_put(*json_r);
		*json_r = NULL;
	}
	return st;
}

enum shoper_webapi_status shoper_webapi_call(
	struct shoper_webapi *api, const char *method, const char *path,
	const char *query, const char *body, json_object **json_r,
	long *http_code_r, struct shoper_error *err)
{
	struct webapi_request req = {
		.method = method,
		.path = path,
		.query = query,
		.body = body,
	};
	long code;

	if (http_code_r == NULL)
		http_code_r = &code;
	return webapi_call_validated(api, &req, json_r, http_code_r, err);
}
