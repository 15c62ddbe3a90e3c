/* webhooks install|status|remove: the one webhook row per shop through
   which the shop tells the daemon's listener of its changes. */
#include "cmd.h"
#include "engine.h"
#include "shoper-webapi.h"
#include "webhook-file.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: shoper-sync webhooks install --shop NAME --url URL\n"
		"       shoper-sync webhooks status [--shop NAME]\n"
		"       shoper-sync webhooks remove --shop NAME\n");
	return SYNC_EXIT_USAGE;
}

/* A call that failed: the message, with what to grant on a 403. */
static int failed(const struct shoper_shop_config *shop, const char *what,
		  enum shoper_webapi_status ret, long code,
		  const struct shoper_error *err)
{
	if (ret == SHOPER_WEBAPI_ERR_PERMISSION || code == 403)
		fprintf(stderr,
			"[shop %s] %s: permission denied (%s); the webapi "
			"account lacks the 'webhooks' permission (Webhooki): "
			"grant it to the account's role in the admin panel\n",
			shop->name, what, err->msg);
	else
		fprintf(stderr, "[shop %s] %s: %s\n", shop->name, what,
			err->msg);
	return SYNC_EXIT_FAIL;
}

/* Every webhook row of the shop (a few: they are listed page by page). */
static int list_rows(struct shoper_webapi *api,
		     const struct shoper_shop_config *shop,
		     json_object **rows_r)
{
	struct shoper_error err;
	json_object *rows = json_object_new_array(), *json, *list;
	long code = 0;
	char query[64];

	for (int page = 1, pages = 1; page <= pages && page <= 100; page++) {
		snprintf(query, sizeof(query), "limit=50&page=%d", page);
		enum shoper_webapi_status ret =
			shoper_webapi_call(api, "GET", "webhooks", query, NULL,
					   &json, &code, &err);
		if (ret != SHOPER_WEBAPI_OK) {
			json_object_put(rows);
			return failed(shop, "listing webhooks", ret, code,
				      &err);
		}
		int64_t n = 1;
		if (shoper_json_int64(json, "pages", &n))
			pages = (int)n;
		if (json_object_object_get_ex(json, "list", &list) &&
		    json_object_is_type(list, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(list);
			     i++)
				json_object_array_add(
					rows, json_object_get(
						      json_object_array_get_idx(
							      list, i)));
		}
		json_object_put(json);
	}
	*rows_r = rows;
	return SYNC_EXIT_OK;
}

static json_object *row_body(const struct sync_webhook *w)
{
	json_object *body = json_object_new_object(), *ev;

	json_object_object_add(body, "url", json_object_new_string(w->url));
	json_object_object_add(body, "active", json_object_new_boolean(1));
	json_object_object_add(body, "format", json_object_new_int(0));
	ev = json_object_new_array();
	for (unsigned int i = 0; i < SYNC_WEBHOOK_N_EVENTS; i++)
		json_object_array_add(
			ev, json_object_new_string(sync_webhook_events[i]));
	json_object_object_add(body, "events", ev);
	json_object_object_add(body, "secret",
			       json_object_new_string(w->secret));
	return body;
}

static int call(struct shoper_webapi *api,
		const struct shoper_shop_config *shop, const char *method,
		const char *path, json_object *body, json_object **json_r)
{
	struct shoper_error err;
	json_object *json = NULL;
	long code = 0;

	enum shoper_webapi_status ret = shoper_webapi_call(
		api, method, path, NULL,
		body == NULL ? NULL : json_object_to_json_string(body), &json,
		&code, &err);
	json_object_put(body);
	if (ret != SHOPER_WEBAPI_OK)
		return failed(shop, path, ret, code, &err);
	if (json_r != NULL)
		*json_r = json;
	else
		json_object_put(json);
	return SYNC_EXIT_OK;
}

/* Ours: the row the file names, else rows with our URL (a file lost). */
static bool ours(json_object *row, const struct sync_webhook *w)
{
	const char *id = shoper_json_str(row, "webhook_id");

	return (w->id[0] != '\0' && strcmp(id, w->id) == 0) ||
	       strcmp(shoper_json_str(row, "url"), w->url) == 0;
}

static int install(const struct shoper_sync_config *cfg,
		   const struct shoper_shop_config *shop,
		   struct shoper_webapi *api, const char *url)
{
	struct sync_webhook w, old;
	struct shoper_error err;
	json_object *rows, *json = NULL;
	char path[64];
	int ret;

	memset(&w, 0, sizeof(w));
	snprintf(w.url, sizeof(w.url), "%s", url);
	if (sync_webhook_load(cfg, shop->name, &old, NULL, &err) > 0) {
		memcpy(w.secret, old.secret, sizeof(w.secret));
		memcpy(w.id, old.id, sizeof(w.id));
	} else if (sync_webhook_new_secret(w.secret, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	if ((ret = list_rows(api, shop, &rows)) != SYNC_EXIT_OK)
		return ret;
	const char *found = NULL;
	for (size_t i = 0; i < json_object_array_length(rows) && ret == 0;
	     i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		if (!ours(row, &w))
			continue;
		snprintf(path, sizeof(path), "webhooks/%s",
			 shoper_json_str(row, "webhook_id"));
		/* the first is updated, any other of ours is a duplicate */
		ret = call(api, shop, found == NULL ? "PUT" : "DELETE", path,
			   found == NULL ? row_body(&w) : NULL, NULL);
		if (found == NULL)
			found = shoper_json_str(row, "webhook_id");
	}
	if (ret == 0 && found != NULL)
		snprintf(w.id, sizeof(w.id), "%s", found);
	else if (ret == 0 && (ret = call(api, shop, "POST", "webhooks",
					 row_body(&w), &json)) == 0) {
		snprintf(w.id, sizeof(w.id), "%s",
			 json_object_get_string(json));
		json_object_put(json);
	}
	bool updated = found != NULL;
	json_object_put(rows);
	if (ret != SYNC_EXIT_OK)
		return ret;
	if (sync_webhook_save(cfg, shop->name, &w, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	printf("[shop %s] webhook %s %s: %s (%u events)\n", shop->name, w.id,
	       updated ? "updated" : "installed", w.url, SYNC_WEBHOOK_N_EVENTS);
	return SYNC_EXIT_OK;
}

/* What the row lacks of what we expect, or "" */
static void compare(json_object *row, const struct sync_webhook *w, char *out,
		    size_t size)
{
	json_object *ev;
	size_t n = 0;

	out[0] = '\0';
	if (strcmp(shoper_json_str(row, "url"), w->url) != 0)
		n += snprintf(out + n, size - n, " url differs;");
	if (!shoper_json_bool(row, "active"))
		n += snprintf(out + n, size - n, " inactive;");
	if (strcmp(shoper_json_str(row, "format"), "0") != 0)
		n += snprintf(out + n, size - n, " format not JSON;");
	if (strcmp(shoper_json_str(row, "secret"), w->secret) != 0)
		n += snprintf(out + n, size - n, " secret differs;");
	for (unsigned int i = 0; i < SYNC_WEBHOOK_N_EVENTS && n < size; i++) {
		bool has = false;
		if (json_object_object_get_ex(row, "events", &ev) &&
		    json_object_is_type(ev, json_type_array)) {
			for (size_t j = 0; j < json_object_array_length(ev);
			     j++)
				has |= strcmp(json_object_get_string(
						      json_object_array_get_idx(
							      ev, j)),
					      sync_webhook_events[i]) == 0;
		}
		if (!has)
			n += snprintf(out + n, size - n, " no %s;",
				      sync_webhook_events[i]);
	}
}

static int status_or_remove(const struct sync_webhook *w,
			    const struct shoper_sync_config *cfg,
			    const struct shoper_shop_config *shop,
			    struct shoper_webapi *api, bool remove)
{
	struct shoper_error err;
	json_object *rows;
	char path[64], diff[600];
	int ret, n = 0;

	if ((ret = list_rows(api, shop, &rows)) != SYNC_EXIT_OK)
		return ret;
	for (size_t i = 0; i < json_object_array_length(rows) && ret == 0;
	     i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		if (!ours(row, w))
			continue;
		n++;
		const char *id = shoper_json_str(row, "webhook_id");
		snprintf(path, sizeof(path), "webhooks/%s", id);
		if (remove) {
			ret = call(api, shop, "DELETE", path, NULL, NULL);
			continue;
		}
		compare(row, w, diff, sizeof(diff));
		if (strcmp(id, w->id) != 0)
			printf("[shop %s] webhook %s: a duplicate with our "
			       "url (install removes it)\n",
			       shop->name, id);
		else if (diff[0] != '\0')
			printf("[shop %s] webhook %s: differs:%s run "
			       "webhooks install again\n",
			       shop->name, id, diff);
		else
			printf("[shop %s] webhook %s: as expected, %s\n",
			       shop->name, id, w->url);
		if (strcmp(id, w->id) != 0 || diff[0] != '\0')
			ret = SYNC_EXIT_FAIL;
	}
	json_object_put(rows);
	if (ret == 0 && remove) {
		if (sync_webhook_delete(cfg, shop->name, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return SYNC_EXIT_LOCAL;
		}
		printf("[shop %s] webhook removed (%d row%s)\n", shop->name, n,
		       n == 1 ? "" : "s");
	} else if (ret == 0 && n == 0) {
		printf("[shop %s] webhook %s: missing in the shop; run "
		       "webhooks install again\n",
		       shop->name, w->id);
		ret = SYNC_EXIT_FAIL;
	}
	return ret;
}

static int one_shop(const struct shoper_sync_config *cfg,
		    const struct shoper_shop_config *shop, const char *verb,
		    const char *url)
{
	struct sync_webhook w;
	struct shoper_error err;
	char why[600];

	bool install_it = strcmp(verb, "install") == 0;
	int loaded = sync_webhook_load(cfg, shop->name, &w, NULL, &err);
	if (loaded < 0 && !install_it) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	if (loaded == 0 && !install_it) {
		printf("[shop %s] no webhook installed (shoper-sync webhooks "
		       "install --shop %s --url URL)\n",
		       shop->name, shop->name);
		return strcmp(verb, "remove") == 0 ? SYNC_EXIT_OK
						   : SYNC_EXIT_FAIL;
	}
	struct shoper_webapi *api = sync_webapi_open(cfg, shop, true, 0, NULL,
						     why, sizeof(why), NULL);
	if (api == NULL) {
		fprintf(stderr, "[shop %s] %s\n", shop->name, why);
		return SYNC_EXIT_FAIL;
	}
	int ret = install_it ? install(cfg, shop, api, url)
			     : status_or_remove(&w, cfg, shop, api,
						strcmp(verb, "remove") == 0);
	shoper_webapi_free(&api);
	return ret;
}

int cmd_webhooks(struct cmd_ctx *ctx)
{
	const char *shop_name = NULL, *url = NULL, *verb;

	if (ctx->argc < 1)
		return usage();
	verb = ctx->argv[0];
	for (int i = 1; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--shop") == 0 && i + 1 < ctx->argc)
			shop_name = ctx->argv[++i];
		else if (strcmp(ctx->argv[i], "--url") == 0 &&
			 i + 1 < ctx->argc)
			url = ctx->argv[++i];
		else
			return usage();
	}
	bool install_it = strcmp(verb, "install") == 0;
	if ((!install_it && strcmp(verb, "status") != 0 &&
	     strcmp(verb, "remove") != 0) ||
	    (install_it && (shop_name == NULL || url == NULL)) ||
	    (!install_it && url != NULL) ||
	    (strcmp(verb, "remove") == 0 && shop_name == NULL))
		return usage();
	if (url != NULL && strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) {
		fprintf(stderr,
			"--url %s: write the URL the shop posts to, "
			"e.g. https://mail.example.pl/shoper/NAME\n",
			url);
		return SYNC_EXIT_USAGE;
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	int ret = SYNC_EXIT_OK;
	if (shop_name != NULL &&
	    shoper_config_find_shop(cfg, shop_name) == NULL) {
		fprintf(stderr, "%s: no [shop %s]\n", cfg->path, shop_name);
		ret = SYNC_EXIT_CONFIG;
	}
	for (unsigned int i = 0; i < cfg->n_shops && ret != SYNC_EXIT_CONFIG;
	     i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		if (shop_name != NULL && strcmp(shop_name, shop->name) != 0)
			continue;
		int r = one_shop(cfg, shop, verb, url);
		if (r > ret)
			ret = r;
	}
	shoper_config_free(&cfg);
	return ret;
}
